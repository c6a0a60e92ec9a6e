//! The hospital-network data model.
//!
//! A [`Network`] owns flat tables (branches, departments, wards, beds, staff,
//! shifts, patients, encounters, procedures, bills, medicines, stock events,
//! ambulances). Rows refer to each other by typed indices (`BranchId`,
//! `DepartmentId`, ...), which are positions in the owning table, so a network
//! serialises to JSON without pointers and the KPI engine can work on dense
//! integer codes.
//!
//! # Time
//! Every timestamp of an encounter, shift, procedure or bill is the
//! **wall-clock time of the branch it belongs to** ([`Branch::timezone`], an
//! IANA zone). Midnight census, "discharge before noon" and peak hours are
//! therefore local. Use [`Network::to_utc`] to get the instant; ingestion of
//! timestamps that carry an offset converts them into the branch's zone.
//!
//! # Patient identifiers
//! [`Patient::pseudonym`] is the only patient identifier held. It is never
//! written to an error message or a log line: errors refer to rows by number.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub u32);

        impl $name {
            /// The position of the row in its owning table.
            #[must_use]
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// Index into [`Network::branches`].
    BranchId
);
id_type!(
    /// Index into [`Network::departments`].
    DepartmentId
);
id_type!(
    /// Index into [`Network::wards`].
    WardId
);
id_type!(
    /// Index into [`Network::staff`].
    StaffId
);
id_type!(
    /// Index into [`Network::patients`].
    PatientId
);
id_type!(
    /// Index into [`Network::encounters`].
    EncounterId
);
id_type!(
    /// Index into [`Network::medicines`].
    MedicineId
);

/// Kind of hospital, from a rural mission hospital to a national referral centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchKind {
    /// National or central referral hospital.
    Central,
    /// Provincial or regional hospital.
    Provincial,
    /// District hospital.
    District,
    /// Rural mission hospital.
    Mission,
    /// Private multi-specialty hospital.
    Private,
}

/// A hospital (branch) of the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    /// Short code, unique in the network (e.g. `"HRE"`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Kind of hospital.
    pub kind: BranchKind,
    /// IANA time zone of the branch; all its local timestamps are in this zone.
    pub timezone: Tz,
    /// Whether the branch serves a rural catchment.
    pub rural: bool,
    /// Latitude and longitude in degrees, where known.
    pub location: Option<(f64, f64)>,
}

/// A clinical department of one branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Department {
    /// Code unique in the network (e.g. `"HRE-MED"`).
    pub code: String,
    /// Display name (e.g. `"Medicine"`); may repeat across branches.
    pub name: String,
    /// Owning branch.
    pub branch: BranchId,
}

/// A ward of one department.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ward {
    /// Code unique in the network (e.g. `"HRE-MED-W1"`).
    pub code: String,
    /// Display name.
    pub name: String,
    /// Owning department.
    pub department: DepartmentId,
}

/// Type of bed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BedType {
    /// General ward bed.
    General,
    /// Private room.
    Private,
    /// Intensive care.
    Icu,
    /// High-dependency unit.
    Hdu,
    /// Maternity.
    Maternity,
    /// Isolation.
    Isolation,
}

impl BedType {
    /// All bed types, in code order.
    pub const ALL: [BedType; 6] = [
        BedType::General,
        BedType::Private,
        BedType::Icu,
        BedType::Hdu,
        BedType::Maternity,
        BedType::Isolation,
    ];

    /// The snake-case label used in tables and mappings.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            BedType::General => "general",
            BedType::Private => "private",
            BedType::Icu => "icu",
            BedType::Hdu => "hdu",
            BedType::Maternity => "maternity",
            BedType::Isolation => "isolation",
        }
    }
}

/// A block of identical beds in a ward, in service over a half-open date range.
///
/// Capacity that changes over time is several blocks: e.g. 20 beds from
/// January and 4 more from 15 March is two blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BedBlock {
    /// Ward the beds are in.
    pub ward: WardId,
    /// Type of the beds.
    pub bed_type: BedType,
    /// Number of beds in the block.
    pub count: u32,
    /// Whether the beds can take a ventilated patient.
    pub ventilator_capable: bool,
    /// First day in service (inclusive); `None` means always.
    pub in_service_from: Option<NaiveDate>,
    /// First day out of service (exclusive); `None` means still in service.
    pub in_service_until: Option<NaiveDate>,
}

