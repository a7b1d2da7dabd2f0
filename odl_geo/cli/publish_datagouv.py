"""``odl-geo publish datagouv OUTDIR --org SLUG``: publish a conversion output folder to data.gouv.fr (udata).

Only parses arguments and prints; the work is :func:`odl_geo.publishers.datagouv.publish_outputs`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..credentials import Credentials
from ..errors import AuthError, InputError
from ..numbers import quantity
from ..publishers.datagouv._errors import API_KEY_ENV
from ..publishers.datagouv.endpoints import DEMO_URL, PRODUCTION_URL
from .main import publish_subparsers
from .publish_geoserver import _seconds

if TYPE_CHECKING:  # the client and its HTTP stack (requests) are imported by the command, not its registration
    import argparse

    from rich.console import Console

    from ..feedback import Feedback
    from ..publishers.datagouv import PublishOptions, TemporalCoverage

__all__ = ["register"]

URL_ENV = "ODL_DATAGOUV_URL"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    targets = publish_subparsers(sub)
    p = targets.add_parser(
        "datagouv",
        parents=[common],
        help="publish an output folder as a data.gouv.fr dataset (udata API)",
        description="Create or update one data.gouv.fr dataset from OUTDIR (files + manifest.json). Re-runs "
        "find the dataset again by its key and upload only the files whose checksum changed. The API key "
        f"comes from {API_KEY_ENV} or --credentials (section [datagouv], api_key); it is never printed.",
    )
    p.add_argument("outdir", metavar="OUTDIR", help="output folder of `odl-geo convert`")
    p.add_argument("--org", required=True, help="organization slug or id (the key's user must be a member)")
    p.add_argument("--dataset-key", help="stable key stored in the dataset's extras (default: from the source name)")
    p.add_argument("--dry-run", action="store_true", help="print the write requests it would send; change nothing")
    g = p.add_argument_group("instance and key")
    g.add_argument(
        "--url",
        default=os.environ.get(URL_ENV, PRODUCTION_URL),
        help=f"udata site (default {URL_ENV} or {PRODUCTION_URL})",
    )
    g.add_argument("--demo", action="store_true", help=f"use the demo instance {DEMO_URL} (trials)")
    g.add_argument("--credentials", metavar="FILE", help="TOML file with [datagouv] api_key (chmod 600)")
    g.add_argument("--ca-bundle", metavar="PEM", help="CA bundle for a private PKI (TLS verification stays on)")
    g.add_argument("--deadline", type=_seconds, default=1800.0, help="give up after this many seconds, every "
                   "request, retry and upload part included (default 1800; exit 4)")  # fmt: skip
    g = p.add_argument_group("dataset")
    g.add_argument("--title", help="dataset title (default: from the source name)")
    g.add_argument("--description", default="", help="text put before the generated description")
    g.add_argument("--producer", default="", help="who produces the data (shown in the description)")
    g.add_argument("--license", default="lov2", help="licence id (default lov2 = Licence Ouverte 2.0; odc-odbl...)")
    g.add_argument("--frequency", default="unknown", help="update frequency id (annual, monthly, irregular...)")
    g.add_argument("--tag", action="append", default=[], help="a tag (repeat); 3 to 96 characters")
    g.add_argument("--zone", action="append", default=[], help="spatial zone, e.g. fr:commune:34172 (repeat)")
    g.add_argument("--granularity", default="", help="spatial granularity, e.g. fr:commune, poi")
    g.add_argument("--temporal", metavar="START/END", help="temporal coverage, e.g. 2020-01-01/2024-12-31")
    g.add_argument("--private", action="store_true", help="leave a new dataset private at the end")
    g = p.add_argument_group("resources")
    g.add_argument("--formats", help="comma-separated formats of the manifest to publish (default: all accepted)")
    g.add_argument("--schema", help="Etalab schema of the data files, NAME[@VERSION]")
    g.add_argument("--schema-format", action="append", help="formats the schema applies to (default geojson)")
    g.add_argument("--wms-url", default="", help="WMS endpoint to add as a remote resource (GetCapabilities)")
    g.add_argument("--wfs-url", default="", help="WFS endpoint to add as a remote resource (GetCapabilities)")
    g.add_argument("--embed-url", default="", help="page embedding the map, added as a remote resource")
    g.add_argument("--chunk-size", type=int, help="bytes per part of large uploads (default 8 MiB)")
    p.set_defaults(handler=run)


def _credentials(args: argparse.Namespace) -> Credentials | None:
    if args.credentials:
        return Credentials.from_file(args.credentials, "datagouv")
    key = os.environ.get(API_KEY_ENV)
    return Credentials(api_key=key) if key else None


def _temporal(text: str | None) -> TemporalCoverage | None:
    from ..publishers.datagouv import TemporalCoverage

    if not text:
        return None
    start, _, end = text.partition("/")
    if not start:
        raise InputError(
            f"--temporal {text!r} has no start date.",
            "Write START/END, e.g. 2020-01-01/2024-12-31.",
            message_fr=f"--temporal {text!r} n'a pas de date de début.",
            hint_fr="Écrivez DÉBUT/FIN, par exemple 2020-01-01/2024-12-31.",
        )
    return TemporalCoverage(start, end)


def options_from_args(args: argparse.Namespace) -> PublishOptions:
    from ..publishers.datagouv import DEFAULT_CHUNK_SIZE, PublishOptions, SchemaRef

    return PublishOptions(
        organization=args.org,
        dataset_key=args.dataset_key,
        title=args.title,
        description=args.description,
        producer=args.producer,
        license=args.license,
        frequency=args.frequency,
        tags=tuple(args.tag),
        zones=tuple(args.zone),
        granularity=args.granularity,
        temporal_coverage=_temporal(args.temporal),
        schema=SchemaRef.parse(args.schema) if args.schema else None,
        schema_formats=tuple(args.schema_format or ("geojson",)),
        formats=tuple(args.formats.split(",")) if args.formats else None,
        wms_url=args.wms_url,
        wfs_url=args.wfs_url,
        embed_url=args.embed_url,
        keep_private=args.private,
        chunk_size=DEFAULT_CHUNK_SIZE if args.chunk_size is None else args.chunk_size,
    )


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    credentials = _credentials(args)
    if credentials is None and not args.dry_run:
        raise AuthError(
            "No data.gouv.fr API key.",
            f"Set {API_KEY_ENV} (or --credentials FILE with [datagouv] api_key); --dry-run works without one.",
            message_fr="Aucune clé d'API data.gouv.fr.",
            hint_fr=f"Définissez {API_KEY_ENV} (ou --credentials FILE avec api_key dans [datagouv]) ; --dry-run "
            "fonctionne sans clé.",
        )
    from ..http import DeadlineTransport, RequestsTransport
    from ..publishers.datagouv import DatagouvClient, publish_outputs

    options = options_from_args(args)
    transport = DeadlineTransport(RequestsTransport(ca_bundle=args.ca_bundle), args.deadline)
    client = DatagouvClient(DEMO_URL if args.demo else args.url, credentials, transport, dry_run=args.dry_run)
    result = publish_outputs(args.outdir, client, options, feedback)
    if not args.json and not args.quiet:
        if args.dry_run:
            planned = quantity(len(result.planned_requests), "write request", "write requests", "en")
            out.print(f"dry run: {planned} would be sent (reads were sent):")
            for line in result.planned_requests:
                out.print(escape(f"  {line}"))
        else:
            page = result.page or client.endpoints.dataset_page(result.slug)
            out.print(escape(f"dataset {result.outcome.value}: {page} (id {result.dataset_id})"))
            for step in result.steps[1:]:
                note = f" ({step.note})" if step.note else ""
                out.print(escape(f"  {step.outcome.value:9} {step.name}{note}"))
            out.print(
                f"{result.bytes_uploaded} bytes uploaded; " + ", ".join(f"{v} {k}" for k, v in result.counts().items())
            )
        for warning in result.warnings:
            err.print(escape(f"warning: {warning}"))
    data = result.to_dict()
    if not args.dry_run:  # the dataset page goes into the folder's metadata record (link to data.gouv.fr)
        from .publication_links import remember_published

        data["page"] = data.get("page") or client.endpoints.dataset_page(result.slug)
        step_options = {"url": args.url, "demo": args.demo, "private": args.private, "frequency": args.frequency}
        remember_published(args.outdir, "datagouv", step_options, data, feedback)
    return data
