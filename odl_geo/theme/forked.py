"""One standard format written by a forked child process while the run writes the others (the second core).

A streamed theme run writes its standard formats (``--to gpkg,geojson,csv``) from the spool after the pass. Each
writer is GDAL or Arrow code that holds Python's lock for the whole write (pyogrio's ``write_arrow``: a Python
thread beside it gets about 1 % of a core), so threads do not overlap two writes: a process does. Just after
the pass, before any thread of the outputs starts (the digests' hashing thread), the run forks a child that
writes the GeoPackage into the staging folder from the spool, while the parent writes GeoJSON and CSV. The
child inherits everything it needs (the spool's layer, the writer, GDAL's settings), copy-on-write, and sends
back through a pipe the files it wrote and what its writer noted (a value the format cannot hold...), or its
error; the parent puts them in the formats' order, so manifests and reports are those of a run writing the
formats one after the other, and the files are the same bytes (same code, same inputs).

When fork is not safe, the formats are written one after the other as before (:func:`fork_allowed`):

* not Linux (macOS: fork without exec breaks its system frameworks; Windows has no fork);
* not the main thread, or another Python thread alive: the QGIS plugin runs a conversion in a ``QgsTask``
  thread, and a lock held by another thread at fork time stays held for ever in the child (the command line's
  progress bar is the exception: rich's refresh thread holds only rich's locks, which the child never takes);
* Qt loaded (a QGIS or PyQt program has threads Python does not know of);
* ``ODL_GEO_FORK_FORMATS=0`` in the environment;
* no room for the child in the run's memory bar (:func:`room_for_child`: the child's own pages, GDAL's and the
  GeoPackage's spatial index, add to the run's resident set; issue 16's bar counts the processes together).

The native threads of a command-line run at that point are idle pools (OpenBLAS's, Arrow's CPU pool, which
restarts its workers in a forked child, the allocator's background thread): none holds a lock the child needs.

Failures: the child's error (disk full, GDAL error) is raised in the parent as the same exception, so the same
message and exit code as when the parent writes the format itself; a child that dies without a word (killed,
out of memory) is an :class:`~odl_geo.errors.OutputError`. On a cancel or any failure of the parent, the child is
killed and waited for before the staging folder is removed. Progress: the child reports nothing (its feedback
is silent); the parent says the format is written beside the others and, if its own formats end first, polls
for a cancel while it waits.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from ..errors import OdlGeoError, OutputError
from ..feedback import check_cancelled
from ..memory import in_own_arena

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..feedback import Feedback

__all__ = [
    "ENV_SWITCH",
    "MEMORY_BUDGET",
    "Claims",
    "ForkedTask",
    "KeptFrozen",
    "child_growth",
    "fork_allowed",
    "french_label",
    "room_for_child",
]

#: ``0`` writes the formats one after the other in the run's process (what a platform without fork does)
ENV_SWITCH = "ODL_GEO_FORK_FORMATS"
_POLL_SECONDS = 0.2
#: issue 16's bar for a run's memory, its processes together (the run's resident set + the child's own pages)
MEMORY_BUDGET = 400 << 20
#: what a GeoPackage child adds to the run's memory: its own pages (GDAL, SQLite's cache, the batches of rows it
#: holds, the spatial index's bulk load) and the run's growth while it writes its own formats meanwhile. Since the
#: child works in a malloc arena of its own (:func:`odl_geo.memory.in_own_arena`, twelfth session) and the point
#: layers' bulk-loaded index keeps its rows' leaves on disk (``exports.gpkg_rtree``, fourteenth session: it held
#: 4 bytes a point and the index's parents as Python tuples, ~32 MB at 5M points), what grows is the width of the
#: rows it holds, not their count. Measured with the fork forced (the run's resident set at the fork -> the
#: processes together at most, quiet machine, fourteenth session): water 1M (170 bytes of spool a row) 225 -> 343
#: MB with the report maps' child beside it, water 5M (171) 241 -> 333 (+93), PEI 1M (253) 246 -> 347 (+100), PEI
#: 5M (254) 276 -> 366 (+90); lines: hiking 100k 269 -> 391 MB (+122), hiking 1M 273 -> 392 MB (+119; GDAL builds
#: a line layer's index in memory, up to 64 MB: :data:`CHILD_FIXED_SHAPES` and 2 bytes a feature). This estimate:
#: 90 MB and 80,000 rows of the spool's width: water +103, PEI +109 at any size (PEI 5M forks at 276 MB: its
#: GeoPackage beside its GeoJSON and CSV), a layer of 1 kB rows +166.
CHILD_FIXED = 90 << 20
CHILD_FIXED_SHAPES = 130 << 20
CHILD_PER_FEATURE = 2
CHILD_SPOOL_ROWS = 80_000


def fork_allowed() -> bool:
    """True when forking now cannot leave the child with a lock held by another thread (see the module's notes)."""
    if os.environ.get(ENV_SWITCH, "1") == "0":
        return False
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    if threading.current_thread() is not threading.main_thread() or _other_threads():
        return False
    return not any(name in sys.modules for name in ("PyQt5.QtCore", "PyQt6.QtCore", "qgis.core"))


def room_for_child(features: int, points: bool = True, spooled_bytes: int = 0) -> bool:
    """True when the run's memory now, with what a child writing ``features`` rows (of points, or else of
    lines, polygons or no geometry; ``spooled_bytes`` of spool) adds, stays within :data:`MEMORY_BUDGET`; else
    the formats are written one after the other (no more memory than the pass's)."""
    resident = _resident()
    if resident is None:
        return False
    return resident + child_growth(features, points, spooled_bytes) <= MEMORY_BUDGET


def child_growth(features: int, points: bool = True, spooled_bytes: int = 0) -> int:
    """Bytes a standard formats' child writing ``features`` rows (``spooled_bytes`` of spool) adds to the run's
    memory, the run's own growth meanwhile included (see :data:`CHILD_FIXED`)."""
    if points:  # the width of the rows held (bytes of spool a row), whatever their count
        return CHILD_FIXED + CHILD_SPOOL_ROWS * max(spooled_bytes, 0) // max(features, 1)
    return CHILD_FIXED_SHAPES + CHILD_PER_FEATURE * max(features, 0)


def _resident() -> int | None:
    """This process's resident set in bytes (Linux's /proc), None where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _other_threads() -> int:
    """Python threads alive besides the main one, but for the command line's progress bar: rich's refresh
    thread only takes rich's own locks and writes to the terminal, which the child never does (its standard
    streams are new objects on the same descriptors, :func:`_child`)."""
    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    return sum(1 for t in others if not _progress_bar(t))


def _progress_bar(thread: threading.Thread) -> bool:
    cls = type(thread)
    return cls.__name__ == "_RefreshThread" and cls.__module__ == "rich.live"


#: the French of what a child writes, after « L'écriture » (:func:`french_label`)
_LABELS_FR = {
    "products": "des produits",
    "standard formats": "des formats standard",
    "report's maps": "des cartes du rapport",
}
#: the hint of a child that died without a word, in French
_HINT_FR = "Vérifiez la mémoire et l'espace disque libres, puis relancez la commande."
#: the attributes of an OdlGeoError that say it (the texts of its two languages, a server's status)
_TEXTS = ("message", "hint", "details", "message_fr", "hint_fr", "status")


def french_label(label: str) -> str:
    """What a child writes (its ``label``) as the French says it after « L'écriture » : « des produits », or, for a
    format's name (« GeoPackage »), « du GeoPackage »."""
    return _LABELS_FR.get(label, f"du {label}")


