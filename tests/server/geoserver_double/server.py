"""HTTP server of the GeoServer REST **test double**: routing, Basic auth, request log, fault injection.

Single-threaded and HTTP/1.0 (one request per connection): requests are handled strictly in order, which keeps
the request log deterministic and QGIS Server on the main thread. Control endpoints under ``/__double__/``
(no auth, never logged) let tests read the log and state, inject faults and reset everything.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import socket
import struct
import time
import traceback
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote_plus, urlsplit

from . import rest_resources as rr
from . import rest_stores as rs
from .catalog import Catalog, RestError
from .formats import Req, Resp
from .ogc import OgcBackend

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

N = r"([^/]+)"
Handler = dict[str, "Callable[..., Resp]"]


def _reset(cat: Catalog, req: Req) -> Resp:
    """``/rest/reset``: every store's connection and cache dropped (and ``/rest/reload``, which also does it)."""
    for store in cat.stores.values():
        cat.reset_store(store)
    return Resp(200)


ROUTES: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(p + "$"), h)
    for p, h in [
        (r"/about/version", {"GET": rs.about_version}),
        (r"/(?:reset|reload)", {"POST": _reset, "PUT": _reset}),
        (r"/workspaces", {"GET": rs.workspaces_get, "POST": rs.workspaces_post}),
        (rf"/workspaces/{N}", {"GET": rs.workspace_get, "PUT": rs.workspace_put, "DELETE": rs.workspace_delete}),
        (rf"/namespaces/{N}", {"GET": rs.namespace_get}),
        (rf"/workspaces/{N}/datastores", {"GET": rs.stores_get, "POST": rs.stores_post}),
        (rf"/workspaces/{N}/datastores/{N}", {"GET": rs.store_get, "PUT": rs.store_put, "DELETE": rs.store_delete}),
        (rf"/workspaces/{N}/datastores/{N}/reset", {"PUT": rs.store_reset, "POST": rs.store_reset}),
        (rf"/workspaces/{N}/datastores/{N}/(file|url|external)\.(\w+)", {"PUT": rs.store_upload}),
        (rf"/workspaces/{N}/datastores/{N}/featuretypes", {"GET": rr.fts_get, "POST": rr.fts_post}),
        (
            rf"/workspaces/{N}/datastores/{N}/featuretypes/{N}",
            {"GET": rr.ft_get, "PUT": rr.ft_put, "DELETE": rr.ft_delete},
        ),
        (rf"/workspaces/{N}/featuretypes", {"GET": lambda c, r, w: rr.fts_get(c, r, w, None)}),
        (
            rf"/workspaces/{N}/featuretypes/{N}",
            {
                "GET": lambda c, r, w, n: rr.ft_get(c, r, w, None, n),
                "PUT": lambda c, r, w, n: rr.ft_put(c, r, w, None, n),
                "DELETE": lambda c, r, w, n: rr.ft_delete(c, r, w, None, n),
            },
        ),
        (rf"/workspaces/{N}/styles", {"GET": rr.styles_get, "POST": rr.styles_post}),
        (rf"/workspaces/{N}/styles/{N}", {"GET": rr.style_get, "PUT": rr.style_put, "DELETE": rr.style_delete}),
        (r"/styles", {"GET": lambda c, r: rr.styles_get(c, r, None), "POST": lambda c, r: rr.styles_post(c, r, None)}),
        (
            rf"/styles/{N}",
            {
                "GET": lambda c, r, n: rr.style_get(c, r, None, n),
                "PUT": lambda c, r, n: rr.style_put(c, r, None, n),
                "DELETE": lambda c, r, n: rr.style_delete(c, r, None, n),
            },
        ),
        (r"/layers", {"GET": lambda c, r: rr.layers_get(c, r, None)}),
        (r"/layers/([^/:]+):([^/]+)", {"GET": rr.layer_get, "PUT": rr.layer_put, "DELETE": rr.layer_delete}),
        (rf"/workspaces/{N}/layers", {"GET": rr.layers_get}),
        (rf"/workspaces/{N}/layers/{N}", {"GET": rr.layer_get, "PUT": rr.layer_put, "DELETE": rr.layer_delete}),
    ]
]


