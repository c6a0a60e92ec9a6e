//! The design of the Prophet-like model: changepoint placement, Fourier and
//! holiday columns, and the standardisation of extra regressors.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use hutano_core::calendar::Calendar;
use serde::{Deserialize, Serialize};

use super::invalid;
use crate::error::Result;
use crate::panel::Freq;

/// Weekly period in days.
const WEEK: f64 = 7.0;
/// Yearly period in days.
pub(super) const YEAR: f64 = 365.25;
/// Daily period in days.
const DAY: f64 = 1.0;

/// The timestamps of a series' rows: `start` stepped by `freq`. Prophet
/// works in real time (days), not in row numbers, so months of different
/// lengths and hours are placed where they fall.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Clock {
    pub(super) start: NaiveDateTime,
    pub(super) freq: Freq,
}

impl Clock {
    /// The timestamp of row `i`.
    pub(super) fn at(&self, i: usize) -> Result<NaiveDateTime> {
        let t = self.freq.at(self.start, i);
        if t == NaiveDateTime::MAX {
            return Err(invalid("start", "dates run past the end of the calendar".into()));
        }
        Ok(t)
    }

    /// Row `i` in days since 1970-01-01 (fractional below a day; exact
    /// integers for daily and coarser series).
    pub(super) fn day_number(&self, i: usize) -> Result<f64> {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
            .unwrap_or_default()
            .and_time(NaiveTime::MIN);
        let d = self.at(i)? - epoch;
        let whole = d.num_days();
        Ok(whole as f64 + (d - TimeDelta::days(whole)).num_seconds() as f64 / 86_400.0)
    }

    /// Days from row `from` to row `to`.
    pub(super) fn days_between(&self, from: usize, to: usize) -> Result<f64> {
        Ok(self.day_number(to)? - self.day_number(from)?)
    }
}

/// Prophet's changepoint indices: `round(linspace(0, hist − 1, S + 1))[1..]`
/// with `hist = ⌊n·range⌋` and `S ≤ hist − 1` (numpy rounds half to even).
pub(super) fn changepoints(n: usize, range: f64, requested: usize) -> Vec<usize> {
    // Truncation is the intent (numpy's floor); n·range ≤ n.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let hist = (n as f64 * range).floor() as usize;
    let s = requested.min(hist.saturating_sub(1));
    if s == 0 {
        return Vec::new();
    }
    let last = (hist - 1) as f64;
    let mut out: Vec<usize> = (1..=s)
        .map(|j| {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let i = (last * j as f64 / s as f64).round_ties_even() as usize;
            i
        })
        .collect();
    out.dedup();
    out
}

/// The calendar part of the design: Fourier orders and holiday columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Calendrical {
    pub(super) weekly_order: usize,
    pub(super) yearly_order: usize,
    /// Fourier order of the daily seasonality (sub-daily series only).
    #[serde(default)]
    pub(super) daily_order: usize,
    pub(super) holiday_names: Vec<String>,
    pub(super) calendar: Option<Calendar>,
}

impl Calendrical {
    /// Number of Fourier columns (weekly, yearly, daily).
    pub(super) fn n_fourier(&self) -> usize {
        2 * (self.weekly_order + self.yearly_order + self.daily_order)
    }

    pub(super) fn n_columns(&self) -> usize {
        self.n_fourier() + self.holiday_names.len()
    }

