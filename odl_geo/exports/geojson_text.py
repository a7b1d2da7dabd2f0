"""Point layers to RFC 7946 GeoJSON written a batch at a time as text, byte for byte what GDAL's driver writes.

GDAL's GeoJSON writer, fed from Arrow, turns every row into an OGR feature and then into a json-c object tree
before printing it: for a point layer that is about two thirds of a conversion's CPU, more than GDAL's own
``ogr2ogr`` needs for the whole job (issue 16). Points are the common case and their text is regular, so odl-geo
prints their features itself with Arrow's string kernels and numpy, in the format GDAL's driver uses:

- coordinates: ``%.{p}f`` correctly rounded, then GDAL's ``OGRFormatDouble`` rules (a number of more than ten
  characters whose decimals end in ``00000x`` drops the ``x``, one ending in ``99999x`` is rounded up at the
  first decimal) and its trailing zeros trimmed to one (``3.0``);
- real properties: GDAL's ``%.17g`` with its retries at 16, 15 and 14 digits when the decimals hold ``000000`` or
  ``999999`` (``0.1 + 0.2`` is written ``0.3``), ``.0`` added to integers; a short decimal (at most nine digits:
  a measure, a coordinate column) is Arrow's shortest text, which is that text (:func:`_shortest_texts`);
- text: json-c's escapes (``\\"``, ``\\\\``, ``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f``; ``/`` and non-ASCII
  as they are); integers, booleans, dates (``YYYY-MM-DD``) and nulls as GDAL writes them.

Anything else stays GDAL's: a layer with other field types (times, lists, float32...) or another geometry type is
written by GDAL's driver as before, and so is any batch holding a value this module does not print the way GDAL
does (a control character, a text that looks like JSON, a NaN, a coordinate outside lon/lat) -- that batch's
features are printed by GDAL's driver into a scratch file and copied in, so the file stays GDAL's, byte for byte.
Each layer also checks itself: its first rows printed here are printed by GDAL's driver too, and any difference
hands the rest of the layer to GDAL's driver. ``tests/unit/test_geojson_text.py`` compares both writers on
generated and bundled data.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
from pyogrio.errors import DataSourceError, FieldError, GeometryError

from ..crs import crs_code
from ..errors import OutputError
from ..memory import release_free_memory
from ..normalise.gdal_thread import GdalWarnings, own_code
from ..normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from .base import OutputFile, WriteContext
from .ogr import wgs84_bbox, write_stream, write_warning

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from numpy.typing import NDArray

__all__ = ["format_coordinates", "format_reals", "json_texts", "point_xy", "write_points"]

#: coordinate precisions printed here (``--precision``); GDAL cleans 9 decimals and more by rules not reproduced
PRECISIONS = range(1, 9)
#: rows printed both ways (GDAL's driver and this module) before a layer is written
SELF_CHECK_ROWS = 512
#: rows printed at a time: their text and its pieces are a few MB (16,384 rows of an 18-field PEI layer: +21 MB peak)
RENDER_ROWS = 4_096
_HEAD_END = b'"features": [\n'
_FOOT = b"\n]\n}\n"


# -- numbers ---------------------------------------------------------------------------------------------
def _two_product(a: NDArray[np.float64], b: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``a * b`` as ``hi + lo`` exactly (Dekker's product; numpy has no fused multiply-add)."""
    split = 134217729.0  # 2**27 + 1
    hi = a * b
    t = split * a
    ah = t - (t - a)
    al = a - ah
    tb = split * b
    bh = tb - (tb - b)
    bl = b - bh
    lo = ((ah * bh - hi) + ah * bl + al * bh) + al * bl
    return hi, lo


def _scaled_round(a: NDArray[np.float64], precision: int) -> NDArray[np.int64]:
    """``round(a * 10**precision)`` on the exact product, ties to even: the digits ``%.{p}f`` prints."""
    hi, lo = _two_product(a, 10.0**precision)
    n = np.rint(hi)
    d = hi - n  # exact: hi and n are close and |hi| < 2**52
    half = np.abs(d) == 0.5
    if half.any():  # exactly halfway in hi: the error term decides, a true tie stays on the even integer
        away = half & (lo != 0) & (np.sign(lo) == np.sign(d))
        n = np.where(away, n + 2 * d, n)
    return n.astype(np.int64)


