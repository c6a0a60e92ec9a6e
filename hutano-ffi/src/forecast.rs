//! Panels of series built from arrays, forecasters from JSON model specs,
//! fitted panels, forecasts and backtests in long format, and metrics.

use std::ffi::c_char;
use std::sync::atomic::{fence, Ordering};

use ::hutano_forecast::backtest::evaluate;
use ::hutano_forecast::panel::{FillRule, Freq, Panel};
use ::hutano_forecast::spec::{Control, FittedPanel, LongForecast, ModelSpec, PanelForecaster};

use crate::error::{hutano_result, FfiError, FfiResult};
use crate::handle::{self, Handle};
use crate::panic::ffi_panic_boundary;
use crate::util::{
    array_out, epoch_seconds, from_epoch_seconds, item, out_ptr, position_of, same_len, slice, str_arg, string_out,
    value_out,
};

/// A panel of equally spaced series, built one series at a time with
/// `hutano_panel_add_series`.
///
/// `hutano_panel_add_series` mutates the panel: it must not run while
/// another thread uses the same panel. The other calls only read it and may
/// run concurrently.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_panel {
    _private: [u8; 0],
}

/// Several named models with their settings (from JSON). Immutable; safe to
/// share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_forecaster {
    _private: [u8; 0],
}

/// Every model of a forecaster fitted to every series of a panel.
/// Immutable; safe to share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_fitted {
    _private: [u8; 0],
}

/// Forecasts in long format: one row per series and step, a column per
/// model and per interval bound (`<model>`, `<model>-lo-<level>`,
/// `<model>-hi-<level>`), from `hutano_fitted_predict` or (with cutoffs and
/// actual values) from `hutano_forecaster_cross_validation`. Immutable;
/// safe to share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_forecast {
    _private: [u8; 0],
}

/// Progress and cancellation of a long call (`hutano_forecaster_fit_with_control`,
/// `hutano_forecaster_cross_validation_with_control`).
///
/// Thread-safe (two atomics): `hutano_control_cancel` and
/// `hutano_control_done` may be called from any thread while another
/// thread runs a call with the same control. Only `hutano_control_free`
/// needs exclusive use: free it after every call using it has returned.
///
/// Granularity: a unit of work is one model fitted to one series (a fit)
/// or one model fitted and forecast on one series at one backtest window
/// (a backtest). A call looks at the control before each unit, also
/// between series when the series run in parallel (the `parallel`
/// feature): after a cancel, each unit not yet started returns at once,
/// while the units already running (at most one per core) finish first.
/// A model learned across the whole panel (`"global": true`) is one
/// uninterruptible step per fit or per backtest window. A call looks once
/// more when its last unit is done, so it returns `HUTANO_RESULT_OK` only
/// when `hutano_control_cancel` came after every unit was done: if the
/// caller cancels and then reads `hutano_control_done`, a call that
/// still returns OK had already counted every unit by then.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_control {
    _private: [u8; 0],
}

/// Series spacing for `hutano_panel_new`.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hutano_freq {
    /// One value per hour.
    Hourly = 1,
    /// One value per day.
    Daily = 2,
    /// One value per week.
    Weekly = 3,
    /// One value per calendar month.
    Monthly = 4,
}

/// How `hutano_panel_add_series` fills missing timestamps inside a series.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hutano_fill {
    /// A gap is an error (`HUTANO_RESULT_INVALID_DATA`).
    Error = 0,
    /// Missing steps are zero (event counts such as admissions).
    Zero = 1,
    /// Missing steps are interpolated linearly (levels such as census).
    Interpolate = 2,
}

/// Accuracy of one model over a backtest (`hutano_forecast_metrics`).
#[repr(C)]
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct hutano_metrics {
    /// Mean absolute scaled error (per window, scaled by the training
    /// data's mean absolute seasonal difference; NaN if no window has a
    /// positive scale).
    pub mase: f64,
    /// Symmetric MAPE as a fraction in [0, 2].
    pub smape: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Mean absolute error.
    pub mae: f64,
    /// Mean of forecast minus actual (positive: over-forecast).
    pub bias: f64,
    /// Mean pinball loss over the interval bounds and the point (median).
    pub pinball: f64,
    /// CRPS approximated by twice the mean pinball loss.
    pub crps: f64,
}

/// The Rust side of `hutano_panel`.
#[derive(Debug)]
pub(crate) struct PanelBuilder {
    pub(crate) panel: Panel,
    freq: Freq,
    fill: FillRule,
}

/// The Rust side of `hutano_forecaster`.
#[derive(Debug)]
pub(crate) struct Forecaster(pub(crate) PanelForecaster);

/// The Rust side of `hutano_fitted`.
#[derive(Debug)]
pub(crate) struct Fitted {
    panel: FittedPanel,
    unique_ids: Vec<String>,
    /// The panel's regressor names, in column order.
    regressors: Vec<String>,
    /// Per series and regressor: the number of known future rows.
    future_rows: Vec<Vec<usize>>,
}

/// The Rust side of `hutano_control`.
#[derive(Debug, Default)]
pub(crate) struct ControlHandle(Control);

/// The Rust side of `hutano_forecast`.
#[derive(Debug)]
pub(crate) struct ForecastResult {
    pub(crate) long: LongForecast,
    unique_ids: Vec<String>,
    /// For a backtest: the panel and the levels, to score it.
    backtest: Option<(Panel, Vec<f64>)>,
}

impl Handle for PanelBuilder {
    type Opaque = hutano_panel;
    const NAME: &'static str = "hutano_panel";
}

impl Handle for Forecaster {
    type Opaque = hutano_forecaster;
    const NAME: &'static str = "hutano_forecaster";
}

impl Handle for Fitted {
    type Opaque = hutano_fitted;
    const NAME: &'static str = "hutano_fitted";
}

