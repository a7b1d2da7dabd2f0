"""odl_geo.monitor without servers: udata's freshness rule, state changes in the history, the escaped status page,
what a journal records of a publication."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from odl_geo.cli.main import main
from odl_geo.jobs import Step
from odl_geo.jobs.records import publication_record
from odl_geo.monitor import History, MonitorResult, Probe, status_html
from odl_geo.monitor.freshness import freshness


@pytest.mark.parametrize(
    ("frequency", "last", "now", "fresh"),
    [
        ("daily", "2026-03-01T10:00:00+00:00", datetime(2026, 3, 2, 9), True),  # due by the 2nd 10:00
        ("daily", "2026-03-01T10:00:00+00:00", datetime(2026, 3, 3, 9), True),  # one day late: tolerated
        ("daily", "2026-03-01T10:00:00+00:00", datetime(2026, 3, 3, 11), False),  # more than a day late
        ("monthly", "2026-01-01T00:00:00", datetime(2026, 2, 1), True),  # 31 days
        ("monthly", "2026-01-01T00:00:00", datetime(2026, 2, 3, 1), False),
        ("threeTimesADay", "2026-01-01T00:00:00", datetime(2026, 1, 2, 23), True),  # expected within 24 h + 1 day
        ("irregular", "2000-01-01T00:00:00", datetime(2026, 1, 1), True),  # no delta: always fresh
        ("unknown", None, datetime(2026, 1, 1), True),
        ("annual", None, datetime(2026, 1, 1), False),  # a frequency but no date
    ],
)
def test_freshness_follows_udatas_update_fulfilled_in_time(frequency, last, now, fresh):
    assert freshness(frequency, last, now)[0] is fresh


def _probe(status: str, target: str = "layer") -> Probe:
    return Probe("ds", "wms", "layer", target, status, f"{target} is {status}", "http://x/wms?request=GetCapabilities")


def test_alerts_only_when_a_check_changes_state(tmp_path):
    history = History(tmp_path / "monitor.sqlite")
    runs = [["ok", "ok"], ["failed", "ok"], ["failed", "ok"], ["ok", "skipped"], ["ok", "failed"]]
    seen = []
    for n, statuses in enumerate(runs):
        result = MonitorResult(
            "job", f"2026-01-0{n + 1}T00:00:00Z", [_probe(s, t) for s, t in zip(statuses, "ab", strict=True)]
        )
        result.changes = history.changes(result.probes)
        seen.append([(c["target"], c["change"]) for c in result.changes])
        history.commit(result, delivered=True)
    assert seen == [[], [("a", "failing")], [], [("a", "recovered")], [("b", "failing")]]
    assert history.since()["ds|wms|layer|a"] == "2026-01-04T00:00:00Z"  # ok again since the 4th run


def test_an_undelivered_alert_is_sent_again_at_the_next_run(tmp_path):
    history = History(tmp_path / "monitor.sqlite")
    failing = MonitorResult("job", "t1", [_probe("failed")])
    failing.changes = history.changes(failing.probes)
    history.commit(failing, delivered=False)  # the mail server was down
    again = MonitorResult("job", "t2", [_probe("failed")])
    assert [c["change"] for c in history.changes(again.probes)] == ["failing"]


def test_the_status_page_escapes_what_servers_say(tmp_path):
    evil = '<script>alert("x")</script>'
    result = MonitorResult(
        "<b>job</b>", "t", [Probe("ds", "wms", "getmap", "l", "failed", evil, f"http://x/?q={evil}")]
    )
    page = status_html(result)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;job&lt;/b&gt;" in page


def test_a_publication_record_holds_the_targets_and_no_secret(tmp_path):
    (tmp_path / "a.geojson").write_bytes(b"{}")
    (tmp_path / "manifest.json").write_text(json.dumps({"files": [
        {"path": "a.gpkg", "format": "gpkg", "layer": "Sentiers été", "feature_count": 3, "bbox": [0, 0, 1, 1],
         "crs": "EPSG:2154"}]}), encoding="utf-8")  # fmt: skip
    gs = publication_record(
        Step("geoserver", {"url": "https://u:pw@carto.test/geoserver", "workspace": "w"}),
        {"workspace": "w", "checks": [{"layer": "Sentiers_ete", "expected_count": 3}]},
        tmp_path,
    )
    assert gs == {
        "url": "https://carto.test/geoserver",
        "workspace": "w",
        "layers": [{"name": "Sentiers_ete", "features": 3, "bbox": [0, 0, 1, 1], "crs": "EPSG:2154"}],
    }
    dg = publication_record(Step("datagouv", {"url": "https://dg.test", "frequency": "daily"}),
                            {"dataset_id": "d1", "slug": "s", "page": "p", "steps": [
                                {"kind": "dataset", "name": "d", "id": "d1", "outcome": "created"},
                                {"kind": "resource", "name": "a.geojson", "id": "r1", "outcome": "created"}]},
                            tmp_path)  # fmt: skip
    assert dg is not None and dg["frequency"] == "daily" and dg["private"] is False
    assert dg["resources"] == [{"name": "a.geojson", "id": "r1", "sha1": "bf21a9e8fbc5a3846fb05b4fa0859e0917b2202f",
                                "size": 2, "remote": False}]  # fmt: skip
    assert publication_record(Step("geoserver", {}), {"dry_run": True}, tmp_path) is None


def test_monitor_of_a_job_never_published_says_so(tmp_path, capsys):
    job = tmp_path / "job.toml"
    job.write_text('[job]\nname = "j"\n[[dataset]]\nname = "a"\n[dataset.convert]\n', encoding="utf-8")
    assert main(["monitor", str(job)]) == 0
    assert "Nothing to check" in capsys.readouterr().out
    assert main(["monitor", str(job), "--only", "b"]) == 2


CAPABILITIES = b"""<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms"><Service><Name>WMS</Name><Title>t</Title>
</Service><Capability><Request><GetCapabilities><Format>text/xml</Format></GetCapabilities></Request>
<Layer><Title>root</Title><Layer queryable="1"><Name>ws:sentiers</Name><Title>Sentiers</Title></Layer></Layer>
</Capability></WMS_Capabilities>"""


def test_the_request_cap_skips_the_rest_without_alerting(tmp_path, httpserver):
    """With --max-requests reached, the checks left are skipped (their state kept), never failed as a server down."""
    httpserver.expect_request("/geoserver/ws/wms").respond_with_data(CAPABILITIES, content_type="text/xml")
    job_path = tmp_path / "job.toml"
    job_path.write_text('[job]\nname = "j"\nout = "pub"\n[[dataset]]\nname = "a"\n[dataset.geoserver]\n'
                        'url = "http://x"\nworkspace = "ws"\n', encoding="utf-8")  # fmt: skip
    record = {"url": httpserver.url_for("/geoserver"), "workspace": "ws",
              "layers": [{"name": "sentiers", "features": 8, "bbox": [0, 0, 1, 1], "crs": "EPSG:2154"}]}  # fmt: skip
    (tmp_path / "pub").mkdir()
    (tmp_path / "pub" / "journal.jsonl").write_text(
        json.dumps({"time": "t", "job": "j", "dataset": "a", "step": "geoserver", "outcome": "ok", "published": record})
        + "\n"
    )
    from odl_geo.jobs import load_job
    from odl_geo.monitor import Budget, run_monitor

    result = run_monitor(load_job(job_path), budget=Budget(max_requests=1))
    assert [(p.check, p.status) for p in result.probes] == [("budget", "skipped")]
    assert "cap of 1 requests" in result.probes[0].message
    assert result.exit_code == 0 and result.changes == [] and result.requests == 1
    full = run_monitor(load_job(job_path), budget=Budget(max_requests=10))
    assert [(p.check, p.status) for p in full.probes][:2] == [("capabilities", "ok"), ("layer", "ok")]
