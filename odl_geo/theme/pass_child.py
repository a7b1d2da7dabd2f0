"""The second half of a streamed theme pass in a forked child process: validation, products, spool (second core).

A streamed run (:mod:`odl_geo.theme.stream`) does, per chunk: read, conform, anonymise, check (the checks' carry
makes these sequential), then validate (and ``--drop-invalid``), write the products and spool the final rows.
That second half depends on nothing later chunks do. When the layer is several chunks and forking is safe
(:func:`~odl_geo.theme.forked.fork_allowed`), the run forks, before its first thread starts (the reader's, the
checks' pool), a child that takes each checked chunk through a pipe (pickle protocol 5: dtypes, NaN/None, Arrow
strings and geometries as shapely's WKB, exact), validates it, leaves out the invalid rows, writes the products
and spools the rows; it answers with the chunk's report (the checks' findings and the validation's, the errors
left out marked as such) and the rows kept. Meanwhile the run reads and checks the next chunk.

Order: the run merges chunk ``i``'s reports when the child answers for it, before chunk ``i + 1``'s, so the report
is the one of a one-process run. In flight: the chunk the child works on and the one the run checks (memory: two
chunks, as one process holding a chunk and its validation). The run waits for the child's answer on chunk ``i``
before sending it chunk ``i + 1``: the child is then always reading when the run writes (no deadlock on the pipes).

At the end the child closes the products (their files' descriptions), and sends the spool's description (its
Arrow files are in the staging folder: the run's own :class:`~odl_geo.theme.spool.LayerSpool` takes it), the
producers and INSEE codes it saw. Its error is raised in the run as the same exception (same message and exit
code: :class:`~odl_geo.theme.forked.ForkedTask`); a child dead without a word is an
:class:`~odl_geo.errors.OutputError`; on a cancel or any failure of the run the child is killed and waited for
before the staging folder goes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NoReturn

from ..errors import OutputError
from ..feedback import check_cancelled
from .forked import ForkedTask, french_label

if TYPE_CHECKING:
    from pathlib import Path

    from ..checks.areas import Area
    from ..exports.base import OutputFile
    from ..feedback import Feedback
    from ..profiles.base import ProductSink, Profile, ThemeDataset
    from ..report import Issue, Report
    from .run import LayerResult
    from .spool import LayerSpool

__all__ = [
    "ENV_SWITCH",
    "IDLE_CORE",
    "LABEL",
    "PASS_MAX_CELLS",
    "PassChild",
    "PassEnd",
    "idle_cores",
    "room_for_pass",
    "second_core_free",
]

#: what the run's error says stopped when the child dies without a word ("Writing the products stopped...")
LABEL = "products"
#: ``1``: the pass on two processes wherever it fits; ``0``: one process (the standard formats' child is forked
#: either way); unset: two processes when the machine has a second core it is not using (:func:`second_core_free`).
#: The child costs CPU (+10-30 %: pickling both ways, copy-on-write pages) and gives wall time only on a free
#: core: on a quiet machine water 1M ran in 23.1-24.1 s against 27.7-28.8 s in one process (plain 16.3-18.5 s),
#: at load 3-5 it was slower (docs/performance.md, "The pass on two processes"). ``ODL_GEO_FORK_FORMATS=0`` turns
#: off both.
ENV_SWITCH = "ODL_GEO_FORK_PASS"
_LENGTH = struct.Struct("<Q")
#: the largest layer (declared features x source fields) whose pass forks a child: the two processes together stay
#: within issue 16's 400 MB bar. The child's own pages (its chunk, validation, the products' text, the pages of
#: the run it copies) are 50-80 MB, of which the run's process no longer holds the validation's ~30 MB, and the
#: run's own pass grows with the layer (its heap's free space, M's section of docs/performance.md). Since a layer
#: of several wide chunks is read in chunks of half ``--chunk-rows`` (``stream._chunk_size``), each process holds
#: half a chunk. Measured (the processes together, sampled every 0.1 s): PEI 1M x 17 fields (17M cells) 361 MB
#: forked (395-408 MB in whole chunks), hiking 1M x 30 (30M) 370 MB, water 5M x 9 (45M) 379 MB in halves and 394 MB
#: in the whole chunks of 20,000 a narrow layer keeps (seventh round, docs/performance.md); before the halves water
#: 1M x 9 370 MB, PEI 100k x 17 340 MB, hiking 100k 370 MB; PEI 5M x 17 (85M) forked in halves to the end 381 MB
#: (eighth round: the pass's child and the formats after it, the processes together; 386 MB at most over its first
#: ~95 % in the seventh). Not measured forked: layers between 30M and 85M cells but water 5M (hiking 1-2.8M)
PASS_MAX_CELLS = 85_000_000


def room_for_pass(features: int, fields: int) -> bool:
    """True when a layer of ``features`` x ``fields`` may have its pass on two processes: it fits the memory bar
    (:data:`PASS_MAX_CELLS`) and the switch says so, or, unset, a second core is free (:func:`second_core_free`)."""
    switch = os.environ.get(ENV_SWITCH, "")
    if switch == "0" or features * max(fields, 1) > PASS_MAX_CELLS:
        return False
    return switch == "1" or second_core_free()


def second_core_free() -> bool:
    """The run may use one more core: it may run on two or more, and fewer processes than those cores were
    runnable on average over the last minute (the run itself is one of them), or, when that average says the
    cores were taken, the machine's processors are idle now by a core's worth at least (:func:`idle_cores`).

    A child beside a busy machine only adds its overhead: the cores are shared, the pass is not shorter. The
    one-minute load lags: right after a command that kept the cores busy (a conversion just before, a job's
    previous dataset) it still reads 1.5-2.4 on two idle cores, and a 5M-point pass on one process took 1.60x
    the plain conversion where two processes take 1.40x (docs/performance.md, fourteenth session)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux: fork_allowed says no anyway
        cores = os.cpu_count() or 1
    if cores < 2:
        return False
    try:
        if os.getloadavg()[0] < cores:
            return True
    except OSError:  # no load average to read: no child, as on a busy machine
        return False
    return idle_cores() >= IDLE_CORE


