"""A multi-table product (the CNIG PPR GeoPackage) as the source of the standard formats, read in Arrow batches.

``convert --theme flood --to geojson,csv`` writes each CNIG table to GeoJSON and CSV besides the GeoPackage. The
whole-dataset path turned every checked frame into an in-memory Arrow table (its geometries as WKB) next to the
frames themselves: the memory peak of a large PPR's run (about 840 MB at 100,000 zones). The
product GeoPackage is written by then and holds exactly those rows in that order (it is built from the final
frames, after ``--drop-invalid``), so here each table is read back from it with GDAL's Arrow stream
(``pyogrio.open_arrow``), a batch at a time, and the frames are released first (:func:`release_frames`): only a
bounded sample stays for the report's map.

The batches are given the very Arrow types :func:`~odl_geo.theme.layers.frame_layer` would have given the frame
(a column the template declares INTEGER, DATE or BOOLEAN but the frame held as text stays text, written as
``str`` of the value, as before), so the GeoJSON and CSV files are the same bytes (``bench/theme_identical.py``,
``tests/unit/test_flood_stream_tables.py``). A table the file cannot stand for (other columns, rows or geometry
type: the perimeter, whose polygons the file promotes to MULTIPOLYGON) is converted from its frame as before,
before the frames go. Reading back costs about the CPU the conversion of the frames did: the gain is memory.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio
import shapely

from ..checks._common import geometry_name
from ..memory import release_free_memory
from ..normalise.pipeline import GEOMETRY_COLUMN
from ..normalise.scan import GeometryScan, scan_geometries
from ..sources.layer import LayerSource
from .layers import frame_layer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from ..exports.base import OutputFile
    from ..feedback import Feedback
    from ..report import Report
    from .run import LayerResult, ThemeRun

__all__ = [
    "PREVIEW_SHAPES",
    "PackedShapes",
    "TableLayer",
    "formats_on_two_processes",
    "merged_outputs",
    "pack_shapes",
    "product_sources",
    "product_table_layers",
    "release_frames",
]

#: shapes kept per table for the report's map once the frames are released (the faulty ones first): a map of
#: 560 x 380 pixels shows the table's extent and density with this many, and matplotlib draws a polygon in about
#: 0.5-1 ms (a PPR of 100,000 zones has a dozen tables: 5,000 a table drew 24,000 polygons, 31 s under load)
PREVIEW_SHAPES = 2_000
#: rows per Arrow batch read back from the GeoPackage at most; fewer for large shapes, so that a batch holds about
#: :data:`TABLE_BATCH_BYTES` of geometry (a CNIG zone is about 1 KB of coordinates: 20,000 of them raised the
#: GeoJSON writer's peak by ~190 MB at 100,000 zones)
BATCH_ROWS = 65_536
#: WKB bytes per batch read back: an eighth of a plain conversion's :data:`~odl_geo.normalise.pipeline.BATCH_BYTES`.
#: The GeoJSON and CSV writers' working memory grows with the batch, not their speed (the largest table of flood
#: 100k, 52,488 zones of 45 vertices, alone in a process: GeoJSON 65,536 rows a batch +320 MB, 16,384 +180,
#: 4,096 +58, 2,048 +36, for 2.0-2.3 s of CPU each; CSV 8,192 +122 MB 1.8 s, 2,048 +47 MB 1.4 s), and two of them
#: run at once when the formats are shared with a forked child (:func:`formats_on_two_processes`): 2 MB until the
#: tenth session, when the two processes' writers together reached 397-416 MB at 100k, 355-363 MB with 1 MB (the
#: same run time, 24-25 s)
TABLE_BATCH_BYTES = 1 << 20

_TYPE_NAMES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
               7: "GeometryCollection"}  # fmt: skip


class TableLayer:
    """What is needed to stream one checked table from the product file once its frame is gone."""

    def __init__(self, lyr: LayerResult, name: str, path: Path, table: str) -> None:
        frame = lyr.frame
        geom = geometry_name(frame)
        geoms = np.asarray(frame[geom].values) if geom is not None else None
        has_geom = geoms is not None and not bool(shapely.is_missing(geoms).all())
        self.name, self.path, self.table = name, path, table
        #: the frame as an in-memory layer, built before the frames go, when the file cannot stand for it
        self.fallback: LayerSource | None = None
        self.columns = [str(c) for c in frame.columns if c != geom]
        self.schema = _frame_schema(frame, geom)
        self.count = len(frame)
        self.batch_rows = _batch_rows(geoms) if geoms is not None and has_geom else BATCH_ROWS
        self.crs = getattr(frame, "crs", None) if has_geom else None
        self.geometry_type: str | None = None
        if has_geom:
            assert geoms is not None
            kinds = {int(t) for t in shapely.get_type_id(geoms) if t >= 0}
            self.geometry_type = _TYPE_NAMES.get(kinds.pop(), "Unknown") if len(kinds) == 1 else "Unknown"

    def matches_file(self) -> bool:
        """The table in the file has the frame's columns, geometry type and row count: it can stand for the frame.

        Not when the file promotes the frame's shapes (the perimeter's polygons are MULTIPOLYGON in the file):
        the standard formats have always written the checked frame's own shapes."""
        try:
            info = pyogrio.read_info(self.path, layer=self.table)
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
            return False
        fields = [str(f) for f in info["fields"]]
        return (
            set(self.columns) <= set(fields)
            and info.get("geometry_type") == self.geometry_type
            and int(info["features"]) == self.count
        )

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The table's rows in file order, with the frame's columns, names and Arrow types."""
        target = self.schema
        release_free_memory()  # what the previous table's writer freed goes back before this one is read
        with pyogrio.open_arrow(
            self.path, layer=self.table, columns=self.columns, batch_size=self.batch_rows, use_pyarrow=True
        ) as (meta, reader):
            geom = meta.get("geometry_name") or "wkb_geometry"
            for batch in reader:
                arrays = [_as_type(batch.column(n), target.field(n).type) for n in self.columns]
                if self.geometry_type is not None:
                    arrays.append(batch.column(geom).cast(pa.binary()))
                yield pa.RecordBatch.from_arrays(arrays, schema=target)

    def layer(self) -> LayerSource:
        if self.fallback is not None:
            return self.fallback
        return LayerSource(
            name=self.name,
            display=self.name,
            gdal_path=str(self.path),  # the geometry scan reads the file's geometries (see scan_geometries)
            gdal_layer=self.table,
            driver="GPKG",
            geometry_type=self.geometry_type,
            feature_count=self.count,
            fields=[(f.name, str(f.type)) for f in self.schema if f.name != GEOMETRY_COLUMN],
            crs=self.crs,
            crs_how="declared" if self.crs is not None else "none",
            batch_source=self.batches,
        )


def product_table_layers(run: ThemeRun, products: list[OutputFile], folder: Path) -> list[TableLayer] | None:
    """Each checked layer of ``run`` as a table of the GeoPackage product in ``folder`` (None when there is no
    such product); a layer the file cannot stand for (another geometry type, other rows) is converted from its
    frame now, as before, so that the frames can go.

    Call it before :func:`release_frames`: the frames give the columns, Arrow types and geometry type.
    """
    tables = {f.layer: folder / f.path for f in products if f.format == "gpkg" and f.layer}
    names = [lyr.product_name or lyr.layer for lyr in run.layers]
    if len(run.layers) < 2 or not any(n in tables for n in names):
        return None  # one layer takes the products' name in the standard formats: not a multi-table product
    found = []
    for lyr, name in zip(run.layers, names, strict=True):
        table = TableLayer(lyr, name, tables.get(name, folder / "-"), name)
        if name not in tables or not table.matches_file():
            table.fallback = frame_layer(lyr.frame, name, name)  # as before: from the frame (a small table)
        found.append(table)
    return found


def product_sources(
    run: ThemeRun, products: list[OutputFile], folder: Path, formats: list[str] | tuple[str, ...]
) -> tuple[list[tuple[LayerSource, GeometryScan]] | None, PackedShapes]:
    """What :func:`~odl_geo.theme.outputs.convert_theme` gives the standard formats' writers once a multi-table
    product is written: its tables read back in batches (the frames released, a sample kept for the map), or
    None when the frames must be streamed as they are (no such product; then they are kept); and the kept
    samples' shapes, packed until the caller restores them (after the formats, before the maps)."""
    tables = product_table_layers(run, products, folder) if formats else None
    if tables is None and formats:
        return None, PackedShapes()
    packed = release_frames(run)
    return (list(layers_with_scans(tables)) if tables is not None else None), packed


