"""Turning raw column values into the types and codes a schema wants, without guessing silently.

Every conversion returns the converted column *and* the rows it could not convert, so that the caller reports
them (a value is never dropped without a line in the report). Work is done on the distinct values of a column,
then mapped back: real columns repeat a few values many times, so this stays fast on large layers.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..values import is_blank, normalise_value

if TYPE_CHECKING:
    from .base import TargetField

__all__ = ["coerce", "is_arrow_text", "map_enum"]

_TRUE = {"true", "vrai", "oui", "o", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "faux", "non", "n", "no", "0", "f"}


def _by_unique(series: pd.Series, func: Any) -> tuple[pd.Series, np.ndarray]:
    """Apply ``func(value) -> (converted, ok)`` once per distinct non-missing value.

    Three shortcuts give what that gives without a Python call per row: text read by Arrow is dictionary-encoded
    by Arrow (:func:`_by_dictionary`); integer, float and date columns are converted by numpy/Arrow where the
    result is sure to be the converter's (:func:`_vectorised`), every other value going through the converter."""
    if len(series) and is_arrow_text(series):
        return _by_dictionary(series, func)
    fast = _vectorised(series, func)
    if fast is not None:
        return fast
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
    strip = func in _STRIP_TEXT
    if strip and all(type(raw) is str for raw in uniques):  # text kept as text: what func does, without its tests
        values = np.empty(len(uniques), dtype=object)
        values[:] = [raw.strip() for raw in uniques]
        oks = np.ones(len(uniques), dtype=bool)
    else:
        results = [func(raw) for raw in uniques]  # once per distinct value, then taken back by code
        values = np.empty(len(results), dtype=object)
        values[:] = [r[0] for r in results]
        oks = np.array([r[1] for r in results], dtype=bool)
    ok = oks[codes]
    converted = values[codes]
    converted[~ok] = None
    where = np.flatnonzero(~blank)
    out_values = out.to_numpy(dtype=object, copy=True)
    out_values[where] = converted
    out = pd.Series(out_values, index=series.index, dtype=object)
    bad[where[~ok]] = True
    return out, bad


def is_arrow_text(series: pd.Series) -> bool:
    """Text read by Arrow (pandas' ``str`` dtype): its conversions are worked out on Arrow's dictionary."""
    return isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"


def _arrow_text(series: pd.Series) -> pa.Array | None:
    """The column's Arrow array when it is text read by Arrow (pandas' ``str`` dtype), else None."""
    if not is_arrow_text(series):
        return None
    arr = pa.array(series.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type) else None


def _by_dictionary(series: pd.Series, func: Any) -> tuple[pd.Series, np.ndarray]:
    """:func:`_by_unique` of Arrow text: Arrow's dictionary of the column holds its distinct values in the order
    they are first seen (as ``pd.factorize``), blank ones found by Arrow's own trim (as :func:`is_blank` on this
    dtype), then each non-blank one converted once and taken back by its index."""
    uniques, codes, blank, padded = _dictionary(series)
    k = len(uniques)
    values = np.empty(k + 1, dtype=object)  # [k]: the null rows; None where blank or not converted
    oks = np.ones(k + 1, dtype=bool)
    keep = np.flatnonzero(~blank)
    if keep.size:
        texts = uniques[keep]
        if func in _STRIP_TEXT:  # text kept as text: what func does, without its tests
            # Arrow's trim takes off exactly the characters str.strip() does (tests/unit/test_conform_fast_paths.py):
            # a value it leaves whole is what strip() gives back (the same object); only the others are stripped
            values[keep] = texts
            pad = np.flatnonzero(padded & ~blank)
            if pad.size:
                values[pad] = [raw.strip() for raw in uniques[pad]]
        else:
            results = [func(raw) for raw in texts]
            converted = np.empty(len(results), dtype=object)
            converted[:] = [r[0] for r in results]
            ok = np.array([r[1] for r in results], dtype=bool)
            converted[~ok] = None
            values[keep] = converted
            oks[keep] = ok
    out = values[codes]
    return pd.Series(out, index=series.index, dtype=object), ~oks[codes]


