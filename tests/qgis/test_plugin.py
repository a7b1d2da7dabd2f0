"""The plugin loads, registers its Processing provider, runs its algorithms on real data, and unloads cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProject, QgsVectorLayer

from qgis_plugin import classFactory


def test_load_registers_provider_and_menu_then_unload_removes_them(qgis_iface):
    p = classFactory(qgis_iface)
    p.initGui()
    registry = QgsApplication.processingRegistry()
    assert registry.providerById("odl_geo") is not None
    assert {a.name() for a in registry.providerById("odl_geo").algorithms()} >= {"inspect", "convert"}
    assert len(p.actions) == 5  # publish, inspect, convert, settings, help
    p.unload()
    assert registry.providerById("odl_geo") is None and not p.actions


def test_convert_algorithm_on_a_file_writes_outputs_and_manifest(plugin, qgis_processing, shared_data, tmp_path):
    import processing

    out = tmp_path / "out"
    res = processing.run(
        "odl_geo:convert",
        {
            "INPUT": str(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"),
            "FORMATS": [0, 1],
            "OUTPUT": str(out),
        },
    )
    manifest = json.loads(Path(res["MANIFEST"]).read_text(encoding="utf-8"))
    assert {f["format"] for f in manifest["files"]} == {"gpkg", "geojson"}
    assert all(f["feature_count"] == 48 for f in manifest["files"])
    layer = QgsVectorLayer(str(out / "VilleMTP_MTP_Fontaines.geojson"), "w", "ogr")
    assert layer.isValid() and layer.featureCount() == 48
    assert any("é" in (f["Nom"] or "") for f in layer.getFeatures())  # CP1252 source decoded
    del layer


def test_convert_algorithm_on_a_memory_layer_of_the_project(plugin, qgis_processing, tmp_path):
    import processing

    mem = QgsVectorLayer("Point?crs=EPSG:2154&field=nom:string", "points mémoire", "memory")
    from qgis.core import QgsFeature, QgsGeometry, QgsPointXY

    feats = []
    for i, name in enumerate(["Fontaine Saint-Éloi", "Puits de l'Évêché"]):
        f = QgsFeature(mem.fields())
        f.setAttributes([name])
        f.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(770000 + i * 100, 6280000)))
        feats.append(f)
    mem.dataProvider().addFeatures(feats)
    QgsProject.instance().addMapLayer(mem)
    res = processing.run("odl_geo:convert", {"LAYER": mem.id(), "FORMATS": [1], "OUTPUT": str(tmp_path / "o")})
    manifest = json.loads(Path(res["MANIFEST"]).read_text(encoding="utf-8"))
    assert manifest["files"][0]["feature_count"] == 2 and manifest["files"][0]["crs"] == "EPSG:4326"
    QgsProject.instance().removeAllMapLayers()


def test_inspect_algorithm_reports_missing_prj_as_error(plugin, qgis_processing, data_copy, tmp_path):
    import processing

    src = data_copy("encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp")
    res = processing.run("odl_geo:inspect", {"INPUT": str(src), "OUTPUT": str(tmp_path / "r.json")})
    assert res["LAYERS"] == 1 and res["ERRORS"] == 1
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["layers"][0]["issues"][0]["code"] == "CRS_MISSING"


def test_odl_geo_errors_become_processing_exceptions(plugin, qgis_processing, tmp_path):
    import processing
    from qgis.core import QgsProcessingException

    # the worker's JSON error comes back as the odl_geo class it was: its kind is said first (translated)
    with pytest.raises(QgsProcessingException, match=r"^The source cannot be found: .*does not exist"):
        processing.run("odl_geo:convert", {"INPUT": str(tmp_path / "nope.shp"), "OUTPUT": str(tmp_path / "o")})


def test_a_library_too_old_counts_as_missing(monkeypatch):
    """Debian ships OWSLib 0.27 and jsonschema 4.10: importable, yet too old; the check names the version needed."""
    from qgis_plugin.toolbelt import dependencies

    monkeypatch.setitem(dependencies.REQUIRED, "rich", "rich>=999")
    deps = dependencies.check_dependencies()
    assert deps.missing == ("rich>=999",)
    assert any("does not satisfy rich>=999" in e for e in deps.errors)
    monkeypatch.undo()
    assert dependencies.check_dependencies().ok  # the test environment has every library, in good versions
