"""Check the *values* of a CNIG PPR GeoPackage: code lists, references, mandatory values, dates, geometries.

Codes are checked against the template's lists, not against the lists inside the file (a file may carry an
altered copy). Geometries are decoded from the GeoPackage binary header + WKB and checked for type, SRS, Z and
validity (the standard's "Validité des géométries": OGC Simple Features rules).
"""

from __future__ import annotations

import re
import sqlite3
import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ...report import Severity
from .model import add_issue
from .template import SRS_ID

if TYPE_CHECKING:
    from ...report import Report
    from .template import TableDef, Template

__all__ = ["check_values", "decode_blob"]

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_TYPE_NAMES = {0: "POINT", 1: "LINESTRING", 3: "POLYGON", 4: "MULTIPOINT", 5: "MULTILINESTRING", 6: "MULTIPOLYGON"}


def decode_blob(blob: bytes) -> tuple[int, bytes] | None:
    """(srs_id, WKB) of a GeoPackage geometry blob, or None when it is not one."""
    if len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    env = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if env is None:
        return None
    (srs_id,) = struct.unpack("<i" if flags & 1 else ">i", blob[4:8])
    return srs_id, blob[8 + env :]


def check_values(
    conn: sqlite3.Connection,
    matched: dict[str, tuple[TableDef, str | None]],
    prefix: str,
    template: Template,
    report: Report,
) -> dict[str, int]:
    """Check every known table's values; return the row count of each data table."""
    counts: dict[str, int] = {}
    for table, (table_def, code) in matched.items():
        if table_def.is_code_list:
            continue
        cols = {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')}
        counts[table] = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        _mandatory(conn, table, table_def, cols, report)
        _identifiers(conn, table, table_def, cols, report)
        _references(conn, table, table_def, code, cols, matched, prefix, template, report)
        if code is not None and "typealea" in cols:
            _hazard_code(conn, table, code, report)
        _formats(conn, table, table_def, cols, report)
        if table_def.geometry_type:
            _geometries(conn, table, table_def, report)
    _procedure_code(conn, matched, prefix, report)
    _multirisk_detail(conn, matched, report)
    return counts


def _positions(
    conn: sqlite3.Connection, table: str, where: str, params: tuple[object, ...] = ()
) -> tuple[int, list[int]]:
    """How many rows match ``where`` and the 0-based positions (in rowid order) of the first five.

    A plain count first (most rules match no row), then the first five rowids and their rank: never a window
    over the whole table with its geometries."""
    (n,) = conn.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', params).fetchone()
    if not n:
        return 0, []
    first = [r[0] for r in conn.execute(f'SELECT rowid FROM "{table}" WHERE {where} ORDER BY rowid LIMIT 5', params)]
    return n, [conn.execute(f'SELECT count(*) FROM "{table}" WHERE rowid < ?', (r,)).fetchone()[0] for r in first]


def _mandatory(conn: sqlite3.Connection, table: str, table_def: TableDef, cols: dict[str, str], report: Report) -> None:
    for col in table_def.columns:
        if col.notnull and col.name in cols:
            real = cols[col.name]
            n, examples = _positions(conn, table, f'"{real}" IS NULL OR trim("{real}") = \'\'')
            if n:
                add_issue(
                    report,
                    "PPR_VALUE_MISSING",
                    Severity.ERROR,
                    f"{table}: {n} row(s) have no {col.name}, which the standard makes mandatory.",
                    "Fill the value.",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {n} ligne(s) sans {col.name}, que le standard rend obligatoire.",
                    hint_fr="Remplissez la valeur.",
                )


def _identifiers(
    conn: sqlite3.Connection, table: str, table_def: TableDef, cols: dict[str, str], report: Report
) -> None:
    keys = [cols[c.name] for c in table_def.columns if c.pk and c.name in cols]
    if not keys or len(keys) != sum(c.pk for c in table_def.columns):
        return
    group = ", ".join(f'"{k}"' for k in keys)
    dups = conn.execute(
        f'SELECT count(*) FROM (SELECT {group} FROM "{table}" GROUP BY {group} HAVING count(*) > 1)'
    ).fetchone()[0]
    if dups:
        add_issue(
            report,
            "PPR_ID_DUPLICATE",
            Severity.ERROR,
            f"{table}: {dups} identifier value(s) ({', '.join(keys)}) are used by several rows.",
            "Give each row its own identifier (it is the table's primary key).",
            layer=table,
            count=dups,
            fr=f"{table} : {dups} valeur(s) d'identifiant ({', '.join(keys)}) servent à plusieurs lignes.",
            hint_fr="Donnez à chaque ligne son propre identifiant (c'est la clé primaire de la table).",
        )


def _references(
    conn: sqlite3.Connection,
    table: str,
    table_def: TableDef,
    code: str | None,
    cols: dict[str, str],
    matched: dict[str, tuple[TableDef, str | None]],
    prefix: str,
    template: Template,
    report: Report,
) -> None:
    for fk in table_def.foreign_keys:
        if fk.column not in cols:
            continue
        real = cols[fk.column]
        if fk.to_code_list:
            allowed = sorted(template.codes(fk.table))
            marks = ", ".join("?" for _ in allowed)
            n, examples = _positions(conn, table, f'"{real}" IS NOT NULL AND "{real}" NOT IN ({marks})', tuple(allowed))
            if n:
                values = [
                    r[0]
                    for r in conn.execute(
                        f'SELECT DISTINCT "{real}" FROM "{table}" '
                        f'WHERE "{real}" IS NOT NULL AND "{real}" NOT IN ({marks}) LIMIT 5',
                        tuple(allowed),
                    )
                ]
                add_issue(
                    report,
                    "PPR_CODE_NOT_IN_LIST",
                    Severity.ERROR,
                    f"{table}: {n} row(s) have a {fk.column} outside the code list {fk.table} "
                    f"({', '.join(map(repr, values))}).",
                    f"Use a code of {fk.table}: {', '.join(allowed) if len(allowed) <= 15 else 'see the table'}.",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {n} ligne(s) ont un {fk.column} hors de la liste de codes {fk.table} "
                    f"({', '.join(map(repr, values))}).",
                    hint_fr=f"Utilisez un code de {fk.table} : "
                    f"{', '.join(allowed) if len(allowed) <= 15 else 'voir la table'}.",
                )
            continue
        target_kind = fk.table.replace("codealea", code) if code is not None else fk.table
        target = f"{prefix}_{target_kind}"
        if target not in matched:
            n, examples = _positions(conn, table, f'"{real}" IS NOT NULL')
            if n:
                add_issue(
                    report,
                    "PPR_REFERENCE_BROKEN",
                    Severity.ERROR,
                    f"{table}: {n} row(s) refer through {fk.column} to the table {target}, which is missing.",
                    f"Add {target} or empty {fk.column}.",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {n} ligne(s) renvoient par {fk.column} à la table {target}, qui est absente.",
                    hint_fr=f"Ajoutez {target} ou videz {fk.column}.",
                )
            continue
        ref_cols = {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{target}")')}
        if fk.ref_column not in ref_cols:
            continue
        n, examples = _positions(
            conn,
            table,
            f'"{real}" IS NOT NULL AND "{real}" NOT IN '
            f'(SELECT "{ref_cols[fk.ref_column]}" FROM "{target}" WHERE "{ref_cols[fk.ref_column]}" IS NOT NULL)',
        )
        if n:
            add_issue(
                report,
                "PPR_REFERENCE_BROKEN",
                Severity.ERROR,
                f"{table}: {n} row(s) have a {fk.column} that matches no {fk.ref_column} of {target}.",
                "Correct the identifiers so that every reference points at an existing row.",
                layer=table,
                count=n,
                examples=examples,
                fr=f"{table} : {n} ligne(s) ont un {fk.column} qui ne correspond à aucun {fk.ref_column} de {target}.",
                hint_fr="Corrigez les identifiants pour que chaque référence désigne une ligne existante.",
            )


def _hazard_code(conn: sqlite3.Connection, table: str, code: str, report: Report) -> None:
    n, examples = _positions(conn, table, "typealea IS NOT NULL AND typealea <> ?", (code,))
    if n:
        add_issue(
            report,
            "PPR_HAZARD_CODE_MISMATCH",
            Severity.ERROR,
            f"{table}: {n} row(s) have a typealea other than {code}, the hazard code in the table's name.",
            "Move these zones to the table of their hazard.",
            layer=table,
            count=n,
            examples=examples,
            fr=f"{table} : {n} ligne(s) ont un typealea autre que {code}, le code d'aléa du nom de la table.",
            hint_fr="Déplacez ces zones dans la table de leur aléa.",
        )


def _formats(conn: sqlite3.Connection, table: str, table_def: TableDef, cols: dict[str, str], report: Report) -> None:
    for col in table_def.columns:
        if col.name not in cols:
            continue
        real = cols[col.name]
        if col.base_type == "DATE":
            bad = [
                v
                for (v,) in conn.execute(f'SELECT "{real}" FROM "{table}" WHERE "{real}" IS NOT NULL')
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v))
            ]
            if bad:
                add_issue(
                    report,
                    "PPR_DATE_FORMAT",
                    Severity.ERROR,
                    f"{table}: {len(bad)} value(s) of {col.name} are not dates written YYYY-MM-DD ({bad[0]!r}).",
                    "Write dates as YYYY-MM-DD.",
                    layer=table,
                    count=len(bad),
                    fr=f"{table} : {len(bad)} valeur(s) de {col.name} ne sont pas des dates écrites AAAA-MM-JJ "
                    f"({bad[0]!r}).",
                    hint_fr="Écrivez les dates AAAA-MM-JJ.",
                )
        elif col.base_type == "INTEGER":
            n, examples = _positions(conn, table, f'"{real}" IS NOT NULL AND typeof("{real}") <> \'integer\'')
            if n:
                add_issue(
                    report,
                    "PPR_VALUE_TYPE",
                    Severity.ERROR,
                    f"{table}: {n} value(s) of {col.name} are not whole numbers.",
                    "Store whole numbers (e.g. a return period in years).",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {n} valeur(s) de {col.name} ne sont pas des nombres entiers.",
                    hint_fr="Enregistrez des nombres entiers (p. ex. une période de retour en années).",
                )


