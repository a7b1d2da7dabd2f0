"""Thin typed GeoServer REST client: one method per call of the contract, raising on anything unexpected.

Every request goes through the injected :class:`~odl_geo.http.Transport` (retries, timeouts, TLS, CA bundle
live there). Authentication is HTTP Basic: GeoServer's ``authkey`` only works for the OGC services, never REST
(contract §8). Errors carry GeoServer's own message, the step and the resource, and never a secret.
"""

from __future__ import annotations

import json as _json
import logging
from typing import TYPE_CHECKING, Any

from ...credentials import redact
from ...errors import AuthError, RemoteError
from ...http import HttpRequest, HttpResponse, RequestsTransport
from ...numbers import quantity
from .endpoints import Endpoints
from .models import DataStore, FeatureType, Layer, Style, Workspace

if TYPE_CHECKING:
    from ...credentials import Credentials
    from ...http import Transport

__all__ = ["GeoServerClient"]

log = logging.getLogger("odl_geo.geoserver")
JSON = {"Accept": "application/json"}
JSON_BODY = {"Accept": "application/json", "Content-Type": "application/json"}

#: the kinds of resource an error names, in French, as the complement of a step (« de l'entrepôt 'x' »)
_OF_KIND_FR = {
    "server": "du serveur",
    "workspace": "de l'espace de travail",
    "datastore": "de l'entrepôt",
    "feature type": "du type d'objets",
    "style": "du style",
    "layer": "de la couche",
}
#: the steps an error names, in French (« la création », as in « Échec de la création de … »)
_STEP_FR = {
    "read": "la lecture",
    "version check": "la vérification de la version",
    "creation": "la création",
    "update": "la mise à jour",
    "upload": "l'envoi du fichier",
    "reset": "la réinitialisation",
    "feature type listing": "la lecture de la liste des types d'objets",
}


def _what_fr(kind: str, name: str, step: str) -> str:
    """« la création de l'espace de travail 'odl' »: the French of ``{kind} '{name}' {step}``."""
    return f"{_STEP_FR.get(step, step)} {_OF_KIND_FR.get(kind, kind)} '{name}'"


_NOT_REST_FR = "Vérifiez que l'URL désigne l'API REST de GeoServer (…/geoserver), et non un autre service ou un proxy."


