//! Every validation rule: the rejected row's number and reason, with the
//! other rows still loaded, and rows read = loaded + rejected.

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

use hutano_core::ingest::{
    load_encounters_csv_reader, Coded, DateField, EncounterMapping, Field, LoadReport, Reject, RejectReason,
};
use hutano_core::model::{AdmissionType, Branch, BranchKind, Network, Outcome, Payer};

fn network() -> Network {
    let mut net = Network::new("v");
    for code in ["A", "B"] {
        let b = net.add_branch(Branch {
            code: code.into(),
            name: code.into(),
            kind: BranchKind::District,
            timezone: chrono_tz::Africa::Harare,
            rural: false,
            location: None,
        });
        let d = net.add_department(b, format!("{code}-MED"), "Medicine");
        net.add_ward(d, format!("{code}-MED-W1"), "Ward 1");
    }
    net
}

fn mapping() -> EncounterMapping {
    let mut m = EncounterMapping::new(
        "patient",
        DateField::new("admit", "%Y-%m-%d %H:%M"),
        Field::Column("dept".into()),
    )
    .encounter_id("id")
    .branch(Field::Column("branch".into()))
    .discharge(DateField::new("discharge", "%Y-%m-%d %H:%M"));
    m.ward = Some(Field::Column("ward".into()));
    m.admission_type = Some(
        Coded::new(
            "type",
            [("E", AdmissionType::Emergency), ("O", AdmissionType::Elective)],
        )
        .default_value(AdmissionType::Emergency),
    );
    m.outcome = Some(Coded::new(
        "outcome",
        [("alive", Outcome::Recovered), ("dead", Outcome::Deceased)],
    ));
    m.payer = Some(Coded::new(
        "payer",
        [("gov", Payer::Government), ("self", Payer::SelfPay)],
    ));
    m.age = Some("age".into());
    m.attending = Some("doctor".into());
    m.billing = Some(hutano_core::ingest::BillingColumns {
        charges: "charges".into(),
        cost: None,
        discount: None,
        paid: Some("paid".into()),
    });
    m
}

const HEADER: &str = "id,patient,branch,dept,ward,admit,discharge,type,outcome,payer,age,doctor,charges,paid";

fn load(rows: &[&str]) -> (Network, LoadReport) {
    let mut net = network();
    let csv = std::iter::once(HEADER)
        .chain(rows.iter().copied())
        .collect::<Vec<_>>()
        .join("\n");
    let report = load_encounters_csv_reader(&mut net, csv.as_bytes(), &mapping()).unwrap();
    assert!(report.balanced());
    assert_eq!(report.rows_read as usize, rows.len());
    assert_eq!(net.encounters.len() as u64, report.rows_loaded);
    (net, report)
}

const GOOD: &str = "g1,p1,A,A-MED,A-MED-W1,2024-01-01 10:00,2024-01-03 10:00,E,alive,gov,40,,100,90";
const GOOD2: &str = "g2,p2,B,B-MED,B-MED-W1,2024-01-01 10:00,,O,,self,70,,,";

/// Load the two good rows and one bad row (data row 2 = spreadsheet row 3);
/// the bad row is rejected with `column` and `reason`, the good ones load.
fn rejects(bad: &str) -> Reject {
    let (net, report) = load(&[GOOD, bad, GOOD2]);
    assert_eq!(report.rows_loaded, 2, "good rows must still load: {report:?}");
    assert_eq!(net.encounters.len(), 2);
    assert_eq!(report.rejects.len(), 1, "{report:?}");
    let r = report.rejects[0].clone();
    assert_eq!(r.row, 3);
    r
}

fn check(bad: &str, column: Option<&str>, reason: RejectReason) {
    let r = rejects(bad);
    assert_eq!((r.column.as_deref(), r.reason), (column, reason), "row: {bad}");
}

#[test]
fn good_rows_load_with_bill_and_open_stay() {
    let (net, report) = load(&[GOOD, GOOD2]);
    assert!(report.rejects.is_empty());
    assert_eq!(net.bills.len(), 1);
    assert_eq!(net.bills[0].paid, 90.0);
    assert_eq!(net.encounters[1].discharge, None);
    assert_eq!(net.encounters[1].branch.index(), 1);
    assert_eq!(net.patients.len(), 2);
}

