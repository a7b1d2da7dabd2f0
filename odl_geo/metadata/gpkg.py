"""The ISO 19139 record inside a GeoPackage (``gpkg_metadata`` / ``gpkg_metadata_reference``, the GeoPackage
metadata extension).

A GeoPackage travels alone (e-mailed, dropped on a géocatalogue); with the record inside, QGIS, GDAL
(``GPKG_METADATA_ITEM_n`` of the dataset's metadata) and the CNIG PPR standard (which asks for it) find its
description without the folder. The record is attached to the whole file (``reference_scope = 'geopackage'``).

Written with SQL (GDAL's GPKG driver creates these tables only for its own GDAL-format metadata): the tables and
the extension rows follow the GeoPackage 1.3 specification's DDL. Re-writing replaces the previous ISO record of
the whole file, never other metadata; the same record is not written twice (any SQLite write changes the bytes, and
publishers compare checksums). The timestamp is the record's metadata date, not the clock.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING, Any

from ..errors import OutputError

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

__all__ = ["GMD_URI", "read_gpkg_metadata", "write_gpkg_metadata"]

GMD_URI = "http://www.isotc211.org/2005/gmd"
_EXTENSION = "http://www.geopackage.org/spec121/#extension_metadata"
_DDL = (
    """CREATE TABLE IF NOT EXISTS gpkg_metadata (
  id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset',
  md_standard_uri TEXT NOT NULL,
  mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT ''
)""",
    """CREATE TABLE IF NOT EXISTS gpkg_metadata_reference (
  reference_scope TEXT NOT NULL,
  table_name TEXT,
  column_name TEXT,
  row_id_value INTEGER,
  timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL,
  md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id)
)""",
)


def write_gpkg_metadata(path: Path, xml: bytes, day: dt.date) -> bool:
    """Put ``xml`` (an ISO 19139 document) in the GeoPackage ``path`` as its dataset metadata.

    :returns: False when the file already held exactly this record (then it is not touched: any SQLite write
        changes the file's bytes, and publishers would send it again).
    :raises OutputError: the file is not a GeoPackage or cannot be written.
    """
    stamp = f"{day.isoformat()}T00:00:00.000Z"
    try:
        if read_gpkg_metadata(path, with_timestamps=True) == [(xml.decode("utf-8"), stamp)]:
            return False
    except sqlite3.Error:
        pass  # no metadata tables yet: written below
    try:
        with closing(sqlite3.connect(path)) as conn, conn:
            conn.execute("PRAGMA foreign_keys = ON")
            for ddl in _DDL:
                conn.execute(ddl)
            for table in ("gpkg_metadata", "gpkg_metadata_reference"):
                conn.execute(
                    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) "
                    "SELECT ?, NULL, 'gpkg_metadata', ?, 'read-write' WHERE NOT EXISTS (SELECT 1 FROM "
                    "gpkg_extensions WHERE table_name = ? AND extension_name = 'gpkg_metadata')",
                    (table, _EXTENSION, table),
                )
            old = [
                r[0]
                for r in conn.execute(
                    "SELECT m.id FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id "
                    "WHERE m.md_standard_uri = ? AND r.reference_scope = 'geopackage'",
                    (GMD_URI,),
                )
            ]
            for md_id in old:
                conn.execute("DELETE FROM gpkg_metadata_reference WHERE md_file_id = ?", (md_id,))
                conn.execute("DELETE FROM gpkg_metadata WHERE id = ?", (md_id,))
            cur = conn.execute(
                "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) "
                "VALUES ('dataset', ?, 'text/xml', ?)",
                (GMD_URI, xml.decode("utf-8")),
            )
            conn.execute(
                "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, column_name, row_id_value, "
                "timestamp, md_file_id, md_parent_id) VALUES ('geopackage', NULL, NULL, NULL, ?, ?, NULL)",
                (stamp, cur.lastrowid),
            )
        return True
    except sqlite3.Error as exc:
        raise OutputError(
            f"Cannot write the metadata into {path.name}: {exc}.",
            "Check that the file is a GeoPackage and writable.",
            message_fr=f"Impossible d'écrire les métadonnées dans {path.name} : {exc}.",
            hint_fr="Vérifiez que le fichier est un GeoPackage et qu'il est accessible en écriture.",
        ) from exc


def read_gpkg_metadata(path: Path, with_timestamps: bool = False) -> list[Any]:
    """The ISO 19139 documents attached to the whole GeoPackage (``(xml, timestamp)`` with ``with_timestamps``).

    :raises sqlite3.Error: not a GeoPackage, or no metadata tables.
    """
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        rows = conn.execute(
            "SELECT m.metadata, r.timestamp FROM gpkg_metadata m JOIN gpkg_metadata_reference r "
            "ON r.md_file_id = m.id WHERE m.md_standard_uri = ? AND r.reference_scope = 'geopackage' ORDER BY m.id",
            (GMD_URI,),
        ).fetchall()
    return [tuple(r) if with_timestamps else r[0] for r in rows]
