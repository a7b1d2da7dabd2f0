"""What checks remember of a layer's earlier chunks (``convert --theme`` streams a layer chunk by chunk).

The memory must stay bounded at millions of features (the run's budget is 400 MB at 5M): a Python set of 5M ints
takes ~300 MB, so the features seen are kept as **sorted numpy arrays of 64-bit hashes** (8 bytes per distinct
value, plus a bitmap of 1 to 2 bytes that answers most lookups: :class:`HashSet`); counters and flags are plain
values. Everything lives in ``CheckContext.carry``,
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

__all__ = ["CHUNKED", "HashSet", "PairSet", "add_hashes", "carry_nbytes", "chunked", "hashes_in", "layer_carry"]

#: the key of :func:`layer_carry`'s marker
CHUNKED = "chunked"


def layer_carry() -> dict[str, object]:
    """A new carry for a layer checked in several chunks: pass it (the same dict) to every chunk's context,
    the first one included, then to :func:`~odl_geo.checks.runner.finish_checks`."""
    return {CHUNKED: True}


def chunked(ctx: CheckContext) -> bool:
    """``ctx.frame`` is one chunk of a longer layer (its whole-layer verdicts wait for ``finish``)."""
    return bool(ctx.carry.get(CHUNKED)) or ctx.offset > 0


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _spread(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of 64-bit values (so equality is kept) whose top bits are evenly
    spread even for hashes that are small integers (numeric identifiers)."""
    z = np.asarray(h, dtype=np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    out: np.ndarray = z ^ (z >> np.uint64(31))
    return out


class HashSet:
    """The 64-bit hashes of a layer's earlier rows, in bounded memory: 8 bytes a hash, plus 1 to 2 for a bitmap.

    Sorted uint64 runs (8 bytes a hash) merged as a binary counter (each chunk's run merged with the previous one
    while they are of a size, up to :attr:`FREEZE` hashes; bigger runs stay): a chunk costs a merge of its own
    size, not a copy of everything kept (``np.insert`` into one array was ~0.1 s a chunk at 5M features). A
    bitmap of 8 to 16 bits a hash (one bit set per hash) answers "not seen" for ~90 % of new values with one
    memory read; only the others are searched in the runs.
    """

    #: runs of at least this many hashes are not merged again (a few runs of 1M: lookups stay cheap)
    FREEZE = 1 << 20
    _BITS_PER_HASH = 8

    def __init__(self, prefilter: bool = True) -> None:
        """:param prefilter: keep the bitmap; without it (a set only probed for a few values, such as the exact
        copies among features whose geometry is known already) each hash costs 8 bytes and nothing more."""
        self.runs: list[np.ndarray] = []
        self.count = 0
        self.prefilter = prefilter
        self._shift = np.uint64(64 - 16)  # the bitmap indexes the top 16 bits at first (8 KB), then grows
        self.bits = np.zeros((1 << 16) // 8 if prefilter else 0, dtype=np.uint8)

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        return sum(r.nbytes for r in self.runs) + self.bits.nbytes

    def _marked(self, m: np.ndarray) -> np.ndarray:
        idx = (m >> self._shift).astype(np.int64)
        return ((self.bits[idx >> 3] >> (idx & 7).astype(np.uint8)) & 1).astype(bool)

    def _mark(self, m: np.ndarray) -> None:
        """Set the bits of ``m`` (sorted: so are their bytes, which one ``reduceat`` combines)."""
        if not m.size:
            return
        idx = (m >> self._shift).astype(np.int64)
        byte = idx >> 3
        bit = np.uint8(1) << (idx & 7).astype(np.uint8)
        starts = np.flatnonzero(np.diff(byte, prepend=-1))
        self.bits[byte[starts]] |= np.bitwise_or.reduceat(bit, starts)

    def _has(self, m: np.ndarray) -> np.ndarray:
        found = np.zeros(m.size, dtype=bool)
        if not self.runs or not m.size:
            return found
        maybe = np.flatnonzero(self._marked(m)) if self.prefilter else np.arange(m.size)
        if not maybe.size:
            return found
        probe = m[maybe]
        order = np.argsort(probe, kind="stable")  # sorted probes walk each run in order: several times faster
        probe = probe[order]
        hit = np.zeros(probe.size, dtype=bool)
        for run in self.runs:
            pos = np.searchsorted(run, probe)
            pos[pos == run.size] = run.size - 1
            hit |= run[pos] == probe
        found[maybe[order]] = hit
        return found

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Which of ``hashes`` were added (a boolean mask)."""
        return self._has(_spread(hashes))

    def add(self, hashes: np.ndarray) -> None:
        """Add ``hashes``: once each within a call; a value of an earlier call is not looked for (that lookup
        cost as much as the rest of the call): only values kept in several chunks (repeated identifiers, copies
        left in the layer) are then stored twice."""
        m = np.unique(_spread(hashes))
        if not m.size:
            return
        self.count += m.size
        if self.prefilter:
            if self.count * self._BITS_PER_HASH > self.bits.size * 8:
                self._grow()
            self._mark(m)
        self.runs.append(m)
        while len(self.runs) > 1 and self.runs[-2].size < self.FREEZE and self.runs[-2].size <= 2 * self.runs[-1].size:
            last = self.runs.pop()
            merged = np.concatenate([self.runs.pop(), last])
            merged.sort(kind="stable")  # timsort: two sorted runs merge in linear time
            self.runs.append(merged)

    def _grow(self) -> None:
        nbits = self.bits.size * 8
        while self.count * self._BITS_PER_HASH > nbits:
            nbits *= 2
        self._shift = np.uint64(64 - (nbits.bit_length() - 1))
        self.bits = np.zeros(nbits // 8, dtype=np.uint8)
        for run in self.runs:
            self._mark(run)


class PairSet(HashSet):
    """A :class:`HashSet` of keys (geometries) that also keeps a 32-bit value with each (a hash of the feature's
    attributes): "an earlier feature had this geometry" and "…this geometry *and* these attributes" from one
    structure, 12 bytes a feature plus the keys' bitmap, instead of two sets of 8 bytes. Two features with one
    geometry are taken for copies when their attribute hashes agree on 32 bits: 1 chance in 4 billion for each
    pair of features at one place that differ."""

    def __init__(self) -> None:
        super().__init__(prefilter=True)
        self.payloads: list[np.ndarray] = []

    @property
    def nbytes(self) -> int:
        return super().nbytes + sum(p.nbytes for p in self.payloads)

    def add_pairs(self, keys: np.ndarray, values: np.ndarray) -> None:
        """Add ``keys`` each with its ``values`` (a pair seen twice in one call is kept once)."""
        m = _spread(keys)
        v = np.asarray(values, dtype=np.uint32)
        order = np.lexsort((v, m))
        m, v = m[order], v[order]
        if m.size > 1:
            new = np.ones(m.size, dtype=bool)
            new[1:] = (m[1:] != m[:-1]) | (v[1:] != v[:-1])
            m, v = m[new], v[new]
        if not m.size:
            return
        self.count += m.size
        if self.count * self._BITS_PER_HASH > self.bits.size * 8:
            self._grow()
        self._mark(m)
        self.runs.append(m)
        self.payloads.append(v)
        while len(self.runs) > 1 and self.runs[-2].size < self.FREEZE and self.runs[-2].size <= 2 * self.runs[-1].size:
            newer, older = self.runs.pop(), self.runs.pop()
            newer_v, older_v = self.payloads.pop(), self.payloads.pop()
            merged = np.concatenate([older, newer])
            order = np.argsort(merged, kind="stable")  # timsort: two sorted runs merge in linear time
            self.runs.append(merged[order])
            self.payloads.append(np.concatenate([older_v, newer_v])[order])

    def add(self, hashes: np.ndarray) -> None:
        self.add_pairs(hashes, np.zeros(len(hashes), dtype=np.uint32))

    def contains_pairs(self, keys: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Which of the pairs (``keys``, ``values``) were added (a boolean mask). Meant for the few features whose
        key is known already (:meth:`contains`): each is looked for in every run."""
        m = _spread(keys)
        v = np.asarray(values, dtype=np.uint32)
        found = np.zeros(m.size, dtype=bool)
        for run, payload in zip(self.runs, self.payloads, strict=True):
            lo = np.searchsorted(run, m, side="left")
            hi = np.searchsorted(run, m, side="right")
            for k in range(int((hi - lo).max(initial=0))):  # features sharing a key: usually one or two
                at = lo + k
                inside = at < hi
                found |= inside & (payload[np.minimum(at, run.size - 1)] == v)
        return found


def hashes_in(carry: dict[str, object], key: str, hashes: np.ndarray) -> np.ndarray:
    """Which of ``hashes`` the earlier chunks recorded under ``key`` (a boolean mask, all False when none)."""
    seen = carry.get(key)
    if not isinstance(seen, HashSet):
        return np.zeros(len(hashes), dtype=bool)
    return seen.contains(hashes)


def add_hashes(carry: dict[str, object], key: str, hashes: np.ndarray, prefilter: bool = True) -> None:
    """Record ``hashes`` under ``key`` (a :class:`HashSet`, made on first use)."""
    seen = carry.get(key)
    if not isinstance(seen, HashSet):
        seen = carry[key] = HashSet(prefilter)
    seen.add(hashes)


def carry_nbytes(carry: dict[str, object]) -> int:
    """The bytes the carry's hash sets hold (what grows with the layer; the rest is a few counters)."""
    return sum(v.nbytes for v in carry.values() if isinstance(v, HashSet))
