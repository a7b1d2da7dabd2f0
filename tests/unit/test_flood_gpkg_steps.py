"""The CNIG GeoPackage built in steps (``profiles/flood/gpkg.py``, ``GpkgBuilder``): create, append, finish.

A large PPR's rows can then go into the file a piece at a time. These tests build the real DDT38 PPRs' GeoPackages
both ways, the whole tables at once (``build_geopackage``) and every table appended in small pieces with the
hazard tables created when their first rows come: the files are the same bytes. And a failed or abandoned build
leaves no file behind.
"""

from __future__ import annotations

import sqlite3

import pytest

from odl_geo.errors import InputError
from odl_geo.profiles.flood.gpkg import GpkgBuilder, build_geopackage
from tests.unit.flood_pprs import NAMES, STAMP, conformed
from tests.unit.flood_pprs import digest as _digest


@pytest.fixture(params=NAMES)
def ppr(request, shared_data, tmp_path):
    return conformed(request.param, shared_data, tmp_path)


def test_appended_in_pieces_the_same_bytes_as_whole(ppr, tmp_path):
    whole = tmp_path / "whole" / f"{ppr.prefix}.gpkg"
    whole.parent.mkdir()
    counts = build_geopackage(whole, ppr.prefix, ppr.frames, timestamp=STAMP)

    steps = tmp_path / "steps" / f"{ppr.prefix}.gpkg"
    steps.parent.mkdir()
    builder = GpkgBuilder(steps, ppr.prefix, timestamp=STAMP)
    hazard = [kind for kind in ppr.frames if kind.startswith("zonealeareference_")]
    assert hazard  # hazard tables are made from the template's codealea tables when their code first comes
    for kind, frame in ppr.frames.items():
        for start in range(0, max(len(frame), 1), 17):
            builder.append(kind, frame.iloc[start : start + 17])
    assert not steps.exists()  # nothing in place before finish
    assert builder.finish() == counts
    assert _digest(steps) == _digest(whole)
    assert not steps.with_name(steps.name + ".part").exists()
    conn = sqlite3.connect(steps)
    try:
        placeholders = conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE '%codealea%'").fetchone()
        extent = conn.execute(
            "SELECT min_x, max_x FROM gpkg_contents WHERE table_name = ?", (f"{ppr.prefix}_{hazard[0]}",)
        ).fetchone()
    finally:
        conn.close()
    assert placeholders == (0,)
    bounds = ppr.frames[hazard[0]].total_bounds
    assert extent == (pytest.approx(bounds[0], abs=0), pytest.approx(bounds[2], abs=0))  # widened to the whole


def test_a_refused_build_leaves_no_file(ppr, tmp_path):
    path = tmp_path / f"{ppr.prefix}.gpkg"
    builder = GpkgBuilder(path, ppr.prefix, timestamp=STAMP)
    frame = ppr.frames["zonereglementaireurba_s"]
    builder.append("zonereglementaireurba_s", frame.iloc[:5])
    with pytest.raises(InputError, match="breaks a rule of the CNIG PPR template"):
        builder.append("zonereglementaireurba_s", frame.iloc[:1])  # the same identifier again
    builder.abort()
    assert not path.exists() and not path.with_name(path.name + ".part").exists()
    builder = GpkgBuilder(path, ppr.prefix, timestamp=STAMP)
    with pytest.raises(InputError, match="not a table of the CNIG PPR standard"):
        builder.table("zonefantaisie_s")
    builder.abort()
    builder = GpkgBuilder(path, ppr.prefix, timestamp=STAMP)
    bad = frame.iloc[:3].assign(typereglement="99")  # outside the code list: refused at finish
    builder.append("zonereglementaireurba_s", bad)
    with pytest.raises(InputError, match="outside the CNIG code lists"):
        builder.finish()
    assert not path.exists() and not path.with_name(path.name + ".part").exists()


def test_tables_appended_interleaved_the_same_bytes_as_one_after_the_other(ppr, tmp_path):
    """Step 3 of docs/flood.md feeds several tables from each piece of a zone layer (the synthesis and the table
    of each hazard code): the rows of different tables then reach the file interleaved. With every table created
    up front in the order of a whole build, the file after the ``VACUUM`` has the bytes of the tables appended one
    after the other (``VACUUM`` copies each table's rows in rowid order, whatever pages they were written to)."""
    whole = tmp_path / "whole" / f"{ppr.prefix}.gpkg"
    whole.parent.mkdir()
    counts = build_geopackage(whole, ppr.prefix, ppr.frames, timestamp=STAMP)

    mixed = tmp_path / "mixed" / f"{ppr.prefix}.gpkg"
    mixed.parent.mkdir()
    builder = GpkgBuilder(mixed, ppr.prefix, timestamp=STAMP)
    for kind in ppr.frames:  # every table first, in the whole build's order
        builder.table(kind)
    starts = dict.fromkeys(ppr.frames, 0)
    rounds = 0
    while any(starts[k] < len(f) for k, f in ppr.frames.items()):
        # the tables taken last first every other round: no table's rows follow each other in the file's pages
        order = list(ppr.frames.items()) if rounds % 2 == 0 else list(reversed(ppr.frames.items()))
        for kind, frame in order:
            size = 3 + (rounds + len(kind)) % 11
            if starts[kind] < len(frame) or rounds == 0:  # an empty table is appended to once, as in a build
                builder.append(kind, frame.iloc[starts[kind] : starts[kind] + size])
                starts[kind] += size
        rounds += 1
    assert rounds > 5  # the tables really were interleaved
    assert builder.finish() == counts
    assert _digest(mixed) == _digest(whole)
