"""Map odl_geo's errors to what Processing shows: one QgsProcessingException, one line.

The line starts with what kind of failure it is, translated (odl_geo's own messages are English, for logs and
scripts), then odl_geo's message naming the object, then what to do: "Le serveur a refusé les identifiants :
PostgreSQL refused user 'postgres'... → Check the user and password of the authentication configuration."
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from qgis.core import QgsProcessingException

from odl_geo.errors import (
    AuthError,
    CancelledError,
    CrsError,
    EncodingError,
    InputError,
    NetworkError,
    OdlGeoError,
    OutputError,
    RemoteError,
    SourceNotFoundError,
    UnsupportedSourceError,
)

from ..toolbelt.i18n import tr, tr_noop

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["error_line", "processing_errors"]

T = TypeVar("T")


#: the kind of each failure, most specific first (the first class the error is an instance of wins)
KINDS: tuple[tuple[type[OdlGeoError], str], ...] = (
    (AuthError, tr_noop("The server refused the credentials: ")),
    (RemoteError, tr_noop("The server answered with an error: ")),
    (NetworkError, tr_noop("The server cannot be reached: ")),
    (CancelledError, tr_noop("Cancelled: ")),
    (SourceNotFoundError, tr_noop("The source cannot be found: ")),
    (UnsupportedSourceError, tr_noop("The source cannot be read: ")),
    (CrsError, tr_noop("Coordinate reference system problem: ")),
    (EncodingError, tr_noop("Text encoding problem: ")),
    (InputError, tr_noop("The data or the options need a correction: ")),
    (OutputError, tr_noop("An output cannot be written: ")),
    (OdlGeoError, tr_noop("odl-geo could not finish: ")),
)


def error_line(exc: OdlGeoError) -> str:
    kind = next(tr(text) for cls, text in KINDS if isinstance(exc, cls))
    return f"{kind}{exc.message}" + (f" → {exc.hint}" if exc.hint else "")


def processing_errors(call: Callable[[], T]) -> T:
    try:
        return call()
    except OdlGeoError as exc:
        raise QgsProcessingException(error_line(exc)) from exc
