//! The built-in national calendars against python-holidays 0.109.
//!
//! The fixture `tests/fixtures/holidays_python_holidays_0_109.csv` is
//! written by `tests/reference/holidays_reference.py` (see its header for
//! the command). Dates are compared as sets per year; names may differ.

// Test code: unwrap is the assertion (the fixture is committed and well formed).
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use hutano_core::calendar::{holidays, Calendar, Country};

const FIXTURE: &str = include_str!("fixtures/holidays_python_holidays_0_109.csv");

/// Years python-holidays tabulates India's lunar holidays for. Outside them
/// the fixture holds only the fixed-date holidays and Good Friday, and
/// hutano adds an approximated Diwali, left out of the comparison.
const INDIA_TABLE_YEARS: std::ops::RangeInclusive<i32> = 2001..=2035;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The fixture's dates by (country code, year).
fn fixture() -> BTreeMap<(String, i32), BTreeSet<NaiveDate>> {
    let mut reader = csv::Reader::from_reader(FIXTURE.as_bytes());
    let mut out: BTreeMap<(String, i32), BTreeSet<NaiveDate>> = BTreeMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let date = NaiveDate::parse_from_str(&record[1], "%Y-%m-%d").unwrap();
        out.entry((record[0].to_string(), date.year()))
            .or_default()
            .insert(date);
    }
    out
}

fn ours(country: Country, year: i32) -> BTreeSet<NaiveDate> {
    holidays(country, year)
        .into_iter()
        .filter(|h| !(country == Country::India && !INDIA_TABLE_YEARS.contains(&year) && h.name == "Diwali"))
        .map(|h| h.date)
        .collect()
}

fn check_country(code: &str, country: Country, years: std::ops::RangeInclusive<i32>) {
    let expected = fixture();
    let mut failures = Vec::new();
    for year in years {
        let want = expected
            .get(&(code.to_string(), year))
            .unwrap_or_else(|| panic!("fixture has no {code} rows for {year}"));
        let got = ours(country, year);
        if &got != want {
            let missing: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(want).collect();
            failures.push(format!(
                "{code} {year}: missing (python-holidays only) {missing:?}, extra (hutano only) {extra:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn matches_python_holidays_zimbabwe_1988_2040() {
    check_country("ZW", Country::Zimbabwe, 1988..=2040);
}

#[test]
fn matches_python_holidays_india_1995_2040() {
    check_country("IN", Country::India, 1995..=2040);
}

#[test]
fn fixture_covers_the_compared_years() {
    let f = fixture();
    assert_eq!(f.keys().filter(|(c, _)| c == "ZW").count(), 2040 - 1988 + 1);
    assert_eq!(f.keys().filter(|(c, _)| c == "IN").count(), 2040 - 1995 + 1);
    // Every tabulated year has Diwali, Holi or another lunar holiday beyond
    // the six every-year ones.
    for year in INDIA_TABLE_YEARS {
        assert!(f[&("IN".to_string(), year)].len() > 6, "IN {year}");
    }
}

fn has(country: Country, date: NaiveDate, name: &str) -> bool {
    holidays(country, date.year())
        .iter()
        .any(|h| h.date == date && h.name == name)
}

fn is_holiday(country: Country, date: NaiveDate) -> bool {
    Calendar::national(country).is_holiday(date)
}

#[test]
fn zimbabwe_christmas_on_sunday_is_observed_on_tuesday() {
    // 2022-12-25 was a Sunday; Monday 26 is Boxing Day.
    assert!(has(Country::Zimbabwe, d(2022, 12, 26), "Boxing Day"));
    assert!(has(Country::Zimbabwe, d(2022, 12, 27), "Christmas Day (observed)"));
    assert!(!has(Country::Zimbabwe, d(2022, 12, 26), "Christmas Day (observed)"));
    // Boxing Day on a Sunday (2021, Christmas on Saturday) moves to Monday 27.
    assert!(has(Country::Zimbabwe, d(2021, 12, 27), "Boxing Day (observed)"));
}

#[test]
fn zimbabwe_independence_day_on_easter_sunday_is_observed_on_tuesday() {
    // Easter 2049 is 18 April; python-holidays 0.109 gives Tuesday 20 April.
    assert!(has(Country::Zimbabwe, d(2049, 4, 18), "Easter Sunday"));
    assert!(has(Country::Zimbabwe, d(2049, 4, 19), "Easter Monday"));
    assert!(has(Country::Zimbabwe, d(2049, 4, 20), "Independence Day (observed)"));
    // On an ordinary Sunday (2021) it is the Monday.
    assert!(has(Country::Zimbabwe, d(2021, 4, 19), "Independence Day (observed)"));
}

#[test]
fn zimbabwe_youth_day_from_2018() {
    assert!(!is_holiday(Country::Zimbabwe, d(2017, 2, 21)));
    assert!(is_holiday(Country::Zimbabwe, d(2018, 2, 21)));
}

#[test]
fn zimbabwe_munhumutapa_day_from_2026() {
    assert!(!is_holiday(Country::Zimbabwe, d(2025, 9, 15)));
    assert!(has(Country::Zimbabwe, d(2026, 9, 15), "Munhumutapa Day"));
    // 2030-09-15 is a Sunday.
    assert!(has(Country::Zimbabwe, d(2030, 9, 16), "Munhumutapa Day (observed)"));
}

#[test]
fn zimbabwe_easter_sunday_from_2010() {
    assert!(has(Country::Zimbabwe, d(2024, 3, 31), "Easter Sunday"));
    assert!(!is_holiday(Country::Zimbabwe, d(2009, 4, 12)));
    assert!(is_holiday(Country::Zimbabwe, d(2010, 4, 4)));
}

#[test]
fn india_has_holi_and_not_labour_day() {
    assert!(has(Country::India, d(2024, 3, 25), "Holi"));
    assert!(!is_holiday(Country::India, d(2024, 5, 1)));
    assert!(has(Country::India, d(2024, 4, 14), "Dr. B. R. Ambedkar's Birthday"));
    // Tabulated Diwali 2024 (31 October), not the approximation.
    assert!(has(Country::India, d(2024, 10, 31), "Diwali"));
    assert_eq!(
        holidays(Country::India, 2024)
            .iter()
            .filter(|h| h.name == "Diwali")
            .count(),
        1
    );
}

#[test]
fn india_outside_the_table_has_the_approximated_diwali_only() {
    for year in [2000, 2036] {
        let h = holidays(Country::India, year);
        let diwali = hutano_core::calendar::diwali(year).unwrap();
        assert!(h.iter().any(|h| h.date == diwali && h.name == "Diwali"), "{year}");
        assert_eq!(h.len(), 7, "{year}: {h:?}");
    }
}
