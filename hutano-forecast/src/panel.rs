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
}

impl Freq {
    /// The step between two observations.
    #[must_use]
    pub fn step(self) -> TimeDelta {
        match self {
            Freq::Hourly => TimeDelta::hours(1),
            Freq::Daily => TimeDelta::days(1),
            Freq::Weekly => TimeDelta::weeks(1),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Freq::Hourly => "hourly",
            Freq::Daily => "daily",
            Freq::Weekly => "weekly",
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
        self.start + self.freq.step() * i32::try_from(i).unwrap_or(i32::MAX)
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
        let step = freq.step().num_minutes();
        let mut series = Vec::with_capacity(groups.len());
        for (unique_id, mut obs) in groups {
            obs.sort_by_key(|o| (o.0, o.2));
            let start = obs[0].0;
            let mut y: Vec<f64> = Vec::with_capacity(obs.len());
            let mut first_gap = None;
            let mut missing = 0usize;
            for (k, &(ds, value, row)) in obs.iter().enumerate() {
                let offset = (ds - start).num_minutes();
                if offset % step != 0 {
                    return Err(Error::OffGrid {
                        unique_id,
                        row,
                        freq: freq.name(),
                    });
                }
                let pos = usize::try_from(offset / step).unwrap_or(usize::MAX);
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
}
