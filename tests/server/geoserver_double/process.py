"""Start and stop the GeoServer REST test double in its own process: the one launcher of every test stage.

Imports nothing of the double itself (it runs in the child process), so the QGIS tests can use it without loading
psycopg or QGIS Server into QGIS's process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import requests

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
    log = data_dir / "stderr.log"
    with log.open("wb") as err:  # the child keeps its own copy; ours is closed (no ResourceWarning)
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.server.geoserver_double", "--port", "0", "--data-dir", str(data_dir), *extra],
            cwd=REPO, env=variables, stdout=subprocess.PIPE, stderr=err, text=True,
        )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.match(r"LISTENING (http://\S+)", line)
    if not match:
        stop_double_process(proc)
        raise AssertionError(f"the GeoServer test double did not start: {line!r}\n{log.read_text()[-2000:]}")
    url = match.group(1)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url.removesuffix('/geoserver')}/__double__/health", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            time.sleep(0.05)
    return proc, url


def stop_double_process(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout is not None:
        proc.stdout.close()
