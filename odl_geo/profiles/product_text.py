"""The text of the theme products' features, a column at a time: GeoJSON features and CSV rows.

Each column's distinct values are encoded once (JSON, CSV text, formula neutralisation, CSV quoting), floats and
coordinates vectorised (:mod:`.product_numbers`), then the columns are joined row by row with ``pyarrow.compute``.
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
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from ..csvsafe import neutralise_csv_cell
from .product_numbers import PRECISION, float_bytes, reprs, round_like_python

if TYPE_CHECKING:
    import geopandas as gpd

    from .base import TargetField

__all__ = [
    "Shared",
    "csv_header",
    "csv_lines",
    "csv_text",
    "csv_texts",
    "feature_texts",
    "geometry_mapping",
    "json_value",
]

LINE_COORDS = 200_000  # coordinates of lines formatted at a time (a trail may have thousands)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # what json.dumps(v, ...) does
#: first characters of a cell :func:`odl_geo.csvsafe.neutralise_csv_cell` may change (then it decides)
_FORMULA_FIRST = frozenset("\t\r \n=+-@\uff1d\uff0b\uff0d\uff20")
#: characters that may make Python's csv writer quote a cell (then it decides)
_CSV_SPECIAL = re.compile('[,"\n\r]').search


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


def _text_column(series: pd.Series) -> pa.DictionaryArray | None:
    """The column as distinct strings and their indices (null for None) when it holds only strings and None (the
    usual column); else None. ``infer_dtype`` says the values present are all ``str`` (not bytes, which Arrow
    would take as text), Arrow that the missing ones are all None (it refuses NaN and pd.NA as strings)."""
    if series.dtype != object:
        return None
    values = series.to_numpy()
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return None
    try:
        return pa.array(values, type=pa.string()).dictionary_encode()
    except (pa.ArrowException, TypeError, ValueError):  # NaN, pd.NA, NaT...: look at the values
        return None


class Shared:
    """What the products of one batch of features share: each column's distinct strings, found once."""

    def __init__(self, frame: gpd.GeoDataFrame) -> None:
        self.frame = frame
        self.found: dict[str, pa.DictionaryArray | None] = {}

    def strings(self, name: str) -> pa.DictionaryArray | None:
        if name not in self.found:
            self.found[name] = _text_column(self.frame[name])
        return self.found[name]


def _take_texts(texts: list[str | None], column: pa.DictionaryArray, null: str | None) -> pa.Array:
    """``texts[i]`` for each index i of ``column``, ``null`` where it is null."""
    indices = column.indices.fill_null(len(texts)) if column.null_count else column.indices
    return pa.array([*texts, null], type=pa.string()).take(indices)


def _take(texts: list[str | None], codes: np.ndarray) -> pa.Array:
    return pa.array(texts, type=pa.string()).take(pa.array(codes, type=pa.int64()))


