"""hutano for hospital analysts: from a raw admissions export to a tested forecast.

Run from the repository root (after `pip install "./hutano-py[tutorial]"`):

    python examples/python/tutorial.py

It uses the HDHI admissions export (Hero DMC Heart Institute, Ludhiana,
2017-2019; ../shared/data/hdhi_admissions) and writes its outputs to
examples/python/output/: the load report's rejected rows, monthly KPIs, a
backtest, the next fortnight's forecast and a plot.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt
import pandas as pd

import hutano
from hutano.models import AutoETS, Boosted, Ensemble, Prophet, SeasonalNaive, calendar

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = Path(os.environ.get("HUTANO_SHARED", REPO.parent / "shared")) / "data" / "hdhi_admissions"
OUT = HERE / "output"


def main() -> int:
    OUT.mkdir(exist_ok=True)
    export = DATA / "HDHI Admission data.csv"
    if not export.exists():
        print(f"the HDHI export is expected at {export}", file=sys.stderr)
        return 1

    # 1. Load the export with its site document: the hospital's branches and
    #    departments, and how the file's columns map to encounters. Dates like
    #    04-05-2017 are ambiguous; the site says how to settle them. No row is
    #    lost: every rejected row is listed with its row number and reason.
    data = hutano.load(export, REPO / "examples" / "sites" / "hdhi.json")
    report = data.report
    print(f"1. load: {report}")
    print(report.rejects["reason"].value_counts().to_string(), "\n")
    report.rejects.to_csv(OUT / "rejected_rows.csv", index=False)

    # 2. KPIs with cited definitions, by month.
    period = dict(start="2017-04-01", end="2019-04-01")
    alos = data.kpi("alos", grain="month", **period)
    mortality = data.kpi("mortality", grain="month", **period)
    monthly = alos[["period_start", "discharges", "alos"]].merge(
        mortality[["period_start", "mortality_rate", "net_mortality_rate"]], on="period_start"
    )
    monthly.to_csv(OUT / "monthly_kpis.csv", index=False)
    print("2. monthly KPIs (first 6 months):")
    print(monthly.head(6).round({"alos": 2, "mortality_rate": 4, "net_mortality_rate": 4}).to_string(index=False), "\n")
    by_type = data.kpi("admissions", by=["admission_type"], **period)
    print(by_type[["admission_type", "admissions"]].to_string(index=False), "\n")

    # 3. Daily admissions as a series in Nixtla's long format.
    daily = data.kpi("admissions", grain="day", **period)
    series = pd.DataFrame({"unique_id": "HDHI", "ds": daily["period_start"], "y": daily["admissions"].astype(float)})

    # 4. Backtest: 6 windows of 14 days over the last 12 weeks; each model is
    #    fitted only on the days before each cutoff.
    india = calendar("india")
    models = [
        SeasonalNaive(7),
        AutoETS(7),
        Prophet(holidays=india),
        Boosted(seed=1, holidays=india),
        Ensemble([AutoETS(7), Prophet(holidays=india), Boosted(seed=1, holidays=india)], validation_horizon=14),
    ]
    fc = hutano.Forecaster(models, freq="D")
    cv = fc.cross_validation(series, 14, n_windows=6, step_size=14, level=[80, 95], progress=True)
    cv.to_csv(OUT / "backtest.csv", index=False)
    metrics = fc.metrics_frame()
    print("4. backtest accuracy (MASE < 1 beats the seasonal naive in-sample scale):")
    print(metrics[["model", "mase", "smape", "coverage-80", "coverage-95"]].round(3).to_string(index=False), "\n")
    best = metrics.sort_values("mase")["model"].iloc[0]

    # 5. The next fortnight, with 80 % and 95 % intervals.
    forecast = fc.fit(series).predict(14, level=[80, 95])
    forecast.to_csv(OUT / "forecast.csv", index=False)
    print(f"5. next 14 days ({best}, best in the backtest):")
    cols = [best, f"{best}-lo-80", f"{best}-hi-80"]
    print(forecast[["ds", *cols]].round({c: 1 for c in cols}).head(7).to_string(index=False), "\n")

    # 6. A plot: the last 12 weeks and the forecast.
    hist = series.tail(84)
    fig, ax = plt.subplots(figsize=(10, 4))
    ax.plot(hist["ds"], hist["y"], color="black", lw=1, label="admissions")
    ax.plot(forecast["ds"], forecast[best], color="tab:blue", label=f"{best} forecast")
    ax.fill_between(forecast["ds"], forecast[f"{best}-lo-95"], forecast[f"{best}-hi-95"], alpha=0.2, label="95 %")
    ax.fill_between(forecast["ds"], forecast[f"{best}-lo-80"], forecast[f"{best}-hi-80"], alpha=0.3, label="80 %")
    ax.set_title("HDHI daily admissions: last 12 weeks and the next 14 days")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(OUT / "forecast.png", dpi=100)
    print(f"6. plot written to {OUT / 'forecast.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
