//! The native half of the `hutano` Python package (`hutano._hutano`).
//!
//! Type conversion and error mapping only: every algorithm lives in
//! hutano-core and hutano-forecast. Frames are taken apart into `NumPy`
//! columns on the Python side (`python/hutano/_frames.py`), passed here
//! without copies where `NumPy` allows, and results come back as a dict of
//! `NumPy` columns that Python turns into the caller's frame type.
//!
//! Long calls run with the interpreter detached (other Python threads go on)
//! on a worker thread, while the calling thread polls for Ctrl-C every 50 ms
//! and reports progress; Ctrl-C cancels the work through
//! [`hutano_forecast::spec::Control`] and raises `KeyboardInterrupt`.

// PyO3 extracts `#[pymethods]` arguments by value; borrowing them is not an
// option the macro offers.
#![allow(clippy::needless_pass_by_value)]

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use hutano_core::ingest::{LoadReport, Site};
use hutano_core::kpi::{Dimension, Engine, Grain, Kpi, Period, Query};
use hutano_core::model::{snake_name, Network};
use hutano_core::table::{Table, Values};
use hutano_forecast::backtest::evaluate;
use hutano_forecast::panel::{FillRule, Freq, Panel};
use hutano_forecast::spec::{Control, FittedPanel, LongForecast, PanelForecaster};
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

mod optimize;

create_exception!(
    exceptions,
    HutanoError,
    PyException,
    "Base class of every error hutano raises."
);
create_exception!(
    exceptions,
    InvalidDataError,
    HutanoError,
    "The data are invalid: NaN or infinity, duplicate or off-grid timestamps, gaps, bad regressors. \
     Attributes `unique_id`, `row` and `column` say where, and `model` which model of a Forecaster \
     (None where not known)."
);
create_exception!(
    exceptions,
    SeriesTooShortError,
    InvalidDataError,
    "A series has too few observations for the model or the backtest."
);
create_exception!(
    exceptions,
    InvalidParameterError,
    HutanoError,
    "A parameter (model hyperparameter, level, horizon, KPI option, period) is invalid."
);
create_exception!(
    exceptions,
    MappingError,
    HutanoError,
    "A site or column mapping does not fit the file: missing column, bad JSON, unknown code."
);
create_exception!(exceptions, FileError, HutanoError, "A file cannot be read or written.");
create_exception!(
    exceptions,
    NotFittedError,
    HutanoError,
    "predict() was called before fit()."
);
create_exception!(
    exceptions,
    ConvergenceError,
    HutanoError,
    "A model's numerical routine failed on valid data and parameters."
);
create_exception!(
    exceptions,
    InfeasiblePlanError,
    HutanoError,
    "An allocation plan's hard constraints cannot all be met (beds for every patient, \
     safe-staffing floors). Attribute `shortfalls`: one `Shortfall` per unmet constraint \
     (`resource`, `date`, `shift`, `needed`, `available`)."
);

