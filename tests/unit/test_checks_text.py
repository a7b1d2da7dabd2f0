"""Fast paths of the checks on object columns (conformed layers) give the general paths' answers, whatever else
the column holds: TEXT_ENCODING_DAMAGED's joined-text search, the blank masks of the required-field checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from odl_geo.checks.text import _QUICK_RX, _object_hits


@pytest.mark.parametrize(
    "values",
    [
        ["Fontaine", None, "PhilippidÃ¨s", "Château", "", "a\x00Ã", "ok", "â"],  # legit â, a NUL inside a value
        [1, "Ã©cole", None, ["Ã"], {"k": "Ã"}, 2.5, "rue", np.nan, "ï¿½"],  # numbers, lists, dicts: not text
        [1, 2, None],
        [None, None],
        [],
    ],
)
def test_the_joined_search_finds_what_a_search_of_each_value_finds(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    expected = [isinstance(v, str) and _QUICK_RX.search(v) is not None for v in values]
    assert _object_hits(series).tolist() == expected


@pytest.mark.parametrize(
    "values",
    [
        ["a", "", "  ", "\t\n", None, np.nan, 0, 1.5, ["x"], " b ", "\u00a0", "\u2003x"],
        [None, None],
        [],
        ["x", "y"],
    ],
)
def test_blank_masks_of_object_columns_are_is_blank(values: list[object]) -> None:
    from odl_geo.checks._common import blanks
    from odl_geo.values import is_blank

    series = pd.Series(values, dtype=object)
    assert blanks(series).tolist() == is_blank(series).tolist()
