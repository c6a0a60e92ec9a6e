//! Ingestion of encounter exports from CSV and Excel, with a declared column
//! mapping, row-level validation and a load report that accounts for every row.
//!
//! A hospital's own export is read as it is: an [`EncounterMapping`] names the
//! columns, the date formats and the codes. Each row is either loaded into the
//! [`Network`] or rejected with its spreadsheet row number (header = row 1),
//! the column and the reason; `rows_read == rows_loaded + rejects.len()`
//! always holds.
//!
//! ```
//! use hutano_core::ingest::{EncounterMapping, DateField, Field, load_encounters_csv_reader};
//! use hutano_core::model::{Branch, BranchKind, Network};
//!
//! let mut net = Network::new("demo");
//! let b = net.add_branch(Branch { code: "A".into(), name: "A".into(), kind: BranchKind::District,
//!     timezone: chrono_tz::Africa::Harare, rural: false, location: None });
//! net.add_department(b, "A-MED", "Medicine");
//! let mapping = EncounterMapping::new("patient", DateField::new("admitted", "%Y-%m-%d %H:%M"),
//!     Field::Constant("A-MED".into()))
//!     .discharge(DateField::new("discharged", "%Y-%m-%d %H:%M"));
//! let csv = "patient,admitted,discharged\n\
//!            p1,2024-01-01 10:00,2024-01-03 11:00\n\
//!            p2,2024-01-02 10:00,2024-01-01 09:00\n";
//! let report = load_encounters_csv_reader(&mut net, csv.as_bytes(), &mapping)?;
//! assert_eq!((report.rows_read, report.rows_loaded), (2, 1));
//! assert_eq!(report.rejects[0].row, 3);
//! assert_eq!(report.rejects[0].to_string(), "row 3, column discharged: discharge before admission");
//! # Ok::<(), hutano_core::Error>(())
//! ```

mod dates;
pub(crate) mod source;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use dates::CompiledDate;
pub use dates::{DateField, DateResolution};
use rustc_hash::FxHashMap as HashMap;
use serde::{Deserialize, Serialize};
pub use source::Cell;
use source::{CellRef, Fields, SourceTable};

use crate::error::{Error, Result};
use crate::model::{
    AdmissionType, BedType, Bill, BranchId, DepartmentId, Encounter, EncounterId, Network, Outcome, Patient, PatientId,
    Payer, Placement, Residence, Sex, WardId,
};

/// A value taken from a column, or a constant for every row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// Read from this column.
    Column(String),
    /// The same value for every row.
    Constant(String),
}

/// A coded column: the source's codes mapped to hutano's values.
///
/// Codes are matched exactly after trimming; a code not in the table rejects
/// the row (`unknown_code`). An empty cell takes `default` when one is given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Coded<T> {
    /// The column.
    pub column: String,
    /// Source code → value.
    pub codes: BTreeMap<String, T>,
    /// Value for an empty cell; `None` rejects empty cells as missing.
    #[serde(default)]
    pub default: Option<T>,
}

impl<T: Clone> Coded<T> {
    /// A coded column from `(code, value)` pairs.
    #[must_use]
    pub fn new<I, S>(column: impl Into<String>, codes: I) -> Self
    where
        I: IntoIterator<Item = (S, T)>,
        S: Into<String>,
    {
        Self {
            column: column.into(),
            codes: codes.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            default: None,
        }
    }

    /// Value for empty cells.
    #[must_use]
    pub fn default_value(mut self, value: T) -> Self {
        self.default = Some(value);
        self
    }
}

