"""The fast paths of the conversion core give exactly what the complete (GEOS / GDAL) paths give.

They exist for speed only (see docs/performance.md): WKB points and one-part lines handled with numpy
instead of GEOS, a Shapefile's geometry types counted from its record headers instead of through GDAL,
batches sized by bytes, the next batch read in a thread. Each test compares a fast path with the path it
replaces, on generated data built to hit the edge cases, and checks that every input the fast path is not
sure of is handed back (None) rather than handled wrongly.
"""

from __future__ import annotations

import shutil
import struct
import threading
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyogrio
import pytest
import shapely
from pyproj import CRS

from odl_geo import convert
from odl_geo.conversion import ConvertOptions
from odl_geo.crs import coordinate_transformer
from odl_geo.errors import OdlGeoError
from odl_geo.normalise import pipeline
from odl_geo.normalise import scan as scan_mod
from odl_geo.normalise.geometry import simple_lines, simple_points
from odl_geo.normalise.pipeline import _read_ahead
from odl_geo.normalise.scan import batch_rows, scan_geometries, scan_shapefile
from odl_geo.sources.opener import open_source

if TYPE_CHECKING:
    from pathlib import Path

L93 = "EPSG:2154"
TO_WGS84 = coordinate_transformer(CRS.from_epsg(2154).to_wkt(), CRS.from_epsg(4326).to_wkt()).func


def _wkb(geoms: list[object]) -> pa.Array:
    """ISO little-endian WKB as GDAL's Arrow stream gives it (nulls stay null)."""
    return pa.array(
        [None if g is None else shapely.to_wkb(g, flavor="iso", output_dimension=3) for g in geoms], type=pa.binary()
    )


def _geoms(arr: pa.Array) -> list[object]:
    return list(shapely.from_wkb(arr.to_numpy(zero_copy_only=False)))


def _reference(geoms: list[object], transform=None, promote: bool = False) -> list[object]:
    """What the complete shapely path makes of the same rows."""
    arr = np.array(geoms, dtype=object)
    if promote:
        arr = np.array([shapely.MultiLineString([g]) if g is not None else None for g in arr], dtype=object)
    if transform is not None:
        arr = shapely.transform(arr, transform, include_z=bool(shapely.has_z(arr[~shapely.is_missing(arr)]).any()))
    return list(arr)


def _same(a: list[object], b: list[object], tolerance: float = 0.0) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if (x is None) != (y is None):
            return False
        if x is not None and (
            x.geom_type != y.geom_type or x.has_z != y.has_z or not shapely.equals_exact(x, y, tolerance)
        ):
            return False
    return True


def _points(rng: np.random.Generator, n: int, z: bool = False, nulls: int = 0) -> list[object]:
    xy = np.column_stack([rng.uniform(600_000, 800_000, n), rng.uniform(6_200_000, 6_350_000, n)])
    pts = list(shapely.points(np.column_stack([xy, rng.uniform(0, 900, n)]) if z else xy))
    for i in rng.choice(n, nulls, replace=False):
        pts[i] = None
    return pts


def _lines(rng: np.random.Generator, n: int, z: bool = False, nulls: int = 0) -> list[object]:
    out: list[object] = []
    for _ in range(n):
        k = int(rng.integers(2, 12))
        c = np.cumsum(rng.normal(0, 30, (k, 3 if z else 2)), axis=0) + [700_000, 6_300_000, 0][: 3 if z else 2]
        out.append(shapely.LineString(c))
    for i in rng.choice(n, nulls, replace=False):
        out[i] = None
    return out


# -- points ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("z", [False, True])
@pytest.mark.parametrize("transform", [None, TO_WGS84])
def test_simple_points_equal_the_shapely_path(z: bool, transform) -> None:
    geoms = _points(np.random.default_rng(1), 5_000, z=z, nulls=37)
    fast = simple_points(_wkb(geoms), transform)
    assert fast is not None
    assert _same(_geoms(fast.wkb), _reference(geoms, transform))
    present = np.array([g for g in _reference(geoms, transform) if g is not None], dtype=object)
    assert fast.bounds == pytest.approx(tuple(shapely.total_bounds(present)))


