"""Reference values for hutano's ETS and MSTL forecasters from statsforecast.

Writes statsforecast_ets.json with, for each case, the model statsforecast
chooses (its `ETS(E,T,S)` string and components), the smoothing parameters
(alpha, beta, gamma, phi; null where the model has none), the initial states,
log-likelihood, AIC and AICc, the forecasts with 80 and 95 % intervals and the
in-sample fitted values:

- `auto_ets_12`: AutoETS(season_length=12) (model "ZZZ") on AirPassengers
  (Box & Jenkins, 1976; shipped with statsforecast), h = 12.
- `auto_ets_zzn`: AutoETS(season_length=1, model="ZZN") on AirPassengers,
  h = 12: the non-seasonal search (MSTL's trend model).
- `ets_aada_12`, `ets_mnm_12`, `ets_mam_12`: fixed forms on AirPassengers,
  h = 12: AutoETS(season_length=12, model="AAA", damped=True) (class 1
  intervals), model="MNM" and model="MAM", damped=False (class 3).
- `auto_ets_7_hdhi`: AutoETS(season_length=7) (model "ZZZ") on the first 120
  days of HDHI daily admissions, h = 14.
- `mstl_12`: MSTL(season_length=12) (trend AutoETS "ZZN") on AirPassengers,
  h = 12, with the STL decomposition (trend, seasonal).
- `mstl_7_hdhi`: MSTL(season_length=[7]) on the first 120 days of HDHI daily
  admissions (the `hdhi_daily_120` series of statsforecast_baselines.json),
  h = 14, with the decomposition.

Run from the repository root with statsforecast installed:
    python3 hutano-forecast/tests/reference/statsforecast_ets.py \
        > hutano-forecast/tests/reference/statsforecast_ets.json
"""
import json
import os
import sys

import numpy as np
import scipy
import statsforecast
import statsmodels
from statsforecast.models import MSTL, AutoETS
from statsforecast.utils import AirPassengers

LEVELS = [80, 95]
HERE = os.path.dirname(os.path.abspath(__file__))


def floats(a):
    return [None if np.isnan(v) else float(v) for v in np.asarray(a, dtype=float)]


def ets_summary(model_):
    par = model_["par"]
    names = ["alpha", "beta", "gamma", "phi"]
    return {
        "method": model_["method"],
        "components": model_["components"],
        "params": {k: (None if np.isnan(par[i]) else float(par[i])) for i, k in enumerate(names)},
        "initial_states": floats(par[4:]),
        "loglik": float(model_["loglik"]),
        "aic": float(model_["aic"]),
        "aicc": float(model_["aicc"]),
        "sigma2": float(model_["sigma2"]),
    }


def forecasts(m, h):
    out = m.predict(h=h, level=LEVELS)
    res = {"mean": floats(out["mean"])}
    for lv in LEVELS:
        res[f"lo-{lv}"] = floats(out[f"lo-{lv}"])
        res[f"hi-{lv}"] = floats(out[f"hi-{lv}"])
    res["fitted"] = floats(m.predict_in_sample()["fitted"])
    return res


def auto_ets(y, h, **kwargs):
    m = AutoETS(**kwargs).fit(y)
    return {**ets_summary(m.model_), **forecasts(m, h)}


def mstl(y, h, season_length):
    m = MSTL(season_length=season_length).fit(y)
    res = {"trend_model": ets_summary(m.trend_forecaster.model_), **forecasts(m, h)}
    res["decomposition"] = {c: floats(m.model_[c]) for c in m.model_.columns if c != "data"}
    return res


with open(os.path.join(HERE, "statsforecast_baselines.json")) as f:
    daily = np.array(json.load(f)["hdhi_daily_120"], dtype=float)

y = AirPassengers.astype(float)
out = {
    "statsforecast": statsforecast.__version__,
    "statsmodels": statsmodels.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "levels": LEVELS,
    "air_passengers": y.tolist(),
    "auto_ets_12": auto_ets(y, 12, season_length=12),
    "auto_ets_zzn": auto_ets(y, 12, season_length=1, model="ZZN"),
    "ets_aada_12": auto_ets(y, 12, season_length=12, model="AAA", damped=True),
    "ets_mnm_12": auto_ets(y, 12, season_length=12, model="MNM"),
    "ets_mam_12": auto_ets(y, 12, season_length=12, model="MAM", damped=False),
    "mstl_12": mstl(y, 12, 12),
    "hdhi_daily_120": daily.tolist(),
    "mstl_7_hdhi": mstl(daily, 14, [7]),
    "auto_ets_7_hdhi": auto_ets(daily, 14, season_length=7),
}
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
