"""Fast product validation: a compiled equivalent of the schema on every row, the official validator as the judge.

``frictionless`` checks a CSV row in about 75 µs of Python and ``jsonschema`` a hiking feature in about 2 ms: on a
layer of 100 000 features validation cost more than the whole conversion. Conformance stays decided by those
official tools, run exactly as before (:mod:`.products`, section "official validators"), but not on every row:

1. the schema is *compiled* into column tests (numpy, pandas, pyarrow compute) that return the rows which MAY
   fail. Every keyword the schema uses is translated; a keyword the compiler does not know raises
   :class:`Unsupported` and the official validator then runs on every row (correct, slow), never a silent pass;
2. the official validator runs on the flagged rows plus a deterministic sample (the first :data:`PREFIX_ROWS` rows
   and :data:`SAMPLE_ROWS` more drawn with a fixed seed). Its findings are the report's, so the messages, counts
   and examples are the official ones. If it rejects a sampled row the compiled checker passed, the compiler is
   wrong: every row is then validated officially and a warning is logged;
3. layers of at most :data:`SMALL_LAYER` rows are validated officially on every row, as before.

Rows keep their positions: the CSV handed to ``frictionless`` has every row at its place, the rows left out
replaced by a one-cell line starting with :data:`SKIP` that the dialect declares a comment, so its row numbers
(and the row numbers inside its messages) are those of the whole table; the features handed to ``jsonschema`` are
a sub-collection whose indexes are mapped back.

Cross-row rules (Table Schema ``unique``, ``primaryKey``) are judged within the frame validated: every row of a
repeated value is flagged, so the official validator sees each group whole. The streaming pipeline validates one
chunk at a time (issue 16): across chunks, the DUPLICATE_ID check (bounded state over the whole layer) reports
repeated identifiers, not this module.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
import tempfile
from functools import partial
from itertools import chain, compress, repeat
from operator import contains, is_, itemgetter, methodcaller
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..csvsafe import neutralise_csv_cell, neutralise_csv_row
from . import products
from .product_sinks import PRECISION, csv_texts, geometry_mapping, json_value

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    import geopandas as gpd

    from .base import TargetField

__all__ = [
    "PREFIX_FEATURES",
    "PREFIX_ROWS",
    "SAMPLE_FEATURES",
    "SAMPLE_ROWS",
    "SMALL_LAYER",
    "Unsupported",
    "compile_feature_schema",
    "compile_table_schema",
    "validate_feature_collection",
    "validate_table_rows",
]

log = logging.getLogger("odl_geo.validation")

#: rows: at most this many, the official validator runs on every row (the bundled samples, a few hundred rows, go
#: through it unchanged). Below ``ThemeOptions.chunk_rows`` (20 000), or every chunk of a streamed run would.
SMALL_LAYER = 5_000
# per call (a chunk of 20 000 rows in a streamed run): the first rows, always validated officially (at least the
# 100 lines frictionless sniffs the CSV dialect from), and more rows drawn with SEED; about 5 % of a chunk
PREFIX_ROWS = 500
SAMPLE_ROWS = 500
SNIFF_LINES = 100  # frictionless guesses the CSV dialect from the first 100 lines: they stay real rows
# jsonschema takes about 0.7 ms a hiking feature (frictionless 75 µs a row): a smaller sample, same purpose
PREFIX_FEATURES = 50
SAMPLE_FEATURES = 100
SEED = 16
SKIP = "#odl-geo:skip#"  # first cell of the placeholder lines (declared comments) standing for rows left out

Errors = list[tuple[int | None, str, str, str]]
Mask = np.ndarray  # of bool, one per row: True where the row MAY fail


class Unsupported(Exception):
    """The schema uses something the compiler does not translate: the official validator checks every row."""


# -- which rows to give the official validator --------------------------------------------------------------


def _selection(n: int, flagged: Mask, prefix: int = PREFIX_ROWS, sample: int = SAMPLE_ROWS) -> np.ndarray:
    """Sorted indexes: the flagged rows, the first ``prefix`` rows and a seeded sample of ``sample`` others."""
    keep = flagged.copy()
    keep[:prefix] = True
    rest = np.flatnonzero(~keep)
    if len(rest):
        rng = np.random.default_rng(SEED)
        keep[rng.choice(rest, size=min(sample, len(rest)), replace=False)] = True
    return np.flatnonzero(keep)


def _compiler_missed(errors: Errors, flagged: Mask) -> list[int]:
    return sorted({f for f, *_ in errors if f is not None and 0 <= f < len(flagged) and not flagged[f]})


# -- Table Schema (frictionless) ----------------------------------------------------------------------------

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
# a CR is written unquoted (the writer ends lines with LF) and read back as a line break: the rows after it are
# numbered differently from the rows written, so the table goes to frictionless whole
_SPLITS_ROWS = "[\x00\r]"


def compile_table_schema(descriptor: dict[str, Any], header: list[str]) -> Callable[[list[pa.Array]], Mask]:
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

    def check(columns: list[pa.Array]) -> Mask:
        n = len(columns[0]) if columns else 0
        flagged = np.zeros(n, dtype=bool)
        blank = np.ones(n, dtype=bool)
        for column, test in zip(columns, tests, strict=True):
            empty = _np(pc.equal(column, ""))
            blank &= empty
            flagged |= _np(pc.match_substring_regex(column, _PARSE_RISK))
            flagged |= test(column, empty)
        return flagged | (blank & bool(columns))  # a blank row is a row error

    return check


def _np(arr: pa.Array | pa.ChunkedArray) -> Mask:
    """Booleans as numpy, a null (a value a test could not judge) counting as True: the row is flagged."""
    return np.asarray(pc.fill_null(arr, True).to_numpy(zero_copy_only=False), dtype=bool)


def _field_test(field: dict[str, Any]) -> Callable[[pa.Array, Mask], Mask]:
    """One field's test: True where a cell may break its type, format or a constraint."""
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
    if kind == "string":
        value = _string_test(constraints)
        if unique:
            value = _with_unique(value)
    elif kind in ("integer", "number"):
        if unique:
            raise Unsupported("unique on a number (frictionless compares the numbers, not the text)")
        value = _number_test(kind, constraints)
    elif kind == "boolean":
        if unique or constraints:
            raise Unsupported(f"boolean constraints {sorted(constraints)}")
        allowed = pa.array(field.get("trueValues", _DEFAULT_TRUE) + field.get("falseValues", _DEFAULT_FALSE))

        def value(col: pa.Array) -> Mask:
            return ~_np(pc.is_in(col, value_set=allowed))

    elif kind == "date":
        if unique or constraints:
            raise Unsupported(f"date constraints {sorted(constraints)}")
        value = _date_test
    else:
        raise Unsupported(f"field type {kind!r}")

    def test(col: pa.Array, empty: Mask) -> Mask:
        out = value(col) & ~empty  # a missing value ("") is None: only ``required`` judges it
        return out | empty if required else out

    return test


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
    return ~_np(pc.is_in(col, value_set=allowed))


