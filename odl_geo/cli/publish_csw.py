"""``odl-geo publish csw OUT_FOLDER --url URL``: the folder's ISO 19139 record into a CSW catalogue (CSW-T).

The record must pass odl-geo's INSPIRE rules (``odl_geo.metadata.require_inspire``) before anything is sent.
Create-or-update by file identifier (GetRecordById first: never a duplicate; an unchanged record is not sent),
then read back (GetRecordById) and searched for (GetRecords by title and extent). The record is the folder's
``metadata.xml``; when it is missing it is built first with ``odl_geo.metadata`` (as ``odl-geo metadata`` does).

Credentials (HTTP Basic, optional: pycsw restricts CSW-T by IP address, GeoNetwork needs an editor account on
``…/geonetwork/srv/fre/csw-publication``): ``ODL_CSW_USER`` / ``ODL_CSW_PASSWORD`` or ``--credentials FILE``
(TOML, section ``[csw]``, mode 600). Never printed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..credentials import Credentials
from ..errors import InputError
from ..numbers import quantity
from .main import publish_subparsers

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..feedback import Feedback

__all__ = ["register"]

ENV_PREFIX = "ODL_CSW"


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = publish_subparsers(sub).add_parser(
        "csw",
        parents=[common],
        help="publish the ISO 19139 metadata record to a CSW catalogue (pycsw, GeoNetwork)",
        description="Insert or update the ISO 19139 record of OUT_FOLDER (its metadata.xml, built first when "
        "missing) in a CSW catalogue with CSW-T, matched by its file identifier: never duplicated, not sent again "
        "when unchanged. Then reads it back (GetRecordById) and searches for it (GetRecords by title and extent). "
        f"Credentials (HTTP Basic, when the catalogue asks): {ENV_PREFIX}_USER / {ENV_PREFIX}_PASSWORD or "
        "--credentials (section [csw]); never printed. GeoNetwork: --url https://HOST/geonetwork/srv/fre/"
        "csw-publication, an account with editor rights.",
    )
    p.add_argument("path", metavar="OUT_FOLDER", help="output folder (with metadata.xml) or an ISO 19139 file")
    p.add_argument("--url", required=True, help="CSW endpoint, e.g. https://catalogue.example.fr/geonetwork/srv/fre/"
                   "csw-publication or http://127.0.0.1:8000/csw (pycsw)")  # fmt: skip
    p.add_argument("--credentials", metavar="FILE", help="TOML credentials file with a [csw] section")
    p.add_argument("--ca-bundle", metavar="PEM", help="CA bundle for a private PKI (TLS verification stays on)")
    p.add_argument("--deadline", type=float, default=300.0, help="give up after this many seconds (default 300)")
    p.add_argument("--no-verify", action="store_true", help="skip the read-back and search after publishing")
    p.add_argument("--dry-run", action="store_true", help="read the catalogue, say what would be sent; change nothing")
    p.set_defaults(handler=run)


def _credentials(args: argparse.Namespace) -> Credentials | None:
    creds = Credentials.from_file(args.credentials, "csw") if args.credentials else Credentials.from_env(ENV_PREFIX)
    if creds.username and creds.password:
        return creds
    if creds.username or creds.password:
        raise InputError(
            "Incomplete CSW credentials: a user without password, or a password without user.",
            f"Set both {ENV_PREFIX}_USER and {ENV_PREFIX}_PASSWORD (or username and password in [csw]).",
            message_fr="Identifiants CSW incomplets : un utilisateur sans mot de passe, ou un mot de passe sans "
            "utilisateur.",
            hint_fr=f"Définissez à la fois {ENV_PREFIX}_USER et {ENV_PREFIX}_PASSWORD (ou username et password dans "
            "[csw]).",
        )
    return None


def _record(path: str) -> Any:
    """The folder's record; built with odl_geo.metadata when the folder has no metadata.xml yet."""
    from ..publishers.csw import METADATA_FILE, load_record

    folder = Path(path)
    if folder.is_dir() and not (folder / METADATA_FILE).is_file() and (folder / "manifest.json").is_file():
        from ..metadata import metadata_input, prepare_record, write_metadata

        write_metadata(folder, prepare_record(folder, metadata_input(folder)))  # as `odl-geo metadata` does
    return load_record(path)


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    import time

    from ..http import RequestsTransport
    from ..metadata import require_inspire
    from ..publishers.csw import CswClient, publish_record

    creds = _credentials(args)
    record = _record(args.path)
    # pycsw stores schema-invalid records and GeoNetwork incomplete ones: the INSPIRE rules are checked here, before
    # anything is sent (every missing mandatory element listed; exit 2)
    for issue in require_inspire(record.xml, str(args.path)):
        feedback.warning(issue.message_fr)
    client = CswClient(args.url, creds, RequestsTransport(ca_bundle=args.ca_bundle),
                       deadline=time.monotonic() + args.deadline)  # fmt: skip
    result = publish_record(client, record, feedback, dry_run=args.dry_run, verify=not args.no_verify)
    data = result.to_dict()
    if not args.json and not args.quiet:
        if args.dry_run:
            out.print(f"dry run against {escape(result.url)}: record {escape(record.identifier)} would be "
                      f"{result.outcome.value}; nothing was changed.")  # fmt: skip
            for line in result.planned or ["(nothing to write: the catalogue holds the same record)"]:
                out.print(f"  {escape(line)}")
        else:
            out.print(f"{result.outcome.value}: {escape(record.identifier)} « {escape(record.title)} » in "
                      f"{escape(result.url)} ({result.requests} requests, {result.seconds:.2f} s)")  # fmt: skip
            if result.read_back:
                found = "found" if result.findable else "NOT found (the catalogue's index may lag)"
                matches = quantity(result.matched, "match", "matches", "en")
                out.print(f"  read back: ok; search by title and extent: {found} ({matches})")
    if args.dry_run:
        return {"dry_run": True, "planned_requests": result.planned, **data}
    # for the journal and `odl-geo monitor` (which checks the record is still there with this revision date)
    data["published"] = {"target": "csw", "url": result.url, "identifier": result.identifier, "title": result.title,
                         "outcome": data["outcome"], "date_stamp": result.date_stamp}  # fmt: skip
    return data
