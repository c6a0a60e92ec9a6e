"""Reference values for hutano's ARIMA and AutoARIMA from statsforecast.

Writes statsforecast_arima.json with, for each case, the orders statsforecast
chooses or is given (`arma`: p, q, P, Q, m, d, D), the named coefficients,
sigma2, log-likelihood, AIC, AICc and BIC, the optimiser's exit code, the
forecasts with 80 and 95 % intervals and the in-sample fitted values; for the
automatic searches also every candidate fitted (orders, constant, criterion)
in the order statsforecast tried them:

- `auto_arima_12`: AutoARIMA(season_length=12) on AirPassengers (Box &
  Jenkins, 1976; shipped with statsforecast), h = 12.
- `auto_arima_12_approx`, `auto_arima_12_exhaustive`,
  `auto_arima_12_exhaustive_approx`: the same with `approximation=True`
  (CSS criteria, then refit), `stepwise=False` (every model up to
  `max_order`), and both.
- `arima_111_011_12`: ARIMA(order=(1, 1, 1), seasonal_order=(0, 1, 1),
  season_length=12) on AirPassengers, h = 12.
- `auto_arima_7_hdhi`: AutoARIMA(season_length=7) on the first 120 days of
  HDHI daily admissions (the `hdhi_daily_120` series of
  statsforecast_baselines.json), h = 14.
- `auto_arima_7_hdhi_exhaustive`: AutoARIMA(season_length=7,
  stepwise=False) on the same series.
- `arima_sunday_hdhi`: ARIMA(order=(2, 0, 0), seasonal_order=(1, 0, 0),
  season_length=7) with a Sunday dummy (1 on Sundays; the series starts on
  Saturday 2017-04-01; admissions are about 4.5 lower on Sundays) as
  exogenous column, also over the 14 forecast days: regression with ARIMA
  errors, whose intercept and dummy statsforecast rotates by the singular
  vectors of the regressor matrix during the search.
- `auto_arima_sunday_hdhi`: AutoARIMA(season_length=7) with the same dummy.
- `auto_arima_7_hdhi_long`: AutoARIMA(season_length=7) on all 730 days of
  HDHI daily admissions (`hdhi_daily_730`, counted from the admission CSV as
  statsforecast_baselines.py counts the first 120), h = 14: a series long
  enough for hutano's steady-state filter.

Run from the repository root with statsforecast installed:
    python3 hutano-forecast/tests/reference/statsforecast_arima.py \
        ../shared/data/hdhi_admissions/"HDHI Admission data.csv" \
        > hutano-forecast/tests/reference/statsforecast_arima.json
"""
import csv
from collections import Counter
from datetime import datetime, timedelta
import json
import os
import sys
import warnings

import numpy as np
import scipy
import statsforecast
import statsmodels
from statsforecast import arima as sfarima
from statsforecast.models import ARIMA, AutoARIMA
from statsforecast.utils import AirPassengers

warnings.simplefilter("ignore")

LEVELS = [80, 95]
HERE = os.path.dirname(os.path.abspath(__file__))


def floats(a):
    return [None if np.isnan(v) else float(v) for v in np.asarray(a, dtype=float)]


# Record every candidate of the searches: auto_arima_f looks `myarima` up
# in the module at each call.
CANDIDATES = []
_myarima = sfarima.myarima


def recording_myarima(x, order=(0, 0, 0), seasonal={"order": (0, 0, 0), "period": 1}, constant=True, **kw):
    fit = _myarima(x, order=order, seasonal=seasonal, constant=constant, **kw)
    CANDIDATES.append(
        {
            "order": list(order),
            "seasonal_order": list(seasonal["order"]),
            "constant": bool(constant),
            # null: rejected (infinite criterion), which JSON cannot hold.
            "ic": float(fit["ic"]) if np.isfinite(fit["ic"]) else None,
        }
    )
    return fit


sfarima.myarima = recording_myarima


