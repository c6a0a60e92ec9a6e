"""Interval coverage of hutano's forecasters over many rolling origins.

    python benches/python/coverage_origins.py data.csv --models global_boosted,global_forest \
        [--h 7] [--windows 20] [--n-series N] [--country zimbabwe]

The side-by-side tables in BENCHMARKS.md use bench-peers' 3 windows, so
their coverage rests on 3 x series x h forecasts that are strongly
correlated (one origin's h steps share its errors; so do the series of one
day). This script asks the same question on more origins: it cuts the last
`h + step * (w - 1)` days from every series for windows w = windows .. 1
(step = h, as bench-peers), runs `forecast_cli --model M --h h --levels
80,95` on the training parts, and scores the next h days. It reports the
pooled 80 % / 95 % coverage and MASE (scale: in-sample seasonal naive, lag
7) with a standard error taken over windows (each window's coverage is one
observation: the windows are the independent-ish unit), and the same over
bench-peers' 3 most recent windows for comparison.

Data: long format unique_id, ds, y (daily). The binary is
HUTANO_FORECAST_CLI or $CARGO_TARGET_DIR/release/forecast_cli. A model
named `<model>_hol` runs with `--country` (holiday features).
"""
from __future__ import annotations

import argparse
import os
import subprocess
from io import StringIO

import numpy as np
import pandas as pd

CLI = os.environ.get("HUTANO_FORECAST_CLI",
                     os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "forecast_cli"))


def window_scores(df: pd.DataFrame, model: str, h: int, cut: int, country: str = "zimbabwe") -> dict[str, float]:
    """Coverage and MASE of one window (the last `cut` days held out, the
    next h scored)."""
    size = df.groupby("unique_id")["y"].transform("size")
    train = df[df.groupby("unique_id").cumcount() < size - cut]
    csv = train.assign(ds=train["ds"].dt.strftime("%Y-%m-%d"))[["unique_id", "ds", "y"]].to_csv(index=False)
    hol = ["--country", country] if model.endswith("_hol") else []
    out = subprocess.run([CLI, "--model", model.removesuffix("_hol"), "--h", str(h), "--levels", "80,95", *hol],
                         input=csv,
                         capture_output=True, text=True, check=True)
    fc = pd.read_csv(StringIO(out.stdout))
    hits = {80: [], 95: []}
    mase = []
    for uid, g in df.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(dtype=float)
        tr, te = y[:len(y) - cut], y[len(y) - cut:len(y) - cut + h]
        f = fc[fc["unique_id"] == uid].sort_values("step")
        for lv in (80, 95):
            hits[lv].extend((te >= f[f"lo-{lv}"].to_numpy()) & (te <= f[f"hi-{lv}"].to_numpy()))
        scale = np.mean(np.abs(tr[7:] - tr[:-7]))
        mase.append(np.mean(np.abs(np.maximum(f["mean"].to_numpy(), 0) - te)) / scale)
    return {"cov80": float(np.mean(hits[80])), "cov95": float(np.mean(hits[95])), "mase": float(np.mean(mase))}


def summary(rows: list[dict[str, float]]) -> str:
    parts = []
    for k in ("cov80", "cov95", "mase"):
        v = np.array([r[k] for r in rows])
        se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float("nan")
        parts.append(f"{k} {v.mean():.3f} ± {se:.3f}")
    return ", ".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--models", default="global_boosted,global_forest")
    ap.add_argument("--h", type=int, default=7)
    ap.add_argument("--windows", type=int, default=20)
    ap.add_argument("--n-series", type=int, default=None)
    ap.add_argument("--country", default="zimbabwe", help="calendar of the models named *_hol")
    a = ap.parse_args()
    df = pd.read_csv(a.data, parse_dates=["ds"]).sort_values(["unique_id", "ds"])
    if a.n_series:
        ids = sorted(df["unique_id"].unique())[:a.n_series]
        df = df[df["unique_id"].isin(ids)]
    print(f"{a.data}: {df['unique_id'].nunique()} series, h = {a.h}, {a.windows} windows {a.h} days apart")
    for model in a.models.split(","):
        rows = [window_scores(df, model, a.h, a.h + a.h * (w - 1), a.country) for w in range(a.windows, 0, -1)]
        print(f"{model:16s} {a.windows} windows: {summary(rows)}")
        print(f"{'':16s} last 3 windows: {summary(rows[-3:])}")


if __name__ == "__main__":
    main()
