"""The publish dialog, in French, on real layers of each theme: mapping table, personal data, checks, publication.

Every step runs as it does for a SIG administrator: the mapping proposal in the worker, check / convert / publish
as Processing tasks, to the GeoServer REST test double (WMS/WFS by QGIS Server) and a real local udata.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import requests
from qgis.core import (
    QgsCategorizedSymbolRenderer,
    QgsProject,
    QgsRendererCategory,
    QgsSymbol,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication, Qt
from qgis.PyQt.QtGui import QColor, QImage
from qgis.PyQt.QtTest import QTest
from qgis_support import auth_config, heartbeat, open_dialog, publish, row, set_constant, wait_idle

from qgis_plugin.gui.dlg_publish import TAB_MAPPING, TAB_REPORT, TAB_TARGETS, DlgPublish
from qgis_plugin.gui.mdl_mapping import ValuesModel

REPO = Path(__file__).resolve().parents[2]
PPR_ZIP = "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip"


def _screenshot(dlg: DlgPublish, name: str, tmp_path: Path) -> None:
    """The user guide's screenshots are refreshed on request only, so a test run leaves the tree clean."""
    folder = REPO / "docs" / "img" if os.environ.get("ODL_UPDATE_SCREENSHOTS") else tmp_path
    dlg.resize(1100, 860)
    dlg.show()
    QCoreApplication.processEvents()
    assert dlg.grab().save(str(folder / name))
    assert QImage(str(folder / name)).width() >= 1000


def _add(project, path: Path | str, name: str, provider: str = "ogr") -> QgsVectorLayer:
    layer = QgsVectorLayer(str(path), name, provider)
    assert layer.isValid(), path
    project.addMapLayer(layer)
    return layer


def _wfs_count(url: str, workspace: str, typename: str) -> int:
    uri = f"url='{url}/{workspace}/wfs' typename='{typename}' version='1.1.0'"
    wfs = QgsVectorLayer(uri, "wfs", "WFS")
    try:
        assert wfs.isValid(), uri
        return wfs.featureCount()
    finally:
        del wfs


def _published_table(out: Path) -> str:
    manifest = json.loads((out / "publication" / "manifest.json").read_text(encoding="utf-8"))
    return next(f["layer"] for f in manifest["files"] if f["format"] == "gpkg" and f.get("geometry_type"))


