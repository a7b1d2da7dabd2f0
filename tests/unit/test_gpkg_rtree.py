"""The GeoPackage point index odl-geo bulk-loads (exports/gpkg_rtree.py) against the one GDAL writes itself.

The same rows are written twice by GDAL 3.12: once with GDAL's spatial index (the reference), once without, the
index then added by :func:`write_rtree` from the boxes collected while the rows streamed. Both files must hold
the same schema (tables, triggers: same SQL text), the same ``gpkg_extensions`` rows, the same boxes for the
same feature ids (float32 rounding included), answer every window query alike, and pass SQLite's own checks
(``rtreecheck``, ``integrity_check``) and GDAL 3.6's ``ogrinfo`` (QGIS 3.22's GDAL) without a warning.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
import pytest
import shapely

from odl_geo.exports.gpkg_rtree import PointBoxes, value_down, value_up, write_rtree


def _points(n: int, seed: int, *, lonlat: bool = False, holes: bool = True) -> pa.Table:
    rng = np.random.default_rng(seed)
    if lonlat:  # negative and positive values, around 0: both rounding directions of SQLite's rtree
        x, y = rng.uniform(-5, 5, n), rng.uniform(-1, 1, n)
    else:
        x, y = rng.uniform(600_000, 800_000, n), rng.uniform(6_200_000, 6_400_000, n)
    if n > 10:
        x[:5], y[:5] = [0.1, -0.1, 1e-40, 700_000.3, 0.0], [0.2, -0.3, -1e-40, 6_300_000.7, 0.0]
        x[5:8] = x[8:11]  # duplicates
        y[5:8] = y[8:11]
    wkb = list(shapely.to_wkb(shapely.points(x, y)))
    if holes and n > 20:
        wkb[12] = None  # no geometry: no box
        wkb[13] = shapely.to_wkb(shapely.Point())  # empty point: no box
    return pa.table({"num": pa.array(np.arange(n)), "geometry": pa.array(wkb, type=pa.binary())})


def _write(table: pa.Table, path: Path, name: str, *, index: bool, batch: int = 4096) -> None:
    boxes = None if index else PointBoxes(path.parent, "test")
    batches = table.to_batches(batch)
    if boxes is not None:
        for b in batches:
            boxes.add(b.column("geometry"))
    pyogrio.write_arrow(
        pa.RecordBatchReader.from_batches(table.schema, batches),
        path,
        layer=name,
        driver="GPKG",
        append=path.exists(),
        geometry_name="geometry",
        geometry_type="Point",
        crs="EPSG:2154",
        layer_options={"SPATIAL_INDEX": "YES" if index else "NO", "GEOMETRY_NAME": "geom", "FID": "fid"},
        dataset_options={} if path.exists() else {"VERSION": "1.2"},
    )
    if boxes is not None:
        with boxes:
            write_rtree(path, name, boxes)
        assert not boxes.path.exists()  # the spilled boxes are removed
        assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def _schema(con: sqlite3.Connection) -> set[tuple[str, str, str, str]]:
    return set(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def _compare(ref: Path, mine: Path, names: list[str]) -> None:
    a, b = sqlite3.connect(ref), sqlite3.connect(mine)
    try:
        assert _schema(a) == _schema(b)
        ext = "SELECT * FROM gpkg_extensions ORDER BY table_name"
        assert a.execute(ext).fetchall() == b.execute(ext).fetchall()
        for name in names:
            rtree = '"' + f"rtree_{name}_geom".replace('"', '""') + '"'
            rows = f"SELECT id, minx, maxx, miny, maxy FROM {rtree} ORDER BY id"
            assert a.execute(rows).fetchall() == b.execute(rows).fetchall()
            assert b.execute("SELECT rtreecheck(?)", (f"rtree_{name}_geom",)).fetchone() == ("ok",)
            box = b.execute(f"SELECT min(minx), max(maxx), min(miny), max(maxy) FROM {rtree}").fetchone()
            rng = np.random.default_rng(3)
            for _ in range(25):
                x0, x1 = sorted(rng.uniform(box[0], box[1], 2))
                y0, y1 = sorted(rng.uniform(box[2], box[3], 2))
                q = f"SELECT id FROM {rtree} WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ? ORDER BY id"
                assert a.execute(q, (x0, x1, y0, y1)).fetchall() == b.execute(q, (x0, x1, y0, y1)).fetchall()
            data = f'SELECT * FROM "{name.replace(chr(34), chr(34) * 2)}" ORDER BY fid'
            assert a.execute(data).fetchall() == b.execute(data).fetchall()
        assert b.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table in ("gpkg_contents", "gpkg_geometry_columns", "gpkg_ogr_contents", "gpkg_spatial_ref_sys"):
            q = f"SELECT * FROM {table} ORDER BY 1"
            assert a.execute(q).fetchall() == b.execute(q).fetchall()
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize(
    ("n", "lonlat"),
    [(1, False), (51, False), (52, True), (2_601, False), (2_602, True), (140_000, False)],
)
def test_index_is_the_one_gdal_writes(tmp_path: Path, n: int, lonlat: bool) -> None:
    """1 point (a root leaf), one full node, two nodes, the 2- and 3-level limits (51², 51³ = 132,651)."""
    table = _points(n, seed=n, lonlat=lonlat)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2026-01-01T00:00:00Z"})
    try:
        _write(table, tmp_path / "gdal.gpkg", "pts", index=True)
        _write(table, tmp_path / "odl.gpkg", "pts", index=False)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    _compare(tmp_path / "gdal.gpkg", tmp_path / "odl.gpkg", ["pts"])
    # GDAL reads it through the index: a window gives the same features
    bbox = (650_000, 6_250_000, 700_000, 6_300_000) if not lonlat else (-1, -0.5, 2, 0.5)
    ref = pyogrio.read_dataframe(tmp_path / "gdal.gpkg", bbox=bbox, fid_as_index=True, use_arrow=False)
    got = pyogrio.read_dataframe(tmp_path / "odl.gpkg", bbox=bbox, fid_as_index=True, use_arrow=False)
    assert sorted(ref.index) == sorted(got.index)  # GDAL lists them in the order of the index
    if n > 1:
        assert len(got) > 0


def test_two_layers_odd_names_and_an_existing_extensions_table(tmp_path: Path) -> None:
    """Quotes, spaces and accents in the table name; the second layer finds gpkg_extensions already there."""
    names = ['Point d\'eau "n°1"', "bornes à incendie"]
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2026-01-01T00:00:00Z"})
    try:
        for k, name in enumerate(names):
            table = _points(3_000 + k, seed=k)
            _write(table, tmp_path / "gdal.gpkg", name, index=True)
            _write(table, tmp_path / "odl.gpkg", name, index=False)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    _compare(tmp_path / "gdal.gpkg", tmp_path / "odl.gpkg", names)


def test_layer_without_any_point(tmp_path: Path) -> None:
    table = pa.table({"num": pa.array([1, 2]), "geometry": pa.array([None, None], type=pa.binary())})
    _write(table, tmp_path / "gdal.gpkg", "pts", index=True)
    _write(table, tmp_path / "odl.gpkg", "pts", index=False)
    con = sqlite3.connect(tmp_path / "odl.gpkg")
    assert con.execute("SELECT count(*) FROM rtree_pts_geom").fetchone() == (0,)
    assert con.execute("SELECT rtreecheck('rtree_pts_geom')").fetchone() == ("ok",)
    con.close()
    ref = sqlite3.connect(tmp_path / "gdal.gpkg")
    assert _schema(ref) == _schema(sqlite3.connect(tmp_path / "odl.gpkg"))
    ref.close()


def test_the_index_keeps_working_when_the_file_is_edited(tmp_path: Path) -> None:
    """SQLite's rtree module updates the bulk-loaded tree: delete half the boxes, insert new ones, check again."""
    _write(_points(20_000, seed=7), tmp_path / "odl.gpkg", "pts", index=False)
    con = sqlite3.connect(tmp_path / "odl.gpkg")
    con.execute("DELETE FROM rtree_pts_geom WHERE id % 2 = 0")
    con.executemany(
        "INSERT INTO rtree_pts_geom VALUES (?, ?, ?, ?, ?)", [(30_000 + i, i, i + 1.0, i, i + 1.0) for i in range(999)]
    )
    con.commit()
    assert con.execute("SELECT rtreecheck('rtree_pts_geom')").fetchone() == ("ok",)
    assert con.execute("SELECT count(*) FROM rtree_pts_geom").fetchone() == (10_000 - 1 + 999,)  # 1 null, 1 empty
    con.close()