/// How an encounter export's columns map onto [`Encounter`] fields.
///
/// Only the patient, the admission time and the department are required.
/// Serialisable, so a hospital keeps its mapping in a JSON file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncounterMapping {
    /// Encounter id column; when `None`, the row number is the id.
    #[serde(default)]
    pub encounter_id: Option<String>,
    /// Pseudonymous patient id column.
    pub patient_id: String,
    /// Admission time.
    pub admit: DateField,
    /// Discharge time; an empty cell means still in hospital.
    #[serde(default)]
    pub discharge: Option<DateField>,
    /// Branch code; `None` is allowed when the network has one branch.
    #[serde(default)]
    pub branch: Option<Field>,
    /// Department code (as in [`crate::model::Department::code`]).
    pub department: Field,
    /// Ward code.
    #[serde(default)]
    pub ward: Option<Field>,
    /// Bed type; general when absent.
    #[serde(default)]
    pub bed_type: Option<Coded<BedType>>,
    /// Admission type; emergency when absent.
    #[serde(default)]
    pub admission_type: Option<Coded<AdmissionType>>,
    /// Outcome at discharge.
    #[serde(default)]
    pub outcome: Option<Coded<Outcome>>,
    /// Sex.
    #[serde(default)]
    pub sex: Option<Coded<Sex>>,
    /// Payer.
    #[serde(default)]
    pub payer: Option<Coded<Payer>>,
    /// Rural/urban residence.
    #[serde(default)]
    pub residence: Option<Coded<Residence>>,
    /// Planned-readmission flag.
    #[serde(default)]
    pub planned_readmission: Option<Coded<bool>>,
    /// Age in years.
    #[serde(default)]
    pub age: Option<String>,
    /// Diagnosis code.
    #[serde(default)]
    pub diagnosis_code: Option<String>,
    /// Diagnosis category.
    #[serde(default)]
    pub diagnosis_category: Option<String>,
    /// Stated days in intensive care.
    #[serde(default)]
    pub icu_days: Option<String>,
    /// Discharge-order time.
    #[serde(default)]
    pub discharge_order: Option<DateField>,
    /// Billing-closed time.
    #[serde(default)]
    pub billing_closed: Option<DateField>,
    /// Attending doctor's staff code.
    #[serde(default)]
    pub attending: Option<String>,
    /// Billing columns; when `charges` is mapped, a [`Bill`] is created per row.
    #[serde(default)]
    pub billing: Option<BillingColumns>,
}

/// Billing amounts held on the encounter row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingColumns {
    /// Gross charges.
    pub charges: String,
    /// Cost to the hospital.
    #[serde(default)]
    pub cost: Option<String>,
    /// Discount.
    #[serde(default)]
    pub discount: Option<String>,
    /// Amount paid.
    #[serde(default)]
    pub paid: Option<String>,
}

impl EncounterMapping {
    /// A mapping with the three required fields; add the rest with the builder methods.
    #[must_use]
    pub fn new(patient_id: impl Into<String>, admit: DateField, department: Field) -> Self {
        Self {
            encounter_id: None,
            patient_id: patient_id.into(),
            admit,
            discharge: None,
            branch: None,
            department,
            ward: None,
            bed_type: None,
            admission_type: None,
            outcome: None,
            sex: None,
            payer: None,
            residence: None,
            planned_readmission: None,
            age: None,
            diagnosis_code: None,
            diagnosis_category: None,
            icu_days: None,
            discharge_order: None,
            billing_closed: None,
            attending: None,
            billing: None,
        }
    }

    /// Set the encounter-id column.
    #[must_use]
    pub fn encounter_id(mut self, column: impl Into<String>) -> Self {
        self.encounter_id = Some(column.into());
        self
    }

    /// Set the discharge field.
    #[must_use]
    pub fn discharge(mut self, field: DateField) -> Self {
        self.discharge = Some(field);
        self
    }

    /// Set the branch field.
    #[must_use]
    pub fn branch(mut self, field: Field) -> Self {
        self.branch = Some(field);
        self
    }

    /// Read a mapping from JSON.
    ///
    /// # Errors
    /// [`Error::MappingSyntax`] when the JSON does not describe a mapping.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::MappingSyntax { message: e.to_string() })
    }

    /// The mapping as pretty JSON.
    ///
    /// # Errors
    /// [`Error::Write`] if serialisation fails (it does not for valid mappings).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Write { message: e.to_string() })
    }

    fn columns(&self) -> Vec<&str> {
        fn field(f: Option<&Field>) -> Option<&str> {
            match f {
                Some(Field::Column(c)) => Some(c.as_str()),
                _ => None,
            }
        }
        let mut c: Vec<&str> = vec![&self.patient_id, &self.admit.column];
        c.extend(self.encounter_id.as_deref());
        c.extend(self.discharge.as_ref().map(|d| d.column.as_str()));
        c.extend(field(self.branch.as_ref()));
        if let Field::Column(d) = &self.department {
            c.push(d);
        }
        c.extend(field(self.ward.as_ref()));
        c.extend(self.bed_type.as_ref().map(|x| x.column.as_str()));
        c.extend(self.admission_type.as_ref().map(|x| x.column.as_str()));
        c.extend(self.outcome.as_ref().map(|x| x.column.as_str()));
        c.extend(self.sex.as_ref().map(|x| x.column.as_str()));
        c.extend(self.payer.as_ref().map(|x| x.column.as_str()));
        c.extend(self.residence.as_ref().map(|x| x.column.as_str()));
        c.extend(self.planned_readmission.as_ref().map(|x| x.column.as_str()));
        c.extend(self.age.as_deref());
        c.extend(self.diagnosis_code.as_deref());
        c.extend(self.diagnosis_category.as_deref());
        c.extend(self.icu_days.as_deref());
        c.extend(self.discharge_order.as_ref().map(|d| d.column.as_str()));
        c.extend(self.billing_closed.as_ref().map(|d| d.column.as_str()));
        c.extend(self.attending.as_deref());
        for d in [&self.admit, self.discharge.as_ref().unwrap_or(&self.admit)] {
            if let DateResolution::MatchesMonthColumn { column, .. } = &d.resolve {
                c.push(column);
            }
        }
        if let Some(b) = &self.billing {
            c.push(&b.charges);
            c.extend(b.cost.as_deref());
            c.extend(b.discount.as_deref());
            c.extend(b.paid.as_deref());
        }
        c.retain(|s| !s.is_empty());
        c
    }
}

