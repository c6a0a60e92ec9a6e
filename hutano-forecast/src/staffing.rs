//! Staffing: staff per shift from a census forecast and nurse:patient
//! ratios, and staff per role from workload by WHO's WISN method.
//!
//! # Ratios
//! [`required_staff`] turns a census forecast of one ward (patients per
//! day, a [`Forecast`]) into staff per shift and role: `⌈census · staff /
//! patients⌉` by the [`Ratios`] table, for the point forecast and for the
//! upper bound of a prediction interval, so that the caller chooses the
//! service level. The default table holds the NABH advisory nurse:patient
//! ratios per shift (National Accreditation Board for Hospitals &
//! Healthcare Providers, India): ventilated ICU 1:1, other ICU 1:2, HDU
//! 1:3, ward 1:6, emergency 1:4, operating theatre 2 nurses per table.
//! Hospitals change them per ward type, role and shift ([`RatioRule`]).
//!
//! # WISN
//! [`wisn`] follows WHO's *Workload Indicators of Staffing Need (WISN):
//! User's Manual* (Geneva, 2010, ISBN 978 92 4 150019 7), steps 2–8:
//! available working time, standard workloads from service standards,
//! category and individual allowance factors, required staff, and the
//! WISN difference and ratio of existing to required staff.

use chrono::{NaiveDate, TimeDelta};
use hutano_core::model::{BedType, ShiftKind, StaffRole};
use serde::{Deserialize, Serialize};

use crate::forecast::Forecast;

/// Tolerance for `⌈x⌉`, relative to `x`: `12 / 6` computed as
/// `2.000_000_000_000_000_4` is 2 staff, not 3.
const CEIL_TOLERANCE: f64 = 1e-9;

/// Errors of the staffing functions; each names the ward, ward type or
/// role.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StaffingError {
    /// A ratio that is not a positive finite number of staff per positive
    /// finite number of patients.
    #[error("ratio for {} in {ward_type} wards: {problem}", role_label(*.role))]
    InvalidRatio {
        /// The ward type.
        ward_type: WardType,
        /// The role.
        role: StaffRole,
        /// What is wrong.
        problem: &'static str,
    },
    /// No ratio rule applies to the ward's type on any shift.
    #[error("ward {ward:?}: no ratio for {ward_type} wards")]
    MissingRatio {
        /// The ward.
        ward: String,
        /// Its type.
        ward_type: WardType,
    },
    /// The census forecast has no interval at the level asked for.
    #[error("ward {ward:?}: the census forecast has no {level} % interval (it has {available:?})")]
    MissingLevel {
        /// The ward.
        ward: String,
        /// The level asked for, in percent.
        level: f64,
        /// The levels the forecast has.
        available: Vec<f64>,
    },
    /// A census value that is not finite, or bounds that do not match the
    /// point forecast.
    #[error("ward {ward:?}: census forecast at step {step}: {problem}")]
    InvalidCensus {
        /// The ward.
        ward: String,
        /// Zero-based step.
        step: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// No shift to plan.
    #[error("ward {ward:?}: no shift to plan")]
    NoShifts {
        /// The ward.
        ward: String,
    },
    /// A WISN input out of range.
    #[error("wisn for {} at {unit:?}: {item}: {problem}", role_label(*.role))]
    InvalidWisn {
        /// The staff category.
        role: StaffRole,
        /// The facility or unit.
        unit: String,
        /// The input (`"hours per day"`, `"activity \"deliveries\""`, ...).
        item: String,
        /// What is wrong.
        problem: &'static str,
    },
}

/// The snake-case name of a role, as serde writes it.
#[must_use]
pub fn role_label(role: StaffRole) -> &'static str {
    match role {
        StaffRole::Doctor => "doctor",
        StaffRole::Nurse => "nurse",
        StaffRole::ClinicalOfficer => "clinical_officer",
        StaffRole::Pharmacist => "pharmacist",
        StaffRole::Technician => "technician",
        StaffRole::Support => "support",
        StaffRole::Admin => "admin",
    }
}

/// The kind of unit a staffing ratio applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WardType {
    /// Intensive care, patients on a ventilator.
    VentilatedIcu,
    /// Intensive care, other patients.
    Icu,
    /// High-dependency unit.
    Hdu,
    /// General, private, maternity or isolation ward.
    Ward,
    /// Emergency department.
    Emergency,
    /// Operating theatre; the "census" is the number of tables in use.
    OperatingTheatre,
}

impl WardType {
    /// All ward types.
    pub const ALL: [WardType; 6] = [
        WardType::VentilatedIcu,
        WardType::Icu,
        WardType::Hdu,
        WardType::Ward,
        WardType::Emergency,
        WardType::OperatingTheatre,
    ];

    /// The snake-case label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            WardType::VentilatedIcu => "ventilated_icu",
            WardType::Icu => "icu",
            WardType::Hdu => "hdu",
            WardType::Ward => "ward",
            WardType::Emergency => "emergency",
            WardType::OperatingTheatre => "operating_theatre",
        }
    }

    /// The ward type of a bed type: ICU beds are [`WardType::Icu`] (give
    /// ventilated patients their own census as
    /// [`WardType::VentilatedIcu`]), HDU beds [`WardType::Hdu`], all other
    /// beds [`WardType::Ward`].
    #[must_use]
    pub fn for_bed_type(bed_type: BedType) -> Self {
        match bed_type {
            BedType::Icu => WardType::Icu,
            BedType::Hdu => WardType::Hdu,
            BedType::General | BedType::Private | BedType::Maternity | BedType::Isolation => WardType::Ward,
        }
    }
}

impl std::fmt::Display for WardType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// `staff` members for every `patients` patients (or operating tables).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Ratio {
    /// Staff.
    pub staff: f64,
    /// Patients (tables) they look after.
    pub patients: f64,
}

impl Ratio {
    /// One member of staff for `patients` patients (1:6 is `one_to(6.0)`).
    #[must_use]
    pub fn one_to(patients: f64) -> Self {
        Self { staff: 1.0, patients }
    }