def layers_with_scans(tables: list[TableLayer]) -> Iterator[tuple[LayerSource, GeometryScan]]:
    """One table at a time, with its geometry scan (read from the file's geometry headers only)."""
    for table in tables:
        layer = table.layer()
        yield layer, scan_geometries(layer)


#: what one row costs a writer, relatively (measured at 100,000 zones, profiled: GeoJSON through GDAL 15.3 s,
#: CSV 5.7 s): the largest tasks are handed out first, so that the two processes end about together
FORMAT_WEIGHTS = {"geojson": 3, "csv": 1}
#: what sharing the formats with a child adds to the run's memory, the processes together, over the run's resident
#: set at the fork: the child's own pages (GDAL's writer, a batch of a table read back, and the pages of the run's
#: process that either process writes meanwhile, which the child then holds alone) and the run's own writer's
#: growth. Measured at 100,000 zones: with 2 MB batches 287 MB at the fork, 420 MB at most together (+133; sixth
#: round, another machine) and 265 -> 397-416 MB (+132-151, tenth session); with 1 MB batches
#: (:data:`TABLE_BATCH_BYTES`) 265 -> 355-363 MB (+90-98, three runs), hence this figure with a margin
TABLE_CHILD_BYTES = 110 << 20


def formats_on_two_processes(
    run: ThemeRun,
    staging: Path,
    formats: list[str] | tuple[str, ...],
    tables: list[tuple[LayerSource, GeometryScan]],
    feedback: Feedback | None,
) -> list[OutputFile] | None:
    """The standard formats of a multi-table product (each CNIG table to GeoJSON and CSV...) written by the run's
    process and a forked child together (the second core), each taking the next (table, format) left when it is
    free, the largest first; None when that cannot be done now (fork not safe, no room in the memory bar, fewer
    than two files to write): the caller then writes them one after the other, as before.

    The files are those the writers give one after the other (same code, same inputs: the tables are read back
    from the product GeoPackage, or are small in-memory layers the child inherits); they are listed, and the
    writers' notes join the run's report, in the formats' order (table by table), whichever process wrote them.
    The child's error is raised here as the writer's own; a cancel or a failure here kills the child first.
    """
    from ..exports.registry import writers_for
    from ..feedback import NullFeedback
    from .forked import Claims, ForkedTask, fork_allowed
    from .outputs import _write_context, _write_one

    writers = writers_for(list(formats))
    tasks = [
        (t, w)
        for t, (layer, _) in enumerate(tables)
        for w, writer in enumerate(writers)
        if layer.has_geometry or writer.writes_tables
    ]
    if not 2 <= len(tasks) <= 255 or not fork_allowed():
        return None
    release_free_memory()  # the frames' freed pages given back before the rest is shared with the child
    if not _room_for_child():
        return None

    def cost(n: int) -> int:
        t, w = tasks[n]
        return tables[t][0].feature_count * FORMAT_WEIGHTS.get(writers[w].key, 2)

    claims = Claims(sorted(range(len(tasks)), key=cost, reverse=True))  # ties: in the formats' order
    quiet = _write_context(run, staging, NullFeedback())

    def work() -> dict[int, tuple[list[OutputFile], Report]]:  # in the child
        done: dict[int, tuple[list[OutputFile], Report]] = {}
        while (n := claims.take()) is not None:
            t, w = tasks[n]
            done[n] = _write_one(writers[w], tables[t][0], tables[t][1], quiet)
        return done

    try:
        child = ForkedTask(work, "standard formats")
    except OSError:  # no fork possible now (a process limit, no memory for the child's tables): as before
        claims.close()
        return None
    feedback = feedback or NullFeedback()
    ctx = _write_context(run, staging, feedback)
    done: dict[int, tuple[list[OutputFile], Report]] = {}
    try:
        while (n := claims.take()) is not None:
            t, w = tasks[n]
            layer, scan = tables[t]
            feedback.info(f"[{t + 1}/{len(tables)}] {layer.name} -> {writers[w].label}")
            done[n] = _write_one(writers[w], layer, scan, ctx)
        done.update(child.result(feedback))
    except BaseException:
        child.stop()
        raise
    finally:
        claims.close()
    assert sorted(done) == list(range(len(tasks)))
    return merged_outputs(run, [done[n] for n in range(len(tasks))])


