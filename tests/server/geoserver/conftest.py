"""GeoServer publishing tests: against the GeoServer REST **test double** (default) or a real GeoServer.

Without ``ODL_GEOSERVER_URL`` the double (``tests/server/geoserver_double``) runs in its own process, started once
per session (QGIS Server lives in that process only: this one stays QGIS-free). It is reset before each test, and
after each test the fixture fails on any call the client should not have made (the double flags them: unknown
path, duplicate POST, rename, PUT before GET...) and on any expected call that did not happen.

With ``ODL_GEOSERVER_URL``, ``ODL_GEOSERVER_USER`` and ``ODL_GEOSERVER_PASSWORD`` the same tests run against that
GeoServer in throw-away workspaces (``odltest_*``, deleted at teardown); tests that need the double's control API
(fault injection, request log) are skipped there, and the skip says why.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from odl_geo.conversion import ConvertOptions, convert
from odl_geo.credentials import Credentials
from odl_geo.http import HttpRequest, RequestsTransport, RetryPolicy
from odl_geo.publishers.geoserver import GeoServerClient
from tests.server.geoserver_double.process import start_double_process, stop_double_process

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FAST = RetryPolicy(total=3, backoff=0.01)
REAL_URL = os.environ.get("ODL_GEOSERVER_URL", "")
DOUBLE_ONLY = "needs the GeoServer test double's control API (fault injection / request log); ODL_GEOSERVER_URL " \
    "points at a real GeoServer"  # fmt: skip

#: the three themes' real data (copied to tmp, then converted; ../shared/data is never written)
THEMES = {
    "hiking": ("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", ConvertOptions(decode_html=True)),
    "water": ("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", ConvertOptions()),
    "flood": ("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", ConvertOptions()),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("double_only") and REAL_URL:
            item.add_marker(pytest.mark.skip(reason=DOUBLE_ONLY))


def pytest_report_header(config: pytest.Config) -> str:
    if REAL_URL:
        return f"GeoServer: real server at {REAL_URL} (double-only tests skipped)"
    return "GeoServer: the REST test double (tests/server/geoserver_double, WMS/WFS by QGIS Server)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "double_only: needs the GeoServer test double (skipped on a real GeoServer)")


@dataclass
class Target:
    """Where the tests publish: the double (``control`` set) or a real GeoServer (``control`` None)."""

    url: str
    credentials: Credentials
    control: str | None = None
    reader: Credentials | None = None  # an account without the ADMIN role (double; ODL_GEOSERVER_READER_* on real)
    workspaces: list[str] = field(default_factory=list)
    expected: list[tuple[str, str, int | None]] = field(default_factory=list)
    allowed_misuse: set[str] = field(default_factory=set)

    @property
    def is_double(self) -> bool:
        return self.control is not None

    def workspace(self, base: str) -> str:
        """A workspace name for this test (random on a real GeoServer, so that parallel runs never collide)."""
        name = base if self.is_double else f"odltest_{base}_{secrets.token_hex(3)}"
        self.workspaces.append(name)
        return name

    def client(self, credentials: Credentials | None = None, timeout: tuple[float, float] = (3.0, 10.0),
               retry: RetryPolicy = FAST) -> GeoServerClient:  # fmt: skip
        transport = RequestsTransport(retry=retry, timeout=timeout)
        return GeoServerClient(self.url, credentials or self.credentials, transport)

    # ---- double control API
    def _ctl(self, method: str, path: str, body: Any = None) -> Any:
        assert self.control, DOUBLE_ONLY
        r = requests.request(method, f"{self.control}/__double__/{path}", json=body, timeout=10)
        r.raise_for_status()
        return r.json()

    def log(self) -> list[dict[str, Any]]:
        return self._ctl("GET", "log")

    def clear_log(self) -> None:
        self._ctl("DELETE", "log")

    def state(self) -> dict[str, Any]:
        return self._ctl("GET", "state")

    def faults(self, *rules: dict[str, Any]) -> None:
        """e.g. ``faults({"method": "PUT", "path": r"/file\\.gpkg$", "action": "status", "status": 500})``."""
        self._ctl("POST", "faults", list(rules))

    def fired(self) -> list[dict[str, Any]]:
        return self._ctl("GET", "faults")

    def expect(self, method: str, path_regex: str, count: int | None = None) -> None:
        """Assert at teardown that such a call happened (``count`` times exactly, or at least once)."""
        self.expected.append((method, path_regex, count))

    def allow_misuse(self, *reasons: str) -> None:
        self.allowed_misuse.update(reasons)


@pytest.fixture(scope="session")
def geoserver_session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Target:
    if REAL_URL:
        user, pw = os.environ.get("ODL_GEOSERVER_USER"), os.environ.get("ODL_GEOSERVER_PASSWORD")
        assert user and pw, "ODL_GEOSERVER_URL is set: set ODL_GEOSERVER_USER and ODL_GEOSERVER_PASSWORD too"
        ru, rp = os.environ.get("ODL_GEOSERVER_READER_USER"), os.environ.get("ODL_GEOSERVER_READER_PASSWORD")
        return Target(REAL_URL, Credentials(user, pw), reader=Credentials(ru, rp) if ru and rp else None)
    return start_double(request, tmp_path_factory.mktemp("geoserver-double"))


def start_double(request: pytest.FixtureRequest, data_dir: Path, *extra: str) -> Target:
    """Start the double in its own process (stopped by a finalizer); ``extra`` arguments, e.g. a version."""
    password = f"pw-{secrets.token_hex(8)}"
    reader_pw = f"rd-{secrets.token_hex(8)}"
    proc, url = start_double_process(
        data_dir, password, "--reader-user", "reader", *extra, env={"GEOSERVER_DOUBLE_READER_PASSWORD": reader_pw}
    )
    request.addfinalizer(lambda: stop_double_process(proc))
    base = url.removesuffix("/geoserver")
    return Target(url, Credentials("admin", password), control=base, reader=Credentials("reader", reader_pw))


@pytest.fixture
def geoserver(geoserver_session: Target) -> Any:
    """The target for one test. The double is reset first and checked afterwards (unexpected + missing calls)."""
    t = geoserver_session
    t.workspaces, t.expected, t.allowed_misuse = [], [], set()
    if t.is_double:
        t._ctl("POST", "reset")
    yield t
    if t.is_double:
        log = t.log()
        bad = [e for e in log if e["misuse"] and not any(a in e["misuse"] for a in t.allowed_misuse)]
        assert not bad, "unexpected calls to the GeoServer double:\n" + "\n".join(
            f"  {e['method']} {e['path']} -> {e['status']}: {e['misuse']}" for e in bad
        )
        for method, regex, count in t.expected:
            n = sum(1 for e in log if e["method"] == method and re.search(regex, e["path"]))
            assert (n == count) if count is not None else n >= 1, f"expected {method} {regex} x{count}, got {n}"
    else:  # real GeoServer: remove the throw-away workspaces (test cleanup; the library never deletes)
        client = t.client()
        for ws in t.workspaces:
            url = f"{client.endpoints.workspace(ws, read=False)}?recurse=true"
            client.transport.send(HttpRequest("DELETE", url, auth=t.credentials))


@pytest.fixture(scope="session")
def outputs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """theme -> conversion output folder (GeoPackage + manifest.json), from a tmp copy of the real data."""
    result = {}
    for theme, (rel, options) in THEMES.items():
        src_dir = tmp_path_factory.mktemp(f"src-{theme}")
        src = src_dir / Path(rel).name
        shutil.copy2(shared_data / rel, src)
        out = tmp_path_factory.mktemp(f"out-{theme}")
        convert(src, out, ["gpkg"], options=options)
        result[theme] = out
    return result


def manifest_counts(outdir: Path) -> dict[str, int]:
    data = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    return {f["layer"]: f["feature_count"] for f in data["files"] if f["format"] == "gpkg"}