    /// `staff` members for each patient or table (2 per table is
    /// `per_unit(2.0)`).
    #[must_use]
    pub fn per_unit(staff: f64) -> Self {
        Self { staff, patients: 1.0 }
    }

    /// Staff needed for `census` patients: `⌈max(census, 0) · staff /
    /// patients⌉`, saturating at `u32::MAX`.
    #[must_use]
    pub fn required(&self, census: f64) -> u32 {
        ceil_u32(census.max(0.0) * self.staff / self.patients)
    }

    fn check(&self) -> Option<&'static str> {
        if !(self.staff.is_finite() && self.staff > 0.0) {
            Some("staff must be a positive number")
        } else if !(self.patients.is_finite() && self.patients > 0.0) {
            Some("patients must be a positive number")
        } else {
            None
        }
    }
}

/// `⌈x⌉` of a non-negative `x`, forgiving a relative rounding error of
/// [`CEIL_TOLERANCE`], saturating at `u32::MAX` (NaN gives 0).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn ceil_u32(x: f64) -> u32 {
    // `as` saturates (and maps NaN to 0), which is the documented contract.
    (x - CEIL_TOLERANCE * x.abs().max(1.0)).ceil().max(0.0) as u32
}

/// One row of a [`Ratios`] table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatioRule {
    /// The ward type it applies to.
    pub ward_type: WardType,
    /// The role it staffs.
    pub role: StaffRole,
    /// The shift it applies to; `None` for every shift without a rule of
    /// its own.
    #[serde(default)]
    pub shift: Option<ShiftKind>,
    /// The ratio.
    pub ratio: Ratio,
    /// Staff on duty even with no patient (0 by default).
    #[serde(default)]
    pub minimum: u32,
}

/// A table of staffing ratios by ward type, role and shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ratios {
    /// The rules. For a ward type, role and shift, the rule for that shift
    /// applies, else the rule for every shift (`shift: None`).
    pub rules: Vec<RatioRule>,
}

impl Default for Ratios {
    /// [`Ratios::nabh`].
    fn default() -> Self {
        Self::nabh()
    }
}

impl Ratios {
    /// The NABH advisory nurse:patient ratios, the same on every shift:
    /// ventilated ICU 1:1, ICU 1:2, HDU 1:3, ward 1:6, emergency 1:4,
    /// operating theatre 2 nurses per table.
    #[must_use]
    pub fn nabh() -> Self {
        let nurse = |ward_type, ratio| RatioRule {
            ward_type,
            role: StaffRole::Nurse,
            shift: None,
            ratio,
            minimum: 0,
        };
        Self {
            rules: vec![
                nurse(WardType::VentilatedIcu, Ratio::one_to(1.0)),
                nurse(WardType::Icu, Ratio::one_to(2.0)),
                nurse(WardType::Hdu, Ratio::one_to(3.0)),
                nurse(WardType::Ward, Ratio::one_to(6.0)),
                nurse(WardType::Emergency, Ratio::one_to(4.0)),
                nurse(WardType::OperatingTheatre, Ratio::per_unit(2.0)),
            ],
        }
    }

    /// The table with `rule` added, replacing any rule for the same ward
    /// type, role and shift.
    #[must_use]
    pub fn with_rule(mut self, rule: RatioRule) -> Self {
        self.rules
            .retain(|r| !(r.ward_type == rule.ward_type && r.role == rule.role && r.shift == rule.shift));
        self.rules.push(rule);
        self
    }

    /// The rule for a ward type, role and shift: the shift's own, else the
    /// one for every shift.
    #[must_use]
    pub fn lookup(&self, ward_type: WardType, role: StaffRole, shift: ShiftKind) -> Option<&RatioRule> {
        let matching = |s: Option<ShiftKind>| {
            self.rules
                .iter()
                .find(|r| r.ward_type == ward_type && r.role == role && r.shift == s)
        };
        matching(Some(shift)).or_else(|| matching(None))
    }

    /// The roles with a rule for `ward_type`, in the order of
    /// [`StaffRole`]'s variants (doctor, nurse, clinical officer, ...).
    #[must_use]
    pub fn roles(&self, ward_type: WardType) -> Vec<StaffRole> {
        let mut roles = Vec::new();
        for r in self.rules.iter().filter(|r| r.ward_type == ward_type) {
            if !roles.contains(&r.role) {
                roles.push(r.role);
            }
        }
        roles.sort_by_key(|r| *r as u8);
        roles
    }

    /// Check every ratio.
    ///
    /// # Errors
    /// [`StaffingError::InvalidRatio`] for the first ratio whose staff or
    /// patients are not positive and finite.
    pub fn check(&self) -> Result<(), StaffingError> {
        for r in &self.rules {
            if let Some(problem) = r.ratio.check() {
                return Err(StaffingError::InvalidRatio {
                    ward_type: r.ward_type,
                    role: r.role,
                    problem,
                });
            }
        }
        Ok(())
    }
}

/// The shifts planned by default.
pub const DEFAULT_SHIFTS: [ShiftKind; 3] = [ShiftKind::Day, ShiftKind::Evening, ShiftKind::Night];

/// A census forecast of one ward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WardCensus {
    /// The ward's code or name (it names the ward in errors).
    pub ward: String,
    /// The ratio row it is staffed by.
    pub ward_type: WardType,
    /// The day of step 0 of the forecast.
    pub start: NaiveDate,
    /// Patients per day (tables in use, for a theatre), with intervals.
    /// The same census is staffed on every shift of the day; give shifts
    /// with a different census their own forecast and shift list.
    pub census: Forecast,
}

/// Staff needed on one shift of one day for one role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftRequirement {
    /// The day.
    pub date: NaiveDate,
    /// The shift.
    pub shift: ShiftKind,
    /// The role.
    pub role: StaffRole,
    /// The point census forecast (clipped at zero).
    pub census: f64,
    /// The upper bound of the census at the plan's level (clipped at zero).
    pub census_upper: f64,
    /// Staff for the point forecast.
    pub staff: u32,
    /// Staff for the upper bound (never fewer than `staff`).
    pub staff_upper: u32,
}

