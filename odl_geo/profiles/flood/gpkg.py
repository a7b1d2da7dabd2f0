"""Write a CNIG PPR GeoPackage by running the official template SQL with SQLite, then filling its tables.

Why sqlite3 and not GDAL: the standard *is* its SQL template (table names, declared types such as ``TEXT(15)``,
``NOT NULL``, text primary keys, foreign keys to the code-list tables). Executing that SQL the way the upstream
``genGabarits.sh`` does gives exactly the standard's structure; GDAL would create its own tables (an integer
``fid`` key, its own types, no foreign keys) and then only *approximate* the template. Rows are inserted with
plain SQL and geometries encoded as GeoPackage binary (header + ISO WKB), which GDAL and QGIS read back.

Deliberate differences from running the raw SQL: ``datetime('now')`` becomes one fixed ISO 8601 timestamp
(GeoPackage requirement 15 wants ``YYYY-MM-DDTHH:MM:SS.SSSZ``, and the same input must give the same bytes);
the template's example metadata rows (they reference ``pprn_76ddtm20120001``) are removed; tables named with the
``codealea`` placeholder are created once per hazard code present and the placeholders dropped. No R-tree spatial
index is added: the template's tables have text primary keys, and the GeoPackage R-tree triggers need an integer
key (GDAL and QGIS still read the file; they scan these small tables).
"""

from __future__ import annotations

import os
import sqlite3
import struct
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from ...errors import InputError, OutputError
from ...numbers import agree, count_text, quantity
from .template import CORE_SQL, HAZARD_PLACEHOLDER, SRS_ID, TEMPLATE_PREFIX, load_template, template_sql

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from .template import TableDef

__all__ = [
    "GPKG_APPLICATION_ID",
    "GpkgBuilder",
    "build_geopackage",
    "gpkg_blob",
    "gpkg_blobs",
    "ppr_prefix",
    "refuse_broken_references",
]

GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
GPKG_USER_VERSION = 10200  # GeoPackage 1.2: the standard accepts 1.1 and later
_MULTI = {"MULTIPOLYGON": "Polygon", "MULTILINESTRING": "LineString", "MULTIPOINT": "Point"}
_SINGLE = {"POLYGON": "Polygon", "LINESTRING": "LineString", "POINT": "Point"}


def ppr_prefix(typeppr: str, codeprocedure: str) -> str:
    """``pprn_38ddt20200002``: the file stem and the prefix of every table (lower case, as the standard says)."""
    return f"{typeppr}_{codeprocedure}".lower()


def gpkg_blob(geom: Any, srs_id: int = SRS_ID) -> bytes | None:
    """GeoPackage binary geometry: ``GP``, version 0, flags (little endian, xy envelope), srs_id, envelope, WKB."""
    if geom is None:
        return None
    wkb = shapely.to_wkb(geom, byte_order=1, output_dimension=2)
    if shapely.is_empty(geom):
        return b"GP" + bytes((0, 0b0001_0001)) + struct.pack("<i", srs_id) + wkb
    minx, miny, maxx, maxy = shapely.bounds(geom)
    return b"GP" + bytes((0, 0b0000_0011)) + struct.pack("<i4d", srs_id, minx, maxx, miny, maxy) + wkb


