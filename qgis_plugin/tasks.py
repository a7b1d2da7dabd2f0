"""Long odl-geo work as a QgsTask: progress in QGIS's task manager, cancel button, UI never blocked.

The task thread only waits on the worker process (see worker.py); widgets are touched only in ``finished``,
which QGIS calls on the main thread.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from qgis.core import Qgis, QgsFeedback, QgsMessageLog, QgsTask

from .worker import OdlGeoWorker

__all__ = ["WorkerTask"]

Done = Callable[[dict[str, Any] | None, Exception | None], None]


class WorkerTask(QgsTask):
    """Runs ``odl-geo ARGS`` in the worker; ``on_done(result, error)`` is called on the main thread."""

    def __init__(self, description: str, args: list[str], on_done: Done, worker: OdlGeoWorker | None = None) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.args, self.on_done, self.worker = args, on_done, worker or OdlGeoWorker()
        self.result: dict[str, Any] | None = None
        self.error: Exception | None = None
        self._feedback = QgsFeedback()
        self._feedback.progressChanged.connect(self.setProgress)
        self.before_errors: list[str] = []

    def after(self, tasks: list[QgsTask]) -> WorkerTask:
        """Run ``tasks`` first, one after the other (they write the file the worker reads), before this one.

        They are QGIS subtasks the worker depends on: cancelling this task cancels them, and a failed export ends
        this task with the export's own message instead of a worker reading a half-written file.
        """
        previous: list[QgsTask] = []
        for task in tasks:
            if hasattr(task, "errorOccurred"):  # QgsVectorFileWriterTask
                task.errorOccurred.connect(lambda _code, message: self.before_errors.append(message))
            self.addSubTask(task, previous, QgsTask.ParentDependsOnSubTask)
            previous = [task]
        return self

    def cancel(self) -> None:
        self._feedback.cancel()  # the worker loop sees it and terminates the process cleanly
        super().cancel()

    def run(self) -> bool:
        try:
            self.result = self.worker.run(self.args, self._feedback)
        except Exception as exc:  # noqa: BLE001 - reported to the main thread in finished()
            self.error = exc
            return False
        return True

    def finished(self, result: bool) -> None:
        # QGIS calls this from C++: an exception escaping it would abort QGIS, so it is logged instead
        if not result and self.error is None and self.before_errors:
            self.error = RuntimeError("; ".join(self.before_errors))
        try:
            self.on_done(self.result, self.error)
        except Exception:  # noqa: BLE001 - a bug in a callback must not take QGIS down
            QgsMessageLog.logMessage(traceback.format_exc(), "odl-geo", Qgis.Critical)
