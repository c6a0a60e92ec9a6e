//! The monthly performance report for the hospital board: KPIs by branch and
//! department against targets and the previous month, twelve-month trends,
//! a forecast for the next month and the alerts raised in the month.
//!
//! [`MonthlyReport::build`] computes everything from a hutano-core
//! [`Network`] with its KPI engine ([`hutano_core::kpi::Engine`]), so every
//! number in the report is the engine's (DOMAIN.md §1 definitions: occupancy
//! from admissions and discharges, ALOS over discharges only, readmissions
//! from the encounters). The writers give one self-contained HTML file
//! ([`MonthlyReport::to_html`]: inline CSS and hand-written SVG charts, no
//! script, no font or any other resource fetched, so it opens offline), a
//! long-format CSV ([`MonthlyReport::to_csv`]) and JSON
//! ([`MonthlyReport::to_json`]).
//!
//! # What is in it
//! - **KPIs** ([`ReportKpi`]) for the network, each branch and each
//!   department, for the month and the previous month, with the change and
//!   the target where one is set ([`Targets`]; by default occupancy at most
//!   85 %, the rule of thumb of Bagust, Place & Posnett, BMJ 1999, and
//!   discharge-to-billing median under 24 h, DOMAIN.md §1).
//! - **Trends**: each KPI by month over the twelve months ending with the
//!   report month, for the network and each branch. Months before the
//!   first recorded discharge of the network are left out (a network
//!   generated or loaded from a start date has only the stays still in
//!   hospital before it).
//! - **Forecast for the next month**, per branch and for the network, made
//!   at the midnight ending the report month with nothing later:
//!   admissions by a weekly seasonal-naive model of daily admissions
//!   ([`crate::baseline::SeasonalNaive`]), the monthly total being the sum
//!   of the daily forecasts and its 80 % bounds those of a normal total with
//!   the daily forecast variances added (daily errors taken as independent;
//!   for the network, the branches' bounds are summed, which is
//!   conservative); the mean
//!   midnight census and the largest daily probability that the census
//!   exceeds the beds in service from [`crate::resources::census_from_stays`].
//! - **Alerts** raised in the month by [`crate::alerts::evaluate_network`]
//!   (the engine is started `warmup_days` before the month so that a
//!   condition already active at the start is not reported as new).
//!
//! # Caveat
//! The 30-day readmission rate of the latest months is provisional: index
//! stays discharged near the end of the data have not had their 30 days.
//!
//! ```
//! use chrono::NaiveDate;
//! use hutano_core::generate::{generate, GeneratorConfig};
//! use hutano_forecast::report::{MonthlyReport, ReportConfig, ReportKpi};
//!
//! let net = generate(&GeneratorConfig::national(5).days(75))?;
//! let config = ReportConfig { alert_rules: hutano_forecast::alerts::AlertRules::none(), ..ReportConfig::default() };
//! let report = MonthlyReport::build(&net, NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(), &config)?;
//! let occupancy = report.network_value(ReportKpi::OccupancyRate).unwrap();
//! assert!(occupancy > 0.0);
//! let html = report.to_html();
//! assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script"));
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

mod html;
mod svg;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use chrono::{Datelike, Days, Months, NaiveDate};
use hutano_core::kpi::{Dimension, Engine, Grain, Kpi, Period, Query};
use hutano_core::model::Network;
use hutano_core::table::Table;
use serde::{Deserialize, Serialize};

use crate::alerts::{evaluate_network, Alert, AlertRules};
use crate::baseline::SeasonalNaive;
use crate::error::{Error, Result};
use crate::forecast::{Fit, Predict};
use crate::resources::{census_from_stays, ArrivalModel, Stay};

