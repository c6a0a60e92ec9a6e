"""Allocation plans from Python: beds, rosters, dispatch and slots.

Expected values are either worked out by hand in the test (small instances)
or taken from hutano-optimize's reference instances, whose objectives
``cargo test -p hutano-optimize --test reference`` asserts against HiGHS
(``tests/reference/expected_highs.json``, 1e-6 relative; the same tolerance
is used here since the Python call runs the very same Rust model).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest

import hutano

REFERENCE = Path(__file__).resolve().parents[2] / "hutano-optimize" / "tests" / "reference"
START = "2024-05-03"  # a Friday


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance on a sphere of radius 6371 km, written from the formula."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(min(1.0, math.sqrt(h)))


def assert_frames_equal(a: pd.DataFrame, b: pl.DataFrame) -> None:
    """A pandas and a polars result hold the same values (dates are timestamps in pandas)."""
    assert isinstance(a, pd.DataFrame) and isinstance(b, pl.DataFrame)
    assert a.columns.tolist() == b.columns
    for c in a.columns:
        if a[c].dtype.kind == "M":
            left = [v.date() if b[c].dtype == pl.Date else v.to_pydatetime() for v in a[c]]
            assert left == b[c].to_list(), c
        elif a[c].dtype.kind == "f":
            np.testing.assert_array_equal(a[c].to_numpy(), b[c].to_numpy())
        else:
            assert a[c].tolist() == b[c].to_list(), c


# --------------------------------------------------------------------------
# Beds

HRE, CHT = (-17.83, 31.05), (-18.97, 32.67)


def icu_instance() -> dict[str, Any]:
    """hutano-optimize's README example: 8 ICU patients at HRE, 6 ICU beds there and 4 at CHT."""
    return dict(
        hospitals=pd.DataFrame({"hospital": ["HRE", "CHT"], "lat": [HRE[0], CHT[0]], "lon": [HRE[1], CHT[1]]}),
        pools=pd.DataFrame(
            {
                "ward": ["HRE-ICU", "CHT-ICU"],
                "hospital": ["HRE", "CHT"],
                "service": ["Intensive care"] * 2,
                "bed_type": ["icu"] * 2,
                "beds": [6, 4],
            }
        ),
        demand=pd.DataFrame(
            {"hospital": ["HRE"], "service": ["Intensive care"], "bed_type": ["icu"], "patients": [8]}
        ),
    )


def test_readme_example_transfers_two_patients() -> None:
    inst = icu_instance()
    plan = hutano.plan_beds(**inst, start=START, days=1)
    # Optimum by hand: 6 stay, the 2 others cost 50 + 0.5/km each (same service
    # and bed type); leaving them unmet would cost 1000 each.
    km = haversine_km(HRE, CHT)
    assert plan.objective == pytest.approx(2 * (50 + 0.5 * km), rel=1e-12)
    assert plan.summary["transferred_patients"] == 2
    assert plan.summary["transfer_km"] == pytest.approx(2 * km, rel=1e-12)
    assert plan.summary["unmet_patients"] == 0
    p = plan.placements
    assert isinstance(p, pd.DataFrame)
    assert p.columns.tolist() == [
        "date", "hospital", "service", "bed_type_needed", "to_hospital", "ward", "bed_type", "patients",
        "off_service", "transfer", "distance_km", "arrival",
    ]
    assert p[["hospital", "to_hospital", "ward", "patients", "transfer"]].values.tolist() == [
        ["HRE", "HRE", "HRE-ICU", 6, False],
        ["HRE", "CHT", "CHT-ICU", 2, True],
    ]
    assert p["distance_km"].tolist() == pytest.approx([0.0, km], rel=1e-12)
    assert (p["date"] == pd.Timestamp(START)).all()
    assert len(plan.unmet) == 0
    assert "BedPlan(objective=" in repr(plan)


def test_unmet_and_upgrades_are_costed_by_hand() -> None:
    # Day 0: 3 HDU patients, 1 HDU bed and 1 ICU bed (an upgrade, +20), one unmet (+1000).
    # Day 1: the ICU bed is out of service: 2 unmet. ICU patients never go to HDU beds.
    pools = pd.DataFrame(
        {
            "ward": ["HDU", "ICU", "HDU", "ICU"],
            "hospital": ["A"] * 4,
            "service": ["Critical care"] * 4,
            "bed_type": ["hdu", "icu", "hdu", "icu"],
            "beds": [1, 1, 1, 0],
            "date": pd.to_datetime([START, START, "2024-05-04", "2024-05-04"]),
        }
    )
    demand = pd.DataFrame(
        {
            "hospital": ["A", "A"],
            "service": ["Critical care", "Critical care"],
            "bed_type": ["hdu", "icu"],
            "patients": [3, 1],
            "date": pd.to_datetime([START, "2024-05-04"]),
        }
    )
    plan = hutano.plan_beds(["A"], pools, demand, START, 2)
    assert plan.objective == pytest.approx(20 + 1000 + 1000)
    assert plan.summary["wrong_type_patients"] == 1
    assert plan.summary["unmet_patients"] == 2
    p, u = plan.placements, plan.unmet
    assert p[["ward", "bed_type_needed", "bed_type", "patients"]].values.tolist() == [
        ["HDU", "hdu", "hdu", 1],
        ["ICU", "hdu", "icu", 1],
    ]
    assert list(zip(u["date"].dt.strftime("%Y-%m-%d"), u["bed_type"], u["patients"])) == [
        ("2024-05-03", "hdu", 1),
        ("2024-05-04", "icu", 1),
    ]


