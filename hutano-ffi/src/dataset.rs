//! Data sets (a hospital network's encounters) loaded from CSV or Excel
//! with a site document, their load report, and KPI tables.

use std::ffi::c_char;

use hutano_core::calendar::Calendar;
use hutano_core::ingest::{LoadReport, Site};
use hutano_core::kpi::{Dimension, Engine, Grain, Kpi, Period, Query};
use hutano_core::model::Network;
use hutano_core::table::{Column, Table, Values};
use serde::Deserialize;

use crate::error::{hutano_result, FfiError, FfiResult};
use crate::handle::{self, Handle};
use crate::panic::ffi_panic_boundary;
use crate::util::{
    array_out, epoch_days, index, item, json, out_ptr, parse_date, position_of, slice, str_arg, string_out, to_json,
    value_out,
};

/// A hospital network's data: encounters with the branches and
/// departments they refer to, and the report of the load that made them.
///
/// Immutable once made: every function taking a `const hutano_dataset *`
/// may be called from several threads at once on the same handle.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_dataset {
    _private: [u8; 0],
}

/// The report of a load: rows read, loaded and rejected, and each rejected
/// row with its row number (header = row 1), column and reason. Never holds
/// a value of the file. Immutable; safe to share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_load_report {
    _private: [u8; 0],
}

/// A tidy table of KPI results: one row per group and period, one column
/// per variable. Immutable; safe to share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_table {
    _private: [u8; 0],
}

/// What a table column holds (`hutano_table_column_type`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hutano_column_type {
    /// Text: group labels. Read with `hutano_table_cell_text`.
    Text = 1,
    /// Dates (period starts): days since 1970-01-01 through
    /// `hutano_table_column_i64`.
    Date = 2,
    /// Counts: `hutano_table_column_i64` or `hutano_table_column_f64`.
    Int = 3,
    /// Measures, NaN where a ratio has a zero denominator:
    /// `hutano_table_column_f64`.
    Float = 4,
}

/// The Rust side of `hutano_dataset`.
#[derive(Debug)]
pub(crate) struct Dataset {
    pub(crate) net: Network,
    report: Option<LoadReport>,
}

impl Handle for Dataset {
    type Opaque = hutano_dataset;
    const NAME: &'static str = "hutano_dataset";
}

impl Handle for LoadReport {
    type Opaque = hutano_load_report;
    const NAME: &'static str = "hutano_load_report";
}

impl Handle for Table {
    type Opaque = hutano_table;
    const NAME: &'static str = "hutano_table";
}

/// Load a CSV file, or an .xlsx workbook (by its extension), with a site
/// document: JSON giving the network's name, branches and departments, the
/// column mapping of the export and, for a workbook, the sheet (see
/// `examples/sites/hdhi.json` in the repository).
///
/// Bad rows are not errors: they are in the load report
/// (`hutano_dataset_load_report`). On success `*out` receives a new data
/// set, to be freed with `hutano_dataset_free`.
///
/// Errors: `HUTANO_RESULT_IO` (file), `HUTANO_RESULT_MAPPING` (site JSON,
/// missing column, unknown sheet), `HUTANO_RESULT_INVALID_DATA` (malformed
/// CSV or workbook).
///
/// # Safety
/// `path` and `site_json` are valid for their lengths; `out` is valid for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_load(
    path: *const c_char,
    path_len: usize,
    site_json: *const c_char,
    site_json_len: usize,
    out: *mut *mut hutano_dataset,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees both strings are valid for their lengths.
        let path = unsafe { str_arg(path, path_len, "path") }?;
        // SAFETY: as above.
        let (net, report) = unsafe { site(site_json, site_json_len) }?.load(path)?;
        Ok(Dataset {
            net,
            report: Some(report),
        })
    })
}

/// Load CSV text held in memory (`data`, `len` bytes) with a site document
/// (as `hutano_dataset_load`). Rows that are not valid UTF-8 are rejected
/// in the report, not errors.
///
/// # Safety
/// `data` and `site_json` are valid for their lengths; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_load_csv(
    data: *const u8,
    len: usize,
    site_json: *const c_char,
    site_json_len: usize,
    out: *mut *mut hutano_dataset,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees `data` is valid for `len` bytes.
        let data = unsafe { slice(data, len, "data") }?;
        // SAFETY: as above.
        let (net, report) = unsafe { site(site_json, site_json_len) }?.load_csv_reader(data)?;
        Ok(Dataset {
            net,
            report: Some(report),
        })
    })
}

