"""The report's maps drawn by a forked child while a streamed run writes its standard formats (the second core).

A theme run's report embeds a map of each layer (:func:`odl_geo.reports.preview.preview_png`): importing
matplotlib and drawing take 0.5-0.6 s of one core, at the very end of the run, after the formats, a fixed cost
that weighs most on a small run (water or PEI 100k: a 2.6-3.5 s plain conversion). Once the pass is over, the
maps' inputs are known (each layer's sample and its faulty features), so a child forked then draws them while
the run writes its formats, and sends back the PNGs (base64 text); the report then embeds them. The same code on
the same inputs draws them: the PNGs are the same bytes as when the run draws them itself.

The child is forked only when forking is safe (:func:`~odl_geo.theme.forked.fork_allowed`: Linux, no other
thread, no Qt), the machine has a core to spare (:func:`~odl_geo.theme.pass_child.second_core_free`), the run's
memory bar has room for it (:data:`MAP_CHILD_POINTS`, with what the standard formats add meanwhile), and
``ODL_GEO_FORK_MAPS`` is not ``0`` (``1`` forks whatever the load); else the report draws its maps itself, as
before. A child that fails, or dies without a word, costs nothing but its time: the run draws the maps itself
then (its error, if the drawing fails again, is the run's own, as before). A failure of the run stops the child
and waits for it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from . import forked
from .forked import ForkedTask, fork_allowed

if TYPE_CHECKING:
    from .run import ThemeRun

__all__ = ["ENV_SWITCH", "LABEL", "MAP_CHILD_POINTS", "MAP_CHILD_SHAPES", "MapsAside", "draw_maps_aside"]

#: the child's label (an error of its own is never shown: the run then draws the maps itself)
LABEL = "report's maps"
#: ``0``: the report draws its maps itself, after the formats (one process); ``1``: a child draws them whatever the
#: machine's load (the memory bar still decides); unset: a child when a second core is free
ENV_SWITCH = "ODL_GEO_FORK_MAPS"
#: what the maps' child adds to the run's memory, its own pages: matplotlib, its drawing, and the run's pages it
#: keeps when the run writes them meanwhile (each page the run writes while it writes its formats is copied, and
#: the child's copy is then its own). Measured at the child's end (``/proc/self/smaps_rollup``, the run's
#: resident set at the fork -> the child's unique pages): water 100k 208-214 MB -> 44-45 MB, PEI 100k 228 ->
#: 49 MB, water 1M 238 -> 59 MB, hiking 100k (lines: a larger heap, written more) 245 -> 78-81 MB
MAP_CHILD_POINTS = 64 << 20
MAP_CHILD_SHAPES = 96 << 20


class _MapsTask(ForkedTask):
    """A :class:`ForkedTask` of the report's maps (its own class, as the pass's child has: not a formats' child)."""

    def __init__(self, work: Any, label: str) -> None:
        self._start(work, label)


class MapsAside:
    """The maps of a run's layers (one PNG as base64 text, or None, a layer), drawn by a forked child."""

    def __init__(self, run: ThemeRun) -> None:
        from ..reports.preview import preview_png

        layers = [(lyr.frame, lyr.faulty) for lyr in run.layers]

        def work() -> list[str | None]:  # in the child: the run's own drawing, without trimming the shared heap
            return [preview_png(frame, faulty, release=False) for frame, faulty in layers]

        self._task: ForkedTask | None = _MapsTask(work, LABEL)

    def maps(self) -> list[str | None] | None:
        """The child's maps (waited for), or None when it failed: the report then draws them itself."""
        task, self._task = self._task, None
        if task is None:
            return None
        try:
            drawn: Any = task.result()
        except Exception:  # noqa: BLE001 - its error, if any, is the run's own when it draws the maps itself
            return None
        return drawn if isinstance(drawn, list) else None

    def stop(self) -> None:
        """Kill the child if it still runs (the run failed or was cancelled) and wait for it."""
        task, self._task = self._task, None
        if task is not None:
            task.stop()


def draw_maps_aside(run: ThemeRun, formats: bool = False, spooled_bytes: int = 0) -> MapsAside | None:
    """A child drawing ``run``'s maps now, or None (the report draws them): see the module's notes.

    ``formats``: the standard formats are written meanwhile, from a spool of ``spooled_bytes``; what they add to
    the run's memory, by a forked child or by the run itself (its GeoPackage writer grows as much: PEI 1M 257 ->
    382 MB one format after the other), counts with this child's: :mod:`.forked`'s estimate."""
    from ..reports.preview import HAS_MATPLOTLIB

    switch = os.environ.get(ENV_SWITCH, "")
    if switch == "0" or not HAS_MATPLOTLIB or not run.layers:
        return None
    from .pass_child import second_core_free

    if not any(_drawn(lyr.frame) for lyr in run.layers):  # tables, empty layers: no map, no child
        return None
    if not fork_allowed() or not (switch == "1" or second_core_free()):
        return None
    resident = forked._resident()
    if resident is None:
        return None
    points = all(_points(lyr.frame) for lyr in run.layers)
    grows = MAP_CHILD_POINTS if points else MAP_CHILD_SHAPES
    if formats:
        features = sum(lyr.feature_count for lyr in run.layers)
        grows += forked.child_growth(features, points, spooled_bytes)  # the formats' child meanwhile
    if resident + grows > forked.MEMORY_BUDGET:
        return None
    try:
        return MapsAside(run)
    except OSError:  # no fork possible now: the report draws its maps itself
        return None


def _drawn(frame: Any) -> bool:
    """The layer's sample has a shape to draw (:func:`~odl_geo.reports.preview.preview_png` draws a map)."""
    import numpy as np
    import shapely

    if getattr(frame, "_geometry_column_name", None) not in getattr(frame, "columns", ()):
        return False
    geoms = np.asarray(frame.geometry.values)
    return bool((~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)).any())


def _points(frame: Any) -> bool:
    """Every shape of the layer's sample is a point (or missing): a point layer."""
    import numpy as np
    import shapely

    if getattr(frame, "_geometry_column_name", None) not in getattr(frame, "columns", ()):
        return True  # a table: no map is drawn, the child's pages are matplotlib's at most
    types = shapely.get_type_id(np.asarray(frame.geometry.values))
    return bool(np.isin(types, (-1, 0, 4)).all())
