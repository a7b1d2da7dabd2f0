"""Vectorised geometry repairs on whole batches (shapely 2 arrays, no per-feature Python loop).

Each function returns the new array and the indexes it changed, so the pipeline can report counts and
examples without a second pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from numpy.typing import NDArray

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "FAMILY",
    "SimpleWkb",
    "drop_empty_rings",
    "family_of",
    "make_valid",
    "nullify_empty",
    "promote_to_multi",
    "simple_lines",
    "simple_points",
    "wkb_type_codes",
]

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


def drop_empty_rings(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Polygons lose their EMPTY interior rings (``POLYGON ((...), EMPTY)``).

    GEOS calls such a polygon valid, but a ring without points is no ring: GeoJSON would get a ``[]``
    ring, which RFC 7946 forbids, and LIBKML refuses the feature. GDAL builds them from KML
    ``<innerBoundaryIs/>`` left empty. Only polygons with interior rings are looked at, ring by ring.

    :returns: (geometries, indexes changed)
    """
    types = shapely.get_type_id(geoms)
    polygonal = np.flatnonzero(np.isin(types, (3, 6)))
    if not polygonal.size:
        return geoms, np.empty(0, dtype=np.int64)
    parts, part_row = shapely.get_parts(geoms[polygonal], return_index=True)
    holed = np.flatnonzero(shapely.get_num_interior_rings(parts) > 0)
    if not holed.size:
        return geoms, np.empty(0, dtype=np.int64)
    rings, ring_part = shapely.get_rings(parts[holed], return_index=True)
    bad_parts = np.unique(holed[ring_part[shapely.is_empty(rings)]])
    if not bad_parts.size:
        return geoms, np.empty(0, dtype=np.int64)
    rows = np.unique(polygonal[part_row[bad_parts]])
    geoms = geoms.copy()
    for row in rows:
        fixed = [
            shapely.Polygon(p.exterior, [r for r in p.interiors if not r.is_empty]) if not p.is_empty else p
            for p in shapely.get_parts(geoms[row])
        ]
        geoms[row] = fixed[0] if types[row] == 3 else shapely.MultiPolygon(fixed)
    return geoms, rows.astype(np.int64)


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


def promote_to_multi(geoms: GeomArray, points: bool = True, lines_polygons: bool = True) -> GeomArray:
    """Single parts become one-part multis (Polygon -> MultiPolygon...), others unchanged.

    Points and lines/polygons are chosen apart: a typed layer promotes lines and polygons always (a
    Shapefile cannot tell Polygon from MultiPolygon) but points only when the layer holds MultiPoints.
    """
    types = shapely.get_type_id(geoms)
    out = geoms.copy()
    wanted = {0: points, 1: lines_polygons, 2: lines_polygons, 3: lines_polygons}
    for single, multi in _MULTI_OF.items():
        if not wanted[single]:
            continue
        idx = np.flatnonzero(types == single)
        if not idx.size:
            continue
        parts = geoms[idx]
        if single == 2:
            parts = _rings_as_lines(parts)
        maker = {4: shapely.multipoints, 5: shapely.multilinestrings, 6: shapely.multipolygons}[multi]
        out[idx] = maker(parts, indices=np.arange(idx.size))
    return out


def _rings_as_lines(rings: GeomArray) -> GeomArray:
    """LinearRings as LineStrings, 2D rings staying 2D (``include_z`` on a 2D ring would give NaN Z)."""
    out = np.empty(rings.size, dtype=object)
    has_z = shapely.has_z(rings)
    for z in (False, True):
        sel = np.flatnonzero(has_z == z)
        if sel.size:
            out[sel] = shapely.linestrings(
                shapely.get_coordinates(rings[sel], include_z=z),
                indices=np.repeat(np.arange(sel.size), shapely.get_num_coordinates(rings[sel])),
            )
    return out


def explode_collections(geoms: GeomArray) -> tuple[GeomArray, IntArray]:
    """Split GeometryCollections into parts; returns parts and the row index each part comes from."""
    parts, index = shapely.get_parts(geoms, return_index=True)
    return parts, index


