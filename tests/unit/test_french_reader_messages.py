"""What reading and writing files finds is said in French too (``message_fr``, ``hint_fr``): a French report
(``--lang fr``, the QGIS plugin) no longer shows an English sentence among French ones.

Each damaged input is made in a temporary folder from the real files of ../shared/data (copied first), then read by
the real opener, streamed, converted or checked by the command line. The French names the same files and carries
the same numbers (counts grouped the French way: « 1 004 »), singular or plural as the count wants; the English is
left as it was, word for word (tests and the JSON's readers rely on it).
"""

from __future__ import annotations

import ast
import re
import shutil
import struct
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyogrio
import pytest

from odl_geo import ReadOptions, Severity, convert, inspect_source, open_source
from odl_geo.cli.main import main
from odl_geo.normalise.options import NormaliseOptions
from odl_geo.normalise.pipeline import LayerStream
from odl_geo.normalise.scan import scan_geometries
from odl_geo.numbers import NARROW_NBSP as NB
from odl_geo.numbers import agree, decimal_text, quantity
from tests.unit.test_damaged_shapefiles import shift_shx_offsets, truncate_shp

if TYPE_CHECKING:
    from odl_geo.report import Issue

REPO = Path(__file__).resolve().parents[2]
GDAL = "encoding/gdal_autotest"
TRAM = "encoding/lizmap_montpellier_demo/tram_stops.shp"  # 174 points, a .prj, no .cpg
GREEN = "encoding/lizmap_montpellier_intranet/VilleMTP_MTP_EspacesVertsSurface_2011.shp"  # 624 polygons
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"

#: French words that English messages never hold, and English ones a French message must not hold
FRENCH = re.compile(r"\b(le|la|les|des|du|une?|est|sont|pas|mais|dans|sur|avec|objets?|couche)\b")
ENGLISH = re.compile(r"\b(the|is|are|but|has|was|were|would|feature\(s\)|features?|could|its)\b")


def french(issue: Issue) -> str:
    """The issue's French message, checked to be French (and not the English)."""
    fr = issue.message_fr
    assert fr and fr != issue.message, (issue.code, issue.message)
    assert FRENCH.search(fr) and not ENGLISH.search(fr), fr
    return fr


def the_issue(issues: list[Issue], code: str) -> Issue:
    (found,) = [i for i in issues if i.code == code]
    return found


def layer_issues(path: Path, options: ReadOptions | None = None) -> list[Issue]:
    """The issues the opener records for the one layer of ``path``."""
    with open_source(path, options) as src:
        (layer,) = src.layers
        return list(layer.issues.issues)


def cut_dbf(shp: Path, keep: int) -> tuple[int, int]:
    """Keep the first ``keep`` records of the .dbf beside ``shp``, its header still declaring them all; returns
    (declared, kept)."""
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    declared, header, record = struct.unpack("<IHH", data[4:12])
    dbf.write_bytes(data[: header + record * keep])
    return declared, keep


def test_the_words_agree_with_the_count() -> None:
    assert [agree(n, "erreur", "erreurs") for n in (0, 1, 2)] == ["erreur", "erreur", "erreurs"]
    assert [agree(n, "error", "errors", "en") for n in (0, 1, 2)] == ["errors", "error", "errors"]
    assert quantity(1004, "objet", "objets") == f"1{NB}004 objets" and quantity(1, "objet", "objets") == "1 objet"
    assert quantity(1004, "feature", "features", "en") == "1,004 features"
    assert decimal_text(6_279_703.4) == f"6{NB}279{NB}703" and decimal_text(2.35221, 4) == "2,3522"
    assert decimal_text(6_279_703.4, lang="en") == "6,279,703" and decimal_text(2.35221, 4, "en") == "2.3522"


# -- Shapefile sets ----------------------------------------------------------------------------------------


