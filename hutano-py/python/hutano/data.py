"""Hospital data: loading files with a site mapping, the load report, KPIs.

>>> import hutano
>>> net = hutano.generate("national", seed=7, days=60)
>>> occ = net.kpi("bed_utilisation", by=["branch"])
>>> len(occ), "occupancy_rate" in occ.columns
(11, True)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from hutano import _hutano
from hutano._frames import coerce_frame, default_kind, make_frame
from hutano.exceptions import InvalidParameterError
from hutano.plan import (
    _DEMAND,
    BedPlan,
    StaffPlan,
    _bed_plan,
    _days,
    _gap,
    _iso_date,
    _kind,
    _node_limit,
    _options,
    _staff_plan,
    _table,
)

__all__ = ["Dataset", "LoadReport", "beds_for_blocking", "generate", "kpi_names", "load", "required_staff"]


def beds_for_blocking(arrival_rate: float, mean_los: float, target: float = 0.05) -> dict[str, Any]:
    """Beds so that at most ``target`` of arriving patients find the unit full (Erlang
    loss model), next to the flat 85 % occupancy rule and the blocking that rule gives.

    >>> b = beds_for_blocking(arrival_rate=2.0, mean_los=5.0, target=0.01)
    >>> b["erlang_beds"], b["occupancy_rule_beds"], round(b["occupancy_rule_blocking"], 3)
    (18, 12, 0.12)
    """
    return dict(_hutano.beds_for_blocking(float(arrival_rate), float(mean_los), float(target)))


def required_staff(
    census: Any,
    *,
    ward: str = "ward",
    ward_type: str = "ward",
    level: float = 80,
    shifts: Sequence[str] = ("day", "evening", "night"),
    ratios: Mapping[str, Any] | None = None,
    frame: str | None = None,
) -> Any:
    """Staff per day, shift and role for one ward's census forecast (a frame with
    ``ds``, ``mean`` and ``lo-<level>``/``hi-<level>`` columns, as
    :meth:`Dataset.census_forecast` returns): ``staff = max(minimum, ceil(census ×
    staff / patients))`` by the nurse:patient ratios of ``ward_type`` (``ventilated_icu``,
    ``icu``, ``hdu``, ``ward``, ``emergency``, ``operating_theatre``), for the point
    forecast (``staff``) and for the upper bound of the ``level`` % interval
    (``staff_upper``). ``ratios`` replaces the NABH defaults (hutano-forecast's
    ``Ratios`` as a dict).

    >>> import pandas as pd
    >>> fc = pd.DataFrame({"ds": pd.to_datetime(["2024-05-01", "2024-05-02"]),
    ...                    "mean": [10.0, 13.0], "lo-80": [8.0, 11.0], "hi-80": [12.0, 15.0]})
    >>> plan = required_staff(fc, ward="MED-1", ward_type="ward", shifts=["day"])
    >>> plan[["shift", "role", "staff", "staff_upper"]].values.tolist()
    [['day', 'nurse', 2, 2], ['day', 'nurse', 3, 3]]
    """
    census, kind = coerce_frame(census)
    cols = list(census.columns)
    for c in ("ds", "mean"):
        if c not in cols:
            raise InvalidParameterError(f"the census frame has no {c!r} column (columns: {cols})")
    levels = sorted({float(c[3:]) for c in cols if c.startswith("lo-")})
    fmt = lambda v: str(int(v)) if float(v).is_integer() else str(v)  # noqa: E731
    missing = [f"hi-{fmt(v)}" for v in levels if f"hi-{fmt(v)}" not in cols]
    if missing:
        raise InvalidParameterError(f"the census frame has no {missing[0]!r} column")

    def column(name: str) -> list[float]:
        return [float(v) for v in census[name].to_numpy()]

    ds = census["ds"].to_numpy()
    if len(ds) == 0:
        raise InvalidParameterError("the census frame is empty")
    start = str(np.datetime64(ds[0], "D"))
    out = _hutano.required_staff(
        ward,
        ward_type,
        start,
        column("mean"),
        levels,
        [column(f"lo-{fmt(v)}") for v in levels],
        [column(f"hi-{fmt(v)}") for v in levels],
        [str(x) for x in shifts],
        float(level),
        None if ratios is None else json.dumps(ratios),
    )
    data = {k: (v[1] if isinstance(v, tuple) and v[0] == "date" else v) for k, v in out.items()}
    return make_frame(frame or kind, data, date_cols=["ds"])


def kpi_names() -> list[str]:
    """Names accepted by :meth:`Dataset.kpi`."""
    return list(_hutano.kpi_names())


@dataclass(frozen=True)
class LoadReport:
    """What a load did: ``rows_read == rows_loaded + rows_rejected``; ``rejects`` says
    which rows (spreadsheet numbering: the header is row 1), which column and why."""

    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rejects: Any

    def __str__(self) -> str:
        return f"{self.rows_read} rows read, {self.rows_loaded} loaded, {self.rows_rejected} rejected"


def _site_json(site: str | os.PathLike[str] | Mapping[str, Any]) -> str:
    if isinstance(site, Mapping):
        return json.dumps(site)
    text = str(site)
    if text.lstrip().startswith("{"):
        return text
    with open(site, encoding="utf-8") as f:
        return f.read()


class Dataset:
    """A hospital network's encounters, with the report of the load that made them."""

    def __init__(self, native: Any, kind: str | None = None) -> None:
        self._native = native
        self._kind = kind

    @property
    def n_encounters(self) -> int:
        """Number of encounters loaded."""
        return int(self._native.n_encounters)

    @property
    def report(self) -> LoadReport | None:
        """The load report (None for generated data)."""
        r = self._native.report()
        if r is None:
            return None
        rejects = make_frame(
            self._kind or default_kind(),
            {"row": r["row"], "column": r["column"], "reason": r["reason"], "message": r["message"]},
        )
        return LoadReport(r["rows_read"], r["rows_loaded"], r["rows_rejected"], rejects)

    def period(self) -> tuple[str, str] | None:
        """``(first day, day after the last)`` of the admissions, ISO dates."""
        p = self._native.period()
        return None if p is None else (p[0], p[1])

    def kpi(
        self,
        name: str,
        *,
        start: str | None = None,
        end: str | None = None,
        by: Sequence[str] = (),
        grain: str = "period",
        filters: Mapping[str, Sequence[str]] | None = None,
        options: Mapping[str, Any] | None = None,
        age_bands: Sequence[int] | None = None,
        frame: str | None = None,
    ) -> Any:
        """Compute KPI ``name`` (see :func:`kpi_names`) over ``[start, end)`` (default: the
        data's period), grouped ``by`` dimensions (branch, department, ward, bed_type,
        age_band, sex, payer, diagnosis_category, admission_type, residence) and
        ``grain`` (day, week, month, period), keeping only ``filters`` values.
        ``options`` are the KPI's own (e.g. ``{"variant": "overnight_only"}`` for alos).
        Returns a pandas frame, or polars with ``frame="polars"``.
        """
        if name not in kpi_names():
            raise InvalidParameterError(f"unknown KPI {name!r}; known: {', '.join(kpi_names())}")
        period = self.period()
        if period is None and (start is None or end is None):
            raise InvalidParameterError("the data set is empty: give start and end")
        start = str(start) if start is not None else period[0]  # type: ignore[index]
        end = str(end) if end is not None else period[1]  # type: ignore[index]
        spec = json.dumps({"kpi": name, **(options or {})})
        flt = [(k, [str(v) for v in vs]) for k, vs in (filters or {}).items()]
        cols = self._native.kpi(
            spec, start, end, grain, list(by), flt, None if age_bands is None else list(age_bands)
        )
        data: dict[str, Any] = {}
        date_cols = []
        for k, v in cols.items():
            if isinstance(v, tuple) and v[0] == "date":
                data[k] = v[1]
                date_cols.append(k)
            else:
                data[k] = v
        kind = frame or self._kind or default_kind()
        out = make_frame(kind, data, date_cols=date_cols)
        return out

    def census_forecast(
        self,
        as_of: str,
        h: int = 14,
        *,
        level: Sequence[float] = (80, 95),
        model: Any = None,
        arrivals: str = "gamma_rate",
        correlation: float = 0.25,
        arrival_level: float = 80.0,
        capacity: float | None = None,
        unit: str | Mapping[str, Any] | None = None,
        branch: str | None = None,
        frame: str | None = None,
    ) -> Any:
        """Forecast the midnight census of the ``h`` days after ``as_of`` as a distribution:
        the patients in hospital at ``as_of`` with their remaining stay (conditioned on the
        days already stayed) plus forecast arrivals convolved with the length-of-stay
        survival learned from the stays up to ``as_of``. Arrivals are forecast by ``model``
        (default ``AutoETS(7)``); ``arrivals`` says how their uncertainty is carried:
        ``"poisson"``, ``"negative_binomial"`` or ``"gamma_rate"`` (days' errors correlated
        by ``correlation``). Returns ``ds``, ``mean``, ``lo-<level>``/``hi-<level>`` and,
        with ``capacity``, ``prob_above`` (probability the census exceeds it).

        ``unit`` narrows the census to part of the network: a bed type (``"icu"``,
        ``"hdu"``, ``"general"``, ...), ``"ventilators"`` (patients on invasive
        ventilation, from the ventilation procedures), or a dict such as
        ``{"kind": "ward", "code": "HRE-W03"}`` or ``{"kind": "department", "code": ...}``;
        ``branch`` restricts a bed type or the ventilators to one branch. A unit's output
        also has ``capacity`` (its beds, or ventilator-capable ICU beds, on each day) and
        ``prob_above`` against it unless ``capacity`` is given.
        """
        from hutano.models import AutoETS

        model = model if model is not None else AutoETS(7)
        if arrivals == "poisson":
            arrival: dict[str, Any] = {"kind": "poisson"}
        elif arrivals == "negative_binomial":
            arrival = {"kind": "negative_binomial", "level": float(arrival_level)}
        elif arrivals == "gamma_rate":
            arrival = {"kind": "gamma_rate", "level": float(arrival_level), "correlation": float(correlation)}
        else:
            raise InvalidParameterError("arrivals must be 'poisson', 'negative_binomial' or 'gamma_rate'")
        unit_spec: dict[str, Any] | None
        if unit is None:
            if branch is not None:
                unit_spec = {"kind": "branch", "code": branch}
            else:
                unit_spec = None
        elif isinstance(unit, str):
            if unit == "network":
                unit_spec = {"kind": "network"}
            elif unit == "ventilators":
                unit_spec = {"kind": "ventilators", "branch": branch, "count": None}
            else:
                unit_spec = {"kind": "bed_type", "bed_type": unit, "branch": branch}
        else:
            unit_spec = dict(unit)
        cols = self._native.census_forecast(
            str(as_of),
            int(h),
            [float(v) for v in level],
            json.dumps(model.spec()),
            json.dumps(arrival),
            capacity,
            None if unit_spec is None else json.dumps(unit_spec),
        )
        data: dict[str, Any] = {}
        for k, v in cols.items():
            data[k] = v[1] if isinstance(v, tuple) and v[0] == "date" else v
        return make_frame(frame or self._kind or default_kind(), data, date_cols=["ds"])

    def medicine_plan(
        self,
        as_of: str,
        *,
        horizon: int = 28,
        level: Sequence[float] = (80, 95),
        model: str | Mapping[str, Any] = "auto",
        service_level: float = 0.95,
        lead_time_days: float = 7.0,
        lead_time_sd_days: float = 0.0,
        review_period_days: float = 7.0,
        ordering_cost: float | None = None,
        holding_cost_per_unit_year: float | None = None,
        on_order: float = 0.0,
        frame: str | None = None,
    ) -> Any:
        """Plan every medicine at the end of ``as_of``: forecast its daily consumption
        from the stock ledger (``model``: ``"auto"`` picks Croston-SBA for intermittent
        demand and a weekly seasonal naive otherwise; or a dict such as
        ``{"model": "croston", "alpha": 0.1, "variant": "sba"}``), then the reorder point
        and safety stock at ``service_level`` over the lead time, the quantity to order
        now (EOQ when both costs are given, order-up-to otherwise), the projected
        stock-out date and its probability within ``horizon`` days, and the units (and
        value) at risk of expiring before use, first-expiry-first-out. One row per
        medicine; a medicine that cannot be planned keeps its row with ``error`` set.

        >>> import hutano
        >>> net = hutano.generate("national", seed=7, days=120)
        >>> plan = net.medicine_plan("2024-04-20")
        >>> bool((plan["reorder_point"] >= plan["lead_time_demand"]).all()), bool(plan["error"].isna().all())
        (True, True)
        """
        if isinstance(model, str):
            if model != "auto":
                raise InvalidParameterError("model must be 'auto' or a dict such as {'model': 'croston', ...}")
            model_spec: Mapping[str, Any] = {"model": "auto"}
        else:
            model_spec = model
        policy = {
            "service_level": float(service_level),
            "lead_time_days": float(lead_time_days),
            "lead_time_sd_days": float(lead_time_sd_days),
            "review_period_days": float(review_period_days),
            "ordering_cost": None if ordering_cost is None else float(ordering_cost),
            "holding_cost_per_unit_year": None
            if holding_cost_per_unit_year is None
            else float(holding_cost_per_unit_year),
            "on_order": float(on_order),
        }
        cols = self._native.medicine_plan(
            str(as_of), int(horizon), [float(v) for v in level], json.dumps(model_spec), json.dumps(policy)
        )
        data = {k: (v[1] if isinstance(v, tuple) and v[0] == "date" else v) for k, v in cols.items()}
        order = ["medicine", "name", "unit", "branch", "demand_pattern", "adi", "on_hand", "inventory_position",
                 "mean_daily_demand", "lead_time_demand", "safety_stock", "reorder_point", "order_up_to", "eoq",
                 "order_now", "order_quantity", "stock_out_date", "stock_out_probability", "at_risk_units",
                 "at_risk_value", "expired_units", "error"]
        return make_frame(frame or self._kind or default_kind(), {k: data[k] for k in order},
                          date_cols=["stock_out_date"])

    def alerts(
        self,
        start: str,
        end: str,
        *,
        rules: Mapping[str, Any] | None = None,
        frame: str | None = None,
    ) -> Any:
        """Evaluate the alert rules day by day over ``[start, end)``, each day seeing only
        what was known at its midnight: occupancy now and forecast, ICU and ventilator
        shortage, low stock and expiry, delayed discharges, admissions outpacing
        discharges at peak hours, readmission spikes. An alert is raised once when its
        condition starts and closed (``ended``) when it clears; it is not repeated while
        the condition holds. ``rules`` overrides hutano-forecast's ``AlertRules``
        (thresholds, horizons; ``None`` for a rule turns it off). One row per alert:
        ``rule``, ``severity``, ``subject_kind``, ``subject``, ``started``, ``ended``,
        the evidence (``observed``, ``threshold`` and, where the rule has them,
        ``probability``, ``capacity``, ``count``, ``baseline``, ``statistic``,
        ``horizon_days``, ``day``) and a one-line ``message``.

        >>> import hutano
        >>> net = hutano.generate("national", seed=7, days=120)
        >>> a = net.alerts("2024-04-01", "2024-04-15")
        >>> set(a["severity"]) <= {"info", "warning", "critical"}
        True
        """
        raw = json.loads(self._native.alerts(str(start), str(end), None if rules is None else json.dumps(rules)))
        evidence = ["observed", "threshold", "probability", "capacity", "count", "baseline", "statistic",
                    "horizon_days"]
        data: dict[str, Any] = {
            "rule": [a["rule"] for a in raw],
            "severity": [a["severity"] for a in raw],
            "subject_kind": [a["subject"]["kind"] for a in raw],
            "subject": [a["subject"]["code"] for a in raw],
            "started": np.array([a["started"] for a in raw], dtype="datetime64[ns]"),
            "ended": np.array([a["ended"] if a["ended"] else "NaT" for a in raw], dtype="datetime64[ns]"),
        }
        for k in evidence:
            data[k] = np.array([a["evidence"].get(k, np.nan) for a in raw], dtype=float)
        data["day"] = np.array([a["evidence"].get("day") or "NaT" for a in raw], dtype="datetime64[D]").astype(
            "datetime64[ns]"
        )
        data["message"] = [a["message"] for a in raw]
        return make_frame(frame or self._kind or default_kind(), data)

    def monthly_report(
        self,
        month: str,
        *,
        config: Mapping[str, Any] | None = None,
        out_dir: str | os.PathLike[str] | None = None,
    ) -> dict[str, str]:
        """The monthly board report for the month containing ``month``: KPIs for the
        network, each branch and department against targets and the previous month,
        12-month trends, next month's admissions and occupancy forecast, and the alerts
        raised. Returns ``{"html": ..., "csv": ..., "json": ...}``; the HTML is one
        self-contained file (inline SVG charts, no script, nothing fetched). With
        ``out_dir`` the three are also written there as ``report-<YYYY-MM>.html``,
        ``.csv`` and ``.json``. ``config`` overrides hutano-forecast's ``ReportConfig``
        (targets, trend length, alert rules, currency).

        >>> import hutano
        >>> net = hutano.generate("national", seed=7, days=120)
        >>> r = net.monthly_report("2024-03-01", config={"forecast": False})
        >>> r["html"].startswith("<!DOCTYPE html>"), "section,branch" in r["csv"]
        (True, True)
        """
        html, csv, js = self._native.monthly_report(str(month), None if config is None else json.dumps(config))
        out = {"html": html, "csv": csv, "json": js}
        if out_dir is not None:
            os.makedirs(out_dir, exist_ok=True)
            stem = f"report-{str(month)[:7]}"
            for ext, text in out.items():
                with open(os.path.join(out_dir, f"{stem}.{ext}"), "w", encoding="utf-8") as fh:
                    fh.write(text)
        return out

    def bed_plan(
        self,
        start: Any,
        days: int,
        *,
        demand: Any = None,
        costs: Mapping[str, float] | None = None,
        allow_unmet: bool = True,
        node_limit: int | None = None,
        gap: float | None = None,
        frame: str | None = None,
    ) -> BedPlan:
        """Place the network's patients in its beds for ``days`` days from ``start``
        (:func:`hutano.plan_beds` on the network): one pool per ward and bed type with
        the beds in service each day, hospitals at the branches' locations. ``demand``
        is a table as for :func:`hutano.plan_beds` (``hospital`` a branch code,
        ``service`` a department name; e.g. a forecast rounded up), by default the
        midnight census of the encounters (a perfect forecast). ``node_limit`` and
        ``gap`` solve within a budget with a proven bound (``plan.bound``; see
        :func:`hutano.plan_beds`), for demand with long stays at national scale.

        >>> import hutano
        >>> net = hutano.generate("india", seed=3, days=40)
        >>> plan = net.bed_plan("2024-02-01", 2)
        >>> sorted(set(plan.placements["hospital"]))
        ['BLR', 'HYD', 'MAA', 'PNQ']
        >>> int(plan.placements["patients"].sum() + plan.unmet["patients"].sum()) > 0
        True
        """
        d, kind = (None, None) if demand is None else _table(demand, "demand", _DEMAND)
        out = _hutano._dataset_bed_plan(
            self._native,
            _iso_date(start),
            _days(days),
            d,
            _options(costs, "costs"),
            bool(allow_unmet),
            _node_limit(node_limit),
            _gap(gap),
        )
        return _bed_plan(out, _kind(frame, self._kind, kind))

    def staff_plan(
        self,
        start: Any,
        days: int,
        *,
        demand: Any = None,
        ratios: Mapping[str, Any] | None = None,
        rules: Mapping[str, float] | None = None,
        branches: Sequence[str] | None = None,
        node_limit: int | None = None,
        gap: float | None = None,
        frame: str | None = None,
    ) -> StaffPlan:
        """Roster the network's staff for ``days`` days from ``start``
        (:func:`hutano.plan_staff` on the network, three 8-hour shifts). Nurses and
        doctors work in their department, others in a pool per branch and role;
        targets follow the census (``demand`` as for :meth:`bed_plan`, by default the
        midnight census) by ``ratios``: ``patients_per_nurse`` (``[8, 10, 12]`` by
        shift), ``critical_patients_per_nurse`` (2), ``patients_per_doctor`` (15),
        ``minimum_share`` (0.5: the floors' share of the target) and
        ``max_overtime_hours_per_week`` (8). ``rules`` as for :func:`hutano.plan_staff`.
        ``branches`` keeps only those branches' staff and units. ``node_limit`` and
        ``gap`` solve within a budget with a proven bound (see :func:`hutano.plan_staff`):
        the national network over 30 days takes about 1.5 minutes with ``node_limit=200``
        (0.13 % from the optimum) where the exact solve takes hours.

        >>> import hutano
        >>> net = hutano.generate("india", seed=3, days=40)
        >>> plan = net.staff_plan("2024-02-01", 2, branches=["BLR"])
        >>> sorted(set(plan.assignments["shift"])), plan.summary["shifts"] == len(plan.assignments)
        (['day', 'evening', 'night'], True)
        """
        d, kind = (None, None) if demand is None else _table(demand, "demand", _DEMAND)
        out = _hutano._dataset_staff_plan(
            self._native,
            _iso_date(start),
            _days(days),
            d,
            _options(ratios, "ratios"),
            _options(rules, "rules"),
            None if branches is None else [str(b) for b in branches],
            _node_limit(node_limit),
            _gap(gap),
        )
        return _staff_plan(out, _kind(frame, self._kind, kind))

    def encounters_csv(self) -> bytes:
        """The encounters in hutano's CSV export format."""
        return bytes(self._native.encounters_csv())

    def __repr__(self) -> str:
        return repr(self._native)


