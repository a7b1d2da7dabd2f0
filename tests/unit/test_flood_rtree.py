"""The flood overlap checks fed a piece at a time against an R-tree on disk (``checks/flood_rtree.py``) find what
the whole-table checks find (``checks/flood.py``: ``PPR_ALEA_LEVEL_OVERLAP``, ``PPR_ZONEREG_OVERLAP``): the same
number of pairs and the same rows named, whatever the pieces' size, on generated tables (overlaps within and
across pieces, levels equal and different, shapes missing, empty or invalid) and on the DDT38 PPRs' tables."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from odl_geo.checks.flood import check_alea_level_overlap, check_zonereg_overlap
from odl_geo.checks.flood_rtree import OverlapsOnDisk
from odl_geo.checks.registry import CheckContext
from tests.unit.flood_pprs import NAMES, conformed


def _whole(frame: gpd.GeoDataFrame, layer: str) -> tuple[int, list[int]]:
    """The whole-table check's finding: (pairs, rows named)."""
    ctx = CheckContext(frame, layer, None, None, None, (), "")
    check = check_alea_level_overlap if "zonealea" in layer else check_zonereg_overlap
    found = check(ctx)
    return (found[0].count, found[0].examples) if found else (0, [])


def _pieces(frame: gpd.GeoDataFrame, keyed: bool, size: int, tmp_path) -> tuple[int, list[int]]:
    geoms = np.asarray(frame.geometry.values, dtype=object)
    keys = frame["niveaualea"].astype(object).to_numpy() if keyed else None
    with OverlapsOnDisk(keyed, tmp_path) as found:
        for start in range(0, len(frame), size):
            found.add(geoms[start : start + size], None if keys is None else keys[start : start + size])
        assert found.rows == len(frame)
        result = (found.pairs, found.examples)
    assert not list(tmp_path.iterdir())  # the R-tree's file is gone
    return result


def _generated(seed: int, n: int = 2_000) -> gpd.GeoDataFrame:
    """Squares scattered so that many overlap (and many only touch), three levels, a few missing, empty and
    invalid shapes."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 1_500, n).astype(float)
    y = rng.integers(0, 1_500, n).astype(float)
    size = rng.integers(5, 60, n).astype(float)
    geoms = shapely.box(x, y, x + size, y + size).astype(object)
    geoms[rng.choice(n, 10, replace=False)] = None
    geoms[rng.choice(n, 5, replace=False)] = shapely.Polygon()
    bowtie = shapely.Polygon([(0, 0), (50, 50), (50, 0), (0, 50)])
    geoms[rng.choice(n, 5, replace=False)] = bowtie
    levels = rng.choice(np.array(["01", "02", "03", None], dtype=object), n, p=[0.4, 0.3, 0.25, 0.05])
    return gpd.GeoDataFrame({"niveaualea": levels}, geometry=list(geoms), crs=2154)


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("layer", ["pprn_x_zonealeareference_115_s", "pprn_x_zonereglementaireurba_s"])
def test_pieces_against_the_rtree_as_the_whole_table(seed, layer, tmp_path):
    frame = _generated(seed)
    whole = _whole(frame, layer)
    assert whole[0] > 100  # many pairs, so that the pieces' seams cut through many of them
    keyed = "zonealea" in layer
    for size in (1, 7, 333, 1_000, len(frame)):
        assert _pieces(frame, keyed, size, tmp_path) == whole, size


def test_rows_named_from_late_pieces(tmp_path):
    """The first pairs of the table are in its last piece: the rows named are still the table's smallest."""
    frame = _generated(3, 600)
    geoms = np.asarray(frame.geometry.values, dtype=object)
    far = shapely.affinity.translate  # the first rows moved far away and made to overlap only the last rows
    for i in range(3):
        geoms[i] = far(shapely.box(0, 0, 10, 10), 10_000 + i, 0)
        geoms[-1 - i] = far(shapely.box(0, 0, 10, 10), 10_004 + i, 0)
    frame = frame.set_geometry(list(geoms))
    layer = "pprn_x_zonereglementaireurba_s"
    whole = _whole(frame, layer)
    assert whole[1][:1] == [0]
    for size in (50, 599):
        assert _pieces(frame, False, size, tmp_path) == whole


@pytest.mark.parametrize("name", NAMES)
def test_ddt38_tables_as_whole(name, shared_data, tmp_path):
    ppr = conformed(name, shared_data, tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    tried = 0
    for kind, frame in ppr.frames.items():
        if not kind.startswith(("zonealeareference_", "zonealeanaturelsynthese_s", "zonereglementaireurba_s")):
            continue
        layer = f"{ppr.prefix}_{kind}"
        whole = _whole(frame, layer)
        for size in (5, 50):
            assert _pieces(frame, "zonealea" in kind, size, work) == whole, (kind, size)
        tried += 1
    assert tried >= 3
