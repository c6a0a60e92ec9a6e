"""Does `Cleaned` help where the history has typing errors, and cost nothing where it has none?

    python benches/python/cleaning.py data.csv [--series 20] [--h 14] [--windows 10] [--rate 0.01] [--seed 0]

Rolling-origin backtest (hutano's `cross_validation`, h-step windows, step h)
of a few models with and without `Cleaned`, twice: on the series as they
are, and with typing errors put into their history (a share `--rate` of the
days before the first cutoff multiplied by 10, as an extra digit does). The
test windows are never touched, so both runs are scored on the same,
recorded values. Reports MAE (MASE would not do: its scale, the
in-sample seasonal naive error, grows with the errors put in), MASE on
the clean series, 80/95 % coverage, and how many values the cleaner
replaced (and how many of them were errors put in).
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import hutano
from hutano.models import GLM, MSTL, AutoETS, Cleaned, outliers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--series", type=int, default=20)
    ap.add_argument("--h", type=int, default=14)
    ap.add_argument("--windows", type=int, default=10)
    ap.add_argument("--rate", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    df = pd.read_csv(args.csv, parse_dates=["ds"])
    ids = list(dict.fromkeys(df["unique_id"]))[: args.series]
    df = df[df["unique_id"].isin(ids)].reset_index(drop=True)
    rng = np.random.default_rng(args.seed)
    corrupted = df.copy()
    for _, g in corrupted.groupby("unique_id", sort=False):
        history = g.index[: len(g) - args.h * args.windows]
        hit = rng.choice(history, size=max(1, round(args.rate * len(history))), replace=False)
        corrupted.loc[hit, "y"] = corrupted.loc[hit, "y"] * 10 + 10
    models = [AutoETS(7), Cleaned(AutoETS(7)), MSTL(7), Cleaned(MSTL(7)), GLM(), Cleaned(GLM())]
    print(f"{args.csv}: {len(ids)} series, {args.windows} windows of h = {args.h}, typing errors in {args.rate:.1%} of the history")
    print(f"{'model':16s} {'MASE clean':>10s} {'MAE clean':>9s} {'MAE errors':>10s}  cov80/cov95 clean, errors")
    rows = {}
    for label, data in [("clean", df), ("errors", corrupted)]:
        fc = hutano.Forecaster(models, freq="D")
        fc.cross_validation(data, h=args.h, n_windows=args.windows, step_size=args.h, level=[80, 95], season_length=7)
        m = fc.metrics_frame().set_index("model")
        rows[label] = m
    for name in rows["clean"].index:
        c, e = rows["clean"].loc[name], rows["errors"].loc[name]
        print(
            f"{name:16s} {c['mase']:10.4f} {c['mae']:9.3f} {e['mae']:10.3f}  "
            f"{c['coverage-80']:.3f}/{c['coverage-95']:.3f}, {e['coverage-80']:.3f}/{e['coverage-95']:.3f}"
        )
    replaced = {}
    hits = 0
    for label, data in [("clean", df), ("errors", corrupted)]:
        replaced[label] = 0
        for uid, g in data.groupby("unique_id", sort=False):
            found = outliers(g["y"].to_numpy(float), 7)
            replaced[label] += len(found)
            if label == "errors":
                put_in = set(np.flatnonzero(g["y"].to_numpy() != df.loc[g.index, "y"].to_numpy()))
                hits += sum(t in put_in for t, _, _ in found)
    n_errors = int((corrupted["y"] != df["y"]).sum())
    print(
        f"values replaced in the whole series: {replaced['clean']} of {len(df)} recorded; "
        f"{replaced['errors']} with {n_errors} errors put in, {hits} of them errors"
    )

if __name__ == "__main__":
    main()
