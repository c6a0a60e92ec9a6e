//! Invariants of forecasts and backtests.

// Test code: unwrap is the assertion.
#![allow(clippy::unwrap_used, clippy::float_cmp)]

use hutano_forecast::backtest::{cross_validation, evaluate};
use hutano_forecast::baseline::{Naive, SeasonalNaive};
use hutano_forecast::forecast::{Fit, Forecast, Predict};
use hutano_forecast::panel::{FillRule, Freq, Panel};
use hutano_forecast::Error;
use proptest::prelude::*;

fn check_shape(f: &Forecast, h: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(f.point.len(), h);
    for j in 0..f.levels.len() {
        for t in 0..h {
            prop_assert!(f.lower[j][t] <= f.point[t] && f.point[t] <= f.upper[j][t]);
        }
    }
    // Levels are given ascending below: wider level, wider interval.
    for j in 1..f.levels.len() {
        for t in 0..h {
            prop_assert!(f.lower[j][t] <= f.lower[j - 1][t] && f.upper[j][t] >= f.upper[j - 1][t]);
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn forecasts_have_the_horizon_and_nested_intervals(
        y in prop::collection::vec(0.0f64..200.0, 15..80),
        h in 1usize..40,
        m in 1usize..15,
    ) {
        let levels = [50.0, 80.0, 95.0];
        let f = Naive.fit(&y).unwrap().predict(h, &levels).unwrap();
        check_shape(&f, h)?;
        let f = SeasonalNaive::new(m).fit(&y).unwrap().predict(h, &levels).unwrap();
        check_shape(&f, h)?;
        // Counts: clipped forecasts are never negative and stay nested.
        let c = f.non_negative();
        prop_assert!(c.point.iter().chain(c.lower.iter().flatten()).all(|x| *x >= 0.0));
        check_shape(&c, h)?;
    }

    /// The count regression: nested intervals and no negative value
    /// without any clipping, with or without a holiday calendar.
    #[test]
    fn glm_forecasts_are_nested_and_never_negative(
        y in prop::collection::vec(0u32..200, 15..120),
        h in 1usize..40,
        holidays in any::<bool>(),
    ) {
        let y: Vec<f64> = y.into_iter().map(f64::from).collect();
        let mut glm = hutano_forecast::glm::Glm::default();
        if holidays {
            glm = glm.calendar(hutano_core::calendar::Calendar::national(hutano_core::calendar::Country::Zimbabwe));
        }
        let f = glm.fit(&y).unwrap().predict(h, &[50.0, 80.0, 95.0]).unwrap();
        check_shape(&f, h)?;
        prop_assert!(f.point.iter().chain(f.lower.iter().flatten()).all(|x| *x >= 0.0 && x.is_finite()));
        prop_assert!(f.upper.iter().flatten().all(|x| x.is_finite()));
    }
}

fn weekly_panel(n_series: usize, days: usize) -> Panel {
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let rows = (0..n_series).flat_map(move |s| {
        (0..days).map(move |d| {
            let weekly = [1.0, 1.1, 1.05, 1.0, 0.95, 0.6, 0.5][d % 7];
            let noise = ((d * 7919 + s * 104_729) % 13) as f64 - 6.0;
            (
                format!("s{s}"),
                start + chrono::TimeDelta::days(i64::try_from(d).unwrap()),
                (40.0 + 5.0 * s as f64) * weekly + noise,
            )
        })
    });
    Panel::from_long(rows, Freq::Daily, FillRule::Error).unwrap()
}

#[test]
fn backtest_holds_out_the_future_and_seasonal_naive_beats_naive_on_weekly_data() {
    let panel = weekly_panel(6, 200);
    let w = cross_validation(&SeasonalNaive::new(7), &panel, 14, 3, 14, &[80.0, 95.0], 7, true).unwrap();
    assert_eq!(w.len(), 6 * 3);
    // Cutoffs from each series' own end: 200 - 14 - 14*(2 - w).
    assert_eq!(
        w.iter().take(3).map(|x| x.cutoff).collect::<Vec<_>>(),
        vec![158, 172, 186]
    );
    for x in &w {
        let s = panel.series.iter().find(|s| s.unique_id == x.unique_id).unwrap();
        assert_eq!(x.actual, s.y[x.cutoff..x.cutoff + 14]);
    }
    let seasonal = evaluate(&w).unwrap();
    let naive = evaluate(&cross_validation(&Naive, &panel, 14, 3, 14, &[80.0, 95.0], 7, true).unwrap()).unwrap();
    assert!(seasonal.mase < naive.mase, "{} vs {}", seasonal.mase, naive.mase);
    assert!(seasonal.coverage[1].1 >= seasonal.coverage[0].1);
    assert!(seasonal.crps > 0.0 && seasonal.rmse >= seasonal.mae);
}

#[test]
fn backtest_parallel_equals_serial() {
    let panel = weekly_panel(16, 120);
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| cross_validation(&SeasonalNaive::new(7), &panel, 7, 4, 7, &[80.0], 7, true).unwrap())
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn short_series_and_bad_parameters_are_typed_errors() {
    let panel = weekly_panel(2, 20);
    let err = cross_validation(&Naive, &panel, 14, 3, 14, &[80.0], 7, false).unwrap_err();
    assert!(
        matches!(err, Error::TooShort { ref unique_id, .. } if unique_id == "s0"),
        "{err}"
    );
    let err = cross_validation(&Naive, &panel, 0, 1, 1, &[80.0], 7, false).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { name: "h", .. }));
    let err = Naive.fit(&[1.0, 2.0]).unwrap().predict(3, &[100.0]).unwrap_err();
    assert!(matches!(err, Error::InvalidLevel { .. }));
    assert!(SeasonalNaive::new(0).fit(&[1.0]).is_err());
    assert!(Naive.fit(&[]).is_err());
}