def test_a_dbf_cut_in_half_is_said_in_french(data_copy) -> None:
    shp = data_copy(GREEN)
    declared, _ = cut_dbf(shp, 312)
    issue = the_issue(layer_issues(shp), "DBF_RECORDS_MISSING")
    assert (declared, issue.count, issue.severity) == (624, 312, Severity.ERROR)
    assert issue.message == (
        "VilleMTP_MTP_EspacesVertsSurface_2011.dbf declares 624 records but holds 312: the other 312 features "
        "would be missing from the outputs."
    )
    assert french(issue) == (
        "VilleMTP_MTP_EspacesVertsSurface_2011.dbf déclare 624 enregistrements mais en contient 312 : il manquerait "
        "312 objets dans les fichiers produits."
    )
    assert issue.hint.startswith("Export the layer again")
    assert issue.hint_fr.startswith("Exportez à nouveau la couche") and "--accept-loss" in issue.hint_fr
    accepted = the_issue(layer_issues(shp, ReadOptions(accept_loss=True)), "DBF_RECORDS_MISSING")
    assert accepted.severity is Severity.WARNING and accepted.message_fr == issue.message_fr
    assert accepted.hint_fr.startswith("Accepté avec --accept-loss : ces objets manquent")


def test_counts_past_a_thousand_are_grouped_the_french_way(data_copy, tmp_path: Path) -> None:
    tram = pyogrio.read_dataframe(data_copy(TRAM))
    big = tmp_path / "big" / "arrets.shp"
    big.parent.mkdir()
    pyogrio.write_dataframe(pd.concat([tram] * 12, ignore_index=True), big, encoding="UTF-8")  # 2,088 points
    cut_dbf(big, 1084)
    issue = the_issue(layer_issues(big), "DBF_RECORDS_MISSING")
    assert issue.message == (
        "arrets.dbf declares 2088 records but holds 1084: the other 1,004 features would be missing from the outputs."
    )
    assert french(issue) == (
        f"arrets.dbf déclare 2{NB}088 enregistrements mais en contient 1{NB}084 : il manquerait 1{NB}004 objets "
        "dans les fichiers produits."
    )


def test_one_record_missing_is_said_in_the_singular(data_copy) -> None:
    shp = data_copy(TRAM)
    cut_dbf(shp, 173)
    issue = the_issue(layer_issues(shp), "DBF_RECORDS_MISSING")
    assert "the other 1 feature would be missing" in issue.message
    assert french(issue).endswith("mais en contient 173 : il manquerait 1 objet dans les fichiers produits.")


def test_a_dbf_of_another_layer(data_copy) -> None:
    shp = data_copy(TRAM)
    other = data_copy("encoding/lizmap_montpellier_intranet/ArbRemarq_point.shp")  # 71 records
    shutil.copyfile(other.with_suffix(".dbf"), shp.with_suffix(".dbf"))
    issue = the_issue(layer_issues(shp), "SHP_DBF_COUNT_MISMATCH")
    assert issue.message == (
        "tram_stops.shp holds 174 shapes but tram_stops.dbf 71 records: 103 features would lose their attributes "
        "or be paired with another's."
    )
    assert french(issue) == (
        "tram_stops.shp contient 174 géométries mais tram_stops.dbf 71 enregistrements : 103 objets perdraient "
        "leurs attributs ou recevraient ceux d'un autre objet."
    )


