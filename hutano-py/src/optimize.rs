//! The allocation planners of hutano-optimize (beds, staff, dispatch,
//! slots) for Python: tables of columns in, plans as columns out.
//!
//! `python/hutano/plan.py` types every input column before it gets here:
//! text as a list of `str | None`, numbers as a float64 `NumPy` array (NaN
//! for a missing value), flags as a list of `bool | None`, dates as int64
//! days since 1970 and date-times as int64 nanoseconds since 1970 (both
//! `i64::MIN` for a missing value), list cells as lists of `str` (or of
//! int64 days). This module gives those columns their meaning (required
//! columns, defaults, codes looked up, categories parsed) and reports a bad
//! cell as `InvalidDataError` naming the table, column and row (0-based
//! position in the table). Options (costs, rules, weights, ratios) come as
//! JSON objects merged over hutano-optimize's defaults; a bad option is an
//! `InvalidParameterError`.
//!
//! Plans come back as a dict: one dict of columns per table (dates as
//! `("date", days)` and date-times as `("datetime", ns)` tuples, which
//! Python turns into the caller's frame type), a `summary` dict and the
//! `objective`. Solving runs on a worker thread with the interpreter
//! detached; the calling thread polls for Ctrl-C every 50 ms and raises
//! `KeyboardInterrupt` at once. The MIP backend has no cancellation hook: the
//! model being solved finishes on its thread, no further independent part
//! is started, and the result is dropped.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use hutano_core::model::{AmbulanceKind, BedType, StaffRole};
use hutano_optimize::beds::{BedCosts, BedDemand, BedPlan, BedPool, BedProblem, Hospital};
use hutano_optimize::budget::Budget;
use hutano_optimize::dispatch::{Destination, DispatchPlan, DispatchProblem, FreeBeds, Request, Unit};
use hutano_optimize::lp::{LinearModel, Solution};
use hutano_optimize::network::{bed_problem, census_demand, staff_problem, StaffingRatios};
use hutano_optimize::slots::{Slot, SlotPlan, SlotProblem, SlotWeights, WaitingPatient};
use hutano_optimize::staff::{Requirement, ShiftSpec, StaffMember, StaffPlan, StaffProblem, StaffRules};
use hutano_optimize::{Error, MicroLp, Solver};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{
    core_err, data_error, param_err, parse_date, ConvergenceError, Dataset, FileError, HutanoError,
    InfeasiblePlanError, InvalidParameterError,
};

/// Register the planners and [`PyShortfall`] in the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyShortfall>()?;
    m.add_function(wrap_pyfunction!(plan_beds, m)?)?;
    m.add_function(wrap_pyfunction!(plan_staff, m)?)?;
    m.add_function(wrap_pyfunction!(plan_dispatch, m)?)?;
    m.add_function(wrap_pyfunction!(plan_slots, m)?)?;
    m.add_function(wrap_pyfunction!(_dataset_bed_plan, m)?)?;
    m.add_function(wrap_pyfunction!(_dataset_staff_plan, m)?)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Errors

/// One hard constraint of a plan that cannot be met (`InfeasiblePlanError.shortfalls`).
#[pyclass(name = "Shortfall", module = "hutano._hutano", frozen)]
#[derive(Debug, Clone)]
struct PyShortfall(hutano_optimize::Shortfall);

#[pymethods]
impl PyShortfall {
    /// What is short, e.g. `"icu nurses in ICU"` or `"icu beds for Medicine patients at HRE"`.
    #[getter]
    fn resource(&self) -> &str {
        &self.0.resource
    }

    /// The day (`datetime.date`), where the constraint is about one day.
    #[getter]
    fn date<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.0.date.map(|d| py_date(py, d)).transpose()
    }

    /// The shift name, where the constraint is about one shift.
    #[getter]
    fn shift(&self) -> Option<&str> {
        self.0.shift.as_deref()
    }

    /// How many are needed (staff, beds or patients).
    #[getter]
    fn needed(&self) -> f64 {
        self.0.needed
    }

    /// The most that can be had.
    #[getter]
    fn available(&self) -> f64 {
        self.0.available
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Shortfall({:?})", self.0.to_string())
    }
}

/// A `datetime.date`.
fn py_date(py: Python<'_>, d: NaiveDate) -> PyResult<Bound<'_, PyAny>> {
    use chrono::Datelike;
    py.import("datetime")?
        .getattr("date")?
        .call1((d.year(), d.month(), d.day()))
}

/// The exception for a hutano-optimize error.
///
/// `Infeasible` becomes `InfeasiblePlanError` with `shortfalls`; an invalid
/// option (costs, rules, weights, ratios, shifts, speed) an
/// `InvalidParameterError`, an invalid table an `InvalidDataError` whose
/// `column` is the table; a failed or unbounded solve a `ConvergenceError`.
fn optimize_err(py: Python<'_>, e: Error) -> PyErr {
    let msg = e.to_string();
    match e {
        Error::Infeasible { violations } => {
            let err = InfeasiblePlanError::new_err(msg);
            let items: PyResult<Vec<Bound<'_, PyShortfall>>> =
                violations.into_iter().map(|v| Bound::new(py, PyShortfall(v))).collect();
            match items.and_then(|v| PyList::new(py, v)) {
                Ok(list) => {
                    // Setting an attribute on a fresh exception instance cannot fail.
                    let _ = err.value(py).setattr("shortfalls", list);
                    err
                }
                Err(e) => e,
            }
        }
        Error::InvalidInput { field, .. } => match field {
            "costs" | "rules" | "weights" | "ratios" | "shifts" | "speed_kmh" | "unserved_minutes" => {
                InvalidParameterError::new_err(msg)
            }
            table => data_error(py, msg, None, None, Some(table), false),
        },
        Error::Solver { .. } | Error::Unbounded { .. } => ConvergenceError::new_err(msg),
        Error::Write { .. } => FileError::new_err(msg),
        Error::Core(inner) => core_err(inner),
        _ => HutanoError::new_err(msg),
    }
}

// ---------------------------------------------------------------------------
// Solving

/// microlp that refuses to start another model once `cancel` is set: an
/// interrupted plan stops at the next independent part (a day of beds, a
/// component of the roster) instead of solving the rest for nobody.
#[derive(Debug, Default)]
struct Cancellable {
    cancel: Arc<AtomicBool>,
}

impl Solver for Cancellable {
    fn name(&self) -> &'static str {
        MicroLp.name()
    }

    fn solve(&self, model: &LinearModel) -> hutano_optimize::Result<Solution> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Error::Solver {
                solver: self.name(),
                model: model.name.clone(),
                message: "cancelled".into(),
            });
        }
        MicroLp.solve(model)
    }
}

