"""What a monitor run found: one :class:`Probe` per check, and the bounded HTTP access every probe goes through.

Each probe says which published object it checked (dataset, service, check, target), whether it passed, in one
sentence why not, the exact URL it called (secrets masked) and how long it took. Probes share one
:class:`ProbeHttp`: the project's :class:`~odl_geo.http.Transport`, a time-out per request and a cap on the number
of requests of the whole run, so that a monitor run by cron never hangs nor hammers a server.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..credentials import redact, redact_url
from ..errors import NetworkError, OdlGeoError
from ..http import HttpRequest
from ..numbers import quantity

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ..credentials import Credentials
    from ..http import HttpResponse, Transport

__all__ = ["FAILED", "OK", "SKIPPED", "Budget", "BudgetExhausted", "MonitorResult", "Probe", "ProbeHttp"]

OK, FAILED, SKIPPED = "ok", "failed", "skipped"


@dataclass
class Probe:
    """One check of one published object. ``status`` is ok, failed or skipped (could not be checked because an
    earlier probe of the same service failed: its state in the history is left as it was)."""

    dataset: str
    service: str  # wms, wfs, datagouv, postgis, csw
    check: str  # capabilities, layer, getmap, hits, dataset, resource, checksum, fresh, schema, table, record
    target: str  # the layer, resource, table... checked
    status: str
    message: str
    url: str = ""
    seconds: float = 0.0

    @property
    def key(self) -> str:
        """Stable identity of the check across runs (the history's key)."""
        return f"{self.dataset}|{self.service}|{self.check}|{self.target}"

    @property
    def ok(self) -> bool:
        return self.status == OK

    def to_dict(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "service": self.service, "check": self.check, "target": self.target,
                "status": self.status, "message": self.message, "url": self.url,
                "seconds": round(self.seconds, 3)}  # fmt: skip


@dataclass
class MonitorResult:
    job: str
    time: str
    probes: list[Probe] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # state changes since the previous run
    alerts: list[dict[str, Any]] = field(default_factory=list)  # what was sent (channel, ok, message)
    requests: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[Probe]:
        return [p for p in self.probes if p.status == FAILED]

    @property
    def exit_code(self) -> int:
        """0 when every probe passed (or was skipped behind one that passed), else :data:`MONITOR_FAILED_EXIT`."""
        return MONITOR_FAILED_EXIT if self.failed else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "time": self.time,
            "exit_code": self.exit_code,
            "ok": sum(1 for p in self.probes if p.status == OK),
            "failed": len(self.failed),
            "skipped": sum(1 for p in self.probes if p.status == SKIPPED),
            "requests": self.requests,
            "seconds": round(self.seconds, 2),
            "probes": [p.to_dict() for p in self.probes],
            "changes": self.changes,
            "alerts": self.alerts,
        }


#: exit code of ``odl-geo monitor`` when a check failed (docs/errors.md)
MONITOR_FAILED_EXIT = 8


@dataclass(frozen=True)
class Budget:
    """Bounds of one monitor run: per-request time-outs, requests in all, bytes downloaded per resource."""

    timeout: tuple[float, float] = (5.0, 20.0)
    max_requests: int = 500
    max_download: int = 20 * 1024 * 1024  # resources above it: checksum compared with udata's, not downloaded
    max_downloads: int = 20  # at most this many resources downloaded per run (the others are sampled out)


class BudgetExhausted(OdlGeoError):
    """The run reached its request cap: the probes left are not run and their checks keep their last state (not a
    NetworkError: a probe must not take the cap for a server down and alert)."""


class ProbeHttp:
    """Sends through the project's Transport, counting requests against the budget and timing each one."""

    def __init__(self, transport: Transport, budget: Budget, secrets: tuple[str, ...] = ()) -> None:
        self.transport, self.budget, self.secrets = transport, budget, secrets
        self.count = 0
        self.downloads = 0

    def url_of(self, url: str, params: Mapping[str, str] | None = None) -> str:
        """The exact URL called, as shown to users: secrets masked."""
        if params:
            from urllib.parse import urlencode

            url = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
        return redact(redact_url(url), self.secrets)

    def send(self, method: str, url: str, params: Mapping[str, str] | None = None,
             headers: Mapping[str, str] | None = None, auth: Credentials | None = None,
             json_body: Any = None) -> tuple[HttpResponse, float]:  # fmt: skip
        """(response, seconds). :raises NetworkError: no answer; :raises BudgetExhausted: the cap is reached."""
        if self.count >= self.budget.max_requests:
            raise BudgetExhausted(
                f"Not checked: the run reached its cap of {self.budget.max_requests} requests.",
                "Raise --max-requests, or monitor fewer datasets per run (--only).",
                message_fr="Non vérifié : l'exécution a atteint son plafond de "
                f"{quantity(self.budget.max_requests, 'requête', 'requêtes')}.",
                hint_fr="Augmentez --max-requests, ou surveillez moins de jeux de données par exécution (--only).",
            )
        self.count += 1
        start = time.monotonic()
        request = HttpRequest(method, url, headers=dict(headers or {}), params=params, auth=auth,
                              json_body=json_body, timeout=self.budget.timeout)  # fmt: skip
        try:
            response = self.transport.send(request)
        except NetworkError as exc:
            exc.seconds = time.monotonic() - start  # type: ignore[attr-defined]
            raise
        return response, time.monotonic() - start

    def say(self, text: str) -> str:
        """A server's words, shortened and with every secret masked, for a probe's message."""
        text = " ".join(text.split())
        return redact(text[:200] + ("…" if len(text) > 200 else ""), self.secrets)
