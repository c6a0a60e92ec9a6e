//! Features of one series for tree forecasters, computed only from what is
//! known at the forecast origin.
//!
//! The row for the value at step `t` (timestamp `ts = start + t·step`) uses
//! the values strictly before `t`, the calendar of `ts` (hour, weekday, day
//! of year, holidays) and the exogenous regressors at `t`, all known in
//! advance. Nothing is derived from `y[t]` or later, so a row is the same
//! whether it is built for training or, during recursive forecasting, from a
//! history whose tail holds earlier predictions. Columns, in order:
//!
//! 1. one per lag `k` in [`FeatureSpec::lags`]: `z[t − k]`;
//! 2. one per window `w` in [`FeatureSpec::rolling_means`]: the mean of
//!    `z[t − w .. t]` (the previous `w` values);
//! 3. if [`FeatureSpec::same_weekday_weeks`] = `m` > 0: the mean of the
//!    values 1, 2, …, `m` weeks before, `z[t − P]`, `z[t − 2P]`, …,
//!    `z[t − mP]` with `P` the steps in a week (168 hourly, 7 daily, 1
//!    weekly; not for monthly series): the same weekday (and hour) in
//!    earlier weeks;
//! 4. if [`FeatureSpec::hour_of_day`]: the hour of `ts`, 0 … 23;
//! 5. if [`FeatureSpec::day_of_week`]: the weekday of `ts` as an integer,
//!    Monday = 0 … Sunday = 6 (trees split integers as well as one-hot
//!    columns);
//! 6. for `k = 1 ..= fourier_pairs`: `sin(2πk·d/P)`, `cos(2πk·d/P)` with
//!    `d` the day of the year of `ts` (1-based) plus the fraction of the day
//!    elapsed at `ts` (`hour/24` for hourly series, 0 for series stamped at
//!    midnight) and `P` =
//!    [`FeatureSpec::fourier_period`] in days: 365.25 gives the yearly cycle
//!    (of a day, or of the first day of a week or month), 1 the daily cycle
//!    of an hourly series;
//! 7. if [`FeatureSpec::calendar`] is set: the number of holiday or event
//!    days of that calendar in the step, i.e. 1 when the date of the hour or
//!    the day is one, else 0 (hourly and daily), and the number of such days
//!    among the 7 days from `ts` on (weekly) or in the month from `ts` on
//!    (monthly);
//! 8. one per regressor column `j` of the series ([`SeriesView::x`]):
//!    `x_j[t]`, named `x0`, `x1`, … Regressors are not scaled (trees do not
//!    care about the units of a feature).
//!
//! # The sets for each frequency
//!
//! [`FeatureSpec::for_freq`] gives the default set of a [`Freq`]:
//!
//! | | hourly ([`FeatureSpec::hourly`]) | daily ([`FeatureSpec::daily`], the `Default`) | weekly ([`FeatureSpec::weekly`]) | monthly ([`FeatureSpec::monthly`]) |
//! | --- | --- | --- | --- | --- |
//! | lags | 1–24, 168 | 1–7, 14, 21, 28 | 1–4, 52 | 1–3, 12 |
//! | rolling means | 24, 168 | 7, 28 | 4, 13 | 3, 12 |
//! | same weekday | — | previous 4 weeks | — | — |
//! | hour of day | yes | — | — | — |
//! | weekday | yes | yes | — | — |
//! | Fourier | 2 pairs, daily cycle (`P` = 1 day) | 2 pairs, yearly (`P` = 365.25) | 3 pairs, yearly (the week of the year) | 2 pairs, yearly (the month of the year) |
//! | holidays (with a calendar) | 0/1, date of the hour | 0/1 | holiday days in the week, 0–7 | holiday days in the month |
//! | scale window | 672 (4 weeks) | 91 (13 weeks) | 13 | 12 |
//! | rows need history of | 168 | 28 | 52 | 12 |
//!
//! # Scaling
//!
//! `z = y / s` is the series divided by its *scale* `s`: the mean of the last
//! [`FeatureSpec::scale_window`] values of the training series, floored
//! at 1, as the bench-peers harness (`run_peers.py`, `run_tree`) does for its
//! tree models. Targets and lag-derived columns are in these units, so the
//! same hyperparameters (minimum gain, L2 penalty) suit a ward with 5
//! admissions a day and a network with 500, and rows of several series can
//! train one global model. Predictions are multiplied back by `s`. A series
//! whose recent mean is below 1 (a rate, or very sparse counts) is left
//! unscaled.
//!
//! ```
//! use chrono::NaiveDate;
//! use hutano_forecast::features::FeatureSpec;
//! use hutano_forecast::forecast::SeriesView;
//! use hutano_forecast::panel::Freq;
//!
//! let y: Vec<f64> = (0..60).map(|t| f64::from([20, 22, 21, 23, 25, 12, 10][t % 7])).collect();
//! // A 0/1 regressor known in advance (e.g. a planned theatre list).
//! let plan: Vec<Vec<f64>> = vec![(0..60).map(|t| f64::from(u8::from(t % 3 == 0))).collect()];
//! let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default().and_time(chrono::NaiveTime::MIN);
//! let spec = FeatureSpec::default();
//! let m = spec.training_matrix(SeriesView::new(&y, start, Freq::Daily).with_regressors(&plan))?;
//! assert_eq!(m.n_rows(), 60 - spec.min_history());
//! assert_eq!(m.n_features, spec.n_features() + 1);
//! assert_eq!(spec.names_with_regressors(1).last().map(String::as_str), Some("x0"));
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use std::borrow::Cow;
use std::f64::consts::TAU;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta, Timelike};
use hutano_core::calendar::Calendar;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::SeriesView;
use crate::panel::Freq;

