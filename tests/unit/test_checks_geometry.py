"""Geometry, CRS and coordinate checks, each on a real failing file from shared/data."""

from __future__ import annotations

import numpy as np
import shapely

from odl_geo.checks.registry import REGISTRY
from odl_geo.checks.runner import load_checks
from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, check_theme

GEOTREK = "hiking/geotrek_admin_fixtures"


def _issue(run, code):
    hits = [i for i in run.report.issues if i.code == code]
    assert hits, f"{code} not reported; got {sorted(run.report.codes())}"
    return hits[0]


def test_every_check_has_french_and_english_texts():
    load_checks()
    assert len(REGISTRY) >= 20
    for check in REGISTRY.values():
        assert check.title["fr"] and check.title["en"] and check.help["fr"] and check.help["en"], check.code
        assert check.code.isupper()


def test_invalid_polygons_of_montpellier_green_spaces_and_their_fix(data_copy, tmp_path):
    src = data_copy("encoding/lizmap_montpellier_intranet/VilleMTP_MTP_EspacesVertsSurface_2011.shp")
    run = check_theme(src, None)
    issue = _issue(run, "GEOM_NOT_VALID")
    assert issue.count == 2 and "Self-intersection" in issue.message
    fixed = check_theme(src, None, ThemeOptions(fix=True))
    assert "GEOM_NOT_VALID" not in fixed.report.codes()
    assert shapely.is_valid(np.asarray(fixed.layers[0].frame.geometry.values)).all()
    assert len(fixed.layers[0].frame) == 624
    assert any(f.code == "GEOM_NOT_VALID" for f in fixed.layers[0].fixes)


def test_zero_length_line_is_invalid(data_copy):
    run = check_theme(data_copy(f"{GEOTREK}/core/tests/data/bad_path.geojson"), None)
    assert _issue(run, "GEOM_NOT_VALID").examples == [0]


def test_feature_without_geometry(data_copy):
    run = check_theme(data_copy(f"{GEOTREK}/trekking/tests/data/empty_geom.geojson"), None)
    assert _issue(run, "GEOM_MISSING").count == 1
    fixed = check_theme(data_copy(f"{GEOTREK}/trekking/tests/data/empty_geom.geojson"), None, ThemeOptions(fix=True))
    assert len(fixed.layers[0].frame) == 0


def test_shapefile_without_prj_has_no_crs(data_copy):
    run = check_theme(data_copy("encoding/lizmap_montpellier_intranet/ArbRemarq_point.shp"), None)
    assert _issue(run, "CRS_UNDEFINED").severity.value == "error"
    assert "CRS_MISSING" in run.report.codes()  # the reader's own finding, with the CRS the numbers fit
    run = check_theme(
        data_copy("encoding/lizmap_montpellier_intranet/ArbRemarq_point.shp"),
        None,
        read_options=ReadOptions(source_crs="EPSG:4326"),
    )
    assert "CRS_UNDEFINED" not in run.report.codes()


def test_coordinates_outside_france(data_copy):
    """Geotrek's bad_srid.geojson: Lambert-like numbers in a file that says WGS 84."""
    run = check_theme(data_copy(f"{GEOTREK}/core/tests/data/bad_srid.geojson"), None)
    assert _issue(run, "COORDS_OUTSIDE_FRANCE").examples == [0]


def test_isere_flood_plan_is_outside_occitanie(data_copy):
    src = data_copy("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip")
    run = check_theme(src, None, ThemeOptions(area="occitanie"))
    outside = [i for i in run.report.issues if i.code == "COORDS_OUTSIDE_AREA"]
    assert sorted(i.count for i in outside) == [1, 584, 646]
    assert "outside Occitanie" in outside[0].message
    assert "COORDS_OUTSIDE_FRANCE" not in run.report.codes()
    assert "COORDS_OUTSIDE_AREA" not in check_theme(src, None).report.codes()  # no --area, no area check


def test_zero_length_line_is_not_repaired_into_an_empty_geometry(data_copy):
    """make_valid would turn Geotrek's [[0, 0], [0, 0]] into LINESTRING EMPTY: that is no repair."""
    run = check_theme(data_copy(f"{GEOTREK}/core/tests/data/bad_path.geojson"), None, ThemeOptions(fix=True))
    assert _issue(run, "GEOM_NOT_VALID").examples == [0]  # still an error after --fix
    assert run.report.has_errors
    geom = run.layers[0].frame.geometry.iloc[0]
    assert not geom.is_empty and geom.geom_type == "LineString"
    fix = next(f for f in run.layers[0].fixes if f.code == "GEOM_NOT_VALID")
    assert "cannot be repaired" in fix.changes[0] and "irréparable" in fix.changes_fr[0]
    assert fix.details == []  # nothing was changed
    assert "repaired with make_valid" not in " ".join(fix.changes)
