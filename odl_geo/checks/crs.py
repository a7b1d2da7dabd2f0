"""Coordinate checks: a CRS is declared, and the coordinates fall in France (and in the declared area)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import CRS, Transformer

from ._common import geometry_basics, issue, memo
from .areas import FRANCE_BOXES
from .registry import Check, CheckContext, Level, register
from .report import Issue, Severity

__all__ = ["COORDS_OUTSIDE_AREA", "COORDS_OUTSIDE_FRANCE", "CRS_UNDEFINED", "placement", "transform_arrays"]


def _has_geometry(ctx: CheckContext) -> bool:
    return getattr(ctx.frame, "_geometry_column_name", None) in ctx.frame.columns


def transform_arrays(t: Transformer, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``t.transform`` on arrays; pyproj takes its one-point path (and warns under numpy >= 1.25) for a single
    value, so one value is sent twice."""
    if len(x) == 1:
        xx, yy = t.transform(np.repeat(x, 2), np.repeat(y, 2))
        return np.asarray(xx)[:1], np.asarray(yy)[:1]
    xx, yy = t.transform(x, y)
    return np.asarray(xx), np.asarray(yy)


@lru_cache(maxsize=64)
def _box_in(box: tuple[float, float, float, float], crs: CRS) -> shapely.Polygon:
    """A lon/lat box as a polygon in ``crs`` (edges densified: a box is curved in a projection)."""
    x0, y0, x1, y1 = box
    t = np.linspace(0.0, 1.0, 33)
    xs = np.concatenate([x0 + (x1 - x0) * t, np.full(33, x1), x1 - (x1 - x0) * t, np.full(33, x0)])
    ys = np.concatenate([np.full(33, y0), y0 + (y1 - y0) * t, np.full(33, y1), y1 - (y1 - y0) * t])
    if not crs.equals("EPSG:4326"):
        xs, ys = transform_arrays(Transformer.from_crs(4326, crs, always_xy=True), xs, ys)
    poly = shapely.Polygon(np.column_stack([xs, ys]))
    shapely.prepare(poly)
    return poly


def _inside(points: tuple[np.ndarray, ...], poly: shapely.Polygon, todo: np.ndarray) -> np.ndarray:
    """Which features of ``todo`` lie in ``poly``: the point, or both corners of the feature's box."""
    out = np.zeros(len(todo), dtype=bool)
    idx = np.flatnonzero(todo)
    if not idx.size:
        return out
    ring = np.asarray(poly.exterior.coords)
    outer = shapely.bounds(poly)
    # the box is a curved quadrilateral: points in its inner rectangle are inside, points outside its bounds are
    # outside, and only the thin band between needs the exact (slower) test
    q = len(ring) // 4
    inner = (ring[:q, 1].max(), ring[q : 2 * q, 0].min(), ring[2 * q : 3 * q, 1].min(), ring[3 * q :, 0].max())
    corners = [(points[0][idx], points[1][idx])]
    if len(points) == 4:
        corners.append((points[2][idx], points[3][idx]))
    sure_in = np.ones(idx.size, dtype=bool)
    maybe = np.ones(idx.size, dtype=bool)
    with np.errstate(invalid="ignore"):
        for x, y in corners:
            sure_in &= (x > inner[3]) & (x < inner[1]) & (y > inner[0]) & (y < inner[2])
            maybe &= (x >= outer[0]) & (x <= outer[2]) & (y >= outer[1]) & (y <= outer[3])
    hit = sure_in.copy()
    band = np.flatnonzero(maybe & ~sure_in)
    if band.size:
        exact = np.ones(band.size, dtype=bool)
        for x, y in corners:
            exact &= shapely.contains_xy(poly, x[band], y[band])
        hit[band] = exact
    out[idx] = hit
    return out


def placement(ctx: CheckContext) -> dict[str, np.ndarray] | None:
    """Where the features lie, computed once per layer in the layer's own CRS (the boxes are projected, not the
    data): ``present``, ``france`` (inside a France box) and ``area`` (inside the declared area's box).

    None when the layer has no CRS (coordinates cannot be placed).
    """
    scratch = memo(ctx)
    if "placement" not in scratch:
        scratch["placement"] = _placement(ctx)
    result: dict[str, np.ndarray] | None = scratch["placement"]  # type: ignore[assignment]
    return result


