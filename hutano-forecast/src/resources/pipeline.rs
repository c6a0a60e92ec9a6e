//! The census forecast in one call, from stays alone: what the Python
//! package and the command line run.

use chrono::NaiveDate;

use super::{current_patients, daily_arrivals, forecast_census, ArrivalModel, CensusForecast, LosSurvival, Stay};
use crate::ensemble::Member;
use crate::error::{Error, Result};
use crate::forecast::SeriesView;
use crate::panel::Freq;

/// Forecast the midnight census of the `horizon` days after `as_of` from the
/// stays of a unit (ward, bed type, hospital: the caller picks the stays):
///
/// 1. the length-of-stay survival is learned from the stays admitted up to
///    `as_of`, those still in hospital censored there;
/// 2. the patients in hospital at the midnight ending `as_of` keep their
///    remaining stay conditioned on the days already stayed;
/// 3. `forecaster` is fitted to the daily arrivals from the first
///    admission day to `as_of` and forecasts the next `horizon` days (its
///    interval at `arrival_level` feeds `arrival_model`);
/// 4. [`forecast_census`] combines them into one distribution per day.
///
/// ```
/// use chrono::NaiveDate;
/// use hutano_forecast::baseline::SeasonalNaive;
/// use hutano_forecast::resources::{census_from_stays, ArrivalModel};
///
/// let day = |d: i64| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(10, 0, 0).unwrap()
///     + chrono::TimeDelta::days(d);
/// // Two admissions a day, each staying three nights.
/// let stays: Vec<_> = (0..60).flat_map(|d| [(day(d), Some(day(d + 3))), (day(d), Some(day(d + 3)))]).collect();
/// let as_of = NaiveDate::from_ymd_opt(2024, 2, 15).unwrap();
/// let model = ArrivalModel::NegativeBinomial { level: 80.0 };
/// let f = census_from_stays(&stays, as_of, 7, &SeasonalNaive::new(7), model, &[80.0])?;
/// assert!((f.forecast.point[0] - 6.0).abs() < 1e-9); // 2 a day × 3 nights
/// # Ok::<(), hutano_forecast::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for a horizon of zero, no stay admitted by
/// `as_of`, or bad stays (naming the row); errors of the arrivals model
/// and of [`forecast_census`].
pub fn census_from_stays(
    stays: &[Stay],
    as_of: NaiveDate,
    horizon: usize,
    forecaster: &dyn Member,
    arrival_model: ArrivalModel,
    levels: &[f64],
) -> Result<CensusForecast> {
    if horizon == 0 {
        return Err(Error::InvalidParameter {
            name: "horizon",
            problem: "must be at least 1".into(),
        });
    }
    let first = stays
        .iter()
        .map(|s| super::arrival_day(s.0))
        .filter(|d| *d <= as_of)
        .min()
        .ok_or_else(|| Error::InvalidParameter {
            name: "as_of",
            problem: format!("no stay was admitted by {as_of}"),
        })?;
    let end = as_of.succ_opt().ok_or_else(|| Error::InvalidParameter {
        name: "as_of",
        problem: "is the last representable day".into(),
    })?;
    let los = LosSurvival::from_stays(stays, as_of)?;
    let current = current_patients(stays, as_of)?;
    let arrivals = daily_arrivals(stays, first, end)?;
    let view = SeriesView::new(&arrivals, first.and_time(chrono::NaiveTime::MIN), Freq::Daily);
    let level = match arrival_model {
        ArrivalModel::Poisson => None,
        ArrivalModel::NegativeBinomial { level } | ArrivalModel::GammaRate { level, .. } => Some(level),
    };
    let forecast = forecaster
        .fit_boxed(view)?
        .predict(horizon, level.as_slice())?
        .non_negative();
    forecast_census(&los, &current, &forecast, arrival_model, levels)
}