/// Why a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectReason {
    /// A required value is empty.
    MissingValue,
    /// No declared format parses the value.
    UnparseableDate,
    /// Declared formats give different dates and the resolution rule cannot choose.
    AmbiguousDate,
    /// The reference column of a date resolution cannot be read.
    UnparseableReference,
    /// The date parses but contradicts its reference column (e.g. not in the stated month).
    DateOutsideReferenceMonth,
    /// Discharge earlier than admission.
    DischargeBeforeAdmission,
    /// Branch code not in the network.
    UnknownBranch,
    /// Department code not in the network (or not of the row's branch).
    UnknownDepartment,
    /// Ward code not in the network (or not of the row's department).
    UnknownWard,
    /// Staff code not in the network.
    UnknownStaff,
    /// A code not in the mapping's code table.
    UnknownCode,
    /// Not a number.
    InvalidNumber,
    /// A negative amount, age or duration.
    NegativeAmount,
    /// The encounter id already appeared.
    DuplicateEncounterId {
        /// Row of the first occurrence (0 when it was loaded earlier, not from this file).
        first_row: u64,
    },
    /// The stay overlaps another stay of the same patient.
    OverlappingStay {
        /// Row of the accepted stay it overlaps (0 when that stay was loaded earlier).
        other_row: u64,
    },
    /// The CSV record has the wrong number of fields.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this record.
        found: usize,
    },
    /// The record is not valid UTF-8.
    InvalidUtf8,
    /// The spreadsheet cell holds an error value (`#N/A`, ...).
    CellError,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingValue => f.write_str("missing value"),
            Self::UnparseableDate => f.write_str("unparseable date"),
            Self::AmbiguousDate => f.write_str("ambiguous date (day-first and month-first readings differ)"),
            Self::UnparseableReference => f.write_str("reference column for the date cannot be read"),
            Self::DateOutsideReferenceMonth => f.write_str("date is not in the month given by the reference column"),
            Self::DischargeBeforeAdmission => f.write_str("discharge before admission"),
            Self::UnknownBranch => f.write_str("unknown branch"),
            Self::UnknownDepartment => f.write_str("unknown department"),
            Self::UnknownWard => f.write_str("unknown ward"),
            Self::UnknownStaff => f.write_str("unknown staff code"),
            Self::UnknownCode => f.write_str("code not in the mapping"),
            Self::InvalidNumber => f.write_str("not a number"),
            Self::NegativeAmount => f.write_str("negative value"),
            Self::DuplicateEncounterId { first_row } => write!(f, "duplicate encounter id (first at row {first_row})"),
            Self::OverlappingStay { other_row } => {
                write!(f, "stay overlaps another stay of the same patient (row {other_row})")
            }
            Self::FieldCount { expected, found } => write!(f, "record has {found} fields, header has {expected}"),
            Self::InvalidUtf8 => f.write_str("invalid utf-8"),
            Self::CellError => f.write_str("cell holds an error value"),
        }
    }
}

impl RejectReason {
    /// The reason's label, as serialised (e.g. `"discharge_before_admission"`).
    #[must_use]
    pub fn label(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("reason").and_then(|s| s.as_str().map(str::to_string)))
            .unwrap_or_default()
    }
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// Spreadsheet-style row number (the header is row 1).
    pub row: u64,
    /// The offending column, where one is to blame.
    pub column: Option<String>,
    /// Why.
    #[serde(flatten)]
    pub reason: RejectReason,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "row {}, column {c}: {}", self.row, self.reason),
            None => write!(f, "row {}: {}", self.row, self.reason),
        }
    }
}

