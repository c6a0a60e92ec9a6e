//! Tidy result tables: one row per group and period, one column per variable.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The values of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "values", rename_all = "snake_case")]
pub enum Values {
    /// Text (group labels).
    Text(Vec<String>),
    /// Dates (period starts).
    Date(Vec<NaiveDate>),
    /// Counts.
    Int(Vec<i64>),
    /// Measures; `NaN` where a ratio has a zero denominator.
    Float(Vec<f64>),
}

impl Values {
    fn len(&self) -> usize {
        match self {
            Values::Text(v) => v.len(),
            Values::Date(v) => v.len(),
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
        }
    }

    /// Cell `i` as text: floats with 4 decimals for display, or exactly
    /// (shortest round-trip form) when `exact`.
    fn cell(&self, i: usize, exact: bool) -> String {
        match self {
            Values::Text(v) => v[i].clone(),
            Values::Date(v) => v[i].to_string(),
            Values::Int(v) => v[i].to_string(),
            Values::Float(v) => {
                let x = v[i];
                if x.is_nan() {
                    String::new()
                } else if exact {
                    x.to_string()
                } else {
                    format!("{x:.4}")
                        .trim_end_matches('0')
                        .trim_end_matches('.')
                        .to_string()
                }
            }
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Values.
    pub values: Values,
}

/// A tidy table of KPI results.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    /// Columns, all of the same length.
    pub columns: Vec<Column>,
}

impl Table {
    /// Number of rows.
    #[must_use]
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    /// Whether the table has no rows.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Column names.
    #[must_use]
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// A column by name.
    #[must_use]
    pub fn column(&self, name: &str) -> Option<&Values> {
        self.columns.iter().find(|c| c.name == name).map(|c| &c.values)
    }

    /// A numeric column as `f64` (counts converted), or `None` if absent or text.
    #[must_use]
    pub fn f64s(&self, name: &str) -> Option<Vec<f64>> {
        match self.column(name)? {
            Values::Float(v) => Some(v.clone()),
            Values::Int(v) => Some(v.iter().map(|&x| x as f64).collect()),
            _ => None,
        }
    }

    /// A text column.
    #[must_use]
    pub fn texts(&self, name: &str) -> Option<&[String]> {
        match self.column(name)? {
            Values::Text(v) => Some(v),
            _ => None,
        }
    }

    /// A date column.
    #[must_use]
    pub fn dates(&self, name: &str) -> Option<&[NaiveDate]> {
        match self.column(name)? {
            Values::Date(v) => Some(v),
            _ => None,
        }
    }

    /// Sum of a numeric column (NaN-free columns only make sense here).
    #[must_use]
    pub fn sum(&self, name: &str) -> Option<f64> {
        self.f64s(name).map(|v| v.iter().sum())
    }

    pub(crate) fn push(&mut self, name: &str, values: Values) {
        self.columns.push(Column {
            name: name.to_string(),
            values,
        });
    }

    /// Write the table as CSV: numbers in full precision, an empty cell for NaN.
    ///
    /// # Errors
    /// [`Error::Write`] if the writer fails.
    pub fn write_csv<W: std::io::Write>(&self, writer: W) -> Result<()> {
        let mut w = csv::Writer::from_writer(writer);
        let err = |e: csv::Error| Error::Write { message: e.to_string() };
        w.write_record(self.names()).map_err(err)?;
        for i in 0..self.len() {
            w.write_record(self.columns.iter().map(|c| c.values.cell(i, true)))
                .map_err(err)?;
        }
        w.flush().map_err(|e| Error::Write { message: e.to_string() })
    }
}

impl fmt::Display for Table {
    /// An aligned text rendering, for terminals and logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cells: Vec<Vec<String>> = self
            .columns
            .iter()
            .map(|c| (0..self.len()).map(|i| c.values.cell(i, false)).collect())
            .collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .zip(&cells)
            .map(|(c, v)| v.iter().map(String::len).chain([c.name.len()]).max().unwrap_or(0))
            .collect();
        let line = |f: &mut fmt::Formatter<'_>, row: &mut dyn Iterator<Item = (usize, String)>| -> fmt::Result {
            let parts: Vec<String> = row.map(|(j, s)| format!("{s:>w$}", w = widths[j])).collect();
            writeln!(f, "{}", parts.join("  "))
        };
        line(
            f,
            &mut self.columns.iter().enumerate().map(|(j, c)| (j, c.name.clone())),
        )?;
        for i in 0..self.len() {
            line(f, &mut cells.iter().enumerate().map(|(j, v)| (j, v[i].clone())))?;
        }
        Ok(())
    }
}
