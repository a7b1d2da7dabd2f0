"""``odl-geo monitor``: what a job published to the GeoServer test double (WMS/WFS by QGIS Server), a real PostGIS
and a real local udata is checked as users reach it; each injected fault (a layer removed, a WMS answering an
exception, a resource deleted or changed on udata, a dropped table, a stale dataset, a server down) fails its check
with the right message and sends one alert (webhook to a local HTTP receiver, e-mail to a local aiosmtpd server),
not a second one on the next failing run; recoveries are alerted once too."""

from __future__ import annotations

import json
import re
import secrets
import socket
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from typing import TYPE_CHECKING

import pytest
import requests
from aiosmtpd.controller import Controller

from odl_geo.cli.main import main
from odl_geo.jobs import load_job
from odl_geo.monitor import AlertConfig, run_monitor
from tests.server.datagouv.job_inputs import write_job_inputs
from tests.server.geoserver_double.process import start_double_process, stop_double_process

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.server
SERVICE_EXCEPTION = (
    '<?xml version="1.0" encoding="UTF-8"?><ServiceExceptionReport version="1.3.0" '
    'xmlns="http://www.opengis.net/ogc"><ServiceException code="StyleNotDefined">Style rendering failed'
    "</ServiceException></ServiceExceptionReport>"
)


class _Mailbox:
    """aiosmtpd handler keeping every message received."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"

    def subjects(self) -> list[str]:
        return [str(make_header(decode_header(message_from_bytes(m)["Subject"]))) for m in self.messages]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def smtp():
    box = _Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    password = f"pw-{secrets.token_hex(6)}"
    proc, url = start_double_process(tmp_path_factory.mktemp("double"), password)
    yield {"url": url, "password": password, "proc": proc}
    stop_double_process(proc)


@pytest.fixture(scope="module")
def published(tmp_path_factory, shared_data, double, udata, pg_cluster):
    """A job of two datasets run once: fontaines to GeoServer, PostGIS and data.gouv.fr (daily), sentiers to
    GeoServer and data.gouv.fr (annual, with the hiking schema product)."""
    root = tmp_path_factory.mktemp("monitored")
    write_job_inputs(root, shared_data, geoserver_password=double["password"], udata=udata, pg_cluster=pg_cluster)
    url = double["url"]
    (root / "job.toml").write_text(
        f"""
[job]
name = "Surveillance"
out = "publication"
credentials = "credentials.toml"

[[dataset]]
name = "fontaines"
source = "VilleMTP_MTP_Fontaines.csv"
[dataset.convert]
theme = "water"
mapping = "fontaines.toml"
to = ["gpkg", "geojson"]
[dataset.geoserver]
url = "{url}"
workspace = "commune"
[dataset.postgis]
dsn = "postgresql://127.0.0.1:{pg_cluster.port}/gis"
schema = "monitored"
[dataset.datagouv]
url = "{udata.site}"
org = "{udata.info["ORG_SLUG"]}"
dataset_key = "monitor-fontaines"
frequency = "daily"