def _dictionary(series: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct values of Arrow text (first seen first), each row's index among them (``len(uniques)`` for a
    null), which distinct values are blank and which begin or end with white space (trimmed shorter)."""
    arr = _arrow_text(series)
    assert arr is not None
    enc = pc.dictionary_encode(arr)
    dictionary = enc.dictionary
    uniques = dictionary.to_numpy(zero_copy_only=False)
    trimmed = pc.utf8_trim_whitespace(dictionary)
    lengths = pc.binary_length(trimmed)
    blank = np.asarray(pc.equal(lengths, 0), dtype=bool)
    padded = np.asarray(pc.not_equal(lengths, pc.binary_length(dictionary)), dtype=bool)
    codes = pc.fill_null(enc.indices, len(uniques)).to_numpy(zero_copy_only=False).astype(np.intp, copy=False)
    return uniques, codes, blank, padded


#: integers from -2**53 to 2**53 are exact as floats: the converters' float() keeps them
_EXACT = 2**53


def _vectorised(series: pd.Series, func: Any) -> tuple[pd.Series, np.ndarray] | None:
    """What :func:`_by_unique` gives for an integer or float column (to text or integer) and for a column of
    ``datetime.date`` objects (to text), computed by numpy/Arrow; None for any other column or value the shortcut
    is not sure of (the caller then converts per distinct value)."""
    dtype = series.dtype
    if not len(series) or func is _to_number or not isinstance(dtype, np.dtype):
        return None
    if dtype.kind in "iu" and func in (_to_string, _to_integer):
        raw = series.to_numpy()
        if func is _to_integer:  # float(v).is_integer() -> int(f): exact below 2**53
            if raw.size and (raw.min() < -_EXACT or raw.max() > _EXACT):
                return None
            out = raw.astype(np.int64).astype(object)
        else:
            out = raw.astype(str).astype(object)  # str(int(v)), strip has nothing to take
        return pd.Series(out, index=series.index, dtype=object), np.zeros(len(series), dtype=bool)
    if dtype.kind == "f" and func in (_to_string, _to_integer):
        raw = series.to_numpy()
        missing = np.isnan(raw)
        whole = ~missing & np.isfinite(raw) & (np.floor(raw) == raw) & (np.abs(raw) <= _EXACT)
        out = np.full(len(raw), None, dtype=object)
        bad = np.zeros(len(raw), dtype=bool)
        ints = raw[whole].astype(np.int64)
        out[whole] = ints.astype(str).astype(object) if func is _to_string else ints.astype(object)
        rest = np.flatnonzero(~missing & ~whole)  # fractions, infinities, huge values: the converter decides
        if rest.size:
            codes, uniques = pd.factorize(raw[rest])
            results = [func(float(v)) for v in uniques]
            converted = np.empty(len(results) + 1, dtype=object)
            converted[: len(results)] = [r[0] if r[1] else None for r in results]
            out[rest] = converted[codes]
            bad[rest] = ~np.array([r[1] for r in results], dtype=bool)[codes]
        return pd.Series(out, index=series.index, dtype=object), bad
    if dtype.kind == "O" and func in (_to_string, _to_date_text, _to_datetime_text):
        raw = series.to_numpy()
        missing = pd.isna(raw)
        present = raw[~missing]
        if not present.size or set(map(type, present)) != {dt.date}:  # datetimes, Timestamps, text: not here
            return None
        text = pa.array(present, type=pa.date32()).cast(pa.string()).to_numpy(zero_copy_only=False)
        out = np.full(len(raw), None, dtype=object)
        out[~missing] = text  # date.isoformat(): YYYY-MM-DD, years below 1000 with their zeros too
        return pd.Series(out, index=series.index, dtype=object), np.zeros(len(raw), dtype=bool)
    return None


def _numbers(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_to_number` of a numeric column's values, without a Python call per value: floats as Python floats,
    infinities not numbers. As on distinct values, ``0.0`` and ``-0.0`` (equal) both become the first one seen."""
    values = raw.astype(np.float64)
    ok = np.isfinite(values)
    zeros = np.flatnonzero(values == 0)
    if zeros.size:
        values[zeros] = values[zeros[0]]
    converted = values.astype(object)
    converted[~ok] = None
    return converted, ok


