"""Duplicates: exact copies of a feature, features sharing one geometry, identifiers used twice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from ..report import Issue, Severity
from ..values import is_blank
from . import fixes
from ._common import attribute_columns, geometry_basics, geometry_name, issue, memo, norm
from .registry import Check, CheckContext, Level, register

__all__ = ["DUPLICATE_FEATURE", "DUPLICATE_GEOMETRY", "DUPLICATE_ID", "exact_duplicates", "id_columns"]

_ID_NAMES = ("id", "identifiant", "id_local", "gid", "objectid", "fid", "uuid")


def _geometry_hashes(frame: pd.DataFrame, basics: dict[str, np.ndarray] | None = None
                     ) -> tuple[np.ndarray, np.ndarray] | None:  # fmt: skip
    """A 64-bit hash of each geometry (normalised, so that ring order and start point do not matter), and the mask
    of features that have one. Points are hashed from their coordinates, without WKB."""
    if geometry_name(frame) is None:
        return None
    if basics is None:
        basics = geometry_basics(CheckContext(frame, ""))
    geoms, present = basics["geoms"], basics["present"]
    if "x" in basics:
        # points: a hash of the two coordinates' bits (+0.0 and -0.0 made equal), no WKB needed
        x = basics["x"] + 0.0
        y = basics["y"] + 0.0
        h = x.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ y.view(np.uint64)
        return h, present
    wkb = np.asarray(shapely.to_wkb(shapely.normalize(geoms)), dtype=object)
    wkb[~present] = b""
    return pd.util.hash_array(wkb), present


def _hash_columns(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    """One 64-bit hash per row; columns of lists or dicts (GeoJSON arrays) are hashed as their text."""
    try:
        return pd.util.hash_pandas_object(frame[cols], index=False).to_numpy()
    except TypeError:
        return pd.util.hash_pandas_object(frame[cols].astype(str), index=False).to_numpy()


def _analyse(frame: pd.DataFrame, basics: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(exact duplicates, same geometry with other attributes), each as "repeats an earlier row" masks.

    Only rows whose geometry occurs twice can be exact copies, so attributes are hashed for those rows only
    (a table without geometry hashes them all).
    """
    n = len(frame)
    geo = _geometry_hashes(frame, basics)
    cols = attribute_columns(frame)
    if geo is None:
        if not cols:
            return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        exact = pd.Series(_hash_columns(frame, cols)).duplicated(keep="first").to_numpy()
        return exact, np.zeros(n, dtype=bool)
    h, present = geo
    keyed = np.where(present, h, 0)
    later_geom = np.array(pd.Series(keyed).duplicated(keep="first"), dtype=bool) & present
    same_geom = np.isin(keyed, np.unique(keyed[later_geom])) & present if later_geom.any() else later_geom.copy()
    exact = np.zeros(n, dtype=bool)
    candidates = np.flatnonzero(same_geom)
    if candidates.size:
        sub = frame.iloc[candidates]
        attrs = _hash_columns(sub, cols) if cols else np.zeros(candidates.size, dtype=np.uint64)
        combined = pd.DataFrame({"g": h[candidates], "a": attrs})
        exact[candidates] = combined.duplicated(keep="first").to_numpy()
    return exact, later_geom & ~exact


def _cached(ctx: CheckContext) -> tuple[np.ndarray, np.ndarray]:
    scratch = memo(ctx)
    if "duplicates" not in scratch:
        basics = geometry_basics(ctx) if geometry_name(ctx.frame) is not None else None
        scratch["duplicates"] = _analyse(ctx.frame, basics)
    result: tuple[np.ndarray, np.ndarray] = scratch["duplicates"]  # type: ignore[assignment]
    return result


def exact_duplicates(frame: pd.DataFrame) -> np.ndarray:
    """Rows that repeat an earlier row in every attribute and in geometry."""
    return _analyse(frame)[0]


def _duplicate_features(ctx: CheckContext) -> list[Issue]:
    dup = np.flatnonzero(_cached(ctx)[0])
    if not dup.size:
        return []
    return [
        issue(
            DUPLICATE_FEATURE,
            ctx,
            f"{dup.size} feature(s) are exact copies of an earlier one.",
            f"{dup.size} objet(s) sont des copies exactes d'un objet précédent.",
            dup,
        )
    ]