/// What a load did: every row read is either loaded or rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Data rows read (blank lines are not rows).
    pub rows_read: u64,
    /// Rows loaded as encounters.
    pub rows_loaded: u64,
    /// Rejected rows, in row order.
    pub rejects: Vec<Reject>,
}

impl LoadReport {
    /// Number of rejected rows per reason label (e.g. `"discharge_before_admission"`).
    #[must_use]
    pub fn rejects_by_reason(&self) -> BTreeMap<String, u64> {
        let mut m = BTreeMap::new();
        for r in &self.rejects {
            *m.entry(r.reason.label()).or_insert(0) += 1;
        }
        m
    }

    /// `rows_read == rows_loaded + rejects` (always true for reports hutano makes).
    #[must_use]
    pub fn balanced(&self) -> bool {
        self.rows_read == self.rows_loaded + self.rejects.len() as u64
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "rows read {}, loaded {}, rejected {}",
            self.rows_read,
            self.rows_loaded,
            self.rejects.len()
        )?;
        for (reason, n) in self.rejects_by_reason() {
            writeln!(f, "  {reason}: {n}")?;
        }
        Ok(())
    }
}

/// Load encounters from a CSV file into `network`.
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, [`Error::MissingColumn`] if a
/// mapped column is not in the header, [`Error::InvalidMapping`] for a mapping
/// that cannot apply to this network. Bad rows are not errors: they are in the
/// report.
pub fn load_encounters_csv(
    network: &mut Network,
    path: impl AsRef<Path>,
    mapping: &EncounterMapping,
) -> Result<LoadReport> {
    let table = source::read_csv_path(path.as_ref(), b',')?;
    load_table(network, table, mapping)
}

/// Load encounters from CSV text from any reader.
///
/// # Errors
/// As [`load_encounters_csv`].
pub fn load_encounters_csv_reader<R: std::io::Read>(
    network: &mut Network,
    reader: R,
    mapping: &EncounterMapping,
) -> Result<LoadReport> {
    let table = source::read_csv(reader, b',')?;
    load_table(network, table, mapping)
}

/// Load encounters from a sheet of an .xlsx workbook (the first sheet when
/// `sheet` is `None`). Cells stored as dates are read as such; text cells go
/// through the mapping's formats.
///
/// # Errors
/// As [`load_encounters_csv`], plus [`Error::Workbook`] and [`Error::SheetNotFound`].
#[cfg(feature = "xlsx")]
pub fn load_encounters_xlsx(
    network: &mut Network,
    path: impl AsRef<Path>,
    sheet: Option<&str>,
    mapping: &EncounterMapping,
) -> Result<LoadReport> {
    let table = source::read_xlsx_path(path.as_ref(), sheet)?;
    load_table(network, table, mapping)
}

type RowResult<T> = std::result::Result<T, (Option<String>, RejectReason)>;

/// Everything a load needs that does not change from row to row.
struct Plan<'m> {
    mapping: &'m EncounterMapping,
    cols: HashMap<String, usize>,
    admit: CompiledDate<'m>,
    discharge: Option<CompiledDate<'m>>,
    discharge_order: Option<CompiledDate<'m>>,
    billing_closed: Option<CompiledDate<'m>>,
    branch_codes: HashMap<&'m str, BranchId>,
    dept_codes: HashMap<&'m str, DepartmentId>,
    ward_codes: HashMap<&'m str, WardId>,
    staff_codes: HashMap<&'m str, crate::model::StaffId>,
}

/// One row being parsed.
struct RowCtx<'a> {
    fields: Fields<'a>,
    cols: &'a HashMap<String, usize>,
}

