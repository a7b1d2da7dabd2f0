""""Copier le code d'intégration": after a publication in the dialog, the button puts the snippet for the commune's
website on the clipboard (odl-geo embed run in the worker), in French."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser

import pytest
from qgis.core import QgsVectorLayer
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtTest import QTest
from qgis.PyQt.QtWidgets import QApplication
from qgis_support import open_dialog, publish, set_constant, wait, wait_idle

pytestmark = pytest.mark.qgis


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.setdefault(tag, dict(attrs))


def test_copy_the_embed_code_after_a_publication(plugin, qgis_processing, project, french, shared_data, tmp_path):
    src = tmp_path / "VilleMTP_MTP_Fontaines.geojson"
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson", src)
    layer = QgsVectorLayer(str(src), "Bornes fontaines", "ogr")
    assert layer.isValid()
    project.addMapLayer(layer)
    dlg = open_dialog("water", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    button = dlg.embed.button
    assert button.text() == "Copier le code d'intégration"  # the French translation
    assert not button.isEnabled()  # nothing published yet
    set_constant(dlg, "type_point", "borne_fontaine")
    dlg.run_check()
    wait_idle(dlg)
    assert dlg.checked_ok, dlg.status.text()
    dlg.targets.dg_org.setText("ville-de-montpellier")  # not ticked: not published there, so not in the snippet
    publish(dlg)  # no target ticked: the conversion is the publication (served by odl-geo serve)
    wait_idle(dlg)
    assert dlg.status.text().startswith("Publié"), dlg.status.text()
    assert button.isEnabled()

    QApplication.clipboard().setText("avant")
    QTest.mouseClick(button, Qt.LeftButton)
    wait(lambda: dlg.embed.task is None and QApplication.clipboard().text() != "avant", timeout_s=120)
    snippet = QApplication.clipboard().text()
    assert snippet == dlg.embed.snippet
    parser = _Tags()
    parser.feed(snippet)
    odl_map = parser.tags["odl-map"]
    assert odl_map["theme"] == "water" and odl_map["lang"] == "fr"
    assert odl_map["server"] == "http://127.0.0.1:8000/ows/"  # odl-geo serve: no GeoServer target was ticked
    assert "odl-catalogue" not in parser.tags  # no data.gouv.fr publication, no organisation: no catalogue
    assert parser.tags["script"] == {"type": "module", "src": "odl-embed/odl-embed.js"}
    status = dlg.status.text()
    assert status.startswith("Code d'intégration copié"), status
    assert "sur cet ordinateur seulement" in status  # the library's note, in French
    site = tmp_path / "out" / "site"  # beside the publication: what the webmaster hosts with the page
    assert str(site) in status
    assert (site / "odl-embed" / "odl-embed.js").is_file() and (site / "LISEZMOI.txt").is_file()
    assert (site / "snippet.html").read_text(encoding="utf-8") == snippet

    # with the GeoServer and data.gouv.fr targets ticked, the snippet names them (as after such a publication)
    dlg.targets.gs.setChecked(True)
    dlg.targets.gs_url.setText("https://carto.example.fr/geoserver/")
    dlg.targets.gs_workspace.setText("eau")
    dlg.targets.dg.setChecked(True)
    dlg.embed.ready(dlg._publication, dlg.targets)
    QTest.mouseClick(button, Qt.LeftButton)
    wait(lambda: dlg.embed.task is None and "geoserver" in QApplication.clipboard().text(), timeout_s=120)
    parser = _Tags()
    parser.feed(QApplication.clipboard().text())
    assert parser.tags["odl-map"]["server"] == "https://carto.example.fr/geoserver/eau/wms"
    assert parser.tags["odl-map"]["server-type"] == "geoserver"
    assert parser.tags["odl-catalogue"]["organization"] == "ville-de-montpellier"
    assert parser.tags["odl-catalogue"]["datagouv"] == "https://www.data.gouv.fr"
    dlg.close()


def test_a_failed_embed_code_is_said_in_french_whatever_the_terminal(qgis_app, french, tmp_path, monkeypatch):
    """The worker's command line prints its error in the terminal's language (English here, as QGIS started from a
    menu or with LANG=C); the plugin shows the French the error carries (message_fr), not the English."""
    from qgis.PyQt.QtWidgets import QLabel, QWidget

    from qgis_plugin.gui.embed_copy import EmbedCopy

    for name in ("LC_ALL", "LC_MESSAGES", "ODL_GEO_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    parent = QWidget()
    status = QLabel(parent)
    embed = EmbedCopy(parent, status)
    embed.ready(str(tmp_path / "absent"), None)  # no such publication folder
    embed.args[embed.args.index("--lang") + 1] = "en"  # the components' language: not what the plugin shows
    embed.copy()
    wait(lambda: embed.task is None, timeout_s=120)
    text = status.text()
    assert text.startswith("Le code d'intégration n'a pas pu être préparé"), text
    assert f"{tmp_path / 'absent'} n'existe pas." in text and "Donnez un dossier publié" in text, text
    assert "does not exist" not in text
    assert embed.button.isEnabled()
