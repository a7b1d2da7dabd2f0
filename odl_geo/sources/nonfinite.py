"""NaN and Infinity in a Shapefile's point records and in GeoJSON coordinates, found in the raw bytes (issue #14).

GDAL turns a point whose x (or y) is NaN into an empty point, which would reach the outputs as a feature without
geometry and a mere warning: the coordinates are bad input, so they are found here, in the records themselves, and
refused like a NaN anywhere else (exit 2). Lines and polygons keep their NaN through GDAL and are refused by the
normaliser (:meth:`odl_geo.normalise.pipeline.LayerStream._refuse_non_finite`). GeoJSON has no NaN at all (JSON
does not allow it), but GDAL's parser accepts a bare ``NaN`` and reads that geometry as empty: such numbers are
counted in the text of the file.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

import numpy as np

from .shp_records import regular_records

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["geojson_nonfinite", "nonfinite_points"]

#: a bare NaN / Infinity as an element of an array ("[NaN, 43.6]", ", -Infinity]"): only coordinates are arrays of
#: numbers in GeoJSON, and inside a string this would need its brackets and commas too
_JSON_NONFINITE = re.compile(rb"[\[,]\s*[-+]?(?:NaN|Infinity)(?=\s*[,\]])")

_POINT_TYPES = {1: 20, 11: 36, 21: 28}  # shape type -> record content length (with Z: z and m; with M: m)


def nonfinite_points(shp: Path, shx: Path | None) -> np.ndarray:
    """0-based numbers of the point records whose x or y is NaN or infinite (empty when none, or not a point file,
    or when the index does not describe the file: the Shapefile checks report that)."""
    none = np.zeros(0, dtype=np.int64)
    if shx is None:
        return none
    try:
        with shp.open("rb") as fh:
            head = fh.read(100)
        if len(head) < 100 or int.from_bytes(head[32:36], "little") not in _POINT_TYPES:
            return none
        size = shp.stat().st_size
        records = max(0, (shx.stat().st_size - 100) // 8)
        found = []
        for first in range(0, records, _CHUNK):  # slices of the index, each with its own window on the .shp
            index = np.fromfile(shx, dtype=">i4", count=2 * min(_CHUNK, records - first), offset=100 + 8 * first)
            index = index.astype(np.int64) * 2
            found.append(_nonfinite_in(shp, size, index[0::2], index[1::2], first))
    except (OSError, ValueError):
        return none
    return np.concatenate(found) if found else none


#: records looked at together: the gathers below take ~200 bytes a record, so memory stays ~50 MB at any size
_CHUNK = 1 << 18


def _nonfinite_in(shp: Path, size: int, offsets: np.ndarray, lengths: np.ndarray, first: int) -> np.ndarray:
    """The record numbers (from ``first``) among one slice of the index whose point has a non-finite x or y.

    Only the part of the ``.shp`` that this slice points into is mapped, and unmapped on return: mapped pages count
    in the process's memory, and a whole 5M-point file mapped at once would add its size to every conversion.
    """
    records = regular_records(shp, size, offsets, lengths)
    if records is not None and int(lengths[0]) >= 20:  # one point after the other: read in place
        try:
            bad = (records["type"] != 0) & ~(np.isfinite(records["x"]) & np.isfinite(records["y"]))
        finally:
            del records
        return np.flatnonzero(bad) + first
    ok = (offsets >= 100) & (lengths >= 20) & (offsets + 8 + lengths <= size)
    rows = np.flatnonzero(ok)
    if rows.size == 0:
        return rows
    at = offsets[rows] + 8
    lo, hi = int(at.min()), int(at.max()) + 20
    data = np.memmap(shp, dtype=np.uint8, mode="r", offset=lo, shape=(hi - lo,))
    try:
        at -= lo
        types = data[at[:, None] + np.arange(4)].copy().view("<i4").ravel()
        points = types != 0  # null shapes (type 0) have no coordinate
        rows, at = rows[points], at[points]
        xy = data[at[:, None] + 4 + np.arange(16)].copy().view("<f8").reshape(-1, 2)
    finally:
        del data
    return rows[~np.isfinite(xy).all(axis=1)] + first


def geojson_nonfinite(stream: IO[bytes], chunk: int = 1 << 22) -> int:
    """How many bare NaN/Infinity numbers stand in arrays of a GeoJSON text (read in chunks, memory flat)."""
    count, tail = 0, b""
    while block := stream.read(chunk):
        buf = tail + block
        last = 0
        for found in _JSON_NONFINITE.finditer(buf):
            count += 1
            last = found.end()
        # carry the end of the chunk (a number cut between two reads), never a part already counted
        tail = buf[max(last, len(buf) - 64) :]
    return count
