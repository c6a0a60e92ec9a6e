"""Prophet vs hutano's Prophet-like model: fit + 14-day forecast with 80/95 % intervals,
the first N series of the bench-peers synthetic panel, one thread, same run.

    python benches/python/prophet_speed.py SYNTH200.CSV FORECAST_CLI [N]

Prophet is configured as in ../shared/bench-peers/run_peers.py (weekly + yearly,
MAP fit, 1000 predictive samples for the intervals); hutano's time is measured
inside `forecast_cli` (fit + predict of all N series, CSV parsing excluded).
Run with the peers' environment (prophet installed).
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time

import numpy as np
import pandas as pd


def main() -> int:
    path, cli = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    df = pd.read_csv(path, parse_dates=["ds"])
    ids = list(dict.fromkeys(df["unique_id"]))[:n]
    df = df[df["unique_id"].isin(ids)]
    logging.getLogger("cmdstanpy").setLevel(logging.ERROR)
    logging.getLogger("prophet").setLevel(logging.ERROR)
    from prophet import Prophet

    t = time.perf_counter()
    for uid in ids:
        d = df[df["unique_id"] == uid]
        m = Prophet(weekly_seasonality=True, yearly_seasonality=True, daily_seasonality=False, uncertainty_samples=0)
        m.fit(d[["ds", "y"]])
        fut = pd.DataFrame({"ds": pd.date_range(d["ds"].iloc[-1] + pd.Timedelta(days=1), periods=14, freq="D")})
        m.predict(fut)
        m.uncertainty_samples = 1000
        sims = m.predictive_samples(fut)["yhat"]
        np.quantile(sims, [0.025, 0.1, 0.9, 0.975], axis=1)
    prophet_s = time.perf_counter() - t
    csv = df.assign(ds=df["ds"].dt.strftime("%Y-%m-%d"))[["unique_id", "ds", "y"]].to_csv(index=False)
    res = subprocess.run([cli, "--model", "prophet", "--h", "14", "--levels", "80,95"], input=csv,
                         capture_output=True, text=True, check=True)
    hutano_s = float(re.search(r"fit\+predict ([0-9.]+) s", res.stderr).group(1))
    print(f"{n} series: Prophet {prophet_s / n * 1e3:.1f} ms/series, hutano {hutano_s / n * 1e3:.3f} ms/series, "
          f"ratio {prophet_s / hutano_s:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
