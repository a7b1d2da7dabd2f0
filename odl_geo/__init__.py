"""odl-geo: publish the GIS layers of French local authorities as open data.

The library never imports QGIS or Qt; the QGIS plugin (``qgis_plugin/``) is a thin GUI over it.
"""

from __future__ import annotations

import logging

from ._version import __version__
from .checks.report import Issue, Report, Severity
from .convert import DEFAULT_FORMATS, ConvertOptions, convert
from .errors import (
    CancelledError,
    CrsError,
    EncodingError,
    InputError,
    OdlGeoError,
    OutputError,
    SourceNotFoundError,
    UnsupportedSourceError,
)
from .exports.manifest import Manifest
from .feedback import Feedback, NullFeedback
from .inspect import LayerReport, inspect_source
from .sources import LayerSource, ReadOptions, Source, open_source

__all__ = [
    "DEFAULT_FORMATS",
    "CancelledError",
    "ConvertOptions",
    "CrsError",
    "EncodingError",
    "Feedback",
    "InputError",
    "Issue",
    "LayerReport",
    "LayerSource",
    "Manifest",
    "NullFeedback",
    "OdlGeoError",
    "OutputError",
    "ReadOptions",
    "Report",
    "Severity",
    "Source",
    "SourceNotFoundError",
    "UnsupportedSourceError",
    "__version__",
    "convert",
    "inspect_source",
    "open_source",
]

logging.getLogger("odl_geo").addHandler(logging.NullHandler())
