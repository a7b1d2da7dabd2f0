"""PostGIS stores of the GeoServer REST **test double**: the tables a store's connection parameters reach.

GeoServer lists a PostGIS store's feature types from the database itself (FT1 ``list=available``, FT3 checks the
table exists). The double does the same with psycopg, using the store's own connection parameters (host, port,
database, schema, user, passwd), so a test needs a real PostgreSQL + PostGIS (``tests/server/conftest.py``).
"""

from __future__ import annotations

from typing import Any


def connect_kwargs(params: dict[str, str]) -> dict[str, Any]:
    return {
        "host": params.get("host", "localhost"),
        "port": int(params.get("port") or 5432),
        "dbname": params.get("database", ""),
        "user": params.get("user", ""),
        "password": params.get("passwd", ""),
        "connect_timeout": 5,
        "application_name": "geoserver-double",
    }


def pg_feature_tables(params: dict[str, str]) -> list[dict[str, Any]]:
    """Tables with a geometry column in the store's schema, like ``gpkg_feature_tables`` (plus the column)."""
    import psycopg

    schema = params.get("schema") or "public"
    with psycopg.connect(**connect_kwargs(params)) as conn:
        rows = conn.execute(
            "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns WHERE f_table_schema = %s "
            "ORDER BY f_table_name",
            (schema,),
        ).fetchall()
        out = []
        for table, column, srid, gtype in rows:
            ident = f'"{schema}"."{table}"'
            box = conn.execute(
                f'SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent("{column}") AS e '
                f"FROM {ident}) s"
            ).fetchone()
            key = conn.execute(
                "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass AND i.indisprimary",
                (ident,),
            ).fetchone()
            out.append(
                {
                    "key": key[0] if key else "",
                    "table": table,
                    "bbox": tuple(box) if box else (None, None, None, None),
                    "srid": srid,
                    "geometry_type": str(gtype or "").upper(),
                    "geometry_column": column,
                    "schema": schema,
                }
            )
        return out