/// Solve `problem` on a worker thread with the interpreter detached, polling
/// for Ctrl-C every 50 ms; give the problem back with its plan. On Ctrl-C the
/// call returns at once; the model being solved finishes on its thread (the
/// backend cannot be stopped midway) and no further part is started.
///
/// # Errors
/// `KeyboardInterrupt` (or whatever a signal handler raised) on Ctrl-C,
/// the mapped planner error, or `HutanoError` when the worker panicked.
fn solve_detached<P, T>(
    py: Python<'_>,
    problem: P,
    solve: fn(&P, &dyn Solver) -> hutano_optimize::Result<T>,
) -> PyResult<(P, T)>
where
    P: Send + 'static,
    T: Send + 'static,
{
    let solver = Cancellable::default();
    let cancel = Arc::clone(&solver.cancel);
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("hutano-plan".into())
        .spawn(move || {
            let result = solve(&problem, &solver);
            // The receiver is gone when the caller was interrupted.
            let _ = tx.send((problem, result));
        })
        .map_err(|e| HutanoError::new_err(format!("cannot start the solver thread: {e}")))?;
    let outcome = py.detach(move || loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(done) => return Ok(done),
            Err(RecvTimeoutError::Timeout) => {
                if let Some(e) = Python::attach(|py| py.check_signals().err()) {
                    return Err(Some(e));
                }
            }
            Err(RecvTimeoutError::Disconnected) => return Err(None),
        }
    });
    match outcome {
        Ok((problem, Ok(plan))) => Ok((problem, plan)),
        Ok((_, Err(e))) => Err(optimize_err(py, e)),
        Err(Some(interrupt)) => {
            cancel.store(true, Ordering::Relaxed);
            Err(interrupt)
        }
        Err(None) => Err(HutanoError::new_err("internal error: the solver thread panicked")),
    }
}

/// `default` with the keys of the JSON object `json` replacing its fields.
///
/// # Errors
/// `InvalidParameterError` naming `what` for bad JSON, a key that is not a
/// field, or a value of the wrong type.
fn merge<T: Serialize + DeserializeOwned>(default: T, json: Option<&str>, what: &str) -> PyResult<T> {
    let Some(json) = json else { return Ok(default) };
    let mut base = serde_json::to_value(&default).map_err(|e| HutanoError::new_err(format!("{what} defaults: {e}")))?;
    let given: serde_json::Value = serde_json::from_str(json).map_err(|e| param_err(format!("{what}: {e}")))?;
    let (Some(fields), Some(given)) = (base.as_object_mut(), given.as_object()) else {
        return Err(param_err(format!("{what} must be a dict")));
    };
    for (k, v) in given {
        if !fields.contains_key(k) {
            let known: Vec<&str> = fields.keys().map(String::as_str).collect();
            return Err(param_err(format!(
                "unknown {what} key {k:?}; known: {}",
                known.join(", ")
            )));
        }
        fields.insert(k.clone(), v.clone());
    }
    serde_json::from_value(base).map_err(|e| param_err(format!("{what}: {e}")))
}

/// `summary` as a dict, its fields in declaration order (through Python's
/// `json.loads`: `serde_json`'s own maps sort their keys).
fn summary_dict<'py>(py: Python<'py>, summary: &impl Serialize) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(summary).map_err(|e| HutanoError::new_err(format!("summary: {e}")))?;
    py.import("json")?.getattr("loads")?.call1((text,))
}

// ---------------------------------------------------------------------------
// Input tables

/// Days since 1970 of a date.
fn epoch_days(d: NaiveDate) -> i64 {
    (d - NaiveDate::default()).num_days()
}

