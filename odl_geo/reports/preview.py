"""A small map of a layer with its faulty features in red, as a PNG to embed in the HTML report.

Drawn with matplotlib's object API and the Agg canvas (no pyplot global state, no display needed). Large layers
are thinned to a sample for drawing (every faulty feature is kept), so a 1M-feature layer still gives a preview in
about a second. Without matplotlib the report simply has no map.

matplotlib is imported on the first drawing, not with this module: it holds about 13 MB once imported (25 MB of
peak in a theme run) that commands writing no map (``convert`` without ``--theme``, ``check`` printing its findings)
need not pay, and a theme run draws only at its very end, after giving the pass's freed memory back.
"""

from __future__ import annotations

import base64
import importlib.util
import io
from typing import TYPE_CHECKING

import numpy as np
import shapely

from ..memory import release_free_memory

if TYPE_CHECKING:
    import geopandas as gpd
    from matplotlib.axes import Axes
    from matplotlib.path import Path as MplPath

__all__ = ["HAS_MATPLOTLIB", "preview_png"]

#: matplotlib is installed (it is a dependency); found without importing it
HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

MAX_DRAWN = 20_000
OK_COLOUR, BAD_COLOUR = "#5b7fa6", "#d62728"


def _lines(geoms: np.ndarray) -> list[np.ndarray]:
    """The vertices (x, y) of each line and each polygon's outer ring, one array per part, as the map draws them.

    Taken apart by shapely's array functions, not part by part in Python: a sample of 20,000 trails or zones
    costs a few milliseconds instead of a second."""
    parts = shapely.get_parts(geoms)
    types = shapely.get_type_id(parts)
    lines = parts[np.isin(types, (1, 2))]  # LineString, LinearRing
    outers = shapely.get_exterior_ring(parts[types == 3])
    # one list in the parts' order, as the loop over the parts gave it: lines and outer rings interleaved
    order = np.concatenate([np.flatnonzero(np.isin(types, (1, 2))), np.flatnonzero(types == 3)])
    drawn = np.empty(len(order), dtype=object)
    drawn[np.argsort(order, kind="stable")] = np.concatenate([lines, outers])
    coords, owner = shapely.get_coordinates(drawn, return_index=True)
    return np.split(coords, np.cumsum(np.bincount(owner, minlength=len(drawn)))[:-1]) if len(drawn) else []


def _polygon_paths(geoms: np.ndarray) -> list[MplPath]:
    """One matplotlib path a polygon (its outer ring, then its holes: each ring moved to, drawn, closed).

    Built from shapely's coordinate arrays in one go, then cut per polygon: the same paths, vertex for vertex, as
    one ``PathPatch`` a polygon, without a matplotlib artist each (1.6 s for a flood plan's 20,000 zones)."""
    from matplotlib.path import Path as MplPath

    parts = shapely.get_parts(geoms)
    parts = parts[(shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)]
    if not len(parts):
        return []
    rings, polygon = shapely.get_rings(parts, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    ring_sizes = np.bincount(ring, minlength=len(rings))
    starts = np.cumsum(ring_sizes) - ring_sizes
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    codes[starts] = MplPath.MOVETO
    codes[starts + ring_sizes - 1] = MplPath.CLOSEPOLY
    cuts = np.cumsum(np.bincount(polygon, weights=ring_sizes, minlength=len(parts)).astype(np.int64))[:-1]
    return [MplPath(v, c) for v, c in zip(np.split(coords, cuts), np.split(codes, cuts), strict=True)]


def _draw(ax: Axes, geoms: np.ndarray, colour: str, bad: bool) -> None:
    from matplotlib.collections import LineCollection, PathCollection

    if not geoms.size:
        return
    types = shapely.get_type_id(geoms)
    points = geoms[np.isin(types, (0, 4))]
    if points.size:
        xy = shapely.get_coordinates(points)
        ax.scatter(
            xy[:, 0],
            xy[:, 1],
            s=28 if bad else 10,
            c=colour,
            edgecolors="white" if bad else "none",
            linewidths=0.6,
            zorder=3 if bad else 2,
        )
    lines = geoms[np.isin(types, (1, 2, 5))]
    if lines.size:
        ax.add_collection(
            LineCollection(
                _lines(lines),
                colors=colour,
                linewidths=2.2 if bad else 1.0,
                zorder=3 if bad else 2,
            )
        )
    polys = geoms[np.isin(types, (3, 6))]
    if polys.size:
        ax.add_collection(
            PathCollection(  # the paths as they are: no sizes, so no scaling (scatter's use of the class)
                _polygon_paths(polys),
                facecolor=colour,
                edgecolor=colour,
                alpha=0.55 if bad else 0.25,
                linewidth=1.2 if bad else 0.4,
                zorder=3 if bad else 2,
            )
        )


def preview_png(
    frame: gpd.GeoDataFrame, faulty: set[int], width_px: int = 560, height_px: int = 380, release: bool = True
) -> str | None:
    """The PNG as base64 text, or None when there is nothing to draw (a table, no geometry, no matplotlib).

    ``release``: the allocators' free pages given back first (a run's process); False in a forked child, whose
    trimming of the heap it shares with the run would only copy its pages (``odl_geo.theme.report_maps``)."""
    if not HAS_MATPLOTLIB or getattr(frame, "_geometry_column_name", None) not in frame.columns:
        return None
    geoms = np.asarray(frame.geometry.values)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if not present.any():
        return None
    bad_mask = np.zeros(len(geoms), dtype=bool)
    idx = np.fromiter((i for i in faulty if 0 <= i < len(geoms)), dtype=int)
    bad_mask[idx] = True
    ok = np.flatnonzero(present & ~bad_mask)
    if ok.size > MAX_DRAWN:
        ok = np.random.default_rng(0).choice(ok, MAX_DRAWN, replace=False)
    bad = np.flatnonzero(present & bad_mask)
    if bad.size > MAX_DRAWN:
        bad = bad[:MAX_DRAWN]
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - matplotlib is a dependency; a broken install loses only the map
        return None
    if release:
        release_free_memory()  # what the run freed goes back before matplotlib's import and drawing add theirs
    dpi = 100
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    _draw(ax, geoms[ok], OK_COLOUR, bad=False)
    _draw(ax, geoms[bad], BAD_COLOUR, bad=True)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[present])
    pad_x, pad_y = max((xmax - xmin) * 0.05, 1e-4), max((ymax - ymin) * 0.05, 1e-4)
    ax.set_xlim(xmin - pad_x, xmax + pad_x)
    ax.set_ylim(ymin - pad_y, ymax + pad_y)
    if getattr(frame, "crs", None) is not None and frame.crs.is_geographic:
        ax.set_aspect(1 / max(np.cos(np.radians((ymin + ymax) / 2)), 0.1), adjustable="datalim")
    else:
        ax.set_aspect("equal", adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_color("#cccccc")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", facecolor="white")
    return base64.b64encode(buf.getvalue()).decode("ascii")
