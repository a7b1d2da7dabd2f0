"""Run QGIS Server's development server (``qgis_mapserver``, Debian ``qgis-server``) as a subprocess.

A subprocess, not an in-process ``QgsServer``: odl_geo never imports QGIS, a crash of the server cannot take
the caller down, and stopping it frees everything. It listens on 127.0.0.1 by default; with port 0 the
system picks a free port and the server's own "listening on" line says which, so two servers never race
for a port. Its output is drained by a thread (a full pipe would block it) and kept for error messages.
"""

from __future__ import annotations

import collections
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Self

from ..errors import OdlGeoError, RemoteError, SourceNotFoundError

if TYPE_CHECKING:
    from types import TracebackType

    from .front import Front
    from .project import ProjectBuild

__all__ = ["QgisServer", "find_mapserver"]

_LISTENING = re.compile(r"listening on (http://\S+)", re.IGNORECASE)


def find_mapserver(executable: str | None = None) -> str:
    """The ``qgis_mapserver`` binary.

    :raises OdlGeoError: it is not installed.
    """
    found = shutil.which(executable or os.environ.get("ODL_QGIS_MAPSERVER", "qgis_mapserver"))
    if not found:
        raise OdlGeoError(
            "QGIS Server (qgis_mapserver) is not installed.",
            "Install the Debian package qgis-server (scripts/setup.sh does), or publish to GeoServer instead.",
            message_fr="QGIS Server (qgis_mapserver) n'est pas installé.",
            hint_fr="Installez le paquet Debian qgis-server (scripts/setup.sh le fait), ou publiez plutôt sur "
            "GeoServer.",
        )
    return found


class QgisServer:
    """One ``qgis_mapserver`` serving one project; use as a context manager, or ``start()``/``stop()``.

    :param port: 0 lets the system choose a free port (read back from the server's output).
    :param startup_timeout: seconds to wait for the server to listen before giving up.
    """

    def __init__(
        self,
        project: str | Path,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        executable: str | None = None,
        startup_timeout: float = 30.0,
        log_level: int = 1,
    ) -> None:
        self.project = Path(project).resolve()
        self.host, self.port = host, port
        self.executable = executable
        self.startup_timeout = startup_timeout
        self.log_level = log_level
        self.base_url = ""
        self.start_seconds = 0.0
        self._proc: subprocess.Popen[str] | None = None
        self._lines: collections.deque[str] = collections.deque(maxlen=200)
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None
        self._home: str | None = None
        self.build: ProjectBuild | None = None  # set by open_server when it wrote the project
        self.front: Front | None = None  # set by run_server(front=True): the CORS front before this server

    # -- URLs ----------------------------------------------------------------------------------------------
    @property
    def ows_url(self) -> str:
        """The OWS endpoint: WMS and WFS (``?SERVICE=WMS&REQUEST=GetCapabilities``)."""
        return f"{self.base_url}/ows/"

    @property
    def wms_url(self) -> str:
        return f"{self.ows_url}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"

    @property
    def wfs_url(self) -> str:
        return f"{self.ows_url}?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetCapabilities"

    @property
    def log(self) -> str:
        return "".join(self._lines)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle -----------------------------------------------------------------------------------------
    def start(self) -> Self:
        """Start the server and wait until it listens.

        :raises SourceNotFoundError: the project file does not exist.
        :raises RemoteError: the server exited or did not listen in time (its output is in ``details``).
        """
        if not self.project.is_file():
            raise SourceNotFoundError(
                f"The QGIS project {self.project} does not exist.",
                "Give a .qgs or a folder.",
                message_fr=f"Le projet QGIS {self.project} est introuvable.",
                hint_fr="Indiquez un fichier .qgs ou un dossier.",
            )
        exe = find_mapserver(self.executable)
        self._home = tempfile.mkdtemp(prefix="odl-qgis-server-")
        env = dict(os.environ)
        env.update(
            QT_QPA_PLATFORM="offscreen",
            QGIS_SERVER_LOG_STDERR="1",
            QGIS_SERVER_LOG_LEVEL=str(self.log_level),
            QGIS_OPTIONS_PATH=self._home,  # QGIS settings and caches go to a throwaway folder
            QGIS_CUSTOM_CONFIG_PATH=self._home,
            XDG_RUNTIME_DIR=self._home,
        )
        started = time.perf_counter()
        self._proc = subprocess.Popen(
            [exe, "-l", str(self.log_level), "-p", str(self.project), f"{self.host}:{self.port}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=env,
            start_new_session=True,  # Ctrl-C reaches odl-geo only, which then stops the server cleanly
        )
        self._reader = threading.Thread(target=self._drain, name="qgis_mapserver-output", daemon=True)
        self._reader.start()
        deadline = started + self.startup_timeout
        while not self._ready.wait(0.05):
            if self._proc.poll() is not None or time.perf_counter() > deadline:
                code = self._proc.poll()
                self.stop()
                why = (
                    f"exited with code {code}"
                    if code is not None
                    else f"did not listen within {self.startup_timeout:.0f} s"
                )
                why_fr = (
                    f"s'est arrêté avec le code {code}"
                    if code is not None
                    else f"n'écoutait toujours pas au bout de {self.startup_timeout:.0f} s"
                )
                raise RemoteError(
                    f"QGIS Server {why} ({self.host}:{self.port}, {self.project.name}).",
                    "Check that the port is free and the project readable; the server's output is in the details.",
                    details=self.log[-4000:],
                    message_fr=f"QGIS Server {why_fr} ({self.host}:{self.port}, {self.project.name}).",
                    hint_fr="Vérifiez que le port est libre et le projet lisible ; la sortie du serveur est dans "
                    "les détails.",
                )
        self.start_seconds = time.perf_counter() - started
        return self

    def _drain(self) -> None:
        proc = self._proc
        if proc is None or proc.stdout is None:
            return
        for line in proc.stdout:
            self._lines.append(line)
            match = _LISTENING.search(line)
            if match and not self._ready.is_set():
                self.base_url = match.group(1).rstrip("/")
                self.port = int(self.base_url.rsplit(":", 1)[1])
                self._ready.set()

    def wait(self, timeout: float | None = None) -> int | None:
        """Block until the server exits (or ``timeout`` s); its exit code, or None if still running."""
        if self._proc is None:
            return None
        try:
            return self._proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after ``timeout`` s) and clean up; idempotent."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout)
            if self._reader is not None:
                self._reader.join(timeout)
            if proc.stdout is not None:
                proc.stdout.close()
        if self._home:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None

    def __enter__(self) -> Self:
        return self.start() if not self.running else self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
