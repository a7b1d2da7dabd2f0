"""A layer streamed in chunks writes each column with the type a whole-layer run gives it (issue 16).

Each chunk is a frame of its own, typed by pandas from its rows: a one-row chunk of PEI holds its diameter as an
integer (``100``), the next one, blank, as a column of None. The spool once took a column without any value for
text, and the widest of integers and text is text: ``convert --theme pei --chunk-rows 1`` wrote ``"100"`` in the
CSV and ``"diam_pei": "100"`` in the GeoJSON, where a whole run writes ``100`` and ``100.0`` (pandas holds
integers with blanks as decimals). A chunk without any value in a column now gives it no type: the other chunks
decide, and its blanks make integers decimals (and booleans text, as ``str`` writes them), as in the whole layer.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio
import pytest
import shapely

from odl_geo.theme.spool import LayerSpool
from tests.unit.test_theme_stream import FORMATS, SAMPLES, _copy, _run


@pytest.mark.parametrize("chunk_rows", [1, 3])
def test_pei_in_chunks_of_one_or_three_rows_writes_the_types_of_a_whole_run(tmp_path, chunk_rows):
    path, options, read = SAMPLES["pei"]
    src = _copy(path, tmp_path)
    _run(src, tmp_path / "whole", "pei", options, read, 50_000)
    _run(src, tmp_path / "chunked", "pei", options, read, chunk_rows)
    stem = "pei_generated_occitanie_pei"
    for fmt in FORMATS:
        whole, chunked = tmp_path / "whole" / f"{stem}.{fmt}", tmp_path / "chunked" / f"{stem}.{fmt}"
        if fmt == "gpkg":  # its bytes count the writer's transactions (one a chunk): its table, typed, compared
            a, b = pyogrio.read_dataframe(whole), pyogrio.read_dataframe(chunked)
            pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b))  # dtypes included
            assert pyogrio.read_info(whole)["dtypes"].tolist() == pyogrio.read_info(chunked)["dtypes"].tolist()
        else:
            assert whole.read_bytes() == chunked.read_bytes(), fmt
    text = (tmp_path / "chunked" / f"{stem}.csv").read_text(encoding="utf-8")
    assert ',"poteau",100,' in text and '"100"' not in text


def _spooled(tmp_path, frames: list[pd.DataFrame]) -> tuple[pa.Schema, pa.Table]:
    spool = LayerSpool("t", tmp_path)
    try:
        for frame in frames:
            spool.add(gpd.GeoDataFrame(frame, geometry=shapely.points([0.0] * len(frame), 0.0), crs=4326))
        schema = spool.schema()
        rows = pa.Table.from_batches(list(spool.layer().batch_source()))  # type: ignore[misc]
        return schema, rows
    finally:
        spool.close()


def test_a_chunk_without_values_in_a_column_leaves_its_type_to_the_others(tmp_path):
    none = pd.Series([None], dtype=object)
    schema, rows = _spooled(
        tmp_path,
        [
            pd.DataFrame({"n": [100], "flag": [True], "text": ["a"], "x": [1.5]}),
            pd.DataFrame({"n": none, "flag": none, "text": none, "x": none}),
            pd.DataFrame({"n": [150], "flag": [False], "text": ["b"], "x": [2.5]}),
        ],
    )
    # as pandas types the whole layer: integers with a blank as decimals, booleans with a blank as text
    assert schema.field("n").type == pa.float64()
    assert schema.field("flag").type == pa.string()
    assert schema.field("text").type == pa.string()
    assert schema.field("x").type == pa.float64()
    assert rows.column("n").to_pylist() == [100.0, None, 150.0]
    assert rows.column("flag").to_pylist() == ["True", None, "False"]  # str() of each, as a whole layer's text
    whole = gpd.GeoDataFrame(
        {"n": [100, None, 150], "flag": [True, None, False]}, geometry=shapely.points([0.0] * 3, 0.0), crs=4326
    )
    assert whole["n"].dtype == "float64" and whole["flag"].dtype == object  # what the spool follows


def test_chunks_that_all_have_values_or_none_keep_the_types_they_had(tmp_path):
    schema, _ = _spooled(tmp_path, [pd.DataFrame({"n": [1], "e": pd.Series([None], dtype=object)})] * 2)
    assert schema.field("n").type == pa.int64()  # no blank anywhere: integers
    assert schema.field("e").type == pa.string()  # empty everywhere: text, as before
    schema, _ = _spooled(tmp_path, [pd.DataFrame({"f": [float("nan")]})] * 2)
    assert schema.field("f").type == pa.float64()  # an all-NaN decimal column stays decimal
