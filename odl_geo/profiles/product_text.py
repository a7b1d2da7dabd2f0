"""The text of the theme products' features, a column at a time: GeoJSON features and CSV rows.

The distinct strings of a batch's text columns are pooled and made into JSON and CSV texts by a few Arrow calls
(a string ``json`` would escape, or whose CSV cell formula neutralisation or quoting may change, by the per-value
functions), integers and floats by Arrow and numpy (:mod:`.product_numbers`), then each feature or CSV row is one
Arrow join of its parts (the properties after the first carry their comma; an omitted one is null).
The text is that of the per-feature writers (``json.dumps(feature, ensure_ascii=False, separators=(",", ":"))``,
Python's ``csv`` writer after :mod:`odl_geo.csvsafe`), for every input: whatever is not plainly safe to encode
column-wise (mixed types in a column, a value a spreadsheet might run, a cell needing quotes, an odd geometry)
goes through the per-value functions (:func:`csv_text`, :func:`geometry_mapping`).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..csvsafe import neutralise_csv_cell
from .product_numbers import PRECISION, reprs, round_like_python

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import geopandas as gpd

    from .base import TargetField

__all__ = [
    "Shared",
    "csv_header",
    "csv_join",
    "csv_lines",
    "csv_text",
    "csv_texts",
    "feature_texts",
    "float_csv_texts",
    "geometry_mapping",
    "json_value",
    "quoted_cells",
    "text_column",
]

LINE_COORDS = 200_000  # coordinates of lines formatted at a time (a trail may have thousands)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # what json.dumps(v, ...) does
#: first characters of a cell :func:`odl_geo.csvsafe.neutralise_csv_cell` may change (then it decides)
_FORMULA_FIRST = frozenset("\t\r \n=+-@\uff1d\uff0b\uff0d\uff20")
#: characters that may make Python's csv writer quote a cell (then it decides)
_CSV_SPECIAL = re.compile('[,"\n\r]').search
#: the strings whose CSV cell :func:`_csv_cell` decides (RE2): one of :data:`_FORMULA_FIRST` first, or one of
#: :data:`_CSV_SPECIAL` anywhere; any other string is its own cell
_CSV_DOUBT = '^[\t\r \n=+\\-@\uff1d\uff0b\uff0d\uff20]|[,"\n\r]'
#: the strings ``json`` escapes (RE2): a quote, a backslash, a control character; any other is written in quotes
_JSON_ESCAPED = r'[\x00-\x1f"\\]'


def json_value(v: Any) -> Any:
    """A cell as JSON wants it: non-finite numbers as null, numpy scalars as Python ones."""
    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def geometry_mapping(geom: Any) -> dict[str, Any] | None:
    """The GeoJSON geometry of one feature, coordinates to :data:`PRECISION` decimals (the per-feature way: the
    column-wise encoder gives the same text, and sends here what it does not handle itself)."""
    if geom is None or shapely.is_missing(geom) or shapely.is_empty(geom):
        return None
    rounded = shapely.set_precision(geom, 10**-PRECISION) if geom.geom_type != "Point" else geom
    mapping: dict[str, Any] = json.loads(shapely.to_geojson(rounded))
    if geom.geom_type == "Point":
        mapping["coordinates"] = [round(c, PRECISION) for c in mapping["coordinates"]]
    return mapping


# -- GeoJSON text, a column at a time --------------------------------------------------------------------------


def _groups(values: np.ndarray, found: str) -> tuple[np.ndarray, list[Any]] | None:
    """(codes, distinct values) of ``values`` (no nulls) when equal values have equal texts, else None.

    Strings are grouped by Arrow (pandas' hash table cuts them at a NUL character: ``"0"`` and ``"0\\x00"`` were
    one value); mixed types never (``1 == 1.0 == True``); floats are not grouped (``0.0 == -0.0``) but encoded
    value by value, vectorised (:func:`.product_numbers.reprs`).
    """
    if found == "string":
        encoded = pa.array(values, type=pa.string()).dictionary_encode()
        return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()
    if found not in ("boolean", "integer", "empty"):
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, list(uniques)


class Distinct(NamedTuple):
    """A text column as its distinct values (``values``, an Arrow string array, null for None) and the index of
    each row's among them (``codes``; None: ``values`` is the column itself, its values being mostly distinct)."""

    codes: np.ndarray | None
    values: pa.Array

    def take(self, texts: pa.Array) -> pa.Array:
        """``texts[code]`` of each row (``texts`` as long as :attr:`values`)."""
        return texts if self.codes is None else texts.take(pa.array(self.codes))

    def rows(self, start: int, stop: int) -> Distinct:
        """The column's rows ``start:stop``: their codes among the same values (some maybe unused there)."""
        if self.codes is None:
            return Distinct(None, self.values.slice(start, stop - start))
        return Distinct(self.codes[start:stop], self.values)


