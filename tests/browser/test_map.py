"""<odl-map> in Debian's Chromium against a real QGIS Server (odl-geo outputs of the bundled samples)."""

from __future__ import annotations

import json
import math

import pytest

from .conftest import PAYLOAD_ROW, XSS_IMG, XSS_SCRIPT, fountain, lonlat_to_3857, non_background, save_screenshot
from .servers import Tiles

LICENCE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence"


def water_layer(map_servers) -> str:
    return map_servers["water"].build.layer_names[0]


def outline(site) -> str:
    """A GeoJSON outline around the fountains (served by the site itself, like a commune could)."""
    ring = [[3.80, 43.56], [3.95, 43.56], [3.95, 43.66], [3.80, 43.66], [3.80, 43.56]]
    geometry = {"type": "Polygon", "coordinates": [ring]}
    feature = {"type": "Feature", "properties": {"nom": "Montpellier"}, "geometry": geometry}
    return site.file("montpellier.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]}))


def map_tag(site, front, layers: str | None, **attrs: str | None) -> str:
    base = {"server": front.url("water", "ows/"), "layers": layers, "territory": "commune:34172",
            "datagouv": site.datagouv, "filter-field": "insee", "title": "Bornes fontaines",
            "attribution": "Ville de Montpellier", "licence": LICENCE, "height": "360px"}
    base.update(attrs)
    html_attrs = " ".join(f'{k}="{v}"' for k, v in base.items() if v is not None)
    return f"<odl-map {html_attrs}></odl-map>"


def center_on(page, selector: str, lon: float, lat: float) -> None:
    x, y = lonlat_to_3857(lon, lat)
    js = "([s, x, y]) => { const v = document.querySelector(s).olMap.getView(); v.setCenter([x, y]); v.setZoom(17); }"
    page.evaluate(js, [selector, x, y])


def open_popup(page, lon: float, lat: float):
    """Centre the map on (lon, lat) and press Enter on it (the keyboard way to feature info): the visible popup."""
    center_on(page, "odl-map", lon, lat)
    page.wait_state("odl-map")
    page.locator("odl-map .odl-map-target").focus()
    page.keyboard.press("Enter")
    popup = page.locator("odl-map .odl-popup")
    popup.wait_for(state="visible")
    return popup


@pytest.fixture
def water_page(site, front, map_servers):
    return site.page("map.html", map_tag(site, front, water_layer(map_servers), **{"outline-src": outline(site)}))


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
    # intranet first: no background map unless the page asks for one (WMS image + outline only)
    assert page.evaluate("() => document.querySelector('odl-map').olMap.getLayers().getLength()") == 2
    assert page.locator("odl-map .ol-scale-line").count() == 1
    assert page.locator("odl-map .odl-note").is_hidden()  # the outline came from outline-src
    save_screenshot(page, "odl-map", "embed_map.png")
    events = page.evaluate("() => window.__events")
    assert events == [{"type": "odl-map-ready", "detail": {"layers": [water_layer_name(page)]}}]
    page.assert_clean()


def water_layer_name(page) -> str:
    return page.locator("odl-map").get_attribute("layers")


def test_feature_info_popup_shows_french_labels(page, water_page):
    page.goto(water_page)
    page.wait_state("odl-map")
    name, lon, lat = fountain(0)
    popup = open_popup(page, lon, lat)
    pairs = dict(zip(popup.locator("dt").all_text_contents(), popup.locator("dd").all_text_contents(), strict=True))
    assert pairs["Nom"] == name
    assert pairs["Code INSEE"] == "34172"
    save_screenshot(page, "odl-map", "embed_map_popup.png")
    page.keyboard.press("Escape")
    assert popup.is_hidden()
    page.assert_clean()


def test_feature_attribute_payloads_stay_text(page, water_page):
    page.goto(water_page)
    page.wait_state("odl-map")
    _, lon, lat = fountain(PAYLOAD_ROW)
    popup = open_popup(page, lon, lat)
    assert XSS_IMG + XSS_SCRIPT in popup.locator("dd").all_text_contents()
    assert popup.locator("img, script").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    page.assert_clean()


FAILED_LOAD = ("Failed to load resource",)  # Chromium logs failed loads itself: expected in error tests


def test_theme_chooses_layers_from_capabilities_keywords(page, site, front, map_servers):
    no_filter = {"filter-field": None}
    body = map_tag(site, front, None, theme="water", **no_filter) + map_tag(
        site, front, None, theme="flood", server=front.url("flood", "ows/"), territory="commune:38052", **no_filter)
    page.goto(site.page("themes.html", body))
    page.wait_state("odl-map:nth-of-type(1)")
    page.wait_state("odl-map:nth-of-type(2)")
    water = page.locator("odl-map").nth(0).locator(".odl-layer label").all_text_contents()
    flood = page.locator("odl-map").nth(1).locator(".odl-layer label").all_text_contents()
    assert len(water) == 1
    assert len(flood) == len(map_servers["flood"].build.layer_names) > 1
    for i in range(2):
        assert non_background(page.screenshot_image(f"odl-map:nth-of-type({i + 1}) .odl-map-frame")) > 500
    # the communes' outline comes from data.gouv.fr's zone API by default: here none answers -> a visible note
    assert page.locator("odl-map .odl-note").first.text_content().startswith("Contour du territoire indisponible")
    page.assert_clean(allow_console=FAILED_LOAD)


def test_layer_switcher_changes_the_wms_request(page, site, front, map_servers):
    names = map_servers["flood"].build.layer_names
    perimeter = next(n for n in names if n.endswith("_perimetre_s"))
    zones = next(n for n in names if n.endswith("_zonereglementaireurba_s"))
    page.goto(site.page("switch.html", map_tag(site, front, f"{perimeter},{zones}", server=front.url("flood", "ows/"),
                                               territory="commune:38052", **{"filter-field": None})))
    page.wait_state("odl-map")
    assert front.requests("flood", "GetMap")[-1]["LAYERS"] == f"{perimeter},{zones}"
    boxes = page.locator("odl-map .odl-layer input[type=checkbox]")
    assert boxes.count() == 2
    # the flood tables are listed by their meaning, not their CNIG code
    assert page.locator("odl-map .odl-layer label").all_text_contents() == ["Périmètre du PPR", "Zonage réglementaire"]
    page.get_by_label("Zonage réglementaire", exact=True).uncheck()
    deadline = 50
    while front.requests("flood", "GetMap")[-1]["LAYERS"] != perimeter and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert front.requests("flood", "GetMap")[-1]["LAYERS"] == perimeter
    page.get_by_label("Périmètre du PPR", exact=True).uncheck()
    page.wait_for_timeout(500)
    assert non_background(page.screenshot_image("odl-map .odl-map-frame"), tol=40) < 3000  # only controls left
    page.assert_clean(allow_console=FAILED_LOAD)


def test_keyboard_pan_zoom_query_and_announcements(page, site, front, map_servers, water_page):
    page.goto(water_page)
    page.wait_state("odl-map")
    page.keyboard.press("Tab")  # the map is the first focusable element of the page
    for _ in range(5):
        if page.evaluate("() => document.activeElement.classList.contains('odl-map-target')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('odl-map-target')")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus
    view = "() => { const v = document.querySelector('odl-map').olMap.getView(); return [v.getCenter(), v.getZoom()]; }"
    (x0, y0), z0 = page.evaluate(view)
    live = page.locator("odl-map [aria-live=polite]")
    page.keyboard.press("ArrowRight")
    (x1, y1), z1 = page.evaluate(view)
    assert x1 > x0 and y1 == y0 and z1 == z0
    page.wait_for_function("() => document.querySelector('odl-map [aria-live=polite]').textContent !== ''")
    assert live.text_content() == "Carte déplacée vers l'est."
    page.keyboard.press("ArrowUp")
    assert page.evaluate(view)[0][1] > y0
    page.keyboard.press("+")
    assert page.evaluate(view)[1] == round(z0) + 1
    page.wait_for_function("() => document.querySelector('odl-map [aria-live=polite]').textContent.startsWith('Zoom')")
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert page.evaluate(view)[1] == round(z0) - 1
    page.keyboard.press("Enter")  # queries the centre: a popup, even when nothing is there
    popup = page.locator("odl-map .odl-popup")
    popup.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert popup.is_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('odl-map-target')")
    assert page.locator("odl-map .odl-map-target").get_attribute("aria-label") == "Carte interactive : Bornes fontaines"
    page.assert_clean()


def test_feature_info_event_and_english(page, site, front, map_servers):
    name, lon, lat = fountain(0)
    page.goto(site.page("en.html", map_tag(site, front, map_servers["water"].build.layer_names[0], lang="en",
                                           **{"outline-src": outline(site)}), lang="en"))
    page.wait_state("odl-map")
    center_on(page, "odl-map", lon, lat)
    page.wait_state("odl-map")
    detail = page.evaluate("""() => new Promise(resolve => {
        const el = document.querySelector('odl-map');
        el.addEventListener('odl-feature-info', e => resolve(e.detail), {once: true});
        el.querySelector('.odl-map-target').focus();
        el.querySelector('.odl-map-target').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', bubbles: true}));
    })""")
    assert [f["properties"]["nom"] for f in detail["features"]] == [name]
    popup = page.locator("odl-map .odl-popup")
    pairs = dict(zip(popup.locator("dt").all_text_contents(), popup.locator("dd").all_text_contents(), strict=True))
    assert pairs["Name"] == name and pairs["INSEE code"] == "34172"
    assert page.locator("odl-map .odl-layers legend").text_content() == "Layers"
    page.assert_clean()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_map_error_states(new_page, site, front, map_servers, lang):
    layer = map_servers["water"].build.layer_names[0]
    cases = {
        "network": (map_tag(site, front, None, theme="water", server=f"{site.dead_origin}/ows/", lang=lang), "error",
                    {"fr": "ne répond pas (erreur réseau)", "en": "does not answer (network error)"}),
        "timeout": (map_tag(site, front, None, theme="water", server=front.url("water", "ows/", delay_ms=3000),
                            timeout="600", lang=lang), "error",
                    {"fr": "met trop de temps à répondre", "en": "takes too long to answer"}),
        "no-layer": (map_tag(site, front, None, theme="hiking", lang=lang), "empty",
                     {"fr": "Aucune couche du thème « hiking »", "en": "No layer of the theme “hiking”"}),
        "image": (map_tag(site, front, layer, server=f"{site.dead_origin}/ows/", lang=lang), "error",
                  {"fr": "n'a pas pu dessiner la carte", "en": "could not draw the map"}),
    }
    for name, (body, state, message) in cases.items():
        page = new_page()
        page.goto(site.page(f"map-err-{name}-{lang}.html", body))
        page.wait_state("odl-map", state)
        error = page.locator("odl-map .odl-error")
        assert error.is_visible(), name
        assert message[lang] in error.text_content(), (name, error.text_content())
        # OpenLayers logs the undecodable image itself (console.error) when the server does not answer
        page.assert_clean(allow_console=(*FAILED_LOAD, "EncodingError: The source image cannot be decoded"))


def test_geoserver_filter_and_unsafe_licence(page, site, front, map_servers):
    """server-type=geoserver sends one CQL_FILTER per layer; a licence that is no http(s) URL stays text."""
    layer = map_servers["water"].build.layer_names[0]
    before = len(front.requests("water", "GetMap"))
    page.goto(site.page("gs.html", map_tag(site, front, layer, **{"server-type": "geoserver",
                                                                  "licence": "javascript:window.__xss=1",
                                                                  "outline-src": outline(site)})))
    page.wait_state("odl-map")
    query = front.requests("water", "GetMap")[before:][-1]
    assert query["CQL_FILTER"] == "insee='34172'" and "FILTER" not in query
    licence = page.locator("odl-map .odl-licence")
    assert licence.text_content() == "Licence : javascript:window.__xss=1" and licence.locator("a").count() == 0
    page.assert_clean()


def test_mouse_click_queries_the_feature_under_the_pointer(page, water_page):
    name, lon, lat = fountain(0)
    page.goto(water_page)
    page.wait_state("odl-map")
    center_on(page, "odl-map", lon + 0.002, lat + 0.001)  # the fountain is off-centre
    page.wait_state("odl-map")
    x, y = lonlat_to_3857(lon, lat)
    # the pixel from a frame rendered at the new centre: getPixelFromCoordinate reads the last rendered frame, and
    # the map may not have drawn since center_on (the click then missed the fountain, 3 runs in 13)
    js = (
        "([x, y]) => { const m = document.querySelector('odl-map').olMap; m.renderSync();"
        " return m.getPixelFromCoordinate([x, y]); }"
    )
    px, py = page.evaluate(js, [x, y])
    page.locator("odl-map .odl-map-target").click(position={"x": px, "y": py})
    popup = page.locator("odl-map .odl-popup")
    popup.wait_for(state="visible")
    pairs = dict(zip(popup.locator("dt").all_text_contents(), popup.locator("dd").all_text_contents(), strict=True))
    assert pairs["Nom"] == name
    popup.get_by_role("button", name="Fermer").click()
    assert popup.is_hidden()
    page.assert_clean()


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
    return int((lon + 180) / 360 * n), int(y)


def test_optional_basemap_from_an_xyz_tile_server(page, site, front, map_servers):
    """``basemap`` (an XYZ template, as IGN's WMTS in Web Mercator is used) under the CSP plus the tiles' origin."""
    tiles = Tiles()
    csp = site.csp
    try:
        site.csp = csp.replace("img-src 'self' data:", f"img-src 'self' data: {tiles.origin}")
        page.goto(site.page("basemap.html", map_tag(site, front, water_layer(map_servers), **{
            "outline-src": outline(site), "basemap": f"{tiles.origin}/{{z}}/{{x}}/{{y}}.png",
            "basemap-attribution": "© Tuiles de test"})))  # fmt: skip
        page.wait_state("odl-map")
        assert tiles.log, "no tile asked"
        z = max(t[0] for t in tiles.log)
        assert 9 <= z <= 16 and (z, *_tile_of(3.8797, 43.6086, z)) in tiles.log  # Place de la Comédie's tile
        img = page.screenshot_image("odl-map .odl-map-frame")
        tile_pixels = sum(n for n, c in img.getcolors(1 << 24) if max(abs(a - b) for a, b in zip(c, tiles.colour,
                                                                                               strict=True)) <= 3)
        assert tile_pixels > 20000, "the background map is not drawn"
        assert non_background(img) > 500
        assert page.locator("odl-map .odl-basemap-credit").text_content() == "Fond de plan : © Tuiles de test"
        assert page.locator("odl-map .odl-note").is_hidden()
        page.assert_clean()
    finally:
        site.csp = csp
        tiles.close()
