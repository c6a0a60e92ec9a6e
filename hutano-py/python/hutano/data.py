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



from hutano import _hutano
from hutano._frames import coerce_frame, default_kind, make_frame
from hutano.exceptions import InvalidParameterError

__all__ = ["Dataset", "LoadReport", "beds_for_blocking", "generate", "kpi_names", "load"]


def beds_for_blocking(arrival_rate: float, mean_los: float, target: float = 0.05) -> dict[str, Any]:
    """Beds so that at most ``target`` of arriving patients find the unit full (Erlang
    loss model), next to the flat 85 % occupancy rule and the blocking that rule gives.

    >>> b = beds_for_blocking(arrival_rate=2.0, mean_los=5.0, target=0.01)
    >>> b["erlang_beds"], b["occupancy_rule_beds"], round(b["occupancy_rule_blocking"], 3)
    (18, 12, 0.12)
    """
    return dict(_hutano.beds_for_blocking(float(arrival_rate), float(mean_los), float(target)))


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
        cols = self._native.census_forecast(
            str(as_of), int(h), [float(v) for v in level], json.dumps(model.spec()), json.dumps(arrival), capacity
        )
        data: dict[str, Any] = {}
        for k, v in cols.items():
            data[k] = v[1] if isinstance(v, tuple) and v[0] == "date" else v
        return make_frame(frame or self._kind or default_kind(), data, date_cols=["ds"])

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



