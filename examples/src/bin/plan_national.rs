//! Demand → plan for the generated national network: bed placements and
//! transfers for 30 days across all 11 hospitals, and the staff roster of the
//! rural mission hospitals for a week, with their costs.
//!
//! ```text
//! plan_national [--seed 42] [--days 30] [--roster-days 7] [--national-nodes N]
//! ```
//!
//! Demand is the midnight census of the generated encounters (a perfect
//! forecast); a real run would pass a forecast rounded up to whole patients.
//! The whole national roster (every role in every hospital, `--days` days)
//! is too large for microlp's own branch and bound to prove optimal;
//! `--national-nodes N` rosters it with hutano's budgeted branch and bound
//! (`StaffProblem::solve_budgeted`, at most N nodes per independent part) and
//! prints the roster's cost with its proven lower bound and gap.
#![allow(clippy::print_stdout)]

use std::process::ExitCode;

use chrono::{Days, NaiveDate};
use hutano::core::generate::{generate, GeneratorConfig};
use hutano::core::model::BranchKind;
use hutano::optimize::beds::BedCosts;
use hutano::optimize::budget::{Budget, Stop};
use hutano::optimize::network::{bed_problem, census_demand, staff_problem, StaffingRatios};
use hutano::optimize::staff::StaffRules;
use hutano::optimize::MicroLp;

fn arg(args: &[String], name: &str, default: u64) -> u64 {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[allow(clippy::too_many_lines)]
fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seed = arg(&args, "--seed", 42);
    let days = usize::try_from(arg(&args, "--days", 30))?;
    let roster_days = usize::try_from(arg(&args, "--roster-days", 7))?;
    let national_nodes = args
        .iter()
        .any(|a| a == "--national-nodes")
        .then(|| arg(&args, "--national-nodes", 200));
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")?;
    let history = 60;
    let net = generate(
        &GeneratorConfig::national(seed)
            .start(start)
            .days(u32::try_from(history + days)?),
    )?;
    let first_day = start + Days::new(history as u64);
    let demand = census_demand(&net, first_day, days);
    let patients: u64 = demand.iter().map(|d| u64::from(d.patients)).sum();
    println!(
        "national network (seed {seed}): {} hospitals, {} wards, {} staff; planning {days} days from {first_day}",
        net.branches.len(),
        net.wards.len(),
        net.staff.len()
    );
    println!(
        "demand: {patients} patient-days over {} groups (day, hospital, service, bed type)",
        demand.len()
    );

    // Beds: 30 daily models, solved in parallel.
    let beds = bed_problem(&net, first_day, days, demand.clone(), BedCosts::default())?;
    let plan = beds.solve(&MicroLp)?;
    let s = plan.summary;
    println!("\n== bed plan ==");
    println!(
        "cost {:.1}: unmet {} patient-days, off-service {}, wrong bed type {}, transfers {} ({:.0} patient-km)",
        plan.objective,
        s.unmet_patients,
        s.off_service_patients,
        s.wrong_type_patients,
        s.transferred_patients,
        s.transfer_km
    );
    for day in plan.days.iter().take(2) {
        let placed: u32 = day.placements.iter().map(|p| p.patients).sum();
        let unmet: u32 = day.unmet.iter().map(|u| u.patients).sum();
        println!("{}: {placed} placed, {unmet} without a bed", day.date);
        for t in day.transfers().take(6) {
            println!(
                "  transfer {} {} {} patient(s) {} -> {} ward {} ({:.0} km)",
                t.patients,
                t.service,
                t.needed.label(),
                t.from_hospital,
                t.to_hospital,
                t.ward,
                t.transfer_km.unwrap_or(0.0)
            );
        }
        let overflow = day
            .placements
            .iter()
            .filter(|p| p.transfer_km.is_none() && (p.off_service || p.bed_type != p.needed));
        for p in overflow.take(6) {
            println!(
                "  overflow {} {} patient(s) needing {} into {} ({} bed)",
                p.patients,
                p.service,
                p.needed.label(),
                p.ward,
                p.bed_type.label()
            );
        }
    }

    // Staff, national: every role in every hospital, within a node budget.
    if let Some(nodes) = national_nodes {
        let roster = staff_problem(
            &net,
            first_day,
            days,
            &demand,
            StaffingRatios::default(),
            StaffRules::default(),
        )?;
        let (plan, bound) = roster.solve_budgeted(&Budget::default().with_node_limit(nodes))?;
        roster.check_plan(&plan.assignments)?;
        let t = bound.total;
        let stopped = bound.parts.iter().filter(|b| b.stop != Stop::Optimal).count();
        println!(
            "\n== national staff roster: {} hospitals, {days} days, at most {nodes} nodes per part ==",
            net.branches.len()
        );
        println!(
            "cost {:.1}, proven lower bound {:.1}, gap {:.3}% ({} of {} parts not proven optimal, {} nodes); {} shifts, {} staff-shifts short of target",
            plan.objective,
            t.lower_bound,
            100.0 * t.gap,
            stopped,
            bound.parts.len(),
            t.nodes,
            plan.summary.shifts,
            plan.summary.missing
        );
    }

    // Staff: the mission hospitals' roster, every role, three shifts.
    let mut roster = staff_problem(
        &net,
        first_day,
        roster_days,
        &demand,
        StaffingRatios::default(),
        StaffRules::default(),
    )?;
    let missions: Vec<String> = net
        .branches
        .iter()
        .filter(|b| b.kind == BranchKind::Mission)
        .map(|b| format!("{}-", b.code))
        .collect();
    roster.staff.retain(|m| missions.iter().any(|c| m.code.starts_with(c)));
    roster
        .requirements
        .retain(|r| missions.iter().any(|c| r.unit.starts_with(c)));
    let plan = roster.solve(&MicroLp)?;
    let s = plan.summary;
    println!(
        "\n== staff roster: {} mission hospitals, {roster_days} days ==",
        missions.len()
    );
    println!(
        "cost {:.1}: wages {:.1} ({} shifts, {:.0} h, {:.0} h overtime), {} staff-shifts short of target, at most {} nights per person",
        plan.objective, s.wages, s.shifts, s.hours, s.overtime_hours, s.missing, s.max_nights
    );
    let day = 0;
    for (k, shift) in roster.shifts.iter().enumerate() {
        let on: Vec<&str> = plan
            .assignments
            .iter()
            .filter(|a| a.day == day && a.shift == k)
            .map(|a| roster.staff[a.staff].code.as_str())
            .collect();
        let shown = on.iter().take(8).copied().collect::<Vec<_>>().join(", ");
        let more = on.len().saturating_sub(8);
        println!(
            "{first_day} {}: {} on duty: {shown}{}",
            shift.name,
            on.len(),
            if more > 0 { format!(" (+{more})") } else { String::new() }
        );
    }
    for u in plan.understaffing.iter().take(5) {
        let r = &roster.requirements[u.requirement];
        println!(
            "  short: {} {:?} on day {} {} shift: {} of {} missing",
            r.unit, r.role, r.day, roster.shifts[r.shift].name, u.missing, r.target
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
