"""How many threads the check families run in by default: the cores this process may use, less one per child
process now running (the pass's child has a core), so on two cores beside the pass child the families run one
after the other in the calling thread; without a child, or with more cores, in a pool, with the same issues."""

from __future__ import annotations

import os
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from odl_geo.checks import runner
from odl_geo.checks.registry import CheckContext


def _frame(n: int = runner.PARALLEL_FROM + 500) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    dates = np.array(["2020-01-02", "12/03/1999", "mars 1999", None, "CafÃ©"], dtype=object)
    return gpd.GeoDataFrame(
        {
            "id_local": pd.Series([f"F{i % (n - 40)}" for i in range(n)], dtype=object),
            "date_mes": pd.Series(dates[rng.integers(0, 5, n)], dtype=object),
            "nom": pd.Series(dates[rng.integers(0, 5, n)], dtype=object),
        },
        geometry=shapely.points(rng.uniform(700_000, 780_000, n), rng.uniform(6_250_000, 6_300_000, n)),
        crs="EPSG:2154",
    )


def test_one_core_less_per_child_process(monkeypatch):
    monkeypatch.delenv("ODL_GEO_CHECK_THREADS", raising=False)
    for cores, children, expected in ((1, 0, 1), (2, 0, 2), (2, 1, 1), (2, 3, 1), (4, 1, 3), (16, 2, 14)):
        monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        monkeypatch.setattr(runner, "_children", lambda k=children: k)
        assert runner.default_workers() == expected


def test_a_forked_child_is_counted_while_it_runs():
    before = runner._children()
    pid = os.fork()
    if pid == 0:  # the child: stays until killed
        time.sleep(30)
        os._exit(0)
    try:
        assert runner._children() == before + 1
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert runner._children() == before


def test_the_environment_sets_the_threads_for_a_comparison(monkeypatch):
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(runner, "_children", lambda: 1)
    for value, expected in (("2", 2), (" 4 ", 4), ("1", 1), ("0", 1), ("deux", 1), ("-3", 1), ("", 1)):
        monkeypatch.setenv("ODL_GEO_CHECK_THREADS", value)
        assert runner.default_workers() == expected


def test_beside_a_child_on_two_cores_the_families_run_in_the_calling_thread_with_the_pools_issues(monkeypatch):
    frame = _frame()
    pooled = runner.run_checks(CheckContext(frame, "couche"), None, workers=2)

    started: list[int] = []

    class NoPool:
        def __init__(self, *args: object, **kwargs: object) -> None:
            started.append(1)
            raise AssertionError("a thread pool on two cores")

    monkeypatch.setattr(runner, "ThreadPoolExecutor", NoPool)
    monkeypatch.delenv("ODL_GEO_CHECK_THREADS", raising=False)
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(runner, "_children", lambda: 1)
    alone = runner.run_checks(CheckContext(frame, "couche"), None)
    assert not started
    assert [(i.code, i.message, i.examples) for i in alone.issues] == [
        (i.code, i.message, i.examples) for i in pooled.issues
    ]
    assert {"DUPLICATE_ID", "DATE_NOT_ISO", "TEXT_ENCODING_DAMAGED"} <= set(alone.fired)


def test_without_a_child_two_cores_run_the_families_in_a_pool_of_two(monkeypatch):
    sizes: list[int] = []
    real = runner.ThreadPoolExecutor

    def counting(max_workers: int, **kwargs: object) -> object:
        sizes.append(max_workers)
        return real(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(runner, "ThreadPoolExecutor", counting)
    monkeypatch.delenv("ODL_GEO_CHECK_THREADS", raising=False)
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1})
    monkeypatch.setattr(runner, "_children", lambda: 0)
    out = runner.run_checks(CheckContext(_frame(), "couche"), None)
    assert sizes == [2] and "DUPLICATE_ID" in out.fired