def _length_out(compare: Callable[..., Any], k: int, col: pa.Array) -> Mask:
    return _np(compare(pc.utf8_length(col), k))


def _with_unique(value: Callable[[pa.Array], Mask]) -> Callable[[pa.Array], Mask]:
    """Every row of a repeated value flagged (first one included: frictionless' note names the previous row)."""

    def test(col: pa.Array) -> Mask:
        repeated = pd.Series(col.to_numpy(zero_copy_only=False)).duplicated(keep=False).to_numpy()
        return value(col) | repeated

    return test


def _per_value(col: pa.Array, judge: Callable[[str], Any], negate: bool = False) -> Mask:
    """``judge`` (true where a value fails, or passes with ``negate``) applied once per distinct value (columns
    repeat a few values), spread back to the rows."""
    encoded = pc.dictionary_encode(col)
    verdicts = np.array([bool(judge(v)) != negate for v in encoded.dictionary.to_pylist()], dtype=bool)
    return verdicts[encoded.indices.to_numpy(zero_copy_only=False)] if len(verdicts) else np.zeros(len(col), bool)


def _number_test(kind: str, constraints: dict[str, Any]) -> Callable[[pa.Array], Mask]:
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
        bad = ~_np(pc.match_substring_regex(col, syntax)) | _np(pc.greater(pc.utf8_length(col), _MAX_DIGITS))
        if enum is not None:
            bad |= ~_np(pc.is_in(col, value_set=enum))
        if bounds:
            values = np.full(len(col), np.nan)
            ok = ~bad
            if ok.any():
                values[ok] = pd.to_numeric(col.filter(pa.array(ok)).to_numpy(zero_copy_only=False), errors="coerce")
            with np.errstate(invalid="ignore"):
                for name, b in bounds:
                    # strict comparisons of the nearest double: sound for a whole-number bound (rounding to
                    # nearest never crosses a representable number), values equal to the bound go to frictionless
                    bad |= ~(values > b) if name in ("minimum", "exclusiveMinimum") else ~(values < b)
        return bad

    return test


def _date_test(col: pa.Array) -> Mask:
    bad = ~_np(pc.match_substring_regex(col, _DATE))
    ok = ~bad
    if ok.any():
        parsed = pd.to_datetime(col.filter(pa.array(ok)).to_numpy(zero_copy_only=False), format="%Y-%m-%d",
                                errors="coerce")  # fmt: skip
        sub = np.asarray(pd.isna(parsed))  # impossible dates, and years pandas cannot hold: to frictionless
        bad[np.flatnonzero(ok)[sub]] = True
    return bad


