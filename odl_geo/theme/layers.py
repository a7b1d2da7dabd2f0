"""A theme run's conformed layers as in-memory layers, written by the ordinary writers with no file in between.

``convert --theme`` once wrote its checked frames to a temporary GeoPackage, then converted that file like any
source: a second GeoPackage write (spatial index included), a re-open, a re-scan and a re-read of every row.
Here each frame becomes a :class:`~odl_geo.sources.layer.LayerSource` holding an Arrow table (WKB geometry),
which :class:`~odl_geo.normalise.pipeline.LayerStream` streams batch by batch to every writer. Values take the
types a GeoPackage would have given them (lists and dicts as JSON text, mixed columns as text), so the
products are the same as before.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from ..checks._common import geometry_name
from ..normalise.frames import wkb_of
from ..normalise.pipeline import GEOMETRY_COLUMN
from ..sources.layer import LayerSource

if TYPE_CHECKING:
    import geopandas as gpd

    from ..normalise.frames import SourceWkb

__all__ = ["frame_layer", "layers_of"]

_TYPE_NAMES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
               7: "GeometryCollection"}  # fmt: skip


def frame_layer(frame: pd.DataFrame, name: str, display: str, source: SourceWkb | None = None) -> LayerSource:
    """``frame`` (a checked GeoDataFrame, or a DataFrame for a table) as a layer named ``name``.

    :param source: the WKB the frame's geometries were read from: those left as they were are not encoded again.
    """
    geom = geometry_name(frame)
    geoms = np.asarray(frame[geom].values) if geom is not None else None
    has_geom = geoms is not None and not bool(shapely.is_missing(geoms).all())
    columns = [c for c in frame.columns if c != geom]
    arrays = [_column(frame[c]) for c in columns]
    names = [str(c) for c in columns]
    crs = getattr(frame, "crs", None) if has_geom else None
    geometry_type = None
    if has_geom:
        assert geoms is not None
        arrays.append(wkb_of(geoms, source))
        names.append(GEOMETRY_COLUMN)
        types = shapely.get_type_id(geoms)
        kinds = np.unique(types[types >= 0])
        geometry_type = _TYPE_NAMES.get(int(kinds[0]), "Unknown") if len(kinds) == 1 else "Unknown"
    table = pa.Table.from_arrays(arrays, names=names) if names else pa.table({})
    return LayerSource(
        name=name,
        display=display,
        gdal_path="",
        gdal_layer=None,
        driver="memory",
        geometry_type=geometry_type,
        feature_count=len(frame),
        fields=[(n, str(a.type)) for n, a in zip(names, arrays, strict=True) if n != GEOMETRY_COLUMN],
        crs=crs,
        crs_how="declared" if crs is not None else "none",
        table=table,
    )


def _column(series: pd.Series) -> pa.Array:
    """One column as Arrow: lists/dicts as JSON text (as GeoPackage stores them), mixed values and columns
    without any value as text."""
    array = _arrow(series)
    if pa.types.is_dictionary(array.type):  # a pandas category: its values
        array = array.dictionary_decode()
    if pa.types.is_null(array.type):
        return pa.nulls(len(array), pa.string())
    if pa.types.is_large_string(array.type):  # pandas' string dtype: the writers take plain strings
        return array.cast(pa.string())
    return array


def _arrow(series: pd.Series) -> pa.Array:
    """Typed columns keep their type; a column of Python objects becomes text as a GeoPackage field would
    (``str`` of each value: ``1`` -> ``"1"``, a date -> ``"2021-06-03"``), except date-times, which stay
    date-times (pyogrio writes them as such)."""
    if series.dtype != object:
        return pa.array(series, from_pandas=True)
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind == "datetime":
        return pa.array(pd.to_datetime(series).astype("datetime64[ms]"), from_pandas=True)
    if kind in ("string", "empty"):  # text and blanks only: Arrow converts them in C (None and NaN -> null)
        return pa.array(series.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    if kind in ("integer", "floating", "boolean"):
        fast = _numbers_as_text(series.to_numpy(dtype=object), kind)
        if fast is not None:
            return fast
    return pa.array(series.map(_text), type=pa.string(), from_pandas=True)


#: the Python types whose ``str`` :func:`_numbers_as_text` writes without calling it on every value
_INTEGERS = frozenset({int, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32})
_FLOATS = frozenset({float, np.float64})  # np.float32's str is not its float64's ("0.1", "0.10000000149011612")
_BOOLEANS = frozenset({bool, np.bool_})


def _numbers_as_text(values: np.ndarray, kind: str) -> pa.Array | None:
    """:func:`_text` of every value of a column of Python numbers (a conformed ``nombre``, ``debit``...), without
    a Python call per value: integers through Arrow's cast (the same digits as ``str``), floats through ``str`` of
    each distinct bit pattern (``0.0`` and ``-0.0`` stay apart), booleans as ``True``/``False``. None when the
    column holds a type whose text could differ (numpy float32, integers past 64 bits...): the caller maps it."""
    null = pd.isna(values)
    present = values[~null] if null.any() else values
    types = set(map(type, present))
    try:
        if kind == "integer" and types <= _INTEGERS:
            numbers = np.zeros(len(values), dtype=np.int64)
            numbers[~null] = np.asarray(present, dtype=np.int64)
            return pa.array(numbers, mask=null).cast(pa.string())
        if kind == "floating" and types <= _FLOATS:
            floats = np.asarray(present, dtype=np.float64)
            codes, distinct = pd.factorize(floats.view(np.int64))  # each bit pattern: -0.0 is not 0.0
            texts = pa.array([str(float(v)) for v in distinct.view(np.float64)], type=pa.string())
            # each row's text taken by Arrow from the distinct ones (no Python string per row); NaN is missing
            # (pd.isna), as _text has it
            return texts.take(_indices(codes, null))
        if kind == "boolean" and types <= _BOOLEANS:
            flags = np.asarray(present, dtype=bool).astype(np.int8)
            return _BOOLEAN_TEXTS.take(_indices(flags, null))
    except (OverflowError, ValueError, TypeError, pa.ArrowException):
        return None
    return None


#: ``str`` of False and True, taken by index
_BOOLEAN_TEXTS = pa.array(["False", "True"], type=pa.string())


def _indices(present: np.ndarray, null: np.ndarray) -> pa.Array:
    """Indices for Arrow's ``take``: ``present``'s, in order, at the rows that are not ``null``; null at those."""
    if not null.any():
        return pa.array(present)
    at = np.zeros(len(null), dtype=present.dtype)
    at[~null] = present
    return pa.array(at, mask=null)


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def layers_of(frames: list[tuple[gpd.GeoDataFrame, str, str]]) -> list[LayerSource]:
    """In-memory layers for ``(frame, name, display)`` triples, in order."""
    return [frame_layer(frame, name, display) for frame, name, display in frames]