# -- fast paths on raw WKB ---------------------------------------------------------------------------
# Most layers hold one simple type: valid 2D/3D points, or lines of one part. For those, parsing every
# row into GEOS objects (from_wkb, is_valid, promote, transform, to_wkb) costs more than reading the
# file. The functions below read the WKB buffers with numpy instead, and give up (return None) on the
# first row that is not plain -- null geometries aside -- so that the caller runs the complete shapely
# path on that batch. They never repair anything: they only prove there is nothing to repair.

_WKB_POINT = {1: 2, 1001: 3}  # ISO type code -> coordinate dimension
_WKB_LINESTRING = {2: 2, 1002: 3}


@dataclass
class SimpleWkb:
    """A batch of WKB passed by a fast path: the (possibly rewritten) array and its coordinates' bounds."""

    wkb: pa.Array
    bounds: tuple[float, float, float, float] | None


def _binary_buffers(arr: pa.Array) -> tuple[NDArray[np.uint8], NDArray[np.int64], NDArray[np.bool_]] | None:
    """(data, absolute offsets (n + 1), validity) of a ``binary`` array; None for other layouts."""
    if isinstance(arr, pa.ExtensionArray):
        arr = arr.storage
    if not pa.types.is_binary(arr.type):
        return None
    n = len(arr)
    validity_buf, offsets_buf, data_buf = arr.buffers()[:3]
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(data_buf, dtype=np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    valid = np.asarray(arr.is_valid()) if validity_buf is not None and arr.null_count else np.ones(n, dtype=bool)
    return data, offsets, valid


def _u32(block: NDArray[np.uint8], at: NDArray[np.int64]) -> NDArray[np.int64]:
    """Little-endian uint32 values starting at byte positions ``at``."""
    b = [block[at + k].astype(np.int64) for k in range(4)]
    return b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24


def _rebuild(
    n: int, valid: NDArray[np.bool_], offsets: NDArray[np.int64], data: NDArray[np.uint8], null_count: int
) -> pa.Array:
    validity = pa.array(valid, type=pa.bool_()).buffers()[1] if null_count else None
    return pa.Array.from_buffers(
        pa.binary(),
        n,
        [validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)],
        null_count=null_count,
    )


def _bounds(coords: NDArray[np.float64]) -> tuple[float, float, float, float] | None:
    if not len(coords):
        return None
    x, y = coords[:, 0], coords[:, 1]
    b = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    if np.isnan(b).any():  # a reprojection gave NaN for some points: bounds of the others
        with np.errstate(invalid="ignore"):
            b = (float(np.nanmin(x)), float(np.nanmin(y)), float(np.nanmax(x)), float(np.nanmax(y)))
    return b


def simple_points(
    wkb: pa.Array, transform: Callable[[NDArray[np.float64]], NDArray[np.float64]] | None = None
) -> SimpleWkb | None:
    """Points that need nothing but (optionally) reprojection, without GEOS; None when a row is not plain.

    Plain: little-endian ISO ``Point`` or ``Point Z`` with finite coordinates (a NaN point is an empty one,
    which the full path reports), all of one dimension. Null rows are allowed and stay null.
    """
    parts = _binary_buffers(wkb)
    if parts is None:
        return None
    data, offsets, valid = parts
    n, nv = len(valid), int(valid.sum())
    lengths = np.diff(offsets)
    if (lengths[~valid] != 0).any():
        return None
    if nv == 0:
        return SimpleWkb(wkb, None)
    first = offsets[:-1][valid][0]
    if data[first] != 1:
        return None
    dim = _WKB_POINT.get(int(_u32(data, np.array([first + 1]))[0]))
    if dim is None:
        return None
    rec = 5 + 8 * dim
    if not (lengths[valid] == rec).all():
        return None
    o0, o1 = int(offsets[0]), int(offsets[-1])
    block = data[o0:o1].reshape(nv, rec)
    code = block[:, 1:5].copy().view("<u4").ravel()
    if not ((block[:, 0] == 1).all() and (code == code[0]).all()):
        return None
    coords = block[:, 5:].copy().view("<f8")
    if not np.isfinite(coords).all():
        return None
    if transform is None:
        return SimpleWkb(wkb, _bounds(coords))
    coords = np.ascontiguousarray(transform(coords), dtype="<f8")
    out = block.copy()
    out[:, 5:] = coords.view(np.uint8).reshape(nv, 8 * dim)
    return SimpleWkb(_rebuild(n, valid, offsets - o0, out.ravel(), n - nv), _bounds(coords))


