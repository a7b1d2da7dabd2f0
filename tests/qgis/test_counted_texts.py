"""The publish dialog's counted texts agree with their counts by the interface's language: « 1 table publiée »,
« 3 tables publiées » (French takes the singular for 0 and 1), "0 layers checked" in English, and French counts
grouped with a narrow no-break space (« 1 004 »), never « table(s) publiée(s) »."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from qgis.core import QgsFeature, QgsVectorLayer
from qgis.PyQt.QtWidgets import QLabel

from odl_geo.numbers import NARROW_NBSP
from qgis_plugin.gui.publish_runner import PublishRunner, step_summary
from qgis_plugin.gui.wdg_mapping import MappingWidget

GEOSERVER, POSTGIS = "odl_geo:publish_geoserver", "odl_geo:publish_postgis"


@pytest.mark.parametrize(
    ("alg", "results", "text"),
    [
        (POSTGIS, {"TABLES": 1}, "PostGIS : 1 table publiée."),
        (POSTGIS, {"TABLES": 0}, "PostGIS : 0 table publiée."),
        (POSTGIS, {"TABLES": 3}, "PostGIS : 3 tables publiées."),
        (POSTGIS, {"TABLES": 1004}, f"PostGIS : 1{NARROW_NBSP}004 tables publiées."),
        (GEOSERVER, {"CHANGED": 1, "UNCHANGED": 0, "VERIFIED": 1},
         "GeoServer : 1 créé ou mis à jour, 0 inchangé, 1 couche vérifiée en WMS/WFS."),
        (GEOSERVER, {"CHANGED": 4, "UNCHANGED": 1004, "VERIFIED": 2},
         f"GeoServer : 4 créés ou mis à jour, 1{NARROW_NBSP}004 inchangés, 2 couches vérifiées en WMS/WFS."),
    ],
)  # fmt: skip
def test_a_publication_step_says_its_counts_in_french(qgis_app, french, alg, results, text):
    assert step_summary(alg, results) == text


@pytest.mark.parametrize(
    ("alg", "results", "text"),
    [
        (POSTGIS, {"TABLES": 1}, "PostGIS: 1 table published."),
        (POSTGIS, {"TABLES": 0}, "PostGIS: 0 tables published."),
        (POSTGIS, {"TABLES": 1004}, "PostGIS: 1,004 tables published."),
        (GEOSERVER, {"CHANGED": 1, "UNCHANGED": 0, "VERIFIED": 1},
         "GeoServer: 1 created or updated, 0 unchanged, 1 layer checked through WMS/WFS."),
        (GEOSERVER, {"CHANGED": 2, "UNCHANGED": 1004, "VERIFIED": 0},
         "GeoServer: 2 created or updated, 1,004 unchanged, 0 layers checked through WMS/WFS."),
    ],
)  # fmt: skip
def test_a_publication_step_says_its_counts_in_english(qgis_app, alg, results, text):
    assert step_summary(alg, results) == text


class _Runner(PublishRunner):
    """The dialog's run machinery over one layer and a report of one row (what show_issue_features reads)."""

    def __init__(self, layer: QgsVectorLayer, examples: list[int]) -> None:
        self.layer = layer
        self.model = SimpleNamespace(rows=[{"layer": layer.name(), "examples": examples}])
        self.status = QLabel()

    def chosen_layers(self) -> list[QgsVectorLayer]:
        return [self.layer]


@pytest.fixture
def points():
    layer = QgsVectorLayer("Point?crs=EPSG:2154", "Bornes fontaines", "memory")
    assert layer.dataProvider().addFeatures([QgsFeature(layer.fields()) for _ in range(3)])[0]
    return layer


@pytest.mark.parametrize(
    ("examples", "french_text", "english_text"),
    [
        ([1], "1 objet sélectionné dans Bornes fontaines.", "1 feature selected in Bornes fontaines."),
        ([0, 2], "2 objets sélectionnés dans Bornes fontaines.", "2 features selected in Bornes fontaines."),
    ],
)
def test_a_report_row_says_how_many_features_it_selected(qgis_app, points, request, examples, french_text,
                                                         english_text):  # fmt: skip
    runner = _Runner(points, examples)
    assert len(runner.show_issue_features(0)) == len(examples)
    assert runner.status.text() == english_text
    request.getfixturevalue("french")
    assert len(runner.show_issue_features(0)) == len(examples)
    assert runner.status.text() == french_text


@pytest.mark.parametrize(
    ("unknown", "text"),
    [(1, "1 valeur sans code."), (2, "2 valeurs sans code."), (1004, f"1{NARROW_NBSP}004 valeurs sans code.")],
)
def test_the_mapping_tab_says_how_many_values_have_no_code(qgis_app, french, unknown, text):
    widget = SimpleNamespace(fields=SimpleNamespace(missing_required=list),
                             values=SimpleNamespace(unresolved=lambda: unknown), status=QLabel())  # fmt: skip
    MappingWidget._update_status(widget)
    assert widget.status.text() == text
