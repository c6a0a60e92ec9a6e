//! Rolling-origin backtests and accuracy metrics.
//!
//! Forecasts are judged only on data the model did not see: for window `w`
//! of `n_windows`, the model is fitted on the observations before the cutoff
//! `len − h − step·(n_windows − 1 − w)` and scored on the next `h`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::forecast::{check_levels, Fit, Forecast, Predict};
use crate::panel::Panel;

/// One backtest window of one series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Window {
    /// The series.
    pub unique_id: String,
    /// Number of training observations (the cutoff index).
    pub cutoff: usize,
    /// Actual values of the `h` held-out steps.
    pub actual: Vec<f64>,
    /// The forecast made at the cutoff.
    pub forecast: Forecast,
    /// Mean absolute seasonal difference of the training data (the MASE
    /// scale), with the season given to [`cross_validation`].
    pub scale: f64,
}

/// Rolling-origin cross-validation of `model` on every series of `panel`
/// (in parallel with the `parallel` feature; the result is the same).
///
/// `non_negative` clips forecasts and bounds at zero (counts).
///
/// # Errors
/// [`Error::InvalidParameter`] for `h`, `n_windows` or `step` of zero;
/// [`Error::TooShort`] naming a series without enough data for the first
/// window (at least `season + 1` training values); errors of the model.
#[allow(clippy::too_many_arguments)]
pub fn cross_validation<M>(
    model: &M,
    panel: &Panel,
    h: usize,
    n_windows: usize,
    step: usize,
    levels: &[f64],
    season: usize,
    non_negative: bool,
) -> Result<Vec<Window>>
where
    M: Fit + Sync,
{
    for (name, v) in [("h", h), ("n_windows", n_windows), ("step", step), ("season", season)] {
        if v == 0 {
            return Err(Error::InvalidParameter {
                name,
                problem: "must be at least 1".into(),
            });
        }
    }
    check_levels(levels)?;
    let run = |s: &crate::panel::Series| -> Result<Vec<Window>> {
        let n = s.y.len();
        let needed = h + step * (n_windows - 1) + season + 1;
        if n < needed {
            return Err(Error::TooShort {
                unique_id: s.unique_id.clone(),
                needed,
                got: n,
            });
        }
        (0..n_windows)
            .map(|w| {
                let cutoff = n - h - step * (n_windows - 1 - w);
                let train = &s.y[..cutoff];
                let view = crate::forecast::SeriesView::new(train, s.start, s.freq).with_regressors(&s.x);
                let fitted = model
                    .fit_series(view)
                    .map_err(|e| crate::spec::in_series(e, &s.unique_id))?;
                let mut forecast = fitted.predict(h, levels)?;
                if non_negative {
                    forecast = forecast.non_negative();
                }

                Ok(Window {
                    unique_id: s.unique_id.clone(),
                    cutoff,
                    actual: s.y[cutoff..cutoff + h].to_vec(),
                    forecast,
                    scale: mase_scale(train, season),
                })
            })
            .collect()
    };
    #[cfg(feature = "parallel")]
    let per_series: Vec<Result<Vec<Window>>> = {
        use rayon::prelude::*;
        panel.series.par_iter().map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let per_series: Vec<Result<Vec<Window>>> = panel.series.iter().map(run).collect();
    let mut out = Vec::new();
    for r in per_series {
        out.extend(r?);
    }
    Ok(out)
}

/// The MASE scale of a training series: the mean absolute difference at lag
/// `season` (Hyndman & Koehler 2006); 0 when the series is not longer than
/// `season`.
#[must_use]
pub fn mase_scale(train: &[f64], season: usize) -> f64 {
    let n = train.len().saturating_sub(season);
    (season..train.len())
        .map(|t| (train[t] - train[t - season]).abs())
        .sum::<f64>()
        / n.max(1) as f64
}

/// Accuracy of a backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Mean absolute scaled error: per window, mean |error| over the horizon
    /// divided by the window's training mean absolute seasonal difference
    /// (Hyndman & Koehler 2006); averaged over windows with a positive scale.
    pub mase: f64,
    /// Symmetric MAPE, `mean(2|e| / (|y| + |ŷ|))` with 0/0 = 0, as a
    /// fraction in [0, 2].
    pub smape: f64,
    /// Root mean squared error, pooled.
    pub rmse: f64,
    /// Mean absolute error, pooled.
    pub mae: f64,
    /// Mean of forecast − actual, pooled (positive = over-forecast).
    pub bias: f64,
    /// Share of actuals inside the interval, per level `(level, share)`.
    pub coverage: Vec<(f64, f64)>,
    /// Mean pinball loss over the quantiles the intervals give (both bounds of
    /// every level, and the point as the median).
    pub pinball: f64,
    /// CRPS approximated by twice the mean pinball loss over those quantiles
    /// (Gneiting & Raftery 2007, eq. 21, discretised).
    pub crps: f64,
}

fn pinball(q: f64, y: f64, pred: f64) -> f64 {
    if y >= pred {
        q * (y - pred)
    } else {
        (1.0 - q) * (pred - y)
    }
}

/// Score backtest windows.
///
/// # Errors
/// [`Error::InvalidParameter`] when there is no window.
pub fn evaluate(windows: &[Window]) -> Result<Metrics> {
    let first = windows.first().ok_or(Error::InvalidParameter {
        name: "windows",
        problem: "no window to score".into(),
    })?;
    let levels = first.forecast.levels.clone();
    let (mut n, mut abs, mut sq, mut err, mut smape, mut pin, mut npin) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut inside = vec![0.0; levels.len()];
    let (mut mase_sum, mut mase_n) = (0.0, 0.0);
    for w in windows {
        let mut wabs = 0.0;
        for (t, (&y, &f)) in w.actual.iter().zip(&w.forecast.point).enumerate() {
            let e = f - y;
            n += 1.0;
            abs += e.abs();
            wabs += e.abs();
            sq += e * e;
            err += e;
            let denom = y.abs() + f.abs();
            smape += if denom == 0.0 { 0.0 } else { 2.0 * e.abs() / denom };
            pin += pinball(0.5, y, f);
            npin += 1.0;
            for (j, level) in levels.iter().enumerate() {
                let (lo, hi) = (w.forecast.lower[j][t], w.forecast.upper[j][t]);
                if lo <= y && y <= hi {
                    inside[j] += 1.0;
                }
                let alpha = 1.0 - level / 100.0;
                pin += pinball(alpha / 2.0, y, lo) + pinball(1.0 - alpha / 2.0, y, hi);
                npin += 2.0;
            }
        }
        if w.scale > 0.0 {
            mase_sum += wabs / w.actual.len() as f64 / w.scale;
            mase_n += 1.0;
        }
    }
    Ok(Metrics {
        mase: if mase_n > 0.0 { mase_sum / mase_n } else { f64::NAN },
        smape: smape / n,
        rmse: (sq / n).sqrt(),
        mae: abs / n,
        bias: err / n,
        coverage: levels.iter().zip(&inside).map(|(l, c)| (*l, c / n)).collect(),
        pinball: pin / npin,
        crps: 2.0 * pin / npin,
    })
}