/// Which features to compute; see the [module documentation](self) for the
/// columns, the default set of each frequency and the scaling.
///
/// The default is the daily set, which reproduces the bench-peers harness:
/// lags 1–7, 14, 21, 28; means of the previous 7 and 28 values;
/// same-weekday mean of the previous 4 weeks; day of week; 2 yearly Fourier
/// pairs (period 365.25 days); no holiday flag; scale over the last 91
/// values.
///
/// Deserialising fills the fields left out from the default set of the
/// given `freq` (daily when `freq` is left out too), so `{"freq": "hourly"}`
/// is the hourly set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "SpecFields")]
pub struct FeatureSpec {
    /// The spacing of the series these features are for. Lags, windows and
    /// the scale window count steps of this spacing.
    pub freq: Freq,
    /// Lags in steps, each at least 1 (lag 0 would be the target itself).
    pub lags: Vec<usize>,
    /// Windows (steps, each at least 1) of trailing means over the values
    /// before the target.
    pub rolling_means: Vec<usize>,
    /// Number of previous weeks in the same-weekday mean; 0 leaves it out.
    pub same_weekday_weeks: usize,
    /// Whether to add the hour of the day (hourly series only).
    pub hour_of_day: bool,
    /// Whether to add the weekday, Monday = 0 … Sunday = 6 (hourly and
    /// daily series).
    pub day_of_week: bool,
    /// Number of sine/cosine pairs; 0 leaves them out.
    pub fourier_pairs: usize,
    /// Period of the Fourier terms in days (finite, positive): 365.25 for
    /// the yearly cycle, 1 for the daily cycle of an hourly series.
    pub fourier_period: f64,
    /// Holiday calendar; when set, a holiday column is added.
    pub calendar: Option<Calendar>,
    /// Number of trailing training values whose mean scales the series;
    /// 0 disables scaling (scale 1).
    pub scale_window: usize,
}

/// [`FeatureSpec`] as read from JSON: every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SpecFields {
    freq: Option<Freq>,
    lags: Option<Vec<usize>>,
    rolling_means: Option<Vec<usize>>,
    same_weekday_weeks: Option<usize>,
    hour_of_day: Option<bool>,
    day_of_week: Option<bool>,
    fourier_pairs: Option<usize>,
    fourier_period: Option<f64>,
    calendar: Option<Calendar>,
    scale_window: Option<usize>,
}

impl From<SpecFields> for FeatureSpec {
    fn from(f: SpecFields) -> Self {
        let d = FeatureSpec::for_freq(f.freq.unwrap_or(Freq::Daily));
        Self {
            freq: d.freq,
            lags: f.lags.unwrap_or(d.lags),
            rolling_means: f.rolling_means.unwrap_or(d.rolling_means),
            same_weekday_weeks: f.same_weekday_weeks.unwrap_or(d.same_weekday_weeks),
            hour_of_day: f.hour_of_day.unwrap_or(d.hour_of_day),
            day_of_week: f.day_of_week.unwrap_or(d.day_of_week),
            fourier_pairs: f.fourier_pairs.unwrap_or(d.fourier_pairs),
            fourier_period: f.fourier_period.unwrap_or(d.fourier_period),
            calendar: f.calendar,
            scale_window: f.scale_window.unwrap_or(d.scale_window),
        }
    }
}

impl Default for FeatureSpec {
    fn default() -> Self {
        Self::daily()
    }
}

/// A training matrix built by [`FeatureSpec::training_matrix`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMatrix {
    /// Features, row-major: row `i` is `x[i·n_features .. (i+1)·n_features]`.
    pub x: Vec<f64>,
    /// Number of columns: [`FeatureSpec::n_features`] plus one per
    /// regressor.
    pub n_features: usize,
    /// Scaled targets `y[first + i] / scale`, one per row.
    pub y: Vec<f64>,
    /// Index in the series of the value that row 0 predicts
    /// ([`FeatureSpec::min_history`]).
    pub first: usize,
    /// The scale the targets and lag columns were divided by.
    pub scale: f64,
}

impl TrainingMatrix {
    /// Number of rows.
    #[must_use]
    pub fn n_rows(&self) -> usize {
        self.y.len()
    }

    /// Row `i`.
    #[must_use]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.n_features..(i + 1) * self.n_features]
    }
}

/// Steps in a week (0 for months, which hold no whole number of weeks).
fn steps_per_week(freq: Freq) -> usize {
    match freq {
        Freq::Hourly => 168,
        Freq::Daily => 7,
        Freq::Weekly => 1,
        Freq::Monthly => 0,
    }
}

/// The day after the last day of the step starting on `date`, for counting
/// holidays: an hour counts the holiday of its date, a week its 7 days, a
/// month its days. `None` past the end of chrono's calendar.
fn step_end(freq: Freq, date: NaiveDate) -> Option<NaiveDate> {
    match freq {
        Freq::Hourly | Freq::Daily => date.succ_opt(),
        Freq::Weekly => date.checked_add_days(chrono::Days::new(7)),
        Freq::Monthly => date.checked_add_months(chrono::Months::new(1)),
    }
}

