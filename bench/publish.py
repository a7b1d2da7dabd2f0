"""Benchmark: first publish vs re-publish of an unchanged 20-layer set on the GeoServer REST **test double**.

Generates 20 point layers (seeded, Lambert-93, 2,000 features each) spread over GeoPackages in two layouts, the
two extremes of "requests per layer": 20 layers in one GeoPackage (one store), and 20 GeoPackages of one layer
(20 stores). Starts the double (``tests/server/geoserver_double``) in its own process, publishes each layout
twice with a style, and prints requests, bytes sent and wall time of each run.

Targets (issue 5): the re-publish sends no file body and at most 2 requests per layer.

Usage::

    .venv/bin/python bench/publish.py            # both layouts
    .venv/bin/python bench/publish.py --features 20000

Exit status: 0 when every target passes, 1 when one fails.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pyogrio
from shapely import points

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this tree's odl_geo, not whichever one the venv has installed

from _support import start_double as start_geoserver_double  # noqa: E402

from odl_geo.credentials import Credentials  # noqa: E402
from odl_geo.http import RequestsTransport  # noqa: E402
from odl_geo.publishers.geoserver import (  # noqa: E402
    GeoServerClient,
    PublishOptions,
    PublishPlan,
    plan_publication,
    publish_plan,
)

if TYPE_CHECKING:
    import subprocess

N_LAYERS = 20
MAX_REQUESTS_PER_LAYER = 2
STYLE = REPO / "tests" / "server" / "geoserver" / "data" / "polygon.se.sld"


def make_layers(folder: Path, layout: str, features: int) -> list[Path]:
    rng = np.random.default_rng(5)
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": "2026-01-01T00:00:00Z"})
    files: list[Path] = []
    for i in range(N_LAYERS):
        x = rng.uniform(700_000, 800_000, features)
        y = rng.uniform(6_250_000, 6_350_000, features)
        gdf = gpd.GeoDataFrame({"nom": [f"Point {i}-{k} é" for k in range(features)], "valeur": rng.integers(0, 100,
                               features)}, geometry=points(x, y), crs="EPSG:2154")  # fmt: skip
        path = folder / ("jeu_20_couches.gpkg" if layout == "one-store" else f"jeu_{i:02d}.gpkg")
        gdf.to_file(path, layer=f"couche_{i:02d}", driver="GPKG", append=path.exists())
        if path not in files:
            files.append(path)
    return files


def start_double(workdir: Path) -> tuple[subprocess.Popen, str, Credentials]:
    password = secrets.token_hex(12)
    proc, url = start_geoserver_double(workdir, password)
    return proc, url, Credentials("admin", password)


def run(url: str, creds: Credentials, plan: PublishPlan) -> tuple[int, int, int, float, set[str]]:
    client = GeoServerClient(url, creds, RequestsTransport())
    t0 = time.perf_counter()
    result = publish_plan(plan, client)
    outcomes = {str(o.outcome) for o in result.outcomes}
    return result.requests, result.bytes_sent, result.file_bytes, time.perf_counter() - t0, outcomes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--features", type=int, default=2000, help="features per layer (default 2000)")
    args = ap.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="odl-bench-publish-") as tmp:
        proc, url, creds = start_double(Path(tmp) / "double")
        try:
            print(f"GeoServer test double at {url}; {N_LAYERS} layers of {args.features} points\n")
            head = ("layout", "run", "requests", "req/layer", "bytes sent", "file bytes", "time s")
            print("{:<11} {:<11} {:>8} {:>9} {:>11} {:>11} {:>7}  outcomes".format(*head))
            for layout in ("one-store", "20-stores"):
                folder = Path(tmp) / layout
                folder.mkdir()
                files = make_layers(folder, layout, args.features)
                stores = tuple(
                    s for f in files for s in plan_publication(f, "bench", PublishOptions(style=STYLE)).stores
                )
                plan = PublishPlan(f"bench_{layout.replace('-', '_')}", stores)
                assert len(plan.layers) == N_LAYERS
                for label in ("first", "re-publish"):
                    n, sent, files, secs, outcomes = run(url, creds, plan)
                    print(
                        f"{layout:<11} {label:<11} {n:>8} {n / N_LAYERS:>9.2f} {sent:>11} {files:>11} {secs:>7.3f}  "
                        f"{','.join(sorted(outcomes))}"
                    )  # fmt: skip
                    if label == "re-publish":
                        passed = files == 0 and n <= MAX_REQUESTS_PER_LAYER * N_LAYERS and outcomes == {"unchanged"}
                        ok = ok and passed
                        if not passed:
                            print(f"  FAILED: re-publish must send 0 bytes and <= {MAX_REQUESTS_PER_LAYER} req/layer")
        finally:
            proc.terminate()
            proc.wait(10)
    print("\nall targets met" if ok else "\nSOME TARGET FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