/// Staff-shifts of one role over the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleTotal {
    /// The role.
    pub role: StaffRole,
    /// Staff-shifts for the point forecast.
    pub staff_shifts: u64,
    /// Staff-shifts for the upper bound.
    pub staff_shifts_upper: u64,
}

/// Staff per shift and role for one ward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffingPlan {
    /// The ward.
    pub ward: String,
    /// Its type.
    pub ward_type: WardType,
    /// The interval level of the upper plan, in percent: its census is the
    /// `(50 + level/2)` % quantile.
    pub level: f64,
    /// Day by day, shift by shift, role by role.
    pub rows: Vec<ShiftRequirement>,
    /// Totals per role.
    pub totals: Vec<RoleTotal>,
}

/// Staff per shift and role for a ward's census forecast.
///
/// For each day, each shift of `shifts` and each role with a rule for the
/// ward type on that shift ([`Ratios::lookup`]): `staff = max(minimum,
/// ⌈census · staff / patients⌉)` for the point forecast and for the upper
/// bound of the `level` % interval (the `(50 + level/2)` % quantile; "plan
/// for the 80 % upper bound" is `level = 80`, the 90th percentile).
/// Negative census values count as zero.
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_forecast::forecast::Forecast;
/// use hutano_forecast::staffing::{required_staff, Ratios, WardCensus, WardType, DEFAULT_SHIFTS};
///
/// let census = Forecast::normal(vec![10.0, 13.0], &[2.0, 2.0], &[80.0])?;
/// let ward = WardCensus {
///     ward: "MED-W1".into(),
///     ward_type: WardType::Ward,
///     start: NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
///     census,
/// };
/// let plan = required_staff(&ward, &Ratios::nabh(), &DEFAULT_SHIFTS, 80.0)?;
/// assert_eq!(plan.rows[0].staff, 2); // ⌈10 / 6⌉
/// assert_eq!(plan.rows[3].staff, 3); // ⌈13 / 6⌉
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`StaffingError::InvalidRatio`] for a bad ratio in the table;
/// [`StaffingError::NoShifts`] for an empty shift list;
/// [`StaffingError::MissingRatio`] when no rule covers the ward type;
/// [`StaffingError::MissingLevel`] when the forecast has no interval at
/// `level`; [`StaffingError::InvalidCensus`] for a non-finite census or
/// an upper bound below the point forecast or shorter than it.
pub fn required_staff(
    census: &WardCensus,
    ratios: &Ratios,
    shifts: &[ShiftKind],
    level: f64,
) -> Result<StaffingPlan, StaffingError> {
    ratios.check()?;
    let ward = || census.ward.clone();
    if shifts.is_empty() {
        return Err(StaffingError::NoShifts { ward: ward() });
    }
    let roles = ratios.roles(census.ward_type);
    if roles.is_empty() {
        return Err(StaffingError::MissingRatio {
            ward: ward(),
            ward_type: census.ward_type,
        });
    }
    let (_, upper) = census
        .census
        .interval(level)
        .ok_or_else(|| StaffingError::MissingLevel {
            ward: ward(),
            level,
            available: census.census.levels.clone(),
        })?;
    let point = &census.census.point;
    let bad = |step, problem| StaffingError::InvalidCensus {
        ward: ward(),
        step,
        problem,
    };
    if upper.len() < point.len() {
        return Err(bad(upper.len(), "upper bounds shorter than the point forecast"));
    }
    let mut rows = Vec::with_capacity(point.len() * shifts.len() * roles.len());
    let mut totals: Vec<RoleTotal> = roles
        .iter()
        .map(|&role| RoleTotal {
            role,
            staff_shifts: 0,
            staff_shifts_upper: 0,
        })
        .collect();
    for (step, (&p, &u)) in point.iter().zip(upper).enumerate() {
        if !(p.is_finite() && u.is_finite()) {
            return Err(bad(step, "not finite"));
        }
        if u < p - CEIL_TOLERANCE * p.abs().max(1.0) {
            return Err(bad(step, "upper bound below the point forecast"));
        }
        let (p, u) = (p.max(0.0), u.max(p).max(0.0));
        let date = i64::try_from(step)
            .ok()
            .and_then(|s| census.start.checked_add_signed(TimeDelta::days(s)))
            .unwrap_or(NaiveDate::MAX);
        for &shift in shifts {
            for (k, &role) in roles.iter().enumerate() {
                let Some(rule) = ratios.lookup(census.ward_type, role, shift) else {
                    continue;
                };
                let staff = rule.ratio.required(p).max(rule.minimum);
                let staff_upper = rule.ratio.required(u).max(rule.minimum).max(staff);
                totals[k].staff_shifts += u64::from(staff);
                totals[k].staff_shifts_upper += u64::from(staff_upper);
                rows.push(ShiftRequirement {
                    date,
                    shift,
                    role,
                    census: p,
                    census_upper: u,
                    staff,
                    staff_upper,
                });
            }
        }
    }
    if rows.is_empty() && !point.is_empty() {
        return Err(StaffingError::MissingRatio {
            ward: ward(),
            ward_type: census.ward_type,
        });
    }
    Ok(StaffingPlan {
        ward: ward(),
        ward_type: census.ward_type,
        level,
        rows,
        totals,
    })
}

// ---------------------------------------------------------------------------
// WISN
// ---------------------------------------------------------------------------

/// Available working time (WISN step 2): `AWT = [A − (B + C + D + E)] × F`
/// hours per year, with `A` the possible working days in a year, `B` public
/// holidays, `C` annual leave, `D` sick leave, `E` other leave (training,
/// ...), all in days, and `F` working hours per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailableWorkingTime {
    /// `A`: possible working days in a year (e.g. 5 × 52 = 260).
    pub working_days: f64,
    /// `B`: public holidays on working days.
    pub public_holidays: f64,
    /// `C`: annual leave days.
    pub annual_leave: f64,
    /// `D`: sick leave days.
    pub sick_leave: f64,
    /// `E`: other leave days (training, study, ...).
    pub other_leave: f64,
    /// `F`: working hours per day.
    pub hours_per_day: f64,
}

