//! From forecasts to resources: census forecasts from a data set's stays
//! (the whole data set or one unit, with its capacity), the staff a census
//! needs, and bed sizing by the Erlang loss model.

use std::ffi::c_char;

use chrono::NaiveDate;
use hutano_core::model::{snake_name, ShiftKind};
use hutano_core::table::{Column, Table, Values};
use hutano_forecast::resources::{census_forecast_for, census_from_stays, ArrivalModel, CensusForecast, Stay, Unit};
use hutano_forecast::spec::ModelSpec;
use hutano_forecast::staffing::{
    required_staff, role_label, Ratios, StaffingError, WardCensus, WardType, DEFAULT_SHIFTS,
};
use serde::Deserialize;

use crate::dataset::{hutano_dataset, hutano_table, Dataset};
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
    pub(crate) as_of: NaiveDate,
    /// A unit's capacity on each forecast day (`None`: no unit, as the
    /// whole data set's census or one from stays).
    capacity: Option<Vec<f64>>,
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
        // SAFETY: the caller guarantees every string and array is valid for its length.
        let (ds, as_of, levels, model, arrival) = unsafe {
            dataset_census_args(
                dataset,
                as_of,
                as_of_len,
                levels,
                n_levels,
                model_json,
                model_json_len,
                arrival_json,
                arrival_json_len,
            )
        }?;
        let stays: Vec<Stay> = ds.net.encounters.iter().map(|e| (e.admit, e.discharge)).collect();
        census(&stays, as_of, h, levels, model, arrival)
    })
}

/// The data set and the strings and levels of the two
/// `hutano_dataset_*census_forecast` calls, checked in this order:
/// `dataset`, `as_of`, `levels`, `model_json`, `arrival_json` (the first
/// NULL or invalid one is the error). The strings are parsed later
/// ([`census_args`]).
///
/// # Safety
/// The strings and `levels` are NULL or valid for their lengths.
#[allow(clippy::too_many_arguments)] // the C arguments, pointer and length apart
unsafe fn dataset_census_args<'a>(
    dataset: *const hutano_dataset,
    as_of: *const c_char,
    as_of_len: usize,
    levels: *const f64,
    n_levels: usize,
    model_json: *const c_char,
    model_json_len: usize,
    arrival_json: *const c_char,
    arrival_json_len: usize,
) -> FfiResult<(&'a Dataset, &'a str, &'a [f64], &'a str, &'a str)> {
    let ds = handle::get::<Dataset>(dataset, "dataset")?;
    // SAFETY: forwarded contract.
    let (as_of, levels, model, arrival) = unsafe {
        (
            str_arg(as_of, as_of_len, "as_of")?,
            slice(levels, n_levels, "levels")?,
            str_arg(model_json, model_json_len, "model_json")?,
            str_arg(arrival_json, arrival_json_len, "arrival_json")?,
        )
    };
    Ok((ds, as_of, levels, model, arrival))
}

/// The shared body of the two census constructors.
fn census(stays: &[Stay], as_of: &str, h: usize, levels: &[f64], model: &str, arrival: &str) -> FfiResult<Census> {
    let (as_of, spec, arrival) = census_args(as_of, model, arrival)?;
    let model = spec.build()?;
    let forecast = census_from_stays(stays, as_of, h, model.as_ref(), arrival, levels)?;
    Ok(Census {
        forecast,
        as_of,
        capacity: None,
    })
}

/// The origin, model and arrival model of a census forecast.
fn census_args(as_of: &str, model: &str, arrival: &str) -> FfiResult<(NaiveDate, ModelSpec, ArrivalModel)> {
    Ok((
        parse_date(as_of, "as_of")?,
        json(model, "model_json")?,
        json(arrival, "arrival_json")?,
    ))
}