def _text_column(series: pd.Series, found: str | None = None) -> Distinct | None:
    """The column's distinct strings (None kept) when it holds only strings and None (the usual column); else None.

    ``infer_dtype`` says the values present are all ``str`` (not bytes, which Arrow would take as text), Arrow that
    the missing ones are all None (it refuses NaN and pd.NA as strings). The distinct values are found by a Python
    dict: a str keeps its hash, so long repeated texts are not encoded to UTF-8 row after row, and ``"0"`` differs
    from ``"0\\x00"`` (pandas' string hash table took them for one value). A column of mostly distinct values (an
    identifier, a date) is taken as it is.
    """
    if series.dtype != object:
        return None
    values = series.to_numpy()
    found = found or pd.api.types.infer_dtype(values, skipna=True)  # (``found``: the caller's, the same)
    if found not in ("string", "empty"):
        return None
    try:
        if found == "empty":  # all None (Arrow says), the usual optional field: one distinct value
            pa.array(values, type=pa.string())
            return Distinct(np.zeros(len(values), dtype=np.int32), pa.nulls(1, pa.string()))
        index = dict.fromkeys(values)
        if 2 * len(index) > len(values):
            return Distinct(None, pa.array(values, type=pa.string()))
        uniques = list(index)
        distinct = pa.array(np.array(uniques, dtype=object), type=pa.string())
    except (pa.ArrowException, TypeError, ValueError):  # NaN, pd.NA, NaT...: look at the values
        return None
    for i, u in enumerate(uniques):
        index[u] = i
    return Distinct(np.fromiter(map(index.__getitem__, values), dtype=np.int32, count=len(values)), distinct)


class Pool(NamedTuple):
    """The distinct strings of a batch's text columns, one column after the other (:attr:`values`, null for None),
    and the place of each row's string there (:attr:`codes`, column after column): the texts of every text column
    are made by a few Arrow calls on :attr:`values` (trails come in batches of a few hundred features, and per
    column calls cost more than their work there)."""

    names: list[str]
    values: pa.Array
    sizes: np.ndarray  # distinct strings of each column
    codes: np.ndarray

    def repeat(self, texts: Sequence[str | None]) -> pa.Array:
        """``texts[j]`` for each distinct string of column j."""
        return pa.array(texts, type=pa.string()).take(pa.array(np.repeat(np.arange(len(texts)), self.sizes)))

    def split(self, texts: pa.Array) -> dict[str, pa.Array]:
        """Each column's rows of ``texts`` (one text per distinct string)."""
        rows = texts.take(pa.array(self.codes))
        n = len(self.codes) // len(self.names)
        return {name: rows.slice(j * n, n) for j, name in enumerate(self.names)}


class TableTexts(Protocol):
    """The CSV text of a frame's table built by its validation (:class:`.validation.ValidatedTexts`)."""

    frame: pd.DataFrame

    def csv_cells(self, header: list[str], start: int, stop: int) -> list[pa.Array] | None:
        """Each column's CSV cells (neutralised, quoted) of rows ``start:stop``, for a table of ``header``; None
        when the table validated is not one of these columns."""

    def distinct(self, name: str, start: int, stop: int) -> Distinct | None:
        """The distinct strings of the text column ``name`` (:func:`_text_column` of the validated frame's column)
        for its rows ``start:stop``; None when the validation did not find them."""