impl Handle for ControlHandle {
    type Opaque = hutano_control;
    const NAME: &'static str = "hutano_control";
}

impl Handle for ForecastResult {
    type Opaque = hutano_forecast;
    const NAME: &'static str = "hutano_forecast";
}

/// A new, empty panel of series spaced by `freq` (a `HUTANO_FREQ_*`
/// value), gaps filled by `fill` (a `HUTANO_FILL_*` value). Free with
/// `hutano_panel_free`.
///
/// # Safety
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_panel_new(freq: u32, fill: u32, out: *mut *mut hutano_panel) -> hutano_result {
    handle::handle_out(out, || {
        let freq = match freq {
            1 => Freq::Hourly,
            2 => Freq::Daily,
            3 => Freq::Weekly,
            4 => Freq::Monthly,
            other => return Err(FfiError::param(format!("freq {other} is not a HUTANO_FREQ_* value"))),
        };
        let fill = match fill {
            0 => FillRule::Error,
            1 => FillRule::Zero,
            2 => FillRule::Interpolate,
            other => return Err(FfiError::param(format!("fill {other} is not a HUTANO_FILL_* value"))),
        };
        Ok(PanelBuilder {
            panel: Panel::default(),
            freq,
            fill,
        })
    })
}

/// Free a panel (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `panel` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_panel_free(panel: *mut hutano_panel) -> hutano_result {
    ffi_panic_boundary! { handle::free::<PanelBuilder>(panel, "panel") }
}

/// Add one series in long format: timestamps `ds` (seconds since
/// 1970-01-01 00:00:00, wall-clock time, any order, on the panel's
/// frequency grid) and values `y`, `len` rows each. Gaps are filled by the
/// panel's rule.
///
/// Errors: `HUTANO_RESULT_LENGTH_MISMATCH` (`ds_len != y_len`),
/// `HUTANO_RESULT_INVALID_PARAMETER` (no row, empty or repeated
/// `unique_id`, timestamp out of range), `HUTANO_RESULT_INVALID_DATA` (NaN
/// or infinite value, duplicate or off-grid timestamp, gap with
/// `HUTANO_FILL_ERROR`; the detail gives the zero-based row). On error the
/// panel is unchanged.
///
/// Not thread-safe: no other thread may use `panel` during the call.
///
/// # Safety
/// `panel` is a live handle; the strings and arrays are valid for their
/// lengths.
#[no_mangle]
pub unsafe extern "C" fn hutano_panel_add_series(
    panel: *mut hutano_panel,
    unique_id: *const c_char,
    unique_id_len: usize,
    ds: *const i64,
    ds_len: usize,
    y: *const f64,
    y_len: usize,
) -> hutano_result {
    ffi_panic_boundary! {
        let p = handle::get_mut::<PanelBuilder>(panel, "panel")?;
        // SAFETY: the caller guarantees the arguments are valid for their lengths.
        let (id, ds, y) = unsafe {
            (
                str_arg(unique_id, unique_id_len, "unique_id")?,
                slice(ds, ds_len, "ds")?,
                slice(y, y_len, "y")?,
            )
        };
        same_len(("ds", ds.len()), ("y", y.len()))?;
        if y.is_empty() {
            return Err(FfiError::param("a series needs at least one row"));
        }
        if id.is_empty() || p.panel.series.iter().any(|s| s.unique_id == id) {
            return Err(FfiError::param(format!("unique_id {id:?} is empty or already in the panel")));
        }
        let ds: Vec<_> = ds
            .iter()
            .enumerate()
            .map(|(row, &t)| from_epoch_seconds(t, "ds", row))
            .collect::<FfiResult<_>>()?;
        let rows = ds.into_iter().zip(y).map(|(t, &v)| (id, t, v));
        let mut one = Panel::from_long(rows, p.freq, p.fill)?;
        for s in &mut one.series {
            // Not given yet: `hutano_panel_add_regressor` fills each column.
            s.x = vec![Vec::new(); p.panel.regressors.len()];
        }
        p.panel.series.append(&mut one.series);
        Ok(())
    }
}

/// Number of series in the panel.
///
/// # Safety
/// `panel` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_panel_series_count(panel: *const hutano_panel, out: *mut usize) -> hutano_result {
    value_out(out, || {
        Ok(handle::get::<PanelBuilder>(panel, "panel")?.panel.series.len())
    })
}

