"""Create-or-update a publication on GeoServer: workspace -> store (GeoPackage upload, or PostGIS by connection
parameters) -> feature types -> styles -> layer default style. Idempotent, never destructive, resumable.

* Nothing is ever deleted, and nothing odl-geo did not create is modified: a store is odl-geo's when its
  ``description`` carries odl-geo's mark (written right after creating it), a style when its file name is
  ``{name}.odl-geo.sld`` (:mod:`.models`); anything else of the same name is refused with :class:`InputError`.
* Each store's ``description`` records the data's sha256 and a fingerprint of the rest of the plan
  (:class:`~.models.PublishRecord`), written **last**: a run that fails half-way leaves no record, so the next
  run redoes that store (GET-first, so nothing is duplicated) and completes it.
* After the data of an existing store changed (a GeoPackage replaced in place, PostGIS tables reloaded), the
  store is reset (``PUT …/datastores/{ds}/reset``) so that GeoServer does not keep serving the old data.
* Re-publishing an unchanged set costs one GET per store and one GET per layer (to check the layer and its
  default style are still there), and no file body.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from ...errors import InputError, NetworkError, RemoteError
from ...feedback import NullFeedback, check_cancelled
from ...http import DeadlineTransport
from ...numbers import agree
from .models import DataStore, FeatureType, Layer, Outcome, PublishRecord, Workspace
from .result import DryRunTransport, PublishResult, ResourceOutcome

if TYPE_CHECKING:
    from ...feedback import Feedback
    from .client import GeoServerClient
    from .plan import LayerSpec, PublishPlan, StoreSpec, StyleSpec

__all__ = ["DryRunTransport", "PublishResult", "ResourceOutcome", "ensure_postgis_store", "publish_plan"]

log = logging.getLogger("odl_geo.geoserver")


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
        #: layers of the plan found in the workspace before anything was written (read once, by check_layer_names)
        self.found_layers: dict[str, Layer] = {}

    def check_layer_names(self) -> None:
        """Before writing anything: refuse a layer name that another store holds in the workspace.

        GeoServer keeps one resource per name in a namespace, all stores together (its catalog validator answers
        500 "Resource named … already exists in namespace" to the feature type creation, after the file was
        uploaded). Refused here instead, naming the store that holds the name and what to do, so a re-run does not
        fail the same way after uploading the file again. One GET per layer of the plan (kept for the unchanged
        check, so a re-publication costs no more requests than before).

        :raises InputError: one or more names are taken by another store (all of them listed).
        """
        self.tick(f"workspace {self.ws}: layer names", f"espace de travail {self.ws} : noms des couches")
        conflicts = []
        for store in self.plan.stores:
            for layer in store.layers:
                current = self.client.get_layer(self.ws, layer.name)
                if current is None:
                    continue
                self.found_layers[layer.name] = current
                if current.store != store.name or current.resource_kind not in ("", "featureType"):
                    holder = f"store '{current.store}'" if current.store else "another resource"
                    holder_fr = f"l'entrepôt '{current.store}'" if current.store else "une autre ressource"
                    conflicts.append((layer.name, layer.feature_type.native_name, holder, holder_fr))
        if conflicts:
            table = conflicts[0][1]
            listed = ", ".join(f"'{name}' (table '{tbl}', held by {holder})" for name, tbl, holder, _ in conflicts)
            listed_fr = ", ".join(f"'{name}' (table '{tbl}', détenu par {fr})" for name, tbl, _, fr in conflicts)
            raise InputError(
                f"{agree(len(conflicts), 'Layer name', 'Layer names', 'en')} already taken in workspace '{self.ws}' "
                f"by another store: {listed}. "
                "GeoServer keeps one layer per name in a workspace; nothing was changed.",
                f"Publish under another name (--layer-name {table}=NEW_NAME, or layer_name = [\"{table}=NEW_NAME\"] "
                "in a job file), publish to another --workspace, or remove the old layer in GeoServer if it is "
                "obsolete.",
                message_fr=f"{agree(len(conflicts), 'Nom de couche déjà pris', 'Noms de couche déjà pris')} par un "
                f"autre entrepôt dans l'espace de travail '{self.ws}' : {listed_fr}. GeoServer n'admet qu'une couche "
                "par nom dans un espace de travail ; rien n'a été modifié.",
                hint_fr=f"Publiez sous un autre nom (--layer-name {table}=NEW_NAME, ou layer_name = "
                f'["{table}=NEW_NAME"] dans un fichier de tâche), publiez dans un autre --workspace, ou supprimez '
                "l'ancienne couche dans GeoServer si elle est obsolète.",
            )

    def tick(self, what: str, what_fr: str = "") -> None:
        """Between two requests: stop if cancelled or past the deadline; report progress.

        :param what_fr: ``what`` in French, for the error when the deadline passed."""
        check_cancelled(self.feedback, "Publishing to GeoServer")
        if time.monotonic() > self.deadline:
            raise NetworkError(
                f"Publishing to GeoServer took longer than {self.deadline_s:.0f} s (stopped at {what}).",
                "Raise --deadline or check the server; run again: publishing resumes where it stopped.",
                message_fr=f"La publication sur GeoServer a duré plus de {self.deadline_s:.0f} s (arrêtée à l'étape "
                f"« {what_fr or what} »).",
                hint_fr="Augmentez --deadline ou vérifiez le serveur ; relancez : la publication reprend là où elle "
                "s'est arrêtée.",
            )
        self.feedback.progress(100.0 * self.done / self.total, what)

    # ---------------------------------------------------------------- steps
    def ensure_workspace(self) -> None:
        if self.workspace_ready:
            return
        self.tick(f"workspace {self.ws}", f"espace de travail {self.ws}")
        if self.client.get_workspace(self.ws) is not None:
            self.result.add("workspace", self.ws, Outcome.UNCHANGED)
        elif self.client.create_workspace(Workspace(self.ws)):
            self.result.add("workspace", self.ws, Outcome.CREATED)
        else:  # 409: created meanwhile (or by a POST whose answer was lost)
            self.result.add("workspace", self.ws, Outcome.UNCHANGED)
        self.workspace_ready = True

    def publish_store(self, store: StoreSpec) -> None:
        self.tick(f"datastore {store.name}", f"entrepôt {store.name}")
        current = self.client.get_datastore(self.ws, store.name)
        if current is None:
            self.ensure_workspace()
        elif not self.workspace_ready:  # the store answered, so the workspace exists
            self.result.add("workspace", self.ws, Outcome.UNCHANGED)
            self.workspace_ready = True
        if current is not None:
            self.check_store_owned(store, current)
        record = current.record if current else None
        same_data = record is not None and record.sha256 == store.sha256
        same_plan = same_data and record is not None and record.plan == store.fingerprint
        if store.postgis is not None:
            self.ensure_postgis(store, current, same_data)
        elif same_data:
            self.result.add("datastore", store.name, Outcome.UNCHANGED)
        else:
            self.upload(store, current)
        for layer in store.layers:
            self.tick(f"layer {layer.name}", f"couche {layer.name}")
            if not (same_plan and self.layer_unchanged(layer)):
                self.publish_layer(store, layer)
            self.done += 1
        if not same_plan:  # the record goes last: only a complete publication is recorded
            self.tick(f"datastore {store.name}: record", f"entrepôt {store.name} : enregistrement")
            desc = PublishRecord(store.sha256, store.fingerprint).to_text()
            self.client.update_datastore(self.ws, DataStore(store.name, description=desc), include_connection=False)

    def check_store_owned(self, store: StoreSpec, current: DataStore) -> None:
        """Refuse a store odl-geo did not create (its description carries no odl-geo mark).

        One exception, the exact trace of odl-geo's own creation cut between the upload and the mark that
        follows it: a GeoPackage store without description, without any feature type, whose file is where
        odl-geo's upload puts it (``…/{ws}/{store}/{store}.gpkg``).
        """
        if current.owned:
            if current.type and current.type != store.kind:
                raise InputError(
                    f"datastore '{store.name}' of workspace '{self.ws}' is a {current.type} store published by "
                    f"odl-geo, not a {store.kind} store.",
                    "Publish under another store name (--store) or another --workspace.",
                    message_fr=f"L'entrepôt '{store.name}' de l'espace de travail '{self.ws}' est un entrepôt "
                    f"{current.type} publié par odl-geo, et non un entrepôt {store.kind}.",
                    hint_fr="Publiez sous un autre nom d'entrepôt (--store) ou dans un autre --workspace.",
                )
            return
        if store.kind == "GeoPackage" and current.type == "GeoPackage" and not current.description:
            database = current.connection.get("database", "").replace("\\", "/")
            if database.endswith(f"/{self.ws}/{store.name}/{store.name}.gpkg") and not self.client.list_featuretypes(
                self.ws, store.name
            ):
                return
        raise InputError(
            f"datastore '{store.name}' already exists in workspace '{self.ws}' and was not created by odl-geo; "
            "it was left untouched.",
            "odl-geo never modifies what it did not create: publish under another store name (--store) "
            "or another --workspace.",
            message_fr=_not_ours_fr(store.name, self.ws),
            hint_fr="odl-geo ne modifie jamais ce qu'il n'a pas créé : publiez sous un autre nom d'entrepôt (--store) "
            "ou dans un autre --workspace.",
        )

    def upload(self, store: StoreSpec, current: DataStore | None) -> None:
        """DS6 upload (creates the store or replaces its file in place), then mark a new store as odl-geo's, or
        reset a replaced one (GeoServer may keep the old file's connection open: WFS would answer old data)."""
        assert store.path is not None
        self.tick(f"datastore {store.name}: upload", f"entrepôt {store.name} : envoi du fichier")
        self.feedback.info(f"uploading {store.path.name} ({store.size} bytes) to datastore '{store.name}'")
        data = store.path.read_bytes()
        self.client.upload_geopackage(self.ws, store.name, data, filename=f"{store.name}.gpkg")
        self.result.file_bytes += len(data)
        if current is None or not current.owned:  # new (or adopted after a cut): odl-geo's from now on
            self.tick(f"datastore {store.name}: mark", f"entrepôt {store.name} : marquage")
            mark = DataStore(store.name, description=PublishRecord.INCOMPLETE)
            self.client.update_datastore(self.ws, mark, include_connection=False)
        if current is not None:
            self.tick(f"datastore {store.name}: reset", f"entrepôt {store.name} : réinitialisation")
            self.client.reset_datastore(self.ws, store.name)
        self.result.add("datastore", store.name, Outcome.CREATED if current is None else Outcome.UPDATED)

    def ensure_postgis(self, store: StoreSpec, current: DataStore | None, same_data: bool) -> None:
        assert store.postgis is not None
        outcome = _ensure_postgis(self.client, self.ws, store.postgis, current)
        if current is not None and not same_data:  # tables reloaded (swapped): drop GeoServer's cached schema
            self.tick(f"datastore {store.name}: reset", f"entrepôt {store.name} : réinitialisation")
            self.client.reset_datastore(self.ws, store.name)
            outcome = Outcome.UPDATED
        self.result.add("datastore", store.name, outcome)

    def layer_unchanged(self, layer: LayerSpec) -> bool:
        """Fast path when the store record matches: one GET proves the layer and its default style are there
        (the one :meth:`check_layer_names` made, when it found the layer)."""
        current = self.found_layers.get(layer.name) or self.client.get_layer(self.ws, layer.name)
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
        self.tick(f"layer {layer.name}", f"couche {layer.name}")
        current = self.client.get_layer(self.ws, layer.name)
        if current is None and self.dry_run:  # its feature type was only planned
            current = Layer(layer.name)
        if current is None:  # L2 on a missing layer is a 500, not a 404: never PUT blind
            raise RemoteError(
                f"layer '{layer.name}' is missing although its feature type exists.",
                "Re-create the layer in GeoServer's admin (or delete the feature type) and publish again.",
                status=404,
                message_fr=f"La couche '{layer.name}' est absente alors que son type d'objets existe.",
                hint_fr="Recréez la couche dans l'interface d'administration de GeoServer (ou supprimez le type "
                "d'objets) et publiez à nouveau.",
            )
        same_style = current.default_style == wanted.default_style
        if same_style and (wanted.attribution is None or current.attribution == wanted.attribution):
            self.result.add("layer", layer.name, Outcome.UNCHANGED)
            return
        self.client.update_layer(self.ws, wanted)
        self.result.add("layer", layer.name, Outcome.UPDATED, f"default style {wanted.default_style}")

    def ensure_featuretype(self, store: StoreSpec, wanted: FeatureType) -> None:
        self.tick(f"feature type {wanted.name}", f"type d'objets {wanted.name}")
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
                message_fr=f"Le type d'objets '{wanted.name}' de l'entrepôt '{store.name}' publie la table "
                f"'{current.native_name}', et non '{wanted.native_name}'.",
                hint_fr="Deux tables donnent le même nom de couche : renommez l'une d'elles avant la conversion.",
            )
        if _same_featuretype(current, wanted):
            self.result.add("featuretype", wanted.name, Outcome.UNCHANGED)
            return
        self.client.update_featuretype(self.ws, store.name, wanted)
        self.result.add("featuretype", wanted.name, Outcome.UPDATED)

    def ensure_style(self, spec: StyleSpec) -> None:
        if spec.name in self.styles_done:
            return
        self.tick(f"style {spec.name}", f"style {spec.name}")
        model = spec.model
        body = spec.path.read_bytes()
        current = self.client.get_style(self.ws, spec.name)
        if current is None:
            self.client.create_style(self.ws, model)  # ST4(a) info first, then the body (ST5)
            self.client.upload_style_body(self.ws, model, body)
            outcome = Outcome.CREATED
        elif not current.owned:
            raise InputError(
                f"style '{spec.name}' already exists in workspace '{self.ws}' and was not created by odl-geo "
                f"(its file is '{current.filename}', not '{model.filename}'); it was left untouched.",
                f"odl-geo never modifies what it did not create: rename {spec.path.name} (the style takes the "
                "file's name) or publish to another --workspace.",
                message_fr=f"Le style '{spec.name}' existe déjà dans l'espace de travail '{self.ws}' et n'a pas été "
                f"créé par odl-geo (son fichier est '{current.filename}', et non '{model.filename}') ; il n'a pas "
                "été modifié.",
                hint_fr=f"odl-geo ne modifie jamais ce qu'il n'a pas créé : renommez {spec.path.name} (le style prend "
                "le nom du fichier) ou publiez dans un autre --workspace.",
            )
        else:  # GeoServer re-encodes SLD 1.0 on upload: bytes cannot be compared, the plan fingerprint decides
            self.client.upload_style_body(self.ws, model, body)
            outcome = Outcome.UPDATED
        self.styles_done[spec.name] = outcome
        self.result.add("style", spec.name, outcome, f"SLD {spec.version}")


