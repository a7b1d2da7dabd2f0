"""The report map's shapes, taken apart by shapely's array functions, draw the same PNG as one artist a part did.

The reference below is the drawing code before it was vectorised (one ``PathPatch`` a polygon, one coordinate
array a line taken part by part in Python); the map must be the same bytes, so reports stay identical."""

from __future__ import annotations

import base64

import geopandas as gpd
import numpy as np
import pytest
import shapely

from odl_geo.reports import preview

pytest.importorskip("matplotlib")  # a dependency of the project: present in every environment it installs


def _reference_lines(geoms: np.ndarray) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    for p in shapely.get_parts(geoms):
        if p.geom_type in ("LineString", "LinearRing"):
            out.append(np.asarray(p.coords)[:, :2])
        elif p.geom_type == "Polygon":
            out.append(np.asarray(p.exterior.coords)[:, :2])
    return out


def _reference_patches(geoms: np.ndarray) -> list:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    patches = []
    for p in shapely.get_parts(geoms):
        if p.geom_type != "Polygon" or p.is_empty:
            continue
        rings = [np.asarray(p.exterior.coords)[:, :2]] + [np.asarray(r.coords)[:, :2] for r in p.interiors]
        verts = np.concatenate(rings)
        codes = np.concatenate(
            [[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 2) + [MplPath.CLOSEPOLY] for r in rings]
        )
        patches.append(PathPatch(MplPath(verts, codes)))
    return patches


def _shapes(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = shapely.points(rng.uniform(0, 1000, (800, 2)))
    zones = shapely.buffer(centres, rng.uniform(2, 40, 800), quad_segs=3)
    holed = shapely.difference(zones[:100], shapely.buffer(centres[:100], 1.0))
    multi = [shapely.MultiPolygon(list(zones[200:203])), shapely.MultiPolygon(list(zones[300:302]))]
    lines = shapely.linestrings(rng.uniform(0, 1000, (300, 5, 2)))
    multilines = [shapely.MultiLineString(list(lines[:3])), shapely.MultiLineString(list(lines[3:7]))]
    three_d = shapely.force_3d(lines[10:20], 12.5)
    ring = shapely.get_exterior_ring(zones[500:505])
    return np.concatenate([zones, holed, multi, lines, multilines, three_d, ring, centres[:50]])


@pytest.mark.parametrize("seed", [1, 2])
def test_lines_and_paths_match_the_part_by_part_reference(seed: int) -> None:
    geoms = _shapes(seed)
    lines = geoms[np.isin(shapely.get_type_id(geoms), (1, 2, 5))]
    got, want = preview._lines(lines), _reference_lines(lines)
    assert len(got) == len(want) > 300
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))
    polys = geoms[np.isin(shapely.get_type_id(geoms), (3, 6))]
    paths, patches = preview._polygon_paths(polys), _reference_patches(polys)
    assert len(paths) == len(patches) > 800
    for path, patch in zip(paths, patches, strict=True):
        assert np.array_equal(path.vertices, patch.get_path().vertices)
        assert np.array_equal(path.codes, patch.get_path().codes)


def test_the_map_is_the_same_png(monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.collections import PatchCollection

    geoms = _shapes(3)
    frame = gpd.GeoDataFrame({"geometry": geoms}, geometry="geometry", crs="EPSG:2154")
    faulty = {5, 900, 1000, 1200}
    new = preview.preview_png(frame, faulty)

    def reference_draw(ax, part, colour, bad):  # the former _draw: PatchCollection of PathPatch, lines part by part
        from matplotlib.collections import LineCollection

        types = shapely.get_type_id(part)
        points = part[np.isin(types, (0, 4))]
        if points.size:
            xy = shapely.get_coordinates(points)
            ax.scatter(xy[:, 0], xy[:, 1], s=28 if bad else 10, c=colour, edgecolors="white" if bad else "none",
                       linewidths=0.6, zorder=3 if bad else 2)  # fmt: skip
        lines = part[np.isin(types, (1, 2, 5))]
        if lines.size:
            ax.add_collection(LineCollection(_reference_lines(lines), colors=colour, linewidths=2.2 if bad else 1.0,
                                             zorder=3 if bad else 2))  # fmt: skip
        polys = part[np.isin(types, (3, 6))]
        if polys.size:
            ax.add_collection(PatchCollection(_reference_patches(polys), facecolor=colour, edgecolor=colour,
                                              alpha=0.55 if bad else 0.25, linewidth=1.2 if bad else 0.4,
                                              zorder=3 if bad else 2))  # fmt: skip

    monkeypatch.setattr(preview, "_draw", reference_draw)
    old = preview.preview_png(frame, faulty)
    assert new is not None and old is not None
    assert base64.b64decode(new) == base64.b64decode(old)
    assert base64.b64decode(new)[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_but_empty_polygons_draws_no_path() -> None:
    assert preview._polygon_paths(np.array([shapely.Polygon(), shapely.MultiPolygon()])) == []
    assert preview._lines(np.array([], dtype=object)) == []
