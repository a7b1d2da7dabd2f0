"""COVADIS PPR shapefiles (DDT/DDTM) -> the tables of the CNIG PPR standard, following its Annexe A.

Annexe A ("Correspondances avec les standards COVADIS PPR") gives the rules; where the COVADIS layers lack what
it uses (the N_DOCUMENT_PPR layer is rarely shipped with the zones), this module says what it does instead and
reports it: procedure type inferred from the hazards, state and date from the perimeter, web references from
the URLs of the map files (URLFIC).
"""

from __future__ import annotations

import copy
import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from ...errors import InputError
from ...report import Severity
from .hazards import check_codes, check_ids, convert_hazards, explode_parts
from .model import PprDataset, add_issue, as_geoframe, column, text_values
from .stakes import convert_stakes
from .template import load_template

if TYPE_CHECKING:
    from ...report import Report
    from ..base import ThemeDataset
    from .model import FloodSettings

__all__ = ["ETAT_COVADIS", "covadis_to_cnig", "infer_typeprocedure"]

ETAT_COVADIS = {"01": "PRESCRIT", "02": "APPROUVE", "03": "ABROGE", "04": "ANTICIPE"}  # DocumentPPR.ETAT
PERIMETER_STATE = {"01": "PRESCRIT", "02": "APPROUVE"}  # PerimetrePPR.TYPE: prescrit / exposition aux risques
TYPEREG_URBA = {"01": "01", "02": "02", "03": "03", "04": "04"}  # TYPEREG -> typereglementurba (same codes)
TYPEREG_FONCIER = {"05": "01", "06": "02"}  # délaissement / expropriation possible -> typereglementfoncier
_FAMILIES = (
    ("117", "PPRN-L"), ("125", "PPRN-L"), ("126", "PPRN-L"), ("11", "PPRN-I"), ("12", "PPRN-Mvt"), ("13", "PPRN-S"),
    ("14", "PPRN-Av"), ("15", "PPRN-Ev"), ("16", "PPRN-If"), ("171", "PPRN-Cy"), ("18", "PPRN-Rad"),
)  # fmt: skip


def infer_typeprocedure(typeppr: str, codes: set[str], multirisk: bool) -> str:
    """The ``typeprocedure`` code the hazards point to: one family -> its code, several -> ``PPRN-Multi``."""
    if typeppr == "pprt":
        return "PPRT"
    families = {next((f for prefix, f in _FAMILIES if c.startswith(prefix)), "PPRN") for c in codes}
    if multirisk or len(families) > 1:
        return "PPRN-Multi"
    return families.pop() if families else "PPRN"