class Shared:
    """What the products of one batch of features share: its text columns' distinct strings, found once; and the
    CSV text its validation built (:attr:`validated`: the texts of the frame the batch is rows ``start:stop`` of),
    and the distinct strings it found in its text columns (the GeoJSON product's: found once a chunk, not twice)."""

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self.frame = frame
        self.found: dict[str, Distinct | None] = {}
        self.pools: dict[tuple[str, ...], Pool | None] = {}
        self.validated: tuple[TableTexts, int, int] | None = None
        #: each feature's LineString rounded to the grid by its validation (None where it rounded none)
        self.rounded: np.ndarray | None = None

    def csv_cells(self, header: list[str]) -> list[pa.Array] | None:
        """The batch's CSV cells, column by column, as its validation built them (None: build them)."""
        if self.validated is None:
            return None
        texts, start, stop = self.validated
        return texts.csv_cells(header, start, stop)

    def strings(self, name: str) -> Distinct | None:
        if name not in self.found:
            known = None
            if self.validated is not None:
                texts, start, stop = self.validated
                known = texts.distinct(name, start, stop)
            self.found[name] = known if known is not None else _text_column(self.frame[name])
        return self.found[name]

    def pool(self, names: list[str]) -> Pool | None:
        """The :class:`Pool` of the text columns among ``names`` (None: there is none)."""
        key = tuple(names)
        if key not in self.pools:
            found = [(name, d) for name in names if (d := self.strings(name)) is not None]
            n = len(self.frame)
            if not found:
                self.pools[key] = None
                return None
            sizes = np.array([len(d.values) for _, d in found], dtype=np.int64)
            starts = np.cumsum(sizes) - sizes
            codes = [(np.arange(n) if d.codes is None else d.codes) + start
                     for (_, d), start in zip(found, starts, strict=True)]  # fmt: skip
            values = pa.concat_arrays([d.values for _, d in found])
            self.pools[key] = Pool([name for name, _ in found], values, sizes, np.concatenate(codes))
        return self.pools[key]


def text_column(series: pd.Series, found: str | None = None) -> Distinct | None:
    """:func:`_text_column`: a column of strings and None as its distinct strings (for :mod:`.validation`)."""
    return _text_column(series, found)


def _by_python(strings: pa.Array, where: pa.Array, text: Callable[[str], str]) -> pa.Array:
    """``text(s)`` of the strings where ``where`` is true, in order, computed once per distinct string."""
    chosen = strings.filter(where).dictionary_encode()
    return pa.array([text(s) for s in chosen.dictionary.to_pylist()], type=pa.string()).take(chosen.indices)


def _fix(texts: pa.Array, strings: pa.Array, doubt: str, text: Callable[[str], str]) -> pa.Array:
    """``texts``, with ``text(s)`` instead where the string ``s`` matches the RE2 pattern ``doubt``."""
    where = pc.match_substring_regex(strings, doubt).fill_null(False)
    if not where.true_count:
        return texts
    return pc.replace_with_mask(texts, where, _by_python(strings, where, text))


def _json_pool(pool: Pool, keys: list[str], missing: list[str | None]) -> dict[str, pa.Array]:
    """``keys[j]`` then the JSON text (``_dumps``) of each row's string of the pool's column j, ``missing[j]``
    where None: made by Arrow, by ``_dumps`` itself for the strings it escapes (a quote, a backslash, a control
    character)."""
    keyed = pc.binary_join_element_wise(pool.repeat([k + '"' for k in keys]), pool.values, '"', "")
    where = pc.match_substring_regex(pool.values, _JSON_ESCAPED).fill_null(False)
    if where.true_count:
        escaped = pc.binary_join_element_wise(
            pool.repeat(keys).filter(where), _by_python(pool.values, where, _dumps), ""
        )
        keyed = pc.replace_with_mask(keyed, where, escaped)
    if pool.values.null_count:
        keyed = pc.coalesce(keyed, pool.repeat(missing))
    return pool.split(keyed)