impl BedBlock {
    /// Whether the block is in service on `day`.
    #[must_use]
    pub fn in_service_on(&self, day: NaiveDate) -> bool {
        self.in_service_from.is_none_or(|f| f <= day) && self.in_service_until.is_none_or(|u| day < u)
    }
}

/// Staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Doctor (any grade).
    Doctor,
    /// Registered nurse or midwife.
    Nurse,
    /// Clinical officer.
    ClinicalOfficer,
    /// Pharmacist.
    Pharmacist,
    /// Laboratory or imaging technician.
    Technician,
    /// Support staff (porters, cleaners).
    Support,
    /// Administrative staff.
    Admin,
}

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Staff {
    /// Code unique in the network.
    pub code: String,
    /// Role.
    pub role: StaffRole,
    /// Home branch.
    pub branch: BranchId,
    /// Home department, if any.
    pub department: Option<DepartmentId>,
    /// Contracted hours per week.
    pub contracted_hours_per_week: f64,
    /// Skills (e.g. `"icu"`, `"theatre"`).
    pub skills: Vec<String>,
}

/// Kind of shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShiftKind {
    /// Day shift.
    Day,
    /// Evening shift.
    Evening,
    /// Night shift.
    Night,
    /// On call.
    OnCall,
}

/// A scheduled shift of one member of staff, `[start, end)` local time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shift {
    /// Who works the shift.
    pub staff: StaffId,
    /// Where.
    pub department: DepartmentId,
    /// Start, branch-local.
    pub start: NaiveDateTime,
    /// End (exclusive), branch-local.
    pub end: NaiveDateTime,
    /// Kind of shift.
    pub kind: ShiftKind,
}

/// Sex as recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Other.
    Other,
    /// Not recorded.
    #[default]
    Unknown,
}

/// Where the patient lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Residence {
    /// Rural.
    Rural,
    /// Urban.
    Urban,
}

/// A patient, known only by a pseudonym.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patient {
    /// Pseudonymous identifier (e.g. a medical-record number). Never logged.
    pub pseudonym: String,
}

/// How the patient came to be admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdmissionType {
    /// Unplanned, through the emergency department.
    Emergency,
    /// Planned.
    Elective,
    /// Transferred in from another hospital.
    TransferIn,
    /// Admitted and discharged the same day by plan.
    DayCase,
}

/// Who pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payer {
    /// Government scheme or public insurance.
    Government,
    /// Private insurance.
    Private,
    /// Employer (corporate) scheme.
    Corporate,
    /// The patient.
    SelfPay,
}

/// Outcome at the end of the stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Discharged recovered.
    Recovered,
    /// Discharged improved.
    Improved,
    /// Transferred to another acute hospital.
    Transferred,
    /// Left against medical advice.
    LeftAgainstAdvice,
    /// Died in hospital.
    Deceased,
}

/// Where the patient was from `start` until the next placement (or discharge).
///
/// An encounter's first placement starts at admission; each further placement
/// is a transfer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    /// Start of this placement, branch-local.
    pub start: NaiveDateTime,
    /// Department responsible.
    pub department: DepartmentId,
    /// Ward, where known.
    pub ward: Option<WardId>,
    /// Type of bed occupied.
    pub bed_type: BedType,
}

