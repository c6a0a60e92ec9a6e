"""hutano's forecasters plugged into ../shared/bench-peers/run_peers.py.

    python run_peers.py data/hdhi_daily.csv \
        --extra hutano_SeasonalNaive=hutano_extra:snaive --extra hutano_Naive=hutano_extra:naive

(run from ../shared/bench-peers with PYTHONPATH pointing at this folder and
HUTANO_FORECAST_CLI at the built `forecast_cli`). Each call writes the
training part of every series to the binary's stdin and reads back the
forecasts, so the harness scores hutano on exactly the same splits, with the
same metrics, in the same run as its peers. The harness's timing of these
functions includes process start and CSV transfer; hutano's own fit time is
printed by the binary on stderr and reported in BENCHMARKS.md.
"""
from __future__ import annotations

import csv
import io
import os
import subprocess

import numpy as np
import pandas as pd

CLI = os.environ.get("HUTANO_FORECAST_CLI", "target/release/forecast_cli")


def _call(model: str, panel, h: int, levels: list[int], *extra: str) -> dict[str, dict[str, np.ndarray]]:
    # Dates formatted a series at a time: a row-by-row `str(timestamp)`
    # took 0.9 s for England's 100,000 rows, as long as a third of a fit.
    buf = io.StringIO()
    buf.write("unique_id,ds,y\n")
    for uid, ds, y in zip(panel.uids, panel.ds, panel.y):
        days = pd.DatetimeIndex(ds).strftime("%Y-%m-%d")
        buf.write("".join(f"{uid},{d},{v!r}\n" for d, v in zip(days, np.asarray(y, dtype=float).tolist())))
    lv = ",".join(str(int(x)) for x in levels)
    res = subprocess.run([CLI, "--model", model, "--h", str(h), "--levels", lv, *extra],
                         input=buf.getvalue(), capture_output=True, text=True, check=True)
    out: dict[str, dict[str, list]] = {}
    for row in csv.DictReader(io.StringIO(res.stdout)):
        r = out.setdefault(row["unique_id"], {})
        for k, v in row.items():
            if k not in ("unique_id", "step"):
                r.setdefault(k.replace(".0", ""), []).append(float(v))
    return {u: {k: np.asarray(v) for k, v in r.items()} for u, r in out.items()}


def naive(panel, h, levels):
    return _call("naive", panel, h, levels)


def snaive(panel, h, levels):
    return _call("snaive", panel, h, levels)


def arima(panel, h, levels):
    return _call("arima", panel, h, levels)


def ets(panel, h, levels):
    return _call("ets", panel, h, levels)


def mstl(panel, h, levels):
    return _call("mstl", panel, h, levels)


def boosted(panel, h, levels):
    return _call("boosted", panel, h, levels)


def forest(panel, h, levels):
    return _call("forest", panel, h, levels)


def prophet(panel, h, levels):
    return _call("prophet", panel, h, levels)


def ensemble(panel, h, levels):
    return _call("ensemble", panel, h, levels)


def ensemble_averaged(panel, h, levels):
    return _call("ensemble_averaged", panel, h, levels)


def global_boosted(panel, h, levels):
    return _call("global_boosted", panel, h, levels)


def global_forest(panel, h, levels):
    return _call("global_forest", panel, h, levels)


# With the holiday calendar of HUTANO_COUNTRY (zimbabwe, the default, or
# india), or instead the dates in the file HUTANO_HOLIDAYS: holiday features for the trees, holiday effects for the
# Prophet-like model; the peers' counterparts are the harness's `*_hol`
# models (`--holiday-country ZW` / `IN`).
def _hol(model: str):
    def run(panel, h, levels):
        if "HUTANO_HOLIDAYS" in os.environ:  # a file of dates, one a line
            return _call(model, panel, h, levels, "--holidays", os.environ["HUTANO_HOLIDAYS"])
        return _call(model, panel, h, levels, "--country", os.environ.get("HUTANO_COUNTRY", "zimbabwe"))
    run.__name__ = f"{model}_hol"
    return run


boosted_hol = _hol("boosted")
forest_hol = _hol("forest")
global_boosted_hol = _hol("global_boosted")
global_forest_hol = _hol("global_forest")
prophet_hol = _hol("prophet")
ensemble_hol = _hol("ensemble")
glm_hol = _hol("glm")
ensemble_pooled_hol = _hol("ensemble_pooled")
ensemble_averaged_hol = _hol("ensemble_averaged")
ensemble_global_hol = _hol("ensemble_global")
ensemble_global_pooled_hol = _hol("ensemble_global_pooled")


def glm(panel, h, levels):
    return _call("glm", panel, h, levels)


# Point forecasts only (`--levels ""`: the global trees fit no calibration
# model), for timing like for like against peers that give no intervals.
def _points(run):
    def points(panel, h, levels):
        return run(panel, h, [])
    points.__name__ = f"{run.__name__}_points"
    return points


global_boosted_hol_points = _points(global_boosted_hol)
global_forest_hol_points = _points(global_forest_hol)
global_boosted_points = _points(global_boosted)
global_forest_points = _points(global_forest)