def test_stays_keep_their_ward_and_transfer_once_by_hand() -> None:
    # The instance of hutano-optimize's `beds::tests::one_long_stay_moves_instead_of_two_short_ones`:
    # 2 beds at A and 1 at B (no location: a transfer costs exactly 50) over 3 days;
    # 2 patients arrive at A on day 0 for 3 days, 1 on day 1 and 1 on day 2 for a day.
    # Moving both short stays to B costs 2 × 50; moving one long stay for its
    # whole stay costs 50 once, and frees its bed at A for the short stays.
    hospitals = {"A": (-17.8, 31.0), "B": None}
    pools = [
        {"ward": "A-MED", "hospital": "A", "service": "Medicine", "bed_type": "general", "beds": 2},
        {"ward": "B-MED", "hospital": "B", "service": "Medicine", "bed_type": "general", "beds": 1},
    ]
    demand = pd.DataFrame(
        {
            "hospital": ["A"] * 3,
            "service": ["Medicine"] * 3,
            "bed_type": ["general"] * 3,
            "patients": [2, 1, 1],
            "date": pd.to_datetime([START, "2024-05-04", "2024-05-05"]),
            "stay_days": [3, 1, 1],
        }
    )
    plan = hutano.plan_beds(hospitals, pools, demand, START, 3)
    assert plan.objective == pytest.approx(50.0)
    assert plan.summary["transferred_patients"] == 1
    assert plan.summary["unmet_patients"] == 0
    p = plan.placements
    # Occupancy by day: 2, 3, 3 patients.
    assert p.groupby(p["date"].dt.strftime("%Y-%m-%d"))["patients"].sum().tolist() == [2, 3, 3]
    at_b = p[p["ward"] == "B-MED"]
    assert at_b[["patients", "transfer", "arrival"]].values.tolist() == [[1, True, True], [1, True, False], [1, True, False]]
    # Without stays (a census of 2, 3, 3 planned day by day) each extra patient moves: 2 transfers.
    census = demand.assign(patients=[2, 3, 3], stay_days=[1, 1, 1])
    assert hutano.plan_beds(hospitals, pools, census, START, 3).objective == pytest.approx(100.0)


def fractional_stays_instance() -> dict[str, Any]:
    """Four stays whose LP relaxation is fractional (found by search, checked by hand below).

    Days 0–4 from START; unmet 25 and off-service 10 per patient-day. Wards: W0
    (surgery) 1 bed on days 0–3; W1 (medicine) 1 bed on days 2–3; W3 (medicine)
    beds 1, 1, 2, 1, 1. Stays: ``d`` surgery days 0–4, ``b`` medicine days 0–2,
    ``a`` surgery days 2–3, ``c`` medicine days 2–3.
    """
    beds = {"W0": ("S", [1, 1, 1, 1, 0]), "W1": ("M", [0, 0, 1, 1, 0]), "W3": ("M", [1, 1, 2, 1, 1])}
    pools = [
        {"ward": w, "hospital": "A", "service": svc, "bed_type": "general", "beds": n, "date": day(START, t)}
        for w, (svc, per_day) in beds.items()
        for t, n in enumerate(per_day)
        if n > 0
    ]
    stays = [("S", 0, 5), ("M", 0, 3), ("S", 2, 2), ("M", 2, 2)]  # d, b, a, c
    demand = [
        {"hospital": "A", "service": svc, "bed_type": "general", "patients": 1, "date": day(START, t), "stay_days": n}
        for svc, t, n in stays
    ]
    return dict(
        hospitals=["A"], pools=pools, demand=demand, start=START, days=5, costs={"unmet": 25, "off_service": 10}
    )


def assert_bed_plan_feasible(plan: hutano.BedPlan, inst: dict[str, Any]) -> None:
    """No ward over its beds on any day; every patient-day in a bed or unmet; the objective is the costed summary."""
    beds = {(q["ward"], q["date"]): q["beds"] for q in inst["pools"]}
    p = plan.placements
    used = p.groupby([p["ward"], p["date"].dt.date])["patients"].sum()
    assert all(n <= beds.get(key, 0) for key, n in used.items())
    last = inst["days"] - 1
    start = dt.date.fromisoformat(inst["start"])
    patient_days = sum(
        q["patients"] * (min((q["date"] - start).days + q["stay_days"] - 1, last) - (q["date"] - start).days + 1)
        for q in inst["demand"]
    )
    assert p["patients"].sum() + plan.unmet["patients"].sum() == patient_days
    c = inst["costs"]
    s = plan.summary
    assert plan.objective == pytest.approx(c["unmet"] * s["unmet_patients"] + c["off_service"] * s["off_service_patients"])


def test_budgeted_bed_plan_by_hand() -> None:
    # The optimum is 125. Only W3 has beds on all five days, so d is either unmet
    # (5 × 25 = 125, with b in W3, a in W0 and c in W1 at no cost) or in W3 off
    # service (50), filling W3 on days 0, 1, 3 and 4. Then b goes to W0 (3 × 10) or
    # is unmet (75 → 125); in W0 it takes W0's bed on day 2, so of a and c (days
    # 2–3) one gets W1 and the other nothing (2 × 25): at least 50 + 30 + 50 = 130.
    inst = fractional_stays_instance()
    exact = hutano.plan_beds(**inst)
    assert exact.objective == pytest.approx(125.0) and exact.bound is None
    assert_bed_plan_feasible(exact, inst)
    # An unlimited budget (gap 0) proves the same optimum.
    proven = hutano.plan_beds(**inst, gap=0.0)
    assert proven.objective == pytest.approx(125.0)
    assert proven.bound is not None and proven.bound["optimal"]
    assert proven.bound["lower_bound"] == pytest.approx(125.0) and proven.bound["gap"] == pytest.approx(0.0, abs=1e-9)
    # The root alone: the LP relaxation is fractional, so the bound is below the
    # optimum and not proven optimal; the plan is feasible and never below the optimum.
    root = hutano.plan_beds(**inst, node_limit=0)
    assert root.bound is not None and not root.bound["optimal"] and root.bound["nodes"] == 0
    assert root.bound["lower_bound"] < 125.0 - 1e-6
    assert root.objective >= 125.0 - 1e-9
    assert root.bound["gap"] == pytest.approx((root.objective - root.bound["lower_bound"]) / root.objective, abs=1e-9)
    assert_bed_plan_feasible(root, inst)
    assert root.placements.columns.tolist() == exact.placements.columns.tolist()


