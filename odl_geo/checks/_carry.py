"""What checks remember of a layer's earlier chunks (``convert --theme`` streams a layer chunk by chunk).

The memory must stay bounded at millions of features (the run's budget is 400 MB at 5M): a Python set of 5M ints
takes ~300 MB, so the features seen are kept as **sorted numpy arrays of 64-bit hashes** (8 bytes per distinct
value), merged once per chunk; counters and flags are plain values. Everything lives in ``CheckContext.carry``,
one dict per layer shared by the contexts of its chunks:

- checks *read* it in ``run`` (the earlier chunks), so the re-check after the fixes sees the same earlier rows;
- only ``Check.commit`` *writes* it, once a chunk is final, so no chunk is recorded twice;
- ``Check.finish`` turns it into the verdicts only the whole layer can give.

A carry made by :func:`layer_carry` says "this context is one chunk of a longer layer": checks whose verdict is
about the whole layer (a required field empty in *every* feature) then leave it to ``finish``. An empty carry
with ``offset`` 0 is a whole layer checked at once (``odl-geo check``, the plugin): every check behaves as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .registry import CheckContext

__all__ = ["CHUNKED", "add_hashes", "carry_nbytes", "chunked", "hashes_in", "layer_carry"]

#: the key of :func:`layer_carry`'s marker
CHUNKED = "chunked"


def layer_carry() -> dict[str, object]:
    """A new carry for a layer checked in several chunks: pass it (the same dict) to every chunk's context,
    the first one included, then to :func:`~odl_geo.checks.runner.finish_checks`."""
    return {CHUNKED: True}


def chunked(ctx: CheckContext) -> bool:
    """``ctx.frame`` is one chunk of a longer layer (its whole-layer verdicts wait for ``finish``)."""
    return bool(ctx.carry.get(CHUNKED)) or ctx.offset > 0


def hashes_in(carry: dict[str, object], key: str, hashes: np.ndarray) -> np.ndarray:
    """Which of ``hashes`` the earlier chunks recorded under ``key`` (a boolean mask, all False when none)."""
    seen = carry.get(key)
    if not isinstance(seen, np.ndarray) or not seen.size or not hashes.size:
        return np.zeros(hashes.size, dtype=bool)
    h = np.asarray(hashes, dtype=np.uint64)
    pos = np.searchsorted(seen, h)
    pos[pos == seen.size] = seen.size - 1
    return np.asarray(seen[pos] == h, dtype=bool)


def add_hashes(carry: dict[str, object], key: str, hashes: np.ndarray) -> None:
    """Record ``hashes`` under ``key``: one sorted array of distinct uint64 (8 bytes each), merged in linear time
    (the new values are inserted where they sort; nothing is sorted again)."""
    new = np.unique(np.asarray(hashes, dtype=np.uint64))
    seen = carry.get(key)
    if not isinstance(seen, np.ndarray) or not seen.size:
        carry[key] = new
        return
    new = new[~hashes_in(carry, key, new)]
    if new.size:
        carry[key] = np.insert(seen, np.searchsorted(seen, new), new)


def carry_nbytes(carry: dict[str, object]) -> int:
    """The bytes the carry's arrays hold (what grows with the layer; the rest is a few counters)."""
    return sum(v.nbytes for v in carry.values() if isinstance(v, np.ndarray))
