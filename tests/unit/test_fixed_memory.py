"""What a process holds besides its data (issue 16: a theme run's fixed memory comes out of the chunk's budget).

Memory itself is measured by ``bench/theme.py`` and ``docs/performance.md``, never here: these tests pin the means
(which modules a command imports, the compact tables, the lean outline grid) with assertions that can fail.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

from odl_geo.checks import outlines
from odl_geo.checks.communes import Commune, CommuneTable, _data, communes

REPO = Path(__file__).resolve().parents[2]
WATER = REPO / "examples" / "water"


def test_commune_table_answers_as_the_file_says():
    lines = gzip.decompress(_data("communes.tsv.gz")).decode("utf-8").splitlines()[1:]
    table = communes()
    assert isinstance(table, CommuneTable) and len(table) == len(lines) > 35_000
    rows = [Commune(*line.split("\t")) for line in lines]
    assert list(table.values()) == rows  # every field of every row, in the file's order
    assert [code for code, _row in table.items()] == list(table) == [r.code for r in rows]
    for row in rows[:: len(rows) // 200] + rows[-3:]:
        assert row.code in table and table[row.code] == row and table.get(row.code) == row
    assert table["34172"].nom == "Montpellier" and table["2A004"].nom == "Ajaccio"
    delegated = next(r for r in rows if r.kind == "D")
    assert table[delegated.code].parent == delegated.parent != ""


@pytest.mark.parametrize("key", ["", "3417", "34172.0", " 34172", "99999", "2a004", "ZZZZZ", "éééé", None, 34172])
def test_commune_table_refuses_what_is_not_a_code(key):
    table = communes()
    assert key not in table and table.get(key) is None
    with pytest.raises(KeyError):
        table[key]


def test_commune_table_needs_sorted_codes():
    with pytest.raises(ValueError, match="sorted"):
        CommuneTable([b"34172\tMontpellier\t34\t76\tA\t", b"01001\tL'Abergement\t01\t84\tA\t"])


def _rasterise_wide(polygon: shapely.Geometry, x0: float, y0: float, cell: float) -> np.ndarray:
    """The outline grid as it was computed before (int64 counts, np.where): the reference of the lean one."""
    x1, y1 = (float(v) for v in shapely.bounds(polygon)[2:])
    cols = int(np.ceil((x1 - x0) / cell)) + 1
    rows = int(np.ceil((y1 - y0) / cell)) + 1
    rings = shapely.get_rings(shapely.get_parts(polygon))
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    ax, ay = coords[:-1][same, 0], coords[:-1][same, 1]
    bx, by = coords[1:][same, 0], coords[1:][same, 1]
    lo = np.ceil((np.minimum(ay, by) - y0) / cell).astype(np.int64)
    hi = np.ceil((np.maximum(ay, by) - y0) / cell).astype(np.int64)
    k = np.clip(hi - lo, 0, None)
    edge = np.repeat(np.arange(k.size), k)
    j = lo[edge] + np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
    yj = y0 + j * cell
    xc = ax[edge] + (yj - ay[edge]) * (bx[edge] - ax[edge]) / (by[edge] - ay[edge])
    i = np.clip(np.floor((xc - x0) / cell).astype(np.int64) + 1, 0, cols + 1)
    keep = (j >= 0) & (j <= rows)
    flips = np.bincount(j[keep] * (cols + 2) + i[keep], minlength=(rows + 1) * (cols + 2)) & 1
    corners = np.bitwise_xor.accumulate(flips.astype(np.uint8).reshape(rows + 1, cols + 2), axis=1)[:, : cols + 1]
    total = corners[:-1, :-1] + corners[1:, :-1] + corners[:-1, 1:] + corners[1:, 1:]
    return np.where(total == 4, 1, np.where(total == 0, 0, 2)).astype(np.int8)


@pytest.mark.parametrize(
    ("level", "codes", "epsg"),
    [("pays", outlines.FRANCE, 4326), ("pays", outlines.FRANCE, 2154), ("departement", ("34", "2A", "973"), 4326)],
)
def test_lean_outline_grid_is_the_wide_one(level, codes, epsg):
    from pyproj import CRS

    crs = CRS.from_epsg(epsg)
    found = 0
    for source, geom in outlines._buffered(level, codes):
        polygon = outlines._project(geom, source, crs)
        if polygon is None or polygon.is_empty:
            continue
        x0, y0, x1, y1 = (float(v) for v in shapely.bounds(polygon))
        cell = max((x1 - x0) / outlines.GRID, (y1 - y0) / outlines.GRID, 0.0025 if crs.is_geographic else 250.0)
        lean, wide = outlines._rasterise(polygon, x0, y0, cell), _rasterise_wide(polygon, x0, y0, cell)
        assert lean.dtype == np.int8 and lean.shape == wide.shape and np.array_equal(lean, wide)
        assert {0, 1, 2} <= set(np.unique(lean).tolist())
        found += 1
    assert found >= 2


_PROBE = """
import json, sys
from odl_geo.cli.main import main
code = main(sys.argv[1:])
watched = ("matplotlib", "PIL", "frictionless", "jsonschema", "pandas", "geopandas", "requests",
           "odl_geo.metadata.write")
