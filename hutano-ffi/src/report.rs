//! The monthly board report of a data set (hutano-forecast's
//! `report::MonthlyReport`) as HTML, CSV or JSON text.

use std::ffi::c_char;

use hutano_forecast::report::{MonthlyReport, ReportConfig};

use crate::dataset::{hutano_dataset, Dataset};
use crate::error::{hutano_result, FfiError};
use crate::handle;
use crate::util::{json, parse_date, str_arg, string_out};

/// The monthly board report for the month containing `month`
/// (`YYYY-MM-DD`), as Python's `Dataset.monthly_report`: KPIs for the
/// network, each branch and department against targets and the previous
/// month, 12-month trends, next month's admissions and occupancy forecast,
/// and the alerts raised. `format` is `"html"` (one self-contained file:
/// inline SVG charts, no script, nothing fetched), `"csv"` or `"json"`.
/// `config_json` (NULL with length 0, or empty: the defaults) is
/// hutano-forecast's `ReportConfig`, keys optional: `targets`,
/// `trend_months`, `alert_rules`, `warmup_days`, `forecast` (false skips
/// the forecast, which is most of the time), `html_alert_rows`, `currency`.
///
/// String output: see the preamble. The report is built on every call, so
/// a size query (`buf` NULL, `len` 0) followed by the real call builds it
/// twice; pass a large buffer to build it once (a report of a large network
/// is hundreds of kilobytes of HTML). Reads the data set only: concurrent
/// calls on one data set are allowed.
///
/// Errors: `HUTANO_RESULT_INVALID_PARAMETER` for a date that is not
/// `YYYY-MM-DD`, a format other than the three, or a config that is not a
/// `ReportConfig` (the detail names the key); the report's own errors as
/// for the other forecasts. Nothing is written on an error (except the
/// length on `HUTANO_RESULT_BUFFER_TOO_SMALL`).
///
/// # Safety
/// `dataset` is a live handle; the strings are valid for their lengths;
/// `buf` is valid for `len` bytes; `out_n` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_monthly_report(
    dataset: *const hutano_dataset,
    month: *const c_char,
    month_len: usize,
    config_json: *const c_char,
    config_json_len: usize,
    format: *const c_char,
    format_len: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes, and the
    // strings (read in the closure) for their lengths.
    unsafe {
        string_out(buf, len, out_n, || {
            let ds = handle::get::<Dataset>(dataset, "dataset")?;
            let (month, config, format) = (
                str_arg(month, month_len, "month")?,
                str_arg(config_json, config_json_len, "config_json")?,
                str_arg(format, format_len, "format")?,
            );
            let month = parse_date(month, "month")?;
            if !matches!(format, "html" | "csv" | "json") {
                return Err(FfiError::param(format!(
                    "format {format:?}: give \"html\", \"csv\" or \"json\""
                )));
            }
            let config: ReportConfig = if config.trim().is_empty() {
                ReportConfig::default()
            } else {
                json(config, "config_json")?
            };
            let report = MonthlyReport::build(&ds.net, month, &config)?;
            Ok(match format {
                "html" => report.to_html(),
                "csv" => report.to_csv(),
                _ => report.to_json()?,
            })
        })
    }
}
