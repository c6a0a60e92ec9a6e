"""Forecasting models, as plain settings objects.

Each model turns into the JSON specification the native library builds the
model from (``hutano_forecast::spec::ModelSpec``); ``alias`` sets its column
name in the output (default: the class name, as in statsforecast).

>>> from hutano.models import SeasonalNaive, AutoETS
>>> SeasonalNaive(7).name, AutoETS(season_length=7, alias="ets").name
('SeasonalNaive', 'ets')
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from hutano import _hutano
from hutano.exceptions import InvalidParameterError

__all__ = [
    "AutoARIMA",
    "AutoETS",
    "Boosted",
    "Calibrated",
    "Cleaned",
    "Ensemble",
    "Forest",
    "GLM",
    "MSTL",
    "Model",
    "Naive",
    "Prophet",
    "SeasonalNaive",
    "calendar",
    "holidays_between",
    "outliers",
]


def calendar(
    country: str | None = None,
    events: Sequence[tuple[str, _dt.date | str, _dt.date | str]] = (),
) -> dict[str, Any]:
    """A holiday calendar: a built-in national calendar (``"zimbabwe"``, ``"india"``)
    plus your own events as ``(name, first_day, day_after_last)``.

    >>> calendar("zimbabwe", [("strike", "2024-03-04", "2024-03-09")])["events"][0]["end"]
    '2024-03-09'
    """
    return {
        "country": country,
        "events": [{"name": n, "start": str(s), "end": str(e)} for n, s, e in events],
    }


def holidays_between(
    holidays: dict[str, Any] | str,
    start: _dt.date | str,
    end: _dt.date | str,
) -> list[tuple[_dt.date, str]]:
    """The days a holiday calendar marks from ``start`` up to, not including,
    ``end``: ``(date, name)`` pairs sorted by date, the same days the models'
    ``holidays=`` features and effects use. ``holidays`` is a country name
    (``"zimbabwe"``, ``"india"``) or what :func:`calendar` returns.

    Raises :class:`hutano.InvalidParameterError` for an unknown country, a
    malformed date or ``end`` before ``start``.

    >>> holidays_between("zimbabwe", "2022-12-24", "2022-12-28")[-1]
    (datetime.date(2022, 12, 27), 'Christmas Day (observed)')
    >>> [name for _, name in holidays_between(calendar(events=[("strike", "2024-03-04", "2024-03-06")]),
    ...                                       "2024-03-01", "2024-04-01")]
    ['strike', 'strike']
    """
    spec = calendar(holidays) if isinstance(holidays, str) else holidays
    days = _hutano.calendar_days(json.dumps(spec), str(start), str(end))
    return [(_dt.date.fromisoformat(d), name) for d, name in days]


def outliers(y: Sequence[float] | Any, season: int = 7, threshold: float = 3.0) -> list[tuple[int, float, float]]:
    """The values :class:`Cleaned` replaces in one series, as ``(position,
    recorded value, replacement)``: to see what cleaning would change
    before trusting it. ``season`` 1 for none (7 for days, 24 for hours, 52
    for weeks, 12 for months).

    Raises :class:`hutano.InvalidParameterError` for a threshold that is not
    positive or a season of 0, :class:`hutano.InvalidDataError` (with
    ``row``) for a NaN or infinite value.

    >>> y = [22, 20, 21, 19, 20, 12, 10] * 8
    >>> y[30] = 2000  # a Wednesday
    >>> [(t, v, round(r)) for t, v, r in outliers(y)]
    [(30, 2000.0, 21)]
    """
    values = [float(v) for v in y]
    positions, replacements = _hutano.clean_series(values, int(season), float(threshold))
    return [(t, values[t], r) for t, r in zip(positions, replacements)]


class Model:
    """Base class: a model specification with a column name."""

    alias: str | None = None
    _name: str = ""

    @property
    def name(self) -> str:
        """Column name of the model's forecasts."""
        return self.alias or self._name

    def spec(self) -> dict[str, Any]:
        """The specification as a dict (``{"model": ..., ...}``)."""
        raise NotImplementedError

    def __getstate__(self) -> dict[str, Any]:
        return self.__dict__


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


@dataclass
class Naive(Model):
    """The last value, repeated; intervals widen with the square root of the step."""

    alias: str | None = None
    _name = "Naive"

    def spec(self) -> dict[str, Any]:
        return {"model": "naive"}


@dataclass
class SeasonalNaive(Model):
    """The value one season back (statsforecast's SeasonalNaive)."""

    season_length: int = 7
    alias: str | None = None
    _name = "SeasonalNaive"

    def spec(self) -> dict[str, Any]:
        return {"model": "seasonal_naive", "season_length": self.season_length}


