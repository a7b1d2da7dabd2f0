"""Work a chunk's geometries a slice of vertices at a time (``checks._common.vertex_slices``): bounded
temporaries, the same answers as the whole chunk at once (tenth session, issue 16)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from odl_geo.checks import _common
from odl_geo.checks._common import vertex_slices
from odl_geo.checks.duplicates import _geometry_hashes


def _shapes() -> np.ndarray:
    rng = np.random.default_rng(11)
    many = [shapely.buffer(Point(float(x), float(y)), 10.0, quad_segs=int(q))
            for x, y, q in zip(rng.uniform(0, 1e5, 300), rng.uniform(0, 1e5, 300), rng.integers(1, 60, 300),
                               strict=True)]  # fmt: skip
    big = shapely.buffer(Point(0, 0), 100.0, quad_segs=2_000)  # ~8,000 vertices: a slice of its own
    odd = [None, Polygon(), Point(3, 4), LineString([(0, 0), (1, 1)]), box(0, 0, 1, 1),
           Polygon([(1, 1), (0, 1), (0, 0), (1, 0), (1, 1)])]  # the same square, another start and direction
    return np.array([*many[:150], big, *odd, *many[150:]], dtype=object)


def test_the_slices_cover_every_geometry_once_in_order_within_the_budget():
    geoms = _shapes()
    counts = shapely.get_num_coordinates(geoms)
    for budget in (1, 50, 1_000, 10**9):
        parts = list(vertex_slices(geoms, budget))
        assert parts[0].start == 0 and parts[-1].stop == len(geoms)
        assert all(a.stop == b.start for a, b in itertools.pairwise(parts))
        # within the budget, unless one geometry alone is larger
        assert all(counts[p].sum() <= budget or p.stop - p.start == 1 for p in parts), budget
    assert len(list(vertex_slices(geoms, 10**9))) == 1
    assert list(vertex_slices(np.array([], dtype=object))) == []


def test_geometry_hashes_by_slices_are_those_of_the_whole_chunk(monkeypatch):
    frame = gpd.GeoDataFrame({"n": range(len(_shapes()))}, geometry=list(_shapes()), crs=2154)
    monkeypatch.setattr(_common, "SLICE_VERTICES", 10**9)
    whole, present = _geometry_hashes(frame)  # type: ignore[misc]
    for budget in (1, 97, 5_000):
        monkeypatch.setattr(_common, "SLICE_VERTICES", budget)
        got, mask = _geometry_hashes(frame)  # type: ignore[misc]
        assert np.array_equal(got, whole) and np.array_equal(mask, present), budget
    squares = np.flatnonzero(pd.Series([g is not None and g.equals(box(0, 0, 1, 1)) for g in frame.geometry]))
    assert len(squares) == 2 and whole[squares[0]] == whole[squares[1]]  # normalised: ring order does not matter
