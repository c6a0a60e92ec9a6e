//! From forecasts to resources: census distributions from admission
//! forecasts and length-of-stay survival, and bed sizing for a service
//! level.
//!
//! # The model
//! The census is an infinite-server queue (Worthington, Utley & Suen, "Infinite-server
//! queueing models of demand in healthcare: a review of applications and
//! some new results", JORS 71(8), 2020): every patient occupies a bed for
//! a length of stay drawn from a survival curve, independently of the
//! others, and no one is refused. Then
//!
//! `E[census(t)] = Σ_k arrivals(t − k) · P(LOS > k)`,
//!
//! plus, for a forecast, the patients already in hospital, each weighted by
//! the probability that a stay which has lasted `s` days lasts `t` more.
//! [`forecast_census`] gives the whole distribution per day, not only the
//! mean: mean, variance, quantile intervals (as a [`Forecast`](crate::forecast::Forecast),
//! levels in percent), `P(census > capacity)` and the exact CRPS against an
//! observed census.
//!
//! # Conventions (those of hutano-core's KPI engine)
//! - Days are census days: the **midnight census of day D** counts the
//!   patients present at the midnight that ends D (`admit ≤ 00:00 of D+1 <
//!   discharge`), as `hutano_core::kpi::Engine::census_daily` does.
//! - A forecast is made *at the midnight ending `as_of`*: stays admitted by
//!   then are known (censored if still in hospital), later ones are not.
//!   Day `t` of the horizon is the census of `as_of + t`, `t = 1..=h`.
//! - Length of stay `L` is the number of midnights a stay spans (its
//!   bed-days; 0 for a same-day stay), so an arrival on day `a` is in the
//!   census of `a + k` exactly when `L > k`: `S(k) = P(L > k)`,
//!   `Σ_k S(k) = E[L]`, and in steady state with Poisson arrivals `λ` a day
//!   the census is Poisson(`λ E[L]`).
//! - An arrival belongs to its [`arrival_day`]: the admission date, or the
//!   day before for an admission at exactly 00:00.
//!
//! Every distribution here has an exact pmf (binomials, Poissons and
//! negative binomials, convolved directly), so no simulation and no seed is
//! needed: results are deterministic, and equal with and without the
//! `parallel` feature.
//!
//! # Which stays count
//! Every function takes plain stays `(admit, discharge)`: the caller
//! chooses them. Pass all inpatient stays for the hospital census, the
//! placements in ICU beds for the ICU census, the periods on a ventilator
//! for ventilator demand; learn a [`LosSurvival`] per ward or bed type from
//! that group's stays.
//!
//! For a hutano-core network, [`unit_stays`] picks them for a [`Unit`]: the
//! whole network, a branch, a department, a ward, a bed type (in one branch
//! or all), or the ventilators (the ventilation episodes recorded as
//! procedures, see `hutano_core::model::VENTILATION_CODES`).
//! [`midnight_census`] counts the observed census of such stays per day,
//! [`unit_capacity`] gives the unit's beds in service on a day (for
//! ventilators the ventilator-capable ICU beds, or a stated count), and
//! [`census_forecast_for`] forecasts a unit's census with its capacity in
//! one call:
//!
//! ```
//! use chrono::NaiveDate;
//! use hutano_core::generate::{generate, GeneratorConfig};
//! use hutano_core::model::BedType;
//! use hutano_forecast::baseline::SeasonalNaive;
//! use hutano_forecast::resources::{census_forecast_for, ArrivalModel, Unit};
//!
//! let net = generate(&GeneratorConfig::national(5).days(90))?;
//! let as_of = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
//! let model = ArrivalModel::NegativeBinomial { level: 80.0 };
//! let icu = Unit::bed_type_in(BedType::Icu, &net.branches[0].code);
//! let f = census_forecast_for(&net, &icu, as_of, 7, &SeasonalNaive::new(7), model, &[80.0])?;
//! let p_full = f.prob_above_capacity(); // P(more ICU patients than ICU beds), per day
//! assert_eq!(p_full.len(), 7);
//! # Ok::<(), hutano_forecast::Error>(())
//! ```
//!
//! # Bed sizing
//! [`beds_for_blocking`] sizes a unit for a blocking probability with the
//! Erlang loss model (de Bruin et al., Ann Oper Res 2010) and reports the
//! flat 85 % occupancy rule beside it.

mod census;
mod erlang;
mod los;
mod pipeline;
mod pmf;
mod units;

pub use census::{forecast_census, ArrivalModel, CensusDistribution, CensusForecast};
pub use erlang::{beds_for_blocking, erlang_b, BedSizing, OCCUPANCY_RULE};
pub use los::{arrival_day, current_patients, daily_arrivals, LosSurvival, Stay};
pub use pipeline::census_from_stays;
pub use units::{census_forecast_for, midnight_census, unit_capacity, unit_stays, Unit, UnitCensusForecast};
