"""Map odl_geo's errors to what Processing shows: one QgsProcessingException with the message and the hint."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from qgis.core import QgsProcessingException

from odl_geo.errors import OdlGeoError

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["processing_errors"]

T = TypeVar("T")


def processing_errors(call: Callable[[], T]) -> T:
    try:
        return call()
    except OdlGeoError as exc:
        raise QgsProcessingException(f"{exc.message}\n→ {exc.hint}" if exc.hint else exc.message) from exc
