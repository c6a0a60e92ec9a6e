"""Forecasting from Python: formats, models, errors, pickling, parity with Rust."""

from __future__ import annotations

import datetime
import os
import pickle
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

import hutano
from hutano.models import (
    GLM,
    MSTL,
    AutoARIMA,
    AutoETS,
    Boosted,
    Calibrated,
    Cleaned,
    Ensemble,
    Forest,
    Naive,
    Prophet,
    SeasonalNaive,
    calendar,
    outliers,
)

from conftest import REPO, weekly_panel

ALL_MODELS = [
    Naive(),
    SeasonalNaive(7),
    AutoARIMA(7),
    AutoETS(7),
    MSTL(7),
    Boosted(n_estimators=30, seed=1),
    Forest(n_estimators=20, seed=1),
    Forest(n_estimators=20, seed=1, global_model=True),
    Prophet(yearly_order=0),
    Ensemble([SeasonalNaive(7), Boosted(n_estimators=20, seed=2)], validation_horizon=7),
    Calibrated(MSTL(7), windows=3, horizon=7),
    GLM(holidays=calendar("zimbabwe")),
    Cleaned(AutoETS(7)),
]


def test_cleaned_models_ignore_a_typing_error() -> None:
    rng = np.random.default_rng(3)
    week = np.array([22, 20, 21, 19, 20, 12, 10], dtype=float)
    n = 140
    y = rng.poisson(np.tile(week, n // 7)).astype(float)
    y[100] = 2000.0  # one mistyped day
    df = pd.DataFrame({"unique_id": "ward", "ds": pd.date_range("2024-01-01", periods=n, freq="D"), "y": y})
    out = hutano.Forecaster([AutoETS(7), Cleaned(AutoETS(7)), Cleaned(GLM(), threshold=5, alias="g")], freq="D")
    fc = out.fit(df).predict(14, level=[80, 95])
    truth = np.tile(week, 2)
    assert fc["AutoETS"].max() > 500  # the error became part of the weekly pattern
    assert np.abs(fc["CleanedAutoETS"].to_numpy() - truth).mean() < 3
    assert np.abs(fc["g"].to_numpy() - truth).mean() < 3
    assert (fc["CleanedAutoETS-hi-95"] < 60).all()
    with pytest.raises(hutano.InvalidParameterError, match="threshold"):
        hutano.Forecaster([Cleaned(AutoETS(7), threshold=0)], freq="D")
    with pytest.raises(hutano.InvalidParameterError, match="across the panel"):
        hutano.Forecaster([Cleaned(Boosted(global_model=True))], freq="D")
    # What would be replaced: the one error, by about its weekday's mean.
    found = outliers(y, season=7)
    assert [(t, v) for t, v, _ in found] == [(100, 2000.0)]
    assert abs(found[0][2] - week[100 % 7]) < 8
    assert outliers(y[:100]) == []
    with pytest.raises(hutano.InvalidDataError) as err:
        outliers([1.0, float("nan"), 2.0])
    assert err.value.row == 1
    with pytest.raises(hutano.InvalidParameterError, match="season"):
        outliers(y, season=0)


def test_global_trees_without_calibration_give_the_same_points_and_no_intervals(panel_pd: pd.DataFrame) -> None:
    full = Boosted(n_estimators=30, seed=4, global_model=True)
    points = Boosted(n_estimators=30, seed=4, global_model=True, calibration_windows=0, alias="points")
    out = hutano.Forecaster([full, points], freq="D").fit(panel_pd).predict(7)
    np.testing.assert_array_equal(out["points"], out["GlobalBoosted"])
    with pytest.raises(hutano.InvalidParameterError, match="levels"):
        hutano.Forecaster([points], freq="D").fit(panel_pd).predict(7, level=[80])
    with pytest.raises(hutano.InvalidParameterError, match="calibration_windows"):
        hutano.Forecaster([Forest(calibration_windows=0)], freq="D").fit(panel_pd)


def test_global_boosting_grows_leaf_wise_unless_told_depth_wise(panel_pd: pd.DataFrame) -> None:
    # The global default is LightGBM's 31 leaves; max_leaves=31 repeats it,
    # max_leaves=0 grows depth-wise instead (another model).
    models = [
        Boosted(n_estimators=30, seed=4, global_model=True),
        Boosted(n_estimators=30, seed=4, global_model=True, max_leaves=31, alias="leaves31"),
        Boosted(n_estimators=30, seed=4, global_model=True, max_leaves=0, max_depth=5, alias="depth5"),
    ]
    out = hutano.Forecaster(models, freq="D").fit(panel_pd).predict(7)
    np.testing.assert_array_equal(out["leaves31"], out["GlobalBoosted"])
    assert not np.array_equal(out["depth5"], out["GlobalBoosted"])
    with pytest.raises(hutano.InvalidParameterError, match="max_leaves"):
        hutano.Forecaster([Boosted(global_model=True, max_leaves=1)], freq="D")


def test_calibrated_keeps_the_point_forecast_and_resets_the_width(panel_pd: pd.DataFrame) -> None:
    models = [MSTL(7), Calibrated(MSTL(7), windows=4, horizon=7), Calibrated(MSTL(7), windows=4, horizon=7, alias="c")]
    out = hutano.Forecaster(models, freq="D").fit(panel_pd).predict(7, level=[80, 95])
    np.testing.assert_allclose(out["CalibratedMSTL"], out["MSTL"], rtol=1e-12)
    np.testing.assert_allclose(out["c-hi-95"], out["CalibratedMSTL-hi-95"], rtol=1e-12)
    width = lambda m, lv: (out[f"{m}-hi-{lv}"] - out[f"{m}-lo-{lv}"]).to_numpy()  # noqa: E731
    # Recalibrated, not copied: the widths differ from the model's own.
    assert not np.allclose(width("CalibratedMSTL", 80), width("MSTL", 80))
    assert (width("CalibratedMSTL", 95) >= width("CalibratedMSTL", 80) - 1e-9).all()
    with pytest.raises(hutano.InvalidParameterError, match="windows"):
        hutano.Forecaster([Calibrated(MSTL(7), windows=0)]).fit(panel_pd)


def test_pooled_calibration_gives_every_series_the_same_factor(panel_pd: pd.DataFrame) -> None:
    models = [
        MSTL(7),
        Calibrated(MSTL(7), windows=4, horizon=7, alias="own"),
        Calibrated(MSTL(7), windows=4, horizon=7, pooled=True, alias="pooled"),
    ]
    out = hutano.Forecaster(models, freq="D").fit(panel_pd).predict(7, level=[80])
    np.testing.assert_allclose(out["pooled"], out["MSTL"], rtol=1e-12)
    model_half = (out["MSTL-hi-80"] - out["MSTL"]).to_numpy()
    # In units of the model's own spread, the pooled half-width is one
    # quantile of every series' scores; per series it differs.
    pooled = (out["pooled-hi-80"] - out["pooled"]).to_numpy() / model_half
    own = (out["own-hi-80"] - out["own"]).to_numpy() / model_half
    np.testing.assert_allclose(pooled, pooled[0], rtol=1e-9)
    assert np.ptp(own) > 1e-6


def test_pooled_ensemble_gives_every_series_the_same_weights(panel_pd: pd.DataFrame) -> None:
    members = [Naive(), SeasonalNaive(7)]
    models = [*members, Ensemble(members, validation_horizon=7, pooled=True, alias="stacked")]
    out = hutano.Forecaster(models, freq="D").fit(panel_pd).predict(7)
    gap = (out["SeasonalNaive"] - out["Naive"]).to_numpy()
    share = (out["stacked"] - out["Naive"]).to_numpy()[np.abs(gap) > 1] / gap[np.abs(gap) > 1]
    np.testing.assert_allclose(share, share[0], rtol=1e-9)
    assert 0.0 <= share[0] <= 1.0


def test_calibrated_ensemble_keeps_the_point_and_pools_its_validation_scores(panel_pd: pd.DataFrame) -> None:
    members = [Naive(), SeasonalNaive(7)]
    models = [
        Ensemble(members, validation_horizon=7, intervals="averaged", alias="averaged"),
        Ensemble(members, validation_horizon=7, alias="calibrated"),  # intervals="pooled", the default
    ]
    out = hutano.Forecaster(models, freq="D").fit(panel_pd).predict(7, level=[80, 95])
    np.testing.assert_allclose(out["calibrated"], out["averaged"], rtol=1e-12)
    # The same shape over the horizon as the averaged bounds, with one
    # pooled width factor for every series.
    factor = ((out["calibrated-hi-80"] - out["calibrated"]) / (out["averaged-hi-80"] - out["averaged"])).to_numpy()
    np.testing.assert_allclose(factor, factor[0], rtol=1e-9)
    assert abs(factor[0] - 1.0) > 1e-6
    assert (out["calibrated-hi-95"] >= out["calibrated-hi-80"]).all()
    assert (out["calibrated-lo-80"] >= 0).all()
    with pytest.raises(hutano.InvalidParameterError, match="unknown variant `wide`"):
        hutano.Forecaster([Ensemble(members, intervals="wide")], freq="D").fit(panel_pd)  # type: ignore[arg-type]


def test_glm_rejects_negative_counts_with_a_typed_error(panel_pd: pd.DataFrame) -> None:
    bad = panel_pd.copy()
    bad.loc[bad.index[5], "y"] = -1.0
    with pytest.raises(hutano.InvalidParameterError, match="negative"):
        hutano.Forecaster([GLM()], freq="D").fit(bad)
    out = hutano.Forecaster([GLM(level_alpha=0.0)], freq="D").fit(panel_pd).predict(7, level=[80])
    assert (out["GLM-lo-80"] >= 0).all() and (out["GLM-lo-80"] <= out["GLM"]).all()


def test_glm_fits_a_level_shift_as_a_step() -> None:
    # A merger: 30 admissions a day, then 150 from day 400 (of 700).
    rng = np.random.default_rng(5)
    week = np.array([1.1, 1.05, 1.0, 1.0, 1.0, 0.5, 0.4])
    days = 700
    level = np.where(np.arange(days + 14) < 400, 30.0, 150.0)
    mu = level * week[np.arange(days + 14) % 7]
    ds = pd.date_range("2024-01-01", periods=days + 14, freq="D")  # a Monday
    df = pd.DataFrame({"unique_id": "ward", "ds": ds[:days], "y": rng.poisson(mu[:days]).astype(float)})
    out = hutano.Forecaster([GLM(), GLM(level_shifts=0, half_life=0, alias="plain")]).fit(df).predict(14)
    err = np.abs(out["GLM"].to_numpy() / mu[days:] - 1).mean()
    plain = np.abs(out["plain"].to_numpy() / mu[days:] - 1).mean()
    assert err < 0.1 and err < plain
    with pytest.raises(hutano.InvalidParameterError, match="half_life"):
        hutano.Forecaster([GLM(half_life=-1.0)]).fit(df)


def test_a_global_member_of_an_ensemble_is_learned_across_the_frame(panel_pd: pd.DataFrame) -> None:
    # Alone in an ensemble it has all the weight: the same forecasts as the
    # global model fitted to the frame (a model per series would differ).
    gb = Boosted(global_model=True, n_estimators=30, seed=1)
    out = hutano.Forecaster([gb, Ensemble([gb], alias="ens")], freq="D").fit(panel_pd).predict(7)
    np.testing.assert_allclose(out["ens"], out["GlobalBoosted"], rtol=1e-12)
    local = hutano.Forecaster([Boosted(n_estimators=30, seed=1)], freq="D").fit(panel_pd).predict(7)
    assert np.abs(out["ens"].to_numpy() - local["Boosted"].to_numpy()).max() > 1e-6
    # Whatever its intervals.
    own = Ensemble([gb], intervals="calibrated", alias="own")
    out = hutano.Forecaster([gb, own], freq="D").fit(panel_pd).predict(7)
    np.testing.assert_allclose(out["own"], out["GlobalBoosted"], rtol=1e-12)


def test_a_series_too_short_for_a_global_member_loses_it_there_only() -> None:
    # 45 days are too few for the global model (its lags and calibration)
    # but enough for the ensemble's validation of the naive member.
    long = weekly_panel(n_series=3, days=120, seed=2)
    short = weekly_panel(n_series=1, days=45, seed=3).assign(unique_id="short ward")
    gb = Boosted(global_model=True, n_estimators=20, seed=1)
    with pytest.raises(hutano.SeriesTooShortError, match="short ward"):
        hutano.Forecaster([gb], freq="D").fit(pd.concat([long, short]))
    ens = Ensemble([gb, Naive()])
    both = hutano.Forecaster([ens], freq="D").fit(pd.concat([long, short])).predict(7)
    alone = hutano.Forecaster([ens], freq="D").fit(long).predict(7)
    got = both[both["unique_id"] != "short ward"].reset_index(drop=True)
    np.testing.assert_allclose(got["Ensemble"], alone["Ensemble"], rtol=1e-12)
    naive = hutano.Forecaster([Naive()], freq="D").fit(short).predict(7)
    np.testing.assert_allclose(both[both["unique_id"] == "short ward"]["Ensemble"], naive["Naive"], rtol=1e-12)


def test_every_model_forecasts_with_nixtla_columns(panel_pd: pd.DataFrame) -> None:
    fc = hutano.Forecaster(ALL_MODELS, freq="D").fit(panel_pd)
    out = fc.predict(14, level=[80, 95])
    assert len(out) == 3 * 14
    assert list(out.columns[:2]) == ["unique_id", "ds"]
    for m in ALL_MODELS:
        lo80, hi80, lo95, hi95 = (out[f"{m.name}-{s}"] for s in ("lo-80", "hi-80", "lo-95", "hi-95"))
        assert (out[m.name] >= 0).all(), m.name
        assert (lo95 <= lo80 + 1e-9).all() and (lo80 <= out[m.name] + 1e-9).all(), m.name
        assert (out[m.name] <= hi80 + 1e-9).all() and (hi80 <= hi95 + 1e-9).all(), m.name
    assert out["ds"].iloc[0] == pd.Timestamp("2024-04-30")
    assert out["unique_id"].tolist()[:14] == ["ward 0"] * 14


def test_pandas_and_polars_give_equal_results(panel_pd: pd.DataFrame, panel_pl: pl.DataFrame) -> None:
    models = [SeasonalNaive(7), AutoETS(7), Boosted(n_estimators=20, seed=3)]
    a = hutano.Forecaster(models).fit(panel_pd).predict(7, level=[90])
    b = hutano.Forecaster(models).fit(panel_pl).predict(7, level=[90])
    assert isinstance(a, pd.DataFrame) and isinstance(b, pl.DataFrame)
    assert a.columns.tolist() == b.columns
    for c in a.columns:
        if c in ("unique_id", "ds"):
            assert a[c].tolist() == b[c].to_list()
        else:
            np.testing.assert_array_equal(a[c].to_numpy(), b[c].to_numpy())


def test_cross_validation_windows_and_metrics(panel_pd: pd.DataFrame) -> None:
    fc = hutano.Forecaster([SeasonalNaive(7), Naive()])
    cv = fc.cross_validation(panel_pd, 7, n_windows=3, step_size=7, level=[80])
    assert len(cv) == 3 * 3 * 7
    assert (cv["cutoff"] < cv["ds"]).all()
    # The actuals are the input's values on those dates.
    merged = cv.merge(panel_pd, on=["unique_id", "ds"], suffixes=("", "_in"))
    np.testing.assert_array_equal(merged["y"], merged["y_in"])
    # MASE computed here from the frame equals the library's.
    m = fc.cv_metrics_["SeasonalNaive"]
    assert 0 < m["mase"] < 2 and 0 <= m["coverage"][80.0] <= 1
    metrics = fc.metrics_frame()
    assert metrics["model"].tolist() == ["SeasonalNaive", "Naive"]


def test_errors_are_typed_and_name_series_and_row(panel_pd: pd.DataFrame) -> None:
    bad = panel_pd.copy()
    bad.loc[130, "y"] = np.nan
    with pytest.raises(hutano.InvalidDataError) as e:
        hutano.Forecaster([Naive()]).fit(bad)
    assert e.value.unique_id == "ward 1" and e.value.row == 130
    dup = pd.concat([panel_pd, panel_pd.iloc[[5]]], ignore_index=True)
    with pytest.raises(hutano.InvalidDataError, match="duplicate timestamp"):
        hutano.Forecaster([Naive()]).fit(dup)
    gaps = panel_pd.drop(index=[10, 11])
    with pytest.raises(hutano.InvalidDataError, match="missing timestamps"):
        hutano.Forecaster([Naive()]).fit(gaps)
    filled = hutano.Forecaster([Naive()], fill="zero").fit(gaps).predict(1)
    assert len(filled) == 3
    with pytest.raises(hutano.SeriesTooShortError):
        hutano.Forecaster([Naive()]).cross_validation(panel_pd.iloc[:10], 7, n_windows=3)
    # A model that needs more history than the others names itself.
    short = panel_pd.groupby("unique_id").head(25)
    for call in (lambda f: f.fit(short), lambda f: f.cross_validation(short, 7)):
        with pytest.raises(hutano.SeriesTooShortError, match='^model "Boosted": series ') as e1:
            call(hutano.Forecaster([Naive(), Boosted(n_estimators=5)]))
        assert e1.value.model == "Boosted" and e1.value.unique_id is not None
    with pytest.raises(hutano.InvalidParameterError):
        hutano.Forecaster([SeasonalNaive(0)])
    with pytest.raises(hutano.InvalidParameterError):
        hutano.Forecaster([Naive()], freq="fortnightly")
    with pytest.raises(hutano.InvalidParameterError):
        hutano.Forecaster([Naive()]).fit(panel_pd).predict(3, level=[120])
    with pytest.raises(hutano.InvalidParameterError, match="repeated"):
        hutano.Forecaster([Naive(), Naive()]).fit(panel_pd)
    with pytest.raises(hutano.NotFittedError):
        hutano.Forecaster([Naive()]).predict(3)
    with pytest.raises(hutano.InvalidDataError) as e2:
        hutano.Forecaster([Naive()]).fit(panel_pd.rename(columns={"y": "admissions"}), exog=[])
    assert e2.value.column == "y"
    assert issubclass(hutano.SeriesTooShortError, hutano.InvalidDataError)
    for cls in (hutano.InvalidDataError, hutano.InvalidParameterError, hutano.NotFittedError, hutano.ConvergenceError,
                hutano.MappingError, hutano.FileError):
        assert issubclass(cls, hutano.HutanoError)


def test_regressors_need_future_values(panel_pd: pd.DataFrame) -> None:
    df = panel_pd.assign(elective=(panel_pd["ds"].dt.day_of_week < 5).astype(float))
    with pytest.raises(hutano.InvalidDataError, match="takes no regressors"):
        hutano.Forecaster([SeasonalNaive(7)]).fit(df)


def test_pickle_round_trip_gives_identical_forecasts(panel_pd: pd.DataFrame) -> None:
    fc = hutano.Forecaster([AutoETS(7), Forest(n_estimators=10, seed=5)]).fit(panel_pd)
    again = pickle.loads(pickle.dumps(fc))
    pd.testing.assert_frame_equal(fc.predict(7, level=[80]), again.predict(7, level=[80]))
    unfitted = pickle.loads(pickle.dumps(hutano.Forecaster([Naive()])))
    with pytest.raises(hutano.NotFittedError):
        unfitted.predict(1)


def test_threads_and_progress_do_not_change_results(panel_pd: pd.DataFrame) -> None:
    seen: list[tuple[int, int]] = []
    models = [Boosted(n_estimators=20, seed=9)]
    a = hutano.Forecaster(models, n_jobs=1).fit(panel_pd, progress=lambda d, t: seen.append((d, t))).predict(7)
    b = hutano.Forecaster(models, n_jobs=2).fit(panel_pd).predict(7)
    pd.testing.assert_frame_equal(a, b)
    assert seen and seen[-1] == (3, 3)


def test_date_columns_come_back_as_dates(panel_pl: pl.DataFrame) -> None:
    df = panel_pl.with_columns(pl.col("ds").cast(pl.Date))
    out = hutano.Forecaster([Naive()]).fit(df).predict(2)
    assert out["ds"].dtype == pl.Date


def _cli_binary() -> Path:
    if "HUTANO_FORECAST_CLI" in os.environ:  # set by scripts/test.sh to the binary it just built
        return Path(os.environ["HUTANO_FORECAST_CLI"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    exe = target / "release" / "forecast_cli"
    if not exe.exists():
        exe = target / "debug" / "forecast_cli"
    assert exe.exists(), f"build the Rust CLI first (cargo build -p hutano-benches): {exe}"
    return exe


@pytest.mark.parametrize(
    "model,cli",
    [
        (SeasonalNaive(7), "snaive"),
        (AutoETS(7), "ets"),
        (Boosted(), "boosted"),
        (AutoARIMA(7), "arima"),
        (Forest(global_model=True), "global_forest"),
    ],
)
def test_python_equals_rust(tmp_path: Path, hdhi_daily: pd.DataFrame, model: hutano.models.Model, cli: str) -> None:
    train = hdhi_daily.iloc[:600]
    csv = tmp_path / "train.csv"
    train.assign(ds=train["ds"].dt.strftime("%Y-%m-%d")).to_csv(csv, index=False)
    with open(csv) as f:
        res = subprocess.run(
            [str(_cli_binary()), "--model", cli, "--h", "14", "--levels", "80,95", "--season", "7"],
            stdin=f, capture_output=True, text=True, check=True,
        )
    from io import StringIO

    rust = pd.read_csv(StringIO(res.stdout))
    py = hutano.Forecaster([model], fill="interpolate").fit(train).predict(14, level=[80, 95])
    np.testing.assert_allclose(py[model.name].to_numpy(), rust["mean"].to_numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(py[f"{model.name}-hi-95"].to_numpy(), rust["hi-95"].to_numpy(), rtol=1e-12, atol=1e-12)


def test_panel_of_many_series() -> None:
    big = weekly_panel(n_series=50, days=100, seed=4)
    out = hutano.Forecaster([SeasonalNaive(7)]).fit(big).predict(7)
    assert out["unique_id"].nunique() == 50


def test_boosted_uses_regressors_with_their_future_values() -> None:
    rng = np.random.default_rng(21)
    days = 200
    plan = rng.integers(0, 2, days + 14).astype(float)  # planned elective lists, known ahead
    y = 20 + 15 * plan[:days] + rng.normal(0, 1, days)
    ds = pd.date_range("2024-01-01", periods=days + 14, freq="D")
    df = pd.DataFrame({"unique_id": "theatre", "ds": ds[:days], "y": y, "elective": plan[:days]})
    future = pd.DataFrame({"unique_id": "theatre", "ds": ds[days:], "elective": plan[days:]})
    fc = hutano.Forecaster([Boosted(seed=3)]).fit(df)
    out = fc.predict(14, level=[80], X_df=future)
    truth = 20 + 15 * plan[days:]
    assert np.abs(out["Boosted"].to_numpy() - truth).mean() < 3.0
    with pytest.raises(hutano.InvalidDataError, match=r"0 future rows of the regressors \(elective\)"):
        fc.predict(14)
    with pytest.raises(hutano.InvalidDataError, match="no future regressor values"):
        fc.predict(14, X_df=future.iloc[:5])
    without = hutano.Forecaster([Boosted(seed=3)]).fit(df, exog=[]).predict(14)
    assert np.abs(out["Boosted"].to_numpy() - truth).mean() < np.abs(without["Boosted"].to_numpy() - truth).mean()


def test_glm_uses_regressors_with_their_future_values() -> None:
    rng = np.random.default_rng(22)
    days = 300
    plan = rng.integers(0, 2, days + 14).astype(float)
    y = rng.poisson(20 * np.exp(0.5 * plan[:days])).astype(float)
    ds = pd.date_range("2024-01-01", periods=days + 14, freq="D")
    df = pd.DataFrame({"unique_id": "ward", "ds": ds[:days], "y": y, "elective": plan[:days]})
    future = pd.DataFrame({"unique_id": "ward", "ds": ds[days:], "elective": plan[days:]})
    out = hutano.Forecaster([GLM(level_alpha=0.0)]).fit(df).predict(14, level=[80], X_df=future)
    truth = 20 * np.exp(0.5 * plan[days:])
    assert np.abs(out["GLM"].to_numpy() / truth - 1).max() < 0.15


def test_an_ensemble_passes_future_regressor_values_to_its_models() -> None:
    rng = np.random.default_rng(23)
    days = 300
    plan = rng.integers(0, 2, days + 14).astype(float)
    y = 20 + 15 * plan[:days] + rng.normal(0, 1, days)
    ds = pd.date_range("2024-01-01", periods=days + 14, freq="D")
    df = pd.DataFrame({"unique_id": "theatre", "ds": ds[:days], "y": y, "elective": plan[:days]})
    future = pd.DataFrame({"unique_id": "theatre", "ds": ds[days:], "elective": plan[days:]})
    fc = hutano.Forecaster([Ensemble([Boosted(seed=3), GLM(level_alpha=0.0)])]).fit(df)
    out = fc.predict(14, level=[80, 95], X_df=future)
    truth = 20 + 15 * plan[days:]
    assert np.abs(out["Ensemble"].to_numpy() - truth).mean() < 3.0
    assert (out["Ensemble-lo-95"] <= out["Ensemble-lo-80"]).all()
    assert (out["Ensemble-hi-80"] <= out["Ensemble-hi-95"]).all()
    with pytest.raises(hutano.InvalidDataError, match="no future regressor values"):
        fc.predict(14, X_df=future.iloc[:5])


def test_prophet_logistic_growth_stays_below_the_cap() -> None:
    days = 300
    t = np.arange(days)
    rng = np.random.default_rng(8)
    y = 120 / (1 + np.exp(-0.04 * (t - 150))) + rng.normal(0, 2, days)
    df = pd.DataFrame({"unique_id": "icu", "ds": pd.date_range("2024-01-01", periods=days), "y": y})
    out = hutano.Forecaster([Prophet(growth="logistic", cap=120, yearly_order=0, weekly_order=0)]).fit(df).predict(30)
    assert (out["Prophet"] <= 120 + 1e-9).all() and out["Prophet"].iloc[-1] > 110
    with pytest.raises(hutano.InvalidParameterError, match="cap"):
        hutano.Forecaster([Prophet(growth="logistic")])


def test_monthly_and_hourly_series_with_the_statistical_models() -> None:
    rng = np.random.default_rng(3)
    months = pd.date_range("2016-04-01", periods=36, freq="MS")
    season = 40 * np.cos(2 * np.pi * (months.month.to_numpy() - 1) / 12)
    monthly = pd.DataFrame({"unique_id": "ae", "ds": months, "y": 2500 + season + rng.normal(0, 15, 36)})
    fc = hutano.Forecaster([AutoETS(12), AutoARIMA(12), Prophet()], freq="MS").fit(monthly)
    out = fc.predict(6, level=[80])
    assert list(out["ds"]) == list(pd.date_range("2019-04-01", periods=6, freq="MS"))
    for m in ("AutoETS", "AutoARIMA", "Prophet"):
        assert (out[f"{m}-lo-80"] <= out[m]).all() and (out[m] <= out[f"{m}-hi-80"]).all()
        # The yearly pattern carries over: April–June sit above their own annual mean.
        assert abs(out[m].mean() - 2500 - season[:6].mean()) < 40, m
    hours = pd.date_range("2024-01-01", periods=24 * 21, freq="h")
    daily = 6 + 4 * np.sin(2 * np.pi * (hours.hour.to_numpy() - 5) / 24)
    hourly = pd.DataFrame({"unique_id": "ed", "ds": hours, "y": rng.poisson(daily).astype(float)})
    p = hutano.Forecaster([Prophet(daily_order=4)], freq="h").fit(hourly).predict(24)
    peak = int(p["ds"].iloc[int(np.argmax(p["Prophet"].to_numpy()))].hour)
    assert 9 <= peak <= 13, peak  # the daily peak (true: 11:00) is learned


def test_holidays_between_lists_the_calendar_the_models_use() -> None:
    from hutano.models import calendar, holidays_between

    days = holidays_between("zimbabwe", datetime.date(2022, 12, 20), "2023-01-03")
    assert days == [
        (datetime.date(2022, 12, 22), "Unity Day"),
        (datetime.date(2022, 12, 25), "Christmas Day"),
        (datetime.date(2022, 12, 26), "Boxing Day"),
        # Christmas on a Sunday is observed on Tuesday 27 (Monday is Boxing Day).
        (datetime.date(2022, 12, 27), "Christmas Day (observed)"),
        (datetime.date(2023, 1, 1), "New Year's Day"),
        (datetime.date(2023, 1, 2), "New Year's Day (observed)"),
    ]
    fair = calendar("india", [("local fair", "2024-03-26", "2024-03-27")])
    india = dict(holidays_between(fair, "2024-03-01", "2024-04-01"))
    assert india[datetime.date(2024, 3, 25)] == "Holi"
    assert india[datetime.date(2024, 3, 26)] == "local fair"
    assert holidays_between("india", "2024-05-01", "2024-05-02") == []  # Labour Day is a state holiday
    with pytest.raises(hutano.InvalidParameterError, match="calendar"):
        holidays_between("atlantis", "2024-01-01", "2024-02-01")
    with pytest.raises(hutano.InvalidParameterError, match="before start"):
        holidays_between("india", "2024-02-01", "2024-01-01")
    with pytest.raises(hutano.InvalidParameterError, match="YYYY-MM-DD"):
        holidays_between("india", "1/2/2024", "2024-02-01")


def test_time_zones_come_back_as_given() -> None:
    """Hours in a zone with a clock change are instants (no gap at the change); days stay calendar
    days; both come back in the input's time zone, for pandas and polars."""
    rng = np.random.default_rng(3)
    # 40 days of hours across London's change to summer time (31 March 2024: 01:00 is skipped).
    hours = pd.date_range("2024-03-01", periods=24 * 40, freq="h", tz="Europe/London")
    h_df = pd.DataFrame({"unique_id": "ed", "ds": hours, "y": rng.poisson(5, len(hours)).astype(float)})
    out = hutano.Forecaster([SeasonalNaive(24)], freq="h").forecast(h_df, 3)
    assert str(out["ds"].dt.tz) == "Europe/London"
    assert list(out["ds"]) == list(pd.date_range(hours[-1], periods=4, freq="h")[1:])
    # The season is 24 hours of elapsed time.
    np.testing.assert_array_equal(out["SeasonalNaive"], h_df["y"].to_numpy()[-24:-21])
    cv = hutano.Forecaster([SeasonalNaive(24)], freq="h").cross_validation(h_df, 24, n_windows=2, step_size=24)
    assert str(cv["cutoff"].dt.tz) == "Europe/London" and cv["ds"].is_monotonic_increasing
    pl_out = hutano.Forecaster([SeasonalNaive(24)], freq="h").forecast(pl.from_pandas(h_df), 3)
    assert pl_out["ds"].dtype.time_zone == "Europe/London"
    np.testing.assert_array_equal(pl_out["SeasonalNaive"].to_numpy(), out["SeasonalNaive"].to_numpy())
    # A zone without clock changes (Harare, Kolkata): local wall-clock hours, as if naive.
    for zone in ("Africa/Harare", "Asia/Kolkata"):
        local = h_df.assign(ds=pd.date_range("2024-03-01", periods=len(h_df), freq="h", tz=zone))
        z_out = hutano.Forecaster([GLM()], freq="h").forecast(local, 3)
        naive = hutano.Forecaster([GLM()], freq="h").forecast(local.assign(ds=local["ds"].dt.tz_localize(None)), 3)
        assert str(z_out["ds"].dt.tz) == zone
        assert list(z_out["ds"].dt.tz_localize(None)) == list(naive["ds"])
        np.testing.assert_array_equal(z_out["GLM"], naive["GLM"])
    # Local midnights across the change: calendar days, forecast at local midnight.
    days = pd.date_range("2024-02-01", periods=90, freq="D", tz="Europe/London")
    d_df = pd.DataFrame({"unique_id": "ward", "ds": days, "y": rng.poisson(20, 90).astype(float)})
    d_out = hutano.Forecaster([Naive()]).forecast(d_df, 2)
    assert list(d_out["ds"]) == list(pd.date_range(days[-1], periods=3, freq="D")[1:])
    assert (d_out["ds"].dt.hour == 0).all()
    pl_d = hutano.Forecaster([Naive()]).forecast(pl.from_pandas(d_df), 2)
    assert pl_d["ds"].to_list() == list(d_out["ds"].dt.to_pydatetime())
    # Regressors' future values in the same convention, or an error.
    d_df["planned"] = rng.integers(0, 3, 90).astype(float)
    fut = pd.DataFrame({"unique_id": "ward", "ds": pd.date_range(days[-1], periods=8, freq="D")[1:], "planned": 1.0})
    fitted = hutano.Forecaster([GLM()]).fit(d_df)
    assert len(fitted.predict(7, X_df=fut)) == 7
    with pytest.raises(hutano.InvalidParameterError, match="time zone"):
        fitted.predict(7, X_df=fut.assign(ds=fut["ds"].dt.tz_localize(None)))


def test_series_ids_keep_their_dtype() -> None:
    rng = np.random.default_rng(4)
    days = pd.date_range("2024-01-01", periods=40)
    for ids in (np.repeat([101, 202], 40), pd.Categorical(np.repeat(["ICU", "HDU"], 40))):
        df = pd.DataFrame({"unique_id": ids, "ds": np.tile(days, 2), "y": rng.poisson(9, 80).astype(float)})
        out = hutano.Forecaster([Naive()]).forecast(df, 2)
        assert out["unique_id"].dtype == df["unique_id"].dtype
        assert out["unique_id"].tolist() == list(np.repeat(df["unique_id"].unique(), 2))
        assert len(out.merge(df, on=["unique_id"])) == 2 * 2 * 40


def test_fitted_values_are_in_sample_one_step_values(panel_pd: pd.DataFrame) -> None:
    fc = hutano.Forecaster([SeasonalNaive(7), AutoETS(7), Boosted(n_estimators=20, seed=1)])
    with pytest.raises(hutano.NotFittedError):
        fc.forecast_fitted_values()
    fv = fc.fit(panel_pd).forecast_fitted_values()
    assert list(fv.columns) == ["unique_id", "ds", "y", "SeasonalNaive", "AutoETS", "Boosted"]
    pd.testing.assert_frame_equal(fv[["unique_id", "ds", "y"]], panel_pd[["unique_id", "ds", "y"]], check_dtype=False)
    for _, g in fv.groupby("unique_id", sort=False):
        y, sn = g["y"].to_numpy(), g["SeasonalNaive"].to_numpy()
        assert np.isnan(sn[:7]).all()
        np.testing.assert_array_equal(sn[7:], y[:-7])
        assert np.isfinite(g["AutoETS"]).all()
        # One-step fitted values track the series better than its mean does.
        assert np.nanmean(np.abs(g["AutoETS"] - y)) < np.mean(np.abs(y - y.mean()))
        assert np.isfinite(g["Boosted"].to_numpy()[40:]).all()
    pl_fv = hutano.Forecaster([SeasonalNaive(7)]).fit(pl.from_pandas(panel_pd)).forecast_fitted_values()
    assert pl_fv.columns == ["unique_id", "ds", "y", "SeasonalNaive"]
    np.testing.assert_array_equal(pl_fv["SeasonalNaive"].to_numpy(), fv["SeasonalNaive"].to_numpy())


def test_frames_that_cannot_be_forecast_are_typed_errors(panel_pd: pd.DataFrame) -> None:
    named = panel_pd.assign(ward_name="Ward " + panel_pd["unique_id"].astype(str))
    for frame in (named, pl.from_pandas(named)):
        with pytest.raises(hutano.InvalidDataError, match="column 'ward_name' is not numeric") as e:
            hutano.Forecaster([Naive()]).fit(frame)
        assert e.value.column == "ward_name" and e.value.row == 0
    assert len(hutano.Forecaster([Naive()]).fit(named, exog=[]).predict(2)) == 2 * 3
    bad_y = panel_pd.assign(y=panel_pd["y"].astype(object))
    bad_y.loc[17, "y"] = "n/a"
    with pytest.raises(hutano.InvalidDataError, match="'n/a' at row 17") as e:
        hutano.Forecaster([Naive()]).fit(bad_y)
    assert e.value.row == 17 and "exog" not in str(e.value)
    with pytest.raises(hutano.InvalidDataError, match="holds numbers, not timestamps"):
        hutano.Forecaster([Naive()]).fit(panel_pd.assign(ds=np.arange(len(panel_pd))))
    with pytest.raises(hutano.InvalidDataError, match="no rows"):
        hutano.Forecaster([Naive()]).fit(panel_pd.iloc[:0])
    fc = hutano.Forecaster([Naive()]).fit(panel_pd)
    with pytest.raises(hutano.InvalidParameterError, match="whole number"):
        fc.predict(3.5)  # type: ignore[arg-type]
    with pytest.raises(hutano.InvalidParameterError, match="n_windows"):
        fc.cross_validation(panel_pd, 7, n_windows=2.0)  # type: ignore[arg-type]
    assert len(fc.predict(np.int64(2))) == 2 * 3


def test_three_years_of_months_fit_every_model_with_finite_intervals() -> None:
    # An A&E department's 36 months: the tree models' calibration used windows of 14
    # steps whatever the frequency and refused these series ("36 observations, 55
    # needed"), as Calibrated did (57). Windows now follow the frequency, with as many
    # as a finite 95% bound needs where the series have room.
    rng = np.random.default_rng(11)
    months = pd.date_range("2016-04-01", periods=36, freq="MS")
    df = pd.concat(
        pd.DataFrame({"unique_id": u, "ds": months, "y": rng.poisson(lam, 36).astype(float)})
        for u, lam in [("A", 900), ("B", 400), ("C", 1500)]
    )
    models = [
        Boosted(seed=1),
        Forest(seed=1),
        Boosted(seed=1, global_model=True),
        Calibrated(AutoETS(12)),
        Calibrated(AutoETS(12), pooled=True, alias="pooled"),
    ]
    out = hutano.Forecaster(models, freq="MS").forecast(df, 3, level=[80, 95])
    for m in models:
        lo, hi = out[f"{m.name}-lo-95"], out[f"{m.name}-hi-95"]
        assert np.isfinite(hi).all() and (lo <= out[m.name]).all() and (out[m.name] <= hi).all(), m.name
        assert (out[f"{m.name}-hi-80"] <= hi).all(), m.name
    # Set, the window length applies: 3 windows of 12 months do not fit 36 months.
    with pytest.raises(hutano.SeriesTooShortError, match="36 observations, 49 needed"):
        hutano.Forecaster([Forest(calibration_windows=3, calibration_horizon=12)], freq="MS").fit(df)


def test_an_ensemble_validates_by_the_frequency() -> None:
    # 30 months: the default validation (2 windows of 3 months, MASE at lag 12) fits;
    # it used to ask for 2 windows of 14 steps and a season of 7 whatever the frequency.
    rng = np.random.default_rng(5)
    months = pd.date_range("2022-01-01", periods=30, freq="MS")
    df = pd.DataFrame({"unique_id": "AE", "ds": months, "y": rng.poisson(900, 30).astype(float)})
    out = hutano.Forecaster([Ensemble([SeasonalNaive(12), Naive()])], freq="MS").forecast(df, 3, level=[80])
    assert len(out) == 3 and (out["Ensemble-lo-80"] <= out["Ensemble"]).all()
    with pytest.raises(hutano.SeriesTooShortError, match="18 observations, 19 needed"):
        hutano.Forecaster([Ensemble([SeasonalNaive(12), Naive()])], freq="MS").fit(df.iloc[:18])
