"""The automatic mapping proposal (``odl-geo mapping``, the plugin's mapping table) and mapping files written back.

A proposal must say exactly what conforming will do (same matches, same value codes), and a mapping file written
from it must read back, through the strict loader, as the same choices.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.errors import InputError
from odl_geo.profiles.mapping import parse_mapping
from odl_geo.profiles.mapping_toml import MappingChoices, dump_mapping, toml_key
from odl_geo.profiles.registry import load_profile
from odl_geo.theme import ThemeOptions, check_theme
from odl_geo.theme.suggest import suggest_mapping

FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"
CEVENNES = "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"
PPR = "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip"
PEI = Path(__file__).resolve().parents[1] / "data/pei/pei_generated_occitanie.csv"


def _targets(suggestion, role="main"):
    r = next(r for r in suggestion.roles if r.role == role)
    return r, {t.name: t for t in r.targets}


def test_proposal_on_the_real_fountains_matches_what_conforming_does(data_copy, tmp_path):
    src = data_copy(FOUNTAINS)
    s = suggest_mapping(src, "water")
    role, t = _targets(s)
    assert role.layer == "VilleMTP_MTP_Fontaines" and role.editable
    assert (t["id_local"].source, t["id_local"].how) == ("Dossier", "synonym")
    assert (t["categorie_site"].source, t["categorie_site"].how) == ("CatÉgorie", "synonym")
    assert role.missing_required == ["type_point"]
    assert set(role.unused_sources) == {"Longitude", "Latitude"}
    # the check sees the same matches
    run = check_theme(src, "water")
    assert {k: v["source"] for k, v in run.layers[0].to_dict()["fields"].items()} == {
        k: v.source for k, v in t.items() if v.source
    }


def test_a_completed_proposal_makes_the_fountains_publishable(data_copy, tmp_path):
    src = data_copy(FOUNTAINS)
    choices = suggest_mapping(src, "water").choices()
    assert any("type_point" in c for c in choices.comments)
    choices.constants[""] = {"type_point": "borne_fontaine"}
    path = tmp_path / "fontaines.toml"
    path.write_text(dump_mapping(choices), encoding="utf-8")
    run = check_theme(src, "water", ThemeOptions(mapping=path))
    assert "REQUIRED_FIELD_MISSING" not in {i.code for i in run.report.issues}
    # and proposing again from that file keeps its choices
    _, t = _targets(suggest_mapping(src, "water", mapping=path))
    assert t["type_point"].constant == "borne_fontaine" and t["id_local"].how == "mapping"


def test_enumerated_values_come_with_the_codes_conforming_will_give():
    s = suggest_mapping(PEI, "pei")  # generated fixture: raw 'Poteau' and an impossible 'PX' among the codes
    _, t = _targets(s)
    assert t["type_pei"].source == "type"
    assert t["type_pei"].values["Poteau"] == "PI" and t["type_pei"].values["PX"] is None
    assert t["statut"].values == {"privé": "prive", "public": "public"}
    text = dump_mapping(s.choices())
    assert "'PX'" in text and "PI, BI, PA, CI" in text  # the comment names the value and the allowed codes


def test_flood_roles_are_found_and_only_constants_are_editable(shared_data):
    s = suggest_mapping(shared_data / PPR, "flood")
    roles = {r.role: r for r in s.roles}
    assert roles["zone_alea"].layer == "N_ZONE_ALEA_PPRN_20200002_S_038"
    assert roles["perimetre"].layer and roles["zone_reglementaire"].layer
    assert not any(r.editable for r in s.roles)  # the géostandard's Annexe A translates COVADIS fields
    assert {t.name for t in roles["ppr"].targets} >= {"codeprocedure", "typeprocedure", "dateetat"}
    assert "[fields" not in dump_mapping(s.choices())


def test_hiking_names_that_are_already_the_schema_s_are_exact():
    s = suggest_mapping(Path(__file__).resolve().parents[2] / "examples/hiking/cevennes_itineraires.json", "hiking")
    role, t = _targets(s)
    assert t["nom_itineraire"].how == "exact" and t["pratique"].source == "pratique"
    assert role.missing_required == []


@pytest.mark.parametrize("theme", ["hiking", "water", "pei", "flood"])
def test_a_written_mapping_reads_back_the_same(theme):
    profile = load_profile(theme)
    roles = list(profile.roles)
    first = roles[0]
    text_field = next(f for f in first.fields if f.enum is None and f.kind == "string")
    enum_field = next((f for r in roles for f in r.fields if f.enum), None)
    choices = MappingChoices(
        # flood: its standard names the source fields, a mapping file gives no [fields] (refused if it does)
        fields={"": {text_field.name: 'Nom "officiel" de l\'élément'}} if profile.field_mapping else {},
        constants={},
        values={},
        anonymise={"keep": [text_field.name], "mask_free_text": True},  # a field of the theme (names are checked)
        comments=["Commune de Saint-Guilhem-le-Désert\nsecond line"],
    )
    if enum_field is not None:
        owner = next(r for r in roles if enum_field in r.fields)
        role = owner.role if len(roles) > 1 else ""
        choices.constants[role] = {enum_field.name: str(enum_field.enum[0])}
        choices.values[role] = {enum_field.name: {"rando pédestre \\ « x »": str(enum_field.enum[-1])}}
    m = parse_mapping(dump_mapping(choices), profile)
    assert m.fields == choices.fields
    assert m.constants == {k: v for k, v in choices.constants.items() if v}
    assert m.values == {k: v for k, v in choices.values.items() if v}
    assert m.anonymise == {"keep": [text_field.name], "mask_free_text": True}


def test_toml_keys_are_quoted_only_when_needed():
    assert toml_key("nom_itineraire") == "nom_itineraire"
    assert toml_key("rando pédestre") == '"rando pédestre"'
    assert toml_key('a"b') == '"a\\"b"'


def test_cli_prints_a_mapping_file_or_the_whole_proposal(data_copy, tmp_path, capsys):
    src = data_copy(FOUNTAINS)
    assert main(["mapping", str(src), "--theme", "water"]) == 0
    printed = capsys.readouterr().out
    assert parse_mapping(printed, load_profile("water")).fields[""]["id_local"] == "Dossier"
    out = tmp_path / "m.toml"
    assert main(["mapping", str(src), "--theme", "water", "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["written"] == str(out) and out.read_text(encoding="utf-8") == data["toml"]
    assert data["roles"][0]["missing_required"] == ["type_point"]


def test_cli_errors_are_one_clear_message(data_copy, tmp_path, capsys):
    src = data_copy(FOUNTAINS)
    assert main(["mapping", str(src), "--theme", "nope"]) == 2
    assert "Unknown theme 'nope'" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[fields]\nnom_inconnu = 'X'\n", encoding="utf-8")
    assert main(["mapping", str(src), "--theme", "water", "--mapping", str(bad)]) == 2
    assert "does not have" in capsys.readouterr().err
    with pytest.raises(InputError, match="does not exist"):
        suggest_mapping(tmp_path / "absent.csv", "water")
