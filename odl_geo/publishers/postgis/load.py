"""Load planned layers into PostGIS: COPY batch by batch into staging tables, then swap, in one transaction.

Why one transaction for the whole publication: a failure anywhere (bad row, lost connection, cancel,
permission) rolls everything back, so the previous tables stay complete and no staging table is left
behind; other sessions keep reading the old tables while the new ones load, and all the tables of a
dataset change together at COMMIT.

Why COPY with CSV produced by Arrow: each normalised batch (65,536 rows by default) is turned into CSV by
pyarrow's C++ writer and sent with ``COPY ... FROM STDIN``, so memory stays one batch deep and Python
never loops over rows. Geometries are sent as hex EWKB carrying SRID 2154, which PostGIS parses on input.
"""

from __future__ import annotations

import io
import json
import struct
import time
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import shapely
from psycopg import sql

from ...feedback import Feedback, check_cancelled
from . import ddl
from .connect import pg_error
from .models import LayerResult, Outcome

if TYPE_CHECKING:
    import psycopg

    from .models import LayerPlan

__all__ = ["batch_to_csv", "load_plans"]

_CSV_OPTIONS = pacsv.WriteOptions(include_header=False, quoting_style="needed")
_SRID_FLAG, _Z_FLAG = 0x20000000, 0x80000000  # EWKB type flags


def load_plans(
    conn: psycopg.Connection,
    plans: list[LayerPlan],
    comments: dict[str, str],
    feedback: Feedback,
    lock_timeout_s: int,
    secrets: tuple[str, ...] = (),
) -> list[LayerResult]:
    """Load every plan whose outcome is CREATED/UPDATED; the others are returned as they are.

    :param comments: qualified table name -> table comment (ends with the fingerprint line).
    :raises OdlGeoError: (from :func:`pg_error`) after rolling back; the database is as before.
    """
    todo = [p for p in plans if p.outcome in (Outcome.CREATED, Outcome.UPDATED)]
    timings: dict[str, float] = {}
    step, step_fr = "starting the transaction", "l'ouverture de la transaction"
    try:
        with conn.transaction():
            conn.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(f"{lock_timeout_s}s")))
            if todo:
                step = f"creating the schema {todo[0].schema}"
                step_fr = f"la création du schéma {todo[0].schema}"
                ddl.ensure_schema(conn, todo[0].schema)
            staged: list[tuple[LayerPlan, str]] = []
            for plan in todo:
                started = time.perf_counter()
                if plan.prepare is not None:
                    step, step_fr = f"reading {plan.layer_name}", f"la lecture de la couche {plan.layer_name}"
                    plan.prepare()
                if plan.outcome is Outcome.SKIPPED:  # no row after normalisation
                    continue
                staging = ddl.staging_name(plan.table)
                step = f"creating the table {plan.schema}.{staging}"
                step_fr = f"la création de la table {plan.schema}.{staging}"
                ddl.create_staging(conn, plan, staging)
                step = f"loading {plan.layer_name} into {plan.qualified}"
                step_fr = f"le chargement de la couche {plan.layer_name} dans {plan.qualified}"
                feedback.info(f"{plan.layer_name} -> {plan.qualified} ({plan.feature_count} features)")
                copied = _copy(conn, plan, staging, feedback)
                plan.feature_count = copied
                step, step_fr = f"indexing {plan.qualified}", f"l'indexation de {plan.qualified}"
                ddl.add_keys_and_comments(conn, plan, staging, comments[plan.qualified])
                staged.append((plan, staging))
                timings[plan.qualified] = time.perf_counter() - started
            for plan, staging in staged:
                step, step_fr = f"replacing {plan.qualified}", f"le remplacement de {plan.qualified}"
                started = time.perf_counter()
                ddl.swap(conn, plan, staging, replace=plan.outcome is Outcome.UPDATED)
                timings[plan.qualified] += time.perf_counter() - started
    except Exception as exc:
        import psycopg

        if isinstance(exc, psycopg.Error):
            raise pg_error(exc, step, secrets, step_fr=step_fr) from None
        raise
    return [
        LayerResult(p.layer_name, p.qualified, p.outcome, p.feature_count, timings.get(p.qualified, 0.0)) for p in plans
    ]


