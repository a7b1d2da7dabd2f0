"""The publish dialog's "Metadata" tab: pre-filled from the layer's QGIS metadata, checked by the library (French
list of what is missing, nothing started), written as the publication's metadata.toml, and the publication then
carries the ISO 19139 and DCAT records (convert runs in the worker, as for a SIG administrator)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lxml import etree
from qgis.core import QgsAbstractMetadataBase, QgsLayerMetadata, QgsVectorLayer
from qgis_support import open_dialog, publish, wait_idle

from odl_geo.metadata.inputs import load_metadata_file

REPO = Path(__file__).resolve().parents[2]
GMD = {"gmd": "http://www.isotc211.org/2005/gmd", "gco": "http://www.isotc211.org/2005/gco"}


def _layer_with_metadata(project, tmp_path: Path) -> QgsVectorLayer:
    src = tmp_path / "cevennes.json"
    shutil.copy(REPO / "examples/hiking/cevennes_itineraires.json", src)
    layer = QgsVectorLayer(str(src), "Itinéraires du Parc", "ogr")
    assert layer.isValid()
    md = QgsLayerMetadata()
    md.setTitle("Itinéraires de randonnée du Parc national des Cévennes")
    md.setAbstract("Itinéraires balisés du Parc, saisis par le service SIG.")
    md.setKeywords({"gemet": ["randonnée", "sentier"], "lieux": ["Cévennes"]})
    owner = QgsAbstractMetadataBase.Contact("Service SIG")
    owner.organization, owner.email, owner.role = "Parc national des Cévennes", "sig@exemple-cevennes.fr", "owner"
    point = QgsAbstractMetadataBase.Contact("Accueil")
    point.organization, point.email, point.role = "Maison du Parc", "accueil@exemple-cevennes.fr", "pointOfContact"
    md.setContacts([owner, point])
    md.setLicenses(["Licence Ouverte / Open Licence version 2.0"])
    layer.setMetadata(md)
    project.addMapLayer(layer)
    return layer


def test_the_tab_is_prefilled_from_the_layer_metadata(plugin, qgis_processing, project, french, tmp_path):
    layer = _layer_with_metadata(project, tmp_path)
    dlg = open_dialog("hiking", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    tab = dlg.metadata
    assert dlg.tabs.tabText(dlg.tabs.indexOf(tab)) == "Métadonnées"
    assert tab.title.text() == ""  # filled when the person opens the tab
    dlg.tabs.setCurrentWidget(tab)
    assert tab.title.text() == "Itinéraires de randonnée du Parc national des Cévennes"
    assert tab.abstract.toPlainText().startswith("Itinéraires balisés")
    assert set(tab.keywords.text().split(", ")) == {"randonnée", "sentier", "Cévennes"}
    assert (tab.producer.text(), tab.producer_email.text()) == ("Parc national des Cévennes", "sig@exemple-cevennes.fr")
    assert (tab.contact.text(), tab.contact_email.text()) == ("Maison du Parc", "accueil@exemple-cevennes.fr")
    assert tab.licence.currentData() == "lov2"
    tab.title.setText("Mon titre")  # what the person typed is kept when the tab is opened again
    dlg.tabs.setCurrentIndex(0)
    dlg.tabs.setCurrentWidget(tab)
    assert tab.title.text() == "Mon titre"
    tab.btn_fill.click()  # the button copies the layer's metadata again
    assert tab.title.text() == "Itinéraires de randonnée du Parc national des Cévennes"
    dlg.close()


def test_incomplete_metadata_start_nothing_then_the_publication_carries_the_records(
    plugin, qgis_processing, project, french, tmp_path
):
    layer = _layer_with_metadata(project, tmp_path)
    dlg = open_dialog("hiking", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    tab = dlg.metadata
    dlg.tabs.setCurrentWidget(tab)
    tab.enabled.setChecked(True)
    tab.producer_email.setText("")
    tab.abstract.setPlainText("")
    publish(dlg)
    assert dlg._running is None and not dlg._queue  # nothing started
    assert dlg.tabs.currentWidget() is tab
    assert "Métadonnées" in dlg.status.text() or "métadonnées" in dlg.status.text(), dlg.status.text()
    shown = tab.result.text()
    assert "abstract : le résumé" in shown and "producer.email : l'adresse électronique" in shown, shown
    out = tmp_path / "out" / "publication"
    assert not (out / "metadata.toml").exists()

    tab.abstract.setPlainText("Itinéraires balisés du Parc national des Cévennes.")
    tab.producer_email.setText("sig@exemple-cevennes.fr")
    tab.frequency.setCurrentIndex(tab.frequency.findData("monthly"))
    tab.scale.setValue(25000)
    assert tab.check(), tab.result.text()
    publish(dlg)  # no target ticked: the conversion alone, in the worker
    wait_idle(dlg)
    given = load_metadata_file(out / "metadata.toml")
    assert given.frequency.datagouv == "monthly" and given.resolution is not None and given.resolution.scale == 25000
    assert given.contact.organisation == "Maison du Parc"
    iso = etree.parse(str(out / "metadata.xml"))
    assert iso.findtext(".//gmd:citation/*/gmd:title/gco:CharacterString", namespaces=GMD) == (
        "Itinéraires de randonnée du Parc national des Cévennes"
    )
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"metadata.xml", "metadata.jsonld"} <= {f["path"] for f in manifest["files"]}
    assert manifest["metadata"]["record"]["frequency"] == "monthly"

    tab.enabled.setChecked(False)  # untick: the next publication writes no record
    publish(dlg)
    wait_idle(dlg)
    assert not (out / "metadata.toml").exists() and not (out / "metadata.xml").exists()
    dlg.close()


def test_preview_shows_the_record_before_publishing(plugin, qgis_processing, project, french, tmp_path):
    """« Prévisualiser la fiche »: the record's main elements, built by the library in the worker from the layer's
    data (nothing published yet), read-only; what is missing listed; after a publication, from its folder."""
    layer = _layer_with_metadata(project, tmp_path)
    dlg = open_dialog("hiking", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    tab = dlg.metadata
    dlg.tabs.setCurrentWidget(tab)
    assert tab.btn_preview.text() == "Prévisualiser la fiche"
    tab.btn_preview.click()
    shown = tab.preview_dialog
    assert shown is not None and shown.isVisible() and shown.view.isReadOnly()
    text = shown.view.toPlainText()
    assert "Itinéraires de randonnée du Parc national des Cévennes" in text
    assert "Réseaux de transport (http://inspire.ec.europa.eu/theme/tn)" in text  # the hiking theme's
    assert "Licence Ouverte / Open Licence version 2.0" in text
    assert "(provisoire)" in text  # built from the layer as it is: the identifier follows the product layer
    assert "EPSG:2154" in text and "Emprise (WGS 84)" in text
    assert "À compléter" not in text
    shown.close()

    tab.abstract.setPlainText("")  # something missing: listed in French, with what to write
    tab.btn_preview.click()
    text = tab.preview_dialog.view.toPlainText()
    assert "À compléter (1)" in text and "abstract : le résumé" in text, text
    tab.preview_dialog.close()

    tab.abstract.setPlainText("Itinéraires balisés du Parc national des Cévennes.")
    tab.enabled.setChecked(True)
    publish(dlg)  # converted into out/publication: the preview is then built from that folder, exact
    wait_idle(dlg)
    tab.btn_preview.click()
    text = tab.preview_dialog.view.toPlainText()
    record = etree.parse(str(tmp_path / "out" / "publication" / "metadata.xml"))
    code = record.findtext(".//gmd:citation/*/gmd:identifier/*/gmd:code/gco:CharacterString", namespaces=GMD)
    assert code and code in text and "(provisoire)" not in text
    tab.preview_dialog.close()
    dlg.close()