def summary(model_):
    return {
        "arma": [int(v) for v in model_["arma"]],
        "coef": {k: float(v) for k, v in model_["coef"].items()},
        "coef_names": list(model_["coef"].keys()),
        "sigma2": float(model_["sigma2"]),
        "loglik": float(model_["loglik"]),
        "aic": float(model_["aic"]),
        "aicc": float(model_["aicc"]),
        "bic": float(model_["bic"]),
        "code": int(model_["code"]),
        "nobs": int(model_["nobs"]),
    }


def run(model, y, h, X=None, X_future=None):
    CANDIDATES.clear()
    m = model.fit(y, X=X)
    out = m.predict(h=h, X=X_future, level=LEVELS)
    res = {**summary(m.model_), "mean": floats(out["mean"])}
    for lv in LEVELS:
        res[f"lo-{lv}"] = floats(out[f"lo-{lv}"])
        res[f"hi-{lv}"] = floats(out[f"hi-{lv}"])
    res["fitted"] = floats(m.predict_in_sample()["fitted"])
    if isinstance(model, AutoARIMA):
        res["candidates"] = list(CANDIDATES)
    return res


def hdhi_daily(path, days):
    """Admissions per day from D.O.A, resolved with the `month year` column
    (as statsforecast_baselines.py and hutano's HDHI mapping do)."""
    counts = Counter()
    with open(path, newline="", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            month = datetime.strptime(r["month year"], "%b-%y")
            for fmt in ("%m-%d-%Y", "%d-%m-%Y", "%m/%d/%Y"):
                try:
                    d = datetime.strptime(r["D.O.A"], fmt)
                except ValueError:
                    continue
                if (d.year, d.month) == (month.year, month.month):
                    counts[d.date()] += 1
                    break
    start = min(counts)
    return [float(counts.get(start + timedelta(days=i), 0)) for i in range(days)]


with open(os.path.join(HERE, "statsforecast_baselines.json")) as f:
    daily = np.array(json.load(f)["hdhi_daily_120"], dtype=float)
long_daily = np.array(hdhi_daily(sys.argv[1], 730), dtype=float)
assert (long_daily[:120] == daily).all()

sunday = (np.arange(len(daily) + 14) % 7 == 1).astype(float).reshape(-1, 1)

y = AirPassengers.astype(float)
out = {
    "statsforecast": statsforecast.__version__,
    "statsmodels": statsmodels.__version__,
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "levels": LEVELS,
    "air_passengers": y.tolist(),
    "auto_arima_12": run(AutoARIMA(season_length=12), y, 12),
    "auto_arima_12_approx": run(AutoARIMA(season_length=12, approximation=True), y, 12),
    "auto_arima_12_exhaustive": run(AutoARIMA(season_length=12, stepwise=False), y, 12),
    "auto_arima_12_exhaustive_approx": run(AutoARIMA(season_length=12, stepwise=False, approximation=True), y, 12),
    "arima_111_011_12": run(ARIMA(order=(1, 1, 1), seasonal_order=(0, 1, 1), season_length=12), y, 12),
    "hdhi_daily_120": daily.tolist(),
    "auto_arima_7_hdhi": run(AutoARIMA(season_length=7), daily, 14),
    "auto_arima_7_hdhi_exhaustive": run(AutoARIMA(season_length=7, stepwise=False), daily, 14),
    "sunday": floats(sunday[:, 0]),
    "arima_sunday_hdhi": run(
        ARIMA(order=(2, 0, 0), seasonal_order=(1, 0, 0), season_length=7),
        daily,
        14,
        X=sunday[: len(daily)],
        X_future=sunday[len(daily) :],
    ),
    "auto_arima_sunday_hdhi": run(
        AutoARIMA(season_length=7), daily, 14, X=sunday[: len(daily)], X_future=sunday[len(daily) :]
    ),
    "hdhi_daily_730": long_daily.tolist(),
    "auto_arima_7_hdhi_long": run(AutoARIMA(season_length=7), long_daily, 14),
}
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
