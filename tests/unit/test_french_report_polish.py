"""French output reads as French: counts with their words in the singular or the plural (« 1 couche, 48 objets »,
never « couche(s) »), « couche : message » with French typography's space before the colon, the HTML report's
counts grouped the French way (« 1 004 ») and its labels agreeing with them, and a title in both languages for
every issue code odl_geo emits.

Real runs of the command line on copies of the shared data (some damaged in a temporary folder); the exact French
(and English) strings are asserted.
"""

from __future__ import annotations

import json
import struct
import tomllib
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from lxml import etree

from odl_geo.checks.runner import load_checks
from odl_geo.cli.main import main
from odl_geo.errors import InputError
from odl_geo.metadata import MetadataIncomplete, MetadataInput, parse_metadata, prepare_record
from odl_geo.metadata.inspire_rules import require_inspire
from odl_geo.metadata.iso19139 import NS
from odl_geo.numbers import NARROW_NBSP as NB
from odl_geo.reports.labels import CODE_TITLES, code_title
from tests.unit.test_issue_codes_documented import emitted_codes

REPO = Path(__file__).resolve().parents[2]

TRAM = "encoding/lizmap_montpellier_demo/tram_stops.shp"  # 174 points, a .prj, no .cpg
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"  # 48 points, CP1252
CEVENNES = "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"  # 8 trails, valid against the schema
REPERES = "flood/ddtm34_reperes_crue/Exemple_Couche_Repere_Crue.zip"  # 2,941 flood marks, dates as 1997/12/18


def cut_dbf(shp: Path, keep: int) -> None:
    """Keep the first ``keep`` records of the .dbf beside ``shp``, its header still declaring them all."""
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    _declared, header, record = struct.unpack("<IHH", data[4:12])
    dbf.write_bytes(data[: header + record * keep])


def first_features(geojson: Path, keep: int) -> Path:
    """``geojson`` cut to its first ``keep`` features."""
    data = json.loads(geojson.read_text(encoding="utf-8"))
    data["features"] = data["features"][:keep]
    geojson.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return geojson


# -- the command line's summary --------------------------------------------------------------------------------


