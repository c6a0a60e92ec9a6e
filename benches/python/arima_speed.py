"""hutano AutoArima(m) vs statsforecast AutoARIMA(season_length=m), one thread each.

    OPENBLAS_NUM_THREADS=1 python benches/python/arima_speed.py data.csv N_SERIES [WINDOWS] \
        [--season 7] [--h 14] [--freq daily|weekly|monthly]

Each window holds out the last h steps (windows step back by h); both
fit on the rest and forecast h steps with 80/95 % intervals. Reports CPU
seconds (hutano: forecast_cli's rusage; statsforecast: process_time of
StatsForecast(n_jobs=1).forecast), MASE (scale: in-sample seasonal naive,
lag m), 95 % coverage and the largest relative difference of the forecasts.
Defaults: daily series, m = 7, h = 14.

`--aggregate weekly|monthly` first sums a daily CSV into weeks (Monday
starts) or calendar months, dropping incomplete ones at either end.
"""
import argparse
import os
import resource
import subprocess
import time
import warnings

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import AutoARIMA  # noqa: E402

CLI = os.environ.get("HUTANO_FORECAST_CLI", os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "forecast_cli"))

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("csv")
ap.add_argument("n_series", type=int)
ap.add_argument("windows", type=int, nargs="?", default=1)
ap.add_argument("--season", type=int, default=7)
ap.add_argument("--h", type=int, default=14)
ap.add_argument("--freq", choices=["daily", "weekly", "monthly"], default="daily")
ap.add_argument("--aggregate", choices=["weekly", "monthly"], default=None)
args = ap.parse_args()
path, n_series, windows, H, M = args.csv, args.n_series, args.windows, args.h, args.season
PANDAS_FREQ = {"daily": "D", "weekly": "W-MON", "monthly": "MS"}

df = pd.read_csv(path, parse_dates=["ds"])
ids = list(dict.fromkeys(df["unique_id"]))[:n_series]
df = df[df["unique_id"].isin(ids)]
if args.aggregate:
    freq = args.freq = args.aggregate
    period = df["ds"].dt.to_period("W-SUN" if freq == "weekly" else "M")
    g = df.assign(p=period).groupby(["unique_id", "p"], sort=False)
    agg = g["y"].sum().reset_index()
    days = g["y"].size().to_numpy()
    full = days == (7 if freq == "weekly" else agg["p"].dt.days_in_month.to_numpy())
    df = agg[full].assign(ds=lambda d: d["p"].dt.start_time)[["unique_id", "ds", "y"]].reset_index(drop=True)

tot = {"hutano": 0.0, "sf": 0.0}
mase = {"hutano": [], "sf": []}
cover = {"hutano": [], "sf": []}
maxrel = []
for w in range(windows):
    cut = H * (w + 1)
    train = df.groupby("unique_id", sort=False).apply(lambda g: g.iloc[:-cut]).reset_index(drop=True)
    test = df.groupby("unique_id", sort=False).apply(lambda g: g.iloc[len(g) - cut : len(g) - cut + H]).reset_index(drop=True)
    train_csv = f"/tmp/arima_bench_train_{os.getpid()}.csv"
    train.assign(ds=train["ds"].dt.strftime("%Y-%m-%d")).to_csv(train_csv, index=False)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(train_csv) as fin:
        out = subprocess.run(
            [CLI, "--model", "arima", "--h", str(H), "--season", str(M), "--freq", args.freq, "--levels", "80,95"],
            stdin=fin, capture_output=True, text=True, env={**os.environ, "RAYON_NUM_THREADS": "1"}, check=True,
        )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    tot["hutano"] += (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    from io import StringIO

    hut = pd.read_csv(StringIO(out.stdout))

    sf = StatsForecast(models=[AutoARIMA(season_length=M)], freq=PANDAS_FREQ[args.freq], n_jobs=1)
    t = time.process_time()
    fc = sf.forecast(df=train, h=H, level=[80, 95])
    tot["sf"] += time.process_time() - t
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc

    for uid in ids:
        y_tr = train.loc[train.unique_id == uid, "y"].to_numpy(float)
        y_te = test.loc[test.unique_id == uid, "y"].to_numpy(float)
        scale = np.mean(np.abs(y_tr[M:] - y_tr[:-M]))
        h = hut[hut.unique_id == uid]
        s = fc[fc.unique_id == uid]
        # forecast_cli clips counts at zero (non_negative); clip statsforecast too.
        sp = np.maximum(s["AutoARIMA"].to_numpy(), 0)
        for name, point, lo, hi in [
            ("hutano", h["mean"].to_numpy(), h["lo-95"].to_numpy(), h["hi-95"].to_numpy()),
            ("sf", sp, np.maximum(s["AutoARIMA-lo-95"].to_numpy(), 0), np.maximum(s["AutoARIMA-hi-95"].to_numpy(), 0)),
        ]:
            mase[name].append(np.mean(np.abs(y_te - point)) / scale)
            cover[name].append(np.mean((y_te >= lo) & (y_te <= hi)))
        maxrel.append(np.max(np.abs(h["mean"].to_numpy() - sp) / np.maximum(np.abs(sp), 1e-9)))

n_fits = len(ids) * windows
print(f"{path}: {len(ids)} series x {windows} window(s), lengths {df.groupby('unique_id').size().min()}-{df.groupby('unique_id').size().max()}")
for name, label in [("hutano", f"hutano AutoArima({M})"), ("sf", f"statsforecast AutoARIMA({M})")]:
    print(f"  {label:28s} CPU {tot[name]:8.2f} s ({1000 * tot[name] / n_fits:7.1f} ms/fit)  MASE {np.mean(mase[name]):.4f}  cov95 {np.mean(cover[name]):.3f}")
print(f"  speed-up {tot['sf'] / tot['hutano']:.1f}x; forecasts: median max-rel-diff {np.median(maxrel):.1e}, "
      f"share within 1e-6: {np.mean(np.array(maxrel) < 1e-6):.2f}, largest {np.max(maxrel):.1e}")
