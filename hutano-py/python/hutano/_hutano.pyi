# Stubs of the native module (hutano-py/src/lib.rs), checked by mypy's stubtest.
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
    "beds_for_blocking",
    "required_staff",
    "HutanoError",
    "InvalidDataError",
    "SeriesTooShortError",
    "InvalidParameterError",
    "MappingError",
    "FileError",
    "NotFittedError",
    "ConvergenceError",
    "PanicException",
]

__version__: str

class HutanoError(Exception): ...
class InvalidDataError(HutanoError):
    unique_id: str | None
    row: int | None
    column: str | None
class SeriesTooShortError(InvalidDataError): ...
class InvalidParameterError(HutanoError): ...
class MappingError(HutanoError): ...
class FileError(HutanoError): ...
class NotFittedError(HutanoError): ...
class ConvergenceError(HutanoError): ...
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
    ) -> dict[str, Any]: ...
    def medicine_plan(
        self, as_of: str, horizon: int, levels: list[float], model_json: str, policy_json: str
    ) -> dict[str, Any]: ...
    def alerts(self, start: str, end: str, rules_json: str | None = None) -> str: ...
    def monthly_report(self, month: str, config_json: str | None = None) -> tuple[str, str, str]: ...
    def encounters_csv(self) -> bytes: ...

def _restore_fitted(spec: bytes, panel: bytes) -> Fitted: ...
def kpi_names() -> list[str]: ...
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
