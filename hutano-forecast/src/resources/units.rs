//! Units of a hutano-core network — the whole network, a branch, a
//! department, a ward, a bed type, the ventilators — with their stays and
//! capacity, so that the census forecast of any of them is one call.
//!
//! # Which time counts
//! - **Network, branch**: the inpatient stay, admission to discharge.
//! - **Department, ward, bed type**: the time in the unit by the
//!   encounter's placements. A stay in the unit starts with the first of a
//!   run of consecutive placements in the unit and ends at the next
//!   placement outside it, or at the discharge (`None` while in hospital):
//!   an ICU bed, a step-down to the ward and a return to the ICU are two
//!   ICU stays. A placement that starts at the discharge adds no stay.
//! - **Ventilators**: the episodes of invasive ventilation
//!   ([`Network::ventilation_episodes`]: procedures coded as ventilation,
//!   from `performed_at` for `duration_minutes`, ended at the discharge at
//!   the latest). An episode of zero length adds no stay.
//!
//! # Capacity
//! [`unit_capacity`] counts the beds of the unit's bed blocks in service on
//! a day; for ventilators, the ventilator-capable ICU beds (one ventilator
//! each), unless the unit states its own count of ventilators.

use std::fmt;

use chrono::{Days, NaiveDate, NaiveDateTime, Timelike};
use hutano_core::model::{BedBlock, BedType, BranchId, DepartmentId, Encounter, Network, Placement, WardId};
use serde::{Deserialize, Serialize};

use super::los::day_number;
use super::{census_from_stays, ArrivalModel, CensusForecast, Stay};
use crate::ensemble::Member;
use crate::error::{Error, Result};

/// A part of a network whose census is counted and forecast. Codes are the
/// network's (`Branch::code`, `Department::code`, `Ward::code`).
///
/// Serialised with a `kind` tag, e.g. `{"kind": "bed_type", "bed_type":
/// "icu", "branch": "HRE"}` or `{"kind": "ventilators", "branch": null,
/// "count": 12}`.
///
/// ```
/// use hutano_core::model::BedType;
/// use hutano_forecast::resources::Unit;
///
/// let icu = Unit::bed_type_in(BedType::Icu, "HRE");
/// assert_eq!(icu.to_string(), "icu beds of branch HRE");
/// assert_eq!(Unit::ward("HRE-MED-W1").to_string(), "ward HRE-MED-W1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unit {
    /// Every inpatient of the network.
    Network,
    /// The inpatients of one branch.
    Branch {
        /// Branch code.
        code: String,
    },
    /// The patients placed in one department.
    Department {
        /// Department code.
        code: String,
    },
    /// The patients placed in one ward.
    Ward {
        /// Ward code.
        code: String,
    },
    /// The patients in beds of one type, in one branch or the whole
    /// network.
    BedType {
        /// The bed type.
        bed_type: BedType,
        /// Branch code; `None` for the whole network.
        branch: Option<String>,
    },
    /// The ventilated patients, in one branch or the whole network.
    Ventilators {
        /// Branch code; `None` for the whole network.
        branch: Option<String>,
        /// Ventilators available, when known; otherwise [`unit_capacity`]
        /// counts the ventilator-capable ICU beds in service.
        count: Option<u32>,
    },
}

impl Unit {
    /// A branch, by code.
    #[must_use]
    pub fn branch(code: impl Into<String>) -> Self {
        Self::Branch { code: code.into() }
    }

    /// A department, by code.
    #[must_use]
    pub fn department(code: impl Into<String>) -> Self {
        Self::Department { code: code.into() }
    }

    /// A ward, by code.
    #[must_use]
    pub fn ward(code: impl Into<String>) -> Self {
        Self::Ward { code: code.into() }
    }

    /// The beds of one type in the whole network.
    #[must_use]
    pub fn bed_type(bed_type: BedType) -> Self {
        Self::BedType { bed_type, branch: None }
    }

