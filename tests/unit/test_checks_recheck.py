"""Checking again after ``--fix`` without computing again what the fixes left true (issue 16, a streamed theme run
checks every chunk twice): :func:`~odl_geo.checks.runner.fix_context` hands the fixed frame's context the per-row
answers of the columns no fix changed (on the rows kept; the rows a fix changed answered again), the per-value
answers, and the geometry's when no fix changed one. Each test puts that path beside the plain one: every fix
run on a fresh context, the fixed frame checked from scratch. Findings (codes, messages, rows, counts, hints),
fixes (every change) and fixed frames must be the same, whole layers and chunks with a carry, one thread or two.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from odl_geo.checks._common import blanks
from odl_geo.checks.areas import resolve_area
from odl_geo.checks.registry import CheckContext
from odl_geo.checks.runner import Fix, commit_chunk, fix_context, fix_order, layer_carry, run_checks
from odl_geo.profiles.registry import load_profile
from odl_geo.values import is_blank

if TYPE_CHECKING:
    from odl_geo.checks.runner import CheckOutcome


def _fresh_fixes(ctx: CheckContext, outcome: CheckOutcome) -> tuple[gpd.GeoDataFrame, list[Fix]]:
    """The fixes as they ran before: each on a context of its own (nothing computed shared), rows mapped back."""
    frame, done, seen = ctx.frame, [], set()
    origin = np.arange(len(frame))
    for check in fix_order(set(outcome.fired)):
        if check.fix is None or check.fix in seen:
            continue
        seen.add(check.fix)
        frame, notes, changes = check.fix(replace(ctx, frame=frame))
        details = [c if c.feature is None else replace(c, feature=int(origin[c.feature])) for c in changes]
        removed = [c.feature for c in changes if c.field == "(feature)" and c.feature is not None]
        if removed:
            origin = np.delete(origin, removed)
        if notes:
            done.append(Fix(check.code, ctx.layer, [n.en for n in notes], [n.fr for n in notes], details))
    return frame, done


def _found(outcome: CheckOutcome) -> list[tuple[object, ...]]:
    return [(i.code, i.severity, i.message, i.message_fr, i.hint, i.count, list(i.examples)) for i in outcome.issues]


def _fixes(fixes: list[Fix]) -> list[tuple[object, ...]]:
    return [(f.code, f.changes, f.changes_fr, [(d.feature, d.field, repr(d.old), repr(d.new)) for d in f.details])
            for f in fixes]  # fmt: skip


def _both_ways(
    ctx: CheckContext, theme: str | None, workers: int
) -> tuple[CheckContext, list[tuple[object, ...]], dict[str, object]]:
    """Check, fix and check again both ways; assert they agree; the fixed context, its findings and what its
    scratch started with (a copy)."""
    first = run_checks(replace(ctx, frame=ctx.frame), theme, workers=workers)
    fixed, fixes = _fresh_fixes(replace(ctx, frame=ctx.frame), first)
    fresh = replace(ctx, frame=fixed)
    expected = run_checks(fresh, theme, workers=workers)

    first = run_checks(ctx, theme, workers=workers)
    again, got_fixes = fix_context(ctx, first)
    followed = {k: dict(v) if isinstance(v, dict) else v for k, v in again.scratch.items()}
    got = run_checks(again, theme, workers=workers)
    assert again.frame is not ctx.frame or not got_fixes
    assert _fixes(got_fixes) == _fixes(fixes)
    pd.testing.assert_frame_equal(again.frame, fixed, check_exact=True)
    assert _found(got) == _found(expected)
    # and every per-row answer the fixed context holds (followed or patched) is the one computed afresh
    fresh_rows: dict[tuple[str, str], np.ndarray] = fresh.scratch.get("rows", {})  # type: ignore[assignment]
    for key, answers in again.scratch.get("rows", {}).items():  # type: ignore[attr-defined]
        if key in fresh_rows:
            assert np.array_equal(answers, fresh_rows[key]), key
    return again, _found(got), followed


def _water(n: int, start: int = 0) -> gpd.GeoDataFrame:
    """Fountains of Montpellier in the water schema with the faults --fix knows, and some it does not."""
    rng = np.random.default_rng(16 + start)
    frame = gpd.GeoDataFrame(
        {
            "id_local": [f"F{i:04d}" for i in range(start, start + n)],
            "nom": [f"Fontaine {i % 7}" for i in range(n)],
            "type_point": ["fontaine"] * n,
            "etat": ["en_service"] * n,
            "insee": ["34172"] * n,
            "date_mes": ["2019-05-07"] * n,
            "remarque": [None] * n,
        },
        geometry=gpd.points_from_xy(3.85 + rng.random(n) * 0.05, 43.58 + rng.random(n) * 0.05),
        crs="EPSG:4326",
    )
    frame.loc[2, "date_mes"] = "12/03/1999"  # fixed
    frame.loc[3, "date_mes"] = "mars 1999"  # partial: stays
    frame.loc[4, "nom"] = "FontaÃ¨ne du marchÃ©"  # fixed
    frame.loc[5, "nom"] = "Fontaine � perdue"  # lost: stays
    frame.loc[6, "insee"] = "34999"  # unknown
    frame.loc[7, "insee"] = "  "  # blank
    frame.loc[8, "etat"] = "cassée"  # outside the enumeration
    frame.loc[9, "type_point"] = None  # required, empty
    frame.loc[10, "geometry"] = None  # removed
    frame.loc[11, "id_local"] = frame.loc[12, "id_local"]  # an identifier twice
    for col in frame.columns:  # an exact copy (removed), and a copy with other attributes (reported)
        frame.at[14, col] = frame.at[13, col]
        frame.at[16, col] = frame.at[15, col]
    frame.loc[16, "id_local"] = "F-AUTRE"
    frame.loc[17, "geometry"] = Point(2.35, 48.85)  # Paris: outside the area
    frame.loc[18, "geometry"] = Point(-30.0, 40.0)  # at sea
    frame.loc[19, "date_mes"] = "12/03/1999"  # the same rewrite twice: one reading of the date
    return frame


@pytest.mark.parametrize("workers", [1, 2])
def test_a_water_layer_checked_again_after_its_fixes(workers: int) -> None:
    profile = load_profile("water")
    area = ("34",)
    ctx = CheckContext(_water(40), "fontaines", profile, profile.roles[0], frozenset({"34172"}), area, "Hérault")
    again, found, followed = _both_ways(ctx, "water", workers)
    codes = {f[0] for f in found}
    # what --fix cannot fix is still found after it, from the answers the first run computed
    assert {"DATE_NOT_ISO", "TEXT_ENCODING_DAMAGED", "INSEE_UNKNOWN", "ENUM_VALUE_INVALID", "REQUIRED_VALUE_EMPTY",
            "DUPLICATE_ID", "DUPLICATE_GEOMETRY", "COORDS_OUTSIDE_FRANCE"} <= codes  # fmt: skip
    assert len(again.frame) == 38  # the feature without geometry and the exact copy removed
    # the columns no fix changed kept their answers (taken on the rows kept): none computed again
    assert ("blank", "type_point") in followed["rows"]  # type: ignore[operator]
    assert ("text_hits", "nom") in followed["rows"]  # type: ignore[operator]  # the fixed rows answered again
    assert "geometry" in followed and "placement" in followed


def test_chunks_with_a_carry_checked_again_after_their_fixes() -> None:
    """Copies of an earlier chunk's features, identifiers of an earlier chunk: the carry is read by the check, the
    fix and the check again, and written once per chunk."""
    profile = load_profile("water")
    carry = layer_carry()
    offset = 0
    for part in range(3):
        frame = _water(25, start=25 * part)
        if part:
            previous = _water(25, start=25 * (part - 1))
            for col in frame.columns:  # an exact copy of a feature of the chunk before, and one of its ids
                frame.at[20, col] = previous.at[0, col]
            frame.loc[21, "id_local"] = previous.loc[1, "id_local"]
        ctx = CheckContext(frame, "fontaines", profile, profile.roles[0], None, (), "", offset=offset, carry=carry)
        again, found, _followed = _both_ways(ctx, "water", 2)
        if part:
            # rows 10 (no geometry), 14 (a copy in the chunk) and 20 (a copy of the chunk before) removed before it
            assert any(f[0] == "DUPLICATE_ID" and 21 - 3 in f[6] for f in found)
        commit_chunk(again, "water")
        offset += len(frame)


def _mixed(n: int) -> gpd.GeoDataFrame:
    """A layer without a theme: polygons (one self-intersecting: rebuilt), an empty line (removed: the rows kept
    are then looked at through GEOS still), a field name OGC servers refuse (renamed), INSEE codes that lost their
    leading zero (fixed)."""
    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    geoms: list[object] = [shapely.affinity.translate(square, 700_000 + 1000 * i, 6_300_000) for i in range(n)]
    geoms[1] = Polygon([(700_000, 6_300_000), (701_000, 6_301_000), (701_000, 6_300_000), (700_000, 6_301_000)])
    geoms[2] = LineString()
    geoms[3] = Point(700_500, 6_300_500)
    return gpd.GeoDataFrame(
        {
            "Catégorie": ["a", "b", "a", "c"] * (n // 4),
            "code_insee": ["1001", "34172", "01001", None] * (n // 4),
            "date_maj": ["2020-01-01", "01/02/2020", "mars 2020", "  "] * (n // 4),
            "texte": ["Ã©tÃ©", "été", "perdu �", 3] * (n // 4),
        },
        geometry=geoms,
        crs="EPSG:2154",
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_a_layer_without_theme_with_geometries_and_names_fixed(workers: int) -> None:
    ctx = CheckContext(_mixed(12), "couche mixte")
    again, found, _followed = _both_ways(ctx, None, workers)
    assert "categorie" in again.frame.columns
    assert {"DATE_NOT_ISO", "TEXT_ENCODING_DAMAGED"} <= {f[0] for f in found}  # partial date, lost bytes
    assert again.frame["code_insee"].tolist()[:2] == ["01001", "34172"]


def test_rows_kept_all_points_start_their_geometry_afresh() -> None:
    """A mixed layer whose only other geometry is removed: its points are then looked at through their
    coordinates, as a layer of points checked from scratch would be."""
    frame = gpd.GeoDataFrame(
        {"nom": ["a", "b", "c", "d"]},
        geometry=[Point(700_000, 6_300_000), LineString(), Point(701_000, 6_300_000), Point(702_000, 6_300_000)],
        crs="EPSG:2154",
    )
    again, _found_issues, followed = _both_ways(CheckContext(frame, "points"), None, 1)
    assert len(again.frame) == 3
    assert "geometry" not in followed


SAMPLES = {
    "water": ("examples/water/VilleMTP_MTP_Fontaines.csv", {"mapping": "examples/water/fontaines.toml", "area": "34"},
              None),
    "pei": ("tests/data/pei/pei_generated_occitanie.csv", {"area": "occitanie"}, "EPSG:2154"),
    "hiking": ("examples/hiking/cevennes_itineraires.json", {"area": "occitanie"}, None),
}  # fmt: skip


@pytest.mark.parametrize("theme", list(SAMPLES))
def test_the_bundled_samples_checked_again_after_their_fixes(theme: str) -> None:
    """The real samples the theme runs publish, conformed and anonymised as a theme run does (read only)."""
    from odl_geo.sources.layer import ReadOptions
    from odl_geo.theme.run import ThemeOptions, check_theme

    repo = Path(__file__).resolve().parents[2]
    sample, options, crs = SAMPLES[theme]
    if "mapping" in options:
        options = {**options, "mapping": str(repo / options["mapping"])}
    run = check_theme(repo / sample, theme, ThemeOptions(**options), ReadOptions(source_crs=crs))
    assert run.layers and run.profile is not None
    area = resolve_area(options["area"])
    for layer in run.layers:
        spec = next(r for r in run.profile.roles if r.role == layer.role)
        ctx = CheckContext(layer.frame, layer.layer, run.profile, spec, area.insee, area.outline, area.name)
        _both_ways(ctx, theme, 2)


def test_blank_masks_of_object_columns_are_is_blank() -> None:
    """:func:`_common.blanks` tests each distinct value once: the same answers as ``values.is_blank``."""
    import decimal

    awkward = [None, np.nan, pd.NA, pd.NaT, float("nan"), decimal.Decimal("NaN"), "", " ", "\t\n", "\x1c", "\xa0",
               "\u3000", "a", " a ", 0, 1.5, True, np.str_(" "), np.str_("x"), b" ", "\u200b"]  # fmt: skip
    for value in awkward:
        series = pd.Series([value, "x", value, " "], dtype=object)
        assert blanks(series).tolist() == is_blank(series).tolist(), repr(value)
    mixed = pd.Series(awkward, dtype=object)
    assert blanks(mixed).tolist() == is_blank(mixed).tolist()
    unhashable = pd.Series([[1], " ", None], dtype=object)
    assert blanks(unhashable).tolist() == is_blank(unhashable).tolist() == [False, True, True]


def test_text_values_hash_as_python_hashes_them() -> None:
    """Text objects are hashed once per distinct value: each row gets its value's Python hash (blanks one hash)."""
    from odl_geo.checks.runner import load_checks

    load_checks()  # the families registered in their order first (the fixes' order follows it)
    from odl_geo.checks.duplicates import _value_hashes

    values = pd.Series(["b", None, "a", "b", np.nan, "é", np.str_("a")] * 3, dtype=object)
    got = _value_hashes(values)
    missing = _value_hashes(pd.Series([None], dtype=object))[0]
    for value, h in zip(values, got, strict=True):
        assert int(h) == (int(missing) if not isinstance(value, str) else hash(value) & (2**64 - 1))
