"""What checks remember of a layer's earlier chunks (``convert --theme`` streams a layer chunk by chunk).

The memory must stay bounded at millions of features (the run's budget is 400 MB at 5M): a Python set of 5M ints
takes ~300 MB, so the features seen are kept as **sorted numpy arrays of 64-bit hashes** (8 bytes per distinct
value, plus a bitmap of 1 to 2 bytes that answers most lookups: :class:`HashSet`); counters and flags are plain
values. A streamed run also gives the carry a folder (:func:`layer_carry`'s ``spill``): each set then keeps at
most :attr:`HashSet.RAM_HASHES` hashes in memory and writes bigger sorted runs there (:class:`_DiskRun`), looked
up on disk for the few values its bitmap, of bounded size, cannot rule out: the memory stays flat whatever the
layer's size, the answers exactly the same. Everything lives in ``CheckContext.carry``,
one dict per layer shared by the contexts of its chunks:

- checks *read* it in ``run`` (the earlier chunks), so the re-check after the fixes sees the same earlier rows;
- only ``Check.commit`` *writes* it, once a chunk is final, so no chunk is recorded twice;
- ``Check.finish`` turns it into the verdicts only the whole layer can give.

A carry made by :func:`layer_carry` says "this context is one chunk of a longer layer": checks whose verdict is
about the whole layer (a required field empty in *every* feature) then leave it to ``finish``. An empty carry
with ``offset`` 0 is a whole layer checked at once (``odl-geo check``, the plugin): every check behaves as before.
"""

from __future__ import annotations

import contextlib
import itertools
import mmap
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .registry import CheckContext

__all__ = [
    "CHUNKED",
    "SPILL",
    "HashSet",
    "PairSet",
    "add_hashes",
    "carry_disk_bytes",
    "carry_nbytes",
    "chunked",
    "hashes_in",
    "layer_carry",
    "settle",
]

#: the key of :func:`layer_carry`'s marker
CHUNKED = "chunked"
#: the key of the folder the sets of a carry write their sorted runs to (:func:`layer_carry`'s ``spill``)
SPILL = "spill"


def layer_carry(spill: str | Path | None = None) -> dict[str, object]:
    """A new carry for a layer checked in several chunks: pass it (the same dict) to every chunk's context,
    the first one included, then to :func:`~odl_geo.checks.runner.finish_checks`.

    :param spill: a private folder (the caller removes it, whatever happens) where the hash sets keep what passes
        :attr:`HashSet.RAM_HASHES` (call :func:`settle` after each commit); None: everything in memory.
    """
    carry: dict[str, object] = {CHUNKED: True}
    if spill is not None:
        carry[SPILL] = Path(spill)
    return carry


