"""Monthly A&E admissions (NHS England, ../shared/data/nhsr_ae_attendances):
hutano's forecasters next to statsforecast, Prophet, LightGBM, XGBoost and
scikit-learn on the same rolling-origin windows, in one run.

    python benches/python/ae_monthly.py ../shared/data/nhsr_ae_attendances/ae_attendances.csv \
        "$CARGO_TARGET_DIR/release/forecast_cli" [--h 3] [--series 130] [--out results.csv]

Run it with the bench-peers venv (statsforecast 2.1.1, prophet 1.5.0,
lightgbm 4.7.0, xgboost 3.2.0, scikit-learn 1.9.1). bench-peers' harness
(`run_peers.py`) is daily-only, so this script applies its protocol to
monthly data:

- Series: emergency admissions through type-1 A&E departments, one per
  provider with all 36 months (Apr 2016 - Mar 2019; 130 providers).
- Rolling origin: 3 windows, 3 months apart (`--step`), cutoffs from each
  series' end (training on 27, 30, 33 months at h = 3; 24, 27, 30 at h = 6);
  models see only the months before the cutoff.
- MASE: mean |error| over the h months / in-sample mean |y_t - y_(t-12)| of
  that window's training data (seasonal naive scale, season 12); sMAPE;
  pooled 80 % / 95 % coverage. Forecasts and lower bounds clipped at 0.
- Time: `perf_counter` around each fit + predict, one thread; hutano's time is
  the binary's own fit + predict (reported on stderr), not the process start.
- Tree peers: one global model over all series (as bench-peers), target
  scaled by each series' mean of its last 12 training months, lags 1-12 and
  month-of-year features, recursive.
"""
from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd

LEVELS = [80, 95]
SEASON = 12


def load(path: str, n: int) -> dict[str, pd.Series]:
    d = pd.read_csv(path)
    d = d[d["type"].astype(str) == "1"]
    d["period"] = pd.to_datetime(d["period"])
    out = {}
    for uid, g in d.groupby("org_code"):
        g = g.sort_values("period")
        if len(g) == 36 and g["admissions"].notna().all() and (g["admissions"] > 0).all():
            out[str(uid)] = pd.Series(g["admissions"].to_numpy(float), index=pd.DatetimeIndex(g["period"]))
    keys = sorted(out)[:n]
    return {k: out[k] for k in keys}


def hutano(cli: str, model: str):
    def run(train: dict[str, pd.Series], h: int):
        buf = io.StringIO()
        buf.write("unique_id,ds,y\n")
        for uid, s in train.items():
            for d, v in zip(s.index, s.to_numpy()):
                buf.write(f"{uid},{d:%Y-%m-%d},{float(v)!r}\n")
        res = subprocess.run(
            [cli, "--model", model, "--h", str(h), "--levels", ",".join(map(str, LEVELS)),
             "--season", str(SEASON), "--freq", "monthly"],
            input=buf.getvalue(), capture_output=True, text=True)
        if res.returncode != 0:
            raise RuntimeError(f"forecast_cli --model {model}: {res.stderr.strip()}")
        secs = float(re.search(r"fit\+predict ([0-9.]+) s", res.stderr).group(1))
        out: dict[str, dict[str, list]] = {}
        for row in csv.DictReader(io.StringIO(res.stdout)):
            r = out.setdefault(row["unique_id"], {})
            for k, v in row.items():
                if k not in ("unique_id", "step"):
                    r.setdefault(k.replace(".0", ""), []).append(float(v))
        return {u: {k: np.asarray(v) for k, v in r.items()} for u, r in out.items()}, secs
    return run


