"""Shared fixtures: paths to the repository's data and small frames."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("HUTANO_SHARED_DATA", REPO.parent / "shared" / "data"))
HDHI = SHARED_DATA / "hdhi_admissions" / "HDHI Admission data.csv"
HDHI_SITE = REPO / "examples" / "sites" / "hdhi.json"
HDHI_EXPECTED = REPO / "hutano-core" / "tests" / "reference" / "hdhi_expected.json"


def weekly_panel(n_series: int = 3, days: int = 120, seed: int = 0) -> pd.DataFrame:
    """Daily counts with a weekly cycle, one level per series."""
    rng = np.random.default_rng(seed)
    week = np.array([9.0, 11, 10, 12, 14, 6, 5])
    frames = []
    for i in range(n_series):
        y = np.tile(week, days // 7 + 1)[:days] * (1 + i) + rng.poisson(2.0, days)
        frames.append(
            pd.DataFrame(
                {"unique_id": f"ward {i}", "ds": pd.date_range("2024-01-01", periods=days, freq="D"), "y": y}
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def panel_pd() -> pd.DataFrame:
    return weekly_panel()


@pytest.fixture
def panel_pl(panel_pd: pd.DataFrame) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id": panel_pd["unique_id"].astype(str).tolist(),
            "ds": panel_pd["ds"].to_numpy(),
            "y": panel_pd["y"].to_numpy(),
        }
    )


@pytest.fixture(scope="session")
def hdhi_path() -> Path:
    assert HDHI.exists(), f"the HDHI data set is expected at {HDHI}"
    return HDHI


@pytest.fixture(scope="session")
def hdhi_daily(hdhi_path: Path) -> pd.DataFrame:
    """Daily admissions of the HDHI file as a one-series panel (via hutano's KPIs)."""
    import hutano

    data = hutano.load(hdhi_path, HDHI_SITE)
    t = data.kpi("admissions", start="2017-04-01", end="2019-04-01", grain="day")
    return pd.DataFrame({"unique_id": "HDHI", "ds": pd.to_datetime(t["period_start"]), "y": t["admissions"].astype(float)})


os.environ.setdefault("RAYON_NUM_THREADS", "2")
