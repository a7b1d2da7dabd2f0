"""A JSON Schema compiled into column tests: the features ``jsonschema`` MAY reject, for :mod:`.validation`.

The schema of a FeatureCollection's features (``properties.features.items``, ``$ref`` resolved) is translated
keyword by keyword into tests over all the features at once (C-level ``map`` over builtins, numpy), each a sound
over-approximation of jsonschema with the schema's draft and its FORMAT_CHECKER: a feature it passes, jsonschema
passes. A validation keyword it does not know raises :class:`.Unsupported` (jsonschema then judges every feature).
"""

from __future__ import annotations

import re
from functools import partial
from itertools import chain, compress, repeat
from operator import contains, is_, itemgetter, methodcaller
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .compiled_table import Mask, Unsupported

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["MISSING", "NumberArrays", "Numbers", "ObjectColumns", "compile_feature_schema"]

MISSING = object()  # a property absent from its object
MISSING_TYPE = type(MISSING)
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
    :data:`MISSING` and pass (``required`` is judged by the object holding them). The loops run in C (``map``
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
        numeric = self._numeric_test(node, depth)

        def test(values: list[Any]) -> Mask:
            if isinstance(values, (NumberArrays, Numbers)):
                return numeric(values)
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
            if isinstance(values, ObjectColumns):
                return columnar(values, n)
            is_dict = _is(types, dict)
            out = np.zeros(n, dtype=bool)
            if not is_dict.any():  # object keywords pass whatever is not an object (a null, a list...)
                return out
            objects = values if is_dict.all() else [v if d else _EMPTY for v, d in zip(values, is_dict, strict=True)]
            for name in required:
                out |= is_dict & ~np.fromiter(map(contains, objects, repeat(name)), bool, n)
            if extra is False:
                out |= is_dict & ~np.fromiter(map(allowed.issuperset, objects), bool, n)
            columns = _columns_of(objects, list(props))
            for name, sub in props.items():
                out |= sub(columns[name])
            return out

        def columnar(values: ObjectColumns, n: int) -> Mask:
            """The same tests on objects given as columns (:data:`MISSING` where a property is absent)."""
            out = np.zeros(n, dtype=bool)
            for name in required:
                column = values.columns.get(name)
                out |= True if column is None else _absent(column, n)
            if extra is False:
                for name in set(values.columns) - allowed:
                    out |= ~_absent(values.columns[name], n)
            for name, sub in props.items():
                column = values.columns.get(name)
                out |= sub(column if column is not None else [MISSING] * n)
            return out

        return test

    def _numeric_test(self, node: dict[str, Any], depth: int) -> Callable[[NumberArrays | Numbers], Mask]:
        """The node's tests on values given as arrays (:class:`NumberArrays`, :class:`Numbers`): what jsonschema
        does with a JSON array of numbers, or a number, for each keyword; ``enum`` and ``format`` (whose checkers
        may judge non-strings) flag every value, which jsonschema then judges."""
        types = [node["type"]] if isinstance(node.get("type"), str) else list(node.get("type", []))
        typed = "type" in node
        wary = "enum" in node or "format" in node
        items = node.get("items")
        item_test = self.compile(items, depth + 1) if isinstance(items, dict) else None
        lo, hi = node.get("minItems"), node.get("maxItems")

        def test(values: NumberArrays | Numbers) -> Mask:
            n = len(values)
            if wary:
                return np.ones(n, dtype=bool)
            if isinstance(values, Numbers):
                if not typed or "number" in types:
                    return np.zeros(n, dtype=bool)
                if "integer" in types:  # whole floats are integers (draft 4 onwards), as jsonschema says
                    return ~(np.floor(values.values) == values.values)
                return np.ones(n, dtype=bool)
            if typed and "array" not in types:
                return np.ones(n, dtype=bool)
            lengths = np.diff(values.offsets)
            out = np.zeros(n, dtype=bool)
            if lo is not None:
                out |= lengths < lo
            if hi is not None:
                out |= lengths > hi
            if item_test is not None and len(values.items):
                out[np.repeat(np.arange(n), lengths)[item_test(values.items)]] = True  # type: ignore[arg-type]
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


class ObjectColumns(list):
    """``n`` JSON objects given by their properties' columns (``columns[name][i]``, :data:`MISSING` where object i
    has no such property): what the object keywords read, without a dict per object. Its items are empty dicts,
    so that ``type: object`` sees objects."""

    def __init__(self, n: int, columns: dict[str, Any]) -> None:  # lists, NumberArrays
        super().__init__([_EMPTY] * n)
        self.columns = columns


class Numbers:
    """Finite numbers (a float64 array) standing for JSON numbers, e.g. the coordinates of positions."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = np.asarray(values, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.values)


class NumberArrays:
    """``len(offsets) - 1`` JSON arrays, array i holding ``items[offsets[i]:offsets[i + 1]]``, its items being
    arrays again (:class:`NumberArrays`: a LineString's positions) or numbers (:class:`Numbers`). What the compiled
    tests read of geometries' coordinates without a Python list per position: 100 000 trails hold 30 million
    numbers, and their lists cost more than the rest of the validation."""

    def __init__(self, offsets: np.ndarray, items: NumberArrays | Numbers) -> None:
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.items = items

    def __len__(self) -> int:
        return len(self.offsets) - 1


def _absent(column: list[Any] | NumberArrays | Numbers, n: int) -> Mask:
    """Where a column of :class:`ObjectColumns` says its property is absent (:data:`MISSING`)."""
    if isinstance(column, (NumberArrays, Numbers)):
        return np.zeros(n, dtype=bool)
    return np.fromiter(map(is_, column, repeat(MISSING)), bool, n)


def _no_search(rx: re.Pattern[str], text: str) -> bool:
    return rx.search(text) is None


def _shorter(k: int, text: str) -> bool:
    return len(text) < k


def _longer(k: int, text: str) -> bool:
    return len(text) > k


def _columns_of(objects: list[dict[str, Any]], names: list[str]) -> dict[str, list[Any]]:
    """Each named property's values over ``objects`` (:data:`MISSING` where absent). Objects with the same keys in
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
            return {name: columns[name] if name in columns else [MISSING] * n for name in names}
        except KeyError:
            pass
    shapes: dict[tuple[str, ...], list[int]] = {}
    for i, shape in enumerate(map(tuple, objects)):
        shapes.setdefault(shape, []).append(i)
    if len(shapes) > 8:
        return {name: list(map(methodcaller("get", name, MISSING), objects)) for name in names}
    wanted = set(names)
    if len(shapes) == 1:
        shape = next(iter(shapes))
        cols = dict(zip(shape, zip(*map(dict.values, objects), strict=True), strict=True)) if n else {}
        return {name: list(cols[name]) if name in cols else [MISSING] * n for name in names}
    out = {name: np.full(n, MISSING, dtype=object) for name in names}
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
    allowed = set(chain.from_iterable(_PY_TYPES[n] for n in names)) | {MISSING_TYPE}
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
        ok = _is(types, MISSING_TYPE)
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
    passing = {MISSING_TYPE, str} | ({type(None)} if format_checker.conforms(None, fmt) else set())

    def test(values: list[Any], types: list[type]) -> Mask:
        others = ~np.fromiter(map(passing.__contains__, types), bool, len(types))
        return strings(values, types) | others  # other types (numbers...): jsonschema judges them

    return test