def test_simple_points_honour_an_arrow_slice() -> None:
    geoms = _points(np.random.default_rng(2), 1_000, nulls=10)
    arr = _wkb(geoms).slice(250, 500)  # shares the parent's buffers, with an offset
    fast = simple_points(arr, TO_WGS84)
    assert fast is not None and _same(_geoms(fast.wkb), _reference(geoms[250:750], TO_WGS84))


@pytest.mark.parametrize(
    "odd",
    [
        shapely.Point(),  # empty: written as NaN coordinates, reported by the full path
        shapely.MultiPoint([(1, 2)]),
        shapely.Point(1, 2, 3),  # a 3D row among 2D ones
    ],
    ids=["empty", "multipoint", "mixed-dimension"],
)
def test_simple_points_hand_back_anything_not_plain(odd) -> None:
    geoms = [*_points(np.random.default_rng(3), 10), odd]
    assert simple_points(_wkb(geoms)) is None


def test_simple_points_hand_back_big_endian_wkb() -> None:
    rows = [shapely.to_wkb(shapely.Point(1, 2), byte_order=0, flavor="iso")] * 3
    assert simple_points(pa.array(rows, type=pa.binary())) is None


# -- lines -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("z", [False, True])
@pytest.mark.parametrize("transform", [None, TO_WGS84])
@pytest.mark.parametrize("promote", [False, True])
def test_simple_lines_equal_the_shapely_path(z: bool, transform, promote: bool) -> None:
    geoms = _lines(np.random.default_rng(4), 2_000, z=z, nulls=21)
    fast = simple_lines(_wkb(geoms), transform, promote=promote)
    assert fast is not None
    assert _same(_geoms(fast.wkb), _reference(geoms, transform, promote))
    present = np.array([g for g in _reference(geoms, transform) if g is not None], dtype=object)
    assert fast.bounds == pytest.approx(tuple(shapely.total_bounds(present)))


def test_simple_lines_honour_an_arrow_slice() -> None:
    geoms = _lines(np.random.default_rng(5), 600, nulls=5)
    fast = simple_lines(_wkb(geoms).slice(100, 300), TO_WGS84, promote=True)
    assert fast is not None and _same(_geoms(fast.wkb), _reference(geoms[100:400], TO_WGS84, promote=True))


def _raw_line(points: list[tuple[float, float]]) -> bytes:
    return struct.pack("<BII", 1, 2, len(points)) + b"".join(struct.pack("<dd", *p) for p in points)


@pytest.mark.parametrize(
    "odd",
    [
        shapely.to_wkb(shapely.LineString([(5, 5), (5, 5), (5, 5)]), flavor="iso"),  # no length: invalid in GEOS
        shapely.to_wkb(shapely.LineString([(5, 5, 1), (5, 5, 2)]), flavor="iso"),  # moves in z only: still invalid
        shapely.to_wkb(shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)]]), flavor="iso"),
        shapely.to_wkb(shapely.LineString(), flavor="iso"),
        _raw_line([(1.0, 1.0)]),  # one point: GEOS refuses to build it, the recovery path handles it
        _raw_line([(1.0, float("nan")), (2.0, 2.0)]),
    ],
    ids=["all-equal", "z-only", "multi", "empty", "one-point", "nan"],
)
def test_simple_lines_hand_back_anything_not_plain(odd: bytes) -> None:
    rows = [shapely.to_wkb(g, flavor="iso") for g in _lines(np.random.default_rng(6), 10)]
    assert simple_lines(pa.array([*rows, odd], type=pa.binary())) is None
    assert simple_lines(pa.array([*rows, odd], type=pa.binary()), TO_WGS84, promote=True) is None


def test_a_line_starting_where_the_previous_one_ends_is_not_taken_for_degenerate() -> None:
    """The step between two lines is not a move of either: a one-place line after a long one is refused."""
    rows = [_raw_line([(0, 0), (9, 9)]), _raw_line([(9, 9), (9, 9)])]
    assert simple_lines(pa.array(rows, type=pa.binary())) is None
    rows = [_raw_line([(0, 0), (9, 9)]), _raw_line([(9, 9), (10, 10)])]
    assert simple_lines(pa.array(rows, type=pa.binary())) is not None