/// As `hutano_dataset_census_forecast`, for one unit of the network
/// (hutano-forecast's `census_forecast_for`, as Python's
/// `Dataset.census_forecast(unit=...)`): `unit_json` is hutano-forecast's
/// `Unit`, the object Python's `unit=` takes as a dict:
///
/// - `{"kind": "network"}`: every inpatient;
/// - `{"kind": "branch", "code": "HRE"}`: one branch's inpatients;
/// - `{"kind": "department", "code": "HRE-MED"}`,
///   `{"kind": "ward", "code": "HRE-W03"}`: the time in the unit by the
///   encounters' placements;
/// - `{"kind": "bed_type", "bed_type": "icu", "branch": "HRE"}`: beds of one
///   type (`general`, `private`, `hdu`, `icu`, `maternity`, `isolation`),
///   `"branch"` optional (absent or null: the whole network);
/// - `{"kind": "ventilators", "branch": null, "count": 12}`: patients on
///   invasive ventilation; `"count"` optional (absent or null: the
///   ventilator-capable ICU beds in service).
///
/// The census also carries the unit's capacity on each forecast day (its
/// beds in service, or ventilators): `hutano_census_capacity` and
/// `hutano_census_prob_above_capacity`. Free with `hutano_census_free`;
/// the census does not depend on the data set. Reads the data set only:
/// concurrent calls on one data set are allowed.
///
/// Errors: `HUTANO_RESULT_INVALID_PARAMETER` for a date that is not
/// `YYYY-MM-DD`, JSON that is not such a unit, model or arrival model, a
/// code the network does not have, or a unit with no stay by `as_of` (the
/// detail says which); `*out` is written only on success.
///
/// # Safety
/// `dataset` is a live handle; strings and `levels` are valid for their
/// lengths; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_unit_census_forecast(
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
    unit_json: *const c_char,
    unit_json_len: usize,
    out: *mut *mut hutano_census,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees every string and array is valid for its length.
        let ((ds, as_of, levels, model, arrival), unit) = unsafe {
            (
                dataset_census_args(
                    dataset,
                    as_of,
                    as_of_len,
                    levels,
                    n_levels,
                    model_json,
                    model_json_len,
                    arrival_json,
                    arrival_json_len,
                )?,
                str_arg(unit_json, unit_json_len, "unit_json")?,
            )
        };
        let (as_of, spec, arrival) = census_args(as_of, model, arrival)?;
        let unit: Unit = json(unit, "unit_json")?;
        let model = spec.build()?;
        let f = census_forecast_for(&ds.net, &unit, as_of, h, model.as_ref(), arrival, levels)?;
        Ok(Census {
            forecast: f.census,
            as_of,
            capacity: Some(f.capacity),
        })
    })
}

/// The unit's capacity on each forecast day (`hutano_census_days`): its
/// beds in service, or its ventilators. `HUTANO_RESULT_NOT_FOUND` for a
/// census that is not a unit's (`hutano_dataset_census_forecast`,
/// `hutano_census_from_stays`). Array output: see the preamble. Reads
/// the census only (concurrent calls allowed).
///
/// # Safety
/// `census` is a live handle; `out` is valid for `len` doubles; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_capacity(
    census: *const hutano_census,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe { array_out(out, len, out_n, || capacity(census)) }
}

/// `P(census > capacity)` on each forecast day against the unit's own
/// capacity of that day (`hutano_census_capacity`): Python's `prob_above`
/// column of a unit's census. `HUTANO_RESULT_NOT_FOUND` for a census that
/// is not a unit's; `hutano_census_prob_above` takes a fixed capacity for
/// any census. Reads the census only (concurrent calls allowed).
///
/// # Safety
/// `census` is a live handle; `out` is valid for `len` doubles; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_prob_above_capacity(
    census: *const hutano_census,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe {
        array_out(out, len, out_n, || {
            let c = handle::get::<Census>(census, "census")?;
            Ok(c.forecast
                .days
                .iter()
                .zip(capacity(census)?)
                .map(|(d, &cap)| d.prob_above(cap))
                .collect::<Vec<f64>>())
        })
    }
}

fn capacity<'a>(census: *const hutano_census) -> FfiResult<&'a [f64]> {
    handle::get::<Census>(census, "census")?
        .capacity
        .as_deref()
        .ok_or_else(|| {
            FfiError::new(
                hutano_result::NotFound,
                "the census is not a unit's (hutano_dataset_unit_census_forecast): it has no capacity",
            )
        })
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

/// Settings of `hutano_census_required_staff` (every field has a default).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct StaffingSettings {
    ward: String,
    ward_type: WardType,
    level: f64,
    shifts: Vec<ShiftKind>,
    ratios: Ratios,
}

impl Default for StaffingSettings {
    /// Python's `required_staff` defaults.
    fn default() -> Self {
        Self {
            ward: "ward".to_owned(),
            ward_type: WardType::Ward,
            level: 80.0,
            shifts: DEFAULT_SHIFTS.to_vec(),
            ratios: Ratios::nabh(),
        }
    }
}

