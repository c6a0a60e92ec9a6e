//! Write the reference instances' models as MPS files for the HiGHS
//! cross-check (`tests/reference/solve_highs.py`), and (with `--generate`)
//! regenerate the instances themselves from the seeded national network.
//!
//! ```sh
//! cargo run -p hutano-optimize --example reference_mps -- hutano-optimize/tests/reference /tmp/mps [--generate]
//! ```
#![allow(
    clippy::print_stdout,
    clippy::doc_markdown,
    clippy::too_many_lines,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

use std::path::Path;

use chrono::{Days, NaiveDate};
use hutano_core::generate::{generate, GeneratorConfig};
use hutano_core::model::{AmbulanceKind, BedType, StaffRole};
use hutano_optimize::beds::BedCosts;
use hutano_optimize::dispatch::{Destination, DispatchProblem, FreeBeds, Request, Unit};
use hutano_optimize::network::{bed_problem, census_demand, cohort_demand, staff_problem, StaffingRatios};
use hutano_optimize::slots::{Slot, SlotProblem, SlotWeights, WaitingPatient};
use hutano_optimize::staff::StaffRules;

#[path = "../tests/reference/instance.rs"]
mod instance;
use instance::Instance;

type AnyResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> AnyResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: reference_mps INSTANCE_DIR MPS_DIR [--generate]".into());
    };
    if args.iter().any(|a| a == "--generate") {
        for (name, inst) in instances()? {
            let path = Path::new(dir).join(format!("{name}.json"));
            std::fs::write(&path, serde_json::to_string_pretty(&inst)? + "\n")?;
            println!("wrote {}", path.display());
        }
    }
    std::fs::create_dir_all(out)?;
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.ends_with("expected_highs.json"))
        .collect();
    names.sort();
    for path in names {
        let inst: Instance = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("instance");
        let target = Path::new(out).join(format!("{stem}.mps"));
        inst.model()?.write_mps(&target)?;
        println!("wrote {}", target.display());
    }
    Ok(())
}