class Claims:
    """Numbers of the tasks still to do, each taken once by whichever process is free first (parent or child).

    A pipe filled with one byte per task, its writing end closed, then shared by the fork: a one-byte read is
    atomic between processes, and an empty pipe reads as its end (no task left).
    """

    def __init__(self, tasks: list[int]) -> None:
        if any(not 0 <= t < 256 for t in tasks):
            raise ValueError("task numbers are bytes")
        read, write = os.pipe()
        try:
            os.write(write, bytes(tasks))  # a handful of bytes: far below a pipe's buffer
        finally:
            os.close(write)
        self._read: int | None = read

    def take(self) -> int | None:
        """The next task's number, None when none is left."""
        if self._read is None:
            return None
        data = os.read(self._read, 1)
        if not data:
            self.close()
            return None
        return data[0]

    def close(self) -> None:
        if self._read is not None:
            os.close(self._read)
            self._read = None


class KeptFrozen:
    """While held, the objects frozen at a fork (:meth:`ForkedTask._start`) stay frozen when its child ends, until
    :meth:`release` (the last one held thaws them).

    A streamed theme run forks the pass's child, then, after the pass, the GeoPackage's writer and the report map's
    drawer. Thawed when the pass's child ends, every object of the run would be visited again by the collection
    that precedes the next fork (~0.1-0.2 s of a water 100k run's critical path, between the pass and the
    formats); kept frozen, that collection visits only the objects made since. A child still running (the map's)
    keeps its pages shared meanwhile. Garbage cycles among the frozen objects wait for :meth:`release`."""

    held = 0
    _lock = threading.Lock()  # the QGIS plugin converts in threads (it never forks: nothing is frozen there)

    def __init__(self) -> None:
        with KeptFrozen._lock:
            KeptFrozen.held += 1
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            with KeptFrozen._lock:
                KeptFrozen.held -= 1
                if not KeptFrozen.held:
                    gc.unfreeze()