#: geometries decoded and checked per batch: the blobs and shapes of one batch only are in memory
GEOMETRY_BATCH = 20_000


@dataclass
class _Found:
    """Rows breaking one geometry rule, over every batch: how many, the first five, and what is remembered."""

    count: int = 0
    examples: list[int] = field(default_factory=list)
    names: set[str] = field(default_factory=set)
    reason: str = ""

    def add(self, rows: np.ndarray) -> None:
        self.count += len(rows)
        self.examples.extend(int(i) for i in rows[: 5 - len(self.examples)])


def _geometries(conn: sqlite3.Connection, table: str, table_def: TableDef, report: Report) -> None:
    column = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    if column is None:
        return
    missing, wrong_srs, wrong, with_z, invalid = _Found(), _Found(), _Found(), _Found(), _Found()
    present_any = False
    cursor = conn.execute(f'SELECT "{column[0]}" FROM "{table}" ORDER BY rowid')
    start = 0
    while blobs := [r[0] for r in cursor.fetchmany(GEOMETRY_BATCH)]:
        decoded = [decode_blob(b) if isinstance(b, bytes) else None for b in blobs]
        index = np.array([i for i, d in enumerate(decoded, start) if d is not None], dtype=np.int64)
        missing.add(np.array([i for i, d in enumerate(decoded, start) if d is None], dtype=np.int64))
        present = [d for d in decoded if d is not None]
        start += len(blobs)
        del blobs, decoded
        if not present:
            continue
        present_any = True
        wrong_srs.add(index[np.array([d[0] != SRS_ID for d in present], dtype=bool)])
        geoms = shapely.from_wkb([d[1] for d in present], on_invalid="ignore")
        del present
        types = shapely.get_type_id(geoms)
        names = np.array([_TYPE_NAMES.get(int(t), "OTHER") for t in types])
        bad_type = (names != table_def.geometry_type) & (types >= 0)
        wrong.add(index[bad_type])
        wrong.names.update(names[bad_type].tolist())
        with_z.add(index[shapely.has_z(geoms)])
        bad = ~shapely.is_valid(geoms) & (types >= 0)
        if bad.any() and not invalid.count:
            invalid.reason = str(shapely.is_valid_reason(geoms[bad][0]))
        invalid.add(index[bad])
        del geoms
    if missing.count:
        add_issue(
            report,
            "PPR_GEOMETRY_MISSING",
            Severity.ERROR,
            f"{table}: {missing.count} row(s) have no readable geometry; the standard requires one.",
            "Draw or restore the geometry.",
            layer=table,
            count=missing.count,
            examples=missing.examples,
            fr=f"{table} : {missing.count} ligne(s) sans géométrie lisible ; le standard en exige une.",
            hint_fr="Dessinez ou rétablissez la géométrie.",
        )
    if not present_any:
        return
    if wrong_srs.count:
        add_issue(
            report,
            "PPR_GEOMETRY_SRS",
            Severity.ERROR,
            f"{table}: {wrong_srs.count} geometrie(s) carry another SRS than EPSG:{SRS_ID} in their header.",
            "Rewrite the geometries in EPSG:2154.",
            layer=table,
            count=wrong_srs.count,
            examples=wrong_srs.examples,
            fr=f"{table} : {wrong_srs.count} géométrie(s) portent un autre SRS qu'EPSG:{SRS_ID} dans leur en-tête.",
            hint_fr="Réécrivez les géométries en EPSG:2154.",
        )
    if wrong.count:
        kind = min(wrong.names)
        add_issue(
            report,
            "PPR_GEOMETRY_TYPE",
            Severity.ERROR,
            f"{table}: {wrong.count} geometrie(s) are {kind}, not {table_def.geometry_type}.",
            "Split multi-part zones into one row per part.",
            layer=table,
            count=wrong.count,
            examples=wrong.examples,
            fr=f"{table} : {wrong.count} géométrie(s) sont des {kind}, pas des {table_def.geometry_type}.",
            hint_fr="Découpez les zones multi-parties en une ligne par partie.",
        )
    if with_z.count:
        add_issue(
            report,
            "PPR_GEOMETRY_ZM",
            Severity.ERROR,
            f"{table}: {with_z.count} geometrie(s) have Z values.",
            "Drop the Z coordinates.",
            layer=table,
            count=with_z.count,
            examples=with_z.examples,
            fr=f"{table} : {with_z.count} géométrie(s) ont des valeurs Z.",
            hint_fr="Retirez les coordonnées Z.",
        )
    if invalid.count:
        reason = invalid.reason
        add_issue(
            report,
            "PPR_GEOMETRY_INVALID",
            Severity.ERROR,
            f"{table}: {invalid.count} geometrie(s) break the OGC Simple Features rules (first: {reason}).",
            "Repair them (QGIS 'Fix geometries', or odl-geo convert, which repairs polygons).",
            layer=table,
            count=invalid.count,
            examples=invalid.examples,
            fr=f"{table} : {invalid.count} géométrie(s) enfreignent les règles OGC Simple Features (première : "
            f"{reason}).",
            hint_fr="Réparez-les (QGIS « Réparer les géométries », ou odl-geo convert, qui répare les polygones).",
        )