def _placement(ctx: CheckContext) -> dict[str, np.ndarray] | None:
    frame = ctx.frame
    if frame.crs is None:
        return None
    basics = geometry_basics(ctx)
    geoms, present = basics["geoms"], basics["present"]
    if "x" in basics:
        points: tuple[np.ndarray, ...] = (basics["x"], basics["y"])
    else:
        b = shapely.bounds(geoms)
        points = (b[:, 0], b[:, 1], b[:, 2], b[:, 3])
    france = np.zeros(len(geoms), dtype=bool)
    for box in FRANCE_BOXES.values():
        france |= _inside(points, _box_in(box, frame.crs), present & ~france)
    out = {"present": present, "france": france, "x": points[0], "y": points[1]}
    if ctx.area_bounds is not None:
        out["area"] = _inside(points, _box_in(ctx.area_bounds, frame.crs), present)
    return out


def _lonlat(ctx: CheckContext, where: dict[str, np.ndarray], i: int) -> tuple[float, float]:
    x, y = float(where["x"][i]), float(where["y"][i])
    if ctx.frame.crs.equals("EPSG:4326"):
        return x, y
    lon, lat = transform_arrays(Transformer.from_crs(ctx.frame.crs, 4326, always_xy=True), np.array([x]), np.array([y]))
    return float(lon[0]), float(lat[0])


def _undefined(ctx: CheckContext) -> list[Issue]:
    if not _has_geometry(ctx) or ctx.frame.crs is not None or ctx.frame.geometry.isna().all():
        return []
    return [
        issue(
            CRS_UNDEFINED,
            ctx,
            "The layer declares no coordinate reference system.",
            "La couche ne déclare aucun système de coordonnées.",
        )
    ]


def _outside_france(ctx: CheckContext) -> list[Issue]:
    if not _has_geometry(ctx):
        return []
    where = placement(ctx)
    if where is None:
        return []
    bad = np.flatnonzero(where["present"] & ~where["france"])
    if not bad.size:
        return []
    x, y = _lonlat(ctx, where, int(bad[0]))
    return [
        issue(
            COORDS_OUTSIDE_FRANCE,
            ctx,
            f"{bad.size} feature(s) lie outside France, e.g. #{bad[0]} at lon {x:.5g}, lat {y:.5g}.",
            f"{bad.size} objet(s) hors de France, p. ex. n°{bad[0]} à lon {x:.5g}, lat {y:.5g}.",
            bad,
        )
    ]


def _outside_area(ctx: CheckContext) -> list[Issue]:
    if not _has_geometry(ctx) or ctx.area_bounds is None:
        return []
    where = placement(ctx)
    if where is None:
        return []
    bad = np.flatnonzero(where["present"] & where["france"] & ~where["area"])  # outside France: reported already
    if not bad.size:
        return []
    area = ctx.area_name or "the declared area"
    x, y = _lonlat(ctx, where, int(bad[0]))
    return [
        issue(
            COORDS_OUTSIDE_AREA,
            ctx,
            f"{bad.size} feature(s) lie outside {area}, e.g. #{bad[0]} at lon {x:.5g}, lat {y:.5g}.",
            f"{bad.size} objet(s) hors de {ctx.area_name or 'la zone déclarée'}, p. ex. n°{bad[0]} "
            f"à lon {x:.5g}, lat {y:.5g}.",
            bad,
        )
    ]


CRS_UNDEFINED = register(
    Check(
        "CRS_UNDEFINED",
        Severity.ERROR,
        Level.LAYER,
        {"fr": "Système de coordonnées absent", "en": "No coordinate reference system"},
        {
            "fr": "Sans SCR, les coordonnées ne peuvent être ni placées ni reprojetées : indiquez-le avec --source-crs "
            "(EPSG:2154 pour du Lambert-93).",
            "en": "Without a CRS the coordinates cannot be placed nor reprojected: give it with --source-crs "
            "(EPSG:2154 for Lambert-93).",
        },
        _undefined,
    )
)
COORDS_OUTSIDE_FRANCE = register(
    Check(
        "COORDS_OUTSIDE_FRANCE",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Coordonnées hors de France", "en": "Coordinates outside France"},
        {
            "fr": "Souvent un mauvais SCR déclaré, des X/Y inversés ou une unité erronée ; vérifiez le SCR de la "
            "source.",
            "en": "Often a wrong declared CRS, swapped X/Y or a wrong unit; check the source's CRS.",
        },
        _outside_france,
    )
)
COORDS_OUTSIDE_AREA = register(
    Check(
        "COORDS_OUTSIDE_AREA",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Coordonnées hors du territoire déclaré", "en": "Coordinates outside the declared area"},
        {
            "fr": "L'objet est en France mais hors du territoire donné par --area (ou en mer) : vérifiez sa position.",
            "en": "The feature is in France but outside the territory given with --area (or at sea): check its "
            "position.",
        },
        _outside_area,
    )
)