def simple_lines(
    wkb: pa.Array,
    transform: Callable[[NDArray[np.float64]], NDArray[np.float64]] | None = None,
    promote: bool = False,
) -> SimpleWkb | None:
    """One-part lines that need nothing but reprojection and/or promotion to MultiLineString, without GEOS.

    Plain: little-endian ISO ``LineString`` (or ``LineString Z``, all rows alike) of at least two points,
    finite coordinates, and two distinct points (in x/y, as GEOS's validity check has it). Anything else,
    null rows aside, returns None. The WKB is cut into its 9-byte headers and coordinates, and glued back
    (with a MultiLineString header in front when promoting), by Arrow kernels.
    """
    if isinstance(wkb, pa.ExtensionArray):
        wkb = wkb.storage
    if not pa.types.is_binary(wkb.type):
        return None
    n = len(wkb)
    valid = np.asarray(wkb.is_valid()) if wkb.null_count else np.ones(n, dtype=bool)
    nv = int(valid.sum())
    if nv == 0:
        return SimpleWkb(wkb, None)
    lengths = np.asarray(pc.binary_length(wkb).fill_null(0), dtype=np.int64)
    if (lengths[valid] < 9).any():
        return None
    head = pc.binary_slice(wkb, 0, 9)
    body = pc.binary_slice(wkb, 9, _MAX_INT32)
    head_bytes, body_bytes = _values(head), _values(body)
    if head_bytes is None or body_bytes is None or head_bytes.size != 9 * nv:
        return None
    header = head_bytes.reshape(nv, 9)
    code = header[:, 1:5].copy().view("<u4").ravel()
    dim = _WKB_LINESTRING.get(int(code[0]))
    if dim is None or not ((header[:, 0] == 1).all() and (code == code[0]).all()):
        return None
    npts = header[:, 5:9].copy().view("<u4").ravel().astype(np.int64)
    if (npts < 2).any() or (lengths[valid] != 9 + npts * 8 * dim).any():
        return None
    coords = body_bytes.view("<f8").reshape(-1, dim)
    if not np.isfinite(coords).all():
        return None
    # GEOS calls a line with all its points equal invalid ("too few points"): leave those to the full path
    line_start = np.concatenate([[0], np.cumsum(npts)[:-1]])
    moves = (coords[1:, 0] != coords[:-1, 0]) | (coords[1:, 1] != coords[:-1, 1])
    moves[line_start[1:] - 1] = False  # the step from one line's last point to the next line's first
    if not np.logical_or.reduceat(moves, line_start).all():
        return None
    if transform is not None:
        coords = np.ascontiguousarray(transform(coords), dtype="<f8")
        validity, offsets = body.buffers()[:2]
        body = pa.Array.from_buffers(
            pa.binary(), n, [validity, offsets, pa.py_buffer(coords)], null_count=body.null_count, offset=body.offset
        )
    elif not promote:
        return SimpleWkb(wkb, _bounds(coords))
    parts = [head, body]
    if promote:
        multi = 5 if dim == 2 else 1005
        parts.insert(0, pa.scalar(bytes([1, multi & 0xFF, multi >> 8, 0, 0, 1, 0, 0, 0]), pa.binary()))
    return SimpleWkb(pc.binary_join_element_wise(*parts, pa.scalar(b"", pa.binary())), _bounds(coords))


_MAX_INT32 = 2**31 - 1


def _values(arr: pa.Array) -> NDArray[np.uint8] | None:
    """The bytes of a binary array's values, back to back (None when null rows take room)."""
    _, offsets_buf, data_buf = arr.buffers()[:3]
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    if data_buf is None:
        return np.zeros(0, dtype=np.uint8)
    if arr.null_count and (np.diff(offsets)[~np.asarray(arr.is_valid())] != 0).any():
        return None
    return np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
