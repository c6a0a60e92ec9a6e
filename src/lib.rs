//! # hutano
//!
//! Forecasting and capacity planning for hospital networks. This facade crate
//! re-exports hutano's pure crates:
//!
//! - [`core`] (`hutano-core`): the hospital data model, ingestion from CSV and
//!   Excel with a load report, the KPI engine, holiday calendars and the
//!   network generator.
//! - [`forecast`] (`hutano-forecast`, feature `forecast`): panels of series,
//!   forecasters with prediction intervals, rolling-origin backtests.
//! - [`optimize`] (`hutano-optimize`, feature `optimize`): bed, staff,
//!   ambulance and procedure-slot planning as LP/MIP models with typed
//!   infeasibility errors.
//!
//! From encounters to a backtested forecast of daily admissions per branch
//! (a generated network here; `hutano::core::ingest` loads real ones):
//!
//! ```
//! use hutano::core::generate::{generate, GeneratorConfig};
//! use hutano::core::kpi::{Dimension, Engine, Grain, Period, Query};
//! use hutano::forecast::backtest::evaluate;
//! use hutano::forecast::panel::Panel;
//! use hutano::forecast::spec::{Control, ModelSpec, PanelForecaster};
//!
//! let config = GeneratorConfig::national(7).days(240);
//! let net = generate(&config)?;
//! let period = Period::new(config.start, config.start + chrono::Days::new(240))?;
//! let daily = Engine::new(&net)?
//!     .admissions(&Query::new(period).group_by([Dimension::Branch]).grain(Grain::Day))?;
//! let panel = Panel::from_daily_table(&daily, &["branch"], "period_start", "admissions")?;
//!
//! let forecaster = PanelForecaster::new(vec![
//!     ("seasonal naive".into(), ModelSpec::SeasonalNaive { season_length: 7 }),
//!     ("ets".into(), ModelSpec::AutoEts { season_length: 7 }),
//! ]);
//! // The next 14 days with 80 % and 95 % intervals, every branch at once.
//! let forecast = forecaster.fit(&panel, &Control::new())?.predict(14, &[80.0, 95.0])?;
//! assert_eq!(forecast.len(), 14 * panel.series.len());
//! let hi = forecast.column("ets-hi-95").unwrap();
//! assert!(forecast.column("ets").unwrap().iter().zip(hi).all(|(p, h)| 0.0 <= *p && p <= h));
//!
//! // Held-out accuracy: 4 rolling origins a week apart, fitted on data before each.
//! let cv = forecaster.cross_validation(&panel, 14, 4, 7, &[80.0], &Control::new())?;
//! let ets = evaluate(&cv.windows(&panel, "ets", &[80.0], 7)?)?;
//! let naive = evaluate(&cv.windows(&panel, "seasonal naive", &[80.0], 7)?)?;
//! assert!(ets.mase.is_finite() && naive.mase.is_finite());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

pub use hutano_core as core;
pub use hutano_core::{Error, Result};
#[cfg(feature = "forecast")]
pub use hutano_forecast as forecast;
#[cfg(feature = "optimize")]
pub use hutano_optimize as optimize;