/// Raise `exc(message)` with attributes `unique_id`, `row` and `column`
/// (and `model`, set by [`forecast_err`] for a model's error).
fn data_error(
    py: Python<'_>,
    message: String,
    unique_id: Option<&str>,
    row: Option<u64>,
    column: Option<&str>,
    too_short: bool,
) -> PyErr {
    let err = if too_short {
        SeriesTooShortError::new_err(message)
    } else {
        InvalidDataError::new_err(message)
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail.
    let _ = value.setattr("unique_id", unique_id);
    let _ = value.setattr("row", row);
    let _ = value.setattr("column", column);
    let _ = value.setattr("model", None::<&str>);
    err
}

fn forecast_err(py: Python<'_>, e: hutano_forecast::Error) -> PyErr {
    let msg = e.to_string();
    forecast_err_as(py, e, msg)
}

/// The exception for `e`, with the message `msg`: an error of one model of
/// a forecaster takes the class of the model's own error, the whole message
/// and, for data errors, the model's name as `model`.
fn forecast_err_as(py: Python<'_>, e: hutano_forecast::Error, msg: String) -> PyErr {
    use hutano_forecast::Error as E;
    match e {
        E::InModel { model, source } => {
            let err = forecast_err_as(py, *source, msg);
            if err.is_instance_of::<InvalidDataError>(py) {
                // Setting an attribute on a fresh exception instance cannot fail.
                let _ = err.value(py).setattr("model", model);
            }
            err
        }
        E::NonFinite { unique_id, row }
        | E::DuplicateTimestamp { unique_id, row }
        | E::OffGrid { unique_id, row, .. } => data_error(py, msg, Some(&unique_id), Some(row as u64), None, false),
        E::Gaps { unique_id, .. } => data_error(py, msg, Some(&unique_id), None, None, false),
        E::TooShort { unique_id, .. } => data_error(py, msg, Some(&unique_id), None, None, true),
        E::Regressors { .. } | E::InvalidObservation { .. } => data_error(py, msg, None, None, None, false),
        E::InvalidParameter { .. } | E::InvalidLevel { .. } => InvalidParameterError::new_err(msg),
        E::Model { .. } => ConvergenceError::new_err(msg),
        E::Cancelled => PyKeyboardInterrupt::new_err(msg),
        E::Core(inner) => core_err(inner),
        E::Medicine(inner) => medicine_err(py, *inner),
        _ => HutanoError::new_err(msg),
    }
}

fn core_err(e: hutano_core::Error) -> PyErr {
    use hutano_core::Error as E;
    let msg = e.to_string();
    match e {
        E::Io { .. } | E::Write { .. } => FileError::new_err(msg),
        E::InvalidParameter { .. } | E::EmptyPeriod { .. } => InvalidParameterError::new_err(msg),
        E::MissingColumn { .. } | E::InvalidMapping { .. } | E::MappingSyntax { .. } => MappingError::new_err(msg),
        _ => HutanoError::new_err(msg),
    }
}

fn medicine_err(py: Python<'_>, e: hutano_forecast::medicines::MedicineError) -> PyErr {
    use hutano_forecast::medicines::MedicineError as E;
    let msg = e.to_string();
    match e {
        E::InvalidPolicy { .. } | E::InvalidRange { .. } | E::HorizonTooShort { .. } | E::UnknownMedicine { .. } => {
            InvalidParameterError::new_err(msg)
        }
        E::Forecast { source, .. } => {
            let inner = forecast_err(py, source);
            // Keep the class the model's error maps to, with the medicine named.
            if inner.is_instance_of::<InvalidParameterError>(py) {
                InvalidParameterError::new_err(msg)
            } else if inner.is_instance_of::<ConvergenceError>(py) {
                ConvergenceError::new_err(msg)
            } else {
                data_error(
                    py,
                    msg,
                    None,
                    None,
                    None,
                    inner.is_instance_of::<SeriesTooShortError>(py),
                )
            }
        }
        _ => data_error(py, msg, None, None, None, false),
    }
}

fn staffing_err(py: Python<'_>, e: hutano_forecast::staffing::StaffingError) -> PyErr {
    use hutano_forecast::staffing::StaffingError as E;
    let msg = e.to_string();
    match e {
        E::InvalidCensus { .. } => data_error(py, msg, None, None, None, false),
        _ => InvalidParameterError::new_err(msg),
    }
}

fn param_err(msg: impl Into<String>) -> PyErr {
    InvalidParameterError::new_err(msg.into())
}

/// Run `work` on a worker thread with the interpreter detached; poll for
/// Ctrl-C and call `progress(done, total)` every 50 ms on the calling
/// thread. `threads` (> 0) sizes a dedicated rayon pool; 0 uses rayon's
/// global pool (all cores).
fn run_controlled<T: Send>(
    py: Python<'_>,
    threads: usize,
    total: usize,
    progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&Control) -> Result<T, hutano_forecast::Error> + Send,
) -> PyResult<T> {
    let control = Control::new();
    let pool = if threads > 0 {
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| HutanoError::new_err(format!("cannot start {threads} threads: {e}")))?,
        )
    } else {
        None
    };
    let progress = progress.map(|p| p.clone().unbind());
    let mut interrupt: Option<PyErr> = None;
    let result = py.detach(|| {
        std::thread::scope(|scope| {
            let handle = scope.spawn(|| match &pool {
                Some(pool) => pool.install(|| work(&control)),
                None => work(&control),
            });
            let mut reported = usize::MAX;
            while !handle.is_finished() {
                std::thread::sleep(Duration::from_millis(50));
                Python::attach(|py| {
                    if let Err(e) = py.check_signals() {
                        control.cancel();
                        interrupt.get_or_insert(e);
                    }
                    let done = control.done();
                    if let (Some(cb), true) = (&progress, done != reported && interrupt.is_none()) {
                        reported = done;
                        if let Err(e) = cb.call1(py, (done, total)) {
                            control.cancel();
                            interrupt.get_or_insert(e);
                        }
                    }
                });
            }
            handle.join()
        })
    });
    if let Some(e) = interrupt {
        return Err(e);
    }
    let result = result.map_err(|_| HutanoError::new_err("internal error: the worker thread panicked"))?;
    if let (Some(cb), Ok(_)) = (&progress, &result) {
        cb.call1(py, (total, total))?;
    }
    result.map_err(|e| forecast_err(py, e))
}

fn parse_freq(freq: &str) -> PyResult<Freq> {
    Ok(match freq {
        "h" | "H" | "hourly" | "1h" => Freq::Hourly,
        "D" | "d" | "daily" | "1D" => Freq::Daily,
        "W" | "W-MON" | "weekly" | "1W" => Freq::Weekly,
        "MS" | "M" | "ME" | "monthly" | "1MS" => Freq::Monthly,
        other => {
            return Err(param_err(format!(
                "unknown freq {other:?}: use \"h\", \"D\", \"W\" or \"MS\" (hourly, daily, weekly, monthly)"
            )))
        }
    })
}

fn parse_fill(fill: &str) -> PyResult<FillRule> {
    Ok(match fill {
        "error" => FillRule::Error,
        "zero" => FillRule::Zero,
        "interpolate" => FillRule::Interpolate,
        other => {
            return Err(param_err(format!(
                "unknown fill rule {other:?}: use \"error\", \"zero\" or \"interpolate\""
            )))
        }
    })
}

fn from_ns(ns: i64) -> NaiveDateTime {
    DateTime::from_timestamp_nanos(ns).naive_utc()
}

fn to_ns(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// Long-format columns of a frame, as `_frames.py` passes them.
struct LongColumns<'a> {
    codes: &'a [u32],
    names: &'a [String],
    ds: &'a [i64],
}

impl LongColumns<'_> {
    fn check(&self, py: Python<'_>, n: usize) -> PyResult<()> {
        if self.codes.len() != n || self.ds.len() != n {
            return Err(param_err(format!(
                "columns differ in length: {} ids, {} timestamps, {n} values",
                self.codes.len(),
                self.ds.len()
            )));
        }
        if let Some(row) = self.codes.iter().position(|&c| c as usize >= self.names.len()) {
            return Err(data_error(
                py,
                format!("bad series code at row {row}"),
                None,
                Some(row as u64),
                None,
                false,
            ));
        }
        Ok(())
    }

    fn id(&self, i: usize) -> &str {
        &self.names[self.codes[i] as usize]
    }
}

