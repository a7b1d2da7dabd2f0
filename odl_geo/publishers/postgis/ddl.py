"""The SQL odl-geo runs: column types, staging table, indexes, comments and the atomic swap.

Every identifier goes through ``psycopg.sql.Identifier`` and every value through ``sql.Literal`` or a bind
parameter: layer and field names come from user files and are never pasted into SQL text.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

import pyarrow as pa
from psycopg import sql

from .models import PG_IDENTIFIER_MAX, ColumnSpec, pg_name

if TYPE_CHECKING:
    import psycopg

    from .models import LayerPlan

__all__ = [
    "FID_COLUMN",
    "FINGERPRINT_RE",
    "GEOMETRY_COLUMN",
    "SRID",
    "add_keys_and_comments",
    "arrow_to_pg",
    "columns_for",
    "create_staging",
    "current_fingerprint",
    "ensure_schema",
    "geometry_typmod",
    "staging_name",
    "swap",
]

SRID = 2154
FID_COLUMN = "fid"
GEOMETRY_COLUMN = "geom"
#: the machine-readable last line of the table comment; see :func:`current_fingerprint`
FINGERPRINT_RE = re.compile(r"odl-geo:fingerprint=([0-9a-f]{64})")


def arrow_to_pg(dtype: pa.DataType) -> str:
    """The PostgreSQL type for an Arrow column type (text for anything without a faithful equivalent)."""
    t = pa.types
    if t.is_dictionary(dtype):
        return arrow_to_pg(dtype.value_type)
    if t.is_boolean(dtype):
        return "boolean"
    if t.is_int8(dtype) or t.is_int16(dtype) or t.is_uint8(dtype):
        return "smallint"
    if t.is_int32(dtype) or t.is_uint16(dtype):
        return "integer"
    if t.is_int64(dtype) or t.is_uint32(dtype):
        return "bigint"
    if t.is_uint64(dtype) or t.is_decimal(dtype):
        return "numeric"
    if t.is_float16(dtype) or t.is_float32(dtype):
        return "real"
    if t.is_float64(dtype):
        return "double precision"
    if t.is_date(dtype):
        return "date"
    if t.is_timestamp(dtype):
        return "timestamp with time zone" if dtype.tz else "timestamp"
    if t.is_time(dtype):
        return "time"
    if t.is_binary(dtype) or t.is_large_binary(dtype) or t.is_fixed_size_binary(dtype):
        return "bytea"
    if t.is_list(dtype) or t.is_large_list(dtype) or t.is_struct(dtype) or t.is_map(dtype):
        return "jsonb"
    return "text"


def columns_for(schema: pa.Schema, geometry_name: str, source_names: dict[str, str]) -> list[ColumnSpec]:
    """Attribute columns of a normalised batch schema, with laundered unique names (``fid``/``geom`` reserved).

    :param source_names: normalised name -> name in the original source, for the column comments.
    """
    used = {FID_COLUMN, GEOMETRY_COLUMN}
    out = []
    for f in schema:
        if f.name == geometry_name:
            continue
        original = source_names.get(f.name, f.name)
        out.append(ColumnSpec(pg_name(f.name, used), arrow_to_pg(f.type), original, f.name))
    return out


def geometry_typmod(output_type: str | None) -> str | None:
    """PostGIS typmod for the stream's declared type: ``MultiPolygon Z`` -> ``MultiPolygonZ``, mixed -> ``Geometry``."""
    if output_type is None:
        return None
    name, _, z = output_type.partition(" ")
    base = "Geometry" if name in ("Unknown", "GeometryCollection", "") else name
    return base + ("Z" if z == "Z" else "")


def staging_name(table: str) -> str:
    """A fresh name next to ``table``: unique per run, so concurrent publications never collide."""
    suffix = f"_odl_{secrets.token_hex(4)}"
    return table[: PG_IDENTIFIER_MAX - len(suffix)] + suffix


def ensure_schema(conn: psycopg.Connection, schema: str) -> None:
    """Create the schema only when missing (``IF NOT EXISTS`` would still need CREATE on the database)."""
    exists = conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    if not exists:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))


