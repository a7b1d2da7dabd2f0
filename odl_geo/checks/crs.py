"""Coordinate checks: a CRS is declared, and the coordinates fall in France (and in the declared area), within
1 km of the real outlines (``odl_geo.checks.outlines``)."""

from __future__ import annotations

import numpy as np
import shapely
from pyproj import Transformer

from ..numbers import literal
from ..report import Issue, Severity
from . import outlines
from ._common import geometry_basics, issue, memo, value_memo
from .registry import Check, CheckContext, Level, register

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

    def where(found: tuple[outlines.Locator, ...], todo: np.ndarray) -> np.ndarray:
        if "x" in basics:
            return outlines.inside(found, basics["x"], basics["y"], todo)
        return outlines.touching(found, geoms, todo)

    out = {"present": present}
    todo = present
    if ctx.area_outline:
        # the area first: what lies in it lies in France, so France is tested on the rest only
        out["area"] = where(outlines.locators("departement", ctx.area_outline, frame.crs), present)
        todo = present & ~out["area"]
    out["france"] = where(outlines.locators("pays", outlines.FRANCE, frame.crs), todo)
    if "area" in out:
        out["france"] |= out["area"]
    return out


def _lonlat(ctx: CheckContext, i: int) -> tuple[float, float]:
    """Longitude and latitude of feature ``i`` (its first vertex), for messages."""
    x, y = (float(v) for v in shapely.get_coordinates(ctx.frame.geometry.values[i])[0])
    crs = ctx.frame.crs
    made = value_memo(ctx, "to_lonlat")  # a chunk's checks and its fixed frame's: one transformer (~10 ms to make)
    known = made.get("crs")
    if known is None or (known is not crs and getattr(known, "srs", None) != crs.srs):  # (CRS == takes ~5 ms)
        made["crs"] = crs
        made["to"] = None if crs.equals("EPSG:4326") else Transformer.from_crs(crs, 4326, always_xy=True)
    to = made["to"]
    if to is None:
        return x, y
    lon, lat = transform_arrays(to, np.array([x]), np.array([y]))  # type: ignore[arg-type]
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
    x, y = _lonlat(ctx, int(bad[0]))
    return [
        issue(COORDS_OUTSIDE_FRANCE, ctx, "", "", bad).counted(
            f"{{n}} {{n:feature lies|features lie}} outside France (more than 1 km from its land), "
            f"e.g. #{bad[0]} at lon {x:.5g}, lat {y:.5g}.",
            f"{{n}} {{n:objet|objets}} hors de France (à plus d'1 km de son territoire), "
            f"p. ex. n°{bad[0]} à lon {x:.5g}, lat {y:.5g}.",
            n=int(bad.size),
        )
    ]


def _outside_area(ctx: CheckContext) -> list[Issue]:
    if not _has_geometry(ctx) or not ctx.area_outline:
        return []
    where = placement(ctx)
    if where is None:
        return []
    bad = np.flatnonzero(where["present"] & where["france"] & ~where["area"])  # outside France: reported already
    if not bad.size:
        return []
    area = ctx.area_name or "the declared area"
    x, y = _lonlat(ctx, int(bad[0]))
    return [
        issue(COORDS_OUTSIDE_AREA, ctx, "", "", bad).counted(
            f"{{n}} {{n:feature lies|features lie}} outside {literal(area)} (by more than 1 km), "
            f"e.g. #{bad[0]} at lon {x:.5g}, lat {y:.5g}.",
            f"{{n}} {{n:objet|objets}} hors de {literal(ctx.area_name or 'la zone déclarée')} (à plus d'1 km), "
            f"p. ex. n°{bad[0]} à lon {x:.5g}, lat {y:.5g}.",
            n=int(bad.size),
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
            "fr": "À l'étranger ou en mer à plus d'1 km des côtes : souvent un mauvais SCR déclaré, des X/Y inversés "
            "ou une unité erronée ; vérifiez le SCR de la source, puis la position de ces objets.",
            "en": "Abroad or at sea more than 1 km from the coast: often a wrong declared CRS, swapped X/Y or a wrong "
            "unit; check the source's CRS, then where these features are.",
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
            "fr": "L'objet est en France mais à plus d'1 km du territoire donné par --area (ses départements pour "
            "des codes de communes) : vérifiez sa position.",
            "en": "The feature is in France but more than 1 km outside the territory given with --area (their "
            "départements for commune codes): check its position.",
        },
        _outside_area,
    )
)