class DoubleState:
    """Everything one double process holds: catalog, OGC backend, log, fault rules, credentials."""

    def __init__(
        self,
        data_dir: Path,
        user: str,
        password: str,
        reader: tuple[str, str] | None = None,
        version: tuple[int, ...] = (2, 26, 2),
    ) -> None:
        self.data_dir = data_dir
        self.version = version
        self.user, self.password = user, password
        self.reader = reader  # an authenticated account without the ADMIN role
        self.catalog = Catalog(data_dir, version)
        self.ogc = OgcBackend(self.catalog, data_dir)
        self.log: list[dict[str, Any]] = []
        self.faults: list[dict[str, Any]] = []
        self.seq = 0

    def reset(self) -> None:
        self.ogc.clear_projects()  # QGIS itself stays up: it cannot be initialised twice in one process
        shutil.rmtree(self.data_dir / "data", ignore_errors=True)
        self.catalog = Catalog(self.data_dir, self.version)
        self.ogc.catalog = self.catalog
        self.log.clear()
        self.faults.clear()

    def fault_for(self, method: str, path: str) -> dict[str, Any] | None:
        """The first rule matching this request whose window (``after`` matches skipped, then ``times``) is open."""
        for rule in self.faults:
            if rule.get("method") and rule["method"] != method:
                continue
            if not re.search(rule.get("path", ""), path):
                continue
            rule["seen"] = rule.get("seen", 0) + 1
            if rule["seen"] > rule.get("after", 0) and rule.get("fired", 0) < rule.get("times", 1):
                rule["fired"] = rule.get("fired", 0) + 1
                return rule
        return None


def split_rest_path(raw: str) -> tuple[str, str]:
    """``/workspaces/ws.json`` -> (``/workspaces/ws``, ``json``); names are URL-decoded with ``+`` as space (J15)."""
    segments = [unquote_plus(s) for s in raw.split("/")]
    suffix = ""
    m = re.match(r"^(.*)\.(json|xml|html|sld)$", segments[-1])
    if m:
        segments[-1], suffix = m.group(1), m.group(2)
    return "/".join(segments), suffix


