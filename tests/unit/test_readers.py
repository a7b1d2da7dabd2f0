"""Each reader family on the real files of ../shared/data: what it finds, how it decodes, what it reports.

Attribute values are checked on what the readers hand to the writers (a normalised :class:`LayerStream`),
so a wrong encoding guess shows up as a wrong string here, not only as a wrong label.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from odl_geo import (
    CrsError,
    InputError,
    ReadOptions,
    Severity,
    SourceNotFoundError,
    UnsupportedSourceError,
    convert,
    inspect_source,
    open_source,
)
from odl_geo.normalise.options import NormaliseOptions
from odl_geo.normalise.pipeline import LayerStream
from odl_geo.normalise.scan import scan_geometries

if TYPE_CHECKING:
    from odl_geo.sources.layer import LayerSource

INTRANET = "encoding/lizmap_montpellier_intranet"
DEMO = "encoding/lizmap_montpellier_demo"
GDAL = "encoding/gdal_autotest"
APIDAE = "hiking/geotrek_admin_fixtures/trekking/tests/data/apidae_trek_parser"
FOUNTAINS = "water/montpellier_bornes_fontaines"
PPRM_GPKG = "flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg"


def stream(layer: LayerSource) -> tuple[pa.Table, list[object], set[str]]:
    """The layer as the writers receive it: attributes, shapely geometries, issue codes."""
    s = LayerStream(layer, NormaliseOptions(), scan_geometries(layer))
    table = pa.Table.from_batches(list(s.batches()))
    geoms: list[object] = []
    if "geometry" in table.column_names:
        geoms = list(shapely.from_wkb(table.column("geometry").to_numpy(zero_copy_only=False)))
        table = table.drop_columns(["geometry"])
    return table, geoms, {i.code for i in layer.issues.issues} | {i.code for i in s.report.issues}


def only_layer(path: Path, options: ReadOptions | None = None) -> tuple[pa.Table, list[object], set[str], LayerSource]:
    with open_source(path, options) as src:
        assert len(src.layers) == 1, [lyr.name for lyr in src.layers]
        layer = src.layers[0]
        table, geoms, codes = stream(layer)
        return table, geoms, codes, layer


def column(table: pa.Table, name: str) -> list[object]:
    return table.column(name).to_pylist()


# -- Shapefile -------------------------------------------------------------------------------------------


def test_shapefile_cpg_iso_8859_1_is_honoured(shared_data: Path) -> None:
    table, geoms, _, layer = only_layer(shared_data / DEMO / "VilleMTP_MTP_SousQuartiers_2011.shp")
    assert layer.encoding_guess is not None
    assert (layer.encoding_guess.how, layer.encoding_guess.declared) == ("cpg", "ISO-8859-1")
    names = column(table, "LIBSQUART")
    assert len(names) == 31
    assert {"Comédie", "Millénaire"} <= set(names)
    assert not any("\ufffd" in n or "Ã" in n for n in names)
    assert layer.crs is not None and layer.crs.to_epsg() == 2154  # IGNF:LAMB93 mapped to its EPSG twin
    assert all(shapely.is_valid(g) for g in geoms)


def test_shapefile_cpg_windows_1252(shared_data: Path) -> None:
    _, _, _, layer = only_layer(shared_data / "hiking/geotrek_admin_fixtures/trekking/tests/data/trek.shp")
    assert layer.encoding_guess is not None
    assert (layer.encoding_guess.encoding, layer.encoding_guess.how) == ("CP1252", "cpg")


def test_shapefile_without_cpg_uses_ldid_cp1252(shared_data: Path) -> None:
    table, geoms, codes, layer = only_layer(shared_data / GDAL / "shp/departs.shp", ReadOptions(source_crs="EPSG:4326"))
    assert layer.encoding_guess is not None
    assert (layer.encoding_guess.encoding, layer.encoding_guess.how) == ("CP1252", "ldid")
    # the field name itself is CP1252 in the dbf header (0xE9)
    assert "NOMDéPART" in table.column_names
    assert column(table, "NOMDéPART") == ["Frédéric", "Bàlicôt", "Pallaïssou"]
    assert "ENCODING_GUESSED" not in codes  # declared by the LDID, nothing was guessed
    assert [g.geom_type for g in geoms] == ["Point"] * 3


def test_latin1_dbf_with_ldid_0_is_detected_as_cp1252(shared_data: Path) -> None:
    path = shared_data / INTRANET / "ArbRemarq_point.shp"
    table, _, codes, layer = only_layer(path, ReadOptions(source_crs="EPSG:4326"))
    assert layer.encoding_guess is not None
    assert (layer.encoding_guess.encoding, layer.encoding_guess.how) == ("CP1252", "detected")
    assert "ENCODING_GUESSED" in codes
    assert "Chêne pubescent" in column(table, "NOM_USUEL")
    assert "RARETÉ" in table.column_names  # Latin-1 byte 0xC9 in the dbf header
    assert table.num_rows == 71
    assert all(isinstance(v, float) for v in column(table, "LONGITUDE"))


def test_utf8_dbf_with_ldid_0_is_detected_as_utf8(shared_data: Path) -> None:
    table, geoms, codes, layer = only_layer(shared_data / DEMO / "tram_stops.shp")
    assert layer.encoding_guess is not None
    assert (layer.encoding_guess.encoding, layer.encoding_guess.how) == ("UTF-8", "detected")
    names = column(table, "name")
    assert "Stade Philippidès" in names and "Saint-Éloi" in names
    assert not any(isinstance(n, str) and "Ã" in n for n in names)  # not decoded twice
    assert table.num_rows == 174 and all(g.geom_type == "Point" for g in geoms)
    assert layer.crs is not None and layer.crs.to_epsg() == 4326
    assert "ENCODING_GUESSED" in codes


def test_cpg_declaring_1252_on_utf8_text_is_caught(data_copy) -> None:
    shp = data_copy(f"{DEMO}/tram_stops.shp")
    shp.with_suffix(".cpg").write_text("1252", encoding="ascii")  # what ArcGIS writes for Windows-1252
    table, _, codes, layer = only_layer(shp)
    assert layer.encoding_guess is not None
    assert (layer.encoding_guess.encoding, layer.encoding_guess.declared) == ("UTF-8", "1252")
    names = column(table, "name")
    assert "Stade Philippidès" in names and "Saint-Éloi" in names
    assert not any(isinstance(n, str) and "Ã" in n for n in names)
    wrong = next(i for i in layer.issues.issues if i.code == "ENCODING_CPG_WRONG")
    assert wrong.severity is Severity.WARNING
    assert wrong.message == "tram_stops.dbf: the .cpg says 1252 but the text is UTF-8; it was read as UTF-8."
    assert "ENCODING_CPG_WRONG" in codes


def test_cpg_declaring_a_code_page_on_latin_text_is_honoured(shared_data: Path) -> None:
    table, _, codes, layer = only_layer(shared_data / DEMO / "VilleMTP_MTP_SousQuartiers_2011.shp")
    assert layer.encoding_guess is not None and layer.encoding_guess.how == "cpg"
    assert "ENCODING_CPG_WRONG" not in codes and "Comédie" in column(table, "LIBSQUART")


def test_user_encoding_overrides_detection(shared_data: Path) -> None:
    # wrong on purpose: UTF-8 text read as CP1252 gives mojibake, which proves the option is applied
    table, _, _, layer = only_layer(shared_data / DEMO / "tram_stops.shp", ReadOptions(encoding="cp1252"))
    assert layer.encoding_guess is not None
    assert (layer.encoding_guess.encoding, layer.encoding_guess.how) == ("CP1252", "user")
    assert "Stade PhilippidÃ¨s" in column(table, "name")


def test_missing_shx_is_rebuilt_in_a_temporary_copy(data_copy, snapshot) -> None:
    shp = data_copy("encoding/pyshp_fixtures/latin1.shp")
    before = snapshot(shp.parent)
    assert sorted(before) == ["latin1.dbf", "latin1.shp"]
    with open_source(shp, ReadOptions(source_crs="EPSG:4326")) as src:
        layer = src.layers[0]
        workdir = src.workdir
        assert Path(layer.gdal_path).parent != shp.parent
        assert Path(layer.gdal_path).is_relative_to(workdir)
        table, geoms, codes = stream(layer)
        assert Path(layer.gdal_path).with_suffix(".shx").exists()  # GDAL rebuilt it there
    assert "SHP_NO_SHX" in codes
    assert column(table, "Name") == ["Ñandú"]
    assert len(geoms) == 1 and geoms[0].geom_type == "Polygon" and geoms[0].is_valid
    assert not workdir.exists(), "the temporary copy is removed when the source is closed"
    assert snapshot(shp.parent) == before


def test_missing_prj_is_an_error_with_the_likely_crs(data_copy) -> None:
    shp = data_copy(f"{INTRANET}/Monuments_Historiques.shp")
    with pytest.raises(CrsError, match=r"Monuments_Historiques\.shp has no \.prj file") as err:
        convert(shp, shp.parent.parent / "out")
    assert "--source-crs EPSG:2154" in err.value.hint
    assert not (shp.parent.parent / "out").exists()
    layers, _ = inspect_source(shp)
    assert layers[0].crs is None and "CRS_MISSING" in layers[0].report.codes()
    assert layers[0].encoding == "CP1252" and layers[0].encoding_how == "ldid"
    assert layers[0].geometry_types == {"Polygon": 101, "MultiPolygon": 4}


def test_missing_dbf_reads_geometries_with_a_warning(shared_data: Path) -> None:
    with open_source(shared_data / GDAL / "shp/buggymultipoly.shp", ReadOptions(source_crs="EPSG:4326")) as src:
        layer = src.layers[0]
        issue = next(i for i in layer.issues.issues if i.code == "SHP_NO_DBF")
        assert issue.severity == "warning" and "buggymultipoly.shp has no .dbf" in issue.message
        assert layer.fields == [] and layer.feature_count == 1
        _, geoms, codes = stream(layer)
    assert geoms == [None] and "GEOM_EMPTY" in codes  # the corrupt record is kept, without geometry


def test_dbf_alone_is_a_table(shared_data: Path) -> None:
    table, geoms, _, layer = only_layer(shared_data / GDAL / "shp/weird_header_length.dbf")
    assert not layer.has_geometry and geoms == []
    table_only = next(i for i in layer.issues.issues if i.code == "SHP_TABLE_ONLY")
    assert table_only.severity is Severity.WARNING  # seen without --verbose
    assert "has no .shp beside it: it is read as a table without geometry" in table_only.message
    assert table.num_rows == 1 and table.num_columns >= 1


def test_dbf_of_a_complete_set_reads_the_shapefile(shared_data: Path) -> None:
    table, geoms, _, layer = only_layer(shared_data / "hiking/geotrek_admin_fixtures/trekking/tests/data/trek.dbf")
    assert layer.has_geometry and [g.geom_type for g in geoms] == ["LineString"]
    assert "Name" in table.column_names


def test_sidecar_names_the_dataset_to_open(shared_data: Path) -> None:
    with pytest.raises(UnsupportedSourceError, match=r"departs\.shx is a sidecar file of departs\.shp") as err:
        open_source(shared_data / GDAL / "shp/departs.shx")
    assert "Give departs.shp instead" in err.value.hint
    with pytest.raises(UnsupportedSourceError, match=r"all_geoms\.dat is a sidecar file of all_geoms\.tab"):
        open_source(shared_data / GDAL / "mitab/all_geoms.dat")


# -- GeoPackage ------------------------------------------------------------------------------------------

PPRM_LAYERS = {
    "pprm_38ddt20180002_zonereglementaireurba_s": 380,
    "pprm_38ddt20180002_perimetre_s": 1,
    "pprm_38ddt20180002_zonealeareference_33_s": 59,
    "pprm_38ddt20180002_zonealeareference_314_s": 41,
    "pprm_38ddt20180002_zonealeareference_312_s": 120,
    "pprm_38ddt20180002_referenceinternet": 1,
    "pprm_38ddt20180002_procedure": 1,
}


def test_geopackage_lists_its_seven_layers(shared_data: Path) -> None:
    with open_source(shared_data / PPRM_GPKG) as src:
        assert {lyr.name: lyr.feature_count for lyr in src.layers} == PPRM_LAYERS
        tables = {lyr.name for lyr in src.layers if not lyr.has_geometry}
        assert tables == {"pprm_38ddt20180002_referenceinternet", "pprm_38ddt20180002_procedure"}
        for lyr in src.layers:
            if lyr.has_geometry:
                assert lyr.crs is not None and lyr.crs.to_epsg() == 2154, lyr.name
        aleas = next(lyr for lyr in src.layers if lyr.name.endswith("_33_s"))
        table, geoms, _ = stream(aleas)
        # schema drift kept as is: the column is "occurence" (String), not the standard's "occurrence"
        assert "occurence" in table.column_names
        assert len(geoms) == 59 and all(g.is_valid for g in geoms)


def test_geopackage_layer_selection(shared_data: Path) -> None:
    with open_source(shared_data / PPRM_GPKG, ReadOptions(layer="PPRM_38DDT20180002_PERIMETRE_S")) as src:
        assert [lyr.name for lyr in src.layers] == ["pprm_38ddt20180002_perimetre_s"]
        _, geoms, _ = stream(src.layers[0])
    assert [g.geom_type for g in geoms] == ["MultiPolygon"]


def test_geopackage_unknown_layer_lists_the_layers(shared_data: Path) -> None:
    with pytest.raises(InputError, match=r"pprm_38ddt20180002\.gpkg has no layer named 'zones'") as err:
        open_source(shared_data / PPRM_GPKG, ReadOptions(layer="zones"))
    for name in PPRM_LAYERS:
        assert name in err.value.hint


# -- GeoJSON ---------------------------------------------------------------------------------------------


def test_geojson_crs84_is_wgs84(shared_data: Path) -> None:
    table, geoms, codes, layer = only_layer(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json")
    assert layer.crs is not None and layer.crs.to_epsg() == 4326 and layer.crs_how == "declared"
    assert table.num_rows == 8 and [g.geom_type for g in geoms] == ["LineString"] * 8
    assert not {c for c in codes if c.startswith("CRS_")}
    # the HTML entities are kept unless --decode-html is given (see test_normalise)
    assert any("&eacute;" in (v or "") for v in column(table, "presentation"))


def test_geojson_with_projected_coordinates_is_refused(shared_data: Path) -> None:
    path = shared_data / "hiking/geotrek_admin_fixtures/core/tests/data/bad_srid.geojson"
    with open_source(path) as src:
        issue = next(i for i in src.layers[0].issues.issues if i.code == "CRS_COORDS_NOT_DEGREES")
    assert issue.severity == "error"
    assert "300,000,000" in issue.message and "not degrees" in issue.message
    with pytest.raises(CrsError, match=r"bad_srid\.geojson: .*which are not degrees"):
        convert(path, Path(str(path.parent)) / "never-created")


def test_geojson_without_crs_member_is_wgs84_implied_by_rfc_7946(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / FOUNTAINS / "VilleMTP_MTP_Fontaines.geojson"  # no "crs" member
    _, _, codes, layer = only_layer(path)
    assert layer.crs is not None and layer.crs.to_epsg() == 4326 and layer.crs_how == "implied"
    assert not {c for c in codes if c.startswith("CRS_")}
    _, _, _, zipped_layer = only_layer(zipped([path], tmp_path / "f.zip"))  # read through the archive
    assert zipped_layer.crs_how == "implied"


def test_lambert93_geojson_without_crs_gets_the_epsg_2154_hint(tmp_path: Path) -> None:
    # RFC 7946 says WGS 84; a SIG export of Montpellier fountains in Lambert-93 metres without "crs" is wrong
    features = [
        {"type": "Feature", "properties": {"nom": nom}, "geometry": {"type": "Point", "coordinates": xy}}
        for nom, xy in (("Fontaine", [770123.45, 6279876.5]), ("Borne", [771010.2, 6280254.75]))
    ]
    path = tmp_path / "fontaines_l93.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    with pytest.raises(CrsError) as err:
        convert(path, tmp_path / "out", ["gpkg"])
    assert "fontaines_l93.geojson: The layer says its coordinates are longitude/latitude" in err.value.message
    assert "771,010, 6,280,255, which are not degrees" in err.value.message
    assert err.value.hint == "The coordinates look like RGF93 / Lambert-93: add --source-crs EPSG:2154."
    manifest = convert(path, tmp_path / "out", ["gpkg"], ReadOptions(source_crs="EPSG:2154"))
    assert manifest.files[0].feature_count == 2 and "CRS_OVERRIDDEN" in manifest.report.codes()


def test_geojson_null_and_empty_geometries_are_kept(shared_data: Path) -> None:
    base = shared_data / "hiking/geotrek_admin_fixtures/trekking/tests/data"
    table, geoms, codes, _ = only_layer(base / "empty_geom.geojson")
    assert table.num_rows == 1 and geoms == [None] and "GEOM_EMPTY" in codes
    table, geoms, codes, _ = only_layer(base / "schema_randonnee_parser/incorrect_geoms.geojson")
    assert [g.geom_type if g else None for g in geoms] == ["MultiLineString", None, None]
    assert "GEOM_EMPTY" in codes


# -- KML / KMZ -------------------------------------------------------------------------------------------


def test_kml_and_kmz_give_the_same_features(shared_data: Path) -> None:
    kml_table, kml_geoms, _, _ = only_layer(shared_data / APIDAE / "trace.kml")
    kmz_table, kmz_geoms, _, _ = only_layer(shared_data / APIDAE / "trace.kmz")
    assert [g.geom_type for g in kml_geoms] == ["Point", "MultiLineString"]
    assert kml_table.equals(kmz_table)
    assert [g.wkb for g in kml_geoms] == [g.wkb for g in kmz_geoms]
    assert column(kml_table, "Name") == ["A trace for my test trek", "route"]
    assert len(kml_geoms[1].geoms[0].coords) > 50


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (f"{GDAL}/kml/truncated.kml", 35),
        ("hiking/geotrek_admin_fixtures/trekking/tests/data/file_bad_encoding.kml", 5),
        ("hiking/geotrek_admin_fixtures/trekking/tests/data/file_good_encoding.kml", 5),
    ],
)
def test_broken_kml_is_one_clear_error(shared_data: Path, name: str, line: int) -> None:
    path = shared_data / name
    with pytest.raises(UnsupportedSourceError, match=rf"{path.name} is not a readable KML file.*near line {line}"):
        open_source(path)


def test_a_broken_member_does_not_hide_the_others(shared_data: Path) -> None:
    with open_source(shared_data / GDAL / "kml") as src:
        assert {lyr.name: lyr.feature_count for lyr in src.layers} == {"geometries": 25, "non_conformant_multi": 3}
        unreadable = src.issues.by_severity(Severity.ERROR)
    assert [i.code for i in unreadable] == ["SOURCE_MEMBER_UNREADABLE"]
    assert "truncated.kml" in unreadable[0].message


# -- GPX -------------------------------------------------------------------------------------------------


def test_gpx_tracks_routes_and_waypoints(shared_data: Path) -> None:
    with open_source(shared_data / GDAL / "gpx/test.gpx") as src:
        assert {lyr.name: lyr.feature_count for lyr in src.layers} == {"waypoints": 2, "routes": 2, "tracks": 3}
        geoms = {lyr.name: stream(lyr)[1] for lyr in src.layers}
    assert [g.geom_type if g else None for g in geoms["tracks"]] == ["MultiLineString", None, None]
    assert [g.geom_type if g else None for g in geoms["routes"]] == ["LineString", None]
    with open_source(shared_data / GDAL / "gpx/test.gpx", ReadOptions(gpx_points=True)) as src:
        counts = {lyr.name: lyr.feature_count for lyr in src.layers}
    assert (counts["route_points"], counts["track_points"]) == (3, 4)


def test_gpx_route_where_a_track_is_expected(shared_data: Path) -> None:
    _, geoms, _, layer = only_layer(shared_data / APIDAE / "trace_with_route_points.gpx")
    assert layer.name == "routes"
    assert [g.geom_type for g in geoms] == ["LineString"] and len(geoms[0].coords) == 13


def test_gpx_waypoints_in_metres_get_the_epsg_2154_hint(tmp_path: Path) -> None:
    path = tmp_path / "bornes.gpx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="export SIG" xmlns="http://www.topografix.com/GPX/1/1">\n'
        '  <wpt lat="6279876.5" lon="770123.45"><name>Fontaine de l\'Écusson</name></wpt>\n'
        '  <wpt lat="6280254.75" lon="771010.2"><name>Borne Comédie</name></wpt>\n'
        "</gpx>\n",
        encoding="utf-8",
    )
    with pytest.raises(CrsError) as err:
        convert(path, tmp_path / "out")
    assert err.value.message.startswith("bornes.gpx:waypoints: The layer says its coordinates are longitude/latitude")
    assert "add --source-crs EPSG:2154" in err.value.hint
    assert not (tmp_path / "out").exists()


def test_empty_gpx_is_a_clear_error(shared_data: Path) -> None:
    with pytest.raises(InputError, match=r"trace_with_no_feature\.gpx holds no waypoint, route or track") as err:
        open_source(shared_data / APIDAE / "trace_with_no_feature.gpx")
    assert err.value.hint


def test_gpx_single_point_segment_is_recovered(shared_data: Path) -> None:
    _, geoms, codes, _ = only_layer(shared_data / APIDAE / "trace_with_single_point_segment.gpx")
    assert "GEOM_PARTS_DROPPED" in codes and "GEOM_UNREADABLE" not in codes
    (track,) = geoms
    assert track.geom_type == "MultiLineString" and track.is_valid
    assert [len(part.coords) for part in track.geoms] == [6, 8]  # the 1-point segment alone is gone


# -- MapInfo ---------------------------------------------------------------------------------------------


def test_mapinfo_nonearth_is_crs_missing(shared_data: Path) -> None:
    layers, _ = inspect_source(shared_data / GDAL / "mitab/all_geoms.tab")
    (layer,) = layers
    assert layer.feature_count == 16 and layer.crs is None
    missing = next(i for i in layer.report.issues if i.code == "CRS_MISSING")
    assert missing.severity == "error" and "non-earth" in missing.message
    assert layer.geometry_types["GeometryCollection"] == 1


def test_mapinfo_mif_count_mismatch_is_reported(shared_data: Path) -> None:
    layers, _ = inspect_source(shared_data / GDAL / "mitab/all_geoms.mif", ReadOptions(source_crs="EPSG:4326"))
    (layer,) = layers
    issue = next(i for i in layer.report.issues if i.code == "FEATURE_COUNT_MISMATCH")
    assert "declares 19 features but 16 could be read" in issue.message


# -- CSV -------------------------------------------------------------------------------------------------


def test_csv_latin1_with_decimal_commas(shared_data: Path) -> None:
    table, geoms, codes, layer = only_layer(shared_data / FOUNTAINS / "VilleMTP_MTP_Fontaines.csv")
    assert table.num_rows == 48 and len(geoms) == 48
    assert all(g is not None and g.geom_type == "Point" for g in geoms)
    assert layer.crs is not None and layer.crs.to_epsg() == 4326 and layer.crs_how == "assumed"
    assert {"ENCODING_TRANSCODED", "CRS_ASSUMED_WGS84"} <= codes
    assert pa.types.is_floating(table.schema.field("Longitude").type)
    assert column(table, "Longitude")[0] == pytest.approx(3.87576)
    assert column(table, "Nom")[0] == "Square Théophraste Renaudot"
    assert "CatÉgorie" in table.column_names
    xs = [g.x for g in geoms]
    assert min(xs) > 3.7 and max(xs) < 4.0  # decimal commas read as numbers, not as 387576


def test_french_semicolon_csv_with_lambert93_xy_and_decimal_commas(tmp_path: Path) -> None:
    src = french_xy_csv(tmp_path)
    table, geoms, codes, layer = only_layer(src, ReadOptions(source_crs="EPSG:2154"))
    assert layer.open_options["SEPARATOR"] == "SEMICOLON" and layer.has_geometry
    assert [(g.x, g.y) for g in geoms] == [(770123.45, 6279876.5), (771010.2, 6280254.75), (769870.0, 6279990.1)]
    assert pa.types.is_floating(table.schema.field("debit_m3h").type)
    assert column(table, "debit_m3h") == [1.5, 2.25, 0.8] and column(table, "X")[0] == 770123.45
    assert column(table, "nom") == ["Fontaine de l'Écusson", "Borne Comédie", "Place Saint-Côme"]
    assert "ENCODING_TRANSCODED" in codes
    manifest = convert(src, tmp_path / "out", ["geojson"], ReadOptions(source_crs="EPSG:2154"))
    first = pyogrio.read_dataframe(tmp_path / "out" / manifest.files[0].path).geometry[0]
    expected = Transformer.from_crs(2154, 4326, always_xy=True).transform(770123.45, 6279876.5)
    assert (first.x, first.y) == pytest.approx(expected, abs=1e-7)  # Montpellier, not 7.7 million degrees


def test_csv_bom_and_wkt(shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / GDAL / "csv/csv_with_utf8_bom.csv"
    # the real file: 4 values per row under a 3-name header, so the WKT column would hold "LOC"
    with pytest.raises(InputError, match=r"csv_with_utf8_bom\.csv: line 2 has 4 values but the header names only 3"):
        convert(src, tmp_path / "out", ["gpkg"], ReadOptions(source_crs="EPSG:2193"))
    # the same bytes with the missing header name added: BOM and CRLF kept
    raw = src.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    fixed = tmp_path / "bom_wkt.csv"
    fixed.write_bytes(raw.replace(b"id,name,WKT", b"id,name,kind,WKT", 1))
    table, geoms, _, layer = only_layer(fixed, ReadOptions(source_crs="EPSG:2193"))
    assert layer.encoding_guess is not None and layer.encoding_guess.how == "bom"
    assert table.column_names[0] == "id"  # no BOM glued to the first name
    assert column(table, "name") == ["Colac Bay/Ōraka"] * 2
    assert [g.wkt for g in geoms] == ["POINT (1205949.55535 4853065.413164)", "POINT (1208242.531016 4852284.8976)"]


def test_csv_unbalanced_quote_is_an_error(shared_data: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"unbalanced_double_quotes\.csv: the double quote opened on line 2") as err:
        convert(shared_data / GDAL / "csv/unbalanced_double_quotes.csv", tmp_path / "out")
    assert "line 2" in err.value.hint


def test_csv_header_with_line_breaks_gets_clean_names(shared_data: Path) -> None:
    table, geoms, codes, layer = only_layer(shared_data / GDAL / "csv/header_with_line_break.csv")
    assert table.column_names == [
        "Column one",
        "Column two",
        "Column with a line break",
        "Column three",
        "Another line break",
        "Column four",
        "Column five",
    ]
    assert table.num_rows == 3 and not layer.has_geometry and geoms == []
    assert {"FIELD_RENAMED", "CSV_NO_GEOMETRY"} <= codes


def test_csv_wkt_column_declared_in_a_vrt(shared_data: Path) -> None:
    table, geoms, _, layer = only_layer(shared_data / DEMO / "tramway.vrt")
    assert layer.crs is not None and layer.crs.to_epsg() == 4326
    assert table.num_rows == 10 and all(g.geom_type == "MultiLineString" for g in geoms)


def test_vrt_wkt_geometry_types_are_scanned(shared_data: Path) -> None:
    layers, _ = inspect_source(shared_data / DEMO / "tramway.vrt")
    assert layers[0].geometry_types == {"MultiLineString": 10}


# -- zips ------------------------------------------------------------------------------------------------


def test_covadis_zip_with_uuid_folders(shared_data: Path) -> None:
    with open_source(shared_data / "flood/ddt38_pprn_bourg_oisans_covadis/PPRn_BourgOisans.zip") as src:
        layers = {lyr.name: lyr for lyr in src.layers}
        assert {n: lyr.feature_count for n, lyr in layers.items()} == {
            "N_ZONE_ALEA_PPRN_20200002_S_038": 646,
            "N_ZONE_REG_PPRN_20200002_S_038": 584,
            "N_PERIMETRE_PPRN_20200002_S_038": 1,
        }
        alea = layers["N_ZONE_ALEA_PPRN_20200002_S_038"]
        assert alea.display.startswith("PPRn_BourgOisans.zip:PPRn_BourgOisans/fca6a15b-")
        assert alea.crs is not None and alea.crs.to_epsg() == 2154
        table, geoms, _ = stream(alea)
    assert len(geoms) == 646 and all(g.is_valid for g in geoms)
    text = " ".join(str(v) for name in table.column_names for v in column(table, name) if isinstance(v, str))
    assert "multirisques" in text.lower() and "Ã" not in text


def test_zip_with_a_table_without_geometry(shared_data: Path) -> None:
    with open_source(shared_data / "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip") as src:
        table = next(lyr for lyr in src.layers if lyr.name == "N_MULTIALEA_PPRN_20180003_038")
        assert not table.has_geometry and table.feature_count == 90
        assert "SHP_TABLE_ONLY" in table.issues.codes()
        assert len([lyr for lyr in src.layers if lyr.has_geometry]) == 3


def test_zipped_shapefile(shared_data: Path) -> None:
    table, geoms, _, layer = only_layer(shared_data / FOUNTAINS / "VilleMTP_MTP_Fontaines.zip")
    assert layer.crs is not None and layer.crs.to_epsg() == 4171  # GCS_RGF_1993, not WGS84
    assert layer.encoding_guess is not None and layer.encoding_guess.how == "ldid"
    assert table.num_rows == 48 and all(g.geom_type == "Point" for g in geoms)
    assert "Square Théophraste Renaudot" in column(table, "Nom")


def french_xy_csv(folder: Path) -> Path:
    """A ';' CSV as a French spreadsheet exports it: CP1252, CRLF, X/Y in Lambert-93 with decimal commas."""
    rows = [
        "id;nom;X;Y;debit_m3h",
        "1;Fontaine de l'Écusson;770123,45;6279876,5;1,5",
        "2;Borne Comédie;771010,2;6280254,75;2,25",
        "3;Place Saint-Côme;769870;6279990,1;0,8",
    ]
    path = folder / "bornes_l93.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("cp1252"))
    return path


def zipped(files: list[Path], archive: Path, folder: str = "") -> Path:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.write(f, f"{folder}{f.name}")
    return archive


def test_zipped_cp1252_csv_is_read_like_the_file(shared_data: Path, tmp_path: Path) -> None:
    archive = zipped([shared_data / FOUNTAINS / "VilleMTP_MTP_Fontaines.csv"], tmp_path / "fontaines.zip", "export/")
    before = sorted(p.name for p in tmp_path.iterdir())
    table, geoms, codes, layer = only_layer(archive)
    assert layer.display == "fontaines.zip:export/VilleMTP_MTP_Fontaines.csv"
    assert {"ENCODING_TRANSCODED", "CRS_ASSUMED_WGS84"} <= codes
    assert layer.encoding_guess is not None and layer.encoding_guess.encoding == "CP1252"
    assert table.num_rows == 48 and all(g is not None and g.geom_type == "Point" for g in geoms)
    assert column(table, "Nom")[0] == "Square Théophraste Renaudot"
    assert column(table, "Longitude")[0] == pytest.approx(3.87576)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted beside the zip


def test_zipped_french_xy_csv_has_point_geometries(tmp_path: Path) -> None:
    archive = zipped([french_xy_csv(tmp_path)], tmp_path / "bornes.zip")
    table, geoms, codes, layer = only_layer(archive, ReadOptions(source_crs="EPSG:2154"))
    assert layer.has_geometry and layer.crs is not None and layer.crs.to_epsg() == 2154
    assert [(g.x, g.y) for g in geoms] == [(770123.45, 6279876.5), (771010.2, 6280254.75), (769870.0, 6279990.1)]
    assert column(table, "debit_m3h") == [1.5, 2.25, 0.8]
    assert column(table, "nom")[0] == "Fontaine de l'Écusson" and "ENCODING_TRANSCODED" in codes


def test_zipped_cp1252_geojson_is_transcoded(shared_data: Path, tmp_path: Path) -> None:
    text = (shared_data / FOUNTAINS / "VilleMTP_MTP_Fontaines.geojson").read_text(encoding="utf-8")
    latin = tmp_path / "fontaines_latin.geojson"
    latin.write_bytes(text.encode("cp1252"))
    table, _, codes, layer = only_layer(zipped([latin], tmp_path / "f.zip"))
    assert "ENCODING_TRANSCODED" in codes and layer.encoding_guess is not None
    assert layer.encoding_guess.encoding == "CP1252"
    names = [v for name in table.column_names for v in column(table, name) if isinstance(v, str)]
    assert "Square Théophraste Renaudot" in names and not any("\ufffd" in n for n in names)


def test_zipped_utf8_geojson_is_read_in_place(shared_data: Path, tmp_path: Path) -> None:
    archive = zipped([shared_data / FOUNTAINS / "VilleMTP_MTP_Fontaines.geojson"], tmp_path / "f.zip")
    with open_source(archive) as src:
        (layer,) = src.layers
        assert layer.gdal_path.startswith("/vsizip/") and layer.feature_count == 48
        assert not list(src.workdir.iterdir())  # no copy was needed


def test_a_broken_layer_does_not_block_the_others(shared_data: Path, tmp_path: Path) -> None:
    mitab, demo = shared_data / GDAL / "mitab", shared_data / DEMO
    sous_quartiers = sorted(demo.glob("VilleMTP_MTP_SousQuartiers_2011.*"))
    archive = zipped([mitab / "all_geoms.mif", *sous_quartiers], tmp_path / "mixed.zip")  # the MIF has no CRS
    manifest = convert(archive, tmp_path / "out", ["gpkg", "geojson"])
    assert manifest.skipped == ["all_geoms"]
    assert {(f.format, f.layer, f.feature_count) for f in manifest.files} == {
        ("gpkg", "VilleMTP_MTP_SousQuartiers_2011", 31),
        ("geojson", "VilleMTP_MTP_SousQuartiers_2011", 31),
    }
    (skipped,) = [i for i in manifest.report.issues if i.code == "LAYER_SKIPPED"]
    assert skipped.severity is Severity.ERROR and skipped.layer == "all_geoms"
    assert skipped.message == (
        "mixed.zip:all_geoms.mif was not converted because of its CRS_MISSING error; the other layers were."
    )
    assert "add --source-crs EPSG:4326" in skipped.hint and "--layer all_geoms" in skipped.hint
    assert "CRS_MISSING" in manifest.report.codes()


def test_a_zip_whose_every_layer_is_broken_is_one_clear_error(shared_data: Path, tmp_path: Path) -> None:
    monuments = list((shared_data / INTRANET).glob("Monuments_Historiques.*"))  # no .prj either
    archive = zipped([shared_data / GDAL / "mitab/all_geoms.mif", *monuments], tmp_path / "broken.zip")
    with pytest.raises(CrsError) as err:
        convert(archive, tmp_path / "out", ["gpkg"])
    assert err.value.message == "broken.zip:all_geoms.mif declares no coordinate system."
    assert err.value.hint == "The coordinates look like WGS 84 (longitude/latitude): add --source-crs EPSG:4326."
    assert err.value.details == "Other layers that cannot be converted either: Monuments_Historiques."
    assert not (tmp_path / "out").exists()


def test_empty_zip_is_a_clear_error(shared_data: Path) -> None:
    with pytest.raises(
        SourceNotFoundError, match=r"empty_zipfile\.zip contains no GIS layer \(it holds: dummyfile\.txt\)"
    ):
        open_source(shared_data / "encoding/pyshp_fixtures/empty_zipfile.zip")


def test_zip_with_path_traversal_is_refused(tmp_path: Path, shared_data: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr(
            "../outside.geojson",
            (shared_data / "hiking/geotrek_admin_fixtures/core/tests/data/bad_path.geojson").read_text(),
        )
    with pytest.raises(InputError, match=r"evil\.zip contains an unsafe path: '\.\./outside\.geojson'"):
        open_source(evil)
    assert not (tmp_path.parent / "outside.geojson").exists()


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match=r"nothing\.shp does not exist"):
        open_source(tmp_path / "nothing.shp")


def test_folder_input_reads_every_dataset_once(data_copy) -> None:
    folder = data_copy("hiking/geotrek_admin_fixtures/core/tests/data")
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)
    with open_source(folder) as src:
        names = sorted(lyr.name for lyr in src.layers)
    # paths_no_srid.dbf is the table of paths_no_srid.shp, not a layer of its own
    assert names == ["bad_path", "bad_srid", "paths_no_srid"]


def test_layers_with_the_same_name_get_distinct_names(shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "traces"
    folder.mkdir()
    for name in ("trace_with_not_continuous_segments.gpx", "trace_with_multiple_not_continuous_features.gpx"):
        shutil.copyfile(shared_data / APIDAE / name, folder / name)  # both hold a layer named "tracks"
    with open_source(folder) as src:
        names = {lyr.name: lyr.feature_count for lyr in src.layers}
        assert all("LAYER_RENAMED" in lyr.issues.codes() for lyr in src.layers)
    assert names == {
        "trace_with_multiple_not_continuous_features_tracks": 2,
        "trace_with_not_continuous_segments_tracks": 1,
    }
    # same-named Shapefiles in two folders of a zip (géocatalogue downloads)
    archive = tmp_path / "two.zip"
    base = shared_data / DEMO / "VilleMTP_MTP_SousQuartiers_2011"
    with zipfile.ZipFile(archive, "w") as zf:
        for folder_name in ("2011", "2012"):
            for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
                zf.write(base.with_suffix(ext), f"{folder_name}/zones{ext}")
    with open_source(archive) as src:
        assert sorted(lyr.name for lyr in src.layers) == ["2011_zones", "2012_zones"]
    manifest = convert(archive, tmp_path / "out", ["geojson", "gpkg"])
    assert sorted({f.path for f in manifest.files}) == ["2011_zones.geojson", "2012_zones.geojson", "two.gpkg"]
    assert [f.feature_count for f in manifest.files] == [31, 31, 31, 31]