def test_rounding_is_sqlites() -> None:
    """Boxes are rounded as SQLite's rtree rounds what GDAL inserts: check against SQLite itself."""
    rng = np.random.default_rng(11)
    values = np.concatenate([rng.uniform(-1e7, 1e7, 2_000), rng.uniform(-1, 1, 2_000), [0.1, -0.1, 1e-40, -1e-40]])
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx)")
    con.executemany("INSERT INTO r VALUES (?, ?, ?)", [(i, float(v), float(v)) for i, v in enumerate(values)])
    got = np.array(con.execute("SELECT minx, maxx FROM r ORDER BY id").fetchall())
    assert np.array_equal(got[:, 0], value_down(values).astype(np.float64))
    assert np.array_equal(got[:, 1], value_up(values).astype(np.float64))


@pytest.mark.skipif(not Path("/usr/bin/ogrinfo").exists(), reason="Debian's gdal-bin is part of the build image")
def test_gdal_36_opens_it_without_a_warning(tmp_path: Path) -> None:
    _write(_points(5_000, seed=5), tmp_path / "odl.gpkg", "pts", index=False)
    out = subprocess.run(
        ["/usr/bin/ogrinfo", "-ro", "-so", str(tmp_path / "odl.gpkg"), "pts"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Feature Count: 5000" in out.stdout
    assert "Warning" not in out.stderr + out.stdout and "ERROR" not in out.stderr
    shutil.rmtree(tmp_path)


def test_convert_writes_the_same_geopackage_as_with_gdals_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``convert`` of a point Shapefile: the bulk-loaded index (threshold lowered to this small layer) gives the
    GeoPackage GDAL's own index gives, rows and metadata included; a smaller layer keeps GDAL's index."""
    import odl_geo.exports.gpkg as gpkg_mod
    from odl_geo.conversion import convert

    rng = np.random.default_rng(2)
    n = 3_000
    src = tmp_path / "src" / "bornes.shp"
    src.parent.mkdir()
    pyogrio.write_arrow(
        pa.table(
            {
                "nom": pa.array([f"borne n°{i}" for i in range(n)]),
                "debit": pa.array(rng.uniform(0, 120, n)),
                "geometry": pa.array(
                    shapely.to_wkb(shapely.points(rng.uniform(700_000, 760_000, n), rng.uniform(6.2e6, 6.3e6, n)))
                ),
            }
        ),
        src,
        driver="ESRI Shapefile",
        geometry_name="geometry",
        geometry_type="Point",
        crs="EPSG:2154",
        layer_options={"ENCODING": "UTF-8"},
    )
    monkeypatch.setattr(gpkg_mod, "BULK_RTREE_MIN_FEATURES", n + 1)
    convert(src, tmp_path / "gdal", ["gpkg"])
    monkeypatch.setattr(gpkg_mod, "BULK_RTREE_MIN_FEATURES", n)
    convert(src, tmp_path / "odl", ["gpkg"])
    gdal, odl = tmp_path / "gdal" / "bornes.gpkg", tmp_path / "odl" / "bornes.gpkg"
    assert gdal.read_bytes() != odl.read_bytes()  # the two indexes were built differently...
    _compare(gdal, odl, ["bornes"])  # ...and hold the same


def test_points_gathered_in_a_corner_are_sorted_in_small_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A commune's points and a few far away: nearly all share a bucket, which is spread again by the code's
    next bits, down to piles of one code (the same point many times), never sorted whole; the index is GDAL's,
    and its nodes are byte for byte those of one sort in memory."""
    from odl_geo.exports import gpkg_rtree

    rng = np.random.default_rng(7)
    n = 6_000
    x, y = rng.normal(770_000, 50, n), rng.normal(6_280_000, 50, n)
    x[:3], y[:3] = [100_000, 1_200_000, 650_000], [6_050_000, 7_100_000, 6_900_000]  # the far ones
    x[100:900], y[100:900] = 770_001.25, 6_280_002.5  # one point 800 times: one Hilbert code
    wkb = pa.array(list(shapely.to_wkb(shapely.points(x, y))), type=pa.binary())
    table = pa.table({"num": pa.array(np.arange(n)), "geometry": wkb})
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2026-01-01T00:00:00Z"})
    try:
        _write(table, tmp_path / "gdal.gpkg", "pts", index=True)
        _write(table, tmp_path / "whole.gpkg", "pts", index=False)
        spread: list[int] = []
        original = gpkg_rtree._respread
        monkeypatch.setattr(gpkg_rtree, "SORT_RECORDS", 64)
        monkeypatch.setattr(gpkg_rtree, "READ_ROWS", 500)
        monkeypatch.setattr(
            gpkg_rtree, "_respread", lambda b, shift, bits: spread.append(shift) or original(b, shift, bits)
        )
        _write(table, tmp_path / "pieces.gpkg", "pts", index=False)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    assert 0 in spread and len(spread) > 5  # spread again down to the last bits
    _compare(tmp_path / "gdal.gpkg", tmp_path / "pieces.gpkg", ["pts"])
    with sqlite3.connect(tmp_path / "whole.gpkg") as a, sqlite3.connect(tmp_path / "pieces.gpkg") as b:
        for part in ("node", "rowid", "parent"):
            sql = f'SELECT * FROM "rtree_pts_geom_{part}" ORDER BY 1'
            assert a.execute(sql).fetchall() == b.execute(sql).fetchall(), part


def test_leaves_of_rows_kept_on_disk_by_ranges_give_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each row's leaf is kept in files by range of rows and the ``_parent`` rows are made a level at a time (flat
    memory at any size): with ranges of a few rows, chunks smaller than a range and a tree of three levels, the
    file is byte for byte the one written with one range."""
    import hashlib

    from odl_geo.exports import gpkg_rtree

    rng = np.random.default_rng(11)
    n = 5_000  # 99 leaves, 2 nodes above them, the root
    x, y = rng.uniform(600_000, 900_000, n), rng.uniform(6_100_000, 6_400_000, n)
    wkb = pa.array(list(shapely.to_wkb(shapely.points(x, y))), type=pa.binary())
    wkb = pa.array([None if i % 97 == 5 else w for i, w in enumerate(wkb.to_pylist())], type=pa.binary())
    table = pa.table({"num": pa.array(np.arange(n)), "geometry": wkb})
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2026-01-01T00:00:00Z"})
    try:
        _write(table, tmp_path / "gdal.gpkg", "pts", index=True)
        _write(table, tmp_path / "one.gpkg", "pts", index=False)
        monkeypatch.setattr(gpkg_rtree, "ROWID_CHUNK", 64)
        monkeypatch.setattr(gpkg_rtree, "LEAF_FILES", 7)  # ranges of 768 rows (a whole number of chunks)
        _write(table, tmp_path / "ranges.gpkg", "pts", index=False)
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    _compare(tmp_path / "gdal.gpkg", tmp_path / "ranges.gpkg", ["pts"])
    digest = [hashlib.sha256((tmp_path / f).read_bytes()).hexdigest() for f in ("one.gpkg", "ranges.gpkg")]
    assert digest[0] == digest[1]
    with sqlite3.connect(tmp_path / "ranges.gpkg") as con:
        (rows,) = con.execute('SELECT count(*) FROM "rtree_pts_geom_rowid"').fetchone()
        levels = con.execute('SELECT count(*) FROM "rtree_pts_geom_parent"').fetchone()[0]
    assert rows == n - len(range(5, n, 97)) and levels > 51  # the rows with a point; leaves and their parents
