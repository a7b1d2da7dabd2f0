"""Benchmark: memory and time of the KML writer on large point layers, against GeoJSON and GDAL's LIBKML.

odl-geo streams KML with lxml's incremental writer (``odl_geo/exports/kml.py``); GDAL's LIBKML driver, which
odl-geo used before, builds the whole document in memory first (1M points peaked at 3.95 GB). Each run is a
separate process under ``/usr/bin/time`` (wall time, peak RSS):

* ``odl-geo convert --to kml`` and ``--to geojson`` on the same generated Shapefile (``bench/convert.py``'s
  generator: Lambert-93 points over Occitanie, accented text, integer, float, date; cached in ``bench/.data``);
* with ``--libkml``, ``ogr2ogr -f LIBKML`` on it, for reference (the old writer's memory; Debian's GDAL 3.6.2 did not
  finish 100k points in 14 CPU minutes on the shared machine, hence opt-in).

Target: KML streams like the other formats: its peak RSS is at most 1.15x the GeoJSON conversion's of the same
layer, at every size (GeoJSON is GDAL's streaming writer; both stay flat from 100k to 1M points). The feature count
of each KML is checked by counting its Placemarks.

Usage::

    .venv/bin/python bench/kml.py                    # 100k and 1M points
    .venv/bin/python bench/kml.py --sizes 100k --libkml

Exit status: 0 when the target holds (or with ``--no-fail``), 1 when it does not, 2 on a broken run.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _support import count_marker  # noqa: E402
from convert import BrokenRun, make_points, odl_command, parse_size, timed, warm_cache  # noqa: E402

MAX_RATIO_TO_GEOJSON = 1.15


def placemarks(path: Path) -> int:
    """Placemarks in a KML, counted in the bytes (no parse, no memory)."""
    return count_marker(path, b"<Placemark")


def run(size: int, data_dir: Path, work: Path, libkml: bool, timeout: float) -> dict[str, object]:
    src = make_points(data_dir, size)
    warm_cache(src)
    row: dict[str, object] = {"features": size}
    for fmt in ("kml", "geojson"):
        out = work / f"{fmt}-{size}"
        wall, rss = timed([*odl_command(), "convert", str(src), "--to", fmt, "--out", str(out), "-q"], timeout)
        row[f"odl_{fmt}"] = {"seconds": round(wall, 1), "peak_mb": round(rss)}
        if fmt == "kml":
            count = placemarks(out / f"{src.stem}.kml")
            if count != size:
                raise BrokenRun(f"{src.name}: {count} placemarks in the KML, {size} features in the source")
    if libkml:
        out = work / f"libkml-{size}.kml"
        wall, rss = timed(["/usr/bin/ogr2ogr", "-f", "LIBKML", str(out), str(src)], timeout)
        row["ogr2ogr_libkml"] = {"seconds": round(wall, 1), "peak_mb": round(rss)}
    return row


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100k,1M", help="point layer sizes (default: 100k,1M)")
    p.add_argument("--libkml", action="store_true", help="also run ogr2ogr -f LIBKML (slow: minutes per 100k points)")
    p.add_argument("--no-fail", action="store_true", help="exit 0 even when the target fails")
    p.add_argument("--data-dir", type=Path, default=HERE / ".data", help="cache of generated inputs")
    p.add_argument("--timeout", type=float, default=1800, help="seconds before one conversion is killed")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = p.parse_args(argv)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="odl-bench-kml-") as tmp:
        try:
            for size in (parse_size(s) for s in args.sizes.split(",")):
                rows.append(run(size, args.data_dir, Path(tmp), args.libkml, args.timeout))
                print(json.dumps(rows[-1]), flush=True)
        except BrokenRun as exc:
            print(f"broken run: {exc}", file=sys.stderr)
            return 2
    print(f"\n{'features':>10} {'KML s':>7} {'KML MB':>7} {'GeoJSON s':>10} {'GeoJSON MB':>11} {'LIBKML s':>9} "
          f"{'LIBKML MB':>10}")  # fmt: skip
    for r in rows:
        k, g, lib = r["odl_kml"], r["odl_geojson"], r.get("ogr2ogr_libkml") or {}
        print(f"{r['features']:>10} {k['seconds']:>7} {k['peak_mb']:>7} {g['seconds']:>10} {g['peak_mb']:>11} "  # type: ignore[index]
              f"{lib.get('seconds', '-'):>9} {lib.get('peak_mb', '-'):>10}")  # type: ignore[union-attr]  # fmt: skip
    worst = max(r["odl_kml"]["peak_mb"] / r["odl_geojson"]["peak_mb"] for r in rows)  # type: ignore[index]
    ok = worst <= MAX_RATIO_TO_GEOJSON
    print(f"\nKML peak RSS at most {MAX_RATIO_TO_GEOJSON}x GeoJSON's: {'PASS' if ok else 'FAIL'} (worst {worst:.2f}x)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