/// Staff per day, shift and role for a census forecast (hutano-forecast's
/// `staffing::required_staff`, Python's `hutano.required_staff`): `staff =
/// max(minimum, ceil(census × staff / patients))` by the ratios of the
/// ward type, for the mean census (`staff`) and for the upper bound of the
/// `level` % interval (`staff_upper`), the same census on every shift.
///
/// `settings_json` (NULL with length 0, empty or `{}`: every default):
/// `{"ward": "ward", "ward_type": "ward", "level": 80, "shifts": ["day",
/// "evening", "night"], "ratios": {"rules": [...]}}`: `ward` names the ward
/// in errors; `ward_type` is `ventilated_icu`, `icu`, `hdu`, `ward`,
/// `emergency` or `operating_theatre`; `level` must be one of the census's
/// levels; `shifts` among `day`, `evening`, `night`, `on_call`; `ratios`
/// (hutano-forecast's `Ratios`) replaces the NABH nurse:patient ratios
/// (ventilated ICU 1:1, ICU 1:2, HDU 1:3, ward 1:6, emergency 1:4,
/// theatre 2 per table).
///
/// On success `*out` receives a `hutano_table` with Python's columns: `ds`
/// (date), `shift` and `role` (text), `census` and `census_upper`
/// (float), `staff` and `staff_upper` (integer); one row per day, shift
/// and role. Free it with `hutano_table_free`; it does not depend on the
/// census. Reads the census only: concurrent calls on one census are
/// allowed.
///
/// Errors: `HUTANO_RESULT_INVALID_PARAMETER` for settings that are not such
/// an object (an unknown key or ward type), no shifts, a bad ratio, no
/// ratio for the ward type, or a level the census does not have (the
/// detail names it); `HUTANO_RESULT_INVALID_DATA` for a census that cannot
/// be staffed (non-finite).
///
/// # Safety
/// `census` is a live handle; `settings_json` is valid for its length;
/// `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_census_required_staff(
    census: *const hutano_census,
    settings_json: *const c_char,
    settings_json_len: usize,
    out: *mut *mut hutano_table,
) -> hutano_result {
    handle::handle_out(out, || {
        let c = handle::get::<Census>(census, "census")?;
        // SAFETY: the caller guarantees the string is valid for its length.
        let text = unsafe { str_arg(settings_json, settings_json_len, "settings_json") }?;
        let s: StaffingSettings = if text.trim().is_empty() {
            StaffingSettings::default()
        } else {
            json(text, "settings_json")?
        };
        let ward = WardCensus {
            ward: s.ward,
            ward_type: s.ward_type,
            start: c.as_of.succ_opt().unwrap_or(NaiveDate::MAX),
            census: c.forecast.forecast.clone(),
        };
        let plan = required_staff(&ward, &s.ratios, &s.shifts, s.level).map_err(|e| staffing_error(&e))?;
        let rows = &plan.rows;
        let col = |name: &str, values: Values| Column {
            name: name.to_owned(),
            values,
        };
        Ok(Table {
            columns: vec![
                col("ds", Values::Date(rows.iter().map(|r| r.date).collect())),
                col(
                    "shift",
                    Values::Text(rows.iter().map(|r| snake_name(&r.shift)).collect()),
                ),
                col(
                    "role",
                    Values::Text(rows.iter().map(|r| role_label(r.role).to_owned()).collect()),
                ),
                col("census", Values::Float(rows.iter().map(|r| r.census).collect())),
                col(
                    "census_upper",
                    Values::Float(rows.iter().map(|r| r.census_upper).collect()),
                ),
                col("staff", Values::Int(rows.iter().map(|r| i64::from(r.staff)).collect())),
                col(
                    "staff_upper",
                    Values::Int(rows.iter().map(|r| i64::from(r.staff_upper)).collect()),
                ),
            ],
        })
    })
}

/// A staffing error's code: a census that cannot be staffed is data,
/// everything else a parameter (as Python maps them).
fn staffing_error(e: &StaffingError) -> FfiError {
    let code = match e {
        StaffingError::InvalidCensus { .. } => hutano_result::InvalidData,
        _ => hutano_result::InvalidParameter,
    };
    FfiError::new(code, e.to_string())
}
