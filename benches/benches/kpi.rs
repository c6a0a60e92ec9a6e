//! criterion benchmarks of the KPI engine on generated national networks.
//! Sizes are admissions per year (the national preset at 0.1x and 1x);
//! the 10-million-encounter comparison with `DuckDB` and `polars` is
//! `benches/run_kpi_bench.sh`.

use criterion::{criterion_main, BenchmarkId, Criterion};
use hutano::core::generate::{generate, GeneratorConfig};
use hutano::core::kpi::{AlosVariant, Dimension, Engine, Grain, Query};
use hutano_benches::{bench_period, kpi_suite};

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("core/kpi");
    group.sample_size(10);
    for scale in [0.1, 1.0] {
        let net = generate(&GeneratorConfig::national(42).admission_scale(scale)).expect("generator");
        let n = net.encounters.len();
        group.bench_with_input(BenchmarkId::new("engine_new", n), &net, |b, net| {
            b.iter(|| Engine::new(net).expect("valid network"));
        });
        let engine = Engine::new(&net).expect("valid network");
        group.bench_with_input(BenchmarkId::new("suite_branch_month", n), &engine, |b, e| {
            b.iter(|| kpi_suite(e, bench_period()).expect("suite"));
        });
        let q = Query::new(bench_period())
            .group_by([Dimension::Department])
            .grain(Grain::Day);
        group.bench_with_input(BenchmarkId::new("census_daily_department", n), &engine, |b, e| {
            b.iter(|| e.census_daily(&q).expect("census"));
        });
        group.bench_with_input(BenchmarkId::new("alos_department_day", n), &engine, |b, e| {
            b.iter(|| e.alos(&q, AlosVariant::AllStays).expect("alos"));
        });
    }
    group.finish();
}

// criterion's macros generate the undocumented `benches` and `main` items.
#[allow(missing_docs)]
mod harness {
    criterion::criterion_group!(benches, super::bench);
}
criterion_main!(harness::benches);