impl FeatureSpec {
    /// The daily set (see the [module documentation](self)); also the
    /// `Default`.
    #[must_use]
    pub fn daily() -> Self {
        Self {
            freq: Freq::Daily,
            lags: vec![1, 2, 3, 4, 5, 6, 7, 14, 21, 28],
            rolling_means: vec![7, 28],
            same_weekday_weeks: 4,
            hour_of_day: false,
            day_of_week: true,
            fourier_pairs: 2,
            fourier_period: 365.25,
            calendar: None,
            scale_window: 91,
        }
    }

    /// The hourly set: lags 1–24 and 168 (the same hour a week before),
    /// means of the previous 24 and 168 hours, hour of day, weekday, 2
    /// Fourier pairs of the daily cycle, scale over the last 672 hours (4
    /// weeks).
    #[must_use]
    pub fn hourly() -> Self {
        Self {
            freq: Freq::Hourly,
            lags: (1..=24).chain([168]).collect(),
            rolling_means: vec![24, 168],
            same_weekday_weeks: 0,
            hour_of_day: true,
            day_of_week: true,
            fourier_pairs: 2,
            fourier_period: 1.0,
            calendar: None,
            scale_window: 672,
        }
    }

    /// The weekly set: lags 1–4 and 52 (a year before), means of the
    /// previous 4 and 13 weeks, 3 yearly Fourier pairs (the week of the
    /// year), scale over the last 13 weeks.
    #[must_use]
    pub fn weekly() -> Self {
        Self {
            freq: Freq::Weekly,
            lags: vec![1, 2, 3, 4, 52],
            rolling_means: vec![4, 13],
            same_weekday_weeks: 0,
            hour_of_day: false,
            day_of_week: false,
            fourier_pairs: 3,
            fourier_period: 365.25,
            calendar: None,
            scale_window: 13,
        }
    }

    /// The monthly set: lags 1–3 and 12 (a year before), means of the
    /// previous 3 and 12 months, 2 yearly Fourier pairs (the month of the
    /// year), scale over the last 12 months.
    #[must_use]
    pub fn monthly() -> Self {
        Self {
            freq: Freq::Monthly,
            lags: vec![1, 2, 3, 12],
            rolling_means: vec![3, 12],
            same_weekday_weeks: 0,
            hour_of_day: false,
            day_of_week: false,
            fourier_pairs: 2,
            fourier_period: 365.25,
            calendar: None,
            scale_window: 12,
        }
    }

    /// The default set of `freq`.
    #[must_use]
    pub fn for_freq(freq: Freq) -> Self {
        match freq {
            Freq::Hourly => Self::hourly(),
            Freq::Daily => Self::daily(),
            Freq::Weekly => Self::weekly(),
            Freq::Monthly => Self::monthly(),
        }
    }