#[allow(clippy::too_many_arguments)]
fn build_panel(
    py: Python<'_>,
    codes: &PyReadonlyArray1<'_, u32>,
    names: &[String],
    ds: &PyReadonlyArray1<'_, i64>,
    y: &PyReadonlyArray1<'_, f64>,
    x: Option<&PyReadonlyArray2<'_, f64>>,
    x_names: &[String],
    freq: Freq,
    fill: FillRule,
) -> PyResult<Panel> {
    let cols = LongColumns {
        codes: codes.as_slice()?,
        names,
        ds: ds.as_slice()?,
    };
    let y = y.as_slice()?;
    cols.check(py, y.len())?;
    let rows = (0..y.len()).map(|i| (cols.id(i), from_ns(cols.ds[i]), y[i]));
    let panel = py
        .detach(|| Panel::from_long(rows, freq, fill))
        .map_err(|e| forecast_err(py, e))?;
    match x {
        None => Ok(panel),
        Some(x) => {
            let x = x.as_array();
            if x.nrows() != y.len() || x.ncols() != x_names.len() {
                return Err(param_err(format!(
                    "regressors are {}×{}, expected {}×{}",
                    x.nrows(),
                    x.ncols(),
                    y.len(),
                    x_names.len()
                )));
            }
            let names: Vec<&str> = x_names.iter().map(String::as_str).collect();
            let rows = (0..y.len()).map(|i| (cols.id(i), from_ns(cols.ds[i]), x.row(i).to_vec()));
            panel.with_regressors(&names, rows).map_err(|e| forecast_err(py, e))
        }
    }
}

fn long_to_dict<'py>(py: Python<'py>, out: LongForecast, ids: &[String], cv: bool) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let series: Vec<u32> = out
        .series
        .iter()
        .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
        .collect();
    d.set_item("series", series.into_pyarray(py))?;
    d.set_item("unique_ids", PyList::new(py, ids)?)?;
    d.set_item(
        "ds",
        out.ds.iter().map(|t| to_ns(*t)).collect::<Vec<_>>().into_pyarray(py),
    )?;
    if cv {
        d.set_item(
            "cutoff",
            out.cutoff
                .iter()
                .map(|t| to_ns(*t))
                .collect::<Vec<_>>()
                .into_pyarray(py),
        )?;
        d.set_item("y", out.y.into_pyarray(py))?;
    }
    let names = PyList::empty(py);
    for (name, values) in out.columns {
        names.append(&name)?;
        d.set_item(name, values.into_pyarray(py))?;
    }
    d.set_item("columns", names)?;
    Ok(d)
}

/// Several forecasting models with their settings; `fit` gives a
/// [`Fitted`].
#[pyclass(module = "hutano._hutano", frozen)]
#[derive(Debug)]
struct Forecaster {
    spec: PanelForecaster,
    freq: Freq,
    fill: FillRule,
}

#[pymethods]
impl Forecaster {
    /// `models_json`: a JSON list of `[name, spec]` pairs (see
    /// `hutano.models`); `freq` "h", "D", "W" or "MS"; `fill` the rule for
    /// missing timestamps.
    #[new]
    #[pyo3(signature = (models_json, freq, fill, non_negative))]
    fn new(models_json: &str, freq: &str, fill: &str, non_negative: bool) -> PyResult<Self> {
        let models = serde_json::from_str(models_json).map_err(|e| param_err(format!("models: {e}")))?;
        let mut spec = PanelForecaster::new(models);
        spec.non_negative = non_negative;
        for (_, m) in &spec.models {
            m.build().map_err(|e| Python::attach(|py| forecast_err(py, e)))?;
        }
        Ok(Self {
            spec,
            freq: parse_freq(freq)?,
            fill: parse_fill(fill)?,
        })
    }

    /// Fit every model to every series of the long-format columns.
    #[pyo3(signature = (codes, names, ds, y, x, x_names, threads, progress))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        &self,
        py: Python<'_>,
        codes: PyReadonlyArray1<'_, u32>,
        names: Vec<String>,
        ds: PyReadonlyArray1<'_, i64>,
        y: PyReadonlyArray1<'_, f64>,
        x: Option<PyReadonlyArray2<'_, f64>>,
        x_names: Vec<String>,
        threads: usize,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Fitted> {
        let panel = build_panel(py, &codes, &names, &ds, &y, x.as_ref(), &x_names, self.freq, self.fill)?;
        let total = panel.series.len() * self.spec.models.len();
        let spec = &self.spec;
        let fitted = run_controlled(py, threads, total, progress.as_ref(), |c| spec.fit(&panel, c))?;
        Ok(Fitted {
            spec: self.spec.clone(),
            panel,
            models: fitted,
        })
    }

    /// Rolling-origin cross-validation; returns the long-format columns and
    /// `metrics` per model.
    #[pyo3(signature = (codes, names, ds, y, x, x_names, h, n_windows, step, levels, season, threads, progress))]
    #[allow(clippy::too_many_arguments)]
    fn cross_validation<'py>(
        &self,
        py: Python<'py>,
        codes: PyReadonlyArray1<'_, u32>,
        names: Vec<String>,
        ds: PyReadonlyArray1<'_, i64>,
        y: PyReadonlyArray1<'_, f64>,
        x: Option<PyReadonlyArray2<'_, f64>>,
        x_names: Vec<String>,
        h: usize,
        n_windows: usize,
        step: usize,
        levels: Vec<f64>,
        season: usize,
        threads: usize,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let panel = build_panel(py, &codes, &names, &ds, &y, x.as_ref(), &x_names, self.freq, self.fill)?;
        let total = panel.series.len() * self.spec.models.len() * n_windows;
        let spec = &self.spec;
        let out = run_controlled(py, threads, total, progress.as_ref(), |c| {
            spec.cross_validation(&panel, h, n_windows, step, &levels, c)
        })?;
        let metrics = PyDict::new(py);
        for (name, _) in &self.spec.models {
            let windows = out
                .windows(&panel, name, &levels, season)
                .map_err(|e| forecast_err(py, e))?;
            let m = evaluate(&windows).map_err(|e| forecast_err(py, e))?;
            let md = PyDict::new(py);
            md.set_item("mase", m.mase)?;
            md.set_item("smape", m.smape)?;
            md.set_item("rmse", m.rmse)?;
            md.set_item("mae", m.mae)?;
            md.set_item("bias", m.bias)?;
            md.set_item("crps", m.crps)?;
            md.set_item("pinball", m.pinball)?;
            let cov = PyDict::new(py);
            for (l, c) in &m.coverage {
                cov.set_item(*l, *c)?;
            }
            md.set_item("coverage", cov)?;
            metrics.set_item(name, md)?;
        }
        let ids: Vec<String> = panel.series.iter().map(|s| s.unique_id.clone()).collect();
        let d = long_to_dict(py, out, &ids, true)?;
        d.set_item("metrics", metrics)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.spec.models.iter().map(|(n, _)| n.as_str()).collect();
        format!("Forecaster(models={names:?}, freq={:?})", self.freq.name())
    }
}

