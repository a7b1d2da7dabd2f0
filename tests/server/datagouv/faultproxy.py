"""A tiny HTTP reverse proxy in front of the real udata that breaks chosen requests, for retry/resume tests.

Faults are matched by method and path regex and counted per rule; each applies to the ``nth`` .. ``nth +
times - 1`` matching requests:

- ``cut_before``: the request is read, never forwarded, and the connection is closed without an answer
  (the server never saw it);
- ``cut_after``: the request is forwarded and udata handles it, then the connection is closed without
  passing the answer on (the server did the work, the client does not know);
- ``502``: answered ``502 Bad Gateway`` without forwarding;
- ``413``: answered ``413 Request Entity Too Large`` with the HTML page of a front web server (nginx), as
  data.gouv.fr's front servers answer a body over their limit (udata itself never sees it);
- ``415``: answered ``415 Unsupported Media Type`` with a udata-shaped JSON ``{"message"}``.

Everything else is forwarded unchanged (bodies are read whole: the client sends Content-Length).
"""

from __future__ import annotations

import contextlib
import http.client
import re
import socket
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pathlib import Path

NGINX_413 = (
    b"<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
    b"<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
#: answers given without forwarding: action -> (status, content type, body)
CANNED = {
    "502": (502, "application/json", b'{"message": "Bad Gateway (fault injected)"}'),
    "413": (413, "text/html", NGINX_413),
    "415": (415, "application/json", b'{"message": "Unsupported Media Type: this file type is not accepted"}'),
}
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


@dataclass
class Fault:
    method: str
    path: str  # regex searched in the path (query included)
    action: str  # "cut_before", "cut_after", "502", "413", "415"
    nth: int = 1
    times: int = 1
    seen: int = 0
    applied: int = 0


@dataclass
class FaultProxy:
    """``ssl_context`` set: the proxy answers HTTPS (a TLS front for the tests of ``--ca-bundle``)."""

    upstream: str  # http://127.0.0.1:PORT
    faults: list[Fault] = field(default_factory=list)
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, what happened)
    ssl_context: ssl.SSLContext | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format, *args):
                return

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                action = proxy._match(self.command, self.path)
                proxy.log.append((self.command, self.path, action or "pass"))
                if action == "cut_before":
                    return self._cut()
                if action in CANNED:
                    status, ctype, payload = CANNED[action]
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return None
                status, headers, data = proxy._forward(self.command, self.path, self.headers, body)
                if action == "cut_after":
                    return self._cut()
                self.send_response(status)
                for k, v in headers:
                    if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None

            def _cut(self):
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        scheme = "http"
        if self.ssl_context is not None:
            self.server.socket = self.ssl_context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _match(self, method: str, path: str) -> str | None:
        with self._lock:
            for fault in self.faults:
                if fault.method == method and re.search(fault.path, path):
                    fault.seen += 1
                    if fault.nth <= fault.seen < fault.nth + fault.times:
                        fault.applied += 1
                        return fault.action
        return None

    def _forward(self, method, path, headers, body):
        up = urlsplit(self.upstream)
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=60)
        try:
            fwd = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
            fwd["Host"] = up.netloc  # udata's SERVER_NAME is the upstream's host:port
            conn.request(method, path, body=body, headers=fwd)
            resp = conn.getresponse()
            return resp.status, resp.getheaders(), resp.read()
        finally:
            conn.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def make_tls_context(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A throw-away private CA and a certificate for 127.0.0.1 signed by it (the openssl command line):
    (server context, CA bundle to give the client)."""
    import subprocess

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=odl-geo test CA",
        "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out",
        "server.csr")  # fmt: skip
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.ext", "-out", "server.pem")  # fmt: skip
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "server.pem", folder / "server.key")
    return ctx, folder / "ca.pem"
