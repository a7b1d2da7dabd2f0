"""``odl-geo run --executor dask``: one dataset = one task on a real ``distributed.LocalCluster`` of two worker
processes; a worker killed in the middle of a dataset (its conversion written, its state not) is replaced, the task
runs again elsewhere, and the job converges: every dataset done once in the journal, outputs complete."""

from __future__ import annotations

import json
import os
import shutil
import signal
from typing import TYPE_CHECKING

import pytest
from distributed import LocalCluster

from odl_geo.cli.main import main
from odl_geo.jobs import StepResult, load_job, run_job
from odl_geo.jobs.executors import DaskExecutor

if TYPE_CHECKING:
    from pathlib import Path

FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def _job(tmp_path: Path, shared_data: Path, names: list[str]) -> Path:
    body = '[job]\nname = "dask"\nout = "pub"\n'
    for name in names:
        shutil.copy(shared_data / FOUNTAINS, tmp_path / f"{name}.csv")
        body += f'[[dataset]]\nname = "{name}"\nsource = "{name}.csv"\n[dataset.convert]\nto = ["gpkg", "geojson"]\n'
    path = tmp_path / "job.toml"
    path.write_text(body, encoding="utf-8")
    return path


class ConvertThenDieOnce:
    """The real ``odl-geo convert`` step; for dataset ``victim``, the first time, the worker process is killed
    (SIGKILL) right after its conversion was written, before the dataset's state is: a crash mid-task."""

    def __init__(self, job_path: Path, marker: Path) -> None:
        self.job_path, self.marker = job_path, marker

    def __call__(self, step, ds, folder, dry_run) -> StepResult:
        from odl_geo.cli.job_command import step_arguments
        from odl_geo.cli.main import run_argv

        code, result, error = run_argv(step_arguments(load_job(self.job_path), ds, step, folder, dry_run))
        with (self.marker.parent / "attempts.log").open("a") as fh:
            fh.write(f"{ds.name} {os.getpid()}\n")
        if ds.name == "victim" and not self.marker.exists():
            self.marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return StepResult(code, result, error)


def _named(ds) -> list[Path]:
    return []


def test_a_worker_killed_mid_task_and_the_job_still_converges(cluster, tmp_path, shared_data):
    path = _job(tmp_path, shared_data, ["a", "victim", "b", "c"])
    job = load_job(path)
    marker = tmp_path / "killed"
    result = run_job(job, ConvertThenDieOnce(path, marker), _named, executor=DaskExecutor(cluster.scheduler_address))
    assert marker.exists()  # the worker was killed once
    assert [(d.name, d.outcome) for d in result.datasets] == [(n, "done") for n in ("a", "victim", "b", "c")]
    attempts = (tmp_path / "attempts.log").read_text().split("\n")
    victim_pids = [line.split()[1] for line in attempts if line.startswith("victim ")]
    assert len(victim_pids) == 2 and victim_pids[0] != victim_pids[1]  # ran again, in another worker process
    journal = [json.loads(line) for line in job.journal.read_text(encoding="utf-8").splitlines()]
    assert sorted((e["dataset"], e["step"], e["outcome"]) for e in journal) == sorted(
        (n, "convert", "ok") for n in ("a", "victim", "b", "c")
    )  # the killed attempt left no line; the retry wrote its own once
    for name in ("a", "victim", "b", "c"):
        manifest = json.loads((job.out / name / "manifest.json").read_text(encoding="utf-8"))
        assert {f["feature_count"] for f in manifest["files"]} == {48}
        assert (job.out / name / ".odl-geo-job.json").is_file()
    # the next run: nothing changed, nothing sent to the cluster
    again = run_job(job, ConvertThenDieOnce(path, marker), _named, executor=DaskExecutor("tcp://127.0.0.1:1"))
    assert {d.outcome for d in again.datasets} == {"unchanged"}


def test_odl_geo_run_executor_dask_from_the_command_line(cluster, tmp_path, shared_data, capsys):
    path = _job(tmp_path, shared_data, ["x", "y"])
    code = main(["run", str(path), "--executor", "dask", "--scheduler", cluster.scheduler_address, "--json"])
    assert code == 0, capsys.readouterr()
    data = json.loads(capsys.readouterr().out)
    assert [(d["name"], d["outcome"]) for d in data["datasets"]] == [("x", "done"), ("y", "done")]
    (tmp_path / "x.csv").write_bytes((tmp_path / "x.csv").read_bytes() + b"\n")
    assert main(["run", str(path), "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", "--json"]) == 4
    assert "Cannot reach the Dask scheduler" in capsys.readouterr().out
    assert main(["run", str(path), "--executor", "dask"]) == 2
