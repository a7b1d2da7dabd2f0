"""The normalised stream's 2D points are made from their coordinates: the same geometries as ``shapely.from_wkb``.

A theme run turns each chunk's WKB into shapely objects for its checks; for a layer of 2D points (the CSVs of
water points and fire hydrants) :func:`odl_geo.normalise.frames.geometries_of` reads x and y out of the WKB bytes
and calls ``shapely.points``. The reference is what the frames were built with before: ``shapely.from_wkb`` of
the column (kept here). Anything that is not an ISO little-endian 2D point with finite coordinates takes that
reference path itself.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
import shapely

from odl_geo.normalise.frames import _points, geometries_of, read_frames
from odl_geo.normalise.options import NormaliseOptions
from odl_geo.sources import ReadOptions, open_source

REPO = Path(__file__).resolve().parents[2]


def _reference(wkb: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """How the frames' geometries were made before the point shortcut."""
    return shapely.from_wkb(wkb.to_numpy(zero_copy_only=False))


def _assert_same(got: np.ndarray, want: np.ndarray) -> None:
    assert len(got) == len(want)
    got_missing, want_missing = shapely.is_missing(got), shapely.is_missing(want)
    assert np.array_equal(got_missing, want_missing)
    present = ~want_missing
    # the same type, dimension, coordinates (bit for bit: -0.0 stays -0.0) and the same WKB written again
    assert np.array_equal(shapely.get_type_id(got[present]), shapely.get_type_id(want[present]))
    assert np.array_equal(shapely.has_z(got[present]), shapely.has_z(want[present]))
    got_xy = shapely.get_coordinates(got[present], include_z=True)
    want_xy = shapely.get_coordinates(want[present], include_z=True)
    assert got_xy.tobytes() == want_xy.tobytes()
    assert list(shapely.to_wkb(got[present], flavor="iso")) == list(shapely.to_wkb(want[present], flavor="iso"))


def _wkb(geoms: list[object], large: bool = False) -> pa.Array:
    return pa.array(
        [None if g is None else shapely.to_wkb(g, flavor="iso") for g in geoms],
        type=pa.large_binary() if large else pa.binary(),
    )


def _random_points(n: int, seed: int) -> list[object]:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(-1e7, 1e7, (n, 2))
    xy[::7] = np.round(xy[::7])
    xy[3::11, 0] = -0.0
    xy[5::13, 1] = 1e-300
    return list(shapely.points(xy))


@pytest.mark.parametrize("large", [False, True])
def test_points_as_from_wkb(large: bool) -> None:
    wkb = _wkb(_random_points(5_000, 1), large)
    got = geometries_of(wkb)
    assert _points(wkb) is not None  # the shortcut itself answered
    _assert_same(got, _reference(wkb))


def test_points_with_nulls_slices_and_chunks() -> None:
    geoms = _random_points(1_000, 2)
    for i in range(0, 1_000, 17):
        geoms[i] = None
    wkb = _wkb(geoms)
    assert _points(wkb) is not None
    _assert_same(geometries_of(wkb), _reference(wkb))
    for piece in (wkb.slice(5), wkb.slice(17, 300), wkb.slice(999)):  # an offset into the buffers
        _assert_same(geometries_of(piece), _reference(piece))
    chunked = pa.chunked_array([wkb.slice(0, 400), wkb.slice(400)])
    _assert_same(geometries_of(chunked), _reference(chunked))
    gathered = wkb.take(pa.array(np.arange(999, -1, -3)))  # values not back to back
    _assert_same(geometries_of(gathered), _reference(gathered))


def test_only_nulls_or_nothing() -> None:
    for wkb in (pa.array([None, None], type=pa.binary()), pa.array([], type=pa.binary())):
        assert _points(wkb) is None
        _assert_same(geometries_of(wkb), _reference(wkb))


@pytest.mark.parametrize(
    "other",
    [
        shapely.Point(1, 2, 3),  # Z: 29 bytes
        shapely.from_wkt("POINT EMPTY"),  # NaN NaN: shapely's parser says empty
        shapely.LineString([(0, 0), (1, 1)]),
        shapely.MultiPoint([(0, 0)]),
        shapely.points(np.inf, 1.0),
        shapely.points(np.nan, 1.0),
    ],
)
def test_anything_else_takes_shapelys_parser(other: object) -> None:
    geoms = [*_random_points(50, 3), other, *_random_points(50, 4)]
    wkb = _wkb(geoms)
    assert _points(wkb) is None
    _assert_same(geometries_of(wkb), _reference(wkb))


def test_big_endian_points_take_shapelys_parser() -> None:
    big = struct.pack(">BIdd", 0, 1, 3.5, -2.25)
    little = [shapely.to_wkb(g, flavor="iso") for g in _random_points(20, 5)]
    wkb = pa.array([*little, big], type=pa.binary())
    assert _points(wkb) is None
    _assert_same(geometries_of(wkb), _reference(wkb))
    # a wrong type number in a 21-byte value: the parser's answer (an error), not a point
    odd = pa.array([*little, struct.pack("<BIdd", 1, 4, 0.0, 0.0)], type=pa.binary())
    assert _points(odd) is None


@pytest.mark.parametrize(
    "sample, read",
    [
        ("tests/data/pei/pei_generated_occitanie.csv", {"source_crs": "EPSG:2154"}),
        ("/work/shared/data/water/montpellier_bornes_fontaines", {}),
    ],
)
def test_frames_of_the_bundled_points_as_from_wkb(sample: str, read: dict, tmp_path: Path) -> None:
    """The frames a theme run reads (its chunks, reprojected) hold the geometries ``from_wkb`` gives."""
    src = Path(sample) if sample.startswith("/") else REPO / sample
    if src.is_dir():
        files = sorted(p for p in src.iterdir() if p.suffix.lower() in (".csv", ".geojson", ".json", ".gpkg"))
        assert files, f"no point file in {src}"
        src = files[0]
    copy = tmp_path / src.name
    shutil.copy(src, copy)
    with open_source(copy, ReadOptions(**read)) as opened:
        layer = opened.layers[0]
        chunks = read_frames(layer, 7, NormaliseOptions(), keep_wkb=True)
        seen = 0
        for frame in chunks:
            assert chunks.wkb is not None
            assert _points(chunks.wkb.wkb) is not None  # the shortcut made them
            _assert_same(np.asarray(frame.geometry.values), _reference(chunks.wkb.wkb))
            seen += len(frame)
    assert seen > 7  # several chunks were compared
