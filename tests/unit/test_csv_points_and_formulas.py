"""The CSV writer's shortcuts (exports/csv.py) give what the general path gives.

Points are read from their WKB without shapely when they are plain 2D little-endian points, and string columns
whose cells start with no byte a formula may start with skip the two regular expressions of the neutralising.
Both exist for speed only (issue 16): these tests compare them with the general path on generated columns,
including the cells and geometries each shortcut must hand back.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import shapely

from odl_geo.csvsafe import FORMULA_START, NUMBER, neutralise_csv_cell
from odl_geo.exports import csv as csv_export
from odl_geo.normalise.pipeline import GEOMETRY_COLUMN


def _batch(geoms: list[object]) -> pa.RecordBatch:
    wkb = [None if g is None else shapely.to_wkb(g) for g in geoms]
    return pa.RecordBatch.from_arrays(
        [pa.array(range(len(geoms))), pa.array(wkb, type=pa.binary())], names=["id", GEOMETRY_COLUMN]
    )


def _by_shapely(batch: pa.RecordBatch, digits: int) -> pa.RecordBatch:
    """The general path: every geometry through shapely (what csv.py did for every batch before)."""
    geoms = shapely.from_wkb(batch.column(GEOMETRY_COLUMN).to_numpy(zero_copy_only=False))
    present = ~shapely.is_missing(geoms)
    rest = batch.drop_columns([GEOMETRY_COLUMN])
    rest = rest.append_column("longitude", pa.array(shapely.get_x(geoms).round(digits), mask=~present))
    return rest.append_column("latitude", pa.array(shapely.get_y(geoms).round(digits), mask=~present))


@pytest.mark.parametrize("digits", [5, 7])
def test_points_read_from_their_wkb_are_shapelys(digits: int) -> None:
    rng = np.random.default_rng(digits)
    xy = np.column_stack([rng.uniform(-5, 9, 5_000), rng.uniform(41, 51, 5_000)])
    xy[:50] = np.round(xy[:50], 3) + 5e-8  # halfway cases of the rounding
    geoms: list[object] = list(shapely.points(xy))
    geoms[3] = None  # no geometry
    batch = _batch(geoms)
    assert csv_export.point_xy(batch.column(GEOMETRY_COLUMN)) is not None  # the shortcut is taken
    mine = csv_export._geometry_as_text(batch, True, digits)
    assert mine.equals(_by_shapely(batch, digits))
    assert mine.column("longitude").null_count == 1


def test_other_points_go_through_shapely() -> None:
    # a 3D point: the shortcut refuses the batch, shapely reads it (x and y kept, z dropped)
    batch = _batch([shapely.Point(1.25, 2.5, 3.0), shapely.Point(4.0, 5.0, 6.0), None])
    assert csv_export.point_xy(batch.column(GEOMETRY_COLUMN)) is None
    mine = csv_export._geometry_as_text(batch, True, 7)
    assert mine.equals(_by_shapely(batch, 7))
    assert mine.column("longitude").to_pylist() == [1.25, 4.0, None]
    # an empty point: shapely's way too (GEOS refuses its x, as it always did)
    empty = _batch([shapely.Point(1, 2), shapely.Point()])
    with pytest.raises(shapely.errors.GEOSException):
        _by_shapely(empty, 7)
    with pytest.raises(shapely.errors.GEOSException):
        csv_export._geometry_as_text(empty, True, 7)


def _by_regex(col: pa.Array) -> pa.Array:
    risky = pc.and_not(pc.match_substring_regex(col, FORMULA_START), pc.match_substring_regex(col, NUMBER))
    return pc.if_else(risky, pc.binary_join_element_wise("'", col, ""), col) if pc.any(risky).as_py() else col


STARTS = ["=", "+", "-", "@", "\t", "\r", " ", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff21", "a", "1", "é"]


def test_neutralising_with_the_first_byte_check_is_the_rules() -> None:
    rng = np.random.default_rng(16)
    cells: list[str | None] = []
    for _ in range(4_000):
        k = rng.integers(0, 6)
        head = "".join(rng.choice(STARTS, k).tolist())
        tail = rng.choice(["1+1", "SUM(A1)", "-5.2", "5", "", "texte", " =x", "\n@y"])
        cells.append(None if rng.random() < 0.05 else head + str(tail))
    plain = [f"Rue {i}" for i in range(500)] + ["", None]
    for values in (cells, plain, [None, None], []):
        col = pa.array(values, type=pa.string())
        for part in (col, col.slice(7, 300)):
            batch = pa.RecordBatch.from_arrays([part], names=["c"])
            got = csv_export._neutralised(batch).column(0)
            assert got.equals(_by_regex(part))
            assert got.to_pylist() == [neutralise_csv_cell(v) for v in part.to_pylist()]


def test_a_column_without_a_formula_start_is_left_as_is() -> None:
    col = pa.array(["Rue de la Paix", "12", None, "", "é=1"])
    assert not csv_export._may_start_a_formula(col)
    for start in ("=", "\t", " ", "\uff0b"):
        assert csv_export._may_start_a_formula(pa.array(["a", None, start + "1"]))
    # a slice that leaves the risky cell out
    assert not csv_export._may_start_a_formula(pa.array(["=1", "a", "b"]).slice(1))
