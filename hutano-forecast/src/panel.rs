//! Panels of equally spaced series in long format (`unique_id`, `ds`, `y`).

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Spacing of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Freq {
    /// One value per hour.
    Hourly,
    /// One value per day.
    Daily,
    /// One value per week.
    Weekly,
    /// One value per calendar month (e.g. NHS A&E returns): the timestamps
    /// are the first one plus whole months (clamped to the month's end, as
    /// `chrono`'s `checked_add_months`).
    Monthly,
}

impl Freq {
    /// The fixed step between two observations; `None` for
    /// [`Freq::Monthly`], whose months differ in length (use [`Freq::at`]).
    #[must_use]
    pub fn step(self) -> Option<TimeDelta> {
        match self {
            Freq::Hourly => Some(TimeDelta::hours(1)),
            Freq::Daily => Some(TimeDelta::days(1)),
            Freq::Weekly => Some(TimeDelta::weeks(1)),
            Freq::Monthly => None,
        }
    }

    /// The timestamp `i` steps after `start` (saturating at the end of
    /// chrono's range).
    #[must_use]
    pub fn at(self, start: NaiveDateTime, i: usize) -> NaiveDateTime {
        match self.step() {
            Some(step) => i32::try_from(i)
                .ok()
                .and_then(|i| start.checked_add_signed(step * i))
                .unwrap_or(NaiveDateTime::MAX),
            None => u32::try_from(i)
                .ok()
                .and_then(|i| start.checked_add_months(chrono::Months::new(i)))
                .unwrap_or(NaiveDateTime::MAX),
        }
    }

    /// The position of `ds` on the grid that starts at `start`: `Some(i)`
    /// when `ds == self.at(start, i)`, `None` when `ds` is before `start` or
    /// off the grid.
    #[must_use]
    pub fn position(self, start: NaiveDateTime, ds: NaiveDateTime) -> Option<usize> {
        use chrono::Datelike;
        if ds < start {
            return None;
        }
        let i = if let Some(step) = self.step() {
            let (offset, step) = ((ds - start).num_seconds(), step.num_seconds());
            if offset % step != 0 {
                return None;
            }
            usize::try_from(offset / step).ok()?
        } else {
            let months = i64::from(ds.year() - start.year()) * 12 + i64::from(ds.month0()) - i64::from(start.month0());
            usize::try_from(months).ok()?
        };
        (self.at(start, i) == ds).then_some(i)
    }

    /// Default length in steps of a held-out window (the ensemble's
    /// validation, [`crate::calibrated::Calibrated`]'s and the tree
    /// models' calibration): a day of hours (24), two weeks of days (14),
    /// two months of weeks (8) or a quarter of months (3). Short enough
    /// that three years of months keep most of their history for the
    /// fits, long enough to cover the horizons forecast at that frequency.
    #[must_use]
    pub fn window(self) -> usize {
        match self {
            Freq::Hourly => 24,
            Freq::Daily => 14,
            Freq::Weekly => 8,
            Freq::Monthly => 3,
        }
    }

    /// The natural season in steps: a day of hours, a week of days, a year
    /// of weeks or of months. The default season of the models that take
    /// one from the frequency ([`crate::clean::Cleaned`],
    /// [`crate::ensemble::Ensemble`]).
    #[must_use]
    pub fn season(self) -> usize {
        match self {
            Freq::Hourly => 24,
            Freq::Daily => 7,
            Freq::Weekly => 52,
            Freq::Monthly => 12,
        }
    }

    /// The frequency's name, as in error messages (`"daily"`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Freq::Hourly => "hourly",
            Freq::Daily => "daily",
            Freq::Weekly => "weekly",
            Freq::Monthly => "monthly",
        }
    }
}

/// How missing timestamps inside a series are filled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillRule {
    /// A gap is an error ([`Error::Gaps`]).
    #[default]
    Error,
    /// Missing steps are zero: right for event counts (admissions) where a
    /// missing day means nothing happened.
    Zero,
    /// Missing steps are linearly interpolated between their neighbours:
    /// right for levels (census, occupancy) where a missing day is a missing
    /// measurement.
    Interpolate,
}

