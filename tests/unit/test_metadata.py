"""Metadata of the three demo themes (examples/ converted as `make demo` does, then `odl-geo metadata`): ISO 19139
valid against the XSDs and the INSPIRE rule list, DCAT-AP saying the same as the ISO record, missing elements listed
in French before anything is written, the GeoPackage metadata tables, stable identifiers and dates."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import tomllib
from typing import TYPE_CHECKING

import pytest
from lxml import etree
from metadata_support import EXAMPLES, TODAY, convert_demo, iso_schema
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from odl_geo.cli.main import run_argv
from odl_geo.metadata import (
    MetadataIncomplete,
    check_iso,
    load_metadata_file,
    parse_metadata,
    prepare_record,
    write_metadata,
)
from odl_geo.metadata.build import stable_code
from odl_geo.metadata.gpkg import read_gpkg_metadata
from odl_geo.metadata.iso19139 import NS

if TYPE_CHECKING:
    from pathlib import Path

#: an open namespace (rdflib's DCAT is closed and warns when pytest probes module attributes)
DCAT = Namespace("http://www.w3.org/ns/dcat#")

#: rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph internally (rdflib 7.6): not ours to fix
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
THEMES = ("hiking", "water", "flood")
LINKS = {
    "wms": "https://geo.example.fr/geoserver/ows",
    "wfs": "https://geo.example.fr/geoserver/ows",
    "workspace": "opendata",
    "download": "https://data.example.fr/publi/",
    "datagouv": "https://www.data.gouv.fr/fr/datasets/demo/",
}


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {t: convert_demo(t, tmp_path_factory.mktemp(t)) for t in THEMES}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return iso_schema()


def _given(theme: str, **extra: object):
    table = {**tomllib.loads((EXAMPLES / theme / "metadata.toml").read_text("utf-8")), **extra}
    return parse_metadata(table, f"examples/{theme}/metadata.toml")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def written(converted: dict[str, Path]) -> dict[str, Path]:
    """`odl-geo metadata OUT --metadata examples/<theme>/metadata.toml` on each converted theme."""
    for theme, folder in converted.items():
        code, result, error = run_argv(["metadata", str(folder), "--metadata", str(EXAMPLES / theme / "metadata.toml")])
        assert code == 0, error
        assert result is not None and not result["checked_only"]
    return converted


@pytest.mark.parametrize("theme", THEMES)
def test_iso_record_is_valid_against_the_iso_19139_schemas(written: dict[str, Path], schema, theme: str) -> None:
    doc = etree.parse(str(written[theme] / "metadata.xml"))
    assert schema.validate(doc), [f"{e.line}: {e.message}" for e in schema.error_log]
    root = doc.getroot()
    assert root.tag == f"{{{NS['gmd']}}}MD_Metadata"
    assert root.xpath("string(gmd:language/gmd:LanguageCode/@codeListValue)", namespaces=NS) == "fre"
    assert root.xpath("string(gmd:hierarchyLevel/*/@codeListValue)", namespaces=NS) == "dataset"


def test_the_xsd_check_can_fail(written: dict[str, Path], schema) -> None:
    """Control: the schema rejects a record with its title removed and one with two elements swapped."""
    root = etree.parse(str(written["hiking"] / "metadata.xml")).getroot()
    title = root.find(".//gmd:citation/gmd:CI_Citation/gmd:title", NS)
    title.getparent().remove(title)
    assert not schema.validate(root)
    root = etree.parse(str(written["hiking"] / "metadata.xml")).getroot()
    stamp = root.find("gmd:dateStamp", NS)
    root.remove(stamp)
    root.insert(0, stamp)
    assert not schema.validate(root)


@pytest.mark.parametrize("theme", THEMES)
def test_inspire_rules_pass_on_each_demo_record(written: dict[str, Path], theme: str) -> None:
    xml = (written[theme] / "metadata.xml").read_bytes()
    assert [i.code for i in check_iso(xml)] == ["INSPIRE_RESOURCE_LOCATOR"]  # no [links] in the examples
    root = etree.fromstring(xml)
    gemet = root.xpath(
        "//gmd:MD_Keywords[gmd:thesaurusName/*/gmd:title/gmx:Anchor = 'GEMET - INSPIRE themes, version 1.0']",
        namespaces=NS,
    )
    assert len(gemet) == 1
    assert gemet[0].xpath("string(gmd:thesaurusName/*/gmd:date/*/gmd:date/gco:Date)", namespaces=NS) == "2008-06-01"
    expected = {"hiking": "tn", "water": "us", "flood": "nz"}[theme]
    assert gemet[0].xpath("string(gmd:keyword/gmx:Anchor/@xlink:href)", namespaces=NS).endswith(f"/theme/{expected}")


def test_inspire_rules_name_what_is_missing_in_french(written: dict[str, Path]) -> None:
    root = etree.parse(str(written["flood"] / "metadata.xml")).getroot()
    for date in root.xpath("//gmd:thesaurusName/*/gmd:date/*/gmd:date/gco:Date", namespaces=NS):
        date.text = "2008-01-01"  # an approximate thesaurus date: validators reject it
    spec = root.xpath("//gmd:DQ_ConformanceResult/gmd:specification/*/gmd:title/*", namespaces=NS)[0]
    spec.text = "Règlement INSPIRE 1089/2010"
    for anchor in root.xpath("//gmd:accessConstraints/../gmd:otherConstraints", namespaces=NS):
        anchor.getparent().remove(anchor)
    issues = {i.code: i for i in check_iso(root)}
    assert {"INSPIRE_INSPIRE_THEME_KEYWORD", "INSPIRE_CONFORMITY_1089", "INSPIRE_ACCESS_LIMITATIONS"} <= set(issues)
    assert "GEMET - INSPIRE themes, version 1.0" in issues["INSPIRE_INSPIRE_THEME_KEYWORD"].message_fr
    assert issues["INSPIRE_ACCESS_LIMITATIONS"].message_fr.startswith("INSPIRE : restrictions d'accès public")


def test_conformity_lineage_and_constraints_follow_the_report(written: dict[str, Path]) -> None:
    root = etree.parse(str(written["hiking"] / "metadata.xml")).getroot()
    results = root.xpath("//gmd:DQ_ConformanceResult", namespaces=NS)
    titles = [r.xpath("string(gmd:specification/*/gmd:title/*)", namespaces=NS) for r in results]
    assert titles[0].startswith("Règlement (UE) n° 1089/2010 de la Commission du 23 novembre 2010")
    assert results[0].xpath("string(gmd:specification/*/gmd:date/*/gmd:date/gco:Date)", namespaces=NS) == "2010-12-08"
    assert results[0].find("gmd:pass", NS).get(f"{{{NS['gco']}}}nilReason") == "unknown"  # not evaluated
    report = json.loads((written["hiking"] / "report.json").read_text("utf-8"))
    assert report["publishable"] is True
    assert titles[1] == f"PnX-SI/schema_randonnee version {report['schema']['version']}"
    assert results[1].findtext("gmd:pass/gco:Boolean", namespaces=NS) == "true"
    lineage = root.xpath("string(//gmd:LI_Lineage/gmd:statement/*)", namespaces=NS)
    assert "cevennes_itineraires.json" in lineage and "Contrôles qualité : 0 erreur, " in lineage
    hrefs = root.xpath("//gmd:resourceConstraints//gmd:otherConstraints/gmx:Anchor/@xlink:href", namespaces=NS)
    assert hrefs == [
        "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
    ]


@pytest.mark.parametrize("theme", THEMES)
def test_dcat_says_what_the_iso_record_says(written: dict[str, Path], theme: str) -> None:
    folder = written[theme]
    iso = etree.parse(str(folder / "metadata.xml")).getroot()
    g = Graph().parse(folder / "metadata.jsonld", format="json-ld")
    (ds,) = list(g.subjects(predicate=DCTERMS.identifier))
    code = iso.xpath("string(//gmd:citation/*/gmd:identifier/*/gmd:code/*)", namespaces=NS)
    space = iso.xpath("string(//gmd:citation/*/gmd:identifier/*/gmd:codeSpace/*)", namespaces=NS)
    assert str(g.value(ds, DCTERMS.identifier)) == f"{space}/{code}"  # joined as SEMIC's ISO -> DCAT stylesheet
    assert g.value(ds, DCTERMS.title) == Literal(iso.xpath("string(//gmd:citation/*/gmd:title/*)", namespaces=NS),
                                                  lang="fr")  # fmt: skip
    dates = {
        iso_kind: iso.xpath(
            f"string(//gmd:citation/*/gmd:date/*[gmd:dateType/*/@codeListValue='{iso_kind}']/gmd:date/gco:Date)",
            namespaces=NS,
        )
        for iso_kind in ("publication", "revision")
    }
    assert str(g.value(ds, DCTERMS.issued)) == dates["publication"]
    assert str(g.value(ds, DCTERMS.modified)) == dates["revision"]
    licence = iso.xpath("string(//gmd:useConstraints/../gmd:otherConstraints/gmx:Anchor/@xlink:href)", namespaces=NS)
    assert g.value(ds, DCTERMS.license) == URIRef(licence)
    box = [
        float(iso.xpath(f"string(//gmd:EX_GeographicBoundingBox/gmd:{k}/gco:Decimal)", namespaces=NS))
        for k in ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude")
    ]
    wkt = str(g.value(g.value(ds, DCTERMS.spatial), DCAT.bbox))
    first = [float(v) for v in wkt.removeprefix("POLYGON((").split(",")[0].split()]
    assert first == pytest.approx(box[:2], abs=1e-6)
    freq = iso.xpath("string(//gmd:maintenanceAndUpdateFrequency/*/@codeListValue)", namespaces=NS)
    eu = str(g.value(ds, DCTERMS.accrualPeriodicity)).rsplit("/", 1)[1]
    assert (freq, eu) in {("annually", "ANNUAL"), ("irregular", "IRREG"), ("asNeeded", "AS_NEEDED")}
    gemet = iso.xpath("string(//gmd:keyword/gmx:Anchor/@xlink:href)", namespaces=NS)
    assert URIRef(gemet) in set(g.objects(ds, DCAT.theme))


@pytest.mark.parametrize("theme", THEMES)
def test_lambert93_extent_in_both_encodings(written: dict[str, Path], theme: str) -> None:
    """The extent in Lambert-93 beside the WGS 84 box: a second EX_Extent whose EX_BoundingPolygon holds a GML
    polygon in EPSG:2154 (ISO), the same polygon as a GeoDCAT-AP GML literal (DCAT); both match the manifest."""
    from pyproj import Transformer

    folder = written[theme]
    iso = etree.parse(str(folder / "metadata.xml")).getroot()
    extents = iso.xpath("//gmd:MD_DataIdentification/gmd:extent/gmd:EX_Extent", namespaces=NS)
    assert len(extents) == 2
    assert extents[0].xpath("gmd:geographicElement/gmd:EX_GeographicBoundingBox", namespaces=NS)  # WGS 84 first
    (poly,) = extents[1].xpath("gmd:geographicElement/gmd:EX_BoundingPolygon/gmd:polygon/gml:Polygon", namespaces=NS)
    assert poly.get("srsName") == "http://www.opengis.net/def/crs/EPSG/0/2154"
    values = [float(v) for v in poly.xpath("string(.//gml:posList)", namespaces=NS).split()]
    xs, ys = values[0::2], values[1::2]
    assert len(xs) == 5 and (xs[0], ys[0]) == (xs[-1], ys[-1])  # a closed ring
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    l93 = [f["bbox"] for f in manifest["files"] if f.get("crs") == "EPSG:2154" and f.get("bbox")]
    if l93:  # the data's own Lambert-93 boxes, united
        expected = (min(b[0] for b in l93), min(b[1] for b in l93), max(b[2] for b in l93), max(b[3] for b in l93))
        assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx(expected, abs=0.01)
    # and it is the same place as the WGS 84 box: its corners, in WGS 84, fall inside that box
    w, s, e, n = (float(iso.xpath(f"string(//gmd:EX_GeographicBoundingBox/gmd:{k}/gco:Decimal)", namespaces=NS))
                  for k in ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude"))
    t = Transformer.from_crs(2154, 4326, always_xy=True)
    for x, y in zip(xs, ys, strict=True):
        lon, lat = t.transform(x, y)
        assert w - 1e-5 <= lon <= e + 1e-5 and s - 1e-5 <= lat <= n + 1e-5, (theme, lon, lat, (w, s, e, n))
    assert 100_000 < min(xs) < 1_300_000 and 6_000_000 < min(ys) < 7_200_000  # metres, metropolitan France
    g = Graph().parse(folder / "metadata.jsonld", format="json-ld")
    (gml,) = list(g.objects(None, URIRef("http://www.w3.org/ns/locn#geometry")))
    assert gml.datatype == URIRef("http://www.opengis.net/ont/geosparql#gmlLiteral")
    assert "EPSG/0/2154" in str(gml) and poly.xpath("string(.//gml:posList)", namespaces=NS) in str(gml)


def test_distributions_in_both_encodings(converted: dict[str, Path], tmp_path: Path) -> None:
    folder = converted["water"]
    result = prepare_record(folder, _given("water", links=LINKS), today=TODAY)
    iso = etree.fromstring(result.xml)
    online = iso.xpath("//gmd:distributionInfo//gmd:CI_OnlineResource", namespaces=NS)
    # each download sits in the distributor block of its own format (what udata maps per link)
    for o in iso.xpath("//gmd:distributorTransferOptions//gmd:CI_OnlineResource", namespaces=NS):
        url = o.xpath("string(gmd:linkage/gmd:URL)", namespaces=NS)
        fmt = o.xpath("string(ancestor::gmd:MD_Distributor/gmd:distributorFormat/*/gmd:name/*)", namespaces=NS)
        assert {"gpkg": "GeoPackage", "geojson": "GeoJSON", "csv": "CSV"}[url.rsplit(".", 1)[1]] == fmt, (url, fmt)
    assert not iso.xpath("//gmd:transferOptions//gmd:protocol[starts-with(*, 'WWW:DOWNLOAD')]", namespaces=NS)
    by_protocol: dict[str, list[tuple[str, str]]] = {}
    for o in online:
        by_protocol.setdefault(o.xpath("string(gmd:protocol/*)", namespaces=NS), []).append(
            (o.xpath("string(gmd:linkage/gmd:URL)", namespaces=NS), o.xpath("string(gmd:name/*)", namespaces=NS))
        )
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    (layer,) = {f["layer"] for f in manifest["files"] if f["format"] == "gpkg"}  # what GeoServer publishes
    wms = "https://geo.example.fr/geoserver/ows?SERVICE=WMS&REQUEST=GetCapabilities"
    assert by_protocol["OGC:WMS"] == [(wms, f"opendata:{layer}")]
    assert len(by_protocol["OGC:WFS"]) == 1
    downloads = {u for u, _ in by_protocol["WWW:DOWNLOAD-1.0-http--download"]}
    assert "https://data.example.fr/publi/VilleMTP_MTP_Fontaines_water.gpkg" in downloads
    assert by_protocol["WWW:LINK-1.0-http--link"] == [(LINKS["datagouv"], "data.gouv.fr")]
    assert check_iso(result.xml) == []  # with links, every rule passes, the conditional ones too
    g = Graph().parse(data=result.jsonld, format="json-ld")
    assert {str(u) for u in g.objects(None, DCAT.downloadURL)} == downloads
    assert {str(u) for u in g.objects(None, DCAT.landingPage)} == {LINKS["datagouv"]}


def test_missing_elements_are_all_listed_in_french_and_in_english() -> None:
    with pytest.raises(MetadataIncomplete) as caught:
        parse_metadata({"titel": "faute de frappe", "licence": "cc-by-sa", "producer": {"name": "Mairie"},
                        "frequency": "chaque lundi"}, "metadata.toml")  # fmt: skip
    err = caught.value
    assert err.exit_code == 2
    assert [m.key for m in err.missing] == ["titel", "title", "abstract", "producer.email", "licence", "frequency"]
    assert err.message_fr.startswith("Métadonnées incomplètes (metadata.toml) : 6 éléments à compléter")
    assert "le titre du jeu de données" in err.message_fr and "licence inconnue 'cc-by-sa'" in err.message_fr
    assert "fréquence inconnue 'chaque lundi'" in err.message_fr
    assert "Rien n'a été écrit ni envoyé" in err.hint_fr
    # the English of an English terminal (LANG=C, cron, CI logs) lists the same elements
    assert err.message.startswith("Metadata incomplete (metadata.toml): 6 elements to fill in")
    assert "  - title: the dataset's title" in err.message and "unknown licence 'cc-by-sa'" in err.message
    assert "unknown frequency 'chaque lundi'" in err.message
    assert "Nothing was written or sent" in err.hint


def test_french_words_and_aliases_are_understood() -> None:
    given = _given("hiking", frequency="Mensuelle", licence="Licence Ouverte")
    assert (given.frequency.datagouv, given.frequency.iso, given.licence.key) == ("monthly", "monthly", "lov2")
    assert given.contact.organisation == given.producer.organisation  # no [contact]: the producer answers
    assert given.contact.role == "pointOfContact" and given.producer.role == "owner"


def test_incomplete_metadata_stops_the_command_before_writing(converted: dict[str, Path], tmp_path: Path) -> None:
    folder = converted["hiking"]
    before = {p.name: _sha(p) for p in folder.iterdir() if p.is_file()}
    bad = tmp_path / "metadata.toml"
    bad.write_text('title = "Sentiers"\n[producer]\nname = "Commune"\n', encoding="utf-8")
    code, _result, error = run_argv(["metadata", str(folder), "--metadata", str(bad)])
    assert code == 2 and error is not None
    assert error["error"] == "MetadataIncomplete"
    assert "abstract" in error["message"] and "producer.email" in error["message"] and "licence" in error["message"]
    assert {p.name: _sha(p) for p in folder.iterdir() if p.is_file()} == before


def test_no_metadata_file_says_where_to_put_one(converted: dict[str, Path]) -> None:
    code, _r, error = run_argv(["metadata", str(converted["water"]), "--check"])
    assert code == 2 and error is not None
    assert "metadata.toml" in error["message"] and "metadata.toml" in error["hint"]
    assert error["message"].startswith(f"No metadata.toml for {converted['water']}: the title, the abstract")
    assert error["message_fr"].startswith(f"Aucun fichier metadata.toml pour {converted['water']} : le titre")
    assert error["hint"].endswith("or give --metadata FILE.") and error["hint_fr"].endswith("--metadata FICHIER.")


def test_written_files_are_listed_in_the_manifest(written: dict[str, Path]) -> None:
    folder = written["water"]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    entries = {f["path"]: f for f in manifest["files"]}
    assert entries["metadata.xml"]["format"] == "iso19139" and entries["metadata.jsonld"]["format"] == "dcat-jsonld"
    for f in manifest["files"]:  # every checksum is the file's, GeoPackages rewritten with the record included
        assert f["sha256"] == _sha(folder / f["path"]), f["path"]
    assert manifest["metadata"]["file_identifier"] == etree.parse(str(folder / "metadata.xml")).findtext(
        "gmd:fileIdentifier/gco:CharacterString", namespaces=NS
    )


def test_the_geopackage_carries_the_record(written: dict[str, Path]) -> None:
    """GDAL reads it back as the dataset's metadata (GPKG_METADATA_ITEM_1), attached to the whole file."""
    from osgeo import gdal

    folder = written["hiking"]
    (gpkg,) = folder.glob("*.gpkg")
    xml = (folder / "metadata.xml").read_bytes()
    assert read_gpkg_metadata(gpkg) == [xml.decode("utf-8")]
    ds = gdal.OpenEx(str(gpkg))
    assert etree.fromstring(ds.GetMetadataItem("GPKG_METADATA_ITEM_1").encode()).findtext(
        "gmd:fileIdentifier/gco:CharacterString", namespaces=NS
    ) == etree.fromstring(xml).findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS)
    ds = None
    with sqlite3.connect(gpkg) as conn:
        rows = conn.execute(
            "SELECT r.reference_scope, m.md_scope, m.md_standard_uri FROM gpkg_metadata m "
            "JOIN gpkg_metadata_reference r ON r.md_file_id = m.id"
        ).fetchall()
        ext = {
            r[0] for r in conn.execute("SELECT table_name FROM gpkg_extensions WHERE extension_name='gpkg_metadata'")
        }
    assert rows == [("geopackage", "dataset", "http://www.isotc211.org/2005/gmd")]
    assert ext == {"gpkg_metadata", "gpkg_metadata_reference"}
    import pyogrio

    assert len(pyogrio.read_dataframe(gpkg)) == 8  # the data are still read as before


