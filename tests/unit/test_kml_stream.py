"""The KML writer streams Placemarks through lxml (issue #14, item 9; memory in bench/kml.py): names and values
are escaped for XML, characters XML cannot hold are replaced and counted, every geometry kind and the features
without geometry come back through GDAL as written."""

from __future__ import annotations

import json

import pyogrio
import shapely
from lxml import etree

from odl_geo.conversion import convert

MARKUP = {"a&b": "x & y", 'q"uote': 'dit "oui"', "<tag>": "<b>gras</b>", "Name": "Fontaine <Nord> & Sud",
          "description": "1 < 2 && 3 > 2", "ctl": "bip\x07bip\x0b"}  # fmt: skip


def _geojson(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")  # fmt: skip
    return path


def _feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def test_names_and_values_with_markup_stay_well_formed_and_read_back(tmp_path):
    features = [_feature({"type": "Point", "coordinates": [3.87, 43.61]}, **MARKUP),
                _feature({"type": "Point", "coordinates": [3.88, 43.62]}, n=2)]  # fmt: skip
    src = _geojson(tmp_path / "points.geojson", features)
    manifest = convert(src, tmp_path / "out", ["kml", "geojson"])
    kml = tmp_path / "out" / "points.kml"
    root = etree.parse(str(kml)).getroot()  # raises if not well-formed
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    first = root.find(".//k:Placemark", ns)
    assert first.findtext("k:name", namespaces=ns) == "Fontaine <Nord> & Sud"
    assert first.findtext("k:description", namespaces=ns) == "1 < 2 && 3 > 2"
    back = pyogrio.read_dataframe(kml)
    written = pyogrio.read_dataframe(tmp_path / "out" / "points.geojson")
    for column in [c for c in written.columns if c not in ("geometry", "Name", "description")]:
        assert column in back.columns, (column, list(back.columns))
        values = [v for v in written[column].tolist() if isinstance(v, str)]
        assert [v for v in back[column].tolist() if isinstance(v, str)] == [
            v.replace("\x07", "\ufffd").replace("\x0b", "\ufffd") for v in values
        ], column
    issues = {i.code: i for i in manifest.report.issues}
    assert issues["KML_CHARACTERS_REPLACED"].count == 1


def test_every_geometry_kind_and_null_geometries_come_back(tmp_path):
    hole = [[[3.0, 43.0], [3.1, 43.0], [3.1, 43.1], [3.0, 43.1], [3.0, 43.0]],
            [[3.02, 43.02], [3.02, 43.05], [3.05, 43.05], [3.05, 43.02], [3.02, 43.02]]]  # fmt: skip
    geometries = [
        {"type": "Point", "coordinates": [3.5, 43.5]},
        {"type": "LineString", "coordinates": [[3.0, 43.0], [3.2, 43.3], [3.4, 43.1]]},
        {"type": "Polygon", "coordinates": hole},
        {"type": "MultiPolygon", "coordinates": [hole, [[[4.0, 44.0], [4.1, 44.0], [4.1, 44.1], [4.0, 44.0]]]]},
        {"type": "MultiLineString", "coordinates": [[[3.0, 43.0], [3.1, 43.1]], [[3.2, 43.2], [3.3, 43.25]]]},
        None,
        {"type": "Point", "coordinates": [-0.0000000001, 43.5]},
    ]
    src = _geojson(tmp_path / "mixed.geojson", [_feature(g, n=i) for i, g in enumerate(geometries)])
    manifest = convert(src, tmp_path / "out", ["kml"])
    (entry,) = manifest.files
    back = pyogrio.read_dataframe(tmp_path / "out" / "mixed.kml")
    assert entry.feature_count == len(back) == len(geometries)
    for i, expected in enumerate(geometries):
        got = back.geometry.iloc[i]
        if expected is None:
            assert got is None or got.is_empty
            continue
        want = shapely.geometry.shape(expected)
        assert got.normalize().equals_exact(want.normalize(), 1e-7), (i, got.wkt, want.wkt)
    text = (tmp_path / "out" / "mixed.kml").read_text(encoding="utf-8")
    assert "<coordinates>0,43.5</coordinates>" in text  # 7 decimals, no "-0"