def _not_ours_fr(store: str, workspace: str) -> str:
    """« L'entrepôt … existe déjà … » : a store of that name that odl-geo did not create."""
    return (
        f"L'entrepôt '{store}' existe déjà dans l'espace de travail '{workspace}' et n'a pas été créé par odl-geo ; "
        "il n'a pas été modifié."
    )


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
    if wanted.metadata_links and set(current.metadata_links) != set(wanted.metadata_links):
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
    client = _bounded(client, deadline_s)
    if dry_run and not isinstance(client.transport, DryRunTransport):
        client = client.with_transport(DryRunTransport(client.transport))
    run = _Run(plan, client, feedback or NullFeedback(), deadline_s, dry_run)
    start, req0, bytes0 = time.monotonic(), client.requests_sent, client.bytes_sent
    try:
        run.check_layer_names()
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


def _bounded(client: GeoServerClient, deadline_s: float) -> GeoServerClient:
    """The client with every request bounded by the deadline (each request's wait, retries included), unless its
    transport is bounded already (the CLI wraps its transport once for publication and checks together)."""
    transport = client.transport
    if isinstance(transport, DryRunTransport):
        if transport.inner is not None and not isinstance(transport.inner, DeadlineTransport):
            transport.inner = DeadlineTransport(transport.inner, deadline_s)
        return client
    if isinstance(transport, DeadlineTransport):
        return client
    return client.with_transport(DeadlineTransport(transport, deadline_s))