/// Add regressor `name` to series `unique_id`: `values[i]` is its value at the
/// series' step `i` from its first timestamp (the first `n` values, `n` the
/// number of steps of the series after gap filling, line up with the
/// training values; the rest are known future values, one per step after
/// the series' end). Give the same names to every series of the panel
/// before fitting; the regressor columns are in the order of each name's
/// first `hutano_panel_add_regressor`. The models that take regressors
/// (`AutoARIMA`, boosted trees, forests, the Prophet-like model, ensembles
/// of them) fit on the first `n` values, and `hutano_fitted_predict` takes
/// its `h` future values from the rest (or give them to
/// `hutano_fitted_predict_with`); the other models refuse a panel with
/// regressors (`HUTANO_RESULT_INVALID_DATA` from the fit).
///
/// Errors: `HUTANO_RESULT_NOT_FOUND` (no series `unique_id`),
/// `HUTANO_RESULT_INVALID_PARAMETER` (empty `name`, or `name` already given
/// for this series), `HUTANO_RESULT_INVALID_DATA` (fewer than `n` values,
/// NaN or infinite value; the detail names the column, the series and the
/// zero-based row). On error the panel is unchanged.
///
/// Not thread-safe: no other thread may use `panel` during the call.
///
/// # Safety
/// `panel` is a live handle; the strings and `x` are valid for their
/// lengths.
#[no_mangle]
pub unsafe extern "C" fn hutano_panel_add_regressor(
    panel: *mut hutano_panel,
    unique_id: *const c_char,
    unique_id_len: usize,
    name: *const c_char,
    name_len: usize,
    values: *const f64,
    values_len: usize,
) -> hutano_result {
    ffi_panic_boundary! {
        let builder = handle::get_mut::<PanelBuilder>(panel, "panel")?;
        // SAFETY: the caller guarantees the arguments are valid for their lengths.
        let (id, name, values) = unsafe {
            (
                str_arg(unique_id, unique_id_len, "unique_id")?,
                str_arg(name, name_len, "name")?,
                slice(values, values_len, "values")?,
            )
        };
        if name.is_empty() {
            return Err(FfiError::param("a regressor name cannot be empty"));
        }
        let series = builder
            .panel
            .series
            .iter()
            .position(|s| s.unique_id == id)
            .ok_or_else(|| FfiError::new(hutano_result::NotFound, format!("no series {id:?} in the panel")))?;
        let column = builder.panel.regressors.iter().position(|r| r == name);
        let target = &builder.panel.series[series];
        if column.is_some_and(|c| !target.x[c].is_empty()) {
            return Err(FfiError::param(format!("regressor {name:?} of series {id:?} is already given")));
        }
        let steps = target.y.len();
        if values.len() < steps {
            return Err(FfiError::new(
                hutano_result::InvalidData,
                format!(
                    "regressor {name:?} of series {id:?} has {} values, the series has {steps} steps",
                    values.len()
                ),
            ));
        }
        if let Some(row) = values.iter().position(|v| !v.is_finite()) {
            return Err(FfiError::new(
                hutano_result::InvalidData,
                format!("regressor {name:?} of series {id:?} is not finite at row {row}"),
            ));
        }
        let column = column.unwrap_or_else(|| {
            builder.panel.regressors.push(name.to_string());
            for other in &mut builder.panel.series {
                other.x.push(Vec::new());
            }
            builder.panel.regressors.len() - 1
        });
        builder.panel.series[series].x[column] = values.to_vec();
        Ok(())
    }
}

/// Number of regressor columns of the panel (names given to
/// `hutano_panel_add_regressor`).
///
/// # Safety
/// `panel` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_panel_regressor_count(panel: *const hutano_panel, out: *mut usize) -> hutano_result {
    value_out(out, || {
        Ok(handle::get::<PanelBuilder>(panel, "panel")?.panel.regressors.len())
    })
}

/// Name of regressor column `i` (`0 <= i < hutano_panel_regressor_count`),
/// as given to `hutano_panel_add_regressor`: the columns are in the order of
/// each name's first `hutano_panel_add_regressor`, the order of the values
/// `hutano_fitted_predict_with` takes. `HUTANO_RESULT_INDEX_OUT_OF_RANGE`
/// for a larger `i`. String output: see the preamble.
///
/// # Safety
/// `panel` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_panel_regressor_name(
    panel: *const hutano_panel,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            item(
                &handle::get::<PanelBuilder>(panel, "panel")?.panel.regressors,
                i,
                "regressor",
            )
        })
    }
}

/// Parse a forecaster's models: a JSON list whose items are either
/// `[name, spec]` or a bare spec (named by the model's default name).
pub(crate) fn parse_models(text: &str) -> FfiResult<Vec<(String, ModelSpec)>> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| FfiError::param(format!("models_json: {e}")))?;
    let items = value
        .as_array()
        .ok_or_else(|| FfiError::param("models_json: expected a JSON list of models"))?;
    if items.is_empty() {
        return Err(FfiError::param("models_json: give at least one model"));
    }
    let mut models = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let (name, spec) = match item.as_array().map(Vec::as_slice) {
            Some([serde_json::Value::String(name), spec]) => (Some(name.clone()), spec.clone()),
            _ => (None, item.clone()),
        };
        let spec: ModelSpec =
            serde_json::from_value(spec).map_err(|e| FfiError::param(format!("models_json[{i}]: {e}")))?;
        spec.build().map_err(|e| {
            let e = FfiError::from(e);
            FfiError::new(e.code, format!("models_json[{i}]: {}", e.detail))
        })?;
        let name = name.unwrap_or_else(|| spec.default_name().to_string());
        if name.is_empty() || models.iter().any(|(n, _): &(String, ModelSpec)| *n == name) {
            return Err(FfiError::param(format!(
                "models_json[{i}]: model name {name:?} is empty or repeated"
            )));
        }
        models.push((name, spec));
    }
    Ok(models)
}

/// A forecaster from `models_json`, a JSON list of models, each either
/// `["name", spec]` or a bare spec named by its model's default name
/// (`"SeasonalNaive"`, `"AutoARIMA"`, ...). A spec is
/// `{"model": "seasonal_naive", "season_length": 7}`, `{"model": "naive"}`,
/// `{"model": "auto_arima", "season_length": 7}`, ... (hutano-forecast's
/// `ModelSpec`). `non_negative` clips forecasts and bounds at zero (for
/// counts). Free with `hutano_forecaster_free`.
///
/// # Safety
/// `models_json` is valid for its length; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecaster_new(
    models_json: *const c_char,
    models_json_len: usize,
    non_negative: bool,
    out: *mut *mut hutano_forecaster,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees the string is valid for its length.
        let text = unsafe { str_arg(models_json, models_json_len, "models_json") }?;
        let mut spec = PanelForecaster::new(parse_models(text)?);
        spec.non_negative = non_negative;
        Ok(Forecaster(spec))
    })
}

/// Free a forecaster (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `forecaster` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecaster_free(forecaster: *mut hutano_forecaster) -> hutano_result {
    ffi_panic_boundary! { handle::free::<Forecaster>(forecaster, "forecaster") }
}

