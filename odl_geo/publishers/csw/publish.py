"""Create-or-update one ISO 19139 record in a CSW catalogue, by file identifier, then prove it can be found.

The plan is decided from what the catalogue holds (GetRecordById first, never a blind Insert): no record ->
Insert (CREATED); the same content -> nothing sent (UNCHANGED); other content -> full-record Update (UPDATED). So a
record is never duplicated, and re-publishing an unchanged folder sends no write. "The same content" ignores the
metadata date (``gmd:dateStamp``), which changes every time a record is rebuilt.

After a write the record is read back (GetRecordById: same file identifier and title) and searched for with a
GetRecords by title text and WGS 84 box, as a catalogue user would.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import InputError, RemoteError
from .models import CswRecord, Outcome

if TYPE_CHECKING:
    from ...feedback import Feedback
    from .client import CswClient

__all__ = ["METADATA_FILE", "CswPublishResult", "load_record", "publish_record"]

#: the ISO 19139 record `odl-geo metadata` writes beside the exports
METADATA_FILE = "metadata.xml"


@dataclass
class CswPublishResult:
    url: str
    identifier: str
    title: str
    outcome: Outcome
    requests: int = 0
    seconds: float = 0.0
    planned: list[str] = field(default_factory=list)  # dry run: the writes that were not sent
    read_back: bool = False  # GetRecordById returned the record with the same identifier and title
    findable: bool | None = None  # GetRecords (title text + bbox) found it; None when not checked
    matched: int = 0  # records that GetRecords matched
    date_stamp: str = ""  # the metadata date of the record the catalogue holds now (kept when unchanged)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "identifier": self.identifier,
            "title": self.title,
            "outcome": str(self.outcome),
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "planned": self.planned,
            "read_back": self.read_back,
            "findable": self.findable,
            "matched": self.matched,
            "date_stamp": self.date_stamp,
        }


def load_record(path: str | Path) -> CswRecord:
    """The record of an output folder (its ``metadata.xml``) or an ISO 19139 file.

    :raises InputError: no such folder/file, or the file is not an ISO 19139 record with a file identifier.
    """
    p = Path(path)
    if p.is_dir():
        p = p / METADATA_FILE
        if not p.is_file():
            raise InputError(
                f"{path} has no {METADATA_FILE}.",
                f"Write it first: odl-geo metadata {path} (or give the ISO 19139 file itself).",
                message_fr=f"{path} ne contient pas de {METADATA_FILE}.",
                hint_fr=f"Écrivez-le d'abord : odl-geo metadata {path} (ou indiquez directement le fichier ISO 19139).",
            )
    elif not p.is_file():
        raise InputError(
            f"{path} does not exist.",
            "Give an output folder holding metadata.xml, or the file.",
            message_fr=f"{path} est introuvable.",
            hint_fr="Indiquez un dossier de sortie contenant metadata.xml, ou le fichier lui-même.",
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(
            f"{p} cannot be read ({exc.strerror}).",
            "Check its permissions.",
            message_fr=f"{p} ne peut pas être lu ({exc.strerror}).",
            hint_fr="Vérifiez ses droits d'accès.",
        ) from None
    return CswRecord.from_xml(data, str(p))


def publish_record(
    client: CswClient,
    record: CswRecord,
    feedback: Feedback | None = None,
    *,
    dry_run: bool = False,
    verify: bool = True,
) -> CswPublishResult:
    """Insert or update ``record`` in the catalogue of ``client``; see the module docstring.

    :param dry_run: read the catalogue's state and say which Transaction would be sent; send none.
    :param verify: read the record back and search for it after publishing (also when unchanged).
    :raises NetworkError: the catalogue could not be reached.
    :raises AuthError: the credentials or rights were refused (401/403).
    :raises RemoteError: an HTTP error or an ``ows:ExceptionReport``; or the read-back differs (the record the
        catalogue returns does not have the identifier and title sent).
    """
    t0 = time.monotonic()
    start = client.requests_sent
    if feedback:
        feedback.progress(10, f"CSW: GetRecordById {record.identifier}")
    stored = client.get_record(record.identifier)
    if stored is None:
        outcome, kind = Outcome.CREATED, "Insert"
    elif stored.same_content(record):
        outcome, kind = Outcome.UNCHANGED, ""
    else:
        outcome, kind = Outcome.UPDATED, "Update"
    result = CswPublishResult(client.server, record.identifier, record.title, outcome)
    result.date_stamp = stored.date_stamp if stored is not None and not kind else record.date_stamp
    if dry_run:
        if kind:
            result.planned.append(f"POST {client.server} csw:Transaction {kind} '{record.identifier}'")
    else:
        if kind:
            if feedback:
                feedback.progress(40, f"CSW: Transaction {kind} {record.identifier}")
            (client.insert if kind == "Insert" else client.update)(record)
        if verify:
            _verify(client, record, result, feedback)
    result.requests = client.requests_sent - start
    result.seconds = time.monotonic() - t0
    if feedback:
        feedback.progress(100, f"CSW: {outcome.value} {record.identifier}")
    return result


def _verify(client: CswClient, record: CswRecord, result: CswPublishResult, feedback: Feedback | None) -> None:
    if feedback:
        feedback.progress(70, f"CSW: read back {record.identifier}")
    back = client.get_record(record.identifier)
    if back is None or back.identifier != record.identifier or back.title != record.title:
        got = "nothing" if back is None else f"'{back.identifier}' titled '{back.title}'"
        got_fr = "rien" if back is None else f"la fiche '{back.identifier}' intitulée '{back.title}'"
        raise RemoteError(
            f"CSW {client.server}: after publishing '{record.identifier}', GetRecordById returned {got}.",
            "The catalogue did not keep the record as sent (GeoNetwork: check that it does not generate a new "
            "UUID on import, and the user's group).",
            message_fr=f"CSW {client.server} : après la publication de '{record.identifier}', GetRecordById a "
            f"renvoyé {got_fr}.",
            hint_fr="Le catalogue n'a pas gardé la fiche telle qu'elle a été envoyée (GeoNetwork : vérifiez qu'il ne "
            "génère pas un nouvel UUID à l'import, et le groupe de l'utilisateur).",
        )
    result.read_back = True
    matched, found = client.search(text=record.title or record.identifier, bbox=record.bbox)
    result.matched = matched
    result.findable = any(f.identifier == record.identifier for f in found)
    if not result.findable and feedback:
        feedback.warning(
            f"CSW: the record '{record.identifier}' is stored but a search by its title and extent did not find it "
            "(the catalogue's index may lag behind)."
        )