/// The site document `(site_json, site_json_len)` of the two loads.
///
/// # Safety
/// `site_json` is NULL or valid for `site_json_len` bytes.
unsafe fn site(site_json: *const c_char, site_json_len: usize) -> FfiResult<Site> {
    // SAFETY: forwarded contract.
    let text = unsafe { str_arg(site_json, site_json_len, "site_json") }?;
    Ok(Site::from_json(text)?)
}

/// Generate a synthetic network: `preset` "national" (Zimbabwe, 11
/// hospitals) or "india" (four branches), `days` days of encounters from
/// the preset's start date, reproducible from `seed`. Such a data set has
/// no load report.
///
/// # Safety
/// `preset` is valid for `preset_len` bytes; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_generate(
    preset: *const c_char,
    preset_len: usize,
    seed: u64,
    days: u32,
    out: *mut *mut hutano_dataset,
) -> hutano_result {
    use hutano_core::generate::{generate, GeneratorConfig};
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees `preset` is valid for its length.
        let preset = unsafe { str_arg(preset, preset_len, "preset") }?;
        let config = match preset {
            "national" => GeneratorConfig::national(seed),
            "india" => GeneratorConfig::india_four_branch(seed),
            other => {
                return Err(FfiError::param(format!(
                    "unknown preset {other:?}: use \"national\" or \"india\""
                )))
            }
        }
        .days(days);
        config.check()?;
        Ok(Dataset {
            net: generate(&config)?,
            report: None,
        })
    })
}

/// Free a data set. NULL is a no-op; a handle that is not live (a double
/// free) gives `HUTANO_RESULT_INVALID_HANDLE` where it can be detected.
///
/// # Safety
/// `dataset` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_free(dataset: *mut hutano_dataset) -> hutano_result {
    ffi_panic_boundary! { handle::free::<Dataset>(dataset, "dataset") }
}

/// Number of encounters (loaded rows) of the data set.
///
/// # Safety
/// `dataset` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_encounters(dataset: *const hutano_dataset, out: *mut usize) -> hutano_result {
    value_out(out, || {
        Ok(handle::get::<Dataset>(dataset, "dataset")?.net.encounters.len())
    })
}

/// A copy of the data set's load report, to be freed with
/// `hutano_load_report_free`. `HUTANO_RESULT_NOT_FOUND` for generated data.
///
/// # Safety
/// `dataset` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_load_report(
    dataset: *const hutano_dataset,
    out: *mut *mut hutano_load_report,
) -> hutano_result {
    handle::handle_out(out, || {
        handle::get::<Dataset>(dataset, "dataset")?
            .report
            .clone()
            .ok_or_else(|| FfiError::new(hutano_result::NotFound, "the data set was generated, not loaded"))
    })
}

/// Free a load report (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `report` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_load_report_free(report: *mut hutano_load_report) -> hutano_result {
    ffi_panic_boundary! { handle::free::<LoadReport>(report, "report") }
}

/// Counts of a load: data rows read, rows loaded, rows rejected
/// (`rows_read == rows_loaded + rows_rejected` always holds).
///
/// # Safety
/// `report` is a live handle; the three outputs are valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_load_report_counts(
    report: *const hutano_load_report,
    rows_read: *mut u64,
    rows_loaded: *mut u64,
    rows_rejected: *mut u64,
) -> hutano_result {
    ffi_panic_boundary! {
        let (read, loaded, rejected) = (
            out_ptr(rows_read, "rows_read")?,
            out_ptr(rows_loaded, "rows_loaded")?,
            out_ptr(rows_rejected, "rows_rejected")?,
        );
        let r = handle::get::<LoadReport>(report, "report")?;
        read.write(r.rows_read);
        loaded.write(r.rows_loaded);
        rejected.write(r.rejects.len() as u64);
        Ok(())
    }
}

fn reject<'a>(report: *const hutano_load_report, i: usize) -> FfiResult<&'a hutano_core::ingest::Reject> {
    item(&handle::get::<LoadReport>(report, "report")?.rejects, i, "reject")
}

