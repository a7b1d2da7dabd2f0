"""What a GeoServer publication did (or, in a dry run, would do): outcomes per resource, request counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from ...http import Transport
    from .models import Outcome

__all__ = ["DryRunTransport", "PublishResult", "ResourceOutcome"]


@dataclass(frozen=True)
class ResourceOutcome:
    kind: str  # workspace | datastore | featuretype | style | layer
    name: str
    outcome: Outcome
    detail: str = ""


@dataclass
class PublishResult:
    workspace: str
    outcomes: list[ResourceOutcome] = field(default_factory=list)
    requests: int = 0
    bytes_sent: int = 0  # every request body (JSON, SLD, files)
    file_bytes: int = 0  # GeoPackage bodies only: 0 when nothing had to be uploaded
    seconds: float = 0.0
    planned: list[str] = field(default_factory=list)  # dry run: the writes that were not sent

    def add(self, kind: str, name: str, outcome: Outcome, detail: str = "") -> None:
        self.outcomes.append(ResourceOutcome(kind, name, outcome, detail))

    def of(self, kind: str) -> dict[str, Outcome]:
        return {o.name: o.outcome for o in self.outcomes if o.kind == kind}

    def to_dict(self) -> dict[str, Any]:
        return {
            "workspace": self.workspace,
            "requests": self.requests,
            "bytes_sent": self.bytes_sent,
            "file_bytes": self.file_bytes,
            "seconds": round(self.seconds, 3),
            "resources": [
                {"kind": o.kind, "name": o.name, "outcome": str(o.outcome), "detail": o.detail} for o in self.outcomes
            ],
        }


class DryRunTransport:
    """Sends reads (to plan against the real state) and records writes instead of sending them.

    With ``inner=None`` nothing is sent at all and every read answers 404 (plan against an empty server).
    """

    def __init__(self, inner: Transport | None) -> None:
        self.inner = inner
        self.planned: list[str] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            if self.inner is not None:
                return self.inner.send(request)
            return HttpResponse(404, {}, b"", request.url)
        size = len(request.body) if isinstance(request.body, bytes) else 0
        params = "?" + "&".join(f"{k}={v}" for k, v in request.params.items()) if request.params else ""
        self.planned.append(f"{request.describe()}{params}" + (f"  [{size} bytes]" if size else ""))
        return HttpResponse(201 if request.method == "POST" or "/file." in request.url else 200, {}, b"", request.url)