def covadis_to_cnig(dataset: ThemeDataset, settings: FloodSettings, report: Report) -> PprDataset:
    """All the CNIG tables one COVADIS PPR gives (see the module docstring and docs/flood.md).

    :raises InputError: no GASPAR code, or layers of several procedures mixed.
    """
    frames, names = dataset.frames, dataset.source_names
    layer = {role: _short(names.get(role, role)) for role in frames}
    typeppr = settings.typeppr or _typeppr(names, report)
    code = settings.codeprocedure or _gaspar(frames, layer)
    prefix = f"{typeppr}_{code}".lower()
    document = frames.get("document")
    hazards = convert_hazards(
        frames.get("zone_alea"),
        frames.get("multi_alea"),
        code,
        report,
        layer.get("zone_alea", "N_ZONE_ALEA"),
        layer.get("multi_alea", "N_MULTIALEA"),
    )
    out: dict[str, pd.DataFrame] = {}
    typeprocedure = settings.typeprocedure or infer_typeprocedure(typeppr, hazards.codes, hazards.multirisk > 0)
    if settings.typeprocedure is None:
        add_issue(
            report,
            "PPR_PROCEDURE_TYPE_INFERRED",
            Severity.INFO,
            f"typeprocedure {typeprocedure} was inferred from the hazard codes "
            f"({', '.join(sorted(hazards.codes)) or 'none'}{', with multirisk zones' if hazards.multirisk else ''}): "
            "COVADIS does not record it.",
            "Set typeprocedure in the mapping file if the procedure is of another type.",
            layer=f"{prefix}_procedure",
            fr=f"typeprocedure {typeprocedure} a été déduit des codes d'aléa "
            f"({', '.join(sorted(hazards.codes)) or 'aucun'}"
            f"{', avec des zones multirisques' if hazards.multirisk else ''}) : COVADIS ne l'enregistre pas.",
            hint_fr="Indiquez typeprocedure dans le fichier de correspondance si la procédure est d'un autre type.",
        )
    out["procedure"] = pd.DataFrame(
        {
            "codeprocedure": [code],
            "libelleprocedure": [_label(settings, document, typeprocedure, code, prefix, report)],
            "typeprocedure": [typeprocedure],
        }
    )
    state, when = _state(settings, document)
    if "perimetre" in frames:
        out.update(_perimeters(frames["perimetre"], code, state, when, layer["perimetre"], report))
    perimeter = out.get("perimetre_s")
    if state is None and perimeter is not None and len(perimeter):
        state = perimeter["etatprocedure"].iloc[0]  # as inferred from the perimeter's TYPE
    out["referenceinternet"] = _references(frames, document, code, state or "", prefix, report)
    out.update(hazards.frames)
    for role, suffix in (("zone_reglementaire", "s"), ("zone_reglementaire_l", "l"), ("zone_reglementaire_p", "p")):
        if role in frames:
            out.update(_regulatory(frames[role], suffix, code, layer[role], report))
    dated = when or (str(perimeter["dateetat"].iloc[0]) if perimeter is not None and len(perimeter) else None)
    out.update(convert_stakes(frames, layer, code, dated, report))  # N_ENJEU / N_ORIG_RISQ (stakes.py)
    if "zone_alea" not in frames:
        add_issue(
            report,
            "PPR_LAYER_ABSENT",
            Severity.WARNING,
            "No N_ZONE_ALEA layer: the GeoPackage has no hazard zone.",
            "Add the hazard-zone layer if the PPR has one (it is optional for a prescribed PPR).",
            fr="Pas de couche N_ZONE_ALEA : le GeoPackage n'a aucune zone d'aléa.",
            hint_fr="Ajoutez la couche des zones d'aléa si le PPR en a une (elle est facultative pour un PPR "
            "prescrit).",
        )
    return PprDataset(
        {kind: as_geoframe(frame) for kind, frame in out.items()},
        {**names, **{kind: f"{prefix}_{kind}" for kind in out}},
        typeppr=typeppr,
        codeprocedure=code,
        input_kind="covadis",
        source_path=getattr(dataset, "source_path", None),
    )


def map_local_codes(dataset: ThemeDataset, mapping: object, report: Report) -> ThemeDataset:
    """A DDT's own codes turned into COVADIS codes before the translation, by the mapping file's ``[values.typereg]``
    or ``[values.nivalea_std]`` (``"R" = "03"``): the raw value as written, or case and accents aside. The frames are
    copied; what was mapped is reported (PPR_VALUES_MAPPED)."""
    from ...values import normalise_value
    from ..mapping import Mapping  # a mapping file; settings given as a dict or FloodSettings have no [values]

    tables = mapping.values if isinstance(mapping, Mapping) else {}
    if not tables:
        return dataset
    frames = dict(dataset.frames)
    for role, frame in dataset.frames.items():
        role_tables = {**tables.get("", {}), **tables.get(role, {})}
        for field, table in role_tables.items():
            series = column(frame, field, "nivalea_st") if field == "nivalea_std" else column(frame, field)
            if series is None:
                continue
            by_norm = {normalise_value(k): v for k, v in table.items()}
            raw = text_values(series, len(frame))
            codes = raw.map(lambda v, t=table, n=by_norm: None if v is None else t.get(v, n.get(normalise_value(v))))
            hit = codes.notna().to_numpy()
            if not hit.any():
                continue
            frame = frame.copy()
            frame[series.name] = series.astype(object).where(~hit, codes.values)
            frames[role] = frame
            pairs = dict(zip(raw[hit], codes[hit], strict=True))
            shown = ", ".join(f"{k!r} -> {v!r}" for k, v in list(pairs.items())[:8])
            layer = _short(dataset.source_names.get(role, role))
            add_issue(
                report,
                "PPR_VALUES_MAPPED",
                Severity.INFO,
                f"{layer}: {int(hit.sum())} {field.upper()} value(s) mapped by the mapping file: {shown}.",
                layer=layer,
                count=int(hit.sum()),
                fr=f"{layer} : {int(hit.sum())} valeur(s) de {field.upper()} converties par le fichier de "
                f"correspondance : {shown}.",
            )
    out = copy.copy(dataset)
    out.frames = frames
    return out


