"""``--drop-invalid`` on the CNIG GeoPackage itself, and the validator's one scan per table (issue 16, seventh round).

- ``leave_out.leave_out_rows`` deletes rows from a finished GeoPackage: the file must then be, byte for byte, the
  GeoPackage built without those rows (rowids renumbered, extents computed again, the header's counters of the
  build kept). Proven here on the DDT38 PPRs, for rows at the start, middle and end of tables, a table emptied
  and the perimeter (a MULTIPOLYGON table).
- A whole ``convert --theme flood --fix --drop-invalid`` run of a PPR with zones outside France (error rows left
  out) gives the same products, manifest and report through the file as through the former rebuild.
- ``values.check_values`` counts every row rule of a table in one scan, and decodes the geometries' headers in
  bulk: the same findings as a count per rule and the blob-by-blob decoder, on a GeoPackage with faults of
  every kind.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
import zipfile
from typing import TYPE_CHECKING

import pyogrio
import pytest
import shapely

from odl_geo.profiles.flood import leave_out as flood_leave_out
from odl_geo.profiles.flood import profile as flood_profile
from odl_geo.profiles.flood import values as flood_values
from odl_geo.profiles.flood.gpkg import build_geopackage, gpkg_blob
from odl_geo.profiles.flood.leave_out import leave_out_rows
from odl_geo.profiles.flood.validate import validate_geopackage
from odl_geo.report import Report
from tests.unit.flood_pprs import BUNDLED, NAMES, STAMP, conformed
from tests.unit.flood_pprs import digest as _digest

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(params=NAMES)
def ppr(request, shared_data, tmp_path):
    return conformed(request.param, shared_data, tmp_path)


def _build(ppr, frames, folder: Path) -> Path:
    folder.mkdir()
    path = folder / f"{ppr.prefix}.gpkg"
    build_geopackage(path, ppr.prefix, frames, timestamp=STAMP, check_foreign_keys=False)  # as validate builds
    return path


def _drops(ppr) -> list[dict[str, list[int]]]:
    """Rows to leave out: first, middle and last of every table of more than 3 rows; a whole hazard table
    and one row of another; the perimeter's only row."""
    spread = {kind: [0, len(f) // 2, len(f) - 1] for kind, f in ppr.frames.items() if len(f) > 3}
    hazard = min((k for k in ppr.frames if k.startswith("zonealeareference_")), key=lambda k: len(ppr.frames[k]))
    return [
        spread,
        {hazard: list(range(len(ppr.frames[hazard]))), "zonereglementaireurba_s": [5]},
        {"perimetre_s": [0]},
    ]


def test_rows_left_out_of_the_file_give_the_bytes_of_a_build_without_them(ppr, tmp_path):
    for n, drop in enumerate(_drops(ppr)):
        kept = {
            kind: frame.drop(index=frame.index[drop[kind]]).reset_index(drop=True) if kind in drop else frame
            for kind, frame in ppr.frames.items()
        }
        expected = _build(ppr, kept, tmp_path / f"without-{n}")
        path = _build(ppr, ppr.frames, tmp_path / f"with-{n}")
        before = _digest(path)
        left = leave_out_rows(path, {f"{ppr.prefix}_{kind}": rows for kind, rows in drop.items()})
        assert left == {f"{ppr.prefix}_{kind}": len(kept[kind]) for kind in drop}
        assert _digest(path) != before
        assert _digest(path) == _digest(expected), drop
        assert not [p for p in path.parent.iterdir() if p != path]  # no journal left beside it


def test_a_position_outside_the_table_is_refused(ppr, tmp_path):
    path = _build(ppr, ppr.frames, tmp_path / "built")
    with pytest.raises(ValueError, match="no row at one of the positions"):
        leave_out_rows(path, {f"{ppr.prefix}_perimetre_s": [1]})


def _outside_france(tmp_path: Path) -> Path:
    """The bundled PPR unzipped, with hazard and regulatory zones moved into the Atlantic (COORDS_OUTSIDE_FRANCE
    is an error: ``--drop-invalid`` leaves them out) at the start, middle and end of their layers."""
    folder = tmp_path / "ppr"
    with zipfile.ZipFile(BUNDLED) as z:
        z.extractall(folder)
    for pattern, rows in (("N_ZONE_ALEA_*.shp", [0, 77, -1]), ("N_ZONE_REG_*.shp", [3, -2])):
        (path,) = folder.rglob(pattern)
        frame = pyogrio.read_dataframe(path)
        for row in rows:
            label = frame.index[row]
            frame.loc[label, "geometry"] = shapely.affinity.translate(frame.geometry.loc[label], -800_000, -500_000)
        for part in path.parent.glob(path.stem + ".*"):
            if part.suffix.lower() in (".shp", ".shx", ".dbf", ".cpg"):
                part.unlink()
        pyogrio.write_dataframe(frame, path, encoding="UTF-8")
    return folder


def _outputs(out: Path) -> dict[str, object]:
    files: dict[str, object] = {}
    for path in sorted(out.iterdir()):
        if path.name == "report.html":
            continue
        if path.name == "report.json":
            files[path.name] = json.loads(path.read_text(encoding="utf-8"))["issues"]
        else:
            files[path.name] = _digest(path)
    return files


def test_drop_invalid_on_the_file_gives_what_the_rebuild_gave(tmp_path, monkeypatch):
    from odl_geo.theme import convert_theme
    from odl_geo.theme.run import ThemeOptions

    src = _outside_france(tmp_path)
    out = tmp_path / "out"
    options = ThemeOptions(fix=True, drop_invalid=True)
    builds: list[Path] = []
    real_build = flood_profile.build_geopackage
    monkeypatch.setattr(
        flood_profile, "build_geopackage", lambda path, *a, **k: builds.append(path) or real_build(path, *a, **k)
    )
    used: list[bool] = []
    real_round = flood_leave_out.validate_left_out
    monkeypatch.setattr(flood_leave_out, "validate_left_out", lambda *a: used.append(real_round(*a)) or used[-1])

    run = convert_theme(src, out, "flood", options, formats=["geojson", "csv"])
    on_file, built_once = _outputs(out), list(builds)
    left_out = [i for i in run.report.issues if i.code == "FEATURES_LEFT_OUT"]
    assert left_out and sum(i.count for i in left_out) >= 5
    assert used == [True] and len(built_once) == 1  # the validated file lost the rows: built once
    assert validate_geopackage(next(out.glob("*.gpkg"))).conformant

    shutil.rmtree(out)
    builds.clear()
    monkeypatch.setattr(flood_leave_out, "validated_file", lambda *a: None)  # the former path: built again
    convert_theme(src, out, "flood", options, formats=["geojson", "csv"])
    assert len(builds) == 2
    assert _outputs(out) == on_file


def _faulty_geopackage(ppr, tmp_path: Path) -> Path:
    """The PPR's GeoPackage with a fault of every kind the value rules look for, here and there."""
    path = _build(ppr, ppr.frames, tmp_path / "faulty")
    p = ppr.prefix
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    synth, reg = f"{p}_zonealeanaturelsynthese_s", f"{p}_zonereglementaireurba_s"
    conn.execute(f"UPDATE \"{synth}\" SET niveaualea = 'X9' WHERE rowid IN (3, 40, 41)")
    conn.execute(f"UPDATE \"{synth}\" SET codeprocedure = '  ' WHERE rowid = 7")
    conn.execute(f"UPDATE \"{synth}\" SET codeprocedure = 'NOPE' WHERE rowid = 9")
    conn.execute(f"UPDATE \"{synth}\" SET occurrence = 'often' WHERE rowid IN (2, 5)")
    conn.execute(f"UPDATE \"{reg}\" SET typereglement = ' ' WHERE rowid IN (1, 30)")
    hazard = next(k for k in ppr.frames if k.startswith("zonealeareference_"))
    code = hazard.split("_")[1]
    conn.execute(f"UPDATE \"{p}_{hazard}\" SET typealea = '999' WHERE rowid = 2")
    bowtie = shapely.Polygon([(900000, 6400000), (900010, 6400010), (900010, 6400000), (900000, 6400010)])
    multi = shapely.MultiPolygon([shapely.box(900000, 6400000, 900001, 6400001)])
    with_z = shapely.Polygon([(900000, 6400000, 1), (900001, 6400000, 1), (900001, 6400001, 1)])
    big_endian = b"GP" + bytes((0, 0)) + struct.pack(">i", 4326) + shapely.to_wkb(shapely.box(0, 0, 1, 1))
    enveloped = gpkg_blob(shapely.box(900000, 6400000, 900005, 6400005))
    assert enveloped is not None
    xyz_envelope = b"GP" + bytes((0, 0b101)) + enveloped[4:8] + struct.pack("<6d", 0, 1, 0, 1, 0, 0) + enveloped[40:]
    for rowid, blob in (
        (4, gpkg_blob(bowtie)),
        (6, gpkg_blob(multi)),
        (8, b"GP\x00\x03" + struct.pack("<i4d", 2154, 0, 1, 0, 1) + shapely.to_wkb(with_z)),
        (10, big_endian),
        (11, b"not a geometry"),
        (12, b""),
        (13, xyz_envelope),
        (14, b"GP\x00\x0f" + enveloped[4:]),  # an envelope code the standard does not define
    ):
        conn.execute(f'UPDATE "{synth}" SET geom = ? WHERE rowid = ?', (blob, rowid))
    conn.execute(f'UPDATE "{p}_{hazard}" SET geom = ? WHERE rowid = 1', (gpkg_blob(bowtie),))
    conn.commit()
    conn.close()
    assert code
    return path


def _issues(path: Path) -> list[dict[str, object]]:
    report = Report()
    validate_geopackage(path, report)
    return [i.to_dict() if hasattr(i, "to_dict") else vars(i) for i in report.issues]


def test_one_scan_per_table_finds_what_a_count_per_rule_found(ppr, tmp_path, monkeypatch):
    path = _faulty_geopackage(ppr, tmp_path)
    scanned = _issues(path)
    codes = {i["code"] for i in scanned}
    assert {
        "PPR_CODE_NOT_IN_LIST",
        "PPR_VALUE_MISSING",
        "PPR_VALUE_TYPE",
        "PPR_HAZARD_CODE_MISMATCH",
        "PPR_GEOMETRY_INVALID",
        "PPR_GEOMETRY_TYPE",
        "PPR_GEOMETRY_ZM",
        "PPR_GEOMETRY_SRS",
        "PPR_GEOMETRY_MISSING",
    } <= codes

    # the former way: each rule counted by a query of its own, each blob decoded alone
    real_count = flood_values._count_rules
    monkeypatch.setattr(flood_values, "_count_rules", lambda conn, table, rules: real_count(conn, table, rules[:1]))

    def one_by_one(blobs):
        decoded = [flood_values.decode_blob(b) if isinstance(b, bytes) else None for b in blobs]
        ok = flood_values.np.array([d is not None for d in decoded], dtype=bool)
        srs = flood_values.np.array([d[0] if d else 0 for d in decoded], dtype=flood_values.np.int64)
        return ok, srs, [d[1] for d in decoded if d is not None]

    monkeypatch.setattr(flood_values, "decode_blobs", one_by_one)
    assert _issues(path) == scanned


def test_blobs_decoded_in_bulk_as_one_by_one():
    wkb = shapely.to_wkb(shapely.box(0, 0, 1, 1))
    blobs: list[object] = [
        gpkg_blob(shapely.box(0, 0, 2, 2)),
        b"GP" + bytes((0, 0)) + struct.pack(">i", 4326) + wkb,  # big endian, no envelope
        b"GP" + bytes((0, 0b101)) + struct.pack("<i", 2154) + bytes(48) + wkb,  # xyz envelope
        b"GP" + bytes((0, 0b1001)) + struct.pack("<i", 2154) + bytes(64) + wkb,  # xyzm envelope
        b"GP" + bytes((0, 0b1111)) + struct.pack("<i", 2154) + wkb,  # envelope code 7: not a geometry
        b"XX" + bytes(30),
        b"GP\x00",
        None,
        "text",
        b"GP" + bytes((0, 1)) + struct.pack("<i", 2154),  # a header alone
    ]
    ok, srs, wkbs = flood_values.decode_blobs(blobs)
    expected = [flood_values.decode_blob(b) if isinstance(b, bytes) else None for b in blobs]
    assert ok.tolist() == [d is not None for d in expected]
    assert [int(s) for s, k in zip(srs, ok, strict=True) if k] == [d[0] for d in expected if d is not None]
    assert wkbs == [d[1] for d in expected if d is not None]


def test_a_file_that_cannot_be_changed_is_built_again(tmp_path, monkeypatch):
    """A failure while leaving the rows out of the file (here: SQLite refusing) falls back to the former round:
    the half-changed file is forgotten (its folder removed), the tables built and validated again, the same run."""
    import tempfile

    from odl_geo.theme import convert_theme
    from odl_geo.theme.run import ThemeOptions

    src = _outside_france(tmp_path)
    out = tmp_path / "out"
    options = ThemeOptions(fix=True, drop_invalid=True)
    convert_theme(src, out, "flood", options, formats=["csv"])
    expected = _outputs(out)
    shutil.rmtree(out)

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    real = flood_leave_out.leave_out_rows

    def refused(path, positions):
        real(path, {table: rows[:1] for table, rows in positions.items()})  # the file half changed...
        raise sqlite3.OperationalError("database or disk is full")  # ...then refused

    monkeypatch.setattr(flood_leave_out, "leave_out_rows", refused)
    builds: list[Path] = []
    real_build = flood_profile.build_geopackage
    monkeypatch.setattr(
        flood_profile, "build_geopackage", lambda path, *a, **k: builds.append(path) or real_build(path, *a, **k)
    )
    convert_theme(src, out, "flood", options, formats=["csv"])
    assert len(builds) == 2  # validated, then built again for the round
    assert _outputs(out) == expected
    assert not list(scratch.iterdir())