impl AvailableWorkingTime {
    /// Available working days, `A − (B + C + D + E)`.
    #[must_use]
    pub fn days(&self) -> f64 {
        self.working_days - (self.public_holidays + self.annual_leave + self.sick_leave + self.other_leave)
    }

    /// Available working hours per year.
    #[must_use]
    pub fn hours(&self) -> f64 {
        self.days() * self.hours_per_day
    }
}

/// A service standard (WISN step 4): the time one activity takes, or how
/// many are done per hour.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ServiceStandard {
    /// Minutes per activity; standard workload = AWT in minutes / unit time.
    UnitTime {
        /// Minutes.
        minutes: f64,
    },
    /// Activities per hour; standard workload = AWT in hours × rate.
    RateWorking {
        /// Activities per hour.
        per_hour: f64,
    },
}

/// A health-service activity: done by every member of the category and
/// counted in the annual statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceActivity {
    /// Name (e.g. `"outpatient consultations"`).
    pub name: String,
    /// Annual workload: how many were done (or are forecast) in a year.
    pub annual_workload: f64,
    /// Its service standard.
    pub standard: ServiceStandard,
}

/// A category allowance standard (CAS): a support activity every member
/// of the category does, as a share of working time or as hours per
/// member per year.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AllowanceStandard {
    /// Percent of working time.
    PercentOfTime {
        /// Percent.
        percent: f64,
    },
    /// Hours per member per year (converted to a percent of AWT).
    HoursPerYear {
        /// Hours.
        hours: f64,
    },
}

/// A support activity of the whole category (WISN step 4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryAllowance {
    /// Name (e.g. `"record keeping"`).
    pub name: String,
    /// Its standard.
    pub standard: AllowanceStandard,
}

/// An additional activity some members do (individual allowance standard,
/// IAS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndividualAllowance {
    /// Name (e.g. `"ward supervision"`).
    pub name: String,
    /// How many members do it.
    pub staff: f64,
    /// Hours per year each of them spends on it.
    pub hours_per_year: f64,
}

/// The inputs of a WISN calculation for one staff category at one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WisnInput {
    /// The staff category.
    pub role: StaffRole,
    /// The facility or unit (it names the calculation in errors).
    pub unit: String,
    /// Available working time of one member.
    pub working_time: AvailableWorkingTime,
    /// Health-service activities with their annual workloads.
    pub activities: Vec<ServiceActivity>,
    /// Category allowances.
    #[serde(default)]
    pub category_allowances: Vec<CategoryAllowance>,
    /// Individual allowances.
    #[serde(default)]
    pub individual_allowances: Vec<IndividualAllowance>,
    /// Staff of the category in post.
    pub existing_staff: f64,
}

/// How a WISN ratio is read. The WISN manual reads a ratio of 1 as
/// staffing in balance with workload, below 1 as a shortage (the smaller,
/// the higher the workload pressure) and above 1 as more staff than the
/// workload needs; the bands that turn the ratio into a level are the
/// user's ([`ProblemBands`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemLevel {
    /// Ratio below [`ProblemBands::very_high_below`].
    VeryHighPressure,
    /// Ratio below [`ProblemBands::balanced_from`].
    HighPressure,
    /// Ratio in `[balanced_from, surplus_above]`.
    Balanced,
    /// Ratio above [`ProblemBands::surplus_above`], or workload zero with
    /// staff in post.
    Surplus,
}

/// Cut-offs of the WISN ratio for [`ProblemLevel`]. The defaults (0.5,
/// 0.9, 1.1) are hutano's, not WHO's: set them to local policy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProblemBands {
    /// Below: very high workload pressure.
    pub very_high_below: f64,
    /// Below (and not very high): high workload pressure.
    pub balanced_from: f64,
    /// Above: surplus.
    pub surplus_above: f64,
}

impl Default for ProblemBands {
    fn default() -> Self {
        Self {
            very_high_below: 0.5,
            balanced_from: 0.9,
            surplus_above: 1.1,
        }
    }
}

impl ProblemBands {
    /// The level of a WISN ratio.
    #[must_use]
    pub fn level(&self, ratio: f64) -> ProblemLevel {
        if ratio < self.very_high_below {
            ProblemLevel::VeryHighPressure
        } else if ratio < self.balanced_from {
            ProblemLevel::HighPressure
        } else if ratio <= self.surplus_above {
            ProblemLevel::Balanced
        } else {
            ProblemLevel::Surplus
        }
    }
}

/// The standard workload of one activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StandardWorkload {
    /// The activity.
    pub name: String,
    /// Activities one member can do in a year.
    pub standard_workload: f64,
    /// `annual workload / standard workload`: members needed for it.
    pub staff: f64,
}

/// The result of a WISN calculation (steps 2–8 of the 2010 manual).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WisnResult {
    /// The staff category.
    pub role: StaffRole,
    /// The facility or unit.
    pub unit: String,
    /// AWT, hours per member per year.
    pub available_hours: f64,
    /// Per activity (step 5).
    pub workloads: Vec<StandardWorkload>,
    /// `A`: staff for the health-service activities, `Σ workload /
    /// standard workload`.
    pub service_staff: f64,
    /// Total category allowance, percent of working time.
    pub category_allowance_percent: f64,
    /// `B`: category allowance factor `1 / (1 − CAS% / 100)`.
    pub category_allowance_factor: f64,
    /// `C`: individual allowance factor, `Σ IAS hours / AWT`.
    pub individual_allowance_factor: f64,
    /// Required staff `A × B + C` (step 7).
    pub required: f64,
    /// `⌈required⌉`: whole staff to have in post.
    pub required_whole: u32,
    /// Staff in post.
    pub existing: f64,
    /// WISN difference, existing − required (negative: shortage).
    pub difference: f64,
    /// WISN ratio, existing / required; `None` when nothing is required.
    pub ratio: Option<f64>,
    /// The ratio read by the bands.
    pub problem: ProblemLevel,
}