/// The panel, with at least one series and every regressor given for
/// every series.
fn ready(panel: &PanelBuilder) -> FfiResult<&Panel> {
    if panel.panel.series.is_empty() {
        return Err(FfiError::param("the panel has no series"));
    }
    for s in &panel.panel.series {
        if let Some(j) = s.x.iter().position(Vec::is_empty) {
            return Err(FfiError::new(
                hutano_result::InvalidData,
                format!(
                    "regressor {:?} is not given for series {:?} (hutano_panel_add_regressor)",
                    panel.panel.regressors[j], s.unique_id
                ),
            ));
        }
    }
    Ok(&panel.panel)
}

/// A new control: nothing done, not cancelled. Free with
/// `hutano_control_free`.
///
/// # Safety
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_control_new(out: *mut *mut hutano_control) -> hutano_result {
    handle::handle_out(out, || Ok(ControlHandle::default()))
}

/// Free a control (NULL: no-op; double free caught where possible), after
/// every call using it has returned.
///
/// # Safety
/// `control` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_control_free(control: *mut hutano_control) -> hutano_result {
    ffi_panic_boundary! { handle::free::<ControlHandle>(control, "control") }
}

/// Ask the calls running with `control` to stop: each returns
/// `HUTANO_RESULT_CANCELLED` at its next unit of work (one model on one
/// series, or on one series at one backtest window; see `hutano_control`
/// for the granularity), writing no output. A call whose units were all
/// done before the cancel may still return `HUTANO_RESULT_OK`. Sticky:
/// every later call with this control is cancelled too. Thread-safe: may be
/// called from any thread while another runs a call with `control`.
///
/// # Safety
/// `control` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn hutano_control_cancel(control: *const hutano_control) -> hutano_result {
    ffi_panic_boundary! {
        handle::get::<ControlHandle>(control, "control")?.0.cancel();
        // Pairs with the fence of `finished`: see there.
        fence(Ordering::SeqCst);
        Ok(())
    }
}

/// Units of work finished so far by the calls run with `control`, summed
/// over calls: a fit counts one per series and model (series × models when
/// it succeeds), a backtest one per series, model and window. Thread-safe:
/// may be polled from any thread while another runs a call with `control`.
///
/// # Safety
/// `control` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_control_done(control: *const hutano_control, out: *mut usize) -> hutano_result {
    value_out(out, || {
        let control = &handle::get::<ControlHandle>(control, "control")?.0;
        // Pairs with the fence of `hutano_control_cancel` (see `finished`).
        fence(Ordering::SeqCst);
        Ok(control.done())
    })
}

/// The last look of a call at its control, after its last unit of work:
/// `HUTANO_RESULT_CANCELLED` if it was cancelled meanwhile, even when every
/// unit got done.
///
/// With the sequentially consistent fences here and in
/// `hutano_control_cancel` (after the cancel) and `hutano_control_done`
/// (before the read), either this fence comes first, and a
/// `hutano_control_done` after the cancel sees every unit counted (the
/// units happen before this fence: the calling thread did them, or joined
/// the threads that did), or the cancel's fence comes first, and this
/// load sees the cancel. So a call returns OK only if the caller who
/// cancelled then sees every unit done: what the C tests check.
fn finished(control: &Control) -> FfiResult<()> {
    fence(Ordering::SeqCst);
    if control.is_cancelled() {
        return Err(::hutano_forecast::Error::Cancelled.into());
    }
    Ok(())
}

/// # Safety
/// `forecaster` and `panel` are NULL or handles from hutano; `out` is valid
/// for one write.
unsafe fn fit(
    forecaster: *const hutano_forecaster,
    panel: *const hutano_panel,
    control: &Control,
    out: *mut *mut hutano_fitted,
) -> FfiResult<()> {
    let out = out_ptr(out, "out")?;
    let f = handle::get::<Forecaster>(forecaster, "forecaster")?;
    let panel = ready(handle::get::<PanelBuilder>(panel, "panel")?)?;
    let fitted = f.0.fit(panel, control)?;
    finished(control)?;
    let unique_ids = fitted.unique_ids().into_iter().map(str::to_string).collect();
    let future_rows = panel
        .series
        .iter()
        .map(|s| s.x.iter().map(|col| col.len() - s.y.len()).collect())
        .collect();
    out.write(handle::into_raw(Fitted {
        panel: fitted,
        unique_ids,
        regressors: panel.regressors.clone(),
        future_rows,
    }));
    Ok(())
}

/// Fit every model to every series of `panel` (on all cores when the
/// library is built with the `parallel` feature; the result is the same).
/// On success `*out` receives a fitted panel, freed with
/// `hutano_fitted_free`; the panel may be freed independently.
///
/// # Safety
/// `forecaster` and `panel` are live handles; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecaster_fit(
    forecaster: *const hutano_forecaster,
    panel: *const hutano_panel,
    out: *mut *mut hutano_fitted,
) -> hutano_result {
    ffi_panic_boundary! {
        // SAFETY: forwarded contract.
        unsafe { fit(forecaster, panel, &Control::new(), out) }
    }
}

/// `hutano_forecaster_fit` reporting progress to `control` and stopping
/// with `HUTANO_RESULT_CANCELLED` (no output) when it is cancelled, before
/// or during the call (between units of work: one model on one series,
/// also between series fitted in parallel; see `hutano_control`). On
/// success `hutano_control_done` has grown by series × models.
///
/// # Safety
/// `forecaster`, `panel` and `control` are live handles; `out` is valid
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecaster_fit_with_control(
    forecaster: *const hutano_forecaster,
    panel: *const hutano_panel,
    control: *const hutano_control,
    out: *mut *mut hutano_fitted,
) -> hutano_result {
    ffi_panic_boundary! {
        let control = &handle::get::<ControlHandle>(control, "control")?.0;
        // SAFETY: forwarded contract.
        unsafe { fit(forecaster, panel, control, out) }
    }
}

