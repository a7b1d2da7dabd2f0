"""What to publish from a PostGIS database: its tables become feature types of one GeoServer PostGIS store.

The tables are read from the database itself (``geometry_columns``: geometry column, SRID, type; then the row
count, the extent and the table comment). Which tables:

* ``tables`` given: exactly those (any table with a geometry column: GeoServer only reads it);
* else ``outdir`` given (an output folder of ``odl-geo convert``): the tables ``odl-geo publish postgis OUTDIR``
  loaded, found by the layer named in their odl-geo comment;
* else every table of the schema that ``odl-geo publish postgis`` created (its comment carries odl-geo's
  fingerprint).

Titles and abstracts come from odl-geo's table comments (the manifest's title and abstract), unless given. The
store's connection parameters are the DSN's; the password (DSN, ``ODL_POSTGIS_PASSWORD`` or a credentials file)
goes to GeoServer only, which needs it to connect, and is never shown.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import InputError, SourceNotFoundError
from ...exports.manifest import MANIFEST_NAME
from .models import DataStore, FeatureType, MetadataLink, safe_name
from .plan import (
    LayerSpec,
    PublishOptions,
    PublishPlan,
    StoreSpec,
    _bbox,
    _manifest_metadata_url,
    _match_style,
    _style_files,
    _to_wgs84,
    check_layer_names_option,
    disambiguate,
    invalid_workspace,
    missing_theme_style,
    theme_style_folder,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import psycopg

    from ..postgis.models import PostgisTarget

__all__ = ["plan_postgis_publication"]

_LAYER_RE = re.compile(r"^Source: .*, layer (.+); EPSG:\d+", re.MULTILINE)
_FINGERPRINT_RE = re.compile(r"odl-geo:fingerprint=([0-9a-f]{64})")


def plan_postgis_publication(
    target: PostgisTarget,
    workspace: str,
    options: PublishOptions | None = None,
    *,
    tables: Sequence[str] = (),
    outdir: str | Path | None = None,
) -> PublishPlan:
    """The plan of one PostGIS store (default name ``{database}_{schema}``) publishing tables of ``target.schema``.

    :raises InputError: bad workspace or DSN, a table given that has no geometry column, nothing to publish.
    :raises AuthError / NetworkError / RemoteError: the database refused or could not be reached, no PostGIS.
    """
    from ..postgis.connect import _parse, check_postgis, connect, describe_dsn

    options = options or PublishOptions()
    ws = safe_name(workspace, "odl")
    if ws != workspace:
        raise invalid_workspace(workspace, ws)
    layers_wanted, theme = _manifest_layers(Path(outdir)) if outdir is not None else (None, None)
    params = _parse(target.dsn)
    conn = connect(target)
    try:
        check_postgis(conn, describe_dsn(target.dsn))
        found = _tables(conn, target.schema)
        chosen = _choose(found, tables, layers_wanted, target.schema)
        for t in chosen:
            _measure(conn, target.schema, t)
        conn.rollback()
    finally:
        conn.close()
    style = options.style
    warnings: tuple[str, ...] = ()
    if style is None and theme and options.theme_styles and outdir is not None:
        style = theme_style_folder(Path(outdir), theme)
        warnings = () if style is not None else (missing_theme_style(theme),)
    styles = _style_files(style)
    if not options.metadata_url and outdir is not None:  # the folder's ISO record, when odl-geo metadata knows it
        from dataclasses import replace

        options = replace(options, metadata_url=_manifest_metadata_url(Path(outdir)))
    specs = tuple(_layer(t, options, styles) for t in chosen)
    check_layer_names_option(options.layer_names, [s.feature_type.native_name for s in specs])
    database = params.get("dbname", "")
    store = DataStore.postgis(
        options.store or safe_name(f"{database}_{target.schema}", "postgis"),
        params.get("host") or "localhost",
        int((params.get("port") or "5432").split(",")[0]),
        database,
        target.user or params.get("user", ""),
        params.get("password") or target.password or "",
        schema=target.schema,
    )
    content = [[t["table"], t["fingerprint"] or [t["count"], t["bbox"]]] for t in chosen]
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    store_spec = StoreSpec(store.name, None, digest, 0, specs, postgis=store)
    return disambiguate(PublishPlan(ws, (store_spec,), warnings))


def _manifest_layers(folder: Path) -> tuple[set[str], str | None]:
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        raise SourceNotFoundError(
            f"{folder} has no {MANIFEST_NAME}.",
            "Give the output folder published to PostGIS.",
            message_fr=f"{folder} ne contient pas de {MANIFEST_NAME}.",
            hint_fr="Indiquez le dossier de sortie publié dans PostGIS.",
        )
    data = json.loads(manifest.read_text(encoding="utf-8"))
    layers = {str(f.get("layer")) for f in data.get("files", []) if f.get("format") == "gpkg"}
    source = data.get("source")
    theme = str(source["theme"]) if isinstance(source, dict) and source.get("theme") else None
    return layers, theme


def _tables(conn: psycopg.Connection, schema: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        "SELECT g.f_table_name, g.f_geometry_column, g.srid, g.type, obj_description(c.oid, 'pg_class') "
        "FROM geometry_columns g JOIN pg_namespace n ON n.nspname = g.f_table_schema "
        "JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = g.f_table_name "
        "WHERE g.f_table_schema = %s ORDER BY g.f_table_name",
        (schema,),
    ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for table, column, srid, gtype, comment in rows:
        text = comment or ""
        fp = _FINGERPRINT_RE.search(text)
        layer = _LAYER_RE.search(text)
        out.setdefault(str(table), {"table": str(table), "column": str(column), "srid": int(srid or 0),
                                    "geometry_type": str(gtype or ""), "comment": text,
                                    "fingerprint": fp.group(1) if fp else "",
                                    "layer": layer.group(1) if layer else None})  # fmt: skip
    return out


def _choose(
    found: dict[str, dict[str, Any]], tables: Sequence[str], layers: set[str] | None, schema: str
) -> list[dict[str, Any]]:
    if tables:
        missing = [t for t in tables if t not in found]
        if missing:
            raise InputError(
                f"No table with a geometry column named {', '.join(map(repr, missing))} in schema {schema!r}.",
                f"Tables there: {', '.join(sorted(found)) or 'none'}.",
                message_fr=f"Aucune table avec une colonne de géométrie nommée {', '.join(map(repr, missing))} dans "
                f"le schéma {schema!r}.",
                hint_fr=f"Tables de ce schéma : {', '.join(sorted(found)) or 'aucune'}.",
            )
        return [found[t] for t in tables]
    if layers is not None:
        chosen = [t for t in found.values() if t["fingerprint"] and t["layer"] in layers]
        hint = "Publish the folder to PostGIS first: odl-geo publish postgis OUTDIR --dsn ... --schema ..."
        hint_fr = "Publiez d'abord le dossier dans PostGIS : odl-geo publish postgis OUTDIR --dsn ... --schema ..."
    else:
        chosen = [t for t in found.values() if t["fingerprint"]]
        hint = "Publish to PostGIS first (odl-geo publish postgis), or name the tables with --table."
        hint_fr = "Publiez d'abord dans PostGIS (odl-geo publish postgis), ou nommez les tables avec --table."
    if not chosen:
        raise InputError(
            f"No table published by odl-geo to choose in schema {schema!r}.",
            hint,
            message_fr=f"Le schéma {schema!r} ne contient aucune table publiée par odl-geo.",
            hint_fr=hint_fr,
        )
    return chosen


def _measure(conn: psycopg.Connection, schema: str, t: dict[str, Any]) -> None:
    """Row count and extent (in the table's SRID) of one table, for the feature type and the WFS check."""
    from psycopg import sql

    qual = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(t["table"]))
    count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(qual)).fetchone()
    box = conn.execute(
        sql.SQL(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent({}) AS e FROM {}) x"
        ).format(sql.Identifier(t["column"]), qual)
    ).fetchone()
    t["count"] = int(count[0]) if count else 0
    t["bbox"] = [float(v) for v in box] if box and None not in box else None


