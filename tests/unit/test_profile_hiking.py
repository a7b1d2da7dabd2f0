"""Hiking profile -> Etalab itineraire-randonnee, checked by jsonschema against the pinned official schema."""

from __future__ import annotations

import hashlib
import json

import pytest
from jsonschema import Draft7Validator

from odl_geo.errors import InputError
from odl_geo.profiles.schemas import load_schema, schema_path
from odl_geo.theme import ThemeOptions, check_theme, convert_theme

CEVENNES = "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"
INCORRECT = "hiking/geotrek_admin_fixtures/trekking/tests/data/schema_randonnee_parser/incorrect_geoms.geojson"
TREK = "hiking/geotrek_admin_fixtures/trekking/tests/data/trek.shp"


def _official_errors(path):
    """The official validator, run here independently of odl-geo's own code."""
    schema = load_schema("itineraire-randonnee.schema.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    return list(Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER).iter_errors(doc))


def test_pinned_schema_is_the_official_file(shared_data):
    official = shared_data / "schemas/itineraire-randonnee/schema.json"
    with open(schema_path("itineraire-randonnee.schema.json"), "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == hashlib.sha256(official.read_bytes()).hexdigest()
    assert load_schema("itineraire-randonnee.schema.json")["version"] == "1.0.2"


def test_cevennes_trails_convert_to_a_schema_valid_geojson(data_copy, tmp_path):
    src = data_copy(CEVENNES)
    run = convert_theme(src, tmp_path / "out", "hiking", ThemeOptions(area="occitanie"), formats=["gpkg"])
    product = tmp_path / "out" / "exemple-valide_itineraire-randonnee.geojson"
    assert product.exists()
    assert _official_errors(product) == []
    doc = json.loads(product.read_text(encoding="utf-8"))
    assert len(doc["features"]) == 8
    first = doc["features"][0]
    assert first["geometry"]["type"] == "LineString"
    lon, lat = first["geometry"]["coordinates"][0]
    assert 3.5 < lon < 4.2 and 44.0 < lat < 44.5  # WGS 84, in the Cévennes
    props = first["properties"]
    assert list(props)[:4] == ["id_local", "producteur", "contact", "uuid"]  # the schema's order
    assert props["pratique"] == "pédestre"
    assert props["date_creation"] == "2015-10-23"
    assert isinstance(props["medias"], list) and props["medias"][0]["url"].startswith("https://")
    assert "&eacute;" not in props["instructions"]  # Geotrek's HTML entities decoded
    # the source says "transports": matched by synonym
    assert sum(bool(f["properties"]["transports_commun"]) for f in doc["features"]) == 3
    assert "SCHEMA_VALID" in run.report.codes()
    assert {f.path for f in run.files} >= {product.name, "exemple-valide_hiking.gpkg"}
    manifest = json.loads((tmp_path / "out/manifest.json").read_text())
    assert manifest["files"][0]["sha256"] and manifest["files"][0]["format"] == "geojson"
    assert (tmp_path / "out/report.html").exists() and (tmp_path / "out/report.json").exists()


def test_real_trails_with_codes_of_merged_communes_are_reported(data_copy):
    """The Cévennes file (2021) lists 48186 and 48022, communes merged into Florac Trois Rivières and
    Bédouès-Cocurès in 2016: their codes are gone from the COG."""
    run = check_theme(data_copy(CEVENNES), "hiking")
    unknown = [i for i in run.report.issues if i.code == "INSEE_UNKNOWN"]
    assert unknown and unknown[0].examples == [4] and "48186" in unknown[0].message


def test_multilinestring_is_joined_and_null_geometries_are_invalid(data_copy, tmp_path):
    """Geotrek's fixture: one MultiLineString of two identical parts, two features without geometry."""
    run = check_theme(data_copy(INCORRECT), "hiking")
    assert "LINES_MERGED" in run.report.codes()
    assert run.layers[0].frame.geometry.iloc[0].geom_type == "LineString"
    missing = next(i for i in run.report.issues if i.code == "GEOM_MISSING")
    assert missing.count == 2
    assert "SCHEMA_INVALID" in run.report.codes()  # the schema requires a geometry object
    with pytest.raises(InputError, match=r"cannot be published as hiking: .*SCHEMA_INVALID"):
        convert_theme(data_copy(INCORRECT), tmp_path / "o", "hiking")
    assert not list((tmp_path / "o").glob("*.geojson"))  # no invalid product, only the reports
    run = convert_theme(data_copy(INCORRECT), tmp_path / "o2", "hiking", ThemeOptions(drop_invalid=True))
    product = tmp_path / "o2" / "incorrect_geoms_itineraire-randonnee.geojson"
    assert _official_errors(product) == []
    assert len(json.loads(product.read_text())["features"]) == 1
    assert "FEATURES_LEFT_OUT" in run.report.codes()


def test_geotrek_shapefile_without_the_schema_fields(data_copy):
    run = check_theme(data_copy(TREK), "hiking")
    missing = next(i for i in run.report.issues if i.code == "REQUIRED_FIELD_MISSING")
    assert missing.message.endswith("id_local, producteur, pratique, depart, arrivee, instructions.")
    assert run.layers[0].matches["nom_itineraire"] == ("Name", "synonym")
    assert run.layers[0].frame.crs.to_epsg() == 4326  # reprojected from IGNF Lambert-93


def test_points_are_the_wrong_geometry_for_trails(data_copy):
    run = check_theme(data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson"), "hiking")
    wrong = next(i for i in run.report.issues if i.code == "GEOM_WRONG_TYPE")
    assert wrong.count == 48 and "Point" in wrong.message and "line" in wrong.message


def test_a_real_value_outside_the_practice_list_is_an_error(data_copy, tmp_path):
    """Geotrek's trek.shp with a mapping file that feeds pratique from the wrong column (Themes): its real value
    'Littoral + Marais' is no practice of the schema; jsonschema agrees."""
    toml = tmp_path / "trek.toml"
    toml.write_text('[fields]\npratique = "Themes"\n', encoding="utf-8")
    run = check_theme(data_copy("hiking/geotrek_admin_fixtures/trekking/tests/data/trek.shp"), "hiking",
                      ThemeOptions(mapping=toml))  # fmt: skip
    enum = next(i for i in run.report.issues if i.code == "ENUM_VALUE_INVALID")
    assert enum.severity.value == "error" and enum.examples == [0]
    assert enum.message.startswith("pratique: 1 value outside the allowed list ('Littoral + Marais')")
    assert any(i.code == "SCHEMA_INVALID" and "pratique" in i.message for i in run.report.issues)
