"""`odl-geo metadata OUT_FOLDER --check-harvest`: udata's own harvester (preview mode) tells, in French, what
data.gouv.fr will make of the record, before anything is written or published."""

from __future__ import annotations

import json

import pytest

from odl_geo.cli.main import main
from odl_geo.publishers.csw import load_record
from odl_geo.publishers.csw.harvest_check import HarvestPreview, describe_fr

pytestmark = pytest.mark.server

WATER_TOML = """\
title = "Bornes fontaines de Montpellier"
abstract = "Localisation des bornes fontaines d'eau potable de la ville de Montpellier."
licence = "odbl"
frequency = "mensuelle"
keywords = ["eau potable", "fontaines"]
inspire_theme = "us"
topic_categories = ["utilitiesCommunication"]

[producer]
name = "Ville de Montpellier"
email = "opendata@montpellier.fr"

[links]
download = "https://data.example.fr/montpellier/"
"""


@pytest.fixture
def water(converted_themes, tmp_path):
    import shutil

    folder = tmp_path / "water"
    shutil.copytree(converted_themes["water"], folder)
    (folder / "metadata.toml").write_text(WATER_TOML, encoding="utf-8")
    return folder


def test_check_harvest_in_french_writes_nothing(water, capsys):
    code = main(["metadata", str(water), "--check", "--check-harvest"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    out = captured.out
    assert "Ce que data.gouv.fr fera de cette fiche" in out
    assert "Titre : Bornes fontaines de Montpellier" in out
    assert "Licence : reconnue, Open Data Commons Open Database License (ODbL) (odc-odbl)" in out
    assert "Mots-clés : eau-potable, fontaines" in out
    assert "Couverture spatiale : emprise 3.81" in out
    assert "https://data.example.fr/montpellier/VilleMTP_MTP_Fontaines.geojson" in out
    # nothing wrong with the licence, the extent or the links (a format shown for several links may be flagged)
    warnings = [line for line in out.splitlines() if "ATTENTION" in line]
    assert all("data.gouv.fr affichera le format" in line for line in warnings), warnings
    assert "Fréquence de mise à jour : mensuelle (monthly)" in out
    assert "opendata@montpellier.fr> (point de contact)" in out  # the contact point comes across
    assert not (water / "metadata.xml").exists()  # --check: nothing written


def test_check_harvest_json(water, capsys):
    code = main(["metadata", str(water), "--check", "--check-harvest", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    [preview] = json.loads(captured.out)["harvest_check"]
    assert preview["ok"] and preview["licence"] == "odc-odbl"
    assert preview["identifier"] == preview["remote_id"] and preview["identifier"].endswith("/" + json.loads(
        captured.out)["file_identifier"])  # fmt: skip


def test_without_udata_exit_2(water, capsys, monkeypatch):
    monkeypatch.setenv("ODL_UDATA_PYTHON", str(water / "no-such-python"))
    code = main(["metadata", str(water), "--check", "--check-harvest"])
    err = capsys.readouterr().err
    assert code == 2
    assert "needs udata" in err and "scripts/setup_udata.sh" in err


def test_publish_csw_builds_missing_metadata_xml(water, pycsw, capsys):
    assert not (water / "metadata.xml").exists()
    code = main(["publish", "csw", str(water), "--url", pycsw.url, "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert (water / "metadata.xml").is_file()
    record = load_record(water)
    assert json.loads(captured.out)["identifier"] == record.identifier
    assert record.title == "Bornes fontaines de Montpellier"


def test_french_warnings_for_an_unrecognised_licence_and_no_resource():
    preview = HarvestPreview("x", True, title="T", licence=None, rights=("Licence maison",), tags=(), bbox=None)
    lines = describe_fr(preview)
    assert ("ATTENTION : licence non reconnue par data.gouv.fr (texte lu : Licence maison) : le jeu sera publié "
            "« Licence non spécifiée ». Indiquez licence = \"lov2\" ou \"odbl\" dans metadata.toml.") in lines
    assert "ATTENTION : pas de couverture spatiale (emprise absente de la fiche)." in lines
    assert lines[-1].startswith("ATTENTION : aucune ressource")
    resources = (
        {"title": "a.csv", "format": "gpkg", "url": "https://x/a.csv"},
        {"title": "b.shp.zip", "format": "shp", "url": "https://x/b.shp.zip"},
        {"title": "WMS", "format": "ogc:wms", "url": "https://x/wms?service=WMS"},
    )
    wrong = describe_fr(HarvestPreview("z", True, title="T", licence="lov2", bbox=(1, 2, 3, 4), resources=resources))
    expected = ("ATTENTION : data.gouv.fr affichera le format « gpkg » pour a.csv (fichier .csv) : la conversion "
                "ISO -> DCAT de data.gouv.fr donne à chaque lien le premier format de la fiche (docs/metadata.md).")
    assert [line for line in wrong if line.startswith("ATTENTION")] == [expected]
    refused = describe_fr(HarvestPreview("y", False, errors=("missing title on dataset",)))
    assert refused == ["ATTENTION : data.gouv.fr ne moissonnerait pas la fiche y : missing title on dataset"]