def test_budgeted_bed_plan_with_stays_matches_rust_and_highs() -> None:
    p, expected = reference("beds_three_hospitals_stays")
    args = bed_frames(p, pl)
    exact = hutano.plan_beds(**args, gap=0.0)
    assert exact.objective == pytest.approx(expected, rel=1e-6)
    assert exact.bound is not None and exact.bound["optimal"]
    root = hutano.plan_beds(**args, node_limit=0)
    assert root.bound is not None
    assert root.bound["lower_bound"] <= expected * (1 + 1e-9) <= root.objective * (1 + 1e-9)
    last = p["days"] - 1
    patient_days = sum(q["patients"] * (min(q["day"] + q["stay_days"] - 1, last) - q["day"] + 1) for q in p["demand"])
    assert root.placements["patients"].sum() + root.unmet["patients"].sum() == patient_days
    assert isinstance(root.placements, pl.DataFrame)


def test_budgeted_bed_plan_of_one_day_stays_is_optimal_at_the_root() -> None:
    # One-day stays: each day is a transportation problem, whose LP relaxation is integral.
    plan = hutano.plan_beds(**icu_instance(), start=START, days=1, node_limit=0)
    assert plan.objective == pytest.approx(2 * (50 + 0.5 * haversine_km(HRE, CHT)), rel=1e-9)
    assert plan.bound == {"lower_bound": pytest.approx(plan.objective), "gap": 0.0, "optimal": True, "nodes": 0}
    with pytest.raises(hutano.InvalidParameterError, match="node_limit"):
        hutano.plan_beds(**icu_instance(), start=START, days=1, node_limit=-1)
    with pytest.raises(hutano.InvalidParameterError, match="gap"):
        hutano.plan_beds(**icu_instance(), start=START, days=1, gap=1.5)


def test_allow_unmet_false_raises_with_shortfalls() -> None:
    # The instance of hutano-optimize's `beds::tests::unplaceable_patients_are_named`.
    pools = [
        {"ward": "A-ICU", "hospital": "A", "service": "ICU", "bed_type": "icu", "beds": 2},
        {"ward": "B-ICU", "hospital": "B", "service": "ICU", "bed_type": "icu", "beds": 3},
    ]
    demand = [{"hospital": "A", "service": "ICU", "bed_type": "icu", "patients": 7}]
    hospitals = {"A": (-17.8, 31.0), "B": (-18.9, 32.6)}
    with pytest.raises(hutano.InfeasiblePlanError) as info:
        hutano.plan_beds(hospitals, pools, demand, START, 1, allow_unmet=False)
    e = info.value
    assert isinstance(e, hutano.HutanoError)
    assert "icu beds for ICU patients at A on 2024-05-03: 7 needed, 5 available" in str(e)
    [s] = e.shortfalls
    assert isinstance(s, hutano.Shortfall)
    assert (s.resource, s.date, s.shift, s.needed, s.available) == (
        "icu beds for ICU patients at A",
        dt.date(2024, 5, 3),
        None,
        7.0,
        5.0,
    )
    assert str(s) == "icu beds for ICU patients at A on 2024-05-03: 7 needed, 5 available"
    assert repr(s).startswith("Shortfall(")
    # With unmet demand allowed the same instance places 5 and leaves 2.
    plan = hutano.plan_beds(hospitals, pools, demand, START, 1)
    assert plan.summary["unmet_patients"] == 2


def base_bed_tables() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    pools = [{"ward": "W", "hospital": "A", "service": "Medicine", "bed_type": "general", "beds": 4}]
    demand = [{"hospital": "A", "service": "Medicine", "bed_type": "general", "patients": 3}]
    return pools, demand


@pytest.mark.parametrize(
    ("table", "column", "value", "message"),
    [
        ("pools", "bed_type", "icuu", 'unknown bed_type "icuu" at row 0'),
        ("pools", "beds", -2, "negative beds"),
        ("pools", "beds", float("nan"), "missing beds"),
        ("pools", "beds", 2.5, "whole number"),
        ("pools", "beds", "four", "must be a number"),
        ("pools", "hospital", "Z", 'hospital "Z" at row 0 is not in the hospitals table'),
        ("demand", "patients", float("nan"), "missing patients"),
        ("demand", "bed_type", "ward", "unknown bed_type"),
        ("demand", "date", "2024-06-01", "outside the plan"),
        ("demand", "date", "not a date", "as a date"),
        ("demand", "stay_days", 0, "stay_days must be at least 1"),
        ("demand", "stay_days", 1.5, "whole number"),
    ],
)
def test_bad_cells_raise_invalid_data_naming_the_cell(table: str, column: str, value: Any, message: str) -> None:
    pools, demand = base_bed_tables()
    (pools if table == "pools" else demand)[0][column] = value
    with pytest.raises(hutano.InvalidDataError, match=message) as info:
        hutano.plan_beds(["A"], pools, demand, START, 1)
    assert (info.value.column, info.value.row) == (column, 0)
    assert str(info.value).startswith(table)


def test_bad_tables_and_options_raise_the_specific_class() -> None:
    pools, demand = base_bed_tables()
    with pytest.raises(hutano.InvalidDataError, match='no "beds" column') as info:
        hutano.plan_beds(["A"], [{k: v for k, v in pools[0].items() if k != "beds"}], demand, START, 1)
    assert info.value.column == "beds"
    with pytest.raises(hutano.InvalidDataError, match="appears twice"):
        hutano.plan_beds(["A", "A"], pools, demand, START, 1)
    twice = [pools[0] | {"date": START}, pools[0] | {"date": START, "beds": 5}]
    with pytest.raises(hutano.InvalidDataError, match="two rows of general beds for one date") as info:
        hutano.plan_beds(["A"], twice, demand, START, 1)
    assert (info.value.column, info.value.row) == ("date", 1)
    with pytest.raises(hutano.InvalidParameterError, match="differ in length"):
        hutano.plan_beds(["A"], {"ward": ["W", "V"], "hospital": ["A"]}, demand, START, 1)
    with pytest.raises(hutano.InvalidParameterError, match="unknown costs key"):
        hutano.plan_beds(["A"], pools, demand, START, 1, costs={"unmett": 5})
    with pytest.raises(hutano.InvalidParameterError, match="finite"):
        hutano.plan_beds(["A"], pools, demand, START, 1, costs={"unmet": float("nan")})
    with pytest.raises(hutano.InvalidParameterError, match="costs"):
        hutano.plan_beds(["A"], pools, demand, START, 1, costs={"unmet": -1.0})
    with pytest.raises(hutano.InvalidParameterError, match="days"):
        hutano.plan_beds(["A"], pools, demand, START, 0)
    with pytest.raises(hutano.InvalidParameterError, match="start"):
        hutano.plan_beds(["A"], pools, demand, "next friday", 1)
    with pytest.raises(hutano.InvalidParameterError):
        hutano.plan_beds(["A"], 42, demand, START, 1)
    with pytest.raises(hutano.InvalidParameterError, match="frame"):
        hutano.plan_beds(["A"], pools, demand, START, 1, frame="arrow")