class DoubleHandler(BaseHTTPRequestHandler):
    server_version = "GeoServerTestDouble/1.0"
    state: DoubleState

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the request log is the record
        return None

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_GET

    # ------------------------------------------------------------ plumbing
    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, resp: Resp) -> None:
        try:
            self.send_response(resp.status)
            if resp.content_type:
                self.send_header("Content-Type", resp.content_type)
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout fault)
            pass

    def _reset_connection(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _account(self) -> str:
        """ "admin", "reader" (authenticated, not ADMIN) or "" (no or wrong credentials)."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return ""
        try:
            user, _, pw = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
        except ValueError:
            return ""
        if (user, pw) == (self.state.user, self.state.password):
            return "admin"
        return "reader" if self.state.reader and (user, pw) == self.state.reader else ""

    # ------------------------------------------------------------ dispatch
    def _dispatch(self) -> None:
        st = self.state
        parts = urlsplit(self.path)
        body = self._body()
        if parts.path.startswith("/__double__/"):
            self._send(self._control(parts.path, body))
            return
        query = parse_qsl(parts.query, keep_blank_values=True)
        st.seq += 1
        entry: dict[str, Any] = {
            "seq": st.seq,
            "method": self.command,
            "path": parts.path,
            "query": dict(query),
            "content_type": self.headers.get("Content-Type", ""),
            "accept": self.headers.get("Accept", ""),
            "body_bytes": len(body),
            "status": None,
            "misuse": "",
            "fault": "",
        }
        st.log.append(entry)
        fault = st.fault_for(self.command, parts.path)
        if fault:
            entry["fault"] = fault["action"]
            if fault["action"] == "reset":
                entry["status"] = "reset"
                self._reset_connection()
                return
            if fault["action"] == "status":
                status = int(fault.get("status", 500))
                entry["status"] = status
                self._send(Resp(status, str(fault.get("body", "injected fault")).encode(), "text/plain"))
                return
            if fault["action"] == "delay":
                time.sleep(float(fault.get("seconds", 1.0)))
        try:
            resp = self._route(parts.path, query, body)
        except Exception as exc:  # noqa: BLE001 - a bug of the double: make the test fail, loudly
            traceback.print_exc()
            resp = Resp(500, f"test double bug: {exc!r}".encode(), "text/plain", misuse=f"test double bug: {exc!r}")
        entry["status"], entry["misuse"] = resp.status, resp.misuse
        if fault and fault["action"] == "reset_after":  # the request took effect, its answer is lost
            entry["status"] = f"{resp.status}+reset"
            self._reset_connection()
            return
        self._send(resp)

    def _route(self, path: str, query: list[tuple[str, str]], body: bytes) -> Resp:
        host = self.headers.get("Host", f"127.0.0.1:{self.server.server_address[1]}")
        base = f"http://{host}/geoserver"
        m = re.match(r"^/geoserver/([^/]+)/(wms|wfs|ows)$", path)
        if m:
            if self.headers.get("Authorization") and not self._account():
                return Resp(401, b"", "text/plain", {"WWW-Authenticate": 'Basic realm="GeoServer Realm"'})
            status, ctype, out = self.state.ogc.handle(m.group(1), m.group(2), query, base)
            return Resp(status, out, ctype)
        if not path.startswith("/geoserver/rest"):
            return Resp(404, b"Not found", "text/plain", misuse="unmapped path")
        account = self._account()
        if not account:  # default rest.properties: /**;GET=ADMIN and /**;POST,DELETE,PUT=ADMIN
            return Resp(401, b"", "text/plain", {"WWW-Authenticate": 'Basic realm="GeoServer Realm"'})
        if account == "reader":  # authenticated without the role: Tomcat's page (cga-harvard/worldmap#117)
            return Resp(403, b"<html><body>You must be administrator.</body></html>", "text/html")
        rest_path = path[len("/geoserver/rest") :]
        if rest_path.endswith("/") and rest_path != "/":
            if self.state.version < (3,):  # Spring 5 still matched trailing slashes; a client should not rely on it
                return self._rest(path.rstrip("/"), query, body, base, misuse="trailing slash")
            detail = {
                "detail": f"No endpoint {self.command} {path}.",
                "instance": path,
                "status": 404,
                "title": "Not Found",
            }
            return Resp(404, json.dumps(detail).encode(), "application/problem+json", misuse="trailing slash")
        return self._rest(path, query, body, base)

    def _rest(self, path: str, query: list[tuple[str, str]], body: bytes, base: str, misuse: str = "") -> Resp:
        resp = self._rest_route(path, query, body, base)
        if misuse and not resp.misuse:
            resp.misuse = misuse
        return resp

    def _rest_route(self, path: str, query: list[tuple[str, str]], body: bytes, base: str) -> Resp:
        rest_path = path[len("/geoserver/rest") :]
        rel, suffix = split_rest_path(rest_path)
        req = Req(self.command, rel, suffix, dict(query), {k.lower(): v for k, v in self.headers.items()}, body, base)
        for pattern, methods in ROUTES:
            m = pattern.match(rel)
            if not m:
                continue
            fn = methods.get(self.command)
            if fn is None:
                allow = ", ".join(methods)
                return Resp(
                    405,
                    f"Request method '{self.command}' is not supported".encode(),
                    "text/plain",
                    {"Allow": allow},
                    misuse="method not allowed",
                )
            try:
                return fn(self.state.catalog, req, *m.groups())
            except RestError as exc:
                if exc.status == 404 and req.flag("quietOnNotFound"):
                    return Resp(404, misuse=exc.misuse)
                return Resp(exc.status, exc.message.encode(), "text/plain;charset=utf-8", misuse=exc.misuse)
        detail = {
            "detail": f"No endpoint {self.command} {path}.",
            "instance": path,
            "status": 404,
            "title": "Not Found",
        }
        return Resp(404, json.dumps(detail).encode(), "application/problem+json", misuse="unmapped path")

    def _control(self, path: str, body: bytes) -> Resp:
        st = self.state
        ok = Resp(200, b"{}", "application/json")
        if path == "/__double__/health":
            return ok
        if path == "/__double__/log":
            if self.command == "DELETE":
                st.log.clear()
                return ok
            return Resp(200, json.dumps(st.log).encode(), "application/json")
        if path == "/__double__/state":
            return Resp(200, json.dumps(st.catalog.snapshot()).encode(), "application/json")
        if path == "/__double__/faults":
            if self.command == "DELETE":
                st.faults.clear()
            elif self.command in ("POST", "PUT"):
                st.faults = list(json.loads(body or b"[]"))
            return Resp(200, json.dumps(st.faults).encode(), "application/json")
        if path == "/__double__/reset" and self.command == "POST":
            st.reset()
            return ok
        return Resp(404, b"unknown control endpoint", "text/plain")


def serve(
    host: str,
    port: int,
    data_dir: Path,
    user: str,
    password: str,
    announce: Callable[[str], None],
    reader: tuple[str, str] | None = None,
    version: tuple[int, ...] = (2, 26, 2),
) -> None:
    state = DoubleState(data_dir, user, password, reader, version)
    handler = type("Handler", (DoubleHandler,), {"state": state})
    httpd = HTTPServer((host, port), handler)
    announce(f"http://{host}:{httpd.server_address[1]}/geoserver")
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
        state.ogc.close()
