//! Alerts: hutano-forecast's alert rules evaluated day by day over a data
//! set's network, with accessors per alert.

use std::ffi::c_char;

use hutano_core::kpi::Period;
use hutano_forecast::alerts::{evaluate_network, Alert, AlertRules, Severity, SubjectKind};

use crate::dataset::{hutano_dataset, Dataset};
use crate::error::{hutano_result, FfiResult};
use crate::handle::{self, Handle};
use crate::panic::ffi_panic_boundary;
use crate::util::{epoch_seconds, item, json, out_ptr, parse_date, str_arg, string_out, to_json, value_out};

/// The alerts raised over a period (`hutano_dataset_alerts`), in the order
/// raised. Immutable; safe to share between threads.
#[allow(non_camel_case_types)]
#[derive(Debug)]
pub struct hutano_alerts {
    _private: [u8; 0],
}

/// How serious an alert is (`hutano_alerts_severity`), in increasing order.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum hutano_severity {
    /// For information.
    Info = 1,
    /// Needs attention.
    Warning = 2,
    /// Needs action now.
    Critical = 3,
}

/// What an alert is about (`hutano_alerts_subject_kind`); the code is
/// `hutano_alerts_subject_code`. Never a patient.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum hutano_subject_kind {
    /// The whole network.
    Network = 1,
    /// A branch (hospital): the code is the branch code (`"HRE"`).
    Branch = 2,
    /// A department: the department code (`"HRE-MED"`).
    Department = 3,
    /// A ward: the ward code.
    Ward = 4,
    /// A medicine (stock item): the medicine code.
    Medicine = 5,
}

/// The Rust side of `hutano_alerts`.
#[derive(Debug)]
pub(crate) struct Alerts(Vec<Alert>);

impl Handle for Alerts {
    type Opaque = hutano_alerts;
    const NAME: &'static str = "hutano_alerts";
}

/// Evaluate alert rules day by day over `[start, end)` (`YYYY-MM-DD`) on
/// the data set's network, each day seeing only what was known at the
/// midnight ending it (hutano-forecast's `evaluate_network`). An alert is
/// raised once when its condition starts, and closed when it clears.
///
/// `rules_json` is an `AlertRules` document: one optional key per rule
/// (`occupancy`, `occupancy_forecast`, `icu`, `ventilators`, `low_stock`,
/// `expiry`, `delayed_discharge`, `flow`, `readmission`), each an object of
/// that rule's parameters (missing ones take their defaults) or `null` to
/// switch the rule off; a rule not named keeps its default. E.g.
/// `{"occupancy": {"warning_pct": 90}, "expiry": null}`. `rules_json` NULL
/// (with length 0) or empty: every rule with its defaults.
///
/// On success `*out` receives the alerts (possibly none), freed with
/// `hutano_alerts_free`.
///
/// Errors: `HUTANO_RESULT_INVALID_PARAMETER` for a date that is not
/// `YYYY-MM-DD`, an empty period, rules that are not valid JSON or name an
/// unknown rule or parameter, or a parameter out of range (the detail names
/// it).
///
/// # Safety
/// `dataset` is a live handle; the strings are valid for their lengths;
/// `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_alerts(
    dataset: *const hutano_dataset,
    start: *const c_char,
    start_len: usize,
    end: *const c_char,
    end_len: usize,
    rules_json: *const c_char,
    rules_json_len: usize,
    out: *mut *mut hutano_alerts,
) -> hutano_result {
    handle::handle_out(out, || {
        let ds = handle::get::<Dataset>(dataset, "dataset")?;
        // SAFETY: the caller guarantees the strings are valid for their lengths.
        let (start, end, rules) = unsafe {
            (
                str_arg(start, start_len, "start")?,
                str_arg(end, end_len, "end")?,
                str_arg(rules_json, rules_json_len, "rules_json")?,
            )
        };
        let period = Period::new(parse_date(start, "start")?, parse_date(end, "end")?)?;
        let rules: AlertRules = if rules.trim().is_empty() {
            AlertRules::default()
        } else {
            json(rules, "rules_json")?
        };
        Ok(Alerts(evaluate_network(&ds.net, &rules, period)?))
    })
}

/// Free alerts (NULL: no-op; double free caught where possible).
///
/// # Safety
/// `alerts` is NULL or a handle from hutano; no other thread uses it.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_free(alerts: *mut hutano_alerts) -> hutano_result {
    ffi_panic_boundary! { handle::free::<Alerts>(alerts, "alerts") }
}

/// Number of alerts (indices `0 .. count - 1` for the other accessors).
///
/// # Safety
/// `alerts` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_count(alerts: *const hutano_alerts, out: *mut usize) -> hutano_result {
    value_out(out, || Ok(handle::get::<Alerts>(alerts, "alerts")?.0.len()))
}

fn alert<'a>(alerts: *const hutano_alerts, i: usize) -> FfiResult<&'a Alert> {
    item(&handle::get::<Alerts>(alerts, "alerts")?.0, i, "alert")
}

