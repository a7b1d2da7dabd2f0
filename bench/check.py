"""Benchmark: the quality checks against the plain read of the same layer.

Target (issue 4): running every generic check on 1M features adds at most 50 % to the time it takes to read the
layer (``read_frame``: the same normalised read the checks work on). The input is generated (seeded, cached in
``bench/.data/``): a GeoPackage of points in Lambert-93 over Occitanie with an identifier, an accented name, an
INSEE code of an Occitanie commune (a few unknown ones), a date as text (a few in French order) and a count;
a few duplicates and a few points outside the area are planted so that the checks have work to report: the points
lie in Occitanie's outline but 100 near Bordeaux (outside the area) and 50 at sea (outside France).

A theme run is measured too (not a target of issue 4, a figure for docs/performance.md): ``check --theme pei``
(read, conform, anonymise, checks, official validator) on a generated PEI CSV of ``--theme-size`` rows (100k),
made by ``tests/data/pei/make_pei_generated.py``'s generator, against the plain read of the same file; the time of
the official validator (frictionless) is printed apart.

Usage::

    .venv/bin/python bench/check.py                # 1M features, best of 3, then the PEI theme run on 100k rows
    .venv/bin/python bench/check.py --size 100k --repeat 1 --theme-size 0    # generic checks only

Prints the read time, the check time and their ratio; exit status 1 when the ratio is above 0.5.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely

from odl_geo.checks.areas import resolve_area
from odl_geo.checks.communes import communes
from odl_geo.checks.registry import CheckContext
from odl_geo.checks.runner import load_checks, run_checks
from odl_geo.normalise.frames import read_frame
from odl_geo.sources import open_source

HERE = Path(__file__).resolve().parent
DATA_VERSION = 2  # 2: the points lie in Occitanie's real outline (v1 filled its bounding box: 38 % outside)
MAX_RATIO = 0.5
BBOX = (440_000.0, 6_160_000.0, 850_000.0, 6_450_000.0)  # Occitanie in Lambert-93


def parse_size(text: str) -> int:
    text = text.lower().strip()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text.rstrip("km")) * factor)


def _inside_occitanie(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` uniform points of the bounding box that lie in Occitanie (its outline, as the checks know it)."""
    from pyproj import CRS

    from odl_geo.checks import outlines

    found = outlines.locators("departement", resolve_area("occitanie").outline, CRS.from_epsg(2154))
    xs, ys = [], []
    while sum(len(v) for v in xs) < n:
        x, y = rng.uniform(BBOX[0], BBOX[2], n), rng.uniform(BBOX[1], BBOX[3], n)
        keep = outlines.inside(found, x, y, np.ones(n, dtype=bool))
        xs.append(x[keep])
        ys.append(y[keep])
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def generate(n: int) -> Path:
    path = HERE / ".data" / f"check_points_{n}_v{DATA_VERSION}.gpkg"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(4)
    x, y = _inside_occitanie(rng, n)
    x[:100], y[:100] = 417_000.0 + rng.uniform(0, 5_000, 100), 6_423_000.0 + rng.uniform(0, 5_000, 100)  # Bordeaux
    x[100:150], y[100:150] = 790_000.0 + rng.uniform(0, 3_000, 50), 6_100_000.0  # at sea, 50 km off the coast
    codes = np.array(sorted(c for c, row in communes().items() if row.region == "76" and row.kind == "A"))
    insee = codes[rng.integers(0, len(codes), n)].astype(object)
    insee[rng.integers(0, n, 50)] = "34999"  # unknown
    days = pd.to_datetime("1990-01-01") + pd.to_timedelta(rng.integers(0, 12_000, n), unit="D")
    dates = days.strftime("%Y-%m-%d").to_numpy(dtype=object)
    french = rng.integers(0, n, 200)
    dates[french] = days[french].strftime("%d/%m/%Y")
    names = np.array(["Poteau", "Bouche", "Réserve", "Fontaine Saint-Éloi", "Captage du Lez"], dtype=object)
    frame = pd.DataFrame({
        "id": np.arange(n).astype(str),
        "nom": names[rng.integers(0, len(names), n)] + " " + np.arange(n).astype(str),
        "insee": insee,
        "date_maj": dates,
        "nombre": rng.integers(1, 5, n),
    })  # fmt: skip
    frame.loc[rng.integers(0, n, 100), "id"] = "42"  # duplicate identifiers
    geoms = shapely.points(x, y)
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:2154")
    pyogrio.write_dataframe(gdf, path, layer="points", driver="GPKG")
    return path


