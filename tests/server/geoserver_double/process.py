"""Start and stop the GeoServer REST test double in its own process: the one launcher of every test stage.

Imports nothing of the double itself (it runs in the child process), so the QGIS tests can use it without loading
psycopg or QGIS Server into QGIS's process.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from tests.server.launcher import start_server_process, stop_server_process

if TYPE_CHECKING:
    import subprocess

__all__ = ["start_double_process", "stop_double_process"]

REPO = Path(__file__).resolve().parents[3]


def start_double_process(
    data_dir: Path, password: str, *extra: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], str]:
    """(process, ``http://127.0.0.1:PORT/geoserver``) once the double answers its health check.

    ``extra`` are the double's own arguments (``--reader-user``, a version...), ``env`` more variables (the reader's
    password). Its stderr goes to ``data_dir/stderr.log``, quoted when it does not start.
    """
    variables = {**os.environ, "GEOSERVER_DOUBLE_PASSWORD": password, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    proc, url = start_server_process(
        [sys.executable, "-m", "tests.server.geoserver_double", "--port", "0", "--data-dir", str(data_dir), *extra],
        log=data_dir / "stderr.log", ready="LISTENING", name="the GeoServer test double", env=variables, cwd=REPO,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url.removesuffix('/geoserver')}/__double__/health", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            time.sleep(0.05)
    return proc, url


def stop_double_process(proc: subprocess.Popen[str]) -> None:
    stop_server_process(proc)
