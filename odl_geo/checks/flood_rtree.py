"""The flood overlap checks on a table whose rows come a piece at a time: an R-tree on disk of the rows before.

``PPR_ALEA_LEVEL_OVERLAP`` and ``PPR_ZONEREG_OVERLAP`` (:mod:`odl_geo.checks.flood`) compare every zone of a CNIG
table with every other: a zone of the first piece can overlap one of the last. Run on the whole table they need
the whole table's shapes at once. :class:`OverlapsOnDisk` gives the same finding (the number of pairs, the first
rows named) from the pieces one after the other, holding one piece's shapes and bounded state:

- the pairs within the piece, as the whole-table check finds them (:func:`~odl_geo.checks.flood._overlapping_pairs`:
  bounding boxes, prepared ``intersects``, interiors meet, shared area > 1 m²);
- the pairs of a zone of the piece with a zone of an earlier piece: the earlier zones' bounding boxes are in an
  SQLite R-tree (the ``rtree`` module; its 32-bit boxes are rounded outwards, so no pair of touching boxes is
  missed) and their shapes as WKB in a table keyed by row, in a private temporary file; the candidates are read
  back by rowid and go through the same tests;
- then the piece's zones join the R-tree.

A pair is counted once (i < j: either both in one piece, or i in an earlier one), so the count is the whole
table's; the rows named are the smallest rows of any pair, as the whole table's sorted set gives them (the five
smallest kept). ``tests/unit/test_flood_rtree.py`` compares both on the DDT38 PPRs and on generated tables cut
at every size.
"""

from __future__ import annotations

import heapq
import math
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Self

import numpy as np
import shapely

from .flood import (
    _ALEA,
    _ZONEREG,
    MIN_OVERLAP_M2,
    _overlapping_pairs,
    alea_level_overlap_issue,
    zonereg_overlap_issue,
)

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import NDArray

    from ..report import Issue

__all__ = ["EXAMPLES", "OverlapsOnDisk", "TableOverlaps"]

#: rows a finding names (as the whole-table check: ``examples=hit[:5]``)
EXAMPLES = 5
#: candidate pairs tested at a time (bounds the shapes read back at once)
_CANDIDATES = 20_000


