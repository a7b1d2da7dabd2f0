"""The flood validator's value rules, each declared once (``flood/values.py``, issue 16, eighth round).

Each row rule (mandatory values, code lists, references, the hazard code of a table's name, dates, whole
numbers) used to be written twice: once to count it in the table's one scan (``_row_rules``) and once to find it
(``_mandatory``, ``_references``, ``_hazard_code``, ``_formats``), and the dates were read whole into Python.
Now one declaration per rule and one driver (``_judge``) that counts every rule in one scan and then finds the
rows of those that matched. Proven here against the former code, kept as ``tests/unit/flood_values_former.py``:

- the same findings (codes, messages in both languages, counts, example rows, order) on the DDT38 PPRs as
  built, with a fault of every kind (``test_flood_leave_out._faulty_geopackage``), and on generated data: the
  bundled PPR's tables grown to thousands of rows with seeded faults of every kind in many rows;
- the date rule (SQLite alone for the ASCII dates, the former Python rule for every other value) counts and
  quotes what the former Python loop did, for values of every kind;
- a table is scanned once for all its row rules when none matches;
- the geometries a build writes, cut out of their blobs by SQLite, decode as the blobs did (every other blob
  goes through ``decode_blobs`` as before).
"""

from __future__ import annotations

import random
import sqlite3
import struct
from typing import TYPE_CHECKING

import pytest
import shapely

from odl_geo.profiles.flood import validate as flood_validate
from odl_geo.profiles.flood import values as flood_values
from odl_geo.profiles.flood.gpkg import build_geopackage, gpkg_blob
from odl_geo.profiles.flood.validate import validate_geopackage
from odl_geo.report import Report
from tests.unit import flood_values_former
from tests.unit.flood_pprs import NAMES, STAMP, conformed
from tests.unit.test_flood_leave_out import _faulty_geopackage

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module", params=NAMES)
def ppr(request, shared_data, tmp_path_factory):
    """Conformed once per module (the tests only read its frames and build files from them)."""
    return conformed(request.param, shared_data, tmp_path_factory.mktemp("ppr"))


def _findings(path: Path) -> tuple[list[dict[str, object]], dict[str, int], int]:
    report = Report()
    summary = validate_geopackage(path, report)
    return [i.to_dict() for i in report.issues], summary.row_counts, summary.errors


def _both(path: Path, monkeypatch) -> tuple[object, object]:
    now = _findings(path)
    with monkeypatch.context() as m:
        m.setattr(flood_validate, "check_values", flood_values_former.check_values)
        before = _findings(path)
    return now, before


def _built(ppr, folder: Path) -> Path:
    folder.mkdir()
    path = folder / f"{ppr.prefix}.gpkg"
    build_geopackage(path, ppr.prefix, ppr.frames, timestamp=STAMP, check_foreign_keys=False)
    return path


def test_the_ppr_as_built_gives_what_the_former_rules_gave(ppr, tmp_path, monkeypatch):
    now, before = _both(_built(ppr, tmp_path / "built"), monkeypatch)
    assert now == before
    assert sum(now[1].values()) > 0


def test_a_fault_of_every_kind_gives_what_the_former_rules_gave(ppr, tmp_path, monkeypatch):
    now, before = _both(_faulty_geopackage(ppr, tmp_path), monkeypatch)
    assert now == before
    codes = {i["code"] for i in now[0]}
    assert {"PPR_CODE_NOT_IN_LIST", "PPR_VALUE_MISSING", "PPR_VALUE_TYPE", "PPR_HAZARD_CODE_MISMATCH"} <= codes


#: values of a date column: dates SQLite accepts alone, dates only Python's ``\d`` accepts (other decimal
#: digits), and values that are not dates of every SQLite type (a NUL inside, too short, a time, a number, bytes)
DATES: list[object] = [
    "2020-01-31",
    "\uff12\uff10\uff12\uff10-01-31",  # full-width digits: decimal digits for \d
    "\u0662\u0660\u0662\u0660-01-31",  # Arabic-Indic digits
    "2020-01-31\x00x",
    "2020-1-31",
    "2020-01-31T00:00:00",
    "2020/01/31",
    " 2020-01-31",
    "2020-01-31\n",
    "",
    20200131,
    2020.5,
    b"2020-01-31",
    "31/01/2020",
    None,
]