def _columns(rows: list[list[str]], width: int) -> tuple[list[pa.Array], Mask]:
    """The table's columns as Arrow strings, neutralised as the CSV writer writes them, and the rows whose shape
    alone (cells that are not text, a wrong number of cells) sends them to the official validator."""
    n = len(rows)
    odd = np.fromiter(map(len, rows), dtype=np.int64, count=n) != width
    if odd.any():
        rows = [r if len(r) == width else [""] * width for r in rows]
    columns = []
    for values in zip(*rows, strict=True) if n else [() for _ in range(width)]:
        try:
            arr = pa.array(values, type=pa.string())
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array([v if isinstance(v, str) else None for v in values], type=pa.string())
            odd |= _np(pc.is_null(arr))  # not text: the writer's str() decides, frictionless judges
            arr = pc.fill_null(arr, "")
        columns.append(_neutralised(arr))
    return columns, odd


_FIRST = pa.array(list("\t\r \n=+-@\uff1d\uff0b\uff0d\uff20"))


def _neutralised(arr: pa.Array) -> pa.Array:
    """The cells as :func:`odl_geo.csvsafe.neutralise_csv_row` writes them (only cells that may start a formula
    are passed to it: few)."""
    risky = _np(pc.is_in(pc.utf8_slice_codeunits(arr, 0, 1), value_set=_FIRST))
    if not risky.any():
        return arr
    values = arr.to_numpy(zero_copy_only=False).copy()
    idx = np.flatnonzero(risky)
    values[idx] = [neutralise_csv_cell(v) for v in values[idx]]
    return pa.array(values, type=pa.string())


def validate_table_rows(header: list[str], rows: Iterable[list[str]], descriptor: dict[str, Any]) -> Errors:
    """The findings of :func:`.products.validate_rows` (``frictionless`` on the CSV as written), computed with the
    compiled checker on every row and ``frictionless`` on the flagged rows and a sample (see the module's doc)."""
    rows = rows if isinstance(rows, list) else list(rows)
    if len(rows) <= SMALL_LAYER:
        return products.validate_rows(header, rows, descriptor)

    def rows_at(at: Any) -> list[list[str]]:
        return rows[at] if isinstance(at, slice) else [rows[i] for i in at]

    return _validate_table(header, len(rows), lambda: _columns(rows, len(header)), rows_at, descriptor)


def validate_table_frame(
    frame: pd.DataFrame,
    fields: list[TargetField],
    descriptor: dict[str, Any],
    extra: dict[str, np.ndarray] | None = None,
    true_false: tuple[str, str] = ("true", "false"),
) -> Errors:
    """:func:`validate_table_rows` of a CSV product made of ``fields`` then the ``extra`` columns (coordinates),
    its texts built a column at a time as the product's writer builds them (:func:`.product_sinks.csv_texts`,
    ``repr`` of the coordinates): no Python list per row but for the rows frictionless reads."""
    extra = extra or {}
    names = [f.name for f in fields]
    header = names + [n for n in extra if n not in names]
    raw = [_float_texts(extra[f.name]) if f.name in extra else _texts(frame[f.name], f.kind, true_false)
           for f in fields] + [_float_texts(v) for n, v in extra.items() if n not in names]  # fmt: skip

    def rows_at(at: Any) -> list[list[str]]:
        idx = pa.array(np.arange(len(frame))[at], type=pa.int64())
        return [list(r) for r in zip(*(c.take(idx).to_pylist() for c in raw), strict=True)] if raw else []

    if len(frame) <= SMALL_LAYER:
        return products.validate_rows(header, rows_at(slice(None)), descriptor)
    odd = np.zeros(len(frame), dtype=bool)
    return _validate_table(header, len(frame), lambda: ([_neutralised(c) for c in raw], odd), rows_at, descriptor)


def _texts(series: pd.Series, kind: str, true_false: tuple[str, str]) -> pa.Array:
    codes, texts = csv_texts(series, kind, true_false)
    return pa.array(texts, type=pa.string()).take(pa.array(codes))


def _float_texts(values: np.ndarray) -> pa.Array:
    """``repr(float(v))``, ``""`` for NaN: the coordinates' text in the CSV products."""
    return pa.array(["" if math.isnan(v) else repr(v) for v in np.asarray(values, dtype=float).tolist()])


