"""The checks of one chunk share one factorisation per column (the blank test, the duplicates' value hashes, the
identifiers' check, the encoding check), and it follows the rows through the fixes: every answer drawn from it
is the one each check computed alone before (equivalence on messy columns), also after a fix removed rows."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from odl_geo.checks import _carry
from odl_geo.checks._common import _blank_text, _blank_values, blank_mask, blanks, factorized
from odl_geo.checks.duplicates import _all_distinct, _column_hashes, _value_hashes
from odl_geo.checks.registry import CheckContext
from odl_geo.checks.runner import fix_context, run_checks
from odl_geo.checks.text import _scan, text_hits
from odl_geo.values import is_blank

rng = np.random.default_rng(7)
MESSY = [None, np.nan, "", " ", "\t", "\u00a0", "\u202f", "a", " a ", "Montpellier", "Bézier", "BÃ©ziers",
         "CafÃ©", "34172", "34172"]  # fmt: skip


class Sub(str):
    pass


def _column(values: list, n: int = 3000) -> pd.Series:
    return pd.Series([values[i] for i in rng.integers(0, len(values), n)], dtype=object)


COLUMNS = {
    "texts": MESSY,
    "identifiers": [*(f"PEI-{i}" for i in range(5000)), None, ""],
    "numbers as objects": [1.5, 2.0, None, np.nan, 3],
    "mixed": [*MESSY, 1, 2.5, True, Sub("x"), Sub(" ")],
    "str subclasses": ["é", Sub("é"), Sub(" "), "Ã©", None],
    "empty": [None, np.nan],
}


def _ctx(col: pd.Series) -> CheckContext:
    n = len(col)
    frame = gpd.GeoDataFrame({"v": col}, geometry=shapely.points(np.arange(n), np.zeros(n)), crs="EPSG:2154")
    return CheckContext(frame, "couche", carry=_carry.layer_carry())


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_answers_from_the_shared_factorisation_are_those_of_each_check_alone(kind):
    col = _column(COLUMNS[kind])
    ctx = _ctx(col)
    assert np.array_equal(blank_mask(ctx, "v"), blanks(col))
    assert np.array_equal(blank_mask(ctx, "v"), is_blank(col))
    assert np.array_equal(_column_hashes(ctx, "v"), _value_hashes(col))
    for subclasses in (False, True):
        assert np.array_equal(text_hits(_ctx(col), "v", subclasses), _scan(col, subclasses)[0])


def test_blank_values_is_the_blank_test_of_each_value():
    values = [*MESSY[2:], Sub(""), Sub(" "), Sub("x"), 0, 1.5, [1], b" "]
    assert _blank_values(values).tolist() == [_blank_text(v) for v in values]
    assert _blank_values(MESSY[2:]).tolist() == [_blank_text(v) for v in MESSY[2:]]


def test_a_factorisation_follows_the_rows_a_fix_kept():
    """ids 'a', 'a', 'b', 'c': the feature without geometry ('b') removed by --fix, the codes kept are [0, 0, 2]
    (not dense: the largest + 1 is their count though 'a' is used twice): the identifier check after the fixes
    still finds the repeat, and every answer drawn from the followed codes is that of the fixed frame."""
    ids = pd.Series(["a", "a", "b", "c"], dtype=object)
    geoms = shapely.points(np.arange(4.0), np.zeros(4))
    geoms[2] = None
    frame = gpd.GeoDataFrame({"id": ids, "nom": ["é", "CafÃ©", None, " "]}, geometry=geoms, crs="EPSG:2154")
    ctx = CheckContext(frame, "couche")
    outcome = run_checks(ctx, None, workers=1)
    factorized(ctx, "id")
    fixed, fixes = fix_context(ctx, outcome)
    assert [f.code for f in fixes][-1] == "GEOM_MISSING" and len(fixed.frame) == 3
    codes, _ = factorized(fixed, "id")
    assert codes.tolist() == [0, 0, 2] and not _all_distinct(codes)
    assert fixed.scratch["factorized"]["id"] is not None  # followed, not computed again
    again = run_checks(fixed, None, workers=1)
    assert "DUPLICATE_ID" in again.fired
    fresh = CheckContext(fixed.frame.reset_index(drop=True), "couche")
    for name in ("id", "nom"):
        assert np.array_equal(blank_mask(fixed, name), blank_mask(fresh, name))
        assert np.array_equal(_column_hashes(fixed, name), _column_hashes(fresh, name))
        assert np.array_equal(text_hits(fixed, name), text_hits(fresh, name))


def test_all_distinct():
    assert _all_distinct(np.array([0, 1, 2]))
    assert _all_distinct(np.array([2, 0]))
    assert not _all_distinct(np.array([0, 0, 2]))
    assert not _all_distinct(np.array([0, -1, 1]))
