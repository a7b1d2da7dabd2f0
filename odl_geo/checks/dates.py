"""Dates in ISO 8601 (``YYYY-MM-DD``), as every national schema and data.gouv.fr expect.

Real layers hold ``12/03/1999``, ``2010_11_05``, ``mars 1999``, ``1930/??/??`` or blanks. Complete dates are
rewritten by ``--fix``; partial ones (year or month only) cannot be, since the day is not known: they are listed.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..numbers import fill, literal, quantity
from ..report import Issue, Severity
from ..values import is_blank, parse_date
from . import fixes
from ._common import blank_mask, column_memo, factorized, fields_named, issue, value_memo
from .registry import Check, CheckContext, Level, register

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["DATE_NOT_ISO", "date_columns", "iso_dates", "read_date"]

_KIND_FR = {"full": "complètes", "partial": "partielles", "unknown": "inconnues", "unreadable": "illisibles"}
_KIND_EN = {"full": "complete", "partial": "partial", "unknown": "unknown", "unreadable": "unreadable"}
#: the list of kinds a message's template holds, ``complete: {full}, partial: {partial}`` (French: ``complètes :
#: {full}``), found again in a merged finding's template to be written from the layer's counts
_KINDS_WRITTEN = {
    lang: re.compile(
        r"\((?:{one})(?:, (?:{one}))*\)".format(
            one=r"(?:{}){}\{{(?:{})\}}".format(
                "|".join(map(re.escape, names.values())), " : " if lang == "fr" else ": ", "|".join(names)
            )
        )
    )
    for lang, names in (("en", _KIND_EN), ("fr", _KIND_FR))
}


def date_columns(ctx: CheckContext) -> list[str]:
    """The role's date fields, or the text columns whose name says ``date`` when no profile is known."""
    cols = fields_named(ctx, r"(^|_)date|date($|_)", kinds=("date", "datetime"))
    return [c for c in cols if ctx.frame[c].dtype == object or pd.api.types.is_string_dtype(ctx.frame[c].dtype)]


def _valid_iso(values: pd.Series) -> np.ndarray:
    """Values that :func:`~odl_geo.values.parse_date` reads as ISO dates already (``YYYY-MM-DD`` in ASCII digits,
    a real day, a year from 1000 to 2999), found with vectorised operations; every other value (blanks,
    French dates, text with spaces around...) is left to ``parse_date`` (False here). Text columns only, Arrow or
    objects all of them text; other columns give no shortcut (all False)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    none = np.zeros(len(values), dtype=bool)
    if not len(values):
        return none
    if values.dtype == object:
        raw = values.to_numpy()
        if pd.api.types.infer_dtype(raw, skipna=True) != "string":  # numbers, bytes, dates: read one by one
            return none
        try:
            arr = pa.array(raw, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return none
    elif pd.api.types.is_string_dtype(values.dtype):
        try:
            arr = pa.array(values, type=pa.string(), from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            return none
    else:
        return none
    shaped = np.asarray(pc.fill_null(pc.match_substring_regex(arr, r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), False), bool)
    if not shaped.any():
        return none
    idx = np.flatnonzero(shaped)
    text = arr.take(pa.array(idx))

    def part(start: int, stop: int) -> np.ndarray:
        return np.asarray(pc.cast(pc.utf8_slice_codeunits(text, start, stop), pa.int64()), dtype=np.int64)

    y, m, d = part(0, 4), part(5, 7), part(8, 10)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(m, 0, 12)] + (leap & (m == 2))
    ok = (y >= 1000) & (y <= 2999) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= days)
    out = none
    out[idx[ok]] = True
    return out


def iso_dates(ctx: CheckContext, col: str) -> np.ndarray:
    """:func:`_valid_iso` of a column of ``ctx.frame``, once for the check, its fix and (when no fix changed the
    column) the check after the fixes (:func:`._common.column_memo`)."""
    # local: True says "iso" on any rows; first: the column's distinct texts tested once each (a date column of
    # 20,000 rows holds ~11,000 dates; its factorisation is shared with the blank test and the duplicates' hashes)
    return column_memo(ctx, "iso_dates", col, _valid_iso, local=True, first=lambda: _factorized_iso(ctx, col))


def _factorized_iso(ctx: CheckContext, col: str) -> np.ndarray:
    """:func:`_valid_iso` of a whole column from its :func:`._common.factorized` distinct values (the same answer:
    a value's answer depends on that value alone, and the distinct values of a column of texts and blanks are
    texts, as :func:`_valid_iso` asks)."""
    found = factorized(ctx, col)
    if found is None:
        return _valid_iso(ctx.frame[col])
    codes, uniques = found
    per_value = _valid_iso(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    out: np.ndarray = np.append(per_value, False)[codes]  # code -1 (missing): not a date
    return out


def read_date(ctx: CheckContext, text: str) -> tuple[str | None, str]:
    """:func:`~odl_geo.values.parse_date` of a text, read once per context and the contexts of its fixed frames
    (a chunk repeats the same few non-ISO dates; the check and the fix read the same ones)."""
    known = value_memo(ctx, "parse_date")
    found = known.get(text)
    if found is None:
        found = known[text] = parse_date(text)
    return found  # type: ignore[return-value]


def _not_iso(ctx: CheckContext) -> list[Issue]:
    out = []
    for col in date_columns(ctx):
        values = ctx.frame[col]
        rest = ~iso_dates(ctx, col)  # the (usually few) values that need a closer look, blanks left out below
        idx = np.flatnonzero(rest)
        if idx.size * 4 > len(values):  # mostly not ISO (an empty column): the column's blank mask, kept for later
            rest &= ~blank_mask(ctx, col)
        else:
            rest[idx[is_blank(values.iloc[idx])]] = False
        rows = np.flatnonzero(rest)
        if not rows.size:
            continue
        # the few values left, in plain Python: pandas' per-call cost (a Series, map, unique) is most of the time
        # on a few hundred values, and five date columns per chunk (astype(str)'s texts: str() of each)
        present = [v if type(v) is str else str(v) for v in values.to_numpy(dtype=object)[rows]]
        kinds = {v: read_date(ctx, v)[1] for v in dict.fromkeys(present)}
        kind_of = [kinds[v] for v in present]
        not_iso = np.fromiter((k != "iso" for k in kind_of), dtype=bool, count=len(kind_of))
        if not not_iso.any():
            continue
        bad = rows[not_iso]
        wrong = [v for v, bad_one in zip(present, not_iso.tolist(), strict=True) if bad_one]
        # the kinds in the order the rows show them first (a Counter keeps it): the order of equal counts, in a
        # chunk as in the merge of a streamed layer's chunks (their counts summed, later kinds appended)
        counts = Counter(k for k in kind_of if k != "iso")
        samples = literal(_samples(list(dict.fromkeys(wrong))[:4]))
        name = literal(col)
        out.append(
            issue(DATE_NOT_ISO, ctx, "", "", bad, hint=_hint(counts.get("full", 0))).counted(
                f"{name}: {{dates}} {{dates:date|dates}} not in ISO 8601 ({_kinds(counts, 'en')}){_E_G['en']}"
                f"{samples}.",
                f"{name} : {{dates}} {{dates:date|dates}} hors format ISO 8601 ({_kinds(counts, 'fr')})"
                f"{_E_G['fr']}{samples}.",
                dates=int(bad.size),
                **counts,
            )
        )
    return out


def _kinds(numbers: Mapping[str, int], lang: str) -> str:
    """The template of the kinds of format found, most frequent first (equal counts: in the order of
    ``numbers``), each with its count's name: ``complete: {full}, partial: {partial}``."""
    found = sorted(((k, n) for k, n in numbers.items() if k in _KIND_EN and n), key=lambda kn: kn[1], reverse=True)
    if lang == "fr":
        return ", ".join(f"{_KIND_FR[k]} : {{{k}}}" for k, _ in found)
    return ", ".join(f"{_KIND_EN[k]}: {{{k}}}" for k, _ in found)