def _csv_pool(pool: Pool) -> dict[str, pa.Array]:
    """The CSV cell of each row's string of the pool's columns (:func:`_csv_cell` of :func:`csv_text`: the string
    itself, empty for None) made by Arrow; by :func:`_csv_cell` itself for the strings it may change (a
    formula-like first character, a character that may need quotes)."""
    cells = _fix(pool.values, pool.values, _CSV_DOUBT, _csv_cell)
    return pool.split(cells.fill_null("") if cells.null_count else cells)


def _int_texts(values: np.ndarray) -> pa.Array | None:
    """``str`` of each integer (what ``json`` and :func:`csv_text` write: a sign and digits) made by Arrow, when
    they all fit 64 bits."""
    try:
        ints = np.asarray(values, dtype=np.int64)
    except (OverflowError, TypeError, ValueError):
        return None
    return pc.cast(pa.array(ints), pa.string())


def _take(texts: list[str | None], codes: np.ndarray) -> pa.Array:
    return pa.array(texts, type=pa.string()).take(pa.array(codes, type=pa.int64()))


def _json_column(series: pd.Series, key: str, missing: str | None) -> pa.Array:
    """``key`` and the JSON value of each feature as the per-feature writer gave it (a column that is not all
    strings); ``missing`` where the value is missing (``notna`` false), null where the property is left out
    (``missing`` None: an optional enumeration). Non-finite numbers are ``null`` and never left out.
    """
    n = len(series)
    present = series.notna().to_numpy()
    if series.dtype.kind == "f":  # float64: no Python float made
        values, found = series.to_numpy()[present], "floating"
    else:
        values = series.astype(object).to_numpy()[present]
        found = pd.api.types.infer_dtype(values, skipna=False)
    if found == "floating":  # json_value: non-finite -> null; numpy floats -> the same Python float
        floats = np.asarray(values, dtype=float)
        texts = pc.if_else(pa.array(np.isfinite(floats)), reprs(floats), "null")
        keyed = pc.binary_join_element_wise(key, texts, "")
        return _scatter(keyed, present, missing)
    ints = _int_texts(values) if found == "integer" else None
    if ints is not None:  # json_value: numpy integers -> the same Python int
        return _scatter(pc.binary_join_element_wise(key, ints, ""), present, missing)
    grouped = _groups(values, found)
    if grouped is not None:
        codes, uniques = grouped
        texts = [key + _dumps(json_value(u)) for u in uniques]
    else:
        texts = [key + _dumps(json_value(v)) for v in values]
        codes = np.arange(len(values))
    full = np.full(n, len(texts), dtype=np.int64)
    full[present] = codes
    return _take([*texts, missing], full)


def _scatter(texts: pa.Array, where: np.ndarray, other: str | None) -> pa.Array:
    """An array as long as ``where``: ``texts`` in order where it is true, ``other`` elsewhere."""
    if where.all():
        return texts
    full = pa.array(np.full(len(where), other, dtype=object), type=pa.string())
    return pc.replace_with_mask(full, pa.array(where), texts)


def _point_texts(geoms: np.ndarray) -> pa.Array:
    x, y = round_like_python(shapely.get_x(geoms)), round_like_python(shapely.get_y(geoms))
    x, y = reprs(x), reprs(y)  # finite: json's text
    return pc.binary_join_element_wise('{"type":"Point","coordinates":[', x, ",", y, "]}", "")