def _validate_table(
    header: list[str],
    n: int,
    columns_of: Callable[[], tuple[list[pa.Array], Mask]],
    rows_at: Callable[[Any], Any],
    descriptor: dict[str, Any],
) -> Errors:
    """The fast path: ``columns_of()`` gives the neutralised columns and rows of odd shape, ``rows_at(indexes)``
    the rows (as written) frictionless reads."""

    def whole() -> Errors:
        return products.validate_rows(header, rows_at(slice(None)), descriptor)

    schema = {k: v for k, v in descriptor.items() if k != "$schema"}
    try:
        check = compile_table_schema(schema, header)
    except Unsupported as exc:
        log.info("frictionless on every row: %s", exc)
        return whole()
    columns, odd = columns_of()
    if any(pc.any(pc.match_substring_regex(c, _SPLITS_ROWS)).as_py() for c in columns) or (
        columns and pc.any(pc.starts_with(columns[0], SKIP)).as_py()  # would read as a placeholder
    ):
        log.info("frictionless on every row: a cell holds a carriage return, or begins as a placeholder line")
        return whole()
    flagged = check(columns) | odd
    encoding = _whole_table_encoding(header, n, rows_at)
    if encoding != "utf-8":  # the compiled checker tested the text as written, in UTF-8
        log.info("frictionless on every row: it would read the table as %s", encoding)
        return whole()
    keep = _selection(n, flagged, max(PREFIX_ROWS, SNIFF_LINES))
    errors, settled = _frictionless_on(header, n, keep, rows_at(keep), descriptor)
    missed = _compiler_missed(errors, flagged)
    if not settled or missed:
        if missed:
            log.warning(
                "The compiled Table Schema checker passed rows frictionless rejects (e.g. row %s): every row is "
                "validated by frictionless.",
                missed[0],
            )
        return whole()
    return errors


def _whole_table_encoding(header: list[str], n: int, rows_at: Callable[[Any], list[list[str]]]) -> str:
    """The encoding frictionless detects in the whole table's CSV: its own detector on the same first bytes (the
    file of the sampled rows begins otherwise, so the encoding found here is given to it)."""
    from frictionless import Detector

    detector = Detector()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(neutralise_csv_row(header))
    start, head = 0, b""
    while start < n and len(head) < detector.buffer_size:
        writer.writerows(neutralise_csv_row(r) for r in rows_at(slice(start, start + 500)))
        start += 500
        head = buf.getvalue().encode("utf-8")
    return str(detector.detect_encoding(head[: detector.buffer_size] or buf.getvalue().encode("utf-8")))


def _frictionless_on(
    header: list[str], n: int, keep: np.ndarray, kept_rows: list[list[str]], descriptor: dict[str, Any]
) -> tuple[Errors, bool]:
    """``frictionless`` on the kept rows, each at its own row number. ``settled`` is False when its reading of the
    file (encoding, CSV dialect, table-level errors) may differ from its reading of the whole table."""
    from frictionless import Dialect

    with tempfile.TemporaryDirectory(prefix="odl-geo-validate-") as tmp:
        path = Path(tmp) / "table.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(neutralise_csv_row(header))
            done = 0
            for i, row in zip(keep.tolist(), kept_rows, strict=True):
                fh.write((SKIP + "\n") * (i - done))  # the rows left out, as comment lines
                writer.writerow(neutralise_csv_row(row))
                done = i + 1
            fh.write((SKIP + "\n") * (n - done))
        dialect_ok = _plain_csv(path)
        errors, _ = products.table_errors(path, descriptor, Dialect(comment_char=SKIP), encoding="utf-8")
    settled = dialect_ok and all(f is not None for f, *_ in errors)
    return errors, settled


def _plain_csv(path: Path) -> bool:
    """True when frictionless' sniffing of the first 100 lines (as ``formats/csv/parser.py`` does it) gives the
    dialect the writer used, so that it reads the cells the compiled checker tested."""
    with path.open(encoding="utf-8", newline="") as fh:
        sample = [line for _, line in zip(range(100), fh, strict=False)]
    try:
        sniffed = csv.Sniffer().sniff("".join(sample), ",\t;|")
    except csv.Error:
        return True  # frictionless falls back to csv.excel: the writer's dialect
    quote = '"' if sniffed.quotechar == "'" else sniffed.quotechar
    return (
        sniffed.delimiter == "," and quote == '"' and not sniffed.skipinitialspace and sniffed.escapechar in (None, "")
    )  # frictionless takes neither doublequote nor lineterminator (for reading) from the sniffer


# -- JSON Schema (jsonschema), the features of a FeatureCollection -------------------------------------------

_MISSING = object()  # a property absent from its object
_MISSING_TYPE = type(_MISSING)
_JSON_KEYWORDS = {
    "$ref", "additionalItems", "additionalProperties", "allOf", "anyOf", "const", "contains", "dependencies",
    "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if", "items", "maxItems", "maxLength",
    "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf",
    "pattern", "patternProperties", "properties", "propertyNames", "required", "type", "uniqueItems",
    "then", "else",
}  # fmt: skip
_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "null": (type(None),),
    "boolean": (bool,),
    "number": (int, float),
    "integer": (int,),  # and floats that are whole (draft 4 onwards): tested on the values
    "array": (list,),
    "object": (dict,),
}