/// One inpatient stay: admission, transfers, discharge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encounter {
    /// Source identifier of the encounter (unique in the network).
    pub id: String,
    /// The patient.
    pub patient: PatientId,
    /// The branch.
    pub branch: BranchId,
    /// Admission time, branch-local.
    pub admit: NaiveDateTime,
    /// Discharge (bed release) time, branch-local; `None` while in hospital.
    pub discharge: Option<NaiveDateTime>,
    /// Admission type.
    pub admission_type: AdmissionType,
    /// Placements in time order; never empty; the first starts at `admit`.
    pub placements: Vec<Placement>,
    /// Diagnosis code (e.g. ICD-10), where known.
    pub diagnosis_code: Option<String>,
    /// Diagnosis category used for grouping (e.g. `"cardiac"`).
    pub diagnosis_category: Option<String>,
    /// Age in whole years at admission.
    pub age: Option<u16>,
    /// Sex.
    pub sex: Sex,
    /// Payer.
    pub payer: Option<Payer>,
    /// Rural or urban residence, where recorded.
    pub residence: Option<Residence>,
    /// Outcome; `None` while in hospital.
    pub outcome: Option<Outcome>,
    /// Attending doctor.
    pub attending: Option<StaffId>,
    /// When the discharge order was written, branch-local.
    pub discharge_order: Option<NaiveDateTime>,
    /// When the bill was closed, branch-local.
    pub billing_closed: Option<NaiveDateTime>,
    /// This admission was planned as a readmission (excluded from readmission KPIs).
    pub planned_readmission: bool,
    /// Stated time in intensive care, in days, where the source records it
    /// separately from placements.
    pub icu_days: Option<f64>,
}

impl Encounter {
    /// The placement current at the end of the stay (the discharging department).
    #[must_use]
    pub fn last_placement(&self) -> &Placement {
        // Invariant: placements is never empty (checked by `Network::validate`).
        &self.placements[self.placements.len() - 1]
    }

    /// The admitting placement.
    #[must_use]
    pub fn first_placement(&self) -> &Placement {
        &self.placements[0]
    }
}

/// A procedure performed during an encounter.
///
/// An episode of invasive mechanical ventilation is a procedure too (no
/// separate table): its code is one of [`VENTILATION_CODES`],
/// `performed_at` is the start of the episode and `duration_minutes` its
/// length (see [`Procedure::is_ventilation`], [`Network::ventilation_episodes`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    /// The encounter.
    pub encounter: EncounterId,
    /// Procedure code.
    pub code: String,
    /// Name.
    pub name: String,
    /// When, branch-local.
    pub performed_at: NaiveDateTime,
    /// Who performed it.
    pub performer: Option<StaffId>,
    /// Booked duration in minutes; for a ventilation episode, its length.
    pub duration_minutes: f64,
    /// Cost to the hospital.
    pub cost: f64,
    /// Amount charged.
    pub charge: f64,
}

/// Procedure codes that record an episode of invasive mechanical
/// ventilation: [`Procedure::performed_at`] is the start of the episode and
/// [`Procedure::duration_minutes`] its length.
///
/// - `5A1935Z`, `5A1945Z`, `5A1955Z`: ICD-10-PCS "Respiratory Ventilation"
///   for less than 24, 24 to 96, and more than 96 consecutive hours (CMS,
///   ICD-10-PCS tables, section 5 "Extracorporeal or Systemic Assistance and
///   Performance", body system A, operation 1 "Performance"; see
///   [`ventilation_code`] for the choice by length);
/// - `40617009`: SNOMED CT "Artificial respiration (procedure)", for
///   sources coded in SNOMED CT.
///
/// [`Procedure::is_ventilation`] compares codes ignoring ASCII case and
/// surrounding white space.
pub const VENTILATION_CODES: [&str; 4] = ["5A1935Z", "5A1945Z", "5A1955Z", "40617009"];

/// The ICD-10-PCS respiratory-ventilation code for an episode of `minutes`:
/// `5A1935Z` below 24 hours, `5A1945Z` from 24 to 96 hours (inclusive),
/// `5A1955Z` above 96 hours. A non-finite length gets `5A1955Z` if it is
/// `+∞` and `5A1935Z` otherwise.
///
/// ```
/// use hutano_core::model::ventilation_code;
/// assert_eq!(ventilation_code(600.0), "5A1935Z");
/// assert_eq!(ventilation_code(24.0 * 60.0), "5A1945Z");
/// assert_eq!(ventilation_code(5.0 * 1440.0), "5A1955Z");
/// ```
#[must_use]
pub fn ventilation_code(minutes: f64) -> &'static str {
    if minutes > 96.0 * 60.0 {
        VENTILATION_CODES[2]
    } else if minutes >= 24.0 * 60.0 {
        VENTILATION_CODES[1]
    } else {
        VENTILATION_CODES[0]
    }
}