def build_geopackage(
    path: Path,
    prefix: str,
    frames: Mapping[str, pd.DataFrame],
    *,
    timestamp: str,
    metadata_xml: str | None = None,
    check_foreign_keys: bool = True,
) -> dict[str, int]:
    """Create ``path`` from the template and fill it; return the row count of every table written.

    The three steps of :class:`GpkgBuilder` (create, append each table, finish) in one call.

    :param frames: table kind (``"perimetre_s"``, ``"zonealeareference_115_s"``) -> rows with exactly the
        template's columns (the geometry in the frame's active geometry column).
    :param timestamp: ``YYYY-MM-DDTHH:MM:SS.SSSZ`` written as ``last_change`` of every table.
    :param check_foreign_keys: refuse a file whose values are not in the code lists or point at nothing
        (``PRAGMA foreign_key_check``); the validator builds with False to list every such value itself.
    :raises InputError: a value breaks a rule of the template (empty mandatory value, duplicate identifier,
        code outside its list): the file would not be conformant, so it is not written.
    :raises OutputError: the file cannot be written.
    """
    for kind in frames:
        if load_template().match(kind) is None:
            raise InputError(
                f"{kind} is not a table of the CNIG PPR standard.",
                "This is a bug in odl-geo.",
                message_fr=f"{kind} n'est pas une table du standard PPR CNIG.",
                hint_fr="Il s'agit d'un bogue d'odl-geo.",
            )
    builder = GpkgBuilder(path, prefix, timestamp=timestamp)
    try:
        for kind in frames:  # every hazard table first, in the frames' order, as the template's tables are
            builder.table(kind)
        for kind, frame in frames.items():
            builder.append(kind, frame)
        return builder.finish(metadata_xml=metadata_xml, check_foreign_keys=check_foreign_keys)
    except BaseException:
        builder.abort()
        raise


