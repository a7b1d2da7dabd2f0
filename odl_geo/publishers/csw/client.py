"""Thin typed CSW 2.0.2 client (discovery + CSW-T) over the project's one :class:`~odl_geo.http.Transport`.

Requests are built in :mod:`.models` (lxml, OWSLib's filter encoding) and sent through the transport, so that
authentication, TLS and the CA bundle, retries, timeouts and secret redaction are the same as every other
publisher's (OWSLib's own ``CatalogueServiceWeb`` would open its own ``requests`` session, and in QGIS ignore
QGIS's proxy and certificates).

CSW servers answer many errors with HTTP 200 and an ``ows:ExceptionReport``: every answer is parsed, and such a
report is a :class:`RemoteError` naming the server and quoting its text.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from lxml import etree

from ...credentials import redact, redact_url
from ...errors import AuthError, NetworkError, RemoteError
from ...http import HttpRequest, HttpResponse, RequestsTransport
from ...numbers import agree, quantity
from .endpoints import CSW_NS, Endpoints
from .models import (
    CswRecord,
    ExceptionReport,
    FoundRecord,
    TransactionSummary,
    getrecords_payload,
    parse_xml,
    records_from_payload,
    stored_record,
    transaction_payload,
)

if TYPE_CHECKING:
    from ...credentials import Credentials
    from ...http import Transport

__all__ = ["CswClient"]

log = logging.getLogger("odl_geo.csw")
XML_BODY = {"Content-Type": "application/xml; charset=UTF-8", "Accept": "application/xml"}
AUTH_HINT = (
    "Check ODL_CSW_USER / ODL_CSW_PASSWORD (or the [csw] section of the credentials file). GeoNetwork needs a user "
    "with editor rights on its csw-publication endpoint (…/geonetwork/srv/fre/csw-publication)."
)
AUTH_HINT_FR = (
    "Vérifiez ODL_CSW_USER / ODL_CSW_PASSWORD (ou la section [csw] du fichier d'identifiants). GeoNetwork demande "
    "un utilisateur ayant les droits d'édition sur son point d'accès csw-publication "
    "(…/geonetwork/srv/fre/csw-publication)."
)
#: the hint of an answer that is not the CSW document expected (a login or portal page)
NOT_CSW_HINT = "Check that the URL is the CSW endpoint (not a login or portal page)."
NOT_CSW_HINT_FR = "Vérifiez que l'URL est bien le point d'accès CSW (et non une page de connexion ou de portail)."


class CswClient:
    """One CSW service.

    :param url: the CSW endpoint (GeoNetwork: the ``csw-publication`` one, which accepts CSW-T).
    :param credentials: username/password for HTTP Basic, or None (pycsw restricts CSW-T by IP instead).
    :param transport: defaults to :class:`RequestsTransport` (with ``ca_bundle`` for a private PKI).
    :param deadline: a :func:`time.monotonic` instant after which no new request is sent.
    """

    def __init__(
        self,
        url: str,
        credentials: Credentials | None = None,
        transport: Transport | None = None,
        ca_bundle: str | None = None,
        deadline: float | None = None,
    ) -> None:
        self.endpoints = Endpoints(url)
        self.credentials = credentials
        self.transport: Transport = transport or RequestsTransport(ca_bundle=ca_bundle)
        self.deadline = deadline
        self.requests_sent = 0
        self.server = redact_url(url)

    # ------------------------------------------------------------------ plumbing
    def _send(self, method: str, url: str, step: str, *, params: dict[str, str] | None = None,
              body: bytes | None = None) -> HttpResponse:  # fmt: skip
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise NetworkError(
                f"CSW {self.server}: {step} not sent, the deadline has passed.",
                "The catalogue is slow; run again later or raise --deadline.",
                message_fr=f"CSW {self.server} : {step} n'a pas été envoyé, l'échéance (--deadline) est passée.",
                hint_fr="Le catalogue est lent ; relancez plus tard, ou augmentez --deadline.",
            )
        req = HttpRequest(method, url, headers=XML_BODY if body is not None else {"Accept": "application/xml"},
                          params=params, body=body, auth=self.credentials)  # fmt: skip
        self.requests_sent += 1
        resp = self.transport.send(req)
        log.debug("%s (%s) -> %s", req.describe(), step, resp.status)
        return resp

    def _xml(self, resp: HttpResponse, step: str, expect: str) -> etree._Element:
        """The parsed answer, a ``csw:{expect}``; raises on an HTTP error, a non-XML body, an
        ``ows:ExceptionReport`` or any other document (an XHTML portal page parses as XML too)."""
        secrets = self.credentials.secrets if self.credentials else ()
        detail = redact(resp.text[:8000].strip().replace("\n", " "), secrets)[:300]
        if resp.status in (401, 403):
            what = "refused the credentials" if resp.status == 401 else "refused the permission"
            what_fr = "a refusé les identifiants" if resp.status == 401 else "a refusé l'autorisation"
            raise AuthError(f"CSW {self.server} {what} ({resp.status}) for {step}.", AUTH_HINT, status=resp.status,
                            message_fr=f"CSW {self.server} {what_fr} ({resp.status}) pour {step}.",
                            hint_fr=AUTH_HINT_FR)  # fmt: skip
        if not resp.ok:
            hint = ("The catalogue failed (see its log); run again later." if resp.status >= 500
                    else "Check the URL: it must be the CSW endpoint itself.")  # fmt: skip
            hint_fr = ("Le catalogue a échoué (voir son journal) ; relancez plus tard." if resp.status >= 500
                       else "Vérifiez l'URL : ce doit être le point d'accès CSW lui-même.")  # fmt: skip
            raise RemoteError(f"CSW {self.server} {step} failed: {resp.status} {detail}".strip(), hint,
                              status=resp.status,
                              message_fr=f"CSW {self.server} : échec de {step} : {resp.status} {detail}".strip(),
                              hint_fr=hint_fr)  # fmt: skip
        root = parse_xml(resp.body)
        if root is None:
            raise RemoteError(
                f"CSW {self.server} {step}: the answer is not XML ({resp.header('Content-Type') or 'no type'}): "
                f"{detail[:120]}",
                NOT_CSW_HINT,
                status=resp.status,
                message_fr=f"CSW {self.server}, {step} : la réponse n'est pas du XML "
                f"({resp.header('Content-Type') or 'sans type'}) : {detail[:120]}",
                hint_fr=NOT_CSW_HINT_FR,
            )
        report = ExceptionReport.from_payload(root)
        if report is not None:
            text = redact(report.text.replace("\n", " "), secrets)
            if len(text) > 400:
                text = text[:400] + "…"
            code = f" [{report.code}{'/' + report.locator if report.locator else ''}]" if report.code else ""
            raise RemoteError(
                f"CSW {self.server} {step} failed: ExceptionReport{code}: {text}",
                "The catalogue refused the request; its message is quoted above (for CSW-T: are transactions "
                "enabled, and is this client allowed to use them?).",
                status=resp.status,
                message_fr=f"CSW {self.server} : échec de {step} : ExceptionReport{code} : {text}",
                hint_fr="Le catalogue a refusé la requête ; son message est cité ci-dessus (pour CSW-T : les "
                "transactions sont-elles activées, et ce client a-t-il le droit de les utiliser ?).",
            )
        if root.tag != f"{{{CSW_NS}}}{expect}":
            raise RemoteError(
                f"CSW {self.server} {step}: the answer is not a csw:{expect} but <{etree.QName(root).localname}> "
                f"({resp.header('Content-Type') or 'no type'}).",
                NOT_CSW_HINT,
                status=resp.status,
                message_fr=f"CSW {self.server}, {step} : la réponse n'est pas un csw:{expect} mais "
                f"<{etree.QName(root).localname}> ({resp.header('Content-Type') or 'sans type'}).",
                hint_fr=NOT_CSW_HINT_FR,
            )
        return root

    # ------------------------------------------------------------------ operations
    def supports_transactions(self) -> bool:
        """GetCapabilities lists a ``Transaction`` operation (the cheapest check of URL, credentials and CSW-T)."""
        url, params = self.endpoints.capabilities()
        root = self._xml(self._send("GET", url, "GetCapabilities", params=params), "GetCapabilities", "Capabilities")
        names = {op.get("name") for op in root.iter("{http://www.opengis.net/ows}Operation")}
        return "Transaction" in names

    def get_record(self, identifier: str) -> CswRecord | None:
        """GetRecordById in ISO 19139; None when the catalogue holds no record with that file identifier."""
        url, params = self.endpoints.record_by_id(identifier)
        step = f"GetRecordById '{identifier}'"
        root = self._xml(self._send("GET", url, step, params=params), step, "GetRecordByIdResponse")
        md = stored_record(root)
        if md is None:
            return None
        return CswRecord.from_element(md, f"the stored record '{identifier}'", f"La fiche stockée '{identifier}'")

    def insert(self, record: CswRecord) -> TransactionSummary:
        return self._transaction("Insert", record)

    def update(self, record: CswRecord) -> TransactionSummary:
        """Full-record Update: the catalogue replaces the record with the same file identifier."""
        return self._transaction("Update", record)

    def _transaction(self, kind: str, record: CswRecord) -> TransactionSummary:
        step = f"Transaction {kind} '{record.identifier}'"
        resp = self._send("POST", self.endpoints.transaction(), step, body=transaction_payload(kind, record))
        root = self._xml(resp, step, "TransactionResponse")
        summary = TransactionSummary.from_payload(root)
        if summary is None:
            raise RemoteError(f"CSW {self.server} {step}: the answer is not a csw:TransactionResponse.",
                              "Check that the URL is a CSW-T endpoint.", status=resp.status,
                              message_fr=f"CSW {self.server}, {step} : la réponse n'est pas un "
                              "csw:TransactionResponse.",
                              hint_fr="Vérifiez que l'URL est un point d'accès CSW-T.")  # fmt: skip
        done = summary.inserted if kind == "Insert" else summary.updated
        if done != 1:
            done_fr = agree(done, *(("insérée", "insérées") if kind == "Insert" else ("mise à jour", "mises à jour")))
            raise RemoteError(
                f"CSW {self.server} {step}: the catalogue reports {done} {agree(done, 'record', 'records', 'en')} "
                f"{kind.lower()}ed, not 1.",
                "The catalogue did not store the record; check its log (GeoNetwork: the user's rights on the group).",
                status=resp.status,
                message_fr=f"CSW {self.server}, {step} : le catalogue indique {quantity(done, 'fiche', 'fiches')} "
                f"{done_fr}, et non 1.",
                hint_fr="Le catalogue n'a pas enregistré la fiche ; consultez son journal (GeoNetwork : les droits de "
                "l'utilisateur sur le groupe).",
            )
        return summary

    def search(self, text: str | None = None, bbox: tuple[float, float, float, float] | None = None,
               max_records: int = 50) -> tuple[int, list[FoundRecord]]:  # fmt: skip
        """GetRecords by free text and/or WGS 84 box: (number matched, records returned)."""
        step = f"GetRecords (text={text!r}, bbox={bbox})"
        body = getrecords_payload(text, bbox, max_records)
        resp = self._send("POST", self.endpoints.records(), step, body=body)
        return records_from_payload(self._xml(resp, step, "GetRecordsResponse"))
