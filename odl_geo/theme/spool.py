"""A streamed theme run's final rows, kept on disk for the standard formats (GeoPackage, GeoJSON, CSV...).

The ordinary writers pull a layer's batches, one format after the other, as a plain conversion re-reads its
source for each format. A streamed run cannot give them its chunks twice, and holding them would defeat the
streaming: each final chunk is written once as Arrow IPC (the bytes Arrow holds in memory, no encoding, no index),
and each writer streams them back, one chunk in memory at a time. This replaces the temporary GeoPackage the theme
path once wrote and re-read (its spatial index, its SQLite pages, its re-normalisation).

Chunks may disagree on a column's type (a column empty in one chunk, integers in one and decimals in the next):
the writers get one schema, the widest (integers and decimals as decimals, anything else mixed as text).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ipc

from ..normalise.pipeline import GEOMETRY_COLUMN
from ..normalise.scan import GeometryScan, scan_geometries
from ..sources.layer import LayerSource
from .layers import frame_layer

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

    from ..normalise.frames import SourceWkb

__all__ = ["LayerSpool"]


class LayerSpool:
    """The final chunks of one layer, in order, in a private folder removed by :meth:`close`."""

    def __init__(self, name: str, parent: Path) -> None:
        self.name = name
        self.folder = Path(tempfile.mkdtemp(prefix=".odl-geo-spool-", dir=parent))
        self.files: list[Path] = []
        self.types: dict[str, list[pa.DataType]] = {}
        #: per column, whether each chunk held a value in it (a column empty in a chunk has no type of its own there)
        self.valued: dict[str, list[bool]] = {}
        self.scan = GeometryScan()
        self.count = 0
        self.crs: object = None
        self.geometry_types: set[str] = set()

    def add(self, frame: pd.DataFrame, source: SourceWkb | None = None) -> None:
        """Spool one final chunk (a checked GeoDataFrame, or a DataFrame for a table).

        :param source: the WKB the chunk was read from (its geometries left as they were are not encoded again).
        """
        if not len(frame):
            return
        layer = frame_layer(frame, self.name, self.name, source)
        assert layer.table is not None
        table = layer.table
        for name, column in zip(table.schema.names, table.columns, strict=True):
            self.types.setdefault(name, []).append(column.type)
            self.valued.setdefault(name, []).append(column.null_count < len(column))
        if layer.has_geometry:
            part = scan_geometries(layer)
            for kind, n in part.counts.items():
                self.scan.counts[kind] = self.scan.counts.get(kind, 0) + n
            self.scan.nulls += part.nulls
            self.scan.has_z |= part.has_z
            self.scan.has_m |= part.has_m
            self.crs = self.crs or layer.crs
            self.geometry_types.add(layer.geometry_type or "Unknown")
        else:
            self.scan.nulls += len(frame)
        path = self.folder / f"{len(self.files):06d}.arrow"
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        self.files.append(path)
        self.count += len(frame)

    def state(self) -> dict[str, object]:
        """What the spool knows of its chunks (files, types, geometries), for the process that reads them back: a
        forked pass spools in its child (:mod:`odl_geo.theme.pass_child`), the run's process writes the formats."""
        keys = ("files", "types", "valued", "scan", "count", "crs", "geometry_types")
        return {key: getattr(self, key) for key in keys}

    def restore(self, state: dict[str, object]) -> None:
        """Take the :meth:`state` of the same spool (same folder) as filled by another process."""
        for key, value in state.items():
            setattr(self, key, value)

    @property
    def nbytes(self) -> int:
        """Bytes of the spooled chunks on disk (what a forked writer's memory estimate scales with)."""
        return sum(path.stat().st_size for path in self.files)

    def schema(self) -> pa.Schema:
        """One schema for every chunk: a column's type where chunks agree, else the widest."""
        fields = [
            pa.field(name, _widest(types, self.valued.get(name)))
            for name, types in self.types.items()
            if name != GEOMETRY_COLUMN
        ]
        if GEOMETRY_COLUMN in self.types:
            fields.append(pa.field(GEOMETRY_COLUMN, pa.binary()))
        return pa.schema(fields)

    def layer(self) -> LayerSource:
        """The spooled rows as a layer the writers stream (each writer reads the chunks anew)."""
        schema = self.schema()
        has_geometry = GEOMETRY_COLUMN in schema.names
        kinds = self.geometry_types
        geometry_type = (kinds.copy().pop() if len(kinds) == 1 else "Unknown") if has_geometry else None

        def batches() -> Iterator[pa.RecordBatch]:
            for path in self.files:
                with pa.OSFile(str(path), "rb") as source:
                    table = ipc.open_file(source).read_all()
                yield from _conform(table, schema).to_batches()
                del table

        return LayerSource(
            name=self.name,
            display=self.name,
            gdal_path="",
            gdal_layer=None,
            driver="memory",
            geometry_type=geometry_type,
            feature_count=self.count,
            fields=[(f.name, str(f.type)) for f in schema if f.name != GEOMETRY_COLUMN],
            crs=self.crs if has_geometry else None,  # type: ignore[arg-type]
            crs_how="declared" if has_geometry and self.crs is not None else "none",
            batch_source=batches,
        )

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _widest(types: list[pa.DataType], valued: list[bool] | None = None) -> pa.DataType:
    """One type for a column whose chunks have ``types``, as the whole layer in one frame has it.

    ``valued``: whether each chunk held a value in the column. A chunk without any (a one-row chunk of a blank
    diameter, an object column of None spooled as text) has no type of its own: the others decide, and its
    missing values make integers decimals and booleans text, as pandas holds them in the whole layer
    (``--chunk-rows 1`` wrote PEI's diameters as text, ``"100"``, where a whole run writes ``100``)."""
    if valued is not None and any(valued) and not all(valued):
        typed = [t for t, v in zip(types, valued, strict=True) if v]
        if all(pa.types.is_integer(t) for t in typed):
            return pa.float64()
        if all(pa.types.is_boolean(t) for t in typed):
            return pa.string()
        types = typed
    known = [t for t in types if not pa.types.is_null(t)]
    if not known:
        return pa.string()
    first = known[0]
    if all(t.equals(first) for t in known):
        return first
    if all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in known):
        return pa.float64()
    if all(pa.types.is_timestamp(t) for t in known):
        return pa.timestamp("ms")
    return pa.string()


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with ``schema``'s columns, in its order: missing ones null, others cast."""
    arrays = []
    for field in schema:
        if field.name in table.column_names:
            column = table.column(field.name)
            if pa.types.is_boolean(column.type) and pa.types.is_string(field.type):  # as str() writes them
                column = pc.if_else(column, "True", "False")
            arrays.append(column if column.type.equals(field.type) else column.cast(field.type))
        else:
            arrays.append(pa.nulls(table.num_rows, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)
