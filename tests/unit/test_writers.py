"""Every writer, read back with independent readers: counts, CRS, accents, validity, and the promises of each format.

Two real layers are converted once per module into all seven formats: Montpellier's sub-districts (31 polygons,
Latin-1 dbf declared by a .cpg, Lambert-93) and its drinking fountains (48 points from a CP1252 CSV with decimal
commas). Their copies get a fixed 2014 modification time, which the outputs must carry instead of today's date.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import zipfile
from dataclasses import asdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import geopandas as gpd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from core_support import ALL_FORMATS, LAMBERT93, read_back

from odl_geo import CancelledError, ConvertOptions, InputError, NullFeedback, OutputError, ReadOptions, convert

if TYPE_CHECKING:
    from pathlib import Path

    from odl_geo import Manifest

SOUS_QUARTIERS = "encoding/lizmap_montpellier_demo/VilleMTP_MTP_SousQuartiers_2011.shp"
FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"
STAMP = datetime(2014, 4, 4, 12, 0, tzinfo=UTC).timestamp()
MONTPELLIER = (3.75, 43.55, 3.98, 43.70)


def _copy_with_date(shared: Path, rel: str, dest: Path) -> Path:
    src = shared / rel
    dest.mkdir(parents=True)
    for sibling in src.parent.iterdir():
        if sibling.is_file() and sibling.stem == src.stem:
            target = dest / sibling.name
            shutil.copyfile(sibling, target)
            os.utime(target, (STAMP, STAMP))
    return dest / src.name


@pytest.fixture(scope="module")
def polygons(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, Path, Path]:
    base = tmp_path_factory.mktemp("polygons")
    src = _copy_with_date(shared_data, SOUS_QUARTIERS, base / "src")
    return convert(src, base / "out", ALL_FORMATS), base / "out", src


@pytest.fixture(scope="module")
def points(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, Path, Path]:
    base = tmp_path_factory.mktemp("points")
    src = _copy_with_date(shared_data, FOUNTAINS, base / "src")
    return convert(src, base / "out", ALL_FORMATS), base / "out", src


def _entries(out: Path) -> dict[str, dict]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {f["format"]: f for f in manifest["files"]}


# -- every writer ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_polygons_round_trip(polygons, fmt: str) -> None:
    _, out, _ = polygons
    entry = _entries(out)[fmt]
    back = read_back(out, entry)
    assert back.count == entry["feature_count"] == 31
    names = set(back.frame["LIBSQUART"])
    assert {"Comédie", "Millénaire", "Plan des 4 Seigneurs"} <= names
    assert not any("Ã" in n or "\ufffd" in n for n in names)
    geoms = back.geometries
    assert len(geoms) == 31 and all(g is not None and shapely.is_valid(g) for g in geoms)
    assert {g.geom_type for g in geoms} <= {"Polygon", "MultiPolygon"}
    if fmt in ("gpkg", "shp", "fgb", "parquet"):
        assert back.crs is not None and back.crs.equals(LAMBERT93)
        assert entry["crs"] == "EPSG:2154"
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        assert 765_000 < xmin < xmax < 777_000 and 6_274_000 < ymin < ymax < 6_285_000
    else:
        if fmt != "csv":  # CSV has no CRS of its own: its coordinates are lon/lat, checked below
            assert back.crs is not None and back.crs.to_epsg() == 4326
        assert entry["crs"] == "EPSG:4326"
        xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
        assert MONTPELLIER[0] < xmin < xmax < MONTPELLIER[2] and MONTPELLIER[1] < ymin < ymax < MONTPELLIER[3]


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_points_round_trip(points, fmt: str) -> None:
    _, out, _ = points
    entry = _entries(out)[fmt]
    back = read_back(out, entry)
    assert back.count == entry["feature_count"] == 48
    assert "Square Théophraste Renaudot" in set(back.frame["Nom"])
    assert entry["geometry_type"] == "Point"
    geoms = back.geometries
    assert len(geoms) == 48 and all(g is not None and g.geom_type in ("Point", "MultiPoint") for g in geoms)
    if fmt in ("geojson", "kml", "csv"):
        xs = [g.x for g in geoms]
        assert min(xs) > MONTPELLIER[0] and max(xs) < MONTPELLIER[2]
    if fmt == "csv":
        # spreadsheets get the points as two numeric columns; the source has its own "Longitude" already,
        # so the written ones get a distinct header instead of a second "longitude"
        assert back.csv_geometry == ("longitude_wgs84", "latitude_wgs84")
        assert back.frame["longitude_wgs84"].dtype.kind == "f"
        assert back.frame["longitude_wgs84"].tolist() == pytest.approx(back.frame["Longitude"].tolist(), abs=1e-6)


def test_accented_field_names_survive_every_format(points) -> None:
    _, out, _ = points
    for fmt, entry in _entries(out).items():
        back = read_back(out, entry)
        assert "CatÉgorie" in back.frame.columns, (fmt, list(back.frame.columns))


# -- GeoJSON ---------------------------------------------------------------------------------------------


def test_geojson_follows_rfc_7946(polygons) -> None:
    _, out, _ = polygons
    path = out / _entries(out)["geojson"]["path"]
    text = path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert "crs" not in data
    decimals = [len(d) for d in re.findall(r"-?\d+\.(\d+)", json.dumps(data["features"][0]["geometry"]))]
    assert decimals and max(decimals) <= 7
    for feature in data["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        for poly in getattr(geom, "geoms", [geom]):
            assert poly.exterior.is_ccw, feature["properties"]["LIBSQUART"]
            assert all(not ring.is_ccw for ring in poly.interiors)
    assert data["bbox"] == pytest.approx(_entries(out)["geojson"]["bbox_wgs84"], abs=1e-6)


def test_geojson_precision_option(shared_data: Path, tmp_path: Path) -> None:
    manifest = convert(shared_data / SOUS_QUARTIERS, tmp_path, ["geojson"], options=ConvertOptions(geojson_precision=3))
    data = json.loads((tmp_path / manifest.files[0].path).read_text(encoding="utf-8"))
    coords = json.dumps([f["geometry"] for f in data["features"]])
    assert max(len(d) for d in re.findall(r"\.(\d+)", coords)) <= 3


def test_no_empty_rings_in_geojson(shared_data: Path, tmp_path: Path) -> None:
    # --accept-loss: its bare <LinearRing> placemarks cannot be handed over by GDAL (a loss, refused otherwise)
    kml = shared_data / "encoding/gdal_autotest/kml/geometries.kml"
    manifest = convert(kml, tmp_path, ["geojson"], ReadOptions(accept_loss=True))
    data = json.loads((tmp_path / manifest.files[0].path).read_text(encoding="utf-8"))
    for feature in data["features"]:
        geometry = feature["geometry"]
        if geometry and geometry["type"] == "Polygon":
            assert all(len(ring) >= 4 for ring in geometry["coordinates"]), geometry


# -- Shapefile -------------------------------------------------------------------------------------------


def test_zipped_shapefile_is_utf8_with_a_cpg(polygons) -> None:
    _, out, _ = polygons
    with zipfile.ZipFile(out / _entries(out)["shp"]["path"]) as zf:
        names = sorted(zf.namelist())
        assert names == [f"VilleMTP_MTP_SousQuartiers_2011.{ext}" for ext in ("cpg", "dbf", "prj", "shp", "shx")]
        assert zf.read("VilleMTP_MTP_SousQuartiers_2011.cpg").strip() == b"UTF-8"
        dbf = zf.read("VilleMTP_MTP_SousQuartiers_2011.dbf")
    assert "Comédie".encode() in dbf and "Comédie".encode("latin-1") not in dbf
    # the .dbf "last update" is the source's date, not today's
    assert (dbf[1] + 1900, dbf[2], dbf[3]) == (2014, 4, 4)


def test_shapefile_field_mapping_when_names_are_truncated(shared_data: Path, tmp_path: Path) -> None:
    manifest = convert(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", tmp_path, ["shp"])
    (entry,) = manifest.files
    with zipfile.ZipFile(tmp_path / entry.path) as zf:
        rows = list(csv.reader(io.StringIO(zf.read("fields.csv").decode("utf-8"))))
    assert rows[0] == ["source_field", "shapefile_field"]
    mapping = dict(rows[1:])
    assert mapping["nom_itineraire"] == "nom_itiner"
    assert (mapping["altitude_max"], mapping["altitude_min"]) == ("altitude_m", "altitude_2")
    assert entry.field_mapping == {k: v for k, v in mapping.items() if k != v}
    written = pyogrio.read_info(f"/vsizip/{tmp_path / entry.path}/exemple-valide.shp")["fields"].tolist()
    assert sorted(written) == sorted(mapping.values())
    assert all(len(n.encode()) <= 10 for n in written)
    assert "SHP_FIELDS_TRUNCATED" in manifest.report.codes()


def test_shapefile_text_cut_at_254_bytes_is_counted(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"
    manifest = convert(src, tmp_path, ["shp"])
    (issue,) = [i for i in manifest.report.issues if i.code == "SHP_TEXT_TRUNCATED"]
    assert issue.severity == "warning" and issue.count == 20
    assert issue.message.endswith(
        "longer ones were cut: instructions (8), presentation (3), presentation_courte (1), recommandations (4), "
        "acces_routier (1), transports (3)"
    )
    assert "GeoPackage" in issue.hint
    assert not [i for i in manifest.report.issues if i.code == "WRITE_WARNING"]  # GDAL's once-per-layer message
    source = pyogrio.read_dataframe(src)
    written = pyogrio.read_dataframe(f"/vsizip/{tmp_path / manifest.files[0].path}/exemple-valide.shp")
    for full, cut in zip(source["instructions"], written["instructio"], strict=True):
        assert len(cut.encode()) <= 254 < len(full.encode()) and full.startswith(cut)


def test_shapefile_keeps_accented_names_and_values_of_a_detected_encoding(shared_data: Path, tmp_path: Path) -> None:
    # the CP1252 detected for this dbf must not leak into the UTF-8 Shapefile written in the same run
    src = shared_data / "encoding/lizmap_montpellier_intranet/ArbRemarq_point.shp"
    manifest = convert(src, tmp_path, ["shp", "gpkg"], ReadOptions(source_crs="EPSG:4326"))
    path = tmp_path / next(f.path for f in manifest.files if f.format == "shp")
    df = pyogrio.read_dataframe(f"/vsizip/{path}/ArbRemarq_point.shp")
    assert "RARETÉ" in df.columns
    assert "Chêne pubescent" in set(df["NOM_USUEL"])
    assert len(df) == 71 and df.crs.equals(LAMBERT93)


def test_shapefile_splits_mixed_geometry_types(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "encoding/gdal_autotest/shp/mixed_shape_type_non_conformant.shp"
    manifest = convert(src, tmp_path, ["shp"], ReadOptions(source_crs="EPSG:4326"))
    (entry,) = manifest.files
    with zipfile.ZipFile(tmp_path / entry.path) as zf:
        shps = sorted(n for n in zf.namelist() if n.endswith(".shp"))
    stem = "mixed_shape_type_non_conformant"
    assert shps == [f"{stem}_lines.shp", f"{stem}_points.shp", f"{stem}_polygons.shp"]
    counts = {n: pyogrio.read_info(f"/vsizip/{tmp_path / entry.path}/{n}")["features"] for n in shps}
    assert sum(counts.values()) == entry.feature_count == 6
    assert "SHP_SPLIT_BY_TYPE" in manifest.report.codes()


def test_shapefile_of_a_layer_without_any_geometry(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "hiking/geotrek_admin_fixtures/trekking/tests/data/schema_randonnee_parser/no_geom.geojson"
    manifest = convert(src, tmp_path, ["shp", "gpkg"])
    assert sorted(f.format for f in manifest.files) == ["gpkg", "shp"]
    shp = next(f for f in manifest.files if f.format == "shp")
    back = read_back(tmp_path, asdict(shp))
    assert back.count == 1
    assert back.frame["nom_itiner"].tolist() == ["Trek 1"] and back.frame["pratique"].tolist() == ["pédestre"]


# -- CSV, KML, FlatGeobuf, GeoParquet --------------------------------------------------------------------


def test_csv_keeps_a_row_whose_only_value_is_empty(shared_data: Path, tmp_path: Path) -> None:
    # no .dbf, one unreadable geometry: the only column (wkt) is empty, which must not become a blank line
    src = shared_data / "encoding/gdal_autotest/shp/buggymultipoly.shp"
    manifest = convert(src, tmp_path, ["csv"], ReadOptions(source_crs="EPSG:4326"))
    text = (tmp_path / manifest.files[0].path).read_text(encoding="utf-8")
    assert text.splitlines() == ['"wkt"', '""']
    assert pyogrio.read_info(tmp_path / manifest.files[0].path)["features"] == 1


def test_csv_lines_and_polygons_as_wkt(polygons) -> None:
    _, out, _ = polygons
    header = (out / _entries(out)["csv"]["path"]).read_text(encoding="utf-8").splitlines()[0]
    assert header == '"QUARTMNO","SQUARTMNO","LIBSQUART","wkt"'


def test_flatgeobuf_with_features_without_geometry(shared_data: Path, tmp_path: Path) -> None:
    src = (
        shared_data
        / "hiking/geotrek_admin_fixtures/trekking/tests/data/schema_randonnee_parser/incorrect_geoms.geojson"
    )
    manifest = convert(src, tmp_path, ["fgb"])
    df = pyogrio.read_dataframe(tmp_path / manifest.files[0].path)
    assert len(df) == 3 and df.geometry.isna().sum() == 2
    issue = next(i for i in manifest.report.issues if i.code == "FGB_NO_SPATIAL_INDEX")
    assert "--drop-empty" in issue.hint
    # with the empty features dropped, the index is kept and nothing is reported
    dropped = convert(src, tmp_path / "dropped", ["fgb"], options=ConvertOptions(drop_empty=True))
    assert dropped.files[0].feature_count == 1 and "FGB_NO_SPATIAL_INDEX" not in dropped.report.codes()


def test_geoparquet_metadata(polygons) -> None:
    _, out, _ = polygons
    entry = _entries(out)["parquet"]
    geo = json.loads(pq.ParquetFile(out / entry["path"]).metadata.metadata[b"geo"])
    column = geo["columns"][geo["primary_column"]]
    assert geo["version"] == "1.1.0" and column["encoding"] == "WKB"
    assert column["crs"]["id"] == {"authority": "EPSG", "code": 2154}
    assert column["geometry_types"] == ["MultiPolygon"]
    assert column["bbox"] == pytest.approx(entry["bbox"])
    assert gpd.read_parquet(out / entry["path"]).total_bounds == pytest.approx(entry["bbox"])


def test_tables_skip_geometry_only_formats(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"
    manifest = convert(src, tmp_path, ALL_FORMATS, ReadOptions(layer="N_MULTIALEA_PPRN_20180003_038"))
    assert sorted(f.format for f in manifest.files) == ["csv", "geojson", "gpkg", "parquet", "shp"]
    for f in manifest.files:
        back = read_back(tmp_path, asdict(f))
        assert back.count == f.feature_count == 90 and f.crs is None, f.format
    skipped = [i for i in manifest.report.issues if i.code == "FORMAT_NEEDS_GEOMETRY"]
    assert len(skipped) == 2
    assert not [i for i in manifest.report.issues if i.code == "WRITE_WARNING"]  # no "No SRS set on layer"
    geojson = json.loads((tmp_path / "N_MULTIALEA_PPRN_20180003_038.geojson").read_text(encoding="utf-8"))
    assert "crs" not in geojson and len(geojson["features"]) == 90
    assert all(f["geometry"] is None for f in geojson["features"])


# -- manifest and determinism ----------------------------------------------------------------------------


def test_manifest_describes_every_file(polygons) -> None:
    manifest, out, src = polygons
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data == manifest.to_dict() | {"files": data["files"]}
    assert sorted(p.name for p in out.iterdir()) == sorted([f["path"] for f in data["files"]] + ["manifest.json"])
    assert data["source"]["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    for f in data["files"]:
        raw = (out / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(raw).hexdigest() and f["size"] == len(raw), f["path"]
        assert f["feature_count"] == 31 and f["layer"] == "VilleMTP_MTP_SousQuartiers_2011"
        back = read_back(out, f)
        xmin, ymin, xmax, ymax = shapely.total_bounds(back.geometries)
        assert f["bbox"] == pytest.approx([xmin, ymin, xmax, ymax], abs=1e-6 if f["crs"] == "EPSG:4326" else 1e-3)
        lon0, lat0, lon1, lat1 = f["bbox_wgs84"]
        assert MONTPELLIER[0] < lon0 < lon1 < MONTPELLIER[2] and MONTPELLIER[1] < lat0 < lat1 < MONTPELLIER[3]


def test_same_input_same_bytes(polygons, tmp_path: Path) -> None:
    _, out, src = polygons
    again = tmp_path / "again"
    convert(src, again, ALL_FORMATS)
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    second = {p.name: p.read_bytes() for p in again.iterdir()}
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_geopackage_carries_the_source_date(polygons) -> None:
    _, out, _ = polygons
    with sqlite3.connect(out / _entries(out)["gpkg"]["path"]) as db:
        (stamp,) = db.execute("select last_change from gpkg_contents").fetchone()
    assert stamp == "2014-04-04T12:00:00Z"


# -- failures leave the output folder as it was ----------------------------------------------------------


class CancelAfter(NullFeedback):
    """Says "cancel" from the n-th time it is asked (each writer asks once per batch)."""

    def __init__(self, n: int) -> None:
        self.asked, self.n = 0, n

    def is_cancelled(self) -> bool:
        self.asked += 1
        return self.asked >= self.n


@pytest.mark.parametrize("after", [1, 3])
def test_cancel_leaves_the_output_folder_untouched(shared_data: Path, tmp_path: Path, snapshot, after: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    (out / "VilleMTP_MTP_SousQuartiers_2011.geojson").write_text("previous run", encoding="utf-8")
    before = snapshot(out)
    feedback = CancelAfter(after)
    with pytest.raises(CancelledError, match="was cancelled"):
        convert(shared_data / SOUS_QUARTIERS, out, ALL_FORMATS, feedback=feedback)
    assert feedback.asked == after  # stopped at once, did not go on writing
    assert snapshot(out) == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".odl-geo-staging")] == []


def test_cancel_does_not_create_the_output_folder(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(CancelledError):
        convert(shared_data / SOUS_QUARTIERS, tmp_path / "new" / "out", ["gpkg"], feedback=CancelAfter(1))
    assert not (tmp_path / "new" / "out").exists()


def test_input_error_leaves_an_existing_folder_untouched(shared_data: Path, tmp_path: Path, snapshot) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(InputError):
        convert(shared_data / "encoding/lizmap_montpellier_intranet/Monuments_Historiques.shp", out)
    assert snapshot(out) == before


def test_output_is_a_file(shared_data: Path, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match=r"taken exists and is not a folder") as err:
        convert(shared_data / SOUS_QUARTIERS, target, ["gpkg"])
    assert err.value.exit_code == 3 and target.read_text(encoding="utf-8") == "x"


def test_unknown_format(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"Unknown output format 'xls'") as err:
        convert(shared_data / SOUS_QUARTIERS, tmp_path / "out", ["gpkg", "xls"])
    assert "gpkg, geojson, shp, csv, kml, fgb, parquet" in err.value.hint
    assert not (tmp_path / "out").exists()


def test_kml_is_written_from_repaired_polygons_even_with_no_repair(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "encoding/lizmap_montpellier_intranet/VilleMTP_MTP_EspacesVertsSurface_2011.shp"
    manifest = convert(src, tmp_path, ["kml", "geojson"], options=ConvertOptions(repair=False))
    counts = {f.format: f.feature_count for f in manifest.files}
    assert counts == {"kml": 624, "geojson": 624}
    kml = pyogrio.read_dataframe(tmp_path / "VilleMTP_MTP_EspacesVertsSurface_2011.kml")
    geojson = pyogrio.read_dataframe(tmp_path / "VilleMTP_MTP_EspacesVertsSurface_2011.geojson")
    assert kml.geometry.is_valid.all()
    assert (~geojson.geometry.is_valid).sum() == 2  # --no-repair honoured where the format allows it
    assert "KML_REPAIRED" in manifest.report.codes()