def test_the_summary_counts_layers_and_features_with_their_words(data_copy, tmp_path: Path, capsys) -> None:
    src = data_copy(FOUNTAINS)
    assert main(["check", str(src), "--theme", "pei", "--out", str(tmp_path / "fr")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("VilleMTP_MTP_Fontaines.csv — pei (datakode/schema-pei 1.0.0) : 1 couche, 48 objets\n")
    assert "(s)" not in text.splitlines()[0]
    assert "(4 notes d'information masquées ; --verbose les affiche)" in text
    assert main(["check", str(src), "--theme", "pei", "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("VilleMTP_MTP_Fontaines.csv — pei (datakode/schema-pei 1.0.0): 1 layer, 48 features\n")
    assert "(4 informational notes hidden; --verbose shows them)" in text


def test_one_feature_and_one_hidden_note_take_the_singular(data_copy, tmp_path: Path, capsys) -> None:
    src = first_features(data_copy(CEVENNES), 1)
    out = tmp_path / "out"
    assert main(["convert", str(src), "--theme", "hiking", "--to", "gpkg", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("exemple-valide.json — hiking (PnX-SI/schema_randonnee 1.0.2) : 1 couche, 1 objet\n")
    assert f"  écrit {out / 'exemple-valide_hiking.gpkg'} (gpkg, 1 objet)\n" in text
    assert main(["convert", str(src), "--theme", "hiking", "--to", "gpkg", "--out", str(out), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("exemple-valide.json — hiking (PnX-SI/schema_randonnee 1.0.2): 1 layer, 1 feature\n")
    assert f"  wrote {out / 'exemple-valide_hiking.gpkg'} (gpkg, 1 feature)\n" in text

    shp = data_copy(TRAM)
    cut_dbf(shp, 87)
    assert main(["check", str(shp), "--out", str(tmp_path / "tram"), "--accept-loss"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("tram_stops.shp — contrôles génériques : 1 couche, 87 objets\n")
    assert "(1 note d'information masquée ; --verbose les affiche)" in text
    assert main(["check", str(shp), "--out", str(tmp_path / "tram-en"), "--accept-loss", "--lang", "en"]) == 0
    assert "(1 informational note hidden; --verbose shows them)" in capsys.readouterr().out


def test_a_layer_named_before_its_message_takes_a_space_before_the_colon_in_french(
    data_copy, tmp_path: Path, capsys
) -> None:
    src = data_copy(FOUNTAINS)
    assert main(["check", str(src), "--theme", "pei", "--out", str(tmp_path / "fr")]) == 0
    text = capsys.readouterr().out
    assert "erreur [REQUIRED_FIELD_MISSING] VilleMTP_MTP_Fontaines : Champs obligatoires absents" in text
    assert "VilleMTP_MTP_Fontaines: " not in text
    assert main(["check", str(src), "--theme", "pei", "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "error [REQUIRED_FIELD_MISSING] VilleMTP_MTP_Fontaines: Required fields missing" in text


# -- metadata ------------------------------------------------------------------------------------------------


def hiking_metadata(**changes: object) -> MetadataInput:
    """The metadata of the bundled hiking example (examples/hiking/metadata.toml), ``changes`` applied (None: the
    key removed)."""
    table = tomllib.loads((REPO / "examples" / "hiking" / "metadata.toml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            table.pop(key)
        else:
            table[key] = value
    return parse_metadata(table, "metadata.toml")


def test_one_missing_metadata_element_is_said_in_the_singular() -> None:
    with pytest.raises(MetadataIncomplete) as caught:
        hiking_metadata(abstract=None)
    assert caught.value.message_fr.startswith(
        "Métadonnées incomplètes (metadata.toml) : 1 élément à compléter avant d'écrire ou de publier quoi que ce "
        "soit :\n  - abstract : "
    )
    assert caught.value.message.startswith(
        "Metadata incomplete (metadata.toml): 1 element to fill in before anything is written or published:\n"
        "  - abstract: "
    )
    assert caught.value.details.startswith("Metadata incomplete (metadata.toml), 1 element to fill in:\n")
    with pytest.raises(MetadataIncomplete) as caught:
        hiking_metadata(abstract=None, licence="cc-by-sa")
    assert caught.value.message_fr.startswith("Métadonnées incomplètes (metadata.toml) : 2 éléments à compléter avant")
    assert caught.value.message.startswith("Metadata incomplete (metadata.toml): 2 elements to fill in before")
    assert caught.value.details.startswith("Metadata incomplete (metadata.toml), 2 elements to fill in:\n")


def test_a_record_short_of_inspire_elements_counts_them_with_their_words() -> None:
    sample = etree.parse(str(REPO / "docs" / "metadata" / "sample-hiking.xml")).getroot()
    (lineage,) = sample.xpath("//gmd:LI_Lineage", namespaces=NS)
    lineage.getparent().remove(lineage)
    with pytest.raises(InputError) as caught:
        require_inspire(sample)
    assert caught.value.message_fr.startswith(
        "La fiche metadata.xml n'est pas conforme INSPIRE (1 élément obligatoire) :"
    )
    assert caught.value.message.startswith(
        "The record metadata.xml is not INSPIRE-compliant (1 mandatory element to fix):\n  - INSPIRE: no lineage"
    )
    (title,) = sample.xpath("//gmd:identificationInfo//gmd:citation/*/gmd:title", namespaces=NS)
    title.getparent().remove(title)
    with pytest.raises(InputError) as caught:
        require_inspire(sample, "sample-hiking.xml")
    assert caught.value.message_fr.startswith(
        "La fiche sample-hiking.xml n'est pas conforme INSPIRE (2 éléments obligatoires) :"
    )
    assert caught.value.message.startswith(
        "The record sample-hiking.xml is not INSPIRE-compliant (2 mandatory elements to fix):"
    )
    assert caught.value.hint == "Complete metadata.toml, then generate the record again (odl-geo metadata FOLDER)."


def test_the_lineage_and_the_conformity_count_with_their_words(data_copy, tmp_path: Path) -> None:
    # the documented sample is regenerated and compared byte for byte by test_metadata.py
    sample = (REPO / "docs" / "metadata" / "sample-hiking.xml").read_text(encoding="utf-8")
    assert "Contrôles qualité : 0 erreur, 1 avertissement, 8 informations." in sample
    out = tmp_path / "out"
    assert main(["convert", str(data_copy(CEVENNES)), "--theme", "hiking", "--to", "gpkg", "--out", str(out)]) == 0
    record = prepare_record(out, hiking_metadata()).xml.decode("utf-8")
    assert "Contrôles qualité : 0 erreur, 1 avertissement, 8 informations." in record
    assert "Le validateur du schéma (odl-geo check) n'a relevé aucune erreur." in record
    # the same products with a report that found errors (one, then two) in them
    report_path = out / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8"))
    for errors, said in ((1, "1 erreur"), (2, "2 erreurs")):
        summary = {**report["summary"], "error": errors}
        report_path.write_text(json.dumps({**report, "publishable": False, "summary": summary}), encoding="utf-8")
        record = prepare_record(out, hiking_metadata()).xml.decode("utf-8")
        assert f"Le validateur du schéma a relevé {said} : voir report.html." in record
        assert f"Contrôles qualité : {said}, 1 avertissement, 8 informations." in record


# -- the HTML report --------------------------------------------------------------------------------------------


def test_every_issue_code_has_a_title_in_french_and_in_english() -> None:
    """The report shows an issue's title above its code: a code without one showed the code twice
    (« DBF_RECORDS_MISSING » as its own title). Codes collected as the documentation test collects them."""
    load_checks()  # the checks' titles are in their registry
    codes = emitted_codes()
    assert {"DBF_RECORDS_MISSING", "SHP_NO_DBF", "GEOM_UNREADABLE", "WRITE_WARNING", "LAYER_SKIPPED"} <= set(codes)
    untitled = {
        code: where for code, where in codes.items() if code_title(code, "fr") == code or code_title(code, "en") == code
    }
    assert not untitled, f"codes without a title (CODE_TITLES in odl_geo/reports/labels.py): {untitled}"
    english_in_french = {
        code: code_title(code, "fr")
        for code in codes
        if code in CODE_TITLES and code_title(code, "fr") == code_title(code, "en")
    }
    assert not english_in_french, f"French titles that are the English: {english_in_french}"
    assert code_title("DBF_RECORDS_MISSING", "fr") == "Enregistrements manquants dans le .dbf"
    assert code_title("DBF_RECORDS_MISSING", "en") == "Records missing from the .dbf"


def page_of(out: Path) -> str:
    return (out / "report.html").read_text(encoding="utf-8")


def test_a_damaged_source_report_groups_its_counts_and_titles_its_codes(data_copy, tmp_path: Path) -> None:
    tram = pyogrio.read_dataframe(data_copy(TRAM), encoding="UTF-8")
    big = tmp_path / "big" / "arrets.shp"
    big.parent.mkdir()
    pyogrio.write_dataframe(pd.concat([tram] * 12, ignore_index=True), big, encoding="UTF-8")  # 2,088 points
    cut_dbf(big, 1084)  # an error; and the copies of the stops, a warning
    assert main(["check", str(big), "--out", str(tmp_path / "fr"), "--lang", "fr", "-q"]) == 0
    page = page_of(tmp_path / "fr")
    assert "<p class='meta'>Thème : contrôles génériques (sans thème)</p>" in page
    assert "<b>Enregistrements manquants dans le .dbf</b><br><code>DBF_RECORDS_MISSING</code>" in page
    assert f'<td class="num">1{NB}004</td>' in page  # the « Nb » column, grouped as the message's « 1 004 »
    assert f"<tr><td>objets</td><td>1{NB}084</td></tr>" in page
    assert "<tr><td>erreur</td><td class='n-error'>1</td></tr>" in page
    assert "<tr><td>avertissement</td><td class='n-warning'>1</td></tr>" in page
    assert '<img alt="carte de la couche" src="data:image/png;base64,' in page

    assert main(["check", str(big), "--out", str(tmp_path / "en"), "--lang", "en", "-q"]) == 0
    page = page_of(tmp_path / "en")
    assert "<p class='meta'>Theme: generic checks (no theme)</p>" in page
    assert "<b>Records missing from the .dbf</b><br><code>DBF_RECORDS_MISSING</code>" in page
    assert '<td class="num">1,004</td>' in page and "<tr><td>features</td><td>1,084</td></tr>" in page
    assert "<tr><td>error</td><td class='n-error'>1</td></tr>" in page
    assert "<tr><td>warning</td><td class='n-warning'>1</td></tr>" in page
    assert '<img alt="map of the layer" src="data:image/png;base64,' in page


def test_the_facts_agree_with_their_counts_and_the_hints_are_french(data_copy, tmp_path: Path) -> None:
    src = data_copy(FOUNTAINS)  # 4 errors and 1 warning against the PEI schema
    assert main(["check", str(src), "--theme", "pei", "--out", str(tmp_path / "fr"), "-q"]) == 0
    page = page_of(tmp_path / "fr")
    assert "<tr><td>erreurs</td><td class='n-error'>4</td></tr>" in page
    assert "<tr><td>avertissement</td><td class='n-warning'>1</td></tr>" in page
    assert "<p class='meta'>Schéma : datakode/schema-pei 1.0.0</p>" in page
    # FIELD_NOT_PUBLISHED's hint was English in the French report
    assert "Associez-en un dans un fichier de correspondance ([fields]) s&#x27;il contient un champ du schéma." in page
    assert "Map one of them" not in page
    assert main(["check", str(src), "--theme", "pei", "--out", str(tmp_path / "en"), "--lang", "en", "-q"]) == 0
    page = page_of(tmp_path / "en")
    assert "<tr><td>errors</td><td class='n-error'>4</td></tr>" in page
    assert "<tr><td>warning</td><td class='n-warning'>1</td></tr>" in page
    assert "<p class='meta'>Schema: datakode/schema-pei 1.0.0</p>" in page
    assert "Map one of them in a mapping file if it holds a schema field." in page


def test_one_feature_written_and_one_change_made_take_the_singular(data_copy, tmp_path: Path) -> None:
    src = first_features(data_copy(CEVENNES), 1)
    out = tmp_path / "hiking"
    assert main(["convert", str(src), "--theme", "hiking", "--to", "gpkg", "--out", str(out), "-q"]) == 0
    page = page_of(out)
    assert "<li><code>exemple-valide_hiking.gpkg</code> (gpkg, 1 objet)</li>" in page
    assert "<tr><td>objet</td><td>1</td></tr>" in page and "<tr><td>erreur</td><td class='n-error'>0</td></tr>" in page
    assert "<b>Entités HTML décodées</b><br><code>FIELD_HTML_DECODED</code>" in page

    zipped = f"/vsizip/{data_copy(REPERES)}/Exemple_Couche_Repere_Crue/Reperes_crue_extrait_DDTM34.shp"
    marks = pyogrio.read_dataframe(zipped, max_features=1)  # a flood mark, its date written 1997/12/18
    one = tmp_path / "one" / "repere.gpkg"
    one.parent.mkdir()
    pyogrio.write_dataframe(marks, one)
    assert main(["check", str(one), "--area", "34", "--fix", "--out", str(tmp_path / "fr"), "-q"]) == 0
    assert "<p>1 modification, aussi dans report.json.</p>" in page_of(tmp_path / "fr")
    argv = ["check", str(one), "--area", "34", "--fix", "--out", str(tmp_path / "en"), "--lang", "en", "-q"]
    assert main(argv) == 0
    assert "<p>1 change, also in report.json.</p>" in page_of(tmp_path / "en")