    /// Write the Fourier and holiday columns of rows `offset..offset +
    /// count` of `clock` into columns `col..col + self.n_columns()` of the
    /// rows of `design`.
    ///
    /// The Fourier terms are Prophet's `sin(2πk·d/P)`, `cos(2πk·d/P)` in the
    /// (fractional) day number `d` since 1970-01-01 (`fourier_series` in
    /// `python/prophet/forecaster.py`), in the order weekly, yearly, daily.
    /// Only two trigonometric calls are made per period and row: the weekly
    /// and daily angles are taken from the residues `d mod 7` and `d mod 1`
    /// (exact, since the periods are whole numbers of days) and the
    /// harmonics `k ≥ 2` come from the angle-addition recurrence, whose
    /// rounding error (about `k·ε`) is far below that of evaluating `sin` at
    /// the large argument `2πk·d/P` directly. A holiday column is 1 on every
    /// row whose date is the holiday (all hours of the day for hourly
    /// series, as Prophet's `make_holiday_features`).
    fn fill(&self, clock: &Clock, offset: usize, count: usize, design: &mut Design, col: usize) -> Result<()> {
        let mut names: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        if let (Some(cal), true) = (&self.calendar, count > 0) {
            let first = clock.at(offset)?.date();
            let end = add_days(clock.at(offset + count - 1)?.date(), 1)?;
            for h in cal.days_between(first, end) {
                if let Some(j) = self.holiday_names.iter().position(|n| *n == h.name) {
                    names.entry(h.date).or_default().push(j);
                }
            }
        }
        let weekly = 2 * self.weekly_order;
        let yearly = 2 * self.yearly_order;
        let fourier = self.n_fourier();
        for i in 0..count {
            let row = &mut design.row_mut(i)[col..col + self.n_columns()];
            let day = clock.day_number(offset + i)?;
            let weekly_angle = std::f64::consts::TAU * day.rem_euclid(WEEK) / WEEK;
            harmonics(&mut row[..weekly], weekly_angle);
            let yearly_angle = std::f64::consts::TAU * day / YEAR;
            harmonics(&mut row[weekly..weekly + yearly], yearly_angle);
            let daily_angle = std::f64::consts::TAU * day.rem_euclid(DAY) / DAY;
            harmonics(&mut row[weekly + yearly..fourier], daily_angle);
            if names.is_empty() {
                continue;
            }
            if let Some(js) = names.get(&clock.at(offset + i)?.date()) {
                for &j in js {
                    row[fourier + j] = 1.0;
                }
            }
        }
        Ok(())
    }
}

/// Write `sin(k·x), cos(k·x)` for `k = 1, 2, …` into consecutive pairs of
/// `out`.
fn harmonics(out: &mut [f64], x: f64) {
    if out.is_empty() {
        return;
    }
    let (s1, c1) = x.sin_cos();
    let (mut s, mut c) = (s1, c1);
    for pair in out.chunks_exact_mut(2) {
        pair[0] = s;
        pair[1] = c;
        (s, c) = (s * c1 + c * s1, c * c1 - s * s1);
    }
}

/// A row-major design matrix.
#[derive(Debug, Clone)]
pub(super) struct Design {
    /// Columns.
    pub(super) p: usize,
    data: Vec<f64>,
}

impl Design {
    fn row_mut(&mut self, i: usize) -> &mut [f64] {
        &mut self.data[i * self.p..(i + 1) * self.p]
    }

    /// The rows, in order.
    pub(super) fn rows(&self) -> std::slice::ChunksExact<'_, f64> {
        self.data.chunks_exact(self.p.max(1))
    }

    /// Number of rows.
    pub(super) fn n(&self) -> usize {
        self.data.len() / self.p.max(1)
    }

    /// A design from rows of equal length.
    #[cfg(test)]
    pub(super) fn from_rows(rows: &[Vec<f64>]) -> Self {
        Self {
            p: rows.first().map_or(0, Vec::len),
            data: rows.concat(),
        }
    }
}

pub(super) fn add_days(start: NaiveDate, days: usize) -> Result<NaiveDate> {
    start
        .checked_add_days(Days::new(days as u64))
        .ok_or_else(|| invalid("start", "dates run past the end of the calendar".into()))
}

/// Design rows (without intercept) for rows `offset..offset + count` of
/// `clock`: `[t, (t − s_j)₊…, Fourier…, holidays…, regressors…]` with `t`
/// the days since the first row divided by `span` (the history's span in
/// days, so `t` runs from 0 to 1 over the history). `regressors[j]` holds
/// the (standardised) values of regressor `j` for these rows, at least
/// `count` of them.
pub(super) fn design(
    count: usize,
    offset: usize,
    clock: &Clock,
    span: f64,
    changepoint_t: &[f64],
    calendrical: &Calendrical,
    regressors: &[Vec<f64>],
) -> Result<Design> {
    let s = changepoint_t.len();
    let p = 1 + s + calendrical.n_columns() + regressors.len();
    let mut design = Design {
        p,
        data: vec![0.0; p * count],
    };
    for i in 0..count {
        let t = clock.days_between(0, offset + i)? / span;
        let row = design.row_mut(i);
        row[0] = t;
        for (v, c) in row[1..=s].iter_mut().zip(changepoint_t) {
            *v = (t - c).max(0.0);
        }
    }
    calendrical.fill(clock, offset, count, &mut design, 1 + s)?;
    let col = 1 + s + calendrical.n_columns();
    for (j, values) in regressors.iter().enumerate() {
        for (i, v) in values.iter().take(count).enumerate() {
            design.row_mut(i)[col + j] = *v;
        }
    }
    Ok(design)
}

