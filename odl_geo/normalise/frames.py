"""A normalised layer as a GeoDataFrame, for work that needs the whole layer at once (profiles, checks).

Conversions stream; profiles and checks compare rows with each other (duplicates, joins), so they take the
same normalised data (same repairs, same reprojection, same report) as one GeoDataFrame.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from .options import NormaliseOptions
from .pipeline import GEOMETRY_COLUMN, LayerStream
from .scan import GeometryScan, scan_geometries

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..feedback import Feedback
    from ..report import Report
    from ..sources.layer import LayerSource

__all__ = [
    "CHUNK_BYTES",
    "FrameChunks",
    "SourceWkb",
    "chunk_rows_for",
    "declared_scan",
    "read_frame",
    "read_frames",
    "wkb_of",
]


def read_frame(
    layer: LayerSource,
    options: NormaliseOptions | None = None,
    report: Report | None = None,
    feedback: Feedback | None = None,
) -> gpd.GeoDataFrame:
    """The whole normalised layer; a table without geometry comes back with an all-null geometry column.

    :param options: as for conversions; ``target_crs`` reprojects (e.g. EPSG:4326 for the hiking schema).
    """
    options = options or NormaliseOptions()
    stream = LayerStream(layer, options, scan_geometries(layer), feedback, report)
    reader = stream.reader()
    crs = (options.target_crs or layer.crs) if layer.has_geometry else None
    if reader is None:
        return gpd.GeoDataFrame({n: pd.Series(dtype=object) for n, _ in layer.fields}, geometry=[], crs=crs)
    return _frame(reader.read_all(), crs)


#: normalised Arrow bytes a streamed chunk holds at most (about one reader batch): the chunk's frames, copies and
#: checks weigh 8 to 10 times that (a 2 KB hiking trail: ~20 KB in pandas/shapely through a theme run's steps)
CHUNK_BYTES = 8 << 20
#: fewest rows a chunk is cut to, however heavy its features (the per-chunk work must not dominate)
MIN_CHUNK_ROWS = 256


def chunk_rows_for(rows: int, nbytes: int, num_rows: int, budget: int = CHUNK_BYTES) -> int:
    """Rows per chunk: at most ``rows`` (the user's ``--chunk-rows``), fewer when features are heavy, so that a
    chunk holds about ``budget`` bytes of normalised Arrow data (``nbytes`` for ``num_rows`` features read)."""
    if num_rows <= 0 or nbytes <= 0:
        return rows
    return max(1, min(rows, max(MIN_CHUNK_ROWS, budget * num_rows // nbytes)))


@dataclass
class SourceWkb:
    """The WKB a chunk's geometries were made from: a geometry still in the frame once its rows are worked on
    (the same object) can be written again from it rather than encoded anew (:func:`wkb_of`)."""

    geoms: np.ndarray  # the chunk's geometry objects, held: their ids stay theirs while this lives
    wkb: pa.Array


def wkb_of(geoms: np.ndarray, source: SourceWkb | None) -> pa.Array:
    """``shapely.to_wkb(geoms, flavor="iso")`` as Arrow binary, each geometry of ``source`` taken from its WKB.

    The normalised stream's WKB is what shapely writes for the geometry it reads from it (ISO, little-endian,
    the same coordinates): only geometries made since (a fix, a reprojection) are encoded.
    """
    if source is None or not len(geoms):
        return pa.array(shapely.to_wkb(geoms, flavor="iso"), type=pa.binary())
    # each geometry's row in the source, found by identity (-1: made since); built and looked up by C-level
    # iteration (map/zip), not a Python loop per row: the dict and its look-ups are the cost (~20k rows a chunk)
    at = dict(zip(map(id, source.geoms), range(len(source.geoms)), strict=True))
    at.pop(id(None), None)  # a missing geometry is not "left as read": encoded (to null) as before
    pos = np.fromiter(map(at.get, map(id, geoms), repeat(-1)), dtype=np.int64, count=len(geoms))
    found = pos >= 0
    if found.all():
        return source.wkb.take(pa.array(pos))
    out = np.empty(len(geoms), dtype=object)
    out[found] = source.wkb.take(pa.array(pos[found])).to_numpy(zero_copy_only=False)
    out[~found] = shapely.to_wkb(geoms[~found], flavor="iso")
    return pa.array(out, type=pa.binary())


class FrameChunks:
    """The normalised layer as GeoDataFrames, read once, in order (see :func:`read_frames`).

    :attr:`rows` is the requested rows per chunk until the first batch is read, then the rows each chunk really
    holds (fewer for heavy features: :func:`chunk_rows_for`), known before the first frame is given.
    With ``keep_wkb``, :attr:`wkb` is the WKB of the frame last given (:class:`SourceWkb`; None for a layer
    without geometry, and once the last frame was given).
    """

    def __init__(
        self,
        layer: LayerSource,
        rows: int,
        options: NormaliseOptions | None,
        report: Report | None,
        feedback: Feedback | None,
        budget: int | None,
        keep_wkb: bool = False,
    ) -> None:
        self.layer, self.rows, self.budget = layer, max(1, rows), budget
        self.options = options or NormaliseOptions()
        self.report, self.feedback = report, feedback
        self.keep_wkb = keep_wkb
        self.wkb: SourceWkb | None = None

    def __iter__(self) -> Iterator[gpd.GeoDataFrame]:
        layer, options = self.layer, self.options
        stream = LayerStream(layer, options, declared_scan(layer) or scan_geometries(layer), self.feedback, self.report)
        crs = (options.target_crs or layer.crs) if layer.has_geometry else None
        pending: list[pa.RecordBatch] = []
        held, any_row, sized = 0, False, self.budget is None
        for batch in stream.batches():
            if not sized and batch.num_rows:
                assert self.budget is not None
                self.rows = chunk_rows_for(self.rows, batch.nbytes, batch.num_rows, self.budget)
                sized = True
            rows = self.rows
            while batch.num_rows:
                take = min(batch.num_rows, rows - held)
                pending.append(batch.slice(0, take))
                held += take
                batch = batch.slice(take)
                if held == rows:
                    # nothing of the chunk stays referenced here while the caller works on its frame
                    yield self._take(pending, crs)
                    held, any_row = 0, True
            del batch
        if pending:
            yield self._take(pending, crs)
        elif not any_row:  # an empty layer: one empty frame, as read_frame gives
            yield gpd.GeoDataFrame({n: pd.Series(dtype=object) for n, _ in layer.fields}, geometry=[], crs=crs)
        self.wkb = None

    def _take(self, pending: list[pa.RecordBatch], crs: object) -> gpd.GeoDataFrame:
        """The frame of the ``pending`` slices (:func:`_take`), their WKB kept as :attr:`wkb`."""
        self.wkb = None
        if not self.keep_wkb:
            return _take(pending, crs)
        names = pending[0].schema.names if pending else []
        wkb = pa.concat_arrays([b.column(GEOMETRY_COLUMN) for b in pending]) if GEOMETRY_COLUMN in names else None
        frame = _take(pending, crs)
        if wkb is not None:
            self.wkb = SourceWkb(np.asarray(frame.geometry.values), wkb)
        return frame


def declared_scan(layer: LayerSource) -> GeometryScan | None:
    """What the type scan would tell of a CSV whose points GDAL builds from X/Y columns, without reading it.

    GDAL makes every row of such a layer a 2D ``Point`` (or no geometry): the scan, one more read-through of a
    1M-row CSV, could only say that. The chunks' stream needs only the types (its point fast path, no promotion);
    which rows have no geometry it finds itself, as with a scanned layer. None for any other layer: scan it.
    """
    options = layer.open_options
    if (
        layer.driver != "CSV"
        or layer.geometry_type != "Point"
        or "X_POSSIBLE_NAMES" not in options
        or "Y_POSSIBLE_NAMES" not in options
        or any(k in options for k in ("Z_POSSIBLE_NAMES", "GEOM_POSSIBLE_NAMES"))
        or layer.feature_count <= 0
    ):
        return None
    return GeometryScan(counts={"Point": layer.feature_count})


def read_frames(
    layer: LayerSource,
    rows: int,
    options: NormaliseOptions | None = None,
    report: Report | None = None,
    feedback: Feedback | None = None,
    budget: int | None = None,
    keep_wkb: bool = False,
) -> FrameChunks:
    """The normalised layer as GeoDataFrames of ``rows`` features (the last one shorter), read once, in order.

    What :func:`read_frame` gives, cut in pieces: concatenated, they are that frame (a layer of at most the chunk's
    rows comes as one frame, built exactly as :func:`read_frame` builds it). Memory holds one piece.

    :param budget: normalised Arrow bytes a chunk may hold (e.g. :data:`CHUNK_BYTES`): the rows per chunk are then
        chosen from the first batch's bytes per feature, ``rows`` staying the upper bound
        (:attr:`FrameChunks.rows` says how many, once the first frame is given). None: ``rows`` as given.
    :param keep_wkb: keep each frame's WKB as :attr:`FrameChunks.wkb` while it is worked on (a streamed theme
        run spools its geometries left as read from it).
    """
    return FrameChunks(layer, rows, options, report, feedback, budget, keep_wkb)


def _take(pending: list[pa.RecordBatch], crs: object) -> gpd.GeoDataFrame:
    """The frame of the ``pending`` slices, emptied (the Arrow copy is freed as soon as pandas holds the rows)."""
    table = pa.Table.from_batches(pending)
    pending.clear()
    return _frame(table, crs)


def _frame(table: pa.Table, crs: object) -> gpd.GeoDataFrame:
    if GEOMETRY_COLUMN in table.column_names:
        geoms = shapely.from_wkb(table.column(GEOMETRY_COLUMN).to_numpy(zero_copy_only=False))
        table = table.drop_columns([GEOMETRY_COLUMN])
    else:
        geoms = [None] * table.num_rows
    frame = table.to_pandas()
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
