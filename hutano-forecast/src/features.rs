//! Features of one daily series for tree forecasters, computed only from what
//! is known at the forecast origin.
//!
//! The row for the value at day `t` uses the values strictly before `t` and
//! the calendar of day `t` (weekday, day of year, holiday), which are known
//! in advance. Nothing is derived from `y[t]` or later, so a row is the same
//! whether it is built for training or, during recursive forecasting, from a
//! history whose tail holds earlier predictions. Columns, in order:
//!
//! 1. one per lag `k` in [`FeatureSpec::lags`]: `z[t − k]`;
//! 2. one per window `w` in [`FeatureSpec::rolling_means`]: the mean of
//!    `z[t − w .. t]` (the previous `w` values);
//! 3. if [`FeatureSpec::same_weekday_weeks`] = `m` > 0: the mean of
//!    `z[t − 7]`, `z[t − 14]`, …, `z[t − 7m]`;
//! 4. if [`FeatureSpec::day_of_week`]: the weekday of day `t` as an integer,
//!    Monday = 0 … Sunday = 6 (trees split integers as well as one-hot
//!    columns);
//! 5. for `k = 1 ..= fourier_pairs`: `sin(2πk·d/P)`, `cos(2πk·d/P)` with `d`
//!    the day of the year (1-based) and `P` = [`FeatureSpec::fourier_period`];
//! 6. if [`FeatureSpec::calendar`] is set: 1 on a holiday or event day of
//!    that calendar, else 0.
//!
//! `z = y / s` is the series divided by its *scale* `s`: the mean of the last
//! [`FeatureSpec::scale_window`] (91) values of the training series, floored
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
//!
//! let y: Vec<f64> = (0..60).map(|t| f64::from([20, 22, 21, 23, 25, 12, 10][t % 7])).collect();
//! let spec = FeatureSpec::default();
//! let m = spec.training_matrix(&y, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default())?;
//! assert_eq!(m.n_rows(), 60 - spec.min_history());
//! assert_eq!(m.x.len(), m.n_rows() * spec.n_features());
//! # Ok::<(), hutano_forecast::Error>(())
//! ```

use std::f64::consts::TAU;

use chrono::{Datelike, Days, NaiveDate};
use hutano_core::calendar::Calendar;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which features to compute; see the [module documentation](self) for the
/// columns and the scaling.
///
/// The default reproduces the bench-peers harness: lags 1–7, 14, 21, 28;
/// means of the previous 7 and 28 values; same-weekday mean of the previous
/// 4 weeks; day of week; 2 yearly Fourier pairs (period 365.25 days); no
/// holiday flag; scale over the last 91 values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeatureSpec {
    /// Lags in days, each at least 1 (lag 0 would be the target itself).
    pub lags: Vec<usize>,
    /// Windows (days, each at least 1) of trailing means over the values
    /// before the target day.
    pub rolling_means: Vec<usize>,
    /// Number of previous weeks in the same-weekday mean; 0 leaves it out.
    pub same_weekday_weeks: usize,
    /// Whether to add the weekday (Monday = 0 … Sunday = 6).
    pub day_of_week: bool,
    /// Number of day-of-year sine/cosine pairs; 0 leaves them out.
    pub fourier_pairs: usize,
    /// Period of the Fourier terms in days (finite, positive).
    pub fourier_period: f64,
    /// Holiday calendar; when set, a 0/1 holiday column is added.
    pub calendar: Option<Calendar>,
    /// Number of trailing training values whose mean scales the series;
    /// 0 disables scaling (scale 1).
    pub scale_window: usize,
}

impl Default for FeatureSpec {
    fn default() -> Self {
        Self {
            lags: vec![1, 2, 3, 4, 5, 6, 7, 14, 21, 28],
            rolling_means: vec![7, 28],
            same_weekday_weeks: 4,
            day_of_week: true,
            fourier_pairs: 2,
            fourier_period: 365.25,
            calendar: None,
            scale_window: 91,
        }
    }
}

/// A training matrix built by [`FeatureSpec::training_matrix`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMatrix {
    /// Features, row-major: row `i` is `x[i·n_features .. (i+1)·n_features]`.
    pub x: Vec<f64>,
    /// Number of columns.
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

