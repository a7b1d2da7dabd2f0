"""A Table Schema compiled into column tests: the rows ``frictionless`` MAY reject, for :mod:`.validation`.

Every key of the schema is translated into pyarrow / pandas tests on the CSV's text columns (as written:
neutralised, before quoting), each a sound over-approximation of frictionless 5 (``fields/*.py``,
``schema/field.py``, the row stream's ``unique``): a row it passes, frictionless passes. A key it does not know
raises :class:`Unsupported` (frictionless then judges every row), never a silent pass.
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "CompiledTable",
    "Encoded",
    "Mask",
    "Numbers",
    "Unsupported",
    "as_mask",
    "compile_table_schema",
    "parse_risks",
]

Mask = np.ndarray  # of bool, one per row: True where the row MAY fail
#: a column dictionary-encoded: (codes, values), row i's text being ``values[codes[i]]``
Encoded = tuple[np.ndarray, pa.Array]
#: the doubles a column's texts (its ``values``) were written from, one per text: ``(numbers, whole_as_int)``. A
#: finite number's text is its shortest round-trip text (``repr``), or with ``whole_as_int`` the integer's digits
#: when it is whole (:func:`.product_text.float_csv_texts` of a number field); a NaN's text is "" (a column
#: holding an infinity, whose text is ``inf``, has none). Its tests then read these numbers instead of the text.
Numbers = tuple[np.ndarray, bool]


class Unsupported(Exception):
    """The schema uses something the compiler does not translate: the official validator checks every row."""


#: keys of a Table Schema or of its fields that say nothing about the values (documentation, provenance)
_TABLE_METADATA = {
    "$schema", "name", "title", "description", "countryCode", "homepage", "path", "resources", "sources",
    "created", "lastModified", "version", "contributors", "keywords", "licenses", "example", "examples",
    "rdfType", "profile", "image", "fieldsMatch",
}  # fmt: skip
_DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
_DEFAULT_FALSE = ["false", "False", "FALSE", "0"]
_INTEGER = r"^[+-]?[0-9]+$"
_MAX_DIGITS = 4000  # int() refuses more than 4 300 digits: longer texts go to frictionless
_NUMBER = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_DATE = r"^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}$"  # no year 0 (strptime)
_PARSE_RISK = "[\x00\r\n]"  # characters a CSV round trip may not give back as they were: the row is flagged


def compile_table_schema(descriptor: dict[str, Any], header: list[str]) -> CompiledTable:
    """Column tests equivalent to ``frictionless`` on a table whose columns are ``header`` (neutralised text).

    :raises Unsupported: a key of the schema or of a field that has no translation here (``primaryKey``,
        ``missingValues``, a string ``format``, a ``datetime`` field...), or a header other than the fields.
    """
    for key in descriptor:
        if key not in _TABLE_METADATA and key != "fields":
            raise Unsupported(f"Table Schema key {key!r}")
    fields = descriptor.get("fields", [])
    if [f.get("name") for f in fields] != header:
        raise Unsupported("the header is not the schema's fields in order")
    tests = [_field_test(f) for f in fields]
    return CompiledTable([t for t, _, _ in tests], [u for _, u, _ in tests], [m for _, _, m in tests])


class CompiledTable:
    """The compiled tests of a table. Called with its columns (neutralised text), the rows that MAY fail.

    :meth:`rows` and :meth:`repeated` take the columns dictionary-encoded (``Encoded``: row ``i``'s text is
    ``values[codes[i]]``): each distinct text is tested once (columns repeat a few values), and the verdicts on the
    rows alone (:meth:`rows`: a row keeps them whatever the other rows) are apart from the one cross-row rule,
    ``unique`` (:meth:`repeated`), so that a table with rows left out is judged again only where that can change.
    """

    def __init__(
        self,
        tests: list[Callable[[pa.Array, Mask], Mask]],
        unique: list[bool],
        numeric: list[Callable[[pa.Array, Mask, Numbers], Mask] | None] | None = None,
    ) -> None:
        self.tests, self.unique = tests, unique
        self.numeric = numeric or [None] * len(tests)

    def __call__(self, columns: list[pa.Array]) -> Mask:
        encoded = [(np.arange(len(c)), c) for c in columns]
        return self.rows(encoded) | self.repeated(encoded)

    def rows(
        self, columns: list[Encoded], numbers: list[Numbers | None] | None = None, risky: list[Mask] | None = None
    ) -> Mask:
        """True where a row may break a rule judged on the row alone (type, format, constraint, blank row).

        :param numbers: the doubles each column's texts were written from, where known (:data:`Numbers`): a
            number field's test reads them (the same verdicts as on their texts, without parsing them again).
        :param risky: each column's texts holding a character a CSV round trip may not give back
            (:func:`parse_risks`), when found already."""
        n = len(columns[0][0]) if columns else 0
        flagged = np.zeros(n, dtype=bool)
        blank = np.ones(n, dtype=bool)
        numbers = numbers or [None] * len(columns)
        risky = risky or parse_risks(columns, numbers)
        for (codes, values), test, numeric, known, risk in zip(
            columns, self.tests, self.numeric, numbers, risky, strict=True
        ):
            empty = as_mask(pc.equal(values, ""))
            bad = numeric(values, empty, known) if numeric is not None and known is not None else test(values, empty)
            blank &= empty[codes]
            flagged |= (bad | risk)[codes]
        return flagged | (blank & bool(columns))  # a blank row is a row error

    def repeated(self, columns: list[Encoded]) -> Mask:
        """True on every row of a value repeated in a ``unique`` field (the first one included: frictionless'
        note names the previous row); a missing value ("") is never a repeat."""
        n = len(columns[0][0]) if columns else 0
        out = np.zeros(n, dtype=bool)
        for (codes, values), unique in zip(columns, self.unique, strict=True):
            if not unique:
                continue
            same = pc.dictionary_encode(values)  # equal texts, one id (a dictionary may repeat a text)
            ids = same.indices.to_numpy(zero_copy_only=False)[codes]
            empty = as_mask(pc.equal(values, ""))[codes]
            out |= pd.Series(ids).duplicated(keep=False).to_numpy() & ~empty
        return out


def parse_risks(columns: list[Encoded], numbers: list[Numbers | None] | None = None) -> list[Mask]:
    """Each column's texts holding a character a CSV round trip may not give back (NUL, CR, LF): such a row is
    flagged. Texts written from numbers (``numbers``, :data:`Numbers`) hold none."""
    numbers = numbers or [None] * len(columns)
    return [
        np.zeros(len(values), dtype=bool)
        if known is not None
        else as_mask(pc.match_substring_regex(values, _PARSE_RISK))
        for (_, values), known in zip(columns, numbers, strict=True)
    ]


def as_mask(arr: pa.Array | pa.ChunkedArray) -> Mask:
    """Booleans as numpy, a null (a value a test could not judge) counting as True: the row is flagged."""
    return np.asarray(pc.fill_null(arr, True).to_numpy(zero_copy_only=False), dtype=bool)


def _field_test(
    field: dict[str, Any],
) -> tuple[Callable[[pa.Array, Mask], Mask], bool, Callable[[pa.Array, Mask, Numbers], Mask] | None]:
    """One field's test (True where a cell may break its type, format or a constraint), whether its values
    must be unique (judged across the rows: :meth:`CompiledTable.repeated`), and for a number field the same
    test reading the doubles the texts were written from (:data:`Numbers`)."""
    known = {"name", "type", "format", "constraints", "trueValues", "falseValues"}
    for key in field:
        if key not in known and key not in _TABLE_METADATA:
            raise Unsupported(f"field key {key!r}")
    kind = field.get("type", "any")
    fmt = field.get("format", "default")
    constraints = dict(field.get("constraints", {}))
    required = bool(constraints.pop("required", False))
    unique = bool(constraints.pop("unique", False))
    if fmt != "default":
        raise Unsupported(f"format {fmt!r}")
    value: Callable[[pa.Array], Mask]
    numeric: Callable[[pa.Array, Numbers], Mask] | None = None
    if kind == "string":
        value = _string_test(constraints)
    elif kind in ("integer", "number"):
        if unique:
            raise Unsupported("unique on a number (frictionless compares the numbers, not the text)")
        value, numeric = _number_test(kind, constraints)
    elif kind == "boolean":
        if unique or constraints:
            raise Unsupported(f"boolean constraints {sorted(constraints)}")
        allowed = pa.array(field.get("trueValues", _DEFAULT_TRUE) + field.get("falseValues", _DEFAULT_FALSE))

        def value(col: pa.Array) -> Mask:
            return ~as_mask(pc.is_in(col, value_set=allowed))

    elif kind == "date":
        if unique or constraints:
            raise Unsupported(f"date constraints {sorted(constraints)}")
        value = _date_test
    else:
        raise Unsupported(f"field type {kind!r}")

    def test(col: pa.Array, empty: Mask) -> Mask:
        out = value(col) & ~empty  # a missing value ("") is None: only ``required`` judges it
        return out | empty if required else out

    if numeric is None:
        return test, unique, None
    read = numeric

    def from_numbers(col: pa.Array, empty: Mask, numbers: Numbers) -> Mask:
        out = read(col, numbers) & ~empty
        return out | empty if required else out

    return test, unique, from_numbers


def _string_test(constraints: dict[str, Any]) -> Callable[[pa.Array], Mask]:
    tests: list[Callable[[pa.Array], Mask]] = []
    for name, arg in constraints.items():
        if name == "enum":
            if not all(isinstance(v, str) for v in arg):
                raise Unsupported("enum of non-strings on a string field")
            tests.append(partial(_not_in, pa.array(arg, type=pa.string())))
        elif name == "pattern":
            rx = re.compile(f"^{arg}$")  # as frictionless compiles it, applied with re.match
            tests.append(partial(_per_value, judge=rx.match, negate=True))
        elif name in ("minLength", "maxLength"):
            tests.append(partial(_length_out, pc.less if name == "minLength" else pc.greater, int(arg)))
        else:
            raise Unsupported(f"string constraint {name!r}")

    def test(col: pa.Array) -> Mask:
        out = np.zeros(len(col), dtype=bool)
        for t in tests:
            out |= t(col)
        return out

    return test


def _not_in(allowed: pa.Array, col: pa.Array) -> Mask:
    return ~as_mask(pc.is_in(col, value_set=allowed))


def _length_out(compare: Callable[..., Any], k: int, col: pa.Array) -> Mask:
    return as_mask(compare(pc.utf8_length(col), k))


def _per_value(col: pa.Array, judge: Callable[[str], Any], negate: bool = False) -> Mask:
    """``judge`` (true where a value fails, or passes with ``negate``) applied once per distinct value (columns
    repeat a few values), spread back to the rows."""
    encoded = pc.dictionary_encode(col)
    verdicts = np.array([bool(judge(v)) != negate for v in encoded.dictionary.to_pylist()], dtype=bool)
    return verdicts[encoded.indices.to_numpy(zero_copy_only=False)] if len(verdicts) else np.zeros(len(col), bool)


def _number_test(
    kind: str, constraints: dict[str, Any]
) -> tuple[Callable[[pa.Array], Mask], Callable[[pa.Array, Numbers], Mask]]:
    syntax = _INTEGER if kind == "integer" else _NUMBER
    bounds: list[tuple[str, float]] = []
    enum: pa.Array | None = None
    for name, arg in constraints.items():
        if name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(arg, bool) or not isinstance(arg, (int, float)) or arg != int(arg) or abs(arg) > 2**52:
                raise Unsupported(f"{name} {arg!r} (only whole numbers are compared exactly here)")
            bounds.append((name, float(arg)))
        elif name == "enum":
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in arg):
                raise Unsupported("enum of non-integers on a number field")
            # texts that read as exactly these numbers (any other spelling goes to frictionless)
            texts = [str(v) for v in arg] + ([f"{v}.0" for v in arg] if kind == "number" else [])
            enum = pa.array(texts, type=pa.string())
        else:
            raise Unsupported(f"{kind} constraint {name!r}")

    def test(col: pa.Array) -> Mask:
        bad = ~as_mask(pc.match_substring_regex(col, syntax)) | as_mask(pc.greater(pc.utf8_length(col), _MAX_DIGITS))
        if enum is not None:
            bad |= ~as_mask(pc.is_in(col, value_set=enum))
        if bounds:
            values = np.full(len(col), np.nan)
            ok = ~bad
            if ok.any():
                values[ok] = _numbers(col.filter(pa.array(ok)))
            with np.errstate(invalid="ignore"):
                for name, b in bounds:
                    # strict comparisons of the nearest double: sound for a whole-number bound (rounding to
                    # nearest never crosses a representable number), values equal to the bound go to frictionless
                    bad |= ~(values > b) if name in ("minimum", "exclusiveMinimum") else ~(values < b)
        return bad

    def from_numbers(col: pa.Array, known: Numbers) -> Mask:
        """:func:`test` of texts written from the doubles ``known`` (:data:`Numbers`): the text of a finite one
        has the number syntax (a ``repr``, or the integer's digits), and for an integer field it has the integer
        syntax exactly when it is the digits of a whole number; it reads back as that very double, which the
        bounds compare (a NaN's text "" is judged as the empty text it is)."""
        numbers, whole_as_int = known
        finite = np.isfinite(numbers)
        bad = ~finite  # "": not a number (the caller clears the empty texts)
        if kind == "integer":  # a repr (not whole_as_int) is never integer syntax: "150.0", "1e+16"
            with np.errstate(invalid="ignore"):
                bad |= ~(numbers == np.floor(numbers)) if whole_as_int else np.ones(len(numbers), dtype=bool)
        if enum is not None:
            bad |= ~as_mask(pc.is_in(col, value_set=enum))
        if bounds:
            values = np.where(bad, np.nan, numbers)
            with np.errstate(invalid="ignore"):
                for name, b in bounds:
                    bad |= ~(values > b) if name in ("minimum", "exclusiveMinimum") else ~(values < b)
        return bad

    return test, from_numbers


def _numbers(texts: pa.Array) -> np.ndarray:
    """The doubles of texts of the number syntax, read by Arrow (correctly rounded, as Python's ``float``: a text
    above a whole-number bound never reads below it); ``pandas.to_numeric`` if Arrow refuses one (it read them a
    value at a time in Python, ten times slower)."""
    try:
        return np.asarray(pc.cast(texts, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return np.asarray(pd.to_numeric(texts.to_numpy(zero_copy_only=False), errors="coerce"), dtype=float)


#: days of each month (index 1..12) in a common year
_MONTH_DAYS = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _date_test(col: pa.Array) -> Mask:
    """True where ``datetime.strptime(text, "%Y-%m-%d")`` (frictionless' default date format) may fail: the text
    is not ``YYYY-MM-DD`` (no year 0) or not a day of the calendar (month 1-12, day 1 to the month's last, 29
    February of leap years only), read from its digits (it was ``pandas.to_datetime``, which also refused years
    outside 1677-2262)."""
    bad = ~as_mask(pc.match_substring_regex(col, _DATE))
    ok = np.flatnonzero(~bad)
    if len(ok):
        texts = col.take(pa.array(ok))  # each 10 ASCII bytes (the pattern's)
        if isinstance(texts, pa.ChunkedArray):
            texts = texts.combine_chunks()
        texts = texts.cast(pa.string())  # (32-bit offsets)
        offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)[texts.offset : texts.offset + len(texts) + 1]
        data = np.frombuffer(texts.buffers()[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
        digits = data.reshape(len(ok), 10).astype(np.int64) - ord("0")
        year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
        month, day = digits[:, 5] * 10 + digits[:, 6], digits[:, 8] * 10 + digits[:, 9]
        leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
        last = _MONTH_DAYS[np.clip(month, 0, 12)] + (leap & (month == 2))
        bad[ok] = (month < 1) | (month > 12) | (day < 1) | (day > last)
    return bad