impl Procedure {
    /// Whether the procedure is an episode of invasive mechanical
    /// ventilation (its code is one of [`VENTILATION_CODES`]).
    #[must_use]
    pub fn is_ventilation(&self) -> bool {
        let code = self.code.trim();
        VENTILATION_CODES.iter().any(|c| c.eq_ignore_ascii_case(code))
    }

    /// The end of a ventilation episode: [`Procedure::performed_at`] plus
    /// [`Procedure::duration_minutes`] (rounded to the minute). `None` when
    /// the procedure is not a ventilation, or its length is not finite or
    /// beyond a million years. A negative length gives an end before the
    /// start, which [`Network::validate`] reports.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::{EncounterId, Procedure};
    ///
    /// let start = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap().and_hms_opt(14, 0, 0).unwrap();
    /// let vent = Procedure {
    ///     encounter: EncounterId(0),
    ///     code: "5A1945Z".into(),
    ///     name: "Respiratory ventilation, 24-96 consecutive hours".into(),
    ///     performed_at: start,
    ///     performer: None,
    ///     duration_minutes: 2.0 * 1440.0,
    ///     cost: 0.0,
    ///     charge: 0.0,
    /// };
    /// assert!(vent.is_ventilation());
    /// assert_eq!(vent.ventilation_end(), Some(start + chrono::TimeDelta::days(2)));
    /// ```
    #[must_use]
    pub fn ventilation_end(&self) -> Option<NaiveDateTime> {
        /// About a million years in minutes: any longer length is an error.
        const MAX_MINUTES: f64 = 5.3e11;
        if !self.is_ventilation() || !self.duration_minutes.is_finite() || self.duration_minutes.abs() > MAX_MINUTES {
            return None;
        }
        // In range by the check above, so the cast neither saturates nor wraps.
        #[allow(clippy::cast_possible_truncation)]
        let minutes = self.duration_minutes.round() as i64;
        self.performed_at.checked_add_signed(TimeDelta::try_minutes(minutes)?)
    }
}

/// One episode of invasive mechanical ventilation, from a procedure row
/// ([`Network::ventilation_episodes`]): the ventilator is in use over
/// `[start, end)`, branch-local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VentilationEpisode {
    /// Row of the procedure in [`Network::procedures`].
    pub procedure: usize,
    /// The encounter ventilated.
    pub encounter: EncounterId,
    /// The encounter's branch.
    pub branch: BranchId,
    /// Start of the episode.
    pub start: NaiveDateTime,
    /// End of the episode (exclusive), never after the encounter's discharge.
    pub end: NaiveDateTime,
}

/// A bill for an encounter. Amounts are in the network's currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bill {
    /// The encounter billed.
    pub encounter: EncounterId,
    /// Who is billed.
    pub payer: Payer,
    /// Gross charges.
    pub charges: f64,
    /// Cost to the hospital of the care billed.
    pub cost: f64,
    /// Discount or write-off granted.
    pub discount: f64,
    /// Amount received.
    pub paid: f64,
}

/// A medicine stocked by a branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Medicine {
    /// Code unique in the network.
    pub code: String,
    /// Name.
    pub name: String,
    /// Unit of issue (e.g. `"vial"`).
    pub unit: String,
    /// Branch that holds the stock.
    pub branch: BranchId,
}

/// What happened to a medicine's stock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StockMovement {
    /// A receipt of a batch.
    Receipt {
        /// Units received.
        quantity: f64,
        /// Expiry date of the batch.
        expiry: NaiveDate,
        /// Cost per unit.
        unit_cost: f64,
    },
    /// Units issued to patients.
    Consumption {
        /// Units consumed.
        quantity: f64,
    },
    /// Units discarded because they expired.
    Expired {
        /// Units discarded.
        quantity: f64,
    },
    /// A stock count: the quantity on hand after counting.
    Count {
        /// Units on hand.
        on_hand: f64,
    },
}

/// A dated stock movement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockEvent {
    /// The medicine.
    pub medicine: MedicineId,
    /// The day.
    pub date: NaiveDate,
    /// The movement.
    pub movement: StockMovement,
}