# -- the pipeline with and without its fast paths ---------------------------------------------------------
def _write_shp(path: Path, geoms: list[object], geometry_type: str) -> Path:
    n = len(geoms)
    table = pa.table(
        {
            "nom": pa.array([f"Rue de l'Église {i}" for i in range(n)]),
            "num": pa.array(np.arange(n, dtype=np.int32)),
            "geometry": pa.array(
                [None if g is None else shapely.to_wkb(g, flavor="iso") for g in geoms], type=pa.binary()
            ),
        }
    )
    pyogrio.write_arrow(
        table,
        path,
        driver="ESRI Shapefile",
        geometry_name="geometry",
        geometry_type=geometry_type,
        crs=L93,
        layer_options={"ENCODING": "UTF-8"},
    )
    return path


def _convert_both_ways(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, formats: list[str]):
    """Small batches: a layer with a few multi-part lines mixes fast and full-path batches."""
    options = ConvertOptions(batch_size=256)
    used: list[bool] = []
    real = pipeline.LayerStream._geometry_column

    def spy(self, wkb, offset):
        used.append(self._fast_kind is not None and len(wkb) > 0)
        return real(self, wkb, offset)

    with monkeypatch.context() as m:
        m.setattr(pipeline.LayerStream, "_geometry_column", spy)
        fast = convert(src, tmp_path / "fast", formats, options=options)
    assert used and all(used), "the fast path was not even tried"
    with monkeypatch.context() as m:
        m.setattr(pipeline.LayerStream, "_fast_path_kind", lambda self: None)
        m.setattr(scan_mod, "scan_shapefile", lambda layer: None)
        slow = convert(src, tmp_path / "slow", formats, options=options)
    return fast, slow


