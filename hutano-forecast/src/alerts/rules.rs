//! The rules as serde data, with their defaults and their evaluation.

use hutano_core::kpi::ReadmissionRules;
use serde::{Deserialize, Serialize};

use super::{
    quantile, DepartmentStays, Evidence, ForecastLoad, HourlyFlow, Observations, ReadmissionCounts, RuleKind, Severity,
    Status, StockLevel, Subject, UnitLoad,
};
use crate::error::{Error, Result};

/// Occupancy now: midnight census × 100 / beds in service (DOMAIN.md §1,
/// bed occupancy rate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OccupancyRule {
    /// Raise a warning at or above this occupancy, percent (default 85: the
    /// rule of thumb of Bagust, Place & Posnett, BMJ 1999).
    pub warning_pct: f64,
    /// Raise as critical at or above this occupancy (default 95).
    pub critical_pct: f64,
    /// Clear below this occupancy (default 82; hysteresis: between it and
    /// `warning_pct` an active alert stays active).
    pub clear_below_pct: f64,
}

impl Default for OccupancyRule {
    fn default() -> Self {
        Self {
            warning_pct: 85.0,
            critical_pct: 95.0,
            clear_below_pct: 82.0,
        }
    }
}

/// Occupancy forecast: the probability that the census exceeds the beds on
/// some day of the horizon (the census distribution of
/// [`crate::resources::forecast_census`], DOMAIN.md §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OccupancyForecastRule {
    /// Days ahead to look (default 7).
    pub horizon_days: u32,
    /// Raise a warning when `max_t P(census_t > beds)` reaches this (default 0.25).
    pub probability: f64,
    /// Raise as critical from this probability (default 0.5).
    pub critical_probability: f64,
    /// Clear below this probability (default 0.15).
    pub clear_below: f64,
}

impl Default for OccupancyForecastRule {
    fn default() -> Self {
        Self {
            horizon_days: 7,
            probability: 0.25,
            critical_probability: 0.5,
            clear_below: 0.15,
        }
    }
}

/// Shortage of a critical resource (ICU beds, ventilators): free units =
/// capacity − in use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ShortageRule {
    /// Raise a warning when at most this many units are free (default 1).
    pub warning_free: f64,
    /// Raise as critical when at most this many are free (default 0: full
    /// or over capacity).
    pub critical_free: f64,
    /// Clear when at least this many are free (default 2).
    pub clear_free: f64,
}

impl Default for ShortageRule {
    fn default() -> Self {
        Self {
            warning_free: 1.0,
            critical_free: 0.0,
            clear_free: 2.0,
        }
    }
}

/// Low stock: stock on hand at or below the reorder point (lead-time demand
/// plus safety stock, DOMAIN.md §3), or fewer days of cover than required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LowStockRule {
    /// Raise a warning below this many days of cover (on hand / mean daily
    /// demand; default 7, the lead time of the default
    /// [`crate::medicines::ReorderPolicy`]).
    pub min_days_of_cover: f64,
    /// Raise as critical below this many days of cover, or with nothing on
    /// hand (default 3).
    pub critical_days_of_cover: f64,
    /// Clear from this many days of cover, and above the reorder point
    /// (default 10).
    pub clear_days_of_cover: f64,
}

impl Default for LowStockRule {
    fn default() -> Self {
        Self {
            min_days_of_cover: 7.0,
            critical_days_of_cover: 3.0,
            clear_days_of_cover: 10.0,
        }
    }
}

/// Expiry: stock projected to expire before it is used at the forecast rate
/// (DOMAIN.md §3; [`crate::medicines::project_stock`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExpiryRule {
    /// Days ahead in which expiries count (default 90).
    pub horizon_days: u32,
    /// Raise when at least this many units will expire unused (default 1).
    pub min_units: f64,
    /// ... and their value is at least this (default 0).
    pub min_value: f64,
    /// Raise as critical from this value, if set (default none).
    pub critical_value: Option<f64>,
}

impl Default for ExpiryRule {
    fn default() -> Self {
        Self {
            horizon_days: 90,
            min_units: 1.0,
            min_value: 0.0,
            critical_value: None,
        }
    }
}

