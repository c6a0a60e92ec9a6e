//! Property tests: every plan satisfies every constraint (checked here,
//! independently of the model and of the solver's claims), the reported
//! objective is the cost of the plan, and more capacity never makes the
//! objective worse.
#![allow(
    clippy::unwrap_used,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss
)]

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use hutano_core::model::{AmbulanceKind, BedType, StaffRole};
use hutano_optimize::beds::{
    can_take, distance_km, BedCosts, BedDemand, BedPlacement, BedPlan, BedPool, BedProblem, Hospital,
};
use hutano_optimize::budget::Budget;
use hutano_optimize::dispatch::{Destination, DispatchProblem, FreeBeds, Request, Unit};
use hutano_optimize::lp::SolveStatus;
use hutano_optimize::slots::{Slot, SlotProblem, SlotWeights, WaitingPatient};
use hutano_optimize::staff::{Requirement, ShiftSpec, StaffMember, StaffPlan, StaffProblem, StaffRules};
use hutano_optimize::{Error, MicroLp};
use proptest::prelude::*;

const TYPES: [BedType; 3] = [BedType::General, BedType::Hdu, BedType::Icu];
const SERVICES: [&str; 2] = ["Medicine", "Surgery"];

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 3).unwrap()
}

// ----------------------------------------------------------------- beds ---

fn bed_problem() -> impl Strategy<Value = BedProblem> {
    bed_problem_with(Shape {
        days: 2,
        beds: 0..6,
        pools: 1..=5,
        patients: 0..8,
        stays: 1..=1,
    })
}

/// The ranges of a generated bed problem.
struct Shape {
    days: usize,
    beds: std::ops::Range<u32>,
    pools: std::ops::RangeInclusive<usize>,
    patients: std::ops::Range<u32>,
    stays: std::ops::RangeInclusive<u32>,
}

/// Bed problems of 1 to 3 hospitals, `shape.pools` pools with beds per day
/// in `shape.beds`, and 1 to 6 demand groups arriving on any day with stays
/// in `shape.stays` (clipped at the horizon).
fn bed_problem_with(shape: Shape) -> impl Strategy<Value = BedProblem> {
    let Shape {
        days,
        beds,
        pools,
        patients,
        stays,
    } = shape;
    let hospitals = prop::collection::vec((-20.0..-15.0f64, 28.0..33.0f64), 1..=3);
    hospitals
        .prop_flat_map(move |locs| {
            let nh = locs.len();
            let pools = prop::collection::vec(
                (0..nh, 0..2usize, 0..3usize, prop::collection::vec(beds.clone(), days)),
                pools.clone(),
            );
            let demand = prop::collection::vec(
                (0..days, 0..nh, 0..2usize, 0..3usize, patients.clone(), stays.clone()),
                1..=6,
            );
            (Just(locs), pools, demand, any::<bool>(), 100.0..800.0f64)
        })
        .prop_map(move |(locs, pools, demand, allow_unmet, max_km)| BedProblem {
            start: start(),
            days,
            hospitals: locs
                .iter()
                .enumerate()
                .map(|(i, &l)| Hospital {
                    code: format!("H{i}"),
                    location: Some(l),
                })
                .collect(),
            pools: pools
                .into_iter()
                .enumerate()
                .map(|(i, (h, s, t, beds))| BedPool {
                    ward: format!("W{i}"),
                    hospital: h,
                    service: SERVICES[s].into(),
                    bed_type: TYPES[t],
                    beds,
                })
                .collect(),
            demand: demand
                .into_iter()
                .map(|(day, hospital, s, t, patients, stay_days)| BedDemand {
                    day,
                    hospital,
                    service: SERVICES[s].into(),
                    bed_type: TYPES[t],
                    patients,
                    stay_days,
                })
                .collect(),
            costs: BedCosts {
                max_transfer_km: max_km,
                ..BedCosts::default()
            },
            allow_unmet,
        })
}

