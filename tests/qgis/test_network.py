"""QgisTransport: odl_geo requests through QGIS's network stack (proxy, CA store, auth configs apply)."""

from __future__ import annotations

import time

import pytest
from qgis.core import QgsApplication, QgsAuthMethodConfig
from werkzeug import Response

from odl_geo.credentials import Credentials
from odl_geo.errors import NetworkError
from odl_geo.http import HttpRequest, RetryPolicy
from qgis_plugin.network import QgisTransport

FAST = RetryPolicy(total=2, backoff=0.01)


def test_get_json_with_params_and_retry_on_503(qgis_app, httpserver):
    httpserver.expect_ordered_request("/api", query_string={"q": "é"}).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/api", query_string={"q": "é"}).respond_with_json({"ok": "été"})
    resp = QgisTransport(retry=FAST).send(HttpRequest("GET", httpserver.url_for("/api"), params={"q": "é"}))
    assert resp.status == 200 and resp.json() == {"ok": "été"}
    assert resp.header("content-type") == "application/json"
    httpserver.check_assertions()


def test_post_json_multipart_and_put_bodies_arrive_intact(qgis_app, httpserver):
    httpserver.expect_request("/json", method="POST", json={"title": "Itinéraires"}).respond_with_json({}, status=201)
    httpserver.expect_request("/put", method="PUT", data=b"GPKG\x00bytes").respond_with_data("", status=201)

    def upload(request):
        f = request.files["file"]
        return Response(f"{f.filename}:{f.read().decode()}:{request.form['partindex']}")

    httpserver.expect_request("/upload", method="POST").respond_with_handler(upload)
    t = QgisTransport(retry=FAST)
    assert t.send(HttpRequest("POST", httpserver.url_for("/json"), json_body={"title": "Itinéraires"})).status == 201
    put = HttpRequest(
        "PUT",
        httpserver.url_for("/put"),
        body=b"GPKG\x00bytes",
        headers={"Content-Type": "application/geopackage+sqlite3"},
    )
    assert t.send(put).status == 201
    up = HttpRequest(
        "POST",
        httpserver.url_for("/upload"),
        form={"partindex": "2"},
        files={"file": ("pei.csv", b"insee;type_pei", "text/csv")},
    )
    assert t.send(up).text == "pei.csv:insee;type_pei:2"
    httpserver.check_assertions()


def test_post_is_not_retried_and_api_key_header_is_sent(qgis_app, httpserver):
    httpserver.expect_oneshot_request("/datasets", method="POST", headers={"X-API-KEY": "k-123"}).respond_with_data(
        "down", status=503
    )
    resp = QgisTransport(retry=FAST).send(
        HttpRequest("POST", httpserver.url_for("/datasets"), json_body={}, auth=Credentials(api_key="k-123"))
    )
    assert resp.status == 503 and len(httpserver.log) == 1


def test_basic_auth_config_from_the_auth_manager_is_applied(qgis_app, httpserver):
    am = QgsApplication.authManager()
    if not am.masterPasswordIsSet():
        assert am.setMasterPassword("test-master-password", True)
    cfg = QgsAuthMethodConfig("Basic")
    cfg.setName("geoserver-test")
    cfg.setConfig("username", "admin")
    cfg.setConfig("password", "geo-Secret-42")
    assert am.storeAuthenticationConfig(cfg)[0]
    httpserver.expect_request("/rest/about/version.json").respond_with_json({"about": {}})
    resp = QgisTransport(authcfg=cfg.id(), retry=FAST).send(
        HttpRequest("GET", httpserver.url_for("/rest/about/version.json"))
    )
    assert resp.status == 200
    auth = httpserver.log[-1][0].authorization
    assert (auth.username, auth.password) == ("admin", "geo-Secret-42")


def test_unreachable_server_gives_network_error_without_secret(qgis_app):
    req = HttpRequest("GET", "http://127.0.0.1:9/x?authkey=SECRET-KEY")
    with pytest.raises(NetworkError, match=r"Cannot reach http://127\.0\.0\.1:9/x\?authkey=") as info:
        QgisTransport(retry=RetryPolicy(total=1, backoff=0.01)).send(req)
    assert "SECRET-KEY" not in str(info.value) + info.value.details


def test_a_deadline_stops_a_request_to_a_server_that_never_answers(qgis_app):
    """Through odl_geo.http.DeadlineTransport (what publish_plan wraps every transport in), QGIS's requests and
    retries stop at the deadline (issue #14, item 10), not after every retry's own timeout."""
    import socket
    import time

    from odl_geo.http import DeadlineTransport

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # connections are accepted by the kernel; nothing ever answers
    try:
        transport = DeadlineTransport(QgisTransport(timeout_s=120.0), 2.0)
        start = time.monotonic()
        with pytest.raises(NetworkError, match=r"timed out|no answer"):
            transport.send(HttpRequest("GET", f"http://127.0.0.1:{silent.getsockname()[1]}/rest/about/version.json"))
        assert time.monotonic() - start < 2.0 + 3.0
    finally:
        silent.close()


def test_a_request_made_from_the_main_thread_runs_in_a_helper_thread_while_the_main_thread_handles_events(
    qgis_app, httpserver, monkeypatch
):
    """QGIS 3.22's QgsBlockingNetworkRequest, called from the main thread, can wait for ever when a server answers
    401 twice (qgis_plugin/network.py, ``off_the_main_thread``): the transport never lets it run there."""
    import threading

    from qgis.PyQt.QtCore import QTimer

    from qgis_plugin import network

    httpserver.expect_request("/api").respond_with_json({"ok": True})
    seen: list[str] = []
    exchange = QgisTransport._exchange

    def spy(self, *args):
        seen.append(threading.current_thread().name)
        return exchange(self, *args)

    monkeypatch.setattr(QgisTransport, "_exchange", spy)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(1)  # the main thread's events go on while the request runs
    delayed = httpserver.url_for("/slow")

    def late(_request):
        time.sleep(0.3)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(late)
    assert QgisTransport(retry=FAST).send(HttpRequest("GET", httpserver.url_for("/api"))).json() == {"ok": True}
    assert QgisTransport(retry=FAST).send(HttpRequest("GET", delayed)).body == b"late"
    timer.stop()
    assert seen == ["odl-geo-request", "odl-geo-request"]
    assert len(ticks) >= 3, ticks  # a 1 ms timer fired during ~300 ms: the main thread was not asleep in a wait
    # from another thread (a QgsTask's), the call stays in that thread
    names: list[str] = []
    worker = threading.Thread(target=lambda: names.append(network.off_the_main_thread(
        lambda: threading.current_thread().name)), name="a-task-thread")  # fmt: skip
    worker.start()
    worker.join()
    assert names == ["a-task-thread"]


def test_an_error_raised_in_the_helper_thread_is_raised_in_the_caller(qgis_app):
    from qgis_plugin.network import off_the_main_thread

    def fail() -> None:
        raise NetworkError("Cannot reach http://127.0.0.1:9/.", "")

    with pytest.raises(NetworkError, match="Cannot reach"):
        off_the_main_thread(fail)
