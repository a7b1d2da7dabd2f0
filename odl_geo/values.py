"""Small helpers on raw values that every layer of odl-geo shares: blank cells, names and codes compared
without accents or case, French dates read into ISO 8601.

They sit at the base (no import of any other odl_geo module) because readers, checks and theme profiles all
need the same answers: a date one check reads as complete must be complete for the fix and for the profile too.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd

__all__ = [
    "MONTHS",
    "distinct_objects",
    "is_blank",
    "normalise_name",
    "normalise_value",
    "parse_date",
    "to_iso_date_text",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}


def normalise_name(name: str) -> str:
    """Lower case, accents folded, every run of non-alphanumerics as one ``_``: ``"CatÉgorie "`` -> ``categorie``."""
    flat = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", flat).strip("_")


def normalise_value(value: object) -> str:
    """The key used to compare enumeration values: like :func:`normalise_name`, spaces and dashes as ``_``."""
    return normalise_name(str(value))


def is_blank(series: pd.Series) -> np.ndarray:
    """Missing values: null, NaN, or text made only of spaces."""
    missing = series.isna().to_numpy()
    if series.dtype == object:
        # one C-level pass calling a tiny test per present value: pandas' ``str.strip().eq("")`` gives the same
        # answer (only text can be blank; ``strip`` and ``isspace`` know the same spaces) five times slower
        values = series.to_numpy()
        objects = distinct_objects(values)
        if objects is not None:  # a column repeating the same objects: each one tested once
            codes, first = objects
            return missing | np.fromiter(map(_blank_text, values[first]), dtype=bool, count=len(first))[codes]
        present = np.flatnonzero(~missing)
        blank = np.array(missing, dtype=bool, copy=True)
        if present.size:
            blank[present] = np.fromiter(map(_blank_text, values[present]), dtype=bool, count=present.size)
        return blank
    if pd.api.types.is_string_dtype(series.dtype):
        try:
            blank = series.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
        except AttributeError:  # an object column without any text
            return missing
        return missing | blank
    return missing


def _blank_text(v: object) -> bool:
    return isinstance(v, str) and (not v or v.isspace())


#: rows looked at for a repeated object before an object column is told apart by its objects
_HEAD = 512


def distinct_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """An object column as the index of each row's object among its distinct objects (``codes``) and the first row
    holding each one (``first``), objects told apart by identity: a test that depends on the value alone runs once
    per object, then ``result[codes]``. Conformed columns hold one object per distinct value (converted once,
    taken back by row), so a column of repeated text costs its distinct values only, and no long text is hashed.

    None when the first rows repeat no object (an identifier, a column built value by value): then every row.
    """
    n = len(values)
    if n < 2 or len(set(map(id, values[:_HEAD]))) == min(n, _HEAD):
        return None
    # the objects' addresses, read from the array itself (C-contiguous: one pointer per row)
    rows = values if values.flags.c_contiguous else np.ascontiguousarray(values)
    addresses = np.ctypeslib.as_array((ctypes.c_ssize_t * n).from_address(rows.ctypes.data)).copy()
    codes, _ = pd.factorize(addresses)
    first = np.empty(int(codes.max()) + 1, dtype=np.intp)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)
    return codes, first


# -- dates --------------------------------------------------------------------------------------------------


def parse_date(text: str) -> tuple[str | None, str]:
    """Read a date written the French way (or another common way).

    :returns: ``(iso, kind)`` where kind is ``"iso"`` (already ISO 8601), ``"full"`` (a complete date, ``iso`` is
        its ISO form), ``"partial"`` (only a year or a month is known, ``iso`` is ``YYYY`` or ``YYYY-MM``),
        ``"unknown"`` (``????/??/??``), or ``"unreadable"``.
    """
    s = str(text).strip()
    if _ISO_DATE.match(s):
        return (s, "iso") if _valid(int(s[:4]), int(s[5:7]), int(s[8:10])) else (None, "unreadable")
    if _ISO_DATETIME.match(s):
        return s, "iso"
    m = re.fullmatch(r"(\d{1,2})[/.\- _](\d{1,2})[/.\- _](\d{4})", s)  # 12/03/1999, 09 08 1906
    if m:
        return _full(int(m[3]), int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{4})[/._ ](\d{1,2})[/._ ](\d{1,2})", s)  # 1997/12/18, 2010_11_05
    if m:
        return _full(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s)  # 19971218
    if m:
        return _full(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{4})[/\-_. ](\d{1,2})[/\-_. ]\?\?", s)  # 1999/03/??
    if m and 1 <= int(m[2]) <= 12:
        return f"{m[1]}-{int(m[2]):02d}", "partial"
    m = re.fullmatch(r"(\d{4})(?:[/\-_. ]\?\?){0,2}", s)  # 1930/??/??, 1840
    if m:
        return m[1], "partial"
    if re.fullmatch(r"[\d?]{4}[/\-_. ][\d?]{2}[/\-_. ][\d?]{2}", s):  # ????/??/??, 19??/??/??
        return None, "unknown"
    words = re.findall(r"[^\W\d_]+|\d+", normalise_value(s).replace("_", " "))
    nums = [w for w in words if w.isdigit()]
    months = [MONTHS[w] for w in words if w in MONTHS]
    if len(months) == 1 and nums and len(nums[-1]) == 4:
        year = int(nums[-1])
        day = [int(n) for n in nums[:-1] if len(n) <= 2] or [
            int(w[:-2]) for w in words if re.fullmatch(r"\d{1,2}er", w)
        ]
        if day:
            return _full(year, months[0], day[0])
        return f"{year}-{months[0]:02d}", "partial"  # mars 1999
    return None, "unreadable"


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return 1000 <= y <= 2999


def _full(y: int, m: int, d: int) -> tuple[str | None, str]:
    return (f"{y:04d}-{m:02d}-{d:02d}", "full") if _valid(y, m, d) else (None, "unreadable")


def to_iso_date_text(value: object) -> str | None:
    """The ISO form of a complete date, or None when the value is not one (partial, unknown, unreadable)."""
    iso, kind = parse_date(str(value))
    return iso if kind in ("iso", "full") else None
