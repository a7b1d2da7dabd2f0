"""Benchmark: publishing to a real local udata (data.gouv.fr's software) — memory of big uploads, re-run cost.

Starts the udata test server (``tests/server/datagouv/udata_server.py`` in ``.venv-udata``, made by
``scripts/setup_udata.sh``), then:

1. publishes an output folder holding one 200 MiB file (a generated CSV) through udata's chunked upload
   protocol, in a separate process calling the library, whose own peak RSS (``ru_maxrss``) is printed: target
   <= 150 MB; then the same through the ``odl-geo`` command line (same target);
2. publishes a folder of 10 files (the real hiking/water/flood outputs converted by odl-geo), then publishes
   it again unchanged: the second run must upload 0 bytes (counted by the client and by the server's
   request log).

Usage::

    .venv/bin/python bench/datagouv.py                 # 200 MB, chunks of 8 MiB
    .venv/bin/python bench/datagouv.py --size-mb 50 --chunk-mb 4

Exit status 0 when both targets pass (or with ``--no-fail``), 1 otherwise, 2 on a broken run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this tree's odl_geo (the children re-run this file), not the venv's
UDATA_PYTHON = REPO / ".venv-udata" / "bin" / "python"
SERVER = REPO / "tests" / "server" / "datagouv" / "udata_server.py"
SHARED = Path(os.environ.get("ODL_SHARED_DATA", REPO.parent / "shared" / "data"))
RSS_TARGET_MB = 150


def start_server(work: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    if not UDATA_PYTHON.exists():
        sys.exit(f"{UDATA_PYTHON} is missing: run scripts/setup_udata.sh")
    proc = subprocess.Popen(
        [
            str(UDATA_PYTHON),
            str(SERVER),
            "--port",
            "0",
            "--print-token",
            "--data-dir",
            str(work / "udata"),
            "--request-log",
            str(work / "requests.jsonl"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    info: dict[str, str] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("READY"):
            return proc, info
        key, _, value = line.strip().partition("=")
        info[key] = value
    sys.exit("udata server did not start")


def make_big_folder(folder: Path, size_mb: int) -> Path:
    """A folder with one ``size_mb`` MB CSV and its manifest, written 1 MiB at a time (never in memory)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "big.csv"
    target = size_mb * 1024 * 1024
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,commune,longitude,latitude,valeur\n")
        n = 0
        while fh.tell() < target:
            rows = [f"{i},Montpellier,{3.8 + (i % 1000) / 10000:.5f},{43.6 + (i % 777) / 10000:.5f},{i * 7 % 1013}\n"
                    for i in range(n, n + 20000)]  # fmt: skip
            fh.write("".join(rows))
            n += 20000
    manifest = {
        "odl_geo_version": "bench",
        "source": {"name": "big.csv", "layers": ["big"]},
        "files": [{"path": "big.csv", "format": "csv", "layer": "big", "crs": "EPSG:4326",
                   "feature_count": n, "geometry_type": "Point", "size": path.stat().st_size}],
        "report": {"issues": []},
    }  # fmt: skip
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return path


def make_ten_folder(folder: Path) -> int:
    """10 real outputs of odl-geo (hiking, water and flood conversions) in one folder with a merged manifest."""
    from odl_geo.conversion import ConvertOptions, convert

    themes = [
        ("hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", ConvertOptions(decode_html=True),
         ["gpkg", "geojson", "shp"]),
        ("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", ConvertOptions(),
         ["gpkg", "geojson", "shp", "csv"]),
        ("flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip", ConvertOptions(), ["csv"]),
    ]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    for n, (rel, opts, formats) in enumerate(themes):
        conv = folder.parent / f"conv{n}"
        manifest = convert(SHARED / rel, conv, formats, options=opts)
        for f in manifest.to_dict()["files"]:
            files.setdefault(f["path"], f)
            shutil.copy2(conv / f["path"], folder / f["path"])
    assert len(files) == 10, sorted(files)
    merged = {"odl_geo_version": "bench", "source": {"name": "ten-files"}, "files": list(files.values())}
    (folder / "manifest.json").write_text(json.dumps({**merged, "report": {"issues": []}}))
    return len(files)


def child_publish(folder: str, site: str, org: str, key: str, chunk: int) -> None:
    """Runs in its own process: publish, then print JSON with this process's peak RSS."""
    from odl_geo.credentials import Credentials
    from odl_geo.http import RequestsTransport
    from odl_geo.publishers.datagouv import DatagouvClient, PublishOptions, publish_outputs

    t0 = time.perf_counter()
    client = DatagouvClient(site, Credentials(api_key=key), RequestsTransport(timeout=(10, 600)))
    options = PublishOptions(organization=org, dataset_key="bench-" + Path(folder).name, chunk_size=chunk)
    result = publish_outputs(folder, client, options)
    print(json.dumps({
        "seconds": round(time.perf_counter() - t0, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "bytes_uploaded": client.bytes_sent,
        "counts": result.counts(),
    }))  # fmt: skip


def child_cli(argv: list[str]) -> None:
    """Runs in its own process: the ``odl-geo`` command line, then its peak RSS as JSON."""
    from odl_geo.cli.main import main as cli_main

    t0 = time.perf_counter()
    code = cli_main(argv)
    seconds = round(time.perf_counter() - t0, 2)
    rss = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps({"code": code, "seconds": seconds, "peak_rss_mb": rss}))


