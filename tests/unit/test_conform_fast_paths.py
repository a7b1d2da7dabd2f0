"""Conforming and anonymising shortcuts give exactly what the per-value rules give.

``coerce`` converts Arrow text on Arrow's dictionary and integer, float and date columns with numpy/Arrow;
``map_enum`` maps Arrow text as read; a constant is converted once; ``scan_text`` scans each distinct text object
once. Each test below compares a shortcut with the rule it stands for — the distinct-value conversion as it was
written before the shortcuts (copied here as the reference) and, where values are not equal-but-different
(``1`` and ``1.0``), the converter applied row by row — on generated messy values (decimal commas, French dates,
mojibake, blanks of every kind, ``NC``, huge and negative numbers) and on the bundled samples.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import CRS

from odl_geo.profiles import anonymise as anon_mod
from odl_geo.profiles import values as values_mod
from odl_geo.profiles.anonymise import _scan_one, _scan_values, scan_text
from odl_geo.profiles.base import TargetField
from odl_geo.profiles.values import _CONVERTERS, _STRIP_TEXT, _factorize, _numbers, _to_number, coerce, map_enum
from odl_geo.values import is_blank

REPO = Path(__file__).resolve().parents[2]
KINDS = ("string", "number", "integer", "boolean", "date", "datetime", "array", "object")


def _old_by_unique(series: pd.Series, func):
    """``_by_unique`` as it was before the Arrow, numpy and date shortcuts (the reference)."""
    blank = is_blank(series)
    out = pd.Series([None] * len(series), index=series.index, dtype=object)
    bad = np.zeros(len(series), dtype=bool)
    present = series[~blank]
    if present.empty:
        return out, bad
    if func is _to_number and present.dtype.kind in "fiu":
        converted, ok = _numbers(present.to_numpy())
        where = np.flatnonzero(~blank)
        out_values = out.to_numpy(dtype=object, copy=True)
        out_values[where] = converted
        bad[where[~ok]] = True
        return pd.Series(out_values, index=series.index, dtype=object), bad
    codes, uniques = _factorize(present)
    if func in _STRIP_TEXT and all(type(raw) is str for raw in uniques):
        values = np.empty(len(uniques), dtype=object)
        values[:] = [raw.strip() for raw in uniques]
        oks = np.ones(len(uniques), dtype=bool)
    else:
        results = [func(raw) for raw in uniques]
        values = np.empty(len(results), dtype=object)
        values[:] = [r[0] for r in results]
        oks = np.array([r[1] for r in results], dtype=bool)
    ok = oks[codes]
    converted = values[codes]
    converted[~ok] = None
    where = np.flatnonzero(~blank)
    out_values = out.to_numpy(dtype=object, copy=True)
    out_values[where] = converted
    bad[where[~ok]] = True
    return pd.Series(out_values, index=series.index, dtype=object), bad


def _per_row(series: pd.Series, kind: str):
    """The converter applied row by row (blank rows: None, not bad)."""
    func = _CONVERTERS[kind]
    blank = is_blank(series)
    out, bad = [], []
    for value, is_b in zip(series.to_numpy(dtype=object), blank, strict=True):
        if is_b:
            out.append(None)
            bad.append(False)
            continue
        converted, ok = func(value)
        out.append(converted if ok else None)
        bad.append(not ok)
    return out, np.array(bad, dtype=bool)


def _same_value(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float) and a == 0:
        return math.copysign(1, a) == math.copysign(1, b)
    return bool(a == b)


def _assert_same(got, want, what: str) -> None:
    got_values, got_bad = got
    want_values, want_bad = want
    got_list = list(got_values.to_numpy(dtype=object)) if isinstance(got_values, pd.Series) else list(got_values)
    want_list = list(want_values.to_numpy(dtype=object)) if isinstance(want_values, pd.Series) else list(want_values)
    assert len(got_list) == len(want_list), what
    for i, (g, w) in enumerate(zip(got_list, want_list, strict=True)):
        assert _same_value(g, w), f"{what}: row {i}: {g!r} ({type(g).__name__}) != {w!r} ({type(w).__name__})"
    assert np.array_equal(np.asarray(got_bad, dtype=bool), np.asarray(want_bad, dtype=bool)), what
    if isinstance(got_values, pd.Series) and isinstance(want_values, pd.Series):
        assert got_values.dtype == want_values.dtype, what
        assert got_values.index.equals(want_values.index), what


#: every character Python's str.strip() and str.isspace() take as a space, and some they do not
SPACES = [chr(c) for c in range(0x3000 + 1) if chr(c).isspace()] + ["\u200b", "\ufeff", "\u180e"]

MESSY_TEXT = [
    "1,5", "-2,25", "1 000", "1\u00a0000", "1\u202f000", "12.50", "+3", "1e3", "inf", "-inf", "nan", "NaN", "NC",
    "n.c.", "12/03/1999", "3 mars 2001", "1er mai 1999", "1999/03/??", "????/??/??", "2020-02-30", "2020-02-29",
    "0999-01-01", "20201231", "Ã©tÃ©", "Fontaine Ã  eau", "pÃ©destre", "Pédestre ", " VTT", "oui", "Non", "X",
    "vrai", "FAUX", "0", "1", "01", "007", "  padded  ", "\tTab\t", "[1, 2]", '["a", "b"]', "[not json",
    '{"a": 1}', "{bad", "42", "42.0", "-0", "-0.0", "0.0", "3.0000000001", "9007199254740993",
    "12345678901234567890", "contact@mairie.fr", "06 12 34 56 78", "Jean Dupont", "", " ", "\u00a0", "\u3000",
    *SPACES,
]  # fmt: skip


def _messy_text(n: int, seed: int) -> list[object]:
    rng = random.Random(seed)
    pool = [*MESSY_TEXT, None, None, float("nan")]
    out = [rng.choice(pool) for _ in range(n)]
    out += [f"id-{rng.randrange(10**6)}" for _ in range(n // 4)]  # many distinct values, as an identifier
    return out


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", [1, 2])
def test_arrow_text_as_the_distinct_value_rule(kind: str, seed: int) -> None:
    texts = _messy_text(400, seed)
    series = pd.Series(texts, dtype="str", index=pd.RangeIndex(100, 100 + len(texts)))
    assert values_mod.is_arrow_text(series)
    want = _old_by_unique(series, _CONVERTERS[kind])
    _assert_same(coerce(series, kind), want, f"str -> {kind}")
    # and row by row (no two different values are equal in text)
    _assert_same(coerce(series, kind), _per_row(series, kind), f"str -> {kind}, per row")


@pytest.mark.parametrize("kind", KINDS)
def test_arrow_text_edge_columns(kind: str) -> None:
    for texts in ([], [None], [None, None], ["", " "], ["a"], ["a", "a", None], [" a", "a "]):
        series = pd.Series(texts, dtype="str")
        _assert_same(coerce(series, kind), _old_by_unique(series, _CONVERTERS[kind]), f"{texts!r} -> {kind}")


def test_arrow_trims_exactly_what_python_strips() -> None:
    """The text conversions strip in Python only the distinct values Arrow's trim shortens: that needs Arrow's
    white space to be Python's, every code point checked (pinned for a pyarrow upgrade)."""
    import sys

    import pyarrow as pa
    import pyarrow.compute as pc

    points = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    texts = pa.array([f"{chr(c)}a{chr(c)}" for c in points])
    shortened = np.asarray(pc.not_equal(pc.binary_length(pc.utf8_trim_whitespace(texts)), pc.binary_length(texts)))
    assert [c for c, s in zip(points, shortened, strict=True) if s] == [c for c in points if chr(c).isspace()]