impl<'a> RowCtx<'a> {
    fn cell(&self, col: &str) -> CellRef<'a> {
        self.cols.get(col).map_or(CellRef::Empty, |&i| self.fields.get(i))
    }
    fn text(&self, col: &str) -> Option<Cow<'a, str>> {
        self.cell(col).text()
    }
    fn required(&self, col: &str) -> RowResult<Cow<'a, str>> {
        self.text(col)
            .ok_or_else(|| (Some(col.to_string()), RejectReason::MissingValue))
    }
    fn field<'f>(&self, f: &'f Field) -> RowResult<Cow<'f, str>>
    where
        'a: 'f,
    {
        match f {
            Field::Constant(v) => Ok(Cow::Borrowed(v.as_str())),
            Field::Column(c) => self.required(c),
        }
    }
    fn coded<T: Clone>(&self, c: &Coded<T>) -> RowResult<Option<T>> {
        match self.text(&c.column) {
            None => Ok(c.default.clone()),
            Some(code) => c
                .codes
                .get(&*code)
                .cloned()
                .map(Some)
                .ok_or_else(|| (Some(c.column.clone()), RejectReason::UnknownCode)),
        }
    }
    fn opt_coded<T: Clone>(&self, c: Option<&Coded<T>>) -> RowResult<Option<T>> {
        match c {
            Some(c) => self.coded(c),
            None => Ok(None),
        }
    }
    fn number(&self, col: &str) -> RowResult<Option<f64>> {
        let err = |r| (Some(col.to_string()), r);
        match self.cell(col) {
            CellRef::Empty => Ok(None),
            CellRef::Number(x) if x.is_finite() => Ok(Some(x)),
            CellRef::Number(_) | CellRef::DateTime(_) => Err(err(RejectReason::InvalidNumber)),
            CellRef::Text(s) => match s.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Some(x)),
                _ => Err(err(RejectReason::InvalidNumber)),
            },
        }
        .and_then(|x| match x {
            Some(v) if v < 0.0 => Err(err(RejectReason::NegativeAmount)),
            other => Ok(other),
        })
    }
    fn date(&self, f: &CompiledDate<'_>, tz: Tz, admit: Option<NaiveDateTime>) -> RowResult<Option<NaiveDateTime>> {
        let col = || Some(f.field.column.clone());
        let cands = match f.candidates(self.cell(&f.field.column), tz) {
            Ok(c) => c,
            Err(RejectReason::MissingValue) => return Ok(None),
            Err(r) => return Err((col(), r)),
        };
        let chosen = match &f.field.resolve {
            DateResolution::Reject => match cands.as_slice() {
                [one] => *one,
                _ => return Err((col(), RejectReason::AmbiguousDate)),
            },
            DateResolution::MatchesMonthColumn { column, format } => {
                dates::resolve_by_month(&cands, self.text(column).as_deref(), format).map_err(|r| (col(), r))?
            }
            DateResolution::EarliestOnOrAfterAdmission => {
                let a = admit.ok_or((col(), RejectReason::AmbiguousDate))?;
                *cands
                    .iter()
                    .find(|c| **c >= a)
                    .ok_or((col(), RejectReason::DischargeBeforeAdmission))?
            }
        };
        Ok(Some(chosen))
    }
}

/// Patients by pseudonym: those already in the network first, then new ones
/// in order of appearance.
struct Interner {
    ids: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, pseudonym: &str) -> PatientId {
        if let Some(&id) = self.ids.get(pseudonym) {
            return PatientId(id);
        }
        let id = crate::model::u32_index(self.ids.len());
        self.ids.insert(pseudonym.to_string(), id);
        PatientId(id)
    }

    /// Pseudonyms with ids from `from` on, in id order.
    fn new_since(self, from: usize) -> Vec<String> {
        let mut fresh: Vec<(u32, String)> = self
            .ids
            .into_iter()
            .filter(|(_, id)| *id as usize >= from)
            .map(|(p, id)| (id, p))
            .collect();
        fresh.sort_unstable_by_key(|(id, _)| *id);
        fresh.into_iter().map(|(_, p)| p).collect()
    }
}