def test_costs_override_the_defaults() -> None:
    inst = icu_instance()
    # Transfers dearer than leaving a patient without a bed: both stay unmet.
    plan = hutano.plan_beds(**inst, start=START, days=1, costs={"transfer_fixed": 2000.0})
    assert plan.summary["unmet_patients"] == 2 and plan.objective == pytest.approx(2000.0)
    # Beyond the transfer limit: unmet too.
    plan = hutano.plan_beds(**inst, start=START, days=1, costs={"max_transfer_km": 100.0})
    assert plan.summary["transferred_patients"] == 0 and plan.summary["unmet_patients"] == 2


def test_inputs_as_frames_dicts_and_rows_agree_and_results_follow_the_caller() -> None:
    inst = icu_instance()
    a = hutano.plan_beds(**inst, start=START, days=1)
    pl_inst = {k: pl.DataFrame({c: v[c].tolist() for c in v.columns}) for k, v in inst.items()}
    b = hutano.plan_beds(**pl_inst, start=dt.date(2024, 5, 3), days=1)
    assert isinstance(b.placements, pl.DataFrame) and isinstance(b.unmet, pl.DataFrame)
    assert_frames_equal(a.placements, b.placements)
    assert a.objective == b.objective and a.summary == b.summary
    rows = {k: v.to_dict("records") for k, v in inst.items()}
    c = hutano.plan_beds(**rows, start=np.datetime64(START), days=1, frame="polars")
    assert isinstance(c.placements, pl.DataFrame)
    assert_frames_equal(a.placements, c.placements)
    d = hutano.plan_beds(**{k: v.to_dict("list") for k, v in inst.items()}, start=pd.Timestamp(START), days=1)
    assert isinstance(d.placements, pd.DataFrame)
    pd.testing.assert_frame_equal(a.placements, d.placements)


# --------------------------------------------------------------------------
# Reference instances: the objectives cargo test asserts


def reference(name: str) -> tuple[dict[str, Any], float]:
    problem = json.loads((REFERENCE / f"{name}.json").read_text())["problem"]
    expected = json.loads((REFERENCE / "expected_highs.json").read_text())["instances"][name]["objective"]
    return problem, expected


def day(start: str, offset: int) -> dt.date:
    return dt.date.fromisoformat(start) + dt.timedelta(days=offset)


def bed_frames(p: dict[str, Any], lib: Any) -> dict[str, Any]:
    hospitals = lib.DataFrame(
        {
            "hospital": [h["code"] for h in p["hospitals"]],
            "lat": [h["location"][0] for h in p["hospitals"]],
            "lon": [h["location"][1] for h in p["hospitals"]],
        }
    )
    pools = [
        {k: q[k] for k in ("ward", "service", "bed_type")}
        | {"hospital": p["hospitals"][q["hospital"]]["code"], "date": day(p["start"], d), "beds": n}
        for q in p["pools"]
        for d, n in enumerate(q["beds"])
    ]
    demand = [
        {k: q[k] for k in ("service", "bed_type", "patients")}
        | {
            "hospital": p["hospitals"][q["hospital"]]["code"],
            "date": day(p["start"], q["day"]),
            "stay_days": q.get("stay_days", 1),
        }
        for q in p["demand"]
    ]
    return dict(
        hospitals=hospitals,
        pools=lib.DataFrame(pools),
        demand=lib.DataFrame(demand),
        start=p["start"],
        days=p["days"],
        costs=p["costs"],
        allow_unmet=p["allow_unmet"],
    )


def test_beds_reference_instance_matches_rust_and_highs() -> None:
    p, expected = reference("beds_three_hospitals")
    plan = hutano.plan_beds(**bed_frames(p, pd))
    assert plan.objective == pytest.approx(expected, rel=1e-6)
    # The plan accounts for every patient.
    total = sum(q["patients"] for q in p["demand"])
    assert plan.placements["patients"].sum() + plan.unmet["patients"].sum() == total
    # pandas and polars give the same plan.
    other = hutano.plan_beds(**bed_frames(p, pl))
    assert_frames_equal(plan.placements, other.placements)
    assert_frames_equal(plan.unmet, other.unmet)
    assert plan.objective == other.objective


def test_beds_with_stays_reference_instance_matches_rust_and_highs() -> None:
    p, expected = reference("beds_three_hospitals_stays")
    plan = hutano.plan_beds(**bed_frames(p, pl))
    assert plan.objective == pytest.approx(expected, rel=1e-6)
    # Every patient-day is in a bed or unmet.
    last = p["days"] - 1
    patient_days = sum(q["patients"] * (min(q["day"] + q["stay_days"] - 1, last) - q["day"] + 1) for q in p["demand"])
    assert plan.placements["patients"].sum() + plan.unmet["patients"].sum() == patient_days


