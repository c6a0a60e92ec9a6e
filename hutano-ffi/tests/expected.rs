//! The numbers the C test suite must reproduce, computed here through the
//! pure Rust API (hutano-core, hutano-forecast) on the committed fixture,
//! and the same numbers through the C entry points called from Rust.
//!
//! The pure-API values are written to `tests/c/expected.txt` (one
//! `key value...` line each, floats in shortest round-trip form); the test
//! fails when the committed file differs (`HUTANO_BLESS=1` rewrites it).
//! `tests/c/test_hutano.c` reads that file and compares what the C API
//! returns with `==`: the C library runs the same code on the same data,
//! so the results must be identical, not merely close.

#![allow(
    clippy::unwrap_used,
    clippy::float_cmp,
    clippy::too_many_lines,
    clippy::many_single_char_names
)]

use std::ffi::c_char;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::ptr::null_mut;

use chrono::{NaiveDate, NaiveDateTime};
use hutano_core::generate::{generate, GeneratorConfig};
use hutano_core::ingest::Site;
use hutano_core::kpi::{Dimension, Engine, Grain, Kpi, Period, Query};
use hutano_core::model::{BedType, Network};
use hutano_core::table::Table;
use hutano_ffi as ffi;
use hutano_ffi::hutano_result;
use hutano_forecast::alerts::{evaluate_network, AlertRules, Severity};
use hutano_forecast::backtest::evaluate;
use hutano_forecast::medicines::{plan_network, ConsumptionModel, ReorderPolicy};
use hutano_forecast::panel::{FillRule, Freq, Panel};
use hutano_forecast::report::{MonthlyReport, ReportConfig};
use hutano_forecast::resources::{
    beds_for_blocking, census_forecast_for, census_from_stays, erlang_b, ArrivalModel, Stay, Unit,
};
use hutano_forecast::spec::{Control, ModelSpec, PanelForecaster};
use hutano_forecast::staffing::{required_staff, Ratios, WardCensus, WardType, DEFAULT_SHIFTS};
use hutano_optimize::beds::{BedCosts, BedDemand, BedPool, BedProblem, Hospital};
use hutano_optimize::network::{bed_problem, census_demand, staff_problem, StaffingRatios};
use hutano_optimize::staff::StaffRules;
use hutano_optimize::MicroLp;

/// The shared settings of the Rust and C computations (the C test uses the
/// same literals).
/// Models cheap enough to run under valgrind (`AutoARIMA`'s search takes minutes there).
const MODELS: &str = r#"[["sn", {"model": "seasonal_naive", "season_length": 7}], {"model": "naive"}]"#;
const ADMISSIONS_QUERY: &str =
    r#"{"kpi": "admissions", "start": "2024-01-01", "end": "2024-05-01", "grain": "day", "by": ["department"]}"#;
const ALOS_QUERY: &str = r#"{"kpi": "alos", "start": "2024-01-01", "end": "2024-05-01", "by": ["department"]}"#;
const H: usize = 14;
const LEVELS: [f64; 2] = [80.0, 95.0];
const CV: (usize, usize, usize) = (7, 3, 7);
const CENSUS_AS_OF: &str = "2024-04-20";
const CENSUS_MODEL: &str = r#"{"model": "seasonal_naive", "season_length": 7}"#;
const CENSUS_ARRIVAL: &str = r#"{"kind": "negative_binomial", "level": 80}"#;
const CAPACITY: f64 = 25.0;
/// The regressor check: two series ("a", "b") of `REG_DAYS` daily values
/// from `REG_START`, with a planned-admissions regressor.
const REG_MODELS: &str =
    r#"[["gb", {"model": "boosted", "n_estimators": 50}], ["rf", {"model": "forest", "n_estimators": 20}]]"#;
