"""What odl-geo writes must open in QGIS 3.22 as SIG administrators' QGIS opens it: valid layers, right
counts, CRS, geometry types and accents. This is the interoperability proof a unit test cannot give."""

from __future__ import annotations

import json

import pytest
from qgis.core import QgsCoordinateReferenceSystem, QgsVectorLayer, QgsWkbTypes


@pytest.fixture(scope="module")
def flood_outputs(tmp_path_factory, shared_data, odl_geo_cli):
    out = tmp_path_factory.mktemp("flood")
    odl_geo_cli(
        "convert",
        str(shared_data / "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip"),
        "--to",
        "gpkg,geojson,shp,fgb",
        "--out",
        str(out),
    )
    return out, json.loads((out / "manifest.json").read_text())


def _load(uri: str, name: str = "t") -> QgsVectorLayer:
    layer = QgsVectorLayer(uri, name, "ogr")
    assert layer.isValid(), f"QGIS cannot open {uri}"
    return layer


def test_geopackage_layers_open_in_qgis_with_counts_crs_and_types(qgis_new_project, flood_outputs):
    out, manifest = flood_outputs
    entries = [f for f in manifest["files"] if f["format"] == "gpkg"]
    assert {e["layer"] for e in entries} == {
        "N_ZONE_ALEA_PPRN_20200002_S_038",
        "N_ZONE_REG_PPRN_20200002_S_038",
        "N_PERIMETRE_PPRN_20200002_S_038",
    }
    for entry in entries:
        layer = _load(f"{out / entry['path']}|layername={entry['layer']}")
        assert layer.featureCount() == entry["feature_count"]
        assert layer.crs() == QgsCoordinateReferenceSystem("EPSG:2154")
        assert QgsWkbTypes.flatType(layer.wkbType()) == QgsWkbTypes.MultiPolygon
        assert all(f.geometry().isGeosValid() for f in layer.getFeatures())
        del layer


def test_geojson_and_zipped_shapefile_keep_accents_in_qgis(qgis_new_project, flood_outputs):
    out, _ = flood_outputs
    geojson = _load(str(out / "N_ZONE_ALEA_PPRN_20200002_S_038.geojson"))
    assert geojson.crs().authid() == "EPSG:4326"
    values = {f["nomrisque"] for f in geojson.getFeatures()}
    assert any("é" in (v or "") for v in values), values  # e.g. "Crue torrentielle", "Mouvements de terrain"...
    shp = _load(f"/vsizip/{out / 'N_ZONE_ALEA_PPRN_20200002_S_038.shp.zip'}/N_ZONE_ALEA_PPRN_20200002_S_038.shp")
    assert shp.featureCount() == geojson.featureCount() == 646
    assert {f["nomrisque"] for f in shp.getFeatures()} == values
    assert shp.dataProvider().encoding() in ("UTF-8", "System") and shp.crs().authid() == "EPSG:2154"
    del geojson, shp


def test_flatgeobuf_opens_with_its_spatial_index(qgis_new_project, flood_outputs):
    out, _ = flood_outputs
    fgb = _load(str(out / "N_ZONE_REG_PPRN_20200002_S_038.fgb"))
    assert fgb.featureCount() == 584
    assert fgb.hasSpatialIndex() in (1, 2)  # QgsFeatureSource.SpatialIndexPresent (2) or Unknown (1)
    del fgb
