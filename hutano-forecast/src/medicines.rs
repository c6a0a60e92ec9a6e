//! Medicines: from a stock ledger to a consumption forecast, a reorder
//! point, a projected stock-out date and the stock at risk of expiring.
//!
//! # From ledger to plan
//! 1. A [`Ledger`] holds one medicine's dated [`StockMovement`]s: receipts
//!    of batches (quantity, expiry date, unit cost), issues to patients,
//!    write-offs of expired units and stock counts. [`Ledger::position`]
//!    replays them batch by batch, first-expiry-first-out (FEFO), into the
//!    [`StockPosition`] at the end of a day; [`Ledger::consumption`] gives
//!    the daily issues, zero-filled.
//! 2. Any [`Fit`] model forecasts the daily consumption
//!    ([`forecast_consumption`]). [`Croston`] (with the Syntetos–Boylan
//!    correction) is the model for intermittent demand, which is common for
//!    medicines; [`ConsumptionModel::Auto`] chooses it by the demand pattern
//!    ([`DemandPattern`]).
//! 3. [`DailyDemand`] reads the forecast as a mean and a standard deviation
//!    per day; [`reorder_point`] gives the reorder point, safety stock,
//!    order-up-to level and economic order quantity at a service level.
//! 4. [`project_stock`] runs the stock down by the forecast, FEFO: the
//!    stock-out date, the probability of a stock-out by each day, and per
//!    batch the units that will expire before they are used, with their
//!    value.
//!
//! [`plan_medicine`] runs all of it for one medicine on one day.
//!
//! # Conventions
//! - Days are whole days. The position *as of* day `D` is the stock after
//!   every movement dated `D`; forecast day `t` (1-based) is `D + t`.
//! - Movements of one day are applied in input order (hutano-core's
//!   generator writes receipts, then write-offs, issues and counts).
//! - A batch is usable on the days strictly before its expiry date: on the
//!   expiry date itself it is expired, as in hutano-core's generator.
//! - FEFO: issues are drawn from the usable batch that expires first (ties
//!   in order of receipt); batches of unknown expiry come last. Write-offs
//!   and count shortfalls are drawn from expired batches first, then FEFO.
//! - Demand is the issues ([`StockMovement::Consumption`]). Write-offs are
//!   not demand. On days when the item was out of stock the issues
//!   understate demand; [`ConsumptionSeries::stocked_out`] marks those days.
//! - Quantities are in the medicine's unit of issue, money in the unit of
//!   [`StockMovement::Receipt`]'s `unit_cost`.
//!
//! # References
//! - J. D. Croston, "Forecasting and stock control for intermittent
//!   demands", Operational Research Quarterly 23(3), 1972, 289–303.
//! - A. A. Syntetos & J. E. Boylan, "The accuracy of intermittent demand
//!   estimates", International Journal of Forecasting 21(2), 2005, 303–314
//!   (the SBA bias correction).
//! - A. A. Syntetos, J. E. Boylan & J. D. Croston, "On the categorization of
//!   demand patterns", Journal of the Operational Research Society 56(5),
//!   2005, 495–503 (the ADI/CV² cut-offs).
//! - E. A. Silver, D. F. Pyke & D. J. Thomas, *Inventory and Production
//!   Management in Supply Chains* (4th ed., CRC Press, 2017), ch. 4 and 6:
//!   the economic order quantity and the reorder point with safety stock
//!   under demand and lead-time variability.
//! - The statsforecast implementation of `CrostonClassic` and `CrostonSBA`
//!   (Nixtla), which [`Croston`] reproduces.

use std::borrow::Cow;

use chrono::{NaiveDate, TimeDelta};
use hutano_core::model::{MedicineId, Network, StockMovement};
use serde::{Deserialize, Serialize};

use crate::baseline::{FittedSeasonalNaive, SeasonalNaive};
use crate::error::{Error, Result};
use crate::ets::{AutoEts, FittedAutoEts};
use crate::forecast::{check_levels, Fit, Forecast, Predict, SeriesView};
use crate::panel::Freq;

/// Tolerance for comparing sums of quantities, relative to the larger one
/// (and absolute below one unit).
const EPS: f64 = 1e-9;

/// Longest FEFO projection, in days (ten years). Units of batches that
/// expire later are not assessed for expiry.
const MAX_PROJECTION_DAYS: usize = 3653;

/// Longest consumption series, in days (a century): guards allocations
/// against a mistyped date.
const MAX_SERIES_DAYS: i64 = 36_525;

/// Fewest in-sample error pairs from which [`Croston`] estimates an h-step
/// error spread; with fewer, the spread of the previous step is kept.
const MIN_ERROR_PAIRS: usize = 10;

/// Days per year for annual demand.
const DAYS_PER_YEAR: f64 = 365.0;

/// Errors of the medicine planning functions. Each names the medicine (by
/// its code) and, where there is one, the day.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MedicineError {
    /// A medicine id outside the network's table.
    #[error("medicine id {id} is not in the network, which has {count} medicines")]
    UnknownMedicine {
        /// The id.
        id: u32,
        /// Number of medicines in the network.
        count: usize,
    },
    /// A quantity or cost in the ledger is negative or not finite.
    #[error("medicine {medicine:?}: {what} {value} on {date} is negative or not finite")]
    InvalidQuantity {
        /// The medicine.
        medicine: String,
        /// The day of the movement.
        date: NaiveDate,
        /// Which value (`"issue"`, `"unit cost"`, ...).
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// An issue or write-off larger than the stock on hand: the ledger would
    /// go negative.
    #[error("medicine {medicine:?}: {what} of {quantity} on {date} exceeds the {available} units available (negative stock)")]
    NegativeStock {
        /// The medicine.
        medicine: String,
        /// The day of the movement.
        date: NaiveDate,
        /// Which movement (`"issue"` or `"write-off"`).
        what: &'static str,
        /// Units issued or written off.
        quantity: f64,
        /// Units available for it.
        available: f64,
    },
    /// No stock movement, or none up to the day asked for.
    #[error("medicine {medicine:?} has no stock history up to {as_of:?}")]
    EmptyHistory {
        /// The medicine.
        medicine: String,
        /// The day asked for, if any.
        as_of: Option<NaiveDate>,
    },
    /// A date range that is empty, reversed or longer than a century.
    #[error("medicine {medicine:?}: invalid range [{start}, {end})")]
    InvalidRange {
        /// The medicine.
        medicine: String,
        /// First day (inclusive).
        start: NaiveDate,
        /// Last day (exclusive).
        end: NaiveDate,
    },
    /// A policy parameter out of range (service level outside (0, 1), lead
    /// time not positive, negative cost, ...).
    #[error("medicine {medicine:?}: invalid {name} {value}: {problem}")]
    InvalidPolicy {
        /// The medicine (empty when not known to the function).
        medicine: String,
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What is wrong.
        problem: &'static str,
    },
    /// The demand forecast is shorter than the lead time and review period.
    #[error("medicine {medicine:?}: the demand forecast covers {got} days, {needed} needed")]
    HorizonTooShort {
        /// The medicine (empty when not known to the function).
        medicine: String,
        /// Days needed.
        needed: usize,
        /// Days given.
        got: usize,
    },
    /// A demand forecast that cannot be read as a distribution.
    #[error("medicine {medicine:?}: demand forecast at step {step}: {problem}")]
    InvalidForecast {
        /// The medicine (empty when not known to the function).
        medicine: String,
        /// Zero-based step.
        step: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// The consumption model failed.
    #[error("medicine {medicine:?}: consumption forecast failed: {source}")]
    Forecast {
        /// The medicine.
        medicine: String,
        /// The model's error.
        #[source]
        source: Error,
    },
}

impl MedicineError {
    /// The same error, naming `medicine` where the function that raised it
    /// did not know the medicine.
    #[must_use]
    pub fn for_medicine(mut self, code: &str) -> Self {
        let slot = match &mut self {
            Self::UnknownMedicine { .. } => None,
            Self::InvalidQuantity { medicine, .. }
            | Self::NegativeStock { medicine, .. }
            | Self::EmptyHistory { medicine, .. }
            | Self::InvalidRange { medicine, .. }
            | Self::InvalidPolicy { medicine, .. }
            | Self::HorizonTooShort { medicine, .. }
            | Self::InvalidForecast { medicine, .. }
            | Self::Forecast { medicine, .. } => Some(medicine),
        };
        if let Some(m) = slot {
            if m.is_empty() {
                code.clone_into(m);
            }
        }
        self
    }
}

fn policy_error(name: &'static str, value: f64, problem: &'static str) -> MedicineError {
    MedicineError::InvalidPolicy {
        medicine: String::new(),
        name,
        value,
        problem,
    }
}

fn forecast_error(step: usize, problem: &'static str) -> MedicineError {
    MedicineError::InvalidForecast {
        medicine: String::new(),
        step,
        problem,
    }
}

/// `a > b` beyond rounding.
fn exceeds(a: f64, b: f64) -> bool {
    a > b + EPS * a.abs().max(b.abs()).max(1.0)
}

/// The day `offset` days after `day` (saturating at chrono's range).
fn add_days(day: NaiveDate, offset: usize) -> NaiveDate {
    i64::try_from(offset)
        .ok()
        .and_then(|d| day.checked_add_signed(TimeDelta::days(d)))
        .unwrap_or(NaiveDate::MAX)
}

// ---------------------------------------------------------------------------
// Ledger and stock position
// ---------------------------------------------------------------------------

/// A batch of a medicine on hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// Day of receipt (of the count, for a count surplus).
    pub received: NaiveDate,
    /// Expiry date: usable on the days before it. `None` for units found by
    /// a stock count, whose batch is unknown: they are issued last and never
    /// counted as at risk of expiring.
    pub expiry: Option<NaiveDate>,
    /// Cost per unit.
    pub unit_cost: f64,
    /// Units on hand.
    pub quantity: f64,
}

impl Batch {
    /// Whether the batch can be issued on `day` (`day < expiry`).
    #[must_use]
    pub fn usable_on(&self, day: NaiveDate) -> bool {
        self.expiry.is_none_or(|e| day < e)
    }

    fn fefo_key(&self) -> NaiveDate {
        self.expiry.unwrap_or(NaiveDate::MAX)
    }
}

/// A stock count that differed from the book quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountAdjustment {
    /// Day of the count.
    pub date: NaiveDate,
    /// Units on the books before the count.
    pub book: f64,
    /// Units counted.
    pub counted: f64,
}

/// One medicine's stock movements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// The medicine's code; it names the medicine in errors.
    pub medicine: String,
    /// `(day, movement)`. [`Ledger::new`] sorts them by day, keeping the
    /// input order within a day; the methods sort a copy if they are not.
    pub events: Vec<(NaiveDate, StockMovement)>,
}

impl Ledger {
    /// A ledger of `events`, sorted by day (stable: movements of one day keep
    /// their order).
    #[must_use]
    pub fn new(medicine: impl Into<String>, mut events: Vec<(NaiveDate, StockMovement)>) -> Self {
        events.sort_by_key(|e| e.0);
        Self {
            medicine: medicine.into(),
            events,
        }
    }

    /// The ledger of one medicine of a network, in the order of
    /// [`Network::stock_events`] within a day.
    ///
    /// # Errors
    /// [`MedicineError::UnknownMedicine`] for an id outside the network.
    pub fn from_network(network: &Network, medicine: MedicineId) -> Result<Self, MedicineError> {
        let m = network
            .medicines
            .get(medicine.index())
            .ok_or(MedicineError::UnknownMedicine {
                id: medicine.0,
                count: network.medicines.len(),
            })?;
        let events = network
            .stock_events
            .iter()
            .filter(|e| e.medicine == medicine)
            .map(|e| (e.date, e.movement.clone()))
            .collect();
        Ok(Self::new(m.code.clone(), events))
    }

