"""The outputs' SHA-256 computed while the next outputs are being written (a streamed theme run).

``manifest.json`` records each output's size and SHA-256 (publishers re-upload what changed). A plain
conversion hashes its files once all are written; a streamed theme run writes its schema products first, then
the standard formats one after the other, each by code that holds Python's lock for the whole write. hashlib
releases that lock while it hashes, so a file hashed by one background thread as soon as it is complete costs the
run no time on a machine with a second core: only the last file is still hashed when the writing ends. Same
digests as :func:`~odl_geo.exports.manifest.fill_sizes_and_digests` (the same function hashes each file).

The thread also flushes each hashed file to disk (``fsync``): the swap into the output folder syncs every file
again before it moves them (:meth:`~odl_geo.exports.swap.Staging.commit`, unchanged), and then finds little left
to write (a 1M-feature run stages about 1.3 GB).
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Self

from ..exports.manifest import sha256_file

if TYPE_CHECKING:
    from pathlib import Path

    from ..exports.base import OutputFile

__all__ = ["Digests", "hash_written"]


class Digests:
    """Files of ``folder`` hashed in the background as they are declared complete (:meth:`add`).

    Use as a context manager: leaving it (a failure, a cancel) drops what is not started and waits for the file
    being hashed, so that no thread still reads the staging folder when it is removed.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="odl-geo-sha256")
        self._started: dict[str, Future[str]] = {}
        self._again: set[str] = set()  # written to again after it was hashed (a layer appended): hashed at the end

    def add(self, files: list[OutputFile]) -> None:
        """``files`` are complete: hash them now (a file named again is hashed again, once the writing ends); a
        file hashed already by the process that wrote it (:func:`hash_written`) keeps its digest."""
        for f in files:
            if f.path in self._started:
                self._again.add(f.path)
            elif f.sha256:
                done: Future[str] = Future()
                done.set_result(f.sha256)
                self._started[f.path] = done
            else:
                self._started[f.path] = self._pool.submit(_hash_and_flush, self.folder / f.path)

    def fill(self, files: list[OutputFile]) -> None:
        """Set ``size`` and ``sha256`` of each of ``files`` (those never declared are hashed here)."""
        for f in files:
            path = self.folder / f.path
            started = self._started.get(f.path)
            digest = started.result() if started is not None and f.path not in self._again else sha256_file(path)
            f.size, f.sha256 = path.stat().st_size, digest

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def hash_written(files: list[OutputFile], folder: Path) -> None:
    """Hash and flush ``files`` of ``folder`` now, in the process that has just written them (a forked format
    writer, :mod:`odl_geo.theme.forked`): their ``sha256`` and ``size`` set, which :meth:`Digests.add` keeps.

    The run's process learns of a child's files when the child is done with all of its formats: hashed then, the
    GeoPackage (and a CSV the child took after it) were hashed and flushed after the last format was written, on
    the run's critical path (PEI 1M: ~1-2 s); hashed by the child, each is hashed while the run writes its own."""
    for f in files:
        path = folder / f.path
        f.sha256, f.size = _hash_and_flush(path), path.stat().st_size


def _hash_and_flush(path: Path) -> str:
    digest = sha256_file(path)
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # the swap syncs the file again, and says what is wrong
        pass
    return digest