/// A KPI of the report: which catalog KPI of hutano-core computes it and
/// which column it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ReportKpi {
    /// Admissions in the month (`admissions.admissions`).
    Admissions,
    /// Discharges, deaths included (`admissions.discharges`).
    Discharges,
    /// Bed occupancy rate, percent (`bed_utilisation.occupancy_rate`).
    OccupancyRate,
    /// Average length of stay, days, all stays (`alos.alos`).
    Alos,
    /// 30-day readmission rate, a fraction (`readmissions.readmission_rate`).
    ReadmissionRate,
    /// In-hospital mortality, a fraction (`mortality.mortality_rate`).
    MortalityRate,
    /// Share of discharges before noon (`discharge_timing.before_noon_share`).
    BeforeNoonShare,
    /// Median hours from discharge to billing close
    /// (`discharge_timing.discharge_to_billing_median_h`).
    DischargeToBillingHours,
    /// Cost per discharge (`finance.cost_per_discharge`).
    CostPerDischarge,
}

/// How a KPI's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Count,
    Percent,
    Fraction,
    Days,
    Hours,
    Money,
}

impl ReportKpi {
    /// Every KPI, in report order.
    pub const ALL: [ReportKpi; 9] = [
        ReportKpi::Admissions,
        ReportKpi::Discharges,
        ReportKpi::OccupancyRate,
        ReportKpi::Alos,
        ReportKpi::ReadmissionRate,
        ReportKpi::MortalityRate,
        ReportKpi::BeforeNoonShare,
        ReportKpi::DischargeToBillingHours,
        ReportKpi::CostPerDischarge,
    ];

    /// Snake-case name, as serialised and in the CSV.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ReportKpi::Admissions => "admissions",
            ReportKpi::Discharges => "discharges",
            ReportKpi::OccupancyRate => "occupancy_rate",
            ReportKpi::Alos => "alos",
            ReportKpi::ReadmissionRate => "readmission_rate",
            ReportKpi::MortalityRate => "mortality_rate",
            ReportKpi::BeforeNoonShare => "before_noon_share",
            ReportKpi::DischargeToBillingHours => "discharge_to_billing_median_h",
            ReportKpi::CostPerDischarge => "cost_per_discharge",
        }
    }

    /// Display label.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            ReportKpi::Admissions => "Admissions",
            ReportKpi::Discharges => "Discharges",
            ReportKpi::OccupancyRate => "Bed occupancy",
            ReportKpi::Alos => "Average length of stay",
            ReportKpi::ReadmissionRate => "30-day readmissions",
            ReportKpi::MortalityRate => "In-hospital mortality",
            ReportKpi::BeforeNoonShare => "Discharges before noon",
            ReportKpi::DischargeToBillingHours => "Discharge to billing (median)",
            ReportKpi::CostPerDischarge => "Cost per discharge",
        }
    }

    /// The catalog KPI (`hutano_core::kpi::Kpi::NAMES`) and its column.
    #[must_use]
    pub fn source(self) -> (&'static str, &'static str) {
        match self {
            ReportKpi::Admissions => ("admissions", "admissions"),
            ReportKpi::Discharges => ("admissions", "discharges"),
            ReportKpi::OccupancyRate => ("bed_utilisation", "occupancy_rate"),
            ReportKpi::Alos => ("alos", "alos"),
            ReportKpi::ReadmissionRate => ("readmissions", "readmission_rate"),
            ReportKpi::MortalityRate => ("mortality", "mortality_rate"),
            ReportKpi::BeforeNoonShare => ("discharge_timing", "before_noon_share"),
            ReportKpi::DischargeToBillingHours => ("discharge_timing", "discharge_to_billing_median_h"),
            ReportKpi::CostPerDischarge => ("finance", "cost_per_discharge"),
        }
    }

    pub(crate) fn unit(self) -> Unit {
        match self {
            ReportKpi::Admissions | ReportKpi::Discharges => Unit::Count,
            ReportKpi::OccupancyRate => Unit::Percent,
            ReportKpi::ReadmissionRate | ReportKpi::MortalityRate | ReportKpi::BeforeNoonShare => Unit::Fraction,
            ReportKpi::Alos => Unit::Days,
            ReportKpi::DischargeToBillingHours => Unit::Hours,
            ReportKpi::CostPerDischarge => Unit::Money,
        }
    }
}

