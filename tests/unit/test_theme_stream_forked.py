"""A streamed theme run's GeoPackage written by a forked child while the run writes GeoJSON and CSV
(odl_geo.theme.forked): the same files, manifest and report as written one after the other, the same errors,
cancel and failures leave nothing behind, and no fork where it is not safe."""

from __future__ import annotations

import json
import os
import threading
import time
from typing import TYPE_CHECKING

import pytest

from odl_geo.errors import CancelledError, OutputError
from odl_geo.exports.csv import CSVWriter
from odl_geo.exports.gpkg import GeoPackageWriter
from odl_geo.feedback import NullFeedback
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme import forked as forked_module
from odl_geo.theme.forked import ENV_SWITCH, ForkedTask, fork_allowed
from tests.unit import forking

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("gpkg", "geojson", "csv")
SAMPLES = forking.SAMPLES


@pytest.fixture(autouse=True)
def alone(monkeypatch):
    forking.as_a_command(monkeypatch)


@pytest.fixture
def forks(monkeypatch):
    """The children forked by the run (their pids), recorded in the parent."""
    return forking.record_forks(monkeypatch)


def _run(src: Path, out: Path, theme: str, options: dict, read: dict, chunk_rows: int = 7, feedback=None):
    from odl_geo.sources import ReadOptions

    opts = ThemeOptions(**options, chunk_rows=chunk_rows)
    return convert_theme(src, out, theme, opts, FORMATS, ReadOptions(**read) if read else None, feedback)


def _same_files(a: Path, b: Path) -> None:
    """Every file of ``a`` and ``b`` the same bytes; report.html's footer (the minute of the run) aside."""
    import re

    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    footer = re.compile(rb"<footer>.*?</footer>", re.DOTALL)
    for name in names:
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name == "report.html":
            x, y = footer.sub(b"", x), footer.sub(b"", y)
        assert x == y, name


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _folder_as_before(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]  # no product, no staging, no spool


def _out(tmp: Path) -> Path:
    out = tmp / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", encoding="utf-8")
    return out


@pytest.mark.parametrize("theme", sorted(SAMPLES))
def test_the_geopackage_written_by_a_forked_child_gives_the_files_of_a_run_writing_one_format_after_the_other(
    theme, tmp_path, monkeypatch, forks
):
    path, options, read = SAMPLES[theme]
    _run(path, tmp_path / "forked", theme, options, read)
    assert len(forks) == 1 and _gone(forks[0])  # the GeoPackage was the child's, and the child is gone
    monkeypatch.setenv(ENV_SWITCH, "0")
    _run(path, tmp_path / "serial", theme, options, read)
    assert len(forks) == 1  # no second child: the formats one after the other, as before
    names = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert {n.rsplit(".", 1)[-1] for n in names} >= {"gpkg", "geojson", "csv", "json", "html"}
    # every byte: the GeoPackage, the manifest (order, sizes, digests), the reports
    _same_files(tmp_path / "forked", tmp_path / "serial")


def test_a_note_of_the_forked_writer_joins_the_report_in_the_formats_order(tmp_path, monkeypatch, forks):
    """What the child's writer notes reaches the run's report, before the notes of the formats written after it
    (the order of a run writing them one after the other)."""
    from odl_geo.report import Issue, Severity

    def noting(original):
        def write_layer(self, layer, scan, ctx):
            ctx.report.add(Issue("WRITE_WARNING", Severity.WARNING, f"{self.key}: a note", layer=layer.name))
            return original(self, layer, scan, ctx)

        return write_layer

    monkeypatch.setattr(GeoPackageWriter, "write_layer", noting(GeoPackageWriter.write_layer))
    monkeypatch.setattr(CSVWriter, "write_layer", noting(CSVWriter.write_layer))
    path, options, read = SAMPLES["water"]
    _run(path, tmp_path / "out", "water", options, read)
    assert len(forks) == 1
    issues = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["issues"]
    notes = [i["message"] for i in issues if i["code"] == "WRITE_WARNING"]
    assert notes == ["gpkg: a note", "csv: a note"]


