"""``odl-geo publish geoserver OUTDIR_OR_FILE --url ... --workspace ...``: create-or-update on GeoServer, verified.

With ``--postgis-dsn`` the layers come from PostGIS tables instead (one PostGIS store): those
``odl-geo publish postgis`` loaded (all of the schema, or those of OUTDIR), or the ``--table`` given.

Credentials: ``ODL_GEOSERVER_USER`` / ``ODL_GEOSERVER_PASSWORD``, or ``--credentials FILE`` (TOML, section
``[geoserver]``, mode 600); the database password from the DSN, ``ODL_POSTGIS_PASSWORD`` or the file's
``[postgis]`` section. They are never printed; ``--dry-run`` shows the planned requests, redacted.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..credentials import Credentials
from ..errors import InputError
from .main import publish_subparsers

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..feedback import Feedback

__all__ = ["register"]

ENV_PREFIX = "ODL_GEOSERVER"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = publish_subparsers(sub).add_parser(
        "geoserver",
        parents=[common],
        help="publish GeoPackages as WMS/WFS layers on GeoServer (REST), with styles",
        description="Publish every GeoPackage of OUTDIR_OR_FILE (an `odl-geo convert` output folder with its "
        "manifest.json, or one .gpkg) to a GeoServer workspace: workspace, datastore (file upload), feature "
        "types, styles and default styles, created or updated in place. Nothing is ever deleted; unchanged "
        "files are not uploaded again. Then checks each layer through WMS and WFS. Credentials: "
        f"{ENV_PREFIX}_USER / {ENV_PREFIX}_PASSWORD or --credentials (section [geoserver]); never printed.",
    )
    p.add_argument("path", metavar="OUTDIR_OR_FILE", nargs="?", help="output folder or .gpkg; with "
                   "--postgis-dsn, optional: an output folder published to PostGIS")  # fmt: skip
    p.add_argument("--url", required=True, help="GeoServer base URL, e.g. https://carto.example.fr/geoserver")
    p.add_argument("--workspace", required=True, help="workspace (created when missing, never deleted)")
    p.add_argument("--store", help="datastore name (default: the GeoPackage's file name)")
    p.add_argument("--layer-name", action="append", default=[], metavar="TABLE=NAME", help="publish table TABLE as "
                   "layer NAME (repeat); for a name another store already holds in the workspace")  # fmt: skip
    p.add_argument("--style", metavar="SLD_OR_DIR", help="an SLD (1.0 or SE 1.1) for every layer, or a folder "
                   "such as styles/flood (one SLD matched per layer by name)")  # fmt: skip
    p.add_argument("--title", help="layer title (accents kept); default: the layer's name")
    p.add_argument("--abstract", default="", help="layer abstract")
    p.add_argument("--keyword", action="append", default=[], help="keyword (repeatable)")
    p.add_argument("--attribution", help="attribution shown in WMS capabilities, e.g. 'Ville de Montpellier'")
    p.add_argument("--credentials", metavar="FILE", help="TOML credentials file with a [geoserver] section")
    p.add_argument("--ca-bundle", metavar="PEM", help="CA bundle for a private PKI (TLS verification stays on)")
    p.add_argument("--deadline", type=_seconds, default=1800.0, help="give up after this many seconds, every request "
                   "and retry included (default 1800; exit 4)")  # fmt: skip
    p.add_argument("--no-verify", action="store_true", help="skip the WMS/WFS check after publishing")
    p.add_argument("--dry-run", action="store_true", help="print the planned requests (redacted); change nothing")
    g = p.add_argument_group("PostGIS tables instead of GeoPackages")
    g.add_argument("--postgis-dsn", metavar="DSN", help="publish PostGIS tables through one PostGIS store: "
                   "postgresql://user@host:port/dbname (password: ODL_POSTGIS_PASSWORD or [postgis] of "
                   "--credentials)")  # fmt: skip
    g.add_argument("--postgis-schema", default="public", help="schema of the tables (default public)")
    g.add_argument("--table", action="append", default=[], help="a table to publish (repeat); default: the tables "
                   "`odl-geo publish postgis` loaded into the schema (those of OUTDIR when given)")  # fmt: skip
    p.set_defaults(handler=run)


def _layer_names(pairs: list[str]) -> dict[str, str]:
    """``--layer-name TABLE=NAME`` options as a dict; :raises InputError: one is not TABLE=NAME."""
    chosen: dict[str, str] = {}
    for pair in pairs:
        table, sep, name = pair.partition("=")
        if not sep or not table.strip() or not name.strip():
            raise InputError(
                f"--layer-name {pair!r} is not TABLE=NAME.",
                "e.g. --layer-name sentiers=sentiers_2024",
                message_fr=f"--layer-name {pair!r} n'est pas de la forme TABLE=NAME.",
                hint_fr="Par exemple : --layer-name sentiers=sentiers_2024",
            )
        chosen[table.strip()] = name.strip()
    return chosen


def _seconds(text: str) -> float:
    """A positive number of seconds (``--deadline``)."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: give a positive number of seconds")
    return value


