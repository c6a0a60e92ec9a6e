"""How accurate can any forecaster be on hutano's generated network?

    network_series national 1095 7 --oracle > /tmp/network_oracle.csv     # benches/src/bin
    python benches/python/oracle_network.py /tmp/network_oracle.csv [--h 14] [--windows 3]

hutano-core's generator draws each department's fresh arrivals on a day as
Poisson(m_d x G_d), G_d ~ Gamma(40, 1/40) (negative binomial around the
mean m_d, which includes the weekly, yearly, holiday and outbreak effects);
returns of earlier patients come on top. `network_series --oracle` prints, per
branch and day, the count y, the returns among them and the departments'
means m_d (`hutano_core::generate::expected_arrivals`, the generator's own
code). This script scores two forecasts on bench-peers' windows (cutoffs
len - h - h(W-1-w), scale = in-sample mean |y_t - y_(t-7)|, MASE averaged
over series x windows):

- **oracle**: the median of sum_d NB(m_d) plus the day's actual returns,
  i.e. a forecaster that knows every future mean, outbreaks included, and
  the number of returns to the patient. No forecaster can expect to do
  better: this is a floor.
- **oracle, returns estimated**: a forecaster that knows the fresh
  arrivals' means but not the returns, estimating each future day's
  returns as the mean of the same weekday over the 8 weeks before the
  cutoff: the median of sum_d NB(m_d) + Poisson(that mean).

The medians are taken over --draws Monte Carlo draws (seeded).
"""
from __future__ import annotations

import argparse

import numpy as np
import pandas as pd


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--h", type=int, default=14)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--draws", type=int, default=4000)
    ap.add_argument("--shape", type=float, default=40.0, help="Gamma day-effect shape of the generator")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    df = pd.read_csv(a.data).sort_values(["unique_id", "ds"])
    floor, est = [], []
    for uid, g in df.groupby("unique_id", sort=True):
        y = g["y"].to_numpy(float)
        ret = g["returns"].to_numpy(float)
        n = len(y)
        for w in range(a.windows):
            cut = n - a.h - a.h * (a.windows - 1 - w)
            tr, te = y[:cut], y[cut:cut + a.h]
            scale = np.mean(np.abs(tr[7:] - tr[:-7]))
            known, guessed = np.empty(a.h), np.empty(a.h)
            for k in range(a.h):
                m = np.array([float(v) for v in str(g["means"].iloc[cut + k]).split(";")])
                gam = rng.gamma(a.shape, 1.0 / a.shape, size=(a.draws, len(m)))
                fresh = rng.poisson(m * gam).sum(axis=1)
                known[k] = np.median(fresh) + ret[cut + k]
                same_weekday = ret[cut + k - 7 * np.arange(1, 9)]
                same_weekday = same_weekday[cut + k - 7 * np.arange(1, 9) < cut]
                guessed[k] = np.median(fresh + rng.poisson(same_weekday.mean(), size=a.draws))
            floor.append(np.mean(np.abs(known - te)) / scale)
            est.append(np.mean(np.abs(guessed - te)) / scale)
    print(f"{df['unique_id'].nunique()} series, h = {a.h}, {a.windows} windows: "
          f"oracle MASE {np.mean(floor):.3f} (future means and returns known); "
          f"{np.mean(est):.3f} (returns estimated by weekday from the 8 weeks before the cutoff)")


if __name__ == "__main__":
    main()
