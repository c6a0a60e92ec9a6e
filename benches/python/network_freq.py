"""Hourly or weekly admissions: hutano's models next to statsforecast's on the same rolling windows.

    python benches/python/network_freq.py [--freq h] [--days 182] [--h 24] [--windows 14] \
        [--out results.csv] [--models SeasonalNaive,AutoETS,...] [--no-peers]
    python benches/python/network_freq.py --freq W --days 1095 --h 8 --windows 6

Runs in an environment with both hutano and statsforecast (the bench-peers
venv with hutano's wheel installed: ``maturin build --release`` in
hutano-py, then ``pip install`` the wheel). The data are admissions (all
types) per branch and hour (``--freq h``) or Monday-to-Sunday week
(``--freq W``) of hutano's generated national network (seed 7): its
admission times follow an hour-of-day profile, a weekly pattern, a yearly
season, holidays and outbreaks. Both libraries cross-validate with the
same ``h``, ``windows`` and a step of ``h``; MASE is scaled by the
in-sample seasonal naive at lag 168 (a week of hours) or 52 (a year of
weeks); coverage counts a value on a bound as covered. One thread each.
"""

from __future__ import annotations

import argparse
import io
import time
import warnings

import numpy as np
import pandas as pd

import hutano
from hutano import models as hm

warnings.simplefilter("ignore")
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import MSTL as SfMSTL  # noqa: E402
from statsforecast.models import AutoARIMA as SfAutoARIMA  # noqa: E402
from statsforecast.models import AutoETS as SfAutoETS  # noqa: E402
from statsforecast.models import SeasonalNaive as SfSeasonalNaive  # noqa: E402

LEVELS = [80, 95]


# Per frequency: the pandas alias and the MASE lag.
SETTINGS = {"h": ("h", 168), "W": ("W-MON", 52)}


