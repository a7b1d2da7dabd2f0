"""Issue 12 #3, #4, #7: one progress per step ("Étape 2/3"), never a full bar while a step works; a wrong password
or key, or a server down, said in French naming the QGIS auth configuration, with no "Enter credentials" prompt;
the mapping kept per layer, one mapping file each."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from qgis.core import QgsCredentials, QgsNetworkAccessManager, QgsProcessingException, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication
from qgis_support import auth_config, open_dialog, publish, row, set_constant, wait_idle

from qgis_plugin import classFactory

REPO = Path(__file__).resolve().parents[2]
WATER = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson"

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


class DesktopPrompt(QgsCredentials):
    """What QGIS desktop installs (QgsCredentialDialog, "Saisir les identifiants"): here it counts, and answers
    as a person typing the wrong password again would."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []
        self.setInstance(self)

    def request(self, realm, username, password, message=""):
        self.asked.append(realm)
        return True, "admin", "still-wrong"

    def requestMasterPassword(self, password, stored=False):
        return False, password


def _desktop_auth_handler(host: str):
    """What QGIS desktop does on a 401 (QgsNetworkAccessManager::onAuthRequired emits requestRequiresAuth, then its
    QgsAppAuthRequestHandler asks ``QgsCredentials.instance().get("<realm> at <host>")``); not installed headless."""

    def handle(_request_id: int, realm: str) -> None:
        QgsCredentials.instance().get(f"{realm} at {host}", "", "", "Authentication required")

    return handle


@pytest.fixture
def desktop_prompt(qgis_iface, double):
    """The desktop's prompt and handler, then the plugin loaded over them (as QGIS loads it)."""
    prompt = DesktopPrompt()
    nam = QgsNetworkAccessManager.instance()
    handler = _desktop_auth_handler(urlsplit(double[0]).hostname)
    nam.requestRequiresAuth.connect(handler)
    plugin = classFactory(qgis_iface)
    plugin.initGui()
    yield prompt, plugin
    if plugin.actions:
        plugin.unload()
    nam.requestRequiresAuth.disconnect(handler)


@pytest.fixture
def water_out(tmp_path, shared_data, odl_geo_cli):
    out = tmp_path / "water"
    odl_geo_cli("convert", str(shared_data / WATER), "--to", "gpkg", "--out", str(out))
    return out


def _shot(dlg, name: str, tmp_path: Path) -> None:
    folder = REPO / "docs" / "img" if os.environ.get("ODL_UPDATE_SCREENSHOTS") else tmp_path
    dlg.resize(1100, 860)
    dlg.show()
    QCoreApplication.processEvents()
    assert dlg.grab().save(str(folder / name))


def test_a_wrong_geoserver_password_opens_no_prompt_and_names_the_auth_configuration(
    desktop_prompt, qgis_processing, french, double, water_out
):
    import processing

    prompt, _plugin = desktop_prompt
    url, _ = double
    authcfg = auth_config("GeoServer régional", "admin", "not-the-password")
    params = {"INPUT": str(water_out), "URL": url, "WORKSPACE": "faux", "AUTHCFG": authcfg}
    with pytest.raises(QgsProcessingException) as info:
        processing.run("odl_geo:publish_geoserver", params)
    message = str(info.value)
    assert message.startswith(
        f"Le serveur a refusé les identifiants : GeoServer a refusé les identifiants de la configuration "
        f"d'authentification QGIS « GeoServer régional ({authcfg}) »."
    ), message
    assert "Préférences > Options > Authentification" in message
    assert "ODL_" not in message and "not-the-password" not in message
    assert prompt.asked == []  # QGIS's prompt was never shown...
    from qgis_plugin.network import _guard

    assert _guard is not None and _guard.refused  # ...though QGIS asked for it: the plugin answered instead
    from qgis_plugin.network import remove_prompt_guard

    remove_prompt_guard()  # without the plugin's guard, the same 401 opens the desktop's prompt (the test can fail)
    with pytest.raises(QgsProcessingException):
        processing.run("odl_geo:publish_geoserver", params)
    assert prompt.asked and prompt.asked[0].endswith(" at 127.0.0.1")


