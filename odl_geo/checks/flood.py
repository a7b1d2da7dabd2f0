"""Quality checks of the CNIG PPR standard that need the geometry of a whole table (theme "flood").

They run on the conformed CNIG tables (``zonealeareference_115_s``, ``zonereglementaireurba_s``...) and follow
the standard's "Qualité" chapter: zones of one hazard with different levels must not overlap, regulatory zones
must not overlap ("Cohérence topologique"), and micro-surfaces are measured ("Nombre de micro-surfaces").
Structure, code lists and references are the validator's job (``odl_geo.profiles.flood.validate``), so they are
not repeated here.
"""

from __future__ import annotations

import gc
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ..numbers import literal
from ..report import Issue, Severity
from .registry import Check, CheckContext, Level, register

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = ["ALEA_LEVEL_OVERLAP", "MICRO_SURFACE", "MIN_OVERLAP_M2", "ZONEREG_OVERLAP"]

MIN_OVERLAP_M2 = 1.0  # smaller shared areas are digitising noise (snapping, coordinate rounding), not a conflict
MICRO_SURFACE_M2 = 1.0
_ALEA = re.compile(r"zonealea(reference|echeance100ans|exceptionnel)_(\d+|codealea)_s\b|zonealeanaturelsynthese_s\b")
_ZONEREG = re.compile(r"zonereglementaire(urba|foncier)_s\b")
_POLYGON_TABLES = re.compile(r"(zonealea\w*|zonereglementaire\w*|perimetre\w*)_s\b")


def _kind(ctx: CheckContext) -> str:
    """The table name and the role: either may say which CNIG table the frame is (``..._zonealeareference_115_s``)."""
    return f"{ctx.layer} {ctx.role.role if ctx.role is not None else ''}"


