"""Small helpers shared by the check families: building issues from a check, finding the columns to look at."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..report import Issue

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .registry import Check, CheckContext

__all__ = [
    "attribute_columns",
    "blank_mask",
    "blanks",
    "field_kind",
    "fields_named",
    "geometry_name",
    "issue",
    "norm",
    "strings",
    "text_columns",
]


def norm(name: str) -> str:
    flat = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", flat).strip("_")


def issue(
    check: Check,
    ctx: CheckContext,
    en: str,
    fr: str,
    rows: Sequence[int] | np.ndarray | None = None,
    count: int | None = None,
    hint: str | None = None,
) -> Issue:
    """An issue of ``check`` in ``ctx.layer``; ``rows`` are *all* the features concerned (the runner keeps them
    for the map preview, the report keeps five)."""
    if rows is None:
        examples: list[int] = []
    elif isinstance(rows, np.ndarray):
        examples = rows.astype(np.int64).tolist()
    else:
        examples = [int(i) for i in rows]
    return Issue(
        code=check.code,
        severity=check.severity,
        message=en,
        hint=check.help["en"] if hint is None else hint,
        layer=ctx.layer,
        count=count if count is not None else max(len(examples), 1),
        examples=examples,
        message_fr=fr,
    )


def memo(ctx: CheckContext) -> dict[str, object]:
    """A scratch dict shared by the checks of one context: checks of one family compute their common work
    (geometry hashes, lon/lat bounds, INSEE classification) once per layer. It lives and dies with the
    context (no module-level state keeping the last layer alive for the process)."""
    return ctx.scratch


def blank_mask(ctx: CheckContext, col: str) -> np.ndarray:
    """:func:`~odl_geo.values.is_blank` of a column of ``ctx.frame``, computed once per context (the required
    fields' checks, the identifiers' check and the streaming hooks of one chunk share it)."""
    cache: dict[str, np.ndarray] = memo(ctx).setdefault("blank", {})  # type: ignore[assignment]
    if col not in cache:
        cache[col] = blanks(ctx.frame[col])
    return cache[col]


def blanks(values: pd.Series) -> np.ndarray:
    """:func:`~odl_geo.values.is_blank` (null, NaN, or text made only of spaces), kept under this name for the
    checks; on an object column (a conformed layer's) it is one C-level pass over the present values."""
    from ..values import is_blank

    return is_blank(values)  # its object path is that pass (over the present values only)


def geometry_basics(ctx: CheckContext) -> dict[str, np.ndarray]:
    """The geometry array, the mask of present (non-null, non-empty) geometries and their type ids, computed once
    per layer; for all-point layers also ``x`` and ``y``."""
    scratch = memo(ctx)
    if "geometry" not in scratch:
        import shapely

        geoms = np.asarray(ctx.frame.geometry.values)
        types = shapely.get_type_id(geoms)  # -1 for null
        if np.isin(types, (-1, 0)).all():  # points: coordinates tell emptiness too (an empty point has NaN)
            x, y = shapely.get_x(geoms), shapely.get_y(geoms)
            present = (types == 0) & ~np.isnan(x)
            basics = {"geoms": geoms, "present": present, "types": types, "x": x, "y": y}
        else:
            present = types >= 0
            present[present] = ~shapely.is_empty(geoms[present])
            basics = {"geoms": geoms, "present": present, "types": types}
        scratch["geometry"] = basics
    result: dict[str, np.ndarray] = scratch["geometry"]  # type: ignore[assignment]
    return result


def geometry_name(frame: pd.DataFrame) -> str | None:
    """The active geometry column, or None for a table (a plain DataFrame or a GeoDataFrame without geometry)."""
    name = getattr(frame, "_geometry_column_name", None)
    return name if name in frame.columns else None


def attribute_columns(frame: pd.DataFrame) -> list[str]:
    geom = geometry_name(frame)
    return [c for c in frame.columns if c != geom]


def text_columns(frame: pd.DataFrame) -> list[str]:
    """Columns holding text (object or string dtype), geometry excluded."""
    out = []
    for c in attribute_columns(frame):
        dtype = frame[c].dtype
        if pd.api.types.is_string_dtype(dtype) or dtype is np.dtype(object):
            out.append(c)
    return out


def strings(series: pd.Series) -> pd.Series:
    """The text values of a column (lists, dicts, numbers and nulls left out), for per-value checks."""
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype is not np.dtype(object):
        return series.dropna()
    return series[series.map(lambda v: isinstance(v, str))]


def field_kind(ctx: CheckContext, name: str) -> str | None:
    if ctx.role is None:
        return None
    return next((f.kind for f in ctx.role.fields if f.name == name), None)


def fields_named(ctx: CheckContext, pattern: str, kinds: tuple[str, ...] = ()) -> list[str]:
    """Columns to check for a kind of value: the role's fields of ``kinds`` when a profile is known, else the
    columns whose normalised name matches ``pattern`` (e.g. ``date`` for dates, ``insee`` for INSEE codes)."""
    cols = attribute_columns(ctx.frame)
    if ctx.role is not None and kinds:
        wanted = [f.name for f in ctx.role.fields if f.kind in kinds]
        return [c for c in cols if c in wanted]
    rx = re.compile(pattern)
    return [c for c in cols if rx.search(norm(c))]
