"""The CNIG PPR GeoPackage template ("Annexe E" SQL, pinned in ``data/cnig_ppr/``) as data.

The template is *executed* by SQLite into an in-memory database and then introspected (``PRAGMA table_info``,
``foreign_key_list``) rather than parsed: the SQL holds semicolons inside code-list labels ("Risque Naturel ;
Inondation"), comments and multi-row inserts, and SQLite is the reference parser of its own dialect. What a
GeoPackage reader will see (columns, declared types, NOT NULL, keys, code lists) is therefore exactly what the
converter writes and what the validator expects; nothing about the standard is typed by hand in odl-geo except
the few rules the SQL cannot express (mandatory tables, hazard families per table, see below).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CORE_SQL",
    "HAZARD_PLACEHOLDER",
    "MANDATORY_TABLES",
    "SRS_ID",
    "TEMPLATE_COMMIT",
    "TEMPLATE_FILE",
    "TEMPLATE_PREFIX",
    "TEMPLATE_VERSION",
    "Column",
    "ForeignKey",
    "TableDef",
    "Template",
    "load_template",
    "template_sql",
]

TEMPLATE_FILE = Path(__file__).parents[1] / "data" / "cnig_ppr" / "typeppr_codegasparppr.sql"
TEMPLATE_COMMIT = "d46e57969593fcf1a2c5c3c81bc7714f7f1b5f98"
TEMPLATE_VERSION = "1.0.1"  # label of the standard document at TEMPLATE_COMMIT (see data/cnig_ppr/README.md)
TEMPLATE_PREFIX = "typeppr_codegaspar"
HAZARD_PLACEHOLDER = "codealea"
SRS_ID = 2154  # Lambert-93: the profile only targets metropolitan France for now

# "O" (obligatoire) rows of the standard's table dictionary ("Dictionnaire des tables"): the SQL cannot say it.
MANDATORY_TABLES = ("procedure", "perimetre_s", "referenceinternet")

# Hazard codes each per-hazard table may carry ("NB: [CodeAlea]==1xx" etc. in the table dictionary):
# a string is a code prefix (family), a set lists the only codes allowed. Tables not listed accept any code.
HAZARD_FAMILIES: dict[str, str | frozenset[str]] = {
    "zonealeareference": "1",
    "zonealeaecheance100ans": frozenset({"117"}),
    "zonealeaexceptionnel": frozenset({"14"}),
    "zonealeatechnorapide": "21",
    "zonealeatechnolent": "21",
    "zonealeatechnoprojection": frozenset({"214"}),
}

# The core GeoPackage 1.2 tables the upstream script gets from its empty "typeppr_codegasparppr-vide.gpkg"
# (absent from the snapshot). Definitions from the OGC GeoPackage 1.2.1 specification, Annex C.
_WGS84 = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,'
    'AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)
CORE_SQL = f"""
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, '{_WGS84}',
   'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name), CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL, mime_type TEXT NOT NULL DEFAULT 'text/xml',
  metadata TEXT NOT NULL DEFAULT '');
CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT, column_name TEXT,
  row_id_value INTEGER, timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));
