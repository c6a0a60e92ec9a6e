"""The errors hutano raises, all under :class:`HutanoError`.

``HutanoError``
    ``InvalidDataError`` (attributes ``unique_id``, ``row``, ``column`` and, for an error of one
    model of a :class:`~hutano.Forecaster`, ``model``; None where unknown)
        ``SeriesTooShortError``
    ``InvalidParameterError``
    ``MappingError``
    ``FileError``
    ``NotFittedError``
    ``ConvergenceError``
    ``InfeasiblePlanError`` (attribute ``shortfalls``: a list of :class:`Shortfall`)

A bug inside hutano surfaces as PyO3's ``PanicException`` (re-exported here), never as a crash.

An allocation plan whose hard constraints cannot all hold names each one that fails:

>>> import hutano
>>> try:
...     hutano.plan_beds(["HRE"], [{"ward": "ICU", "hospital": "HRE", "service": "ICU", "bed_type": "icu", "beds": 5}],
...                      [{"hospital": "HRE", "service": "ICU", "bed_type": "icu", "patients": 7}],
...                      "2024-05-03", 1, allow_unmet=False)
... except hutano.InfeasiblePlanError as e:
...     s = e.shortfalls[0]
...     print(e)
...     print(s.resource, s.date, s.needed, s.available)
infeasible plan: icu beds for ICU patients at HRE on 2024-05-03: 7 needed, 5 available
icu beds for ICU patients at HRE 2024-05-03 7.0 5.0
"""

from hutano._hutano import (
    ConvergenceError,
    FileError,
    HutanoError,
    InfeasiblePlanError,
    InvalidDataError,
    InvalidParameterError,
    MappingError,
    NotFittedError,
    PanicException,
    SeriesTooShortError,
    Shortfall,
)



def invalid_data(
    message: str, *, row: int | None = None, column: str | None = None, unique_id: str | None = None
) -> InvalidDataError:
    """An :class:`InvalidDataError` with its location attributes set, as the native module sets them."""
    err = InvalidDataError(message)
    err.row, err.column, err.unique_id, err.model = row, column, unique_id, None
    return err


__all__ = [
    "ConvergenceError",
    "FileError",
    "HutanoError",
    "InfeasiblePlanError",
    "InvalidDataError",
    "InvalidParameterError",
    "MappingError",
    "NotFittedError",
    "PanicException",
    "SeriesTooShortError",
    "Shortfall",
]
