"""hutano's global trees vs the harness's global LightGBM, XGBoost and
scikit-learn forest: CPU time on the same panel and cutoffs, one thread each.

    python benches/python/global_speed.py data.csv N_SERIES [WINDOWS]

Run with the bench-peers venv (lightgbm 4.7.0, xgboost 3.2.0,
scikit-learn 1.9.1) from the workspace root, with HUTANO_FORECAST_CLI at a
release `forecast_cli`. Each window holds out the last 14 days (windows
step back by 14); every model learns one model from all series' training
parts and forecasts h = 14 recursively. The peers run
`../shared/bench-peers/run_peers.py`'s own `run_tree` (features, settings,
recursion) and are timed with `time.process_time()` around it; hutano is
timed by `getrusage` of the `forecast_cli` process (process start and CSV
parsing included), once with its 80/95 % conformal intervals, which take
two extra calibration fits, and once for point forecasts only
(`--levels ""`: `calibration_windows = 0`, one fit), as the peers give. Reports CPU seconds per window and MASE (scale: in-sample
seasonal naive, lag 7).
"""
import os
import resource
import subprocess
import sys
import time
import warnings
from io import StringIO
from pathlib import Path

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / ".." / "shared" / "bench-peers"))
import run_peers  # noqa: E402

CLI = os.environ.get("HUTANO_FORECAST_CLI", os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "forecast_cli"))
H = 14
PAIRS = [("LightGBM", "global_boosted"), ("XGBoost", None), ("RandomForest", "global_forest")]

path, n_series = sys.argv[1], int(sys.argv[2])
windows = int(sys.argv[3]) if len(sys.argv) > 3 else 1
df = pd.read_csv(path, parse_dates=["ds"])
ids = sorted(df["unique_id"].unique())[:n_series]
df = df[df["unique_id"].isin(ids)].sort_values(["unique_id", "ds"])

cpu: dict[str, float] = {}
err: dict[str, list[float]] = {}
for w in range(windows):
    cut = H * (windows - w)
    groups = [g for _, g in df.groupby("unique_id", sort=True)]
    train = [g.iloc[:-cut] for g in groups]
    test = {g["unique_id"].iloc[0]: g["y"].to_numpy()[len(g) - cut:len(g) - cut + H] for g in groups}
    scale = {t["unique_id"].iloc[0]: np.mean(np.abs(t["y"].to_numpy()[7:] - t["y"].to_numpy()[:-7])) for t in train}
    panel = run_peers.Panel.from_lists([t["unique_id"].iloc[0] for t in train], [pd.DatetimeIndex(t["ds"]) for t in train],
                                       [t["y"].to_numpy(dtype=float) for t in train])

    def score(name: str, fc: dict) -> None:
        for uid, f in fc.items():
            err.setdefault(name, []).append(np.mean(np.abs(np.maximum(f, 0) - test[uid])) / scale[uid])

    for peer, ours in PAIRS:
        t = time.process_time()
        out = run_peers.run_tree(panel, H, [80, 95], peer)
        cpu[peer] = cpu.get(peer, 0.0) + time.process_time() - t
        score(peer, {u: v["mean"] for u, v in out.items()})
        if ours is None:
            continue
        csv = pd.concat(train).assign(ds=lambda d: d["ds"].dt.strftime("%Y-%m-%d"))[["unique_id", "ds", "y"]].to_csv(index=False)
        # With 80/95 % intervals (1 + 2 calibration fits) and, like the
        # peers, point forecasts only (one fit).
        for levels, what in [("80,95", "+ intervals"), ("", "point only")]:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            res = subprocess.run([CLI, "--model", ours, "--h", str(H), "--levels", levels], input=csv,
                                 capture_output=True, text=True, env={**os.environ, "RAYON_NUM_THREADS": "1"}, check=True)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            name = f"hutano {ours} {what}"
            cpu[name] = cpu.get(name, 0.0) + (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            fc = pd.read_csv(StringIO(res.stdout))
            score(name, {u: g.sort_values("step")["mean"].to_numpy() for u, g in fc.groupby("unique_id")})

print(f"{path}: {len(ids)} series, {windows} windows of h = {H}, one thread")
for name in cpu:
    print(f"{name:40s} CPU {cpu[name] / windows:7.2f} s per window   MASE {np.mean(err[name]):.4f}")
