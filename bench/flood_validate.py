"""Flood validation at 1M zones: ``validate_geopackage`` and the ``--drop-invalid`` round on the file.

Flood 1M is not runnable end to end yet (docs/flood.md, step 3), so this measures the validator on the kind of
GeoPackage the build writes, grown to the size wanted: a CNIG GeoPackage odl-geo wrote (e.g. the product of
``convert bench/.data/flood_100k_v2 --theme flood --fix --drop-invalid --to gpkg``) copied, and each of its
tables of more than one row repeated ``--times`` times with new identifiers (``-k`` appended), rowids 1..n as a
build numbers them. Each step runs in a child process of its own (a fresh interpreter: its peak is its own),
and prints its CPU seconds (user+sys), wall seconds and peak RSS (``ru_maxrss``) with the interpreter's own
RSS after the imports, so that what the step adds is read apart.

Usage (from any folder; ``PYTHONPATH`` chooses the tree measured)::

    python bench/flood_validate.py grow out100k/pprn_38ddt20200002.gpkg /tmp/x/pprn_38ddt20200002.gpkg --times 10
    python bench/flood_validate.py measure /tmp/x/pprn_38ddt20200002.gpkg            # whole validation
    python bench/flood_validate.py measure /tmp/x/pprn_38ddt20200002.gpkg --no-geometries
    python bench/flood_validate.py leave-out /tmp/x/pprn_38ddt20200002.gpkg --rows 30  # on a copy, then removed
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sqlite3
import sys
import time
from pathlib import Path


def grow(source: Path, target: Path, times: int) -> None:
    """``source`` copied to ``target``, each table of more than one row repeated ``times`` times in all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    tables = [  # the PPR's own tables, not the code lists
        t
        for (t,) in conn.execute("SELECT table_name FROM gpkg_contents WHERE data_type IN ('features', 'attributes')")
        if t.startswith(f"{target.stem}_")
    ]
    for table in tables:
        (last,) = conn.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()
        if not last or last < 2:
            continue
        cols = [str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")')]
        keys = {str(r[1]) for r in conn.execute(f'PRAGMA table_info("{table}")') if r[5]}
        names = ", ".join(f'"{c}"' for c in cols)
        conn.execute("BEGIN")
        for k in range(1, times):
            picked = ", ".join(f"\"{c}\" || '-{k}'" if c in keys else f'"{c}"' for c in cols)
            conn.execute(f'INSERT INTO "{table}" ({names}) SELECT {picked} FROM "{table}" WHERE rowid <= ?', (last,))
        conn.execute("COMMIT")
        print(table, conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0], file=sys.stderr)
    conn.close()


def _usage() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": own.ru_utime + own.ru_stime, "wall": time.perf_counter(), "peak_mb": own.ru_maxrss / 1024}


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure(path: Path, *, geometries: bool) -> dict[str, object]:
    from odl_geo.profiles.flood.validate import validate_geopackage
    from odl_geo.report import Report

    base = _rss_mb()
    start = _usage()
    report = Report()
    summary = validate_geopackage(path, report, geometries=geometries)
    end = _usage()
    return {
        "step": "validate" if geometries else "validate (no geometry rules)",
        "rows": sum(summary.row_counts.values()),
        "findings": len(report.issues),
        "cpu_s": round(end["cpu"] - start["cpu"], 2),
        "wall_s": round(end["wall"] - start["wall"], 2),
        "rss_before_mb": round(base, 1),
        "peak_mb": round(end["peak_mb"], 1),
    }


def leave_out(path: Path, rows: int) -> dict[str, object]:
    from odl_geo.profiles.flood.leave_out import leave_out_rows

    copy = path.with_name(path.stem + ".leave-out" + path.suffix)
    shutil.copyfile(path, copy)
    try:
        conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
        sizes = {
            t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for (t,) in conn.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")
        }
        conn.close()
        positions = {t: sorted({(i * 7919) % n for i in range(rows)}) for t, n in sizes.items() if n > rows * 10}
        base = _rss_mb()
        start = _usage()
        leave_out_rows(copy, positions)
        end = _usage()
    finally:
        copy.unlink(missing_ok=True)
    return {
        "step": f"leave_out_rows ({rows} rows from each of {len(positions)} tables)",
        "rows": sum(sizes.values()),
        "cpu_s": round(end["cpu"] - start["cpu"], 2),
        "wall_s": round(end["wall"] - start["wall"], 2),
        "rss_before_mb": round(base, 1),
        "peak_mb": round(end["peak_mb"], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grow")
    g.add_argument("source", type=Path)
    g.add_argument("target", type=Path)
    g.add_argument("--times", type=int, default=10)
    m = sub.add_parser("measure")
    m.add_argument("path", type=Path)
    m.add_argument("--no-geometries", action="store_true")
    lo = sub.add_parser("leave-out")
    lo.add_argument("path", type=Path)
    lo.add_argument("--rows", type=int, default=30)
    args = parser.parse_args(argv)
    if args.command == "grow":
        grow(args.source, args.target, args.times)
    elif args.command == "measure":
        print(json.dumps(measure(args.path, geometries=not args.no_geometries)))
    else:
        print(json.dumps(leave_out(args.path, args.rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
