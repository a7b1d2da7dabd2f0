"""A streamed ``--fix`` run decides which rows are copies as a whole-layer run does (issue 16, defect found in the
fifth round): a later chunk's exact copy of a row that an earlier chunk's fix changed (a date rewritten as ISO) is
a copy of it *as read*, so it is removed as in the whole layer; a later row equal to the fixed row only (already
ISO in the source) is not a copy as read: reported after the fixes, not removed, as in the whole layer.

Each layer is checked whole and in chunks with the streaming pipeline's calls (``tests/unit/test_checks_chunked``).
"""

from __future__ import annotations

import pandas as pd

from odl_geo.checks import _carry
from tests.unit import test_checks_chunked
from tests.unit.test_checks_chunked import _copy_row, _water, assert_same, chunked, whole


def test_a_later_copy_of_a_row_whose_date_an_earlier_chunk_fixed_is_removed_as_in_the_whole_layer() -> None:
    frame = _water(30)
    frame.at[3, "date_mes"] = "07/05/2019"  # fixed to 2019-05-07 by --fix
    _copy_row(frame, 3, 20)  # the same row, as read, two chunks of 7 later
    expected = assert_same(frame, "water")
    removed = [c for c in expected.changes if c[1] == "(feature)"]
    assert removed == [(20, "(feature)", "exact copy of an earlier feature", None)]
    assert sum(len(f) for f in expected.fixed) == 29


def test_a_later_row_equal_to_the_fixed_row_only_is_reported_not_removed_as_in_the_whole_layer() -> None:
    frame = _water(30)
    frame.at[3, "date_mes"] = "07/05/2019"
    _copy_row(frame, 3, 20, date_mes="2019-05-07")  # already ISO: equal to row 3 once fixed, not as read
    expected = assert_same(frame, "water")
    assert not [c for c in expected.changes if c[1] == "(feature)"]
    assert expected.rows[("DUPLICATE_FEATURE", "warning")] == (1, [20])


def test_copies_as_read_and_after_the_fixes_in_one_layer() -> None:
    frame = _water(40)
    frame.at[3, "date_mes"] = "07/05/2019"
    _copy_row(frame, 3, 10)  # a copy as read (removed)
    frame.at[12, "date_mes"] = "01/01/2020"
    _copy_row(frame, 12, 13)  # copies within one chunk, fixed together
    _copy_row(frame, 3, 22, date_mes="2019-05-07")  # a copy once fixed only, in a chunk that has a copy as read:
    _copy_row(frame, 12, 23)  # the duplicates' fix runs there, as on the whole layer (see the docstring below)
    _copy_row(frame, 22, 33)  # a copy of that one as read, in another chunk (removed)
    expected = assert_same(frame, "water", sizes=(7, 1000))
    assert sorted(c[0] for c in expected.changes if c[1] == "(feature)") == [10, 13, 22, 23, 33]


def test_a_copy_once_fixed_only_before_any_copy_as_read_is_what_a_stream_cannot_know() -> None:
    """What stays different, said in docs/themes.md: a whole layer's ``--fix`` runs the duplicates' fix when the
    layer has a copy *as read* anywhere, and it then removes the copies made by the other fixes too; a streamed run
    decides per chunk, so a copy once fixed only, in a chunk without a copy as read, is kept (and reported)."""
    frame = _water(30)
    frame.at[3, "date_mes"] = "07/05/2019"
    _copy_row(frame, 3, 10, date_mes="2019-05-07")  # a copy once fixed only, chunk 1 of 7
    _copy_row(frame, 0, 20)  # a copy as read, chunk 2
    removed = [c[0] for c in whole(frame, "water").changes if c[1] == "(feature)"]
    assert removed == [10, 20]
    got = chunked(frame, "water", 7)
    assert [c[0] for c in got.changes if c[1] == "(feature)"] == [20]
    assert got.rows[("DUPLICATE_FEATURE", "warning")] == (1, [10])


def test_the_carry_keeps_the_rows_as_read_only_for_the_rows_the_fixes_changed(monkeypatch) -> None:
    frame = _water(30)
    for row in (3, 9, 16):
        frame.at[row, "date_mes"] = "07/05/2019"
    carry = _carry.layer_carry()
    monkeypatch.setattr(test_checks_chunked, "layer_carry", lambda: carry)
    chunked(frame, "water", 7)
    as_read = carry.get("duplicates.geometry.read")
    fixed = carry.get("duplicates.geometry.fixed")
    assert isinstance(as_read, _carry.PairSet) and isinstance(fixed, _carry.PairSet)
    assert len(as_read) == len(fixed) == 3 and len(carry["duplicates.geometry"]) == 27  # type: ignore[arg-type]


def test_a_table_without_geometry_decides_the_same_way() -> None:
    import geopandas as gpd

    frame = pd.DataFrame(_water(30).drop(columns="geometry"))
    frame.at[3, "date_mes"] = "07/05/2019"
    _copy_row(frame, 3, 20)
    table = gpd.GeoDataFrame(frame)
    expected = whole(table, "water")
    assert [c[0] for c in expected.changes if c[1] == "(feature)"] == [20]
    for size in (1, 7, 1000):
        got = chunked(table, "water", size)
        assert got.rows == expected.rows and sorted(got.changes, key=repr) == sorted(expected.changes, key=repr)


def test_a_streamed_pei_run_removes_the_later_copy_of_a_row_whose_date_it_fixed(tmp_path) -> None:
    """The whole pipeline (``convert --theme``: the pass, its child when it forks, the merged report): the PEI
    sample's row with the date ``12/03/1999`` copied as is at the end, 24 rows later (chunks of 7)."""
    import json
    import shutil

    from tests.unit.test_theme_stream import SAMPLES, _run

    path, options, read = SAMPLES["pei"]
    lines = path.read_text(encoding="utf-8").splitlines()
    dated = next(line for line in lines if "12/03/1999" in line)
    src = tmp_path / "src" / path.name
    src.parent.mkdir()
    src.write_text("\n".join([*lines, dated]) + "\n", encoding="utf-8")
    runs = {rows: _run(src, tmp_path / str(rows), "pei", options, read, rows) for rows in (50_000, 7)}
    reports = {rows: json.loads((tmp_path / str(rows) / "report.json").read_text(encoding="utf-8")) for rows in runs}
    for rows, report in reports.items():
        (layer,) = report["layers"]
        removed = [c for c in layer["changes"] if c["code"] == "DUPLICATE_FEATURE"]
        assert [c["feature"] for c in removed] == [len(lines) - 1], rows  # the copy, row 31 of the layer
    assert runs[7].layers[0].feature_count == runs[50_000].layers[0].feature_count
    shutil.rmtree(tmp_path / "src")
