"""A CSV whose identifier columns are read as text (a .csvt in a temporary copy) is described by GDAL once.

The opener once asked GDAL for the CSV's detected types (to write the .csvt), then described the copy with its
.csvt: two read-throughs of the file (GDAL counts a CSV's rows even when not asked to force the count). Now the
CSV as it is is described once and the copy is described from that. These tests compare, on varied CSVs, every
fact of the layers opened both ways (the old way forced by making the one-read path decline), and the rows read.
"""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest

from odl_geo.sources import open_source, opener

HEADER = "code_insee;num;reel;jour;quand;heure;texte;X;Y"
ROWS = [
    '09122;12;1,5;2021-06-03;2021-06-03 12:00:00;12:30:00;"Fontaine, place";809285.91;6305148.36',
    "34172;7;2.25;2020-01-31;2020-01-31 08:15:00;08:00:00;Lavoir;770000.5;6280000.25",
    "01001;;;;;;;;",
    "2A004;-3;1e3;1999-12-31;1999-12-31 23:59:59;23:59:59;=SUM(A1);800000;6300000",
]


def _facts(path, options=None):
    with open_source(path, options) as src:
        out = []
        for lyr in src.layers:
            csvt = Path(lyr.gdal_path).with_suffix(".csvt")
            rows = pyogrio.read_dataframe(lyr.gdal_path, **lyr.read_kwargs())
            out.append((lyr.name, lyr.display, lyr.driver, lyr.geometry_type, lyr.feature_count, lyr.bounds,
                        lyr.fields, str(lyr.crs), lyr.crs_how, sorted((i.code, i.message) for i in lyr.issues.issues),
                        csvt.read_text() if csvt.exists() else None,
                        list(rows.dtypes.astype(str)), rows.astype(str).values.tolist()))  # fmt: skip
        return out


def _both_ways(path, monkeypatch, options=None):
    calls = []
    real = pyogrio.read_info

    def counted(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "read_info", counted)
    new = _facts(path, options)
    once = len(calls)
    monkeypatch.setattr(opener, "_csv_info", lambda *a, **k: None)  # the former way: types, then the copy
    calls.clear()
    old = _facts(path, options)
    monkeypatch.undo()
    return new, old, once, len(calls)


@pytest.mark.parametrize(
    "sep,encoding,geometry",
    [(";", "utf-8", "xy"), (",", "utf-8", "xy"), (";", "cp1252", "xy"), (";", "utf-8", "wkt"), (";", "utf-8", "none")],
)
def test_a_csv_with_identifier_columns_is_described_once_and_the_same(tmp_path, monkeypatch, sep, encoding, geometry):
    header, rows = HEADER, list(ROWS)
    if geometry == "wkt":
        header = header.replace(";X;Y", ";WKT")
        rows = [r.rsplit(";", 2)[0] + (";POINT (800000 6300000)" if r[-1] != ";" else ";") for r in rows]
    elif geometry == "none":
        header = header.replace(";X;Y", "")
        rows = [r.rsplit(";", 2)[0] for r in rows]
    text = "\n".join([header, *rows, "30189;1;0,5;2010-02-08;2010-02-08 10:00:00;10:00:00;Réservoir é;1;2"
                      if geometry == "xy" else rows[1]]) + "\n"  # fmt: skip
    if sep == ",":
        text = text.replace(",", ".").replace(";", ",")  # decimal points, comma-separated
    path = tmp_path / "points.csv"
    path.write_bytes(text.encode(encoding))
    new, old, once, before = _both_ways(path, monkeypatch)
    assert new == old
    assert "CSV_IDENTIFIERS_AS_TEXT" in {code for code, _ in new[0][9]}
    assert (once, before) == (1, 2)
    assert list(path.parent.iterdir()) == [path]  # the .csvt went into the temporary copy, never beside the source


def test_a_csv_with_a_prj_beside_it_is_described_as_before(tmp_path, monkeypatch):
    path = tmp_path / "points.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    from pyproj import CRS

    (tmp_path / "points.prj").write_text(CRS.from_epsg(2154).to_wkt("WKT1_ESRI"), encoding="utf-8")
    new, old, once, before = _both_ways(path, monkeypatch)
    assert new == old and (once, before) == (2, 2)  # the copy is made without the .prj: described on its own


def test_the_bundled_csv_samples_open_as_before(monkeypatch):
    repo = Path(__file__).resolve().parents[2]
    for path in (repo / "tests/data/pei/pei_generated_occitanie.csv", *sorted((repo / "examples").glob("*/*.csv"))):
        new, old, once, before = _both_ways(path, monkeypatch)
        assert new == old, path
        assert once <= before