class GpkgBuilder:
    """The CNIG GeoPackage built in steps, so that its rows can come a piece at a time:

    - **create** (the constructor): ``<path>.part`` with the GeoPackage core tables and every table of the
      template, its code lists, the prefix and ``EPSG:2154`` substituted, ``last_change`` set;
    - **append** (:meth:`append`, any number of times per table, in order): rows inserted 20,000 at a time,
      geometries encoded in bulk, the table's extent in ``gpkg_contents`` widened; a hazard table
      (``zonealeareference_<code>_s``…) is created from its ``codealea`` template the first time its code
      comes (:meth:`table`);
    - **finish** (:meth:`finish`): the ``codealea`` placeholders dropped, the metadata, the foreign keys
      checked, ``VACUUM``, the file renamed into place. :meth:`abort` removes the unfinished file.

    Appending a table's rows in pieces gives the file the same bytes as appending them at once (same rows,
    same order, same extent); hazard tables created in the same order give the same schema.

    :raises OutputError: the file cannot be created.
    """

    def __init__(self, path: Path, prefix: str, *, timestamp: str) -> None:
        self.path, self.prefix, self.timestamp = path, prefix, timestamp
        self.counts: dict[str, int] = {}
        self._defs: dict[str, tuple[TableDef, str | None]] = {}
        self._extents: dict[str, tuple[float, float, float, float]] = {}
        self._tmp = path.with_name(path.name + ".part")
        self._tmp.unlink(missing_ok=True)
        try:
            self._conn: sqlite3.Connection | None = sqlite3.connect(self._tmp)
        except sqlite3.Error as exc:
            raise OutputError(
                f"Cannot create {path}: {exc}.",
                "Check the output folder and its permissions.",
                message_fr=f"Impossible de créer {path} : {exc}.",
                hint_fr="Vérifiez le dossier de sortie et ses droits d'accès.",
            ) from exc
        conn = self._conn
        try:
            # a fresh file renamed into place at the end: no journal and no fsync needed while building
            conn.execute("PRAGMA journal_mode = MEMORY")
            conn.execute("PRAGMA synchronous = OFF")
            conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
            conn.executescript(CORE_SQL)
            conn.executescript(template_sql(SRS_ID).replace(TEMPLATE_PREFIX, prefix))
            conn.execute("DELETE FROM gpkg_metadata_reference")
            conn.execute("DELETE FROM gpkg_metadata")
            # the hazard tables made later copy their placeholder's gpkg_contents row, this timestamp included
            conn.execute("UPDATE gpkg_contents SET last_change = ?", (timestamp,))
        except BaseException:
            self.abort()
            raise

    def table(self, kind: str) -> TableDef:
        """The definition of ``kind``'s table, created in the file first if it is a new hazard table.

        :raises InputError: ``kind`` is not a table of the standard.
        """
        found = self._defs.get(kind)
        if found is None:
            found = load_template().match(kind)
            if found is None:
                raise InputError(
                    f"{kind} is not a table of the CNIG PPR standard.",
                    "This is a bug in odl-geo.",
                    message_fr=f"{kind} n'est pas une table du standard PPR CNIG.",
                    hint_fr="Il s'agit d'un bogue d'odl-geo.",
                )
            if found[0].placeholder:
                _instantiate_hazard_tables(self._connection(), self.prefix, {kind: found})
            self._defs[kind] = found
        return found[0]

    def append(self, kind: str, frame: pd.DataFrame) -> int:
        """Insert ``frame``'s rows (the template's columns, the geometry in its active geometry column) at the end
        of ``kind``'s table; returns how many.

        :raises InputError: a value breaks a rule of the template (empty mandatory value, duplicate identifier).
        """
        table_def = self.table(kind)
        table = f"{self.prefix}_{kind}"
        bounds = _insert(self._connection(), table, table_def, frame)
        self.counts[table] = self.counts.get(table, 0) + len(frame)
        if bounds is not None:
            old = self._extents.get(table)
            if old is not None:
                bounds = (
                    min(old[0], bounds[0]),
                    min(old[1], bounds[1]),
                    max(old[2], bounds[2]),
                    max(old[3], bounds[3]),
                )
            self._extents[table] = bounds
            self._connection().execute(
                "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
                (*bounds, table),
            )
        return len(frame)

    def finish(self, *, metadata_xml: str | None = None, check_foreign_keys: bool = True) -> dict[str, int]:
        """Complete the file and move it to ``path``; returns the row count of every table appended to.

        :raises InputError: with ``check_foreign_keys``, a value outside its code list or pointing at nothing.
        :raises OutputError: the file cannot be written.
        """
        conn = self._connection()
        try:
            _drop_placeholders(conn)
            if metadata_xml:
                _insert_metadata(conn, metadata_xml, self.timestamp)
            if check_foreign_keys:
                refuse_broken_references(conn)
            conn.commit()
            # no rollback journal for the VACUUM: in MEMORY mode it would hold every page of the file it rewrites
            # (a 1M-zone PPR's GeoPackage is about 1 GB); a failed build's file is removed anyway
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("VACUUM")
        except BaseException:
            self.abort()
            raise
        conn.close()
        self._conn = None
        try:
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self._tmp.unlink(missing_ok=True)
            raise OutputError(
                f"Cannot write {self.path}: {exc}.",
                "Check the output folder and its permissions.",
                message_fr=f"Impossible d'écrire {self.path} : {exc}.",
                hint_fr="Vérifiez le dossier de sortie et ses droits d'accès.",
            ) from exc
        return self.counts

    def abort(self) -> None:
        """Close and remove the unfinished file (a failed or cancelled build)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        self._tmp.unlink(missing_ok=True)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise OutputError(
                f"{self.path}: the GeoPackage build is over.",
                "This is a bug in odl-geo.",
                message_fr=f"{self.path} : la construction du GeoPackage est déjà terminée.",
                hint_fr="Il s'agit d'un bogue d'odl-geo.",
            )
        return self._conn


def _instantiate_hazard_tables(
    conn: sqlite3.Connection, prefix: str, wanted: dict[str, tuple[TableDef, str | None]]
) -> None:
    """One table per hazard code from each ``codealea`` template table (:func:`_drop_placeholders` drops those)."""
    for table_def, code in wanted.values():
        assert code is not None  # a placeholder kind always matches with a code
        source = f"{prefix}_{table_def.kind}"
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (source,)).fetchone()
        conn.execute(sql.replace(HAZARD_PLACEHOLDER, code))
        for meta in ("gpkg_contents", "gpkg_geometry_columns"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({meta})")]
            select = ", ".join(
                f"replace({c}, '{HAZARD_PLACEHOLDER}', ?)" if c in ("table_name", "identifier") else c for c in cols
            )
            params = [code] * sum(c in ("table_name", "identifier") for c in cols)
            conn.execute(f"INSERT INTO {meta} SELECT {select} FROM {meta} WHERE table_name = ?", (*params, source))


def _drop_placeholders(conn: sqlite3.Connection) -> None:
    """Drop the template's ``codealea`` tables, once every hazard table has been made from them."""
    placeholders = [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM gpkg_contents WHERE table_name LIKE ?", (f"%{HAZARD_PLACEHOLDER}%",)
        )
    ]
    for name in placeholders:
        conn.execute("DELETE FROM gpkg_geometry_columns WHERE table_name = ?", (name,))
        conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (name,))
        conn.execute(f'DROP TABLE "{name}"')


