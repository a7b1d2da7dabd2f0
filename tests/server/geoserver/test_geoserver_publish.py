"""Publishing each theme to GeoServer (the test double, or a real one with ODL_GEOSERVER_URL): stored state,
OGC answers, idempotent re-publishing, names/titles, ownership, dry run, CLI and credentials."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.credentials import Credentials
from odl_geo.errors import AuthError, InputError
from odl_geo.exports.manifest import sha256_file
from odl_geo.publishers.geoserver import (
    DataStore,
    Outcome,
    PublishOptions,
    PublishRecord,
    plan_publication,
    publish_plan,
    verify_publication,
)

from .conftest import REPO, manifest_counts

pytestmark = pytest.mark.server

HERE = Path(__file__).resolve().parent
TEST_SLD = HERE / "data" / "polygon.se.sld"
TITLES = {
    "hiking": "Itinéraires de randonnée des Cévennes",
    "water": "Bornes-fontaines de Montpellier (eau potable)",
    "flood": "Plan de prévention des risques naturels — Bourg-d'Oisans",
}


def style_for(theme: str) -> Path | None:
    """The theme's styles when present (styles/<theme>/); flood uses the test SE 1.1 style: the CNIG-2019 flood
    SLDs classify on ``typereglement``/``typealea``, which the COVADIS Bourg-d'Oisans data does not have."""
    if theme == "flood":
        return TEST_SLD
    folder = REPO / "styles" / theme
    return folder if folder.is_dir() and any(folder.glob("*.sld")) else None


@pytest.mark.parametrize("theme", ["hiking", "water", "flood"])
def test_publish_theme_state_and_ogc(geoserver, outputs, theme):
    out = outputs[theme]
    ws = geoserver.workspace(theme)
    options = PublishOptions(title=TITLES[theme], abstract="Publié par odl-geo", keywords=("odl-geo", theme),
                             style=style_for(theme))  # fmt: skip
    plan = plan_publication(out, ws, options)
    client = geoserver.client()
    result = publish_plan(plan, client)

    counts = manifest_counts(out)
    (store,) = plan.stores
    assert result.of("workspace") == {ws: Outcome.CREATED}
    assert result.of("datastore") == {store.name: Outcome.CREATED}
    assert result.of("featuretype") == dict.fromkeys((lyr.name for lyr in plan.layers), Outcome.CREATED)
    assert result.file_bytes == store.size

    # stored state, read back through REST (same assertions on the double and on a real GeoServer)
    assert client.get_workspace(ws) is not None
    ds = client.get_datastore(ws, store.name)
    assert ds is not None and ds.type == "GeoPackage"
    assert ds.record == PublishRecord(sha256_file(store.path), store.fingerprint)
    for layer in plan.layers:
        ft = client.get_featuretype(ws, store.name, layer.name)
        assert ft is not None
        assert ft.title == TITLES[theme] and ft.native_name in counts
        assert set(ft.keywords) == {"odl-geo", theme} and ft.srs == "EPSG:2154"
        lyr = client.get_layer(ws, layer.name)
        assert lyr is not None
        if layer.style:
            assert lyr.default_style == f"{ws}:{layer.style.name}"
            st = client.get_style(ws, layer.style.name)
            assert st is not None and st.version == layer.style.version
    if geoserver.is_double:
        state = geoserver.state()
        assert state["stores"][f"{ws}:{store.name}"]["sha256"] == store.sha256  # the uploaded bytes, unchanged
        assert all(s["has_body"] for s in state["styles"].values())
        geoserver.expect("PUT", r"/file\.gpkg$", count=1)

    # OGC: in WMS capabilities, GetMap not blank, WFS count equals the source count
    checks = verify_publication(plan, geoserver.url, geoserver.credentials)
    assert [c.layer for c in checks] == [lyr.name for lyr in plan.layers]
    for c in checks:
        assert c.ok, c.problem
        assert (
            c.feature_count == counts[next(lyr.feature_type.native_name for lyr in plan.layers if lyr.name == c.layer)]
        )