/// Delayed discharges: open stays longer than `factor` × the `quantile` of
/// the department's completed lengths of stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DelayedDischargeRule {
    /// Quantile of the completed LOS that sets the norm (default 0.9).
    pub quantile: f64,
    /// An open stay is delayed beyond `factor` × norm (default 2).
    pub factor: f64,
    /// Raise a warning from this many delayed stays (default 3).
    pub min_count: usize,
    /// Raise as critical from this many (default 10).
    pub critical_count: usize,
    /// Completed stays needed before the norm is trusted (default 30).
    pub min_history: usize,
    /// Days of completed stays the norm is learned from, ending at the
    /// evaluation (default 365; used by [`super::NetworkObserver`]).
    pub lookback_days: u32,
}

impl Default for DelayedDischargeRule {
    fn default() -> Self {
        Self {
            quantile: 0.9,
            factor: 2.0,
            min_count: 3,
            critical_count: 10,
            min_history: 30,
            lookback_days: 365,
        }
    }
}

/// Admissions outpacing discharges in the peak window of the day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowRule {
    /// First hour of the peak window (default 8: the morning admission
    /// peak, before the noon discharge target of DOMAIN.md §1); a window
    /// with `start_hour > end_hour` wraps past midnight.
    pub start_hour: u32,
    /// Hour after the window (default 12, exclusive).
    pub end_hour: u32,
    /// Days summed (default 7; used by [`super::NetworkObserver`]).
    pub window_days: u32,
    /// Raise when admissions ≥ this × discharges in the window (default 1.25).
    pub min_ratio: f64,
    /// ... and admissions − discharges ≥ this many a day (default 3).
    pub min_excess_per_day: f64,
    /// Raise as critical from this ratio (default 2).
    pub critical_ratio: f64,
    /// Clear below this ratio (default 1.1).
    pub clear_ratio: f64,
}

impl Default for FlowRule {
    fn default() -> Self {
        Self {
            start_hour: 8,
            end_hour: 12,
            window_days: 7,
            min_ratio: 1.25,
            min_excess_per_day: 3.0,
            critical_ratio: 2.0,
            clear_ratio: 1.1,
        }
    }
}

/// Readmission spike: the p-chart z of the current window's 30-day
/// readmission rate against the baseline's (see the module docs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReadmissionRule {
    /// Raise a warning at `z ≥ z_limit` (default 3, the 3σ control limit).
    pub z_limit: f64,
    /// Raise as critical from this z (default 4).
    pub critical_z: f64,
    /// Clear below this z (default 2).
    pub clear_z: f64,
    /// Index stays needed in the current window (default 30).
    pub min_index_stays: f64,
    /// Days of index discharges in the current window (default 30; used by
    /// [`super::NetworkObserver`]).
    pub window_days: u32,
    /// Days of index discharges in the baseline, just before the window
    /// (default 180; used by [`super::NetworkObserver`]).
    pub baseline_days: u32,
    /// The readmission measure (CMS rules, default 30-day window).
    pub measure: ReadmissionRules,
}

impl Default for ReadmissionRule {
    fn default() -> Self {
        Self {
            z_limit: 3.0,
            critical_z: 4.0,
            clear_z: 2.0,
            min_index_stays: 30.0,
            window_days: 30,
            baseline_days: 180,
            measure: ReadmissionRules::default(),
        }
    }
}

/// Every rule; `None` switches a rule off. The default turns every rule on
/// with its defaults. Serialised as a JSON object with one optional key per
/// rule (`{"occupancy": {"warning_pct": 90}, "expiry": null}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertRules {
    /// [`RuleKind::Occupancy`].
    pub occupancy: Option<OccupancyRule>,
    /// [`RuleKind::OccupancyForecast`].
    pub occupancy_forecast: Option<OccupancyForecastRule>,
    /// [`RuleKind::IcuShortage`].
    pub icu: Option<ShortageRule>,
    /// [`RuleKind::VentilatorShortage`].
    pub ventilators: Option<ShortageRule>,
    /// [`RuleKind::LowStock`].
    pub low_stock: Option<LowStockRule>,
    /// [`RuleKind::Expiry`].
    pub expiry: Option<ExpiryRule>,
    /// [`RuleKind::DelayedDischarge`].
    pub delayed_discharge: Option<DelayedDischargeRule>,
    /// [`RuleKind::FlowImbalance`].
    pub flow: Option<FlowRule>,
    /// [`RuleKind::ReadmissionSpike`].
    pub readmission: Option<ReadmissionRule>,
}