/// Spreadsheet-style row number (header = row 1) of reject `i` (rejects
/// are in row order, `0 <= i < rows_rejected`).
///
/// # Safety
/// `report` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_load_report_reject_row(
    report: *const hutano_load_report,
    i: usize,
    out: *mut u64,
) -> hutano_result {
    value_out(out, || Ok(reject(report, i)?.row))
}

/// The column blamed for reject `i` (empty when the row as a whole is at
/// fault, e.g. an overlapping stay). String output: see the preamble.
///
/// # Safety
/// `report` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_load_report_reject_column(
    report: *const hutano_load_report,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            Ok(reject(report, i)?.column.as_deref().unwrap_or(""))
        })
    }
}

/// The reason label of reject `i`, as serialised (e.g.
/// `"discharge_before_admission"`, `"unparseable_date"`).
///
/// # Safety
/// As `hutano_load_report_reject_column`.
#[no_mangle]
pub unsafe extern "C" fn hutano_load_report_reject_reason(
    report: *const hutano_load_report,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || Ok(reject(report, i)?.reason.label())) }
}

/// Reject `i` as a sentence: `"row 3, column discharged: discharge before
/// admission"`. Row numbers and column names only, never a cell's value.
///
/// # Safety
/// As `hutano_load_report_reject_column`.
#[no_mangle]
pub unsafe extern "C" fn hutano_load_report_reject_message(
    report: *const hutano_load_report,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || Ok(reject(report, i)?.to_string())) }
}

/// The whole report as JSON: `{"rows_read": .., "rows_loaded": ..,
/// "rejects": [{"row": .., "column": .., "reason": ..}, ..]}`.
///
/// # Safety
/// As `hutano_load_report_reject_column`.
#[no_mangle]
pub unsafe extern "C" fn hutano_load_report_json(
    report: *const hutano_load_report,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            to_json(handle::get::<LoadReport>(report, "report")?)
        })
    }
}

/// A KPI query, as JSON.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KpiQuery {
    /// A KPI name (`"alos"`) or a KPI with options (`{"kpi": "alos", "variant": "overnight_only"}`).
    kpi: serde_json::Value,
    start: String,
    end: String,
    #[serde(default)]
    grain: Grain,
    #[serde(default)]
    by: Vec<Dimension>,
    #[serde(default)]
    filters: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    age_bands: Option<Vec<u16>>,
}

fn kpi_of(value: serde_json::Value) -> FfiResult<Kpi> {
    match value {
        serde_json::Value::String(name) => Ok(Kpi::from_name(&name)?),
        other => serde_json::from_value(other).map_err(|e| FfiError::param(format!("kpi: {e}"))),
    }
}

fn query_of(q: &KpiQuery) -> FfiResult<Query> {
    let period = Period::new(parse_date(&q.start, "start")?, parse_date(&q.end, "end")?)?;
    let mut query = Query::new(period).grain(q.grain).group_by(q.by.iter().copied());
    for (dim, values) in &q.filters {
        let d: Dimension = serde_json::from_value(serde_json::Value::String(dim.clone()))
            .map_err(|_| FfiError::param(format!("filters: unknown dimension {dim:?}")))?;
        let values: Vec<String> = serde_json::from_value(values.clone())
            .map_err(|e| FfiError::param(format!("filters.{dim}: {e} (give a list of labels)")))?;
        query = query.filter(d, values);
    }
    if let Some(bands) = &q.age_bands {
        query = query.age_bands(bands.iter().copied());
    }
    Ok(query)
}