def _overlapping_pairs(
    geoms: NDArray[np.object_], keys: NDArray[np.object_] | None, carry: dict[str, object] | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Pairs (i < j) whose shared area exceeds MIN_OVERLAP_M2 and, when ``keys`` is given, whose keys differ.

    In bulk, cheapest test first: the tree's bounding-box pairs, kept when i < j and the keys differ; then
    whether they intersect at all (prepared geometries); then whether their *interiors* meet (``T********``:
    neighbours that only share a boundary have no common area, and most pairs are such neighbours); only those
    pairs are intersected to measure the shared area. The pairs are the ones a plain "intersects, then
    intersection area" gives, in the same order.

    ``carry`` (the layer's :attr:`CheckContext.carry`) remembers the last answer with the geometries and keys it
    was computed from: with ``--fix`` the checks run again on the fixed frame, whose geometries are the same
    objects when no fix touched them, and the answer is then reused rather than computed twice.
    """
    cached = carry.get(_PAIRS_MEMO) if carry is not None else None
    if isinstance(cached, tuple) and _same_input(cached[0], cached[1], geoms, keys):
        return cached[2], cached[3]
    tree = shapely.STRtree(geoms)
    lock = threading.Lock()
    starts = range(0, len(geoms), OVERLAP_BLOCK)
    workers = min(overlap_workers(), len(starts))
    if workers > 1:
        # the blocks are independent and GEOS releases the GIL: they run on every core, their pairs joined in the
        # blocks' order (the same pairs, in the same order, as one after the other); each thread holds its own
        # block's pairs only. No garbage collection meanwhile (as the checks' pool: a cycle holding PROJ objects
        # collected in a worker thread crashed pyproj)
        collecting = gc.isenabled()
        gc.disable()
        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="odl-geo-overlaps") as pool:
                found = list(pool.map(lambda start: _block_pairs(geoms, keys, tree, lock, start), starts))
        finally:
            if collecting:
                gc.enable()
    else:
        found = [_block_pairs(geoms, keys, tree, lock, start) for start in starts]
    left = np.concatenate([f[0] for f in found]) if found else np.zeros(0, dtype=np.int64)
    right = np.concatenate([f[1] for f in found]) if found else np.zeros(0, dtype=np.int64)
    if carry is not None:  # one answer only: bounded, whatever the number of tables or chunks
        carry[_PAIRS_MEMO] = (geoms, None if keys is None else keys.copy(), left, right)
    return left, right


def _block_pairs(
    geoms: NDArray[np.object_],
    keys: NDArray[np.object_] | None,
    tree: shapely.STRtree,
    lock: threading.Lock,
    start: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The overlapping pairs (i, j) of :func:`_overlapping_pairs` whose i is in the block of
    :data:`OVERLAP_BLOCK` features from ``start``, in the tree's order. The tree is queried under ``lock`` (a
    shapely tree is built on its first query: one thread at a time; the query is a few percent of the work)."""
    with lock:
        left, right = tree.query(geoms[start : start + OVERLAP_BLOCK])  # the bounding-box pairs of this block only
    left += start
    keep = left < right
    if keys is not None:
        keep &= keys[left] != keys[right]
    left, right = left[keep], right[keep]
    if len(left):
        # the block's own features are prepared (another thread's block never holds them as its i)
        probes = geoms[np.unique(left)]
        shapely.prepare(probes)
        try:
            touching = shapely.intersects(geoms[left], geoms[right])
        finally:
            shapely.destroy_prepared(probes)  # the prepared indexes weigh more than the polygons: never kept
        left, right = left[touching], right[touching]
    if len(left):
        inner = shapely.relate_pattern(geoms[left], geoms[right], "T********")
        left, right = left[inner], right[inner]
    if len(left):
        big = shapely.area(shapely.intersection(geoms[left], geoms[right])) > MIN_OVERLAP_M2
        left, right = left[big], right[big]
    return left, right


def overlap_workers() -> int:
    """Threads for the overlap tests of a large table: the checks' own default (the cores this process may use,
    less one per child process working; ``ODL_GEO_CHECK_THREADS``), see
    :func:`~odl_geo.checks.runner.default_workers`."""
    from .runner import default_workers

    return default_workers()


_PAIRS_MEMO = "flood.overlapping_pairs"
#: features whose bounding-box pairs are looked at together (bounds the pairs held at once, per thread): at 100k
#: zones a regulatory table's tests added ~30 MB at their peak with blocks of 2,000 in one thread, ~54 with two
#: threads, ~18 with blocks of 500 in two threads, for no more CPU (seventh round)
OVERLAP_BLOCK = 500


def _same_input(
    geoms: NDArray[np.object_],
    keys: NDArray[np.object_] | None,
    other_geoms: NDArray[np.object_],
    other_keys: NDArray[np.object_] | None,
) -> bool:
    """The same geometry objects (immutable, held by the memo: identities cannot be reused) and equal keys."""
    if len(geoms) != len(other_geoms) or (keys is None) != (other_keys is None):
        return False
    if not all(a is b for a, b in zip(geoms, other_geoms, strict=True)):
        return False
    return keys is None or bool(np.array_equal(keys, other_keys))  # type: ignore[arg-type]


def _polygons(ctx: CheckContext) -> tuple[NDArray[np.object_], NDArray[np.int64]]:
    geoms = np.asarray(ctx.frame.geometry.values, dtype=object)
    ok = np.array([g is not None for g in geoms], dtype=bool)
    ok[ok] = shapely.is_valid(geoms[ok]) & ~shapely.is_empty(geoms[ok])
    return geoms[ok], np.flatnonzero(ok)


def check_alea_level_overlap(ctx: CheckContext) -> list[Issue]:
    """Zones of one hazard table that overlap while carrying different ``niveaualea``."""
    if not _ALEA.search(_kind(ctx)) or "niveaualea" not in ctx.frame.columns or not len(ctx.frame):
        return []
    geoms, rows = _polygons(ctx)
    levels = ctx.frame["niveaualea"].astype(object).to_numpy()[rows]
    left, right = _overlapping_pairs(geoms, levels, ctx.carry)
    if not len(left):
        return []
    hit = sorted({int(rows[i]) for i in np.concatenate([left, right])})
    return [alea_level_overlap_issue(ctx.layer, len(left), hit[:5])]


def alea_level_overlap_issue(layer: str, pairs: int, examples: list[int]) -> Issue:
    """PPR_ALEA_LEVEL_OVERLAP for ``pairs`` pairs of zones of ``layer``, naming ``examples`` (the table's rows):
    the whole-table check's and the one fed a piece at a time (:mod:`odl_geo.checks.flood_rtree`)."""
    return Issue(
        "PPR_ALEA_LEVEL_OVERLAP",
        Severity.WARNING,
        "",
        "Cut the zones along a common boundary in the source (QGIS: Difference, or snapping).",
        layer=layer,
        count=pairs,
        examples=examples,
        hint_fr="Découpez les zones le long d'une limite commune dans la source (QGIS : Différence, ou accrochage).",
    ).counted(
        f"{{pairs}} {{pairs:pair|pairs}} of zones of {literal(layer)} {{pairs:overlaps|overlap}} (more than "
        f"{MIN_OVERLAP_M2:g} m²) with different hazard levels: a place cannot have two levels of the same hazard.",
        f"{{pairs}} {{pairs:paire|paires}} de zones de {literal(layer)} {{pairs:se superpose|se superposent}} (plus de "
        f"{MIN_OVERLAP_M2:g} m²) avec des niveaux d'aléa différents : un lieu ne peut pas avoir deux niveaux du même "
        "aléa.",
        pairs=pairs,
    )


def check_zonereg_overlap(ctx: CheckContext) -> list[Issue]:
    """Regulatory zones that overlap: a place must fall under one regulation only."""
    if not _ZONEREG.search(_kind(ctx)) or not len(ctx.frame):
        return []
    geoms, rows = _polygons(ctx)
    left, right = _overlapping_pairs(geoms, None, ctx.carry)
    if not len(left):
        return []
    hit = sorted({int(rows[i]) for i in np.concatenate([left, right])})
    return [zonereg_overlap_issue(ctx.layer, len(left), hit[:5])]


def zonereg_overlap_issue(layer: str, pairs: int, examples: list[int]) -> Issue:
    """PPR_ZONEREG_OVERLAP for ``pairs`` pairs of regulatory zones of ``layer`` (see
    :func:`alea_level_overlap_issue`)."""
    return Issue(
        "PPR_ZONEREG_OVERLAP",
        Severity.WARNING,
        "",
        "Cut the zones along a common boundary in the source.",
        layer=layer,
        count=pairs,
        examples=examples,
        hint_fr="Découpez les zones le long d'une limite commune dans la source.",
    ).counted(
        f"{{pairs}} {{pairs:pair|pairs}} of regulatory zones of {literal(layer)} {{pairs:overlaps|overlap}} (more "
        f"than {MIN_OVERLAP_M2:g} m²): the standard wants one homogeneous regulation per place.",
        f"{{pairs}} {{pairs:paire|paires}} de zones réglementaires de {literal(layer)} "
        f"{{pairs:se superpose|se superposent}} (plus de {MIN_OVERLAP_M2:g} m²) : le standard veut une seule "
        "réglementation homogène en chaque lieu.",
        pairs=pairs,
    )


def check_micro_surface(ctx: CheckContext) -> list[Issue]:
    """Polygons smaller than 1 m² (slivers left by digitising or by cutting zones)."""
    if not _POLYGON_TABLES.search(_kind(ctx)) or not len(ctx.frame):
        return []
    geoms = np.asarray(ctx.frame.geometry.values, dtype=object)
    present = np.array([g is not None for g in geoms], dtype=bool)
    tiny = np.zeros(len(geoms), dtype=bool)
    tiny[present] = shapely.area(geoms[present]) < MICRO_SURFACE_M2
    if not tiny.any():
        return []
    rows = [int(i) for i in np.flatnonzero(tiny)]
    return [
        Issue(
            "PPR_MICRO_SURFACE",
            Severity.WARNING,
            "",
            "Merge them into their neighbour or delete them in the source.",
            layer=ctx.layer,
            count=len(rows),
            examples=rows[:5],
            hint_fr="Fusionnez-les avec leur voisin ou supprimez-les dans la source.",
        ).counted(
            f"{{polygons}} {{polygons:polygon|polygons}} of {literal(ctx.layer)} {{polygons:is|are}} smaller than "
            f"{MICRO_SURFACE_M2:g} m² (micro-surfaces).",
            f"{{polygons}} {{polygons:polygone|polygones}} de {literal(ctx.layer)} {{polygons:fait|font}} moins de "
            f"{MICRO_SURFACE_M2:g} m² ({{polygons:micro-surface|micro-surfaces}}).",
            polygons=len(rows),
        )
    ]


ALEA_LEVEL_OVERLAP = register(
    Check(
        "PPR_ALEA_LEVEL_OVERLAP",
        Severity.WARNING,
        Level.FEATURE,
        {
            "fr": "Zones d'un même aléa superposées avec des niveaux différents",
            "en": "Zones of one hazard overlap with different levels",
        },
        {
            "fr": "Le Géostandard PPR (Qualité, cohérence topologique) interdit la superposition de zones d'un "
            "même aléa ayant des niveaux d'aléa différents. Les recouvrements de moins de 1 m² sont ignorés.",
            "en": "The CNIG PPR standard (Quality, topological consistency) forbids overlapping zones of one hazard "
            "with different hazard levels. Overlaps under 1 m² are ignored.",
        },
        check_alea_level_overlap,
        frozenset({"flood"}),
    )
)
ZONEREG_OVERLAP = register(
    Check(
        "PPR_ZONEREG_OVERLAP",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Zones réglementaires superposées", "en": "Regulatory zones overlap"},
        {
            "fr": "Le zonage réglementaire est découpé en zones de réglementation homogène qui ne doivent pas se "
            "recouvrir (Géostandard PPR, cohérence topologique). Les recouvrements de moins de 1 m² sont ignorés.",
            "en": "Regulatory zoning is split into zones of homogeneous regulation that must not overlap (CNIG PPR "
            "standard, topological consistency). Overlaps under 1 m² are ignored.",
        },
        check_zonereg_overlap,
        frozenset({"flood"}),
    )
)
MICRO_SURFACE = register(
    Check(
        "PPR_MICRO_SURFACE",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Micro-surfaces", "en": "Micro-surfaces"},
        {
            "fr": "Polygones de moins de 1 m² dans les zones d'aléa, réglementaires ou le périmètre : le "
            "Géostandard PPR les compte comme erreurs de qualité (mesure « Nombre de micro-surfaces non valides »).",
            "en": "Polygons under 1 m² in hazard zones, regulatory zones or the perimeter: the CNIG PPR standard "
            "counts them as quality errors (measure 'number of invalid micro-surfaces').",
        },
        check_micro_surface,
        frozenset({"flood"}),
    )
)
