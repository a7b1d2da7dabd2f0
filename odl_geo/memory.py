"""Giving freed memory back to the system, so that a long streamed run's resident size stays flat.

A streamed theme run frees each chunk's frames once it is written, but glibc's allocator keeps the freed pages
and, with several threads (GDAL's reader, the checks' pool, the hashing thread), one arena per thread: the
resident size then creeps up chunk after chunk though the live data does not grow. Two glibc calls fix that:
``mallopt(M_ARENA_MAX, 2)`` at the start of the command line (two arenas for two cores) and ``malloc_trim(0)``
after each chunk, with Arrow's pool released first. Elsewhere (musl, macOS, Windows) the glibc calls are no-ops.

The command line also fixes glibc's mmap threshold at 1 MiB (:data:`MMAP_THRESHOLD`): by default it rises, up to
32 MiB, each time a large block is freed, so that a chunk's large temporaries (columns, text buffers) end up in
the heap, where the holes they leave keep the resident size up until the next trim. Fixed, they are mapped and
given back as soon as freed: water 100k theme run 7-9 MB lower at its peak, plain conversion unchanged (RSS and
CPU time, 1M points).
Conversions call it too, before GDAL builds a GeoPackage's spatial index (``exports/ogr.py``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
import threading
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

_T = TypeVar("_T")

__all__ = ["in_own_arena", "limit_arenas", "release_free_memory"]

_M_ARENA_MAX = -8  # glibc's mallopt parameters
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20  # blocks from 1 MiB are mapped on their own (glibc's default starts at 128 KiB, then rises)


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 - present in glibc only
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(arenas: int = 2, mmap_threshold: int | None = MMAP_THRESHOLD) -> bool:
    """At most ``arenas`` malloc arenas for the process's threads, and a fixed mmap threshold (None: glibc's
    moving one). Call early, from the command line only: it is the process's allocator, not the library's business
    in a host such as QGIS. True when both took effect."""
    libc = _glibc()
    if libc is None:
        return False
    ok = libc.mallopt(_M_ARENA_MAX, arenas) == 1
    if mmap_threshold is not None:
        ok = libc.mallopt(_M_MMAP_THRESHOLD, mmap_threshold) == 1 and ok
    return bool(ok)


#: malloc arenas a forked child may have (glibc's default is 8 a core): more than the parent's two, so that
#: :func:`in_own_arena`'s thread gets a new one
CHILD_ARENAS = 8


def in_own_arena(work: Callable[[], _T]) -> _T:
    """``work()`` run on a new thread whose allocations go to a malloc arena of its own; its value returned, its
    exception raised here. For a forked child (:mod:`odl_geo.theme.forked`), before anything else.

    Why: a forked child shares its parent's heap copy-on-write. glibc's main arena hands the child's allocations
    the free chunks of that heap, scattered over pages the parent's live objects hold, and each page written is
    copied: the child's own memory was mostly such copies. The standard formats' child of a water run of 1M
    points held 114-117 MB of its own, 87-91 MB of them in the heap; with an arena of its own, 58-60 MB, 3 MB in
    the heap (``/proc/<child>/smaps``). A thread started now gets a new arena when glibc may still create one:
    the command line keeps the parent at two (:func:`limit_arenas`), the child may have :data:`CHILD_ARENAS`.
    Python's small objects (pymalloc's own arenas) are not concerned. Without glibc, ``work`` runs on this
    thread."""
    libc = _glibc()
    if libc is None:
        return work()
    libc.mallopt(_M_ARENA_MAX, CHILD_ARENAS)
    done: list[_T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=run, name="odl-geo-own-arena")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return done[0]


def release_free_memory(caches: bool = False) -> None:
    """Give the allocators' free pages back to the system (a few milliseconds): Arrow's pool (mimalloc keeps
    freed blocks for reuse), then glibc's.

    :param caches: first drop the caches a streamed pass filled and the rest of the run does not read:
        chardet's models (~25 MB of bytes, loaded by the encoding detection of each chunk's CSV product validation,
        kept for the process's life by ``functools.cache``). Call it once the chunks are validated: a later
        detection loads them again (~0.2 s), nothing else changes."""
    if caches:
        _drop_library_caches()
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


#: libraries whose module-level ``functools`` caches hold large read-only data a streamed pass no longer needs
_CACHED_LIBRARIES = ("chardet",)


def _drop_library_caches() -> None:
    """``cache_clear()`` on the cached functions of the already imported modules of :data:`_CACHED_LIBRARIES`
    (nothing is imported here), then a collection so that their data is freed before the allocators' trim."""
    import gc

    dropped = False
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".", 1)[0] not in _CACHED_LIBRARIES:
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)
            if callable(clear) and hasattr(value, "cache_info"):
                clear()
                dropped = True
    if dropped:
        gc.collect()