def format_coordinates(values: NDArray[np.float64], precision: int = 7) -> pa.StringArray:
    """Coordinates as GDAL's GeoJSON driver prints them with ``COORDINATE_PRECISION=precision``.

    Only finite values of magnitude at most 180 and precisions 1 to 8 (:data:`PRECISIONS`): the caller checks.
    """
    neg = np.signbit(values)
    scale = 10**precision
    q = _scaled_round(np.abs(values), precision)
    whole = q // scale
    # OGRFormatDouble's clean-up, for texts longer than ten characters: with more than five decimals, the
    # decimals before the last one all 0 -> the last one is dropped; all 9 -> rounded up at the first decimal
    if precision >= 6:
        # characters of "%.{p}f": the sign, the units (at most 180: three digits), the point, the decimals
        long = neg.astype(np.int64) + 1 + (whole >= 10) + (whole >= 100) + 1 + precision > 10
        window = (q // 10) % 100_000
        zeros = long & (window == 0)
        nines = long & (window == 99_999)
        q = np.where(zeros, q - q % 10, q)
        # rounded up after cutting the last six characters: at 10**6 units of the last decimal
        q = np.where(nines, (q // 1_000_000 + 1) * 1_000_000, q)
        whole = q // scale
    frac = q - whole * scale
    text_whole = pc.cast(pa.array(whole), pa.string())
    text_frac = pc.utf8_rtrim(pc.utf8_lpad(pc.cast(pa.array(frac), pa.string()), precision, "0"), "0")
    text_frac = pc.if_else(pc.equal(pc.utf8_length(text_frac), 0), "0", text_frac)
    sign = pc.if_else(pa.array(neg), "-", "")
    return pc.binary_join_element_wise(sign, text_whole, ".", text_frac, "")


def _gdal_real(v: float) -> str:
    """One finite double as GDAL prints a real property (``OGR_json_double_with_significant_figures_to_string``
    without SIGNIFICANT_FIGURES); Python's ``g`` format is correctly rounded like the C library's ``%g``."""
    s = format(v, ".17g")
    dot = s.find(".")
    if dot >= 0 and ("999999" in s[dot:] or "000000" in s[dot:]):
        for fewer in (16, 15, 14):
            s = format(v, f".{fewer}g")
            dot = s.find(".")
            if dot >= 0 and "999999" not in s[dot:] and "000000" not in s[dot:]:
                break
        else:
            s = format(v, ".17g")
    if "." not in s and "e" not in s:
        s += ".0"
    return s


def format_reals(values: NDArray[np.float64]) -> pa.StringArray:
    """Finite doubles as GDAL writes real properties.

    Short decimals (a measure, a coordinate rounded to 7 decimals: at most nine digits) are Arrow's shortest
    texts (:func:`_shortest_texts`); the others are printed by :func:`_distinct_reals`.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    if values.size > _SHORT_SAMPLE and not _shortest_texts(values[:_SHORT_SAMPLE])[1].any():
        return _distinct_reals(values)  # full doubles (a computed measure): Arrow's texts would be thrown away
    texts, short = _shortest_texts(values)
    if short.all():
        return texts
    if not short.any():
        return _distinct_reals(values)
    rest = np.flatnonzero(~short)
    where = np.empty(values.size, dtype=np.int64)
    where[short] = np.arange(values.size - rest.size)
    where[rest] = values.size - rest.size + np.arange(rest.size)
    return pa.concat_arrays([texts.filter(pa.array(short)), _distinct_reals(values[rest])]).take(pa.array(where))


#: values tried first: when none is a short decimal, the column's batch is printed by :func:`_distinct_reals`
_SHORT_SAMPLE = 64


def _shortest_texts(values: NDArray[np.float64]) -> tuple[pa.StringArray, NDArray[np.bool_]]:
    """Arrow's shortest round-trip texts of ``values`` (``.0`` added to integers), and the rows where that text
    is GDAL's: fixed notation, magnitude at least 1e-4, at most nine digits, integers or no run of six 0 or 9.

    Why those are GDAL's texts: let ``S`` be such a text (k <= 9 significant digits) and ``x`` the double, ``x``
    within half an ulp of ``S``: ``|x - S| < 1.12e-16 * 10**(E+1)`` with ``E`` the decimal exponent of ``x``,
    that is less than 11.2 units of the 17th significant digit, 1.12 of the 16th, 0.112 of the 15th. So
    ``%.15g`` prints ``S``. ``%.17g`` prints ``S`` when ``x == S``; otherwise (``S`` has a point: a double below
    2**53 that is not an integer has no integer for shortest text) ``S`` plus or minus at most 11 units of the
    17th digit, whose digits k+1 to 15 (at least six, after the point) are all 0 or all 9: a run, GDAL retries
    at 16 digits, which prints ``S`` or ``S`` with at least six 0 or 9 before a last digit 1 or 9 (a run
    again), then at 15 digits: ``S``. An integer is exact and ``%.17g`` prints it without a point: GDAL adds
    ``.0``. ``tests/unit/test_geojson_text.py`` compares these texts with Python's ``%g`` and GDAL's driver.
    """
    n = values.size
    text = pc.cast(pa.array(values), pa.string())
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[: n + 1]
    whole = np.floor(values) == values
    # characters other than the sign and the point: the digits, leading zeros of "0.0001234" included
    digits = np.diff(offsets) - np.signbit(values) - ~whole
    short = (np.abs(values) >= 1e-4) & (digits <= 9)
    if short.any():
        exponent = np.asarray(pc.match_substring(text, "e"))  # Arrow's "1e+14", "2.5e-7"
        run = np.asarray(pc.or_(pc.match_substring(text, "000000"), pc.match_substring(text, "999999")))
        short &= ~exponent & (whole | ~run)  # an integer's zeros are no decimals: GDAL writes "100000000.0"
    if whole.any():
        text = pc.binary_join_element_wise(text, pc.if_else(pa.array(whole), ".0", ""), "")
    return text, short


def _distinct_reals(values: NDArray[np.float64]) -> pa.StringArray:
    """Finite doubles as GDAL writes real properties; each distinct value is printed once.

    Values of magnitude 1e-4 to 1e13 (the usual ones) are printed by :func:`_reals_vectorised`, the others
    (zeros, tiny and huge values) one by one by :func:`_gdal_real`.
    """
    # distinct bit patterns, not values: -0.0 is written "-0.0" and 0.0 "0.0"
    bits, inverse = np.unique(np.ascontiguousarray(values, dtype=np.float64).view(np.int64), return_inverse=True)
    uniq = bits.view(np.float64)
    fast, done = _reals_vectorised(uniq)
    if done.all():
        return fast.take(pa.array(inverse.ravel()))
    slow = pa.array([_gdal_real(float(v)) for v in uniq[~done].tolist()], type=pa.string())
    where = np.empty(uniq.size, dtype=np.int64)
    where[done] = np.arange(len(fast))
    where[~done] = len(fast) + np.arange(len(slow))
    return pa.concat_arrays([fast, slow]).take(pa.array(where[inverse.ravel()]))


def format_reals_one_by_one(values: NDArray[np.float64]) -> pa.StringArray:
    """:func:`format_reals` printing every distinct value with :func:`_gdal_real` (the reference, for tests)."""
    bits, inverse = np.unique(np.ascontiguousarray(values, dtype=np.float64).view(np.int64), return_inverse=True)
    uniq = bits.view(np.float64)
    texts = pa.array([_gdal_real(float(v)) for v in uniq.tolist()], type=pa.string())
    return texts.take(pa.array(inverse.ravel()))


# -- real numbers, vectorised -----------------------------------------------------------------------------
#: powers of ten exactly representable as doubles (5**22 < 2**53)
_POW10 = np.array([10.0**i for i in range(23)])
_POW10_INT = np.array([10**i for i in range(18)], dtype=np.int64)


def _round17(
    a: NDArray[np.float64], s: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int8], NDArray[np.bool_], NDArray[np.bool_]]:
    """``round(a * 10**s)`` on the exact product, ties to even, the sign of what rounding dropped, and whether the
    exact product is below 10**16 or at least 10**17 (then ``s`` was not the right scale).

    ``a * 10**s`` is ``hi + lo`` exactly (:func:`_two_product`, 10**s exact for s <= 22). For ``hi`` of 2**52
    and more, ``hi`` is an integer and ``lo`` (at most half an ulp of hi) holds the rest; below, ``lo`` is under a
    quarter and only matters when ``hi`` sits exactly halfway between two integers.
    """
    hi, lo = _two_product(a, _POW10[s])  # type: ignore[arg-type]
    nf = np.rint(hi)
    d = hi - nf  # exact (Sterbenz): hi >= 1 here
    k = np.rint(lo)  # an integer part of lo only when hi is an integer (d == 0)
    lo2 = lo - k  # exact, |lo2| <= 0.5
    n = nf.astype(np.int64) + k.astype(np.int64)
    sign = np.sign(d + lo2).astype(np.int8)  # exact sign of the exact residual when |d| < 0.5 or d == 0
    # a tie in lo (hi an integer, lo2 = +-0.5): to even
    tie = (d == 0) & (np.abs(lo2) == 0.5)
    if tie.any():
        odd = tie & (n % 2 == 1)
        step = np.sign(lo2).astype(np.int64)
        n = np.where(odd, n + step, n)
        sign = np.where(odd, -sign, sign).astype(np.int8)
    # hi exactly halfway (rint went to even): lo on the same side moves it to the other integer
    half = np.abs(d) == 0.5
    if half.any():
        sd = np.sign(d)
        away = half & (lo2 != 0) & (np.sign(lo2) == sd)
        n = np.where(away, n + sd.astype(np.int64), n)
        sign = np.where(half, np.where(away, -sd, sd), sign).astype(np.int8)
    low = (hi < 1e16) | ((hi == 1e16) & (lo < 0))
    high = (hi > 1e17) | ((hi == 1e17) & (lo >= 0))
    return n, sign, low, high


def _digits17(
    a: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int8], NDArray[np.bool_]]:
    """The 17 significant digits ``%.17g`` prints of each positive ``a`` (as an integer of 10**16 to 10**17),
    its decimal exponent, the sign of what was rounded off, and the rows computed (others: printed by Python)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log10(a)).astype(np.int64)
    n = np.zeros(a.size, dtype=np.int64)
    sign = np.zeros(a.size, dtype=np.int8)
    todo = np.ones(a.size, dtype=bool)
    done = np.zeros(a.size, dtype=bool)
    for _ in range(3):  # log10's estimate can be one off next to a power of ten, and rounding can carry
        s = 16 - e
        todo &= (s >= 0) & (s <= 22)
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        ni, si, low, high = _round17(a[idx], s[idx])
        ok = ~(low | high)
        # rounded up to 10**17 from below: one digit fewer at the next exponent, what was dropped is negative
        carry = ok & (ni == _POW10_INT[17])
        ni, si = np.where(carry, _POW10_INT[16], ni), np.where(carry, -1, si).astype(np.int8)
        e[idx[carry]] += 1
        n[idx[ok]], sign[idx[ok]] = ni[ok], si[ok]
        done[idx[ok]] = True
        e[idx[low]] -= 1
        e[idx[high]] += 1
        todo[idx[ok]] = False
    return n, e, sign, done


def _round_to(
    n17: NDArray[np.int64], e: NDArray[np.int64], sign: NDArray[np.int8], p: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The ``p`` significant digits (p < 17) of the value whose 17 are ``n17`` with ``sign`` of the rest: exact."""
    div = _POW10_INT[17 - p]
    q, rem = np.divmod(n17, div)
    halfway = div // 2
    up = (rem > halfway) | ((rem == halfway) & ((sign > 0) | ((sign == 0) & (q % 2 == 1))))
    q = q + up
    carry = q == _POW10_INT[p]
    return np.where(carry, _POW10_INT[p - 1], q), e + carry


_ZERO = ord("0")


def _g_digits(
    q: NDArray[np.int64], e: NDArray[np.int64], p: int
) -> tuple[NDArray[np.uint8], NDArray[np.int64], NDArray[np.int64]]:
    """``%.{p}g``'s digits of ``q * 10**(e - p + 1)`` (q of p digits, e from -4 to p - 1: the fixed form).

    Returns the digits as characters, a row each (values below 1 start with their ``-e`` zeros: ``0``, then
    ``0`` to ``000`` after the point), the number of digits before the point, and the number up to the last
    non-zero one.
    """
    rows = q.size
    text = pc.cast(pa.array(q), pa.string())  # p characters each: q has p digits
    digits = np.frombuffer(text.buffers()[2], dtype=np.uint8, count=rows * p).reshape(rows, p)
    last = ((digits != _ZERO) * np.arange(1, p + 1, dtype=np.uint8)).max(axis=1).astype(np.int64)
    shift = np.maximum(-e, 0)
    if shift.any():
        matrix = np.full((rows, p + 4), _ZERO, dtype=np.uint8)
        for s in np.unique(shift).tolist():
            at = shift == s
            matrix[at, s : s + p] = digits[at]
    else:
        matrix = digits
    return matrix, np.maximum(e, 0) + 1, last + shift


def _gdal_tests(
    matrix: NDArray[np.uint8], units: NDArray[np.int64], last: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """GDAL's tests of a ``%g`` text: (it has a point, a run of six 0 or six 9 follows the point).

    The runs are looked for along the rows laid end to end; a run across two rows starts too late in the first
    one to be inside its decimals, which end at its last non-zero digit.
    """
    rows, width = matrix.shape
    pointed = last > units
    start = np.arange(width)[None, :]
    inside = (start >= units[:, None]) & (start + 6 <= last[:, None])
    flat = matrix.ravel()
    run = np.zeros(rows * width, dtype=bool)
    for digit in (_ZERO, _ZERO + 9):
        one = flat == digit
        two = one[:-1] & one[1:]
        four = two[:-2] & two[2:]
        run[:-5] |= four[:-2] & two[4:]
    return pointed, (run.reshape(rows, width) & inside).any(axis=1)


def _g_texts(
    matrix: NDArray[np.uint8], units: NDArray[np.int64], last: NDArray[np.int64], neg: NDArray[np.bool_]
) -> pa.StringArray:
    """The texts of :func:`_g_digits`'s digits: sign, units, point, decimals (``0`` when none: GDAL's ``.0``)."""
    rows, width = matrix.shape
    # a text a row, as wide as the widest, blanks where a text has no character (the sign's place when
    # positive, after its last decimal), then the blanks trimmed
    before = np.full((rows, width + 1), _ZERO, dtype=np.uint8)
    before[:, :width] = matrix
    after = np.empty((rows, width + 1), dtype=np.uint8)
    after[:, 1:] = matrix
    col = np.arange(width + 1)[None, :]
    u = units[:, None]
    end = np.maximum(last, units + 1)[:, None]  # digits written ("12" is written "12.0": one decimal at least)
    out = np.empty((rows, width + 2), dtype=np.uint8)
    out[:, 0] = np.where(neg, ord("-"), ord(" "))
    out[:, 1:] = np.where(col < u, before, np.where(col == u, ord("."), np.where(col > end, ord(" "), after)))
    offsets = np.arange(0, rows * (width + 2) + 1, width + 2, dtype=np.int32)
    return pc.ascii_trim(pa.StringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(out)), " ")


def _reals_vectorised(values: NDArray[np.float64]) -> tuple[pa.StringArray, NDArray[np.bool_]]:
    """GDAL's texts (:func:`_gdal_real`) of the values of magnitude 1e-4 to 1e13, and the rows printed here
    (their texts, in order; the other rows are left to :func:`_gdal_real`)."""
    a = np.abs(values)
    usual = (a >= 1e-4) & (a < 1e13)
    n17, e17, sign, done = _digits17(np.where(usual, a, 1.0))
    # exponents -4 to 12: every retry's text has the fixed form (a carry makes 13 at most, below 14 digits)
    done &= usual & (e17 >= -4) & (e17 <= 12)
    if not done.all():
        n17, e17, sign = n17[done], e17[done], sign[done]
    neg = np.signbit(values[done])
    # %.17g, then GDAL's retries at 16, 15 and 14 digits for a text with a point and a run of 0 or 9 in its
    # decimals; a retry counts when its text has a point and no run; none counts: %.17g's text
    matrix, units, last = _g_digits(n17, e17, 17)
    pointed, run = _gdal_tests(matrix, units, last)
    undecided = pointed & run
    if not undecided.any():
        return _g_texts(matrix, units, last, neg), done
    settled = np.flatnonzero(~undecided)
    pieces = [_g_texts(matrix[settled], units[settled], last[settled], neg[settled])]
    order = [settled]
    rows = np.flatnonzero(undecided)
    for fewer in (16, 15, 14):
        q, e = _round_to(n17[rows], e17[rows], sign[rows], fewer)
        m_f, u_f, l_f = _g_digits(q, e, fewer)
        pointed, run = _gdal_tests(m_f, u_f, l_f)
        found = np.flatnonzero(pointed & ~run)
        pieces.append(_g_texts(m_f[found], u_f[found], l_f[found], neg[rows[found]]))
        order.append(rows[found])
        rows = rows[~(pointed & ~run)]
        if not rows.size:
            break
    if rows.size:  # no retry without a run: %.17g's text
        pieces.append(_g_texts(matrix[rows], units[rows], last[rows], neg[rows]))
        order.append(rows)
    where = np.empty(n17.size, dtype=np.int64)
    where[np.concatenate(order)] = np.arange(n17.size)
    return pa.concat_arrays(pieces).take(pa.array(where)), done


# -- text ------------------------------------------------------------------------------------------------
#: json-c's short escapes, backslash first so that the others' backslashes are not doubled
_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"), ("\b", "\\b"), ("\f", "\\f"))
#: what json-c writes as ``\\u00XX`` (or GDAL cuts, NUL): left to GDAL's driver
_OTHER_CONTROLS = r"[\x00-\x07\x0b\x0e-\x1f]"
#: texts GDAL tries to parse as JSON and writes as an object or array when they are
_LOOKS_JSON = r"^(\{.*\}|\[.*\])$"


def json_texts(arr: pa.Array) -> pa.StringArray | None:
    """Text values as quoted JSON strings (nulls stay null); None when one needs GDAL's own handling."""
    escaped = _escaped(arr)
    if escaped is None or len(escaped) == 0:
        return escaped
    quote = _repeat('"', len(escaped))
    return pc.binary_join_element_wise(quote, escaped, quote, "")


def _escaped(arr: pa.Array) -> pa.StringArray | None:
    """Text values with json-c's escapes, not quoted (nulls stay null); None when one needs GDAL's handling."""
    if pa.types.is_dictionary(arr.type) or pa.types.is_large_string(arr.type):
        arr = arr.cast(pa.string())
    if len(arr) == 0:
        return arr
    _, offsets_buf, data_buf = arr.buffers()[:3]
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[arr.offset : arr.offset + len(arr) + 1]
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]] if data_buf is not None else None
    if data is not None and data.size:
        # a byte scan first (null slots' bytes included: at worst the exact checks below run for nothing)
        special = bool(((data < 0x20) | (data == 0x22) | (data == 0x5C)).any())
        starts = offsets[:-1][np.diff(offsets) > 0] - offsets[0]
        first = data[starts]
        if ((first == 0x7B) | (first == 0x5B)).any() and pc.any(pc.match_substring_regex(arr, _LOOKS_JSON)).as_py():
            return None
        if special:
            if pc.any(pc.match_substring_regex(arr, _OTHER_CONTROLS)).as_py():
                return None
            for raw, escaped in _ESCAPES:
                arr = pc.replace_substring(arr, raw, escaped)
    return arr