@dataclass
class AutoARIMA(Model):
    """Automatic ARIMA (Hyndman–Khandakar search, exact likelihood, AICc), a port of
    statsforecast's ``AutoARIMA`` that reproduces its chosen models; extra columns
    of the frame are regressors (regression with ARIMA errors)."""

    season_length: int = 1
    stepwise: bool | None = None
    max_order: int | None = None
    alias: str | None = None
    _name = "AutoARIMA"

    def spec(self) -> dict[str, Any]:
        d = _clean({"stepwise": self.stepwise, "max_order": self.max_order})
        return {"model": "auto_arima", "season_length": self.season_length, **d}


@dataclass
class AutoETS(Model):
    """Automatic exponential smoothing (ETS), a port of statsforecast's ``AutoETS``: the
    candidate models by AICc, with seasonal states of ``season_length`` (``1`` searches
    non-seasonal models only)."""

    season_length: int = 1
    alias: str | None = None
    _name = "AutoETS"

    def spec(self) -> dict[str, Any]:
        return {"model": "auto_ets", "season_length": self.season_length}


@dataclass
class MSTL(Model):
    """Multiple seasonal-trend decomposition with an AutoETS trend."""

    season_length: int | Sequence[int] = 7
    alias: str | None = None
    _name = "MSTL"

    def spec(self) -> dict[str, Any]:
        s = self.season_length
        return {"model": "mstl", "season_lengths": [s] if isinstance(s, int) else list(s)}


@dataclass
class Boosted(Model):
    """Histogram gradient-boosted trees on lag, rolling, calendar, holiday and regressor features.

    One model per series by default; ``global_model=True`` learns one model across
    all series of the frame (each scaled by its recent mean), as LightGBM is used in
    ``mlforecast``: better for many short series (named ``GlobalBoosted``).
    ``calibration_windows`` and ``calibration_horizon`` set the held-out windows
    of its conformal intervals and their length. Unset, a window is a day of
    hours, two weeks of days, two months of weeks or a quarter of months, and
    there are as many windows as a finite 95% interval needs where the series
    have room (local: at least 3, 7 for months; global: at least 2); set
    ``calibration_horizon`` to the horizon you forecast when it is longer (steps
    past it reuse the last step's errors). ``calibration_windows=0`` fits a
    global model for point forecasts only, about twice as fast (asking it
    for intervals is then an error). ``max_leaves`` grows each tree leaf-wise
    to that many leaves, as LightGBM's ``num_leaves`` (the global model's
    default, 31, with no depth limit); 0 grows trees depth-wise to
    ``max_depth`` (the local model's default).

    >>> Boosted(global_model=True).name, Boosted(global_model=True).spec()["global"]
    ('GlobalBoosted', True)
    """

    n_estimators: int | None = None
    max_depth: int | None = None
    min_samples_leaf: int | None = None
    learning_rate: float | None = None
    seed: int | None = None
    holidays: dict[str, Any] | None = None
    global_model: bool = False
    calibration_windows: int | None = None
    calibration_horizon: int | None = None
    alias: str | None = None
    max_leaves: int | None = None
    _name = "Boosted"

    @property
    def name(self) -> str:
        """Column name of the model's forecasts."""
        return self.alias or ("GlobalBoosted" if self.global_model else "Boosted")

    def spec(self) -> dict[str, Any]:
        d = _clean(
            {
                "n_estimators": self.n_estimators,
                "max_depth": self.max_depth,
                "max_leaves": self.max_leaves,
                "min_samples_leaf": self.min_samples_leaf,
                "learning_rate": self.learning_rate,
                "seed": self.seed,
                "calendar": self.holidays,
                "global": self.global_model or None,
                "calibration_windows": self.calibration_windows,
                "calibration_horizon": self.calibration_horizon,
            }
        )
        return {"model": "boosted", **d}


@dataclass
class Forest(Model):
    """A random forest on the same features as :class:`Boosted`; ``global_model=True``
    learns one forest across all series (named ``GlobalForest``);
    ``calibration_windows`` and ``calibration_horizon`` as for :class:`Boosted`."""

    n_estimators: int | None = None
    max_depth: int | None = None
    min_samples_leaf: int | None = None
    max_features: float | None = None
    seed: int | None = None
    holidays: dict[str, Any] | None = None
    global_model: bool = False
    calibration_windows: int | None = None
    calibration_horizon: int | None = None
    alias: str | None = None
    _name = "Forest"

    @property
    def name(self) -> str:
        """Column name of the model's forecasts."""
        return self.alias or ("GlobalForest" if self.global_model else "Forest")

    def spec(self) -> dict[str, Any]:
        d = _clean(
            {
                "n_estimators": self.n_estimators,
                "max_depth": self.max_depth,
                "min_samples_leaf": self.min_samples_leaf,
                "max_features": self.max_features,
                "seed": self.seed,
                "calendar": self.holidays,
                "global": self.global_model or None,
                "calibration_windows": self.calibration_windows,
                "calibration_horizon": self.calibration_horizon,
            }
        )
        return {"model": "forest", **d}


