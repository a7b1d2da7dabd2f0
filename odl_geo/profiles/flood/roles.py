"""Which input layer plays which part of a PPR: COVADIS layer names, or CNIG table names.

COVADIS names its shapefiles ``N_<THEME>_PPR<N|T>_<AAAANNNN>_<S|L|P>_<DDD>``; CNIG names its tables
``<typeppr>_<codegaspar>_<table>``. Layers that are not a PPR get a message that says what they are (the flood
data people hold is often a "porter à connaissance" layer or flood marks, which the standard does not cover).
"""

from __future__ import annotations

import re

from ...errors import InputError
from ..base import RoleSpec, TargetField
from .cnig import split_table_name
from .template import load_template

__all__ = ["COVADIS_ROLES", "TYPEREG_CODES", "assign_ppr_roles", "cnig_role", "settings_role"]

_COVADIS = re.compile(
    r"N_(?P<theme>PERIMETRE|ZONE_ALEA|ZONE_REG|MULTIALEA|DOCUMENT|ENJEU|ORIG_RISQ)_PPR[NTX]"
    r"(?:_\d{8})?(?:_(?P<geom>[SLP]))?(?:_[0-9AB]{2,3})?",
    re.IGNORECASE,
)
_COVADIS_ROLE = {"PERIMETRE": "perimetre", "ZONE_ALEA": "zone_alea", "MULTIALEA": "multi_alea", "DOCUMENT": "document"}


def _f(
    name: str, *synonyms: str, required: bool = False, description: str = "", enum: tuple[str, ...] | None = None
) -> TargetField:
    return TargetField(name, required=required, synonyms=synonyms, description=description, enum=enum)


#: COVADIS TYPEREG codes (01-04 -> typereglementurba, 05-06 -> typereglementfoncier): a mapping file's
#: [values.typereg] maps a DDT's local codes to them
TYPEREG_CODES = ("01", "02", "03", "04", "05", "06")


COVADIS_ROLES = (
    RoleSpec(
        "perimetre",
        {"fr": "Périmètre du PPR (COVADIS)", "en": "PPR perimeter (COVADIS)"},
        "polygon",
        (
            _f("id_gaspar", required=True),
            _f("type", description="01 prescrit, 02 exposition, 03 étude"),
            _f("datevalid"),
        ),
        required=False,
        layer_hints=("N_PERIMETRE_",),
    ),
    RoleSpec(
        "zone_alea",
        {"fr": "Zones d'aléa (COVADIS)", "en": "Hazard zones (COVADIS)"},
        "polygon",
        (
            _f("id_zone", required=True),
            _f("coderisque", required=True),
            _f("nivalea_std", "nivalea_st", enum=tuple(sorted(load_template().codes("typeniveaualea")))),
            _f("descript"),
            _f("multi_alea"),
        ),
        required=False,
        layer_hints=("N_ZONE_ALEA_",),
    ),
    RoleSpec(
        "zone_reglementaire",
        {"fr": "Zonage réglementaire (COVADIS)", "en": "Regulatory zones (COVADIS)"},
        "polygon",
        (
            _f("id_zone", required=True),
            _f("codezone"),
            _f("nom"),
            _f("typereg", required=True, enum=TYPEREG_CODES, description="COVADIS TYPEREG 01-06"),
        ),
        required=False,
        layer_hints=("N_ZONE_REG_",),
    ),
    RoleSpec(
        "zone_reglementaire_l",
        {"fr": "Zonage réglementaire linéaire", "en": "Regulatory lines"},
        "line",
        (),
        required=False,
        layer_hints=("N_ZONE_REG_",),
    ),
    RoleSpec(
        "zone_reglementaire_p",
        {"fr": "Zonage réglementaire ponctuel", "en": "Regulatory points"},
        "point",
        (),
        required=False,
        layer_hints=("N_ZONE_REG_",),
    ),
    RoleSpec(
        "multi_alea",
        {"fr": "Aléas des zones multirisques (COVADIS)", "en": "Hazards of multirisk zones"},
        None,
        (_f("id_zone", required=True), _f("coderisque"), _f("nivalea_std", "nivalea_st")),
        required=False,
        layer_hints=("N_MULTIALEA_",),
    ),
    RoleSpec(
        "document",
        {"fr": "Document du PPR (COVADIS)", "en": "PPR document (COVADIS)"},
        "polygon",
        (_f("nom"), _f("etat"), _f("dateappro"), _f("dateprescr"), _f("site_web")),
        required=False,
        layer_hints=("N_DOCUMENT_PPR",),
    ),
)


def settings_role() -> RoleSpec:
    """Not a layer: the values COVADIS does not record, so that a mapping file can give them as constants
    (``[constants] typeprocedure = "PPRN-I"``) and the mapping loader checks them against the code lists."""
    template = load_template()
    return RoleSpec(
        "ppr",
        {"fr": "Procédure PPR (valeurs à fournir)", "en": "PPR procedure (values to give)"},
        None,
        (
            TargetField("typeppr", enum=("pprn", "pprt"), description="pprn or pprt"),
            TargetField("codeprocedure", description="GASPAR code, e.g. 38DDT20200002"),
            TargetField("typeprocedure", enum=tuple(sorted(template.codes("typeprocedure")))),
            TargetField("libelleprocedure", description="name of the procedure"),
            TargetField("etatprocedure", enum=tuple(sorted(template.codes("typeetatprocedure")))),
            TargetField("dateetat", kind="date", description="YYYY-MM-DD"),
            TargetField("metadata_xml", description="path of an ISO 19139 XML file to embed"),
        ),
        required=False,
    )