def _json_column(series: pd.Series, omit: bool, strings: pa.DictionaryArray | None) -> pa.Array:
    """``"name":value`` of each feature as the per-feature writer gave it; null where the property is left out.

    Missing values (``notna`` false) are ``null``, or left out when ``omit`` (an optional enumeration);
    non-finite numbers are ``null`` and never left out.
    """
    n = len(series)
    key = _dumps(str(series.name)) + ":"
    missing: str | None = None if omit else key + "null"
    if strings is not None:  # missing = None
        return _take_texts([key + _dumps(u) for u in strings.dictionary.to_pylist()], strings, missing)
    present = series.notna().to_numpy()
    values = series.astype(object).to_numpy()[present]
    found = pd.api.types.infer_dtype(values, skipna=False)
    if found == "floating":  # json_value: non-finite -> null; numpy floats -> the same Python float
        floats = np.asarray(values, dtype=float)
        texts = pc.if_else(pa.array(np.isfinite(floats)), reprs(floats), "null")
        keyed = pc.binary_join_element_wise(key, texts, "")
        return _scatter(keyed, present, missing)
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
    the shortest round-trip text, which ``json`` read back into the very same floats): ``[x,y]`` pairs made as
    byte matrices (:func:`.product_numbers.float_bytes`), a batch of lines at a time."""
    out: list[pa.Array] = []
    counts = shapely.get_num_coordinates(geoms)
    ends = np.cumsum(counts)
    start = 0
    while start < len(geoms):
        stop = max(start + 1, int(np.searchsorted(ends, (ends[start - 1] if start else 0) + LINE_COORDS)))
        part, sizes = geoms[start:stop], counts[start:stop]
        numbers, kept = float_bytes(shapely.get_coordinates(part).ravel())
        x, y = numbers[0::2], numbers[1::2]
        m = len(x)
        marks = np.frombuffer(b"[,],", dtype=np.uint8)
        pairs = np.concatenate([np.broadcast_to(marks[:1], (m, 1)), x, np.broadcast_to(marks[1:2], (m, 1)), y,
                                np.broadcast_to(marks[2:], (m, 2))], axis=1)  # fmt: skip
        keep = np.ones(pairs.shape, dtype=bool)
        width = numbers.shape[1]
        keep[:, 1 : 1 + width], keep[:, 2 + width : 2 + 2 * width] = kept[0::2], kept[1::2]
        keep[np.cumsum(sizes) - 1, -1] = False  # no comma after a line's last pair
        lengths = keep.sum(axis=1)
        offsets = np.zeros(len(sizes) + 1, dtype=np.int32)
        np.cumsum(np.add.reduceat(lengths, np.concatenate([[0], np.cumsum(sizes)[:-1]])), out=offsets[1:])
        body = pa.StringArray.from_buffers(len(sizes), pa.py_buffer(offsets), pa.py_buffer(pairs[keep].tobytes()))
        out.append(pc.binary_join_element_wise('{"type":"LineString","coordinates":[', body, "]}", ""))
        start = stop
    return pa.concat_arrays(out) if out else pa.array([], type=pa.string())


def _geometry_column(geoms: np.ndarray) -> pa.Array:
    """The GeoJSON text of each geometry (``null`` for none or empty), as :func:`geometry_mapping` dumped gives."""
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


def feature_texts(frame: gpd.GeoDataFrame, fields: list[TargetField], shared: Shared | None = None) -> pa.Array:
    """The JSON text of each feature of ``frame``: properties in schema order, optional enumerations left out
    when empty, then the geometry; exactly ``json.dumps(feature, ensure_ascii=False, separators=(",", ":"))``."""
    shared = shared or Shared(frame)
    columns = [_json_column(frame[f.name], f.enum is not None and not f.required, shared.strings(f.name))
               for f in fields]  # fmt: skip
    props = (
        pc.binary_join_element_wise(*columns, ",", null_handling="skip")
        if columns
        else pa.array([""] * len(frame), type=pa.string())
    )
    geoms = _geometry_column(np.asarray(frame.geometry.values, dtype=object))
    return pc.binary_join_element_wise('{"type":"Feature","properties":{', props, '},"geometry":', geoms, "}", "")


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
        texts = _float_csv_texts(np.asarray(some, dtype=float), kind).to_pylist()
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


def _float_csv_texts(floats: np.ndarray, kind: str) -> pa.Array:
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


def _csv_cells(
    series: pd.Series, kind: str, true_false: tuple[str, str], strings: pa.DictionaryArray | None
) -> pa.Array:
    """The cells of a column of the CSV product (texts neutralised and quoted: :func:`_csv_cell`)."""
    if strings is not None:
        return _take_texts([_csv_cell(csv_text(u, kind, true_false)) for u in strings.dictionary.to_pylist()],
                           strings, "")  # fmt: skip
    none, some, found = _csv_values(series)
    if found == "floating" and kind != "boolean":  # numbers: nothing to neutralise (csvsafe.NUMBER) or quote
        return _scatter(_float_csv_texts(np.asarray(some, dtype=float), kind), ~none, "")
    codes, texts = _csv_texts(none, some, found, kind, true_false)
    return _take([_csv_cell(t) for t in texts], codes)


def _float_cells(values: np.ndarray) -> pa.Array:
    """The cells of a coordinate column of the CSV products: ``repr(float(v))``, ``""`` for NaN.

    As :func:`_csv_cell` would give them: the ``repr`` of a finite float is a number for
    :data:`odl_geo.csvsafe.NUMBER` (never neutralised) with nothing to quote; ``-inf`` is neutralised.
    """
    floats = np.asarray(values, dtype=float)
    cells = reprs(floats.tolist())
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
    columns: list[pa.Array] = []
    for f in fields:
        if f.name in extra:
            columns.append(_float_cells(extra[f.name]))
            continue
        columns.append(_csv_cells(frame[f.name], f.kind, true_false, shared.strings(f.name)))
    names = {f.name for f in fields}
    for name, values in extra.items():
        if name not in names:
            columns.append(_float_cells(values))
    row = pc.binary_join_element_wise(*columns, ",") if columns else pa.array([""] * len(frame), type=pa.string())
    return pc.binary_join_element_wise(row, "\n", "")


