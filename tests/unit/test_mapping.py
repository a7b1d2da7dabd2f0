"""Field matching and mapping files (TOML): automatic matching on real layers, overrides, and one clear error per
kind of bad mapping file."""

from __future__ import annotations

import pytest

from odl_geo.errors import InputError
from odl_geo.normalise.frames import read_frame
from odl_geo.profiles.base import TargetField, ThemeDataset
from odl_geo.profiles.mapping import load_mapping, parse_mapping
from odl_geo.profiles.matching import FUZZY_THRESHOLD, match_fields
from odl_geo.profiles.registry import load_profile
from odl_geo.report import Report
from odl_geo.sources import open_source
from odl_geo.values import normalise_name

FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"
TREK = "hiking/geotrek_admin_fixtures/trekking/tests/data/trek.shp"


def _frame(path):
    with open_source(path) as src:
        return read_frame(src.layers[0]), src.layers[0].name


def test_normalise_name_folds_case_accents_and_separators():
    assert normalise_name(" CatÉgorie ") == "categorie"
    assert normalise_name("Nom de l'itinéraire") == "nom_de_l_itineraire"
    assert normalise_name("DATE-MES") == "date_mes"


def test_matcher_on_the_real_montpellier_fountains(data_copy):
    frame, _ = _frame(data_copy(FOUNTAINS))
    profile = load_profile("water")
    result = match_fields([c for c in frame.columns if c != "geometry"], profile.roles[0].fields)
    how = {t: (m.source, m.how) for t, m in result.matches.items()}
    assert how["id_local"] == ("Dossier", "synonym")
    assert how["nom"] == ("Nom", "normalised")
    assert how["nombre"] == ("BORNE_FONT", "synonym")
    assert how["categorie_site"] == ("CatÉgorie", "synonym")  # the accented, damaged header of the real file
    assert "type_point" in result.unmatched_targets
    assert set(result.unused_sources) == {"Longitude", "Latitude"}


def test_fuzzy_matching_has_a_threshold():
    targets = [TargetField("nom_itineraire"), TargetField("date_creation"), TargetField("date_modification")]
    result = match_fields(["nom_itinaraire", "date_modif_x"], targets)
    assert result.matches["nom_itineraire"].how == "fuzzy"
    assert result.matches["nom_itineraire"].score >= FUZZY_THRESHOLD
    assert "date_creation" not in result.matches  # "date_modif_x" is not close enough to it
    forced = match_fields(["NAME", "nom_itinaraire"], targets, forced={"nom_itineraire": "NAME"})
    assert forced.matches["nom_itineraire"].source == "NAME"
    assert forced.matches["nom_itineraire"].how == "mapping"


def test_a_mapping_file_renames_sets_constants_and_maps_values(data_copy, tmp_path):
    """The Geotrek shapefile (English names) becomes a complete hiking record with a mapping file."""
    frame, layer = _frame(data_copy(TREK))
    profile = load_profile("hiking")
    toml = tmp_path / "map.toml"
    toml.write_text(
        """
[fields]
nom_itineraire = "Name"
id_local = "Name"
depart = "Name"
arrivee = "Name"
instructions = "Themes"
[constants]
producteur = "Parc naturel régional de Camargue"
pratique = "rando pédestre"
[values.type_itineraire]
"Boucle" = "boucle"
[values.pratique]
"rando pédestre" = "pédestre"
""",
        encoding="utf-8",
    )
    mapping = load_mapping(toml, profile)
    report = Report()
    out = profile.conform(ThemeDataset({"main": frame}, {"main": layer}), mapping, report)
    row = out.frames["main"].iloc[0]
    assert row["nom_itineraire"] == "Balade"
    assert row["producteur"] == "Parc naturel régional de Camargue"
    assert row["pratique"] == "pédestre"
    assert row["type_itineraire"] == "boucle"  # matched by the synonym "route" -> value "Boucle" mapped
    assert out.field_matches["main"]["producteur"] == ("= 'Parc naturel régional de Camargue'", "constant")
    # "Duration" = "2 h 30" is not a number of hours: reported, never guessed
    bad = [i for i in report.issues if i.code == "VALUE_NOT_CONVERTED"]
    assert bad and "duree" in bad[0].message and "'2 h 30'" in bad[0].message


