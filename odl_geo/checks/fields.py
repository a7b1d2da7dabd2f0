"""Schema fields: required fields present and filled, enumerations respected.

Streaming (``convert --theme`` checks a layer chunk by chunk): "empty in every feature" is a verdict on the whole
layer. A chunk (:func:`._carry.chunked`) reports its empty values row by row (REQUIRED_VALUE_EMPTY, even when the
whole chunk is empty: a later chunk may fill the field), ``commit`` counts the rows and notes the fields filled
somewhere, and ``finish`` reports the fields absent or empty in every feature of the layer (REQUIRED_FIELD_MISSING)
as one whole layer checked at once would. State: one counter and a set of field names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..numbers import agree, literal
from ..report import Issue, Severity
from ._carry import CHUNKED, chunked
from ._common import blank_mask, column_memo, factorized, issue
from .registry import Check, CheckContext, Level, register

if TYPE_CHECKING:
    from ..profiles.base import TargetField

__all__ = ["ENUM_VALUE_INVALID", "REQUIRED_FIELD_MISSING", "REQUIRED_VALUE_EMPTY"]


def _required(ctx: CheckContext) -> list[tuple[str, np.ndarray | None]]:
    """(field, blank mask) for each required field; mask None when the column is absent."""
    if ctx.role is None:
        return []
    return [
        (f.name, blank_mask(ctx, f.name) if f.name in ctx.frame.columns else None)
        for f in ctx.role.fields
        if f.required
    ]


#: carry keys: rows committed, required fields filled in at least one of them
ROWS = "fields.rows"
FILLED = "fields.filled"


def _field_missing(ctx: CheckContext) -> list[Issue]:
    if chunked(ctx):
        return []  # absent or empty everywhere: a verdict on the whole layer, given by finish
    n = len(ctx.frame)
    return _missing_issue(ctx, [name for name, blank in _required(ctx) if blank is None or (n and blank.all())])


def _commit_required(ctx: CheckContext) -> None:
    """Count a final chunk's rows and note the required fields it fills (found filled once: not looked at again)."""
    ctx.carry[ROWS] = int(ctx.carry.get(ROWS, 0)) + len(ctx.frame)  # type: ignore[call-overload]
    filled: set[str] = ctx.carry.setdefault(FILLED, set())  # type: ignore[assignment]
    if ctx.role is None:
        return
    for f in ctx.role.fields:
        if f.required and f.name not in filled and f.name in ctx.frame.columns and _any_filled(ctx.frame[f.name]):
            filled.add(f.name)


def _any_filled(values: pd.Series) -> bool:
    """Whether a value is filled, looking at the values present one by one until one is (usually the first)."""
    return any(not isinstance(v, str) or bool(v.strip()) for v in values.dropna())


def _finish_required(ctx: CheckContext) -> list[Issue]:
    """After the last chunk: the required fields absent from the layer, or empty in every feature of it. Nothing
    for a layer checked at once (a carry not made by ``layer_carry``): its ``run`` said it already.

    The layer had features if a chunk committed some or if ``ctx.offset`` (the end of the layer) says so: a
    pipeline that commits its chunks after leaving out their errors may have committed none, all being empty."""
    rows = max(int(ctx.carry.get(ROWS, 0)), ctx.offset)  # type: ignore[call-overload]
    filled: set[str] = ctx.carry.get(FILLED, set())  # type: ignore[assignment]
    if ctx.role is None or not ctx.carry.get(CHUNKED):
        return []
    missing = [
        f.name
        for f in ctx.role.fields
        if f.required and (f.name not in ctx.frame.columns or (rows and f.name not in filled))
    ]
    return _missing_issue(ctx, missing)


def _missing_issue(ctx: CheckContext, missing: list[str]) -> list[Issue]:
    if not missing:
        return []
    return [
        issue(
            REQUIRED_FIELD_MISSING,
            ctx,
            f"Required {agree(len(missing), 'field', 'fields', 'en')} missing, or empty in every feature: "
            f"{', '.join(missing)}.",
            f"{agree(len(missing), 'Champ obligatoire absent ou vide', 'Champs obligatoires absents ou vides')} "
            f"partout : {', '.join(missing)}.",
            hint=f'Name the source field in a mapping file ([fields] {missing[0]} = "SOURCE") or give a value '
            "for all features ([constants]); odl-geo never invents a value.",
        )
    ]


