"""What makes a scheduled run cron-friendly: one run at a time, nothing redone when nothing changed, a journal.

- A lock file (``fcntl.flock``, released by the kernel if the process dies) keeps two runs of a job apart.
- A dataset's fingerprint covers its source files (content), the files its options name (mapping, styles...), its
  table in the job file and odl-geo's version; when it equals the last successful run's and the outputs are still
  there, the dataset is skipped: no conversion, no request to any server.
- The journal is one JSON object per line, appended, never holding a secret (the runner redacts what it writes).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..errors import InputError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from .jobfile import Dataset

__all__ = ["STATE_NAME", "JobLocked", "append_journal", "fingerprint", "job_lock", "read_state", "write_state"]

STATE_NAME = ".odl-geo-job.json"  # in each dataset's folder


class JobLocked(InputError):
    """Another run of the same job holds the lock."""

    exit_code = 7


@contextmanager
def job_lock(folder: Path, job_name: str, *, write: bool = True) -> Iterator[None]:
    """Hold ``folder/.odl-geo-job.lock`` for the run.

    :param write: False for a dry run, which writes nothing: no folder, no lock file is created; an existing lock
        file is only read (a shared lock, so that a dry run still says when a real run is in progress).
    :raises JobLocked: another run holds it (cron started the next run before this one ended).
    """
    path = folder / ".odl-geo-job.lock"
    if not write and not path.is_file():
        yield
        return
    if write:
        folder.mkdir(parents=True, exist_ok=True)
    with path.open("a+" if write else "r") as fh:
        try:
            fcntl.flock(fh, (fcntl.LOCK_EX if write else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            written = fh.read().strip()  # "pid 1234 since 2024-05-02T03:00:01", written below
            holder = written or "another process"
            holder_fr = written.replace(" since ", " depuis ", 1) if written else "un autre processus"
            raise JobLocked(
                f"The job {job_name!r} is already running ({holder}).",
                "Wait for it to end; if no odl-geo process runs, the lock is released by itself.",
                message_fr=f"La tâche {job_name!r} est déjà en cours ({holder_fr}).",
                hint_fr="Attendez qu'elle se termine ; si aucun processus odl-geo ne tourne, le verrou se libère "
                "tout seul.",
            ) from None
        if not write:
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
            return
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%S')}")
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _hash_file(h: Any, path: Path) -> None:
    h.update(path.name.encode())
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)


def _source_files(source: Path) -> list[Path]:
    """The files a source is made of: a Shapefile's sidecars, a folder's files; sorted, stable."""
    if source.is_dir():
        return sorted(p for p in source.rglob("*") if p.is_file() and not p.name.startswith(".odl-geo"))
    if source.suffix.lower() in (".shp", ".dbf", ".tab", ".mif"):
        return sorted(p for p in source.parent.glob(source.stem + ".*") if p.is_file())
    return [source] if source.is_file() else []


def fingerprint(dataset: Dataset, named_files: list[Path]) -> str:
    """sha256 over the dataset's inputs (see the module docstring); files named in options count by content."""
    h = hashlib.sha256(__version__.encode())
    h.update(json.dumps(dataset.table, sort_keys=True, default=str, ensure_ascii=False).encode())
    for path in [*_source_files(dataset.source), *sorted(set(named_files))]:
        if path.is_file():
            _hash_file(h, path)
        elif path.is_dir():
            for p in _source_files(path):
                _hash_file(h, p)
    return h.hexdigest()


def read_state(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(folder: Path, state: dict[str, Any]) -> None:
    """Atomically (a cut run leaves the previous state, so the next run redoes the work)."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (STATE_NAME + ".tmp")
    tmp.write_text(json.dumps(state, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, folder / STATE_NAME)


def append_journal(path: Path, entry: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **entry}, ensure_ascii=False, default=str)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
