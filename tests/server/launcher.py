"""Start a local test server in its own process and stop it: the part the pycsw and GeoServer-double launchers share.

The child prints one line (``READY http://...`` or ``LISTENING http://...``) on stdout once it listens (the local
udata prints ``KEY=VALUE`` lines, then ``READY``); its stderr goes to a log file that is quoted when it does not
start, so a failure says why.
"""

from __future__ import annotations

import re
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["log_tail", "read_ready_info", "start_server_process", "stop_server_process"]


def log_tail(log: Path) -> str:
    """The end of the child's stderr log, quoted in failure messages."""
    return log.read_text()[-2000:]


def read_ready_info(stdout: Iterable[str]) -> dict[str, str] | None:
    """The ``KEY=VALUE`` lines a child prints before its ``READY`` line (the local udata: its URL, API key,
    organisation); ``None`` when its stdout ends without ``READY`` (it did not start)."""
    info: dict[str, str] = {}
    for line in stdout:
        if line.startswith("READY"):
            return info
        key, _, value = line.strip().partition("=")
        info[key] = value
    return None


def start_server_process(
    argv: list[str], *, log: Path, ready: str, name: str, env: dict[str, str], cwd: Path | None = None
) -> tuple[subprocess.Popen[str], str]:
    """(process, URL) once the child's first stdout line is ``<ready> http://...``.

    :raises AssertionError: the first line is something else (``<name> did not start``, with the log's end).
    """
    with log.open("wb") as err:  # the child keeps its own copy; ours is closed (no ResourceWarning)
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.match(rf"{re.escape(ready)} (http://\S+)", line)
    if not match:
        stop_server_process(proc)
        raise AssertionError(f"{name} did not start: {line!r}\n{log_tail(log)}")
    return proc, match.group(1)


def stop_server_process(proc: subprocess.Popen[str]) -> None:
    """Terminate (kill after 10 s) and close the pipe; a process that already ended is left as it is."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc.stdout is not None:
        proc.stdout.close()
