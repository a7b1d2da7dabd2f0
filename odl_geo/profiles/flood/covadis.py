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
import numpy as np
import pandas as pd

from ...errors import InputError
from ...numbers import literal
from ...report import Severity
from .hazards import HazardPieces, check_codes, check_ids, report_split, split_parts
from .model import PprDataset, add_issue, as_geoframe, column, text_values
from .stakes import convert_stakes
from .template import load_template

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ...report import Report
    from ..base import ThemeDataset
    from .model import FloodSettings

__all__ = [
    "ETAT_COVADIS",
    "PIECE_ROLES",
    "LocalCodes",
    "ZonePieces",
    "covadis_to_cnig",
    "infer_typeprocedure",
]

ETAT_COVADIS = {"01": "PRESCRIT", "02": "APPROUVE", "03": "ABROGE", "04": "ANTICIPE"}  # DocumentPPR.ETAT
PERIMETER_STATE = {"01": "PRESCRIT", "02": "APPROUVE"}  # PerimetrePPR.TYPE: prescrit / exposition aux risques
TYPEREG_URBA = {"01": "01", "02": "02", "03": "03", "04": "04"}  # TYPEREG -> typereglementurba (same codes)
TYPEREG_FONCIER = {"05": "01", "06": "02"}  # délaissement / expropriation possible -> typereglementfoncier
#: the COVADIS layers ``conform`` can take a piece at a time (:class:`ZonePieces`): the zones, which make a PPR
#: large; the others (perimeter, N_DOCUMENT, N_MULTIALEA, stakes) are small and taken whole
PIECE_ROLES = ("zone_alea", "zone_reglementaire", "zone_reglementaire_l", "zone_reglementaire_p")
_SUFFIX = {"zone_reglementaire": "s", "zone_reglementaire_l": "l", "zone_reglementaire_p": "p"}
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


