"""Run an odl-geo command in the worker process from an algorithm, with errors as QgsProcessingException."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..worker import OdlGeoWorker
from .errors import processing_errors

if TYPE_CHECKING:
    from qgis.core import QgsProcessingFeedback

__all__ = ["run_worker"]


def run_worker(args: list[str], feedback: QgsProcessingFeedback) -> dict[str, Any]:
    return processing_errors(lambda: OdlGeoWorker().run(args, feedback))
