"""Issue 12 #1: a fresh QGIS profile, whose Python has none of odl-geo's libraries (Debian's python3, PEP 668), goes
to a published layer without touching a setting: the first use checks (in a task), offers to install, makes the
plugin's own venv in the profile with the pinned lock (uv, from its cache or PyPI), checks it by running the worker,
then the publish dialog opens and publishes to the GeoServer double. Screenshots of the settings page and of the
review step are refreshed with ODL_UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProject, QgsSettings, QgsVectorLayer
from qgis.PyQt.QtCore import QCoreApplication
from qgis_support import auth_config, publish, set_constant, wait, wait_idle

from qgis_plugin import classFactory

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


def _shot(widget, name: str, tmp_path: Path, size: tuple[int, int] = (900, 560)) -> Path:
    folder = REPO / "docs" / "img" if os.environ.get("ODL_UPDATE_SCREENSHOTS") else tmp_path
    widget.resize(*size)
    widget.show()
    QCoreApplication.processEvents()
    path = folder / name
    assert widget.grab().save(str(path))
    return path


@pytest.fixture
def fresh_profile(tmp_path, monkeypatch):
    """A profile folder with no odl-geo environment and no odl-geo setting; QGIS's Python is Debian's."""
    from qgis_plugin.toolbelt import environment

    folder = tmp_path / "profile" / "odl_geo" / "venv"
    monkeypatch.setattr(environment, "env_dir", lambda: folder)
    keys = (environment.SETTING_PYTHON, environment.SETTING_VERIFIED, environment.SETTING_BASE)
    for key in keys:
        QgsSettings().remove(key)
    monkeypatch.setenv("ODL_GEO_PYTHON", "/usr/bin/python3")  # what QGIS desktop finds on Debian 12
    real = Path(QgsApplication.qgisSettingsDirPath()) / "odl_geo" / "venv"
    yield folder
    assert not real.exists(), "the test's environment must stay in its own profile folder"
    for key in keys:
        QgsSettings().remove(key)


def test_a_fresh_profile_goes_from_no_libraries_to_a_published_layer(
    qgis_iface, qgis_processing, project, french, double, fresh_profile, shared_data, tmp_path
):
    from qgis_plugin.worker import worker_python

    assert worker_python() == "/usr/bin/python3"
    src = shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson"
    layer = QgsVectorLayer(str(src), "Bornes fontaines", "ogr")
    assert layer.isValid()
    project.addMapLayer(layer)
    plugin = classFactory(qgis_iface)
    plugin.initGui()
    try:
        plugin.open_publish_dialog()  # first use: the check runs now, in a task
        wait(lambda: plugin.setup_dialog is not None, 120)
        setup = plugin.setup_dialog
        assert plugin.dialog is None  # nothing opened on a Python that cannot run odl-geo
        assert "/usr/bin/python3" in setup.intro.text()  # the Python it checked, named
        assert "geopandas" in setup.details.text() or "pyogrio" in setup.details.text()
        env = setup.environment
        progress: list[int] = []
        env.progress.valueChanged.connect(progress.append)
        env.btn_install.click()  # the only click: odl-geo makes its own environment
        wait(lambda: plugin.dialog is not None or (env.task is None and env.btn_install.isEnabled()), 900)
        assert plugin.dialog is not None, env.status.text()
        python = fresh_profile / "bin" / "python"
        assert python.is_file() and worker_python() == str(python)
        assert "Prêt" in env.status.text() and str(python) in env.status.text()  # says which Python it checked
        assert progress and max(progress) == 100 and len(set(progress)) >= 4  # the bar moved through the steps
        versions = subprocess.run(
            [str(python), "-c", "import numpy, pandas, geopandas; print(numpy.__version__, pandas.__version__)"],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        lock = (REPO / "requirements/lock.txt").read_text(encoding="utf-8")
        assert f"numpy=={versions[0]}" in lock and f"pandas=={versions[1]}" in lock and versions[0].startswith("1.")

        from qgis_plugin.gui.wdg_settings import SettingsPage

        page = SettingsPage()
        assert page.environment.python_label.text() == str(python)
        page.environment.status.setText(env.status.text())
        _shot(page, "plugin_settings_fr.png", tmp_path, (900, 520))
        page.deleteLater()

        dlg = plugin.dialog  # the publication, with the private environment's worker
        dlg.out_dir.setFilePath(str(tmp_path / "out"))
        dlg.theme.setCurrentIndex(dlg.theme.findData("water"))
        dlg.layer.setLayer(layer)
        wait_idle(dlg)
        set_constant(dlg, "type_point", "borne_fontaine")
        dlg.run_check()
        wait_idle(dlg)
        assert dlg.checked_ok, dlg.status.text()
        url, password = double
        t = dlg.targets
        t.gs.setChecked(True)
        t.gs_url.setText(url)
        t.gs_workspace.setText("premier")
        t.gs_auth.setConfigId(auth_config("geoserver-premier", "admin", password))
        dlg.run_publish()
        _shot(dlg.review, "plugin_review_fr.png", tmp_path, (760, 300))
        dlg.review.reject()  # cancelled at the review: nothing started
        assert dlg._running is None and not (tmp_path / "out" / "publication" / "manifest.json").exists()
        publish(dlg)
        wait_idle(dlg)
        assert dlg.status.text().startswith("Publié : Bornes fontaines."), (dlg.status.text(), dlg.messages)
        assert "1 couche vérifiée en WMS/WFS" in dlg.status.text()
        dlg.close()
    finally:
        plugin.unload()
        QgsProject.instance().removeAllMapLayers()


def test_python3_venv_missing_is_said_with_the_apt_command(french):
    """What Debian 12's python3 prints without python3-venv, as the person reads it (French)."""
    from qgis_plugin.toolbelt.environment import Interpreter, explain_venv_failure

    debian = (
        "The virtual environment was not successfully created because ensurepip is not\navailable.  On Debian/Ubuntu"
        " systems, you need to install the python3-venv\npackage using the following command.\n\n"
        "    apt install python3.11-venv\n"
    )
    text = explain_venv_failure(debian, Interpreter("/usr/bin/python3", "3.11.2"))
    assert text.startswith("/usr/bin/python3 ne peut pas créer d'environnement virtuel : le paquet python3-venv manque")
    assert text.endswith(": sudo apt install python3.11-venv")
