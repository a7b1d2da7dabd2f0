"""What a PostGIS publication is made of: the target, one plan per layer, one result per table.

Plain frozen dataclasses, no database access: ``publish.py`` builds the plans, ``load.py`` executes them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .. import Outcome

__all__ = [
    "PG_IDENTIFIER_MAX",
    "ColumnSpec",
    "LayerPlan",
    "LayerResult",
    "Outcome",
    "PostgisTarget",
    "pg_name",
]

#: PostgreSQL truncates identifiers to 63 bytes; odl-geo truncates itself so that the name it reports is the real one
PG_IDENTIFIER_MAX = 63




@dataclass(frozen=True)
class PostgisTarget:
    """Where to publish. ``dsn`` may hold a password: it is only ever shown through :func:`redact_dsn`.

    :param schema: created when missing (needs the CREATE privilege on the database).
    :param table: the table name; only valid when exactly one layer is published (default: the layer's name).
    """

    dsn: str
    schema: str = "public"
    table: str | None = None
    password: str | None = field(default=None, repr=False)
    user: str | None = None
    connect_timeout: int = 10
    lock_timeout_s: int = 30

    def __repr__(self) -> str:
        from .connect import redact_dsn

        return f"PostgisTarget(dsn={redact_dsn(self.dsn)!r}, schema={self.schema!r}, table={self.table!r})"


@dataclass(frozen=True)
class ColumnSpec:
    """One attribute column: its PostgreSQL name and type, and where it comes from (for its comment)."""

    name: str
    pg_type: str
    source_name: str
    arrow_name: str
    comment: str = ""


@dataclass
class LayerPlan:
    """One layer to load into ``schema.table``; ``fingerprint`` identifies its content for idempotence."""

    layer_name: str
    source_display: str
    table: str
    schema: str
    columns: list[ColumnSpec]
    geometry_type: str | None  # PostGIS typmod name (``MultiPolygon``, ``PointZ``, ``Geometry``) or None
    feature_count: int
    fingerprint: str
    title: str
    abstract: str = ""
    source_name: str = ""
    stream: Any = None  # iterator of normalised batches, set by ``prepare()``
    prepare: Any = None  # callable opening the stream and filling columns/geometry_type; called just before loading
    outcome: Outcome = Outcome.CREATED  # planned; UNCHANGED plans are not loaded

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.table}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer_name,
            "table": self.qualified,
            "geometry_type": self.geometry_type,
            "columns": [{"name": c.name, "type": c.pg_type, "source": c.source_name} for c in self.columns],
            "features": self.feature_count,
            "outcome": self.outcome.value,
        }


@dataclass(frozen=True)
class LayerResult:
    """What was done to one table."""

    layer: str
    table: str
    outcome: Outcome
    feature_count: int
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "layer": self.layer,
            "table": self.table,
            "outcome": self.outcome.value,
            "features": self.feature_count,
            "seconds": round(self.seconds, 3),
        }


def pg_name(name: str, used: set[str] | None = None, max_len: int = PG_IDENTIFIER_MAX) -> str:
    """A PostgreSQL identifier that needs no quoting: lower case ASCII, ``_`` for the rest, ≤ 63 bytes.

    ``N_ZONE_ALÉA`` becomes ``n_zone_alea``; names starting with a digit get a ``_`` prefix; ``used`` (lower
    case names already taken) makes it unique with ``_2``, ``_3``... Why launder: SQL users and QGIS's DB
    manager otherwise have to double-quote every upper-case or accented name.
    """
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    flat = re.sub(r"[^a-z0-9_]+", "_", flat).strip("_") or "col"
    if flat[0].isdigit():
        flat = "_" + flat
    flat = flat[:max_len]
    if used is None:
        return flat
    candidate, n = flat, 1
    while candidate in used:
        n += 1
        suffix = f"_{n}"
        candidate = flat[: max_len - len(suffix)] + suffix
    used.add(candidate)
    return candidate
