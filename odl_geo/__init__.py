"""odl-geo: publish the GIS layers of French local authorities as open data.

The library never imports QGIS or Qt; the QGIS plugin (``qgis_plugin/``) is a thin GUI over it.

The public names are imported lazily (PEP 562): ``import odl_geo.http`` or a publisher must not load
pyogrio/pyproj, whose wheels carry their own GDAL/PROJ. Inside the QGIS executable, QGIS's GDAL and PROJ
are in the global symbol scope, and those wheels would bind to them and crash QGIS at exit; the plugin
therefore runs reading/converting in a worker process and only the pure-Python parts in QGIS.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .conversion import DEFAULT_FORMATS, ConvertOptions, convert
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
    from .report import Issue, Report, Severity
    from .sources import LayerSource, ReadOptions, Source, open_source

_EXPORTS: dict[str, str] = {
    "Issue": ".report",
    "Report": ".report",
    "Severity": ".report",
    "DEFAULT_FORMATS": ".conversion",
    "ConvertOptions": ".conversion",
    "convert": ".conversion",
    "CancelledError": ".errors",
    "CrsError": ".errors",
    "EncodingError": ".errors",
    "InputError": ".errors",
    "OdlGeoError": ".errors",
    "OutputError": ".errors",
    "SourceNotFoundError": ".errors",
    "UnsupportedSourceError": ".errors",
    "Manifest": ".exports.manifest",
    "Feedback": ".feedback",
    "NullFeedback": ".feedback",
    "LayerReport": ".inspect",
    "inspect_source": ".inspect",
    "LayerSource": ".sources",
    "ReadOptions": ".sources",
    "Source": ".sources",
    "open_source": ".sources",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'odl_geo' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


logging.getLogger("odl_geo").addHandler(logging.NullHandler())
