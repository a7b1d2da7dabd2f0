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

__all__ = ["check_values", "decode_blob", "decode_blobs"]

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


_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4")])
_ENVELOPES = np.array([_ENVELOPE_BYTES.get(code, -1) for code in range(8)], dtype=np.int64)


def decode_blobs(blobs: list[object]) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """:func:`decode_blob` of a batch, the headers read at once: (which values are GeoPackage geometries, the
    srs_id of each value (meaningful where it is one), the WKB of those, in order)."""
    ok = np.array([type(b) is bytes and len(b) >= 8 for b in blobs], dtype=bool)
    heads = np.frombuffer(
        b"".join(b[:8] if k else b"\0" * 8 for b, k in zip(blobs, ok.tolist(), strict=True)),  # type: ignore[index]
        dtype=_HEADER,
    )
    envelope = _ENVELOPES[(heads["flags"] >> 1) & 0b111]
    ok &= (heads["magic"] == b"GP") & (envelope >= 0)
    srs = heads["srs"].astype(np.int64)
    big = (heads["flags"] & 1) == 0  # the header's byte order: bit 0 of the flags, 1 = little endian
    srs[big] = heads["srs"][big].byteswap()
    starts = (envelope + 8).tolist()
    wkbs = [b[i:] for b, i, k in zip(blobs, starts, ok.tolist(), strict=True) if k]  # type: ignore[index]
    return ok, srs, wkbs


