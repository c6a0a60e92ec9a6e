"""How accurate can any forecaster be on bench-peers' synthetic series?

    python benches/python/oracle_synth.py /tmp/bp/data/synth200.csv [--n-series 40] [--h 14] [--windows 3]

`../shared/bench-peers/make_series.py` draws each series as negative-binomial
counts around a known mean mu_t (level x trend x weekly x yearly x holiday x
outbreak). This script rebuilds mu_t by running the generator's own
`make_one` with the same seed (its source, with `mu` added to what it
returns) and checks that the counts it draws equal the CSV's exactly. The
*oracle* forecast is the median of NB(mu_t, size) on every test day: the
point forecast with the least expected absolute error for a forecaster that
knows the future mean, outbreaks included. Its MASE on the harness's windows
(cutoffs len - h - step(W-1-w), scale = in-sample mean |y_t - y_(t-7)|) is a
floor no forecaster reaches; the ratio floor / best peer says how far below
the best peer any model could go.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
import pandas as pd
from scipy.stats import nbinom

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(HERE, "..", "..", "..", "shared", "bench-peers", "make_series.py")


def generator():
    """make_series' module namespace with make_one also returning mu."""
    src = open(GEN).read()
    marker = "    return y.astype(np.int64), meta\n"
    assert marker in src, "make_series.make_one changed; update this script"
    ns: dict = {"__name__": "make_series_oracle"}
    exec(compile(src.replace(marker, "    return y.astype(np.int64), meta, mu, size\n"), GEN, "exec"), ns)
    return ns


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--n-series", type=int, default=None)
    ap.add_argument("--h", type=int, default=14)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--start", default="2022-01-01")
    ap.add_argument("--country", default="ZW")
    a = ap.parse_args()
    g = generator()
    df = pd.read_csv(a.data).sort_values(["unique_id", "ds"])
    ids = sorted(df["unique_id"].unique())
    n_days = df.groupby("unique_id").size().iloc[0]
    dates = pd.date_range(a.start, periods=n_days, freq="D")
    hd = g["holiday_dates"](a.country, sorted(set(dates.year)))
    hol = np.array([d.date() in hd for d in dates])
    rng = np.random.default_rng(a.seed)
    keep = ids[:a.n_series] if a.n_series else ids
    mase = []
    for uid in ids:
        y, _, mu, size = g["make_one"](rng, dates, hol)
        if uid not in keep:
            continue
        data = df.loc[df["unique_id"] == uid, "y"].to_numpy()
        if not np.array_equal(data, y):
            sys.exit(f"{uid}: regenerated counts differ from the CSV (seed, start or generator changed)")
        med = nbinom.median(size, size / (size + mu))
        for w in range(a.windows):
            cut = n_days - a.h - a.h * (a.windows - 1 - w)
            tr, te = y[:cut].astype(float), y[cut:cut + a.h].astype(float)
            scale = np.mean(np.abs(tr[7:] - tr[:-7]))
            mase.append(np.mean(np.abs(med[cut:cut + a.h] - te)) / scale)
    print(f"{len(keep)} series, h = {a.h}, {a.windows} windows: oracle MASE {np.mean(mase):.3f} "
          f"(median of NB(mu_t) with the true future mean)")


if __name__ == "__main__":
    main()
