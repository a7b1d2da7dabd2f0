"""``--drop-invalid`` on the CNIG GeoPackage itself: the left-out rows deleted from the file already validated.

A ``--drop-invalid`` round used to rebuild the whole GeoPackage from the remaining frames and validate it again
(at 100,000 zones: 1.7 s of build and 1.5 s of validation, CPU). The file ``FloodProfile.validate`` built and
validated is the product when the data stay as they are; leaving rows out of it is a change of *rows* only:

- :func:`leave_out_rows` deletes them by rowid and gives the file **the bytes of a file built without them**
  (``tests/unit/test_flood_leave_out.py`` builds both on the DDT38 PPRs): the rowids after the first deleted row
  are renumbered (SQLite's ``VACUUM`` keeps the rowids of tables without an INTEGER PRIMARY KEY, gaps included,
  where a build numbers its rows 1..n), the extent of each table in ``gpkg_contents`` is computed again from its
  rows' envelopes (a build widens it row by row: the min/max of the same numbers), ``VACUUM`` rewrites the pages,
  and three counters of the file's header are set back to the build's: the *file change counter*, the
  *version-valid-for number* (both count SQLite's write transactions: the deletion and the VACUUM add theirs) and
  the *schema cookie* (``VACUUM`` adds one to it). They count what was done to the file, not what it holds, and
  a build without the rows makes as many transactions and schema changes as the one with them.
- :func:`validate_left_out` validates the file again without the geometry rules: each judges a row alone, so a
  file only rid of rows can break none of them that the whole validation did not name already (and
  ``FloodProfile.validate`` adds only findings of rules not named before); the rules across rows and tables
  (references, multirisk details, the procedure's code) are all run again.

Anything else (nothing built, the file not of these frames, a CNIG input validated as it is) returns False: the
caller validates as before, building the file again.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

import numpy as np

from ...report import Report

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from ..base import ThemeDataset
    from .profile import _Built

__all__ = ["leave_out_rows", "validate_left_out", "validated_file"]

#: the header fields a build's history sets (file change counter, schema cookie, version-valid-for number)
_COUNTERS = (24, 40, 92)
#: envelopes read per batch when a table's extent is computed again: the memory of one batch, not of the table's
#: (~55 MB at once for a 525,000-zone table)
EXTENT_BATCH = 5_000
#: the first bytes of the geometries a build writes (``gpkg.gpkg_blobs``): with an xy envelope, or empty
_ENVELOPED, _EMPTY = b"GP\x00\x03", b"GP\x00\x11"


def leave_out_rows(path: Path, positions: Mapping[str, Sequence[int]]) -> dict[str, int]:
    """Delete from the finished CNIG GeoPackage ``path`` the rows at ``positions`` (table name -> 0-based
    positions in rowid order, the frame's positions for a file odl-geo built); returns each table's rows left.

    The file then has the bytes of the GeoPackage built without those rows (see the module's docstring).

    :raises sqlite3.Error: the file cannot be changed (the caller builds it again).
    :raises ValueError: no such position, or a geometry a build does not write (the file is then left as it
        may be, half changed: the caller builds it again).
    """
    with path.open("rb") as fh:
        header = fh.read(100)
    left: dict[str, int] = {}
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # a private file, rebuilt if this fails
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("BEGIN")
        for table, wanted in positions.items():
            rowids = _rowids(conn, table)
            if any(not 0 <= i < len(rowids) for i in wanted):
                raise ValueError(f"{table} has no row at one of the positions to leave out")
            gone = sorted({int(rowids[i]) for i in wanted})
            left[table] = len(rowids) - len(gone)
            if not gone:
                continue
            conn.executemany(f'DELETE FROM "{table}" WHERE rowid = ?', [(r,) for r in gone])
            _renumber(conn, table, int(rowids[-1]), gone)
            _extent(conn, table)
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()
    with path.open("r+b") as fh:
        for offset in _COUNTERS:
            fh.seek(offset)
            fh.write(header[offset : offset + 4])
    return left


def _rowids(conn: sqlite3.Connection, table: str) -> range | np.ndarray:
    """The table's rowids in order, indexable by position: a ``range`` when they are 1..n without a gap (every
    table a build wrote), read from three lookups of the b-tree; else read once into an array of 8 bytes a row
    (a list of Python integers was ~40 bytes a row: ~20 MB for a 525,000-zone table)."""
    (n,) = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    if not n:
        return range(0)
    (first,) = conn.execute(f'SELECT min(rowid) FROM "{table}"').fetchone()
    (last,) = conn.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()
    if last - first + 1 == n:
        return range(first, last + 1)
    cursor = conn.execute(f'SELECT rowid FROM "{table}" ORDER BY rowid')
    return np.fromiter((r for (r,) in cursor), dtype=np.int64, count=n)


def _renumber(conn: sqlite3.Connection, table: str, last: int, gone: list[int]) -> None:
    """Rowids 1..n again, in the same order: the rows between the k-th and the next deleted rowid move down by k,
    one statement per gap. SQLite moves a statement's rows in ascending rowid order, so that each new rowid is
    free when its row comes (a rowid taken would fail the statement with an IntegrityError, never overwrite:
    the caller then builds the file again). One pass over the moved rows (negating them first cost 3.5 times
    the CPU at 100,000 zones)."""
    bounds = [*gone, last + 1]
    for k in range(len(gone)):
        conn.execute(
            f'UPDATE "{table}" SET rowid = rowid - ? WHERE rowid > ? AND rowid < ?', (k + 1, bounds[k], bounds[k + 1])
        )


def _extent(conn: sqlite3.Connection, table: str) -> None:
    """The table's extent in ``gpkg_contents`` as a build gives it: the bounds of its geometries (the envelopes
    of their headers, the numbers ``shapely.bounds`` gave; empty geometries have none), none when none is left.

    :raises ValueError: a geometry whose header a build does not write (the caller builds the file again).
    """
    column = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    if column is None:
        return
    low = np.full(4, np.inf)  # the least minx, maxx, miny, maxy so far
    high = np.full(4, -np.inf)  # the greatest
    read = False
    cursor = conn.execute(f'SELECT substr("{column[0]}", 1, 40) FROM "{table}"')
    while heads := cursor.fetchmany(EXTENT_BATCH):
        boxes = []
        for (head,) in heads:
            if head is None or (isinstance(head, bytes) and head[:4] == _EMPTY):
                continue
            if not (isinstance(head, bytes) and len(head) == 40 and head[:4] == _ENVELOPED):
                raise ValueError(f"{table}: a geometry header odl-geo does not write")
            boxes.append(head[8:40])
        if boxes:
            read = True
            found = np.frombuffer(b"".join(boxes), dtype="<f8").reshape(-1, 4)  # minx, maxx, miny, maxy
            low = np.minimum(low, found.min(axis=0))
            high = np.maximum(high, found.max(axis=0))
    extent: tuple[float | None, ...] = (None, None, None, None)
    if read:
        extent = (float(low[0]), float(low[2]), float(high[1]), float(high[3]))
    conn.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?", (*extent, table)
    )


def validated_file(profile: object, dataset: ThemeDataset) -> _Built | None:
    """The GeoPackage ``profile.validate`` built and validated from ``dataset`` as it is now (its handle), or None:
    not a flood profile, nothing built, the file of another state of the data, or a CNIG input (validated as it
    is, or with its own notes each round)."""
    from .profile import FloodProfile, _as_ppr, _fingerprint

    if not isinstance(profile, FloodProfile) or profile._built is None:
        return None
    ppr = _as_ppr(dataset)
    if ppr.input_kind == "cnig" or profile._built.fingerprint != _fingerprint(ppr):
        return None
    return profile._built


def validate_left_out(
    profile: object,
    built: _Built,
    dataset: ThemeDataset,
    left_out: Mapping[str, Sequence[int]],
    report: Report,
) -> bool:
    """The ``--drop-invalid`` round on the file: ``left_out`` (table kind -> the 0-based positions of the rows
    the frames lost since :func:`validated_file` gave ``built``) deleted from that GeoPackage, the file validated
    again without the row-by-row geometry rules, the findings of rules not named before added to ``report`` (as
    ``FloodProfile.validate`` does), and the file kept as the product of the frames as they are now. Returns
    False when the file cannot be used (no longer the profile's, or it could not be changed: then forgotten);
    the caller then validates as before, building the file again."""
    from .profile import FloodProfile, _as_ppr, _fingerprint
    from .validate import validate_geopackage

    if not isinstance(profile, FloodProfile) or profile._built is not built:
        return False
    ppr = _as_ppr(dataset)
    try:
        leave_out_rows(built.path, {f"{ppr.prefix}_{kind}": rows for kind, rows in left_out.items()})
        found = Report()
        validate_geopackage(built.path, found, geometries=False)
    except (sqlite3.Error, OSError, ValueError):
        profile._forget_built()  # a file half changed is never the product
        return False
    built.fingerprint = _fingerprint(ppr)
    known = report.codes()
    for issue in found.issues:
        if issue.code not in known:
            report.add(issue)
    return True