/// Future regressor values in long format: series codes, series names,
/// timestamps (ns) and the rows × regressors matrix.
type FutureColumns<'a> = (
    PyReadonlyArray1<'a, u32>,
    Vec<String>,
    PyReadonlyArray1<'a, i64>,
    PyReadonlyArray2<'a, f64>,
);

/// What `__reduce__` returns: the restoring function and its arguments.
type Reduced<'py> = (Bound<'py, PyAny>, (Bound<'py, PyBytes>, Bound<'py, PyBytes>));

/// A forecaster fitted to a panel. Pickles by its specification and
/// training data, and is refitted (deterministically: same seeds, same
/// result) when unpickled.
#[pyclass(module = "hutano._hutano", frozen)]
struct Fitted {
    spec: PanelForecaster,
    panel: Panel,
    models: FittedPanel,
}

impl std::fmt::Debug for Fitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fitted")
            .field("models", &self.models)
            .finish_non_exhaustive()
    }
}

#[pymethods]
impl Fitted {
    /// Forecast `h` steps with intervals at `levels`; `future` gives the
    /// regressors' future values as long-format columns.
    #[pyo3(signature = (h, levels, future=None))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        h: usize,
        levels: Vec<f64>,
        future: Option<FutureColumns<'_>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let out = match future {
            None => py.detach(|| self.models.predict(h, &levels)),
            Some((codes, names, ds, x)) => {
                let future = self.future_columns(py, &codes, &names, &ds, &x, h)?;
                py.detach(|| self.models.predict_with(h, &levels, &future))
            }
        }
        .map_err(|e| forecast_err(py, e))?;
        let ids: Vec<String> = self.panel.series.iter().map(|s| s.unique_id.clone()).collect();
        long_to_dict(py, out, &ids, false)
    }

    /// Every model's in-sample one-step fitted values, with the
    /// observations (`y`; `cutoff` is each series' last timestamp).
    fn fitted_values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let out = py.detach(|| self.models.fitted_values());
        let ids: Vec<String> = self.panel.series.iter().map(|s| s.unique_id.clone()).collect();
        long_to_dict(py, out, &ids, true)
    }

    /// Names of the regressors the models were fitted with.
    #[getter]
    fn regressors(&self) -> Vec<String> {
        self.panel.regressors.clone()
    }

    /// Series identifiers, in output order.
    #[getter]
    fn unique_ids(&self) -> Vec<String> {
        self.panel.series.iter().map(|s| s.unique_id.clone()).collect()
    }

    /// The model specifications as JSON.
    #[getter]
    fn models_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.spec.models).map_err(|e| HutanoError::new_err(e.to_string()))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let py = slf.py();
        let this = slf.get();
        let spec = serde_json::to_vec(&this.spec).map_err(|e| HutanoError::new_err(e.to_string()))?;
        let panel = serde_json::to_vec(&this.panel).map_err(|e| HutanoError::new_err(e.to_string()))?;
        let restore = py.import("hutano._hutano")?.getattr("_restore_fitted")?;
        Ok((restore, (PyBytes::new(py, &spec), PyBytes::new(py, &panel))))
    }
}

impl Fitted {
    /// Per series, per regressor column, the future rows `1..=h` after the
    /// series' end, from long-format rows.
    #[allow(clippy::many_single_char_names)] // h, k, x, s, p: the notation of the docs
    fn future_columns(
        &self,
        py: Python<'_>,
        codes: &PyReadonlyArray1<'_, u32>,
        names: &[String],
        ds: &PyReadonlyArray1<'_, i64>,
        x: &PyReadonlyArray2<'_, f64>,
        h: usize,
    ) -> PyResult<Vec<Vec<Vec<f64>>>> {
        let cols = LongColumns {
            codes: codes.as_slice()?,
            names,
            ds: ds.as_slice()?,
        };
        let x = x.as_array();
        cols.check(py, x.nrows())?;
        let k = self.panel.regressors.len();
        if x.ncols() != k {
            return Err(data_error(
                py,
                format!("{} future regressor columns, fitted with {k}", x.ncols()),
                None,
                None,
                None,
                false,
            ));
        }
        let index: HashMap<&str, usize> = self
            .panel
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.unique_id.as_str(), i))
            .collect();
        let mut out: Vec<Vec<Vec<f64>>> = vec![vec![vec![f64::NAN; h]; k]; self.panel.series.len()];
        for row in 0..x.nrows() {
            let id = cols.id(row);
            let Some(&i) = index.get(id) else {
                return Err(data_error(
                    py,
                    format!("future regressors at row {row} name a series that was not fitted"),
                    Some(id),
                    Some(row as u64),
                    None,
                    false,
                ));
            };
            let s = &self.panel.series[i];
            let last = s.y.len() - 1;
            let pos = s
                .freq
                .position(s.start, from_ns(cols.ds[row]))
                .filter(|p| *p > last && *p <= last + h);
            if let Some(p) = pos {
                for (j, col) in out[i].iter_mut().enumerate() {
                    col[p - last - 1] = x[(row, j)];
                }
            }
        }
        for (s, cols) in self.panel.series.iter().zip(&out) {
            if let Some(step) = cols.first().and_then(|c| c.iter().position(|v| v.is_nan())) {
                return Err(data_error(
                    py,
                    format!(
                        "series {:?} has no future regressor values for {}",
                        s.unique_id,
                        s.freq.at(s.start, s.y.len() + step)
                    ),
                    Some(&s.unique_id),
                    None,
                    None,
                    false,
                ));
            }
        }
        Ok(out)
    }
}