impl FeatureSpec {
    /// Check the specification.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a lag or window of 0, a non-finite or
    /// non-positive Fourier period (when Fourier pairs are asked for), or a
    /// specification with no column at all.
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
        if self.n_features() == 0 {
            return Err(invalid("features", "the specification produces no column"));
        }
        Ok(())
    }

    /// Number of past values a row needs: the largest lag, rolling window or
    /// same-weekday reach (`7·same_weekday_weeks`).
    #[must_use]
    pub fn min_history(&self) -> usize {
        let lag = self.lags.iter().copied().max().unwrap_or(0);
        let window = self.rolling_means.iter().copied().max().unwrap_or(0);
        lag.max(window).max(7 * self.same_weekday_weeks)
    }

    /// Number of columns.
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.lags.len()
            + self.rolling_means.len()
            + usize::from(self.same_weekday_weeks > 0)
            + usize::from(self.day_of_week)
            + 2 * self.fourier_pairs
            + usize::from(self.calendar.is_some())
    }

    /// Column names, in order (`lag_7`, `mean_28`, `same_weekday_4`,
    /// `day_of_week`, `sin_1`, `cos_1`, …, `holiday`).
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = self.lags.iter().map(|k| format!("lag_{k}")).collect();
        out.extend(self.rolling_means.iter().map(|w| format!("mean_{w}")));
        if self.same_weekday_weeks > 0 {
            out.push(format!("same_weekday_{}", self.same_weekday_weeks));
        }
        if self.day_of_week {
            out.push("day_of_week".into());
        }
        for k in 1..=self.fourier_pairs {
            out.push(format!("sin_{k}"));
            out.push(format!("cos_{k}"));
        }
        if self.calendar.is_some() {
            out.push("holiday".into());
        }
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

    /// The training matrix of a daily series whose first value is on
    /// `start`: one row per value that has [`FeatureSpec::min_history`]
    /// earlier values, targets and lag columns divided by
    /// [`FeatureSpec::scale`].
    ///
    /// # Errors
    /// As [`FeatureSpec::check`]; [`Error::NonFinite`] for a NaN or infinite
    /// value (`row` is its index); [`Error::TooShort`] when no value has
    /// enough history (`needed` = `min_history + 1`);
    /// [`Error::InvalidParameter`] when the dates run past the calendar's
    /// range.
    pub fn training_matrix(&self, y: &[f64], start: NaiveDate) -> Result<TrainingMatrix> {
        self.check()?;
        if let Some(row) = y.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                unique_id: String::new(),
                row,
            });
        }
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
        let p = self.n_features();
        let n_rows = y.len() - first;
        let first_date = add_days(start, first)?;
        let end = add_days(start, y.len())?;
        let holidays: Vec<NaiveDate> = match &self.calendar {
            Some(cal) => {
                let mut d: Vec<NaiveDate> = cal.days_between(first_date, end).into_iter().map(|h| h.date).collect();
                d.dedup();
                d
            }
            None => Vec::new(),
        };
        let mut x = Vec::with_capacity(n_rows * p);
        let mut row = Vec::with_capacity(p);
        let mut date = first_date;
        for t in first..y.len() {
            let holiday = holidays.binary_search(&date).is_ok();
            self.fill_row(&z[t - first..t], date, holiday, &mut row);
            x.extend_from_slice(&row);
            date = date.succ_opt().unwrap_or(date);
        }
        Ok(TrainingMatrix {
            x,
            n_features: p,
            y: z[first..].to_vec(),
            first,
            scale,
        })
    }

    /// The feature row for the value on `date`, given the scaled `history`
    /// of the values before it (oldest first; its last value is the day
    /// before `date`). In recursive forecasting the tail of `history` holds
    /// the earlier steps' predictions. Writes [`FeatureSpec::n_features`]
    /// values into `out` (cleared first).
    ///
    /// # Errors
    /// As [`FeatureSpec::check`]; [`Error::TooShort`] when `history` has
    /// fewer than [`FeatureSpec::min_history`] values.
    pub fn row_into(&self, history: &[f64], date: NaiveDate, out: &mut Vec<f64>) -> Result<()> {
        self.check()?;
        let needed = self.min_history();
        if history.len() < needed {
            return Err(Error::TooShort {
                unique_id: String::new(),
                needed,
                got: history.len(),
            });
        }
        let holiday = self.calendar.as_ref().is_some_and(|c| c.is_holiday(date));
        self.fill_row(history, date, holiday, out);
        Ok(())
    }

    /// Whether `date` is a holiday of the calendar (false without one).
    pub(crate) fn is_holiday(&self, date: NaiveDate) -> bool {
        self.calendar.as_ref().is_some_and(|c| c.is_holiday(date))
    }

    /// Fill `out` with the row for `date`; `hist` has at least
    /// `min_history` values (unchecked: callers guarantee it).
    pub(crate) fn fill_row(&self, hist: &[f64], date: NaiveDate, holiday: bool, out: &mut Vec<f64>) {
        out.clear();
        let n = hist.len();
        out.extend(self.lags.iter().map(|&k| hist[n - k]));
        for &w in &self.rolling_means {
            out.push(hist[n - w..].iter().sum::<f64>() / w as f64);
        }
        if self.same_weekday_weeks > 0 {
            let m = self.same_weekday_weeks;
            let s: f64 = (1..=m).map(|k| hist[n - 7 * k]).sum();
            out.push(s / m as f64);
        }
        if self.day_of_week {
            out.push(f64::from(date.weekday().num_days_from_monday()));
        }
        let doy = f64::from(date.ordinal());
        for k in 1..=self.fourier_pairs {
            let angle = TAU * k as f64 * doy / self.fourier_period;
            out.push(angle.sin());
            out.push(angle.cos());
        }
        if self.calendar.is_some() {
            out.push(if holiday { 1.0 } else { 0.0 });
        }
    }
}

