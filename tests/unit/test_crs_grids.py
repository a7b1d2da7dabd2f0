"""Old French layers (Lambert II étendu, NTF) must be moved to Lambert-93 with IGN's grid, to the centimetre."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from pyproj import CRS
from shapely import Point

from odl_geo import convert
from odl_geo.crs import coordinate_transformer

# (Lambert II étendu) -> (Lambert-93 with the ntf_r93.gsb grid, = QGIS = cs2cs), from the environment recipe
REFERENCE = [((600000, 2428000), (651313.026, 6861349.810)),  # Paris
             ((96000, 2400000), (147433.535, 6837498.958)),  # Brest
             ((997000, 1848000), (1043001.480, 6278487.615))]  # Nice


def test_ntf_to_lambert93_uses_the_ign_grid():
    info = coordinate_transformer(CRS.from_epsg(27572).to_wkt(), CRS.from_epsg(2154).to_wkt())
    assert not info.grid_missing
    out = info.func(np.array([src for src, _ in REFERENCE], dtype=float))
    assert np.abs(out - np.array([dst for _, dst in REFERENCE])).max() < 0.01


def test_a_lambert_ii_layer_converts_to_lambert93_to_the_centimetre(tmp_path):
    src = tmp_path / "anciens_points.shp"
    gdf = gpd.GeoDataFrame({"nom": ["Paris", "Brest", "Nice"]},
                           geometry=[Point(*s) for s, _ in REFERENCE], crs="EPSG:27572")
    gdf.to_file(src, engine="pyogrio")
    manifest = convert(src, tmp_path / "out", formats=["gpkg"])
    got = pyogrio.read_dataframe(tmp_path / "out" / "anciens_points.gpkg")
    assert got.crs.to_epsg() == 2154
    for geom, (_, (x, y)) in zip(got.geometry, REFERENCE, strict=True):
        assert geom.x == pytest.approx(x, abs=0.01) and geom.y == pytest.approx(y, abs=0.01)
    notes = [i for i in manifest.report.issues if i.code == "CRS_REPROJECTED"]
    assert notes and "RGF93 v1 to NTF (2)" in notes[0].message  # the grid-based IGN operation


def test_a_missing_grid_is_detected():
    # NAD27 -> NAD83 is best done with the NADCON conus grid, which Debian's proj-data does not ship
    info = coordinate_transformer(CRS.from_epsg(4267).to_wkt(), CRS.from_epsg(4269).to_wkt())
    assert info.grid_missing