def _shape(geoms: np.ndarray, geometry_type: str, table: str) -> np.ndarray:
    """Promote single parts for MULTI* columns; refuse multi-parts in single-type columns (conform splits them)."""
    types = shapely.get_type_id(geoms)
    if geometry_type in _MULTI:
        promote = types == {"Polygon": 3, "LineString": 1, "Point": 0}[_MULTI[geometry_type]]
        maker = {"MULTIPOLYGON": shapely.multipolygons, "MULTILINESTRING": shapely.multilinestrings}.get(
            geometry_type, shapely.multipoints
        )
        out = geoms.copy()
        out[promote] = [maker([g]) for g in geoms[promote]]
        return out
    wanted = {"Polygon": 3, "LineString": 1, "Point": 0}[_SINGLE[geometry_type]]
    bad = (types != wanted) & (types != -1)
    if bad.any():
        raise InputError(
            f"{table} needs {geometry_type} geometries but "
            f"{quantity(int(bad.sum()), 'feature is', 'features are', 'en')} of another type.",
            "Split multi-part zones into single parts (odl-geo does it when converting COVADIS layers).",
            message_fr=f"{table} demande des géométries {geometry_type} mais "
            f"{quantity(int(bad.sum()), 'objet est', 'objets sont')} d'un autre type.",
            hint_fr="Découpez les zones multiparties en parties simples (odl-geo le fait en convertissant les couches "
            "COVADIS).",
        )
    return geoms


def _py(value: Any) -> Any:
    """A value sqlite3 stores as the template expects: None for missing, plain int/float/str."""
    if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return value


#: rows inserted per ``executemany``: the Python rows of one batch only are alive, whatever the table's size.
#: 5,000 zones (~1 KB of coordinates each) make ~5 MB of WKB and as much of GeoPackage blobs: at 20,000 the build
#: added ~35 MiB to the run's resident set at 100,000 zones (seventh round, docs/flood.md); the rows are the
#: same, in the same order, whatever the batch: the same bytes
INSERT_BATCH = 5_000
_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"), ("envelope", "<f8", (4,))])


def gpkg_blobs(geoms: np.ndarray, srs_id: int = SRS_ID) -> list[bytes | None]:
    """:func:`gpkg_blob` of every geometry, the same bytes, computed in bulk (WKB, envelopes and headers at once)."""
    out: list[bytes | None] = [None] * len(geoms)
    present = np.flatnonzero(np.array([g is not None for g in geoms], dtype=bool))
    if not len(present):
        return out
    shown = geoms[present]
    wkbs = shapely.to_wkb(shown, byte_order=1, output_dimension=2)
    empty = shapely.is_empty(shown)
    bounds = shapely.bounds(shown)
    headers = np.zeros(len(shown), dtype=_HEADER)
    headers["magic"] = b"GP"
    headers["flags"] = 0b0000_0011
    headers["srs"] = srs_id
    headers["envelope"] = bounds[:, [0, 2, 1, 3]]  # minx, maxx, miny, maxy
    raw = headers.tobytes()
    size = _HEADER.itemsize
    empty_header = b"GP" + bytes((0, 0b0001_0001)) + struct.pack("<i", srs_id)
    for k, (i, wkb) in enumerate(zip(present.tolist(), wkbs.tolist(), strict=True)):
        out[i] = empty_header + wkb if empty[k] else raw[k * size : (k + 1) * size] + wkb
    return out


def _cells(series: pd.Series) -> list[Any]:
    """The column's values as sqlite3 stores them (:func:`_py`), text columns on a fast path."""
    if series.dtype == object:
        return [v if type(v) is str else _py(v) for v in series.tolist()]
    return [_py(v) for v in series.tolist()] if series.dtype.kind != "M" else [_py(v) for v in series]


