"""Helpers of the QGIS tests (importable from test modules; fixtures live in conftest.py)."""

from __future__ import annotations

import faulthandler
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsTask
from qgis.PyQt.QtCore import QCoreApplication, QElapsedTimer, QThreadPool, QTimer

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from qgis_plugin.gui.dlg_publish import DlgPublish
    from qgis_plugin.gui.mdl_mapping import FieldsModel

__all__ = [
    "auth_config", "heartbeat", "open_dialog", "row", "set_constant", "tasks_state", "wait", "wait_idle",
    "wait_tasks_ended",
]  # fmt: skip


def auth_config(name: str, user: str, password: str) -> str:
    am = QgsApplication.authManager()
    if not am.masterPasswordIsSet():
        assert am.setMasterPassword("test-master-password", True)
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName(name)
    cfg.setConfig("username", user)
    cfg.setConfig("password", password)
    ok, cfg = am.storeAuthenticationConfig(cfg)
    assert ok
    return cfg.id()


def wait(condition, timeout_s: float = 120, what: Callable[[], str] = lambda: "") -> None:
    start = time.monotonic()
    while not condition() and time.monotonic() - start < timeout_s:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    if not condition():
        faulthandler.dump_traceback(file=sys.__stderr__, all_threads=True)  # where each Python thread is
        raise AssertionError("timed out; " + what() + tasks_state())


def wait_tasks_ended(timeout_s: float) -> bool:
    """True once QGIS's task manager has no task left (queued, running or finishing), within ``timeout_s``."""
    start = time.monotonic()
    manager = QgsApplication.taskManager()
    while manager.count() and time.monotonic() - start < timeout_s:
        QCoreApplication.processEvents()
        time.sleep(0.01)
    return not manager.count()


def tasks_state() -> str:
    """What QGIS's task manager still holds: a timeout says which task was stuck instead of only that something
    was."""
    statuses = {QgsTask.Queued: "queued", QgsTask.OnHold: "on hold", QgsTask.Running: "running",
                QgsTask.Complete: "complete", QgsTask.Terminated: "terminated"}  # fmt: skip
    manager = QgsApplication.taskManager()
    listed = list(manager.tasks())
    listed += [t for t in manager.activeTasks() if t not in listed]  # subtasks too (a layer's export)
    described = [f"{t.description()!r} {statuses.get(t.status(), t.status())} {t.progress():.0f}%" for t in listed]
    pool = QThreadPool.globalInstance()  # QGIS's tasks and map renders share it
    threads = f" (thread pool: {pool.activeThreadCount()} of {pool.maxThreadCount()} threads busy)"
    return "tasks: " + ("; ".join(described) or "none") + threads


def wait_idle(dlg: DlgPublish) -> None:
    wait(
        lambda: dlg._running is None and not dlg._queue and not dlg.mapping.busy,
        what=lambda: f"running {dlg._running!r}, queued {dlg._queue!r}, mapping busy {dlg.mapping.busy}; ",
    )


@contextmanager
def heartbeat():
    """Gaps (ms) between the ticks of a 10 ms QTimer: the UI never stalls while tasks run."""
    gaps: list[int] = []
    clock = QElapsedTimer()
    clock.start()
    timer = QTimer()
    timer.timeout.connect(lambda: gaps.append(clock.restart()))
    timer.start(10)
    try:
        yield gaps
    finally:
        timer.stop()


def row(model: FieldsModel, name: str) -> int:
    return next(i for i, r in enumerate(model.rows) if r["name"] == name)


def set_constant(dlg: DlgPublish, field: str, value: str) -> None:
    from qgis_plugin.gui.mdl_mapping import FieldsModel

    m = dlg.mapping.fields
    assert m.setData(m.index(row(m, field), FieldsModel.CONSTANT), value)


def open_dialog(theme: str, tmp_path: Path) -> DlgPublish:
    """The publish dialog on ``theme``, writing under ``tmp_path/out``."""
    from qgis_plugin.gui.dlg_publish import DlgPublish

    dlg = DlgPublish()
    dlg.theme.setCurrentIndex(dlg.theme.findData(theme))
    dlg.out_dir.setFilePath(str(tmp_path / "out"))
    return dlg


def publish(dlg: DlgPublish, dry_run: bool = False) -> list[str]:
    """Publish as a person does: *Publier*, read the review, confirm it (or a dry run); returns the review's lines."""
    dlg.run_publish()
    review = getattr(dlg, "review", None)
    if review is None or not review.isVisible():
        print("no review:", dlg.status.text())  # shown with the failing assertion's output
        return []  # refused before the review (warnings not confirmed, metadata incomplete...): nothing started
    review.dry_run.setChecked(dry_run)
    items = list(review.items)
    review.accept()
    dlg.review = None
    return items