/// The reference instances, built from `GeneratorConfig::national(2024)`.
fn instances() -> AnyResult<Vec<(&'static str, Instance)>> {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")?;
    let net = generate(&GeneratorConfig::national(2024).start(start).days(60))?;
    let day0 = start + Days::new(40);
    let mut out = Vec::new();

    // Beds: the whole network on 2 days with demand 15% above the census,
    // so that capacity binds and transfers, overflow and unmet demand occur.
    let mut demand = census_demand(&net, day0, 2);
    for d in &mut demand {
        d.patients = (f64::from(d.patients) * 1.15).ceil() as u32;
    }
    let beds = bed_problem(&net, day0, 2, demand.clone(), BedCosts::default())?;
    out.push(("beds_national_two_days", Instance::Beds(beds.clone())));

    // Beds: three hospitals, 5 days, no transfer limit.
    let mut three = bed_problem(&net, day0, 5, census_demand(&net, day0, 5), BedCosts::default())?;
    three.hospitals.truncate(3);
    three.pools.retain(|p| p.hospital < 3);
    three.demand.retain(|d| d.hospital < 3);
    for d in &mut three.demand {
        d.patients = (f64::from(d.patients) * 1.3).ceil() as u32;
    }
    three.costs.max_transfer_km = 1000.0;
    out.push(("beds_three_hospitals", Instance::Beds(three)));

    // Beds with stays: three hospitals' cohorts (arrivals × length of stay,
    // including the patients in beds on the first day) over 7 days, with
    // 30% more patients per cohort, so that the days are coupled and
    // capacity binds.
    let mut stays = bed_problem(&net, day0, 7, cohort_demand(&net, day0, 7), BedCosts::default())?;
    stays.hospitals.truncate(3);
    stays.pools.retain(|p| p.hospital < 3);
    stays.demand.retain(|d| d.hospital < 3);
    for d in &mut stays.demand {
        d.patients = (f64::from(d.patients) * 1.3).ceil() as u32;
    }
    stays.costs.max_transfer_km = 1000.0;
    out.push(("beds_three_hospitals_stays", Instance::Beds(stays)));

    // Staff: the smallest hospital's departments (all roles), 14 days.
    let census = census_demand(&net, day0, 14);
    let mut staff = staff_problem(
        &net,
        day0,
        14,
        &census,
        StaffingRatios::default(),
        StaffRules::default(),
    )?;
    let last = net.branches.len() - 1;
    let code = net.branches[last].code.clone();
    staff.staff.retain(|m| m.code.starts_with(&format!("{code}-")));
    staff.requirements.retain(|r| r.unit.starts_with(&format!("{code}-")));
    // Leave and a skill requirement, which the generator does not record.
    for (i, m) in staff.staff.iter_mut().enumerate() {
        if i % 4 == 0 {
            m.leave = (0..3).map(|k| day0 + Days::new((i + k) as u64 % 14)).collect();
        }
    }
    let extra: Vec<_> = staff
        .requirements
        .iter()
        .filter(|r| r.role == StaffRole::Nurse && r.shift == 2)
        .map(|r| hutano_optimize::staff::Requirement {
            skill: Some("midwifery".into()),
            target: 1,
            minimum: 0,
            ..r.clone()
        })
        .collect();
    staff.requirements.extend(extra);
    out.push(("staff_mission_hospital_two_weeks", Instance::Staff(staff)));

    // Dispatch: 8 requests, 5 ambulances, the network's branches as
    // destinations with a few free beds.
    let loc = |i: usize| net.branches[i % net.branches.len()].location.unwrap_or((0.0, 0.0));
    let dispatch = DispatchProblem {
        requests: (0..8)
            .map(|i| Request {
                id: format!("call-{i}"),
                location: (
                    loc(i).0 + 0.1 * (i as f64 % 3.0 - 1.0),
                    loc(i).1 + 0.07 * (i as f64 % 2.0),
                ),
                weight: [4.0, 1.0, 2.0, 1.0][i % 4],
                bed_type: [BedType::Icu, BedType::General, BedType::Hdu, BedType::Maternity][i % 4],
                needs_als: i % 4 == 0,
            })
            .collect(),
        ambulances: (0..5)
            .map(|i| Unit {
                code: format!("AMB-{i}"),
                location: loc(2 * i + 1),
                kind: if i % 2 == 0 {
                    AmbulanceKind::AdvancedLifeSupport
                } else {
                    AmbulanceKind::BasicLifeSupport
                },
            })
            .collect(),
        hospitals: (0..net.branches.len())
            .map(|h| Destination {
                code: net.branches[h].code.clone(),
                location: loc(h),
                beds: BedType::ALL
                    .iter()
                    .map(|&t| FreeBeds {
                        bed_type: t,
                        now: ((h + t as usize) % 3) as u32,
                        forecast: ((h * 7 + t as usize) % 4) as f64 - 0.5,
                    })
                    .collect(),
            })
            .collect(),
        speed_kmh: 60.0,
        unserved_minutes: 600.0,
    };
    out.push(("dispatch_round", Instance::Dispatch(dispatch)));

    // Slots: 12 freed slots on 3 machines, 30 waiting patients.
    let at = |d: u64, h: u32| (day0 + Days::new(d)).and_hms_opt(h, 0, 0).unwrap_or_default();
    let machines = ["ct", "mri", "endoscopy"];
    let slots = SlotProblem {
        slots: (0..12)
            .map(|i| Slot {
                id: format!("slot-{i}"),
                equipment: machines[i % 3].into(),
                start: at((i / 3) as u64, 8 + (i % 5) as u32),
                minutes: [30, 45, 60][i % 3],
                capabilities: if i % 2 == 0 {
                    vec!["contrast".into()]
                } else {
                    vec!["sedation".into()]
                },
            })
            .collect(),
        waiting: (0..30)
            .map(|i| WaitingPatient {
                id: format!("ref-{i:03}"),
                equipment: machines[(i * 7) % 3].into(),
                minutes: [20, 30, 45, 60][i % 4],
                needs: match i % 5 {
                    0 => vec!["contrast".into()],
                    1 => vec!["sedation".into()],
                    _ => vec![],
                },
                priority: (i % 4 + 1) as u8,
                waited_days: (i * 13 % 90) as f64,
                ready_from: at((i % 3) as u64, 6),
            })
            .collect(),
        weights: SlotWeights::default(),
    };
    out.push(("slots_waiting_list", Instance::Slots(slots)));
    Ok(out)
}
