"""A first, cheap pass over a layer's geometries: which types it holds, so writers can declare one.

Only the WKB headers are read (no geometry is parsed), so the pass costs about one read of the
geometry column. It is what lets odl-geo write a typed GeoPackage from a Shapefile that mixes Polygon and
MultiPolygon, or split a non-conformant Shapefile holding points, lines and polygons.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyogrio

if TYPE_CHECKING:
    from ..sources.layer import LayerSource

__all__ = ["GeometryScan", "batch_rows", "scan_geometries", "scan_shapefile", "source_bytes"]

_FAMILY_OF_NAME = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
    "GeometryCollection": "collection",
}
_NAMES = {
    1: "Point",
    2: "LineString",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
    7: "GeometryCollection",
}


@dataclass
class GeometryScan:
    counts: dict[str, int] = field(default_factory=dict)  # geometry type name -> features
    nulls: int = 0
    has_z: bool = False
    has_m: bool = False

    @property
    def families(self) -> set[str]:
        return {_FAMILY_OF_NAME[name] for name in self.counts}

    @property
    def has_multi_points(self) -> bool:
        return "MultiPoint" in self.counts

    def output_type(self, promote_multi: bool, family: str | None = None, force_2d: bool = False) -> str:
        """The geometry type a typed writer should declare ("Unknown" when families are mixed)."""
        fams = {family} if family else self.families - {"collection"}
        if "collection" in self.families and not family:
            return self._z("Unknown", force_2d)
        if len(fams) != 1:
            return self._z("Unknown", force_2d)
        fam = fams.pop()
        if fam == "point":
            name = "MultiPoint" if self.has_multi_points else "Point"
        else:
            single, multi = ("LineString", "MultiLineString") if fam == "line" else ("Polygon", "MultiPolygon")
            name = multi if promote_multi or multi in self.counts else single
        return self._z(name, force_2d)

    def _z(self, name: str, force_2d: bool) -> str:
        return f"{name} Z" if self.has_z and not force_2d and name != "Unknown" else name


def scan_geometries(layer: LayerSource, batch_size: int = 65_536) -> GeometryScan:
    """Count geometry types from WKB headers (no parsing).

    A plain Shapefile of points or lines is scanned from its record headers instead (see
    :func:`scan_shapefile`), which gives the same answer without reading every geometry through GDAL.
    """

    scan = GeometryScan()
    if not layer.has_geometry or layer.feature_count == 0:
        return scan
    if layer.table is not None:  # an in-memory layer: its WKB column
        for chunk in layer.table.column("geometry").chunks:
            _count_types(scan, chunk)
        return scan
    quick = scan_shapefile(layer)
    if quick is not None:
        return quick
    batch_size = batch_rows(layer, batch_size, attributes=False)
    # no attribute is needed, except through an OGR VRT: it builds the geometry from a source field
    # (a WKT or x/y column), which GDAL stops reading when the VRT's own fields are left out
    columns: list[str] | None = None if layer.driver == "OGR_VRT" else []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pyogrio.open_arrow(
            layer.gdal_path, columns=columns, batch_size=batch_size, use_pyarrow=True, **layer.read_kwargs()
        ) as (meta, reader):
            geom_name = meta.get("geometry_name") or "wkb_geometry"
            for batch in reader:
                if geom_name in batch.schema.names:
                    _count_types(scan, batch.column(geom_name))
    return scan


def _count_types(scan: GeometryScan, wkb: object) -> None:
    """Add one WKB column's geometry types (from the headers) to ``scan``."""
    from .geometry import wkb_type_codes

    raw = wkb_type_codes(wkb)
    scan.nulls += int((raw < 0).sum())
    valid = raw[raw >= 0]
    dims = valid // 1000
    scan.has_z |= bool(np.isin(dims, (1, 3)).any())
    scan.has_m |= bool(np.isin(dims, (2, 3)).any())
    codes, counts = np.unique(valid % 1000, return_counts=True)
    for code, count in zip(codes, counts, strict=True):
        name = _NAMES.get(int(code), "GeometryCollection")
        scan.counts[name] = scan.counts.get(name, 0) + int(count)


def source_bytes(layer: LayerSource, attributes: bool = True) -> int:
    """Bytes of the file(s) a layer is read from (a Shapefile's .shp, plus its .dbf with ``attributes``).

    0 when that is not a plain file (zip member, URL). Used to size batches by bytes, not rows.
    """
    try:
        size = os.stat(layer.gdal_path).st_size
    except (OSError, ValueError):
        return 0
    path = Path(layer.gdal_path)
    if attributes and layer.driver == "ESRI Shapefile" and path.suffix.lower() == ".shp":
        dbf = _sidecar(path, ".dbf")
        size += dbf.stat().st_size if dbf is not None else 0
    return size


