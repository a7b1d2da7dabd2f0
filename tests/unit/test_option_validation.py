"""Issue #14, item 7: options are validated, and a run whose outputs lost every geometry is an error.

A misspelt ``--x-field`` used to turn a point CSV into a table without a word (exit 0, every geometry gone), and
``--precision -5`` wrote every coordinate as 0. Each is now exit 2 with the message saying what to give, the source
untouched and nothing written.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest

from odl_geo.cli.main import main
from odl_geo.conversion import ConvertOptions, _check_geometries
from odl_geo.errors import InputError
from odl_geo.exports.base import OutputFile
from odl_geo.normalise.scan import GeometryScan
from odl_geo.sources.layer import LayerSource

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def points_csv(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "fontaines.csv"
    path.parent.mkdir()
    path.write_text("nom;longitude;latitude;WKT_geom\nA;3,87;43,61;\nB;3,88;43,62;\n", encoding="utf-8")
    return path


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--x-field", "longitud", "--y-field", "latitude"], "has no column 'longitud' (--x-field)"),
        (["--x-field", "lon", "--y-field", "lat"], "has no column 'lon' (--x-field)"),
        (["--x-field", "longitude"], "--x-field was given without --y-field"),
        (["--y-field", "latitude"], "--y-field was given without --x-field"),
        (["--wkt-field", "geometrie"], "has no column 'geometrie' (--wkt-field)"),
        (["--precision", "-5"], "--precision -5 is out of range"),
        (["--precision", "40"], "--precision 40 is out of range"),
    ],
)
def test_bad_options_are_exit_2_with_nothing_written(points_csv: Path, tmp_path: Path, capsys, options, words) -> None:
    digest = sha(points_csv)
    out = tmp_path / "out"
    code = main(["convert", str(points_csv), "--to", "geojson,csv", "--out", str(out), *options, "--json"])
    cap = capsys.readouterr()
    assert code == 2, cap.err
    assert words in cap.err and "Traceback" not in cap.err
    assert json.loads(cap.out)["error"] == "InputError"
    assert not out.exists()
    assert sha(points_csv) == digest


def test_a_misspelt_field_names_the_closest_column(points_csv: Path, tmp_path: Path, capsys) -> None:
    main(["convert", str(points_csv), "--x-field", "longitud", "--y-field", "latitude", "--out", str(tmp_path / "o")])
    assert "Did you mean --x-field 'longitude'?" in capsys.readouterr().err


def test_field_names_forgive_case_and_accents(points_csv: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(["convert", str(points_csv), "--x-field", "LONGITUDE", "--y-field", "Latitude", "--to", "geojson",
                 "--out", str(out)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    doc = json.loads((out / "fontaines.geojson").read_text(encoding="utf-8"))
    assert doc["features"][0]["geometry"]["coordinates"] == [3.87, 43.61]


def test_precision_in_range_is_kept() -> None:
    assert ConvertOptions(geojson_precision=0).geojson_precision == 0
    with pytest.raises(InputError, match="out of range"):
        ConvertOptions(geojson_precision=-1)


def _layer() -> LayerSource:
    return LayerSource(name="pts", display="pts.shp", gdal_path="pts.shp", gdal_layer=None, driver="ESRI Shapefile",
                       geometry_type="Point", feature_count=3)  # fmt: skip


def _file(bbox: list[float] | None) -> OutputFile:
    return OutputFile("pts.geojson", "geojson", "pts", "EPSG:4326", 3, "Point", bbox=bbox)


def test_outputs_that_lost_every_geometry_are_an_error() -> None:
    scan = GeometryScan(counts={"Point": 3})
    with pytest.raises(InputError, match="its 3 geometries were all lost") as err:
        _check_geometries(_layer(), scan, [_file(None)], accept_loss=False)
    assert err.value.details == "GEOMETRY_LOST"
    _check_geometries(_layer(), scan, [_file([3.0, 43.0, 3.1, 43.1])], accept_loss=False)  # some kept: fine
    _check_geometries(_layer(), scan, [_file(None)], accept_loss=True)  # asked for
    _check_geometries(_layer(), GeometryScan(nulls=3), [_file(None)], accept_loss=False)  # none in the source
