"""Issue 16: ``convert`` owns plain and theme runs (one default, one result shape), the summary of a theme run
(tables of a multi-table GeoPackage, French numbers) and the GeoPackage version users' QGIS reads."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.cli.theme_commands import french_number

CEVENNES = "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"
FLOOD = "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip"


def test_french_numbers():
    assert french_number(1004) == "1\u202f004"
    assert french_number(1_234_567) == "1\u202f234\u202f567"
    assert french_number(12) == "12"
    assert french_number(1004, "en") == "1,004"


def test_a_multi_table_geopackage_is_listed_table_by_table(data_copy, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["convert", str(data_copy(FLOOD)), "--theme", "flood", "--to", "csv", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    gpkg_lines = [line for line in text.splitlines() if "pprn_38ddt20200002.gpkg" in line]
    assert len(gpkg_lines) > 3
    assert all(", table pprn_38ddt20200002_" in line for line in gpkg_lines)
    assert any("table pprn_38ddt20200002_zonealeanaturelsynthese_s (gpkg, 646 objets)" in x for x in gpkg_lines)
    assert len(set(gpkg_lines)) == len(gpkg_lines)  # no line repeated


def test_plain_and_theme_runs_return_the_same_shape(data_copy, tmp_path, capsys):
    src = str(data_copy(CEVENNES))
    assert main(["convert", src, "--to", "csv", "--out", str(tmp_path / "a"), "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert main(["convert", src, "--theme", "hiking", "--to", "csv", "--out", str(tmp_path / "b"), "--json"]) == 0
    theme = json.loads(capsys.readouterr().out)
    for result in (plain, theme):
        assert {"files", "report"} <= set(result)
        assert isinstance(result["report"]["issues"], list)
        assert all({"path", "format", "feature_count", "crs"} <= set(f) for f in result["files"])
    assert {i["code"] for i in theme["report"]["issues"]} == {i["code"] for i in theme["issues"]}


def test_theme_options_without_a_theme_are_refused(data_copy, tmp_path, capsys):
    assert main(["convert", str(data_copy(CEVENNES)), "--fix", "--out", str(tmp_path / "o")]) == 2
    assert "need --theme" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="Debian's gdal-bin is part of the environment")
@pytest.mark.parametrize("theme", [None, "water"])
def test_geopackages_open_without_a_version_warning_in_gdal_3_6(data_copy, tmp_path, theme):
    """Debian 12's ogrinfo (GDAL 3.6, the one QGIS 3.22 uses) warns on GeoPackage 1.4; odl-geo writes 1.2."""
    version = subprocess.run(["ogrinfo", "--version"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("GDAL 3.6")
    out = tmp_path / "o"
    argv = ["convert", str(data_copy(FOUNTAINS)), "--to", "gpkg", "--out", str(out), "-q"]
    if theme:
        mapping = Path(__file__).resolve().parents[2] / "examples" / "water" / "fontaines.toml"
        argv += ["--theme", theme, "--mapping", str(mapping), "--fix"]
    assert main(argv) == 0
    (gpkg,) = out.glob("*.gpkg")
    done = subprocess.run(["ogrinfo", "-so", "-al", str(gpkg)], capture_output=True, text=True, check=True)
    assert "Feature Count: 48" in done.stdout
    assert "partially supported" not in done.stdout + done.stderr
    assert "Warning" not in done.stderr
    header = gpkg.read_bytes()[60:72]  # SQLite header: user_version at 60, application_id at 68
    assert int.from_bytes(header[:4], "big") == 10200 and header[8:] == b"GPKG"
