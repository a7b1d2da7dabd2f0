"""The flood profile's lean path: one GeoPackage build, bulk overlap tests, batched writing and validation.

Each faster way is compared with the plain way it replaces, on the bundled PPRs and on hand-made shapes, so that
the products and reports stay what they were (``bench/theme_identical.py`` compares whole runs).
"""

from __future__ import annotations

import gc
import shutil
import sqlite3
import threading
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from odl_geo.checks import flood as flood_checks
from odl_geo.checks.registry import REGISTRY, CheckContext
from odl_geo.profiles.flood import FloodProfile, load_flood_dataset
from odl_geo.profiles.flood import values as flood_values
from odl_geo.profiles.flood.gpkg import gpkg_blob, gpkg_blobs
from odl_geo.profiles.flood.validate import validate_geopackage
from odl_geo.report import Report

MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"
DRAFT = "flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg"


@pytest.fixture(scope="module")
def multi(shared_data, tmp_path_factory):
    """The 38DDT20180003 PPR (with its N_MULTIALEA table) read and conformed once."""
    work = tmp_path_factory.mktemp("flood-lean")
    src = Path(shutil.copy2(shared_data / MULTI, work / Path(MULTI).name))
    report = Report()
    profile = FloodProfile()
    raw = load_flood_dataset(src, report)
    return src, profile.conform(raw, None, report)


def _fresh(multi):
    """A new profile and a shallow copy of the conformed dataset (its own frames dict)."""
    _, ppr = multi
    return FloodProfile(), replace(ppr, frames=dict(ppr.frames))


# --- one build ------------------------------------------------------------------------------------------------


def test_the_validated_geopackage_is_the_product(multi, tmp_path):
    profile, ppr = _fresh(multi)
    report = Report()
    profile.validate(ppr, report)
    built = profile._built
    assert built is not None and built.path.is_file()
    files = profile.write_products(ppr, tmp_path / "out", report)
    product = tmp_path / "out" / built.path.name
    assert product.is_file() and not built.path.exists() and not Path(built.folder.name).exists()
    assert {f.path for f in files} == {product.name}
    # the same bytes as a build from scratch (write_products with nothing validated)
    fresh = FloodProfile().write_products(ppr, tmp_path / "fresh", Report())
    assert (tmp_path / "fresh" / fresh[0].path).read_bytes() == product.read_bytes()


def test_a_frame_changed_after_validation_is_built_again(multi, tmp_path):
    profile, ppr = _fresh(multi)
    profile.validate(ppr, Report())
    zones = ppr.frames["zonereglementaireurba_s"]
    ppr.frames["zonereglementaireurba_s"] = zones.iloc[:-3].reset_index(drop=True)  # as --drop-invalid does
    profile.write_products(ppr, tmp_path / "out", Report())
    path = tmp_path / "out" / f"{ppr.prefix}.gpkg"
    with sqlite3.connect(path) as conn:
        (n,) = conn.execute(f'SELECT count(*) FROM "{ppr.prefix}_zonereglementaireurba_s"').fetchone()
    assert n == len(zones) - 3


def test_a_value_edited_in_place_after_validation_is_built_again(multi, tmp_path):
    profile, ppr = _fresh(multi)
    frame = ppr.frames["zonereglementaireurba_s"].copy()
    ppr.frames["zonereglementaireurba_s"] = frame
    profile.validate(ppr, Report())
    frame.loc[0, "libellezonereglement"] = "Zone éditée"
    profile.write_products(ppr, tmp_path / "out", Report())
    with sqlite3.connect(tmp_path / "out" / f"{ppr.prefix}.gpkg") as conn:
        (label,) = conn.execute(
            f'SELECT libellezonereglement FROM "{ppr.prefix}_zonereglementaireurba_s" ORDER BY rowid LIMIT 1'
        ).fetchone()
    assert label == "Zone éditée"


def test_a_check_only_run_leaves_no_temporary_file_once_validated_again(multi):
    profile, ppr = _fresh(multi)
    profile.validate(ppr, Report())
    first = Path(profile._built.folder.name)
    profile.validate(ppr, Report())  # a --drop-invalid round: the earlier build is removed at once
    assert not first.exists() and Path(profile._built.folder.name).exists()
    profile._forget_built()
    assert profile._built is None


# --- overlaps -------------------------------------------------------------------------------------------------


def _plain_pairs(geoms, keys):
    """The former way: every intersecting pair, then the area of its intersection."""
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    if keys is not None:
        keep &= keys[left] != keys[right]
    left, right = left[keep], right[keep]
    area = shapely.area(shapely.intersection(geoms[left], geoms[right]))
    return left[area > flood_checks.MIN_OVERLAP_M2], right[area > flood_checks.MIN_OVERLAP_M2]


