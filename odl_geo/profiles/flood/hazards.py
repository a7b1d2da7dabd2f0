"""COVADIS hazard zones (N_ZONE_ALEA_*, N_MULTIALEA_*) -> CNIG hazard tables, as Annexe A of the standard says.

- Each zone of a natural hazard goes to ``zonealeareference_<code>_s`` (one table per hazard code), ``typealea``
  being CODERISQUE without its trailing zeros (``1150000`` -> ``115``), ``niveaualea`` NIVALEA_STD.
- "Multirisques" zones (CODERISQUE all nines) go, with all other zones, to ``zonealeanaturelsynthese_s`` with
  ``typealea`` 999, and their hazards (one row per zone and hazard in N_MULTIALEA_*) to ``zonemultialeanaturel``.
- odl-geo also *expands* each multirisk zone into the per-hazard tables of its hazards (level from
  N_MULTIALEA). Annexe A only prescribes the synthesis tables; without the expansion a per-hazard table would miss
  every place where that hazard is mixed with another, and "one table per hazard" would not be the hazard's map.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ...numbers import literal
from ...report import Severity
from .model import add_issue, column, text_values
from .template import load_template

if TYPE_CHECKING:
    from ...report import Report

__all__ = [
    "HazardPieces",
    "HazardTables",
    "check_codes",
    "convert_hazards",
    "covadis_hazard_code",
    "explode_parts",
    "report_split",
    "split_parts",
]

ZONE_COLUMNS = ["idzonealea", "codeprocedure", "typealea", "niveaualea", "occurrence", "description"]
MULTI_CODE = "999"


@dataclass
class HazardTables:
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    codes: set[str] = field(default_factory=set)  # every natural hazard code met (single and multirisk zones)
    multirisk: int = 0  # number of multirisk zones in the source


def covadis_hazard_code(value: str | None) -> str | None:
    """CODERISQUE -> CNIG ``typealea``: the leading digits that are not trailing zeros; all nines -> 999."""
    if value is None:
        return None
    if set(value) == {"9"}:
        return MULTI_CODE
    return value.rstrip("0") or value


def check_codes(
    values: pd.Series, code_list: str, what: str, layer: str, report: Report, raw: pd.Series | None = None
) -> None:
    """Report values outside a CNIG code list (ERROR: the GeoPackage would break its foreign keys) and blanks."""
    allowed = load_template().codes(code_list)
    bad = values.notna() & ~values.isin(allowed)
    if bad.any():
        shown = sorted({str(v) for v in (raw if raw is not None else values)[bad]})[:5]
        listed = (
            ", ".join(sorted(allowed)) if len(allowed) <= 20 else f"{len(allowed)} codes, see the table {code_list}"
        )
        listed_fr = (
            ", ".join(sorted(allowed)) if len(allowed) <= 20 else f"{len(allowed)} codes, voir la table {code_list}"
        )
        add_issue(
            report,
            "PPR_CODE_NOT_IN_LIST",
            Severity.ERROR,
            f"{{n}} {{n:row|rows}} of {literal(layer)} {{n:has|have}} a {literal(what)} with no CNIG "
            f"{literal(code_list)} code: {literal(', '.join(shown))}.",
            f"Correct the source values; allowed {code_list} codes: {listed}.",
            layer=layer,
            count=int(bad.sum()),
            examples=[int(i) for i in bad.to_numpy().nonzero()[0][:5]],
            fr=f"{{n}} {{n:ligne|lignes}} de {literal(layer)} {{n:a|ont}} une valeur de {literal(what)} sans code "
            f"CNIG {literal(code_list)} : {literal(', '.join(shown))}.",
            hint_fr=f"Corrigez les valeurs de la source ; codes {code_list} admis : {listed_fr}.",
            numbers={"n": int(bad.sum())},
        )
    blank = values.isna()
    if blank.any():
        add_issue(
            report,
            "PPR_VALUE_MISSING",
            Severity.ERROR,
            f"{{n}} {{n:row|rows}} of {literal(layer)} {{n:has|have}} no {literal(what)}; the CNIG table needs one.",
            "Fill the value in the source layer.",
            layer=layer,
            count=int(blank.sum()),
            examples=[int(i) for i in blank.to_numpy().nonzero()[0][:5]],
            fr=f"{{n}} {{n:ligne|lignes}} de {literal(layer)} {{n:n'a|n'ont}} pas de {literal(what)} ; la table CNIG "
            "en demande un.",
            hint_fr="Remplissez la valeur dans la couche source.",
            numbers={"n": int(blank.sum())},
        )


def check_ids(ids: pd.Series, layer: str, report: Report) -> None:
    """ID_ZONE becomes the primary key of the CNIG tables: it must be present and unique."""
    blank = ids.isna()
    dup = ids.notna() & ids.duplicated(keep=False)
    for mask, code, text, text_fr in (
        (blank, "PPR_VALUE_MISSING", "{n:has|have} no ID_ZONE", "{n:n'a|n'ont} pas d'ID_ZONE"),
        (
            dup,
            "PPR_ID_DUPLICATE",
            "{n:shares its|share their} ID_ZONE with another feature",
            "{n:partage son|partagent leur} ID_ZONE avec un autre objet",
        ),
    ):
        if mask.any():
            add_issue(
                report,
                code,
                Severity.ERROR,
                f"{{n}} {{n:feature|features}} of {literal(layer)} {text}: it becomes the primary key of the CNIG "
                "table.",
                "Give every zone its own identifier in the source layer.",
                layer=layer,
                count=int(mask.sum()),
                examples=[int(i) for i in mask.to_numpy().nonzero()[0][:5]],
                fr=f"{{n}} {{n:objet|objets}} de {literal(layer)} {text_fr} : il devient la clé primaire de la table "
                "CNIG.",
                hint_fr="Donnez à chaque zone son propre identifiant dans la couche source.",
                numbers={"n": int(mask.sum())},
            )


def explode_parts(
    frame: gpd.GeoDataFrame, ids: pd.Series, layer: str, report: Report
) -> tuple[gpd.GeoDataFrame, pd.Series, pd.Series]:
    """Split multi-part geometries (the CNIG zone tables hold single parts); parts get ``<id>-1``, ``<id>-2``...

    :returns: the exploded frame, the new identifier of each row and the identifier of its source feature.
    """
    parts, new_ids, sources, split = split_parts(frame, ids)
    report_split(split, layer, report)
    return parts, new_ids, sources


def split_parts(frame: gpd.GeoDataFrame, ids: pd.Series) -> tuple[gpd.GeoDataFrame, pd.Series, pd.Series, list[int]]:
    """:func:`explode_parts` without its report: also the rows (of ``frame``) that were split, so that the pieces
    of a layer can be reported on once, in the layer's numbering (:func:`report_split`)."""
    work = frame.assign(_source_id=list(ids), _row=range(len(frame)))
    geoms = np.asarray(frame.geometry.values, dtype=object)
    # a non-empty single polygon (line, point) is its own only part: kept as it is, the same geometry object
    # as the source layer's (exploding it would copy every zone's coordinates); only the others are exploded
    single = np.isin(shapely.get_type_id(geoms), (0, 1, 3)) & ~shapely.is_empty(geoms)
    if single.all():
        parts = work.reset_index(drop=True)
    else:
        exploded = work[~single].explode(index_parts=False, ignore_index=True)
        parts = pd.concat([work[single], exploded]).sort_values("_row", kind="stable").reset_index(drop=True)
    size = parts.groupby("_row")["_row"].transform("size")
    rank = parts.groupby("_row").cumcount() + 1
    split = (size > 1).to_numpy()
    rows = sorted({int(r) for r in parts.loc[split, "_row"]}) if split.any() else []
    source = list(parts["_source_id"])
    new_ids = [f"{s}-{r}" if cut and s is not None else s for s, r, cut in zip(source, rank, split, strict=True)]
    out = parts.drop(columns=["_source_id", "_row"])
    return out, pd.Series(new_ids, dtype=object), pd.Series(source, dtype=object), rows


