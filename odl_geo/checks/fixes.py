"""Automatic fixes: each takes a :class:`CheckContext` and returns a corrected *copy* of its frame, the list of
changes in words (English and French) and *every* change made (row, field, old and new value), so that a person
can check each one. None of them touches the source file; none guesses: what cannot be fixed for sure (a partial
date, an unknown INSEE code, a line of zero length) is left as it is and stays in the report.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from ..numbers import agree, literal
from ._common import geometry_name, norm, strings, text_columns
from .communes import communes
from .mojibake import MOJIBAKE, redecode
from .registry import Change, Note

if TYPE_CHECKING:
    from .registry import CheckContext, FixResult

__all__ = [
    "LISTED_FEATURES",
    "LISTS_EVERY_CHANGE",
    "drop_duplicate_features",
    "drop_empty_geometries",
    "fix_dates",
    "fix_field_names",
    "fix_insee",
    "fix_mojibake",
    "make_valid",
]


#: how many features a fix's note names before saying how many more (a streamed run's merge completes a first chunk's
#: shorter list from later chunks' up to this, as a whole layer's note names its first ones)
LISTED_FEATURES = 10


def _rows(idx: np.ndarray, limit: int = LISTED_FEATURES) -> tuple[str, str, dict[str, int]]:
    """The features of ``idx`` a note lists, as templates of :meth:`Note.counted`: the first ``limit`` named, then
    how many more (``more``: « et 1 autre », « et 7 autres »)."""
    shown = ", ".join(f"#{i}" for i in idx[:limit])
    more = len(idx) - limit
    if more <= 0:
        return shown, shown, {}
    return f"{shown} and {{more}} more", f"{shown} et {{more}} {{more:autre|autres}}", {"more": more}


def _plain(v: object) -> object:
    """A value as JSON can hold it (numpy scalars as Python ones)."""
    return v.item() if isinstance(v, np.generic) else v


def _value_changes(col: str, values: pd.Series, hit: np.ndarray, table: dict) -> list[Change]:
    idx = np.flatnonzero(hit)
    old = values.to_numpy(dtype=object)[idx]
    return [Change(int(i), col, _plain(o), table[o]) for i, o in zip(idx.tolist(), old, strict=True)]


def make_valid(ctx: CheckContext) -> FixResult:
    """Invalid geometries rebuilt with GEOS ``make_valid`` (structure method: polygons stay polygons).

    A geometry that would collapse (a line of zero length, a ring without area) cannot be repaired: making it
    valid would empty it. It is left as it is, so that it stays reported as an error (``--drop-invalid`` leaves
    the feature out, listed), never replaced by an empty geometry called "repaired".
    """
    frame = ctx.frame.copy()
    geoms = np.asarray(frame.geometry.values)
    bad = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
    if not bad.size:
        return frame, [], []
    rebuilt = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    collapsed = shapely.is_empty(rebuilt) | shapely.is_missing(rebuilt)
    repaired, kept = bad[~collapsed], bad[collapsed]
    notes, changes = [], []
    if repaired.size:
        fixed = geoms.copy()
        fixed[repaired] = rebuilt[~collapsed]
        frame = frame.set_geometry(fixed, crs=frame.crs)
        en, fr, more = _rows(repaired)
        notes.append(
            Note.counted(
                f"{{n}} invalid {{n:geometry|geometries}} repaired with make_valid: features {en}.",
                f"{{n}} {{n:géométrie invalide reconstruite|géométries invalides reconstruites}} avec make_valid : "
                f"objets {fr}.",
                n=int(repaired.size),
                **more,
            )
        )
        reasons = shapely.is_valid_reason(geoms[repaired])
        types = shapely.get_type_id(fixed[repaired])
        changes = [
            Change(int(i), "geometry", f"invalid: {r}", f"valid {_TYPES.get(int(t), 'geometry')}")
            for i, r, t in zip(repaired.tolist(), reasons, types, strict=True)
        ]
    if kept.size:
        en, fr, more = _rows(kept)
        notes.append(
            Note.counted(
                f"{{n}} {{n:geometry|geometries}} cannot be repaired (a line of zero length or a ring without area "
                f"would become empty): left as {{n:it is|they are}}, still {{n:an error|errors}}: features {en}.",
                f"{{n}} {{n:géométrie irréparable|géométries irréparables}} (une ligne de longueur nulle ou un anneau "
                f"sans surface deviendrait vide) : {{n:laissée telle quelle|laissées telles quelles}}, toujours en "
                f"erreur : objets {fr}.",
                n=int(kept.size),
                **more,
            )
        )
    return frame, notes, changes


_TYPES = {0: "Point", 1: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon"}


def drop_empty_geometries(ctx: CheckContext) -> FixResult:
    """Features without geometry removed (they cannot be shown on a map nor published as GeoJSON features)."""
    frame = ctx.frame
    missing = frame.geometry.isna().to_numpy() | frame.geometry.is_empty.to_numpy()
    idx = np.flatnonzero(missing)
    if not idx.size:
        return frame.copy(), [], []
    en, fr, more = _rows(idx)
    note = Note.counted(
        f"{{n}} {{n:feature|features}} without geometry removed: {en}.",
        f"{{n}} {{n:objet|objets}} sans géométrie {{n:retiré|retirés}} : {fr}.",
        n=int(idx.size),
        **more,
    )
    changes = [Change(int(i), "(feature)", "no geometry", None) for i in idx.tolist()]
    return frame[~missing].reset_index(drop=True), [note], changes


def drop_duplicate_features(ctx: CheckContext) -> FixResult:
    """Exact copies (same geometry and same attributes) of an earlier feature removed; the first one is kept.
    Streaming: copies of a feature of an earlier chunk (``ctx.carry``) are removed too."""
    from .duplicates import duplicate_rows

    dup = duplicate_rows(ctx)[0]
    idx = np.flatnonzero(dup)
    if not idx.size:
        return ctx.frame.copy(), [], []
    en, fr, more = _rows(idx)
    note = Note.counted(
        f"{{n}} exact duplicate {{n:feature|features}} removed: {en}.",
        f"{{n}} {{n:objet|objets}} en double exact {{n:retiré|retirés}} : {fr}.",
        n=int(idx.size),
        **more,
    )
    changes = [Change(int(i), "(feature)", "exact copy of an earlier feature", None) for i in idx.tolist()]
    return ctx.frame[~dup].reset_index(drop=True), [note], changes


def _apply_table(frame: pd.DataFrame, col: str, values: pd.Series, table: dict) -> tuple[int, list[Change]]:
    """Replace in ``frame[col]`` the values ``table`` maps: (features changed, their changes for the report)."""
    hit = values.isin(list(table)).to_numpy()
    new = values.to_numpy(dtype=object, copy=True)
    idx = np.flatnonzero(hit)
    new[idx] = [table[v] for v in new[idx]]  # the few rows changed looked up, not the whole column (values.map)
    frame[col] = values.where(~hit, pd.Series(new, index=values.index, dtype=object))
    return int(hit.sum()), _value_changes(col, values, hit, table)


def _quotes(table: dict, n: int) -> tuple[str, ...]:
    """The first ``n`` changes of ``table`` as a note quotes them (``'12/03/1999' -> '1999-03-12'``)."""
    return tuple(f"{k!r} -> {v!r}" for k, v in list(table.items())[:n])


def fix_dates(ctx: CheckContext) -> FixResult:
    """Complete dates written another way (``12/03/1999``, ``2010_11_05``, ``12 mars 1999``) rewritten as ISO
    ``YYYY-MM-DD``. Partial dates (``1930/??/??``, ``mars 1999``) are left: the day is not known."""
    from .dates import date_columns, iso_dates, read_date

    frame = ctx.frame.copy(deep=False)  # copy on write: the columns replaced below are new, the others shared
    notes, changes = [], []
    for col in date_columns(ctx):
        values = frame[col].astype(object)
        present = values.notna().to_numpy() & ~iso_dates(ctx, col)  # ISO dates already are never rewritten
        table = {}
        for v in pd.unique(values[present]):
            iso, kind = read_date(ctx, str(v))
            if kind == "full" and iso != v:
                table[v] = iso
        if not table:
            continue
        n, changed = _apply_table(frame, col, values, table)
        quoted = _quotes(table, 5)
        shown, name = literal(", ".join(quoted)), literal(col)
        notes.append(
            Note.counted(
                f"{name}: {{n}} {{n:date|dates}} rewritten as ISO 8601 ({shown}).",
                f"{name} : {{n}} {{n:date réécrite|dates réécrites}} au format ISO 8601 ({shown}).",
                quoted,
                5,
                n=n,
            )
        )
        changes += changed
    return frame, notes, changes


def fix_insee(ctx: CheckContext) -> FixResult:
    """INSEE codes read as numbers get their leading zero back (``1001`` -> ``01001``); codes of communes déléguées
    or associées are replaced by the current commune (from the COG table)."""
    from .insee import insee_columns

    table = communes()
    frame = ctx.frame.copy()
    notes, changes = [], []
    for col in insee_columns(ctx):
        values = frame[col]
        mapping: dict[object, str] = {}
        for v in pd.unique(values.dropna().astype(object)):
            parts = [p.strip() for p in str(v).split(",")]
            new = []
            for p in parts:
                code = p
                if re.fullmatch(r"\d{4}(\.0)?", p):
                    code = p.split(".")[0].zfill(5)
                row = table.get(code)
                if row is not None and row.kind in "DS" and row.parent:
                    code = row.parent
                new.append(code)
            text = ",".join(new) if len(new) > 1 else new[0]
            if text != str(v) and all(c in table for c in new):
                mapping[v] = text
        if mapping:
            hit = values.isin(list(mapping)).to_numpy()
            frame[col] = values.astype(object).where(~hit, values.map(mapping))
            quoted = _quotes(mapping, 5)
            n, shown, name = int(hit.sum()), literal(", ".join(quoted)), literal(col)
            notes.append(
                Note.counted(
                    f"{name}: {{n}} INSEE {{n:code|codes}} corrected ({shown}).",
                    f"{name} : {{n}} {{n:code INSEE corrigé|codes INSEE corrigés}} ({shown}).",
                    quoted,
                    5,
                    n=n,
                )
            )
            changes += _value_changes(col, values.astype(object), hit, mapping)
    return frame, notes, changes


def fix_field_names(ctx: CheckContext) -> FixResult:
    """Field names made safe for OGC servers: accents folded, lower case, ``_`` for other characters, a letter
    first (``CatÉgorie`` -> ``categorie``, ``2019`` -> ``f_2019``)."""
    from .names import is_xml_safe

    frame = ctx.frame
    geom = geometry_name(frame)
    renames: dict[str, str] = {}
    taken = {c for c in frame.columns if is_xml_safe(c)}
    for c in frame.columns:
        if c == geom or is_xml_safe(c):
            continue
        new = safe_name(c)
        base, n = new, 2
        while new in taken:
            new, n = f"{base}_{n}", n + 1
        taken.add(new)
        renames[c] = new
    if not renames:
        return frame.copy(), [], []
    shown = ", ".join(f"{k!r} -> {v!r}" for k, v in renames.items())
    fields = len(renames)
    note = Note(
        f"{agree(fields, 'Field', 'Fields', 'en')} renamed for OGC servers: {shown}.",
        f"{agree(fields, 'Champ renommé', 'Champs renommés')} pour les serveurs OGC : {shown}.",
    )
    changes = [Change(None, old, old, new) for old, new in renames.items()]
    return frame.rename(columns=renames), [note], changes


def safe_name(name: str) -> str:
    """An XML-safe field name: accents folded, lower case, ``_`` for other characters, a letter first
    (``CatÉgorie`` -> ``categorie``, ``2019`` -> ``f_2019``)."""
    new = norm(name) or "field"
    if not re.match(r"[a-z_]", new) or new.startswith("xml"):
        new = f"f_{new}"
    return new


def fix_mojibake(ctx: CheckContext) -> FixResult:
    """Text decoded with the wrong encoding (UTF-8 bytes read as Windows-1252: ``PhilippidÃ¨s``, or twice:
    ``PhilippidÃƒÂ¨s``) decoded again (``Philippidès``). Values that do not decode cleanly are left as they are."""
    from .text import text_hits

    frame = ctx.frame.copy(deep=False)  # copy on write: the columns replaced below are new, the others shared
    notes, changes = [], []
    for col in text_columns(frame):
        # only values holding Ã, Â or â€ (every MOJIBAKE match starts with one) are looked at: one search of the
        # column's text joined instead of a regex per distinct value (the check's search, when it made it)
        hits = text_hits(ctx, col, subclasses=True)
        if not hits.any():
            continue
        values = frame[col].astype(object)
        present = strings(values[hits])
        if present.empty:
            continue
        table = {}
        for v in pd.unique(present):
            if MOJIBAKE.search(v):
                fixed = redecode(v)
                if fixed is not None:
                    table[v] = fixed
        if table:
            n, changed = _apply_table(frame, col, values, table)
            quoted = _quotes(table, 3)
            shown, name = literal(", ".join(quoted)), literal(col)
            notes.append(
                Note.counted(
                    f"{name}: {{n}} {{n:value|values}} re-decoded as UTF-8 ({shown}).",
                    f"{name} : {{n}} {{n:valeur redécodée|valeurs redécodées}} en UTF-8 ({shown}).",
                    quoted,
                    3,
                    n=n,
                )
            )
            changes += changed
    return frame, notes, changes


#: the fixes whose change lists name every value they change (and every row they remove): what the checks computed
#: on the other columns and rows stays true after them (:func:`odl_geo.checks.runner.fix_context`)
LISTS_EVERY_CHANGE = frozenset(
    {make_valid, drop_empty_geometries, drop_duplicate_features, fix_dates, fix_insee, fix_field_names, fix_mojibake}
)