def compile_feature_schema(schema: dict[str, Any]) -> Callable[[list[Any]], Mask]:
    """A test of a FeatureCollection's features equivalent to ``jsonschema`` with the schema's draft and formats.

    The document's own keywords (``type``, ``required``, the collection's ``bbox``) are left to ``jsonschema``,
    which always sees the collection (with the features to judge); the features' schema (``properties.features.
    items``, ``$ref``s resolved) is compiled.

    :raises Unsupported: a keyword with no translation here (``oneOf``, ``const``, ``uniqueItems``...) where it
        applies to the features.
    """
    from jsonschema.validators import validator_for

    format_checker = validator_for(schema).FORMAT_CHECKER
    for key in schema:
        if key in _JSON_KEYWORDS and key not in ("type", "required", "properties", "additionalProperties"):
            raise Unsupported(f"document keyword {key!r}")
    features = schema.get("properties", {}).get("features")
    if not isinstance(features, dict) or not isinstance(features.get("items"), dict):
        raise Unsupported("no features.items schema")
    for key in features:
        if key in _JSON_KEYWORDS and key not in ("type", "items"):
            raise Unsupported(f"features keyword {key!r}")
    return _JsonCompiler(schema, format_checker).compile(features["items"])


class _JsonCompiler:
    """Compiles a JSON Schema node into ``test(values) -> Mask``; values absent from their object are
    :data:`_MISSING` and pass (``required`` is judged by the object holding them). The loops run in C (``map``
    over builtins): a Python loop per value would cost as much as a good part of jsonschema itself."""

    def __init__(self, root: dict[str, Any], format_checker: Any) -> None:
        self.root = root
        self.format_checker = format_checker

    def resolve(self, ref: str) -> dict[str, Any]:
        """A ``$ref`` of the schema: a JSON pointer (``#/definitions/x``) or the ``$id`` of a definition."""
        if ref.startswith("#/"):
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            return dict(node)
        for sub in self.root.get("definitions", {}).values():
            if isinstance(sub, dict) and sub.get("$id") == ref:
                return sub
        raise Unsupported(f"$ref {ref!r}")

    def compile(self, node: dict[str, Any], depth: int = 0) -> Callable[[list[Any]], Mask]:
        if depth > 20:
            raise Unsupported("schema nested too deep (recursive $ref)")
        if "$ref" in node:  # draft 7: the keywords beside a $ref are ignored
            return self.compile(self.resolve(node["$ref"]), depth + 1)
        handled = {"type", "enum", "format", "pattern", "minLength", "maxLength", "required", "properties",
                   "additionalProperties", "items", "minItems", "maxItems"}  # fmt: skip
        for key in node:
            if key in _JSON_KEYWORDS and key not in handled:
                raise Unsupported(f"keyword {key!r}")
        tests: list[Callable[[list[Any], list[type]], Mask]] = []
        if "type" in node:
            tests.append(_type_test(node["type"]))
        if "enum" in node:
            tests.append(_enum_test(node["enum"]))
        if "format" in node and self.format_checker is not None:
            tests.append(_format_test(node["format"], self.format_checker))
        if "pattern" in node:
            rx = re.compile(node["pattern"])
            tests.append(_str_test(partial(_no_search, rx)))  # jsonschema: re.search
        if "minLength" in node:
            tests.append(_str_test(partial(_shorter, node["minLength"])))
        if "maxLength" in node:
            tests.append(_str_test(partial(_longer, node["maxLength"])))
        if any(k in node for k in ("required", "properties", "additionalProperties")):
            tests.append(self._object_test(node, depth))
        if any(k in node for k in ("items", "minItems", "maxItems")):
            tests.append(self._array_test(node, depth))

        only_types = set(node) & _JSON_KEYWORDS == {"type"}
        allowed = _allowed_types(node["type"]) if only_types else set()

        def test(values: list[Any]) -> Mask:
            if only_types and allowed.issuperset(map(type, values)):
                return np.zeros(len(values), dtype=bool)  # a leaf whose values all have a right type: no list
            types = list(map(type, values))
            out = np.zeros(len(values), dtype=bool)
            for t in tests:
                out |= t(values, types)
            return out

        return test

    def _object_test(self, node: dict[str, Any], depth: int) -> Callable[[list[Any], list[type]], Mask]:
        required = list(node.get("required", []))
        props = {name: self.compile(sub, depth + 1) for name, sub in node.get("properties", {}).items()}
        extra = node.get("additionalProperties", True)
        if extra is not True and extra is not False:
            raise Unsupported("additionalProperties as a schema")
        allowed = frozenset(node.get("properties", {}))

        def test(values: list[Any], types: list[type]) -> Mask:
            n = len(values)
            if isinstance(values, _Objects):
                return columnar(values, n)
            is_dict = _is(types, dict)
            objects = values if is_dict.all() else [v if d else _EMPTY for v, d in zip(values, is_dict, strict=True)]
            out = np.zeros(n, dtype=bool)
            for name in required:
                out |= is_dict & ~np.fromiter(map(contains, objects, repeat(name)), bool, n)
            if extra is False:
                out |= is_dict & ~np.fromiter(map(allowed.issuperset, objects), bool, n)
            columns = _columns_of(objects, list(props))
            for name, sub in props.items():
                out |= sub(columns[name])
            return out

        def columnar(values: _Objects, n: int) -> Mask:
            """The same tests on objects given as columns (:data:`_MISSING` where a property is absent)."""
            out = np.zeros(n, dtype=bool)
            for name in required:
                column = values.columns.get(name)
                out |= True if column is None else np.fromiter(map(is_, column, repeat(_MISSING)), bool, n)
            if extra is False:
                for name in set(values.columns) - allowed:
                    out |= ~np.fromiter(map(is_, values.columns[name], repeat(_MISSING)), bool, n)
            for name, sub in props.items():
                column = values.columns.get(name)
                out |= sub(column if column is not None else [_MISSING] * n)
            return out

        return test

    def _array_test(self, node: dict[str, Any], depth: int) -> Callable[[list[Any], list[type]], Mask]:
        items = node.get("items")
        if items is not None and not isinstance(items, dict):
            raise Unsupported("items as a list of schemas")
        item_test = self.compile(items, depth + 1) if items is not None else None
        lo, hi = node.get("minItems"), node.get("maxItems")

        def test(values: list[Any], types: list[type]) -> Mask:
            n = len(values)
            is_list = _is(types, list)
            arrays = values if is_list.all() else [v if b else () for v, b in zip(values, is_list, strict=True)]
            lengths = np.fromiter(map(len, arrays), dtype=np.int64, count=n)
            out = np.zeros(n, dtype=bool)
            if lo is not None:
                out |= is_list & (lengths < lo)
            if hi is not None:
                out |= is_list & (lengths > hi)
            if item_test is not None and lengths.sum():
                owners = np.repeat(np.arange(n), lengths)
                out[owners[item_test(list(chain.from_iterable(arrays)))]] = True
            return out

        return test