/// A `("date", days)` column.
fn date_column(py: Python<'_>, dates: impl Iterator<Item = NaiveDate>) -> PyResult<Bound<'_, PyAny>> {
    let days: Vec<i64> = dates.map(epoch_days).collect();
    Ok(("date", days.into_pyarray(py)).into_pyobject(py)?.into_any())
}

/// A `("datetime", ns)` column.
fn datetime_column(py: Python<'_>, times: impl Iterator<Item = NaiveDateTime>) -> PyResult<Bound<'_, PyAny>> {
    let ns: Vec<i64> = times.map(crate::to_ns).collect();
    Ok(("datetime", ns.into_pyarray(py)).into_pyobject(py)?.into_any())
}

/// An input table: typed columns by name (see the module documentation).
struct Table<'py> {
    name: &'static str,
    cols: Bound<'py, PyDict>,
    rows: usize,
}

impl<'py> Table<'py> {
    fn new(name: &'static str, cols: Bound<'py, PyDict>) -> PyResult<Self> {
        let mut rows: Option<(String, usize)> = None;
        for (k, v) in cols.iter() {
            let n = v.len()?;
            match &rows {
                None => rows = Some((k.to_string(), n)),
                Some((first, m)) if *m != n => {
                    return Err(data_error(
                        cols.py(),
                        format!("{name}: column {k} has {n} values but {first} has {m}"),
                        None,
                        None,
                        Some(&k.to_string()),
                        false,
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(Self {
            name,
            rows: rows.map_or(0, |r| r.1),
            cols,
        })
    }

    /// An `InvalidDataError` about this table.
    fn err(&self, row: Option<usize>, column: &str, msg: impl Display) -> PyErr {
        data_error(
            self.cols.py(),
            format!("{}: {msg}", self.name),
            None,
            row.map(|r| r as u64),
            Some(column),
            false,
        )
    }

    fn has(&self, column: &str) -> bool {
        self.cols.contains(column).unwrap_or(false)
    }

    /// The column, `None` when absent; an error when it is required, absent,
    /// and the table has rows.
    fn get(&self, column: &str, required: bool) -> PyResult<Option<Bound<'py, PyAny>>> {
        let col = self.cols.get_item(column)?;
        if col.is_none() && required && self.rows > 0 {
            let have: Vec<String> = self.cols.keys().iter().map(|k| k.to_string()).collect();
            return Err(self.err(
                None,
                column,
                format!("no {column:?} column (columns: {})", have.join(", ")),
            ));
        }
        Ok(col)
    }

    /// Required text.
    fn text(&self, column: &str) -> PyResult<Vec<String>> {
        self.opt_text(column, true)?
            .into_iter()
            .enumerate()
            .map(|(i, v)| v.ok_or_else(|| self.err(Some(i), column, format!("missing {column} at row {i}"))))
            .collect()
    }

    /// Optional text: `None` where missing (everywhere when absent).
    fn opt_text(&self, column: &str, required: bool) -> PyResult<Vec<Option<String>>> {
        match self.get(column, required)? {
            Some(c) => c.extract(),
            None => Ok(vec![None; self.rows]),
        }
    }

    /// Numbers as given (NaN where missing); `default` when absent.
    fn numbers(&self, column: &str, default: Option<f64>) -> PyResult<Vec<f64>> {
        match self.get(column, default.is_none())? {
            Some(c) => Ok(c.extract::<PyReadonlyArray1<'_, f64>>()?.as_array().to_vec()),
            None => Ok(vec![default.unwrap_or(f64::NAN); self.rows]),
        }
    }

    /// Finite numbers, at least `min`; `default` where missing (when given).
    fn finite(&self, column: &str, default: Option<f64>, min: f64) -> PyResult<Vec<f64>> {
        let mut v = self.numbers(column, default)?;
        if let Some(d) = default {
            v.iter_mut().filter(|x| x.is_nan()).for_each(|x| *x = d);
        }
        for (i, x) in v.iter().enumerate() {
            if x.is_nan() {
                return Err(self.err(Some(i), column, format!("missing {column} (NaN) at row {i}")));
            }
            if !x.is_finite() || *x < min {
                return Err(self.err(
                    Some(i),
                    column,
                    format!("{column} must be finite and at least {min}, got {x} at row {i}"),
                ));
            }
        }
        Ok(v)
    }

    /// Whole numbers `0..=u32::MAX`; `default` where missing (when given).
    fn counts(&self, column: &str, default: Option<u32>) -> PyResult<Vec<u32>> {
        let default = default.map(f64::from);
        let v = self.numbers(column, default)?;
        v.iter()
            .map(|&x| if x.is_nan() { default.unwrap_or(x) } else { x })
            .enumerate()
            .map(|(i, x)| {
                if x.is_nan() {
                    Err(self.err(Some(i), column, format!("missing {column} (NaN) at row {i}")))
                } else if x < 0.0 {
                    Err(self.err(Some(i), column, format!("negative {column} ({x}) at row {i}")))
                } else if x.fract() != 0.0 || x > f64::from(u32::MAX) {
                    Err(self.err(
                        Some(i),
                        column,
                        format!("{column} must be a whole number, got {x} at row {i}"),
                    ))
                } else {
                    // Whole, non-negative and at most u32::MAX (checked above).
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Ok(x as u32)
                }
            })
            .collect()
    }

    /// Flags, `default` where missing.
    fn flags(&self, column: &str, default: bool) -> PyResult<Vec<bool>> {
        match self.get(column, false)? {
            Some(c) => Ok(c
                .extract::<Vec<Option<bool>>>()?
                .into_iter()
                .map(|b| b.unwrap_or(default))
                .collect()),
            None => Ok(vec![default; self.rows]),
        }
    }

    /// Dates, `None` when the column is absent; an error for a missing value.
    fn dates(&self, column: &str, required: bool) -> PyResult<Option<Vec<NaiveDate>>> {
        let Some(c) = self.get(column, required)? else {
            return Ok(None);
        };
        let days = c.extract::<PyReadonlyArray1<'_, i64>>()?.as_array().to_vec();
        days.iter()
            .enumerate()
            .map(|(i, &d)| {
                from_days(d).ok_or_else(|| self.err(Some(i), column, format!("missing {column} at row {i}")))
            })
            .collect::<PyResult<Vec<_>>>()
            .map(Some)
    }

    /// Date-times; `default` where absent or missing (an error without one).
    fn datetimes(&self, column: &str, default: Option<NaiveDateTime>) -> PyResult<Vec<NaiveDateTime>> {
        let Some(c) = self.get(column, default.is_none())? else {
            return Ok(vec![default.unwrap_or_default(); self.rows]);
        };
        let ns = c.extract::<PyReadonlyArray1<'_, i64>>()?.as_array().to_vec();
        ns.iter()
            .enumerate()
            .map(|(i, &t)| match (t, default) {
                (i64::MIN, Some(d)) => Ok(d),
                (i64::MIN, None) => Err(self.err(Some(i), column, format!("missing {column} at row {i}"))),
                _ => Ok(crate::from_ns(t)),
            })
            .collect()
    }

    /// Lists of text (empty lists when absent).
    fn lists(&self, column: &str) -> PyResult<Vec<Vec<String>>> {
        match self.get(column, false)? {
            Some(c) => c.extract(),
            None => Ok(vec![Vec::new(); self.rows]),
        }
    }

    /// Lists of dates, as days since 1970 (empty lists when absent).
    fn date_lists(&self, column: &str) -> PyResult<Vec<Vec<NaiveDate>>> {
        let Some(c) = self.get(column, false)? else {
            return Ok(vec![Vec::new(); self.rows]);
        };
        let days: Vec<Vec<i64>> = c.extract()?;
        days.iter()
            .enumerate()
            .map(|(i, ds)| {
                ds.iter()
                    .map(|&d| {
                        from_days(d)
                            .ok_or_else(|| self.err(Some(i), column, format!("missing date in {column} at row {i}")))
                    })
                    .collect()
            })
            .collect()
    }

    /// A category (bed type, role, ambulance kind) by its snake-case name;
    /// case, spaces and hyphens do not matter.
    fn category<T: DeserializeOwned>(&self, column: &str, values: &[String]) -> PyResult<Vec<T>> {
        values
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let name = s.trim().to_lowercase().replace([' ', '-'], "_");
                serde_json::from_value(serde_json::Value::String(name)).map_err(|e| {
                    let e = e.to_string();
                    let hint = e.find("expected").map_or(e.as_str(), |p| &e[p..]);
                    self.err(Some(i), column, format!("unknown {column} {s:?} at row {i} ({hint})"))
                })
            })
            .collect()
    }

    /// Rows' codes looked up in `index` (the codes of table `other`).
    fn lookup(&self, column: &str, index: &HashMap<String, usize>, other: &str) -> PyResult<Vec<usize>> {
        self.text(column)?
            .iter()
            .enumerate()
            .map(|(i, c)| {
                index.get(c).copied().ok_or_else(|| {
                    self.err(
                        Some(i),
                        column,
                        format!("{column} {c:?} at row {i} is not in the {other} table"),
                    )
                })
            })
            .collect()
    }

    /// Day offsets of the `date` column within the plan; `None` when absent.
    fn days(&self, start: NaiveDate, days: usize, required: bool) -> PyResult<Option<Vec<usize>>> {
        let Some(dates) = self.dates("date", required)? else {
            return Ok(None);
        };
        dates
            .iter()
            .enumerate()
            .map(|(i, d)| {
                usize::try_from((*d - start).num_days())
                    .ok()
                    .filter(|&o| o < days)
                    .ok_or_else(|| {
                        self.err(
                            Some(i),
                            "date",
                            format!("date {d} at row {i} is outside the plan ({days} days from {start})"),
                        )
                    })
            })
            .collect::<PyResult<Vec<_>>>()
            .map(Some)
    }

    /// Index of the (unique) codes of `column`.
    fn index(&self, column: &str) -> PyResult<(Vec<String>, HashMap<String, usize>)> {
        let codes = self.text(column)?;
        let mut index = HashMap::with_capacity(codes.len());
        for (i, c) in codes.iter().enumerate() {
            if index.insert(c.clone(), i).is_some() {
                return Err(self.err(Some(i), column, format!("{column} {c:?} appears twice (row {i})")));
            }
        }
        Ok((codes, index))
    }

    /// Latitude and longitude: both given, or (where `optional`) both missing.
    fn locations(&self, optional: bool) -> PyResult<Vec<Option<(f64, f64)>>> {
        let default = optional.then_some(f64::NAN);
        let lat = self.numbers("lat", default)?;
        let lon = self.numbers("lon", default)?;
        lat.iter()
            .zip(&lon)
            .enumerate()
            .map(|(i, (&la, &lo))| match (la.is_nan(), lo.is_nan()) {
                (true, true) if optional => Ok(None),
                (false, false) if la.is_finite() && lo.is_finite() && la.abs() <= 90.0 && lo.abs() <= 180.0 => {
                    Ok(Some((la, lo)))
                }
                (false, false) => Err(self.err(
                    Some(i),
                    "lat",
                    format!("location ({la}, {lo}) at row {i} is not a latitude and longitude in degrees"),
                )),
                _ => Err(self.err(
                    Some(i),
                    if la.is_nan() { "lat" } else { "lon" },
                    format!("missing lat or lon at row {i}"),
                )),
            })
            .collect()
    }
}

/// The date `days` after 1970-01-01; `None` for the missing marker or out of range.
fn from_days(days: i64) -> Option<NaiveDate> {
    if days == i64::MIN {
        return None;
    }
    NaiveDate::default().checked_add_signed(TimeDelta::try_days(days)?)
}

// ---------------------------------------------------------------------------
// Beds

/// Hospitals: `hospital` code, optional `lat` and `lon`.
fn bed_hospitals(t: &Table<'_>) -> PyResult<(Vec<Hospital>, HashMap<String, usize>)> {
    let (codes, index) = t.index("hospital")?;
    let loc = t.locations(true)?;
    let hospitals = codes
        .into_iter()
        .zip(loc)
        .map(|(code, location)| Hospital { code, location })
        .collect();
    Ok((hospitals, index))
}

/// Pools: `ward`, `hospital`, `service`, `bed_type`, `beds`, optional
/// `date` (then one row per pool and day; a pool has no beds on days
/// without a row).
fn bed_pools(
    t: &Table<'_>,
    hospitals: &HashMap<String, usize>,
    start: NaiveDate,
    days: usize,
) -> PyResult<Vec<BedPool>> {
    let ward = t.text("ward")?;
    let hospital = t.lookup("hospital", hospitals, "hospitals")?;
    let service = t.text("service")?;
    let bed_type: Vec<BedType> = t.category("bed_type", &t.text("bed_type")?)?;
    let beds = t.counts("beds", None)?;
    let Some(day) = t.days(start, days, false)? else {
        return Ok((0..t.rows)
            .map(|i| BedPool {
                ward: ward[i].clone(),
                hospital: hospital[i],
                service: service[i].clone(),
                bed_type: bed_type[i],
                beds: vec![beds[i]; days],
            })
            .collect());
    };
    let mut pools: Vec<BedPool> = Vec::new();
    let mut seen: Vec<Vec<bool>> = Vec::new();
    let mut index: HashMap<(&str, usize, &str, BedType), usize> = HashMap::new();
    for i in 0..t.rows {
        let key = (ward[i].as_str(), hospital[i], service[i].as_str(), bed_type[i]);
        let p = *index.entry(key).or_insert_with(|| {
            pools.push(BedPool {
                ward: ward[i].clone(),
                hospital: hospital[i],
                service: service[i].clone(),
                bed_type: bed_type[i],
                beds: vec![0; days],
            });
            seen.push(vec![false; days]);
            pools.len() - 1
        });
        if std::mem::replace(&mut seen[p][day[i]], true) {
            return Err(t.err(
                Some(i),
                "date",
                format!(
                    "ward {} has two rows of {} beds for one date (row {i})",
                    ward[i],
                    bed_type[i].label()
                ),
            ));
        }
        pools[p].beds[day[i]] = beds[i];
    }
    Ok(pools)
}

/// Demand: `hospital`, `service`, `bed_type`, `patients`, optional `date`
/// (without it each row is the demand of every day) and optional
/// `stay_days` (default 1; at least 1).
fn bed_demand(
    t: &Table<'_>,
    hospitals: &HashMap<String, usize>,
    start: NaiveDate,
    days: usize,
) -> PyResult<Vec<BedDemand>> {
    let hospital = t.lookup("hospital", hospitals, "hospitals")?;
    let service = t.text("service")?;
    let bed_type: Vec<BedType> = t.category("bed_type", &t.text("bed_type")?)?;
    let patients = t.counts("patients", None)?;
    let stay = t.counts("stay_days", Some(1))?;
    if let Some(i) = stay.iter().position(|&s| s == 0) {
        return Err(t.err(
            Some(i),
            "stay_days",
            format!("stay_days must be at least 1, got 0 at row {i}"),
        ));
    }
    let day = t.days(start, days, false)?;
    let mut out = Vec::new();
    for i in 0..t.rows {
        let on: Vec<usize> = match &day {
            Some(d) => vec![d[i]],
            None => (0..days).collect(),
        };
        for d in on {
            out.push(BedDemand {
                day: d,
                hospital: hospital[i],
                service: service[i].clone(),
                bed_type: bed_type[i],
                patients: patients[i],
                stay_days: stay[i],
            });
        }
    }
    Ok(out)
}

/// A bed plan as columns.
fn bed_plan_dict<'py>(py: Python<'py>, p: &BedProblem, plan: &BedPlan) -> PyResult<Bound<'py, PyDict>> {
    let placements: Vec<_> = plan.days.iter().flat_map(|d| &d.placements).collect();
    let cols = PyDict::new(py);
    cols.set_item("date", date_column(py, placements.iter().map(|x| x.date))?)?;
    let text = |f: fn(&hutano_optimize::beds::BedPlacement) -> String| -> Vec<String> {
        placements.iter().map(|x| f(x)).collect()
    };
    cols.set_item("hospital", text(|x| x.from_hospital.clone()))?;
    cols.set_item("service", text(|x| x.service.clone()))?;
    cols.set_item("bed_type_needed", text(|x| x.needed.label().to_owned()))?;
    cols.set_item("to_hospital", text(|x| x.to_hospital.clone()))?;
    cols.set_item("ward", text(|x| x.ward.clone()))?;
    cols.set_item("bed_type", text(|x| x.bed_type.label().to_owned()))?;
    let patients: Vec<i64> = placements.iter().map(|x| i64::from(x.patients)).collect();
    cols.set_item("patients", patients.into_pyarray(py))?;
    let off: Vec<bool> = placements.iter().map(|x| x.off_service).collect();
    cols.set_item("off_service", off.into_pyarray(py))?;
    let transfer: Vec<bool> = placements.iter().map(|x| x.transfer_km.is_some()).collect();
    cols.set_item("transfer", transfer.into_pyarray(py))?;
    let km: Vec<f64> = placements.iter().map(|x| x.transfer_km.unwrap_or(0.0)).collect();
    cols.set_item("distance_km", km.into_pyarray(py))?;
    let arrival: Vec<bool> = placements.iter().map(|x| x.arrival).collect();
    cols.set_item("arrival", arrival.into_pyarray(py))?;

    let unmet: Vec<_> = plan.days.iter().flat_map(|d| &d.unmet).collect();
    let u = PyDict::new(py);
    u.set_item("date", date_column(py, unmet.iter().map(|x| x.date))?)?;
    let demand = |x: &&hutano_optimize::beds::UnmetDemand| &p.demand[x.demand];
    let hospital: Vec<&str> = unmet
        .iter()
        .map(|x| p.hospitals[demand(x).hospital].code.as_str())
        .collect();
    u.set_item("hospital", hospital)?;
    u.set_item(
        "service",
        unmet.iter().map(|x| demand(x).service.as_str()).collect::<Vec<_>>(),
    )?;
    u.set_item(
        "bed_type",
        unmet.iter().map(|x| demand(x).bed_type.label()).collect::<Vec<_>>(),
    )?;
    let n: Vec<i64> = unmet.iter().map(|x| i64::from(x.patients)).collect();
    u.set_item("patients", n.into_pyarray(py))?;

    let d = PyDict::new(py);
    d.set_item("placements", cols)?;
    d.set_item("unmet", u)?;
    d.set_item("summary", summary_dict(py, &plan.summary)?)?;
    d.set_item("objective", plan.objective)?;
    Ok(d)
}

/// Place each demand group (patients of a service at a hospital needing a
/// bed type, per day) in compatible bed pools at least cost (hutano-optimize's
/// `beds` planner, microlp backend). Tables: `hospitals` (`hospital`, `lat`,
/// `lon`), `pools` (`ward`, `hospital`, `service`, `bed_type`, `beds`,
/// optional `date`), `demand` (`hospital`, `service`, `bed_type`,
/// `patients`, optional `date` and `stay_days`); `costs_json` overrides
/// `BedCosts`. With `node_limit` or `relative_gap`, solved within that
/// branch-and-bound budget with a proven `bound` (see [`solve_bed_plan`]).
#[pyfunction]
#[pyo3(signature = (hospitals, pools, demand, start, days, costs_json=None, allow_unmet=true, node_limit=None, relative_gap=None))]
#[allow(clippy::too_many_arguments)]
fn plan_beds<'py>(
    py: Python<'py>,
    hospitals: Bound<'py, PyDict>,
    pools: Bound<'py, PyDict>,
    demand: Bound<'py, PyDict>,
    start: &str,
    days: usize,
    costs_json: Option<&str>,
    allow_unmet: bool,
    node_limit: Option<u64>,
    relative_gap: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let start = parse_date(start, "start")?;
    let (hospitals, index) = bed_hospitals(&Table::new("hospitals", hospitals)?)?;
    let pools = bed_pools(&Table::new("pools", pools)?, &index, start, days)?;
    let demand = bed_demand(&Table::new("demand", demand)?, &index, start, days)?;
    let problem = BedProblem {
        start,
        days,
        hospitals,
        pools,
        demand,
        costs: merge(BedCosts::default(), costs_json, "costs")?,
        allow_unmet,
    };
    solve_bed_plan(py, problem, node_limit, relative_gap)
}

/// The network's demand: `demand` (a table as for [`plan_beds`], hospitals
/// being branch codes and services department names) or the midnight
/// census of its encounters.
fn network_demand(
    py: Python<'_>,
    dataset: &Dataset,
    start: NaiveDate,
    days: usize,
    demand: Option<Bound<'_, PyDict>>,
) -> PyResult<Vec<BedDemand>> {
    let net = &dataset.net;
    match demand {
        Some(d) => {
            let index: HashMap<String, usize> = net
                .branches
                .iter()
                .enumerate()
                .map(|(i, b)| (b.code.clone(), i))
                .collect();
            bed_demand(&Table::new("demand", d)?, &index, start, days)
        }
        None => Ok(py.detach(|| census_demand(net, start, days))),
    }
}

/// The bed plan of a data set's network (hutano-optimize's
/// `network::bed_problem`): pools from its wards' beds in service, demand
/// from `demand` or the midnight census of its encounters.
#[pyfunction]
#[pyo3(signature = (dataset, start, days, demand=None, costs_json=None, allow_unmet=true, node_limit=None, relative_gap=None))]
#[allow(clippy::too_many_arguments)]
fn _dataset_bed_plan<'py>(
    py: Python<'py>,
    dataset: Bound<'py, Dataset>,
    start: &str,
    days: usize,
    demand: Option<Bound<'py, PyDict>>,
    costs_json: Option<&str>,
    allow_unmet: bool,
    node_limit: Option<u64>,
    relative_gap: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let start = parse_date(start, "start")?;
    let costs = merge(BedCosts::default(), costs_json, "costs")?;
    let ds = dataset.get();
    let demand = network_demand(py, ds, start, days, demand)?;
    let mut problem = bed_problem(&ds.net, start, days, demand, costs).map_err(|e| optimize_err(py, e))?;
    problem.allow_unmet = allow_unmet;
    solve_bed_plan(py, problem, node_limit, relative_gap)
}