INSERT INTO gpkg_extensions VALUES
  ('gpkg_metadata', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata', 'read-write'),
  ('gpkg_metadata_reference', NULL, 'gpkg_metadata', 'http://www.geopackage.org/spec120/#extension_metadata',
   'read-write');
"""


@dataclass(frozen=True)
class Column:
    name: str
    declared: str  # as written in the SQL, upper case: "TEXT(15)", "INTEGER", "POLYGON"...
    notnull: bool
    pk: bool

    @property
    def base_type(self) -> str:
        match = re.match(r"[A-Z]+", self.declared)
        return match.group(0) if match else self.declared

    @property
    def length(self) -> int | None:
        match = re.search(r"\((\d+)\)", self.declared)
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str  # kind of the referenced table ("procedure", "typealea"...)
    ref_column: str
    to_code_list: bool


_PER_HAZARD = re.compile(rf"(?P<base>[a-z0-9]+)_(?P<code>{HAZARD_PLACEHOLDER}|\d+)_(?P<geom>[slp])")


@dataclass(frozen=True)
class TableDef:
    """One table of the template, named by its *kind*: the name without the ``typeppr_codegaspar_`` prefix."""

    kind: str  # "procedure", "zonealeareference_codealea_s", "typealea"...
    data_type: str  # "features" or "attributes"
    columns: tuple[Column, ...]
    foreign_keys: tuple[ForeignKey, ...]
    geometry_column: str | None
    geometry_type: str | None
    description: str
    is_code_list: bool  # created without the procedure prefix (typealea, typereglementurba...)

    @property
    def per_hazard(self) -> bool:
        """Named with a hazard code: ``zonealeareference_codealea_s`` or the literal ``zonealeaexceptionnel_14_s``."""
        return _PER_HAZARD.fullmatch(self.kind) is not None

    @property
    def placeholder(self) -> bool:
        """True for tables the template names with ``codealea``: they exist only once per hazard code."""
        return HAZARD_PLACEHOLDER in self.kind

    @property
    def base(self) -> str:
        """``zonealeareference`` for ``zonealeareference_codealea_s``: the family of a per-hazard table."""
        m = _PER_HAZARD.fullmatch(self.kind)
        return m.group("base") if m else self.kind

    @property
    def pattern(self) -> re.Pattern[str]:
        m = _PER_HAZARD.fullmatch(self.kind)
        if m is None:
            return re.compile(re.escape(self.kind))
        return re.compile(re.escape(m.group("base")) + r"_(\d+)_" + m.group("geom"))

    def real_kind(self, code: str) -> str:
        """The kind for one hazard code: ``zonealeareference_115_s``."""
        m = _PER_HAZARD.fullmatch(self.kind)
        return f"{m.group('base')}_{code}_{m.group('geom')}" if m else self.kind

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def code_list(self, column: str) -> str | None:
        """Name of the code-list table a column must take its values from (its foreign key), if any."""
        fk = next((f for f in self.foreign_keys if f.column == column and f.to_code_list), None)
        return fk.table if fk is not None else None

    def allows_hazard(self, code: str) -> bool:
        rule = HAZARD_FAMILIES.get(self.base)
        if rule is None:
            return True
        return code in rule if isinstance(rule, frozenset) else code.startswith(rule)


@dataclass(frozen=True)
class Template:
    tables: dict[str, TableDef]  # by kind
    code_lists: dict[str, dict[str, str]]  # code-list table -> code -> label
    srs_ids: frozenset[int]
    sha256: str

    def match(self, kind: str) -> tuple[TableDef, str | None] | None:
        """The template table a real table kind implements, and its hazard code for per-hazard tables."""
        exact = self.tables.get(kind)
        if exact is not None and not exact.per_hazard:
            return exact, None
        for table in self.tables.values():
            if table.per_hazard and (m := table.pattern.fullmatch(kind)):
                # the literal examples (zonealeaexceptionnel_14_s...) and their codealea twins share a pattern
                return table, m.group(1)
        return None

    def codes(self, code_list: str) -> frozenset[str]:
        return frozenset(self.code_lists.get(code_list, {}))

    def data_tables(self) -> list[TableDef]:
        return [t for t in self.tables.values() if not t.is_code_list]


def template_sql(srs_id: int = SRS_ID) -> str:
    """The pinned SQL with ``$SRS_ID`` replaced, exactly as upstream ``genGabarits.sh`` does with sed."""
    return TEMPLATE_FILE.read_text(encoding="utf-8").replace("$SRS_ID", str(srs_id))


def _kind(name: str) -> str:
    return name[len(TEMPLATE_PREFIX) + 1 :] if name.startswith(TEMPLATE_PREFIX + "_") else name


@lru_cache(maxsize=1)
def load_template() -> Template:
    """Execute the pinned template in memory and describe it (cached: the file is part of the package)."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(CORE_SQL)
        conn.executescript(template_sql())
        contents = conn.execute("SELECT table_name, data_type, description FROM gpkg_contents").fetchall()
        geoms = {
            t: (c, g)
            for t, c, g in conn.execute("SELECT table_name, column_name, geometry_type_name FROM gpkg_geometry_columns")
        }
        tables: dict[str, TableDef] = {}
        for name, data_type, description in contents:
            cols = tuple(
                Column(row[1], str(row[2]).upper(), bool(row[3]), bool(row[5]))
                for row in conn.execute(f'PRAGMA table_info("{name}")')
            )
            fks = tuple(
                ForeignKey(row[3], _kind(row[2]), row[4], not row[2].startswith(TEMPLATE_PREFIX))
                for row in conn.execute(f'PRAGMA foreign_key_list("{name}")')
            )
            geom_col, geom_type = geoms.get(name, (None, None))
            is_list = not name.startswith(TEMPLATE_PREFIX)
            tables[_kind(name)] = TableDef(
                _kind(name), data_type, cols, fks, geom_col, geom_type, description or "", is_list
            )
        code_lists = {
            kind: dict(conn.execute(f'SELECT code, libelle FROM "{kind}"').fetchall())
            for kind, table in tables.items()
            if table.is_code_list
        }
        srs = frozenset(r[0] for r in conn.execute("SELECT srs_id FROM gpkg_spatial_ref_sys"))
    finally:
        conn.close()
    digest = hashlib.sha256(TEMPLATE_FILE.read_bytes()).hexdigest()
    return Template(tables, code_lists, srs, digest)