def covadis_to_cnig(
    dataset: ThemeDataset, settings: FloodSettings, report: Report, pieces: ZonePieces | None = None
) -> PprDataset:
    """All the CNIG tables one COVADIS PPR gives (see the module docstring and docs/flood.md).

    :param pieces: the zone layers (:data:`PIECE_ROLES`) already taken a piece at a time; a zone layer among
        ``dataset.frames`` is taken as one piece. The tables and findings are the same either way.
    :raises InputError: no GASPAR code, or layers of several procedures mixed.
    """
    names = dataset.source_names
    taken = pieces if pieces is not None else ZonePieces()
    for role in PIECE_ROLES:
        if role in dataset.frames:
            taken.add(role, dataset.frames[role])
    frames = {role: frame for role, frame in dataset.frames.items() if role not in PIECE_ROLES}
    layer = {role: _short(names.get(role, role)) for role in [*frames, *taken.roles]}
    typeppr = settings.typeppr or _typeppr(names, report)
    code = settings.codeprocedure or _gaspar(_gaspar_values(frames, taken), layer)
    prefix = f"{typeppr}_{code}".lower()
    document = frames.get("document")
    hazards = taken.hazards.finish(
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
    out["referenceinternet"] = _references(taken.urls, document, code, state or "", prefix, report)
    out.update(hazards.frames)
    for role, suffix in (("zone_reglementaire", "s"), ("zone_reglementaire_l", "l"), ("zone_reglementaire_p", "p")):
        if role in taken.regulatory:
            out.update(taken.regulatory.pop(role).finish(suffix, code, layer[role], report))
    dated = when or (str(perimeter["dateetat"].iloc[0]) if perimeter is not None and len(perimeter) else None)
    out.update(convert_stakes(frames, layer, code, dated, report))  # N_ENJEU / N_ORIG_RISQ (stakes.py)
    if "zone_alea" not in taken.roles:
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
    codes = LocalCodes(mapping)
    if not codes:
        return dataset
    frames = {role: codes.apply(role, frame) for role, frame in dataset.frames.items()}
    codes.report(list(dataset.frames), dataset.source_names, report)
    out = copy.copy(dataset)
    out.frames = frames
    return out


class LocalCodes:
    """The mapping file's ``[values]`` applied to frames, or to the pieces of a layer one after the other
    (``apply``), and reported once for the whole layers (``report``): the counts and the pairs shown are the
    layer's, as :func:`map_local_codes` reports them on whole frames."""

    def __init__(self, mapping: object) -> None:
        from ..mapping import Mapping  # a mapping file; settings given as a dict or FloodSettings have no [values]

        self.tables: dict[str, dict[str, dict[str, str]]] = mapping.values if isinstance(mapping, Mapping) else {}
        self._found: dict[tuple[str, str], tuple[int, dict[object, object]]] = {}

    def __bool__(self) -> bool:
        return bool(self.tables)

    def _role_tables(self, role: str) -> dict[str, dict[str, str]]:
        return {**self.tables.get("", {}), **self.tables.get(role, {})}

    def apply(self, role: str, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` (a layer of ``role``, or one of its pieces) with the local codes replaced: a copy when any is."""
        from ...values import normalise_value

        if not self.tables:
            return frame
        for field, table in self._role_tables(role).items():
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
            count, pairs = self._found.get((role, field), (0, {}))
            pairs.update(zip(raw[hit], codes[hit], strict=True))
            self._found[role, field] = (count + int(hit.sum()), pairs)
        return frame

    def report(self, roles: list[str], names: dict[str, str], report: Report) -> None:
        """PPR_VALUES_MAPPED for each layer and field that had local codes, in the order of ``roles``."""
        for role in roles:
            for field in self._role_tables(role):
                if (role, field) not in self._found:
                    continue
                count, pairs = self._found[role, field]
                shown = ", ".join(f"{k!r} -> {v!r}" for k, v in list(pairs.items())[:8])
                layer = _short(names.get(role, role))
                add_issue(
                    report,
                    "PPR_VALUES_MAPPED",
                    Severity.INFO,
                    f"{literal(layer)}: {{n}} {field.upper()} {{n:value|values}} mapped by the mapping file: "
                    f"{literal(shown)}.",
                    layer=layer,
                    count=count,
                    fr=f"{literal(layer)} : {{n}} {{n:valeur|valeurs}} de {field.upper()} {{n:convertie|converties}} "
                    f"par le fichier de correspondance : {literal(shown)}.",
                    numbers={"n": count},
                )


class ZonePieces:
    """The zone layers (:data:`PIECE_ROLES`) taken a piece at a time: each piece becomes its CNIG rows at once
    (:class:`~odl_geo.profiles.flood.hazards.HazardPieces`, :class:`RegulatoryPieces`), and what
    :func:`covadis_to_cnig` decides over whole layers is kept as small state: the ``ID_GASPAR`` values met, the
    map files' addresses (``URLFIC`` -> ``NOMFIC``, first seen), the code columns the findings are judged on."""

    def __init__(self) -> None:
        self.roles: list[str] = []  # the zone layers given, in order (an empty one too)
        self.hazards = HazardPieces()
        self.regulatory: dict[str, RegulatoryPieces] = {}
        self.gaspar: dict[str, set[str]] = {}
        self.urls: dict[str, dict[str, str | None]] = {}
        self._emit: tuple[str, bool, pd.DataFrame | None, set[object] | None] | None = None

    def emit_rows(
        self,
        codeprocedure: str,
        has_multirisk: bool,
        multi: pd.DataFrame | None = None,
        multirisk: set[object] | None = None,
    ) -> None:
        """Give each piece's CNIG rows back from :meth:`add` (see
        :meth:`~odl_geo.profiles.flood.hazards.HazardPieces.emit_rows`: ``multi`` is the ``N_MULTIALEA`` frame
        :func:`covadis_to_cnig` will be given, ``multirisk`` the multirisk zones' identifiers), for layers started
        from now on. The expanded rows of a piece of ``N_ZONE_ALEA`` are then in ``hazards.later``."""
        self._emit = (codeprocedure, has_multirisk, multi, multirisk)

    def start(self, role: str) -> None:
        """``role``'s layer is given (its pieces follow, maybe none)."""
        if role not in self.roles:
            self.roles.append(role)
            self.gaspar[role] = set()
            self.urls[role] = {}
            if role != "zone_alea":
                self.regulatory[role] = RegulatoryPieces()
                if self._emit is not None:
                    self.regulatory[role].emit_rows(self._emit[0], _SUFFIX[role])
            elif self._emit is not None:
                self.hazards.emit_rows(*self._emit)
                self._emit = (*self._emit[:2], None, None)  # the hazards' expansion has what it needs

    def add(self, role: str, piece: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
        """The next piece of ``role``'s layer; with :meth:`emit_rows`, its CNIG rows of each table."""
        self.start(role)
        n = len(piece)
        self.gaspar[role].update(text_values(column(piece, "id_gaspar"), n).dropna())
        urls = self.urls[role]
        for url, label in zip(
            text_values(column(piece, "urlfic"), n), text_values(column(piece, "nomfic"), n), strict=True
        ):
            if url and url not in urls:
                urls[url] = label
        if role == "zone_alea":
            return self.hazards.add(piece)
        return self.regulatory[role].add(piece)


def _short(display: str) -> str:
    """``PPR.zip:uuid/N_ZONE_ALEA_PPRN_20200002_S_038.shp`` -> ``N_ZONE_ALEA_PPRN_20200002_S_038``."""
    return re.split(r"[/:\\]", display)[-1].rsplit(".", 1)[0] if display else display


def _typeppr(names: dict[str, str], report: Report) -> str:
    found = {m.group(1).lower() for n in names.values() if (m := re.search(r"N_[A-Z_]+?_(PPR[NT])", n.upper()))}
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        raise InputError(
            "The layers mix natural (PPRN) and technological (PPRT) plans.",
            "Convert one PPR at a time.",
            message_fr="Les couches mélangent des plans de prévention des risques naturels (PPRN) et technologiques "
            "(PPRT).",
            hint_fr="Convertissez un seul PPR à la fois.",
        )
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


def _gaspar_values(frames: dict[str, gpd.GeoDataFrame], pieces: ZonePieces) -> dict[str, set[str]]:
    """The ``ID_GASPAR`` values of each layer (role -> distinct values)."""
    found = {role: set(text_values(column(frame, "id_gaspar"), len(frame)).dropna()) for role, frame in frames.items()}
    return {**found, **pieces.gaspar}


def _gaspar(values: dict[str, set[str]], layer: dict[str, str]) -> str:
    codes: dict[str, set[str]] = {}
    for role, found in values.items():
        for value in found:
            codes.setdefault(value.upper(), set()).add(layer[role])
    if not codes:
        raise InputError(
            "No layer has an ID_GASPAR value: the CNIG file name and codeprocedure are the GASPAR procedure code.",
            "Fill ID_GASPAR in the layers or set codeprocedure (e.g. 38DDT20200002) in the mapping file.",
            message_fr="Aucune couche n'a de valeur ID_GASPAR : le nom du fichier CNIG et codeprocedure sont le code "
            "GASPAR de la procédure.",
            hint_fr="Remplissez ID_GASPAR dans les couches ou indiquez codeprocedure (p. ex. 38DDT20200002) dans le "
            "fichier de correspondance.",
        )
    if len(codes) > 1:
        detail = "; ".join(f"{c} in {', '.join(sorted(where))}" for c, where in sorted(codes.items()))
        detail_fr = " ; ".join(f"{c} dans {', '.join(sorted(where))}" for c, where in sorted(codes.items()))
        raise InputError(
            f"The layers belong to several procedures ({detail}).",
            "The CNIG standard delivers one procedure per GeoPackage: convert them one at a time.",
            message_fr=f"Les couches appartiennent à plusieurs procédures ({detail_fr}).",
            hint_fr="Le standard CNIG livre une procédure par GeoPackage : convertissez-les une par une.",
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
    zone_urls: dict[str, dict[str, str | None]],
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
        if role == "document":
            if document is None:
                continue
            urls = text_values(column(document, url_field), len(document))
            labels = text_values(column(document, name_field), len(document))
            pairs: Iterable[tuple[str | None, str | None]] = zip(urls, labels, strict=True)
        else:  # the map files of a zone layer, first seen (ZonePieces)
            pairs = zone_urls.get(role, {}).items()
        for url, label in pairs:
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


class RegulatoryPieces:
    """N_ZONE_REG_* taken a piece at a time (``add``), then zonereglementaireurba_<s|l|p> (TYPEREG 01-04) and
    zonereglementairefoncier (05, 06) and the layer's findings (``finish``): the same tables (rows, order and
    index) and issues as the whole layer gives; the pieces' code columns are kept for the findings."""

    def __init__(self) -> None:
        self.rows = 0
        self.crs: object = None
        self._parts = 0  # rows of the exploded pieces so far: the tables keep the whole layer's numbering
        self._ids: list[pd.Series] = []
        self._typereg: list[pd.Series] = []
        self._blank: dict[str, list[np.ndarray]] = {"codezonereglement": [], "libellezonereglement": []}
        self._split: list[int] = []
        self._urba: list[pd.DataFrame] = []
        self._foncier: list[pd.DataFrame] = []
        self._emit: tuple[str, str] | None = None  # (codeprocedure, suffix) once :meth:`emit_rows` is called

    def emit_rows(self, code: str, suffix: str) -> None:
        """Give each piece's rows back from :meth:`add` instead of keeping them until :meth:`finish` (see
        :meth:`~odl_geo.profiles.flood.hazards.HazardPieces.emit_rows`): ``code`` is the procedure's, ``suffix``
        the layer's geometry (``s``, ``l``, ``p``)."""
        self._emit = (code, suffix)

    def add(self, frame: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
        """One piece of the layer, in order; with :meth:`emit_rows`, its rows of each table (numbered in the
        layer's numbering, as :meth:`finish`'s tables), else nothing."""
        n = len(frame)
        if not n:
            return {}
        if self.crs is None:
            self.crs = frame.crs
        ids = text_values(column(frame, "id_zone"), n)
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
        for field, blanks in self._blank.items():
            blanks.append(attrs[field].isna().to_numpy())
        urba = typereg.map(TYPEREG_URBA)
        foncier = typereg.map(TYPEREG_FONCIER)
        typed = attrs.assign(typereglement=urba.fillna(foncier).fillna(typereg).values)
        parts, part_ids, _, split = split_parts(typed, ids)
        del typed
        del attrs
        self._split.extend(r + self.rows for r in split)
        parts = parts.assign(idzonereglementaire=part_ids.values, existemesuresobligatoires=None)
        parts.index = parts.index + self._parts
        self._parts += len(parts)
        is_foncier = parts["typereg"].isin(list(TYPEREG_FONCIER)).to_numpy()
        emitted: dict[str, gpd.GeoDataFrame] = {}
        if self._emit is None:
            self._urba.append(parts[~is_foncier])
            self._foncier.append(parts[is_foncier])
        else:
            code, suffix = self._emit
            for kind, rows, extra in (
                (f"zonereglementaireurba_{suffix}", parts[~is_foncier], ["existemesuresobligatoires"]),
                (f"zonereglementairefoncier_{suffix}", parts[is_foncier], []),
            ):
                if len(rows):
                    emitted[kind] = _regulatory_table([rows], code, extra, self.crs)
        self._ids.append(ids)
        self._typereg.append(typereg)
        self.rows += n
        return emitted

    def finish(self, suffix: str, code: str, layer: str, report: Report) -> dict[str, pd.DataFrame]:
        if not self.rows:
            return {}
        ids = pd.concat(self._ids, ignore_index=True)
        self._ids = []
        check_ids(ids, layer, report)
        del ids
        for field, what in (("codezonereglement", "CODEZONE"), ("libellezonereglement", "NOM")):
            blank = np.concatenate(self._blank[field])
            if blank.any():
                add_issue(
                    report,
                    "PPR_VALUE_MISSING",
                    Severity.ERROR,
                    f"{{n}} {{n:zone|zones}} of {literal(layer)} {{n:has|have}} no {what}; the CNIG table needs one.",
                    f"Fill {what} in the source layer.",
                    layer=layer,
                    count=int(blank.sum()),
                    examples=[int(i) for i in blank.nonzero()[0][:5]],
                    fr=f"{{n}} {{n:zone|zones}} de {literal(layer)} {{n:n'a|n'ont}} pas de {what} ; la table CNIG en "
                    "demande un.",
                    hint_fr=f"Remplissez {what} dans la couche source.",
                    numbers={"n": int(blank.sum())},
                )
        typereg = pd.concat(self._typereg, ignore_index=True)
        self._typereg = []
        unknown = typereg.map(TYPEREG_URBA).isna() & typereg.map(TYPEREG_FONCIER).isna()
        odd = ", ".join(sorted(set(typereg[unknown].dropna())))
        for mask, issue, text, text_fr in (
            (
                typereg.notna() & unknown,
                "PPR_CODE_NOT_IN_LIST",
                f"{{n:has|have}} a TYPEREG with no CNIG code ({literal(odd)})",
                f"{{n:a|ont}} un TYPEREG sans code CNIG ({literal(odd)})",
            ),
            (typereg.isna(), "PPR_VALUE_MISSING", "{n:has|have} no TYPEREG", "{n:n'a|n'ont} pas de TYPEREG"),
        ):
            if mask.any():
                add_issue(
                    report,
                    issue,
                    Severity.ERROR,
                    f"{{n}} {{n:zone|zones}} of {literal(layer)} {text}.",
                    "COVADIS TYPEREG 01-04 become typereglementurba codes, 05-06 typereglementfoncier 01-02.",
                    layer=layer,
                    count=int(mask.sum()),
                    examples=[int(i) for i in mask.to_numpy().nonzero()[0][:5]],
                    fr=f"{{n}} {{n:zone|zones}} de {literal(layer)} {text_fr}.",
                    numbers={"n": int(mask.sum())},
                    hint_fr="Les TYPEREG COVADIS 01 à 04 deviennent des codes typereglementurba, 05 et 06 des codes "
                    "typereglementfoncier 01 et 02.",
                )
        del typereg
        report_split(self._split, layer, report)
        out = {}
        for kind, kept, extra in (
            (f"zonereglementaireurba_{suffix}", self._urba, ["existemesuresobligatoires"]),
            (f"zonereglementairefoncier_{suffix}", self._foncier, []),
        ):
            filled = [p for p in kept if len(p)]
            kept.clear()
            if filled:
                out[kind] = _regulatory_table(filled, code, extra, self.crs)
        return out


def _regulatory_table(filled: list[pd.DataFrame], code: str, extra: list[str], crs: object) -> gpd.GeoDataFrame:
    """The rows of ``filled`` (in the layer's numbering) with the CNIG regulatory table's columns."""
    cols = ["idzonereglementaire", "codeprocedure", "codezonereglement", "libellezonereglement", "typereglement"]
    part = pd.concat(filled).assign(codeprocedure=code)
    filled.clear()
    return gpd.GeoDataFrame(part[cols + extra], geometry=part.geometry.values, crs=crs)