/// Free a fitted panel (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `fitted` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_fitted_free(fitted: *mut hutano_fitted) -> hutano_result {
    ffi_panic_boundary! { handle::free::<Fitted>(fitted, "fitted") }
}

/// Every model's in-sample one-step fitted values: one row per observation
/// of every series, a column per model (no intervals), the observation as
/// `hutano_forecast_actual` and each series' last timestamp as
/// `hutano_forecast_cutoff`. NaN where a model has no value (the first
/// steps, before its lags or seasons); clipped at zero as the forecasts
/// are when the forecaster was made with `non_negative`. On success `*out`
/// receives a forecast, freed with `hutano_forecast_free`.
///
/// # Safety
/// `fitted` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_fitted_in_sample(
    fitted: *const hutano_fitted,
    out: *mut *mut hutano_forecast,
) -> hutano_result {
    handle::handle_out(out, || {
        let f = handle::get::<Fitted>(fitted, "fitted")?;
        Ok(ForecastResult {
            long: f.panel.fitted_values(),
            unique_ids: f.unique_ids.clone(),
            backtest: None,
        })
    })
}

/// Forecast `h` steps after each series' end, with prediction intervals at
/// `levels` (percentages strictly between 0 and 100, e.g. 80 and 95;
/// `n_levels` may be 0). On success `*out` receives a forecast, freed with
/// `hutano_forecast_free`. With regressors, the `h` future values of each
/// come from `hutano_panel_add_regressor`: fewer than `h` there gives
/// `HUTANO_RESULT_INVALID_DATA` naming the column and the series.
///
/// # Safety
/// `fitted` is a live handle; `levels` is valid for `n_levels` doubles;
/// `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_fitted_predict(
    fitted: *const hutano_fitted,
    h: usize,
    levels: *const f64,
    n_levels: usize,
    out: *mut *mut hutano_forecast,
) -> hutano_result {
    handle::handle_out(out, || {
        let f = handle::get::<Fitted>(fitted, "fitted")?;
        // SAFETY: the caller guarantees `levels` is valid for `n_levels` doubles.
        let levels = unsafe { slice(levels, n_levels, "levels") }?;
        for (id, rows) in f.unique_ids.iter().zip(&f.future_rows) {
            if let Some(j) = rows.iter().position(|&r| r < h && h > 0) {
                return Err(FfiError::new(
                    hutano_result::InvalidData,
                    format!(
                        "regressor {:?} of series {id:?} has {} future values, h is {h} \
                         (give more to hutano_panel_add_regressor, or use hutano_fitted_predict_with)",
                        f.regressors[j], rows[j]
                    ),
                ));
            }
        }
        let long = f.panel.predict(h, levels)?;
        Ok(ForecastResult {
            long,
            unique_ids: f.unique_ids.clone(),
            backtest: None,
        })
    })
}

/// `hutano_fitted_predict` with the regressors' future values given here
/// instead of at `hutano_panel_add_regressor`: `future` holds series ×
/// regressors × `h` values, series by series (in the panel's order), within
/// a series regressor by regressor (in column order, see
/// `hutano_panel_add_regressor`), within a regressor the `h` steps after
/// the series' end.
///
/// Errors: `HUTANO_RESULT_LENGTH_MISMATCH` (`future_len` is not series ×
/// regressors × `h`), `HUTANO_RESULT_INVALID_DATA` (NaN or infinite value;
/// the detail names the column and the series), as `hutano_fitted_predict`.
///
/// # Safety
/// `fitted` is a live handle; `levels` is valid for `n_levels` doubles,
/// `future` for `future_len`; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_fitted_predict_with(
    fitted: *const hutano_fitted,
    h: usize,
    levels: *const f64,
    n_levels: usize,
    future: *const f64,
    future_len: usize,
    out: *mut *mut hutano_forecast,
) -> hutano_result {
    handle::handle_out(out, || {
        let fit = handle::get::<Fitted>(fitted, "fitted")?;
        // SAFETY: the caller guarantees the arrays are valid for their lengths.
        let (levels, future) = unsafe { (slice(levels, n_levels, "levels")?, slice(future, future_len, "future")?) };
        let (n_series, n_regressors) = (fit.unique_ids.len(), fit.regressors.len());
        let want = n_series.checked_mul(n_regressors).and_then(|nk| nk.checked_mul(h));
        if want != Some(future.len()) {
            return Err(FfiError::new(
                hutano_result::LengthMismatch,
                format!(
                    "future has {} values, series x regressors x h is {n_series} x {n_regressors} x {h}",
                    future.len()
                ),
            ));
        }
        if let Some(at) = future.iter().position(|v| !v.is_finite()) {
            let (series, column, step) = (at / (n_regressors * h), at / h % n_regressors, at % h);
            return Err(FfiError::new(
                hutano_result::InvalidData,
                format!(
                    "future value of regressor {:?} for series {:?} at step {} is not finite",
                    fit.regressors[column],
                    fit.unique_ids[series],
                    step + 1
                ),
            ));
        }
        let per_series: Vec<Vec<Vec<f64>>> = if future.is_empty() {
            // No regressor, or h of zero (refused by the prediction).
            vec![vec![Vec::new(); n_regressors]; n_series]
        } else {
            future
                .chunks(n_regressors * h)
                .map(|values| values.chunks(h).map(<[f64]>::to_vec).collect())
                .collect()
        };
        let long = fit.panel.predict_with(h, levels, &per_series)?;
        Ok(ForecastResult {
            long,
            unique_ids: fit.unique_ids.clone(),
            backtest: None,
        })
    })
}