/// Refit a pickled [`Fitted`] (the inverse of `Fitted.__reduce__`).
#[pyfunction]
fn _restore_fitted(py: Python<'_>, spec: &[u8], panel: &[u8]) -> PyResult<Fitted> {
    let spec: PanelForecaster = serde_json::from_slice(spec).map_err(|e| HutanoError::new_err(e.to_string()))?;
    let panel: Panel = serde_json::from_slice(panel).map_err(|e| HutanoError::new_err(e.to_string()))?;
    let fitted = run_controlled(py, 0, 0, None, |c| spec.fit(&panel, c))?;
    Ok(Fitted {
        spec,
        panel,
        models: fitted,
    })
}

/// A hospital network's data: encounters with the branches and departments
/// they refer to, and the report of the load that produced them.
#[pyclass(module = "hutano._hutano", frozen)]
#[derive(Debug)]
struct Dataset {
    net: Network,
    report: Option<LoadReport>,
    period: Option<Period>,
}

fn report_dict<'py>(py: Python<'py>, r: &LoadReport) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("rows_read", r.rows_read)?;
    d.set_item("rows_loaded", r.rows_loaded)?;
    d.set_item("rows_rejected", r.rejects.len())?;
    d.set_item(
        "row",
        r.rejects.iter().map(|x| x.row).collect::<Vec<_>>().into_pyarray(py),
    )?;
    d.set_item("column", r.rejects.iter().map(|x| x.column.clone()).collect::<Vec<_>>())?;
    let reasons: Vec<String> = r.rejects.iter().map(|x| x.reason.label()).collect();
    d.set_item("reason", reasons)?;
    d.set_item(
        "message",
        r.rejects.iter().map(|x| x.reason.to_string()).collect::<Vec<_>>(),
    )?;
    Ok(d)
}

fn table_dict<'py>(py: Python<'py>, t: &Table) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for name in t.names() {
        let Some(col) = t.column(name) else { continue };
        match col {
            Values::Text(v) => d.set_item(name, PyList::new(py, v)?)?,
            Values::Date(v) => {
                let days: Vec<i64> = v.iter().map(|x| (*x - NaiveDate::default()).num_days()).collect();
                d.set_item(name, ("date", days.into_pyarray(py)))?;
            }
            Values::Int(v) => d.set_item(name, v.clone().into_pyarray(py))?,
            Values::Float(v) => d.set_item(name, v.clone().into_pyarray(py))?,
        }
    }
    Ok(d)
}

fn parse_date(s: &str, what: &str) -> PyResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| param_err(format!("{what} {s:?}: {e} (use YYYY-MM-DD)")))
}

