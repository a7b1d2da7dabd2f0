"""Issue 16: the checked layers of a theme run reach the writers as in-memory layers (no temporary GeoPackage), with
the types a GeoPackage would have given them, so that the open formats stay what they were."""

from __future__ import annotations

import datetime as dt
import json

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from odl_geo.normalise.options import NormaliseOptions
from odl_geo.normalise.pipeline import LayerStream
from odl_geo.normalise.scan import scan_geometries
from odl_geo.theme.layers import frame_layer


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id_local": pd.Series(["a", "b", None], dtype="string"),
            "nombre": pd.Series([1, 2, None], dtype=object),  # Python objects: text, as GeoPackage stores them
            "date_mes": pd.Series([dt.date(2020, 1, 2), None, dt.date(2021, 3, 4)], dtype=object),
            "vu_le": pd.Series([dt.datetime(2020, 1, 2, 3, 4, 5), None, None], dtype=object),
            "medias": pd.Series([[{"url": "a.jpg"}], None, []], dtype=object),
            "vide": pd.Series([None, None, None], dtype=object),
            "hauteur": [1.5, 2.0, None],
            "actif": [True, False, True],
        },
        geometry=[shapely.Point(3.87, 43.61), None, shapely.Point(3.9, 43.6)],
        crs="EPSG:4326",
    )


def test_a_frame_becomes_a_layer_typed_like_a_geopackage_field():
    layer = frame_layer(_frame(), "fontaines_water", "fontaines")
    table = layer.table
    assert layer.feature_count == 3 and layer.geometry_type == "Point" and layer.crs.to_epsg() == 4326
    assert table.column_names[-1] == "geometry" and pa.types.is_binary(table.schema.field("geometry").type)
    types = {f.name: f.type for f in table.schema}
    assert types["id_local"] == pa.string() and types["nombre"] == pa.string() and types["vide"] == pa.string()
    assert types["hauteur"] == pa.float64() and types["actif"] == pa.bool_()
    assert pa.types.is_timestamp(types["vu_le"])
    assert table.column("nombre").to_pylist() == ["1", "2", None]
    assert table.column("date_mes").to_pylist() == ["2020-01-02", None, "2021-03-04"]
    assert json.loads(table.column("medias")[0].as_py()) == [{"url": "a.jpg"}]
    assert table.column("medias")[2].as_py() == "[]"


def test_an_in_memory_layer_streams_normalised_batches_without_gdal():
    layer = frame_layer(_frame(), "fontaines_water", "fontaines")
    scan = scan_geometries(layer)
    assert scan.counts == {"Point": 2} and scan.nulls == 1
    stream = LayerStream(layer, NormaliseOptions(target_crs=None), scan)
    batches = list(stream.batches())
    assert sum(b.num_rows for b in batches) == 3 and stream.stats.count == 3
    geoms = shapely.from_wkb(pa.concat_arrays([b.column("geometry") for b in batches]).to_numpy(zero_copy_only=False))
    assert shapely.equals(geoms[0], shapely.Point(3.87, 43.61)) and geoms[1] is None
    assert [i.code for i in stream.report.issues] == ["GEOM_EMPTY"]  # the null geometry, reported as for a file


def test_a_table_without_geometry_stays_a_table():
    frame = pd.DataFrame({"codeprocedure": ["38DDT20200002"], "libelle": ["PPR"]})
    layer = frame_layer(frame, "procedure", "procedure")
    assert not layer.has_geometry and layer.table.column_names == ["codeprocedure", "libelle"]