def test_same_data_same_identifier_dates_and_bytes(tmp_path: Path) -> None:
    """Re-running keeps the identifier, the dates and the GeoPackage's bytes; a data change moves the revision."""
    folder = convert_demo("flood", tmp_path)
    first = write_metadata(folder, prepare_record(folder, _given("flood"), today=dt.date(2026, 1, 5)))
    gpkg = next(folder.glob("*.gpkg"))
    digest = _sha(gpkg)
    again = write_metadata(folder, prepare_record(folder, _given("flood"), today=dt.date(2026, 2, 9)))
    assert again.record.file_identifier == first.record.file_identifier
    assert again.record.file_identifier == stable_code("DDT de l'Isère", "pprn_38ddt20200002_perimetre_s")
    assert again.record.dates == first.record.dates and again.record.metadata_date == dt.date(2026, 1, 5)
    assert _sha(gpkg) == digest and again.xml == first.xml
    retitled = prepare_record(folder, _given("flood", title="PPRN du Bourg-d'Oisans"), today=dt.date(2026, 2, 9))
    assert retitled.record.metadata_date == dt.date(2026, 2, 9)  # the record changed, not the data
    assert retitled.record.dates.revision == dt.date(2026, 1, 5)
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    geojson = next(f for f in manifest["files"] if f["format"] == "geojson")
    geojson["sha256"] = "0" * 64  # as if the data had changed
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    changed = prepare_record(folder, _given("flood"), today=dt.date(2026, 3, 1))
    assert changed.record.dates.revision == dt.date(2026, 3, 1)
    assert changed.record.dates.creation == dt.date(2026, 1, 5)
    assert changed.record.file_identifier == first.record.file_identifier


