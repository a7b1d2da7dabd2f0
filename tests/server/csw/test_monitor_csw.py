"""``odl-geo monitor`` on a job publishing to a real pycsw: the record is found with the revision date it was
published with; a record revised behind odl-geo's back, then the catalogue down, each fail with their message."""

from __future__ import annotations

import json
import shutil

import pytest

from odl_geo.cli.main import main
from odl_geo.publishers.csw import CswRecord, load_record

from .jobs import FONTAINES_METADATA
from .process import stop_pycsw

pytestmark = pytest.mark.server

JOB = (
    """\
[job]
name = "Catalogue"
out = "publication"

[[dataset]]
name = "fontaines"
source = "VilleMTP_MTP_Fontaines.csv"
[dataset.convert]
to = ["gpkg"]
"""
    + FONTAINES_METADATA
    + """\
[dataset.csw]
url = "{url}"
"""
)


def _monitor(capsys, job) -> tuple[int, list[dict]]:
    code = main(["monitor", str(job), "--json", "--timeout", "5"])
    return code, json.loads(capsys.readouterr().out)["probes"]


def test_the_csw_record_is_checked_with_its_revision_date(tmp_path, shared_data, pycsw, capsys):
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", tmp_path)
    job = tmp_path / "job.toml"
    job.write_text(JOB.format(url=pycsw.url), encoding="utf-8")
    assert main(["run", str(job), "--quiet"]) == 0
    record = load_record(tmp_path / "publication" / "fontaines")
    code, probes = _monitor(capsys, job)
    assert code == 0
    [probe] = [p for p in probes if p["service"] == "csw"]
    assert probe["status"] == "ok" and record.date_stamp in probe["message"]
    assert "request=GetRecordById" in probe["url"] and record.identifier in probe["url"]

    # someone revises the record in the catalogue: its date is no longer the one odl-geo published
    revised = CswRecord.from_xml(record.xml.replace(record.date_stamp.encode(), b"2001-01-01", 1))
    pycsw.client().update(revised)
    code, probes = _monitor(capsys, job)
    [probe] = [p for p in probes if p["service"] == "csw"]
    assert code == 8 and probe["status"] == "failed"
    assert f"holds revision 2001-01-01, odl-geo published {record.date_stamp}" in probe["message"]

    stop_pycsw(pycsw.proc)
    code, probes = _monitor(capsys, job)
    [probe] = [p for p in probes if p["service"] == "csw"]
    assert code == 8 and "server down or unreachable" in probe["message"]
