"""Thin typed client of the udata API v1 (data.gouv.fr): one method per call, raises on any error.

Every request goes through the injected :class:`~odl_geo.http.Transport` (retries, timeouts, TLS: one policy
in ``odl_geo/http.py``). The API key travels in the ``X-API-KEY`` header set by the transport and is never
put in a message, a log line or a dry-run listing.

udata's quirks handled here (see ``docs/datagouv.md``):

- errors come as ``{"message"}``, ``{"errors": {field: [...]}}`` or ``{"success": false, "error"}``: all are
  turned into one sentence naming the dataset/resource and the field;
- a file uploaded twice under the same name within one second gets a 500 (the storage path holds the second):
  the upload is retried once after a second;
- large files use udata's chunked protocol (``uuid, filename, partindex, totalparts, chunksize`` + ``file``,
  then a last request without ``file``), one part in memory at a time; a part re-sent after a cut may
  answer 500 (udata refuses to overwrite a stored part): the part is then taken as stored and the final
  sha1 check decides; progress is journaled so that a later run resumes where the cut happened.
"""

from __future__ import annotations

import logging
import math
import time
import uuid as uuidlib
from typing import TYPE_CHECKING, Any, TypeVar

from ...credentials import redact
from ...errors import AuthError, CancelledError, InputError, NetworkError, RemoteError
from ...feedback import Feedback, NullFeedback
from ...http import HttpRequest, RequestsTransport, Transport
from ...numbers import quantity
from ._errors import API_KEY_ENV, describe_write, translate_error
from ._journal import UploadJournal, file_digest
from .endpoints import Endpoints
from .models import Dataset, Organization, Resource

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path

    from ...credentials import Credentials
    from ...http import FilePart

__all__ = ["API_KEY_ENV", "DEFAULT_CHUNK_SIZE", "DatagouvClient", "UploadJournal", "file_digest"]

log = logging.getLogger("odl_geo.publishers.datagouv")

T = TypeVar("T")
DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024  # files above this go in parts of this size
PART_ATTEMPTS = 4  # a part is sent at most this many times before the upload is declared cut
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NOT_UDATA_HINT_FR = "Vérifiez que l'URL désigne un site udata (https://www.data.gouv.fr) ; relancez plus tard."


