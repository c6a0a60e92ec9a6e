"""Reference values for hutano's baselines from statsforecast.

Writes statsforecast_baselines.json: Naive and SeasonalNaive(12) on the
AirPassengers series (Box & Jenkins, 1976; shipped with statsforecast),
h = 12, levels 80 and 95, plus the in-sample fitted values, and
SeasonalNaive(7) on the first 120 days of HDHI daily admissions
(all types), to cover a daily hospital series.

Run from the repository root with statsforecast installed:
    python3 hutano-forecast/tests/reference/statsforecast_baselines.py \
        ../shared/data/hdhi_admissions/"HDHI Admission data.csv" \
        > hutano-forecast/tests/reference/statsforecast_baselines.json
"""
import csv
import json
import sys
from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import statsforecast
from statsforecast.models import Naive, SeasonalNaive
from statsforecast.utils import AirPassengers


def run(model, y, h, levels):
    m = model.fit(y)
    out = m.predict(h=h, level=levels)
    res = {"mean": out["mean"].tolist()}
    for lv in levels:
        res[f"lo-{lv}"] = out[f"lo-{lv}"].tolist()
        res[f"hi-{lv}"] = out[f"hi-{lv}"].tolist()
    fitted = m.predict_in_sample()["fitted"]
    res["fitted"] = [None if np.isnan(v) else float(v) for v in fitted]
    return res


def hdhi_daily(path, days=120):
    """Admissions per day from D.O.A, resolved with the `month year` column
    exactly as hutano's HDHI mapping does (first `days` days)."""
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


levels = [80, 95]
y = AirPassengers.astype(float)
out = {
    "statsforecast": statsforecast.__version__,
    "numpy": np.__version__,
    "air_passengers": y.tolist(),
    "naive": run(Naive(), y, 12, levels),
    "seasonal_naive_12": run(SeasonalNaive(season_length=12), y, 12, levels),
}
if len(sys.argv) > 1:
    daily = np.array(hdhi_daily(sys.argv[1]))
    out["hdhi_daily_120"] = daily.tolist()
    out["hdhi_seasonal_naive_7"] = run(SeasonalNaive(season_length=7), daily, 14, levels)
json.dump(out, sys.stdout, indent=1)
