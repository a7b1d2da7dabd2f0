"""Start and stop a real pycsw 2.6.2 (``pycsw_server.py`` in ``.venv-pycsw``): the one launcher of the CSW tests.

Imports nothing of pycsw (it runs in the child process, in its own venv). Its stderr goes to ``home/stderr.log``,
quoted when it does not start.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from tests.server.launcher import log_tail, start_server_process, stop_server_process

if TYPE_CHECKING:
    import subprocess

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
    proc, url = start_server_process(
        [str(PYCSW_PYTHON), "-W", "ignore", str(HERE / "pycsw_server.py"), "--home", str(home), "--port", "0", *extra],
        log=log, ready="READY", name="pycsw", env={**os.environ, **(env or {})},
    )  # fmt: skip
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
            raise AssertionError(f"pycsw does not answer at {url}\n{log_tail(log)}")
        time.sleep(0.05)
    return proc, url


def stop_pycsw(proc: subprocess.Popen[str]) -> None:
    stop_server_process(proc)
