"""Checks chunk by chunk (``convert --theme`` streams a layer): the same verdicts as the whole layer at once.

Each layer is checked whole, then in chunks of 1, 7 and 1000 features the way the streaming pipeline does it:
per chunk ``run_checks`` -> ``apply_fixes`` -> ``run_checks`` on the fixed chunk -> ``commit_chunk``; after the
last chunk ``finish_checks``. The issues (code, severity, count, example rows once the chunk's offset is added),
the fixes' changes and the fixed rows must be the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from odl_geo.checks import _carry
from odl_geo.checks.registry import CheckContext
from odl_geo.checks.runner import apply_fixes, commit_chunk, finish_checks, layer_carry, run_checks
from odl_geo.profiles.registry import load_profile

if TYPE_CHECKING:
    from odl_geo.report import Issue

SIZES = (1, 7, 1000)


@dataclass
class Result:
    """What one way of checking found: issues with examples merged by (code, severity), the others by message;
    every change of the fixes (rows in the layer as read), and the fixed layer."""

    rows: dict[tuple[str, str], tuple[int, list[int]]] = field(default_factory=dict)
    layer: set[tuple[str, str, str]] = field(default_factory=set)
    changes: list[tuple[int | None, str, object, object]] = field(default_factory=list)
    fixed: list[gpd.GeoDataFrame] = field(default_factory=list)

    def add(self, issues: list[Issue], offset: int) -> None:
        for i in issues:
            if not i.examples:
                self.layer.add((i.code, str(i.severity), i.message))
                continue
            count, examples = self.rows.get((i.code, str(i.severity)), (0, []))
            self.rows[(i.code, str(i.severity))] = (count + i.count, examples + [e + offset for e in i.examples])

    def frame(self) -> pd.DataFrame:
        out = pd.concat(self.fixed, ignore_index=True)
        data = pd.DataFrame(out.drop(columns="geometry")).astype(object).where(out.notna(), None)
        data["wkt"] = shapely.to_wkt(np.asarray(out.geometry.values), rounding_precision=-1)
        return data


def _ctx(frame: gpd.GeoDataFrame, theme: str | None, **kw: object) -> CheckContext:
    profile = load_profile(theme) if theme else None
    role = profile.roles[0] if profile else None
    return CheckContext(frame, "couche", profile, role, **kw)  # type: ignore[arg-type]


def whole(frame: gpd.GeoDataFrame, theme: str | None) -> Result:
    """Today's path (``odl-geo check``, the plugin): the layer at once, empty carry, offset 0."""
    out = Result()
    ctx = _ctx(frame, theme)
    first = run_checks(ctx, theme, workers=1)
    fixed, fixes = apply_fixes(ctx, first)
    out.changes = [(c.feature, c.field, c.old, c.new) for f in fixes for c in f.details]
    out.add(run_checks(replace(ctx, frame=fixed), theme, workers=1).issues, 0)
    out.fixed.append(fixed)
    return out


def chunked(frame: gpd.GeoDataFrame, theme: str | None, size: int) -> Result:
    """The streaming pipeline's calls, chunk by chunk, with one carry for the layer."""
    out = Result()
    carry = layer_carry()
    done = 0  # rows of the fixed chunks before this one: the offset of the re-check's examples
    for start in range(0, len(frame), size):
        chunk = frame.iloc[start : start + size].reset_index(drop=True)
        ctx = _ctx(chunk, theme, offset=start, carry=carry)
        first = run_checks(ctx, theme, workers=1)
        fixed, fixes = apply_fixes(ctx, first)
        out.changes += [
            (None if c.feature is None else c.feature + start, c.field, c.old, c.new) for f in fixes for c in f.details
        ]
        final = replace(ctx, frame=fixed, offset=done)
        assert final.carry is carry
        out.add(run_checks(final, theme, workers=1).issues, done)
        commit_chunk(final, theme)
        out.fixed.append(fixed)
        done += len(fixed)
    out.add(finish_checks(_ctx(frame.iloc[:0], theme, carry=carry), theme).issues, 0)
    return out


