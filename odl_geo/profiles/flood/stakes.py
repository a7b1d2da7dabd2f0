"""COVADIS stakes and risk origins (N_ENJEU_PPR*, N_ORIG_RISQ_PPR*) -> the CNIG ``enjeu_*`` and ``originerisque_*``
tables, as the standard's correspondence with the COVADIS PPR classes (EnjeuPPR, OrigineRisque) says.

One COVADIS feature gives one CNIG row, in the table of its geometry (``_S`` -> ``enjeu_s``, ``_L`` -> ``_l``,
``_P`` -> ``_p``); the COVADIS identifier becomes the row's identifier and its external reference (``idrefexterne``,
``refexterne`` = the COVADIS layer), so a reader can go back to the source.

``enjeu``: ``nomenjeu`` is the stake's name (NOM, else its description DESCRIPT); ``codeenjeu`` its COVADIS category
(CATEGORIE / TYPE_ENJEU, the codes of the COVADIS PPR list of stake categories), ``nomenclatureenjeu`` names that
list (:data:`COVADIS_NOMENCLATURE`); ``dateenjeu`` the date the stake was recorded (DATE_COLL, DATEVALID...), else the
procedure's date, said in the report. ``originerisque``: ``nom`` is NOM (else DESCRIPT). The COVADIS field names
differ between DDTs and tools (shapefile names are cut to 10 characters): each is looked for under its usual
spellings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd

from ...numbers import literal
from ...report import Severity
from .model import add_issue, column, text_values

if TYPE_CHECKING:
    from ...report import Report

__all__ = ["COVADIS_NOMENCLATURE", "STAKE_ROLES", "convert_stakes"]

#: the COVADIS roles (see roles.py) and the CNIG table each one fills
STAKE_ROLES = {
    "covadis_enjeu_s": "enjeu_s",
    "covadis_enjeu_l": "enjeu_l",
    "covadis_enjeu_p": "enjeu_p",
    "covadis_orig_risq_s": "originerisque_s",
    "covadis_orig_risq_l": "originerisque_l",
    "covadis_orig_risq_p": "originerisque_p",
}
#: ``nomenclatureenjeu`` of a stake whose code is a COVADIS category
COVADIS_NOMENCLATURE = "COVADIS PPR : catégorie d'enjeu (CategorieEnjeuPPR)"
_ID_ENJEU = ("id_enjeu", "idenjeu", "id_enj", "identifian", "id")
_ID_ORIGIN = ("id_orig", "id_origine", "id_origin", "id_orig_ri", "idorigine", "id_ori_ris", "identifian", "id")
_NAME = ("nom", "nom_enjeu", "nomenjeu", "libelle", "nom_orig")
_DESCRIPTION = ("descript", "description", "desc")
_CATEGORY = ("categorie", "cat_enjeu", "type_enjeu", "typeenjeu", "codeenjeu", "code_enjeu", "type")
_DATE = ("date_coll", "datecoll", "dateenjeu", "date_enjeu", "datevalid", "date_valid", "date_maj", "datemaj")
_ID_MAX = 15  # idenjeu / idoriginerisque are TEXT(15)


def convert_stakes(
    frames: dict[str, gpd.GeoDataFrame],
    layers: dict[str, str],
    code: str,
    when: str | None,
    report: Report,
) -> dict[str, gpd.GeoDataFrame]:
    """The CNIG stake and risk-origin tables of the COVADIS layers among ``frames`` (role -> frame).

    :param when: the procedure's date (ISO), for stakes whose layer records none.
    """
    out: dict[str, gpd.GeoDataFrame] = {}
    for role, kind in STAKE_ROLES.items():
        frame = frames.get(role)
        if frame is None or not len(frame):
            continue
        layer = layers.get(role, role)
        if kind.startswith("enjeu"):
            out[kind] = _stakes(frame, kind, code, when, layer, report)
        else:
            out[kind] = _origins(frame, kind, code, layer, report)
        add_issue(
            report,
            "PPR_STAKES_CONVERTED",
            Severity.INFO,
            f"{{n}} {{n:feature|features}} of {literal(layer)} converted to the CNIG table {literal(kind)}.",
            layer=layer,
            count=len(frame),
            fr=f"{{n}} {{n:objet|objets}} de {literal(layer)} {{n:converti|convertis}} dans la table CNIG "
            f"{literal(kind)}.",
            numbers={"n": len(frame)},
        )
    return out


def _ids(frame: gpd.GeoDataFrame, names: tuple[str, ...], prefix: str, layer: str, report: Report) -> pd.Series:
    """The COVADIS identifiers, or ``<prefix><n>`` where there is none or it does not fit TEXT(15) or repeats."""
    n = len(frame)
    ids = text_values(column(frame, *names), n)
    bad = ids.isna() | ids.map(lambda v: v is not None and len(v) > _ID_MAX) | (ids.notna() & ids.duplicated(False))
    if bad.any():
        ids = ids.where(~bad, [f"{prefix}{i + 1}" for i in range(n)])
        add_issue(
            report,
            "PPR_ID_GENERATED",
            Severity.WARNING,
            f"{{n}} {{n:feature|features}} of {literal(layer)} {{n:has|have}} no identifier usable as the CNIG key "
            f"(missing, repeated or longer than {_ID_MAX} characters): {{n:it was|they were}} numbered "
            f"{literal(prefix)}1, {literal(prefix)}2...; the COVADIS value is kept in idrefexterne.",
            "Give each feature a unique identifier of at most 15 characters in the source layer.",
            layer=layer,
            count=int(bad.sum()),
            examples=[int(i) for i in bad.to_numpy().nonzero()[0][:5]],
            fr=f"{{n}} {{n:objet|objets}} de {literal(layer)} {{n:n'a|n'ont}} pas d'identifiant utilisable comme clé "
            f"CNIG (absent, répété ou de plus de {_ID_MAX} caractères) : {{n:il a été numéroté|ils ont été numérotés}} "
            f"{literal(prefix)}1, {literal(prefix)}2… ; la valeur COVADIS est gardée dans idrefexterne.",
            hint_fr="Donnez à chaque objet un identifiant unique d'au plus 15 caractères dans la couche source.",
            numbers={"n": int(bad.sum())},
        )
    return ids


def _name(frame: gpd.GeoDataFrame, what: str, layer: str, report: Report) -> pd.Series:
    n = len(frame)
    name = text_values(column(frame, *_NAME), n)
    name = name.where(name.notna(), text_values(column(frame, *_DESCRIPTION), n))
    blank = name.isna()
    if blank.any():
        add_issue(
            report,
            "PPR_VALUE_MISSING",
            Severity.ERROR,
            f"{{n}} {{n:feature|features}} of {literal(layer)} {{n:has|have}} neither NOM nor DESCRIPT: the CNIG table "
            f"needs {literal(what)}.",
            "Fill NOM in the source layer.",
            layer=layer,
            count=int(blank.sum()),
            examples=[int(i) for i in blank.to_numpy().nonzero()[0][:5]],
            fr=f"{{n}} {{n:objet|objets}} de {literal(layer)} {{n:n'a|n'ont}} ni NOM ni DESCRIPT : la table CNIG "
            f"demande {literal(what)}.",
            hint_fr="Remplissez NOM dans la couche source.",
            numbers={"n": int(blank.sum())},
        )
    return name


def _stakes(
    frame: gpd.GeoDataFrame, kind: str, code: str, when: str | None, layer: str, report: Report
) -> gpd.GeoDataFrame:
    n = len(frame)
    external = text_values(column(frame, *_ID_ENJEU), n)
    ids = _ids(frame, _ID_ENJEU, f"E{kind[-1].upper()}", layer, report)
    category = text_values(column(frame, *_CATEGORY), n, pad=2)
    blank = category.isna()
    if blank.any():
        add_issue(
            report,
            "PPR_VALUE_MISSING",
            Severity.ERROR,
            f"{{n}} {{n:stake|stakes}} of {literal(layer)} {{n:has|have}} no category (CATEGORIE): codeenjeu is "
            "mandatory.",
            "Fill CATEGORIE with the COVADIS stake category in the source layer.",
            layer=layer,
            count=int(blank.sum()),
            examples=[int(i) for i in blank.to_numpy().nonzero()[0][:5]],
            fr=f"{{n}} {{n:enjeu|enjeux}} de {literal(layer)} {{n:n'a|n'ont}} pas de catégorie (CATEGORIE) : "
            "codeenjeu est obligatoire.",
            hint_fr="Remplissez CATEGORIE avec la catégorie d'enjeu COVADIS dans la couche source.",
            numbers={"n": int(blank.sum())},
        )
    dates = column(frame, *_DATE)
    recorded = dates.map(_iso) if dates is not None else pd.Series([None] * n, dtype=object)
    missing = recorded.isna()
    if missing.any() and when is not None:
        recorded = recorded.where(~missing, when)
        add_issue(
            report,
            "PPR_STAKE_DATE_DEFAULTED",
            Severity.INFO,
            f"{{n}} {{n:stake|stakes}} of {literal(layer)} {{n:records|record}} no date: dateenjeu is the procedure's "
            f"date ({literal(when)}).",
            "Give the date the stakes were recorded (DATE_COLL) if it differs.",
            layer=layer,
            count=int(missing.sum()),
            fr=f"{{n}} {{n:enjeu|enjeux}} de {literal(layer)} sans date : dateenjeu prend la date de la procédure "
            f"({literal(when)}).",
            hint_fr="Indiquez la date de recensement des enjeux (DATE_COLL) si elle diffère.",
            numbers={"n": int(missing.sum())},
        )
    elif missing.any():
        add_issue(
            report,
            "PPR_VALUE_MISSING",
            Severity.ERROR,
            f"{{n}} {{n:stake|stakes}} of {literal(layer)} {{n:has|have}} no date, and the procedure has none: "
            "dateenjeu is mandatory.",
            "Fill DATE_COLL in the source layer, or set dateetat in the mapping file.",
            layer=layer,
            count=int(missing.sum()),
            fr=f"{{n}} {{n:enjeu|enjeux}} de {literal(layer)} {{n:n'a|n'ont}} pas de date, la procédure non plus : "
            "dateenjeu est obligatoire.",
            numbers={"n": int(missing.sum())},
            hint_fr="Remplissez DATE_COLL dans la couche source, ou indiquez dateetat dans le fichier de "
            "correspondance.",
        )
    table = {
        "idenjeu": ids.values,
        "idrefexterne": external.values,
        "refexterne": [_short(layer)] * n,
        "codeprocedure": [code] * n,
        "nomenjeu": _name(frame, "nomenjeu", layer, report).values,
        "codeenjeu": category.values,
        "nomenclatureenjeu": [COVADIS_NOMENCLATURE] * n,
        "dateenjeu": recorded.values,
    }
    return gpd.GeoDataFrame(table, geometry=frame.geometry.values, crs=frame.crs)


def _origins(frame: gpd.GeoDataFrame, kind: str, code: str, layer: str, report: Report) -> gpd.GeoDataFrame:
    n = len(frame)
    table = {
        "idoriginerisque": _ids(frame, _ID_ORIGIN, f"O{kind[-1].upper()}", layer, report).values,
        "codeprocedure": [code] * n,
        "idrefexterne": text_values(column(frame, *_ID_ORIGIN), n).values,
        "refexterne": [_short(layer)] * n,
        "nom": _name(frame, "nom", layer, report).values,
    }
    return gpd.GeoDataFrame(table, geometry=frame.geometry.values, crs=frame.crs)


def _iso(value: object) -> str | None:
    """A date as ``YYYY-MM-DD`` (dates, ``2020-05-29``, ``20200529``, ``29/05/2020``), else None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "strftime"):
        return str(value.strftime("%Y-%m-%d"))
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2}).*", text):
        return f"{m[1]}-{m[2]}-{m[3]}"
    if m := re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text):
        return f"{m[3]}-{m[2]}-{m[1]}"
    return None


def _short(display: str) -> str:
    return re.split(r"[/:\\]", display)[-1].rsplit(".", 1)[0] if display else display
