"""A small threaded HTTP front before ``qgis_mapserver``, for browsers on other sites (commune websites).

QGIS Server's development server sends no CORS header, so a page on ``https://www.ma-commune.fr`` could show its
GetMap images but not read its GetCapabilities (the map chooses layers by theme from them) nor its
GetFeatureInfo JSON (the popup). The front proxies ``/ows/`` to the server and adds
``Access-Control-Allow-Origin: *`` (read-only public data: no credentials are ever involved); it also serves
folders (``/embed/``: the web components' bundle; ``/``: a page such as the one ``odl-geo embed`` writes) with the
same header, since ES modules are fetched in CORS mode. It listens on 127.0.0.1 unless told otherwise.

Static files: only files under a mounted folder (no ``..``, no symbolic link out of it), no directory listing; a
path ending in ``/`` is its ``index.html``, else ``<path>.json`` (a recorded API answer, for ``make demo``).
"""

from __future__ import annotations

import http.client
import mimetypes
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Self
from urllib.parse import unquote, urlsplit

from ..errors import RemoteError

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["CORS_HEADERS", "Front"]

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".geojson": "application/geo+json",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
#: upstream headers passed on (hop-by-hop ones and QGIS Server's own CORS, if any, are not)
PASSED = ("content-type", "content-disposition", "cache-control", "last-modified", "etag", "expires")
UPSTREAM_TIMEOUT = 120.0


class Front:
    """The front server. ``upstream`` is the QGIS Server base URL (``http://127.0.0.1:PORT``).

    :param mounts: URL prefix (``/embed/``, ``/``) -> folder served under it; the longest prefix wins.
    :param page_csp: a Content-Security-Policy sent with the HTML pages of the mounts (the demo page shows it works).
    """

    def __init__(
        self,
        upstream: str,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        mounts: dict[str, Path] | None = None,
        page_csp: str = "",
    ) -> None:
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname or "127.0.0.1", parts.port or 80
        self.host, self.port = host, port
        pairs = [(p if p.endswith("/") else p + "/", Path(d).resolve()) for p, d in (mounts or {}).items()]
        self.mounts = sorted(pairs, key=lambda m: -len(m[0]))  # the longest prefix first
        self.page_csp = page_csp
        self.requests = 0
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def retarget(self, upstream: str) -> None:
        """Send the next requests to another QGIS Server (a new one on a rebuilt project); those running finish."""
        parts = urlsplit(upstream)
        self.upstream_host, self.upstream_port = parts.hostname or "127.0.0.1", parts.port or 80

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def ows_url(self) -> str:
        return f"{self.base_url}/ows/"

    def url_of(self, prefix: str) -> str:
        return f"{self.base_url}{prefix}"

    def start(self) -> Self:
        """Listen (port 0: a free one, read back) and serve in a daemon thread.

        :raises RemoteError: the address is taken or not available.
        """
        server_class = _ThreadingHTTPServer6 if ":" in self.host else ThreadingHTTPServer
        try:
            self._httpd = server_class((self.host, self.port), _handler(self))
        except OSError as exc:
            raise RemoteError(
                f"Cannot listen on {self.host}:{self.port}: {exc.strerror or exc}.",
                "Choose another --port (0 picks a free one).",
                message_fr=f"Impossible d'écouter sur {self.host}:{self.port} : {exc.strerror or exc}.",
                hint_fr="Choisissez un autre --port (0 en prend un libre).",
            ) from None
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="odl-geo-front", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket; idempotent."""
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def resolve(self, path: str) -> Path | None:
        """The file a URL path names under a mount, or None (outside every mount, missing, or escaping it)."""
        for prefix, root in self.mounts:
            if not path.startswith(prefix):
                continue
            rest = unquote(path[len(prefix):])
            if "\x00" in rest or any(part in ("..",) for part in rest.split("/")):
                return None
            candidates = [root / rest / "index.html", root / (rest.rstrip("/") + ".json")] if (
                rest == "" or rest.endswith("/")) else [root / rest]  # fmt: skip
            for c in candidates:
                try:
                    real = c.resolve()
                except OSError:
                    continue
                if real.is_file() and real.is_relative_to(root):
                    return real
            return None
        return None


class _ThreadingHTTPServer6(ThreadingHTTPServer):
    address_family = socket.AF_INET6  # --host ::1 or ::


def _handler(front: Front) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "odl-geo-front"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # the QGIS Server log says what was asked; a line per tile here would drown it

        def _cors(self) -> None:
            for k, v in CORS_HEADERS.items():
                self.send_header(k, v)

        def _plain(self, status: int, text: str) -> None:
            body = text.encode()
            self.send_response(status)
            self._cors()
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_OPTIONS(self) -> None:
            self.send_response(204)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            front.requests += 1
            path = urlsplit(self.path).path
            if path == "/ows" or path.startswith("/ows/"):
                self._proxy()
            else:
                self._static(path)

        do_HEAD = do_GET

        def do_POST(self) -> None:
            front.requests += 1
            if urlsplit(self.path).path.startswith("/ows"):
                self._proxy()
            else:
                self._plain(405, "Method not allowed.")

        def _proxy(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            conn = http.client.HTTPConnection(front.upstream_host, front.upstream_port, timeout=UPSTREAM_TIMEOUT)
            try:
                headers = {"Host": f"{front.upstream_host}:{front.upstream_port}"}
                if self.headers.get("Content-Type"):
                    headers["Content-Type"] = self.headers["Content-Type"]
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                self._plain(502, f"The map server (QGIS Server) did not answer: {exc}.")
                return
            finally:
                conn.close()
            self.send_response(resp.status)
            self._cors()
            for name, value in resp.getheaders():
                if name.lower() in PASSED:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def _static(self, path: str) -> None:
            if path in ("", "/") and not any(p == "/" for p, _ in front.mounts):
                self._plain(404, "Nothing here: the map server is at /ows/, the web components at /embed/.")
                return
            file = front.resolve(path)
            if file is None:
                if not path.endswith("/") and front.resolve(path + "/") is not None:
                    self.send_response(301)
                    self.send_header("Location", path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self._plain(404, "Not found.")
                return
            data = file.read_bytes()
            ctype = TYPES.get(file.suffix.lower()) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            self.send_response(200)
            self._cors()
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-cache")  # a new bundle or page shows on the next load
            self.send_header("X-Content-Type-Options", "nosniff")
            if front.page_csp and file.suffix.lower() == ".html":
                self.send_header("Content-Security-Policy", front.page_csp)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler
