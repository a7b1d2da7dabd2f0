"""odl-geo QGIS plugin: a thin GUI over the odl_geo library (no business logic here)."""

from __future__ import annotations

from typing import Any


def classFactory(iface: Any) -> Any:
    """Lazy import, so that QGIS can list the plugin even when a dependency is missing."""
    from .plugin_main import OdlGeoPlugin

    return OdlGeoPlugin(iface)
