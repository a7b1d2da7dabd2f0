"""The registry of quality checks: checks are data (code, severity, messages in French and English) plus a
function, like Lizmap's project checks, so front ends can list, filter and translate them by code.

A check function receives a :class:`CheckContext` and returns :class:`Issue` objects; a fix function returns a
corrected copy of the frame and the list of changes, and never touches the source file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    import geopandas as gpd

    from ..profiles.base import Profile, RoleSpec
    from ..report import Issue, Severity

__all__ = [
    "ORDER",
    "REGISTRY",
    "Change",
    "Check",
    "CheckContext",
    "FixResult",
    "Level",
    "Note",
    "checks_for",
    "register",
]


class Level(enum.StrEnum):
    LAYER = "layer"  # one finding for the layer (CRS, names)
    FEATURE = "feature"  # findings point at features (examples = row numbers)


@dataclass
class CheckContext:
    frame: gpd.GeoDataFrame
    layer: str  # display name, used in Issue.layer
    profile: Profile | None = None
    role: RoleSpec | None = None
    area_insee: frozenset[str] | None = None  # declared territory (INSEE codes) when known
    area_outline: tuple[str, ...] = ()  # the départements whose outlines make its coordinate test, when known
    area_name: str = ""  # how the area was declared ("Occitanie", "départements 34, 30"), for messages
    #: streaming (``convert --theme`` reads a layer in chunks): the row of ``frame``'s first feature in the layer
    offset: int = 0
    #: what the checks remember of the layer's earlier chunks (bounded: hashes, counters), shared by every
    #: chunk's context of one layer; checks read it, and only :func:`~odl_geo.checks.runner.commit_chunk`
    #: writes it, once a chunk is final (checked and fixed). Empty for a whole layer checked at once.
    carry: dict[str, object] = field(default_factory=dict, repr=False, compare=False)
    #: what several checks of this context compute once (geometry hashes, lon/lat bounds, INSEE classification);
    #: not an init field, so ``dataclasses.replace(ctx, frame=fixed)`` starts with an empty one
    scratch: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)


@dataclass(frozen=True)
class Note:
    """One change list line of a fix, in English and French (the reports show the one of their language)."""

    en: str
    fr: str
    #: the values both texts quote as examples (each as written, joined by ``", "``) and how many they quote at most:
    #: a streamed run's merge completes the first chunk's list from later chunks, as a whole layer's would be
    quoted: tuple[str, ...] = ()
    most: int = 0
    #: the texts' templates (:func:`odl_geo.numbers.fill`) and their counts, when written from counts
    #: (:meth:`counted`): a streamed run's merge writes the note again with the layer's count, ``n``, its words
    #: agreeing with it (« 1 objet retiré », « 17 objets retirés »)
    template: str = ""
    template_fr: str = ""
    numbers: tuple[tuple[str, int], ...] = ()

    @classmethod
    def counted(
        cls, template: str, template_fr: str, quoted: tuple[str, ...] = (), most: int = 0, /, **numbers: int
    ) -> Note:
        """A note written from ``numbers`` (``n``: the count it starts with, after its field when it names one;
        ``more``: how many features its list does not name), in English and French."""
        from ..numbers import fill

        return cls(
            fill(template, numbers, "en"),
            fill(template_fr, numbers, "fr"),
            quoted,
            most,
            template,
            template_fr,
            tuple(numbers.items()),
        )


@dataclass(frozen=True)
class Change:
    """One value a fix changed: ``feature`` is its row (0-based) in the frame the fix received, None for a change
    of the layer (a field renamed); ``field`` is a column, ``geometry``, or ``(feature)`` for a removed row."""

    feature: int | None
    field: str
    old: object
    new: object


#: what a fix returns: the corrected copy, the change list in words, and every change
FixResult = tuple["gpd.GeoDataFrame", list[Note], list[Change]]


@dataclass(frozen=True)
class Check:
    code: str  # stable, e.g. "DATE_NOT_ISO"
    severity: Severity
    level: Level
    title: dict[str, str]  # {"fr": ..., "en": ...}
    help: dict[str, str]
    run: Callable[[CheckContext], list[Issue]]
    themes: frozenset[str] = field(default_factory=frozenset)  # empty = every theme
    fix: Callable[[CheckContext], FixResult] | None = None
    #: streaming: record this final chunk's rows in ``ctx.carry`` (e.g. the hashes of its features, so that a later
    #: chunk's copies of them are duplicates)
    commit: Callable[[CheckContext], None] | None = None
    #: streaming: the issues only the whole layer can tell (a required field empty in every chunk), from
    #: ``ctx.carry`` after the last chunk; ``ctx.frame`` is then an empty frame with the layer's columns
    finish: Callable[[CheckContext], list[Issue]] | None = None
    #: streaming: ``joined(found, later)``, a later chunk's finding joined into the one merged so far
    #: (:class:`odl_geo.theme.merge.ChunkMerger`, which has added ``later``'s named counts to ``found``'s): the
    #: check fits ``found``'s templates and hint to them when the text's shape depends on them (the dates' kinds of
    #: format, most frequent first, and the values quoted); the merge then fills the templates with the counts
    joined: Callable[[Issue, Issue], None] | None = None

    @property
    def fixable(self) -> bool:
        return self.fix is not None


#: The order the check families run in, and their fixes apply (each fix works on the previous one's result, so the
#: order decides which rows a fix sees), by module of ``odl_geo.checks``. It is the order the command line has
#: always had: ``odl_geo.theme`` imports ``names`` first (for the products' layer names), the flood profile imports
#: ``flood`` with it, then :func:`~odl_geo.checks.runner.load_checks` imports the others in this order. Declared,
#: so that a program importing a family first (``odl_geo.checks.duplicates``) runs them as the command line does.
#: Checks of any other module (a program's own) come after these, in the order they were registered.
ORDER = ("names", "flood", "geometry", "crs", "duplicates", "fields", "dates", "insee", "text")
_RANK = {f"odl_geo.checks.{name}": rank for rank, name in enumerate(ORDER)}

REGISTRY: dict[str, Check] = {}


def _rank(check: Check) -> int:
    return _RANK.get(getattr(check.run, "__module__", ""), len(ORDER))


def register(check: Check) -> Check:
    """Add ``check`` to :data:`REGISTRY`, which stays in :data:`ORDER` whatever the order of the imports (within
    a family, the order its module registers them)."""
    if check.code in REGISTRY:
        raise ValueError(f"check code {check.code} registered twice")
    REGISTRY[check.code] = check
    if len(REGISTRY) > 1 and _rank(check) < max(_rank(c) for c in REGISTRY.values()):
        ordered = sorted(REGISTRY.values(), key=_rank)  # stable: a family's checks keep their order
        REGISTRY.clear()
        REGISTRY.update((c.code, c) for c in ordered)
    return check


def checks_for(theme: str | None) -> list[Check]:
    return [c for c in REGISTRY.values() if not c.themes or (theme is not None and theme in c.themes)]
