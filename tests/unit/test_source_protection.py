"""Issue #14, item 1: an output never replaces its source, and never lands where the next run reads it as source.

Each test crafts its source in a temporary folder, records the sha256 of every file before the run, and asserts the
exit code (2), the message, the untouched source and that no output (nor staging folder) was left behind.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from odl_geo.cli.main import main

if TYPE_CHECKING:
    from pathlib import Path


def tree(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file below ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return code, cap.out, cap.err


def _csv(folder: Path) -> Path:
    path = folder / "fontaines.csv"
    path.write_text("nom,lon,lat\nA,3.87,43.61\nB,3.88,43.62\n", encoding="utf-8")
    return path


def _geojson(folder: Path) -> Path:
    path = folder / "points.geojson"
    features = [
        {
            "type": "Feature",
            "properties": {"nom": f"p{i}"},
            "geometry": {"type": "Point", "coordinates": [3.8 + i / 100, 43.6]},
        }
        for i in range(3)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _gpkg(folder: Path) -> Path:
    import geopandas as gpd
    from shapely.geometry import Point

    path = folder / "sites.gpkg"
    gpd.GeoDataFrame({"nom": ["a", "b"]}, geometry=[Point(3.8, 43.6), Point(3.9, 43.7)], crs=4326).to_file(
        path, layer="sites", driver="GPKG"
    )
    return path


@pytest.mark.parametrize(
    ("make", "fmt"), [(_csv, "csv"), (_geojson, "geojson"), (_gpkg, "gpkg")], ids=["csv", "geojson", "gpkg"]
)
def test_out_onto_the_source_folder_never_replaces_the_source(tmp_path: Path, capsys, make, fmt: str) -> None:
    src = make(tmp_path)
    before = tree(tmp_path)
    code, _, err = run(capsys, "convert", src, "--to", fmt, "--out", tmp_path)
    assert code == 2
    assert "would replace the source file" in err and src.name in err
    assert tree(tmp_path) == before  # the source untouched, no output, no manifest, no staging folder


def test_out_onto_the_source_folder_in_json(tmp_path: Path, capsys) -> None:
    src = _csv(tmp_path)
    before = tree(tmp_path)
    code, out, _ = run(capsys, "convert", src, "--to", "csv", "--out", tmp_path, "--json")
    assert code == 2
    assert json.loads(out)["error"] == "InputError"
    assert tree(tmp_path) == before


def test_out_in_the_source_folder_without_a_clash_is_allowed(tmp_path: Path, capsys) -> None:
    """Writing beside the source is fine when no output takes a source file's name (here: csv -> geojson)."""
    src = _csv(tmp_path)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    code, _, _ = run(capsys, "convert", src, "--to", "geojson", "--out", tmp_path)
    assert code == 0
    assert (tmp_path / "fontaines.geojson").is_file()
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest


def test_a_zip_source_is_not_replaced_by_its_zipped_shapefile(tmp_path: Path, capsys) -> None:
    import zipfile

    import geopandas as gpd
    from shapely.geometry import Point

    work = tmp_path / "w"
    work.mkdir()
    gpd.GeoDataFrame({"nom": ["a"]}, geometry=[Point(700000, 6600000)], crs=2154).to_file(work / "zones.shp")
    src = tmp_path / "zones.shp.zip"  # as some portals name them: the very name of the Shapefile output
    with zipfile.ZipFile(src, "w") as zf:
        for part in work.iterdir():
            zf.write(part, part.name)
    (tmp_path / "w").rename(tmp_path.parent / f"{tmp_path.name}-parts")
    before = tree(tmp_path)
    code, _, err = run(capsys, "convert", src, "--to", "shp", "--out", tmp_path)
    assert code == 2 and "zones.shp.zip" in err
    assert tree(tmp_path) == before


@pytest.mark.parametrize("inside", [".", "out", "out/deeper"])
def test_out_inside_a_folder_source_is_refused(tmp_path: Path, capsys, inside: str) -> None:
    folder = tmp_path / "couches"
    folder.mkdir()
    _csv(folder)
    _geojson(folder)
    before = tree(tmp_path)
    code, _, err = run(capsys, "convert", folder, "--to", "geojson", "--out", folder / inside)
    assert code == 2
    assert "inside the source folder" in err and "read back" in err
    assert tree(tmp_path) == before
    assert not (folder / "out").exists()


def test_a_symlinked_out_folder_is_still_the_source_folder(tmp_path: Path, capsys) -> None:
    src = _csv(tmp_path / "data") if (tmp_path / "data").mkdir() is None else None
    assert src is not None
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "data")
    before = tree(tmp_path / "data")
    code, _, err = run(capsys, "convert", src, "--to", "csv", "--out", link)
    assert code == 2 and "would replace the source file" in err
    assert tree(tmp_path / "data") == before


def test_theme_check_report_never_replaces_a_source_named_report(tmp_path: Path, capsys) -> None:
    src = tmp_path / "report.json"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    before = tree(tmp_path)
    code, _, err = run(capsys, "check", src, "--out", tmp_path)
    assert code == 2 and "would replace the source file report.json" in err
    assert tree(tmp_path) == before


def test_theme_convert_out_inside_a_folder_source_is_refused(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "pei"
    folder.mkdir()
    _csv(folder)
    before = tree(tmp_path)
    code, _, err = run(capsys, "convert", folder, "--theme", "water", "--out", folder / "publi")
    assert code == 2 and "inside the source folder" in err
    assert tree(tmp_path) == before


def test_mapping_out_never_replaces_the_source(tmp_path: Path, capsys) -> None:
    src = _csv(tmp_path)
    before = tree(tmp_path)
    code, _, err = run(capsys, "mapping", src, "--theme", "water", "--out", src)
    assert code == 2 and "would replace the source" in err
    assert tree(tmp_path) == before