def test_metadata_file_of_the_examples_loads() -> None:
    given = load_metadata_file(EXAMPLES / "flood" / "metadata.toml")
    assert given.contact.email == "risques@exemple-isere.fr" and given.resolution is not None


def test_convert_with_metadata_writes_it_and_a_rerun_gives_the_same_bytes(tmp_path: Path) -> None:
    src = tmp_path / "cevennes_itineraires.json"
    src.write_bytes((EXAMPLES / "hiking" / "cevennes_itineraires.json").read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    (out / "metadata.toml").write_bytes((EXAMPLES / "hiking" / "metadata.toml").read_bytes())  # found by itself
    argv = ["convert", str(src), "--theme", "hiking", "--to", "gpkg", "--out", str(out)]
    code, result, error = run_argv(argv)
    assert code == 0, error
    assert result is not None and result["metadata"]["title"].startswith("Itinéraires de randonnée du Parc")
    files = {p.name: _sha(p) for p in out.iterdir()}
    assert {"metadata.xml", "metadata.jsonld"} <= set(files)
    assert read_gpkg_metadata(next(out.glob("*.gpkg"))) == [(out / "metadata.xml").read_text("utf-8")]
    code, _result, error = run_argv(argv)
    assert code == 0, error
    assert {p.name: _sha(p) for p in out.iterdir()} == files  # publishers see nothing to send again


def test_convert_stops_on_incomplete_metadata_before_writing(tmp_path: Path) -> None:
    src = tmp_path / "cevennes_itineraires.json"
    src.write_bytes((EXAMPLES / "hiking" / "cevennes_itineraires.json").read_bytes())
    bad = tmp_path / "m.toml"
    bad.write_text('title = "Sentiers"\nlicence = "lov2"\n', encoding="utf-8")
    out = tmp_path / "out"
    code, _r, error = run_argv(["convert", str(src), "--theme", "hiking", "--out", str(out), "--metadata", str(bad)])
    assert code == 2 and error is not None and error["error"] == "MetadataIncomplete"
    assert not out.exists()
    code, _r, error = run_argv(["convert", str(src), "--out", str(out), "--metadata", str(bad)])
    assert code == 2 and error is not None and "--metadata need --theme" in error["message"]


def test_the_documented_sample_is_what_odl_geo_writes() -> None:
    """docs/metadata/sample-hiking.{xml,jsonld} are regenerated and compared byte for byte."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(EXAMPLES.parent / "scripts" / "make_metadata_sample.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_fields_come_from_the_theme_schema_or_the_product_tables(written: dict[str, Path]) -> None:
    """Hiking: the schema's fields with their labels; CNIG PPR: the columns of the product's tables."""
    hiking = etree.parse(str(written["hiking"] / "metadata.xml"))
    text = hiking.xpath("string(//gmd:supplementalInformation/*)", namespaces=NS)
    assert text.startswith("Champs :") and "nom_itineraire (string)" in text
    flood = etree.parse(str(written["flood"] / "metadata.xml"))
    text = flood.xpath("string(//gmd:supplementalInformation/*)", namespaces=NS)
    assert "pprn_38ddt20200002_procedure.typeprocedure (text(10))" in text
    assert "_perimetre_s.geom" not in text  # geometry columns are not fields


def test_a_plain_conversion_needs_its_inspire_theme_from_the_person(tmp_path: Path) -> None:
    src = tmp_path / "fontaines.csv"
    src.write_bytes((EXAMPLES / "water" / "VilleMTP_MTP_Fontaines.csv").read_bytes())
    out = tmp_path / "out"
    code, _r, error = run_argv(["convert", str(src), "--to", "gpkg", "--out", str(out)])
    assert code == 0, error
    with pytest.raises(MetadataIncomplete) as caught:
        prepare_record(out, _given("water"), today=TODAY)
    assert [m.key for m in caught.value.missing] == ["inspire_theme", "topic_categories"]
    assert not (out / "metadata.xml").exists()
    result = prepare_record(out, _given("water", inspire_theme="us", topic_categories=["utilitiesCommunication"]))
    assert check_iso(result.xml) == [next(i for i in check_iso(result.xml) if i.code == "INSPIRE_RESOURCE_LOCATOR")]
    assert [c.result for c in result.record.conformity] == ["notEvaluated"]  # no theme: no national schema claimed


def test_the_documented_metadata_toml_is_accepted_with_every_option_uncommented() -> None:
    """docs/metadata.md's annotated metadata.toml, each commented-out option switched on, is read without error."""
    doc = (EXAMPLES.parent / "docs" / "metadata.md").read_text(encoding="utf-8")
    block = doc.split("## Ce que vous devez écrire : `metadata.toml`")[1].split("```toml")[1].split("```")[0]
    lines = []
    for line in block.splitlines():
        text = line.strip()
        if text.startswith("# ") and ("=" in text.split("#")[1] or text.startswith("# [")):
            text = text[2:]
        lines.append(text)
    table = tomllib.loads("\n".join(lines))
    assert {"temporal", "contact", "dates", "identifier", "links"} <= set(table)
    given = parse_metadata(table, "docs/metadata.md")
    assert given.code == "sentiers-parc" and given.links["workspace"] == "randonnee"
    assert given.temporal is not None and given.dates["source"] == dt.date(2024, 5, 1)


def test_every_optional_element_stays_xsd_valid(converted: dict[str, Path], schema) -> None:
    """Temporal extent open at its end, a ground resolution, a contact with phone and website, [dates], links."""
    extra = {
        "temporal": {"start": dt.date(2024, 1, 1)},
        "resolution_m": 2.5,
        "dates": {"source": dt.date(2023, 11, 30), "creation": dt.date(2024, 1, 2)},
        "contact": {"name": "Maison du Parc", "email": "accueil@exemple.fr", "phone": "04 66 00 00 00",
                    "url": "https://www.exemple.fr", "individual": "Accueil"},
        "links": LINKS,
        "lineage": "Relevé GPS & saisie <terrain> 2023.",
    }  # fmt: skip
    base = tomllib.loads((EXAMPLES / "hiking" / "metadata.toml").read_text("utf-8"))
    base.pop("resolution")  # the ground distance instead of the scale
    given = parse_metadata({**base, **extra})
    result = prepare_record(converted["hiking"], given, today=TODAY)
    root = etree.fromstring(result.xml)
    assert schema.validate(root), [f"{e.line}: {e.message}" for e in schema.error_log]
    assert check_iso(root) == []
    assert root.xpath("string(//gmd:distance/gco:Distance/@uom)", namespaces=NS) == "m"
    period = root.xpath("//gml:TimePeriod", namespaces=NS)[0]
    assert period.findtext("gml:beginPosition", namespaces=NS) == "2024-01-01"
    assert period.find("gml:endPosition", NS).get("indeterminatePosition") == "unknown"
    assert "Relevé GPS & saisie <terrain> 2023. Jeu de données produit" in root.xpath(
        "string(//gmd:LI_Lineage/gmd:statement/*)", namespaces=NS
    )
    assert "Données sources datées du 2023-11-30." in root.xpath("string(//gmd:LI_Lineage/gmd:statement/*)",
                                                                   namespaces=NS)  # fmt: skip
    g = Graph().parse(data=result.jsonld, format="json-ld")
    assert str(next(g.objects(None, DCAT.startDate))) == "2024-01-01"
    assert float(next(g.objects(None, DCAT.spatialResolutionInMeters))) == 2.5


def test_links_are_checked_before_they_reach_the_records() -> None:
    with pytest.raises(MetadataIncomplete) as caught:
        _given("hiking", links={"wms": "https://geo.exemple.fr/o ws", "download": "ftp://x", "workspace": "9 bad"})
    assert [m.key for m in caught.value.missing] == ["links.wms", "links.download", "links.workspace"]


def test_a_ppr_converted_with_its_metadata_no_longer_reports_them_missing(tmp_path: Path) -> None:
    """The CNIG PPR validator asks for the record inside the GeoPackage: once embedded, the reports say so."""
    src = tmp_path / "PPRn_BourgOisans.zip"
    src.write_bytes((EXAMPLES / "flood" / "PPRn_BourgOisans.zip").read_bytes())
    out = tmp_path / "out"
    meta = str(EXAMPLES / "flood" / "metadata.toml")
    code, result, error = run_argv(["convert", str(src), "--theme", "flood", "--to", "geojson", "--out", str(out),
                                    "--metadata", meta])  # fmt: skip
    assert code == 0, error
    assert result is not None
    codes = {i["code"] for i in result["issues"]}
    assert "PPR_METADATA_MISSING" not in codes and "METADATA_EMBEDDED" in codes
    report = json.loads((out / "report.json").read_text("utf-8"))
    assert {i["code"] for i in report["issues"]} == codes
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert {i["code"] for i in manifest["report"]["issues"]} == codes
    assert "intégrée au GeoPackage" in (out / "report.html").read_text("utf-8")
    assert read_gpkg_metadata(next(out.glob("pprn_*.gpkg"))) == [(out / "metadata.xml").read_text("utf-8")]
    without = tmp_path / "plain"
    code, result, error = run_argv(["convert", str(src), "--theme", "flood", "--to", "geojson", "--out", str(without)])
    assert code == 0 and result is not None, error
    assert "PPR_METADATA_MISSING" in {i["code"] for i in result["issues"]}  # the control: without a record


def test_dates_survive_a_new_conversion_that_rewrites_the_manifest(tmp_path: Path) -> None:
    """A job converts (manifest rewritten, metadata files no longer listed), then builds the record: the dates of the
    previous runs come back from the state file beside the outputs, listed in no manifest."""
    src = tmp_path / "cevennes_itineraires.json"
    src.write_bytes((EXAMPLES / "hiking" / "cevennes_itineraires.json").read_bytes())
    out = tmp_path / "out"
    argv = ["convert", str(src), "--theme", "hiking", "--to", "gpkg", "--out", str(out)]
    assert run_argv(argv)[0] == 0
    first = write_metadata(out, prepare_record(out, _given("hiking"), today=dt.date(2026, 1, 5)))
    gpkg = next(out.glob("*.gpkg"))
    digest = _sha(gpkg)
    assert run_argv(argv)[0] == 0  # what a job's convert step does
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert "metadata" not in manifest and "metadata.xml" not in {f["path"] for f in manifest["files"]}
    assert (out / ".odl-geo-metadata.json").is_file()
    again = write_metadata(out, prepare_record(out, _given("hiking"), today=dt.date(2026, 4, 1)))
    assert again.record.dates == first.record.dates and again.record.metadata_date == dt.date(2026, 1, 5)
    assert _sha(gpkg) == digest and again.xml == first.xml


def test_rdf_xml_is_the_same_graph_and_the_same_bytes_in_every_process(converted: dict[str, Path]) -> None:
    """rdflib writes in hash order (PYTHONHASHSEED differs per process): odl-geo's RDF/XML and JSON-LD do not."""
    import os
    import subprocess
    import sys

    from rdflib.compare import isomorphic

    from odl_geo.metadata import record_graph, serialize

    record = prepare_record(converted["water"], _given("water", links=LINKS), today=TODAY).record
    graph = record_graph(record)
    assert isomorphic(Graph().parse(data=serialize(graph, "xml"), format="xml"), graph)
    code = (
        "import sys, tomllib, datetime as dt\n"
        "from odl_geo.metadata import parse_metadata, build_record, record_graph, serialize\n"
        f"t = tomllib.loads(open({str(EXAMPLES / 'water' / 'metadata.toml')!r}).read())\n"
        f"r = build_record({str(converted['water'])!r}, parse_metadata(t), today=dt.date(2026, 3, 2))\n"
        "g = record_graph(r)\n"
        "sys.stdout.buffer.write(serialize(g, 'xml') + serialize(g, 'json-ld'))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            check=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_links_follow_what_was_published(converted: dict[str, Path], tmp_path: Path) -> None:
    """After a publication the record names the layers as the map server named them (a GeoServer ``_2`` suffix
    here) and links the data.gouv.fr page, from the facts the publisher kept; a person's [links] URLs still win,
    and rewriting the record keeps those facts."""
    import shutil

    from odl_geo.metadata.published import published_state, published_targets, remember_publication

    folder = tmp_path / "water"
    shutil.copytree(converted["water"], folder)
    assert published_targets(folder).layers == ()
    geo = {"url": "http://127.0.0.1:8080/geoserver", "workspace": "commune",
           "layers": [{"name": "VilleMTP_MTP_Fontaines_water_2", "features": 48}]}  # fmt: skip
    assert remember_publication(folder, "geoserver", geo)
    assert not remember_publication(folder, "geoserver", geo)  # the same facts: nothing rewritten
    page = "https://www.data.gouv.fr/fr/datasets/fontaines-de-montpellier/"
    remember_publication(folder, "datagouv", {"url": "https://www.data.gouv.fr", "page": page})
    result = prepare_record(folder, _given("water"), today=TODAY)
    names = {(d.kind, d.url, d.name) for d in result.record.distributions if d.kind in ("wms", "wfs")}
    ows = "http://127.0.0.1:8080/geoserver/ows"
    assert names == {("wms", f"{ows}?SERVICE=WMS&REQUEST=GetCapabilities", "commune:VilleMTP_MTP_Fontaines_water_2"),
                     ("wfs", f"{ows}?SERVICE=WFS&REQUEST=GetCapabilities", "commune:VilleMTP_MTP_Fontaines_water_2")}
    assert [d.url for d in result.record.distributions if d.kind == "page"] == [page]
    # the public address a person wrote wins over the one odl-geo published through; the names stay the published
    public = prepare_record(folder, _given("water", links={"wms": "https://geo.example.fr/ows"}), today=TODAY)
    [wms] = [d for d in public.record.distributions if d.kind == "wms"]
    assert (wms.url, wms.name) == ("https://geo.example.fr/ows?SERVICE=WMS&REQUEST=GetCapabilities",
                                   "commune:VilleMTP_MTP_Fontaines_water_2")  # fmt: skip
    write_metadata(folder, result)
    assert published_state(folder)["geoserver"] == geo  # kept when the record is written again
    assert b"commune:VilleMTP_MTP_Fontaines_water_2" in (folder / "metadata.xml").read_bytes()
