"""The page ``odl-geo embed`` writes, with the bundle it copies, served with the CSP it prints, in Chromium:
the contract between the Python side (snippet, attributes, policy, ``odl-geo serve``'s CORS front) and the
components. Map from QGIS Server behind odl-geo's own front, catalogue from the real udata."""

from __future__ import annotations

from .conftest import non_background
from .servers import Site


def test_odl_geo_embed_page_works_under_its_own_csp(page, udata, map_servers, tmp_path):
    from odl_geo.embed.build import EmbedOptions, write_embed
    from odl_geo.serve.front import Front as OdlFront

    water = map_servers["water"]
    front = OdlFront(water.base_url).start()
    site = None
    try:
        out = tmp_path / "site"
        result = write_embed(out, EmbedOptions(
            sources=[water.build.path.parent], organization=udata.info["ORG_ID"], territory="commune:34172",
            themes=["water"], server=front.ows_url, server_type="qgis", datagouv=udata.site, assets="copy"))
        assert result.csp, "odl-geo embed gives the policy to set"
        site = Site(out)
        site.csp = result.csp
        page.goto(f"{site.origin}/index.html")
        page.wait_state("odl-map")
        page.wait_state("odl-catalogue")
        assert non_background(page.screenshot_image("odl-map .odl-map-frame")) > 500
        assert page.locator("odl-map .odl-layer").count() >= 1
        assert page.locator("odl-catalogue .odl-dataset").count() == 10  # page size 10 of the 11 datasets
        assert page.locator("odl-catalogue .odl-status").text_content() == "11 jeu(x) de données"
        page.assert_clean()
    finally:
        if site:
            site.close()
        front.stop()