const REG_START: &str = "2024-01-01";
const REG_DAYS: usize = 90;
const REG_IDS: [&str; 2] = ["a", "b"];
/// The generated network of the alert and plan checks: the India preset,
/// seed 7, 30 days from 2024-01-01 (the smallest network the generator makes).
const GEN_SEED: u64 = 7;
const GEN_DAYS: u32 = 30;
const ALERTS_START: &str = "2024-01-15";
const ALERTS_END: &str = "2024-01-22";
const PLAN_START: &str = "2024-01-20";
/// Bed plan over two days; staff roster over one (rosters of a whole
/// network grow fast: two days take microlp minutes).
const BED_DAYS: usize = 2;
/// The unit census of the generated network (its ICU beds) from
/// `PLAN_START`, staffed as an ICU; the medicine plan at `PLAN_START`; the
/// monthly report of January without the forecast.
const UNIT_JSON: &str = r#"{"kind": "bed_type", "bed_type": "general"}"#;
const STAFF_SETTINGS: &str = r#"{"ward": "general", "ward_type": "ward", "level": 80}"#;
const REPORT_MONTH: &str = "2024-01-01";
const REPORT_CONFIG: &str = r#"{"forecast": false, "warmup_days": 0}"#;
const STAFF_DAYS: usize = 1;
/// Two ICU pools, four ICU patients at A: two are transferred to B. The
/// costs are given in part (the rest default).
const TRANSFER_JSON: &str = r#"{"start": "2024-05-03", "days": 1,
  "hospitals": [{"code": "A", "location": [-17.8, 31.0]}, {"code": "B", "location": [-18.9, 32.6]}],
  "pools": [{"ward": "A-ICU", "hospital": 0, "service": "ICU", "bed_type": "icu", "beds": [2]},
            {"ward": "B-ICU", "hospital": 1, "service": "ICU", "bed_type": "icu", "beds": [3]}],
  "demand": [{"day": 0, "hospital": 0, "service": "ICU", "bed_type": "icu", "patients": 4}],
  "costs": {"transfer_per_km": 0.25}, "allow_unmet": false}"#;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn site_json() -> String {
    std::fs::read_to_string(dir().join("tests/data/site.json")).unwrap()
}

fn csv_path() -> PathBuf {
    dir().join("tests/data/encounters.csv")
}

fn line(out: &mut String, key: &str, values: impl IntoIterator<Item = f64>) {
    out.push_str(key);
    for v in values {
        write!(out, " {v:?}").unwrap();
    }
    out.push('\n');
}

fn day(d: NaiveDate) -> NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap()
}

/// Panel of daily admissions per department, from the KPI table.
fn admissions_panel(t: &Table) -> Panel {
    let dates = t.dates("period_start").unwrap();
    let depts = t.texts("department").unwrap();
    let y = t.f64s("admissions").unwrap();
    let rows = (0..t.len()).map(|i| (depts[i].clone(), day(dates[i]), y[i]));
    Panel::from_long(rows, Freq::Daily, FillRule::Zero).unwrap()
}

