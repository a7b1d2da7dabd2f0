"""Normalisation pieces on real inputs: field names, geometry repairs, WKB headers and recovery, text clean-ups."""

from __future__ import annotations

import json
import struct
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyogrio
import pytest
import shapely

from odl_geo import ReadOptions
from odl_geo.conversion import ConvertOptions, convert
from odl_geo.normalise.attributes import decimal_comma_columns, to_float_decimal_comma, unescape_html
from odl_geo.normalise.fields import clean_names, truncate_names
from odl_geo.normalise.geometry import make_valid, promote_to_multi, wkb_type_codes
from odl_geo.normalise.wkb_recovery import recover_wkb

if TYPE_CHECKING:
    from pathlib import Path

HIKING = "hiking/geotrek_admin_fixtures"
SINGLE_POINT_SEGMENT = f"{HIKING}/trekking/tests/data/apidae_trek_parser/trace_with_single_point_segment.gpx"


def raw_geometry_column(path: Path, **kwargs: object) -> pa.Array:
    """The WKB column exactly as GDAL's Arrow stream hands it to the pipeline."""
    with pyogrio.open_arrow(path, use_pyarrow=True, **kwargs) as (meta, reader):
        table = reader.read_all()
    return table.column(meta["geometry_name"] or "wkb_geometry").combine_chunks()


# -- field names -----------------------------------------------------------------------------------------


def test_clean_names() -> None:
    names = ["Column with a\nline break", " id ", "\ufeffid", "fid", "geometry", "", "name", "NAME", "tab\there"]
    assert clean_names(names) == {
        "Column with a\nline break": "Column with a line break",
        " id ": "id",
        "\ufeffid": "id_2",  # a BOM glued to a name, and a clash with the trimmed " id "
        "fid": "fid_",  # reserved by GeoPackage
        "geometry": "geometry_",
        "": "field_6",
        "name": "name",
        "NAME": "NAME_2",  # unique ignoring case: Shapefile and PostGIS fold case
        "tab\there": "tab here",
    }


def test_truncation_is_unique_and_counts_bytes() -> None:
    names = ["DÉPARTEMENT_1", "DÉPARTEMENT_2", "ÉÉÉÉÉÉ", "NOM_COMMUNE_X", "NOM_COMMUN", "altitude_max", "altitude_min"]
    out = truncate_names(names, 10)
    assert out == {
        "DÉPARTEMENT_1": "DÉPARTEME",  # É is 2 bytes: 10 bytes, 9 characters
        "DÉPARTEMENT_2": "DÉPARTE_2",
        "ÉÉÉÉÉÉ": "ÉÉÉÉÉ",  # never half a character
        "NOM_COMMUNE_X": "NOM_COMMUN",
        "NOM_COMMUN": "NOM_COMM_2",
        "altitude_max": "altitude_m",
        "altitude_min": "altitude_2",
    }
    assert len({v.lower() for v in out.values()}) == len(names)
    assert all(len(v.encode("utf-8")) <= 10 for v in out.values())


