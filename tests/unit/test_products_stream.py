"""Issue 16: the water product's GeoJSON is written a chunk of features at a time, with the very bytes the whole
collection gave (it was the peak of a water run's memory)."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from odl_geo.profiles.products import feature_collection, write_feature_collection, write_json
from odl_geo.profiles.water import WATER_FIELDS


@pytest.mark.parametrize("rows", [0, 1, 25])
@pytest.mark.parametrize("chunk", [1, 7, 10_000])
def test_chunked_collection_has_the_same_bytes(tmp_path, rows, chunk):
    fields = list(WATER_FIELDS)
    values = {f.name: [f"v{i} é\"" if i % 3 else None for i in range(rows)] for f in fields}
    geoms = [shapely.Point(3.8 + i / 100, 43.6) if i % 5 else None for i in range(rows)]
    frame = gpd.GeoDataFrame(values, geometry=geoms, crs=4326)
    write_json(feature_collection(frame, fields), tmp_path / "whole.geojson")
    write_feature_collection(frame, fields, tmp_path / "chunked.geojson", chunk)
    assert (tmp_path / "chunked.geojson").read_bytes() == (tmp_path / "whole.geojson").read_bytes()


@pytest.mark.parametrize("chunk", [1, 3, 10_000])
def test_csv_rows_are_the_same_whatever_the_chunk(chunk):
    import numpy as np

    from odl_geo.profiles.products import csv_rows

    fields = list(WATER_FIELDS)
    frame = gpd.GeoDataFrame(
        {f.name: [f"v{i}" if i % 2 else None for i in range(7)] for f in fields},
        geometry=[shapely.Point(i, i) for i in range(7)],
        crs=4326,
    )
    extra = {"lon": np.array([1.5, np.nan, 3.25, 4, 5, 6, 7]), fields[0].name: np.arange(7, dtype=float)}
    header, rows = csv_rows(frame, fields, extra, chunk=chunk)
    whole_header, whole = csv_rows(frame, fields, extra, chunk=10_000)
    rows = list(rows)
    assert header == whole_header == [*[f.name for f in fields], "lon"]
    assert rows == list(whole) and len(rows) == 7
    assert rows[1][0] == "1.0" and rows[1][-1] == "" and rows[2][-1] == "3.25"
