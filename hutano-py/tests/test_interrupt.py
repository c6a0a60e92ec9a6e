"""Ctrl-C during a long fit stops the work and raises KeyboardInterrupt promptly."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

SCRIPT = r"""
import sys, time
import numpy as np, pandas as pd
import hutano
from hutano.models import Boosted
rng = np.random.default_rng(0)
n, days = 400, 400
df = pd.DataFrame({
    "unique_id": np.repeat([f"s{i}" for i in range(n)], days),
    "ds": np.tile(pd.date_range("2023-01-01", periods=days), n),
    "y": rng.poisson(20, n * days).astype(float),
})
print("ready", flush=True)
t = time.perf_counter()
try:
    hutano.Forecaster([Boosted(n_estimators=400)], n_jobs=1).fit(df)
    print("finished", time.perf_counter() - t, flush=True)
except KeyboardInterrupt:
    print("interrupted", time.perf_counter() - t, flush=True)
"""


def test_ctrl_c_cancels_a_long_fit() -> None:
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.5)  # well inside a fit that takes minutes on one thread
    proc.send_signal(signal.SIGINT)
    # The work stops at the next series boundary; the timeout only guards
    # against a hang (the whole fit would take minutes).
    out, _ = proc.communicate(timeout=120)
    assert out.startswith("interrupted"), out
