"""The ``odl-geo`` command line: exit codes, JSON on stdout, readable errors on stderr, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from odl_geo.cli.main import build_parser, main

VENV_BIN = Path(sys.executable).parent
SOUS_QUARTIERS = "encoding/lizmap_montpellier_demo/VilleMTP_MTP_SousQuartiers_2011.shp"
MONUMENTS = "encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp"
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_inspect_ok(shared_data: Path, capsys) -> None:
    code, out, _ = run(capsys, "inspect", shared_data / SOUS_QUARTIERS)
    assert code == 0
    assert "VilleMTP_MTP_SousQuartiers_2011" in out and "ISO-8859-1" in out and "Polygon 31" in out


def test_inspect_prints_extents_with_fitting_decimals(shared_data: Path, capsys) -> None:
    code, out, _ = run(capsys, "inspect", shared_data / SOUS_QUARTIERS)
    assert code == 0 and "extent    765145.88, 6274561.22, 776031.67, 6284189.52 (metres)" in out
    code, out, _ = run(capsys, "inspect", shared_data / FOUNTAINS.replace(".csv", ".geojson"))
    assert code == 0 and "extent    3.816140, 43.590200, 3.935860, 43.642400 (degrees)" in out
    assert "CRS       EPSG:4326 (WGS 84) [implied by RFC 7946]" in out


def test_extent_text() -> None:
    from odl_geo.cli.render import extent_text

    assert extent_text([766918.0, 6279703.5, 771010.254, 6280254.75], "metre") == (
        "766918, 6279703.5, 771010.25, 6280254.75 (metres)"
    )
    assert extent_text([3.8, 43.59, 3.93586, 43.6424], "degree") == "3.800000, 43.590000, 3.935860, 43.642400 (degrees)"
    assert extent_text([3.8, 43.59, 3.9, 43.6], None).endswith("(degrees)")  # no CRS: the numbers tell
    assert extent_text([770000, 6280000, 771000, 6281000], None) == "770000, 6280000, 771000, 6281000 (CRS units)"


def test_inspect_json(shared_data: Path, capsys) -> None:
    code, out, _ = run(capsys, "inspect", "--json", shared_data / "flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg")
    assert code == 0
    data = json.loads(out)
    assert len(data["layers"]) == 7
    first = data["layers"][0]
    assert first["feature_count"] == 380 and first["crs"] == "EPSG:2154"
    assert {"name": "occurence", "type": "object"} in data["layers"][2]["fields"]


def test_inspect_lists_problems_without_failing(shared_data: Path, capsys) -> None:
    code, out, _ = run(capsys, "inspect", shared_data / MONUMENTS)
    assert code == 0  # inspect describes; only convert refuses
    assert "CRS_MISSING" in out and "--source-crs EPSG:2154" in out


def test_a_dbf_alone_is_said_without_verbose(shared_data: Path, capsys) -> None:
    code, out, _ = run(capsys, "inspect", shared_data / "encoding/gdal_autotest/shp/weird_header_length.dbf")
    assert code == 0 and "warning [SHP_TABLE_ONLY]" in out and "read as a table without geometry" in out


def test_convert_ok_and_json(shared_data: Path, tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = run(
        capsys, "convert", shared_data / SOUS_QUARTIERS, "--out", out_dir, "--to", "gpkg,geojson", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert sorted(f["format"] for f in data["files"]) == ["geojson", "gpkg"]
    assert json.loads((out_dir / "manifest.json").read_text(encoding="utf-8")) == data


def test_convert_human_output(shared_data: Path, tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "convert", shared_data / SOUS_QUARTIERS, "--out", tmp_path / "o", "--to", "csv")
    assert code == 0 and "VilleMTP_MTP_SousQuartiers_2011.csv" in out and "31" in out


def test_convert_with_source_crs(shared_data: Path, tmp_path: Path, capsys) -> None:
    code, _, _ = run(
        capsys, "convert", shared_data / MONUMENTS, "--out", tmp_path / "o", "--to", "gpkg", "--source-crs", "EPSG:2154"
    )
    assert code == 0 and (tmp_path / "o" / "Monuments_Historiques.gpkg").exists()


def test_quiet_default_and_verbose_output(shared_data: Path, tmp_path: Path, capsys) -> None:
    src = shared_data / FOUNTAINS  # CP1252, lon/lat columns: two informational notes
    code, quiet, quiet_err = run(capsys, "inspect", "--quiet", src)
    assert (code, quiet, quiet_err) == (0, "", "")
    code, default, _ = run(capsys, "inspect", src)
    assert code == 0 and "CP1252 [detected]" in default
    assert "(2 informational notes hidden; --verbose shows them)" in default
    assert "[ENCODING_TRANSCODED]" not in default
    code, verbose, _ = run(capsys, "inspect", "--verbose", src)
    assert code == 0 and "info [ENCODING_TRANSCODED]" in verbose and "info [CRS_ASSUMED_WGS84]" in verbose
    assert "hidden" not in verbose
    code, out, err = run(capsys, "convert", "--quiet", src, "--out", tmp_path / "q", "--to", "gpkg")
    assert (code, out, err) == (0, "", "") and (tmp_path / "q" / "VilleMTP_MTP_Fontaines.gpkg").exists()
    code, out, _ = run(capsys, "convert", "--verbose", src, "--out", tmp_path / "v", "--to", "gpkg")
    assert code == 0 and "Written to" in out and "info [CRS_REPROJECTED]" in out


def test_an_internal_error_is_exit_1_without_traceback(
    shared_data: Path, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import odl_geo.conversion

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("writer state lost")

    monkeypatch.setattr(odl_geo.conversion, "_convert_layers", broken)
    code, out, err = run(capsys, "convert", shared_data / FOUNTAINS, "--out", tmp_path / "o")
    assert code == 1 and out == ""
    assert "internal error: RuntimeError: writer state lost" in err and "This is a bug in odl-geo" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()
    code, out, err = run(capsys, "convert", shared_data / FOUNTAINS, "--out", tmp_path / "o", "--json")
    assert code == 1 and json.loads(out) == {"error": "InternalError", "message": "writer state lost"}


def test_missing_file_is_exit_2(tmp_path: Path, capsys) -> None:
    code, out, err = run(capsys, "convert", tmp_path / "nope.shp", "--out", tmp_path / "o")
    assert code == 2
    assert "error: " in err and "nope.shp does not exist" in err and "Check the path" in err
    assert out == "" and not (tmp_path / "o").exists()


def test_missing_prj_is_exit_2_with_the_fix(shared_data: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "convert", shared_data / MONUMENTS, "--out", tmp_path / "o")
    assert code == 2
    assert "Monuments_Historiques.shp has no .prj file" in err and "--source-crs EPSG:2154" in err


def test_layers_left_out_give_exit_2_with_the_others_written(shared_data: Path, tmp_path: Path, capsys) -> None:
    # a folder of KML files, one of them cut off: the others are converted, the run says what was left out
    # (--accept-loss: geometries.kml holds bare <LinearRing> placemarks GDAL cannot hand over, a loss otherwise refused)
    out_dir, kml = tmp_path / "o", shared_data / "encoding/gdal_autotest/kml"
    code, out, err = run(capsys, "convert", kml, "--out", out_dir, "--to", "gpkg", "--accept-loss")
    assert code == 2
    assert "error: 1 layer not converted: truncated.kml." in err and f"written to {out_dir}" in err
    assert "[SOURCE_MEMBER_UNREADABLE]" in out and "truncated.kml" in out
    assert json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))["source"]["skipped"] == ["truncated.kml"]
    assert (out_dir / "kml.gpkg").exists()
    code, out, _ = run(capsys, "convert", kml, "--out", out_dir, "--json", "--accept-loss")
    assert code == 2 and json.loads(out)["source"]["skipped"] == ["truncated.kml"]


def test_unknown_format_is_exit_2(shared_data: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "convert", shared_data / SOUS_QUARTIERS, "--out", tmp_path / "o", "--to", "gpkg,dwg")
    assert code == 2 and "Unknown output format 'dwg'" in err and "Choose among: gpkg" in err


def test_bad_source_crs_is_exit_2(shared_data: Path, tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "inspect", shared_data / MONUMENTS, "--source-crs", "EPSG:999999")
    assert code == 2 and "--source-crs 'EPSG:999999' is not a CRS odl-geo knows" in err


def test_output_is_a_file_is_exit_3(shared_data: Path, tmp_path: Path, capsys) -> None:
    taken = tmp_path / "taken.txt"
    taken.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "convert", shared_data / SOUS_QUARTIERS, "--out", taken)
    assert code == 3 and "exists and is not a folder" in err
    assert taken.read_text(encoding="utf-8") == "x"


def test_error_as_json(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "inspect", "--json", tmp_path / "nope.gpkg")
    assert code == 2
    data = json.loads(out)
    assert data["error"] == "SourceNotFoundError" and "nope.gpkg does not exist" in data["message"] and data["hint"]


def test_broken_kml_is_exit_2_without_traceback(shared_data: Path, capsys) -> None:
    code, _, err = run(capsys, "inspect", shared_data / "encoding/gdal_autotest/kml/truncated.kml")
    assert code == 2 and "truncated.kml is not a readable KML file" in err and "near line 35" in err


def _subcommands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _subcommands())
def test_help_of_each_subcommand(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: odl-geo {command}")


def test_help_lists_inspect_and_convert(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "inspect" in out and "convert" in out and "Exit codes" in out
    assert {"inspect", "convert"} <= set(_subcommands())


def test_installed_script(shared_data: Path, tmp_path: Path) -> None:
    script = VENV_BIN / "odl-geo"
    done = subprocess.run(
        [script, "inspect", "--json", shared_data / SOUS_QUARTIERS],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["layers"][0]["feature_count"] == 31
    failed = subprocess.run(
        [script, "convert", shared_data / MONUMENTS, "--out", tmp_path / "o"],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 2
    assert "Monuments_Historiques.shp has no .prj file" in failed.stderr and "Traceback" not in failed.stderr


def test_closed_stdout_is_not_a_traceback(shared_data: Path) -> None:
    """``odl-geo inspect --json f | head -1``: the reader goes away before the JSON is written."""
    proc = subprocess.Popen(
        [VENV_BIN / "odl-geo", "inspect", "--json", shared_data / SOUS_QUARTIERS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert proc.returncode == 141


def test_public_convert_is_the_function() -> None:
    """The conversion module is odl_geo.conversion, so importing it never shadows the public function."""
    import odl_geo.cli.main
    import odl_geo.conversion  # noqa: F401 - as any front end does
    from odl_geo import convert

    assert callable(convert) and convert.__module__ == "odl_geo.conversion"


def test_building_the_cli_loads_no_gdal_stack():
    """`odl-geo publish datagouv` must not pay for GDAL/pandas it never uses (issue 6: RSS <= 150 MB)."""
    import subprocess
    import sys

    code = (
        "import sys, odl_geo.cli.main as m; m.build_parser(); "
        "print(sorted(x for x in ('pyogrio','pyproj','pandas','pyarrow','geopandas','shapely') if x in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"
