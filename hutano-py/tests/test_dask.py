"""A panel forecast on a Dask cluster, partitioned by unique_id, equals the single-process result."""

from __future__ import annotations

import pandas as pd
import pytest

import hutano
from hutano.models import AutoETS, Boosted, SeasonalNaive

from conftest import weekly_panel

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

MODELS = [SeasonalNaive(7), AutoETS(7), Boosted(n_estimators=30, seed=7)]


def forecast_partition(part: pd.DataFrame) -> pd.DataFrame:
    if part.empty:
        return pd.DataFrame(columns=["unique_id", "ds"])
    return hutano.Forecaster(MODELS, n_jobs=1).fit(part).predict(14, level=[80, 95])


def test_dask_local_cluster_matches_single_process() -> None:
    df = weekly_panel(n_series=8, days=150, seed=12)
    single = hutano.Forecaster(MODELS).fit(df).predict(14, level=[80, 95])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            ddf = dd.from_pandas(df, npartitions=4).shuffle(on="unique_id")
            meta = single.iloc[:0]
            result = ddf.map_partitions(forecast_partition, meta=meta).compute()
            # Fitted models travel between processes by pickle.
            fitted = hutano.Forecaster(MODELS).fit(df)
            remote = client.submit(lambda f: f.predict(14, level=[80, 95]), fitted).result()
    # Dask hands its partitions ids as its own string dtype; hutano gives back the dtype it is given.
    result["unique_id"] = result["unique_id"].astype(single["unique_id"].dtype)
    result = result.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    expected = single.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected)
    pd.testing.assert_frame_equal(remote, single)