/// Solve a bed plan exactly, or within a branch-and-bound budget when a
/// node limit or a gap is given (`BedProblem::solve_within`; within a
/// budget the limits apply per independent block of days), adding the
/// proven `bound` to the plan's dict.
fn solve_bed_plan(
    py: Python<'_>,
    problem: BedProblem,
    node_limit: Option<u64>,
    relative_gap: Option<f64>,
) -> PyResult<Bound<'_, PyDict>> {
    let budget = budget_of(py, node_limit, relative_gap)?;
    let ((problem, _), (plan, bound)) =
        solve_detached(py, (problem, budget), |(p, b), s| p.solve_within(s, b.as_ref()))?;
    let d = bed_plan_dict(py, &problem, &plan)?;
    if let Some(bound) = bound {
        d.set_item("bound", bound_dict(py, &bound.total)?)?;
    }
    Ok(d)
}

// ---------------------------------------------------------------------------
// Staff

/// Shifts: `name`, `start_minute`, `length_minutes`, optional `night`.
fn shifts_from(t: &Table<'_>) -> PyResult<Vec<ShiftSpec>> {
    let (names, _) = t.index("name")?;
    let start = t.counts("start_minute", None)?;
    let length = t.counts("length_minutes", None)?;
    let night = t.flags("night", false)?;
    if let Some(i) = start.iter().position(|&s| s >= 1440) {
        return Err(t.err(
            Some(i),
            "start_minute",
            format!("start_minute must be below 1440 (row {i})"),
        ));
    }
    Ok((0..t.rows)
        .map(|i| ShiftSpec {
            name: names[i].clone(),
            start_minute: start[i],
            length_minutes: length[i],
            night: night[i],
        })
        .collect())
}

