# Stubs of the native module (hutano-py/src/lib.rs), checked by mypy's stubtest.
import datetime
from typing import Any, Callable, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "__version__",
    "Forecaster",
    "Fitted",
    "Dataset",
    "_restore_fitted",
    "kpi_names",
    "calendar_days",
    "clean_series",
    "beds_for_blocking",
    "required_staff",
    "Shortfall",
    "plan_beds",
    "plan_staff",
    "plan_dispatch",
    "plan_slots",
    "_dataset_bed_plan",
    "_dataset_staff_plan",
    "HutanoError",
    "InvalidDataError",
    "SeriesTooShortError",
    "InvalidParameterError",
    "MappingError",
    "FileError",
    "NotFittedError",
    "ConvergenceError",
    "InfeasiblePlanError",
    "PanicException",
]

__version__: str

class HutanoError(Exception): ...
class InvalidDataError(HutanoError):
    unique_id: str | None
    row: int | None
    column: str | None
    model: str | None
class SeriesTooShortError(InvalidDataError): ...
class InvalidParameterError(HutanoError): ...
class MappingError(HutanoError): ...
class FileError(HutanoError): ...
class NotFittedError(HutanoError): ...
class ConvergenceError(HutanoError): ...
class InfeasiblePlanError(HutanoError):
    shortfalls: list[Shortfall]
class PanicException(BaseException): ...

_Progress = Callable[[int, int], object] | None

@final
class Forecaster:
    def __new__(cls, models_json: str, freq: str, fill: str, non_negative: bool) -> Forecaster: ...
    def fit(
        self,
        codes: npt.NDArray[np.uint32],
        names: list[str],
        ds: npt.NDArray[np.int64],
        y: npt.NDArray[np.float64],
        x: npt.NDArray[np.float64] | None,
        x_names: list[str],
        threads: int,
        progress: _Progress,
    ) -> Fitted: ...
    def cross_validation(
        self,
        codes: npt.NDArray[np.uint32],
        names: list[str],
        ds: npt.NDArray[np.int64],
        y: npt.NDArray[np.float64],
        x: npt.NDArray[np.float64] | None,
        x_names: list[str],
        h: int,
        n_windows: int,
        step: int,
        levels: list[float],
        season: int,
        threads: int,
        progress: _Progress,
    ) -> dict[str, Any]: ...

@final
class Fitted:
    def predict(
        self,
        h: int,
        levels: list[float],
        future: tuple[npt.NDArray[np.uint32], list[str], npt.NDArray[np.int64], npt.NDArray[np.float64]]
        | None = None,
    ) -> dict[str, Any]: ...
    def fitted_values(self) -> dict[str, Any]: ...
    @property
    def regressors(self) -> list[str]: ...
    @property
    def unique_ids(self) -> list[str]: ...
    @property
    def models_json(self) -> str: ...
    def __reduce__(self) -> tuple[Any, tuple[bytes, bytes]]: ...

@final
class Dataset:
    @staticmethod
    def load(path: str, site_json: str) -> Dataset: ...
    @staticmethod
    def load_csv_bytes(data: bytes, site_json: str) -> Dataset: ...
    @staticmethod
    def generate(
        preset: str, seed: int, days: int, start: str | None = None, admission_scale: float | None = None
    ) -> Dataset: ...
    def report(self) -> dict[str, Any] | None: ...
    @property
    def n_encounters(self) -> int: ...
    def period(self) -> tuple[str, str] | None: ...
    def kpi(
        self,
        kpi_json: str,
        start: str,
        end: str,
        grain: str,
        by: list[str],
        filters: list[tuple[str, list[str]]],
        age_bands: list[int] | None = None,
    ) -> dict[str, Any]: ...
    def census_forecast(
        self,
        as_of: str,
        h: int,
        levels: list[float],
        model_json: str,
        arrival_json: str,
        capacity: float | None = None,
        unit_json: str | None = None,
    ) -> dict[str, Any]: ...
    def medicine_plan(
        self, as_of: str, horizon: int, levels: list[float], model_json: str, policy_json: str
    ) -> dict[str, Any]: ...
    def alerts(self, start: str, end: str, rules_json: str | None = None) -> str: ...
    def monthly_report(self, month: str, config_json: str | None = None) -> tuple[str, str, str]: ...
    def encounters_csv(self) -> bytes: ...

def _restore_fitted(spec: bytes, panel: bytes) -> Fitted: ...
def kpi_names() -> list[str]: ...
def calendar_days(calendar_json: str, start: str, end: str) -> list[tuple[str, str]]: ...
def clean_series(y: list[float], season: int, threshold: float) -> tuple[list[int], list[float]]: ...
def beds_for_blocking(arrival_rate: float, mean_los: float, target: float) -> dict[str, Any]: ...
def required_staff(
    ward: str,
    ward_type: str,
    start: str,
    point: list[float],
    levels: list[float],
    lower: list[list[float]],
    upper: list[list[float]],
    shifts: list[str],
    level: float,
    ratios_json: str | None = None,
) -> dict[str, Any]: ...

@final
class Shortfall:
    @property
    def resource(self) -> str: ...
    @property
    def date(self) -> datetime.date | None: ...
    @property
    def shift(self) -> str | None: ...
    @property
    def needed(self) -> float: ...
    @property
    def available(self) -> float: ...

# Input tables: typed columns by name (see hutano/plan.py); results: dicts of
# columns per table plus "summary" and "objective".
_Columns = dict[str, Any]

def plan_beds(
    hospitals: _Columns,
    pools: _Columns,
    demand: _Columns,
    start: str,
    days: int,
    costs_json: str | None = None,
    allow_unmet: bool = True,
    node_limit: int | None = None,
    relative_gap: float | None = None,
) -> dict[str, Any]: ...
def plan_staff(
    staff: _Columns,
    requirements: _Columns,
    start: str,
    days: int,
    shifts: _Columns | None = None,
    rules_json: str | None = None,
    node_limit: int | None = None,
    relative_gap: float | None = None,
) -> dict[str, Any]: ...
def plan_dispatch(
    requests: _Columns, ambulances: _Columns, hospitals: _Columns, speed_kmh: float, unserved_minutes: float
) -> dict[str, Any]: ...
def plan_slots(slots: _Columns, waiting: _Columns, weights_json: str | None = None) -> dict[str, Any]: ...
def _dataset_bed_plan(
    dataset: Dataset,
    start: str,
    days: int,
    demand: _Columns | None = None,
    costs_json: str | None = None,
    allow_unmet: bool = True,
    node_limit: int | None = None,
    relative_gap: float | None = None,
) -> dict[str, Any]: ...
def _dataset_staff_plan(
    dataset: Dataset,
    start: str,
    days: int,
    demand: _Columns | None = None,
    ratios_json: str | None = None,
    rules_json: str | None = None,
    branches: list[str] | None = None,
    node_limit: int | None = None,
    relative_gap: float | None = None,
) -> dict[str, Any]: ...
