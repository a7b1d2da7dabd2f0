"""The flood validator's value rules as they were written before each rule was declared once (``git show
2ba0ea2:odl_geo/profiles/flood/values.py``, lines 67-393): each rule's condition written twice, once to count
(``_row_rules``) and once to find (``_mandatory``, ``_references``, ``_hazard_code``, ``_formats``), the dates
read whole into Python. Kept here, unchanged but for its imports and its messages (templates whose words agree
with the count, as the module's now are: « 1 ligne a », « 3 lignes ont »), as the reference that
``test_flood_validate_rules.py`` compares the one declaration per rule with; the helpers that did not change
(``_count_rules``, ``_positions``, the geometry, procedure and multirisk rules) are the module's own."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from odl_geo.numbers import literal
from odl_geo.profiles.flood.model import add_issue
from odl_geo.profiles.flood.values import (
    _count_rules,
    _geometries,
    _multirisk_detail,
    _positions,
    _procedure_code,
    _Rule,
)
from odl_geo.report import Severity

if TYPE_CHECKING:
    import sqlite3

    from odl_geo.profiles.flood.template import TableDef, Template
    from odl_geo.report import Report


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
                    f"{table}: {{n}} {{n:row has|rows have}} no {col.name}, which the standard makes mandatory.",
                    "Fill the value.",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {{n}} {{n:ligne|lignes}} sans {col.name}, que le standard rend obligatoire.",
                    hint_fr="Remplissez la valeur.",
                    numbers={"n": n},
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
            f"{table}: {{n}} identifier {{n:value|values}} ({', '.join(keys)}) {{n:is|are}} used by several rows.",
            "Give each row its own identifier (it is the table's primary key).",
            layer=table,
            count=dups,
            fr=f"{table} : {{n}} {{n:valeur|valeurs}} d'identifiant ({', '.join(keys)}) {{n:sert|servent}} à "
            "plusieurs lignes.",
            hint_fr="Donnez à chaque ligne son propre identifiant (c'est la clé primaire de la table).",
            numbers={"n": dups},
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
                    f"{table}: {{n}} {{n:row has|rows have}} a {fk.column} outside the code list {fk.table} "
                    f"({literal(', '.join(map(repr, values)))}).",
                    f"Use a code of {fk.table}: {', '.join(allowed) if len(allowed) <= 15 else 'see the table'}.",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {{n}} {{n:ligne a|lignes ont}} un {fk.column} hors de la liste de codes {fk.table} "
                    f"({literal(', '.join(map(repr, values)))}).",
                    hint_fr=f"Utilisez un code de {fk.table} : "
                    f"{', '.join(allowed) if len(allowed) <= 15 else 'voir la table'}.",
                    numbers={"n": n},
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
                    f"{table}: {{n}} {{n:row refers|rows refer}} through {fk.column} to the table {target}, which is "
                    "missing.",
                    f"Add {target} or empty {fk.column}.",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {{n}} {{n:ligne renvoie|lignes renvoient}} par {fk.column} à la table {target}, qui "
                    "est absente.",
                    hint_fr=f"Ajoutez {target} ou videz {fk.column}.",
                    numbers={"n": n},
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
                f"{table}: {{n}} {{n:row has|rows have}} a {fk.column} that matches no {fk.ref_column} of {target}.",
                "Correct the identifiers so that every reference points at an existing row.",
                layer=table,
                count=n,
                examples=examples,
                fr=f"{table} : {{n}} {{n:ligne a|lignes ont}} un {fk.column} qui ne correspond à aucun {fk.ref_column} "
                f"de {target}.",
                hint_fr="Corrigez les identifiants pour que chaque référence désigne une ligne existante.",
                numbers={"n": n},
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
            f"{table}: {{n}} {{n:row has|rows have}} a typealea other than {code}, the hazard code in the table's "
            "name.",
            "Move these zones to the table of their hazard.",
            layer=table,
            count=n,
            examples=examples,
            fr=f"{table} : {{n}} {{n:ligne a|lignes ont}} un typealea autre que {code}, le code d'aléa du nom de la "
            "table.",
            hint_fr="Déplacez ces zones dans la table de leur aléa.",
            numbers={"n": n},
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
                    f"{table}: {{n}} {{n:value|values}} of {col.name} {{n:is not a date|are not dates}} written "
                    f"YYYY-MM-DD ({literal(repr(bad[0]))}).",
                    "Write dates as YYYY-MM-DD.",
                    layer=table,
                    count=len(bad),
                    fr=f"{table} : {{n}} {{n:valeur|valeurs}} de {col.name} "
                    "{n:n'est pas une date écrite|ne sont pas des dates écrites} AAAA-MM-JJ "
                    f"({literal(repr(bad[0]))}).",
                    hint_fr="Écrivez les dates AAAA-MM-JJ.",
                    numbers={"n": len(bad)},
                )
        elif col.base_type == "INTEGER":
            n, examples = _positions(conn, table, _integer_where(real), counted=counted)
            if n:
                add_issue(
                    report,
                    "PPR_VALUE_TYPE",
                    Severity.ERROR,
                    f"{table}: {{n}} {{n:value|values}} of {col.name} "
                    "{n:is not a whole number|are not whole numbers}.",
                    "Store whole numbers (e.g. a return period in years).",
                    layer=table,
                    count=n,
                    examples=examples,
                    fr=f"{table} : {{n}} {{n:valeur|valeurs}} de {col.name} "
                    "{n:n'est pas un nombre entier|ne sont pas des nombres entiers}.",
                    hint_fr="Enregistrez des nombres entiers (p. ex. une période de retour en années).",
                    numbers={"n": n},
                )