/// Staff: `staff` code, `role`, `unit` (one) or `units` (lists), optional
/// `skills`, `contracted_hours_per_week` (40), `max_overtime_hours_per_week`
/// (0), `hourly_cost` (0) and `leave` (lists of dates).
fn staff_members(t: &Table<'_>) -> PyResult<Vec<StaffMember>> {
    let (codes, _) = t.index("staff")?;
    let roles: Vec<StaffRole> = t.category("role", &t.text("role")?)?;
    let units: Vec<Vec<String>> = if t.has("units") || !t.has("unit") {
        t.lists("units")?
    } else {
        t.text("unit")?.into_iter().map(|u| vec![u]).collect()
    };
    if let Some(i) = units.iter().position(Vec::is_empty) {
        return Err(t.err(Some(i), "unit", format!("staff {:?} at row {i} has no unit", codes[i])));
    }
    let skills = t.lists("skills")?;
    let contracted = t.finite("contracted_hours_per_week", Some(40.0), 0.0)?;
    let overtime = t.finite("max_overtime_hours_per_week", Some(0.0), 0.0)?;
    let cost = t.finite("hourly_cost", Some(0.0), 0.0)?;
    let leave = t.date_lists("leave")?;
    Ok((0..t.rows)
        .map(|i| StaffMember {
            code: codes[i].clone(),
            role: roles[i],
            units: units[i].clone(),
            skills: skills[i].clone(),
            contracted_hours_per_week: contracted[i],
            max_overtime_hours_per_week: overtime[i],
            hourly_cost: cost[i],
            leave: leave[i].clone(),
        })
        .collect())
}

/// Requirements: `unit`, `role`, optional `skill`, `date`, `shift` (a
/// name), `target`, optional `minimum` (0).
fn requirements_from(t: &Table<'_>, shifts: &[ShiftSpec], start: NaiveDate, days: usize) -> PyResult<Vec<Requirement>> {
    let unit = t.text("unit")?;
    let role: Vec<StaffRole> = t.category("role", &t.text("role")?)?;
    let skill = t.opt_text("skill", false)?;
    let day = t.days(start, days, true)?.unwrap_or_default();
    let shift: Vec<usize> = t
        .text("shift")?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            shifts.iter().position(|k| &k.name == s).ok_or_else(|| {
                let known: Vec<&str> = shifts.iter().map(|k| k.name.as_str()).collect();
                t.err(
                    Some(i),
                    "shift",
                    format!("unknown shift {s:?} at row {i}; known: {}", known.join(", ")),
                )
            })
        })
        .collect::<PyResult<_>>()?;
    let target = t.counts("target", None)?;
    let minimum = t.counts("minimum", Some(0))?;
    if let Some(i) = (0..t.rows).find(|&i| minimum[i] > target[i]) {
        return Err(t.err(
            Some(i),
            "minimum",
            format!("minimum {} above target {} at row {i}", minimum[i], target[i]),
        ));
    }
    Ok((0..t.rows)
        .map(|i| Requirement {
            unit: unit[i].clone(),
            role: role[i],
            skill: skill[i].clone(),
            day: day[i],
            shift: shift[i],
            target: target[i],
            minimum: minimum[i],
        })
        .collect())
}

