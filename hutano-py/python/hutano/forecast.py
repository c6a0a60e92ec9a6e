"""Fitting many series with many models, in Nixtla's long format.

>>> import pandas as pd
>>> from hutano import Forecaster
>>> from hutano.models import SeasonalNaive
>>> df = pd.DataFrame({
...     "unique_id": "ward a",
...     "ds": pd.date_range("2024-01-01", periods=28, freq="D"),
...     "y": [9.0, 11, 10, 12, 14, 6, 5] * 4,
... })
>>> fc = Forecaster([SeasonalNaive(7)], freq="D").fit(df)
>>> out = fc.predict(3, level=[80])
>>> list(out.columns)
['unique_id', 'ds', 'SeasonalNaive', 'SeasonalNaive-lo-80', 'SeasonalNaive-hi-80']
>>> out["SeasonalNaive"].tolist()
[9.0, 11.0, 10.0]
"""

from __future__ import annotations

import json
import numbers
import sys
from typing import Any, Callable, Sequence

import numpy as np

from hutano import _hutano
from hutano._frames import LongColumns, long_columns, make_frame, restore_time_zone
from hutano.exceptions import InvalidParameterError, NotFittedError
from hutano.models import Model

__all__ = ["Forecaster"]

ProgressFn = Callable[[int, int], None]


def _stderr_progress(label: str) -> ProgressFn:
    def report(done: int, total: int) -> None:
        if total:
            end = "\n" if done >= total else ""
            sys.stderr.write(f"\r{label}: {done}/{total} ({100 * done // total}%)" + end)
            sys.stderr.flush()

    return report


def _progress(progress: bool | ProgressFn | None, label: str) -> ProgressFn | None:
    if progress is True:
        return _stderr_progress(label)
    if progress in (False, None):
        return None
    if callable(progress):
        return progress
    raise InvalidParameterError("progress must be a bool or a callable(done, total)")


def _levels(level: Sequence[float] | None) -> list[float]:
    return [float(v) for v in (level or [])]