def measure(path: Path, repeat: int) -> tuple[float, float, list[str], int]:
    load_checks()
    area = resolve_area("occitanie")
    read_times, check_times = [], []
    codes: list[str] = []
    count = 0
    for _ in range(repeat):
        with open_source(path) as src:
            layer = src.layers[0]
            t0 = time.perf_counter()
            frame = read_frame(layer)
            read_times.append(time.perf_counter() - t0)
        ctx = CheckContext(frame, layer.name, None, None, area.insee, area.outline, area.name)
        t0 = time.perf_counter()
        outcome = run_checks(ctx, None)
        check_times.append(time.perf_counter() - t0)
        codes = outcome.fired
        count = len(frame)
    return min(read_times), min(check_times), codes, count


def generate_pei(n: int) -> Path:
    path = HERE / ".data" / f"pei_{n}_v{DATA_VERSION}.csv"
    if not path.exists():
        sys.path.insert(0, str(HERE.parent / "tests" / "data" / "pei"))
        import make_pei_generated

        path.parent.mkdir(parents=True, exist_ok=True)
        make_pei_generated.write(make_pei_generated.make_rows(n), path)
    return path


def measure_theme(path: Path, repeat: int) -> tuple[float, float, float, int]:
    """(plain read, whole ``check --theme pei``, of which the official validator) in seconds, best of ``repeat``."""
    from odl_geo.profiles import products
    from odl_geo.sources import ReadOptions
    from odl_geo.theme import ThemeOptions, check_theme

    options = ReadOptions(source_crs="EPSG:2154")
    spent: list[float] = []
    original = products.validate_table

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t0)

    products.validate_table = timed
    reads, runs, validators = [], [], []
    count = 0
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            with open_source(path, options) as src:
                count = len(read_frame(src.layers[0]))
            reads.append(time.perf_counter() - t0)
            spent.clear()
            t0 = time.perf_counter()
            check_theme(path, "pei", ThemeOptions(area="occitanie"), options)
            runs.append(time.perf_counter() - t0)
            validators.append(sum(spent))
    finally:
        products.validate_table = original
    best = min(range(repeat), key=lambda i: runs[i])
    return min(reads), runs[best], validators[best], count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1M", help="number of features (default 1M)")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best time of each side is kept")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when the target is missed")
    parser.add_argument("--theme-size", default="100k", help="rows of the PEI theme run (0: skip it)")
    parser.add_argument("--theme-repeat", type=int, default=1, help="runs of the theme measure")
    args = parser.parse_args(argv)
    n = parse_size(args.size)
    path = generate(n)
    read_s, check_s, codes, count = measure(path, args.repeat)
    ratio = check_s / read_s
    print(f"features        {count:,}")
    print(f"read_frame      {read_s:.2f} s")
    print(f"checks          {check_s:.2f} s  ({', '.join(codes)})")
    print(f"ratio           {ratio:.2f}  (target <= {MAX_RATIO})  {'PASS' if ratio <= MAX_RATIO else 'FAIL'}")
    theme_n = parse_size(args.theme_size)
    if theme_n:
        read_t, run_t, validator_t, rows = measure_theme(generate_pei(theme_n), args.theme_repeat)
        print(f"pei rows        {rows:,}")
        print(f"pei read        {read_t:.2f} s")
        print(f"check --theme   {run_t:.2f} s  (of which the official validator, frictionless: {validator_t:.2f} s)")
        rest = (run_t - validator_t) / read_t
        print(f"theme ratio     {run_t / read_t:.1f}x the read; without the validator {rest:.1f}x")
    return 0 if ratio <= MAX_RATIO or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
