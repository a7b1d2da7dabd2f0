"""The territory of an embedded map or catalogue: ``commune:34172``, ``epci:200067106``, ``departement:34``,
``region:76``.

Checked here, before anything is written, because a wrong code would not fail visibly on the commune's site: the
map would zoom nowhere and the catalogue would list nothing. Codes are checked for their form (INSEE commune:
5 characters, Corsica 2A/2B; EPCI: SIREN, 9 digits; département 2 or 3 characters; région 2 digits) and, where
odl-geo ships the table (communes, départements, régions of the COG), for their existence. Messages are in English
and in French (``message_fr``): the people reading them are French webmasters and SIG administrators first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["KINDS", "Territory", "parse_territory", "territory_from_zone"]

#: kind -> (udata zone level, pattern of the code, what the code is, in French)
KINDS: dict[str, tuple[str, re.Pattern[str], str]] = {
    "commune": ("fr:commune", re.compile(r"^(\d{5}|2[AB]\d{3})$"), "un code INSEE de 5 caractères (34172, 2A004)"),
    "epci": ("fr:epci", re.compile(r"^\d{9}$"), "un numéro SIREN de 9 chiffres (200067106)"),
    "departement": ("fr:departement", re.compile(r"^(\d{2}|2[AB]|97\d)$"), "2 ou 3 caractères (34, 2A, 974)"),
    "region": ("fr:region", re.compile(r"^\d{2}$"), "2 chiffres (76 pour l'Occitanie)"),
}
_ALIASES = {"dep": "departement", "département": "departement", "région": "region", "com": "commune"}
_OF = {"commune": "d'une commune", "epci": "d'un EPCI", "departement": "d'un département", "region": "d'une région"}
_NONE = {"commune": "aucune commune", "epci": "aucun EPCI", "departement": "aucun département",
         "region": "aucune région"}
_EXAMPLE = "commune:34172, epci:200067106, departement:34 ou region:76"
#: the same in English: what the code is (KINDS), of what, none
_FORM_EN = {
    "commune": "a 5-character INSEE code (34172, 2A004)",
    "epci": "a 9-digit SIREN number (200067106)",
    "departement": "2 or 3 characters (34, 2A, 974)",
    "region": "2 digits (76 for Occitanie)",
}
_OF_EN = {"commune": "a commune", "epci": "an EPCI", "departement": "a département", "region": "a région"}
_NONE_EN = {"commune": "no commune", "epci": "no EPCI", "departement": "no département", "region": "no région"}
_EXAMPLE_EN = "commune:34172, epci:200067106, departement:34 or region:76"


@dataclass(frozen=True)
class Territory:
    """A territory by kind and official code; ``str()`` gives the attribute value ``commune:34172``."""

    kind: str
    code: str
    name: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"

    @property
    def zone_id(self) -> str:
        """data.gouv.fr's zone id (``fr:commune:34172``): what the catalogue filters on, the outline API's key."""
        return f"{KINDS[self.kind][0]}:{self.code}"


def _known_name(kind: str, code: str) -> str | None:
    """The name in odl-geo's tables (COG 2026; EPCI: those of ``outlines.tsv.gz``), None when unknown."""
    from ..checks.communes import communes, departements, regions

    if kind == "commune":
        row = communes().get(code)
        return row.nom if row else None
    if kind == "departement":
        dep = departements().get(code)
        return dep[0] if dep else None
    if kind == "region":
        return regions().get(code)
    from .outline import shipped_outline  # the EPCI of the COG come with their outlines

    found = shipped_outline(kind, code)
    return found[0] if found else None


def parse_territory(text: str) -> Territory:
    """``commune:34172`` -> Territory (the kind may also be ``dep``; codes are trimmed, 2a -> 2A).

    :raises InputError: no kind, an unknown kind, a code of the wrong form, or a code odl-geo's tables do not know.
    """
    raw = (text or "").strip()
    kind, sep, code = raw.partition(":")
    kind = _ALIASES.get(kind.strip().lower(), kind.strip().lower())
    code = code.strip().upper()
    if not sep or not code:
        raise InputError(
            f'Territory "{raw}": give the kind and the code separated by a colon.',
            f"Examples: {_EXAMPLE_EN}.",
            message_fr=f"Territoire « {raw} » : il faut le type et le code séparés par deux-points.",
            hint_fr=f"Exemples : {_EXAMPLE}.",
        )
    if kind not in KINDS:
        raise InputError(
            f'Territory "{raw}": unknown kind "{kind}".',
            f"Possible kinds: commune, epci, departement, region (examples: {_EXAMPLE_EN}).",
            message_fr=f"Territoire « {raw} » : type « {kind} » inconnu.",
            hint_fr=f"Types possibles : commune, epci, departement, region (exemples : {_EXAMPLE}).",
        )
    pattern, what = KINDS[kind][1], KINDS[kind][2]
    if not pattern.match(code):
        raise InputError(
            f'Territory "{raw}": the code of {_OF_EN[kind]} is {_FORM_EN[kind]}.',
            f"Examples: {_EXAMPLE_EN}.",
            message_fr=f"Territoire « {raw} » : le code {_OF[kind]} est {what}.",
            hint_fr=f"Exemples : {_EXAMPLE}.",
        )
    name = _known_name(kind, code)
    if name is None:
        epci = kind == "epci"
        raise InputError(
            f'Territory "{raw}": {_NONE_EN[kind]} has the code {code} in the Code officiel géographique shipped '
            "with odl-geo.",
            "Check the EPCI's SIREN number on https://www.insee.fr/fr/information/2510634."
            if epci
            else "Check the code on https://www.insee.fr/fr/recherche/recherche-geographique (a merged commune "
            "takes the code of the new commune).",
            message_fr=f"Territoire « {raw} » : {_NONE[kind]} n'a le code {code} dans le Code officiel géographique "
            "livré avec odl-geo.",
            hint_fr="Vérifiez le numéro SIREN de l'EPCI sur https://www.insee.fr/fr/information/2510634."
            if epci
            else "Vérifiez le code sur https://www.insee.fr/fr/recherche/recherche-geographique "
            "(une commune fusionnée prend le code de la commune nouvelle).",
        )
    return Territory(kind, code, name)


def territory_from_zone(zone_id: str) -> Territory | None:
    """``fr:commune:34172`` (a udata zone id, as odl-geo writes them in manifests) -> Territory; None otherwise."""
    parts = zone_id.split(":")
    if len(parts) != 3 or parts[0] != "fr":
        return None
    try:
        return parse_territory(f"{parts[1]}:{parts[2]}")
    except InputError:
        return None