#: the idle processor time, in cores, that makes a second core free when the load average says otherwise
IDLE_CORE = 0.8
#: how long :func:`idle_cores` watches the processors
IDLE_SAMPLE_SECONDS = 0.25


def idle_cores(seconds: float = IDLE_SAMPLE_SECONDS) -> float:
    """How many of the machine's processors were idle over the next ``seconds`` (``/proc/stat``'s idle and
    I/O-wait time over all its time, times the processors online); 0 where it cannot be read."""
    import time

    def counters() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as fh:
            values = [int(v) for v in fh.readline().split()[1:9]]  # user .. steal; guest is counted in user
        return values[3] + values[4], sum(values)

    try:
        idle0, total0 = counters()
        time.sleep(seconds)
        idle1, total1 = counters()
    except (OSError, ValueError, IndexError):
        return 0.0
    if total1 <= total0:
        return 0.0
    return (os.cpu_count() or 1) * (idle1 - idle0) / (total1 - total0)


_POLL_SECONDS = 0.2


class _PassTask(ForkedTask):
    """A :class:`ForkedTask` of the pass (its own class: the standard formats' child is another one)."""

    def __init__(self, work: Any, label: str) -> None:
        self._start(work, label)


@dataclass
class _Found:
    """Producers and INSEE codes seen in the final rows (``stream._remember``'s target)."""

    producers: set[str] = field(default_factory=set)
    insee: set[str] = field(default_factory=set)


@dataclass
class PassEnd:
    """What the child leaves when the layer is done."""

    files: list[OutputFile]  # the products, closed
    spool: dict[str, object]  # LayerSpool.state()
    producers: set[str]
    insee: set[str]
    issues: list[Issue]  # what the products' sink added to the run's report (none today)