/// One equally spaced series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Series identifier.
    pub unique_id: String,
    /// Timestamp of the first value.
    pub start: NaiveDateTime,
    /// Spacing.
    pub freq: Freq,
    /// Values, oldest first, all finite.
    pub y: Vec<f64>,
    /// Exogenous regressor columns, in the order of [`Panel::regressors`];
    /// each at least `y.len()` long, rows past the end of `y` being known
    /// future values. Empty without regressors.
    #[serde(default)]
    pub x: Vec<Vec<f64>>,
}

impl Series {
    /// Timestamp of value `i`.
    #[must_use]
    pub fn ds(&self, i: usize) -> NaiveDateTime {
        self.freq.at(self.start, i)
    }
}

/// One long-format observation: `(ds, y, input row)`.
type Obs = (NaiveDateTime, f64, usize);

/// A panel of series.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    /// The series, in order of first appearance in the input.
    pub series: Vec<Series>,
    /// Names of the exogenous regressors, the columns of every
    /// [`Series::x`]. Empty without regressors.
    #[serde(default)]
    pub regressors: Vec<String>,
}

impl Panel {
    /// A panel of the given series, without regressors.
    #[must_use]
    pub fn new(series: Vec<Series>) -> Self {
        Self {
            series,
            regressors: Vec::new(),
        }
    }

    /// Build a panel from long-format rows `(unique_id, ds, y)` in any order.
    ///
    /// Each series is sorted by `ds`; its timestamps must lie on the
    /// frequency grid from its first timestamp; missing steps are filled by
    /// `fill`.
    ///
    /// # Errors
    /// [`Error::NonFinite`] (NaN or infinity), [`Error::DuplicateTimestamp`],
    /// [`Error::OffGrid`] or [`Error::Gaps`], each naming the series and the
    /// zero-based input row.
    pub fn from_long<I, S>(rows: I, freq: Freq, fill: FillRule) -> Result<Self>
    where
        I: IntoIterator<Item = (S, NaiveDateTime, f64)>,
        S: AsRef<str>,
    {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut groups: Vec<(String, Vec<Obs>)> = Vec::new();
        for (row, (id, ds, y)) in rows.into_iter().enumerate() {
            let id = id.as_ref();
            if !y.is_finite() {
                return Err(Error::NonFinite {
                    unique_id: id.to_string(),
                    row,
                });
            }
            let g = if let Some(&g) = index.get(id) {
                g
            } else {
                index.insert(id.to_string(), groups.len());
                groups.push((id.to_string(), Vec::new()));
                groups.len() - 1
            };
            groups[g].1.push((ds, y, row));
        }
        let mut series = Vec::with_capacity(groups.len());
        for (unique_id, mut obs) in groups {
            obs.sort_by_key(|o| (o.0, o.2));
            let start = obs[0].0;
            let mut y: Vec<f64> = Vec::with_capacity(obs.len());
            let mut first_gap = None;
            let mut missing = 0usize;
            for (k, &(ds, value, row)) in obs.iter().enumerate() {
                let Some(pos) = freq.position(start, ds) else {
                    return Err(Error::OffGrid {
                        unique_id,
                        row,
                        freq: freq.name(),
                    });
                };
                if k > 0 && pos < y.len() {
                    return Err(Error::DuplicateTimestamp { unique_id, row });
                }
                if pos > y.len() {
                    first_gap.get_or_insert(obs[k - 1].0);
                    let gap = pos - y.len();
                    missing += gap;
                    let prev = y.last().copied().unwrap_or(value);
                    for j in 1..=gap {
                        y.push(match fill {
                            FillRule::Interpolate => prev + (value - prev) * j as f64 / (gap + 1) as f64,
                            FillRule::Zero | FillRule::Error => 0.0,
                        });
                    }
                }
                y.push(value);
            }
            if let (FillRule::Error, Some(after)) = (fill, first_gap) {
                return Err(Error::Gaps {
                    unique_id,
                    missing,
                    after,
                });
            }
            series.push(Series {
                unique_id,
                start,
                freq,
                y,
                x: Vec::new(),
            });
        }
        Ok(Self {
            series,
            regressors: Vec::new(),
        })
    }

