//! Flat CSV exports of a network's encounters and beds, in the layout the
//! [`crate::ingest`] mapping of [`encounter_export_mapping`] reads back.

use std::io::Write;

use crate::error::{Error, Result};
use crate::ingest::{Coded, DateField, EncounterMapping, Field};
use crate::model::{AdmissionType, Network, Outcome, Payer, Sex};

const TS: &str = "%Y-%m-%d %H:%M:%S";

use crate::model::snake_name as snake;

/// Write one row per encounter:
/// `encounter_id,patient_id,branch,department,admit,discharge,admission_type,age,sex,payer,outcome,planned_readmission`.
/// The department is the discharging (last) placement's; timestamps are
/// branch-local `YYYY-MM-DD HH:MM:SS`; empty cells for unknown values.
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_encounters_csv<W: Write>(net: &Network, writer: W) -> Result<()> {
    let mut w = csv::Writer::from_writer(writer);
    let err = |e: csv::Error| Error::Write { message: e.to_string() };
    w.write_record([
        "encounter_id",
        "patient_id",
        "branch",
        "department",
        "admit",
        "discharge",
        "admission_type",
        "age",
        "sex",
        "payer",
        "outcome",
        "planned_readmission",
    ])
    .map_err(err)?;
    for e in &net.encounters {
        let dept = e.last_placement().department;
        w.write_record([
            e.id.as_str(),
            net.patients[e.patient.index()].pseudonym.as_str(),
            net.branches[e.branch.index()].code.as_str(),
            net.departments[dept.index()].code.as_str(),
            &e.admit.format(TS).to_string(),
            &e.discharge.map(|d| d.format(TS).to_string()).unwrap_or_default(),
            &snake(&e.admission_type),
            &e.age.map(|a| a.to_string()).unwrap_or_default(),
            &snake(&e.sex),
            &e.payer.map(|p| snake(&p)).unwrap_or_default(),
            &e.outcome.map(|o| snake(&o)).unwrap_or_default(),
            if e.planned_readmission { "1" } else { "0" },
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| Error::Write { message: e.to_string() })
}

/// Write one row per bed block: `branch,count,in_service_from,in_service_until`.
///
/// # Errors
/// [`Error::Write`] if the writer fails.
pub fn write_beds_csv<W: Write>(net: &Network, writer: W) -> Result<()> {
    let mut w = csv::Writer::from_writer(writer);
    let err = |e: csv::Error| Error::Write { message: e.to_string() };
    w.write_record(["branch", "count", "in_service_from", "in_service_until"])
        .map_err(err)?;
    for b in &net.beds {
        let dept = net.wards[b.ward.index()].department;
        let branch = net.departments[dept.index()].branch;
        w.write_record([
            net.branches[branch.index()].code.clone(),
            b.count.to_string(),
            b.in_service_from.map(|d| d.to_string()).unwrap_or_default(),
            b.in_service_until.map(|d| d.to_string()).unwrap_or_default(),
        ])
        .map_err(err)?;
    }
    w.flush().map_err(|e| Error::Write { message: e.to_string() })
}

/// The mapping that reads [`write_encounters_csv`]'s output back (into a
/// network with the same branches and departments).
#[must_use]
pub fn encounter_export_mapping() -> EncounterMapping {
    fn codes<T: Copy + serde::Serialize>(column: &str, all: &[T]) -> Coded<T> {
        Coded::new(column, all.iter().map(|v| (snake(v), *v)))
    }
    let mut m = EncounterMapping::new(
        "patient_id",
        DateField::new("admit", TS),
        Field::Column("department".into()),
    )
    .encounter_id("encounter_id")
    .discharge(DateField::new("discharge", TS))
    .branch(Field::Column("branch".into()));
    m.admission_type = Some(codes(
        "admission_type",
        &[
            AdmissionType::Emergency,
            AdmissionType::Elective,
            AdmissionType::TransferIn,
            AdmissionType::DayCase,
        ],
    ));
    m.outcome = Some(codes(
        "outcome",
        &[
            Outcome::Recovered,
            Outcome::Improved,
            Outcome::Transferred,
            Outcome::LeftAgainstAdvice,
            Outcome::Deceased,
        ],
    ));
    m.sex = Some(codes("sex", &[Sex::Female, Sex::Male, Sex::Other, Sex::Unknown]));
    m.payer = Some(codes(
        "payer",
        &[Payer::Government, Payer::Private, Payer::Corporate, Payer::SelfPay],
    ));
    m.planned_readmission = Some(Coded::new("planned_readmission", [("0", false), ("1", true)]));
    m.age = Some("age".into());
    m
}
