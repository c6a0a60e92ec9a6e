"""Allocation plans: beds, staff rosters, ambulance dispatch and freed slots.

Each planner builds a linear or mixed-integer programme from tables, solves
it to proven optimality in Rust (hutano-optimize with the pure-Rust microlp
backend) and returns the plan as tables plus totals. Tables may be pandas or
polars DataFrames, dicts of columns or lists of row dicts; the plan's tables
come back in the caller's frame library (pandas when only dicts were given,
or as ``frame="pandas"``/``"polars"`` says).

Hard constraints either all hold or the call raises
:class:`~hutano.InfeasiblePlanError`, whose ``shortfalls`` name each
constraint that cannot be met; soft goals are costs in the objective. A bad
cell raises :class:`~hutano.InvalidDataError` naming the table, ``column``
and ``row`` (0-based position); a bad option
:class:`~hutano.InvalidParameterError`. The solve runs with the GIL released
and Ctrl-C raises ``KeyboardInterrupt`` at once (the model being solved
finishes in the background, as the solver cannot be stopped midway, and no
further independent part — a day of beds, a component of a roster — starts).

Eight ICU patients at HRE, six ICU beds there and four at CHT: two patients
are transferred.

>>> import hutano
>>> plan = hutano.plan_beds(
...     hospitals={"HRE": (-17.83, 31.05), "CHT": (-18.97, 32.67)},
...     pools=[{"ward": "HRE-ICU", "hospital": "HRE", "service": "Intensive care", "bed_type": "icu", "beds": 6},
...            {"ward": "CHT-ICU", "hospital": "CHT", "service": "Intensive care", "bed_type": "icu", "beds": 4}],
...     demand=[{"hospital": "HRE", "service": "Intensive care", "bed_type": "icu", "patients": 8}],
...     start="2024-05-03", days=1)
>>> plan.summary["transferred_patients"], round(plan.objective, 1)  # 2 × (50 + 0.5/km × 262.8 km)
(2, 312.8)
>>> plan.placements[["ward", "patients", "transfer"]].values.tolist()
[['HRE-ICU', 6, False], ['CHT-ICU', 2, True]]
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from hutano import _hutano
from hutano._frames import coerce_frame, default_kind, make_frame
from hutano.exceptions import InvalidDataError, InvalidParameterError, invalid_data

__all__ = [
    "BedPlan",
    "DispatchPlan",
    "SlotPlan",
    "StaffPlan",
    "plan_beds",
    "plan_dispatch",
    "plan_slots",
    "plan_staff",
]

_NAT = int(np.iinfo(np.int64).min)

# Column types of each input table; Rust gives them their meaning (required
# columns, defaults, codes) and checks every cell.
_HOSPITALS = {"hospital": "str", "lat": "float", "lon": "float"}
_POOLS = {"ward": "str", "hospital": "str", "service": "str", "bed_type": "str", "beds": "float", "date": "date"}
_DEMAND = {
    "hospital": "str",
    "service": "str",
    "bed_type": "str",
    "patients": "float",
    "date": "date",
    "stay_days": "float",
}
_STAFF = {
    "staff": "str",
    "role": "str",
    "unit": "str",
    "units": "list",
    "skills": "list",
    "contracted_hours_per_week": "float",
    "max_overtime_hours_per_week": "float",
    "hourly_cost": "float",
    "leave": "datelist",
}
_REQUIREMENTS = {
    "unit": "str",
    "role": "str",
    "skill": "str",
    "date": "date",
    "shift": "str",
    "target": "float",
    "minimum": "float",
}
_SHIFTS = {"name": "str", "start_minute": "float", "length_minutes": "float", "night": "bool"}
_REQUESTS = {"request": "str", "lat": "float", "lon": "float", "weight": "float", "bed_type": "str", "needs_als": "bool"}
_AMBULANCES = {"ambulance": "str", "lat": "float", "lon": "float", "kind": "str"}
_DESTINATIONS = {
    "hospital": "str",
    "lat": "float",
    "lon": "float",
    "bed_type": "str",
    "free_now": "float",
    "free_forecast": "float",
}
_SLOTS = {"slot": "str", "equipment": "str", "start": "datetime", "minutes": "float", "capabilities": "list"}
_WAITING = {
    "patient": "str",
    "equipment": "str",
    "minutes": "float",
    "needs": "list",
    "priority": "float",
    "waited_days": "float",
    "ready_from": "datetime",
}


# --------------------------------------------------------------------------
# Results


@dataclass(frozen=True, repr=False)
class BedPlan:
    """A bed plan.

    ``placements``: one row per day, demand group and ward the group is in
    that day (a stay of several days has a row on each of its days, so the
    rows of a date are that day's occupancy) — ``date``, ``hospital`` (where
    the patients are), ``service``, ``bed_type_needed``, ``to_hospital``,
    ``ward``, ``bed_type`` (given), ``patients``, ``off_service`` (a ward of
    another service), ``transfer`` (another hospital), ``distance_km`` (0
    when not moved) and ``arrival`` (the first day of the stay: the day the
    patients are placed and, with ``transfer``, moved).
    ``unmet``: ``date``, ``hospital``, ``service``, ``bed_type``, ``patients``
    left without a bed that day. ``summary``: ``unmet_patients``,
    ``off_service_patients`` and ``wrong_type_patients`` (patient-days),
    ``transferred_patients`` (each moved patient once), ``transfer_km``
    (patient-km). ``objective``: the minimised cost. ``bound`` (plans solved
    with a ``node_limit`` or ``gap``): ``lower_bound`` (proven: no plan costs
    less), ``gap`` (``(objective − lower_bound) / objective``), ``optimal`` and
    ``nodes``; None for exact solves, which are optimal.
    """

    placements: Any
    unmet: Any
    summary: dict[str, Any]
    objective: float
    bound: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return (
            f"BedPlan(objective={self.objective:.6g}, placements={len(self.placements)} rows, "
            f"unmet={len(self.unmet)} rows)"
        )


@dataclass(frozen=True, repr=False)
class StaffPlan:
    """A roster.

    ``assignments``: ``date``, ``shift``, ``unit``, ``staff``, ``role``,
    ``hours``, ordered by day, shift, unit and member. ``understaffing``: the
    requirements whose target is not met — ``date``, ``shift``, ``unit``,
    ``role``, ``skill``, ``target``, ``minimum``, ``staffed``, ``missing``.
    ``summary``: ``shifts``, ``hours``, ``overtime_hours``, ``wages``,
    ``missing``, ``max_nights``, ``max_weekend_shifts``. ``objective``: wages,
    overtime premium, understaffing and fairness penalties. ``bound`` (plans
    solved with a ``node_limit`` or ``gap``): ``lower_bound`` (proven: no roster
    costs less), ``gap`` (``(objective − lower_bound) / objective``), ``optimal``
    and ``nodes``; None for exact solves, which are optimal.
    """

    assignments: Any
    understaffing: Any
    summary: dict[str, Any]
    objective: float
    bound: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return (
            f"StaffPlan(objective={self.objective:.6g}, assignments={len(self.assignments)} rows, "
            f"understaffing={len(self.understaffing)} rows)"
        )


@dataclass(frozen=True, repr=False)
class DispatchPlan:
    """A dispatch round.

    ``dispatches``: ``request``, ``ambulance``, ``hospital``, ``bed_type``,
    ``weight``, ``response_minutes``, ``transfer_minutes``. ``waiting``: the
    requests left for the next round — ``request``, ``bed_type``, ``weight``,
    ``needs_als``. ``summary``: ``dispatched``, ``waiting``,
    ``response_minutes`` and ``transfer_minutes`` (sums). ``objective``:
    weighted minutes.
    """

    dispatches: Any
    waiting: Any
    summary: dict[str, Any]
    objective: float

    def __repr__(self) -> str:
        return (
            f"DispatchPlan(objective={self.objective:.6g}, dispatches={len(self.dispatches)} rows, "
            f"waiting={len(self.waiting)} rows)"
        )


@dataclass(frozen=True, repr=False)
class SlotPlan:
    """Freed slots filled from the waiting list.

    ``bookings``: ``slot``, ``equipment``, ``start``, ``patient``,
    ``priority``, ``waited_days``, ``value`` (priority weight × (1 + weeks
    waited) less the delay penalty). ``empty``: ``slot``, ``equipment``,
    ``start``, ``minutes``. ``summary``: ``booked``, ``empty_slots``,
    ``unbooked_patients``, ``value``. ``objective``: minus the value.
    """

    bookings: Any
    empty: Any
    summary: dict[str, Any]
    objective: float

    def __repr__(self) -> str:
        return (
            f"SlotPlan(objective={self.objective:.6g}, bookings={len(self.bookings)} rows, "
            f"empty={len(self.empty)} rows)"
        )


# --------------------------------------------------------------------------
# Input tables


def _is_null(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return bool(v != v)
    if isinstance(v, np.datetime64):
        return bool(np.isnat(v))
    return type(v).__name__ in ("NAType", "NaTType")


def _as_list(values: Any) -> list[Any]:
    mod = type(values).__module__.split(".")[0]
    if mod == "pandas":
        return list(values.tolist())
    if mod == "polars":
        return list(values.to_list())
    if isinstance(values, np.ndarray):
        return list(values.tolist())
    return list(values)


def _columns(obj: Any, table: str) -> tuple[dict[str, list[Any]], str | None]:
    """Columns of a frame, a dict of columns or a list of row dicts; and the frame kind (None for dicts)."""
    if obj is None:
        return {}, None
    if isinstance(obj, Mapping):
        cols: dict[str, list[Any]] = {}
        for k, v in obj.items():
            if isinstance(v, (str, bytes)) or not hasattr(v, "__len__"):
                raise InvalidParameterError(f"{table}: column {k!r} must be a sequence of values, got {v!r}")
            cols[str(k)] = _as_list(v)
        return cols, None
    if isinstance(obj, Sequence) and not isinstance(obj, (str, bytes)):
        keys: list[Any] = []
        for i, row in enumerate(obj):
            if not isinstance(row, Mapping):
                raise InvalidParameterError(f"{table}: row {i} is not a dict: {row!r}")
            keys.extend(k for k in row if k not in keys)
        return {str(k): [row.get(k) for row in obj] for k in keys}, None
    df, kind = coerce_frame(obj)
    return {str(c): _as_list(df[c]) for c in df.columns}, kind


def _cell_error(table: str, column: str, row: int, message: str) -> InvalidDataError:
    return invalid_data(f"{table}: {message} at row {row}", row=row, column=column)


def _datetime64(v: Any) -> np.datetime64:
    if isinstance(v, np.datetime64):
        return v
    if hasattr(v, "to_datetime64"):  # pandas Timestamp (nanoseconds)
        if getattr(v, "tzinfo", None) is not None:
            v = v.tz_localize(None)
        return np.datetime64(v.to_datetime64())
    if isinstance(v, _dt.datetime):
        return np.datetime64(v.replace(tzinfo=None))
    if isinstance(v, _dt.date):
        return np.datetime64(v, "D")
    if isinstance(v, str):
        return np.datetime64(v.strip())
    raise TypeError(f"not a date: {v!r}")


def _day(v: Any) -> int:
    return int(_datetime64(v).astype("datetime64[D]").astype(np.int64))


def _ns(v: Any) -> int:
    return int(_datetime64(v).astype("datetime64[ns]").astype(np.int64))


def _is_scalar_date(v: Any) -> bool:
    return isinstance(v, (str, _dt.date, np.datetime64)) or hasattr(v, "to_datetime64")


def _convert(values: list[Any], typ: str, table: str, column: str) -> Any:
    def cell(i: int, v: Any, f: Callable[[Any], Any], what: str) -> Any:
        try:
            return f(v)
        except (TypeError, ValueError, OverflowError):
            raise _cell_error(table, column, i, f"cannot read {column} {v!r} as {what}") from None

    if typ == "str":
        return [None if _is_null(v) else str(v) for v in values]
    if typ == "float":
        out = np.empty(len(values), dtype=np.float64)
        for i, v in enumerate(values):
            if _is_null(v):
                out[i] = np.nan
            elif isinstance(v, (numbers.Real, np.bool_)):
                out[i] = float(v)
            else:
                raise _cell_error(table, column, i, f"{column} must be a number, got {v!r}")
        return out
    if typ == "bool":
        flags: list[bool | None] = []
        for i, v in enumerate(values):
            if _is_null(v):
                flags.append(None)
            elif isinstance(v, (bool, np.bool_)) or (isinstance(v, numbers.Real) and v in (0, 1)):
                flags.append(bool(v))
            else:
                raise _cell_error(table, column, i, f"{column} must be true or false, got {v!r}")
        return flags
    if typ in ("date", "datetime"):
        f = _day if typ == "date" else _ns
        return np.array(
            [_NAT if _is_null(v) else cell(i, v, f, "a " + typ.replace("datetime", "date-time")) for i, v in enumerate(values)],
            dtype=np.int64,
        )
    if typ == "list":
        lists: list[list[str]] = []
        for v in values:
            if _is_null(v):
                lists.append([])
            elif isinstance(v, str):
                lists.append([v])
            else:
                lists.append([str(x) for x in _as_list(v) if not _is_null(x)])
        return lists
    if typ == "datelist":
        days: list[list[int]] = []
        for i, v in enumerate(values):
            if _is_null(v):
                days.append([])
            elif _is_scalar_date(v):
                days.append([cell(i, v, _day, "a date")])
            else:
                days.append([cell(i, x, _day, "a date") for x in _as_list(v) if not _is_null(x)])
        return days
    raise AssertionError(typ)  # pragma: no cover


def _table(obj: Any, table: str, spec: Mapping[str, str]) -> tuple[dict[str, Any], str | None]:
    """The typed columns of ``spec`` found in ``obj`` (others are ignored), and its frame kind."""
    cols, kind = _columns(obj, table)
    lengths = {len(v) for v in cols.values()}
    if len(lengths) > 1:
        raise InvalidParameterError(f"{table}: columns differ in length ({sorted(lengths)})")
    return {name: _convert(cols[name], typ, table, name) for name, typ in spec.items() if name in cols}, kind


def _json_default(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    raise TypeError(f"{type(v).__name__} is not a number")


def _options(options: Mapping[str, Any] | None, what: str) -> str | None:
    """Options (costs, rules, weights, ratios) as JSON, merged over the defaults in Rust."""
    if options is None:
        return None
    if not isinstance(options, Mapping):
        raise InvalidParameterError(f"{what} must be a dict, got {type(options).__name__}")
    for k, v in options.items():
        vals = v if isinstance(v, (list, tuple, np.ndarray)) else [v]
        for x in vals:
            if isinstance(x, (float, np.floating)) and not math.isfinite(x):
                raise InvalidParameterError(f"{what}[{k!r}] must be finite, got {v!r}")
    try:
        return json.dumps(dict(options), allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as e:
        raise InvalidParameterError(f"{what}: {e}") from None


def _iso_date(v: Any, what: str = "start") -> str:
    try:
        return str(_datetime64(v).astype("datetime64[D]"))
    except (TypeError, ValueError):
        raise InvalidParameterError(f"{what} must be a date (e.g. '2024-05-03'), got {v!r}") from None


def _days(days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise InvalidParameterError(f"days must be a positive whole number, got {days!r}")
    return int(days)


def _kind(frame: str | None, *kinds: str | None) -> str:
    if frame is not None:
        if frame not in ("pandas", "polars"):
            raise InvalidParameterError(f"frame must be 'pandas' or 'polars', got {frame!r}")
        return frame
    return next((k for k in kinds if k is not None), None) or default_kind()


def _frame(cols: Mapping[str, Any], kind: str) -> Any:
    data: dict[str, Any] = {}
    dates: list[str] = []
    times: list[str] = []
    for k, v in cols.items():
        if isinstance(v, tuple) and v[0] == "date":
            data[k] = v[1]
            dates.append(k)
        elif isinstance(v, tuple) and v[0] == "datetime":
            data[k] = v[1]
            times.append(k)
        else:
            data[k] = v
    return make_frame(kind, data, date_cols=dates, datetime_cols=times)


def _bed_plan(out: Mapping[str, Any], kind: str) -> BedPlan:
    bound = out.get("bound")
    return BedPlan(
        _frame(out["placements"], kind),
        _frame(out["unmet"], kind),
        dict(out["summary"]),
        float(out["objective"]),
        None if bound is None else dict(bound),
    )


def _node_limit(v: int | None) -> int | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise InvalidParameterError(f"node_limit must be a non-negative integer, got {v!r}")
    return v


def _gap(v: float | None) -> float | None:
    if v is None:
        return None
    g = float(v)
    if not (g >= 0.0 and g < 1.0):
        raise InvalidParameterError(f"gap must be in [0, 1), got {v!r}")
    return g


def _staff_plan(out: Mapping[str, Any], kind: str) -> StaffPlan:
    bound = out.get("bound")
    return StaffPlan(
        _frame(out["assignments"], kind),
        _frame(out["understaffing"], kind),
        dict(out["summary"]),
        float(out["objective"]),
        None if bound is None else dict(bound),
    )


# --------------------------------------------------------------------------
# Planners


def plan_beds(
    hospitals: Any,
    pools: Any,
    demand: Any,
    start: Any,
    days: int,
    costs: Mapping[str, float] | None = None,
    allow_unmet: bool = True,
    *,
    node_limit: int | None = None,
    gap: float | None = None,
    frame: str | None = None,
) -> BedPlan:
    """Place patients in beds across hospitals at least cost, each for their whole stay.

    Parameters
    ----------
    hospitals
        ``hospital`` codes with optional ``lat``/``lon`` (degrees; transfers from or
        to a hospital without a location count as 0 km). Also a dict
        ``{code: (lat, lon) or None}`` or a list of codes.
    pools
        Beds: ``ward``, ``hospital``, ``service`` (the ward's department, e.g.
        ``"Medicine"``), ``bed_type`` (``general``, ``private``, ``icu``, ``hdu``,
        ``maternity``, ``isolation``) and ``beds``. Without a ``date`` column the
        beds are the same every day; with one, each row is one ward's beds of a type
        on one day (none on days without a row).
    demand
        Patients needing a bed: ``hospital`` (where they are), ``service``,
        ``bed_type`` (the acuity they need) and ``patients``; with a ``date`` column
        per day, without one the same on every day (e.g. a forecast rounded up).
        Optional ``stay_days`` (default 1, at least 1): the patients arrive on
        ``date`` and need a bed through ``date + stay_days - 1`` (clipped at the end
        of the plan), in one ward for the whole stay. With stays of one day each day
        is planned on its own (a daily census); patients already in beds at
        ``start`` are a row dated ``start`` with their remaining stay.
    start, days
        The first day (a date or ISO text) and the number of days. Dates outside
        ``[start, start + days)`` are an error.
    costs
        Overrides of the objective weights: per patient-day ``unmet`` (1000),
        ``off_service`` (10) and ``wrong_bed_type`` (20); once per patient moved to
        another hospital, on the arrival day, ``transfer_fixed`` (50) and
        ``transfer_per_km`` (0.5); and the limit ``max_transfer_km`` (400).
    allow_unmet
        When False every patient must be placed, or :class:`~hutano.InfeasiblePlanError`
        names each group (bed type, service, hospital, day) that cannot be.
    node_limit, gap
        Solve within a budget instead of to proven optimality: at most ``node_limit``
        branch-and-bound nodes per independent block of days (reproducible), and/or
        stop once within relative ``gap`` of the proven lower bound. Placements are
        then improved by moving whole stays into beds left free. The plan carries
        ``bound`` (its lower bound and gap). Only stays longer than a day need one:
        with one-day stays every day is solved exactly at the root.
    frame
        ``"pandas"`` or ``"polars"`` for the result; default: the inputs' library.

    A bed may take a patient needing the same type or a lower acuity (general → HDU,
    ICU or private; HDU → ICU; maternity and isolation → private), never the reverse.
    Unmet, off-service and wrong-type placements cost what ``costs`` say per
    patient-day, a transfer once per patient. Stays longer than a day couple the
    days, and the plan is then a mixed-integer programme solved by branch and bound
    to proven optimality, which can take long and much memory on a large network
    over weeks: give a ``node_limit`` there (the national network over 30 days with
    the encounters' stays: 2.5 minutes with ``node_limit=200``, 0.014 % above the
    optimum).

    >>> import hutano
    >>> plan = hutano.plan_beds(
    ...     ["HRE"],
    ...     {"ward": ["MED-1"], "hospital": ["HRE"], "service": ["Medicine"], "bed_type": ["general"], "beds": [10]},
    ...     {"hospital": ["HRE"], "service": ["Medicine"], "bed_type": ["general"], "patients": [12]},
    ...     "2024-05-03", 1)
    >>> plan.summary["unmet_patients"], plan.objective
    (2, 2000.0)
    >>> try:
    ...     hutano.plan_beds(["HRE"], {"ward": ["MED-1"], "hospital": ["HRE"], "service": ["Medicine"],
    ...                                "bed_type": ["general"], "beds": [10]},
    ...                      {"hospital": ["HRE"], "service": ["Medicine"], "bed_type": ["general"],
    ...                       "patients": [12]}, "2024-05-03", 1, allow_unmet=False)
    ... except hutano.InfeasiblePlanError as e:
    ...     print(e.shortfalls[0])
    general beds for Medicine patients at HRE on 2024-05-03: 12 needed, 10 available
    """
    if isinstance(hospitals, Mapping) and "hospital" not in hospitals:
        locs = [None if v is None else tuple(v) for v in hospitals.values()]
        if any(loc is not None and len(loc) != 2 for loc in locs):
            raise InvalidParameterError("hospitals: give each code a (lat, lon) pair or None")
        hospitals = {
            "hospital": [str(k) for k in hospitals],
            "lat": [math.nan if loc is None else loc[0] for loc in locs],
            "lon": [math.nan if loc is None else loc[1] for loc in locs],
        }
    elif isinstance(hospitals, Sequence) and not isinstance(hospitals, str) and all(isinstance(h, str) for h in hospitals):
        hospitals = {"hospital": list(hospitals)}
    h, k1 = _table(hospitals, "hospitals", _HOSPITALS)
    p, k2 = _table(pools, "pools", _POOLS)
    d, k3 = _table(demand, "demand", _DEMAND)
    kind = _kind(frame, k2, k3, k1)
    out = _hutano.plan_beds(
        h,
        p,
        d,
        _iso_date(start),
        _days(days),
        _options(costs, "costs"),
        bool(allow_unmet),
        _node_limit(node_limit),
        _gap(gap),
    )
    return _bed_plan(out, kind)


def plan_staff(
    staff: Any,
    requirements: Any,
    start: Any,
    days: int,
    shifts: Any = None,
    rules: Mapping[str, float] | None = None,
    *,
    node_limit: int | None = None,
    gap: float | None = None,
    frame: str | None = None,
) -> StaffPlan:
    """Roster staff onto shifts: binary member × unit × day × shift assignments.

    Parameters
    ----------
    staff
        One row per member: ``staff`` (code), ``role`` (``doctor``, ``nurse``,
        ``clinical_officer``, ``pharmacist``, ``technician``, ``support``,
        ``admin``), ``unit`` (or ``units``, lists), and optionally ``skills`` (lists),
        ``contracted_hours_per_week`` (40), ``max_overtime_hours_per_week`` (0),
        ``hourly_cost`` (0) and ``leave`` (lists of dates: no shift starts on them).
    requirements
        Staff wanted on a shift: ``unit``, ``role``, optional ``skill`` (every counted
        member must have it), ``date``, ``shift`` (a shift name), ``target`` (soft:
        each missing member costs ``understaffing_penalty``) and ``minimum`` (the hard
        safe-staffing floor, default 0).
    start, days
        The first day and the number of days; weeks for contracted hours are 7-day
        blocks from ``start``.
    shifts
        ``name``, ``start_minute`` (after midnight), ``length_minutes`` and ``night``;
        default day 07–15, evening 15–23 and night 23–07.
    rules
        Overrides of ``min_rest_hours`` (11), ``overtime_premium`` (0.5),
        ``understaffing_penalty`` (1000), ``night_fairness`` (20) and
        ``weekend_fairness`` (20).
    node_limit, gap
        Solve within a budget instead of to proven optimality: at most ``node_limit``
        branch-and-bound nodes per independent part of the roster (reproducible), and/or
        stop once within relative ``gap`` of the proven lower bound. The plan then
        carries ``bound`` (its lower bound and gap). Large rosters (a national network
        over a month) need one; exact solves can take hours.
    frame
        ``"pandas"`` or ``"polars"`` for the result; default: the inputs' library.

    Hard rules: role, unit, skill and leave; minimum rest between shifts (which also
    forbids overlaps); weekly hours up to contracted plus overtime; the floors. A floor
    that cannot be met raises :class:`~hutano.InfeasiblePlanError` naming the shift.

    Three ICU nurses cover one nurse per shift for two days (Friday and Saturday):
    six 8-hour shifts at 10 an hour, plus one night beyond a fair share (the night
    nurse of Friday can only work the Saturday night within the 11-hour rest rule).

    >>> import hutano
    >>> staff = {"staff": ["N1", "N2", "N3"], "role": ["nurse"] * 3, "unit": ["ICU"] * 3, "hourly_cost": [10.0] * 3}
    >>> need = [{"unit": "ICU", "role": "nurse", "date": d, "shift": s, "target": 1, "minimum": 1}
    ...         for d in ("2024-05-03", "2024-05-04") for s in ("day", "evening", "night")]
    >>> plan = hutano.plan_staff(staff, need, "2024-05-03", 2)
    >>> len(plan.assignments), plan.summary["wages"], plan.objective
    (6, 480.0, 500.0)
    """
    s, k1 = _table(staff, "staff", _STAFF)
    r, k2 = _table(requirements, "requirements", _REQUIREMENTS)
    sh = None if shifts is None else _table(shifts, "shifts", _SHIFTS)[0]
    kind = _kind(frame, k1, k2)
    out = _hutano.plan_staff(
        s, r, _iso_date(start), _days(days), sh, _options(rules, "rules"), _node_limit(node_limit), _gap(gap)
    )
    return _staff_plan(out, kind)


def plan_dispatch(
    requests: Any,
    ambulances: Any,
    hospitals: Any,
    *,
    speed_kmh: float = 50.0,
    unserved_minutes: float = 240.0,
    frame: str | None = None,
) -> DispatchPlan:
    """Send ambulances to waiting requests and each patient to a hospital with a bed.

    Parameters
    ----------
    requests
        ``request`` (id), ``lat``, ``lon``, ``bed_type`` needed, optional ``weight``
        (acuity, multiplies every minute; default 1) and ``needs_als`` (an
        advanced-life-support crew is required; default False).
    ambulances
        ``ambulance`` (code), ``lat``, ``lon``, ``kind`` (``advanced_life_support``
        or ``als``, ``basic_life_support`` or ``bls``).
    hospitals
        One row per hospital and bed type: ``hospital``, ``lat``, ``lon``,
        ``bed_type``, ``free_now`` and optional ``free_forecast`` (free at the expected
        arrival, e.g. a forecast's lower bound; default ``free_now``). A hospital takes
        at most ``min(free_now, floor(free_forecast))`` patients of a type.
    speed_kmh
        Road speed for travel times over great-circle distances.
    unserved_minutes
        Cost (in minutes, times the weight) of a request left for the next round.
    frame
        ``"pandas"`` or ``"polars"`` for the result; default: the inputs' library.

    The objective is the weighted response plus transfer minutes, plus waiting; every
    round is feasible (requests may wait).

    >>> import hutano
    >>> plan = hutano.plan_dispatch(
    ...     [{"request": "call-1", "lat": -17.80, "lon": 31.05, "bed_type": "icu", "weight": 4, "needs_als": True}],
    ...     [{"ambulance": "A1", "lat": -17.83, "lon": 31.05, "kind": "als"},
    ...      {"ambulance": "B1", "lat": -17.80, "lon": 31.06, "kind": "bls"}],
    ...     [{"hospital": "HRE", "lat": -17.82, "lon": 31.03, "bed_type": "icu", "free_now": 1}],
    ...     speed_kmh=40)
    >>> plan.dispatches[["request", "ambulance", "hospital"]].values.tolist()
    [['call-1', 'A1', 'HRE']]
    """
    rq, k1 = _table(requests, "requests", _REQUESTS)
    am, k2 = _table(ambulances, "ambulances", _AMBULANCES)
    ho, k3 = _table(hospitals, "hospitals", _DESTINATIONS)
    kind = _kind(frame, k1, k2, k3)
    out = _hutano.plan_dispatch(rq, am, ho, float(speed_kmh), float(unserved_minutes))
    return DispatchPlan(
        _frame(out["dispatches"], kind), _frame(out["waiting"], kind), dict(out["summary"]), float(out["objective"])
    )


def plan_slots(
    slots: Any,
    waiting: Any,
    *,
    weights: Mapping[str, Any] | None = None,
    frame: str | None = None,
) -> SlotPlan:
    """Offer freed diagnostic or procedure slots to the waiting list.

    Parameters
    ----------
    slots
        ``slot`` (id), ``equipment`` (room or modality), ``start`` (date-time),
        ``minutes`` and optional ``capabilities`` (lists, e.g. ``["contrast"]``).
    waiting
        ``patient`` (id), ``equipment``, ``minutes`` needed, ``priority`` (1 most
        urgent to 4 routine), optional ``needs`` (capabilities), ``waited_days`` (0)
        and ``ready_from`` (earliest start once prepared; default the first slot).
    weights
        Overrides of ``priority`` (the four priorities' weights, ``[1000, 100, 10,
        1]``) and ``delay_weight`` (0.01 per day between ready and slot).
    frame
        ``"pandas"`` or ``"polars"`` for the result; default: the inputs' library.

    A patient fits a slot with the same equipment, enough minutes, every capability
    needed and a start no earlier than ``ready_from``; each slot takes one patient.
    The value of a booking is ``weight × (1 + weeks waited)`` less the delay penalty.

    >>> import hutano
    >>> plan = hutano.plan_slots(
    ...     [{"slot": "s1", "equipment": "mri", "start": "2024-05-03T09:00", "minutes": 30}],
    ...     [{"patient": "routine", "equipment": "mri", "minutes": 30, "priority": 4, "waited_days": 70},
    ...      {"patient": "urgent", "equipment": "mri", "minutes": 30, "priority": 1}])
    >>> plan.bookings["patient"].tolist(), plan.summary["unbooked_patients"]
    (['urgent'], 1)
    """
    sl, k1 = _table(slots, "slots", _SLOTS)
    wa, k2 = _table(waiting, "waiting", _WAITING)
    kind = _kind(frame, k1, k2)
    out = _hutano.plan_slots(sl, wa, _options(weights, "weights"))
    return SlotPlan(_frame(out["bookings"], kind), _frame(out["empty"], kind), dict(out["summary"]), float(out["objective"]))
