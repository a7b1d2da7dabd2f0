"""The spatial index of a GeoPackage point layer, bulk-loaded in Hilbert order (issue 16).

GDAL builds a GeoPackage's R-tree in memory only when the whole index fits the budget it is given
(``OGR_GPKG_MAX_RAM_USAGE_RTREE``, about 27 bytes a feature); past it, it inserts every box into SQLite's
``rtree`` table one at a time, in the order of the rows (5M points: minutes). And even when it fits, building it
costs about as much CPU as writing the rows. For a point layer odl-geo asks GDAL for the table without index
(``SPATIAL_INDEX=NO``), keeps each written point's box while the rows stream by (16 bytes a point), then writes
the R-tree itself: boxes sorted along a Hilbert curve, packed into full nodes level by level, written straight
into the three tables behind SQLite's ``rtree`` module (``_node``, ``_rowid``, ``_parent``), as GDAL's own bulk
loader does. The triggers and the ``gpkg_extensions`` row are those GDAL writes for a GeoPackage 1.2 layer,
byte for byte, so the file is the one GDAL would have written, its index holding the same boxes
(tests/unit/test_gpkg_rtree.py compares both and runs SQLite's ``rtreecheck``).

Boxes are rounded to float32 as SQLite's rtree module rounds them (``rtreeValueDown`` for minima,
``rtreeValueUp`` for maxima); rows without geometry or with an empty point have no box, as in GDAL's index.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Self

import numpy as np
import pyarrow as pa
import shapely

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["PointBoxes", "write_rtree"]

#: SQLite's rtree module: at most 51 cells a node (RTREE_MAXCELLS), 8-byte id + 4 float32 a cell
MAX_CELLS = 51
CELL_BYTES = 24
#: rows of the ``_rowid`` and ``_parent`` tables inserted per statement (bounds the Python lists built for it: ~2 MB)
ROWID_CHUNK = 32_768
#: nodes packed per step (1,228 bytes each, and as much again while packing)
LEAF_CHUNK = 2_048

_RND_TOWARDS = 1.0 - 1.0 / 8388608.0
_RND_AWAY = 1.0 + 1.0 / 8388608.0

_CELL = np.dtype([("id", ">i8"), ("minx", ">f4"), ("maxx", ">f4"), ("miny", ">f4"), ("maxy", ">f4")])


def value_down(d: np.ndarray) -> np.ndarray:
    """float32 not above ``d``, as SQLite's ``rtreeValueDown`` computes it (not always the nearest float)."""
    f = d.astype(np.float32)
    over = f.astype(np.float64) > d
    if over.any():
        dd = d[over]
        f[over] = (dd * np.where(dd < 0, _RND_AWAY, _RND_TOWARDS)).astype(np.float32)
    return f


def value_up(d: np.ndarray) -> np.ndarray:
    """float32 not below ``d``, as SQLite's ``rtreeValueUp`` computes it."""
    f = d.astype(np.float32)
    under = f.astype(np.float64) < d
    if under.any():
        dd = d[under]
        f[under] = (dd * np.where(dd < 0, _RND_TOWARDS, _RND_AWAY)).astype(np.float32)
    return f