def test_truncation_of_a_real_layer_stays_unique(shared_data: Path) -> None:
    info = pyogrio.read_info(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json")
    names = [str(n) for n in info["fields"]]
    assert len(names) == 38
    out = truncate_names(names, 10)
    assert len({v.lower() for v in out.values()}) == 38
    assert all(len(v.encode("utf-8")) <= 10 for v in out.values())
    assert out["altitude_max"] != out["altitude_min"]


# -- geometry repairs ------------------------------------------------------------------------------------


def test_make_valid_repairs_the_self_intersecting_polygon(shared_data: Path) -> None:
    df = pyogrio.read_dataframe(shared_data / f"{HIKING}/zoning/tests/data/polygon_not_valid.geojson")
    geoms = np.asarray(df.geometry.values)
    assert not shapely.is_valid(geoms[0]) and "Self-intersection" in shapely.is_valid_reason(geoms[0])
    fixed, repaired, kept = make_valid(geoms)
    assert repaired.tolist() == [0] and kept.tolist() == []
    assert shapely.is_valid(fixed[0])
    assert fixed[0].geom_type in ("Polygon", "MultiPolygon")  # still polygonal, not a GeometryCollection
    assert fixed[0].area == pytest.approx(geoms[0].area) == pytest.approx(8.0)
    assert geoms[0] is not fixed[0] and not shapely.is_valid(geoms[0])  # the input array is left as it was


def test_make_valid_leaves_degenerate_lines_and_reports_them(shared_data: Path) -> None:
    df = pyogrio.read_dataframe(shared_data / f"{HIKING}/core/tests/data/bad_path.geojson")
    geoms = np.asarray(df.geometry.values)
    out, repaired, kept = make_valid(geoms)
    assert repaired.tolist() == [] and kept.tolist() == [0]
    assert out[0].equals(geoms[0])


def test_repair_in_a_real_conversion(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "encoding/lizmap_montpellier_intranet/VilleMTP_MTP_EspacesVertsSurface_2011.shp"
    before = pyogrio.read_dataframe(src)
    assert (~before.geometry.is_valid).sum() == 2
    manifest = convert(src, tmp_path / "out", ["gpkg"])
    after = pyogrio.read_dataframe(tmp_path / "out" / manifest.files[0].path)
    assert len(after) == 624 and after.geometry.is_valid.all()
    assert set(after.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    repaired = next(i for i in manifest.report.issues if i.code == "GEOM_INVALID_REPAIRED")
    assert repaired.count == 2
    assert after.geometry.area.sum() == pytest.approx(before.geometry.buffer(0).area.sum(), rel=1e-6)


def test_promote_to_multi() -> None:
    geoms = np.array(
        [
            shapely.Point(1, 2),
            shapely.LineString([(0, 0), (1, 1)]),
            shapely.Polygon([(0, 0), (1, 0), (1, 1)]),
            shapely.LineString([(0, 0, 5), (1, 1, 6)]),
            shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]),
            None,
        ],
        dtype=object,
    )
    out = promote_to_multi(geoms)
    types = [g.geom_type if g is not None else None for g in out]
    assert types == ["MultiPoint", "MultiLineString", "MultiPolygon", "MultiLineString", "MultiPolygon", None]
    assert out[2].geoms[0].equals(geoms[2])
    assert out[3].has_z and out[3].geoms[0].coords[:] == [(0, 0, 5), (1, 1, 6)]
    assert not out[1].has_z
    # points stay single unless the layer holds MultiPoints (a Point shapefile cannot hold a MultiPoint)
    kept = promote_to_multi(geoms, points=False)
    assert kept[0].geom_type == "Point" and kept[1].geom_type == "MultiLineString"
    assert geoms[0].geom_type == "Point"  # input untouched


def test_promote_linear_ring_stays_2d() -> None:
    ring = shapely.LinearRing([(0, 0), (1, 0), (1, 1), (0, 0)])
    (out,) = promote_to_multi(np.array([ring], dtype=object))
    assert out.geom_type == "MultiLineString"
    assert not out.has_z and out.geoms[0].coords[:] == ring.coords[:]


# -- WKB headers -----------------------------------------------------------------------------------------


def test_wkb_type_codes_from_a_real_stream(shared_data: Path) -> None:
    tracks = raw_geometry_column(shared_data / "encoding/gdal_autotest/gpx/test.gpx", layer="tracks")
    # GDAL hands the two empty tracks over as empty MultiLineStrings (the pipeline makes them null later)
    assert wkb_type_codes(tracks).tolist() == [5, 5, 5]
    assert shapely.is_empty(shapely.from_wkb(tracks.to_numpy(zero_copy_only=False))).tolist() == [False, True, True]
    kml = raw_geometry_column(shared_data / f"{HIKING}/trekking/tests/data/apidae_trek_parser/trace.kml", layer=0)
    assert wkb_type_codes(kml).tolist() == [1001, 1005]  # KML carries Z: Point Z, MultiLineString Z
    sliced = kml.slice(1, 1)  # an Arrow slice keeps the parent's buffers: the offset must be honoured
    assert wkb_type_codes(sliced).tolist() == [1005]


def test_wkb_type_codes_byte_orders_and_ewkb() -> None:
    pt = shapely.Point(1, 2, 3)
    values = [
        shapely.to_wkb(pt, flavor="iso", byte_order=1),
        shapely.to_wkb(pt, flavor="iso", byte_order=0),
        shapely.to_wkb(pt, flavor="extended", byte_order=1),  # EWKB: Z flag 0x80000000
        shapely.to_wkb(shapely.Polygon([(0, 0), (1, 0), (1, 1)]), byte_order=0),
        None,
        b"\x01\x02",  # too short to hold a header
    ]
    assert wkb_type_codes(pa.array(values, type=pa.binary())).tolist() == [1001, 1001, 1001, 3, -1, -1]
    assert wkb_type_codes(pa.array([], type=pa.binary())).tolist() == []


# -- WKB recovery ----------------------------------------------------------------------------------------


def test_recover_the_gpx_track_with_a_one_point_segment(shared_data: Path) -> None:
    raw = raw_geometry_column(shared_data / SINGLE_POINT_SEGMENT, layer="tracks")[0].as_py()
    with pytest.warns(Warning, match="point array must contain 0 or >1 elements"):
        assert shapely.from_wkb(raw, on_invalid="warn") is None  # GEOS refuses the whole track
    track = recover_wkb(raw)
    assert track is not None and track.geom_type == "MultiLineString" and track.is_valid
    assert [len(p.coords) for p in track.geoms] == [6, 8]
    assert track.geoms[0].coords[0] == pytest.approx((6.588397281348481, 45.969096946431875))


def test_recover_polygon_rings_and_garbage() -> None:
    def ring(points: list[tuple[float, float]]) -> bytes:
        return struct.pack("<I", len(points)) + b"".join(struct.pack("<dd", *p) for p in points)

    square = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]
    two_points = [(1.0, 1.0), (2.0, 2.0)]
    polygon = struct.pack("<BII", 1, 3, 2) + ring(square) + ring(two_points)  # a hole of two points
    fixed = recover_wkb(polygon)
    assert fixed is not None and fixed.equals(shapely.box(0, 0, 4, 4))
    assert recover_wkb(polygon[:20]) is None  # cut off
    assert recover_wkb(b"") is None


