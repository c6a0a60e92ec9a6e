//! Public-holiday calendars: national calendars computed for any year
//! (movable feasts by their algorithms, not listed by hand), plus the
//! caller's own dates and events (local festivals, strikes, outbreaks).
//!
//! Admissions dip on public holidays (DOMAIN.md §5); the generator applies
//! these calendars and forecasters take them as features.
//!
//! ```
//! use chrono::NaiveDate;
//! use hutano_core::calendar::{Calendar, Country};
//!
//! let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
//! let mut cal = Calendar::national(Country::Zimbabwe);
//! cal.add_event("hospital strike", d(2024, 6, 3), d(2024, 6, 6))?;
//! assert_eq!(cal.name_of(d(2024, 3, 29)).as_deref(), Some("Good Friday"));
//! assert_eq!(cal.name_of(d(2024, 6, 5)).as_deref(), Some("hospital strike"));
//! assert!(!cal.is_holiday(d(2024, 6, 6))); // events are half-open [start, end)
//! # Ok::<(), hutano_core::Error>(())
//! ```

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A country whose national calendar is built in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Country {
    /// Zimbabwe (Public Holidays and Prohibition of Business Act, as amended).
    Zimbabwe,
    /// India: national holidays (Republic Day, Independence Day, Gandhi
    /// Jayanti) plus the widely observed gazetted holidays listed in
    /// [`holidays`].
    India,
}

/// One holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day.
    pub date: NaiveDate,
    /// Its name.
    pub name: String,
}

/// Public holidays of `country` in `year`, sorted by date (several names
/// can fall on one date).
///
/// Zimbabwe: New Year, National Youth Day (21 February), Good Friday, Holy
/// Saturday and Easter Monday (Easter by the anonymous Gregorian computus),
/// Independence Day (18 April), Workers' Day, Africa Day (25 May), Heroes'
/// Day (second Monday of August) and Defence Forces Day (the Tuesday
/// after), Unity Day (22 December), Christmas and Boxing Day; a fixed-date
/// holiday on a Sunday is also observed on the Monday.
///
/// India: Republic Day (26 January), Good Friday, Labour Day (1 May),
/// Independence Day (15 August), Gandhi Jayanti (2 October), Diwali and
/// Christmas. Diwali is approximated from the mean lunation (within a day of
/// the almanac date; see [`diwali`]).
#[must_use]
pub fn holidays(country: Country, year: i32) -> Vec<Holiday> {
    let mut out = match country {
        Country::Zimbabwe => zimbabwe(year),
        Country::India => india(year),
    };
    out.sort_by(|a, b| (a.date, &a.name).cmp(&(b.date, &b.name)));
    out
}

fn push(out: &mut Vec<Holiday>, date: Option<NaiveDate>, name: &str) {
    if let Some(date) = date {
        out.push(Holiday {
            date,
            name: name.to_string(),
        });
    }
}

fn zimbabwe(year: i32) -> Vec<Holiday> {
    let mut out = Vec::with_capacity(20);
    let fixed = [
        (1, 1, "New Year's Day"),
        (2, 21, "National Youth Day"),
        (4, 18, "Independence Day"),
        (5, 1, "Workers' Day"),
        (5, 25, "Africa Day"),
        (12, 22, "Unity Day"),
        (12, 25, "Christmas Day"),
        (12, 26, "Boxing Day"),
    ];
    for (month, day, name) in fixed {
        let date = NaiveDate::from_ymd_opt(year, month, day);
        push(&mut out, date, name);
        // A fixed-date holiday on a Sunday is also observed on the Monday.
        if let Some(d) = date.filter(|d| d.weekday() == Weekday::Sun) {
            push(&mut out, Some(d + TimeDelta::days(1)), &format!("{name} (observed)"));
        }
    }
    if let Some(e) = easter(year) {
        push(&mut out, Some(e - TimeDelta::days(2)), "Good Friday");
        push(&mut out, Some(e - TimeDelta::days(1)), "Holy Saturday");
        push(&mut out, Some(e + TimeDelta::days(1)), "Easter Monday");
    }
    if let Some(heroes) = NaiveDate::from_weekday_of_month_opt(year, 8, Weekday::Mon, 2) {
        push(&mut out, Some(heroes), "Heroes' Day");
        push(&mut out, Some(heroes + TimeDelta::days(1)), "Defence Forces Day");
    }
    out
}