def _shapes():
    return np.array(
        [
            box(0, 0, 10, 10),
            box(10, 0, 20, 10),  # touches 0 along an edge: no area
            box(5, 5, 15, 15),  # overlaps 0 and 1 (25 m² each)
            box(1, 1, 2, 2),  # inside 0 (1 m²: not more than the minimum)
            box(2, 2, 4, 4),  # inside 0 (4 m²)
            box(19.5, 9.5, 30, 30),  # overlaps 1 by 0.25 m²: noise
            Polygon([(20, 0), (30, 0), (25, 5)]),  # touches 1 at a point
            box(100, 100, 110, 110),  # alone
            box(100, 100, 110, 110),  # the same as 7
        ],
        dtype=object,
    )


@pytest.mark.parametrize("with_keys", [False, True])
def test_overlapping_pairs_are_the_plain_ones(with_keys):
    geoms = _shapes()
    keys = np.array(["01", "01", "02", "02", "01", "02", "01", "01", "02"], dtype=object) if with_keys else None
    left, right = flood_checks._overlapping_pairs(geoms, keys)
    expected = _plain_pairs(geoms, keys)
    assert left.tolist() == expected[0].tolist() and right.tolist() == expected[1].tolist()
    pairs = set(zip(left.tolist(), right.tolist(), strict=True))
    assert pairs == ({(0, 2), (1, 2), (7, 8)} if with_keys else {(0, 2), (1, 2), (0, 4), (7, 8)})


def test_overlapping_pairs_on_a_bundled_ppr_are_the_plain_ones(multi):
    _, ppr = multi
    for kind, keyed in (("zonereglementaireurba_s", False), ("zonealeanaturelsynthese_s", True)):
        frame = ppr.frames[kind]
        geoms = np.asarray(frame.geometry.values, dtype=object)
        keys = frame["niveaualea"].astype(object).to_numpy() if keyed else None
        left, right = flood_checks._overlapping_pairs(geoms, keys)
        expected = _plain_pairs(geoms, keys)
        assert left.tolist() == expected[0].tolist() and right.tolist() == expected[1].tolist()


def test_overlaps_are_not_computed_again_for_the_same_geometries(monkeypatch):
    geoms = _shapes()
    carry: dict[str, object] = {}
    first = flood_checks._overlapping_pairs(geoms, None, carry)
    calls = []
    tree = shapely.STRtree
    monkeypatch.setattr(flood_checks.shapely, "STRtree", lambda *a: calls.append(a) or tree(*a))
    again = flood_checks._overlapping_pairs(geoms.copy(), None, carry)  # a fixed frame: same geometry objects
    assert not calls and again[0].tolist() == first[0].tolist()
    other = geoms.copy()
    other[2] = box(5, 5, 15, 15)  # an equal shape, but another object: computed again
    flood_checks._overlapping_pairs(other, None, carry)
    assert len(calls) == 1
    keys = np.array(["01"] * len(geoms), dtype=object)
    flood_checks._overlapping_pairs(other, keys, carry)  # other keys: computed again
    assert len(calls) == 2


def test_the_registered_check_still_names_the_overlapping_zones():
    frame = gpd.GeoDataFrame({"niveaualea": ["01", "02", "02"]}, geometry=list(_shapes()[[0, 2, 3]]), crs=2154)
    ctx = CheckContext(frame, "x_zonealeareference_115_s", FloodProfile())
    [issue] = REGISTRY["PPR_ALEA_LEVEL_OVERLAP"].run(ctx)
    assert issue.count == 1 and issue.examples == [0, 1]
    assert REGISTRY["PPR_ALEA_LEVEL_OVERLAP"].run(ctx) == [issue]  # from the memo, the same issue


# --- writing and validating in batches ------------------------------------------------------------------------


def test_bulk_blobs_are_the_blobs_of_each_geometry():
    geoms = np.array(
        [box(0, 0, 1, 2), None, Polygon(), Point(3, 4), shapely.multipolygons([box(0, 0, 1, 1)])], dtype=object
    )
    assert gpkg_blobs(geoms) == [gpkg_blob(g) for g in geoms]
    assert gpkg_blobs(np.array([], dtype=object)) == []


def test_small_insert_batches_give_the_same_bytes(multi, tmp_path, monkeypatch):
    profile, ppr = _fresh(multi)
    whole = profile.write_products(ppr, tmp_path / "whole", Report())
    monkeypatch.setattr("odl_geo.profiles.flood.gpkg.INSERT_BATCH", 7)
    batched = FloodProfile().write_products(ppr, tmp_path / "batched", Report())
    assert (tmp_path / "whole" / whole[0].path).read_bytes() == (tmp_path / "batched" / batched[0].path).read_bytes()