/// Whether a target is a ceiling or a floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// On target when the value is at most the target.
    AtMost,
    /// On target when the value is at least the target.
    AtLeast,
}

/// A target for one KPI, in the KPI's own unit (percent for occupancy, a
/// fraction for rates and shares).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The target value.
    pub value: f64,
    /// Ceiling or floor.
    pub direction: Direction,
}

impl Target {
    /// Whether `x` meets the target.
    #[must_use]
    pub fn met_by(&self, x: f64) -> bool {
        match self.direction {
            Direction::AtMost => x <= self.value,
            Direction::AtLeast => x >= self.value,
        }
    }
}

/// Targets by KPI. The default sets occupancy at most 85 % (Bagust, Place &
/// Posnett, BMJ 1999, a rule of thumb: DOMAIN.md §1 prefers a target from
/// a service level, which a caller can put here per network) and the median
/// discharge-to-billing time at most 24 h (DOMAIN.md §1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Targets(pub BTreeMap<ReportKpi, Target>);

impl Default for Targets {
    fn default() -> Self {
        let mut m = BTreeMap::new();
        m.insert(
            ReportKpi::OccupancyRate,
            Target {
                value: 85.0,
                direction: Direction::AtMost,
            },
        );
        m.insert(
            ReportKpi::DischargeToBillingHours,
            Target {
                value: 24.0,
                direction: Direction::AtMost,
            },
        );
        Self(m)
    }
}

/// How to build the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Targets by KPI.
    pub targets: Targets,
    /// Months in each trend, ending with the report month (default 12).
    pub trend_months: u32,
    /// The alert rules ([`AlertRules::none`] for no alert section).
    pub alert_rules: AlertRules,
    /// Days the alert engine runs before the month (default 14).
    pub warmup_days: u32,
    /// Forecast the next month (default true).
    pub forecast: bool,
    /// Alerts listed in the HTML (all are in the CSV and JSON; default 25).
    pub html_alert_rows: usize,
    /// Currency shown with money values (default none).
    pub currency: Option<String>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        Self {
            targets: Targets::default(),
            trend_months: 12,
            alert_rules: AlertRules::default(),
            warmup_days: 14,
            forecast: true,
            html_alert_rows: 25,
            currency: None,
        }
    }
}

/// The level of a KPI row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The whole network.
    Network,
    /// A branch.
    Branch,
    /// A department.
    Department,
}

/// One KPI of one unit for the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiRow {
    /// Network, branch or department.
    pub level: Level,
    /// Branch code (empty for the network).
    pub branch: String,
    /// Department code (empty unless a department).
    pub department: String,
    /// The KPI.
    pub kpi: ReportKpi,
    /// The month's value (`None` when the engine has no row or the ratio's
    /// denominator is zero).
    pub value: Option<f64>,
    /// The previous month's value.
    pub previous: Option<f64>,
    /// `value − previous`.
    pub change: Option<f64>,
    /// The target, if set.
    pub target: Option<f64>,
    /// Whether the value meets the target.
    pub on_target: Option<bool>,
}

/// A KPI by month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// Network or branch.
    pub level: Level,
    /// Branch code (empty for the network).
    pub branch: String,
    /// The KPI.
    pub kpi: ReportKpi,
    /// First day of each month.
    pub months: Vec<NaiveDate>,
    /// The value per month.
    pub values: Vec<Option<f64>>,
}

/// The forecast of the next month for a branch or the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthForecast {
    /// Branch code (empty for the network).
    pub branch: String,
    /// First day of the forecast month.
    pub month: NaiveDate,
    /// Forecast admissions in the month.
    pub admissions: f64,
    /// Lower 80 % bound of the monthly total (daily errors independent).
    pub admissions_lo80: f64,
    /// Upper 80 % bound.
    pub admissions_hi80: f64,
    /// Mean midnight census over the month.
    pub mean_census: f64,
    /// Beds in service on the last day of the report month.
    pub beds: f64,
    /// `mean_census × 100 / beds`.
    pub occupancy_rate: f64,
    /// Largest daily `P(census > beds)` in the month (branches only;
    /// `None` for the network).
    pub max_prob_above_beds: Option<f64>,
}

