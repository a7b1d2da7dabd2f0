"""The flood checks write their counts as the other checks do (odl_geo.numbers: ``1 234`` in French with a narrow
no-break space, ``1,234`` in English), from named counts (``Issue.counted``), so that a table checked in pieces
(theme/run.py's ``_check_in_pieces``, merged by ChunkMerger) says the whole table's count in both languages."""

from __future__ import annotations

import geopandas as gpd
import shapely

from odl_geo.checks.registry import REGISTRY, CheckContext
from odl_geo.numbers import NARROW_NBSP
from odl_geo.profiles.flood.profile import FloodProfile
from odl_geo.theme.merge import ChunkMerger

LAYER = "x_zonereglementaireurba_s"


def _squares(n: int, side: float, start: int = 0, step: float = 10.0) -> gpd.GeoDataFrame:
    """``n`` squares of ``side`` metres in Lambert-93, ``step`` metres apart (apart: they do not overlap)."""
    boxes = [shapely.box(700_000 + (start + i) * step, 6_400_000, 700_000 + (start + i) * step + side, 6_400_000 + side)
             for i in range(n)]  # fmt: skip
    return gpd.GeoDataFrame({"typereg": ["01"] * n}, geometry=boxes, crs="EPSG:2154")


def _run(code: str, frame: gpd.GeoDataFrame, layer: str = LAYER):
    [issue] = REGISTRY[code].run(CheckContext(frame, layer, FloodProfile()))
    return issue


def test_micro_surfaces_are_counted_the_way_each_language_writes_numbers():
    issue = _run("PPR_MICRO_SURFACE", _squares(1_234, 0.5))
    assert issue.count == 1_234 and issue.numbers == {"polygons": 1_234}
    assert issue.message == f"1,234 polygons of {LAYER} are smaller than 1 m² (micro-surfaces)."
    assert issue.message_fr == f"1{NARROW_NBSP}234 polygones de {LAYER} font moins de 1 m² (micro-surfaces)."


def test_overlapping_regulatory_zones_are_counted_the_way_each_language_writes_numbers():
    # 1,001 squares of 20 m, 10 m apart: each overlaps the next by 200 m², 1,000 pairs
    issue = _run("PPR_ZONEREG_OVERLAP", _squares(1_001, 20.0))
    assert issue.count == 1_000 and issue.numbers == {"pairs": 1_000}
    assert issue.message.startswith(f"1,000 pairs of regulatory zones of {LAYER} overlap")
    assert issue.message_fr.startswith(f"1{NARROW_NBSP}000 paires de zones réglementaires de {LAYER}")


def test_hazard_levels_overlapping_are_counted_in_both_languages():
    frame = _squares(1_001, 20.0)
    frame["niveaualea"] = ["01", "02"] * 500 + ["01"]
    issue = _run("PPR_ALEA_LEVEL_OVERLAP", frame, "x_zonealeareference_115_s")
    assert issue.numbers == {"pairs": 1_000}
    assert issue.message.startswith("1,000 pairs of zones of x_zonealeareference_115_s overlap")
    assert issue.message_fr.startswith(f"1{NARROW_NBSP}000 paires de zones de x_zonealeareference_115_s")


def test_a_table_checked_in_pieces_says_the_whole_tables_count():
    merger = ChunkMerger()
    first = _run("PPR_MICRO_SURFACE", _squares(700, 0.5))
    second = _run("PPR_MICRO_SURFACE", _squares(600, 0.5, start=700))
    merger.add(first, 0)
    merger.add(second, 700)
    [issue] = merger.issues()
    whole = _run("PPR_MICRO_SURFACE", _squares(1_300, 0.5))
    assert issue.count == whole.count == 1_300
    assert (issue.message, issue.message_fr) == (whole.message, whole.message_fr)
    assert issue.message_fr.startswith(f"1{NARROW_NBSP}300 polygones")


def test_a_layer_name_with_braces_is_written_as_it_is():
    issue = _run("PPR_MICRO_SURFACE", _squares(3, 0.5), "x_{v2}_zonereglementaireurba_s")
    assert issue.message == "3 polygons of x_{v2}_zonereglementaireurba_s are smaller than 1 m² (micro-surfaces)."
