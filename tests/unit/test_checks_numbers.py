"""The checks write their counts the way people read them: ``2 941 dates`` in French (a narrow no-break space
between groups of thousands, as ``odl_geo.numbers`` writes them everywhere else), ``2,941`` in English; a
streamed layer's report says the same as the whole layer's, counts of the whole layer grouped the same way.
Row references (``#1234``, ``n°1234``) are identifiers, not counts: never grouped."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from odl_geo.checks.registry import Change, CheckContext
from odl_geo.checks.runner import Fix, apply_fixes, run_checks
from odl_geo.profiles.registry import load_profile
from odl_geo.report import Issue, Report, Severity
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme.merge import ChunkMerger

REPO = Path(__file__).resolve().parents[2]
NNBSP = "\u202f"
_more = re.compile("(and|et) [\\d,\u202f]+ (more|autres?)")


def _points(n: int, **columns: object) -> gpd.GeoDataFrame:
    x = 3.80 + np.arange(n) * 1e-4
    return gpd.GeoDataFrame(dict(columns), geometry=shapely.points(x, np.full(n, 43.6)), crs="EPSG:4326")


def test_a_check_groups_its_counts_in_french_and_in_english():
    n = 2941
    frame = _points(n, ident=[f"P{i}" for i in range(n)], date_mes=["18/12/1997"] * n)
    ctx = CheckContext(frame, "couche", load_profile("pei"), load_profile("pei").roles[0])
    outcome = run_checks(ctx, "pei")
    [dates] = [i for i in outcome.issues if i.code == "DATE_NOT_ISO"]
    assert dates.message.startswith("date_mes: 2,941 dates not in ISO 8601 (complete: 2,941)")
    assert dates.message_fr.startswith(f"date_mes : 2{NNBSP}941 dates hors format ISO 8601 (complètes : 2{NNBSP}941)")
    assert dates.hint.startswith("--fix rewrites the 2,941 complete dates")
    _, fixes = apply_fixes(ctx, outcome)
    [fix] = [f for f in fixes if f.code == "DATE_NOT_ISO"]
    assert fix.changes[0].startswith("date_mes: 2,941 dates rewritten as ISO 8601")
    assert fix.changes_fr[0].startswith(f"date_mes : 2{NNBSP}941 dates réécrites au format ISO 8601")


def test_row_references_are_not_grouped_but_counts_of_more_rows_are():
    frame = _points(1500)
    frame = pd.concat([frame, frame.iloc[:1012]], ignore_index=True)  # 1,012 exact copies
    ctx = CheckContext(gpd.GeoDataFrame(frame, crs="EPSG:4326"), "couche")
    outcome = run_checks(ctx, None)
    messages = {i.code: i for i in outcome.issues}
    assert messages["DUPLICATE_FEATURE"].message_fr.startswith(f"1{NNBSP}012 objets sont des copies exactes")
    assert messages["DUPLICATE_FEATURE"].message.startswith("1,012 features are exact copies")
    _, fixes = apply_fixes(ctx, outcome)
    removed = next(f for f in fixes if f.code == "DUPLICATE_FEATURE")
    assert removed.changes[0].startswith("1,012 exact duplicate features removed: #1500, #1501,")
    assert removed.changes[0].endswith("#1509 and 1,002 more.")
    assert removed.changes_fr[0].endswith(f"#1509 et 1{NNBSP}002 autres.")


def test_merged_chunks_write_the_layers_total_grouped_as_the_checks_do():
    merger = ChunkMerger()
    for offset, n in ((0, 1500), (1500, 1700)):
        details = [Change(i, "date_mes", "x", "y") for i in range(n)]
        en, fr = f"{n:,}", f"{n:,}".replace(",", NNBSP)
        merger.add_fixes([Fix("DATE_NOT_ISO", "l", [f"date_mes: {en} date(s) rewritten."],
                              [f"date_mes : {fr} date(s) réécrite(s)."], details)], offset)  # fmt: skip
        report = Report()
        report.add(Issue("DATE_NOT_ISO", Severity.WARNING, f"date_mes: {en} date(s) not in ISO 8601, e.g. '1/2/2003'.",
                         layer="l", count=n, examples=list(range(5)),
                         message_fr=f"date_mes : {fr} date(s) hors format ISO 8601, p. ex. '1/2/2003'."))  # fmt: skip
        # not a check's finding: its counts are written as they always were
        report.add(Issue("SOMETHING_ELSE", Severity.INFO, f"{n} value(s) seen", layer="l", count=n,
                         examples=[0]))  # fmt: skip
        merger.add_report(report, offset)
    (fix,) = merger.fixes("l")
    assert fix.changes == ["date_mes: 3,200 date(s) rewritten."]
    assert fix.changes_fr == [f"date_mes : 3{NNBSP}200 date(s) réécrite(s)."]
    found = {i.code: i for i in merger.issues()}
    assert found["DATE_NOT_ISO"].message == "date_mes: 3,200 date(s) not in ISO 8601, e.g. '1/2/2003'."
    french = f"date_mes : 3{NNBSP}200 date(s) hors format ISO 8601, p. ex. '1/2/2003'."
    assert found["DATE_NOT_ISO"].message_fr == french
    assert found["SOMETHING_ELSE"].message == "3200 value(s) seen"


def _pei_layer(tmp: Path, n: int) -> Path:
    """The bundled PEI sample grown to ``n`` hydrants (new numbers and places), the dates of its second half
    written the French way, with 1,100 copies of hydrants of its first half: counts past a thousand, in several
    chunks. (The copied rows need no fix: a streamed run compares a chunk as read with the earlier chunks as
    fixed, so a copy of a row a fix changed is reported, not removed, when it comes in a later chunk.)"""
    table = pd.read_csv(REPO / "tests/data/pei/pei_generated_occitanie.csv", sep=";", dtype=str)
    rows = table.iloc[np.arange(n) % len(table)].reset_index(drop=True)
    rows["numero_sdis"] = [f"34172.{i:05d}" for i in range(n)]
    rows["X"] = (700000 + (np.arange(n) % 300) * 97.0).round(2).astype(str)
    rows["Y"] = (6250000 + (np.arange(n) // 300) * 89.0).round(2).astype(str)
    rows["date_mise_en_service"] = np.where(np.arange(n) < n // 2, "1997-12-18", "18/12/1997")
    rows = pd.concat([rows, rows.iloc[: n // 2 : n // 2 // 1100][:1100]], ignore_index=True)
    src = tmp / "src" / "pei.csv"
    src.parent.mkdir()
    rows.to_csv(src, sep=";", index=False)
    return src


def _report(src: Path, out: Path, chunk_rows: int) -> dict:
    from odl_geo.sources import ReadOptions

    options = ThemeOptions(fix=True, drop_invalid=True, area="occitanie", chunk_rows=chunk_rows)
    convert_theme(src, out, "pei", options, ("csv",), ReadOptions(source_crs="EPSG:2154"))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    shutil.rmtree(out)
    return report


def test_a_streamed_layer_reports_the_grouped_counts_of_the_whole_layer(tmp_path):
    src = _pei_layer(tmp_path, 3000)
    whole, chunked = _report(src, tmp_path / "whole", 100_000), _report(src, tmp_path / "chunked", 700)
    [layer] = whole["layers"]
    dates, copies = layer["fixes"]
    assert dates["changes_fr"][0].startswith(f"date_mes : 1{NNBSP}500 dates réécrites au format ISO 8601")
    assert copies["changes_fr"][0].startswith(f"1{NNBSP}100 objets en double exact retirés : #3000, #3001,")
    assert layer["fixes"][1]["changes"][0].endswith("#3009 and 1,090 more.")

    # the same findings and fixes, said with the same words and counts (chunks list them in another order; a
    # fix's list of rows is the first chunk's, "#3000, … #3009 and 490 more": only its last number differs)
    def said(report: dict) -> list[tuple[str, str]]:
        return sorted((_more.sub("…", i["message"]), _more.sub("…", i.get("message_fr", ""))) for i in report["issues"])

    assert said(chunked) == said(whole)
    assert [[_more.sub("…", c) for c in f["changes"] + f["changes_fr"]] for f in chunked["layers"][0]["fixes"]] == [
        [_more.sub("…", c) for c in f["changes"] + f["changes_fr"]] for f in layer["fixes"]
    ]