def test_geometry_validation_in_small_batches_reports_the_same(data_copy, monkeypatch):
    path = data_copy(DRAFT)
    whole = Report()
    validate_geopackage(path, whole)
    monkeypatch.setattr(flood_values, "GEOMETRY_BATCH", 3)
    batched = Report()
    validate_geopackage(path, batched)
    assert [i.to_dict() for i in batched.issues] == [i.to_dict() for i in whole.issues]


def test_geometry_faults_are_counted_across_batches(tmp_path, monkeypatch, multi):
    profile, ppr = _fresh(multi)
    [product] = {f.path for f in profile.write_products(ppr, tmp_path, Report())}
    path = tmp_path / product
    table = f"{ppr.prefix}_zonereglementaireurba_s"
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    with sqlite3.connect(path) as conn:
        (geom,) = conn.execute(
            "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
        ).fetchone()
        rowids = [r[0] for r in conn.execute(f'SELECT rowid FROM "{table}" ORDER BY rowid')]
        for rowid in rowids[2:40:6]:
            conn.execute(f'UPDATE "{table}" SET "{geom}" = ? WHERE rowid = ?', (gpkg_blob(bowtie), rowid))
        conn.execute(f'UPDATE "{table}" SET "{geom}" = ? WHERE rowid = ?', (b"not a geometry", rowids[5]))
    found = {}
    for batch in (3, 1000):
        monkeypatch.setattr(flood_values, "GEOMETRY_BATCH", batch)
        report = Report()
        validate_geopackage(path, report)
        found[batch] = {i.code: (i.count, i.examples, i.message) for i in report.issues if i.layer == table}
    assert found[3] == found[1000]
    assert found[3]["PPR_GEOMETRY_INVALID"][:2] == (7, [2, 8, 14, 20, 26])
    assert found[3]["PPR_GEOMETRY_MISSING"][:2] == (1, [5])


def test_positions_are_the_ranks_in_rowid_order(tmp_path):
    with sqlite3.connect(tmp_path / "t.db") as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [(str(i % 4),) for i in range(40)])
        conn.execute("DELETE FROM t WHERE rowid IN (2, 3, 10)")  # rowids with holes: positions are ranks
        rows = [r[0] for r in conn.execute("SELECT v FROM t ORDER BY rowid")]
        n, examples = flood_values._positions(conn, "t", "v = ? OR v = '0'", ("1",))
        assert n == sum(v in ("0", "1") for v in rows)
        assert examples == [i for i, v in enumerate(rows) if v in ("0", "1")][:5]
        assert flood_values._positions(conn, "t", "v = 'x'") == (0, [])


def test_overlaps_in_small_blocks_are_the_same_pairs(multi, monkeypatch):
    frame = multi[1].frames["zonealeanaturelsynthese_s"]
    geoms = np.asarray(frame.geometry.values, dtype=object)
    keys = frame["niveaualea"].astype(object).to_numpy()
    whole = flood_checks._overlapping_pairs(geoms, keys)
    monkeypatch.setattr(flood_checks, "OVERLAP_BLOCK", 7)
    blocks = flood_checks._overlapping_pairs(geoms, keys)
    assert whole[0].tolist() == blocks[0].tolist() and whole[1].tolist() == blocks[1].tolist()
    assert len(whole[0]) == len(_plain_pairs(geoms, keys)[0])