    fn sorted(&self) -> Cow<'_, [(NaiveDate, StockMovement)]> {
        if self.events.is_sorted_by_key(|e| e.0) {
            Cow::Borrowed(&self.events)
        } else {
            let mut events = self.events.clone();
            events.sort_by_key(|e| e.0);
            Cow::Owned(events)
        }
    }

    /// Day of the first movement.
    #[must_use]
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.events.iter().map(|e| e.0).min()
    }

    /// Daily issues over the half-open range `[start, end)`, zero on days
    /// without an issue, with the days on which no usable unit was left.
    ///
    /// # Errors
    /// [`MedicineError::InvalidRange`] for an empty or reversed range or one
    /// longer than a century; the replay errors of [`Ledger::position`]
    /// (the whole ledger up to `end` is replayed to find stock-out days).
    pub fn consumption(&self, start: NaiveDate, end: NaiveDate) -> Result<ConsumptionSeries, MedicineError> {
        let days = (end - start).num_days();
        if days <= 0 || days > MAX_SERIES_DAYS {
            return Err(MedicineError::InvalidRange {
                medicine: self.medicine.clone(),
                start,
                end,
            });
        }
        let n = usize::try_from(days).unwrap_or(0);
        let mut y = vec![0.0; n];
        let mut stocked_out = vec![true; n];
        let events = self.sorted();
        let mut book = Book::new(&self.medicine);
        let mut next = 0;
        let first = events.first().map_or(start, |e| e.0.min(start));
        let mut day = first;
        while day < end {
            while let Some((date, movement)) = events.get(next).filter(|e| e.0 == day) {
                book.apply(*date, movement)?;
                if let StockMovement::Consumption { quantity } = movement {
                    if day >= start {
                        y[day_index(start, day)] += quantity;
                    }
                }
                next += 1;
            }
            if day >= start {
                stocked_out[day_index(start, day)] = book.usable(day) <= EPS;
            }
            day = day.succ_opt().unwrap_or(NaiveDate::MAX);
        }
        Ok(ConsumptionSeries {
            medicine: self.medicine.clone(),
            start,
            y,
            stocked_out,
        })
    }

    /// The daily issues from the first movement to `as_of` inclusive: the
    /// history a forecast made at the end of `as_of` may use.
    ///
    /// # Errors
    /// [`MedicineError::EmptyHistory`] when no movement is dated on or
    /// before `as_of`; as [`Ledger::consumption`].
    pub fn history(&self, as_of: NaiveDate) -> Result<ConsumptionSeries, MedicineError> {
        let empty = || MedicineError::EmptyHistory {
            medicine: self.medicine.clone(),
            as_of: Some(as_of),
        };
        let first = self.first_day().filter(|d| *d <= as_of).ok_or_else(empty)?;
        self.consumption(first, as_of.succ_opt().ok_or_else(empty)?)
    }

    /// The stock at the end of `as_of`, batch by batch.
    ///
    /// # Errors
    /// [`MedicineError::InvalidQuantity`] for a negative or non-finite
    /// quantity, cost or count; [`MedicineError::NegativeStock`] for an
    /// issue larger than the usable stock or a write-off larger than the
    /// stock.
    pub fn position(&self, as_of: NaiveDate) -> Result<StockPosition, MedicineError> {
        let mut book = Book::new(&self.medicine);
        for (date, movement) in self.sorted().iter().take_while(|e| e.0 <= as_of) {
            book.apply(*date, movement)?;
        }
        let (batches, expired) = book.batches.into_iter().partition(|b| b.usable_on(as_of));
        Ok(StockPosition {
            medicine: self.medicine.clone(),
            as_of,
            batches,
            expired,
            count_adjustments: book.adjustments,
        })
    }
}

fn day_index(start: NaiveDate, day: NaiveDate) -> usize {
    usize::try_from((day - start).num_days()).unwrap_or(0)
}

/// The replay state: batches in FEFO order.
struct Book<'a> {
    medicine: &'a str,
    batches: Vec<Batch>,
    adjustments: Vec<CountAdjustment>,
    last_cost: f64,
}

impl<'a> Book<'a> {
    fn new(medicine: &'a str) -> Self {
        Self {
            medicine,
            batches: Vec::new(),
            adjustments: Vec::new(),
            last_cost: 0.0,
        }
    }

    fn check(&self, date: NaiveDate, what: &'static str, value: f64) -> Result<(), MedicineError> {
        if value.is_finite() && value >= 0.0 {
            Ok(())
        } else {
            Err(MedicineError::InvalidQuantity {
                medicine: self.medicine.to_owned(),
                date,
                what,
                value,
            })
        }
    }

    fn usable(&self, day: NaiveDate) -> f64 {
        self.batches
            .iter()
            .filter(|b| b.usable_on(day))
            .map(|b| b.quantity)
            .sum()
    }

    fn total(&self) -> f64 {
        self.batches.iter().map(|b| b.quantity).sum()
    }

    fn push(&mut self, batch: Batch) {
        self.batches.push(batch);
        // Stable: equal expiry keeps receipt order.
        self.batches.sort_by_key(Batch::fefo_key);
    }

    /// Take up to `quantity` from the batches matching `from`, FEFO; return
    /// what could not be taken.
    fn take(&mut self, mut quantity: f64, from: impl Fn(&Batch) -> bool) -> f64 {
        for b in self.batches.iter_mut().filter(|b| from(b)) {
            if quantity <= 0.0 {
                break;
            }
            let t = b.quantity.min(quantity);
            b.quantity -= t;
            quantity -= t;
        }
        quantity.max(0.0)
    }

    /// Take from expired batches first, then FEFO from the others.
    fn remove(&mut self, quantity: f64, day: NaiveDate) {
        let rest = self.take(quantity, |b| !b.usable_on(day));
        self.take(rest, |_| true);
    }

    fn negative(&self, date: NaiveDate, what: &'static str, quantity: f64, available: f64) -> MedicineError {
        MedicineError::NegativeStock {
            medicine: self.medicine.to_owned(),
            date,
            what,
            quantity,
            available,
        }
    }

    fn apply(&mut self, date: NaiveDate, movement: &StockMovement) -> Result<(), MedicineError> {
        match *movement {
            StockMovement::Receipt {
                quantity,
                expiry,
                unit_cost,
            } => {
                self.check(date, "receipt quantity", quantity)?;
                self.check(date, "unit cost", unit_cost)?;
                self.last_cost = unit_cost;
                self.push(Batch {
                    received: date,
                    expiry: Some(expiry),
                    unit_cost,
                    quantity,
                });
            }
            StockMovement::Consumption { quantity } => {
                self.check(date, "issue", quantity)?;
                let usable = self.usable(date);
                if exceeds(quantity, usable) {
                    return Err(self.negative(date, "issue", quantity, usable));
                }
                self.take(quantity, |b| b.usable_on(date));
            }
            StockMovement::Expired { quantity } => {
                self.check(date, "write-off", quantity)?;
                let total = self.total();
                if exceeds(quantity, total) {
                    return Err(self.negative(date, "write-off", quantity, total));
                }
                self.remove(quantity, date);
            }
            StockMovement::Count { on_hand } => {
                self.check(date, "count", on_hand)?;
                let book = self.total();
                if exceeds(book, on_hand) {
                    self.remove(book - on_hand, date);
                } else if exceeds(on_hand, book) {
                    self.push(Batch {
                        received: date,
                        expiry: None,
                        unit_cost: self.last_cost,
                        quantity: on_hand - book,
                    });
                }
                if exceeds(book, on_hand) || exceeds(on_hand, book) {
                    self.adjustments.push(CountAdjustment {
                        date,
                        book,
                        counted: on_hand,
                    });
                }
            }
        }
        self.batches.retain(|b| b.quantity > EPS);
        Ok(())
    }
}

/// The stock of one medicine at the end of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockPosition {
    /// The medicine.
    pub medicine: String,
    /// The day.
    pub as_of: NaiveDate,
    /// Batches usable on `as_of` (expiry after it, or unknown), in FEFO
    /// order.
    pub batches: Vec<Batch>,
    /// Batches past their expiry on `as_of` but not written off: on the
    /// shelf, not usable.
    pub expired: Vec<Batch>,
    /// Stock counts that differed from the books, oldest first. A shortfall
    /// was removed from expired batches first, then FEFO; a surplus was
    /// added as a batch of unknown expiry at the last receipt's unit cost.
    pub count_adjustments: Vec<CountAdjustment>,
}

impl StockPosition {
    /// Usable units on hand.
    #[must_use]
    pub fn on_hand(&self) -> f64 {
        self.batches.iter().map(|b| b.quantity).sum()
    }

    /// Expired units still on hand.
    #[must_use]
    pub fn expired_units(&self) -> f64 {
        self.expired.iter().map(|b| b.quantity).sum()
    }
}

/// Daily issues of one medicine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsumptionSeries {
    /// The medicine.
    pub medicine: String,
    /// Day of `y[0]`.
    pub start: NaiveDate,
    /// Units issued per day, zero-filled.
    pub y: Vec<f64>,
    /// Whether no usable unit was left at the end of each day: issues on
    /// and around those days understate demand (censored demand).
    pub stocked_out: Vec<bool>,
}

// ---------------------------------------------------------------------------
// Demand pattern and Croston's method
// ---------------------------------------------------------------------------

/// The four demand patterns of Syntetos, Boylan & Croston (JORS 2005), by
/// the average inter-demand interval (ADI, cut-off 1.32) and the squared
/// coefficient of variation of the non-zero demand sizes (CV², cut-off
/// 0.49).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandClass {
    /// ADI ≤ 1.32, CV² ≤ 0.49.
    Smooth,
    /// ADI ≤ 1.32, CV² > 0.49.
    Erratic,
    /// ADI > 1.32, CV² ≤ 0.49.
    Intermittent,
    /// ADI > 1.32, CV² > 0.49.
    Lumpy,
    /// No demand at all in the history.
    NoDemand,
}

/// ADI cut-off of Syntetos, Boylan & Croston (2005).
pub const ADI_CUTOFF: f64 = 1.32;
/// CV² cut-off of Syntetos, Boylan & Croston (2005).
pub const CV2_CUTOFF: f64 = 0.49;

/// The demand pattern of a series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DemandPattern {
    /// Average inter-demand interval: periods per period with demand
    /// (`n / #{y > 0}`); infinite without demand.
    pub adi: f64,
    /// Squared coefficient of variation of the non-zero sizes (population
    /// variance over squared mean); 0 with fewer than two demands.
    pub cv2: f64,
    /// The class.
    pub class: DemandClass,
}

impl DemandPattern {
    /// Classify `y` (values ≤ 0 and non-finite values count as no demand).
    #[must_use]
    pub fn classify(y: &[f64]) -> Self {
        let sizes: Vec<f64> = y.iter().copied().filter(|v| v.is_finite() && *v > 0.0).collect();
        if sizes.is_empty() {
            return Self {
                adi: f64::INFINITY,
                cv2: 0.0,
                class: DemandClass::NoDemand,
            };
        }
        let k = sizes.len() as f64;
        let adi = y.len() as f64 / k;
        let mean = sizes.iter().sum::<f64>() / k;
        let var = sizes.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / k;
        let cv2 = var / (mean * mean);
        let class = match (adi > ADI_CUTOFF, cv2 > CV2_CUTOFF) {
            (false, false) => DemandClass::Smooth,
            (false, true) => DemandClass::Erratic,
            (true, false) => DemandClass::Intermittent,
            (true, true) => DemandClass::Lumpy,
        };
        Self { adi, cv2, class }
    }

    /// Whether the pattern calls for an intermittent-demand method
    /// (intermittent, lumpy or no demand).
    #[must_use]
    pub fn is_intermittent(&self) -> bool {
        matches!(
            self.class,
            DemandClass::Intermittent | DemandClass::Lumpy | DemandClass::NoDemand
        )
    }
}