@pytest.mark.parametrize("kind", ["string", "date", "datetime"])
def test_arrow_text_padded_with_every_space_is_stripped_as_before(kind: str) -> None:
    rng = random.Random(7)
    texts = [f"{rng.choice(SPACES)}{v}{rng.choice(SPACES)}" for v in ("a", "b c", "é", "2020-01-01")]
    texts += [f"{c}x" for c in SPACES] + [f"x{c}" for c in SPACES] + ["x", "x", " x", None, "", *SPACES]
    rng.shuffle(texts)
    series = pd.Series(texts, dtype="str")
    _assert_same(coerce(series, kind), _old_by_unique(series, _CONVERTERS[kind]), f"padded -> {kind}")
    _assert_same(coerce(series, kind), _per_row(series, kind), f"padded -> {kind}, per row")


@pytest.mark.parametrize("kind", KINDS)
def test_arrow_text_with_several_chunks(kind: str) -> None:
    import pyarrow as pa

    chunked = pa.chunked_array([["1,5", None, " a "], ["NC", "1,5", "", "12/03/1999"]], type=pa.large_string())
    series = pd.Series(pd.arrays.ArrowStringArray(chunked))
    assert values_mod.is_arrow_text(series)
    _assert_same(coerce(series, kind), _old_by_unique(series, _CONVERTERS[kind]), f"chunked -> {kind}")