@dataclass
class Prophet(Model):
    """A Prophet-like model: piecewise-linear (or, with ``growth="logistic"`` and a
    ``cap`` such as the bed count, saturating) trend with automatic changepoints,
    Fourier weekly, yearly and (hourly series) daily seasonality, holidays and
    regressors. Hourly, daily, weekly and monthly series."""

    growth: str = "linear"
    cap: float | None = None
    floor: float = 0.0
    regressor_prior_scale: float | None = None
    n_changepoints: int | None = None
    changepoint_prior_scale: float | None = None
    seasonality_prior_scale: float | None = None
    weekly_order: int | None = None
    yearly_order: int | None = None
    daily_order: int | None = None
    holidays: dict[str, Any] | None = None
    alias: str | None = None
    _name = "Prophet"

    def spec(self) -> dict[str, Any]:
        d = _clean(
            {
                "n_changepoints": self.n_changepoints,
                "changepoint_prior_scale": self.changepoint_prior_scale,
                "seasonality_prior_scale": self.seasonality_prior_scale,
                "weekly_order": self.weekly_order,
                "yearly_order": self.yearly_order,
                "daily_order": self.daily_order,
                "calendar": self.holidays,
                "regressor_prior_scale": self.regressor_prior_scale,
            }
        )
        if self.growth == "logistic":
            if self.cap is None:
                raise InvalidParameterError("logistic growth needs a cap (e.g. the number of beds)")
            d["growth"] = {"Logistic": {"cap": {"Constant": float(self.cap)}, "floor": float(self.floor)}}
        elif self.growth != "linear":
            raise InvalidParameterError(f"growth must be 'linear' or 'logistic', not {self.growth!r}")
        return {"model": "prophet", **d}


@dataclass
class GLM(Model):
    """Count regression on the calendar: a Poisson log-linear model with a
    piecewise-linear trend, weekday (and hour) effects, yearly Fourier terms
    (from 1.5 years of history), holiday and day-after-holiday effects
    (``holidays=calendar("zimbabwe")``), and a damped local level on its
    residuals (``level_damping`` per step; default: chosen per series on its
    last two held-out windows). Other columns of the frame are regressors (planned
    admissions), their effect a log rate ratio per standard deviation.
    Up to ``level_shifts`` lasting jumps in the level (a merger, a new
    wing; default 2, 0 for none) are found and fitted as steps; the history
    weighs half as much every ``half_life`` years back (default 1; 0 for
    equal weights). Intervals from its own k-step errors with a
    negative-binomial spread; never negative. Hourly, daily, weekly and
    monthly series of counts (a negative value is an error).

    >>> GLM(holidays=calendar("india")).spec()["calendar"]["country"]
    'india'
    >>> GLM(level_shifts=0, half_life=0).spec()
    {'model': 'glm', 'level_shifts': 0, 'half_life': 0}
    """

    yearly_order: int | None = None
    knots: list[float] | None = None
    level_alpha: float | None = None
    level_damping: float | None = None
    ridge: float | None = None
    holidays: dict[str, Any] | None = None
    level_shifts: int | None = None
    half_life: float | None = None
    alias: str | None = None
    _name = "GLM"

    def spec(self) -> dict[str, Any]:
        d = _clean(
            {
                "yearly_order": self.yearly_order,
                "knots": self.knots,
                "level_alpha": self.level_alpha,
                "level_damping": self.level_damping,
                "ridge": self.ridge,
                "calendar": self.holidays,
                "level_shifts": self.level_shifts,
                "half_life": self.half_life,
            }
        )
        return {"model": "glm", **d}