def statsforecast(make):
    def run(train: dict[str, pd.Series], h: int):
        from statsforecast import StatsForecast
        df = pd.concat([pd.DataFrame({"unique_id": u, "ds": s.index, "y": s.to_numpy()}) for u, s in train.items()])
        sf = StatsForecast(models=[make()], freq="MS", n_jobs=1)
        t = time.perf_counter()
        fc = sf.forecast(df=df, h=h, level=LEVELS)
        secs = time.perf_counter() - t
        name = [c for c in fc.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
        out = {}
        for uid, g in fc.groupby("unique_id", sort=False):
            r = {"mean": g[name].to_numpy()}
            for lv in LEVELS:
                r[f"lo-{lv}"] = g[f"{name}-lo-{lv}"].to_numpy()
                r[f"hi-{lv}"] = g[f"{name}-hi-{lv}"].to_numpy()
            out[str(uid)] = r
        return out, secs
    return run


def prophet(train: dict[str, pd.Series], h: int):
    for name in ("prophet", "prophet.plot", "cmdstanpy"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from prophet import Prophet
    out, secs = {}, 0.0
    for uid, s in train.items():
        t = time.perf_counter()
        m = Prophet(uncertainty_samples=0)  # defaults: yearly 'auto' (>= 2 years), no weekly/daily for months
        m.fit(pd.DataFrame({"ds": s.index, "y": s.to_numpy()}))
        fut = pd.DataFrame({"ds": pd.date_range(s.index[-1], periods=h + 1, freq="MS")[1:]})
        r = {"mean": m.predict(fut)["yhat"].to_numpy()}
        m.uncertainty_samples = 1000
        sims = m.predictive_samples(fut)["yhat"]
        for lv in LEVELS:
            a = (100 - lv) / 200
            r[f"lo-{lv}"] = np.quantile(sims, a, axis=1)
            r[f"hi-{lv}"] = np.quantile(sims, 1 - a, axis=1)
        secs += time.perf_counter() - t
        out[uid] = r
    return out, secs


def tree(kind: str):
    def make():
        if kind == "XGBoost":
            import xgboost as xgb
            return xgb.XGBRegressor(n_estimators=300, learning_rate=0.05, max_depth=6, subsample=0.8,
                                    colsample_bytree=0.8, tree_method="hist", n_jobs=1, random_state=0)
        if kind == "LightGBM":
            import lightgbm as lgb
            return lgb.LGBMRegressor(n_estimators=300, learning_rate=0.05, num_leaves=31, subsample=0.8,
                                     subsample_freq=1, colsample_bytree=0.8, n_jobs=1, random_state=0,
                                     min_child_samples=5, verbose=-1)
        from sklearn.ensemble import RandomForestRegressor
        return RandomForestRegressor(n_estimators=100, min_samples_leaf=5, max_features=0.5,
                                     n_jobs=1, random_state=0)

    def feats(hist: np.ndarray, months: np.ndarray) -> np.ndarray:
        ang = 2 * np.pi * (months - 1) / 12
        return np.column_stack([hist[:, ::-1], hist.mean(axis=1), months, np.sin(ang), np.cos(ang)])

    def run(train: dict[str, pd.Series], h: int):
        t = time.perf_counter()
        xs, ys, hists, scales, last = [], [], [], [], []
        for s in train.values():
            y = s.to_numpy()
            sc = max(float(y[-12:].mean()), 1.0)
            z = y / sc
            for i in range(SEASON, len(z)):
                xs.append(feats(z[None, i - SEASON:i], np.array([s.index[i].month])))
                ys.append(z[i])
            hists.append(z[-SEASON:])
            scales.append(sc)
            last.append(s.index[-1])
        reg = make()
        reg.fit(np.vstack(xs), np.asarray(ys))
        hmat = np.vstack(hists)
        preds = np.empty((len(hmat), h))
        for k in range(h):
            months = np.array([(d + pd.DateOffset(months=k + 1)).month for d in last])
            p = reg.predict(feats(hmat, months))
            preds[:, k] = p
            hmat = np.column_stack([hmat[:, 1:], p])
        secs = time.perf_counter() - t
        return {u: {"mean": preds[i] * scales[i]} for i, u in enumerate(train)}, secs
    return run


def metrics(ytr: np.ndarray, yte: np.ndarray, fc: dict) -> dict:
    scale = np.mean(np.abs(ytr[SEASON:] - ytr[:-SEASON]))
    f = np.maximum(np.asarray(fc["mean"], float), 0.0)
    e = yte - f
    den = np.abs(yte) + np.abs(f)
    r = {"mase": np.mean(np.abs(e)) / scale, "smape": 100 * np.mean(np.where(den > 0, 2 * np.abs(e) / den, 0.0))}
    for lv in LEVELS:
        if f"lo-{lv}" in fc:
            lo = np.maximum(np.asarray(fc[f"lo-{lv}"], float), 0.0)
            r[f"cov{lv}"] = np.mean((yte >= lo) & (yte <= np.asarray(fc[f"hi-{lv}"], float)))
        else:
            r[f"cov{lv}"] = np.nan
    return r


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("cli")
    ap.add_argument("--h", type=int, default=3)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--step", type=int, default=3, help="months between cutoffs")
    ap.add_argument("--series", type=int, default=130)
    ap.add_argument("--models", default="")
    ap.add_argument("--out", default="")
    a = ap.parse_args()
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    from statsforecast.models import AutoARIMA, AutoETS, SeasonalNaive
    models = {
        "SeasonalNaive": ("statsforecast", statsforecast(lambda: SeasonalNaive(season_length=SEASON))),
        "AutoETS": ("statsforecast", statsforecast(lambda: AutoETS(season_length=SEASON))),
        "AutoARIMA": ("statsforecast", statsforecast(lambda: AutoARIMA(season_length=SEASON))),
        "Prophet": ("prophet", prophet),
        "LightGBM": ("lightgbm", tree("LightGBM")),
        "XGBoost": ("xgboost", tree("XGBoost")),
        "RandomForest": ("scikit-learn", tree("RandomForest")),
    }
    for m in ["snaive", "arima", "ets", "prophet", "boosted", "forest", "global_boosted", "global_forest", "ensemble",
              "glm", "pooled_arima", "pooled_ets", "pooled_prophet", "pooled_ensemble", "pooled_glm",
              "ensemble_cal", "ensemble_averaged", "ensemble_pooled"]:
        models[f"hutano_{m}"] = ("hutano", hutano(a.cli, m))
    if a.models:
        keep = a.models.split(",")
        models = {k: v for k, v in models.items() if k in keep}
    data = load(a.csv, a.series)
    rows = []
    for name, (lib, run) in models.items():
        per, secs, fits = [], 0.0, 0
        for w in range(a.windows):
            offset = a.h + a.step * (a.windows - 1 - w)
            train = {u: s.iloc[:-offset] for u, s in data.items()}
            test = {u: s.iloc[len(s) - offset:len(s) - offset + a.h].to_numpy() for u, s in data.items()}
            fc, t = run(train, a.h)
            secs += t
            fits += len(train)
            for u in data:
                per.append(metrics(train[u].to_numpy(), test[u], fc[u]))
        df = pd.DataFrame(per)
        mase = df["mase"].mean()
        cov80 = df["cov80"].mean()
        cov95 = df["cov95"].mean()
        rows.append({"model": name, "library": lib, "h": a.h, "mase": mase, "smape": df["smape"].mean(),
                     "cov80": cov80, "cov95": cov95, "ms_per_fit": 1000 * secs / fits})
        print(f"{name:22s} MASE {mase:.3f}  sMAPE {df['smape'].mean():6.2f}  cov80 {cov80:.3f}  "
              f"cov95 {cov95:.3f}  {1000 * secs / fits:9.2f} ms/fit", flush=True)
    if a.out:
        pd.DataFrame(rows).to_csv(a.out, index=False)
    print(f"{len(data)} series, h = {a.h}, {a.windows} windows {a.step} months apart, "
          f"python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
