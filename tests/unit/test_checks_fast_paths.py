"""The vectorised shortcuts of the checks, anonymisation and conforming give exactly the answers of the per-value
code they skip (issue 16: a streamed theme run pays them on every chunk). Each test puts the fast path beside the
plain Python rule it stands for, on the awkward values (spaces of every kind, dates on the edge of the calendar,
text mixed with numbers, bytes, ``-0.0``)."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from shapely.geometry import Point

from odl_geo.checks.dates import _valid_iso
from odl_geo.checks.fixes import fix_mojibake
from odl_geo.checks.registry import CheckContext
from odl_geo.profiles.anonymise import scan_text
from odl_geo.profiles.base import TargetField
from odl_geo.profiles.values import _hashable, _to_string, coerce, map_enum
from odl_geo.values import is_blank, normalise_value, parse_date

SPACES = [" ", "\t", "\n", "\x0b", "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2000", "\u2028", "\u202f", "\u3000"]


def _dates() -> list[str]:
    rng = random.Random(16)
    out = [
        "2019-05-07", "2019-02-29", "2020-02-29", "1900-02-29", "2000-02-29", "2019-04-31", "2019-13-01",
        "2019-00-10", "2019-01-00", "2019-01-32", "0999-01-01", "1000-01-01", "2999-12-31", "3000-01-01",
        " 2019-01-01", "2019-01-01 ", "2019-01-01\n", "2019-1-01", "+019-01-01", "2019/01/01",
        "\uff12\uff10\uff11\uff19-01-01",
        "2019-01-01T10:00", "12/03/1999", "", "  ", "mars 1999",
    ]  # fmt: skip
    out += [f"{rng.randint(900, 3100):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d}" for _ in range(3000)]
    return out


@pytest.mark.parametrize("dtype", [object, "str"])
def test_iso_shortcut_is_parse_dates_iso(dtype):
    """``_valid_iso`` says True exactly for the ``YYYY-MM-DD`` texts ``parse_date`` reads as ISO (others: False,
    left to parse_date, which then decides)."""
    values = _dates()
    series = pd.Series([*values, None], dtype=dtype)
    fast = _valid_iso(series)
    for value, quick in zip(values, fast[:-1], strict=True):
        if quick:
            assert parse_date(value)[1] == "iso", value
        elif value.isascii() and len(value) == 10 and value[4] == value[7] == "-":
            assert parse_date(value)[1] != "iso", value  # an ISO-shaped value the shortcut refuses is not ISO
    assert not fast[-1]
    assert fast.sum() > 1000  # the shortcut does take most valid dates


def test_iso_shortcut_leaves_mixed_columns_alone():
    for values in ([b"2019-01-01", "2019-01-01"], [20190101, "2019-01-01"], [pd.Timestamp("2019-01-01"), None]):
        assert not _valid_iso(pd.Series(values, dtype=object)).any()


def test_blank_object_column_as_pandas_strip():
    values = [None, np.nan, "", "x", " x ", b"", b" ", 0, 1.5, True, ["a"], {"a": 1}, np.str_(" "), "\u200b"]
    values += [s * 2 for s in SPACES] + [s + "a" for s in SPACES]
    series = pd.Series(values, dtype=object)
    expected = series.isna().to_numpy() | series.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    assert is_blank(series).tolist() == expected.tolist()
    assert is_blank(pd.Series([1, 2, None], dtype=object)).tolist() == [False, False, True]


def test_ten_digits_search_counts_digits():
    """The phone prefilter (ten ASCII digits anywhere) says what counting the digits said."""
    rng = random.Random(7)
    alphabet = "0123456789 .-+()abcé٣"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    arr = pa.array([*texts, None], type=pa.string())
    counted = pc.fill_null(pc.greater_equal(pc.utf8_length(pc.replace_substring_regex(arr, r"[^0-9]", "")), 10), False)
    searched = pc.fill_null(pc.match_substring_regex(arr, r"(?:[0-9][^0-9]*){10}"), False)
    assert counted.equals(searched)
    email, phone = scan_text(pd.Series(["06 12 34 56 78", "tel 0612345678", "12345", None, "a@b.fr"]))
    assert phone.tolist() == [True, True, False, False, False]
    assert email.tolist() == [False, False, False, False, True]


def _old_map_enum(series, target, extra=None):
    """``map_enum`` as it was written before its per-row maps became takes (the reference)."""
    codes = [str(c) for c in (target.enum or ())]
    by_norm = {normalise_value(c): c for c in codes}
    extra = extra or {}
    extra_norm = {normalise_value(k): v for k, v in extra.items()}
    synonyms = {normalise_value(k): v for k, v in target.value_synonyms.items()}
    mapped = {}

    def one(v):
        raw = _to_string(v)[0] if not isinstance(v, str) else v.strip()
        if raw in codes:
            return raw, True
        if raw in extra:
            mapped[raw] = extra[raw]
            return extra[raw], True
        key = normalise_value(raw)
        for table in (by_norm, extra_norm, synonyms):
            if key in table:
                mapped[raw] = table[key]
                return table[key], True
        return raw, False

    blank = is_blank(series)
    out = pd.Series([None] * len(series), index=series.index, dtype=object)
    bad = np.zeros(len(series), dtype=bool)
    present = series[~blank]
    if not present.empty:
        table = {key: one(key) for key in present.map(_hashable).unique()}
        keys = present.map(_hashable)
        out.loc[present.index] = keys.map(lambda k: table[k][0]).astype(object)
        bad[np.flatnonzero(~blank)] = ~keys.map(lambda k: table[k][1]).to_numpy(dtype=bool)
    if codes and all(c.replace(".", "").lstrip("-").isdigit() for c in codes) and target.kind in ("number", "integer"):
        out = out.map(lambda v: None if v is None else (int(float(v)) if float(v).is_integer() else float(v)))
    return out, mapped, bad


@pytest.mark.parametrize(
    ("values", "target", "extra"),
    [
        (["PI", "poteau", " BI ", None, "", "Poteau", "zz", "PI", 3, 3.0], TargetField("t", enum=("PI", "BI"),
         value_synonyms={"poteau": "PI"}), {"zz": "BI"}),
        ([100, 80.0, None, 150, "100", "2.5", "2"], TargetField("d", kind="number", enum=("80", "100", "150")), None),
        ([None, ""], TargetField("d", kind="integer", enum=("1", "2")), None),
        (["1", "2", "1"], TargetField("d", kind="integer", enum=("1", "2")), None),
        ([["a"], "a", {"k": 1}, None], TargetField("l", enum=("a",)), None),
        ([True, False, "oui"], TargetField("b", enum=("True",)), None),
    ],
)
def test_map_enum_as_before(values, target, extra):
    series = pd.Series(values, dtype=object)
    new, mapped, bad = map_enum(series, target, extra)
    old, old_mapped, old_bad = _old_map_enum(series, target, extra)
    assert new.dtype == old.dtype
    assert [(type(v), repr(v)) for v in new] == [(type(v), repr(v)) for v in old]
    assert list(mapped.items()) == list(old_mapped.items())
    assert bad.tolist() == old_bad.tolist()


def test_numeric_enum_keeps_a_value_that_is_no_number():
    """It stopped the run with a ValueError; it is now kept, flagged outside the enumeration."""
    out, _mapped, bad = map_enum(pd.Series(["100", "NC", None]), TargetField("d", kind="number", enum=("80", "100")))
    assert out.tolist() == [100, "NC", None] and bad.tolist() == [False, True, False]


def test_coerce_shortcuts_as_per_value():
    """Numbers from a numeric column and text from an Arrow column: the same values as one by one."""
    numbers = pd.Series([0.0, -0.0, 1.5, np.inf, -np.inf, np.nan, 3.0, 0.0])
    got, bad = coerce(numbers, "number")
    assert [repr(v) for v in got] == ["0.0", "0.0", "1.5", "None", "None", "None", "3.0", "0.0"]
    assert bad.tolist() == [False, False, False, True, True, False, False, False]
    got, _bad = coerce(pd.Series([-0.0, 0.0, 2.0]), "number")
    assert [repr(v) for v in got] == ["-0.0", "-0.0", "2.0"]  # equal values become the first one seen
    ints, bad = coerce(pd.Series([1, 0, -7], dtype="int32"), "number")
    assert [(type(v), v) for v in ints] == [(float, 1.0), (float, 0.0), (float, -7.0)] and not bad.any()
    texts = [" a ", "b", None, "", "  ", "a", "é ", "b"]
    for kind in ("string", "date", "datetime", "integer", "boolean"):
        arrow, arrow_bad = coerce(pd.Series(texts, dtype="str"), kind)
        plain, plain_bad = coerce(pd.Series(texts, dtype=object), kind)
        assert [repr(v) for v in arrow] == [repr(v) for v in plain], kind
        assert arrow_bad.tolist() == plain_bad.tolist()


def test_mojibake_fix_in_a_column_mixing_text_and_numbers():
    frame = pd.DataFrame(
        {"nom": ["FontaÃ®ne", 12, np.str_("PhilippidÃ¨s"), None, "Château", "â€œquoteâ€\x9d", "PhilippidÃ¨s"]}
    )
    fixed, notes, changes = fix_mojibake(CheckContext(frame, "t"))
    assert fixed["nom"].tolist() == ["Fontaîne", 12, "Philippidès", None, "Château", "“quote”", "Philippidès"]
    assert [c.feature for c in changes] == [0, 2, 5, 6]
    assert len(notes) == 1


def test_pei_coordinates_float_columns_or_none():
    import geopandas as gpd

    from odl_geo.profiles.pei import with_coordinates

    points = gpd.GeoDataFrame({"a": [1, 2]}, geometry=[Point(700000.123, 6600000.456), None], crs=2154)
    out = with_coordinates(points)
    assert out["x"].dtype == np.float64 and out["x"].iloc[0] == 700000.12 and np.isnan(out["x"].iloc[1])
    none = with_coordinates(gpd.GeoDataFrame({"a": [1]}, geometry=[None], crs=2154))
    assert none["x"].dtype == object and none["x"].tolist() == [None]


@pytest.mark.parametrize("subclasses", [False, True])
def test_tell_tale_search_with_str_find_is_the_regex(subclasses):
    """``_object_hits`` (str.isascii, then str.find of each tell-tale character) against the regex on each value."""
    from odl_geo.checks.text import _QUICK_RX, _object_hits

    rng = random.Random(3)
    alphabet = "abc éâ€Ã©Â\ufffd\x00-1"
    values: list[object] = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(2000)]
    values += [np.str_("Ã©"), 7, None, 2.5, "plain ascii", ["Ã"]]
    series = pd.Series(values, dtype=object)
    kind = (lambda v: isinstance(v, str)) if subclasses else (lambda v: type(v) is str)
    expected = [kind(v) and _QUICK_RX.search(v) is not None for v in values]
    assert _object_hits(series, subclasses=subclasses).tolist() == expected
    ascii_only = pd.Series(["abc", "12", None, "x y"], dtype=object)
    assert not _object_hits(ascii_only).any()


def test_every_damaged_text_passes_the_first_pass():
    """The first pass (``_QUICK``) lets through every value the check or the fix could call damaged: a MOJIBAKE
    match (Ã or Â then an upper Windows-1252 character, â€ then one) or a lost character (�); a lone â (château)
    does not need a closer look."""
    from odl_geo.checks.mojibake import _HIGH, MOJIBAKE, REPLACEMENT
    from odl_geo.checks.text import _QUICK_RX

    rng = random.Random(16)
    alphabet = "aé âÃÂ€\ufffd" + _HIGH.replace("-", "")[:40] + "\u2122\u0153\u00a6\u201c\u201d"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
        if MOJIBAKE.search(text) or REPLACEMENT in text:
            assert _QUICK_RX.search(text), repr(text)
    assert _QUICK_RX.search("PhilippidÃ¨s") and _QUICK_RX.search("â€™") and not _QUICK_RX.search("Château")
