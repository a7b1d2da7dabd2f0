"""``leave_out.leave_out_rows`` in bounded memory (issue 16, eighth round: flood at 1M zones).

At 1M zones the round held each table's rowids as a list of Python integers and every envelope of the table at
once (+125 MB at the peak on a 1.1M-row file, bench/flood_validate.py). Now the rowids are a ``range`` when they
are 1..n (every file a build wrote) or an array, and the extents are computed batch by batch. Proven here:

- the extents computed in batches of 3 give the same file, byte for byte, as a build without the rows (the
  DDT38 PPRs, the drops of ``test_flood_leave_out.py``);
- a table whose rowids have holes (a file not written by a build) loses the rows at the given *positions*,
  the others keep their order (the former list of rowids did the same).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import pytest

from odl_geo.profiles.flood import leave_out as flood_leave_out
from odl_geo.profiles.flood.leave_out import leave_out_rows
from tests.unit.flood_pprs import NAMES, conformed
from tests.unit.flood_pprs import digest as _digest
from tests.unit.test_flood_leave_out import _build, _drops

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module", params=NAMES)
def ppr(request, shared_data, tmp_path_factory):
    return conformed(request.param, shared_data, tmp_path_factory.mktemp("ppr"))


def test_extents_in_small_batches_give_the_bytes_of_a_build_without_the_rows(ppr, tmp_path, monkeypatch):
    monkeypatch.setattr(flood_leave_out, "EXTENT_BATCH", 3)
    for n, drop in enumerate(_drops(ppr)):
        kept = {
            kind: frame.drop(index=frame.index[drop[kind]]).reset_index(drop=True) if kind in drop else frame
            for kind, frame in ppr.frames.items()
        }
        expected = _build(ppr, kept, tmp_path / f"without-{n}")
        path = _build(ppr, ppr.frames, tmp_path / f"with-{n}")
        leave_out_rows(path, {f"{ppr.prefix}_{kind}": rows for kind, rows in drop.items()})
        assert _digest(path) == _digest(expected), drop


def _rows(path: Path, table: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f'SELECT rowid, * FROM "{table}" ORDER BY rowid').fetchall()
    finally:
        conn.close()


def test_rowids_with_holes_are_read_by_position(ppr, tmp_path):
    path = _build(ppr, ppr.frames, tmp_path / "holes")
    kind = max(ppr.frames, key=lambda k: len(ppr.frames[k]))
    table = f"{ppr.prefix}_{kind}"
    conn = sqlite3.connect(path)
    conn.execute(f'DELETE FROM "{table}" WHERE rowid IN (1, 4, 5, 9)')  # holes at the start and inside
    conn.commit()
    with conn:
        assert not isinstance(flood_leave_out._rowids(conn, table), range)
    conn.close()
    before = _rows(path, table)
    positions = [0, 3, len(before) // 2, len(before) - 1]
    left = leave_out_rows(path, {table: positions})
    after = _rows(path, table)
    assert left == {table: len(before) - len(positions)} == {table: len(after)}
    assert [r[1:] for r in after] == [r[1:] for i, r in enumerate(before) if i not in positions]


def test_rowids_without_holes_are_a_range(ppr, tmp_path):
    path = _build(ppr, ppr.frames, tmp_path / "plain")
    table = f"{ppr.prefix}_{max(ppr.frames, key=lambda k: len(ppr.frames[k]))}"
    conn = sqlite3.connect(path)
    try:
        rowids = flood_leave_out._rowids(conn, table)
        assert rowids == range(1, len(_rows(path, table)) + 1)
        conn.execute(f'DELETE FROM "{table}"')
        assert flood_leave_out._rowids(conn, table) == range(0)
    finally:
        conn.close()
