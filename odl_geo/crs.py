"""Coordinate reference systems: identify what a file declares, catch what it gets wrong, transform well.

French layers declare Lambert-93 in IGN's own WKT (authority IGNF) that GDAL does not map to EPSG:2154;
old ones use Lambert II étendu (NTF), whose correct transformation needs IGN's grid; and many declare
nothing. The checks here compare the declared CRS with the coordinates, because the coordinates are the
one thing that never lies: 6,279,703 is not a latitude.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyproj
from pyproj import CRS, Transformer
from pyproj.transformer import TransformerGroup

from .numbers import decimal_text
from .report import Issue, Severity

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["CrsCandidate", "coordinate_transformer", "guess_crs_from_bounds", "identify", "label", "plausibility_issue"]

WGS84 = CRS.from_epsg(4326)
LAMBERT93 = CRS.from_epsg(2154)


@dataclass(frozen=True)
class CrsCandidate:
    epsg: int
    name: str


def _debian_proj_grids() -> None:
    """Let the pyproj wheel find Debian's NTF->RGF93 grid (proj-data) without PROJ_DATA games."""
    for folder in ("/usr/share/proj",):
        if Path(folder, "ntf_r93.gsb").exists() and folder not in pyproj.datadir.get_data_dir():
            pyproj.datadir.append_data_dir(folder)


_debian_proj_grids()


@functools.lru_cache(maxsize=64)
def identify(user_input: str) -> CRS:
    """A CRS from EPSG code, WKT, PROJ string or ``IGNF:LAMB93``; mapped to its EPSG twin when one exists."""
    crs = CRS.from_user_input(user_input)
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is not None:
        return CRS.from_epsg(epsg)
    return crs


def label(crs: CRS | None) -> str:
    if crs is None:
        return "none"
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def crs_code(crs: CRS | None) -> str | None:
    """``EPSG:nnnn`` when known, else the WKT (for manifests)."""
    if crs is None:
        return None
    epsg = crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


# Approximate extents (x/y min/max) of the French metropolitan projections, in their own units.
_FRENCH_EXTENTS: list[tuple[int, str, tuple[float, float, float, float]]] = [
    (2154, "RGF93 / Lambert-93", (-400_000, 5_900_000, 1_400_000, 7_250_000)),
    (27572, "NTF (Paris) / Lambert zone II (Lambert II étendu)", (-50_000, 1_600_000, 1_250_000, 2_750_000)),
    *[
        (3942 + i, f"RGF93 / CC{42 + i}", (900_000, (i + 0.6) * 1e6 + 200_000, 2_500_000, (i + 1.4) * 1e6 + 200_000))
        for i in range(9)
    ],
    (32631, "WGS 84 / UTM zone 31N", (0, 4_500_000, 1_000_000, 5_800_000)),
]


def looks_geographic(bounds: tuple[float, float, float, float]) -> bool:
    xmin, ymin, xmax, ymax = bounds
    return -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


def guess_crs_from_bounds(bounds: tuple[float, float, float, float] | None) -> list[CrsCandidate]:
    """CRSs whose French extent contains these coordinates, most likely first."""
    if bounds is None or not all(math.isfinite(v) for v in bounds):
        return []
    if looks_geographic(bounds):
        return [CrsCandidate(4326, "WGS 84 (longitude/latitude)")]
    xmin, ymin, xmax, ymax = bounds
    return [
        CrsCandidate(epsg, name)
        for epsg, name, (a, b, c, d) in _FRENCH_EXTENTS
        if a <= xmin and xmax <= c and b <= ymin and ymax <= d
    ]