/// Load a table. Shared by the CSV and Excel paths.
///
/// One pass per rule, in the order the report documents them: row parsing
/// (streamed), duplicate ids, overlapping stays, then the commit.
#[allow(clippy::too_many_lines)]
fn load_table(network: &mut Network, table: SourceTable<'_>, mapping: &EncounterMapping) -> Result<LoadReport> {
    let cols: HashMap<String, usize> = table.header().iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
    for c in mapping.columns() {
        if !cols.contains_key(c) {
            return Err(Error::MissingColumn { column: c.to_string() });
        }
    }
    if mapping.branch.is_none() && network.branches.len() != 1 {
        return Err(Error::InvalidMapping {
            field: "branch",
            problem: format!("network has {} branches; map the branch", network.branches.len()),
        });
    }
    let existing_patients = network.patients.len();
    let mut interner = Interner {
        ids: network
            .patients
            .iter()
            .enumerate()
            .map(|(i, p)| (p.pseudonym.clone(), crate::model::u32_index(i)))
            .collect(),
    };
    let mut rejects = Vec::new();
    let mut staged: Vec<Encounter> = Vec::new();
    let mut staged_rows: Vec<u64> = Vec::new();
    let mut staged_bills: Vec<(usize, Bill)> = Vec::new();
    let mut rows_read = 0u64;
    {
        let net: &Network = network;
        let plan = Plan {
            mapping,
            cols,
            admit: CompiledDate::new(&mapping.admit),
            discharge: mapping.discharge.as_ref().map(CompiledDate::new),
            discharge_order: mapping.discharge_order.as_ref().map(CompiledDate::new),
            billing_closed: mapping.billing_closed.as_ref().map(CompiledDate::new),
            branch_codes: code_map(net.branches.iter().map(|b| b.code.as_str()), BranchId),
            dept_codes: code_map(net.departments.iter().map(|d| d.code.as_str()), DepartmentId),
            ward_codes: code_map(net.wards.iter().map(|w| w.code.as_str()), WardId),
            staff_codes: code_map(net.staff.iter().map(|s| s.code.as_str()), crate::model::StaffId),
        };
        table.for_each(|row, fields| {
            rows_read += 1;
            let parsed = fields.map_err(|reason| (None, reason)).and_then(|fields| {
                let ctx = RowCtx {
                    fields,
                    cols: &plan.cols,
                };
                parse_row(net, &plan, &ctx, row, &mut interner)
            });
            match parsed {
                Ok((enc, bill)) => {
                    if let Some(b) = bill {
                        staged_bills.push((staged.len(), b));
                    }
                    staged.push(enc);
                    staged_rows.push(row);
                }
                Err((column, reason)) => rejects.push(Reject { row, column, reason }),
            }
        })?;
    }

    // Duplicate encounter ids: the first occurrence wins.
    let mut keep = vec![true; staged.len()];
    {
        let mut seen: HashMap<&str, u64> = network.encounters.iter().map(|e| (e.id.as_str(), 0)).collect();
        for (i, e) in staged.iter().enumerate() {
            if let Some(&first_row) = seen.get(e.id.as_str()) {
                keep[i] = false;
                rejects.push(Reject {
                    row: staged_rows[i],
                    column: mapping.encounter_id.clone(),
                    reason: RejectReason::DuplicateEncounterId { first_row },
                });
            } else {
                seen.insert(e.id.as_str(), staged_rows[i]);
            }
        }
    }

    // Overlapping stays of one patient: stays already in the network are
    // accepted; new stays are taken in (admission, row) order, and one that
    // starts before the latest accepted discharge, or at the same instant as
    // the latest accepted admission (one stay recorded twice, even when both
    // are empty same-day records), is rejected.
    let mut existing: HashMap<u32, Vec<(NaiveDateTime, NaiveDateTime)>> = HashMap::default();
    for e in &network.encounters {
        existing
            .entry(e.patient.0)
            .or_default()
            .push((e.admit, e.discharge.unwrap_or(NaiveDateTime::MAX)));
    }
    let mut order: Vec<u32> = (0..crate::model::u32_index(staged.len()))
        .filter(|&i| keep[i as usize])
        .collect();
    order.sort_unstable_by_key(|&i| {
        (
            staged[i as usize].patient,
            staged[i as usize].admit,
            staged_rows[i as usize],
        )
    });
    // (patient, latest accepted discharge, its row, latest accepted admission)
    let mut last: Option<(PatientId, NaiveDateTime, u64, NaiveDateTime)> = None;
    for &i in &order {
        let i = i as usize;
        let e = &staged[i];
        let (start, end) = (e.admit, e.discharge.unwrap_or(NaiveDateTime::MAX));
        let prev = last.filter(|l| l.0 == e.patient);
        let old = existing.get(&e.patient.0).map_or(&[][..], Vec::as_slice);
        let clash_old = old.iter().any(|&(a, d)| (start < d && a < end) || a == start);
        let clash_new = prev.filter(|&(_, d, _, a)| start < d || start == a);
        if clash_old || clash_new.is_some() {
            keep[i] = false;
            rejects.push(Reject {
                row: staged_rows[i],
                column: None,
                reason: RejectReason::OverlappingStay {
                    other_row: clash_new.map_or(0, |(_, _, r, _)| r),
                },
            });
        } else {
            let (d, r) = match prev {
                Some((_, d, r, _)) if d >= end => (d, r),
                _ => (end, staged_rows[i]),
            };
            last = Some((e.patient, d, r, start));
        }
    }
    drop(existing);
    drop(order);

    // Commit the kept rows in row order, without copying when the network
    // had no encounters.
    let base = network.encounters.len();
    let mut new_index = vec![u32::MAX; staged.len()];
    let mut next = 0u32;
    for (i, k) in keep.iter().enumerate() {
        if *k {
            new_index[i] = next;
            next += 1;
        }
    }
    let mut flags = keep.iter();
    staged.retain(|_| flags.next().copied().unwrap_or(false));
    let loaded = staged.len() as u64;
    if network.encounters.is_empty() {
        network.encounters = staged;
    } else {
        network.encounters.append(&mut staged);
    }
    for (i, mut b) in staged_bills {
        if new_index[i] != u32::MAX {
            b.encounter = EncounterId(crate::model::u32_index(base + new_index[i] as usize));
            network.bills.push(b);
        }
    }
    network.patients.extend(
        interner
            .new_since(existing_patients)
            .into_iter()
            .map(|pseudonym| Patient { pseudonym }),
    );
    rejects.sort_by_key(|r| r.row);
    let report = LoadReport {
        rows_read,
        rows_loaded: loaded,
        rejects,
    };
    debug_assert!(report.balanced());
    Ok(report)
}

