"""The streamed pass's cheaper steps give what the plain ones give (fifth round, engineer R).

* the spool writes float and boolean object columns as ``str`` of each value (:func:`odl_geo.theme.layers._arrow`),
  now by Arrow's ``take`` from the distinct texts instead of a Python string per row: the same Arrow text as
  ``str`` mapped row by row, on fuzzed columns (``-0.0``, NaN, infinities, None, numpy scalars, tiny and huge);
* :func:`odl_geo.normalise.frames.wkb_of` finds the geometries left as read by C-level look-ups: the same bytes as
  shapely encoding them, sources with missing geometries included;
* the conformed frame is built from its own columns without copying them (``copy=False``): writing into it leaves
  the frame it was conformed from, and its other columns, as they were.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import shapely

from odl_geo.normalise.frames import SourceWkb, wkb_of
from odl_geo.theme.layers import _arrow, _text

REPO = Path(__file__).resolve().parents[2]

FLOATS = [0.0, -0.0, 0.1, 0.2, 1 / 3, 1e16, 1e-5, 5e-324, 1.7976931348623157e308, -2.5, 100.0, 3.0, 2.0**53,
          float("inf"), float("-inf"), np.float64(3.25), np.float64(-0.0), np.float64(7.0)]  # fmt: skip
MISSING = [None, np.nan, float("nan"), np.float64("nan")]


def _reference(series: pd.Series) -> pa.Array:
    return pa.array(series.map(_text), type=pa.string(), from_pandas=True)


@pytest.mark.parametrize("seed", range(8))
def test_float_and_boolean_columns_are_spooled_as_str_of_each_value(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(40):
        n = rng.choice([0, 1, 2, 7, 100, 2000])
        pool_kind = rng.choice(["float", "bool"])
        if pool_kind == "float":
            pool = FLOATS + [rng.uniform(-1e6, 1e6) for _ in range(rng.randrange(1, 50))]
        else:
            pool = [True, False, np.bool_(True), np.bool_(False)]
        missing = rng.choice([0.0, 0.0, 0.1, 0.9])
        values = [rng.choice(MISSING) if rng.random() < missing else rng.choice(pool) for _ in range(n)]
        series = pd.Series(values, dtype=object)
        got, want = _arrow(series), _reference(series)
        assert got.type == pa.string()
        assert got.equals(want), (seed, values[:20])


def test_float_bit_patterns_stay_apart() -> None:
    """``0.0`` and ``-0.0`` are equal numbers with two texts: each row keeps its own."""
    series = pd.Series([0.0, -0.0, None, -0.0, 0.0, np.nan], dtype=object)
    assert _arrow(series).to_pylist() == ["0.0", "-0.0", None, "-0.0", "0.0", None]
    series = pd.Series([True, None, False, np.bool_(True)], dtype=object)
    assert _arrow(series).to_pylist() == ["True", None, "False", "True"]


def _geoms(rng: random.Random, n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    for i in range(n):
        r = rng.random()
        if r < 0.15:
            out[i] = None
        elif r < 0.25:
            out[i] = shapely.Point()
        elif r < 0.6:
            out[i] = shapely.Point(rng.uniform(-5, 10), rng.uniform(40, 52))
        else:
            out[i] = shapely.LineString([(rng.random(), rng.random()), (rng.random(), rng.random())])
    return out


@pytest.mark.parametrize("seed", range(4))
def test_wkb_of_geometries_left_as_read_is_shapelys_encoding(seed: int) -> None:
    rng = random.Random(seed)
    read = _geoms(rng, 300)
    wkb = pa.array(shapely.to_wkb(read, flavor="iso"), type=pa.binary())
    source = SourceWkb(shapely.from_wkb(wkb.to_numpy(zero_copy_only=False)), wkb)  # as read_frames makes it
    geoms = source.geoms
    new = _geoms(rng, 20)
    cases = [geoms, geoms[::-1], geoms[5:], np.concatenate([geoms, geoms[:3]]), new,
             np.concatenate([geoms[:50], new, geoms[100:]]), geoms[:0]]  # fmt: skip
    for case in cases:
        want = pa.array(shapely.to_wkb(case, flavor="iso"), type=pa.binary())
        assert wkb_of(case, source).equals(want)


def test_a_conformed_chunk_owns_its_columns() -> None:
    """Built without copying its columns, the conformed frame is still a frame of its own: the chunk it came
    from and its other columns (the unmatched ones are all-None columns) keep their values when it is written."""
    from odl_geo.normalise.frames import read_frames
    from odl_geo.normalise.options import NormaliseOptions
    from odl_geo.profiles.base import ThemeDataset
    from odl_geo.profiles.mapping import Mapping
    from odl_geo.profiles.registry import load_profile
    from odl_geo.report import Report
    from odl_geo.sources.layer import ReadOptions
    from odl_geo.sources.opener import open_source

    profile = load_profile("pei")
    path = REPO / "tests/data/pei/pei_generated_occitanie.csv"
    if not path.exists():
        pytest.fail("the bundled PEI sample must be there")
    with open_source(path, ReadOptions(source_crs="EPSG:2154")) as src:
        layer = src.layers[0]
        raw = next(iter(read_frames(layer, 40, NormaliseOptions())))
    before = raw.copy(deep=True)
    out = profile.conform(ThemeDataset(frames={"main": raw}, source_names={"main": "pei"}), Mapping(), Report())
    frame = out.frames["main"]
    kept = frame.copy(deep=True)
    empty = [c for c in frame.columns if c != frame.geometry.name and frame[c].isna().all()]
    assert len(empty) >= 2
    for col in [c for c in frame.columns if c != frame.geometry.name]:
        text = frame[col].dtype == object
        frame.loc[0, col] = "changed" if text else -1.5
        frame.iloc[1, frame.columns.get_loc(col)] = None if text else np.nan
    pd.testing.assert_frame_equal(raw, before)  # the chunk as read
    for col in empty:
        assert frame[col].iloc[2:].isna().all()  # no column shares another's values
    assert (frame.drop(columns=frame.geometry.name).iloc[2:].astype(object).fillna("-")
            == kept.drop(columns=kept.geometry.name).iloc[2:].astype(object).fillna("-")).all().all()  # fmt: skip
