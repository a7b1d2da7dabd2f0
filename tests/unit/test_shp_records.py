"""Issue 16: the Shapefile pre-checks read a regular slice of point records in place (one read, a record array)
instead of gathering each record's bytes. Each fast path must find exactly what the general path finds."""

from __future__ import annotations

import struct
import subprocess
import sys
from typing import TYPE_CHECKING

import numpy as np
import pytest

from odl_geo.normalise import scan
from odl_geo.sources import nonfinite, shapefile, shp_records
from tests.unit import crafted
from tests.unit.test_damaged_shapefiles import CASES, healthy

if TYPE_CHECKING:
    from pathlib import Path


def _never_regular(*_args: object) -> None:
    return None


def test_nan_scan_in_place_finds_the_same_records(tmp_path: Path, monkeypatch) -> None:
    nan, inf = float("nan"), float("inf")
    pts = [(700_000.0 + i, 6_300_000.0) for i in range(20)]
    pts[0], pts[7], pts[19] = (nan, 6_300_000.0), (700_000.0, -inf), (inf, nan)
    shp = crafted.point_shapefile(tmp_path / "pts.shp", pts)
    shx = shp.with_suffix(".shx")
    monkeypatch.setattr(nonfinite, "_CHUNK", 6)  # slices of 6 records: the NaNs fall in different slices
    fast = nonfinite.nonfinite_points(shp, shx)
    monkeypatch.setattr(nonfinite, "regular_records", _never_regular)
    general = nonfinite.nonfinite_points(shp, shx)
    assert fast.tolist() == general.tolist() == [0, 7, 19]


@pytest.mark.parametrize("case", ["healthy", "truncated-shp", "shx-wrong-offsets"])
def test_integrity_check_in_place_counts_the_same(tmp_path: Path, monkeypatch, case: str) -> None:
    shp = healthy(tmp_path)
    if case != "healthy":
        CASES[case][0](shp)
    parts = shapefile.find_parts(shp, "pts")
    monkeypatch.setattr(shapefile, "_SLICE", 7)
    fast = [(i.code, i.message) for i in shapefile.check_integrity(parts, "pts")]
    monkeypatch.setattr(shp_records, "regular_records", _never_regular)
    general = [(i.code, i.message) for i in shapefile.check_integrity(parts, "pts")]
    assert fast == general
    assert (fast[0][0] if fast else "") == ("" if case == "healthy" else CASES[case][1])


def test_a_wrong_record_number_is_found_in_place(tmp_path: Path, monkeypatch) -> None:
    """A regular file whose record headers lie (number 5 written twice) is no shortcut past the check."""
    shp = healthy(tmp_path)
    data = bytearray(shp.read_bytes())
    data[100 + 28 * 5 : 100 + 28 * 5 + 4] = struct.pack(">i", 5)  # record 6 says it is record 5
    shp.write_bytes(bytes(data))
    parts = shapefile.find_parts(shp, "pts")
    fast = [(i.code, i.message) for i in shapefile.check_integrity(parts, "pts")]
    monkeypatch.setattr(shp_records, "regular_records", _never_regular)
    assert fast == [(i.code, i.message) for i in shapefile.check_integrity(parts, "pts")]
    assert fast and fast[0][0] == "SHX_OFFSETS_WRONG"


@pytest.mark.parametrize("damage", ["none", "type", "length"])
def test_point_scan_in_place_counts_the_same(tmp_path: Path, damage: str) -> None:
    """The type scan's point chunk read in place accepts and refuses exactly what the general path does."""
    shp = crafted.point_shapefile(tmp_path / "pts.shp", [(700_000.0 + i, 6_300_000.0) for i in range(9)])
    data = bytearray(shp.read_bytes()[100:])
    if damage == "type":
        data[28 * 4 + 8 : 28 * 4 + 12] = struct.pack("<i", 8)  # a multipoint among points
    elif damage == "length":
        data[28 * 4 + 4 : 28 * 4 + 8] = struct.pack(">i", 12)
    buf = np.frombuffer(bytes(data), dtype=np.uint8)
    start, size = np.arange(9, dtype=np.int64) * 28, np.full(9, 20, dtype=np.int64)
    results = []
    for b in (buf, np.append(buf, np.uint8(0))):  # a trailing byte: the general path
        found, counts = scan.GeometryScan(), {"single": 0, "multi": 0}
        results.append((scan._scan_chunk(b, start, size, 1, found, counts), counts["single"], found.nulls))
    assert results[0] == results[1]
    assert results[0][0] is (damage == "none")


def test_plain_convert_process_does_not_import_pandas(tmp_path: Path) -> None:
    """The plain ``convert`` command imports GDAL's bindings without pandas (issue 16: -28 MB); a later
    ``import pandas`` in that process still works."""
    src = crafted.point_shapefile(tmp_path / "pts.shp", [(700_000.0 + i, 6_300_000.0) for i in range(5)])
    code = (
        "import sys\n"
        "from odl_geo.cli.main import main\n"
        f"rc = main(['convert', {str(src)!r}, '--to', 'gpkg,geojson', '--out', {str(tmp_path / 'out')!r}, '-q'])\n"
        "assert rc == 0, rc\n"
        "print('pandas' in sys.modules, 'geopandas' in sys.modules)\n"
        "import pandas\n"
        "print(pandas.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "pandas"]
    assert (tmp_path / "out" / "pts.gpkg").stat().st_size > 0
