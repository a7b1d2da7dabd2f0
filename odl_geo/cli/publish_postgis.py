"""``odl-geo publish postgis FILE_OR_OUTDIR --dsn ...``: one table per layer, replaced atomically.

The DSN may come from ``--dsn`` or ``ODL_POSTGIS_DSN``; the password from the DSN, ``ODL_POSTGIS_PASSWORD``,
a credentials file (section ``[postgis]``) or libpq's own ``~/.pgpass``/``PGPASSWORD``. It is never printed.
The library (and psycopg) are imported only when the command runs, so the CLI works without the extra.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..credentials import Credentials
from ..errors import InputError
from .main import publish_subparsers
from .publish_geoserver import _seconds

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..feedback import Feedback

__all__ = ["register"]

ENV_PREFIX = "ODL_POSTGIS"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = publish_subparsers(sub).add_parser(
        "postgis",
        parents=[common],
        help="load layers into PostGIS tables (EPSG:2154, spatial index, comments)",
        description="Load each layer of FILE_OR_OUTDIR (an output folder of `odl-geo convert`, or any source) "
        "into SCHEMA.TABLE. Tables are replaced atomically (staging table swapped in one transaction); "
        "unchanged data is detected and skipped. The password comes from the DSN, ODL_POSTGIS_PASSWORD, "
        "--credentials (section [postgis]) or ~/.pgpass, and is never printed.",
    )
    p.add_argument("path", metavar="FILE_OR_OUTDIR")
    p.add_argument("--dsn", help="postgresql://user@host:port/dbname (default: $ODL_POSTGIS_DSN)")
    p.add_argument("--schema", default="public", help="target schema, created when missing (default: public)")
    p.add_argument("--table", help="table name when publishing a single layer (default: the layer's name)")
    p.add_argument("--credentials", metavar="FILE", help="TOML credentials file with a [postgis] section")
    p.add_argument("--dry-run", action="store_true", help="connect and show what would be done; write nothing")
    p.add_argument("--deadline", type=_seconds, default=1800.0, help="give up connecting after this many seconds, "
                   "at most 10 (exit 4); tables being loaded wait at most 30 s for a lock")  # fmt: skip
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..publishers.postgis import PostgisTarget, publish_postgis

    dsn = args.dsn or os.environ.get(f"{ENV_PREFIX}_DSN", "")
    if not dsn:
        raise InputError(
            "No PostgreSQL connection string.",
            f"Pass --dsn postgresql://user@host/db or set {ENV_PREFIX}_DSN.",
            message_fr="Aucune chaîne de connexion PostgreSQL.",
            hint_fr=f"Passez --dsn postgresql://user@host/db ou définissez {ENV_PREFIX}_DSN.",
        )
    creds = Credentials.from_file(args.credentials, "postgis") if args.credentials else Credentials.from_env(ENV_PREFIX)
    target = PostgisTarget(dsn=dsn, schema=args.schema, table=args.table, user=creds.username, password=creds.password,
                           connect_timeout=max(1, min(10, int(args.deadline))))  # fmt: skip
    result = publish_postgis(args.path, target, dry_run=args.dry_run, feedback=feedback)
    if not args.json and not args.quiet:
        head = "dry run: would publish to" if args.dry_run else "published to"
        out.print(f"{head} {escape(result.target)} in {result.seconds:.2f} s")
        for r in result.layers:
            out.print(f"  {r.outcome.value:<9} {escape(r.table):<50} {r.feature_count:>8} features  {escape(r.layer)}")
    return result.to_dict()
