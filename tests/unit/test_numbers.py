"""Counts are written the reader's way: ``4 995 105`` in a French report, ``4,995,105`` in an English one."""

from __future__ import annotations

import json
import re

import pytest

from odl_geo.numbers import count_text
from odl_geo.theme import ThemeOptions, check_theme, write_reports

REPERES = "flood/ddtm34_reperes_crue/Exemple_Couche_Repere_Crue.zip"


@pytest.mark.parametrize(
    ("n", "fr", "en"),
    [(0, "0", "0"), (12, "12", "12"), (999, "999", "999"), (1004, "1\u202f004", "1,004"),
     (4_995_105, "4\u202f995\u202f105", "4,995,105")],
)  # fmt: skip
def test_count_text(n, fr, en):
    assert count_text(n, "fr") == fr
    assert count_text(n) == fr  # French unless told otherwise, as the reports
    assert count_text(n, "en") == en


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_html_report_counts_in_the_reports_language(data_copy, tmp_path, lang):
    run = check_theme(data_copy(REPERES), None, ThemeOptions(fix=True))
    write_reports(run, tmp_path, lang)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    doc = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    features = doc["layers"][0]["feature_count"]
    assert features >= 1000  # the layer is large enough for its count to be grouped
    grouped = count_text(features, lang)
    assert f"<td>{grouped}</td>" in html
    assert re.search(r"\d,\d{3}", html) is None if lang == "fr" else "\u202f" not in html.split("<footer>")[0]
    changes = sum(f["count"] for f in doc["layers"][0]["fixes"])
    assert count_text(changes, lang) in html
