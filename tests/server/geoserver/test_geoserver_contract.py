"""The GeoServer REST behaviour the publisher relies on (../shared/specs/geoserver-rest-contract.md), checked on
the target itself: on the test double these pin its fidelity, on a real GeoServer they check the contract."""

from __future__ import annotations

import pytest
import requests

from odl_geo.credentials import Credentials
from odl_geo.errors import AuthError
from odl_geo.publishers.geoserver import Outcome, PublishOptions, Workspace, plan_publication, publish_plan

from .conftest import start_double

pytestmark = pytest.mark.server

JSON = {"Accept": "application/json"}


@pytest.fixture
def rest(geoserver):
    s = requests.Session()
    s.auth = (geoserver.credentials.username, geoserver.credentials.password)
    s.base = f"{geoserver.url}/rest"  # type: ignore[attr-defined]
    yield s
    s.close()


def post_ws(rest, name):
    return rest.post(f"{rest.base}/workspaces", json={"workspace": {"name": name}})


def upload(rest, ws, ds, path, **params):
    return rest.put(f"{rest.base}/workspaces/{ws}/datastores/{ds}/file.gpkg", data=path.read_bytes(),
                    params=params, headers={"Content-Type": "application/geopackage+sqlite3"})  # fmt: skip


def test_auth_is_http_basic_with_realm(geoserver):
    r = requests.get(f"{geoserver.url}/rest/workspaces.json", timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Basic realm="GeoServer Realm"'
    r = requests.get(f"{geoserver.url}/rest/workspaces.json", auth=("admin", "not-the-password"), timeout=10)
    assert r.status_code == 401


def test_workspace_create_conflict_and_not_found(geoserver, rest):
    ws = geoserver.workspace("contract")
    geoserver.allow_misuse("duplicate workspace POST")
    r = post_ws(rest, ws)
    assert r.status_code == 201 and r.headers["Location"].endswith(f"/rest/workspaces/{ws}")
    assert post_ws(rest, ws).status_code == 409
    r = rest.get(f"{rest.base}/workspaces/{ws}_missing.json", headers=JSON)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/plain")
    assert r.text == f"No such workspace: '{ws}_missing' found"
    r = rest.get(f"{rest.base}/workspaces/{ws}_missing.json", params={"quietOnNotFound": "true"}, headers=JSON)
    assert r.status_code == 404 and r.text == ""
    r = rest.get(f"{rest.base}/workspaces/{ws}.json", headers=JSON)
    assert r.json()["workspace"]["name"] == ws


def test_empty_lists_are_empty_strings(geoserver, rest):
    ws = geoserver.workspace("empty")
    post_ws(rest, ws)
    assert rest.get(f"{rest.base}/workspaces/{ws}/datastores.json", headers=JSON).json() == {"dataStores": ""}
    assert rest.get(f"{rest.base}/workspaces/{ws}/styles.json", headers=JSON).json() == {"styles": ""}


def test_wrong_verb_405_and_wrong_content_type_415(geoserver, rest):
    ws = geoserver.workspace("verbs")
    post_ws(rest, ws)
    geoserver.allow_misuse("method not allowed", "unsupported content type")
    assert rest.post(f"{rest.base}/workspaces/{ws}", json={"workspace": {"name": ws}}).status_code == 405
    r = rest.post(f"{rest.base}/workspaces", data=b"name=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_geopackage_upload_configure_and_renaming(geoserver, rest, outputs):
    ws = geoserver.workspace("upload")
    post_ws(rest, ws)
    gpkg = next(outputs["flood"].glob("*.gpkg"))
    assert upload(rest, ws, "ppr", gpkg, configure="none").status_code == 201
    assert rest.get(f"{rest.base}/workspaces/{ws}/datastores/ppr/featuretypes.json", headers=JSON).json() == {
        "featureTypes": ""
    }
    avail = rest.get(f"{rest.base}/workspaces/{ws}/datastores/ppr/featuretypes.json", params={"list": "available"},
                     headers=JSON).json()  # fmt: skip
    assert sorted(avail["list"]["string"]) == sorted(
        ["N_ZONE_REG_PPRN_20200002_S_038", "N_PERIMETRE_PPRN_20200002_S_038", "N_ZONE_ALEA_PPRN_20200002_S_038"]
    )
    assert upload(rest, ws, "ppr", gpkg, configure="all").status_code == 201
    names = rest.get(f"{rest.base}/workspaces/{ws}/datastores/ppr/featuretypes.json", headers=JSON).json()
    assert len(names["featureTypes"]["featureType"]) == 3
    # the same tables uploaded into another store of the namespace get numbered names (J4)
    assert upload(rest, ws, "ppr2", gpkg, configure="first").status_code == 201
    (ft,) = rest.get(f"{rest.base}/workspaces/{ws}/datastores/ppr2/featuretypes.json", headers=JSON).json()[
        "featureTypes"
    ]["featureType"]
    assert ft["name"].endswith("1")
    ds = rest.get(f"{rest.base}/workspaces/{ws}/datastores/ppr.json", headers=JSON).json()["dataStore"]
    assert ds["type"] == "GeoPackage"
    params = {e["@key"]: e["$"] for e in ds["connectionParameters"]["entry"]}
    assert params["dbtype"] == "geopkg" and params["database"].endswith("ppr.gpkg")


def test_duplicates_are_500_and_blind_writes_fail(geoserver, rest, outputs):
    """Only workspaces answer 409; duplicate store/feature type/style info POSTs and blind PUTs give 500/400."""
    ws = geoserver.workspace("dups")
    post_ws(rest, ws)
    geoserver.allow_misuse("duplicate", "style content before style info", "layer PUT without a layer")
    gpkg = next(outputs["water"].glob("*.gpkg"))
    upload(rest, ws, "eau", gpkg, configure="none")
    body = {"featureType": {"name": "VilleMTP_MTP_Fontaines", "nativeName": "VilleMTP_MTP_Fontaines"}}
    url = f"{rest.base}/workspaces/{ws}/datastores/eau/featuretypes"
    r = rest.post(url, json=body)
    assert r.status_code == 201 and r.text == ""
    assert rest.post(url, json=body).status_code == 500
    xml = {"Content-Type": "application/xml"}
    info = b"<style><name>st</name><filename>st.sld</filename></style>"
    assert rest.post(f"{rest.base}/workspaces/{ws}/styles", data=info, headers=xml).status_code == 201
    assert rest.post(f"{rest.base}/workspaces/{ws}/styles", data=info, headers=xml).status_code == 500
    sld = {"Content-Type": "application/vnd.ogc.sld+xml; charset=UTF-8"}
    r = rest.put(f"{rest.base}/workspaces/{ws}/styles/nostyle", data=b"<StyledLayerDescriptor/>", headers=sld)
    assert r.status_code == 400
    r = rest.put(f"{rest.base}/layers/{ws}:nolayer", json={"layer": {"defaultStyle": {"name": "point"}}})
    assert r.status_code == 500


def test_style_two_steps_and_layer_default_style(geoserver, rest, outputs):
    ws = geoserver.workspace("styles")
    post_ws(rest, ws)
    upload(rest, ws, "eau", next(outputs["water"].glob("*.gpkg")), configure="all")
    info = b"<style><name>pts</name><filename>pts.sld</filename></style>"
    assert rest.post(f"{rest.base}/workspaces/{ws}/styles", data=info,
                     headers={"Content-Type": "application/xml"}).status_code == 201  # fmt: skip
    sld = (
        '<?xml version="1.0" encoding="UTF-8"?><StyledLayerDescriptor version="1.0.0" '
        'xmlns="http://www.opengis.net/sld"><NamedLayer><Name>p</Name><UserStyle><Title>Bornes é</Title>'
        "<FeatureTypeStyle><Rule><PointSymbolizer><Graphic><Mark><WellKnownName>circle</WellKnownName></Mark>"
        "<Size>6</Size></Graphic></PointSymbolizer></Rule></FeatureTypeStyle></UserStyle></NamedLayer>"
        "</StyledLayerDescriptor>"
    ).encode()
    r = rest.put(f"{rest.base}/workspaces/{ws}/styles/pts", data=sld,
                 headers={"Content-Type": "application/vnd.ogc.sld+xml; charset=UTF-8"})  # fmt: skip
    assert r.status_code == 200
    got = rest.get(f"{rest.base}/workspaces/{ws}/styles/pts.json", headers=JSON).json()["style"]
    assert got["name"] == "pts" and got["filename"] == "pts.sld"
    body = rest.get(f"{rest.base}/workspaces/{ws}/styles/pts.sld")
    assert body.status_code == 200 and "Bornes é" in body.content.decode("utf-8")
    lyr = f"{rest.base}/layers/{ws}:VilleMTP_MTP_Fontaines"
    assert rest.put(lyr, json={"layer": {"defaultStyle": {"name": "pts", "workspace": ws}}}).status_code == 200
    assert rest.get(f"{lyr}.json", headers=JSON).json()["layer"]["defaultStyle"]["name"] == f"{ws}:pts"


@pytest.mark.double_only
def test_html_without_accept_or_suffix(geoserver, rest):
    """Spring picks by converter order without suffix or Accept: "frequently HTML" (J1): the double says HTML."""
    r = rest.get(f"{rest.base}/workspaces", headers={"Accept": "*/*"})
    assert r.headers["Content-Type"].startswith("text/html")


@pytest.mark.double_only
def test_version_switches_of_the_double_and_the_client_copes(request, tmp_path_factory, outputs):
    """Contract §9: GeoServer 3 answers 404 to trailing slashes; before GEOS-10007 a duplicate workspace was 401."""
    v3 = start_double(request, tmp_path_factory.mktemp("gs3"), "--geoserver-version", "3.0.0")
    r = requests.get(f"{v3.url}/rest/workspaces/", auth=(v3.credentials.username, v3.credentials.password))
    assert r.status_code == 404 and r.json()["title"] == "Not Found"
    assert r.headers["Content-Type"] == "application/problem+json"

    old = start_double(request, tmp_path_factory.mktemp("gs218"), "--geoserver-version", "2.18.0")
    auth = (old.credentials.username, old.credentials.password)
    assert requests.post(f"{old.url}/rest/workspaces", json={"workspace": {"name": "w"}}, auth=auth).status_code == 201
    assert requests.post(f"{old.url}/rest/workspaces", json={"workspace": {"name": "w"}}, auth=auth).status_code == 401
    # the publisher: a 401 on the workspace POST followed by a successful GET means "it already exists"
    client = old.client()
    assert client.create_workspace(Workspace("w")) is False
    result = publish_plan(plan_publication(outputs["water"], "w", PublishOptions()), client)
    assert result.of("datastore") == {"VilleMTP_MTP_Fontaines": Outcome.CREATED}
    # ... while a 401 with wrong credentials stays an AuthError
    with pytest.raises(AuthError, match=r"refused the credentials \(401\)"):
        old.client(Credentials("admin", "wrong")).create_workspace(Workspace("w2"))


def test_a_different_name_in_a_put_renames_silently(geoserver, rest, outputs):
    """FT4 and L2 with another `name` in the body: 200 and a renamed resource (J7/J9). The contract calls it a
    misuse (§7.3), so the double flags it (and the publisher never does it)."""
    ws = geoserver.workspace("rename")
    post_ws(rest, ws)
    geoserver.allow_misuse("rename by PUT")
    upload(rest, ws, "eau", next(outputs["water"].glob("*.gpkg")), configure="all")
    ft = f"{rest.base}/workspaces/{ws}/datastores/eau/featuretypes"
    r = rest.put(f"{ft}/VilleMTP_MTP_Fontaines", json={"featureType": {"name": "bornes", "title": "Bornes"}})
    assert r.status_code == 200 and r.text == ""
    assert rest.get(f"{ft}/VilleMTP_MTP_Fontaines.json", headers=JSON).status_code == 404
    got = rest.get(f"{ft}/bornes.json", headers=JSON).json()["featureType"]
    assert got["title"] == "Bornes" and got["nativeName"] == "VilleMTP_MTP_Fontaines"
    r = rest.put(f"{rest.base}/layers/{ws}:bornes", json={"layer": {"name": "fontaines"}})
    assert r.status_code == 200
    assert rest.get(f"{rest.base}/layers/{ws}:fontaines.json", headers=JSON).status_code == 200
    assert rest.get(f"{ft}/fontaines.json", headers=JSON).status_code == 200  # a layer's name is its resource's
    if geoserver.is_double:
        flagged = [e["path"] for e in geoserver.log() if e["misuse"] == "rename by PUT"]
        assert len(flagged) == 2


SE_STYLE = (
    '<?xml version="1.0" encoding="UTF-8"?><StyledLayerDescriptor version="1.1.0" '
    'xmlns="http://www.opengis.net/sld" xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">'
    "<NamedLayer><se:Name>zones</se:Name><UserStyle><se:Name>zones_alea</se:Name><se:Description><se:Title>Aléa"
    "</se:Title></se:Description><se:FeatureTypeStyle><se:Rule><se:PolygonSymbolizer><se:Fill>"
    '<se:SvgParameter name="fill">#ff0000</se:SvgParameter></se:Fill></se:PolygonSymbolizer></se:Rule>'
    "</se:FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"
).encode()


def test_one_step_style_post_takes_the_name_inside_the_sld(geoserver, rest):
    """ST4(b) without ?name=: the name of the SLD's style is used (J8)."""
    ws = geoserver.workspace("onestep")
    post_ws(rest, ws)
    r = rest.post(f"{rest.base}/workspaces/{ws}/styles", data=SE_STYLE,
                  headers={"Content-Type": "application/vnd.ogc.se+xml; charset=UTF-8"})  # fmt: skip
    assert r.status_code == 201 and r.text == "zones_alea"
    assert r.headers["Location"].endswith(f"/workspaces/{ws}/styles/zones_alea")
    info = rest.get(f"{rest.base}/workspaces/{ws}/styles/zones_alea.json", headers=JSON).json()["style"]
    assert info["languageVersion"]["version"] == "1.1.0"


def test_sld_suffix_converts_an_se_style_to_sld_10(geoserver, rest):
    """ST3: `.sld` always answers SLD 1.0, even for an SE 1.1 style; the SE bytes need no suffix + SE Accept."""
    from lxml import etree

    ws = geoserver.workspace("se11")
    post_ws(rest, ws)
    rest.post(f"{rest.base}/workspaces/{ws}/styles", params={"name": "z"}, data=SE_STYLE,
              headers={"Content-Type": "application/vnd.ogc.se+xml; charset=UTF-8"})  # fmt: skip
    sld = rest.get(f"{rest.base}/workspaces/{ws}/styles/z.sld")
    assert sld.status_code == 200 and sld.headers["Content-Type"].startswith("application/vnd.ogc.sld+xml")
    root = etree.fromstring(sld.content)
    assert root.get("version") == "1.0.0"
    assert not [el for el in root.iter() if isinstance(el.tag, str) and "opengis.net/se" in el.tag]
    assert [el.get("name") for el in root.iter("{http://www.opengis.net/sld}CssParameter")] == ["fill"]
    se = rest.get(f"{rest.base}/workspaces/{ws}/styles/z", headers={"Accept": "application/vnd.ogc.se+xml"})
    assert b"se:SvgParameter" in se.content