@pytest.mark.parametrize("style", [TEST_SLD, None], ids=["styled", "default-style"])
def test_republish_unchanged_sends_no_body_and_at_most_two_requests_per_layer(geoserver, outputs, style):
    ws = geoserver.workspace("flood")
    plan = plan_publication(outputs["flood"], ws, PublishOptions(style=style))
    publish_plan(plan, geoserver.client())
    if geoserver.is_double:
        geoserver.clear_log()
    again = publish_plan(plan, geoserver.client())
    n = len(plan.layers)
    assert n == 3
    assert again.bytes_sent == again.file_bytes == 0
    assert again.requests <= 2 * n, again.requests
    assert {o.outcome for o in again.outcomes} == {Outcome.UNCHANGED}
    if geoserver.is_double:
        log = geoserver.log()
        assert len(log) == again.requests
        assert all(e["method"] == "GET" and e["body_bytes"] == 0 for e in log)


def test_changed_metadata_and_changed_file_update_in_place(geoserver, outputs, tmp_path):
    gpkg = tmp_path / "trails.gpkg"
    shutil.copy2(next(outputs["hiking"].glob("*.gpkg")), gpkg)
    ws = geoserver.workspace("updates")
    client = geoserver.client()
    first = publish_plan(plan_publication(gpkg, ws, PublishOptions(title="Sentiers")), client)
    (name,) = first.of("featuretype")

    retitled = publish_plan(plan_publication(gpkg, ws, PublishOptions(title="Sentiers balisés")), client)
    assert retitled.file_bytes == 0
    assert retitled.of("datastore") == {"trails": Outcome.UNCHANGED}
    assert retitled.of("featuretype") == {name: Outcome.UPDATED}
    assert client.get_featuretype(ws, "trails", name).title == "Sentiers balisés"

    con = sqlite3.connect(gpkg)  # the data changed (a copy: the conversion output is untouched)
    table = con.execute("SELECT table_name FROM gpkg_contents").fetchone()[0]
    con.execute(f'DELETE FROM "{table}" WHERE fid = (SELECT max(fid) FROM "{table}")')
    con.commit()
    con.close()
    plan = plan_publication(gpkg, ws, PublishOptions(title="Sentiers balisés"))
    changed = publish_plan(plan, client)
    assert changed.of("datastore") == {"trails": Outcome.UPDATED}
    assert changed.file_bytes == gpkg.stat().st_size
    assert client.get_datastore(ws, "trails").record.sha256 == sha256_file(gpkg)
    (check,) = verify_publication(plan, geoserver.url, geoserver.credentials)
    assert check.ok and check.feature_count == plan.layers[0].feature_count == 7


