"""Where odl_geo reads a project layer from: its own file when it has one, else a temporary GeoPackage.

odl_geo reads files (it never imports qgis); memory, PostGIS or WFS layers are first written by QGIS itself.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

__all__ = ["layer_file"]


def layer_file(layer: QgsVectorLayer, workdir: Path) -> tuple[str, str | None]:
    """(path odl_geo can open, layer name inside it or None)."""
    if layer.providerType() == "ogr" and not layer.subsetString():
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path")
        if path and Path(path).exists():
            return path, parts.get("layerName") or None
    target = workdir / f"{layer.id()}.gpkg"
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = "GPKG"
    options.layerName = layer.name()
    err, message, *_ = QgsVectorFileWriter.writeAsVectorFormatV3(
        layer, str(target), QgsCoordinateTransformContext(), options
    )
    if err != QgsVectorFileWriter.NoError:
        raise QgsProcessingException(f"Cannot export layer {layer.name()!r}: {message}")
    return str(target), layer.name()
