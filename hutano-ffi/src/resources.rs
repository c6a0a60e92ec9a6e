//! From forecasts to resources: census forecasts from a data set's stays,
//! and bed sizing by the Erlang loss model.

use std::ffi::c_char;

use chrono::NaiveDate;
use hutano_forecast::resources::{census_from_stays, ArrivalModel, CensusForecast, Stay};
use hutano_forecast::spec::ModelSpec;

use crate::dataset::{hutano_dataset, Dataset};
use crate::error::{hutano_result, FfiError, FfiResult};
use crate::handle::{self, Handle};
use crate::panic::ffi_panic_boundary;
use crate::util::{
    array_out, epoch_days, from_epoch_seconds, json, out_buf, parse_date, same_len, slice, str_arg, value_out,
};

/// A census forecast: the distribution of the midnight census on each of
/// the `h` days after the origin. Immutable; safe to share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_census {
    _private: [u8; 0],
}

/// Beds for a unit by two rules (`hutano_beds_for_blocking`).
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct hutano_bed_sizing {
    /// Offered load in erlangs: arrival rate × mean length of stay.
    pub offered_load: f64,
    /// The blocking target asked for.
    pub target: f64,
    /// Smallest bed count whose Erlang-B blocking is at most the target.
    pub erlang_beds: u32,
    /// Blocking probability at `erlang_beds`.
    pub erlang_blocking: f64,
    /// Mean occupancy at `erlang_beds`.
    pub erlang_occupancy: f64,
    /// Beds by the flat 85 % occupancy rule, `ceil(load / 0.85)`.
    pub occupancy_rule_beds: u32,
    /// Blocking probability at `occupancy_rule_beds`.
    pub occupancy_rule_blocking: f64,
}

/// The Rust side of `hutano_census`.
#[derive(Debug)]
pub(crate) struct Census {
    pub(crate) forecast: CensusForecast,
    as_of: NaiveDate,
}

impl Handle for Census {
    type Opaque = hutano_census;
    const NAME: &'static str = "hutano_census";
}

/// Erlang's loss formula: the probability that an arriving patient finds
/// all `servers` beds occupied at an offered load of `load` erlangs.
/// `HUTANO_RESULT_INVALID_PARAMETER` for a negative or non-finite load.
///
/// # Safety
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_erlang_b(servers: u32, load: f64, out: *mut f64) -> hutano_result {
    value_out(out, || Ok(hutano_forecast::resources::erlang_b(servers, load)?))
}

/// Beds so that at most a share `target` of arriving patients find the unit
/// full (Erlang loss model, de Bruin et al. 2010), next to the 85 %
/// occupancy rule. `arrival_rate` in patients per day, `mean_los` in days.
/// `HUTANO_RESULT_INVALID_PARAMETER` unless both are positive and finite
/// and `0 < target < 1`.
///
/// # Safety
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_beds_for_blocking(
    arrival_rate: f64,
    mean_los: f64,
    target: f64,
    out: *mut hutano_bed_sizing,
) -> hutano_result {
    value_out(out, || {
        let b = hutano_forecast::resources::beds_for_blocking(arrival_rate, mean_los, target)?;
        Ok(hutano_bed_sizing {
            offered_load: b.offered_load,
            target: b.target,
            erlang_beds: b.erlang_beds,
            erlang_blocking: b.erlang_blocking,
            erlang_occupancy: b.erlang_occupancy,
            occupancy_rule_beds: b.occupancy_rule_beds,
            occupancy_rule_blocking: b.occupancy_rule_blocking,
        })
    })
}

/// Forecast the midnight census of the `h` days after `as_of`
/// (`YYYY-MM-DD`) from all encounters of the data set: length-of-stay
/// survival and the patients in hospital from the stays, arrivals forecast
/// by `model_json` (one model spec, as in `hutano_forecaster_new`, e.g.
/// `{"model": "seasonal_naive", "season_length": 7}`), combined by
/// `arrival_json` (`{"kind": "poisson"}`, `{"kind": "negative_binomial",
/// "level": 80}` or `{"kind": "gamma_rate", "level": 80, "correlation":
/// 0.25}`). Intervals at `levels` (percent). Free with `hutano_census_free`.
///
/// # Safety
/// `dataset` is a live handle; strings and `levels` are valid for their
/// lengths; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_census_forecast(
    dataset: *const hutano_dataset,
    as_of: *const c_char,
    as_of_len: usize,
    h: usize,
    levels: *const f64,
    n_levels: usize,
    model_json: *const c_char,
    model_json_len: usize,
    arrival_json: *const c_char,
    arrival_json_len: usize,
    out: *mut *mut hutano_census,
) -> hutano_result {
    handle::handle_out(out, || {
        let ds = handle::get::<Dataset>(dataset, "dataset")?;
        // SAFETY: the caller guarantees every string and array is valid for its length.
        let (as_of, levels, model, arrival) = unsafe {
            (
                str_arg(as_of, as_of_len, "as_of")?,
                slice(levels, n_levels, "levels")?,
                str_arg(model_json, model_json_len, "model_json")?,
                str_arg(arrival_json, arrival_json_len, "arrival_json")?,
            )
        };
        let stays: Vec<Stay> = ds.net.encounters.iter().map(|e| (e.admit, e.discharge)).collect();
        census(&stays, as_of, h, levels, model, arrival)
    })
}