def batch_rows(layer: LayerSource, max_rows: int, attributes: bool = True, target: int = 16 << 20) -> int:
    """Rows per Arrow batch so that a batch reads about ``target`` bytes (at most ``max_rows``, at least 1024 or
    ``max_rows`` if that is smaller).

    Points fill a batch of ``max_rows`` rows; long lines and detailed polygons get fewer rows per batch,
    which keeps memory flat whatever the layer holds.
    """
    size = source_bytes(layer, attributes)
    if size <= 0 or layer.feature_count <= 0:
        return max_rows
    return int(min(max_rows, max(1_024, target * layer.feature_count // size)))


def _sidecar(shp: Path, ext: str) -> Path | None:
    for candidate in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if candidate.is_file():
            return candidate
    return None


# Shapefile shape types this reader understands (2D only: Z/M records carry optional measures, which
# GDAL exposes or not depending on their values) -> the OGR geometry GDAL builds from a record of it.
_SHP_POINT, _SHP_ARC, _SHP_MULTIPOINT = 1, 3, 8


def scan_shapefile(layer: LayerSource) -> GeometryScan | None:
    """The scan of a 2D point, multipoint or line Shapefile, from its .shx/.shp record headers and .dbf flags.

    GDAL turns a record into: nothing for a null shape (type 0); a Point for a point; a MultiPoint for a
    multipoint (nothing when it has no point); a LineString for a one-part line, a MultiLineString for
    more parts. It skips records marked deleted in the .dbf. Those rules are applied here on numpy views
    of the files, but only when every record is well formed and consistent with the .shx: anything
    unusual (deleted records, a truncated record, a part index out of range, Z/M or polygon types)
    returns None and the layer is scanned through GDAL.
    """
    if (
        layer.driver != "ESRI Shapefile"
        or layer.open_options
        or layer.gdal_layer not in (None, Path(layer.gdal_path).stem)
    ):
        return None
    shp = Path(layer.gdal_path)
    shx = _sidecar(shp, ".shx")
    dbf = _sidecar(shp, ".dbf")
    if shp.suffix.lower() != ".shp" or not shp.is_file() or shx is None:
        return None
    try:
        return _scan_records(shp, shx, dbf, layer.feature_count)
    except (OSError, ValueError, IndexError):
        return None


def _scan_records(shp: Path, shx: Path, dbf: Path | None, feature_count: int) -> GeometryScan | None:
    n, rem = divmod(shx.stat().st_size - 100, 8)
    if rem or n != feature_count or n <= 0:
        return None
    shp_size = shp.stat().st_size
    with shp.open("rb") as f:
        head = f.read(100)
    file_type = int.from_bytes(head[32:36], "little") if len(head) == 100 else -1
    if file_type not in (_SHP_POINT, _SHP_ARC, _SHP_MULTIPOINT):
        return None
    table = _DbfFlags(dbf, n) if dbf is not None else None
    if table is not None and not table.ok:
        return None
    scan, counts = GeometryScan(), {"single": 0, "multi": 0}
    # records are read in chunks of about 16 MB of .shp, so memory stays flat whatever the layer size
    chunk = int(max(1, min(262_144, (16 << 20) // max(shp_size // n, 1))))
    with shx.open("rb") as fx, shp.open("rb") as fs:
        fx.seek(100)
        done, last_end = 0, 100
        while done < n:
            k = min(chunk, n - done)
            index = np.fromfile(fx, dtype=">i4", count=2 * k).astype(np.int64)
            if index.size != 2 * k:
                return None
            start, size = index[0::2] * 2, index[1::2] * 2  # record header position, content bytes
            end = start + 8 + size
            if start[0] < last_end or (start[1:] < end[:-1]).any() or (size < 4).any() or end[-1] > shp_size:
                return None
            fs.seek(int(start[0]))
            buf = np.fromfile(fs, dtype=np.uint8, count=int(end[-1] - start[0]))
            if buf.size != end[-1] - start[0]:
                return None
            if not _scan_chunk(buf, start - start[0], size, file_type, scan, counts):
                return None
            if table is not None and table.deleted(done, k):
                return None
            done, last_end = done + k, int(end[-1])
    names = {
        _SHP_POINT: ("Point", ""),
        _SHP_MULTIPOINT: ("MultiPoint", ""),
        _SHP_ARC: ("LineString", "MultiLineString"),
    }
    single, multi = names[file_type]
    if counts["single"]:
        scan.counts[single] = counts["single"]
    if counts["multi"]:
        scan.counts[multi] = counts["multi"]
    return scan


#: a point record: header (number, content length in 16-bit words), shape type, x, y
_POINT_RECORD = np.dtype([("number", ">i4"), ("length", ">i4"), ("type", "<i4"), ("x", "<f8"), ("y", "<f8")])


def _i32(buf: np.ndarray, at: np.ndarray, order: str = "<") -> np.ndarray:
    """Signed 32-bit integers at byte positions ``at`` of ``buf``."""
    return buf[at[:, None] + np.arange(4)].view(f"{order}i4").ravel().astype(np.int64)


def _scan_chunk(
    buf: np.ndarray, start: np.ndarray, size: np.ndarray, file_type: int, scan: GeometryScan, counts: dict[str, int]
) -> bool:
    """Check and count one chunk of records; False when a record is not what GDAL reads plainly."""
    if file_type == _SHP_POINT and start[0] == 0 and buf.size == 28 * start.size and (size == 20).all():
        # points one after the other (the common case): the headers read in place, no gather (issue 16)
        rec = buf.view(_POINT_RECORD)
        if (np.diff(start) != 28).any():
            return False
        if (rec["length"] != 10).any() or (rec["type"] != _SHP_POINT).any():
            return False
        counts["single"] += int(start.size)
        return True
    if (_i32(buf, start + 4, ">") * 2 != size).any():
        return False
    content = start + 8
    rtype = _i32(buf, content)
    null = rtype == 0
    shape = rtype == file_type
    if not (null | shape).all() or (size[null] != 4).any():
        return False
    scan.nulls += int(null.sum())
    at, size = content[shape], size[shape]
    if not at.size:
        return True
    if file_type == _SHP_POINT:
        counts["single"] += int(at.size)
        return bool((size == 20).all())
    if file_type == _SHP_MULTIPOINT:
        npoints = _i32(buf, at + 36)
        if (npoints < 0).any() or (size != 40 + 16 * npoints).any():
            return False
        scan.nulls += int((npoints == 0).sum())  # GDAL gives no geometry for an empty multipoint
        counts["single"] += int((npoints > 0).sum())
        return True
    nparts, npoints = _i32(buf, at + 36), _i32(buf, at + 40)
    if (nparts < 1).any() or (npoints < 2).any() or (size != 44 + 4 * nparts + 16 * npoints).any():
        return False
    if (_i32(buf, at + 44) != 0).any():  # the first part starts at the first point
        return False
    multi = nparts > 1
    if multi.any():  # later part starts: strictly increasing, below the point count
        m_at, m_parts, m_points = at[multi], nparts[multi], npoints[multi]
        rows = np.repeat(np.arange(m_at.size), m_parts)
        k = np.arange(rows.size) - np.repeat(np.cumsum(m_parts) - m_parts, m_parts)
        starts = _i32(buf, m_at[rows] + 44 + 4 * k)
        later = np.flatnonzero(k > 0)
        if (starts[later] <= starts[later - 1]).any() or (starts >= m_points[rows]).any():
            return False
    counts["multi"] += int(multi.sum())
    counts["single"] += int((~multi).sum())
    return True


class _DbfFlags:
    """The deletion flags of a .dbf (GDAL skips records marked deleted), read through one reused 8 MB buffer."""

    def __init__(self, dbf: Path, n: int) -> None:
        self.path, self.header, self.record = dbf, 0, 0
        with dbf.open("rb") as fh:
            head = fh.read(32)
        self.ok = len(head) == 32
        if self.ok:
            count = int.from_bytes(head[4:8], "little")
            self.header, self.record = int.from_bytes(head[8:10], "little"), int.from_bytes(head[10:12], "little")
            self.ok = count == n and self.record > 0 and self.header + n * self.record <= dbf.stat().st_size
        self.buf = np.empty(max(self.record, (8 << 20) // max(self.record, 1) * self.record), dtype=np.uint8)

    def deleted(self, first: int, k: int) -> bool:
        """True when one of records ``first`` .. ``first + k - 1`` is marked deleted (or cannot be read)."""
        per_read = self.buf.size // self.record
        with self.path.open("rb", buffering=0) as fh:
            fh.seek(self.header + first * self.record)
            while k > 0:
                m = min(k, per_read)
                view = self.buf.data[: m * self.record]
                if fh.readinto(view) != m * self.record:
                    return True
                if (self.buf[: m * self.record : self.record] == 0x2A).any():
                    return True
                k -= m
        return False