class ForkedTask:
    """``work()`` run in a forked child; :meth:`result` is its return value, or raises its exception.

    Call only when :func:`fork_allowed`. The child never returns into the caller's code: it ends with
    ``os._exit`` (no ``atexit``, no ``finally`` of the parent's frames, no cleanup of the staging folder).
    """

    def __init__(self, work: Callable[[], Any], label: str) -> None:
        self._start(work, label)

    def _start(self, work: Callable[[], Any], label: str) -> None:
        """Fork the child running ``work`` (a subclass's ``__init__`` too: :mod:`odl_geo.theme.pass_child`)."""
        self.label = label
        for stream in (sys.stdout, sys.stderr):  # what is buffered is the parent's to print, once
            with contextlib.suppress(AttributeError, OSError, ValueError):
                stream.flush()
        gc.collect()  # the pass's garbage freed before its pages are shared with the child
        # the objects alive now out of the collector's sight until the child is done: a collection (in the child,
        # or in the run's process) writes into every object it visits, and each page written then is copied,
        # counted once more in the run's memory (the child's unique pages)
        gc.freeze()
        read, write = os.pipe()
        try:
            self.pid: int | None = os.fork()
        except OSError:  # no child (a process limit, no memory for its tables): the caller writes it itself
            os.close(read)
            os.close(write)
            if not KeptFrozen.held:
                gc.unfreeze()
            raise
        if self.pid == 0:  # the child
            os.close(read)
            _child(work, write)  # never returns
        os.close(write)
        self._read = read

    def result(self, feedback: Feedback | None = None) -> Any:
        """Wait for the child (a cancel asked of ``feedback`` meanwhile kills it) and return what it returned."""
        chunks: list[bytes] = []
        try:
            while True:
                if feedback is not None:
                    check_cancelled(feedback, "Writing")
                ready, _, _ = select.select([self._read], [], [], _POLL_SECONDS)
                if not ready:
                    continue
                data = os.read(self._read, 1 << 16)
                if not data:
                    break
                chunks.append(data)
        except BaseException:
            self.stop()
            raise
        status = self._wait()
        try:
            kind, value = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - nothing or a part of it: the child died before it could answer
            raise OutputError(
                f"Writing the {self.label} stopped unexpectedly (its process ended with status {status}).",
                "Check free memory and disk space, then run the command again.",
                message_fr=f"L'écriture {french_label(self.label)} s'est arrêtée de façon inattendue (son processus "
                f"s'est terminé avec le code {status}).",
                hint_fr=_HINT_FR,
            ) from None
        if kind == "ok":
            return value
        raise _rebuilt(value)

    def stop(self) -> None:
        """Kill the child (if still running) and wait for it; nothing of it is left running."""
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self._wait()

    def _wait(self) -> int:
        status = 0
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            os.close(self._read)
            if not KeptFrozen.held:  # nothing shared any more: the collector sees every object again
                gc.unfreeze()
        return os.waitstatus_to_exitcode(status)