def _short(display: str) -> str:
    """``PPR.zip:uuid/N_ZONE_ALEA_PPRN_20200002_S_038.shp`` -> ``N_ZONE_ALEA_PPRN_20200002_S_038``."""
    return re.split(r"[/:\\]", display)[-1].rsplit(".", 1)[0] if display else display


def _typeppr(names: dict[str, str], report: Report) -> str:
    found = {m.group(1).lower() for n in names.values() if (m := re.search(r"N_[A-Z_]+?_(PPR[NT])", n.upper()))}
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise InputError("The layers mix natural (PPRN) and technological (PPRT) plans.", "Convert one PPR at a time.")
    add_issue(
        report,
        "PPR_TYPEPPR_DEFAULTED",
        Severity.WARNING,
        "The layer names do not say PPRN or PPRT (N_ZONE_ALEA_PPRN_...): pprn was assumed.",
        "Set typeppr (pprn or pprt) in the mapping file.",
        fr="Les noms des couches ne disent pas PPRN ou PPRT (N_ZONE_ALEA_PPRN_...) : pprn a été supposé.",
        hint_fr="Indiquez typeppr (pprn ou pprt) dans le fichier de correspondance.",
    )
    return "pprn"


def _gaspar(frames: dict[str, gpd.GeoDataFrame], layer: dict[str, str]) -> str:
    codes: dict[str, set[str]] = {}
    for role, frame in frames.items():
        values = text_values(column(frame, "id_gaspar"), len(frame)).dropna()
        for value in set(values):
            codes.setdefault(value.upper(), set()).add(layer[role])
    if not codes:
        raise InputError(
            "No layer has an ID_GASPAR value: the CNIG file name and codeprocedure are the GASPAR procedure code.",
            "Fill ID_GASPAR in the layers or set codeprocedure (e.g. 38DDT20200002) in the mapping file.",
        )
    if len(codes) > 1:
        detail = "; ".join(f"{c} in {', '.join(sorted(where))}" for c, where in sorted(codes.items()))
        raise InputError(
            f"The layers belong to several procedures ({detail}).",
            "The CNIG standard delivers one procedure per GeoPackage: convert them one at a time.",
        )
    return next(iter(codes))


def _label(
    settings: FloodSettings,
    document: pd.DataFrame | None,
    typeprocedure: str,
    code: str,
    prefix: str,
    report: Report,
) -> str:
    if settings.libelleprocedure:
        return settings.libelleprocedure
    names = (
        text_values(column(document, "nom"), len(document)).dropna()
        if document is not None
        else pd.Series(dtype=object)
    )
    if len(names):
        return str(names.iloc[0])
    label = f"{load_template().code_lists['typeprocedure'][typeprocedure]} {code}"
    add_issue(
        report,
        "PPR_PROCEDURE_LABEL_DEFAULTED",
        Severity.WARNING,
        f"libelleprocedure was set to {label!r}: without the N_DOCUMENT_PPR layer the procedure's name is unknown.",
        "Set libelleprocedure (e.g. 'PPRN de Le Bourg-d'Oisans') in the mapping file.",
        layer="procedure",
        fr=f"libelleprocedure a été mis à {label!r} : sans la couche N_DOCUMENT_PPR, le nom de la procédure est "
        "inconnu.",
        hint_fr="Indiquez libelleprocedure (p. ex. « PPRN de Le Bourg-d'Oisans ») dans le fichier de correspondance.",
    )
    return label


def _iso(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (datetime, pd.Timestamp)):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def _state(settings: FloodSettings, document: pd.DataFrame | None) -> tuple[str | None, str | None]:
    """State and date of the procedure from the settings, else N_DOCUMENT_PPR (ETAT, DATEAPPRO/DATEPRESCR...)."""
    state, when = settings.etatprocedure, settings.dateetat
    if document is not None and len(document):
        etat = text_values(column(document, "etat"), len(document), pad=2).iloc[0]
        state = state or ETAT_COVADIS.get(etat or "")
        source = {"APPROUVE": "dateappro", "PRESCRIT": "dateprescr", "ABROGE": "datefinval"}.get(state or "")
        if when is None and source is not None:
            series = column(document, source)
            when = _iso(series.iloc[0]) if series is not None else None
    return state, when