impl Default for AlertRules {
    fn default() -> Self {
        Self {
            occupancy: Some(OccupancyRule::default()),
            occupancy_forecast: Some(OccupancyForecastRule::default()),
            icu: Some(ShortageRule::default()),
            ventilators: Some(ShortageRule::default()),
            low_stock: Some(LowStockRule::default()),
            expiry: Some(ExpiryRule::default()),
            delayed_discharge: Some(DelayedDischargeRule::default()),
            flow: Some(FlowRule::default()),
            readmission: Some(ReadmissionRule::default()),
        }
    }
}

impl AlertRules {
    /// No rule switched on.
    #[must_use]
    pub fn none() -> Self {
        Self {
            occupancy: None,
            occupancy_forecast: None,
            icu: None,
            ventilators: None,
            low_stock: None,
            expiry: None,
            delayed_discharge: None,
            flow: None,
            readmission: None,
        }
    }

    /// Check every parameter.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the parameter: a non-finite or
    /// negative threshold, a probability or quantile outside (0, 1), a
    /// clear level above its raise level (or a critical level below it), an
    /// hour above 23 or 24, a zero horizon or window.
    pub fn check(&self) -> Result<()> {
        if let Some(r) = &self.occupancy {
            nonneg("occupancy.warning_pct", r.warning_pct)?;
            ordered("occupancy.clear_below_pct", r.clear_below_pct, r.warning_pct)?;
            ordered("occupancy.critical_pct", r.warning_pct, r.critical_pct)?;
        }
        if let Some(r) = &self.occupancy_forecast {
            positive_u32("occupancy_forecast.horizon_days", r.horizon_days)?;
            probability("occupancy_forecast.probability", r.probability)?;
            probability("occupancy_forecast.critical_probability", r.critical_probability)?;
            nonneg("occupancy_forecast.clear_below", r.clear_below)?;
            ordered("occupancy_forecast.clear_below", r.clear_below, r.probability)?;
            ordered(
                "occupancy_forecast.critical_probability",
                r.probability,
                r.critical_probability,
            )?;
        }
        for (name, r) in [("icu", &self.icu), ("ventilators", &self.ventilators)] {
            if let Some(r) = r {
                finite(name, r.critical_free)?;
                ordered(name, r.critical_free, r.warning_free)?;
                ordered(name, r.warning_free, r.clear_free)?;
            }
        }
        if let Some(r) = &self.low_stock {
            nonneg("low_stock.critical_days_of_cover", r.critical_days_of_cover)?;
            ordered(
                "low_stock.min_days_of_cover",
                r.critical_days_of_cover,
                r.min_days_of_cover,
            )?;
            ordered(
                "low_stock.clear_days_of_cover",
                r.min_days_of_cover,
                r.clear_days_of_cover,
            )?;
        }
        if let Some(r) = &self.expiry {
            positive_u32("expiry.horizon_days", r.horizon_days)?;
            nonneg("expiry.min_units", r.min_units)?;
            nonneg("expiry.min_value", r.min_value)?;
            if let Some(c) = r.critical_value {
                ordered("expiry.critical_value", r.min_value, c)?;
            }
        }
        if let Some(r) = &self.delayed_discharge {
            probability("delayed_discharge.quantile", r.quantile)?;
            nonneg("delayed_discharge.factor", r.factor)?;
            if r.min_count == 0 || r.critical_count < r.min_count {
                return Err(invalid(
                    "delayed_discharge.min_count",
                    "must be at least 1 and at most critical_count",
                ));
            }
            positive_u32("delayed_discharge.lookback_days", r.lookback_days)?;
        }
        if let Some(r) = &self.flow {
            if r.start_hour > 23 || r.end_hour > 24 || r.start_hour == r.end_hour {
                return Err(invalid(
                    "flow.start_hour",
                    "hours must satisfy start_hour <= 23, end_hour <= 24 and differ",
                ));
            }
            positive_u32("flow.window_days", r.window_days)?;
            nonneg("flow.min_excess_per_day", r.min_excess_per_day)?;
            nonneg("flow.clear_ratio", r.clear_ratio)?;
            ordered("flow.clear_ratio", r.clear_ratio, r.min_ratio)?;
            ordered("flow.critical_ratio", r.min_ratio, r.critical_ratio)?;
        }
        if let Some(r) = &self.readmission {
            finite("readmission.clear_z", r.clear_z)?;
            ordered("readmission.clear_z", r.clear_z, r.z_limit)?;
            ordered("readmission.critical_z", r.z_limit, r.critical_z)?;
            nonneg("readmission.min_index_stays", r.min_index_stays)?;
            positive_u32("readmission.window_days", r.window_days)?;
            positive_u32("readmission.baseline_days", r.baseline_days)?;
            if r.measure.window_days < 1 {
                return Err(invalid("readmission.measure.window_days", "must be at least 1"));
            }
        }
        Ok(())
    }