@pytest.mark.parametrize("kind", ["points", "lines"])
def test_conversions_are_the_same_with_and_without_the_fast_paths(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(7)
    if kind == "points":
        geoms, gtype = _points(rng, 3_000, nulls=11), "Point"
    else:
        geoms, gtype = _lines(rng, 1_500, nulls=7), "LineString"
        geoms[5] = shapely.MultiLineString(
            [[(700_000, 6_300_000), (700_010, 6_300_010)], [(700_020, 6_300_020), (700_030, 6_300_040)]]
        )
    src = _write_shp(tmp_path / f"{kind}.shp", geoms, gtype)
    fast, slow = _convert_both_ways(src, tmp_path, monkeypatch, ["gpkg", "geojson", "fgb"])
    for a, b in zip(fast.files, slow.files, strict=True):
        assert (a.format, a.feature_count, a.geometry_type) == (b.format, b.feature_count, b.geometry_type)
        assert a.bbox == pytest.approx(b.bbox)
        ga = pyogrio.read_dataframe(tmp_path / "fast" / a.path).geometry.to_numpy()
        gb = pyogrio.read_dataframe(tmp_path / "slow" / b.path).geometry.to_numpy()
        assert _same(list(ga), list(gb), tolerance=1e-9), a.format
    codes = lambda m: sorted((i.code, i.count) for i in m.report.issues)  # noqa: E731
    assert codes(fast) == codes(slow)
    assert ("GEOM_EMPTY", 11 if kind == "points" else 7) in codes(fast)


# -- Shapefile record scan --------------------------------------------------------------------------------
def _gdal_scan(layer) -> scan_mod.GeometryScan:
    real = scan_mod.scan_shapefile
    try:
        scan_mod.scan_shapefile = lambda layer: None
        return scan_geometries(layer)
    finally:
        scan_mod.scan_shapefile = real


def test_record_scan_equals_the_gdal_scan_on_every_shared_shapefile(shared_data: Path) -> None:
    compared = 0
    for shp in sorted(shared_data.rglob("*.shp")):
        try:
            src = open_source(shp)
        except OdlGeoError:  # broken files are the readers' tests (test_traps); here only readable ones count
            src = None
        if src is None:
            continue
        with src:
            for layer in src.layers:
                quick = scan_shapefile(layer)
                if quick is not None:
                    assert quick == _gdal_scan(layer), shp
                    compared += 1
    assert compared >= 7  # the plain point/line Shapefiles of the shared data (7 on 2026-12)


def test_record_scan_counts_nulls_multiparts_and_multipoints(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    lines = _lines(rng, 200, nulls=9)
    lines[3] = shapely.MultiLineString([[(0, 0), (1, 1)], [(2, 2), (3, 3)], [(4, 4), (5, 5)]])
    mp = [shapely.MultiPoint([(0, 0), (1, 1)]), None, shapely.MultiPoint([(2, 2)])] * 20
    for name, geoms, gtype in (("l", lines, "LineString"), ("mp", mp, "MultiPoint")):
        with open_source(_write_shp(tmp_path / f"{name}.shp", geoms, gtype)) as src:
            quick = scan_shapefile(src.layers[0])
            assert quick is not None and quick == _gdal_scan(src.layers[0])
    assert quick.counts == {"MultiPoint": 40} and quick.nulls == 20


def test_record_scan_hands_back_deleted_records_and_truncated_files(tmp_path: Path) -> None:
    src = _write_shp(tmp_path / "p.shp", _points(np.random.default_rng(9), 50), "Point")
    deleted = tmp_path / "deleted"
    deleted.mkdir()
    for part in tmp_path.glob("p.*"):
        shutil.copy(part, deleted / part.name)
    dbf = bytearray((deleted / "p.dbf").read_bytes())
    header, record = int.from_bytes(dbf[8:10], "little"), int.from_bytes(dbf[10:12], "little")
    dbf[header + 7 * record] = 0x2A  # record 8 marked deleted: GDAL skips it
    (deleted / "p.dbf").write_bytes(bytes(dbf))
    with open_source(deleted / "p.shp") as s:
        assert scan_shapefile(s.layers[0]) is None
        assert sum(scan_geometries(s.layers[0]).counts.values()) == 49
    with open_source(src) as s:
        layer = s.layers[0]
        assert scan_shapefile(layer) == _gdal_scan(layer)
        data = (tmp_path / "p.shp").read_bytes()
        (tmp_path / "p.shp").write_bytes(data[:-10])  # the last record cut short
        assert scan_shapefile(layer) is None


# -- batches ------------------------------------------------------------------------------------------------
def test_batch_rows_follow_bytes_and_never_exceed_the_maximum(tmp_path: Path) -> None:
    src = _write_shp(tmp_path / "l.shp", _lines(np.random.default_rng(10), 3_000), "LineString")
    with open_source(src) as s:
        layer = s.layers[0]
        size = scan_mod.source_bytes(layer)
        assert size == (tmp_path / "l.shp").stat().st_size + (tmp_path / "l.dbf").stat().st_size
        assert batch_rows(layer, 100) == 100  # a caller's small batch is kept (publish_postgis uses 100)
        assert batch_rows(layer, 65_536, target=size // 2) == 1_500
        assert batch_rows(layer, 65_536, target=1) == 1_024  # the floor


def test_read_ahead_keeps_order_and_hands_over_errors() -> None:
    batches = [pa.record_batch({"a": [i]}) for i in range(50)]
    assert [b.column(0)[0].as_py() for b in _read_ahead(iter(batches), "t")] == list(range(50))

    def broken():
        yield batches[0]
        raise OSError("disk gone")

    got: list[pa.RecordBatch] = []
    with pytest.raises(OSError, match="disk gone"):
        got.extend(_read_ahead(broken(), "t"))
    assert len(got) == 1


def test_read_ahead_stops_its_thread_when_the_caller_stops_early() -> None:
    def endless():
        i = 0
        while True:
            yield pa.record_batch({"a": [i]})
            i += 1

    before = threading.active_count()
    gen = _read_ahead(endless(), "odl-geo test read")
    assert next(gen).column(0)[0].as_py() == 0
    gen.close()
    assert threading.active_count() == before