def _line_texts(geoms: np.ndarray) -> pa.Array:
    """LineStrings (2D, finite) on the 10⁻⁷ grid, their coordinates as ``repr`` writes them (GEOS's GeoJSON gives
    the shortest round-trip text, which ``json`` read back into the very same floats): ``[x,y]`` pairs joined by
    Arrow (:func:`.product_numbers.reprs`), a line's pairs joined as a list, a batch of lines at a time."""
    out: list[pa.Array] = []
    counts = shapely.get_num_coordinates(geoms)
    ends = np.cumsum(counts)
    start = 0
    while start < len(geoms):
        stop = max(start + 1, int(np.searchsorted(ends, (ends[start - 1] if start else 0) + LINE_COORDS)))
        xy = shapely.get_coordinates(geoms[start:stop])
        pairs = pc.binary_join_element_wise("[", reprs(xy[:, 0]), ",", reprs(xy[:, 1]), "]", "")
        offsets = np.zeros(stop - start + 1, dtype=np.int32)
        np.cumsum(counts[start:stop], out=offsets[1:])
        body = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), pairs), ",")
        out.append(pc.binary_join_element_wise('{"type":"LineString","coordinates":[', body, "]}", ""))
        start = stop
    return pa.concat_arrays(out) if out else pa.array([], type=pa.string())


def _geometry_column(geoms: np.ndarray, rounded_rows: np.ndarray | None = None) -> pa.Array:
    """The GeoJSON text of each geometry (``null`` for none or empty), as :func:`geometry_mapping` dumped gives.

    :param rounded_rows: each geometry's LineString rounded to the grid already (``set_precision``, the same
        call: the validation's), None where not: the lines found there are not rounded again."""
    out = pa.array(np.full(len(geoms), "null", dtype=object), type=pa.string())
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    flat = present & ~shapely.has_z(geoms)
    kind = shapely.get_type_id(geoms)
    done = np.zeros(len(geoms), dtype=bool)
    points = np.flatnonzero(flat & (kind == 0))
    if points.size:
        finite = np.isfinite(shapely.get_x(geoms[points])) & np.isfinite(shapely.get_y(geoms[points]))
        points = points[finite]
        done[points] = True
        out = pc.replace_with_mask(out, pa.array(done), _point_texts(geoms[points]))
    lines = np.flatnonzero(flat & (kind == 1))
    if lines.size:
        coords = shapely.get_coordinates(geoms[lines])
        bad = ~np.isfinite(coords).all(axis=1)
        if bad.any():  # lines with a NaN or infinite coordinate: the per-feature way
            owner = np.repeat(np.arange(lines.size), shapely.get_num_coordinates(geoms[lines]))
            lines = np.delete(lines, np.unique(owner[bad]))
        known = rounded_rows[lines] if rounded_rows is not None and len(rounded_rows) == len(geoms) else None
        if known is not None and not shapely.is_missing(known).any():
            rounded = known
        else:
            rounded = shapely.set_precision(geoms[lines], 10**-PRECISION)
        plain = (shapely.get_type_id(rounded) == 1) & ~shapely.is_empty(rounded)
        chosen = np.zeros(len(geoms), dtype=bool)
        chosen[lines[plain]] = True
        out = pc.replace_with_mask(out, pa.array(chosen), _line_texts(rounded[plain]))
        done |= chosen
    others = np.flatnonzero(present & ~done)
    if others.size:
        texts = pa.array([_dumps(geometry_mapping(g)) for g in geoms[others]], type=pa.string())
        out = pc.replace_with_mask(out, pa.array(present & ~done), texts)
    return out


def feature_texts(
    frame: gpd.GeoDataFrame, fields: list[TargetField], shared: Shared | None = None, lead: str = ""
) -> pa.Array:
    """The JSON text of each feature of ``frame``: properties in schema order, optional enumerations left out
    when empty, then the geometry; exactly ``json.dumps(feature, ensure_ascii=False, separators=(",", ":"))``,
    after ``lead``.

    When the first property is always there (not an optional enumeration), the others carry their comma and a
    feature is one Arrow join of its parts (a property left out is null: nothing); else the properties are joined
    first, skipping those left out.
    """
    shared = shared or Shared(frame)
    omit = [f.enum is not None and not f.required for f in fields]
    inline = not (fields and omit[0])
    keys = [("," if j and inline else "") + _dumps(f.name) + ":" for j, f in enumerate(fields)]
    missing = [None if o else k + "null" for k, o in zip(keys, omit, strict=True)]
    pool = shared.pool([f.name for f in fields])
    at = {f.name: j for j, f in enumerate(fields)}
    texts = _json_pool(pool, [keys[at[n]] for n in pool.names], [missing[at[n]] for n in pool.names]) if pool else {}
    columns = [texts[f.name] if f.name in texts else _json_column(frame[f.name], keys[j], missing[j])
               for j, f in enumerate(fields)]  # fmt: skip
    geoms = _geometry_column(np.asarray(frame.geometry.values, dtype=object), shared.rounded)
    head = lead + '{"type":"Feature","properties":{'
    if inline:
        return pc.binary_join_element_wise(head, *columns, '},"geometry":', geoms, "}", "", null_handling="replace")
    props = pc.binary_join_element_wise(*columns, ",", null_handling="skip")
    return pc.binary_join_element_wise(head, props, '},"geometry":', geoms, "}", "")


