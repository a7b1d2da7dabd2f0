"""A theme output (``odl-geo convert --theme``) published without --style gets the theme's styles."""

from __future__ import annotations

import json

import pytest

from odl_geo.cli.main import main
from odl_geo.publishers.geoserver import PublishOptions, plan_publication
from odl_geo.theme import convert_theme

from .conftest import REPO

pytestmark = pytest.mark.server


def test_theme_output_gets_the_theme_styles_by_default(geoserver, shared_data, tmp_path, monkeypatch, capsys):
    out = tmp_path / "hiking"
    convert_theme(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", out, "hiking",
                  formats=("gpkg",))  # fmt: skip
    ws = geoserver.workspace("theme")
    monkeypatch.setenv("ODL_GEOSERVER_USER", geoserver.credentials.username)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", geoserver.credentials.password)
    assert main(["publish", "geoserver", str(out), "--url", geoserver.url, "--workspace", ws, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [(r["name"], r["outcome"]) for r in result["resources"] if r["kind"] == "style"] == [
        ("itineraire_randonnee", "created")
    ]
    assert all(c["ok"] for c in result["checks"]), result["checks"]
    client = geoserver.client()
    for check in result["checks"]:
        assert client.get_layer(ws, check["layer"]).default_style == f"{ws}:itineraire_randonnee"
    style = client.get_style(ws, "itineraire_randonnee")
    assert style.version == "1.0.0"  # styles/hiking/itineraire_randonnee.sld (SLD 1.0 preferred over .se.sld)
    assert (REPO / "styles" / "hiking" / "itineraire_randonnee.sld").is_file()
    # the library can leave GeoServer's default styles (theme_styles=False)
    assert all(lyr.style is None for lyr in plan_publication(out, ws, PublishOptions(theme_styles=False)).layers)


def test_a_cnig_ppr_with_the_flood_styles_passes_the_ogc_check(geoserver, shared_data, tmp_path, monkeypatch, capsys):
    """The CNIG flood styles classify on text codes ("01"...): every published layer draws (GeoServer compares them
    as text; the double emulates it, see geoserver_double/ogc.py)."""
    out = tmp_path / "flood"
    convert_theme(shared_data / "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", out, "flood")
    ws = geoserver.workspace("ppr")
    monkeypatch.setenv("ODL_GEOSERVER_USER", geoserver.credentials.username)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", geoserver.credentials.password)
    assert main(["publish", "geoserver", str(out), "--url", geoserver.url, "--workspace", ws, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    styled = {r["name"] for r in result["resources"] if r["kind"] == "style"}
    assert {"zonealeareference_s", "zonereglementaireurba_s", "perimetre_s"} <= styled
    assert len(result["checks"]) >= 3 and all(c["ok"] for c in result["checks"]), result["checks"]
