"""A layer published from a folder with its metadata record links to it: GeoServer ``metadataLinks`` on the feature
type, hence ``MetadataURL`` in the WMS capabilities; re-publishing changes nothing; links set by hand elsewhere are
not wiped by a folder without a record."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from lxml import etree

from odl_geo.metadata import parse_metadata, prepare_record, write_metadata
from odl_geo.publishers import Outcome
from odl_geo.publishers.geoserver import PublishOptions, plan_publication, publish_plan
from odl_geo.publishers.geoserver.models import MetadataLink

pytestmark = pytest.mark.server

DOWNLOAD = "https://donnees.exemple.fr/fontaines/"
METADATA = {
    "title": "Bornes fontaines de Montpellier",
    "abstract": "Localisation des bornes fontaines d'eau potable.",
    "licence": "lov2",
    "frequency": "annual",
    "inspire_theme": "us",
    "topic_categories": ["utilitiesCommunication"],
    "producer": {"name": "Ville de Montpellier", "email": "opendata@example.fr"},
    "links": {"download": DOWNLOAD},
}


def test_feature_types_link_the_metadata_record(geoserver, outputs, tmp_path):
    import shutil

    folder = tmp_path / "water"
    shutil.copytree(outputs["water"], folder)
    write_metadata(folder, prepare_record(folder, parse_metadata(METADATA), today=dt.date(2026, 1, 5)))
    url = f"{DOWNLOAD}metadata.xml"
    ws = geoserver.workspace("meta")
    plan = plan_publication(folder, ws, PublishOptions())
    assert {lyr.feature_type.metadata_links for lyr in plan.layers} == {(MetadataLink(url),)}
    client = geoserver.client()
    publish_plan(plan, client)
    (layer,) = plan.layers
    store = plan.stores[0].name
    ft = client.get_featuretype(ws, store, layer.name)
    assert ft is not None and ft.metadata_links == (MetadataLink(url, "text/xml", "ISO19115:2003"),)

    caps = requests.get(f"{geoserver.url}/{ws}/wms", params={"SERVICE": "WMS", "VERSION": "1.3.0",
                                                            "REQUEST": "GetCapabilities"}, timeout=30)  # fmt: skip
    assert caps.status_code == 200
    root = etree.fromstring(caps.content)
    ns = {"wms": "http://www.opengis.net/wms", "xlink": "http://www.w3.org/1999/xlink"}
    found = root.xpath(f"//wms:Layer[wms:Name='{layer.name}']/wms:MetadataURL", namespaces=ns)
    assert len(found) == 1, etree.tostring(root)[:3000]
    assert found[0].get("type") == "ISO19115:2003"
    assert found[0].findtext("wms:Format", namespaces=ns) == "text/xml"
    assert found[0].xpath("string(wms:OnlineResource/@xlink:href)", namespaces=ns) == url

    again = publish_plan(plan_publication(folder, ws, PublishOptions()), client)
    assert list(again.of("featuretype").values()) == [Outcome.UNCHANGED]

    # a folder without a record sends no metadataLinks: the link stays (never wiped)
    bare = plan_publication(outputs["water"], ws, PublishOptions())
    assert all(not lyr.feature_type.metadata_links for lyr in bare.layers)
    assert "metadataLinks" not in bare.layers[0].feature_type.to_payload(for_update=True)["featureType"]
    moved = plan_publication(folder, ws, PublishOptions(metadata_url="https://catalogue.exemple.fr/fiche.xml"))
    publish_plan(moved, client)
    ft = client.get_featuretype(ws, store, layer.name)
    assert ft is not None and [m.content for m in ft.metadata_links] == ["https://catalogue.exemple.fr/fiche.xml"]
    auth = (geoserver.credentials.username, geoserver.credentials.password)
    raw = requests.get(client.endpoints.featuretype(ws, store, layer.name), auth=auth, timeout=30).json()
    assert raw["featureType"]["metadataLinks"]["metadataLink"][0]["metadataType"] == "ISO19115:2003"


@pytest.mark.double_only
def test_postgis_store_feature_types_link_the_record_too(geoserver, pg_cluster, outputs, tmp_path):
    """Tables loaded by `odl-geo publish postgis` from a folder with its record, published from that folder."""
    import secrets
    import shutil

    from odl_geo.publishers.geoserver.plan_postgis import plan_postgis_publication
    from odl_geo.publishers.postgis import PostgisTarget, publish_postgis

    folder = tmp_path / "water"
    shutil.copytree(outputs["water"], folder)
    write_metadata(folder, prepare_record(folder, parse_metadata(METADATA), today=dt.date(2026, 1, 5)))
    schema = "md_" + secrets.token_hex(4)
    target = PostgisTarget(f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/gis", schema=schema,
                           password=pg_cluster.password)  # fmt: skip
    try:
        publish_postgis(folder, PostgisTarget(pg_cluster.dsn(), schema=schema))
        ws = geoserver.workspace("pgmeta")
        plan = plan_postgis_publication(target, ws, PublishOptions(), outdir=folder)
        assert [lyr.feature_type.metadata_links for lyr in plan.layers] == [(MetadataLink(f"{DOWNLOAD}metadata.xml"),)]
        client = geoserver.client()
        publish_plan(plan, client)
        (layer,) = plan.layers
        ft = client.get_featuretype(ws, plan.stores[0].name, layer.name)
        assert ft is not None and [m.content for m in ft.metadata_links] == [f"{DOWNLOAD}metadata.xml"]
    finally:
        with pg_cluster.admin() as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