/// The name of the rule that raised alert `i`: `"occupancy"`,
/// `"occupancy_forecast"`, `"icu_shortage"`, `"ventilator_shortage"`,
/// `"low_stock"`, `"expiry"`, `"delayed_discharge"`, `"flow_imbalance"` or
/// `"readmission_spike"`. String output: see the preamble.
///
/// # Safety
/// `alerts` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_rule(
    alerts: *const hutano_alerts,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || Ok(alert(alerts, i)?.rule.name())) }
}

/// The severity of alert `i` when it was raised: a `HUTANO_SEVERITY_*` value.
///
/// # Safety
/// `alerts` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_severity(
    alerts: *const hutano_alerts,
    i: usize,
    out: *mut hutano_severity,
) -> hutano_result {
    value_out(out, || {
        Ok(match alert(alerts, i)?.severity {
            Severity::Info => hutano_severity::Info,
            Severity::Warning => hutano_severity::Warning,
            Severity::Critical => hutano_severity::Critical,
        })
    })
}

/// What alert `i` is about: a `HUTANO_SUBJECT_KIND_*` value.
///
/// # Safety
/// `alerts` is a live handle; `out` is valid for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_subject_kind(
    alerts: *const hutano_alerts,
    i: usize,
    out: *mut hutano_subject_kind,
) -> hutano_result {
    value_out(out, || {
        Ok(match alert(alerts, i)?.subject.kind {
            SubjectKind::Network => hutano_subject_kind::Network,
            SubjectKind::Branch => hutano_subject_kind::Branch,
            SubjectKind::Department => hutano_subject_kind::Department,
            SubjectKind::Ward => hutano_subject_kind::Ward,
            SubjectKind::Medicine => hutano_subject_kind::Medicine,
        })
    })
}

/// The code of what alert `i` is about: a branch (`"HRE"`), department
/// (`"HRE-MED"`), ward or medicine code (see `hutano_alerts_subject_kind`).
/// String output: see the preamble.
///
/// # Safety
/// `alerts` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_subject_code(
    alerts: *const hutano_alerts,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || Ok(&alert(alerts, i)?.subject.code)) }
}

/// When alert `i` started and ended, in seconds since 1970-01-01 00:00:00
/// (wall-clock time of the data). Both are evaluation times: the midnight
/// ending the day on which the condition was first seen (`*started`) and
/// first seen cleared (`*ended`), so an alert raised on the data of
/// 2024-01-15 starts at 2024-01-16 00:00. `*ended` is `INT64_MIN` when the
/// alert was still active at the end of the period.
///
/// # Safety
/// `alerts` is a live handle; `started` and `ended` are valid for one
/// write each.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_times(
    alerts: *const hutano_alerts,
    i: usize,
    started: *mut i64,
    ended: *mut i64,
) -> hutano_result {
    ffi_panic_boundary! {
        let (started, ended) = (out_ptr(started, "started")?, out_ptr(ended, "ended")?);
        let a = alert(alerts, i)?;
        started.write(epoch_seconds(a.started));
        ended.write(a.ended.map_or(i64::MIN, epoch_seconds));
        Ok(())
    }
}

/// Alert `i` as one line of text, e.g. `"branch HRE: occupancy 92.2% (367
/// of 398 beds) at or above 85%"`. Codes and numbers only, never a patient.
/// String output: see the preamble.
///
/// # Safety
/// `alerts` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_message(
    alerts: *const hutano_alerts,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || Ok(&alert(alerts, i)?.message)) }
}

/// The numbers behind alert `i` as a JSON object, at the time it was
/// raised: always `observed` (the value the rule compared) and `threshold`
/// (what it was compared with), in the rule's unit (percent, free beds,
/// days of cover, units, stays, admissions a day, z); where the rule has
/// them also `probability`, `capacity`, `count`, `baseline`, `statistic`,
/// `horizon_days` and `day` (`"YYYY-MM-DD"`). E.g.
/// `{"observed":92.2,"threshold":85.0,"capacity":398.0,"count":367.0}`.
/// Numbers read back bit for bit. String output: see the preamble.
///
/// # Safety
/// `alerts` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_evidence_json(
    alerts: *const hutano_alerts,
    i: usize,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || to_json(&alert(alerts, i)?.evidence)) }
}

/// Every alert as a JSON list, in the order raised: `[{"rule":
/// "occupancy", "severity": "warning", "subject": {"kind": "branch",
/// "code": "HRE"}, "started": "2024-01-16T00:00:00", "ended": null,
/// "evidence": {...}, "message": "..."}, ...]` (hutano-forecast's `Alert`).
/// String output: see the preamble.
///
/// # Safety
/// `alerts` is a live handle; `buf` is valid for `len` bytes; `out_n` for
/// one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_alerts_json(
    alerts: *const hutano_alerts,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> hutano_result {
    // SAFETY: the caller guarantees `buf` is valid for `len` bytes.
    unsafe { string_out(buf, len, out_n, || to_json(&handle::get::<Alerts>(alerts, "alerts")?.0)) }
}
