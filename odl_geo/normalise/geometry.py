"""Vectorised geometry repairs on whole batches (shapely 2 arrays, no per-feature Python loop).

Each function returns the new array and the indexes it changed, so the pipeline can report counts and
examples without a second pass.
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["FAMILY", "family_of", "make_valid", "nullify_empty", "promote_to_multi", "wkb_type_codes"]

GeomArray = NDArray[np.object_]
IntArray = NDArray[np.int64]

# shapely type ids: 0 Point, 1 LineString, 2 LinearRing, 3 Polygon, 4 MultiPoint, 5 MultiLineString,
# 6 MultiPolygon, 7 GeometryCollection
FAMILY = {0: "point", 4: "point", 1: "line", 2: "line", 5: "line", 3: "polygon", 6: "polygon", 7: "collection"}
_MULTI_OF = {0: 4, 1: 5, 2: 5, 3: 6}


def family_of(type_ids: NDArray[np.int64]) -> set[str]:
    return {FAMILY[int(t)] for t in np.unique(type_ids) if t >= 0}


def wkb_type_codes(wkb: object) -> NDArray[np.int64]:
    """ISO geometry type codes (e.g. 3, 1003 for Polygon Z; -1 for null) read from WKB headers, no parsing.

    :param wkb: a pyarrow binary array as GDAL's Arrow stream returns it.
    """
    import pyarrow as pa

    arr = wkb if isinstance(wkb, pa.Array) else pa.array(wkb)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    validity, offsets_buf, data_buf = arr.buffers()[:3]
    offset_type = np.int64 if pa.types.is_large_binary(arr.type) else np.int32
    offsets = np.frombuffer(offsets_buf, dtype=offset_type)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    lengths = offsets[1:] - offsets[:-1]
    ok = lengths >= 5
    if validity is not None:
        ok &= np.asarray(arr.is_valid())
    start = offsets[:-1][ok]
    little = data[start] == 1
    b = [data[start + k].astype(np.int64) for k in range(1, 5)]
    code = np.where(little, b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24, b[3] | b[2] << 8 | b[1] << 16 | b[0] << 24)
    ewkb_dims = np.where(code & 0x80000000, 1000, 0) + np.where(code & 0x40000000, 2000, 0)
    code = (code & 0x0FFFFFFF) + ewkb_dims  # ISO code: 1000s give Z (1), M (2), ZM (3)
    out = np.full(n, -1, dtype=np.int64)
    out[ok] = code
    return out


def nullify_empty(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Empty geometries become null (GeoJSON/Shapefile writers disagree on empties; null is portable)."""
    empty = shapely.is_empty(geoms) & ~shapely.is_missing(geoms)
    idx = np.flatnonzero(empty)
    if idx.size:
        geoms = geoms.copy()
        geoms[idx] = None
    return geoms, idx


def make_valid(geoms: GeomArray) -> tuple[GeomArray, IntArray, IntArray]:
    """Repair invalid polygons keeping their type; report degenerate lines (not repairable) apart.

    :returns: (geometries, indexes repaired, indexes invalid but left as they are)
    """
    present = ~shapely.is_missing(geoms)
    invalid = present & ~shapely.is_valid(geoms)
    idx = np.flatnonzero(invalid)
    if not idx.size:
        return geoms, idx, idx
    types = shapely.get_type_id(geoms[idx])
    polygonal = np.isin(types, (3, 6))
    fix_idx, keep_idx = idx[polygonal], idx[~polygonal]
    if fix_idx.size:
        geoms = geoms.copy()
        fixed = shapely.make_valid(geoms[fix_idx], method="structure", keep_collapsed=False)
        fixed[shapely.is_empty(fixed)] = None
        geoms[fix_idx] = fixed
    return geoms, fix_idx, keep_idx


def promote_to_multi(geoms: GeomArray) -> GeomArray:
    """Single parts become one-part multis (Polygon -> MultiPolygon...), others unchanged."""
    types = shapely.get_type_id(geoms)
    out = geoms.copy()
    for single, multi in _MULTI_OF.items():
        idx = np.flatnonzero(types == single)
        if not idx.size:
            continue
        parts = geoms[idx]
        if single == 2:
            parts = shapely.linestrings(
                shapely.get_coordinates(parts, include_z=True),
                indices=np.repeat(np.arange(idx.size), shapely.get_num_coordinates(parts)),
            )
        maker = {4: shapely.multipoints, 5: shapely.multilinestrings, 6: shapely.multipolygons}[multi]
        out[idx] = maker(parts, indices=np.arange(idx.size))
    return out


def explode_collections(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Split GeometryCollections into parts; returns parts and the row index each part comes from."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    return parts, index
