"""Start and stop a real pycsw 2.6.2 (``pycsw_server.py`` in ``.venv-pycsw``): the one launcher of the CSW tests.

Imports nothing of pycsw (it runs in the child process, in its own venv). Its stderr goes to ``home/stderr.log``,
quoted when it does not start.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

import requests

__all__ = ["PYCSW_PYTHON", "start_pycsw", "stop_pycsw"]

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
PYCSW_PYTHON = Path(os.environ.get("ODL_PYCSW_PYTHON", REPO / ".venv-pycsw" / "bin" / "python"))


def start_pycsw(home: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """(process, ``http://127.0.0.1:PORT/csw``) once pycsw answers GetCapabilities.

    ``extra`` are ``pycsw_server.py`` options (``--fix-apiso-case``, ``--no-transactions``, ``--basic-auth-env``).
    :raises AssertionError: the venv is missing or the server did not start (a failure, never a skip).
    """
    assert PYCSW_PYTHON.exists(), f"{PYCSW_PYTHON} is missing: run scripts/setup_pycsw.sh (make test does)"
    home.mkdir(parents=True, exist_ok=True)
    log = home / "stderr.log"
    proc = subprocess.Popen(
        [str(PYCSW_PYTHON), "-W", "ignore", str(HERE / "pycsw_server.py"), "--home", str(home), "--port", "0", *extra],
        env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=log.open("wb"), text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.match(r"READY (http://\S+)", line)
    if not match:
        stop_pycsw(proc)
        raise AssertionError(f"pycsw did not start: {line!r}\n{log.read_text()[-2000:]}")
    url = match.group(1)
    deadline = time.monotonic() + 15
    while True:
        try:
            r = requests.get(url, params={"service": "CSW", "version": "2.0.2", "request": "GetCapabilities"},
                             timeout=2)  # fmt: skip
            if r.status_code in (200, 401):
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            stop_pycsw(proc)
            raise AssertionError(f"pycsw does not answer at {url}\n{log.read_text()[-2000:]}")
        time.sleep(0.05)
    return proc, url


def stop_pycsw(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout is not None:
        proc.stdout.close()