def _perimeters(
    frame: gpd.GeoDataFrame, code: str, state: str | None, when: str | None, layer: str, report: Report
) -> dict[str, pd.DataFrame]:
    n = len(frame)
    kinds = text_values(column(frame, "type"), n, pad=2)
    valid = column(frame, "datevalid")
    rows: dict[str, list[dict[str, Any]]] = {"perimetre_s": [], "perimetreetude_s": []}
    inferred = []
    for i in range(n):
        kind = kinds.iloc[i] or "02"
        row_state = state or PERIMETER_STATE.get(kind)
        row_date = when or (_iso(valid.iloc[i]) if valid is not None else None)
        if state is None or when is None:
            inferred.append(f"{row_state} on {row_date}")
        target = "perimetreetude_s" if kind == "03" else "perimetre_s"
        rows[target].append(
            {
                "idperimetre": str(len(rows[target]) + 1),
                "codeprocedure": code,
                "etatprocedure": row_state,
                "dateetat": row_date,
                "geometry": frame.geometry.iloc[i],
            }
        )
    if inferred:
        add_issue(
            report,
            "PPR_STATE_INFERRED",
            Severity.INFO,
            f"etatprocedure and dateetat of {layer} ({'; '.join(sorted(set(inferred)))}) come from the perimeter's "
            "TYPE (01 prescrit, 02 exposition aux risques = approved) and DATEVALID: no N_DOCUMENT_PPR layer says it.",
            "Set etatprocedure and dateetat in the mapping file if they differ.",
            layer=layer,
            fr=f"etatprocedure et dateetat de {layer} ({'; '.join(sorted(set(inferred)))}) viennent du TYPE du "
            "périmètre (01 prescrit, 02 exposition aux risques = approuvé) et de DATEVALID : aucune couche "
            "N_DOCUMENT_PPR ne le dit.",
            hint_fr="Indiquez etatprocedure et dateetat dans le fichier de correspondance s'ils diffèrent.",
        )
    out: dict[str, pd.DataFrame] = {}
    for kind, items in rows.items():
        if items:
            table = gpd.GeoDataFrame(items, geometry="geometry", crs=frame.crs)
            check_codes(table["etatprocedure"], "typeetatprocedure", "procedure state", layer, report)
            if table["dateetat"].isna().any():
                add_issue(
                    report,
                    "PPR_VALUE_MISSING",
                    Severity.ERROR,
                    f"{layer} has no date for the procedure's state (dateetat is mandatory).",
                    "Fill DATEVALID or set dateetat (YYYY-MM-DD) in the mapping file.",
                    layer=layer,
                    fr=f"{layer} n'a pas de date pour l'état de la procédure (dateetat est obligatoire).",
                    hint_fr="Remplissez DATEVALID ou indiquez dateetat (AAAA-MM-JJ) dans le fichier de correspondance.",
                )
            out[kind] = table
    return out


def _references(
    frames: dict[str, gpd.GeoDataFrame],
    document: pd.DataFrame | None,
    code: str,
    state: str,
    prefix: str,
    report: Report,
) -> pd.DataFrame:
    """``referenceinternet``: SITE_WEB of N_DOCUMENT_PPR (Annexe A), else the map files' URLFIC / NOMFIC."""
    approved = state == "APPROUVE"
    sources = [
        ("document", "site_web", "nom", "99", None),
        ("zone_reglementaire", "urlfic", "nomfic", "04" if approved else "03", "Carte du zonage réglementaire"),
        ("zone_alea", "urlfic", "nomfic", "05" if approved else "06", "Carte des aléas"),
    ]
    rows: dict[str, dict[str, Any]] = {}
    for role, url_field, name_field, kind, description in sources:
        frame = document if role == "document" else frames.get(role)
        if frame is None:
            continue
        urls = text_values(column(frame, url_field), len(frame))
        labels = text_values(column(frame, name_field), len(frame))
        for url, label in zip(urls, labels, strict=True):
            if url and url not in rows:
                rows[url] = {
                    "adresse": url,
                    "codeprocedure": code,
                    "nomressource": label,
                    "typereference": kind,
                    "description": description,
                }
    if not rows:
        add_issue(
            report,
            "PPR_REFERENCE_MISSING",
            Severity.WARNING,
            "No web address was found for the procedure (N_DOCUMENT_PPR.SITE_WEB or URLFIC): the mandatory table "
            "referenceinternet is empty.",
            "Add the URL of the PPR's documents to the source layers.",
            layer=f"{prefix}_referenceinternet",
            fr="Aucune adresse web trouvée pour la procédure (N_DOCUMENT_PPR.SITE_WEB ou URLFIC) : la table "
            "obligatoire referenceinternet est vide.",
            hint_fr="Ajoutez l'URL des documents du PPR aux couches sources.",
        )
    return pd.DataFrame(
        list(rows.values()), columns=["adresse", "codeprocedure", "nomressource", "typereference", "description"]
    )


