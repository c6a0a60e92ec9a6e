"""Python overhead: batch forecasting of N daily series from Python vs the same call in Rust.

    python benches/python/py_overhead.py [N_SERIES] [DAYS]

Writes the panel to a CSV, runs `panel_forecast` (Rust: panel build + fit +
predict through `PanelForecaster`, CSV parsing excluded) and the same models
through `hutano.Forecaster.fit(df).predict()` from a pandas and a polars
frame (frame conversion included), each `REPEATS` times, same thread count
(RAYON_NUM_THREADS, default all cores), and prints the median times and the
ratios. The three runs are interleaved (Rust, pandas, polars, Rust, ...) so
that load from other processes falls on all of them alike. Both sides must
produce the same forecasts (checksum).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl

import hutano
from hutano.models import AutoETS, SeasonalNaive

REPO = Path(__file__).resolve().parents[2]
REPEATS = 5


def panel(n: int, days: int) -> pd.DataFrame:
    rng = np.random.default_rng(2026)
    week = np.array([1.1, 1.05, 1.0, 1.0, 0.95, 0.8, 0.75])
    ds = pd.date_range("2022-01-01", periods=days, freq="D")
    level = rng.uniform(5, 60, n)
    y = rng.poisson(level[:, None] * np.tile(week, days // 7 + 1)[None, :days]).astype(float)
    return pd.DataFrame({"unique_id": np.repeat([f"ward-{i:04d}" for i in range(n)], days),
                         "ds": np.tile(ds, n), "y": y.ravel()})


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    models = [SeasonalNaive(7), AutoETS(7)]
    spec = json.dumps([[m.name, m.spec()] for m in models])
    df = panel(n, days)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    exe = target / "release" / "panel_forecast"
    times: dict[str, list[float]] = {"rust": [], "pandas": [], "polars": []}
    frames = {"pandas": df, "polars": pl.from_pandas(df)}
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "series.csv"
        df.assign(ds=df["ds"].dt.strftime("%Y-%m-%d")).to_csv(csv, index=False)
        for _ in range(REPEATS):
            with open(csv) as f:
                rust = json.loads(subprocess.run([str(exe), "--models", spec, "--h", "14", "--repeats", "1"],
                                                 stdin=f, capture_output=True, text=True, check=True).stdout)
            times["rust"].append(rust["seconds_median"])
            for kind, frame in frames.items():
                t = time.perf_counter()
                fc = hutano.Forecaster(models).fit(frame).predict(14, level=[80, 95])
                times[kind].append(time.perf_counter() - t)
                checksum = float(np.asarray(fc[models[0].name]).sum())
                assert abs(checksum - rust["checksum"]) < 1e-6 * max(1.0, abs(checksum)), (checksum, rust["checksum"])
    out = {k: statistics.median(v) for k, v in times.items()}
    print(f"{n} series x {days} days, models {[m.name for m in models]}, h=14, levels 80/95, "
          f"threads={os.environ.get('RAYON_NUM_THREADS', 'all')}, median of {REPEATS}")
    for k in ("rust", "pandas", "polars"):
        print(f"  {k:7s} {out[k]:.3f} s   ratio to Rust {out[k] / out['rust']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
