"""A source given as ``.`` (a user inside the PPR's folder) is named by the folder, never by an empty string."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from odl_geo.cli.main import main
from odl_geo.naming import display_name
from odl_geo.theme.run import source_stem


def _unzipped(shared_data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "PPR_Vizille"
    with zipfile.ZipFile(shared_data / "flood/ddt38_pprn_38DDT20170001_covadis/38DDT20170001.zip") as z:
        z.extractall(folder)
    return folder


def test_the_names_of_dot_and_dotdot_are_the_folders(tmp_path, monkeypatch):
    inner = tmp_path / "Commune d'Été" / "couches"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    assert display_name(Path(".")) == "couches"
    assert display_name(Path("..")) == "Commune d'Été"
    assert display_name(Path("fontaines.csv")) == "fontaines.csv"
    assert source_stem(Path(".")) == "couches"
    assert source_stem(Path("fontaines.shp.zip")) == "fontaines"


def test_convert_dot_names_the_report_and_manifest_by_the_folder(shared_data, tmp_path, monkeypatch):
    folder = _unzipped(shared_data, tmp_path)
    monkeypatch.chdir(folder)
    assert main(["convert", ".", "--theme", "flood", "--out", str(tmp_path / "out"), "-q"]) == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<title>Rapport de contrôle — PPR_Vizille</title>" in html
    assert "<h1>Rapport de contrôle — PPR_Vizille</h1>" in html
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["name"] == "PPR_Vizille"
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["source"] == "PPR_Vizille"


def test_a_refused_dot_source_is_named_in_the_message(shared_data, tmp_path, monkeypatch, capsys):
    folder = _unzipped(shared_data, tmp_path)
    dbf = next(folder.rglob("N_ZONE_ALEA_*.dbf"))
    dbf.write_bytes(dbf.read_bytes()[: dbf.stat().st_size // 2])
    monkeypatch.chdir(folder)
    assert main(["convert", ".", "--theme", "flood", "--out", str(tmp_path / "out"), "-q"]) == 2
    err = capsys.readouterr().err
    assert "error: PPR_Vizille cannot be published as flood" in err, err
    assert "<title>Rapport de contrôle — PPR_Vizille</title>" in (tmp_path / "out" / "report.html").read_text("utf-8")


@pytest.mark.parametrize("given", [".", "./"])
def test_check_dot_names_its_run_by_the_folder(shared_data, tmp_path, monkeypatch, given):
    from odl_geo.theme.run import check_theme

    folder = _unzipped(shared_data, tmp_path)
    monkeypatch.chdir(folder)
    assert check_theme(Path(given), "flood").source_name == "PPR_Vizille"