def test_a_wrong_datagouv_key_and_a_server_down_are_said_in_french(
    plugin, qgis_processing, french, udata, water_out
):
    import processing

    bad_key = auth_config("Clé data.gouv.fr", "X-API-KEY", "not-a-key")
    site = udata["BASE_URL"].removesuffix("/api/1")
    params = {"INPUT": str(water_out), "URL": site, "ORGANIZATION": udata["ORG_SLUG"], "AUTHCFG": bad_key,
              "DATASET_KEY": f"cle-refusee-{water_out.parent.name}"}  # a new dataset: the key must write  # fmt: skip
    with pytest.raises(QgsProcessingException) as info:
        processing.run("odl_geo:publish_datagouv", params)
    message = str(info.value)
    expected = ("Le serveur a refusé les identifiants : data.gouv.fr a refusé les identifiants "
                f"de la configuration d'authentification QGIS « Clé data.gouv.fr ({bad_key}) »")  # fmt: skip
    assert message.startswith(expected), message
    assert "ODL_DATAGOUV_API_KEY" not in message and "not-a-key" not in message
    start = time.monotonic()
    with pytest.raises(QgsProcessingException) as info:
        processing.run(
            "odl_geo:publish_geoserver",
            {"INPUT": str(water_out), "URL": "http://127.0.0.1:9/geoserver", "WORKSPACE": "eau", "DRY_RUN": True},
        )
    assert str(info.value).startswith(
        "Le serveur est injoignable : GeoServer est injoignable ou n'a pas répondu à temps. → Vérifiez l'adresse"
    ), str(info.value)
    assert time.monotonic() - start < 60