def _value_empty(ctx: CheckContext) -> list[Issue]:
    out = []
    whole = not chunked(ctx)  # a whole layer empty everywhere is REQUIRED_FIELD_MISSING; a chunk may be filled later
    for name, blank in _required(ctx):
        if blank is None or (whole and blank.all()) or not blank.any():
            continue
        bad = np.flatnonzero(blank)
        out.append(
            issue(REQUIRED_VALUE_EMPTY, ctx, "", "", bad).counted(
                f"{literal(name)}: required, but empty in {{n}} {{n:feature|features}}.",
                f"{literal(name)} : obligatoire, mais vide pour {{n}} {{n:objet|objets}}.",
                n=int(bad.size),
            )
        )
    return out


def _enum(ctx: CheckContext) -> list[Issue]:
    if ctx.role is None:
        return []
    out = []
    for f in ctx.role.fields:
        if f.enum is None or f.name not in ctx.frame.columns:
            continue
        values = ctx.frame[f.name]

        def outside(v: pd.Series, f: TargetField = f) -> np.ndarray:
            return ~blank_mask(ctx, f.name) & ~_inside(f, v)

        def first(f: TargetField = f) -> np.ndarray:
            # the column's distinct values tested once each (a code column of 20,000 rows holds a few codes),
            # from the factorisation the blank test and the duplicates' hashes share: the same answer, a
            # value's answer depending on that value alone
            found = factorized(ctx, f.name)
            if found is None:
                return outside(ctx.frame[f.name])
            codes, uniques = found
            inside = _inside(f, pd.Series(np.asarray(uniques, dtype=object), dtype=object))
            return ~blank_mask(ctx, f.name) & ~np.append(inside, True)[codes]  # code -1 (missing): blank

        bad = np.flatnonzero(column_memo(ctx, "enum", f.name, outside, first=first))
        if not bad.size:
            continue
        wrong = pd.unique(values.iloc[bad].astype(str))
        quoted = [repr(v) for v in wrong[:5]]
        sample = ", ".join(quoted)
        codes = ", ".join(map(str, f.enum))
        out.append(
            issue(
                ENUM_VALUE_INVALID,
                ctx,
                "",
                "",
                bad,
                hint=f'Map them in a mapping file: [values.{f.name}] "{wrong[0]}" = "<one of: {codes}>".',
            )
            .counted(
                f"{literal(f.name)}: {{n}} {{n:value|values}} outside the allowed list ({literal(sample)}); "
                f"allowed: {literal(codes)}.",
                f"{literal(f.name)} : {{n}} {{n:valeur|valeurs}} hors de la liste autorisée ({literal(sample)}) ; "
                f"valeurs admises : {literal(codes)}.",
                n=int(bad.size),
            )
            .quoting(quoted, 5)
        )
    return out


def _inside(f: TargetField, values: pd.Series) -> np.ndarray:
    """Values of the field's enumeration (as text, as themselves, and as numbers for a numeric field)."""
    allowed = {str(c) for c in f.enum or ()} | {c for c in f.enum or () if not isinstance(c, str)}
    inside = values.astype(object).isin(list(allowed)).to_numpy().copy()
    if f.kind in ("number", "integer"):
        as_num = pd.to_numeric(values, errors="coerce")
        inside |= as_num.isin([float(c) for c in f.enum or ()]).to_numpy()
    return inside


REQUIRED_FIELD_MISSING = register(
    Check(
        "REQUIRED_FIELD_MISSING",
        Severity.ERROR,
        Level.LAYER,
        {"fr": "Champ obligatoire manquant", "en": "Required field missing"},
        {
            "fr": "Le schéma exige ce champ. Indiquez le champ source dans un fichier de correspondance ([fields]) "
            "ou une "
            "valeur commune ([constants]) ; odl-geo n'invente jamais de valeur.",
            "en": "The schema requires this field. Name the source field in a mapping file ([fields]) or give a "
            "value for "
            "all features ([constants]); odl-geo never invents a value.",
        },
        _field_missing,
        commit=_commit_required,
        finish=_finish_required,
    )
)
REQUIRED_VALUE_EMPTY = register(
    Check(
        "REQUIRED_VALUE_EMPTY",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Valeur obligatoire vide", "en": "Required value empty"},
        {
            "fr": "Le champ existe mais n'est pas rempli pour ces objets : complétez la source.",
            "en": "The field exists but these features leave it empty: complete the source.",
        },
        _value_empty,
    )
)
ENUM_VALUE_INVALID = register(
    Check(
        "ENUM_VALUE_INVALID",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Valeur hors liste", "en": "Value not in the allowed list"},
        {
            "fr": "Le schéma n'admet qu'une liste de codes. Ramenez les valeurs aux codes avec [values.CHAMP] dans un "
            "fichier de correspondance.",
            "en": "The schema allows only a list of codes. Map the values to codes with [values.FIELD] in a mapping "
            "file.",
        },
        _enum,
    )
)
