"""Which rule should an ensemble use to weight its members? Emulated on bench-peers' windows.

    python benches/python/ensemble_rules.py data.csv H N_SERIES MODELS COUNTRY

For each of bench-peers' 3 rolling origins (step = h), the members
(`forecast_cli --model` names; `<model>_hol` adds `--country COUNTRY`) are
forecast at the origin and on the 2 validation windows of h days just
before it (what hutano's `Ensemble` does inside each training series).
Rules scored on the test windows, all learned on the validation windows
only: per-series weights 1/MASE^2 (hutano's `Ensemble`), the same weights
pooled over the series, pooled stacking (simplex weights minimising the
scaled absolute error of the combination over every series' validation
points), pooled selection of the best member, and the plain mean.
Binary: HUTANO_FORECAST_CLI.
"""
import io
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from scipy.optimize import minimize
path, h, nser, models, country = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(","), sys.argv[5]
cli = os.environ.get("HUTANO_FORECAST_CLI", "target/release/forecast_cli")
df = pd.read_csv(path); ids = sorted(df.unique_id.unique())[:nser]
df = df[df.unique_id.isin(ids)].sort_values(["unique_id", "ds"])
def run(cut_back):
    """forecasts of each model with the last cut_back values held out; returns {(uid, model): (pred, actual, scale)}"""
    train, test = [], {}
    for uid, g in df.groupby("unique_id"):
        cut = len(g) - cut_back
        train.append(g.iloc[:cut]); ytr = g.y.to_numpy()[:cut]
        test[uid] = (g.y.to_numpy()[cut:cut + h], np.mean(np.abs(ytr[7:] - ytr[:-7])))
    csv = pd.concat(train)[["unique_id", "ds", "y"]].to_csv(index=False)
    out = {}
    for m in models:
        hol = ["--country", country] if m.endswith("_hol") else []
        o = subprocess.run([cli, "--model", m.removesuffix("_hol"), "--h", str(h), "--levels", "", *hol], input=csv, capture_output=True, text=True, check=True).stdout
        for uid, g in pd.read_csv(io.StringIO(o)).groupby("unique_id"):
            out[(uid, m)] = (np.maximum(g.sort_values("step")["mean"].to_numpy(), 0), *test[uid])
    return out
W = 3
res = {k: [] for k in ["per-series inv2", "pooled inv2", "pooled stack", "pooled select", "equal"] + models}
for w in range(W):
    back = (W - w) * h
    test = run(back)
    vals = [run(back + h * v) for v in (1, 2)]
    # validation MASE per series, member
    vm = {(u, m): np.mean([np.mean(np.abs(v[(u, m)][0] - v[(u, m)][1])) / v[(u, m)][2] for v in vals]) for u in ids for m in models}
    # pooled stacking: minimise mean scaled abs error over all validation points
    rowsP, rowsY = [], []
    for v in vals:
        for u in ids:
            rowsP.append(np.column_stack([v[(u, m)][0] / v[(u, m)][2] for m in models]))
            rowsY.append(v[(u, models[0])][1] / v[(u, models[0])][2])
    Pm = np.vstack(rowsP); Ym = np.concatenate(rowsY)
    k = len(models)
    f = lambda z: np.mean(np.abs(Pm @ (np.exp(z) / np.exp(z).sum()) - Ym))
    z = minimize(f, np.zeros(k), method="Nelder-Mead", options={"maxiter": 4000, "xatol": 1e-6, "fatol": 1e-9}).x
    ws = np.exp(z) / np.exp(z).sum()
    pooled = np.array([np.mean([vm[(u, m)] for u in ids]) for m in models])
    wp = 1 / pooled ** 2; wp /= wp.sum()
    best = np.argmin(pooled)
    print(f"window {w}: stack weights", dict(zip(models, ws.round(3))), "pooled mase", dict(zip(models, pooled.round(3))))
    for u in ids:
        preds = np.column_stack([test[(u, m)][0] for m in models]); y, sc = test[(u, models[0])][1:]
        wl = np.array([1 / vm[(u, m)] ** 2 for m in models]); wl /= wl.sum()
        for name, p in [("per-series inv2", preds @ wl), ("pooled inv2", preds @ wp), ("pooled stack", preds @ ws),
                        ("pooled select", preds[:, best]), ("equal", preds.mean(axis=1))] + [(m, preds[:, i]) for i, m in enumerate(models)]:
            res[name].append(np.mean(np.abs(p - y)) / sc)
for k, v in res.items():
    print(f"{k:20s} {np.mean(v):.4f}")