# -- attribute text --------------------------------------------------------------------------------------


def test_decimal_commas() -> None:
    batch = pa.record_batch(
        {
            "lon": pa.array(["3,87576", " -1,5 ", None, "4"]),
            "code": pa.array(["12", "7", None, "3"]),  # no comma at all: stays text (codes keep leading zeros)
            "name": pa.array(["a,b", "x", None, "y"]),
        }
    )
    assert decimal_comma_columns(batch, set()) == ["lon"]
    assert decimal_comma_columns(batch, {"lon"}) == []
    values, bad = to_float_decimal_comma(pa.array(["3,87576", " -1,5 ", None, "n/a"]))
    assert values.to_pylist() == [3.87576, -1.5, None, None] and bad == 1


def test_decimal_commas_in_the_montpellier_csv(shared_data: Path, tmp_path: Path) -> None:
    manifest = convert(
        shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", tmp_path, ["gpkg"]
    )
    df = pyogrio.read_dataframe(tmp_path / manifest.files[0].path)
    assert len(df) == 48 and df["Longitude"].dtype.kind == "f" and df["Latitude"].dtype.kind == "f"
    assert df["Longitude"].between(3.7, 4.0).all() and df["Latitude"].between(43.5, 43.7).all()


def test_html_entities_unit() -> None:
    col = pa.array(["Cr&ecirc;te &laquo;nord&raquo;", "&#233;t&#xE9;", None, "plain", "?id=3&region=oc&amp;x=1"])
    out, changed = unescape_html(col)
    assert out.to_pylist() == ["Crête «nord»", "été", None, "plain", "?id=3&region=oc&x=1"]
    assert changed == 3
    same, none = unescape_html(pa.array(["no entity", "AT&T"]))
    assert none == 0 and same.to_pylist() == ["no entity", "AT&T"]