def suggestion(bounds: tuple[float, float, float, float] | None, lang: str = "en") -> str:
    """What to give as ``--source-crs`` for coordinates within ``bounds``, in English or in French (``lang="fr"``)."""
    candidates = guess_crs_from_bounds(bounds)
    french = lang == "fr"
    if not candidates:
        if french:
            return "Indiquez le SCR source avec --source-crs (p. ex. --source-crs EPSG:2154 pour le Lambert-93)."
        return "Give the source CRS with --source-crs (e.g. --source-crs EPSG:2154 for Lambert-93)."
    first = candidates[0]
    also = ", ".join(f"EPSG:{c.epsg}" for c in candidates[1:4])
    if french:
        more = f" (autres possibilités : {also})" if also else ""
        return (
            f"Les coordonnées ressemblent à du {first.name} : indiquez ce SCR source avec --source-crs "
            f"EPSG:{first.epsg}{more}."
        )
    more = f" (other possibilities: {also})" if also else ""
    return f"The coordinates look like {first.name}: add --source-crs EPSG:{first.epsg}{more}."


def plausibility_issue(crs: CRS, bounds: tuple[float, float, float, float] | None, layer: str) -> Issue | None:
    """An ERROR issue when the coordinates cannot be in ``crs`` (degrees out of range, metres tiny)."""
    if bounds is None or not all(math.isfinite(v) for v in bounds):
        return None
    xmin, ymin, xmax, ymax = bounds
    if crs.is_geographic and not looks_geographic(bounds):
        return Issue(
            "CRS_COORDS_NOT_DEGREES",
            Severity.ERROR,
            f"The layer says its coordinates are longitude/latitude ({label(crs)}) but they reach "
            f"{xmax:,.0f}, {ymax:,.0f}, which are not degrees.",
            suggestion(bounds),
            layer=layer,
            message_fr=f"La couche déclare des coordonnées en longitude/latitude ({label(crs)}) mais elles "
            f"atteignent {decimal_text(xmax)}, {decimal_text(ymax)}, qui ne sont pas des degrés.",
            hint_fr=suggestion(bounds, "fr"),
        )
    if crs.is_projected and looks_geographic(bounds) and (xmax - xmin) < 20 and (ymax - ymin) < 20:
        return Issue(
            "CRS_COORDS_LOOK_DEGREES",
            Severity.ERROR,
            f"The layer says it is in {label(crs)} (metres) but its coordinates ({xmin:.4f}, {ymin:.4f}) "
            "look like longitude/latitude degrees.",
            "Add --source-crs EPSG:4326 if the coordinates are GPS degrees.",
            layer=layer,
            message_fr=f"La couche se déclare en {label(crs)} (mètres) mais ses coordonnées "
            f"({decimal_text(xmin, 4)} ; {decimal_text(ymin, 4)}) ressemblent à des degrés de longitude/latitude.",
            hint_fr="Ajoutez --source-crs EPSG:4326 si les coordonnées sont des degrés GPS.",
        )
    return None


def _accuracy(metres: float | None) -> float:
    """PROJ gives -1 (or nothing) for an unknown accuracy, e.g. a "ballpark" operation: the worst of all."""
    return metres if metres is not None and metres > 0 else math.inf


@dataclass(frozen=True)
class TransformInfo:
    func: Callable[[np.ndarray], np.ndarray]
    description: str
    grid_missing: bool
    missing_grids: tuple[str, ...] = ()  # file names of the grids a more accurate operation needs


@dataclass(frozen=True)
class _Step:
    transformer: Transformer
    grid_missing: bool
    missing_grids: tuple[str, ...]


#: RGF93 v1 longitude/latitude: where IGN's grid (ntf_r93.gsb) moves NTF coordinates, and the pivot of every
#: other transformation of an NTF layer, so that all its outputs agree (RGF93 -> WGS 84 is a null shift)
RGF93_GEOGRAPHIC = CRS.from_epsg(4171)


def _datum_is(crs: CRS, prefix: str) -> bool:
    geodetic = crs.geodetic_crs
    datum = geodetic.datum if geodetic is not None else None
    return datum is not None and datum.name.startswith(prefix)


def _is_ntf(crs: CRS) -> bool:
    """NTF or NTF (Paris): Lambert I-IV and Lambert II étendu layers."""
    return _datum_is(crs, "Nouvelle Triangulation Francaise")


def _is_rgf93(crs: CRS) -> bool:
    return _datum_is(crs, "Reseau Geodesique Francais 1993")


