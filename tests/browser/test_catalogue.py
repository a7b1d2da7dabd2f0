"""<odl-catalogue> in Debian's Chromium against the real udata, under the strict CSP."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import (
    CATALOGUE_TITLES,
    PAYLOAD_TITLE,
    WATER_TITLE,
    XSS_IMG,
    save_screenshot,
)

FAILED_LOAD = ("Failed to load resource",)  # Chromium logs failed fetches itself: expected in error tests
MONTPELLIER_ORG = [*CATALOGUE_TITLES, WATER_TITLE, PAYLOAD_TITLE]


def catalogue(udata, *, org: str | None = "", territory: str | None = "commune:34172", **attrs: str) -> str:
    values = {"datagouv": udata.site, "organization": udata.info["ORG_ID"] if org == "" else org,
              "territory": territory, **attrs}
    html_attrs = " ".join(f'{k}="{v}"' for k, v in values.items() if v is not None)
    return (f"<odl-catalogue {html_attrs}><a class='fallback' href='{udata.site}/organizations/x/'>"
            "Nos données sur data.gouv.fr</a></odl-catalogue>")


def titles(page, selector: str = "odl-catalogue") -> list[str]:
    return page.locator(f"{selector} .odl-dataset h3").all_text_contents()


def all_pages(page) -> list[str]:
    seen = titles(page)
    while page.locator("odl-catalogue .odl-next").is_enabled():
        current = page.locator("odl-catalogue .odl-page").text_content()
        page.locator("odl-catalogue .odl-next").click()
        page.wait_for_function("t => document.querySelector('odl-catalogue .odl-page').textContent !== t", arg=current)
        page.wait_state("odl-catalogue")
        seen += titles(page)
    return seen


def test_lists_exactly_the_organisation_datasets_of_the_commune_with_paging(page, site, udata):
    page.goto(site.page("cat.html", catalogue(udata, **{"page-size": "5"})))
    page.wait_state("odl-catalogue")
    assert page.locator("odl-catalogue .odl-page").text_content() == "Page 1 sur 3"
    assert page.locator("odl-catalogue .odl-prev").is_disabled()
    assert page.locator("odl-catalogue .odl-status").text_content() == "11 jeux de données"
    listed = all_pages(page)
    assert sorted(listed) == sorted(MONTPELLIER_ORG)  # not Bourg-d'Oisans', not the other organisation's
    assert page.locator("odl-catalogue .odl-page").text_content() == "Page 3 sur 3"
    # the Next button is disabled on the last page: focus went to the result count, not lost to the page
    assert page.evaluate("() => document.activeElement.classList.contains('odl-status')")
    assert page.locator("odl-catalogue .odl-fallback").is_hidden()
    page.assert_clean()


def test_organisation_by_slug_and_territory_alone(page, site, udata):
    slug = udata.info["ORG_SLUG"]
    body = (catalogue(udata, org=slug, territory=None, **{"page-size": "50"})
            + catalogue(udata, org=None, territory="commune:34172", **{"page-size": "50"}))
    page.goto(site.page("two-cat.html", body))
    page.wait_state("odl-catalogue:nth-of-type(1)")
    page.wait_state("odl-catalogue:nth-of-type(2)")
    by_org = page.locator("odl-catalogue").nth(0).locator(".odl-dataset h3").all_text_contents()
    by_zone = page.locator("odl-catalogue").nth(1).locator(".odl-dataset h3").all_text_contents()
    assert sorted(by_org) == sorted([*MONTPELLIER_ORG, "Plan de prévention des risques de Bourg-d'Oisans"])
    assert sorted(by_zone) == sorted([*MONTPELLIER_ORG, "Jeu d'une autre collectivité à Montpellier"])
    page.assert_clean()


def test_dataset_entry_details_and_search(page, site, udata):
    page.goto(site.page("cat.html", catalogue(udata)))
    page.wait_state("odl-catalogue")
    page.get_by_label("Rechercher dans les jeux de données").fill("fontaines")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_function("() => document.querySelectorAll('odl-catalogue .odl-dataset').length === 1")
    page.wait_state("odl-catalogue")
    assert titles(page) == [WATER_TITLE]
    assert page.locator("odl-catalogue .odl-status").text_content() == "1 jeu de données pour « fontaines »"
    item = page.locator("odl-catalogue .odl-dataset")
    excerpt = item.locator(".odl-excerpt").text_content()
    # Markdown reduced to text: no heading, no table (and its pipes), list items apart, underscores of names kept
    assert excerpt == "Les bornes fontaines de la ville, publiées par odl-geo. points d'eau potable · champ id_local"
    meta = item.locator(".odl-meta li").all_text_contents()
    assert re.fullmatch(r"Mis à jour le \d{1,2} \w+ 20\d\d", meta[0])
    assert meta[1] in ("Formats : geojson, csv", "Formats : csv, geojson")  # udata's order of the resources
    assert meta[2:] == ["Licence : Licence Ouverte v2.0"]
    assert item.locator(".odl-badge").all_text_contents() == ["Schéma : etalab/schema-point-eau"]
    link = item.locator("h3 a")
    assert link.get_attribute("href").startswith(udata.site) and "/datasets/" in link.get_attribute("href")
    hrefs = item.locator(".odl-resources a").evaluate_all("els => els.map(a => a.href)")
    assert sorted(hrefs) == ["https://example.org/bornes.csv", "https://example.org/bornes.geojson"]
    # nothing found
    page.get_by_label("Rechercher dans les jeux de données").fill("introuvable")
    page.keyboard.press("Enter")
    page.wait_state("odl-catalogue", "empty")
    status = page.locator("odl-catalogue .odl-status").text_content()
    assert status == "Aucun jeu de données ne correspond à « introuvable »."
    clear_search(page)
    assert len(titles(page)) == 10
    page.assert_clean()


def clear_search(page) -> None:
    page.get_by_label("Rechercher dans les jeux de données").fill("")
    page.keyboard.press("Enter")
    page.wait_state("odl-catalogue")


def test_english(page, site, udata):
    page.goto(site.page("cat-en.html", catalogue(udata, lang="en", **{"page-size": "5"}), lang="en"))
    page.wait_state("odl-catalogue")
    assert page.get_by_label("Search the datasets").count() == 1
    assert page.locator("odl-catalogue .odl-status").text_content() == "11 datasets"
    assert page.locator("odl-catalogue .odl-page").text_content() == "Page 1 of 3"
    meta = page.locator("odl-catalogue .odl-meta li").first.text_content()
    assert re.fullmatch(r"Updated on \d{1,2} [A-Z][a-z]+ 20\d\d", meta)
    page.assert_clean()


def test_injected_payloads_stay_text(page, site, udata):
    page.goto(site.page("cat.html", catalogue(udata, **{"page-size": "50"})))
    page.wait_state("odl-catalogue")
    assert PAYLOAD_TITLE in titles(page)
    item = page.locator("odl-catalogue .odl-dataset", has_text="Jeu piégé")
    assert item.locator("h3").text_content() == PAYLOAD_TITLE
    resources = item.locator(".odl-resources li").all_text_contents()
    assert any(r.startswith(XSS_IMG + " ressource") for r in resources), resources
    assert page.locator("odl-catalogue img, odl-catalogue script").count() == 0
    # the description's Markdown became text: its javascript: link is only its label, never a link
    assert item.locator(".odl-excerpt a").count() == 0 and "lien" in item.locator(".odl-excerpt").text_content()
    assert item.locator(".odl-resources .odl-nolink").all_text_contents() == ["archive ftp"]
    protocols = page.locator("odl-catalogue a").evaluate_all("els => els.map(a => new URL(a.href).protocol)")
    assert set(protocols) <= {"http:", "https:"}
    page.wait_for_timeout(300)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    page.assert_clean()


def test_save_catalogue_screenshot(page, site, udata):
    page.goto(site.page("cat-shot.html", catalogue(udata, tag="eau"), title="Nos données ouvertes"))
    page.wait_state("odl-catalogue")
    page.locator("odl-catalogue details").first.evaluate("d => d.open = true")
    save_screenshot(page, "odl-catalogue", "embed_catalogue.png")
    assert titles(page) == [WATER_TITLE]
    page.assert_clean()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_error_states_are_visible_and_translated(new_page, site, udata, front, lang):
    front.routes["udata"] = udata.site
    cases = {
        "network": (catalogue(udata, datagouv=site.dead_origin, lang=lang), "error",
                    {"fr": "ne répond pas (erreur réseau)", "en": "does not answer (network error)"}),
        "notfound": (catalogue(udata, org="commune-inconnue", lang=lang), "error",
                     {"fr": "L'organisation « commune-inconnue » est introuvable",
                      "en": "“commune-inconnue” was not found"}),
        "empty": (catalogue(udata, territory="commune:31555", lang=lang), "empty",
                  {"fr": "Aucun jeu de données publié", "en": "No dataset published"}),
        "timeout": (catalogue(udata, datagouv=front.url("udata", delay_ms=3000).rstrip("/"), timeout="600", lang=lang),
                    "error", {"fr": "met trop de temps à répondre", "en": "takes too long to answer"}),
    }
    for name, (body, state, message) in cases.items():
        page = new_page()
        page.goto(site.page(f"err-{name}-{lang}.html", body))
        page.wait_state("odl-catalogue", state)
        text = page.locator("odl-catalogue .odl-status").text_content()
        assert message[lang] in text, (name, text)
        assert page.locator("odl-catalogue .odl-status").is_visible()
        fallback = page.locator("odl-catalogue a.fallback")
        assert fallback.is_visible() == (state == "error"), name  # the link to the organisation's page is offered
        page.assert_clean(allow_console=FAILED_LOAD)


def test_loaded_event_detail(page, site, udata):
    page.goto(site.page("cat.html", catalogue(udata, **{"page-size": "5"})))
    count = page.evaluate("""() => new Promise(resolve => {
        const el = document.querySelector('odl-catalogue');
        if (el.dataset.state === 'ready') { el.setAttribute('page-size', '4'); }
        el.addEventListener('odl-catalogue-loaded', e => resolve(e.detail.count), {once: true});
    })""")
    assert count == 11


def test_forged_answer_with_script_urls_stays_text(page, site, udata):
    """udata refuses javascript:/data: URLs, so a forged answer (a compromised or look-alike API, recorded in
    the site's folder) carries them: they must never become links."""
    forged = {"data": [{
        "id": "f1", "title": "Jeu falsifié", "page": "javascript:window.__xss=4", "description": "texte",
        "last_update": "2026-01-02T03:04:05+00:00", "license": "lov2",
        "resources": [{"title": "r1", "url": "javascript:window.__xss=5", "format": "csv"},
                      {"title": "r2", "url": "data:text/html,<script>window.__xss=6</script>", "format": "html"},
                      {"title": "r3", "url": " JaVaScRiPt:window.__xss=7", "format": "csv"}],
    }], "page": 1, "page_size": 10, "total": 1}
    folder = site.root / "recorded" / "api" / "1" / "datasets"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(json.dumps(forged), encoding="utf-8")
    page.goto(site.page("forged.html", catalogue(udata, datagouv=f"{site.origin}/recorded")))
    page.wait_state("odl-catalogue")
    assert page.locator("odl-catalogue .odl-catalogue a").count() == 0  # (the fallback link is the page's own)
    assert page.locator("odl-catalogue .odl-nolink").all_text_contents() == ["Jeu falsifié", "r1", "r2", "r3"]
    page.locator("odl-catalogue details").evaluate_all("ds => ds.forEach(d => { d.open = true; })")
    for link in page.locator("odl-catalogue .odl-nolink").all():
        link.click()
    page.wait_for_timeout(300)
    assert page.evaluate("() => typeof window.__xss") == "undefined"
    page.assert_clean()