def test_a_failure_of_the_forked_writer_is_its_own_error_and_leaves_the_output_folder_as_it_was(
    tmp_path, monkeypatch, forks
):
    def broken(self, layer, scan, ctx):
        raise OutputError("Cannot write x.gpkg: disk full.", "Free some space.", "GDAL: No space left on device")

    monkeypatch.setattr(GeoPackageWriter, "write_layer", broken)  # in the child only: the parent writes the others
    path, options, read = SAMPLES["water"]
    out = _out(tmp_path)
    with pytest.raises(OutputError, match="disk full") as caught:
        _run(path, out, "water", options, read)
    assert (caught.value.hint, caught.value.details, caught.value.exit_code) == (
        "Free some space.", "GDAL: No space left on device", 3,
    )  # fmt: skip
    assert len(forks) == 1 and _gone(forks[0])
    _folder_as_before(out)
    assert not [t for t in threading.enumerate() if t.name.startswith("odl-geo-sha256")]


def test_a_forked_writer_that_dies_without_a_word_is_a_clear_output_error(tmp_path, monkeypatch, forks):
    def killed(self, layer, scan, ctx):
        os._exit(9)  # as the kernel's out-of-memory killer would leave it: no answer

    monkeypatch.setattr(GeoPackageWriter, "write_layer", killed)
    path, options, read = SAMPLES["water"]
    out = _out(tmp_path)
    with pytest.raises(OutputError, match=r"GeoPackage stopped unexpectedly .*status 9"):
        _run(path, out, "water", options, read)
    assert len(forks) == 1 and _gone(forks[0])
    _folder_as_before(out)


class _CancelAfterCsv(NullFeedback):
    cancelled = False

    def is_cancelled(self) -> bool:
        return self.cancelled


def test_a_cancel_while_the_run_waits_for_the_forked_writer_kills_it(tmp_path, monkeypatch, forks):
    feedback = _CancelAfterCsv()
    original = CSVWriter.write_layer

    def slow(self, layer, scan, ctx):
        time.sleep(120)  # the child would write for two minutes
        return []

    def then_cancel(self, layer, scan, ctx):
        files = original(self, layer, scan, ctx)
        feedback.cancelled = True  # the user cancels once the run's own formats are written
        return files

    monkeypatch.setattr(GeoPackageWriter, "write_layer", slow)
    monkeypatch.setattr(CSVWriter, "write_layer", then_cancel)
    path, options, read = SAMPLES["water"]
    out = _out(tmp_path)
    started = time.monotonic()
    with pytest.raises(CancelledError):
        _run(path, out, "water", options, read, feedback=feedback)
    assert time.monotonic() - started < 60  # not the child's two minutes: it was killed
    assert len(forks) == 1 and _gone(forks[0])
    _folder_as_before(out)


def test_a_failure_of_the_runs_own_writer_stops_the_forked_one(tmp_path, monkeypatch, forks):
    def slow(self, layer, scan, ctx):
        time.sleep(120)
        return []

    def broken(self, layer, scan, ctx):
        raise OutputError("Cannot write x.csv: disk full.", "Free some space.")

    monkeypatch.setattr(GeoPackageWriter, "write_layer", slow)
    monkeypatch.setattr(CSVWriter, "write_layer", broken)
    path, options, read = SAMPLES["water"]
    out = _out(tmp_path)
    with pytest.raises(OutputError, match=r"x\.csv: disk full"):
        _run(path, out, "water", options, read)
    assert len(forks) == 1 and _gone(forks[0])
    _folder_as_before(out)


def test_no_fork_while_another_thread_runs_and_the_outputs_are_the_same(tmp_path, forks):
    """A library call beside other threads (the QGIS plugin's QgsTask): the formats one after the other."""
    path, options, read = SAMPLES["water"]
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, name="another-thread")
    other.start()
    try:
        assert not fork_allowed()
        _run(path, tmp_path / "beside", "water", options, read)
    finally:
        stop.set()
        other.join()
    assert forks == []
    _run(path, tmp_path / "alone", "water", options, read)
    assert len(forks) == 1
    _same_files(tmp_path / "alone", tmp_path / "beside")


