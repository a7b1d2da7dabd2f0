"""<odl-map> in Debian's Chromium against a real QGIS Server (odl-geo outputs of the bundled samples)."""

from __future__ import annotations

import json

import pytest

from .conftest import PAYLOAD_ROW, XSS_IMG, XSS_SCRIPT, fountain, lonlat_to_3857, non_background, save_screenshot

LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


def water_layer(map_servers) -> str:
    return map_servers["water"].build.layer_names[0]


def outline(site) -> str:
    """A GeoJSON outline around the fountains (served by the site itself, like a commune could)."""
    ring = [[3.80, 43.56], [3.95, 43.56], [3.95, 43.66], [3.80, 43.66], [3.80, 43.56]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    feature = {"type": "Feature", "properties": {"nom": "Montpellier"}, "geometry": geometry}
    return site.file("montpellier.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]}))


def map_tag(front, layers: str, **attrs: str) -> str:
    base = {"server": front.url("water", "ows/"), "layers": layers, "territory": "commune:34172",
            "filter-field": "insee", "title": "Bornes fontaines", "attribution": "Ville de Montpellier",
            "licence": LICENCE, "height": "360px"}
    base.update(attrs)
    html_attrs = " ".join(f'{k}="{v}"' for k, v in base.items() if v is not None)
    return f"<odl-map {html_attrs}></odl-map>"


def center_on(page, selector: str, lon: float, lat: float) -> None:
    x, y = lonlat_to_3857(lon, lat)
    js = "([s, x, y]) => { const v = document.querySelector(s).olMap.getView(); v.setCenter([x, y]); v.setZoom(17); }"
    page.evaluate(js, [selector, x, y])


@pytest.fixture
def water_page(site, front, map_servers):
    return site.page("map.html", map_tag(front, water_layer(map_servers), **{"outline-src": outline(site)}))


def test_map_renders_qgis_server_layer_with_legend_and_credits(page, water_page, front):
    before = len(front.requests("water", "GetMap"))
    page.goto(water_page)
    page.wait_state("odl-map")
    img = page.screenshot_image("odl-map .odl-map-frame")
    assert non_background(img) > 500, "the map shows no drawn pixel"
    # the map image came from the map server, filtered server-side on the commune
    getmaps = front.requests("water", "GetMap")[before:]
    assert getmaps and getmaps[-1]["FILTER"] == f'{water_layer_name(page)}:"insee" = \'34172\''
    legend = page.locator("odl-map img.odl-legend")
    assert legend.count() == 1
    page.wait_for_function("() => document.querySelector('odl-map img.odl-legend').naturalWidth > 0")
    assert legend.get_attribute("alt").startswith("Légende : ")
    assert page.locator("odl-map .odl-attribution").text_content() == "Source : Ville de Montpellier"
    assert page.locator("odl-map .odl-licence a").get_attribute("href") == LICENCE
    assert page.locator("odl-map .ol-scale-line").count() == 1
    assert page.locator("odl-map .odl-note").is_hidden()  # the outline came from outline-src
    save_screenshot(page, "odl-map", "embed_map.png")
    page.assert_clean()


def water_layer_name(page) -> str:
    return page.locator("odl-map").get_attribute("layers")


def test_feature_info_popup_shows_french_labels(page, water_page):
    page.goto(water_page)
    page.wait_state("odl-map")
    name, lon, lat = fountain(0)
    center_on(page, "odl-map", lon, lat)
    page.wait_state("odl-map")
    page.locator("odl-map .odl-map-target").focus()
    page.keyboard.press("Enter")
    popup = page.locator("odl-map .odl-popup")
    popup.wait_for(state="visible")
    pairs = dict(zip(popup.locator("dt").all_text_contents(), popup.locator("dd").all_text_contents(), strict=True))
    assert pairs["Nom"] == name
    assert pairs["Code INSEE"] == "34172"
    page.keyboard.press("Escape")
    assert popup.is_hidden()
    page.assert_clean()


def test_feature_attribute_payloads_stay_text(page, water_page):
    page.goto(water_page)
    page.wait_state("odl-map")
    _, lon, lat = fountain(PAYLOAD_ROW)
    center_on(page, "odl-map", lon, lat)
    page.wait_state("odl-map")
    page.locator("odl-map .odl-map-target").focus()
    page.keyboard.press("Enter")
    popup = page.locator("odl-map .odl-popup")
    popup.wait_for(state="visible")
    assert XSS_IMG + XSS_SCRIPT in popup.locator("dd").all_text_contents()
    assert popup.locator("img, script").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    page.assert_clean()