def _copy(conn: psycopg.Connection, plan: LayerPlan, staging: str, feedback: Feedback) -> int:
    names = [ddl.FID_COLUMN] + [c.name for c in plan.columns]
    if plan.geometry_type:
        names.append(ddl.GEOMETRY_COLUMN)
    stmt = sql.SQL("COPY {}.{} ({}) FROM STDIN WITH (FORMAT csv)").format(
        sql.Identifier(plan.schema), sql.Identifier(staging), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    offset = 0
    with conn.cursor() as cur, cur.copy(stmt) as copy:
        for batch in plan.stream:
            check_cancelled(feedback, f"Publishing {plan.layer_name}")
            copy.write(batch_to_csv(batch, plan, offset))
            offset += batch.num_rows
    return offset


def batch_to_csv(batch: pa.RecordBatch, plan: LayerPlan, offset: int) -> bytes:
    """One normalised batch as CSV rows in the staging table's column order (``fid`` numbered from ``offset``)."""
    n = batch.num_rows
    arrays: list[pa.Array] = [pa.array(np.arange(offset + 1, offset + n + 1, dtype=np.int64))]
    for col in plan.columns:
        arrays.append(_csv_column(batch.column(col.arrow_name), col.pg_type))
    if plan.geometry_type:
        arrays.append(_ewkb_hex(batch.column("geometry"), plan.geometry_type))
    table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(arrays))])
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, _CSV_OPTIONS)
    return sink.getvalue()


def _csv_column(col: pa.Array, pg_type: str) -> pa.Array:
    if pa.types.is_dictionary(col.type):
        col = col.dictionary_decode()
    if pg_type == "text":
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            col = pc.cast(col, pa.string())
        return pc.replace_substring(col, "\x00", "")  # PostgreSQL text cannot hold NUL
    if pg_type == "bytea":
        return pa.array([None if v is None else "\\x" + v.hex() for v in col.to_pylist()], type=pa.string())
    if pg_type == "jsonb":
        return pa.array(
            [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in col.to_pylist()],
            type=pa.string(),
        )
    return col


def _ewkb_hex(wkb: pa.Array, typmod: str) -> pa.Array:
    """ISO WKB from the stream -> hex EWKB carrying SRID 2154, which PostGIS parses on input.

    Only the 5-byte header of each geometry is rewritten (SRID flag + SRID inserted); the body is copied as
    is, because PostGIS reads ISO type codes in nested parts too. Parsing and re-serialising every geometry
    with shapely cost 60 % of the load time on a 300,000-polygon layer; this costs a few percent. A geometry
    whose dimension differs from the column's (a 2D line in a Z layer) takes the slow path through shapely.
    """
    want_z = typmod.endswith("Z")
    out: list[str | None] = []
    for value in wkb.to_pylist():
        if value is None:
            out.append(None)
            continue
        fmt = "<I" if value[0] == 1 else ">I"
        (code,) = struct.unpack_from(fmt, value, 1)
        if code > 0xFFFF or (code >= 1000) != want_z or code >= 2000:  # already extended, or other dimensions
            out.append(_ewkb_slow(value, want_z))
            continue
        flags = (code % 1000) | _SRID_FLAG | (_Z_FLAG if want_z else 0)
        out.append((value[:1] + struct.pack(fmt + "i", flags, ddl.SRID) + value[5:]).hex())
    return pa.array(out, type=pa.string())


def _ewkb_slow(value: bytes, want_z: bool) -> str:
    geom = shapely.from_wkb(value)
    geom = shapely.force_3d(geom) if want_z else shapely.force_2d(geom)
    return str(shapely.to_wkb(shapely.set_srid(geom, ddl.SRID), hex=True, include_srid=True, flavor="extended"))