INTEGERS = [0, 1, -1, 7, 42, -(2**31), 2**31 - 1, 2**53, -(2**53), 2**53 + 1, 2**62, -(2**63), 2**63 - 1]


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8", "uint32", "uint64"])
@pytest.mark.parametrize("kind", KINDS)
def test_integer_columns_as_the_distinct_value_rule(dtype: str, kind: str) -> None:
    info = np.iinfo(dtype)
    rng = random.Random(3)
    values = [v for v in INTEGERS if info.min <= v <= info.max]
    values += [rng.randint(max(info.min, -(10**6)), min(info.max, 10**6)) for _ in range(300)]
    if dtype == "uint64":
        values += [2**64 - 1, 2**63 + 12345]
    series = pd.Series(np.array(values, dtype=dtype), index=pd.RangeIndex(5, 5 + len(values)))
    want = _old_by_unique(series, _CONVERTERS[kind])
    _assert_same(coerce(series, kind), want, f"{dtype} -> {kind}")
    if kind in ("string", "integer"):
        assert values_mod._vectorised(series, _CONVERTERS[kind]) is not None or (
            kind == "integer" and max(abs(v) for v in values) > 2**53
        )


FLOATS = [
    0.0, -0.0, 1.0, -1.0, 0.1, 2.5, -2.5, 1e15, 1e16, 1e20, -1e20, 2.0**53, 2.0**53 + 2, 2.0**63, 1e300, 5e-324,
    float("inf"), float("-inf"), float("nan"), 123456.789, 1 / 3, 100.0, 80.0, 3.0000000001,
]  # fmt: skip


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind", KINDS)
def test_float_columns_as_the_distinct_value_rule(dtype: str, kind: str) -> None:
    rng = random.Random(4)
    values = FLOATS + [round(rng.uniform(-1000, 1000), rng.randrange(4)) for _ in range(300)]
    with np.errstate(over="ignore"):
        series = pd.Series(np.array(values, dtype=dtype), index=pd.RangeIndex(9, 9 + len(values)))
    want = _old_by_unique(series, _CONVERTERS[kind])
    _assert_same(coerce(series, kind), want, f"{dtype} -> {kind}")
    if kind in ("string", "integer"):  # no two values equal but different (0.0 / -0.0 convert alike here)
        _assert_same(coerce(series, kind), _per_row(series, kind), f"{dtype} -> {kind}, per row")


def _dates(n: int, seed: int) -> list[object]:
    rng = random.Random(seed)
    fixed = [dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(1000, 1, 1), dt.date(1969, 12, 31),
             dt.date(1970, 1, 1), dt.date(2024, 2, 29), dt.date(9999, 12, 31)]  # fmt: skip
    return fixed + [dt.date.fromordinal(rng.randrange(1, dt.date.max.toordinal())) for _ in range(n)]


@pytest.mark.parametrize("kind", KINDS)
def test_date_objects_as_the_distinct_value_rule(kind: str) -> None:
    dates = [*_dates(300, 5), None, float("nan"), pd.NaT, None]
    series = pd.Series(dates, dtype=object)
    _assert_same(coerce(series, kind), _old_by_unique(series, _CONVERTERS[kind]), f"dates -> {kind}")
    if kind in ("string", "date", "datetime"):
        assert values_mod._vectorised(series, _CONVERTERS[kind]) is not None


