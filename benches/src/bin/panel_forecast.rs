//! Fit and forecast a whole panel through `PanelForecaster`, the call the
//! Python package makes, and report its wall time: the Rust side of the
//! Python overhead benchmark (`benches/python/py_overhead.py`).
//!
//! ```text
//! panel_forecast --models '[["AutoETS", {"model": "auto_ets", "season_length": 7}]]' --h 14 < series.csv
//! ```
//! Input: `unique_id,ds,y` (daily, `YYYY-MM-DD`). Prints one line of JSON:
//! seconds of fit + predict (CSV parsing excluded), rows out, and the sum of
//! the point forecasts (to check that Python computed the same thing).
#![allow(clippy::print_stdout)]

use std::io::BufRead;
use std::time::Instant;

use chrono::NaiveDate;
use hutano::forecast::panel::{FillRule, Freq, Panel};
use hutano::forecast::spec::{Control, PanelForecaster};

use hutano_benches::arg;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let models = arg(&args, "--models").ok_or("--models JSON is required")?;
    let h: usize = arg(&args, "--h").unwrap_or_else(|| "14".into()).parse()?;
    let repeats: usize = arg(&args, "--repeats").unwrap_or_else(|| "3".into()).parse()?;
    let mut rows = Vec::new();
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line?;
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let mut f = line.split(',');
        let (Some(id), Some(ds), Some(y)) = (f.next(), f.next(), f.next()) else {
            return Err(format!("line {}: expected unique_id,ds,y", i + 1).into());
        };
        let ds = NaiveDate::parse_from_str(&ds[..ds.len().min(10)], "%Y-%m-%d")?;
        rows.push((id.to_string(), ds.and_time(chrono::NaiveTime::MIN), y.parse::<f64>()?));
    }
    let forecaster = PanelForecaster::new(serde_json::from_str(&models)?);
    let mut times = Vec::new();
    let mut checksum = 0.0;
    let mut n_rows = 0;
    for _ in 0..repeats {
        // The Python call also builds the panel from columns, so time it here too.
        let t = Instant::now();
        let panel = Panel::from_long(
            rows.iter().map(|(a, b, c)| (a.as_str(), *b, *c)),
            Freq::Daily,
            FillRule::Error,
        )?;
        let out = forecaster.fit(&panel, &Control::new())?.predict(h, &[80.0, 95.0])?;
        times.push(t.elapsed().as_secs_f64());
        checksum = out.columns[0].1.iter().sum();
        n_rows = out.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"seconds_median\": {}, \"seconds\": {:?}, \"rows\": {n_rows}, \"checksum\": {checksum}}}",
        times[times.len() / 2],
        times
    );
    Ok(())
}