print(json.dumps({"code": code, "loaded": [m for m in watched if m in sys.modules]}))
"""


def _modules_after(tmp_path: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=600
    )
    assert done.stdout.strip(), done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_plain_conversion_imports_no_report_or_validation_machinery(tmp_path):
    src = tmp_path / "fontaines.csv"
    shutil.copy(WATER / "VilleMTP_MTP_Fontaines.csv", src)
    out = tmp_path / "out"
    got = _modules_after(tmp_path, "convert", str(src), "--to", "gpkg,geojson,csv", "--out", str(out), "-q")
    assert got["code"] == 0 and (out / "fontaines.gpkg").is_file()
    assert got["loaded"] == []  # not matplotlib (the report's map), frictionless, jsonschema, pandas, requests


def test_theme_run_draws_its_map_with_matplotlib_imported_late(tmp_path, monkeypatch):
    """The counterpart: a theme run does import them (so the probe above can see them), and writes its map.

    Its map drawn by the run's own process: on a machine with a free second core a forked child may draw it
    (``odl_geo.theme.report_maps``), and matplotlib is then imported by that child, which the probe cannot see."""
    monkeypatch.setenv("ODL_GEO_FORK_MAPS", "0")
    src = tmp_path / "fontaines.csv"
    shutil.copy(WATER / "VilleMTP_MTP_Fontaines.csv", src)
    out = tmp_path / "out"
    args = ["convert", str(src), "--theme", "water", "--mapping", str(WATER / "fontaines.toml"), "--area", "34"]
    got = _modules_after(tmp_path, *args, "--to", "gpkg", "--out", str(out), "-q")
    assert got["code"] == 0
    loaded = got["loaded"]
    assert isinstance(loaded, list) and {"matplotlib", "frictionless", "pandas"} <= set(loaded)
    assert "requests" not in loaded  # the HTTP stack is for publishing
    assert "odl_geo.metadata.write" not in loaded  # no metadata.toml: no ISO/DCAT encoders
    assert 'src="data:image/png;base64,' in (out / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("modules", "heavy"),
    [
        ("odl_geo.reports, odl_geo.reports.labels", "matplotlib"),
        ("odl_geo.metadata.inputs", "lxml"),
        ("odl_geo.publishers.datagouv.endpoints, odl_geo.publishers.datagouv._errors", "requests"),
        ("odl_geo.cli.secrets, odl_geo.cli.publish_datagouv", "requests"),  # every command registers it
    ],
)
def test_light_modules_do_not_import_heavy_ones(modules, heavy):
    code = f"import sys, {modules}; print({heavy!r} in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert done.stdout.strip() == "False"


def test_lazy_packages_still_give_every_name():
    import odl_geo.metadata
    import odl_geo.publishers.datagouv

    for package in (odl_geo.metadata, odl_geo.publishers.datagouv):
        assert all(getattr(package, name) is not None for name in package.__all__)
        assert set(package.__all__) <= set(dir(package))
        with pytest.raises(AttributeError):
            package.no_such_name  # noqa: B018


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator: Linux only")
def test_command_line_allocator_settings_take_effect():
    """glibc is found and accepts both settings (mallopt answers 1): the arena limit and the fixed mmap threshold;
    without them the command line would silently keep glibc's defaults and the memory they cost."""
    code = "from odl_geo.memory import limit_arenas; print(limit_arenas(), limit_arenas(2, None))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300)
    assert done.stdout.split() == ["True", "True"]
