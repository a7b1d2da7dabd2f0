"""The publish dialog on a real layer: check, then convert and publish to GeoServer (the test double), in tasks."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer, QTimer, QTranslator
from qgis.PyQt.QtGui import QImage

from qgis_plugin.gui.dlg_publish import DlgPublish

REPO = Path(__file__).resolve().parents[2]
MAPPING = '[constants]\ntype_point = "borne_fontaine"\ninsee = "34172"\ncommune = "Montpellier"\n'


def _wait_idle(dlg: DlgPublish, timeout_s: float = 120) -> None:
    start = time.monotonic()
    while (dlg._running is not None or dlg._queue) and time.monotonic() - start < timeout_s:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    assert dlg._running is None, "the dialog's task did not finish"


@pytest.fixture
def fountains(qgis_new_project, shared_data, tmp_path):
    src = tmp_path / "VilleMTP_MTP_Fontaines.geojson"
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson", src)
    layer = QgsVectorLayer(str(src), "Bornes fontaines", "ogr")
    assert layer.isValid()
    QgsProject.instance().addMapLayer(layer)
    yield layer
    QgsProject.instance().removeAllMapLayers()


@pytest.fixture
def french(tmp_path):
    qm = tmp_path / "odl_geo_fr.qm"
    subprocess.run(
        ["lrelease", "-silent", str(REPO / "qgis_plugin/resources/i18n/odl_geo_fr.ts"), "-qm", str(qm)], check=True
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def test_check_then_publish_to_geoserver(plugin, qgis_processing, fountains, french, tmp_path):
    password = f"pw-{secrets.token_hex(6)}"
    env = {**os.environ, "GEOSERVER_DOUBLE_PASSWORD": password, "QT_QPA_PLATFORM": "offscreen"}
    double = subprocess.Popen(
        [sys.executable, "-m", "tests.server.geoserver_double", "--port", "0", "--data-dir", str(tmp_path / "gs")],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        url = re.match(r"LISTENING (\S+)", double.stdout.readline()).group(1)
        am = QgsApplication.authManager()
        if not am.masterPasswordIsSet():
            assert am.setMasterPassword("test-master-password", True)
        cfg = QgsAuthMethodConfig("Basic")
        cfg.setName("geoserver")
        cfg.setConfig("username", "admin")
        cfg.setConfig("password", password)
        ok, cfg = am.storeAuthenticationConfig(cfg)
        assert ok

        dlg = DlgPublish()
        dlg.layer.setLayer(fountains)
        dlg.theme.setCurrentIndex(dlg.theme.findData("water"))
        dlg.out_dir.setFilePath(str(tmp_path / "out"))
        dlg.run_check()
        _wait_idle(dlg)
        assert dlg.model.rowCount() > 0 and not dlg.checked_ok  # without a mapping: type_point is missing
        assert any(i["code"] == "REQUIRED_FIELD_MISSING" for i in dlg.model.issues)
        assert "Erreurs" in dlg.status.text()  # the French translation is live
        shown = [dlg.model.data(dlg.model.index(r, 4)) for r in range(dlg.model.rowCount())]
        french = [i["message_fr"] for i in dlg.model.issues if i.get("message_fr")]
        assert french and set(french) <= set(shown)  # the report speaks the interface's language

        mapping = tmp_path / "fontaines.toml"
        mapping.write_text(MAPPING, encoding="utf-8")
        dlg.mapping.setFilePath(str(mapping))
        dlg.run_check()
        _wait_idle(dlg)
        assert dlg.checked_ok and dlg.btn_publish.isEnabled(), dlg.status.text()

        dlg.gs_enabled.setChecked(True)
        dlg.gs_url.setText(url)
        dlg.gs_workspace.setText("eau")
        dlg.gs_auth.setConfigId(cfg.id())
        dlg.resize(1000, 900)
        dlg.show()
        QCoreApplication.processEvents()
        # the user guide's screenshot is refreshed on request only, so that a test run leaves the tree clean
        docs = REPO / "docs" / "img" if os.environ.get("ODL_UPDATE_SCREENSHOTS") else tmp_path
        assert dlg.grab().save(str(docs / "plugin_publish_fr.png"))
        assert QImage(str(docs / "plugin_publish_fr.png")).width() >= 1000
        gaps: list[int] = []
        clock = QElapsedTimer()
        clock.start()
        heartbeat = QTimer()
        heartbeat.timeout.connect(lambda: gaps.append(clock.restart()))
        heartbeat.start(10)
        dlg.run_publish()
        _wait_idle(dlg)
        heartbeat.stop()
        assert dlg.status.text().endswith("publish_geoserver"), dlg.messages
        # the UI kept running through the whole publish (conversion, upload, OGC verification)
        assert len(gaps) > 20 and max(gaps[1:]) < 100, (len(gaps), max(gaps[1:]))
        assert (tmp_path / "out" / "publication" / "manifest.json").exists()
        manifest = json.loads((tmp_path / "out" / "publication" / "manifest.json").read_text(encoding="utf-8"))
        table = next(f["layer"] for f in manifest["files"] if f["format"] == "gpkg" and f.get("geometry_type"))
        wfs = QgsVectorLayer(f"url='{url}/eau/wfs' typename='{table}' version='1.1.0'", "wfs", "WFS")
        assert wfs.isValid() and wfs.featureCount() == 48  # published, read back through QGIS's WFS client
        del wfs
        assert project_values(dlg) == {"theme": "water", "geoserver_authcfg": cfg.id()}
        dlg.close()
    finally:
        double.terminate()
        double.wait(10)


def project_values(dlg: DlgPublish) -> dict[str, str]:
    values = {k: dlg.settings.read(k) for k in ("theme", "geoserver_authcfg")}
    assert "password" not in QgsProject.instance().readEntry("odl_geo", "geoserver_authcfg")[0]
    return values
