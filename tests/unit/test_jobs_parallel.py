"""``odl-geo run --jobs N``: datasets side by side in worker processes, each dataset's steps in order, one journal
written by one writer, the lock still one run per job, a dead worker failing its dataset only."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import time
from typing import TYPE_CHECKING

from odl_geo.cli.main import main
from odl_geo.jobs import StepResult, load_job, run_job
from odl_geo.jobs.executors import ProcessExecutor

if TYPE_CHECKING:
    from pathlib import Path

FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def _job(tmp_path: Path, names: list[str], steps: str = '[dataset.convert]\nto = ["gpkg"]\n') -> Path:
    body = '[job]\nname = "parallel"\nout = "pub"\n'
    for name in names:
        body += f'[[dataset]]\nname = "{name}"\nsource = "{name}.csv"\n{steps}'
    path = tmp_path / "job.toml"
    path.write_text(body, encoding="utf-8")
    return path


class TracingStep:
    """A picklable step runner: each step appends (dataset, step, pid, start, end) to a trace file and sleeps,
    so the test sees which process ran what and when; dataset ``die`` kills its worker process in its step."""

    def __init__(self, trace: Path) -> None:
        self.trace = trace

    def __call__(self, step, ds, folder, dry_run) -> StepResult:
        if ds.name == "die":
            os._exit(9)  # the worker process dies mid-dataset
        start = time.time()
        time.sleep(0.4)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "manifest.json").write_text("{}", encoding="utf-8")
        with self.trace.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps([ds.name, step.section, os.getpid(), start, time.time()]) + "\n")
        return StepResult(0, {"files": []})


def _no_files(ds) -> list[Path]:
    return []


def test_jobs_2_runs_datasets_side_by_side_each_in_order_with_one_journal(tmp_path):
    for name in "abcd":
        (tmp_path / f"{name}.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    steps = '[dataset.convert]\nto = ["gpkg"]\n[dataset.postgis]\ndsn = "postgresql://h/db"\n'
    job = load_job(_job(tmp_path, list("abcd"), steps))
    trace = tmp_path / "trace.jsonl"
    result = run_job(job, TracingStep(trace), _no_files, executor=ProcessExecutor(2))
    assert [(d.name, d.outcome) for d in result.datasets] == [(n, "done") for n in "abcd"]  # job order kept
    rows = [json.loads(line) for line in trace.read_text().splitlines()]
    pids = {pid for _n, _s, pid, _a, _b in rows}
    assert len(pids) == 2 and os.getpid() not in pids  # two workers, not this process
    for name in "abcd":  # each dataset's steps in order, in one process
        mine = [r for r in rows if r[0] == name]
        assert [r[1] for r in mine] == ["convert", "postgis"] and len({r[2] for r in mine}) == 1
        assert mine[0][4] <= mine[1][3]
    spans = sorted((r[3], r[4]) for r in rows)
    assert any(b[0] < a[1] for a, b in itertools.pairwise(spans))  # some steps overlapped in time
    journal = [json.loads(line) for line in job.journal.read_text().splitlines()]
    assert sorted((e["dataset"], e["step"]) for e in journal) == sorted(
        (n, s) for n in "abcd" for s in ("convert", "postgis")
    )
    assert all((job.out / n / ".odl-geo-job.json").is_file() for n in "abcd")
    # unchanged: told in this process, no worker started, nothing traced
    again = run_job(job, TracingStep(trace), _no_files, executor=ProcessExecutor(2))
    assert {d.outcome for d in again.datasets} == {"unchanged"} and len(trace.read_text().splitlines()) == 8


def test_a_worker_that_dies_fails_its_dataset_only(tmp_path):
    for name in ("ok1", "die", "ok2"):
        (tmp_path / f"{name}.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    job = load_job(_job(tmp_path, ["ok1", "die", "ok2"]))
    result = run_job(job, TracingStep(tmp_path / "trace.jsonl"), _no_files, executor=ProcessExecutor(2))
    outcomes = {d.name: d for d in result.datasets}
    assert outcomes["die"].outcome == "failed" and outcomes["die"].code == 1
    assert "worker" in outcomes["die"].steps[0]["summary"]
    # a dead worker breaks Python's pool: datasets still queued then fail the same way, never silently
    assert result.exit_code == 1 and all(d.outcome in ("done", "failed") for d in result.datasets)
    assert not (job.out / "die" / ".odl-geo-job.json").exists()  # the next run redoes it


def test_run_jobs_2_converts_for_real_and_the_lock_still_holds(tmp_path, shared_data, capsys):
    for name in ("f1", "f2", "f3"):
        shutil.copy(shared_data / FOUNTAINS, tmp_path / f"{name}.csv")
    path = _job(tmp_path, ["f1", "f2", "f3"], '[dataset.convert]\nto = ["gpkg", "geojson"]\n')
    assert main(["run", str(path), "--jobs", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["name"], d["outcome"]) for d in data["datasets"]] == [("f1", "done"), ("f2", "done"), ("f3", "done")]
    for name in ("f1", "f2", "f3"):
        manifest = json.loads((tmp_path / "pub" / name / "manifest.json").read_text(encoding="utf-8"))
        assert {f["feature_count"] for f in manifest["files"] if f["format"] == "gpkg"} == {48}
    lock = tmp_path / "pub" / ".odl-geo-job.lock"
    with lock.open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a run in progress
        assert main(["run", str(path), "--jobs", "2", "--force"]) == 7
    assert "already running" in capsys.readouterr().err
    assert main(["run", str(path), "--jobs", "0"]) == 2
    assert main(["run", str(path), "--scheduler", "tcp://127.0.0.1:1"]) == 2
