"""NHS A&E monthly admissions through hutano's Python package with default settings.

    python benches/python/ae_python_defaults.py ../shared/data/nhsr_ae_attendances/ae_attendances.csv [--h 3]

What an analyst gets from ``hutano.Forecaster([...], freq="MS")`` on three years
of months, every model with its defaults: the 130 type-1 departments with all 36
months, rolling origin as ``ae_monthly.py`` (3 windows, 3 months apart), through
hutano's own ``cross_validation`` and ``metrics_frame`` (MASE scaled by the
seasonal naive at lag 12). Runs in the test virtual environment.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

import hutano
from hutano import models as hm


def load(path: str) -> pd.DataFrame:
    d = pd.read_csv(path)
    d = d[d["type"].astype(str) == "1"]
    d["period"] = pd.to_datetime(d["period"])
    frames = []
    for uid, g in d.groupby("org_code"):
        g = g.sort_values("period")
        if len(g) == 36 and g["admissions"].notna().all() and (g["admissions"] > 0).all():
            frames.append(pd.DataFrame({"unique_id": str(uid), "ds": g["period"].to_numpy(), "y": g["admissions"].to_numpy(float)}))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("csv")
    ap.add_argument("--h", type=int, default=3)
    args = ap.parse_args()
    df = load(args.csv)
    print(df["unique_id"].nunique(), "series")
    models = [
        hm.Boosted(seed=0),
        hm.Forest(seed=0),
        hm.Boosted(seed=0, global_model=True),
        hm.Forest(seed=0, global_model=True),
        hm.AutoETS(12),
        hm.Calibrated(hm.AutoETS(12)),
        hm.Calibrated(hm.AutoETS(12), pooled=True, alias="PooledAutoETS"),
        hm.Ensemble([hm.AutoARIMA(12), hm.AutoETS(12), hm.Prophet()]),
    ]
    for m in models:
        t = time.perf_counter()
        fc = hutano.Forecaster([m], freq="MS")
        try:
            fc.cross_validation(df, args.h, n_windows=3, step_size=3, level=[80, 95], season_length=12)
        except hutano.HutanoError as e:
            print(f"{m.name:20s} {type(e).__name__}: {e}")
            continue
        r = fc.metrics_frame().iloc[0]
        print(f"{m.name:20s} MASE {r['mase']:.3f}  cov80 {r['coverage-80']:.3f}  cov95 {r['coverage-95']:.3f}  "
              f"{time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    main()