@functools.lru_cache(maxsize=32)
def coordinate_transformer(source_wkt: str, target_wkt: str) -> TransformInfo:
    """The most accurate available transformation, and whether a better one lacks its grid.

    A layer in NTF (Lambert II étendu) is moved to RGF93 with IGN's grid whatever the target, then on to the
    target (WGS 84 for GeoJSON, CSV, KML): PROJ's own pick for NTF -> WGS 84 is the grid-free "NTF to WGS 84
    (1)" (about 2 m), which would put the GeoJSON of a layer up to 2 m away from its GeoPackage. Without the
    grid, the best operation left is that grid-free one (PROJ would pick a "ballpark" shift of tens of metres
    for NTF -> RGF93), and ``grid_missing`` says so.
    """
    src, dst = CRS.from_wkt(source_wkt), CRS.from_wkt(target_wkt)
    steps = _route(src, dst)

    def apply(coords: np.ndarray) -> np.ndarray:
        columns = [coords[:, i] for i in range(coords.shape[1])]
        for step in steps:
            columns = list(_transform(step.transformer, columns))
        return np.column_stack(columns)

    return TransformInfo(
        apply,
        ", then ".join(step.transformer.description for step in steps),
        any(step.grid_missing for step in steps),
        tuple(dict.fromkeys(g for step in steps for g in step.missing_grids)),
    )


def _route(src: CRS, dst: CRS) -> list[_Step]:
    """The transformation steps from ``src`` to ``dst``: one, or two through a pivot for NTF layers."""
    if _is_ntf(src) == _is_ntf(dst):
        return [_best(src, dst)]
    ntf, other = (src, dst) if _is_ntf(src) else (dst, src)
    grid = _best(ntf, RGF93_GEOGRAPHIC)
    if not grid.grid_missing:
        pivot = RGF93_GEOGRAPHIC
        if _is_rgf93(other):  # the direct operation is the grid one (Lambert-93, CC zones)
            return [_best(src, dst)]
    else:
        pivot = WGS84  # "NTF to WGS 84 (1)": the best operation without the grid
    legs = [(src, pivot), (pivot, dst)]
    if pivot.equals(src) or pivot.equals(dst):
        legs = [(src, dst)]
    steps = [_best(a, b) for a, b in legs]
    if grid.grid_missing:
        steps[0] = _Step(steps[0].transformer, True, grid.missing_grids)
    return steps


def _best(src: CRS, dst: CRS) -> _Step:
    """PROJ's most accurate available operation, and whether a more accurate one lacks its grid."""
    with warnings.catch_warnings():  # pyproj warns about missing grids; we report it as an issue instead
        warnings.simplefilter("ignore")
        group = TransformerGroup(src, dst, always_xy=True)
        transformer: Transformer = (
            group.transformers[0] if group.transformers else Transformer.from_crs(src, dst, always_xy=True)
        )
    # a more accurate operation exists but its grid is not installed: say so (NTF -> RGF93 without proj-data)
    ops, used = group.unavailable_operations, _accuracy(transformer.accuracy)
    missing = bool(ops) and (not group.transformers or _accuracy(ops[0].accuracy) < used - 0.5)
    better = [op for op in ops if _accuracy(op.accuracy) < used - 0.5] if missing else []
    grids = tuple(dict.fromkeys(g.short_name for op in better for g in op.grids if not g.available))
    return _Step(transformer, missing, grids)


def _transform(transformer: Transformer, columns: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    """``transformer.transform`` on coordinate columns, whatever their length.

    pyproj first tries its one-point path, which calls ``float()`` on its arguments: on 1-element arrays
    numpy >= 1.25 warns that converting an array to a scalar is deprecated. A one-point batch (a layer of
    one feature) is common, so it is handed over as plain floats.
    """
    run: Callable[..., tuple[Any, ...]] = transformer.transform
    if columns[0].size == 1:
        return tuple(np.array([v], dtype=float) for v in run(*(float(c[0]) for c in columns)))
    return tuple(run(*columns))
