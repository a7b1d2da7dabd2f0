"""Issue 16: a Geotrek export (nested objects) is recognised and conformed to the hiking schema with no mapping file.

The input, tests/data/geotrek/geotrek_treks.geojson, is built by make_geotrek_export.py from Geotrek's documented
formats (Geotrek-rando's treks.geojson objects ``{"id", "pictogram", "label"}``, API v2 serializers' ``name`` /
``route`` label keys, ``structure`` and ``cities`` objects).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from odl_geo.cli.main import main
from odl_geo.profiles.geotrek import flatten_geotrek, label_of

EXPORT = Path(__file__).resolve().parents[1] / "data" / "geotrek" / "geotrek_treks.geojson"


def test_label_of_reads_geotrek_objects():
    assert label_of('{"id": 4, "pictogram": "p.svg", "label": "Pédestre"}') == "Pédestre"
    assert label_of({"id": 4, "name": {"fr": "Pédestre", "en": "Hiking"}}) == "Pédestre"  # API v2, translated
    assert label_of({"id": 2, "pictogram": None, "route": "Aller-retour"}) == "Aller-retour"  # RouteSerializer
    assert label_of('[{"id": 7, "label": "Faune"}, {"id": 3, "label": "Flore"}]') == "Faune,Flore"
    assert label_of('{"url": "x.jpg", "titre": "Vue"}') is None  # an object with no id/label: not Geotrek's
    assert label_of("Pédestre") is None and label_of(None) is None


def test_a_layer_with_one_object_column_is_left_alone():
    import geopandas as gpd
    import shapely

    frame = gpd.GeoDataFrame(
        {"practice": ['{"id": 1, "label": "VTT"}'], "medias": ['[{"url": "a.jpg"}]']},
        geometry=[shapely.LineString([(0, 0), (1, 1)])],
        crs=4326,
    )
    out, columns = flatten_geotrek(frame)
    assert columns == [] and out is frame


def test_a_geotrek_export_is_published_with_no_mapping(tmp_path, capsys):
    src = tmp_path / EXPORT.name
    shutil.copy2(EXPORT, src)
    out = tmp_path / "publi"
    assert main(["convert", str(src), "--theme", "hiking", "--to", "csv", "--out", str(out), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["publishable"] and result["summary"]["error"] == 0
    fields = result["layers"][0]["fields"]
    assert fields["id_local"]["source"] == "id" and fields["producteur"]["source"] == "structure"
    assert fields["pratique"]["source"] == "practice" and fields["communes_code"]["source"] == "communes_code"
    assert "GEOTREK_RECOGNISED" in {i["code"] for i in result["issues"]}
    product = json.loads((out / "geotrek_treks_itineraire-randonnee.geojson").read_text(encoding="utf-8"))
    props = [f["properties"] for f in product["features"]]
    assert [p["id_local"] for p in props] == ["2451", "2452", "2453"]
    assert [p["pratique"] for p in props] == ["pédestre", "pédestre", "VTT"]
    assert [p["type_itineraire"] for p in props] == ["boucle", "aller-retour", "boucle"]
    assert [p["difficulte"] for p in props] == ["Très facile", "Difficile", "Moyen"]
    assert props[0]["themes"] == "Histoire et culture,Faune" and props[2]["themes"] is None
    assert {p["producteur"] for p in props} == {"Parc national des Cévennes"}
    assert props[0]["communes_code"] == "30080,48051" and props[0]["communes_nom"] == "Chamborigaud,Le Collet-de-Dèze"
    assert all("{" not in json.dumps(p, ensure_ascii=False).replace('{"', "", 1) for p in props)  # no JSON left


def test_the_mapping_proposal_shows_labels_and_their_codes(capsys):
    assert main(["mapping", str(EXPORT), "--theme", "hiking", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    targets = {t["name"]: t for r in result["roles"] for t in r["targets"]}
    assert targets["pratique"]["values"] == {"Pédestre": "pédestre", "VTT": "VTT"}
    assert targets["type_itineraire"]["values"] == {"Aller-retour": "aller-retour", "Boucle": "boucle"}
