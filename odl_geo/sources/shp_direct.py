"""A plain point Shapefile read straight into Arrow batches: the ``.dbf`` and ``.shp`` are fixed-width records.

GDAL's reader turns each record into an OGR feature, then the feature into Arrow: 2.5 of the 7.5 CPU-seconds of
1M points converted to GeoPackage (issue 16). For the common case, a UTF-8 point Shapefile whose every record is
a 2D point and whose fields are text, numbers or dates, the columns are cut out of the records with numpy and
parsed by Arrow's compute functions, the schema (names, types, field metadata, the geometry's CRS) being the one
GDAL gives for the same file, so the batches are GDAL's (``tests/unit/test_shp_direct.py`` compares them, table
for table, on generated and real Shapefiles).

The values follow GDAL's Shapefile driver (shapelib with ``TRIM_DBF_WHITESPACE``): spaces are trimmed on both
sides; an empty text, a blank or ``*`` number, a blank or ``00000000`` date are null. Anything else, a deleted
record, a NUL byte, invalid UTF-8, a number or date Arrow's strict parsers refuse, a null or non-point shape,
sends the rest of the layer to GDAL from the first row not yet given (:class:`Fallback`), so the result is GDAL's
whatever the file holds. Files this module does not handle at all (other encodings, memo or logical fields, Z/M
shapes, a ``.dbf`` and ``.shx`` that disagree) are never started.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .shp_records import regular_records

if TYPE_CHECKING:
    import io
    from collections.abc import Iterator

    from .layer import LayerSource

__all__ = ["Fallback", "PointShapefile"]

_WKB_POINT = np.dtype([("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])  # 21 bytes, packed


class Fallback(Exception):
    """The rows from ``rows_done`` on must be read by GDAL."""

    def __init__(self, rows_done: int, why: str) -> None:
        super().__init__(why)
        self.rows_done = rows_done


@dataclass
class _Field:
    name: str
    kind: str  # C, N, F, D
    offset: int  # in the record, deletion flag included
    width: int
    arrow: pa.DataType


class PointShapefile:
    """The direct reader of one layer, or None from :meth:`open` when the file is not the plain case."""

    def __init__(
        self, shp: Path, dbf: Path, shx: Path, header: int, record: int, count: int, fields: list[_Field]
    ) -> None:
        self.shp, self.dbf, self.shx = shp, dbf, shx
        self.header, self.record, self.count, self.fields = header, record, count, fields

    @classmethod
    def open(cls, layer: LayerSource, schema: pa.Schema, encoding: str | None) -> PointShapefile | None:
        """The reader when ``layer`` is a plain point Shapefile whose GDAL ``schema`` it can fill, and whose text
        GDAL reads as UTF-8 without recoding (``encoding``: what GDAL's stream says it read, from the ``.cpg``,
        the ``.dbf``'s language byte or the user's choice)."""
        kwargs = layer.read_kwargs()
        if layer.driver != "ESRI Shapefile" or set(kwargs) - {"ENCODING", "layer"}:
            return None
        if kwargs.get("ENCODING", "UTF-8") != "UTF-8" or (encoding or "").upper().replace("_", "-") != "UTF-8":
            return None
        if layer.table is not None or layer.batch_source is not None or layer.geometry_type != "Point":
            return None
        shp = Path(layer.gdal_path)
        if shp.suffix.lower() != ".shp" or not shp.is_file():
            return None
        files = [p for p in shp.parent.glob(shp.stem + ".*") if p.stem == shp.stem]
        parts = {p.suffix.lower(): p for p in files}
        dbf, shx = parts.get(".dbf"), parts.get(".shx")
        if dbf is None or shx is None or len(parts) != len(files):  # .DBF beside .dbf: GDAL chooses, not us
            return None
        try:
            head = np.fromfile(shp, dtype=np.uint8, count=100)
            dhead = np.fromfile(dbf, dtype=np.uint8, count=32)
        except OSError:
            return None
        if len(head) < 100 or len(dhead) < 32 or int(head[32:36].view("<i4")[0]) != 1 or dhead[0] != 0x03:
            return None
        count = int(dhead[4:8].view("<u4")[0])
        header, record = int(dhead[8:10].view("<u2")[0]), int(dhead[10:12].view("<u2")[0])
        if (shx.stat().st_size - 100) // 8 != count or dbf.stat().st_size < header + count * record:
            return None
        desc = np.fromfile(dbf, dtype=np.uint8, count=header - 32, offset=32)
        fields: list[_Field] = []
        offset = 1
        names = [f.name for f in schema][:-1]
        for k in range(0, len(desc) - 31, 32):
            if desc[k] == 0x0D:
                break
            raw = bytes(desc[k : k + 11]).split(b"\0", 1)[0]
            kind, width, decimals = chr(desc[k + 11]), int(desc[k + 16]), int(desc[k + 17])
            if kind not in "CNFD" or len(fields) >= len(names):
                return None
            want = schema.field(len(fields))
            if raw.decode("utf-8", "replace") != want.name or want.name != names[len(fields)]:
                return None
            ok = (
                (kind == "C" and pa.types.is_string(want.type))
                or (kind in "NF" and (pa.types.is_int32(want.type) or pa.types.is_int64(want.type)) and decimals == 0)
                or (kind in "NF" and pa.types.is_float64(want.type))
                or (kind == "D" and pa.types.is_date32(want.type))
            )
            if not ok:
                return None
            fields.append(_Field(want.name, kind, offset, width, want.type))
            offset += width
        if offset != record or len(fields) != len(names) or not pa.types.is_binary(schema.field(-1).type):
            return None
        return cls(shp, dbf, shx, header, record, count, fields)

    def batches(self, schema: pa.Schema, rows: int) -> Iterator[pa.RecordBatch]:
        """Batches of ``rows`` rows in ``schema``; :class:`Fallback` when a row needs GDAL."""
        size = self.shp.stat().st_size
        # one buffer for every batch's records: a new 18 MB block a batch is as many fresh pages for the kernel to
        # map and clear (0.1 s a million points); the columns are copies, never views of it
        buffer = np.empty(min(rows, self.count) * self.record, dtype=np.uint8)
        with self.dbf.open("rb") as dbf_file:
            yield from self._batches(schema, rows, size, dbf_file, buffer)

    def _batches(
        self, schema: pa.Schema, rows: int, size: int, dbf_file: io.BufferedReader, buffer: np.ndarray
    ) -> Iterator[pa.RecordBatch]:
        for start in range(0, self.count, rows):
            n = min(rows, self.count - start)
            index = np.fromfile(self.shx, dtype=">i4", count=2 * n, offset=100 + 8 * start).reshape(-1, 2)
            records = regular_records(
                self.shp, size, index[:, 0].astype(np.int64) * 2, index[:, 1].astype(np.int64) * 2
            )
            if records is None or len(records) != n or (records["type"] != 1).any() or int(index[0, 1]) != 10:
                raise Fallback(start, "not a run of 2D point records")
            dbf_file.seek(self.header + start * self.record)
            if dbf_file.readinto(buffer[: n * self.record].data) != n * self.record:
                raise Fallback(start, "the .dbf is shorter than it declares")
            dbf = buffer[: n * self.record].reshape(n, self.record)
            if (dbf[:, 0] != 0x20).any():
                raise Fallback(start, "deleted records")
            columns = [self._column(dbf, f, start) for f in self.fields]
            wkb = np.empty(n, dtype=_WKB_POINT)
            wkb["order"], wkb["type"], wkb["x"], wkb["y"] = 1, 1, records["x"], records["y"]
            offsets = pa.py_buffer((np.arange(n + 1, dtype=np.int32) * 21).tobytes())
            columns.append(pa.Array.from_buffers(pa.binary(), n, [None, offsets, pa.py_buffer(wkb.tobytes())]))
            yield pa.RecordBatch.from_arrays(columns, schema=schema)

    @staticmethod
    def _column(dbf: np.ndarray, f: _Field, start: int) -> pa.Array:
        raw = dbf[:, f.offset : f.offset + f.width].copy()  # a copy: ``dbf`` is the reader's reused buffer
        if f.width and not raw.all():
            raise Fallback(start, f"NUL byte in {f.name}")
        n = len(raw)
        fixed = pa.Array.from_buffers(pa.binary(f.width), n, [None, pa.py_buffer(raw)])
        try:
            # spaces trimmed byte by byte: a space byte is never part of a multi-byte UTF-8 character, so this is
            # utf8_trim's result at a third of its cost (it decodes every character)
            text = pc.ascii_trim(fixed.cast(pa.binary()).cast(pa.string()), " ")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise Fallback(start, f"{f.name}: {exc}") from None
        blank = pc.equal(pc.binary_length(text), 0)
        try:
            if f.kind == "C":
                return pc.if_else(blank, pa.scalar(None, pa.string()), text)
            if f.kind in "NF":
                null = pc.or_(blank, pc.starts_with(text, "*"))
                values = pc.if_else(null, pa.scalar(None, pa.string()), text)
                return values.cast(f.arrow)
            null = pc.or_(blank, pc.equal(text, "00000000"))
            values = pc.if_else(null, pa.scalar(None, pa.string()), text)
            # 8 bytes: a non-ASCII character among them makes strptime refuse the value (fallback)
            if not pc.all(pc.or_(pc.is_null(values), pc.equal(pc.binary_length(values), 8))).as_py():
                raise Fallback(start, f"{f.name}: a date that is not YYYYMMDD")
            return pc.strptime(values, "%Y%m%d", unit="s", error_is_null=False).cast(pa.date32())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise Fallback(start, f"{f.name}: {exc}") from None