def _shorten_a_field(shp: Path) -> None:
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[32 + 16] -= 20  # the first field's length: the fields no longer add up to the record length
    dbf.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("damage", "code", "english", "french_text"),
    [
        (
            truncate_shp,
            "SHP_TRUNCATED",
            (
                "tram_stops.shp is cut off: 2486 bytes of the 4972 its header declares; 89 of its 174 shapes are "
                "missing or incomplete."
            ),
            (
                f"tram_stops.shp est tronqué : 2{NB}486 octets sur les 4{NB}972 que déclare son en-tête ; "
                "89 géométries sur 174 manquent ou sont incomplètes."
            ),
        ),
        (
            shift_shx_offsets,
            "SHX_OFFSETS_WRONG",
            (
                "tram_stops.shx points 164 of its 174 records to the wrong place in tram_stops.shp: their "
                "geometries would be lost."
            ),
            (
                "Dans tram_stops.shx, 164 enregistrements sur 174 pointent au mauvais endroit de tram_stops.shp : "
                "leurs géométries seraient perdues."
            ),
        ),
        (
            _shorten_a_field,
            "DBF_HEADER_WRONG",
            (
                "tram_stops.dbf: its fields add up to 2521 bytes per record but its header says 2541: every "
                "attribute would be dropped or misread."
            ),
            (
                f"tram_stops.dbf : ses champs totalisent 2{NB}521 octets par enregistrement mais son en-tête en "
                f"annonce 2{NB}541 : tous les attributs seraient perdus ou mal lus."
            ),
        ),
    ],
    ids=["truncated-shp", "shx-offsets", "dbf-header"],
)
def test_damaged_sets_are_said_in_french(data_copy, damage, code: str, english: str, french_text: str) -> None:
    shp = data_copy(TRAM)
    damage(shp)
    issue = the_issue(layer_issues(shp), code)
    assert issue.message == english
    assert french(issue) == french_text
    assert issue.hint_fr.startswith("Exportez à nouveau la couche")


def test_missing_sidecars_are_said_in_french(data_copy, shared_data: Path) -> None:
    dbf = data_copy(TRAM).with_suffix(".dbf")
    alone = dbf.parent / "alone"
    alone.mkdir()
    shutil.copyfile(dbf, alone / dbf.name)
    table_only = the_issue(layer_issues(alone / dbf.name), "SHP_TABLE_ONLY")
    assert table_only.message == "tram_stops.dbf has no .shp beside it: it is read as a table without geometry."
    assert french(table_only) == (
        "tram_stops.dbf n'a pas de .shp à côté de lui : il est lu comme une table sans géométrie."
    )
    assert "COVADIS" in table_only.hint_fr and table_only.hint_fr.startswith("Si cette table appartient")

    no_dbf = the_issue(
        layer_issues(shared_data / GDAL / "shp/buggymultipoly.shp", ReadOptions(source_crs="EPSG:4326")), "SHP_NO_DBF"
    )
    assert french(no_dbf) == (
        "buggymultipoly.shp n'a pas de .dbf : seules les géométries peuvent être lues, tous les attributs manquent."
    )
    assert no_dbf.hint_fr == "Retrouvez le .dbf livré avec le fichier (même nom) et placez-le à côté du .shp."

    shp = data_copy("encoding/pyshp_fixtures/latin1.shp")  # shipped without its .shx
    no_shx = the_issue(layer_issues(shp, ReadOptions(source_crs="EPSG:4326")), "SHP_NO_SHX")
    assert no_shx.message.startswith("latin1.shp has no .shx index")
    assert french(no_shx) == (
        "latin1.shp n'a pas d'index .shx : il a été reconstruit dans une copie temporaire (la source n'est pas "
        "modifiée)."
    )


def test_a_cpg_lying_about_the_encoding(data_copy) -> None:
    shp = data_copy(TRAM)
    shp.with_suffix(".cpg").write_text("1252", encoding="ascii")  # what ArcGIS writes, on UTF-8 text
    issue = the_issue(layer_issues(shp), "ENCODING_CPG_WRONG")
    assert issue.message == "tram_stops.dbf: the .cpg says 1252 but the text is UTF-8; it was read as UTF-8."
    assert french(issue) == "tram_stops.dbf : le .cpg indique 1252 mais le texte est en UTF-8 ; il a été lu en UTF-8."
    assert issue.hint_fr.startswith("Corrigez le fichier .cpg (il devrait indiquer UTF-8)")


