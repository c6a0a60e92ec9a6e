//! Date parsing with declared formats: a date is never guessed silently.
//!
//! A [`DateField`] lists the formats a column may use. When a value parses
//! under several formats to *different* instants (`04-05-2017`: 5 April or
//! 4 May), the declared [`DateResolution`] decides; the default rejects the
//! row as ambiguous.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use chrono::format::{Item, Parsed, StrftimeItems};

use super::source::CellRef;
use super::RejectReason;

/// How a date column is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateField {
    /// The column.
    pub column: String,
    /// chrono `strftime` formats to try (e.g. `"%d-%m-%Y"`, `"%Y-%m-%d %H:%M"`),
    /// or `"rfc3339"`. Formats with `%z`/`%:z` (or `rfc3339`) carry an offset:
    /// such values are converted into the branch's time zone. Formats without a
    /// time of day are given [`DateField::date_only_time`].
    pub formats: Vec<String>,
    /// What to do when several formats give different dates.
    #[serde(default)]
    pub resolve: DateResolution,
    /// Time of day given to date-only values (default 12:00, so that a stay
    /// from day A to day B occupies the midnights ending days A..B-1).
    #[serde(default = "noon")]
    pub date_only_time: NaiveTime,
}

fn noon() -> NaiveTime {
    NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN)
}

impl DateField {
    /// A date field with one format and the default (reject-if-ambiguous) rule.
    #[must_use]
    pub fn new(column: impl Into<String>, format: impl Into<String>) -> Self {
        Self {
            column: column.into(),
            formats: vec![format.into()],
            resolve: DateResolution::Reject,
            date_only_time: noon(),
        }
    }

    /// Several formats.
    #[must_use]
    pub fn with_formats<I, S>(column: impl Into<String>, formats: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            formats: formats.into_iter().map(Into::into).collect(),
            ..Self::new(column, "")
        }
    }

    /// Set the resolution rule.
    #[must_use]
    pub fn resolve(mut self, resolve: DateResolution) -> Self {
        self.resolve = resolve;
        self
    }
}

/// The declared rule for a value that parses to different dates under
/// different formats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum DateResolution {
    /// Reject the row as ambiguous.
    #[default]
    Reject,
    /// Keep the reading whose year and month equal those in another column
    /// (e.g. HDHI's `month year` column, format `%b-%y`).
    MatchesMonthColumn {
        /// The reference column.
        column: String,
        /// Its format, parsed with a day of 1 (e.g. `"%b-%y"` for `Apr-17`).
        format: String,
    },
    /// Keep the earliest reading on or after the admission (for discharge
    /// dates): readings before admission are dropped, and of the rest the
    /// shortest stay wins.
    EarliestOnOrAfterAdmission,
}

/// One declared format, parsed once per load.
#[derive(Debug, Clone)]
enum Format {
    Rfc3339,
    Items {
        items: Vec<Item<'static>>,
        offset: bool,
    },
    /// A format string chrono cannot read: it matches nothing.
    Invalid,
}

/// A [`DateField`]'s formats compiled for repeated use.
#[derive(Debug, Clone)]
pub(crate) struct CompiledDate<'m> {
    pub(crate) field: &'m DateField,
    formats: Vec<Format>,
}

impl<'m> CompiledDate<'m> {
    pub(crate) fn new(field: &'m DateField) -> Self {
        let formats = field
            .formats
            .iter()
            .map(|f| {
                if f.eq_ignore_ascii_case("rfc3339") {
                    return Format::Rfc3339;
                }
                match StrftimeItems::new(f).parse_to_owned() {
                    Ok(items) => Format::Items {
                        items,
                        offset: f.contains("%z") || f.contains("%:z") || f.contains("%#z"),
                    },
                    Err(_) => Format::Invalid,
                }
            })
            .collect();
        Self { field, formats }
    }

