"""The network seam: retries, timeouts, TLS on, errors with hints, and secrets never shown."""

from __future__ import annotations

import logging
import socket
import stat

import pytest
from werkzeug import Response

from odl_geo.credentials import Credentials, redact, redact_url
from odl_geo.errors import InputError, NetworkError
from odl_geo.http import HttpRequest, RequestsTransport, RetryPolicy

FAST = RetryPolicy(total=3, backoff=0.01)
SECRET = "s3cr3t-Passw0rd"


@pytest.fixture
def transport():
    return RequestsTransport(retry=FAST, timeout=(2, 2))


def test_get_retries_on_503_then_succeeds(httpserver, transport):
    httpserver.expect_ordered_request("/x").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/x").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/x").respond_with_json({"ok": True})
    resp = transport.send(HttpRequest("GET", httpserver.url_for("/x")))
    assert resp.status == 200 and resp.json() == {"ok": True}
    httpserver.check_assertions()
    assert len(httpserver.log) == 3


def test_post_is_not_retried_after_reaching_the_server(httpserver, transport):
    httpserver.expect_oneshot_request("/create", method="POST").respond_with_data("down", status=503)
    resp = transport.send(HttpRequest("POST", httpserver.url_for("/create"), json_body={"a": 1}))
    assert resp.status == 503
    assert len(httpserver.log) == 1  # a second POST could create a duplicate


def test_retry_after_is_honoured_and_exhaustion_returns_last_status(httpserver, transport):
    httpserver.expect_request("/busy").respond_with_response(Response("x", status=429, headers={"Retry-After": "0"}))
    resp = transport.send(HttpRequest("GET", httpserver.url_for("/busy")))
    assert resp.status == 429
    assert len(httpserver.log) == FAST.total + 1


def test_connection_refused_gives_network_error_with_hint(transport):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NetworkError, match=r"Cannot reach http://127\.0\.0\.1:\d+/api") as info:
        transport.send(HttpRequest("GET", f"http://127.0.0.1:{port}/api"))
    assert "Check the URL" in info.value.hint


def test_timeout_gives_network_error(httpserver):
    import time

    def slow(_request):
        time.sleep(1.5)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    t = RequestsTransport(retry=RetryPolicy(total=0), timeout=(1, 0.3))
    with pytest.raises(NetworkError, match="timed out"):
        t.send(HttpRequest("GET", httpserver.url_for("/slow")))


def test_tls_verification_is_on_by_default():
    assert RequestsTransport().session.verify is True
    assert RequestsTransport(ca_bundle="/etc/ssl/certs/ca-certificates.crt").session.verify.endswith(".crt")


def test_basic_auth_and_api_key_headers_are_sent(httpserver, transport):
    httpserver.expect_request("/me", headers={"X-API-KEY": SECRET}).respond_with_json({"me": 1})
    httpserver.expect_request("/rest").respond_with_json({"rest": 1})
    assert transport.send(HttpRequest("GET", httpserver.url_for("/me"), auth=Credentials(api_key=SECRET))).ok
    transport.send(HttpRequest("GET", httpserver.url_for("/rest"), auth=Credentials("admin", SECRET)))
    assert httpserver.log[-1][0].authorization.password == SECRET


def test_secrets_never_appear_in_repr_logs_or_errors(caplog, transport):
    creds = Credentials("admin", SECRET, api_key="KEY-123456")
    assert SECRET not in repr(creds) and "KEY-123456" not in str(creds)
    caplog.set_level(logging.DEBUG, logger="odl_geo")
    url = f"http://admin:{SECRET}@127.0.0.1:9/x?authkey=KEY-123456"
    with pytest.raises(NetworkError) as info:
        transport.send(HttpRequest("GET", url, auth=creds))
    text = " ".join([str(info.value), info.value.details, info.value.hint, caplog.text])
    assert SECRET not in text and "KEY-123456" not in text
    assert "127.0.0.1:9" in str(info.value)


def test_redaction_helpers():
    assert (
        redact_url("https://u:p@h.example/ows?SERVICE=WMS&authkey=abc")
        == "https://h.example/ows?SERVICE=WMS&authkey=%2A%2A%2A"
    )
    assert redact("token=abc&x=1 and https://u:pw@h/ and pw", ["pw"]) == "token=***&x=1 and https://***:***@h/ and ***"


def test_credentials_from_env_and_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ODL_TEST_USER", "admin")
    monkeypatch.setenv("ODL_TEST_PASSWORD", SECRET)
    assert Credentials.from_env("ODL_TEST") == Credentials("admin", SECRET)
    f = tmp_path / "creds.toml"
    f.write_text('[geoserver]\nusername = "admin"\npassword = "x"\n')
    f.chmod(0o644)
    with pytest.raises(InputError, match="can be read by other users"):
        Credentials.from_file(f, "geoserver")
    f.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert Credentials.from_file(f, "geoserver").username == "admin"
    with pytest.raises(InputError, match=r"no \[datagouv\] section"):
        Credentials.from_file(f, "datagouv")


def test_retry_policy_delay_is_the_one_rule_for_every_transport():
    p = RetryPolicy(total=3, backoff=0.5)
    assert p.delay("GET", 0, 503) == 0.5 and p.delay("GET", 2, 503) == 2.0
    assert p.delay("GET", 3, 503) is None  # exhausted
    assert p.delay("POST", 0, 503) is None  # may already have had an effect
    assert p.delay("POST", 0, None) == 0.5  # never reached the server
    assert p.delay("GET", 0, 404) is None
    assert p.delay("PUT", 0, 429, retry_after="3") == 3.0


def test_redact_url_survives_a_malformed_port():
    assert redact_url("http://admin:pw@geo.example:80a/rest?authkey=k") == "http://geo.example:80a/rest?authkey=%2A%2A%2A"