#[test]
fn missing_patient() {
    check(
        "x,,A,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,40,,,",
        Some("patient"),
        RejectReason::MissingValue,
    );
}

#[test]
fn unparseable_date() {
    check(
        "x,p9,A,A-MED,A-MED-W1,01/02/2024,,E,,gov,40,,,",
        Some("admit"),
        RejectReason::UnparseableDate,
    );
}

#[test]
fn ambiguous_date_when_both_orders_declared() {
    let mut m = mapping();
    m.admit = DateField::with_formats("admit", ["%d/%m/%Y", "%m/%d/%Y"]);
    let mut net = network();
    let csv = format!(
        "{HEADER}\nx,p9,A,A-MED,A-MED-W1,04/05/2024,,E,,gov,40,,,\ny,p8,A,A-MED,A-MED-W1,13/05/2024,,E,,gov,40,,,"
    );
    let report = load_encounters_csv_reader(&mut net, csv.as_bytes(), &m).unwrap();
    assert_eq!(report.rows_loaded, 1, "13/05 has one reading and loads");
    assert_eq!(report.rejects[0].row, 2);
    assert_eq!(report.rejects[0].reason, RejectReason::AmbiguousDate);
}

#[test]
fn discharge_before_admission() {
    check(
        "x,p9,A,A-MED,A-MED-W1,2024-01-05 10:00,2024-01-04 10:00,E,alive,gov,40,,,",
        Some("discharge"),
        RejectReason::DischargeBeforeAdmission,
    );
}

#[test]
fn unknown_branch_department_ward() {
    check(
        "x,p9,Z,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,40,,,",
        Some("branch"),
        RejectReason::UnknownBranch,
    );
    check(
        "x,p9,A,A-ENT,A-MED-W1,2024-01-01 10:00,,E,,gov,40,,,",
        Some("dept"),
        RejectReason::UnknownDepartment,
    );
    // A department of the other branch is unknown for this branch.
    check(
        "x,p9,A,B-MED,B-MED-W1,2024-01-01 10:00,,E,,gov,40,,,",
        Some("dept"),
        RejectReason::UnknownDepartment,
    );
    check(
        "x,p9,A,A-MED,A-MED-W9,2024-01-01 10:00,,E,,gov,40,,,",
        Some("ward"),
        RejectReason::UnknownWard,
    );
}

#[test]
fn unknown_code_and_staff() {
    check(
        "x,p9,A,A-MED,A-MED-W1,2024-01-01 10:00,,X,,gov,40,,,",
        Some("type"),
        RejectReason::UnknownCode,
    );
    check(
        "x,p9,A,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,40,D404,,",
        Some("doctor"),
        RejectReason::UnknownStaff,
    );
}

#[test]
fn numbers() {
    check(
        "x,p9,A,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,forty,,,",
        Some("age"),
        RejectReason::InvalidNumber,
    );
    check(
        "x,p9,A,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,40,,-5,",
        Some("charges"),
        RejectReason::NegativeAmount,
    );
    check(
        "x,p9,A,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,40,,NaN,",
        Some("charges"),
        RejectReason::InvalidNumber,
    );
    check(
        "x,p9,A,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,-1,,,",
        Some("age"),
        RejectReason::NegativeAmount,
    );
}

#[test]
fn duplicate_encounter_id() {
    check(
        "g1,p9,A,A-MED,A-MED-W1,2024-02-01 10:00,,E,,gov,40,,,",
        Some("id"),
        RejectReason::DuplicateEncounterId { first_row: 2 },
    );
}

#[test]
fn overlapping_stays_of_one_patient() {
    // p1 is in hospital 01-01 10:00 to 01-03 10:00 (row 2).
    check(
        "x,p1,A,A-MED,A-MED-W1,2024-01-02 09:00,2024-01-05 10:00,E,alive,gov,40,,,",
        None,
        RejectReason::OverlappingStay { other_row: 2 },
    );
    // Admitted exactly when the earlier stay ended: no overlap.
    let (_, report) = load(&[GOOD, "x,p1,A,A-MED,A-MED-W1,2024-01-03 10:00,,E,,gov,40,,,"]);
    assert!(report.rejects.is_empty());
    // The earlier-admitted stay wins even when it comes later in the file.
    let (net, report) = load(&[
        "late,p7,A,A-MED,A-MED-W1,2024-01-05 10:00,,E,,gov,40,,,",
        "early,p7,A,A-MED,A-MED-W1,2024-01-01 10:00,2024-01-06 10:00,E,alive,gov,40,,,",
    ]);
    assert_eq!(report.rejects[0].row, 2);
    assert_eq!(net.encounters[0].id, "early");
}