/// Kind of ambulance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmbulanceKind {
    /// Basic life support.
    BasicLifeSupport,
    /// Advanced life support.
    AdvancedLifeSupport,
}

/// An ambulance based at a branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ambulance {
    /// Code unique in the network.
    pub code: String,
    /// Base branch.
    pub branch: BranchId,
    /// Kind.
    pub kind: AmbulanceKind,
    /// Whether it is in service.
    pub in_service: bool,
}

/// A hospital network and everything recorded about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Name of the network.
    pub name: String,
    /// Hospitals.
    pub branches: Vec<Branch>,
    /// Departments.
    pub departments: Vec<Department>,
    /// Wards.
    pub wards: Vec<Ward>,
    /// Bed capacity over time.
    pub beds: Vec<BedBlock>,
    /// Staff.
    pub staff: Vec<Staff>,
    /// Scheduled shifts.
    pub shifts: Vec<Shift>,
    /// Patients (pseudonymous).
    pub patients: Vec<Patient>,
    /// Inpatient encounters.
    pub encounters: Vec<Encounter>,
    /// Procedures.
    pub procedures: Vec<Procedure>,
    /// Bills.
    pub bills: Vec<Bill>,
    /// Medicines.
    pub medicines: Vec<Medicine>,
    /// Stock movements.
    pub stock_events: Vec<StockEvent>,
    /// Ambulances.
    pub ambulances: Vec<Ambulance>,
}

impl Network {
    /// An empty network.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    /// Add a branch and return its id.
    pub fn add_branch(&mut self, branch: Branch) -> BranchId {
        self.branches.push(branch);
        BranchId(u32_index(self.branches.len() - 1))
    }

    /// Add a department of `branch` and return its id.
    pub fn add_department(
        &mut self,
        branch: BranchId,
        code: impl Into<String>,
        name: impl Into<String>,
    ) -> DepartmentId {
        self.departments.push(Department {
            code: code.into(),
            name: name.into(),
            branch,
        });
        DepartmentId(u32_index(self.departments.len() - 1))
    }

    /// Add a ward of `department` and return its id.
    pub fn add_ward(&mut self, department: DepartmentId, code: impl Into<String>, name: impl Into<String>) -> WardId {
        self.wards.push(Ward {
            code: code.into(),
            name: name.into(),
            department,
        });
        WardId(u32_index(self.wards.len() - 1))
    }

    /// Find a branch by code.
    #[must_use]
    pub fn branch_by_code(&self, code: &str) -> Option<BranchId> {
        self.branches
            .iter()
            .position(|b| b.code == code)
            .map(|i| BranchId(u32_index(i)))
    }

    /// Find a department by code.
    #[must_use]
    pub fn department_by_code(&self, code: &str) -> Option<DepartmentId> {
        self.departments
            .iter()
            .position(|d| d.code == code)
            .map(|i| DepartmentId(u32_index(i)))
    }

    /// Find a ward by code.
    #[must_use]
    pub fn ward_by_code(&self, code: &str) -> Option<WardId> {
        self.wards
            .iter()
            .position(|w| w.code == code)
            .map(|i| WardId(u32_index(i)))
    }

    /// The branch a department belongs to.
    #[must_use]
    pub fn branch_of_department(&self, department: DepartmentId) -> BranchId {
        self.departments[department.index()].branch
    }

    /// Convert a branch-local wall-clock time to UTC.
    ///
    /// # Errors
    /// [`Error::NonexistentLocalTime`] when the local time falls in a
    /// daylight-saving gap of the branch's zone. An ambiguous local time (the
    /// repeated hour when clocks go back) resolves to the earlier instant.
    pub fn to_utc(&self, branch: BranchId, local: NaiveDateTime) -> Result<DateTime<Utc>> {
        let tz = self.branches[branch.index()].timezone;
        tz.from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or(Error::NonexistentLocalTime {
                timezone: tz.name().to_string(),
            })
    }

