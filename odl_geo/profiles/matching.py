"""Automatic matching of a layer's fields to a schema's fields.

Real layers name the same thing in many ways (``NOM``, ``Nom_Itinéraire``, ``name``, ``libelle``), so matching
goes from the most to the least certain: the exact name, the name normalised (case, accents, separators), a
declared synonym, then a fuzzy comparison above a threshold. Fuzzy matches are reported as such so that a person
confirms them; a mapping file (``odl_geo.profiles.mapping``) overrides any of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from ..values import normalise_name, normalise_value

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .base import TargetField

__all__ = ["FUZZY_THRESHOLD", "FieldMatch", "MatchResult", "match_fields", "normalise_name", "normalise_value"]

#: a fuzzy match needs this SequenceMatcher ratio on normalised names; 0.85 accepts ``nom_itineraire`` for
#: ``nom_itinaraire`` (a typo) and refuses ``date_creation`` for ``date_modification``.
FUZZY_THRESHOLD = 0.85

HOW_ORDER = ("mapping", "exact", "normalised", "synonym", "fuzzy")


@dataclass(frozen=True)
class FieldMatch:
    """One target field and where its values come from."""

    target: str
    source: str
    how: str  # "mapping", "exact", "normalised", "synonym", "fuzzy"
    score: float = 1.0


@dataclass
class MatchResult:
    matches: dict[str, FieldMatch] = field(default_factory=dict)  # target -> match
    unmatched_targets: list[str] = field(default_factory=list)
    unused_sources: list[str] = field(default_factory=list)

    def source_of(self, target: str) -> str | None:
        m = self.matches.get(target)
        return m.source if m else None


def match_fields(
    sources: Sequence[str],
    targets: Iterable[TargetField],
    forced: dict[str, str] | None = None,
    threshold: float = FUZZY_THRESHOLD,
) -> MatchResult:
    """Match source field names to target fields; each source feeds at most one target.

    :param forced: target -> source from a mapping file; an empty source means "leave this target unmapped".
    :param threshold: minimum fuzzy ratio (0-1) on normalised names.
    """
    forced = forced or {}
    targets = list(targets)
    result = MatchResult()
    used: set[str] = set()
    for target, source in forced.items():
        if source:
            result.matches[target] = FieldMatch(target, source, "mapping")
            used.add(source)
    pending = [t for t in targets if t.name not in forced]
    norm_sources = {s: normalise_name(s) for s in sources}

    def take(how: str, pick: dict[str, tuple[str, float]]) -> None:
        for t in list(pending):
            hit = pick.get(t.name)
            if hit and hit[0] not in used:
                result.matches[t.name] = FieldMatch(t.name, hit[0], how, round(hit[1], 3))
                used.add(hit[0])
                pending.remove(t)

    take("exact", {t.name: (t.name, 1.0) for t in pending if t.name in sources})
    by_norm: dict[str, str] = {}
    for s, n in norm_sources.items():
        by_norm.setdefault(n, s)
    take(
        "normalised",
        {t.name: (by_norm[normalise_name(t.name)], 1.0) for t in pending if normalise_name(t.name) in by_norm},
    )
    synonym_hits: dict[str, tuple[str, float]] = {}
    for t in pending:
        for syn in t.synonyms:
            hit = by_norm.get(normalise_name(syn))
            if hit is not None and hit not in used:
                synonym_hits[t.name] = (hit, 1.0)
                break
    take("synonym", synonym_hits)
    # fuzzy: best pairs first, so that two targets do not fight over one source
    candidates: list[tuple[float, str, str]] = []
    for t in pending:
        names = [normalise_name(t.name), *(normalise_name(s) for s in t.synonyms)]
        for s, n in norm_sources.items():
            if s in used or not n:
                continue
            ratio = max(SequenceMatcher(None, n, name).ratio() for name in names)
            if ratio >= threshold:
                candidates.append((ratio, t.name, s))
    for ratio, target, source in sorted(candidates, reverse=True):
        if target in result.matches or source in used:
            continue
        result.matches[target] = FieldMatch(target, source, "fuzzy", round(ratio, 3))
        used.add(source)
    result.unmatched_targets = [t.name for t in targets if t.name not in result.matches]
    result.unused_sources = [s for s in sources if s not in used]
    return result
