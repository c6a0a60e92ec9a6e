//! Alerts: rules over KPIs and forecasts that raise an alert once when a
//! condition starts, keep it active while the condition holds and clear it
//! when the condition ends.
//!
//! # How it works
//! An [`AlertEngine`] holds the rules ([`AlertRules`], plain serde data with
//! documented defaults) and the alerts currently active. At each evaluation
//! time the caller passes the [`Observations`] of that time (occupancy,
//! census forecasts, ICU and ventilator load, stock, open stays, hourly flow,
//! readmission counts); [`AlertEngine::evaluate`] returns the alerts
//! *raised* at that time. Every rule classifies each observed subject as
//!
//! - **firing**: the condition holds. An alert is raised only if none is
//!   active for the same rule and subject (the *rising edge*); while one is
//!   active nothing new is emitted, so a persisting condition never yields
//!   duplicates;
//! - **holding**: inside the hysteresis band (between the clear level and
//!   the raise level). An active alert stays active; none is raised;
//! - **clear**: the condition has ended. An active alert is closed (its
//!   [`Alert::ended`] set); the next firing raises a new alert.
//!
//! A subject missing from an evaluation keeps its state: missing data
//! neither raises nor clears. Alerts are keyed by rule and [`Subject`].
//! [`NetworkObserver`] builds the observations of every day of a period
//! from a hutano-core [`Network`](hutano_core::model::Network), and
//! [`evaluate_network`] runs the engine over them day by day.
//!
//! # The rules
//! | Rule | Fires when | Default |
//! |---|---|---|
//! | [`RuleKind::Occupancy`] | midnight census × 100 / beds ≥ `warning_pct` | 85 % warning, 95 % critical, clears below 82 % |
//! | [`RuleKind::OccupancyForecast`] | max over the next `horizon_days` of `P(census > beds)` ≥ `probability` | 7 days, p = 0.25 (critical 0.5), clears below 0.15 |
//! | [`RuleKind::IcuShortage`], [`RuleKind::VentilatorShortage`] | free = capacity − in use ≤ `warning_free` | warning at 1 free, critical at 0, clears at 2 |
//! | [`RuleKind::LowStock`] | on hand ≤ reorder point, or days of cover < `min_days_of_cover` | 7 days (critical 3 or none on hand), clears at 10 above the reorder point |
//! | [`RuleKind::Expiry`] | units expiring unused within the horizon ≥ `min_units` and their value ≥ `min_value` | 90 days, 1 unit |
//! | [`RuleKind::DelayedDischarge`] | at least `min_count` open stays longer than `factor` × the `quantile` of the department's completed LOS | p90 × 2, 3 stays (critical 10) |
//! | [`RuleKind::FlowImbalance`] | in the peak window, admissions ≥ `min_ratio` × discharges and exceed them by `min_excess` a day | 08:00–12:00 over 7 days, ratio 1.25 (critical 2), 3 a day; clears below 1.1 |
//! | [`RuleKind::ReadmissionSpike`] | p-chart z of the 30-day readmission rate against the baseline ≥ `z_limit` | 3σ (critical 4σ), clears below 2σ |
//!
//! Definitions follow the project's DOMAIN notes (`DOMAIN.md` §1 and §3):
//! occupancy is the midnight census over beds in service, derived from
//! admissions and discharges (§1, bed occupancy rate; the 85 % default is
//! the rule of thumb of Bagust, Place & Posnett, BMJ 1999;319:155, which
//! §1 warns is too high for small units: lower it per unit or use
//! [`OccupancyForecast`](RuleKind::OccupancyForecast) with a blocking
//! target); the census forecast is the infinite-server distribution of
//! [`crate::resources`] (§3); readmissions are computed from the
//! encounters, never a stored flag (§1, CMS hospital-wide measure); the
//! reorder point is lead-time demand plus safety stock (§3, see
//! [`crate::medicines`]).
//!
//! ## Readmission spike statistic
//! A Shewhart p-chart (Montgomery, *Introduction to Statistical Quality
//! Control*, 7th ed., §7.2): with baseline rate `p̄ = r₀ / n₀` and `n`
//! index stays in the current window with rate `p = r / n`,
//! `z = (p − p̄) / sqrt(p̄ (1 − p̄) / n)`. Under a stable process `z` is
//! approximately standard normal, so `z ≥ 3` (the 3σ upper control limit)
//! happens by chance on about 0.13 % of windows. Windows with fewer than
//! `min_index_stays` index stays, or a baseline rate of 0 or 1, are not
//! assessed.
//!
//! ```
//! use chrono::NaiveDate;
//! use hutano_forecast::alerts::{AlertEngine, AlertRules, Observations, RuleKind, Subject, UnitLoad};
//!
//! let mut engine = AlertEngine::new(AlertRules::default())?;
//! let at = |d| NaiveDate::from_ymd_opt(2024, 3, d).unwrap().and_hms_opt(0, 0, 0).unwrap();
//! let ward = |census| Observations {
//!     occupancy: vec![UnitLoad::new(Subject::branch("HRE"), census, 100.0)],
//!     ..Observations::new(at(1))
//! };
//! let raised = engine.evaluate(&Observations { at: at(1), ..ward(90.0) })?;
//! assert_eq!(raised.len(), 1);
//! assert_eq!(raised[0].rule, RuleKind::Occupancy);
//! // Still above 85 % the next day: no duplicate.
//! assert!(engine.evaluate(&Observations { at: at(2), ..ward(92.0) })?.is_empty());
//! assert_eq!(engine.active().len(), 1);
//! // Below the clear level: closed.
//! engine.evaluate(&Observations { at: at(3), ..ward(70.0) })?;
//! assert!(engine.active().is_empty());
//! assert_eq!(engine.alerts()[0].ended, Some(at(3)));
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