_EMPTY: dict[str, Any] = {}


class _Objects(list):
    """``n`` JSON objects given by their properties' columns (``columns[name][i]``, :data:`_MISSING` where object i
    has no such property): what the object keywords read, without a dict per object. Its items are empty dicts,
    so that ``type: object`` sees objects."""

    def __init__(self, n: int, columns: dict[str, list[Any]]) -> None:
        super().__init__([_EMPTY] * n)
        self.columns = columns


def _no_search(rx: re.Pattern[str], text: str) -> bool:
    return rx.search(text) is None


def _shorter(k: int, text: str) -> bool:
    return len(text) < k


def _longer(k: int, text: str) -> bool:
    return len(text) > k


def _columns_of(objects: list[dict[str, Any]], names: list[str]) -> dict[str, list[Any]]:
    """Each named property's values over ``objects`` (:data:`_MISSING` where absent). Objects with the same keys in
    the same order (a product's features: at most a few such shapes) are transposed at once by ``zip``, which is
    ten times faster than a lookup per object and property."""
    n = len(objects)
    present = [name for name in names if n and name in objects[0]]
    absent = [name for name in names if name not in present]
    if present and not any(any(map(contains, objects, repeat(name))) for name in absent):
        try:  # every object has the first one's properties (the usual case): one C-level pass
            got = itemgetter(*present)
            tuples = map(got, objects) if len(present) > 1 else ((v,) for v in map(got, objects))
            columns = dict(zip(present, map(list, zip(*tuples, strict=True)), strict=True))
            return {name: columns[name] if name in columns else [_MISSING] * n for name in names}
        except KeyError:
            pass
    shapes: dict[tuple[str, ...], list[int]] = {}
    for i, shape in enumerate(map(tuple, objects)):
        shapes.setdefault(shape, []).append(i)
    if len(shapes) > 8:
        return {name: list(map(methodcaller("get", name, _MISSING), objects)) for name in names}
    wanted = set(names)
    if len(shapes) == 1:
        shape = next(iter(shapes))
        cols = dict(zip(shape, zip(*map(dict.values, objects), strict=True), strict=True)) if n else {}
        return {name: list(cols[name]) if name in cols else [_MISSING] * n for name in names}
    out = {name: np.full(n, _MISSING, dtype=object) for name in names}
    for shape, rows in shapes.items():
        at = np.array(rows)
        part = [objects[i] for i in rows]
        for key, values in zip(shape, zip(*map(dict.values, part), strict=True), strict=True):
            if key in wanted:
                out[key][at] = np.fromiter(values, dtype=object, count=len(rows))
    return {name: col.tolist() for name, col in out.items()}


