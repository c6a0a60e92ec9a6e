"""hutano: forecasting and capacity planning for hospitals.

Load a hospital's export with a column mapping (every row accounted for),
compute KPIs with cited definitions, forecast admissions with statistical,
tree and Prophet-like models, backtest them honestly, and plan beds, staff
rosters, ambulance dispatch and freed slots as optimisation models — on
pandas or polars DataFrames, with the work done in Rust.

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
    InfeasiblePlanError,
    InvalidDataError,
    InvalidParameterError,
    MappingError,
    NotFittedError,
    SeriesTooShortError,
    Shortfall,
)
from hutano.forecast import Forecaster
from hutano.plan import (
    BedPlan,
    DispatchPlan,
    SlotPlan,
    StaffPlan,
    plan_beds,
    plan_dispatch,
    plan_slots,
    plan_staff,
)

__all__ = [
    "BedPlan",
    "ConvergenceError",
    "Dataset",
    "DispatchPlan",
    "FileError",
    "Forecaster",
    "HutanoError",
    "InfeasiblePlanError",
    "InvalidDataError",
    "InvalidParameterError",
    "LoadReport",
    "MappingError",
    "NotFittedError",
    "SeriesTooShortError",
    "Shortfall",
    "SlotPlan",
    "StaffPlan",
    "__version__",
    "beds_for_blocking",
    "from_frame",
    "generate",
    "kpi_names",
    "load",
    "models",
    "plan_beds",
    "plan_dispatch",
    "plan_slots",
    "plan_staff",
    "required_staff",
]