def _duplicate_geometries(ctx: CheckContext) -> list[Issue]:
    bad = np.flatnonzero(_cached(ctx)[1])
    if not bad.size:
        return []
    return [
        issue(
            DUPLICATE_GEOMETRY,
            ctx,
            f"{bad.size} feature(s) have the same geometry as an earlier one, with other attributes.",
            f"{bad.size} objet(s) ont la même géométrie qu'un objet précédent, avec d'autres attributs.",
            bad,
        )
    ]


def _repeats(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For integer codes (-1 = missing): (value shared with another row, repeats an earlier row).

    Counting is one pass; only the (usually few) shared rows are then ordered to find the repeats.
    """
    shared = np.zeros(codes.size, dtype=bool)
    later = np.zeros(codes.size, dtype=bool)
    valid = codes >= 0
    if not valid.any():
        return shared, later
    counts = np.bincount(codes[valid])
    shared[valid] = counts[codes[valid]] > 1
    idx = np.flatnonzero(shared)
    if idx.size:
        later[idx] = np.array(pd.Series(codes[idx]).duplicated(keep="first"), dtype=bool)
    return shared, later


def _codes(values: pd.Series) -> np.ndarray:
    """Integer codes of the values (-1 for missing), one hashing pass."""
    return np.asarray(pd.factorize(values)[0])


def id_columns(ctx: CheckContext) -> list[str]:
    """The identifier fields: the role's ``unique`` fields, or a column named like an identifier."""
    cols = attribute_columns(ctx.frame)
    if ctx.role is not None:
        return [f.name for f in ctx.role.fields if f.unique and f.name in cols]
    return [c for c in cols if norm(c) in _ID_NAMES][:1]


def _duplicate_ids(ctx: CheckContext) -> list[Issue]:
    out = []
    for col in id_columns(ctx):
        values = ctx.frame[col]
        codes = _codes(values)  # one hashing pass decides the usual case: all distinct
        if not codes.size or codes.max() + 1 == len(codes):
            continue
        shared, later = _repeats(codes)
        idx = np.flatnonzero(shared)
        blank = np.zeros(len(values), dtype=bool)
        blank[idx] = is_blank(values.iloc[idx])  # blank text is "no identifier", not a shared one
        dup, later = shared & ~blank, later & ~blank
        bad = np.flatnonzero(later)
        if not bad.size:
            continue
        shared = pd.unique(values[dup].astype(str))
        sample = ", ".join(repr(v) for v in shared[:3])
        out.append(
            issue(
                DUPLICATE_ID,
                ctx,
                f"{col}: {len(shared)} identifier(s) are used by several features ({bad.size} repeats), e.g. {sample}.",
                f"{col} : {len(shared)} identifiant(s) utilisé(s) par plusieurs objets ({bad.size} "
                f"répétitions), p. ex. {sample}.",
                bad,
            )
        )
    return out


DUPLICATE_FEATURE = register(
    Check(
        "DUPLICATE_FEATURE",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Objet en double", "en": "Duplicate feature"},
        {
            "fr": "Même géométrie et mêmes attributs qu'un objet précédent. --fix retire les copies (le premier est "
            "gardé).",
            "en": "Same geometry and attributes as an earlier feature. --fix removes the copies (the first is kept).",
        },
        _duplicate_features,
        fix=fixes.drop_duplicate_features,
    )
)
DUPLICATE_GEOMETRY = register(
    Check(
        "DUPLICATE_GEOMETRY",
        Severity.WARNING,
        Level.FEATURE,
        {"fr": "Géométrie en double", "en": "Duplicate geometry"},
        {
            "fr": "Plusieurs objets au même endroit avec des attributs différents : doublon de saisie, ou plusieurs "
            "informations au même lieu (repères de plusieurs crues) ; à vérifier, pas de correction automatique.",
            "en": "Several features at one place with different attributes: a data-entry duplicate, or several facts "
            "at "
            "one place (marks of several floods); to check, no automatic fix.",
        },
        _duplicate_geometries,
    )
)
DUPLICATE_ID = register(
    Check(
        "DUPLICATE_ID",
        Severity.ERROR,
        Level.FEATURE,
        {"fr": "Identifiant en double", "en": "Duplicate identifier"},
        {
            "fr": "Un identifiant doit désigner un seul objet : les réutilisateurs s'en servent pour suivre les "
            "mises à jour.",
            "en": "An identifier must name one feature: re-users rely on it to follow updates.",
        },
        _duplicate_ids,
    )
)