    /// Candidate local date-times of a cell under the declared formats,
    /// deduplicated and sorted.
    pub(crate) fn candidates(&self, cell: CellRef<'_>, tz: Tz) -> Result<Vec<NaiveDateTime>, RejectReason> {
        let text = match cell {
            CellRef::Empty => return Err(RejectReason::MissingValue),
            CellRef::DateTime(t) => return Ok(vec![t]),
            CellRef::Number(_) | CellRef::Text(_) => cell.text().unwrap_or_default(),
        };
        let mut out = Vec::with_capacity(self.formats.len());
        for f in &self.formats {
            if let Some(t) = parse_one(&text, f, self.field.date_only_time, tz) {
                out.push(t);
            }
        }
        if out.is_empty() {
            return Err(RejectReason::UnparseableDate);
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

fn parse_one(text: &str, format: &Format, date_only_time: NaiveTime, tz: Tz) -> Option<NaiveDateTime> {
    match format {
        Format::Invalid => None,
        Format::Rfc3339 => DateTime::parse_from_rfc3339(text).ok().map(|t| to_local(t, tz)),
        Format::Items { items, offset } => {
            let mut parsed = Parsed::new();
            chrono::format::parse(&mut parsed, text, items.iter()).ok()?;
            if *offset {
                parsed.to_datetime().ok().map(|t| to_local(t, tz))
            } else {
                parsed
                    .to_naive_datetime_with_offset(0)
                    .ok()
                    .or_else(|| parsed.to_naive_date().ok().map(|d| d.and_time(date_only_time)))
            }
        }
    }
}

fn to_local(t: DateTime<FixedOffset>, tz: Tz) -> NaiveDateTime {
    t.with_timezone(&tz).naive_local()
}

/// Resolve candidates to one value with the rule `MatchesMonthColumn`.
pub(crate) fn resolve_by_month(
    cands: &[NaiveDateTime],
    month_text: Option<&str>,
    format: &str,
) -> Result<NaiveDateTime, RejectReason> {
    use chrono::Datelike;
    let month = month_text
        .and_then(|m| NaiveDate::parse_from_str(&format!("1-{m}"), &format!("%d-{format}")).ok())
        .ok_or(RejectReason::UnparseableReference)?;
    let kept: Vec<_> = cands
        .iter()
        .filter(|c| c.year() == month.year() && c.month() == month.month())
        .collect();
    match kept.as_slice() {
        [one] => Ok(**one),
        [] => Err(RejectReason::DateOutsideReferenceMonth),
        _ => Err(RejectReason::AmbiguousDate),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, day)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    #[test]
    fn day_first_and_month_first_both_listed_is_ambiguous_only_when_readings_differ() {
        let f = DateField::with_formats("x", ["%d-%m-%Y", "%m-%d-%Y"]);
        let f = CompiledDate::new(&f);
        let c = f.candidates(CellRef::Text("04-05-2017"), Tz::UTC).unwrap();
        assert_eq!(c, vec![d(2017, 4, 5), d(2017, 5, 4)]);
        let c = f.candidates(CellRef::Text("13-05-2017"), Tz::UTC).unwrap();
        assert_eq!(c, vec![d(2017, 5, 13)]);
        let c = f.candidates(CellRef::Text("04-04-2017"), Tz::UTC).unwrap();
        assert_eq!(c, vec![d(2017, 4, 4)]);
    }

    #[test]
    fn month_column_resolves() {
        let c = vec![d(2017, 4, 5), d(2017, 5, 4)];
        assert_eq!(resolve_by_month(&c, Some("May-17"), "%b-%y").unwrap(), d(2017, 5, 4));
        assert_eq!(
            resolve_by_month(&c, Some("Jun-17"), "%b-%y").unwrap_err(),
            RejectReason::DateOutsideReferenceMonth
        );
        assert_eq!(
            resolve_by_month(&c[..1], Some("Apr-17"), "%b-%y").unwrap(),
            d(2017, 4, 5)
        );
        assert_eq!(
            resolve_by_month(&c[..1], Some("May-17"), "%b-%y").unwrap_err(),
            RejectReason::DateOutsideReferenceMonth
        );
        assert_eq!(
            resolve_by_month(&c, Some("garbage"), "%b-%y").unwrap_err(),
            RejectReason::UnparseableReference
        );
    }

    #[test]
    fn offsets_are_converted_to_branch_time() {
        let f = DateField::new("x", "rfc3339");
        let f = CompiledDate::new(&f);
        let tz: Tz = "Asia/Kolkata".parse().unwrap();
        let c = f.candidates(CellRef::Text("2024-01-01T00:00:00Z"), tz).unwrap();
        assert_eq!(
            c,
            vec![NaiveDate::from_ymd_opt(2024, 1, 1)
                .unwrap()
                .and_hms_opt(5, 30, 0)
                .unwrap()]
        );
    }

    #[test]
    fn unparseable_and_missing() {
        let f = DateField::new("x", "%Y-%m-%d");
        let f = CompiledDate::new(&f);
        assert_eq!(
            f.candidates(CellRef::Text("2-1217"), Tz::UTC).unwrap_err(),
            RejectReason::UnparseableDate
        );
        assert_eq!(
            f.candidates(CellRef::Empty, Tz::UTC).unwrap_err(),
            RejectReason::MissingValue
        );
        // Offsets in a strftime format convert too; a malformed format matches nothing.
        let g = DateField::with_formats("x", ["%Y-%m-%d %H:%M %z", "%Q"]);
        let g = CompiledDate::new(&g);
        let c = g.candidates(CellRef::Text("2024-01-01 10:00 +0000"), Tz::UTC).unwrap();
        assert_eq!(
            c,
            vec![NaiveDate::from_ymd_opt(2024, 1, 1)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap()]
        );
    }
}