/// The snake-case name of a role.
fn role_name(role: StaffRole) -> String {
    hutano_core::model::snake_name(&role)
}

/// A roster as columns.
fn staff_plan_dict<'py>(py: Python<'py>, p: &StaffProblem, plan: &StaffPlan) -> PyResult<Bound<'py, PyDict>> {
    let day_date = |d: usize| p.start + chrono::Days::new(d as u64);
    let a = &plan.assignments;
    let cols = PyDict::new(py);
    cols.set_item("date", date_column(py, a.iter().map(|x| day_date(x.day)))?)?;
    cols.set_item(
        "shift",
        a.iter().map(|x| p.shifts[x.shift].name.as_str()).collect::<Vec<_>>(),
    )?;
    cols.set_item("unit", a.iter().map(|x| x.unit.as_str()).collect::<Vec<_>>())?;
    cols.set_item(
        "staff",
        a.iter().map(|x| p.staff[x.staff].code.as_str()).collect::<Vec<_>>(),
    )?;
    cols.set_item(
        "role",
        a.iter().map(|x| role_name(p.staff[x.staff].role)).collect::<Vec<_>>(),
    )?;
    let hours: Vec<f64> = a
        .iter()
        .map(|x| f64::from(p.shifts[x.shift].length_minutes) / 60.0)
        .collect();
    cols.set_item("hours", hours.into_pyarray(py))?;

    let coverage = p.coverage(a);
    let under = &plan.understaffing;
    let req = |r: usize| &p.requirements[r];
    let u = PyDict::new(py);
    u.set_item(
        "date",
        date_column(py, under.iter().map(|x| day_date(req(x.requirement).day)))?,
    )?;
    u.set_item(
        "shift",
        under
            .iter()
            .map(|x| p.shifts[req(x.requirement).shift].name.as_str())
            .collect::<Vec<_>>(),
    )?;
    u.set_item(
        "unit",
        under
            .iter()
            .map(|x| req(x.requirement).unit.as_str())
            .collect::<Vec<_>>(),
    )?;
    u.set_item(
        "role",
        under
            .iter()
            .map(|x| role_name(req(x.requirement).role))
            .collect::<Vec<_>>(),
    )?;
    u.set_item(
        "skill",
        under
            .iter()
            .map(|x| req(x.requirement).skill.as_deref())
            .collect::<Vec<_>>(),
    )?;
    let num = |f: &dyn Fn(usize) -> u32| -> Vec<i64> { under.iter().map(|x| i64::from(f(x.requirement))).collect() };
    u.set_item("target", num(&|r| req(r).target).into_pyarray(py))?;
    u.set_item("minimum", num(&|r| req(r).minimum).into_pyarray(py))?;
    u.set_item("staffed", num(&|r| coverage[r]).into_pyarray(py))?;
    let missing: Vec<i64> = under.iter().map(|x| i64::from(x.missing)).collect();
    u.set_item("missing", missing.into_pyarray(py))?;

    let d = PyDict::new(py);
    d.set_item("assignments", cols)?;
    d.set_item("understaffing", u)?;
    d.set_item("summary", summary_dict(py, &plan.summary)?)?;
    d.set_item("objective", plan.objective)?;
    Ok(d)
}

/// Roster `staff` onto the shifts of `requirements` (hutano-optimize's
/// `staff` planner, microlp backend). `shifts` (`name`, `start_minute`,
/// `length_minutes`, `night`) defaults to day 07–15, evening 15–23 and
/// night 23–07; `rules_json` overrides `StaffRules`.
#[pyfunction]
#[pyo3(signature = (staff, requirements, start, days, shifts=None, rules_json=None, node_limit=None, relative_gap=None))]
#[allow(clippy::too_many_arguments)]
fn plan_staff<'py>(
    py: Python<'py>,
    staff: Bound<'py, PyDict>,
    requirements: Bound<'py, PyDict>,
    start: &str,
    days: usize,
    shifts: Option<Bound<'py, PyDict>>,
    rules_json: Option<&str>,
    node_limit: Option<u64>,
    relative_gap: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let start = parse_date(start, "start")?;
    let shifts = match shifts {
        Some(s) => shifts_from(&Table::new("shifts", s)?)?,
        None => ShiftSpec::three_shifts(),
    };
    let problem = StaffProblem {
        start,
        days,
        staff: staff_members(&Table::new("staff", staff)?)?,
        requirements: requirements_from(&Table::new("requirements", requirements)?, &shifts, start, days)?,
        shifts,
        rules: merge(StaffRules::default(), rules_json, "rules")?,
    };
    solve_roster(py, problem, node_limit, relative_gap)
}

/// Solve a roster exactly, or within a branch-and-bound budget when a node
/// limit or a gap is given (`StaffProblem::solve_within`), adding the proven
/// `bound` to the plan's dict.
fn solve_roster(
    py: Python<'_>,
    problem: StaffProblem,
    node_limit: Option<u64>,
    relative_gap: Option<f64>,
) -> PyResult<Bound<'_, PyDict>> {
    let budget = budget_of(py, node_limit, relative_gap)?;
    let ((problem, _), (plan, bound)) =
        solve_detached(py, (problem, budget), |(p, b), s| p.solve_within(s, b.as_ref()))?;
    let d = staff_plan_dict(py, &problem, &plan)?;
    if let Some(bound) = bound {
        d.set_item("bound", bound_dict(py, &bound.total)?)?;
    }
    Ok(d)
}

/// The branch-and-bound budget of a node limit and a relative gap, or `None`
/// (an exact solve) when neither is given.
///
/// # Errors
/// The mapped `Budget::validate` error for a negative or non-finite gap
/// (`hutano.plan` checks the options first).
fn budget_of(py: Python<'_>, node_limit: Option<u64>, relative_gap: Option<f64>) -> PyResult<Option<Budget>> {
    if node_limit.is_none() && relative_gap.is_none() {
        return Ok(None);
    }
    let mut budget = Budget::default();
    if let Some(n) = node_limit {
        budget = budget.with_node_limit(n);
    }
    if let Some(g) = relative_gap {
        budget = budget.with_relative_gap(g);
    }
    budget.validate().map_err(|e| optimize_err(py, e))?;
    Ok(Some(budget))
}

/// A plan's proven bound as a dict: `lower_bound`, `gap`, `optimal`, `nodes`.
fn bound_dict<'py>(py: Python<'py>, t: &hutano_optimize::budget::Bound) -> PyResult<Bound<'py, PyDict>> {
    let b = PyDict::new(py);
    b.set_item("lower_bound", t.lower_bound)?;
    b.set_item("gap", t.gap)?;
    b.set_item("optimal", matches!(t.status, hutano_optimize::lp::SolveStatus::Optimal))?;
    b.set_item("nodes", t.nodes)?;
    Ok(b)
}

