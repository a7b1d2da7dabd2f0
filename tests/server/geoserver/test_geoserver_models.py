"""GeoServer models, endpoints, plan and PNG check: plain Python, no server."""

from __future__ import annotations

import struct
import zlib

import pytest

from odl_geo.errors import InputError
from odl_geo.publishers.geoserver import (
    Attribution,
    BoundingBox,
    DataStore,
    Endpoints,
    FeatureType,
    Layer,
    PublishRecord,
    Style,
    Workspace,
    plan_publication,
    safe_name,
)
from odl_geo.publishers.geoserver.verify import png_is_blank


def test_endpoints_never_end_with_a_slash_and_reads_use_json():
    ep = Endpoints("https://carto.example.fr/geoserver/rest/")
    urls = [ep.workspaces(), ep.workspace("w"), ep.datastore("w", "d"), ep.datastore_file("w", "d"),
            ep.featuretypes("w", "d"), ep.featuretype("w", "d", "f"), ep.styles("w"), ep.style("w", "s"),
            ep.layer("w", "l"), ep.ows("w", "wms"), ep.about_version()]  # fmt: skip
    assert not [u for u in urls if u.endswith("/")]
    assert ep.workspace("w") == "https://carto.example.fr/geoserver/rest/workspaces/w.json"
    assert ep.layer("w", "l", read=False) == "https://carto.example.fr/geoserver/rest/layers/w:l"
    assert (
        ep.datastore_file("w", "a b")
        == "https://carto.example.fr/geoserver/rest/workspaces/w/datastores/a%20b/file.gpkg"
    )


@pytest.mark.parametrize(
    ("text", "safe"),
    [("Sentiers été 2024", "Sentiers_ete_2024"), ("2024_zones", "_2024_zones"), ("a.b/c", "a_b_c"), ("", "layer"),
     ("N_ZONE_REG_PPRN_20200002_S_038", "N_ZONE_REG_PPRN_20200002_S_038"), ("Points d'eau", "Points_d_eau")],
)  # fmt: skip
def test_safe_names_are_ncnames(text, safe):
    assert safe_name(text) == safe


def test_payload_shapes_follow_the_contract():
    assert Workspace("w").to_payload() == {"workspace": {"name": "w"}}
    ft = FeatureType("n", "Table é", "Titre é", keywords=("a",), native_bbox=BoundingBox(1, 2, 3, 4, "EPSG:2154"))
    put = ft.to_payload(for_update=True)["featureType"]
    assert "name" not in put and put["title"] == "Titre é" and put["keywords"] == {"string": ["a"]}
    assert put["nativeBoundingBox"] == {"minx": 1, "maxx": 3, "miny": 2, "maxy": 4, "crs": "EPSG:2154"}
    assert FeatureType.from_payload({"featureType": {"name": "n", "keywords": ""}}).keywords == ()
    assert Layer("l", "ws:st", Attribution("Ville")).to_payload() == {
        "layer": {"defaultStyle": {"name": "st", "workspace": "ws"}, "attribution": {"title": "Ville"}}
    }
    assert Layer.from_payload({"layer": {"defaultStyle": {"name": "st", "workspace": "ws"}}}).default_style == "ws:st"
    assert Style("s", version="1.1.0").content_type == "application/vnd.ogc.se+xml; charset=UTF-8"
    assert Style("s<").to_payload() == b"<style><name>s&lt;</name><filename>s&lt;.sld</filename></style>"
    ds = DataStore.from_payload(
        {"dataStore": {"name": "d", "connectionParameters": {"entry": {"@key": "port", "$": 5432}}}}
    )
    assert ds.connection == {"port": "5432"}
    rec = PublishRecord("a" * 64, "0123456789abcdef")
    assert PublishRecord.parse(rec.to_text()) == rec and PublishRecord.parse("hand-made") is None


def test_plan_refuses_unsafe_workspace_and_missing_manifest(tmp_path):
    with pytest.raises(InputError, match="not a valid GeoServer name"):
        plan_publication(tmp_path, "mon espace")
    with pytest.raises(InputError, match=r"has no manifest\.json"):
        plan_publication(tmp_path, "ws")


def _png(width, height, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def test_png_blank_detection():
    blank = _png(2, 2, [[0, 0, 0, 0] * 2] * 2)
    drawn = _png(2, 2, [[0, 0, 0, 0, 255, 0, 0, 255], [0, 0, 0, 0] * 2])
    assert png_is_blank(blank) and not png_is_blank(drawn) and png_is_blank(b"<ServiceExceptionReport/>")


def test_a_cnig_theme_product_plans_only_its_map_layers(tmp_path, shared_data):
    """`convert --theme flood` writes the whole CNIG template: attribute tables (procedure...) and empty tables
    are no WMS/WFS layers, and GeoServer refuses a feature type without geometry."""
    from odl_geo.publishers.geoserver import plan_publication
    from odl_geo.theme import convert_theme

    out = tmp_path / "ppr"
    convert_theme(shared_data / "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", out, "flood")
    plan = plan_publication(out, "ppr")
    names = {layer.name for store in plan.stores for layer in store.layers}
    assert "pprn_38ddt20200002_zonereglementaireurba_s" in names and "pprn_38ddt20200002_perimetre_s" in names
    assert not [n for n in names if n.endswith(("_procedure", "_revise", "_referenceinternet"))]
    assert "pprn_38ddt20200002_enjeu_s" not in names  # empty in this plan: nothing to map
