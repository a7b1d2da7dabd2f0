"""Byte mutations of Shapefile, GeoJSON and CSV sources never crash odl-geo (issue #14): whatever the bytes, the
conversion exits with a documented code (0, 2 or 3; never 1 "internal error", never a traceback), the source stays
byte for byte as it was, and the output folder holds either a complete conversion (every file the manifest lists,
with the size it gives) or nothing.

Hypothesis drives the mutations (flip, overwrite, insert, delete, cut), derandomised and without an example
database, so every run (and CI) tries the same inputs; ``max_examples`` keeps it to about a minute. The CLI runs in
this process through ``main(argv)``.
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odl_geo.cli.main import main
from tests.unit import crafted

#: the exit codes docs/errors.md gives to a conversion's outcomes (7: only jobs; 130: interruptions)
DOCUMENTED = {0, 2, 3}
FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _shapefile(folder: Path) -> Path:
    pts = [(700_000.0 + 250 * i, 6_300_000.0 + 125 * i) for i in range(12)]
    return crafted.point_shapefile(folder / "pei.shp", pts, [f"Poteau n°{i} rue de l'Église" for i in range(12)])


def _geojson(folder: Path) -> Path:
    return crafted.geojson_points(folder / "pts.geojson", [f"{3.85 + i / 1000:.4f}, {43.6 + i / 1000:.4f}"
                                                            for i in range(12)])  # fmt: skip


def _csv(folder: Path) -> Path:
    return crafted.fountains_csv(folder / "fontaines.csv", 12)


SEEDS = {"shapefile": (_shapefile, (".shp", ".shx", ".dbf")), "geojson": (_geojson, (".geojson",)),
         "csv": (_csv, (".csv",))}  # fmt: skip

mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(0, 7)),
    st.tuples(st.just("overwrite"), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 64)),
    st.tuples(st.just("cut"), st.floats(0, 1), st.just(0)),
)


def _mutate(data: bytes, ops: list[tuple[str, float, object]]) -> bytes:
    buf = bytearray(data)
    for kind, where, arg in ops:
        at = min(int(where * len(buf)), max(len(buf) - 1, 0))
        if kind == "flip" and buf:
            buf[at] ^= 1 << int(arg)  # type: ignore[call-overload]
        elif kind == "overwrite":
            buf[at : at + len(arg)] = arg  # type: ignore[arg-type]
        elif kind == "insert":
            buf[at:at] = arg  # type: ignore[index]
        elif kind == "delete":
            del buf[at : at + int(arg)]  # type: ignore[call-overload]
        elif kind == "cut":
            del buf[at:]
    return bytes(buf)


def _convert(src: Path, out: Path) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["convert", str(src), "--to", "gpkg,geojson,csv,kml", "--out", str(out), "-q"])
    return code, err.getvalue()


def _assert_complete_or_nothing(out: Path, code: int, err: str) -> None:
    written = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if code != 0:
        assert written == [], f"exit {code} but outputs left: {written}\n{err}"
        return
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(written) == {*listed, "manifest.json"}, (written, sorted(listed))
    for name, entry in listed.items():
        assert (out / name).stat().st_size == entry["size"], name


@pytest.mark.parametrize("seed", SEEDS)
@FUZZ
@given(target=st.integers(0, 2), ops=st.lists(mutation, min_size=1, max_size=4))
def test_mutated_sources_never_crash_nor_leave_partial_outputs(seed, target, ops):
    make, parts = SEEDS[seed]
    with tempfile.TemporaryDirectory(prefix="odl-fuzz-") as tmp:
        src_dir = Path(tmp) / "src"
        src_dir.mkdir()
        src = make(src_dir)
        victim = src.with_suffix(parts[target % len(parts)])
        victim.write_bytes(_mutate(victim.read_bytes(), ops))
        before = crafted.sha256_tree(src_dir)
        out = Path(tmp) / "out"
        code, err = _convert(src, out)
        assert code in DOCUMENTED, f"exit {code}: {err}"
        assert "Traceback" not in err and "internal error" not in err, err
        assert crafted.sha256_tree(src_dir) == before, "the source was modified"
        _assert_complete_or_nothing(out, code, err)
