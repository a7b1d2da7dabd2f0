"""Issue #14, item 2: a damaged Shapefile never converts with data silently missing.

Each set is written healthy by GDAL in the test, then damaged the way the probe found them: a truncated .shp, a .shx
with wrong offsets, a .dbf whose header lies about its field lengths, a .dbf declaring more records than it holds, a
.dbf with more records than the .shp has shapes. Whatever was in the source and would not be in the outputs is an
error (exit 2, nothing written, the source untouched) unless ``--accept-loss`` is given (then a counted warning).
"""

from __future__ import annotations

import hashlib
import json
import struct
from typing import TYPE_CHECKING

import geopandas as gpd
import pytest
from shapely.geometry import Point

from odl_geo.cli.main import main

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

N = 1000


def healthy(folder: Path, n: int = N, name: str = "pts") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(
        {"nom": [f"point {i}" for i in range(n)], "valeur": list(range(n))},
        geometry=[Point(700_000 + i, 6_600_000 + i) for i in range(n)],
        crs=2154,
    )
    path = folder / f"{name}.shp"
    frame.to_file(path, engine="pyogrio")
    return path


def truncate_shp(shp: Path) -> None:
    data = shp.read_bytes()
    shp.write_bytes(data[: len(data) // 2])


def shift_shx_offsets(shp: Path) -> None:
    shx = shp.with_suffix(".shx")
    data = bytearray(shx.read_bytes())
    for i in range(10, (len(data) - 100) // 8):
        at = 100 + 8 * i
        data[at : at + 4] = struct.pack(">i", struct.unpack(">i", data[at : at + 4])[0] + 3)
    shx.write_bytes(bytes(data))


def lie_about_field_length(shp: Path) -> None:
    dbf = shp.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[32 + 16] += 20  # the first field's length: the fields no longer add up to the record length
    dbf.write_bytes(bytes(data))


def cut_dbf_records(shp: Path) -> None:
    dbf = shp.with_suffix(".dbf")
    data = dbf.read_bytes()
    header, record = struct.unpack("<HH", data[8:12])
    dbf.write_bytes(data[: header + 44 * record])  # the header still declares N records


def dbf_of_another_layer(shp: Path) -> None:
    other = healthy(shp.parent / "other", n=N + 500)
    shp.with_suffix(".dbf").write_bytes(other.with_suffix(".dbf").read_bytes())


def truncate_shp_without_shx(shp: Path) -> None:
    truncate_shp(shp)
    shp.with_suffix(".shx").unlink()


CASES: dict[str, tuple[Callable[[Path], None], str, str]] = {
    "truncated-shp": (truncate_shp, "SHP_TRUNCATED", "pts.shp is cut off"),
    "shx-wrong-offsets": (shift_shx_offsets, "SHX_OFFSETS_WRONG", "pts.shx points 990 of its 1000 records"),
    "dbf-lying-lengths": (lie_about_field_length, "DBF_HEADER_WRONG", "every attribute would be dropped"),
    "dbf-short-of-records": (cut_dbf_records, "DBF_RECORDS_MISSING", "declares 1000 records but holds 44"),
    "dbf-more-records": (dbf_of_another_layer, "SHP_DBF_COUNT_MISMATCH", "holds 1000 shapes but pts.dbf 1500"),
    # GDAL cannot rebuild the index of a cut-off .shp: its own error, still exit 2 and nothing written
    "truncated-shp-no-shx": (truncate_shp_without_shx, "", "Error parsing .shp to restore .shx"),
}


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_damaged_set_is_refused_and_nothing_written(tmp_path: Path, capsys, case: str) -> None:
    damage, code, words = CASES[case]
    shp = healthy(tmp_path / "src")
    damage(shp)
    before = digests(tmp_path / "src")
    out = tmp_path / "out"
    status = main(["convert", str(shp), "--to", "geojson,gpkg,csv", "--out", str(out), "--json"])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    assert status == 2, cap.err
    assert words in cap.err
    assert json.loads(cap.out)["error"] in ("InputError", "UnsupportedSourceError")
    if not code:
        return
    assert not out.exists()  # no partial output, not even the folder
    assert digests(tmp_path / "src") == before
    # inspect names the same problem, by its code
    assert main(["inspect", str(shp), "--json"]) == 0
    assert "--accept-loss" in cap.err
    issues = json.loads(capsys.readouterr().out)["layers"][0]["issues"]
    assert any(i["code"] == code and i["severity"] == "error" for i in issues), issues


@pytest.mark.parametrize("case", ["truncated-shp", "dbf-short-of-records", "dbf-lying-lengths"])
def test_accept_loss_converts_what_can_be_read_and_says_what_is_missing(tmp_path: Path, capsys, case: str) -> None:
    damage, code, _ = CASES[case]
    shp = healthy(tmp_path / "src")
    damage(shp)
    before = digests(tmp_path / "src")
    out = tmp_path / "out"
    status = main(["convert", str(shp), "--to", "geojson", "--out", str(out), "--accept-loss", "--json"])
    cap = capsys.readouterr()
    assert status == 0, cap.err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    warned = {i["code"]: i for i in manifest["report"]["issues"] if i["severity"] == "warning"}
    assert code in warned and "--accept-loss" in warned[code]["hint"]
    assert digests(tmp_path / "src") == before


def test_a_damaged_layer_of_a_folder_is_left_out_the_others_written(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "couches"
    healthy(folder, name="bon")
    cut_dbf_records(healthy(folder, name="abime"))
    before = digests(folder)
    out = tmp_path / "out"
    status = main(["convert", str(folder), "--to", "geojson", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert "1 layer not converted: abime" in err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"]["skipped"] == ["abime"]
    assert [f["path"] for f in manifest["files"]] == ["bon.geojson"]
    assert digests(folder) == before


def test_healthy_sets_raise_nothing(tmp_path: Path, capsys) -> None:
    shp = healthy(tmp_path / "src")
    status = main(["convert", str(shp), "--to", "geojson", "--out", str(tmp_path / "out")])
    assert status == 0, capsys.readouterr().err
    long_text = tmp_path / "long"
    long_text.mkdir()
    gpd.GeoDataFrame({"t": ["é" * 200]}, geometry=[Point(1, 1)], crs=2154).to_file(long_text / "l.shp")
    from odl_geo.sources.shapefile import check_integrity, find_parts

    assert check_integrity(find_parts(long_text / "l.shp", "l"), "l") == []


def test_what_is_read_is_compared_with_what_is_written(shared_data: Path, tmp_path: Path, capsys) -> None:
    """A MIF file of 19 objects of which GDAL decodes 16 (text and arc objects): three features would vanish."""
    import shutil

    shutil.copy(shared_data / "encoding/gdal_autotest/mitab/all_geoms.mif", tmp_path / "all_geoms.mif")
    src = tmp_path / "all_geoms.mif"
    before = digests(tmp_path)
    out = tmp_path / "out"
    status = main(["convert", str(src), "--source-crs", "EPSG:4326", "--to", "geojson", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert "declares 19 features but 16 could be read" in err and "Nothing was written" in err
    assert not out.exists() and digests(tmp_path) == before
    status = main(["convert", str(src), "--source-crs", "EPSG:4326", "--to", "geojson", "--out", str(out),
                   "--accept-loss"])  # fmt: skip
    assert status == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert any(i["code"] == "FEATURE_COUNT_MISMATCH" and i["count"] == 3 for i in manifest["report"]["issues"])


def test_a_geometry_no_reader_can_decode_is_an_error(tmp_path: Path, capsys) -> None:
    """A GeoPackage whose second geometry blob holds a broken WKB: it used to be written without geometry, exit 0."""
    import sqlite3

    src = tmp_path / "src" / "sites.gpkg"
    src.parent.mkdir()
    gpd.GeoDataFrame({"nom": ["a", "b", "c"]}, geometry=[Point(3.8, 43.6), Point(3.9, 43.7), Point(3.7, 43.5)],
                     crs=4326).to_file(src, layer="sites", engine="pyogrio")  # fmt: skip
    with sqlite3.connect(src) as con:
        for (trigger,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            con.execute(f'DROP TRIGGER "{trigger}"')  # GDAL's triggers call spatialite functions sqlite lacks
        (blob,) = con.execute("SELECT geom FROM sites WHERE fid = 2").fetchone()
        con.execute("UPDATE sites SET geom = ? WHERE fid = 2", (blob[:8] + b"\x01\x03\x00\x00\x00\xff\xff\xff\x7f",))
    before = digests(src.parent)
    out = tmp_path / "out"
    assert main(["convert", str(src), "--to", "geojson", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "1 geometry cannot be decoded (features #1)" in err and "--accept-loss" in err
    assert not out.exists() and digests(src.parent) == before
    assert main(["convert", str(src), "--to", "geojson", "--out", str(out), "--accept-loss"]) == 0
    doc = json.loads((out / "sites.geojson").read_text(encoding="utf-8"))
    assert [f["geometry"] is None for f in doc["features"]] == [False, True, False]


@pytest.mark.parametrize("case", ["truncated-shp", "shx-wrong-offsets"])
def test_the_index_is_checked_in_slices_with_the_same_counts(tmp_path: Path, monkeypatch, case: str) -> None:
    """The .shx is read and checked in slices (flat memory on millions of shapes): the counts do not depend on it."""
    from odl_geo.sources import shapefile

    shp = healthy(tmp_path)
    CASES[case][0](shp)
    parts = shapefile.find_parts(shp, "pts")
    whole = [(i.code, i.message) for i in shapefile.check_integrity(parts, "pts")]
    monkeypatch.setattr(shapefile, "_SLICE", 7)
    sliced = [(i.code, i.message) for i in shapefile.check_integrity(parts, "pts")]
    assert whole == sliced and whole[0][0] == CASES[case][1]


def _polygons(folder: Path, n: int = 300) -> Path:
    """Polygons of different sizes (records of different lengths: the headers are read through windows)."""
    from shapely.geometry import Polygon

    folder.mkdir(parents=True, exist_ok=True)
    shapes = []
    for i in range(n):
        k = 4 + i % 37  # vertices
        ring = [(700_000 + i * 50 + 10 * (j % 2), 6_600_000 + j) for j in range(k)]
        shapes.append(Polygon([*ring, (700_000 + i * 50 - 5, 6_600_000 + k)]))
    frame = gpd.GeoDataFrame({"nom": [f"zone {i}" for i in range(n)]}, geometry=shapes, crs=2154)
    path = folder / "zones.shp"
    frame.to_file(path, engine="pyogrio")
    return path


def _swap_two_index_records(shp: Path) -> None:
    """Records 5 and 200 of the index exchanged: both point at another record (offsets out of order)."""
    shx = shp.with_suffix(".shx")
    data = bytearray(shx.read_bytes())
    a, b = 100 + 8 * 5, 100 + 8 * 200
    data[a : a + 8], data[b : b + 8] = data[b : b + 8], data[a : a + 8]
    shx.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["shifted", "swapped", "healthy"])
def test_record_headers_read_through_windows_give_the_same_findings(tmp_path: Path, monkeypatch, damage: str) -> None:
    """The headers of records of different lengths are read through windows of the .shp (flat memory on a 1M-zone
    PPR): what the check finds does not depend on the window's size, nor on the index's order."""
    from odl_geo.sources import shapefile

    shp = _polygons(tmp_path)
    if damage == "shifted":
        shift_shx_offsets(shp)
    elif damage == "swapped":
        _swap_two_index_records(shp)
    parts = shapefile.find_parts(shp, "zones")
    whole = [(i.code, i.message) for i in shapefile.check_integrity(parts, "zones")]
    monkeypatch.setattr(shapefile, "_WINDOW", 300)  # a few records a window
    windowed = [(i.code, i.message) for i in shapefile.check_integrity(parts, "zones")]
    assert windowed == whole
    wrong = {"shifted": 290, "swapped": 2, "healthy": 0}[damage]
    said = f"zones.shx points {wrong} of its 300 records to the wrong place in zones.shp: their geometries would"
    expected = [("SHX_OFFSETS_WRONG", f"{said} be lost.")] if wrong else []
    assert whole == expected


def test_a_shp_without_index_is_walked_with_its_pages_given_back(tmp_path: Path, monkeypatch) -> None:
    """Without .shx the .shp is walked record by record, the pages behind given back as it goes: same count."""
    from odl_geo.sources import shapefile

    shp = _polygons(tmp_path)
    shp.with_suffix(".shx").unlink()
    found: list = []
    whole = shapefile._check_shp(shp, None, found)
    monkeypatch.setattr(shapefile, "_WINDOW", 4096)
    assert shapefile._check_shp(shp, None, found) == whole == 300 and found == []
    truncate_shp(shp)
    assert shapefile._check_shp(shp, None, found) < 300 and [d.code for d in found] == ["SHP_TRUNCATED"]
