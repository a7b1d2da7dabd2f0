"""Background work: the UI event loop keeps running during a real conversion, and cancel cleans up."""

from __future__ import annotations

import shutil
import time

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer, QTimer

from odl_geo.errors import CancelledError
from qgis_plugin.tasks import WorkerTask


def _big_input(shared_data, tmp_path):
    # 5,133 flood marks with 240-char padded text: several seconds to convert to every format
    src = tmp_path / "reperes.zip"
    shutil.copy(shared_data / "flood/ddtm34_reperes_crue/Exemple_Couche_Repere_Crue.zip", src)
    return src


def _wait(task: WorkerTask, done: list, timeout_s: float = 120.0) -> None:
    start = time.monotonic()
    while not done and time.monotonic() - start < timeout_s:
        QCoreApplication.processEvents()
        time.sleep(0.005)
    assert done, "task did not finish"


def test_ui_heartbeat_never_stalls_during_a_conversion(qgis_app, shared_data, tmp_path):
    src = _big_input(shared_data, tmp_path)
    done: list = []
    task = WorkerTask(
        "convert",
        ["convert", str(src), "--to", "gpkg,geojson,shp,csv,kml,fgb,parquet", "--out", str(tmp_path / "out")],
        lambda r, e: done.append((r, e)),
    )
    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()

    def beat() -> None:
        gaps.append(clock.restart())

    timer = QTimer()
    timer.timeout.connect(beat)
    timer.start(10)
    progress: list[float] = []
    task.progressChanged.connect(progress.append)
    QgsApplication.taskManager().addTask(task)
    _wait(task, done)
    timer.stop()
    result, error = done[0]
    assert error is None, error
    assert {f["format"] for f in result["files"]} == {"gpkg", "geojson", "shp", "csv", "kml", "fgb", "parquet"}
    assert len(gaps) > 20, "the conversion was too short to measure anything"
    assert max(gaps[1:]) < 100, f"UI stalled {max(gaps[1:])} ms"
    assert progress and max(progress) > 0


def test_cancel_stops_the_worker_and_leaves_no_output(qgis_app, shared_data, tmp_path):
    src = _big_input(shared_data, tmp_path)
    out = tmp_path / "out"
    done: list = []
    task = WorkerTask(
        "convert",
        ["convert", str(src), "--to", "gpkg,geojson,shp,csv,kml,fgb,parquet", "--out", str(out)],
        lambda r, e: done.append((r, e)),
    )
    QgsApplication.taskManager().addTask(task)
    start = time.monotonic()
    while task.status() != QgsTask.Running and time.monotonic() - start < 30:
        QCoreApplication.processEvents()
    time.sleep(1.0)  # let the worker start writing
    task.cancel()
    _wait(task, done)
    result, error = done[0]
    assert result is None and isinstance(error, CancelledError)
    assert not out.exists() or not list(out.iterdir()), list(out.iterdir())
