"""Recover geometries that GEOS refuses to build, by dropping only their impossible parts.

GPS tracks often hold a one-point segment; GEOS rejects the whole MultiLineString ("point array must
contain 0 or >1 elements") and shapely returns None, which would throw the whole track away. This walks
the WKB structure (ISO, any byte order, Z/M) and rebuilds the geometry without the degenerate parts.
It only runs on the rare rows GEOS refused.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

import shapely

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = ["recover_wkb"]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def geometry(self) -> BaseGeometry | None:
        order = "<" if self.data[self.pos] == 1 else ">"
        (code,) = struct.unpack_from(order + "I", self.data, self.pos + 1)
        self.pos += 5
        if code & 0x20000000:  # EWKB SRID flag
            self.pos += 4
        dims = (
            2
            + (1 if code % 10000 // 1000 in (1, 3) or code & 0x80000000 else 0)
            + (1 if code % 10000 // 1000 in (2, 3) or code & 0x40000000 else 0)
        )
        base = (code & 0x0FFFFFFF) % 1000
        if base == 1:
            pt = self._points(order, dims, 1)
            return shapely.Point(pt[0][:3]) if pt else None
        if base == 2:
            return self._line(order, dims)
        if base == 3:
            return self._polygon(order, dims)
        (n,) = struct.unpack_from(order + "I", self.data, self.pos)
        self.pos += 4
        parts = [p for p in (self.geometry() for _ in range(n)) if p is not None and not p.is_empty]
        if not parts:
            return None
        maker = {4: shapely.MultiPoint, 5: shapely.MultiLineString, 6: shapely.MultiPolygon}.get(base)
        return maker(parts) if maker else shapely.GeometryCollection(parts)

    def _points(self, order: str, dims: int, n: int) -> list[tuple[float, ...]]:
        values = struct.unpack_from(order + "d" * dims * n, self.data, self.pos)
        self.pos += 8 * dims * n
        return [tuple(values[i * dims : i * dims + min(dims, 3)]) for i in range(n)]

    def _count(self, order: str) -> int:
        (n,) = struct.unpack_from(order + "I", self.data, self.pos)
        self.pos += 4
        return int(n)

    def _line(self, order: str, dims: int) -> BaseGeometry | None:
        pts = self._points(order, dims, self._count(order))
        return shapely.LineString(pts) if len(pts) >= 2 else None

    def _polygon(self, order: str, dims: int) -> BaseGeometry | None:
        rings = [self._points(order, dims, self._count(order)) for _ in range(self._count(order))]
        rings = [r if r[0] == r[-1] else [*r, r[0]] for r in rings if len(r) >= 3]
        rings = [r for r in rings if len(r) >= 4]
        return shapely.Polygon(rings[0], rings[1:]) if rings else None


def recover_wkb(data: bytes) -> BaseGeometry | None:
    """The geometry without its degenerate parts, or None if nothing usable remains."""
    try:
        return _Reader(bytes(data)).geometry()
    except (struct.error, IndexError, ValueError, shapely.errors.GEOSException):
        return None
