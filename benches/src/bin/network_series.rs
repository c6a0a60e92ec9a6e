//! Daily admissions per branch of a generated network, as a long CSV
//! (`unique_id,ds,y`) for the forecasting benchmark.
//!
//! ```text
//! network_series [national|india] [DAYS] [SEED] > network_daily.csv
//! ```
#![allow(clippy::print_stdout)]

use hutano::core::generate::{generate, GeneratorConfig};
use hutano::core::kpi::{Dimension, Engine, Grain, Period, Query};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let india = args.first().is_some_and(|a| a == "india");
    let days: u32 = args.get(1).map_or(Ok(1095), |d| d.parse())?;
    let seed: u64 = args.get(2).map_or(Ok(7), |s| s.parse())?;
    let config = if india {
        GeneratorConfig::india_four_branch(seed)
    } else {
        GeneratorConfig::national(seed)
    }
    .days(days);
    let net = generate(&config)?;
    let engine = Engine::new(&net)?;
    let period = Period::new(config.start, config.start + chrono::Days::new(u64::from(days)))?;
    let table = engine.admissions(&Query::new(period).group_by([Dimension::Branch]).grain(Grain::Day))?;
    let panel = hutano::forecast::panel::Panel::from_daily_table(&table, &["branch"], "period_start", "admissions")?;
    println!("unique_id,ds,y");
    for s in &panel.series {
        for (i, y) in s.y.iter().enumerate() {
            println!("{},{},{y}", s.unique_id, s.ds(i).date());
        }
    }
    Ok(())
}