/// Which estimator of Croston's family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrostonVariant {
    /// Croston (1972): size / interval.
    Classic,
    /// Syntetos & Boylan (2005): `(1 − α/2) ·` size / interval, which
    /// removes most of the classic estimator's upward bias.
    #[default]
    Sba,
}

/// Croston's method for intermittent demand (Croston 1972), optionally with
/// the Syntetos–Boylan approximation (SBA; Syntetos & Boylan 2005).
///
/// The non-zero demand sizes `z` and the intervals between them `p` (the
/// first interval counts from the start of the series: the position of the
/// first demand plus one) are each smoothed by simple exponential
/// smoothing with the same `α`, starting from their first value. The
/// forecast is the flat rate `z / p` (classic) or `(1 − α/2) z / p` (SBA),
/// as statsforecast's `CrostonClassic` and `CrostonSBA` (which use
/// `α = 0.1`). A series without demand forecasts zero.
///
/// # Prediction intervals
/// Croston's method has no model-based intervals. Here they are normal,
/// `rate ± z σ_h`, clipped at zero, with `σ_h` the root mean square of the
/// model's own in-sample `h`-step errors `y_t − rate_{t−h}` (the rate known
/// at the end of day `t − h`, from the first demand on). Since the
/// forecast is flat, these errors need no refit. With fewer than ten
/// error pairs at some `h`, `σ_h` keeps the previous step's value (for
/// `h = 1`: the root mean square of the pairs there are, else the standard
/// deviation of the series). Daily intermittent demand is far from normal,
/// so the daily bounds are rough; the sums over a lead time that
/// [`reorder_point`] and [`project_stock`] use are closer to normal.
///
/// ```
/// use hutano_forecast::forecast::{Fit, Predict};
/// use hutano_forecast::medicines::Croston;
///
/// let fitted = Croston::sba(0.1).fit(&[0.0, 0.0, 5.0, 0.0, 3.0])?;
/// // sizes 5, 3 → 4.8; intervals 3, 2 → 2.9; 0.95 · 4.8 / 2.9
/// assert!((fitted.rate() - 0.95 * 4.8 / 2.9).abs() < 1e-12);
/// let f = fitted.predict(7, &[80.0])?;
/// assert_eq!(f.point.len(), 7);
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Croston {
    /// Smoothing constant of sizes and intervals, in (0, 1].
    pub alpha: f64,
    /// Classic or SBA.
    pub variant: CrostonVariant,
}

impl Default for Croston {
    /// SBA with `α = 0.1`.
    fn default() -> Self {
        Self::sba(0.1)
    }
}

impl Croston {
    /// Croston's classic estimator.
    #[must_use]
    pub fn classic(alpha: f64) -> Self {
        Self {
            alpha,
            variant: CrostonVariant::Classic,
        }
    }

    /// The Syntetos–Boylan approximation.
    #[must_use]
    pub fn sba(alpha: f64) -> Self {
        Self {
            alpha,
            variant: CrostonVariant::Sba,
        }
    }

    /// Check the parameters; [`Fit::fit`] calls this first.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 < α ≤ 1`.
    pub fn check(&self) -> Result<()> {
        if self.alpha > 0.0 && self.alpha <= 1.0 {
            Ok(())
        } else {
            Err(Error::InvalidParameter {
                name: "alpha",
                problem: format!("{} is not in (0, 1]", self.alpha),
            })
        }
    }
}

/// A fitted [`Croston`] model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedCroston {
    size: f64,
    interval: f64,
    rate: f64,
    /// `origin_rate[k]`: the rate known at the end of step `k` (NaN before
    /// the first demand).
    origin_rate: Vec<f64>,
    y: Vec<f64>,
}

impl FittedCroston {
    /// The forecast rate per step.
    #[must_use]
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The smoothed demand size (0 without demand).
    #[must_use]
    pub fn size(&self) -> f64 {
        self.size
    }

    /// The smoothed interval between demands (0 without demand).
    #[must_use]
    pub fn interval(&self) -> f64 {
        self.interval
    }

    /// `σ_h` for `h = 1..=horizon` (see [`Croston`]).
    fn error_sd(&self, horizon: usize) -> Vec<f64> {
        let n = self.y.len();
        let mut out = Vec::with_capacity(horizon);
        let mut last = population_sd(&self.y);
        for h in 1..=horizon {
            let (mut ss, mut k) = (0.0, 0_usize);
            for t in h..n {
                let r = self.origin_rate[t - h];
                if r.is_finite() {
                    ss += (self.y[t] - r).powi(2);
                    k += 1;
                }
            }
            if k >= MIN_ERROR_PAIRS || (h == 1 && k > 0) {
                last = (ss / k as f64).sqrt();
            }
            out.push(last);
        }
        out
    }
}

fn population_sd(y: &[f64]) -> f64 {
    if y.is_empty() {
        return 0.0;
    }
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt()
}

impl Fit for Croston {
    type Fitted = FittedCroston;

    fn fit(&self, y: &[f64]) -> Result<FittedCroston> {
        self.check()?;
        if y.is_empty() {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed: 1,
                got: 0,
            });
        }
        for (row, &v) in y.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::NonFinite {
                    unique_id: String::new(),
                    row,
                });
            }
            if v < 0.0 {
                return Err(Error::InvalidParameter {
                    name: "y",
                    problem: format!("negative demand {v} at row {row}"),
                });
            }
        }
        let a = self.alpha;
        let factor = match self.variant {
            CrostonVariant::Classic => 1.0,
            CrostonVariant::Sba => 1.0 - a / 2.0,
        };
        let mut level: Option<(f64, f64)> = None;
        let mut last = 0_usize;
        let mut origin_rate = Vec::with_capacity(y.len());
        for (t, &v) in y.iter().enumerate() {
            if v > 0.0 {
                level = Some(match level {
                    None => (v, (t + 1) as f64),
                    Some((z, p)) => (a * v + (1.0 - a) * z, a * (t - last) as f64 + (1.0 - a) * p),
                });
                last = t;
            }
            origin_rate.push(level.map_or(f64::NAN, |(z, p)| factor * z / p));
        }
        let (size, interval) = level.unwrap_or((0.0, 0.0));
        let rate = level.map_or(0.0, |(z, p)| factor * z / p);
        Ok(FittedCroston {
            size,
            interval,
            rate,
            origin_rate,
            y: y.to_vec(),
        })
    }
}

impl Predict for FittedCroston {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        check_levels(levels)?;
        let sd = self.error_sd(horizon);
        Ok(Forecast::normal(vec![self.rate; horizon], &sd, levels)?.non_negative())
    }

    /// As statsforecast: NaN at the first step, the rate known the step
    /// before afterwards, zero before the first demand.
    fn predict_in_sample(&self) -> Vec<f64> {
        std::iter::once(f64::NAN)
            .chain(
                self.origin_rate[..self.origin_rate.len().saturating_sub(1)]
                    .iter()
                    .map(|r| if r.is_finite() { *r } else { 0.0 }),
            )
            .take(self.y.len())
            .collect()
    }
}

// ---------------------------------------------------------------------------
// Consumption models
// ---------------------------------------------------------------------------

/// A consumption model chosen by name (serde: `{"model": "croston",
/// "alpha": 0.1, "variant": "sba"}`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ConsumptionModel {
    /// By the demand pattern of the history ([`DemandPattern`]): Croston
    /// SBA with `α = 0.1` for intermittent, lumpy or absent demand and for
    /// histories shorter than two weeks, seasonal naive with a weekly
    /// season otherwise.
    #[default]
    Auto,
    /// [`SeasonalNaive`].
    SeasonalNaive {
        /// Season length in days.
        season_length: usize,
    },
    /// [`Croston`].
    Croston {
        /// Smoothing constant.
        alpha: f64,
        /// Classic or SBA.
        variant: CrostonVariant,
    },
    /// [`AutoEts`].
    AutoEts(AutoEts),
}

/// A fitted [`ConsumptionModel`].
#[derive(Debug)]
pub struct FittedConsumption {
    name: String,
    inner: FittedInner,
}

#[derive(Debug)]
enum FittedInner {
    SeasonalNaive(FittedSeasonalNaive),
    Croston(FittedCroston),
    AutoEts(Box<FittedAutoEts>),
}

impl FittedConsumption {
    /// The model fitted, e.g. `"CrostonSBA(0.1)"`, `"SeasonalNaive(7)"`,
    /// `"ETS(A,N,N)"`: for [`ConsumptionModel::Auto`], the one it chose.
    #[must_use]
    pub fn model_name(&self) -> &str {
        &self.name
    }
}

fn fit_croston(model: Croston, y: &[f64]) -> Result<FittedConsumption> {
    let variant = match model.variant {
        CrostonVariant::Classic => "Classic",
        CrostonVariant::Sba => "SBA",
    };
    Ok(FittedConsumption {
        name: format!("Croston{variant}({})", model.alpha),
        inner: FittedInner::Croston(model.fit(y)?),
    })
}

fn fit_seasonal_naive(season_length: usize, y: &[f64]) -> Result<FittedConsumption> {
    Ok(FittedConsumption {
        name: format!("SeasonalNaive({season_length})"),
        inner: FittedInner::SeasonalNaive(SeasonalNaive::new(season_length).fit(y)?),
    })
}

impl Fit for ConsumptionModel {
    type Fitted = FittedConsumption;

    fn fit(&self, y: &[f64]) -> Result<FittedConsumption> {
        match self {
            Self::Auto => {
                if DemandPattern::classify(y).is_intermittent() || y.len() < 14 {
                    fit_croston(Croston::sba(0.1), y)
                } else {
                    fit_seasonal_naive(7, y)
                }
            }
            Self::SeasonalNaive { season_length } => fit_seasonal_naive(*season_length, y),
            Self::Croston { alpha, variant } => fit_croston(
                Croston {
                    alpha: *alpha,
                    variant: *variant,
                },
                y,
            ),
            Self::AutoEts(m) => {
                let fitted = m.fit(y)?;
                Ok(FittedConsumption {
                    name: fitted.form(),
                    inner: FittedInner::AutoEts(Box::new(fitted)),
                })
            }
        }
    }
}

impl Predict for FittedConsumption {
    fn predict(&self, horizon: usize, levels: &[f64]) -> Result<Forecast> {
        match &self.inner {
            FittedInner::SeasonalNaive(f) => f.predict(horizon, levels),
            FittedInner::Croston(f) => f.predict(horizon, levels),
            FittedInner::AutoEts(f) => f.predict(horizon, levels),
        }
    }

    fn predict_in_sample(&self) -> Vec<f64> {
        match &self.inner {
            FittedInner::SeasonalNaive(f) => f.predict_in_sample(),
            FittedInner::Croston(f) => f.predict_in_sample(),
            FittedInner::AutoEts(f) => f.predict_in_sample(),
        }
    }
}

/// Forecast a consumption series `horizon` days ahead with any model,
/// intervals at `levels` (percent), clipped at zero.
///
/// The model is fitted with the series' dates ([`Fit::fit_series`], daily),
/// so calendar models see the real weekdays.
///
/// # Errors
/// [`MedicineError::EmptyHistory`] for an empty series;
/// [`MedicineError::Forecast`] naming the medicine when the model fails.
pub fn forecast_consumption<M: Fit>(
    model: &M,
    series: &ConsumptionSeries,
    horizon: usize,
    levels: &[f64],
) -> Result<Forecast, MedicineError> {
    if series.y.is_empty() {
        return Err(MedicineError::EmptyHistory {
            medicine: series.medicine.clone(),
            as_of: None,
        });
    }
    let wrap = |source| MedicineError::Forecast {
        medicine: series.medicine.clone(),
        source,
    };
    let start = series.start.and_time(chrono::NaiveTime::MIN);
    let fitted = model
        .fit_series(SeriesView::new(&series.y, start, Freq::Daily))
        .map_err(wrap)?;
    Ok(fitted.predict(horizon, levels).map_err(wrap)?.non_negative())
}