fn india(year: i32) -> Vec<Holiday> {
    let mut out = Vec::with_capacity(8);
    let fixed = [
        (1, 26, "Republic Day"),
        (5, 1, "Labour Day"),
        (8, 15, "Independence Day"),
        (10, 2, "Gandhi Jayanti"),
        (12, 25, "Christmas Day"),
    ];
    for (month, day, name) in fixed {
        push(&mut out, NaiveDate::from_ymd_opt(year, month, day), name);
    }
    push(&mut out, easter(year).map(|e| e - TimeDelta::days(2)), "Good Friday");
    push(&mut out, diwali(year), "Diwali");
    out
}

/// A holiday calendar: a country's national holidays (any year) plus the
/// caller's own dates and multi-day events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Calendar {
    /// Built-in national calendar, if any.
    pub country: Option<Country>,
    /// The caller's own days and events as half-open `[start, end)` ranges
    /// (may be left out of JSON: none).
    #[serde(default)]
    pub events: Vec<Event>,
}

/// A named range of days `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Name (e.g. `"Harare agricultural show"`, `"nurses' strike"`).
    pub name: String,
    /// First day.
    pub start: NaiveDate,
    /// Day after the last day.
    pub end: NaiveDate,
}

impl Calendar {
    /// The national calendar of `country`.
    #[must_use]
    pub fn national(country: Country) -> Self {
        Self {
            country: Some(country),
            events: Vec::new(),
        }
    }

    /// Add a one-day holiday.
    pub fn add_date(&mut self, name: impl Into<String>, date: NaiveDate) {
        self.events.push(Event {
            name: name.into(),
            start: date,
            end: date.succ_opt().unwrap_or(date),
        });
    }

    /// Add an event over `[start, end)`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `start < end`.
    pub fn add_event(&mut self, name: impl Into<String>, start: NaiveDate, end: NaiveDate) -> Result<()> {
        if start >= end {
            return Err(Error::InvalidParameter {
                name: "event",
                problem: format!("end {end} is not after start {start}"),
            });
        }
        self.events.push(Event {
            name: name.into(),
            start,
            end,
        });
        Ok(())
    }

    /// The name of the first holiday or event on `day`, if any.
    #[must_use]
    pub fn name_of(&self, day: NaiveDate) -> Option<String> {
        if let Some(country) = self.country {
            if let Some(h) = holidays(country, day.year()).into_iter().find(|h| h.date == day) {
                return Some(h.name);
            }
        }
        self.events
            .iter()
            .find(|e| e.start <= day && day < e.end)
            .map(|e| e.name.clone())
    }

    /// Whether `day` is a holiday or inside an event.
    #[must_use]
    pub fn is_holiday(&self, day: NaiveDate) -> bool {
        self.name_of(day).is_some()
    }

    /// Every holiday and event day in `[start, end)`, sorted by date.
    #[must_use]
    pub fn days_between(&self, start: NaiveDate, end: NaiveDate) -> Vec<Holiday> {
        let mut out = Vec::new();
        if let Some(country) = self.country {
            for year in start.year()..=end.year() {
                out.extend(
                    holidays(country, year)
                        .into_iter()
                        .filter(|h| start <= h.date && h.date < end),
                );
            }
        }
        for e in &self.events {
            let mut d = e.start.max(start);
            while d < e.end.min(end) {
                out.push(Holiday {
                    date: d,
                    name: e.name.clone(),
                });
                d = d.succ_opt().unwrap_or(NaiveDate::MAX);
            }
        }
        out.sort_by(|a, b| (a.date, &a.name).cmp(&(b.date, &b.name)));
        out
    }
}

