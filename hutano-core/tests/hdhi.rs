//! Independent check on real data: the HDHI cardiac-unit admissions
//! (Hero DMC Heart Institute, Ludhiana, 2017-04-01..2019-03-31; see
//! `../shared/data/hdhi_admissions/SOURCE.txt`).
//!
//! The expected values come from `tests/reference/hdhi_reference.py`, a
//! deliberately naive standard-library Python script (day-by-day loops) that
//! shares no code with hutano; its output is committed as
//! `tests/reference/hdhi_expected.json`. hutano must agree exactly on every
//! count and to 1e-12 on every ratio (both divide the same integers).

// Test code: unwrap is the assertion, and the fixtures are small enough for any cast.
#![allow(
    clippy::float_cmp,
    clippy::single_match_else,
    clippy::unwrap_used,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::many_single_char_names,
    clippy::too_many_lines
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::NaiveDate;
use hutano_core::ingest::{load_encounters_csv, Coded, DateField, DateResolution, EncounterMapping, Field, LoadReport};
use hutano_core::kpi::{AlosVariant, Engine, Grain, MortalityRules, Period, Query, ReadmissionRules};
use hutano_core::model::{AdmissionType, Branch, BranchKind, Network, Outcome, Residence, Sex};
use serde_json::Value;

fn shared_data() -> PathBuf {
    std::env::var_os("HUTANO_SHARED_DATA").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
        PathBuf::from,
    )
}

fn hdhi_path() -> PathBuf {
    let p = shared_data().join("hdhi_admissions/HDHI Admission data.csv");
    assert!(
        p.exists(),
        "HDHI data not found at {} (set HUTANO_SHARED_DATA)",
        p.display()
    );
    p
}

fn expected() -> Value {
    let text = include_str!("reference/hdhi_expected.json");
    serde_json::from_str(text).unwrap()
}

/// The mapping a user writes for the HDHI export: no edit of the file.
fn hdhi_mapping() -> EncounterMapping {
    let formats = ["%m-%d-%Y", "%d-%m-%Y", "%m/%d/%Y"];
    let mut m = EncounterMapping::new(
        "MRD No.",
        DateField::with_formats("D.O.A", formats).resolve(DateResolution::MatchesMonthColumn {
            column: "month year".into(),
            format: "%b-%y".into(),
        }),
        Field::Constant("HDHI-CARD".into()),
    )
    .encounter_id("SNO")
    .discharge(DateField::with_formats("D.O.D", formats).resolve(DateResolution::EarliestOnOrAfterAdmission));
    m.admission_type = Some(Coded::new(
        "TYPE OF ADMISSION-EMERGENCY/OPD",
        [("E", AdmissionType::Emergency), ("O", AdmissionType::Elective)],
    ));
    m.outcome = Some(Coded::new(
        "OUTCOME",
        [
            ("DISCHARGE", Outcome::Improved),
            ("EXPIRY", Outcome::Deceased),
            ("DAMA", Outcome::LeftAgainstAdvice),
        ],
    ));
    m.sex = Some(Coded::new("GENDER", [("M", Sex::Male), ("F", Sex::Female)]));
    m.residence = Some(Coded::new("RURAL", [("R", Residence::Rural), ("U", Residence::Urban)]));
    m.age = Some("AGE".into());
    m.icu_days = Some("duration of intensive unit stay".into());
    m
}

fn load() -> (Network, LoadReport) {
    let mut net = Network::new("HDHI");
    let b = net.add_branch(Branch {
        code: "HDHI".into(),
        name: "Hero DMC Heart Institute".into(),
        kind: BranchKind::Private,
        timezone: chrono_tz::Asia::Kolkata,
        rural: false,
        location: None,
    });
    net.add_department(b, "HDHI-CARD", "Cardiology");
    let report = load_encounters_csv(&mut net, hdhi_path(), &hdhi_mapping()).unwrap();
    (net, report)
}

