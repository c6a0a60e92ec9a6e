//! The GLM on a real series with a level shift: the daily discharges of
//! one English acute trust (`tests/data/nhs_discharges_rem.csv`, see
//! `tests/data/SOURCE.md`), which rose from about 27 to about 160 a day on
//! 2023-08-01 and whose week changed shape in 2024.

use chrono::{NaiveDate, NaiveTime};
use hutano_forecast::forecast::{Fit, Predict, SeriesView};
use hutano_forecast::glm::Glm;
use hutano_forecast::panel::Freq;

fn series() -> (NaiveDate, Vec<f64>) {
    let text = include_str!("data/nhs_discharges_rem.csv");
    let mut rows = text.lines().skip(1).map(|line| {
        let (ds, y) = line.split_once(',').expect("two columns");
        (
            NaiveDate::parse_from_str(ds, "%Y-%m-%d").expect("a date"),
            y.parse::<f64>().expect("a count"),
        )
    });
    let (start, first) = rows.next().expect("a first row");
    let mut y = vec![first];
    for (i, (day, v)) in rows.enumerate() {
        assert_eq!(
            (day - start).num_days(),
            i64::try_from(i + 1).expect("small"),
            "one row a day"
        );
        y.push(v);
    }
    (start, y)
}

/// Mean absolute error over 3 rolling origins of 14 days (the benchmark's
/// windows), and the level shifts found at the last origin.
fn backtest(glm: &Glm) -> (f64, Vec<NaiveDate>) {
    let (start, y) = series();
    let start = start.and_time(NaiveTime::MIN);
    let (mut total, mut shifts) = (0.0, Vec::new());
    for w in 0..3 {
        let cut = y.len() - 14 * (3 - w);
        let fitted = glm
            .fit_series(SeriesView::new(&y[..cut], start, Freq::Daily))
            .expect("fits");
        let fc = fitted.predict(14, &[80.0]).expect("forecasts");
        total += fc
            .point
            .iter()
            .zip(&y[cut..cut + 14])
            .map(|(f, a)| (f - a).abs())
            .sum::<f64>();
        shifts = fitted
            .level_shifts()
            .expect("dates")
            .iter()
            .map(chrono::NaiveDateTime::date)
            .collect();
    }
    (total / 42.0, shifts)
}

#[test]
fn the_level_shift_of_a_real_trust_is_found_and_improves_the_forecast() {
    let (mae, shifts) = backtest(&Glm::default());
    let day = NaiveDate::from_ymd_opt(2023, 8, 1).expect("a date");
    assert!(
        shifts.iter().any(|s| (*s - day).num_days().abs() <= 3),
        "shifts found: {shifts:?}"
    );
    let (mae_equal_weights, _) = backtest(&Glm {
        half_life: None,
        ..Glm::default()
    });
    let (mae_without, none) = backtest(&Glm {
        level_shifts: 0,
        half_life: None,
        ..Glm::default()
    });
    assert!(none.is_empty());
    eprintln!("MAE: {mae:.1} (default), {mae_equal_weights:.1} (equal weights), {mae_without:.1} (neither)");
    assert!(mae < mae_equal_weights && mae_equal_weights < mae_without);
}