/// Rolling-origin cross-validation (backtest) of every model on every
/// series: `n_windows` cutoffs `step` apart, the last one `h` steps before
/// each series' end; each model is fitted on the data up to the cutoff
/// only. Rows are ordered by series, cutoff and step. Score it with
/// `hutano_forecast_metrics` and `hutano_forecast_coverage`.
///
/// Errors: `HUTANO_RESULT_SERIES_TOO_SHORT` for a series without
/// `h + step * (n_windows - 1) + 2` values, parameter and model errors.
///
/// # Safety
/// `forecaster` and `panel` are live handles; `levels` is valid for
/// `n_levels` doubles; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecaster_cross_validation(
    forecaster: *const hutano_forecaster,
    panel: *const hutano_panel,
    h: usize,
    n_windows: usize,
    step: usize,
    levels: *const f64,
    n_levels: usize,
    out: *mut *mut hutano_forecast,
) -> hutano_result {
    ffi_panic_boundary! {
        let cv = CrossValidation { h, n_windows, step, levels, n_levels };
        // SAFETY: forwarded contract.
        unsafe { cross_validation(forecaster, panel, &cv, &Control::new(), out) }
    }
}

/// `hutano_forecaster_cross_validation` reporting progress to `control`
/// (one unit per series, model and window) and stopping with
/// `HUTANO_RESULT_CANCELLED` (no output) when it is cancelled, before or
/// during the call (between units, also between series run in parallel;
/// see `hutano_control`).
///
/// # Safety
/// As `hutano_forecaster_cross_validation`; `control` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecaster_cross_validation_with_control(
    forecaster: *const hutano_forecaster,
    panel: *const hutano_panel,
    h: usize,
    n_windows: usize,
    step: usize,
    levels: *const f64,
    n_levels: usize,
    control: *const hutano_control,
    out: *mut *mut hutano_forecast,
) -> hutano_result {
    ffi_panic_boundary! {
        let control = &handle::get::<ControlHandle>(control, "control")?.0;
        let cv = CrossValidation { h, n_windows, step, levels, n_levels };
        // SAFETY: forwarded contract.
        unsafe { cross_validation(forecaster, panel, &cv, control, out) }
    }
}

/// The settings of a backtest, as C passes them.
struct CrossValidation {
    h: usize,
    n_windows: usize,
    step: usize,
    levels: *const f64,
    n_levels: usize,
}

/// # Safety
/// As `hutano_forecaster_cross_validation`.
unsafe fn cross_validation(
    forecaster: *const hutano_forecaster,
    panel: *const hutano_panel,
    cv: &CrossValidation,
    control: &Control,
    out: *mut *mut hutano_forecast,
) -> FfiResult<()> {
    let out = out_ptr(out, "out")?;
    let f = handle::get::<Forecaster>(forecaster, "forecaster")?;
    let panel = ready(handle::get::<PanelBuilder>(panel, "panel")?)?;
    // SAFETY: the caller guarantees `levels` is valid for `n_levels` doubles.
    let levels = unsafe { slice(cv.levels, cv.n_levels, "levels") }?;
    let long =
        f.0.cross_validation(panel, cv.h, cv.n_windows, cv.step, levels, control)?;
    finished(control)?;
    let unique_ids = panel.series.iter().map(|s| s.unique_id.clone()).collect();
    out.write(handle::into_raw(ForecastResult {
        long,
        unique_ids,
        backtest: Some((panel.clone(), levels.to_vec())),
    }));
    Ok(())
}

/// Free a forecast (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `forecast` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_free(forecast: *mut hutano_forecast) -> hutano_result {
    ffi_panic_boundary! { handle::free::<ForecastResult>(forecast, "forecast") }
}

/// Number of rows and of value columns (models and bounds) of a forecast.
///
/// # Safety
/// `forecast` is a live handle; `rows` and `columns` are valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_shape(
    forecast: *const hutano_forecast,
    rows: *mut usize,
    columns: *mut usize,
) -> hutano_result {
    ffi_panic_boundary! {
        let (rows, columns) = (out_ptr(rows, "rows")?, out_ptr(columns, "columns")?);
        let f = handle::get::<ForecastResult>(forecast, "forecast")?;
        rows.write(f.long.len());
        columns.write(f.long.columns.len());
        Ok(())
    }
}

/// Name of value column `j`: `<model>`, `<model>-lo-<level>` or
/// `<model>-hi-<level>` (levels written `80`, or `97.5`).
///
/// # Safety
/// `forecast` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_column_name(
    forecast: *const hutano_forecast,
    j: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            Ok(&item(
                &handle::get::<ForecastResult>(forecast, "forecast")?.long.columns,
                j,
                "column",
            )?
            .0)
        })
    }
}

/// Index of the value column called `name` (`HUTANO_RESULT_NOT_FOUND` if none).
///
/// # Safety
/// `forecast` is a live handle; `name` is valid for `name_len` bytes; `out`
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_column_index(
    forecast: *const hutano_forecast,
    name: *const c_char,
    name_len: usize,
    out: *mut usize,
) -> hutano_result {
    value_out(out, || {
        let f = handle::get::<ForecastResult>(forecast, "forecast")?;
        // SAFETY: the caller guarantees `name` is valid for its length.
        let name = unsafe { str_arg(name, name_len, "name") }?;
        position_of(f.long.columns.iter().map(|(n, _)| n.as_str()), name, "column")
    })
}

/// Values of value column `j`, one per row. Array output: see the preamble.
///
/// # Safety
/// `forecast` is a live handle; `out` is valid for `len` doubles; `out_n`
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_values(
    forecast: *const hutano_forecast,
    j: usize,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe {
        array_out(out, len, out_n, || {
            Ok(&item(
                &handle::get::<ForecastResult>(forecast, "forecast")?.long.columns,
                j,
                "column",
            )?
            .1)
        })
    }
}