def test_decode_html_on_the_cevennes_trails(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json"
    assert "&eacute;" in src.read_text(encoding="utf-8")
    manifest = convert(src, tmp_path / "on", ["geojson"], options=ConvertOptions(decode_html=True))
    data = json.loads((tmp_path / "on" / manifest.files[0].path).read_text(encoding="utf-8"))
    text = json.dumps([f["properties"] for f in data["features"]], ensure_ascii=False)
    assert "é" in text and "&eacute;" not in text and "&agrave;" not in text and "&laquo;" not in text
    assert len(data["features"]) == 8
    assert "FIELD_HTML_DECODED" in manifest.report.codes()
    # without the option the text is published as it came
    off = convert(src, tmp_path / "off", ["geojson"])
    assert "&eacute;" in (tmp_path / "off" / off.files[0].path).read_text(encoding="utf-8")


# -- warnings --------------------------------------------------------------------------------------------


def one_point_geojson(folder: Path) -> Path:
    path = folder / "une_fontaine.geojson"
    point = {"type": "Point", "coordinates": [3.87, 43.61]}
    feature = {"type": "Feature", "properties": {"nom": "Fontaine"}, "geometry": point}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path


def test_reprojecting_one_point_raises_no_warning(tmp_path: Path) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a numpy deprecation (pyproj's one-point path) would fail here
        manifest = convert(one_point_geojson(tmp_path), tmp_path / "out", ["gpkg", "fgb", "csv"])
    assert [f.feature_count for f in manifest.files] == [1, 1, 1]
    assert not [i for i in manifest.report.issues if i.severity != "info"], manifest.report.issues
    got = pyogrio.read_dataframe(tmp_path / "out" / "une_fontaine.gpkg")
    assert (round(got.geometry[0].x), round(got.geometry[0].y)) == (770255, 6279381)


def test_only_gdal_warnings_are_reported_as_gdal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import warnings

    from odl_geo.normalise import pipeline

    csv = tmp_path / "points.csv"
    csv.write_text('id,WKT\n1,"POINT (770000 6280000)"\n2,"POINT (770100"\n', encoding="utf-8")
    real = pipeline.LayerStream._normalise

    def noisy(self: pipeline.LayerStream, *args: object) -> pa.RecordBatch:
        warnings.warn("numpy: something deprecated", RuntimeWarning, stacklevel=1)  # as numpy/shapely would
        return real(self, *args)

    monkeypatch.setattr(pipeline.LayerStream, "_normalise", noisy)
    with pytest.warns(RuntimeWarning, match="numpy: something deprecated"):
        manifest = convert(csv, tmp_path / "out", ["gpkg"], ReadOptions(source_crs="EPSG:2154"))
    gdal = [i.message for i in manifest.report.issues if i.code == "GDAL_WARNING"]
    assert gdal and all(m.startswith("GDAL: ") for m in gdal)
    assert any("Ignoring invalid WKT" in m for m in gdal)  # GDAL's own warning, still reported
    assert not [i for i in manifest.report.issues if "numpy" in i.message]  # neither GDAL_ nor WRITE_WARNING


def test_gdal_writer_warnings_are_reported_and_python_warnings_restored(tmp_path: Path) -> None:
    import warnings

    path = tmp_path / "debits.geojson"
    features = [
        {"type": "Feature", "properties": {"debit": value}, "geometry": {"type": "Point", "coordinates": [3.87, 43.6]}}
        for value in (1e300, 1.5)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    before = (warnings.showwarning, list(warnings.filters))
    manifest = convert(path, tmp_path / "out", ["gpkg", "shp", "geojson"])
    written = [i.message for i in manifest.report.issues if i.code == "WRITE_WARNING"]
    assert len(written) == 1 and written[0].startswith("shp: Value 1.0000000000000001e+300 of field debit")
    assert not [i for i in manifest.report.issues if i.code == "GDAL_WARNING"]  # a writer's, not the reading's
    # the capture of each stream and of each writer overlap; once all are closed, nothing of them is left
    assert (warnings.showwarning, list(warnings.filters)) == before