def _repeat(text: str, n: int) -> pa.StringArray:
    """``text`` on each of ``n`` rows: Arrow joins arrays faster than it broadcasts a scalar."""
    return pa.repeat(pa.scalar(text, pa.string()), n)


def _json_key(name: str) -> str:
    for raw, escaped in _ESCAPES:
        name = name.replace(raw, escaped)
    return f'"{name}": '


def _piece(arr: pa.Array) -> tuple[str, pa.StringArray | None, str] | None:
    """One column's values as GDAL prints them, as ``(before, texts, after)``: the texts with what every row's
    text starts and ends with apart (quotes of a column without null; a column of nulls is ``("null", None,
    "")``), so that :func:`render_batch` joins them with the literal text around them, not a row at a time.
    None: GDAL's handling."""
    t = arr.type
    n = len(arr)
    if n and arr.null_count == n:
        return ("null", None, "") if _printable_type(t) else None
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
        escaped = _escaped(arr)
        if escaped is None:
            return None
        if not arr.null_count:
            return '"', escaped, '"'
        quote = _repeat('"', n)
        text = pc.binary_join_element_wise(quote, escaped, quote, "")
    elif pa.types.is_int32(t) or pa.types.is_int64(t) or pa.types.is_int16(t) or pa.types.is_int8(t):
        text = pc.cast(arr, pa.string())
    elif pa.types.is_float64(t):
        values = arr.to_numpy(zero_copy_only=False)  # nulls as NaN
        if not arr.null_count:
            if not np.isfinite(values).all():
                return None  # NaN or infinity: GDAL leaves the member out and warns
            return "", format_reals(values), ""
        valid = np.asarray(arr.is_valid())
        if not np.isfinite(values[valid]).all():
            return None
        # the values alone printed, then put back in their rows (the nulls' rows: null, taken from nowhere)
        text = format_reals(values[valid]).take(pa.array(np.cumsum(valid) - 1, mask=~valid))
    elif pa.types.is_boolean(t):
        text = pc.if_else(arr, "true", "false")
    elif pa.types.is_date32(t):
        days = arr.cast(pa.int32()).to_numpy(zero_copy_only=False)
        present = days[np.asarray(arr.is_valid())] if arr.null_count else days
        # years 1 to 9999 (Arrow and GDAL print them alike, four digits)
        if present.size and (present.min() < -719_162 or present.max() > 2_932_896):
            return None
        if not arr.null_count:
            return '"', pc.cast(arr, pa.string()), '"'
        quote = _repeat('"', n)
        text = pc.binary_join_element_wise(quote, pc.cast(arr, pa.string()), quote, "")
    else:
        return None
    return "", text.fill_null("null") if arr.null_count else text, ""


