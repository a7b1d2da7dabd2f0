"""Generic water-points profile on the real Montpellier fountains (CSV in CP1252 with decimal commas, and GeoJSON)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from frictionless import Resource, Schema

from odl_geo.profiles.water import table_schema
from odl_geo.theme import ThemeOptions, check_theme, convert_theme

FOUNTAINS_CSV = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"
FOUNTAINS_GEOJSON = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson"
MAPPING = """
[constants]
type_point = "borne_fontaine"
insee = "34172"
commune = "Montpellier"
gestionnaire = "Ville de Montpellier"
"""


def test_without_mapping_the_kind_of_point_is_reported_missing(data_copy):
    run = check_theme(data_copy(FOUNTAINS_CSV), "water")
    missing = next(i for i in run.report.issues if i.code == "REQUIRED_FIELD_MISSING")
    assert missing.message.endswith(": type_point.")
    assert run.layers[0].matches["id_local"] == ("Dossier", "synonym")


def test_fountains_convert_with_a_mapping_file(data_copy, tmp_path):
    toml = tmp_path / "fontaines.toml"
    toml.write_text(MAPPING, encoding="utf-8")
    out = tmp_path / "out"
    run = convert_theme(data_copy(FOUNTAINS_CSV), out, "water", ThemeOptions(mapping=toml, area="34"))
    assert not run.report.has_errors
    stem = "VilleMTP_MTP_Fontaines_points-eau"
    rows = list(csv.DictReader((out / f"{stem}.csv").open(encoding="utf-8")))
    assert len(rows) == 48
    first = rows[0]
    assert first["id_local"] == "1056" and first["nom"] == "Square Théophraste Renaudot"
    assert first["type_point"] == "borne_fontaine" and first["insee"] == "34172"
    assert first["categorie_site"] == "Square" and first["nombre"] == "1"
    assert first["lon"] == "3.87576" and first["lat"] == "43.615"  # decimal commas of the CP1252 CSV
    assert max(int(r["nombre"]) for r in rows) == 29  # the cemetery outlier is kept as it is
    descriptor = table_schema()
    report = Resource(path=f"{stem}.csv", basepath=str(out), schema=Schema.from_descriptor(descriptor)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])
    doc = json.loads((out / f"{stem}.geojson").read_text(encoding="utf-8"))
    assert len(doc["features"]) == 48 and doc["features"][0]["geometry"]["type"] == "Point"
    assert doc["features"][0]["properties"]["id_local"] == "1056"


def test_geojson_twin_gives_the_same_identifiers(data_copy):
    """The GeoJSON stores Dossier as floats (1056.0): identifiers must still read 1056."""
    run = check_theme(data_copy(FOUNTAINS_GEOJSON), "water")
    assert run.layers[0].frame["id_local"].iloc[0] == "1056"
    assert "DUPLICATE_ID" not in run.report.codes()


def test_pei_data_given_to_the_water_theme_gets_a_hint(data_copy):
    from odl_geo.sources import ReadOptions

    pei = Path(__file__).resolve().parents[1] / "data" / "pei" / "pei_generated_occitanie.csv"
    run = check_theme(pei, "water", read_options=ReadOptions(source_crs="EPSG:2154"))
    hint = next(i for i in run.report.issues if i.code == "THEME_MISMATCH")
    assert hint.severity.value == "warning" and hint.hint == "Run again with --theme pei."
    assert "code_insee" in hint.message and "match the pei theme" in hint.message
    fountains = check_theme(data_copy(FOUNTAINS_CSV), "pei")  # and the other way round
    assert "Run again with --theme water." in [i.hint for i in fountains.report.issues if i.code == "THEME_MISMATCH"]
    assert "THEME_MISMATCH" not in check_theme(data_copy(FOUNTAINS_CSV), "water").report.codes()
    # a KML's Name/description are every placemark's, not a sign of trails
    kml = data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.kml")
    assert "THEME_MISMATCH" not in check_theme(kml, "water").report.codes()
    assert (
        "THEME_MISMATCH" not in check_theme(pei, "pei", read_options=ReadOptions(source_crs="EPSG:2154")).report.codes()
    )