    /// Run every rule that is on over its observations.
    pub(super) fn evaluate_all(&self, obs: &Observations) -> Result<Vec<(RuleKind, Subject, Status)>> {
        let mut out = Vec::new();
        if let Some(r) = &self.occupancy {
            each(
                &mut out,
                RuleKind::Occupancy,
                &obs.occupancy,
                |o| &o.subject,
                |o| occupancy(r, o),
            )?;
        }
        if let Some(r) = &self.occupancy_forecast {
            each(
                &mut out,
                RuleKind::OccupancyForecast,
                &obs.occupancy_forecast,
                |o| &o.subject,
                |o| occupancy_forecast(r, o),
            )?;
        }
        if let Some(r) = &self.icu {
            each(
                &mut out,
                RuleKind::IcuShortage,
                &obs.icu,
                |o| &o.subject,
                |o| shortage(r, o, "ICU beds"),
            )?;
        }
        if let Some(r) = &self.ventilators {
            each(
                &mut out,
                RuleKind::VentilatorShortage,
                &obs.ventilators,
                |o| &o.subject,
                |o| shortage(r, o, "ventilators"),
            )?;
        }
        if let Some(r) = &self.low_stock {
            each(
                &mut out,
                RuleKind::LowStock,
                &obs.stock,
                |o| &o.subject,
                |o| low_stock(r, o),
            )?;
        }
        if let Some(r) = &self.expiry {
            each(&mut out, RuleKind::Expiry, &obs.stock, |o| &o.subject, |o| expiry(r, o))?;
        }
        if let Some(r) = &self.delayed_discharge {
            each(
                &mut out,
                RuleKind::DelayedDischarge,
                &obs.stays,
                |o| &o.subject,
                |o| delayed(r, o),
            )?;
        }
        if let Some(r) = &self.flow {
            each(
                &mut out,
                RuleKind::FlowImbalance,
                &obs.flow,
                |o| &o.subject,
                |o| flow(r, o),
            )?;
        }
        if let Some(r) = &self.readmission {
            each(
                &mut out,
                RuleKind::ReadmissionSpike,
                &obs.readmissions,
                |o| &o.subject,
                |o| readmission(r, o),
            )?;
        }
        Ok(out)
    }
}

fn invalid(name: &'static str, problem: &str) -> Error {
    Error::InvalidParameter {
        name,
        problem: problem.to_string(),
    }
}

fn finite(name: &'static str, x: f64) -> Result<()> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(invalid(name, &format!("{x} is not finite")))
    }
}

fn nonneg(name: &'static str, x: f64) -> Result<()> {
    if x.is_finite() && x >= 0.0 {
        Ok(())
    } else {
        Err(invalid(name, &format!("{x} is not a finite non-negative number")))
    }
}

fn probability(name: &'static str, p: f64) -> Result<()> {
    if p > 0.0 && p < 1.0 {
        Ok(())
    } else {
        Err(invalid(name, &format!("{p} is not strictly between 0 and 1")))
    }
}

fn positive_u32(name: &'static str, n: u32) -> Result<()> {
    if n > 0 {
        Ok(())
    } else {
        Err(invalid(name, "must be at least 1"))
    }
}

