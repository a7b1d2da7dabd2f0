"""Text damaged by a wrong encoding: ``Ã©`` for ``é`` (fixable), or ``�`` where bytes were lost (not fixable)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..numbers import literal
from ..report import Issue, Severity
from . import fixes
from ._common import factorized, issue, memo, strings, text_columns
from .mojibake import MOJIBAKE, REPLACEMENT
from .registry import Check, CheckContext, Level, register

__all__ = ["TEXT_ENCODING_DAMAGED"]

#: a cheap first pass: every damaged value holds one of these (every MOJIBAKE match starts with Ã, Â or â€; a
#: lone â is French: château, pâturage — a trail's descriptions hold thousands)
_QUICK = "[\u00c3\u00c2\ufffd]|\u00e2\u20ac"


_TELLTALE = (b"\xc3\x83", b"\xc3\x82", b"\xc3\xa2", b"\xef\xbf\xbd")  # Ã Â â � in UTF-8


_QUICK_RX = re.compile(_QUICK)  # the rule; _object_hits finds its needles with str.find (same values)
_QUICK_NEEDLES = ("\u00c3", "\u00c2", "\ufffd", "\u00e2\u20ac")


def _may_hold_damage(values: pd.Series) -> bool:
    """False when an Arrow-backed text column cannot hold damage: none of the tell-tale characters occurs anywhere
    in its UTF-8 data buffer (a memory search, milliseconds for a million values)."""
    if not (pd.api.types.is_string_dtype(values.dtype) and values.dtype != object):
        return True
    try:
        import pyarrow as pa

        arr = values.array.__arrow_array__() if hasattr(values.array, "__arrow_array__") else pa.array(values)
        chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
        data = [c.buffers()[2] for c in chunks]
    except (TypeError, ValueError, IndexError):
        return True
    for buf in data:
        raw = b"" if buf is None else buf.to_pybytes()
        if any(t in raw for t in _TELLTALE):
            return True
    return False


def _object_hits(values: pd.Series, subclasses: bool = False) -> np.ndarray:
    """The values of an object column (a conformed layer's) holding a tell-tale (Ã, Â, �, â€): one search of the
    column's strings joined, its matches taken back to their values (a few milliseconds for 50,000 values, where
    a search of each value took ~60). In a column mixing text and other values, only ``str`` values are searched
    (``subclasses``: ``str`` subclasses too, as ``isinstance``; the fix looks at every text value)."""
    return _scan(values, subclasses)[0]


#: what ``infer_dtype`` (missing values skipped) says of a column holding no text at all
_NOT_TEXT = frozenset({"empty", "integer", "floating", "mixed-integer-float", "decimal", "boolean", "complex"})


def _scan(values: pd.Series | np.ndarray, subclasses: bool) -> tuple[np.ndarray, bool]:
    """:func:`_object_hits`, and whether the answer is the same with or without ``subclasses`` (True unless the
    column mixes text with other values). ``values``: a column, or an array of objects (a column's distinct
    values: no Series built for them)."""
    hit = np.zeros(len(values), dtype=bool)
    both = True
    texts = values if isinstance(values, np.ndarray) else values.to_numpy()
    idx: np.ndarray | None = None  # the rows of ``texts``, when not all of them
    try:  # a column of text without blanks (most of them): no need to look for the missing values first
        joined = "\x00".join(texts)
    except TypeError:
        if pd.api.types.infer_dtype(texts, skipna=True) in _NOT_TEXT:
            return hit, both  # numbers, booleans or nothing: no text to look at
        idx = np.flatnonzero(~np.asarray(pd.isna(values), dtype=bool))
        texts = texts[idx]
        try:
            joined = "\x00".join(texts)
        except TypeError:  # numbers, lists: their text values only
            if pd.api.types.infer_dtype(texts) not in ("mixed", "mixed-integer"):
                return hit, both  # no text at all (numbers, dates, booleans)
            both = False
            if subclasses:
                keep = np.fromiter((isinstance(v, str) for v in texts), dtype=bool, count=texts.size)
            else:
                keep = np.fromiter((type(v) is str for v in texts), dtype=bool, count=texts.size)
            idx, texts = idx[keep], texts[keep]
            joined = "\x00".join(texts)
    if joined.isascii():  # most columns (codes, dates, numbers as text): nothing to look for
        return hit, both
    found = []  # each tell-tale found by str.find (a C memory search; a regex class is ~20x slower)
    for ch in _QUICK_NEEDLES:
        at = joined.find(ch)
        while at >= 0:
            found.append(at)
            at = joined.find(ch, at + 1)
    if found:
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=texts.size) + 1
        starts = np.cumsum(lens) - lens
        at_rows = np.searchsorted(starts, found, side="right") - 1
        hit[at_rows if idx is None else idx[at_rows]] = True
    return hit, both


def _hits(values: pd.Series) -> np.ndarray:
    return _scan(values if values.dtype == object else values.astype(object), False)[0]


def _hits_sub(values: pd.Series) -> np.ndarray:
    return _scan(values if values.dtype == object else values.astype(object), True)[0]


def text_hits(ctx: CheckContext, col: str, subclasses: bool = False) -> np.ndarray:
    """:func:`_object_hits` of a column of ``ctx.frame`` (as objects), once per context for the check and its fix
    (and, for the columns no fix changed, for the check again after the fixes: :func:`._common.column_memo`)."""
    scratch = memo(ctx)
    cache: dict[tuple[str, str], np.ndarray] = scratch.setdefault("rows", {})  # type: ignore[assignment]
    # local (see column_memo): a fix writes plain str values, whose hits do not depend on the other values
    scratch.setdefault("local", {}).update(text_hits=_hits, text_hits_sub=_hits_sub)  # type: ignore[attr-defined]
    key = ("text_hits_sub" if subclasses else "text_hits", col)
    found = cache.get(key)
    if found is None:
        known = factorized(ctx, col)
        both, found = False, np.zeros(len(ctx.frame), dtype=bool)
        if known is not None:
            # each distinct value looked at once (a code, a commune, a type: a few texts in 20,000 rows); the
            # factorisation is shared with the blank test and the duplicates' hashes of the same column
            codes, uniques = known
            per_value, both = _scan(np.asarray(uniques, dtype=object), subclasses)
            found = np.append(per_value, False)[codes]  # code -1 (missing): no text
        if not both:  # no factorisation, or text mixed with other values (str subclasses are told apart then)
            values = ctx.frame[col]
            found, both = _scan(values if values.dtype == object else values.astype(object), subclasses)
        cache[key] = found
        if both:
            cache.setdefault(("text_hits", col), found)
            cache.setdefault(("text_hits_sub", col), found)
    return found


def _damaged(ctx: CheckContext) -> list[Issue]:
    out = []
    dtypes = dict(zip(ctx.frame.columns, ctx.frame.dtypes, strict=True))  # a column taken only when it has a hit
    for col in text_columns(ctx.frame):
        if dtypes[col] == np.dtype(object):  # (an unpickled frame's dtype is another instance)
            hit = text_hits(ctx, col)
            if not hit.any():
                continue
            values = ctx.frame[col][hit]
        elif not _may_hold_damage(values := ctx.frame[col]):
            continue
        elif pd.api.types.is_string_dtype(values.dtype):
            # Arrow-backed text: one vectorised regex pass (RE2) before looking at values one by one
            hit = values.str.contains(_QUICK, regex=True).fillna(False).to_numpy(dtype=bool)
            if not hit.any():
                continue
            values = values[hit]
        present = strings(values)
        if present.empty:
            continue
        uniques = list(pd.unique(present))
        damaged = [v for v in uniques if REPLACEMENT in v or MOJIBAKE.search(v)]  # source order: same report every run
        if not damaged:
            continue
        bad = np.flatnonzero(ctx.frame[col].isin(damaged).to_numpy())
        quoted = [repr(v[:40]) for v in damaged[:3]]
        sample = ", ".join(quoted)
        lost = any(REPLACEMENT in v for v in damaged)
        out.append(
            issue(
                TEXT_ENCODING_DAMAGED,
                ctx,
                "",
                "",
                bad,
                hint=("Some characters were lost (�): re-read the source with the right --encoding. " if lost else "")
                + "--fix decodes UTF-8 read as Windows-1252 again.",
            )
            .counted(
                f"{literal(col)}: {{n}} {{n:value shows|values show}} encoding damage, e.g. {literal(sample)}.",
                f"{literal(col)} : {{n}} {{n:valeur abîmée|valeurs abîmées}} par un mauvais encodage, p. ex. "
                f"{literal(sample)}.",
                n=int(bad.size),
            )
            .quoting(quoted, 3)
        )
    return out


TEXT_ENCODING_DAMAGED = register(
    Check(
        "TEXT_ENCODING_DAMAGED",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Texte abîmé par l'encodage", "en": "Text damaged by encoding"},
        {
            "fr": "« Ã© » au lieu de « é » : de l'UTF-8 lu comme du Windows-1252. --fix redécode ces valeurs ; si la "
            "source "
            "a été lue avec un mauvais --encoding, relancez plutôt sans.",
            "en": "'Ã©' instead of 'é': UTF-8 read as Windows-1252. --fix decodes these values again; if the source "
            "was "
            "read with a wrong --encoding, rather run again without it.",
        },
        _damaged,
        fix=fixes.fix_mojibake,
    )
)
