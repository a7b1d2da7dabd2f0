"""FlatGeobuf (EPSG:2154) with its packed Hilbert R-tree, for fast streaming to web maps."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..normalise.pipeline import LayerStream
from .base import OutputFile, WriteContext, Writer, safe_file_stem
from .ogr import write_stream

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["FlatGeobufWriter"]


class FlatGeobufWriter(Writer):
    key, label, extension, target_epsg, writes_tables = "fgb", "FlatGeobuf", ".fgb", 2154, False

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        out = write_stream(
            stream, path, "FlatGeobuf", ctx, fmt=self.key, layer_name=layer.name, layer_options={"SPATIAL_INDEX": "YES"}
        )
        return [out] if out else []
