"""Taking pandas and polars frames apart into NumPy columns, and back.

The native module never sees a DataFrame: it takes NumPy columns (no copy
where the frame already holds float64 / int64 buffers) and returns a dict of
NumPy columns, which :func:`make_frame` turns into the caller's frame type.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

import numpy as np

from hutano.exceptions import InvalidParameterError, invalid_data


def frame_kind(df: Any) -> str:
    """``"pandas"`` or ``"polars"``; objects exporting ``__arrow_c_stream__`` are read through polars."""
    mod = type(df).__module__.split(".")[0]
    if mod == "pandas":
        return "pandas"
    if mod == "polars":
        return "polars"
    raise InvalidParameterError(
        f"expected a pandas or polars DataFrame, got {type(df).__name__}"
    )


def coerce_frame(df: Any) -> tuple[Any, str]:
    """The frame, and its kind; Arrow C stream exporters become polars frames."""
    try:
        return df, frame_kind(df)
    except InvalidParameterError:
        if hasattr(df, "__arrow_c_stream__"):
            import polars as pl

            return pl.DataFrame(df), "polars"
        raise


@dataclass
class LongColumns:
    """Long-format columns ready for the native module."""

    kind: str
    codes: np.ndarray  # uint32, index into id_values
    id_values: Any  # original ids, in order of first appearance
    names: list[str]  # ids as text (the native module's series names)
    ds: np.ndarray  # int64 nanoseconds since 1970: wall-clock, or UTC for instants in a time zone
    tz: str | None  # the time zone of the input's timestamps, if they had one
    instants: bool  # ds holds UTC instants (hours across a clock change), not wall-clock times
    y: np.ndarray | None  # float64
    x: np.ndarray | None  # float64, rows × regressors, C order
    x_names: list[str]
    time_is_date: bool


def _check_columns(df: Any, cols: Sequence[str], kind: str) -> None:
    have = list(df.columns)
    for c in cols:
        if c not in have:
            raise invalid_data(f"column {c!r} is not in the frame (columns: {have})", column=c)


def long_columns(
    df: Any,
    id_col: str,
    time_col: str,
    target_col: str | None,
    exog: Sequence[str] | None = None,
    *,
    hourly: bool = False,
) -> LongColumns:
    """Split a long-format frame. ``exog=None`` takes every other column as a regressor (Nixtla's convention).

    Timestamps with a time zone become wall-clock times in that zone, so that calendar features
    (hour of day, weekday, holidays) are local. The exception is ``hourly`` data in a zone whose
    clock changes between the first timestamp and a year after the last: those become UTC
    instants, so that the hour a clock skips or repeats is not a gap or a duplicate (calendar
    features are then those of UTC). :func:`restore_time_zone` undoes either.
    """
    df, kind = coerce_frame(df)
    needed = [id_col, time_col] + ([target_col] if target_col else [])
    _check_columns(df, needed, kind)
    if len(df) == 0:
        raise invalid_data("the frame has no rows")
    if exog is None:
        exog = [c for c in df.columns if c not in needed]
    else:
        _check_columns(df, list(exog), kind)
    exog = [str(c) for c in exog]
    if kind == "pandas":
        import pandas as pd

        codes, uniques = pd.factorize(df[id_col], sort=False)
        if (codes < 0).any():
            row = int(np.argmax(codes < 0))
            raise invalid_data(f"missing {id_col} at row {row}", row=row, column=id_col)
        id_values: Any = uniques  # an Index: the ids' dtype (int, str, category) comes back as given
        t = df[time_col]
        if pd.api.types.is_numeric_dtype(t):
            raise _numeric_time(time_col)
        time_is_date = t.dtype == object and len(t) > 0 and type(t.iloc[0]).__name__ == "date"
        ds = pd.to_datetime(t)
        tz = getattr(ds.dt, "tz", None)
        instants = False
        if tz is not None:
            tz = str(tz)
            utc = ds.dt.tz_convert("UTC").dt.tz_localize(None)
            instants = hourly and _clock_changes(tz, utc.min(), utc.max())
            ds = utc if instants else ds.dt.tz_localize(None)
        ds_ns = ds.to_numpy(dtype="datetime64[ns]").view("int64")
        y = _pandas_floats(df, target_col, target=True) if target_col else None
        x = np.column_stack([_pandas_floats(df, c) for c in exog]) if exog else None
    else:
        import polars as pl

        ids = df[id_col]
        if ids.null_count():
            row = int(ids.is_null().arg_max())
            raise invalid_data(f"missing {id_col} at row {row}", row=row, column=id_col)
        uniques = ids.unique(maintain_order=True)
        mapping = {v: i for i, v in enumerate(uniques.to_list())}
        codes = ids.replace_strict(mapping, return_dtype=pl.UInt32).to_numpy()
        id_values = uniques
        t = df[time_col]
        if t.dtype.is_numeric():
            raise _numeric_time(time_col)
        time_is_date = t.dtype == pl.Date
        if t.dtype == pl.String:
            t = t.str.to_datetime()
        tz = getattr(t.dtype, "time_zone", None)
        t = t.cast(pl.Datetime("ns", tz))
        instants = False
        if tz:
            utc = t.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            instants = hourly and _clock_changes(tz, utc.min(), utc.max())
            t = utc if instants else t.dt.replace_time_zone(None)
        ds_ns = t.dt.epoch("ns").to_numpy()
        y = _polars_floats(df, target_col, target=True) if target_col else None
        x = np.column_stack([_polars_floats(df, c) for c in exog]) if exog else None
    return LongColumns(
        kind=kind,
        codes=np.ascontiguousarray(codes, dtype=np.uint32),
        id_values=id_values,
        names=[str(v) for v in (id_values if kind == "pandas" else id_values.to_list())],
        ds=np.ascontiguousarray(ds_ns, dtype=np.int64),
        y=None if y is None else np.ascontiguousarray(y, dtype=np.float64),
        x=x,
        x_names=exog,
        time_is_date=time_is_date,
        tz=tz or None,
        instants=instants,
    )


def _numeric_time(time_col: str) -> Exception:
    return invalid_data(
        f"column {time_col!r} holds numbers, not timestamps: give dates or datetimes "
        "(integer time steps are not supported)",
        column=time_col,
    )


def _not_numeric(column: str, row: int, value: Any, target: bool) -> Exception:
    hint = "" if target else "; pass exog=[...] to choose the regressor columns"
    return invalid_data(f"column {column!r} is not numeric: {value!r} at row {row}{hint}", row=row, column=column)


def _pandas_floats(df: Any, column: str, *, target: bool = False) -> np.ndarray:
    """Column ``column`` as float64 (None and NA as NaN), or an error naming the first value that is not a number."""
    import pandas as pd

    col = df[column]
    try:
        return np.asarray(col.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    except (ValueError, TypeError):
        bad = pd.to_numeric(col, errors="coerce").isna().to_numpy() & col.notna().to_numpy()
        row = int(np.argmax(bad))
        raise _not_numeric(column, row, col.iloc[row], target) from None


def _polars_floats(df: Any, column: str, *, target: bool = False) -> np.ndarray:
    """As :func:`_pandas_floats`, for a polars frame."""
    import polars as pl

    col = df[column]
    try:
        return col.cast(pl.Float64).fill_null(float("nan")).to_numpy()
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
        bad = (col.cast(pl.Float64, strict=False).is_null() & col.is_not_null()).to_numpy()
        row = int(np.argmax(bad))
        raise _not_numeric(column, row, col[row], target) from None


def _clock_changes(tz: str, first: Any, last: Any) -> bool:
    """Whether zone ``tz``'s offset from UTC changes between the UTC times ``first`` and a year
    after ``last`` (the forecasts' side included); False for a fixed offset (``UTC+02:00``)."""
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    start = datetime(first.year, first.month, first.day, tzinfo=timezone.utc)
    days = (datetime(last.year, last.month, last.day, tzinfo=timezone.utc) - start).days + 367
    return len({(start + timedelta(days=d)).astimezone(zone).utcoffset() for d in range(days)}) > 1


def restore_time_zone(frame: Any, kind: str, columns: Sequence[str], tz: str, instants: bool) -> Any:
    """Give ``columns`` (naive, as :func:`long_columns` made them) back the input's time zone ``tz``.

    A wall-clock time a clock change repeats (a midnight some zones repeat) takes the earlier
    reading; one it skips becomes the first valid time after it (pandas) or null (polars).
    """
    if kind == "pandas":
        for c in columns:
            col = frame[c]
            if instants:
                frame[c] = col.dt.tz_localize("UTC").dt.tz_convert(tz)
            else:
                frame[c] = col.dt.tz_localize(tz, ambiguous=np.ones(len(col), dtype=bool), nonexistent="shift_forward")
        return frame
    import polars as pl

    if instants:
        exprs = [pl.col(c).dt.replace_time_zone("UTC").dt.convert_time_zone(tz) for c in columns]
    else:
        exprs = [pl.col(c).dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null") for c in columns]
    return frame.with_columns(exprs)


def make_frame(
    kind: str,
    columns: dict[str, Any],
    *,
    id_col: str = "unique_id",
    id_values: Any = None,
    series: np.ndarray | None = None,
    datetime_cols: Sequence[str] = (),
    date_cols: Sequence[str] = (),
) -> Any:
    """Build a frame of ``kind`` from NumPy columns (insertion order kept).

    ``series`` (codes into ``id_values``) becomes the ``id_col`` column;
    ``datetime_cols`` hold int64 nanoseconds, ``date_cols`` int64 days since 1970.
    """
    out: dict[str, Any] = {}
    if series is not None:
        if kind == "pandas":
            out[id_col] = id_values.take(series)
        else:
            out[id_col] = id_values.gather(series.astype(np.int64))
    for name, col in columns.items():
        if name in datetime_cols:
            col = np.asarray(col, dtype=np.int64).view("datetime64[ns]")
        elif name in date_cols:
            col = np.asarray(col, dtype=np.int64).astype("datetime64[D]")
        out[name] = col
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(out)
    import polars as pl

    frame = pl.DataFrame({k: (v if not isinstance(v, pl.Series) else v.alias(k)) for k, v in out.items()})
    casts = [pl.col(c).cast(pl.Date) for c in date_cols if c in frame.columns]
    return frame.with_columns(casts) if casts else frame


def default_kind() -> str:
    """pandas when installed, else polars."""
    try:
        import pandas  # noqa: F401

        return "pandas"
    except ImportError:
        try:
            import polars  # noqa: F401

            return "polars"
        except ImportError as e:  # pragma: no cover - numpy-only installs
            raise InvalidParameterError("install pandas or polars to get DataFrames") from e
