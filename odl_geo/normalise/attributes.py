"""Attribute clean-ups on Arrow columns: HTML entities, French decimal commas."""

from __future__ import annotations

import html
import re
from functools import lru_cache

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
    """
    if not is_text(col) or not pc.any(pc.match_substring_regex(col, _ENTITY.pattern)).as_py():
        return col, 0
    values = col.to_pylist()
    sub = _ENTITY.sub
    out = [sub(_decode_entity, v) if v and "&" in v else v for v in values]
    changed = sum(1 for a, b in zip(values, out, strict=True) if a is not b and a != b)
    return pa.array(out, type=col.type), changed


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