/// Easter Sunday of `year` (Gregorian), by the anonymous Gregorian algorithm
/// (Meeus, *Astronomical Algorithms*, ch. 8). Variable names follow the
/// published algorithm.
#[allow(clippy::many_single_char_names)]
#[must_use]
pub fn easter(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Approximate Diwali (Lakshmi Puja, on the new moon of Kartika): the day
/// the new-moon tithi prevails in the evening, taken as the Indian date of
/// the mean new moon minus 20 hours, for the first such date on or after 17
/// October. The mean lunation (29.530 588 861 days from the new moon of
/// 2000-01-06 18:14 UTC; Meeus, *Astronomical Algorithms*, ch. 49) is within
/// about 14 hours of the true one, so the date is within a day of the
/// almanac (exact for 9 of the 14 years 2015–2028).
#[must_use]
pub fn diwali(year: i32) -> Option<NaiveDate> {
    const SYNODIC: f64 = 29.530_588_861;
    const LEAD: TimeDelta = TimeDelta::hours(20);
    let reference = NaiveDate::from_ymd_opt(2000, 1, 6)?.and_hms_opt(18, 14, 0)?;
    // Midnight IST of 17 October is 18:30 UTC of 16 October.
    let from = NaiveDate::from_ymd_opt(year, 10, 16)?.and_hms_opt(18, 30, 0)? + LEAD;
    let elapsed = (from - reference).num_minutes() as f64 / 1440.0;
    let lunations = (elapsed / SYNODIC).ceil();
    // Whole minutes of lunations from the reference: far inside i64.
    #[allow(clippy::cast_possible_truncation)]
    let minutes = (lunations * SYNODIC * 1440.0).round() as i64;
    let new_moon_utc = reference + TimeDelta::minutes(minutes);
    Some((new_moon_utc + TimeDelta::minutes(330) - LEAD).date())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_known_dates() {
        assert_eq!(easter(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter(2000), Some(d(2000, 4, 23)));
        assert_eq!(easter(2038), Some(d(2038, 4, 25)));
        assert_eq!(easter(1818), Some(d(1818, 3, 22)));
    }

    #[test]
    fn diwali_is_within_a_day_of_the_almanac() {
        for (y, m, day) in [(2023, 11, 12), (2024, 11, 1), (2025, 10, 20), (2026, 11, 8)] {
            let got = diwali(y).unwrap();
            assert!((got - d(y, m, day)).num_days().abs() <= 1, "{y}: {got}");
        }
    }

    #[test]
    fn zimbabwe_2024() {
        let h = holidays(Country::Zimbabwe, 2024);
        let names: Vec<(NaiveDate, &str)> = h.iter().map(|h| (h.date, h.name.as_str())).collect();
        assert!(names.contains(&(d(2024, 3, 29), "Good Friday")));
        assert!(names.contains(&(d(2024, 4, 1), "Easter Monday")));
        assert!(names.contains(&(d(2024, 8, 12), "Heroes' Day")));
        assert!(names.contains(&(d(2024, 8, 13), "Defence Forces Day")));
        // 2022-12-25 was a Sunday: Monday 26 is Boxing Day and Christmas observed.
        let h22 = holidays(Country::Zimbabwe, 2022);
        assert!(h22
            .iter()
            .any(|h| h.date == d(2022, 12, 26) && h.name == "Christmas Day (observed)"));
        assert!(h.windows(2).all(|w| w[0].date <= w[1].date));
    }

    #[test]
    fn india_2024_and_user_events() {
        let mut cal = Calendar::national(Country::India);
        assert_eq!(cal.name_of(d(2024, 1, 26)).as_deref(), Some("Republic Day"));
        assert_eq!(cal.name_of(d(2024, 3, 29)).as_deref(), Some("Good Friday"));
        assert!(!cal.is_holiday(d(2024, 1, 27)));
        cal.add_date("local festival", d(2024, 1, 27));
        assert!(cal.is_holiday(d(2024, 1, 27)));
        assert!(cal.add_event("bad", d(2024, 2, 2), d(2024, 2, 2)).is_err());
        let days = cal.days_between(d(2024, 1, 1), d(2024, 2, 1));
        assert_eq!(days.len(), 2);
        assert_eq!(days[1].name, "local festival");
    }
}
