"""Giving freed memory back to the system, so that a long streamed run's resident size stays flat.

A streamed theme run frees each chunk's frames once it is written, but glibc's allocator keeps the freed pages
and, with several threads (GDAL's reader, the checks' pool, the hashing thread), one arena per thread: the
resident size then creeps up chunk after chunk though the live data does not grow. Two glibc calls fix that:
``mallopt(M_ARENA_MAX, 2)`` at the start of the command line (two arenas for two cores) and ``malloc_trim(0)``
after each chunk, with Arrow's pool released first. Elsewhere (musl, macOS, Windows) the glibc calls are no-ops.
Conversions call it too, before GDAL builds a GeoPackage's spatial index (``exports/ogr.py``).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

__all__ = ["limit_arenas", "release_free_memory"]

_M_ARENA_MAX = -8  # glibc's mallopt parameter


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


def limit_arenas(arenas: int = 2) -> bool:
    """At most ``arenas`` malloc arenas for the process's threads (call early, from the command line only: it is
    the process's allocator, not the library's business in a host such as QGIS). True when it took effect."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(_M_ARENA_MAX, arenas) == 1)


def release_free_memory() -> None:
    """Give the allocators' free pages back to the system (a few milliseconds): Arrow's pool (mimalloc keeps
    freed blocks for reuse), then glibc's."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)
