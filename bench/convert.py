"""Benchmark: odl-geo against Debian's ``ogr2ogr``, Shapefile -> GeoPackage and -> GeoJSON.

Generates its own inputs (seeded, cached in ``bench/.data/``): point Shapefiles of 100k, 1M and 5M
features and a 200k-line Shapefile, in Lambert-93 (EPSG:2154) over Occitanie, with UTF-8 accented text
(and a .cpg), an integer, a float and a date. Each conversion runs as a separate process (the odl-geo
CLI, then ``ogr2ogr`` doing the same work) under ``/usr/bin/time``, which gives its wall time and peak
RSS. Feature counts of both outputs are compared, then every target is checked:

* Shapefile -> GeoPackage: odl-geo takes at most 0.5x the time of ``ogr2ogr`` (default options);
* Shapefile -> GeoJSON reprojected to WGS84: odl-geo no slower than ``ogr2ogr``;
* peak RSS of odl-geo at most 300 MB for every size (flat from 100k to 5M features);
* issue 16, against GDAL 3.12's own translator (``GDALVectorTranslate`` from the libgdal pyogrio bundles, the GDAL
  odl-geo runs: ``bench/gdal312.py``) with the same options, at 1M points and more: GeoPackage at most 0.75x,
  GeoJSON at most 1.0x. ``--no-ogr2ogr`` leaves Debian's GDAL 3.6 out (minutes a run at 5M features).

The 1-minute load average before each odl-geo run is printed and saved: the machine is shared, and wall times
mean little without it.

Usage::

    .venv/bin/python bench/convert.py                 # 100k, 1M, 5M points + 200k lines, one run each
    .venv/bin/python bench/convert.py --quick         # 100k points only
    .venv/bin/python bench/convert.py --repeat 3 --sizes 1M --lines 0

Exit status: 0 when every target passes (or with ``--no-fail``), 1 when one fails, 2 on a broken run
(a conversion failed, timed out or wrote a different number of features).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely
from _support import count_marker, parse_size

HERE = Path(__file__).resolve().parent
DATA_VERSION = 1  # bump when the generator changes, so cached inputs are rebuilt
GPKG_MAX_RATIO = 0.5
GEOJSON_MAX_RATIO = 1.0
GPKG_MAX_RATIO_312 = 0.75  # issue 16: against GDAL 3.12's own translator (bench/gdal312.py)
GEOJSON_MAX_RATIO_312 = 1.0
MAX_RSS_MB = 300.0

# Occitanie in Lambert-93 (metres), and a few towns points cluster around
BBOX = (440_000.0, 6_160_000.0, 850_000.0, 6_450_000.0)
TOWNS = {
    "Toulouse": (574_500, 6_279_700),
    "Montpellier": (770_800, 6_279_200),
    "Nîmes": (810_900, 6_302_600),
    "Perpignan": (691_600, 6_175_300),
    "Béziers": (724_200, 6_250_100),
    "Narbonne": (697_900, 6_226_400),
    "Carcassonne": (647_600, 6_235_700),
    "Albi": (632_700, 6_313_600),
    "Sète": (746_900, 6_252_900),
    "Rodez": (667_800, 6_363_300),
    "Tarbes": (460_200, 6_242_100),
    "Montauban": (567_300, 6_326_600),
    "Lézignan-Corbières": (672_700, 6_234_400),
    "Uzès": (806_900, 6_324_600),
}
STREETS = [
    "Rue de l'Église",
    "Chemin des Écoliers",
    "Avenue Frédéric Mistral",
    "Place du Marché",
    "Impasse des Cèdres",
    "Allée des Pénitents",
    "Quai de la Daurade",
    "Route de Béziers",
    "Traverse Saint-Étienne",
    "Boulevard de l'Hôtel de Ville",
    "Rue Émile Zola",
    "Chemin de la Garrigue",
    "Avenue de la Méditerranée",
    "Rue des Œillets",
    "Place Jean Jaurès",
    "Chemin du Moulin à Huile",
]
CATEGORIES = ["Éclairage public", "Borne incendie", "Arbre d'alignement", "Banc", "Corbeille", "Abri vélo"]


# -- inputs ------------------------------------------------------------------------------------------
def human(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def _attributes(rng: np.random.Generator, n: int, towns: np.ndarray) -> dict[str, pa.Array]:
    """A few realistic columns: accented text, an int, a float and a date (vectorised, no Python loop)."""
    street = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, len(STREETS), n, dtype=np.int32)), STREETS)
    number = rng.integers(1, 250, n, dtype=np.int32)
    town_names = pa.DictionaryArray.from_arrays(pa.array(towns.astype(np.int32)), list(TOWNS))
    address = pc.binary_join_element_wise(
        pc.cast(pa.array(number), pa.string()), pc.cast(street, pa.string()), pc.cast(town_names, pa.string()), " "
    )
    category = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, len(CATEGORIES), n, dtype=np.int32)), CATEGORIES)
    days = rng.integers(0, 365 * 25, n, dtype=np.int32) + (dt.date(2000, 1, 1) - dt.date(1970, 1, 1)).days
    return {
        "adresse": address,
        "categorie": pc.cast(category, pa.string()),
        "commune": pc.cast(town_names, pa.string()),
        "numero": pa.array(number),
        "hauteur": pa.array(np.round(rng.gamma(2.0, 3.0, n), 2)),
        "date_maj": pa.array(days, type=pa.int32()).cast(pa.date32()),
    }


def _centres(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y and town index: 75% of features around towns, the rest spread over the region."""
    centres = np.array(list(TOWNS.values()), dtype=float)
    town = rng.integers(0, len(centres), n)
    spread = rng.random(n) < 0.25
    x = centres[town, 0] + rng.normal(0, 4_000, n)
    y = centres[town, 1] + rng.normal(0, 4_000, n)
    x[spread] = rng.uniform(BBOX[0], BBOX[2], int(spread.sum()))
    y[spread] = rng.uniform(BBOX[1], BBOX[3], int(spread.sum()))
    return np.round(x, 2), np.round(y, 2), town