def _plan(args: argparse.Namespace, options: Any) -> Any:
    """The plan: GeoPackages of the path, or PostGIS tables (the database is read to plan them)."""
    from ..publishers.geoserver import plan_publication

    if not args.postgis_dsn:
        if not args.path:
            raise InputError(
                "Nothing to publish.",
                "Give OUTDIR_OR_FILE, or --postgis-dsn to publish PostGIS tables.",
                message_fr="Rien à publier.",
                hint_fr="Indiquez OUTDIR_OR_FILE, ou --postgis-dsn pour publier des tables PostGIS.",
            )
        return plan_publication(args.path, args.workspace, options)
    from ..publishers.geoserver.plan_postgis import plan_postgis_publication
    from ..publishers.postgis import PostgisTarget

    if args.path and not Path(args.path).is_dir():
        raise InputError(f"{args.path} is not an output folder.", "With --postgis-dsn, give the folder published "
                         "to PostGIS (odl-geo publish postgis OUTDIR), or no path.",
                         message_fr=f"{args.path} n'est pas un dossier de sortie.",
                         hint_fr="Avec --postgis-dsn, indiquez le dossier publié dans PostGIS (odl-geo publish "
                         "postgis OUTDIR), ou aucun chemin.")  # fmt: skip
    pg = Credentials.from_env("ODL_POSTGIS")
    if args.credentials and not pg.password:  # the file was checked already (mode 600, valid TOML)
        with contextlib.suppress(InputError):  # no [postgis] section: the DSN's password, or ~/.pgpass
            pg = Credentials.from_file(args.credentials, "postgis")
    target = PostgisTarget(args.postgis_dsn, schema=args.postgis_schema, user=pg.username, password=pg.password)
    return plan_postgis_publication(target, args.workspace, options, tables=tuple(args.table), outdir=args.path)


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..http import DeadlineTransport, RequestsTransport
    from ..publishers.geoserver import (
        Attribution,
        DryRunTransport,
        GeoServerClient,
        PublishOptions,
        publish_plan,
        raise_if_failed,
        verify_publication,
    )

    creds = (
        Credentials.from_file(args.credentials, "geoserver") if args.credentials else Credentials.from_env(ENV_PREFIX)
    )
    has_creds = bool(creds.username and creds.password)
    if not has_creds and not args.dry_run:
        raise InputError(
            "No GeoServer credentials.",
            f"Set {ENV_PREFIX}_USER and {ENV_PREFIX}_PASSWORD, or pass --credentials FILE ([geoserver] section).",
            message_fr="Aucun identifiant GeoServer.",
            hint_fr=f"Définissez {ENV_PREFIX}_USER et {ENV_PREFIX}_PASSWORD, ou passez --credentials FILE (section "
            "[geoserver]).",
        )
    options = PublishOptions(
        title=args.title,
        abstract=args.abstract,
        keywords=tuple(args.keyword),
        attribution=Attribution(args.attribution) if args.attribution else None,
        style=Path(args.style) if args.style else None,
        store=args.store,
        layer_names=_layer_names(args.layer_name),
    )
    plan = _plan(args, options)
    for warning in plan.warnings:  # a theme output without its styles: said, never silent
        feedback.warning(escape(f"warning: {warning}"))
    # one deadline for everything this command sends (publication and checks, retries included): exit 4 in time
    transport = DeadlineTransport(RequestsTransport(ca_bundle=args.ca_bundle), args.deadline)
    if args.dry_run:
        dry = DryRunTransport(transport if has_creds else None)
        client = GeoServerClient(args.url, creds if has_creds else None, dry)
        result = publish_plan(plan, client, feedback, deadline_s=args.deadline, dry_run=True)
        if not args.json and not args.quiet:
            source = "the server's current state" if has_creds else "an empty server (no credentials given)"
            out.print(f"dry run against {escape(args.url)}, planned from {source}; nothing was changed.")
            for line in dry.planned or ["(nothing to write: everything is up to date)"]:
                out.print(f"  {escape(line)}")
        return {"dry_run": True, "planned_requests": dry.planned, **result.to_dict(), "warnings": list(plan.warnings)}
    client = GeoServerClient(args.url, creds, transport)
    result = publish_plan(plan, client, feedback, deadline_s=args.deadline)
    checks = [] if args.no_verify else verify_publication(plan, args.url, creds, transport=transport, feedback=feedback)
    if not args.json and not args.quiet:
        out.print(
            f"published to {escape(args.url)} workspace {escape(plan.workspace)}: "
            f"{result.requests} requests, {result.bytes_sent} bytes sent ({result.file_bytes} of GeoPackage), "
            f"{result.seconds:.2f} s"
        )
        for o in result.outcomes:
            out.print(f"  {o.outcome.value:<9} {o.kind:<11} {escape(o.name)}")
        for c in checks:
            state = "ok" if c.ok else "FAILED"
            out.print(f"  check {state:<6} {escape(c.layer)}: {c.feature_count} features {escape(c.problem)}")
    raise_if_failed(checks, plan.workspace)
    data = {**result.to_dict(), "checks": [c.to_dict() for c in checks], "warnings": list(plan.warnings)}
    if args.path:  # the layer names GeoServer gave go into the folder's metadata record (WMS/WFS links)
        from .publication_links import remember_published

        remember_published(args.path, "geoserver", {"url": args.url, "workspace": plan.workspace}, data, feedback)
    return data