    fn check_encounter(&self, i: usize, e: &Encounter) -> Result<()> {
        let bad = |table: &'static str, row: usize, problem: &'static str| Error::Inconsistent { table, row, problem };
        if e.patient.index() >= self.patients.len() {
            return Err(bad("encounters", i, "patient out of range"));
        }
        if e.branch.index() >= self.branches.len() {
            return Err(bad("encounters", i, "branch out of range"));
        }
        if e.placements.is_empty() {
            return Err(bad("encounters", i, "no placement"));
        }
        if e.placements[0].start != e.admit {
            return Err(bad("encounters", i, "first placement does not start at admission"));
        }
        if e.discharge.is_some_and(|d| d < e.admit) {
            return Err(bad("encounters", i, "discharge before admission"));
        }
        for w in e.placements.windows(2) {
            if w[1].start < w[0].start {
                return Err(bad("encounters", i, "placements out of time order"));
            }
        }
        for p in &e.placements {
            if p.department.index() >= self.departments.len() {
                return Err(bad("encounters", i, "department out of range"));
            }
            if self.departments[p.department.index()].branch != e.branch {
                return Err(bad("encounters", i, "department of another branch"));
            }
            if p.ward.is_some_and(|w| w.index() >= self.wards.len()) {
                return Err(bad("encounters", i, "ward out of range"));
            }
            if e.discharge.is_some_and(|d| p.start > d) {
                return Err(bad("encounters", i, "placement after discharge"));
            }
        }
        if e.attending.is_some_and(|s| s.index() >= self.staff.len()) {
            return Err(bad("encounters", i, "attending doctor out of range"));
        }
        Ok(())
    }

    /// Check ventilation procedure `i` ([`Procedure::is_ventilation`]) and
    /// return its episode, its end clipped to the encounter's discharge.
    fn ventilation_episode(&self, i: usize, p: &Procedure) -> Result<VentilationEpisode> {
        let bad = |problem: &'static str| Error::Inconsistent {
            table: "procedures",
            row: i,
            problem,
        };
        let e = self
            .encounters
            .get(p.encounter.index())
            .ok_or_else(|| bad("encounter out of range"))?;
        let start = p.performed_at;
        let end = p
            .ventilation_end()
            .ok_or_else(|| bad("ventilation length is not a finite number of minutes"))?;
        if end < start {
            return Err(bad("ventilation ends before it starts"));
        }
        if start < e.admit || e.discharge.is_some_and(|d| start > d) {
            return Err(bad("ventilation starts outside its encounter's stay"));
        }
        Ok(VentilationEpisode {
            procedure: i,
            encounter: p.encounter,
            branch: e.branch,
            start,
            end: e.discharge.map_or(end, |d| end.min(d)),
        })
    }

    /// Every episode of invasive mechanical ventilation: the procedures
    /// whose code is in [`VENTILATION_CODES`], in table order, each with
    /// its encounter's branch, start ([`Procedure::performed_at`]) and end
    /// ([`Procedure::ventilation_end`]). An end after the encounter's
    /// discharge is clipped to the discharge (no ventilator is in use for a
    /// patient who has left). An episode of an encounter still in hospital
    /// keeps its recorded end, which may lie after the last recorded day.
    ///
    /// ```
    /// use hutano_core::generate::{generate, GeneratorConfig};
    ///
    /// let net = generate(&GeneratorConfig::india_four_branch(1).days(30))?;
    /// let episodes = net.ventilation_episodes()?;
    /// assert!(!episodes.is_empty());
    /// assert!(episodes.iter().all(|v| v.start <= v.end));
    /// # Ok::<(), hutano_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Inconsistent`] naming the procedure row (never a patient)
    /// of the first episode whose encounter is out of range, whose length
    /// is not a finite number of minutes, that ends before it starts, or
    /// that starts before admission or after discharge.
    pub fn ventilation_episodes(&self) -> Result<Vec<VentilationEpisode>> {
        self.procedures
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_ventilation())
            .map(|(i, p)| self.ventilation_episode(i, p))
            .collect()
    }

    /// Check the network's internal consistency: every index in range, every
    /// encounter with at least one placement starting at admission, placements
    /// in time order and inside the stay, discharge not before admission,
    /// every ventilation episode ([`Network::ventilation_episodes`]) with a
    /// finite length, not ending before it starts and starting inside its
    /// encounter's stay.
    ///
    /// # Errors
    /// [`Error::Inconsistent`] naming the table and row of the first problem.
    pub fn validate(&self) -> Result<()> {
        let bad = |table: &'static str, row: usize, problem: &'static str| Error::Inconsistent { table, row, problem };
        for (i, d) in self.departments.iter().enumerate() {
            if d.branch.index() >= self.branches.len() {
                return Err(bad("departments", i, "branch out of range"));
            }
        }
        for (i, w) in self.wards.iter().enumerate() {
            if w.department.index() >= self.departments.len() {
                return Err(bad("wards", i, "department out of range"));
            }
        }
        for (i, b) in self.beds.iter().enumerate() {
            if b.ward.index() >= self.wards.len() {
                return Err(bad("beds", i, "ward out of range"));
            }
        }
        // The first inconsistent encounter (by position), found in parallel
        // with the `parallel` feature.
        #[cfg(feature = "parallel")]
        let first_bad = {
            use rayon::prelude::*;
            self.encounters
                .par_iter()
                .enumerate()
                .find_first(|(i, e)| self.check_encounter(*i, e).is_err())
        };
        #[cfg(not(feature = "parallel"))]
        let first_bad = self
            .encounters
            .iter()
            .enumerate()
            .find(|(i, e)| self.check_encounter(*i, e).is_err());
        if let Some((i, e)) = first_bad {
            return self.check_encounter(i, e);
        }
        for (i, p) in self.procedures.iter().enumerate() {
            if p.encounter.index() >= self.encounters.len() {
                return Err(bad("procedures", i, "encounter out of range"));
            }
            if p.is_ventilation() {
                self.ventilation_episode(i, p)?;
            }
        }
        for (i, b) in self.bills.iter().enumerate() {
            if b.encounter.index() >= self.encounters.len() {
                return Err(bad("bills", i, "encounter out of range"));
            }
        }
        for (i, s) in self.shifts.iter().enumerate() {
            if s.staff.index() >= self.staff.len() || s.end < s.start {
                return Err(bad("shifts", i, "staff out of range or end before start"));
            }
        }
        for (i, s) in self.stock_events.iter().enumerate() {
            if s.medicine.index() >= self.medicines.len() {
                return Err(bad("stock_events", i, "medicine out of range"));
            }
        }
        Ok(())
    }
}