/// The monthly board report. Build it with [`MonthlyReport::build`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyReport {
    /// Network name.
    pub network: String,
    /// First day of the report month.
    pub month: NaiveDate,
    /// The month, half-open `[start, end)`.
    pub period: Period,
    /// The previous month.
    pub previous_period: Period,
    /// Branch codes and names, in network order.
    pub branches: Vec<(String, String)>,
    /// Department codes, names and branch codes, in network order.
    pub departments: Vec<(String, String, String)>,
    /// Targets used.
    pub targets: Targets,
    /// KPIs of the network, every branch and every department.
    pub kpis: Vec<KpiRow>,
    /// Trends of the network and every branch.
    pub trends: Vec<Trend>,
    /// Next-month forecasts (network first, then branches).
    pub forecasts: Vec<MonthForecast>,
    /// Alerts raised in the month, in the order raised.
    pub alerts: Vec<Alert>,
    /// Currency of money values, if known.
    pub currency: Option<String>,
    /// Alerts listed in the HTML.
    pub html_alert_rows: usize,
}

/// The first day of the month of `d`.
fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn add_months(d: NaiveDate, n: u32) -> Result<NaiveDate> {
    d.checked_add_months(Months::new(n))
        .ok_or_else(|| out_of_range("month"))
}

fn sub_months(d: NaiveDate, n: u32) -> Result<NaiveDate> {
    d.checked_sub_months(Months::new(n))
        .ok_or_else(|| out_of_range("month"))
}

fn out_of_range(name: &'static str) -> Error {
    Error::InvalidParameter {
        name,
        problem: "out of the supported date range".into(),
    }
}

/// Values of one KPI column keyed by the group labels (and period start).
type Lookup = HashMap<(Vec<String>, NaiveDate), f64>;

