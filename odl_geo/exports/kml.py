"""KML for Google Earth and phones (WGS84); layers without geometry are not written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..normalise.pipeline import LayerStream
from .base import OutputFile, WriteContext, Writer, safe_file_stem
from .ogr import write_stream

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["KMLWriter"]


class KMLWriter(Writer):
    key, label, extension, target_epsg, typed, writes_tables = "kml", "KML", ".kml", 4326, False, False

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        out = write_stream(stream, path, "LIBKML", ctx, fmt=self.key, layer_name=layer.name)
        return [out] if out else []
