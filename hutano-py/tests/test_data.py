"""Loading, the load report and KPIs from Python, checked against Rust's reference numbers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

import hutano

from conftest import HDHI_EXPECTED, HDHI_SITE

PERIOD = dict(start="2017-04-01", end="2019-04-01")


@pytest.fixture(scope="module")
def hdhi(hdhi_path: Path) -> hutano.Dataset:
    return hutano.load(hdhi_path, HDHI_SITE)


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(HDHI_EXPECTED.read_text())


def test_load_report_accounts_for_every_row(hdhi: hutano.Dataset, expected: dict) -> None:
    r = hdhi.report
    assert r is not None
    e = expected["load"]
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (e["rows_read"], e["rows_loaded"], e["rows_rejected"])
    assert r.rows_read == r.rows_loaded + r.rows_rejected
    assert r.rejects["row"].tolist() == [x["row"] for x in e["rejects"]]
    assert r.rejects["reason"].value_counts().to_dict() == e["rejects_by_reason"]


def test_kpis_equal_the_independent_reference(hdhi: hutano.Dataset, expected: dict) -> None:
    alos = hdhi.kpi("alos", **PERIOD)
    assert alos["alos"][0] == pytest.approx(expected["alos"]["all_stays"]["alos_days"], rel=1e-12)
    on = hdhi.kpi("alos", options={"variant": "overnight_only"}, **PERIOD)
    assert on["alos"][0] == pytest.approx(expected["alos"]["overnight_only"]["alos_days"], rel=1e-12)
    m = hdhi.kpi("mortality", **PERIOD)
    assert int(m["deaths"].sum()) == expected["mortality"]["deaths"]
    assert m["net_mortality_rate"][0] == pytest.approx(expected["mortality"]["net_rate"], rel=1e-12)
    r = hdhi.kpi("readmissions", **PERIOD)
    assert int(r["readmissions"].sum()) == expected["readmission_30d"]["readmissions"]
    a = hdhi.kpi("admissions", grain="day", **PERIOD)
    assert len(a) == 730 and int(a["admissions"].sum()) == expected["admissions_in_period"]["total"]


def test_every_kpi_runs_and_pandas_equals_polars() -> None:
    net = hutano.generate("india", seed=3, days=45)
    for name in hutano.kpi_names():
        a = net.kpi(name, by=["branch"], grain="week")
        b = net.kpi(name, by=["branch"], grain="week", frame="polars")
        assert isinstance(a, pd.DataFrame) and isinstance(b, pl.DataFrame), name
        assert a.columns.tolist() == b.columns, name
        for c in a.columns:
            if a[c].dtype.kind == "f":
                np.testing.assert_array_equal(a[c].to_numpy(), b[c].to_numpy())
            elif a[c].dtype.kind == "M":
                # pandas has no date type: dates are midnight timestamps there.
                assert b[c].dtype == pl.Date
                assert a[c].dt.date.tolist() == b[c].to_list(), (name, c)
            else:
                assert [str(v) for v in a[c].tolist()] == [str(v) for v in b[c].to_list()], (name, c)


def test_filters_and_groups_add_up() -> None:
    net = hutano.generate("national", seed=5, days=40)
    total = net.kpi("admissions")["admissions"].sum()
    by_branch = net.kpi("admissions", by=["branch"])
    assert by_branch["admissions"].sum() == total
    one = by_branch["branch"].iloc[0]
    only = net.kpi("admissions", filters={"branch": [one]})
    assert only["admissions"].iloc[0] == by_branch["admissions"].iloc[0]


def test_generator_is_reproducible() -> None:
    a = hutano.generate("national", seed=11, days=30).kpi("bed_days", by=["branch"])
    b = hutano.generate("national", seed=11, days=30).kpi("bed_days", by=["branch"])
    pd.testing.assert_frame_equal(a, b)


def test_from_frame_equals_load(hdhi_path: Path, hdhi: hutano.Dataset) -> None:
    df = pd.read_csv(hdhi_path, dtype=str, keep_default_na=False)
    via_frame = hutano.from_frame(df, HDHI_SITE)
    assert via_frame.n_encounters == hdhi.n_encounters
    pd.testing.assert_frame_equal(via_frame.kpi("alos", **PERIOD), hdhi.kpi("alos", **PERIOD))


def test_bad_input_raises_the_named_class(tmp_path: Path) -> None:
    with pytest.raises(hutano.FileError):
        hutano.load(tmp_path / "missing.csv", HDHI_SITE)
    bad_site = json.loads(HDHI_SITE.read_text())
    bad_site["mapping"]["age"] = "AGE IN YEARS"
    csv = tmp_path / "a.csv"
    csv.write_text("SNO,MRD No.,D.O.A\n1,2,3\n")
    with pytest.raises(hutano.MappingError):
        hutano.load(csv, bad_site)
    with pytest.raises(hutano.MappingError):
        hutano.load(csv, "{not json")
    net = hutano.generate("national", seed=1, days=20)
    with pytest.raises(hutano.InvalidParameterError, match="unknown KPI"):
        net.kpi("occupancy")
    with pytest.raises(hutano.InvalidParameterError, match="dimension"):
        net.kpi("admissions", by=["hospital"])
    with pytest.raises(hutano.InvalidParameterError):
        net.kpi("admissions", start="2024-02-01", end="2024-01-01")
    with pytest.raises(hutano.InvalidParameterError):
        hutano.generate("mars", seed=1)


def test_census_forecast_from_the_hdhi_stays(hdhi: hutano.Dataset) -> None:
    f = hdhi.census_forecast("2019-01-31", 14, level=[80, 95], capacity=150)
    assert len(f) == 14 and str(f["ds"].iloc[0])[:10] == "2019-02-01"
    assert (f["lo-95"] <= f["lo-80"]).all() and (f["lo-80"] <= f["mean"]).all()
    assert (f["mean"] <= f["hi-80"]).all() and (f["hi-80"] <= f["hi-95"]).all()
    assert ((0 <= f["prob_above"]) & (f["prob_above"] <= 1)).all()
    # The day-1 mean is near the census the KPI engine reports for the origin.
    census = hdhi.kpi("census_daily", start="2019-01-31", end="2019-02-01", grain="day")
    today = float(census.iloc[0, -1])
    assert abs(f["mean"].iloc[0] - today) < 0.3 * today
    with pytest.raises(hutano.InvalidParameterError):
        hdhi.census_forecast("2019-01-31", 14, arrivals="uniform")
    with pytest.raises(hutano.InvalidParameterError):
        hdhi.census_forecast("2010-01-31", 14)


def test_erlang_bed_sizing() -> None:
    # B(10, 5) = 0.0183846 (Erlang B table): 10 beds meet a 2 % target at load 5, 9 do not.
    b = hutano.beds_for_blocking(arrival_rate=1.0, mean_los=5.0, target=0.02)
    assert b["erlang_beds"] == 10 and b["erlang_blocking"] == pytest.approx(0.0183846, abs=1e-7)
    assert b["occupancy_rule_beds"] == 6  # ceil(5 / 0.85)
    assert hutano.beds_for_blocking(1.0, 5.0, 0.001)["erlang_beds"] > 10
    with pytest.raises(hutano.InvalidParameterError):
        hutano.beds_for_blocking(1.0, 5.0, 1.5)


@pytest.fixture(scope="module")
def network() -> hutano.Dataset:
    return hutano.generate("national", seed=11, days=150)


def test_icu_and_ventilator_census_of_the_network(network: hutano.Dataset) -> None:
    from hutano.models import SeasonalNaive

    as_of, opts = "2024-05-20", {"model": SeasonalNaive(7), "arrivals": "negative_binomial"}
    icu = network.census_forecast(as_of, 7, unit="icu", **opts)
    vent = network.census_forecast(as_of, 7, unit="ventilators", **opts)
    for f in (icu, vent):
        assert len(f) == 7 and {"capacity", "prob_above"} <= set(f.columns)
        assert (f["mean"] > 0).all() and ((0 <= f["prob_above"]) & (f["prob_above"] <= 1)).all()
        assert (f["lo-80"] <= f["mean"]).all() and (f["mean"] <= f["hi-80"]).all()
    # Ventilators are the ventilator-capable ICU beds: never more than the ICU beds.
    assert (vent["capacity"] <= icu["capacity"]).all() and (vent["capacity"] > 0).all()
    # A stated capacity replaces the unit's.
    assert "capacity" not in network.census_forecast(as_of, 7, unit="icu", capacity=5.0, **opts).columns
    with pytest.raises(hutano.InvalidParameterError):
        network.census_forecast(as_of, 7, unit={"kind": "moon"}, **opts)
    with pytest.raises(hutano.HutanoError):
        network.census_forecast(as_of, 7, unit={"kind": "ward", "code": "no-such-ward"}, **opts)


def test_medicine_plan_is_consistent_and_reacts_to_the_policy(network: hutano.Dataset) -> None:
    as_of = "2024-05-20"
    plan = network.medicine_plan(as_of, horizon=28, lead_time_days=10)
    assert len(plan) > 0 and plan["error"].isna().all()
    assert plan["medicine"].is_unique
    # Reorder point = lead-time demand + safety stock; order exactly when the
    # inventory position is at or below it.
    np.testing.assert_allclose(plan["reorder_point"], plan["lead_time_demand"] + plan["safety_stock"], rtol=1e-12)
    assert ((plan["inventory_position"] <= plan["reorder_point"]) == plan["order_now"]).all()
    assert ((plan["order_quantity"] > 0) == plan["order_now"]).all()
    assert ((plan["stock_out_probability"] >= 0) & (plan["stock_out_probability"] <= 1)).all()
    assert (plan["at_risk_units"] >= 0).all() and (plan["on_hand"] >= 0).all()
    # A stock-out date, when there is one, falls inside the horizon.
    dates = plan["stock_out_date"].dropna()
    assert ((dates > pd.Timestamp(as_of)) & (dates <= pd.Timestamp(as_of) + pd.Timedelta(days=28))).all()
    # Lead-time demand is the forecast over the first 10 days: close to 10 × the
    # mean daily demand over the 28 (not equal: the weekly pattern).
    assert np.corrcoef(plan["lead_time_demand"], 10 * plan["mean_daily_demand"])[0, 1] > 0.999
    # A higher service level needs more safety stock; EOQ appears with both costs.
    strict = network.medicine_plan(as_of, horizon=28, lead_time_days=10, service_level=0.99)
    assert (strict["safety_stock"] >= plan["safety_stock"] - 1e-9).all()
    assert (strict["safety_stock"] > plan["safety_stock"]).any()
    eoq = network.medicine_plan(as_of, ordering_cost=50.0, holding_cost_per_unit_year=2.0)
    assert plan["eoq"].isna().all() and (eoq["eoq"] > 0).all()
    # polars gives the same table.
    pl_plan = network.medicine_plan(as_of, horizon=28, lead_time_days=10, frame="polars")
    np.testing.assert_array_equal(pl_plan["reorder_point"].to_numpy(), plan["reorder_point"].to_numpy())
    with pytest.raises(hutano.InvalidParameterError):
        network.medicine_plan(as_of, service_level=1.5)
    with pytest.raises(hutano.InvalidParameterError):
        network.medicine_plan(as_of, model="holt")
    with pytest.raises(hutano.InvalidParameterError):
        network.medicine_plan("20-05-2024")


def test_required_staff_follows_the_ratios() -> None:
    fc = pd.DataFrame({
        "ds": pd.date_range("2024-05-01", periods=3, freq="D"),
        "mean": [3.2, 4.0, 5.1],
        "lo-80": [2.0, 3.0, 4.0],
        "hi-80": [4.5, 5.0, 6.2],
    })
    icu = hutano.required_staff(fc, ward="ICU-1", ward_type="icu")
    nurses = icu[(icu["role"] == "nurse") & (icu["shift"] == "night")]
    # NABH: one ICU nurse per two patients on every shift.
    assert nurses["staff"].tolist() == [int(np.ceil(v / 2)) for v in fc["mean"]]
    assert nurses["staff_upper"].tolist() == [int(np.ceil(v / 2)) for v in fc["hi-80"]]
    assert set(icu["shift"]) == {"day", "evening", "night"}
    pl_icu = hutano.required_staff(pl.from_pandas(fc), ward="ICU-1", ward_type="icu")
    assert isinstance(pl_icu, pl.DataFrame) and pl_icu["staff"].to_list() == icu["staff"].tolist()
    custom = hutano.required_staff(
        fc, ward_type="ward", shifts=["day"],
        ratios={"rules": [{"ward_type": "ward", "role": "nurse", "ratio": {"staff": 1.0, "patients": 2.0}}]},
    )
    assert custom["staff"].tolist() == [2, 2, 3]
    with pytest.raises(hutano.InvalidParameterError):
        hutano.required_staff(fc, ward_type="canteen")
    with pytest.raises(hutano.InvalidParameterError):
        hutano.required_staff(fc.drop(columns=["hi-80"]))
    with pytest.raises(hutano.InvalidParameterError):
        hutano.required_staff(fc, level=95)  # the frame has no 95 % interval


def test_alerts_are_raised_once_per_condition(network: hutano.Dataset) -> None:
    a = network.alerts("2024-04-01", "2024-05-01")
    assert len(a) > 0
    assert set(a["severity"]) <= {"info", "warning", "critical"}
    # Each day is evaluated at the midnight that ends it.
    assert (a["started"] > pd.Timestamp("2024-04-01")).all() and (a["started"] <= pd.Timestamp("2024-05-01")).all()
    # No two alerts of one rule and subject are active at the same time.
    for _, g in a.groupby(["rule", "subject"]):
        g = g.sort_values("started")
        ends = g["ended"].fillna(pd.Timestamp.max).to_numpy()
        starts = g["started"].to_numpy()
        assert (starts[1:] >= ends[:-1]).all()
    # Occupancy alerts carry their evidence: observed above the threshold.
    occ = a[a["rule"] == "occupancy"]
    assert (occ["observed"] >= occ["threshold"]).all()
    # Turning every rule off but one leaves only that rule's alerts.
    only = network.alerts("2024-04-01", "2024-05-01", rules={
        "occupancy": {}, "occupancy_forecast": None, "icu": None, "ventilators": None, "low_stock": None,
        "expiry": None, "delayed_discharge": None, "flow": None, "readmission": None})
    assert set(only["rule"]) <= {"occupancy"}
    assert len(only) == len(occ)
    pl_a = network.alerts("2024-04-01", "2024-05-01", frame="polars")
    assert pl_a["message"].to_list() == a["message"].tolist()
    with pytest.raises(hutano.InvalidParameterError):
        network.alerts("2024-05-01", "2024-04-01")
    with pytest.raises(hutano.InvalidParameterError):
        network.alerts("2024-04-01", "2024-05-01", rules={"occupancy": {"warning_pct": "high"}})


def test_monthly_report_numbers_equal_the_kpi_engine(network: hutano.Dataset, tmp_path: Path) -> None:
    r = network.monthly_report("2024-04-01", out_dir=tmp_path)
    assert (tmp_path / "report-2024-04.html").read_text() == r["html"]
    assert "http://" not in r["html"] and "https://" not in r["html"] and "<script" not in r["html"]
    assert r["html"].count("<svg") >= 4
    rows = pd.read_csv(io.StringIO(r["csv"]))
    report = json.loads(r["json"])
    assert report["month"] == "2024-04-01"
    adm = rows[(rows["section"] == "kpi") & (rows["kpi"] == "admissions") & rows["branch"].notna()
               & rows["department"].isna()]
    kpi = network.kpi("admissions", start="2024-04-01", end="2024-05-01", by=["branch"])
    for _, k in kpi.iterrows():
        value = adm.loc[adm["branch"] == k["branch"], "value"]
        assert len(value) == 1 and value.iloc[0] == k["admissions"], k["branch"]
    with pytest.raises(hutano.InvalidParameterError):
        network.monthly_report("2024-04-01", config={"trend_months": 0})