fn lookup(table: &Table, dims: &[Dimension], column: &str) -> Lookup {
    let mut out = HashMap::new();
    let (Some(values), Some(starts)) = (table.f64s(column), table.dates("period_start")) else {
        return out;
    };
    let labels: Vec<&[String]> = dims.iter().filter_map(|d| table.texts(d.name())).collect();
    if labels.len() != dims.len() {
        return out;
    }
    for i in 0..table.len() {
        let key: Vec<String> = labels.iter().map(|l| l[i].clone()).collect();
        out.insert((key, starts[i]), values[i]);
    }
    out
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

/// KPI tables computed once per (catalog KPI, grouping, query).
struct Computer<'e, 'n> {
    engine: &'e Engine<'n>,
    cache: HashMap<(&'static str, Vec<Dimension>, Period, Grain), Table>,
}

impl Computer<'_, '_> {
    fn values(&mut self, kpi: ReportKpi, dims: &[Dimension], period: Period, grain: Grain) -> Result<Lookup> {
        let (name, column) = kpi.source();
        let key = (name, dims.to_vec(), period, grain);
        if !self.cache.contains_key(&key) {
            let q = Query::new(period).grain(grain).group_by(dims.iter().copied());
            let t = Kpi::from_name(name)?.compute(self.engine, &q)?;
            self.cache.insert(key.clone(), t);
        }
        Ok(lookup(&self.cache[&key], dims, column))
    }
}

impl MonthlyReport {
    /// Build the report of the month containing `month` (any day of it).
    ///
    /// # Errors
    /// [`Error::Core`] for an inconsistent network or a failing KPI query;
    /// [`Error::InvalidParameter`] for a month out of chrono's range, a
    /// `trend_months` of zero or invalid alert rules; errors of the alert
    /// evaluation and of the forecasts.
    // One pass per section (KPIs, trends, forecast, alerts), in page order.
    #[allow(clippy::too_many_lines)]
    pub fn build(net: &Network, month: NaiveDate, config: &ReportConfig) -> Result<Self> {
        if config.trend_months == 0 {
            return Err(Error::InvalidParameter {
                name: "trend_months",
                problem: "must be at least 1".into(),
            });
        }
        let start = month_start(month);
        let end = add_months(start, 1)?;
        let prev = sub_months(start, 1)?;
        let period = Period::new(start, end)?;
        let previous_period = Period::new(prev, start)?;
        let engine = Engine::new(net)?;
        let mut comp = Computer {
            engine: &engine,
            cache: HashMap::new(),
        };
        let branch_of_dept: HashMap<&str, &str> = net
            .departments
            .iter()
            .map(|d| (d.code.as_str(), net.branches[d.branch.index()].code.as_str()))
            .collect();
        let levels: [(Level, Vec<Dimension>); 3] = [
            (Level::Network, vec![]),
            (Level::Branch, vec![Dimension::Branch]),
            (Level::Department, vec![Dimension::Department]),
        ];
        let mut kpis = Vec::new();
        for (level, dims) in &levels {
            let keys: Vec<Vec<String>> = match level {
                Level::Network => vec![vec![]],
                Level::Branch => net.branches.iter().map(|b| vec![b.code.clone()]).collect(),
                Level::Department => net.departments.iter().map(|d| vec![d.code.clone()]).collect(),
            };
            for kpi in ReportKpi::ALL {
                let now = comp.values(kpi, dims, period, Grain::Period)?;
                let before = comp.values(kpi, dims, previous_period, Grain::Period)?;
                let target = config.targets.0.get(&kpi).copied();
                for key in &keys {
                    let value = finite(now.get(&(key.clone(), start)).copied());
                    let previous = finite(before.get(&(key.clone(), prev)).copied());
                    let (branch, department) = match level {
                        Level::Network => (String::new(), String::new()),
                        Level::Branch => (key[0].clone(), String::new()),
                        Level::Department => (
                            branch_of_dept.get(key[0].as_str()).copied().unwrap_or("").to_string(),
                            key[0].clone(),
                        ),
                    };
                    kpis.push(KpiRow {
                        level: *level,
                        branch,
                        department,
                        kpi,
                        value,
                        previous,
                        change: value.zip(previous).map(|(v, p)| v - p),
                        target: target.map(|t| t.value),
                        on_target: target.zip(value).map(|(t, v)| t.met_by(v)),
                    });
                }
            }
        }
        // Trends.
        let first_discharge = net
            .encounters
            .iter()
            .filter_map(|e| e.discharge)
            .min()
            .map(|d| month_start(d.date()));
        let mut trend_start = sub_months(start, config.trend_months - 1)?;
        if let Some(f) = first_discharge {
            trend_start = trend_start.max(f).min(start);
        }
        let trend_period = Period::new(trend_start, end)?;
        let mut months = Vec::new();
        let mut m = trend_start;
        while m < end {
            months.push(m);
            m = add_months(m, 1)?;
        }
        let mut trends = Vec::new();
        for (level, dims) in &levels[..2] {
            let keys: Vec<Vec<String>> = match level {
                Level::Network => vec![vec![]],
                _ => net.branches.iter().map(|b| vec![b.code.clone()]).collect(),
            };
            for kpi in ReportKpi::ALL {
                let values = comp.values(kpi, dims, trend_period, Grain::Month)?;
                for key in &keys {
                    trends.push(Trend {
                        level: *level,
                        branch: key.first().cloned().unwrap_or_default(),
                        kpi,
                        months: months.clone(),
                        values: months
                            .iter()
                            .map(|m| finite(values.get(&(key.clone(), *m)).copied()))
                            .collect(),
                    });
                }
            }
        }
        let forecasts = if config.forecast {
            forecast_next_month(net, period, first_discharge.unwrap_or(start))?
        } else {
            Vec::new()
        };
        let alerts = if config.alert_rules == AlertRules::none() {
            Vec::new()
        } else {
            let from = start
                .checked_sub_days(Days::new(u64::from(config.warmup_days)))
                .ok_or_else(|| out_of_range("warmup_days"))?;
            evaluate_network(net, &config.alert_rules, Period::new(from, end)?)?
                .into_iter()
                // Evaluations are at the midnights ending the month's days.
                .filter(|a| {
                    a.started > start.and_time(chrono::NaiveTime::MIN)
                        && a.started <= end.and_time(chrono::NaiveTime::MIN)
                })
                .collect()
        };
        Ok(Self {
            network: net.name.clone(),
            month: start,
            period,
            previous_period,
            branches: net.branches.iter().map(|b| (b.code.clone(), b.name.clone())).collect(),
            departments: net
                .departments
                .iter()
                .map(|d| {
                    (
                        d.code.clone(),
                        d.name.clone(),
                        net.branches[d.branch.index()].code.clone(),
                    )
                })
                .collect(),
            targets: config.targets.clone(),
            kpis,
            trends,
            forecasts,
            alerts,
            currency: config.currency.clone(),
            html_alert_rows: config.html_alert_rows,
        })
    }

    /// The network's value of a KPI for the month.
    #[must_use]
    pub fn network_value(&self, kpi: ReportKpi) -> Option<f64> {
        self.row(Level::Network, "", kpi).and_then(|r| r.value)
    }

    /// The row of a unit (`code` = branch or department code, empty for the
    /// network) and KPI.
    #[must_use]
    pub fn row(&self, level: Level, code: &str, kpi: ReportKpi) -> Option<&KpiRow> {
        self.kpis.iter().find(|r| {
            r.level == level
                && r.kpi == kpi
                && match level {
                    Level::Network => true,
                    Level::Branch => r.branch == code,
                    Level::Department => r.department == code,
                }
        })
    }

    /// The trend of a KPI for the network (`branch` empty) or a branch.
    #[must_use]
    pub fn trend(&self, branch: &str, kpi: ReportKpi) -> Option<&Trend> {
        self.trends.iter().find(|t| t.branch == branch && t.kpi == kpi)
    }

    /// The report as one self-contained HTML page (see the module docs).
    #[must_use]
    pub fn to_html(&self) -> String {
        html::render(self)
    }

    /// The report as long-format CSV with the columns `section, branch,
    /// department, kpi, period, value, target, previous, detail`:
    ///
    /// - `kpi` rows: one per unit and KPI (`branch` and `department` empty
    ///   for the network, `department` empty for a branch); `period` is the
    ///   month's first day;
    /// - `trend` rows: one per unit, KPI and month;
    /// - `forecast` rows: `kpi` one of `admissions`, `admissions_lo80`,
    ///   `admissions_hi80`, `mean_census`, `beds`, `occupancy_rate`,
    ///   `max_prob_above_beds`, for the next month;
    /// - `alert` rows: `kpi` is the rule, `period` the start time, `value`
    ///   the observed value and `target` the threshold of the evidence,
    ///   `detail` the severity and message; the subject's code is in
    ///   `branch` (branch subjects) or `department` (others).
    ///
    /// Numbers are written in full (shortest round-trip) precision; a
    /// missing value is an empty cell.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use hutano_core::model::Network;
    /// use hutano_forecast::report::{MonthlyReport, ReportConfig};
    ///
    /// let report = MonthlyReport::build(&Network::new("empty"), NaiveDate::from_ymd_opt(2024, 5, 1).unwrap(), &ReportConfig::default())?;
    /// let csv = report.to_csv();
    /// assert!(csv.starts_with("section,branch,department,kpi,period,value,target,previous,detail\n"));
    /// # Ok::<(), hutano_forecast::Error>(())
    /// ```
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut out = String::from("section,branch,department,kpi,period,value,target,previous,detail\n");
        let num = |x: Option<f64>| x.filter(|v| v.is_finite()).map_or(String::new(), |v| v.to_string());
        let mut line = |cells: [&str; 9]| {
            let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
            out.push_str(&cells.join(","));
            out.push('\n');
        };
        let month = self.month.to_string();
        for r in &self.kpis {
            line([
                "kpi",
                &r.branch,
                &r.department,
                r.kpi.name(),
                &month,
                &num(r.value),
                &num(r.target),
                &num(r.previous),
                match r.level {
                    Level::Network => "network",
                    Level::Branch => "branch",
                    Level::Department => "department",
                },
            ]);
        }
        for t in &self.trends {
            for (m, v) in t.months.iter().zip(&t.values) {
                let target = self.targets.0.get(&t.kpi).map(|x| x.value);
                line([
                    "trend",
                    &t.branch,
                    "",
                    t.kpi.name(),
                    &m.to_string(),
                    &num(*v),
                    &num(target),
                    "",
                    "",
                ]);
            }
        }
        for f in &self.forecasts {
            let m = f.month.to_string();
            for (k, v) in [
                ("admissions", Some(f.admissions)),
                ("admissions_lo80", Some(f.admissions_lo80)),
                ("admissions_hi80", Some(f.admissions_hi80)),
                ("mean_census", Some(f.mean_census)),
                ("beds", Some(f.beds)),
                ("occupancy_rate", Some(f.occupancy_rate)),
                ("max_prob_above_beds", f.max_prob_above_beds),
            ] {
                line(["forecast", &f.branch, "", k, &m, &num(v), "", "", ""]);
            }
        }
        for a in &self.alerts {
            let (branch, other) = match a.subject.kind {
                crate::alerts::SubjectKind::Branch => (a.subject.code.as_str(), ""),
                _ => ("", a.subject.code.as_str()),
            };
            let detail = format!("{}: {}", a.severity.label(), a.message);
            line([
                "alert",
                branch,
                other,
                a.rule.name(),
                &a.started.format("%Y-%m-%d %H:%M").to_string(),
                &num(Some(a.evidence.observed)),
                &num(Some(a.evidence.threshold)),
                "",
                &detail,
            ]);
        }
        out
    }

    /// The report as pretty-printed JSON (serde; missing values are `null`).
    ///
    /// # Errors
    /// [`Error::Serialize`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self).map_err(|e| Error::Serialize { message: e.to_string() })
    }
}