/// Prophet's standardisation of an extra regressor
/// (`initialize_scales` in `python/prophet/forecaster.py`, with
/// `standardize='auto'`): a column with at least two distinct values in the
/// history that is not binary 0/1 is replaced by `(x − mean) / sd`, with the
/// mean and the sample standard deviation (`ddof = 1`, pandas' `std`) of the
/// history; binary and constant columns are used as they are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Standardisation {
    pub(super) mean: f64,
    pub(super) sd: f64,
}

impl Standardisation {
    /// The standardisation of a column from its history rows.
    pub(super) fn of(history: &[f64]) -> Self {
        let identity = Self { mean: 0.0, sd: 1.0 };
        let Some(&first) = history.first() else {
            return identity;
        };
        // Exact equality is the intent: Prophet counts distinct values.
        #[allow(clippy::float_cmp)]
        let constant = history.iter().all(|&v| v == first);
        #[allow(clippy::float_cmp)]
        let binary = history.iter().all(|&v| v == 0.0 || v == 1.0);
        if constant || binary {
            return identity;
        }
        let n = history.len() as f64;
        let mean = history.iter().sum::<f64>() / n;
        let ss = history.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
        let sd = (ss / (n - 1.0)).sqrt();
        if sd > 0.0 && sd.is_finite() {
            Self { mean, sd }
        } else {
            identity
        }
    }

    pub(super) fn apply(&self, values: &[f64]) -> Vec<f64> {
        values.iter().map(|v| (v - self.mean) / self.sd).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harmonics_match_direct_evaluation() {
        let cal = Calendrical {
            weekly_order: 3,
            yearly_order: 10,
            daily_order: 0,
            holiday_names: Vec::new(),
            calendar: None,
        };
        let first = NaiveDate::from_ymd_opt(2023, 3, 14).unwrap();
        let clock = Clock {
            start: first.and_time(NaiveTime::MIN),
            freq: Freq::Daily,
        };
        let rows = design(800, 0, &clock, 799.0, &[], &cal, &[]).unwrap();
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        for (i, row) in rows.rows().enumerate() {
            let row = &row[1..];
            let d = ((first - epoch).num_days() + i64::try_from(i).unwrap()) as f64;
            let mut direct = Vec::new();
            for (order, period) in [(3, WEEK), (10, YEAR)] {
                for k in 1..=order {
                    let x = std::f64::consts::TAU * f64::from(k) * d / period;
                    direct.push(x.sin());
                    direct.push(x.cos());
                }
            }
            // Direct evaluation at arguments near 2π·10·20 000/365 ≈ 3.5e3
            // carries an absolute error of about 3.5e3·ε ≈ 1e-12; the
            // recurrence adds about 10·ε.
            for (a, b) in row.iter().zip(&direct) {
                assert!((a - b).abs() < 1e-11, "{a} vs {b} at row {i}");
            }
        }
    }

    #[test]
    fn standardisation_follows_prophet_auto_rule() {
        assert_eq!(
            Standardisation::of(&[0.0, 1.0, 1.0, 0.0]),
            Standardisation { mean: 0.0, sd: 1.0 }
        );
        assert_eq!(Standardisation::of(&[3.0, 3.0]), Standardisation { mean: 0.0, sd: 1.0 });
        let s = Standardisation::of(&[1.0, 2.0, 3.0, 4.0]);
        assert!((s.mean - 2.5).abs() < 1e-15);
        // Sample standard deviation: sqrt(5/3).
        assert!((s.sd - (5.0_f64 / 3.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn changepoints_follow_numpy_linspace_rounding() {
        // n = 158: ⌊0.8·158⌋ = 126 → linspace(0, 125, 26) = 0, 5, …, 125.
        let cp = changepoints(158, 0.8, 25);
        assert_eq!(cp.len(), 25);
        assert_eq!(cp[0], 5);
        assert_eq!(cp[24], 125);
        assert_eq!(changepoints(3, 0.8, 25), vec![1]);
        assert!(changepoints(2, 0.8, 25).is_empty());
    }
}