class OverlapsOnDisk:
    """The overlapping pairs of a table given a piece at a time (:meth:`add`, in the table's order); ``keyed``:
    only pairs whose keys differ count (the hazard levels of ``PPR_ALEA_LEVEL_OVERLAP``).

    :param folder: where the R-tree's file goes (a private temporary folder by default); removed by
        :meth:`close`.
    """

    def __init__(self, keyed: bool, folder: Path | None = None) -> None:
        self.keyed = keyed
        self.pairs = 0
        self.rows = 0  # rows of the table given so far
        self._smallest: list[int] = []  # max-heap (negated) of the EXAMPLES smallest rows named
        self._named: set[int] = set()
        self._tmp = tempfile.TemporaryDirectory(prefix="odl-geo-overlaps-", dir=folder)
        self._conn = sqlite3.connect(Path(self._tmp.name) / "zones.sqlite")
        self._conn.execute("PRAGMA journal_mode = OFF")
        self._conn.execute("PRAGMA synchronous = OFF")
        self._conn.execute("CREATE VIRTUAL TABLE boxes USING rtree(id, minx, maxx, miny, maxy)")
        self._conn.execute("CREATE TABLE shapes (id INTEGER PRIMARY KEY, key, wkb BLOB NOT NULL)")

    @property
    def examples(self) -> list[int]:
        """The smallest rows of the pairs found, in order (at most :data:`EXAMPLES`)."""
        return sorted(-r for r in self._smallest)

    def add(self, geoms: NDArray[np.object_], keys: NDArray[np.object_] | None = None) -> None:
        """The next piece of the table: its shapes (None, invalid or empty ones are left out, as the whole-table
        check leaves them) and, when ``keyed``, its keys."""
        geoms = np.asarray(geoms, dtype=object)
        if self.keyed and keys is None:
            raise ValueError("a keyed overlap check needs the keys of every piece")
        offset = self.rows
        self.rows += len(geoms)
        ok = np.array([g is not None for g in geoms], dtype=bool)
        ok[ok] = shapely.is_valid(geoms[ok]) & ~shapely.is_empty(geoms[ok])
        rows = np.flatnonzero(ok)
        if not len(rows):
            return
        shapes = geoms[rows]
        piece_keys = None if keys is None or not self.keyed else np.asarray(keys, dtype=object)[rows]
        left, right = _overlapping_pairs(shapes, piece_keys)
        self._found(rows[left] + offset, rows[right] + offset)
        self._against_earlier(shapes, piece_keys, rows + offset)
        bounds = shapely.bounds(shapes)
        ids = (rows + offset).tolist()
        self._conn.executemany("INSERT INTO boxes VALUES (?, ?, ?, ?, ?)", _boxes(ids, bounds))
        wkb = shapely.to_wkb(shapes)
        self._conn.executemany(
            "INSERT INTO shapes VALUES (?, ?, ?)",
            zip(ids, [None] * len(ids) if piece_keys is None else [_plain(k) for k in piece_keys], wkb, strict=True),
        )
        del wkb

    def close(self) -> None:
        """Remove the R-tree's file."""
        self._conn.close()
        self._tmp.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _against_earlier(
        self, shapes: NDArray[np.object_], keys: NDArray[np.object_] | None, rows: NDArray[np.int64]
    ) -> None:
        """The pairs of a zone of earlier pieces (i) with one of this piece (j), in the R-tree's candidates."""
        conn = self._conn
        bounds = shapely.bounds(shapes)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS probe (n INTEGER PRIMARY KEY, minx, maxx, miny, maxy)")
        conn.execute("DELETE FROM probe")
        conn.executemany("INSERT INTO probe VALUES (?, ?, ?, ?, ?)", _boxes(list(range(len(shapes))), bounds))
        cursor = conn.execute(
            "SELECT b.id, p.n FROM probe p JOIN boxes b ON b.minx <= p.maxx AND b.maxx >= p.minx "
            "AND b.miny <= p.maxy AND b.maxy >= p.miny"
        )
        while batch := cursor.fetchmany(_CANDIDATES):
            earlier = np.fromiter((b for b, _ in batch), dtype=np.int64, count=len(batch))
            mine = np.fromiter((n for _, n in batch), dtype=np.int64, count=len(batch))
            wanted = np.unique(earlier)
            found = {i: (k, w) for i, k, w in _rows_by_id(conn, wanted.tolist())}
            theirs = shapely.from_wkb([found[int(i)][1] for i in wanted])
            at = np.searchsorted(wanted, earlier)
            left_geoms = theirs[at]
            keep = np.ones(len(batch), dtype=bool)
            if keys is not None:
                their_keys = np.array([found[int(i)][0] for i in wanted], dtype=object)[at]
                keep = np.array([_differ(a, b) for a, b in zip(their_keys, keys[mine], strict=True)], dtype=bool)
            left_geoms, right_geoms = left_geoms[keep], shapes[mine[keep]]
            earlier, mine = earlier[keep], mine[keep]
            if len(earlier):
                touching = shapely.intersects(left_geoms, right_geoms)
                left_geoms, right_geoms = left_geoms[touching], right_geoms[touching]
                earlier, mine = earlier[touching], mine[touching]
            if len(earlier):
                inner = shapely.relate_pattern(left_geoms, right_geoms, "T********")
                left_geoms, right_geoms = left_geoms[inner], right_geoms[inner]
                earlier, mine = earlier[inner], mine[inner]
            if len(earlier):
                big = shapely.area(shapely.intersection(left_geoms, right_geoms)) > MIN_OVERLAP_M2
                earlier, mine = earlier[big], mine[big]
            self._found(earlier, rows[mine])
            del theirs, left_geoms, right_geoms, found

    def _found(self, left: NDArray[np.int64], right: NDArray[np.int64]) -> None:
        """Count the pairs and keep the smallest rows they name."""
        self.pairs += len(left)
        for row in np.unique(np.concatenate([left, right])).tolist() if len(left) else ():
            if row in self._named:
                continue
            if len(self._smallest) < EXAMPLES:
                heapq.heappush(self._smallest, -row)
                self._named.add(row)
            elif row < -self._smallest[0]:
                self._named.discard(-heapq.heappushpop(self._smallest, -row))
                self._named.add(row)
            else:
                break  # the rows come sorted: the others are larger still