/// A CSV cell, quoted when it holds a comma, quote or line break.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The standard normal quantile at 0.9 (two-sided 80 % bounds).
const Z80: f64 = 1.281_551_565_544_600_5;

/// Next-month forecasts of every branch and their network total.
fn forecast_next_month(net: &Network, period: Period, data_start: NaiveDate) -> Result<Vec<MonthForecast>> {
    let as_of = period.end().pred_opt().ok_or_else(|| out_of_range("month"))?;
    let next_month = period.end();
    let horizon = usize::try_from((add_months(next_month, 1)? - next_month).num_days()).unwrap_or(0);
    let series_start = data_start.min(period.start());
    let days = usize::try_from((period.end() - series_start).num_days()).unwrap_or(0);
    let nb = net.branches.len();
    let mut daily = vec![vec![0.0; days]; nb];
    let mut stays: Vec<Vec<Stay>> = vec![Vec::new(); nb];
    for e in &net.encounters {
        let b = e.branch.index();
        if let Ok(i) = usize::try_from((e.admit.date() - series_start).num_days()) {
            if let Some(c) = daily[b].get_mut(i) {
                *c += 1.0;
            }
        }
        stays[b].push((e.admit, e.discharge));
    }
    let mut out = Vec::new();
    let mut total = MonthForecast {
        branch: String::new(),
        month: next_month,
        admissions: 0.0,
        admissions_lo80: 0.0,
        admissions_hi80: 0.0,
        mean_census: 0.0,
        beds: 0.0,
        occupancy_rate: f64::NAN,
        max_prob_above_beds: None,
    };
    for (b, branch) in net.branches.iter().enumerate() {
        if days < 14 || stays[b].is_empty() {
            continue;
        }
        let f = SeasonalNaive::new(7)
            .fit(&daily[b])?
            .predict(horizon, &[80.0])?
            .non_negative();
        let beds: f64 = net
            .beds
            .iter()
            .filter(|blk| blk.in_service_on(as_of))
            .filter(|blk| {
                let dept = net.wards[blk.ward.index()].department;
                net.departments[dept.index()].branch.index() == b
            })
            .map(|blk| f64::from(blk.count))
            .sum();
        let census = census_from_stays(
            &stays[b],
            as_of,
            horizon,
            &SeasonalNaive::new(7),
            ArrivalModel::NegativeBinomial { level: 80.0 },
            &[],
        )?;
        let mean_census = census.forecast.point.iter().sum::<f64>() / horizon as f64;
        let max_p = census.prob_above(beds).into_iter().fold(0.0, f64::max);
        // Daily standard deviations back from the 80 % upper bounds (the
        // lower ones are clipped at zero); the total's bounds assume
        // independent daily errors.
        let total_point: f64 = f.point.iter().sum();
        let var: f64 = f.upper[0]
            .iter()
            .zip(&f.point)
            .map(|(u, p)| ((u - p) / Z80).powi(2))
            .sum();
        let half = Z80 * var.sqrt();
        let row = MonthForecast {
            branch: branch.code.clone(),
            month: next_month,
            admissions: total_point,
            admissions_lo80: (total_point - half).max(0.0),
            admissions_hi80: total_point + half,
            mean_census,
            beds,
            occupancy_rate: if beds > 0.0 {
                mean_census * 100.0 / beds
            } else {
                f64::NAN
            },
            max_prob_above_beds: Some(max_p),
        };
        total.admissions += row.admissions;
        total.admissions_lo80 += row.admissions_lo80;
        total.admissions_hi80 += row.admissions_hi80;
        total.mean_census += row.mean_census;
        total.beds += row.beds;
        out.push(row);
    }
    if total.beds > 0.0 {
        total.occupancy_rate = total.mean_census * 100.0 / total.beds;
    }
    out.insert(0, total);
    Ok(out)
}