def test_dispatch_reference_instance_matches_rust_and_highs() -> None:
    p, expected = reference("dispatch_round")
    requests = pd.DataFrame(
        [
            {"request": r["id"], "lat": r["location"][0], "lon": r["location"][1], "weight": r["weight"],
             "bed_type": r["bed_type"], "needs_als": r["needs_als"]}
            for r in p["requests"]
        ]
    )
    ambulances = pd.DataFrame(
        [{"ambulance": a["code"], "lat": a["location"][0], "lon": a["location"][1], "kind": a["kind"]}
         for a in p["ambulances"]]
    )
    hospitals = pd.DataFrame(
        [
            {"hospital": h["code"], "lat": h["location"][0], "lon": h["location"][1], "bed_type": b["bed_type"],
             "free_now": b["now"], "free_forecast": b["forecast"]}
            for h in p["hospitals"]
            for b in h["beds"]
        ]
    )
    plan = hutano.plan_dispatch(
        requests, ambulances, hospitals, speed_kmh=p["speed_kmh"], unserved_minutes=p["unserved_minutes"]
    )
    assert plan.objective == pytest.approx(expected, rel=1e-6)
    d = plan.dispatches
    # The objective is the weighted minutes of the plan.
    waiting = requests.set_index("request").loc[plan.waiting["request"], "weight"].sum() * p["unserved_minutes"]
    recomputed = (d["weight"] * (d["response_minutes"] + d["transfer_minutes"])).sum() + waiting
    assert recomputed == pytest.approx(plan.objective, rel=1e-9)
    assert plan.summary["dispatched"] + plan.summary["waiting"] == len(requests)
    assert d["ambulance"].is_unique and d["request"].is_unique
    kind = ambulances.set_index("ambulance")["kind"]
    als = requests.set_index("request")["needs_als"]
    assert all(kind[a] == "advanced_life_support" for a, r in zip(d["ambulance"], d["request"]) if als[r])


def test_slots_reference_instance_matches_rust_and_highs() -> None:
    p, expected = reference("slots_waiting_list")
    slots = pl.DataFrame(
        {
            "slot": [s["id"] for s in p["slots"]],
            "equipment": [s["equipment"] for s in p["slots"]],
            "start": [dt.datetime.fromisoformat(s["start"]) for s in p["slots"]],
            "minutes": [s["minutes"] for s in p["slots"]],
            "capabilities": [s["capabilities"] for s in p["slots"]],
        }
    )
    waiting = pl.DataFrame(
        {
            "patient": [w["id"] for w in p["waiting"]],
            "equipment": [w["equipment"] for w in p["waiting"]],
            "minutes": [w["minutes"] for w in p["waiting"]],
            "needs": [w["needs"] for w in p["waiting"]],
            "priority": [w["priority"] for w in p["waiting"]],
            "waited_days": [w["waited_days"] for w in p["waiting"]],
            "ready_from": [dt.datetime.fromisoformat(w["ready_from"]) for w in p["waiting"]],
        }
    )
    plan = hutano.plan_slots(slots, waiting, weights=p["weights"])
    assert plan.objective == pytest.approx(expected, rel=1e-6)
    assert isinstance(plan.bookings, pl.DataFrame)
    assert plan.summary["value"] == pytest.approx(-plan.objective)
    assert plan.bookings["value"].sum() == pytest.approx(-plan.objective, rel=1e-9)
    assert plan.bookings["slot"].n_unique() == len(plan.bookings) == plan.summary["booked"]
    assert plan.bookings["patient"].n_unique() == len(plan.bookings)
    assert len(plan.empty) + len(plan.bookings) == len(slots)
    # Every booking fits: equipment, minutes, capabilities, preparation.
    s = {r["slot"]: r for r in slots.to_dicts()}
    w = {r["patient"]: r for r in waiting.to_dicts()}
    for b in plan.bookings.to_dicts():
        slot, pat = s[b["slot"]], w[b["patient"]]
        assert slot["equipment"] == pat["equipment"] and pat["minutes"] <= slot["minutes"]
        assert set(pat["needs"]) <= set(slot["capabilities"]) and slot["start"] >= pat["ready_from"]
        assert b["start"] == slot["start"]


def staff_tables(p: dict) -> tuple[dict, list[dict]]:
    """The staff columns and requirement rows of a serialised `StaffProblem`."""
    staff = {
        "staff": [m["code"] for m in p["staff"]],
        "role": [m["role"] for m in p["staff"]],
        "units": [m["units"] for m in p["staff"]],
        "skills": [m["skills"] for m in p["staff"]],
        "contracted_hours_per_week": [m["contracted_hours_per_week"] for m in p["staff"]],
        "max_overtime_hours_per_week": [m["max_overtime_hours_per_week"] for m in p["staff"]],
        "hourly_cost": [m["hourly_cost"] for m in p["staff"]],
        "leave": [[dt.date.fromisoformat(d) for d in m["leave"]] for m in p["staff"]],
    }
    requirements = [
        {"unit": r["unit"], "role": r["role"], "skill": r["skill"], "date": day(p["start"], r["day"]),
         "shift": p["shifts"][r["shift"]]["name"], "target": r["target"], "minimum": r["minimum"]}
        for r in p["requirements"]
    ]
    return staff, requirements


def test_staff_reference_instance_matches_rust_and_highs() -> None:
    p, expected = reference("staff_mission_hospital_two_weeks")
    columns, requirements = staff_tables(p)
    staff = pl.DataFrame(columns, schema_overrides={"leave": pl.List(pl.Date)})
    plan = hutano.plan_staff(staff, requirements, p["start"], p["days"], shifts=p["shifts"], rules=p["rules"])
    assert plan.objective == pytest.approx(expected, rel=1e-6)
    assert isinstance(plan.assignments, pl.DataFrame)
    # Nobody works twice on a day or while on leave.
    leave = {m["code"]: set(m["leave"]) for m in p["staff"]}
    for a in plan.assignments.to_dicts():
        assert a["date"].isoformat() not in leave[a["staff"]]
    assert plan.assignments.select(["staff", "date"]).is_duplicated().sum() == 0
    assert plan.summary["shifts"] == len(plan.assignments)


# --------------------------------------------------------------------------
# Staff