def _comment_title_abstract(comment: str) -> tuple[str, str]:
    """odl-geo's table comment: title, abstract lines, then ``Source: …``; a foreign comment is its own title."""
    lines = [line for line in comment.splitlines() if line.strip()]
    if not lines:
        return "", ""
    body = []
    for line in lines[1:]:
        if line.startswith(("Source: ", "Published by odl-geo", "odl-geo:")):
            break
        body.append(line)
    return lines[0], "\n".join(body)


def _layer(t: dict[str, Any], options: PublishOptions, styles: list[Any]) -> LayerSpec:
    table = t["table"]
    crs = f"EPSG:{t['srid']}" if t["srid"] > 0 else "EPSG:4326"
    title, abstract = _comment_title_abstract(t["comment"])
    ft = FeatureType(
        name=options.layer_names.get(table) or safe_name(table),
        native_name=table,
        title=options.titles.get(table) or options.title or title or table,
        abstract=options.abstract or abstract,
        keywords=tuple(options.keywords),
        srs=crs,
        native_bbox=_bbox(t["bbox"], crs),
        latlon_bbox=_bbox(_to_wgs84(t["bbox"], crs), "EPSG:4326"),
        metadata_links=(MetadataLink(options.metadata_url),) if options.metadata_url else (),
    )
    return LayerSpec(ft, t["count"], t["geometry_type"], _match_style(t["layer"] or table, styles),
                     options.attribution)  # fmt: skip
