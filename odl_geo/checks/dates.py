"""Dates in ISO 8601 (``YYYY-MM-DD``), as every national schema and data.gouv.fr expect.

Real layers hold ``12/03/1999``, ``2010_11_05``, ``mars 1999``, ``1930/??/??`` or blanks. Complete dates are
rewritten by ``--fix``; partial ones (year or month only) cannot be, since the day is not known: they are listed.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from ..report import Issue, Severity
from ..values import is_blank, parse_date
from . import fixes
from ._common import fields_named, issue
from .registry import Check, CheckContext, Level, register

__all__ = ["DATE_NOT_ISO", "date_columns"]

_KIND_FR = {"full": "complètes", "partial": "partielles", "unknown": "inconnues", "unreadable": "illisibles"}
_KIND_EN = {"full": "complete", "partial": "partial", "unknown": "unknown", "unreadable": "unreadable"}


def date_columns(ctx: CheckContext) -> list[str]:
    """The role's date fields, or the text columns whose name says ``date`` when no profile is known."""
    cols = fields_named(ctx, r"(^|_)date|date($|_)", kinds=("date", "datetime"))
    return [c for c in cols if ctx.frame[c].dtype == object or pd.api.types.is_string_dtype(ctx.frame[c].dtype)]


def _valid_iso(values: pd.Series) -> np.ndarray:
    """Values that are valid ``YYYY-MM-DD`` dates, found with vectorised operations (Arrow text only)."""
    if not (pd.api.types.is_string_dtype(values.dtype) and values.dtype != object):
        return np.zeros(len(values), dtype=bool)
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values, from_pandas=True)
    # strptime alone accepts "2019-2-3": the length pins the zero-padded form
    parsed = pc.strptime(arr, format="%Y-%m-%d", unit="s", error_is_null=True)
    # Arrow rolls 2019-02-30 over to 2019-03-02: the parsed day must be the written one
    sized = pc.and_(pc.fill_null(pc.equal(pc.utf8_length(arr), 10), False), pc.is_valid(parsed))
    written_day = pc.cast(pc.if_else(sized, pc.utf8_slice_codeunits(arr, 8, 10), "0"), pa.int64(), safe=False)
    same = pc.fill_null(pc.equal(pc.day(parsed), written_day), False)
    ok = pc.and_(sized, same)
    return np.asarray(ok.to_numpy(zero_copy_only=False), dtype=bool).copy()


def _not_iso(ctx: CheckContext) -> list[Issue]:
    out = []
    for col in date_columns(ctx):
        values = ctx.frame[col]
        rest = ~_valid_iso(values)  # the (usually few) values that need a closer look, blanks left out below
        idx = np.flatnonzero(rest)
        rest[idx[is_blank(values.iloc[idx])]] = False
        present = values[rest].astype(str)
        kinds: dict[str, str] = {}
        for v in pd.unique(present):
            kinds[v] = parse_date(v)[1]
        kind_of = present.map(kinds)
        not_iso = (kind_of != "iso").to_numpy()
        if not not_iso.any():
            continue
        bad = np.flatnonzero(rest)[not_iso]
        counts = Counter(kind_of[not_iso])
        samples = ", ".join(repr(v) for v in pd.unique(present[not_iso])[:4])
        parts_en = ", ".join(f"{_KIND_EN[k]}: {n}" for k, n in counts.most_common())
        parts_fr = ", ".join(f"{_KIND_FR[k]} : {n}" for k, n in counts.most_common())
        fixable = counts.get("full", 0)
        out.append(
            issue(
                DATE_NOT_ISO,
                ctx,
                f"{col}: {bad.size} date(s) not in ISO 8601 ({parts_en}), e.g. {samples}.",
                f"{col} : {bad.size} date(s) hors format ISO 8601 ({parts_fr}), p. ex. {samples}.",
                bad,
                hint=(f"--fix rewrites the {fixable} complete date(s) as YYYY-MM-DD; " if fixable else "")
                + "partial or unreadable dates must be completed or emptied in the source.",
            )
        )
    return out


DATE_NOT_ISO = register(
    Check(
        "DATE_NOT_ISO",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Date hors format ISO 8601", "en": "Date not in ISO 8601"},
        {
            "fr": "Les schémas nationaux veulent AAAA-MM-JJ. --fix réécrit les dates complètes (12/03/1999 -> "
            "1999-03-12) ; "
            "les dates partielles (1930/??/??, mars 1999) restent à compléter.",
            "en": "National schemas want YYYY-MM-DD. --fix rewrites complete dates (12/03/1999 -> 1999-03-12); partial "
            "dates (1930/??/??, mars 1999) must be completed by hand.",
        },
        _not_iso,
        fix=fixes.fix_dates,
    )
)