def test_fork_is_allowed_only_in_the_main_thread_of_a_program_without_qt(monkeypatch):
    assert fork_allowed()  # pytest's main thread, no other thread started, no Qt
    answers: list[bool] = []
    thread = threading.Thread(target=lambda: answers.append(fork_allowed()))
    thread.start()
    thread.join()
    assert answers == [False]
    monkeypatch.setenv(ENV_SWITCH, "0")
    assert not fork_allowed()
    monkeypatch.delenv(ENV_SWITCH)
    monkeypatch.setitem(__import__("sys").modules, "qgis.core", object())
    assert not fork_allowed()


def test_an_exception_crosses_from_the_child_as_its_class_message_hint_and_details():
    from odl_geo.errors import InputError

    sent = InputError("Bad value in x.", "Fix x.", "detail")
    back = forked_module._rebuilt(forked_module._portable(sent))
    assert type(back) is InputError and (back.message, back.hint, back.details, str(back)) == (
        "Bad value in x.", "Fix x.", "detail", str(sent),
    )  # fmt: skip
    back = forked_module._rebuilt(forked_module._portable(OSError(28, "No space left on device")))
    assert isinstance(back, OSError) and back.errno == 28 and back.strerror == "No space left on device"

    class Local(Exception):  # a class pickle cannot find again: its text comes instead
        pass

    back = forked_module._rebuilt(forked_module._portable(Local("odd")))
    assert isinstance(back, OutputError) and "Local: odd" in back.message


def test_a_forked_task_returns_the_childs_value_and_leaves_no_process():
    task = ForkedTask(lambda: ([1, 2], {"a": "b" * 200_000}), "test")  # more than a pipe's buffer
    pid = task.pid
    assert task.result() == ([1, 2], {"a": "b" * 200_000})
    assert pid is not None and _gone(pid) and task.pid is None


def test_the_child_free_first_takes_the_next_format_and_the_files_are_those_written_one_after_the_other(
    tmp_path, monkeypatch, forks
):
    """The formats after the GeoPackage go to whichever process is free first: with the run's GeoJSON slow, the
    child writes the CSV too; files, manifest and report as when written one after the other."""
    from odl_geo.exports.geojson import GeoJSONWriter

    log = tmp_path / "writers.log"
    parent = os.getpid()

    def logged(original, slow_in_parent=False):
        def write_layer(self, layer, scan, ctx):
            if slow_in_parent and os.getpid() == parent:
                # the run's GeoJSON is slow: it goes on once the child has written the CSV (at most a minute)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and "csv child" not in _read(log):
                    time.sleep(0.05)
            files = original(self, layer, scan, ctx)
            with log.open("a", encoding="utf-8") as fh:
                fh.write(f"{self.key} {'parent' if os.getpid() == parent else 'child'}\n")
            return files

        return write_layer

    for cls, slow in ((GeoPackageWriter, False), (GeoJSONWriter, True), (CSVWriter, False)):
        monkeypatch.setattr(cls, "write_layer", logged(cls.write_layer, slow))
    path, options, read = SAMPLES["water"]
    _run(path, tmp_path / "shared", "water", options, read)
    assert len(forks) == 1 and _gone(forks[0])
    wrote = dict(line.split() for line in log.read_text(encoding="utf-8").splitlines())
    assert len(wrote) == 3 and wrote["gpkg"] == "child"  # each format once, the GeoPackage by the child
    # the child, free before the run's slow GeoJSON is done, took the CSV (and the GeoJSON too when the run's
    # process had not taken it yet as the child was done with the GeoPackage)
    if wrote["geojson"] == "parent":  # the child, done with the GeoPackage, found the GeoJSON taken
        assert wrote["csv"] == "child"
    # else the child was done first and took the GeoJSON itself: the run's process, never slow on the CSV, took it
    monkeypatch.setenv(ENV_SWITCH, "0")
    _run(path, tmp_path / "serial", "water", options, read)
    _same_files(tmp_path / "shared", tmp_path / "serial")


def test_claims_give_each_task_once_across_a_fork():
    from odl_geo.theme.forked import Claims

    claims = Claims([3, 1, 2])
    task = ForkedTask(lambda: [claims.take(), claims.take()], "test")  # the child takes two, the parent the rest
    theirs = task.result()
    ours = []
    while (n := claims.take()) is not None:
        ours.append(n)
    assert sorted(t for t in theirs + ours if t is not None) == [1, 2, 3]
    assert claims.take() is None


