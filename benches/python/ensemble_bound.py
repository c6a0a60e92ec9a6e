"""How far can combining hutano's models go? An upper bound for the ensemble.

    python benches/python/ensemble_bound.py data.csv H N_SERIES MODELS [--cli forecast_cli] [--country zimbabwe]
        [--holidays FILE]

Runs `forecast_cli` for each model in MODELS (comma-separated
`forecast_cli --model` names) on the bench-peers protocol (3 rolling
origins, step = h, cutoffs from each series' end, MASE scaled by the
training window's weekly naive error, forecasts clipped at 0), then scores
the mean and the median of every subset of two or more models. The best
subset is chosen **on the test windows themselves** (in hindsight), so its
MASE bounds from below what any fixed combination of these members (simple
averages, medians) can reach on this data; a learned ensemble can only do
worse than the best subset unless its weights vary by series and window.
A model name ending in `_hol` runs with `--country` (holiday features), or
with `--holidays FILE` (one ISO date a line) when that is given.
"""
from __future__ import annotations

import argparse
import io
import itertools
import os
import subprocess

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("h", type=int)
    ap.add_argument("n_series", type=int)
    ap.add_argument("models")
    ap.add_argument("--cli", default=os.environ.get("HUTANO_FORECAST_CLI", "target/release/forecast_cli"))
    ap.add_argument("--top", type=int, default=5)
    ap.add_argument("--country", default="zimbabwe", help="calendar of the *_hol models")
    ap.add_argument("--holidays", default=None, help="dates file for the *_hol models (instead of --country)")
    a = ap.parse_args()
    models = a.models.split(",")
    df = pd.read_csv(a.csv)
    ids = sorted(df.unique_id.unique())[: a.n_series]
    df = df[df.unique_id.isin(ids)].sort_values(["unique_id", "ds"])
    rows = []
    for w in range(3):
        train, test = [], {}
        for uid, g in df.groupby("unique_id"):
            cut = len(g) - (3 - w) * a.h
            train.append(g.iloc[:cut])
            ytr = g.y.to_numpy()[:cut]
            test[uid] = (g.y.to_numpy()[cut : cut + a.h], np.mean(np.abs(ytr[7:] - ytr[:-7])))
        csv = pd.concat(train)[["unique_id", "ds", "y"]].to_csv(index=False)
        for m in models:
            cal = ["--holidays", a.holidays] if a.holidays else ["--country", a.country]
            hol = cal if m.endswith("_hol") else []
            out = subprocess.run([a.cli, "--model", m.removesuffix("_hol"), "--h", str(a.h), "--levels", "80,95", *hol],
                                 input=csv,
                                 capture_output=True, text=True, check=True).stdout
            for uid, g in pd.read_csv(io.StringIO(out)).groupby("unique_id"):
                y, scale = test[uid]
                for i, p in enumerate(g.sort_values("step")["mean"]):
                    rows.append((w, uid, i, m, y[i], scale, p))
    d = pd.DataFrame(rows, columns=["w", "uid", "step", "model", "y", "scale", "mean"])
    piv = d.pivot_table(index=["w", "uid", "step"], columns="model", values="mean")
    base = d[d.model == models[0]].set_index(["w", "uid", "step"])[["y", "scale"]]

    def mase(pred: pd.Series) -> float:
        e = (pred.clip(lower=0) - base.y).abs() / base.scale
        return float(e.groupby(level=[0, 1]).mean().mean())

    print(f"{a.csv}: {len(ids)} series, h = {a.h}, 3 windows")
    for m in models:
        print(f"  {m:16s} MASE {mase(piv[m]):.4f}")
    res = []
    members = [m for m in models if not m.startswith("ensemble")]
    for k in range(2, len(members) + 1):
        for c in itertools.combinations(members, k):
            res.append((mase(piv[list(c)].mean(axis=1)), "mean", c))
            res.append((mase(piv[list(c)].median(axis=1)), "median", c))
    print("  best combinations chosen in hindsight:")
    for r in sorted(res)[: a.top]:
        print(f"  {r[0]:.4f}  {r[1]:6s} {' + '.join(r[2])}")


if __name__ == "__main__":
    main()
