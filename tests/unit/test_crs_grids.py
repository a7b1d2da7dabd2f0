"""Old French layers (Lambert II étendu, NTF) must be moved to Lambert-93 with IGN's grid, to the centimetre."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from pyproj import CRS, Transformer
from shapely import Point

from odl_geo import convert
from odl_geo.crs import coordinate_transformer

if TYPE_CHECKING:
    from pathlib import Path

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


def ntf_shapefile(folder: Path) -> Path:
    src = folder / "anciens_points.shp"
    gdf = gpd.GeoDataFrame({"nom": ["Paris", "Brest", "Nice"]},
                           geometry=[Point(*s) for s, _ in REFERENCE], crs="EPSG:27572")
    gdf.to_file(src, engine="pyogrio")
    return src


def lonlat_outputs(out: Path) -> dict[str, list[tuple[float, float]]]:
    """The points of every WGS 84 output of anciens_points, and of the GeoPackage moved to WGS 84 (null shift)."""
    to_wgs84 = Transformer.from_crs(2154, 4326, always_xy=True)
    gpkg = pyogrio.read_dataframe(out / "anciens_points.gpkg")
    csv = pd.read_csv(out / "anciens_points.csv")
    return {
        "gpkg": [to_wgs84.transform(g.x, g.y) for g in gpkg.geometry],
        "geojson": [(g.x, g.y) for g in pyogrio.read_dataframe(out / "anciens_points.geojson").geometry],
        "csv": list(zip(csv["longitude"], csv["latitude"], strict=True)),
        "kml": [(g.x, g.y) for g in pyogrio.read_dataframe(out / "anciens_points.kml").geometry],
    }


def metres_apart(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    to_l93 = Transformer.from_crs(4326, 2154, always_xy=True)
    pa_, pb = np.array([to_l93.transform(*p) for p in a]), np.array([to_l93.transform(*p) for p in b])
    return float(np.hypot(*(pa_ - pb).T).max())


def test_an_ntf_layer_gives_the_same_points_in_every_format(tmp_path):
    """GeoJSON, CSV and KML (WGS 84) go through RGF93 with the grid, like the GeoPackage (Lambert-93)."""
    manifest = convert(ntf_shapefile(tmp_path), tmp_path / "out", formats=["gpkg", "geojson", "csv", "kml"])
    points = lonlat_outputs(tmp_path / "out")
    for fmt in ("geojson", "csv", "kml"):
        assert metres_apart(points[fmt], points["gpkg"]) < 0.01, fmt  # GeoJSON/CSV: 7 decimals, about 1 cm
    reference = [Transformer.from_crs(2154, 4326, always_xy=True).transform(*dst) for _, dst in REFERENCE]
    assert metres_apart(points["geojson"], reference) < 0.01
    notes = [i.message for i in manifest.report.issues if i.code == "CRS_REPROJECTED"]
    assert any("WGS 84" in n and "RGF93 v1 to NTF (2)" in n for n in notes), notes
    assert "CRS_GRID_MISSING" not in manifest.report.codes()


HIDDEN_GRID_SCRIPT = textwrap.dedent("""
    import json, sys
    import pyproj
    from odl_geo import convert
    # PROJ's search path without /usr/share/proj (added by odl_geo.crs); HOME hides ~/.local/share/proj
    pyproj.datadir.set_data_dir(pyproj.datadir.get_data_dir().split(":")[0])
    manifest = convert(sys.argv[1], sys.argv[2], formats=["gpkg", "geojson", "csv", "kml"])
    print(json.dumps(manifest.report.to_dict()))
""")


def test_without_the_grid_an_ntf_layer_is_reported(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home), "PROJ_NETWORK": "OFF"}
    env.pop("PROJ_DATA", None)
    env.pop("PROJ_LIB", None)
    done = subprocess.run(
        [sys.executable, "-c", HIDDEN_GRID_SCRIPT, str(ntf_shapefile(tmp_path)), str(tmp_path / "out")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    issues = json.loads(done.stdout)["issues"]
    missing = [i for i in issues if i["code"] == "CRS_GRID_MISSING"]
    assert missing and all(i["severity"] == "warning" for i in missing)
    assert all("NTF" in i["message"] and "ntf_r93" in i["message"] for i in missing)
    assert not [i for i in issues if i["code"] == "CRS_REPROJECTED" and "NTF" in i["message"]]
    # the best operation left, "NTF to WGS 84 (1)" (a few metres: 1.4 m in Paris, 4 m in Brest), the same for every
    # format; not PROJ's "ballpark" NTF -> RGF93 shift, 52 m off in Paris
    points = lonlat_outputs(tmp_path / "out")
    for fmt in ("geojson", "csv", "kml"):
        assert metres_apart(points[fmt], points["gpkg"]) < 0.01, fmt
    reference = [Transformer.from_crs(2154, 4326, always_xy=True).transform(*dst) for _, dst in REFERENCE]
    assert 0.1 < metres_apart(points["gpkg"], reference) < 5
