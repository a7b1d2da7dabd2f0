"""Duplicates: exact copies of a feature, features sharing one geometry, identifiers used twice.

Streaming (``convert --theme`` checks a layer chunk by chunk): a copy of a feature of an *earlier chunk* is a
duplicate too, and ``--fix`` removes it. What the earlier chunks hold is kept in ``ctx.carry`` as sorted arrays of
64-bit hashes: the geometries, each with 32 bits of its attributes' hash (:class:`._carry.PairSet`, 12 bytes a
feature + 1 to 2 for a bitmap; a table's rows: 64-bit hashes of their attributes) and each identifier field's
values (:class:`._carry.HashSet`, 9 to 10 bytes): ~23 bytes a feature for a water layer.
``run`` and the fix read them; ``commit`` adds a final chunk's rows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from ..numbers import literal
from ..report import Issue, Severity
from ..values import is_blank
from . import fixes
from ._carry import CHUNKED, HashSet, PairSet, add_hashes, hashes_in
from ._common import (
    attribute_columns,
    blank_mask,
    column_memo,
    factorized,
    geometry_basics,
    geometry_name,
    issue,
    memo,
    norm,
    vertex_slices,
)
from .registry import Check, CheckContext, Level, register

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DUPLICATE_FEATURE",
    "DUPLICATE_GEOMETRY",
    "DUPLICATE_ID",
    "duplicate_rows",
    "exact_duplicates",
    "id_columns",
]

_ID_NAMES = ("id", "identifiant", "id_local", "gid", "objectid", "fid", "uuid")
#: carry keys: the geometries of the earlier chunks with 32 bits of their attributes' hash (a PairSet), the
#: attributes of a table's rows (no geometry), an identifier field's values
GEOMETRIES = "duplicates.geometry"
FEATURES = "duplicates.feature"
IDS = "duplicates.id."
#: the identifiers already counted as used by several features (their hashes): a later chunk's repeat of one of
#: them is a repeat, not one more identifier used twice
SHARED_IDS = "duplicates.shared_id."
#: key suffixes of the rows a fix changed or removed: ``READ`` their versions as read, ``FIXED`` as fixed; the key
#: itself holds the rows no fix changed. A chunk's first check (its rows as read, before any fix) compares them
#: with the earlier rows *as read* (key + READ), its fixes and its check again with them *as fixed* (key + FIXED),
#: as a whole layer's first check and fixes do (a later copy of a row an earlier chunk's fix changed is a copy).
READ, FIXED = ".read", ".fixed"
#: the context of the chunk checked as read, until its commit (the checks after it see the chunk as fixed)
AS_READ = "duplicates.as_read"
_MIX = np.uint64(0x9E3779B97F4A7C15)
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)


def _point_hashes(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A hash of the two coordinates' bits (+0.0 and -0.0 made equal), no WKB needed."""
    x = np.asarray(x, dtype=np.float64) + 0.0
    y = np.asarray(y, dtype=np.float64) + 0.0
    h: np.ndarray = x.view(np.uint64) * _MIX ^ y.view(np.uint64)
    return h


def _geometry_hashes(frame: pd.DataFrame, basics: dict[str, np.ndarray] | None = None
                     ) -> tuple[np.ndarray, np.ndarray] | None:  # fmt: skip
    """A 64-bit hash of each geometry (normalised, so that ring order and start point do not matter), and the mask
    of features that have one. Points are hashed from their coordinates, without WKB, in a layer of points or not
    (so that a point hashes the same in every chunk of a layer)."""
    if geometry_name(frame) is None:
        return None
    if basics is None:
        basics = geometry_basics(CheckContext(frame, ""))
    geoms, present = basics["geoms"], basics["present"]
    if "x" in basics:
        return _point_hashes(basics["x"], basics["y"]), present
    h = np.empty(len(geoms), dtype=np.uint64)
    for part in vertex_slices(geoms):  # the normalised copies and their WKB a slice at a time: ~3 MB, not ~20
        wkb = np.asarray(shapely.to_wkb(shapely.normalize(geoms[part])), dtype=object)
        wkb[~present[part]] = b""
        h[part] = pd.util.hash_array(wkb)
    points = np.flatnonzero(present & (basics["types"] == 0))
    if points.size:
        h[points] = _point_hashes(shapely.get_x(geoms[points]), shapely.get_y(geoms[points]))
    return h, present


