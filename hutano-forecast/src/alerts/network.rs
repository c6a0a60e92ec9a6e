//! Observations of every day of a period, from a hutano-core network.

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use hutano_core::kpi::{Dimension, Engine, Grain, Period, Query};
use hutano_core::model::{BedType, MedicineId, Network};

use super::{
    Alert, AlertEngine, AlertRules, DepartmentStays, ForecastLoad, HourlyFlow, Observations, ReadmissionCounts,
    StockLevel, Subject, UnitLoad,
};
use crate::baseline::SeasonalNaive;
use crate::error::{Error, Result};
use crate::medicines::{project_stock, reorder_point, DailyDemand, Ledger, MedicineError, ReorderPolicy};
use crate::resources::{census_from_stays, midnight_census, unit_capacity, unit_stays, ArrivalModel, Stay, Unit};

/// Days of consumption the mean daily demand of a medicine is taken over.
const DEMAND_DAYS: u64 = 28;

/// Builds the [`Observations`] of each day of a period from a network, as
/// known at the midnight ending that day (no later information is used):
///
/// - **occupancy**, per branch: midnight census and beds in service from
///   hutano-core's `Engine::bed_utilisation` (daily grain);
/// - **ICU**, per branch: the same restricted to ICU beds;
/// - **ventilators**, per branch: the patients on a ventilator at the
///   midnight (the ventilation episodes recorded as procedures,
///   [`unit_stays`] of [`Unit::Ventilators`], counted by
///   [`midnight_census`]) against the ventilator-capable ICU beds in service
///   that day ([`unit_capacity`]); a branch with neither on a day is not
///   observed that day;
/// - **occupancy forecast**, per branch: [`census_from_stays`] from the
///   branch's stays known at that midnight (seasonal-naive arrivals with a
///   weekly season, negative-binomial arrivals at 80 %), against the beds
///   in service that day;
/// - **stock**, per medicine: on hand ([`Ledger::position`]), mean daily
///   issues of the last 28 days, the reorder point of the default
///   [`ReorderPolicy`] and the units projected to expire unused within the
///   expiry rule's horizon ([`project_stock`]);
/// - **stays**, per department: completed lengths of stay (hours / 24) of
///   the stays discharged in the rule's look-back, by discharging
///   department, and the time so far of the open stays, by the department
///   of their placement at that midnight;
/// - **flow**, per branch: admissions and discharges by local hour over the
///   last `window_days` days;
/// - **readmissions**, per branch: index stays and 30-day readmissions
///   (`Engine::readmissions`) discharged in the last `window_days` days
///   whose window has fully elapsed (discharged at least `window_days` of
///   the measure before), and in the `baseline_days` before those.
///
/// Only the rules switched on in `rules` are observed.
#[derive(Debug)]
pub struct NetworkObserver<'a> {
    net: &'a Network,
    rules: AlertRules,
    period: Period,
    /// `[branch][day]` (census, beds) for the period's days.
    occupancy: DailyLoad,
    icu: DailyLoad,
    ventilators: DailyLoad,
    /// Stays per branch, for the census forecast.
    stays: Vec<Vec<Stay>>,
    /// First day of the flow arrays.
    flow_start: NaiveDate,
    /// `[branch][day]` admissions and discharges by hour.
    flow: Vec<Vec<([f64; 24], [f64; 24])>>,
    /// First day of the readmission arrays.
    readm_start: NaiveDate,
    /// `[branch][day]` (index stays, readmissions) by discharge day.
    readm: Vec<Vec<(f64, f64)>>,
    /// Completed stays per department: (discharge time, LOS days), sorted.
    completed: Vec<Vec<(NaiveDateTime, f64)>>,
    ledgers: Vec<Ledger>,
}

/// `[branch][day]` (in use, capacity), `None` where the engine has no row.
type DailyLoad = Vec<Vec<Option<(f64, f64)>>>;

fn day_index(start: NaiveDate, day: NaiveDate) -> Option<usize> {
    usize::try_from((day - start).num_days()).ok()
}