def csv_text(v: Any, kind: str, true_false: tuple[str, str]) -> str:
    """The CSV text of one value of a field of type ``kind``."""
    v = json_value(v)
    if v is None:
        return ""
    if kind == "boolean":
        return true_false[0] if v else true_false[1]
    if isinstance(v, float) and v.is_integer() and kind in ("number", "integer"):
        return str(int(v))
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def csv_texts(series: pd.Series, kind: str, true_false: tuple[str, str]) -> tuple[np.ndarray, list[str]]:
    """:func:`csv_text` of every value as (codes, texts), ``texts[codes[i]]`` being row i's: each distinct value's
    text is computed once (columns repeat a few values) where equal values have equal texts; in a column mixing
    types (``1``, ``1.0``, ``True``) or signed zeros, value by value (grouped, these took the first one's text)."""
    return _csv_texts(*_csv_values(series), kind, true_false)


def _csv_texts(
    none: np.ndarray, some: np.ndarray, found: str, kind: str, true_false: tuple[str, str]
) -> tuple[np.ndarray, list[str]]:
    if found == "floating" and kind != "boolean":
        texts = float_csv_texts(np.asarray(some, dtype=float), kind).to_pylist()
        codes = np.arange(len(some))
    else:
        grouped = _groups(some, found)
        if grouped is not None:
            codes, uniques = grouped
            texts = [csv_text(v, kind, true_false) for v in uniques]
        else:
            texts = [csv_text(v, kind, true_false) for v in some]
            codes = np.arange(len(some))
    full = np.full(len(none), len(texts), dtype=np.int64)
    full[~none] = codes
    return full, [*texts, ""]


def _csv_values(series: pd.Series) -> tuple[np.ndarray, np.ndarray, str]:
    """The rows holding None, the other values, and their kind (``infer_dtype``)."""
    values = series.to_numpy(dtype=object)
    none = np.equal(values, None)  # type: ignore[call-overload]
    some = values[~none]
    return none, some, pd.api.types.infer_dtype(some, skipna=False)


def float_csv_texts(floats: np.ndarray, kind: str) -> pa.Array:
    """:func:`csv_text` of floats (not for booleans): ``""`` if not finite, the integer if whole for numbers, else
    ``repr``."""
    finite = np.isfinite(floats)
    texts = reprs(floats)
    if kind in ("number", "integer"):
        whole = finite & (floats == np.floor(floats))
        small = whole & (np.abs(floats) < 2.0**62)
        if small.any():
            ints = pc.cast(pa.array(floats[small].astype(np.int64)), pa.string())
            texts = pc.replace_with_mask(texts, pa.array(small), ints)
        if (whole & ~small).any():
            big = [str(int(v)) for v in floats[whole & ~small].tolist()]
            texts = pc.replace_with_mask(texts, pa.array(whole & ~small), pa.array(big, type=pa.string()))
    return texts if finite.all() else pc.if_else(pa.array(finite), texts, "")


