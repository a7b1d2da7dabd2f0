"""``run_monitor``: every publication of a job checked, the history updated, alerts sent on state changes."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..credentials import Credentials
from ..errors import InputError
from ..feedback import NullFeedback, check_cancelled
from ..http import RequestsTransport, RetryPolicy
from .alerts import AlertConfig, send_alerts
from .history import HISTORY_NAME, History
from .model import FAILED, SKIPPED, Budget, BudgetExhausted, MonitorResult, Probe, ProbeHttp
from .probe_datagouv import probe_datagouv
from .probe_ogc import probe_ows
from .probe_postgis import probe_postgis
from .targets import load_manifest, publications

if TYPE_CHECKING:
    from ..feedback import Feedback
    from ..http import Transport
    from ..jobs import Job
    from .targets import Publication

__all__ = ["credentials_for", "run_monitor"]


def credentials_for(job: Job, section: str) -> Credentials | None:
    """The job's credentials for a service: its credentials file's section, else the environment; None if none."""
    if job.credentials is not None and job.credentials.is_file():
        try:
            return Credentials.from_file(job.credentials, section)
        except InputError:
            pass
    found = Credentials.from_env(f"ODL_{section.upper()}")
    return found if found.secrets else None


def run_monitor(
    job: Job,
    *,
    only: set[str] | None = None,
    budget: Budget | None = None,
    alerts: AlertConfig | None = None,
    transport: Transport | None = None,
    now: datetime | None = None,
    feedback: Feedback | None = None,
    serve: bool = False,
) -> MonitorResult:
    """Check what the job's journal says was published (see :mod:`odl_geo.monitor`).

    :param now: the time freshness is judged at (default: now); tests move it to make a dataset stale.
    :param serve: also serve each converted folder's project with the embedded QGIS Server and probe it.
    :raises InputError: ``only`` names no dataset of the job; the journal cannot be read.
    """
    names = {d.name for d in job.datasets}
    if only and not only <= names:
        unknown = ", ".join(sorted(only - names))
        raise InputError(f"The job {job.name!r} has no dataset {unknown}.",
                         "Datasets: " + ", ".join(sorted(names)) + ".",
                         message_fr=f"La tâche {job.name!r} n'a pas de jeu de données {unknown}.",
                         hint_fr="Jeux de données : " + ", ".join(sorted(names)) + ".")  # fmt: skip
    budget = budget or Budget()
    creds = {s: credentials_for(job, s) for s in ("geoserver", "datagouv", "postgis", "csw")}
    secrets = tuple(x for c in creds.values() if c for x in c.secrets)
    http = ProbeHttp(transport or RequestsTransport(retry=RetryPolicy(total=1, backoff=0.2), timeout=budget.timeout),
                     budget, secrets)  # fmt: skip
    fb = feedback or NullFeedback()
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    result = MonitorResult(job.name, stamp)
    start = time.monotonic()
    pubs = publications(job, only)
    for n, pub in enumerate(pubs):
        check_cancelled(fb, f"Monitoring {job.name}")
        fb.progress(100.0 * n / max(1, len(pubs)), f"{pub.dataset} {pub.step}")
        try:
            result.probes += _probe(pub, http, creds, now, budget)
        except BudgetExhausted as exc:
            result.probes.append(Probe(pub.dataset, pub.step, "budget", pub.step, SKIPPED, exc.message))
    if serve:
        from .probe_served import probe_served

        try:
            result.probes += probe_served(job, only, http)
        except BudgetExhausted as exc:
            result.probes.append(Probe("(served)", "qgis-wms", "budget", "wms", SKIPPED, exc.message))
    result.requests = http.count
    result.seconds = time.monotonic() - start
    history = History(job.journal.parent / HISTORY_NAME)
    result.changes = history.changes(result.probes)
    config = alerts or AlertConfig()
    result.alerts = send_alerts(result, config, http)
    delivered = all(a["ok"] for a in result.alerts)
    history.commit(result, delivered)
    fb.progress(100.0, job.name)
    return result


def _probe(pub: Publication, http: ProbeHttp, creds: dict[str, Credentials | None], now: datetime | None,
           budget: Budget) -> list[Probe]:  # fmt: skip
    rec = pub.record
    if pub.step == "geoserver":
        from ..publishers.geoserver.endpoints import Endpoints

        ep, ws = Endpoints(str(rec["url"])), str(rec.get("workspace") or "")
        layers = [x for x in rec.get("layers") or [] if x.get("name")]
        return probe_ows(pub.dataset, ep.ows(ws, "wms"), ep.ows(ws, "wfs"), layers, http, ws, creds["geoserver"])
    if pub.step == "datagouv":
        theme = str((load_manifest(pub.folder).get("source") or {}).get("theme") or "")
        return probe_datagouv(pub, http, creds["datagouv"], theme, now)
    if pub.step == "postgis":
        return probe_postgis(pub, creds["postgis"], budget.timeout[1])
    if pub.step == "csw":
        from .probe_csw import probe_csw

        return probe_csw(pub, http, creds["csw"])
    return [Probe(pub.dataset, pub.step, "record", pub.step, FAILED,
                  f"odl-geo monitor cannot check {pub.step} publications yet", "")]  # fmt: skip
