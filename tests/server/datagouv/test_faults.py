"""Fault injection between the client and the real udata: retries, re-sent parts, resume, half-way runs."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests

from odl_geo.errors import NetworkError
from odl_geo.publishers.datagouv import Outcome, PublishOptions, publish_outputs
from odl_geo.publishers.datagouv.client import PART_ATTEMPTS

from .conftest import make_client
from .faultproxy import Fault

pytestmark = pytest.mark.server

CHUNK = 256 * 1024
UPLOAD = r"/upload/$"


def server_dataset(udata, dataset_id):
    r = requests.get(f"{udata.api}/datasets/{dataset_id}/", headers={"X-API-KEY": udata.info["API_KEY"]}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def datasets_with_key(client, udata, key):
    return [d for d in client.organization_datasets(udata.info["ORG_ID"]) if d.key == key]


def sha1(path):
    return hashlib.sha1(path.read_bytes()).hexdigest()


def via(proxy, udata):
    return make_client(proxy.url, udata.info["API_KEY"], part_backoff=0.01)


def gpkg_options(udata, key):
    return PublishOptions(organization=udata.info["ORG_ID"], dataset_key=key, formats=("gpkg",), chunk_size=CHUNK)


def test_502_on_reads_is_retried_by_the_transport(udata, proxy, outputs):
    proxy.faults = [Fault("GET", r"/organizations/", "502", times=2), Fault("GET", r"/datasets/licenses/", "502")]
    result = publish_outputs(
        outputs("water"),
        via(proxy, udata),
        PublishOptions(organization=udata.info["ORG_SLUG"], dataset_key="faults-502", formats=("csv",)),
    )
    assert result.outcome is Outcome.CREATED
    assert [f.applied for f in proxy.faults] == [2, 1]


@pytest.mark.parametrize("action", ["cut_before", "cut_after"])
def test_a_part_cut_is_sent_again_and_the_file_arrives_intact(udata, proxy, outputs, action):
    # cut_before: udata never saw the part; cut_after: udata stored it, and refuses (500) to store it twice
    folder = outputs("flood")
    proxy.faults = [Fault("POST", UPLOAD, action, nth=2)]
    result = publish_outputs(folder, via(proxy, udata), gpkg_options(udata, f"faults-part-{action}"))
    assert proxy.faults[0].applied == 1
    gpkg = folder / "PPRn_BourgOisans.gpkg"
    (res,) = server_dataset(udata, result.dataset_id)["resources"]
    assert res["checksum"]["value"] == sha1(gpkg) and res["filesize"] == gpkg.stat().st_size
    assert requests.get(res["url"], timeout=30).content == gpkg.read_bytes()


def test_a_chunked_upload_cut_for_good_resumes_at_the_next_run(udata, proxy, outputs):
    folder = outputs("flood")
    gpkg = folder / "PPRn_BourgOisans.gpkg"
    total = -(-gpkg.stat().st_size // CHUNK)
    proxy.faults = [Fault("POST", UPLOAD, "cut_before", nth=4, times=PART_ATTEMPTS)]  # part 4 never gets through
    options = gpkg_options(udata, "faults-resume")
    with pytest.raises(NetworkError):
        publish_outputs(folder, via(proxy, udata), options)
    journal = json.loads((folder / ".odl-datagouv-uploads.json").read_text())
    (entry,) = journal.values()
    assert entry["parts_done"] == 3 and entry["sha1"] == sha1(gpkg)
    (half,) = datasets_with_key(make_client(udata.site, udata.info["API_KEY"]), udata, "faults-resume")
    assert half.private is True and half.resources == ()  # created private, not opened yet

    proxy.faults = []  # the network is back (same URL: the journal is per instance and target)
    mark = udata.mark()
    client = via(proxy, udata)
    result = publish_outputs(folder, client, options)
    sent = [e for e in udata.requests_since(mark) if e["method"] == "POST" and e["path"].endswith("/upload/")]
    assert len(sent) == total - 3 + 1  # parts 4..total, then the assembling request: parts 1-3 not sent again
    assert result.dataset_id == half.id and result.bytes_uploaded == gpkg.stat().st_size - 3 * CHUNK
    ds = server_dataset(udata, half.id)
    assert ds["private"] is False
    (res,) = ds["resources"]
    assert res["checksum"]["value"] == sha1(gpkg)
    assert not (folder / ".odl-datagouv-uploads.json").exists()
    assert len(datasets_with_key(client, udata, "faults-resume")) == 1


def test_resume_when_the_server_lost_the_parts_starts_the_file_again(udata, outputs):
    folder = outputs("flood")
    gpkg = folder / "PPRn_BourgOisans.gpkg"
    options = gpkg_options(udata, "faults-stale")
    client = make_client(udata.site, udata.info["API_KEY"])
    created = publish_outputs(folder, client, PublishOptions(**{**options.__dict__, "formats": ("geojson",)}))
    # a journal pointing at an upload udata never saw (purged, or another server): the finish fails with 500
    upload_url = client.endpoints.dataset_upload(created.dataset_id)
    stale = {"uuid": "6f1c1d9e-0000-4000-8000-000000000000", "sha1": sha1(gpkg), "size": gpkg.stat().st_size}
    journal = {upload_url: {**stale, "chunk_size": CHUNK, "parts_done": 10**6 // CHUNK, "name": gpkg.name}}
    (folder / ".odl-datagouv-uploads.json").write_text(json.dumps(journal))
    result = publish_outputs(folder, client, options)
    res = next(r for r in server_dataset(udata, result.dataset_id)["resources"] if r["format"] == "gpkg")
    assert res["checksum"]["value"] == sha1(gpkg)


def test_a_run_cut_half_way_is_completed_without_duplicates(udata, proxy, outputs):
    folder = outputs("water")
    options = PublishOptions(organization=udata.info["ORG_ID"], dataset_key="faults-half", tags=("eau",))
    # the 2nd upload reaches udata (a resource is created) but its answer is lost: the run stops there
    proxy.faults = [Fault("POST", UPLOAD, "cut_after", nth=2)]
    with pytest.raises(NetworkError):
        publish_outputs(folder, via(proxy, udata), options)
    client = make_client(udata.site, udata.info["API_KEY"])
    (half,) = datasets_with_key(client, udata, "faults-half")
    assert half.private is True and len(half.resources) == 2
    assert sum(1 for r in half.resources if r.key is None) == 1  # uploaded, metadata never set

    result = publish_outputs(folder, client, options)
    manifest = json.loads((folder / "manifest.json").read_text())
    ds = server_dataset(udata, half.id)
    keys = [r["extras"].get("odl_geo_file") for r in ds["resources"]]
    assert sorted(keys) == sorted(f["path"] for f in manifest["files"])  # each file once, none left without key
    assert ds["private"] is False and result.dataset_id == half.id
    outcomes = [s.outcome for s in result.steps[1:]]
    assert outcomes.count(Outcome.UNCHANGED) == 1 and outcomes.count(Outcome.UPDATED) == 1
    assert outcomes.count(Outcome.CREATED) == 2
    assert len(datasets_with_key(client, udata, "faults-half")) == 1
    again = publish_outputs(folder, client, options)
    assert {s.outcome for s in again.steps} == {Outcome.UNCHANGED}


def test_the_assembling_request_cut_after_udata_did_it(udata, proxy, outputs):
    folder = outputs("flood")
    gpkg = folder / "PPRn_BourgOisans.gpkg"
    total = -(-gpkg.stat().st_size // CHUNK)
    proxy.faults = [Fault("POST", UPLOAD, "cut_after", nth=total + 1)]  # the request without file
    options = gpkg_options(udata, "faults-finish")
    with pytest.raises(NetworkError):
        publish_outputs(folder, via(proxy, udata), options)
    mark = udata.mark()
    client = make_client(udata.site, udata.info["API_KEY"])
    result = publish_outputs(folder, client, options)
    # the file was assembled before the cut: recognised by its name and sha1, not uploaded again
    assert [e for e in udata.requests_since(mark) if e["path"].endswith("/upload/")] == []
    (res,) = server_dataset(udata, result.dataset_id)["resources"]
    assert res["checksum"]["value"] == sha1(gpkg) and res["extras"]["odl_geo_file"] == gpkg.name
