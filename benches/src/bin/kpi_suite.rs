//! The KPI suite over a generated network, timed, for BENCHMARKS.md.
//!
//! ```text
//! kpi_suite make DIR --encounters N [--seed S]   # network.json, encounters.csv, beds.csv
//! kpi_suite run DIR [--repeat 3] [--out results.json]
//! ```
//! `run` loads the CSV through hutano's ingestion, builds the engine and
//! computes the suite `--repeat` times (median reported); it writes
//! `DIR/hutano_kpis.csv` for the peers' `--check` and prints a JSON summary
//! with times, the peak resident memory (`VmHWM`) and the in-memory size of the
//! loaded encounters.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use hutano::core::generate::{generate, GeneratorConfig};
use hutano::core::ingest::load_encounters_csv;
use hutano::core::kpi::Engine;
use hutano::core::model::{Encounter, Network, Placement};
use hutano_benches::{bench_period, kpi_suite};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn arg<T: std::str::FromStr>(args: &[String], name: &str, default: T) -> Res<T>
where
    T::Err: std::fmt::Display,
{
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .ok_or_else(|| format!("{name} needs a value"))?
            .parse()
            .map_err(|e| format!("{name}: {e}").into()),
        None => Ok(default),
    }
}

fn make(dir: &Path, args: &[String]) -> Res<()> {
    let n: f64 = arg(args, "--encounters", 100_000.0)?;
    let seed: u64 = arg(args, "--seed", 42)?;
    std::fs::create_dir_all(dir)?;
    let t = Instant::now();
    let net = generate(&GeneratorConfig::national(seed).admission_scale(n / 100_000.0))?;
    let gen_s = t.elapsed().as_secs_f64();
    let mut skeleton = net.clone();
    skeleton.encounters = Vec::new();
    skeleton.patients = Vec::new();
    skeleton.bills = Vec::new();
    skeleton.procedures = Vec::new();
    skeleton.shifts = Vec::new();
    skeleton.stock_events = Vec::new();
    std::fs::write(dir.join("network.json"), serde_json::to_string(&skeleton)?)?;
    hutano::core::export::write_encounters_csv(
        &net,
        std::io::BufWriter::new(std::fs::File::create(dir.join("encounters.csv"))?),
    )?;
    hutano::core::export::write_beds_csv(&net, std::fs::File::create(dir.join("beds.csv"))?)?;
    println!(
        "{{\"encounters\": {}, \"generate_seconds\": {gen_s:.2}, \"dir\": {:?}}}",
        net.encounters.len(),
        dir.display().to_string()
    );
    Ok(())
}

/// Peak resident set size of this process in bytes (Linux `VmHWM`).
fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Heap plus inline size of the loaded encounters and patients.
fn input_bytes(net: &Network) -> usize {
    let enc: usize = net
        .encounters
        .iter()
        .map(|e| {
            e.id.capacity()
                + e.placements.capacity() * std::mem::size_of::<Placement>()
                + e.diagnosis_code.as_ref().map_or(0, String::capacity)
                + e.diagnosis_category.as_ref().map_or(0, String::capacity)
        })
        .sum();
    let pat: usize = net
        .patients
        .iter()
        .map(|p| p.pseudonym.capacity() + std::mem::size_of_val(p))
        .sum();
    enc + net.encounters.capacity() * std::mem::size_of::<Encounter>() + pat
}

fn run(dir: &Path, args: &[String]) -> Res<()> {
    let repeat: usize = arg(args, "--repeat", 3)?;
    let out: Option<PathBuf> = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let t = Instant::now();
    let mut net: Network = serde_json::from_str(&std::fs::read_to_string(dir.join("network.json"))?)?;
    let report = load_encounters_csv(
        &mut net,
        dir.join("encounters.csv"),
        &hutano::core::export::encounter_export_mapping(),
    )?;
    let load_s = t.elapsed().as_secs_f64();
    if !report.rejects.is_empty() {
        return Err(format!("{} rows rejected: {}", report.rejects.len(), report.rejects[0]).into());
    }
    let threads = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|t| t.parse::<usize>().ok());
    let mut times = Vec::new();
    let mut engine_times = Vec::new();
    let mut table = None;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let engine = Engine::new(&net)?;
        engine_times.push(t.elapsed().as_secs_f64());
        let suite = kpi_suite(&engine, bench_period())?;
        times.push(t.elapsed().as_secs_f64());
        table = Some(suite);
    }
    let first = times[0];
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    if let Some(t) = &table {
        t.write_csv(std::fs::File::create(dir.join("hutano_kpis.csv"))?)?;
    }
    let summary = serde_json::json!({
        "engine": "hutano",
        "version": env!("CARGO_PKG_VERSION"),
        "encounters": net.encounters.len(),
        "rows_read": report.rows_read,
        "load_seconds": load_s,
        "compute_seconds_median": median,
        "compute_seconds_all": times,
        "compute_seconds_first": first,
        "engine_build_seconds_in_order": engine_times,
        "peak_rss_bytes": peak_rss(),
        "input_bytes": input_bytes(&net),
        "threads": threads,
    });
    let text = serde_json::to_string_pretty(&summary)?;
    println!("{text}");
    if let Some(p) = out {
        std::fs::write(p, text)?;
    }
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("make"), Some(dir)) => make(Path::new(dir), &args[2..]),
        (Some("run"), Some(dir)) => run(Path::new(dir), &args[2..]),
        _ => Err("usage: kpi_suite make DIR --encounters N | kpi_suite run DIR [--repeat 3] [--out F]".into()),
    }
}
