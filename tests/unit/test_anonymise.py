"""Personal data: personal fields emptied or masked by default, free text scanned, everything listed."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from odl_geo.profiles.anonymise import EMAIL, PHONE, AnonymiseOptions, anonymise, is_personal_name, scan_text
from odl_geo.profiles.base import ThemeDataset
from odl_geo.profiles.mapping import parse_mapping
from odl_geo.profiles.registry import load_profile
from odl_geo.report import Report
from odl_geo.theme import ThemeOptions, check_theme

CEVENNES = "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"


@pytest.mark.parametrize("name", ["TEL_PROPRIO", "nom_proprietaire", "Courriel", "E-mail", "portable", "Prénom"])
def test_personal_names(name):
    assert is_personal_name(name)


@pytest.mark.parametrize("name", ["nom", "nom_itineraire", "telepherique", "commune", "type_pei", "situation"])
def test_not_personal_names(name):
    assert not is_personal_name(name)


@pytest.mark.parametrize(
    ("text", "email", "phone"),
    [
        ("contacter le 08 10 33 42 73 ou www.laregion.fr", False, True),  # real text of the Cévennes file
        ("gardien: 06.12.34.56.78", False, True),
        ("+33 6 12 34 56 78", False, True),
        ("jean.dupont@orange.fr", True, False),
        ("altitude 1234 m, 2 h 30", False, False),
        ("code 34172-02080", False, False),
    ],
)
def test_patterns(text, email, phone):
    assert bool(EMAIL.search(text)) is email
    assert bool(PHONE.search(text)) is phone


def test_real_phone_number_in_cevennes_free_text_is_masked_by_default(data_copy):
    run = check_theme(data_copy(CEVENNES), "hiking")
    masked = next(i for i in run.report.issues if i.code == "ANON_TEXT_MASKED")
    assert masked.examples == [5] and masked.message == "transports_commun: phone number masked in 1 text."
    text = run.layers[0].frame["transports_commun"].iloc[5]
    assert "08 10 33 42 73" not in text and "[téléphone masqué]" in text
    removal = run.layers[0].removals[0]
    assert (removal.field, removal.action, removal.count) == ("transports_commun", "masked in text", 1)
    assert "ANON_CONTACT_IN_TEXT" not in run.report.codes()
    # contact is the park's public address: a structure's, so kept
    assert run.layers[0].frame["contact"].iloc[0] == "contact@cevennes-parcnational.fr"


def test_no_mask_free_text_only_reports(data_copy):
    run = check_theme(data_copy(CEVENNES), "hiking", ThemeOptions(mask_free_text=False))
    found = next(i for i in run.report.issues if i.code == "ANON_CONTACT_IN_TEXT")
    assert found.examples == [5] and found.message.startswith("transports_commun: 1 text contains: phone number")
    assert "08 10 33 42 73" in run.layers[0].frame["transports_commun"].iloc[5]


def test_a_private_address_in_a_public_contact_field_is_masked(data_copy, tmp_path):
    """The real Cévennes file with its park address replaced by a private person's, on one trail."""
    src = data_copy(CEVENNES)
    src.write_text(
        src.read_text(encoding="utf-8").replace("contact@cevennes-parcnational.fr", "jean.dupont@gmail.com", 1),
        encoding="utf-8",
    )
    run = check_theme(src, "hiking")
    frame = run.layers[0].frame
    assert frame["contact"].iloc[0] == "[courriel masqué]"
    assert set(frame["contact"].iloc[1:]) == {"contact@cevennes-parcnational.fr"}  # the structure's: kept
    masked = [i for i in run.report.issues if i.code == "ANON_TEXT_MASKED" and i.message.startswith("contact:")]
    assert masked and masked[0].examples == [0] and "personal-looking e-mail address" in masked[0].message


@pytest.mark.parametrize(
    ("address", "personal"),
    [
        ("jean.dupont@gmail.com", True),
        ("rando34@orange.fr", True),
        ("marie-claire.martin@mairie-ganges.fr", True),
        ("contact@cevennes-parcnational.fr", False),
        ("office.tourisme@ganges.fr", False),
        ("accueil@mairie-ganges.fr", False),
    ],
)
def test_personal_looking_addresses(address, personal):
    from odl_geo.profiles.anonymise import is_personal_email

    assert is_personal_email(address) is personal


