"""A theme output published to GeoServer is found by ``<odl-map server-type="geoserver" theme="water">``: its feature
types carry the WMS keyword ``odl-geo:theme=water``, listed in the workspace's WMS capabilities, and ``odl-geo
embed`` reading the job names that workspace's WMS (issue #11)."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from odl_geo.cli.main import main
from odl_geo.embed import EmbedOptions, build_snippet
from odl_geo.publishers.geoserver import plan_publication, publish_plan

from .conftest import REPO

pytestmark = pytest.mark.server
WMS = "{http://www.opengis.net/wms}"


def test_theme_layers_are_found_by_their_keyword_in_the_workspace_wms(geoserver, tmp_path):
    out = tmp_path / "water"
    assert main(["convert", str(REPO / "examples/water/VilleMTP_MTP_Fontaines.csv"), "--theme", "water",
                 "--mapping", str(REPO / "examples/water/fontaines.toml"), "--area", "34", "--to", "gpkg",
                 "--out", str(out), "-q"]) == 0  # fmt: skip
    ws = geoserver.workspace("eau")
    plan = plan_publication(out, ws)
    publish_plan(plan, geoserver.client())
    (layer,) = plan.layers
    ft = geoserver.client().get_featuretype(ws, plan.stores[0].name, layer.name)
    assert ft is not None and "odl-geo:theme=water" in ft.keywords

    wms = f"{geoserver.url}/{ws}/wms"
    resp = requests.get(wms, params={"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"}, timeout=60)
    assert resp.status_code == 200
    root = etree.fromstring(resp.content)
    themed = [lyr.findtext(f"{WMS}Name") for lyr in root.iter(f"{WMS}Layer")
              if "odl-geo:theme=water" in [k.text for k in lyr.iterfind(f"{WMS}KeywordList/{WMS}Keyword")]]  # fmt: skip
    assert [n.split(":")[-1] for n in themed] == [layer.name]

    job = tmp_path / "job.toml"
    job.write_text(
        f'[job]\nname = "Montpellier"\nout = "{tmp_path}"\n\n[[dataset]]\nname = "water"\n'
        f'[dataset.geoserver]\nurl = "{geoserver.url}"\nworkspace = "{ws}"\n',
        encoding="utf-8",
    )
    result = build_snippet(EmbedOptions(sources=[job], territory="commune:34172", catalogue=False))
    assert result.snippet.map is not None
    assert (result.snippet.map.server, result.snippet.map.server_type) == (wms, "geoserver")
    assert result.snippet.map.themes == ["water"] and result.snippet.map.filter_field == "insee"