def test_no_fork_when_the_child_would_take_the_run_past_its_memory_bar(tmp_path, monkeypatch, forks):
    """The run's resident set at the end of the pass, with what the child adds, must stay within the bar (the
    processes' memory together): else the formats are written one after the other, the same files."""
    path, options, read = SAMPLES["water"]
    room = forked_module.MEMORY_BUDGET
    assert forked_module.room_for_child(48)
    monkeypatch.setattr(forked_module, "MEMORY_BUDGET", forked_module._resident() + forked_module.CHILD_FIXED)
    assert forked_module.room_for_child(0)
    assert not forked_module.room_for_child(0, points=False)  # lines and polygons: a larger child
    assert not forked_module.room_for_child(100_000, points=False)  # GDAL's index of lines grows with them
    # a point layer's child holds batches of rows: their width counts, not their count (the index is on disk)
    assert not forked_module.room_for_child(100_000, spooled_bytes=100_000 * 250)
    assert forked_module.child_growth(5_000_000, spooled_bytes=5_000_000 * 250) == forked_module.child_growth(
        1_000_000, spooled_bytes=1_000_000 * 250
    )
    monkeypatch.setattr(forked_module, "MEMORY_BUDGET", 1 << 20)
    assert not forked_module.room_for_child(0)
    _run(path, tmp_path / "tight", "water", options, read)
    assert forks == []
    monkeypatch.setattr(forked_module, "MEMORY_BUDGET", room)
    _run(path, tmp_path / "room", "water", options, read)
    assert len(forks) == 1
    _same_files(tmp_path / "tight", tmp_path / "room")


def test_the_command_lines_progress_bar_does_not_prevent_the_fork(tmp_path, forks):
    """rich's refresh thread (a terminal's progress bar) takes only rich's locks: the run still forks, and the
    files are those written one after the other."""
    import io

    from rich.console import Console
    from rich.progress import Progress

    from odl_geo.cli.progress import RichFeedback

    path, options, read = SAMPLES["water"]
    console = Console(file=io.StringIO(), force_terminal=True)
    feedback = RichFeedback(console, enabled=True, verbose=False)
    with feedback:
        assert any(type(t).__name__ == "_RefreshThread" for t in threading.enumerate())
        assert fork_allowed()
        _run(path, tmp_path / "bar", "water", options, read, feedback=feedback)
    assert len(forks) == 1 and _gone(forks[0])
    assert isinstance(feedback._progress, Progress)
    _run(path, tmp_path / "plain", "water", options, read)
    _same_files(tmp_path / "bar", tmp_path / "plain")


def _block_in_heap() -> bool:
    """A block allocated now (below the mmap threshold: from this thread's arena) lies in the main arena's pages
    (``[heap]`` in /proc/self/maps, read once the block is allocated: the allocation may have grown the heap)."""
    import ctypes

    libc = ctypes.CDLL("libc.so.6")
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    block = libc.malloc(4000)
    try:
        with open("/proc/self/maps", encoding="ascii") as fh:
            heap = [line.split()[0] for line in fh if line.rstrip().endswith("[heap]")]
    finally:
        libc.free(block)
    return any(int(low, 16) <= int(block) < int(high, 16) for low, high in (h.split("-") for h in heap))


def test_a_forked_childs_allocations_go_to_an_arena_of_its_own_not_the_heap_it_shares():
    """A child works on a thread of its own arena (odl_geo.memory.in_own_arena): what it allocates is not taken
    from the heap it shares with the run copy-on-write (each page of it written would be copied, counted again)."""
    import threading

    assert _block_in_heap()  # the test's own (main) thread allocates in the heap: the check below can fail

    def work() -> tuple[str, bool]:
        return threading.current_thread().name, _block_in_heap()

    name, in_heap = ForkedTask(work, "test").result()
    assert name == "odl-geo-own-arena" and not in_heap


def test_in_own_arena_returns_the_value_and_raises_the_error_of_its_work():
    from odl_geo.errors import InputError
    from odl_geo.memory import in_own_arena

    assert in_own_arena(lambda: {"a": 1}) == {"a": 1}

    def fails() -> None:
        raise InputError("bad", "fix it")

    with pytest.raises(InputError, match="bad"):
        in_own_arena(fails)