def supported_schema(schema: pa.Schema) -> bool:
    """Field types this module prints (others: GDAL's driver writes the layer)."""
    return all(_printable_type(f.type) for f in schema if f.name != GEOMETRY_COLUMN)


def _printable_type(t: pa.DataType) -> bool:
    if pa.types.is_dictionary(t):
        t = t.value_type
    return (
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_int8(t)
        or pa.types.is_int16(t)
        or pa.types.is_int32(t)
        or pa.types.is_int64(t)
        or pa.types.is_float64(t)
        or pa.types.is_boolean(t)
        or pa.types.is_date32(t)
    )


# -- geometry --------------------------------------------------------------------------------------------
def point_xy(wkb: pa.Array) -> tuple[NDArray[np.float64], NDArray[np.bool_]] | None:
    """(x, y) of each row (NaN where null) and the rows with a point, from little-endian 2D WKB points.

    None when a row holds anything else (3D, big-endian, another type): GDAL's driver prints that batch.
    """
    if isinstance(wkb, pa.ChunkedArray):
        wkb = wkb.combine_chunks()
    if not pa.types.is_binary(wkb.type):
        return None
    n = len(wkb)
    _, offsets_buf, data_buf = wkb.buffers()[:3]
    offsets = np.frombuffer(offsets_buf, dtype=np.int32)[wkb.offset : wkb.offset + n + 1]
    valid = np.asarray(wkb.is_valid()) if wkb.null_count else np.ones(n, dtype=bool)
    lengths = np.diff(offsets)
    if (lengths[valid] != 21).any() or (lengths[~valid] != 0).any():
        return None
    xy = np.full((n, 2), np.nan)
    nv = int(valid.sum())
    if nv:
        data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]].reshape(nv, 21)
        if not ((data[:, 0] == 1).all() and (data[:, 1:5].copy().view("<u4") == 1).all()):
            return None
        xy[valid] = data[:, 5:].copy().view("<f8")
    return xy, valid