def _grown(ppr, tmp_path: Path, copies: int, seed: int) -> Path:
    """The PPR's GeoPackage with every data table grown ``copies`` times (new identifiers), then seeded faults
    of every kind the value rules look for, in many rows of every table."""
    path = _built(ppr, tmp_path / f"grown{seed}")
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    p = ppr.prefix
    tables = [f"{p}_{kind}" for kind in ppr.frames]
    for table in tables:
        cols = [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]
        ids = [c for c in cols if c.lower().startswith("id") and not c.lower().startswith("idouvrage")]
        if not ids or table.endswith(("_procedure", "_perimetre_s")):
            continue
        names = ", ".join(f'"{c}"' for c in cols)
        (last,) = conn.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()
        for k in range(1, copies):
            picked = ", ".join(f"\"{c}\" || '-{k}'" if c in ids else f'"{c}"' for c in cols)
            conn.execute(f'INSERT INTO "{table}" ({names}) SELECT {picked} FROM "{table}" WHERE rowid <= ?', (last,))
    for table in tables:
        cols = {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')}
        rowids = [r for (r,) in conn.execute(f'SELECT rowid FROM "{table}"')]
        faults = {
            "codeprocedure": ["  ", None, "NOPE", "pprn_x"],
            "typealea": ["999", "abc", None, "112"],
            "niveaualea": ["X9", "", None, "03"],
            "typereglement": [" ", "zz", None],
            "occurrence": ["often", 1.5, 12, "12", None],
            "dateetat": DATES,
            "idzonealea": [None, "dup", "dup"],  # the built schema keeps identifiers unique: blanks
            "idzonereglementaire": ["dup", None, ""],
            "libellezonereglement": [None, "   "],
        }
        for col, values in faults.items():
            if col not in cols:
                continue
            for rowid in rng.sample(rowids, min(len(rowids), max(1, len(rowids) // 7))):
                value = rng.choice(values)
                try:
                    conn.execute(f'UPDATE "{table}" SET "{cols[col]}" = ? WHERE rowid = ?', (value, rowid))
                except sqlite3.IntegrityError:  # NOT NULL or UNIQUE in the file's own schema: a blank instead
                    conn.execute(f'UPDATE OR IGNORE "{table}" SET "{cols[col]}" = \' \' WHERE rowid = ?', (rowid,))
    conn.execute(f'DELETE FROM "{p}_procedure" WHERE rowid > 1')
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_tables_with_faults_in_many_rows_give_what_the_former_rules_gave(ppr, tmp_path, monkeypatch, seed):
    path = _grown(ppr, tmp_path, copies=12, seed=seed)
    now, before = _both(path, monkeypatch)
    assert now == before
    issues, counts, errors = now
    assert max(counts.values()) >= 12 * 40 and errors > 5
    assert any(i["code"] == "PPR_DATE_FORMAT" for i in issues)
    assert {"PPR_VALUE_MISSING", "PPR_CODE_NOT_IN_LIST", "PPR_REFERENCE_BROKEN", "PPR_HAZARD_CODE_MISMATCH"} <= {
        i["code"] for i in issues
    }


def test_the_date_rule_counts_and_quotes_what_python_did(tmp_path):
    path = tmp_path / "dates.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (d DATE)")
        rng = random.Random(7)
        values = [rng.choice(DATES) for _ in range(500)]
        conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    conn = sqlite3.connect(path)
    try:
        conn.create_function(flood_values._NOT_A_DATE, 1, flood_values._not_a_date, deterministic=True)
        rule = flood_values._date_rule("t", "d", "d")
        stored = [v for (v,) in conn.execute("SELECT d FROM t WHERE d IS NOT NULL")]
        bad = [v for v in stored if not flood_values.re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(v))]
        assert 0 < len(bad) < len(stored)
        assert flood_values._count(conn, "t", rule.where, rule.params) == len(bad)
        assert rule.detail is not None and rule.detail(conn) == bad[0]
        assert not flood_values._not_a_date("\uff12\uff10\uff12\uff10-01-31")  # the former rule, kept
    finally:
        conn.close()


def test_a_table_is_scanned_once_for_all_its_row_rules(ppr, tmp_path):
    path = _built(ppr, tmp_path / "built")
    conn = flood_validate.open_readonly(path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        report = Report()
        table = f"{ppr.prefix}_perimetre_s"  # mandatory values, a code list, a reference and a date
        table_def, code = _matched(table)
        conn.create_function(flood_values._NOT_A_DATE, 1, flood_values._not_a_date, deterministic=True)
        matched = {t: _matched(t) for t in _tables(conn)}
        rules = flood_values._table_rules(
            conn, table, table_def, code, _columns(conn, table), matched, ppr.prefix, _template()
        )
        statements.clear()
        rows = flood_values._judge(conn, table, rules, report)
    finally:
        conn.close()
    assert rows == len(ppr.frames["perimetre_s"]) and not report.issues
    kinds = {type(r).__name__ for r in rules}
    assert kinds == {"_RowRule", "_UniqueKey"} and len(rules) >= 6
    scans = [s for s in statements if f'FROM "{table}"' in s and "GROUP BY" not in s]
    assert len(scans) == 1 and "sum(CASE" in scans[0]


def _template():
    from odl_geo.profiles.flood.template import load_template

    return load_template()


def _tables(conn: sqlite3.Connection) -> list[str]:
    from odl_geo.profiles.flood.cnig import split_table_name

    return [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") if split_table_name(n)]


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {str(r[1]).lower(): str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')}


def _matched(table: str):
    from odl_geo.profiles.flood.cnig import split_table_name

    parts = split_table_name(table)
    assert parts is not None
    found = _template().match(parts[2])
    assert found is not None
    return found


def test_geometries_cut_by_sqlite_decode_as_the_blobs_do(tmp_path):
    """The geometry rules read the blobs a build writes already cut by SQLite (``_geometry_query``) and decode
    the others as before: the same (readable, SRS, WKB) for blobs of every kind, in any mix, in batches."""
    built = [gpkg_blob(shapely.box(i, i, i + 2, i + 3)) for i in range(6)]
    wkb = shapely.to_wkb(shapely.box(0, 0, 1, 1))
    others: list[object] = [
        b"GP" + bytes((0, 0)) + struct.pack(">i", 4326) + wkb,  # big endian, no envelope
        b"GP" + bytes((0, 3)) + struct.pack("<i", 4326) + bytes(32) + wkb,  # a build's flags, another SRS
        b"GP" + bytes((0, 3)) + struct.pack("<i", 2154) + bytes(32),  # a build's header, no WKB after it
        b"GP" + bytes((1, 3)) + struct.pack("<i", 2154) + bytes(32) + wkb,  # version 1
        b"GP" + bytes((0, 0b101)) + struct.pack("<i", 2154) + bytes(48) + wkb,  # xyz envelope
        b"GP" + bytes((0, 0b1111)) + struct.pack("<i", 2154) + wkb,  # envelope code 7: not a geometry
        gpkg_blob(shapely.Polygon()),  # empty
        b"XX" + bytes(30),
        b"GP\x00",
        b"",
        None,
        "text",
        12,
    ]
    rng = random.Random(3)
    values = [rng.choice(built + others) for _ in range(300)] + built
    path = tmp_path / "g.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (geom BLOB)")
        conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    conn = sqlite3.connect(path)
    try:
        for batch in (1, 7, 1000):
            cursor = conn.execute(flood_values._geometry_query("geom", "t"))
            start = 0
            while rows := cursor.fetchmany(batch):
                ok, srs, wkbs = flood_values._decode_rows(rows)
                want_ok, want_srs, want_wkbs = flood_values.decode_blobs(values[start : start + len(rows)])
                assert ok.tolist() == want_ok.tolist()
                assert srs[ok].tolist() == want_srs[want_ok].tolist()
                assert wkbs == want_wkbs
                start += len(rows)
            assert start == len(values)
        cut = conn.execute(flood_values._geometry_query("geom", "t")).fetchall()
        assert sum(w is not None for w, _ in cut) >= len(built)  # the fast path is taken
    finally:
        conn.close()
