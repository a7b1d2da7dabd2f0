"""GeoPackage in Lambert-93 (EPSG:2154), all layers of a source in one file, with spatial index."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pyogrio

from ..errors import OutputError
from ..memory import release_free_memory
from ..naming import safe_file_stem
from ..normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from .base import OutputFile, WriteContext, Writer
from .gpkg_rtree import PointBoxes, write_rtree
from .ogr import write_stream

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["BULK_RTREE_MIN_FEATURES", "GPKG_VERSION", "GeoPackageWriter"]

#: the GeoPackage version written (GDAL's ``VERSION`` creation option). GDAL 3.12 writes 1.4 by default, which
#: GDAL 3.6 (QGIS 3.22 on Debian 12, older QGIS on Windows) opens with "This version of GeoPackage ... may only
#: be partially supported" on every open; 1.2 is read without a warning by every GDAL since 2.2, and nothing
#: odl-geo writes needs 1.3 or 1.4 (see docs/conversion.md)
GPKG_VERSION = "1.2"


class GeoPackageWriter(Writer):
    key, label, extension, target_epsg = "gpkg", "GeoPackage", ".gpkg", 2154

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(ctx.source_stem)}{self.extension}"
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        # a large point layer's spatial index is bulk-loaded by odl-geo once the rows are written (gpkg_rtree.py):
        # GDAL's is all or nothing within its memory budget, and costs as much CPU as the rows
        boxes = (
            PointBoxes(ctx.staging, safe_file_stem(layer.name))
            if layer.has_geometry
            and layer.feature_count >= BULK_RTREE_MIN_FEATURES
            and stream.output_geometry_type in ("Point", "Point Z")
            else None
        )
        # same input, same bytes: GeoPackage stores a "last change" timestamp in gpkg_contents
        config = {"OGR_CURRENT_DATE": ctx.gdal_date, **_speed_config(layer.feature_count)}
        pyogrio.set_gdal_config_options(config)
        try:
            out = write_stream(
                stream,
                path,
                "GPKG",
                ctx,
                fmt=self.key,
                layer_name=layer.name,
                append=path.exists(),
                dataset_options=None if path.exists() else {"VERSION": GPKG_VERSION},
                layer_options={"SPATIAL_INDEX": "NO" if boxes else "YES", "GEOMETRY_NAME": "geom", "FID": "fid"}
                if layer.has_geometry
                else {"FID": "fid"},
                observe=(lambda batch: boxes.add(batch.column(GEOMETRY_COLUMN))) if boxes else None,
            )
            if out and boxes:
                release_free_memory()  # what GDAL freed once the rows were written, before the index is built
                write_rtree(path, out.layer, boxes)
        except (sqlite3.Error, OSError) as exc:
            raise OutputError(
                f"Writing the spatial index of {path.name} failed: {exc}.",
                "Check free disk space and write permission on the output folder.",
                message_fr=f"L'écriture de l'index spatial de {path.name} a échoué : {exc}.",
                hint_fr="Vérifiez l'espace disque libre et les droits d'écriture sur le dossier de sortie.",
            ) from exc
        finally:
            pyogrio.set_gdal_config_options(dict.fromkeys(config))
            if boxes:
                boxes.close()
        return [out] if out else []


#: point layers from this many features get the spatial index of :mod:`.gpkg_rtree`. Below, GDAL's own in-memory
#: index costs a few tenths of a second at most, and the file stays byte for byte what odl-geo wrote before
#: (the bundled samples' products are compared byte for byte release to release: bench/theme_identical.py)
BULK_RTREE_MIN_FEATURES = 100_000
#: memory GDAL may give the in-memory R-tree of the spatial index
RTREE_MAX_RAM = 64 << 20
#: layers up to this many features build their R-tree in GDAL's background thread (it fits in RTREE_MAX_RAM)
RTREE_THREADED_MAX_FEATURES = 1_000_000
#: SQLite page cache of the file being written, in MB (its default, 2 MB, makes the R-tree copy thrash)
SQLITE_CACHE_MB = 8


def _speed_config(feature_count: int) -> dict[str, str]:
    """GDAL options for a fast GeoPackage write whose peak memory does not grow with the layer.

    GDAL 3.8+ builds the R-tree of the spatial index in memory, up to a tenth of the RAM, in a thread fed
    with the features' boxes while rows are inserted. That thread is fast and runs on the second core,
    but its memory grows with the layer (about 40 bytes a feature, 200 MB for 5M points), and once the
    memory cap is reached the queue of boxes waiting for it grows instead. So: layers that fit in
    :data:`RTREE_MAX_RAM` keep the thread; bigger ones build the index once the rows are written, in
    memory up to the cap, then row by row (slower, flat memory). A larger SQLite cache saves about 10% on
    1M points. SQLite does not wait for the disk at commit (``synchronous=OFF``, about 0.1 s on 100 MB):
    the file is a new one in the staging folder, moved into place only once complete, and a torn file
    after a power cut would show in the manifest's sha256, as for every other format written without
    fsync. Options the user set (environment, ``--config``) win.
    """
    wanted = {
        "OGR_GPKG_MAX_RAM_USAGE_RTREE": str(RTREE_MAX_RAM),
        "OGR_SQLITE_CACHE": str(SQLITE_CACHE_MB),
        "OGR_SQLITE_SYNCHRONOUS": "OFF",
    }
    if feature_count < 0 or feature_count > RTREE_THREADED_MAX_FEATURES:
        wanted["OGR_GPKG_ALLOW_THREADED_RTREE"] = "NO"
    return {k: v for k, v in wanted.items() if pyogrio.get_gdal_config_option(k) is None}