def nurses(n: int, *, cost: float = 10.0, overtime: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "staff": [f"N{i + 1}" for i in range(n)],
            "role": ["nurse"] * n,
            "unit": ["ICU"] * n,
            "skills": [["icu"]] * n,
            "hourly_cost": [cost] * n,
            "max_overtime_hours_per_week": [overtime] * n,
        }
    )


def cover(days: list[str], target: int, minimum: int, skill: str | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"unit": "ICU", "role": "nurse", "skill": skill, "date": d, "shift": s, "target": target, "minimum": minimum}
            for d in days
            for s in ("day", "evening", "night")
        ]
    )


def test_roster_optimum_by_hand() -> None:
    # One nurse per shift on Friday and Saturday, three nurses at 10/h: wages
    # 6 × 8 h × 10 = 480. Fair shares: 1 night each (2 nights, 120 contracted
    # hours), 1 weekend shift each (3 Saturday shifts). Whoever works Friday
    # night (ends 07:00 Saturday) cannot work Saturday's day or evening shift
    # (11 h rest), so either they work Saturday night too (one night beyond the
    # share: +20) or someone works two Saturday shifts, which rest forbids, or a
    # shift goes short (+1000). Optimum: 500.
    plan = hutano.plan_staff(nurses(3), cover([START, "2024-05-04"], 1, 1), START, 2)
    assert plan.objective == pytest.approx(500.0)
    assert plan.summary["wages"] == pytest.approx(480.0)
    assert plan.summary["max_nights"] == 2 and plan.summary["missing"] == 0
    a = plan.assignments
    assert a.columns.tolist() == ["date", "shift", "unit", "staff", "role", "hours"]
    assert len(a) == 6 and set(a["role"]) == {"nurse"} and (a["hours"] == 8.0).all()
    assert len(plan.understaffing) == 0
    assert "StaffPlan(objective=500" in repr(plan)


def test_understaffing_is_reported() -> None:
    # One nurse, three shifts a day wanted: she can work one shift a day (rest
    # rule), so two shifts go short on each of two days, at 1000 each.
    plan = hutano.plan_staff(nurses(1), cover([START, "2024-05-04"], 1, 0), START, 2)
    assert plan.summary["missing"] == 4 and len(plan.assignments) == 2
    u = plan.understaffing
    assert u.columns.tolist() == ["date", "shift", "unit", "role", "skill", "target", "minimum", "staffed", "missing"]
    assert (u["missing"] == 1).all() and (u["staffed"] == 0).all() and len(u) == 4
    # Two 8-hour shifts at 10/h, no night or weekend beyond her (whole) share.
    assert plan.objective == pytest.approx(4 * 1000 + 2 * 80)


def test_safe_staffing_floor_that_cannot_be_met_raises() -> None:
    # hutano-optimize's `staff::tests::precheck_names_the_short_shift`: nine ICU
    # nurses, three on leave on 3 May, nine needed on every shift.
    staff = nurses(9)
    staff["leave"] = [[]] * 6 + [[dt.date(2024, 5, 3)]] * 3
    days = ["2024-05-01", "2024-05-02", START]
    with pytest.raises(hutano.InfeasiblePlanError) as info:
        hutano.plan_staff(staff, cover(days, 9, 9, skill="icu"), "2024-05-01", 3)
    e = info.value
    assert "icu nurses in ICU on 2024-05-03 night shift: 9 needed, 6 available" in str(e)
    night = [s for s in e.shortfalls if s.shift == "night" and s.date == dt.date(2024, 5, 3)]
    assert len(night) == 1
    assert (night[0].resource, night[0].needed, night[0].available) == ("icu nurses in ICU", 9.0, 6.0)
    # The rest rule alone: two nurses cannot keep two on every shift.
    with pytest.raises(hutano.InfeasiblePlanError) as info:
        hutano.plan_staff(nurses(2), cover([START], 2, 2), START, 1)
    assert info.value.shortfalls and all(s.needed == 2.0 and s.available < 2.0 for s in info.value.shortfalls)


def test_staff_bad_input() -> None:
    need = cover([START], 1, 1)
    with pytest.raises(hutano.InvalidDataError, match='unknown role "surgeon"') as info:
        hutano.plan_staff(nurses(3).assign(role=["nurse", "surgeon", "nurse"]), need, START, 1)
    assert (info.value.column, info.value.row) == ("role", 1)
    with pytest.raises(hutano.InvalidDataError, match='unknown shift "late"'):
        hutano.plan_staff(nurses(3), need.assign(shift="late"), START, 1)
    with pytest.raises(hutano.InvalidDataError, match="minimum 2 above target 1"):
        hutano.plan_staff(nurses(3), need.assign(minimum=2), START, 1)
    with pytest.raises(hutano.InvalidDataError, match="hourly_cost"):
        hutano.plan_staff(nurses(3, cost=-1.0), need, START, 1)
    with pytest.raises(hutano.InvalidDataError, match="leave"):
        hutano.plan_staff(nurses(3).assign(leave=[["soon"]] * 3), need, START, 1)
    with pytest.raises(hutano.InvalidParameterError, match="unknown rules key"):
        hutano.plan_staff(nurses(3), need, START, 1, rules={"rest": 8})
    # Roles and bed types ignore case and spaces.
    plan = hutano.plan_staff(nurses(3).assign(role="Nurse"), need.assign(role=" NURSE"), START, 1)
    assert len(plan.assignments) == 3


def test_custom_shifts_and_rules() -> None:
    # Two 12-hour shifts; with a 12-hour rest rule one nurse cannot do both
    # on a day, so two nurses are needed: 2 × 12 h × 10.
    shifts = pl.DataFrame(
        {"name": ["long day", "long night"], "start_minute": [480, 1200], "length_minutes": [720, 720],
         "night": [False, True]}
    )
    need = pl.DataFrame(
        {"unit": ["ICU"] * 2, "role": ["nurse"] * 2, "date": [dt.date(2024, 5, 6)] * 2,
         "shift": ["long day", "long night"], "target": [1, 1], "minimum": [1, 1]}
    )
    staff = pl.DataFrame({"staff": ["N1", "N2"], "role": ["nurse", "nurse"], "units": [["ICU"], ["ICU", "HDU"]],
                          "hourly_cost": [10.0, 10.0]})
    plan = hutano.plan_staff(staff, need, "2024-05-06", 1, shifts=shifts, rules={"min_rest_hours": 12.0})
    assert isinstance(plan.assignments, pl.DataFrame)
    assert plan.assignments["staff"].n_unique() == 2
    assert plan.summary["wages"] == pytest.approx(240.0)
    assert sorted(plan.assignments["hours"].to_list()) == [12.0, 12.0]