/// Convert a table position to a `u32` id.
///
/// Tables are limited to `u32::MAX` rows; a larger table is a programming
/// error far beyond any hospital network, so this saturates rather than wraps.
pub(crate) fn u32_index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// The serialised (`snake_case`) name of a unit enum value, e.g.
/// `AdmissionType::Emergency` → `"emergency"`; empty for a value that does
/// not serialise to a string.
///
/// ```
/// use hutano_core::model::{snake_name, AdmissionType};
/// assert_eq!(snake_name(&AdmissionType::Emergency), "emergency");
/// ```
pub fn snake_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn t(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 5, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .unwrap_or_default()
    }

    /// One branch, one ICU stay from 1 May 10:00 to 6 May 10:00 (patient
    /// pseudonym "SECRET-MRN"), and `procedures`.
    fn network(procedures: Vec<Procedure>) -> Network {
        let mut net = Network::new("t");
        let b = net.add_branch(Branch {
            code: "A".into(),
            name: "A".into(),
            kind: BranchKind::District,
            timezone: chrono_tz::Africa::Harare,
            rural: false,
            location: None,
        });
        let d = net.add_department(b, "A-ICU", "ICU");
        let w = net.add_ward(d, "A-ICU-1", "ICU");
        net.patients.push(Patient {
            pseudonym: "SECRET-MRN".into(),
        });
        net.encounters.push(Encounter {
            id: "E1".into(),
            patient: PatientId(0),
            branch: b,
            admit: t(1, 10),
            discharge: Some(t(6, 10)),
            admission_type: AdmissionType::Emergency,
            placements: vec![Placement {
                start: t(1, 10),
                department: d,
                ward: Some(w),
                bed_type: BedType::Icu,
            }],
            diagnosis_code: None,
            diagnosis_category: None,
            age: None,
            sex: Sex::Unknown,
            payer: None,
            residence: None,
            outcome: Some(Outcome::Recovered),
            attending: None,
            discharge_order: None,
            billing_closed: None,
            planned_readmission: false,
            icu_days: None,
        });
        net.procedures = procedures;
        net
    }

    fn vent(code: &str, start: NaiveDateTime, minutes: f64) -> Procedure {
        Procedure {
            encounter: EncounterId(0),
            code: code.into(),
            name: "ventilation".into(),
            performed_at: start,
            performer: None,
            duration_minutes: minutes,
            cost: 0.0,
            charge: 0.0,
        }
    }

    #[test]
    fn ventilation_codes_are_recognised_and_chosen_by_length() {
        for code in VENTILATION_CODES {
            assert!(vent(code, t(1, 12), 60.0).is_ventilation());
        }
        assert!(vent(" 5a1945z ", t(1, 12), 60.0).is_ventilation());
        assert!(!vent("5A1935", t(1, 12), 60.0).is_ventilation());
        assert!(!vent("0BH17EZ", t(1, 12), 60.0).is_ventilation());
        assert_eq!(vent("0BH17EZ", t(1, 12), 60.0).ventilation_end(), None);
        // ICD-10-PCS boundaries: < 24 h, 24–96 h, > 96 h.
        assert_eq!(ventilation_code(24.0 * 60.0 - 1.0), "5A1935Z");
        assert_eq!(ventilation_code(24.0 * 60.0), "5A1945Z");
        assert_eq!(ventilation_code(96.0 * 60.0), "5A1945Z");
        assert_eq!(ventilation_code(96.0 * 60.0 + 1.0), "5A1955Z");
        assert_eq!(ventilation_code(f64::INFINITY), "5A1955Z");
        assert_eq!(ventilation_code(f64::NAN), "5A1935Z");
    }

    #[test]
    fn episodes_carry_branch_start_and_end_clipped_to_discharge() {
        let net = network(vec![
            vent("OTHER", t(1, 11), -5.0),
            vent("5A1945Z", t(1, 12), 1440.0),
            vent("5A1955Z", t(3, 12), 10.0 * 1440.0),
        ]);
        net.validate().unwrap();
        let eps = net.ventilation_episodes().unwrap();
        assert_eq!(eps.len(), 2);
        assert_eq!(
            eps[0],
            VentilationEpisode {
                procedure: 1,
                encounter: EncounterId(0),
                branch: BranchId(0),
                start: t(1, 12),
                end: t(2, 12),
            }
        );
        assert_eq!((eps[1].start, eps[1].end), (t(3, 12), t(6, 10)));
    }

    #[test]
    fn bad_episodes_are_reported_by_row_without_the_patient() {
        let cases = [
            (vent("5A1935Z", t(2, 12), -30.0), "ventilation ends before it starts"),
            (
                vent("5A1935Z", t(1, 9), 60.0),
                "ventilation starts outside its encounter's stay",
            ),
            (
                vent("5A1935Z", t(6, 11), 60.0),
                "ventilation starts outside its encounter's stay",
            ),
            (
                vent("40617009", t(2, 12), f64::NAN),
                "ventilation length is not a finite number of minutes",
            ),
            (
                vent("5A1935Z", t(2, 12), 1e300),
                "ventilation length is not a finite number of minutes",
            ),
        ];
        for (p, expected) in cases {
            let net = network(vec![vent("5A1935Z", t(1, 12), 60.0), p]);
            for err in [net.validate().unwrap_err(), net.ventilation_episodes().unwrap_err()] {
                match &err {
                    Error::Inconsistent { table, row, problem } => {
                        assert_eq!((*table, *row, *problem), ("procedures", 1, expected));
                    }
                    other => panic!("unexpected error {other}"),
                }
                assert!(!err.to_string().contains("SECRET"), "{err}");
            }
        }
        let mut net = network(vec![vent("5A1935Z", t(1, 12), 60.0)]);
        net.procedures[0].encounter = EncounterId(7);
        assert!(matches!(
            net.ventilation_episodes(),
            Err(Error::Inconsistent {
                row: 0,
                problem: "encounter out of range",
                ..
            })
        ));
    }
}
