"""KML for Google Earth and phones (WGS84); layers without geometry are not written.

GDAL's LIBKML writer refuses a whole layer when one polygon is invalid (GEOS validity), so KML is always
written from repaired geometries, even when ``--no-repair`` keeps the other formats as they came.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..naming import safe_file_stem
from ..normalise.pipeline import LayerStream
from ..report import Issue, Severity
from .base import OutputFile, WriteContext, Writer
from .ogr import write_stream

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["KMLWriter"]


class KMLWriter(Writer):
    key, label, extension, target_epsg, typed, writes_tables = "kml", "KML", ".kml", 4326, False, False

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        options = self.options_for(ctx, layer)
        if not options.repair and scan.families & {"polygon", "collection"}:
            ctx.report.add(
                Issue(
                    "KML_REPAIRED",
                    Severity.INFO,
                    f"{path.name}: KML cannot hold invalid polygons, so they were repaired in the KML file only "
                    "(--no-repair still applies to the other formats).",
                    layer=layer.name,
                )
            )
            options = replace(options, repair=True)
        stream = LayerStream(layer, options, scan, ctx.feedback, ctx.report)
        out = write_stream(stream, path, "LIBKML", ctx, fmt=self.key, layer_name=layer.name)
        return [out] if out else []