class DatagouvClient:
    """Client of one udata instance.

    :param base_url: the site (``https://www.data.gouv.fr``, ``https://demo.data.gouv.fr``) or its ``/api/1``.
    :param credentials: holds the API key (``Credentials(api_key=...)``); None for anonymous reads.
    :param transport: the network seam (the QGIS plugin injects its own); default ``RequestsTransport()``.
    :param dry_run: send reads, only record writes (``planned``) and answer them with None.
    :param part_backoff: first wait before re-sending a part of a chunked upload (doubles each time).
    :param sleep: injectable, for tests.
    """

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None = None,
        transport: Transport | None = None,
        *,
        dry_run: bool = False,
        part_backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoints = Endpoints(base_url)
        self.credentials = credentials if credentials and credentials.api_key else None
        self.transport = transport or RequestsTransport()
        self.dry_run = dry_run
        self.planned: list[str] = []
        self.bytes_sent = 0  # file bytes sent in upload requests (the bench prints it)
        self._sleep = sleep
        self._part_backoff = part_backoff

    def __repr__(self) -> str:
        return f"DatagouvClient({self.endpoints.site!r}, key={'***' if self.credentials else None})"

    # --- plumbing ---------------------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        url: str,
        what: str,
        *,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        files: Mapping[str, FilePart] | None = None,
        params: Mapping[str, str] | None = None,
        what_fr: str = "",
    ) -> Any:
        """Send one request; the parsed JSON answer (None for 204), or a translated error raised.

        :param what: the action, in English, for messages (« create dataset 'X' »); :param what_fr: the same in French,
            in the infinitive (« créer le jeu de données 'X' »).
        """
        what_fr = what_fr or what
        if method in WRITE_METHODS and self.dry_run:
            self.planned.append(describe_write(method, url, json_body, form, files))
            return None
        if method in WRITE_METHODS and self.credentials is None:
            raise AuthError(
                f"No data.gouv.fr API key to {what}.",
                f"Set {API_KEY_ENV}, or api_key in the [datagouv] section of the credentials file.",
                status=None,
                message_fr=f"Aucune clé d'API data.gouv.fr pour {what_fr}.",
                hint_fr=f"Définissez {API_KEY_ENV}, ou api_key dans la section [datagouv] du fichier d'identifiants.",
            )
        request = HttpRequest(
            method, url, params=params, json_body=json_body, form=form, files=files, auth=self.credentials
        )
        response = self.transport.send(request)
        if not response.ok:
            raise translate_error(response, what, self.endpoints, self.credentials, what_fr)
        data = response.json()
        if data is None and response.body.strip():  # an HTML page (proxy, maintenance), or JSON cut off
            raise RemoteError(
                f"{self._host} answered '{what}' with something that is not JSON "
                f"({response.header('Content-Type') or 'no content type'}, {len(response.body)} bytes).",
                "Check that the URL points at a udata site (https://www.data.gouv.fr), not a proxy or login page; "
                "run again later if it is under maintenance.",
                status=response.status,
                message_fr=f"{self._host} a répondu à « {what_fr} » par autre chose que du JSON "
                f"({response.header('Content-Type') or 'sans type de contenu'}, "
                f"{quantity(len(response.body), 'octet', 'octets')}).",
                hint_fr="Vérifiez que l'URL désigne un site udata (https://www.data.gouv.fr), et non un proxy ou une "
                "page de connexion ; relancez plus tard s'il est en maintenance.",
            )
        return data

    @property
    def _host(self) -> str:
        return self.endpoints.site.split("://", 1)[-1]

    def _model(self, parse: Callable[[dict[str, Any]], T], data: Any, what: str, what_fr: str = "") -> T:
        """A model from an answer that must describe an object with its ``id`` (udata's answers always do).

        :raises RemoteError: the answer is ``{}``, a list, or lacks ``id``: exit 5 naming the server, never a
            KeyError.
        """
        if not isinstance(data, dict) or not data.get("id"):
            shown = redact(repr(data)[:120], self.credentials.secrets if self.credentials else ())
            raise RemoteError(
                f"{self._host} answered '{what}' without the object odl-geo expected (no id): {shown}.",
                "Check that the URL points at a udata site (https://www.data.gouv.fr); run again later.",
                status=200,
                message_fr=f"{self._host} a répondu à « {what_fr or what} » sans l'objet qu'attendait odl-geo (pas "
                f"d'id) : {shown}.",
                hint_fr=_NOT_UDATA_HINT_FR,
            )
        try:
            return parse(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RemoteError(
                f"{self._host} answered '{what}' with an object odl-geo does not understand ({exc!r}).",
                "Check that the URL points at a udata site (https://www.data.gouv.fr); run again later.",
                status=200,
                message_fr=f"{self._host} a répondu à « {what_fr or what} » par un objet qu'odl-geo ne comprend pas "
                f"({exc!r}).",
                hint_fr=_NOT_UDATA_HINT_FR,
            ) from None

    # --- reads ------------------------------------------------------------------------------------------
    def me(self) -> dict[str, Any]:
        """The key's user (checks the key)."""
        what_fr = "identifier l'utilisateur de la clé d'API"
        return dict(self._send("GET", self.endpoints.me(), "identify the API key's user", what_fr=what_fr) or {})

    def organization(self, id_or_slug: str) -> Organization:
        """An organization by id or slug (udata wants the id when creating a dataset)."""
        what = f"find organization {id_or_slug!r}"
        what_fr = f"trouver l'organisation {id_or_slug!r}"
        data = self._send("GET", self.endpoints.organization(id_or_slug), what, what_fr=what_fr)
        return self._model(Organization.from_payload, data, what, what_fr)

    def allowed_extensions(self) -> set[str]:
        data = self._send("GET", self.endpoints.extensions(), "list the allowed file extensions",
                          what_fr="lister les extensions de fichier autorisées")  # fmt: skip
        return {str(e).lower() for e in data or []}

    def license_ids(self) -> set[str]:
        data = self._send("GET", self.endpoints.licenses(), "list the licences", what_fr="lister les licences")
        return {str(d["id"]) for d in data or [] if isinstance(d, dict) and "id" in d}

    def frequency_ids(self) -> set[str]:
        data = self._send("GET", self.endpoints.frequencies(), "list the update frequencies",
                          what_fr="lister les fréquences de mise à jour")  # fmt: skip
        return {str(d["id"]) for d in data or [] if isinstance(d, dict) and "id" in d}

    def schema_names(self) -> set[str]:
        """Names in the instance's schema catalog; empty when it has none (then any name is accepted)."""
        try:
            data = self._send("GET", self.endpoints.schemas(), "list the schema catalog",
                              what_fr="lister le catalogue de schémas")  # fmt: skip
        except RemoteError as exc:
            if exc.status in (404, 503):
                return set()
            raise
        return {str(d["name"]) for d in data or [] if isinstance(d, dict) and d.get("name")}

    def known_zones(self, ids: list[str] | tuple[str, ...]) -> set[str]:
        """The ids among ``ids`` that the instance knows (one request when all are known, else one per zone)."""
        if not ids:
            return set()
        try:
            self._send("GET", self.endpoints.zones(ids), "find the spatial zones",
                       what_fr="trouver les zones spatiales")  # fmt: skip
            return set(ids)
        except RemoteError as exc:
            if exc.status != 404:
                raise
        known = set()
        for zone in ids:
            try:
                self._send("GET", self.endpoints.zone(zone), f"find the spatial zone {zone}",
                           what_fr=f"trouver la zone spatiale {zone}")  # fmt: skip
                known.add(zone)
            except RemoteError as exc:
                if exc.status != 404:
                    raise
        return known

    def organization_datasets(self, org_id: str, page_size: int = 100) -> Iterator[Dataset]:
        """Every dataset of the organization, private ones included when the key's user is a member."""
        page = 1
        what_fr = f"lister les jeux de données de l'organisation {org_id}"
        while True:
            params = {"page": str(page), "page_size": str(page_size)}
            data = self._send(
                "GET",
                self.endpoints.organization_datasets(org_id),
                f"list the datasets of organization {org_id}",
                params=params,
                what_fr=what_fr,
            )
            if data is not None and not isinstance(data, dict):
                data = {"data": [data]}  # not a page: refused below, naming the server
            for item in (data or {}).get("data") or []:
                yield self._model(Dataset.from_payload, item, f"list the datasets of organization {org_id}", what_fr)
            if not data or not data.get("next_page"):
                return
            page += 1

    def dataset(self, id_or_slug: str) -> Dataset | None:
        """A dataset by id or slug, or None when udata answers 404/410 (absent, deleted, or private to others)."""
        what_fr = f"lire le jeu de données {id_or_slug!r}"
        try:
            data = self._send("GET", self.endpoints.dataset(id_or_slug), f"read dataset {id_or_slug!r}",
                              what_fr=what_fr)  # fmt: skip
        except RemoteError as exc:
            if exc.status in (404, 410):
                return None
            raise
        return self._model(Dataset.from_payload, data, f"read dataset {id_or_slug!r}", what_fr)

    # --- writes -----------------------------------------------------------------------------------------
    def create_dataset(self, payload: dict[str, Any], title: str) -> Dataset | None:
        what_fr = f"créer le jeu de données {title!r}"
        data = self._send("POST", self.endpoints.datasets(), f"create dataset {title!r}", json_body=payload,
                          what_fr=what_fr)  # fmt: skip
        return None if self.dry_run else self._model(Dataset.from_payload, data, f"create dataset {title!r}", what_fr)

    def update_dataset(self, dataset_id: str, changes: dict[str, Any], title: str) -> Dataset | None:
        """Partial update (udata's PUT changes only the keys given)."""
        data = self._send(
            "PUT", self.endpoints.dataset(dataset_id), f"update dataset {title!r} ({dataset_id})", json_body=changes,
            what_fr=f"mettre à jour le jeu de données {title!r} ({dataset_id})",
        )  # fmt: skip
        what, what_fr = f"update dataset {title!r}", f"mettre à jour le jeu de données {title!r}"
        return None if self.dry_run else self._model(Dataset.from_payload, data, what, what_fr)

    def create_remote_resource(self, dataset_id: str, payload: dict[str, Any], dataset_title: str) -> Resource | None:
        data = self._send(
            "POST",
            self.endpoints.resources(dataset_id),
            f"add resource {payload.get('title')!r} to dataset {dataset_title!r}",
            json_body=payload,
            what_fr=f"ajouter la ressource {payload.get('title')!r} au jeu de données {dataset_title!r}",
        )
        what = f"add resource {payload.get('title')!r} to dataset {dataset_title!r}"
        what_fr = f"ajouter la ressource {payload.get('title')!r} au jeu de données {dataset_title!r}"
        return None if self.dry_run else self._model(Resource.from_payload, data, what, what_fr)

    def update_resource(
        self, dataset_id: str, resource_id: str, payload: dict[str, Any], dataset_title: str
    ) -> Resource | None:
        data = self._send(
            "PUT",
            self.endpoints.resource(dataset_id, resource_id),
            f"update resource {payload.get('title')!r} ({resource_id}) of dataset {dataset_title!r}",
            json_body=payload,
            what_fr=f"mettre à jour la ressource {payload.get('title')!r} ({resource_id}) du jeu de données "
            f"{dataset_title!r}",
        )
        what = f"update resource {payload.get('title')!r} of dataset {dataset_title!r}"
        what_fr = f"mettre à jour la ressource {payload.get('title')!r} du jeu de données {dataset_title!r}"
        return None if self.dry_run else self._model(Resource.from_payload, data, what, what_fr)

    # --- uploads ----------------------------------------------------------------------------------------
    def upload_file(
        self,
        dataset_id: str,
        path: Path,
        *,
        name: str,
        dataset_title: str,
        resource_id: str | None = None,
        digest: tuple[str, int] | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        journal: UploadJournal | None = None,
        feedback: Feedback | None = None,
    ) -> Resource | None:
        """Upload ``path`` as a new file resource, or in place of ``resource_id``'s file (same id, new checksum).

        Files larger than ``chunk_size`` go in parts; memory holds one part at a time.

        :returns: the resource udata answers with (None in a dry run).
        :raises RemoteError: udata refused (message names the file and dataset); :raises NetworkError:
            no answer after retries (a re-run resumes a chunked upload from the journal).
        """
        if chunk_size < 1:
            raise InputError(
                f"Chunk size {chunk_size} is not positive.",
                "Give a size in bytes, e.g. 8388608.",
                message_fr=f"La taille des parties ({chunk_size}) n'est pas positive.",
                hint_fr="Indiquez une taille en octets, p. ex. 8388608.",
            )
        sha1, size = digest or file_digest(path)
        url = (
            self.endpoints.resource_upload(dataset_id, resource_id)
            if resource_id
            else self.endpoints.dataset_upload(dataset_id)
        )
        what = (
            f"replace the file of resource {resource_id} with {name!r} in dataset {dataset_title!r}"
            if resource_id
            else f"upload {name!r} to dataset {dataset_title!r}"
        )
        what_fr = (
            f"remplacer le fichier de la ressource {resource_id} par {name!r} dans le jeu de données {dataset_title!r}"
            if resource_id
            else f"téléverser {name!r} dans le jeu de données {dataset_title!r}"
        )
        feedback = feedback or NullFeedback()
        if size <= chunk_size:
            data = path.read_bytes()
            files = {"file": (name, data, "application/octet-stream")}
            result = self._send_with_second_retry("POST", url, what, files=files, what_fr=what_fr)
            self.bytes_sent += 0 if self.dry_run else size
            return None if self.dry_run else self._model(Resource.from_payload, result, what, what_fr)
        return self._upload_chunked(url, path, name, what, sha1, size, chunk_size, journal, feedback, what_fr=what_fr)

    def _send_with_second_retry(
        self,
        method: str,
        url: str,
        what: str,
        *,
        form: Mapping[str, str] | None = None,
        files: Any = None,
        what_fr: str = "",
    ) -> Any:
        """udata answers 500 to a second upload of the same name within one second: wait, try once more."""
        try:
            return self._send(method, url, what, form=form, files=files, what_fr=what_fr)
        except RemoteError as exc:
            if exc.status != 500:
                raise
            log.info("udata answered 500 to %s; retrying once after a second (same-name rule)", what)
            self._sleep(1.1)
            return self._send(method, url, what, form=form, files=files, what_fr=what_fr)

    def _upload_chunked(
        self,
        url: str,
        path: Path,
        name: str,
        what: str,
        sha1: str,
        size: int,
        chunk_size: int,
        journal: UploadJournal | None,
        feedback: Feedback,
        *,
        what_fr: str,
    ) -> Resource | None:
        total = math.ceil(size / chunk_size)
        target = url  # one upload per target URL at a time
        entry = journal.get(target) if journal else None
        start = 0
        if (
            entry
            and entry.get("sha1") == sha1
            and entry.get("size") == size
            and entry.get("chunk_size") == chunk_size
            and not self.dry_run
        ):
            upload_id, start = str(entry["uuid"]), int(entry.get("parts_done", 0))
            log.info("resuming the upload of %s at part %d/%d", name, start + 1, total)
        else:
            upload_id = "{upload-uuid}" if self.dry_run else str(uuidlib.uuid4())
        try:
            return self._send_parts(
                url, path, name, what, upload_id, start, total, sha1, size, chunk_size, journal, feedback,
                what_fr=what_fr,
            )  # fmt: skip
        except _StaleUpload:
            if journal:
                journal.put(target, None)
            log.info("the server no longer holds the parts of %s: starting that file again", name)
            upload_id = str(uuidlib.uuid4())
            return self._send_parts(
                url, path, name, what, upload_id, 0, total, sha1, size, chunk_size, journal, feedback, what_fr=what_fr
            )

    def _send_parts(
        self,
        url: str,
        path: Path,
        name: str,
        what: str,
        upload_id: str,
        start: int,
        total: int,
        sha1: str,
        size: int,
        chunk_size: int,
        journal: UploadJournal | None,
        feedback: Feedback,
        *,
        what_fr: str,
    ) -> Resource | None:
        resumed = start > 0
        with path.open("rb") as fh:
            fh.seek(start * chunk_size)
            for index in range(start, total):
                if feedback.is_cancelled():
                    raise CancelledError(
                        f"The upload of {name} was cancelled at part {index + 1}/{total}.",
                        "Nothing was deleted; publishing again resumes this file where it stopped.",
                        message_fr=f"Le téléversement de {name} a été annulé à la partie {index + 1}/{total}.",
                        hint_fr="Rien n'a été supprimé ; une nouvelle publication reprend ce fichier là où il s'est "
                        "arrêté.",
                    )
                part = fh.read(chunk_size)
                form = {
                    "uuid": upload_id,
                    "filename": name,
                    "partindex": str(index),
                    "totalparts": str(total),
                    "chunksize": str(len(part)),
                }
                self._send_part(url, f"{what} (part {index + 1}/{total})", form, part,
                                what_fr=f"{what_fr} (partie {index + 1}/{total})")  # fmt: skip
                del part
                if journal and not self.dry_run:
                    entry = {"uuid": upload_id, "sha1": sha1, "size": size, "chunk_size": chunk_size}
                    journal.put(url, {**entry, "parts_done": index + 1, "name": name})
                feedback.progress(100.0 * (index + 1) / (total + 1), f"{name}: part {index + 1}/{total}")
        finish = {"uuid": upload_id, "filename": name, "totalparts": str(total)}
        try:
            result = self._send_with_second_retry("POST", url, f"{what} (assembling {total} parts)", form=finish,
                                                  what_fr=f"{what_fr} (assemblage de "
                                                  f"{quantity(total, 'partie', 'parties')})")  # fmt: skip
        except RemoteError as exc:
            if exc.status == 500 and resumed:
                raise _StaleUpload from None  # the parts were purged since the cut: start again
            raise
        if journal:
            journal.put(url, None)
        if self.dry_run:
            return None
        resource = self._model(Resource.from_payload, result, what, what_fr)
        if resource.checksum and resource.checksum.type == "sha1" and resource.checksum.value != sha1:
            raise RemoteError(
                f"The file assembled by udata for {name!r} differs from the local file (sha1 "
                f"{resource.checksum.value[:12]}... instead of {sha1[:12]}...).",
                "Publish again: the file is then sent whole once more.",
                status=None,
                message_fr=f"Le fichier assemblé par udata pour {name!r} diffère du fichier local (sha1 "
                f"{resource.checksum.value[:12]}... au lieu de {sha1[:12]}...).",
                hint_fr="Publiez de nouveau : le fichier est alors renvoyé en entier.",
            )
        return resource

    def _send_part(self, url: str, what: str, form: dict[str, str], part: bytes, *, what_fr: str) -> None:
        """One part, re-sent after a cut or a 502/503/504 (a part is idempotent: same uuid and index)."""
        files = {"file": ("blob", part, "application/octet-stream")}
        for attempt in range(1, PART_ATTEMPTS + 1):
            try:
                self._send("POST", url, what, form=form, files=files, what_fr=what_fr)
                self.bytes_sent += 0 if self.dry_run else len(part)
                return
            except NetworkError:
                if attempt == PART_ATTEMPTS:
                    raise
            except RemoteError as exc:
                if exc.status in (502, 503, 504) and attempt < PART_ATTEMPTS:
                    pass
                elif exc.status == 500 and attempt > 1:
                    # udata refuses to overwrite a part it stored before the connection was cut: the part is
                    # there. The sha1 of the assembled file is checked at the end anyway.
                    self.bytes_sent += len(part)
                    return
                else:
                    raise
            log.info("%s: attempt %d failed, sending the part again", what, attempt)
            self._sleep(min(self._part_backoff * 2 ** (attempt - 1), 8.0))


class _StaleUpload(Exception):
    """A resumed chunked upload whose parts the server no longer has."""