def assert_same(frame: gpd.GeoDataFrame, theme: str | None, sizes: tuple[int, ...] = SIZES) -> Result:
    expected = whole(frame, theme)
    for size in sizes:
        got = chunked(frame, theme, size)
        assert got.rows == expected.rows, f"chunks of {size}"
        assert got.layer == expected.layer, f"chunks of {size}"
        assert sorted(got.changes, key=repr) == sorted(expected.changes, key=repr), f"chunks of {size}"
        pd.testing.assert_frame_equal(got.frame(), expected.frame(), check_dtype=False)
    return expected


def _water(n: int = 30) -> gpd.GeoDataFrame:
    """Fountains of Montpellier in the water schema, with a fault or two every few rows."""
    rng = np.random.default_rng(16)
    x = 3.85 + rng.random(n) * 0.05
    y = 43.58 + rng.random(n) * 0.05
    return gpd.GeoDataFrame(
        {
            "id_local": [f"F{i:03d}" for i in range(n)],
            "nom": [f"Fontaine {i}" for i in range(n)],
            "type_point": ["fontaine"] * n,
            "etat": ["en_service"] * n,
            "date_mes": ["2019-05-07"] * n,
        },
        geometry=gpd.points_from_xy(x, y),
        crs="EPSG:4326",
    )


def _copy_row(frame: gpd.GeoDataFrame, src: int, dest: int, **changes: object) -> None:
    for col in frame.columns:
        frame.at[dest, col] = frame.at[src, col]
    for col, value in changes.items():
        frame.at[dest, col] = value


def test_duplicates_spanning_chunks_are_found_and_removed_as_in_the_whole_layer() -> None:
    frame = _water(30)
    _copy_row(frame, 3, 20)  # an exact copy two chunks of 7 later
    _copy_row(frame, 0, 26)  # and one more, twice, in two later chunks
    _copy_row(frame, 0, 29)
    _copy_row(frame, 4, 25, id_local="F904", nom="Autre fontaine")  # same place, other attributes
    _copy_row(frame, 8, 22, id_local="F922", etat="hors_service")
    frame.loc[12, "date_mes"] = "12/03/1999"  # fixed in place (row-local fixes stay right in chunks)
    frame.loc[21, "geometry"] = None  # removed by the fix: the next chunks' rows move up
    expected = assert_same(frame, "water")
    # the whole layer's verdicts the chunks must reproduce (duplicate copies removed, so not in the re-check)
    assert [c for c in expected.changes if c[1] == "(feature)"] == [
        (21, "(feature)", "no geometry", None),
        (20, "(feature)", "exact copy of an earlier feature", None),
        (26, "(feature)", "exact copy of an earlier feature", None),
        (29, "(feature)", "exact copy of an earlier feature", None),
    ]
    # rows 22 and 25 once rows 20 and 21 are removed
    assert expected.rows[("DUPLICATE_GEOMETRY", "warning")] == (2, [20, 23])


def test_an_identifier_repeated_in_three_chunks() -> None:
    frame = _water(21)
    for row in (2, 9, 16):  # one in each chunk of 7
        frame.loc[row, "id_local"] = "F-DUP"
    frame.loc[5, "id_local"] = " "  # blank: no identifier, not a shared one
    frame.loc[12, "id_local"] = " "
    expected = assert_same(frame, "water")
    assert expected.rows[("DUPLICATE_ID", "error")] == (2, [9, 16])


def test_numeric_identifiers_read_as_integers_in_one_chunk_and_floats_in_the_next() -> None:
    """A blank makes a chunk's integer column float: 7 and 7.0 are one identifier."""
    frame = _water(14).drop(columns=["id_local"])
    carry = layer_carry()
    profile = load_profile("water")
    spec = replace(profile.roles[0], fields=(replace(profile.roles[0].fields[0], name="gid"),))
    first = frame.iloc[:7].reset_index(drop=True).assign(gid=np.arange(7, dtype=np.int64))
    second = frame.iloc[7:].reset_index(drop=True).assign(gid=[7.0, 8.0, np.nan, 3.0, 11.0, 12.0, 13.0])
    for offset, chunk in ((0, first), (7, second)):
        ctx = CheckContext(chunk, "couche", profile, spec, offset=offset, carry=carry)
        found = [i for i in run_checks(ctx, "water", workers=1).issues if i.code == "DUPLICATE_ID"]
        commit_chunk(ctx, "water")
    assert [i.examples for i in found] == [[3]]  # 3.0 repeats the first chunk's 3


