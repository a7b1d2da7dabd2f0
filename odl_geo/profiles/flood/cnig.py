"""An existing CNIG PPR GeoPackage (possibly a draft of the standard) -> conformed frames odl-geo can rewrite.

Checking such a file is the validator's job (``flood.validate``): it reads the file itself. This module only
brings the tables to the template's columns so that ``write_products`` can produce a conformant copy, fixing
the drifts of the drafts that circulated before v1.0 (``occurence`` for ``occurrence``, ``obligationtravaux``
for ``existemesuresobligatoires``) and saying so in the report.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from ...numbers import agree, literal
from ...report import Severity
from .model import TYPEPPR, PprDataset, add_issue, as_geoframe, column
from .template import load_template

if TYPE_CHECKING:
    from ...report import Report
    from ..base import ThemeDataset
    from .model import FloodSettings
    from .template import TableDef

__all__ = ["DRAFT_ALIASES", "cnig_to_cnig", "split_table_name"]

# column names of drafts of the standard -> v1.0 names (same meaning)
DRAFT_ALIASES = {"occurence": "occurrence", "obligationtravaux": "existemesuresobligatoires"}
_IGNORED = {"fid", "ogc_fid", "geometry", "geom"}


def split_table_name(name: str) -> tuple[str, str, str] | None:
    """``pprn_38ddt20200002_zonealeareference_115_s`` -> (``pprn``, ``38ddt20200002``, ``zonealeareference_115_s``)."""
    template = load_template()
    for table in template.data_tables():
        m = re.fullmatch(rf"([a-z]+)_([0-9a-z]+)_({table.pattern.pattern})", name.lower())
        if m:
            return m.group(1), m.group(2), m.group(3)
    return None


def cnig_to_cnig(dataset: ThemeDataset, settings: FloodSettings, report: Report) -> PprDataset:
    template = load_template()
    frames: dict[str, pd.DataFrame] = {}
    prefixes: set[tuple[str, str]] = set()
    for kind, frame in dataset.frames.items():
        found = template.match(kind)
        if found is None or found[0].is_code_list:
            continue
        name = re.split(r"[/:\\]", dataset.source_names.get(kind, kind))[-1]
        parts = split_table_name(name)
        if parts:
            prefixes.add(parts[:2])
        frames[kind] = _conform_table(found[0], frame, name, report)
    typeppr, code = _identity(frames, prefixes, settings, report)
    return PprDataset(
        {kind: as_geoframe(frame) for kind, frame in frames.items()},
        dict(dataset.source_names),
        typeppr=typeppr,
        codeprocedure=code,
        input_kind="cnig",
        source_path=getattr(dataset, "source_path", None),
    )


def _identity(
    frames: dict[str, pd.DataFrame], prefixes: set[tuple[str, str]], settings: FloodSettings, report: Report
) -> tuple[str, str]:
    typeppr = settings.typeppr or (min(prefixes)[0] if prefixes else "pprn")
    code = settings.codeprocedure
    if code is None and "procedure" in frames and len(frames["procedure"]):
        code = str(frames["procedure"]["codeprocedure"].iloc[0])
    if code is None:
        code = min(prefixes)[1].upper() if prefixes else ""
    if typeppr not in TYPEPPR:
        add_issue(
            report,
            "PPR_TYPEPPR_UNSUPPORTED",
            Severity.ERROR,
            f"The tables are prefixed {typeppr!r}: the CNIG PPR standard only has pprn (natural) and pprt "
            "(technological) plans; mining plans (PPRM) were taken out of its scope in version 0.2.",
            "odl-geo cannot write a conformant GeoPackage for this procedure.",
            fr=f"Les tables sont préfixées {typeppr!r} : le standard CNIG PPR ne connaît que les plans pprn "
            "(naturels) et pprt (technologiques) ; les plans miniers (PPRM) ont été retirés de son champ en "
            "version 0.2.",
            hint_fr="odl-geo ne peut pas écrire de GeoPackage conforme pour cette procédure.",
        )
    return typeppr, code


def _conform_table(table: TableDef, frame: pd.DataFrame, layer: str, report: Report) -> pd.DataFrame:
    out: dict[str, Any] = {}
    used: set[str] = set()
    for col in table.columns:
        if col.name == table.geometry_column:
            continue
        series = column(frame, col.name)
        if series is None:
            alias = next(
                (a for a, target in DRAFT_ALIASES.items() if target == col.name and column(frame, a) is not None), None
            )
            if alias is not None:
                series = column(frame, alias)
                add_issue(
                    report,
                    "PPR_COLUMN_RENAMED",
                    Severity.INFO,
                    f"{layer}: column {alias} (a draft or misspelt name) is written as {col.name}.",
                    layer=layer,
                    fr=f"{layer} : la colonne {alias} (nom d'un brouillon ou mal orthographié) est écrite {col.name}.",
                )
        if series is not None:
            used.add(str(series.name).lower())
            out[col.name] = _coerce(series, col.base_type, layer, col.name, report)
        else:
            out[col.name] = [None] * len(frame)
    dropped = [
        c
        for c in frame.columns
        if str(c).lower() not in used | _IGNORED and c != getattr(frame, "_geometry_column_name", None)
    ]
    if dropped:
        names, n = ", ".join(map(str, dropped)), len(dropped)
        add_issue(
            report,
            "PPR_COLUMN_DROPPED",
            Severity.INFO,
            f"{layer}: {agree(n, 'column', 'columns', 'en')} {names} {agree(n, 'is', 'are', 'en')} not in the CNIG "
            f"table and {agree(n, 'is', 'are', 'en')} not written.",
            layer=layer,
            fr=f"{layer} : {agree(n, 'colonne', 'colonnes')} {names} {agree(n, 'absente', 'absentes')} de la table "
            f"CNIG, {agree(n, 'non écrite', 'non écrites')}.",
        )
    if table.geometry_column is None:
        return pd.DataFrame(out, index=range(len(frame)))
    return gpd.GeoDataFrame(out, geometry=list(frame.geometry.values), crs=frame.crs)


def _coerce(series: pd.Series, base_type: str, layer: str, name: str, report: Report) -> list[Any]:
    values: list[Any] = []
    lost = 0
    for value in series:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            values.append(None)
        elif base_type == "INTEGER":
            text = str(value).strip()
            if re.fullmatch(r"-?\d+(\.0+)?", text):
                values.append(int(float(text)))
            else:
                values.append(None)
                lost += 1
        elif base_type == "BOOLEAN":
            values.append(str(value).strip().lower() in ("1", "true", "oui", "yes", "t"))
        elif base_type == "DATE":
            values.append(value.isoformat()[:10] if isinstance(value, (date, datetime)) else str(value)[:10])
        else:
            values.append(str(value))
    if lost:
        add_issue(
            report,
            "PPR_VALUE_DROPPED",
            Severity.WARNING,
            f"{literal(layer)}: {{n}} {{n:value|values}} of {literal(name)} {{n:is not a whole number and is|are not "
            "whole numbers and are} left empty.",
            layer=layer,
            count=lost,
            fr=f"{literal(layer)} : {{n}} {{n:valeur|valeurs}} de {literal(name)} {{n:n'est pas un nombre entier et "
            "est laissée vide|ne sont pas des nombres entiers et sont laissées vides}.",
            numbers={"n": lost},
        )
    return values
