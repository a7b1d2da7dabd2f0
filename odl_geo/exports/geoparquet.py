"""GeoParquet 1.1 (EPSG:2154, WKB geometry) written batch by batch with pyarrow.

GDAL's Parquet driver is not in pyogrio's wheel, so the ``geo`` metadata is written here, from the spec:
https://geoparquet.org/releases/v1.1.0/ (version, primary_column, columns.<name>.encoding/geometry_types/crs/bbox).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..crs import crs_code
from ..errors import OutputError
from ..naming import safe_file_stem
from ..normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from .base import OutputFile, WriteContext, Writer
from .ogr import wgs84_bbox

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["GeoParquetWriter"]


class GeoParquetWriter(Writer):
    key, label, extension, target_epsg = "parquet", "GeoParquet", ".parquet", 2154

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        crs = stream.options.target_crs or layer.crs
        geo: dict[str, Any] | None = None
        if layer.has_geometry:
            gtype = stream.output_geometry_type or "Unknown"
            types = [] if gtype.startswith("Unknown") else [gtype]
            geo = {
                "version": "1.1.0",
                "primary_column": GEOMETRY_COLUMN,
                "columns": {
                    GEOMETRY_COLUMN: {
                        "encoding": "WKB",
                        "geometry_types": types,
                        "crs": json.loads(crs.to_json()) if crs is not None else None,
                    }
                },
            }
        writer = None
        try:
            for batch in stream.batches():
                if writer is None:
                    writer = pq.ParquetWriter(path, batch.schema, compression="zstd")
                writer.write_batch(batch)
            # "geo" goes into the footer once, at the end, when the bbox is known: a key already set through
            # the schema would win over a later add_key_value_metadata, and the bbox would be lost
            if writer is not None and geo is not None:
                if stream.stats.bbox:
                    geo["columns"][GEOMETRY_COLUMN]["bbox"] = stream.stats.bbox
                writer.add_key_value_metadata({"geo": json.dumps(geo)})
        except (OSError, pa.ArrowException) as exc:
            raise OutputError(
                f"Writing {path.name} (GeoParquet) failed: {exc}",
                "Check the output folder.",
                message_fr=f"L'écriture de {path.name} (GeoParquet) a échoué : {exc}",
                hint_fr="Vérifiez le dossier de sortie.",
            ) from exc
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            return []
        code = crs_code(crs) if layer.has_geometry else None
        return [
            OutputFile(
                path=path.name,
                format=self.key,
                layer=layer.name,
                crs=code,
                feature_count=stream.stats.count,
                geometry_type=stream.output_geometry_type,
                bbox=stream.stats.bbox,
                bbox_wgs84=wgs84_bbox(stream.stats.bbox, crs) if code else None,
            )
        ]