# -- CRS ---------------------------------------------------------------------------------------------------


def test_a_layer_without_crs(data_copy) -> None:
    shp = data_copy("encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp")  # no .prj
    issue = the_issue(layer_issues(shp), "CRS_MISSING")
    assert issue.message == "Monuments_Historiques.shp has no .prj file."
    assert issue.hint == "The coordinates look like RGF93 / Lambert-93: add --source-crs EPSG:2154."
    assert french(issue) == "Monuments_Historiques.shp n'a pas de système de coordonnées (pas de fichier .prj)."
    assert issue.hint_fr == (
        "Les coordonnées ressemblent à du RGF93 / Lambert-93 : indiquez ce SCR source avec --source-crs EPSG:2154."
    )


def test_coordinates_that_are_not_degrees(shared_data: Path) -> None:
    path = shared_data / "hiking/geotrek_admin_fixtures/core/tests/data/bad_srid.geojson"
    issue = the_issue(layer_issues(path), "CRS_COORDS_NOT_DEGREES")
    assert "300,000,000" in issue.message and "which are not degrees" in issue.message
    fr = french(issue)
    assert fr.startswith("bad_srid.geojson : la couche déclare des coordonnées en longitude/latitude (EPSG:4326")
    assert f"300{NB}000{NB}000" in fr and fr.endswith("qui ne sont pas des degrés.")
    assert issue.hint_fr.startswith(("Indiquez le SCR source", "Les coordonnées ressemblent"))


def test_a_non_earth_mapinfo_layer_and_its_count(shared_data: Path) -> None:
    layers, _ = inspect_source(shared_data / GDAL / "mitab/all_geoms.tab")
    missing = the_issue(layers[0].report.issues, "CRS_MISSING")
    assert "non-earth" in missing.message
    assert french(missing) == "all_geoms.tab utilise un système de coordonnées local (non terrestre)."
    layers, _ = inspect_source(shared_data / GDAL / "mitab/all_geoms.mif", ReadOptions(source_crs="EPSG:4326"))
    count = the_issue(layers[0].report.issues, "FEATURE_COUNT_MISMATCH")
    assert "declares 19 features but 16 could be read" in count.message
    assert french(count) == (
        "all_geoms.mif déclare 19 objets mais 16 ont pu être lus ; 3 objets manquent dans les fichiers produits."
    )
    assert count.hint_fr.startswith("GDAL a sauté des objets")


# -- CSV ---------------------------------------------------------------------------------------------------


def test_a_csv_with_an_unbalanced_quote(data_copy) -> None:
    path = data_copy(f"{GDAL}/csv/unbalanced_double_quotes.csv")
    issue = the_issue(layer_issues(path), "CSV_UNBALANCED_QUOTE")
    assert issue.severity is Severity.ERROR
    assert issue.message.startswith("unbalanced_double_quotes.csv: the double quote opened on line 2 is never")
    assert french(issue) == (
        "unbalanced_double_quotes.csv : le guillemet double ouvert à la ligne 2 n'est jamais fermé : toutes les "
        "lignes qui suivent sont lues comme une seule valeur (des lignes sont perdues)."
    )
    assert issue.hint_fr == (
        "Corrigez le guillemet de la ligne 2 dans un tableur ou un éditeur de texte, puis relancez la conversion."
    )


