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

from ..values import is_blank, normalise_value

if TYPE_CHECKING:
    from .base import TargetField

__all__ = ["coerce", "map_enum"]

_TRUE = {"true", "vrai", "oui", "o", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "faux", "non", "n", "no", "0", "f"}

def _by_unique(series: pd.Series, func: Any) -> tuple[pd.Series, np.ndarray]:
    """Apply ``func(value) -> (converted, ok)`` once per distinct non-missing value."""
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

    blank = is_blank(series)
    bad = np.zeros(len(series), dtype=bool)
    numeric = bool(codes) and all(re.fullmatch(r"-?\d+(\.\d+)?", c) for c in codes)
    numeric = numeric and target.kind in ("number", "integer")
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
    values = np.empty(len(found), dtype=object)
    values[:] = [_as_number(v) if numeric else v for v, _ok in found]
    where = np.flatnonzero(~blank)
    taken = np.full(len(series), None, dtype=object)
    taken[where] = values[keys]
    bad[where] = ~np.array([ok for _v, ok in found], dtype=bool)[keys]
    out = pd.Series(taken, index=series.index, dtype=object)
    if numeric:  # the column's type as a per-row map infers it (integers, floats with NaN for blanks, or mixed)
        out = out.map(_same)
    return out, mapped, bad


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
