//! Medicines: the reorder plan of every medicine of a data set's network
//! (hutano-forecast's `medicines::plan_network`), as a `hutano_table`.

use std::ffi::c_char;

use chrono::NaiveDate;
use hutano_core::model::snake_name;
use hutano_core::table::{Column, Table, Values};
use hutano_forecast::medicines::{plan_network, ConsumptionModel, MedicinePlan, ReorderPolicy};
use serde::Deserialize;

use crate::dataset::{hutano_dataset, hutano_table, Dataset};
use crate::error::{hutano_result, FfiError};
use crate::handle;
use crate::util::{json, parse_date, str_arg};

/// Settings of `hutano_dataset_medicine_plan`: Python's keywords of
/// `Dataset.medicine_plan`, every one with its default.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct MedicineSettings {
    horizon: usize,
    level: Vec<f64>,
    model: ConsumptionModel,
    service_level: f64,
    lead_time_days: f64,
    lead_time_sd_days: f64,
    review_period_days: f64,
    ordering_cost: Option<f64>,
    holding_cost_per_unit_year: Option<f64>,
    on_order: f64,
}

impl Default for MedicineSettings {
    fn default() -> Self {
        let p = ReorderPolicy::default();
        Self {
            horizon: 28,
            level: vec![80.0, 95.0],
            model: ConsumptionModel::Auto,
            service_level: p.service_level,
            lead_time_days: p.lead_time_days,
            lead_time_sd_days: p.lead_time_sd_days,
            review_period_days: p.review_period_days,
            ordering_cost: p.ordering_cost,
            holding_cost_per_unit_year: p.holding_cost_per_unit_year,
            on_order: p.on_order,
        }
    }
}

impl MedicineSettings {
    fn policy(&self) -> ReorderPolicy {
        ReorderPolicy {
            service_level: self.service_level,
            lead_time_days: self.lead_time_days,
            lead_time_sd_days: self.lead_time_sd_days,
            review_period_days: self.review_period_days,
            ordering_cost: self.ordering_cost,
            holding_cost_per_unit_year: self.holding_cost_per_unit_year,
            on_order: self.on_order,
        }
    }
}

/// Plan every medicine of the data set's network at the end of `as_of`
/// (`YYYY-MM-DD`), as Python's `Dataset.medicine_plan`: its daily
/// consumption forecast from the stock ledger, the reorder point and
/// safety stock at the service level over the lead time, the quantity to
/// order now (EOQ when both costs are given, order-up-to otherwise), the
/// projected stock-out date and its probability within `horizon` days, and
/// the units (and value) at risk of expiring before use.
///
/// `settings_json` (NULL with length 0, empty or `{}`: every default):
/// `{"horizon": 28, "level": [80, 95], "model": {"model": "auto"},
/// "service_level": 0.95, "lead_time_days": 7, "lead_time_sd_days": 0,
/// "review_period_days": 7, "ordering_cost": null,
/// "holding_cost_per_unit_year": null, "on_order": 0}`; `model` is
/// hutano-forecast's `ConsumptionModel` (`{"model": "auto"}` picks
/// Croston-SBA for intermittent demand and a weekly seasonal naive
/// otherwise; or e.g. `{"model": "croston", "alpha": 0.1, "variant":
/// "sba"}`).
///
/// On success `*out` receives a `hutano_table`, one row per medicine in
/// the network's order, with Python's columns: `medicine`, `name`, `unit`,
/// `branch` (code), `demand_pattern` (text); `adi`, `on_hand`,
/// `inventory_position`, `mean_daily_demand`, `lead_time_demand`,
/// `safety_stock`, `reorder_point`, `order_up_to`, `eoq` (NaN without
/// both costs) (floats); `order_now` (integer 0 or 1); `order_quantity`
/// (float); `stock_out_date` (text, `YYYY-MM-DD`, empty when no stock-out
/// is projected); `stock_out_probability`, `at_risk_units`,
/// `at_risk_value`, `expired_units` (floats); `error` (text). A medicine
/// that cannot be planned keeps its row with `error` set (the other cells
/// empty, NaN or 0). Free with `hutano_table_free`; the table does not
/// depend on the data set. Reads the data set only: concurrent calls on
/// one data set are allowed.
///
/// Errors: `HUTANO_RESULT_INVALID_PARAMETER` for a date that is not
/// `YYYY-MM-DD`, settings that are not such an object (an unknown key, a
/// model that is not a `ConsumptionModel`) or a policy out of range (a
/// service level outside (0, 1), a lead time that is not positive, a
/// negative deviation, review period or quantity on order, a cost that is
/// not positive); the detail names it. `*out` is written only on success.
///
/// # Safety
/// `dataset` is a live handle; the strings are valid for their lengths;
/// `out` for one write.
#[no_mangle]
pub unsafe extern "C" fn hutano_dataset_medicine_plan(
    dataset: *const hutano_dataset,
    as_of: *const c_char,
    as_of_len: usize,
    settings_json: *const c_char,
    settings_json_len: usize,
    out: *mut *mut hutano_table,
) -> hutano_result {
    handle::handle_out(out, || {
        let ds = handle::get::<Dataset>(dataset, "dataset")?;
        // SAFETY: the caller guarantees the strings are valid for their lengths.
        let (as_of, text) = unsafe {
            (
                str_arg(as_of, as_of_len, "as_of")?,
                str_arg(settings_json, settings_json_len, "settings_json")?,
            )
        };
        let as_of = parse_date(as_of, "as_of")?;
        let s: MedicineSettings = if text.trim().is_empty() {
            MedicineSettings::default()
        } else {
            json(text, "settings_json")?
        };
        let policy = s.policy();
        policy
            .check()
            .map_err(|e| FfiError::param(format!("settings_json: {e}")))?;
        let plans = plan_network(&ds.net, as_of, &s.model, &policy, s.horizon, &s.level);
        Ok(table(&ds.net, &plans))
    })
}

