"""odl-geo never modifies a GeoServer resource it did not create: stores are known by the mark odl-geo writes in
their description right after creating them, styles by their file name (``{name}.odl-geo.sld``). Anything else
of the same name is refused with one message naming the resource and the way out, and is left byte-identical."""

from __future__ import annotations

import pytest
import requests

from odl_geo.errors import InputError
from odl_geo.publishers.geoserver import (
    DataStore,
    Outcome,
    PublishOptions,
    PublishRecord,
    Workspace,
    ensure_postgis_store,
    plan_publication,
    publish_plan,
)

from .test_geoserver_publish import TEST_SLD

pytestmark = pytest.mark.server


def _rest(geoserver):
    s = requests.Session()
    s.auth = (geoserver.credentials.username, geoserver.credentials.password)
    return s


def test_a_store_uploaded_by_hand_without_description_is_refused_and_untouched(geoserver, outputs):
    """Somebody uploaded the same GeoPackage by hand (REST, default configure=first): empty description, one
    feature type. Before, odl-geo took such a store over and GeoServer wiped its folder on the upload."""
    ws = geoserver.workspace("owned")
    rest = _rest(geoserver)
    assert rest.post(f"{geoserver.url}/rest/workspaces", json={"workspace": {"name": ws}}).status_code == 201
    gpkg = next(outputs["water"].glob("*.gpkg"))
    url = f"{geoserver.url}/rest/workspaces/{ws}/datastores/VilleMTP_MTP_Fontaines/file.gpkg"
    r = rest.put(url, data=gpkg.read_bytes(), headers={"Content-Type": "application/geopackage+sqlite3"})
    assert r.status_code == 201
    client = geoserver.client()
    before = client.get_datastore(ws, "VilleMTP_MTP_Fontaines")
    assert before is not None and before.description == ""
    if geoserver.is_double:
        geoserver.clear_log()
    plan = plan_publication(outputs["water"], ws, PublishOptions(title="autre titre"))
    with pytest.raises(InputError) as info:
        publish_plan(plan, client)
    err = info.value
    assert err.message == (
        f"datastore 'VilleMTP_MTP_Fontaines' already exists in workspace '{ws}' and was not created by odl-geo; "
        "it was left untouched."
    )
    assert "--store" in err.hint and "--workspace" in err.hint
    after = client.get_datastore(ws, "VilleMTP_MTP_Fontaines")
    assert after == before
    assert client.get_featuretype(ws, "VilleMTP_MTP_Fontaines", "VilleMTP_MTP_Fontaines").title != "autre titre"
    if geoserver.is_double:
        assert {e["method"] for e in geoserver.log()} == {"GET"}  # not one write


def test_a_foreign_style_of_the_same_name_is_refused_and_untouched(geoserver, outputs):
    ws = geoserver.workspace("styleowner")
    rest = _rest(geoserver)
    assert rest.post(f"{geoserver.url}/rest/workspaces", json={"workspace": {"name": ws}}).status_code == 201
    info = b"<style><name>polygon</name><filename>polygon.sld</filename></style>"  # made by hand
    styles = f"{geoserver.url}/rest/workspaces/{ws}/styles"
    assert rest.post(styles, data=info, headers={"Content-Type": "application/xml"}).status_code == 201
    theirs = TEST_SLD.read_bytes().replace(b"<se:Name>", b"<se:Name>theirs ", 1)
    se = {"Content-Type": "application/vnd.ogc.se+xml; charset=UTF-8"}
    assert rest.put(f"{styles}/polygon", data=theirs, headers=se).status_code == 200
    client = geoserver.client()
    plan = plan_publication(outputs["flood"], ws, PublishOptions(style=TEST_SLD))
    assert {lyr.style.name for lyr in plan.layers} == {"polygon"}
    with pytest.raises(InputError) as err:
        publish_plan(plan, client)
    assert err.value.message == (
        f"style 'polygon' already exists in workspace '{ws}' and was not created by odl-geo (its file is "
        "'polygon.sld', not 'polygon.odl-geo.sld'); it was left untouched."
    )
    assert "rename polygon.se.sld" in err.value.hint and "--workspace" in err.value.hint
    body = rest.get(f"{styles}/polygon", headers={"Accept": "application/vnd.ogc.se+xml"})
    assert body.content == theirs
    # the store odl-geo created meanwhile is its own: another workspace, or a renamed style, publishes fine
    ws2 = geoserver.workspace("styleowner2")
    result = publish_plan(plan_publication(outputs["flood"], ws2, PublishOptions(style=TEST_SLD)), client)
    assert result.of("style") == {"polygon": Outcome.CREATED}
    assert client.get_style(ws2, "polygon").filename == "polygon.odl-geo.sld"


def test_styles_and_stores_odl_geo_created_are_updated(geoserver, outputs, tmp_path):
    ws = geoserver.workspace("mine")
    client = geoserver.client()
    publish_plan(plan_publication(outputs["flood"], ws, PublishOptions(style=TEST_SLD)), client)
    store = client.get_datastore(ws, "PPRn_BourgOisans")
    assert store.owned and store.record is not None
    changed = tmp_path / "polygon.se.sld"
    changed.write_bytes(TEST_SLD.read_bytes().replace(b"<se:Name>", b"<se:Name>v2 ", 1))
    again = publish_plan(plan_publication(outputs["flood"], ws, PublishOptions(style=changed)), client)
    assert again.of("style") == {"polygon": Outcome.UPDATED}


def test_a_creation_cut_before_its_mark_is_completed_by_the_next_run(geoserver, outputs):
    """The one unmarked store odl-geo adopts: the exact trace of its own upload cut before the mark."""
    ws = geoserver.workspace("cut")
    plan = plan_publication(outputs["water"], ws, PublishOptions())
    (store,) = plan.stores
    client = geoserver.client()
    client.create_workspace(Workspace(ws))
    client.upload_geopackage(ws, store.name, store.path.read_bytes(), filename=f"{store.name}.gpkg")
    assert client.get_datastore(ws, store.name).description == ""
    result = publish_plan(plan, client)
    assert result.of("datastore") == {store.name: Outcome.UPDATED}
    assert client.get_datastore(ws, store.name).record == PublishRecord(store.sha256, store.fingerprint)


def test_a_foreign_postgis_store_is_refused(geoserver):
    ws = geoserver.workspace("pgowner")
    client = geoserver.client()
    rest = _rest(geoserver)
    assert rest.post(f"{geoserver.url}/rest/workspaces", json={"workspace": {"name": ws}}).status_code == 201
    theirs = DataStore.postgis("referentiel", "db.example.fr", 5432, "sig", "lecteur", "x", schema="public")
    client.create_datastore(ws, theirs)
    mine = DataStore.postgis("referentiel", "db2.example.fr", 5432, "sig", "lecteur", "x", schema="public")
    with pytest.raises(InputError, match=r"^datastore 'referentiel' already exists .* not created by odl-geo"):
        ensure_postgis_store(client, ws, mine)
    assert client.get_datastore(ws, "referentiel").connection["host"] == "db.example.fr"