def _boxes(ids: list[int], bounds: NDArray[np.float64]) -> list[tuple[int, float, float, float, float]]:
    """R-tree rows (id, minx, maxx, miny, maxy) from shapely's bounds (minx, miny, maxx, maxy)."""
    return list(zip(ids, *(bounds[:, c].tolist() for c in (0, 2, 1, 3)), strict=True))


def _rows_by_id(conn: sqlite3.Connection, ids: list[int]) -> list[tuple[int, object, bytes]]:
    """The kept (id, key, WKB) of ``ids``, read by rowid (a few hundred at a time: SQLite's parameter limit)."""
    out: list[tuple[int, object, bytes]] = []
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        out += conn.execute(
            f"SELECT id, key, wkb FROM shapes WHERE id IN ({','.join('?' * len(part))})", part
        ).fetchall()
    return out


#: a NaN key as kept in SQLite (which would keep NaN as NULL, and NULL is None, equal to None)
_NAN = b"odl-geo:NaN"


def _plain(value: object) -> object:
    """A key as SQLite keeps it and gives it back, to compare keys across pieces: the conformed codes are text or
    None (kept as they are; a missing one may be NaN in a frame), a numpy scalar becomes its Python value,
    anything else its text."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return _NAN
    if value is None or isinstance(value, (str, int, float)):
        return value
    return str(value)


def _differ(kept: object, value: object) -> bool:
    """Whether an earlier piece's key (as kept) and this piece's differ as the whole-table check compares them
    (``keys[i] != keys[j]`` on objects: NaN differs from everything, NaN included; None equals None)."""
    other = _plain(value)
    return kept == _NAN or other == _NAN or kept != other


class TableOverlaps:
    """The overlap checks that apply to one CNIG table (as the whole-table checks decide it from the table's name
    and role), fed its checked pieces in order (:meth:`add`), their finding at the end (:meth:`issues`): what
    ``run_checks`` gives for ``PPR_ALEA_LEVEL_OVERLAP`` and ``PPR_ZONEREG_OVERLAP`` on the whole table.

    :param codes: the checks the run runs (a check not among them is not run here either).
    """

    def __init__(self, layer: str, role: str, codes: frozenset[str] | set[str], folder: Path | None = None) -> None:
        self.layer = layer
        kind = f"{layer} {role}"
        self._checks: list[tuple[bool, OverlapsOnDisk | None]] = []
        if "PPR_ALEA_LEVEL_OVERLAP" in codes and _ALEA.search(kind):
            self._checks.append((True, OverlapsOnDisk(True, folder)))
        if "PPR_ZONEREG_OVERLAP" in codes and _ZONEREG.search(kind):
            self._checks.append((False, OverlapsOnDisk(False, folder)))

    def add(self, frame: pd.DataFrame) -> None:
        """The next checked piece of the table (its rows follow the pieces before in the table's numbering)."""
        if not self._checks:
            return
        geoms = np.asarray(frame.geometry.values, dtype=object)
        for n, (keyed, disk) in enumerate(self._checks):
            if disk is None:
                continue
            if keyed and "niveaualea" not in frame.columns:  # the whole-table check says nothing then
                disk.close()
                self._checks[n] = (keyed, None)
                continue
            disk.add(geoms, frame["niveaualea"].astype(object).to_numpy() if keyed else None)

    def issues(self) -> list[Issue]:
        """The findings, in the registry's order (as ``run_checks`` gives them)."""
        out = []
        for keyed, disk in self._checks:
            if disk is not None and disk.pairs:
                make = alea_level_overlap_issue if keyed else zonereg_overlap_issue
                out.append(make(self.layer, disk.pairs, disk.examples))
        return out

    def close(self) -> None:
        """Remove the R-trees' files."""
        for _, disk in self._checks:
            if disk is not None:
                disk.close()
        self._checks = [(keyed, None) for keyed, _ in self._checks]
