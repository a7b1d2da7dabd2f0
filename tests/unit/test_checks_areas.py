"""Coordinates against the real outlines of France, Occitanie and the départements (not boxes)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from pyproj import CRS, Transformer

from odl_geo.checks import _common, outlines
from odl_geo.checks.areas import resolve_area
from odl_geo.theme import ThemeOptions, check_theme

#: name -> (lon, lat, in France, in Occitanie)
PLACES = {
    "Montpellier": (3.8767, 43.6108, True, True),
    "Perpignan": (2.8950, 42.6986, True, True),
    "Toulouse": (1.4442, 43.6047, True, True),
    "Bruxelles": (4.3517, 50.8503, False, False),
    "Genève": (6.1432, 46.2044, False, False),
    "Barcelona": (2.1734, 41.3851, False, False),
    "Andorra la Vella": (1.5218, 42.5063, False, False),
    "Montélimar": (4.7505, 44.5581, True, False),
    "Agen": (0.6163, 44.2033, True, False),
    "Aurillac": (2.4443, 44.9264, True, False),
    "Golfe du Lion, 25 km out": (3.70, 43.15, False, False),
    "Plage de Sète": (3.6330, 43.3820, True, True),  # on the sand: within the 1 km of the coast
    "Ajaccio": (8.7369, 41.9192, True, False),
    "Saint-Denis (La Réunion)": (55.4504, -20.8823, True, False),
    "Saint-Pierre (SPM)": (-56.1773, 46.7811, True, False),
}


def _geojson(tmp_path, features):
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _points(tmp_path):
    return _geojson(
        tmp_path,
        [
            {"type": "Feature", "properties": {"nom": name}, "geometry": {"type": "Point", "coordinates": [x, y]}}
            for name, (x, y, _f, _o) in PLACES.items()
        ],
    )


def _flagged(run, code):
    names = list(PLACES)
    return sorted(names[i] for issue in run.report.issues if issue.code == code for i in issue.examples)


def test_abroad_and_at_sea_are_outside_france_without_area(tmp_path):
    run = check_theme(_points(tmp_path), None)
    issue = next(i for i in run.report.issues if i.code == "COORDS_OUTSIDE_FRANCE")
    assert issue.count == 5
    assert sorted(n for n, (_x, _y, f, _o) in PLACES.items() if not f) == sorted(
        ["Bruxelles", "Genève", "Barcelona", "Andorra la Vella", "Golfe du Lion, 25 km out"]
    )
    assert "COORDS_OUTSIDE_AREA" not in run.report.codes()


def test_occitanie_is_its_outline_not_a_box(tmp_path):
    run = check_theme(_points(tmp_path), None, ThemeOptions(area="occitanie"))
    outside = next(i for i in run.report.issues if i.code == "COORDS_OUTSIDE_AREA")
    expected = sorted(n for n, (_x, _y, f, o) in PLACES.items() if f and not o)
    assert outside.count == len(expected) == 6
    names = list(PLACES)
    assert [names[i] for i in outside.examples] == [n for n in names if n in expected][:5]
    assert "outside Occitanie (by more than 1 km)" in outside.message
    france = next(i for i in run.report.issues if i.code == "COORDS_OUTSIDE_FRANCE")
    assert france.count == 5  # Andorra and the sea are not "in Occitanie" any more


def test_a_departement_area_gets_a_coordinate_check(tmp_path):
    area = resolve_area("34")
    assert area.outline == ("34",)
    run = check_theme(_points(tmp_path), None, ThemeOptions(area="34"))
    outside = next(i for i in run.report.issues if i.code == "COORDS_OUTSIDE_AREA")
    # in France but not in Hérault: Perpignan, Toulouse, Montélimar, Agen, Aurillac, Ajaccio, Réunion, SPM
    assert outside.count == 8 and "outside Hérault (34)" in outside.message
    assert resolve_area("34172").outline == ("34",)  # communes: their département's outline
    assert resolve_area("occitanie").outline == (
        "09",
        "11",
        "12",
        "30",
        "31",
        "32",
        "34",
        "46",
        "48",
        "65",
        "66",
        "81",
        "82",
    )


def test_lines_count_as_inside_when_part_of_them_is(tmp_path):
    lines = [
        [[1.5218, 42.5063], [1.7300, 42.5200]],  # Andorra la Vella to the Pas de la Case area, into Ariège
        [[2.1734, 41.3851], [2.3000, 41.5000]],  # all in Catalonia
    ]
    path = _geojson(
        tmp_path,
        [
            {"type": "Feature", "properties": {"n": i}, "geometry": {"type": "LineString", "coordinates": c}}
            for i, c in enumerate(lines)
        ],
    )
    run = check_theme(path, None, ThemeOptions(area="occitanie"))
    france = next(i for i in run.report.issues if i.code == "COORDS_OUTSIDE_FRANCE")
    assert france.examples == [1]
    assert "COORDS_OUTSIDE_AREA" not in run.report.codes()


@pytest.mark.parametrize("epsg", [2154, 4326, 3857])
def test_same_answer_in_any_crs_and_grid_agrees_with_geos(epsg):
    """The grid look-up gives GEOS's answer on the buffered outline, whatever the layer's CRS."""
    crs = CRS.from_epsg(epsg)
    found = outlines.locators("departement", resolve_area("occitanie").outline, crs)
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(-0.5, 5.0, 20_000), rng.uniform(42.2, 45.2, 20_000)
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    x, y = np.asarray(x), np.asarray(y)
    got = outlines.inside(found, x, y, np.ones(x.size, dtype=bool))
    exact = np.zeros(x.size, dtype=bool)
    for loc in found:
        exact |= shapely.contains_xy(loc.polygon, x, y)
    assert 0.3 < got.mean() < 0.8
    assert (got != exact).mean() < 0.002  # a cell whose corners agree may hold a sliver of the other side


def test_polygons_placed_a_slice_of_vertices_at_a_time_as_all_at_once(monkeypatch):
    """Locator.touches works through slices of about SLICE_VERTICES vertices (bounded temporaries): the
    answers are those of one slice holding every vertex, whatever the slices' seams; a geometry larger than a
    slice is one slice of its own; missing and empty shapes are not inside."""
    crs = CRS.from_epsg(2154)
    found = outlines.locators("departement", resolve_area("occitanie").outline, crs)
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-0.5, 5.0, 3_000), rng.uniform(42.2, 45.2, 3_000)
    x, y = Transformer.from_crs(4326, crs, always_xy=True).transform(lon, lat)
    sizes = rng.uniform(50, 40_000, x.size)
    geoms = shapely.buffer(shapely.points(x, y), sizes, quad_segs=rng.integers(1, 30))
    geoms = np.concatenate(
        [geoms, np.array([None, shapely.Polygon(), shapely.buffer(shapely.Point(x[0], y[0]), 5e4, quad_segs=400)])]
    )
    rng.shuffle(geoms)
    loc = found[0]
    whole = loc._touches(geoms)
    assert 0.2 < whole.mean() < 0.9
    for budget in (1, 97, 4_096, 10**9):
        monkeypatch.setattr(_common, "SLICE_VERTICES", budget)
        assert np.array_equal(loc.touches(geoms), whole), budget
    assert not loc.touches(np.array([None, shapely.Polygon()], dtype=object)).any()