@dataclass
class Ensemble(Model):
    """Members weighted per series by their accuracy on rolling-origin windows
    inside the training data (never in-sample): ``validation_windows`` (2) windows of
    ``validation_horizon`` steps before the end, their errors scaled by the seasonal
    naive at ``season_length``. Unset, these follow the frequency: 24 and 24 for
    hours, 14 and 7 for days, 8 and 52 for weeks, 3 and 12 for months (a series
    then needs 2 x horizon + season + 1 values: 73 hours, 36 days, 69 weeks or
    19 months).

    A global model among the members (``Boosted(global_model=True)``,
    ``Forest(global_model=True)``) is learned across the frame's series at
    each validation cutoff and at the end, as it is on its own; the other
    members are fitted series by series.

    With ``pooled=True`` the weights are learned once for the whole frame by
    stacking: the non-negative weights summing to 1 that minimise the
    combined forecast's squared error over every series' validation points
    (each scaled by its series' MASE scale); at most 12 models.

    ``intervals`` sets the prediction intervals. ``"pooled"`` (default) takes
    their width from the ensemble's own errors on the validation windows of
    every series of the frame (studentized split conformal, each window
    combined with weights learned without it; no extra fit). ``"calibrated"``
    uses each series' own errors only (two windows of 3 months give a series
    6, too few for a 95 % interval: its bounds are then infinite; 19 are needed).
    ``"averaged"`` is the weighted mean of the models' bounds, which covers
    no more than the models' own intervals do.

    >>> Ensemble([SeasonalNaive(7), GLM()], pooled=True).spec()["pooled"]
    True
    >>> Ensemble([SeasonalNaive(7)], intervals="pooled").spec()["intervals"]
    'pooled'
    """

    models: Sequence[Model] = field(default_factory=list)
    validation_windows: int | None = None
    validation_horizon: int | None = None
    season_length: int | None = None
    pooled: bool | None = None
    intervals: Literal["averaged", "calibrated", "pooled"] | None = None
    alias: str | None = None
    _name = "Ensemble"

    def spec(self) -> dict[str, Any]:
        d = _clean(
            {
                "validation_windows": self.validation_windows,
                "validation_horizon": self.validation_horizon,
                "season": self.season_length,
                "pooled": self.pooled,
                "intervals": self.intervals,
            }
        )
        members = [{"name": m.name, "spec": m.spec()} for m in self.models]
        return {"model": "ensemble", "members": members, **d}


@dataclass
class Calibrated(Model):
    """Another model with its intervals recalibrated on held-out windows.

    The point forecast is the model's; the intervals keep the model's shape
    over the horizon but take their width from the model's own errors on the
    last ``windows x horizon`` observations, refitted without them
    (studentized split conformal). Use it when a model's own intervals cover
    less than their level (MSTL's treat the seasonal pattern as known).
    Costs ``windows`` extra fits per series. Unset, ``horizon`` is a day of
    hours, two weeks of days, two months of weeks or a quarter of months, and
    ``windows`` the fewest (at least 4) that give the 19 held-out errors a
    finite 95% interval needs: 7 for months (4 when pooled over 2 series or
    more).

    With ``pooled=True`` every series of the frame shares the held-out
    errors of all of them, each in units of its own model's standard
    deviation: for short series (a few years of months, or a couple of
    years of days), whose own errors are too few for a stable 95th
    percentile. It assumes the model misjudges its uncertainty by the same
    factor on every series.

    >>> m = Calibrated(MSTL(7), windows=4, pooled=True)
    >>> m.name, m.spec()["inner"]["model"], m.spec()["windows"], m.spec()["pooled"]
    ('CalibratedMSTL', 'mstl', 4, True)
    """

    model: Model = field(default_factory=lambda: MSTL(7))
    windows: int | None = None
    horizon: int | None = None
    pooled: bool | None = None
    alias: str | None = None

    @property
    def name(self) -> str:
        """Column name: the alias, or ``"Calibrated"`` + the model's name."""
        return self.alias or f"Calibrated{self.model.name}"

    def spec(self) -> dict[str, Any]:
        d = _clean({"windows": self.windows, "horizon": self.horizon, "pooled": self.pooled})
        return {"model": "calibrated", "inner": self.model.spec(), **d}


@dataclass
class Cleaned(Model):
    """Another model fitted to its series with outliers replaced.

    For data known to carry entry errors: one mistyped day (2,000
    admissions in a ward that sees 20) makes a seasonal ETS forecast about
    760 on that weekday from then on. Before the model is fitted, values
    more than ``threshold`` interquartile ranges outside the quartiles of
    the residuals of an STL decomposition (counts on a square-root scale)
    are replaced by interpolation, one at a time, the worst first, at most
    one in 20 (after R's ``tsoutliers``). A surge that lasts stays; one in
    the last days can look like outliers, hence not a default.
    ``season`` defaults to the frequency's (7 for days, 24 hours, 52 weeks,
    12 months). Forecasts and intervals are the model's on the cleaned
    series.

    >>> m = Cleaned(AutoETS(7), threshold=4)
    >>> m.name, m.spec()["inner"]["model"], m.spec()["threshold"]
    ('CleanedAutoETS', 'auto_ets', 4)
    """

    model: Model = field(default_factory=lambda: AutoETS(7))
    threshold: float | None = None
    season: int | None = None
    alias: str | None = None

    @property
    def name(self) -> str:
        """Column name: the alias, or ``"Cleaned"`` + the model's name."""
        return self.alias or f"Cleaned{self.model.name}"

    def spec(self) -> dict[str, Any]:
        d = _clean({"threshold": self.threshold, "season": self.season})
        return {"model": "cleaned", "inner": self.model.spec(), **d}