fn code_map<'a, T>(codes: impl Iterator<Item = &'a str>, wrap: impl Fn(u32) -> T) -> HashMap<&'a str, T> {
    codes
        .enumerate()
        .map(|(i, c)| (c, wrap(crate::model::u32_index(i))))
        .collect()
}

/// Parse one row into an encounter (and its bill); the first failing field rejects it.
#[allow(clippy::too_many_lines)]
fn parse_row(
    network: &Network,
    plan: &Plan<'_>,
    ctx: &RowCtx<'_>,
    row: u64,
    interner: &mut Interner,
) -> RowResult<(Encounter, Option<Bill>)> {
    let m = plan.mapping;
    let col_of = |f: &Field| match f {
        Field::Column(c) => Some(c.clone()),
        Field::Constant(_) => None,
    };
    let patient_text = ctx.required(&m.patient_id)?;
    let id = match &m.encounter_id {
        Some(c) => ctx.required(c)?.into_owned(),
        None => row.to_string(),
    };
    let branch = match &m.branch {
        None => BranchId(0),
        Some(f) => {
            let code = ctx.field(f)?;
            *plan
                .branch_codes
                .get(&*code)
                .ok_or((col_of(f), RejectReason::UnknownBranch))?
        }
    };
    let tz = network.branches[branch.index()].timezone;
    let dept_code = ctx.field(&m.department)?;
    let department = *plan
        .dept_codes
        .get(&*dept_code)
        .filter(|d| network.departments[d.index()].branch == branch)
        .ok_or((col_of(&m.department), RejectReason::UnknownDepartment))?;
    let ward = match &m.ward {
        None => None,
        Some(f) => match ctx.field(f) {
            Err((_, RejectReason::MissingValue)) => None,
            Err(e) => return Err(e),
            Ok(code) => Some(
                *plan
                    .ward_codes
                    .get(&*code)
                    .filter(|w| network.wards[w.index()].department == department)
                    .ok_or((col_of(f), RejectReason::UnknownWard))?,
            ),
        },
    };
    let admit = ctx
        .date(&plan.admit, tz, None)?
        .ok_or((Some(m.admit.column.clone()), RejectReason::MissingValue))?;
    let discharge = match &plan.discharge {
        None => None,
        Some(f) => ctx.date(f, tz, Some(admit))?,
    };
    if let (Some(d), Some(f)) = (discharge, &m.discharge) {
        if d < admit {
            return Err((Some(f.column.clone()), RejectReason::DischargeBeforeAdmission));
        }
    }
    let opt_date = |f: &Option<CompiledDate<'_>>| -> RowResult<Option<NaiveDateTime>> {
        match f {
            None => Ok(None),
            Some(f) => ctx.date(f, tz, Some(admit)),
        }
    };
    let discharge_order = opt_date(&plan.discharge_order)?;
    let billing_closed = opt_date(&plan.billing_closed)?;
    let bed_type = match &m.bed_type {
        Some(c) => ctx.coded(c)?.unwrap_or(BedType::General),
        None => BedType::General,
    };
    let admission_type = match &m.admission_type {
        Some(c) => ctx
            .coded(c)?
            .ok_or((Some(c.column.clone()), RejectReason::MissingValue))?,
        None => AdmissionType::Emergency,
    };
    let outcome: Option<Outcome> = ctx.opt_coded(m.outcome.as_ref())?;
    let outcome = if discharge.is_some() { outcome } else { None };
    let sex: Option<Sex> = ctx.opt_coded(m.sex.as_ref())?;
    let payer: Option<Payer> = ctx.opt_coded(m.payer.as_ref())?;
    let residence: Option<Residence> = ctx.opt_coded(m.residence.as_ref())?;
    let planned: Option<bool> = ctx.opt_coded(m.planned_readmission.as_ref())?;
    let opt_num = |c: &Option<String>| match c {
        Some(c) => ctx.number(c),
        None => Ok(None),
    };
    let age = opt_num(&m.age)?;
    let age = match (age, &m.age) {
        (Some(a), Some(col)) if a > 130.0 => return Err((Some(col.clone()), RejectReason::InvalidNumber)),
        // In 0..=130 here, so the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        (Some(a), _) => Some(a.round() as u16),
        (None, _) => None,
    };
    let icu_days = opt_num(&m.icu_days)?;
    let attending = match &m.attending {
        None => None,
        Some(c) => match ctx.text(c) {
            None => None,
            Some(code) => Some(
                *plan
                    .staff_codes
                    .get(&*code)
                    .ok_or((Some(c.clone()), RejectReason::UnknownStaff))?,
            ),
        },
    };
    let bill = match &m.billing {
        None => None,
        Some(b) => match ctx.number(&b.charges)? {
            None => None,
            Some(charges) => Some(Bill {
                encounter: EncounterId(0),
                payer: payer.unwrap_or(Payer::SelfPay),
                charges,
                cost: opt_num(&b.cost)?.unwrap_or(0.0),
                discount: opt_num(&b.discount)?.unwrap_or(0.0),
                paid: opt_num(&b.paid)?.unwrap_or(0.0),
            }),
        },
    };
    // Interned last, so that a rejected row adds no patient.
    let patient = interner.intern(&patient_text);
    let enc = Encounter {
        id,
        patient,
        branch,
        admit,
        discharge,
        admission_type,
        placements: vec![Placement {
            start: admit,
            department,
            ward,
            bed_type,
        }],
        diagnosis_code: m.diagnosis_code.as_ref().and_then(|c| ctx.text(c)).map(Cow::into_owned),
        diagnosis_category: m
            .diagnosis_category
            .as_ref()
            .and_then(|c| ctx.text(c))
            .map(Cow::into_owned),
        age,
        sex: sex.unwrap_or_default(),
        payer,
        residence,
        outcome,
        attending,
        discharge_order,
        billing_closed,
        planned_readmission: planned.unwrap_or(false),
        icu_days,
    };
    Ok((enc, bill))
}

