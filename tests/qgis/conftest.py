"""QGIS tests run headless under pytest-qgis (Debian QGIS 3.22); every test here is marked ``qgis``."""

from __future__ import annotations

import faulthandler
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

sys.path.append("/usr/share/qgis/python/plugins")  # Debian's Processing plugin


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/qgis/" in str(item.fspath):
            item.add_marker(pytest.mark.qgis)


#: wheels that carry their own GDAL/PROJ/GEOS: in the QGIS process they bind to QGIS's copies and crash QGIS
FORBIDDEN_IN_QGIS = ("pyogrio", "pyproj", "fiona", "shapely")


#: seconds after which a QGIS test is stopped from outside Python (more than pytest-timeout's 300 s)
HANG_SECONDS = 330


@pytest.fixture(autouse=True)
def _stop_a_hung_qgis():
    """Stop the process, every thread's stack printed, when a test hangs in Qt while holding the GIL.

    pytest-timeout's thread method needs the GIL to fire, so a deadlock of the main thread inside Qt (one seen:
    a progress bar's repaint waiting for a Qt lock that a task thread holds while it waits for the GIL) held CI
    until its 90-minute limit. faulthandler's watchdog is a C thread that needs no GIL.
    """
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True, file=sys.__stderr__)
    yield
    faulthandler.cancel_dump_traceback_later()


#: seconds a test's tasks get to end after it: an export or a worker call of a few seconds, never a stuck one
TASKS_END_SECONDS = 60


@pytest.fixture(autouse=True)
def _no_task_left_running():
    """Each test ends with QGIS's task manager idle; else its tasks are cancelled and the test fails, named.

    QGIS runs tasks on a pool of as many threads as cores (two here): tasks a test leaves running (a proposal, an
    export, a publication going on after its dialog closed) hold the threads the next test's tasks then wait for,
    and that test times out without a clue (a PostGIS dialog test did, rarely, in CI).
    """
    yield
    from qgis.core import QgsApplication
    from qgis_support import tasks_state, wait_tasks_ended

    if wait_tasks_ended(TASKS_END_SECONDS):
        return
    left = tasks_state()
    QgsApplication.taskManager().cancelAll()
    wait_tasks_ended(TASKS_END_SECONDS)
    pytest.fail(f"the test left QGIS tasks running {TASKS_END_SECONDS} s after it ended (cancelled): {left}")


@pytest.fixture(scope="session", autouse=True)
def _no_gdal_wheels_in_the_qgis_process():
    """The plugin must run odl-geo's GDAL work in its worker process, never import those wheels into QGIS."""
    yield
    loaded = [m for m in FORBIDDEN_IN_QGIS if m in sys.modules]
    assert not loaded, f"imported into the QGIS process: {loaded} (use the worker, see qgis_plugin/worker.py)"


@pytest.fixture(scope="session")
def odl_geo_cli():
    """Run the odl-geo command line in a separate process (as the plugin's worker does); returns the JSON result."""
    import json
    import subprocess

    def run(*args: str) -> dict:
        res = subprocess.run(
            [sys.executable, "-m", "odl_geo.cli.main", *args, "--json"], capture_output=True, text=True, check=False
        )
        assert res.returncode == 0, res.stderr + res.stdout
        return json.loads(res.stdout)

    return run


@pytest.fixture
def plugin(qgis_iface):
    """The plugin loaded as QGIS loads it (initGui), unloaded after the test."""
    from qgis_plugin import classFactory

    p = classFactory(qgis_iface)
    p.initGui()
    yield p
    p.unload()


@pytest.fixture(scope="session")
def double(tmp_path_factory):
    """The GeoServer REST test double in its own process (WMS/WFS by QGIS Server): (url, admin password)."""
    from tests.server.geoserver_double.process import start_double_process, stop_double_process

    password = f"pw-{secrets.token_hex(6)}"
    proc, url = start_double_process(tmp_path_factory.mktemp("double"), password)
    yield url, password
    stop_double_process(proc)


@pytest.fixture(scope="session")
def udata(tmp_path_factory):
    python = REPO / ".venv-udata" / "bin" / "python"
    assert python.exists(), "run scripts/setup_udata.sh (make test does)"
    work = tmp_path_factory.mktemp("udata")
    err = (work / "err.log").open("w")
    proc = subprocess.Popen(
        [
            str(python),
            str(REPO / "tests/server/datagouv/udata_server.py"),
            "--port",
            "0",
            "--print-token",
            "--data-dir",
            str(work / "data"),
        ],
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        cwd=work,
    )
    info = {}
    for line in proc.stdout:
        if line.startswith("READY"):
            break
        key, _, value = line.strip().partition("=")
        info[key] = value
    assert "API_KEY" in info, (work / "err.log").read_text()[-2000:]
    yield info
    proc.terminate()
    proc.wait(10)
    proc.stdout.close()  # closed here, not by the garbage collector: the plugin's tests fail on ResourceWarning
    err.close()


@pytest.fixture
def french(tmp_path):
    """The plugin's French translation, compiled from the .ts and installed as QGIS installs it for a French user."""
    from qgis.PyQt.QtCore import QCoreApplication, QTranslator

    qm = tmp_path / "odl_geo_fr.qm"
    subprocess.run(
        ["lrelease", "-silent", str(REPO / "qgis_plugin/resources/i18n/odl_geo_fr.ts"), "-qm", str(qm)], check=True
    )
    translator = QTranslator()
    assert translator.load(str(qm))
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


@pytest.fixture
def project(qgis_new_project):
    """A new, empty QGIS project; its layers are removed after the test (before QGIS exits)."""
    from qgis.core import QgsProject

    yield QgsProject.instance()
    QgsProject.instance().removeAllMapLayers()


@pytest.fixture
def answer_yes(monkeypatch):
    """The "the report has warnings, publish anyway?" question, answered Yes (and counted)."""
    from qgis.PyQt.QtWidgets import QMessageBox

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.Yes)
    return asked