def test_constants_are_normalised_like_the_values_of_a_column(data_copy):
    """[constants] pratique = "Pedestre" is refused no more: the same value in a column maps to "pédestre"."""
    frame, layer = _frame(data_copy(TREK))
    profile = load_profile("hiking")
    m = parse_mapping('[constants]\npratique = "Pedestre"\n', profile, "map.toml")
    assert m.constants[""]["pratique"] == "pédestre"
    out = profile.conform(ThemeDataset({"main": frame}, {"main": layer}), m, Report())
    assert set(out.frames["main"]["pratique"]) == {"pédestre"}
    assert parse_mapping('[constants]\npratique = "VTT "', profile).constants[""]["pratique"] == "VTT"
    flood = load_profile("flood")
    assert parse_mapping('[constants]\ntypeppr = "PPRN"', flood).constants[""]["typeppr"] == "pprn"


def test_anonymise_field_names_are_checked():
    pei = load_profile("pei")
    with pytest.raises(InputError) as info:
        parse_mapping('[anonymise]\ndrop = ["situaton"]', pei, "pei.toml")
    assert (
        info.value.message
        == "pei.toml [anonymise] drop names the field 'situaton', which the pei schema does not have."
    )
    assert info.value.hint.startswith("Did you mean 'situation'?")
    with pytest.raises(InputError, match=r"\[anonymise\] mask names the field 'nom_etabl'") as info:
        parse_mapping('[anonymise]\nmask = ["nom_etabl"]', pei, "pei.toml")
    assert "Did you mean 'nom_etab'?" in info.value.hint
    assert parse_mapping('[anonymise]\nkeep = ["nom_etab"]\ndrop = ["situation"]', pei).anonymise["drop"] == [
        "situation"
    ]


def test_value_mapping_accepts_raw_and_normalised_keys():
    profile = load_profile("hiking")
    m = parse_mapping('[values.pratique]\n"Rando pédestre" = "pédestre"\n"VTT descente" = "VTT"\n', profile)
    assert m.values[""]["pratique"] == {"Rando pédestre": "pédestre", "VTT descente": "VTT"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[fields\nnom = 'x'", r"not valid TOML: .*line 1"),
        ("[champs]\nnom_itineraire = 'NOM'", r"unknown section \[champs\]"),
        ("[fields]\nnom_itinerair = 'NOM'", r"names the field 'nom_itinerair', which the hiking schema does not have"),
        ("[fields]\nnom_itineraire = 3", r"must be the name of a source field in quotes"),
        ('[values.pratique]\n"rando" = "randonnée"', r"'randonnée' is not a value of pratique"),
        ('[values.depart]\n"x" = "y"', r"depart is not an enumeration"),
        ('[constants]\npratique = "parapente"', r"pratique = 'parapente' is not a value of pratique"),
        ('[constants]\nduree = "deux heures"', r"duree = 'deux heures' is not a number"),
        ('[anonymise]\nkeep = "contact"', r"\[anonymise\] keep must be a list"),
        ('[anonymise]\nhide = ["contact"]', r"\[anonymise\] has an unknown key 'hide'"),
    ],
)
def test_bad_mapping_files_give_one_clear_error_each(text, message):
    with pytest.raises(InputError, match=message):
        parse_mapping(text, load_profile("hiking"), "map.toml")


def test_unknown_target_error_suggests_the_close_name():
    with pytest.raises(InputError) as info:
        parse_mapping("[fields]\nnom_itinerair = 'NOM'", load_profile("hiking"))
    assert "Did you mean 'nom_itineraire'?" in info.value.hint


def test_unknown_source_field_is_named_with_the_layer_fields(data_copy, tmp_path):
    frame, layer = _frame(data_copy(FOUNTAINS))
    profile = load_profile("water")
    mapping = parse_mapping('[fields]\nnom = "NOM_SITE"', profile, "map.toml")
    with pytest.raises(
        InputError, match=r"map.toml \[fields\] nom = 'NOM_SITE': the layer .* has no field 'NOM_SITE'"
    ) as e:
        profile.conform(ThemeDataset({"main": frame}, {"main": layer}), mapping, Report())
    assert "Dossier, Nom, BORNE_FONT" in e.value.hint


def test_missing_mapping_file():
    with pytest.raises(InputError, match=r"The mapping file .*nope.toml does not exist"):
        load_mapping("nope.toml", load_profile("water"))
