"""Job files: ``[dataset.metadata]`` goes to the metadata builder, a ``csw`` step publishes the record."""

from __future__ import annotations

import json
import shutil

import pytest

from odl_geo.cli.main import main
from odl_geo.publishers.csw import load_record

from .jobs import FONTAINES_METADATA

pytestmark = pytest.mark.server

JOB = (
    """\
[job]
name = "Montpellier"
out = "publication"

[[dataset]]
name = "fontaines"
source = "data/VilleMTP_MTP_Fontaines.csv"
[dataset.convert]
to = ["geojson", "gpkg"]
"""
    + FONTAINES_METADATA
    + """\
[dataset.csw]
url = "{url}"
"""
)


@pytest.fixture
def job(tmp_path, shared_data):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", data)
    return tmp_path / "job.toml"


def run(capsys, job):
    code = main(["run", str(job), "--json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else None, captured.err


def test_job_writes_metadata_and_publishes_to_csw(job, pycsw, capsys):
    job.write_text(JOB.format(url=pycsw.url), encoding="utf-8")
    code, result, err = run(capsys, job)
    assert code == 0, err
    [ds] = result["datasets"]
    assert [s["step"] for s in ds["steps"]] == ["convert", "metadata", "csw"]
    folder = job.parent / "publication" / "fontaines"
    record = load_record(folder)  # written by the metadata step from [dataset.metadata]
    assert record.title == "Bornes fontaines de Montpellier"
    stored = pycsw.client().get_record(record.identifier)
    assert stored is not None and stored.same_content(record)
    entries = [json.loads(line) for line in (job.parent / "publication" / "journal.jsonl").read_text().splitlines()]
    [csw] = [e for e in entries if e.get("step") == "csw"]
    assert csw["published"]["identifier"] == record.identifier
    assert csw["published"]["date_stamp"] == record.date_stamp and csw["published"]["url"] == pycsw.url
    # nothing changed: the dataset is skipped, nothing sent
    code, result, err = run(capsys, job)
    assert code == 0 and result["datasets"][0]["outcome"] == "unchanged"
    # a changed title in the job file: the dataset runs again, the record is updated in place
    renamed = JOB.format(url=pycsw.url).replace('title = "Bornes fontaines', 'title = "Les fontaines')
    job.write_text(renamed, encoding="utf-8")
    code, result, err = run(capsys, job)
    assert code == 0, err
    assert pycsw.client().search()[0] == 1
    assert pycsw.client().get_record(record.identifier).title == "Les fontaines de Montpellier"


def test_incomplete_metadata_table_stops_before_anything_runs(job, capsys):
    job.write_text(JOB.format(url="http://127.0.0.1:1/csw").replace('licence = "odbl"\n', "")
                   .replace('title = "Bornes fontaines de Montpellier"\n', ""), encoding="utf-8")  # fmt: skip
    code, _, err = run(capsys, job)
    assert code == 2
    assert "[fontaines] [dataset.metadata]" in err and "title" in err and "licence" in err
    assert not (job.parent / "publication" / "fontaines").exists()  # nothing converted
