"""Create-or-update against a real udata: the three themes' real outputs, re-runs, replacements, chunks, links."""

from __future__ import annotations

import hashlib
import json

import pytest
import requests

from odl_geo.publishers.datagouv import Outcome, PublishOptions, SchemaRef, TemporalCoverage, publish_outputs

from .conftest import make_client

pytestmark = pytest.mark.server


def uploads(entries):
    return [e for e in entries if e["method"] == "POST" and e["path"].endswith("/upload/")]


def writes(entries):
    return [e for e in entries if e["method"] in ("POST", "PUT", "DELETE")]


def server_dataset(udata, dataset_id):
    """The dataset as udata holds it (read with the admin key: private ones too)."""
    r = requests.get(f"{udata.api}/datasets/{dataset_id}/", headers={"X-API-KEY": udata.info["API_KEY"]}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def sha1(path):
    return hashlib.sha1(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("theme", ["hiking", "water", "flood"])
def test_each_theme_is_published_then_found_again_without_duplicates(udata, client, outputs, theme):
    folder = outputs(theme)
    manifest = json.loads((folder / "manifest.json").read_text())
    options = PublishOptions(
        organization=udata.info["ORG_SLUG"],  # a slug: resolved to the id (udata refuses slugs)
        dataset_key=f"theme-{theme}",
        tags=("odl-geo", theme),
        frequency="annual",
    )
    first = publish_outputs(folder, client, options)
    assert first.outcome is Outcome.CREATED
    paths = {f["path"] for f in manifest["files"]}  # a GeoPackage of several layers is one file, one resource
    assert [s.outcome for s in first.steps[1:]] == [Outcome.CREATED] * len(paths)
    ds = server_dataset(udata, first.dataset_id)
    assert ds["private"] is False  # opened at the end
    assert ds["organization"]["id"] == udata.info["ORG_ID"]
    assert ds["license"] == "lov2" and ds["frequency"] == "annual"
    assert ds["extras"]["odl_geo_key"] == f"theme-{theme}"
    assert sorted(ds["tags"]) == sorted(["odl-geo", theme])
    assert manifest["source"]["name"] in ds["description"]
    by_key = {r["extras"]["odl_geo_file"]: r for r in ds["resources"]}
    assert set(by_key) == paths
    for f in manifest["files"]:
        res = by_key[f["path"]]
        assert res["checksum"] == {"type": "sha1", "value": sha1(folder / f["path"])}
        assert res["filesize"] == f["size"]
        assert res["filetype"] == "file" and res["type"] == "main"
        assert f["layer"] in res["title"] or f"`{f['layer']}`" in res["description"]

    mark = udata.mark()
    second = publish_outputs(folder, client, options)
    log = udata.requests_since(mark)
    assert second.dataset_id == first.dataset_id
    assert {s.outcome for s in second.steps} == {Outcome.UNCHANGED}
    assert second.bytes_uploaded == 0
    assert writes(log) == []  # the server saw no write at all: no upload, no PUT
    again = server_dataset(udata, first.dataset_id)
    assert again["last_modified"] == ds["last_modified"]
    assert [(r["id"], r["checksum"], r["last_modified"]) for r in again["resources"]] == [
        (r["id"], r["checksum"], r["last_modified"]) for r in ds["resources"]
    ]
    listed = [d for d in client.organization_datasets(udata.info["ORG_ID"]) if d.key == f"theme-{theme}"]
    assert len(listed) == 1


def test_metadata_update_keeps_id_tags_and_coverage(udata, client, outputs):
    folder = outputs("water")
    base = PublishOptions(
        organization=udata.info["ORG_ID"],
        dataset_key="water-update",
        tags=("eau", "Bornes fontaines", "x"),  # "x" is too short for udata: left out with a warning
        zones=("fr:commune:34172",),
        granularity="poi",
        temporal_coverage=TemporalCoverage("2020-01-01", "2024-12-31"),
        formats=("geojson", "csv"),
    )
    first = publish_outputs(folder, client, base)
    assert any("'x'" in w for w in first.warnings)
    changed = PublishOptions(**{**base.__dict__, "title": "Bornes fontaines de Montpellier", "license": "odc-odbl"})
    mark = udata.mark()
    second = publish_outputs(folder, client, changed)
    assert second.outcome is Outcome.UPDATED and second.dataset_id == first.dataset_id
    assert "title" in second.steps[0].note and "license" in second.steps[0].note
    assert uploads(udata.requests_since(mark)) == []
    ds = server_dataset(udata, first.dataset_id)
    assert ds["title"] == "Bornes fontaines de Montpellier" and ds["license"] == "odc-odbl"
    # udata's PUT empties tags and temporal coverage when absent: the publisher always sends them
    assert sorted(ds["tags"]) == ["bornes-fontaines", "eau"]
    assert ds["temporal_coverage"] == {"start": "2020-01-01", "end": "2024-12-31"}
    assert ds["spatial"]["zones"] == ["fr:commune:34172"] and ds["spatial"]["granularity"] == "poi"
    third = publish_outputs(folder, client, changed)
    assert {s.outcome for s in third.steps} == {Outcome.UNCHANGED}


def test_changed_file_is_replaced_in_place_and_only_that_one(udata, client, outputs):
    folder = outputs("water")
    options = PublishOptions(organization=udata.info["ORG_ID"], dataset_key="water-replace")
    first = publish_outputs(folder, client, options)
    before = {r["extras"]["odl_geo_file"]: r for r in server_dataset(udata, first.dataset_id)["resources"]}
    target = folder / "VilleMTP_MTP_Fontaines.geojson"
    data = json.loads(target.read_text())
    data["features"] = data["features"][:10]
    target.write_text(json.dumps(data))
    mark = udata.mark()
    second = publish_outputs(folder, client, options)
    log = udata.requests_since(mark)
    rid = before[target.name]["id"]
    expected = f"/api/1/datasets/{first.dataset_id}/resources/{rid}/upload/"
    assert [e["path"] for e in uploads(log) if e["status"] < 300] == [expected]
    # within the same second as the first upload, udata answers 500 (same storage path): retried after 1 s
    assert {e["path"] for e in uploads(log)} == {expected} and len(uploads(log)) <= 2
    outcomes = {s.name: s.outcome for s in second.steps[1:]}
    assert outcomes.pop(target.name) is Outcome.UPDATED
    assert set(outcomes.values()) == {Outcome.UNCHANGED}
    after = {r["extras"]["odl_geo_file"]: r for r in server_dataset(udata, first.dataset_id)["resources"]}
    assert after.keys() == before.keys()
    assert after[target.name]["id"] == rid  # same resource: links to it keep working
    assert after[target.name]["checksum"]["value"] == sha1(target)
    assert after[target.name]["title"] == before[target.name]["title"]  # metadata set again after the upload
    assert requests.get(after[target.name]["url"], timeout=10).content == target.read_bytes()
    for name in after.keys() - {target.name}:
        assert after[name]["last_modified"] == before[name]["last_modified"]


def test_large_file_goes_in_chunks_and_arrives_intact(udata, outputs):
    folder = outputs("flood")
    chunk = 64 * 1024
    client = make_client(udata.site, udata.info["API_KEY"])
    options = PublishOptions(
        organization=udata.info["ORG_ID"], dataset_key="flood-chunks", formats=("gpkg",), chunk_size=chunk
    )
    mark = udata.mark()
    result = publish_outputs(folder, client, options)
    gpkg = folder / "PPRn_BourgOisans.gpkg"
    size = gpkg.stat().st_size
    assert size > 3 * chunk
    parts = -(-size // chunk)
    log = uploads(udata.requests_since(mark))
    assert len(log) == parts + 1  # every part, then the assembling request (no file)
    assert all(e["length"] < chunk + 2048 for e in log)  # one part per request, never the whole file
    res = next(r for r in server_dataset(udata, result.dataset_id)["resources"])
    assert res["checksum"]["value"] == sha1(gpkg) and res["filesize"] == size
    assert res["title"].startswith("PPRn_BourgOisans") or "GeoPackage" in res["title"]
    assert requests.get(res["url"], timeout=30).content == gpkg.read_bytes()
    assert not (folder / ".odl-datagouv-uploads.json").exists()  # journal cleared once assembled
    assert result.bytes_uploaded == size


def test_remote_wms_wfs_and_embed_resources(udata, client, outputs):
    folder = outputs("water")
    options = PublishOptions(
        organization=udata.info["ORG_ID"],
        dataset_key="water-remote",
        formats=("geojson",),
        wms_url="https://carto.example.org/ows",
        wfs_url="https://carto.example.org/ows?map=fontaines",
        embed_url="https://carto.example.org/embed/fontaines",
    )
    result = publish_outputs(folder, client, options)
    remote = {
        r["extras"]["odl_geo_file"]: r
        for r in server_dataset(udata, result.dataset_id)["resources"]
        if r["filetype"] == "remote"
    }
    assert remote["remote:wms"]["format"] == "ogc:wms"
    assert remote["remote:wms"]["url"] == "https://carto.example.org/ows?SERVICE=WMS&REQUEST=GetCapabilities"
    assert remote["remote:wms"]["type"] == "api"
    assert remote["remote:wfs"]["format"] == "ogc:wfs"
    assert remote["remote:wfs"]["url"].endswith("?map=fontaines&SERVICE=WFS&REQUEST=GetCapabilities")
    assert remote["remote:embed"]["url"] == "https://carto.example.org/embed/fontaines"
    assert {s.outcome for s in publish_outputs(folder, client, options).steps} == {Outcome.UNCHANGED}
    moved = PublishOptions(**{**options.__dict__, "wms_url": "https://geo.example.org/wms"})
    third = publish_outputs(folder, client, moved)
    step = next(s for s in third.steps if s.name == "remote:wms")
    assert step.outcome is Outcome.UPDATED and step.id == remote["remote:wms"]["id"]
    ds = server_dataset(udata, result.dataset_id)
    assert len([r for r in ds["resources"] if r["filetype"] == "remote"]) == 3


def test_schema_reference_on_the_schema_files(udata, client, outputs):
    folder = outputs("hiking")
    options = PublishOptions(
        organization=udata.info["ORG_ID"],
        dataset_key="hiking-schema",
        schema=SchemaRef("PnX-SI/schema_randonnee", "1.1.0"),
        schema_formats=("geojson",),
    )
    result = publish_outputs(folder, client, options)
    resources = server_dataset(udata, result.dataset_id)["resources"]
    schemas = {r["format"]: r["schema"] for r in resources}
    assert schemas["geojson"]["name"] == "PnX-SI/schema_randonnee" and schemas["geojson"]["version"] == "1.1.0"
    assert all(not s or not s.get("name") for f, s in schemas.items() if f != "geojson")
    ds = server_dataset(udata, result.dataset_id)
    assert "schema.data.gouv.fr/PnX-SI/schema_randonnee" in ds["description"]


def test_organization_listing_shows_private_datasets_to_members_only(udata, client, outputs):
    folder = outputs("water")
    options = PublishOptions(
        organization=udata.info["ORG_ID"], dataset_key="water-private", formats=("csv",), keep_private=True
    )
    result = publish_outputs(folder, client, options)
    assert server_dataset(udata, result.dataset_id)["private"] is True
    member = [d.id for d in client.organization_datasets(udata.info["ORG_ID"], page_size=2)]  # paginated
    assert result.dataset_id in member and len(member) == len(set(member))
    anonymous = make_client(udata.site, None)
    assert result.dataset_id not in [d.id for d in anonymous.organization_datasets(udata.info["ORG_ID"])]
    assert anonymous.dataset(result.dataset_id) is None  # private: 404 to others
    # the next run without --private opens it (a run cut half-way leaves it private: completed likewise)
    reopened = publish_outputs(folder, client, PublishOptions(**{**options.__dict__, "keep_private": False}))
    assert reopened.outcome is Outcome.UPDATED and "opened" in reopened.steps[0].note
    assert server_dataset(udata, result.dataset_id)["private"] is False


def test_files_of_extensions_udata_refuses_are_skipped_with_a_warning(udata, client, converted, tmp_path):
    from odl_geo.conversion import convert

    folder = tmp_path / "water-fgb"
    convert(converted["water"] / "VilleMTP_MTP_Fontaines.geojson", folder, ["geojson", "fgb"])
    result = publish_outputs(folder, client, PublishOptions(organization=udata.info["ORG_ID"], dataset_key="fgb"))
    skipped = [s for s in result.steps if s.outcome is Outcome.SKIPPED]
    assert [s.name for s in skipped] == ["VilleMTP_MTP_Fontaines.fgb"]
    assert any(".fgb" in w for w in result.warnings)


def test_a_dataset_made_by_hand_is_adopted_by_slug_and_a_deleted_one_is_not(udata, client, outputs):
    headers = {"X-API-KEY": udata.info["API_KEY"]}
    made = requests.post(
        f"{udata.api}/datasets/",
        json={"title": "Fontaines adoptees", "description": "made on the site", "organization": udata.info["ORG_ID"]},
        headers=headers,
        timeout=10,
    ).json()
    folder = outputs("water")
    options = PublishOptions(
        organization=udata.info["ORG_ID"], dataset_key="adopted", title="Fontaines adoptees", formats=("csv",)
    )
    result = publish_outputs(folder, client, options)
    assert result.dataset_id == made["id"] and result.outcome is Outcome.UPDATED  # key added, not duplicated
    assert server_dataset(udata, made["id"])["extras"]["odl_geo_key"] == "adopted"
    assert requests.delete(f"{udata.api}/datasets/{made['id']}/", headers=headers, timeout=10).status_code == 204
    again = publish_outputs(folder, client, options)
    assert again.outcome is Outcome.CREATED and again.dataset_id != made["id"]


def test_cancelling_stops_between_files_and_the_next_run_completes(udata, client, outputs):
    from odl_geo.errors import CancelledError
    from odl_geo.feedback import NullFeedback

    class CancelAfterFirstFile(NullFeedback):
        calls = 0

        def is_cancelled(self):
            self.calls += 1
            return self.calls > 1

    folder = outputs("water")
    options = PublishOptions(organization=udata.info["ORG_ID"], dataset_key="cancelled")
    with pytest.raises(CancelledError, match="cancelled before"):
        publish_outputs(folder, client, options, CancelAfterFirstFile())
    result = publish_outputs(folder, client, options)
    assert result.outcome is Outcome.UPDATED  # opened
    assert [s.outcome for s in result.steps[1:]] == [Outcome.UNCHANGED] + [Outcome.CREATED] * 3


def test_a_schema_missing_from_the_instance_catalog_is_dropped_with_a_warning(udata, outputs):
    """data.gouv.fr refuses schema names outside schema.data.gouv.fr; the local udata has no catalog (any name is
    accepted), so this transport answers the catalog request as data.gouv.fr would and forwards the rest."""
    from odl_geo.http import HttpResponse, RequestsTransport

    class WithCatalog(RequestsTransport):
        def send(self, request):
            if request.url.endswith("/datasets/schemas/"):
                body = json.dumps([{"name": "PnX-SI/schema_randonnee", "versions": [{"version_name": "1.1.0"}]}])
                return HttpResponse(200, {"Content-Type": "application/json"}, body.encode(), request.url)
            return super().send(request)

    from odl_geo.credentials import Credentials
    from odl_geo.publishers.datagouv import DatagouvClient

    client = DatagouvClient(udata.site, Credentials(api_key=udata.info["API_KEY"]), WithCatalog())
    folder = outputs("flood")
    options = PublishOptions(
        organization=udata.info["ORG_ID"],
        dataset_key="flood-schema",
        formats=("geojson",),
        schema=SchemaRef("cnig/geostandards-risques-ppr", "1.0"),
    )
    result = publish_outputs(folder, client, options)
    assert sum("not in the catalog" in w for w in result.warnings) == 3
    assert all(not r["schema"] for r in server_dataset(udata, result.dataset_id)["resources"])
    hiking = PublishOptions(
        organization=udata.info["ORG_ID"], dataset_key="hiking-catalog", schema=SchemaRef("PnX-SI/schema_randonnee")
    )
    ok = publish_outputs(outputs("hiking"), client, hiking)
    assert not [w for w in ok.warnings if "catalog" in w]


@pytest.mark.parametrize("kind", ["sha256", "md5"])
def test_a_checksum_of_another_type_is_compared_with_that_digest(udata, client, outputs, kind):
    """udata computes sha1 on upload, but a resource may carry a sha256/md5 (set by a harvester; here in the
    server's database, as here): the file is compared with that digest, and not uploaded again when it matches."""
    folder = outputs("water")
    options = PublishOptions(organization=udata.info["ORG_ID"], dataset_key=f"checksum-{kind}", formats=("csv",))
    first = publish_outputs(folder, client, options)
    rid = first.steps[1].id
    csv = folder / "VilleMTP_MTP_Fontaines.csv"
    digest = hashlib.new(kind, csv.read_bytes()).hexdigest()
    hook = f"{udata.site}/__test__/checksum"  # udata's PUT ignores `checksum` on an uploaded file
    body = {"dataset": first.dataset_id, "resource": rid, "type": kind}
    assert requests.post(hook, json={**body, "value": digest}, timeout=10).status_code == 200
    assert server_dataset(udata, first.dataset_id)["resources"][0]["checksum"] == {"type": kind, "value": digest}

    mark = udata.mark()
    again = publish_outputs(folder, client, options)
    assert again.steps[1].outcome is Outcome.UNCHANGED and again.bytes_uploaded == 0
    assert uploads(udata.requests_since(mark)) == []

    # a checksum of that type that differs: the file is replaced in place
    assert requests.post(hook, json={**body, "value": "0" * len(digest)}, timeout=10).status_code == 200
    mark = udata.mark()
    replaced = publish_outputs(folder, client, options)
    assert replaced.steps[1].outcome is Outcome.UPDATED and replaced.steps[1].id == rid
    # one upload stored (a first attempt within the same second as the first upload gets udata's 500: retried)
    assert [e["status"] for e in uploads(udata.requests_since(mark))] in ([200], [500, 200])
