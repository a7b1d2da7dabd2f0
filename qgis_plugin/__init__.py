"""odl-geo QGIS plugin: a thin GUI over the odl_geo library (no business logic here)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# The packaged plugin carries the odl_geo library in vendor/; an odl_geo installed in QGIS's Python wins.
_VENDOR = Path(__file__).resolve().parent / "vendor"
if _VENDOR.is_dir() and str(_VENDOR) not in sys.path:
    sys.path.append(str(_VENDOR))


def classFactory(iface: Any) -> Any:
    """Lazy import, so that QGIS can list the plugin even when a dependency is missing."""
    from .plugin_main import OdlGeoPlugin

    return OdlGeoPlugin(iface)