def _is(types: list[type], t: type) -> Mask:
    return np.fromiter(map(is_, types, repeat(t)), bool, len(types))


def _allowed_types(spec: str | list[str]) -> set[type]:
    """The Python types that certainly pass ``type``: exact types (subclasses such as numpy.str_ are left to
    jsonschema), floats for ``integer`` only where ``number`` is allowed too (else judged value by value)."""
    names = [spec] if isinstance(spec, str) else list(spec)
    if any(n not in _PY_TYPES for n in names):
        raise Unsupported(f"type {spec!r}")
    allowed = set(chain.from_iterable(_PY_TYPES[n] for n in names)) | {_MISSING_TYPE}
    return allowed if "integer" not in names or "number" in names else allowed - {float}


def _type_test(spec: str | list[str]) -> Callable[[list[Any], list[type]], Mask]:
    names = [spec] if isinstance(spec, str) else list(spec)
    allowed = _allowed_types(spec)
    whole_floats = "integer" in names and "number" not in names

    def test(values: list[Any], types: list[type]) -> Mask:
        kinds = set(types)
        if allowed.issuperset(kinds) and not (whole_floats and float in kinds):
            return np.zeros(len(types), dtype=bool)  # the usual case, decided without a mask per value
        out = ~np.fromiter(map(allowed.__contains__, types), bool, len(types))
        if whole_floats:
            at = np.flatnonzero(_is(types, float))
            if len(at):
                x = np.array([values[i] for i in at], dtype=float)
                with np.errstate(invalid="ignore"):
                    out[at] = ~(np.isfinite(x) & (np.floor(x) == x))  # float.is_integer(), as jsonschema
        return out

    return test


def _enum_test(options: list[Any]) -> Callable[[list[Any], list[type]], Mask]:
    if not all(o is None or isinstance(o, str) for o in options):
        raise Unsupported("enum of values other than strings and null")
    strings = frozenset(o for o in options if isinstance(o, str))
    null_ok = None in options

    def test(values: list[Any], types: list[type]) -> Mask:
        is_str = _is(types, str)
        ok = _is(types, _MISSING_TYPE)
        if null_ok:
            ok |= _is(types, type(None))
        ok[is_str] = np.fromiter(map(strings.__contains__, compress(values, is_str)), bool, int(is_str.sum()))
        return ~ok

    return test


def _str_test(fails: Callable[[str], bool]) -> Callable[[list[Any], list[type]], Mask]:
    """A string keyword (pattern, lengths, format): judged once per distinct string, other values pass."""

    def test(values: list[Any], types: list[type]) -> Mask:
        is_str = _is(types, str)
        out = np.zeros(len(values), dtype=bool)
        if is_str.any():
            codes, uniques = pd.factorize(np.array(list(compress(values, is_str)), dtype=object))
            out[is_str] = np.array([fails(u) for u in uniques], dtype=bool)[codes]
        # str subclasses (numpy.str_...) are strings for jsonschema: let it judge them
        out |= ~is_str & np.fromiter(map(isinstance, values, repeat(str)), bool, len(values))
        return out

    return test


def _format_test(fmt: str, format_checker: Any) -> Callable[[list[Any], list[type]], Mask]:
    """``format`` as jsonschema's FORMAT_CHECKER judges it (its own function, once per distinct string); formats it
    does not check are not checked (jsonschema ignores them too)."""
    if fmt not in format_checker.checkers:
        return lambda values, types: np.zeros(len(values), dtype=bool)
    strings = _str_test(lambda v: not format_checker.conforms(v, fmt))
    passing = {_MISSING_TYPE, str} | ({type(None)} if format_checker.conforms(None, fmt) else set())

    def test(values: list[Any], types: list[type]) -> Mask:
        others = ~np.fromiter(map(passing.__contains__, types), bool, len(types))
        return strings(values, types) | others  # other types (numbers...): jsonschema judges them

    return test


def validate_feature_collection(doc: dict[str, Any], schema: dict[str, Any]) -> Errors:
    """The findings of :func:`.products.validate_json_schema` on ``doc``, computed with the compiled checker on
    every feature and ``jsonschema`` on the flagged features and a sample (see the module's doc)."""
    features = doc.get("features")
    if not isinstance(features, list) or len(features) <= SMALL_LAYER:
        return products.validate_json_schema(doc, schema)

    def whole() -> Errors:
        return products.validate_json_schema(doc, schema)

    return _validate_features(len(features), lambda: features, lambda at: [features[i] for i in at], doc, schema, whole)


