"""GeoPackage in Lambert-93 (EPSG:2154), all layers of a source in one file, with spatial index."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyogrio

from ..normalise.pipeline import LayerStream
from .base import OutputFile, WriteContext, Writer, safe_file_stem
from .ogr import write_stream

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["GeoPackageWriter"]


class GeoPackageWriter(Writer):
    key, label, extension, target_epsg = "gpkg", "GeoPackage", ".gpkg", 2154

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(ctx.source_stem)}{self.extension}"
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        # same input, same bytes: GeoPackage stores a "last change" timestamp in gpkg_contents
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": ctx.gdal_date})
        try:
            out = write_stream(
                stream,
                path,
                "GPKG",
                ctx,
                fmt=self.key,
                layer_name=layer.name,
                append=path.exists(),
                layer_options={"SPATIAL_INDEX": "YES", "GEOMETRY_NAME": "geom", "FID": "fid"}
                if layer.has_geometry
                else {"FID": "fid"},
            )
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
        return [out] if out else []