#[test]
fn constant_series_has_zero_width_intervals() {
    let f = Naive.fit(&[5.0; 30]).unwrap().predict(3, &[95.0]).unwrap();
    assert_eq!(f.lower[0], vec![5.0; 3]);
    assert_eq!(f.upper[0], vec![5.0; 3]);
}

#[test]
fn daily_admissions_from_the_kpi_engine_become_a_panel() {
    use hutano_core::generate::{generate, GeneratorConfig};
    use hutano_core::kpi::{Dimension, Engine, Grain, Period, Query};
    let net = generate(&GeneratorConfig::national(3).days(120)).unwrap();
    let engine = Engine::new(&net).unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let period = Period::new(start, start + chrono::Days::new(120)).unwrap();
    let q = Query::new(period).group_by([Dimension::Branch]).grain(Grain::Day);
    let table = engine.admissions(&q).unwrap();
    let panel = Panel::from_daily_table(&table, &["branch"], "period_start", "admissions").unwrap();
    assert_eq!(panel.series.len(), 11);
    assert!(panel.series.iter().all(|s| s.y.len() == 120));
    let total: f64 = panel.series.iter().flat_map(|s| s.y.iter()).sum();
    assert_eq!(total, table.sum("admissions").unwrap());
    let windows = cross_validation(&SeasonalNaive::new(7), &panel, 14, 3, 14, &[80.0, 95.0], 7, true).unwrap();
    let m = evaluate(&windows).unwrap();
    assert!(m.mase.is_finite() && m.mase > 0.0);
    assert!(windows.iter().all(|w| w.forecast.point.iter().all(|x| *x >= 0.0)));
}

