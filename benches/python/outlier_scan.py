"""What `Cleaned` would replace in real and generated series (no errors put in).

    python benches/python/outlier_scan.py ../shared/data/nhsr_ae_attendances/ae_attendances.csv data/network_daily.csv

The NHS A&E type-1 departments' monthly attendances and admissions (season
12) and the generated network's daily admissions (season 7), through
`hutano.models.outliers`: how many values would be replaced, and which.
"""

import sys

import numpy as np
import pandas as pd

from hutano.models import outliers
d = pd.read_csv(sys.argv[1])
d = d[d["type"].astype(str) == "1"]
tot = n = 0
found = []
for uid, g in d.groupby("org_code"):
    g = g.sort_values("period")
    for col in ["attendances", "admissions"]:
        y = g[col].to_numpy(float)
        if np.isnan(y).any() or len(y) < 24:
            continue
        o = outliers(y, season=12)
        n += 1
        tot += len(y)
        found += [(uid, col, t, v, round(r)) for t, v, r in o]
print(f"A&E: {n} series, {tot} months, {len(found)} replaced")
print(found)
net = pd.read_csv(sys.argv[2])
tot = 0
found = []
for uid, g in net.groupby("unique_id"):
    o = outliers(g["y"].to_numpy(float), 7)
    tot += len(g)
    found += [(uid, t, v, round(r)) for t, v, r in o]
print(f"network: {net.unique_id.nunique()} series, {tot} days, {len(found)} replaced", found[:10])