/// A site file: the skeleton of a network (its branches and departments)
/// and the mapping of its encounter export, as one JSON document (see
/// `examples/sites/hdhi.json`). What the command line, the Python package
/// and the C library load a hospital's file with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    /// Network name.
    pub name: String,
    /// Branches (hospitals).
    pub branches: Vec<crate::model::Branch>,
    /// Departments.
    pub departments: Vec<crate::model::Department>,
    /// How the export's columns map to encounters.
    pub mapping: EncounterMapping,
    /// Sheet of an .xlsx workbook (the first when absent).
    #[serde(default)]
    pub sheet: Option<String>,
}

impl Site {
    /// Read a site from JSON.
    ///
    /// # Errors
    /// [`Error::MappingSyntax`] when the JSON does not describe a site.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::MappingSyntax { message: e.to_string() })
    }

    /// An empty network with the site's branches and departments.
    #[must_use]
    pub fn network(&self) -> Network {
        let mut net = Network::new(self.name.clone());
        net.branches.clone_from(&self.branches);
        net.departments.clone_from(&self.departments);
        net
    }

    /// Load a CSV file, or an .xlsx workbook (by its extension, with the
    /// `xlsx` feature), into a new network of the site.
    ///
    /// # Errors
    /// As [`load_encounters_csv`] and [`load_encounters_xlsx`];
    /// [`Error::InvalidParameter`] for an .xlsx file without the `xlsx`
    /// feature.
    pub fn load(&self, path: impl AsRef<Path>) -> Result<(Network, LoadReport)> {
        let path = path.as_ref();
        let mut net = self.network();
        let is_xlsx = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let report = if is_xlsx {
            #[cfg(feature = "xlsx")]
            {
                load_encounters_xlsx(&mut net, path, self.sheet.as_deref(), &self.mapping)?
            }
            #[cfg(not(feature = "xlsx"))]
            {
                return Err(Error::InvalidParameter {
                    name: "path",
                    problem: "reading .xlsx needs hutano-core's xlsx feature".into(),
                });
            }
        } else {
            load_encounters_csv(&mut net, path, &self.mapping)?
        };
        Ok((net, report))
    }

    /// Load CSV text into a new network of the site.
    ///
    /// # Errors
    /// As [`load_encounters_csv_reader`].
    pub fn load_csv_reader<R: std::io::Read>(&self, reader: R) -> Result<(Network, LoadReport)> {
        let mut net = self.network();
        let report = load_encounters_csv_reader(&mut net, reader, &self.mapping)?;
        Ok((net, report))
    }
}