/// Compute a KPI. `query_json` is
/// `{"kpi": "alos" | {"kpi": "alos", ...options}, "start": "2024-01-01",
/// "end": "2024-02-01", "grain": "day"|"week"|"month"|"period",
/// "by": ["branch", ...], "filters": {"sex": ["female"]}, "age_bands": [0, 15, 45, 65, 80]}`;
/// the period is `[start, end)`; `grain` (default "period"), `by`,
/// `filters` and `age_bands` are optional. KPI names: `hutano_kpi_name`.
/// On success `*out` receives a table, freed with `hutano_table_free`.
///
/// # Safety
/// `dataset` is a live handle; `query_json` is valid for its length; `out`
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_kpi(
    dataset: *const hutano_dataset,
    query_json: *const c_char,
    query_json_len: usize,
    out: *mut *mut hutano_table,
) -> hutano_result {
    handle::handle_out(out, || {
        let ds = handle::get::<Dataset>(dataset, "dataset")?;
        // SAFETY: the caller guarantees the string is valid for its length.
        let text = unsafe { str_arg(query_json, query_json_len, "query_json") }?;
        let q: KpiQuery = json(text, "query_json")?;
        let query = query_of(&q)?;
        let kpi = kpi_of(q.kpi)?;
        Ok(kpi.compute(&Engine::new(&ds.net)?, &query)?)
    })
}

/// The days a holiday calendar marks in `[start, end)`: a table with
/// columns `date` (dates) and `name` (text), sorted by date; the days the
/// models' holiday features and effects use. `calendar_json` is the
/// `"calendar"` of a model specification: `{"country": "zimbabwe" |
/// "india" | null, "events": [{"name": "strike", "start": "2024-03-04",
/// "end": "2024-03-09"}]}` (`events` optional, each `[start, end)`).
/// National holidays are the gazetted lists, equal to python-holidays
/// 0.109's (Zimbabwe 1988–2040; India with its lunar dates for
/// 2001–2035). `start` and `end` are `YYYY-MM-DD`. On success `*out`
/// receives a table, freed with `hutano_table_free`.
///
/// # Safety
/// The strings are valid for their lengths; `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_calendar_days(
    calendar_json: *const c_char,
    calendar_json_len: usize,
    start: *const c_char,
    start_len: usize,
    end: *const c_char,
    end_len: usize,
    out: *mut *mut hutano_table,
) -> hutano_result {
    handle::handle_out(out, || {
        // SAFETY: the caller guarantees the strings are valid for their lengths.
        let (text, start, end) = unsafe {
            (
                str_arg(calendar_json, calendar_json_len, "calendar_json")?,
                str_arg(start, start_len, "start")?,
                str_arg(end, end_len, "end")?,
            )
        };
        let calendar: Calendar = json(text, "calendar_json")?;
        let (first, last) = (parse_date(start, "start")?, parse_date(end, "end")?);
        if last < first {
            return Err(FfiError::param(format!("end {end} is before start {start}")));
        }
        let days = calendar.days_between(first, last);
        Ok(Table {
            columns: vec![
                Column {
                    name: "date".into(),
                    values: Values::Date(days.iter().map(|h| h.date).collect()),
                },
                Column {
                    name: "name".into(),
                    values: Values::Text(days.into_iter().map(|h| h.name).collect()),
                },
            ],
        })
    })
}

/// Number of KPIs (names are `hutano_kpi_name(0 .. count - 1)`).
///
/// # Safety
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_kpi_count(out: *mut usize) -> hutano_result {
    value_out(out, || Ok(Kpi::NAMES.len()))
}

/// Name of KPI `i` (`"census_daily"`, `"alos"`, ...).
///
/// # Safety
/// `buf` is valid for `len` bytes; `out_n` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_kpi_name(i: usize, buf: *mut c_char, len: usize, out_n: *mut usize) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || Ok(*item(&Kpi::NAMES, i, "kpi")?)) }
}

/// Free a table (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `table` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_free(table: *mut hutano_table) -> hutano_result {
    ffi_panic_boundary! { handle::free::<Table>(table, "table") }
}

/// Number of rows and of columns of a table.
///
/// # Safety
/// `table` is a live handle; `rows` and `columns` are valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_shape(
    table: *const hutano_table,
    rows: *mut usize,
    columns: *mut usize,
) -> hutano_result {
    ffi_panic_boundary! {
        let (rows, columns) = (out_ptr(rows, "rows")?, out_ptr(columns, "columns")?);
        let t = handle::get::<Table>(table, "table")?;
        rows.write(t.len());
        columns.write(t.columns.len());
        Ok(())
    }
}

fn column<'a>(table: *const hutano_table, j: usize) -> FfiResult<&'a hutano_core::table::Column> {
    item(&handle::get::<Table>(table, "table")?.columns, j, "column")
}

/// Name of column `j`.
///
/// # Safety
/// `table` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_column_name(
    table: *const hutano_table,
    j: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || Ok(&column(table, j)?.name)) }
}