    /// The features to use on a series of spacing `freq`: this spec when it
    /// is for `freq`; the default set of `freq`, with this spec's calendar,
    /// when this spec is the default set of its own frequency apart from the
    /// calendar (so that a default forecaster fits hourly, daily and weekly
    /// series alike).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`"freq"`) when this spec was customised
    /// for another frequency: its lags and windows would not mean the same.
    pub fn adapted_to(&self, freq: Freq) -> Result<Cow<'_, Self>> {
        if self.freq == freq {
            return Ok(Cow::Borrowed(self));
        }
        let own = Self {
            calendar: self.calendar.clone(),
            ..Self::for_freq(self.freq)
        };
        if *self != own {
            return Err(Error::InvalidParameter {
                name: "freq",
                problem: format!(
                    "the features were customised for {} series, the series is {}; use features for its frequency \
                     (FeatureSpec::for_freq)",
                    self.freq.name(),
                    freq.name()
                ),
            });
        }
        Ok(Cow::Owned(Self {
            calendar: self.calendar.clone(),
            ..Self::for_freq(freq)
        }))
    }

    /// Check the specification.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a lag or window of 0, a non-finite or
    /// non-positive Fourier period (when Fourier pairs are asked for), the
    /// hour of day on a series that is not hourly, the weekday or the
    /// same-weekday mean on a series whose steps do not allow them (weekly,
    /// monthly), or a specification with no column at all.
    pub fn check(&self) -> Result<()> {
        if self.lags.contains(&0) {
            return Err(invalid("lags", "lag 0 is the target itself; lags start at 1"));
        }
        if self.rolling_means.contains(&0) {
            return Err(invalid("rolling_means", "windows must be at least 1"));
        }
        if self.fourier_pairs > 0 && !(self.fourier_period.is_finite() && self.fourier_period > 0.0) {
            return Err(invalid("fourier_period", "must be finite and positive"));
        }
        if self.hour_of_day && self.freq != Freq::Hourly {
            return Err(invalid("hour_of_day", "only hourly series have an hour of day"));
        }
        if self.day_of_week && matches!(self.freq, Freq::Weekly | Freq::Monthly) {
            return Err(invalid(
                "day_of_week",
                "only hourly and daily series change weekday every step",
            ));
        }
        if self.same_weekday_weeks > 0 && self.freq == Freq::Monthly {
            return Err(invalid("same_weekday_weeks", "months hold no whole number of weeks"));
        }
        if self.n_features() == 0 {
            return Err(invalid("features", "the specification produces no column"));
        }
        Ok(())
    }

    /// Number of past values a row needs: the largest lag, rolling window or
    /// same-weekday reach (`same_weekday_weeks` weeks of steps).
    #[must_use]
    pub fn min_history(&self) -> usize {
        let lag = self.lags.iter().copied().max().unwrap_or(0);
        let window = self.rolling_means.iter().copied().max().unwrap_or(0);
        lag.max(window)
            .max(steps_per_week(self.freq).saturating_mul(self.same_weekday_weeks))
    }

    /// Number of columns, without the regressors (one more column each).
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.lags.len()
            + self.rolling_means.len()
            + usize::from(self.same_weekday_weeks > 0)
            + usize::from(self.hour_of_day)
            + usize::from(self.day_of_week)
            + 2 * self.fourier_pairs
            + usize::from(self.calendar.is_some())
    }

    /// Column names without the regressors, in order (`lag_7`, `mean_28`,
    /// `same_weekday_4`, `hour_of_day`, `day_of_week`, `sin_1`, `cos_1`, …,
    /// `holiday`, or `holiday_days` for weekly and monthly series).
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.lags.iter().map(|k| format!("lag_{k}")).collect();
        out.extend(self.rolling_means.iter().map(|w| format!("mean_{w}")));
        if self.same_weekday_weeks > 0 {
            out.push(format!("same_weekday_{}", self.same_weekday_weeks));
        }
        if self.hour_of_day {
            out.push("hour_of_day".into());
        }
        if self.day_of_week {
            out.push("day_of_week".into());
        }
        for k in 1..=self.fourier_pairs {
            out.push(format!("sin_{k}"));
            out.push(format!("cos_{k}"));
        }
        if self.calendar.is_some() {
            let name = match self.freq {
                Freq::Hourly | Freq::Daily => "holiday",
                Freq::Weekly | Freq::Monthly => "holiday_days",
            };
            out.push(name.into());
        }
        out
    }

    /// Column names with `n_regressors` regressor columns `x0`, `x1`, …
    /// after the others.
    #[must_use]
    pub fn names_with_regressors(&self, n_regressors: usize) -> Vec<String> {
        let mut out = self.names();
        out.extend((0..n_regressors).map(|j| format!("x{j}")));
        out
    }

    /// The scale of a training series: the mean of its last
    /// [`FeatureSpec::scale_window`] values (all of them if fewer), floored
    /// at 1; 1 when scaling is disabled or `y` is empty.
    #[must_use]
    pub fn scale(&self, y: &[f64]) -> f64 {
        let w = self.scale_window.min(y.len());
        if w == 0 {
            return 1.0;
        }
        let mean = y[y.len() - w..].iter().sum::<f64>() / w as f64;
        if mean.is_finite() {
            mean.max(1.0)
        } else {
            1.0
        }
    }

    /// The training matrix of a series: one row per value that has
    /// [`FeatureSpec::min_history`] earlier values, targets and lag columns
    /// divided by [`FeatureSpec::scale`], and one column per regressor
    /// (rows `t < y.len()` of each; later rows are not read).
    ///
    /// # Errors
    /// As [`FeatureSpec::check`]; [`Error::InvalidParameter`] (`"freq"`)
    /// when the series' spacing is not [`FeatureSpec::freq`];
    /// [`Error::NonFinite`] for a NaN or infinite value (`row` is its
    /// index); [`Error::Regressors`] for a regressor column shorter than
    /// the series or not finite; [`Error::TooShort`] when no value has
    /// enough history (`needed` = `min_history + 1`);
    /// [`Error::InvalidParameter`] (`"start"`) when the timestamps run past
    /// the calendar's range.
    pub fn training_matrix(&self, series: SeriesView<'_>) -> Result<TrainingMatrix> {
        self.check()?;
        if series.freq != self.freq {
            return Err(Error::InvalidParameter {
                name: "freq",
                problem: format!(
                    "the features are for {} series, the series is {}",
                    self.freq.name(),
                    series.freq.name()
                ),
            });
        }
        let y = series.y;
        if let Some(row) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                unique_id: String::new(),
                row,
            });
        }
        series.check_regressors()?;
        let first = self.min_history();
        if y.len() <= first {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed: first + 1,
                got: y.len(),
            });
        }
        let scale = self.scale(y);
        let z: Vec<f64> = y.iter().map(|v| v / scale).collect();
        let p = self.n_features() + series.x.len();
        let n_rows = y.len() - first;
        let holidays = self.holidays_over(series.start, first, n_rows)?;
        let mut x = Vec::with_capacity(n_rows * p);
        let mut row = Vec::with_capacity(p);
        let mut regressors = Vec::with_capacity(series.x.len());
        for t in first..y.len() {
            let ts = step_time(series.start, self.freq, t)?;
            regressors.clear();
            regressors.extend(series.x.iter().map(|c| c[t]));
            let holiday = self.holiday_value(&holidays, ts);
            self.fill_row(&z[t - first..t], ts, holiday, &regressors, &mut row);
            x.extend_from_slice(&row);
        }
        Ok(TrainingMatrix {
            x,
            n_features: p,
            y: z[first..].to_vec(),
            first,
            scale,
        })
    }

    /// The feature row for the value at `ts`, given the scaled `history` of
    /// the values before it (oldest first; its last value is the step
    /// before `ts`) and the values of the regressors at `ts`. In recursive
    /// forecasting the tail of `history` holds the earlier steps'
    /// predictions. Writes [`FeatureSpec::n_features`] + `regressors.len()`
    /// values into `out` (cleared first).
    ///
    /// # Errors
    /// As [`FeatureSpec::check`]; [`Error::TooShort`] when `history` has
    /// fewer than [`FeatureSpec::min_history`] values.
    pub fn row_into(&self, history: &[f64], ts: NaiveDateTime, regressors: &[f64], out: &mut Vec<f64>) -> Result<()> {
        self.check()?;
        let needed = self.min_history();
        if history.len() < needed {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed,
                got: history.len(),
            });
        }
        let holidays = self.holidays_over(ts, 0, 1)?;
        self.fill_row(history, ts, self.holiday_value(&holidays, ts), regressors, out);
        Ok(())
    }

    /// The holiday and event days of the calendar that steps `from ..
    /// from + steps` of a series starting at `start` touch, sorted and
    /// without repeats (empty without a calendar). Checks that the
    /// timestamps of those steps are in chrono's range.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`"start"`) past the end of chrono's
    /// calendar.
    pub(crate) fn holidays_over(&self, start: NaiveDateTime, from: usize, steps: usize) -> Result<Vec<NaiveDate>> {
        let first = step_time(start, self.freq, from)?;
        let last = step_time(start, self.freq, from.saturating_add(steps.saturating_sub(1)))?;
        let end = step_end(self.freq, last.date())
            .ok_or_else(|| invalid("start", "timestamps run past the end of the calendar"))?;
        let Some(cal) = &self.calendar else {
            return Ok(Vec::new());
        };
        let mut days: Vec<NaiveDate> = cal
            .days_between(first.date(), end)
            .into_iter()
            .map(|h| h.date)
            .collect();
        days.dedup();
        Ok(days)
    }

    /// The holiday column at `ts` from the sorted `days` of
    /// [`FeatureSpec::holidays_over`]: the number of them in the step's
    /// days (0 or 1 for hourly and daily series, 0–7 for weekly ones, up
    /// to 31 for monthly ones).
    pub(crate) fn holiday_value(&self, days: &[NaiveDate], ts: NaiveDateTime) -> f64 {
        let from = ts.date();
        let to = step_end(self.freq, from).unwrap_or(NaiveDate::MAX);
        let lo = days.partition_point(|d| *d < from);
        let hi = days.partition_point(|d| *d < to);
        (hi - lo) as f64
    }

    /// Fill `out` with the row for `ts`; `hist` has at least `min_history`
    /// values (unchecked: callers guarantee it).
    pub(crate) fn fill_row(
        &self,
        hist: &[f64],
        ts: NaiveDateTime,
        holiday: f64,
        regressors: &[f64],
        out: &mut Vec<f64>,
    ) {
        out.clear();
        let n = hist.len();
        out.extend(self.lags.iter().map(|&k| hist[n - k]));
        for &w in &self.rolling_means {
            out.push(hist[n - w..].iter().sum::<f64>() / w as f64);
        }
        if self.same_weekday_weeks > 0 {
            let m = self.same_weekday_weeks;
            let week = steps_per_week(self.freq);
            let s: f64 = (1..=m).map(|k| hist[n - week * k]).sum();
            out.push(s / m as f64);
        }
        if self.hour_of_day {
            out.push(f64::from(ts.hour()));
        }
        if self.day_of_week {
            out.push(f64::from(ts.weekday().num_days_from_monday()));
        }
        if self.fourier_pairs > 0 {
            let day = f64::from(ts.ordinal()) + f64::from(ts.num_seconds_from_midnight()) / 86_400.0;
            for k in 1..=self.fourier_pairs {
                let angle = TAU * k as f64 * day / self.fourier_period;
                out.push(angle.sin());
                out.push(angle.cos());
            }
        }
        if self.calendar.is_some() {
            out.push(holiday);
        }
        out.extend_from_slice(regressors);
    }
}

