"""Floats as the text Python's ``repr`` (hence ``json``) gives them, computed with numpy and Arrow for whole columns.

The coordinates of the theme products are on the 10⁻⁷ grid (7 decimals, about 1 cm): their text is made from
integers, four digits at a time looked up in tables, as rows of bytes padded with spaces that Arrow trims; the
other floats are written by Python. Rounding to the grid is Python's correctly rounded ``round``, vectorised.
Used by :mod:`.product_text` (and :mod:`.validation`, which reads the products' text).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PRECISION", "reprs", "round_like_python"]

PRECISION = 7  # decimals of lon/lat: about 1 cm


def round_like_python(values: np.ndarray) -> np.ndarray:
    """``round(v, PRECISION)`` of each value as Python's correctly rounded ``round`` gives it.

    numpy's ``round`` scales, rounds and divides, which differs from Python's when the scaled value lies within an
    ulp of a half: those few values (and huge ones) are rounded by Python.
    """
    scale = 10.0**PRECISION
    with np.errstate(all="ignore"):
        scaled = values * scale
        out = np.rint(scaled) / scale
        doubt = (np.abs(scaled - np.floor(scaled) - 0.5) <= np.abs(scaled) * 2.0**-48) | ~(np.abs(scaled) < 2.0**50)
    for i in np.flatnonzero(doubt):
        out[i] = round(float(values[i]), PRECISION)
    return out


_WIDTH = 24  # bytes of the longest repr of a float ("-1.2345678901234567e-300"), six 4-byte words
_SLICE = 50_000_000  # floats written at a time (a row each: the offsets of 24-byte rows stay 32-bit)


def _words(texts: list[str]) -> np.ndarray:
    """4-byte words (native order) holding the 4 ASCII characters of each text."""
    return np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint32)


def _right(texts: list[str]) -> np.ndarray:
    return _words([t.rjust(4) for t in texts])


_SPACE, _MINUS = _words(["    ", "   -"])
_DIGITS = _words([f"{i:04d}" for i in range(10_000)])  # 4 digits of 0..9999
#: the whole part's first 4 digits (of 8): leading zeros as spaces, 0 as four spaces; with "-" before the first
#: digit (a number of 4 digits leaves no room: the sign goes in the word before)
_HIGH = _right([str(i) if i else "" for i in range(10_000)])
_HIGH_NEG = _right([f"-{i}" if 0 < i < 1000 else (str(i) if i else "") for i in range(10_000)])
#: the whole part's last 4 digits when the first 4 are zeros: 0 as "0"
_LOW = _right([str(i) for i in range(10_000)])
_LOW_NEG = _right([f"-{i}" if i < 1000 else str(i) for i in range(10_000)])
#: "." and the first 3 decimals; the same with their trailing zeros as spaces (one digit at least), for when the
#: last 4 decimals are zeros
_DOT = _words([f".{i:03d}" for i in range(1000)])
_DOT_END = _words([f".{f'{i:03d}'.rstrip('0') or '0'}".ljust(4) for i in range(1000)])
#: the last 4 decimals, trailing zeros as spaces (0: four spaces)
_END = _words([f"{i:04d}".rstrip("0").ljust(4) for i in range(10_000)])


def reprs(values: np.ndarray | list[float]) -> pa.Array:
    """``repr`` of each float (what ``json`` writes for a finite float, and ``str`` gives), as Arrow strings.

    Most are coordinates on the 10⁻⁷ grid: a float that is the nearest to n / 10⁷, with 10⁻⁴ <= |v| < 10⁸, has
    for shortest round-trip text n's digits with the point 7 places from the right, trailing zeros dropped (any
    other decimal of at most 7 places lies 10⁻⁷ away, more than its ulp). A row of six 4-byte words holds the
    text with spaces around it: the whole part's 8 digits looked up 4 at a time with leading zeros as spaces and
    the sign before the first digit, ``.`` and the first 3 decimals, the last 4 with trailing zeros as spaces (one
    decimal at least); Arrow trims the spaces. Python writes the other floats (``repr``), padded with spaces.
    """
    floats = np.asarray(values, dtype=float)
    if len(floats) > _SLICE:
        return pa.concat_arrays([reprs(floats[i : i + _SLICE]) for i in range(0, len(floats), _SLICE)])
    with np.errstate(all="ignore"):
        scaled = np.rint(floats * 1e7)
        size = np.abs(floats)
        grid = (scaled / 1e7 == floats) & (((size >= 1e-4) & (size < 1e8)) | (floats == 0))
    whole, decimals = np.divmod(np.where(grid, np.abs(scaled), 0).astype(np.int64), 10**7)
    high, low = np.divmod(whole, 10_000)
    first, last = np.divmod(decimals, 10_000)
    neg = np.signbit(floats)
    words = np.empty((len(floats), _WIDTH // 4), dtype=np.uint32)
    words[:, 0] = np.where(neg & (high >= 1000), _MINUS, _SPACE)
    words[:, 1] = np.where(neg, np.where((high == 0) & (low >= 1000), _MINUS, _HIGH_NEG[high]), _HIGH[high])
    words[:, 2] = np.where(high > 0, _DIGITS[low], np.where(neg, _LOW_NEG[low], _LOW[low]))
    words[:, 3] = np.where(last == 0, _DOT_END[first], _DOT[first])
    words[:, 4] = _END[last]
    words[:, 5] = _SPACE
    rows = words.view(np.uint8).reshape(-1, _WIDTH)
    if not grid.all():
        others = [repr(v).ljust(_WIDTH) for v in floats[~grid].tolist()]
        rows[~grid] = np.array(others, dtype=f"S{_WIDTH}").view(np.uint8).reshape(-1, _WIDTH)
    offsets = np.arange(0, (len(floats) + 1) * _WIDTH, _WIDTH, dtype=np.int32)
    padded = pa.StringArray.from_buffers(len(floats), pa.py_buffer(offsets), pa.py_buffer(rows))
    return pc.ascii_trim_whitespace(padded)  # a repr holds no white space