def _room_for_child() -> bool:
    """True when the run's resident set now and :data:`TABLE_CHILD_BYTES` stay within the memory bar (issue 16's
    bar counts the processes together); unknown (no /proc): False."""
    import os

    from .forked import MEMORY_BUDGET

    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            resident = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return False
    return resident + TABLE_CHILD_BYTES <= MEMORY_BUDGET


def merged_outputs(run: ThemeRun, done: list[tuple[list[OutputFile], Report]]) -> list[OutputFile]:
    """The files in the formats' order; the writers' notes merged in that order, as one report shared by all the
    writers holds them, the warnings added to the run's report (the standard formats' end, one process or two)."""
    from ..report import Report, Severity

    notes = Report()
    out: list[OutputFile] = []
    for files, report in done:
        out.extend(files)
        for issue in report.issues:
            notes.add(issue)
    for issue in notes.issues:
        if issue.severity is not Severity.INFO:
            run.report.add(issue)
    return out


def release_frames(run: ThemeRun, keep: int = PREVIEW_SHAPES) -> PackedShapes:
    """Let the checked frames go once the products are written: each layer keeps its counts and, for the
    report's map, its shapes when it has at most ``keep`` rows, else its faulty shapes (up to ``keep``) and an
    even sample of the others (``keep`` in all). The run's dataset goes too.

    The kept shapes are returned packed (:class:`PackedShapes`): each layer's frame holds its other columns only
    until :meth:`PackedShapes.restore` puts them back, after the standard formats (the maps are drawn last)."""
    run.dataset = None
    for lyr in run.layers:
        lyr.context = None  # the last check run's context holds the whole frame
        frame = lyr.frame
        n = len(frame)
        if lyr.total is None:
            lyr.total = n
        if lyr.faulty_total is None:
            lyr.faulty_total = len(lyr.faulty)
        if n <= keep:
            continue
        geom = geometry_name(frame)
        bad = np.zeros(n, dtype=bool)
        rows = np.fromiter((r for r in lyr.faulty if 0 <= r < n), dtype=np.int64)
        bad[np.sort(rows)[:keep]] = True
        others = np.flatnonzero(~bad)
        room = max(keep - int(bad.sum()), 0)
        take = bad.copy()
        if room and others.size:
            take[others[np.linspace(0, others.size - 1, min(room, others.size)).astype(np.int64)]] = True
        part = frame.loc[take, [geom]] if geom is not None else frame.iloc[:0]
        lyr.frame = part.reset_index(drop=True)
        lyr.faulty = {int(i) for i in np.flatnonzero(bad[take])}
    frame = None  # the last table's whole frame: not held through the collection
    return pack_shapes(run.layers)


