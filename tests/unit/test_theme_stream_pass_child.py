"""A streamed theme run whose validation, products and spool are a forked child's (odl_geo.theme.pass_child),
while the run reads and checks the next chunk: the same products, standard formats, manifest, changes.csv and
reports as one process (``ODL_GEO_FORK_FORMATS=0``) on multi-chunk inputs of each streamed theme, with faults,
fixes, rows left out and refused runs; the child's error is the run's; a cancel, a failure of the run or a
child killed leave nothing behind; a one-chunk layer does not fork."""

from __future__ import annotations

import json
import os
import re
import signal
from typing import TYPE_CHECKING

import pytest

from odl_geo.errors import CancelledError, InputError, OutputError
from odl_geo.feedback import NullFeedback
from odl_geo.profiles.product_sinks import StreamedProducts
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme import outputs as outputs_module
from odl_geo.theme.forked import ENV_SWITCH
from odl_geo.theme.pass_child import ENV_SWITCH as PASS_SWITCH
from odl_geo.theme.pass_child import PassChild
from tests.unit import forking

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("gpkg", "geojson", "csv")
WATER, SAMPLES = forking.WATER, forking.SAMPLES


@pytest.fixture(autouse=True)
def alone(monkeypatch):
    forking.as_a_command(monkeypatch)
    monkeypatch.setenv(PASS_SWITCH, "1")  # forced on: these tests do not depend on the machine's load


@pytest.fixture
def children(monkeypatch):
    """The pass's children (their pids), recorded in the run's process."""
    pids: list[int] = []
    original = PassChild.__init__

    def spy(self, *args, **kwargs):
        original(self, *args, **kwargs)
        assert self.task is not None
        pids.append(self.task.pid)

    monkeypatch.setattr(PassChild, "__init__", spy)
    return pids


def _run(theme: str, out: Path, chunk_rows: int = 7, feedback=None, **changes):
    from odl_geo.sources import ReadOptions

    path, options, read = SAMPLES[theme]
    opts = ThemeOptions(**{**options, **changes}, chunk_rows=chunk_rows)
    return convert_theme(path, out, theme, opts, FORMATS, ReadOptions(**read) if read else None, feedback)