mod network;
mod rules;

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
pub use network::{evaluate_network, NetworkObserver};
pub use rules::{
    AlertRules, DelayedDischargeRule, ExpiryRule, FlowRule, LowStockRule, OccupancyForecastRule, OccupancyRule,
    ReadmissionRule, ShortageRule,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::resources::CensusForecast;

/// How serious an alert is. Ordered: `Info < Warning < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// For information.
    Info,
    /// Needs attention.
    Warning,
    /// Needs action now.
    Critical,
}

impl Severity {
    /// Lowercase label (`"warning"`).
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// Which rule raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleKind {
    /// Occupancy now above a threshold ([`OccupancyRule`]).
    Occupancy,
    /// Occupancy above capacity with probability above `p` within the
    /// horizon ([`OccupancyForecastRule`]).
    OccupancyForecast,
    /// Too few free ICU beds ([`ShortageRule`]).
    IcuShortage,
    /// Too few free ventilators ([`ShortageRule`]).
    VentilatorShortage,
    /// Stock below the reorder point or too few days of cover ([`LowStockRule`]).
    LowStock,
    /// Stock that will expire before it is used ([`ExpiryRule`]).
    Expiry,
    /// Stays far beyond the department's length-of-stay norm ([`DelayedDischargeRule`]).
    DelayedDischarge,
    /// Admissions outpacing discharges at peak hours ([`FlowRule`]).
    FlowImbalance,
    /// 30-day readmission rate above its control limit ([`ReadmissionRule`]).
    ReadmissionSpike,
}

impl RuleKind {
    /// Every rule, in documentation order.
    pub const ALL: [RuleKind; 9] = [
        RuleKind::Occupancy,
        RuleKind::OccupancyForecast,
        RuleKind::IcuShortage,
        RuleKind::VentilatorShortage,
        RuleKind::LowStock,
        RuleKind::Expiry,
        RuleKind::DelayedDischarge,
        RuleKind::FlowImbalance,
        RuleKind::ReadmissionSpike,
    ];

    /// Snake-case name, as serialised (`"icu_shortage"`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RuleKind::Occupancy => "occupancy",
            RuleKind::OccupancyForecast => "occupancy_forecast",
            RuleKind::IcuShortage => "icu_shortage",
            RuleKind::VentilatorShortage => "ventilator_shortage",
            RuleKind::LowStock => "low_stock",
            RuleKind::Expiry => "expiry",
            RuleKind::DelayedDischarge => "delayed_discharge",
            RuleKind::FlowImbalance => "flow_imbalance",
            RuleKind::ReadmissionSpike => "readmission_spike",
        }
    }
}

