"""The reports: JSON for scripts, and the self-contained HTML (French by default) with a map preview."""

from __future__ import annotations

import base64
import io
import json
import re

import pytest

from odl_geo.reports.preview import HAS_MATPLOTLIB, preview_png
from odl_geo.sources import ReadOptions
from odl_geo.theme import ThemeOptions, check_theme, write_reports

REPERES = "flood/ddtm34_reperes_crue/Exemple_Couche_Repere_Crue.zip"
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def test_matplotlib_works_with_the_numpy_of_the_venv():
    import matplotlib
    import numpy

    assert HAS_MATPLOTLIB
    assert numpy.__version__.startswith("1.") and matplotlib.__version__


def test_json_report(data_copy, tmp_path):
    run = check_theme(data_copy(FOUNTAINS), "pei")
    json_path, html_path = write_reports(run, tmp_path)
    data = json.loads(json_path.read_text(encoding="utf-8"))
    assert data["theme"] == "pei" and data["schema"] == {"name": "datakode/schema-pei", "version": "1.0.0"}
    assert data["publishable"] is False and data["summary"]["error"] == 4
    layer = data["layers"][0]
    assert layer["feature_count"] == 48 and layer["crs"] == "EPSG:2154"
    assert layer["fields"]["x"] == {"source": "geometry", "how": "computed"}
    codes = [i["code"] for i in data["issues"]]
    assert "REQUIRED_FIELD_MISSING" in codes and codes.count("SCHEMA_INVALID") == 3
    missing = next(i for i in data["issues"] if i["code"] == "REQUIRED_FIELD_MISSING")
    assert missing["message_fr"].startswith("Champs obligatoires absents")
    assert html_path.name == "report.html"


def test_html_report_in_french_with_an_embedded_map(data_copy, tmp_path):
    run = check_theme(data_copy(REPERES), None, ThemeOptions(area="occitanie"))
    _, html_path = write_reports(run, tmp_path)
    html = html_path.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    assert "Rapport de contrôle — Exemple_Couche_Repere_Crue.zip" in html
    assert "À corriger avant publication." in html
    assert "Date hors format ISO 8601" in html and "<code>DATE_NOT_ISO</code>" in html
    assert "http://" not in html.split("<main>")[0] and "<link" not in html and "<script" not in html  # self-contained
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 1
    png = base64.b64decode(images[0])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_english_report(data_copy, tmp_path):
    run = check_theme(data_copy(FOUNTAINS), "water")
    _, html_path = write_reports(run, tmp_path, lang="en")
    html = html_path.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Quality report" in html and "Required field missing" in html
    assert "Field mapping" in html and "known synonym" in html


def test_preview_highlights_faulty_features_in_red(data_copy):
    from PIL import Image  # matplotlib depends on Pillow

    run = check_theme(data_copy("encoding/lizmap_montpellier_intranet/VilleMTP_MTP_EspacesVertsSurface_2011.shp"), None)
    layer = run.layers[0]
    assert layer.faulty  # the two invalid polygons
    png = preview_png(layer.frame, layer.faulty)
    image = Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB")
    reds = sum(1 for r, g, b in image.get_flattened_data() if r > 180 and g < 90 and b < 90)
    assert reds > 20
    assert preview_png(layer.frame, set()) is not None


@pytest.mark.parametrize("path", ["encoding/gdal_autotest/shp/weird_header_length.dbf"])
def test_no_map_for_a_table(data_copy, path):
    run = check_theme(data_copy(path), None, read_options=ReadOptions())
    assert preview_png(run.layers[0].frame, set()) is None
