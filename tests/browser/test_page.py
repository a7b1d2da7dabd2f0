"""Both components on one page: CSP (with positive controls), accessibility (axe-core), several of each at
320 px, the map chunk loaded only when needed, and self-updating after a re-publication."""

from __future__ import annotations

import pytest

from .conftest import MONTPELLIER, NAMES, convert_water, fountain, non_background
from .test_catalogue import catalogue
from .test_map import map_tag, open_popup, outline

INJECT = "() => { document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.__xss=1\">'); }"
AXE_RUN = """() => axe.run(document, {resultTypes: ['violations']})
  .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})))"""


def full_page(site, front, udata, map_servers, name="full.html", **kw) -> str:
    water = map_servers["water"].build.layer_names[0]
    body = (map_tag(site, front, water, **{"outline-src": outline(site)})
            + "<h2>Données ouvertes</h2>" + catalogue(udata, **{"page-size": "3"}))
    return site.page(name, body, **kw)


def test_csp_positive_controls(new_page, site, front, udata, map_servers):
    """The harness sees an attack when one happens, else the 'nothing ran' assertions prove nothing."""
    url = full_page(site, front, udata, map_servers)
    with_csp = new_page()
    with_csp.goto(url)
    with_csp.wait_state("odl-catalogue")
    with_csp.evaluate(INJECT)
    with_csp.wait_for_timeout(300)
    assert with_csp.evaluate("() => typeof window.__xss") == "undefined"  # the CSP blocked the handler
    assert "script-src-attr" in [v["directive"] for v in with_csp.violations()]
    without = new_page()
    without.goto(url.replace(site.origin, f"{site.origin}/nocsp"))
    without.wait_state("odl-catalogue")
    assert without.evaluate("() => window.__csp") == []
    without.evaluate(INJECT)
    without.wait_for_timeout(300)
    assert without.evaluate("() => window.__xss") == 1  # no CSP: it runs


@pytest.mark.parametrize("variant", ["ready", "errors"])
def test_axe_finds_no_serious_or_critical_issue(new_page, site, front, udata, map_servers, variant):
    if variant == "ready":
        url, state = full_page(site, front, udata, map_servers), "ready"
    else:  # the messages shown when the servers fail must be accessible too (contrast, roles)
        url = site.page("axe-errors.html", map_tag(site, front, None, theme="water", server=f"{site.dead_origin}/ows/",
                                                   lang="en")
                        + catalogue(udata, org="commune-inconnue", lang="en"), lang="en")
        state = "error"
    page = new_page(width=360, height=700) if variant == "errors" else new_page()
    page.goto(url)
    page.wait_state("odl-map", state)
    page.wait_state("odl-catalogue", state)
    page.add_script_tag(url="/axe/axe.min.js")  # same origin: allowed by script-src 'self'
    violations = page.evaluate(AXE_RUN)
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], violations
    page.assert_clean(allow_console=("Failed to load resource",) if variant == "errors" else ())


@pytest.mark.parametrize("width", [320, 1000])
def test_two_of_each_on_one_page(new_page, site, front, udata, map_servers, width):
    water = map_servers["water"].build.layer_names[0]
    body = (map_tag(site, front, water, **{"outline-src": outline(site)})
            + map_tag(site, front, None, theme="flood", server=front.url("flood", "ows/"), territory="commune:38052",
                      title="Risques d'inondation", **{"filter-field": None})
            + catalogue(udata, **{"page-size": "2"})
            + catalogue(udata, org=None, territory="commune:38052", lang="en"))
    page = new_page(width=width, height=800)
    page.goto(site.page(f"two-{width}.html", body))
    for i in (1, 2):
        page.wait_state(f"odl-map:nth-of-type({i})")
        page.wait_state(f"odl-catalogue:nth-of-type({i})")
        assert non_background(page.screenshot_image(f"odl-map:nth-of-type({i}) .odl-map-frame")) > 200
    # ids stay unique with two of each (labels, live regions)
    assert page.evaluate("() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);"
                         " return ids.length === new Set(ids).size; }")
    assert len(page.locator("odl-catalogue").nth(0).locator(".odl-dataset").all()) == 2
    assert page.locator("odl-catalogue").nth(1).locator(".odl-dataset h3").all_text_contents() == [
        "Plan de prévention des risques de Bourg-d'Oisans"]
    assert page.locator("odl-catalogue").nth(1).locator(".odl-status").text_content() == "1 dataset"
    # responsive: nothing wider than the screen
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1).slice(0, 8)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""", width)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, wide
    for i in (1, 2):
        box = page.locator(f"odl-map:nth-of-type({i}) .odl-map-frame").bounding_box()
        assert box["width"] <= width
    if width == 320:
        page.screenshot(path=str(site.root / "two-320.png"), full_page=True)
    page.assert_clean(allow_console=("Failed to load resource",))  # the zone API of the local udata: no outline


def test_catalogue_only_page_does_not_load_the_map(page, site, udata):
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    page.goto(site.page("cat-only.html", catalogue(udata)))
    page.wait_state("odl-catalogue")
    scripts = [u for u in loaded if u.endswith(".js")]
    assert any(u.endswith("/static/odl-embed.js") for u in scripts)
    assert not [u for u in scripts if "/map-" in u], scripts  # OpenLayers' chunk stays on the server
    page.assert_clean()


def test_page_shows_updates_after_republication(page, site, front, udata, map_servers, tmp_path):
    """Load, re-publish (one feature changed, one dataset added), reload: both components show the change."""
    from odl_geo.serve import open_server

    name, lon, lat = fountain(0)
    first = map_servers["water"]  # as published at first (its feature 0 keeps the sample's name)
    second = None
    try:
        front.routes["live"] = first.base_url
        org = udata.post("/organizations/", {"name": "Commune mise à jour", "description": "Tests de mise à jour."})
        udata.dataset("Bornes fontaines (première version)", zones=[MONTPELLIER], org=org["id"])
        layer = first.build.layer_names[0]
        body = (map_tag(site, front, layer, server=front.url("live", "ows/"), **{"outline-src": outline(site)})
                + catalogue(udata, org=org["id"]))
        url = site.page("live.html", body)

        def popup_name() -> str:
            page.wait_state("odl-map")
            page.wait_state("odl-catalogue")
            popup = open_popup(page, lon, lat)
            pairs = dict(zip(popup.locator("dt").all_text_contents(), popup.locator("dd").all_text_contents(),
                             strict=True))
            return pairs["Nom"]

        page.goto(url)
        assert popup_name() == name
        assert page.locator("odl-catalogue .odl-dataset h3").all_text_contents() == [
            "Bornes fontaines (première version)"]

        # the SIG administrator re-publishes: one fountain renamed, served again (same address for the page);
        # one more dataset on data.gouv.fr
        renamed = {**NAMES, 0: "Fontaine renommée par la mairie"}
        second = open_server(convert_water(tmp_path / "v2", renamed)).start()
        front.routes["live"] = second.base_url
        udata.dataset("Bornes fontaines (mise à jour)", zones=[MONTPELLIER], org=org["id"])

        page.reload()
        assert popup_name() == "Fontaine renommée par la mairie"
        assert page.locator("odl-catalogue .odl-dataset h3").all_text_contents() == [
            "Bornes fontaines (mise à jour)", "Bornes fontaines (première version)"]  # newest first
        page.assert_clean()
    finally:
        front.routes.pop("live", None)
        if second:
            second.stop()
