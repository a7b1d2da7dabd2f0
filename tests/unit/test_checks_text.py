"""TEXT_ENCODING_DAMAGED on object columns (conformed layers): the joined-text search finds the same values as a
search of each value, whatever else the column holds."""

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