def test_a_required_field_empty_in_the_first_chunk_filled_in_the_third() -> None:
    frame = _water(21)
    frame.loc[:13, "type_point"] = None  # empty in every row of chunks 1 and 2 (of 7), filled in chunk 3
    expected = assert_same(frame, "water")
    assert expected.rows[("REQUIRED_VALUE_EMPTY", "error")] == (14, list(range(14)))
    assert not any(code == "REQUIRED_FIELD_MISSING" for code, _s, _m in expected.layer)


def test_a_required_field_empty_everywhere_is_reported_by_finish() -> None:
    """The whole layer says REQUIRED_FIELD_MISSING (an error no --drop-invalid removes: nothing is published);
    chunks cannot know it before the last one, so they also list the empty rows (REQUIRED_VALUE_EMPTY)."""
    frame = _water(10)
    frame["type_point"] = None
    frame = frame.drop(columns=["id_local"])  # absent: reported once for the layer, with the empty one
    expected = whole(frame, "water")
    assert ("REQUIRED_VALUE_EMPTY", "error") not in expected.rows
    for size in SIZES:
        got = chunked(frame, "water", size)
        assert got.layer == expected.layer
        assert {c for c, _s, m in got.layer if "id_local, type_point" in m} == {"REQUIRED_FIELD_MISSING"}
        assert got.rows[("REQUIRED_VALUE_EMPTY", "error")] == (10, list(range(10)))


@pytest.mark.parametrize("commit_after_drop", [False, True])
def test_a_field_empty_everywhere_whose_rows_are_all_left_out(commit_after_drop: bool) -> None:
    """Every row is an error (REQUIRED_VALUE_EMPTY), so --drop-invalid leaves them all out. Committed before the
    drop (as runner.commit_chunk asks), finish says what the whole layer says. Committed after it, no row is
    committed: finish still knows the layer had features (its ``offset``) and refuses it; it then cannot tell
    that id_local was filled, and names it too. Never silence (an empty layer published)."""
    frame = _water(14)
    frame["type_point"] = None
    carry = layer_carry()
    for start in (0, 7):
        ctx = _ctx(frame.iloc[start : start + 7].reset_index(drop=True), "water", offset=start, carry=carry)
        found = run_checks(ctx, "water", workers=1).issues
        errors = {r for i in found if i.severity == "error" for r in i.examples}
        assert errors == set(range(7))  # every row: REQUIRED_VALUE_EMPTY
        commit_chunk(replace(ctx, frame=ctx.frame.drop(index=sorted(errors))) if commit_after_drop else ctx, "water")
    end = finish_checks(_ctx(frame.iloc[:0], "water", offset=14, carry=carry), "water").issues
    fields = "fields missing, or empty in every feature: id_local, type_point" if commit_after_drop else (
        "field missing, or empty in every feature: type_point"
    )
    assert [(i.code, i.message) for i in end] == [("REQUIRED_FIELD_MISSING", f"Required {fields}.")]
    if not commit_after_drop:
        assert ("REQUIRED_FIELD_MISSING", "error", end[0].message) in whole(frame, "water").layer


def test_an_empty_layer_has_no_field_empty_everywhere() -> None:
    frame = _water(0)
    assert chunked(frame, "water", 7).layer == whole(frame, "water").layer
    assert not any(code.startswith("REQUIRED") for code, _s, _m in whole(frame, "water").layer)


def test_a_table_without_geometry_and_a_layer_without_a_theme() -> None:
    frame = _water(25)
    _copy_row(frame, 1, 15)
    _copy_row(frame, 2, 16, nom="Fontaine 2 bis")
    frame.loc[18, "id_local"] = "F002"
    assert_same(frame, None)  # generic checks: the identifier is the column named like one
    table = pd.DataFrame(frame.drop(columns="geometry"))
    expected = whole(gpd.GeoDataFrame(table), None)
    assert (15, "(feature)", "exact copy of an earlier feature", None) in expected.changes
    assert expected.rows[("DUPLICATE_ID", "error")] == (2, [15, 17])  # rows 16 and 18 once row 15 is removed
    for size in SIZES:
        got = chunked(gpd.GeoDataFrame(table), None, size)
        assert sorted(got.changes, key=repr) == sorted(expected.changes, key=repr)
        assert got.rows == expected.rows


