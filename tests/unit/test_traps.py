"""Every file of ../shared/data through ``convert`` and ``inspect``: a correct result with warnings, or one clear error.

Never a traceback (any exception other than :class:`OdlGeoError` fails the test), never an
:class:`OutputError` for a problem of the *input*, and never a byte changed or added beside the source: each
file is converted from a temporary copy of it and its sidecars, and that folder is hashed before and after
(tests/conftest.py checks the shared folder itself at the end of the session).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import shapely
from core_support import ALL_FORMATS, LAMBERT93, count_and_crs, read_back

from odl_geo import (
    CrsError,
    InputError,
    OdlGeoError,
    OutputError,
    ReadOptions,
    SourceNotFoundError,
    UnsupportedSourceError,
    convert,
    inspect_source,
    open_source,
)

# same rule as tests/conftest.py (needed at collection time, before fixtures exist)
SHARED = Path(os.environ.get("ODL_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))

#: files that only make sense next to a dataset (the .dbf of a complete Shapefile set is handled apart)
SIDECARS = {
    ".shx",
    ".prj",
    ".cpg",
    ".qpj",
    ".qml",
    ".qix",
    ".sbn",
    ".sbx",
    ".xml",
    ".idm",
    ".ind",
    ".dat",
    ".map",
    ".id",
    ".csvt",
}


def _is_sidecar(p: Path) -> bool:
    if p.suffix.lower() in SIDECARS:
        return True
    # the .dbf of a complete set is the attribute table of the .shp, converted with it
    return p.suffix.lower() == ".dbf" and any(p.with_suffix(ext).exists() for ext in (".shp", ".SHP"))


DATASETS = sorted(str(p.relative_to(SHARED)) for p in SHARED.rglob("*") if p.is_file() and not _is_sidecar(p))

_NO_PRJ = (CrsError, r"has no \.prj file\..*--source-crs EPSG:")
#: what each file that cannot be converted as it is must say (class, regex on "message hint")
EXPECTED_ERRORS: dict[str, tuple[type[OdlGeoError], str]] = {
    "SHA256SUMS": (UnsupportedSourceError, "not a GIS format"),
    "PROVENANCE.md": (UnsupportedSourceError, "not a GIS format"),
    "water/README.md": (UnsupportedSourceError, "not a GIS format"),
    "water/montpellier_bornes_fontaines/README.txt": (UnsupportedSourceError, "not a GIS format"),
    "flood/ddtm34_pac_risques/N_PAC_RISQUES_S_034_Genealogie.txt": (UnsupportedSourceError, "not a GIS format"),
    "schemas/cnig-ppr/typeppr_codegasparppr.sql": (UnsupportedSourceError, "not a GIS format"),
    "schemas/cnig-ppr/typeppr_codegasparppr-2154.sql": (UnsupportedSourceError, "not a GIS format"),
    "schemas/itineraire-randonnee/schema.json": (UnsupportedSourceError, "not a GIS format"),
    "schemas/point-eau-incendie/schema.json": (UnsupportedSourceError, "not a GIS format"),
    "encoding/gdal_autotest/csv/csv_with_utf8_bom.csv": (
        InputError,
        r"line 2 has 4 values but the header names only 3",
    ),
    "encoding/gdal_autotest/csv/unbalanced_double_quotes.csv": (InputError, r"double quote opened on line 2"),
    "encoding/gdal_autotest/kml/truncated.kml": (UnsupportedSourceError, r"XML is broken near line 35"),
    # bare <LinearRing> placemarks (one with coordinates) GDAL cannot hand over: written without geometry, a loss
    "encoding/gdal_autotest/kml/geometries.kml": (InputError, r"3 geometries cannot be decoded.*--accept-loss"),
    "hiking/geotrek_admin_fixtures/trekking/tests/data/file_bad_encoding.kml": (
        UnsupportedSourceError,
        r"XML is broken near line 5.*bare '&'",
    ),
    "hiking/geotrek_admin_fixtures/trekking/tests/data/file_good_encoding.kml": (
        UnsupportedSourceError,
        r"XML is broken near line 5",
    ),
    "encoding/gdal_autotest/mitab/all_geoms.mif": (CrsError, r"declares no coordinate system.*--source-crs"),
    "encoding/gdal_autotest/mitab/all_geoms.tab": (CrsError, r"non-earth \(local\) coordinate system.*--source-crs"),
    "encoding/gdal_autotest/mitab/lambert93_francais.TAB": (InputError, r"has no feature to convert"),
    "encoding/gdal_autotest/shp/buggymultipoly.shp": _NO_PRJ,
    "encoding/gdal_autotest/shp/departs.shp": _NO_PRJ,
    "encoding/gdal_autotest/shp/departs.vrt": (CrsError, r"declares no coordinate system.*--source-crs"),
    "encoding/gdal_autotest/shp/emptymultipoly.shp": _NO_PRJ,
    "encoding/gdal_autotest/shp/mixed_shape_type_non_conformant.shp": _NO_PRJ,
    "encoding/gdal_autotest/shp/multipolygon_as_invalid_polygon.shp": _NO_PRJ,
    "encoding/lizmap_montpellier_demo/tramway.csv": (CrsError, r"declares no coordinate system.*EPSG:4326"),
    "encoding/lizmap_montpellier_intranet/ArbRemarq_point.shp": (CrsError, r"has no \.prj file.*EPSG:4326"),
    "encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp": (CrsError, r"has no \.prj file.*EPSG:2154"),
    "encoding/pyshp_fixtures/corrupt_too_long.shp": _NO_PRJ,
    "encoding/pyshp_fixtures/latin1.shp": _NO_PRJ,
    "encoding/pyshp_fixtures/empty_zipfile.zip": (SourceNotFoundError, r"contains no GIS layer.*dummyfile\.txt"),
    "hiking/geotrek_admin_fixtures/core/tests/data/bad_srid.geojson": (CrsError, r"which are not degrees"),
    "hiking/geotrek_admin_fixtures/trekking/tests/data/apidae_trek_parser/trace_with_no_feature.gpx": (
        InputError,
        r"holds no waypoint, route or track",
    ),
}

#: the CRS is known (PROVENANCE.md) but the file does not declare it: given, the conversion must succeed
KNOWN_CRS = {
    "encoding/lizmap_montpellier_intranet/ArbRemarq_point.shp": "EPSG:4326",
    "encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp": "EPSG:2154",
    "encoding/lizmap_montpellier_demo/tramway.csv": "EPSG:4326",
}
#: all three are in Montpellier: after reprojection their lon/lat extent must fall in the city
MONTPELLIER = (3.75, 43.55, 3.98, 43.70)


def test_the_data_folder_is_all_there(shared_data: Path) -> None:
    assert shared_data == SHARED
    assert len(DATASETS) >= 70, DATASETS
    assert set(EXPECTED_ERRORS) <= set(DATASETS), set(EXPECTED_ERRORS) - set(DATASETS)
    assert set(KNOWN_CRS) <= set(EXPECTED_ERRORS), "without --source-crs these must fail with a CrsError"


def _source_counts(src: Path, options: ReadOptions | None = None) -> dict[str, int]:
    with open_source(src, options) as opened:
        return {lyr.name: lyr.feature_count for lyr in opened.layers if lyr.feature_count}


def _check_outputs(out: Path, source_counts: dict[str, int]) -> dict:
    """Every layer in every format it fits, each file readable with the counts and CRS the manifest says."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    written = {(f["layer"], f["format"]) for f in manifest["files"]}
    assert {layer for layer, _ in written} == set(source_counts)
    issues = manifest["report"]["issues"]
    for entry in manifest["files"]:
        layer, fmt = entry["layer"], entry["format"]
        has_geometry = entry["geometry_type"] is not None
        count, crs = count_and_crs(out, entry)
        assert count == entry["feature_count"], (layer, fmt)
        if fmt == "shp":
            # mixed layers are split per geometry type; a collection may land in two of them, never in none
            assert count >= source_counts[layer], (layer, fmt)
        else:
            assert entry["feature_count"] == source_counts[layer], (layer, fmt)
        if has_geometry and fmt in ("gpkg", "shp", "fgb", "parquet"):
            assert crs is not None and crs.equals(LAMBERT93), (layer, fmt, crs)
        elif has_geometry and fmt in ("geojson", "kml"):
            # GDAL reports WGS 84 as EPSG:4979 (its 3D form) when the coordinates carry a Z
            assert crs is not None and crs.to_epsg() in (4326, 4979), (layer, fmt, crs)
        if fmt == "gpkg" and has_geometry:
            back = read_back(out, entry)
            invalid = [g for g in back.geometries if g is not None and not g.is_empty and not shapely.is_valid(g)]
            # only zero-length lines may stay invalid, and each was reported
            allowed = sum(i["count"] for i in issues if i["code"] == "GEOM_DEGENERATE" and i["layer"] == layer)
            assert len(invalid) <= allowed, (layer, [g.wkt[:80] for g in invalid])
    for layer in source_counts:
        formats = {fmt for lyr, fmt in written if lyr == layer}
        has_geometry = any(f["geometry_type"] for f in manifest["files"] if f["layer"] == layer)
        assert formats == (set(ALL_FORMATS) if has_geometry else set(ALL_FORMATS) - {"kml", "fgb"}), layer
    return manifest