/// Everything the C tests compare, through the pure API.
fn expected() -> String {
    let site = Site::from_json(&site_json()).unwrap();
    let (net, report) = site.load(csv_path()).unwrap();
    let mut out = String::new();
    line(
        &mut out,
        "report_counts",
        [report.rows_read, report.rows_loaded, report.rejects.len() as u64].map(|x| x as f64),
    );
    line(&mut out, "reject_rows", report.rejects.iter().map(|r| r.row as f64));
    writeln!(
        out,
        "reject_reasons {}",
        report
            .rejects
            .iter()
            .map(|r| r.reason.label())
            .collect::<Vec<_>>()
            .join(" ")
    )
    .unwrap();
    line(&mut out, "encounters", [net.encounters.len() as f64]);

    let engine = Engine::new(&net).unwrap();
    let period = Period::new(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
        NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
    )
    .unwrap();
    let q = Query::new(period).grain(Grain::Day).group_by([Dimension::Department]);
    let adm = Kpi::from_name("admissions").unwrap().compute(&engine, &q).unwrap();
    line(&mut out, "kpi_admissions", adm.f64s("admissions").unwrap());
    let q = Query::new(period).group_by([Dimension::Department]);
    let alos = Kpi::from_name("alos").unwrap().compute(&engine, &q).unwrap();
    line(&mut out, "kpi_alos", alos.f64s("alos").unwrap());

    let panel = admissions_panel(&adm);
    let models: Vec<(String, ModelSpec)> = vec![
        (
            "sn".into(),
            serde_json::from_str(r#"{"model": "seasonal_naive", "season_length": 7}"#).unwrap(),
        ),
        ("Naive".into(), ModelSpec::Naive),
    ];
    let pf = PanelForecaster::new(models);
    let fitted = pf.fit(&panel, &Control::new()).unwrap();
    let pred = fitted.predict(H, &LEVELS).unwrap();
    for (name, values) in &pred.columns {
        line(&mut out, &format!("predict {name}"), values.iter().copied());
    }
    let (h, n_windows, step) = CV;
    let cv = pf
        .cross_validation(&panel, h, n_windows, step, &LEVELS[..1], &Control::new())
        .unwrap();
    for (name, _) in &pf.models {
        let m = evaluate(&cv.windows(&panel, name, &LEVELS[..1], 7).unwrap()).unwrap();
        line(
            &mut out,
            &format!("metrics {name}"),
            [m.mase, m.smape, m.rmse, m.mae, m.bias, m.pinball, m.crps],
        );
        line(&mut out, &format!("coverage {name}"), m.coverage.iter().map(|c| c.1));
    }

    let stays: Vec<Stay> = net.encounters.iter().map(|e| (e.admit, e.discharge)).collect();
    let spec: ModelSpec = serde_json::from_str(CENSUS_MODEL).unwrap();
    let arrival: ArrivalModel = serde_json::from_str(CENSUS_ARRIVAL).unwrap();
    let as_of = NaiveDate::parse_from_str(CENSUS_AS_OF, "%Y-%m-%d").unwrap();
    let c = census_from_stays(&stays, as_of, 7, spec.build().unwrap().as_ref(), arrival, &LEVELS).unwrap();
    line(&mut out, "census_mean", c.forecast.point.iter().copied());
    let (lo, hi) = c.forecast.interval(80.0).unwrap();
    line(&mut out, "census_lo80", lo.iter().copied());
    line(&mut out, "census_hi80", hi.iter().copied());
    line(&mut out, "census_prob_above", c.prob_above(CAPACITY));

    let b = beds_for_blocking(2.0, 4.0, 0.05).unwrap();
    line(
        &mut out,
        "beds",
        [
            b.offered_load,
            b.target,
            f64::from(b.erlang_beds),
            b.erlang_blocking,
            b.erlang_occupancy,
            f64::from(b.occupancy_rule_beds),
            b.occupancy_rule_blocking,
        ],
    );
    line(&mut out, "erlang_b", [erlang_b(10, 5.0).unwrap()]);
    regressors(&mut out);
    alerts_and_plans(&mut out);
    units_and_supplies(&mut out);
    out
}

/// The ICU census of the generated network with its capacity and staff,
/// the medicine plan and the monthly report.
fn units_and_supplies(out: &mut String) {
    let net = generated();
    let as_of = date(PLAN_START);
    let unit: Unit = serde_json::from_str(UNIT_JSON).unwrap();
    let spec: ModelSpec = serde_json::from_str(CENSUS_MODEL).unwrap();
    let arrival: ArrivalModel = serde_json::from_str(CENSUS_ARRIVAL).unwrap();
    let f = census_forecast_for(&net, &unit, as_of, 7, spec.build().unwrap().as_ref(), arrival, &LEVELS).unwrap();
    line(out, "unit_census_mean", f.census.forecast.point.iter().copied());
    line(out, "unit_census_capacity", f.capacity.iter().copied());
    line(out, "unit_census_prob", f.prob_above_capacity());
    let ward = WardCensus {
        ward: "general".into(),
        ward_type: WardType::Ward,
        start: as_of.succ_opt().unwrap(),
        census: f.census.forecast.clone(),
    };
    let staff = required_staff(&ward, &Ratios::nabh(), &DEFAULT_SHIFTS, 80.0).unwrap();
    line(out, "unit_staff", staff.rows.iter().map(|r| f64::from(r.staff)));
    line(
        out,
        "unit_staff_upper",
        staff.rows.iter().map(|r| f64::from(r.staff_upper)),
    );

    let plans = plan_network(
        &net,
        as_of,
        &ConsumptionModel::Auto,
        &ReorderPolicy::default(),
        28,
        &LEVELS,
    );
    let plans: Vec<_> = plans.into_iter().map(Result::unwrap).collect();
    line(
        out,
        "medicine_reorder_point",
        plans.iter().map(|p| p.reorder.reorder_point),
    );
    line(
        out,
        "medicine_order_now",
        plans.iter().map(|p| f64::from(u8::from(p.order_now))),
    );

    let config: ReportConfig = serde_json::from_str(REPORT_CONFIG).unwrap();
    let report = MonthlyReport::build(&net, date(REPORT_MONTH), &config).unwrap();
    line(out, "report_csv_bytes", [report.to_csv().len() as f64]);
}

/// Value of the planned-admissions regressor of series `s` at step `i`
/// (the C test computes the same).
fn planned(s: usize, i: usize) -> f64 {
    ((i * 7 + 3 * s) % 11) as f64
}

/// Admissions of series `s` at step `i`: driven by the plan.
fn admitted(s: usize, i: usize) -> f64 {
    5.0 + 2.0 * planned(s, i) + (i % 7) as f64 + s as f64
}

/// Two daily series of `REG_DAYS` values from `REG_START` with a
/// `planned` regressor known `H` days ahead, fitted by `REG_MODELS`.
fn regressors(out: &mut String) {
    let start = day(date(REG_START));
    let rows = (0..2).flat_map(|s| (0..REG_DAYS).map(move |i| (REG_IDS[s], Freq::Daily.at(start, i), admitted(s, i))));
    let panel = Panel::from_long(rows, Freq::Daily, FillRule::Error).unwrap();
    let x = (0..2)
        .flat_map(|s| (0..REG_DAYS + H).map(move |i| (REG_IDS[s], Freq::Daily.at(start, i), vec![planned(s, i)])));
    let panel = panel.with_regressors(&["planned"], x).unwrap();
    let models: Vec<(String, ModelSpec)> = serde_json::from_str(REG_MODELS).unwrap();
    let pf = PanelForecaster::new(models);
    let control = Control::new();
    let fitted = pf.fit(&panel, &control).unwrap();
    assert_eq!(control.done(), 2 * pf.models.len());
    let pred = fitted.predict(H, &LEVELS[..1]).unwrap();
    for (name, values) in &pred.columns {
        line(out, &format!("regressor_predict {name}"), values.iter().copied());
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn generated() -> Network {
    generate(&GeneratorConfig::india_four_branch(GEN_SEED).days(GEN_DAYS)).unwrap()
}

/// Alerts and plans on the generated network, and the transfer problem.
fn alerts_and_plans(out: &mut String) {
    let net = generated();
    let period = Period::new(date(ALERTS_START), date(ALERTS_END)).unwrap();
    let alerts = evaluate_network(&net, &AlertRules::default(), period).unwrap();
    line(out, "alerts_count", [alerts.len() as f64]);
    writeln!(
        out,
        "alerts_rules {}",
        alerts.iter().map(|a| a.rule.name()).collect::<Vec<_>>().join(" ")
    )
    .unwrap();
    let severity = |s: Severity| match s {
        Severity::Info => 1.0,
        Severity::Warning => 2.0,
        Severity::Critical => 3.0,
    };
    line(out, "alerts_severity", alerts.iter().map(|a| severity(a.severity)));
    let secs = |t: NaiveDateTime| t.and_utc().timestamp() as f64;
    line(out, "alerts_started", alerts.iter().map(|a| secs(a.started)));
    line(
        out,
        "alerts_ended",
        alerts.iter().map(|a| a.ended.map_or(i64::MIN as f64, secs)),
    );
    line(out, "alerts_observed", alerts.iter().map(|a| a.evidence.observed));
    line(out, "alerts_threshold", alerts.iter().map(|a| a.evidence.threshold));

    let start = date(PLAN_START);
    let beds = bed_problem(
        &net,
        start,
        BED_DAYS,
        census_demand(&net, start, BED_DAYS),
        BedCosts::default(),
    )
    .unwrap();
    let plan = beds.solve(&MicroLp).unwrap();
    let s = plan.summary;
    line(
        out,
        "bed_plan",
        [
            plan.objective,
            s.unmet_patients as f64,
            s.off_service_patients as f64,
            s.wrong_type_patients as f64,
            s.transferred_patients as f64,
            s.transfer_km,
        ],
    );
    let placements: usize = plan.days.iter().map(|d| d.placements.len()).sum();
    line(out, "bed_plan_rows", [placements as f64]);

    let staff = staff_problem(
        &net,
        start,
        STAFF_DAYS,
        &census_demand(&net, start, STAFF_DAYS),
        StaffingRatios::default(),
        StaffRules::default(),
    )
    .unwrap();
    let plan = staff.solve(&MicroLp).unwrap();
    let s = plan.summary;
    line(
        out,
        "staff_plan",
        [
            plan.objective,
            s.shifts as f64,
            s.hours,
            s.overtime_hours,
            s.wages,
            s.missing as f64,
            f64::from(s.max_nights),
            f64::from(s.max_weekend_shifts),
        ],
    );
    line(
        out,
        "staff_plan_rows",
        [plan.assignments.len() as f64, plan.understaffing.len() as f64],
    );

    // The transfer problem, built here field by field (the C test passes
    // TRANSFER_JSON, whose missing costs take the defaults).
    let pool = |ward: &str, hospital, beds| BedPool {
        ward: ward.into(),
        hospital,
        service: "ICU".into(),
        bed_type: BedType::Icu,
        beds: vec![beds],
    };
    let transfer = BedProblem {
        start: date("2024-05-03"),
        days: 1,
        hospitals: vec![
            Hospital {
                code: "A".into(),
                location: Some((-17.8, 31.0)),
            },
            Hospital {
                code: "B".into(),
                location: Some((-18.9, 32.6)),
            },
        ],
        pools: vec![pool("A-ICU", 0, 2), pool("B-ICU", 1, 3)],
        demand: vec![BedDemand {
            day: 0,
            hospital: 0,
            service: "ICU".into(),
            bed_type: BedType::Icu,
            patients: 4,
            stay_days: 1,
        }],
        costs: BedCosts {
            transfer_per_km: 0.25,
            ..BedCosts::default()
        },
        allow_unmet: false,
    };
    let plan = transfer.solve(&MicroLp).unwrap();
    line(
        out,
        "transfer_plan",
        [
            plan.objective,
            plan.summary.transferred_patients as f64,
            plan.summary.transfer_km,
        ],
    );
}

#[test]
fn expected_values_for_the_c_tests_are_current() {
    let fresh = expected();
    let path = dir().join("tests/c/expected.txt");
    if std::env::var_os("HUTANO_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        fresh == committed,
        "tests/c/expected.txt is out of date: run HUTANO_BLESS=1 cargo test -p hutano-ffi --test expected"
    );
}

fn ok(code: hutano_result) {
    if code != hutano_result::Ok {
        let mut buf = [0 as c_char; 512];
        let mut n = 0;
        // SAFETY: a valid buffer and length.
        unsafe { ffi::hutano_last_error_detail(buf.as_mut_ptr(), buf.len(), &raw mut n) };
        // SAFETY: NUL-terminated by hutano_last_error_detail.
        let detail = unsafe { std::ffi::CStr::from_ptr(buf.as_ptr()) };
        panic!("{code:?}: {}", detail.to_string_lossy());
    }
}

fn s(text: &str) -> (*const c_char, usize) {
    (text.as_ptr().cast(), text.len())
}

fn parse(expected: &str, key: &str) -> Vec<f64> {
    let prefix = format!("{key} ");
    let rest = expected
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no line {key}"));
    rest.split_whitespace().map(|v| v.parse().unwrap()).collect()
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
}

/// The C entry points, called from Rust, give the pure API's numbers.
#[test]
fn c_api_matches_the_rust_api() {
    let exp = expected();
    // SAFETY: every pointer below is valid for the length passed with it,
    // and every handle is used only while live.
    unsafe {
        let path = csv_path().to_string_lossy().into_owned();
        let site = site_json();
        let mut ds = null_mut();
        ok(ffi::hutano_dataset_load(
            s(&path).0,
            s(&path).1,
            s(&site).0,
            s(&site).1,
            &raw mut ds,
        ));
        let mut report = null_mut();
        ok(ffi::hutano_dataset_load_report(ds, &raw mut report));
        let (mut read, mut loaded, mut rejected) = (0, 0, 0);
        ok(ffi::hutano_load_report_counts(
            report,
            &raw mut read,
            &raw mut loaded,
            &raw mut rejected,
        ));
        assert_eq!(
            parse(&exp, "report_counts"),
            [read as f64, loaded as f64, rejected as f64]
        );
        ok(ffi::hutano_load_report_free(report));

        let mut table = null_mut();
        ok(ffi::hutano_dataset_kpi(
            ds,
            s(ADMISSIONS_QUERY).0,
            s(ADMISSIONS_QUERY).1,
            &raw mut table,
        ));
        let (mut rows, mut cols) = (0, 0);
        ok(ffi::hutano_table_shape(table, &raw mut rows, &raw mut cols));
        let mut j = 0;
        ok(ffi::hutano_table_column_index(table, s("admissions").0, 10, &raw mut j));
        let mut values = vec![0.0; rows];
        let mut n = 0;
        ok(ffi::hutano_table_column_f64(
            table,
            j,
            values.as_mut_ptr(),
            rows,
            &raw mut n,
        ));
        assert!(same(&values, &parse(&exp, "kpi_admissions")));
        let mut days = vec![0i64; rows];
        let mut dates_j = 0;
        ok(ffi::hutano_table_column_index(
            table,
            s("period_start").0,
            12,
            &raw mut dates_j,
        ));
        ok(ffi::hutano_table_column_i64(
            table,
            dates_j,
            days.as_mut_ptr(),
            rows,
            &raw mut n,
        ));
        let mut dept_j = 0;
        ok(ffi::hutano_table_column_index(
            table,
            s("department").0,
            10,
            &raw mut dept_j,
        ));

        // The panel, one series per department, in order of first appearance.
        let mut panel = null_mut();
        ok(ffi::hutano_panel_new(2, 1, &raw mut panel));
        let mut labels: Vec<String> = Vec::new();
        let mut label_of_row = Vec::new();
        for r in 0..rows {
            let mut buf = [0 as c_char; 64];
            ok(ffi::hutano_table_cell_text(
                table,
                dept_j,
                r,
                buf.as_mut_ptr(),
                64,
                &raw mut n,
            ));
            let label = std::ffi::CStr::from_ptr(buf.as_ptr()).to_string_lossy().into_owned();
            if !labels.contains(&label) {
                labels.push(label.clone());
            }
            label_of_row.push(label);
        }
        for label in &labels {
            let idx: Vec<usize> = (0..rows).filter(|&r| &label_of_row[r] == label).collect();
            let ds_s: Vec<i64> = idx.iter().map(|&r| days[r] * 86_400).collect();
            let y: Vec<f64> = idx.iter().map(|&r| values[r]).collect();
            ok(ffi::hutano_panel_add_series(
                panel,
                s(label).0,
                label.len(),
                ds_s.as_ptr(),
                ds_s.len(),
                y.as_ptr(),
                y.len(),
            ));
        }
        ok(ffi::hutano_table_free(table));

        let mut alos = null_mut();
        ok(ffi::hutano_dataset_kpi(
            ds,
            s(ALOS_QUERY).0,
            s(ALOS_QUERY).1,
            &raw mut alos,
        ));
        ok(ffi::hutano_table_column_index(alos, s("alos").0, 4, &raw mut j));
        let mut v = [0.0; 2];
        ok(ffi::hutano_table_column_f64(alos, j, v.as_mut_ptr(), 2, &raw mut n));
        assert!(same(&v, &parse(&exp, "kpi_alos")));
        ok(ffi::hutano_table_free(alos));

        let mut forecaster = null_mut();
        ok(ffi::hutano_forecaster_new(
            s(MODELS).0,
            MODELS.len(),
            true,
            &raw mut forecaster,
        ));
        let mut fitted = null_mut();
        ok(ffi::hutano_forecaster_fit(forecaster, panel, &raw mut fitted));
        let mut pred = null_mut();
        ok(ffi::hutano_fitted_predict(
            fitted,
            H,
            LEVELS.as_ptr(),
            LEVELS.len(),
            &raw mut pred,
        ));
        ok(ffi::hutano_forecast_shape(pred, &raw mut rows, &raw mut cols));
        for j in 0..cols {
            let mut name = [0 as c_char; 64];
            ok(ffi::hutano_forecast_column_name(
                pred,
                j,
                name.as_mut_ptr(),
                64,
                &raw mut n,
            ));
            let name = std::ffi::CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned();
            let mut v = vec![0.0; rows];
            ok(ffi::hutano_forecast_values(pred, j, v.as_mut_ptr(), rows, &raw mut n));
            assert!(same(&v, &parse(&exp, &format!("predict {name}"))), "{name}");
        }
        ok(ffi::hutano_forecast_free(pred));

        let (h, n_windows, step) = CV;
        let mut cv = null_mut();
        ok(ffi::hutano_forecaster_cross_validation(
            forecaster,
            panel,
            h,
            n_windows,
            step,
            LEVELS.as_ptr(),
            1,
            &raw mut cv,
        ));
        for model in ["sn", "Naive"] {
            let mut m = ffi::hutano_metrics::default();
            ok(ffi::hutano_forecast_metrics(cv, s(model).0, model.len(), 7, &raw mut m));
            let got = [m.mase, m.smape, m.rmse, m.mae, m.bias, m.pinball, m.crps];
            assert!(same(&got, &parse(&exp, &format!("metrics {model}"))), "{model}");
        }
        ok(ffi::hutano_forecast_free(cv));
        ok(ffi::hutano_fitted_free(fitted));
        ok(ffi::hutano_forecaster_free(forecaster));
        ok(ffi::hutano_panel_free(panel));

        // The regressor panel, fitted with a control.
        let mut panel = null_mut();
        ok(ffi::hutano_panel_new(2, 0, &raw mut panel));
        let start = day(date(REG_START));
        for (k, id) in REG_IDS.iter().enumerate() {
            let ds_s: Vec<i64> = (0..REG_DAYS)
                .map(|i| Freq::Daily.at(start, i).and_utc().timestamp())
                .collect();
            let y: Vec<f64> = (0..REG_DAYS).map(|i| admitted(k, i)).collect();
            ok(ffi::hutano_panel_add_series(
                panel,
                s(id).0,
                1,
                ds_s.as_ptr(),
                REG_DAYS,
                y.as_ptr(),
                REG_DAYS,
            ));
            let x: Vec<f64> = (0..REG_DAYS + H).map(|i| planned(k, i)).collect();
            ok(ffi::hutano_panel_add_regressor(
                panel,
                s(id).0,
                1,
                s("planned").0,
                7,
                x.as_ptr(),
                x.len(),
            ));
        }
        let mut forecaster = null_mut();
        ok(ffi::hutano_forecaster_new(
            s(REG_MODELS).0,
            REG_MODELS.len(),
            true,
            &raw mut forecaster,
        ));
        let mut control = null_mut();
        ok(ffi::hutano_control_new(&raw mut control));
        let mut fitted = null_mut();
        ok(ffi::hutano_forecaster_fit_with_control(
            forecaster,
            panel,
            control,
            &raw mut fitted,
        ));
        let mut done = 0;
        ok(ffi::hutano_control_done(control, &raw mut done));
        assert_eq!(done, 4);
        let mut pred = null_mut();
        ok(ffi::hutano_fitted_predict(fitted, H, LEVELS.as_ptr(), 1, &raw mut pred));
        ok(ffi::hutano_forecast_shape(pred, &raw mut rows, &raw mut cols));
        assert_eq!((rows, cols), (2 * H, 6));
        for j in 0..cols {
            let mut name = [0 as c_char; 64];
            ok(ffi::hutano_forecast_column_name(
                pred,
                j,
                name.as_mut_ptr(),
                64,
                &raw mut n,
            ));
            let name = std::ffi::CStr::from_ptr(name.as_ptr()).to_string_lossy().into_owned();
            let mut v = vec![0.0; rows];
            ok(ffi::hutano_forecast_values(pred, j, v.as_mut_ptr(), rows, &raw mut n));
            assert!(same(&v, &parse(&exp, &format!("regressor_predict {name}"))), "{name}");
        }
        ok(ffi::hutano_forecast_free(pred));
        ok(ffi::hutano_fitted_free(fitted));
        ok(ffi::hutano_control_free(control));
        ok(ffi::hutano_forecaster_free(forecaster));
        ok(ffi::hutano_panel_free(panel));

        let mut census = null_mut();
        ok(ffi::hutano_dataset_census_forecast(
            ds,
            s(CENSUS_AS_OF).0,
            CENSUS_AS_OF.len(),
            7,
            LEVELS.as_ptr(),
            2,
            s(CENSUS_MODEL).0,
            CENSUS_MODEL.len(),
            s(CENSUS_ARRIVAL).0,
            CENSUS_ARRIVAL.len(),
            &raw mut census,
        ));
        let mut mean = [0.0; 7];
        ok(ffi::hutano_census_mean(census, mean.as_mut_ptr(), 7, &raw mut n));
        assert!(same(&mean, &parse(&exp, "census_mean")));
        ok(ffi::hutano_census_free(census));
        ok(ffi::hutano_dataset_free(ds));

        let mut b = ffi::hutano_bed_sizing::default();
        ok(ffi::hutano_beds_for_blocking(2.0, 4.0, 0.05, &raw mut b));
        assert_eq!(f64::from(b.erlang_beds), parse(&exp, "beds")[2]);
        // Alerts and plans on the generated network.
        let mut g = null_mut();
        ok(ffi::hutano_dataset_generate(
            s("india").0,
            5,
            GEN_SEED,
            GEN_DAYS,
            &raw mut g,
        ));
        let mut alerts = null_mut();
        ok(ffi::hutano_dataset_alerts(
            g,
            s(ALERTS_START).0,
            ALERTS_START.len(),
            s(ALERTS_END).0,
            ALERTS_END.len(),
            std::ptr::null(),
            0,
            &raw mut alerts,
        ));
        ok(ffi::hutano_alerts_count(alerts, &raw mut n));
        assert_eq!(parse(&exp, "alerts_count"), [n as f64]);
        let observed: Vec<f64> = (0..n)
            .map(|i| {
                let mut buf = [0 as c_char; 512];
                let mut m = 0;
                ok(ffi::hutano_alerts_evidence_json(
                    alerts,
                    i,
                    buf.as_mut_ptr(),
                    512,
                    &raw mut m,
                ));
                let text = std::ffi::CStr::from_ptr(buf.as_ptr()).to_str().unwrap();
                let v: serde_json::Value = serde_json::from_str(text).unwrap();
                v["observed"].as_f64().unwrap()
            })
            .collect();
        assert!(same(&observed, &parse(&exp, "alerts_observed")));
        ok(ffi::hutano_alerts_free(alerts));
        let mut objective = 0.0;
        let mut plan = null_mut();
        ok(ffi::hutano_dataset_bed_plan(
            g,
            s(PLAN_START).0,
            PLAN_START.len(),
            BED_DAYS,
            std::ptr::null(),
            0,
            &raw mut plan,
        ));
        ok(ffi::hutano_plan_objective(plan, &raw mut objective));
        assert_eq!(objective, parse(&exp, "bed_plan")[0]);
        ok(ffi::hutano_plan_free(plan));
        ok(ffi::hutano_dataset_staff_plan(
            g,
            s(PLAN_START).0,
            PLAN_START.len(),
            STAFF_DAYS,
            std::ptr::null(),
            0,
            &raw mut plan,
        ));
        ok(ffi::hutano_plan_objective(plan, &raw mut objective));
        assert_eq!(objective, parse(&exp, "staff_plan")[0]);
        ok(ffi::hutano_plan_free(plan));
        // The ICU census, its capacity and staff.
        let mut census = null_mut();
        ok(ffi::hutano_dataset_unit_census_forecast(
            g,
            s(PLAN_START).0,
            PLAN_START.len(),
            7,
            LEVELS.as_ptr(),
            2,
            s(CENSUS_MODEL).0,
            CENSUS_MODEL.len(),
            s(CENSUS_ARRIVAL).0,
            CENSUS_ARRIVAL.len(),
            s(UNIT_JSON).0,
            UNIT_JSON.len(),
            &raw mut census,
        ));
        let mut v = [0.0; 7];
        ok(ffi::hutano_census_mean(census, v.as_mut_ptr(), 7, &raw mut n));
        assert!(same(&v, &parse(&exp, "unit_census_mean")));
        ok(ffi::hutano_census_capacity(census, v.as_mut_ptr(), 7, &raw mut n));
        assert!(same(&v, &parse(&exp, "unit_census_capacity")));
        ok(ffi::hutano_census_prob_above_capacity(
            census,
            v.as_mut_ptr(),
            7,
            &raw mut n,
        ));
        assert!(same(&v, &parse(&exp, "unit_census_prob")));
        let mut table = null_mut();
        ok(ffi::hutano_census_required_staff(
            census,
            s(STAFF_SETTINGS).0,
            STAFF_SETTINGS.len(),
            &raw mut table,
        ));
        let mut staff = vec![0.0; 21];
        ok(ffi::hutano_table_column_f64(
            table,
            5,
            staff.as_mut_ptr(),
            21,
            &raw mut n,
        ));
        assert!(same(&staff[..n], &parse(&exp, "unit_staff")));
        ok(ffi::hutano_table_free(table));
        ok(ffi::hutano_census_free(census));
        ok(ffi::hutano_dataset_medicine_plan(
            g,
            s(PLAN_START).0,
            PLAN_START.len(),
            std::ptr::null(),
            0,
            &raw mut table,
        ));
        ok(ffi::hutano_table_shape(table, &raw mut rows, &raw mut cols));
        let mut rop = vec![0.0; rows];
        ok(ffi::hutano_table_column_f64(
            table,
            11,
            rop.as_mut_ptr(),
            rows,
            &raw mut n,
        ));
        assert!(same(&rop, &parse(&exp, "medicine_reorder_point")));
        ok(ffi::hutano_table_free(table));
        let code = ffi::hutano_dataset_monthly_report(
            g,
            s(REPORT_MONTH).0,
            REPORT_MONTH.len(),
            s(REPORT_CONFIG).0,
            REPORT_CONFIG.len(),
            s("csv").0,
            3,
            std::ptr::null_mut(),
            0,
            &raw mut n,
        );
        assert_eq!(code, hutano_result::BufferTooSmall);
        assert_eq!(parse(&exp, "report_csv_bytes"), [n as f64]);
        ok(ffi::hutano_dataset_free(g));
        ok(ffi::hutano_plan_beds(
            s(TRANSFER_JSON).0,
            TRANSFER_JSON.len(),
            &raw mut plan,
        ));
        ok(ffi::hutano_plan_objective(plan, &raw mut objective));
        assert_eq!(objective, parse(&exp, "transfer_plan")[0]);
        ok(ffi::hutano_plan_free(plan));
        let infeasible = TRANSFER_JSON.replace(r#""patients": 4"#, r#""patients": 7"#);
        let mut none = null_mut();
        assert_eq!(
            ffi::hutano_plan_beds(s(&infeasible).0, infeasible.len(), &raw mut none),
            hutano_result::Infeasible
        );
        assert!(none.is_null());

        // A double free is caught.
        let mut p = null_mut();
        ok(ffi::hutano_panel_new(2, 0, &raw mut p));
        ok(ffi::hutano_panel_free(p));
        assert_eq!(ffi::hutano_panel_free(p), hutano_result::InvalidHandle);
    }
}
