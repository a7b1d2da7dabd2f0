"""Shared test fixtures: the real data in ../shared/data (always used through a temporary copy), a PostGIS cluster."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# QGIS tests get a throwaway authentication database (set before pytest-qgis starts QgsApplication)
os.environ.setdefault("QGIS_AUTH_DB_DIR_PATH", tempfile.mkdtemp(prefix="odl-geo-qgis-auth-"))
SHARED_DATA = Path(os.environ.get("ODL_SHARED_DATA", REPO.parent / "shared" / "data"))


def pytest_report_header(config: pytest.Config) -> list[str]:
    if "qgis.core" in sys.modules:  # QGIS stage: importing the GDAL/PROJ wheels here would bind them to QGIS's
        import qgis.core

        return [f"odl-geo data: {SHARED_DATA}", f"QGIS {qgis.core.Qgis.QGIS_VERSION} (GDAL/PROJ of QGIS)"]
    import pyogrio
    import pyproj
    import shapely

    return [
        f"odl-geo data: {SHARED_DATA} ({'present' if SHARED_DATA.is_dir() else 'MISSING'})",
        f"GDAL (pyogrio) {pyogrio.__gdal_version_string__}, PROJ (pyproj) {pyproj.proj_version_str}",
        f"GEOS {shapely.geos_version_string}",
    ]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only shared data folder; fails (does not skip) when it is missing."""
    assert SHARED_DATA.is_dir(), f"../shared/data is missing ({SHARED_DATA}); the tests need it"
    return SHARED_DATA


@pytest.fixture(scope="session", autouse=True)
def _shared_data_untouched():
    """After the whole session: no shared file added or removed, and every file listed in SHA256SUMS unchanged."""
    before = {p for p in SHARED_DATA.rglob("*") if p.is_file()} if SHARED_DATA.is_dir() else set()
    yield
    if not SHARED_DATA.is_dir():
        return
    after = {p for p in SHARED_DATA.rglob("*") if p.is_file()}
    assert after == before, f"tests added/removed files in shared data: {sorted(map(str, after ^ before))}"
    sums = SHARED_DATA / "SHA256SUMS"
    changed = []
    for line in sums.read_text().splitlines() if sums.exists() else []:
        digest, _, name = line.partition("  ")
        target = SHARED_DATA / name.strip()
        if target.exists() and _sha256(target) != digest:
            changed.append(name)
    assert not changed, f"tests modified shared data: {changed}"


@pytest.fixture
def data_copy(shared_data: Path, tmp_path: Path):
    """``data_copy("water/x.csv")`` copies a shared file with all its sidecars (same stem) to tmp and returns it.

    A folder is copied whole. Tests work on the copy and can compare it with the original afterwards.
    """

    def copy(relpath: str) -> Path:
        src = shared_data / relpath
        dest_dir = tmp_path / "src"
        dest_dir.mkdir(exist_ok=True)
        if src.is_dir():
            target = dest_dir / src.name
            shutil.copytree(src, target)
            return target
        for sibling in src.parent.iterdir():
            if sibling.is_file() and (sibling.stem.lower() == src.stem.lower() or sibling == src):
                shutil.copy2(sibling, dest_dir / sibling.name)
        return dest_dir / src.name

    return copy


def snapshot(folder: Path) -> dict[str, str]:
    """name -> sha256 of every file below ``folder`` (to assert a source folder is byte-identical later)."""
    return {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


# -- a real, throwaway PostgreSQL 15 + PostGIS 3.3 cluster for the session ----------------------------------
# It lives in a temp dir (initdb as ``postgres`` when running as root, random free port, fsync off) and is stopped
# and removed by a finalizer. TCP logins need a password (scram-sha-256), so the tests see real authentication
# failures; the Unix socket in the temp dir is trusted, for the fixture's own admin work. Used by the PostGIS
# tests, the GeoServer tests of PostGIS stores (the double connects to it) and the plugin's PostGIS layers.
PGBIN = Path("/usr/lib/postgresql/15/bin")


@dataclass
class Cluster:
    port: int
    password: str
    socket_dir: Path

    def dsn(self, db: str = "gis", user: str = "postgres", password: str | None = None) -> str:
        pw = self.password if password is None and user == "postgres" else password
        auth = f"{user}:{pw}" if pw else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{db}"

    def admin(self, db: str = "gis"):
        """A superuser connection over the trusted socket (autocommit)."""
        import psycopg

        return psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname=db, autocommit=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def pg_cluster():
    if not (PGBIN / "initdb").exists():
        pytest.skip("PostgreSQL 15 is not installed (Debian postgresql-15-postgis-3; scripts/setup.sh installs it)")
    tmp = Path(tempfile.mkdtemp(prefix="odl-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(tmp, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    password = secrets.token_urlsafe(12)
    pwfile = tmp / "pw"
    pwfile.write_text(password)
    if run_as:
        shutil.chown(pwfile, "postgres", "postgres")
    port = _free_port()
    started = time.perf_counter()
    subprocess.run(
        [*run_as, str(PGBIN / "initdb"), "-D", str(tmp / "data"), "-U", "postgres", "--pwfile", str(pwfile),
         "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    opts = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [*run_as, str(PGBIN / "pg_ctl"), "-D", str(tmp / "data"), "-l", str(tmp / "log"), "-w", "-s", "-o", opts,
         "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    cluster = Cluster(port, password, tmp)
    try:
        with cluster.admin("postgres") as conn:
            conn.execute("CREATE DATABASE gis")
            conn.execute("CREATE DATABASE nopostgis")
            conn.execute("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
        with cluster.admin("gis") as conn:
            conn.execute("CREATE EXTENSION postgis")
        cluster.ready_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
        yield cluster
    finally:
        subprocess.run(
            [*run_as, str(PGBIN / "pg_ctl"), "-D", str(tmp / "data"), "-m", "immediate", "-s", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(tmp, ignore_errors=True)