/// The roster of a data set's network (hutano-optimize's
/// `network::staff_problem`): its staff, requirements from the staffing
/// `ratios_json` and `demand` (or the midnight census), optionally only the
/// staff and units of `branches`.
#[pyfunction]
#[pyo3(signature = (dataset, start, days, demand=None, ratios_json=None, rules_json=None, branches=None, node_limit=None, relative_gap=None))]
#[allow(clippy::too_many_arguments)]
fn _dataset_staff_plan<'py>(
    py: Python<'py>,
    dataset: Bound<'py, Dataset>,
    start: &str,
    days: usize,
    demand: Option<Bound<'py, PyDict>>,
    ratios_json: Option<&str>,
    rules_json: Option<&str>,
    branches: Option<Vec<String>>,
    node_limit: Option<u64>,
    relative_gap: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let start = parse_date(start, "start")?;
    let ratios = merge(StaffingRatios::default(), ratios_json, "ratios")?;
    let rules = merge(StaffRules::default(), rules_json, "rules")?;
    let ds = dataset.get();
    let net = &ds.net;
    let keep: Option<Vec<usize>> = branches
        .map(|codes| {
            codes
                .iter()
                .map(|c| {
                    net.branches.iter().position(|b| &b.code == c).ok_or_else(|| {
                        let known: Vec<&str> = net.branches.iter().map(|b| b.code.as_str()).collect();
                        param_err(format!("unknown branch {c:?}; known: {}", known.join(", ")))
                    })
                })
                .collect::<PyResult<Vec<_>>>()
        })
        .transpose()?;
    let demand = network_demand(py, ds, start, days, demand)?;
    let mut problem = staff_problem(net, start, days, &demand, ratios, rules).map_err(|e| optimize_err(py, e))?;
    if let Some(keep) = keep {
        // `staff_problem` lists the network's staff in order, and every unit
        // (a department or a branch's role pool) belongs to one branch.
        let mut kept = net.staff.iter().map(|s| keep.contains(&s.branch.index()));
        problem.staff.retain(|_| kept.next().unwrap_or(false));
        let units: std::collections::HashSet<&String> = problem.staff.iter().flat_map(|m| &m.units).collect();
        let units: std::collections::HashSet<String> = units.into_iter().cloned().collect();
        problem.requirements.retain(|r| units.contains(&r.unit));
    }
    solve_roster(py, problem, node_limit, relative_gap)
}

// ---------------------------------------------------------------------------
// Dispatch

/// Requests: `request` id, `lat`, `lon`, `bed_type`, optional `weight` (1)
/// and `needs_als` (false).
fn requests_from(t: &Table<'_>) -> PyResult<Vec<Request>> {
    let (ids, _) = t.index("request")?;
    let loc = t.locations(false)?;
    let weight = t.finite("weight", Some(1.0), 0.0)?;
    let bed_type: Vec<BedType> = t.category("bed_type", &t.text("bed_type")?)?;
    let als = t.flags("needs_als", false)?;
    Ok((0..t.rows)
        .map(|i| Request {
            id: ids[i].clone(),
            location: loc[i].unwrap_or_default(),
            weight: weight[i],
            bed_type: bed_type[i],
            needs_als: als[i],
        })
        .collect())
}

/// Ambulances: `ambulance` code, `lat`, `lon`, `kind`
/// (`advanced_life_support` or `als`, `basic_life_support` or `bls`).
fn ambulances_from(t: &Table<'_>) -> PyResult<Vec<Unit>> {
    let (codes, _) = t.index("ambulance")?;
    let loc = t.locations(false)?;
    let kinds: Vec<String> = t
        .text("kind")?
        .into_iter()
        .map(|k| match k.trim().to_lowercase().as_str() {
            "als" => "advanced_life_support".to_owned(),
            "bls" => "basic_life_support".to_owned(),
            _ => k,
        })
        .collect();
    let kind: Vec<AmbulanceKind> = t.category("kind", &kinds)?;
    Ok((0..t.rows)
        .map(|i| Unit {
            code: codes[i].clone(),
            location: loc[i].unwrap_or_default(),
            kind: kind[i],
        })
        .collect())
}

/// Destinations, one row per hospital and bed type: `hospital`, `lat`,
/// `lon`, `bed_type`, `free_now`, optional `free_forecast` (`free_now`).
fn destinations_from(t: &Table<'_>) -> PyResult<Vec<Destination>> {
    let code = t.text("hospital")?;
    let loc = t.locations(false)?;
    let bed_type: Vec<BedType> = t.category("bed_type", &t.text("bed_type")?)?;
    let now = t.counts("free_now", None)?;
    let forecast: Vec<f64> = t
        .numbers("free_forecast", Some(f64::NAN))?
        .iter()
        .zip(&now)
        .enumerate()
        .map(|(i, (&f, &n))| match f {
            f if f.is_nan() => Ok(f64::from(n)),
            f if f.is_finite() => Ok(f),
            _ => Err(t.err(
                Some(i),
                "free_forecast",
                format!("free_forecast must be finite, got {f} at row {i}"),
            )),
        })
        .collect::<PyResult<_>>()?;
    let mut out: Vec<Destination> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for i in 0..t.rows {
        let location = loc[i].unwrap_or_default();
        let h = *index.entry(code[i].as_str()).or_insert_with(|| {
            out.push(Destination {
                code: code[i].clone(),
                location,
                beds: Vec::new(),
            });
            out.len() - 1
        });
        if out[h].location != location {
            return Err(t.err(
                Some(i),
                "lat",
                format!("hospital {} has two locations (row {i})", code[i]),
            ));
        }
        out[h].beds.push(FreeBeds {
            bed_type: bed_type[i],
            now: now[i],
            forecast: forecast[i],
        });
    }
    Ok(out)
}

/// A dispatch plan as columns.
fn dispatch_plan_dict<'py>(py: Python<'py>, p: &DispatchProblem, plan: &DispatchPlan) -> PyResult<Bound<'py, PyDict>> {
    let ds = &plan.dispatches;
    let cols = PyDict::new(py);
    cols.set_item(
        "request",
        ds.iter().map(|x| p.requests[x.request].id.as_str()).collect::<Vec<_>>(),
    )?;
    cols.set_item(
        "ambulance",
        ds.iter()
            .map(|x| p.ambulances[x.ambulance].code.as_str())
            .collect::<Vec<_>>(),
    )?;
    cols.set_item(
        "hospital",
        ds.iter()
            .map(|x| p.hospitals[x.hospital].code.as_str())
            .collect::<Vec<_>>(),
    )?;
    cols.set_item(
        "bed_type",
        ds.iter()
            .map(|x| p.requests[x.request].bed_type.label())
            .collect::<Vec<_>>(),
    )?;
    let weight: Vec<f64> = ds.iter().map(|x| p.requests[x.request].weight).collect();
    cols.set_item("weight", weight.into_pyarray(py))?;
    let response: Vec<f64> = ds.iter().map(|x| x.response_minutes).collect();
    let transfer: Vec<f64> = ds.iter().map(|x| x.transfer_minutes).collect();
    let summary = PyDict::new(py);
    summary.set_item("dispatched", ds.len())?;
    summary.set_item("waiting", plan.waiting.len())?;
    summary.set_item("response_minutes", response.iter().sum::<f64>())?;
    summary.set_item("transfer_minutes", transfer.iter().sum::<f64>())?;
    cols.set_item("response_minutes", response.into_pyarray(py))?;
    cols.set_item("transfer_minutes", transfer.into_pyarray(py))?;

    let w = PyDict::new(py);
    let waiting: Vec<&Request> = plan.waiting.iter().map(|&r| &p.requests[r]).collect();
    w.set_item("request", waiting.iter().map(|r| r.id.as_str()).collect::<Vec<_>>())?;
    w.set_item(
        "bed_type",
        waiting.iter().map(|r| r.bed_type.label()).collect::<Vec<_>>(),
    )?;
    let weight: Vec<f64> = waiting.iter().map(|r| r.weight).collect();
    w.set_item("weight", weight.into_pyarray(py))?;
    let als: Vec<bool> = waiting.iter().map(|r| r.needs_als).collect();
    w.set_item("needs_als", als.into_pyarray(py))?;

    let d = PyDict::new(py);
    d.set_item("dispatches", cols)?;
    d.set_item("waiting", w)?;
    d.set_item("summary", summary)?;
    d.set_item("objective", plan.objective)?;
    Ok(d)
}

