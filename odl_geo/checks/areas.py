"""The declared territory of a dataset (``--area``): its INSEE codes, and the départements whose outlines the
coordinates are tested against (``odl_geo.checks.outlines``).

An area of communes is tested against the outlines of their départements: there are no commune outlines
offline, so "in the commune" is decided on the INSEE code, and the coordinates only have to be in its
département (within 1 km).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
from .communes import communes, departements, regions

__all__ = ["Area", "resolve_area"]

REGION_NAMES = {"occitanie": "76"}


@dataclass(frozen=True)
class Area:
    """:param outline: the départements (codes, sorted) whose outlines make the area's coordinate test."""

    name: str
    insee: frozenset[str]
    outline: tuple[str, ...] = ()


def resolve_area(spec: str) -> Area:
    """``occitanie`` or ``region:76``, département codes (``34,30`` or ``dep:34``), or INSEE codes (``34172,34057``).

    A bare two-digit code is a département (``76`` is Seine-Maritime; the région Occitanie is ``region:76``).

    :raises InputError: a code that is neither a région, a département nor a commune.
    """
    items = [s.strip() for s in re.split(r"[,;\s]+", spec) if s.strip()]
    if not items:
        raise InputError(
            "--area is empty.",
            "Give a région (occitanie), départements (34,30) or INSEE codes.",
            message_fr="--area est vide.",
            hint_fr="Indiquez une région (occitanie), des départements (34,30) ou des codes INSEE.",
        )
    table = communes()
    deps, regs = departements(), regions()
    codes: set[str] = set()
    names: list[str] = []
    outline: set[str] = set()
    for item in items:
        low = item.lower()
        as_region = low in REGION_NAMES or low.startswith(("region:", "région:"))
        key = REGION_NAMES.get(low) or item.split(":", 1)[-1].strip().upper()
        if low.startswith(("dep:", "département:", "departement:")):
            as_region = False
        if key in regs and (as_region or key not in deps):
            codes |= {c for c, row in table.items() if row.region == key}
            names.append(regs[key])
            outline |= {d for d, (_nom, region) in deps.items() if region == key}
        elif key in deps:
            codes |= {c for c, row in table.items() if row.departement == key}
            names.append(f"{deps[key][0]} ({key})")
            outline.add(key)
        elif key in table:
            codes.add(key)
            names.append(f"{table[key].nom} ({key})")
            outline.add(table[key].departement)
        else:
            raise InputError(
                f"--area: {item!r} is not a région, a département nor an INSEE commune code.",
                "e.g. --area occitanie, --area 34,30 or --area 34172.",
                message_fr=f"--area : {item!r} n'est ni une région, ni un département, ni un code INSEE de commune.",
                hint_fr="Par exemple --area occitanie, --area 34,30 ou --area 34172.",
            )
    from .outlines import departement_codes

    return Area(", ".join(names), frozenset(codes), tuple(sorted(outline & departement_codes())))
