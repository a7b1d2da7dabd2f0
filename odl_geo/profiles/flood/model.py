"""What the flood profile passes between its steps: the conformed dataset and the settings a user can give.

COVADIS layers do not say everything the CNIG standard needs (the procedure type, its label, sometimes its state):
those come from ``FloodSettings`` (a mapping file's constants, or the ``FloodProfile`` constructor), else they
are inferred and the report says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ...errors import InputError
from ...numbers import agree
from ...report import Issue, Report, Severity
from ..base import ThemeDataset
from .template import load_template

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["TYPEPPR", "FloodSettings", "PprDataset", "add_issue", "as_geoframe", "column", "text_values"]

TYPEPPR = ("pprn", "pprt")  # "[TypePPR]" values of the standard ("Nom du fichier de livraison")


@dataclass
class PprDataset(ThemeDataset):
    """Frames keyed by CNIG table kind (``"procedure"``, ``"zonealeareference_115_s"``), with the procedure identity.

    :param source_path: the file the data came from, when known: an existing CNIG GeoPackage is then validated
        as it is, not as odl-geo would rewrite it.
    :param input_kind: ``"covadis"`` or ``"cnig"``.
    """

    typeppr: str = ""
    codeprocedure: str = ""
    source_path: Path | None = None
    input_kind: str = ""
    metadata_xml: str | None = None  # ISO 19139 document to embed in gpkg_metadata

    @property
    def prefix(self) -> str:
        return f"{self.typeppr}_{self.codeprocedure}".lower()


@dataclass(frozen=True)
class FloodSettings:
    """Values the COVADIS layers do not carry. All optional; each one given is checked against the standard.

    :param typeppr: ``pprn`` or ``pprt`` (default: from the COVADIS layer names, ``..._PPRN_...``).
    :param codeprocedure: the GASPAR procedure code (default: the layers' ``ID_GASPAR``).
    :param typeprocedure: a code of ``typeprocedure`` such as ``PPRN-I`` (default: inferred from the hazards).
    :param libelleprocedure: the procedure's name (default: ``N_DOCUMENT_PPR.NOM``, else a generic label).
    :param etatprocedure: a code of ``typeetatprocedure`` such as ``APPROUVE``.
    :param dateetat: ``YYYY-MM-DD``, the date of that state.
    :param metadata_xml: ISO 19139 XML embedded in ``gpkg_metadata`` (the standard requires dataset metadata).
    """

    typeppr: str | None = None
    codeprocedure: str | None = None
    typeprocedure: str | None = None
    libelleprocedure: str | None = None
    etatprocedure: str | None = None
    dateetat: str | None = None
    metadata_xml: str | None = None

    @classmethod
    def from_mapping(cls, mapping: object) -> FloodSettings:
        """Settings from a plain dict, or from a mapping file's ``[constants]`` (shared or ``[constants.ppr]``;
        constants of other roles are ignored).

        :raises InputError: an unknown key in a dict, or a value outside the standard's code lists.
        """
        known = {f.name for f in fields(cls)}
        if mapping is None:
            return cls()
        if isinstance(mapping, FloodSettings):
            return mapping.checked()
        if isinstance(mapping, dict):
            unknown = sorted(set(mapping) - known)
            if unknown:
                raise InputError(
                    f"Unknown flood {agree(len(unknown), 'setting', 'settings', 'en')}: {', '.join(unknown)}.",
                    f"Known settings: {', '.join(sorted(known))}.",
                    message_fr=f"{agree(len(unknown), 'Paramètre inconnu', 'Paramètres inconnus')} du thème "
                    f"inondation : {', '.join(unknown)}.",
                    hint_fr=f"Paramètres connus : {', '.join(sorted(known))}.",
                )
            values = mapping
        else:
            values = getattr(mapping, "constants", None) or {}
            if any(isinstance(v, dict) for v in values.values()):  # odl_geo.profiles.mapping.Mapping: by role
                values = {**values.get("", {}), **values.get("ppr", {})}
        return cls(**{k: str(v) for k, v in values.items() if k in known and v not in (None, "")}).checked()

    def checked(self) -> FloodSettings:
        template = load_template()
        if self.typeppr is not None and self.typeppr not in TYPEPPR:
            raise InputError(
                f"typeppr {self.typeppr!r} is not a PPR type of the CNIG standard.",
                "Use pprn (natural hazards) or pprt (technological hazards).",
                message_fr=f"typeppr {self.typeppr!r} n'est pas un type de PPR du standard CNIG.",
                hint_fr="Utilisez pprn (risques naturels) ou pprt (risques technologiques).",
            )
        for name, code_list in (("typeprocedure", "typeprocedure"), ("etatprocedure", "typeetatprocedure")):
            value = getattr(self, name)
            if value is not None and value not in template.codes(code_list):
                raise InputError(
                    f"{name} {value!r} is not in the CNIG code list {code_list}.",
                    f"Use one of: {', '.join(sorted(template.codes(code_list)))}.",
                    message_fr=f"{name} {value!r} n'est pas dans la liste de codes CNIG {code_list}.",
                    hint_fr=f"Utilisez l'un de ces codes : {', '.join(sorted(template.codes(code_list)))}.",
                )
        if self.dateetat is not None:
            try:
                date.fromisoformat(self.dateetat)
            except ValueError:
                raise InputError(
                    f"dateetat {self.dateetat!r} is not a date.",
                    "Write it as YYYY-MM-DD, e.g. 2022-12-23.",
                    message_fr=f"dateetat {self.dateetat!r} n'est pas une date.",
                    hint_fr="Écrivez-la sous la forme AAAA-MM-JJ, p. ex. 2022-12-23.",
                ) from None
        if self.codeprocedure is not None and not re.fullmatch(r"[0-9A-Za-z]{6,22}", self.codeprocedure):
            raise InputError(
                f"codeprocedure {self.codeprocedure!r} does not look like a GASPAR procedure code.",
                "A GASPAR code looks like 38DDT20200002 (department, service, year, number).",
                message_fr=f"codeprocedure {self.codeprocedure!r} ne ressemble pas à un code de procédure GASPAR.",
                hint_fr="Un code GASPAR a la forme 38DDT20200002 (département, service, année, numéro).",
            )
        return self


def add_issue(
    report: Report,
    code: str,
    severity: Severity,
    message: str,
    hint: str = "",
    layer: str = "",
    count: int = 1,
    examples: list[int] | None = None,
    *,
    fr: str,
    hint_fr: str = "",
    numbers: dict[str, int] | None = None,
) -> None:
    """One issue of the flood profile, in English and French (``fr``, ``hint_fr``): every message of the profile
    reaches a French report.

    :param numbers: the counts of the message by name, when ``message`` and ``fr`` are templates of
        :func:`odl_geo.numbers.fill` (``{n}`` for a count, ``{n:zone|zones}`` for the words agreeing with it;
        other text through :func:`odl_geo.numbers.literal`): the issue is then :meth:`~Issue.counted`.
    """
    issue = Issue(
        code,
        severity,
        "" if numbers is not None else message,
        hint,
        layer=layer,
        count=count,
        examples=list(examples or []),
        message_fr="" if numbers is not None else fr,
        hint_fr=hint_fr if hint_fr or not hint else "",
    )
    if numbers is not None:
        issue.counted(message, fr, **numbers)
    report.add(issue)


def column(frame: pd.DataFrame, *names: str) -> pd.Series | None:
    """A column by any of its names, ignoring case and the ``_`` the normaliser adds to reserved words.

    Shapefiles truncate names to 10 characters (``NIVALEA_STD`` arrives as ``nivalea_st``): pass both.
    """
    wanted = [n.lower() for n in names]
    for col in frame.columns:
        if str(col).lower().rstrip("_") in wanted:
            return frame[col]
    return None


def text_values(series: pd.Series | None, length: int, pad: int = 0) -> pd.Series:
    """Codes as clean strings: ``2`` / ``2.0`` / ``" 02 "`` -> ``"02"`` with ``pad=2``; missing -> None."""
    if series is None:
        return pd.Series([None] * length, dtype=object)

    def one(value: Any) -> str | None:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        text = str(value).strip()
        if re.fullmatch(r"-?\d+\.0+", text):
            text = text.split(".")[0]
        if not text:
            return None
        return text.zfill(pad) if pad and text.isdigit() else text

    homogeneous = (
        series.dtype.kind in "iuf"
        or isinstance(series.dtype, pd.StringDtype)
        or (series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"))
    )
    if not homogeneous:  # mixed Python values (1, 1.0, True hash alike): one by one
        return pd.Series([one(v) for v in series], index=series.index, dtype=object)
    # one value of one type: each distinct value cleaned once (a layer repeats few codes)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    cleaned = np.array([*(one(v) for v in uniques), None], dtype=object)
    return pd.Series(cleaned[codes], index=series.index, dtype=object)


def as_geoframe(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Attribute tables as GeoDataFrames with an all-null geometry, as ``read_frame`` returns tables: every
    step after ``conform`` (checks, previews, products) can then ask any frame for its geometry."""
    if isinstance(frame, gpd.GeoDataFrame):
        return frame
    return gpd.GeoDataFrame(frame.copy(), geometry=gpd.GeoSeries([None] * len(frame), index=frame.index))
