"""The run's process does the work that needs none of the pass's results (the area's udata zones, the writers'
and report's imports: ``outputs._Early``) while the pass's forked child validates and writes the last chunk, and
the layer's verdicts (``finish_checks``) then too: the child is asked for its last answer only after both; the
report lists those verdicts after the last chunk's findings, as one process does; the manifest's zones are those
of the area."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from odl_geo.exports.manifest import MANIFEST_NAME
from odl_geo.theme import ThemeOptions, convert_theme
from odl_geo.theme import outputs as outputs_module
from odl_geo.theme import stream as stream_module
from odl_geo.theme.forked import ENV_SWITCH
from odl_geo.theme.pass_child import ENV_SWITCH as PASS_SWITCH
from odl_geo.theme.pass_child import PassChild
from tests.unit import forking

if TYPE_CHECKING:
    from pathlib import Path

FORMATS = ("gpkg", "geojson", "csv")


@pytest.fixture(autouse=True)
def alone(monkeypatch):
    forking.as_a_command(monkeypatch)
    monkeypatch.setenv(PASS_SWITCH, "1")  # forced on: these tests do not depend on the machine's load


def _run(out: Path, chunk_rows: int):
    path, options, _ = forking.SAMPLES["water"]
    opts = ThemeOptions(**{**options, "area": "34"}, chunk_rows=chunk_rows)
    return convert_theme(path, out, "water", opts, FORMATS)


def _events(monkeypatch) -> list[str]:
    """What the run's process did at the pass's end, in order: the child's answers, the layer's verdicts, the
    early work."""
    events: list[str] = []
    answer, finish, early = PassChild.answer, stream_module.finish_checks, outputs_module._Early.__call__

    def answered(self, feedback):
        events.append("answer")
        return answer(self, feedback)

    def verdicts(*args, **kwargs):
        events.append("verdicts")
        return finish(*args, **kwargs)

    def meanwhile(self, run):
        events.append("early")
        early(self, run)
        assert self.zones, "the area's zones computed here"

    monkeypatch.setattr(PassChild, "answer", answered)
    monkeypatch.setattr(stream_module, "finish_checks", verdicts)
    monkeypatch.setattr(outputs_module._Early, "__call__", meanwhile)
    return events


def _report(out: Path) -> list[tuple[str, str]]:
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return [(i["code"], i["message"]) for i in data["issues"]]


def test_the_run_works_meanwhile_and_asks_for_the_last_answer_after(tmp_path, monkeypatch):
    events = _events(monkeypatch)
    run = _run(tmp_path / "two", 7)
    chunks = events.count("answer")
    assert chunks >= 3  # the sample in several chunks, each answered once
    # every chunk's answer but the last, then the verdicts and the early work, then the last answer
    assert events == ["answer"] * (chunks - 1) + ["verdicts", "early", "answer"]
    manifest = json.loads(next((tmp_path / "two").glob(MANIFEST_NAME)).read_text(encoding="utf-8"))
    assert manifest["source"]["zones"] == outputs_module.zones_for(set(run.area.insee)) == ["fr:departement:34"]

    # one process: the same work at the pass's end, the same report and manifest
    monkeypatch.setenv(ENV_SWITCH, "0")
    events.clear()
    _run(tmp_path / "one", 7)
    assert events == ["verdicts", "early"]
    assert _report(tmp_path / "two") == _report(tmp_path / "one")
    one = json.loads(next((tmp_path / "one").glob(MANIFEST_NAME)).read_text(encoding="utf-8"))
    assert one["source"] == manifest["source"]


def test_the_layer_verdicts_follow_the_last_chunk_findings_as_in_a_whole_run(tmp_path, monkeypatch):
    """Duplicates across chunks are a verdict of the layer (finish_checks): computed before the last answer,
    listed after it, as the whole layer in one chunk lists its findings."""
    _run(tmp_path / "chunks", 7)
    _run(tmp_path / "whole", 100_000)
    chunked, whole = _report(tmp_path / "chunks"), _report(tmp_path / "whole")
    assert [code for code, _ in chunked] == [code for code, _ in whole]
