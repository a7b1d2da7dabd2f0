"""The standard formats of a flood run read the CNIG tables back from the product GeoPackage, in batches.

``convert --theme flood --to geojson,csv`` once converted every checked frame to an in-memory Arrow table; now
the frames are released once the GeoPackage is written and each table streams from the file
(``odl_geo/theme/stream_tables.py``). These tests hold the two ways equal on real PPRs: the same Arrow rows and
types, the same GeoJSON/CSV bytes, and the report's counts unchanged by the release.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from odl_geo.checks._common import geometry_name
from odl_geo.reports.preview import preview_png
from odl_geo.theme.layers import frame_layer
from odl_geo.theme.outputs import _standard_formats
from odl_geo.theme.run import ThemeOptions, check_theme
from odl_geo.theme.stream_tables import _as_type, layers_with_scans, product_table_layers, release_frames

BUNDLED = Path(__file__).resolve().parents[2] / "examples" / "flood" / "PPRn_BourgOisans.zip"
MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"


def _written(src: Path, out: Path):
    """A checked (and fixed) run of ``src`` and its CNIG GeoPackage written into ``out``."""
    run = check_theme(src, "flood", ThemeOptions(fix=True, repair=True))
    assert run.profile is not None and run.dataset is not None and not run.report.has_errors
    files = run.profile.write_products(run.dataset, out, run.report)
    return run, files


@pytest.fixture(params=["bundled", "multialea"])
def ppr(request, shared_data, tmp_path):
    src = BUNDLED if request.param == "bundled" else shared_data / MULTI
    copy = Path(shutil.copy2(src, tmp_path / src.name))
    out = tmp_path / "out"
    run, files = _written(copy, out)
    return run, files, out


def test_every_zone_table_reads_back_as_its_frame(ppr):
    run, files, out = ppr
    tables = product_table_layers(run, files, out)
    assert tables is not None and len(tables) == len(run.layers)
    streamed = 0
    for lyr, table in zip(run.layers, tables, strict=True):
        expected = frame_layer(lyr.frame, table.name, table.name).table
        assert expected is not None
        if table.fallback is not None:
            # the perimeter's polygons are MULTIPOLYGON in the file: that table keeps the frame's own shapes
            assert lyr.role.startswith("perimetre") or lyr.role in ("procedure", "referenceinternet"), lyr.role
            continue
        table.batch_rows = 7  # batches of 7 rows: the seams between batches are exercised
        batches = list(table.batches())
        assert len(batches) == -(-len(lyr.frame) // 7), lyr.role
        got = pa.Table.from_batches(batches, schema=table.schema)
        assert got.schema.equals(expected.schema), lyr.role
        assert got.equals(expected), lyr.role
        streamed += 1
    zones = [lyr for lyr in run.layers if "zone" in lyr.role]
    assert zones and streamed >= len(zones)  # every zone table, the big ones, comes from the file


def test_geojson_and_csv_are_the_same_bytes_from_the_file(ppr, tmp_path):
    run, files, out = ppr
    formats = ["geojson", "csv"]
    from_frames = tmp_path / "frames"
    from_file = tmp_path / "file"
    from_frames.mkdir()
    from_file.mkdir()
    _standard_formats(run, from_frames, formats, None)
    tables = product_table_layers(run, files, out)
    assert tables is not None
    for table in tables:
        table.batch_rows = 64  # several batches a table: the files must not show the seams
    packed = release_frames(run)  # as convert_theme does: the file alone is read
    _standard_formats(run, from_file, formats, None, list(layers_with_scans(tables)))
    packed.restore()
    names = sorted(p.name for p in from_frames.iterdir())
    assert names == sorted(p.name for p in from_file.iterdir())
    assert len(names) == 2 * len(run.layers)
    for name in names:
        assert (from_frames / name).read_bytes() == (from_file / name).read_bytes(), name


def test_a_table_whose_rows_changed_is_converted_from_its_frame(tmp_path):
    copy = Path(shutil.copy2(BUNDLED, tmp_path / BUNDLED.name))
    run, files = _written(copy, tmp_path / "out")
    lyr = next(lyr for lyr in run.layers if lyr.role == "zonereglementaireurba_s")
    lyr.frame = lyr.frame.iloc[:-3].reset_index(drop=True)  # no longer the file's rows
    tables = product_table_layers(run, files, tmp_path / "out")
    assert tables is not None
    by_name = {t.name: t for t in tables}
    table = by_name[lyr.product_name]
    assert table.fallback is not None and table.layer().feature_count == len(lyr.frame)
    assert by_name[next(x for x in run.layers if x.role == "zonealeanaturelsynthese_s").product_name].fallback is None


def test_release_keeps_counts_and_a_bounded_sample_with_the_faulty_first(tmp_path):
    copy = Path(shutil.copy2(BUNDLED, tmp_path / BUNDLED.name))
    run, _ = _written(copy, tmp_path / "out")
    synthesis = next(lyr for lyr in run.layers if lyr.role == "zonealeanaturelsynthese_s")
    synthesis.faulty = {3, 100, 640}
    before = [lyr.to_dict() for lyr in run.layers]
    sizes = {lyr.role: len(lyr.frame) for lyr in run.layers}
    shaped = {lyr.role for lyr in run.layers if geometry_name(lyr.frame) is not None and len(lyr.frame)}
    faulty_shapes = synthesis.frame.geometry.iloc[[3, 100, 640]].tolist()
    packed = release_frames(run, keep=50)
    assert run.dataset is None
    assert [lyr.to_dict() for lyr in run.layers] == before  # counts and problems of the whole tables
    # until restored, the kept frames hold no shape objects: their shapes wait as WKB through the formats
    assert len(packed) == len(shaped) and "zonealeanaturelsynthese_s" in shaped
    assert not any(geometry_name(lyr.frame) is not None for lyr in run.layers if lyr.role in shaped)
    packed.restore()
    assert not len(packed)
    for lyr in run.layers:
        assert lyr.context is None
        assert len(lyr.frame) == min(sizes[lyr.role], 50), lyr.role
    assert sizes["zonealeanaturelsynthese_s"] > 50 and synthesis.feature_count == sizes["zonealeanaturelsynthese_s"]
    kept = [synthesis.frame.geometry.iloc[i] for i in sorted(synthesis.faulty)]
    assert len(kept) == 3 and all(a.equals(b) for a, b in zip(kept, faulty_shapes, strict=True))
    assert preview_png(synthesis.frame, synthesis.faulty)  # the map is drawn from the sample


def test_values_of_other_types_become_the_text_the_frame_held():
    assert _as_type(pa.array([1, None, 12]), pa.string()).to_pylist() == ["1", None, "12"]
    assert _as_type(pa.array([dt.date(2022, 12, 23), None]), pa.string()).to_pylist() == ["2022-12-23", None]
    assert _as_type(pa.array([True, False, None]), pa.string()).to_pylist() == ["True", "False", None]
    assert _as_type(pa.array([1.0, 2.5]), pa.string()).to_pylist() == ["1.0", "2.5"]
    nulls = _as_type(pa.nulls(3, pa.int64()), pa.string())
    assert nulls.type == pa.string() and nulls.null_count == 3
    assert _as_type(pa.array(["1", "2"]), pa.int64()).to_pylist() == [1, 2]


def test_kept_shapes_packed_again_are_the_same_frames():
    """pack_shapes, then restore (seventh round; kept packed through the formats since the tenth session): each
    layer's kept frame made again from its shapes' ISO WKB once the originals are freed: the same columns, index,
    CRS, geometry column and values (Z, M, None and empty shapes included), every shape a new object; tables
    without shapes untouched."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely
    from shapely.geometry import MultiPolygon, Point, Polygon, box

    from odl_geo.theme.run import LayerResult
    from odl_geo.theme.stream_tables import pack_shapes

    shapes = [
        box(0, 0, 1, 1),
        Polygon([(0, 0, 5), (1, 0, 6), (1, 1, 7), (0, 0, 5)]),
        None,
        Polygon(),
        MultiPolygon([box(2, 2, 3, 3), box(4, 4, 5.123456789012345, 5)]),
        shapely.from_wkt("POINT M (1 2 3)"),
        Point(1e6 + 0.1, 6.2e6 + 0.3),
    ]
    index = pd.Index([3, 1, 4, 0, 5, 9, 2])
    zones = gpd.GeoDataFrame(
        {"code": ["a", "b", None, "d", "e", "f", "g"], "n": np.arange(7) * 1.5},
        index=index,
        geometry=gpd.GeoSeries(shapes, index=index, crs=2154),
        crs=2154,
    ).rename_geometry("geom")
    zones = zones[["code", "geom", "n"]]
    sample = gpd.GeoDataFrame(geometry=[box(0, 0, 2, 2)] * 3)  # no CRS, the default geometry column
    table = pd.DataFrame({"codeprocedure": ["38DDT20200002"]})
    empty = zones.iloc[:0]
    layers = [LayerResult(r, r, r, f, [], None) for r, f in (("z", zones), ("s", sample), ("t", table), ("e", empty))]
    before = [lyr.frame.copy() for lyr in layers]
    originals = [list(f.geometry.values) if isinstance(f, gpd.GeoDataFrame) and len(f) else [] for f in before]
    pack_shapes(layers).restore()
    for lyr, old, kept in zip(layers, before, originals, strict=True):
        new = lyr.frame
        assert type(new) is type(old) and list(new.columns) == list(old.columns) and new.index.equals(old.index)
        if not isinstance(old, gpd.GeoDataFrame):
            pd.testing.assert_frame_equal(new, old)
            continue
        assert new.geometry.name == old.geometry.name and new.crs == old.crs
        pd.testing.assert_frame_equal(pd.DataFrame(new.drop(columns=old.geometry.name)),
                                      pd.DataFrame(old.drop(columns=old.geometry.name)))  # fmt: skip
        as_wkb = [shapely.to_wkb(g, output_dimension=4, flavor="iso") if g is not None else None for g in new.geometry]
        assert as_wkb == [shapely.to_wkb(g, output_dimension=4, flavor="iso") if g is not None else None
                          for g in old.geometry]  # fmt: skip
        assert not any(a is b for a, b in zip(new.geometry.values, kept, strict=False) if a is not None)
    assert layers[0].frame.geometry.values[5].has_m and layers[0].frame.geometry.values[1].has_z
