"""Geometry checks: valid for GEOS, of the type the theme expects, present."""

from __future__ import annotations

import numpy as np
import shapely

from ..numbers import literal
from ..report import Issue, Severity
from . import fixes
from ._common import geometry_basics, issue
from .registry import Check, CheckContext, Level, register

__all__ = ["GEOM_MISSING", "GEOM_NOT_VALID", "GEOM_WRONG_TYPE"]

_FAMILY = {0: "point", 4: "point", 1: "line", 5: "line", 2: "line", 3: "polygon", 6: "polygon"}
_TYPE_NAMES = {
    0: "Point",
    1: "LineString",
    2: "LinearRing",
    3: "Polygon",
    4: "MultiPoint",
    5: "MultiLineString",
    6: "MultiPolygon",
}
#: family of each GEOS type id (index), "collection" last for anything else: one lookup for a whole layer
_FAMILIES = np.array([_FAMILY.get(t, "collection") for t in range(8)] + ["collection"])
_FAMILY_FR = {"point": "ponctuelle", "line": "linéaire", "polygon": "surfacique"}


def _has_geometry(ctx: CheckContext) -> bool:
    return getattr(ctx.frame, "_geometry_column_name", None) in ctx.frame.columns


def _not_valid(ctx: CheckContext) -> list[Issue]:
    if not _has_geometry(ctx):
        return []
    basics = geometry_basics(ctx)
    geoms, present = basics["geoms"], basics["present"]
    if "x" in basics:  # points are valid unless a coordinate is not finite
        bad = np.flatnonzero(present & ~(np.isfinite(basics["x"]) & np.isfinite(basics["y"])))
    else:
        if "valid" not in basics:  # once per context, and for the rows a fix keeps when it changes no geometry
            valid = np.ones(len(geoms), dtype=bool)
            valid[present] = shapely.is_valid(geoms[present])
            basics["valid"] = valid
        bad = np.flatnonzero(present & ~basics["valid"])
    if not bad.size:
        return []
    reason = shapely.is_valid_reason(geoms[bad[0]])
    return [
        issue(GEOM_NOT_VALID, ctx, "", "", bad).counted(
            f"{{n}} {{n:geometry is|geometries are}} not valid (GEOS), e.g. feature #{bad[0]}: {literal(reason)}.",
            f"{{n}} {{n:géométrie invalide|géométries invalides}} (GEOS), p. ex. l'objet n°{bad[0]} : "
            f"{literal(reason)}.",
            n=int(bad.size),
        )
    ]


def _wrong_type(ctx: CheckContext) -> list[Issue]:
    if not _has_geometry(ctx) or ctx.role is None or ctx.role.geometry_family is None:
        return []
    basics = geometry_basics(ctx)
    geoms, types = basics["geoms"], basics["types"]
    want = ctx.role.geometry_family
    present = types >= 0  # not missing (empty geometries have a type)
    fam = _FAMILIES[np.where((types >= 0) & (types < _FAMILIES.size - 1), types, _FAMILIES.size - 1)]
    bad = np.flatnonzero(present & (fam != want))
    if not bad.size:
        return []
    found = sorted({shapely.get_type_id(geoms[i]) for i in bad[:1000]})
    names = ", ".join(_TYPE_NAMES.get(int(t), "GeometryCollection") for t in found)
    return [
        issue(GEOM_WRONG_TYPE, ctx, "", "", bad).counted(
            f"{{n}} {{n:feature is|features are}} {names}, the theme expects {want} geometries.",
            f"{{n}} {{n:objet|objets}} de type {names}, le thème attend une géométrie {_FAMILY_FR[want]}.",
            n=int(bad.size),
        )
    ]


def _missing(ctx: CheckContext) -> list[Issue]:
    # a table the profile declares without geometry (CNIG procedure, multi-hazard...) has none to miss
    if not _has_geometry(ctx) or (ctx.role is not None and ctx.role.geometry_family is None):
        return []
    bad = np.flatnonzero(~geometry_basics(ctx)["present"])
    if not bad.size:
        return []
    return [
        issue(GEOM_MISSING, ctx, "", "", bad).counted(
            "{n} {n:feature has|features have} no geometry (null or empty).",
            "{n} {n:objet|objets} sans géométrie (nulle ou vide).",
            n=int(bad.size),
        )
    ]


GEOM_NOT_VALID = register(
    Check(
        "GEOM_NOT_VALID",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Géométrie invalide", "en": "Invalid geometry"},
        {
            "fr": "Auto-intersection, anneau mal fermé... --fix la reconstruit avec make_valid (le type est conservé).",
            "en": "Self-intersection, unclosed ring... --fix rebuilds it with make_valid (the type is kept).",
        },
        _not_valid,
        fix=fixes.make_valid,
    )
)
GEOM_WRONG_TYPE = register(
    Check(
        "GEOM_WRONG_TYPE",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Type de géométrie inattendu", "en": "Unexpected geometry type"},
        {
            "fr": "Le thème attend des points, des lignes ou des surfaces : vérifiez que la bonne couche a été donnée.",
            "en": "The theme expects points, lines or polygons: check that the right layer was given.",
        },
        _wrong_type,
    )
)
GEOM_MISSING = register(
    Check(
        "GEOM_MISSING",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Objet sans géométrie", "en": "Feature without geometry"},
        {
            "fr": "Ces objets n'apparaissent sur aucune carte. --fix les retire de la copie corrigée.",
            "en": "These features appear on no map. --fix leaves them out of the corrected copy.",
        },
        _missing,
        fix=fixes.drop_empty_geometries,
    )
)