def _procedure_code(
    conn: sqlite3.Connection, matched: dict[str, tuple[TableDef, str | None]], prefix: str, report: Report
) -> None:
    table = next((t for t, (d, _) in matched.items() if d.kind == "procedure"), None)
    if table is None:
        return
    codes = [str(r[0]) for r in conn.execute(f'SELECT codeprocedure FROM "{table}"') if r[0] is not None]
    code = prefix.split("_", 1)[-1]
    if codes and code not in {c.lower() for c in codes}:
        add_issue(
            report,
            "PPR_FILE_NAME_CODE_MISMATCH",
            Severity.ERROR,
            f"The delivery is named after {code}, but {table} holds the procedure(s) {', '.join(codes)}.",
            "Name the file and the tables after the GASPAR code of the procedure.",
            layer=table,
            fr=f"La livraison porte le nom de {code}, mais {table} contient la ou les procédures {', '.join(codes)}.",
            hint_fr="Nommez le fichier et les tables d'après le code GASPAR de la procédure.",
        )


def _multirisk_detail(
    conn: sqlite3.Connection, matched: dict[str, tuple[TableDef, str | None]], report: Report
) -> None:
    synth = next((t for t, (d, _) in matched.items() if d.kind == "zonealeanaturelsynthese_s"), None)
    if synth is None:
        return
    detail = next((t for t, (d, _) in matched.items() if d.kind == "zonemultialeanaturel"), None)
    where = "typealea = '999'" + (f' AND idzonealea NOT IN (SELECT idzonealea FROM "{detail}")' if detail else "")
    try:
        n, examples = _positions(conn, synth, where)
    except sqlite3.Error:
        return
    if n:
        add_issue(
            report,
            "PPR_MULTIALEA_DETAIL_MISSING",
            Severity.WARNING,
            f"{synth}: {n} multirisk zone(s) (typealea 999) have no row in zonemultialeanaturel, so their "
            "hazards are unknown.",
            "List the hazards of each multirisk zone in zonemultialeanaturel.",
            layer=synth,
            count=n,
            examples=examples,
            fr=f"{synth} : {n} zone(s) multirisques (typealea 999) n'ont aucune ligne dans zonemultialeanaturel, "
            "leurs aléas sont donc inconnus.",
            hint_fr="Listez les aléas de chaque zone multirisque dans zonemultialeanaturel.",
        )
