"""Where odl_geo reads a project layer from: its own file when it has one, else a temporary GeoPackage.

odl_geo reads files (it never imports qgis); memory, PostGIS or WFS layers are first written by QGIS itself.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from qgis.core import (
    QgsCoordinateTransformContext,
    QgsMapLayer,
    QgsProcessingException,
    QgsProviderRegistry,
    QgsVectorFileWriter,
    QgsVectorFileWriterTask,
    QgsVectorLayer,
)

__all__ = ["export_in_background", "source_arguments", "source_layer_name"]


def _own_readable_file(layer: QgsVectorLayer) -> tuple[str, str | None] | None:
    """(path, layer name or None) when odl_geo can read the layer from its own file as QGIS shows it."""
    if layer.providerType() == "ogr" and not layer.subsetString():
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        path = parts.get("path")
        if path and Path(path).exists():
            return path, parts.get("layerName") or None
    return None


def _export_plan(
    layers: list[QgsMapLayer], workdir: Path
) -> tuple[str, str | None, list[tuple[QgsVectorLayer, QgsVectorFileWriter.SaveVectorOptions]]]:
    """Where odl_geo will read the layer(s), and what QGIS must write there first (nothing for a file of its own).

    One layer of another provider (memory, PostGIS, WFS, a filtered file) becomes a GeoPackage under its project
    name; several layers become one GeoPackage, one table each under its source name, so that odl_geo reads them
    as one set (a PPR from a zip, a folder, PostGIS...). Each export gets a new file name: an earlier proposal's
    worker may still be reading the previous one.
    """
    vectors = [lyr for lyr in layers if isinstance(lyr, QgsVectorLayer)]
    if not vectors:
        raise QgsProcessingException("Choose at least one vector layer.")
    if len(vectors) == 1 and (own := _own_readable_file(vectors[0])):
        return own[0], own[1], []
    # the file's name becomes the published product's name: the layer's, stable from one publication to the next
    stem = (re.sub(r"[^\w.-]+", "_", vectors[0].name()).strip("._") or "layer") if len(vectors) == 1 else "layers"
    target = workdir / uuid.uuid4().hex[:12] / f"{stem}.gpkg"
    target.parent.mkdir(parents=True)
    names: set[str] = set()
    writes = []
    for i, layer in enumerate(vectors):
        name = layer.name() if len(vectors) == 1 else source_layer_name(layer)
        if name in names:
            raise QgsProcessingException(f"Two chosen layers are both named {name!r} in their source: keep one.")
        names.add(name)
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = "GPKG"
        options.layerName = name
        if i:
            options.actionOnExistingFile = QgsVectorFileWriter.CreateOrOverwriteLayer
        writes.append((layer, options))
    return str(target), (vectors[0].name() if len(vectors) == 1 else None), writes


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


def _write(path: str, writes: list[tuple[QgsVectorLayer, QgsVectorFileWriter.SaveVectorOptions]]) -> None:
    for layer, options in writes:
        err, message, *_ = QgsVectorFileWriter.writeAsVectorFormatV3(
            layer, path, QgsCoordinateTransformContext(), options
        )
        if err != QgsVectorFileWriter.NoError:
            raise QgsProcessingException(f"Cannot export layer {layer.name()!r}: {message}")


def export_in_background(layers: list[QgsMapLayer], workdir: Path) -> tuple[list[str], list[QgsVectorFileWriterTask]]:
    """The worker's source arguments, and the QGIS tasks that write them (none for a layer with its own file).

    For the dialog: writing a PostGIS layer of 100 000 features takes seconds, which must not freeze QGIS. The
    tasks copy the features' source on the main thread now and write in a task thread; run them in order, before
    the worker reads the file (``WorkerTask.after``).
    """
    path, name, writes = _export_plan(layers, workdir)
    tasks = [QgsVectorFileWriterTask(layer, path, options) for layer, options in writes]
    return _arguments(layers, path, name, exported=bool(writes)), tasks


def source_arguments(layers: list[QgsMapLayer], workdir: Path) -> list[str]:
    """``PATH [--layer NAME] [--source-crs CRS]`` for the worker: where odl_geo reads the layer(s) from."""
    path, name, writes = _export_plan(layers, workdir)
    _write(path, writes)
    return _arguments(layers, path, name, exported=bool(writes))


def _arguments(layers: list[QgsMapLayer], path: str, name: str | None, *, exported: bool) -> list[str]:
    """The CRS of a single layer read from its own file is passed on: QGIS may know it when the file does not say
    it (a Shapefile without .prj, a CSV of Lambert-93 x/y), because the person set it on the layer. An export
    carries the CRS itself."""
    args = [path, *(["--layer", name] if name else [])]
    crs = layers[0].crs() if len(layers) == 1 and not exported else None
    if crs is not None and crs.isValid() and crs.authid():
        args += ["--source-crs", crs.authid()]
    return args
