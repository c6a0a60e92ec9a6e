//! Daily admissions per branch of a generated network, as a long CSV
//! (`unique_id,ds,y`) for the forecasting benchmark.
//!
//! ```text
//! network_series [national|india] [DAYS] [SEED] [--oracle] > network_daily.csv
//! ```
//!
//! With `--oracle`, two more columns say what an oracle knows about each
//! branch and day (`benches/python/oracle_network.py` scores it):
//! `returns`, the admissions among `y` of patients seen before, and
//! `means`, the means the generator drew each department's fresh arrivals
//! from (`hutano_core::generate::expected_arrivals`), joined by `;`.
#![allow(clippy::print_stdout)]

use std::collections::{HashMap, HashSet};

use hutano::core::generate::{expected_arrivals, generate, GeneratorConfig};
use hutano::core::kpi::{Dimension, Engine, Grain, Period, Query};
use hutano::core::model::Network;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--oracle").collect();
    let oracle = std::env::args().any(|a| a == "--oracle");
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
    if !oracle {
        println!("unique_id,ds,y");
        for s in &panel.series {
            for (i, y) in s.y.iter().enumerate() {
                println!("{},{},{y}", s.unique_id, s.ds(i).date());
            }
        }
        return Ok(());
    }
    let expected = expected_arrivals(&config)?;
    let returns = returns_by_branch_and_day(&net);
    println!("unique_id,ds,y,returns,means");
    for s in &panel.series {
        let exp = expected
            .iter()
            .find(|b| b.branch == s.unique_id)
            .ok_or_else(|| format!("no expected arrivals for branch {}", s.unique_id))?;
        for (i, y) in s.y.iter().enumerate() {
            let day = s.ds(i).date();
            let k = usize::try_from((day - exp.start).num_days())?;
            let r = returns.get(&(s.unique_id.clone(), day)).copied().unwrap_or(0);
            let means: Vec<String> = exp.means[k].iter().map(|m| format!("{m:.6}")).collect();
            println!("{},{day},{y},{r},{}", s.unique_id, means.join(";"));
        }
    }
    Ok(())
}

/// Admissions of a patient seen before (in admission order), by branch code
/// and admission day.
fn returns_by_branch_and_day(net: &Network) -> HashMap<(String, chrono::NaiveDate), u32> {
    let mut order: Vec<usize> = (0..net.encounters.len()).collect();
    order.sort_by_key(|&i| net.encounters[i].admit);
    let mut known_patients = HashSet::new();
    let mut returns = HashMap::new();
    for i in order {
        let e = &net.encounters[i];
        if !known_patients.insert(e.patient) {
            let code = net.branches[e.branch.index()].code.clone();
            *returns.entry((code, e.admit.date())).or_default() += 1;
        }
    }
    returns
}