def test_trails_copied_across_chunks_with_their_ends_reversed() -> None:
    """Hiking lines: a trail drawn the other way round is the same geometry (normalised WKB hashes), in any chunk."""
    n = 20
    lines = [
        shapely.LineString([(3.5 + i * 0.01, 43.6), (3.51 + i * 0.01, 43.62), (3.52 + i * 0.01, 43.6)])
        for i in range(n)
    ]
    frame = gpd.GeoDataFrame(
        {
            "id_local": [f"T{i}" for i in range(n)],
            "producteur": ["PNC"] * n,
            "nom_itineraire": [f"Sentier {i}" for i in range(n)],
            "pratique": ["pédestre"] * n,
            "depart": ["Florac"] * n,
            "arrivee": ["Florac"] * n,
            "instructions": ["Suivre le balisage."] * n,
        },
        geometry=lines,
        crs="EPSG:4326",
    )
    _copy_row(frame, 2, 11)  # exact copy, two chunks of 7 later
    _copy_row(frame, 5, 17, id_local="T905", nom_itineraire="Variante")
    frame.loc[17, "geometry"] = shapely.reverse(frame.loc[5, "geometry"])  # same line, drawn the other way
    frame.loc[13, "id_local"] = "T1"  # an identifier of the first chunk
    expected = assert_same(frame, "hiking")
    assert (11, "(feature)", "exact copy of an earlier feature", None) in expected.changes
    assert expected.rows[("DUPLICATE_GEOMETRY", "warning")] == (1, [16])
    assert expected.rows[("DUPLICATE_ID", "error")] == (1, [12])


def test_polygon_duplicates_of_a_real_flood_layer(data_copy) -> None:
    """The DDT's PAC layer: 174 features share a geometry with an earlier one (in WKB, not coordinates)."""
    from odl_geo.normalise.frames import read_frame
    from odl_geo.sources import open_source

    with open_source(data_copy("flood/ddtm34_pac_risques/N_PAC_RISQUES_S_034.shp")) as src:
        frame = read_frame(src.layers[0])
    expected = assert_same(frame, None, sizes=(97, 1000))
    assert expected.rows[("DUPLICATE_GEOMETRY", "warning")][0] == 174


def test_the_carry_holds_8_bytes_per_feature_in_numpy_arrays() -> None:
    """1M features: the hashes of the earlier chunks are sorted uint64 arrays (8 bytes each) and a bitmap of
    1 to 2 bytes each, not Python sets (~60 bytes each)."""
    carry = layer_carry()
    rng = np.random.default_rng(5)
    hashes = rng.integers(0, 2**63, size=1_000_000, dtype=np.int64).view(np.uint64)
    for chunk in np.array_split(hashes, 20):
        _carry.add_hashes(carry, "duplicates.feature", chunk)
    kept = carry["duplicates.feature"]
    assert isinstance(kept, _carry.HashSet) and len(kept) == np.unique(hashes).size
    assert all(isinstance(r, np.ndarray) and r.dtype == np.uint64 for r in kept.runs)
    assert all(bool(np.all(r[1:] > r[:-1])) for r in kept.runs)  # each run sorted, distinct
    assert sum(r.nbytes for r in kept.runs) == 8 * len(kept)
    assert len(kept) <= kept.bits.nbytes <= 2 * len(kept)
    assert _carry.carry_nbytes(carry) == kept.nbytes <= 10 * 1_000_000
    assert len(kept.runs) <= 8  # merged as they come: lookups search a few runs, not one per chunk
    probe = np.concatenate([hashes[::997], rng.integers(0, 2**63, size=1000, dtype=np.int64).view(np.uint64)])
    found = _carry.hashes_in(carry, "duplicates.feature", probe)
    n = hashes[::997].size
    assert found[:n].all() and found[n:].sum() == np.isin(probe[n:], hashes).sum()