def _whole(name: str, value: Any) -> int:
    """``value`` as an int, or an error if it is not a whole number (3.5 steps, True)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidParameterError(f"{name} must be a whole number, got {value!r}")
    return int(value)


class Forecaster:
    """Fit ``models`` to every series of a long-format frame (``unique_id``, ``ds``, ``y``,
    plus exogenous columns), in parallel.

    Parameters
    ----------
    models
        Model objects from :mod:`hutano.models`; their names must differ.
    freq
        ``"h"``, ``"D"``, ``"W"`` or ``"MS"`` (hourly, daily, weekly, monthly).
    fill
        Missing timestamps: ``"error"`` (default), ``"zero"`` (counts) or ``"interpolate"``.
    non_negative
        Clip forecasts and bounds at zero (admissions and census are counts); default True.
    n_jobs
        Threads; ``-1`` (default) uses every core. Results do not depend on it.
    """

    def __init__(
        self,
        models: Sequence[Model],
        freq: str = "D",
        *,
        fill: str = "error",
        non_negative: bool = True,
        n_jobs: int = -1,
    ) -> None:
        if not models:
            raise InvalidParameterError("give at least one model")
        for m in models:
            if not isinstance(m, Model):
                raise InvalidParameterError(f"not a hutano model: {m!r}")
        if not isinstance(n_jobs, int) or n_jobs == 0 or n_jobs < -1:
            raise InvalidParameterError("n_jobs must be -1 (all cores) or a positive number")
        self.models = list(models)
        self.freq = freq
        self.fill = fill
        self.non_negative = non_negative
        self.n_jobs = n_jobs
        spec = json.dumps([[m.name, m.spec()] for m in self.models])
        self._native = _hutano.Forecaster(spec, freq, fill, non_negative)
        self._fitted: Any = None
        self._train: LongColumns | None = None
        self._cols = ("unique_id", "ds", "y")

    @property
    def _hourly(self) -> bool:
        """Hourly timestamps in a zone with clock changes are taken as UTC instants (see :func:`long_columns`)."""
        return self.freq in ("h", "H", "hourly", "1h")

    @property
    def _threads(self) -> int:
        return 0 if self.n_jobs == -1 else self.n_jobs

    def fit(
        self,
        df: Any,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        exog: Sequence[str] | None = None,
        progress: bool | ProgressFn = False,
    ) -> "Forecaster":
        """Fit every model to every series of ``df``; other columns are regressors
        (or only those in ``exog``), whose future values ``predict`` then needs."""
        cols = long_columns(df, id_col, time_col, target_col, exog, hourly=self._hourly)
        assert cols.y is not None  # a target column was named
        self._fitted = self._native.fit(
            cols.codes, cols.names, cols.ds, cols.y, cols.x, cols.x_names, self._threads,
            _progress(progress, "fit"),
        )
        self._train = cols
        self._cols = (id_col, time_col, target_col)
        return self

    def predict(self, h: int, *, level: Sequence[float] | None = None, X_df: Any = None) -> Any:
        """Forecast ``h`` steps after each series' end; intervals at ``level`` (percent).

        ``X_df`` holds the regressors' future values (``unique_id``, ``ds`` and the
        regressor columns) when the models were fitted with regressors.
        Returns a frame of the type passed to ``fit``.
        """
        if self._fitted is None or self._train is None:
            raise NotFittedError("call fit() before predict()")
        id_col, time_col, _ = self._cols
        future = None
        if X_df is not None:
            fx = long_columns(X_df, id_col, time_col, None, self._train.x_names, hourly=self._hourly)
            if fx.x is None:
                raise InvalidParameterError("X_df has no regressor columns")
            if (fx.tz is None) != (self._train.tz is None):
                raise InvalidParameterError(
                    f"X_df's {time_col} has time zone {fx.tz}, the training frame's {self._train.tz}: "
                    "give both time zones or neither"
                )
            future = (fx.codes, fx.names, fx.ds, fx.x)
        out = self._fitted.predict(_whole("h", h), _levels(level), future)
        return self._frame(out, cv=False)

    def forecast_fitted_values(self) -> Any:
        """Each model's in-sample one-step fitted values on the frame given to ``fit``:
        ``unique_id``, ``ds``, ``y`` and a column per model, NaN where a model has no value
        (the first steps, before its lags or seasons), clipped at zero as forecasts are.
        Named as statsforecast's; no ``fitted=True`` is needed beforehand.
        """
        if self._fitted is None or self._train is None:
            raise NotFittedError("call fit() before forecast_fitted_values()")
        frame = self._frame(self._fitted.fitted_values(), cv=True)
        return frame.drop(columns="cutoff") if self._train.kind == "pandas" else frame.drop("cutoff")

    def forecast(
        self,
        df: Any,
        h: int,
        *,
        level: Sequence[float] | None = None,
        X_df: Any = None,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        progress: bool | ProgressFn = False,
    ) -> Any:
        """``fit(df)`` then ``predict(h)``."""
        self.fit(df, id_col=id_col, time_col=time_col, target_col=target_col, progress=progress)
        return self.predict(h, level=level, X_df=X_df)

    def cross_validation(
        self,
        df: Any,
        h: int,
        *,
        n_windows: int = 1,
        step_size: int = 1,
        level: Sequence[float] | None = None,
        season_length: int = 7,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        exog: Sequence[str] | None = None,
        progress: bool | ProgressFn = False,
    ) -> Any:
        """Rolling-origin backtest: ``n_windows`` cutoffs ``step_size`` apart, the last ``h``
        steps before each series' end; each model sees only data up to the cutoff
        (and the regressors' values, which are known in advance).

        Returns ``unique_id, ds, cutoff, y`` and the model columns; the accuracy of
        each model (MASE at ``season_length``, sMAPE, RMSE, MAE, bias, CRPS, pinball,
        coverage per level) is in :attr:`cv_metrics_`.
        """
        cols = long_columns(df, id_col, time_col, target_col, exog, hourly=self._hourly)
        assert cols.y is not None  # a target column was named
        self._cols = (id_col, time_col, target_col)
        out = self._native.cross_validation(
            cols.codes, cols.names, cols.ds, cols.y, cols.x, cols.x_names, _whole("h", h),
            _whole("n_windows", n_windows), _whole("step_size", step_size), _levels(level),
            _whole("season_length", season_length), self._threads,
            _progress(progress, "cross-validation"),
        )
        self.cv_metrics_: dict[str, dict[str, Any]] = out.pop("metrics")
        self._train = self._train or cols
        return self._frame(out, cv=True, cols=cols)

    def metrics_frame(self) -> Any:
        """:attr:`cv_metrics_` as a frame (one row per model), of the type of the last input."""
        metrics = getattr(self, "cv_metrics_", None)
        if metrics is None:
            raise NotFittedError("run cross_validation() first")
        rows: dict[str, list[Any]] = {"model": []}
        for name, m in metrics.items():
            rows["model"].append(name)
            for k, v in m.items():
                if isinstance(v, dict):
                    for lvl, c in v.items():
                        rows.setdefault(f"{k}-{lvl:g}", []).append(c)
                else:
                    rows.setdefault(k, []).append(v)
        kind = self._train.kind if self._train else "pandas"
        return make_frame(kind, {k: np.asarray(v) if k != "model" else v for k, v in rows.items()})

    def _frame(self, out: dict[str, Any], *, cv: bool, cols: LongColumns | None = None) -> Any:
        cols = cols or self._train
        assert cols is not None
        id_col, time_col, target_col = self._cols
        # Series come back in the panel's order (first appearance), as cols' codes.
        by_name = {n: i for i, n in enumerate(cols.names)}
        remap = np.asarray([by_name[n] for n in out["unique_ids"]], dtype=np.int64)
        series = remap[out["series"].astype(np.int64)]
        data: dict[str, Any] = {time_col: out["ds"]}
        dt_cols = [time_col]
        if cv:
            data["cutoff"] = out["cutoff"]
            data[target_col] = out["y"]
            dt_cols.append("cutoff")
        for name in out["columns"]:
            data[name] = out[name]
        frame = make_frame(
            cols.kind, data, id_col=id_col, id_values=cols.id_values, series=series, datetime_cols=dt_cols
        )
        if cols.tz is not None:
            frame = restore_time_zone(frame, cols.kind, dt_cols, cols.tz, cols.instants)
        if cols.time_is_date:
            if cols.kind == "pandas":
                for c in dt_cols:
                    frame[c] = frame[c].dt.date
            else:
                import polars as pl

                frame = frame.with_columns([pl.col(c).cast(pl.Date) for c in dt_cols])
        return frame

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_native")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        spec = json.dumps([[m.name, m.spec()] for m in self.models])
        self._native = _hutano.Forecaster(spec, self.freq, self.fill, self.non_negative)

    def __repr__(self) -> str:
        names = [m.name for m in self.models]
        return f"Forecaster(models={names}, freq={self.freq!r}, fitted={self._fitted is not None})"