def admissions(days: int, freq: str) -> pd.DataFrame:
    """Admissions per branch and hour (or week from Monday), zeros included, whole periods only."""
    enc = pd.read_csv(io.BytesIO(hutano.generate("national", seed=7, days=days).encounters_csv()), parse_dates=["admit"])
    # The generated period is the last `days` days. Earlier admissions are those of
    # the patients already in a bed on its first day (a ramp over some weeks), not
    # the period's admissions.
    day0 = enc["admit"].max().normalize() + pd.Timedelta(days=1 - days)
    enc = enc[(enc["admit"] >= day0) & (enc["admit"] < day0 + pd.Timedelta(days=days))]
    if freq == "W":
        monday = day0 + pd.Timedelta(days=(7 - day0.dayofweek) % 7)
        index = pd.date_range(monday, periods=(days - (monday - day0).days) // 7, freq="W-MON")
        ds = enc["admit"].dt.normalize() - pd.to_timedelta(enc["admit"].dt.dayofweek, unit="D")
    else:
        index = pd.date_range(day0, periods=24 * days, freq="h")
        ds = enc["admit"].dt.floor("h")
    counts = enc.assign(ds=ds).groupby(["branch", "ds"]).size()
    full = pd.MultiIndex.from_product([sorted(enc["branch"].unique()), index], names=["unique_id", "ds"])
    return counts.reindex(full, fill_value=0).astype(float).rename("y").reset_index()


def score(cv: pd.DataFrame, train: pd.DataFrame, model: str, lag: int) -> dict[str, float]:
    """MASE (seasonal-naive in-sample scale at `lag` of each series up to its cutoff), coverage at each level."""
    errs, covered = [], {lv: [] for lv in LEVELS}
    for (uid, cutoff), g in cv.groupby(["unique_id", "cutoff"]):
        hist = train.loc[(train["unique_id"] == uid) & (train["ds"] <= cutoff), "y"].to_numpy()
        scale = np.mean(np.abs(hist[lag:] - hist[:-lag]))
        errs.append(np.mean(np.abs(g["y"].to_numpy() - g[model].to_numpy())) / scale)
        for lv in LEVELS:
            lo, hi = g[f"{model}-lo-{lv}"].to_numpy(), g[f"{model}-hi-{lv}"].to_numpy()
            covered[lv].extend((g["y"].to_numpy() >= lo - 1e-9) & (g["y"].to_numpy() <= hi + 1e-9))
    out = {"mase": float(np.mean(errs))}
    out.update({f"cov{lv}": float(np.mean(covered[lv])) for lv in LEVELS})
    return out


def models(freq: str, h: int) -> tuple[list[hm.Model], list[object]]:
    """hutano's and statsforecast's models for the frequency."""
    if freq == "h":
        ours = [
            hm.SeasonalNaive(168),
            hm.AutoETS(24),
            hm.MSTL([24, 168]),
            hm.Calibrated(hm.AutoETS(24), pooled=True, alias="AutoETS_pooled"),
            hm.Calibrated(hm.MSTL([24, 168]), pooled=True, alias="MSTL_pooled"),
            hm.GLM(),
            hm.Calibrated(hm.GLM(), pooled=True, alias="GLM_pooled"),
            hm.Boosted(global_model=True),
            hm.Ensemble([hm.AutoETS(24), hm.GLM(), hm.Boosted(global_model=True)], validation_horizon=h),
        ]
        return ours, [SfSeasonalNaive(168), SfAutoETS(season_length=24), SfMSTL(season_length=[24, 168])]
    # A year of weeks is the season. ETS allows no season over 24 (R's forecast::ets
    # and statsforecast alike), so AutoETS(52) chooses among non-seasonal forms.
    ours = [
        hm.SeasonalNaive(52),
        hm.AutoETS(52),
        hm.AutoARIMA(52),
        hm.MSTL([52]),
        # MSTL(52) needs two years before a held-out window and the first training
        # series have 108 weeks: calibrate on windows of 4 weeks (one fits).
        hm.Calibrated(hm.MSTL([52]), pooled=True, horizon=4, alias="MSTL_pooled"),
        hm.GLM(),
        hm.Calibrated(hm.GLM(), pooled=True, alias="GLM_pooled"),
        hm.Prophet(),
        hm.Boosted(global_model=True),
        hm.Forest(global_model=True),
        hm.Ensemble([hm.AutoARIMA(52), hm.MSTL([52]), hm.GLM(), hm.Boosted(global_model=True)]),
    ]
    return ours, [SfSeasonalNaive(52), SfAutoETS(season_length=52), SfAutoARIMA(season_length=52), SfMSTL(season_length=[52])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--freq", choices=sorted(SETTINGS), default="h")
    ap.add_argument("--days", type=int, default=182)
    ap.add_argument("--h", type=int, default=24)
    ap.add_argument("--windows", type=int, default=14)
    ap.add_argument("--out", default=None)
    ap.add_argument("--models", default=None, help="hutano models to run (default: all)")
    ap.add_argument("--no-peers", action="store_true", help="skip statsforecast")
    args = ap.parse_args()
    pd_freq, lag = SETTINGS[args.freq]
    df = admissions(args.days, args.freq)
    print(f"{df['unique_id'].nunique()} series x {df.groupby('unique_id').size().iloc[0]} periods ({pd_freq}), "
          f"mean {df['y'].mean():.2f} admissions per period, {100 * (df['y'] == 0).mean():.0f}% zero periods")
    rows = []

    hutano_models, sf_models = models(args.freq, args.h)
    if args.models:
        wanted = args.models.split(",")
        hutano_models = [m for m in hutano_models if m.name in wanted]
    for m in hutano_models:
        t = time.process_time()
        cv = hutano.Forecaster([m], freq=pd_freq, n_jobs=1).cross_validation(
            df, args.h, n_windows=args.windows, step_size=args.h, level=LEVELS, season_length=lag
        )
        secs = time.process_time() - t
        rows.append({"library": "hutano", "model": m.name, "cpu_s": secs, **score(cv, df, m.name, lag)})
        print(rows[-1], flush=True)

    for m in [] if args.no_peers else sf_models:
        sf = StatsForecast(models=[m], freq=pd_freq, n_jobs=1)
        t = time.process_time()
        cv = sf.cross_validation(df=df, h=args.h, n_windows=args.windows, step_size=args.h, level=LEVELS)
        secs = time.process_time() - t
        name = [c for c in cv.columns if c not in ("unique_id", "ds", "cutoff", "y") and "-lo-" not in c and "-hi-" not in c][0]
        cv[[c for c in cv.columns if c.startswith(name)]] = cv[[c for c in cv.columns if c.startswith(name)]].clip(lower=0)
        rows.append({"library": "statsforecast", "model": name, "cpu_s": secs, **score(cv, df, name, lag)})
        print(rows[-1], flush=True)

    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.out:
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