fn period() -> Period {
    Period::new(
        NaiveDate::from_ymd_opt(2017, 4, 1).unwrap(),
        NaiveDate::from_ymd_opt(2019, 4, 1).unwrap(),
    )
    .unwrap()
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

fn float(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() <= 1e-12, "{a} != {b}");
}

#[test]
fn hdhi_load_report_matches_reference() {
    let (net, report) = load();
    let exp = &expected()["load"];
    assert!(report.balanced());
    assert_eq!(report.rows_read as i64, int(&exp["rows_read"]));
    assert_eq!(report.rows_loaded as i64, int(&exp["rows_loaded"]));
    assert_eq!(net.encounters.len() as i64, int(&exp["rows_loaded"]));

    let by_reason: BTreeMap<String, i64> = report
        .rejects_by_reason()
        .into_iter()
        .map(|(k, v)| (k, v as i64))
        .collect();
    let exp_by_reason: BTreeMap<String, i64> = exp["rejects_by_reason"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), int(v)))
        .collect();
    assert_eq!(by_reason, exp_by_reason);
    // Same rows rejected for the same reasons, overlaps pointing at the same row.
    let ours: Vec<(u64, String, Option<u64>)> = report
        .rejects
        .iter()
        .map(|r| {
            let v = serde_json::to_value(r).unwrap();
            (
                r.row,
                v["reason"].as_str().unwrap().to_string(),
                v["other_row"].as_u64(),
            )
        })
        .collect();
    let theirs: Vec<(u64, String, Option<u64>)> = exp["rejects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().unwrap(),
                r["reason"].as_str().unwrap().to_string(),
                r["other_row"].as_u64(),
            )
        })
        .collect();
    let diff: Vec<_> = ours
        .iter()
        .filter(|x| !theirs.contains(x))
        .chain(theirs.iter().filter(|x| !ours.contains(x)))
        .collect();
    assert!(diff.is_empty(), "rejects differ: {diff:?}");
    // Error text names the row and column, never the patient.
    let first_date_reject = report.rejects.iter().find(|r| r.column.is_some()).unwrap();
    assert_eq!(
        first_date_reject.to_string(),
        "row 209, column D.O.D: discharge before admission"
    );
}

#[test]
fn hdhi_kpis_match_independent_computation() {
    let (net, _) = load();
    let exp = expected();
    let engine = Engine::new(&net).unwrap();
    let q = Query::new(period());

    // Daily midnight census, day by day.
    let census = engine.census_daily(&q).unwrap();
    let ours = census.f64s("midnight_census").unwrap();
    let theirs: Vec<f64> = exp["census"]["daily"].as_array().unwrap().iter().map(float).collect();
    assert_eq!(ours, theirs);

    let bd = engine.bed_days(&q).unwrap();
    assert_eq!(bd.sum("occupied_bed_days").unwrap() as i64, int(&exp["bed_days"]));

    let all = engine.alos(&q, AlosVariant::AllStays).unwrap();
    let e = &exp["alos"]["all_stays"];
    assert_eq!(all.sum("discharges").unwrap() as i64, int(&e["discharges"]));
    assert_eq!(all.sum("stay_days").unwrap() as i64, int(&e["nights"]));
    close(all.f64s("alos").unwrap()[0], float(&e["alos_days"]));
    let on = engine.alos(&q, AlosVariant::OvernightOnly).unwrap();
    let e = &exp["alos"]["overnight_only"];
    assert_eq!(on.sum("discharges").unwrap() as i64, int(&e["discharges"]));
    close(on.f64s("alos").unwrap()[0], float(&e["alos_days"]));

    let m = engine.mortality(&q, MortalityRules::default()).unwrap();
    let e = &exp["mortality"];
    assert_eq!(m.sum("deaths").unwrap() as i64, int(&e["deaths"]));
    assert_eq!(m.sum("early_deaths").unwrap() as i64, int(&e["deaths_within_48h"]));
    close(m.f64s("mortality_rate").unwrap()[0], float(&e["rate"]));
    close(m.f64s("net_mortality_rate").unwrap()[0], float(&e["net_rate"]));

    let r = engine.readmissions(&q, &ReadmissionRules::default()).unwrap();
    let e = &exp["readmission_30d"];
    assert_eq!(r.sum("index_stays").unwrap() as i64, int(&e["index_stays"]));
    assert_eq!(r.sum("readmissions").unwrap() as i64, int(&e["readmissions"]));
    close(r.f64s("readmission_rate").unwrap()[0], float(&e["rate"]));

    let a = engine.admissions(&q).unwrap();
    let e = &exp["admissions_in_period"];
    assert_eq!(a.sum("admissions").unwrap() as i64, int(&e["total"]));
    assert_eq!(a.sum("emergency").unwrap() as i64, int(&e["by_type"]["E"]));
    assert_eq!(a.sum("elective").unwrap() as i64, int(&e["by_type"]["O"]));
    assert_eq!(
        a.sum("discharges").unwrap() as i64,
        int(&exp["discharges_in_period"]["total"])
    );

    // Monthly bed-days add back up to the total.
    let monthly = engine.bed_days(&q.clone().grain(Grain::Month)).unwrap();
    assert_eq!(monthly.len(), 24);
    assert_eq!(monthly.sum("occupied_bed_days").unwrap() as i64, int(&exp["bed_days"]));
}