def _factorize(present: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Codes of the values and the distinct raw values (lists and dicts, unhashable, are compared as JSON)."""
    if isinstance(present.dtype, pd.StringDtype):  # text read by Arrow: its own hash table, no copy to objects
        codes, uniques = present.factorize()
        return np.asarray(codes), uniques.tolist()
    try:
        codes, uniques = pd.factorize(present.to_numpy(dtype=object))
    except TypeError:
        keys = present.map(_hashable)
        codes, _ = pd.factorize(keys.to_numpy(dtype=object))
        first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
        return np.asarray(codes), [present.iloc[i] for i in first]
    return np.asarray(codes), list(uniques)


def _hashable(v: Any) -> Any:
    if isinstance(v, (list, dict, np.ndarray)):
        return json.dumps(v.tolist() if isinstance(v, np.ndarray) else v, sort_keys=True, default=str)
    return v


def _to_string(v: Any) -> tuple[Any, bool]:
    if isinstance(v, float) and v.is_integer():
        return str(int(v)), True
    if isinstance(v, (dt.date, dt.datetime, pd.Timestamp)):
        return v.isoformat(), True
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False), True
    return str(v).strip(), True


def _to_number(v: Any) -> tuple[Any, bool]:
    if isinstance(v, bool):
        return None, False
    if isinstance(v, (int, float, np.integer, np.floating)):
        f = float(v)
        return (f, True) if math.isfinite(f) else (None, False)
    text = str(v).strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        f = float(text)
    except ValueError:
        return None, False
    return (f, True) if math.isfinite(f) else (None, False)


def _to_integer(v: Any) -> tuple[Any, bool]:
    f, ok = _to_number(v)
    if not ok or not float(f).is_integer():
        return None, False
    return int(f), True


def _to_boolean(v: Any) -> tuple[Any, bool]:
    if isinstance(v, (bool, np.bool_)):
        return bool(v), True
    key = normalise_value(v)
    if key in _TRUE:
        return True, True
    if key in _FALSE:
        return False, True
    return None, False


def _to_date_text(v: Any) -> tuple[Any, bool]:
    """Date objects become ISO text; text is kept as it is so that the DATE_NOT_ISO check sees and fixes it."""
    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date().isoformat(), True
    if isinstance(v, dt.date):
        return v.isoformat(), True
    if isinstance(v, np.datetime64):
        return str(v)[:10], True
    return str(v).strip(), True


def _to_datetime_text(v: Any) -> tuple[Any, bool]:
    if isinstance(v, (dt.date, dt.datetime, pd.Timestamp)):
        return v.isoformat(), True
    return str(v).strip(), True


def _to_array(v: Any) -> tuple[Any, bool]:
    if isinstance(v, np.ndarray):
        v = v.tolist()
    if isinstance(v, list):
        return v, True
    text = str(v).strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            return None, False
        return (value, True) if isinstance(value, list) else (None, False)
    return None, False


def _to_object(v: Any) -> tuple[Any, bool]:
    if isinstance(v, dict):
        return v, True
    try:
        value = json.loads(str(v))
    except json.JSONDecodeError:
        return None, False
    return (value, True) if isinstance(value, dict) else (None, False)


_CONVERTERS = {
    "string": _to_string,
    "number": _to_number,
    "integer": _to_integer,
    "boolean": _to_boolean,
    "date": _to_date_text,
    "datetime": _to_datetime_text,
    "array": _to_array,
    "object": _to_object,
}


#: converters that give a text value back stripped (``str(v).strip()``) and accepted
_STRIP_TEXT = frozenset({_to_string, _to_date_text, _to_datetime_text})


def coerce(series: pd.Series, kind: str) -> tuple[pd.Series, np.ndarray]:
    """``series`` as ``kind`` (an object column, None for missing) and the mask of values that could not be converted.

    Blank text counts as missing, not as an error: the required-field checks report it.
    """
    func = _CONVERTERS.get(kind, _to_string)
    return _by_unique(series, func)


def map_enum(
    series: pd.Series, target: TargetField, extra: dict[str, str] | None = None
) -> tuple[pd.Series, dict[str, str], np.ndarray]:
    """Map raw values to the enumeration's codes.

    Order: the code itself (case, accents and separators ignored), the mapping file's ``[values.<field>]``
    (raw or normalised key), the profile's ``value_synonyms``. Values found nowhere are kept as they are and
    flagged, so that the ENUM_VALUE_INVALID check reports them.

    :returns: the mapped column, what was mapped (raw -> code, codes kept as they are excluded), the mask of
        values outside the enumeration.
    """
    codes = [str(c) for c in (target.enum or ())]
    by_norm = {normalise_value(c): c for c in codes}
    extra = extra or {}
    extra_norm = {normalise_value(k): v for k, v in extra.items()}
    synonyms = {normalise_value(k): v for k, v in target.value_synonyms.items()}
    mapped: dict[str, str] = {}

    def one(v: Any) -> tuple[Any, bool]:
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

    numeric = bool(codes) and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in codes)
    numeric = numeric and target.kind in ("number", "integer")
    if len(series) and is_arrow_text(series):
        # text read by Arrow: its dictionary holds the distinct values first seen first, as pd.factorize below
        uniques, indexes, blank_text, _padded = _dictionary(series)
        # blank as Arrow trims (coerce) or as Python strips (what the stripped text was then tested with)
        keep = np.array([i for i in np.flatnonzero(~blank_text) if uniques[i].strip()], dtype=np.intp)
        found = [one(raw) for raw in uniques[keep]]
        values = np.empty(len(uniques) + 1, dtype=object)  # [-1]: the null rows
        oks = np.ones(len(uniques) + 1, dtype=bool)
        values[keep] = [_as_number(v) if numeric else v for v, _ok in found]
        oks[keep] = [ok for _v, ok in found]
        if numeric:
            return _typed_like_map(values, indexes, series.index), mapped, ~oks[indexes]
        return pd.Series(values[indexes], index=series.index, dtype=object), mapped, ~oks[indexes]
    blank = is_blank(series)
    bad = np.zeros(len(series), dtype=bool)
    present = series[~blank]
    try:  # each distinct value looked up once, then taken back by code (no Python call per row)
        keys, uniques = pd.factorize(present.to_numpy(dtype=object))
    except TypeError:  # lists, dicts: compared as their JSON text
        out = pd.Series([None] * len(series), index=series.index, dtype=object)
        if not present.empty:
            table = {key: one(key) for key in present.map(_hashable).unique()}
            hashed = present.map(_hashable)
            out.loc[present.index] = hashed.map(lambda k: table[k][0]).astype(object)
            bad[np.flatnonzero(~blank)] = ~hashed.map(lambda k: table[k][1]).to_numpy(dtype=bool)
        if numeric:
            out = out.map(_as_number)
        return out, mapped, bad
    found = [one(key) for key in uniques]  # first-seen order, as the report lists what was mapped
    values = np.empty(len(found) + 1, dtype=object)  # [-1]: the blank rows
    values[:-1] = [_as_number(v) if numeric else v for v, _ok in found]
    where = np.flatnonzero(~blank)
    rows = np.full(len(series), len(found), dtype=np.intp)
    rows[where] = keys
    bad[where] = ~np.array([ok for _v, ok in found], dtype=bool)[keys]
    if numeric:
        return _typed_like_map(values, rows, series.index), mapped, bad
    return pd.Series(values[rows], index=series.index, dtype=object), mapped, bad


def _typed_like_map(values: np.ndarray, rows: np.ndarray, index: pd.Index) -> pd.Series:
    """``pd.Series(values[rows], index=index, dtype=object).map(_same)``: the column's type as a per-row map infers
    it (integers, floats with NaN for blanks, or mixed). The inference looks at which kinds of values are there,
    not how often nor in which order: it runs on the distinct values used, and an integer or float answer is
    taken back by row; any other answer (objects, text) comes from the per-row map itself."""
    used = np.unique(rows)
    typed = pd.Series(values[used], dtype=object).map(_same)
    if len(used) and typed.dtype in (np.dtype(np.int64), np.dtype(np.float64)):
        lookup = np.zeros(len(values), dtype=typed.dtype)
        lookup[used] = typed.to_numpy()
        return pd.Series(lookup[rows], index=index)
    return pd.Series(values[rows], index=index, dtype=object).map(_same)


def _as_number(v: Any) -> Any:
    """A numeric code as a number: ``"100"`` -> 100, ``"2.5"`` -> 2.5; a value outside the enumeration that is no
    number stays as it is (flagged: ENUM_VALUE_INVALID reports it; it used to stop the run with a ValueError)."""
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return int(f) if f.is_integer() else f


def _same(v: Any) -> Any:
    return v
