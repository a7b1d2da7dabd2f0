"""The dates' ISO test and the enumerations' test look at each distinct value of a column once (from the
factorisation the chunk's checks share), and the dates' check reads its few non-ISO values in plain Python: the same
answers and the same messages as the whole-column pandas code they replace (kept here as the reference), on messy
columns (blanks, French dates, numbers held as objects, ``str`` subclasses, Arrow text), also after ``--fix``."""

from __future__ import annotations

from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from odl_geo.checks import _carry
from odl_geo.checks._common import blank_mask
from odl_geo.checks.dates import _not_iso, _valid_iso, iso_dates, read_date
from odl_geo.checks.fields import _enum, _inside
from odl_geo.checks.registry import CheckContext
from odl_geo.checks.runner import fix_context, run_checks
from odl_geo.profiles.registry import load_profile
from odl_geo.values import is_blank

rng = np.random.default_rng(11)


class Sub(str):
    pass


DATES = [None, np.nan, "", " ", "1999-03-12", "1999-02-29", "2000-02-29", "0999-01-01", "12/03/1999", "2010_11_05",
         "mars 1999", "1930/??/??", " 1999-03-12", "1999-3-12", "\uff11\uff19\uff19\uff19-03-12",
         Sub("2001-05-06"), "2001-05-06", "n'importe quoi", "31/02/2003", "12 mars 1999"]  # fmt: skip
COLUMNS = {
    "dates": DATES,
    "many distinct dates": [f"{y}-{m:02d}-{d:02d}" for y in range(1990, 2000) for m in (1, 2, 13) for d in (1, 30)]
    + ["12/03/1999", None],
    "numbers among dates": [*DATES, 1999, 2.5, True],
    "only blanks": [None, np.nan, ""],
    "only ISO": ["2024-01-01", "2023-12-31"],
}


def _column(values: list, n: int = 2000) -> pd.Series:
    return pd.Series([values[i] for i in rng.integers(0, len(values), n)], dtype=object)


def _ctx(frame: pd.DataFrame, role: str | None = None) -> CheckContext:
    n = len(frame)
    geo = gpd.GeoDataFrame(frame, geometry=shapely.points(np.arange(n), np.zeros(n)), crs="EPSG:2154")
    profile = load_profile("pei") if role else None
    spec = next(r for r in profile.roles if r.role == role) if profile and role else None
    return CheckContext(geo, "couche", profile, spec, carry=_carry.layer_carry())


def _old_not_iso(ctx: CheckContext, col: str) -> tuple[list[int], Counter, list[str]] | None:
    """The pandas code DATE_NOT_ISO had before (Series, astype(str), map, unique): the rows, kinds and samples."""
    values = ctx.frame[col]
    rest = ~_valid_iso(values)
    rest &= ~is_blank(values)
    present = values[rest].astype(str)
    kinds = {v: read_date(ctx, v)[1] for v in pd.unique(present)}
    kind_of = present.map(kinds)
    not_iso = (kind_of != "iso").to_numpy()
    if not not_iso.any():
        return None
    bad = np.flatnonzero(rest)[not_iso]
    return bad.tolist(), Counter(kind_of[not_iso]), [repr(v) for v in pd.unique(present[not_iso])[:4]]


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_iso_dates_from_the_distinct_values_are_those_of_the_whole_column(kind):
    col = _column(COLUMNS[kind])
    assert np.array_equal(iso_dates(_ctx(pd.DataFrame({"date_mes": col})), "date_mes"), _valid_iso(col))
    arrow = col.where(col.map(lambda v: isinstance(v, str)), None).astype("string[pyarrow]")
    assert np.array_equal(iso_dates(_ctx(pd.DataFrame({"date_mes": arrow})), "date_mes"), _valid_iso(arrow))


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_the_dates_check_reports_what_the_pandas_code_reported(kind):
    col = _column(COLUMNS[kind])
    ctx = _ctx(pd.DataFrame({"date_mes": col}))
    issues = _not_iso(ctx)
    old = _old_not_iso(ctx, "date_mes")
    if old is None:
        assert issues == []
        return
    rows, counts, samples = old
    assert len(issues) == 1
    assert issues[0].examples == rows and issues[0].count == len(rows)
    assert f"e.g. {', '.join(samples)}." in issues[0].message
    assert issues[0].message.count(":") == 1 + len(counts)  # "date_mes:" then one "kind: n" per kind
    for k, n in counts.items():
        assert f"{ {'full': 'complete'}.get(k, k) }: {n:,}" in issues[0].message


def test_the_dates_check_after_fix_reports_what_a_fresh_check_of_the_fixed_frame_reports():
    col = _column(DATES, 3000)
    ctx = _ctx(pd.DataFrame({"date_mes": col, "date_ct": _column(DATES[::-1], 3000)}))
    fixed, fixes = fix_context(ctx, run_checks(ctx, None, workers=1))
    assert any(f.code == "DATE_NOT_ISO" for f in fixes)
    again = [(i.message, i.examples) for i in _not_iso(fixed)]
    fresh = [(i.message, i.examples) for i in _not_iso(_ctx(pd.DataFrame(fixed.frame.drop(columns="geometry"))))]
    assert again == fresh and again  # partial and unreadable dates are left


TYPES = ["PI", "BI", "PA", "CI", "AUTRE", "pi", " PI", None, np.nan, "", 1, 2.0, True, Sub("PI"), "poteau"]
DIAMETERS = [80, 100, 150, "100", "100.0", 100.0, 80.5, None, "", "cent", True, Sub("150")]


@pytest.mark.parametrize("field, values", [("type_pei", TYPES), ("diam_pei", DIAMETERS)])
def test_enumerations_from_the_distinct_values_are_those_of_the_whole_column(field, values):
    col = _column(values)
    ctx = _ctx(pd.DataFrame({field: col}), role="main")
    spec = next(f for f in ctx.role.fields if f.name == field)
    assert spec.enum
    expected = np.flatnonzero(~is_blank(col) & ~_inside(spec, col))
    found = [i for i in _enum(ctx) if i.message.startswith(f"{field}:")]
    assert expected.size and len(found) == 1 and found[0].examples == expected.tolist()
    assert np.array_equal(blank_mask(ctx, field), is_blank(col))


def test_the_encoding_check_of_an_unpickled_chunk_is_that_of_the_chunk():
    """A streamed chunk may come through a pipe (pickled): its object columns' dtype is then another instance of
    ``dtype('O')``, and a column of numbers held as objects must still be looked at as objects, not as text."""
    import pickle

    from odl_geo.checks.text import _damaged

    frame = pd.DataFrame({"nom": _column(["CafÃ©", "Bézier", None, "Pont", 3]), "nombre": _column([1, 2, None])})
    ctx = _ctx(frame)
    again = _ctx(pickle.loads(pickle.dumps(pd.DataFrame(frame), protocol=5)))
    expected = [(i.message, i.examples) for i in _damaged(ctx)]
    assert expected and [(i.message, i.examples) for i in _damaged(again)] == expected
