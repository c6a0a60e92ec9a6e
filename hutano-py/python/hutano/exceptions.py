"""The errors hutano raises, all under :class:`HutanoError`.

``HutanoError``
    ``InvalidDataError`` (attributes ``unique_id``, ``row``, ``column``; None where unknown)
        ``SeriesTooShortError``
    ``InvalidParameterError``
    ``MappingError``
    ``FileError``
    ``NotFittedError``
    ``ConvergenceError``

A bug inside hutano surfaces as PyO3's ``PanicException`` (re-exported here), never as a crash.
"""

from hutano._hutano import (
    ConvergenceError,
    FileError,
    HutanoError,
    InvalidDataError,
    InvalidParameterError,
    MappingError,
    NotFittedError,
    PanicException,
    SeriesTooShortError,
)

__all__ = [
    "ConvergenceError",
    "FileError",
    "HutanoError",
    "InvalidDataError",
    "InvalidParameterError",
    "MappingError",
    "NotFittedError",
    "PanicException",
    "SeriesTooShortError",
]