def test_staff_pandas_equals_polars() -> None:
    staff, need = nurses(4, overtime=8.0), cover([START, "2024-05-04", "2024-05-05"], 1, 1)
    a = hutano.plan_staff(staff, need, START, 3)
    b = hutano.plan_staff(pl.from_dicts(staff.to_dict("records")), pl.from_dicts(need.to_dict("records")), START, 3)
    assert_frames_equal(a.assignments, b.assignments)
    assert_frames_equal(a.understaffing, b.understaffing)
    assert a.summary == b.summary and a.objective == b.objective


# --------------------------------------------------------------------------
# Dispatch and slots


def dispatch_tables() -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """hutano-optimize's `dispatch::tests` instance."""
    requests = [
        {"request": "low", "lat": 0.0, "lon": 0.01, "weight": 1.0, "bed_type": "general"},
        {"request": "high", "lat": 0.0, "lon": 0.5, "weight": 4.0, "bed_type": "general", "needs_als": True},
    ]
    ambulances = [
        {"ambulance": "ALS", "lat": 0.0, "lon": 0.0, "kind": "als"},
        {"ambulance": "BLS", "lat": 0.0, "lon": 0.0, "kind": "basic_life_support"},
    ]
    hospitals = [
        {"hospital": "near", "lat": 0.0, "lon": 0.2, "bed_type": "general", "free_now": 1, "free_forecast": 3.0},
        {"hospital": "far", "lat": 0.0, "lon": 1.0, "bed_type": "general", "free_now": 5, "free_forecast": 5.0},
    ]
    return requests, ambulances, hospitals


def test_dispatch_sends_als_to_the_als_request() -> None:
    requests, ambulances, hospitals = dispatch_tables()
    plan = hutano.plan_dispatch(requests, ambulances, hospitals, speed_kmh=60, unserved_minutes=600)
    d = plan.dispatches.set_index("request")
    assert d.loc["high", "ambulance"] == "ALS" and len(plan.waiting) == 0
    # One bed free near, so one of the two goes far. By hand, at 60 km/h (a
    # minute per km) along the equator: high to near and low to far costs
    # 4 × (0.5° + 0.3°) + (0.01° + 0.99°) = 4.2°, the other way round
    # 4 × (0.5° + 0.5°) + (0.01° + 0.19°) = 4.2° too: a tie of equal cost.
    km = haversine_km
    high_near = 4 * (km((0, 0), (0, 0.5)) + km((0, 0.5), (0, 0.2))) + km((0, 0), (0, 0.01)) + km((0, 0.01), (0, 1))
    assert sorted(d["hospital"]) == ["far", "near"]
    assert plan.objective == pytest.approx(high_near, rel=1e-9)
    assert plan.summary["response_minutes"] == pytest.approx(d["response_minutes"].sum())


def test_dispatch_without_beds_requests_wait() -> None:
    requests, ambulances, hospitals = dispatch_tables()
    for h in hospitals:
        h["free_forecast"] = 0.4  # floor: no bed at arrival
    plan = hutano.plan_dispatch(requests, ambulances, hospitals, speed_kmh=60, unserved_minutes=600, frame="polars")
    assert plan.waiting["request"].to_list() == ["low", "high"]
    assert plan.objective == pytest.approx(5 * 600)
    assert len(plan.dispatches) == 0 and isinstance(plan.dispatches, pl.DataFrame)


def test_dispatch_bad_input() -> None:
    requests, ambulances, hospitals = dispatch_tables()
    ambulances[1]["kind"] = "helicopter"
    with pytest.raises(hutano.InvalidDataError, match='unknown kind "helicopter"'):
        hutano.plan_dispatch(requests, ambulances, hospitals)
    requests, ambulances, hospitals = dispatch_tables()
    requests[0]["lat"] = float("nan")
    with pytest.raises(hutano.InvalidDataError, match="missing lat") as info:
        hutano.plan_dispatch(requests, ambulances, hospitals)
    assert (info.value.column, info.value.row) == ("lat", 0)
    requests, ambulances, hospitals = dispatch_tables()
    with pytest.raises(hutano.InvalidParameterError, match="speed_kmh"):
        hutano.plan_dispatch(requests, ambulances, hospitals, speed_kmh=0)


def test_slots_respect_preparation_and_capabilities() -> None:
    # hutano-optimize's `slots::tests::preparation_and_capabilities_are_respected`.
    slots = pd.DataFrame(
        {
            "slot": ["early", "late"],
            "equipment": ["ct", "ct"],
            "start": pd.to_datetime(["2024-05-03 09:00", "2024-05-04 09:00"]),
            "minutes": [20, 20],
            "capabilities": [[], ["contrast"]],
        }
    )
    waiting = pd.DataFrame(
        {
            "patient": ["needs-prep", "contrast"],
            "equipment": ["ct", "ct"],
            "minutes": [20, 20],
            "needs": [None, "contrast"],
            "priority": [1, 2],
            "waited_days": [0.0, 30.0],
            "ready_from": pd.to_datetime(["2024-05-04 00:00", "2024-05-01 00:00"]),
        }
    )
    plan = hutano.plan_slots(slots, waiting)
    assert plan.bookings[["slot", "patient"]].values.tolist() == [["late", "needs-prep"]]
    assert plan.empty["slot"].tolist() == ["early"]
    assert plan.bookings["start"].tolist() == [pd.Timestamp("2024-05-04 09:00")]
    # Value by hand: weight 1000 × (1 + 0 weeks) − 0.01 × 1000 × (9 h / 24 h).
    assert plan.bookings["value"].tolist() == pytest.approx([1000 - 10 * 9 / 24])
    assert plan.summary == {"booked": 1, "empty_slots": 1, "unbooked_patients": 1, "value": pytest.approx(1000 - 3.75)}
    with pytest.raises(hutano.InvalidDataError, match="priority must be 1 to 4"):
        hutano.plan_slots(slots, waiting.assign(priority=[0, 2]))
    with pytest.raises(hutano.InvalidDataError, match="missing start") as info:
        hutano.plan_slots(slots.assign(start=[pd.NaT, pd.Timestamp("2024-05-04")]), waiting)
    assert (info.value.column, info.value.row) == ("start", 0)
    with pytest.raises(hutano.InvalidParameterError, match="weights"):
        hutano.plan_slots(slots, waiting, weights={"priority": [1.0, 2.0]})