/// Required staff of one category by WHO's WISN method (User's Manual,
/// 2010):
///
/// 1. AWT (step 2, [`AvailableWorkingTime`]).
/// 2. Standard workload per health-service activity (step 5): AWT ×
///    60 / unit time in minutes, or AWT × activities per hour.
/// 3. Category allowance factor (step 6): CAS in hours per year become
///    percent of AWT; `CAF = 1 / (1 − ΣCAS% / 100)`. Individual allowance
///    factor: `IAF = Σ (members × hours per year) / AWT`.
/// 4. Required staff (step 7): `Σ (annual workload / standard workload) ×
///    CAF + IAF`.
/// 5. WISN difference and ratio (step 8) against the staff in post.
///
/// ```
/// use hutano_core::model::StaffRole;
/// use hutano_forecast::staffing::*;
///
/// let input = WisnInput {
///     role: StaffRole::ClinicalOfficer,
///     unit: "HIV clinic".into(),
///     working_time: AvailableWorkingTime {
///         working_days: 234.0, public_holidays: 10.0, annual_leave: 30.0,
///         sick_leave: 15.0, other_leave: 0.0, hours_per_day: 8.0,
///     },
///     activities: vec![ServiceActivity {
///         name: "consultations".into(),
///         annual_workload: 100_000.0,
///         standard: ServiceStandard::UnitTime { minutes: 15.0 },
///     }],
///     category_allowances: vec![],
///     individual_allowances: vec![],
///     existing_staff: 12.0,
/// };
/// let r = wisn(&input, &ProblemBands::default())?;
/// assert!((r.required - 25_000.0 / 1_432.0).abs() < 1e-9);
/// # Ok::<(), hutano_forecast::staffing::StaffingError>(())
/// ```
///
/// # Errors
/// [`StaffingError::InvalidWisn`] naming the input: a negative or
/// non-finite value, an AWT that is not positive, a service standard that
/// is not positive, category allowances of 100 % of working time or more,
/// or negative staff in post.
pub fn wisn(input: &WisnInput, bands: &ProblemBands) -> Result<WisnResult, StaffingError> {
    let bad = |item: String, problem| StaffingError::InvalidWisn {
        role: input.role,
        unit: input.unit.clone(),
        item,
        problem,
    };
    let wt = &input.working_time;
    for (item, v) in [
        ("possible working days", wt.working_days),
        ("public holidays", wt.public_holidays),
        ("annual leave", wt.annual_leave),
        ("sick leave", wt.sick_leave),
        ("other leave", wt.other_leave),
        ("hours per day", wt.hours_per_day),
        ("existing staff", input.existing_staff),
    ] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(bad(item.into(), "must be finite and not negative"));
        }
    }
    let awt = wt.hours();
    if awt <= 0.0 {
        return Err(bad(
            "available working time".into(),
            "leave and holidays leave no working time",
        ));
    }
    let mut workloads = Vec::with_capacity(input.activities.len());
    for a in &input.activities {
        let item = || format!("activity {:?}", a.name);
        if !(a.annual_workload.is_finite() && a.annual_workload >= 0.0) {
            return Err(bad(item(), "annual workload must be finite and not negative"));
        }
        let standard_workload = match a.standard {
            ServiceStandard::UnitTime { minutes } if minutes.is_finite() && minutes > 0.0 => awt * 60.0 / minutes,
            ServiceStandard::RateWorking { per_hour } if per_hour.is_finite() && per_hour > 0.0 => awt * per_hour,
            _ => return Err(bad(item(), "the service standard must be positive")),
        };
        workloads.push(StandardWorkload {
            name: a.name.clone(),
            standard_workload,
            staff: a.annual_workload / standard_workload,
        });
    }
    let mut cas = 0.0;
    for c in &input.category_allowances {
        let item = || format!("category allowance {:?}", c.name);
        let percent = match c.standard {
            AllowanceStandard::PercentOfTime { percent } => percent,
            AllowanceStandard::HoursPerYear { hours } => hours / awt * 100.0,
        };
        if !(percent.is_finite() && percent >= 0.0) {
            return Err(bad(item(), "must be finite and not negative"));
        }
        cas += percent;
    }
    if cas >= 100.0 {
        return Err(bad(
            "category allowances".into(),
            "add up to 100 % of working time or more",
        ));
    }
    let mut ias = 0.0;
    for i in &input.individual_allowances {
        if !(i.staff.is_finite() && i.staff >= 0.0 && i.hours_per_year.is_finite() && i.hours_per_year >= 0.0) {
            return Err(bad(
                format!("individual allowance {:?}", i.name),
                "staff and hours must be finite and not negative",
            ));
        }
        ias += i.staff * i.hours_per_year;
    }
    let service_staff: f64 = workloads.iter().map(|w| w.staff).sum();
    let caf = 1.0 / (1.0 - cas / 100.0);
    let iaf = ias / awt;
    let required = service_staff * caf + iaf;
    let ratio = (required > 0.0).then(|| input.existing_staff / required);
    let problem = match ratio {
        Some(r) => bands.level(r),
        None if input.existing_staff > 0.0 => ProblemLevel::Surplus,
        None => ProblemLevel::Balanced,
    };
    Ok(WisnResult {
        role: input.role,
        unit: input.unit.clone(),
        available_hours: awt,
        workloads,
        service_staff,
        category_allowance_percent: cas,
        category_allowance_factor: caf,
        individual_allowance_factor: iaf,
        required,
        required_whole: ceil_u32(required),
        existing: input.existing_staff,
        difference: input.existing_staff - required,
        ratio,
        problem,
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // exact: whole hours and staff
mod tests {
    use chrono::NaiveDate;
    use hutano_core::model::{ShiftKind, StaffRole};

    use super::*;

    fn start() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 5, 1).unwrap()
    }

    fn census(ward_type: WardType, point: Vec<f64>, sd: &[f64]) -> WardCensus {
        WardCensus {
            ward: format!("{}-1", ward_type.label()),
            ward_type,
            start: start(),
            census: Forecast::normal(point, sd, &[80.0, 95.0]).unwrap(),
        }
    }

    fn nurses(plan: &StaffingPlan, shift: ShiftKind) -> Vec<(u32, u32)> {
        plan.rows
            .iter()
            .filter(|r| r.shift == shift && r.role == StaffRole::Nurse)
            .map(|r| (r.staff, r.staff_upper))
            .collect()
    }

    #[test]
    fn nabh_ratios_give_the_hand_computed_nurses() {
        // Ward 1:6, point census 10, 7, 12.3, 0, −1 with sd 2, 1.5, 3, 0.5,
        // 1. The 80 % upper bound is point + 1.2815516 sd: 12.563, 8.922,
        // 16.145, 0.641, 0.282. Point: ⌈10/6⌉ = 2, ⌈7/6⌉ = 2, ⌈12.3/6⌉ = 3,
        // 0, 0 (negative census is none). Upper: ⌈2.094⌉ = 3, ⌈1.487⌉ = 2,
        // ⌈2.691⌉ = 3, ⌈0.107⌉ = 1, ⌈0.047⌉ = 1.
        let ward = census(
            WardType::Ward,
            vec![10.0, 7.0, 12.3, 0.0, -1.0],
            &[2.0, 1.5, 3.0, 0.5, 1.0],
        );
        let plan = required_staff(&ward, &Ratios::nabh(), &DEFAULT_SHIFTS, 80.0).unwrap();
        let expected = vec![(2, 3), (2, 2), (3, 3), (0, 1), (0, 1)];
        for shift in DEFAULT_SHIFTS {
            assert_eq!(nurses(&plan, shift), expected, "{shift:?}");
        }
        assert_eq!(plan.rows.len(), 5 * 3);
        assert_eq!(plan.rows[3].date, NaiveDate::from_ymd_opt(2024, 5, 2).unwrap());
        assert_eq!(plan.totals[0].staff_shifts, 3 * (2 + 2 + 3));
        assert_eq!(plan.totals[0].staff_shifts_upper, 3 * (3 + 2 + 3 + 1 + 1));

        // The other NABH rows, point census with no spread: ventilated ICU
        // 3 → 3 (1:1), ICU 5 → ⌈5/2⌉ = 3, HDU 7 → ⌈7/3⌉ = 3, emergency
        // 9 → ⌈9/4⌉ = 3, theatre 3 tables → 6 (2 per table).
        for (ward_type, load, staff) in [
            (WardType::VentilatedIcu, 3.0, 3),
            (WardType::Icu, 5.0, 3),
            (WardType::Hdu, 7.0, 3),
            (WardType::Emergency, 9.0, 3),
            (WardType::OperatingTheatre, 3.0, 6),
        ] {
            let plan = required_staff(
                &census(ward_type, vec![load], &[0.0]),
                &Ratios::nabh(),
                &[ShiftKind::Night],
                95.0,
            )
            .unwrap();
            assert_eq!(nurses(&plan, ShiftKind::Night), vec![(staff, staff)], "{ward_type}");
        }
    }

    #[test]
    fn rounding_error_does_not_add_a_nurse() {
        // (0.1 + 0.2) / 0.1 = 3.0000000000000004 in floating point: 3 nurses.
        let ratios = Ratios::nabh().with_rule(RatioRule {
            ward_type: WardType::Ward,
            role: StaffRole::Nurse,
            shift: None,
            ratio: Ratio::one_to(0.1),
            minimum: 0,
        });
        let plan = required_staff(
            &census(WardType::Ward, vec![0.1 + 0.2], &[0.0]),
            &ratios,
            &[ShiftKind::Day],
            80.0,
        )
        .unwrap();
        assert_eq!(plan.rows[0].staff, 3);
        assert_eq!(Ratio::one_to(6.0).required(18.0), 3);
        assert_eq!(Ratio::one_to(6.0).required(18.01), 4);
    }

    #[test]
    fn shift_rules_roles_and_minimums() {
        // Nights on the ward at 1:8; a doctor per 10 ICU patients on days
        // only; at least 2 ICU nurses on every shift.
        let ratios = Ratios::nabh()
            .with_rule(RatioRule {
                ward_type: WardType::Ward,
                role: StaffRole::Nurse,
                shift: Some(ShiftKind::Night),
                ratio: Ratio::one_to(8.0),
                minimum: 0,
            })
            .with_rule(RatioRule {
                ward_type: WardType::Icu,
                role: StaffRole::Doctor,
                shift: Some(ShiftKind::Day),
                ratio: Ratio::one_to(10.0),
                minimum: 0,
            })
            .with_rule(RatioRule {
                ward_type: WardType::Icu,
                role: StaffRole::Nurse,
                shift: None,
                ratio: Ratio::one_to(2.0),
                minimum: 2,
            });
        // Ward census 14: ⌈14/6⌉ = 3 by day and evening, ⌈14/8⌉ = 2 at night.
        let plan = required_staff(
            &census(WardType::Ward, vec![14.0], &[0.0]),
            &ratios,
            &DEFAULT_SHIFTS,
            80.0,
        )
        .unwrap();
        let staff: Vec<(ShiftKind, u32)> = plan.rows.iter().map(|r| (r.shift, r.staff)).collect();
        assert_eq!(
            staff,
            vec![(ShiftKind::Day, 3), (ShiftKind::Evening, 3), (ShiftKind::Night, 2)]
        );
        // ICU census 15, then 0: nurses ⌈15/2⌉ = 8, then the minimum 2;
        // a doctor ⌈15/10⌉ = 2 by day only, none at night.
        let plan = required_staff(
            &census(WardType::Icu, vec![15.0, 0.0], &[0.0, 0.0]),
            &ratios,
            &DEFAULT_SHIFTS,
            80.0,
        )
        .unwrap();
        let rows: Vec<(ShiftKind, StaffRole, u32)> = plan.rows.iter().map(|r| (r.shift, r.role, r.staff)).collect();
        assert_eq!(
            &rows[..4],
            &[
                (ShiftKind::Day, StaffRole::Doctor, 2),
                (ShiftKind::Day, StaffRole::Nurse, 8),
                (ShiftKind::Evening, StaffRole::Nurse, 8),
                (ShiftKind::Night, StaffRole::Nurse, 8),
            ]
        );
        assert_eq!(rows[4], (ShiftKind::Day, StaffRole::Doctor, 0));
        assert_eq!(rows[5], (ShiftKind::Day, StaffRole::Nurse, 2));
        assert_eq!(plan.totals.len(), 2);
        assert_eq!(
            (plan.totals[0].role, plan.totals[0].staff_shifts),
            (StaffRole::Doctor, 2)
        );
        assert_eq!(plan.totals[1].staff_shifts, 3 * 8 + 3 * 2);
    }

    #[test]
    fn bad_staffing_inputs_are_errors_naming_the_ward() {
        let ward = census(WardType::Ward, vec![5.0], &[1.0]);
        match required_staff(&ward, &Ratios::nabh(), &DEFAULT_SHIFTS, 90.0) {
            Err(e @ StaffingError::MissingLevel { .. }) => assert!(e.to_string().contains("ward-1"), "{e}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            required_staff(&ward, &Ratios::nabh(), &[], 80.0),
            Err(StaffingError::NoShifts { .. })
        ));
        assert!(matches!(
            required_staff(&ward, &Ratios { rules: Vec::new() }, &DEFAULT_SHIFTS, 80.0),
            Err(StaffingError::MissingRatio {
                ward_type: WardType::Ward,
                ..
            })
        ));
        let zero = Ratios::nabh().with_rule(RatioRule {
            ward_type: WardType::Hdu,
            role: StaffRole::Nurse,
            shift: None,
            ratio: Ratio::one_to(0.0),
            minimum: 0,
        });
        match required_staff(&ward, &zero, &DEFAULT_SHIFTS, 80.0) {
            Err(e @ StaffingError::InvalidRatio { .. }) => {
                assert_eq!(
                    e.to_string(),
                    "ratio for nurse in hdu wards: patients must be a positive number"
                );
            }
            other => panic!("{other:?}"),
        }
        let mut nan = ward.clone();
        nan.census.point[0] = f64::NAN;
        assert!(matches!(
            required_staff(&nan, &Ratios::nabh(), &DEFAULT_SHIFTS, 80.0),
            Err(StaffingError::InvalidCensus { step: 0, .. })
        ));
        let mut inverted = ward.clone();
        inverted.census.upper[0][0] = 1.0;
        assert!(matches!(
            required_staff(&inverted, &Ratios::nabh(), &DEFAULT_SHIFTS, 80.0),
            Err(StaffingError::InvalidCensus { step: 0, .. })
        ));
    }

    #[test]
    fn ratios_serialise() {
        let json = serde_json::to_string(&Ratios::nabh()).unwrap();
        assert!(json.contains(r#""ward_type":"ventilated_icu""#), "{json}");
        let back: Ratios = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Ratios::nabh());
        let rule: RatioRule =
            serde_json::from_str(r#"{"ward_type":"ward","role":"nurse","ratio":{"staff":1,"patients":5}}"#).unwrap();
        assert_eq!((rule.shift, rule.minimum), (None, 0));
        assert_eq!(WardType::for_bed_type(BedType::Maternity), WardType::Ward);
        assert_eq!(WardType::for_bed_type(BedType::Hdu), WardType::Hdu);
    }

    fn district_nurses() -> WisnInput {
        WisnInput {
            role: StaffRole::Nurse,
            unit: "District hospital OPD and maternity".into(),
            working_time: AvailableWorkingTime {
                working_days: 260.0,
                public_holidays: 10.0,
                annual_leave: 21.0,
                sick_leave: 12.0,
                other_leave: 5.0,
                hours_per_day: 8.0,
            },
            activities: vec![
                ServiceActivity {
                    name: "outpatient consultations".into(),
                    annual_workload: 12_000.0,
                    standard: ServiceStandard::UnitTime { minutes: 20.0 },
                },
                ServiceActivity {
                    name: "antenatal visits".into(),
                    annual_workload: 4_800.0,
                    standard: ServiceStandard::UnitTime { minutes: 15.0 },
                },
                ServiceActivity {
                    name: "deliveries".into(),
                    annual_workload: 500.0,
                    standard: ServiceStandard::RateWorking { per_hour: 0.5 },
                },
            ],
            category_allowances: vec![
                CategoryAllowance {
                    name: "health education".into(),
                    standard: AllowanceStandard::PercentOfTime { percent: 10.0 },
                },
                CategoryAllowance {
                    name: "record keeping".into(),
                    standard: AllowanceStandard::PercentOfTime { percent: 5.0 },
                },
                CategoryAllowance {
                    name: "monthly staff meeting".into(),
                    standard: AllowanceStandard::HoursPerYear { hours: 24.0 },
                },
            ],
            individual_allowances: vec![
                IndividualAllowance {
                    name: "nurse in charge: supervision".into(),
                    staff: 1.0,
                    hours_per_year: 400.0,
                },
                IndividualAllowance {
                    name: "clinical teaching".into(),
                    staff: 2.0,
                    hours_per_year: 40.0,
                },
            ],
            existing_staff: 3.0,
        }
    }

    #[test]
    fn wisn_matches_the_hand_computation() {
        // The WISN manual's formulas (WHO 2010), by hand:
        // Step 2: AWT = [A − (B + C + D + E)] × F = [260 − (10 + 21 + 12 + 5)] × 8
        //         = 212 days × 8 h = 1696 h.
        // Step 5: standard workloads:
        //   consultations, 20 min: 1696 × 60 / 20 = 5088 a year;
        //   antenatal visits, 15 min: 1696 × 60 / 15 = 6784;
        //   deliveries, 0.5 an hour: 1696 × 0.5 = 848.
        // Step 7a: A = 12000/5088 + 4800/6784 + 500/848
        //            = 2.3584906 + 0.7075472 + 0.5896226 = 3.6556604.
        // Step 6: CAS = 10 % + 5 % + 24 h / 1696 h = 15 % + 1.4150943 %
        //         = 16.4150943 %; CAF = 1 / (1 − 0.164150943) = 1.1963883.
        //         IAS = 1 × 400 + 2 × 40 = 480 h; IAF = 480 / 1696 = 0.2830189.
        // Step 7: required = A × CAF + IAF = 3.6556604 × 1.1963883 + 0.2830189
        //         = 4.6566080 → 5 nurses in post.
        // Step 8: with 3 in post, difference 3 − 4.6566080 = −1.6566080,
        //         ratio 3 / 4.6566080 = 0.6442458: a shortage.
        let r = wisn(&district_nurses(), &ProblemBands::default()).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 5e-8;
        assert!(close(r.available_hours, 1696.0));
        let sw: Vec<f64> = r.workloads.iter().map(|w| w.standard_workload).collect();
        assert_eq!(sw, vec![5088.0, 6784.0, 848.0]);
        assert!(close(r.service_staff, 3.655_660_4));
        assert!(close(r.category_allowance_percent, 16.415_094_3));
        assert!(close(r.category_allowance_factor, 1.196_388_3));
        assert!(close(r.individual_allowance_factor, 0.283_018_9));
        assert!(close(r.required, 4.656_608_0));
        assert_eq!(r.required_whole, 5);
        assert!(close(r.difference, -1.656_608_0));
        assert!(close(r.ratio.unwrap(), 0.644_245_8));
        assert_eq!(r.problem, ProblemLevel::HighPressure);
    }

    #[test]
    fn wisn_reproduces_a_published_baseline() {
        // "An assessment of staffing needs at a HIV clinic in a Western Kenya
        // using the WHO workload indicators of staffing need WISN, 2011",
        // Human Resources for Health 2017, doi 10.1186/s12960-017-0186-3,
        // table 3: 4.5 consultation days a week × 52 = 234 days, less 10
        // public holidays, 30 days' annual and 15 days' sick leave = 179
        // days; 100 000 consultations of 15 min = 25 000 h = 3125 days of
        // 8 h; baseline staff 3125 / 179 = 17.46.
        let mut input = district_nurses();
        input.role = StaffRole::ClinicalOfficer;
        input.working_time = AvailableWorkingTime {
            working_days: 234.0,
            public_holidays: 10.0,
            annual_leave: 30.0,
            sick_leave: 15.0,
            other_leave: 0.0,
            hours_per_day: 8.0,
        };
        input.activities = vec![ServiceActivity {
            name: "consultations".into(),
            annual_workload: 100_000.0,
            standard: ServiceStandard::UnitTime { minutes: 15.0 },
        }];
        input.category_allowances.clear();
        input.individual_allowances.clear();
        input.existing_staff = 18.0;
        let r = wisn(&input, &ProblemBands::default()).unwrap();
        assert!((r.available_hours - 1432.0).abs() < 1e-9);
        assert!((r.required - 17.46).abs() < 0.005, "{}", r.required);
        assert_eq!(r.required_whole, 18);
        assert_eq!(r.problem, ProblemLevel::Balanced);
    }

    #[test]
    fn wisn_rejects_bad_inputs_naming_them() {
        let mut all_leave = district_nurses();
        all_leave.working_time.annual_leave = 300.0;
        let mut heavy = district_nurses();
        heavy.category_allowances.push(CategoryAllowance {
            name: "meetings".into(),
            standard: AllowanceStandard::PercentOfTime { percent: 90.0 },
        });
        let mut instant = district_nurses();
        instant.activities[1].standard = ServiceStandard::UnitTime { minutes: 0.0 };
        let mut negative = district_nurses();
        negative.existing_staff = -1.0;
        for (input, item) in [
            (all_leave, "available working time"),
            (heavy, "category allowances"),
            (instant, "activity \"antenatal visits\""),
            (negative, "existing staff"),
        ] {
            match wisn(&input, &ProblemBands::default()) {
                Err(e @ StaffingError::InvalidWisn { .. }) => {
                    assert!(e.to_string().contains(item), "{e}");
                    assert!(e.to_string().starts_with("wisn for nurse at"), "{e}");
                }
                other => panic!("{item}: {other:?}"),
            }
        }
        // No workload: nothing required, staff in post are a surplus.
        let mut idle = district_nurses();
        idle.activities.clear();
        idle.individual_allowances.clear();
        let r = wisn(&idle, &ProblemBands::default()).unwrap();
        assert_eq!((r.ratio, r.problem), (None, ProblemLevel::Surplus));
    }

    #[test]
    fn problem_bands_split_the_ratio() {
        let b = ProblemBands::default();
        assert_eq!(b.level(0.3), ProblemLevel::VeryHighPressure);
        assert_eq!(b.level(0.7), ProblemLevel::HighPressure);
        assert_eq!(b.level(1.0), ProblemLevel::Balanced);
        assert_eq!(b.level(1.3), ProblemLevel::Surplus);
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn upper_plan_is_never_below_the_point_plan(
                point in proptest::collection::vec(-5.0..80.0f64, 1..20),
                spread in 0.0..10.0f64,
                level in 1.0..99.0f64,
                ward in 0usize..6,
            ) {
                let sd = vec![spread; point.len()];
                let c = WardCensus {
                    ward: "W".into(),
                    ward_type: WardType::ALL[ward],
                    start: start(),
                    census: Forecast::normal(point, &sd, &[level]).unwrap(),
                };
                let plan = required_staff(&c, &Ratios::nabh(), &DEFAULT_SHIFTS, level).unwrap();
                for r in &plan.rows {
                    prop_assert!(r.staff_upper >= r.staff);
                    prop_assert!(r.census_upper >= r.census);
                }
                for t in &plan.totals {
                    prop_assert!(t.staff_shifts_upper >= t.staff_shifts);
                }
            }
        }
    }
}