def run_cli(folder: Path, info: dict[str, str], chunk: int) -> dict:
    site = info["BASE_URL"].removesuffix("/api/1")
    argv = ["publish", "datagouv", str(folder), "--org", info["ORG_ID"], "--url", site, "--quiet"]
    argv += ["--dataset-key", "bench-cli", "--chunk-size", str(chunk)]
    env = {**os.environ, "ODL_DATAGOUV_API_KEY": info["API_KEY"]}
    out = subprocess.run(
        [sys.executable, __file__, "--child-cli", *argv], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        sys.exit(2)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(folder: Path, info: dict[str, str], chunk: int) -> dict:
    site = info["BASE_URL"].removesuffix("/api/1")
    env = {**os.environ, "ODL_BENCH_KEY": info["API_KEY"]}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(folder), site, info["ORG_ID"], str(chunk)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        sys.exit(2)
    return json.loads(out.stdout.strip().splitlines()[-1])


def uploads_logged(work: Path, since: int) -> tuple[int, list[dict]]:
    log = work / "requests.jsonl"
    lines = log.read_text().splitlines() if log.exists() else []
    entries = [json.loads(x) for x in lines[since:]]
    return len(lines), [e for e in entries if e["method"] == "POST" and e["path"].endswith("/upload/")]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-cli":
        child_cli(sys.argv[2:])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        folder, site, org, chunk = sys.argv[2:6]
        child_publish(folder, site, org, os.environ["ODL_BENCH_KEY"], int(chunk))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size-mb", type=int, default=200)
    ap.add_argument("--chunk-mb", type=int, default=8)
    ap.add_argument("--no-fail", action="store_true")
    args = ap.parse_args()
    chunk = args.chunk_mb * 1024 * 1024
    work = Path(tempfile.mkdtemp(prefix="odl-bench-datagouv-"))
    proc, info = start_server(work)
    ok = True
    try:
        big = make_big_folder(work / "big", args.size_mb)
        size = big.stat().st_size
        print(f"1. one {size / 2**20:.0f} MiB file in chunks of {args.chunk_mb} MiB to udata 17.18 (local, mongomock)")
        mark, _ = uploads_logged(work, 0)
        r = run_child(work / "big", info, chunk)
        _, ups = uploads_logged(work, mark)
        rss_ok = r["peak_rss_mb"] <= RSS_TARGET_MB
        ok &= rss_ok
        print(f"   {len(ups)} upload requests, {r['bytes_uploaded']} bytes sent, {r['seconds']} s "
              f"({size / 1e6 / r['seconds']:.1f} MB/s)")  # fmt: skip
        print(f"   peak RSS of the publishing process: {r['peak_rss_mb']} MB "
              f"(target <= {RSS_TARGET_MB} MB: {'PASS' if rss_ok else 'FAIL'})")  # fmt: skip
        shutil.rmtree(work / "udata" / "fs" / "chunks", ignore_errors=True)
        c = run_cli(work / "big", info, chunk)
        print(f"   same upload through the `odl-geo publish datagouv` command: peak RSS {c['peak_rss_mb']} MB, "
              f"{c['seconds']} s (target <= 150 MB: {'PASS' if c['peak_rss_mb'] <= 150 else 'FAIL'})")  # fmt: skip
        shutil.rmtree(work / "udata" / "fs" / "resources", ignore_errors=True)

        ten = work / "ten"
        n = make_ten_folder(ten)
        first = run_child(ten, info, chunk)
        mark, _ = uploads_logged(work, 0)
        second = run_child(ten, info, chunk)
        _, ups = uploads_logged(work, mark)
        zero_ok = second["bytes_uploaded"] == 0 and not ups
        ok &= zero_ok
        print(f"2. a {n}-resource dataset: first run {first['counts']}, {first['bytes_uploaded']} bytes, "
              f"{first['seconds']} s")  # fmt: skip
        print(f"   re-run unchanged: {second['counts']}, {second['bytes_uploaded']} bytes uploaded, "
              f"{len(ups)} upload requests seen by the server, {second['seconds']} s "
              f"(target 0 bytes: {'PASS' if zero_ok else 'FAIL'})")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok or args.no_fail else 1


if __name__ == "__main__":
    sys.exit(main())
