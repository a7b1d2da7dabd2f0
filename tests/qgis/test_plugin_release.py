"""Issue 12, the plugin as plugins.qgis.org and a new user see it: start-up does nothing slow, toolbar button,
settings page, help (link and every algorithm, French and English), LICENSE and the zip, the default output folder,
no GDAL wheel in QGIS's process with any algorithm's default parameters, no ResourceWarning, French in the logs."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback
from qgis_support import auth_config

from qgis_plugin import classFactory

REPO = Path(__file__).resolve().parents[2]
ALGORITHMS = (
    "inspect", "convert", "check", "publish_geoserver", "publish_postgis", "publish_datagouv", "publish_csw"
)  # fmt: skip
#: modules of the wheels that bundle their own GDAL/PROJ/GEOS (and what imports them)
GDAL_WHEELS = ("pyogrio", "fiona", "pyproj", "shapely", "geopandas")

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning")


@pytest.fixture
def unraisable(monkeypatch):
    """ResourceWarnings raised while an object is collected never reach pytest.raises: catch them here."""
    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}"))
    yield seen
    gc.collect()
    assert not [s for s in seen if "ResourceWarning" in s], seen


def test_start_up_runs_nothing_slow_and_adds_toolbar_settings_and_help(qgis_iface, monkeypatch):
    started: list[list[str]] = []
    real_popen = subprocess.Popen

    def popen(cmd, *a, **k):
        started.append(list(cmd))
        return real_popen(cmd, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", popen)
    qgis_iface.registerOptionsWidgetFactory.reset_mock()  # the fake iface is shared by every test of the session
    toolbar: list = []
    monkeypatch.setattr(qgis_iface, "addToolBarIcon", toolbar.append)
    opened: list = []
    from qgis.PyQt.QtGui import QDesktopServices

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()) or True)
    p = classFactory(qgis_iface)
    p.initGui()
    try:
        assert started == []  # no dependency check (no subprocess) while QGIS starts: it comes at first use
        assert QgsApplication.processingRegistry().providerById("odl_geo") is not None
        assert [a.text() for a in toolbar] == ["Publish as open data…"]
        qgis_iface.registerOptionsWidgetFactory.assert_called_once_with(p.options_factory)
        page = p.options_factory.createWidget(None)
        assert page.environment.python_label.text()  # the page names the Python odl-geo uses
        assert p.options_factory.title() == "odl-geo"
        p.open_help()
        assert opened == ["https://github.com/odl-geo/odl-geo/blob/main/docs/plugin.md"]
    finally:
        p.unload()
    assert qgis_iface.unregisterOptionsWidgetFactory.called
    assert QgsApplication.processingRegistry().providerById("odl_geo") is None


def test_every_algorithm_has_help_in_french_and_english(plugin):
    from qgis_plugin.processing.base import help_html

    provider = QgsApplication.processingRegistry().providerById("odl_geo")
    assert sorted(a.name() for a in provider.algorithms()) == sorted(ALGORITHMS)
    for alg in provider.algorithms():
        english, french = help_html(alg.name(), "en"), help_html(alg.name(), "fr")
        assert len(english) > 200 and len(french) > 200, alg.name()
        assert english != french and "<li>" in french and "**" not in french
        assert alg.shortHelpString() in (english, french)
        assert alg.helpUrl().endswith("/docs/plugin.md")
    assert "Essai à blanc" in help_html("publish_geoserver", "fr") or "essai à blanc" in help_html(
        "publish_geoserver", "fr"
    )


def test_license_contact_and_the_zip(tmp_path):
    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2")
    assert "Applicable Law" in text and "Compatible Licences" in text and len(text) > 13000
    meta = (REPO / "metadata.txt").read_text(encoding="utf-8")
    assert "example.org" not in meta and "tracker=https://github.com/odl-geo/odl-geo/issues" in meta
    res = subprocess.run(
        [sys.executable, str(REPO / "scripts/package_plugin.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    archive = next(tmp_path.glob("odl_geo_qgis-*.zip"))
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        assert zf.read("odl_geo_qgis/LICENSE").decode() == text
        lock = zf.read("odl_geo_qgis/requirements/lock.txt").decode()
        runtime = zf.read("odl_geo_qgis/requirements/runtime.txt").decode()
    assert "numpy==1.26.4" in lock and "numpy>=1.26,<2" in runtime and "frictionless>=5.18" in runtime
    assert {f"odl_geo_qgis/resources/help/{lang}/{a}.md" for lang in ("en", "fr") for a in ALGORITHMS} <= names


def test_default_output_folder_is_beside_the_project_or_in_documents(project, tmp_path):
    from qgis.core import QgsSettings

    from qgis_plugin.toolbelt.settings import SETTING_OUTPUT, default_output_folder

    QgsSettings().remove(SETTING_OUTPUT)
    unsaved = default_output_folder()
    assert unsaved.name == "odl-geo" and not str(unsaved).startswith("/tmp")
    project.setFileName(str(tmp_path / "commune" / "projet.qgz"))
    assert default_output_folder() == tmp_path / "commune" / "odl-geo"
    project.setFileName("")


def test_no_gdal_wheel_reaches_qgis_with_any_algorithm_default_parameters(
    plugin, qgis_processing, double, udata, shared_data, tmp_path, unraisable
):
    """Issue 12 #2: "Publier sur GeoServer" with the Style left empty imported pyogrio into QGIS (dry run or not)."""
    import processing

    csv = str(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json")
    out = tmp_path / "conv"
    url, password = double
    gs_auth = auth_config("gs-defaults", "admin", password)
    dg_auth = auth_config("dg-defaults", "X-API-KEY", udata["API_KEY"])
    required = {
        "inspect": {"INPUT": csv, "OUTPUT": str(tmp_path / "i.json")},
        "convert": {"INPUT": csv, "THEME": 1, "OUTPUT": str(out)},  # a theme output: the case of the empty Style
        "check": {"INPUT": csv, "OUTPUT": str(tmp_path / "rep")},
        "publish_geoserver": {"INPUT": str(out), "URL": url, "WORKSPACE": "defauts", "AUTHCFG": gs_auth},
        "publish_postgis": {"INPUT": str(out), "DSN": "postgresql://127.0.0.1:9/nothing"},
        "publish_csw": {"INPUT": str(out), "URL": "http://127.0.0.1:9/csw"},  # in the worker: nothing listens
        "publish_datagouv": {
            "INPUT": str(out), "URL": udata["BASE_URL"].removesuffix("/api/1"), "ORGANIZATION": udata["ORG_SLUG"],
            "AUTHCFG": dg_auth,
        },
    }  # fmt: skip
    assert not [m for m in GDAL_WHEELS if m in sys.modules], "imported before the test"
    outcomes = {}
    for name in ALGORITHMS:
        try:
            outcomes[name] = processing.run(f"odl_geo:{name}", required[name], feedback=QgsProcessingFeedback())
        except QgsProcessingException as exc:
            outcomes[name] = str(exc)
        loaded = [m for m in GDAL_WHEELS if m in sys.modules]
        assert not loaded, f"odl_geo:{name} imported {loaded} into QGIS's process"
    assert outcomes["publish_geoserver"]["CHANGED"] >= 3 and outcomes["publish_geoserver"]["VERIFIED"] == 1
    assert outcomes["publish_datagouv"]["PAGE"].startswith("http")
    assert "PostGIS" in outcomes["publish_postgis"]  # no server there: said, in the worker


def test_processing_log_and_report_rows_speak_french(plugin, qgis_processing, french, data_copy, tmp_path):
    """Issue 12 #9: "[error] CRS_MISSING: … has no .prj file" in the French Processing log."""
    import processing

    src = data_copy("encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp")
    feedback = QgsProcessingFeedback()
    processing.run("odl_geo:inspect", {"INPUT": str(src), "OUTPUT": str(tmp_path / "r.json")}, feedback=feedback)
    log = feedback.textLog()
    # the library's own French (message_fr), which names the file
    assert "[erreur] CRS_MISSING : Monuments_Historiques.shp n'a pas de système de coordonnées" in log, log
    from qgis_plugin.toolbelt.messages import issue_hint

    issue = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["layers"][0]["issues"][0]
    assert "EPSG:2154" in issue_hint(issue) and "SCR source" in issue_hint(issue)
