"""The CNIG tables' standard formats (GeoJSON, CSV) written by the flood run's process and a forked child together
(odl_geo.theme.stream_tables.formats_on_two_processes): the same files, manifest and report as written one after
the other, the child's error raised as its own, a dead child a clear error, a cancel kills it, and no fork when
the child would not fit in the memory bar."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from odl_geo.errors import CancelledError, OutputError
from odl_geo.exports.geojson import GeoJSONWriter
from odl_geo.feedback import NullFeedback
from odl_geo.theme import ThemeOptions, convert_theme, stream_tables
from odl_geo.theme import forked as forked_module
from odl_geo.theme.forked import ENV_SWITCH
from tests.unit import forking

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "examples" / "flood" / "PPRn_BourgOisans.zip"
MULTI = "flood/ddt38_pprn_38DDT20180003_multialea/38DDT20180003.zip"
FORMATS = ("gpkg", "geojson", "csv")
OPTIONS = ThemeOptions(fix=True, drop_invalid=True)


@pytest.fixture(autouse=True)
def alone(monkeypatch):
    forking.as_a_command(monkeypatch)


@pytest.fixture
def forks(monkeypatch):
    """The children forked by the run (their pids), recorded in the parent."""
    return forking.record_forks(monkeypatch)


def _source(tmp: Path, which: str, shared_data: Path | None = None) -> Path:
    src = BUNDLED if which == "bundled" else (shared_data or Path()) / MULTI
    return Path(shutil.copy2(src, tmp / src.name))


def _out(tmp: Path) -> Path:
    out = tmp / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", encoding="utf-8")
    return out


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _same_files(a: Path, b: Path) -> None:
    """Every file of ``a`` and ``b`` the same bytes; report.html's footer (the minute of the run) aside."""
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    footer = re.compile(rb"<footer>.*?</footer>", re.DOTALL)
    for name in names:
        x, y = (a / name).read_bytes(), (b / name).read_bytes()
        if name == "report.html":
            x, y = footer.sub(b"", x), footer.sub(b"", y)
        assert x == y, name


def _in_child_only(monkeypatch, action) -> None:
    """GeoJSON writes run ``action`` in the forked child (the run's process writes as usual)."""
    parent = os.getpid()
    original = GeoJSONWriter.write_layer

    def write_layer(self, layer, scan, ctx):
        if os.getpid() != parent:
            action()
        return original(self, layer, scan, ctx)

    monkeypatch.setattr(GeoJSONWriter, "write_layer", write_layer)


@pytest.mark.parametrize("which", ["bundled", "multialea"])
def test_the_tables_written_on_two_processes_are_the_files_written_one_after_the_other(
    which, tmp_path, monkeypatch, forks, shared_data
):
    src = _source(tmp_path, which, shared_data)
    writers = tmp_path / "writers.txt"
    original = GeoJSONWriter.write_layer

    def slow(self, layer, scan, ctx):  # each write takes a while: both processes surely take some
        time.sleep(0.2)
        with writers.open("a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\n")
        return original(self, layer, scan, ctx)

    monkeypatch.setattr(GeoJSONWriter, "write_layer", slow)
    convert_theme(src, tmp_path / "forked", "flood", OPTIONS, FORMATS)
    assert len(forks) == 1 and _gone(forks[0])
    assert len(set(writers.read_text(encoding="utf-8").split())) == 2  # the run's process and the child wrote
    monkeypatch.setenv(ENV_SWITCH, "0")
    convert_theme(src, tmp_path / "serial", "flood", OPTIONS, FORMATS)
    assert len(forks) == 1  # no second child: one after the other, as before
    names = sorted(p.name for p in (tmp_path / "serial").iterdir())
    assert sum(n.endswith(".geojson") for n in names) >= 10 and sum(n.endswith(".csv") for n in names) >= 10
    # every byte: the tables' GeoJSON and CSV, the manifest (order, sizes, digests), the reports
    _same_files(tmp_path / "forked", tmp_path / "serial")


def test_an_error_of_the_childs_writer_is_raised_as_its_own_and_leaves_the_folder_as_it_was(
    tmp_path, monkeypatch, forks
):
    def broken() -> None:
        raise OutputError("Cannot write x.geojson: disk full.", "Free some space.")

    _in_child_only(monkeypatch, broken)
    out = _out(tmp_path)
    with pytest.raises(OutputError, match=r"x\.geojson: disk full") as caught:
        convert_theme(_source(tmp_path, "bundled"), out, "flood", OPTIONS, FORMATS)
    assert caught.value.hint == "Free some space."
    assert len(forks) == 1 and _gone(forks[0])
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]  # no product, no staging folder


