"""Issue #14, items 5 and 6: outputs and manifest change together or not at all; a stop is a stop.

A full disk is simulated per process with ``RLIMIT_FSIZE`` (writes past the limit fail with EFBIG, as they fail with
ENOSPC on a full disk; SIGXFSZ ignored): every format must end in exit 3 with the output folder as it was, never a
file cut short moved into place. A crash in the middle of the swap is crafted (marker written, old manifest gone,
one file moved) and a later run must finish it; staging folders of dead processes are removed, those of living ones
kept. Ctrl-C and SIGTERM during a conversion exit with 130 and 143, the output folder unchanged.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pytest
from shapely import points

from odl_geo.cli.main import main
from odl_geo.exports import swap

if TYPE_CHECKING:
    from pathlib import Path

ODL_GEO = [sys.executable, "-m", "odl_geo.cli.main"]


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def make_points(path: Path, n: int) -> Path:
    rng = np.random.default_rng(14)
    frame = gpd.GeoDataFrame(
        {"nom": [f"point numéro {i}" for i in range(n)], "valeur": np.arange(n)},
        geometry=points(rng.random(n) + 3, rng.random(n) + 43),
        crs=4326,
    )
    frame.to_file(path, engine="pyogrio")
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_points(tmp_path_factory.mktemp("src") / "points.geojson", 20_000)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_points(tmp_path_factory.mktemp("big") / "big.gpkg", 200_000)


def _small_disk(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("fmt", ["kml", "geojson", "csv", "gpkg", "shp", "fgb", "parquet"])
def test_a_full_disk_is_exit_3_and_nothing_moves(source: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("an earlier file", encoding="utf-8")
    before, src_before = tree(out), tree(source.parent)
    proc = subprocess.run(
        [*ODL_GEO, "convert", str(source), "--to", fmt, "--out", str(out)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: _small_disk(300_000),
        check=False,
    )
    assert proc.returncode == 3, proc.stderr
    assert f"({fmt if fmt != 'parquet' else 'GeoParquet'})" in proc.stderr and "Traceback" not in proc.stderr
    assert tree(out) == before  # no output, no manifest, no staging folder
    assert tree(source.parent) == src_before


def test_a_failing_manifest_write_leaves_the_folder_as_it_was(
    source: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from odl_geo.exports.manifest import Manifest

    out = tmp_path / "out"
    assert main(["convert", str(source), "--to", "geojson", "--out", str(out), "-q"]) == 0
    before = tree(out)

    def full(self: Manifest, folder: Path) -> Path:
        (folder / "manifest.json").write_bytes(b"")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Manifest, "write", full)
    assert main(["convert", str(source), "--to", "geojson,csv", "--out", str(out)]) == 3
    assert "manifest.json failed: No space left on device" in capsys.readouterr().err
    assert tree(out) == before  # the earlier outputs and their manifest, untouched; no new csv


def test_a_swap_cut_by_a_crash_is_finished_by_the_next_run(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["convert", str(source), "--to", "geojson", "--out", str(out), "-q"]) == 0
    # what `kill -9` in the middle of Staging.commit leaves: the marker, no manifest, one new file moved
    staged = swap.Staging(out)
    for name in ("a.geojson", "b.csv"):
        (staged.path / name).write_text(f"new {name}", encoding="utf-8")
    (staged.path / "manifest.json").write_text(json.dumps({"files": [{"path": "a.geojson"}, {"path": "b.csv"}]}))
    (out / swap.MARKER).write_text(json.dumps({"staging": staged.path.name, "files": ["a.geojson", "b.csv"]}))
    (out / "manifest.json").unlink()
    os.replace(staged.path / "a.geojson", out / "a.geojson")
    staged._lock.close()  # the process died: the kernel released its lock
    staged._lock = None
    notes = swap.recover(out)
    assert any("finished an interrupted swap" in n for n in notes)
    assert (out / "b.csv").read_text(encoding="utf-8") == "new b.csv"
    assert json.loads((out / "manifest.json").read_text())["files"][1]["path"] == "b.csv"
    assert not (out / swap.MARKER).exists() and not list(out.glob(".odl-geo-staging-*"))


def test_stale_staging_folders_are_removed_living_ones_kept(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale = out / ".odl-geo-staging-deadbeef"
    stale.mkdir()
    (stale / "big.gpkg").write_bytes(b"\0" * 1_000_000)
    (stale / ".lock").write_bytes(b"")
    living = out / ".odl-geo-staging-alive"
    living.mkdir()
    with (living / ".lock").open("wb") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # another conversion into the same folder, running now
        code = subprocess.run([*ODL_GEO, "convert", str(source), "--to", "csv", "--out", str(out), "-q"],
                              check=False).returncode  # fmt: skip
    assert code == 0
    assert not stale.exists() and living.is_dir()
    assert (out / "points.csv").is_file()


def test_kill_9_at_any_moment_never_leaves_a_manifest_lying(source: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    for delay in (0.5, 1.5, 3.0):
        proc = subprocess.Popen([*ODL_GEO, "convert", str(source), "--to", "gpkg,geojson,kml", "--out", str(out),
                                 "-q"])  # fmt: skip
        time.sleep(delay)
        proc.kill()
        proc.wait()
        manifest = out / "manifest.json"
        if manifest.is_file():  # whatever the manifest lists is there, whole
            for f in json.loads(manifest.read_text(encoding="utf-8"))["files"]:
                assert hashlib.sha256((out / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    assert subprocess.run([*ODL_GEO, "convert", str(source), "--to", "csv", "--out", str(out), "-q"],
                          check=False).returncode == 0  # fmt: skip
    assert not list(out.glob(".odl-geo-staging-*")) and not (out / swap.MARKER).exists()


@pytest.mark.parametrize(("sig", "code", "words"), [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143,
                         "terminated (SIGTERM)")])  # fmt: skip
def test_ctrl_c_and_sigterm_during_a_conversion(big: Path, tmp_path: Path, sig: int, code: int, words: str) -> None:
    src = big
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("x", encoding="utf-8")
    before = tree(out)
    # the command must hear Ctrl-C: a test run started in the background of a script ignores SIGINT, and a child
    # inherits an ignored signal, while a caught one (Python's own handler) is the default again in the child
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen([*ODL_GEO, "convert", str(src), "--to", "geojson,kml", "--out", str(out)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 60
    while not list(out.glob(".odl-geo-staging-*/*.geojson")) and time.monotonic() < deadline:
        time.sleep(0.05)  # stop it while it writes
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == code, err
    assert words in err and "check free disk space" not in err.lower() and "Traceback" not in err
    assert tree(out) == before
