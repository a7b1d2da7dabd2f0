"""Issue #14, item 4: a server that echoes the request never makes odl-geo print or store a secret in use.

Local servers on 127.0.0.1 answer every request with an error quoting the request back: its headers (``X-API-KEY``,
``Authorization: Basic`` = base64 of user:password) and its body, raw and URL-encoded. Every form of each secret must
be absent from stderr, ``--json`` and the journal of ``odl-geo run``. A second pair of servers checks that an API key
never follows a redirect to another origin.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, quote_plus

import pytest

from odl_geo.cli.main import main
from odl_geo.credentials import Credentials
from odl_geo.http import HttpRequest, RequestsTransport, RetryPolicy, redact, same_origin

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

API_KEY = "k3y+With/Special=Chars&more"
USER, PASSWORD = "admin", "pa ss@w0rd+/%"


def forms(secret: str) -> list[str]:
    """What a leaked secret looks like, in the forms an echoing server gives back."""
    out = [secret, quote(secret, safe=""), quote_plus(secret, safe=""), json.dumps(secret)[1:-1]]
    return [f for f in out if len(f) >= 6]


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def leaked(text: str) -> list[str]:
    bad = [*forms(API_KEY), *forms(PASSWORD), basic(USER, PASSWORD), basic(USER, PASSWORD).rstrip("=")]
    return [b for b in bad if b in text]


class _Echo(BaseHTTPRequestHandler):
    """Answers every request with ``status`` and a body quoting the request line, headers and body."""

    status = 400

    def _echo(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        headers = "; ".join(f"{k}: {v}" for k, v in self.headers.items())
        text = f"{self.command} {self.path} {headers} body={body} form=password={quote_plus(PASSWORD)}"
        payload = json.dumps({"message": f"bad request: {text}", "errors": {"title": [text]}}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = _echo

    def log_message(self, *args: Any) -> None:
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def echo() -> Iterator[str]:
    yield from _serve(_Echo)


@pytest.fixture
def echo500() -> Iterator[str]:
    yield from _serve(type("Echo500", (_Echo,), {"status": 500}))


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    src = tmp_path / "points.geojson"
    feature = {"type": "Feature", "properties": {"nom": "a"}, "geometry": {"type": "Point", "coordinates": [3.8, 43.6]}}
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    assert main(["convert", str(src), "--to", "gpkg,geojson", "--out", str(tmp_path / "publi"), "-q"]) == 0
    return tmp_path / "publi"


def test_redact_masks_every_form() -> None:
    creds = Credentials(USER, PASSWORD, API_KEY)
    text = (
        f"Authorization: Basic {basic(USER, PASSWORD)} X-API-KEY: {API_KEY} password={quote_plus(PASSWORD)} "
        f"p={quote(PASSWORD, safe='').lower()} json={json.dumps(PASSWORD)}"
    )
    said = redact(text, creds.secrets)
    assert leaked(said) == [] and "***" in said
    # the header names stay: the message still says what was echoed
    assert "Authorization: Basic ***" in said and "X-API-KEY: ***" in said


def test_publish_datagouv_never_prints_an_echoed_api_key(
    echo: str, outputs: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_DATAGOUV_API_KEY", API_KEY)
    code = main(["publish", "datagouv", str(outputs), "--org", "commune", "--url", echo, "--json", "--verbose"])
    cap = capsys.readouterr()
    assert code in (5, 6), cap.err
    assert "bad request" in cap.err + cap.out  # the server's words are quoted...
    assert leaked(cap.err + cap.out) == []  # ...without the key, in any form
    assert json.loads(cap.out)["error"] in ("RemoteError", "AuthError")


def test_publish_geoserver_never_prints_an_echoed_basic_token(
    echo500: str, outputs: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_GEOSERVER_USER", USER)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", PASSWORD)
    argv = ["publish", "geoserver", str(outputs), "--url", echo500 + "/geoserver", "--workspace", "ws"]
    code = main([*argv, "--json", "--verbose", "--deadline", "20"])
    cap = capsys.readouterr()
    assert code == 5, cap.err
    assert "Authorization: Basic ***" in cap.err  # echoed, masked
    assert leaked(cap.err + cap.out) == []


def test_job_journal_never_stores_an_echoed_basic_token(
    echo500: str, outputs: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ODL_GEOSERVER_USER", USER)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", PASSWORD)
    monkeypatch.setenv("ODL_DATAGOUV_API_KEY", API_KEY)
    job = tmp_path / "job.toml"
    out = tmp_path / "jobout"
    out.mkdir()
    outputs.rename(out / "points")
    job.write_text(
        f'[job]\nname = "t"\nout = "{out}"\n[[dataset]]\nname = "points"\n'
        f'[dataset.geoserver]\nurl = "{echo500}/geoserver"\nworkspace = "ws"\ndeadline = 20\n',
        encoding="utf-8",
    )
    code = main(["run", str(job), "--json"])
    cap = capsys.readouterr()
    assert code != 0
    journal = (out / "journal.jsonl").read_text(encoding="utf-8")
    assert "***" in journal
    assert leaked(journal) == [] and leaked(cap.out + cap.err) == []


class _Recorder(BaseHTTPRequestHandler):
    """Records the headers of every request it gets; answers 200 {}."""

    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        type(self).seen.append(dict(self.headers.items()))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        pass


def _redirector(target: str, status: int) -> type[BaseHTTPRequestHandler]:
    class Redirect(BaseHTTPRequestHandler):
        seen: ClassVar[list[dict[str, str]]] = []

        def do_GET(self) -> None:
            if self.path.startswith("/here"):
                type(self).seen.append(dict(self.headers.items()))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Location", target if not self.path.startswith("/same") else "/here")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Redirect


@pytest.mark.parametrize("deadline", [False, True], ids=["no-deadline", "deadline"])
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_an_api_key_never_follows_a_redirect_to_another_origin(status: int, deadline: bool) -> None:
    recorder = type("Rec", (_Recorder,), {"seen": []})
    for other in _serve(recorder):
        redirect = _redirector(other + "/api/1/me/", status)
        for origin in _serve(redirect):
            transport = RequestsTransport(retry=RetryPolicy(total=0))
            creds = Credentials(USER, PASSWORD, API_KEY)
            by = time.monotonic() + 30 if deadline else None  # requests with a deadline take another session
            resp = transport.send(HttpRequest("GET", origin + "/api/1/me/", auth=creds, deadline=by))
            assert resp.status == 200
            assert len(recorder.seen) == 1
            sent = {k.lower() for k in recorder.seen[0]}
            assert "x-api-key" not in sent and "authorization" not in sent
            # a redirect within the same origin keeps the key (the server asked for it there)
            resp = transport.send(HttpRequest("GET", origin + "/same", auth=creds, deadline=by))
            assert resp.status == 200
            assert redirect.seen[-1].get("X-API-KEY") == API_KEY


def test_same_origin() -> None:
    assert same_origin("https://a.fr/x", "https://a.fr:443/y")
    assert not same_origin("https://a.fr/x", "http://a.fr/x")  # downgraded to clear text
    assert not same_origin("https://a.fr/x", "https://a.fr:8443/x")
    assert not same_origin("https://a.fr/x", "https://evil.a.fr.example/x")