/// `lo <= hi`, both finite.
fn ordered(name: &'static str, lo: f64, hi: f64) -> Result<()> {
    if lo.is_finite() && hi.is_finite() && lo <= hi {
        Ok(())
    } else {
        Err(invalid(
            name,
            &format!("levels {lo} and {hi} are not finite and in order"),
        ))
    }
}

/// Apply `rule` to every observation of a list, rejecting a subject listed twice.
fn each<T>(
    out: &mut Vec<(RuleKind, Subject, Status)>,
    kind: RuleKind,
    list: &[T],
    subject: impl Fn(&T) -> &Subject,
    rule: impl Fn(&T) -> std::result::Result<Status, &'static str>,
) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for item in list {
        let s = subject(item);
        if !seen.insert(s) {
            return Err(Error::InvalidObservation {
                rule: kind.name(),
                subject: s.to_string(),
                problem: "subject listed twice",
            });
        }
        let status = rule(item).map_err(|problem| Error::InvalidObservation {
            rule: kind.name(),
            subject: s.to_string(),
            problem,
        })?;
        out.push((kind, s.clone(), status));
    }
    Ok(())
}

type Check = std::result::Result<Status, &'static str>;

fn check_values(values: &[f64]) -> std::result::Result<(), &'static str> {
    if values.iter().all(|v| v.is_finite() && *v >= 0.0) {
        Ok(())
    } else {
        Err("value negative or not finite")
    }
}

fn fire(severity: Severity, evidence: Evidence, message: String) -> Status {
    Status::Fire {
        severity,
        evidence,
        message,
    }
}

fn occupancy(r: &OccupancyRule, o: &UnitLoad) -> Check {
    check_values(&[o.in_use, o.capacity])?;
    if o.capacity <= 0.0 {
        // No bed in service: occupancy is undefined (NaN), not 100 %.
        return Ok(Status::Hold);
    }
    let pct = o.in_use * 100.0 / o.capacity;
    if pct >= r.warning_pct {
        let severity = if pct >= r.critical_pct {
            Severity::Critical
        } else {
            Severity::Warning
        };
        Ok(fire(
            severity,
            Evidence {
                observed: pct,
                threshold: r.warning_pct,
                capacity: Some(o.capacity),
                count: Some(o.in_use),
                ..Evidence::default()
            },
            format!(
                "{}: occupancy {pct:.1}% ({} of {} beds) at or above {}%",
                o.subject, o.in_use, o.capacity, r.warning_pct
            ),
        ))
    } else if pct < r.clear_below_pct {
        Ok(Status::Clear)
    } else {
        Ok(Status::Hold)
    }
}