def _write_shapefile(path: Path, columns: dict[str, pa.Array], wkb: np.ndarray, geometry_type: str) -> None:
    """Write atomically: into a temporary folder, then move the set of files into the cache."""
    table = pa.table({**columns, "geometry": pa.array(wkb, type=pa.binary())})
    tmp = Path(tempfile.mkdtemp(prefix=".gen-", dir=path.parent))
    try:
        pyogrio.write_arrow(
            table,
            tmp / path.name,
            driver="ESRI Shapefile",
            geometry_name="geometry",
            geometry_type=geometry_type,
            crs="EPSG:2154",
            layer_options={"ENCODING": "UTF-8"},
        )
        for part in sorted(tmp.iterdir(), key=lambda p: p.suffix == ".shp"):  # .shp last: it marks completion
            os.replace(part, path.parent / part.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_points(data_dir: Path, n: int) -> Path:
    path = data_dir / f"points_{human(n)}_v{DATA_VERSION}.shp"
    if path.exists():
        return path
    print(f"  generating {path.name} ...", flush=True)
    rng = np.random.default_rng(20240601 + n)
    x, y, town = _centres(rng, n)
    wkb = shapely.to_wkb(shapely.points(x, y))
    _write_shapefile(path, _attributes(rng, n, town), wkb, "Point")
    return path


def make_lines(data_dir: Path, n: int) -> Path:
    path = data_dir / f"lines_{human(n)}_v{DATA_VERSION}.shp"
    if path.exists():
        return path
    print(f"  generating {path.name} ...", flush=True)
    rng = np.random.default_rng(20240602 + n)
    x0, y0, town = _centres(rng, n)
    nverts = rng.integers(10, 51, n)
    total = int(nverts.sum())
    line_of = np.repeat(np.arange(n), nverts)
    heading = rng.uniform(0, 2 * np.pi, n)[line_of] + np.cumsum(rng.normal(0, 0.3, total))
    step = rng.uniform(8, 40, total)
    dx, dy = step * np.cos(heading), step * np.sin(heading)
    starts = np.concatenate([[0], np.cumsum(nverts)[:-1]])
    dx[starts], dy[starts] = 0.0, 0.0
    cx, cy = np.cumsum(dx), np.cumsum(dy)
    # restart the walk at each line's first vertex
    x = np.round(x0[line_of] + cx - cx[starts][line_of], 2)
    y = np.round(y0[line_of] + cy - cy[starts][line_of], 2)
    wkb = shapely.to_wkb(shapely.linestrings(x, y, indices=line_of))
    _write_shapefile(path, _attributes(rng, n, town), wkb, "LineString")
    return path


# -- running -----------------------------------------------------------------------------------------
@dataclass
class Run:
    seconds: float
    rss_mb: float
    count: int
    cpu: float = float("nan")  # user + system seconds (/usr/bin/time): less distorted by the load than wall time


@dataclass
class Case:
    input: str
    kind: str
    features: int
    target: str
    odl: list[Run] = field(default_factory=list)
    ogr: list[Run] = field(default_factory=list)
    ogr_gt: list[Run] = field(default_factory=list)  # ogr2ogr -gt 65536 (GeoPackage only)
    gdal312: list[Run] = field(default_factory=list)  # GDAL 3.12's ogr2ogr (bench/gdal312.py)
    load: list[float] = field(default_factory=list)  # 1-minute load average before each odl-geo run

    @staticmethod
    def med(runs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs) if runs else float("nan")

    @property
    def ratio(self) -> float:
        return self.med(self.odl, "seconds") / self.med(self.ogr, "seconds") if self.ogr else float("nan")

    @property
    def ratio_312(self) -> float:
        return self.med(self.odl, "seconds") / self.med(self.gdal312, "seconds") if self.gdal312 else float("nan")

    @property
    def cpu_ratio_312(self) -> float:
        """The same ratio in CPU seconds (user + system), which the other users of a shared machine distort less."""
        return self.med(self.odl, "cpu") / self.med(self.gdal312, "cpu") if self.gdal312 else float("nan")

    @property
    def ratio_gt(self) -> float:
        return self.med(self.odl, "seconds") / self.med(self.ogr_gt, "seconds") if self.ogr_gt else float("nan")


class BrokenRun(RuntimeError):
    pass


def timed(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Run ``cmd`` under /usr/bin/time; return (wall seconds, peak RSS in MB, user + system CPU seconds)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf.name, *cmd]
        start = time.perf_counter()
        proc = subprocess.Popen(
            full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True, text=True
        )
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise BrokenRun(f"timed out after {timeout:.0f} s: {' '.join(cmd)}") from None
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            raise BrokenRun(f"exit {proc.returncode}: {' '.join(cmd)}\n{err[-2000:]}")
        fields = tf.read().split()
        return wall, int(fields[-1]) / 1024.0, float(fields[-3]) + float(fields[-2])


def count_features(path: Path) -> int:
    if path.suffix == ".geojson":
        # GDAL writes one feature per line; counting the marker is exact and needs no parsing
        return count_marker(path, b'"type": "Feature",')
    return int(pyogrio.read_info(path, force_feature_count=True)["features"])


def sample_geometries(path: Path, n: int = 1000) -> np.ndarray:
    """The first ``n`` geometries of an output, in file order."""
    if path.suffix == ".geojson":  # GDAL writes one feature per line: no need to parse the whole file
        geoms = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if '"type": "Feature",' in line:
                    geoms.append(shapely.from_geojson(json.dumps(json.loads(line.rstrip().rstrip(","))["geometry"])))
                    if len(geoms) == n:
                        break
        return np.array(geoms, dtype=object)
    _, table = pyogrio.read_arrow(path, max_features=n)
    meta = pyogrio.read_info(path)
    return shapely.from_wkb(table.column(meta.get("geometry_name") or "geom").to_numpy(zero_copy_only=False))


def sample_matches(a: Path, b: Path, tolerance: float) -> bool:
    """The first geometries of both outputs are the same (within ``tolerance``)."""
    ga, gb = sample_geometries(a), sample_geometries(b)
    return len(ga) == len(gb) and bool(
        shapely.equals_exact(shapely.normalize(ga), shapely.normalize(gb), tolerance).all()
    )


def warm_cache(src: Path) -> None:
    """Read the input files once, so that no tool pays for a cold disk read."""
    for part in src.parent.glob(src.stem + ".*"):
        with part.open("rb") as fh:
            while fh.read(1 << 24):
                pass


def odl_command(given: str | None = None) -> list[str]:
    if given:
        return shlex.split(given)
    script = Path(sys.executable).parent / "odl-geo"
    return [str(script)] if script.exists() else [sys.executable, "-m", "odl_geo.cli"]


def run_case(case: Case, src: Path, work: Path, args: argparse.Namespace) -> None:
    stem = src.stem
    ext = ".gpkg" if case.target == "gpkg" else ".geojson"
    ogr_env = {k: v for k, v in os.environ.items() if not k.startswith(("GDAL_", "PROJ_", "OGR_"))}
    if case.target == "gpkg":
        ogr_cmd = [args.ogr2ogr, "-f", "GPKG"]
        if case.kind == "lines":
            ogr_cmd += ["-nlt", "PROMOTE_TO_MULTI"]
    else:
        ogr_cmd = [
            args.ogr2ogr,
            "-f",
            "GeoJSON",
            "-t_srs",
            "EPSG:4326",
            "-lco",
            "RFC7946=YES",
            "-lco",
            "COORDINATE_PRECISION=7",
        ]
    variants: list[tuple[str, list[str]]] = [] if args.no_ogr2ogr else [("ogr", [])]
    if case.target == "gpkg" and not args.no_gt and not args.no_ogr2ogr:
        variants.append(("ogr_gt", ["-gt", "65536"]))
    warm_cache(src)
    for _ in range(args.repeat):
        # odl-geo
        out_dir = work / "odl"
        shutil.rmtree(out_dir, ignore_errors=True)
        case.load.append(os.getloadavg()[0])
        sec, rss, cpu = timed(
            [*odl_command(args.odl_geo), "convert", str(src), "--to", case.target, "--out", str(out_dir), "-q"],
            args.timeout,
        )
        odl_out = out_dir / f"{stem}{ext}"
        case.odl.append(Run(sec, rss, count_features(odl_out), cpu))
        # ogr2ogr, default then -gt 65536
        for name, extra in variants:
            ogr_out = work / f"ogr_{name}{ext}"
            with contextlib.suppress(FileNotFoundError):
                ogr_out.unlink()
            sec, rss, cpu = timed([*ogr_cmd, *extra, str(ogr_out), str(src)], args.timeout, env=ogr_env)
            getattr(case, name).append(Run(sec, rss, count_features(ogr_out), cpu))
            if name == "ogr" and not sample_matches(odl_out, ogr_out, 1e-6 if ext == ".geojson" else 1e-3):
                raise BrokenRun(f"{case.input} -> {case.target}: geometries differ from ogr2ogr's")
            ogr_out.unlink()
        if not args.no_gdal312:  # the same ogr2ogr options, GDAL 3.12's translator (the GDAL odl-geo runs)
            g_out = work / f"gdal312{ext}"
            with contextlib.suppress(FileNotFoundError):
                g_out.unlink()
            cmd = [sys.executable, str(HERE / "gdal312.py"), str(g_out), str(src), *ogr_cmd[1:]]
            sec, rss, cpu = timed(cmd, args.timeout, env=ogr_env)
            case.gdal312.append(Run(sec, rss, count_features(g_out), cpu))
            if not case.ogr and not sample_matches(odl_out, g_out, 1e-6 if ext == ".geojson" else 1e-3):
                raise BrokenRun(f"{case.input} -> {case.target}: geometries differ from GDAL 3.12's")
            g_out.unlink()
        shutil.rmtree(out_dir, ignore_errors=True)
        counts = {r.count for r in case.odl + case.ogr + case.ogr_gt + case.gdal312}
        if counts != {case.features}:
            raise BrokenRun(f"{case.input} -> {case.target}: feature counts differ: {sorted(counts)}")
        print(
            f"    {case.input} -> {case.target} (load {case.load[-1]:.1f}): odl-geo {case.odl[-1].seconds:.2f} s "
            f"({case.odl[-1].cpu:.2f} CPU-s) {case.odl[-1].rss_mb:.0f} MB"
            + (f", ogr2ogr {case.ogr[-1].seconds:.2f} s" if case.ogr else "")
            + (
                f", GDAL 3.12 {case.gdal312[-1].seconds:.2f} s ({case.gdal312[-1].cpu:.2f} CPU-s)"
                if case.gdal312
                else ""
            )
            + (f" {case.gdal312[-1].rss_mb:.0f} MB" if case.gdal312 else ""),
            flush=True,
        )


# -- report ------------------------------------------------------------------------------------------
def print_table(cases: list[Case]) -> None:
    head = (
        f"{'input':<14} {'target':<8} {'odl-geo s':>9} {'ogr2ogr s':>9} {'ratio':>6} "
        f"{'-gt 65536 s':>11} {'ratio':>6} {'GDAL3.12 s':>10} {'ratio':>6} {'odl RSS MB':>10} {'ogr RSS MB':>10} "
        f"{'3.12 RSS MB':>11} {'load':>9}"
    )
    print(head)
    print("-" * len(head))
    for c in cases:
        gt = f"{c.med(c.ogr_gt, 'seconds'):>11.2f} {c.ratio_gt:>6.2f}" if c.ogr_gt else f"{'':>11} {'':>6}"
        g312 = f"{c.med(c.gdal312, 'seconds'):>10.2f} {c.ratio_312:>6.2f}" if c.gdal312 else f"{'':>10} {'':>6}"
        print(
            f"{c.input:<14} {c.target:<8} {c.med(c.odl, 'seconds'):>9.2f} {c.med(c.ogr, 'seconds'):>9.2f} "
            f"{c.ratio:>6.2f} {gt} {g312} {c.med(c.odl, 'rss_mb'):>10.0f} {c.med(c.ogr, 'rss_mb'):>10.0f} "
            f"{c.med(c.gdal312, 'rss_mb'):>11.0f} {min(c.load):>4.1f}-{max(c.load):<4.1f}"
        )


def timed_target(case: Case) -> bool:
    """Time targets hold for the layers the issue names: 1M+ points and the line layer.

    At 100k features both tools finish in about a second, most of it start-up (odl-geo imports GDAL,
    PROJ, Arrow, pandas: about 0.4 s); that ratio is printed, not judged.
    """
    return case.kind == "lines" or case.features >= 1_000_000


def check_targets(cases: list[Case]) -> list[tuple[str, bool | None, str]]:
    results: list[tuple[str, bool | None, str]] = []
    for c in cases:
        limit = GPKG_MAX_RATIO if c.target == "gpkg" else GEOJSON_MAX_RATIO
        what = "Shapefile -> GeoPackage" if c.target == "gpkg" else "Shapefile -> GeoJSON (EPSG:4326)"
        if c.ogr:
            verdict = c.ratio <= limit if timed_target(c) else None
            results.append((f"{what}, {c.input}: time <= {limit}x ogr2ogr", verdict, f"{c.ratio:.2f}x"))
        if c.gdal312:  # issue 16: against GDAL 3.12's own ogr2ogr, at 1M features and more
            limit312 = GPKG_MAX_RATIO_312 if c.target == "gpkg" else GEOJSON_MAX_RATIO_312
            judged = c.ratio_312 <= limit312 if c.kind == "points" and c.features >= 1_000_000 else None
            results.append(
                (
                    f"{what}, {c.input}: time <= {limit312}x GDAL 3.12's ogr2ogr",
                    judged,
                    f"{c.ratio_312:.2f}x (CPU {c.cpu_ratio_312:.2f}x)",
                )
            )
    rss = [max(r.rss_mb for r in c.odl) for c in cases]
    if rss:
        worst = max(rss)
        results.append(
            (
                f"odl-geo peak RSS <= {MAX_RSS_MB:.0f} MB at every size",
                worst <= MAX_RSS_MB,
                f"max {worst:.0f} MB, min {min(rss):.0f} MB",
            )
        )
    return results


def machine() -> dict[str, str]:
    ogr = subprocess.run(["/usr/bin/ogr2ogr", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    import pyproj

    return {
        "cpus": str(os.cpu_count()),
        "python": platform.python_version(),
        "ogr2ogr": ogr,
        "pyogrio": f"{pyogrio.__version__} (GDAL {pyogrio.__gdal_version_string__})",
        "shapely": f"{shapely.__version__} (GEOS {shapely.geos_version_string})",
        "pyproj": f"{pyproj.__version__} (PROJ {pyproj.proj_version_str})",
        "pyarrow": pa.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="100k,1M,5M", help="point layer sizes (default: 100k,1M,5M)")
    p.add_argument("--lines", default="200k", help="line layer size, 0 for none (default: 200k)")
    p.add_argument("--quick", action="store_true", help="100k points only")
    p.add_argument("--repeat", type=int, default=1, help="runs per case; medians are reported (default 1)")
    p.add_argument("--to", default="gpkg,geojson", help="targets (default: gpkg,geojson)")
    p.add_argument("--no-fail", action="store_true", help="exit 0 even when a target fails")
    p.add_argument("--no-gt", action="store_true", help="skip the ogr2ogr -gt 65536 variant")
    p.add_argument("--no-gdal312", action="store_true", help="skip GDAL 3.12's ogr2ogr (bench/gdal312.py)")
    p.add_argument("--ogr2ogr", default="/usr/bin/ogr2ogr", help="ogr2ogr to compare with (default: Debian's)")
    p.add_argument(
        "--no-ogr2ogr",
        action="store_true",
        help="skip Debian's ogr2ogr (GDAL 3.6: minutes a run at 5M); compare with GDAL 3.12's translator only",
    )
    p.add_argument("--data-dir", type=Path, default=HERE / ".data", help="cache of generated inputs")
    p.add_argument("--timeout", type=float, default=1800, help="seconds before one conversion is killed")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--odl-geo", metavar="CMD", help="odl-geo command to run (default: the one beside this Python)")
    args = p.parse_args(argv)
    sizes = [100_000] if args.quick else [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    n_lines = 0 if args.quick else parse_size(args.lines)
    targets = [t.strip() for t in args.to.split(",") if t.strip()]
    if not args.no_ogr2ogr and not Path(args.ogr2ogr).exists():
        print(f"{args.ogr2ogr} not found (apt install gdal-bin)", file=sys.stderr)
        return 2

    args.data_dir.mkdir(parents=True, exist_ok=True)
    info = machine()
    for k, v in info.items():
        print(f"{k:>8}: {v}")
    print("inputs:", flush=True)
    inputs = [(f"points {human(n)}", "points", n, make_points(args.data_dir, n)) for n in sizes]
    if n_lines:
        inputs.append((f"lines {human(n_lines)}", "lines", n_lines, make_lines(args.data_dir, n_lines)))

    cases: list[Case] = []
    work = Path(tempfile.mkdtemp(prefix=".run-", dir=args.data_dir))
    try:
        print(f"runs ({args.repeat} per case):", flush=True)
        for label, kind, n, src in inputs:
            for target in targets:
                case = Case(label, kind, n, target)
                run_case(case, src, work, args)
                cases.append(case)
    except BrokenRun as exc:
        print(f"BROKEN RUN: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    print_table(cases)
    print()
    results = check_targets(cases)
    for name, ok, value in results:
        print(f"{'info' if ok is None else 'PASS' if ok else 'FAIL'}  {name}: {value}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "machine": info,
            "repeat": args.repeat,
            "cases": [asdict(c) for c in cases],
            "targets": [{"target": n, "pass": ok, "value": v} for n, ok, v in results],
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    failed = [r for r in results if r[1] is False]
    return 1 if failed and not args.no_fail else 0


if __name__ == "__main__":
    sys.exit(main())
