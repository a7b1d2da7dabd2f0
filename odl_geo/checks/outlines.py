"""The outlines of France and its départements (``checks/data/areas.tsv.gz``, see its README.md), and fast
point-in-area tests against them.

An area is tested with a tolerance: its outline is buffered by :data:`TOLERANCE_M` (1 km) in its own metric CRS,
so that a coastal fountain, a border crossing or a trail along a ridge is not flagged for the simplification of
the outline. The buffered polygon is then projected into the *layer's* CRS (the data are never reprojected) and
rasterised on a grid of at most 2048 x 2048 cells: a point in a cell wholly inside or outside is decided by a
table look-up, and only the points in cells the outline crosses go to GEOS (``shapely.contains_xy`` on the
prepared polygon). Lines and polygons count as inside when one of their vertices is (or, failing that, when GEOS
says they intersect), so that a trail crossing into Spain or a flood zone reaching the sea is not "outside".
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS, Transformer

from ._common import vertex_slices

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["FRANCE", "TOLERANCE_M", "Locator", "departement_codes", "locators"]

TOLERANCE_M = 1000.0
GRID = 2048  # cells along the longer side of an outline
MIN_CELL_M, MIN_CELL_DEG = 250.0, 0.0025  # no finer cells than that: small outlines (overseas) need no more
#: collectivités d'outre-mer the outlines do not cover, as lon/lat boxes (with a margin of about 5 km)
EXTRA_BOXES: dict[str, tuple[float, float, float, float]] = {
    "Saint-Martin, Saint-Barthélemy": (-63.2, 17.8, -62.75, 18.15),
    "Saint-Pierre-et-Miquelon": (-56.45, 46.7, -56.1, 47.2),
}
FRANCE = ("FXX", "971", "972", "973", "974", "976")  # the "pays" rows: metropolitan France and each DROM


@cache
def _table() -> dict[tuple[str, str], tuple[str, int, str]]:
    """(level, code) -> (name, EPSG code, WKT); the WKT is parsed only for the areas asked for."""
    raw = (resources.files("odl_geo.checks") / "data" / "areas.tsv.gz").read_bytes()
    out = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines()[1:]:
        level, code, nom, epsg, wkt = line.split("\t")
        out[(level, code)] = (nom, int(epsg), wkt)
    return out


def departement_codes() -> frozenset[str]:
    """The départements that have an outline (every département of the COG)."""
    return frozenset(code for level, code in _table() if level == "departement")


@cache
def _buffered(level: str, codes: tuple[str, ...]) -> tuple[tuple[int, shapely.Geometry], ...]:
    """The areas ``codes`` of ``level`` buffered by the tolerance and joined, one polygon per CRS of the table."""
    by_epsg: dict[int, list[shapely.Geometry]] = {}
    for code in codes:
        _nom, epsg, wkt = _table()[(level, code)]
        by_epsg.setdefault(epsg, []).append(shapely.from_wkt(wkt))
    out = []
    for epsg, geoms in sorted(by_epsg.items()):
        grown = shapely.buffer(np.array(geoms, dtype=object), TOLERANCE_M, quad_segs=4)
        out.append((epsg, shapely.union_all(grown)))
    return tuple(out)


def _box(box: tuple[float, float, float, float]) -> shapely.Geometry:
    return shapely.segmentize(shapely.box(*box), 0.01)


@dataclass
class Locator:
    """One polygon in a layer's CRS, with its bounds and the grid of cell states (0 out, 1 in, 2 crossed)."""

    polygon: shapely.Geometry
    bounds: tuple[float, float, float, float]
    cell: float
    state: np.ndarray  # (rows, columns) int8

    @classmethod
    def build(cls, polygon: shapely.Geometry, geographic: bool) -> Locator:
        shapely.prepare(polygon)
        x0, y0, x1, y1 = (float(v) for v in shapely.bounds(polygon))
        cell = max((x1 - x0) / GRID, (y1 - y0) / GRID, MIN_CELL_DEG if geographic else MIN_CELL_M)
        return cls(polygon, (x0, y0, x1, y1), cell, _rasterise(polygon, x0, y0, cell))

    def contains(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Which points lie inside (NaN coordinates do not)."""
        x0, y0, _, _ = self.bounds
        rows, cols = self.state.shape
        inv = 1.0 / self.cell
        with np.errstate(invalid="ignore"):
            fx = (x - x0) * inv
            fy = (y - y0) * inv
            ok = (fx >= 0) & (fx < cols) & (fy >= 0) & (fy < rows)
        out = np.zeros(len(x), dtype=bool)
        if ok.all():
            state = self.state.ravel()[fy.astype(np.intp) * cols + fx.astype(np.intp)]
            crossed = np.flatnonzero(state == 2)
            out[:] = state == 1
        else:
            idx = np.flatnonzero(ok)
            if not idx.size:
                return out
            state = self.state.ravel()[fy[idx].astype(np.intp) * cols + fx[idx].astype(np.intp)]
            out[idx] = state == 1
            crossed = idx[state == 2]
        if crossed.size:
            out[crossed] = shapely.contains_xy(self.polygon, x[crossed], y[crossed])
        return out

    def touches(self, geoms: np.ndarray) -> np.ndarray:
        """Which geometries (lines, polygons) have a vertex inside, or else intersect the polygon.

        A slice of about :data:`~odl_geo.checks._common.SLICE_VERTICES` vertices at a time: each geometry's answer
        is its own, and the vertices' arrays (coordinates, their geometry, grid positions: ~50 bytes a vertex) of a
        whole chunk were the checks' largest temporaries (~30 MB for 10,000 zones of 45 vertices, the peak of a
        100k-zone PPR's checks)."""
        out = np.zeros(len(geoms), dtype=bool)
        for part in vertex_slices(geoms):
            out[part] = self._touches(geoms[part])
        return out

    def _touches(self, geoms: np.ndarray) -> np.ndarray:
        out = np.zeros(len(geoms), dtype=bool)
        coords, index = shapely.get_coordinates(geoms, return_index=True)
        if len(coords):
            hit = self.contains(coords[:, 0], coords[:, 1])
            out = np.bincount(index[hit], minlength=len(geoms)) > 0
        x0, y0, x1, y1 = self.bounds
        b = shapely.bounds(geoms)
        with np.errstate(invalid="ignore"):
            near = ~out & (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
        idx = np.flatnonzero(near)
        if idx.size:
            out[idx] = shapely.intersects(self.polygon, geoms[idx])
        return out


def _rasterise(polygon: shapely.Geometry, x0: float, y0: float, cell: float) -> np.ndarray:
    """Cell states of ``polygon`` on a grid from (x0, y0): the grid corners are classified by even-odd scanlines
    (vectorised), a cell whose four corners agree is in or out, the others are crossed by the outline.

    The outline is buffered by 1 km, so inside and outside have no feature much thinner than a cell: a cell whose
    corners agree holds, at worst, a sliver of the other side a few tens of metres deep.
    """
    x1, y1 = (float(v) for v in shapely.bounds(polygon)[2:])
    cols = int(np.ceil((x1 - x0) / cell)) + 1
    rows = int(np.ceil((y1 - y0) / cell)) + 1
    rings = shapely.get_rings(shapely.get_parts(polygon))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    ax, ay = coords[:-1][same, 0], coords[:-1][same, 1]
    bx, by = coords[1:][same, 0], coords[1:][same, 1]
    # corner row j (y = y0 + j * cell) crosses an edge when lo <= y < hi
    lo = np.ceil((np.minimum(ay, by) - y0) / cell).astype(np.int64)
    hi = np.ceil((np.maximum(ay, by) - y0) / cell).astype(np.int64)
    k = np.clip(hi - lo, 0, None)
    edge = np.repeat(np.arange(k.size), k)
    j = lo[edge] + np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
    yj = y0 + j * cell
    xc = ax[edge] + (yj - ay[edge]) * (bx[edge] - ax[edge]) / (by[edge] - ay[edge])
    # the first corner column right of the crossing; parity of the crossings left of each corner = inside
    i = np.clip(np.floor((xc - x0) / cell).astype(np.int64) + 1, 0, cols + 1)
    keep = (j >= 0) & (j <= rows)
    # every grid-sized array is one byte a cell (a 2048-cell grid has 4.2M corners: int64 counts and np.where
    # made the run's first chunk peak about 80 MB higher, though the grid kept is 4 MB)
    hit, count = np.unique(j[keep] * (cols + 2) + i[keep], return_counts=True)
    flips = np.zeros((rows + 1) * (cols + 2), dtype=np.uint8)
    flips[hit[(count & 1) == 1]] = 1
    corners = np.bitwise_xor.accumulate(flips.reshape(rows + 1, cols + 2), axis=1)[:, : cols + 1]
    del flips
    total = corners[:-1, :-1] + corners[1:, :-1]
    total += corners[:-1, 1:]
    total += corners[1:, 1:]
    state = np.full(total.shape, 2, dtype=np.int8)
    state[total == 4] = 1
    state[total == 0] = 0
    return state


def _project(geom: shapely.Geometry, source: int, target: CRS) -> shapely.Geometry | None:
    """``geom`` in ``target`` (edges densified first), or None when the CRS cannot hold it (not finite).

    Through WGS 84 when neither side is: PROJ takes a fifth of a second to choose between the datum shifts from an
    overseas CRS to Lambert-93, and metres do not matter here.
    """
    if CRS.from_epsg(source).equals(target):
        return geom
    steps = [(source, target)] if source == 4326 or target.equals("EPSG:4326") else [(source, 4326), (4326, target)]
    out = shapely.segmentize(geom, 0.05 if source == 4326 else 5_000.0)
    for a, b in steps:
        t = Transformer.from_crs(a, b, always_xy=True)
        out = shapely.transform(out, lambda c, t=t: np.column_stack(t.transform(c[:, 0], c[:, 1])))
    coords = shapely.get_coordinates(out)
    if not np.isfinite(coords).all():
        return None
    return shapely.make_valid(out) if not shapely.is_valid(out) else out


@lru_cache(maxsize=32)
def locators(level: str, codes: tuple[str, ...], crs: CRS) -> tuple[Locator, ...]:
    """Locators of the areas ``codes`` (``level`` "pays" or "departement") in ``crs``; ``("pays", FRANCE)`` also
    gets the collectivités of :data:`EXTRA_BOXES`."""
    parts: list[tuple[int, shapely.Geometry]] = list(_buffered(level, codes))
    if level == "pays" and codes == FRANCE:
        parts += [(4326, _box(b)) for b in EXTRA_BOXES.values()]
    out = []
    for epsg, geom in parts:
        projected = _project(geom, epsg, crs)
        if projected is not None and not projected.is_empty:
            out.append(Locator.build(projected, crs.is_geographic))
    return tuple(out)


def inside(found: Iterable[Locator], x: np.ndarray, y: np.ndarray, todo: np.ndarray) -> np.ndarray:
    """Points of ``todo`` inside any of the locators (those far from every point are skipped: a layer of
    Occitanie is not tested against the overseas outlines)."""
    out = np.zeros(len(x), dtype=bool)
    idx = np.flatnonzero(todo)
    if not idx.size:
        return out
    whole = idx.size == len(x)
    px, py = (x, y) if whole else (x[idx], y[idx])  # todo holds present points only: no NaN
    lo_x, hi_x, lo_y, hi_y = px.min(), px.max(), py.min(), py.max()
    near = [
        loc
        for loc in found
        if lo_x <= loc.bounds[2] and hi_x >= loc.bounds[0] and lo_y <= loc.bounds[3] and hi_y >= loc.bounds[1]
    ]
    for n, loc in enumerate(near):
        hit = loc.contains(px, py)
        if whole:
            out |= hit
        else:
            out[idx[hit]] = True
        if n + 1 == len(near) or hit.all():
            break
        keep = ~hit
        idx, px, py, whole = idx[keep], px[keep], py[keep], False
    return out


def touching(found: Iterable[Locator], geoms: np.ndarray, todo: np.ndarray) -> np.ndarray:
    """Geometries of ``todo`` with a part inside any of the locators."""
    out = np.zeros(len(geoms), dtype=bool)
    for loc in found:
        idx = np.flatnonzero(todo & ~out)
        if not idx.size:
            break
        out[idx] = loc.touches(geoms[idx])
    return out
