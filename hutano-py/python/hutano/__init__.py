"""hutano: forecasting and capacity planning for hospitals.

Load a hospital's export with a column mapping (every row accounted for),
compute KPIs with cited definitions, forecast admissions with statistical,
tree and Prophet-like models, and backtest them honestly — on pandas or
polars DataFrames, with the work done in Rust.

>>> import hutano
>>> hutano.kpi_names()[:3]
['census_daily', 'census_hourly', 'bed_days']
"""

from hutano import models
from hutano._hutano import __version__
from hutano.data import (
    Dataset,
    LoadReport,
    beds_for_blocking,
    from_frame,
    generate,
    kpi_names,
    load,
    required_staff,
)
from hutano.exceptions import (
    ConvergenceError,
    FileError,
    HutanoError,
    InvalidDataError,
    InvalidParameterError,
    MappingError,
    NotFittedError,
    SeriesTooShortError,
)
from hutano.forecast import Forecaster

__all__ = [
    "ConvergenceError",
    "Dataset",
    "FileError",
    "Forecaster",
    "HutanoError",
    "InvalidDataError",
    "InvalidParameterError",
    "LoadReport",
    "MappingError",
    "NotFittedError",
    "SeriesTooShortError",
    "__version__",
    "beds_for_blocking",
    "from_frame",
    "generate",
    "kpi_names",
    "load",
    "models",
    "required_staff",
]
