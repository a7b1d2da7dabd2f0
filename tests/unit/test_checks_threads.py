"""How many threads the check families run in by default: the cores this process may use, less one (the run's
other process, the pass's child or the forked writer, has the last one), so on two cores the families run one
after the other in the calling thread; with more cores in a pool, with the same issues as one thread."""

from __future__ import annotations

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


def test_two_cores_give_one_thread_and_more_cores_one_less(monkeypatch):
    monkeypatch.delenv("ODL_GEO_CHECK_THREADS", raising=False)
    for cores, expected in ((1, 1), (2, 1), (4, 3), (16, 15)):
        monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)))
        assert runner.default_workers() == expected


def test_the_environment_sets_the_threads_for_a_comparison(monkeypatch):
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1})
    for value, expected in (("2", 2), (" 4 ", 4), ("1", 1), ("0", 1), ("deux", 1), ("-3", 1), ("", 1)):
        monkeypatch.setenv("ODL_GEO_CHECK_THREADS", value)
        assert runner.default_workers() == expected


def test_on_two_cores_the_families_run_in_the_calling_thread_with_the_pools_issues(monkeypatch):
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
    alone = runner.run_checks(CheckContext(frame, "couche"), None)
    assert not started
    assert [(i.code, i.message, i.examples) for i in alone.issues] == [
        (i.code, i.message, i.examples) for i in pooled.issues
    ]
    assert {"DUPLICATE_ID", "DATE_NOT_ISO", "TEXT_ENCODING_DAMAGED"} <= set(alone.fired)


def test_with_four_cores_the_families_run_in_a_pool_of_three(monkeypatch):
    sizes: list[int] = []
    real = runner.ThreadPoolExecutor

    def counting(max_workers: int, **kwargs: object) -> object:
        sizes.append(max_workers)
        return real(max_workers=max_workers, **kwargs)

    monkeypatch.setattr(runner, "ThreadPoolExecutor", counting)
    monkeypatch.delenv("ODL_GEO_CHECK_THREADS", raising=False)
    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    out = runner.run_checks(CheckContext(_frame(), "couche"), None)
    assert sizes == [3] and "DUPLICATE_ID" in out.fired