/// Format a value of a KPI for display.
pub(crate) fn display(kpi: ReportKpi, x: Option<f64>, currency: Option<&str>) -> String {
    let Some(v) = x.filter(|v| v.is_finite()) else {
        return "–".to_string();
    };
    let mut s = String::new();
    let _ = match kpi.unit() {
        Unit::Count => write!(s, "{}", thousands(v)),
        Unit::Percent => write!(s, "{v:.1}%"),
        Unit::Fraction => write!(s, "{:.1}%", v * 100.0),
        Unit::Days => write!(s, "{v:.2} d"),
        Unit::Hours => write!(s, "{v:.1} h"),
        Unit::Money => match currency {
            Some(c) => write!(s, "{} {c}", thousands(v)),
            None => write!(s, "{}", thousands(v)),
        },
    };
    s
}

/// Format a change of a KPI for display (percentage points for rates).
pub(crate) fn display_change(kpi: ReportKpi, x: Option<f64>) -> String {
    let Some(v) = x.filter(|v| v.is_finite()) else {
        return String::new();
    };
    let sign = if v > 0.0 {
        "+"
    } else if v < 0.0 {
        "−"
    } else {
        "±"
    };
    let a = v.abs();
    match kpi.unit() {
        Unit::Count | Unit::Money => format!("{sign}{}", thousands(a)),
        Unit::Percent => format!("{sign}{a:.1} pp"),
        Unit::Fraction => format!("{sign}{:.1} pp", a * 100.0),
        Unit::Days => format!("{sign}{a:.2} d"),
        Unit::Hours => format!("{sign}{a:.1} h"),
    }
}

/// A number rounded to an integer with thousands separators.
pub(crate) fn thousands(v: f64) -> String {
    let r = v.round();
    let neg = r < 0.0;
    let digits = format!("{:.0}", r.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg {
        format!("−{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