// ---------------------------------------------------------------------------
// Demand distribution, reorder point, order quantity
// ---------------------------------------------------------------------------

/// Daily demand over a horizon as a mean and a standard deviation per day,
/// the days taken as independent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DailyDemand {
    /// Mean units per day, day 1 first.
    pub mean: Vec<f64>,
    /// Standard deviation per day.
    pub sd: Vec<f64>,
}

impl DailyDemand {
    /// Demand with these means and standard deviations.
    ///
    /// # Errors
    /// [`MedicineError::InvalidForecast`] for lengths that differ or a
    /// negative or non-finite value.
    pub fn new(mean: Vec<f64>, sd: Vec<f64>) -> Result<Self, MedicineError> {
        if mean.len() != sd.len() {
            return Err(forecast_error(
                mean.len().min(sd.len()),
                "means and standard deviations differ in length",
            ));
        }
        if let Some(step) = mean.iter().position(|m| !(m.is_finite() && *m >= 0.0)) {
            return Err(forecast_error(step, "mean demand is negative or not finite"));
        }
        if let Some(step) = sd.iter().position(|s| !(s.is_finite() && *s >= 0.0)) {
            return Err(forecast_error(step, "standard deviation is negative or not finite"));
        }
        Ok(Self { mean, sd })
    }

    /// The same mean and standard deviation every day.
    ///
    /// # Errors
    /// As [`DailyDemand::new`].
    pub fn constant(mean: f64, sd: f64, days: usize) -> Result<Self, MedicineError> {
        Self::new(vec![mean; days], vec![sd; days])
    }

    /// Read a forecast: the mean is the point forecast clipped at zero, the
    /// standard deviation `(upper − point) / z` at the forecast's highest
    /// level (`z` the standard normal quantile at `0.5 + level/200`). This is
    /// the model's own standard deviation for normal intervals (baselines,
    /// ETS, Croston) and an approximation otherwise; the upper side is
    /// used because clipping at zero shortens only the lower one.
    ///
    /// # Errors
    /// [`MedicineError::InvalidForecast`] for a forecast without interval,
    /// with bounds shorter than the point forecast or below it, or with a
    /// non-finite value; [`MedicineError::InvalidPolicy`] for a level
    /// outside (0, 100).
    pub fn from_forecast(forecast: &Forecast) -> Result<Self, MedicineError> {
        let Some((j, level)) = forecast
            .levels
            .iter()
            .copied()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
        else {
            return Err(forecast_error(0, "the forecast has no prediction interval"));
        };
        if !(level > 0.0 && level < 100.0) {
            return Err(policy_error("level", level, "levels are percentages in (0, 100)"));
        }
        let z = crate::normal::norm_ppf(0.5 + level / 200.0);
        let upper = forecast
            .upper
            .get(j)
            .filter(|u| u.len() >= forecast.point.len())
            .ok_or_else(|| forecast_error(0, "the upper bounds are shorter than the point forecast"))?;
        let mut mean = Vec::with_capacity(forecast.point.len());
        let mut sd = Vec::with_capacity(forecast.point.len());
        for (step, (&p, &u)) in forecast.point.iter().zip(upper).enumerate() {
            if !(p.is_finite() && u.is_finite()) {
                return Err(forecast_error(step, "not finite"));
            }
            if exceeds(p, u) {
                return Err(forecast_error(step, "upper bound below the point forecast"));
            }
            mean.push(p.max(0.0));
            sd.push(((u - p) / z).max(0.0));
        }
        Self::new(mean, sd)
    }

    /// Number of days.
    #[must_use]
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether there is no day.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// Mean and variance of the demand over the first `days` days (a
    /// fraction of a day counts for that fraction of its mean and
    /// variance, as for a demand process with independent increments).
    fn over(&self, days: f64) -> (f64, f64) {
        let (mut m, mut v) = (0.0, 0.0);
        let mut left = days;
        for (mu, s) in self.mean.iter().zip(&self.sd) {
            if left <= 0.0 {
                break;
            }
            let w = left.min(1.0);
            m += w * mu;
            v += w * s * s;
            left -= 1.0;
        }
        (m, v)
    }
}

/// How much to order, when to order, at which service level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReorderPolicy {
    /// Cycle service level: the probability of no stock-out while an order
    /// is awaited, in (0, 1).
    pub service_level: f64,
    /// Mean lead time in days, positive (fractions allowed).
    pub lead_time_days: f64,
    /// Standard deviation of the lead time in days, ≥ 0.
    pub lead_time_sd_days: f64,
    /// Days between stock reviews for the order-up-to level, ≥ 0.
    pub review_period_days: f64,
    /// Cost of placing one order; with `holding_cost_per_unit_year` it
    /// gives the economic order quantity.
    pub ordering_cost: Option<f64>,
    /// Cost of holding one unit for a year.
    pub holding_cost_per_unit_year: Option<f64>,
    /// Units ordered and not yet received (they count in the inventory
    /// position, not in the stock on hand).
    pub on_order: f64,
}

impl Default for ReorderPolicy {
    /// 95 % service, a fixed 7-day lead time, weekly review, no costs
    /// (order-up-to), nothing on order.
    fn default() -> Self {
        Self {
            service_level: 0.95,
            lead_time_days: 7.0,
            lead_time_sd_days: 0.0,
            review_period_days: 7.0,
            ordering_cost: None,
            holding_cost_per_unit_year: None,
            on_order: 0.0,
        }
    }
}

impl ReorderPolicy {
    /// Check the parameters.
    ///
    /// # Errors
    /// [`MedicineError::InvalidPolicy`] for a service level outside (0, 1),
    /// a lead time that is not positive, a negative lead-time deviation,
    /// review period or quantity on order, a cost that is not positive, or
    /// a non-finite value.
    pub fn check(&self) -> Result<(), MedicineError> {
        let sl = self.service_level;
        if !(sl > 0.0 && sl < 1.0) {
            return Err(policy_error("service level", sl, "must lie strictly between 0 and 1"));
        }
        let lt = self.lead_time_days;
        if !(lt.is_finite() && lt > 0.0) {
            return Err(policy_error("lead time", lt, "must be a positive number of days"));
        }
        for (name, v) in [
            ("lead-time standard deviation", self.lead_time_sd_days),
            ("review period", self.review_period_days),
            ("quantity on order", self.on_order),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(policy_error(name, v, "must be finite and not negative"));
            }
        }
        for (name, v) in [
            ("ordering cost", self.ordering_cost),
            ("holding cost", self.holding_cost_per_unit_year),
        ] {
            if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(policy_error(name, v, "must be positive"));
            }
        }
        Ok(())
    }
}

/// The economic order quantity `Q* = √(2 D K / h)` (Harris 1913; Silver,
/// Pyke & Thomas 2017, §4.2): the order size that minimises ordering plus
/// holding cost per year for annual demand `D`, cost per order `K` and
/// holding cost `h` per unit per year.
///
/// ```
/// use hutano_forecast::medicines::eoq;
///
/// let q = eoq(3650.0, 50.0, 2.0)?;
/// assert!((q - 182_500f64.sqrt()).abs() < 1e-12);
/// # Ok::<(), hutano_forecast::medicines::MedicineError>(())
/// ```
///
/// # Errors
/// [`MedicineError::InvalidPolicy`] for a negative or non-finite demand or
/// a cost that is not positive.
pub fn eoq(annual_demand: f64, ordering_cost: f64, holding_cost_per_unit_year: f64) -> Result<f64, MedicineError> {
    if !(annual_demand.is_finite() && annual_demand >= 0.0) {
        return Err(policy_error(
            "annual demand",
            annual_demand,
            "must be finite and not negative",
        ));
    }
    for (name, v) in [
        ("ordering cost", ordering_cost),
        ("holding cost", holding_cost_per_unit_year),
    ] {
        if !(v.is_finite() && v > 0.0) {
            return Err(policy_error(name, v, "must be positive"));
        }
    }
    Ok((2.0 * annual_demand * ordering_cost / holding_cost_per_unit_year).sqrt())
}

/// Which rule sets the order quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderRule {
    /// Continuous review `(s, Q)`: at or below the reorder point, order the
    /// economic order quantity (or up to the reorder point, if more).
    Eoq,
    /// `(s, S)`: at or below the reorder point, order up to the order-up-to
    /// level `S`, which covers the lead time plus the review period.
    OrderUpTo,
}

/// Reorder point, safety stock and order quantity at a service level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReorderPoint {
    /// Cycle service level.
    pub service_level: f64,
    /// Standard normal quantile at the service level.
    pub z: f64,
    /// Mean demand over the lead time.
    pub lead_time_demand: f64,
    /// Standard deviation of the demand over the lead time,
    /// `√(Σ σ_t² + d̄² σ_L²)` over the lead time's days, with `d̄` the mean
    /// daily demand over it and `σ_L` the lead time's standard deviation.
    pub sigma_lead_time: f64,
    /// `z · sigma_lead_time` (negative below a 50 % service level).
    pub safety_stock: f64,
    /// `lead_time_demand + safety_stock`: order when the inventory position
    /// falls to or below it.
    pub reorder_point: f64,
    /// Mean demand over lead time plus review period, plus `z` times its
    /// standard deviation (same form as `sigma_lead_time`).
    pub order_up_to: f64,
    /// Mean daily demand over the whole forecast × 365.
    pub annual_demand: f64,
    /// The economic order quantity, when both costs are given.
    pub eoq: Option<f64>,
    /// The rule [`ReorderPoint::order_quantity`] follows: EOQ when both
    /// costs are given, order-up-to otherwise.
    pub rule: OrderRule,
}

impl ReorderPoint {
    /// Units to order now for an inventory position (on hand + on order):
    /// zero above the reorder point; otherwise `max(EOQ, reorder point −
    /// position)` under [`OrderRule::Eoq`], `order-up-to − position` under
    /// [`OrderRule::OrderUpTo`].
    #[must_use]
    pub fn order_quantity(&self, inventory_position: f64) -> f64 {
        if inventory_position > self.reorder_point {
            return 0.0;
        }
        match (self.rule, self.eoq) {
            (OrderRule::Eoq, Some(q)) => q.max(self.reorder_point - inventory_position),
            _ => (self.order_up_to - inventory_position).max(0.0),
        }
    }
}

/// Reorder point at a service level from a daily demand forecast:
/// `ROP = E[D_L] + z(SL) · σ_L`, with `E[D_L]` the mean demand over the
/// lead time `L`, and `σ_L² = Σ_{t ≤ L} σ_t² + d̄² σ_LT²` combining the
/// daily demand variances (days independent) with the lead-time variance
/// `σ_LT²` (Silver, Pyke & Thomas 2017, §6.7; with constant daily demand
/// `N(μ, σ²)` this is `μL + z √(L σ² + μ² σ_LT²)`). Normal lead-time demand
/// is assumed.
///
/// ```
/// use hutano_forecast::medicines::{reorder_point, DailyDemand, ReorderPolicy};
///
/// let demand = DailyDemand::constant(10.0, 3.0, 30)?;
/// let policy = ReorderPolicy { service_level: 0.95, lead_time_days: 4.0, ..ReorderPolicy::default() };
/// let rop = reorder_point(&demand, &policy)?;
/// // 10·4 + 1.645 · 3·√4
/// assert!((rop.reorder_point - 49.869_121_761_708_83).abs() < 1e-9);
/// # Ok::<(), hutano_forecast::medicines::MedicineError>(())
/// ```
///
/// # Errors
/// As [`ReorderPolicy::check`]; [`MedicineError::HorizonTooShort`] when the
/// forecast covers fewer than `⌈lead time + review period⌉` days.
pub fn reorder_point(demand: &DailyDemand, policy: &ReorderPolicy) -> Result<ReorderPoint, MedicineError> {
    policy.check()?;
    let cover = policy.lead_time_days + policy.review_period_days;
    let needed = days_up(cover);
    if demand.len() < needed {
        return Err(MedicineError::HorizonTooShort {
            medicine: String::new(),
            needed,
            got: demand.len(),
        });
    }
    let z = crate::normal::norm_ppf(policy.service_level);
    let sigma = |days: f64| {
        let (m, v) = demand.over(days);
        let per_day = m / days;
        (m, (v + per_day * per_day * policy.lead_time_sd_days.powi(2)).sqrt())
    };
    let (lead_time_demand, sigma_lead_time) = sigma(policy.lead_time_days);
    let (cover_demand, sigma_cover) = sigma(cover);
    let safety_stock = z * sigma_lead_time;
    let annual_demand = if demand.is_empty() {
        0.0
    } else {
        demand.mean.iter().sum::<f64>() / demand.len() as f64 * DAYS_PER_YEAR
    };
    let eoq = match (policy.ordering_cost, policy.holding_cost_per_unit_year) {
        (Some(k), Some(h)) => Some(eoq(annual_demand, k, h)?),
        _ => None,
    };
    Ok(ReorderPoint {
        service_level: policy.service_level,
        z,
        lead_time_demand,
        sigma_lead_time,
        safety_stock,
        reorder_point: lead_time_demand + safety_stock,
        order_up_to: cover_demand + z * sigma_cover,
        annual_demand,
        rule: if eoq.is_some() {
            OrderRule::Eoq
        } else {
            OrderRule::OrderUpTo
        },
        eoq,
    })
}

