"""PostGIS probe: each published table exists and has the row count the publication recorded.

One connection per publication (the publisher's :func:`~odl_geo.publishers.postgis.connect.connect`: same
time-out, same error messages, the password from the environment or the credentials file, never shown);
read-only statements; the "URL" shown is the DSN without password and the statement run.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..errors import OdlGeoError
from ..numbers import quantity
from .model import FAILED, OK, SKIPPED, Probe

if TYPE_CHECKING:
    from ..credentials import Credentials
    from .targets import Publication

__all__ = ["probe_postgis"]


def probe_postgis(pub: Publication, credentials: Credentials | None, timeout: float = 10.0) -> list[Probe]:
    from psycopg import sql

    from ..publishers.postgis.connect import connect, redact_dsn
    from ..publishers.postgis.models import PostgisTarget

    rec, ds = pub.record, pub.dataset
    dsn, schema = str(rec.get("dsn") or ""), str(rec.get("schema") or "public")
    tables = [t for t in rec.get("tables") or [] if t.get("table")]
    shown = redact_dsn(dsn)
    target = PostgisTarget(dsn, schema, password=credentials.password if credentials else None,
                           user=credentials.username if credentials else None,
                           connect_timeout=max(1, int(timeout)))  # fmt: skip
    start = time.monotonic()
    try:
        conn = connect(target)
    except OdlGeoError as exc:
        seconds = time.monotonic() - start
        return [Probe(ds, "postgis", "connect", schema, FAILED, f"server down or login refused: {exc.message}",
                      shown, seconds),
                *[Probe(ds, "postgis", "table", str(t["table"]), SKIPPED, "not checked: no connection")
                  for t in tables]]  # fmt: skip
    probes = [Probe(ds, "postgis", "connect", schema, OK, "connected", shown, time.monotonic() - start)]
    try:
        conn.execute(f"SET statement_timeout = {int(timeout * 1000)}")
        for t in tables:
            qualified = str(t["table"])
            sch, _, name = qualified.rpartition(".")
            sch = sch or schema
            statement = f"SELECT count(*) FROM {sch}.{name}"
            start = time.monotonic()
            exists = conn.execute("SELECT to_regclass(%s)", (f'"{sch}"."{name}"',)).fetchone()
            if not exists or exists[0] is None:
                probes.append(Probe(ds, "postgis", "table", qualified, FAILED,
                                    f"the table {sch}.{name} no longer exists", f"{shown} {statement}",
                                    time.monotonic() - start))  # fmt: skip
                continue
            row = conn.execute(
                sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(sch), sql.Identifier(name))
            ).fetchone()
            count = int(row[0]) if row else -1
            expected = t.get("features")
            ok = expected is None or count == expected
            rows = quantity(count, "row", "rows", "en")
            probes.append(Probe(ds, "postgis", "table", qualified, OK if ok else FAILED,
                                f"{rows}, as published" if ok else f"{rows}, the publication recorded {expected}",
                                f"{shown} {statement}", time.monotonic() - start))  # fmt: skip
            conn.rollback()
    except Exception as exc:  # noqa: BLE001 - psycopg errors of any kind: said, never a crash of the monitor
        from ..publishers.postgis.connect import pg_error

        err = pg_error(exc, "checking the tables")
        probes.append(Probe(ds, "postgis", "query", schema, FAILED, err.message, shown))
    finally:
        conn.close()
    return probes