def test_a_csv_with_extra_values_on_a_line(data_copy) -> None:
    path = data_copy(FOUNTAINS)
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].rstrip(b"\r") + b',"en trop","encore"\r'  # 6 names in the header, 8 values here
    path.write_bytes(b"\n".join(lines))
    issue = the_issue(layer_issues(path), "CSV_EXTRA_VALUES")
    assert issue.message == (
        "VilleMTP_MTP_Fontaines.csv: line 5 has 8 values but the header names only 6 columns, so values would be "
        "read under the wrong column names."
    )
    assert french(issue) == (
        "VilleMTP_MTP_Fontaines.csv : la ligne 5 a 8 valeurs mais l'en-tête ne nomme que 6 colonnes : des valeurs "
        "seraient lues sous le mauvais nom de colonne."
    )
    assert "la ligne 5" in issue.hint_fr and issue.hint_fr.startswith("Ajoutez le ou les noms de colonnes")
    transcoded = the_issue(layer_issues(data_copy(FOUNTAINS)), "ENCODING_TRANSCODED")
    assert french(transcoded).startswith("VilleMTP_MTP_Fontaines.csv est encodé en ")


# -- streaming and writing -----------------------------------------------------------------------------------


def test_what_the_stream_finds_is_said_in_french(shared_data: Path) -> None:
    with open_source(shared_data / GDAL / "shp/buggymultipoly.shp", ReadOptions(source_crs="EPSG:4326")) as src:
        (layer,) = src.layers
        stream = LayerStream(layer, NormaliseOptions(), scan_geometries(layer))
        pa.Table.from_batches(list(stream.batches()))
    empty = the_issue(stream.report.issues, "GEOM_EMPTY")
    assert empty.message == "Features have no geometry (null or empty); they are kept without geometry."
    assert french(empty) == "Des objets n'ont pas de géométrie (nulle ou vide) ; ils sont gardés sans géométrie."
    assert empty.hint_fr == "Utilisez --drop-empty pour les écarter."
    assert all(i.message_fr for i in stream.report.issues), [i.code for i in stream.report.issues]


def test_what_the_writers_find_is_said_in_french(shared_data: Path, tmp_path: Path) -> None:
    mixed = shared_data / GDAL / "shp/mixed_shape_type_non_conformant.shp"
    manifest = convert(mixed, tmp_path / "shp", ["shp"], ReadOptions(source_crs="EPSG:4326"))
    split = the_issue(manifest.report.issues, "SHP_SPLIT_BY_TYPE")
    assert "the layer mixes line, point, polygon" in split.message
    assert "la couche mélange lignes, points et polygones" in french(split)
    nulls = shared_data / "hiking/geotrek_admin_fixtures/trekking/tests/data/schema_randonnee_parser"
    manifest = convert(nulls / "incorrect_geoms.geojson", tmp_path / "fgb", ["fgb"])
    no_index = the_issue(manifest.report.issues, "FGB_NO_SPATIAL_INDEX")
    assert french(no_index).startswith("incorrect_geoms.fgb : des objets sans géométrie ne peuvent pas figurer")
    assert no_index.hint_fr == "Utilisez --drop-empty pour écarter ces objets et garder l'index."
    untranslated = [i.code for i in manifest.report.issues if not i.message_fr or (i.hint and not i.hint_fr)]
    assert not untranslated


def test_an_unreadable_member_keeps_its_error_text_after_french_words(shared_data: Path) -> None:
    """The member's own error, in French since every error has its French (GDAL's text quoted as it is)."""
    with open_source(shared_data / GDAL / "kml") as src:
        (issue,) = src.issues.by_severity(Severity.ERROR)
    assert issue.code == "SOURCE_MEMBER_UNREADABLE"
    assert issue.message.startswith("kml:truncated.kml is not a readable KML file: the XML is broken near line 35 (")
    assert issue.message_fr.startswith(
        "Fichier illisible, laissé de côté : kml:truncated.kml n'est pas un fichier KML lisible : le XML est cassé "
        "vers la ligne 35 (ERROR parsing kml "
    )
    assert issue.hint_fr.startswith("Vérifiez que le fichier est complet") and "Causes habituelles : " in issue.hint_fr
    assert "Typical causes" not in issue.hint_fr


# -- the French report -------------------------------------------------------------------------------------


