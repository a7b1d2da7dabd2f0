"""Run odl-geo's reading/checking/converting in a worker process, never inside QGIS.

Why: the QGIS executable puts its own GDAL and PROJ in the global symbol scope. The pyogrio and pyproj wheels
then bind to them (calls go to GDAL 3.6 instead of their own 3.12) and free memory with the wrong allocator:
QGIS aborts at exit ("free(): invalid size"). So the plugin keeps in-process only pure-Python code (the HTTP
seam, publishers) and runs ``python -m odl_geo.cli.main ... --json --progress-json`` for the rest. Progress
comes back as JSON lines on stderr; cancelling terminates the worker, which cleans up (no partial output).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from qgis.core import QgsFeedback, QgsProcessingFeedback, QgsSettings

from odl_geo import errors as odl_errors
from odl_geo.errors import CancelledError, OdlGeoError, RemoteError
from odl_geo.feedback import progress_text

from .__about__ import DIR_PLUGIN_ROOT
from .toolbelt.i18n import count_language

__all__ = ["OdlGeoWorker", "worker_python"]

def worker_python() -> str:
    """The interpreter that runs odl-geo, in this order: the one chosen in the settings page; the plugin's private
    environment (``<profile>/odl_geo/venv``, see toolbelt/environment.py); ``ODL_GEO_PYTHON``; QGIS's Python when
    it is one; ``python3``."""
    from .toolbelt.environment import SETTING_PYTHON, venv_python

    configured = str(QgsSettings().value(SETTING_PYTHON, "") or "")
    if configured:
        return configured
    private = venv_python()
    if private.is_file():
        return str(private)
    if os.environ.get("ODL_GEO_PYTHON"):
        return os.environ["ODL_GEO_PYTHON"]
    if Path(sys.executable).name.startswith("python"):
        return sys.executable
    return shutil.which("python3") or "python3"


def error_from_payload(payload: dict[str, Any], details: str = "") -> OdlGeoError:
    """The CLI's ``--json`` error back as the odl_geo exception it was (AuthError, NetworkError...), so that the
    plugin says *what kind* of failure it is in the person's language, without parsing the English text; its
    French (``message_fr``, ``hint_fr``) comes along, whatever the language the command line printed."""
    cls = getattr(odl_errors, str(payload.get("error", "")), OdlGeoError)
    if not (isinstance(cls, type) and issubclass(cls, OdlGeoError)):
        cls = OdlGeoError
    message, hint = str(payload["message"]), str(payload.get("hint", ""))
    french = {"message_fr": str(payload.get("message_fr") or ""), "hint_fr": str(payload.get("hint_fr") or "")}
    if issubclass(cls, RemoteError):
        status = str(payload.get("status", ""))
        return cls(message, hint, details, status=int(status) if status.isdigit() else None, **french)
    return cls(message, hint, details, **french)


class OdlGeoWorker:
    """One odl-geo CLI call in a subprocess. ``run`` returns the parsed ``--json`` result or raises OdlGeoError."""

    def __init__(self, python: str | None = None, timeout_s: float = 6 * 3600) -> None:
        self.python = python or worker_python()
        self.timeout_s = timeout_s
        self.extra_env: dict[str, str] = {}  # secrets for the worker go here, never on its command line

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        vendor = DIR_PLUGIN_ROOT / "vendor"
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        if vendor.is_dir():
            paths.append(str(vendor))  # after the user's paths: an installed odl_geo wins
        elif (DIR_PLUGIN_ROOT.parent / "odl_geo" / "__init__.py").is_file():
            paths.append(str(DIR_PLUGIN_ROOT.parent))  # a development checkout: the repository's odl_geo
        env["PYTHONPATH"] = os.pathsep.join(paths)
        env.pop("QT_PLUGIN_PATH", None)
        env["PYTHONIOENCODING"] = "utf-8"
        env.update(self.extra_env)
        return env

    def run(self, args: list[str], feedback: QgsFeedback | None = None) -> dict[str, Any]:
        cmd = [self.python, "-m", "odl_geo.cli.main", *args, "--json", "--progress-json"]
        # ``with``: the pipes are closed and the process waited for on every path (no ResourceWarning, issue 12)
        with subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env(),
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as proc:
            out: list[str] = []
            tail: list[str] = []
            readers = [
                threading.Thread(target=lambda: out.append(proc.stdout.read() if proc.stdout else ""), daemon=True),
                threading.Thread(target=self._read_progress, args=(proc, feedback, tail), daemon=True),
            ]
            for t in readers:
                t.start()
            deadline = time.monotonic() + self.timeout_s
            while proc.poll() is None:
                if feedback is not None and feedback.isCanceled():
                    self._stop(proc)
                    for t in readers:
                        t.join(10)
                    raise CancelledError("odl-geo was cancelled.", "Nothing was written.")
                if time.monotonic() > deadline:
                    self._stop(proc)
                    for t in readers:
                        t.join(10)
                    raise OdlGeoError("odl-geo took too long and was stopped.",
                                      "Try a smaller layer or raise the limit.")  # fmt: skip
                time.sleep(0.05)
            for t in readers:
                t.join(10)
        return self._result(proc.returncode, "".join(out), tail)

    @staticmethod
    def _read_progress(proc: subprocess.Popen[str], feedback: QgsFeedback | None, tail: list[str]) -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            try:
                msg = json.loads(line)
            except ValueError:
                tail.append(line.rstrip())
                del tail[:-20]
                continue
            if feedback is None or not isinstance(msg, dict):
                continue
            if "progress" in msg:
                feedback.setProgress(float(msg["progress"]))
            if isinstance(feedback, QgsProcessingFeedback):
                if msg.get("info"):  # the step's line in the interface's language (« Lecture de sentiers.shp »)
                    feedback.pushInfo(progress_text(str(msg["info"]), count_language()))
                if msg.get("warning"):
                    feedback.pushInfo(str(msg["warning"]))

    @staticmethod
    def _stop(proc: subprocess.Popen[str]) -> None:
        proc.terminate()  # the CLI turns SIGTERM into a clean stop (staging removed)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def _result(self, code: int, stdout: str, tail: list[str]) -> dict[str, Any]:
        try:
            payload = json.loads(stdout) if stdout.strip() else {}
        except ValueError:
            payload = {}
        if code == 0 and isinstance(payload, dict):
            return payload
        if isinstance(payload, dict) and payload.get("message"):
            raise error_from_payload(payload, "\n".join(tail))
        raise OdlGeoError(
            f"odl-geo failed (exit code {code}) with {self.python}.",
            "Check the plugin's Python interpreter setting and the log panel.",
            "\n".join(tail),
        )

    def check_dependencies(self) -> tuple[bool, str]:
        """(ok, text): whether odl_geo and its libraries import, in versions that work, in the worker interpreter."""
        from .toolbelt.dependencies import REQUIRED

        code = (
            "import importlib, json, sys\n"
            "from importlib.metadata import version, PackageNotFoundError\n"
            "bad = {}\n"
            "for mod, req in json.loads(sys.argv[1]).items():\n"
            "    try:\n"
            "        importlib.import_module(mod)\n"
            "    except Exception as e:\n"
            "        bad[mod] = f'{type(e).__name__}: {e}'; continue\n"
            "    try:\n"
            "        from packaging.requirements import Requirement\n"
            "        r = Requirement(req)\n"
            "        if r.specifier and not r.specifier.contains(version(r.name), prereleases=True):\n"
            "            bad[mod] = f'version {version(r.name)} does not satisfy {req}'\n"
            "    except (ImportError, PackageNotFoundError):\n"
            "        pass\n"
            "print(json.dumps(bad))"
        )
        try:
            res = subprocess.run(
                [self.python, "-c", code, json.dumps(REQUIRED)],
                capture_output=True,
                text=True,
                env=self.env(),
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"{self.python}: {exc}"
        try:
            bad = json.loads(res.stdout.strip().splitlines()[-1]) if res.stdout.strip() else {"python": res.stderr}
        except ValueError:
            bad = {"python": res.stderr[-500:]}
        return not bad, "\n".join(f"{k}: {v}" for k, v in bad.items())