def check_values(
    conn: sqlite3.Connection,
    matched: dict[str, tuple[TableDef, str | None]],
    prefix: str,
    template: Template,
    report: Report,
    *,
    geometries: bool = True,
) -> dict[str, int]:
    """Check every known table's values; return the row count of each data table.

    :param geometries: False skips the geometry rules (type, SRS, Z, OGC validity), each judged row by row: for
        a file validated whole before, then only *rid of rows* (``--drop-invalid``, :mod:`.leave_out`), they
        can name no rule that the whole validation did not name already.
    """
    counts: dict[str, int] = {}
    for table, (table_def, code) in matched.items():
        if table_def.is_code_list:
            continue
        cols = {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')}
        # every row rule of the table counted in one scan (each rule used to read the whole table again)
        rules = _row_rules(conn, table, table_def, code, cols, matched, prefix, template)
        counted = _count_rules(conn, table, rules)
        counts[table] = counted.pop(("1", ()))
        _mandatory(conn, table, table_def, cols, report, counted)
        _identifiers(conn, table, table_def, cols, report)
        _references(conn, table, table_def, code, cols, matched, prefix, template, report, counted)
        if code is not None and "typealea" in cols:
            _hazard_code(conn, table, code, report, counted)
        _formats(conn, table, table_def, cols, report, counted)
        if table_def.geometry_type and geometries:
            _geometries(conn, table, table_def, report)
    _procedure_code(conn, matched, prefix, report)
    _multirisk_detail(conn, matched, report)
    return counts


#: a row rule of :func:`_positions`: its SQL condition and the condition's parameters
_Rule = tuple[str, tuple[object, ...]]


def _missing_where(real: str) -> str:
    return f'"{real}" IS NULL OR trim("{real}") = \'\''


def _code_where(real: str, allowed: list[str]) -> _Rule:
    marks = ", ".join("?" for _ in allowed)
    return f'"{real}" IS NOT NULL AND "{real}" NOT IN ({marks})', tuple(allowed)


def _reference_where(real: str, target: str, ref: str) -> str:
    return f'"{real}" IS NOT NULL AND "{real}" NOT IN (SELECT "{ref}" FROM "{target}" WHERE "{ref}" IS NOT NULL)'


def _integer_where(real: str) -> str:
    return f'"{real}" IS NOT NULL AND typeof("{real}") <> \'integer\''


def _row_rules(
    conn: sqlite3.Connection,
    table: str,
    table_def: TableDef,
    code: str | None,
    cols: dict[str, str],
    matched: dict[str, tuple[TableDef, str | None]],
    prefix: str,
    template: Template,
) -> list[_Rule]:
    """The conditions :func:`_mandatory`, :func:`_references`, :func:`_hazard_code` and :func:`_formats` count,
    built by the same helpers (a condition left out here is still counted, by :func:`_positions` itself)."""
    rules: list[_Rule] = [("1", ())]  # the table's row count
    for col in table_def.columns:
        if col.notnull and col.name in cols:
            rules.append((_missing_where(cols[col.name]), ()))
    for fk in table_def.foreign_keys:
        if fk.column not in cols:
            continue
        real = cols[fk.column]
        if fk.to_code_list:
            rules.append(_code_where(real, sorted(template.codes(fk.table))))
            continue
        target = f"{prefix}_{fk.table.replace('codealea', code) if code is not None else fk.table}"
        if target not in matched:
            rules.append((f'"{real}" IS NOT NULL', ()))
            continue
        ref_cols = {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{target}")')}
        if fk.ref_column in ref_cols:
            rules.append((_reference_where(real, target, ref_cols[fk.ref_column]), ()))
    if code is not None and "typealea" in cols:
        rules.append(("typealea IS NOT NULL AND typealea <> ?", (code,)))
    for col in table_def.columns:
        if col.name in cols and col.base_type == "INTEGER":
            rules.append((_integer_where(cols[col.name]), ()))
    return rules


def _count_rules(conn: sqlite3.Connection, table: str, rules: list[_Rule]) -> dict[_Rule, int]:
    """How many rows of ``table`` match each rule, all counted in one scan of the table."""
    unique = list(dict.fromkeys(rules))
    sums = ", ".join(f"coalesce(sum(CASE WHEN ({where}) THEN 1 ELSE 0 END), 0)" for where, _ in unique)
    params = tuple(p for _, rule_params in unique for p in rule_params)
    row = conn.execute(f'SELECT {sums} FROM "{table}"', params).fetchone()
    return {rule: int(n) for rule, n in zip(unique, row, strict=True)}


def _positions(
    conn: sqlite3.Connection,
    table: str,
    where: str,
    params: tuple[object, ...] = (),
    counted: dict[_Rule, int] | None = None,
) -> tuple[int, list[int]]:
    """How many rows match ``where`` and the 0-based positions (in rowid order) of the first five.

    A plain count first (most rules match no row; ``counted``: the counts :func:`_count_rules` made in one scan),
    then the first five rowids and their rank: never a window over the whole table with its geometries."""
    known = counted.get((where, params)) if counted is not None else None
    (n,) = (
        (known,)
        if known is not None
        else conn.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', params).fetchone()
    )
    if not n:
        return 0, []
    first = [r[0] for r in conn.execute(f'SELECT rowid FROM "{table}" WHERE {where} ORDER BY rowid LIMIT 5', params)]
    return n, [conn.execute(f'SELECT count(*) FROM "{table}" WHERE rowid < ?', (r,)).fetchone()[0] for r in first]


def _mandatory(
    conn: sqlite3.Connection,
    table: str,
    table_def: TableDef,
    cols: dict[str, str],
    report: Report,
    counted: dict[_Rule, int] | None = None,
) -> None:
    for col in table_def.columns:
        if col.notnull and col.name in cols:
            real = cols[col.name]
            n, examples = _positions(conn, table, _missing_where(real), counted=counted)
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
    counted: dict[_Rule, int] | None = None,
) -> None:
    for fk in table_def.foreign_keys:
        if fk.column not in cols:
            continue
        real = cols[fk.column]
        if fk.to_code_list:
            allowed = sorted(template.codes(fk.table))
            marks = ", ".join("?" for _ in allowed)
            n, examples = _positions(conn, table, *_code_where(real, allowed), counted=counted)
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
            n, examples = _positions(conn, table, f'"{real}" IS NOT NULL', counted=counted)
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
        n, examples = _positions(conn, table, _reference_where(real, target, ref_cols[fk.ref_column]), counted=counted)
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


def _hazard_code(
    conn: sqlite3.Connection, table: str, code: str, report: Report, counted: dict[_Rule, int] | None = None
) -> None:
    n, examples = _positions(conn, table, "typealea IS NOT NULL AND typealea <> ?", (code,), counted)
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


def _formats(
    conn: sqlite3.Connection,
    table: str,
    table_def: TableDef,
    cols: dict[str, str],
    report: Report,
    counted: dict[_Rule, int] | None = None,
) -> None:
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
            n, examples = _positions(conn, table, _integer_where(real), counted=counted)
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


#: geometries decoded and checked per batch: the blobs and shapes of one batch only are in memory (5,000 as the
#: build's batches, ``gpkg.INSERT_BATCH``: ~9 MiB less at the peak of a 100,000-zone run than 20,000, the same CPU)
GEOMETRY_BATCH = 5_000


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
    # the declared type's id (-2 when the template's type has none: every geometry is then of a wrong type)
    wanted = next((t for t, name in _TYPE_NAMES.items() if name == table_def.geometry_type), -2)
    present_any = False
    cursor = conn.execute(f'SELECT "{column[0]}" FROM "{table}" ORDER BY rowid')
    start = 0
    while blobs := [r[0] for r in cursor.fetchmany(GEOMETRY_BATCH)]:
        ok, srs, wkbs = decode_blobs(blobs)
        index = np.flatnonzero(ok) + start
        missing.add(np.flatnonzero(~ok) + start)
        start += len(blobs)
        del blobs
        if not len(wkbs):
            continue
        present_any = True
        wrong_srs.add(index[srs[ok] != SRS_ID])
        geoms = shapely.from_wkb(wkbs, on_invalid="ignore")
        del wkbs
        types = shapely.get_type_id(geoms)
        bad_type = (types != wanted) & (types >= 0)
        wrong.add(index[bad_type])
        wrong.names.update(_TYPE_NAMES.get(int(t), "OTHER") for t in np.unique(types[bad_type]))
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