def test_the_french_report_of_a_damaged_source(data_copy, tmp_path: Path, capsys) -> None:
    shp = data_copy(TRAM)
    cut_dbf(shp, 87)
    english = "tram_stops.dbf declares 174 records but holds 87: the other 87 features would be missing"
    out = tmp_path / "fr"
    assert main(["check", str(shp), "--out", str(out), "--lang", "fr"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert english not in page
    assert "tram_stops.dbf déclare 174 enregistrements mais en contient 87 : il manquerait 87 objets" in page
    assert "Exportez à nouveau la couche depuis le logiciel" in page and "Export the layer again" not in page
    counts = re.search(r"<div class='counts'>(.*?)</div>", page)
    assert counts is not None
    assert re.sub("<[^>]+>", "|", counts.group(1)) == "|1 erreur||0 avertissement||1 information|"
    assert "<summary>1 information</summary>" in page
    summary = capsys.readouterr().out
    assert "  1 erreur, 0 avertissement, 1 note : à corriger avant publication" in summary
    assert "il manquerait 87 objets" in summary and english not in summary

    assert main(["check", str(shp), "--out", str(tmp_path / "en"), "--lang", "en"]) == 0
    page = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert english in page
    counts = re.search(r"<div class='counts'>(.*?)</div>", page)
    assert counts is not None
    assert re.sub("<[^>]+>", "|", counts.group(1)) == "|1 error||0 warnings||1 note|"
    assert "  1 error, 0 warnings, 1 note: to be corrected before publishing" in capsys.readouterr().out


# -- no English-only reader message comes back -----------------------------------------------------------------

#: where the issues of reading, normalising and writing files are made
READER_MODULES = [
    *sorted((REPO / "odl_geo" / "sources").rglob("*.py")),
    *sorted((REPO / "odl_geo" / "normalise").rglob("*.py")),
    *sorted((REPO / "odl_geo" / "exports").rglob("*.py")),
    REPO / "odl_geo" / "crs.py",
    REPO / "odl_geo" / "conversion.py",
]
#: the calls that make an issue from its texts: ``Issue(...)``, the pipeline's ``LayerStream._add(...)``, the
#: Shapefile integrity's ``Damage(...)``
ISSUE_CALLS = {"Issue", "_add", "Damage"}


def _english_only(text: str, where: str) -> list[str]:
    """The calls of :data:`ISSUE_CALLS` in the Python ``text`` that give no French message (``where:line``)."""
    tree = ast.parse(text, filename=where)
    counted = {  # Issue(...).counted(template, template_fr, ...): its French written from a template
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "counted"
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in ISSUE_CALLS or id(node) in counted:
            continue
        keywords = {k.arg for k in node.keywords}
        if "message_fr" in keywords or None in keywords:  # None: Issue(**issue.__dict__), a copy keeps its French
            continue
        found.append(f"{where}:{node.lineno} {name}(...)")
    return found


def test_every_reader_and_writer_issue_has_its_french() -> None:
    assert len(READER_MODULES) > 20
    english_only = [
        where
        for path in READER_MODULES
        for where in _english_only(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))
    ]
    assert not english_only, f"issues without message_fr (give it, or build them with .counted()): {english_only}"


def test_the_guard_sees_an_english_only_issue() -> None:
    text = (
        'Issue("X_Y", Severity.INFO, "english", layer="l")\n'
        'self._add("X_Y", Severity.INFO, "english")\n'
        'Damage("X_Y", "english", features=0)\n'
        'Issue("X_Y", Severity.INFO, "", layer="l").counted("{n} english", "{n} français", n=2)\n'
        'Issue(**{**issue.__dict__, "layer": "m"})\n'
    )
    assert _english_only(text, "probe.py") == [
        "probe.py:1 Issue(...)",
        "probe.py:2 _add(...)",
        "probe.py:3 Damage(...)",
    ]
    french_too = text.replace('"english"', '"english", message_fr="français"')
    assert _english_only(french_too, "probe.py") == []
