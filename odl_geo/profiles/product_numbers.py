"""Floats as the text Python's ``repr`` (hence ``json``) gives them, computed with numpy for whole columns.

The coordinates of the theme products are on the 10⁻⁷ grid (7 decimals, about 1 cm): their text is made from
integers, a few digits at a time, as byte matrices; the other floats are written by Python. Rounding to the grid
is Python's correctly rounded ``round``, vectorised. Used by :mod:`.product_text`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

__all__ = ["PRECISION", "float_bytes", "reprs", "round_like_python"]

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


def _words(texts: list[str]) -> np.ndarray:
    """4-byte words (native order) holding the 4 ASCII characters of each text."""
    return np.frombuffer("".join(texts).encode("ascii"), dtype=np.uint32)


_DIGITS = _words([f"{i:04d}" for i in range(10_000)])  # 4 digits of 0..9999
_KEEP = _words([chr(1) * k + chr(0) * (4 - k) for k in range(5)])  # the first k bytes of a word kept
_KEEP_LAST = _words([chr(0) * (4 - k) + chr(1) * k for k in range(5)])  # the last k bytes kept
_POWERS = 10 ** np.arange(1, 9)
_ZEROS = np.array([4 - len(f"{i:04d}".rstrip("0")) for i in range(10_000)])  # trailing zeros of 4 digits


def float_bytes(values: np.ndarray | list[float]) -> tuple[np.ndarray, np.ndarray]:
    """``repr`` of each float (what ``json`` writes for a finite float, and ``str`` gives) as a byte matrix, one
    row a float, and the mask of the bytes that make the text.

    Most are coordinates on the 10⁻⁷ grid: a float that is the nearest to n / 10⁷, with 10⁻⁴ <= |v| < 10⁸, has
    for shortest round-trip text n's digits with the point 7 places from the right, trailing zeros dropped (any
    other decimal of at most 7 places lies 10⁻⁷ away, more than its ulp). A row is six words: sign, the whole
    part's 8 digits, point, the 7 decimals (looked up 4 digits at a time from the integers n), and the mask keeps
    the sign of negatives, the digits from the first non-zero one and the decimals to the last non-zero one.
    Python writes the other floats (``repr``).
    """
    floats = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        scaled = np.rint(floats * 1e7)
        size = np.abs(floats)
        grid = (scaled / 1e7 == floats) & (((size >= 1e-4) & (size < 1e8)) | (floats == 0))
    whole, decimals = np.divmod(np.where(grid, np.abs(scaled), 0).astype(np.int64), 10**7)
    high, low = np.divmod(decimals, 1000)
    digits = np.searchsorted(_POWERS, whole, side="right") + 1  # of the whole part
    kept = np.maximum(1, 7 - np.where(low == 0, 3 + _ZEROS[high], _ZEROS[low * 10] - 1))  # decimals
    words = np.empty((len(floats), 6), dtype=np.uint32)
    masks = np.empty((len(floats), 6), dtype=np.uint32)
    words[:, 0], masks[:, 0] = ord("-"), _KEEP[np.signbit(floats).astype(np.int64)]
    words[:, 1], masks[:, 1] = _DIGITS[whole // 10_000], _KEEP_LAST[np.clip(digits - 4, 0, 4)]
    words[:, 2], masks[:, 2] = _DIGITS[whole % 10_000], _KEEP_LAST[np.minimum(digits, 4)]
    words[:, 3], masks[:, 3] = ord("."), _KEEP[1]
    words[:, 4], masks[:, 4] = _DIGITS[high], _KEEP[np.minimum(kept, 4)]
    words[:, 5], masks[:, 5] = _DIGITS[low * 10], _KEEP[np.maximum(kept - 4, 0)]
    out = words.view(np.uint8).reshape(-1, _WIDTH)
    keep = masks.view(np.uint8).reshape(-1, _WIDTH).view(bool)
    if not grid.all():
        texts = list(map(float.__repr__, floats[~grid].tolist()))
        out[~grid] = np.array(texts, dtype=f"S{_WIDTH}").view(np.uint8).reshape(-1, _WIDTH)
        keep[~grid] = np.arange(_WIDTH) < np.array([len(t) for t in texts])[:, None]
    return out, keep


def _strings(out: np.ndarray, keep: np.ndarray) -> pa.Array:
    """The string array whose items are the kept bytes of each row of the matrix ``out``."""
    lengths = keep.sum(axis=1)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(out[keep].tobytes()))


def reprs(values: np.ndarray | list[float]) -> pa.Array:
    """``repr`` of each float (:func:`float_bytes`)."""
    return _strings(*float_bytes(values))


