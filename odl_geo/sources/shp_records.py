"""The common case of a Shapefile's index slice: records of one length, one after the other (every point file
written by GIS software). Such a slice of the ``.shp`` is read as a numpy record array in one read,
instead of gathering each record's bytes through an index array (issue 16: the NaN scan and the integrity check
of 1M points took 0.2 s and ~30 MB of index arrays before any conversion; this takes a few milliseconds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["regular_records"]

#: the most bytes read at once: a slice of points is ~7 MB; records of one size larger than a point's are read
#: through the callers' windows instead, which touch only the pages of their headers
_MOST_BYTES = 32 << 20


def regular_records(shp: Path, size: int, offsets: np.ndarray, lengths: np.ndarray) -> np.ndarray | None:
    """The records a slice of the index points at, read from the ``.shp`` into one record array (fields
    ``number`` and ``length`` of the record header, in 16-bit words as stored, then ``type``, ``x``, ``y`` of the
    content; ``x`` and ``y`` only for contents of 20 bytes or more), or None when the slice is not regular: lengths
    differ, records do not follow each other, or one lies outside the file. Read, not mapped: one read of a slice
    (7 MB for 262,144 points) is several times faster than faulting in the pages of a mapping.
    """
    n = len(offsets)
    if n == 0 or int(lengths[0]) < 4:
        return None
    length = int(lengths[0])
    stride = 8 + length
    first = int(offsets[0])
    if first < 100 or first + n * stride > size or (lengths != length).any():
        return None
    if n > 1 and (np.diff(offsets) != stride).any():
        return None
    if n * stride > _MOST_BYTES:  # large records of one size (a grid's squares): the headers through windows
        return None
    fields: list[tuple[str, str]] = [("number", ">i4"), ("length", ">i4"), ("type", "<i4")]
    if length >= 20:
        fields += [("x", "<f8"), ("y", "<f8")]
    used = sum(np.dtype(t).itemsize for _, t in fields)
    if stride > used:
        fields.append(("rest", f"V{stride - used}"))
    records = np.fromfile(shp, dtype=np.dtype(fields), count=n, offset=first)
    return records if len(records) == n else None