def _insert(
    conn: sqlite3.Connection, table: str, table_def: TableDef, frame: pd.DataFrame
) -> tuple[float, float, float, float] | None:
    """Insert ``frame``'s rows into ``table``; returns the bounds of its geometries (None: none)."""
    columns = [c.name for c in table_def.columns]
    geoms = None
    if table_def.geometry_column is not None and len(frame):
        raw = np.asarray(
            frame.geometry.values if hasattr(frame, "geometry") else frame[table_def.geometry_column], dtype=object
        )
        geoms = _shape(raw, str(table_def.geometry_type), table)
    marks = ", ".join("?" for _ in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    for start in range(0, len(frame), INSERT_BATCH):
        stop = min(start + INSERT_BATCH, len(frame))
        batch = frame.iloc[start:stop]
        cells: list[list[Any]] = []
        for col in columns:
            if col == table_def.geometry_column:
                cells.append(gpkg_blobs(geoms[start:stop]) if geoms is not None else [None] * len(batch))
            else:
                cells.append(_cells(batch[col]) if col in batch.columns else [None] * len(batch))
        try:
            conn.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', zip(*cells, strict=True))
        except sqlite3.IntegrityError as exc:
            raise InputError(
                f"{table} breaks a rule of the CNIG PPR template: {exc}.",
                "Run `odl-geo check --theme flood` to see which values are missing or duplicated, fix them, "
                "convert again.",
                message_fr=f"{table} enfreint une règle du modèle PPR CNIG : {exc}.",
                hint_fr="Lancez `odl-geo check --theme flood` pour voir quelles valeurs manquent ou sont en double, "
                "corrigez-les, puis convertissez de nouveau.",
            ) from exc
        del cells
    if geoms is not None and len(geoms):
        minx, miny, maxx, maxy = shapely.total_bounds(geoms)
        return float(minx), float(miny), float(maxx), float(maxy)
    return None


def _insert_metadata(conn: sqlite3.Connection, xml: str, timestamp: str) -> None:
    conn.execute(
        "INSERT INTO gpkg_metadata VALUES (1, 'dataset', 'http://www.isotc211.org/2005/gmd', 'text/xml', ?)", (xml,)
    )
    conn.execute(
        "INSERT INTO gpkg_metadata_reference VALUES ('geopackage', NULL, NULL, NULL, ?, 1, NULL)", (timestamp,)
    )


def refuse_broken_references(conn: sqlite3.Connection) -> None:
    """Raise when a value is outside its code list or points at nothing (``PRAGMA foreign_key_check``).

    :raises InputError: the first five such values, and how many there are.
    """
    problems, problems_fr = [], []
    rows = conn.execute("PRAGMA foreign_key_check").fetchall()
    for table, rowid, parent, fkid in rows[:5]:
        column = next(r[3] for r in conn.execute(f'PRAGMA foreign_key_list("{table}")') if r[0] == fkid)
        (value,) = conn.execute(f'SELECT "{column}" FROM "{table}" WHERE rowid = ?', (rowid,)).fetchone()
        problems.append(f"{table}.{column} = {value!r} is not in {parent}")
        problems_fr.append(f"{table}.{column} = {value!r} n'est pas dans {parent}")
    if rows:
        more = f" (and {count_text(len(rows) - len(problems), 'en')} more)" if len(rows) > len(problems) else ""
        others = len(rows) - len(problems)
        more_fr = f" (et {quantity(others, 'autre', 'autres')})" if others > 0 else ""
        raise InputError(
            f"{quantity(len(rows), 'value is', 'values are', 'en')} outside the CNIG code lists or "
            f"{agree(len(rows), 'points', 'point', 'en')} at nothing: {'; '.join(problems)}{more}.",
            "Run `odl-geo check --theme flood` to list them all, fix the source codes and convert again.",
            message_fr=f"{quantity(len(rows), 'valeur est', 'valeurs sont')} hors des listes de codes CNIG ou ne "
            f"{agree(len(rows), 'renvoie', 'renvoient')} à rien : {' ; '.join(problems_fr)}{more_fr}.",
            hint_fr="Lancez `odl-geo check --theme flood` pour les lister toutes, corrigez les codes de la source et "
            "convertissez de nouveau.",
        )
