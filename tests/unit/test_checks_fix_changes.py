"""Fixes list every change (feature, field, old and new value) in report.json, or changes.csv when very many."""

from __future__ import annotations

import csv
import json

import geopandas as gpd
import shapely

from odl_geo.checks.registry import CheckContext
from odl_geo.checks.runner import apply_fixes, run_checks
from odl_geo.theme import ThemeOptions, check_theme, outputs, write_reports

REPERES = "flood/ddtm34_reperes_crue/Exemple_Couche_Repere_Crue.zip"


def test_every_rewritten_date_is_in_report_json(data_copy, tmp_path):
    run = check_theme(data_copy(REPERES), None, ThemeOptions(fix=True))
    write_reports(run, tmp_path, "fr")
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    layer = doc["layers"][0]
    dates = [c for c in layer["changes"] if c["code"] == "DATE_NOT_ISO"]
    assert len(dates) == 2941 == next(f["count"] for f in layer["fixes"] if f["code"] == "DATE_NOT_ISO")
    assert dates[0] == {"feature": 0, "field": "DATE_CRUE", "code": "DATE_NOT_ISO", "old": "1997/12/18",
                        "new": "1997-12-18"}  # fmt: skip
    assert len({c["feature"] for c in dates}) == 2941  # one per feature, none summarised away
    frame = run.layers[0].frame
    assert all(frame["DATE_CRUE"].iloc[c["feature"]] == c["new"] for c in dates[:500])
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "20 modifications sur 2\u202f941 ; toutes sont dans report.json." in html  # 2 941, French grouping
    assert "DATE_CRUE : 2\u202f941 dates réécrites au format ISO 8601" in html  # the change list in French


def test_very_many_changes_go_to_a_csv_next_to_the_reports(data_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(outputs, "INLINE_CHANGES", 1000)
    run = check_theme(data_copy(REPERES), None, ThemeOptions(fix=True))
    paths = write_reports(run, tmp_path, "en")
    assert tmp_path / "changes.csv" in paths
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert doc["layers"][0]["changes_file"] == "changes.csv" and "changes" not in doc["layers"][0]
    rows = list(csv.DictReader((tmp_path / "changes.csv").open(encoding="utf-8")))
    assert len(rows) == sum(f["count"] for f in doc["layers"][0]["fixes"]) >= 2941
    assert rows[0]["feature"] == "0" and rows[0]["old"] == "1997/12/18" and rows[0]["new"] == "1997-12-18"
    assert "all of them are in changes.csv" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_removed_rows_are_numbered_as_checked():
    """Two fixes that remove rows: the second one's rows are numbered in the layer as it was checked."""
    a = shapely.Point(700_000, 6_300_000)
    frame = gpd.GeoDataFrame({"nom": ["x", "a", "a"]}, geometry=[None, a, a], crs="EPSG:2154")
    ctx = CheckContext(frame, "t")
    _fixed, fixes = apply_fixes(ctx, run_checks(ctx, None))
    removed = {f.code: [(c.feature, c.field) for c in f.details] for f in fixes}
    assert removed == {"GEOM_MISSING": [(0, "(feature)")], "DUPLICATE_FEATURE": [(2, "(feature)")]}