class PackedShapes:
    """The shapes of the layers' kept frames as ISO WKB, one buffer per layer, while their frames hold the other
    columns only; :meth:`restore` makes them again (the same coordinates, Z and M, frames, index and CRS).

    Why: the kept shapes were allocated among the whole tables' (the heap of a 100k-zone PPR: ~100 MB), and
    each still-live shape pins the pages around it, so freeing the rest gave back little (278 MiB left when the
    standard formats start at 100k; 245 MiB with the samples packed and made again at once, seventh round).
    Kept as WKB through the standard formats they weigh their bytes (about 1 KB a zone, in one mapped block
    outside the heap) instead of GEOS objects (about 2.2 KB, and Python objects the forked formats' child
    would copy as it touches them): the run's resident set when the formats start, and what the child adds to
    it, are what decide whether they can be shared with a forked child within the memory bar
    (:data:`TABLE_CHILD_BYTES`). The maps are drawn after the formats, from the restored frames."""

    def __init__(self) -> None:
        self._held: list[tuple[LayerResult, str, list[object], object, pd.DataFrame, bytes, np.ndarray]] = []

    def __len__(self) -> int:
        return len(self._held)

    def add(self, lyr: LayerResult) -> None:
        """Pack ``lyr``'s shapes (nothing to do for a table without them); its frame keeps the other columns."""
        frame = lyr.frame
        geom = geometry_name(frame)
        if geom is None or not len(frame):
            return
        wkbs = shapely.to_wkb(np.asarray(frame[geom].values, dtype=object), output_dimension=4, flavor="iso")
        sizes = np.fromiter((0 if w is None else len(w) for w in wkbs), dtype=np.int64, count=len(wkbs))
        buffer = b"".join(w for w in wkbs if w is not None)
        rest = pd.DataFrame(frame.drop(columns=[geom]))
        self._held.append((lyr, geom, list(frame.columns), frame.crs, rest, buffer, sizes))
        lyr.frame = rest  # until restore(): the shapes are in the buffer

    def restore(self) -> None:
        """Each packed layer's frame made again with its shapes, as it was before :meth:`add`; then nothing held."""
        import geopandas as gpd

        held, self._held = self._held, []
        for lyr, geom, columns, crs, rest, buffer, sizes in held:
            ends = np.cumsum(sizes)
            parts = np.empty(len(sizes), dtype=object)
            for i, (start, end) in enumerate(zip((ends - sizes).tolist(), ends.tolist(), strict=True)):
                parts[i] = buffer[start:end] if end > start else None
            rest.insert(columns.index(geom), geom, gpd.GeoSeries(shapely.from_wkb(parts), index=rest.index, crs=crs))
            lyr.frame = gpd.GeoDataFrame(rest, geometry=geom, crs=crs)


