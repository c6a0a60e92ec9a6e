//! Exponential smoothing (ETS) with automatic model selection: a native port
//! of statsforecast 2.1.1's `AutoETS` (`statsforecast/ets.py` and the C++
//! core `src/ets.cpp`, `include/statsforecast/nelder_mead.h`), itself a
//! port of R's `forecast::ets`.
//!
//! # Models
//! The innovations state-space models of Hyndman, Koehler, Ord & Snyder,
//! *Forecasting with Exponential Smoothing: The State Space Approach*
//! (Springer, 2008): additive or multiplicative error, no, additive or
//! damped additive trend, no, additive or multiplicative season, written
//! `ETS(E,T,S)` (`ETS(M,Ad,M)`). Each candidate is fitted by maximum
//! likelihood (`n·log Σe²`, plus `2·Σlog|ŷ|` for a multiplicative error),
//! and the one with the smallest `AICc` is kept (Hyndman, Koehler, Snyder &
//! Grose, Int. J. Forecasting 18, 2002, §3).
//!
//! # The search, as statsforecast runs it
//! - Candidates, in statsforecast's order: error A, M (M only for positive
//!   data); trend N, A (a multiplicative trend is not offered, as
//!   statsforecast's default `allow_multiplicative_trend=False`); season N,
//!   A, M (M only for positive data and with a multiplicative error: the
//!   "restricted" models are excluded); damped then not. A specification
//!   (`"ZZZ"`, `"MAM"`, `"ANN"`) and `damped` fix letters as statsforecast's
//!   `AutoETS(model=..., damped=...)`. Series shorter than the season get
//!   no season; a constant series gets ETS(A,N,N) with `alpha = 0.9999`.
//! - Starting values (`init`): `alpha = 0.2/m` of its range, `beta` a tenth
//!   of `alpha`'s, `gamma` a twentieth of `1 − alpha`, `phi = 0.978`, the
//!   bounds "both" (usual 1e-4 to 0.9999, `phi` 0.8 to 0.98, and the
//!   admissible region for the starting values). statsforecast narrows the
//!   upper bounds of `beta` and `gamma` in place while it tries the
//!   candidates, so later candidates inherit them; hutano does the same.
//!   Initial states from a classical decomposition (three seasons or more)
//!   or a line plus one Fourier pair, then a regression on the first
//!   `max(10, 2m)` seasonally adjusted values, solved as numpy's `lstsq`
//!   (LAPACK's `dgelsd`) solves it.
//! - Optimiser: statsforecast's bounded Nelder–Mead, 1 000 iterations at
//!   most, stopping when the standard deviation of the simplex values falls
//!   below 1e-4.
//!
//! Every step repeats statsforecast's arithmetic operation for operation
//! (see `optimize.rs`, `init.rs`, `lapack.rs`), so the optimiser visits the
//! same points: on `AirPassengers` and on daily HDHI admissions the chosen
//! forms, parameters, log-likelihoods and forecasts agree to the last bits
//! (`tests/ets_reference.rs`). The exception is the Fourier start used for
//! series shorter than three seasons, whose 4-column least squares is
//! solved by a Householder QR; there results agree to about 1e-10.
//!
//! The optimiser's objective runs the recursions without storing the
//! states and keeps the seasonal states in a ring buffer (the same
//! operations on the same values, so the same likelihood to the bit); on
//! two years of daily admissions a fit of the 15 seasonal candidates takes
//! a third of statsforecast's time.
//!
//! # Prediction intervals
//! Normal intervals `ŷ ± z·σ_h` with statsforecast's analytic variances:
//! class 1 (additive error), class 2 (multiplicative error, no
//! multiplicative season) and class 3 (multiplicative error and season,
//! its `_class3models` matrix recursion) of Hyndman et al. 2008, ch. 6,
//! with statsforecast's departures from the book reproduced (see
//! `intervals.rs`). No model needs simulation, so every interval is
//! reproducible. Levels are percentages. Forecasts are not clipped here:
//! count data are clipped at zero by the caller (the backtests' and the
//! panel forecasts' non-negative option), as for every hutano model.

mod calc;
mod init;
mod intervals;
mod lapack;
mod model;
mod optimize;

#[cfg(feature = "augurs")]
pub(crate) use model::check_finite;
pub use model::{AutoEts, EtsParameters, FittedAutoEts};