/// Series index of each row (into `hutano_forecast_unique_id`).
///
/// # Safety
/// `forecast` is a live handle; `out` is valid for `len` values; `out_n`
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_series(
    forecast: *const hutano_forecast,
    out: *mut usize,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` values.
    unsafe {
        array_out(out, len, out_n, || {
            Ok(&handle::get::<ForecastResult>(forecast, "forecast")?.long.series)
        })
    }
}

/// Timestamp of each row, in seconds since 1970-01-01 00:00:00.
///
/// # Safety
/// `forecast` is a live handle; `out` is valid for `len` values; `out_n`
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_ds(
    forecast: *const hutano_forecast,
    out: *mut i64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` values.
    unsafe {
        array_out(out, len, out_n, || {
            Ok(seconds(&handle::get::<ForecastResult>(forecast, "forecast")?.long.ds))
        })
    }
}

/// Cutoff (last training timestamp) of each row, in seconds since
/// 1970-01-01; for a forecast, each series' last timestamp.
///
/// # Safety
/// As `hutano_forecast_ds`.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_cutoff(
    forecast: *const hutano_forecast,
    out: *mut i64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` values.
    unsafe {
        array_out(out, len, out_n, || {
            Ok(seconds(
                &handle::get::<ForecastResult>(forecast, "forecast")?.long.cutoff,
            ))
        })
    }
}

/// Timestamps as seconds since 1970-01-01 00:00:00.
fn seconds(times: &[chrono::NaiveDateTime]) -> Vec<i64> {
    times.iter().map(|t| epoch_seconds(*t)).collect()
}

/// Observed value of each row: the actuals of a backtest, NaN for a
/// forecast of the future.
///
/// # Safety
/// `forecast` is a live handle; `out` is valid for `len` doubles; `out_n`
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_actual(
    forecast: *const hutano_forecast,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe {
        array_out(out, len, out_n, || {
            Ok(&handle::get::<ForecastResult>(forecast, "forecast")?.long.y)
        })
    }
}

/// Number of series of the forecast.
///
/// # Safety
/// `forecast` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_series_count(
    forecast: *const hutano_forecast,
    out: *mut usize,
) -> hutano_result {
    value_out(out, || {
        Ok(handle::get::<ForecastResult>(forecast, "forecast")?.unique_ids.len())
    })
}

/// Identifier of series `i`.
///
/// # Safety
/// `forecast` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_unique_id(
    forecast: *const hutano_forecast,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            item(
                &handle::get::<ForecastResult>(forecast, "forecast")?.unique_ids,
                i,
                "series",
            )
        })
    }
}

/// The forecast as long-format CSV: `unique_id,ds,cutoff,y,<columns>`,
/// timestamps `YYYY-MM-DDTHH:MM:SS`, numbers in shortest round-trip form,
/// NaN as an empty cell.
///
/// # Safety
/// `forecast` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_csv(
    forecast: *const hutano_forecast,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            forecast_csv(handle::get::<ForecastResult>(forecast, "forecast")?)
        })
    }
}

fn forecast_csv(f: &ForecastResult) -> FfiResult<String> {
    let num = |x: f64| if x.is_nan() { String::new() } else { x.to_string() };
    let mut w = csv::Writer::from_writer(Vec::new());
    let err = |e: csv::Error| FfiError::new(hutano_result::Other, e.to_string());
    let mut header = vec!["unique_id".to_string(), "ds".into(), "cutoff".into(), "y".into()];
    header.extend(f.long.columns.iter().map(|(n, _)| n.clone()));
    w.write_record(&header).map_err(err)?;
    let iso = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    for i in 0..f.long.len() {
        let mut row = vec![
            f.unique_ids[f.long.series[i]].clone(),
            iso(f.long.ds[i]),
            iso(f.long.cutoff[i]),
            num(f.long.y[i]),
        ];
        row.extend(f.long.columns.iter().map(|(_, v)| num(v[i])));
        w.write_record(&row).map_err(err)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| FfiError::new(hutano_result::Other, e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| FfiError::new(hutano_result::Other, e.to_string()))
}

/// # Safety
/// `model` is NULL or valid for `model_len` bytes.
unsafe fn backtest_metrics(
    forecast: *const hutano_forecast,
    model: *const c_char,
    model_len: usize,
    season: usize,
) -> FfiResult<::hutano_forecast::backtest::Metrics> {
    let f = handle::get::<ForecastResult>(forecast, "forecast")?;
    // SAFETY: forwarded contract.
    let model = unsafe { str_arg(model, model_len, "model") }?;
    let (panel, levels) = f.backtest.as_ref().ok_or_else(|| {
        FfiError::new(
            hutano_result::NotFound,
            "not a backtest: use hutano_forecaster_cross_validation",
        )
    })?;
    if f.long.column(model).is_none() {
        return Err(FfiError::new(hutano_result::NotFound, format!("no model {model:?}")));
    }
    let windows = f.long.windows(panel, model, levels, season)?;
    Ok(evaluate(&windows)?)
}

/// Accuracy of model `model` over a backtest from
/// `hutano_forecaster_cross_validation`, with the MASE scaled at `season`
/// (7 for daily data with a weekly cycle). `HUTANO_RESULT_NOT_FOUND` for a
/// forecast that is not a backtest or an unknown model.
///
/// # Safety
/// `forecast` is a live handle; `model` is valid for `model_len` bytes;
/// `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_metrics(
    forecast: *const hutano_forecast,
    model: *const c_char,
    model_len: usize,
    season: usize,
    out: *mut hutano_metrics,
) -> hutano_result {
    value_out(out, || {
        // SAFETY: the caller guarantees `model` is valid for its length.
        let m = unsafe { backtest_metrics(forecast, model, model_len, season) }?;
        Ok(hutano_metrics {
            mase: m.mase,
            smape: m.smape,
            rmse: m.rmse,
            mae: m.mae,
            bias: m.bias,
            pinball: m.pinball,
            crps: m.crps,
        })
    })
}