/// Send ambulances to waiting requests and the patients to hospitals with a
/// bed of the type they need (hutano-optimize's `dispatch` planner).
#[pyfunction]
#[pyo3(signature = (requests, ambulances, hospitals, speed_kmh, unserved_minutes))]
fn plan_dispatch<'py>(
    py: Python<'py>,
    requests: Bound<'py, PyDict>,
    ambulances: Bound<'py, PyDict>,
    hospitals: Bound<'py, PyDict>,
    speed_kmh: f64,
    unserved_minutes: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let problem = DispatchProblem {
        requests: requests_from(&Table::new("requests", requests)?)?,
        ambulances: ambulances_from(&Table::new("ambulances", ambulances)?)?,
        hospitals: destinations_from(&Table::new("hospitals", hospitals)?)?,
        speed_kmh,
        unserved_minutes,
    };
    let (problem, plan) = solve_detached(py, problem, |p, s| p.solve(s))?;
    dispatch_plan_dict(py, &problem, &plan)
}

// ---------------------------------------------------------------------------
// Slots

/// Slots: `slot` id, `equipment`, `start`, `minutes`, optional `capabilities`.
fn slots_from(t: &Table<'_>) -> PyResult<Vec<Slot>> {
    let (ids, _) = t.index("slot")?;
    let equipment = t.text("equipment")?;
    let start = t.datetimes("start", None)?;
    let minutes = t.counts("minutes", None)?;
    let caps = t.lists("capabilities")?;
    Ok((0..t.rows)
        .map(|i| Slot {
            id: ids[i].clone(),
            equipment: equipment[i].clone(),
            start: start[i],
            minutes: minutes[i],
            capabilities: caps[i].clone(),
        })
        .collect())
}

/// Waiting list: `patient` id, `equipment`, `minutes`, `priority` (1–4),
/// optional `needs`, `waited_days` (0) and `ready_from` (the first slot's
/// start: ready now).
fn waiting_from(t: &Table<'_>, slots: &[Slot]) -> PyResult<Vec<WaitingPatient>> {
    let (ids, _) = t.index("patient")?;
    let equipment = t.text("equipment")?;
    let minutes = t.counts("minutes", None)?;
    let priority = t.counts("priority", None)?;
    if let Some(i) = priority.iter().position(|p| !(1..=4).contains(p)) {
        return Err(t.err(
            Some(i),
            "priority",
            format!("priority must be 1 to 4, got {} at row {i}", priority[i]),
        ));
    }
    let needs = t.lists("needs")?;
    let waited = t.finite("waited_days", Some(0.0), 0.0)?;
    let now = slots.iter().map(|s| s.start).min().unwrap_or_default();
    let ready = t.datetimes("ready_from", Some(now))?;
    Ok((0..t.rows)
        .map(|i| WaitingPatient {
            id: ids[i].clone(),
            equipment: equipment[i].clone(),
            minutes: minutes[i],
            needs: needs[i].clone(),
            // 1..=4, checked above.
            priority: u8::try_from(priority[i]).unwrap_or(4),
            waited_days: waited[i],
            ready_from: ready[i],
        })
        .collect())
}

/// A slot plan as columns.
fn slot_plan_dict<'py>(py: Python<'py>, p: &SlotProblem, plan: &SlotPlan) -> PyResult<Bound<'py, PyDict>> {
    let b = &plan.bookings;
    let cols = PyDict::new(py);
    cols.set_item(
        "slot",
        b.iter().map(|x| p.slots[x.slot].id.as_str()).collect::<Vec<_>>(),
    )?;
    cols.set_item(
        "equipment",
        b.iter().map(|x| p.slots[x.slot].equipment.as_str()).collect::<Vec<_>>(),
    )?;
    cols.set_item("start", datetime_column(py, b.iter().map(|x| p.slots[x.slot].start))?)?;
    cols.set_item(
        "patient",
        b.iter().map(|x| p.waiting[x.patient].id.as_str()).collect::<Vec<_>>(),
    )?;
    let priority: Vec<i64> = b.iter().map(|x| i64::from(p.waiting[x.patient].priority)).collect();
    cols.set_item("priority", priority.into_pyarray(py))?;
    let waited: Vec<f64> = b.iter().map(|x| p.waiting[x.patient].waited_days).collect();
    cols.set_item("waited_days", waited.into_pyarray(py))?;
    let value: Vec<f64> = b.iter().map(|x| -p.cost(x.patient, x.slot)).collect();
    cols.set_item("value", value.into_pyarray(py))?;

    let e = PyDict::new(py);
    e.set_item(
        "slot",
        plan.empty.iter().map(|&s| p.slots[s].id.as_str()).collect::<Vec<_>>(),
    )?;
    e.set_item(
        "equipment",
        plan.empty
            .iter()
            .map(|&s| p.slots[s].equipment.as_str())
            .collect::<Vec<_>>(),
    )?;
    e.set_item(
        "start",
        datetime_column(py, plan.empty.iter().map(|&s| p.slots[s].start))?,
    )?;
    let minutes: Vec<i64> = plan.empty.iter().map(|&s| i64::from(p.slots[s].minutes)).collect();
    e.set_item("minutes", minutes.into_pyarray(py))?;

    let summary = PyDict::new(py);
    summary.set_item("booked", b.len())?;
    summary.set_item("empty_slots", plan.empty.len())?;
    summary.set_item("unbooked_patients", p.waiting.len() - b.len())?;
    summary.set_item("value", -plan.objective)?;

    let d = PyDict::new(py);
    d.set_item("bookings", cols)?;
    d.set_item("empty", e)?;
    d.set_item("summary", summary)?;
    d.set_item("objective", plan.objective)?;
    Ok(d)
}

/// Offer freed slots to the waiting list (hutano-optimize's `slots`
/// planner); `weights_json` overrides `SlotWeights`.
#[pyfunction]
#[pyo3(signature = (slots, waiting, weights_json=None))]
fn plan_slots<'py>(
    py: Python<'py>,
    slots: Bound<'py, PyDict>,
    waiting: Bound<'py, PyDict>,
    weights_json: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let slots = slots_from(&Table::new("slots", slots)?)?;
    let waiting = waiting_from(&Table::new("waiting", waiting)?, &slots)?;
    let problem = SlotProblem {
        slots,
        waiting,
        weights: merge(SlotWeights::default(), weights_json, "weights")?,
    };
    let (problem, plan) = solve_detached(py, problem, |p, s| p.solve(s))?;
    slot_plan_dict(py, &problem, &plan)
}
