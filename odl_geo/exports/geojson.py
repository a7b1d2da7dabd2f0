"""GeoJSON as RFC 7946 asks: WGS84 lon/lat, counter-clockwise outer rings, 7 decimals (about 1 cm)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..naming import safe_file_stem
from ..normalise.pipeline import LayerStream
from .base import OutputFile, WriteContext, Writer
from .geojson_text import write_points
from .ogr import write_stream

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["GeoJSONWriter"]


class GeoJSONWriter(Writer):
    key, label, extension, target_epsg, typed = "geojson", "GeoJSON (RFC 7946)", ".geojson", 4326, False

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        # a table (every geometry null) has no coordinates to write: GDAL's RFC 7946 mode would only warn
        # "No SRS set on layer. Assuming it is long/lat", and the file is the same RFC 7946 GeoJSON without it
        options = (
            {"RFC7946": "YES", "COORDINATE_PRECISION": str(ctx.geojson_precision), "WRITE_BBOX": "YES"}
            if layer.has_geometry
            else {}
        )
        if scan.families == {"point"}:
            # a point's box is the point itself: about +30 % of the file for nothing (issue 16); the layer's box
            # is in the manifest (bbox_wgs84)
            options.pop("WRITE_BBOX", None)
        if scan.families == {"point"} and not scan.has_multi_points:
            # point features printed a batch at a time as GDAL's driver prints them (geojson_text.py)
            out = write_points(stream, path, ctx, layer_name=layer.name, layer_options=options)
        else:
            out = write_stream(stream, path, "GeoJSON", ctx, fmt=self.key, layer_name=layer.name, layer_options=options)
        return [out] if out else []
