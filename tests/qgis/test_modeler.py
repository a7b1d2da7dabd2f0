"""The odl-geo algorithms in a graphical model: a layer of the project converted, then published to GeoServer.

The model is built as the modeler builds it (model parameters, child algorithms, one child's output as the next
one's input), saved as a .model3 file, loaded back and run, against the GeoServer REST test double.
"""

from __future__ import annotations

import json
import shutil

import requests
from qgis.core import (
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingModelParameter,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)
from qgis_support import auth_config

FONTAINES = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson"


def _child(model: QgsProcessingModelAlgorithm, child_id: str, alg_id: str, sources: dict) -> None:
    """A child algorithm as the modeler adds it: every parameter at its default, then the ones the person sets."""
    child = QgsProcessingModelChildAlgorithm(alg_id)
    child.setChildId(child_id)
    for definition in child.algorithm().parameterDefinitions():
        if definition.defaultValue() is not None and definition.name() not in sources:
            child.addParameterSources(
                definition.name(), [QgsProcessingModelChildParameterSource.fromStaticValue(definition.defaultValue())]
            )
    for name, source in sources.items():
        child.addParameterSources(name, [source])
    model.addChildAlgorithm(child)


def test_a_model_converts_a_project_layer_and_publishes_it(
    plugin, qgis_processing, project, double, shared_data, tmp_path
):
    import processing

    src = tmp_path / "fontaines.geojson"
    shutil.copy(shared_data / FONTAINES, src)
    layer = QgsVectorLayer(str(src), "Fontaines", "ogr")
    assert layer.isValid()
    project.addMapLayer(layer)
    url, password = double
    static = QgsProcessingModelChildParameterSource.fromStaticValue
    from_param = QgsProcessingModelChildParameterSource.fromModelParameter

    model = QgsProcessingModelAlgorithm("Publier les fontaines", "odl-geo")
    for definition in (
        QgsProcessingParameterVectorLayer("couche", "Couche"),
        QgsProcessingParameterString("geoserver", "GeoServer"),
        QgsProcessingParameterAuthConfig("auth", "Authentification"),
    ):
        model.addModelParameter(definition, QgsProcessingModelParameter(definition.name()))
    _child(
        model,
        "convert",
        "odl_geo:convert",
        {"LAYER": from_param("couche"), "FORMATS": static([0]), "OUTPUT": static(str(tmp_path / "out"))},
    )
    _child(
        model,
        "publish",
        "odl_geo:publish_geoserver",
        {
            "INPUT": QgsProcessingModelChildParameterSource.fromChildOutput("convert", "OUTPUT"),
            "URL": from_param("geoserver"),
            "WORKSPACE": static("modele"),
            "AUTHCFG": from_param("auth"),
        },
    )
    saved = tmp_path / "publier.model3"
    assert model.toFile(str(saved))
    loaded = QgsProcessingModelAlgorithm()
    assert loaded.fromFile(str(saved))
    linked = loaded.childAlgorithm("publish").parameterSources()["INPUT"][0]
    assert (linked.outputChildId(), linked.outputName()) == ("convert", "OUTPUT")  # the chain survived the file
    ok, problems = loaded.validate()
    assert ok, problems

    processing.run(
        loaded, {"couche": layer.id(), "geoserver": url, "auth": auth_config("gs-model", "admin", password)}
    )
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    table = next(f["layer"] for f in manifest["files"] if f["format"] == "gpkg")
    answer = requests.get(f"{url}/rest/layers/modele:{table}.json", auth=("admin", password), timeout=10)
    assert answer.status_code == 200, answer.text
    wfs = QgsVectorLayer(f"url='{url}/modele/wfs' typename='{table}' version='1.1.0'", "wfs", "WFS")
    try:
        assert wfs.isValid() and wfs.featureCount() == 48  # served by the map platform, read back by QGIS
    finally:
        del wfs