def _number_bits(values: pd.Series) -> np.ndarray:
    """Numbers as 64 bits that do not depend on the column's dtype: ``5`` and ``5.0`` alike (a chunk may read a
    column as integers, the next one as floats because of a blank)."""
    if pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        return values.to_numpy(dtype=np.int64).view(np.uint64).copy()
    x = values.to_numpy(dtype=np.float64, na_value=np.nan) + 0.0
    out = x.view(np.uint64).copy()
    whole = np.isfinite(x) & (np.abs(x) < 2.0**62)
    whole[whole] = x[whole] == np.trunc(x[whole])
    out[whole] = x[whole].astype(np.int64).view(np.uint64)
    out[np.isnan(x)] = _MISSING
    return out


def _numeric(values: pd.Series) -> bool:
    dtype = values.dtype
    return (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)) and not (
        pd.api.types.is_object_dtype(dtype)
    )


_MISSING = np.uint64(0x5555555555555555)  # a blank (None, NaN, NA): every blank alike
_NUMBERS = frozenset({"integer", "floating", "mixed-integer-float", "decimal", "boolean"})


def _one(v: object) -> int:
    """The hash of one value of a column of mixed kinds (text and lists...), as the vectorised ones give it: text
    by Python's hash, numbers by their bits (:func:`_number_bits`), anything else by its repr."""
    if isinstance(v, str):
        return hash(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and -(2**63) <= v < 2**63:
        return int(v)
    if isinstance(v, (float, np.floating)):
        if np.isnan(v):
            return int(_MISSING.view(np.int64))
        f = float(v) + 0.0
        if np.isfinite(f) and abs(f) < 2.0**62 and f == int(f):
            return int(f)
        return int(np.float64(f).view(np.int64))
    return hash(repr(v))


def _value_hashes(values: pd.Series, factors: Callable[[], tuple[np.ndarray, Any] | None] | None = None) -> np.ndarray:
    """A 64-bit hash of each value of a column, equal for equal values in every chunk of a layer, whatever dtype
    the chunk's column has: numbers by :func:`_number_bits`, text by Python's own string hash (computed in C,
    ten times faster than hashing bytes; the carry lives in one process, so its per-process seed is no matter),
    lists and dicts by their repr. Blanks share one hash.

    ``factors``: gives ``pd.factorize(values)`` when it is known already (:func:`._common.factorized`), for a
    column of text objects: the distinct texts are then hashed without factorising the column again."""
    if _numeric(values):
        return _number_bits(values)
    n = len(values)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in _NUMBERS:
        return _number_bits(pd.to_numeric(values.astype(object), errors="coerce"))
    if kind in ("string", "empty") and not pd.api.types.is_object_dtype(values.dtype) and n:
        # Arrow text: few distinct values (a type, a state) are hashed once each
        codes, uniques = pd.factorize(values)
        if not len(uniques):
            return np.full(n, _MISSING, dtype=np.uint64)
        hashed = np.fromiter(map(hash, uniques.to_numpy(dtype=object)), dtype=np.int64, count=len(uniques))
        out = np.where(codes >= 0, hashed.view(np.uint64)[np.maximum(codes, 0)], _MISSING)
        return np.asarray(out, dtype=np.uint64)  # (many distinct values too: factorised once, not twice)
    if kind == "string" and n:
        # text objects (a conformed layer's): factorising finds the blanks and the distinct values in one pass (the
        # strings' own cached hashes), then each distinct text is hashed once, as below
        known = factors() if factors is not None and values.dtype == object else None
        codes, uniques = known if known is not None else pd.factorize(values)
        hashed = np.fromiter(map(hash, uniques), dtype=np.int64, count=len(uniques)).view(np.uint64)
        return np.where(codes >= 0, hashed[np.maximum(codes, 0)] if len(uniques) else _MISSING, _MISSING)
    missing = np.asarray(pd.isna(values), dtype=bool)
    out = np.full(n, _MISSING, dtype=np.uint64)
    if missing.all():  # a schema field the source does not fill: nothing to hash
        return out
    obj = values.to_numpy(dtype=object)
    if missing.any():
        obj = obj[~missing]
    func = hash if kind in ("string", "empty") else _one
    out[~missing] = np.fromiter(map(func, obj), dtype=np.int64, count=obj.size).view(np.uint64)
    return out


def _mix(acc: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Fold a column's hashes into the row hashes (splitmix64's finaliser: column order matters, bits spread)."""
    z: np.ndarray = acc * _MIX + h
    z = (z ^ (z >> np.uint64(30))) * _MIX2
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _hash_columns(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """One 64-bit hash per row of the values of ``cols`` (:func:`_value_hashes`)."""
    acc = np.zeros(len(frame), dtype=np.uint64)
    for c in cols:
        acc = _mix(acc, _value_hashes(frame[c]))
    return acc


def _column_hashes(ctx: CheckContext, col: str) -> np.ndarray:
    """:func:`_value_hashes` of a column of ``ctx.frame``, computed once per context (the identifiers' check and
    the commit hooks of one chunk share them; they follow the rows through the fixes: a column no fix changed is
    not hashed again for the chunk's commit)."""
    return column_memo(ctx, "value_hashes", col, _value_hashes,
                       first=lambda: _value_hashes(ctx.frame[col], lambda: factorized(ctx, col)))  # fmt: skip


def _attr32(attributes: np.ndarray) -> np.ndarray:
    """32 bits of the attributes' hashes (their top bits, well mixed by :func:`_mix`), kept with each geometry."""
    return np.asarray(attributes >> np.uint64(32), dtype=np.uint32)


def _candidate_hashes(
    frame: pd.DataFrame, cols: list[str], candidates: np.ndarray, known: dict[str, Any] | None
) -> np.ndarray:
    """:func:`_hash_columns` of the ``candidates`` rows; ``known`` (a context's scratch entry) keeps each column's
    hashes of these rows, so that the duplicates' fix, which sees the same candidates (the fixes before it change
    no geometry and remove no row), hashes again only the columns those fixes changed (see ``_common.follow``)."""
    if known is None:
        return _hash_columns(frame.iloc[candidates], cols)
    if "rows" not in known or not np.array_equal(known["rows"], candidates):
        known.clear()
        known.update(rows=candidates, cols={})
    hashed: dict[str, np.ndarray] = known["cols"]
    acc = np.zeros(candidates.size, dtype=np.uint64)
    for c in cols:
        h = hashed.get(c)
        if h is None:
            h = hashed[c] = _value_hashes(frame[c].iloc[candidates])
        acc = _mix(acc, h)
    return acc


def _analyse(
    frame: pd.DataFrame,
    geo: tuple[np.ndarray, np.ndarray] | None,
    carry: dict[str, object] | None = None,
    known: dict[str, Any] | None = None,
    column_hashes: Callable[[str], np.ndarray] | None = None,
    phase: str = FIXED,
) -> tuple[np.ndarray, np.ndarray]:
    """(exact duplicates, same geometry with other attributes), each as "repeats an earlier row" masks; with
    ``carry``, the rows of the layer's earlier chunks are earlier rows too.

    Only rows whose geometry occurs twice can be exact copies, so attributes are hashed for those rows only
    (a table without geometry hashes them all).

    :param geo: :func:`_geometry_hashes` of ``frame`` (None for a table).
    :param column_hashes: a column's :func:`_value_hashes` on every row, when they are wanted anyway (a streamed
        layer's commit hashes every row of every column): the candidates' are taken from them.
    :param phase: ``READ``: ``frame`` is a chunk as read, compared with the earlier chunks' rows as read;
        ``FIXED``: a chunk being fixed or fixed, compared with them as fixed (see :func:`_commit_features`).
    """
    n = len(frame)
    carry = carry or {}
    cols = attribute_columns(frame)
    if geo is None:
        if not cols:
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        keys = _hash_columns(frame, cols)
        exact = np.array(pd.Series(keys).duplicated(keep="first"), dtype=bool)
        for key in (FEATURES, FEATURES + phase):
            exact |= hashes_in(carry, key, keys)
        return exact, np.zeros(n, dtype=bool)
    h, present = geo
    keyed = np.where(present, h, 0)
    later_geom = np.array(pd.Series(keyed).duplicated(keep="first"), dtype=bool) & present
    same_geom = np.isin(keyed, np.unique(keyed[later_geom])) & present if later_geom.any() else later_geom.copy()
    sets = [s for s in (carry.get(GEOMETRIES), carry.get(GEOMETRIES + phase)) if isinstance(s, PairSet)]
    earlier = np.zeros(n, dtype=bool)
    for seen in sets:
        earlier |= seen.contains(h)
    earlier &= present
    if earlier.any():  # the geometry of a feature of an earlier chunk
        later_geom |= earlier
        same_geom |= earlier
    exact = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero(same_geom)
    if candidates.size:
        if column_hashes is not None:
            attrs = np.zeros(candidates.size, dtype=np.uint64)
            for c in cols:
                attrs = _mix(attrs, column_hashes(c)[candidates])
        else:
            attrs = _candidate_hashes(frame, cols, candidates, known)
        combined = pd.DataFrame({"g": h[candidates], "a": attrs})
        exact[candidates] = combined.duplicated(keep="first").to_numpy()
        for seen in sets:  # a copy of a feature of an earlier chunk: its geometry and attributes
            exact[candidates] |= earlier[candidates] & seen.contains_pairs(h[candidates], _attr32(attrs))
    return exact, later_geom & ~exact


def _geometry_cached(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`_geometry_hashes` of ``ctx.frame``, once per context (the checks and the commit hook share it)."""
    scratch = memo(ctx)
    if "geometry_hashes" not in scratch:
        basics = geometry_basics(ctx) if geometry_name(ctx.frame) is not None else None
        scratch["geometry_hashes"] = _geometry_hashes(ctx.frame, basics)
    result: tuple[np.ndarray, np.ndarray] | None = scratch["geometry_hashes"]  # type: ignore[assignment]
    return result


def duplicate_rows(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray]:
    """(exact duplicates, same geometry with other attributes) of ``ctx.frame`` (:func:`_analyse`), once per
    context: the checks and the fix of the same frame share them."""
    scratch = memo(ctx)
    if "duplicates" not in scratch:
        known: dict[str, Any] = scratch.setdefault("candidate_hashes", {})  # type: ignore[assignment]
        # a streamed layer's chunk: its commit hashes every row of every column, so the candidates' hashes are
        # taken from those (computed once, following the rows through the fixes) rather than computed apart
        whole = (lambda col: _column_hashes(ctx, col)) if ctx.carry.get(CHUNKED) else None
        as_read = bool(ctx.carry.get(CHUNKED)) and AS_READ not in ctx.carry
        if as_read:  # the chunk's first check: the commit compares its rows as read with the final ones
            ctx.carry[AS_READ] = ctx
        scratch["duplicates"] = _analyse(ctx.frame, _geometry_cached(ctx), ctx.carry, known, whole,
                                         READ if as_read else FIXED)  # fmt: skip
    result: tuple[np.ndarray, np.ndarray] = scratch["duplicates"]  # type: ignore[assignment]
    return result


def exact_duplicates(frame: pd.DataFrame, carry: dict[str, object] | None = None) -> np.ndarray:
    """Rows that repeat an earlier row (of ``frame``, or of the earlier chunks ``carry`` recorded) in every
    attribute and in geometry."""
    return _analyse(frame, _geometry_hashes(frame), carry)[0]


def _row_attributes(ctx: CheckContext) -> np.ndarray:
    """One hash per row of ``ctx.frame``'s attributes (values only: a field renamed hashes alike)."""
    attrs = np.zeros(len(ctx.frame), dtype=np.uint64)
    for col in attribute_columns(ctx.frame):
        attrs = _mix(attrs, _column_hashes(ctx, col))
    return attrs


def _pairs(ctx: CheckContext, geo: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(keys, values, one 64-bit hash of both) of the rows ``ctx.carry`` records: (geometry, 32 bits of the
    attributes) of the rows with a geometry, or (attributes, 0) of a table's rows."""
    attrs = _row_attributes(ctx)
    if geo is None:
        values = np.zeros(attrs.size, dtype=np.uint32)
        return attrs, values, attrs
    h, present = geo
    keys, values = h[present], _attr32(attrs[present])
    return keys, values, _mix(keys, values.astype(np.uint64))


def _add_pairs(carry: dict[str, object], key: str, keys: np.ndarray, values: np.ndarray, table: bool) -> None:
    if not keys.size:
        return
    if table:
        add_hashes(carry, key, keys)
        return
    seen = carry.get(key)
    if not isinstance(seen, PairSet):
        seen = carry[key] = PairSet()
    seen.add_pairs(keys, values)


def _commit_features(ctx: CheckContext) -> None:
    """Record a final chunk's geometries and features in ``ctx.carry``, for the next chunks' copies of them.

    When fixes changed the chunk, the rows they changed or removed are recorded apart, as read (``READ``) and as
    fixed (``FIXED``): the next chunks' first checks see the earlier rows as read, their fixes and checks after
    the fixes see them as fixed (the rows no fix changed, the usual case, are recorded once)."""
    table = geometry_name(ctx.frame) is None
    if table and not attribute_columns(ctx.frame):
        ctx.carry.pop(AS_READ, None)
        return
    base = FEATURES if table else GEOMETRIES
    read = ctx.carry.pop(AS_READ, None)
    if (
        not isinstance(read, CheckContext)
        or read.frame is ctx.frame
        or len(attribute_columns(read.frame)) != len(attribute_columns(ctx.frame))
    ):
        keys, values, _ = _pairs(ctx, _geometry_cached(ctx))
        _add_pairs(ctx.carry, base, keys, values, table)  # no fix changed a row (or none was checked as read)
        return
    geo, read_geo = _geometry_cached(ctx), _geometry_cached(read)
    if len(read.frame) == len(ctx.frame) and (geo is None) == (read_geo is None):
        _commit_aligned(ctx, read, geo, read_geo, base)
        return
    # rows removed: the rows as read and as fixed matched by value
    keys, values, both = _pairs(ctx, geo)
    read_keys, read_values, read_both = _pairs(read, read_geo)
    # (pandas' hash table: ~0.6 ms for two chunks of 20,000 rows, where numpy's isin sorts them: ~11 ms)
    fixed = ~pd.Index(both).isin(read_both)  # rows a fix changed, as fixed
    _add_pairs(ctx.carry, base, keys[~fixed], values[~fixed], table)
    _add_pairs(ctx.carry, base + FIXED, keys[fixed], values[fixed], table)
    gone = ~pd.Index(read_both).isin(both)  # rows a fix changed or removed, as read
    _add_pairs(ctx.carry, base + READ, read_keys[gone], read_values[gone], table)


def _commit_aligned(
    ctx: CheckContext,
    read: CheckContext,
    geo: tuple[np.ndarray, np.ndarray] | None,
    read_geo: tuple[np.ndarray, np.ndarray] | None,
    base: str,
) -> None:
    """:func:`_commit_features` of a chunk whose fixes removed no row: row i as read is row i as fixed. The rows
    that differ are found column by column (a column no fix changed has the same hashes, the same array most
    often: not compared), and only they are hashed as read."""
    cols, read_cols = attribute_columns(ctx.frame), attribute_columns(read.frame)
    diff = np.zeros(len(ctx.frame), dtype=bool)
    for col, read_col in zip(cols, read_cols, strict=True):
        now, was = _column_hashes(ctx, col), _column_hashes(read, read_col)
        if now is not was:
            diff |= now != was
    if geo is not None and read_geo is not None and geo[0] is not read_geo[0]:
        diff |= (geo[0] != read_geo[0]) | (geo[1] != read_geo[1])
    attrs = _row_attributes(ctx)
    read_attrs = np.zeros(int(np.count_nonzero(diff)), dtype=np.uint64)
    for read_col in read_cols:
        read_attrs = _mix(read_attrs, _column_hashes(read, read_col)[diff])
    if geo is None or read_geo is None:  # a table: its rows' attributes
        _add_pairs(ctx.carry, base, attrs[~diff], np.zeros(0, dtype=np.uint32), True)
        _add_pairs(ctx.carry, base + FIXED, attrs[diff], np.zeros(0, dtype=np.uint32), True)
        _add_pairs(ctx.carry, base + READ, read_attrs, np.zeros(0, dtype=np.uint32), True)
        return
    (h, present), (read_h, read_present) = geo, read_geo
    kept, fixed = ~diff & present, diff & present
    _add_pairs(ctx.carry, base, h[kept], _attr32(attrs[kept]), False)
    _add_pairs(ctx.carry, base + FIXED, h[fixed], _attr32(attrs[fixed]), False)
    was_present = read_present[diff]
    _add_pairs(ctx.carry, base + READ, read_h[diff][was_present], _attr32(read_attrs[was_present]), False)


def _duplicate_features(ctx: CheckContext) -> list[Issue]:
    dup = np.flatnonzero(duplicate_rows(ctx)[0])
    if not dup.size:
        return []
    return [
        issue(DUPLICATE_FEATURE, ctx, "", "", dup).counted(
            "{n} {n:feature is an exact copy|features are exact copies} of an earlier one.",
            "{n} {n:objet est une copie exacte|objets sont des copies exactes} d'un objet précédent.",
            n=int(dup.size),
        )
    ]


def _duplicate_geometries(ctx: CheckContext) -> list[Issue]:
    bad = np.flatnonzero(duplicate_rows(ctx)[1])
    if not bad.size:
        return []
    return [
        issue(DUPLICATE_GEOMETRY, ctx, "", "", bad).counted(
            "{n} {n:feature has|features have} the same geometry as an earlier one, with other attributes.",
            "{n} {n:objet a|objets ont} la même géométrie qu'un objet précédent, avec d'autres attributs.",
            n=int(bad.size),
        )
    ]


def _repeats(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For integer codes (-1 = missing): (value shared with another row, repeats an earlier row).

    Counting is one pass; only the (usually few) shared rows are then ordered to find the repeats.
    """
    shared = np.zeros(codes.size, dtype=bool)
    later = np.zeros(codes.size, dtype=bool)
    valid = codes >= 0
    if not valid.any():
        return shared, later
    counts = np.bincount(codes[valid])
    shared[valid] = counts[codes[valid]] > 1
    idx = np.flatnonzero(shared)
    if idx.size:
        later[idx] = np.array(pd.Series(codes[idx]).duplicated(keep="first"), dtype=bool)
    return shared, later


def _all_distinct(codes: np.ndarray) -> bool:
    """No value missing, none used twice. ``codes`` may be those of the rows a fix kept (:func:`._common.follow`):
    not dense then (``[0, 0, 2]`` has its largest code + 1 equal to its length, and a repeat)."""
    return bool(codes.min() >= 0 and np.bincount(codes).max() == 1)


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of the values (-1 for missing), one hashing pass."""
    return np.asarray(pd.factorize(values)[0])


def id_columns(ctx: CheckContext) -> list[str]:
    """The identifier fields: the role's ``unique`` fields, or a column named like an identifier."""
    cols = attribute_columns(ctx.frame)
    if ctx.role is not None:
        return [f.name for f in ctx.role.fields if f.unique and f.name in cols]
    return [c for c in cols if norm(c) in _ID_NAMES][:1]


def _duplicate_ids(ctx: CheckContext) -> list[Issue]:
    out = []
    for col in id_columns(ctx):
        values = ctx.frame[col]
        known = factorized(ctx, col)  # one hashing pass decides the usual case: all distinct
        codes = known[0] if known is not None else _codes(values)
        earlier = ctx.carry.get(IDS + col)  # the values of the layer's earlier chunks
        if not isinstance(earlier, HashSet) or not len(earlier):
            if not codes.size or _all_distinct(codes):
                continue
            shared, later = _repeats(codes)
            idx = np.flatnonzero(shared)
            blank = np.zeros(len(values), dtype=bool)
            blank[idx] = is_blank(values.iloc[idx])  # blank text is "no identifier", not a shared one
        else:
            shared, later = _repeats(codes)
            blank = blank_mask(ctx, col)
            seen = hashes_in(ctx.carry, IDS + col, _column_hashes(ctx, col))  # used by an earlier chunk's feature
            shared, later = shared | seen, later | seen
        dup, later = shared & ~blank, later & ~blank
        bad = np.flatnonzero(later)
        if not bad.size:
            continue
        shared = pd.unique(values[dup].astype(str))
        quoted = [repr(v) for v in shared[:3]]
        sample = literal(", ".join(quoted))
        ids = len(shared)
        if ctx.carry.get(CHUNKED):
            # a chunk of a streamed layer counts the identifiers it is the first to see used twice (each has a
            # repeat here): summed over the chunks, the layer's count; the commit records them
            repeated = np.unique(_column_hashes(ctx, col)[later])
            memo(ctx).setdefault("id_repeats", {})[col] = repeated  # type: ignore[index]
            ids = int(np.count_nonzero(~hashes_in(ctx.carry, SHARED_IDS + col, repeated)))
        name = literal(col)
        out.append(
            issue(DUPLICATE_ID, ctx, "", "", bad)
            .counted(
                f"{name}: {{ids}} {{ids:identifier is|identifiers are}} used by several features ({{repeats}} "
                f"{{repeats:repeat|repeats}}), e.g. {sample}.",
                f"{name} : {{ids}} {{ids:identifiant utilisé|identifiants utilisés}} par plusieurs objets ({{repeats}} "
                f"{{repeats:répétition|répétitions}}), p. ex. {sample}.",
                ids=ids,
                repeats=int(bad.size),
            )
            .quoting(quoted, 3)
        )
    return out


def _commit_ids(ctx: CheckContext) -> None:
    """Record a final chunk's identifiers in ``ctx.carry`` (blanks too, a few hashes: ``run`` never counts a
    blank as an identifier, so they are not looked for)."""
    repeats: dict[str, np.ndarray] = memo(ctx).get("id_repeats", {})  # type: ignore[assignment]
    for col in id_columns(ctx):
        add_hashes(ctx.carry, IDS + col, _column_hashes(ctx, col))
        if col in repeats and repeats[col].size:  # counted by this chunk: a later repeat is not a new one
            add_hashes(ctx.carry, SHARED_IDS + col, repeats[col])


DUPLICATE_FEATURE = register(
    Check(
        "DUPLICATE_FEATURE",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Objet en double", "en": "Duplicate feature"},
        {
            "fr": "Même géométrie et mêmes attributs qu'un objet précédent. --fix retire les copies (le premier est "
            "gardé).",
            "en": "Same geometry and attributes as an earlier feature. --fix removes the copies (the first is kept).",
        },
        _duplicate_features,
        fix=fixes.drop_duplicate_features,
        commit=_commit_features,
    )
)
DUPLICATE_GEOMETRY = register(
    Check(
        "DUPLICATE_GEOMETRY",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Géométrie en double", "en": "Duplicate geometry"},
        {
            "fr": "Plusieurs objets au même endroit avec des attributs différents : doublon de saisie, ou plusieurs "
            "informations au même lieu (repères de plusieurs crues) ; à vérifier, pas de correction automatique.",
            "en": "Several features at one place with different attributes: a data-entry duplicate, or several facts "
            "at "
            "one place (marks of several floods); to check, no automatic fix.",
        },
        _duplicate_geometries,
        commit=_commit_features,
    )
)
DUPLICATE_ID = register(
    Check(
        "DUPLICATE_ID",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Identifiant en double", "en": "Duplicate identifier"},
        {
            "fr": "Un identifiant doit désigner un seul objet : les réutilisateurs s'en servent pour suivre les "
            "mises à jour.",
            "en": "An identifier must name one feature: re-users rely on it to follow updates.",
        },
        _duplicate_ids,
        commit=_commit_ids,
    )
)
