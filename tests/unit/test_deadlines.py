"""Deadlines hold end to end and malformed answers are exit 5 naming the server (issue #14, item 10).

Misbehaving servers run on 127.0.0.1 in this process: one that accepts connections and never answers (a socket
that listens and never reads), one that answers 200 with ``{}``, an HTML page, or JSON cut in the middle.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from odl_geo.cli.main import main
from odl_geo.conversion import convert
from odl_geo.errors import NetworkError
from odl_geo.http import DeadlineTransport, HttpRequest, RequestsTransport
from tests.unit import crafted

#: a deadline must stop the command within it, plus the start-up of the command (imports, planning) and slack
SLACK_S = 6.0


@pytest.fixture
def silent_server():
    """``http://127.0.0.1:PORT``: TCP connections are accepted by the kernel, no byte ever comes back."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


class _Answers(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, ctype, body = self.server.answer  # type: ignore[attr-defined]
        self.server.paths.append(f"{self.command} {self.path}")  # type: ignore[attr-defined]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def answering_server():
    """``serve(status, content_type, body) -> url``: every request gets that answer."""
    servers = []

    def serve(status: int, ctype: str, body: bytes) -> str:
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
        httpd.answer, httpd.paths = (status, ctype, body), []  # type: ignore[attr-defined]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield serve
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def outdir(tmp_path):
    src = crafted.fountains_csv(tmp_path / "fontaines.csv")
    out = tmp_path / "out"
    convert(src, out, ["gpkg", "geojson"])
    return out


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv("ODL_GEOSERVER_USER", "admin")
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", "s3cret-pw")
    monkeypatch.setenv("ODL_DATAGOUV_API_KEY", "k" * 40)


def _timed(*argv: str) -> tuple[int, float]:
    start = time.monotonic()
    code = main(list(argv))
    return code, time.monotonic() - start


def test_the_transport_stops_a_request_to_a_silent_server_at_the_deadline(silent_server):
    transport = DeadlineTransport(RequestsTransport(), 1.5)
    start = time.monotonic()
    with pytest.raises(NetworkError, match="no answer"):
        transport.send(HttpRequest("GET", f"{silent_server}/x"))
    assert time.monotonic() - start < 1.5 + 1.0
    with pytest.raises(NetworkError, match="within the deadline"):  # later requests fail at once
        transport.send(HttpRequest("GET", f"{silent_server}/y"))


def test_publish_geoserver_against_a_silent_server_exits_4_within_the_deadline(silent_server, outdir, credentials,
                                                                                capsys):  # fmt: skip
    code, seconds = _timed("publish", "geoserver", str(outdir), "--url", f"{silent_server}/geoserver",
                           "--workspace", "commune", "--deadline", "3")  # fmt: skip
    err = capsys.readouterr().err
    assert code == 4, err
    assert seconds < 3 + SLACK_S, seconds
    assert "no answer" in err and "--deadline" in err


def test_publish_datagouv_against_a_silent_server_exits_4_within_the_deadline(silent_server, outdir, credentials,
                                                                               capsys):  # fmt: skip
    code, seconds = _timed("publish", "datagouv", str(outdir), "--org", "ma-commune", "--url", silent_server,
                           "--deadline", "3")  # fmt: skip
    err = capsys.readouterr().err
    assert code == 4, err
    assert seconds < 3 + SLACK_S, seconds


def test_publish_postgis_against_a_silent_server_exits_4_within_the_deadline(silent_server, outdir, capsys):
    port = silent_server.rsplit(":", 1)[1]
    code, seconds = _timed("publish", "postgis", str(outdir), "--dsn", f"postgresql://sig@127.0.0.1:{port}/gis",
                           "--deadline", "2")  # fmt: skip
    err = capsys.readouterr().err
    assert code == 4, err
    assert seconds < 2 + SLACK_S, seconds


def test_a_job_deadline_bounds_its_publishing_steps(silent_server, tmp_path, credentials, capsys):
    src = crafted.fountains_csv(tmp_path / "fontaines.csv")
    job = tmp_path / "job.toml"
    job.write_text(f'[job]\nname = "j"\nout = "pub"\ndeadline = 3\n[[dataset]]\nname = "f"\nsource = "{src}"\n'
                   f'[dataset.convert]\nto = ["gpkg"]\n[dataset.geoserver]\nurl = "{silent_server}/geoserver"\n'
                   'workspace = "commune"\n', encoding="utf-8")  # fmt: skip
    code, seconds = _timed("run", str(job), "--json")
    out = capsys.readouterr().out
    assert code == 4, out
    assert seconds < 3 + SLACK_S, seconds
    steps = json.loads(out)["datasets"][0]["steps"]
    assert [(s["step"], s["code"]) for s in steps] == [("convert", 0), ("geoserver", 4)]


def test_a_step_deadline_in_a_job_file_is_the_commands_option(silent_server, tmp_path, credentials, capsys):
    src = crafted.fountains_csv(tmp_path / "fontaines.csv")
    job = tmp_path / "job.toml"
    job.write_text(f'[job]\nname = "j"\nout = "pub"\n[[dataset]]\nname = "f"\nsource = "{src}"\n'
                   f'[dataset.convert]\nto = ["gpkg"]\n[dataset.geoserver]\nurl = "{silent_server}/geoserver"\n'
                   'workspace = "commune"\ndeadline = 2\n', encoding="utf-8")  # fmt: skip
    code, seconds = _timed("run", str(job))
    capsys.readouterr()
    assert code == 4 and seconds < 2 + SLACK_S, (code, seconds)


MALFORMED = {
    "empty-object": (200, "application/json", b"{}"),
    "html": (200, "text/html", b"<html><body><h1>Maintenance</h1></body></html>"),
    "cut-json": (200, "application/json", b'{"dataStore": {"name": "fontaines", "type": "GeoPack'),
    "list": (200, "application/json", b"[1, 2]"),
}


@pytest.mark.parametrize("answer", MALFORMED)
def test_a_malformed_geoserver_answer_is_exit_5_naming_the_server(answer, answering_server, outdir, credentials,
                                                                  capsys):  # fmt: skip
    url = answering_server(*MALFORMED[answer])
    code = main(["publish", "geoserver", str(outdir), "--url", f"{url}/geoserver", "--workspace", "commune",
                 "--deadline", "20"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 5, err
    assert url.split("://")[1] in err, err
    assert "internal error" not in err and "KeyError" not in err


@pytest.mark.parametrize("answer", MALFORMED)
def test_a_malformed_datagouv_answer_is_exit_5_naming_the_server(answer, answering_server, outdir, credentials,
                                                                 capsys):  # fmt: skip
    url = answering_server(*MALFORMED[answer])
    code = main(["publish", "datagouv", str(outdir), "--org", "ma-commune", "--url", url, "--deadline", "20"])
    err = capsys.readouterr().err
    assert code == 5, err
    assert url.split("://")[1] in err, err
    assert "internal error" not in err and "KeyError" not in err
