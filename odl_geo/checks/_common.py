"""Small helpers shared by the check families: building issues from a check, finding the columns to look at."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..report import Issue

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from .registry import Check, CheckContext

__all__ = [
    "attribute_columns",
    "blank_mask",
    "blanks",
    "column_memo",
    "field_kind",
    "fields_named",
    "follow",
    "geometry_name",
    "issue",
    "norm",
    "strings",
    "text_columns",
    "value_memo",
    "vertex_slices",
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


def column_memo(
    ctx: CheckContext,
    kind: str,
    col: str,
    compute: Callable[[pd.Series], np.ndarray],
    local: bool = False,
    first: Callable[[], np.ndarray] | None = None,
) -> np.ndarray:
    """``compute(ctx.frame[col])``, an array of one answer per row that depends on that row's value only (a blank
    mask, value hashes, the rows holding a tell-tale character...), computed once per context.

    Such answers follow the rows through the fixes (:func:`follow`): the context of a fixed frame starts with them,
    taken on the rows the fixes kept, for every column no fix changed, so the check again after ``--fix`` and
    the fixes themselves do not compute them again. ``kind`` names the answer (one per function).

    ``local``: ``compute`` gives each row the same answer on any part of the column holding it (a row's blank
    test looks at its value only), so a column a fix changed is answered again on the rows it changed only.

    ``first``: how to answer the whole column when nothing is known yet, when it can do so with less work than
    ``compute`` (from :func:`factorized`); the same answer."""
    scratch = memo(ctx)
    cache: dict[tuple[str, str], np.ndarray] = scratch.setdefault("rows", {})  # type: ignore[assignment]
    if local:
        scratch.setdefault("local", {})[kind] = compute  # type: ignore[index]
    key = (kind, col)
    found = cache.get(key)
    if found is None:
        found = cache[key] = first() if first is not None else compute(ctx.frame[col])
    return found


def factorized(ctx: CheckContext, col: str) -> tuple[np.ndarray, Any] | None:
    """``pd.factorize`` of an object column of ``ctx.frame`` (a code per row, -1 for a missing value; the
    distinct values), once per context. Why: the blank test, the value hashes of the duplicates' checks and
    commit, and the identifiers' check each factorised the same column, one hashing pass over its texts each
    (an identifier column of 20,000 distinct texts three times per chunk). None for a column of another dtype,
    or of values that cannot be hashed (lists, dicts). It follows the rows through the fixes as the per-row
    answers do (:func:`follow`): the codes of the rows kept, for the columns no fix changed (a value may then be
    in the distinct values without a row holding it)."""
    cache: dict[str, tuple[np.ndarray, Any] | None] = memo(ctx).setdefault("factorized", {})  # type: ignore[assignment]
    if col not in cache:
        values = ctx.frame[col]
        found = None
        if values.dtype == object and len(values):
            try:
                found = pd.factorize(values)
            except TypeError:  # lists, dicts: not hashable
                found = None
        cache[col] = found
    return cache[col]


def value_memo(ctx: CheckContext, kind: str) -> dict[object, object]:
    """A dict of answers that depend on a value alone (a text's date reading, an INSEE code's status in the
    context's area), shared by the checks and fixes of a context and the contexts of its fixed frames."""
    values: dict[str, dict[object, object]] = memo(ctx).setdefault("values", {})  # type: ignore[assignment]
    return values.setdefault(kind, {})


def follow(
    scratch: dict[str, object],
    kept: np.ndarray | None,
    changed: set[str],
    geometry: bool,
    frame: pd.DataFrame | None = None,
    rows_changed: dict[str, np.ndarray] | None = None,
) -> dict[str, object]:
    """What a context's scratch still says of ``frame``, a frame a fix made from its frame: the per-row answers of
    the columns the fix did not change (``changed``: column names, old and new names of renamed ones), taken on the
    rows it kept (``kept``: their positions in the old frame, in order; None for all), the per-value answers
    whole, and the geometry's answers when it changed no geometry (``geometry`` False).

    A fix that removes no row and names the rows it changed in a column (``rows_changed``) leaves that column's
    ``local`` answers (see :func:`column_memo`) true but on those rows: they are answered again on them only.

    The geometry's answers follow only when the kept rows would get the same kind of answers (a layer of points
    is looked at through its coordinates, any other through GEOS: rows kept from a mixed layer that are all points
    start afresh). The duplicates' analysis follows only a fix that changed nothing (it compares rows together)."""

    def take(a: Any) -> Any:
        return a if kept is None else a[kept]

    out: dict[str, object] = {}
    if "values" in scratch:
        out["values"] = scratch["values"]
    rows: dict[tuple[str, str], np.ndarray] = scratch.get("rows", {})  # type: ignore[assignment]
    local: dict[str, Callable[[pd.Series], np.ndarray]] = scratch.get("local", {})  # type: ignore[assignment]
    patch = rows_changed if kept is None and frame is not None and rows_changed else {}
    followed: dict[tuple[str, str], np.ndarray] = {}
    for (kind, col), a in list(rows.items()):
        if col not in changed:
            followed[kind, col] = take(a)
        elif kind in local and col in patch and col in frame.columns:  # type: ignore[union-attr]
            idx = patch[col]
            answers = a.copy()
            answers[idx] = local[kind](frame[col].iloc[idx])  # type: ignore[index]
            followed[kind, col] = answers
    out["rows"] = followed
    if local:
        out["local"] = local
    factors: dict[str, tuple[np.ndarray, Any] | None] = scratch.get("factorized", {})  # type: ignore[assignment]
    if factors:  # a factorisation's codes are per-row answers too; its distinct values stay a superset
        out["factorized"] = {
            col: None if f is None else (take(f[0]), f[1]) for col, f in factors.items() if col not in changed
        }
    basics = scratch.get("geometry")
    if geometry or not isinstance(basics, dict):
        return out
    if kept is not None and "x" not in basics and np.isin(basics["types"][kept], (-1, 0)).all():
        return out  # the rows kept are all points: their answers are those of a layer of points
    out["geometry"] = {k: take(v) for k, v in list(basics.items())}
    hashes = scratch.get("geometry_hashes")
    if isinstance(hashes, tuple):
        out["geometry_hashes"] = tuple(take(a) for a in hashes)
    where = scratch.get("placement")
    if isinstance(where, dict):
        out["placement"] = {k: take(v) for k, v in where.items()}
    if kept is None and not changed and "duplicates" in scratch:
        out["duplicates"] = scratch["duplicates"]
    known = scratch.get("candidate_hashes")
    if kept is None and isinstance(known, dict) and "rows" in known:  # the same rows: the columns left alone
        out["candidate_hashes"] = {
            "rows": known["rows"],
            "cols": {c: h for c, h in known["cols"].items() if c not in changed},
        }
    return out


def blank_mask(ctx: CheckContext, col: str) -> np.ndarray:
    """:func:`~odl_geo.values.is_blank` of a column of ``ctx.frame``, computed once per context (the required
    fields' checks, the identifiers' check and the streaming hooks of one chunk share it, and it follows the
    rows through the fixes: :func:`column_memo`)."""
    return column_memo(ctx, "blank", col, blanks, local=True, first=lambda: _factorized_blanks(ctx, col))


def _factorized_blanks(ctx: CheckContext, col: str) -> np.ndarray:
    """:func:`blanks` of a whole column, from its :func:`factorized` codes when it has them (the same answer:
    :func:`blanks` factorises an object column the same way)."""
    found = factorized(ctx, col)
    if found is None:
        return blanks(ctx.frame[col])
    codes, uniques = found
    out: np.ndarray = np.append(_blank_values(uniques), True)[codes]  # code -1 (missing): the True appended
    return out


def blanks(values: pd.Series) -> np.ndarray:
    """:func:`~odl_geo.values.is_blank` (null, NaN, or text made only of spaces), kept under this name for the
    checks; on an object column (a conformed layer's) it is one C-level pass over the present values."""
    from ..values import is_blank

    if values.dtype == object and len(values):
        # each distinct value tested once: factorising (the values' own hashes, in C) finds the missing ones and
        # the few distinct texts of a code or a name column; the same answers as is_blank (a test pins it)
        try:
            codes, uniques = pd.factorize(values)
        except TypeError:  # lists, dicts: not hashable
            return is_blank(values)
        out: np.ndarray = np.append(_blank_values(uniques), True)[codes]  # code -1 (missing): the True appended
        return out
    return is_blank(values)


def _blank_values(values: Any) -> np.ndarray:
    """:func:`_blank_text` of each of ``values`` (distinct values: a million in a million-row identifier column):
    for texts only, ``str.isspace`` called from C and a comparison with ``""``, not a Python call per value."""
    objects = np.asarray(values, dtype=object)
    try:
        spaces = np.fromiter(map(str.isspace, objects), dtype=bool, count=objects.size)
    except TypeError:  # not only texts (numbers, lists...): the test of each value
        return np.fromiter(map(_blank_text, objects), dtype=bool, count=objects.size)
    return spaces | (objects == "")


def _blank_text(v: object) -> bool:
    """A value made only of spaces (:func:`~odl_geo.values.is_blank`'s test of a present value)."""
    return isinstance(v, str) and (not v or v.isspace())


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
    geom = geometry_name(frame)
    # the dtypes all at once: a frame's column (``frame[c]``) costs ~0.1 ms, for each of 20-30 columns per chunk
    for c, dtype in zip(frame.columns, frame.dtypes, strict=True):
        if c == geom:
            continue
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


#: vertices a check turns into arrays of their own at a time (coordinates, normalised copies, WKB): ~3 MB of
#: temporaries, where a 10,000-zone chunk of a PPR holds ~450,000 vertices
SLICE_VERTICES = 65_536


def vertex_slices(geoms: np.ndarray, budget: int | None = None) -> Iterator[slice]:
    """Consecutive slices of ``geoms`` holding about ``budget`` (:data:`SLICE_VERTICES`) vertices each, a geometry
    larger than that alone in its slice: for work done geometry by geometry whose temporaries grow with the
    vertices (a chunk's every vertex at once was the largest temporary of a large PPR's checks)."""
    import shapely

    budget = SLICE_VERTICES if budget is None else budget
    ends = np.cumsum(shapely.get_num_coordinates(geoms))
    start = 0
    while start < len(geoms):
        before = int(ends[start - 1]) if start else 0
        stop = max(int(np.searchsorted(ends, before + budget, side="right")), start + 1)
        yield slice(start, stop)
        start = stop
