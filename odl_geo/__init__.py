"""odl-geo: publish the GIS layers of French local authorities as open data.

The library never imports QGIS or Qt; the QGIS plugin (``qgis_plugin/``) is a thin GUI over it.
"""

from __future__ import annotations

import logging

__version__ = "0.1.0"

logging.getLogger("odl_geo").addHandler(logging.NullHandler())

from .checks.report import Issue, Report, Severity  # noqa: E402
from .convert import DEFAULT_FORMATS, ConvertOptions, convert  # noqa: E402
from .errors import (  # noqa: E402
    CancelledError,
    CrsError,
    EncodingError,
    InputError,
    OdlGeoError,
    OutputError,
    SourceNotFoundError,
    UnsupportedSourceError,
)
from .exports.manifest import Manifest  # noqa: E402
from .feedback import Feedback, NullFeedback  # noqa: E402
from .inspect import LayerReport, inspect_source  # noqa: E402
from .sources import LayerSource, ReadOptions, Source, open_source  # noqa: E402

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