fn occupancy_forecast(r: &OccupancyForecastRule, o: &ForecastLoad) -> Check {
    check_values(&[o.capacity])?;
    if o.prob_above.iter().any(|p| !(0.0..=1.0).contains(p)) {
        return Err("probability outside [0, 1]");
    }
    let horizon = (r.horizon_days as usize).min(o.prob_above.len());
    let Some((step, &p)) = o.prob_above[..horizon]
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
    else {
        return Ok(Status::Hold);
    };
    if p >= r.probability {
        let day = o
            .as_of
            .checked_add_days(chrono::Days::new(step as u64 + 1))
            .unwrap_or(o.as_of);
        let severity = if p >= r.critical_probability {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let mean = o.mean.get(step).copied().unwrap_or(f64::NAN);
        Ok(fire(
            severity,
            Evidence {
                observed: mean,
                threshold: r.probability,
                probability: Some(p),
                capacity: Some(o.capacity),
                horizon_days: Some(r.horizon_days),
                day: Some(day),
                ..Evidence::default()
            },
            format!(
                "{}: census above {} beds with probability {:.0}% on {day} (within {} days)",
                o.subject,
                o.capacity,
                p * 100.0,
                r.horizon_days
            ),
        ))
    } else if p < r.clear_below {
        Ok(Status::Clear)
    } else {
        Ok(Status::Hold)
    }
}

fn shortage(r: &ShortageRule, o: &UnitLoad, what: &str) -> Check {
    check_values(&[o.in_use, o.capacity])?;
    let free = o.capacity - o.in_use;
    if free <= r.warning_free {
        let severity = if free <= r.critical_free {
            Severity::Critical
        } else {
            Severity::Warning
        };
        Ok(fire(
            severity,
            Evidence {
                observed: free,
                threshold: r.warning_free,
                capacity: Some(o.capacity),
                count: Some(o.in_use),
                ..Evidence::default()
            },
            if free < 0.0 {
                format!(
                    "{}: over capacity, {} in use for {} {what}",
                    o.subject, o.in_use, o.capacity
                )
            } else {
                format!(
                    "{}: {free} of {} {what} free ({} in use)",
                    o.subject, o.capacity, o.in_use
                )
            },
        ))
    } else if free >= r.clear_free {
        Ok(Status::Clear)
    } else {
        Ok(Status::Hold)
    }
}

fn low_stock(r: &LowStockRule, o: &StockLevel) -> Check {
    check_values(&[o.on_hand, o.daily_demand])?;
    if let Some(rop) = o.reorder_point {
        check_values(&[rop])?;
    }
    let cover = if o.daily_demand > 0.0 {
        o.on_hand / o.daily_demand
    } else {
        f64::INFINITY
    };
    let below_rop = o.reorder_point.is_some_and(|rop| o.on_hand <= rop);
    if cover < r.min_days_of_cover || below_rop {
        let severity = if o.on_hand <= 0.0 || cover < r.critical_days_of_cover {
            Severity::Critical
        } else {
            Severity::Warning
        };
        let rop = o
            .reorder_point
            .map_or(String::new(), |p| format!(", reorder point {p:.0}"));
        Ok(fire(
            severity,
            Evidence {
                observed: cover,
                threshold: r.min_days_of_cover,
                capacity: Some(o.on_hand),
                baseline: o.reorder_point,
                count: Some(o.daily_demand),
                ..Evidence::default()
            },
            format!(
                "{}: {:.0} on hand, {cover:.1} days of cover at {:.1} a day{rop}",
                o.subject, o.on_hand, o.daily_demand
            ),
        ))
    } else if cover >= r.clear_days_of_cover && o.reorder_point.is_none_or(|rop| o.on_hand > rop) {
        Ok(Status::Clear)
    } else {
        Ok(Status::Hold)
    }
}

fn expiry(r: &ExpiryRule, o: &StockLevel) -> Check {
    check_values(&[o.expiring_units, o.expiring_value])?;
    if o.expiring_units >= r.min_units && o.expiring_units > 0.0 && o.expiring_value >= r.min_value {
        let severity = if r.critical_value.is_some_and(|c| o.expiring_value >= c) {
            Severity::Critical
        } else {
            Severity::Warning
        };
        Ok(fire(
            severity,
            Evidence {
                observed: o.expiring_units,
                threshold: r.min_units,
                capacity: Some(o.on_hand),
                baseline: Some(o.expiring_value),
                horizon_days: Some(r.horizon_days),
                ..Evidence::default()
            },
            format!(
                "{}: {:.0} units (value {:.2}) will expire unused within {} days",
                o.subject, o.expiring_units, o.expiring_value, r.horizon_days
            ),
        ))
    } else {
        Ok(Status::Clear)
    }
}

fn delayed(r: &DelayedDischargeRule, o: &DepartmentStays) -> Check {
    check_values(&o.completed_los_days)?;
    check_values(&o.open_los_days)?;
    if o.completed_los_days.len() < r.min_history {
        return Ok(Status::Hold);
    }
    let norm = quantile(&o.completed_los_days, r.quantile);
    let limit = r.factor * norm;
    let delayed: Vec<f64> = o.open_los_days.iter().copied().filter(|&d| d > limit).collect();
    let n = delayed.len();
    if n >= r.min_count {
        let longest = delayed.iter().copied().fold(0.0, f64::max);
        let severity = if n >= r.critical_count {
            Severity::Critical
        } else {
            Severity::Warning
        };
        Ok(fire(
            severity,
            Evidence {
                observed: n as f64,
                threshold: r.min_count as f64,
                count: Some(o.open_los_days.len() as f64),
                baseline: Some(norm),
                statistic: Some(longest),
                ..Evidence::default()
            },
            format!(
                "{}: {n} stays beyond {limit:.1} days ({} x p{:.0} LOS {norm:.1} days); longest {longest:.1} days",
                o.subject,
                r.factor,
                r.quantile * 100.0
            ),
        ))
    } else {
        Ok(Status::Clear)
    }
}

/// Whether `hour` is in the window `[start, end)`, wrapping past midnight
/// when `start > end`.
pub(super) fn in_window(hour: u32, start: u32, end: u32) -> bool {
    if start < end {
        start <= hour && hour < end
    } else {
        hour >= start || hour < end
    }
}

fn flow(r: &FlowRule, o: &HourlyFlow) -> Check {
    check_values(&o.admissions)?;
    check_values(&o.discharges)?;
    check_values(&[o.days])?;
    if o.days <= 0.0 {
        return Ok(Status::Hold);
    }
    let (mut a, mut d) = (0.0, 0.0);
    for h in 0..24u32 {
        if in_window(h, r.start_hour, r.end_hour) {
            a += o.admissions[h as usize];
            d += o.discharges[h as usize];
        }
    }
    let ratio = if d > 0.0 {
        a / d
    } else if a > 0.0 {
        f64::INFINITY
    } else {
        0.0
    };
    let excess = (a - d) / o.days;
    if ratio >= r.min_ratio && excess >= r.min_excess_per_day {
        let severity = if ratio >= r.critical_ratio {
            Severity::Critical
        } else {
            Severity::Warning
        };
        Ok(fire(
            severity,
            Evidence {
                observed: ratio,
                threshold: r.min_ratio,
                count: Some(a / o.days),
                baseline: Some(d / o.days),
                statistic: Some(excess),
                ..Evidence::default()
            },
            format!(
                "{}: {:.1} admissions vs {:.1} discharges a day between {:02}:00 and {:02}:00 (ratio {ratio:.2})",
                o.subject,
                a / o.days,
                d / o.days,
                r.start_hour,
                r.end_hour
            ),
        ))
    } else if ratio < r.clear_ratio || excess < r.min_excess_per_day {
        Ok(Status::Clear)
    } else {
        Ok(Status::Hold)
    }
}

/// The p-chart statistic `z = (p − p̄) / sqrt(p̄ (1 − p̄) / n)`, or `None`
/// when it is undefined (no index stay, baseline rate 0 or 1).
pub(super) fn p_chart_z(o: &ReadmissionCounts) -> Option<(f64, f64, f64)> {
    if o.index_stays <= 0.0 || o.baseline_index_stays <= 0.0 {
        return None;
    }
    let p = o.readmissions / o.index_stays;
    let p0 = o.baseline_readmissions / o.baseline_index_stays;
    if p0 <= 0.0 || p0 >= 1.0 {
        return None;
    }
    let sigma = (p0 * (1.0 - p0) / o.index_stays).sqrt();
    Some(((p - p0) / sigma, p, p0))
}

fn readmission(r: &ReadmissionRule, o: &ReadmissionCounts) -> Check {
    check_values(&[
        o.index_stays,
        o.readmissions,
        o.baseline_index_stays,
        o.baseline_readmissions,
    ])?;
    if o.readmissions > o.index_stays || o.baseline_readmissions > o.baseline_index_stays {
        return Err("more readmissions than index stays");
    }
    if o.index_stays < r.min_index_stays {
        return Ok(Status::Hold);
    }
    let Some((z, p, p0)) = p_chart_z(o) else {
        return Ok(Status::Hold);
    };
    if z >= r.z_limit {
        let severity = if z >= r.critical_z {
            Severity::Critical
        } else {
            Severity::Warning
        };
        Ok(fire(
            severity,
            Evidence {
                observed: p,
                threshold: p0 + r.z_limit * (p0 * (1.0 - p0) / o.index_stays).sqrt(),
                count: Some(o.index_stays),
                baseline: Some(p0),
                statistic: Some(z),
                ..Evidence::default()
            },
            format!(
                "{}: 30-day readmission rate {:.1}% of {} index stays vs baseline {:.1}% (z = {z:.1})",
                o.subject,
                p * 100.0,
                o.index_stays,
                p0 * 100.0
            ),
        ))
    } else if z < r.clear_z {
        Ok(Status::Clear)
    } else {
        Ok(Status::Hold)
    }
}