class PassChild:
    """The forked child of one streamed layer; the run calls :meth:`send`, :meth:`answer`, :meth:`finish`, and
    :meth:`stop` on any failure."""

    def __init__(
        self,
        profile: Profile,
        drop_invalid: bool,
        area: Area | None,
        source: Path,
        role: str,
        sink: ProductSink,
        spool: LayerSpool,
        report: Report,
    ) -> None:
        req_r, req_w = os.pipe()
        ans_r, ans_w = os.pipe()
        _widen(req_w)

        def work() -> PassEnd:  # in the child
            os.close(req_w)
            os.close(ans_r)
            return _serve(req_r, ans_w, profile, drop_invalid, area, source, role, sink, spool, report)

        try:
            self.task: _PassTask | None = _PassTask(work, LABEL)
        except OSError:
            for fd in (req_r, req_w, ans_r, ans_w):
                os.close(fd)
            raise
        os.close(req_r)
        os.close(ans_w)
        self._requests: Any = os.fdopen(req_w, "wb")
        self._answers: int | None = ans_r

    def send(self, dataset: ThemeDataset, result: LayerResult, report: Report) -> None:
        """Give the child a checked chunk: its dataset (conformed, fixed), its layer's result, its report so far."""
        # the fixes stay with the run (its merger); the checks' context is the run's (committed already)
        light = replace(result, fixes=[], context=None)
        try:
            pickle.dump((dataset, light, report), self._requests, protocol=5)
            self._requests.flush()
        except OSError:  # the child is gone (a broken pipe): its own error, or that it died
            self._failed()

    def answer(self, feedback: Feedback) -> tuple[Report, int]:
        """The child's answer on the chunk sent last: its report (validated, rows left out) and the rows kept."""
        assert self._answers is not None
        while not select.select([self._answers], [], [], _POLL_SECONDS)[0]:
            check_cancelled(feedback, "Checking")
        head = self._read(_LENGTH.size)
        if head is None:
            self._failed()
        (size,) = _LENGTH.unpack(head)
        body = self._read(size)
        if body is None:
            self._failed()
        report, kept = pickle.loads(body)
        return report, kept

    def finish(self, feedback: Feedback) -> PassEnd:
        """Tell the child the layer is done; its products closed and its spool described (or its error)."""
        assert self.task is not None
        try:
            pickle.dump(None, self._requests, protocol=5)
            self._requests.flush()
        except OSError:
            self._failed()
        self._close()
        end: PassEnd = self.task.result(feedback)
        self.task = None
        return end

    def stop(self) -> None:
        """Kill the child (if running) and wait for it; close the pipes."""
        if self.task is not None:
            self.task.stop()
            self.task = None
        self._close()

    def _read(self, size: int) -> bytes | None:
        assert self._answers is not None
        parts: list[bytes] = []
        left = size
        while left:
            data = os.read(self._answers, min(left, 1 << 20))
            if not data:
                return None
            parts.append(data)
            left -= len(data)
        return b"".join(parts)

    def _failed(self) -> NoReturn:
        """The child stopped answering: raise its own error (or that it died without a word)."""
        self._close()
        task, self.task = self.task, None
        if task is not None:
            task.result()  # raises the child's error; returns only if it ended normally, which it cannot here
        raise OutputError(
            f"Writing the {LABEL} stopped unexpectedly.",
            "Check free memory and disk space, then run the command again.",
            message_fr=f"L'écriture {french_label(LABEL)} s'est arrêtée de façon inattendue.",
            hint_fr="Vérifiez la mémoire et l'espace disque libres, puis relancez la commande.",
        )

    def _close(self) -> None:
        if self._requests is not None:
            with contextlib.suppress(OSError):
                self._requests.close()
            self._requests = None
        if self._answers is not None:
            os.close(self._answers)
            self._answers = None


def _serve(
    requests_fd: int,
    answers_fd: int,
    profile: Profile,
    drop_invalid: bool,
    area: Area | None,
    source: Path,
    role: str,
    sink: ProductSink,
    spool: LayerSpool,
    report: Report,
) -> PassEnd:
    """The child's loop: each chunk validated, its invalid rows left out, written, spooled, answered."""
    from ..memory import release_free_memory
    from ..profiles.validation import keep_layer_state, prepare_validation
    from .outputs import validate_chunk
    from .run import ThemeRun
    from .stream import _remember

    prepare_validation(profile)  # its imports paid while the run reads and checks the first chunk
    found = _Found()
    layers: dict[tuple[str, str], object] = {}  # the layer's validation state, kept across chunks
    before = len(report.issues)
    with os.fdopen(requests_fd, "rb") as requests:
        while (message := pickle.load(requests)) is not None:
            dataset, result, chunk_report = message
            keep_layer_state(dataset, layers)  # the layer's validation state as this child left it, not the copy's
            chunk = ThemeRun(source, profile.key, profile, chunk_report, [result], area, dataset)
            validate_chunk(chunk, drop_invalid)  # validated once: --drop-invalid goes on from it
            final = dataset.frames[role]
            sink.write(dataset)
            spool.add(final)  # its geometries encoded anew: the same ISO WKB as the source's (frames.wkb_of)
            _remember(found, final)  # type: ignore[arg-type]
            payload = pickle.dumps((chunk_report, len(final)), protocol=5)
            _write_all(answers_fd, _LENGTH.pack(len(payload)) + payload)
            del message, dataset, result, chunk_report, chunk, final, payload
            release_free_memory()
    os.close(answers_fd)
    files = sink.close()
    return PassEnd(files, spool.state(), found.producers, found.insee, report.issues[before:])


#: the requests' pipe holds a chunk of ~1.6 MB (20,000 water points pickled) in one or two writes instead of 25
#: of the default 64 KB, each waiting for the child to read (the kernel's buffer, not the run's memory)
PIPE_BYTES = 1 << 20


def _widen(fd: int) -> None:
    """The pipe's buffer at :data:`PIPE_BYTES` where Linux allows it (``F_SETPIPE_SZ``); as it was elsewhere, or
    when the system's limit (``/proc/sys/fs/pipe-max-size``) is lower: the same bytes go through either way."""
    import fcntl

    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