/// Index of the column called `name` (`HUTANO_RESULT_NOT_FOUND` if none).
///
/// # Safety
/// `table` is a live handle; `name` is valid for `name_len` bytes; `out`
/// for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_column_index(
    table: *const hutano_table,
    name: *const c_char,
    name_len: usize,
    out: *mut usize,
) -> hutano_result {
    value_out(out, || {
        let t = handle::get::<Table>(table, "table")?;
        // SAFETY: the caller guarantees `name` is valid for its length.
        let name = unsafe { str_arg(name, name_len, "name") }?;
        position_of(t.columns.iter().map(|c| c.name.as_str()), name, "column")
    })
}

/// Type of column `j`: a `HUTANO_COLUMN_TYPE_*` value.
///
/// # Safety
/// `table` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_column_type(
    table: *const hutano_table,
    j: usize,
    out: *mut hutano_column_type,
) -> hutano_result {
    value_out(out, || {
        Ok(match column(table, j)?.values {
            Values::Text(_) => hutano_column_type::Text,
            Values::Date(_) => hutano_column_type::Date,
            Values::Int(_) => hutano_column_type::Int,
            Values::Float(_) => hutano_column_type::Float,
        })
    })
}

/// Column `j` as doubles (float or count columns; counts converted). Array
/// output: see the preamble (`len` must hold every row).
/// `HUTANO_RESULT_WRONG_TYPE` for text and date columns.
///
/// # Safety
/// `table` is a live handle; `out` is valid for `len` doubles; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_column_f64(
    table: *const hutano_table,
    j: usize,
    out: *mut f64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` doubles.
    unsafe {
        array_out(out, len, out_n, || {
            let c = column(table, j)?;
            match &c.values {
                Values::Float(v) => Ok(v.clone()),
                Values::Int(v) => Ok(v.iter().map(|&x| x as f64).collect()),
                _ => Err(wrong_type(&c.name, "numbers")),
            }
        })
    }
}

/// Column `j` as 64-bit integers: counts, or dates as days since
/// 1970-01-01. `HUTANO_RESULT_WRONG_TYPE` for text and float columns.
///
/// # Safety
/// `table` is a live handle; `out` is valid for `len` values; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_column_i64(
    table: *const hutano_table,
    j: usize,
    out: *mut i64,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `out` is valid for `len` values.
    unsafe {
        array_out(out, len, out_n, || {
            let c = column(table, j)?;
            match &c.values {
                Values::Int(v) => Ok(v.clone()),
                Values::Date(v) => Ok(v.iter().map(|d| epoch_days(*d)).collect()),
                _ => Err(wrong_type(&c.name, "integers or dates")),
            }
        })
    }
}

fn wrong_type(name: &str, wanted: &str) -> FfiError {
    FfiError::new(
        hutano_result::WrongType,
        format!("column {name:?} does not hold {wanted}"),
    )
}

/// The cell at column `j`, row `row` as text, whatever its type: labels as
/// they are, dates `YYYY-MM-DD`, numbers in shortest round-trip form, NaN
/// as an empty string.
///
/// # Safety
/// `table` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_cell_text(
    table: *const hutano_table,
    j: usize,
    row: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            let t = handle::get::<Table>(table, "table")?;
            let c = column(table, j)?;
            Ok(cell(&c.values, index(row, t.len(), "row")?))
        })
    }
}

fn cell(values: &Values, i: usize) -> String {
    match values {
        Values::Text(v) => v[i].clone(),
        Values::Date(v) => v[i].to_string(),
        Values::Int(v) => v[i].to_string(),
        Values::Float(v) if v[i].is_nan() => String::new(),
        Values::Float(v) => v[i].to_string(),
    }
}

/// The whole table as CSV (header row, numbers in full precision, NaN as
/// an empty cell).
///
/// # Safety
/// `table` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_table_csv(
    table: *const hutano_table,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe {
        string_out(buf, len, out_n, || {
            let mut bytes = Vec::new();
            handle::get::<Table>(table, "table")?.write_csv(&mut bytes)?;
            String::from_utf8(bytes).map_err(|e| FfiError::new(hutano_result::Other, e.to_string()))
        })
    }
}
