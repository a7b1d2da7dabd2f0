"""CSV for spreadsheets: UTF-8, comma-separated; points as longitude/latitude columns, others as WKT (WGS84).

Text cells a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) are prefixed with ``'``
(:mod:`odl_geo.csvsafe`); numbers stay numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely

from ..csvsafe import FORMULA_START, NUMBER, neutralise_csv_cell
from ..errors import OutputError
from ..naming import safe_file_stem
from ..normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from .base import OutputFile, WriteContext, Writer
from .geojson_text import point_xy
from .ogr import wgs84_bbox

if TYPE_CHECKING:
    from ..normalise.scan import GeometryScan
    from ..sources.layer import LayerSource

__all__ = ["CSVWriter"]


class CSVWriter(Writer):
    key, label, extension, target_epsg, typed = "csv", "CSV", ".csv", 4326, False

    def write_layer(self, layer: LayerSource, scan: GeometryScan, ctx: WriteContext) -> list[OutputFile]:
        path = ctx.staging / f"{safe_file_stem(layer.name)}{self.extension}"
        stream = LayerStream(layer, self.options_for(ctx, layer), scan, ctx.feedback, ctx.report)
        points = scan.families == {"point"} and not scan.has_multi_points
        digits = ctx.geojson_precision
        writer = None
        try:
            for batch in stream.batches():
                batch = _neutralised(_no_blank_lines(_geometry_as_text(batch, points, digits)))
                if writer is None:
                    writer = pacsv.CSVWriter(
                        path, batch.schema, write_options=pacsv.WriteOptions(quoting_style="needed")
                    )
                writer.write_batch(batch)
        except (OSError, pa.ArrowException) as exc:
            raise OutputError(
                f"Writing {path.name} (csv) failed: {exc}",
                "Check the output folder.",
                message_fr=f"L'écriture de {path.name} (csv) a échoué : {exc}",
                hint_fr="Vérifiez le dossier de sortie.",
            ) from exc
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            return []
        crs = "EPSG:4326" if layer.has_geometry else None
        return [
            OutputFile(
                path=path.name,
                format=self.key,
                layer=layer.name,
                crs=crs,
                feature_count=stream.stats.count,
                geometry_type=stream.output_geometry_type,
                bbox=stream.stats.bbox,
                bbox_wgs84=wgs84_bbox(stream.stats.bbox, crs) if crs else None,
            )
        ]


def _plain_columns(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Extension columns (GDAL's ``arrow.json`` for nested GeoJSON values) as their text storage."""
    if not any(isinstance(f.type, pa.BaseExtensionType) for f in batch.schema):
        return batch
    cols = [c.storage if isinstance(c.type, pa.BaseExtensionType) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(cols, names=batch.schema.names)


def _neutralised(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Text cells (and column names) a spreadsheet would run as a formula, prefixed with ``'`` (OWASP)."""
    names = [str(neutralise_csv_cell(n)) for n in batch.schema.names]
    cols = []
    for col in batch.columns:
        if pa.types.is_dictionary(col.type):
            col = col.cast(col.type.value_type)
        if (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)) and _may_start_a_formula(col):
            formula = pc.match_substring_regex(col, FORMULA_START)
            if pc.any(formula).as_py():
                risky = pc.and_not(formula, pc.match_substring_regex(col, NUMBER))
                if pc.any(risky).as_py():
                    col = pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col)
        cols.append(col)
    return pa.RecordBatch.from_arrays(cols, names=names)


#: first bytes of a cell :data:`FORMULA_START` may match: tab, CR, space, LF, = + - @, and 0xEF, the first byte
#: of the full-width signs U+FF1D, U+FF0B, U+FF0D and U+FF20 in UTF-8
_FORMULA_FIRST_BYTES = np.zeros(256, dtype=bool)
_FORMULA_FIRST_BYTES[[0x09, 0x0D, 0x20, 0x0A, 0x3D, 0x2B, 0x2D, 0x40, 0xEF]] = True


def _may_start_a_formula(col: pa.Array) -> bool:
    """False when no cell starts with a byte a formula may start with: the regular expressions are not needed
    (the usual column: 2 regular expressions a cell were most of a theme CSV's neutralising time)."""
    if isinstance(col, pa.ChunkedArray) or not pa.types.is_string(col.type) or len(col) == 0:
        return True  # rare shapes: the regular expressions decide
    _, offsets_buf, data_buf = col.buffers()[:3]
    if data_buf is None:
        return False
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[col.offset : col.offset + len(col) + 1]
    starts = offsets[:-1][np.diff(offsets) > 0]  # null and empty cells have no first byte (never a formula)
    return bool(_FORMULA_FIRST_BYTES[np.frombuffer(data_buf, dtype=np.uint8)[starts]].any())


def _no_blank_lines(batch: pa.RecordBatch) -> pa.RecordBatch:
    """With a single column, a null value would be written as an empty line, which every CSV reader skips
    (the row is lost); an empty quoted string keeps the row and still reads back as empty."""
    if batch.num_columns != 1 or batch.column(0).null_count == 0:
        return batch
    col = pc.fill_null(pc.cast(batch.column(0), pa.string()), "")
    return pa.RecordBatch.from_arrays([col], names=batch.schema.names)


def _geometry_as_text(batch: pa.RecordBatch, points: bool, digits: int) -> pa.RecordBatch:
    batch = _plain_columns(batch)
    if GEOMETRY_COLUMN not in batch.schema.names:
        return batch
    idx = batch.schema.get_field_index(GEOMETRY_COLUMN)
    rest = batch.drop_columns([GEOMETRY_COLUMN])
    taken = {n.lower() for n in rest.schema.names}
    if points:
        # plain 2D points read straight from their WKB (the same doubles shapely returns, without building a
        # geometry a row); any other WKB goes through shapely
        where = point_xy(batch.column(idx))
        if where is not None and np.isfinite(where[0][where[1]]).all():  # an empty point: shapely's way
            xy, present = where
            x, y = xy[:, 0].round(digits), xy[:, 1].round(digits)
        else:
            geoms = shapely.from_wkb(batch.column(idx).to_numpy(zero_copy_only=False))
            present = ~shapely.is_missing(geoms)
            x = shapely.get_x(geoms).round(digits)
            y = shapely.get_y(geoms).round(digits)
        rest = rest.append_column(_free_name("longitude", taken), pa.array(x, mask=~present))
        return rest.append_column(_free_name("latitude", taken), pa.array(y, mask=~present))
    geoms = shapely.from_wkb(batch.column(idx).to_numpy(zero_copy_only=False))
    wkt = shapely.to_wkt(geoms, rounding_precision=digits, trim=True)
    return rest.append_column(_free_name("wkt", taken), pa.array(wkt, type=pa.string()))


def _free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name_wgs84`` when the source already has such a column (a lon/lat CSV, a WKT field):
    two columns with one header would be read back as one, or renamed differently by each spreadsheet."""
    candidate, n = name, 1
    while candidate.lower() in taken:
        candidate = f"{name}_wgs84" if n == 1 else f"{name}_wgs84_{n}"
        n += 1
    taken.add(candidate.lower())
    return candidate
