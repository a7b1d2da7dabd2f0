"""The errors of the themes (mapping file, theme registry, flood PPR) in French: each one triggered through the real
code, its French naming the same file, section, field or value as its English, which stays as it was."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pytest
from shapely.geometry import Point

from odl_geo.errors import InputError, SourceNotFoundError
from odl_geo.numbers import NARROW_NBSP
from odl_geo.profiles.flood import FloodSettings
from odl_geo.profiles.flood.gpkg import refuse_broken_references
from odl_geo.profiles.flood.roles import assign_ppr_roles
from odl_geo.profiles.flood.validate import validate_geopackage
from odl_geo.profiles.mapping import conform_frame, load_mapping, parse_mapping
from odl_geo.profiles.registry import load_profile
from odl_geo.report import Report


def test_missing_and_non_utf8_mapping_files(tmp_path):
    profile = load_profile("water")
    with pytest.raises(InputError) as info:
        load_mapping(tmp_path / "map.toml", profile)
    assert info.value.message == f"The mapping file {tmp_path / 'map.toml'} does not exist."
    assert info.value.message_fr == f"Le fichier de correspondance {tmp_path / 'map.toml'} est introuvable."
    assert info.value.hint_fr == "Vérifiez le chemin donné à --mapping."
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[constants]\ncommune = "Sète"\n'.encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_mapping(latin, profile)
    assert info.value.message == "The mapping file latin.toml is not UTF-8 text."
    assert info.value.message_fr == "Le fichier de correspondance latin.toml n'est pas un texte en UTF-8."
    assert info.value.hint_fr == "Enregistrez-le en UTF-8."


def test_mapping_file_mistakes_are_told_in_french():
    hiking = load_profile("hiking")
    with pytest.raises(InputError) as info:
        parse_mapping('[fields]\nnom_itinerair = "NOM"\n', hiking, "rando.toml")
    assert (
        info.value.message
        == "rando.toml [fields] names the field 'nom_itinerair', which the hiking schema does not have."
    )
    assert info.value.message_fr == "rando.toml [fields] nomme le champ 'nom_itinerair', que le schéma hiking n'a pas."
    assert info.value.hint_fr.startswith("Vouliez-vous dire 'nom_itineraire' ? Champs : ")
    with pytest.raises(InputError) as info:
        parse_mapping('[constants]\naltitude_max = "haut"\n', hiking, "rando.toml")
    assert info.value.message.startswith("rando.toml [constants] altitude_max = 'haut' is not a")
    assert info.value.message_fr == "rando.toml [constants] altitude_max = 'haut' n'est pas un nombre entier."
    assert info.value.hint_fr == "Donnez un nombre entier."
    with pytest.raises(InputError) as info:
        parse_mapping("[styles]\n", hiking, "rando.toml")
    assert info.value.message_fr == "Le fichier de correspondance rando.toml contient une section inconnue [styles]."
    assert info.value.hint_fr == "Sections possibles : [fields], [constants], [values], [anonymise]."
    with pytest.raises(InputError) as info:
        parse_mapping("[anonymise]\nkeep = true\n", hiking, "rando.toml")
    assert info.value.message == "rando.toml [anonymise] keep must be a list."
    assert info.value.message_fr == "rando.toml [anonymise] keep doit être une liste."
    with pytest.raises(InputError) as info:
        parse_mapping('[values.pratique]\n"rando" = "nage"\n', hiking, "rando.toml")
    assert (
        info.value.message_fr
        == "rando.toml [values.pratique] 'rando' = 'nage' : 'nage' n'est pas une valeur de pratique."
    )
    assert info.value.hint_fr.startswith("Valeurs autorisées : ") and "pédestre" in info.value.hint_fr


def test_a_mapped_source_field_the_layer_lacks():
    profile = load_profile("water")
    mapping = parse_mapping('[fields]\nnom = "NOM_BORNE"\n', profile, "eau.toml")
    frame = gpd.GeoDataFrame({"NOM_BORN": ["a"], "Dossier": ["1"]}, geometry=[Point(3.9, 43.6)], crs=4326)
    with pytest.raises(InputError) as info:
        conform_frame(frame, profile.roles[0], mapping, Report(), "bornes")
    assert info.value.message == "eau.toml [fields] nom = 'NOM_BORNE': the layer bornes has no field 'NOM_BORNE'."
    assert (
        info.value.message_fr == "eau.toml [fields] nom = 'NOM_BORNE' : la couche bornes n'a pas de champ 'NOM_BORNE'."
    )
    assert info.value.hint_fr == "Vouliez-vous dire 'NOM_BORN' ? Champs de la couche : NOM_BORN, Dossier."


def test_unknown_theme():
    with pytest.raises(InputError) as info:
        load_profile("voirie")
    assert info.value.message == "Unknown theme 'voirie'."
    assert info.value.message_fr == "Thème inconnu : 'voirie'."
    assert info.value.hint_fr == "Thèmes : hiking, water, pei, flood."


@pytest.mark.parametrize(
    ("settings", "message_fr", "hint_fr"),
    [
        ({"licence": "etalab"}, "Paramètre inconnu du thème inondation : licence.", "Paramètres connus : "),
        (
            {"licence": "etalab", "auteur": "DDT"},
            "Paramètres inconnus du thème inondation : auteur, licence.",
            "Paramètres connus : ",
        ),
        (
            {"dateetat": "23/12/2022"},
            "dateetat '23/12/2022' n'est pas une date.",
            "Écrivez-la sous la forme AAAA-MM-JJ",
        ),
        (
            {"codeprocedure": "38-DDT"},
            "codeprocedure '38-DDT' ne ressemble pas à un code de procédure GASPAR.",
            "Un code GASPAR a la forme 38DDT20200002",
        ),
        (
            {"typeprocedure": "PPRX"},
            "typeprocedure 'PPRX' n'est pas dans la liste de codes CNIG typeprocedure.",
            "Utilisez l'un de ces codes : ",
        ),
    ],
)
def test_bad_flood_settings(settings, message_fr, hint_fr):
    with pytest.raises(InputError) as info:
        FloodSettings.from_mapping(settings)
    assert info.value.message_fr == message_fr
    assert info.value.hint_fr.startswith(hint_fr)


def test_layers_that_are_not_a_ppr_or_mix_formats():
    with pytest.raises(InputError) as info:
        assign_ppr_roles(["N_PAC_RISQUES_S_034"])
    assert info.value.message.startswith("N_PAC_RISQUES_S_034: a COVADIS 'porter à connaissance' (PAC) layer")
    assert info.value.message_fr == (
        "N_PAC_RISQUES_S_034 : une couche COVADIS de « porter à connaissance » (PAC) des zones de risque, pas un plan "
        "de prévention des risques."
    )
    assert "odl-geo convert FICHIER" in info.value.hint_fr and "--theme" in info.value.hint_fr
    with pytest.raises(InputError) as info:
        assign_ppr_roles([])
    assert info.value.message_fr == "rien : aucune couche d'un plan de prévention des risques (PPR)."
    with pytest.raises(InputError) as info:
        assign_ppr_roles(["N_ZONE_ALEA_PPRN_20200002_S_038", "N_ZONE_REG_PPRN_20200002_S_038"])
    assert info.value.message_fr.startswith("Aucune couche N_PERIMETRE_PPR* parmi N_ZONE_ALEA_PPRN_20200002_S_038, ")


def test_validator_refuses_a_missing_file_and_what_is_not_a_geopackage(tmp_path):
    with pytest.raises(SourceNotFoundError) as info:
        validate_geopackage(tmp_path / "pprn_38ddt20200002.gpkg")
    assert info.value.message == f"{tmp_path / 'pprn_38ddt20200002.gpkg'} does not exist."
    assert info.value.message_fr == f"{tmp_path / 'pprn_38ddt20200002.gpkg'} est introuvable."
    fake = tmp_path / "ppr.gpkg"
    fake.write_text("<qgis/>", encoding="utf-8")
    with pytest.raises(InputError) as info:
        validate_geopackage(fake)
    assert info.value.message_fr == "ppr.gpkg n'est pas un GeoPackage (ce n'est pas une base de données SQLite)."
    sqlite3.connect(tmp_path / "plain.gpkg").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(InputError) as info:
        validate_geopackage(tmp_path / "plain.gpkg")
    assert info.value.message_fr == (
        "plain.gpkg est une base de données SQLite mais pas un GeoPackage (pas de table gpkg_contents)."
    )


@pytest.mark.parametrize(
    ("bad", "counted", "verb", "more"),
    [
        (1, "1 valeur est", "renvoie", ""),
        (1_007, f"1{NARROW_NBSP}007 valeurs sont", "renvoient", f" (et 1{NARROW_NBSP}002 autres)"),
    ],
)
def test_codes_outside_the_lists_are_counted_the_french_way(bad, counted, verb, more):
    conn = sqlite3.connect(":memory:")
    conn.executescript(
        "CREATE TABLE typealea (code TEXT PRIMARY KEY);"
        "CREATE TABLE zone (id INTEGER PRIMARY KEY, typealea TEXT REFERENCES typealea (code));"
        "INSERT INTO typealea VALUES ('11');"
    )
    conn.executemany("INSERT INTO zone (typealea) VALUES (?)", [("99",)] * bad + [("11",)] * 3)
    with pytest.raises(InputError) as info:
        refuse_broken_references(conn)
    english = "1 value is" if bad == 1 else "1,007 values are"
    assert info.value.message.startswith(f"{english} outside the CNIG code lists or ")
    assert info.value.message_fr.startswith(
        f"{counted} hors des listes de codes CNIG ou ne {verb} à rien : zone.typealea = '99' n'est pas dans typealea"
    )
    assert info.value.message_fr.endswith(f"typealea{more}.")
    assert info.value.hint_fr.startswith("Lancez `odl-geo check --theme flood` pour les lister toutes")
