"""Running the registered checks on a layer, and their fixes.

Check families are modules that register their checks on import; they are imported here, once. A family written
with a profile (``checks/flood.py`` for the CNIG PPR) is optional: when it is not installed the others still run.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from ._carry import layer_carry
from ._common import follow, geometry_basics, geometry_name
from .fixes import LISTS_EVERY_CHANGE
from .registry import REGISTRY, CheckContext, checks_for

if TYPE_CHECKING:
    import geopandas as gpd

    from ..report import Issue
    from .registry import Change, Check

__all__ = [
    "CheckOutcome",
    "Fix",
    "apply_fixes",
    "commit_chunk",
    "default_workers",
    "finish_checks",
    "fix_context",
    "fix_order",
    "layer_carry",
    "load_checks",
    "run_checks",
]

#: the families :func:`load_checks` imports; they run in :data:`.registry.ORDER`, whatever was imported first
FAMILIES = ("geometry", "crs", "duplicates", "fields", "dates", "insee", "names", "text")
OPTIONAL_FAMILIES = ("flood",)
#: families that call PROJ (pyproj): run in the calling thread, never in the pool (PROJ objects are per thread)
MAIN_THREAD_FAMILIES = frozenset({"odl_geo.checks.crs"})
PARALLEL_FROM = 10_000  # features: below this, threads cost more than they save (a streamed chunk is 20k-50k)
_loaded: list[str] = []


def load_checks() -> list[str]:
    """Import every check family (idempotent); returns the families loaded."""
    if not _loaded:
        for name in FAMILIES:
            importlib.import_module(f"odl_geo.checks.{name}")
            _loaded.append(name)
        for name in OPTIONAL_FAMILIES:
            if importlib.util.find_spec(f"odl_geo.checks.{name}") is not None:
                importlib.import_module(f"odl_geo.checks.{name}")
                _loaded.append(name)
    return list(_loaded)


@dataclass
class CheckOutcome:
    """What the checks found in one layer. ``issues`` keep *all* their example rows (the report trims them)."""

    issues: list[Issue] = field(default_factory=list)
    faulty: set[int] = field(default_factory=set)  # features named by an error or warning, for the map preview
    ran: list[str] = field(default_factory=list)

    @property
    def fired(self) -> list[str]:
        return list(dict.fromkeys(i.code for i in self.issues))


@dataclass
class Fix:
    """One fix applied to a layer: its change list in English (``changes``) and French, and every change, with
    ``feature`` the row in the layer as it was checked (before any fix removed rows)."""

    code: str
    layer: str
    changes: list[str]
    changes_fr: list[str] = field(default_factory=list)
    details: list[Change] = field(default_factory=list)
    #: per note of ``changes`` (and ``changes_fr``), the values it quotes and how many at most (:class:`Note`)
    quoted: list[tuple[tuple[str, ...], int]] = field(default_factory=list)
    #: per note, its templates and counts when it was written from counts (:meth:`Note.counted`), else ``("", "",
    #: {})``
    templates: list[tuple[str, str, dict[str, int]]] = field(default_factory=list)


def run_checks(
    ctx: CheckContext, theme: str | None, skip: frozenset[str] = frozenset(), workers: int | None = None
) -> CheckOutcome:
    """Run every check registered for ``theme`` (and the generic ones) on ``ctx.frame``.

    On large layers the families may run in threads (``workers``, default :func:`default_workers`: one thread
    on two cores while the run's child process works). The geometry basics every family needs are computed
    first, once. Issues come back in registry order whatever the scheduling.
    """
    load_checks()
    out = CheckOutcome()
    checks = [c for c in checks_for(theme) if c.code not in skip]
    out.ran = [c.code for c in checks]
    workers = workers or default_workers()
    if workers > 1 and len(ctx.frame) >= PARALLEL_FROM:
        if geometry_name(ctx.frame) is not None:
            geometry_basics(ctx)
        families: dict[str, list[Check]] = {}
        for check in checks:
            families.setdefault(check.run.__module__, []).append(check)
        here = [group for module, group in families.items() if module in MAIN_THREAD_FAMILIES]
        away = [group for module, group in families.items() if module not in MAIN_THREAD_FAMILIES]

        def run(group: list[Check]) -> list[tuple[str, list[Issue]]]:
            return [(c.code, c.run(ctx)) for c in group]

        # no garbage collection while the threads run: a cycle holding PROJ objects collected in a worker
        # thread crashed the process (segfault in pyproj); the main thread collects once they are done
        collecting = gc.isenabled()
        gc.disable()
        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="odl-geo-check") as pool:
                futures = [pool.submit(run, group) for group in away]
                results = [run(group) for group in here]  # PROJ work stays in this thread
                results += [f.result() for f in futures]
        finally:
            if collecting:
                gc.enable()
        found = dict(pair for pairs in results for pair in pairs)
    else:
        found = {check.code: check.run(ctx) for check in checks}
    for check in checks:
        for issue in found[check.code]:
            out.issues.append(issue)
            out.faulty.update(issue.examples)
    return out


def default_workers() -> int:
    """The threads :func:`run_checks` runs the check families in by default: the cores this process may use, less
    one for each child process of this one now running (:func:`_children`), at least one.

    Why: a streamed theme run of several chunks forks a child that validates, writes the products and spools each
    chunk while the checks of the next one go on (``theme/pass_child.py``); on two cores that child has the second
    core, and threads would take it from it. The duplicates' family, about half of the step, is one task whose
    hashing of text objects holds the GIL anyway. Without a child (a one-chunk layer, the flood tables checked in
    pieces, ``odl-geo check``) the families keep every core: the flood family's GEOS work releases the GIL, and
    flood 100k ran ~15 s faster with the pool than in one thread. Measured (docs/performance.md, "Checks, sixth
    round"): on the streamed replays the pool cost 0-15 % more CPU, and its best possible gain, with a free second
    core and no GIL at all, is 1.2-1.9 s of a 1M-feature run.

    ``ODL_GEO_CHECK_THREADS`` (a whole number, 1 = no pool) sets it: to compare both ways on a given machine
    (``bench/theme.py`` runs the command line, which takes the environment); any other value is ignored."""
    chosen = os.environ.get("ODL_GEO_CHECK_THREADS", "").strip()
    if chosen.isdigit() and int(chosen) >= 1:
        return int(chosen)
    try:
        cores = len(os.sched_getaffinity(0))  # the cores this process may run on (taskset, container cpusets)
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(cores - _children(), 1)


def _children() -> int:
    """How many child processes this process has now (Linux: ``/proc/self/task/*/children``; 0 elsewhere or when
    the kernel does not list them): the run's own other processes, each of which keeps a core busy."""
    found = 0
    try:
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children", encoding="ascii") as f:
                found += len(f.read().split())
    except OSError:  # not Linux, a thread ended meanwhile, or no such file: count what was read
        pass
    return found


def apply_fixes(ctx: CheckContext, outcome: CheckOutcome) -> tuple[gpd.GeoDataFrame, list[Fix]]:
    """Apply the fix of every fixable check that fired, in registry order, each on the previous one's result.

    The frame of ``ctx`` is not changed: each fix returns a corrected copy. (:func:`fix_context` gives the fixed
    frame's context too, for checking it again.)
    """
    fixed, done = fix_context(ctx, outcome)
    return fixed.frame, done


def fix_context(ctx: CheckContext, outcome: CheckOutcome) -> tuple[CheckContext, list[Fix]]:
    """:func:`apply_fixes`, giving the context of the fixed frame: check it again with :func:`run_checks`.

    That context starts with what the checks and fixes computed that a fix did not make stale
    (:func:`._common.follow`: per-row answers of the columns no fix changed, taken on the rows kept; the geometry's
    when no fix changed one), so checking again costs about what the fixes changed. This holds for the fixes
    that list every value they change (:data:`.fixes.LISTS_EVERY_CHANGE`); after any other one the context starts
    empty, every answer computed again."""
    fired = set(outcome.fired)
    current = ctx
    done: list[Fix] = []
    seen: set[object] = set()
    origin = np.arange(len(ctx.frame))  # row of the current frame -> row of the checked one
    for check in fix_order(fired):
        if check.fix is None or check.fix in seen:
            continue
        seen.add(check.fix)
        frame, notes, changes = check.fix(current)
        details = [c if c.feature is None else replace(c, feature=int(origin[c.feature])) for c in changes]
        removed = [c.feature for c in changes if c.field == "(feature)" and c.feature is not None]
        following = replace(ctx, frame=frame)
        if check.fix in LISTS_EVERY_CHANGE:
            kept = np.delete(np.arange(len(current.frame)), removed) if removed else None
            changed = {c.field for c in changes if c.field != "(feature)"}
            changed |= {str(c.new) for c in changes if c.feature is None}  # a field renamed: its new name too
            where: dict[str, list[int]] = {}
            for c in changes:
                if c.feature is not None and c.field != "(feature)":
                    where.setdefault(c.field, []).append(c.feature)
            named = {col: np.unique(rows) for col, rows in where.items()}  # a renamed column is not patched
            named = {col: rows for col, rows in named.items() if not any(c.feature is None for c in changes)}
            following.scratch.update(follow(current.scratch, kept, changed, "geometry" in changed, frame, named))
        current = following
        if removed:
            origin = np.delete(origin, removed)
        if notes:
            quoted = [(n.quoted, n.most) for n in notes]
            templates = [(n.template, n.template_fr, dict(n.numbers)) for n in notes]
            done.append(
                Fix(check.code, ctx.layer, [n.en for n in notes], [n.fr for n in notes], details, quoted, templates)
            )
    if current is ctx:  # no fix ran: the same frame, and all that was computed on it
        current = replace(ctx, frame=ctx.frame)
        current.scratch.update(follow(ctx.scratch, None, set(), False))
    return current, done


def fix_order(fired: set[str]) -> list[Check]:
    """Fixes that keep rows first, fixes that drop rows (empty geometries, duplicates) last: the order a run
    applies them in, which a streamed run's merge lists them in too (:mod:`odl_geo.theme.merge`)."""
    drops = ("GEOM_MISSING", "DUPLICATE_FEATURE")
    checks = [REGISTRY[c] for c in REGISTRY if c in fired]
    return [c for c in checks if c.code not in drops] + [c for c in checks if c.code in drops]


def commit_chunk(ctx: CheckContext, theme: str | None, skip: frozenset[str] = frozenset()) -> None:
    """Streaming: ``ctx.frame`` is a final chunk (checked and fixed): let every check that remembers the layer's
    earlier rows (``Check.commit``) record it in ``ctx.carry``. Each hook runs once per chunk.

    Commit the fixed chunk *before* leaving out its rows with errors (``--drop-invalid``): a whole layer checked
    at once compares every fixed row, so the copy of a left-out feature is a duplicate there too, and a required
    field empty in every feature stays "empty everywhere" even when all its rows are left out. ``ctx.carry`` is
    :func:`layer_carry`'s dict, the same for every chunk of the layer."""
    load_checks()
    done: set[object] = set()
    for check in checks_for(theme):
        if check.code in skip or check.commit is None or check.commit in done:
            continue
        done.add(check.commit)
        check.commit(ctx)


def finish_checks(ctx: CheckContext, theme: str | None, skip: frozenset[str] = frozenset()) -> CheckOutcome:
    """Streaming: after the last chunk, the issues only the whole layer tells (``Check.finish``), from
    ``ctx.carry``; ``ctx.frame`` is an empty frame with the layer's columns."""
    load_checks()
    out = CheckOutcome()
    for check in checks_for(theme):
        if check.code in skip or check.finish is None:
            continue
        for issue in check.finish(ctx):
            out.issues.append(issue)
            out.faulty.update(issue.examples)
    return out