# -- water points: the mapping table completes the source, then GeoServer -------------------------------------
def test_water_points_mapping_table_check_and_publish_to_geoserver(
    plugin, qgis_processing, project, french, double, shared_data, tmp_path
):
    src = tmp_path / "VilleMTP_MTP_Fontaines.geojson"
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson", src)
    layer = _add(project, src, "Bornes fontaines")
    url, password = double
    dlg = open_dialog("water", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    fields = dlg.mapping.fields
    id_local = fields.rows[row(fields, "id_local")]
    assert (id_local["source"], id_local["how"]) == ("Dossier", "synonym")  # the matcher's proposal
    assert fields.missing_required() == ["type_point"]
    assert "type_point" in dlg.mapping.status.text()
    dlg.run_check()
    wait_idle(dlg)
    assert not dlg.checked_ok and "Erreurs" in dlg.status.text()  # the French translation is live
    assert any(i["code"] == "REQUIRED_FIELD_MISSING" for i in dlg.model.issues)
    shown = [dlg.model.data(dlg.model.index(r, 4)) for r in range(dlg.model.rowCount())]
    french_messages = [i["message_fr"] for i in dlg.model.issues if i.get("message_fr")]
    assert french_messages and set(french_messages) <= set(shown)  # the report speaks the interface's language

    set_constant(dlg, "type_point", "borne_fontaine")  # what the source lacks, given in the table
    assert fields.missing_required() == [] and not dlg.btn_publish.isEnabled()
    dlg.run_check()
    wait_idle(dlg)
    assert dlg.checked_ok and dlg.btn_publish.isEnabled(), dlg.status.text()
    mapping = (tmp_path / "out" / "mappings" / "bornes_fontaines.toml").read_text(encoding="utf-8")
    assert 'type_point = "borne_fontaine"' in mapping and 'id_local = "Dossier"' in mapping

    dlg.targets.gs.setChecked(True)
    dlg.targets.gs_url.setText(url)
    dlg.targets.gs_workspace.setText("eau")
    dlg.targets.gs_auth.setConfigId(auth_config("geoserver", "admin", password))
    dlg.tabs.setCurrentIndex(TAB_MAPPING)
    _screenshot(dlg, "plugin_mapping_fr.png", tmp_path)
    dlg.tabs.setCurrentIndex(TAB_REPORT)
    _screenshot(dlg, "plugin_publish_fr.png", tmp_path)
    with heartbeat() as gaps:
        publish(dlg)
        wait_idle(dlg)
    status = dlg.status.text()
    assert status.startswith("Publié : Bornes fontaines.") and "1 couche vérifiée en WMS/WFS" in status, status
    # the UI kept running through the whole publish (conversion, upload, OGC verification)
    print(f"heartbeat: {len(gaps)} ticks, longest gap {max(gaps[1:])} ms")  # shown with pytest -s
    assert len(gaps) > 20 and max(gaps[1:]) < 100, (len(gaps), max(gaps[1:]))
    assert _published_table(tmp_path / "out") == "VilleMTP_MTP_Fontaines_water"  # the product's table...
    assert _wfs_count(url, "eau", "points_eau_bornes_fontaines") == 48  # ...published under a French name

    # the project remembers the choices (no secret), and a new dialog restores the table
    stored = json.loads(QgsProject.instance().readEntry("odl_geo", "mapping_choices")[0])
    (choices,) = stored["layers"].values()  # one entry per layer (issue 12 #7)
    assert choices["constants"][""]["type_point"] == "borne_fontaine"
    assert "password" not in json.dumps(stored) and password not in QgsProject.instance().readEntry(
        "odl_geo", "geoserver_authcfg"
    )[0]
    again = DlgPublish()
    wait_idle(again)
    assert again.theme.currentData() == "water"
    assert again.mapping.fields.rows[row(again.mapping.fields, "type_point")]["constant"] == "borne_fontaine"
    again.close()
    dlg.close()


# -- PEI: unknown values get their code in the table, fixes and personal data ----------------------------------
def test_pei_values_table_fix_and_personal_data(plugin, qgis_processing, project, french, tmp_path):
    csv = REPO / "tests/data/pei/pei_generated_occitanie.csv"  # generated fixture (see its README)
    layer = _add(project, csv, "PEI (généré)")
    layer.setCrs(QgsProject.instance().crs().fromEpsgId(2154))  # the x/y are Lambert-93: QGIS knows, the CSV not
    dlg = open_dialog("pei", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    values: ValuesModel = dlg.mapping.values
    assert [(r["field"], r["raw"]) for r in values.rows] == [("type_pei", "PX")]
    assert values.setData(values.index(0, ValuesModel.CODE), "PI")
    assert "nom_etab" in dlg.mapping.fields.personal_fields()
    dlg.fix.setChecked(True)
    dlg.run_check()
    wait_idle(dlg)
    codes = {i["code"] for i in dlg.model.issues}
    assert "ENUM_VALUE_INVALID" not in codes  # PX -> PI from the values table
    assert "DUPLICATE_ID" in codes and not dlg.checked_ok  # the generated faults that need a person remain
    mapping = (tmp_path / "out" / "mappings" / "pei_genere.toml").read_text(encoding="utf-8")
    assert '[values.type_pei]\nPX = "PI"' in mapping and "mask_free_text = true" in mapping
    report = json.loads((tmp_path / "out" / "report" / "report.json").read_text(encoding="utf-8"))
    assert report["corrected"], "--fix wrote a corrected copy"
    situation = json.dumps(report, ensure_ascii=False)
    assert "06 12 34 56 78" not in situation
    dlg.close()


# -- hiking: the layer's own QGIS style to GeoServer and QGIS Server, then data.gouv.fr --------------------------
def test_hiking_with_the_layer_style_to_geoserver_and_datagouv(
    plugin, qgis_processing, project, french, double, udata, answer_yes, shared_data, tmp_path
):
    src = tmp_path / "cevennes.json"
    shutil.copy(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", src)
    layer = _add(project, src, "Itinéraires du Parc")
    categories = []
    for value, colour in (("pédestre", "#c0392b"), ("VTT", "#2471a3")):
        symbol = QgsSymbol.defaultSymbol(QgsWkbTypes.LineGeometry)
        symbol.setColor(QColor(colour))
        categories.append(QgsRendererCategory(value, symbol, value))
    layer.setRenderer(QgsCategorizedSymbolRenderer("pratique", categories))
    layer.setOpacity(0.8)  # something SLD cannot carry: the person is told
    md = layer.metadata()  # the layer's QGIS metadata pre-fills data.gouv.fr's description and tags
    md.setAbstract("Sentiers balisés du Parc national des Cévennes.")
    md.setKeywords({"thèmes": ["Cévennes", "Lozère"]})
    layer.setMetadata(md)
    url, password = double
    gs_auth = auth_config("geoserver-rando", "admin", password)  # before the dialog, as a person would have it
    dg_auth = auth_config("udata", "X-API-KEY", udata["API_KEY"])
    dlg = open_dialog("hiking", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    assert dlg.mapping.fields.missing_required() == []
    dlg.run_check()
    wait_idle(dlg)
    assert dlg.checked_ok, dlg.status.text()
    t = dlg.targets
    t.gs.setChecked(True)
    t.gs_url.setText(url)
    t.gs_workspace.setText("rando")
    t.gs_auth.setConfigId(gs_auth)
    t.gs_style.setCurrentIndex(t.gs_style.findData("layer"))
    t.dg.setChecked(True)
    t.dg_url.setText(udata["BASE_URL"].removesuffix("/api/1"))
    t.dg_org.setText(udata["ORG_SLUG"])
    t.dg_auth.setConfigId(dg_auth)
    dlg.tabs.setCurrentIndex(TAB_TARGETS)
    # issue 12 #6 and #5: French names from the theme's schema, data.gouv.fr's page from the layer's metadata
    assert t.gs_layer_name.text() == "itineraires_randonnee_itineraires_du_parc"
    assert t.gs_style_name.text() == "itineraires_randonnee"
    assert t.gs_title.text() == t.dg_title.text() == "Itinéraires de randonnée - Itinéraires du Parc"
    assert t.dg_description.toPlainText() == "Sentiers balisés du Parc national des Cévennes."
    assert {"itineraire-randonnee", "randonnee", "Cévennes", "Lozère"} <= set(t.dg_tags.text().split(", "))
    assert t.dg_private.isChecked() and t.dg_licence.currentData() == "lov2"  # a draft until the person opens it
    t.gs_layer_name.clear()
    QTest.keyClicks(t.gs_layer_name, "itineraires_randonnee_cevennes")  # typed: kept, whatever the layer
    t.dg_title.setText("Itinéraires de randonnée du Parc national des Cévennes")
    t.dg_title.textEdited.emit(t.dg_title.text())  # as QLineEdit says a person's edit (keyClicks aborts on "é")
    dlg.tabs.setCurrentIndex(TAB_MAPPING)
    dlg.tabs.setCurrentIndex(TAB_TARGETS)
    assert t.gs_layer_name.text() == "itineraires_randonnee_cevennes"
    _screenshot(dlg, "plugin_targets_fr.png", tmp_path)
    review = publish(dlg)
    assert any("couche itineraires_randonnee_cevennes" in line and "style itineraires_randonnee" in line
               for line in review), review  # fmt: skip
    assert any("privé (brouillon)" in line and "Cévennes" in line for line in review), review
    wait_idle(dlg)
    status = dlg.status.text()
    assert status.startswith("Publié : Itinéraires du Parc."), (status, dlg.messages)
    assert '">Page du jeu de données sur data.gouv.fr</a>' in status and '">Rapport de qualité</a>' in status
    assert "GeoServer : " in status and "data.gouv.fr : " in status and "octets envoyés" in status, status
    assert answer_yes == [] or "avertissements" in answer_yes[0]
    assert any("opacité" in w for w in dlg.style_warnings), dlg.style_warnings
    out = tmp_path / "out" / "publication"
    sld = (out / "styles" / "itineraires_randonnee.sld").read_text(encoding="utf-8")
    assert "pratique" in sld and "#c0392b" in sld  # QGIS's own SLD export of the layer's style
    table = "itineraires_randonnee_cevennes"  # the name the person typed
    body = requests.get(
        f"{url}/rest/workspaces/rando/styles/itineraires_randonnee.sld", auth=("admin", password), timeout=10
    )
    assert body.status_code == 200 and b"#c0392b" in body.content  # the layer's style is on the map platform
    layer_info = requests.get(
        f"{url}/rest/layers/rando:{table}.json", auth=("admin", password), timeout=10
    ).json()
    assert layer_info["layer"]["defaultStyle"]["name"] in ("itineraires_randonnee", "rando:itineraires_randonnee")
    wms = [QgsProject.instance().mapLayer(i) for i in dlg.wms_layers]  # the published layer, read from GeoServer
    assert [lyr.providerType() for lyr in wms] == ["wms"] and "itineraires_randonnee_cevennes" in wms[0].source()
    assert _wfs_count(url, "rando", table) == 8
    # the QGIS Server project of the folder uses the exported QML (odl-geo serve OUTDIR)
    from qgis_plugin.worker import OdlGeoWorker

    OdlGeoWorker().run(["serve", str(out), "--once", "--port", "0"])
    qgs = (out / "project.qgs").read_text(encoding="utf-8")
    assert 'attr="pratique"' in qgs and "192,57,43" in qgs  # the layer's categories, not the theme's style
    key = {"X-API-KEY": udata["API_KEY"]}
    datasets = requests.get(f"{udata['BASE_URL']}/me/org_datasets/", headers=key, timeout=10).json()
    mine = [d for d in datasets if d["title"] == "Itinéraires de randonnée du Parc national des Cévennes"]
    assert mine and mine[0]["private"] is True and len(mine[0]["resources"]) >= 2, datasets
    assert {"cevennes", "lozere", "itineraire-randonnee"} <= set(mine[0]["tags"])
    dlg.close()


# -- flood: several layers of one PPR --------------------------------------------------------------------------
def test_flood_several_layers_of_a_ppr_to_geoserver(
    plugin, qgis_processing, project, french, double, answer_yes, shared_data, tmp_path
):
    archive = tmp_path / "PPRn_BourgOisans.zip"
    shutil.copy(shared_data / PPR_ZIP, archive)
    members = [n for n in zipfile.ZipFile(archive).namelist() if n.endswith(".shp")]
    for member in members:
        _add(project, f"/vsizip/{archive}/{member}", Path(member).stem.split("_PPRN")[0].title())
    url, password = double
    dlg = open_dialog("flood", tmp_path)
    assert not dlg.layers.isHidden() and dlg.layer.isHidden()  # a set of layers, not one
    assert dlg.layers.count() == 3
    for i in range(dlg.layers.count()):
        dlg.layers.item(i).setCheckState(Qt.Checked)
    wait_idle(dlg)
    roles = {r["role"] for r in dlg.mapping.fields.roles}
    assert {"perimetre", "zone_alea", "zone_reglementaire", "ppr"} <= roles
    set_constant(dlg, "etatprocedure", "APPROUVE")
    dlg.run_check()
    wait_idle(dlg)
    assert dlg.checked_ok, (dlg.status.text(), [i["code"] for i in dlg.model.issues if i["severity"] == "error"])
    dlg.targets.gs.setChecked(True)
    dlg.targets.gs_url.setText(url)
    dlg.targets.gs_workspace.setText("ppr")
    dlg.targets.gs_auth.setConfigId(auth_config("geoserver-ppr", "admin", password))
    dlg.tabs.setCurrentIndex(TAB_MAPPING)
    _screenshot(dlg, "plugin_flood_fr.png", tmp_path)
    publish(dlg)
    wait_idle(dlg)
    status = dlg.status.text()
    assert status.startswith("Publié : ") and "GeoServer : " in status, (status, dlg.messages)
    gpkg = next((tmp_path / "out" / "publication").glob("pprn_*.gpkg"))
    assert gpkg.name == "pprn_38ddt20200002.gpkg"  # the CNIG géostandard's name
    caps = requests.get(f"{url}/ppr/wms", params={"SERVICE": "WMS", "REQUEST": "GetCapabilities"}, timeout=30)
    assert caps.status_code == 200 and b"zonealea" in caps.content.lower()
    dlg.close()