def test_names_made_safe_titles_keep_accents(geoserver, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    gpkg = tmp_path / "Équipements 2024.gpkg"
    gdf = gpd.GeoDataFrame({"nom": ["Fontaine Saint-Côme", "Puits"]},
                           geometry=[Point(3.88, 43.61), Point(3.87, 43.60)], crs="EPSG:4326").to_crs(2154)  # fmt: skip
    gdf.to_file(gpkg, layer="Points d'eau été", driver="GPKG")
    ws = geoserver.workspace("noms")
    plan = plan_publication(gpkg, ws, PublishOptions(titles={"Points d'eau été": "Points d'eau de l'été"}))
    assert plan.stores[0].name == "Equipements_2024"
    assert plan.layers[0].name == "Points_d_eau_ete"
    client = geoserver.client()
    publish_plan(plan, client)
    ft = client.get_featuretype(ws, "Equipements_2024", "Points_d_eau_ete")
    assert ft.native_name == "Points d'eau été" and ft.title == "Points d'eau de l'été"
    (check,) = verify_publication(plan, geoserver.url, geoserver.credentials)
    assert check.ok and check.feature_count == 2, check.problem


def test_never_deletes_and_never_overwrites_a_foreign_store(geoserver, outputs):
    ws = geoserver.workspace("shared")
    client = geoserver.client()
    plan = plan_publication(outputs["water"], ws, PublishOptions())
    publish_plan(plan, client)
    # somebody else's store, made by hand with a description, under the name odl-geo would use
    foreign = DataStore("VilleMTP_MTP_Fontaines", description="maintenu par le SIG de la ville")
    ws2 = geoserver.workspace("shared2")
    publish_plan(plan_publication(outputs["hiking"], ws2, PublishOptions()), client)
    client.update_datastore(ws2, DataStore("exemple-valide", description=foreign.description), include_connection=False)
    with pytest.raises(InputError, match=r"datastore 'exemple-valide' already exists .* not created by odl-geo"):
        publish_plan(plan_publication(outputs["hiking"], ws2, PublishOptions(title="autre")), client)
    assert client.get_datastore(ws2, "exemple-valide").description == "maintenu par le SIG de la ville"
    # re-publishing the first workspace leaves the other one alone
    publish_plan(plan, client)
    assert client.get_workspace(ws2) is not None
    if geoserver.is_double:
        assert not [e for e in geoserver.log() if e["method"] == "DELETE"]


def test_dry_run_plans_requests_changes_nothing_and_shows_no_secret(geoserver, outputs, monkeypatch, capsys):
    ws = geoserver.workspace("dry")
    monkeypatch.setenv("ODL_GEOSERVER_USER", geoserver.credentials.username)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", geoserver.credentials.password)
    rc = main(["publish", "geoserver", str(outputs["water"]), "--url", geoserver.url, "--workspace", ws,
               "--dry-run", "--json"])  # fmt: skip
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    result = json.loads(captured.out)
    planned = result["planned_requests"]
    assert planned[0].startswith("POST ") and planned[0].endswith("/rest/workspaces")
    assert any("/file.gpkg?configure=none" in p and "bytes]" in p for p in planned)
    assert geoserver.credentials.password not in captured.out + captured.err
    assert geoserver.client().get_workspace(ws) is None  # nothing was written
    if geoserver.is_double:
        assert {e["method"] for e in geoserver.log()} == {"GET"}


def test_cli_publishes_and_verifies(geoserver, outputs, monkeypatch, capsys):
    ws = geoserver.workspace("cli")
    monkeypatch.setenv("ODL_GEOSERVER_USER", geoserver.credentials.username)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", geoserver.credentials.password)
    args = ["publish", "geoserver", str(outputs["hiking"]), "--url", geoserver.url, "--workspace", ws,
            "--title", TITLES["hiking"], "--attribution", "Parc national des Cévennes", "--json"]  # fmt: skip
    if style_for("hiking"):
        args += ["--style", str(style_for("hiking"))]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert [c["ok"] for c in result["checks"]] == [True]
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["bytes_sent"] == again["file_bytes"] == 0 and again["requests"] <= 2
    layer = geoserver.client().get_layer(ws, result["checks"][0]["layer"])
    assert layer.attribution is not None and layer.attribution.title == "Parc national des Cévennes"


def test_bad_credentials_give_auth_error_and_no_secret_anywhere(geoserver, outputs, caplog, monkeypatch, capsys):
    wrong = "Wr0ng-pa55-" + geoserver.credentials.password[-4:]
    ws = geoserver.workspace("auth")
    caplog.set_level(logging.DEBUG)
    client = geoserver.client(Credentials(geoserver.credentials.username, wrong))
    with pytest.raises(AuthError, match=r"GeoServer refused the credentials \(401\)") as info:
        publish_plan(plan_publication(outputs["water"], ws, PublishOptions()), client)
    err = info.value
    assert err.status == 401 and "ODL_GEOSERVER_USER" in err.hint and "authkey" in err.hint
    text = " ".join([str(err), err.hint, err.details, json.dumps(err.to_dict()), repr(client.credentials), caplog.text])
    assert wrong not in text and geoserver.credentials.password not in text
    # the CLI: exit code of AuthError, message, and still no secret
    monkeypatch.setenv("ODL_GEOSERVER_USER", geoserver.credentials.username)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", wrong)
    rc = main(["publish", "geoserver", str(outputs["water"]), "--url", geoserver.url, "--workspace", ws, "--json"])
    out = capsys.readouterr()
    assert rc == AuthError.exit_code == 6
    assert json.loads(out.out.splitlines()[0])["error"] == "AuthError"
    assert wrong not in out.out + out.err + caplog.text
    assert geoserver.client().get_workspace(ws) is None


def test_a_second_dataset_in_an_existing_workspace_is_served_too(geoserver, outputs):
    """Two publications into one workspace (a commune's water points, then its trails): both layers in WMS."""
    from odl_geo.publishers.geoserver import raise_if_failed, verify_publication

    ws = geoserver.workspace("commune")
    client = geoserver.client()
    for theme in ("water", "hiking"):
        plan = plan_publication(outputs[theme], ws, PublishOptions())
        publish_plan(plan, client)
        checks = verify_publication(plan, geoserver.url, geoserver.credentials)
        raise_if_failed(checks, ws)  # the new layer is in GetCapabilities, draws, and counts right
        assert checks and all(c.ok for c in checks)