def _regulatory(frame: gpd.GeoDataFrame, suffix: str, code: str, layer: str, report: Report) -> dict[str, pd.DataFrame]:
    """N_ZONE_REG_* -> zonereglementaireurba_<s|l|p> (TYPEREG 01-04) or zonereglementairefoncier (05, 06)."""
    n = len(frame)
    ids = text_values(column(frame, "id_zone"), n)
    check_ids(ids, layer, report)
    typereg = text_values(column(frame, "typereg"), n, pad=2)
    attrs = gpd.GeoDataFrame(
        {
            "codezonereglement": text_values(column(frame, "codezone"), n).values,
            "libellezonereglement": text_values(column(frame, "nom"), n).values,
            "typereg": typereg.values,
        },
        geometry=frame.geometry.values,
        crs=frame.crs,
    )
    for field, what in (("codezonereglement", "CODEZONE"), ("libellezonereglement", "NOM")):
        blank = attrs[field].isna()
        if blank.any():
            add_issue(
                report,
                "PPR_VALUE_MISSING",
                Severity.ERROR,
                f"{int(blank.sum())} zone(s) of {layer} have no {what}; the CNIG table needs one.",
                f"Fill {what} in the source layer.",
                layer=layer,
                count=int(blank.sum()),
                examples=[int(i) for i in blank.to_numpy().nonzero()[0][:5]],
                fr=f"{int(blank.sum())} zone(s) de {layer} n'ont pas de {what} ; la table CNIG en demande un.",
                hint_fr=f"Remplissez {what} dans la couche source.",
            )
    urba = typereg.map(TYPEREG_URBA)
    foncier = typereg.map(TYPEREG_FONCIER)
    unknown = urba.isna() & foncier.isna()
    odd = ", ".join(sorted(set(typereg[unknown].dropna())))
    for mask, issue, text, text_fr in (
        (
            typereg.notna() & unknown,
            "PPR_CODE_NOT_IN_LIST",
            f"have a TYPEREG with no CNIG code ({odd})",
            f"ont un TYPEREG sans code CNIG ({odd})",
        ),
        (typereg.isna(), "PPR_VALUE_MISSING", "have no TYPEREG", "n'ont pas de TYPEREG"),
    ):
        if mask.any():
            add_issue(
                report,
                issue,
                Severity.ERROR,
                f"{int(mask.sum())} zone(s) of {layer} {text}.",
                "COVADIS TYPEREG 01-04 become typereglementurba codes, 05-06 typereglementfoncier 01-02.",
                layer=layer,
                count=int(mask.sum()),
                examples=[int(i) for i in mask.to_numpy().nonzero()[0][:5]],
                fr=f"{int(mask.sum())} zone(s) de {layer} {text_fr}.",
                hint_fr="Les TYPEREG COVADIS 01 à 04 deviennent des codes typereglementurba, 05 et 06 des codes "
                "typereglementfoncier 01 et 02.",
            )
    parts, part_ids, _ = explode_parts(
        attrs.assign(typereglement=urba.fillna(foncier).fillna(typereg).values), ids, layer, report
    )
    parts = parts.assign(idzonereglementaire=part_ids.values, codeprocedure=code, existemesuresobligatoires=None)
    is_foncier = parts["typereg"].isin(list(TYPEREG_FONCIER)).to_numpy()
    cols = ["idzonereglementaire", "codeprocedure", "codezonereglement", "libellezonereglement", "typereglement"]
    out = {}
    for kind, mask, extra in (
        (f"zonereglementaireurba_{suffix}", ~is_foncier, ["existemesuresobligatoires"]),
        (f"zonereglementairefoncier_{suffix}", is_foncier, []),
    ):
        if mask.any():
            part = parts[mask]
            out[kind] = gpd.GeoDataFrame(part[cols + extra], geometry=part.geometry.values, crs=frame.crs)
    return out
