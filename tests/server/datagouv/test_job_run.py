"""``odl-geo run``: a job file converts and publishes to GeoServer (the REST test double), PostGIS (a real cluster)
and data.gouv.fr (a real local udata), as cron would run it: nothing redone when nothing changed, failures kept to
their dataset, no overlap, a journal without secrets."""

from __future__ import annotations

import fcntl
import json
import secrets

import pytest
import requests

from odl_geo.cli.main import main
from odl_geo.publishers.datagouv.models import DATASET_KEY_EXTRA
from tests.server.datagouv.job_inputs import write_job_inputs
from tests.server.geoserver_double.process import start_double_process, stop_double_process

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    """The GeoServer REST test double in its own process (WMS/WFS by QGIS Server), with its request log."""
    password = f"pw-{secrets.token_hex(6)}"
    proc, url = start_double_process(tmp_path_factory.mktemp("double"), password)
    yield url, password
    stop_double_process(proc)


def _double_log(url: str) -> list[dict]:
    """Every request the double received (its control API, not part of the GeoServer contract)."""
    answer = requests.get(f"{url.removesuffix('/geoserver')}/__double__/log", timeout=10)
    answer.raise_for_status()
    log = answer.json()
    assert isinstance(log, list)
    return log


@pytest.fixture
def job(tmp_path, shared_data, double, udata, pg_cluster):
    """A job of two datasets (the Montpellier fountains with a mapping file, the Cévennes trails) to every target."""
    url, password = double
    write_job_inputs(tmp_path, shared_data, geoserver_password=password, udata=udata, pg_cluster=pg_cluster)
    dsn = f"postgresql://127.0.0.1:{pg_cluster.port}/gis"
    text = f"""
[job]
name = "Commune de test"
out = "publication"
credentials = "credentials.toml"

[[dataset]]
name = "fontaines"
source = "VilleMTP_MTP_Fontaines.csv"
[dataset.convert]
theme = "water"
mapping = "fontaines.toml"
area = "34"
to = ["gpkg", "geojson"]
[dataset.geoserver]
url = "{url}"
workspace = "commune"
[dataset.postgis]
dsn = "{dsn}"
schema = "opendata"
[dataset.datagouv]
url = "{udata.site}"
org = "{udata.info["ORG_SLUG"]}"
dataset_key = "job-fontaines"
tag = ["eau", "fontaines"]

[[dataset]]
name = "sentiers"
source = "sentiers.json"
[dataset.convert]
theme = "hiking"
to = ["gpkg", "geojson"]
[dataset.geoserver]
url = "{url}"
workspace = "commune"
"""
    path = tmp_path / "job.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run(capsys, *args: str) -> tuple[int, dict]:
    code = main(["run", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_a_job_publishes_everywhere_then_does_nothing_until_the_source_changes(job, double, udata, pg_cluster, capsys):
    url, password = double
    code, first = _run(capsys, str(job))
    assert code == 0, first
    assert [(d["name"], d["outcome"]) for d in first["datasets"]] == [("fontaines", "done"), ("sentiers", "done")]
    assert [s["step"] for s in first["datasets"][0]["steps"]] == ["convert", "geoserver", "postgis", "datagouv"]
    # published: WFS on the map platform, the table in PostGIS, the dataset with its WMS link on data.gouv.fr
    wfs = requests.get(f"{url}/commune/wfs", params={"service": "WFS", "version": "1.1.0", "request": "GetFeature",
                       "typename": "commune:VilleMTP_MTP_Fontaines_water", "outputFormat": "application/json"},
                       timeout=30)  # fmt: skip
    assert wfs.status_code == 200 and len(wfs.json()["features"]) == 48
    with pg_cluster.admin() as conn:
        assert conn.execute("SELECT count(*) FROM opendata.villemtp_mtp_fontaines_water").fetchone()[0] == 48
    datasets = requests.get(f"{udata.api}/organizations/{udata.info['ORG_SLUG']}/datasets/", timeout=10).json()
    ours = [d for d in datasets["data"] if d.get("extras", {}).get(DATASET_KEY_EXTRA) == "job-fontaines"]
    assert len(ours) == 1 and any(r["format"] == "ogc:wms" for r in ours[0]["resources"])

    # cron runs it again: nothing read, nothing sent anywhere
    before_gs, before_udata = len(_double_log(url)), udata.mark()
    code, again = _run(capsys, str(job))
    assert code == 0 and {d["outcome"] for d in again["datasets"]} == {"unchanged"}
    assert len(_double_log(url)) == before_gs and udata.requests_since(before_udata) == []

    # the source changes: that dataset only is redone, in place (no second dataset on data.gouv.fr)
    src = job.parent / "VilleMTP_MTP_Fontaines.csv"
    src.write_bytes(src.read_bytes().replace(b"Square", b"Square public", 1))
    code, third = _run(capsys, str(job))
    assert code == 0 and [d["outcome"] for d in third["datasets"]] == ["done", "unchanged"]
    datasets = requests.get(f"{udata.api}/organizations/{udata.info['ORG_SLUG']}/datasets/", timeout=10).json()
    assert len([d for d in datasets["data"] if d.get("extras", {}).get(DATASET_KEY_EXTRA) == "job-fontaines"]) == 1

    journal = (job.parent / "publication" / "journal.jsonl").read_text(encoding="utf-8")
    assert len(journal.splitlines()) == 4 + 2 + 2 + 4 + 1  # every step once, the skips once each
    for secret in (password, udata.info["API_KEY"], pg_cluster.password):
        assert secret not in journal


def test_a_failed_dataset_does_not_stop_the_others_and_the_next_run_completes_it(job, double, capsys):
    _url, password = double
    credentials = job.parent / "credentials.toml"
    good = credentials.read_text(encoding="utf-8")
    credentials.write_text(good.replace(f'password = "{password}"', 'password = "not-the-password"'), "utf-8")
    code, first = _run(capsys, str(job), "--only", "sentiers", "--only", "fontaines")
    assert code == 6  # credentials refused, the first failure's code
    outcomes = {d["name"]: (d["outcome"], [s["step"] for s in d["steps"]]) for d in first["datasets"]}
    assert outcomes["sentiers"] == ("failed", ["convert", "geoserver"])
    assert "not-the-password" not in json.dumps(first)
    credentials.write_text(good, "utf-8")
    code, second = _run(capsys, str(job), "--only", "sentiers")
    assert code == 0 and second["datasets"][0]["outcome"] == "done"


def test_two_runs_of_a_job_never_overlap(job, capsys):
    lock = job.parent / "publication" / ".odl-geo-job.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run in progress
        fh.write("pid 1234 since 03:00")
        fh.flush()
        assert main(["run", str(job)]) == 7
    assert "already running" in capsys.readouterr().err


def test_a_dry_run_changes_nothing_and_shows_the_requests(job, double, capsys):
    url, _password = double
    before = len(_double_log(url))
    code, result = _run(capsys, str(job), "--dry-run", "--only", "sentiers")
    assert code == 0, result
    steps = result["datasets"][0]["steps"]
    assert result["datasets"][0]["outcome"] == "planned" and "requests planned" in steps[1]["summary"]
    assert not (job.parent / "publication" / "sentiers").exists()  # converted aside, in a temporary folder
    assert not (job.parent / "publication" / "journal.jsonl").exists()
    writes = [e for e in _double_log(url)[before:] if e["method"] != "GET"]
    assert writes == []