#[test]
fn malformed_records() {
    check(
        "x,p9,A,A-MED",
        None,
        RejectReason::FieldCount { expected: 14, found: 4 },
    );
    let mut net = network();
    let mut bytes = format!("{HEADER}\n{GOOD}\n").into_bytes();
    bytes.extend_from_slice(b"x,p\xff9,A,A-MED,A-MED-W1,2024-01-01 10:00,,E,,gov,40,,,\n");
    let report = load_encounters_csv_reader(&mut net, &bytes[..], &mapping()).unwrap();
    assert_eq!((report.rows_loaded, report.rejects[0].row), (1, 3));
    assert_eq!(report.rejects[0].reason, RejectReason::InvalidUtf8);
}

#[test]
fn mapped_column_missing_from_header_is_an_error() {
    let mut net = network();
    let err = load_encounters_csv_reader(&mut net, "id,patient\n1,2\n".as_bytes(), &mapping()).unwrap_err();
    assert!(matches!(err, hutano_core::Error::MissingColumn { .. }), "{err}");
}

#[test]
fn messages_name_rows_not_patients() {
    let (_, report) = load(&[
        GOOD,
        "x,SECRET-ID,A,A-MED,A-MED-W1,2024-01-05 10:00,2024-01-04 10:00,E,alive,gov,40,,,",
    ]);
    let text = format!("{}{}", report, report.rejects[0]);
    assert!(!text.contains("SECRET"));
    assert_eq!(
        report.rejects[0].to_string(),
        "row 3, column discharge: discharge before admission"
    );
}

#[test]
fn mapping_round_trips_through_json() {
    let m = mapping();
    let back = EncounterMapping::from_json(&m.to_json().unwrap()).unwrap();
    assert_eq!(back, m);
    assert!(EncounterMapping::from_json("{\"patient_id\": 3}").is_err());
}

#[cfg(feature = "xlsx")]
#[test]
fn xlsx_with_date_cells_and_text_dates() {
    let mut net = network();
    let mut m = EncounterMapping::new(
        "Patient",
        DateField::new("Admitted", "%d/%m/%Y %H:%M"),
        Field::Constant("A-MED".into()),
    )
    .encounter_id("Visit")
    .branch(Field::Constant("A".into()))
    .discharge(DateField::new("Discharged", "%d/%m/%Y %H:%M"));
    m.ward = Some(Field::Column("Ward".into()));
    m.billing = Some(hutano_core::ingest::BillingColumns {
        charges: "Charges".into(),
        cost: None,
        discount: None,
        paid: None,
    });
    // Ward codes in the file are short: map them by adding a ward with that code.
    let med = net.department_by_code("A-MED").unwrap();
    net.add_ward(med, "MED", "Medical ward");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/encounters.xlsx");
    let report = hutano_core::ingest::load_encounters_xlsx(&mut net, path, Some("Admissions"), &m).unwrap();
    assert!(report.balanced());
    assert_eq!(report.rows_read, 6);
    let got: Vec<(u64, Option<&str>, RejectReason)> = report
        .rejects
        .iter()
        .map(|r| (r.row, r.column.as_deref(), r.reason.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (4, Some("Discharged"), RejectReason::DischargeBeforeAdmission),
            (5, Some("Discharged"), RejectReason::UnparseableDate),
            (6, Some("Ward"), RejectReason::UnknownWard),
            (7, Some("Charges"), RejectReason::NegativeAmount),
        ]
    );
    let e = &net.encounters[0];
    assert_eq!(e.admit.to_string(), "2024-03-01 10:30:00");
    assert_eq!(e.discharge.unwrap().to_string(), "2024-03-03 09:00:00");
    assert_eq!(net.bills[0].charges, 1200.5);
    let err = hutano_core::ingest::load_encounters_xlsx(&mut net, path, Some("Nope"), &m).unwrap_err();
    assert!(matches!(err, hutano_core::Error::SheetNotFound { .. }));
}