def _hint(fixable: int) -> str:
    dates = quantity(fixable, "complete date", "complete dates", "en")
    rewrite = f"--fix rewrites the {dates} as YYYY-MM-DD; " if fixable else ""
    return rewrite + "partial or unreadable dates must be completed or emptied in the source."


def _joined(found: Issue, later: Issue) -> None:
    """A later chunk's finding on the same column joined into the one merged so far (a streamed layer), their
    counts already added up: ``found``'s kinds of format are written again from the counts (most frequent first;
    a kind only later chunks found is added), up to four distinct values quoted (the first chunks' first, as the
    whole layer quotes its first ones), and the hint counts the complete dates of the chunks so far."""
    for lang, attr in (("en", "template"), ("fr", "template_fr")):
        template, more = getattr(found, attr), getattr(later, "template" if lang == "en" else "template_fr")
        kinds = _KINDS_WRITTEN[lang].search(template)
        if not template or kinds is None:
            continue
        quoted = _quoted(template[kinds.end() :], lang)
        added = _quoted(more[m.end() :], lang) if more and (m := _KINDS_WRITTEN[lang].search(more)) else None
        if quoted is not None and added is not None and len(quoted) < 4:
            quoted = list(dict.fromkeys(quoted + added))[:4]
        tail = template[kinds.end() :] if quoted is None else f"{_E_G[lang]}{literal(_samples(quoted))}."
        setattr(found, attr, f"{template[: kinds.start()]}({_kinds(found.numbers, lang)}){tail}")
    found.hint = _hint(found.numbers.get("full", 0))


#: what comes between the kinds of format and the values quoted
_E_G = {"en": ", e.g. ", "fr": ", p. ex. "}


def _samples(values: list[str]) -> str:
    return ", ".join(repr(v) for v in values)


def _quoted(tail: str, lang: str) -> list[str] | None:
    """The values a template quotes after its kinds of format (``, e.g. '1930/??/??', 'mars 1999'.``), or None
    when it is not what :func:`_not_iso` wrote."""
    import ast

    if not (tail.startswith(_E_G[lang]) and tail.endswith(".")):
        return None
    try:
        values = ast.literal_eval(f"[{fill(tail[len(_E_G[lang]) : -1], {})}]")  # the braces written once again
    except (ValueError, SyntaxError):
        return None
    if not all(type(v) is str for v in values) or _samples(values) != fill(tail[len(_E_G[lang]) : -1], {}):
        return None
    return values


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
        joined=_joined,
    )
)