# -- features --------------------------------------------------------------------------------------------
def render_batch(batch: pa.RecordBatch, precision: int) -> pa.StringArray | None:
    """Each row's feature text, preceded by ``",\\n"``; None when the batch needs GDAL's driver."""
    with own_code():
        where = point_xy(batch.column(GEOMETRY_COLUMN))
        if where is None:
            return None
        xy, valid = where
        shown = xy[valid]
        if shown.size and not (
            np.isfinite(shown).all() and (np.abs(shown[:, 0]) <= 180).all() and (np.abs(shown[:, 1]) <= 90).all()
        ):
            return None
        safe = np.where(valid[:, None], xy, 0.0)
        x = format_coordinates(safe[:, 0], precision)
        y = format_coordinates(safe[:, 1], precision)
        n = len(valid)
        point = pc.binary_join_element_wise(
            _repeat('{ "type": "Point", "coordinates": [ ', n), x, _repeat(", ", n), y, _repeat(" ] }", n), ""
        )
        geometry = pc.if_else(pa.array(valid), point, "null") if not valid.all() else point
        names = [name for name in batch.schema.names if name != GEOMETRY_COLUMN]
        # the literal text between values, one piece each (keys with their separators)
        literals = [',\n{ "type": "Feature", "properties": { ']
        values: list[pa.Array] = []
        for k, name in enumerate(names):
            piece = _piece(batch.column(name))
            if piece is None:
                return None
            before, text, after = piece
            literals[-1] += (", " if k else "") + _json_key(name) + before
            if text is not None:  # else a constant ("null"), part of the literal text
                values.append(text)
                literals.append(after)
        literals[-1] += ' }, "geometry": ' if names else '}, "geometry": '
        parts: list[pa.Array] = []
        for literal, text in zip(literals, [*values, geometry], strict=True):
            parts += [_repeat(literal, n), text]
        parts.append(_repeat(" }", n))
        return pc.binary_join_element_wise(*parts, "")