def report_split(rows: list[int], layer: str, report: Report) -> None:
    """PPR_MULTIPART_SPLIT for the source ``rows`` whose multi-part geometry was split."""
    if rows:
        add_issue(
            report,
            "PPR_MULTIPART_SPLIT",
            Severity.WARNING,
            f"{{n}} multi-part {{n:feature|features}} of {literal(layer)} {{n:was|were}} split into single parts: the "
            "CNIG tables hold one part per row. The parts keep the source identifier with a suffix (-1, -2...).",
            "Check that the parts are separate zones and not digitising slivers.",
            layer=layer,
            count=len(rows),
            examples=rows[:5],
            fr=f"{{n}} {{n:objet|objets}} multi-parties de {literal(layer)} {{n:a été découpé|ont été découpés}} en "
            "parties simples : les tables CNIG ont une partie par ligne. Les parties gardent l'identifiant source avec "
            "un suffixe (-1, -2...).",
            hint_fr="Vérifiez que les parties sont des zones distinctes et non des restes de numérisation.",
            numbers={"n": len(rows)},
        )


def convert_hazards(
    alea: gpd.GeoDataFrame | None,
    multi: pd.DataFrame | None,
    codeprocedure: str,
    report: Report,
    alea_layer: str = "N_ZONE_ALEA",
    multi_layer: str = "N_MULTIALEA",
) -> HazardTables:
    """The CNIG hazard tables of one procedure (see the module docstring for the rules)."""
    pieces = HazardPieces()
    if alea is not None:
        pieces.add(alea)
    return pieces.finish(multi, codeprocedure, report, alea_layer, multi_layer)


