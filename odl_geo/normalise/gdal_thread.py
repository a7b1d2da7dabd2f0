"""GDAL's side of a layer stream: the read-ahead thread, and telling GDAL's warnings from everyone else's.

pyogrio turns GDAL's warnings into ``RuntimeWarning``s raised in the thread that runs GDAL. A stream reads in
a thread of its own (:func:`read_ahead`) while the caller's thread normalises batches with numpy, shapely and
pyproj (:func:`own_code`) and, for most formats, runs GDAL's writer (``write_arrow`` pulls the batches). So
which thread raised a warning, and whether odl-geo's own code was running in it, says whose warning it is.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import warnings
from typing import TYPE_CHECKING, Self, TextIO

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from types import TracebackType

    import pyarrow as pa

__all__ = ["GdalWarnings", "own_code", "read_ahead"]

_state = threading.local()


@contextlib.contextmanager
def own_code() -> Iterator[None]:
    """Mark odl-geo's own work in this thread (normalising a batch): warnings raised meanwhile are not GDAL's."""
    before = getattr(_state, "own", False)
    _state.own = True
    try:
        yield
    finally:
        _state.own = before


class GdalWarnings:
    """Collect the warnings GDAL raises, and only those, into :attr:`messages`.

    GDAL's are the ``RuntimeWarning``s of the thread named ``reader_thread``, those of this thread while
    :meth:`in_this_thread` is on (opening a layer), and, with ``this_thread`` (a writer), those of this thread
    outside :func:`own_code`. Everything else goes on, untouched, to the warning handling in place before.

    Captures overlap without nesting: a stream's (held by its suspended generator) opens when the writer pulls
    the first batch and may close after the writer's. So they do not each swap ``warnings.showwarning``, whose
    save-and-restore only works nested: while any is open, one dispatcher hands each warning to the capture
    that claims it (an explicit claim over a writer's), and the state before the first is put back after the
    last.
    """

    def __init__(self, reader_thread: str | None = None, *, this_thread: bool = False) -> None:
        self.messages: list[str] = []
        self._reader_thread = reader_thread
        self._owner = threading.current_thread()
        self._writer = this_thread
        self._opening = False

    def __enter__(self) -> Self:
        _open(self)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        _close(self)

    @contextlib.contextmanager
    def in_this_thread(self) -> Iterator[None]:
        self._opening = True
        try:
            yield
        finally:
            self._opening = False

    def claim(self) -> int:
        """How surely a RuntimeWarning raised now is GDAL's for this capture: 0 not, 1 a writer's, 2 surely."""
        thread = threading.current_thread()
        if thread is not self._owner:
            return 2 if self._reader_thread is not None and thread.name == self._reader_thread else 0
        if getattr(_state, "own", False):
            return 0
        return 2 if self._opening else int(self._writer)


_lock = threading.Lock()
_captures: list[GdalWarnings] = []
_saved: list[tuple[warnings.catch_warnings[None], object]] = []  # the state before the first capture


def _open(capture: GdalWarnings) -> None:
    with _lock:
        if not _captures:
            catch = warnings.catch_warnings()
            catch.__enter__()
            warnings.filterwarnings("always", category=RuntimeWarning)  # GDAL says each thing once per layer
            _saved.append((catch, warnings.showwarning))
            warnings.showwarning = _dispatch
        _captures.append(capture)


def _close(capture: GdalWarnings) -> None:
    with _lock:
        if capture in _captures:
            _captures.remove(capture)
        if not _captures and _saved:
            catch, _ = _saved.pop()
            catch.__exit__(None, None, None)


def _dispatch(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if issubclass(category, RuntimeWarning):
        claims = [(c.claim(), n, c) for n, c in enumerate(list(_captures))]
        best = max(claims, key=lambda t: (t[0], t[1]), default=None)
        if best is not None and best[0]:
            best[2].messages.append(str(message))
            return
    passed_on = _saved[-1][1] if _saved else warnings._showwarning_orig  # type: ignore[attr-defined]
    passed_on(message, category, filename, lineno, file, line)  # type: ignore[operator]


def read_ahead(reader: Iterable[pa.RecordBatch], name: str) -> Iterator[pa.RecordBatch]:
    """The batches of ``reader``, the next one read by GDAL in a thread while the caller works on this one.

    Reading (GDAL decoding the source, the GIL released) then overlaps normalising and writing. The
    thread only reads: everything else, reports and warnings included, stays in the caller's thread.
    At most one batch waits read ahead; the thread is stopped and joined when the caller stops early.
    """
    ahead: queue.Queue[object] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: object) -> None:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def work() -> None:
        _gdal_messages_as_warnings()
        try:
            for batch in reader:
                if stop.is_set():
                    return
                put(batch)
        except BaseException as exc:  # noqa: BLE001 - handed over to the caller's thread
            put(exc)
        else:
            put(_END)

    thread = threading.Thread(target=work, name=name, daemon=True)
    thread.start()
    try:
        while True:
            item = ahead.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


_END = object()


def _gdal_messages_as_warnings() -> None:
    """Route GDAL's messages in this (new) thread to Python warnings, as pyogrio does in the thread importing it.

    GDAL error handlers are per thread: without this, the warnings GDAL raises while the read-ahead thread
    decodes the layer ("Ignoring invalid WKT") are printed raw on stderr and missing from the report.
    pyogrio has no public call for it; when its private one is gone, the messages are only printed.
    """
    from pyogrio import _err

    register = getattr(_err, "_register_error_handler", None)
    if register is not None:
        register()
