"""Create-or-update a publication on GeoServer: workspace -> store (GeoPackage upload) -> feature types ->
styles -> layer default style. Idempotent, never destructive, resumable.

* Nothing is ever deleted; a store that odl-geo did not create is never overwritten.
* Each store's ``description`` records the GeoPackage's sha256 and a fingerprint of the rest of the plan
  (:class:`~.models.PublishRecord`), written **last**: a run that fails half-way leaves no record, so the next
  run redoes that store (GET-first, so nothing is duplicated) and completes it.
* Re-publishing an unchanged set costs one GET per store and one GET per layer (to check the layer and its
  default style are still there), and no file body.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...errors import InputError, NetworkError, RemoteError
from ...feedback import NullFeedback, check_cancelled
from ...http import HttpRequest, HttpResponse
from .models import DataStore, FeatureType, Layer, Outcome, PublishRecord, Workspace

if TYPE_CHECKING:
    from ...feedback import Feedback
    from ...http import Transport
    from .client import GeoServerClient
    from .plan import LayerSpec, PublishPlan, StoreSpec, StyleSpec

__all__ = ["DryRunTransport", "PublishResult", "ResourceOutcome", "ensure_postgis_store", "publish_plan"]

log = logging.getLogger("odl_geo.geoserver")


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


class _Run:
    """One publication: the client, feedback, deadline and the outcomes so far."""

    def __init__(
        self, plan: PublishPlan, client: GeoServerClient, feedback: Feedback, deadline_s: float, dry_run: bool
    ) -> None:
        self.plan, self.client, self.feedback, self.dry_run = plan, client, feedback, dry_run
        self.ws = plan.workspace
        self.deadline = time.monotonic() + deadline_s
        self.deadline_s = deadline_s
        self.result = PublishResult(plan.workspace)
        self.workspace_ready = False
        self.styles_done: dict[str, Outcome] = {}
        self.total = max(1, len(plan.layers))
        self.done = 0

    def tick(self, what: str) -> None:
        """Between two requests: stop if cancelled or past the deadline; report progress."""
        check_cancelled(self.feedback, "Publishing to GeoServer")
        if time.monotonic() > self.deadline:
            raise NetworkError(
                f"Publishing to GeoServer took longer than {self.deadline_s:.0f} s (stopped at {what}).",
                "Raise --deadline or check the server; run again: publishing resumes where it stopped.",
            )
        self.feedback.progress(100.0 * self.done / self.total, what)

    # ---------------------------------------------------------------- steps
    def ensure_workspace(self) -> None:
        if self.workspace_ready:
            return
        self.tick(f"workspace {self.ws}")
        if self.client.get_workspace(self.ws) is not None:
            self.result.add("workspace", self.ws, Outcome.UNCHANGED)
        elif self.client.create_workspace(Workspace(self.ws)):
            self.result.add("workspace", self.ws, Outcome.CREATED)
        else:  # 409: created meanwhile (or by a POST whose answer was lost)
            self.result.add("workspace", self.ws, Outcome.UNCHANGED)
        self.workspace_ready = True

    def publish_store(self, store: StoreSpec) -> None:
        self.tick(f"datastore {store.name}")
        current = self.client.get_datastore(self.ws, store.name)
        if current is None:
            self.ensure_workspace()
        elif not self.workspace_ready:  # the store answered, so the workspace exists
            self.result.add("workspace", self.ws, Outcome.UNCHANGED)
            self.workspace_ready = True
        record = current.record if current else None
        if current is not None and record is None and (current.description or current.type != "GeoPackage"):
            raise InputError(
                f"datastore '{store.name}' already exists in workspace '{self.ws}' and was not published by odl-geo.",
                "odl-geo never replaces what it did not create: publish under another store name (--store) "
                "or another workspace.",
            )
        same_file = record is not None and record.sha256 == store.sha256
        same_plan = same_file and record is not None and record.plan == store.fingerprint
        if same_file:
            self.result.add("datastore", store.name, Outcome.UNCHANGED)
        else:
            self.tick(f"datastore {store.name}: upload")
            self.feedback.info(f"uploading {store.path.name} ({store.size} bytes) to datastore '{store.name}'")
            data = store.path.read_bytes()
            self.client.upload_geopackage(self.ws, store.name, data, filename=f"{store.name}.gpkg")
            self.result.file_bytes += len(data)
            self.result.add("datastore", store.name, Outcome.CREATED if current is None else Outcome.UPDATED)
        for layer in store.layers:
            self.tick(f"layer {layer.name}")
            if not (same_plan and self.layer_unchanged(layer)):
                self.publish_layer(store, layer)
            self.done += 1
        if not same_plan:  # the record goes last: only a complete publication is recorded
            self.tick(f"datastore {store.name}: record")
            desc = PublishRecord(store.sha256, store.fingerprint).to_text()
            self.client.update_datastore(self.ws, DataStore(store.name, description=desc), include_connection=False)

    def layer_unchanged(self, layer: LayerSpec) -> bool:
        """Fast path when the store record matches: one GET proves the layer and its default style are there."""
        current = self.client.get_layer(self.ws, layer.name)
        wanted = self.wanted_layer(layer).default_style
        if current is None or (wanted is not None and current.default_style != wanted):
            return False
        if layer.attribution and current.attribution != layer.attribution:
            return False
        for kind in ("featuretype", "layer"):
            self.result.add(kind, layer.name, Outcome.UNCHANGED)
        if layer.style and layer.style.name not in self.styles_done:
            self.styles_done[layer.style.name] = Outcome.UNCHANGED
            self.result.add("style", layer.style.name, Outcome.UNCHANGED)
        return True

    def wanted_layer(self, layer: LayerSpec) -> Layer:
        style = f"{self.ws}:{layer.style.name}" if layer.style else None
        return Layer(layer.name, style, layer.attribution)

    def publish_layer(self, store: StoreSpec, layer: LayerSpec) -> None:
        self.ensure_featuretype(store, layer.feature_type)
        if layer.style:
            self.ensure_style(layer.style)
        wanted = self.wanted_layer(layer)
        if wanted.default_style is None and wanted.attribution is None:
            self.result.add("layer", layer.name, Outcome.SKIPPED, "no style or attribution given")
            return
        self.tick(f"layer {layer.name}")
        current = self.client.get_layer(self.ws, layer.name)
        if current is None and self.dry_run:  # its feature type was only planned
            current = Layer(layer.name)
        if current is None:  # L2 on a missing layer is a 500, not a 404: never PUT blind
            raise RemoteError(
                f"layer '{layer.name}' is missing although its feature type exists.",
                "Re-create the layer in GeoServer's admin (or delete the feature type) and publish again.",
                status=404,
            )
        same_style = current.default_style == wanted.default_style
        if same_style and (wanted.attribution is None or current.attribution == wanted.attribution):
            self.result.add("layer", layer.name, Outcome.UNCHANGED)
            return
        self.client.update_layer(self.ws, wanted)
        self.result.add("layer", layer.name, Outcome.UPDATED, f"default style {wanted.default_style}")

    def ensure_featuretype(self, store: StoreSpec, wanted: FeatureType) -> None:
        self.tick(f"feature type {wanted.name}")
        current = self.client.get_featuretype(self.ws, store.name, wanted.name)
        if current is None:
            self.client.create_featuretype(self.ws, store.name, wanted)
            self.result.add("featuretype", wanted.name, Outcome.CREATED)
            return
        if current.native_name != wanted.native_name:
            raise InputError(
                f"feature type '{wanted.name}' of datastore '{store.name}' publishes table "
                f"'{current.native_name}', not '{wanted.native_name}'.",
                "Two tables map to the same layer name: rename one of them before converting.",
            )
        if _same_featuretype(current, wanted):
            self.result.add("featuretype", wanted.name, Outcome.UNCHANGED)
            return
        self.client.update_featuretype(self.ws, store.name, wanted)
        self.result.add("featuretype", wanted.name, Outcome.UPDATED)

    def ensure_style(self, spec: StyleSpec) -> None:
        if spec.name in self.styles_done:
            return
        self.tick(f"style {spec.name}")
        model = spec.model
        body = spec.path.read_bytes()
        if self.client.get_style(self.ws, spec.name) is None:
            self.client.create_style(self.ws, model)  # ST4(a) info first, then the body (ST5)
            self.client.upload_style_body(self.ws, model, body)
            outcome = Outcome.CREATED
        else:  # GeoServer re-encodes SLD 1.0 on upload: bytes cannot be compared, the plan fingerprint decides
            self.client.upload_style_body(self.ws, model, body)
            outcome = Outcome.UPDATED
        self.styles_done[spec.name] = outcome
        self.result.add("style", spec.name, outcome, f"SLD {spec.version}")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _same_featuretype(current: FeatureType, wanted: FeatureType) -> bool:
    if (current.title, current.abstract, tuple(current.keywords), current.srs) != (
        wanted.title,
        wanted.abstract,
        tuple(wanted.keywords),
        wanted.srs,
    ):
        return False
    for a, b in ((current.native_bbox, wanted.native_bbox), (current.latlon_bbox, wanted.latlon_bbox)):
        if b is None:
            continue
        if a is None:
            return False
        pairs = zip((a.minx, a.miny, a.maxx, a.maxy), (b.minx, b.miny, b.maxx, b.maxy), strict=True)
        if not all(_close(x, y) for x, y in pairs):
            return False
    return True


def publish_plan(
    plan: PublishPlan,
    client: GeoServerClient,
    feedback: Feedback | None = None,
    *,
    deadline_s: float = 1800.0,
    dry_run: bool = False,
) -> PublishResult:
    """Publish every store and layer of ``plan``; returns one :class:`Outcome` per resource.

    :param deadline_s: the whole publication must finish within this time (each request also has its timeout).
    :raises AuthError: 401/403 (bad credentials or missing permission).
    :raises RemoteError: GeoServer answered an error; the message names the step and the resource.
    :raises NetworkError: no answer after retries, or the deadline passed.
    :raises CancelledError: ``feedback.is_cancelled()`` became true (what was published stays usable).
    :raises InputError: a store of the same name exists and odl-geo did not create it.

    With ``dry_run`` nothing is written: the client's transport is wrapped in a :class:`DryRunTransport` (unless it
    is one already), reads still go to the server, and the writes it would have sent are in ``result.planned``.
    """
    if dry_run and not isinstance(client.transport, DryRunTransport):
        client = client.with_transport(DryRunTransport(client.transport))
    run = _Run(plan, client, feedback or NullFeedback(), deadline_s, dry_run)
    start, req0, bytes0 = time.monotonic(), client.requests_sent, client.bytes_sent
    try:
        for store in plan.stores:
            run.publish_store(store)
    finally:
        run.result.requests = client.requests_sent - req0
        run.result.bytes_sent = client.bytes_sent - bytes0
        run.result.seconds = time.monotonic() - start
        if isinstance(client.transport, DryRunTransport):
            run.result.planned = list(client.transport.planned)
    run.feedback.progress(100.0, "published")
    return run.result


def ensure_postgis_store(client: GeoServerClient, workspace: str, store: DataStore) -> Outcome:
    """Create-or-update a PostGIS datastore by connection parameters (DS2 -> DS3, or DS4 with the full list).

    The password (``passwd``) is not compared: GeoServer answers it encrypted. It is sent on creation and
    whenever another parameter changed. The workspace is created when missing.

    :raises InputError: a store of that name exists and is not a PostGIS store.
    """
    current = client.get_datastore(workspace, store.name)
    if current is None:
        if client.get_workspace(workspace) is None:
            client.create_workspace(Workspace(workspace))
        client.create_datastore(workspace, store)
        return Outcome.CREATED
    if current.type and current.type != "PostGIS":
        raise InputError(
            f"datastore '{store.name}' already exists in workspace '{workspace}' as a {current.type} store.",
            "Choose another store name.",
        )
    ignore = {"passwd", "password", "namespace"}
    wanted = {k: v for k, v in store.connection.items() if k not in ignore}
    have = {k: v for k, v in current.connection.items() if k in wanted}
    if have == wanted:
        return Outcome.UNCHANGED
    client.update_datastore(workspace, store)
    return Outcome.UPDATED