#[pymethods]
impl Dataset {
    /// Load a CSV or .xlsx file with a site document (JSON text).
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf, site_json: &str) -> PyResult<Self> {
        let site = Site::from_json(site_json).map_err(core_err)?;
        let (net, report) = py.detach(|| site.load(&path)).map_err(core_err)?;
        Ok(Self {
            net,
            report: Some(report),
            period: None,
        })
    }

    /// Load CSV text (bytes) with a site document.
    #[staticmethod]
    fn load_csv_bytes(py: Python<'_>, data: &[u8], site_json: &str) -> PyResult<Self> {
        let site = Site::from_json(site_json).map_err(core_err)?;
        let (net, report) = py.detach(|| site.load_csv_reader(data)).map_err(core_err)?;
        Ok(Self {
            net,
            report: Some(report),
            period: None,
        })
    }

    /// Generate a network: `preset` "national" (Zimbabwe, 11 hospitals) or
    /// "india" (four branches).
    #[staticmethod]
    #[pyo3(signature = (preset, seed, days, start=None, admission_scale=None))]
    fn generate(
        py: Python<'_>,
        preset: &str,
        seed: u64,
        days: u32,
        start: Option<&str>,
        admission_scale: Option<f64>,
    ) -> PyResult<Self> {
        use hutano_core::generate::{generate, GeneratorConfig};
        let mut config = match preset {
            "national" => GeneratorConfig::national(seed),
            "india" => GeneratorConfig::india_four_branch(seed),
            other => {
                return Err(param_err(format!(
                    "unknown preset {other:?}: use \"national\" or \"india\""
                )))
            }
        }
        .days(days);
        if let Some(s) = start {
            config = config.start(parse_date(s, "start")?);
        }
        if let Some(a) = admission_scale {
            config = config.admission_scale(a);
        }
        config.check().map_err(core_err)?;
        let net = py.detach(|| generate(&config)).map_err(core_err)?;
        let end = config.start + chrono::Days::new(u64::from(config.days));
        Ok(Self {
            net,
            report: None,
            period: Period::new(config.start, end).ok(),
        })
    }

    /// The load report as columns (None for generated data).
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.report.as_ref().map(|r| report_dict(py, r)).transpose()
    }

    /// Number of encounters.
    #[getter]
    fn n_encounters(&self) -> usize {
        self.net.encounters.len()
    }

    /// `(first admission day, day after the last admission)` as ISO dates,
    /// or the generated period.
    fn period(&self) -> Option<(String, String)> {
        if let Some(p) = self.period {
            return Some((p.start().to_string(), p.end().to_string()));
        }
        let first = self.net.encounters.iter().map(|e| e.admit.date()).min()?;
        let last = self.net.encounters.iter().map(|e| e.admit.date()).max()?;
        Some((first.to_string(), last.succ_opt()?.to_string()))
    }

    /// Compute a KPI (JSON `{"kpi": name, ...options}`) over `[start, end)`.
    #[pyo3(signature = (kpi_json, start, end, grain, by, filters, age_bands=None))]
    #[allow(clippy::too_many_arguments)]
    fn kpi<'py>(
        &self,
        py: Python<'py>,
        kpi_json: &str,
        start: &str,
        end: &str,
        grain: &str,
        by: Vec<String>,
        filters: Vec<(String, Vec<String>)>,
        age_bands: Option<Vec<u16>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let kpi: Kpi = serde_json::from_str(kpi_json).map_err(|e| param_err(format!("kpi: {e}")))?;
        let period = Period::new(parse_date(start, "start")?, parse_date(end, "end")?).map_err(core_err)?;
        let dim = |name: &str| -> PyResult<Dimension> {
            serde_json::from_value(serde_json::Value::String(name.to_string()))
                .map_err(|_| param_err(format!("unknown dimension {name:?}")))
        };
        let grain: Grain = serde_json::from_value(serde_json::Value::String(grain.to_string()))
            .map_err(|_| param_err(format!("unknown grain {grain:?}: use day, week, month or period")))?;
        let mut q = Query::new(period)
            .grain(grain)
            .group_by(by.iter().map(|b| dim(b)).collect::<PyResult<Vec<_>>>()?);
        for (d, values) in filters {
            q = q.filter(dim(&d)?, values);
        }
        if let Some(bands) = age_bands {
            q = q.age_bands(bands);
        }
        let table = py
            .detach(|| Engine::new(&self.net).and_then(|e| kpi.compute(&e, &q)))
            .map_err(core_err)?;
        table_dict(py, &table)
    }

    /// Forecast the midnight census of the `h` days after `as_of` (ISO date)
    /// from all encounters: LOS survival and current patients from the
    /// stays, arrivals forecast by `model_json` (a `ModelSpec`), combined by
    /// `arrival_json` (an `ArrivalModel`). Columns: `ds` (days), `mean`,
    /// `lo-<level>`/`hi-<level>`, and `prob_above` when `capacity` is given.
    #[pyo3(signature = (as_of, h, levels, model_json, arrival_json, capacity=None, unit_json=None))]
    #[allow(clippy::too_many_arguments)]
    fn census_forecast<'py>(
        &self,
        py: Python<'py>,
        as_of: &str,
        h: usize,
        levels: Vec<f64>,
        model_json: &str,
        arrival_json: &str,
        capacity: Option<f64>,
        unit_json: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        use hutano_forecast::resources::{census_forecast_for, census_from_stays, ArrivalModel, Stay, Unit};
        use hutano_forecast::spec::ModelSpec;
        let as_of = parse_date(as_of, "as_of")?;
        let spec: ModelSpec = serde_json::from_str(model_json).map_err(|e| param_err(format!("model: {e}")))?;
        let arrival: ArrivalModel =
            serde_json::from_str(arrival_json).map_err(|e| param_err(format!("arrival model: {e}")))?;
        let model = spec.build().map_err(|e| forecast_err(py, e))?;
        let (f, unit_capacity) = match unit_json {
            None => {
                let stays: Vec<Stay> = self.net.encounters.iter().map(|e| (e.admit, e.discharge)).collect();
                let f = py
                    .detach(|| census_from_stays(&stays, as_of, h, model.as_ref(), arrival, &levels))
                    .map_err(|e| forecast_err(py, e))?;
                (f, None)
            }
            Some(json) => {
                let unit: Unit = serde_json::from_str(json).map_err(|e| param_err(format!("unit: {e}")))?;
                let u = py
                    .detach(|| census_forecast_for(&self.net, &unit, as_of, h, model.as_ref(), arrival, &levels))
                    .map_err(|e| forecast_err(py, e))?;
                let prob = u.prob_above_capacity();
                (u.census, Some((u.capacity, prob)))
            }
        };
        let d = PyDict::new(py);
        let days: Vec<i64> = (1..=h)
            .map(|t| (as_of - NaiveDate::default()).num_days() + i64::try_from(t).unwrap_or(i64::MAX))
            .collect();
        d.set_item("ds", ("date", days.into_pyarray(py)))?;
        d.set_item("mean", f.forecast.point.clone().into_pyarray(py))?;
        for (j, level) in f.forecast.levels.iter().enumerate() {
            let l = hutano_forecast::spec::format_level(*level);
            d.set_item(format!("lo-{l}"), f.forecast.lower[j].clone().into_pyarray(py))?;
            d.set_item(format!("hi-{l}"), f.forecast.upper[j].clone().into_pyarray(py))?;
        }
        if let Some(c) = capacity {
            d.set_item("prob_above", f.prob_above(c).into_pyarray(py))?;
        } else if let Some((caps, prob)) = unit_capacity {
            d.set_item("capacity", caps.into_pyarray(py))?;
            d.set_item("prob_above", prob.into_pyarray(py))?;
        }
        Ok(d)
    }

    /// Plan every medicine of the network at the end of `as_of`: the
    /// consumption forecast by `model_json` (a `ConsumptionModel`), the
    /// reorder point and quantity under `policy_json` (a `ReorderPolicy`),
    /// the stock-out date and probability and the stock at risk of expiry.
    /// One entry per medicine, in table order; a medicine whose plan fails
    /// has `error` set and NaN numbers (nothing is dropped).
    #[allow(clippy::too_many_lines)]
    fn medicine_plan<'py>(
        &self,
        py: Python<'py>,
        as_of: &str,
        horizon: usize,
        levels: Vec<f64>,
        model_json: &str,
        policy_json: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        use hutano_forecast::medicines::{plan_network, ConsumptionModel, ReorderPolicy};
        let as_of = parse_date(as_of, "as_of")?;
        let model: ConsumptionModel =
            serde_json::from_str(model_json).map_err(|e| param_err(format!("consumption model: {e}")))?;
        let policy: ReorderPolicy =
            serde_json::from_str(policy_json).map_err(|e| param_err(format!("reorder policy: {e}")))?;
        policy.check().map_err(|e| medicine_err(py, e))?;
        let plans = py.detach(|| plan_network(&self.net, as_of, &model, &policy, horizon, &levels));
        let n = plans.len();
        let mut text: Vec<[Option<String>; 6]> = Vec::with_capacity(n);
        let mut nums: Vec<[f64; 14]> = Vec::with_capacity(n);
        let mut order_now = Vec::with_capacity(n);
        let mut stock_out_day: Vec<i64> = Vec::with_capacity(n);
        let epoch = NaiveDate::default();
        for (med, plan) in self.net.medicines.iter().zip(plans) {
            let branch = self.net.branches.get(med.branch.0 as usize).map(|b| b.code.clone());
            match plan {
                Ok(p) => {
                    text.push([
                        Some(med.code.clone()),
                        Some(med.name.clone()),
                        Some(med.unit.clone()),
                        branch,
                        Some(snake_name(&p.pattern.class)),
                        None,
                    ]);
                    nums.push(p.numbers());
                    order_now.push(p.order_now);
                    stock_out_day.push(p.projection.stock_out_date.map_or(i64::MIN, |d| (d - epoch).num_days()));
                }
                Err(e) => {
                    text.push([
                        Some(med.code.clone()),
                        Some(med.name.clone()),
                        Some(med.unit.clone()),
                        branch,
                        None,
                        Some(e.to_string()),
                    ]);
                    nums.push([f64::NAN; 14]);
                    order_now.push(false);
                    stock_out_day.push(i64::MIN);
                }
            }
        }
        let d = PyDict::new(py);
        for (j, name) in ["medicine", "name", "unit", "branch", "demand_pattern", "error"]
            .iter()
            .enumerate()
        {
            let col: Vec<Option<String>> = text.iter().map(|r| r[j].clone()).collect();
            d.set_item(*name, col)?;
        }
        for (j, name) in hutano_forecast::medicines::MedicinePlan::NUMBER_COLUMNS
            .iter()
            .enumerate()
        {
            let col: Vec<f64> = nums.iter().map(|r| r[j]).collect();
            d.set_item(*name, col.into_pyarray(py))?;
        }
        d.set_item("order_now", order_now)?;
        d.set_item("stock_out_date", ("date", stock_out_day.into_pyarray(py)))?;
        Ok(d)
    }

    /// Evaluate the alert rules (`rules_json`: an `AlertRules` document;
    /// the defaults when `None`) day by day over `[start, end)`, each day
    /// seeing only what was known at its midnight; the alerts raised, as
    /// JSON (one raise per condition, with its end when it cleared).
    #[pyo3(signature = (start, end, rules_json=None))]
    fn alerts(&self, py: Python<'_>, start: &str, end: &str, rules_json: Option<&str>) -> PyResult<String> {
        use hutano_forecast::alerts::{evaluate_network, AlertRules};
        let rules: AlertRules = match rules_json {
            Some(j) => serde_json::from_str(j).map_err(|e| param_err(format!("alert rules: {e}")))?,
            None => AlertRules::default(),
        };
        let period =
            hutano_core::kpi::Period::new(parse_date(start, "start")?, parse_date(end, "end")?).map_err(core_err)?;
        let alerts = py
            .detach(|| evaluate_network(&self.net, &rules, period))
            .map_err(|e| forecast_err(py, e))?;
        serde_json::to_string(&alerts).map_err(|e| HutanoError::new_err(format!("alerts: {e}")))
    }

    /// The monthly board report for the month starting `month` (a first of
    /// the month), with `config_json` a `ReportConfig` (defaults when
    /// `None`): `(html, csv, json)`.
    #[pyo3(signature = (month, config_json=None))]
    fn monthly_report(
        &self,
        py: Python<'_>,
        month: &str,
        config_json: Option<&str>,
    ) -> PyResult<(String, String, String)> {
        use hutano_forecast::report::{MonthlyReport, ReportConfig};
        let config: ReportConfig = match config_json {
            Some(j) => serde_json::from_str(j).map_err(|e| param_err(format!("report config: {e}")))?,
            None => ReportConfig::default(),
        };
        let month = parse_date(month, "month")?;
        let report = py
            .detach(|| MonthlyReport::build(&self.net, month, &config))
            .map_err(|e| forecast_err(py, e))?;
        let json = report.to_json().map_err(|e| forecast_err(py, e))?;
        Ok((report.to_html(), report.to_csv(), json))
    }

    /// Write the encounters as CSV (the export format generated networks use).
    fn encounters_csv<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let mut buf = Vec::new();
        hutano_core::export::write_encounters_csv(&self.net, &mut buf).map_err(core_err)?;
        Ok(PyBytes::new(py, &buf))
    }

    fn __repr__(&self) -> String {
        format!(
            "Dataset(name={:?}, branches={}, encounters={})",
            self.net.name,
            self.net.branches.len(),
            self.net.encounters.len()
        )
    }
}

