"""A normalised layer as a GeoDataFrame, for work that needs the whole layer at once (profiles, checks).

Conversions stream; profiles and checks compare rows with each other (duplicates, joins), so they take the
same normalised data (same repairs, same reprojection, same report) as one GeoDataFrame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from .options import NormaliseOptions
from .pipeline import GEOMETRY_COLUMN, LayerStream
from .scan import scan_geometries

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..feedback import Feedback
    from ..report import Report
    from ..sources.layer import LayerSource

__all__ = ["read_frame", "read_frames"]


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


def read_frames(
    layer: LayerSource,
    rows: int,
    options: NormaliseOptions | None = None,
    report: Report | None = None,
    feedback: Feedback | None = None,
) -> Iterator[gpd.GeoDataFrame]:
    """The normalised layer as GeoDataFrames of ``rows`` features (the last one shorter), read once, in order.

    What :func:`read_frame` gives, cut in pieces: concatenated, they are that frame (a layer of at most ``rows``
    features comes as one frame, built exactly as :func:`read_frame` builds it). Memory holds one piece.
    """
    options = options or NormaliseOptions()
    stream = LayerStream(layer, options, scan_geometries(layer), feedback, report)
    crs = (options.target_crs or layer.crs) if layer.has_geometry else None
    pending: list[pa.RecordBatch] = []
    held, any_row = 0, False
    for batch in stream.batches():
        while batch.num_rows:
            take = min(batch.num_rows, rows - held)
            pending.append(batch.slice(0, take))
            held += take
            batch = batch.slice(take)
            if held == rows:
                yield _frame(pa.Table.from_batches(pending), crs)
                pending, held, any_row = [], 0, True
    if pending:
        yield _frame(pa.Table.from_batches(pending), crs)
    elif not any_row:  # an empty layer: one empty frame, as read_frame gives
        yield gpd.GeoDataFrame({n: pd.Series(dtype=object) for n, _ in layer.fields}, geometry=[], crs=crs)


def _frame(table: pa.Table, crs: object) -> gpd.GeoDataFrame:
    if GEOMETRY_COLUMN in table.column_names:
        geoms = shapely.from_wkb(table.column(GEOMETRY_COLUMN).to_numpy(zero_copy_only=False))
        table = table.drop_columns([GEOMETRY_COLUMN])
    else:
        geoms = [None] * table.num_rows
    frame = table.to_pandas()
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs)