def test_one_progress_per_step_and_a_french_error_in_the_dialog(
    plugin, qgis_processing, project, french, double, shared_data, tmp_path
):
    src = tmp_path / "fontaines.geojson"
    shutil.copy(shared_data / WATER, src)
    layer = QgsVectorLayer(str(src), "Bornes fontaines", "ogr")
    project.addMapLayer(layer)
    url, password = double
    dlg = open_dialog("water", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    set_constant(dlg, "type_point", "borne_fontaine")
    samples: list[tuple[int, int, str, bool]] = []

    def run_sampled() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not (dlg._running is None and not dlg._queue):
            QCoreApplication.processEvents()
            bar = dlg.progress
            samples.append((bar.maximum(), bar.value(), bar.format(), dlg._running is not None))
            time.sleep(0.005)

    dlg.run_check()
    run_sampled()
    assert dlg.checked_ok, dlg.status.text()
    checking = [s for s in samples if s[3]]
    assert checking and all(s[2].startswith("Étape 1/1 : Contrôler selon un schéma national") for s in checking)
    # the worker says 100 % once the layer is read, then checks it: the bar is "busy", never full, meanwhile
    assert not [s for s in checking if s[0] == 100 and s[1] == 100], checking[-5:]
    t = dlg.targets
    t.gs.setChecked(True)
    t.gs_url.setText(url)
    t.gs_workspace.setText("etapes")
    t.gs_auth.setConfigId(auth_config("geoserver-etapes", "admin", password))
    samples.clear()
    publish(dlg)
    run_sampled()
    assert dlg.status.text().startswith("Publié : Bornes fontaines."), dlg.status.text()
    running = [s for s in samples if s[3]]
    steps = list(dict.fromkeys(s[2].split(" — ")[0] for s in running))
    assert steps == ["Étape 1/2 : Convertir aux formats ouverts", "Étape 2/2 : Publier sur GeoServer (WMS/WFS)"], steps
    first_of_step2 = next(s for s in running if s[2].startswith("Étape 2/2"))
    assert first_of_step2[1] in (0, -1) or first_of_step2[0] == 0  # reset between steps (0 %, or busy)
    assert not [s for s in running if s[0] == 100 and s[1] == 100]
    assert dlg.progress.format() == "Terminé" and dlg.progress.value() == 100  # full only once it is all done

    t.gs_auth.setConfigId(auth_config("GeoServer de la Région", "admin", "faux"))  # then a wrong password
    publish(dlg)
    wait_idle(dlg)
    status = dlg.status.text()
    assert status.startswith("Échec : Le serveur a refusé les identifiants : GeoServer a refusé les identifiants de la"
                             " configuration d'authentification QGIS « GeoServer de la Région"), status  # fmt: skip
    assert dlg.progress.value() == 0 and dlg.progress.format() == "En attente"  # not a full bar after a failure
    _shot(dlg, "plugin_error_fr.png", tmp_path)
    dlg.close()


def test_mapping_choices_are_kept_per_layer_in_one_file_each(plugin, project, french, shared_data, tmp_path):
    layers = []
    for name in ("Bornes fontaines", "Fontaines du centre"):
        src = tmp_path / f"{name}.geojson"
        shutil.copy(shared_data / WATER, src)
        layers.append(QgsVectorLayer(str(src), name, "ogr"))
        project.addMapLayer(layers[-1])
    dlg = open_dialog("water", tmp_path)
    for layer, value in zip(layers, ("borne_fontaine", "puits"), strict=True):
        dlg.layer.setLayer(layer)
        wait_idle(dlg)
        set_constant(dlg, "type_point", value)
        dlg._save()
        dlg.mapping.write(dlg.mapping_file())
    files = sorted(p.name for p in (tmp_path / "out" / "mappings").glob("*.toml"))
    assert files == ["bornes_fontaines.toml", "fontaines_du_centre.toml"]
    assert 'type_point = "puits"' in (tmp_path / "out/mappings/fontaines_du_centre.toml").read_text(encoding="utf-8")
    dlg.layer.setLayer(layers[0])  # back to the first layer: its own choice, not the last layer's
    wait_idle(dlg)
    fields = dlg.mapping.fields
    assert fields.rows[row(fields, "type_point")]["constant"] == "borne_fontaine"
    dlg.close()


def test_test_the_connection_of_geoserver_and_datagouv(plugin, project, french, double, udata, tmp_path):
    """"Tester la connexion": GeoServer's about/version and udata's me/, with each target's auth configuration."""
    from qgis_support import wait

    url, password = double
    dlg = open_dialog("water", tmp_path)
    t = dlg.targets
    t.gs.setChecked(True)  # a target's button works once the target is ticked
    t.dg.setChecked(True)
    t.gs_url.setText(url)
    t.gs_auth.setConfigId(auth_config("gs-test-connexion", "admin", password))
    t.dg_url.setText(udata["BASE_URL"].removesuffix("/api/1"))
    t.dg_auth.setConfigId(auth_config("dg-test-connexion", "X-API-KEY", udata["API_KEY"]))
    for tester in (t.gs_test, t.dg_test):
        tester.button.click()
        wait(lambda tester=tester: tester.task is None and tester.answer, 60)
    assert t.gs_test.answer.startswith("✔ GeoServer 2.") and "accepte les identifiants" in t.gs_test.answer
    assert t.dg_test.answer.startswith("✔ data.gouv.fr répond"), t.dg_test.answer
    t.gs_auth.setConfigId(auth_config("gs-mauvais", "admin", "faux"))
    t.gs_test.answer = ""
    t.gs_test.button.click()
    wait(lambda: t.gs_test.task is None and t.gs_test.answer, 60)
    assert t.gs_test.answer.startswith("✘ Le serveur a refusé les identifiants : GeoServer a refusé"), t.gs_test.answer
    dlg.close()


def test_the_csw_catalogue_is_a_target_with_its_own_connection(
    plugin, qgis_processing, project, french, answer_yes, tmp_path
):
    """The publication's ISO 19139 record to a real pycsw (CSW-T), after "Tester la connexion" (GetCapabilities)."""
    import requests
    from qgis.core import QgsLayerMetadata
    from qgis_support import wait

    from tests.server.csw.process import start_pycsw, stop_pycsw

    proc, csw_url = start_pycsw(tmp_path / "pycsw", "--fix-apiso-case")
    try:
        src = tmp_path / "cevennes.json"
        shutil.copy(REPO / "examples/hiking/cevennes_itineraires.json", src)
        layer = QgsVectorLayer(str(src), "Itinéraires du Parc", "ogr")
        md = QgsLayerMetadata()
        md.setTitle("Itinéraires de randonnée du Parc national des Cévennes")
        md.setAbstract("Itinéraires balisés du Parc, saisis par le service SIG.")
        md.setKeywords({"gemet": ["randonnée", "sentier"]})
        md.setLicenses(["Licence Ouverte / Open Licence version 2.0"])
        layer.setMetadata(md)
        project.addMapLayer(layer)
        dlg = open_dialog("hiking", tmp_path)
        dlg.layer.setLayer(layer)
        wait_idle(dlg)
        tab = dlg.metadata
        dlg.tabs.setCurrentWidget(tab)
        tab.enabled.setChecked(True)
        tab.producer.setText("Parc national des Cévennes")
        tab.producer_email.setText("sig@exemple-cevennes.fr")
        dlg.run_check()
        wait_idle(dlg)
        assert dlg.checked_ok, dlg.status.text()
        t = dlg.targets
        t.csw.setChecked(True)
        t.csw_url.setText(csw_url)
        t.csw_test.button.click()
        wait(lambda: t.csw_test.task is None and t.csw_test.answer, 60)
        assert t.csw_test.answer == "✔ Le catalogue CSW répond (GetCapabilities).", t.csw_test.answer
        review = publish(dlg)
        assert any(line.startswith(f"Catalogue CSW {csw_url}") for line in review), review
        wait_idle(dlg)
        status = dlg.status.text()
        assert status.startswith("Publié : Itinéraires du Parc.") and "Catalogue CSW : fiche " in status, status
        found = requests.get(csw_url, params={"service": "CSW", "version": "2.0.2", "request": "GetRecords",
                                              "typeNames": "csw:Record", "resultType": "results",
                                              "elementSetName": "brief"}, timeout=30)  # fmt: skip
        assert "Itinéraires de randonnée du Parc national des Cévennes" in found.text
        dlg.close()
    finally:
        stop_pycsw(proc)


def test_a_report_row_selects_and_shows_its_features(plugin, qgis_processing, project, french, tmp_path):
    """Double-clicking a quality-report row selects the features it gives as examples (source order)."""
    csv = REPO / "tests/data/pei/pei_generated_occitanie.csv"
    layer = QgsVectorLayer(str(csv), "PEI (généré)", "ogr")
    project.addMapLayer(layer)
    dlg = open_dialog("pei", tmp_path)
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    dlg.run_check()
    wait_idle(dlg)
    rows = [i for i, issue in enumerate(dlg.model.rows) if issue.get("examples")]
    assert rows, [i["code"] for i in dlg.model.rows]
    issue = dlg.model.rows[rows[0]]
    index = dlg.model.index(rows[0], 0)
    dlg.table.doubleClicked.emit(index)  # what a double-click on the row sends
    features = list(layer.getFeatures())
    expected = sorted(features[n].id() for n in issue["examples"])
    assert sorted(layer.selectedFeatureIds()) == expected and expected
    selected = f"{len(expected)} objets sélectionnés" if len(expected) > 1 else "1 objet sélectionné"
    assert dlg.status.text() == f"{selected} dans PEI (généré).", dlg.status.text()
    dlg.close()


def test_servers_are_defined_once_and_chosen_per_publication(plugin, project, french, double, tmp_path):
    """A server saved from one publication (name, URL, workspace, auth configuration id) fills another one."""
    from qgis.core import QgsSettings

    from qgis_plugin.toolbelt.servers import delete_server, server_names

    url, password = double
    authcfg = auth_config("geoserver-region", "admin", password)
    first = open_dialog("water", tmp_path)
    t = first.targets
    t.gs.setChecked(True)
    t.gs_url.setText(url)
    t.gs_workspace.setText("occitanie")
    t.gs_auth.setConfigId(authcfg)
    t.gs_saved.setEditText("Région Occitanie")
    save_button = next(b for b in t.findChildren(type(t.gs_test.button)) if b.text() == "Enregistrer ce serveur")
    save_button.click()
    first.close()
    try:
        assert "Région Occitanie" in server_names("geoserver")
        stored = {k: QgsSettings().value(f"odl_geo/servers/geoserver/Région Occitanie/{k}") for k in
                  ("url", "workspace", "authcfg")}  # fmt: skip
        assert stored == {"url": url, "workspace": "occitanie", "authcfg": authcfg}  # an id, never the password
        second = open_dialog("hiking", tmp_path)
        s = second.targets
        assert s.gs_saved.findText("Région Occitanie") > 0
        s.gs_saved.setCurrentIndex(s.gs_saved.findText("Région Occitanie"))
        s.gs_saved.activated[str].emit("Région Occitanie")  # as a person's choice in the list
        assert (s.gs_url.text(), s.gs_workspace.text(), s.gs_auth.configId()) == (url, "occitanie", authcfg)
        second.close()
    finally:
        delete_server("geoserver", "Région Occitanie")
