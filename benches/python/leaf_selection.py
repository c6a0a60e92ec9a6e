"""Would choosing the boosted trees' leaf size on validation windows help?

    HUTANO_FORECAST_CLI=target/release/forecast_cli \
        python benches/python/leaf_selection.py data/hdhi_daily.csv 7 20 "300,5,20;300,5,10;300,5,5"

For each of W origins (bench-peers' cutoffs: len - h - h(W-1-w)) this runs
hutano's global boosted forecaster (`forecast_cli --model global_boosted`)
with each candidate `HUTANO_GBT=trees,depth,min_leaf` setting on the 4
windows of 14 days just before the cutoff, picks the setting with the least
mean MASE there (data before the cutoff only), and scores every setting and
the picked one on the h days after the cutoff. MASE: in-sample mean
|y_t - y_(t-7)| of the training part, averaged over series and origins.
`HUTANO_SEED` sets the trees' seed (default 0).
"""
from __future__ import annotations

import io
import os
import subprocess
import sys

import numpy as np
import pandas as pd

CLI = os.environ.get("HUTANO_FORECAST_CLI",
                     os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "forecast_cli"))


def main() -> None:
    path, h, n_windows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cands = sys.argv[4].split(";")
    seed = os.environ.get("HUTANO_SEED", "0")
    df = pd.read_csv(path).sort_values(["unique_id", "ds"])
    n = df.groupby("unique_id").size().min()
    ys = {u: g["y"].to_numpy(float) for u, g in df.groupby("unique_id")}

    def run(cfg: str, cut: int, hh: int) -> dict[str, np.ndarray]:
        train = df[df.groupby("unique_id").cumcount() < cut]
        out = subprocess.run([CLI, "--model", "global_boosted", "--h", str(hh), "--levels", "80"],
                             input=train.to_csv(index=False), capture_output=True, text=True, check=True,
                             env={**os.environ, "HUTANO_GBT": cfg, "HUTANO_SEED": seed}).stdout
        f = pd.read_csv(io.StringIO(out))
        return {u: g["mean"].to_numpy() for u, g in f.groupby("unique_id")}

    def mase(fc: dict[str, np.ndarray], cut: int, hh: int) -> float:
        m = []
        for u, y in ys.items():
            scale = np.mean(np.abs(y[7:cut] - y[:cut - 7]))
            m.append(np.mean(np.abs(np.maximum(fc[u], 0) - y[cut:cut + hh])) / scale)
        return float(np.mean(m))

    res: dict[str, list[float]] = {c: [] for c in cands}
    picked, picks = [], []
    for w in range(n_windows):
        cut = n - h - h * (n_windows - 1 - w)
        val = {c: np.mean([mase(run(c, cut - 14 * v, 14), cut - 14 * v, 14) for v in range(1, 5)]) for c in cands}
        best = min(cands, key=lambda c: val[c])
        test = {c: mase(run(c, cut, h), cut, h) for c in cands}
        for c in cands:
            res[c].append(test[c])
        picked.append(test[best])
        picks.append(best)
    print(os.path.basename(path), f"h={h} windows={n_windows} seed={seed}",
          " ".join(f"{c}: {np.mean(v):.4f}" for c, v in res.items()),
          f"| picked on validation: {np.mean(picked):.4f}", {c: picks.count(c) for c in cands})


if __name__ == "__main__":
    main()