fn sub_days(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN)
}

fn add_days(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

fn medicine_error(e: MedicineError) -> Error {
    Error::Medicine(Box::new(e))
}

/// `(census, beds)` per branch and day of `period` from a daily
/// `bed_utilisation` table.
fn daily_load(net: &Network, engine: &Engine<'_>, q: &Query) -> Result<DailyLoad> {
    let period = q.period;
    let days = usize::try_from(period.days()).unwrap_or(0);
    let mut out = vec![vec![None; days]; net.branches.len()];
    let t = engine.bed_utilisation(q)?;
    let (Some(branch), Some(date), Some(occ), Some(avail)) = (
        t.texts("branch"),
        t.dates("period_start"),
        t.f64s("occupied_bed_days"),
        t.f64s("available_bed_days"),
    ) else {
        return Ok(out);
    };
    for i in 0..t.len() {
        if let (Some(b), Some(d)) = (net.branch_by_code(&branch[i]), day_index(period.start(), date[i])) {
            if let Some(cell) = out[b.index()].get_mut(d) {
                *cell = Some((occ[i], avail[i]));
            }
        }
    }
    Ok(out)
}

/// `(ventilated patients, ventilators)` per branch and day of `period`:
/// the midnight census of the branch's ventilation episodes and its
/// ventilator-capable ICU beds in service; `None` where both are zero.
fn ventilator_load(net: &Network, period: Period) -> Result<DailyLoad> {
    let mut out = Vec::with_capacity(net.branches.len());
    for b in &net.branches {
        let unit = Unit::ventilators_in(b.code.clone());
        let in_use = midnight_census(&unit_stays(net, &unit)?, period.start(), period.end())?;
        let mut days = Vec::with_capacity(in_use.len());
        let mut day = period.start();
        for n in in_use {
            let capacity = unit_capacity(net, &unit, day)?;
            days.push((n > 0.0 || capacity > 0.0).then_some((n, capacity)));
            day = add_days(day, 1);
        }
        out.push(days);
    }
    Ok(out)
}

impl<'a> NetworkObserver<'a> {
    /// Precompute what the rules need for the days of `period`.
    ///
    /// # Errors
    /// [`Error::Core`] when the network is inconsistent or a KPI query
    /// fails; [`Error::InvalidParameter`] for invalid rules.
    // One precomputation per rule, in rule order.
    #[allow(clippy::too_many_lines)]
    pub fn new(net: &'a Network, rules: &AlertRules, period: Period) -> Result<Self> {
        rules.check()?;
        let engine = Engine::new(net)?;
        let nb = net.branches.len();
        let day_query = Query::new(period).grain(Grain::Day).group_by([Dimension::Branch]);
        let occupancy = if rules.occupancy.is_some() {
            daily_load(net, &engine, &day_query)?
        } else {
            Vec::new()
        };
        let icu = if rules.icu.is_some() {
            daily_load(
                net,
                &engine,
                &day_query.clone().filter(Dimension::BedType, [BedType::Icu.label()]),
            )?
        } else {
            Vec::new()
        };
        let ventilators = if rules.ventilators.is_some() {
            ventilator_load(net, period)?
        } else {
            Vec::new()
        };
        let mut stays = vec![Vec::new(); nb];
        if rules.occupancy_forecast.is_some() {
            for e in &net.encounters {
                stays[e.branch.index()].push((e.admit, e.discharge));
            }
        }
        // Hourly flow.
        let window = rules.flow.as_ref().map_or(1, |f| u64::from(f.window_days));
        let flow_start = sub_days(period.start(), window - 1);
        let flow_days = day_index(flow_start, period.end()).unwrap_or(0);
        let mut flow = vec![vec![([0.0; 24], [0.0; 24]); flow_days]; nb];
        if rules.flow.is_some() {
            for e in &net.encounters {
                let b = e.branch.index();
                let mut add = |t: NaiveDateTime, admission: bool| {
                    if let Some(cell) = day_index(flow_start, t.date()).and_then(|d| flow[b].get_mut(d)) {
                        let h = t.hour() as usize;
                        if admission {
                            cell.0[h] += 1.0;
                        } else {
                            cell.1[h] += 1.0;
                        }
                    }
                };
                if e.admit.date() >= flow_start {
                    add(e.admit, true);
                }
                if let Some(d) = e.discharge.filter(|d| d.date() >= flow_start) {
                    add(d, false);
                }
            }
        }
        // Readmissions by discharge day.
        let mut readm_start = period.start();
        let mut readm = vec![Vec::new(); nb];
        if let Some(r) = &rules.readmission {
            let lag = u64::try_from(r.measure.window_days).unwrap_or(0);
            readm_start = sub_days(
                period.start(),
                lag + u64::from(r.window_days) + u64::from(r.baseline_days),
            );
            let days = day_index(readm_start, period.end()).unwrap_or(0);
            readm = vec![vec![(0.0, 0.0); days]; nb];
            let q = Query::new(Period::new(readm_start, period.end())?)
                .grain(Grain::Day)
                .group_by([Dimension::Branch]);
            let t = engine.readmissions(&q, &r.measure)?;
            if let (Some(branch), Some(date), Some(idx), Some(re)) = (
                t.texts("branch"),
                t.dates("period_start"),
                t.f64s("index_stays"),
                t.f64s("readmissions"),
            ) {
                for i in 0..t.len() {
                    if let (Some(b), Some(d)) = (net.branch_by_code(&branch[i]), day_index(readm_start, date[i])) {
                        if let Some(cell) = readm[b.index()].get_mut(d) {
                            *cell = (idx[i], re[i]);
                        }
                    }
                }
            }
        }
        // Completed stays by discharging department.
        let mut completed = vec![Vec::new(); net.departments.len()];
        if rules.delayed_discharge.is_some() {
            for e in &net.encounters {
                if let Some(d) = e.discharge {
                    let los = (d - e.admit).num_minutes() as f64 / 1440.0;
                    completed[e.last_placement().department.index()].push((d, los));
                }
            }
            for c in &mut completed {
                c.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
            }
        }
        let mut ledgers = Vec::new();
        if rules.low_stock.is_some() || rules.expiry.is_some() {
            for i in 0..net.medicines.len() {
                let id = MedicineId(u32::try_from(i).unwrap_or(u32::MAX));
                ledgers.push(Ledger::from_network(net, id).map_err(medicine_error)?);
            }
        }
        Ok(Self {
            net,
            rules: rules.clone(),
            period,
            occupancy,
            icu,
            ventilators,
            stays,
            flow_start,
            flow,
            readm_start,
            readm,
            completed,
            ledgers,
        })
    }

    /// The period observed.
    #[must_use]
    pub fn period(&self) -> Period {
        self.period
    }

    /// The observations at the midnight ending `day` (`at` = 00:00 of the
    /// next day).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a day outside the period; errors of
    /// the census forecast ([`census_from_stays`]) and of the medicine
    /// ledgers ([`Error::Medicine`]).
    pub fn observe(&self, day: NaiveDate) -> Result<Observations> {
        let Some(di) = day_index(self.period.start(), day).filter(|_| self.period.contains(day)) else {
            return Err(Error::InvalidParameter {
                name: "day",
                problem: format!(
                    "{day} is outside the observed period [{}, {})",
                    self.period.start(),
                    self.period.end()
                ),
            });
        };
        let at = add_days(day, 1).and_time(NaiveTime::MIN);
        let mut obs = Observations::new(at);
        let branch = |b: usize| Subject::branch(self.net.branches[b].code.clone());
        for (b, days) in self.occupancy.iter().enumerate() {
            if let Some((census, beds)) = days[di] {
                obs.occupancy.push(UnitLoad::new(branch(b), census, beds));
            }
        }
        for (b, days) in self.icu.iter().enumerate() {
            if let Some((census, beds)) = days[di] {
                obs.icu.push(UnitLoad::new(branch(b), census, beds));
            }
        }
        for (b, days) in self.ventilators.iter().enumerate() {
            if let Some((in_use, ventilators)) = days[di] {
                obs.ventilators.push(UnitLoad::new(branch(b), in_use, ventilators));
            }
        }
        if let Some(r) = &self.rules.occupancy_forecast {
            self.observe_forecast(r.horizon_days as usize, day, &mut obs)?;
        }
        if let Some(r) = &self.rules.flow {
            let last = day_index(self.flow_start, day).unwrap_or(0);
            let first = (last + 1).saturating_sub(r.window_days as usize);
            for (b, days) in self.flow.iter().enumerate() {
                let mut f = HourlyFlow {
                    subject: branch(b),
                    days: (last + 1 - first) as f64,
                    admissions: [0.0; 24],
                    discharges: [0.0; 24],
                };
                for (a, d) in &days[first..=last] {
                    for h in 0..24 {
                        f.admissions[h] += a[h];
                        f.discharges[h] += d[h];
                    }
                }
                obs.flow.push(f);
            }
        }
        if let Some(r) = &self.rules.readmission {
            // Index discharges on days d with d + lag <= day are fully observed.
            let lag = u64::try_from(r.measure.window_days).unwrap_or(0);
            let end = add_days(sub_days(day, lag), 1);
            let start = sub_days(end, u64::from(r.window_days));
            let base_start = sub_days(start, u64::from(r.baseline_days));
            let idx = |d: NaiveDate| day_index(self.readm_start, d).unwrap_or(0);
            for (b, days) in self.readm.iter().enumerate() {
                let sum = |lo: NaiveDate, hi: NaiveDate| {
                    let (lo, hi) = (idx(lo).min(days.len()), idx(hi).min(days.len()));
                    days[lo..hi.max(lo)]
                        .iter()
                        .fold((0.0, 0.0), |acc, v| (acc.0 + v.0, acc.1 + v.1))
                };
                let (n, r1) = sum(start, end);
                let (n0, r0) = sum(base_start, start);
                obs.readmissions.push(ReadmissionCounts {
                    subject: branch(b),
                    index_stays: n,
                    readmissions: r1,
                    baseline_index_stays: n0,
                    baseline_readmissions: r0,
                });
            }
        }
        if let Some(r) = &self.rules.delayed_discharge {
            self.observe_stays(u64::from(r.lookback_days), at, &mut obs);
        }
        if !self.ledgers.is_empty() {
            self.observe_stock(day, &mut obs)?;
        }
        Ok(obs)
    }

    fn observe_forecast(&self, horizon: usize, day: NaiveDate, obs: &mut Observations) -> Result<()> {
        let beds = |b: usize| -> f64 {
            self.net
                .beds
                .iter()
                .filter(|blk| blk.in_service_on(day))
                .filter(|blk| {
                    let dept = self.net.wards[blk.ward.index()].department;
                    self.net.departments[dept.index()].branch.index() == b
                })
                .map(|blk| f64::from(blk.count))
                .sum()
        };
        for (b, stays) in self.stays.iter().enumerate() {
            let known = stays.iter().any(|s| crate::resources::arrival_day(s.0) <= day);
            let capacity = beds(b);
            if !known || capacity <= 0.0 {
                continue;
            }
            let f = census_from_stays(
                stays,
                day,
                horizon,
                &SeasonalNaive::new(7),
                ArrivalModel::NegativeBinomial { level: 80.0 },
                &[],
            )?;
            obs.occupancy_forecast.push(ForecastLoad::from_census(
                Subject::branch(self.net.branches[b].code.clone()),
                day,
                &f,
                capacity,
            ));
        }
        Ok(())
    }

    fn observe_stays(&self, lookback: u64, at: NaiveDateTime, obs: &mut Observations) {
        let from = at.checked_sub_days(Days::new(lookback)).unwrap_or(NaiveDateTime::MIN);
        let mut open = vec![Vec::new(); self.net.departments.len()];
        for e in &self.net.encounters {
            if e.admit < at && e.discharge.is_none_or(|d| d > at) {
                let current = e
                    .placements
                    .iter()
                    .rev()
                    .find(|p| p.start <= at)
                    .unwrap_or(e.first_placement());
                open[current.department.index()].push((at - e.admit).num_minutes() as f64 / 1440.0);
            }
        }
        for (d, stays) in self.completed.iter().enumerate() {
            let lo = stays.partition_point(|s| s.0 <= from);
            let hi = stays.partition_point(|s| s.0 <= at);
            obs.stays.push(DepartmentStays {
                subject: Subject::department(self.net.departments[d].code.clone()),
                completed_los_days: stays[lo..hi.max(lo)].iter().map(|s| s.1).collect(),
                open_los_days: std::mem::take(&mut open[d]),
            });
        }
    }

    fn observe_stock(&self, day: NaiveDate, obs: &mut Observations) -> Result<()> {
        let horizon = self.rules.expiry.as_ref().map_or(28, |r| r.horizon_days);
        let policy = ReorderPolicy::default();
        let start = sub_days(day, DEMAND_DAYS - 1);
        let end = add_days(day, 1);
        let limit = add_days(day, u64::from(horizon));
        for ledger in &self.ledgers {
            let named = |e: MedicineError| medicine_error(e.for_medicine(&ledger.medicine));
            if ledger.first_day().is_none_or(|f| f > day) {
                continue;
            }
            let y = ledger.consumption(start, end).map_err(named)?.y;
            let n = y.len() as f64;
            let mean = y.iter().sum::<f64>() / n;
            let sd = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
            let position = ledger.position(day).map_err(named)?;
            let days = (horizon as usize).max(28);
            let demand = DailyDemand::constant(mean, sd, days).map_err(named)?;
            let rop = reorder_point(&demand, &policy).map_err(named)?.reorder_point;
            let projection = project_stock(&position, &demand).map_err(named)?;
            let (units, value) = projection
                .batches
                .iter()
                .filter(|b| b.batch.expiry.is_some_and(|x| x <= limit))
                .fold((0.0, 0.0), |acc, b| (acc.0 + b.at_risk_units, acc.1 + b.at_risk_value));
            obs.stock.push(StockLevel {
                subject: Subject::medicine(ledger.medicine.clone()),
                on_hand: position.on_hand(),
                daily_demand: mean,
                reorder_point: Some(rop),
                expiring_units: units,
                expiring_value: value,
            });
        }
        Ok(())
    }
}

/// Run an [`AlertEngine`] with `rules` over every day of `period` of a
/// network ([`NetworkObserver`]), in day order, and return every alert
/// raised, those whose condition ended within the period with
/// [`Alert::ended`] set.
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_core::generate::{generate, GeneratorConfig};
/// use hutano_core::kpi::Period;
/// use hutano_forecast::alerts::{evaluate_network, AlertRules, OccupancyRule};
///
/// let net = generate(&GeneratorConfig::national(3).days(60))?;
/// let rules = AlertRules { occupancy: Some(OccupancyRule::default()), ..AlertRules::none() };
/// let feb = Period::new(NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 3, 1).unwrap())?;
/// let alerts = evaluate_network(&net, &rules, feb)?;
/// for a in &alerts {
///     assert!(a.evidence.observed >= 85.0);
/// }
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// As [`NetworkObserver::new`] and [`NetworkObserver::observe`].
pub fn evaluate_network(net: &Network, rules: &AlertRules, period: Period) -> Result<Vec<Alert>> {
    let observer = NetworkObserver::new(net, rules, period)?;
    let mut engine = AlertEngine::new(rules.clone())?;
    let mut day = period.start();
    while day < period.end() {
        engine.evaluate(&observer.observe(day)?)?;
        day = add_days(day, 1);
    }
    Ok(engine.into_alerts())
}
