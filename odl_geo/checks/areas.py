"""The declared territory of a dataset (``--area``) and the boxes used to test coordinates.

There is no commune geometry offline, so coordinates are tested against bounding boxes in WGS 84 (with a margin
of about 5 km): France (metropolitan France with Corsica, and each overseas département/collectivity), and the
Occitanie region. A point in the sea inside a box is not caught; a point in another region, or coordinates
swapped or in the wrong unit, are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
from .communes import communes, departements, regions

__all__ = ["FRANCE_BOXES", "REGION_BOXES", "Area", "resolve_area"]

Box = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

FRANCE_BOXES: dict[str, Box] = {
    "France métropolitaine": (-5.3, 41.3, 9.65, 51.15),
    "Guadeloupe, Saint-Martin, Saint-Barthélemy": (-63.2, 15.8, -60.95, 18.15),
    "Martinique": (-61.3, 14.35, -60.75, 14.95),
    "Guyane": (-54.65, 2.05, -51.55, 5.85),
    "La Réunion": (55.2, -21.45, 55.9, -20.85),
    "Mayotte": (44.95, -13.05, 45.35, -12.6),
    "Saint-Pierre-et-Miquelon": (-56.45, 46.7, -56.1, 47.2),
}
REGION_BOXES: dict[str, Box] = {
    "76": (-0.38, 42.28, 4.9, 45.1),  # Occitanie: Hautes-Pyrénées to the Rhône, Pyrénées-Orientales to the Lot
}
REGION_NAMES = {"occitanie": "76"}


@dataclass(frozen=True)
class Area:
    name: str
    insee: frozenset[str]
    bounds: Box | None


def resolve_area(spec: str) -> Area:
    """``occitanie`` or ``region:76``, département codes (``34,30`` or ``dep:34``), or INSEE codes (``34172,34057``).

    A bare two-digit code is a département (``76`` is Seine-Maritime; the région Occitanie is ``region:76``).

    :raises InputError: a code that is neither a région, a département nor a commune.
    """
    items = [s.strip() for s in re.split(r"[,;\s]+", spec) if s.strip()]
    if not items:
        raise InputError("--area is empty.", "Give a région (occitanie), départements (34,30) or INSEE codes.")
    table = communes()
    deps, regs = departements(), regions()
    codes: set[str] = set()
    names: list[str] = []
    bounds: Box | None = None
    for item in items:
        low = item.lower()
        as_region = low in REGION_NAMES or low.startswith(("region:", "région:"))
        key = REGION_NAMES.get(low) or item.split(":", 1)[-1].strip().upper()
        if low.startswith(("dep:", "département:", "departement:")):
            as_region = False
        if key in regs and (as_region or key not in deps):
            codes |= {c for c, row in table.items() if row.region == key}
            names.append(regs[key])
            bounds = REGION_BOXES.get(key) if len(items) == 1 else None
        elif key in deps:
            codes |= {c for c, row in table.items() if row.departement == key}
            names.append(f"{deps[key][0]} ({key})")
        elif key in table:
            codes.add(key)
            names.append(f"{table[key].nom} ({key})")
        else:
            raise InputError(
                f"--area: {item!r} is not a région, a département nor an INSEE commune code.",
                "e.g. --area occitanie, --area 34,30 or --area 34172.",
            )
    return Area(", ".join(names), frozenset(codes), bounds)