/// The timestamp `steps` steps after `start`: `start + steps·step`, or
/// `steps` calendar months later for [`Freq::Monthly`] (clamped to the
/// month's end, as [`Freq::at`]).
///
/// # Errors
/// [`Error::InvalidParameter`] (`"start"`) past the end of chrono's
/// calendar.
pub(crate) fn step_time(start: NaiveDateTime, freq: Freq, steps: usize) -> Result<NaiveDateTime> {
    match freq.step() {
        Some(step) => i64::try_from(steps)
            .ok()
            .and_then(|s| s.checked_mul(step.num_seconds()))
            .and_then(TimeDelta::try_seconds)
            .and_then(|d| start.checked_add_signed(d)),
        None => u32::try_from(steps)
            .ok()
            .and_then(|m| start.checked_add_months(chrono::Months::new(m))),
    }
    .ok_or_else(|| invalid("start", "timestamps run past the end of the calendar"))
}

fn invalid(name: &'static str, problem: &str) -> Error {
    Error::InvalidParameter {
        name,
        problem: problem.into(),
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names)] // x, y, m, p: the usual names in tests
mod tests {
    use hutano_core::calendar::Country;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        day(y, m, d).and_hms_opt(h, 0, 0).unwrap()
    }

    fn daily(y: &[f64], start: NaiveDate) -> SeriesView<'_> {
        SeriesView::new(y, start.and_time(chrono::NaiveTime::MIN), Freq::Daily)
    }

    #[test]
    fn default_spec_has_the_harness_columns() {
        let spec = FeatureSpec::default();
        spec.check().unwrap();
        assert_eq!(spec, FeatureSpec::daily());
        // 10 lags + 2 means + same weekday + weekday + 4 Fourier terms.
        assert_eq!(spec.n_features(), 18);
        assert_eq!(spec.min_history(), 28);
        assert_eq!(spec.names().len(), spec.n_features());
        assert_eq!(spec.names()[9], "lag_28");
    }

    #[test]
    fn each_frequency_has_its_documented_set() {
        let h = FeatureSpec::hourly();
        h.check().unwrap();
        // 25 lags + 2 means + hour + weekday + 4 Fourier terms.
        assert_eq!(h.n_features(), 33);
        assert_eq!(h.min_history(), 168);
        assert_eq!(h.names()[24], "lag_168");
        assert_eq!(h.names()[27], "hour_of_day");
        let w = FeatureSpec::weekly();
        w.check().unwrap();
        // 5 lags + 2 means + 6 Fourier terms.
        assert_eq!(w.n_features(), 13);
        assert_eq!(w.min_history(), 52);
        for freq in [Freq::Hourly, Freq::Daily, Freq::Weekly, Freq::Monthly] {
            let s = FeatureSpec::for_freq(freq);
            assert_eq!(s.freq, freq);
            assert_eq!(s.names().len(), s.n_features());
            assert_eq!(s.names_with_regressors(2).len(), s.n_features() + 2);
        }
        // The same-weekday reach counts weeks of the series' steps.
        let same_hour = FeatureSpec {
            same_weekday_weeks: 2,
            ..FeatureSpec::hourly()
        };
        assert_eq!(same_hour.min_history(), 336);
    }

    #[test]
    fn rows_use_only_earlier_values() {
        // y[t] = t + 1 with scaling off: every column is checkable by hand.
        let spec = FeatureSpec {
            lags: vec![1, 7],
            rolling_means: vec![3],
            same_weekday_weeks: 2,
            fourier_pairs: 1,
            scale_window: 0,
            ..FeatureSpec::default()
        };
        let y: Vec<f64> = (1..=20).map(f64::from).collect();
        // 2024-01-01 is a Monday.
        let m = spec.training_matrix(daily(&y, day(2024, 1, 1))).unwrap();
        assert_eq!(m.first, 14);
        assert_eq!(m.n_rows(), 6);
        assert!((m.scale - 1.0).abs() < 1e-15);
        // Row 0 predicts y[14] = 15 on 2024-01-15 (Monday, day 15 of the year).
        let r = m.row(0);
        assert!((r[0] - 14.0).abs() < 1e-12); // lag 1 = y[13]
        assert!((r[1] - 8.0).abs() < 1e-12); // lag 7 = y[7]
        assert!((r[2] - 13.0).abs() < 1e-12); // mean of y[11..14] = (12+13+14)/3
        assert!((r[3] - 4.5).abs() < 1e-12); // (y[7] + y[0]) / 2 = (8 + 1) / 2
        assert!(r[4].abs() < 1e-12); // Monday
        let angle = 2.0 * std::f64::consts::PI * 15.0 / 365.25;
        assert!((r[5] - angle.sin()).abs() < 1e-12);
        assert!((r[6] - angle.cos()).abs() < 1e-12);
        assert!((m.y[0] - 15.0).abs() < 1e-12);
        // Changing a value at or after the target leaves its row unchanged.
        let mut y2 = y.clone();
        y2[14] = 1000.0;
        y2[19] = -5.0;
        let m2 = spec.training_matrix(daily(&y2, day(2024, 1, 1))).unwrap();
        assert_eq!(m.row(0), m2.row(0));
    }

    #[test]
    fn regressors_are_the_last_columns_at_the_target_row() {
        let spec = FeatureSpec {
            scale_window: 0,
            ..FeatureSpec::default()
        };
        let y: Vec<f64> = (0..40).map(f64::from).collect();
        // Two columns, 45 rows: the 5 rows past the series are its future.
        let x = vec![
            (0..45).map(|t| f64::from(t) * 10.0).collect::<Vec<f64>>(),
            (0..45).map(|t| f64::from(t % 2)).collect(),
        ];
        let m = spec
            .training_matrix(daily(&y, day(2024, 1, 1)).with_regressors(&x))
            .unwrap();
        let plain = spec.training_matrix(daily(&y, day(2024, 1, 1))).unwrap();
        let p = spec.n_features();
        assert_eq!(m.n_features, p + 2);
        for i in 0..m.n_rows() {
            let t = m.first + i;
            assert_eq!(&m.row(i)[p..], &[x[0][t], x[1][t]]);
            assert_eq!(&m.row(i)[..p], plain.row(i));
        }
        // Rows past the series are never read: other future, same matrix.
        let mut other = x.clone();
        for c in &mut other {
            c.truncate(40);
        }
        let m2 = spec
            .training_matrix(daily(&y, day(2024, 1, 1)).with_regressors(&other))
            .unwrap();
        assert_eq!(m, m2);
        // A column shorter than the series, or with a NaN, is a typed error.
        other[1].truncate(39);
        let err = spec
            .training_matrix(daily(&y, day(2024, 1, 1)).with_regressors(&other))
            .unwrap_err();
        assert!(
            matches!(err, Error::Regressors { ref problem } if problem.contains("column 1")),
            "{err}"
        );
        let mut nan = x.clone();
        nan[0][3] = f64::NAN;
        let err = spec
            .training_matrix(daily(&y, day(2024, 1, 1)).with_regressors(&nan))
            .unwrap_err();
        assert!(
            matches!(err, Error::Regressors { ref problem } if problem.contains("row 3")),
            "{err}"
        );
    }

    #[test]
    fn hourly_rows_have_hour_weekday_daily_cycle_and_the_holiday_of_the_date() {
        let spec = FeatureSpec {
            calendar: Some(Calendar::national(Country::Zimbabwe)),
            scale_window: 0,
            ..FeatureSpec::hourly()
        };
        // From Monday 2024-12-16 00:00, 12 days of hours: rows cover
        // 2024-12-23 00:00 to 2024-12-27 23:00, across Christmas Day (25th,
        // a Wednesday) and Boxing Day (26th).
        let start = at(2024, 12, 16, 0);
        let y: Vec<f64> = (0..24 * 12).map(|t| f64::from(t % 24)).collect();
        let m = spec.training_matrix(SeriesView::new(&y, start, Freq::Hourly)).unwrap();
        assert_eq!(m.first, 168);
        let names = spec.names();
        let col = |name: &str| names.iter().position(|n| n == name).unwrap();
        // Row of 2024-12-25 06:00: hour 6 of Wednesday, a holiday.
        let i = (24 * 9 + 6) - m.first;
        let r = m.row(i);
        assert!((r[col("hour_of_day")] - 6.0).abs() < 1e-15);
        assert!((r[col("day_of_week")] - 2.0).abs() < 1e-15);
        assert!((r[col("holiday")] - 1.0).abs() < 1e-15);
        // Daily cycle: a quarter of the day has gone at 06:00.
        assert!((r[col("sin_1")] - 1.0).abs() < 1e-9);
        assert!(r[col("cos_1")].abs() < 1e-9);
        // Lag 24 is the same hour the day before; lag 168 a week before.
        assert!((r[col("lag_24")] - 6.0).abs() < 1e-12);
        assert!((r[col("lag_168")] - 6.0).abs() < 1e-12);
        assert!((r[col("lag_1")] - 5.0).abs() < 1e-12);
        // 2024-12-24 23:00 is not a holiday, 2024-12-26 00:00 is.
        assert!(m.row(24 * 8 + 23 - m.first)[col("holiday")].abs() < 1e-15);
        assert!((m.row(24 * 10 - m.first)[col("holiday")] - 1.0).abs() < 1e-15);
        // The row for a forecast step is the training row.
        let t = 24 * 9 + 6;
        let mut row = Vec::new();
        spec.row_into(&y[..t], step_time(start, Freq::Hourly, t).unwrap(), &[], &mut row)
            .unwrap();
        assert_eq!(row.as_slice(), m.row(t - m.first));
    }

    #[test]
    fn weekly_rows_count_the_holidays_of_the_week_and_follow_the_year() {
        let spec = FeatureSpec {
            calendar: Some(Calendar::national(Country::Zimbabwe)),
            scale_window: 0,
            ..FeatureSpec::weekly()
        };
        // Mondays from 2023-01-02. Unity Day, Sunday 2024-12-22, is also
        // observed on Monday the 23rd: the week of 2024-12-16 holds one
        // holiday, that of the 23rd three (with Christmas and Boxing Day),
        // that of the 30th one (New Year's Day 2025), that of the 9th none.
        let start = at(2023, 1, 2, 0);
        let y: Vec<f64> = (0..110).map(f64::from).collect();
        let m = spec.training_matrix(SeriesView::new(&y, start, Freq::Weekly)).unwrap();
        assert_eq!(m.first, 52);
        let hol = spec.n_features() - 1;
        let week_of = |d: NaiveDate| usize::try_from((d - start.date()).num_weeks()).unwrap() - m.first;
        assert!((m.row(week_of(day(2024, 12, 16)))[hol] - 1.0).abs() < 1e-15);
        assert!((m.row(week_of(day(2024, 12, 23)))[hol] - 3.0).abs() < 1e-15);
        assert!((m.row(week_of(day(2024, 12, 30)))[hol] - 1.0).abs() < 1e-15);
        assert!(m.row(week_of(day(2024, 12, 9)))[hol].abs() < 1e-15);
        // Lag 52 is a year before; the Fourier terms are those of the day
        // of the year of the week's Monday.
        let i = week_of(day(2024, 3, 4));
        assert!((m.row(i)[4] - (m.y[i] - 52.0)).abs() < 1e-12);
        let angle = std::f64::consts::TAU * 64.0 / 365.25; // 4 March 2024 is day 64
        assert!((m.row(i)[7] - angle.sin()).abs() < 1e-12);
    }

    #[test]
    fn future_row_matches_training_row() {
        let spec = FeatureSpec::default();
        let y: Vec<f64> = (0..100_usize).map(|t| (t * 37 % 11) as f64 + 30.0).collect();
        let x = vec![(0..100).map(|t| f64::from(t % 5)).collect::<Vec<f64>>()];
        let start = day(2023, 3, 1);
        let m = spec.training_matrix(daily(&y, start).with_regressors(&x)).unwrap();
        let t = 80;
        let hist: Vec<f64> = y[..t].iter().map(|v| v / m.scale).collect();
        let mut row = Vec::new();
        let ts = step_time(start.and_time(chrono::NaiveTime::MIN), Freq::Daily, t).unwrap();
        spec.row_into(&hist, ts, &[x[0][t]], &mut row).unwrap();
        assert_eq!(row.as_slice(), m.row(t - m.first));
    }

    #[test]
    fn scale_is_the_mean_of_the_last_91_values_floored_at_one() {
        let spec = FeatureSpec::default();
        let mut y = vec![1000.0; 50];
        y.extend(std::iter::repeat_n(40.0, 91));
        assert!((spec.scale(&y) - 40.0).abs() < 1e-12);
        assert!((spec.scale(&[0.2, 0.4]) - 1.0).abs() < 1e-15);
        let m = spec.training_matrix(daily(&y, day(2024, 1, 1))).unwrap();
        assert!((m.y[m.n_rows() - 1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn holiday_flag_follows_the_calendar() {
        let spec = FeatureSpec {
            calendar: Some(Calendar::national(Country::Zimbabwe)),
            ..FeatureSpec::default()
        };
        let start = day(2024, 11, 1);
        let y = vec![10.0; 70];
        let m = spec.training_matrix(daily(&y, start)).unwrap();
        let col = spec.n_features() - 1;
        // Christmas Day 2024 is a national holiday in Zimbabwe; 2024-12-20 is not.
        let christmas = usize::try_from((day(2024, 12, 25) - start).num_days()).unwrap() - m.first;
        let other = usize::try_from((day(2024, 12, 20) - start).num_days()).unwrap() - m.first;
        assert!((m.row(christmas)[col] - 1.0).abs() < 1e-15);
        assert!(m.row(other)[col].abs() < 1e-15);
        let mut row = Vec::new();
        spec.row_into(&[1.0; 28], at(2025, 12, 25, 0), &[], &mut row).unwrap();
        assert!((row[col] - 1.0).abs() < 1e-15);
    }

    #[test]
    fn default_sets_adapt_to_the_series_and_custom_ones_do_not() {
        let cal = Calendar::national(Country::India);
        let daily_cal = FeatureSpec {
            calendar: Some(cal.clone()),
            ..FeatureSpec::daily()
        };
        let hourly = daily_cal.adapted_to(Freq::Hourly).unwrap();
        assert_eq!(
            *hourly,
            FeatureSpec {
                calendar: Some(cal),
                ..FeatureSpec::hourly()
            }
        );
        assert!(matches!(daily_cal.adapted_to(Freq::Daily).unwrap(), Cow::Borrowed(_)));
        let custom = FeatureSpec {
            lags: vec![1, 2],
            ..FeatureSpec::daily()
        };
        assert!(matches!(
            custom.adapted_to(Freq::Weekly),
            Err(Error::InvalidParameter { name: "freq", .. })
        ));
        // The matrix itself insists on the spec's frequency.
        let y = vec![1.0; 400];
        let err = FeatureSpec::daily()
            .training_matrix(SeriesView::new(&y, at(2024, 1, 1, 0), Freq::Hourly))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { name: "freq", .. }));
    }

    #[test]
    fn invalid_specs_and_short_series_are_errors() {
        let lag0 = FeatureSpec {
            lags: vec![0, 1],
            ..FeatureSpec::default()
        };
        assert!(matches!(
            lag0.check(),
            Err(Error::InvalidParameter { name: "lags", .. })
        ));
        let empty = FeatureSpec {
            lags: vec![],
            rolling_means: vec![],
            same_weekday_weeks: 0,
            day_of_week: false,
            fourier_pairs: 0,
            calendar: None,
            ..FeatureSpec::default()
        };
        assert!(empty.check().is_err());
        let hour_on_days = FeatureSpec {
            hour_of_day: true,
            ..FeatureSpec::daily()
        };
        assert!(matches!(
            hour_on_days.check(),
            Err(Error::InvalidParameter {
                name: "hour_of_day",
                ..
            })
        ));
        let weekday_on_weeks = FeatureSpec {
            day_of_week: true,
            ..FeatureSpec::weekly()
        };
        assert!(matches!(
            weekday_on_weeks.check(),
            Err(Error::InvalidParameter {
                name: "day_of_week",
                ..
            })
        ));
        let spec = FeatureSpec::default();
        let err = spec.training_matrix(daily(&[1.0; 28], day(2024, 1, 1))).unwrap_err();
        assert!(matches!(
            err,
            Error::TooShort {
                needed: 29,
                got: 28,
                ..
            }
        ));
        let err = spec
            .training_matrix(daily(&[1.0, f64::NAN], day(2024, 1, 1)))
            .unwrap_err();
        assert!(matches!(err, Error::NonFinite { row: 1, .. }));
        assert!(spec
            .row_into(&[1.0; 10], at(2024, 1, 1, 0), &[], &mut Vec::new())
            .is_err());
        // Timestamps past chrono's range are an error, not a panic.
        let late = NaiveDate::MAX.and_time(chrono::NaiveTime::MIN);
        let err = spec
            .training_matrix(SeriesView::new(&[1.0; 40], late, Freq::Daily))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { name: "start", .. }));
    }

    #[test]
    fn spec_round_trips_through_json_and_fills_the_defaults_of_its_frequency() {
        let spec: FeatureSpec = serde_json::from_str(r#"{"lags": [1, 7]}"#).unwrap();
        assert_eq!(spec.lags, vec![1, 7]);
        assert_eq!(spec.freq, Freq::Daily);
        assert_eq!(spec.scale_window, 91);
        let back: FeatureSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(back, spec);
        let hourly: FeatureSpec = serde_json::from_str(r#"{"freq": "hourly"}"#).unwrap();
        assert_eq!(hourly, FeatureSpec::hourly());
        let weekly: FeatureSpec = serde_json::from_str(r#"{"freq": "weekly", "fourier_pairs": 1}"#).unwrap();
        assert_eq!(weekly.lags, FeatureSpec::weekly().lags);
        assert_eq!(weekly.fourier_pairs, 1);
    }
}