def _child(work: Callable[[], Any], fd: int) -> None:
    """The child's whole life: do the work, send its outcome, exit without running any of the parent's cleanup."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it kills the child
        # new stream objects: a lock of the old ones may be held by a thread of the parent (the progress bar's)
        sys.stdout = open(1, "w", closefd=False, encoding="utf-8", errors="replace")  # noqa: SIM115
        sys.stderr = open(2, "w", closefd=False, encoding="utf-8", errors="replace")  # noqa: SIM115
        try:
            # its allocations in fresh pages, not in the parent's heap it shares (each page written is copied)
            outcome: tuple[str, Any] = ("ok", in_own_arena(work))
        except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it as its own
            outcome = ("error", _portable(exc))
        payload = pickle.dumps(outcome)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        os.close(fd)
    except BaseException:  # noqa: BLE001 - the parent is told by the missing answer and this status
        code = 1
    finally:
        os._exit(code)


def _portable(exc: BaseException) -> tuple[type[BaseException], tuple[Any, ...], dict[str, Any]] | str:
    """An exception as its class, arguments and attributes (OdlGeoError's message, hint and details, in English
    and in French), when they survive pickling; an OdlGeoError whose other attributes do not, as its class and
    texts only; else its text."""
    state = (type(exc), exc.args, dict(getattr(exc, "__dict__", {})))
    try:
        pickle.loads(pickle.dumps(state))
    except Exception:  # noqa: BLE001 - any failure to pickle: the text goes instead
        if isinstance(exc, OdlGeoError):
            texts = {k: v for k, v in vars(exc).items() if k in _TEXTS and isinstance(v, (str, int, type(None)))}
            state = (type(exc), (exc.message,), texts)
            with contextlib.suppress(Exception):
                pickle.loads(pickle.dumps(state))
                return state
        return f"{type(exc).__name__}: {exc}"
    return state


def _rebuilt(value: tuple[type[BaseException], tuple[Any, ...], dict[str, Any]] | str) -> BaseException:
    if isinstance(value, str):
        return OutputError(
            f"Writing a standard format failed: {value}.",
            "Check the output folder.",
            message_fr=f"L'écriture d'un format standard a échoué : {value}.",
            hint_fr="Vérifiez le dossier de sortie.",
        )
    cls, args, attributes = value
    if issubclass(cls, OdlGeoError):
        exc: BaseException = cls.__new__(cls)
        exc.args = args
        exc.__dict__.update(attributes)
        return exc
    try:
        exc = cls(*args)
    except Exception:  # noqa: BLE001 - a class that cannot be rebuilt from its arguments
        return OutputError(
            f"Writing a standard format failed: {cls.__name__}: {args}.",
            "Check the output folder.",
            message_fr=f"L'écriture d'un format standard a échoué : {cls.__name__} : {args}.",
            hint_fr="Vérifiez le dossier de sortie.",
        )
    exc.__dict__.update(attributes)
    return exc
