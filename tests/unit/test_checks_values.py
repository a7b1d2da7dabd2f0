"""Attribute checks (duplicates, dates, INSEE codes, names, encoding damage), each on a real failing file."""

from __future__ import annotations

import shutil

import pytest

from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, check_theme
from odl_geo.values import parse_date

REPERES = "flood/ddtm34_reperes_crue/Exemple_Couche_Repere_Crue.zip"
PAC = "flood/ddtm34_pac_risques/N_PAC_RISQUES_S_034.shp"


def _issue(run, code):
    hits = [i for i in run.report.issues if i.code == code]
    assert hits, f"{code} not reported; got {sorted(run.report.codes())}"
    return hits[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-05-07", ("2019-05-07", "iso")),
        ("12/03/1999", ("1999-03-12", "full")),
        ("2010_11_05", ("2010-11-05", "full")),
        ("1997/12/18", ("1997-12-18", "full")),
        ("09 08 1906", ("1906-08-09", "full")),
        ("12 mars 1999", ("1999-03-12", "full")),
        ("mars 1999", ("1999-03", "partial")),
        ("1930/??/??", ("1930", "partial")),
        ("1999/03/??", ("1999-03", "partial")),
        ("????/??/??", (None, "unknown")),
        ("19??/??/??", (None, "unknown")),
        ("31/02/2001", (None, "unreadable")),
        ("hier", (None, "unreadable")),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_flood_marks_dates_duplicates_and_unknown_insee(data_copy):
    run = check_theme(data_copy(REPERES), None)
    dates = _issue(run, "DATE_NOT_ISO")
    assert dates.count == 5133
    assert "complete: 2,941" in dates.message and "partial: 1,976" in dates.message and "unknown: 216" in dates.message
    assert "DATE_CRUE : 5\u202f133 dates hors format ISO 8601" in dates.message_fr  # French grouping
    assert _issue(run, "DUPLICATE_GEOMETRY").count == 2137  # marks of several floods on one wall
    assert "DUPLICATE_FEATURE" not in run.report.codes()
    unknown = _issue(run, "INSEE_UNKNOWN")
    assert unknown.examples == [5130, 5131] and "'34440'" in unknown.message
    outside = _issue(check_theme(data_copy(REPERES), None, ThemeOptions(area="30")), "INSEE_OUTSIDE_AREA")
    assert outside.count == 5131 - 9 and "outside Gard (30)" in outside.message  # 9 marks are in Gard


def test_fix_rewrites_complete_dates_only(data_copy):
    run = check_theme(data_copy(REPERES), None, ThemeOptions(fix=True))
    frame = run.layers[0].frame
    assert frame["DATE_CRUE"].iloc[0] == "1997-12-18"
    assert frame["DATE_CRUE"].iloc[1] == "1982/??/??"  # partial: the day is not known, left as it is
    remaining = _issue(run, "DATE_NOT_ISO")
    assert remaining.count == 5133 - 2941
    fix = next(f for f in run.layers[0].fixes if f.code == "DATE_NOT_ISO")
    assert fix.changes[0].startswith("DATE_CRUE: 2,941 dates rewritten as ISO 8601")


def test_underscore_dates_of_the_pac_layer(data_copy):
    run = check_theme(data_copy(PAC), None)
    assert "'2012_07_23'" in _issue(run, "DATE_NOT_ISO").message
    assert _issue(run, "DUPLICATE_GEOMETRY").count == 174


def test_exact_duplicates_and_their_fix(data_copy):
    src = data_copy("encoding/pyshp_fixtures/corrupt_too_long.shp")
    run = check_theme(src, None)
    assert _issue(run, "DUPLICATE_FEATURE").count == 9
    fixed = check_theme(src, None, ThemeOptions(fix=True), ReadOptions(source_crs="EPSG:2154"))
    assert len(fixed.layers[0].frame) == 1


def test_duplicate_identifiers(data_copy):
    """GDAL's departs.shp: three features, all with ID 0."""
    run = check_theme(data_copy("encoding/gdal_autotest/shp/departs.shp"), None)
    dup = _issue(run, "DUPLICATE_ID")
    assert dup.examples == [1, 2] and "ID: 1 identifier is used" in dup.message


def test_malformed_insee_code(data_copy):
    run = check_theme(data_copy("hiking/geotrek_admin_fixtures/zoning/tests/data/polygon_not_valid.geojson"), None)
    assert "Insee: 1 value is not an INSEE commune code, e.g. '0'" in _issue(run, "INSEE_INVALID").message


def test_insee_code_of_a_former_commune_and_lost_leading_zero(data_copy, tmp_path):
    """No shared file holds such codes: real rows of the flood marks with two codes replaced (one row each)."""
    import pyogrio

    from odl_geo.normalise.frames import read_frame
    from odl_geo.sources import open_source

    with open_source(data_copy(REPERES)) as src:
        frame = read_frame(src.layers[0]).head(3).copy()
    frame.loc[0, "INSEE"] = "01015"  # Arbignieu, commune déléguée of Arboys en Bugey (01015 is also its code)
    frame.loc[1, "INSEE"] = "34192"  # 34192 does not exist ... replaced below by a real associated commune
    frame.loc[1, "INSEE"] = "01120"  # Cordieux, commune associée of Montluel (01262)
    frame.loc[2, "INSEE"] = "9122"  # Foix read as a number
    path = tmp_path / "reperes_3.gpkg"
    pyogrio.write_dataframe(frame, path)
    run = check_theme(path, None)
    assert _issue(run, "INSEE_OUTDATED").examples == [1]
    assert "01120 (Cordieux -> 01262)" in _issue(run, "INSEE_OUTDATED").message
    assert _issue(run, "INSEE_INVALID").examples == [2]
    fixed = check_theme(path, None, ThemeOptions(fix=True)).layers[0].frame
    assert fixed["INSEE"].tolist() == ["01015", "01262", "09122"]


def test_field_names_not_safe_for_ogc_servers(data_copy):
    src = data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson")
    run = check_theme(src, None)
    assert "'CatÉgorie'" in _issue(run, "FIELD_NAME_NOT_XML_SAFE").message
    fixed = check_theme(src, None, ThemeOptions(fix=True)).layers[0].frame
    assert "categorie" in fixed.columns and "CatÉgorie" not in fixed.columns


def test_layer_name_not_safe_for_ogc_servers(shared_data, tmp_path):
    """A real file saved under the kind of name a Windows user gives (spaces, accent, leading digit)."""
    target = tmp_path / "2014 Bornes fontaines Montpellier é.geojson"
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson", target)
    issue = _issue(check_theme(target, None), "LAYER_NAME_NOT_XML_SAFE")
    assert "'2014 Bornes fontaines Montpellier é'" in issue.message


def test_mojibake_of_tram_stops_read_with_a_wrong_encoding(data_copy):
    """tram_stops.dbf is UTF-8 without .cpg; forcing CP1252 gives 'PhilippidÃ¨s', which --fix undoes."""
    src = data_copy("encoding/lizmap_montpellier_demo/tram_stops.shp")
    run = check_theme(src, None, read_options=ReadOptions(encoding="CP1252"))
    issue = _issue(run, "TEXT_ENCODING_DAMAGED")
    assert issue.message.startswith("name: ") and "Ã" in issue.message
    fixed = check_theme(src, None, ThemeOptions(fix=True), ReadOptions(encoding="CP1252")).layers[0].frame
    assert "Stade Philippidès" in set(fixed["name"])
    assert "TEXT_ENCODING_DAMAGED" not in check_theme(src, None).report.codes()  # detected encoding: no damage


def test_iso_dates_are_validated_not_only_shaped():
    import pandas as pd

    from odl_geo.checks.dates import _valid_iso

    values = pd.Series(["2019-02-03", "2019-02-30", "2019-2-3", "1930/??/??", None, "2019-12-31"], dtype="str")
    assert _valid_iso(values).tolist() == [True, False, False, False, False, True]


def test_parallel_and_serial_runs_agree(data_copy, monkeypatch):
    """Large layers run the check families in threads: same issues, same order, same rows."""
    from odl_geo.checks import runner
    from odl_geo.checks.areas import resolve_area
    from odl_geo.checks.registry import CheckContext
    from odl_geo.normalise.frames import read_frame
    from odl_geo.sources import open_source

    with open_source(data_copy(REPERES)) as src:
        frame = read_frame(src.layers[0])
    area = resolve_area("30")
    serial = runner.run_checks(CheckContext(frame, "r", area_insee=area.insee), None, workers=1)
    monkeypatch.setattr(runner, "PARALLEL_FROM", 0)
    parallel = runner.run_checks(CheckContext(frame, "r", area_insee=area.insee), None, workers=2)
    assert [(i.code, i.count, i.examples[:20]) for i in serial.issues] == [
        (i.code, i.count, i.examples[:20]) for i in parallel.issues
    ]
    assert serial.faulty == parallel.faulty and len(serial.issues) >= 4


def test_double_mojibake_is_fixed_in_one_pass(data_copy, tmp_path):
    """A real UTF-8 file converted to "UTF-8" twice from Windows-1252 ('Théophraste' -> 'ThÃƒÂ©ophraste')."""
    src = data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson")
    text = src.read_text(encoding="utf-8")
    twice = text.encode("utf-8").decode("cp1252", errors="strict").encode("utf-8").decode("cp1252").encode("utf-8")
    damaged = tmp_path / "fontaines_double.geojson"
    damaged.write_bytes(twice)
    run = check_theme(damaged, None)
    issue = _issue(run, "TEXT_ENCODING_DAMAGED")
    assert "ÃƒÂ©" in issue.message
    fixed = check_theme(damaged, None, ThemeOptions(fix=True))
    assert "TEXT_ENCODING_DAMAGED" not in fixed.report.codes()
    frame = fixed.layers[0].frame
    original = check_theme(src, None).layers[0].frame
    assert frame["Nom"].tolist() == original["Nom"].tolist()
    assert "Square Théophraste Renaudot" in set(frame["Nom"])


def test_theme_products_get_an_xml_safe_layer_name(shared_data, tmp_path):
    """The same real file under a name with a leading digit: the products are named safely, and say so."""
    import json

    from odl_geo.theme import convert_theme

    target = tmp_path / "2014 Bornes fontaines Montpellier é.csv"
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", target)
    toml = tmp_path / "fontaines.toml"
    toml.write_text('[constants]\ntype_point = "borne_fontaine"\ninsee = "34172"\n', encoding="utf-8")
    out = tmp_path / "out"
    run = convert_theme(target, out, "water", ThemeOptions(mapping=toml))
    assert "LAYER_NAME_NOT_XML_SAFE" not in run.report.codes()
    renamed = _issue(run, "LAYER_RENAMED")
    assert "'couche_2014_Bornes_fontaines_Montpellier_e'" in renamed.message
    names = sorted(p.name for p in out.iterdir())
    assert "couche_2014_Bornes_fontaines_Montpellier_e_points-eau.geojson" in names
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert all(f["layer"][0].isalpha() for f in manifest["files"])
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["layers"][0]["product_layer"] == (
        "couche_2014_Bornes_fontaines_Montpellier_e"
    )
    assert "LAYER_NAME_NOT_XML_SAFE" in check_theme(target, None).report.codes()  # no theme, no product: warned
