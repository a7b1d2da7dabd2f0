"""PEI profile -> Table Schema point-eau-incendie, checked by frictionless on the CSV odl-geo writes.

There is no real PEI dataset with a licence: the PEI path runs on tests/data/pei/pei_generated_occitanie.csv, a
GENERATED fixture (see its make_pei_generated.py), against the schema's own constraints. The "required field
missing" path runs on the real Montpellier fountains, which are not PEI: nothing may be invented for them.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from frictionless import Resource, Schema

from odl_geo.errors import InputError
from odl_geo.profiles.schemas import load_schema, schema_path
from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, check_theme, convert_theme

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "pei" / "pei_generated_occitanie.csv"
L93 = ReadOptions(source_crs="EPSG:2154")
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def _frictionless(path: Path):
    descriptor = {k: v for k, v in load_schema("point-eau-incendie.schema.json").items() if k != "$schema"}
    return Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(descriptor)).validate()


def test_pinned_schema_is_the_official_file(shared_data):
    official = shared_data / "schemas/point-eau-incendie/schema.json"
    with open(schema_path("point-eau-incendie.schema.json"), "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(official.read_bytes()).hexdigest()


def test_every_planted_fault_is_found_at_its_row(tmp_path):
    run = check_theme(FIXTURE, "pei", ThemeOptions(area="occitanie"), L93)
    by_code = {i.code: i for i in run.report.issues}
    assert by_code["ENUM_VALUE_INVALID"].examples == [3] and "'PX'" in by_code["ENUM_VALUE_INVALID"].message
    assert by_code["REQUIRED_VALUE_EMPTY"].examples == [7] and by_code["REQUIRED_VALUE_EMPTY"].message.startswith(
        "insee"
    )
    assert by_code["COORDS_OUTSIDE_FRANCE"].examples == [11]  # in the sea, 140 km off the Occitanie coast
    assert "COORDS_OUTSIDE_AREA" not in by_code  # the other 29 are in Occitanie
    assert by_code["DATE_NOT_ISO"].examples == [15] and "'12/03/1999'" in by_code["DATE_NOT_ISO"].message
    assert by_code["DUPLICATE_ID"].examples == [19]
    assert by_code["ANON_TEXT_MASKED"].examples == [22]  # a phone number in the address, masked by default
    mapped = " ".join(i.message for i in run.report.issues if i.code == "ENUM_VALUES_MAPPED")
    assert "'Poteau' -> 'PI'" in mapped and "'privé' -> 'prive'" in mapped
    # the official validator agrees on the schema's own constraints
    invalid = [i for i in run.report.issues if i.code == "SCHEMA_INVALID"]
    assert {tuple(i.examples) for i in invalid} == {(3,), (7,), (15,)}


def test_fix_and_drop_invalid_give_a_csv_frictionless_accepts(tmp_path):
    out = tmp_path / "out"
    run = convert_theme(
        FIXTURE, out, "pei", ThemeOptions(fix=True, drop_invalid=True, area="occitanie"), read_options=L93
    )
    product = out / "pei_generated_occitanie_pei.csv"
    report = _frictionless(product)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])
    rows = list(csv.DictReader(product.open(encoding="utf-8")))
    # PX type, empty insee, point at sea, duplicate id left out; the date was fixed, not dropped
    assert len(rows) == 30 - 4
    assert list(rows[0]) == [f["name"] for f in load_schema("point-eau-incendie.schema.json")["fields"]]
    fixed = next(r for r in rows if r["id_gestion"] == "1015")
    assert fixed["date_mes"] == "1999-03-12"
    first = rows[0]
    assert first["insee"] == "34172" and first["type_pei"] == "PI" and first["disponible"] == "0"
    assert first["id_sdis"] == "34172.05930"  # an SDIS id that looks like a number keeps its trailing zero
    assert first["x"] == "771112.87" and first["y"] == "6279320.36"  # Lambert-93, 2 decimals
    assert abs(float(first["lon"]) - 3.8767) < 0.01 and abs(float(first["lat"]) - 43.6108) < 0.01
    assert first["press_dyn"] == "2" and rows[1]["press_dyn"] == "3.7"  # decimal commas read as numbers
    assert all(r["nom_etab"] == "" for r in rows)  # personal by default (a private owner may be a person)
    assert "FIX_APPLIED" in run.report.codes() and "FEATURES_LEFT_OUT" in run.report.codes()


def test_keep_personal_publishes_company_names(tmp_path):
    opts = ThemeOptions(fix=True, drop_invalid=True, keep_personal=("nom_etab",), mask_free_text=True)
    convert_theme(FIXTURE, tmp_path / "o", "pei", opts, read_options=L93)
    rows = list(csv.DictReader((tmp_path / "o/pei_generated_occitanie_pei.csv").open(encoding="utf-8")))
    assert {r["nom_etab"] for r in rows} >= {"Clinique du Parc", "M. Jean Dupont"}
    gardien = next(r for r in rows if "gardien" in r["situation"])
    assert "06 12" not in gardien["situation"] and "[téléphone masqué]" in gardien["situation"]


def test_montpellier_fountains_are_not_pei_and_nothing_is_invented(data_copy, tmp_path):
    src = data_copy(FOUNTAINS)
    run = check_theme(src, "pei")
    missing = next(i for i in run.report.issues if i.code == "REQUIRED_FIELD_MISSING")
    assert missing.message == "Required fields missing, or empty in every feature: insee, type_pei, type_rd."
    assert "never invents" in missing.hint
    frame = run.layers[0].frame
    assert frame["insee"].isna().all() and frame["type_pei"].isna().all() and frame["type_rd"].isna().all()
    assert frame["lon"].notna().all()  # only what the geometry gives
    with pytest.raises(InputError, match=r"cannot be published as pei: .*REQUIRED_FIELD_MISSING"):
        convert_theme(src, tmp_path / "out", "pei")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json"]