/// What kind of thing an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// The whole network.
    Network,
    /// A branch (hospital).
    Branch,
    /// A department.
    Department,
    /// A ward.
    Ward,
    /// A medicine (stock item).
    Medicine,
}

/// What an alert is about: a kind and a code (branch, department, ward or
/// medicine code). Never a patient.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Subject {
    /// The kind.
    pub kind: SubjectKind,
    /// The code (`"HRE"`, `"HRE-MED"`, `"HRE-PARA"`).
    pub code: String,
}

impl Subject {
    /// A subject of this kind and code.
    #[must_use]
    pub fn new(kind: SubjectKind, code: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.into(),
        }
    }

    /// A branch.
    #[must_use]
    pub fn branch(code: impl Into<String>) -> Self {
        Self::new(SubjectKind::Branch, code)
    }

    /// A department.
    #[must_use]
    pub fn department(code: impl Into<String>) -> Self {
        Self::new(SubjectKind::Department, code)
    }

    /// A ward.
    #[must_use]
    pub fn ward(code: impl Into<String>) -> Self {
        Self::new(SubjectKind::Ward, code)
    }

    /// A medicine.
    #[must_use]
    pub fn medicine(code: impl Into<String>) -> Self {
        Self::new(SubjectKind::Medicine, code)
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match self.kind {
            SubjectKind::Network => "network",
            SubjectKind::Branch => "branch",
            SubjectKind::Department => "department",
            SubjectKind::Ward => "ward",
            SubjectKind::Medicine => "medicine",
        };
        write!(f, "{kind} {}", self.code)
    }
}

/// The numbers behind an alert, at the time it was raised. `observed` and
/// `threshold` are in the rule's unit (percent, beds, days of cover,
/// units, stays, admissions a day, z); the optional fields are filled where
/// the rule has them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Evidence {
    /// The observed value the rule compared.
    pub observed: f64,
    /// The threshold it was compared with.
    pub threshold: f64,
    /// A probability (forecast rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// Capacity (beds, ventilators) or stock on hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity: Option<f64>,
    /// A count (stays beyond the norm, units, index stays).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<f64>,
    /// A baseline or norm (LOS norm in days, baseline rate, discharges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// A test statistic (p-chart z).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<f64>,
    /// The forecast or projection horizon, in days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub horizon_days: Option<u32>,
    /// The day the condition is expected (forecast rules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub day: Option<NaiveDate>,
}

/// One alert: raised once when its condition started, closed when it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The rule.
    pub rule: RuleKind,
    /// Severity when raised.
    pub severity: Severity,
    /// What it is about.
    pub subject: Subject,
    /// Evaluation time at which the condition was first seen.
    pub started: NaiveDateTime,
    /// Evaluation time at which the condition was first seen cleared;
    /// `None` while active.
    pub ended: Option<NaiveDateTime>,
    /// The numbers behind it.
    pub evidence: Evidence,
    /// A one-line human-readable summary (no patient identifier).
    pub message: String,
}

/// A unit's load at one time: `in_use` of `capacity` (patients of beds,
/// ventilated patients of ventilators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitLoad {
    /// The unit.
    pub subject: Subject,
    /// In use (the midnight census for occupancy).
    pub in_use: f64,
    /// Capacity in service.
    pub capacity: f64,
}

impl UnitLoad {
    /// A unit with `in_use` of `capacity` in use.
    #[must_use]
    pub fn new(subject: Subject, in_use: f64, capacity: f64) -> Self {
        Self {
            subject,
            in_use,
            capacity,
        }
    }
}

/// A unit's census forecast against its capacity: `P(census > capacity)`
/// for each day after `as_of`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastLoad {
    /// The unit.
    pub subject: Subject,
    /// The forecast origin; `prob_above[t − 1]` is for day `as_of + t`.
    pub as_of: NaiveDate,
    /// Beds.
    pub capacity: f64,
    /// `P(census > capacity)` per day.
    pub prob_above: Vec<f64>,
    /// Mean census per day.
    pub mean: Vec<f64>,
}

impl ForecastLoad {
    /// From a census forecast made at the midnight ending `as_of`.
    #[must_use]
    pub fn from_census(subject: Subject, as_of: NaiveDate, forecast: &CensusForecast, capacity: f64) -> Self {
        Self {
            subject,
            as_of,
            capacity,
            prob_above: forecast.prob_above(capacity),
            mean: forecast
                .days
                .iter()
                .map(crate::resources::CensusDistribution::mean)
                .collect(),
        }
    }
}