/// Check a bed plan against every rule and return its cost.
fn check_beds(p: &BedProblem, plan: &BedPlan) -> f64 {
    let mut placed = vec![0u32; p.demand.len()];
    let mut used: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    let mut cost = 0.0;
    assert_eq!(plan.days.len(), p.days);
    for (day, dp) in plan.days.iter().enumerate() {
        assert_eq!(dp.date, p.start + Days::new(day as u64));
        for pl in &dp.placements {
            let d = &p.demand[pl.demand];
            let pool = &p.pools[pl.pool];
            assert_eq!(d.day, day, "placement on the wrong day");
            assert!(can_take(d.bed_type, pool.bed_type), "incompatible bed type");
            placed[pl.demand] += pl.patients;
            *used.entry((day, pl.pool)).or_insert(0) += pl.patients;
            let mut c = 0.0;
            if pool.service != d.service {
                c += p.costs.off_service;
            }
            if pool.bed_type != d.bed_type {
                c += p.costs.wrong_bed_type;
            }
            if pool.hospital != d.hospital {
                let km = distance_km(
                    p.hospitals[d.hospital].location.unwrap(),
                    p.hospitals[pool.hospital].location.unwrap(),
                );
                assert!(km <= p.costs.max_transfer_km + 1e-9, "transfer too far");
                c += p.costs.transfer_fixed + p.costs.transfer_per_km * km;
            }
            cost += c * f64::from(pl.patients);
        }
        for u in &dp.unmet {
            assert!(p.allow_unmet, "unmet demand although not allowed");
            placed[u.demand] += u.patients;
            cost += p.costs.unmet * f64::from(u.patients);
        }
    }
    for (g, d) in p.demand.iter().enumerate() {
        assert_eq!(placed[g], d.patients, "demand {g} not exactly placed or unmet");
    }
    for ((day, pool), n) in used {
        assert!(n <= p.pools[pool].beds[day], "pool {pool} over capacity on day {day}");
    }
    cost
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn bed_plans_are_feasible_and_priced_right(p in bed_problem()) {
        match p.solve(&MicroLp) {
            Ok(plan) => {
                let cost = check_beds(&p, &plan);
                prop_assert!((cost - plan.objective).abs() <= 1e-6 * (1.0 + cost.abs()));
            }
            Err(Error::Infeasible { violations }) => {
                prop_assert!(!p.allow_unmet);
                prop_assert!(!violations.is_empty());
                for v in violations {
                    prop_assert!(v.available < v.needed);
                }
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    #[test]
    fn more_beds_never_cost_more(mut p in bed_problem(), pool in 0usize..5, extra in 1u32..4) {
        p.allow_unmet = true;
        let before = p.solve(&MicroLp).unwrap().objective;
        let i = pool % p.pools.len();
        for b in &mut p.pools[i].beds {
            *b += extra;
        }
        let after = p.solve(&MicroLp).unwrap().objective;
        prop_assert!(after <= before + 1e-9, "{after} > {before}");
    }
}

// ------------------------------------------------------ beds with stays ---

/// Small bed problems over 4 days with stays of 1 to 4 days (some clipped at
/// the horizon) and beds that vary by day.
fn stay_problem() -> impl Strategy<Value = BedProblem> {
    bed_problem_with(Shape {
        days: 4,
        beds: 0..5,
        pools: 1..=4,
        patients: 0..5,
        stays: 1..=4,
    })
}

/// Check a bed plan with stays against every rule, written from the problem
/// statement: each group is in one pool for its whole stay (the same count
/// on every day of the stay, nothing outside it) or unmet for the whole
/// stay, occupancy never exceeds the beds of any day, types are compatible,
/// transfers are within the limit and happen on the arrival day. Returns the
/// cost: per patient-day for unmet, off-service and wrong type, once per
/// patient for a transfer.
fn check_stays(p: &BedProblem, plan: &BedPlan) -> f64 {
    assert_eq!(plan.days.len(), p.days);
    // (group, pool) -> count per day; group -> unmet per day.
    let mut placed: BTreeMap<(usize, usize), Vec<u32>> = BTreeMap::new();
    let mut unmet: BTreeMap<usize, Vec<u32>> = BTreeMap::new();
    let mut used: BTreeMap<(usize, usize), u32> = BTreeMap::new();
    let mut transferred = 0u64;
    for (day, dp) in plan.days.iter().enumerate() {
        assert_eq!(dp.date, p.start + Days::new(day as u64));
        for pl in &dp.placements {
            let d = &p.demand[pl.demand];
            let pool = &p.pools[pl.pool];
            assert!(can_take(d.bed_type, pool.bed_type), "incompatible bed type");
            assert_eq!(pl.arrival, day == d.day, "arrival flag on the wrong day");
            placed.entry((pl.demand, pl.pool)).or_insert_with(|| vec![0; p.days])[day] += pl.patients;
            *used.entry((day, pl.pool)).or_insert(0) += pl.patients;
            if pool.hospital != d.hospital {
                let km = distance_km(
                    p.hospitals[d.hospital].location.unwrap(),
                    p.hospitals[pool.hospital].location.unwrap(),
                );
                assert!(km <= p.costs.max_transfer_km + 1e-9, "transfer too far");
                assert!(pl.transfer_km.is_some());
            }
        }
        transferred += dp.transfers().map(|t| u64::from(t.patients)).sum::<u64>();
        for u in &dp.unmet {
            assert!(p.allow_unmet, "unmet demand although not allowed");
            unmet.entry(u.demand).or_insert_with(|| vec![0; p.days])[day] += u.patients;
        }
    }
    let mut cost = 0.0;
    let mut moved = 0u64;
    for (g, d) in p.demand.iter().enumerate() {
        let last = (d.day + d.stay_days as usize).min(p.days) - 1;
        let stay = |v: &Vec<u32>| -> u32 {
            // Constant over the stay, zero outside it.
            let n = v[d.day];
            for (day, &x) in v.iter().enumerate() {
                let expected = if (d.day..=last).contains(&day) { n } else { 0 };
                assert_eq!(x, expected, "group {g} changes pool or count mid-stay");
            }
            n
        };
        let days = (last - d.day + 1) as f64;
        let mut total = 0;
        for ((group, pool), v) in &placed {
            if *group != g {
                continue;
            }
            let n = stay(v);
            total += n;
            let pl = &p.pools[*pool];
            let mut per_day = 0.0;
            if pl.service != d.service {
                per_day += p.costs.off_service;
            }
            if pl.bed_type != d.bed_type {
                per_day += p.costs.wrong_bed_type;
            }
            cost += per_day * days * f64::from(n);
            if pl.hospital != d.hospital {
                let km = distance_km(
                    p.hospitals[d.hospital].location.unwrap(),
                    p.hospitals[pl.hospital].location.unwrap(),
                );
                cost += (p.costs.transfer_fixed + p.costs.transfer_per_km * km) * f64::from(n);
                moved += u64::from(n);
            }
        }
        if let Some(v) = unmet.get(&g) {
            let n = stay(v);
            total += n;
            cost += p.costs.unmet * days * f64::from(n);
        }
        assert_eq!(total, d.patients, "demand {g} not exactly placed or unmet");
    }
    for ((day, pool), n) in used {
        assert!(n <= p.pools[pool].beds[day], "pool {pool} over capacity on day {day}");
    }
    assert_eq!(transferred, moved, "transfers not reported once on arrival");
    assert_eq!(plan.summary.transferred_patients, moved);
    cost
}

/// A copy of `p` whose demand is solved one day at a time: day `day`'s
/// groups (all one-day stays), pools cut to that day.
fn one_day(p: &BedProblem, day: usize) -> BedProblem {
    BedProblem {
        start: p.start + Days::new(day as u64),
        days: 1,
        pools: p
            .pools
            .iter()
            .map(|x| BedPool {
                beds: vec![x.beds[day]],
                ..x.clone()
            })
            .collect(),
        demand: p
            .demand
            .iter()
            .filter(|d| d.day == day)
            .map(|d| BedDemand { day: 0, ..d.clone() })
            .collect(),
        ..p.clone()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn bed_plans_with_stays_are_feasible_and_priced_right(p in stay_problem()) {
        match p.solve(&MicroLp) {
            Ok(plan) => {
                let cost = check_stays(&p, &plan);
                prop_assert!((cost - plan.objective).abs() <= 1e-6 * (1.0 + cost.abs()));
                prop_assert!((p.plan_cost(&plan) - plan.objective).abs() <= 1e-6 * (1.0 + cost.abs()));
                // hutano's own branch and bound proves the same optimum.
                let (budgeted, bound) = p.solve_budgeted(&Budget::default()).unwrap();
                check_stays(&p, &budgeted);
                prop_assert!((budgeted.objective - plan.objective).abs() <= 1e-6 * (1.0 + cost.abs()));
                prop_assert_eq!(bound.total.status, SolveStatus::Optimal);
                // Stopped at the root (rounding, repair and moves into free
                // beds): still feasible, priced right and bounded.
                let (root, bound) = p.solve_budgeted(&Budget::default().with_node_limit(0)).unwrap();
                let root_cost = check_stays(&p, &root);
                prop_assert!((root_cost - root.objective).abs() <= 1e-6 * (1.0 + cost.abs()));
                prop_assert!((bound.total.objective - root.objective).abs() <= 1e-6 * (1.0 + cost.abs()));
                prop_assert!(bound.total.lower_bound <= plan.objective + 1e-6 * (1.0 + cost.abs()));
                prop_assert!(root.objective >= plan.objective - 1e-6 * (1.0 + cost.abs()));
            }
            Err(Error::Infeasible { violations }) => {
                prop_assert!(!p.allow_unmet);
                prop_assert!(!violations.is_empty());
                for v in violations {
                    prop_assert!(v.available < v.needed);
                }
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    #[test]
    fn more_beds_never_cost_more_with_stays(mut p in stay_problem(), pool in 0usize..4, day in 0usize..4, extra in 1u32..3) {
        p.allow_unmet = true;
        let before = p.solve(&MicroLp).unwrap().objective;
        let i = pool % p.pools.len();
        p.pools[i].beds[day] += extra;
        let after = p.solve(&MicroLp).unwrap().objective;
        prop_assert!(after <= before + 1e-9, "{after} > {before}");
    }

    /// With every stay one day, the plan is exactly the plan of the days
    /// solved one by one (the planner before stays).
    #[test]
    fn one_day_stays_are_solved_day_by_day(p in bed_problem()) {
        let together = p.solve(&MicroLp);
        let by_day: Vec<_> = (0..p.days).map(|d| one_day(&p, d).solve(&MicroLp)).collect();
        match together {
            Ok(plan) => {
                let mut objective = 0.0;
                for (day, one) in by_day.into_iter().enumerate() {
                    let one = one.unwrap();
                    let local: Vec<usize> = (0..p.demand.len()).filter(|&g| p.demand[g].day == day).collect();
                    let expected: Vec<_> = one.days[0]
                        .placements
                        .iter()
                        .map(|x| BedPlacement { demand: local[x.demand], ..x.clone() })
                        .collect();
                    prop_assert_eq!(&plan.days[day].placements, &expected);
                    let unmet: Vec<(usize, u32)> = one.days[0].unmet.iter().map(|u| (local[u.demand], u.patients)).collect();
                    let ours: Vec<(usize, u32)> = plan.days[day].unmet.iter().map(|u| (u.demand, u.patients)).collect();
                    prop_assert_eq!(ours, unmet);
                    objective += one.objective;
                }
                prop_assert_eq!(plan.objective.to_bits(), objective.to_bits());
                prop_assert_eq!(p.models().unwrap().len(), p.days);
            }
            Err(Error::Infeasible { violations }) => {
                let expected: Vec<_> = by_day
                    .into_iter()
                    .filter_map(|r| match r {
                        Err(Error::Infeasible { violations }) => Some(violations),
                        _ => None,
                    })
                    .flatten()
                    .collect();
                prop_assert_eq!(violations, expected);
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}

// ---------------------------------------------------------------- staff ---

fn staff_problem() -> impl Strategy<Value = StaffProblem> {
    let staff = prop::collection::vec(
        (
            any::<bool>(),
            0..2usize,
            any::<bool>(),
            0.0..9.0f64,
            prop::option::of(0..4usize),
        ),
        2..=5,
    );
    let reqs = prop::collection::vec(
        (0..2usize, 0..4usize, 0..3usize, 0u32..3, 0u32..2, any::<bool>()),
        1..=8,
    );
    (staff, reqs, 0.0..30.0f64).prop_map(|(staff, reqs, fair)| StaffProblem {
        start: start(),
        days: 4,
        shifts: ShiftSpec::three_shifts(),
        staff: staff
            .into_iter()
            .enumerate()
            .map(|(i, (both_units, unit, skilled, ot, leave))| StaffMember {
                code: format!("N{i}"),
                role: StaffRole::Nurse,
                units: if both_units {
                    vec!["A".into(), "B".into()]
                } else {
                    vec![["A", "B"][unit].into()]
                },
                skills: if skilled { vec!["icu".into()] } else { vec![] },
                contracted_hours_per_week: if i % 3 == 2 { 16.0 } else { 24.0 },
                max_overtime_hours_per_week: ot.floor(),
                hourly_cost: 10.0 + i as f64,
                leave: leave.map(|d| start() + Days::new(d as u64)).into_iter().collect(),
            })
            .collect(),
        requirements: reqs
            .into_iter()
            .map(|(unit, day, shift, target, minimum, skill)| Requirement {
                unit: ["A", "B"][unit].into(),
                role: StaffRole::Nurse,
                skill: skill.then(|| "icu".into()),
                day,
                shift,
                target,
                minimum: minimum.min(target),
            })
            .collect(),
        rules: StaffRules {
            night_fairness: fair,
            weekend_fairness: fair,
            ..StaffRules::default()
        },
    })
}

/// Check a roster against every hard rule, written from the problem
/// statement (not from the crate's model or checker).
fn check_staff(p: &StaffProblem, plan: &StaffPlan) {
    let minutes = |day: usize, k: usize| {
        let s = &p.shifts[k];
        let a = day as i64 * 1440 + i64::from(s.start_minute);
        (a, a + i64::from(s.length_minutes))
    };
    let mut per_staff: BTreeMap<usize, Vec<(usize, usize)>> = BTreeMap::new();
    let mut count: BTreeMap<usize, u32> = BTreeMap::new();
    for a in &plan.assignments {
        let m = &p.staff[a.staff];
        assert!(m.units.contains(&a.unit), "unit not allowed");
        assert!(
            !m.leave.contains(&(p.start + Days::new(a.day as u64))),
            "works on leave"
        );
        let mut counted = false;
        for (r, q) in p.requirements.iter().enumerate() {
            if q.unit == a.unit
                && q.day == a.day
                && q.shift == a.shift
                && q.role == m.role
                && q.skill.as_ref().is_none_or(|k| m.skills.contains(k))
            {
                counted = true;
                *count.entry(r).or_insert(0) += 1;
            }
        }
        assert!(counted, "assignment counts towards no requirement");
        per_staff.entry(a.staff).or_default().push((a.day, a.shift));
    }
    for (s, mut shifts) in per_staff {
        shifts.sort_unstable();
        for i in 0..shifts.len() {
            for j in i + 1..shifts.len() {
                let (a0, a1) = minutes(shifts[i].0, shifts[i].1);
                let (b0, b1) = minutes(shifts[j].0, shifts[j].1);
                let gap = if a0 <= b0 { b0 - a1 } else { a0 - b1 };
                assert!(
                    gap as f64 >= p.rules.min_rest_hours * 60.0,
                    "member {s}: rest {gap} min"
                );
            }
        }
        let m = &p.staff[s];
        let mut weekly: BTreeMap<usize, f64> = BTreeMap::new();
        for &(d, k) in &shifts {
            *weekly.entry(d / 7).or_insert(0.0) += f64::from(p.shifts[k].length_minutes) / 60.0;
        }
        for h in weekly.values() {
            assert!(
                *h <= m.contracted_hours_per_week + m.max_overtime_hours_per_week + 1e-9,
                "too many hours"
            );
        }
    }
    for (r, q) in p.requirements.iter().enumerate() {
        let c = count.get(&r).copied().unwrap_or(0);
        assert!(c >= q.minimum, "requirement {r} below its floor");
        let missing = plan
            .understaffing
            .iter()
            .find(|u| u.requirement == r)
            .map_or(0, |u| u.missing);
        assert_eq!(missing, q.target.saturating_sub(c), "understaffing of {r} misreported");
    }
    // Fairness is counted per weekend day and night shift.
    let _ = p.start.weekday();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rosters_are_feasible_and_priced_right(p in staff_problem()) {
        match p.solve(&MicroLp) {
            Ok(plan) => {
                check_staff(&p, &plan);
                let cost = p.plan_cost(&plan.assignments);
                prop_assert!((cost - plan.objective).abs() <= 1e-6 * (1.0 + cost.abs()), "{cost} vs {}", plan.objective);
            }
            Err(Error::Infeasible { violations }) => {
                prop_assert!(!violations.is_empty());
                for v in violations {
                    prop_assert!(v.available < v.needed);
                }
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }

    #[test]
    fn more_overtime_or_less_leave_never_costs_more(mut p in staff_problem(), who in 0usize..5) {
        for r in &mut p.requirements {
            r.minimum = 0;
        }
        let before = p.solve(&MicroLp).unwrap().objective;
        let i = who % p.staff.len();
        p.staff[i].max_overtime_hours_per_week += 8.0;
        p.staff[i].leave.clear();
        let after = p.solve(&MicroLp).unwrap().objective;
        prop_assert!(after <= before + 1e-6, "{after} > {before}");
    }
}

// ------------------------------------------------------ dispatch, slots ---

fn dispatch_problem() -> impl Strategy<Value = DispatchProblem> {
    let point = || (-18.0..-17.0f64, 30.5..31.5f64);
    (
        prop::collection::vec((point(), 1.0..4.0f64, 0..3usize, any::<bool>()), 1..=5),
        prop::collection::vec((point(), any::<bool>()), 1..=4),
        prop::collection::vec((point(), prop::collection::vec((0u32..3, 0.0..3.0f64), 3)), 1..=3),
    )
        .prop_map(|(reqs, ambs, hosps)| DispatchProblem {
            requests: reqs
                .into_iter()
                .enumerate()
                .map(|(i, (location, weight, t, als))| Request {
                    id: format!("r{i}"),
                    location,
                    weight,
                    bed_type: TYPES[t],
                    needs_als: als,
                })
                .collect(),
            ambulances: ambs
                .into_iter()
                .enumerate()
                .map(|(i, (location, als))| Unit {
                    code: format!("a{i}"),
                    location,
                    kind: if als {
                        AmbulanceKind::AdvancedLifeSupport
                    } else {
                        AmbulanceKind::BasicLifeSupport
                    },
                })
                .collect(),
            hospitals: hosps
                .into_iter()
                .enumerate()
                .map(|(i, (location, beds))| Destination {
                    code: format!("h{i}"),
                    location,
                    beds: beds
                        .into_iter()
                        .zip(TYPES)
                        .map(|((now, forecast), bed_type)| FreeBeds {
                            bed_type,
                            now,
                            forecast,
                        })
                        .collect(),
                })
                .collect(),
            speed_kmh: 50.0,
            unserved_minutes: 500.0,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn dispatch_plans_are_feasible(p in dispatch_problem()) {
        let plan = p.solve(&MicroLp).unwrap();
        let mut amb = vec![0; p.ambulances.len()];
        let mut beds: BTreeMap<(usize, BedType), u32> = BTreeMap::new();
        let mut cost = 0.0;
        for d in &plan.dispatches {
            let q = &p.requests[d.request];
            amb[d.ambulance] += 1;
            prop_assert!(!q.needs_als || p.ambulances[d.ambulance].kind == AmbulanceKind::AdvancedLifeSupport);
            *beds.entry((d.hospital, q.bed_type)).or_insert(0) += 1;
            cost += q.weight * (d.response_minutes + d.transfer_minutes);
        }
        for r in &plan.waiting {
            cost += p.requests[*r].weight * p.unserved_minutes;
        }
        prop_assert_eq!(plan.dispatches.len() + plan.waiting.len(), p.requests.len());
        prop_assert!(amb.iter().all(|&n| n <= 1));
        for ((h, t), n) in beds {
            let free: u32 = p.hospitals[h].beds.iter().filter(|b| b.bed_type == t)
                .map(|b| b.now.min(b.forecast.floor() as u32)).sum();
            prop_assert!(n <= free, "hospital {h} over its free {t:?} beds");
        }
        prop_assert!((cost - plan.objective).abs() <= 1e-6 * (1.0 + cost));
    }

    #[test]
    fn another_ambulance_never_costs_more(mut p in dispatch_problem(), als in any::<bool>()) {
        let before = p.solve(&MicroLp).unwrap().objective;
        p.ambulances.push(Unit {
            code: "extra".into(),
            location: (-17.5, 31.0),
            kind: if als { AmbulanceKind::AdvancedLifeSupport } else { AmbulanceKind::BasicLifeSupport },
        });
        let after = p.solve(&MicroLp).unwrap().objective;
        prop_assert!(after <= before + 1e-6);
    }

    #[test]
    fn slot_plans_are_feasible_and_more_slots_never_cost_more(
        slots in prop::collection::vec((0..2usize, 0..48u64, 15u32..60, any::<bool>()), 1..=6),
        waiting in prop::collection::vec((0..2usize, 15u32..60, 1u8..=4, 0.0..100.0f64, 0..48u64, any::<bool>()), 1..=8),
    ) {
        let at = |h: u64| start().and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::hours(h as i64);
        let machines = ["ct", "mri"];
        let mut p = SlotProblem {
            slots: slots.iter().enumerate().map(|(i, &(m, h, minutes, contrast))| Slot {
                id: format!("s{i}"),
                equipment: machines[m].into(),
                start: at(h),
                minutes,
                capabilities: if contrast { vec!["contrast".into()] } else { vec![] },
            }).collect(),
            waiting: waiting.iter().enumerate().map(|(i, &(m, minutes, priority, waited, ready, contrast))| WaitingPatient {
                id: format!("p{i}"),
                equipment: machines[m].into(),
                minutes,
                needs: if contrast { vec!["contrast".into()] } else { vec![] },
                priority,
                waited_days: waited,
                ready_from: at(ready),
            }).collect(),
            weights: SlotWeights::default(),
        };
        let plan = p.solve(&MicroLp).unwrap();
        let mut used_slots = vec![0; p.slots.len()];
        let mut used_patients = vec![0; p.waiting.len()];
        for b in &plan.bookings {
            let (s, q) = (&p.slots[b.slot], &p.waiting[b.patient]);
            prop_assert_eq!(&s.equipment, &q.equipment);
            prop_assert!(q.minutes <= s.minutes && s.start >= q.ready_from);
            prop_assert!(q.needs.iter().all(|n| s.capabilities.contains(n)));
            used_slots[b.slot] += 1;
            used_patients[b.patient] += 1;
        }
        prop_assert!(used_slots.iter().chain(&used_patients).all(|&n| n <= 1));
        let before = plan.objective;
        p.slots.push(Slot { id: "extra".into(), equipment: "ct".into(), start: at(47), minutes: 60, capabilities: vec!["contrast".into()] });
        let after = p.solve(&MicroLp).unwrap().objective;
        prop_assert!(after <= before + 1e-9);
    }
}