@pytest.mark.parametrize("kind", ["string", "date", "datetime"])
def test_dates_mixed_with_datetimes_or_text_take_the_converter(kind: str) -> None:
    func = _CONVERTERS[kind]
    aware = dt.datetime(2020, 1, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    for extra in (dt.datetime(2020, 1, 2, 3, 4), pd.Timestamp("2021-05-06 07:08"), aware, "12/03/1999", 5, 2.5,
                  np.datetime64("2020-01-01")):  # fmt: skip
        series = pd.Series([*_dates(20, 6), extra, None], dtype=object)
        assert values_mod._vectorised(series, func) is None, extra
        _assert_same(coerce(series, kind), _old_by_unique(series, func), f"dates + {extra!r} -> {kind}")


def test_object_columns_mixing_types_as_before() -> None:
    rng = random.Random(7)
    pool = [1, 2.5, -0.0, 0.0, True, False, "1,5", " x ", "", None, float("nan"), dt.date(2020, 1, 1),
            [1, 2], {"a": 1}, np.int64(5), np.float64(2.0), "NC"]  # fmt: skip
    series = pd.Series([rng.choice(pool) for _ in range(300)], dtype=object)
    for kind in KINDS:
        _assert_same(coerce(series, kind), _old_by_unique(series, _CONVERTERS[kind]), f"mixed -> {kind}")


def _old_map_enum(series, target, extra):
    """``map_enum`` as conform_frame called it before: the column converted to text first."""
    typed = coerce(series, "string")[0] if target.kind == "string" else series
    values_arrow = values_mod.is_arrow_text
    try:
        values_mod.is_arrow_text = lambda s: False  # the object path, as before
        return map_enum(typed, target, extra)
    finally:
        values_mod.is_arrow_text = values_arrow


ENUM_TARGETS = [
    TargetField("pratique", enum=("pédestre", "VTT", "équestre", "trail"),
                value_synonyms={"rando pedestre": "pédestre", "vtt": "VTT", "cheval": "équestre"}),
    TargetField("type_pei", enum=("PI", "BI", "PA", "CI"), value_synonyms={"poteau": "PI", "bouche": "BI"}),
    TargetField("diam", kind="integer", enum=("80", "100", "150")),
    TargetField("prec", kind="number", enum=("0.5", "1", "2.5")),
]  # fmt: skip
ENUM_TEXT = ["pédestre", "Pedestre", " PEDESTRE ", "rando pédestre", "VTT", "vtt ", "cheval", "à pied", "trail",
             "PI", "pi", "poteau", "Bouche", "citerne", "100", "80", " 150", "100.0", "2,5", "2.5", "1", "NC", "",
             " ", "\u00a0", "\x1c", "\u2028", "Ã©questre", None, None]  # fmt: skip


@pytest.mark.parametrize("target", ENUM_TARGETS, ids=lambda t: t.name)
@pytest.mark.parametrize("extra", [None, {"à pied": "pédestre", "citerne": "CI", "NC": "80"}])
def test_map_enum_of_arrow_text_as_read_is_map_enum_of_the_converted_text(target, extra) -> None:
    rng = random.Random(8)
    texts = [rng.choice(ENUM_TEXT) for _ in range(500)]
    series = pd.Series(texts, dtype="str", index=pd.RangeIndex(3, 503))
    col, mapped, bad = map_enum(series, target, extra)
    old_col, old_mapped, old_bad = _old_map_enum(series, target, extra)
    _assert_same((col, bad), (old_col, old_bad), target.name)
    assert list(mapped.items()) == list(old_mapped.items())  # the report lists them in first-seen order
    assert col.dtype == old_col.dtype


def test_map_enum_of_arrow_text_edge_columns() -> None:
    target = ENUM_TARGETS[0]
    for texts in ([], [None], ["", " "], ["\x1c"], ["pedestre"], [None, "vtt", None]):
        series = pd.Series(texts, dtype="str")
        col, mapped, bad = map_enum(series, target)
        old_col, old_mapped, old_bad = _old_map_enum(series, target, None)
        _assert_same((col, bad), (old_col, old_bad), repr(texts))
        assert mapped == old_mapped


# -- anonymisation scan ------------------------------------------------------------------------------------

FULLWIDTH_PHONE = "".join(chr(0xFF10 + int(d)) for d in "0612345678")
SCAN_TEXT = [
    "Contact : contact@mairie-ganges.fr", "jean.dupont@gmail.com", "Jean.Dupont@mairie.fr", "info@ot-cevennes.com",
    "Appeler le 06 12 34 56 78", "tél. 04.67.12.34.56", "+33 6 12 34 56 78", "0033612345678", "+33 (0)4 67 00 00 00",
    "30189.000000", "SIRET 12345678901234", "0612345678901", "1234567890", "06 12 34 56 7", "٠٦١٢٣٤٥٦٧٨",
    FULLWIDTH_PHONE,
    "06\u00a012\u00a034\u00a056\u00a078", "a@b", "@", "x@y.z", "Le long du ruisseau, 12 km",
    "", " ", "Fontaine du square", "m-martin@orange.fr, 07 00 00 00 00", "mail: contact@x.fr tel 0467000000",
]  # fmt: skip


def _old_scan_text(series: pd.Series, personal_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """``scan_text`` as it was before the distinct values and the RE2 filters (the reference)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from odl_geo.profiles.anonymise import EMAIL, PHONE, _texts, is_personal_email, is_personal_phone

    email = np.zeros(len(series), dtype=bool)
    phone = np.zeros(len(series), dtype=bool)
    if not len(series):
        return email, phone
    raw = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        text = pd.Series(raw, index=series.index)
        arr = pa.array(raw, type=pa.string(), from_pandas=True)
    else:
        text = _texts(series)
        arr = pa.array(text.to_numpy(dtype=object), type=pa.string())
    at = np.asarray(pc.fill_null(pc.match_substring(arr, "@"), False), dtype=bool)
    ten = np.asarray(pc.fill_null(pc.match_substring_regex(arr, r"(?:[0-9][^0-9]*){10}"), False), dtype=bool)
    for mask, rx, personal, is_personal in (
        (email, EMAIL, at, is_personal_email),
        (phone, PHONE, ten, is_personal_phone),
    ):
        idx = np.flatnonzero(personal)
        if not idx.size:
            continue
        values = text.iloc[idx]
        if personal_only:
            found = values.map(lambda v, rx=rx, judge=is_personal: any(judge(m.group()) for m in rx.finditer(v)))
        else:
            found = values.str.contains(rx)
        mask[idx] = found.to_numpy(dtype=bool)
    return email, phone


def _scan_columns(seed: int) -> list[pd.Series]:
    rng = random.Random(seed)
    repeated = [rng.choice(SCAN_TEXT) for _ in range(300)]  # the same objects over rows (a conformed column)
    copies = ["".join(t) for t in repeated]  # equal texts, distinct objects
    many = [f"{rng.choice(SCAN_TEXT)} #{i}" for i in range(300)]  # more distinct values than the Python path takes
    mixed = [rng.choice([*SCAN_TEXT, None, float("nan"), 5, 2.5, True, [1], "06 12 34 56 78"]) for _ in range(300)]
    with_none = [rng.choice([None, *SCAN_TEXT[:5]]) for _ in range(200)]
    return [pd.Series(c, dtype=object) for c in (repeated, copies, many, mixed, with_none, [], ["a@b.fr"], [None])]


@pytest.mark.parametrize("personal_only", [False, True])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scan_of_distinct_values_is_the_scan_of_every_value(personal_only: bool, seed: int) -> None:
    for series in _scan_columns(seed):
        email, phone = scan_text(series, personal_only)
        want_email, want_phone = _old_scan_text(series, personal_only)
        assert np.array_equal(email, want_email) and np.array_equal(phone, want_phone), list(series)[:5]
        assert email.dtype == bool and phone.dtype == bool
        arrow_email, arrow_phone = _scan_values(series, personal_only)  # the Arrow path alone, too
        assert np.array_equal(arrow_email, want_email) and np.array_equal(arrow_phone, want_phone)


@pytest.mark.parametrize("personal_only", [False, True])
def test_python_scan_of_one_value_is_arrows(personal_only: bool) -> None:
    values = [*SCAN_TEXT, None, float("nan"), 5, 2.5, True, [1], {"a": 1}, *SPACES]
    want_email, want_phone = _old_scan_text(pd.Series(values, dtype=object), personal_only)
    for i, v in enumerate(values):
        assert _scan_one(v, personal_only) == (want_email[i], want_phone[i]), v


def test_scan_takes_the_arrow_path_beyond_a_few_values(monkeypatch) -> None:
    calls: list[int] = []
    real = anon_mod._scan_values

    def spy(series, personal_only):
        calls.append(len(series))
        return real(series, personal_only)

    monkeypatch.setattr(anon_mod, "_scan_values", spy)
    rng = random.Random(9)
    many = pd.Series([f"{rng.choice(SCAN_TEXT)} #{i % 200}" for i in range(1000)], dtype=object)
    many = pd.Series(many.to_numpy()[np.arange(1000) % 200], dtype=object)  # 200 objects repeated
    scan_text(many)
    assert calls == [200]
    calls.clear()
    few = pd.Series(np.array(SCAN_TEXT[:10], dtype=object)[np.arange(100) % 10], dtype=object)
    scan_text(few)
    assert calls == []  # scanned in Python


# -- whole samples: conform + anonymise with and without the shortcuts ------------------------------------


def _without_shortcuts(monkeypatch) -> None:
    monkeypatch.setattr(values_mod, "_arrow_text", lambda series: None)
    monkeypatch.setattr(values_mod, "is_arrow_text", lambda series: False)
    monkeypatch.setattr(values_mod, "_vectorised", lambda series, func: None)
    monkeypatch.setattr("odl_geo.profiles.mapping.is_arrow_text", lambda series: False)
    monkeypatch.setattr(anon_mod, "scan_text", _old_scan_text)


SAMPLES = {
    "water": ("examples/water/VilleMTP_MTP_Fontaines.csv", "examples/water/fontaines.toml", {}),
    "hiking": ("examples/hiking/cevennes_itineraires.json", None, {}),
    "pei": ("tests/data/pei/pei_generated_occitanie.csv", None, {"source_crs": "EPSG:2154"}),
    "geotrek": ("tests/data/geotrek/geotrek_treks.geojson", None, {}),
}


def _conform_sample(theme: str, sample: str, mapping_file: str | None, read: dict, tmp_path: Path):
    import shutil

    from odl_geo.normalise.frames import read_frames
    from odl_geo.normalise.options import NormaliseOptions
    from odl_geo.profiles.anonymise import AnonymiseOptions, anonymise
    from odl_geo.profiles.base import ThemeDataset
    from odl_geo.profiles.mapping import Mapping, load_mapping
    from odl_geo.profiles.registry import load_profile
    from odl_geo.report import Report
    from odl_geo.sources.layer import ReadOptions
    from odl_geo.sources.opener import open_source

    profile = load_profile("hiking" if theme == "geotrek" else theme)
    src_path = tmp_path / Path(sample).name
    src_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / sample, src_path)
    mapping = load_mapping(REPO / mapping_file, profile) if mapping_file else Mapping()
    report = Report()
    frames = []
    with open_source(src_path, ReadOptions(**read) if read else None) as src:
        layer = src.layers[0]
        options = NormaliseOptions(target_crs=CRS.from_epsg(profile.target_epsg), decode_html=profile.decode_html)
        state: dict = {"layer.features": layer.feature_count}
        for raw in read_frames(layer, 50, options, report):  # chunks of 50 rows: several chunks, a short last one
            ds = ThemeDataset(frames={"main": raw}, source_names={"main": layer.name})
            conformed = profile.conform(ds, mapping, report, state=state)
            cols = [c for c in raw.columns if c != raw.geometry.name]
            out, removals = anonymise(profile, conformed, AnonymiseOptions.build(mapping.anonymise), report,
                                      {"main": cols})  # fmt: skip
            frames.append((out.frames["main"], removals))
    return frames, [i.to_dict() for i in report.issues]


@pytest.mark.parametrize("theme", sorted(SAMPLES))
def test_bundled_samples_conform_and_anonymise_as_without_shortcuts(theme: str, tmp_path: Path, monkeypatch):
    sample, mapping_file, read = SAMPLES[theme]
    fast, fast_issues = _conform_sample(theme, sample, mapping_file, read, tmp_path / "fast")
    _without_shortcuts(monkeypatch)
    slow, slow_issues = _conform_sample(theme, sample, mapping_file, read, tmp_path / "slow")
    assert fast_issues == slow_issues
    assert len(fast) == len(slow) > 0
    for (f_frame, f_removals), (s_frame, s_removals) in zip(fast, slow, strict=True):
        assert list(f_frame.columns) == list(s_frame.columns)
        assert list(f_frame.dtypes) == list(s_frame.dtypes)
        for col in f_frame.columns:
            if col == f_frame.geometry.name:
                assert f_frame.geometry.geom_equals_exact(s_frame.geometry, 0).all()
                continue
            _assert_same((f_frame[col], np.zeros(len(f_frame))), (s_frame[col], np.zeros(len(s_frame))), col)
        assert [vars(r) for r in f_removals] == [vars(r) for r in s_removals]


def _phone_like(rng: random.Random) -> str:
    digits = "0123456789" * 3 + "\u0660\u0661\u0666\u06f7\uff10\uff16\u0966"  # ASCII, Arabic-Indic, fullwidth...
    seps = [" ", ".", "-", "\t", "\u00a0", "\u2009", "\u202f", "\x1c", "\u3000", "", "", "/", "_"]
    head = rng.choice(["0", "+33", "0033", "+33 (0)", "33", "+", "x", "", "1"])
    parts = [head, rng.choice(digits)]
    for _ in range(rng.randrange(3, 7)):
        parts.append(rng.choice(seps) + rng.choice(digits) + rng.choice(digits))
    return rng.choice(["", "tel ", "9", "a"]) + "".join(parts) + rng.choice(["", " ", "7", "!"])


def test_loose_phone_search_finds_every_phone_number() -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    from odl_geo.profiles.anonymise import PHONE, PHONE_LOOSE

    rng = random.Random(11)
    texts = [_phone_like(rng) for _ in range(20000)] + SCAN_TEXT
    loose = pc.match_substring_regex(pa.array(texts, type=pa.string()), PHONE_LOOSE).to_pylist()
    exact = [PHONE.search(t) is not None for t in texts]
    assert sum(exact) > 1000  # the generator makes real phone numbers, in many writings
    assert all(lo for lo, ex in zip(loose, exact, strict=True) if ex)
    assert sum(loose) < len(texts)  # and it does leave values out
    for personal_only in (False, True):
        want_email, want_phone = _old_scan_text(pd.Series(texts, dtype=object), personal_only)
        assert [_scan_one(t, personal_only) for t in texts] == list(zip(want_email, want_phone, strict=True))
        got_email, got_phone = _scan_values(pd.Series(texts, dtype=object), personal_only)
        assert np.array_equal(got_email, want_email) and np.array_equal(got_phone, want_phone)


def test_anonymise_and_coordinates_leave_the_frames_they_are_given_unchanged() -> None:
    """Shallow copies (copy-on-write) where deep ones were made: the caller's frame keeps its values."""
    import geopandas as gpd
    import shapely

    from odl_geo.profiles.anonymise import AnonymiseOptions, anonymise
    from odl_geo.profiles.base import ThemeDataset
    from odl_geo.profiles.pei import with_coordinates
    from odl_geo.profiles.registry import load_profile
    from odl_geo.report import Report

    profile = load_profile("water")
    n = 6
    frame = gpd.GeoDataFrame(
        {
            "id_local": pd.Series([str(i) for i in range(n)], dtype=object),
            "remarque": pd.Series(["appeler le 06 12 34 56 78", "rien", None, "a@b.fr", "x", "y"], dtype=object),
            "proprietaire": pd.Series(["M. Dupont", None, "Mme X", "", "Y", "Z"], dtype=object),
        },
        geometry=shapely.points(np.arange(n) + 700000.0, np.arange(n) + 6300000.0),
        crs=2154,
    )
    before = frame.copy(deep=True)
    dataset = ThemeDataset(frames={"main": frame}, source_names={"main": "t"})
    out, removals = anonymise(profile, dataset, AnonymiseOptions.build(), Report())
    assert {r.field for r in removals} >= {"proprietaire", "remarque"}
    assert out.frames["main"]["remarque"].iloc[0] == "appeler le [téléphone masqué]"
    pd.testing.assert_frame_equal(frame, before)
    with_xy = with_coordinates(frame)
    assert list(with_xy.columns)[-4:] == ["x", "y", "lon", "lat"]
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize("seed", range(6))
def test_numeric_column_typed_on_its_distinct_values_as_a_per_row_map(seed: int) -> None:
    from odl_geo.profiles.values import _same, _typed_like_map

    rng = random.Random(seed)
    pools = [
        [1, 2, 100, None],
        [1, 2.5, None],
        [80, 100, 150],
        [0.5, 2.5, None, 1.0],
        [100, "NC", None],
        ["NC", "x"],
        [None],
        [2**63, 1],
        [-(2**63), 5, None],
        [1, -0.0, 0.0],
        [True, 1],
    ]
    for pool in pools:
        values = np.empty(len(pool) + 1, dtype=object)
        values[:-1] = pool
        for n in (0, 1, 7, 300):
            rows = np.array([rng.randrange(len(values)) for _ in range(n)], dtype=np.intp)
            index = pd.RangeIndex(4, 4 + n)
            got = _typed_like_map(values, rows, index)
            want = pd.Series(values[rows], index=index, dtype=object).map(_same)
            pd.testing.assert_series_equal(got, want, check_exact=True)
            for g, w in zip(got.to_numpy(dtype=object), want.to_numpy(dtype=object), strict=True):
                assert _same_value(g, w) or (g is None and w is None), (pool, g, w)


def _old_is_blank(series: pd.Series) -> np.ndarray:
    """``is_blank`` of an object column as it was (every present value tested): the reference."""
    missing = series.isna().to_numpy()
    blank = np.array(missing, dtype=bool, copy=True)
    present = np.flatnonzero(~missing)
    values = series.to_numpy()[present]
    blank[present] = [isinstance(v, str) and (not v or v.isspace()) for v in values]
    return blank


def test_distinct_objects_are_told_apart_by_identity() -> None:
    from odl_geo.values import distinct_objects

    rng = random.Random(12)
    pool = [*SPACES[:8], "a", "b", None, float("nan"), 5, [1], "x" * 300]
    repeated = np.array([rng.choice(pool) for _ in range(2000)], dtype=object)
    found = distinct_objects(repeated)
    assert found is not None
    codes, first = found
    assert all(repeated[first][c] is v for c, v in zip(codes, repeated, strict=True))
    assert len(first) == len({id(v) for v in repeated})
    assert np.array_equal(np.sort(first), first)  # first seen first
    strided = np.empty((2, 2000), dtype=object, order="F")
    strided[0] = repeated
    column = strided[0]
    assert not column.flags.c_contiguous
    codes2, first2 = distinct_objects(column)
    assert np.array_equal(codes2, codes) and np.array_equal(first2, first)
    # no repeat among the first rows: None (every row is tested)
    assert distinct_objects(np.array([str(i) for i in range(2000)], dtype=object)) is None
    assert distinct_objects(np.array(["a"], dtype=object)) is None


@pytest.mark.parametrize("seed", [1, 2])
def test_blank_object_column_tested_once_per_object_as_every_row(seed: int) -> None:
    rng = random.Random(seed)
    pool = [*SPACES, "", "a", " a ", None, float("nan"), pd.NaT, 0, 2.5, True, [1], b" "]
    repeated = pd.Series([rng.choice(pool) for _ in range(3000)], dtype=object)
    copies = pd.Series(["".join(v) if isinstance(v, str) else v for v in repeated], dtype=object)
    for series in (repeated, copies, repeated.iloc[::3], pd.Series([], dtype=object), pd.Series([" "], dtype=object)):
        assert np.array_equal(is_blank(series), _old_is_blank(series))


def test_pei_lon_lat_as_products_lonlat() -> None:
    """with_coordinates' lon/lat (its transformer kept per CRS) are products.lonlat's, points, empty points, lines
    and missing geometries alike, chunk after chunk."""
    import geopandas as gpd
    import shapely

    from odl_geo.profiles.pei import with_coordinates
    from odl_geo.profiles.products import lonlat

    rng = np.random.default_rng(13)
    for n in (1, 2, 500):
        geoms = list(shapely.points(rng.uniform(100000, 1200000, n), rng.uniform(6000000, 7100000, n)))
        if n > 2:
            geoms[1] = shapely.from_wkt("POINT EMPTY")
            geoms[2] = None
            geoms[3] = shapely.LineString([(700000, 6300000), (700100, 6300100)])
        frame = gpd.GeoDataFrame({"a": range(n)}, geometry=geoms, crs=2154)
        for _ in range(2):
            out = with_coordinates(frame)
            lon, lat = lonlat(frame)
            for name, want in (("lon", lon), ("lat", lat)):
                got = out[name].to_numpy(dtype=float) if out[name].dtype != object else np.full(n, np.nan)
                assert np.array_equal(got, want, equal_nan=True), name
