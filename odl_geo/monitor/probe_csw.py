"""CSW probe: the record odl-geo published is still in the catalogue, with the revision date it was sent with.

Uses the CSW publisher's own client (:class:`~odl_geo.publishers.csw.CswClient`: GetRecordById in ISO 19139, the
same error handling), over a transport that counts against the monitor's request budget and time-outs.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import NetworkError, OdlGeoError
from ..numbers import quantity
from .model import FAILED, OK, BudgetExhausted, Probe

if TYPE_CHECKING:
    from ..credentials import Credentials
    from ..http import HttpRequest, HttpResponse
    from .model import ProbeHttp
    from .targets import Publication

__all__ = ["probe_csw"]


class _BudgetTransport:
    """A :class:`~odl_geo.http.Transport` over the monitor's: its time-outs, and its cap on requests."""

    def __init__(self, http: ProbeHttp) -> None:
        self.http = http

    def send(self, request: HttpRequest) -> HttpResponse:
        if self.http.count >= self.http.budget.max_requests:
            cap = self.http.budget.max_requests
            raise BudgetExhausted(f"Not checked: the run reached its cap of {cap} requests.", "Raise --max-requests.",
                                  message_fr="Non vérifié : l'exécution a atteint son plafond de "
                                  f"{quantity(cap, 'requête', 'requêtes')}.",
                                  hint_fr="Augmentez --max-requests.")  # fmt: skip
        self.http.count += 1
        return self.http.transport.send(replace(request, timeout=self.http.budget.timeout))


def probe_csw(pub: Publication, http: ProbeHttp, credentials: Credentials | None) -> list[Probe]:
    from ..publishers.csw import CswClient

    rec, ds = pub.record, pub.dataset
    identifier = str(rec.get("identifier") or "")
    client = CswClient(str(rec["url"]), credentials, transport=_BudgetTransport(http))
    url = http.url_of(*client.endpoints.record_by_id(identifier))
    start = time.monotonic()
    try:
        stored = client.get_record(identifier)
    except BudgetExhausted:
        raise
    except NetworkError as exc:
        return [Probe(ds, "csw", "record", identifier, FAILED, f"server down or unreachable: {exc.message}", url,
                      time.monotonic() - start)]  # fmt: skip
    except OdlGeoError as exc:
        return [Probe(ds, "csw", "record", identifier, FAILED, f"the catalogue answered an error: {exc.message}",
                      url, time.monotonic() - start)]  # fmt: skip
    seconds = time.monotonic() - start
    if stored is None:
        return [Probe(ds, "csw", "record", identifier, FAILED,
                      f"the record {identifier} is no longer in the catalogue", url, seconds)]  # fmt: skip
    sent = rec.get("date_stamp")
    if sent and stored.date_stamp != sent:
        return [Probe(ds, "csw", "record", identifier, FAILED,
                      f"the catalogue holds revision {stored.date_stamp or '(none)'}, odl-geo published {sent}",
                      url, seconds)]  # fmt: skip
    return [Probe(ds, "csw", "record", identifier, OK,
                  f"the record is in the catalogue, revision {stored.date_stamp or '(none)'} as published", url,
                  seconds)]  # fmt: skip