def test_geometries_keep_their_attributes_hash_pairs_found_across_runs() -> None:
    """A PairSet: a key (geometry) may come with several values (features at one place with other attributes),
    in several runs; a pair is found only with its own value."""
    pairs = _carry.PairSet()
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 2**63, size=200_000, dtype=np.int64).view(np.uint64)
    values = rng.integers(0, 2**32, size=keys.size, dtype=np.int64).astype(np.uint32)
    place = keys[:3].repeat(4)  # three places, four features each, in four chunks
    attrs = np.arange(12, dtype=np.uint32)
    for part in range(4):
        chunk = slice(part * 50_000, (part + 1) * 50_000)
        pairs.add_pairs(np.concatenate([keys[chunk], place[part::4]]), np.concatenate([values[chunk], attrs[part::4]]))
    assert len(pairs.runs) <= 3 and len(pairs) == 200_012
    assert pairs.contains(keys).all() and not pairs.contains(keys + np.uint64(1)).any()
    assert pairs.contains_pairs(keys[::1000], values[::1000]).all()
    assert not pairs.contains_pairs(keys[::1000], values[::1000] + np.uint32(1)).any()
    assert pairs.contains_pairs(place, attrs).all()  # each of the four features at one place
    assert not pairs.contains_pairs(place, attrs + np.uint32(100)).any()
    assert sum(r.nbytes for r in pairs.runs) + sum(p.nbytes for p in pairs.payloads) == 12 * len(pairs)
    assert pairs.bits.nbytes <= 2 * len(pairs)


def test_the_carry_of_a_streamed_layer_is_hash_sets_and_counters() -> None:
    """After a streamed water layer, the carry holds hash sets (geometries with their attributes' 32-bit hash: 12
    bytes a feature; identifiers: 8), counters and flags, in numpy arrays: no per-feature Python object."""
    frame = _water(500)
    carry = layer_carry()
    for start in range(0, len(frame), 50):
        ctx = _ctx(frame.iloc[start : start + 50].reset_index(drop=True), "water", offset=start, carry=carry)
        commit_chunk(ctx, "water")
    sets = {k: v for k, v in carry.items() if isinstance(v, _carry.HashSet)}
    assert set(sets) == {"duplicates.geometry", "duplicates.id.id_local"}
    assert all(len(v) == 500 and sum(r.nbytes for r in v.runs) == 8 * 500 for v in sets.values())
    geometries = sets["duplicates.geometry"]
    assert isinstance(geometries, _carry.PairSet)  # with 32 bits of each feature's attributes
    assert sum(p.nbytes for p in geometries.payloads) == 4 * 500 and geometries.payloads[0].dtype == np.uint32
    others = {k: v for k, v in carry.items() if k not in sets}
    assert others == {"chunked": True, "fields.rows": 500, "fields.filled": {"id_local", "type_point"}}


@pytest.mark.parametrize("size", [3, 50])
def test_a_single_chunk_layer_with_an_empty_carry_is_checked_as_today(size: int) -> None:
    """``odl-geo check``, the plugin, and a layer of one chunk: an empty carry, offset 0. The hooks may run:
    commit records, finish adds nothing (the run said it all)."""
    frame = _water(size).drop(columns=["etat"])
    frame["type_point"] = None
    ctx = _ctx(frame, "water")
    issues = run_checks(ctx, "water", workers=1).issues
    codes = {i.code for i in issues}
    assert "REQUIRED_FIELD_MISSING" in codes and "REQUIRED_VALUE_EMPTY" not in codes
    assert ctx.carry == {}
    commit_chunk(ctx, "water")
    assert finish_checks(_ctx(frame.iloc[:0], "water", carry=ctx.carry, offset=size), "water").issues == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (pd.Series(["a", None, "b"], dtype=object), pd.Series(["a", None, "b"])),  # object / Arrow text
        (pd.Series([1, 2, 3]), pd.Series([1.0, 2.0, 3.0])),  # a blank makes the next chunk's integers floats
        (pd.Series([1, None, 3], dtype=object), pd.Series([1.0, np.nan, 3.0])),
        (pd.Series(["x", [1, 2], None], dtype=object), pd.Series(["x", [1, 2], np.nan], dtype=object)),
    ],
)
def test_values_hash_alike_whatever_the_chunk_dtype(first: pd.Series, second: pd.Series) -> None:
    from odl_geo.checks.duplicates import _value_hashes

    assert _value_hashes(first).tolist() == _value_hashes(second).tolist()


def test_values_that_differ_hash_apart() -> None:
    """Python hashes -1 and -2 alike, and 1, 1.0 and True: identifiers must not."""
    from odl_geo.checks.duplicates import _value_hashes

    for values in ([-1, -2], [1, "1"], [True, 1], ["a", "a "], [None, ""], [1.5, 2.5]):
        assert len(set(_value_hashes(pd.Series(values, dtype=object)).tolist())) == 2, values
