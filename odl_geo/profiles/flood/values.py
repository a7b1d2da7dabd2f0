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

from ...numbers import agree, literal
from ...report import Severity
from .model import add_issue
from .template import SRS_ID

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

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
    conn.create_function(_NOT_A_DATE, 1, _not_a_date, deterministic=True)
    counts: dict[str, int] = {}
    for table, (table_def, code) in matched.items():
        if table_def.is_code_list:
            continue
        cols = {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')}
        rules = _table_rules(conn, table, table_def, code, cols, matched, prefix, template)
        counts[table] = _judge(conn, table, rules, report)
        if table_def.geometry_type and geometries:
            _geometries(conn, table, table_def, report)
    _procedure_code(conn, matched, prefix, report)
    _multirisk_detail(conn, matched, report)
    return counts


#: a row rule's SQL condition and the condition's parameters (what :func:`_count_rules` counts)
_Rule = tuple[str, tuple[object, ...]]
#: the "rule" every row matches: the table's row count, counted in the same scan
_ROWS: _Rule = ("1", ())
#: (message, hint, French message, French hint) of a finding, the messages templates of :func:`odl_geo.numbers.fill`
#: (``{n}``: the count of rows or values, ``{n:row has|rows have}``: the words agreeing with it)
_Texts = tuple[str, str, str, str]


@dataclass(frozen=True)
class _RowRule:
    """A rule judged row by row, declared once: its SQL condition (``where``, ``params``) is both what the table's
    one scan counts and what its first rows are looked up by; ``texts`` words the finding from ``detail`` (what the
    message quotes, read only when some row breaks the rule), its messages templates filled with the count."""

    code: str
    where: str
    params: tuple[object, ...]
    texts: Callable[[Any], _Texts]
    detail: Callable[[sqlite3.Connection], Any] | None = None
    #: False: the finding names no rows (the date rule quotes a value instead)
    examples: bool = True

    @property
    def key(self) -> _Rule:
        return self.where, self.params

    def judge(self, conn: sqlite3.Connection, table: str, counted: dict[_Rule, int], report: Report) -> None:
        if self.examples:
            n, examples = _positions(conn, table, self.where, self.params, counted)
        else:
            n, examples = _count(conn, table, self.where, self.params, counted), None
        if not n:
            return
        message, hint, fr, hint_fr = self.texts(self.detail(conn) if self.detail is not None else None)
        add_issue(
            report,
            self.code,
            Severity.ERROR,
            message,
            hint,
            layer=table,
            count=n,
            examples=examples,
            fr=fr,
            hint_fr=hint_fr,
            numbers={"n": n},
        )


@dataclass(frozen=True)
class _UniqueKey:
    """The identifier rule, judged across rows (a ``GROUP BY`` on the table's primary key): not in the scan."""

    keys: tuple[str, ...]

    def judge(self, conn: sqlite3.Connection, table: str, counted: dict[_Rule, int], report: Report) -> None:
        group = ", ".join(f'"{k}"' for k in self.keys)
        dups = conn.execute(
            f'SELECT count(*) FROM (SELECT {group} FROM "{table}" GROUP BY {group} HAVING count(*) > 1)'
        ).fetchone()[0]
        if dups:
            names = ", ".join(self.keys)
            add_issue(
                report,
                "PPR_ID_DUPLICATE",
                Severity.ERROR,
                f"{literal(table)}: {{n}} identifier {{n:value|values}} ({literal(names)}) {{n:is|are}} used by "
                "several rows.",
                "Give each row its own identifier (it is the table's primary key).",
                layer=table,
                count=dups,
                fr=f"{literal(table)} : {{n}} {{n:valeur|valeurs}} d'identifiant ({literal(names)}) "
                "{n:sert|servent} à plusieurs lignes.",
                hint_fr="Donnez à chaque ligne son propre identifiant (c'est la clé primaire de la table).",
                numbers={"n": dups},
            )


def _judge(conn: sqlite3.Connection, table: str, rules: list[_RowRule | _UniqueKey], report: Report) -> int:
    """The one driver of a table's rules: every row rule counted in one scan of the table (with the table's row
    count, returned), then each rule's finding in the declared order, its first rows looked up only when it
    matched some (most rules match none)."""
    counted = _count_rules(conn, table, [_ROWS, *(r.key for r in rules if isinstance(r, _RowRule))])
    rows = counted.pop(_ROWS)
    for rule in rules:
        rule.judge(conn, table, counted, report)
    return rows


def _table_rules(
    conn: sqlite3.Connection,
    table: str,
    table_def: TableDef,
    code: str | None,
    cols: dict[str, str],
    matched: dict[str, tuple[TableDef, str | None]],
    prefix: str,
    template: Template,
) -> list[_RowRule | _UniqueKey]:
    """Every value rule of ``table``, in the order of their findings: mandatory values, identifiers, references
    (code lists and tables), the hazard code of the table's name, formats (dates, whole numbers)."""
    rules: list[_RowRule | _UniqueKey] = [
        _mandatory_rule(table, col.name, cols[col.name])
        for col in table_def.columns
        if col.notnull and col.name in cols
    ]
    keys = tuple(cols[c.name] for c in table_def.columns if c.pk and c.name in cols)
    if keys and len(keys) == sum(c.pk for c in table_def.columns):
        rules.append(_UniqueKey(keys))
    for fk in table_def.foreign_keys:
        if fk.column not in cols:
            continue
        real = cols[fk.column]
        if fk.to_code_list:
            rules.append(_code_list_rule(table, fk.column, fk.table, real, sorted(template.codes(fk.table))))
            continue
        target = f"{prefix}_{fk.table.replace('codealea', code) if code is not None else fk.table}"
        if target not in matched:
            rules.append(_missing_table_rule(table, fk.column, real, target))
            continue
        ref_cols = {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{target}")')}
        if fk.ref_column in ref_cols:
            rules.append(_reference_rule(table, fk.column, real, target, fk.ref_column, ref_cols[fk.ref_column]))
    if code is not None and "typealea" in cols:
        rules.append(_hazard_code_rule(table, code))
    for col in table_def.columns:
        if col.name not in cols:
            continue
        if col.base_type == "DATE":
            rules.append(_date_rule(table, col.name, cols[col.name]))
        elif col.base_type == "INTEGER":
            rules.append(_integer_rule(table, col.name, cols[col.name]))
    return rules


def _mandatory_rule(table: str, name: str, real: str) -> _RowRule:
    return _RowRule(
        "PPR_VALUE_MISSING",
        f'"{real}" IS NULL OR trim("{real}") = \'\'',
        (),
        lambda _: (
            f"{literal(table)}: {{n}} {{n:row has|rows have}} no {literal(name)}, which the standard makes mandatory.",
            "Fill the value.",
            f"{literal(table)} : {{n}} {{n:ligne|lignes}} sans {literal(name)}, que le standard rend obligatoire.",
            "Remplissez la valeur.",
        ),
    )


def _code_list_rule(table: str, name: str, code_list: str, real: str, allowed: list[str]) -> _RowRule:
    marks = ", ".join("?" for _ in allowed)
    where = f'"{real}" IS NOT NULL AND "{real}" NOT IN ({marks})'
    listed, listed_fr = (", ".join(allowed),) * 2 if len(allowed) <= 15 else ("see the table", "voir la table")

    def texts(values: list[object]) -> _Texts:
        quoted = literal(", ".join(map(repr, values)))
        return (
            (
                f"{literal(table)}: {{n}} {{n:row has|rows have}} a {literal(name)} outside the code list "
                f"{literal(code_list)} ({quoted})."
            ),
            f"Use a code of {code_list}: {listed}.",
            (
                f"{literal(table)} : {{n}} {{n:ligne a|lignes ont}} un {literal(name)} hors de la liste de codes "
                f"{literal(code_list)} ({quoted})."
            ),
            f"Utilisez un code de {code_list} : {listed_fr}.",
        )

    def values(conn: sqlite3.Connection) -> list[object]:
        """The first five distinct codes out of the list, quoted by the message."""
        return [r[0] for r in conn.execute(f'SELECT DISTINCT "{real}" FROM "{table}" WHERE {where} LIMIT 5', allowed)]

    return _RowRule("PPR_CODE_NOT_IN_LIST", where, tuple(allowed), texts, values)


def _missing_table_rule(table: str, name: str, real: str, target: str) -> _RowRule:
    return _RowRule(
        "PPR_REFERENCE_BROKEN",
        f'"{real}" IS NOT NULL',
        (),
        lambda _: (
            (
                f"{literal(table)}: {{n}} {{n:row refers|rows refer}} through {literal(name)} to the table "
                f"{literal(target)}, which is missing."
            ),
            f"Add {target} or empty {name}.",
            (
                f"{literal(table)} : {{n}} {{n:ligne renvoie|lignes renvoient}} par {literal(name)} à la table "
                f"{literal(target)}, qui est absente."
            ),
            f"Ajoutez {target} ou videz {name}.",
        ),
    )


def _reference_rule(table: str, name: str, real: str, target: str, ref_name: str, ref: str) -> _RowRule:
    return _RowRule(
        "PPR_REFERENCE_BROKEN",
        f'"{real}" IS NOT NULL AND "{real}" NOT IN (SELECT "{ref}" FROM "{target}" WHERE "{ref}" IS NOT NULL)',
        (),
        lambda _: (
            (
                f"{literal(table)}: {{n}} {{n:row has|rows have}} a {literal(name)} that matches no "
                f"{literal(ref_name)} of {literal(target)}."
            ),
            "Correct the identifiers so that every reference points at an existing row.",
            (
                f"{literal(table)} : {{n}} {{n:ligne a|lignes ont}} un {literal(name)} qui ne correspond à aucun "
                f"{literal(ref_name)} de {literal(target)}."
            ),
            "Corrigez les identifiants pour que chaque référence désigne une ligne existante.",
        ),
    )


def _hazard_code_rule(table: str, code: str) -> _RowRule:
    return _RowRule(
        "PPR_HAZARD_CODE_MISMATCH",
        "typealea IS NOT NULL AND typealea <> ?",
        (code,),
        lambda _: (
            (
                f"{literal(table)}: {{n}} {{n:row has|rows have}} a typealea other than {literal(code)}, the hazard "
                "code in the table's name."
            ),
            "Move these zones to the table of their hazard.",
            (
                f"{literal(table)} : {{n}} {{n:ligne a|lignes ont}} un typealea autre que {literal(code)}, le code "
                "d'aléa du nom de la table."
            ),
            "Déplacez ces zones dans la table de leur aléa.",
        ),
    )


#: the SQL name of :func:`_not_a_date`, registered on the connection by :func:`check_values`
_NOT_A_DATE = "odl_geo_not_a_date"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: the dates SQLite can accept alone: a text of exactly ten bytes, ASCII digits (any of them a date for
#: :func:`_not_a_date` too); every other value is judged by :func:`_not_a_date`, so the rule is that function's
_ASCII_DATE = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"


def _not_a_date(value: object) -> bool:
    """The standard's date rule for a value SQLite holds: not written YYYY-MM-DD (``\\d``: any decimal digit)."""
    return value is not None and _DATE.fullmatch(str(value)) is None


def _date_rule(table: str, name: str, real: str) -> _RowRule:
    where = (
        f'"{real}" IS NOT NULL AND NOT (typeof("{real}") = \'text\' AND length(CAST("{real}" AS BLOB)) = 10 '
        f'AND "{real}" GLOB \'{_ASCII_DATE}\') AND {_NOT_A_DATE}("{real}")'
    )

    def first(conn: sqlite3.Connection) -> object:
        """The first value that is not a date, in the order a scan of the column's values gives them."""
        return conn.execute(f'SELECT "{real}" FROM "{table}" WHERE {where} LIMIT 1').fetchone()[0]

    return _RowRule(
        "PPR_DATE_FORMAT",
        where,
        (),
        lambda bad: (
            (
                f"{literal(table)}: {{n}} {{n:value|values}} of {literal(name)} {{n:is not a date|are not dates}} "
                f"written YYYY-MM-DD ({literal(repr(bad))})."
            ),
            "Write dates as YYYY-MM-DD.",
            (
                f"{literal(table)} : {{n}} {{n:valeur|valeurs}} de {literal(name)} "
                f"{{n:n'est pas une date écrite|ne sont pas des dates écrites}} AAAA-MM-JJ ({literal(repr(bad))})."
            ),
            "Écrivez les dates AAAA-MM-JJ.",
        ),
        first,
        examples=False,
    )


def _integer_rule(table: str, name: str, real: str) -> _RowRule:
    return _RowRule(
        "PPR_VALUE_TYPE",
        f'"{real}" IS NOT NULL AND typeof("{real}") <> \'integer\'',
        (),
        lambda _: (
            (
                f"{literal(table)}: {{n}} {{n:value|values}} of {literal(name)} "
                "{n:is not a whole number|are not whole numbers}."
            ),
            "Store whole numbers (e.g. a return period in years).",
            (
                f"{literal(table)} : {{n}} {{n:valeur|valeurs}} de {literal(name)} "
                "{n:n'est pas un nombre entier|ne sont pas des nombres entiers}."
            ),
            "Enregistrez des nombres entiers (p. ex. une période de retour en années).",
        ),
    )


def _count_rules(conn: sqlite3.Connection, table: str, rules: list[_Rule]) -> dict[_Rule, int]:
    """How many rows of ``table`` match each rule, all counted in one scan of the table."""
    unique = list(dict.fromkeys(rules))
    sums = ", ".join(f"coalesce(sum(CASE WHEN ({where}) THEN 1 ELSE 0 END), 0)" for where, _ in unique)
    params = tuple(p for _, rule_params in unique for p in rule_params)
    row = conn.execute(f'SELECT {sums} FROM "{table}"', params).fetchone()
    return {rule: int(n) for rule, n in zip(unique, row, strict=True)}


def _count(
    conn: sqlite3.Connection,
    table: str,
    where: str,
    params: tuple[object, ...] = (),
    counted: dict[_Rule, int] | None = None,
) -> int:
    """How many rows match ``where``: from ``counted`` (the one scan of :func:`_count_rules`), else counted."""
    known = counted.get((where, params)) if counted is not None else None
    if known is not None:
        return known
    return int(conn.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', params).fetchone()[0])


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
    n = _count(conn, table, where, params, counted)
    if not n:
        return 0, []
    first = [r[0] for r in conn.execute(f'SELECT rowid FROM "{table}" WHERE {where} ORDER BY rowid LIMIT 5', params)]
    return n, [conn.execute(f'SELECT count(*) FROM "{table}" WHERE rowid < ?', (r,)).fetchone()[0] for r in first]


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


#: the first 8 bytes of every geometry a build writes (``gpkg.gpkg_blobs``): "GP", version 0, flags 3 (little
#: endian, an xy envelope of 32 bytes), SRS 2154 little endian; its WKB starts at byte 41
_BUILT_HEADER = b"GP\x00\x03" + struct.pack("<i", SRS_ID)


def _geometry_query(column: str, table: str) -> str:
    """The table's geometries in rowid order, as (WKB, None) when the blob starts with :data:`_BUILT_HEADER`
    (SQLite cuts the header and envelope off: no slicing of each blob in Python), else (None, the blob as it is),
    which :func:`decode_blobs` reads."""
    built = f'substr("{column}", 1, 8) = x\'{_BUILT_HEADER.hex()}\' AND length("{column}") > 40'
    return (
        f'SELECT CASE WHEN {built} THEN substr("{column}", 41) END, '
        f'CASE WHEN {built} THEN NULL ELSE "{column}" END FROM "{table}" ORDER BY rowid'
    )


def _decode_rows(rows: list[tuple[object, object]]) -> tuple[np.ndarray, np.ndarray, list[bytes]]:
    """:func:`decode_blobs` of a batch of :func:`_geometry_query`'s rows: the geometries SQLite already cut are
    geometries of SRS 2154, the others are decoded as :func:`decode_blobs` does; the WKB in the rows' order."""
    cut = [wkb for wkb, _ in rows]
    n = len(cut)
    if None not in cut:  # every geometry as a build writes it
        return np.ones(n, dtype=bool), np.full(n, SRS_ID, dtype=np.int64), cut  # type: ignore[return-value]
    others = [i for i, wkb in enumerate(cut) if wkb is None]
    ok_others, srs_others, wkbs_others = decode_blobs([rows[i][1] for i in others])
    ok = np.ones(n, dtype=bool)
    ok[others] = ok_others
    srs = np.full(n, SRS_ID, dtype=np.int64)
    srs[others] = srs_others
    decoded = iter(wkbs_others)
    read = ok.tolist()
    wkbs = [wkb if wkb is not None else next(decoded) for wkb, k in zip(cut, read, strict=True) if k]
    return ok, srs, wkbs  # type: ignore[return-value]


def _geometries(conn: sqlite3.Connection, table: str, table_def: TableDef, report: Report) -> None:
    column = conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)).fetchone()
    if column is None:
        return
    missing, wrong_srs, wrong, with_z, invalid = _Found(), _Found(), _Found(), _Found(), _Found()
    # the declared type's id (-2 when the template's type has none: every geometry is then of a wrong type)
    wanted = next((t for t, name in _TYPE_NAMES.items() if name == table_def.geometry_type), -2)
    present_any = False
    cursor = conn.execute(_geometry_query(column[0], table))
    start = 0
    while rows := cursor.fetchmany(GEOMETRY_BATCH):
        ok, srs, wkbs = _decode_rows(rows)
        index = np.flatnonzero(ok) + start
        missing.add(np.flatnonzero(~ok) + start)
        start += len(rows)
        del rows
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
            f"{literal(table)}: {{n}} {{n:row has|rows have}} no readable geometry; the standard requires one.",
            "Draw or restore the geometry.",
            layer=table,
            count=missing.count,
            examples=missing.examples,
            fr=f"{literal(table)} : {{n}} {{n:ligne|lignes}} sans géométrie lisible ; le standard en exige une.",
            hint_fr="Dessinez ou rétablissez la géométrie.",
            numbers={"n": missing.count},
        )
    if not present_any:
        return
    if wrong_srs.count:
        add_issue(
            report,
            "PPR_GEOMETRY_SRS",
            Severity.ERROR,
            f"{literal(table)}: {{n}} {{n:geometry carries|geometries carry}} another SRS than EPSG:{SRS_ID} in "
            "{n:its|their} header.",
            "Rewrite the geometries in EPSG:2154.",
            layer=table,
            count=wrong_srs.count,
            examples=wrong_srs.examples,
            fr=f"{literal(table)} : {{n}} {{n:géométrie porte|géométries portent}} un autre SRS qu'EPSG:{SRS_ID} dans "
            "{n:son|leur} en-tête.",
            hint_fr="Réécrivez les géométries en EPSG:2154.",
            numbers={"n": wrong_srs.count},
        )
    if wrong.count:
        kind = min(wrong.names)
        add_issue(
            report,
            "PPR_GEOMETRY_TYPE",
            Severity.ERROR,
            f"{literal(table)}: {{n}} {{n:geometry is|geometries are}} {literal(kind)}, not "
            f"{literal(str(table_def.geometry_type))}.",
            "Split multi-part zones into one row per part.",
            layer=table,
            count=wrong.count,
            examples=wrong.examples,
            fr=f"{literal(table)} : {{n}} {{n:géométrie est un|géométries sont des}} {literal(kind)}, pas "
            f"{{n:un|des}} {literal(str(table_def.geometry_type))}.",
            hint_fr="Découpez les zones multi-parties en une ligne par partie.",
            numbers={"n": wrong.count},
        )
    if with_z.count:
        add_issue(
            report,
            "PPR_GEOMETRY_ZM",
            Severity.ERROR,
            f"{literal(table)}: {{n}} {{n:geometry has|geometries have}} Z values.",
            "Drop the Z coordinates.",
            layer=table,
            count=with_z.count,
            examples=with_z.examples,
            fr=f"{literal(table)} : {{n}} {{n:géométrie a|géométries ont}} des valeurs Z.",
            hint_fr="Retirez les coordonnées Z.",
            numbers={"n": with_z.count},
        )
    if invalid.count:
        reason = invalid.reason
        add_issue(
            report,
            "PPR_GEOMETRY_INVALID",
            Severity.ERROR,
            f"{literal(table)}: {{n}} {{n:geometry breaks|geometries break}} the OGC Simple Features rules (first: "
            f"{literal(reason)}).",
            "Repair them (QGIS 'Fix geometries', or odl-geo convert, which repairs polygons).",
            layer=table,
            count=invalid.count,
            examples=invalid.examples,
            fr=f"{literal(table)} : {{n}} {{n:géométrie enfreint|géométries enfreignent}} les règles OGC Simple "
            f"Features (première : {literal(reason)}).",
            hint_fr="Réparez-les (QGIS « Réparer les géométries », ou odl-geo convert, qui répare les polygones).",
            numbers={"n": invalid.count},
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
            f"The delivery is named after {code}, but {table} holds the "
            f"{agree(len(codes), 'procedure', 'procedures', 'en')} {', '.join(codes)}.",
            "Name the file and the tables after the GASPAR code of the procedure.",
            layer=table,
            fr=f"La livraison porte le nom de {code}, mais {table} contient "
            f"{agree(len(codes), 'la procédure', 'les procédures')} {', '.join(codes)}.",
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
            f"{literal(synth)}: {{n}} multirisk {{n:zone|zones}} (typealea 999) {{n:has|have}} no row in "
            "zonemultialeanaturel, so {n:its|their} hazards are unknown.",
            "List the hazards of each multirisk zone in zonemultialeanaturel.",
            layer=synth,
            count=n,
            examples=examples,
            fr=f"{literal(synth)} : {{n}} {{n:zone multirisque|zones multirisques}} (typealea 999) {{n:n'a|n'ont}} "
            "aucune ligne dans zonemultialeanaturel, {n:ses|leurs} aléas sont donc inconnus.",
            hint_fr="Listez les aléas de chaque zone multirisque dans zonemultialeanaturel.",
            numbers={"n": n},
        )
