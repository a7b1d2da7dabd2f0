"""The objects frozen at a fork (``ForkedTask``) are thawed when its child ends, unless a ``KeptFrozen`` is held
(a streamed run, from its pass's child to its formats' and map's): then they stay frozen until it is released, so
that the next fork's collection visits only the objects made since; a task that cannot fork thaws nothing held."""

from __future__ import annotations

import gc

import pytest

from odl_geo.theme import forked as forked_module
from odl_geo.theme.forked import ForkedTask, KeptFrozen


@pytest.fixture(autouse=True)
def thawed():
    gc.unfreeze()
    assert KeptFrozen.held == 0
    yield
    assert KeptFrozen.held == 0
    gc.unfreeze()


def test_a_child_ending_thaws_the_objects_when_nothing_holds_them():
    assert ForkedTask(lambda: 41 + 1, "test").result() == 42
    assert gc.get_freeze_count() == 0


def test_held_the_objects_stay_frozen_across_children_until_released():
    frozen = KeptFrozen()
    try:
        assert ForkedTask(lambda: "pass", "test").result() == "pass"
        first = gc.get_freeze_count()
        assert first > 0  # still frozen after the pass's child ended
        made_since = [[] for _ in range(1000)]  # objects made after the first fork
        assert ForkedTask(lambda: len(made_since), "test").result() == 1000
        assert gc.get_freeze_count() >= first + 1000  # the second fork froze only what was made since, added
    finally:
        frozen.release()
    assert gc.get_freeze_count() == 0
    frozen.release()  # twice: nothing more
    assert KeptFrozen.held == 0


def test_the_last_of_two_holds_thaws():
    outer, inner = KeptFrozen(), KeptFrozen()
    ForkedTask(lambda: None, "test").result()
    inner.release()
    assert gc.get_freeze_count() > 0
    outer.release()
    assert gc.get_freeze_count() == 0


def test_no_fork_possible_thaws_only_when_nothing_holds(monkeypatch):
    def no_fork():
        raise OSError("no more processes")

    monkeypatch.setattr(forked_module.os, "fork", no_fork)
    with pytest.raises(OSError):
        ForkedTask(lambda: None, "test")
    assert gc.get_freeze_count() == 0
    frozen = KeptFrozen()
    try:
        with pytest.raises(OSError):
            ForkedTask(lambda: None, "test")
        assert gc.get_freeze_count() > 0
    finally:
        frozen.release()
    assert gc.get_freeze_count() == 0
