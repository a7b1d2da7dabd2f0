"""Fixtures shared by the server tests: a real, throwaway PostgreSQL 15 + PostGIS 3.3 cluster for the session.

The cluster lives in a temp dir (initdb as ``postgres`` when running as root, random free port, fsync off)
and is stopped and removed by a finalizer. TCP logins need a password (scram-sha-256), so the tests see
real authentication failures; the Unix socket in the temp dir is trusted, for the fixture's own admin work.
Used by ``tests/server/postgis`` and by the GeoServer tests of PostGIS stores (the double connects to it).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

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
