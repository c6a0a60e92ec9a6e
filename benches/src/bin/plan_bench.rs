//! Scale benchmark of hutano-optimize: the national network's bed and staff
//! plans (11 hospitals, 30 days, 3 shifts, all roles), timed, with peak
//! memory, and written as MPS for the `HiGHS` comparison
//! (`benches/python/plan_highs.py`).
//!
//! ```sh
//! cargo run --release -p hutano-benches --bin plan_bench -- beds /tmp/plan
//! # beds with multi-day stays: the encounters' cohorts (arrivals × length of
//! # stay, network::cohort_demand) instead of the midnight census
//! cargo run --release -p hutano-benches --bin plan_bench -- beds /tmp/plan --cohorts
//! cargo run --release -p hutano-benches --bin plan_bench -- staff /tmp/plan [--days 30]
//! # budgeted branch and bound (hutano_optimize::budget): node limit per part,
//! # optional relative gap target (in 1e-6 units) and wall-time safety net
//! cargo run --release -p hutano-benches --bin plan_bench -- staff /tmp/plan \
//!     --nodes 2000 [--gap-ppm 100] [--seconds 120]
//! ```
//!
//! Prints one JSON line: build and solve seconds, objective, model size,
//! parts, whether every part was proved optimal, and `VmHWM` (peak resident
//! memory of this process, which builds and solves one model only). A
//! budgeted run adds the proven lower bound, the gap, the LP (root) bound,
//! the heuristic's objective, the nodes solved, the parts stopped by the
//! budget and the largest part gap.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use hutano::core::generate::{generate, GeneratorConfig};
use hutano::core::model::BranchKind;
use hutano::optimize::beds::BedCosts;
use hutano::optimize::budget::{solve_all_budgeted, Bound, Budget, Stop};
use hutano::optimize::lp::{LinearModel, SolveStatus};
use hutano::optimize::network::{bed_problem, census_demand, cohort_demand, staff_problem, StaffingRatios};
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

// One flat sequence of timed runs, in the order the report prints them.
#[allow(clippy::too_many_lines)]
fn main() -> AnyResult<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(which), Some(out)) = (args.get(1), args.get(2)) else {
        return Err(
            "usage: plan_bench beds|staff OUT_DIR [--days N] [--cohorts] [--mission-only] [--skip-solve]".into(),
        );
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
    // `--cohorts` (beds): stays of several days instead of a daily census.
    let cohorts = args.iter().any(|a| a == "--cohorts");

    let t = Instant::now();
    // `--mission-only`: the three rural mission hospitals' staff only.
    let mission_only = args.iter().any(|a| a == "--mission-only");
    let missions: Vec<String> = net
        .branches
        .iter()
        .filter(|b| b.kind == BranchKind::Mission)
        .map(|b| format!("{}-", b.code))
        .collect();
    // The bed problem, kept for its own budgeted solve (which also improves
    // a block's plan that is not proven optimal).
    let mut beds = None;
    let models: Vec<LinearModel> = match which.as_str() {
        "beds" => {
            let demand = if cohorts {
                cohort_demand(&net, first_day, days)
            } else {
                demand
            };
            let p = bed_problem(&net, first_day, days, demand, BedCosts::default())?;
            let models = p.models()?;
            beds = Some(p);
            models
        }
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
    } else if cohorts && which == "beds" {
        format!("{which}-cohorts")
    } else {
        which.clone()
    };
    let build = t.elapsed().as_secs_f64();
    let mut all = LinearModel::new(format!("{name}-national"));
    for m in &models {
        all.append(m);
    }
    // Budgeted search: `--nodes N` per part, `--gap-ppm G`, `--seconds S`.
    let budgeted = ["--nodes", "--gap-ppm", "--seconds"]
        .iter()
        .any(|f| args.iter().any(|a| a == f));
    let mut bound: Option<(Bound, Vec<Bound>)> = None;
    let (solve, objective, optimal) = if args.iter().any(|a| a == "--skip-solve") {
        (None, None, None)
    } else if budgeted {
        let mut budget = Budget::default();
        if let Some(n) = arg(&args, "--nodes") {
            budget = budget.with_node_limit(n as u64);
        }
        if let Some(g) = arg(&args, "--gap-ppm") {
            budget = budget.with_relative_gap(g as f64 * 1e-6);
        }
        if let Some(s) = arg(&args, "--seconds") {
            budget = budget.with_time_limit_seconds(s as f64);
        }
        let t = Instant::now();
        let (total, parts) = if let Some(p) = &beds {
            // BedProblem::solve_budgeted: each block's solution passes its
            // model's check inside.
            let (_, b) = p.solve_budgeted(&budget)?;
            (b.total, b.parts)
        } else {
            let per_part = solve_all_budgeted(&models, &budget)?;
            let (solutions, parts): (Vec<_>, Vec<_>) = per_part.into_iter().unzip();
            let values: Vec<f64> = solutions.iter().flat_map(|s| s.values.iter().copied()).collect();
            all.check(&values, 1e-6)?;
            (Bound::total(&parts), parts)
        };
        let solve = t.elapsed().as_secs_f64();
        bound = Some((total, parts));
        (
            Some(solve),
            Some(total.objective),
            Some(total.status == SolveStatus::Optimal),
        )
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
    let mut report = serde_json::json!({
        "model": name,
        "solver": if budgeted { "microlp-budgeted" } else { solver.name() },
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
    if let Some((total, parts)) = bound {
        let stopped = parts.iter().filter(|b| b.stop != Stop::Optimal).count();
        let worst = parts.iter().map(|b| b.gap).fold(0.0, f64::max);
        report["budget"] = serde_json::json!({
            "nodes_per_part": arg(&args, "--nodes"),
            "gap_ppm": arg(&args, "--gap-ppm"),
            "seconds": arg(&args, "--seconds"),
            "lower_bound": total.lower_bound,
            "gap": total.gap,
            "root_lp_bound": total.root_bound,
            "heuristic_objective": total.heuristic_objective,
            "nodes": total.nodes,
            "parts_stopped_by_budget": stopped,
            "largest_part_gap": worst,
        });
    }
    println!("{report}");
    Ok(())
}
