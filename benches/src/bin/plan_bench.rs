//! Scale benchmark of hutano-optimize: the national network's bed and staff
//! plans (11 hospitals, 30 days, 3 shifts, all roles), timed, with peak
//! memory, and written as MPS for the `HiGHS` comparison
//! (`benches/python/plan_highs.py`).
//!
//! ```sh
//! cargo run --release -p hutano-benches --bin plan_bench -- beds /tmp/plan
//! cargo run --release -p hutano-benches --bin plan_bench -- staff /tmp/plan [--days 30]
//! ```
//!
//! Prints one JSON line: build and solve seconds, objective, model size,
//! parts, whether every part was proved optimal, and `VmHWM` (peak resident
//! memory of this process, which builds and solves one model only).
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use hutano::core::generate::{generate, GeneratorConfig};
use hutano::core::model::BranchKind;
use hutano::optimize::beds::BedCosts;
use hutano::optimize::lp::{LinearModel, SolveStatus};
use hutano::optimize::network::{bed_problem, census_demand, staff_problem, StaffingRatios};
use hutano::optimize::staff::StaffRules;
use hutano::optimize::{solve_all, MicroLp, Solver};

type AnyResult<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Peak resident set size of this process in MiB (`VmHWM`), 0 where unknown.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|k| k.parse::<f64>().ok()))
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

fn arg(args: &[String], name: &str) -> Option<usize> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn main() -> AnyResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(which), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: plan_bench beds|staff OUT_DIR [--days N] [--mission-only] [--skip-solve]".into());
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let days = arg(&args, "--days").unwrap_or(30);
    let solver = MicroLp;

    let start = NaiveDate::from_ymd_opt(2024, 1, 1).ok_or("date")?;
    let net = generate(
        &GeneratorConfig::national(42)
            .start(start)
            .days(60 + u32::try_from(days)?),
    )?;
    let first_day = start + Days::new(60);
    let demand = census_demand(&net, first_day, days);

    let t = Instant::now();
    // `--mission-only`: the three rural mission hospitals' staff only.
    let mission_only = args.iter().any(|a| a == "--mission-only");
    let missions: Vec<String> = net
        .branches
        .iter()
        .filter(|b| b.kind == BranchKind::Mission)
        .map(|b| format!("{}-", b.code))
        .collect();
    let models: Vec<LinearModel> = match which.as_str() {
        "beds" => bed_problem(&net, first_day, days, demand, BedCosts::default())?.models()?,
        "staff" => {
            let mut p = staff_problem(
                &net,
                first_day,
                days,
                &demand,
                StaffingRatios::default(),
                StaffRules::default(),
            )?;
            if mission_only {
                p.staff.retain(|m| missions.iter().any(|c| m.code.starts_with(c)));
                p.requirements
                    .retain(|r| missions.iter().any(|c| r.unit.starts_with(c)));
            }
            p.models()?
        }
        _ => return Err("model must be beds or staff".into()),
    };
    let name = if mission_only {
        format!("{which}-mission")
    } else {
        which.clone()
    };
    let build = t.elapsed().as_secs_f64();
    let mut all = LinearModel::new(format!("{name}-national"));
    for m in &models {
        all.append(m);
    }
    let (solve, objective, optimal) = if args.iter().any(|a| a == "--skip-solve") {
        (None, None, None)
    } else {
        let t = Instant::now();
        let solutions = solve_all(&solver, &models)?;
        let solve = t.elapsed().as_secs_f64();
        let objective: f64 = solutions.iter().map(|s| s.objective).sum();
        let optimal = solutions.iter().all(|s| s.status == SolveStatus::Optimal);
        // Feasibility of the whole solution, checked against the model's rows.
        let values: Vec<f64> = solutions.iter().flat_map(|s| s.values.iter().copied()).collect();
        all.check(&values, 1e-6)?;
        (Some(solve), Some(objective), Some(optimal))
    };
    let peak = peak_mib();
    let mps = out.join(format!("{name}.mps"));
    all.write_mps(&mps)?;
    let integers = all.vars.iter().filter(|v| v.integer).count();
    let report = serde_json::json!({
        "model": name,
        "solver": solver.name(),
        "days": days,
        "parts": models.len(),
        "columns": all.vars.len(),
        "integer_columns": integers,
        "rows": all.rows.len(),
        "build_seconds": build,
        "solve_seconds": solve,
        "objective": objective,
        "all_parts_optimal": optimal,
        "peak_rss_mib": peak,
        "threads": std::env::var("RAYON_NUM_THREADS").unwrap_or_default(),
        "mps": mps.display().to_string(),
    });
    println!("{report}");
    Ok(())
}
