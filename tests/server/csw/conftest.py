"""A real pycsw 2.6.2 for the CSW publisher tests (``process.py`` starts it in ``.venv-pycsw``), and udata's own
harvesters (``udata_harvest.py`` in ``.venv-udata``) for the harvesting tests. Neither venv ever loads into .venv.

Both fixtures fail (never skip) when their venv is missing: ``make test`` builds them (scripts/setup_pycsw.sh,
scripts/setup_udata.sh).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from odl_geo.http import RequestsTransport, RetryPolicy
from odl_geo.publishers.csw import CswClient

from .process import start_pycsw, stop_pycsw

if TYPE_CHECKING:
    from odl_geo.credentials import Credentials

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
UDATA_PYTHON = Path(os.environ.get("ODL_UDATA_PYTHON", REPO / ".venv-udata" / "bin" / "python"))
FAST = RetryPolicy(total=2, backoff=0.01)
SAMPLE = HERE / "data" / "sample-record.xml"  # a schema-valid ISO 19139 record (../shared/recipes/metadata)


@dataclass
class Pycsw:
    url: str
    home: Path
    proc: subprocess.Popen = field(repr=False)

    def client(self, credentials: Credentials | None = None) -> CswClient:
        return CswClient(self.url, credentials, RequestsTransport(retry=FAST, timeout=(5, 30)))


@pytest.fixture
def start_csw(tmp_path):
    """``start_csw(*options)``: a fresh pycsw with its own empty repository (stopped at teardown)."""
    started: list[subprocess.Popen] = []

    def start(*options: str, env: dict[str, str] | None = None) -> Pycsw:
        home = tmp_path / f"pycsw{len(started)}"
        proc, url = start_pycsw(home, *options, env=env)
        started.append(proc)
        return Pycsw(url, home, proc)

    yield start
    for proc in started:
        stop_pycsw(proc)


@pytest.fixture
def pycsw(start_csw) -> Pycsw:
    """A fresh pycsw (transactions for 127.0.0.1, ``apiso`` profile, the ``apiso:type`` case shim for udata)."""
    return start_csw("--fix-apiso-case")


class Harvester:
    """udata's harvester in its own process (the mongomock database lives there): ``run()`` harvests once."""

    def __init__(self, backend: str, url: str, log: Path) -> None:
        assert UDATA_PYTHON.exists(), f"{UDATA_PYTHON} is missing: run scripts/setup_udata.sh (make test does)"
        self.log = log
        self.proc = subprocess.Popen(
            [str(UDATA_PYTHON), "-W", "ignore", str(HERE / "udata_harvest.py"), "--backend", backend, "--url", url],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log.open("wb"), text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if line.strip() != "READY":
            self.close()
            raise AssertionError(f"udata harvester did not start: {line!r}\n{log.read_text()[-3000:]}")

    def run(self) -> dict:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise AssertionError(f"udata harvester died:\n{self.log.read_text()[-3000:]}")
        return json.loads(line)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
                self.proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture
def harvester(tmp_path):
    """``harvester(backend, url)``: udata's own harvest backend against ``url`` (closed at teardown)."""
    made: list[Harvester] = []

    def make(backend: str, url: str) -> Harvester:
        h = Harvester(backend, url, tmp_path / f"udata-{backend}-{len(made)}.log")
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


@pytest.fixture(scope="session")
def converted_themes(tmp_path_factory, shared_data) -> dict[str, Path]:
    """The three demo themes converted once by odl-geo (read-only: tests copy them with ``theme_folder``)."""
    from .themes import SOURCES, convert_theme

    root = tmp_path_factory.mktemp("csw-themes")
    return {theme: convert_theme(shared_data, theme, root / theme) for theme in SOURCES}


@pytest.fixture
def theme_folders(converted_themes, tmp_path) -> dict[str, Path]:
    """Private copies of the three output folders, each with its metadata.xml (ISO 19139 by odl_geo.metadata)."""
    import shutil

    from .themes import write_iso

    out = {}
    for theme, src in converted_themes.items():
        dest = tmp_path / "out" / theme
        shutil.copytree(src, dest)
        write_iso(dest, theme)
        out[theme] = dest
    return out


@pytest.fixture
def www(tmp_path):
    """A folder served by http.server on 127.0.0.1 (the DCAT catalogue odl-geo writes, as a web site would)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