/// `start + days`.
///
/// # Errors
/// [`Error::InvalidParameter`] past the end of chrono's calendar.
pub(crate) fn add_days(start: NaiveDate, days: usize) -> Result<NaiveDate> {
    start
        .checked_add_days(Days::new(days as u64))
        .ok_or_else(|| invalid("start", "dates run past the end of the calendar"))
}

fn invalid(name: &'static str, problem: &str) -> Error {
    Error::InvalidParameter {
        name,
        problem: problem.into(),
    }
}

#[cfg(test)]
mod tests {
    use hutano_core::calendar::Country;

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn default_spec_has_the_harness_columns() {
        let spec = FeatureSpec::default();
        spec.check().unwrap();
        // 10 lags + 2 means + same weekday + weekday + 4 Fourier terms.
        assert_eq!(spec.n_features(), 18);
        assert_eq!(spec.min_history(), 28);
        assert_eq!(spec.names().len(), spec.n_features());
        assert_eq!(spec.names()[9], "lag_28");
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
        let m = spec.training_matrix(&y, day(2024, 1, 1)).unwrap();
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
        let m2 = spec.training_matrix(&y2, day(2024, 1, 1)).unwrap();
        assert_eq!(m.row(0), m2.row(0));
    }

    #[test]
    fn future_row_matches_training_row() {
        let spec = FeatureSpec::default();
        let y: Vec<f64> = (0..100_usize).map(|t| (t * 37 % 11) as f64 + 30.0).collect();
        let start = day(2023, 3, 1);
        let m = spec.training_matrix(&y, start).unwrap();
        let t = 80;
        let hist: Vec<f64> = y[..t].iter().map(|v| v / m.scale).collect();
        let mut row = Vec::new();
        spec.row_into(&hist, add_days(start, t).unwrap(), &mut row).unwrap();
        assert_eq!(row.as_slice(), m.row(t - m.first));
    }

    #[test]
    fn scale_is_the_mean_of_the_last_91_values_floored_at_one() {
        let spec = FeatureSpec::default();
        let mut y = vec![1000.0; 50];
        y.extend(std::iter::repeat_n(40.0, 91));
        assert!((spec.scale(&y) - 40.0).abs() < 1e-12);
        assert!((spec.scale(&[0.2, 0.4]) - 1.0).abs() < 1e-15);
        let m = spec.training_matrix(&y, day(2024, 1, 1)).unwrap();
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
        let m = spec.training_matrix(&y, start).unwrap();
        let col = spec.n_features() - 1;
        // Christmas Day 2024 is a national holiday in Zimbabwe; 2024-12-20 is not.
        let christmas = usize::try_from((day(2024, 12, 25) - start).num_days()).unwrap() - m.first;
        let other = usize::try_from((day(2024, 12, 20) - start).num_days()).unwrap() - m.first;
        assert!((m.row(christmas)[col] - 1.0).abs() < 1e-15);
        assert!(m.row(other)[col].abs() < 1e-15);
        let mut row = Vec::new();
        spec.row_into(&vec![1.0; 28], day(2025, 12, 25), &mut row).unwrap();
        assert!((row[col] - 1.0).abs() < 1e-15);
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
        let spec = FeatureSpec::default();
        let err = spec.training_matrix(&[1.0; 28], day(2024, 1, 1)).unwrap_err();
        assert!(matches!(
            err,
            Error::TooShort {
                needed: 29,
                got: 28,
                ..
            }
        ));
        let err = spec.training_matrix(&[1.0, f64::NAN], day(2024, 1, 1)).unwrap_err();
        assert!(matches!(err, Error::NonFinite { row: 1, .. }));
        assert!(spec.row_into(&[1.0; 10], day(2024, 1, 1), &mut Vec::new()).is_err());
    }

    #[test]
    fn spec_round_trips_through_json_and_fills_defaults() {
        let spec: FeatureSpec = serde_json::from_str(r#"{"lags": [1, 7]}"#).unwrap();
        assert_eq!(spec.lags, vec![1, 7]);
        assert_eq!(spec.scale_window, 91);
        let back: FeatureSpec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(back, spec);
    }
}