def cnig_role(kind: str) -> RoleSpec:
    """The role of one CNIG table (input already in the standard); the role name is the table's kind."""
    table = load_template().tables.get(kind)
    geometry = table.geometry_type if table else None
    family = (
        None
        if geometry is None
        else ("polygon" if "POLYGON" in geometry else "line" if "LINE" in geometry else "point")
    )
    return RoleSpec(
        kind,
        {"fr": f"Table CNIG {kind}", "en": f"CNIG table {kind}"},
        family,
        (),
        required=False,
        layer_hints=(f"_{kind.replace('_codealea', '_')}",),
    )


def assign_ppr_roles(layer_names: list[str]) -> dict[str, str]:
    """Role -> layer name (see ``FloodProfile.assign_roles``)."""
    covadis: dict[str, list[str]] = {}
    cnig: dict[str, list[str]] = {}
    for name in layer_names:
        if (m := _COVADIS.search(name)) is not None:
            theme, geom = m.group("theme").upper(), (m.group("geom") or "S").upper()
            role = (
                _COVADIS_ROLE.get(theme)
                or {
                    "ZONE_REG": "zone_reglementaire" + ("" if geom == "S" else f"_{geom.lower()}"),
                    # not the CNIG table names (enjeu_s...): the source layer and the table it fills stay apart
                    "ENJEU": f"covadis_enjeu_{geom.lower()}",
                    "ORIG_RISQ": f"covadis_orig_risq_{geom.lower()}",
                }[theme]
            )
            covadis.setdefault(role, []).append(name)
        elif (parts := split_table_name(name)) is not None:
            cnig.setdefault(parts[2], []).append(name)
    if covadis and cnig:
        raise InputError(
            "The input mixes COVADIS layers and CNIG tables.",
            "Give one PPR in one format at a time.",
            message_fr="L'entrée mélange des couches COVADIS et des tables CNIG.",
            hint_fr="Donnez un seul PPR, dans un seul format, à la fois.",
        )
    found = covadis or cnig
    if not found:
        raise _not_a_ppr(layer_names)
    twice = {role: names for role, names in found.items() if len(names) > 1}
    if twice:
        role, names = next(iter(twice.items()))
        raise InputError(
            f"Several layers play the role {role}: {', '.join(names)}.",
            "The input must hold one PPR: give the folder or zip of one procedure.",
            message_fr=f"Plusieurs couches jouent le rôle {role} : {', '.join(names)}.",
            hint_fr="L'entrée doit contenir un seul PPR : donnez le dossier ou le zip d'une seule procédure.",
        )
    if covadis and "perimetre" not in covadis:
        raise InputError(
            f"No N_PERIMETRE_PPR* layer among {', '.join(layer_names)}: every CNIG PPR delivery has a perimeter.",
            "Add the perimeter layer of the PPR (N_PERIMETRE_PPRN_<AAAANNNN>_S_<DDD>) to the input.",
            message_fr=f"Aucune couche N_PERIMETRE_PPR* parmi {', '.join(layer_names)} : toute livraison de PPR CNIG "
            "a un périmètre.",
            hint_fr="Ajoutez à l'entrée la couche du périmètre du PPR (N_PERIMETRE_PPRN_<AAAANNNN>_S_<DDD>).",
        )
    return {role: names[0] for role, names in found.items()}


def _not_a_ppr(names: list[str]) -> InputError:
    """Say what the layers are when they are not a PPR (the flood data people have are often other things)."""
    listed = ", ".join(names) or "nothing"
    hint = (
        "The flood profile converts a PPR: the COVADIS layers N_PERIMETRE_PPRN_*, N_ZONE_ALEA_PPRN_*, "
        "N_ZONE_REG_PPRN_* (+ N_MULTIALEA_PPRN_*), or a CNIG PPR GeoPackage. Publish this data without "
        "--theme (odl-geo convert FILE)."
    )
    hint_fr = (
        "Le profil inondation (flood) convertit un PPR : les couches COVADIS N_PERIMETRE_PPRN_*, N_ZONE_ALEA_PPRN_*, "
        "N_ZONE_REG_PPRN_* (+ N_MULTIALEA_PPRN_*), ou un GeoPackage PPR CNIG. Publiez ces données sans "
        "--theme (odl-geo convert FICHIER)."
    )
    if any(re.match(r"N_PAC_", n, re.IGNORECASE) for n in names):
        what = "a COVADIS 'porter à connaissance' (PAC) layer of risk zones, not a risk prevention plan"
        what_fr = (
            "une couche COVADIS de « porter à connaissance » (PAC) des zones de risque, pas un plan de prévention "
            "des risques"
        )
    elif any(re.search(r"rep[eè]re", n, re.IGNORECASE) and re.search(r"crue", n, re.IGNORECASE) for n in names):
        what = "flood marks (repères de crue): points recording past flood heights, not a risk prevention plan"
        what_fr = (
            "des repères de crue : des points qui marquent la hauteur des crues passées, pas un plan de prévention "
            "des risques"
        )
    elif any(re.match(r"N_INOND_|N_ZONE_INOND", n, re.IGNORECASE) for n in names):
        what = "a flood-zone layer outside any PPR, not a risk prevention plan"
        what_fr = "une couche de zones inondables hors de tout PPR, pas un plan de prévention des risques"
    else:
        what = "no layer of a risk prevention plan (PPR)"
        what_fr = "aucune couche d'un plan de prévention des risques (PPR)"
    listed_fr = ", ".join(names) or "rien"
    return InputError(f"{listed}: {what}.", hint, message_fr=f"{listed_fr} : {what_fr}.", hint_fr=hint_fr)