@pytest.mark.parametrize("rel", DATASETS)
def test_convert_every_shared_file(rel: str, data_copy, tmp_path: Path, snapshot) -> None:
    src = data_copy(rel)  # the file and its sidecars, so that a write beside the source cannot harm the shared data
    before = snapshot(src.parent)
    out = tmp_path / "out"
    expected = EXPECTED_ERRORS.get(rel)
    try:
        convert(src, out, ALL_FORMATS)
    except OdlGeoError as exc:
        assert not isinstance(exc, OutputError), f"an input problem surfaced as an output error: {exc}"
        assert expected is not None, f"{rel} should convert, got {type(exc).__name__}: {exc}"
        cls, pattern = expected
        assert isinstance(exc, cls), f"{type(exc).__name__}: {exc}"
        assert src.name in exc.message
        assert exc.hint.strip()
        assert re.search(pattern, str(exc), re.DOTALL), str(exc)
        assert not out.exists(), "a failed conversion must not leave an output folder behind"
    else:
        assert expected is None, f"{rel} converted although it should fail with {expected[0].__name__}"
        _check_outputs(out, _source_counts(src))
    assert snapshot(src.parent) == before


@pytest.mark.parametrize("rel", sorted(KNOWN_CRS))
def test_convert_with_the_known_source_crs(rel: str, data_copy, tmp_path: Path, snapshot) -> None:
    src = data_copy(rel)
    before = snapshot(src.parent)
    options = ReadOptions(source_crs=KNOWN_CRS[rel])
    manifest = convert(src, tmp_path / "out", ALL_FORMATS, options)
    data = _check_outputs(tmp_path / "out", _source_counts(src, options))
    assert data["files"] and manifest.files
    for f in manifest.files:
        xmin, ymin, xmax, ymax = f.bbox_wgs84 or (0, 0, 0, 0)
        assert MONTPELLIER[0] < xmin < xmax < MONTPELLIER[2], (f.path, f.bbox_wgs84)
        assert MONTPELLIER[1] < ymin < ymax < MONTPELLIER[3], (f.path, f.bbox_wgs84)
    codes = {i.code for i in manifest.report.issues}
    assert "CRS_MISSING" not in codes
    assert snapshot(src.parent) == before