fn table(
    net: &hutano_core::model::Network,
    plans: &[Result<MedicinePlan, hutano_forecast::medicines::MedicineError>],
) -> Table {
    let meds = &net.medicines;
    let text = |f: &dyn Fn(usize) -> String| Values::Text((0..plans.len()).map(f).collect());
    let col = |name: &str, values: Values| Column {
        name: name.to_owned(),
        values,
    };
    let nums: Vec<[f64; 14]> = plans
        .iter()
        .map(|p| p.as_ref().map_or([f64::NAN; 14], MedicinePlan::numbers))
        .collect();
    let num = |name: &str| {
        let j = MedicinePlan::NUMBER_COLUMNS
            .iter()
            .position(|n| *n == name)
            .unwrap_or(0);
        col(name, Values::Float(nums.iter().map(|r| r[j]).collect()))
    };
    let ok = |i: usize| plans[i].as_ref().ok();
    let stock_out = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    Table {
        columns: vec![
            col("medicine", text(&|i| meds[i].code.clone())),
            col("name", text(&|i| meds[i].name.clone())),
            col("unit", text(&|i| meds[i].unit.clone())),
            col(
                "branch",
                text(&|i| {
                    net.branches
                        .get(meds[i].branch.0 as usize)
                        .map(|b| b.code.clone())
                        .unwrap_or_default()
                }),
            ),
            col(
                "demand_pattern",
                text(&|i| ok(i).map(|p| snake_name(&p.pattern.class)).unwrap_or_default()),
            ),
            num("adi"),
            num("on_hand"),
            num("inventory_position"),
            num("mean_daily_demand"),
            num("lead_time_demand"),
            num("safety_stock"),
            num("reorder_point"),
            num("order_up_to"),
            num("eoq"),
            col(
                "order_now",
                Values::Int(
                    (0..plans.len())
                        .map(|i| i64::from(ok(i).is_some_and(|p| p.order_now)))
                        .collect(),
                ),
            ),
            num("order_quantity"),
            col(
                "stock_out_date",
                text(&|i| stock_out(ok(i).and_then(|p| p.projection.stock_out_date))),
            ),
            num("stock_out_probability"),
            num("at_risk_units"),
            num("at_risk_value"),
            num("expired_units"),
            col(
                "error",
                text(&|i| plans[i].as_ref().err().map(ToString::to_string).unwrap_or_default()),
            ),
        ],
    }
}