    /// The beds of one type in one branch.
    #[must_use]
    pub fn bed_type_in(bed_type: BedType, branch: impl Into<String>) -> Self {
        Self::BedType {
            bed_type,
            branch: Some(branch.into()),
        }
    }

    /// The ventilators of the whole network, as many as ventilator-capable
    /// ICU beds.
    #[must_use]
    pub fn ventilators() -> Self {
        Self::Ventilators {
            branch: None,
            count: None,
        }
    }

    /// The ventilators of one branch, as many as its ventilator-capable ICU
    /// beds.
    #[must_use]
    pub fn ventilators_in(branch: impl Into<String>) -> Self {
        Self::Ventilators {
            branch: Some(branch.into()),
            count: None,
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Network => write!(f, "network"),
            Unit::Branch { code } => write!(f, "branch {code}"),
            Unit::Department { code } => write!(f, "department {code}"),
            Unit::Ward { code } => write!(f, "ward {code}"),
            Unit::BedType { bed_type, branch } => {
                write!(f, "{} beds", bed_type.label())?;
                branch.as_ref().map_or(Ok(()), |b| write!(f, " of branch {b}"))
            }
            Unit::Ventilators { branch, .. } => {
                write!(f, "ventilators")?;
                branch.as_ref().map_or(Ok(()), |b| write!(f, " of branch {b}"))
            }
        }
    }
}

/// A unit with its codes resolved to the network's rows.
#[derive(Debug, Clone, Copy)]
enum Resolved {
    Network,
    Branch(BranchId),
    Department(DepartmentId),
    Ward(WardId),
    BedType(BedType, Option<BranchId>),
    Ventilators(Option<BranchId>, Option<u32>),
}

fn unknown(what: &str, code: &str) -> Error {
    Error::InvalidParameter {
        name: "unit",
        problem: format!("the network has no {what} with code {code:?}"),
    }
}

fn branch_id(net: &Network, code: &str) -> Result<BranchId> {
    net.branch_by_code(code).ok_or_else(|| unknown("branch", code))
}

fn resolve(net: &Network, unit: &Unit) -> Result<Resolved> {
    let in_branch = |code: &Option<String>| code.as_deref().map(|c| branch_id(net, c)).transpose();
    Ok(match unit {
        Unit::Network => Resolved::Network,
        Unit::Branch { code } => Resolved::Branch(branch_id(net, code)?),
        Unit::Department { code } => Resolved::Department(
            net.department_by_code(code)
                .ok_or_else(|| unknown("department", code))?,
        ),
        Unit::Ward { code } => Resolved::Ward(net.ward_by_code(code).ok_or_else(|| unknown("ward", code))?),
        Unit::BedType { bed_type, branch } => Resolved::BedType(*bed_type, in_branch(branch)?),
        Unit::Ventilators { branch, count } => Resolved::Ventilators(in_branch(branch)?, *count),
    })
}

impl Resolved {
    /// Whether placement `p` of encounter `e` is in the unit (department,
    /// ward and bed-type units only).
    fn holds(self, e: &Encounter, p: &Placement) -> bool {
        match self {
            Resolved::Department(d) => p.department == d,
            Resolved::Ward(w) => p.ward == Some(w),
            Resolved::BedType(t, b) => p.bed_type == t && b.is_none_or(|b| e.branch == b),
            _ => false,
        }
    }

    /// Whether the beds of block `b` are the unit's.
    fn holds_block(self, net: &Network, b: &BedBlock) -> bool {
        let dept = net.wards.get(b.ward.index()).map(|w| w.department);
        let branch = dept.and_then(|d| net.departments.get(d.index())).map(|d| d.branch);
        let in_branch = |want: Option<BranchId>| want.is_none_or(|w| branch == Some(w));
        match self {
            Resolved::Network => true,
            Resolved::Branch(id) => branch == Some(id),
            Resolved::Department(id) => dept == Some(id),
            Resolved::Ward(id) => b.ward == id,
            Resolved::BedType(t, br) => b.bed_type == t && in_branch(br),
            Resolved::Ventilators(br, _) => b.bed_type == BedType::Icu && b.ventilator_capable && in_branch(br),
        }
    }
}