@pytest.mark.parametrize("workers", [2, 3])
def test_overlap_blocks_in_threads_give_the_pairs_of_one_thread(multi, monkeypatch, workers):
    """The blocks run on several threads (seventh round): the same pairs, in the same order, as one thread and
    as the plain pairs, on both kinds of table, blocks small enough for every thread to have several; the
    garbage collector is back on afterwards."""
    monkeypatch.setattr(flood_checks, "OVERLAP_BLOCK", 5)
    threads: list[str] = []
    block_pairs = flood_checks._block_pairs

    def recorded(*args):
        threads.append(threading.current_thread().name)
        return block_pairs(*args)

    monkeypatch.setattr(flood_checks, "_block_pairs", recorded)
    for kind, keyed in (("zonereglementaireurba_s", False), ("zonealeanaturelsynthese_s", True)):
        frame = multi[1].frames[kind]
        geoms = np.asarray(frame.geometry.values, dtype=object)
        keys = frame["niveaualea"].astype(object).to_numpy() if keyed else None
        monkeypatch.setattr(flood_checks, "overlap_workers", lambda: 1)
        threads.clear()
        alone = flood_checks._overlapping_pairs(geoms, keys)
        assert set(threads) == {threading.current_thread().name}
        monkeypatch.setattr(flood_checks, "overlap_workers", lambda: workers)
        threads.clear()
        shared = flood_checks._overlapping_pairs(geoms, keys)
        assert len(threads) == -(-len(geoms) // 5) and all(t.startswith("odl-geo-overlaps") for t in threads)
        assert shared[0].tolist() == alone[0].tolist() and shared[1].tolist() == alone[1].tolist()
        plain = _plain_pairs(geoms, keys)
        assert shared[0].tolist() == plain[0].tolist() and shared[1].tolist() == plain[1].tolist()
        assert gc.isenabled()


# --- conversion without copies --------------------------------------------------------------------------------


def test_splitting_multi_parts_keeps_single_zones_as_they_are():
    from shapely.geometry import MultiPolygon

    from odl_geo.profiles.flood.hazards import explode_parts

    shapes = [box(0, 0, 1, 1), MultiPolygon([box(0, 0, 1, 1), box(2, 2, 3, 3)]), None, Polygon()]
    shapes += [MultiPolygon([box(5, 5, 6, 6)]), box(1, 1, 2, 2)]
    frame = gpd.GeoDataFrame({"a": list("abcdef")}, geometry=shapes, crs=2154, index=[10, 11, 12, 13, 14, 15])
    ids = gpd.pd.Series(["1", "2", "3", None, "5", "6"])
    report = Report()
    parts, new_ids, sources = explode_parts(frame, ids, "L", report)
    plain = frame.assign(_s=list(ids)).explode(index_parts=False, ignore_index=True)  # the former way
    assert list(parts["a"]) == list(plain["a"]) and list(parts.index) == list(range(len(plain)))
    assert [None if g is None else g.wkb for g in parts.geometry] == [
        None if g is None else g.wkb for g in plain.geometry
    ]
    assert new_ids.tolist()[:3] == ["1", "2-1", "2-2"] and sources.tolist()[:3] == ["1", "2", "2"]
    assert parts.geometry.iloc[0] is shapes[0] and parts.geometry.iloc[-1] is shapes[-1]  # not copied
    assert report.codes() == {"PPR_MULTIPART_SPLIT"}


@pytest.mark.parametrize(
    ("values", "plain", "padded"),
    [
        (["02", " 2 ", None, "", "2.0", "x"], ["02", "2", None, None, "2", "x"], ["02", "02", None, None, "02", "x"]),
        ([1, 2, 2, 3], ["1", "2", "2", "3"], ["01", "02", "02", "03"]),
        ([1.0, np.nan, 2.5, 2.0], ["1", None, "2.5", "2"], ["01", None, "2.5", "02"]),
        ([1, "1", 1.0, True, None], ["1", "1", "1", "True", None], ["01", "01", "01", "True", None]),  # mixed
        ([None, None], [None, None], [None, None]),
    ],
)
def test_codes_cleaned_once_per_value(values, plain, padded):
    from odl_geo.profiles.flood.model import text_values

    series = gpd.pd.Series(values, index=range(3, 3 + len(values)))
    for pad, expected in ((0, plain), (2, padded)):
        cleaned = text_values(series, len(series), pad)
        assert cleaned.tolist() == expected and cleaned.index.equals(series.index) and cleaned.dtype == object


def test_a_theme_run_publishes_the_validated_file_and_leaves_no_temporary_folder(data_copy, tmp_path, monkeypatch):
    """convert --theme flood --fix --drop-invalid: validated twice (the drop round), built twice, written once."""
    import tempfile

    from odl_geo.profiles.flood import profile as flood_profile
    from odl_geo.theme import convert_theme
    from odl_geo.theme.run import ThemeOptions

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    builds = []
    real = flood_profile.build_geopackage
    monkeypatch.setattr(
        flood_profile, "build_geopackage", lambda path, *a, **k: builds.append(path) or real(path, *a, **k)
    )
    src = data_copy(MULTI)
    run = convert_theme(src, tmp_path / "out", "flood", ThemeOptions(fix=True, drop_invalid=True), formats=["csv"])
    product = tmp_path / "out" / "pprn_38ddt20180003.gpkg"
    assert product.is_file() and any(f.path == product.name for f in run.files)
    # every build was a validation's (in the temporary folder), none the writer's
    assert builds and all(Path(b).parent.parent == scratch for b in builds)
    assert validate_geopackage(product).conformant
    assert not list(scratch.iterdir())  # the validated file was moved out, the earlier build removed