class GeoServerClient:
    """GeoServer REST over one transport.

    :param url: the GeoServer base URL, e.g. ``https://carto.example.fr/geoserver``.
    :param credentials: an admin account (username + password); never logged.
    :param transport: defaults to :class:`RequestsTransport` (with ``ca_bundle`` for a private PKI).
    """

    def __init__(
        self,
        url: str,
        credentials: Credentials | None,
        transport: Transport | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.endpoints = Endpoints(url)
        self.credentials = credentials
        self.transport: Transport = transport or RequestsTransport(ca_bundle=ca_bundle)
        self.requests_sent = 0
        self.bytes_sent = 0  # request bodies (files, SLD, JSON), for reports and the benchmark

    def with_transport(self, transport: Transport) -> GeoServerClient:
        """The same server and account over another transport (a dry run wraps the real one)."""
        return GeoServerClient(self.endpoints.base, self.credentials, transport)

    # ------------------------------------------------------------------ plumbing
    def _send(self, method: str, url: str, *, headers: dict[str, str] | None = None, json: Any = None,
              body: bytes | None = None, params: dict[str, str] | None = None) -> HttpResponse:  # fmt: skip
        req = HttpRequest(method, url, headers=headers or {}, params=params, json_body=json, body=body,
                          auth=self.credentials)  # fmt: skip
        self.requests_sent += 1
        self.bytes_sent += len(body) if body else len(_json.dumps(json).encode()) if json is not None else 0
        resp = self.transport.send(req)
        log.debug("%s -> %s", req.describe(), resp.status)
        return resp

    def _fail(self, resp: HttpResponse, kind: str, name: str, step: str) -> RemoteError:
        """The error for an unexpected status: keyed on the status, GeoServer's text only quoted (§1)."""
        secrets = self.credentials.secrets if self.credentials else ()
        detail = redact(resp.text[:8000].strip().replace("\n", " "), secrets)[:300]
        what = f"{kind} '{name}' {step} failed: {resp.status}{' ' + detail if detail else ''}"
        what_fr = f"Échec de {_what_fr(kind, name, step)} : {resp.status}{' ' + detail if detail else ''}"
        if resp.status == 401:
            return AuthError(
                f"GeoServer refused the credentials (401) for {kind} '{name}' {step}.",
                "Check ODL_GEOSERVER_USER / ODL_GEOSERVER_PASSWORD (or the credentials file); REST needs an "
                "administrator account with HTTP Basic (an authkey does not work for REST).",
                status=401,
                message_fr=f"GeoServer a refusé les identifiants (401) pour {_what_fr(kind, name, step)}.",
                hint_fr="Vérifiez ODL_GEOSERVER_USER / ODL_GEOSERVER_PASSWORD (ou le fichier d'identifiants) ; l'API "
                "REST demande un compte administrateur en HTTP Basic (une authkey ne fonctionne pas pour REST).",
            )
        if resp.status == 403:
            return AuthError(
                what,
                "The account lacks the permission (GeoServer's rest.properties), or GeoServer forbids this change.",
                status=403,
                message_fr=what_fr,
                hint_fr="Le compte n'a pas la permission nécessaire (rest.properties de GeoServer), ou GeoServer "
                "interdit cette modification.",
            )
        if resp.status in (502, 503, 504, 429):
            hint = "GeoServer or its proxy is overloaded or restarting (retried already); run again later."
            hint_fr = "GeoServer ou son proxy est surchargé ou redémarre (déjà réessayé) ; relancez plus tard."
        elif resp.status >= 500:
            hint = "GeoServer failed (see its log). Run again: publishing resumes where it stopped."
            hint_fr = (
                "GeoServer a échoué (voir son journal). Relancez : la publication reprend là où elle s'est arrêtée."
            )
        else:
            hint = "GeoServer rejected the request; the message above is its own."
            hint_fr = "GeoServer a refusé la requête ; le message ci-dessus est le sien."
        return RemoteError(what, hint, status=resp.status, message_fr=what_fr, hint_fr=hint_fr)

    def _get_json(
        self, url: str, kind: str, name: str, step: str = "read", root: str | None = None
    ) -> dict[str, Any] | None:
        """GET with ``.json`` + ``Accept: application/json``; None on 404.

        :param root: the object GeoServer wraps its answer in (``dataStore``...): an answer without it is refused.
        :raises RemoteError: not JSON (an HTML page, a cut-off body), or JSON without ``root`` (exit 5, never a
            KeyError deeper down).
        """
        resp = self._send("GET", url, headers=JSON)
        if resp.status == 404:
            return None
        if resp.status != 200:
            raise self._fail(resp, kind, name, step)
        data = resp.json()
        if not isinstance(data, dict):
            raise RemoteError(
                f"{kind} '{name}' {step} failed: the server at {self.endpoints.base} did not answer JSON "
                f"({resp.header('Content-Type') or 'no content type'}, {len(resp.body)} bytes).",
                "Check that the URL points at GeoServer itself (not a login page or proxy error page).",
                status=resp.status,
                message_fr=f"Échec de {_what_fr(kind, name, step)} : le serveur {self.endpoints.base} n'a pas "
                f"répondu en JSON ({resp.header('Content-Type') or 'aucun type de contenu'}, "
                f"{quantity(len(resp.body), 'octet', 'octets')}).",
                hint_fr="Vérifiez que l'URL désigne GeoServer lui-même (et non une page de connexion ou une page "
                "d'erreur d'un proxy).",
            )
        if root is not None and not isinstance(data.get(root), dict):
            raise RemoteError(
                f"{kind} '{name}' {step} failed: the server at {self.endpoints.base} answered JSON without "
                f"'{root}' ({self._quote(resp)}).",
                "Check that the URL points at GeoServer's REST API (…/geoserver), not another service or a proxy.",
                status=resp.status,
                message_fr=f"Échec de {_what_fr(kind, name, step)} : le serveur {self.endpoints.base} a répondu "
                f"en JSON sans '{root}' ({self._quote(resp)}).",
                hint_fr=_NOT_REST_FR,
            )
        return data

    def _quote(self, resp: HttpResponse, limit: int = 120) -> str:
        """The start of an unexpected answer, on one line and without secrets (a server may echo the request)."""
        flat = redact(" ".join(resp.text[:8000].split()), self.credentials.secrets if self.credentials else ())
        return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")

    def _expect(self, resp: HttpResponse, ok: tuple[int, ...], kind: str, name: str, step: str) -> None:
        if resp.status not in ok:
            raise self._fail(resp, kind, name, step)

    # ------------------------------------------------------------------ server
    def version(self) -> str:
        """GeoServer's version (A1); also the cheapest credentials check."""
        data = self._get_json(self.endpoints.about_version(), "server", "about", "version check") or {}
        for res in (data.get("about") or {}).get("resource") or []:
            if isinstance(res, dict) and res.get("@name") == "GeoServer":
                return str(res.get("Version", ""))
        return ""

    # ------------------------------------------------------------------ workspaces
    def get_workspace(self, ws: str) -> Workspace | None:
        data = self._get_json(self.endpoints.workspace(ws), "workspace", ws, root="workspace")
        return Workspace.from_payload(data) if data else None

    def create_workspace(self, ws: Workspace) -> bool:
        """W3. False when it already exists: 409, or 401 on servers before GEOS-10007 (2021) when a GET with the
        same credentials then finds it (a real credentials problem stays an :class:`AuthError`)."""
        resp = self._send("POST", self.endpoints.workspaces(), headers=JSON_BODY, json=ws.to_payload())
        if resp.status == 409:
            return False
        if resp.status == 401 and self.get_workspace(ws.name) is not None:
            return False
        self._expect(resp, (201,), "workspace", ws.name, "creation")
        return True

    # ------------------------------------------------------------------ datastores
    def get_datastore(self, ws: str, ds: str) -> DataStore | None:
        data = self._get_json(self.endpoints.datastore(ws, ds), "datastore", ds, root="dataStore")
        return DataStore.from_payload(data) if data else None

    def create_datastore(self, ws: str, store: DataStore) -> None:
        """DS3 (PostGIS by connection parameters). A duplicate gives 500 in GeoServer: GET first."""
        resp = self._send("POST", self.endpoints.datastores(ws), headers=JSON_BODY, json=store.to_payload())
        self._expect(resp, (201,), "datastore", store.name, "creation")

    def update_datastore(self, ws: str, store: DataStore, *, include_connection: bool = True) -> None:
        """DS4; with ``include_connection`` the full parameter list is sent (GeoServer replaces it)."""
        payload = store.to_payload(include_connection=include_connection)
        resp = self._send("PUT", self.endpoints.datastore(ws, store.name, read=False), headers=JSON_BODY, json=payload)
        self._expect(resp, (200,), "datastore", store.name, "update")

    def upload_geopackage(self, ws: str, ds: str, data: bytes, *, filename: str, configure: str = "none") -> int:
        """DS6 ``PUT .../file.gpkg``: creates or replaces the store's file in place. Returns 201 or 202."""
        resp = self._send(
            "PUT",
            self.endpoints.datastore_file(ws, ds),
            headers={"Content-Type": "application/geopackage+sqlite3", "Accept": "application/json"},
            body=data,
            params={"configure": configure, "filename": filename},
        )
        self._expect(resp, (200, 201, 202), "datastore", ds, "upload")
        return resp.status

    def reset_datastore(self, ws: str, ds: str) -> None:
        """``PUT …/datastores/{ds}/reset``: GeoServer drops that store's cached connection and feature types, so
        that a replaced GeoPackage is read again (without it WFS may answer the old data, contract §6 step 2).
        Lighter than ``POST /rest/reset``, which drops every store's cache."""
        resp = self._send("PUT", self.endpoints.datastore_reset(ws, ds))
        self._expect(resp, (200,), "datastore", ds, "reset")

    # ------------------------------------------------------------------ feature types
    def list_featuretypes(self, ws: str, ds: str, kind: str = "configured") -> list[str]:
        url = self.endpoints.featuretypes(ws, ds)
        resp = self._send("GET", url, headers=JSON, params=None if kind == "configured" else {"list": kind})
        self._expect(resp, (200,), "datastore", ds, "feature type listing")
        data = resp.json() or {}  # GeoServer answers "" for an empty list
        if not isinstance(data, dict):
            raise RemoteError(
                f"datastore '{ds}' feature type listing failed: the server at {self.endpoints.base} answered "
                f"{self._quote(resp)}.",
                "Check that the URL points at GeoServer's REST API (…/geoserver), not another service or a proxy.",
                status=resp.status,
                message_fr=f"Échec de {_what_fr('datastore', ds, 'feature type listing')} : le serveur "
                f"{self.endpoints.base} a répondu {self._quote(resp)}.",
                hint_fr=_NOT_REST_FR,
            )
        if kind == "configured":
            block = data.get("featureTypes") or {}
            items = block.get("featureType") if isinstance(block, dict) else []
            return [str(i.get("name")) for i in (items if isinstance(items, list) else [items]) if i]
        block = data.get("list") or {}
        names = block.get("string") if isinstance(block, dict) else []
        return [str(n) for n in (names if isinstance(names, list) else [names]) if n]

    def get_featuretype(self, ws: str, ds: str, name: str) -> FeatureType | None:
        data = self._get_json(self.endpoints.featuretype(ws, ds, name), "feature type", name, root="featureType")
        return FeatureType.from_payload(data) if data else None

    def create_featuretype(self, ws: str, ds: str, ft: FeatureType) -> None:
        """FT3: publishes table ``native_name`` as ``name`` (and GeoServer creates its layer)."""
        resp = self._send("POST", self.endpoints.featuretypes(ws, ds, read=False), headers=JSON_BODY,
                          json=ft.to_payload())  # fmt: skip
        self._expect(resp, (201,), "feature type", ft.name, "creation")

    def update_featuretype(self, ws: str, ds: str, ft: FeatureType) -> None:
        """FT4: metadata only, no name in the body (a different one would rename)."""
        resp = self._send("PUT", self.endpoints.featuretype(ws, ds, ft.name, read=False), headers=JSON_BODY,
                          json=ft.to_payload(for_update=True))  # fmt: skip
        self._expect(resp, (200,), "feature type", ft.name, "update")

    # ------------------------------------------------------------------ styles
    def get_style(self, ws: str, name: str) -> Style | None:
        data = self._get_json(self.endpoints.style(ws, name), "style", name, root="style")
        return Style.from_payload(data) if data else None

    def create_style(self, ws: str, style: Style) -> None:
        """ST4(a): the style info, as XML; the body follows with :meth:`upload_style_body`."""
        resp = self._send("POST", self.endpoints.styles(ws), headers={"Content-Type": "application/xml"},
                          body=style.to_payload())  # fmt: skip
        self._expect(resp, (201,), "style", style.name, "creation")

    def upload_style_body(self, ws: str, style: Style, sld: bytes) -> None:
        """ST5: SLD 1.0 or SE 1.1 content, with ``charset=UTF-8``. 400 = GeoServer's SLD parser said no."""
        resp = self._send("PUT", self.endpoints.style(ws, style.name, read=False),
                          headers={"Content-Type": style.content_type}, body=sld)  # fmt: skip
        self._expect(resp, (200,), "style", style.name, "upload")

    # ------------------------------------------------------------------ layers
    def get_layer(self, ws: str, name: str) -> Layer | None:
        data = self._get_json(self.endpoints.layer(ws, name), "layer", name, root="layer")
        return Layer.from_payload(data) if data else None

    def update_layer(self, ws: str, layer: Layer) -> None:
        """L2: only after a GET found the layer (a missing layer gives 500, not 404)."""
        resp = self._send("PUT", self.endpoints.layer(ws, layer.name, read=False), headers=JSON_BODY,
                          json=layer.to_payload())  # fmt: skip
        self._expect(resp, (200,), "layer", layer.name, "update")