[[dataset]]
name = "sentiers"
source = "sentiers.json"
[dataset.convert]
theme = "hiking"
to = ["gpkg"]
[dataset.geoserver]
url = "{url}"
workspace = "commune"
[dataset.datagouv]
url = "{udata.site}"
org = "{udata.info["ORG_SLUG"]}"
dataset_key = "monitor-sentiers"
frequency = "annual"
""",
        encoding="utf-8",
    )
    assert main(["run", str(root / "job.toml"), "--quiet"]) == 0
    return root / "job.toml"


@pytest.fixture
def receiver(httpserver):
    """A local HTTP receiver of webhook alerts (pytest-httpserver): every POST is kept in ``httpserver.log``."""
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    return httpserver


def _monitor(capsys, job: Path, receiver, smtp, *extra: str) -> tuple[int, dict]:
    _box, port = smtp
    code = main(["monitor", str(job), "--json", "--alert-webhook", receiver.url_for("/hook"),
                 "--alert-email", "sig@commune.test", "--smtp-host", "127.0.0.1", "--smtp-port", str(port),
                 "--timeout", "10", *extra])  # fmt: skip
    return code, json.loads(capsys.readouterr().out)


def _failed(result: dict) -> dict[tuple[str, str, str], str]:
    return {(p["dataset"], f"{p['service']} {p['check']}", p["target"]): p["message"]
            for p in result["probes"] if p["status"] == "failed"}  # fmt: skip


def _hooks(receiver) -> list[dict]:
    return [json.loads(req.get_data()) for req, _resp in receiver.log]


def _layer_of(result: dict, dataset: str) -> str:
    return next(p["target"] for p in result["probes"] if p["dataset"] == dataset and p["check"] == "hits")


def test_each_fault_fails_its_check_and_alerts_once_then_the_recovery_alerts_once(
    published, double, udata, pg_cluster, receiver, smtp, capsys, tmp_path
):
    box, _port = smtp
    page = tmp_path / "status.html"
    code, first = _monitor(capsys, published, receiver, smtp, "--html", str(page))
    assert code == 0, _failed(first)
    checks = {(p["service"], p["check"]) for p in first["probes"] if p["status"] == "ok"}
    assert {("wms", "capabilities"), ("wms", "layer"), ("wms", "getmap"), ("wfs", "hits"), ("postgis", "table"),
            ("datagouv", "dataset"), ("datagouv", "fresh"), ("datagouv", "url"), ("datagouv", "checksum"),
            ("datagouv", "schema")} <= checks  # fmt: skip
    for p in first["probes"]:  # every probe says what it called and how long it took
        if p["status"] == "ok":
            assert p["url"] and p["seconds"] >= 0
        assert double["password"] not in p["url"] and udata.info["API_KEY"] not in json.dumps(p)
    schema = next(p for p in first["probes"] if p["check"] == "schema" and p["dataset"] == "sentiers")
    assert "valid against itineraire-randonnee" in schema["message"]
    assert first["changes"] == [] and first["alerts"] == [] and not receiver.log and not box.messages
    html = page.read_text(encoding="utf-8")
    assert "Tout est en ordre" in html and "<script" not in html

    # 1. a layer removed from the server
    layer = _layer_of(first, "sentiers")
    # 1. a layer removed from the server (with its feature type, as GeoServer's admin page removes a layer)
    gone = requests.delete(f"{double['url']}/rest/workspaces/commune/featuretypes/{layer}",
                           params={"recurse": "true"}, auth=("admin", double["password"]), timeout=30)  # fmt: skip
    assert gone.status_code == 200, gone.text
    code, second = _monitor(capsys, published, receiver, smtp)
    assert code == 8
    failed = _failed(second)
    assert "no longer listed in WMS GetCapabilities" in failed[("sentiers", "wms layer", layer)]
    # the layer is gone from WMS and WFS alike
    changes = [(c["change"], c["check"], c["target"]) for c in second["changes"]]
    assert changes == [("failing", "layer", layer), ("failing", "hits", layer)]
    hooks = _hooks(receiver)
    assert len(hooks) == 1 and hooks[0]["changes"][0]["target"] == layer and hooks[0]["job"] == "Surveillance"
    assert len(box.messages) == 1 and "2 contrôles en échec" in box.subjects()[0]
    assert layer in box.messages[0].decode("utf-8", "replace")
    # still failing at the next run: no second alert
    code, third = _monitor(capsys, published, receiver, smtp)
    assert code == 8 and third["changes"] == [] and len(receiver.log) == 1 and len(box.messages) == 1

    # 2. the WMS answers an exception with HTTP 200 to the fontaines' GetMap
    requests.post(f"{double['url'].removesuffix('/geoserver')}/__double__/faults", timeout=10, json=[
        {"method": "GET", "path": r"/commune/wms$", "action": "status", "status": 200, "body": SERVICE_EXCEPTION,
         "after": 1, "times": 1}])  # fmt: skip
    code, fourth = _monitor(capsys, published, receiver, smtp, "--only", "fontaines")
    assert code == 8
    fontaines_layer = _layer_of(first, "fontaines")
    message = _failed(fourth)[("fontaines", "wms getmap", fontaines_layer)]
    assert "answered an exception with HTTP 200" in message and "Style rendering failed" in message
    assert [(c["change"], c["check"]) for c in fourth["changes"]] == [("failing", "getmap")]
    assert len(receiver.log) == 2 and len(box.messages) == 2

    # 3. on data.gouv.fr, a resource deleted and another changed; in PostGIS, the table dropped
    rec = _published(published, "fontaines", "datagouv")
    csv = next(r for r in rec["resources"] if r["name"].endswith(".gpkg"))
    key = {"X-API-KEY": udata.info["API_KEY"]}
    api = udata.api
    deleted = requests.delete(f"{api}/datasets/{rec['dataset_id']}/resources/{csv['id']}/", headers=key, timeout=30)
    assert deleted.status_code == 204, deleted.text
    hiking = _published(published, "sentiers", "datagouv")
    product = next(r for r in hiking["resources"] if r["name"].endswith("_itineraire-randonnee.geojson"))
    # udata stores an upload as <dataset>/<second>/<file name>: the same name uploaded again within the second of
    # the publication fails (FileExists, HTTP 500), and the runs above can now all fit in that second: let it pass
    time.sleep(1.05)
    changed = requests.post(f"{api}/datasets/{hiking['dataset_id']}/resources/{product['id']}/upload/",
                            headers=key, timeout=30,
                            files={"file": (product["name"], b'{"type": "FeatureCollection", "features": [1]}',
                                            "application/geo+json")})  # fmt: skip
    assert changed.status_code == 200, changed.text
    with pg_cluster.admin() as conn:
        conn.execute("DROP TABLE monitored.villemtp_mtp_fontaines_water")
    code, fifth = _monitor(capsys, published, receiver, smtp)
    assert code == 8
    failed = _failed(fifth)
    assert "was deleted from the dataset" in failed[("fontaines", "datagouv resource", csv["name"])]
    assert "changed on data.gouv.fr" in failed[("sentiers", "datagouv checksum", product["name"])]
    assert "no longer exists" in failed[("fontaines", "postgis table", "monitored.villemtp_mtp_fontaines_water")]
    new = {(c["check"], c["target"]) for c in fifth["changes"] if c["change"] == "failing"}
    # the injected exception answered once: GetMap has recovered meanwhile, and that is said once too
    assert [(c["check"], c["target"]) for c in fifth["changes"] if c["change"] == "recovered"] == [
        ("getmap", fontaines_layer)
    ]
    assert new == {("resource", csv["name"]), ("checksum", product["name"]),
                   ("table", "monitored.villemtp_mtp_fontaines_water")}  # fmt: skip
    assert len(receiver.log) == 3 and len(box.messages) == 3

    # recovery: the job publishes everything again; every failing check recovers, alerted once
    assert main(["run", str(published), "--force", "--quiet"]) == 0
    capsys.readouterr()
    code, sixth = _monitor(capsys, published, receiver, smtp)
    assert code == 0, _failed(sixth)
    recovered = {(c["change"], c["check"], c["target"]) for c in sixth["changes"]}
    assert ("recovered", "layer", layer) in recovered and ("recovered", "hits", layer) in recovered
    assert ("recovered", "table", "monitored.villemtp_mtp_fontaines_water") in recovered
    assert ("recovered", "checksum", product["name"]) in recovered
    assert all(c["change"] == "recovered" for c in sixth["changes"])
    assert len(receiver.log) == 4 and "recovered" in _hooks(receiver)[-1]["summary"]
    code, seventh = _monitor(capsys, published, receiver, smtp)
    assert code == 0 and seventh["changes"] == [] and len(receiver.log) == 4 and len(box.messages) == 4


def _published(job: Path, dataset: str, step: str) -> dict:
    lines = (job.parent / "publication" / "journal.jsonl").read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    return next(e["published"] for e in reversed(entries) if e["dataset"] == dataset and e["step"] == step
                and "published" in e)  # fmt: skip


def test_a_dataset_late_for_its_frequency_is_stale_and_alerted_once(published, receiver):
    job = load_job(published)
    later = datetime.now(UTC) + timedelta(days=3)  # daily: due by tomorrow, one day of grace, then stale
    hook = AlertConfig(webhook=receiver.url_for("/hook"))
    before = len(receiver.log)
    result = run_monitor(job, now=later, alerts=hook)
    fresh = {p.dataset: p for p in result.probes if p.check == "fresh"}
    assert fresh["fontaines"].status == "failed" and "stale" in fresh["fontaines"].message
    late = re.search(r"'daily', (\d+) (days?) late$", fresh["fontaines"].message)
    assert late and late[2] == ("day" if late[1] == "1" else "days"), fresh["fontaines"].message
    assert fresh["sentiers"].status == "ok"  # annual: not due yet
    assert result.exit_code == 8
    assert [(c["check"], c["dataset"]) for c in result.changes] == [("fresh", "fontaines")]
    [alert] = [json.loads(req.get_data()) for req, _resp in receiver.log[before:]]
    assert alert["changes"][0]["message"] == fresh["fontaines"].message
    again = run_monitor(job, now=later, alerts=hook)  # still stale: no second alert
    assert again.changes == [] and len(receiver.log) == before + 1


def test_a_map_server_down_is_one_failure_with_its_url_and_time(published, double, receiver, smtp, capsys):
    stop_double_process(double["proc"])
    code, result = _monitor(capsys, published, receiver, smtp, "--only", "sentiers", "--timeout", "3")
    assert code == 8
    down = [p for p in result["probes"] if p["status"] == "failed"]
    # the map server's capabilities, and the WMS/WFS links data.gouv.fr gives to it
    assert sorted((p["service"], p["check"], p["target"]) for p in down) == [
        ("datagouv", "url", "remote:wfs"),
        ("datagouv", "url", "remote:wms"),
        ("wms", "capabilities", "commune"),
    ]
    assert all("does not answer" in p["message"] for p in down if p["service"] == "datagouv")
    caps = next(p for p in down if p["check"] == "capabilities")
    assert "server down or unreachable" in caps["message"] and "request=GetCapabilities" in caps["url"]
    assert caps["seconds"] < 30
    assert all(p["status"] == "skipped" for p in result["probes"] if p["service"] in ("wms", "wfs")
               and p["check"] != "capabilities")  # fmt: skip
    assert sorted(c["check"] for c in result["changes"]) == ["capabilities", "url", "url"]
