"""Look-ups in the checks' runs on disk drop their mapped pages window by window (``_DiskRun.SPAN``).

A 5M-feature PEI run mapped a whole 3.6M-hash run (+28 MB resident) at every chunk's duplicate look-up: the probes
now go in groups of one window of the file, each group's pages dropped after it. The answers must be those of a
single pass over the whole mapping, whatever the window: checked against numpy's ``isin`` on sets and pair sets
written to disk, with windows of one block (every probe its own group), a few blocks, and the default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest

from odl_geo.checks import _carry

if TYPE_CHECKING:
    from pathlib import Path

WINDOWS = (8 * _carry._DiskRun.BLOCK, 4096, _carry._DiskRun.SPAN)


def _spilled(kind: type[_carry.HashSet], folder: Path, keys: np.ndarray, values: np.ndarray) -> _carry.HashSet:
    """A set fed in chunks of 20,000, its runs written to ``folder`` past 2**18 hashes (as a streamed run does)."""
    kept = kind()
    kept.folder = folder
    for start in range(0, keys.size, 20_000):
        part = slice(start, start + 20_000)
        if isinstance(kept, _carry.PairSet):
            kept.add_pairs(keys[part], values[part])
        else:
            kept.add(keys[part])
        kept.spill()
    assert kept.disk, "the set was meant to be on disk"
    return kept


@pytest.mark.parametrize("span", WINDOWS)
def test_lookups_in_runs_on_disk_answer_alike_whatever_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, span: int
) -> None:
    rng = np.random.default_rng(16)
    keys = rng.integers(0, 2**63, size=700_000, dtype=np.int64).view(np.uint64)
    values = rng.integers(0, 2**32, size=keys.size, dtype=np.int64).astype(np.uint32)
    (tmp_path / "set").mkdir()
    (tmp_path / "pairs").mkdir()
    plain = _spilled(_carry.HashSet, tmp_path / "set", keys, values)
    pairs = _spilled(_carry.PairSet, tmp_path / "pairs", keys, values)
    assert isinstance(pairs, _carry.PairSet)
    dropped = []
    drop = _carry._Mapped.drop_pages

    def counted(self: _carry._Mapped) -> None:
        dropped.append(self.path)
        drop(self)

    monkeypatch.setattr(_carry._DiskRun, "SPAN", span)
    monkeypatch.setattr(_carry._Mapped, "drop_pages", counted)
    unseen = rng.integers(0, 2**63, size=30_000, dtype=np.int64).view(np.uint64)
    probe = np.concatenate([keys[::23], unseen, keys[-5:]])
    expected = np.isin(probe, keys)
    assert expected.sum() == keys[::23].size + 5
    assert np.array_equal(plain.contains(probe), expected)
    assert np.array_equal(pairs.contains(probe), expected)
    some = slice(0, keys.size, 31)
    assert pairs.contains_pairs(keys[some], values[some]).all()
    assert not pairs.contains_pairs(keys[some], values[some] ^ np.uint32(1)).any()
    if span < _carry._DiskRun.SPAN:  # small windows: many groups, each one's pages dropped
        assert len(dropped) > 10
    else:
        assert dropped