/// Share of actuals inside model `model`'s interval over a backtest, one
/// value per level, in the order of the levels given to the backtest.
/// Array output: see the preamble.
///
/// # Safety
/// `forecast` is a live handle; `model` is valid for `model_len` bytes;
/// `out` is valid for `len` doubles; `out_n` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_forecast_coverage(
    forecast: *const hutano_forecast,
    model: *const c_char,
    model_len: usize,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    let shares = || {
        // SAFETY: the caller guarantees `model` is valid for its length.
        let m = unsafe { backtest_metrics(forecast, model, model_len, 1) }?;
        Ok(m.coverage.iter().map(|(_, share)| *share).collect::<Vec<f64>>())
    };
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe { array_out(out, len, out_n, shares) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    /// A panel of `n` daily series of `len` noisy weekly-cycle values.
    fn panel(n: usize, len: usize) -> *mut hutano_panel {
        let mut p = ptr::null_mut();
        // SAFETY: `p` is a valid output.
        assert_eq!(unsafe { hutano_panel_new(2, 0, &raw mut p) }, hutano_result::Ok);
        for s in 0..n {
            let ds: Vec<i64> = (0..len)
                .map(|i| 1_704_067_200 + 86_400 * i64::try_from(i).unwrap())
                .collect();
            let y: Vec<f64> = (0..len)
                .map(|i| 50.0 + 10.0 * (i % 7) as f64 + ((i * 7919 + s * 104_729) % 97) as f64 / 10.0)
                .collect();
            let id = format!("s{s}");
            // SAFETY: every array is valid for its length.
            let rc =
                unsafe { hutano_panel_add_series(p, id.as_ptr().cast(), id.len(), ds.as_ptr(), len, y.as_ptr(), len) };
            assert_eq!(rc, hutano_result::Ok);
        }
        p
    }

    /// Cancel a fit (or a backtest) while it runs: it returns CANCELLED and
    /// writes no output, or OK with every unit counted by the time the
    /// cancel returned. Either way the assertion holds, whatever the
    /// interleaving.
    fn cancel_while_running(backtest: bool) {
        const SERIES: usize = 12;
        let models = r#"[{"model": "auto_arima", "season_length": 7}]"#;
        let p = panel(SERIES, 120);
        let (mut fc, mut control) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: valid string and outputs.
        unsafe {
            assert_eq!(
                hutano_forecaster_new(models.as_ptr().cast(), models.len(), true, &raw mut fc),
                hutano_result::Ok
            );
            assert_eq!(hutano_control_new(&raw mut control), hutano_result::Ok);
        }
        let total = if backtest { SERIES * 2 } else { SERIES };
        // Raw pointers are not Send: cross the thread as addresses.
        let (fc_addr, p_addr, c_addr) = (fc as usize, p as usize, control as usize);
        let (rc, out, done) = std::thread::scope(|scope| {
            let worker = scope.spawn(move || {
                let (fc, p, c) = (
                    fc_addr as *const hutano_forecaster,
                    p_addr as *const hutano_panel,
                    c_addr as *const hutano_control,
                );
                let level = 80.0;
                let mut out = ptr::null_mut::<u8>();
                // SAFETY: live handles; `out` is a valid output of the right type.
                let rc = unsafe {
                    if backtest {
                        hutano_forecaster_cross_validation_with_control(
                            fc,
                            p,
                            7,
                            2,
                            7,
                            &raw const level,
                            1,
                            c,
                            (&raw mut out).cast(),
                        )
                    } else {
                        hutano_forecaster_fit_with_control(fc, p, c, (&raw mut out).cast())
                    }
                };
                (rc, out as usize)
            });
            let mut done = 0;
            while done == 0 && !worker.is_finished() {
                std::thread::sleep(std::time::Duration::from_micros(200));
                // SAFETY: live handle, valid output.
                assert_eq!(
                    unsafe { hutano_control_done(control, &raw mut done) },
                    hutano_result::Ok
                );
            }
            // SAFETY: live handle, valid output.
            unsafe {
                assert_eq!(hutano_control_cancel(control), hutano_result::Ok);
                assert_eq!(hutano_control_done(control, &raw mut done), hutano_result::Ok);
            }
            let (rc, out) = worker.join().unwrap();
            (rc, out, done)
        });
        match rc {
            hutano_result::Cancelled => assert_eq!(out, 0, "no output on CANCELLED"),
            hutano_result::Ok => {
                assert_eq!(done, total, "OK only if every unit was done at the cancel");
                // SAFETY: the output of the successful call.
                unsafe {
                    let freed = if backtest {
                        hutano_forecast_free(out as *mut hutano_forecast)
                    } else {
                        hutano_fitted_free(out as *mut hutano_fitted)
                    };
                    assert_eq!(freed, hutano_result::Ok);
                }
            }
            other => panic!("unexpected {other:?}"),
        }
        // SAFETY: live handles, freed once.
        unsafe {
            assert_eq!(hutano_control_free(control), hutano_result::Ok);
            assert_eq!(hutano_forecaster_free(fc), hutano_result::Ok);
            assert_eq!(hutano_panel_free(p), hutano_result::Ok);
        }
    }

    #[test]
    fn cancel_during_a_fit() {
        cancel_while_running(false);
    }

    #[test]
    fn cancel_during_a_backtest() {
        cancel_while_running(true);
    }
}
