"""The page ``odl-geo embed`` writes, with the bundle it copies, served with the CSP it prints, in Chromium:
the contract between the Python side (snippet, attributes, policy, ``odl-geo serve``'s CORS front) and the
components. Map from QGIS Server behind odl-geo's own front, catalogue from the real udata."""

from __future__ import annotations

import pytest

from .conftest import non_background, save_screenshot
from .servers import Site


@pytest.mark.parametrize("territory", ["commune:34172", "departement:34"])
def test_odl_geo_embed_page_works_under_its_own_csp(page, udata, map_servers, tmp_path, territory):
    from odl_geo.embed.build import EmbedOptions, write_embed
    from odl_geo.serve.front import Front as OdlFront

    water = map_servers["water"]
    front = OdlFront(water.base_url).start()
    site = None
    try:
        out = tmp_path / "site"
        result = write_embed(out, EmbedOptions(
            sources=[water.build.path.parent], organization=udata.info["ORG_ID"], territory=territory,
            themes=["water"], server=front.ows_url, server_type="qgis", datagouv=udata.site, assets="copy"))
        assert result.csp, "odl-geo embed gives the policy to set"
        site = Site(out)
        site.csp = result.csp
        page.goto(f"{site.origin}/index.html")
        page.wait_state("odl-map")
        page.wait_state("odl-catalogue", "ready|empty")
        assert non_background(page.screenshot_image("odl-map .odl-map-frame")) > 500
        assert page.locator("odl-map .odl-layer").count() >= 1
        outline = ("() => document.querySelector('odl-map').olMap.getLayers().getArray().at(-1)"
                   ".getSource().getFeatures().length")  # the outline is drawn last, above a background map
        if territory == "commune:34172":
            assert page.locator("odl-catalogue .odl-dataset").count() == 10  # page size 10 of the 11 datasets
            assert page.locator("odl-catalogue .odl-status").text_content() == "11 jeux de données"
            # udata's zones have no geometry: the commune's outline is the one odl-geo ships, written next to
            # the bundle; the map frames it (Montpellier, not the whole Hérault) and no note says it is missing
            assert page.locator("odl-map").get_attribute("outline-src") == "odl-embed/contour-commune-34172.geojson"
            extent = page.evaluate("() => { const m = document.querySelector('odl-map').olMap;"
                                   " return m.getView().calculateExtent(m.getSize()); }")
            width_km = (extent[2] - extent[0]) / 1000 * 0.72  # Web Mercator at 43.6° N
            assert 10 < width_km < 60, extent
            page.wait_for_function("() => [...document.querySelectorAll('odl-map img.odl-legend')]"
                                   ".every(i => i.complete)")
            save_screenshot(page, "odl-map", "embed_commune.png")
        else:  # odl-geo wrote the département's outline next to the bundle (outline-src)
            assert page.locator("odl-map").get_attribute("outline-src")
            assert page.locator("odl-catalogue").get_attribute("data-state") in ("ready", "empty")
        assert page.evaluate(outline) >= 1 and page.locator("odl-map .odl-note").is_hidden()
        page.assert_clean()
    finally:
        if site:
            site.close()
        front.stop()