#: files that cannot even be opened: ``inspect`` fails on them too; every other file must be described
OPEN_ERRORS = {
    rel for rel, (cls, _) in EXPECTED_ERRORS.items() if cls in (UnsupportedSourceError, SourceNotFoundError)
} | {"hiking/geotrek_admin_fixtures/trekking/tests/data/apidae_trek_parser/trace_with_no_feature.gpx"}


@pytest.mark.parametrize("rel", DATASETS)
def test_inspect_every_shared_file(rel: str, data_copy, snapshot) -> None:
    src = data_copy(rel)
    before = snapshot(src.parent)
    try:
        layers, _ = inspect_source(src)
    except OdlGeoError as exc:
        assert rel in OPEN_ERRORS, f"inspect should describe {rel}, got {type(exc).__name__}: {exc}"
        assert src.name in exc.message and exc.hint.strip()
    else:
        assert rel not in OPEN_ERRORS, f"{rel} was opened although it is not readable"
        assert layers
        if rel in EXPECTED_ERRORS:
            # what convert refuses, inspect explains
            found = [i for lyr in layers for i in lyr.report.issues if i.severity == "error" or i.code == "LAYER_EMPTY"]
            assert found, [lyr.report.codes() for lyr in layers]
        for lyr in layers:
            assert sum(lyr.geometry_types.values()) <= lyr.feature_count
    assert snapshot(src.parent) == before