/// The shared body of the two census constructors.
fn census(stays: &[Stay], as_of: &str, h: usize, levels: &[f64], model: &str, arrival: &str) -> FfiResult<Census> {
    let as_of = parse_date(as_of, "as_of")?;
    let spec: ModelSpec = json(model, "model_json")?;
    let arrival: ArrivalModel = json(arrival, "arrival_json")?;
    let model = spec.build()?;
    let forecast = census_from_stays(stays, as_of, h, model.as_ref(), arrival, levels)?;
    Ok(Census { forecast, as_of })
}

/// As `hutano_dataset_census_forecast`, from stays given as arrays:
/// `admit[i]` and `discharge[i]` in seconds since 1970-01-01 00:00:00
/// (wall-clock time), `discharge[i] == INT64_MIN` for a patient still in
/// hospital. The caller picks the stays (a ward's, a bed type's, ...).
/// `HUTANO_RESULT_LENGTH_MISMATCH` when the two arrays differ in length;
/// `HUTANO_RESULT_INVALID_PARAMETER` for a timestamp out of range, a
/// discharge before its admission (the detail gives the row), or no stay
/// admitted by `as_of`.
///
/// # Safety
/// Arrays and strings are valid for their lengths; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_from_stays(
    admit: *const i64,
    admit_len: usize,
    discharge: *const i64,
    discharge_len: usize,
    as_of: *const c_char,
    as_of_len: usize,
    h: usize,
    levels: *const f64,
    n_levels: usize,
    model_json: *const c_char,
    model_json_len: usize,
    arrival_json: *const c_char,
    arrival_json_len: usize,
    out: *mut *mut hutano_census,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees every string and array is valid for its length.
        let (admit, discharge, as_of, levels, model, arrival) = unsafe {
            (
                slice(admit, admit_len, "admit")?,
                slice(discharge, discharge_len, "discharge")?,
                str_arg(as_of, as_of_len, "as_of")?,
                slice(levels, n_levels, "levels")?,
                str_arg(model_json, model_json_len, "model_json")?,
                str_arg(arrival_json, arrival_json_len, "arrival_json")?,
            )
        };
        same_len(("admit", admit.len()), ("discharge", discharge.len()))?;
        let stays: Vec<Stay> = admit
            .iter()
            .zip(discharge)
            .enumerate()
            .map(|(row, (&a, &d))| {
                let a = from_epoch_seconds(a, "admit", row)?;
                let d = if d == i64::MIN {
                    None
                } else {
                    Some(from_epoch_seconds(d, "discharge", row)?)
                };
                Ok((a, d))
            })
            .collect::<FfiResult<_>>()?;
        census(&stays, as_of, h, levels, model, arrival)
    })
}

/// Free a census forecast (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `census` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_free(census: *mut hutano_census) -> hutano_result {
    ffi_panic_boundary! { handle::free::<Census>(census, "census") }
}

/// The forecast days as days since 1970-01-01 (`as_of + 1 ..= as_of + h`).
/// Array output: see the preamble.
///
/// # Safety
/// `census` is a live handle; `out` is valid for `len` values; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_days(
    census: *const hutano_census,
    out: *mut i64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` values.
    unsafe {
        array_out(out, len, out_n, || {
            let c = handle::get::<Census>(census, "census")?;
            let first = epoch_days(c.as_of);
            // A horizon is far below i64::MAX days.
            Ok((1..=c.forecast.days.len())
                .map(|t| first + i64::try_from(t).unwrap_or(i64::MAX))
                .collect::<Vec<i64>>())
        })
    }
}

/// Mean census of each day.
///
/// # Safety
/// `census` is a live handle; `out` is valid for `len` doubles; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_mean(
    census: *const hutano_census,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe {
        array_out(out, len, out_n, || {
            Ok(&handle::get::<Census>(census, "census")?.forecast.forecast.point)
        })
    }
}

/// Lower and upper bounds of each day's interval at `level` (one of the
/// levels asked for; `HUTANO_RESULT_NOT_FOUND` otherwise): the quantiles
/// at `(1 - level/100) / 2` and `(1 + level/100) / 2`. `lower` and `upper`
/// each hold `len` doubles; `*out_n` is the number of days.
///
/// # Safety
/// `census` is a live handle; `lower` and `upper` are valid for `len`
/// doubles; `out_n` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_interval(
    census: *const hutano_census,
    level: f64,
    lower: *mut f64,
    upper: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    ffi_panic_boundary! {
        let lo = out_buf(lower, len, out_n, "lower")?;
        let hi = out_buf(upper, len, out_n, "upper")?;
        let c = handle::get::<Census>(census, "census")?;
        let (l, u) = c
            .forecast
            .forecast
            .interval(level)
            .ok_or_else(|| FfiError::new(hutano_result::NotFound, format!("no interval at level {level}")))?;
        // SAFETY: the caller guarantees both buffers are valid for `len` doubles;
        // if `lower` does not fit, neither does `upper` (same length), so
        // nothing is written on that error.
        unsafe {
            lo.write(l)?;
            hi.write(u)
        }
    }
}

/// `P(census > capacity)` for each day.
///
/// # Safety
/// `census` is a live handle; `out` is valid for `len` doubles; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_prob_above(
    census: *const hutano_census,
    capacity: f64,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe {
        array_out(out, len, out_n, || {
            if capacity.is_nan() {
                return Err(FfiError::param("capacity is NaN"));
            }
            Ok(handle::get::<Census>(census, "census")?.forecast.prob_above(capacity))
        })
    }
}