def load(path: str | os.PathLike[str], site: str | os.PathLike[str] | Mapping[str, Any]) -> Dataset:
    """Load a CSV or .xlsx export with a site document (path, JSON text or dict): the
    network's branches and departments and the mapping of the file's columns
    (see ``examples/sites/hdhi.json``). Bad rows do not raise: they are in ``report``.
    """
    return Dataset(_hutano.Dataset.load(os.fspath(path), _site_json(site)))


def from_frame(df: Any, site: str | os.PathLike[str] | Mapping[str, Any]) -> Dataset:
    """Load encounters from a pandas or polars frame, through the same mapping and
    validation as a file (the frame is written as CSV text once)."""
    df, kind = coerce_frame(df)
    if kind == "pandas":
        data = df.to_csv(index=False).encode()
    else:
        data = df.write_csv().encode()
    return Dataset(_hutano.Dataset.load_csv_bytes(data, _site_json(site)), kind)


def generate(
    preset: str = "national",
    *,
    seed: int = 42,
    days: int = 365,
    start: str | None = None,
    admission_scale: float | None = None,
) -> Dataset:
    """A synthetic network: ``"national"`` (Zimbabwe, 11 hospitals) or ``"india"``
    (four branches), reproducible from ``seed``."""
    return Dataset(_hutano.Dataset.generate(preset, int(seed), int(days), start, admission_scale))