def validate_feature_frame(frame: gpd.GeoDataFrame, fields: list[TargetField], schema: dict[str, Any]) -> Errors:
    """:func:`validate_feature_collection` of ``products.feature_collection(frame, fields)``, without building it:
    the compiled checker reads features whose geometries are made from the coordinate arrays (a LineString's
    ``geometry_mapping``, 60 µs a trail, was most of the cost), jsonschema the exact features it judges."""
    if len(frame) <= SMALL_LAYER:
        return products.validate_json_schema(products.feature_collection(frame, fields), schema)

    def quick() -> list[Any]:
        n = len(frame)
        omit = {f.name for f in fields if f.enum is not None and not f.required}
        columns = {}
        for f in fields:
            values = frame[f.name].astype(object).where(frame[f.name].notna(), None).tolist()
            if not {str, int, bool, type(None)}.issuperset(map(type, values)):  # floats: inf is null in JSON
                values = list(map(json_value, values))
            if f.name in omit:  # left out of the properties when null (products.feature_collection)
                values = [_MISSING if v is None else v for v in values]
            columns[f.name] = values
        geometry = _line_mappings(np.asarray(frame.geometry.values, dtype=object))
        return _Objects(n, {"type": ["Feature"] * n, "properties": _Objects(n, columns), "geometry": geometry})

    def exact(at: np.ndarray) -> list[dict[str, Any]]:
        features: list[dict[str, Any]] = products.feature_collection(frame.iloc[at], fields)["features"]
        return features

    def whole() -> Errors:
        return products.validate_json_schema(products.feature_collection(frame, fields), schema)

    doc = {"type": "FeatureCollection", "features": None}
    return _validate_features(len(frame), quick, exact, doc, schema, whole)


def _line_mappings(geoms: np.ndarray) -> list[dict[str, Any] | None]:
    """:func:`.product_sinks.geometry_mapping` of each geometry, as far as a schema can tell: finite 2D LineStrings
    (after the same rounding) from the coordinate arrays, in one pass; any other geometry through it."""
    n = len(geoms)
    out: list[dict[str, Any] | None] = [None] * n
    line = ~shapely.is_missing(geoms)
    line[line] = (shapely.get_type_id(geoms[line]) == 1) & ~shapely.is_empty(geoms[line])
    with np.errstate(invalid="ignore"):  # NaN coordinates: the lines they spoil go through geometry_mapping
        rounded = shapely.set_precision(geoms[line], 10**-PRECISION)
    plain = (shapely.get_type_id(rounded) == 1) & ~shapely.is_empty(rounded) & ~shapely.has_z(rounded)
    counts = shapely.get_num_coordinates(rounded[plain])
    coords = shapely.get_coordinates(rounded[plain])
    ends = np.cumsum(counts)
    finite = np.isfinite(coords).all(axis=1)
    bad_rows = np.flatnonzero(~finite)
    spoilt = np.zeros(len(counts), dtype=bool)
    spoilt[np.searchsorted(ends, bad_rows, side="right")] = True
    positions = coords.tolist()
    at_line = np.flatnonzero(line)
    at_plain = at_line[plain]
    for k, (i, end, count) in enumerate(zip(at_plain.tolist(), ends.tolist(), counts.tolist(), strict=True)):
        if not spoilt[k]:
            out[i] = {"type": "LineString", "coordinates": positions[end - count : end]}
    done = np.zeros(n, dtype=bool)
    done[at_plain[~spoilt]] = True
    for i in np.flatnonzero(~done).tolist():
        out[i] = geometry_mapping(geoms[i])
    return out


def _validate_features(
    n: int,
    quick: Callable[[], list[Any]],
    exact: Callable[[np.ndarray], list[Any]],
    doc: dict[str, Any],
    schema: dict[str, Any],
    whole: Callable[[], Errors],
) -> Errors:
    """The fast path: the compiled checker on ``quick()`` (features judged as jsonschema judges the exact ones),
    jsonschema on ``exact(indexes)`` in a collection like ``doc``; ``whole()`` is jsonschema on every feature."""
    try:
        check = compile_feature_schema(schema)
    except Unsupported as exc:
        log.info("jsonschema on every feature: %s", exc)
        return whole()
    flagged = check(quick())
    keep = _selection(n, flagged, PREFIX_FEATURES, SAMPLE_FEATURES)
    part = {**doc, "features": exact(keep)}
    errors = [
        (int(keep[f]) if f is not None else None, where, rule, message)
        for f, where, rule, message in products.validate_json_schema(part, schema)
    ]
    missed = _compiler_missed(errors, flagged)
    if missed:
        log.warning(
            "The compiled JSON Schema checker passed features jsonschema rejects (e.g. feature %s): every feature "
            "is validated by jsonschema.",
            missed[0],
        )
        return whole()
    return errors