/// The file states a `DURATION OF STAY` for every row. Its convention is an
/// inclusive day count: stated = discharge date − admission date + 1. Every
/// loaded row that breaks it is explained by one of these categories
/// (found by the reference script; see tests/reference/README.md):
/// - `stated_equals_nights` (32): the stay crosses the end of a 31-day month
///   and the stated figure counts it as if the month had 30 days;
/// - `month_length_overcount` (15): admitted in a 30-day month or February
///   and the stated figure counts the month as 31 days;
/// - `dod_format_ambiguity` (5): D.O.D has two readings (day-first and
///   month-first); the declared rule keeps the earlier, the stated duration
///   matches the other — the file cannot tell which is right;
/// - `dod_month_typo` (5): the discharge month is off by one in the text;
/// - `unexplained` (7): none of the above; the dates and stated value
///   disagree by 2–8 days with no pattern (data-entry errors).
#[test]
fn hdhi_stated_duration_cross_check() {
    let (net, _) = load();
    let exp = &expected()["duration_cross_check"];
    // Read the stated column independently of the mapping.
    let mut rdr = csv::Reader::from_path(hdhi_path()).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let sno = headers
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == "SNO")
        .unwrap();
    let stated_col = headers.iter().position(|h| h == "DURATION OF STAY").unwrap();
    let mut stated: BTreeMap<String, i64> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        stated.insert(rec[sno].to_string(), rec[stated_col].parse().unwrap());
    }
    let mut mismatched: BTreeSet<u64> = BTreeSet::new();
    for e in &net.encounters {
        let nights = (e.discharge.unwrap().date() - e.admit.date()).num_days();
        if stated[&e.id] != nights + 1 {
            // Serial number n sits on spreadsheet row n + 1.
            mismatched.insert(e.id.parse::<u64>().unwrap() + 1);
        }
    }
    let mut explained: BTreeSet<u64> = BTreeSet::new();
    let cats = exp["categories"].as_object().unwrap();
    let names: BTreeSet<&str> = cats.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "dod_format_ambiguity",
            "dod_month_typo",
            "month_length_overcount",
            "stated_equals_nights",
            "unexplained"
        ])
    );
    for c in cats.values() {
        let rows: Vec<u64> = c["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(rows.len() as i64, int(&c["count"]));
        explained.extend(rows);
    }
    assert_eq!(
        mismatched, explained,
        "every disagreement is in exactly one explained category"
    );
    assert_eq!(mismatched.len(), 64);
    assert_eq!(
        net.encounters.len() - mismatched.len(),
        int(&exp["rows_matching_convention"]) as usize
    );
}
