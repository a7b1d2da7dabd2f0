"""INSEE commune codes: well formed, existing, current, and in the declared area.

The list of communes is INSEE's Code officiel géographique, shipped offline (``checks/data``). A field may hold one
code or a comma-separated list (``communes_code`` of the hiking schema: ``30080,48051``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..numbers import literal
from ..report import Issue, Severity
from ..values import is_blank
from . import fixes
from ._common import column_memo, fields_named, issue, value_memo
from .communes import COG_VINTAGE, communes
from .registry import Check, CheckContext, Level, register

__all__ = ["INSEE_INVALID", "INSEE_OUTDATED", "INSEE_OUTSIDE_AREA", "INSEE_UNKNOWN", "insee_columns"]

_FORMAT = re.compile(r"^(\d{5}|2[AB]\d{3})$")
_INSEE_NAMES = r"insee|^code_?com(mune)?s?$|^depcom$|^communes_code$"


def insee_columns(ctx: CheckContext) -> list[str]:
    """Fields holding INSEE codes: by name (``insee``, ``code_insee``, ``communes_code``, ``depcom``...)."""
    return fields_named(ctx, _INSEE_NAMES)


_STATUSES = ("format", "unknown", "outdated", "outside", "ok")


def _classify(ctx: CheckContext) -> dict[str, np.ndarray]:
    """column -> per-row status index into _STATUSES (-1 for blanks), each column once per context (and, when no
    fix changed it, for the check after the fixes: :func:`._common.column_memo`)."""
    return {col: column_memo(ctx, "insee", col, lambda values: _statuses(ctx, values)) for col in insee_columns(ctx)}


def _status_of(raw: str, ctx: CheckContext) -> str:
    known = value_memo(ctx, "insee")  # the context's area is the same for its fixed frames'
    found = known.get(raw)
    if found is None:
        found = known[raw] = _status(raw, ctx)
    return found  # type: ignore[return-value]


def _status(raw: str, ctx: CheckContext) -> str:
    table = communes()
    worst = "ok"
    for code in (p.strip() for p in raw.split(",")):
        row = table.get(code)
        if not _FORMAT.match(code):
            s = "format"
        elif row is None:
            s = "unknown"
        elif row.kind in "DS":
            s = "outdated"
        elif ctx.area_insee is not None and code not in ctx.area_insee:
            s = "outside"
        else:
            s = "ok"
        worst = min(worst, s, key=_STATUSES.index)
    return worst


def _statuses(ctx: CheckContext, values: pd.Series) -> np.ndarray:
    blank = is_blank(values)
    codes, uniques = pd.factorize(values)  # each distinct value is classified once
    labels = [str(u) for u in uniques]
    per_value = np.array([_STATUSES.index(_status_of(raw, ctx)) for raw in labels] + [-1], dtype=np.int64)
    rows = per_value[np.where(codes >= 0, codes, len(labels))]
    rows[blank] = -1
    return rows


def _rows(ctx: CheckContext, col: str, wanted: tuple[str, ...]) -> tuple[np.ndarray, list[str]]:
    """The rows of ``col`` with one of the ``wanted`` statuses, and their distinct values as text, in the order
    they first occur in the column: a value's status is the same in all its rows, so its first row is one of
    these, and factorising them gives the values the whole column's factorisation gives."""
    rows = _classify(ctx)[col]
    bad = np.flatnonzero(np.isin(rows, [_STATUSES.index(w) for w in wanted]))
    if not bad.size:
        return bad, []
    return bad, list(dict.fromkeys(str(u) for u in pd.factorize(ctx.frame[col].iloc[bad])[1]))


def _invalid(ctx: CheckContext) -> list[Issue]:
    out = []
    for col in _classify(ctx):
        bad, values = _rows(ctx, col, ("format",))
        if not bad.size:
            continue
        quoted = [repr(v) for v in values[:5]]
        sample = ", ".join(quoted)
        lost_zero = any(re.fullmatch(r"\d{4}(\.0)?", v) for v in values)
        hint = ("Some codes lost their leading zero (read as numbers): --fix restores it. " if lost_zero else "") + (
            "An INSEE commune code has 5 characters (2A/2B for Corsica)."
        )
        out.append(
            issue(INSEE_INVALID, ctx, "", "", bad, hint=hint)
            .counted(
                f"{literal(col)}: {{n}} {{n:value is not an INSEE commune code|values are not INSEE commune codes}}, "
                f"e.g. {literal(sample)}.",
                f"{literal(col)} : {{n}} {{n:valeur n'est pas un code commune INSEE|valeurs ne sont pas des codes "
                f"commune INSEE}}, p. ex. {literal(sample)}.",
                n=int(bad.size),
            )
            .quoting(quoted, 5)
        )
    return out


