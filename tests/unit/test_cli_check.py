"""``odl-geo check`` and ``odl-geo convert --theme`` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from odl_geo.cli.main import main

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "pei" / "pei_generated_occitanie.csv"
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"
CEVENNES = "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"


def test_check_prints_a_summary_in_french_by_default(data_copy, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["check", str(data_copy(FOUNTAINS)), "--theme", "pei", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "VilleMTP_MTP_Fontaines.csv — pei (datakode/schema-pei 1.0.0) : 1 couche, 48 objets" in text
    assert "4 erreurs, " in text and "à corriger avant publication" in text
    assert "erreur [REQUIRED_FIELD_MISSING]" in text and "Champs obligatoires" in text
    assert "rapport : " in text and "to be corrected" not in text


def test_check_prints_a_summary_and_writes_the_reports(data_copy, tmp_path, capsys):
    out = tmp_path / "rep"
    assert main(["check", str(data_copy(FOUNTAINS)), "--theme", "pei", "--out", str(out), "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert "VilleMTP_MTP_Fontaines.csv — pei (datakode/schema-pei 1.0.0): 1 layer, 48 features" in text
    assert "4 errors, " in text and "to be corrected before publishing" in text
    assert "[REQUIRED_FIELD_MISSING]" in text and "insee, type_pei, type_rd" in text
    assert (out / "report.html").exists() and (out / "report.json").exists()


def test_check_strict_exits_2_on_errors(data_copy, tmp_path, capsys):
    code = main(["check", str(data_copy(FOUNTAINS)), "--theme", "pei", "--out", str(tmp_path), "--strict"])
    assert code == 2
    assert "has 4 errors (--strict)" in capsys.readouterr().err


def test_check_json_and_fix_write_a_corrected_copy(tmp_path, capsys):
    out = tmp_path / "rep"
    argv = ["check", str(FIXTURE), "--theme", "pei", "--source-crs", "EPSG:2154", "--fix", "--json", "--out", str(out)]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["theme"] == "pei" and result["corrected"] == ["pei_generated_occitanie_corrige.gpkg"]
    assert (out / "pei_generated_occitanie_corrige.gpkg").exists()
    assert any(f["code"] == "DATE_NOT_ISO" for f in result["layers"][0]["fixes"])


def test_check_without_theme_runs_the_generic_checks(data_copy, tmp_path, capsys):
    src = data_copy("flood/ddtm34_reperes_crue/Exemple_Couche_Repere_Crue.zip")
    assert main(["check", str(src), "--out", str(tmp_path), "--lang", "en", "--area", "34"]) == 0
    text = capsys.readouterr().out
    assert "generic checks" in text and "[DATE_NOT_ISO]" in text
    assert '<html lang="en">' in (tmp_path / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--theme", "roads"], "Unknown theme 'roads'"),
        (["--theme", "hiking", "--mapping", "missing.toml"], "The mapping file missing.toml does not exist"),
        (["--area", "zz"], "--area: 'zz' is not a région"),
        (["--mapping", "x.toml"], "--mapping needs --theme"),
    ],
)
def test_bad_options_exit_2_with_a_message(data_copy, tmp_path, capsys, argv, message):
    assert main(["check", str(data_copy(FOUNTAINS)), "--out", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_convert_theme_writes_the_product_and_the_default_formats_unless_formats_are_asked(
    data_copy, tmp_path, capsys
):
    """Issue 16: one default for --to, with or without --theme, so that convert-then-publish works as written."""
    out = tmp_path / "o"
    assert main(["convert", str(data_copy(CEVENNES)), "--theme", "hiking", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "exemple-valide_hiking.csv", "exemple-valide_hiking.geojson", "exemple-valide_hiking.gpkg",
        "exemple-valide_hiking.shp.zip", "exemple-valide_itineraire-randonnee.geojson", "manifest.json",
        "report.html", "report.json",
    ]  # fmt: skip
    out2 = tmp_path / "o2"
    assert main(["convert", str(data_copy(CEVENNES)), "--theme", "hiking", "--to", "gpkg,csv", "--out", str(out2)]) == 0
    assert {"exemple-valide_hiking.gpkg", "exemple-valide_hiking.csv"} <= {p.name for p in out2.iterdir()}
    assert "écrit" in capsys.readouterr().out


def test_convert_theme_refuses_invalid_data_with_exit_2(data_copy, tmp_path, capsys):
    assert main(["convert", str(data_copy(FOUNTAINS)), "--theme", "pei", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "cannot be published as pei" in err and "--drop-invalid" in err


def test_plain_convert_is_unchanged(data_copy, tmp_path):
    out = tmp_path / "plain"
    assert main(["convert", str(data_copy(FOUNTAINS)), "--out", str(out)]) == 0
    assert {p.suffix for p in out.iterdir()} >= {".gpkg", ".geojson", ".zip", ".csv"}
    assert not (out / "report.html").exists()


FLOOD = "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip"


@pytest.mark.skipif(
    __import__("importlib.util").util.find_spec("odl_geo.profiles.flood") is None, reason="flood profile not written"
)
def test_flood_theme_end_to_end(data_copy, tmp_path, capsys):
    """The flood profile (its own tests check the CNIG structure) through check and convert --theme."""
    src = data_copy(FLOOD)
    assert main(["check", str(src), "--theme", "flood", "--out", str(tmp_path / "r"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    layers = {lyr["role"] for lyr in result["layers"]}
    assert "zonereglementaireurba_s" in layers and "perimetre_s" in layers
    assert result["schema"]["name"].startswith("cnig")
    out = tmp_path / "o"
    assert main(["convert", str(src), "--theme", "flood", "--out", str(out)]) == 0
    assert (out / "pprn_38ddt20200002.gpkg").exists() and (out / "report.html").exists()


def test_cli_flags_for_free_text_and_a_mistyped_personal_field(data_copy, tmp_path, capsys):
    src = str(data_copy(CEVENNES))
    assert main(["check", src, "--theme", "hiking", "--out", str(tmp_path / "a"), "--no-mask-free-text"]) == 0
    assert "[ANON_CONTACT_IN_TEXT]" in capsys.readouterr().out
    assert main(["check", src, "--theme", "hiking", "--out", str(tmp_path / "b"), "--mask-free-text"]) == 0
    assert "[ANON_CONTACT_IN_TEXT]" not in capsys.readouterr().out
    assert main(["check", src, "--theme", "hiking", "--out", str(tmp_path / "c"), "--keep-personal", "foo"]) == 2
    err = capsys.readouterr().err
    assert "--keep-personal names the field 'foo', which the hiking schema does not have." in err


def test_verbose_does_not_flood_the_terminal_with_third_party_debug(data_copy, tmp_path):
    """Through a real process: pytest's own log capture would hide what logging.basicConfig does."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    argv = [sys.executable, "-m", "odl_geo.cli", "check", str(data_copy(CEVENNES)), "--theme", "hiking", "-v"]
    done = subprocess.run(
        [*argv, "--out", str(tmp_path)], check=False, capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "report.html").exists()
    assert "info [SCHEMA_VALID]" in done.stdout  # verbose still shows the notes
    noisy = [line for line in done.stderr.splitlines() if line.startswith("DEBUG") and "odl_geo" not in line]
    assert noisy == []  # before: about 70 lines of matplotlib's font manager
