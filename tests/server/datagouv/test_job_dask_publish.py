"""A Dask task retried after its worker died **after publishing** (GeoServer test double, real udata) and before the
dataset's state was written: the retry publishes again, idempotently (no duplicate creation seen by either server,
one dataset on data.gouv.fr), and the job converges."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
from pathlib import Path

import pytest
import requests
from distributed import LocalCluster

from odl_geo.jobs import StepResult, load_job, run_job
from odl_geo.jobs.executors import DaskExecutor
from odl_geo.publishers.datagouv.models import DATASET_KEY_EXTRA
from tests.server.geoserver_double.process import start_double_process, stop_double_process

pytestmark = pytest.mark.server
REPO = Path(__file__).resolve().parents[3]


class PublishThenDieOnce:
    """The real steps (``odl-geo`` in the worker); the first time the last step of ``victim`` has published, the
    worker process is killed before returning: the dataset's state is not written, the task runs again."""

    def __init__(self, job_path: Path, marker: Path) -> None:
        self.job_path, self.marker = job_path, marker

    def __call__(self, step, ds, folder, dry_run) -> StepResult:
        from odl_geo.cli.job_command import step_arguments
        from odl_geo.cli.main import run_argv

        code, result, error = run_argv(step_arguments(load_job(self.job_path), ds, step, folder, dry_run))
        if ds.name == "victim" and step.section == "datagouv" and code == 0 and not self.marker.exists():
            self.marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return StepResult(code, result, error)


def _named(ds) -> list[Path]:
    return []


def test_a_task_retried_after_publishing_publishes_idempotently(tmp_path, shared_data, udata):
    password = f"pw-{secrets.token_hex(6)}"
    (tmp_path / "double").mkdir()
    proc, url = start_double_process(tmp_path / "double", password)
    try:
        for name in ("other", "victim"):
            shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv",
                        tmp_path / f"{name}.csv")  # fmt: skip
        shutil.copy(REPO / "examples/water/fontaines.toml", tmp_path)
        creds = tmp_path / "credentials.toml"
        creds.write_text(f'[geoserver]\nusername = "admin"\npassword = "{password}"\n'
                         f'[datagouv]\napi_key = "{udata.info["API_KEY"]}"\n', encoding="utf-8")  # fmt: skip
        creds.chmod(0o600)
        body = '[job]\nname = "dask publish"\nout = "pub"\ncredentials = "credentials.toml"\n'
        for name in ("other", "victim"):
            body += (f'[[dataset]]\nname = "{name}"\nsource = "{name}.csv"\n[dataset.convert]\ntheme = "water"\n'
                     f'mapping = "fontaines.toml"\nto = ["gpkg"]\n[dataset.geoserver]\nurl = "{url}"\n'
                     f'workspace = "ws_{name}"\n[dataset.datagouv]\nurl = "{udata.site}"\n'
                     f'org = "{udata.info["ORG_SLUG"]}"\ndataset_key = "dask-{name}"\n')  # fmt: skip
        path = tmp_path / "job.toml"
        path.write_text(body, encoding="utf-8")
        job = load_job(path)
        marker = tmp_path / "killed"
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            result = run_job(job, PublishThenDieOnce(path, marker), _named,
                             executor=DaskExecutor(cluster.scheduler_address))  # fmt: skip
        assert marker.exists()
        assert [(d.name, d.outcome) for d in result.datasets] == [("other", "done"), ("victim", "done")]
        log = requests.get(f"{url.removesuffix('/geoserver')}/__double__/log", timeout=10).json()
        assert [e for e in log if e["misuse"]] == []  # no duplicate POST, no rename, nothing the contract forbids
        victim_posts = [e for e in log if e["method"] == "POST" and "/ws_victim" in e["path"]]
        assert victim_posts and all(e["status"] in (200, 201) for e in victim_posts)
        datasets = requests.get(f"{udata.api}/organizations/{udata.info['ORG_SLUG']}/datasets/",
                                params={"page_size": 100}, timeout=10).json()["data"]  # fmt: skip
        ours = [d for d in datasets if d.get("extras", {}).get(DATASET_KEY_EXTRA) == "dask-victim"]
        assert len(ours) == 1  # published twice, one dataset
        journal = [json.loads(line) for line in job.journal.read_text(encoding="utf-8").splitlines()]
        assert [(e["dataset"], e["step"]) for e in journal if e["dataset"] == "victim"] == [
            ("victim", "convert"), ("victim", "geoserver"), ("victim", "datagouv")]  # fmt: skip
    finally:
        stop_double_process(proc)