/// A stock item's level: on hand, demand rate, reorder point and the stock
/// projected to expire unused (e.g. from [`crate::medicines::project_stock`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockLevel {
    /// The item.
    pub subject: Subject,
    /// Usable units on hand.
    pub on_hand: f64,
    /// Mean daily demand (units a day).
    pub daily_demand: f64,
    /// Reorder point, where known.
    pub reorder_point: Option<f64>,
    /// Units expected to expire unused within the expiry rule's horizon.
    pub expiring_units: f64,
    /// Their value.
    pub expiring_value: f64,
}

/// The lengths of stay of one department: completed stays (the history the
/// norm is learned from) and stays still open at the evaluation time, in
/// days (fractional: hours / 24). Stays are anonymous numbers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentStays {
    /// The department (or ward).
    pub subject: Subject,
    /// LOS of completed stays, in days.
    pub completed_los_days: Vec<f64>,
    /// Time in hospital so far of the open stays, in days.
    pub open_los_days: Vec<f64>,
}

/// Admissions and discharges by hour of day (local), summed over `days` days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HourlyFlow {
    /// The unit.
    pub subject: Subject,
    /// Days summed.
    pub days: f64,
    /// Admissions by hour, `[0]` = 00:00–00:59.
    pub admissions: [f64; 24],
    /// Discharges by hour.
    pub discharges: [f64; 24],
}

/// 30-day readmission counts of a current window and a baseline (index stays
/// and readmissions as hutano-core's `Engine::readmissions` counts them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadmissionCounts {
    /// The unit.
    pub subject: Subject,
    /// Index stays in the current window.
    pub index_stays: f64,
    /// Of which readmitted.
    pub readmissions: f64,
    /// Index stays in the baseline.
    pub baseline_index_stays: f64,
    /// Of which readmitted.
    pub baseline_readmissions: f64,
}

/// Everything observed at one evaluation time. Lists left empty are not
/// evaluated (their subjects keep their state).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Observations {
    /// The evaluation time (e.g. the midnight ending a day).
    pub at: NaiveDateTime,
    /// Census and beds ([`RuleKind::Occupancy`]).
    pub occupancy: Vec<UnitLoad>,
    /// Census forecasts ([`RuleKind::OccupancyForecast`]).
    pub occupancy_forecast: Vec<ForecastLoad>,
    /// ICU patients and beds ([`RuleKind::IcuShortage`]).
    pub icu: Vec<UnitLoad>,
    /// Ventilated patients and ventilators ([`RuleKind::VentilatorShortage`]).
    pub ventilators: Vec<UnitLoad>,
    /// Stock levels ([`RuleKind::LowStock`], [`RuleKind::Expiry`]).
    pub stock: Vec<StockLevel>,
    /// Lengths of stay ([`RuleKind::DelayedDischarge`]).
    pub stays: Vec<DepartmentStays>,
    /// Hourly flow ([`RuleKind::FlowImbalance`]).
    pub flow: Vec<HourlyFlow>,
    /// Readmission counts ([`RuleKind::ReadmissionSpike`]).
    pub readmissions: Vec<ReadmissionCounts>,
}

impl Default for Observations {
    fn default() -> Self {
        Self::new(NaiveDateTime::default())
    }
}

impl Observations {
    /// No observation, at time `at`.
    #[must_use]
    pub fn new(at: NaiveDateTime) -> Self {
        Self {
            at,
            occupancy: Vec::new(),
            occupancy_forecast: Vec::new(),
            icu: Vec::new(),
            ventilators: Vec::new(),
            stock: Vec::new(),
            stays: Vec::new(),
            flow: Vec::new(),
            readmissions: Vec::new(),
        }
    }
}

/// What a rule concluded about one subject.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Status {
    /// The condition holds.
    Fire {
        severity: Severity,
        evidence: Evidence,
        message: String,
    },
    /// Inside the hysteresis band: keep the current state.
    Hold,
    /// The condition has ended.
    Clear,
}