# --------------------------------------------------------------------------
# Plans of a data set's network


@pytest.fixture(scope="module")
def india() -> hutano.Dataset:
    return hutano.generate("india", seed=3, days=40)


def test_dataset_bed_plan_uses_the_census_or_a_given_demand(india: hutano.Dataset) -> None:
    plan = india.bed_plan("2024-02-01", 2)
    assert sorted(set(plan.placements["hospital"])) == ["BLR", "HYD", "MAA", "PNQ"]
    assert plan.objective >= 0 and (plan.placements["patients"] > 0).all()
    # The census as an explicit demand table gives the same plan.
    p, u = plan.placements, plan.unmet
    demand = pd.concat(
        [
            p.rename(columns={"bed_type_needed": "need"})[["date", "hospital", "service", "need", "patients"]],
            u.rename(columns={"bed_type": "need"})[["date", "hospital", "service", "need", "patients"]],
        ]
    )
    demand = demand.groupby(["date", "hospital", "service", "need"], as_index=False)["patients"].sum()
    again = india.bed_plan("2024-02-01", 2, demand=demand.rename(columns={"need": "bed_type"}))
    assert again.objective == pytest.approx(plan.objective, rel=1e-12)
    assert again.placements["patients"].sum() == plan.placements["patients"].sum()
    polars = india.bed_plan("2024-02-01", 2, frame="polars")
    assert_frames_equal(plan.placements, polars.placements)
    with pytest.raises(hutano.InvalidDataError, match="not in the hospitals table"):
        india.bed_plan("2024-02-01", 2, demand=demand.rename(columns={"need": "bed_type"}).assign(hospital="XXX"))
    # Within a budget: the census plan is integral at the root, so proven optimal.
    budgeted = india.bed_plan("2024-02-01", 2, node_limit=0)
    assert plan.bound is None and budgeted.bound is not None
    assert budgeted.objective == pytest.approx(plan.objective, rel=1e-9)
    assert budgeted.bound["lower_bound"] <= budgeted.objective + 1e-6


def test_budgeted_roster_is_exact_without_a_binding_limit_and_bounded_with_one() -> None:
    p, expected = reference("staff_mission_hospital_two_weeks")
    staff, requirements = staff_tables(p)
    args = (staff, requirements, p["start"], p["days"])
    opts = {"shifts": p["shifts"], "rules": p["rules"]}
    exact = hutano.plan_staff(*args, gap=0.0, **opts)  # a budget with no node limit proves the optimum
    assert exact.objective == pytest.approx(expected, rel=1e-6)
    assert exact.bound is not None and exact.bound["optimal"]
    # The root alone: a feasible roster, never below the proven bound, which never exceeds the optimum.
    root = hutano.plan_staff(*args, node_limit=0, **opts)
    assert root.bound is not None
    assert root.bound["lower_bound"] <= expected * (1 + 1e-9) <= root.objective * (1 + 1e-9)
    assert root.bound["gap"] == pytest.approx((root.objective - root.bound["lower_bound"]) / root.objective, abs=1e-9)
    assert hutano.plan_staff(*args, **opts).bound is None
    with pytest.raises(hutano.InvalidParameterError):
        hutano.plan_staff(*args, node_limit=-1, **opts)
    with pytest.raises(hutano.InvalidParameterError):
        hutano.plan_staff(*args, gap=1.5, **opts)


def test_dataset_staff_plan_of_one_branch(india: hutano.Dataset) -> None:
    plan = india.staff_plan("2024-02-01", 2, branches=["BLR"])
    a = plan.assignments
    assert len(a) == plan.summary["shifts"] > 0
    assert a["staff"].str.startswith("BLR").all() and a["unit"].str.startswith("BLR").all()
    assert a.duplicated(["staff", "date"]).sum() == 0  # 8-hour shifts and 11 h rest: one a day
    assert plan.objective >= plan.summary["wages"]
    with pytest.raises(hutano.InvalidParameterError, match='unknown branch "XXX"'):
        india.staff_plan("2024-02-01", 2, branches=["XXX"])
    budgeted = india.staff_plan("2024-02-01", 2, branches=["BLR"], node_limit=10)
    assert budgeted.bound is not None and budgeted.bound["lower_bound"] <= plan.objective * (1 + 1e-9)
    assert budgeted.objective >= plan.objective * (1 - 1e-9)
    with pytest.raises(hutano.InvalidParameterError, match="ratios"):
        india.staff_plan("2024-02-01", 2, branches=["BLR"], ratios={"patients_per_doctor": 0.0})


# --------------------------------------------------------------------------
# Ctrl-C

SCRIPT = r"""
import time
import hutano
net = hutano.generate("national", seed=7, days=60)
print("ready", flush=True)
t = time.perf_counter()
try:
    net.staff_plan("2024-02-01", 21)
    print("finished", time.perf_counter() - t, flush=True)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter() - t, flush=True)
"""


def test_ctrl_c_interrupts_a_long_plan() -> None:
    # The national three-week roster takes far longer than a test (minutes to
    # hours with microlp); Ctrl-C must return at once.
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(2.0)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert out.startswith("interrupted"), out
    assert float(out.split()[1]) < 30