def settle(carry: dict[str, object]) -> None:
    """Give the carry's hash sets its spill folder and let them write what passes their memory share to it (call it
    after ``commit_chunk``: only commits add hashes)."""
    folder = carry.get(SPILL)
    if not isinstance(folder, Path):
        return
    for key, value in carry.items():
        if isinstance(value, HashSet):
            if value.folder is None:
                value.folder = folder
                value.prefix = "".join(c if c.isalnum() else "_" for c in key)[:40]
            value.spill()


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
    #: with a spill folder: hashes kept in memory at most (2 MB); more are written to it as one sorted run
    RAM_HASHES = 1 << 18
    #: the bitmap's size at most (4 MB): past ~4M hashes more values pass it and are looked for on disk
    MAX_BITS = 1 << 25
    _BITS_PER_HASH = 8

    def __init__(self, prefilter: bool = True) -> None:
        """:param prefilter: keep the bitmap; without it (a set only probed for a few values, such as the exact
        copies among features whose geometry is known already) each hash costs 8 bytes and nothing more."""
        self.runs: list[np.ndarray] = []
        self.disk: list[_DiskRun] = []
        self.count = 0
        self.prefilter = prefilter
        self._shift = np.uint64(64 - 16)  # the bitmap indexes the top 16 bits at first (8 KB), then grows
        self.bits = np.zeros((1 << 16) // 8 if prefilter else 0, dtype=np.uint8)
        #: where runs are written past :attr:`RAM_HASHES` (given by :func:`settle`); None: all in memory
        self.folder: Path | None = None
        self.prefix = "set"
        self._files = itertools.count()

    def __len__(self) -> int:
        return self.count

    @property
    def nbytes(self) -> int:
        """Bytes held in memory (the runs not written out, the bitmap, the written runs' sparse indexes)."""
        return (
            sum(r.nbytes for r in self.runs)
            + sum(p.nbytes for p in self._ram_payloads())
            + self.bits.nbytes
            + sum(d.index.nbytes for d in self.disk)
        )

    @property
    def disk_bytes(self) -> int:
        return sum(d.file_bytes for d in self.disk)

    def _ram_payloads(self) -> list[np.ndarray]:
        return []

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
        if not (self.runs or self.disk) or not m.size:
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
        for written in self.disk:
            rest = np.flatnonzero(~hit)
            if rest.size:
                hit[rest] = written.has(probe[rest])
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
        self.spill()

    def _grow(self) -> None:
        nbits = self.bits.size * 8
        while self.count * self._BITS_PER_HASH > nbits and nbits < self.MAX_BITS:
            nbits *= 2
        if nbits == self.bits.size * 8:
            return  # at its largest: it lets more values through, the runs answer exactly
        self._shift = np.uint64(64 - (nbits.bit_length() - 1))
        self.bits = np.zeros(nbits // 8, dtype=np.uint8)
        for run in self.runs:
            self._mark(run)
        for written in self.disk:
            for keys, _ in written.pieces():
                self._mark(keys)

    # -- runs on disk ------------------------------------------------------------------------------------
    def _path(self) -> Path:
        assert self.folder is not None
        return self.folder / f"{self.prefix}.{next(self._files):05d}"

    def spill(self) -> None:
        """With a folder: write the runs held in memory as one sorted run when they pass :attr:`RAM_HASHES`, then
        merge the runs on disk whose sizes are alike (a binary counter: few runs, each hash rewritten a few times)."""
        if self.folder is None or sum(r.size for r in self.runs) <= self.RAM_HASHES:
            return
        keys, payload = self._take_ram()
        self.disk.append(_DiskRun.write(self._path(), keys, payload))
        del keys, payload
        while len(self.disk) > 1 and self.disk[-2].size <= 2 * self.disk[-1].size:
            newer, older = self.disk.pop(), self.disk.pop()
            self.disk.append(_DiskRun.merge(older, newer, self._path()))
            older.remove()
            newer.remove()

    def _take_ram(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The runs held in memory as one sorted run (and its payloads), taken out of memory."""
        runs, self.runs = self.runs, []
        keys = runs[0] if len(runs) == 1 else np.sort(np.concatenate(runs), kind="stable")
        return keys, None

    def remove(self) -> None:
        """Delete the runs written to disk (the folder's owner removes it anyway)."""
        for written in self.disk:
            written.remove()
        self.disk = []


class PairSet(HashSet):
    """A :class:`HashSet` of keys (geometries) that also keeps a 32-bit value with each (a hash of the feature's
    attributes): "an earlier feature had this geometry" and "…this geometry *and* these attributes" from one
    structure, 12 bytes a feature plus the keys' bitmap, instead of two sets of 8 bytes. Two features with one
    geometry are taken for copies when their attribute hashes agree on 32 bits: 1 chance in 4 billion for each
    pair of features at one place that differ."""

    def __init__(self) -> None:
        super().__init__(prefilter=True)
        self.payloads: list[np.ndarray] = []

    def _ram_payloads(self) -> list[np.ndarray]:
        return self.payloads

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
        self.spill()

    def _take_ram(self) -> tuple[np.ndarray, np.ndarray | None]:
        runs, payloads, self.runs, self.payloads = self.runs, self.payloads, [], []
        if len(runs) == 1:
            return runs[0], payloads[0]
        keys = np.concatenate(runs)
        order = np.argsort(keys, kind="stable")
        return keys[order], np.concatenate(payloads)[order]

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
        if self.disk and m.size:
            order = np.argsort(m, kind="stable")
            for written in self.disk:
                rest = order[~found[order]]
                if rest.size:
                    found[rest] = written.has(m[rest], v[rest])
        return found


class _DiskRun:
    """One sorted run of 64-bit keys (and, for a :class:`PairSet`, their 32-bit payloads) in files of the spill
    folder, with a sparse index in memory (every :attr:`BLOCK`-th key: 1 byte for 64 hashes).

    A lookup finds each probe's block from the index, then reads only those blocks through a mapping closed at
    once: the pages read leave the process's resident memory with it (they stay in the page cache, shared)."""

    #: keys per block: a probe reads one block (512 bytes) from the mapped file
    BLOCK = 64
    #: keys per piece when a run is written, read back or merged (2 MB of keys)
    PIECE = 1 << 18
    #: probes gathered at once (each gathers a block: 4 MB of keys)
    PROBES = 8192
    #: bytes of a run's keys file whose probes are looked up before its mapped pages are dropped (bounds the
    #: resident pages of a lookup: ~SPAN + the kernel's fault-around, whatever the run's size)
    SPAN = 2 << 20

    def __init__(self, path: Path, size: int, index: np.ndarray, payload: bool) -> None:
        self.path, self.size, self.index, self.payload = path, size, index, payload

    @property
    def keys_path(self) -> Path:
        return self.path.with_suffix(self.path.suffix + ".u64")

    @property
    def payload_path(self) -> Path:
        return self.path.with_suffix(self.path.suffix + ".u32")

    @property
    def file_bytes(self) -> int:
        return self.size * (12 if self.payload else 8)

    @classmethod
    def write(cls, path: Path, keys: np.ndarray, payload: np.ndarray | None) -> _DiskRun:
        run = cls(path, 0, np.zeros(0, dtype=np.uint64), payload is not None)
        with _Writer(run) as out:
            out.add(keys, payload)
        return run

    @classmethod
    def merge(cls, older: _DiskRun, newer: _DiskRun, path: Path) -> _DiskRun:
        """Both runs as one sorted run, piece by piece (memory holds a few pieces, never a whole run)."""
        run = cls(path, 0, np.zeros(0, dtype=np.uint64), older.payload)
        a, b = older.cursor(), newer.cursor()
        with _Writer(run) as out:
            while a.keys.size and b.keys.size:
                pivot = min(a.keys[-1], b.keys[-1])  # every key up to it is in the two pieces held
                na = int(np.searchsorted(a.keys, pivot, side="right"))
                nb = int(np.searchsorted(b.keys, pivot, side="right"))
                keys = np.concatenate([a.keys[:na], b.keys[:nb]])
                order = np.argsort(keys, kind="stable")
                payload = np.concatenate([a.values[:na], b.values[:nb]])[order] if run.payload else None
                out.add(keys[order], payload)
                a.advance(na)
                b.advance(nb)
            for rest in (a, b):
                while rest.keys.size:
                    out.add(rest.keys, rest.values if run.payload else None)
                    rest.advance(rest.keys.size)
        return run

    def cursor(self) -> _Cursor:
        return _Cursor(self)

    def read(self, start: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Keys (and payloads, empty for a plain set) ``start`` to ``start + count``, read into memory."""
        count = max(0, min(count, self.size - start))
        keys = np.fromfile(self.keys_path, dtype=np.uint64, count=count, offset=8 * start)
        values = (
            np.fromfile(self.payload_path, dtype=np.uint32, count=count, offset=4 * start)
            if self.payload
            else np.zeros(0, dtype=np.uint32)
        )
        return keys, values

    def pieces(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, self.size, self.PIECE):
            yield self.read(start, self.PIECE)

    def has(self, probes: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
        """Which of the sorted ``probes`` are keys of the run (with ``values``: keys holding that payload).

        The probes go in groups whose blocks lie in one :attr:`SPAN` of the file, and each group's pages are
        dropped from the mapping after it (``MADV_DONTNEED``): a mapped page counts in the resident size, and the
        kernel maps up to 64 KB around each page read, so a few thousand probes used to map a whole run (+28 MB
        at 3.6M hashes, every chunk of a 5M layer). The pages stay in the page cache: no second disk read."""
        found = np.zeros(probes.size, dtype=bool)
        if not probes.size or not self.size:
            return found
        keys = _Mapped(self.keys_path, np.uint64)
        payload = _Mapped(self.payload_path if values is not None else None, np.uint32)
        # the file's window of each probe's first block (probes sorted: windows in order)
        window = np.searchsorted(self.index, probes, side="left") * self.BLOCK // (self.SPAN // 8)
        cuts = np.flatnonzero(np.diff(window)) + 1
        with keys, payload:  # the arrays live in _find's frame only: nothing holds the mapping after it
            for group in np.split(np.arange(probes.size), cuts):
                for start in range(0, group.size, self.PROBES):
                    sel = group[start : start + self.PROBES]
                    v = values[sel] if values is not None else None
                    found[sel] = self._find(keys.array, payload.array, probes[sel], v)
                keys.drop_pages()
                payload.drop_pages()
        return found

    def _find(self, keys: np.ndarray, payload: np.ndarray, p: np.ndarray, v: np.ndarray | None) -> np.ndarray:
        first = np.maximum(np.searchsorted(self.index, p, side="left") - 1, 0)
        last = np.maximum(np.searchsorted(self.index, p, side="right") - 1, 0)
        hit = np.zeros(p.size, dtype=bool)
        for span in range(int((last - first).max(initial=0)) + 1):  # a key repeated over blocks: rare
            block = first + span
            live = block <= last
            pos = np.minimum((block[:, None] * self.BLOCK + np.arange(self.BLOCK)).ravel(), self.size - 1)
            same = keys[pos].reshape(p.size, self.BLOCK) == p[:, None]
            if v is not None:
                same &= payload[pos].reshape(p.size, self.BLOCK) == v[:, None]
            hit |= live & same.any(axis=1)
        return hit

    def remove(self) -> None:
        for path in (self.keys_path, self.payload_path):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)


class _Cursor:
    """A run read piece by piece, for a merge."""

    def __init__(self, run: _DiskRun) -> None:
        self.run, self.start = run, 0
        self.keys, self.values = run.read(0, run.PIECE)

    def advance(self, n: int) -> None:
        self.start += n
        if n >= self.keys.size:
            self.keys, self.values = self.run.read(self.start, self.run.PIECE)
        else:
            self.keys, self.values = self.keys[n:], self.values[n:] if self.run.payload else self.values


class _Writer:
    """Appends sorted pieces to a run's files and builds its sparse index."""

    def __init__(self, run: _DiskRun) -> None:
        self.run = run
        self.index: list[np.ndarray] = []

    def __enter__(self) -> _Writer:  # noqa: PYI034 - final in practice
        self.keys = open(self.run.keys_path, "wb")  # closed by __exit__
        self.values = open(self.run.payload_path, "wb") if self.run.payload else None
        return self

    def add(self, keys: np.ndarray, payload: np.ndarray | None) -> None:
        if not keys.size:
            return
        skip = (-self.run.size) % _DiskRun.BLOCK  # the first key of the next block within this piece
        self.index.append(np.array(keys[skip :: _DiskRun.BLOCK], dtype=np.uint64))
        np.ascontiguousarray(keys, dtype=np.uint64).tofile(self.keys)
        if self.values is not None:
            assert payload is not None
            np.ascontiguousarray(payload, dtype=np.uint32).tofile(self.values)
        self.run.size += keys.size

    def __exit__(self, *exc: object) -> None:
        self.keys.close()
        if self.values is not None:
            self.values.close()
        self.run.index = np.concatenate(self.index) if self.index else np.zeros(0, dtype=np.uint64)


class _Mapped:
    """A run's file as a read-only numpy array, unmapped on exit (its pages leave the resident memory)."""

    def __init__(self, path: Path | None, dtype: type[np.generic]) -> None:
        self.path, self.dtype = path, dtype
        self.map: mmap.mmap | None = None
        self.array: np.ndarray = np.zeros(0, dtype=dtype)

    def __enter__(self) -> _Mapped:  # noqa: PYI034 - final in practice
        if self.path is not None:
            with open(self.path, "rb") as fh:
                self.map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            self.array = np.frombuffer(self.map, dtype=self.dtype)
        return self

    def drop_pages(self) -> None:
        """Take the pages read so far out of the resident memory (they stay in the page cache)."""
        if self.map is not None and hasattr(mmap, "MADV_DONTNEED"):  # Linux, macOS; elsewhere unmapped on exit
            self.map.madvise(mmap.MADV_DONTNEED)

    def __exit__(self, *exc: object) -> None:
        self.array = np.zeros(0, dtype=self.dtype)
        if self.map is not None:
            self.map.close()
            self.map = None


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
    """The bytes the carry's hash sets hold in memory (what grew with the layer before runs went to disk)."""
    return sum(v.nbytes for v in carry.values() if isinstance(v, HashSet))


def carry_disk_bytes(carry: dict[str, object]) -> int:
    """The bytes the carry's hash sets wrote to its spill folder."""
    return sum(v.disk_bytes for v in carry.values() if isinstance(v, HashSet))