def ensure_postgis_store(client: GeoServerClient, workspace: str, store: DataStore) -> Outcome:
    """Create-or-update a PostGIS datastore by connection parameters (DS2 -> DS3, or DS4 with the full list).

    The store is created with odl-geo's mark in its description; an existing store without it is refused.
    The password (``passwd``) is not compared: GeoServer answers it encrypted. It is sent on creation and
    whenever another parameter changed. The workspace is created when missing.

    :raises InputError: a store of that name exists and odl-geo did not create it, or it is not a PostGIS store.
    """
    current = client.get_datastore(workspace, store.name)
    if current is None and client.get_workspace(workspace) is None:
        client.create_workspace(Workspace(workspace))
    if current is not None and not current.owned:
        raise InputError(
            f"datastore '{store.name}' already exists in workspace '{workspace}' and was not created by odl-geo; "
            "it was left untouched.",
            "odl-geo never modifies what it did not create: choose another store name or another workspace.",
            message_fr=_not_ours_fr(store.name, workspace),
            hint_fr="odl-geo ne modifie jamais ce qu'il n'a pas créé : choisissez un autre nom d'entrepôt ou un autre "
            "espace de travail.",
        )
    return _ensure_postgis(client, workspace, store, current)


def _ensure_postgis(client: GeoServerClient, workspace: str, store: DataStore, current: DataStore | None) -> Outcome:
    if current is None:
        client.create_datastore(workspace, replace(store, description=PublishRecord.INCOMPLETE))
        return Outcome.CREATED
    if current.type and current.type != "PostGIS":
        raise InputError(
            f"datastore '{store.name}' already exists in workspace '{workspace}' as a {current.type} store.",
            "Choose another store name.",
            message_fr=f"L'entrepôt '{store.name}' existe déjà dans l'espace de travail '{workspace}', comme "
            f"entrepôt {current.type}.",
            hint_fr="Choisissez un autre nom d'entrepôt.",
        )
    ignore = {"passwd", "password", "namespace"}
    wanted = {k: v for k, v in store.connection.items() if k not in ignore}
    have = {k: v for k, v in current.connection.items() if k in wanted}
    if have == wanted:
        return Outcome.UNCHANGED
    client.update_datastore(workspace, replace(store, description=current.description))  # keep mark and record
    return Outcome.UPDATED