/// Beds for a blocking target by the Erlang loss model, next to the 85 %
/// occupancy rule (de Bruin et al. 2010), as a dict.
#[pyfunction]
fn beds_for_blocking(py: Python<'_>, arrival_rate: f64, mean_los: f64, target: f64) -> PyResult<Bound<'_, PyDict>> {
    let b = hutano_forecast::resources::beds_for_blocking(arrival_rate, mean_los, target)
        .map_err(|e| forecast_err(py, e))?;
    let d = PyDict::new(py);
    d.set_item("offered_load", b.offered_load)?;
    d.set_item("target", b.target)?;
    d.set_item("erlang_beds", b.erlang_beds)?;
    d.set_item("erlang_blocking", b.erlang_blocking)?;
    d.set_item("erlang_occupancy", b.erlang_occupancy)?;
    d.set_item("occupancy_rule_beds", b.occupancy_rule_beds)?;
    d.set_item("occupancy_rule_blocking", b.occupancy_rule_blocking)?;
    Ok(d)
}

/// Staff per day, shift and role for one ward's census forecast
/// (`required_staff` of hutano-forecast's `staffing` module): the census
/// as `point` and the `levels`' `lower` / `upper` bounds from day
/// `start`; `ratios_json` a `Ratios` table (NABH's when `None`).
#[pyfunction]
#[pyo3(signature = (ward, ward_type, start, point, levels, lower, upper, shifts, level, ratios_json=None))]
#[allow(clippy::too_many_arguments)]
fn required_staff<'py>(
    py: Python<'py>,
    ward: String,
    ward_type: &str,
    start: &str,
    point: Vec<f64>,
    levels: Vec<f64>,
    lower: Vec<Vec<f64>>,
    upper: Vec<Vec<f64>>,
    shifts: Vec<String>,
    level: f64,
    ratios_json: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    use hutano_core::model::ShiftKind;
    use hutano_forecast::forecast::Forecast;
    use hutano_forecast::staffing::{role_label, Ratios, WardCensus, WardType};
    let ward_type: WardType = serde_json::from_value(serde_json::Value::String(ward_type.into())).map_err(|_| {
        let known: Vec<&str> = WardType::ALL.iter().map(|w| w.label()).collect();
        param_err(format!("unknown ward_type {ward_type:?}; known: {}", known.join(", ")))
    })?;
    let shifts: Vec<ShiftKind> = shifts
        .iter()
        .map(|s| {
            serde_json::from_value(serde_json::Value::String(s.clone()))
                .map_err(|_| param_err(format!("unknown shift {s:?}; known: day, evening, night, on_call")))
        })
        .collect::<PyResult<_>>()?;
    let ratios = match ratios_json {
        Some(j) => serde_json::from_str(j).map_err(|e| param_err(format!("ratios: {e}")))?,
        None => Ratios::nabh(),
    };
    if lower.len() != levels.len() || upper.len() != levels.len() {
        return Err(param_err(format!(
            "{} levels but {} lower and {} upper bound columns",
            levels.len(),
            lower.len(),
            upper.len()
        )));
    }
    let census = WardCensus {
        ward,
        ward_type,
        start: parse_date(start, "start")?,
        census: Forecast {
            point,
            levels,
            lower,
            upper,
        },
    };
    let plan =
        hutano_forecast::staffing::required_staff(&census, &ratios, &shifts, level).map_err(|e| staffing_err(py, e))?;
    let epoch = NaiveDate::default();
    let d = PyDict::new(py);
    let days: Vec<i64> = plan.rows.iter().map(|r| (r.date - epoch).num_days()).collect();
    d.set_item("ds", ("date", days.into_pyarray(py)))?;
    let shift: Vec<String> = plan.rows.iter().map(|r| snake_name(&r.shift)).collect();
    d.set_item("shift", shift)?;
    let role: Vec<&str> = plan.rows.iter().map(|r| role_label(r.role)).collect();
    d.set_item("role", role)?;
    let census: Vec<f64> = plan.rows.iter().map(|r| r.census).collect();
    d.set_item("census", census.into_pyarray(py))?;
    let census_upper: Vec<f64> = plan.rows.iter().map(|r| r.census_upper).collect();
    d.set_item("census_upper", census_upper.into_pyarray(py))?;
    let staff: Vec<u32> = plan.rows.iter().map(|r| r.staff).collect();
    d.set_item("staff", staff.into_pyarray(py))?;
    let staff_upper: Vec<u32> = plan.rows.iter().map(|r| r.staff_upper).collect();
    d.set_item("staff_upper", staff_upper.into_pyarray(py))?;
    Ok(d)
}