def _files(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; report.html's footer (the minute of the run) aside."""
    footer = re.compile(rb"<footer>.*?</footer>", re.DOTALL)
    out = {}
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        out[path.name] = footer.sub(b"", data) if path.name == "report.html" else data
    return out


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def _out(tmp: Path) -> Path:
    out = tmp / "out"
    out.mkdir()
    (out / "earlier.txt").write_text("kept", encoding="utf-8")
    return out


def _folder_as_before(out: Path) -> None:
    assert sorted(p.name for p in out.iterdir()) == ["earlier.txt"]  # no product, no staging, no spool


def _serial(monkeypatch) -> None:
    monkeypatch.setenv(ENV_SWITCH, "0")


@pytest.mark.parametrize("chunk_rows", [3, 7])
@pytest.mark.parametrize("theme", sorted(SAMPLES))
def test_the_pass_on_two_processes_writes_the_bytes_of_one_process(theme, chunk_rows, tmp_path, monkeypatch, children):
    # every change in changes.csv (not only in report.json): its rows as well
    monkeypatch.setattr(outputs_module, "INLINE_CHANGES", 0)
    _run(theme, tmp_path / "two", chunk_rows)
    assert len(children) == 1 and _gone(children[0])
    _serial(monkeypatch)
    _run(theme, tmp_path / "one", chunk_rows)
    assert len(children) == 1  # no child: one process, as before
    two, one = _files(tmp_path / "two"), _files(tmp_path / "one")
    assert {n.rsplit(".", 1)[-1] for n in one} >= {"gpkg", "geojson", "csv", "json", "html"}
    if theme == "pei":  # the sample the fixes change (the others' fixes: see the faulty fountains below)
        assert one["changes.csv"].count(b"\n") > 1
    assert list(two) == list(one)
    for name in one:
        assert two[name] == one[name], name
    report = json.loads(one["report.json"])
    assert report["layers"][0]["feature_count"] > chunk_rows  # several chunks went through the child


@pytest.mark.parametrize("chunk_rows", [1, 7, 64])
def test_faults_fixes_and_rows_left_out_on_the_seams_give_the_bytes_of_one_process(
    tmp_path, monkeypatch, children, chunk_rows
):
    """The fountains four times with faults on every seam (a copy, an id used again, mojibake, points outside
    the area): --fix and --drop-invalid in the child give one process's products, formats, changes and reports."""
    from tests.unit.test_theme_stream import _faulty_fountains

    monkeypatch.setattr(outputs_module, "INLINE_CHANGES", 0)
    src = _faulty_fountains(tmp_path)
    options = ThemeOptions(mapping=WATER["mapping"], fix=True, drop_invalid=True, area="34", chunk_rows=chunk_rows)
    two = convert_theme(src, tmp_path / "two", "water", options, FORMATS)
    assert len(children) == 1 and _gone(children[0])
    _serial(monkeypatch)
    convert_theme(src, tmp_path / "one", "water", options, FORMATS)
    assert len(children) == 1
    assert {"DUPLICATE_ID", "FEATURES_LEFT_OUT", "FIX_APPLIED"} <= {i.code for i in two.report.issues}
    one = _files(tmp_path / "one")
    assert one["changes.csv"].count(b"\n") > 1
    assert _files(tmp_path / "two") == one


def test_rows_left_out_by_drop_invalid_in_the_child_are_the_reports_and_the_products_of_one_process(
    tmp_path, monkeypatch, children
):
    """PEI without --fix: more rows in error, left out by the child; the products and the report say the same."""
    _run("pei", tmp_path / "two", 5, fix=False)
    assert len(children) == 1
    _serial(monkeypatch)
    _run("pei", tmp_path / "one", 5, fix=False)
    one = _files(tmp_path / "one")
    assert _files(tmp_path / "two") == one
    issues = json.loads(one["report.json"])["issues"]
    assert any(i["code"] == "FEATURES_LEFT_OUT" for i in issues)


def test_a_refused_run_writes_the_reports_of_one_process_and_nothing_else(tmp_path, monkeypatch, children):
    """Without --drop-invalid the PEI sample has errors: the run stops (exit 2) with the same reports."""
    outs = []
    for label in ("two", "one"):
        out = tmp_path / label
        with pytest.raises(InputError) as caught:
            _run("pei", out, 5, fix=False, drop_invalid=False)
        assert caught.value.exit_code == 2
        outs.append(_files(out))
        _serial(monkeypatch)
    assert len(children) == 1 and _gone(children[0])
    assert sorted(outs[0]) == ["report.html", "report.json"]
    assert outs[0] == outs[1]


def test_a_layer_of_one_chunk_keeps_the_one_process_path(tmp_path, children):
    _run("water", tmp_path / "out", chunk_rows=20_000)
    assert children == []


def test_the_childs_error_is_the_runs_with_its_message_hint_and_exit_code(tmp_path, children, monkeypatch):
    """A product the child cannot write (a full disk): the same OutputError as one process's, nothing left."""

    def full(self, chunk):
        raise OutputError("Cannot write x_points-eau.csv: disk full.", "Free some space.", "No space left on device")

    monkeypatch.setattr(StreamedProducts, "write", full)  # the child's (the run's process writes no product now)
    out = _out(tmp_path)
    with pytest.raises(OutputError, match="disk full") as caught:
        _run("water", out)
    assert (caught.value.hint, caught.value.details, caught.value.exit_code) == (
        "Free some space.", "No space left on device", 3,
    )  # fmt: skip
    assert len(children) == 1 and _gone(children[0])
    _folder_as_before(out)


@pytest.mark.parametrize("how", ["exit", "killed"])
def test_a_child_dead_without_a_word_is_a_clear_output_error(tmp_path, monkeypatch, children, how):
    calls = []
    original = outputs_module.validate_chunk

    def dies(run, drop_invalid):
        calls.append(1)
        if len(calls) == 2:  # the second chunk, in the child
            if how == "exit":
                os._exit(9)
            os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer does
        return original(run, drop_invalid)

    monkeypatch.setattr(outputs_module, "validate_chunk", dies)
    out = _out(tmp_path)
    status = "9" if how == "exit" else "-9"
    with pytest.raises(OutputError, match=rf"products stopped unexpectedly .*status {status}") as caught:
        _run("water", out)
    assert caught.value.exit_code == 3
    assert len(children) == 1 and _gone(children[0])
    _folder_as_before(out)


class _CancelAt(NullFeedback):
    """Cancels at the n-th question (mid-pass: chunks are with the child)."""

    def __init__(self, n: int) -> None:
        self.asked, self.n = 0, n

    def is_cancelled(self) -> bool:
        self.asked += 1
        return self.asked >= self.n


def test_a_cancel_mid_pass_kills_the_child_and_leaves_the_folder_as_it_was(tmp_path, children):
    out = _out(tmp_path)
    with pytest.raises(CancelledError):
        _run("water", out, feedback=_CancelAt(4))
    assert len(children) == 1 and _gone(children[0])
    _folder_as_before(out)


def test_a_failure_of_the_run_while_the_child_works_stops_it(tmp_path, monkeypatch, children):
    """The run's own part fails (its checks here) while the child holds a chunk: killed, waited for, nothing left."""
    from odl_geo.theme import stream as stream_module

    calls = []
    original = stream_module._check_layer

    def broken(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OutputError("Cannot read the next chunk.", "Check the source.")
        return original(*args, **kwargs)

    monkeypatch.setattr(stream_module, "_check_layer", broken)
    out = _out(tmp_path)
    with pytest.raises(OutputError, match="next chunk"):
        _run("water", out)
    assert len(children) == 1 and _gone(children[0])
    _folder_as_before(out)


def test_no_child_when_forking_is_not_safe_and_the_outputs_are_the_same(tmp_path, children, monkeypatch):
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait, name="another-thread")
    other.start()
    try:
        _run("water", tmp_path / "beside")
    finally:
        stop.set()
        other.join()
    assert children == []
    _run("water", tmp_path / "alone")
    assert len(children) == 1
    assert _files(tmp_path / "alone") == _files(tmp_path / "beside")


def test_chunks_cross_the_pipe_exactly():
    """What the child receives: dtypes, missing values (None and NaN), Arrow strings, 2D/3D/M points, empty
    and missing geometries, the CRS: equal to what was sent."""
    import pickle

    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import shapely

    geoms = [shapely.from_wkt(w) for w in ("POINT (1.5 2.25)", "POINT Z (1 2 3)", "POINT M (1 2 5)",
                                           "POINT ZM (1 2 3 4)", "POINT EMPTY")] + [None]  # fmt: skip
    frame = gpd.GeoDataFrame(
        {
            "text": pd.array(["a", None, "é", "", "x", "y"], dtype="str"),
            "objects": np.array(["a", None, np.nan, 1, 2.5, "z"], dtype=object),
            "reals": [0.1, np.nan, -0.0, 1e300, 5e-324, 2.0],
            "ints": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "dates": pd.to_datetime(["2024-01-02", None, "1999-12-31", "2024-01-02", "2024-01-02", "2024-01-02"]),
            "geometry": geoms,
        },
        geometry="geometry",
        crs="EPSG:2154",
    )
    back = pickle.loads(pickle.dumps(frame, protocol=5))
    assert list(back.dtypes) == list(frame.dtypes) and back.crs == frame.crs
    pd.testing.assert_frame_equal(back.drop(columns="geometry"), frame.drop(columns="geometry"))
    assert np.signbit(back["reals"][2]) and back["objects"][1] is None and np.isnan(back["objects"][2])
    sent, got = np.asarray(frame.geometry.values), np.asarray(back.geometry.values)
    assert got[-1] is None
    assert list(shapely.to_wkb(got[:-1], flavor="iso")) == list(shapely.to_wkb(sent[:-1], flavor="iso"))
    assert [shapely.has_z(g) for g in got[:-1]] == [False, True, False, True, False]
    assert [shapely.has_m(g) for g in got[:-1]] == [False, False, True, True, False]


def test_idle_cores_reads_the_processors_time(monkeypatch):
    """Two readings of /proc/stat's first line: the idle and I/O-wait time over all the time, times the processors."""
    from odl_geo.theme import pass_child

    lines = iter(["cpu  100 0 100 700 100 0 0 0 0 0\n", "cpu  150 0 150 1000 100 0 0 0 0 0\n"])

    class Stat:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def readline(self):
            return next(lines)

    monkeypatch.setattr("builtins.open", lambda *a, **k: Stat())
    monkeypatch.setattr(pass_child.os, "cpu_count", lambda: 2)
    assert pass_child.idle_cores(0.0) == pytest.approx(2 * 300 / 400)  # 300 idle of 400 ticks on 2 processors
    lines = iter(["cpu  100 0 100 700 100 0 0 0 0 0\n", "cpu  100 0 100 700 100 0 0 0 0 0\n"])
    assert pass_child.idle_cores(0.0) == 0.0  # no time went by: nothing known, no child


def test_idle_cores_on_this_machine_is_between_none_and_all():
    from odl_geo.theme import pass_child

    assert 0.0 <= pass_child.idle_cores(0.05) <= (os.cpu_count() or 1)


def test_a_layer_past_the_memory_bars_cells_keeps_one_process(tmp_path, children, monkeypatch):
    from odl_geo.theme import pass_child

    assert pass_child.room_for_pass(1_000_000, 17) and pass_child.room_for_pass(1_000_000, 30)  # PEI, hiking 1M
    assert pass_child.room_for_pass(5_000_000, 9) and pass_child.room_for_pass(5_000_000, 17)  # water, PEI 5M
    assert not pass_child.room_for_pass(5_000_000, 30)  # hiking 5M: not measured (its outputs do not fit the disk)
    monkeypatch.delenv(pass_child.ENV_SWITCH)  # unset: a free second core decides
    monkeypatch.setattr(pass_child.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(pass_child.os, "getloadavg", lambda: (0.9, 1.2, 1.0))
    assert pass_child.room_for_pass(1_000, 9) and not pass_child.room_for_pass(5_000_000, 30)
    monkeypatch.setattr(pass_child.os, "getloadavg", lambda: (2.0, 0.5, 0.5))  # both cores taken
    monkeypatch.setattr(pass_child, "idle_cores", lambda: 0.1)  # and busy now
    assert not pass_child.room_for_pass(1_000, 9)
    monkeypatch.setattr(pass_child, "idle_cores", lambda: 1.6)  # the load lags: the cores are idle now
    assert pass_child.room_for_pass(1_000, 9)
    monkeypatch.setattr(pass_child.os, "getloadavg", lambda: (0.0, 0.0, 0.0))
    monkeypatch.setattr(pass_child.os, "sched_getaffinity", lambda pid: {3})  # one core for this process
    assert not pass_child.room_for_pass(1_000, 9)
    monkeypatch.setenv(pass_child.ENV_SWITCH, "0")
    assert not pass_child.room_for_pass(1_000, 9)
    monkeypatch.setenv(pass_child.ENV_SWITCH, "1")
    monkeypatch.setattr(pass_child, "PASS_MAX_CELLS", 47)  # fewer cells than the fountains' 48 features
    _run("water", tmp_path / "one")
    assert children == []
    monkeypatch.setattr(pass_child, "PASS_MAX_CELLS", 48 * 100)
    _run("water", tmp_path / "two")
    assert len(children) == 1
    assert _files(tmp_path / "one") == _files(tmp_path / "two")


def test_the_requests_pipe_is_widened_where_linux_allows_it():
    """A chunk (~1.6 MB of 20,000 water points pickled) goes in one or two writes, not 25 of 64 KB; a system whose
    limit is lower keeps its pipe as it was (the same bytes go through)."""
    import fcntl

    from odl_geo.theme.pass_child import PIPE_BYTES, _widen

    get_size = getattr(fcntl, "F_GETPIPE_SZ", 1032)
    read, write = os.pipe()
    try:
        before = fcntl.fcntl(write, get_size)
        _widen(write)
        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as fh:
            limit = int(fh.read())
        assert fcntl.fcntl(write, get_size) == (PIPE_BYTES if limit >= PIPE_BYTES or os.geteuid() == 0 else before)
        os.write(write, b"x" * 100_000)  # more than the default 64 KB, written without a reader: the buffer holds it
        assert len(os.read(read, 200_000)) == 100_000
    finally:
        os.close(read)
        os.close(write)
    _widen(write)  # a closed descriptor (EBADF): nothing raised
