"""The themes odl-geo knows, by the key used on the command line (``--theme hiking``).

Profiles are imported lazily (``"module:Class"`` strings): a theme whose module needs an optional dependency, or is
not written yet, does not break the others, and ``odl-geo --help`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from .base import Profile

__all__ = ["MULTI_LAYER_THEMES", "PROFILES", "load_profile", "theme_keys"]

PROFILES: dict[str, str] = {
    "hiking": "odl_geo.profiles.hiking:HikingProfile",
    "water": "odl_geo.profiles.water:WaterProfile",
    "pei": "odl_geo.profiles.pei:PeiProfile",
    "flood": "odl_geo.profiles.flood:FloodProfile",
}
#: themes whose product is built from several source layers (a PPR: perimeter, hazard and regulatory zones), so
#: that front ends offer a choice of layers rather than one; known without importing the profiles
MULTI_LAYER_THEMES = frozenset({"flood"})
ALIASES = {"randonnee": "hiking", "rando": "hiking", "eau": "water", "points-eau": "water", "ppr": "flood"}


def theme_keys() -> list[str]:
    return list(PROFILES)


def load_profile(theme: str) -> Profile:
    """An instance of the profile of ``theme``.

    :raises InputError: the theme is unknown (the message lists the themes), or its module is not installed.
    """
    key = ALIASES.get(theme.strip().lower(), theme.strip().lower())
    if key not in PROFILES:
        raise InputError(
            f"Unknown theme {theme!r}.",
            "Themes: " + ", ".join(PROFILES) + ".",
            message_fr=f"Thème inconnu : {theme!r}.",
            hint_fr="Thèmes : " + ", ".join(PROFILES) + ".",
        )
    module_name, _, class_name = PROFILES[key].partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise  # a real missing dependency inside the module: a bug or a broken install, say so plainly
        raise InputError(
            f"The theme {key!r} is declared but its profile ({module_name}) is not available in this installation.",
            "Update odl-geo; the other themes work: " + ", ".join(k for k in PROFILES if k != key) + ".",
            message_fr=f"Le thème {key!r} est déclaré mais son profil ({module_name}) n'est pas disponible dans "
            "cette installation.",
            hint_fr="Mettez à jour odl-geo ; les autres thèmes fonctionnent : "
            + ", ".join(k for k in PROFILES if k != key)
            + ".",
        ) from exc
    cls = getattr(module, class_name, None)
    if cls is None:
        raise InputError(
            f"The theme {key!r}: {module_name} has no {class_name}.",
            "Update odl-geo (the profile is incomplete).",
            message_fr=f"Le thème {key!r} : {module_name} n'a pas de {class_name}.",
            hint_fr="Mettez à jour odl-geo (le profil est incomplet).",
        )
    profile: Profile = cls()
    return profile
