"""Field (column) names that every target accepts: trimmed, unique, not reserved, short when needed.

Shapefile limits names to 10 bytes; GeoServer and PostGIS choke on names that are SQL keywords or hold
line breaks; GeoPackage reserves ``fid``. Renames are returned as a mapping so that reports and the zipped
Shapefile can show which column became which.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["RESERVED", "clean_names", "truncate_names"]

RESERVED = frozenset(
    {
        "fid",
        "ogc_fid",
        "geometry",
        "geom",
        "the_geom",
        "wkb_geometry",
        "select",
        "from",
        "where",
        "order",
        "group",
        "by",
        "table",
        "user",
        "limit",
        "offset",
        "and",
        "or",
        "not",
        "null",
        "default",
        "check",
        "column",
        "index",
        "primary",
        "key",
        "references",
        "desc",
        "asc",
        "all",
        "any",
        "as",
        "case",
        "create",
        "distinct",
        "else",
        "end",
        "for",
        "grant",
        "having",
        "in",
        "into",
        "is",
        "join",
        "on",
        "only",
        "to",
        "union",
        "unique",
        "using",
        "when",
        "with",
    }
)


def _clean_one(name: str, position: int) -> str:
    cleaned = re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip()
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch)[0] != "C")
    if not cleaned:
        cleaned = f"field_{position + 1}"
    if cleaned.lower() in RESERVED:
        cleaned = f"{cleaned}_"
    return cleaned


def _unique(name: str, taken: set[str], limit: int | None) -> str:
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        suffix = f"_{n}"
        base = name if limit is None else _cut_bytes(name, limit - len(suffix))
        candidate = f"{base}{suffix}"
    taken.add(candidate.lower())
    return candidate


def clean_names(names: list[str]) -> dict[str, str]:
    """Original name -> cleaned name (trimmed, no control chars, not reserved, unique)."""
    taken: set[str] = set()
    return {name: _unique(_clean_one(name, i), taken, None) for i, name in enumerate(names)}


def _cut_bytes(name: str, limit: int, encoding: str = "utf-8") -> str:
    """Longest prefix of ``name`` that fits ``limit`` bytes without splitting a character."""
    out = ""
    for ch in name:
        if len((out + ch).encode(encoding)) > limit:
            break
        out += ch
    return out


def truncate_names(names: list[str], limit: int = 10) -> dict[str, str]:
    """Name -> name of at most ``limit`` UTF-8 bytes, unique after truncation (``NOM_COMMUN_2``)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for name in names:
        out[name] = _unique(_cut_bytes(name, limit), taken, limit)
    return out
