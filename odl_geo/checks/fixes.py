"""Automatic fixes: each takes a :class:`CheckContext` and returns a corrected *copy* of its frame and the list of
changes made, in words a person can check. None of them touches the source file; none guesses: what cannot be
fixed for sure (a partial date, an unknown INSEE code) is left as it is and stays in the report.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from ._common import geometry_name, norm, strings, text_columns
from .communes import communes
from .mojibake import MOJIBAKE, redecode

if TYPE_CHECKING:
    from .registry import CheckContext, FixResult

__all__ = [
    "drop_duplicate_features",
    "drop_empty_geometries",
    "fix_dates",
    "fix_field_names",
    "fix_insee",
    "fix_mojibake",
    "make_valid",
]


def _rows(idx: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(f"#{i}" for i in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")


def make_valid(ctx: CheckContext) -> FixResult:
    """Invalid geometries rebuilt with GEOS ``make_valid`` (structure method: polygons stay polygons)."""
    frame = ctx.frame.copy()
    geoms = np.asarray(frame.geometry.values)
    bad = np.flatnonzero(~shapely.is_valid(geoms) & ~shapely.is_missing(geoms))
    if not bad.size:
        return frame, []
    fixed = geoms.copy()
    fixed[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    frame = frame.set_geometry(fixed, crs=frame.crs)
    return frame, [f"{bad.size} invalid geometrie(s) repaired with make_valid: features {_rows(bad)}."]


def drop_empty_geometries(ctx: CheckContext) -> FixResult:
    """Features without geometry removed (they cannot be shown on a map nor published as GeoJSON features)."""
    frame = ctx.frame
    missing = frame.geometry.isna().to_numpy() | frame.geometry.is_empty.to_numpy()
    idx = np.flatnonzero(missing)
    if not idx.size:
        return frame.copy(), []
    return frame[~missing].reset_index(drop=True), [f"{idx.size} feature(s) without geometry removed: {_rows(idx)}."]


def drop_duplicate_features(ctx: CheckContext) -> FixResult:
    """Exact copies (same geometry and same attributes) of an earlier feature removed; the first one is kept."""
    from .duplicates import exact_duplicates

    dup = exact_duplicates(ctx.frame)
    idx = np.flatnonzero(dup)
    if not idx.size:
        return ctx.frame.copy(), []
    return ctx.frame[~dup].reset_index(drop=True), [f"{idx.size} exact duplicate feature(s) removed: {_rows(idx)}."]


def fix_dates(ctx: CheckContext) -> FixResult:
    """Complete dates written another way (``12/03/1999``, ``2010_11_05``, ``12 mars 1999``) rewritten as ISO
    ``YYYY-MM-DD``. Partial dates (``1930/??/??``, ``mars 1999``) are left: the day is not known."""
    from ..profiles.values import parse_date
    from .dates import date_columns

    frame = ctx.frame.copy()
    changes = []
    for col in date_columns(ctx):
        values = frame[col].astype(object)
        present = values.notna()
        table = {}
        for v in pd.unique(values[present]):
            iso, kind = parse_date(str(v))
            if kind == "full" and iso != v:
                table[v] = iso
        if not table:
            continue
        hit = values.isin(list(table)).to_numpy()
        frame[col] = values.where(~hit, values.map(table))
        shown = ", ".join(f"{k!r} -> {v!r}" for k, v in list(table.items())[:5])
        changes.append(f"{col}: {int(hit.sum())} date(s) rewritten as ISO 8601 ({shown}).")
    return frame, changes


def fix_insee(ctx: CheckContext) -> FixResult:
    """INSEE codes read as numbers get their leading zero back (``1001`` -> ``01001``); codes of communes déléguées
    or associées are replaced by the current commune (from the COG table)."""
    from .insee import insee_columns

    table = communes()
    frame = ctx.frame.copy()
    changes = []
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
            shown = ", ".join(f"{k!r} -> {v!r}" for k, v in list(mapping.items())[:5])
            changes.append(f"{col}: {int(hit.sum())} INSEE code(s) corrected ({shown}).")
    return frame, changes


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
        new = norm(c) or "field"
        if not re.match(r"[a-z_]", new) or new.startswith("xml"):
            new = f"f_{new}"
        base, n = new, 2
        while new in taken:
            new, n = f"{base}_{n}", n + 1
        taken.add(new)
        renames[c] = new
    if not renames:
        return frame.copy(), []
    shown = ", ".join(f"{k!r} -> {v!r}" for k, v in renames.items())
    return frame.rename(columns=renames), [f"Field(s) renamed for OGC servers: {shown}."]


def fix_mojibake(ctx: CheckContext) -> FixResult:
    """Text decoded with the wrong encoding (UTF-8 bytes read as Windows-1252: ``PhilippidÃ¨s``) decoded again
    (``Philippidès``). Values that do not decode cleanly are left as they are."""
    frame = ctx.frame.copy()
    changes = []
    for col in text_columns(frame):
        values = frame[col].astype(object)
        present = strings(values)
        if present.empty:
            continue
        table = {}
        for v in pd.unique(present):
            if MOJIBAKE.search(v):
                fixed = redecode(v)
                if fixed is not None:
                    table[v] = fixed
        if table:
            hit = values.isin(list(table)).to_numpy()
            frame[col] = values.where(~hit, values.map(table))
            shown = ", ".join(f"{k!r} -> {v!r}" for k, v in list(table.items())[:3])
            changes.append(f"{col}: {int(hit.sum())} value(s) re-decoded as UTF-8 ({shown}).")
    return frame, changes
