"""Small local HTTP servers of the browser tests (stdlib only, 127.0.0.1, daemon threads).

- :class:`Site`: the commune's web page, served with the strict Content-Security-Policy that docs/embed.md
  tells webmasters to set; ``/static/`` is the built bundle (odl_geo/embed/static), ``/axe/`` axe-core from npm;
  ``/nocsp/<page>`` serves the same page without the header (positive controls only).
- :class:`Front`: a CORS-adding front of the QGIS Servers (``/<name>/ows/...`` -> that server), as a map server
  published for websites answers; it can swap a server (re-publication), delay answers (time-outs) and
  records the requests it forwarded.
- :class:`Tiles`: an XYZ tile server (``/{z}/{x}/{y}.png``, one plain colour) for the optional background map.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "odl_geo" / "embed" / "static"
AXE = REPO / "web" / "node_modules" / "axe-core" / "axe.min.js"


def csp_header(map_origins: list[str], datagouv_origins: list[str]) -> str:
    """The policy docs/embed.md gives webmasters, with the map server(s) and data.gouv.fr filled in."""
    remote = " ".join(dict.fromkeys([*map_origins, *datagouv_origins]))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data: {remote}; connect-src 'self' {remote}"
    )


class _Server:
    def __init__(self, handler: type) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Site(_Server):
    """Serves ``root`` (pages written by :meth:`page`) with the CSP header."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.csp = "default-src 'self'"
        site = self

        class Handler(SimpleHTTPRequestHandler):
            def translate_path(self, path: str) -> str:
                p = urlsplit(path).path
                if p.startswith("/static/"):
                    return str(STATIC / p.removeprefix("/static/"))
                if p == "/axe/axe.min.js":
                    return str(AXE)
                return super().translate_path(p.removeprefix("/nocsp"))

            def end_headers(self) -> None:
                if not self.path.startswith("/nocsp/"):
                    self.send_header("Content-Security-Policy", site.csp)
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(functools.partial(Handler, directory=str(root)))

    def page(self, name: str, body: str, *, title: str = "Commune de test", lang: str = "fr") -> str:
        """Write a page using the bundle the way the snippet does; returns its URL."""
        html = f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/odl-embed.css">
<script type="module" src="/static/odl-embed.js"></script>
</head><body><main>
<h1>{title}</h1>
{body}
</main></body></html>
"""
        (self.root / name).write_text(html, encoding="utf-8")
        return f"{self.origin}/{name}"

    def file(self, name: str, data: bytes | str) -> str:
        path = self.root / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return f"{self.origin}/{name}"


class Front(_Server):
    """CORS front of local servers: ``/<name>/rest`` -> ``routes[name] + rest``; ``/slow/<ms>/<name>/rest``
    waits ``ms`` first. Every forwarded request is recorded in :attr:`log` as (name, path, query dict)."""

    def __init__(self) -> None:
        self.routes: dict[str, str] = {}
        self.log: list[tuple[str, str, dict[str, str]]] = []
        front = self

        class Handler(SimpleHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                segs = parts.path.lstrip("/").split("/")
                if segs[0] == "slow" and len(segs) > 2:
                    time.sleep(int(segs[1]) / 1000)
                    segs = segs[2:]
                name, rest = segs[0], "/".join(segs[1:])
                if name not in front.routes:
                    self.send_error(404)
                    return
                query = {k.upper(): v[0] for k, v in parse_qs(parts.query).items()}
                front.log.append((name, rest, query))
                url = front.routes[name].rstrip("/") + "/" + rest + (f"?{parts.query}" if parts.query else "")
                try:
                    with urllib.request.urlopen(url, timeout=60) as up:
                        status, headers, body = up.status, up.headers, up.read()
                except urllib.error.HTTPError as err:
                    status, headers, body = err.code, err.headers, err.read()
                except OSError:
                    self.send_error(502)
                    return
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", headers.get("Content-Type", "application/octet-stream"))
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Access-Control-Allow-Origin", "*")
                    self.send_header("Cache-Control", "no-store")
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the browser gave up (time-out tests)
                    pass

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)

    def url(self, name: str, rest: str = "", *, delay_ms: int = 0) -> str:
        prefix = f"/slow/{delay_ms}" if delay_ms else ""
        return f"{self.origin}{prefix}/{name}/{rest}"

    def requests(self, name: str, request: str) -> list[dict[str, str]]:
        """Queries of the recorded ``REQUEST=<request>`` calls forwarded to ``name``."""
        return [q for n, _, q in self.log if n == name and q.get("REQUEST", "").lower() == request.lower()]


class Tiles(_Server):
    """XYZ tiles of one colour: ``/{z}/{x}/{y}.png`` -> a 256 px PNG; the tiles asked are in :attr:`log`."""

    def __init__(self, colour: tuple[int, int, int] = (150, 200, 240)) -> None:
        from PIL import Image

        buf = io.BytesIO()
        Image.new("RGB", (256, 256), colour).save(buf, "PNG")
        png, self.colour, self.log = buf.getvalue(), colour, []
        tiles = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                m = re.fullmatch(r"/(\d+)/(\d+)/(\d+)\.png", urlsplit(self.path).path)
                if not m:
                    self.send_error(404)
                    return
                tiles.log.append(tuple(int(v) for v in m.groups()))
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(png)))
                self.end_headers()
                self.wfile.write(png)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, dirs_exist_ok=True)
    return dest