/// `⌈days⌉` for a finite, non-negative number of days (saturating).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
fn days_up(days: f64) -> usize {
    // Checked finite and ≥ 0 by the callers; `as` saturates.
    (days - EPS * days.max(1.0)).ceil().max(0.0) as usize
}

// ---------------------------------------------------------------------------
// Stock-out and expiry projection
// ---------------------------------------------------------------------------

/// The standard normal distribution function, by Marsaglia's Taylor series
/// `Φ(x) = ½ + φ(x) (x + x³/3 + x⁵/(3·5) + …)` (G. Marsaglia, "Evaluating
/// the normal distribution", J. Stat. Softw. 11(4), 2004), absolute error
/// about 1e-15; 0 and 1 beyond ±10 (where `Φ(−10) ≈ 8e-24`).
// Marsaglia's names; the series stops when a term no longer changes the sum.
#[allow(clippy::many_single_char_names, clippy::float_cmp)]
fn norm_cdf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= -10.0 {
        return 0.0;
    }
    if x >= 10.0 {
        return 1.0;
    }
    let q = x * x;
    let (mut s, mut b, mut i) = (x, x, 1.0);
    loop {
        i += 2.0;
        b *= q / i;
        let t = s + b;
        if t == s {
            break;
        }
        s = t;
    }
    (0.5 + s * (-0.5 * q - 0.918_938_533_204_672_8).exp()).clamp(0.0, 1.0)
}

/// The stock at risk of expiring in one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRisk {
    /// The batch as on hand at the start of the projection.
    pub batch: Batch,
    /// Units issued from it at the forecast rate before it expires.
    pub expected_use: f64,
    /// Units left when it expires (0 for a batch of unknown expiry or one
    /// expiring after the ten-year projection).
    pub at_risk_units: f64,
    /// `at_risk_units × unit_cost`.
    pub at_risk_value: f64,
}

/// A medicine's stock run down by a demand forecast, FEFO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockProjection {
    /// The medicine.
    pub medicine: String,
    /// The day of the position; day `t` of the projection is `as_of + t`.
    pub as_of: NaiveDate,
    /// Usable units on hand at the end of `as_of`.
    pub on_hand: f64,
    /// The first day on which the mean forecast demand is not fully met
    /// (cumulative demand exceeds the stock left after expiries), within
    /// the forecast horizon.
    pub stock_out_date: Option<NaiveDate>,
    /// `P(stock-out on or before day t)`, `t = 1..=horizon` (see
    /// [`project_stock`]).
    pub stock_out_probability: Vec<f64>,
    /// Units that expire unused within the horizon at the mean rate.
    pub expiring_within_horizon: f64,
    /// Per usable batch, in FEFO order.
    pub batches: Vec<BatchRisk>,
    /// Units at risk of expiring, summed over the batches.
    pub at_risk_units: f64,
    /// Their value.
    pub at_risk_value: f64,
    /// Units already expired and still on hand ([`StockPosition::expired`]).
    pub expired_units: f64,
    /// Their value.
    pub expired_value: f64,
}

impl StockProjection {
    /// `P(stock-out within the horizon)`: the last entry of
    /// [`StockProjection::stock_out_probability`] (0 for an empty horizon).
    #[must_use]
    pub fn stock_out_probability_within_horizon(&self) -> f64 {
        self.stock_out_probability.last().copied().unwrap_or(0.0)
    }
}

/// Run the usable stock of `position` down by `demand`, FEFO, day by day.
///
/// On day `t` batches whose expiry is on or before `as_of + t` are
/// expired first, then the day's mean demand is issued from the batch
/// that expires first.
///
/// - **Stock-out date**: the first day of the horizon on which mean demand
///   is not fully met, i.e. the first `t` with `M_t > U_t`, where `M_t` is
///   the cumulative mean demand and `U_t` the stock on hand less the units
///   expired unused by day `t` on the mean path.
/// - **Stock-out probability**: `P(D_{1..t} > U_t)` with `D_{1..t}` normal
///   with mean `M_t` and variance `Σ_{s ≤ t} σ_s²` (days independent),
///   made non-decreasing in `t` (a running maximum: stock-out by day `t`
///   implies stock-out by `t + 1`). `U_t` is taken from the mean path: on
///   paths with higher demand fewer units expire, so where expiries matter
///   this overstates the probability somewhat.
/// - **Expiry risk**: per batch, the units left when its expiry date comes.
///   After the forecast horizon, demand continues at the forecast's mean
///   daily demand, up to ten years.
///
/// # Errors
/// [`MedicineError::HorizonTooShort`] for an empty forecast.
pub fn project_stock(position: &StockPosition, demand: &DailyDemand) -> Result<StockProjection, MedicineError> {
    let horizon = demand.len();
    if horizon == 0 {
        return Err(MedicineError::HorizonTooShort {
            medicine: position.medicine.clone(),
            needed: 1,
            got: 0,
        });
    }
    let mut batches = position.batches.clone();
    batches.sort_by_key(Batch::fefo_key);
    let tail = demand.mean.iter().sum::<f64>() / horizon as f64;
    let last_expiry = batches
        .iter()
        .filter_map(|b| b.expiry)
        .map(|e| day_index(position.as_of, e))
        .max()
        .unwrap_or(0);
    let days = horizon.max(last_expiry.min(MAX_PROJECTION_DAYS));
    let mut left: Vec<f64> = batches.iter().map(|b| b.quantity).collect();
    let mut wasted = vec![0.0; batches.len()];
    let on_hand: f64 = left.iter().sum();
    let (mut cum_waste, mut cum_mean, mut cum_var) = (0.0, 0.0, 0.0);
    let mut stock_out_date = None;
    let mut probability = Vec::with_capacity(horizon);
    let mut running = 0.0_f64;
    for t in 1..=days {
        let date = add_days(position.as_of, t);
        for (i, b) in batches.iter().enumerate() {
            if left[i] > 0.0 && b.expiry.is_some_and(|e| e <= date) {
                wasted[i] += left[i];
                cum_waste += left[i];
                left[i] = 0.0;
            }
        }
        let want = demand.mean.get(t - 1).copied().unwrap_or(tail);
        let mut unmet = want;
        for l in &mut left {
            if unmet <= 0.0 {
                break;
            }
            let take = l.min(unmet);
            *l -= take;
            unmet -= take;
        }
        if t <= horizon {
            cum_mean += want;
            cum_var += demand.sd[t - 1].powi(2);
            let usable = on_hand - cum_waste;
            if stock_out_date.is_none() && exceeds(cum_mean, usable) {
                stock_out_date = Some(date);
            }
            let p = if cum_var > 0.0 {
                1.0 - norm_cdf((usable - cum_mean) / cum_var.sqrt())
            } else if exceeds(cum_mean, usable) {
                1.0
            } else {
                0.0
            };
            running = running.max(p);
            probability.push(running);
        }
    }
    let expiring_within_horizon = batches
        .iter()
        .zip(&wasted)
        .filter(|(b, _)| b.expiry.is_some_and(|e| e <= add_days(position.as_of, horizon)))
        .map(|(_, w)| w)
        .sum();
    let risks: Vec<BatchRisk> = batches
        .iter()
        .zip(wasted.iter().zip(&left))
        .map(|(b, (&w, &l))| BatchRisk {
            batch: b.clone(),
            expected_use: b.quantity - w - l,
            at_risk_units: w,
            at_risk_value: w * b.unit_cost,
        })
        .collect();
    Ok(StockProjection {
        medicine: position.medicine.clone(),
        as_of: position.as_of,
        on_hand,
        stock_out_date,
        stock_out_probability: probability,
        expiring_within_horizon,
        at_risk_units: risks.iter().map(|r| r.at_risk_units).sum(),
        at_risk_value: risks.iter().map(|r| r.at_risk_value).sum(),
        batches: risks,
        expired_units: position.expired_units(),
        expired_value: position.expired.iter().map(|b| b.quantity * b.unit_cost).sum(),
    })
}

// ---------------------------------------------------------------------------
// The whole plan
// ---------------------------------------------------------------------------

/// Everything [`plan_medicine`] works out for one medicine on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MedicinePlan {
    /// The medicine.
    pub medicine: String,
    /// The day of the plan (end of day).
    pub as_of: NaiveDate,
    /// The demand pattern of the history.
    pub pattern: DemandPattern,
    /// Days of the history on which the item was out of stock.
    pub stocked_out_days: usize,
    /// The consumption forecast for `as_of + 1 ..= as_of + horizon`.
    pub forecast: Forecast,
    /// Usable units on hand.
    pub on_hand: f64,
    /// On hand plus on order.
    pub inventory_position: f64,
    /// Reorder point and order quantities.
    pub reorder: ReorderPoint,
    /// Whether the inventory position is at or below the reorder point.
    pub order_now: bool,
    /// Units to order now ([`ReorderPoint::order_quantity`]).
    pub order_quantity: f64,
    /// Stock-out and expiry projection.
    pub projection: StockProjection,
}

impl MedicinePlan {
    /// The numeric columns of a medicine plan table (Python's and C's
    /// `medicine_plan`), in the order of [`MedicinePlan::numbers`].
    pub const NUMBER_COLUMNS: [&'static str; 14] = [
        "adi",
        "on_hand",
        "inventory_position",
        "mean_daily_demand",
        "lead_time_demand",
        "safety_stock",
        "reorder_point",
        "order_up_to",
        "eoq",
        "order_quantity",
        "stock_out_probability",
        "at_risk_units",
        "at_risk_value",
        "expired_units",
    ];

    /// The plan's value for each of [`MedicinePlan::NUMBER_COLUMNS`]:
    /// `mean_daily_demand` is the mean of the forecast (0 without one),
    /// `eoq` NaN without both costs, `stock_out_probability` within the
    /// forecast's horizon.
    #[must_use]
    pub fn numbers(&self) -> [f64; 14] {
        let point = &self.forecast.point;
        let mean_daily = if point.is_empty() {
            0.0
        } else {
            point.iter().sum::<f64>() / point.len() as f64
        };
        [
            self.pattern.adi,
            self.on_hand,
            self.inventory_position,
            mean_daily,
            self.reorder.lead_time_demand,
            self.reorder.safety_stock,
            self.reorder.reorder_point,
            self.reorder.order_up_to,
            self.reorder.eoq.unwrap_or(f64::NAN),
            self.order_quantity,
            self.projection.stock_out_probability_within_horizon(),
            self.projection.at_risk_units,
            self.projection.at_risk_value,
            self.projection.expired_units,
        ]
    }
}

/// Plan one medicine at the end of `as_of`: forecast its consumption from
/// the history up to `as_of` with `model`, then the reorder point, the
/// order quantity, the stock-out date and probability and the stock at
/// risk of expiring. `levels` (percent, at least one) are the forecast's
/// intervals; the highest gives the daily standard deviation
/// ([`DailyDemand::from_forecast`]).
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_core::model::StockMovement;
/// use hutano_forecast::medicines::{plan_medicine, ConsumptionModel, Ledger, ReorderPolicy};
///
/// let day = |d| NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
/// let mut events = vec![(day(1), StockMovement::Receipt {
///     quantity: 200.0, expiry: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(), unit_cost: 2.5 })];
/// for d in 1..=28 {
///     events.push((day(d), StockMovement::Consumption { quantity: f64::from(d % 3 + 4) }));
/// }
/// let ledger = Ledger::new("AMOX", events);
/// let plan = plan_medicine(&ledger, day(28), &ConsumptionModel::Auto, &ReorderPolicy::default(), 28, &[80.0, 95.0])?;
/// assert!(plan.reorder.reorder_point > plan.reorder.lead_time_demand);
/// assert!(plan.projection.stock_out_date.is_some());
/// # Ok::<(), hutano_forecast::medicines::MedicineError>(())
/// ```
///
/// # Errors
/// As [`Ledger::history`], [`Ledger::position`], [`forecast_consumption`],
/// [`DailyDemand::from_forecast`], [`reorder_point`] and
/// [`project_stock`], every error naming the medicine.
pub fn plan_medicine<M: Fit>(
    ledger: &Ledger,
    as_of: NaiveDate,
    model: &M,
    policy: &ReorderPolicy,
    horizon: usize,
    levels: &[f64],
) -> Result<MedicinePlan, MedicineError> {
    let name = |e: MedicineError| e.for_medicine(&ledger.medicine);
    policy.check().map_err(name)?;
    let history = ledger.history(as_of)?;
    let pattern = DemandPattern::classify(&history.y);
    let forecast = forecast_consumption(model, &history, horizon, levels)?;
    let demand = DailyDemand::from_forecast(&forecast).map_err(name)?;
    let reorder = reorder_point(&demand, policy).map_err(name)?;
    let position = ledger.position(as_of)?;
    let projection = project_stock(&position, &demand)?;
    let on_hand = position.on_hand();
    let inventory_position = on_hand + policy.on_order;
    Ok(MedicinePlan {
        medicine: ledger.medicine.clone(),
        as_of,
        pattern,
        stocked_out_days: history.stocked_out.iter().filter(|s| **s).count(),
        forecast,
        on_hand,
        inventory_position,
        order_now: inventory_position <= reorder.reorder_point,
        order_quantity: reorder.order_quantity(inventory_position),
        reorder,
        projection,
    })
}