def current_fingerprint(conn: psycopg.Connection, schema: str, table: str) -> tuple[bool, str | None]:
    """(table exists, fingerprint stored in its comment by odl-geo or None)."""
    row = conn.execute(
        "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
        (schema, table),
    ).fetchone()
    if row is None:
        return False, None
    match = FINGERPRINT_RE.search(row[0] or "")
    return True, match.group(1) if match else None


def create_staging(conn: psycopg.Connection, plan: LayerPlan, staging: str) -> None:
    parts = [sql.SQL("{} bigint NOT NULL").format(sql.Identifier(FID_COLUMN))]
    parts += [sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.pg_type)) for c in plan.columns]
    if plan.geometry_type:
        parts.append(
            sql.SQL("{} geometry({}, {})").format(
                sql.Identifier(GEOMETRY_COLUMN), sql.SQL(plan.geometry_type), sql.Literal(SRID)
            )
        )
    conn.execute(
        sql.SQL("CREATE TABLE {}.{} ({})").format(
            sql.Identifier(plan.schema), sql.Identifier(staging), sql.SQL(", ").join(parts)
        )
    )


def _index_names(table: str) -> tuple[str, str]:
    return table[: PG_IDENTIFIER_MAX - 5] + "_pkey", table[: PG_IDENTIFIER_MAX - 9] + "_geom_idx"


def add_keys_and_comments(conn: psycopg.Connection, plan: LayerPlan, staging: str, table_comment: str) -> None:
    """Primary key and GiST index built once after COPY (faster than maintaining them row by row)."""
    pkey, gidx = _index_names(staging)
    qual = sql.SQL("{}.{}").format(sql.Identifier(plan.schema), sql.Identifier(staging))
    conn.execute(
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})").format(
            qual, sql.Identifier(pkey), sql.Identifier(FID_COLUMN)
        )
    )
    if plan.geometry_type:
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
                sql.Identifier(gidx), qual, sql.Identifier(GEOMETRY_COLUMN)
            )
        )
    conn.execute(sql.SQL("COMMENT ON TABLE {} IS {}").format(qual, sql.Literal(table_comment)))
    col_comments = [(FID_COLUMN, "Feature number in the published file (1..n), primary key.")]
    if plan.geometry_type:
        col_comments.append((GEOMETRY_COLUMN, f"Geometry ({plan.geometry_type}) in EPSG:{SRID} (RGF93 / Lambert-93)."))
    col_comments += [(c.name, c.comment) for c in plan.columns]
    for name, text in col_comments:
        conn.execute(sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(qual, sql.Identifier(name), sql.Literal(text)))
    conn.execute(sql.SQL("ANALYZE {}").format(qual))


def swap(conn: psycopg.Connection, plan: LayerPlan, staging: str, replace: bool) -> None:
    """Put ``staging`` in place of the table, inside the caller's transaction.

    The old table is renamed aside, the staging table takes its name, the old one is dropped, then the key
    and index take the final table's names. Other sessions see either the old table or the new one, never
    a partly loaded one: nothing is visible to them before COMMIT, and the renames hold an ACCESS EXCLUSIVE
    lock that readers wait for (bounded by ``lock_timeout``).
    """
    schema = sql.Identifier(plan.schema)
    if replace:
        old = staging_name(plan.table)  # another fresh random name
        conn.execute(
            sql.SQL("ALTER TABLE {}.{} RENAME TO {}").format(schema, sql.Identifier(plan.table), sql.Identifier(old))
        )
    conn.execute(
        sql.SQL("ALTER TABLE {}.{} RENAME TO {}").format(schema, sql.Identifier(staging), sql.Identifier(plan.table))
    )
    if replace:
        conn.execute(sql.SQL("DROP TABLE {}.{}").format(schema, sql.Identifier(old)))
    # renaming the primary key's index renames its constraint too
    for tmp, final in zip(_index_names(staging), _index_names(plan.table), strict=True):
        if tmp.endswith("_geom_idx") and not plan.geometry_type:
            continue
        conn.execute(
            sql.SQL("ALTER INDEX {}.{} RENAME TO {}").format(schema, sql.Identifier(tmp), sql.Identifier(final))
        )