def test_keep_personal_with_an_unknown_field_is_refused():
    from odl_geo.errors import InputError

    fixture = Path(__file__).resolve().parents[1] / "data" / "pei" / "pei_generated_occitanie.csv"
    with pytest.raises(InputError) as info:
        check_theme(fixture, "pei", ThemeOptions(keep_personal=("nom_etabl",)))
    assert info.value.message == "--keep-personal names the field 'nom_etabl', which the pei schema does not have."
    assert info.value.hint.startswith("Did you mean 'nom_etab'?")


def test_mask_free_text_from_the_mapping_file(data_copy, tmp_path):
    toml = tmp_path / "m.toml"
    toml.write_text("[anonymise]\nmask_free_text = true\n", encoding="utf-8")
    run = check_theme(data_copy(CEVENNES), "hiking", ThemeOptions(mapping=toml))
    text = run.layers[0].frame["transports_commun"].iloc[5]
    assert "08 10 33 42 73" not in text and "[téléphone masqué]" in text
    assert "ANON_TEXT_MASKED" in run.report.codes()


def _water(frame):
    profile = load_profile("water")
    dataset = ThemeDataset({"main": frame}, {"main": "points"})
    return profile, profile.conform(dataset, None, Report())


def test_personal_fields_dropped_by_default_masked_or_kept_on_request():
    frame = pd.DataFrame({
        "id": ["1", "2"], "type": ["puits", "source"], "proprietaire": ["Mme Martin", None],
        "telephone": ["04 67 00 00 00", "06 11 22 33 44"], "remarque": ["RAS", "appeler jean.martin@free.fr"],
        "TEL_PROPRIO_2": ["0467", "0468"],
    })  # fmt: skip
    profile, conformed = _water(frame)
    report = Report()
    out, removals = anonymise(profile, conformed, AnonymiseOptions(), report, {"main": list(frame.columns)})
    f = out.frames["main"]
    assert f["proprietaire"].isna().all() and f["telephone"].isna().all()
    assert f["remarque"].iloc[1] == "appeler [courriel masqué]"  # masked by default
    actions = {(r.field, r.action) for r in removals}
    assert actions >= {("proprietaire", "dropped"), ("telephone", "dropped"), ("remarque", "masked in text"),
                       ("TEL_PROPRIO_2", "not published")}  # fmt: skip
    assert {"ANON_FIELD_REMOVED", "ANON_TEXT_MASKED", "ANON_SOURCE_FIELD_DROPPED"} <= report.codes()
    reported = Report()
    anonymise(profile, _water(frame)[1], AnonymiseOptions.build({"mask_free_text": False}), reported)
    assert "ANON_CONTACT_IN_TEXT" in reported.codes() and "ANON_TEXT_MASKED" not in reported.codes()
    m = parse_mapping('[anonymise]\nmask = ["telephone"]\nkeep = ["proprietaire"]\n', profile)
    out, _ = anonymise(profile, _water(frame)[1], AnonymiseOptions.build(m.anonymise, mask_free_text=True), Report())
    f = out.frames["main"]
    assert f["proprietaire"].iloc[0] == "Mme Martin" and f["telephone"].tolist() == ["***", "***"]
    assert f["remarque"].iloc[1] == "appeler [courriel masqué]"


def test_turning_anonymisation_off_is_a_warning():
    frame = pd.DataFrame({"id": ["1"], "type": ["puits"], "telephone": ["04 67 00 00 00"]})
    profile, conformed = _water(frame)
    report = Report()
    out, removals = anonymise(profile, conformed, AnonymiseOptions(enabled=False), report)
    assert out.frames["main"]["telephone"].iloc[0] == "04 67 00 00 00" and removals == []
    assert report.issues[0].code == "ANON_DISABLED" and report.issues[0].severity.value == "warning"


def test_scan_text_ignores_non_text():
    email, phone = scan_text(pd.Series(["a@b.fr", None, 3, "0467000000"], dtype=object))
    assert email.tolist() == [True, False, False, False] and phone.tolist() == [False, False, False, True]