/// [`plan_medicine`] for every medicine of a network, in table order.
#[must_use]
pub fn plan_network<M: Fit>(
    network: &Network,
    as_of: NaiveDate,
    model: &M,
    policy: &ReorderPolicy,
    horizon: usize,
    levels: &[f64],
) -> Vec<Result<MedicinePlan, MedicineError>> {
    (0..network.medicines.len())
        .map(|i| {
            let id = MedicineId(u32::try_from(i).unwrap_or(u32::MAX));
            Ledger::from_network(network, id)
                .and_then(|ledger| plan_medicine(&ledger, as_of, model, policy, horizon, levels))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::float_cmp)] // the hand examples are whole units and exact binary fractions
mod tests {
    use chrono::NaiveDate;
    use hutano_core::model::StockMovement;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::backtest::{cross_validation, evaluate};
    use crate::panel::{Panel, Series};

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, m, d).unwrap()
    }

    fn receipt(quantity: f64, expiry: NaiveDate, unit_cost: f64) -> StockMovement {
        StockMovement::Receipt {
            quantity,
            expiry,
            unit_cost,
        }
    }

    fn issue(quantity: f64) -> StockMovement {
        StockMovement::Consumption { quantity }
    }

    const Z95: f64 = 1.644_853_626_951_472_2;

    #[test]
    fn reorder_point_matches_closed_form() {
        // Normal daily demand N(10, 3²), fixed lead time L = 4 days, 95 %:
        // ROP = μL + z σ √L = 40 + 1.6448536 · 3 · 2 = 49.869121761708826.
        let demand = DailyDemand::constant(10.0, 3.0, 30).unwrap();
        let policy = ReorderPolicy {
            service_level: 0.95,
            lead_time_days: 4.0,
            review_period_days: 7.0,
            ..ReorderPolicy::default()
        };
        let r = reorder_point(&demand, &policy).unwrap();
        assert!((r.z - Z95).abs() < 1e-12);
        assert!((r.lead_time_demand - 40.0).abs() < 1e-12);
        assert!((r.sigma_lead_time - 6.0).abs() < 1e-12);
        assert!((r.reorder_point - 49.869_121_761_708_826).abs() < 1e-9);
        // Order-up-to over L + R = 11 days: 110 + z · 3 √11.
        assert!((r.order_up_to - (110.0 + Z95 * 3.0 * 11f64.sqrt())).abs() < 1e-9);
        assert_eq!(r.rule, OrderRule::OrderUpTo);
        assert_eq!(r.order_quantity(50.0), 0.0);
        assert!((r.order_quantity(20.0) - (r.order_up_to - 20.0)).abs() < 1e-12);

        // Lead-time deviation σ_L = 1 day: σ = √(L σ² + μ² σ_L²) = √136.
        let varied = ReorderPolicy {
            lead_time_sd_days: 1.0,
            ..policy.clone()
        };
        let r = reorder_point(&demand, &varied).unwrap();
        assert!((r.sigma_lead_time - 136f64.sqrt()).abs() < 1e-12);
        assert!((r.reorder_point - 59.182_124_745_631_7).abs() < 1e-9);

        // A fractional lead time of 2.5 days: 25 + z · 3 √2.5.
        let half = ReorderPolicy {
            lead_time_days: 2.5,
            ..policy.clone()
        };
        let r = reorder_point(&demand, &half).unwrap();
        assert!((r.reorder_point - (25.0 + Z95 * 3.0 * 2.5f64.sqrt())).abs() < 1e-9);
    }

    #[test]
    fn reorder_point_rises_with_the_service_level() {
        let demand = DailyDemand::constant(6.0, 2.5, 20).unwrap();
        let mut last = f64::NEG_INFINITY;
        for sl in [0.3, 0.5, 0.8, 0.9, 0.95, 0.99, 0.999] {
            let policy = ReorderPolicy {
                service_level: sl,
                lead_time_days: 5.0,
                ..ReorderPolicy::default()
            };
            let r = reorder_point(&demand, &policy).unwrap();
            assert!(r.reorder_point > last, "{sl}: {} after {last}", r.reorder_point);
            last = r.reorder_point;
        }
        // At 50 % there is no safety stock.
        let r = reorder_point(
            &demand,
            &ReorderPolicy {
                service_level: 0.5,
                lead_time_days: 5.0,
                ..ReorderPolicy::default()
            },
        )
        .unwrap();
        assert!(r.safety_stock.abs() < 1e-12);
    }

    #[test]
    fn eoq_matches_closed_form() {
        // D = 10/day · 365 = 3650 a year, K = 50, h = 2: √(2·3650·50/2) = √182500.
        assert!((eoq(3650.0, 50.0, 2.0).unwrap() - 427.200_187_265_876_5).abs() < 1e-9);
        let demand = DailyDemand::constant(10.0, 3.0, 30).unwrap();
        let policy = ReorderPolicy {
            lead_time_days: 4.0,
            ordering_cost: Some(50.0),
            holding_cost_per_unit_year: Some(2.0),
            ..ReorderPolicy::default()
        };
        let r = reorder_point(&demand, &policy).unwrap();
        assert_eq!(r.rule, OrderRule::Eoq);
        assert!((r.annual_demand - 3650.0).abs() < 1e-9);
        assert!((r.eoq.unwrap() - 182_500f64.sqrt()).abs() < 1e-9);
        assert!((r.order_quantity(40.0) - 182_500f64.sqrt()).abs() < 1e-9);
        // Far below the reorder point, at least back up to it.
        assert!((r.order_quantity(-500.0) - (r.reorder_point + 500.0)).abs() < 1e-9);
        assert!(matches!(
            eoq(100.0, 0.0, 1.0),
            Err(MedicineError::InvalidPolicy {
                name: "ordering cost",
                ..
            })
        ));
    }

    #[test]
    fn bad_policies_are_errors_naming_the_parameter() {
        let demand = DailyDemand::constant(1.0, 1.0, 30).unwrap();
        for (policy, name) in [
            (
                ReorderPolicy {
                    service_level: 1.0,
                    ..ReorderPolicy::default()
                },
                "service level",
            ),
            (
                ReorderPolicy {
                    service_level: 0.0,
                    ..ReorderPolicy::default()
                },
                "service level",
            ),
            (
                ReorderPolicy {
                    service_level: f64::NAN,
                    ..ReorderPolicy::default()
                },
                "service level",
            ),
            (
                ReorderPolicy {
                    lead_time_days: 0.0,
                    ..ReorderPolicy::default()
                },
                "lead time",
            ),
            (
                ReorderPolicy {
                    lead_time_sd_days: -1.0,
                    ..ReorderPolicy::default()
                },
                "lead-time standard deviation",
            ),
            (
                ReorderPolicy {
                    holding_cost_per_unit_year: Some(-2.0),
                    ..ReorderPolicy::default()
                },
                "holding cost",
            ),
        ] {
            match reorder_point(&demand, &policy) {
                Err(MedicineError::InvalidPolicy { name: got, .. }) => assert_eq!(got, name),
                other => panic!("{name}: {other:?}"),
            }
        }
        // A lead time plus review beyond the forecast.
        let short = DailyDemand::constant(1.0, 1.0, 10).unwrap();
        assert!(matches!(
            reorder_point(&short, &ReorderPolicy::default()),
            Err(MedicineError::HorizonTooShort {
                needed: 14,
                got: 10,
                ..
            })
        ));
        let e = reorder_point(
            &demand,
            &ReorderPolicy {
                lead_time_days: 0.0,
                ..ReorderPolicy::default()
            },
        )
        .unwrap_err()
        .for_medicine("CEFT");
        assert!(e.to_string().contains("\"CEFT\""), "{e}");
    }

    #[test]
    fn croston_and_sba_on_the_hand_example() {
        // y = 0, 0, 5, 0, 3 and α = 0.1. Sizes 5, 3: level 5, then
        // 0.1·3 + 0.9·5 = 4.8. Intervals (the first counted from the start):
        // 3, 2: level 3, then 0.1·2 + 0.9·3 = 2.9. Classic: 4.8 / 2.9 =
        // 1.6551724; SBA: (1 − 0.1/2) · 1.6551724 = 1.5724138.
        let y = [0.0, 0.0, 5.0, 0.0, 3.0];
        let classic = Croston::classic(0.1).fit(&y).unwrap();
        assert!((classic.size() - 4.8).abs() < 1e-12);
        assert!((classic.interval() - 2.9).abs() < 1e-12);
        assert!((classic.rate() - 4.8 / 2.9).abs() < 1e-12);
        let sba = Croston::sba(0.1).fit(&y).unwrap();
        assert!((sba.rate() - 0.95 * 4.8 / 2.9).abs() < 1e-12);
        assert!((sba.rate() - 1.572_413_793_103_448).abs() < 1e-12);
        let f = sba.predict(3, &[80.0, 95.0]).unwrap();
        assert_eq!(f.point, vec![sba.rate(); 3]);
        for j in 0..2 {
            for t in 0..3 {
                assert!(f.lower[j][t] >= 0.0 && f.lower[j][t] <= f.point[t] && f.point[t] <= f.upper[j][t]);
            }
        }
        assert!(f.upper[1][0] > f.upper[0][0]);
        // In sample: NaN, 0 before the first demand, then the rate known.
        let fitted = classic.predict_in_sample();
        assert!(fitted[0].is_nan());
        assert_eq!(&fitted[1..4], &[0.0, 0.0, 5.0 / 3.0]);
        assert!((fitted[4] - 5.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn matches_statsforecast_croston() {
        // statsforecast 2.1.1 (numpy 2.4.6):
        //   CrostonClassic().forecast(y=y, h=3, fitted=True)["mean"][0]
        //   CrostonSBA().forecast(y=y, h=3, fitted=True)["mean"][0]
        // and the first 12 fitted values of CrostonClassic.
        let y = [
            0., 3., 0., 0., 0., 7., 0., 1., 0., 0., 2., 0., 0., 0., 0., 6., 0., 0., 4., 0., 1., 0., 0., 0., 9., 0., 0.,
            2., 0., 0., 0., 3., 0., 5., 0., 0., 0., 0., 1., 0.,
        ];
        let classic = Croston::classic(0.1).fit(&y).unwrap();
        let sba = Croston::sba(0.1).fit(&y).unwrap();
        // Same arithmetic in another order: agreement to rounding.
        assert!((classic.rate() - 1.142_058_509_130_385_6).abs() < 1e-12);
        assert!((sba.rate() - 1.084_955_583_673_866_2).abs() < 1e-12);
        let expected = [
            0.0,
            1.5,
            1.5,
            1.5,
            1.5,
            1.545_454_55,
            1.545_454_55,
            1.449_541_28,
            1.449_541_28,
            1.449_541_28,
            1.345_711_76,
        ];
        let fitted = classic.predict_in_sample();
        for (t, e) in expected.iter().enumerate() {
            // statsforecast's printout has 8 decimals.
            assert!((fitted[t + 1] - e).abs() < 1e-8, "{t}: {} vs {e}", fitted[t + 1]);
        }
    }

    #[test]
    fn croston_rejects_bad_input() {
        assert!(matches!(
            Croston::sba(0.0).fit(&[1.0]),
            Err(Error::InvalidParameter { name: "alpha", .. })
        ));
        assert!(matches!(
            Croston::sba(1.5).fit(&[1.0]),
            Err(Error::InvalidParameter { name: "alpha", .. })
        ));
        assert!(matches!(Croston::sba(0.1).fit(&[]), Err(Error::TooShort { .. })));
        assert!(matches!(
            Croston::sba(0.1).fit(&[1.0, f64::NAN]),
            Err(Error::NonFinite { row: 1, .. })
        ));
        assert!(matches!(
            Croston::sba(0.1).fit(&[1.0, -2.0]),
            Err(Error::InvalidParameter { name: "y", .. })
        ));
        // No demand at all: a zero forecast with zero-width intervals.
        let f = Croston::sba(0.1).fit(&[0.0; 20]).unwrap().predict(5, &[95.0]).unwrap();
        assert_eq!(f.point, vec![0.0; 5]);
        assert_eq!(f.upper[0], vec![0.0; 5]);
    }

    /// Daily demand: on a day with probability `p`, a size uniform on
    /// 1..=10.
    fn intermittent(seed: u64, n: usize, p: f64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                if rng.random_bool(p) {
                    f64::from(rng.random_range(1..=10_u32))
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// MASE and RMSE of a rolling-origin backtest on a panel of seeded
    /// intermittent series.
    fn backtest(model: &(impl Fit + Sync), panel: &Panel) -> (f64, f64) {
        // 12 windows of 28 days, rolling by 28: the last 336 days of each
        // series held out, each forecast made only from the days before its
        // cutoff; the MASE scale is the in-sample naive (lag-1) error.
        let windows = cross_validation(model, panel, 28, 12, 28, &[80.0], 1, true).unwrap();
        let m = evaluate(&windows).unwrap();
        (m.mase, m.rmse)
    }

    #[test]
    fn sba_beats_seasonal_naive_on_intermittent_holdout() {
        // 20 series of two years of daily demand on 25 % of days (sizes 1 to
        // 10). Seasonal naive repeats last week's issues on the wrong days;
        // Croston forecasts the rate. One series alone is too noisy to rank
        // the two on MAE (the SBA/seasonal-naive MASE ratio ranges over
        // 0.79–1.10 across 30 seeds); over 20 series it was 0.91–0.94 for
        // eight panel seeds.
        let series = (0..20)
            .map(|i| Series {
                unique_id: format!("med{i}"),
                start: day(1, 1).and_time(chrono::NaiveTime::MIN),
                freq: Freq::Daily,
                y: intermittent(100 + i, 730, 0.25),
                x: Vec::new(),
            })
            .collect();
        let panel = Panel::new(series);
        assert!(panel
            .series
            .iter()
            .all(|s| DemandPattern::classify(&s.y).is_intermittent()));
        let (sba, sba_rmse) = backtest(&Croston::sba(0.1), &panel);
        let (classic, _) = backtest(&Croston::classic(0.1), &panel);
        let (snaive, snaive_rmse) = backtest(&SeasonalNaive::new(7), &panel);
        assert!(sba < 0.97 * snaive, "SBA {sba} vs seasonal naive {snaive}");
        assert!(
            sba_rmse < 0.8 * snaive_rmse,
            "SBA {sba_rmse} vs seasonal naive {snaive_rmse}"
        );
        // SBA's lower rate is nearer the median (0): smaller absolute errors.
        assert!(sba < classic, "SBA {sba} vs classic {classic}");
        // The automatic model picks Croston SBA for these series.
        assert!((backtest(&ConsumptionModel::Auto, &panel).0 - sba).abs() < 1e-12);
    }

    #[test]
    fn demand_patterns_follow_the_cutoffs() {
        assert_eq!(DemandPattern::classify(&[5.0; 10]).class, DemandClass::Smooth);
        let erratic = [1.0, 20.0, 1.0, 25.0, 2.0, 30.0];
        assert_eq!(DemandPattern::classify(&erratic).class, DemandClass::Erratic);
        let intermittent = [0.0, 0.0, 4.0, 0.0, 0.0, 5.0];
        let p = DemandPattern::classify(&intermittent);
        assert_eq!(p.class, DemandClass::Intermittent);
        assert!((p.adi - 3.0).abs() < 1e-12);
        assert!((p.cv2 - 0.25 / 20.25).abs() < 1e-12);
        assert_eq!(
            DemandPattern::classify(&[0.0, 0.0, 1.0, 0.0, 0.0, 30.0]).class,
            DemandClass::Lumpy
        );
        assert_eq!(DemandPattern::classify(&[0.0; 4]).class, DemandClass::NoDemand);
    }

    /// The ledger of the hand example: four batches, two issues.
    ///
    /// | batch | received | units | expiry | cost |
    /// |---|---|---|---|---|
    /// | A | 01-01 | 50 | 01-14 | 2.0 |
    /// | B | 01-01 | 100 | 06-30 | 1.5 |
    /// | C | 01-05 | 40 | 01-12 | 3.0 |
    /// | E | 01-06 | 5 | 01-07 | 4.0 |
    /// | D | 01-10 | 20 | 01-11 | 5.0 |
    ///
    /// Issues: 20 on 01-03, from A (first to expire then): A = 30. 15 on
    /// 01-08, from C (E expired on 01-07 and is not usable): C = 25. E stays
    /// on the shelf, expired and not written off.
    fn hand_ledger() -> Ledger {
        Ledger::new(
            "ORS",
            vec![
                (day(1, 1), receipt(50.0, day(1, 14), 2.0)),
                (day(1, 1), receipt(100.0, day(6, 30), 1.5)),
                (day(1, 3), issue(20.0)),
                (day(1, 5), receipt(40.0, day(1, 12), 3.0)),
                (day(1, 6), receipt(5.0, day(1, 7), 4.0)),
                (day(1, 8), issue(15.0)),
                (day(1, 10), receipt(20.0, day(1, 11), 5.0)),
            ],
        )
    }

    #[test]
    fn position_replays_batches_fefo() {
        let pos = hand_ledger().position(day(1, 10)).unwrap();
        let got: Vec<(NaiveDate, f64)> = pos.batches.iter().map(|b| (b.expiry.unwrap(), b.quantity)).collect();
        assert_eq!(
            got,
            vec![
                (day(1, 11), 20.0),
                (day(1, 12), 25.0),
                (day(1, 14), 30.0),
                (day(6, 30), 100.0)
            ]
        );
        assert_eq!(pos.on_hand(), 175.0);
        assert_eq!(pos.expired_units(), 5.0);
        // Before the last receipt.
        assert_eq!(hand_ledger().position(day(1, 9)).unwrap().on_hand(), 155.0);
    }

    #[test]
    fn stock_out_and_expiry_on_the_hand_ledger() {
        // Forecast 10 a day (sd 2) from 01-11. FEFO by hand:
        // 01-11: D (exp 01-11) expires unused: 20 wasted; 10 from C → C 15.
        // 01-12: C expires: 15 wasted; 10 from A → A 20.
        // 01-13: 10 from A → A 10.
        // 01-14: A expires: 10 wasted; 10 from B → B 90.
        // 01-15 .. 01-23 (9 days): B → 0. 01-24: demand unmet.
        // So the stock lasts 130 = 175 − 45 units: stock-out on day 14,
        // 2024-01-24. At risk: D 20 units (100.0), C 15 (45.0), A 10
        // (20.0), B none: 45 units worth 165.0.
        let pos = hand_ledger().position(day(1, 10)).unwrap();
        let demand = DailyDemand::constant(10.0, 2.0, 20).unwrap();
        let p = project_stock(&pos, &demand).unwrap();
        assert_eq!(p.stock_out_date, Some(day(1, 24)));
        let risk: Vec<(f64, f64, f64)> = p
            .batches
            .iter()
            .map(|b| (b.expected_use, b.at_risk_units, b.at_risk_value))
            .collect();
        assert_eq!(
            risk,
            vec![
                (0.0, 20.0, 100.0),
                (10.0, 15.0, 45.0),
                (20.0, 10.0, 20.0),
                (100.0, 0.0, 0.0)
            ]
        );
        assert_eq!((p.at_risk_units, p.at_risk_value), (45.0, 165.0));
        assert_eq!(p.expiring_within_horizon, 45.0);
        assert_eq!((p.expired_units, p.expired_value), (5.0, 20.0));
        // P(stock-out by day t) = 1 − Φ((130 − 10t) / (2√t)) once all the
        // expiries are past: 0.5 on day 13 (mean demand = stock), and
        // 1 − Φ(10 / (2√12)) = 0.0744573 on day 12.
        let prob = &p.stock_out_probability;
        assert_eq!(prob.len(), 20);
        assert!((prob[12] - 0.5).abs() < 1e-12, "{}", prob[12]);
        assert!((prob[11] - 0.074_457_336_589_382_8).abs() < 1e-9, "{}", prob[11]);
        assert!(prob.windows(2).all(|w| w[0] <= w[1]));
        assert!(prob[0] < 1e-12);
        assert!(p.stock_out_probability_within_horizon() > 0.999_999);

        // With a 10-day horizon the stock lasts beyond it; expiry risk is
        // the same (demand continues at 10 a day after the horizon).
        let short = project_stock(&pos, &DailyDemand::constant(10.0, 2.0, 10).unwrap()).unwrap();
        assert_eq!(short.stock_out_date, None);
        assert_eq!(short.at_risk_units, 45.0);
        // 1 − Φ((130 − 100) / (2√10)) on day 10.
        assert!((short.stock_out_probability_within_horizon() - 1.050_717_977_957_305e-6).abs() < 1e-12);

        // No demand: everything with an expiry date is at risk.
        let idle = project_stock(&pos, &DailyDemand::constant(0.0, 0.0, 10).unwrap()).unwrap();
        assert_eq!(idle.at_risk_units, 175.0);
        assert_eq!(idle.stock_out_date, None);
        assert_eq!(idle.stock_out_probability_within_horizon(), 0.0);
    }

    #[test]
    fn counts_and_write_offs_adjust_the_books() {
        let ledger = Ledger::new(
            "INS",
            vec![
                (day(2, 1), receipt(10.0, day(2, 5), 4.0)),
                (day(2, 1), receipt(10.0, day(9, 1), 4.5)),
                // 02-06: the first batch has expired; write off 6 of it.
                (day(2, 6), StockMovement::Expired { quantity: 6.0 }),
                // Count 12: the book holds 4 expired + 10 = 14: the 2 missing
                // come off the expired batch first.
                (day(2, 7), StockMovement::Count { on_hand: 12.0 }),
                // Count 15 after 2 issues: book 10 − 2 + 2 expired = 10; 5
                // found, of unknown expiry, at the last receipt's cost.
                (day(2, 8), issue(2.0)),
                (day(2, 9), StockMovement::Count { on_hand: 15.0 }),
            ],
        );
        let pos = ledger.position(day(2, 9)).unwrap();
        assert_eq!(pos.expired_units(), 2.0);
        assert_eq!(pos.on_hand(), 13.0);
        assert_eq!(pos.batches.last().unwrap().expiry, None);
        assert_eq!(pos.batches.last().unwrap().unit_cost, 4.5);
        assert_eq!(pos.count_adjustments.len(), 2);
        assert_eq!(pos.count_adjustments[1].book, 10.0);
        // Units of unknown expiry are issued last and never at risk.
        let p = project_stock(&pos, &DailyDemand::constant(0.0, 0.0, 5).unwrap()).unwrap();
        assert_eq!(p.at_risk_units, 8.0);
    }

    #[test]
    fn consumption_is_zero_filled_with_stock_out_days() {
        let ledger = Ledger::new(
            "SALB",
            vec![
                (day(3, 1), receipt(5.0, day(12, 31), 2.0)),
                (day(3, 2), issue(2.0)),
                (day(3, 2), issue(1.0)),
                (day(3, 4), issue(2.0)),
                (day(3, 6), receipt(5.0, day(12, 31), 2.0)),
            ],
        );
        let s = ledger.consumption(day(3, 1), day(3, 7)).unwrap();
        assert_eq!(s.y, vec![0.0, 3.0, 0.0, 2.0, 0.0, 0.0]);
        assert_eq!(s.stocked_out, vec![false, false, false, true, true, false]);
        let h = ledger.history(day(3, 4)).unwrap();
        assert_eq!((h.start, h.y.len()), (day(3, 1), 4));
        assert!(matches!(
            ledger.consumption(day(3, 5), day(3, 5)),
            Err(MedicineError::InvalidRange { .. })
        ));
        assert!(matches!(
            ledger.history(day(2, 1)),
            Err(MedicineError::EmptyHistory { .. })
        ));
    }

    #[test]
    fn bad_ledgers_are_errors_naming_the_medicine() {
        let over = Ledger::new(
            "CEFT",
            vec![(day(1, 1), receipt(5.0, day(9, 1), 1.0)), (day(1, 2), issue(6.0))],
        );
        match over.position(day(1, 3)) {
            Err(MedicineError::NegativeStock {
                medicine,
                date,
                quantity,
                available,
                ..
            }) => {
                assert_eq!(
                    (medicine.as_str(), date, quantity, available),
                    ("CEFT", day(1, 2), 6.0, 5.0)
                );
            }
            other => panic!("{other:?}"),
        }
        // Issuing from an expired batch is negative stock too.
        let stale = Ledger::new(
            "CEFT",
            vec![(day(1, 1), receipt(5.0, day(1, 2), 1.0)), (day(1, 2), issue(1.0))],
        );
        assert!(matches!(
            stale.position(day(1, 2)),
            Err(MedicineError::NegativeStock { .. })
        ));
        for movement in [
            issue(-1.0),
            receipt(f64::NAN, day(9, 1), 1.0),
            receipt(1.0, day(9, 1), -1.0),
            StockMovement::Count { on_hand: -3.0 },
        ] {
            let l = Ledger::new("CEFT", vec![(day(1, 1), movement)]);
            let e = l.position(day(1, 1)).unwrap_err();
            assert!(matches!(e, MedicineError::InvalidQuantity { .. }), "{e:?}");
            assert!(e.to_string().contains("CEFT"));
        }
        let empty = Ledger::new("CEFT", vec![]);
        assert!(matches!(
            plan_medicine(
                &empty,
                day(1, 1),
                &ConsumptionModel::Auto,
                &ReorderPolicy::default(),
                28,
                &[80.0]
            ),
            Err(MedicineError::EmptyHistory { .. })
        ));
        assert!(matches!(
            project_stock(
                &empty.position(day(1, 1)).unwrap(),
                &DailyDemand::constant(1.0, 1.0, 0).unwrap()
            ),
            Err(MedicineError::HorizonTooShort { .. })
        ));
        let plan = plan_medicine(
            &hand_ledger(),
            day(1, 10),
            &ConsumptionModel::Auto,
            &ReorderPolicy::default(),
            28,
            &[],
        );
        assert!(matches!(plan, Err(MedicineError::InvalidForecast { ref medicine, .. }) if medicine == "ORS"));
        let network = Network::new("empty");
        assert!(matches!(
            Ledger::from_network(&network, MedicineId(3)),
            Err(MedicineError::UnknownMedicine { id: 3, count: 0 })
        ));
    }

    #[test]
    fn daily_demand_reads_normal_intervals_back() {
        let f = Forecast::normal(vec![5.0, 6.0], &[1.5, 2.5], &[80.0, 95.0]).unwrap();
        let d = DailyDemand::from_forecast(&f).unwrap();
        assert_eq!(d.mean, vec![5.0, 6.0]);
        assert!((d.sd[0] - 1.5).abs() < 1e-12 && (d.sd[1] - 2.5).abs() < 1e-12);
        let mut broken = f.clone();
        broken.upper[1][0] = 4.0;
        assert!(matches!(
            DailyDemand::from_forecast(&broken),
            Err(MedicineError::InvalidForecast { step: 0, .. })
        ));
    }

    #[test]
    fn plans_every_medicine_of_a_generated_network() {
        use hutano_core::generate::{generate, GeneratorConfig};
        let network = generate(&GeneratorConfig::national(11).days(120)).unwrap();
        assert!(!network.medicines.is_empty());
        let as_of = network.stock_events.iter().map(|e| e.date).max().unwrap();
        let policy = ReorderPolicy::default();
        let plans = plan_network(&network, as_of, &ConsumptionModel::Auto, &policy, 28, &[80.0, 95.0]);
        assert_eq!(plans.len(), network.medicines.len());
        for plan in plans {
            let plan = plan.unwrap();
            assert!(plan.reorder.reorder_point >= plan.reorder.lead_time_demand - 1e-9);
            assert!(plan.on_hand >= 0.0);
            let p = plan.projection.stock_out_probability_within_horizon();
            assert!((0.0..=1.0).contains(&p));
            assert!(plan.projection.at_risk_units <= plan.on_hand + 1e-9);
            assert_eq!(
                plan.order_quantity > 0.0,
                plan.order_now && plan.reorder.order_up_to > plan.inventory_position
            );
            let json = serde_json::to_string(&plan).unwrap();
            let back: MedicinePlan = serde_json::from_str(&json).unwrap();
            assert_eq!(back.medicine, plan.medicine);
        }
    }

    #[test]
    fn models_serialise_by_name() {
        let m: ConsumptionModel =
            serde_json::from_str(r#"{"model":"croston","alpha":0.2,"variant":"classic"}"#).unwrap();
        assert_eq!(
            m,
            ConsumptionModel::Croston {
                alpha: 0.2,
                variant: CrostonVariant::Classic
            }
        );
        let fitted = m.fit(&[0.0, 3.0, 0.0, 1.0]).unwrap();
        assert_eq!(fitted.model_name(), "CrostonClassic(0.2)");
        let auto: ConsumptionModel = serde_json::from_str(r#"{"model":"auto"}"#).unwrap();
        assert_eq!(auto.fit(&[4.0; 30]).unwrap().model_name(), "SeasonalNaive(7)");
        let policy: ReorderPolicy = serde_json::from_str(r#"{"service_level":0.99}"#).unwrap();
        assert_eq!(policy.lead_time_days, 7.0);
    }

    #[test]
    fn auto_ets_forecasts_consumption() {
        let ledger = Ledger::new(
            "PARA",
            std::iter::once((day(1, 1), receipt(5000.0, day(12, 31), 0.1)))
                .chain((1..=60).map(|d| (day(1, 1) + TimeDelta::days(d), issue(20.0 + (d % 5) as f64))))
                .collect(),
        );
        let model: ConsumptionModel =
            serde_json::from_str(r#"{"model":"auto_ets","season_length":1,"spec":"ZZN","damped":null}"#).unwrap();
        assert_eq!(
            model
                .fit(&[20.0, 21.0, 22.0, 23.0, 21.0, 20.0, 22.0, 21.0, 23.0, 22.0])
                .unwrap()
                .model_name()
                .get(..4),
            Some("ETS(")
        );
        let plan = plan_medicine(&ledger, day(3, 1), &model, &ReorderPolicy::default(), 28, &[80.0, 95.0]).unwrap();
        // About 22 a day over a 7-day lead time.
        assert!(
            (plan.reorder.lead_time_demand - 7.0 * 22.0).abs() < 7.0 * 2.0,
            "{}",
            plan.reorder.lead_time_demand
        );
        assert!(plan.reorder.safety_stock > 0.0);
    }

    mod props {
        use proptest::prelude::*;

        use super::*;

        proptest! {
            #[test]
            fn croston_intervals_are_ordered(
                y in proptest::collection::vec(prop_oneof![3 => Just(0.0), 1 => 0.0..20.0f64], 1..60),
                h in 1usize..30,
            ) {
                let f = Croston::sba(0.1).fit(&y).unwrap().predict(h, &[80.0, 95.0]).unwrap();
                prop_assert_eq!(f.point.len(), h);
                for t in 0..h {
                    prop_assert!(0.0 <= f.lower[1][t] && f.lower[1][t] <= f.lower[0][t]);
                    prop_assert!(f.lower[0][t] <= f.point[t] && f.point[t] <= f.upper[0][t]);
                    prop_assert!(f.upper[0][t] <= f.upper[1][t]);
                }
            }

            #[test]
            fn fefo_projection_conserves_units(
                quantities in proptest::collection::vec(1.0..50.0f64, 1..6),
                shelf in proptest::collection::vec(1i64..60, 6),
                rate in 0.0..15.0f64,
            ) {
                let as_of = day(1, 1);
                let batches: Vec<Batch> = quantities.iter().zip(&shelf).map(|(&q, &s)| Batch {
                    received: as_of,
                    expiry: Some(as_of + TimeDelta::days(s)),
                    unit_cost: 1.0,
                    quantity: q,
                }).collect();
                let position = StockPosition {
                    medicine: "X".into(),
                    as_of,
                    batches,
                    expired: Vec::new(),
                    count_adjustments: Vec::new(),
                };
                let p = project_stock(&position, &DailyDemand::constant(rate, 1.0, 30).unwrap()).unwrap();
                for b in &p.batches {
                    prop_assert!(b.expected_use >= -1e-9 && b.at_risk_units >= 0.0);
                    prop_assert!((b.expected_use + b.at_risk_units - b.batch.quantity).abs() < 1e-6);
                }
                prop_assert!(p.stock_out_probability.windows(2).all(|w| w[0] <= w[1]));
            }
        }
    }
}