/// The days a calendar (`{"country": ..., "events": [...]}`, as
/// `hutano.models.calendar` builds it) marks in `[start, end)`, sorted, as
/// `(YYYY-MM-DD, name)` pairs.
#[pyfunction]
fn calendar_days(calendar_json: &str, start: &str, end: &str) -> PyResult<Vec<(String, String)>> {
    let calendar: hutano_core::calendar::Calendar =
        serde_json::from_str(calendar_json).map_err(|e| param_err(format!("calendar: {e}")))?;
    let (first, last) = (parse_date(start, "start")?, parse_date(end, "end")?);
    if last < first {
        return Err(param_err(format!("end {end} is before start {start}")));
    }
    Ok(calendar
        .days_between(first, last)
        .into_iter()
        .map(|h| (h.date.to_string(), h.name))
        .collect())
}

/// The values `hutano.models.Cleaned` replaces in one series: their
/// positions and the values put in their place.
#[pyfunction]
fn clean_series(py: Python<'_>, y: Vec<f64>, season: usize, threshold: f64) -> PyResult<(Vec<usize>, Vec<f64>)> {
    let c = py
        .detach(|| hutano_forecast::clean::try_clean(&y, season, threshold))
        .map_err(|e| forecast_err(py, e))?;
    let values = c.replaced.iter().map(|&t| c.y[t]).collect();
    Ok((c.replaced, values))
}

/// Names of every KPI.
#[pyfunction]
fn kpi_names() -> Vec<&'static str> {
    Kpi::NAMES.to_vec()
}

/// The native module.
#[pymodule]
fn _hutano(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<Forecaster>()?;
    m.add_class::<Fitted>()?;
    m.add_class::<Dataset>()?;
    m.add_function(wrap_pyfunction!(_restore_fitted, m)?)?;
    m.add_function(wrap_pyfunction!(kpi_names, m)?)?;
    m.add_function(wrap_pyfunction!(calendar_days, m)?)?;
    m.add_function(wrap_pyfunction!(clean_series, m)?)?;
    m.add_function(wrap_pyfunction!(beds_for_blocking, m)?)?;
    m.add_function(wrap_pyfunction!(required_staff, m)?)?;
    m.add("HutanoError", py.get_type::<HutanoError>())?;
    m.add("InvalidDataError", py.get_type::<InvalidDataError>())?;
    m.add("SeriesTooShortError", py.get_type::<SeriesTooShortError>())?;
    m.add("InvalidParameterError", py.get_type::<InvalidParameterError>())?;
    m.add("MappingError", py.get_type::<MappingError>())?;
    m.add("FileError", py.get_type::<FileError>())?;
    m.add("NotFittedError", py.get_type::<NotFittedError>())?;
    m.add("ConvergenceError", py.get_type::<ConvergenceError>())?;
    m.add("InfeasiblePlanError", py.get_type::<InfeasiblePlanError>())?;
    optimize::register(m)?;
    m.add("PanicException", py.get_type::<pyo3::panic::PanicException>())?;
    Ok(())
}
