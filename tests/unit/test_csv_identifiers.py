"""CSV codes that look like numbers stay text: INSEE "09122", SDIS ids "34172.02080", postcodes."""

from __future__ import annotations

import pyogrio

from odl_geo.conversion import convert
from odl_geo.normalise.frames import read_frame
from odl_geo.sources import ReadOptions, open_source


def test_identifier_columns_keep_their_zeros_and_numbers_stay_numbers(tmp_path):
    src = tmp_path / "pei_generated.csv"
    src.write_text("insee;numero_sdis;code_postal;type_pei;debit;x;y\n"
                   "09122;34172.02080;09000;PI;60,5;640000;6230000\n"
                   "31555;31555.00120;31000;BI;120;574000;6280000\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    with open_source(src, ReadOptions(source_crs="EPSG:2154")) as s:
        frame = read_frame(s.layers[0])
        assert "CSV_IDENTIFIERS_AS_TEXT" in s.layers[0].issues.codes()
    assert frame["insee"].tolist() == ["09122", "31555"]
    assert frame["numero_sdis"].tolist() == ["34172.02080", "31555.00120"]
    assert frame["code_postal"].tolist() == ["09000", "31000"]
    assert frame["debit"].tolist() == [60.5, 120.0] and frame["x"].dtype.kind == "f"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no .csvt written beside the source
    convert(src, tmp_path / "out", ["gpkg"], ReadOptions(source_crs="EPSG:2154"))
    written = pyogrio.read_dataframe(tmp_path / "out" / "pei_generated.gpkg")
    assert written["insee"].tolist() == ["09122", "31555"]


def test_an_existing_csvt_is_respected(shared_data, data_copy):
    src = data_copy("encoding/gdal_autotest/csv/testcsvt.csv")
    with open_source(src) as s:
        assert "CSV_IDENTIFIERS_AS_TEXT" not in s.layers[0].issues.codes()
