"""The monitor's alerts and status page, the job runner's summaries, the data.gouv.fr description and the command
line's counts agree in number with their counts (« 1 contrôle en échec », « 2 contrôles en échec », "1 request
planned", "0 requests planned"), French counts grouped with a narrow no-break space, English ones with a comma;
no « contrôle(s) » or "request(s)" left."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from odl_geo.cli.main import main
from odl_geo.errors import RemoteError
from odl_geo.jobs.runner import StepResult
from odl_geo.monitor import MonitorResult, Probe, status_html
from odl_geo.monitor.alerts import alert_text
from odl_geo.monitor.freshness import freshness
from odl_geo.numbers import NARROW_NBSP
from odl_geo.publishers.geoserver.verify import LayerCheck, raise_if_failed

if TYPE_CHECKING:
    from pathlib import Path


def _probe(status: str, target: str) -> Probe:
    return Probe("ds", "wms", "layer", target, status, f"{target} is {status}", "http://x/wms")


def _result(statuses: list[str], changes: list[str], requests: int = 0) -> MonitorResult:
    """A run of one probe per status, the first ``len(changes)`` of them changed as ``changes`` says."""
    probes = [_probe(s, f"l{n}") for n, s in enumerate(statuses)]
    result = MonitorResult("Surveillance", "2026-03-01T10:00:00Z", probes, requests=requests, seconds=1.25)
    result.changes = [{"change": c, "dataset": p.dataset, "service": p.service, "check": p.check, "target": p.target,
                       "message": p.message, "url": p.url} for c, p in zip(changes, probes, strict=False)]  # fmt: skip
    return result


@pytest.mark.parametrize(
    ("statuses", "changes", "subject"),
    [
        (["failed", "ok"], ["failing"], "[odl-geo] Surveillance : 1 contrôle en échec / failing"),
        (["failed", "failed"], ["failing", "failing"], "[odl-geo] Surveillance : 2 contrôles en échec / failing"),
        (["ok"], ["recovered"], "[odl-geo] Surveillance : 1 rétabli / recovered"),
        (["ok", "ok", "failed"], ["recovered", "recovered", "failing"],
         "[odl-geo] Surveillance : 1 contrôle en échec / failing, 2 rétablis / recovered"),
    ],
)  # fmt: skip
def test_the_alerts_subject_agrees_with_its_counts(statuses, changes, subject):
    text = alert_text(_result(statuses, changes))
    assert text.splitlines()[0] == subject
    assert "(s)" not in text


@pytest.mark.parametrize(
    ("still", "line"),
    [
        (1, "1 autre contrôle toujours en échec (déjà signalé) / still failing (alerted)"),
        (2, "2 autres contrôles toujours en échec (déjà signalés) / still failing (alerted)"),
    ],
)
def test_the_alert_counts_the_checks_still_failing(still, line):
    text = alert_text(_result(["ok"] + ["failed"] * still, ["recovered"]))
    assert text.splitlines()[-1] == line


@pytest.mark.parametrize(
    ("statuses", "requests", "head"),
    [
        (["ok"], 1, "Tout est en ordre — 1 contrôle, 1 requête, 1.2 s"),
        (["failed"], 0, "1 contrôle en échec — 1 contrôle, 0 requête, 1.2 s"),
        (["failed", "failed", "ok"], 1004, f"2 contrôles en échec — 3 contrôles, 1{NARROW_NBSP}004 requêtes, 1.2 s"),
    ],
)
def test_the_status_pages_head_line_agrees_with_its_counts(statuses, requests, head):
    page = status_html(_result(statuses, [], requests))
    assert f"<strong>{head}</strong>" in page
    assert "(s)" not in page


@pytest.mark.parametrize(
    ("now", "late"), [(datetime(2026, 3, 3, 11), "1 day late"), (datetime(2026, 3, 4, 11), "2 days late")]
)
def test_a_stale_dataset_says_how_many_days_late(now, late):
    fresh, why = freshness("daily", "2026-03-01T10:00:00+00:00", now)
    assert not fresh and why.endswith(f"frequency 'daily', {late}")


@pytest.mark.parametrize(
    ("result", "summary"),
    [
        ({"files": ["a.gpkg"]}, "1 file"),
        ({"files": ["a.gpkg", "a.csv"]}, "2 files"),
        ({"dry_run": True, "planned_requests": ["PUT x"]}, "1 request planned"),
        ({"dry_run": True, "planned_requests": []}, "0 requests planned"),
        ({"resources": [{"outcome": "updated"}, {"outcome": "unchanged"}]}, "1 resource changed of 2"),
        ({"resources": [{"outcome": "unchanged"}]}, "0 resources changed of 1"),
        ({"checks": [{"ok": True}]}, "1/1 layer checked in WMS/WFS"),
        ({"checks": [{"ok": True}, {"ok": False}]}, "1/2 layers checked in WMS/WFS"),
        ({"layers": [{"table": "t"}]}, "1 table"),
        ({"layers": [{"table": f"t{n}"} for n in range(1004)]}, "1,004 tables"),
    ],
)
def test_the_job_runners_summary_agrees_with_its_counts(result, summary):
    assert StepResult(0, result).summary() == summary


@pytest.mark.parametrize(
    ("result", "summary"),
    [
        ({"files": ["a.gpkg"]}, "1 fichier"),
        ({"files": ["a.gpkg", "a.csv"]}, "2 fichiers"),
        ({"dry_run": True, "planned_requests": ["PUT x"]}, "1 requête prévue"),
        ({"dry_run": True, "planned_requests": []}, "0 requête prévue"),
        ({"resources": [{"outcome": "updated"}, {"outcome": "unchanged"}]}, "1 ressource modifiée sur 2"),
        ({"resources": [{"outcome": "created"}, {"outcome": "updated"}]}, "2 ressources modifiées sur 2"),
        ({"checks": [{"ok": True}]}, "1/1 couche vérifiée en WMS/WFS"),
        ({"checks": [{"ok": True}, {"ok": False}]}, "1/2 couches vérifiées en WMS/WFS"),
        ({"bytes_uploaded": 2048, "page": "https://www.data.gouv.fr/x"}, "2\u202f048 octets envoyés à https://www.data.gouv.fr/x"),
        ({"layers": [{"table": f"t{n}"} for n in range(1004)]}, "1\u202f004 tables"),
        ({}, "fait"),
    ],
)
def test_the_job_runners_summary_in_french_agrees_with_its_counts(result, summary):
    """A French terminal reads the run's table in French (``summary_fr``), the journal keeps the English."""
    assert StepResult(0, result).summary("fr") == summary


