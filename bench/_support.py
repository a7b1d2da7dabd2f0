"""Small pieces several benchmarks share (run as ``.venv/bin/python bench/<name>.py``: this folder is on sys.path).

Only what is the same logic everywhere lives here: the ``100k`` / ``1M`` size parser, counting a byte marker in a
large output without parsing it, and starting the GeoServer REST test double as a child process.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def parse_size(text: str) -> int:
    """``"100k"`` -> 100_000, ``"1.5M"`` -> 1_500_000, ``"2_000"`` -> 2000."""
    t = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if mult > 1 else t) * mult)


def count_marker(path: Path, marker: bytes) -> int:
    """How many times ``marker`` stands in the file, read in 16 MiB chunks (no parse, flat memory)."""
    n, tail = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            buf = tail + chunk
            n += buf.count(marker)
            tail = buf[-(len(marker) - 1) :]
    return n


def start_double(workdir: Path, password: str) -> tuple[subprocess.Popen, str]:
    """(process, ``http://127.0.0.1:PORT/geoserver``) of the GeoServer REST test double; exits the benchmark with a
    message when it does not start (its stderr is not kept: a benchmark's output stays its table)."""
    env = {**os.environ, "GEOSERVER_DOUBLE_PASSWORD": password, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.server.geoserver_double", "--port", "0", "--data-dir", str(workdir)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    m = re.match(r"LISTENING (\S+)", proc.stdout.readline())
    if not m:
        proc.kill()
        sys.exit("the GeoServer test double did not start")
    return proc, m.group(1)