/// Awkward hospital series never crash a model: each returns finite,
/// ordered forecasts or a typed error.
#[test]
fn every_model_survives_zeros_constants_short_series_and_outliers() {
    use hutano_forecast::ensemble::Member;
    use hutano_forecast::forecast::SeriesView;
    use hutano_forecast::prophet::Prophet;
    use hutano_forecast::trees::{BoostedForecaster, ForestForecaster};

    #[allow(unused_mut)]
    let mut models: Vec<(&str, Box<dyn Member>)> = vec![
        ("naive", Box::new(Naive)),
        ("snaive", Box::new(SeasonalNaive::new(7))),
        ("forest", Box::new(ForestForecaster::default())),
        ("boosted", Box::new(BoostedForecaster::default())),
        ("prophet", Box::new(Prophet::default())),
        ("glm", Box::new(hutano_forecast::glm::Glm::default())),
        ("auto_arima", Box::new(hutano_forecast::arima::AutoArima::params(7))),
        (
            "arima(1,1,1)(0,1,1)7",
            Box::new(
                hutano_forecast::arima::Arima::params()
                    .order(1, 1, 1)
                    .seasonal(0, 1, 1, 7),
            ),
        ),
        ("ensemble (calibrated intervals)", {
            let mut e = hutano_forecast::ensemble::Ensemble::new()
                .member("naive", Naive)
                .member("snaive", SeasonalNaive::new(7))
                .member("glm", hutano_forecast::glm::Glm::default());
            e.intervals = hutano_forecast::ensemble::Intervals::Calibrated;
            Box::new(e)
        }),
    ];
    #[cfg(feature = "augurs")]
    {
        models.push(("ets", Box::new(hutano_forecast::ets::AutoEts::new(7))));
        models.push(("mstl", Box::new(hutano_forecast::mstl::Mstl::new(vec![7]))));
        models.push((
            "cleaned ets",
            Box::new(hutano_forecast::clean::Cleaned::new(
                hutano_forecast::ets::AutoEts::new(7),
            )),
        ));
    }
    models.push((
        "cleaned glm",
        Box::new(hutano_forecast::clean::Cleaned::new(
            hutano_forecast::glm::Glm::default(),
        )),
    ));
    let mut spiky: Vec<f64> = (0..120u32).map(|t| f64::from(10 + t % 7)).collect();
    spiky[60] = 1e6;
    let zero_runs: Vec<f64> = (0..120)
        .map(|t| if (30..60).contains(&t) { 0.0 } else { 3.0 })
        .collect();
    let series: Vec<(&str, Vec<f64>)> = vec![
        ("all zeros", vec![0.0; 120]),
        ("constant", vec![5.0; 120]),
        (
            "short (< 2 seasons)",
            vec![3.0, 4.0, 2.0, 5.0, 3.0, 4.0, 1.0, 2.0, 3.0, 4.0],
        ),
        ("outlier", spiky),
        ("run of zeros", zero_runs),
    ];
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_time(chrono::NaiveTime::MIN);
    for (name, y) in &series {
        for (model, m) in &models {
            let view = SeriesView::new(y, start, Freq::Daily);
            match m.fit_boxed(view).and_then(|f| f.predict(14, &[80.0, 95.0])) {
                Ok(f) => {
                    let f = f.non_negative();
                    assert_eq!(f.len(), 14, "{model} on {name}");
                    for t in 0..14 {
                        let vals = [f.point[t], f.lower[0][t], f.upper[0][t], f.lower[1][t], f.upper[1][t]];
                        assert!(vals.iter().all(|v| !v.is_nan()), "{model} on {name}: NaN at {t}");
                        assert!(
                            f.lower[1][t] <= f.lower[0][t] && f.lower[0][t] <= f.point[t],
                            "{model} on {name}"
                        );
                        assert!(
                            f.point[t] <= f.upper[0][t] && f.upper[0][t] <= f.upper[1][t],
                            "{model} on {name}"
                        );
                    }
                }
                Err(e) => assert!(
                    matches!(
                        e,
                        Error::TooShort { .. } | Error::InvalidParameter { .. } | Error::Model { .. }
                    ),
                    "{model} on {name}: unexpected error {e}"
                ),
            }
        }
    }
}
