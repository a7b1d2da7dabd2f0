"""Make (or repair) odl-geo's private environment in a QgsTask: venv, pinned install, check by running the worker.

One progress for the whole setup (creating 0-15 %, installing 15-90 %, checking 90-100 %), a cancel that stops the
installer, and on success the checked interpreter remembered (so that QGIS start-up never checks anything).
"""

from __future__ import annotations

import subprocess
import traceback
from typing import TYPE_CHECKING

from qgis.core import Qgis, QgsMessageLog, QgsTask

from ..worker import OdlGeoWorker
from . import environment
from .environment import (
    EnvironmentError_,
    Interpreter,
    explain_venv_failure,
    find_base_python,
    install_commands,
    mark_verified,
    runtime_requirements,
    venv_python,
)
from .i18n import tr

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = ["SetupTask"]

#: about how many lines an installer prints for odl-geo's ~45 packages (the progress inside the install step)
EXPECTED_LINES = 60


class SetupTask(QgsTask):
    """``on_done(task)`` is called on the main thread; ``task.ok``, ``task.python``, ``task.base``, ``task.message``."""

    def __init__(self, on_done: Callable[[SetupTask], None] | None = None, folder: Path | None = None) -> None:
        super().__init__(tr("odl-geo: preparing its Python environment"), QgsTask.CanCancel)
        self.folder = folder or environment.env_dir()  # looked up at run time (a test gives a fresh profile)
        self.on_done = on_done
        self.base: Interpreter | None = None
        self.python = ""
        self.ok = False
        self.message = ""
        self.log: list[str] = []

    def run(self) -> bool:
        try:
            self.setProgress(1)
            self.base = find_base_python()
            self.folder.parent.mkdir(parents=True, exist_ok=True)
            requirements = self.folder.parent / "requirements.txt"
            requirements.write_text("\n".join(runtime_requirements()) + "\n", encoding="utf-8")
            create, install = install_commands(self.base, self.folder, requirements)
            code, out = self._run(create, 2, 15, 3)
            if code != 0:
                raise EnvironmentError_(explain_venv_failure(out, self.base))
            code, out = self._run(install, 15, 90, EXPECTED_LINES)
            if code != 0:
                raise EnvironmentError_(tr("The installation of the libraries failed: ") + out.strip()[-800:])
            self.python = str(venv_python(self.folder))
            ok, text = OdlGeoWorker(python=self.python).check_dependencies()
            if not ok:
                raise EnvironmentError_(tr("The libraries are installed but odl-geo does not start with them: ") + text)
            self.setProgress(100)
            self.ok = True
        except EnvironmentError_ as exc:
            self.message = str(exc)
        except Exception:  # noqa: BLE001 - reported in finished(), never raised into QGIS's task thread
            self.message = traceback.format_exc()
        return self.ok

    def _run(self, cmd: list[str], start: float, end: float, expected: int) -> tuple[int, str]:
        self.log.append("$ " + " ".join(cmd))
        lines: list[str] = []
        with subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace"
        ) as proc:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                self.setProgress(start + (end - start) * min(1.0, len(lines) / expected))
                if self.isCanceled():
                    proc.terminate()
                    proc.wait(30)
                    raise EnvironmentError_(tr("Cancelled."))
        self.log += lines
        self.setProgress(end)
        return proc.returncode, "".join(lines)

    def finished(self, result: bool) -> None:
        QgsMessageLog.logMessage("".join(self.log)[-20000:], "odl-geo", Qgis.Info if result else Qgis.Warning)
        if result:
            mark_verified(self.python)
        if self.on_done is not None:
            try:
                self.on_done(self)
            except Exception:  # noqa: BLE001 - a bug in a callback must not take QGIS down
                QgsMessageLog.logMessage(traceback.format_exc(), "odl-geo", Qgis.Critical)