/// The stateful alert engine: raises an alert on the rising edge of each
/// (rule, subject) condition and closes it when the condition clears.
#[derive(Debug, Clone)]
pub struct AlertEngine {
    rules: AlertRules,
    /// Active alerts: key → position in `log`.
    active: BTreeMap<(RuleKind, Subject), usize>,
    log: Vec<Alert>,
    last: Option<NaiveDateTime>,
}

impl AlertEngine {
    /// An engine with these rules and no active alert.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a rule parameter out of range (see
    /// [`AlertRules::check`]).
    pub fn new(rules: AlertRules) -> Result<Self> {
        rules.check()?;
        Ok(Self {
            rules,
            active: BTreeMap::new(),
            log: Vec::new(),
            last: None,
        })
    }

    /// The rules.
    #[must_use]
    pub fn rules(&self) -> &AlertRules {
        &self.rules
    }

    /// Evaluate every rule on the observations of one time and return the
    /// alerts raised at that time (rising edges only), in rule then subject
    /// order.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_forecast::alerts::{AlertEngine, AlertRules, Observations, Severity, ShortageRule, Subject, UnitLoad};
    ///
    /// let rules = AlertRules { icu: Some(ShortageRule::default()), ..AlertRules::none() };
    /// let mut engine = AlertEngine::new(rules)?;
    /// let at = NaiveDate::from_ymd_opt(2024, 6, 2).unwrap().and_hms_opt(0, 0, 0).unwrap();
    /// let obs = Observations {
    ///     icu: vec![UnitLoad::new(Subject::branch("HRE"), 12.0, 12.0)], // 12 patients, 12 beds
    ///     ..Observations::new(at)
    /// };
    /// let raised = engine.evaluate(&obs)?;
    /// assert_eq!(raised[0].severity, Severity::Critical);
    /// assert_eq!(raised[0].evidence.observed, 0.0); // free beds
    /// # Ok::<(), hutano_forecast::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when `obs.at` is before the previous
    /// evaluation; [`Error::InvalidObservation`] for a non-finite or
    /// negative value, or a subject listed twice for one rule. On error the
    /// engine's state is unchanged.
    pub fn evaluate(&mut self, obs: &Observations) -> Result<Vec<Alert>> {
        if self.last.is_some_and(|t| obs.at < t) {
            return Err(Error::InvalidParameter {
                name: "at",
                problem: format!("{} is before the previous evaluation", obs.at),
            });
        }
        let checks = self.rules.evaluate_all(obs)?;
        self.last = Some(obs.at);
        let mut raised = Vec::new();
        for (rule, subject, status) in checks {
            let key = (rule, subject);
            match status {
                Status::Fire {
                    severity,
                    evidence,
                    message,
                } => {
                    if !self.active.contains_key(&key) {
                        let alert = Alert {
                            rule,
                            severity,
                            subject: key.1.clone(),
                            started: obs.at,
                            ended: None,
                            evidence,
                            message,
                        };
                        self.active.insert(key, self.log.len());
                        self.log.push(alert.clone());
                        raised.push(alert);
                    }
                }
                Status::Hold => {}
                Status::Clear => {
                    if let Some(i) = self.active.remove(&key) {
                        self.log[i].ended = Some(obs.at);
                    }
                }
            }
        }
        Ok(raised)
    }

    /// The alerts active now, in rule then subject order.
    #[must_use]
    pub fn active(&self) -> Vec<&Alert> {
        self.active.values().map(|&i| &self.log[i]).collect()
    }

    /// Every alert raised so far, in the order raised, closed ones with
    /// [`Alert::ended`] set.
    #[must_use]
    pub fn alerts(&self) -> &[Alert] {
        &self.log
    }

    /// Every alert raised, as [`AlertEngine::alerts`].
    #[must_use]
    pub fn into_alerts(self) -> Vec<Alert> {
        self.log
    }
}

/// Linear-interpolation quantile (type 7, numpy's default) of unsorted
/// finite data; `NaN` when empty.
pub(crate) fn quantile(data: &[f64], q: f64) -> f64 {
    if data.is_empty() {
        return f64::NAN;
    }
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    let pos = (sorted.len() - 1) as f64 * q;
    let below = pos.floor();
    // `pos` is in [0, len - 1], so the casts cannot truncate or change sign.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (lo, hi) = (below as usize, (pos.ceil() as usize).min(sorted.len() - 1));
    sorted[lo] + (pos - below) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests;
