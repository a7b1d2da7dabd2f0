"""French default names of a publication: GeoServer layer and style names, titles, data.gouv.fr tags.

Derived from the theme's national schema (itineraire-randonnee -> ``itineraires_randonnee_<place>``) and the place
the person publishes for (the declared area, else the layer's name), instead of the product file's name with an
English theme suffix (``cevennes_itineraires_hiking``). They are defaults only: every one is editable in the dialog.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..toolbelt.i18n import tr, tr_noop

__all__ = ["THEMES_FR", "PublicationNames", "default_names", "slug"]

#: theme -> (name stem from its schema, title, schema id, tags)
THEMES_FR: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "hiking": ("itineraires_randonnee", tr_noop("Hiking paths"), "itineraire-randonnee",
               ("randonnee", "itineraires", "sentiers", "tourisme")),
    "water": ("points_eau", tr_noop("Water points"), "point-eau", ("eau", "fontaines", "points-d-eau")),
    "pei": ("points_eau_incendie", tr_noop("Fire hydrants"), "point-eau-incendie",
            ("defense-incendie", "pei", "hydrants", "sdis")),
    "flood": ("zones_inondables_ppr", tr_noop("Flood risk prevention plan"), "cnig-ppr",
              ("inondation", "risques", "ppr", "cnig")),
}  # fmt: skip


def slug(text: str) -> str:
    """Lower-case ASCII words joined by ``_`` (a valid GeoServer name part): "Saint-Étienne" -> "saint_etienne"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "_".join(w for w in re.split(r"[^a-z0-9]+", ascii_text.lower()) if w)[:48]


@dataclass(frozen=True)
class PublicationNames:
    layer: str
    style: str
    title: str
    tags: tuple[str, ...]


def default_names(theme: str, place: str) -> PublicationNames:
    """``itineraires_randonnee_florac``, style ``itineraires_randonnee``, title "Itinéraires de randonnée - Florac"."""
    stem, title, schema, tags = THEMES_FR.get(theme, (slug(theme) or "couche", theme, theme, ()))
    where = slug(place)
    layer = f"{stem}_{where}" if where and where not in stem else stem
    shown = tr(title) + (f" - {place.strip()}" if place.strip() else "")
    return PublicationNames(layer, stem, shown, (schema, *tags))