def test_a_child_that_dies_without_a_word_is_a_clear_output_error(tmp_path, monkeypatch, forks):
    _in_child_only(monkeypatch, lambda: os._exit(9))  # as the out-of-memory killer would leave it
    out = _out(tmp_path)
    with pytest.raises(OutputError, match="standard formats stopped unexpectedly"):
        convert_theme(_source(tmp_path, "bundled"), out, "flood", OPTIONS, FORMATS)
    assert len(forks) == 1 and _gone(forks[0])
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]


class _Cancel(NullFeedback):
    cancelled = False

    def is_cancelled(self) -> bool:
        return self.cancelled


def test_a_cancel_kills_the_child_and_leaves_the_folder_as_it_was(tmp_path, monkeypatch, forks):
    feedback = _Cancel()
    _in_child_only(monkeypatch, lambda: time.sleep(120))  # the child would write for minutes

    def cancel_on_info(text: str) -> None:
        if "-> " in text:  # the run's process writes its first file: the user cancels
            feedback.cancelled = True

    monkeypatch.setattr(feedback, "info", cancel_on_info)
    out = _out(tmp_path)
    started = time.monotonic()
    with pytest.raises(CancelledError):
        convert_theme(_source(tmp_path, "bundled"), out, "flood", OPTIONS, FORMATS, feedback=feedback)
    assert time.monotonic() - started < 60  # not the child's two minutes: it was killed
    assert len(forks) == 1 and _gone(forks[0])
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]


def test_no_fork_when_the_child_would_take_the_run_past_its_memory_bar(tmp_path, monkeypatch, forks):
    monkeypatch.setattr(forked_module, "MEMORY_BUDGET", forked_module._resident() + (40 << 20))  # < the child's
    convert_theme(_source(tmp_path, "bundled"), tmp_path / "serial", "flood", OPTIONS, FORMATS)
    assert forks == []
    monkeypatch.setattr(stream_tables, "TABLE_CHILD_BYTES", 20 << 20)  # the same run, a child that fits
    convert_theme(_source(tmp_path, "bundled"), tmp_path / "forked", "flood", OPTIONS, FORMATS)
    assert len(forks) == 1
    _same_files(tmp_path / "forked", tmp_path / "serial")


@pytest.mark.parametrize("forked", [True, False])
def test_the_steps_between_the_checks_and_the_formats_are_told_and_can_be_cancelled(
    tmp_path, monkeypatch, forked, forks
):
    """A large PPR spends seconds validating its GeoPackage, leaving out the features in error and writing the
    product after its checks: each step is told (the plugin's progress text, the CLI's --progress-json) and a
    cancel there leaves the output folder as it was; the formats shared with a forked child or not."""
    if forked:
        monkeypatch.setattr(stream_tables, "TABLE_CHILD_BYTES", 0)  # room for the child whatever the process holds
    else:
        monkeypatch.setenv("ODL_GEO_FORK_FORMATS", "0")
    told: list[str] = []
    feedback = _Cancel()
    monkeypatch.setattr(feedback, "info", told.append)
    convert_theme(_source(tmp_path, "bundled"), tmp_path / "told", "flood", OPTIONS, FORMATS, feedback=feedback)
    assert len(forks) == (1 if forked else 0)
    steps = ["Validating against the flood schema", "Leaving out the features in error (--drop-invalid)",
             "Writing the products"]  # fmt: skip
    at = [told.index(s) for s in steps]
    # the formats' first file, "[n/12] table" (one process after the other, from the first table) or "[n/12] table
    # -> format" (shared with a forked child, the largest first): after the steps either way
    first_format = next(i for i, t in enumerate(told) if re.match(r"\[\d+/\d+\] ", t))
    assert at == sorted(at) and at[-1] < first_format
    assert max(i for i, t in enumerate(told) if t.startswith("Checking ")) < at[0]
    for step in steps:
        cancelled = _Cancel()

        def cancel_at(text: str, step: str = step, cancelled: _Cancel = cancelled) -> None:
            cancelled.cancelled = cancelled.cancelled or text == step

        monkeypatch.setattr(cancelled, "info", cancel_at)
        (tmp_path / step.split()[0]).mkdir()
        out = _out(tmp_path / step.split()[0])
        with pytest.raises(CancelledError):
            convert_theme(_source(tmp_path, "bundled"), out, "flood", OPTIONS, FORMATS, feedback=cancelled)
        assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"], step