def _text_bytes(texts: pa.StringArray) -> memoryview:
    """The bytes of a string array's values, back to back, without a copy."""
    offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset : texts.offset + len(texts) + 1]
    return memoryview(texts.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


class _GdalText:
    """GDAL's driver printing batches into a scratch file, for the header and the batches printed its way."""

    def __init__(self, path: Path, stream: LayerStream, layer_name: str, options: dict[str, str]) -> None:
        self.path = path.with_name(f".odl-geo-{os.getpid()}-{path.name}.part")
        self.stream, self.layer_name, self.options = stream, layer_name, options
        crs = stream.options.target_crs or stream.layer.crs
        self.crs = crs_code(crs)
        self.messages: list[str] = []

    def features(self, batch: pa.RecordBatch) -> tuple[bytes, bytes]:
        """(header, features text starting with ``",\\n"``) of ``batch`` as GDAL's driver writes them."""
        with GdalWarnings(this_thread=True) as caught:
            pyogrio.write_arrow(
                batch,
                self.path,
                layer=self.layer_name,
                driver="GeoJSON",
                geometry_name=GEOMETRY_COLUMN,
                geometry_type=self.stream.output_geometry_type,
                crs=self.crs,
                layer_options=self.options,
            )
        self.messages += [m for m in caught.messages if m not in self.messages]
        try:
            text = self.path.read_bytes()
        finally:
            self.path.unlink(missing_ok=True)
        cut = text.index(_HEAD_END) + len(_HEAD_END)
        if not text.endswith(_FOOT):
            raise OutputError(
                f"GDAL's GeoJSON text of {self.layer_name} has an unexpected end.",
                "Report it.",
                message_fr=f"Le texte GeoJSON écrit par GDAL pour {self.layer_name} a une fin inattendue.",
                hint_fr="Signalez-le aux développeurs d'odl-geo.",
            )
        return text[:cut], b",\n" + text[cut : -len(_FOOT)]


def write_points(
    stream: LayerStream, path: Path, ctx: WriteContext, *, layer_name: str, layer_options: dict[str, str]
) -> OutputFile | None:
    """Write a point layer's stream as GeoJSON into ``path`` (see the module docstring); None when no row."""
    precision = int(layer_options.get("COORDINATE_PRECISION", "-1"))
    batches = stream.batches()
    first = next(batches, None)
    if first is None:
        return None
    if (
        precision not in PRECISIONS
        or stream.output_geometry_type != "Point"
        or layer_options.get("WRITE_BBOX")
        or not supported_schema(first.schema)
    ):
        return write_stream(
            stream, path, "GeoJSON", ctx, fmt="geojson", layer_name=layer_name, layer_options=layer_options,
            batches=_chain(first, batches),
        )  # fmt: skip
    gdal = _GdalText(path, stream, layer_name, layer_options)
    try:
        header, _ = gdal.features(first.slice(0, 1))
        with path.open("wb") as out:
            out.write(header)
            _write_batches(out, _chain(first, batches), gdal, precision)
            out.write(_FOOT)
    except (DataSourceError, FieldError, GeometryError, OSError) as exc:
        raise OutputError(
            f"Writing {path.name} (geojson) failed: {exc}",
            "Check free disk space and write permission on the output folder.",
            message_fr=f"L'écriture de {path.name} (geojson) a échoué : {exc}",
            hint_fr="Vérifiez l'espace disque libre et les droits d'écriture sur le dossier de sortie.",
        ) from exc
    for message in gdal.messages:
        ctx.report.add(write_warning("geojson", message, stream.layer.name))
    crs = stream.options.target_crs or stream.layer.crs
    return OutputFile(
        path=path.name,
        format="geojson",
        layer=layer_name,
        crs=crs_code(crs),
        feature_count=stream.stats.count,
        geometry_type=stream.output_geometry_type,
        bbox=stream.stats.bbox,
        bbox_wgs84=wgs84_bbox(stream.stats.bbox, crs),
    )


def _write_batches(out: BinaryIO, batches: Iterator[pa.RecordBatch], gdal: _GdalText, precision: int) -> None:
    """The features of every batch, printed here or, where this module cannot print them as GDAL does, by GDAL.

    The first rows printed here are also printed by GDAL and compared (:data:`SELF_CHECK_ROWS`): when they differ
    (another GDAL release printing otherwise), every later row is printed by GDAL, so the file stays GDAL's.
    """
    pool = pa.default_memory_pool()
    first_row, checked, trusted = True, False, True
    for batch in batches:
        for start in range(0, batch.num_rows, RENDER_ROWS):
            part = batch.slice(start, RENDER_ROWS)
            texts = render_batch(part, precision) if trusted else None
            if texts is not None and not checked:
                checked = True
                sample = texts.slice(0, SELF_CHECK_ROWS)
                if bytes(_text_bytes(sample)) != gdal.features(part.slice(0, len(sample)))[1]:
                    texts, trusted = None, False
            chunk: bytes | memoryview = gdal.features(part)[1] if texts is None else _text_bytes(texts)
            if first_row:  # the file's first feature follows the header directly
                chunk, first_row = chunk[2:], False
            out.write(chunk)
            del texts, chunk
        # the text's blocks back from Arrow's allocator (mimalloc keeps freed pages: +30 MB over 1M points)
        pool.release_unused()
    # and the heap's (numpy's temporaries) before the next format: a water theme run kept 18 MB more otherwise
    release_free_memory()


def _chain(first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    yield first
    yield from rest