def test_a_failed_ogc_check_counts_its_layers():
    bad = LayerCheck("a", in_capabilities=False, image_ok=False, feature_count=None, expected_count=1, problem="x")
    with pytest.raises(RemoteError) as one:
        raise_if_failed([bad], "ws")
    assert one.value.message == "1 layer of workspace 'ws' failed the OGC check: a: x"
    with pytest.raises(RemoteError) as two:
        raise_if_failed([bad, bad], "ws")
    assert two.value.message == "2 layers of workspace 'ws' failed the OGC check: a: x; a: x"


def test_unknown_embed_themes_agree_with_their_number(tmp_path: Path, capsys):
    # --lang: the language of the components, and of the error whatever the terminal's locale
    assert main(["embed", str(tmp_path / "site"), "--theme", "forest", "--lang", "fr"]) == 2
    assert "Thème inconnu : forest." in capsys.readouterr().err
    assert main(["embed", str(tmp_path / "site"), "--theme", "forest", "lake", "--lang", "fr"]) == 2
    assert "Thèmes inconnus : forest, lake." in capsys.readouterr().err
    assert main(["embed", str(tmp_path / "site"), "--theme", "forest", "--lang", "en"]) == 2
    assert "Unknown theme: forest." in capsys.readouterr().err
    assert main(["embed", str(tmp_path / "site"), "--theme", "forest", "lake", "--lang", "en"]) == 2
    assert "Unknown themes: forest, lake." in capsys.readouterr().err


@pytest.mark.parametrize(("issues", "note"), [(0, "(0 note d'information)"), (1, "(1 note d'information)"),
                                              (3, "(3 notes d'information)")])  # fmt: skip
def test_the_datagouv_description_counts_its_notes(tmp_path: Path, issues, note):
    from odl_geo.publishers.datagouv._describe import describe_outputs
    from odl_geo.publishers.datagouv.publish import PublishOptions

    manifest = {"files": [], "report": {"issues": [{"severity": "info", "message": "m"}] * issues}}
    described = describe_outputs(manifest, tmp_path, PublishOptions(organization="org"))
    assert f"Aucun avertissement à la conversion {note}." in described