def _csv_cells(series: pd.Series, kind: str, true_false: tuple[str, str]) -> pa.Array:
    """The cells of a column of the CSV product (texts neutralised and quoted: :func:`_csv_cell`)."""
    if series.dtype.kind == "f" and kind != "boolean":  # float64: as below, no Python float made
        return float_csv_texts(series.to_numpy(dtype=float), kind)
    none, some, found = _csv_values(series)
    if found == "floating" and kind != "boolean":  # numbers: nothing to neutralise (csvsafe.NUMBER) or quote
        return _scatter(float_csv_texts(np.asarray(some, dtype=float), kind), ~none, "")
    ints = _int_texts(some) if found == "integer" and kind != "boolean" else None
    if ints is not None:  # str of the integer: a number for csvsafe.NUMBER, nothing to quote
        return _scatter(ints, ~none, "")
    codes, texts = _csv_texts(none, some, found, kind, true_false)
    return _take([_csv_cell(t) for t in texts], codes)


def _float_cells(values: np.ndarray) -> pa.Array:
    """The cells of a coordinate column of the CSV products: ``repr(float(v))``, ``""`` for NaN.

    As :func:`_csv_cell` would give them: the ``repr`` of a finite float is a number for
    :data:`odl_geo.csvsafe.NUMBER` (never neutralised) with nothing to quote; ``-inf`` is neutralised.
    """
    floats = np.asarray(values, dtype=float)
    cells = reprs(floats)
    for mask, text in ((np.isnan(floats), ""), (np.isneginf(floats), "'-inf")):
        if mask.any():
            cells = pc.if_else(pa.array(mask), text, cells)
    return cells


def _csv_cell(text: str) -> str:
    """A cell as Python's csv writer (quoting when needed) writes it after :func:`neutralise_csv_cell`."""
    if text[:1] in _FORMULA_FIRST:
        text = str(neutralise_csv_cell(text))
    if _CSV_SPECIAL(text):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([text, ""])
        return buf.getvalue()[:-2]  # the cell, without ",\n" of the empty second cell
    return text


def csv_header(header: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([neutralise_csv_cell(c) for c in header])
    return buf.getvalue().encode("utf-8")


def csv_lines(
    frame: gpd.GeoDataFrame,
    fields: list[TargetField],
    extra: dict[str, np.ndarray],
    true_false: tuple[str, str],
    shared: Shared | None = None,
) -> pa.Array:
    """Each row of the CSV product, ``\\n`` ended: schema fields in order then the ``extra`` columns not among
    them, neutralised (:mod:`odl_geo.csvsafe`) and quoted as Python's csv writer does."""
    shared = shared or Shared(frame)
    pool = shared.pool([f.name for f in fields])
    texts = _csv_pool(pool) if pool else {}
    columns: list[pa.Array] = []
    for f in fields:
        if f.name in extra:
            columns.append(_float_cells(extra[f.name]))
        elif f.name in texts and f.kind != "boolean":  # csv_text of a string: the string
            columns.append(texts[f.name])
        else:
            columns.append(_csv_cells(frame[f.name], f.kind, true_false))
    names = {f.name for f in fields}
    columns += [_float_cells(values) for name, values in extra.items() if name not in names]
    return csv_join(columns, len(frame))


def csv_join(columns: list[pa.Array], n: int) -> pa.Array:
    """The CSV lines of ``n`` rows whose cells (neutralised and quoted) are ``columns``, ``\\n`` ended."""
    if not columns:
        return pa.array(["\n"] * n, type=pa.string())
    parts = [part for column in columns for part in (",", column)][1:]  # the cells, commas between
    return pc.binary_join_element_wise(*parts, "\n", "", null_handling="replace")  # no null cell


#: characters that may make Python's csv writer quote a cell (RE2, as :data:`_CSV_SPECIAL`)
_CSV_QUOTED = '[,"\n\r]'


def quoted_cells(neutral: pa.Array) -> pa.Array:
    """The CSV cells of texts already neutralised (:func:`odl_geo.csvsafe.neutralise_csv_cell`): quoted as Python's
    csv writer quotes them, by :func:`_csv_cell` itself (which neutralises nothing again: a neutralised text is
    its own neutralisation) for the texts that may need quotes, once per distinct text; the others as they are."""
    return _fix(neutral, neutral, _CSV_QUOTED, _csv_cell)