class PointBoxes:
    """The boxes of the points written, in the order of the rows (row ``i`` is feature id ``i + 1``).

    ``add`` is called with each batch GDAL is given; it reads the WKB column (plain little-endian 2D points with
    numpy, anything else, nulls or 3D points, with shapely's bounds) and appends the rounded boxes to a file in
    ``work_dir`` (16 bytes a row: 80 MB for 5M points, which would not fit beside the stream in the 300 MB the
    conversion is given). Use it as a context manager: the file is removed at the end.
    """

    def __init__(self, work_dir: Path, name: str = "points") -> None:
        self.path = work_dir / f".odl-geo-rtree-{os.getpid()}-{name}.boxes"
        self._file = self.path.open("wb")
        self.rows = 0
        self.with_box = 0
        self.extent = [np.inf, np.inf, -np.inf, -np.inf]  # of the rounded boxes: minx, miny, maxx, maxy

    def add(self, wkb: pa.Array) -> None:
        x, y = _point_xy(wkb)
        boxes = np.empty((len(x), 4), dtype=np.float32)  # minx, maxx, miny, maxy, as the rtree table orders them
        boxes[:, 0] = value_down(x)
        boxes[:, 1] = value_up(x)
        boxes[:, 2] = value_down(y)
        boxes[:, 3] = value_up(y)
        self._file.write(boxes.tobytes())
        self.rows += len(x)
        known = int(np.count_nonzero(~np.isnan(x)))
        if known:
            self.with_box += known
            e = self.extent
            e[0] = min(e[0], float(np.fmin.reduce(boxes[:, 0])))
            e[1] = min(e[1], float(np.fmin.reduce(boxes[:, 2])))
            e[2] = max(e[2], float(np.fmax.reduce(boxes[:, 1])))
            e[3] = max(e[3], float(np.fmax.reduce(boxes[:, 3])))

    def chunks(self, rows: int) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, boxes) of ``rows`` rows at a time, read back from the file."""
        self._file.flush()
        with self.path.open("rb") as f:
            start = 0
            while start < self.rows:
                boxes = np.fromfile(f, dtype=np.float32, count=4 * rows).reshape(-1, 4)
                yield start, boxes
                start += len(boxes)

    def close(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _point_xy(wkb: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each WKB point (NaN for a null or empty one)."""
    n = len(wkb)
    large = pa.types.is_large_binary(wkb.type)
    if n and wkb.null_count == 0 and (large or pa.types.is_binary(wkb.type)):
        width = 8 if large else 4
        offsets = np.frombuffer(
            wkb.buffers()[1], dtype=np.int64 if large else np.int32, count=n + 1, offset=width * wkb.offset
        )
        if offsets[-1] - offsets[0] == 21 * n and np.all(np.diff(offsets) == 21):
            raw = np.frombuffer(wkb.buffers()[2], dtype=np.uint8, count=21 * n, offset=int(offsets[0]))
            rec = raw.reshape(n, 21)
            if np.all(rec[:, 0] == 1) and np.all(rec[:, 1:5].copy().view("<u4").ravel() == 1):
                xy = rec[:, 5:21].copy().view("<f8")
                return xy[:, 0], xy[:, 1]
    bounds = shapely.bounds(shapely.from_wkb(np.asarray(wkb.to_numpy(zero_copy_only=False), dtype=object)))
    return bounds[:, 0].copy(), bounds[:, 1].copy()


def _interleave(v: np.ndarray) -> np.ndarray:
    """Spread the 16 low bits of ``v`` to the even bits."""
    v = (v | (v << 8)) & 0x00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F
    v = (v | (v << 2)) & 0x33333333
    return (v | (v << 1)) & 0x55555555


