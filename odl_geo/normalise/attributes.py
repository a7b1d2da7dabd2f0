"""Attribute clean-ups on Arrow columns: HTML entities, French decimal commas."""

from __future__ import annotations

import html
import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["decimal_comma_columns", "to_float_decimal_comma", "unescape_html"]

_DECIMAL_COMMA = r"^\s*[-+]?\d+(,\d+)?\s*$"
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});")


def is_text(col: pa.Array | pa.ChunkedArray) -> bool:
    return pa.types.is_string(col.type) or pa.types.is_large_string(col.type)


@lru_cache(maxsize=4096)
def _decoded(entity: str) -> str:
    """One entity's text, decoded once: a trail description repeats the same few entities thousands of times."""
    return html.unescape(entity)


def _decode_entity(match: re.Match[str]) -> str:
    return _decoded(match.group(0))


def unescape_html(col: pa.Array) -> tuple[pa.Array, int]:
    """Decode HTML entities; returns the column and how many values changed.

    Only complete entities (``&eacute;``, ``&#233;``) are decoded: ``html.unescape`` alone also decodes the
    legacy forms without ``;``, which turns the query string ``?id=3&region=oc`` of a URL into ``?id=3®ion=oc``.

    Only the rows holding an entity (found by Arrow's RE2) are decoded, each distinct one once, and put back in
    place by Arrow: the rows of a trail repeat its few descriptions, which the whole column used to be copied to
    Python for, then decoded row by row. (RE2's digits are ASCII ones, Python's any Unicode digit: a row RE2 leaves
    out could only hold ``&#`` + other digits + ``;``, which :func:`html.unescape` leaves as it is too.)
    """
    if not is_text(col):
        return col, 0
    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    hit = pc.fill_null(pc.match_substring_regex(col, _ENTITY.pattern), False)
    if not pc.any(hit).as_py():
        return col, 0
    encoded = pc.dictionary_encode(col.filter(hit))
    texts = encoded.dictionary.to_pylist()
    sub = _ENTITY.sub
    decoded = [sub(_decode_entity, v) for v in texts]
    differs = np.fromiter((a != b for a, b in zip(texts, decoded, strict=True)), dtype=bool, count=len(texts))
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    changed = int(np.count_nonzero(differs[indices]))
    if not changed:
        return col, 0
    rows = pa.array(decoded, type=col.type).take(encoded.indices)
    return pc.replace_with_mask(col, hit, rows), changed


def decimal_comma_columns(batch: pa.RecordBatch, skip: set[str]) -> list[str]:
    """Text columns whose every value is a number written with a decimal comma ("3,87576")."""
    found = []
    for name in batch.schema.names:
        col = batch.column(name)
        if name in skip or not is_text(col) or col.null_count == len(col):
            continue
        valid = pc.drop_null(col)
        if (
            pc.all(pc.match_substring_regex(valid, _DECIMAL_COMMA)).as_py()
            and pc.any(pc.match_substring(valid, ",")).as_py()
        ):
            found.append(name)
    return found


def to_float_decimal_comma(col: pa.Array) -> tuple[pa.Array, int]:
    """Floats from decimal-comma text; values that are not numbers become null (returned count)."""
    text = pc.utf8_trim_whitespace(pc.replace_substring(col, ",", "."))
    ok = pc.match_substring_regex(text, r"^[-+]?\d+(\.\d+)?$")
    bad = int(pc.sum(pc.and_(pc.invert(ok), pc.is_valid(col))).as_py() or 0)
    cleaned = pc.if_else(ok, text, pa.scalar(None, pa.string()))
    return pc.cast(cleaned, pa.float64()), bad
