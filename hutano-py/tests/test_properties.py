"""Property tests (hypothesis): any valid panel gives well-formed forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

import hutano
from hutano.models import AutoETS, Boosted, Naive, SeasonalNaive

MODELS = [Naive(), SeasonalNaive(7), AutoETS(7), Boosted(n_estimators=10, seed=0)]


@st.composite
def panels(draw: st.DrawFn) -> pd.DataFrame:
    n_series = draw(st.integers(1, 3))
    frames = []
    for i in range(n_series):
        days = draw(st.integers(72, 120))  # the tree models need 71 days of history
        values = draw(st.lists(st.integers(0, 60), min_size=days, max_size=days))
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2023-03-01", periods=days), "y": np.asarray(values, dtype=float)}))
    df = pd.concat(frames, ignore_index=True)
    order = draw(st.permutations(range(len(df))))
    return df.iloc[list(order)].reset_index(drop=True)


@settings(max_examples=15, deadline=None)
@given(panels(), st.integers(1, 21))
def test_forecasts_are_well_formed(df: pd.DataFrame, h: int) -> None:
    out = hutano.Forecaster(MODELS).fit(df).predict(h, level=[50, 80, 95])
    assert len(out) == h * df["unique_id"].nunique()
    for m in MODELS:
        p = out[m.name].to_numpy()
        assert (p >= 0).all()
        lows = [out[f"{m.name}-lo-{lv}"].to_numpy() for lv in (50, 80, 95)]
        highs = [out[f"{m.name}-hi-{lv}"].to_numpy() for lv in (50, 80, 95)]
        assert (lows[2] <= lows[1] + 1e-9).all() and (lows[1] <= lows[0] + 1e-9).all() and (lows[0] <= p + 1e-9).all()
        assert (p <= highs[0] + 1e-9).all() and (highs[0] <= highs[1] + 1e-9).all() and (highs[1] <= highs[2] + 1e-9).all()
    # Row order of the input does not matter, nor does the frame library.
    sorted_df = df.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    again = hutano.Forecaster(MODELS).fit(sorted_df).predict(h, level=[50, 80, 95])
    pd.testing.assert_frame_equal(out.sort_values(["unique_id", "ds"]).reset_index(drop=True),
                                  again.sort_values(["unique_id", "ds"]).reset_index(drop=True))
    via_polars = hutano.Forecaster(MODELS).fit(pl.from_pandas(df)).predict(h, level=[50, 80, 95])
    np.testing.assert_array_equal(via_polars[MODELS[-1].name].to_numpy(), out[MODELS[-1].name].to_numpy())