    /// Attach exogenous regressors given in long format: rows
    /// `(unique_id, ds, values)` with one value per name in `names`, in any
    /// order. Every timestamp of every series must have a row; rows after a
    /// series' last timestamp are the regressors' known future values (for
    /// forecasting), and must follow on without gaps. Rows of series absent
    /// from the panel are an error (a misspelt id would otherwise be lost).
    ///
    /// # Errors
    /// [`Error::Regressors`] naming the series and zero-based row for a
    /// wrong number of values, an unknown series, an off-grid, duplicate or
    /// missing timestamp, or a non-finite value; [`Error::InvalidParameter`]
    /// for an empty or duplicated name.
    pub fn with_regressors<I, S>(mut self, names: &[&str], rows: I) -> Result<Self>
    where
        I: IntoIterator<Item = (S, NaiveDateTime, Vec<f64>)>,
        S: AsRef<str>,
    {
        for (i, name) in names.iter().enumerate() {
            if name.is_empty() || names[..i].contains(name) {
                return Err(Error::InvalidParameter {
                    name: "regressors",
                    problem: format!("regressor name {name:?} is empty or repeated"),
                });
            }
        }
        let index: HashMap<&str, usize> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.unique_id.as_str(), i))
            .collect();
        let k = names.len();
        // Per series: values by grid position (NaN = not given yet).
        let mut cols: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); k]; self.series.len()];
        let bad = |id: &str, row: usize, what: &str| Error::Regressors {
            problem: format!("series {id:?} at row {row}: {what}"),
        };
        for (row, (id, ds, values)) in rows.into_iter().enumerate() {
            let id = id.as_ref();
            let &i = index
                .get(id)
                .ok_or_else(|| bad(id, row, "no such series in the panel"))?;
            if values.len() != k {
                return Err(bad(id, row, &format!("{} values for {k} regressors", values.len())));
            }
            if let Some(j) = values.iter().position(|v| !v.is_finite()) {
                return Err(bad(id, row, &format!("regressor {:?} is not finite", names[j])));
            }
            let s = &self.series[i];
            let pos = s
                .freq
                .position(s.start, ds)
                .ok_or_else(|| bad(id, row, "timestamp before the series' start or off its grid"))?;
            for (col, v) in cols[i].iter_mut().zip(values) {
                if col.len() <= pos {
                    col.resize(pos + 1, f64::NAN);
                }
                if !col[pos].is_nan() {
                    return Err(bad(id, row, "duplicate timestamp"));
                }
                col[pos] = v;
            }
        }
        for (s, cols) in self.series.iter_mut().zip(cols) {
            if k > 0 {
                let len = cols[0].len();
                if let Some(pos) = (0..len.max(s.y.len())).find(|&p| cols[0].get(p).is_none_or(|v| v.is_nan())) {
                    return Err(Error::Regressors {
                        problem: format!("series {:?} has no regressor values at {}", s.unique_id, s.ds(pos)),
                    });
                }
            }
            s.x = cols;
        }
        self.regressors = names.iter().map(|n| (*n).to_string()).collect();
        Ok(self)
    }

    /// Daily series from a tidy KPI table of hutano-core (e.g. admissions by
    /// branch and day): one series per combination of the `id_columns`, dated
    /// by `date_column`, valued by `value_column`. Days absent from the table
    /// had no event and are filled with zero.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if a column is missing or of the wrong
    /// type; otherwise as [`Panel::from_long`].
    pub fn from_daily_table(
        table: &hutano_core::table::Table,
        id_columns: &[&str],
        date_column: &str,
        value_column: &str,
    ) -> Result<Self> {
        let missing = |c: &str| Error::InvalidParameter {
            name: "column",
            problem: format!("{c:?} is not a column of the right type"),
        };
        let ids: Vec<&[String]> = id_columns
            .iter()
            .map(|c| table.texts(c).ok_or_else(|| missing(c)))
            .collect::<Result<_>>()?;
        let dates = table.dates(date_column).ok_or_else(|| missing(date_column))?;
        let values = table.f64s(value_column).ok_or_else(|| missing(value_column))?;
        let rows = (0..table.len()).map(|i| {
            let id = if ids.is_empty() {
                "total".to_string()
            } else {
                ids.iter().map(|c| c[i].as_str()).collect::<Vec<_>>().join("/")
            };
            (id, dates[i].and_time(chrono::NaiveTime::MIN), values[i])
        });
        Self::from_long(rows, Freq::Daily, FillRule::Zero)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn t(d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 1, d)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
    }

    #[test]
    fn sorts_and_fills_by_the_stated_rule() {
        let rows = vec![("a", t(3), 30.0), ("b", t(1), 1.0), ("a", t(1), 10.0)];
        let p = Panel::from_long(rows.clone(), Freq::Daily, FillRule::Interpolate).unwrap();
        assert_eq!(p.series[0].unique_id, "a");
        assert_eq!(p.series[0].y, vec![10.0, 20.0, 30.0]);
        let p = Panel::from_long(rows.clone(), Freq::Daily, FillRule::Zero).unwrap();
        assert_eq!(p.series[0].y, vec![10.0, 0.0, 30.0]);
        let err = Panel::from_long(rows, Freq::Daily, FillRule::Error).unwrap_err();
        assert!(matches!(err, Error::Gaps { missing: 1, .. }), "{err}");
    }

    #[test]
    fn typed_errors_name_series_and_row() {
        let err = Panel::from_long(
            vec![("a", t(1), 1.0), ("a", t(2), f64::NAN)],
            Freq::Daily,
            FillRule::Error,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "non-finite value in series \"a\" at row 1");
        let err = Panel::from_long(vec![("a", t(1), 1.0), ("a", t(1), 2.0)], Freq::Daily, FillRule::Error).unwrap_err();
        assert!(matches!(err, Error::DuplicateTimestamp { row: 1, .. }));
        let off = t(1) + TimeDelta::hours(3);
        let err = Panel::from_long(vec![("a", t(1), 1.0), ("a", off, 2.0)], Freq::Daily, FillRule::Error).unwrap_err();
        assert!(matches!(err, Error::OffGrid { row: 1, .. }));
    }

    #[test]
    fn monthly_grid_follows_the_calendar() {
        let m = |y: i32, mo: u32, d: u32| NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(0, 0, 0).unwrap();
        let rows = vec![
            ("ae", m(2017, 3, 1), 3.0),
            ("ae", m(2017, 1, 1), 1.0),
            ("ae", m(2017, 5, 1), 5.0),
        ];
        let p = Panel::from_long(rows, Freq::Monthly, FillRule::Interpolate).unwrap();
        assert_eq!(p.series[0].y, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(p.series[0].ds(2), m(2017, 3, 1));
        assert_eq!(Freq::Monthly.at(m(2016, 12, 1), 3), m(2017, 3, 1));
        assert_eq!(Freq::Monthly.position(m(2016, 12, 1), m(2017, 3, 1)), Some(3));
        assert_eq!(Freq::Monthly.position(m(2016, 12, 1), m(2017, 3, 2)), None);
        let err = Panel::from_long(
            vec![("ae", m(2017, 1, 1), 1.0), ("ae", m(2017, 2, 15), 2.0)],
            Freq::Monthly,
            FillRule::Error,
        )
        .unwrap_err();
        assert!(matches!(err, Error::OffGrid { row: 1, .. }), "{err}");
    }

    #[test]
    fn regressors_cover_history_and_future() {
        let p = Panel::from_long(vec![("a", t(1), 1.0), ("a", t(2), 2.0)], Freq::Daily, FillRule::Error).unwrap();
        let rows = vec![("a", t(3), vec![1.0]), ("a", t(1), vec![0.0]), ("a", t(2), vec![1.0])];
        let p2 = p.clone().with_regressors(&["elective"], rows).unwrap();
        assert_eq!(p2.regressors, vec!["elective".to_string()]);
        assert_eq!(p2.series[0].x, vec![vec![0.0, 1.0, 1.0]]);
        // A missing historical row, a gap before the future, an unknown series, a NaN.
        let err = p
            .clone()
            .with_regressors(&["e"], vec![("a", t(1), vec![0.0])])
            .unwrap_err();
        assert!(err.to_string().contains("no regressor values at 2024-01-02"), "{err}");
        let err = p
            .clone()
            .with_regressors(
                &["e"],
                vec![("a", t(1), vec![0.0]), ("a", t(2), vec![0.0]), ("a", t(4), vec![0.0])],
            )
            .unwrap_err();
        assert!(err.to_string().contains("2024-01-03"), "{err}");
        let err = p
            .clone()
            .with_regressors(&["e"], vec![("b", t(1), vec![0.0])])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "regressors: series \"b\" at row 0: no such series in the panel"
        );
        let err = p
            .clone()
            .with_regressors(&["e"], vec![("a", t(1), vec![f64::NAN])])
            .unwrap_err();
        assert!(
            err.to_string().contains("row 0: regressor \"e\" is not finite"),
            "{err}"
        );
        let err = p
            .with_regressors(&["e", "e"], Vec::<(&str, NaiveDateTime, Vec<f64>)>::new())
            .unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }));
    }
}