def _unknown(ctx: CheckContext) -> list[Issue]:
    out = []
    for col in _classify(ctx):
        bad, values = _rows(ctx, col, ("unknown",))
        if not bad.size:
            continue
        quoted = [repr(v) for v in values[:5]]
        sample = ", ".join(quoted)
        out.append(
            issue(INSEE_UNKNOWN, ctx, "", "", bad)
            .counted(
                f"{literal(col)}: {{n}} {{n:value holds a code|values hold codes}} absent from INSEE's Code officiel "
                f"géographique {COG_VINTAGE}, e.g. {literal(sample)}.",
                f"{literal(col)} : {{n}} {{n:valeur porte un code absent|valeurs portent des codes absents}} du Code "
                f"officiel géographique {COG_VINTAGE}, p. ex. {literal(sample)}.",
                n=int(bad.size),
            )
            .quoting(quoted, 5)
        )
    return out


def _outdated(ctx: CheckContext) -> list[Issue]:
    table = communes()
    out = []
    for col in _classify(ctx):
        bad, values = _rows(ctx, col, ("outdated",))
        if not bad.size:
            continue
        codes = [
            c.strip() for v in values for c in v.split(",") if c.strip() in table and table[c.strip()].kind in "DS"
        ]
        quoted = [f"{c} ({table[c].nom} -> {table[c].parent})" for c in codes[:3]]
        sample = ", ".join(quoted)
        out.append(
            issue(INSEE_OUTDATED, ctx, "", "", bad)
            .counted(
                f"{literal(col)}: {{n}} {{n:value uses|values use}} the code of a former commune (merged since), "
                f"e.g. {literal(sample)}.",
                f"{literal(col)} : {{n}} {{n:valeur porte|valeurs portent}} le code d'une ancienne commune (fusionnée "
                f"depuis), p. ex. {literal(sample)}.",
                n=int(bad.size),
            )
            .quoting(quoted, 3)
        )
    return out


def _outside(ctx: CheckContext) -> list[Issue]:
    if ctx.area_insee is None:
        return []
    out = []
    for col in _classify(ctx):
        bad, values = _rows(ctx, col, ("outside",))
        if not bad.size:
            continue
        quoted = [repr(v) for v in values[:5]]
        sample = ", ".join(quoted)
        area = ctx.area_name or "the declared area"
        out.append(
            issue(INSEE_OUTSIDE_AREA, ctx, "", "", bad)
            .counted(
                f"{literal(col)}: {{n}} {{n:value names a commune|values name communes}} outside {literal(area)}, "
                f"e.g. {literal(sample)}.",
                f"{literal(col)} : {{n}} {{n:valeur désigne une commune|valeurs désignent des communes}} hors de "
                f"{literal(ctx.area_name or 'la zone déclarée')}, p. ex. {literal(sample)}.",
                n=int(bad.size),
            )
            .quoting(quoted, 5)
        )
    return out


INSEE_INVALID = register(
    Check(
        "INSEE_INVALID",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Code INSEE mal formé", "en": "Malformed INSEE code"},
        {
            "fr": "Un code commune INSEE a 5 caractères (2A/2B pour la Corse). Un code lu comme un nombre perd son 0 "
            "initial : --fix le rétablit.",
            "en": "An INSEE commune code has 5 characters (2A/2B for Corsica). A code read as a number loses its "
            "leading "
            "0: --fix restores it.",
        },
        _invalid,
        fix=fixes.fix_insee,
    )
)
INSEE_UNKNOWN = register(
    Check(
        "INSEE_UNKNOWN",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Code INSEE inconnu", "en": "Unknown INSEE code"},
        {
            "fr": "Code bien formé mais absent du COG : faute de frappe, ou commune fusionnée avant le millésime "
            "(son code "
            "a disparu) ; remplacez-le par celui de la commune actuelle.",
            "en": "A well-formed code missing from the COG: a typo, or a commune merged before the vintage (its code "
            "is "
            "gone); replace it with the current commune's.",
        },
        _unknown,
    )
)
INSEE_OUTDATED = register(
    Check(
        "INSEE_OUTDATED",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Code INSEE d'une ancienne commune", "en": "INSEE code of a former commune"},
        {
            "fr": "La commune a fusionné (commune déléguée ou associée). --fix met le code de la commune actuelle.",
            "en": "The commune has merged (commune déléguée or associée). --fix puts the code of the current commune.",
        },
        _outdated,
        fix=fixes.fix_insee,
    )
)
INSEE_OUTSIDE_AREA = register(
    Check(
        "INSEE_OUTSIDE_AREA",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Commune hors du territoire déclaré", "en": "Commune outside the declared area"},
        {
            "fr": "Le code existe mais la commune n'est pas dans le territoire donné par --area : erreur de saisie ou "
            "objet hors périmètre.",
            "en": "The code exists but the commune is not in the territory given with --area: a typo or a feature "
            "out of "
            "scope.",
        },
        _outside,
    )
)
