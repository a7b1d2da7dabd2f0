"""The dates check's merged message counts the whole layer (issue 16, the last first-chunk numbers).

A streamed run merges the chunks' findings (:class:`odl_geo.theme.merge.ChunkMerger`). ``DATE_NOT_ISO`` says how
many dates of each kind of format it found (``partial: 2, unreadable: 1``), most frequent first: its merged message
kept the first chunk's kinds and counts (a kind only later chunks found was missing), and its hint the first
chunk's count of complete dates. Its message is now written from named counts (``Issue.counted``), summed over
the chunks, and the check writes its list of kinds, its values quoted and its hint again from the layer's
(``Check.joined``): a layer in several chunks says what it says in one, in English and in French.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from odl_geo.checks.registry import CheckContext
from odl_geo.checks.runner import run_checks
from odl_geo.report import Report
from odl_geo.theme.merge import ChunkMerger
from tests.unit.test_merged_numbers import OPTIONS, _fountains
from tests.unit.test_theme_stream import _run

if TYPE_CHECKING:
    from pathlib import Path

NNBSP = "\u202f"


def _dated_fountains(tmp: Path) -> Path:
    """40 water points; their first chunk of 10 holds partial dates and an unknown one (four distinct values: the
    examples quoted), the later ones complete dates, two unreadable ones and another unknown one (as many as the
    unreadable ones: the unknown come first, found first)."""
    src = _fountains(tmp, 40, {})
    frame = pd.read_csv(src, sep=";", dtype=str)
    dates = ["2019-05-07"] * 40
    for row, value in {2: "1930/??/??", 5: "mars 1999", 7: "????/??/??", 8: "1931/??/??", 35: "2019-02-30",
                       38: "n'importe", 39: "19??/??/??"}.items():  # fmt: skip
        dates[row] = value
    for row in (12, 14, 16, 25, 27, 33, 36):
        dates[row] = f"0{row % 9 + 1}/05/2019"
    frame["date_mes"] = dates
    frame.to_csv(src, sep=";", index=False)
    return src


def _dates(out: Path) -> list[tuple[str, str, str, int]]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return [(i["message"], i.get("message_fr", ""), i["hint"], i["count"])
            for i in report["issues"] if i["code"] == "DATE_NOT_ISO"]  # fmt: skip


@pytest.mark.parametrize("fix", [False, True])
def test_a_layer_in_several_chunks_says_the_dates_kinds_and_counts_of_one_chunk(tmp_path, fix):
    src = _dated_fountains(tmp_path)
    options = {**OPTIONS, "fix": fix}
    _run(src, tmp_path / "whole", "water", options, {}, 50_000)
    whole = _dates(tmp_path / "whole")
    samples = "'1930/??/??', 'mars 1999', '????/??/??', '1931/??/??'"
    if fix:  # the complete dates rewritten: the others left out, the hint says no count
        kinds_en = "partial: 3, unknown: 2, unreadable: 2"
        kinds_fr = "partielles : 3, inconnues : 2, illisibles : 2"
        n = 7
        hint = "partial or unreadable dates must be completed or emptied in the source."
    else:
        kinds_en = "complete: 7, partial: 3, unknown: 2, unreadable: 2"
        kinds_fr = "complètes : 7, partielles : 3, inconnues : 2, illisibles : 2"
        n = 14
        hint = ("--fix rewrites the 7 complete dates as YYYY-MM-DD; partial or unreadable dates must be completed "
                "or emptied in the source.")  # fmt: skip
    assert whole == [(
        f"[left out] date_mes: {n} dates not in ISO 8601 ({kinds_en}), e.g. {samples}.",
        f"[écarté] date_mes : {n} dates hors format ISO 8601 ({kinds_fr}), p. ex. {samples}.",
        hint,
        n,
    )]  # fmt: skip
    for rows in (10, 7, 3):  # the first chunk's kinds partial then unknown (3 rows: one partial only)
        _run(src, tmp_path / f"chunks{rows}", "water", options, {}, rows)
        assert _dates(tmp_path / f"chunks{rows}") == whole, rows


def _points(dates: list[str]) -> gpd.GeoDataFrame:
    n = len(dates)
    x = 3.80 + np.arange(n) * 1e-4
    return gpd.GeoDataFrame({"date_mes": dates}, geometry=shapely.points(x, np.full(n, 43.6)), crs="EPSG:4326")


def test_the_merged_counts_are_grouped_and_their_kinds_ordered_as_in_the_whole_layer():
    # the first chunk: 1,500 partial dates, 2 of unknown format; the second: 2,000 complete ones
    chunks = [["1930/??/??"] * 1500 + ["????/??/??"] * 2, ["18/12/1997"] * 2000]
    merger = ChunkMerger()
    offset = 0
    for dates in chunks:
        report = Report()
        for found in run_checks(CheckContext(_points(dates), "couche", offset=offset), None).issues:
            report.add(found)
        merger.add_report(report, offset)
        offset += len(dates)
    [merged] = [i for i in merger.issues() if i.code == "DATE_NOT_ISO"]
    whole = run_checks(CheckContext(_points(chunks[0] + chunks[1]), "couche"), None).issues
    [expected] = [i for i in whole if i.code == "DATE_NOT_ISO"]
    assert merged.message == expected.message
    assert merged.message == (
        "date_mes: 3,502 dates not in ISO 8601 (complete: 2,000, partial: 1,500, unknown: 2), "
        "e.g. '1930/??/??', '????/??/??', '18/12/1997'."
    )
    assert merged.message_fr == expected.message_fr
    assert merged.message_fr == (
        f"date_mes : 3{NNBSP}502 dates hors format ISO 8601 (complètes : 2{NNBSP}000, partielles : 1{NNBSP}500, "
        "inconnues : 2), p. ex. '1930/??/??', '????/??/??', '18/12/1997'."
    )
    assert merged.hint == expected.hint
    assert merged.hint.startswith("--fix rewrites the 2,000 complete dates")
    assert merged.count == expected.count == 3502


def test_a_column_name_with_braces_and_parentheses_is_kept_as_it_is():
    chunks = [["mars 1999"], ["18/12/1997", "18/12/1997"]]
    merger = ChunkMerger()
    for offset, dates in ((0, chunks[0]), (1, chunks[1])):
        frame = _points(dates).rename(columns={"date_mes": "date (partial: {partial})"})
        report = Report()
        for found in run_checks(CheckContext(frame, "couche", offset=offset), None).issues:
            report.add(found)
        merger.add_report(report, offset)
    [merged] = [i for i in merger.issues() if i.code == "DATE_NOT_ISO"]
    assert merged.message == (
        "date (partial: {partial}): 3 dates not in ISO 8601 (complete: 2, partial: 1), e.g. 'mars 1999', "
        "'18/12/1997'."
    )
