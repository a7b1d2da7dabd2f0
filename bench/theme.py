"""Benchmark: ``odl-geo convert --theme`` against the plain conversion of the same input to the same formats.

Inputs are generated (seeded, cached in ``bench/.data/``) from the bundled samples' shapes and values, with the
faults a theme run has to report or fix:

* **water** — the Montpellier fountains CSV (``examples/water``): its columns (``Dossier``, ``Nom``,
  ``BORNE_FONT``, ``Catégorie``, decimal-comma ``Longitude``/``Latitude``), its names and categories, points
  spread over the Hérault; plus a commissioning date (0.5 % in French order ``23/10/2015``), a remark (0.2 %
  holding an e-mail or a phone number), an owner's name (personal data), 0.3 % of names with mojibake
  (``Ã©``), 0.1 % duplicated rows and 0.1 % of points outside the declared area (``--area 34``);
* **pei** — the SDIS-style fire-hydrant CSV of ``tests/data/pei/make_pei_generated.py`` (its columns,
  communes, types and the same kinds of faults: unknown type, missing INSEE code, points in the sea, French
  dates, repeated SDIS numbers, a private owner's name and phone), vectorised, ``--fix --drop-invalid``;
* **hiking** — the Cévennes trails (``examples/hiking``): their properties and line shapes (simplified to at
  most 30 vertices, long HTML texts cut to 300 characters so that 5M trails stay a few GB), shifted over
  Occitanie, new ids; 0.5 % bad dates, 0.3 % mojibake, 0.1 % duplicates, 0.1 % outside Occitanie, 0.2 %
  with a private e-mail in the description.

Each command runs as its own process under ``/usr/bin/time`` (wall time, peak RSS), plain conversion first,
then the theme run, both to ``--to gpkg,geojson,csv``. A watchdog stops a run whose resident memory passes
``--kill-rss`` (default 6 GB; the machine is shared) and the table says so. Targets (issue 16): peak RSS of
the theme run <= 400 MB at every size, time <= 1.5x the plain conversion.

Usage::

    .venv/bin/python bench/theme.py --sizes 100k,1M            # every theme
    .venv/bin/python bench/theme.py --themes water --sizes 5M
    .venv/bin/python bench/theme.py --json bench/results/theme.json

Exit status: 0 when every target passes (or with ``--no-fail``), 1 when one fails, 2 on a broken run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from _support import parse_size

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # this tree's odl_geo, not an installed one
DATA = HERE / ".data"
DATA_VERSION = 1
MAX_RSS_MB = 400.0
MAX_RATIO = 1.5
FORMATS = "gpkg,geojson,csv"


def human(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n // 1_000}k" if n % 1_000 == 0 else str(n)


def _pick(rng: np.random.Generator, values: list[str], n: int) -> pa.Array:
    """``n`` values drawn from ``values`` (as text), without a Python loop."""
    return pc.cast(pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, len(values), n, dtype=np.int32)), values),
                   pa.string())  # fmt: skip


def _replace_where(column: pa.Array, mask: np.ndarray, values: pa.Array) -> pa.Array:
    return pc.if_else(pa.array(mask), values, column)


def _french_dates(rng: np.random.Generator, n: int, bad: float) -> pa.Array:
    days = rng.integers(0, 365 * 40, n) + np.datetime64("1980-01-01").astype(int)
    iso = pc.strftime(pa.array(days.astype("datetime64[D]")), format="%Y-%m-%d")
    french = pc.strftime(pa.array(days.astype("datetime64[D]")), format="%d/%m/%Y")
    return _replace_where(iso, rng.random(n) < bad, french)


def _mojibake(column: pa.Array, mask: np.ndarray) -> pa.Array:
    """UTF-8 text decoded as CP1252 (``é`` -> ``Ã©``), the usual damage, on the rows of ``mask``."""
    broken = pc.replace_substring(pc.replace_substring(column, "é", "Ã©"), "è", "Ã¨")
    return _replace_where(column, mask, broken)


def _write_csv(table: pa.Table, path: Path, delimiter: str = ",") -> None:
    tmp = path.with_suffix(".tmp")
    pacsv.write_csv(table, tmp, pacsv.WriteOptions(delimiter=delimiter, quoting_style="needed"))
    os.replace(tmp, path)


def _duplicate_rows(table: pa.Table, rng: np.random.Generator, share: float) -> pa.Table:
    """Replace a share of the rows by copies of other rows (same values, same place): duplicate features."""
    n = table.num_rows
    take = np.arange(n)
    dup = np.flatnonzero(rng.random(n) < share)
    take[dup] = np.maximum(dup - 1, 0)
    return table.take(pa.array(take))


def make_water(n: int) -> Path:
    path = DATA / f"water_{human(n)}_v{DATA_VERSION}.csv"
    if path.exists():
        return path
    print(f"  generating {path.name} ...", flush=True)
    sample = pacsv.read_csv(
        REPO / "examples" / "water" / "VilleMTP_MTP_Fontaines.csv",
        read_options=pacsv.ReadOptions(encoding="cp1252"),
        convert_options=pacsv.ConvertOptions(column_types={"Longitude": pa.string(), "Latitude": pa.string()}),
    )
    rng = np.random.default_rng(20261206 + n)
    names = sample.column(1).to_pylist()
    categories = sample.column(3).to_pylist()  # "Catégorie"
    lon_s = pc.cast(pc.replace_substring(sample.column("Longitude"), ",", "."), pa.float64()).to_numpy()
    lat_s = pc.cast(pc.replace_substring(sample.column("Latitude"), ",", "."), pa.float64()).to_numpy()
    near = rng.integers(0, len(lon_s), n)  # around the sample's fountains (Montpellier), within about 2 km
    lon, lat = lon_s[near] + rng.normal(0, 0.015, n), lat_s[near] + rng.normal(0, 0.01, n)
    away = rng.random(n) < 0.001  # outside the declared area: around Toulouse
    lon[away], lat[away] = rng.uniform(1.3, 1.5, int(away.sum())), rng.uniform(43.55, 43.65, int(away.sum()))
    remark = _pick(rng, ["", "Près de l'aire de jeux", "Hors service l'hiver", "Vérifiée en 2024"], n)
    contact = _pick(rng, ["Signalée par jean.dupont@example.fr", "Riverain : 06 12 34 56 78"], n)
    table = pa.table({
        "Dossier": pa.array(np.arange(1, n + 1)),
        "Nom": _mojibake(_pick(rng, names, n), rng.random(n) < 0.003),
        "BORNE_FONT": pa.array(rng.integers(1, 4, n)),
        "Catégorie": _pick(rng, categories, n),
        "Date_mise_en_service": _french_dates(rng, n, 0.005),
        "Remarques": _replace_where(remark, rng.random(n) < 0.002, contact),
        "Proprietaire": _pick(rng, ["Ville de Montpellier", "M. Martin", "Mme Garcia"], n),
        "Longitude": pc.replace_substring(pc.cast(pa.array(np.round(lon, 5)), pa.string()), ".", ","),
        "Latitude": pc.replace_substring(pc.cast(pa.array(np.round(lat, 5)), pa.string()), ".", ","),
    })  # fmt: skip
    DATA.mkdir(parents=True, exist_ok=True)
    _write_csv(_duplicate_rows(table, rng, 0.001), path)
    return path


def make_pei(n: int) -> Path:
    path = DATA / f"pei_theme_{human(n)}_v{DATA_VERSION}.csv"
    if path.exists():
        return path
    print(f"  generating {path.name} ...", flush=True)
    sys.path.insert(0, str(REPO / "tests" / "data" / "pei"))
    import make_pei_generated as gen
    from pyproj import Transformer

    rng = np.random.default_rng(20261207 + n)
    codes = list(gen.COMMUNES)
    commune = rng.integers(0, len(codes), n)
    lonlat = np.array([gen.COMMUNES[c][1:] for c in codes])
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(lonlat[:, 0], lonlat[:, 1])
    px = np.asarray(x)[commune] + rng.uniform(-400, 400, n)
    py = np.asarray(y)[commune] + rng.uniform(-400, 400, n)
    sea = rng.random(n) < 0.001
    px[sea], py[sea] = 790_000.0, 6_180_000.0  # Golfe du Lion
    kind = rng.integers(0, len(gen.TYPES), n)
    types = [t[0] for t in gen.TYPES]
    type_pei = pc.take(pa.array(types), pa.array(kind))
    type_pei = _replace_where(type_pei, rng.random(n) < 0.001, pa.array(["PX"] * n))
    insee = pc.take(pa.array(codes), pa.array(commune))
    numero = pc.binary_join_element_wise(insee, pc.utf8_lpad(pc.cast(pa.array(np.arange(n)), pa.string()), 6, "0"), ".")
    repeat = np.flatnonzero(rng.random(n) < 0.001)
    take = np.arange(n)
    take[repeat] = np.maximum(repeat - 1, 0)
    numero = pc.take(numero, pa.array(take))
    private = rng.random(n) < 0.0005
    address = pc.binary_join_element_wise(pc.cast(pa.array(rng.integers(1, 120, n)), pa.string()),
                                          _pick(rng, gen.STREETS, n), " ")  # fmt: skip
    address = _replace_where(address, private, pa.array(["Mas des Oliviers, gardien M. Dupont 06 12 34 56 78"] * n))
    table = pa.table({
        "code_insee": _replace_where(insee, rng.random(n) < 0.001, pa.array([""] * n)),
        "numero_sdis": numero,
        "id_gestionnaire": pc.cast(pa.array(np.arange(1000, 1000 + n)), pa.string()),
        "gestionnaire": _pick(rng, ["Veolia Eau", "Régie municipale"], n),
        "type": type_pei,
        "type_rddeci": pc.take(pa.array([t[1] for t in gen.TYPES]), pa.array(kind)),
        "diametre": pc.take(pa.array([str(t[2] or "") for t in gen.TYPES]), pa.array(kind)),
        "debit_1bar": _pick(rng, ["30", "60", "75", "90", "120"], n),
        "pression_dyn": pc.replace_substring(pc.cast(pa.array(np.round(rng.uniform(1.5, 6, n), 1)), pa.string()),
                                             ".", ","),
        "statut": _replace_where(pa.array(["public"] * n), private, pa.array(["privé"] * n)),
        "etablissement": _replace_where(pa.array([""] * n), private, pa.array(["M. Jean Dupont"] * n)),
        "adresse": address,
        "disponibilite": _pick(rng, ["oui"] * 6 + ["non"], n),
        "date_mise_en_service": _french_dates(rng, n, 0.005),
        "date_controle": _french_dates(rng, n, 0.0),
        "X": pc.cast(pa.array(np.round(px, 2)), pa.string()),
        "Y": pc.cast(pa.array(np.round(py, 2)), pa.string()),
    })  # fmt: skip
    DATA.mkdir(parents=True, exist_ok=True)
    _write_csv(table, path, delimiter=";")
    return path


def make_hiking(n: int) -> Path:
    path = DATA / f"hiking_{human(n)}_v{DATA_VERSION}.gpkg"
    if path.exists():
        return path
    print(f"  generating {path.name} ...", flush=True)
    import pyogrio
    import shapely

    sample = json.loads((REPO / "examples" / "hiking" / "cevennes_itineraires.json").read_text(encoding="utf-8"))
    feats = sample["features"]
    rng = np.random.default_rng(20261208 + n)
    template = rng.integers(0, len(feats), n)
    shapes = []
    for f in feats:  # each trail as offsets from its first vertex, at most 30 vertices
        line = shapely.geometry.shape(f["geometry"])
        coords = np.asarray(line.coords)[:, :2]
        keep = np.unique(np.linspace(0, len(coords) - 1, min(30, len(coords))).astype(int))
        shapes.append(coords[keep] - coords[0])
    nverts = np.array([len(s) for s in shapes])[template]
    offsets = np.concatenate([shapes[t] for t in range(len(shapes))])
    starts = np.concatenate([[0], np.cumsum([len(s) for s in shapes])[:-1]])
    idx = np.concatenate([np.arange(k) for k in range(1, 31)])  # vertex index within a line, for every length
    first = np.repeat(starts[template], nverts) + np.concatenate([idx[sum(range(k)) : sum(range(k)) + k] for k in
                                                                  nverts]) if n <= 50_000 else None  # fmt: skip
    if first is None:  # vectorised: position of each vertex within its line
        line_of = np.repeat(np.arange(n), nverts)
        pos = np.arange(int(nverts.sum())) - np.repeat(np.cumsum(nverts) - nverts, nverts)
        first = np.repeat(starts[template], nverts) + pos
    else:
        line_of = np.repeat(np.arange(n), nverts)
    x0, y0 = rng.uniform(1.0, 4.5, n), rng.uniform(42.6, 44.8, n)  # Occitanie
    away = rng.random(n) < 0.001
    x0[away], y0[away] = rng.uniform(-1.5, -1.0, int(away.sum())), rng.uniform(47.0, 47.5, int(away.sum()))
    xy = offsets[first] + np.column_stack([x0, y0])[line_of]
    wkb = shapely.to_wkb(shapely.linestrings(np.round(xy, 6), indices=line_of))
    columns: dict[str, pa.Array] = {}
    for key in feats[0]["properties"]:
        values = [f["properties"].get(key) for f in feats]
        values = [v[:300] if isinstance(v, str) else v for v in values]
        if all(v is None or isinstance(v, (list, dict)) for v in values):
            continue  # arrays (medias): kept out, as a GeoPackage cannot hold them as such
        if all(isinstance(v, (int, float)) or v is None for v in values):
            columns[key] = pc.take(pa.array(values, type=pa.float64()), pa.array(template))
        else:
            columns[key] = pc.take(pa.array([None if v is None else str(v) for v in values]), pa.array(template))
    columns["id_local"] = pc.cast(pa.array(np.arange(1, n + 1)), pa.string())
    columns["nom_itineraire"] = _mojibake(columns["nom_itineraire"], rng.random(n) < 0.003)
    if "date_creation" in columns:
        columns["date_creation"] = _replace_where(columns["date_creation"], rng.random(n) < 0.005,
                                                  _french_dates(rng, n, 1.0))  # fmt: skip
    if "presentation_courte" in columns:
        columns["presentation_courte"] = _replace_where(
            columns["presentation_courte"], rng.random(n) < 0.002,
            pa.array(["Renseignements : pierre.durand@example.fr"] * n),
        )  # fmt: skip
    table = _duplicate_rows(pa.table({**columns, "geometry": pa.array(wkb, type=pa.binary())}), rng, 0.001)
    DATA.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    pyogrio.write_arrow(table, tmp, layer="itineraires", driver="GPKG", geometry_name="geometry",
                        geometry_type="LineString", crs="EPSG:4326")  # fmt: skip
    os.replace(tmp, path)
    return path


THEMES = {
    "water": (make_water, ["--mapping", str(REPO / "examples" / "water" / "fontaines.toml"), "--area", "34"]),
    "pei": (make_pei, ["--area", "occitanie"]),
    "hiking": (make_hiking, ["--area", "occitanie"]),
}
#: what both runs need to read the input (the SDIS export's X/Y are Lambert-93, undeclared)
READ = {"pei": ["--source-crs", "EPSG:2154"]}
#: what the theme runs add: fix what can be fixed, leave out (and list) the features that stay in error
THEME_OPTIONS = ["--fix", "--drop-invalid"]


@dataclass
class Run:
    theme: str
    features: int
    kind: str  # "plain" or "theme"
    seconds: float
    rss_mb: float
    status: str  # "ok", "killed", "failed"


def timed(cmd: list[str], kill_rss_mb: float, timeout: float) -> tuple[float, float, str, str]:
    """Run ``cmd`` under /usr/bin/time, stopping it when its resident memory passes ``kill_rss_mb``."""
    import psutil

    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%e %M", "-o", tf.name, *cmd], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
        peak, killed = 0.0, threading.Event()

        def watch() -> None:
            nonlocal peak
            while proc.poll() is None:
                with contextlib.suppress(psutil.Error):
                    kids = psutil.Process(proc.pid).children(recursive=True)
                    rss = sum(k.memory_info().rss for k in kids) / 2**20
                    peak = max(peak, rss)
                    if rss > kill_rss_mb or time.perf_counter() - start > timeout:
                        killed.set()
                        os.killpg(proc.pid, 9)
                time.sleep(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, err = proc.communicate()
        watcher.join()
        wall = time.perf_counter() - start
        if killed.is_set():
            return wall, peak, "killed", err[-500:]
        if proc.returncode != 0:
            return wall, peak, "failed", err[-1500:]
        fields = tf.read().split()
        return wall, int(fields[-1]) / 1024.0, "ok", ""


def load() -> str:
    """The machine's load while measuring: other engineers share its two cores."""
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min), {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--themes", default=",".join(THEMES))
    ap.add_argument("--sizes", default="100k,1M")
    ap.add_argument("--kill-rss", type=float, default=6000.0, help="MB; stop a run past this (shared machine)")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--keep", action="store_true", help="keep the outputs (in bench/.data/theme-out)")
    ap.add_argument("--no-fail", action="store_true")
    args = ap.parse_args(argv)
    odl = [str(Path(sys.executable).parent / "odl-geo")]
    runs: list[Run] = []
    notes = [load()]
    print(notes[0], flush=True)
    for theme in args.themes.split(","):
        make, options = THEMES[theme]
        for size in [parse_size(s) for s in args.sizes.split(",")]:
            src = make(size)
            with open(src, "rb") as fh:  # warm the page cache: neither run pays for a cold disk
                while fh.read(1 << 24):
                    pass
            for kind in ("plain", "theme"):
                out = DATA / "theme-out" / f"{theme}_{human(size)}_{kind}"
                shutil.rmtree(out, ignore_errors=True)
                cmd = [*odl, "convert", str(src), "--to", FORMATS, "--out", str(out), "-q", *READ.get(theme, [])]
                if kind == "theme":
                    cmd += ["--theme", theme, *options, *THEME_OPTIONS]
                seconds, rss, status, err = timed(cmd, args.kill_rss, args.timeout)
                runs.append(Run(theme, size, kind, round(seconds, 2), round(rss, 1), status))
                print(f"  {theme:<7} {human(size):>5} {kind:<6} {seconds:8.2f} s {rss:8.1f} MB  {status}  "
                      f"[{load()}]", flush=True)  # fmt: skip
                if err and status != "ok":
                    print("    " + err.strip().replace("\n", "\n    "))
                if not args.keep:
                    shutil.rmtree(out, ignore_errors=True)
    notes.append(load())
    print("\n| theme | features | plain s | plain RSS | theme s | theme RSS | ratio | RSS <= 400 MB | <= 1.5x |")
    print("|---|---|---|---|---|---|---|---|---|")
    failed = False
    for theme in args.themes.split(","):
        for size in [parse_size(s) for s in args.sizes.split(",")]:
            p = next(r for r in runs if (r.theme, r.features, r.kind) == (theme, size, "plain"))
            t = next(r for r in runs if (r.theme, r.features, r.kind) == (theme, size, "theme"))
            ratio = t.seconds / p.seconds if p.status == t.status == "ok" else float("nan")
            rss_ok = t.status == "ok" and t.rss_mb <= MAX_RSS_MB
            time_ok = t.status == "ok" and ratio <= MAX_RATIO
            failed |= not (rss_ok and time_ok)
            theme_s = f"{t.seconds:.1f}" if t.status == "ok" else f"{t.status} after {t.seconds:.0f} s"
            print(f"| {theme} | {human(size)} | {p.seconds:.1f} | {p.rss_mb:.0f} MB | {theme_s} | {t.rss_mb:.0f} MB | "
                  f"{ratio:.2f} | {'yes' if rss_ok else 'no'} | {'yes' if time_ok else 'no'} |")  # fmt: skip
    print("\n" + "; ".join(notes))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": [asdict(r) for r in runs], "load": notes}, indent=2) + "\n")
    if any(r.status == "failed" for r in runs):
        return 2
    return 0 if args.no_fail or not failed else 1


if __name__ == "__main__":
    sys.exit(main())