def _hilbert(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """Index of each point along a Hilbert curve of 2^16 x 2^16 cells over ``box`` (uint32).

    The branch-free form of the curve (prefix scans over the bits, public domain, "rawrunprotected"), so each
    step is one numpy operation over the whole array.
    """
    side = 0xFFFF
    minx, miny, maxx, maxy = box
    sx = side / (maxx - minx) if maxx > minx else 0.0
    sy = side / (maxy - miny) if maxy > miny else 0.0
    xi = np.clip((x - minx) * sx, 0, side).astype(np.uint32)
    yi = np.clip((y - miny) * sy, 0, side).astype(np.uint32)
    a: np.ndarray = xi ^ yi
    b: np.ndarray = side ^ a
    c: np.ndarray = side ^ (xi | yi)
    d: np.ndarray = xi & (yi ^ side)
    big_a = a | (b >> 1)
    big_b = (a >> 1) ^ a
    big_c = ((c >> 1) ^ (b & (d >> 1))) ^ c
    big_d = ((a & (c >> 1)) ^ (d >> 1)) ^ d
    for shift in (2, 4, 8):
        a, b, c, d = big_a, big_b, big_c, big_d
        if shift < 8:
            big_a = (a & (a >> shift)) ^ (b & (b >> shift))
            big_b = (a & (b >> shift)) ^ (b & ((a ^ b) >> shift))
        big_c = c ^ ((a & (c >> shift)) ^ (b & (d >> shift)))
        big_d = d ^ ((b & (c >> shift)) ^ ((a ^ b) & (d >> shift)))
    a = big_c ^ (big_c >> 1)
    b = big_d ^ (big_d >> 1)
    i0 = xi ^ yi
    i1 = b | (side ^ (i0 | a))
    return (_interleave(i1) << 1) | _interleave(i0)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ddl(table: str, geom: str, fid: str) -> list[str]:
    """The R-tree table and triggers GDAL writes for a GeoPackage 1.2 layer (GDAL 3.12's own text)."""
    t, g, f = _quote(table), _quote(geom), _quote(fid)
    rtree = f"rtree_{table}_{geom}"
    r = _quote(rtree)
    values = f"(NEW.{f},ST_MinX(NEW.{g}), ST_MaxX(NEW.{g}),ST_MinY(NEW.{g}), ST_MaxY(NEW.{g}))"
    return [
        f"CREATE VIRTUAL TABLE {r} USING rtree(id, minx, maxx, miny, maxy)",
        (
            f"CREATE TRIGGER {_quote(rtree + '_insert')} AFTER INSERT ON {t} WHEN (new.{g} NOT NULL AND NOT "
            f"ST_IsEmpty(NEW.{g})) BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END"
        ),
        (
            f"CREATE TRIGGER {_quote(rtree + '_update1')} AFTER UPDATE OF {g} ON {t} WHEN OLD.{f} = NEW.{f} AND "
            f"(NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) BEGIN INSERT OR REPLACE INTO {r} VALUES {values}; END"
        ),
        (
            f"CREATE TRIGGER {_quote(rtree + '_update2')} AFTER UPDATE OF {g} ON {t} WHEN OLD.{f} = NEW.{f} AND "
            f"(NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {r} WHERE id = OLD.{f}; END"
        ),
        (
            f"CREATE TRIGGER {_quote(rtree + '_update3')} AFTER UPDATE ON {t} WHEN OLD.{f} != NEW.{f} AND "
            f"(NEW.{g} NOTNULL AND NOT ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {r} WHERE id = OLD.{f}; "
            f"INSERT OR REPLACE INTO {r} VALUES {values}; END"
        ),
        (
            f"CREATE TRIGGER {_quote(rtree + '_update4')} AFTER UPDATE ON {t} WHEN OLD.{f} != NEW.{f} AND "
            f"(NEW.{g} ISNULL OR ST_IsEmpty(NEW.{g})) BEGIN DELETE FROM {r} WHERE id IN (OLD.{f}, NEW.{f}); END"
        ),
        (
            f"CREATE TRIGGER {_quote(rtree + '_delete')} AFTER DELETE ON {t} WHEN old.{g} NOT NULL BEGIN "
            f"DELETE FROM {r} WHERE id = OLD.{f}; END"
        ),
    ]


_EXTENSIONS_DDL = (
    "CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT NULL,definition TEXT "
    "NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))"
)
_RTREE_EXTENSION = ("gpkg_rtree_index", "http://www.geopackage.org/spec120/#extension_rtree", "write-only")


def write_rtree(path: Path, table: str, boxes: PointBoxes, fid: str = "fid") -> None:
    """Add the spatial index of ``table`` (written without one, ``boxes`` collected from its rows in the order
    they were written) to the GeoPackage ``path``.

    :raises sqlite3.Error: the file could not be updated (the caller reports it as an output error).
    """
    con = sqlite3.connect(str(path), isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-8192")
        con.execute("BEGIN")
        fids = _fids(con, table, fid, boxes.rows)
        geom = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
        if geom is None:
            raise sqlite3.DatabaseError(f"{table} has no geometry column")
        geom = geom[0]
        page_size = con.execute("PRAGMA page_size").fetchone()[0]
        has_ext = con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='gpkg_extensions'").fetchone()
        if not has_ext:
            con.execute(_EXTENSIONS_DDL)
        ddl = _ddl(table, geom, fid)
        con.execute(ddl[0])
        _bulk_load(con, f"rtree_{table}_{geom}", boxes, fids, page_size)
        for sql in ddl[1:]:
            con.execute(sql)
        con.execute("INSERT INTO gpkg_extensions VALUES (?, ?, ?, ?, ?)", (table, geom, *_RTREE_EXTENSION))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()


def _fids(con: sqlite3.Connection, table: str, fid: str, rows: int) -> np.ndarray | None:
    """The feature ids of the rows in the order written; None when they are 1..rows (a new table: always)."""
    f, t = _quote(fid), _quote(table)
    first, last = con.execute(f"SELECT min({f}), max({f}) FROM {t}").fetchone()
    row = con.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?", (table,)).fetchone()
    count = row[0] if row and row[0] is not None else con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
    if count != rows:
        raise sqlite3.DatabaseError(f"{table}: {count} rows in the file, {rows} written")
    if rows == 0 or (first == 1 and last == rows):
        return None
    # AUTOINCREMENT: ids grow in the order rows were inserted
    return np.fromiter((r[0] for r in con.execute(f"SELECT {f} FROM {t} ORDER BY 1")), np.int64, rows)


#: buckets of the Hilbert sort (by the top bits of the code), each sorted in memory in turn
BUCKET_BITS = 6
#: boxes read from the file at a time
READ_ROWS = 1 << 17
#: records of a bucket sorted in memory at a time (24 bytes each: 6 MB, and as much again for the sort)
SORT_RECORDS = 1 << 18

_RECORD = np.dtype([("code", "<u4"), ("row", "<u4"), ("box", "<f4", (4,))])


def _bulk_load(con: sqlite3.Connection, rtree: str, boxes: PointBoxes, fids: np.ndarray | None, page_size: int) -> None:
    """Fill the tables behind the (new, empty) rtree ``rtree`` with the boxes packed in Hilbert order.

    The sort is done by buckets: the boxes file is read once and its records (Hilbert code, row, box) are spread
    over 64 files by the code's top bits; each bucket is then sorted in memory and packed into leaves in turn.
    Each row's leaf (for the ``_rowid`` table, filled in row order) goes to files by range of rows as the leaves
    are packed, and the ``_parent`` rows are made a level at a time from arrays: what stays in memory is one
    bucket and one range of rows, whatever the layer's size (a leaf a row held in memory was 20 MB at 5M points,
    the ``_parent`` rows as Python tuples 12 MB: the GeoPackage child's growth from 1M to 5M, issue 16).
    """
    node_size = min(page_size - 64, 4 + CELL_BYTES * MAX_CELLS)
    capacity = (node_size - 4) // CELL_BYTES
    n = boxes.with_box
    if n == 0:
        return  # the empty root node SQLite created is the index of a layer without geometry
    # levels, from the leaves up: entries per level, nodes per level, the number of each level's first node
    sizes = [n]
    while sizes[-1] > capacity:
        sizes.append(-(-sizes[-1] // capacity))
    counts = [-(-s // capacity) for s in sizes]  # the last level is the root (1 node)
    height = len(sizes)
    first_no: list[int] = [0] * height
    no = 1
    for level in range(height - 1, -1, -1):  # root first: node 1
        first_no[level] = no
        no += counts[level]
    con.execute(f"DELETE FROM {_quote(rtree + '_node')}")
    writer = _NodeWriter(con, f"INSERT INTO {_quote(rtree + '_node')} VALUES (?, ?)", capacity, node_size)
    with tempfile.TemporaryDirectory(prefix=".odl-geo-rtree-", dir=boxes.path.parent) as tmp:
        leaves = _LeafOfRow(Path(tmp), boxes.rows)
        buckets = _spread(boxes, Path(tmp))
        leaf_bounds = _split(n, counts[0])
        root_depth = height - 1 if counts[0] == 1 else 0
        leaf_boxes = np.empty((counts[0], 4), dtype=np.float32)
        pending = np.empty(0, dtype=_RECORD)
        done_leaves, pos = 0, 0  # leaves written; global position of pending[0]
        for rec in _sorted_runs(buckets, 32 - BUCKET_BITS):
            pending = np.concatenate([pending, rec]) if len(pending) else rec
            end = pos + len(pending)
            upto = int(np.searchsorted(leaf_bounds, end, side="right")) - 1  # leaves done..upto-1 are complete
            if upto <= done_leaves:
                continue
            used = int(leaf_bounds[upto]) - pos
            part = pending[:used]
            cells = np.empty(used, dtype=_CELL)
            rows = part["row"].astype(np.intp)
            cells["id"] = fids[rows] if fids is not None else rows + 1
            for k, name in enumerate(("minx", "maxx", "miny", "maxy")):
                cells[name] = part["box"][:, k]
            local = leaf_bounds[done_leaves : upto + 1] - pos
            node_of = writer.write(cells, local, first_no[0] + done_leaves, root_depth, leaf_boxes[done_leaves:upto])
            leaves.add(rows, first_no[0] + done_leaves + node_of)
            done_leaves, pos, pending = upto, int(leaf_bounds[upto]), pending[used:].copy()
        if done_leaves != counts[0] or len(pending):
            raise sqlite3.DatabaseError(f"{rtree}: {done_leaves} of {counts[0]} leaves packed")
        # the levels above, from the boxes of the level below (a 51st of the entries each: small)
        below = leaf_boxes
        parents: list[tuple[np.ndarray, np.ndarray]] = []  # each level's nodes and their parents (8 bytes each)
        for level in range(1, height):
            child_first = first_no[level - 1]
            bounds = _split(counts[level - 1], counts[level])
            children = np.arange(child_first, child_first + counts[level - 1], dtype=np.int64)
            parents.append((children, first_no[level] + np.repeat(np.arange(counts[level]), np.diff(bounds))))
            cells = np.empty(counts[level - 1], dtype=_CELL)
            cells["id"] = children
            for k, name in enumerate(("minx", "maxx", "miny", "maxy")):
                cells[name] = below[:, k]
            out = np.empty((counts[level], 4), dtype=np.float32)
            writer.write(cells, bounds, first_no[level], height - 1 if counts[level] == 1 else 0, out)
            below = out
        # _parent after the nodes, level by level in node order (the file's pages in the order they always were)
        parent_sql = f"INSERT INTO {_quote(rtree + '_parent')} VALUES (?, ?)"
        for children, parent_of in parents:
            for s in range(0, len(children), ROWID_CHUNK):
                span = slice(s, s + ROWID_CHUNK)
                con.executemany(parent_sql, zip(children[span].tolist(), parent_of[span].tolist(), strict=True))
        # _rowid: each feature's leaf, in feature id order (appends to the table's B-tree); as one JSON array a
        # chunk when SQLite has its JSON functions (built in since 3.38): 40 % less CPU than a row per binding
        table = _quote(rtree + "_rowid")
        as_json = fids is None and _has_json(con)
        for s, leaf_of_row in leaves.chunks(ROWID_CHUNK):
            if as_json:
                text = "[" + ",".join(map(str, leaf_of_row.tolist())) + "]"
                insert = f"INSERT INTO {table} SELECT key + ?, value FROM json_each(?) WHERE value > 0"
                con.execute(insert, (s + 1, text))
                continue
            local = np.flatnonzero(leaf_of_row)
            ids = (fids[local + s] if fids is not None else local + s + 1).tolist()
            con.executemany(f"INSERT INTO {table} VALUES (?, ?)", zip(ids, leaf_of_row[local].tolist(), strict=True))


#: ranges of rows whose leaves are kept in one file (:class:`_LeafOfRow`): at most this many files
LEAF_FILES = 256


class _LeafOfRow:
    """The leaf node of each row, kept on disk by ranges of rows as the leaves are packed (in Hilbert order), read
    back a range at a time in row order: memory of one range, whatever the layer's size."""

    _PAIR = np.dtype([("row", "<u4"), ("leaf", "<i4")])

    def __init__(self, tmp: Path, rows: int) -> None:
        self.rows = rows
        # a whole number of ROWID_CHUNKs a range, so that each chunk of the _rowid insert lies in one range
        per = -(-max(rows, 1) // LEAF_FILES)
        self.span = -(-per // ROWID_CHUNK) * ROWID_CHUNK
        self.paths = [tmp / f"leaf-{k:03d}" for k in range(-(-max(rows, 1) // self.span))]

    def add(self, rows: np.ndarray, leaves: np.ndarray) -> None:
        """Note the leaf of each of ``rows``."""
        pairs = np.empty(len(rows), dtype=self._PAIR)
        pairs["row"] = rows
        pairs["leaf"] = leaves
        files: dict[int, BinaryIO] = {}
        try:
            _append_by_bucket(pairs, rows // self.span, self.paths, files, mode="ab")
        finally:
            for f in files.values():
                f.close()

    def chunks(self, size: int) -> Iterator[tuple[int, np.ndarray]]:
        """(first row, leaf of each row: 0 for a row without box) of ``size`` rows at a time, in row order."""
        for k, path in enumerate(self.paths):
            first = k * self.span
            leaf = np.zeros(min(self.span, self.rows - first), dtype=np.int32)
            if path.exists():
                pairs = np.fromfile(path, dtype=self._PAIR)
                leaf[pairs["row"].astype(np.intp) - first] = pairs["leaf"]
                path.unlink()
            for s in range(0, len(leaf), size):
                yield first + s, leaf[s : s + size]


def _sorted_runs(buckets: list[Path], low_bits: int) -> Iterator[np.ndarray]:
    """The buckets' records in (code, row) order, at most :data:`SORT_RECORDS` of them in memory at a time.

    Points gathered in a small part of the layer's extent (a commune's water points and a few far away) share
    the top bits of their codes: nearly all of them fall in one bucket, which sorted whole took 250 MB at 5M
    points. Such a bucket is spread again over 64 files by the code's next bits (``low_bits`` are the bits not
    yet used), as often as needed; one whose codes are all used up holds a single code, already in row order
    (records are always appended in row order), and is read piece by piece.
    """
    for bucket in buckets:
        if not bucket.exists():
            continue
        n = bucket.stat().st_size // _RECORD.itemsize
        if n <= SORT_RECORDS:
            rec = np.fromfile(bucket, dtype=_RECORD)
            bucket.unlink()
            yield rec[np.argsort((rec["code"].astype(np.uint64) << np.uint64(32)) | rec["row"], kind="stable")]
        elif low_bits <= 0:
            with bucket.open("rb") as f:
                while len(rec := np.fromfile(f, dtype=_RECORD, count=SORT_RECORDS)):
                    yield rec
            bucket.unlink()
        else:
            step = min(BUCKET_BITS, low_bits)
            parts = _respread(bucket, low_bits - step, step)
            bucket.unlink()
            yield from _sorted_runs(parts, low_bits - step)


def _respread(bucket: Path, shift: int, bits: int) -> list[Path]:
    """Write the records of ``bucket`` to ``2**bits`` files by ``(code >> shift)``'s low bits, in row order."""
    parts = [bucket.with_name(f"{bucket.name}_{k:02d}") for k in range(1 << bits)]
    files: dict[int, BinaryIO] = {}
    try:
        with bucket.open("rb") as src:
            while len(rec := np.fromfile(src, dtype=_RECORD, count=READ_ROWS)):
                _append_by_bucket(rec, (rec["code"] >> np.uint32(shift)) & np.uint32((1 << bits) - 1), parts, files)
    finally:
        for f in files.values():
            f.close()
    return parts


def _append_by_bucket(
    rec: np.ndarray, which: np.ndarray, paths: list[Path], files: dict[int, BinaryIO], mode: str = "wb"
) -> None:
    """Append each record to the file of its bucket ``which`` (opened on first use, with ``mode``), keeping their
    order."""
    order = np.argsort(which, kind="stable")
    rec, which = rec[order], which[order]
    edges = np.searchsorted(which, np.arange(len(paths) + 1))
    for k in np.flatnonzero(np.diff(edges)):
        f = files.get(k)
        if f is None:
            f = files[k] = paths[k].open(mode)
        f.write(rec[edges[k] : edges[k + 1]].tobytes())


def _spread(boxes: PointBoxes, tmp: Path) -> list[Path]:
    """Read the boxes once; write each (code, row, box) record to the file of its bucket; the files in order."""
    buckets = [tmp / f"{k:03d}" for k in range(1 << BUCKET_BITS)]
    e = boxes.extent
    extent = (e[0], e[1], e[2], e[3])
    files: dict[int, BinaryIO] = {}
    try:
        for start, chunk in boxes.chunks(READ_ROWS):
            has = np.flatnonzero(~np.isnan(chunk[:, 0]))
            if not len(has):
                continue
            b = chunk[has]
            rec = np.empty(len(has), dtype=_RECORD)
            cx = (b[:, 0].astype(np.float64) + b[:, 1]) / 2
            cy = (b[:, 2].astype(np.float64) + b[:, 3]) / 2
            rec["code"] = _hilbert(cx, cy, extent)
            rec["row"] = has + start
            rec["box"] = b
            _append_by_bucket(rec, rec["code"] >> (32 - BUCKET_BITS), buckets, files)
    finally:
        for f in files.values():
            f.close()
    return buckets


def _has_json(con: sqlite3.Connection) -> bool:
    try:
        con.execute("SELECT count(*) FROM json_each('[1]')").fetchone()
    except sqlite3.OperationalError:
        return False
    return True


def _split(n: int, parts: int) -> np.ndarray:
    """Boundaries spreading ``n`` entries evenly over ``parts`` nodes (sizes differ by one at most)."""
    return (np.arange(parts + 1, dtype=np.int64) * n) // parts


class _NodeWriter:
    """Writes nodes into the rtree's ``_node`` table: 2 bytes of depth (the root's), 2 of cell count, the cells."""

    def __init__(self, con: sqlite3.Connection, sql: str, capacity: int, node_size: int) -> None:
        self.con, self.sql, self.capacity, self.node_size = con, sql, capacity, node_size

    def write(self, cells: np.ndarray, bounds: np.ndarray, first_no: int, depth: int, boxes: np.ndarray) -> np.ndarray:
        """Nodes ``first_no``... holding ``cells[bounds[i]:bounds[i + 1]]``; their boxes go to ``boxes``.

        :returns: the node (0-based, from ``first_no``) of each cell.
        """
        nodes = len(bounds) - 1
        sizes = np.diff(bounds)
        node_of_all = np.repeat(np.arange(nodes), sizes)
        for a in range(0, nodes, LEAF_CHUNK):
            b = min(nodes, a + LEAF_CHUNK)
            lo, hi = int(bounds[a]), int(bounds[b])
            part = cells[lo:hi]
            node_of = node_of_all[lo:hi] - a
            slot = np.arange(hi - lo) - (bounds[a:b][node_of] - lo)
            blob = np.zeros((b - a, self.node_size), dtype=np.uint8)
            blob[:, 0:2] = np.frombuffer(np.array([depth], dtype=">u2").tobytes(), dtype=np.uint8)
            blob[:, 2:4] = sizes[a:b].astype(">u2").view(np.uint8).reshape(-1, 2)
            grid = blob[:, 4 : 4 + self.capacity * CELL_BYTES].reshape(b - a, self.capacity, CELL_BYTES)
            grid[node_of, slot] = part.view(np.uint8).reshape(-1, CELL_BYTES)
            starts = bounds[a:b] - lo
            for k, name in enumerate(("minx", "maxx", "miny", "maxy")):
                values = part[name].astype(np.float32)
                boxes[a:b, k] = (np.minimum if k in (0, 2) else np.maximum).reduceat(values, starts)
            self.con.executemany(self.sql, zip(range(first_no + a, first_no + b), map(bytes, blob), strict=True))
        return node_of_all