class HazardPieces:
    """N_ZONE_ALEA taken a piece at a time (``add``), then the CNIG hazard tables and the layer's findings
    (``finish``): the same tables, rows in the same order, and the same issues as the whole layer gives.

    Each piece is turned into its CNIG rows at once (codes cleaned, multi-parts split, rows sorted into the
    tables of their hazard, the synthesis and the multirisk zones), so the source piece can go; what the findings
    need over the whole layer is kept as its few code columns (identifiers, codes, levels: references to a few
    distinct strings, about 100 bytes a zone) and the rows split, and judged in ``finish``.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.crs: object = None
        self._ids: list[pd.Series] = []
        self._raw: list[pd.Series] = []
        self._codes: list[pd.Series] = []
        self._levels: list[pd.Series] = []
        # whether MULTI_ALEA says "multirisk", per zone, when the layer has the field: the piece's answers, never
        # its column (a column of a piece's frame can hold the piece's other text fields alive with it)
        self._flags: list[np.ndarray] | None = None
        self._split: list[int] = []
        self._unconverted: list[pd.Series] = []
        self._natural: dict[str, list[pd.DataFrame]] = defaultdict(list)
        self._synthesis: list[pd.DataFrame] = []
        self._multirisk: list[pd.DataFrame] = []
        self._sources: set[object] = set()
        #: set by :meth:`emit_rows`: each piece's rows are given back by :meth:`add` instead of kept
        self._emit: tuple[str, bool] | None = None
        self._met: set[str] = set()  # the natural codes met, when the rows are given back
        self._details: pd.DataFrame | None = None  # N_MULTIALEA's rows that expand, when the rows are given back
        #: with :meth:`emit_rows`: the last piece's multirisk zones expanded (table -> rows), to be appended
        #: after every natural row of their table
        self.later: dict[str, gpd.GeoDataFrame] = {}

    def emit_rows(
        self,
        codeprocedure: str,
        has_multirisk: bool,
        multi: pd.DataFrame | None = None,
        multirisk: set[object] | None = None,
    ) -> None:
        """Give each piece's CNIG rows back from :meth:`add` (step 3 of docs/flood.md) instead of keeping them
        until :meth:`finish`: what ``finish`` decides over the whole layer is then known before the first piece
        (:mod:`~odl_geo.profiles.flood.first_pass`): the procedure's code, whether the layer has multirisk zones
        (the synthesis table is made only then) and their identifiers (``multirisk``). With ``multi`` (the same
        ``N_MULTIALEA`` frame :meth:`finish` will be given), each piece's multirisk zones are expanded at once:
        their ``zonemultialeanaturel`` rows come with the piece's rows, their rows of the hazards' tables in
        :attr:`later` (they follow every natural row of their table). Only their attributes are kept, for the
        findings :meth:`finish` makes."""
        self._emit = (codeprocedure, has_multirisk)
        self._details = None if multi is None else _expanding_rows(multi, multirisk or set())

    def add(self, alea: gpd.GeoDataFrame) -> dict[str, gpd.GeoDataFrame]:
        """One piece of the layer, in the layer's order. With :meth:`emit_rows`, the piece's rows of each table
        (natural hazards' tables, the synthesis, ``zonemultialeanaturel``), which the same tables' rows of
        :meth:`finish` follow (and :attr:`later` is the piece's expanded rows); else nothing (the rows are kept
        for :meth:`finish`)."""
        self.later = {}
        n = len(alea)
        if not n:
            return {}
        if self.crs is None:
            self.crs = alea.crs
        ids = text_values(column(alea, "id_zone"), n)
        raw = text_values(column(alea, "coderisque"), n)
        codes = raw.map(covadis_hazard_code)
        levels = text_values(column(alea, "nivalea_std", "nivalea_st"), n, pad=2)
        flag = column(alea, "multi_alea")
        if flag is not None:
            self._flags = self._flags if self._flags is not None else []
            self._flags.append(_says_multi(flag))
        del flag
        attrs = {
            "typealea": codes.values,
            "niveaualea": levels.values,
            "description": text_values(column(alea, "descript"), n).values,
        }
        zones = gpd.GeoDataFrame(attrs, geometry=alea.geometry.values, crs=alea.crs)
        parts, part_ids, sources, split = split_parts(zones, ids)
        del zones
        self._split.extend(r + self.rows for r in split)
        parts = parts.assign(idzonealea=part_ids.values, occurrence=None, _source=sources.values)
        is_multi = (parts["typealea"] == MULTI_CODE).to_numpy()
        natural = parts["typealea"].fillna("").str.startswith("1").to_numpy() & ~is_multi
        self._unconverted.append(parts.loc[~natural & ~is_multi & parts["typealea"].notna().to_numpy(), "typealea"])
        emitted: dict[str, gpd.GeoDataFrame] = {}
        for code, group in parts[natural].groupby("typealea"):
            if self._emit is None:
                self._natural[str(code)].append(group)
            else:
                self._met.add(str(code))
                emitted[f"zonealeareference_{code}_s"] = _table([group], self._emit[0], self.crs)
        # the synthesis holds every natural zone when the layer has multirisk zones: kept until the layer says
        if self._emit is None:
            self._synthesis.append(parts[natural | is_multi])
        elif self._emit[1] and (natural | is_multi).any():
            emitted["zonealeanaturelsynthese_s"] = _table([parts[natural | is_multi]], self._emit[0], self.crs)
        if is_multi.any() and self._emit is None:
            self._multirisk.append(parts[is_multi])
        elif is_multi.any():
            multirisk, procedure = parts[is_multi], self._emit[0] if self._emit is not None else ""
            if self._details is not None:
                detail, expanded = _joined_details(multirisk, self._details, procedure, self.crs)
                if len(detail):
                    emitted["zonemultialeanaturel"] = detail
                for code, group in expanded.items():
                    self._met.add(code)
                    self.later[f"zonealeareference_{code}_s"] = _table([group], procedure, self.crs)
            # the attributes only, for the findings finish makes over the layer: never the shapes
            self._multirisk.append(pd.DataFrame(multirisk.drop(columns=multirisk.geometry.name)))
        self._sources.update(sources)
        for kept, series in ((self._ids, ids), (self._raw, raw), (self._codes, codes), (self._levels, levels)):
            kept.append(series)
        self.rows += n
        return emitted

    def finish(
        self,
        multi: pd.DataFrame | None,
        codeprocedure: str,
        report: Report,
        alea_layer: str = "N_ZONE_ALEA",
        multi_layer: str = "N_MULTIALEA",
    ) -> HazardTables:
        """The CNIG hazard tables of the pieces given, and the layer's findings (see the module docstring)."""
        out = HazardTables()
        if not self.rows:
            return out
        ids, raw, codes, levels = (_joined(kept) for kept in (self._ids, self._raw, self._codes, self._levels))
        self._ids, self._raw, self._codes, self._levels = [], [], [], []
        check_ids(ids, alea_layer, report)
        del ids
        check_codes(codes, "typealea", "CODERISQUE", alea_layer, report, raw)
        check_codes(levels, "typeniveaualea", "NIVALEA_STD", alea_layer, report)
        del raw, levels
        if self._flags is not None:
            _check_multi_flag(np.concatenate(self._flags), codes, alea_layer, report)
            self._flags = None
        report_split(self._split, alea_layer, report)
        _report_unconverted(_joined(self._unconverted), alea_layer, report)
        natural = sorted(self._natural.items())  # the tables in the order a groupby of the whole layer gives
        pieces: dict[str, list[pd.DataFrame]] = {f"zonealeareference_{c}_s": g for c, g in natural}
        out.codes.update(self._natural)
        out.codes.update(self._met)
        self._natural = defaultdict(list)
        if self._multirisk:
            out.multirisk = int(sum(1 for c in codes if c == MULTI_CODE))
            if self._emit is None:  # else given back piece by piece
                pieces["zonealeanaturelsynthese_s"] = [p for p in self._synthesis if len(p)]
            detail, expanded = _expand_multirisk(
                pd.concat(self._multirisk, ignore_index=True),
                self._sources,
                multi,
                codeprocedure,
                report,
                multi_layer if multi is not None else alea_layer,
                shapes=self._emit is None,
            )
            out.frames["zonemultialeanaturel"] = detail  # none of its rows when they were given back
            for code, group in expanded.items():
                pieces.setdefault(f"zonealeareference_{code}_s", []).append(group)
                out.codes.add(code)
        self._synthesis, self._multirisk = [], []
        for kind, groups in pieces.items():
            out.frames[kind] = _table(groups, codeprocedure, self.crs)
        return out


def _table(groups: list[pd.DataFrame], codeprocedure: str, crs: object) -> gpd.GeoDataFrame:
    """The rows of ``groups`` (one after the other, numbered 0..n-1) with the CNIG zone table's columns."""
    frame = pd.concat(groups, ignore_index=True).assign(codeprocedure=codeprocedure)
    groups.clear()
    return gpd.GeoDataFrame(frame[ZONE_COLUMNS], geometry=frame.geometry.values, crs=crs)


def _joined(pieces: list[pd.Series]) -> pd.Series:
    """The pieces' values as one series numbered 0..n-1 (as the whole layer's)."""
    if len(pieces) == 1:
        return pieces[0].reset_index(drop=True)
    return pd.concat(pieces, ignore_index=True)


def _says_multi(flag: pd.Series) -> np.ndarray:
    """MULTI_ALEA read as a yes/no per zone."""
    return flag.astype(str).str.strip().str.lower().isin(["oui", "o", "1", "true", "yes"]).to_numpy()


def _check_multi_flag(says_multi: np.ndarray, codes: pd.Series, layer: str, report: Report) -> None:
    mismatch = says_multi != (codes == MULTI_CODE).to_numpy()
    if mismatch.any():
        add_issue(
            report,
            "PPR_MULTIALEA_FLAG_MISMATCH",
            Severity.WARNING,
            f"{{n}} {{n:zone|zones}} of {literal(layer)} {{n:has|have}} MULTI_ALEA and CODERISQUE that disagree; "
            "odl-geo follows CODERISQUE (all nines = multirisk).",
            "Correct MULTI_ALEA or CODERISQUE in the source.",
            layer=layer,
            count=int(mismatch.sum()),
            examples=[int(i) for i in mismatch.nonzero()[0][:5]],
            fr=f"{{n}} {{n:zone|zones}} de {literal(layer)} {{n:a|ont}} MULTI_ALEA et CODERISQUE en désaccord ; "
            "odl-geo suit CODERISQUE (que des 9 = multirisque).",
            hint_fr="Corrigez MULTI_ALEA ou CODERISQUE dans la source.",
            numbers={"n": int(mismatch.sum())},
        )


def _report_unconverted(codes: pd.Series, layer: str, report: Report) -> None:
    if codes.empty:
        return
    listed = ", ".join(sorted(set(codes)))
    add_issue(
        report,
        "PPR_HAZARD_NOT_CONVERTED",
        Severity.ERROR,
        f"{{n}} {{n:zone|zones}} of {literal(layer)} {{n:has|have}} technological or mining hazard codes "
        f"({literal(listed)}): {{n:it was|they were}} not converted. Technological zones must be sorted into the "
        "rapid/slow/projection tables (Annexe A says it cannot be done automatically) and mining PPRs are outside the "
        "CNIG PPR standard.",
        "Convert these zones by hand into the CNIG technological tables, or leave them out.",
        layer=layer,
        count=len(codes),
        fr=f"{{n}} {{n:zone|zones}} de {literal(layer)} {{n:a|ont}} des codes d'aléa technologique ou minier "
        f"({literal(listed)}) : {{n:elle n'a pas été convertie|elles n'ont pas été converties}}. Les zones "
        "technologiques doivent être réparties entre les tables rapide/lent/projection (l'annexe A dit que cela ne "
        "peut pas se faire automatiquement) et les PPR miniers sont hors du standard CNIG PPR.",
        hint_fr="Convertissez ces zones à la main dans les tables technologiques CNIG, ou laissez-les de côté.",
        numbers={"n": len(codes)},
    )


def _expanding_rows(multi: pd.DataFrame, zone_ids: set[object]) -> pd.DataFrame:
    """N_MULTIALEA's rows that expand a multirisk zone (its first row of each (zone, hazard) pair, pointing at one
    of ``zone_ids``), as :func:`_expand_multirisk` keeps them."""
    rows = _detail_rows(multi)
    return rows[~rows.duplicated(["src", "typealea"]) & rows["src"].isin(zone_ids)]


def _detail_rows(multi: pd.DataFrame) -> pd.DataFrame:
    n = len(multi)
    rows = pd.DataFrame(
        {
            "src": text_values(column(multi, "id_zone"), n).values,
            "raw": text_values(column(multi, "coderisque"), n).values,
            "niveaualea": text_values(column(multi, "nivalea_std", "nivalea_st"), n, pad=2).values,
        }
    )
    rows["typealea"] = rows["raw"].map(covadis_hazard_code)
    return rows


def _joined_details(
    mzones: gpd.GeoDataFrame, rows: pd.DataFrame, codeprocedure: str, crs: object
) -> tuple[pd.DataFrame, dict[str, gpd.GeoDataFrame]]:
    """The multirisk zones ``mzones`` joined with their hazards' ``rows``: their ``zonemultialeanaturel`` rows and
    their rows of each natural hazard's table (in the zones' order, each zone's hazards in N_MULTIALEA's order)."""
    zones = mzones.rename(columns={"niveaualea": "zone_level"})[
        ["idzonealea", "_source", "zone_level", "description", "geometry"]
    ]
    joined = zones.merge(rows, left_on="_source", right_on="src")
    detail = joined[["typealea", "idzonealea", "niveaualea"]].assign(occurrence=None).reset_index(drop=True)
    natural = joined["typealea"].fillna("").str.startswith("1")
    expanded = {
        str(code): gpd.GeoDataFrame(
            group.assign(codeprocedure=codeprocedure, occurrence=None), geometry="geometry", crs=crs
        )
        for code, group in joined[natural].groupby("typealea")
    }
    return detail.astype(object), expanded


def _expand_multirisk(
    mzones: gpd.GeoDataFrame,
    all_sources: set[object],
    multi: pd.DataFrame | None,
    codeprocedure: str,
    report: Report,
    layer: str,
    shapes: bool = True,
) -> tuple[pd.DataFrame, dict[str, gpd.GeoDataFrame]]:
    """``zonemultialeanaturel`` rows and the per-hazard rows of the multirisk zones, from N_MULTIALEA, and the
    findings on them. ``shapes`` False: ``mzones`` holds their attributes only (their rows were given back piece
    by piece, :meth:`HazardPieces.emit_rows`): the findings alone, and no row."""
    empty = pd.DataFrame({"typealea": [], "idzonealea": [], "niveaualea": [], "occurrence": []}, dtype=object)
    zone_ids = set(mzones["_source"])
    if multi is None:
        add_issue(
            report,
            "PPR_MULTIALEA_DETAIL_MISSING",
            Severity.WARNING,
            "{n} 'multirisques' {n:zone has|zones have} no detail: the N_MULTIALEA table that lists {n:its|their} "
            "hazards was not given. {n:It is|They are} kept in zonealeanaturelsynthese_s (typealea 999) but "
            "zonemultialeanaturel stays empty and the per-hazard tables lack {n:this zone|these zones}.",
            "Add the N_MULTIALEA_* table (a .dbf) of this PPR to the input.",
            layer=layer,
            count=len(zone_ids),
            fr="{n} {n:zone|zones} « multirisques » sans détail : la table N_MULTIALEA qui liste {n:ses|leurs} aléas "
            "n'a pas été fournie. {n:Elle est gardée|Elles sont gardées} dans zonealeanaturelsynthese_s (typealea "
            "999) mais zonemultialeanaturel reste vide et les tables par aléa n'ont pas {n:cette zone|ces zones}.",
            hint_fr="Ajoutez la table N_MULTIALEA_* (un .dbf) de ce PPR à l'entrée.",
            numbers={"n": len(zone_ids)},
        )
        return empty, {}
    rows = _detail_rows(multi)
    check_codes(rows["typealea"], "typealea", "CODERISQUE", layer, report, rows["raw"])
    check_codes(rows["niveaualea"], "typeniveaualea", "NIVALEA_STD", layer, report)
    for mask, code, text, text_fr in (
        (
            rows.duplicated(["src", "typealea"]),
            "PPR_MULTIALEA_DUPLICATE",
            "{n:repeats|repeat} a (zone, hazard) pair; the first is kept",
            "{n:répète|répètent} un couple (zone, aléa) ; le premier est gardé",
        ),
        (
            ~rows["src"].isin(all_sources),
            "PPR_MULTIALEA_ORPHAN",
            "{n:points|point} at no zone of N_ZONE_ALEA and {n:was|were} skipped",
            "{n:ne renvoie|ne renvoient} à aucune zone de N_ZONE_ALEA et {n:a été ignorée|ont été ignorées}",
        ),
        (
            rows["src"].isin(all_sources) & ~rows["src"].isin(zone_ids),
            "PPR_MULTIALEA_NOT_MULTIRISK",
            "{n:points at a zone that is|point at zones that are} not 'multirisques' and {n:was|were} skipped",
            (
                "{n:renvoie à une zone qui n'est|renvoient à des zones qui ne sont} pas « multirisques » et "
                "{n:a été ignorée|ont été ignorées}"
            ),
        ),
    ):
        if mask.any():
            add_issue(
                report,
                code,
                Severity.WARNING,
                f"{{n}} {{n:row|rows}} of {literal(layer)} {text}.",
                "Correct ID_ZONE / CODERISQUE in the N_MULTIALEA table.",
                layer=layer,
                count=int(mask.sum()),
                examples=[int(i) for i in mask.to_numpy().nonzero()[0][:5]],
                fr=f"{{n}} {{n:ligne|lignes}} de {literal(layer)} {text_fr}.",
                hint_fr="Corrigez ID_ZONE / CODERISQUE dans la table N_MULTIALEA.",
                numbers={"n": int(mask.sum())},
            )
    rows = rows[~rows.duplicated(["src", "typealea"]) & rows["src"].isin(zone_ids)]
    undocumented = zone_ids - set(rows["src"])
    if undocumented:
        add_issue(
            report,
            "PPR_MULTIALEA_DETAIL_MISSING",
            Severity.WARNING,
            f"{{n}} 'multirisques' {{n:zone has|zones have}} no row in {literal(layer)}: {{n:its|their}} hazards are "
            "unknown.",
            "Add their hazards to the N_MULTIALEA table.",
            layer=layer,
            count=len(undocumented),
            fr=f"{{n}} {{n:zone|zones}} « multirisques » {{n:n'a|n'ont}} aucune ligne dans {literal(layer)} : "
            "{n:ses|leurs} aléas sont inconnus.",
            hint_fr="Ajoutez leurs aléas à la table N_MULTIALEA.",
            numbers={"n": len(undocumented)},
        )
    zones = mzones.rename(columns={"niveaualea": "zone_level"})[["idzonealea", "_source", "zone_level"]]
    joined = zones.merge(rows, left_on="_source", right_on="src")
    _check_levels(joined, layer, report)
    natural = joined["typealea"].fillna("").str.startswith("1")
    _report_unconverted(joined.loc[~natural & joined["typealea"].notna(), "typealea"], layer, report)
    if not shapes:
        return empty, {}
    del joined
    return _joined_details(mzones, rows, codeprocedure, mzones.crs)


def _check_levels(joined: pd.DataFrame, layer: str, report: Report) -> None:
    """The standard keeps the highest level on a multirisk zone: compare with the highest of its hazards."""
    known = joined[joined["niveaualea"].isin([f"0{i}" for i in range(8)])]
    highest = known.groupby("idzonealea")["niveaualea"].max()
    zone = known.groupby("idzonealea")["zone_level"].first()
    differ = highest[zone.reindex(highest.index) != highest]
    if len(differ):
        add_issue(
            report,
            "PPR_MULTIALEA_LEVEL_MISMATCH",
            Severity.WARNING,
            "{n} 'multirisques' {n:zone carries|zones carry} a level (NIVALEA_STD) other than the highest level of "
            f"{{n:its|their}} hazards in {literal(layer)}; the CNIG synthesis table should hold the highest.",
            "Check the levels of these zones in the source.",
            layer=layer,
            count=len(differ),
            fr="{n} {n:zone|zones} « multirisques » {n:porte|portent} un niveau (NIVALEA_STD) autre que le plus élevé "
            f"de {{n:ses|leurs}} aléas dans {literal(layer)} ; la table de synthèse CNIG devrait porter le plus élevé.",
            hint_fr="Vérifiez les niveaux de ces zones dans la source.",
            numbers={"n": len(differ)},
        )
