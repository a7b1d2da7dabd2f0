"""Where a job's datasets run: in this process, in worker processes (``--jobs N``), or on a Dask cluster.

The unit of work is always **one dataset**: its steps run in order in one place (convert, then each publish
step), never split, so a very large layer stays one task and streams (memory stays one batch deep). Datasets are
independent (each has its own output folder, state file and remote objects), so they can run side by side.

What stays with the process that called ``odl-geo run`` whatever the executor:

- the job's lock (one run per job: workers never take it, the caller holds it for the whole run);
- the journal: with workers, each dataset's entries come back with its outcome and are appended here, by one
  writer, when the dataset ends (a dataset cut by a dead worker leaves no half-written line; its retry writes
  its own).

Tasks are shipped with cloudpickle (the CLI's step runner is a closure over the parsed job). A dataset retried
after a lost worker runs again from its first step: conversions write their outputs atomically and publishers
create-or-update, so the retry converges on the same published state (``docs/scaling.md``).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from .runner import DatasetOutcome

__all__ = ["DaskExecutor", "Executor", "ProcessExecutor", "SerialExecutor", "failed_outcome"]


class Executor(Protocol):
    """Runs dataset tasks; yields (dataset name, outcome) as each one ends, in any order."""

    #: True when tasks run in this process and append to the journal themselves as each step ends
    in_process: bool

    def run(self, tasks: Sequence[tuple[str, Callable[[], DatasetOutcome]]]) -> Iterator[DatasetOutcome]: ...


def failed_outcome(name: str, exc: BaseException) -> DatasetOutcome:
    """A dataset whose task died (worker process killed, a bug): failed with exit code 1, the reason said."""
    from .runner import DatasetOutcome

    message = f"{type(exc).__name__}: {exc}"[:500]
    step = {"step": "worker", "code": 1, "summary": f"the worker running it failed: {message}", "seconds": 0.0,
            "summary_fr": f"le processus qui le traitait a échoué : {message}"}  # fmt: skip
    return DatasetOutcome(name, "failed", [step], 1)


class SerialExecutor:
    """One dataset after another in this process (the default; what ``--jobs 1`` means)."""

    in_process = True

    def run(self, tasks: Sequence[tuple[str, Callable[[], DatasetOutcome]]]) -> Iterator[DatasetOutcome]:
        for _name, task in tasks:
            yield task()


def _call_pickled(blob: bytes) -> DatasetOutcome:
    import cloudpickle

    task = cloudpickle.loads(blob)
    outcome: DatasetOutcome = task()
    return outcome


#: imported once by the fork server, so that workers start with them loaded
PRELOAD = ["odl_geo.cli.main", "odl_geo.conversion", "odl_geo.theme", "odl_geo.cli.job_command", "cloudpickle"]


class ProcessExecutor:
    """At most ``jobs`` datasets at a time, each in a worker process of this machine (``--jobs N``).

    Workers are forked from a ``forkserver`` that imported the conversion modules once (a worker then starts
    without importing GDAL, pandas and pyproj again), never from this process: a fork of a process holding GDAL
    state or a progress thread can deadlock.
    """

    in_process = False

    def __init__(self, jobs: int) -> None:
        if jobs < 1:
            raise InputError(
                f"--jobs {jobs}: at least one worker is needed.",
                "Give --jobs 1 or more.",
                message_fr=f"--jobs {jobs} : il faut au moins un processus de travail (worker).",
                hint_fr="Indiquez --jobs 1 ou plus.",
            )
        self.jobs = jobs

    def run(self, tasks: Sequence[tuple[str, Callable[[], DatasetOutcome]]]) -> Iterator[DatasetOutcome]:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        import cloudpickle

        if not tasks:
            return
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        pool = ProcessPoolExecutor(max_workers=min(self.jobs, len(tasks)), mp_context=context)
        try:
            futures = {pool.submit(_call_pickled, cloudpickle.dumps(task)): name for name, task in tasks}
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as exc:  # noqa: BLE001 - a dead worker fails its dataset, not the job
                    yield failed_outcome(futures[future], exc)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Each dataset a task on a Dask distributed cluster (``--executor dask --scheduler tcp://HOST:PORT``).

    Workers need the same odl-geo version and the job's paths (sources, output folder, credentials file) on
    shared storage at the same path. A task lost with its worker is run again by the scheduler (Dask's
    ``distributed.scheduler.allowed-failures``); ``retries`` more times when it raised.
    """

    in_process = False

    def __init__(self, scheduler: str, retries: int = 2, timeout: float = 30.0) -> None:
        if not scheduler:
            raise InputError(
                "--executor dask needs the scheduler's address.",
                "Add --scheduler tcp://HOST:8786.",
                message_fr="--executor dask demande l'adresse de l'ordonnanceur Dask.",
                hint_fr="Ajoutez --scheduler tcp://HOST:8786.",
            )
        self.scheduler, self.retries, self.timeout = scheduler, retries, timeout

    def run(self, tasks: Sequence[tuple[str, Callable[[], DatasetOutcome]]]) -> Iterator[DatasetOutcome]:
        try:
            from distributed import Client, as_completed
        except ImportError:
            raise InputError(
                "--executor dask needs Dask distributed, which is not installed.",
                'Install the extra: pip install "odl-geo[dask]" (same version on every worker).',
                message_fr="--executor dask demande Dask distributed, qui n'est pas installé.",
                hint_fr='Installez l\'extra : pip install "odl-geo[dask]" (la même version sur chaque worker Dask).',
            ) from None
        from ..errors import NetworkError

        try:
            client = Client(self.scheduler, timeout=self.timeout)  # as_completed looks for the default client
        except (OSError, TimeoutError) as exc:
            raise NetworkError(
                f"Cannot reach the Dask scheduler at {self.scheduler} ({type(exc).__name__}).",
                "Check the address and that the scheduler runs (dask scheduler; dask worker tcp://...).",
                message_fr=f"L'ordonnanceur Dask {self.scheduler} est injoignable ({type(exc).__name__}).",
                hint_fr="Vérifiez l'adresse et que l'ordonnanceur tourne (dask scheduler ; dask worker tcp://...).",
            ) from None
        run_id = secrets.token_hex(4)
        try:
            futures: dict[Any, str] = {}
            for name, task in tasks:
                future = client.submit(task, key=f"odl-geo-{name}-{run_id}", retries=self.retries, pure=False)
                futures[future] = name
            for future in as_completed(list(futures)):
                try:
                    yield future.result()
                except Exception as exc:  # noqa: BLE001 - a task that failed after its retries fails its dataset
                    yield failed_outcome(futures[future], exc)
        finally:
            client.close()
