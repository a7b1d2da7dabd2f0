"""Compare a table's columns with the template: names (with misspelt and draft names), types, lengths, keys.

Differences are grouped per table (one finding for all the shorter text lengths of a table, say) so that a
draft GeoPackage gives a report a person can read, not one line per column.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from ...numbers import literal
from ...report import Severity
from .cnig import DRAFT_ALIASES
from .model import add_issue

if TYPE_CHECKING:
    import sqlite3

    from ...report import Report
    from .template import Column, TableDef

__all__ = ["check_columns"]


def check_columns(conn: sqlite3.Connection, table: str, table_def: TableDef, report: Report) -> None:
    actual = {
        str(r[1]).lower(): (str(r[1]), str(r[2]).upper(), bool(r[3]), bool(r[5]))
        for r in conn.execute(f'PRAGMA table_info("{table}")')
    }
    geom = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    if geom and table_def.geometry_column and geom[0].lower() != table_def.geometry_column:
        actual[table_def.geometry_column] = actual.pop(geom[0].lower())
    expected = {c.name: c for c in table_def.columns}
    missing = [c for c in table_def.columns if c.name not in actual]
    extra = [a for a in actual if a not in expected]
    for col in missing:
        close = difflib.get_close_matches(col.name, extra, n=1, cutoff=0.8)
        draft = [a for a in extra if DRAFT_ALIASES.get(a) == col.name]
        twin = next(iter(close or draft), None)
        if twin is not None:
            extra.remove(twin)
            name, declared = actual[twin][0], actual[twin][1]
            why = "the name is misspelt" if close else "it is the name used by a draft of the standard"
            types = "" if _base(declared) == col.base_type else " and the type differs"
            why_fr = "le nom est mal orthographié" if close else "c'est le nom d'un brouillon du standard"
            types_fr = "" if _base(declared) == col.base_type else " et le type diffère"
            add_issue(
                report,
                "PPR_COLUMN_MISNAMED",
                Severity.ERROR,
                f"{table} has a column `{name}` ({declared}) where the standard has `{col.name}` ({col.declared}): "
                f"{why}{types}.",
                f"Rename the column {col.name} ({col.declared}); odl-geo convert --theme flood rewrites it.",
                layer=table,
                fr=f"{table} a une colonne `{name}` ({declared}) là où le standard a `{col.name}` ({col.declared}) : "
                f"{why_fr}{types_fr}.",
                hint_fr=f"Renommez la colonne {col.name} ({col.declared}) ; odl-geo convert --theme flood la réécrit.",
            )
        else:
            add_issue(
                report,
                "PPR_COLUMN_MISSING",
                Severity.ERROR if col.notnull else Severity.WARNING,
                f"{table} has no column {col.name} ({col.declared}{', mandatory' if col.notnull else ''}).",
                "Add the column as the standard defines it.",
                layer=table,
                fr=f"{table} n'a pas de colonne {col.name} ({col.declared}{', obligatoire' if col.notnull else ''}).",
                hint_fr="Ajoutez la colonne telle que le standard la définit.",
            )
    for name in extra:
        real, declared, _, pk = actual[name]
        if name == "fid" and pk and declared == "INTEGER":
            add_issue(
                report,
                "PPR_COLUMN_FID",
                Severity.INFO,
                f"{table} has an integer key column fid that the standard does not define (added by GDAL/QGIS); "
                "it is tolerated.",
                layer=table,
                fr=f"{table} a une colonne de clé entière fid que le standard ne définit pas (ajoutée par GDAL/QGIS) ; "
                "elle est tolérée.",
            )
        else:
            add_issue(
                report,
                "PPR_COLUMN_EXTRA",
                Severity.WARNING,
                f"{table} has a column {real} ({declared}) that the standard does not define.",
                "Remove it, or publish it in another table.",
                layer=table,
                fr=f"{table} a une colonne {real} ({declared}) que le standard ne définit pas.",
                hint_fr="Retirez-la, ou publiez-la dans une autre table.",
            )
    _check_types(table, [(c, actual[c.name]) for c in table_def.columns if c.name in actual], report)
    _check_keys(conn, table, table_def, actual, report)


def _base(declared: str) -> str:
    match = re.match(r"[A-Z]+", declared)
    return match.group(0) if match else declared


def _check_types(table: str, pairs: list[tuple[Column, tuple[str, str, bool, bool]]], report: Report) -> None:
    shorter, nullable = [], []
    for col, (name, declared, notnull, _) in pairs:
        if _base(declared) != col.base_type:
            add_issue(
                report,
                "PPR_COLUMN_TYPE",
                Severity.ERROR,
                f"{table}.{name} is {declared or 'untyped'} where the standard has {col.declared}.",
                "Change the column type (odl-geo convert --theme flood rewrites the table).",
                layer=table,
                fr=f"{table}.{name} est de type {declared or 'non déclaré'} là où le standard a {col.declared}.",
                hint_fr="Changez le type de la colonne (odl-geo convert --theme flood réécrit la table).",
            )
            continue
        length = re.search(r"\((\d+)\)", declared)
        if length and (col.length is None or int(length.group(1)) < col.length):
            shorter.append(f"{name} {declared} < {col.declared}")
        if col.notnull and not notnull:
            nullable.append(name)
    if shorter:
        add_issue(
            report,
            "PPR_COLUMN_LENGTH",
            Severity.WARNING,
            f"{literal(table)}: {{n}} {{n:column allows|columns allow}} shorter values than the standard: "
            f"{literal(', '.join(shorter))}.",
            "Longer valid values would not fit: widen the columns.",
            layer=table,
            count=len(shorter),
            fr=f"{literal(table)} : {{n}} {{n:colonne admet|colonnes admettent}} des valeurs plus courtes que le "
            f"standard : {literal(', '.join(shorter))}.",
            hint_fr="Des valeurs valides plus longues n'y tiendraient pas : élargissez les colonnes.",
            numbers={"n": len(shorter)},
        )
    if nullable:
        add_issue(
            report,
            "PPR_COLUMN_NULLABLE",
            Severity.WARNING,
            f"{literal(table)}: {{n}} mandatory {{n:column is|columns are}} not declared NOT NULL: "
            f"{literal(', '.join(nullable))}.",
            "Declare them NOT NULL; their values are checked anyway.",
            layer=table,
            count=len(nullable),
            fr=f"{literal(table)} : {{n}} {{n:colonne obligatoire non déclarée|colonnes obligatoires non déclarées}} "
            f"NOT NULL : {literal(', '.join(nullable))}.",
            hint_fr="Déclarez-les NOT NULL ; leurs valeurs sont contrôlées de toute façon.",
            numbers={"n": len(nullable)},
        )


def _check_keys(
    conn: sqlite3.Connection,
    table: str,
    table_def: TableDef,
    actual: dict[str, tuple[str, str, bool, bool]],
    report: Report,
) -> None:
    wanted_pk = sorted(c.name for c in table_def.columns if c.pk)
    have_pk = sorted(name for name, info in actual.items() if info[3])
    if wanted_pk and have_pk != wanted_pk:
        add_issue(
            report,
            "PPR_PRIMARY_KEY",
            Severity.WARNING,
            f"{table}: the primary key is ({', '.join(have_pk) or 'none'}), "
            f"the standard's is ({', '.join(wanted_pk)}).",
            "Identifiers are checked for uniqueness anyway.",
            layer=table,
            fr=f"{table} : la clé primaire est ({', '.join(have_pk) or 'aucune'}), celle du standard est "
            f"({', '.join(wanted_pk)}).",
            hint_fr="L'unicité des identifiants est contrôlée de toute façon.",
        )
    have_fk = {str(r[3]).lower() for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')}
    lost = sorted(fk.column for fk in table_def.foreign_keys if fk.column in actual and fk.column not in have_fk)
    if lost:
        add_issue(
            report,
            "PPR_FOREIGN_KEYS_ABSENT",
            Severity.WARNING,
            f"{literal(table)}: {{n}} foreign {{n:key|keys}} of the standard {{n:is|are}} not declared "
            f"({literal(', '.join(lost))}).",
            "Declare them; their values are checked anyway.",
            layer=table,
            count=len(lost),
            fr=f"{literal(table)} : {{n}} {{n:clé étrangère|clés étrangères}} du standard non "
            f"{{n:déclarée|déclarées}} ({literal(', '.join(lost))}).",
            hint_fr="Déclarez-les ; leurs valeurs sont contrôlées de toute façon.",
            numbers={"n": len(lost)},
        )