def pack_shapes(layers: list[LayerResult]) -> PackedShapes:
    """The layers' kept shapes packed (:class:`PackedShapes`), the originals freed and their pages given back
    (restored, they are the same shapes as new objects, allocated together)."""
    packed = PackedShapes()
    for lyr in layers:
        packed.add(lyr)
    gc.collect()  # frames in reference cycles (pandas' caches) would wait for the next collection
    release_free_memory()
    return packed


def _batch_rows(geoms: np.ndarray) -> int:
    """Rows per batch for shapes like ``geoms``: about TABLE_BATCH_BYTES of WKB (16 bytes a vertex), 1,024 at
    least."""
    if not len(geoms):
        return BATCH_ROWS
    per_row = 16 * float(shapely.get_num_coordinates(geoms).mean()) + 64
    return int(min(BATCH_ROWS, max(1_024, TABLE_BATCH_BYTES // per_row)))


def _frame_schema(frame: pd.DataFrame, geom: str | None) -> pa.Schema:
    """The Arrow schema :func:`~odl_geo.theme.layers.frame_layer` gives ``frame``, without converting its rows:
    typed columns keep their type, object columns are text unless they hold date-times only."""
    columns = [c for c in frame.columns if c != geom]
    empty = frame_layer(pd.DataFrame(frame[columns].iloc[:0]), "schema", "schema").table
    assert empty is not None
    fields = []
    for c in columns:
        field = empty.schema.field(str(c))
        if frame[c].dtype == object and pd.api.types.infer_dtype(frame[c], skipna=True) == "datetime":
            field = field.with_type(pa.timestamp("ms"))
        fields.append(field)
    if geom is not None and not bool(shapely.is_missing(np.asarray(frame[geom].values)).all()):
        fields.append(pa.field(GEOMETRY_COLUMN, pa.binary()))
    return pa.schema(fields)


def _as_type(column: pa.Array, target: pa.DataType) -> pa.Array:
    """A column read from the GeoPackage in the frame's type. Text the frame held in a column the template
    types otherwise (INTEGER, REAL, DATE, BOOLEAN) is ``str`` of the value, as the frame's text was."""
    if column.type == target:
        return column
    if column.null_count == len(column):
        return pa.nulls(len(column), target)
    if pa.types.is_string(target):
        return pa.array([None if v is None else str(v) for v in column.to_pylist()], type=pa.string())
    return column.cast(target)
