"""Layer names another store holds are refused before anything is written, or published under a name the user
chose (issue #14, item 14); a GeoPackage edited after its conversion (same size, manifest unchanged) is sent again
(item 15). GeoServer's catalog keeps one resource per name in a namespace (its validator's 500 "Resource named …
already exists in namespace", which the double answers too)."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
import requests

from odl_geo.cli.main import main
from odl_geo.errors import InputError
from odl_geo.publishers.geoserver import Outcome, PublishOptions, plan_publication, publish_plan, verify_publication

pytestmark = pytest.mark.server

TABLE = "VilleMTP_MTP_Fontaines"


def _rest(geoserver):
    s = requests.Session()
    s.auth = (geoserver.credentials.username, geoserver.credentials.password)
    return s


def _hand_published(geoserver, outputs, ws):
    """Somebody published the same GeoPackage by hand in store 'a_la_main': the layer name is taken."""
    rest = _rest(geoserver)
    assert rest.post(f"{geoserver.url}/rest/workspaces", json={"workspace": {"name": ws}}).status_code == 201
    gpkg = next(outputs["water"].glob("*.gpkg"))
    r = rest.put(f"{geoserver.url}/rest/workspaces/{ws}/datastores/a_la_main/file.gpkg",
                 params={"configure": "all"}, data=gpkg.read_bytes(),
                 headers={"Content-Type": "application/geopackage+sqlite3"})  # fmt: skip
    assert r.status_code in (201, 202), r.text
    assert rest.get(f"{geoserver.url}/rest/layers/{ws}:{TABLE}.json").status_code == 200


@pytest.mark.double_only
def test_the_double_refuses_a_second_resource_of_the_same_name_in_the_namespace(geoserver, outputs):
    ws = geoserver.workspace("namespace")
    _hand_published(geoserver, outputs, ws)
    rest = _rest(geoserver)
    gpkg = next(outputs["water"].glob("*.gpkg"))
    assert rest.put(f"{geoserver.url}/rest/workspaces/{ws}/datastores/autre/file.gpkg", params={"configure": "none"},
                    data=gpkg.read_bytes(), headers={"Content-Type": "application/geopackage+sqlite3"}).ok  # fmt: skip
    geoserver.allow_misuse("duplicate feature type POST")
    r = rest.post(f"{geoserver.url}/rest/workspaces/{ws}/datastores/autre/featuretypes",
                  json={"featureType": {"name": TABLE, "nativeName": TABLE}})  # fmt: skip
    assert r.status_code == 500 and r.text == f"Resource named '{TABLE}' already exists in namespace: '{ws}'"


def test_a_layer_name_held_by_another_store_is_refused_before_any_write(geoserver, outputs):
    ws = geoserver.workspace("taken")
    _hand_published(geoserver, outputs, ws)
    client = geoserver.client()
    before = client.get_layer(ws, TABLE)
    if geoserver.is_double:
        geoserver.clear_log()
    plan = plan_publication(outputs["water"], ws, PublishOptions())
    with pytest.raises(InputError) as info:
        publish_plan(plan, client)
    err = info.value
    assert err.message.startswith(f"Layer name already taken in workspace '{ws}' by another store: ")  # one name
    assert f"'{TABLE}' (table '{TABLE}', held by store 'a_la_main')" in err.message
    assert "nothing was changed" in err.message
    assert f"--layer-name {TABLE}=NEW_NAME" in err.hint and "--workspace" in err.hint
    assert client.get_layer(ws, TABLE) == before
    assert client.get_datastore(ws, TABLE) is None  # no store created, no file uploaded
    if geoserver.is_double:
        assert [e for e in geoserver.log() if e["method"] != "GET"] == []


def test_the_cli_says_it_with_exit_2_and_a_job_file_can_choose_the_name(geoserver, outputs, capsys, monkeypatch):
    ws = geoserver.workspace("chosen")
    _hand_published(geoserver, outputs, ws)
    monkeypatch.setenv("ODL_GEOSERVER_USER", geoserver.credentials.username)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", geoserver.credentials.password)
    argv = ["publish", "geoserver", str(outputs["water"]), "--url", geoserver.url, "--workspace", ws, "--no-verify"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "held by store 'a_la_main'" in err and "--layer-name" in err
    assert main([*argv, "--layer-name", f"{TABLE}=fontaines_odl", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {(r["kind"], r["name"], r["outcome"]) for r in result["resources"]} >= {
        ("featuretype", "fontaines_odl", "created")
    }
    checks = verify_publication(plan_publication(outputs["water"], ws, PublishOptions(
        layer_names={TABLE: "fontaines_odl"})), geoserver.url, geoserver.credentials)  # fmt: skip
    assert [(c.layer, c.ok) for c in checks] == [("fontaines_odl", True)], [c.problem for c in checks]
    assert main([*argv, "--layer-name", f"{TABLE}=fontaines_odl"]) == 0  # a re-run: its own layer, no conflict
    capsys.readouterr()


def test_a_bad_layer_name_option_is_refused(outputs):
    with pytest.raises(InputError, match="no table 'nope'"):
        plan_publication(outputs["water"], "ws", PublishOptions(layer_names={"nope": "x"}))
    with pytest.raises(InputError, match="not a valid GeoServer layer name"):
        plan_publication(outputs["water"], "ws", PublishOptions(layer_names={TABLE: "été 2024"}))


def test_a_geopackage_edited_after_conversion_with_the_same_size_is_uploaded_again(geoserver, outputs, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(outputs["water"], out)
    gpkg = next(out.glob("*.gpkg"))
    ws = geoserver.workspace("edited")
    client = geoserver.client()
    assert publish_plan(plan_publication(out, ws, PublishOptions()), client).of("datastore") == {
        gpkg.stem: Outcome.CREATED
    }
    manifest, size = (out / "manifest.json").read_bytes(), gpkg.stat().st_size
    con = sqlite3.connect(gpkg)
    column = next(r[1] for r in con.execute(f'PRAGMA table_info("{TABLE}")') if r[2].upper() == "TEXT")
    old = con.execute(f'SELECT "{column}" FROM "{TABLE}" WHERE "{column}" <> \'\' LIMIT 1').fetchone()[0]
    con.close()
    # an edit in QGIS: one name corrected, same length, so same file size (the bytes of the value swapped in place)
    raw = gpkg.read_bytes()
    new = old[:-1] + ("X" if old[-1] != "X" else "Y")
    assert raw.count(old.encode()) >= 1
    gpkg.write_bytes(raw.replace(old.encode(), new.encode(), 1))
    con = sqlite3.connect(gpkg)
    assert con.execute(f'SELECT count(*) FROM "{TABLE}" WHERE "{column}" = ?', (new,)).fetchone()[0] == 1
    con.close()
    assert gpkg.stat().st_size == size and (out / "manifest.json").read_bytes() == manifest
    if geoserver.is_double:
        geoserver.clear_log()
    again = publish_plan(plan_publication(out, ws, PublishOptions()), client)
    assert again.of("datastore") == {gpkg.stem: Outcome.UPDATED}
    assert again.file_bytes == size
    if geoserver.is_double:
        geoserver.expect("PUT", r"/file\.gpkg$", count=1)
