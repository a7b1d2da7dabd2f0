"""Where odl_geo reads a project layer from: its own file when it has one, else a temporary GeoPackage.

odl_geo reads files (it never imports qgis); memory, PostGIS or WFS layers are first written by QGIS itself.
"""

from __future__ import annotations

from pathlib import Path

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsMapLayer,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsVectorFileWriter,
    QgsVectorLayer,
)

__all__ = ["layer_file", "layers_file", "source_arguments", "source_layer_name"]


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


def source_layer_name(layer: QgsVectorLayer) -> str:
    """The layer's name in its source (``N_ZONE_ALEA_PPRN_20200002_S_038``), not the name given in the project.

    Themes built from several layers recognise them by these names (COVADIS naming), whatever the legend says.
    """
    if layer.providerType() == "ogr":
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        if parts.get("layerName"):
            return str(parts["layerName"])
        if parts.get("vsiSuffix"):  # a member of a zip: /vsizip/x.zip + /folder/N_ZONE_ALEA_....shp
            return Path(str(parts["vsiSuffix"])).stem
        if parts.get("path"):
            return Path(str(parts["path"])).stem
    return layer.name()


def layers_file(layers: list[QgsMapLayer], workdir: Path) -> tuple[str, str | None]:
    """(path, layer or None) for one layer; several layers are written by QGIS into one GeoPackage, one table
    each under its source name, so that odl_geo reads them as one set (a PPR from a zip, a folder, PostGIS...)."""
    vectors = [lyr for lyr in layers if isinstance(lyr, QgsVectorLayer)]
    if len(vectors) == 1:
        return layer_file(vectors[0], workdir)
    if not vectors:
        raise QgsProcessingException("Choose at least one vector layer.")
    target = workdir / "layers.gpkg"
    names: set[str] = set()
    for i, layer in enumerate(vectors):
        name = source_layer_name(layer)
        if name in names:
            raise QgsProcessingException(f"Two chosen layers are both named {name!r} in their source: keep one.")
        names.add(name)
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = name
        if i:
            options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
        err, message, *_ = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, str(target), QgsCoordinateTransformContext(), options
        )
        if err != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(f"Cannot export layer {layer.name()!r}: {message}")
    return str(target), None


def source_arguments(layers: list[QgsMapLayer], workdir: Path) -> list[str]:
    """``PATH [--layer NAME] [--source-crs CRS]`` for the worker: where odl_geo reads the layer(s) from.

    The CRS of a single layer read from its own file is passed on: QGIS may know it when the file does not say
    it (a Shapefile without .prj, a CSV of Lambert-93 x/y), because the person set it on the layer.
    """
    path, name = layers_file(layers, workdir)
    args = [path, *(["--layer", name] if name else [])]
    if len(layers) == 1 and path == _own_file(layers[0]):  # an export carries the CRS itself
        crs = layers[0].crs()
        if crs.isValid() and crs.authid():
            args += ["--source-crs", crs.authid()]
    return args


def _own_file(layer: QgsMapLayer) -> str | None:
    if layer.providerType() != "ogr":
        return None
    return str(QgsProviderRegistry.instance().decodeUri("ogr", layer.source()).get("path") or "") or None
