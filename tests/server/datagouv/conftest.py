"""A real udata 17.18 server (data.gouv.fr's software) for the datagouv publisher tests, started once per session.

The server runs in ``.venv-udata`` (``scripts/setup_udata.sh``), never in odl-geo's venv, with mongomock as
its in-process database (see ``../shared/recipes/udata-local.md``). It is seeded with licences, zones, an
organization whose admin has ``API_KEY`` and another user (``OTHER_API_KEY``) in no organization, and it
writes one JSON line per request handled, so tests assert from the server's side what was uploaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from odl_geo.conversion import ConvertOptions, convert
from odl_geo.credentials import Credentials
from odl_geo.http import RequestsTransport, RetryPolicy
from odl_geo.publishers.datagouv import DatagouvClient
from tests.server.launcher import read_ready_info

from .faultproxy import FaultProxy

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
UDATA_PYTHON = Path(os.environ.get("ODL_UDATA_PYTHON", REPO / ".venv-udata" / "bin" / "python"))
FAST = RetryPolicy(total=3, backoff=0.01)

#: the three themes' real data, converted with odl_geo.convert (never modified: convert reads only)
THEMES = {
    "hiking": ("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", ConvertOptions(decode_html=True)),
    "water": ("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", ConvertOptions()),
    "flood": ("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", ConvertOptions()),
}


@dataclass
class UdataServer:
    info: dict[str, str]
    request_log: Path
    proc: subprocess.Popen = field(repr=False)

    @property
    def site(self) -> str:
        return self.info["BASE_URL"].removesuffix("/api/1")

    @property
    def api(self) -> str:
        return self.info["BASE_URL"]

    def mark(self) -> int:
        """Position in the request log; :meth:`requests_since` returns what came after."""
        return len(self._lines())

    def requests_since(self, mark: int) -> list[dict]:
        return [json.loads(line) for line in self._lines()[mark:]]

    def _lines(self) -> list[str]:
        return self.request_log.read_text().splitlines() if self.request_log.exists() else []


@pytest.fixture(scope="session")
def udata(tmp_path_factory) -> UdataServer:
    """Start the real udata once per session; stopped by a finalizer. Fails (no skip) when the venv is absent."""
    assert UDATA_PYTHON.exists(), f"{UDATA_PYTHON} is missing: run scripts/setup_udata.sh (make test does)"
    work = tmp_path_factory.mktemp("udata")
    log = work / "requests.jsonl"
    stderr = (work / "server.err").open("w")
    proc = subprocess.Popen(
        [
            str(UDATA_PYTHON),
            str(HERE / "udata_server.py"),
            "--port",
            "0",
            "--print-token",
            "--data-dir",
            str(work / "data"),
            "--request-log",
            str(log),
        ],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        cwd=work,
    )
    assert proc.stdout is not None
    info = read_ready_info(proc.stdout)
    if info is None:
        proc.kill()
        stderr.close()
        pytest.fail(f"udata server did not start: {(work / 'server.err').read_text()[-2000:]}")
    server = UdataServer(info, log, proc)
    yield server
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.stdout.close()
    stderr.close()


def make_client(url: str, key: str | None, **kwargs) -> DatagouvClient:
    return DatagouvClient(
        url, Credentials(api_key=key) if key else None, RequestsTransport(retry=FAST, timeout=(5, 60)), **kwargs
    )


@pytest.fixture
def client(udata) -> DatagouvClient:
    """Client with the organization admin's key; the retry backoff is short so that fault tests stay fast."""
    return make_client(udata.site, udata.info["API_KEY"], part_backoff=0.01)


@pytest.fixture
def proxy(udata):
    p = FaultProxy(udata.site)
    yield p
    p.close()
    missing = [f for f in p.faults if f.applied != f.times]
    assert not missing, f"faults never triggered (the test did not exercise what it claims): {missing}"


@pytest.fixture(scope="session")
def converted(tmp_path_factory, shared_data) -> dict[str, Path]:
    """The three themes converted once (gpkg, geojson, shp, csv) with odl_geo.convert, from ../shared/data."""
    root = tmp_path_factory.mktemp("converted")
    out = {}
    for theme, (rel, options) in THEMES.items():
        convert(shared_data / rel, root / theme, options=options)
        out[theme] = root / theme
    return out


@pytest.fixture
def outputs(converted, tmp_path):
    """``outputs("water")``: a private copy of a theme's output folder (tests may change or journal in it)."""

    def copy(theme: str) -> Path:
        dest = tmp_path / theme
        shutil.copytree(converted[theme], dest)
        return dest

    return copy