/// The stays in the unit of encounter `row`: runs of consecutive
/// placements in the unit.
fn placement_stays(unit: Resolved, row: usize, e: &Encounter, out: &mut Vec<Stay>) -> Result<()> {
    let bad = || {
        Error::Core(hutano_core::Error::Inconsistent {
            table: "encounters",
            row,
            problem: "placements out of time order or after discharge",
        })
    };
    let mut push = |start: NaiveDateTime, end: Option<NaiveDateTime>| {
        if end.is_some_and(|end| end < start) {
            return Err(bad());
        }
        if end != Some(start) {
            out.push((start, end));
        }
        Ok(())
    };
    let mut open = None;
    for (i, p) in e.placements.iter().enumerate() {
        if i > 0 && p.start < e.placements[i - 1].start {
            return Err(bad());
        }
        if unit.holds(e, p) {
            open.get_or_insert(p.start);
        } else if let Some(start) = open.take() {
            push(start, Some(p.start))?;
        }
    }
    if let Some(start) = open {
        push(start, e.discharge)?;
    }
    Ok(())
}

/// The stays of a unit of `net`, as [`census_from_stays`] and the other
/// census functions take them: `(start, end)` in branch-local time, `end =
/// None` while still in the unit. The time that counts depends on the
/// [`Unit`]: the inpatient stay (network, branch), the time in the unit
/// by placements (department, ward, bed type; a return is a new stay), or
/// the ventilation episodes (ventilators). Stays come in encounter order
/// (procedure order for ventilators).
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_core::generate::{generate, GeneratorConfig};
/// use hutano_core::model::BedType;
/// use hutano_forecast::resources::{current_patients, unit_stays, Unit};
///
/// let net = generate(&GeneratorConfig::india_four_branch(1).days(60))?;
/// let icu = unit_stays(&net, &Unit::bed_type(BedType::Icu))?;
/// let ventilated = unit_stays(&net, &Unit::ventilators())?;
/// // The midnight census of 1 February: ventilation happens in ICU beds.
/// let day = NaiveDate::from_ymd_opt(2024, 2, 1).unwrap();
/// let (in_icu, on_ventilator) = (current_patients(&icu, day)?.len(), current_patients(&ventilated, day)?.len());
/// assert!(on_ventilator <= in_icu && in_icu > 0);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] when the unit names a code the network does
/// not have; [`Error::Core`] (`Inconsistent`, naming a row, never a
/// patient) for placements out of time order or after the discharge, and
/// for the invalid ventilation episodes [`Network::ventilation_episodes`]
/// reports.
pub fn unit_stays(net: &Network, unit: &Unit) -> Result<Vec<Stay>> {
    let resolved = resolve(net, unit)?;
    let mut out = Vec::new();
    match resolved {
        Resolved::Network => out.extend(net.encounters.iter().map(|e| (e.admit, e.discharge))),
        Resolved::Branch(b) => out.extend(
            net.encounters
                .iter()
                .filter(|e| e.branch == b)
                .map(|e| (e.admit, e.discharge)),
        ),
        Resolved::Ventilators(branch, _) => out.extend(
            net.ventilation_episodes()?
                .into_iter()
                .filter(|v| branch.is_none_or(|b| v.branch == b) && v.end > v.start)
                .map(|v| (v.start, Some(v.end))),
        ),
        Resolved::Department(_) | Resolved::Ward(_) | Resolved::BedType(..) => {
            for (row, e) in net.encounters.iter().enumerate() {
                placement_stays(resolved, row, e, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// The day number of the first midnight at or after `t`, as the midnight
/// that starts that day (seconds ignored, as in the census functions).
fn ceil_day(t: NaiveDateTime) -> i64 {
    let at_midnight = t.hour() == 0 && t.minute() == 0;
    day_number(t.date()) + i64::from(!at_midnight)
}

/// The observed midnight census of each day of `[start, end)` from stays:
/// the stays present at the midnight ending day `D` (`admit ≤ 00:00 of D +
/// 1 < discharge`, no discharge meaning still present), the count
/// [`current_patients`](super::current_patients) gives for one day and
/// hutano-core's `Engine::census_daily` for inpatients.
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_forecast::resources::midnight_census;
///
/// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 3, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
/// let stays = [(d(1, 9), Some(d(3, 11))), (d(2, 15), None), (d(2, 8), Some(d(2, 17)))];
/// let census = midnight_census(&stays, NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 3, 5).unwrap())?;
/// assert_eq!(census, [1.0, 2.0, 1.0, 1.0]);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] when `end` is not after `start`, or for a
/// stay discharged before it is admitted (naming its row).
pub fn midnight_census(stays: &[Stay], start: NaiveDate, end: NaiveDate) -> Result<Vec<f64>> {
    let (s, e) = (day_number(start), day_number(end));
    if e <= s {
        return Err(Error::InvalidParameter {
            name: "end",
            problem: format!("{end} is not after the start {start}"),
        });
    }
    let days = e - s;
    // Difference array over the days: day k counts the midnight starting
    // day s + k + 1.
    let mut diff = vec![0_i64; usize::try_from(days + 1).unwrap_or(0)];
    for (row, &(admit, discharge)) in stays.iter().enumerate() {
        if discharge.is_some_and(|d| d < admit) {
            return Err(Error::InvalidParameter {
                name: "stays",
                problem: format!("stay at row {row} is discharged before it is admitted"),
            });
        }
        let first = (ceil_day(admit) - 1 - s).clamp(0, days);
        let last = discharge.map_or(days, |d| (ceil_day(d) - 1 - s).clamp(0, days));
        if first < last {
            // In 0..=days by the clamps.
            diff[usize::try_from(first).unwrap_or(0)] += 1;
            diff[usize::try_from(last).unwrap_or(0)] -= 1;
        }
    }
    let mut level = 0;
    Ok(diff[..diff.len() - 1]
        .iter()
        .map(|d| {
            level += d;
            level as f64
        })
        .collect())
}

fn capacity_on(net: &Network, unit: Resolved, day: NaiveDate) -> f64 {
    if let Resolved::Ventilators(_, Some(n)) = unit {
        return f64::from(n);
    }
    net.beds
        .iter()
        .filter(|b| b.in_service_on(day) && unit.holds_block(net, b))
        .map(|b| f64::from(b.count))
        .sum::<f64>()
        // An empty sum is -0.0: report +0.
        + 0.0
}

/// The capacity of a unit on `day`: the beds of its bed blocks in service
/// that day (all blocks of the network, of the branch, of the department's
/// wards, of the ward, or of the bed type); for ventilators the
/// ventilator-capable ICU beds in service, or the unit's `count` when it
/// states one.
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_core::generate::{generate, GeneratorConfig};
/// use hutano_core::model::BedType;
/// use hutano_forecast::resources::{unit_capacity, Unit};
///
/// let net = generate(&GeneratorConfig::india_four_branch(1).days(30))?;
/// let day = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
/// let icu = unit_capacity(&net, &Unit::bed_type(BedType::Icu), day)?;
/// let ventilators = unit_capacity(&net, &Unit::ventilators(), day)?;
/// assert!(ventilators <= icu && icu > 0.0);
/// let stated = Unit::Ventilators { branch: None, count: Some(12) };
/// assert_eq!(unit_capacity(&net, &stated, day)?, 12.0);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] when the unit names a code the network does
/// not have.
pub fn unit_capacity(net: &Network, unit: &Unit, day: NaiveDate) -> Result<f64> {
    Ok(capacity_on(net, resolve(net, unit)?, day))
}

/// The census forecast of a unit ([`census_forecast_for`]) with the unit's
/// capacity on each forecast day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCensusForecast {
    /// The unit.
    pub unit: Unit,
    /// The census forecast; `census.days[t − 1]` is day `as_of + t`.
    pub census: CensusForecast,
    /// `capacity[t − 1]`: [`unit_capacity`] on day `as_of + t`.
    pub capacity: Vec<f64>,
}

impl UnitCensusForecast {
    /// `P(census > capacity)` on each forecast day: the risk that the unit
    /// is over capacity at that midnight.
    #[must_use]
    pub fn prob_above_capacity(&self) -> Vec<f64> {
        self.census
            .days
            .iter()
            .zip(&self.capacity)
            .map(|(d, &c)| d.prob_above(c))
            .collect()
    }
}

/// Forecast the midnight census of a unit for the `horizon` days after
/// `as_of`: [`unit_stays`] then [`census_from_stays`] (see there for the
/// model and the arguments), with the unit's capacity on each day
/// ([`unit_capacity`]).
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_core::generate::{generate, GeneratorConfig};
/// use hutano_forecast::baseline::SeasonalNaive;
/// use hutano_forecast::resources::{census_forecast_for, ArrivalModel, Unit};
///
/// let net = generate(&GeneratorConfig::india_four_branch(1).days(90))?;
/// let as_of = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
/// let arrivals = ArrivalModel::NegativeBinomial { level: 80.0 };
/// let f = census_forecast_for(&net, &Unit::ventilators(), as_of, 7, &SeasonalNaive::new(7), arrivals, &[80.0])?;
/// assert_eq!(f.census.days.len(), 7);
/// let risk = f.prob_above_capacity(); // P(more ventilated patients than ventilators)
/// assert!(risk.iter().all(|p| (0.0..=1.0).contains(p)));
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// As [`unit_stays`] and [`census_from_stays`] (a unit with no stay by
/// `as_of` is [`Error::InvalidParameter`]).
pub fn census_forecast_for(
    net: &Network,
    unit: &Unit,
    as_of: NaiveDate,
    horizon: usize,
    forecaster: &dyn Member,
    arrival_model: ArrivalModel,
    levels: &[f64],
) -> Result<UnitCensusForecast> {
    let resolved = resolve(net, unit)?;
    let stays = unit_stays(net, unit)?;
    let census = census_from_stays(&stays, as_of, horizon, forecaster, arrival_model, levels)?;
    let capacity = (1..=horizon as u64)
        .map(|t| {
            capacity_on(
                net,
                resolved,
                as_of.checked_add_days(Days::new(t)).unwrap_or(NaiveDate::MAX),
            )
        })
        .collect();
    Ok(UnitCensusForecast {
        unit: unit.clone(),
        census,
        capacity,
    })
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // capacities and counts are small whole numbers
mod tests {
    use chrono::NaiveDate;
    use hutano_core::model::{
        AdmissionType, BedBlock, Branch, BranchKind, EncounterId, Patient, PatientId, Procedure, Sex,
    };

    use super::*;

    fn t(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 5, day)
            .unwrap()
            .and_hms_opt(hour, 0, 0)
            .unwrap()
    }

    /// Two branches; branch A has an ICU ward (ICU-1, ICU-2) in department
    /// A-ICU and a medical ward in A-MED; branch B one ward.
    fn network() -> Network {
        let mut net = Network::new("t");
        for code in ["A", "B"] {
            net.add_branch(Branch {
                code: code.into(),
                name: code.into(),
                kind: BranchKind::District,
                timezone: "Africa/Harare".parse().unwrap(),
                rural: false,
                location: None,
            });
        }
        let icu = net.add_department(BranchId(0), "A-ICU", "ICU");
        let med = net.add_department(BranchId(0), "A-MED", "Medicine");
        let b_med = net.add_department(BranchId(1), "B-MED", "Medicine");
        let icu1 = net.add_ward(icu, "A-ICU-1", "ICU 1");
        let icu2 = net.add_ward(icu, "A-ICU-2", "ICU 2");
        let ward = net.add_ward(med, "A-MED-1", "Ward");
        let b_ward = net.add_ward(b_med, "B-MED-1", "Ward");
        let block = |ward, bed_type, count, ventilator_capable| BedBlock {
            ward,
            bed_type,
            count,
            ventilator_capable,
            in_service_from: None,
            in_service_until: None,
        };
        net.beds = vec![
            block(icu1, BedType::Icu, 4, true),
            block(icu2, BedType::Icu, 2, false),
            block(ward, BedType::General, 20, false),
            block(b_ward, BedType::Icu, 3, true),
        ];
        net.beds[1].in_service_from = NaiveDate::from_ymd_opt(2024, 5, 10);
        net.patients.push(Patient { pseudonym: "X".into() });
        let place = |start, department, ward, bed_type| Placement {
            start,
            department,
            ward: Some(ward),
            bed_type,
        };
        let encounter = |branch, admit, discharge, placements| Encounter {
            id: String::new(),
            patient: PatientId(0),
            branch,
            admit,
            discharge,
            admission_type: AdmissionType::Emergency,
            placements,
            diagnosis_code: None,
            diagnosis_category: None,
            age: None,
            sex: Sex::Unknown,
            payer: None,
            residence: None,
            outcome: None,
            attending: None,
            discharge_order: None,
            billing_closed: None,
            planned_readmission: false,
            icu_days: None,
        };
        net.encounters = vec![
            // ICU-1, ICU-2 (one ICU stay), ward, back to ICU-1 (a second),
            // then a ward placement at the discharge itself (no stay).
            encounter(
                BranchId(0),
                t(1, 10),
                Some(t(9, 12)),
                vec![
                    place(t(1, 10), icu, icu1, BedType::Icu),
                    place(t(2, 9), icu, icu2, BedType::Icu),
                    place(t(4, 15), med, ward, BedType::General),
                    place(t(6, 3), icu, icu1, BedType::Icu),
                    place(t(9, 12), med, ward, BedType::General),
                ],
            ),
            // Still in hospital, in ICU in branch B.
            encounter(
                BranchId(1),
                t(3, 8),
                None,
                vec![place(t(3, 8), b_med, b_ward, BedType::Icu)],
            ),
        ];
        let vent = |encounter, start, minutes| Procedure {
            encounter: EncounterId(encounter),
            code: hutano_core::model::ventilation_code(minutes).into(),
            name: "ventilation".into(),
            performed_at: start,
            performer: None,
            duration_minutes: minutes,
            cost: 0.0,
            charge: 0.0,
        };
        net.procedures = vec![
            vent(0, t(1, 11), 1440.0 * 2.0),
            vent(1, t(3, 9), 0.0),
            // Recorded past the discharge: ends there.
            vent(0, t(6, 4), 1440.0 * 10.0),
        ];
        net.validate().unwrap();
        net
    }

    #[test]
    fn stays_follow_placements_and_episodes() {
        let net = network();
        let stays = |u: Unit| unit_stays(&net, &u).unwrap();
        assert_eq!(stays(Unit::Network), vec![(t(1, 10), Some(t(9, 12))), (t(3, 8), None)]);
        assert_eq!(stays(Unit::branch("B")), vec![(t(3, 8), None)]);
        let icu_a = vec![(t(1, 10), Some(t(4, 15))), (t(6, 3), Some(t(9, 12)))];
        assert_eq!(stays(Unit::department("A-ICU")), icu_a);
        assert_eq!(stays(Unit::bed_type_in(BedType::Icu, "A")), icu_a);
        assert_eq!(
            stays(Unit::bed_type(BedType::Icu)),
            vec![icu_a[0], icu_a[1], (t(3, 8), None)]
        );
        assert_eq!(
            stays(Unit::ward("A-ICU-1")),
            vec![(t(1, 10), Some(t(2, 9))), (t(6, 3), Some(t(9, 12)))]
        );
        assert_eq!(stays(Unit::ward("A-MED-1")), vec![(t(4, 15), Some(t(6, 3)))]);
        assert_eq!(stays(Unit::bed_type(BedType::General)), vec![(t(4, 15), Some(t(6, 3)))]);
        // The zero-length episode is dropped; the long one ends at discharge.
        assert_eq!(
            stays(Unit::ventilators()),
            vec![(t(1, 11), Some(t(3, 11))), (t(6, 4), Some(t(9, 12)))]
        );
        assert!(stays(Unit::ventilators_in("B")).is_empty());
        for bad in [
            Unit::branch("C"),
            Unit::department("X"),
            Unit::ward("X"),
            Unit::ventilators_in("C"),
        ] {
            let err = unit_stays(&net, &bad).unwrap_err();
            assert!(matches!(err, Error::InvalidParameter { name: "unit", .. }), "{err}");
        }
    }

    #[test]
    fn placements_out_of_order_are_reported_by_row() {
        let mut net = network();
        net.encounters[0].placements.swap(2, 3);
        let err = unit_stays(&net, &Unit::bed_type(BedType::Icu)).unwrap_err();
        assert!(err.to_string().contains("encounters row 0"), "{err}");
    }

    #[test]
    fn capacity_counts_the_unit_s_beds_in_service() {
        let net = network();
        let (before, after) = (
            NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(),
            NaiveDate::from_ymd_opt(2024, 5, 10).unwrap(),
        );
        let cap = |u: Unit, d| unit_capacity(&net, &u, d).unwrap();
        assert_eq!(cap(Unit::Network, before), 27.0);
        assert_eq!(cap(Unit::Network, after), 29.0);
        assert_eq!(cap(Unit::branch("A"), after), 26.0);
        assert_eq!(cap(Unit::department("A-ICU"), after), 6.0);
        assert_eq!(cap(Unit::ward("A-ICU-2"), before), 0.0);
        assert_eq!(cap(Unit::bed_type(BedType::Icu), after), 9.0);
        assert_eq!(cap(Unit::bed_type_in(BedType::Icu, "A"), before), 4.0);
        // Ventilators: ventilator-capable ICU beds, or the stated count.
        assert_eq!(cap(Unit::ventilators(), after), 7.0);
        assert_eq!(cap(Unit::ventilators_in("A"), after), 4.0);
        let stated = Unit::Ventilators {
            branch: Some("A".into()),
            count: Some(2),
        };
        assert_eq!(cap(stated.clone(), after), 2.0);
        let json = serde_json::to_string(&stated).unwrap();
        assert_eq!(json, r#"{"kind":"ventilators","branch":"A","count":2}"#);
        assert_eq!(serde_json::from_str::<Unit>(&json).unwrap(), stated);
    }

    #[test]
    fn midnight_census_matches_current_patients() {
        let net = network();
        let stays = unit_stays(&net, &Unit::bed_type(BedType::Icu)).unwrap();
        let start = NaiveDate::from_ymd_opt(2024, 4, 28).unwrap();
        let end = NaiveDate::from_ymd_opt(2024, 5, 12).unwrap();
        let census = midnight_census(&stays, start, end).unwrap();
        let mut day = start;
        for c in &census {
            assert_eq!(*c, super::super::current_patients(&stays, day).unwrap().len() as f64);
            day = day.succ_opt().unwrap();
        }
        // 1 May: A; 3 May: A and B; 5 May: B only (A on the ward).
        assert_eq!(&census[3..8], &[1.0, 1.0, 2.0, 1.0, 1.0]);
        assert!(midnight_census(&stays, end, start).is_err());
        assert!(midnight_census(&[(t(2, 0), Some(t(1, 0)))], start, end).is_err());
    }
}
