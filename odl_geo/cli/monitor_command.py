"""``odl-geo monitor JOB.toml``: check what a job published, for cron (exit 8 when a check failed).

Registered by ``odl_geo.cli.main`` (``COMMAND_MODULES``); the work is in :mod:`odl_geo.monitor`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..errors import OdlGeoError, OutputError
from ..numbers import agree, count_text, quantity

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..feedback import Feedback

__all__ = ["register"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "monitor",
        parents=[common],
        help="check what a job published: map servers, data.gouv.fr, PostGIS, CSW (for cron)",
        description="Check every publication the journal of JOB records: WMS GetCapabilities lists each layer, "
        "GetMap draws it, WFS counts its features; the data.gouv.fr dataset is there, public as intended and "
        "fresh for its frequency, its files answer with the checksum sent and the schema product still "
        "validates; PostGIS tables have their row counts; CSW records have the revision date published. "
        "Each check shows the URL it called and its time. Alerts (webhook, e-mail) go out only when a check "
        "changes state (history in monitor.sqlite beside the journal).",
        epilog="Exit codes: 0 every check passed; 8 at least one check failed; 2 the job file is wrong. "
        "See docs/automation.md for cron and systemd set-ups.",
    )
    p.add_argument("job", metavar="JOB")
    p.add_argument("--only", action="append", default=[], metavar="NAME", help="check only this dataset (repeat)")
    p.add_argument("--html", metavar="FILE", help="write an HTML status page there")
    p.add_argument("--serve", action="store_true", help="also serve each converted folder's project.qgs with the "
                   "embedded QGIS Server (odl-geo serve) and check its layers as a map client would")  # fmt: skip
    g = p.add_argument_group("alerts (sent when a check starts failing or recovers)")
    g.add_argument("--alert-webhook", metavar="URL", default="", help="POST a JSON alert to this URL")
    g.add_argument("--alert-email", metavar="ADDRESS", action="append", default=[], help="e-mail an alert (repeat)")
    g.add_argument("--smtp-host", default="localhost", help="SMTP server (default localhost; login from "
                   "ODL_SMTP_USER / ODL_SMTP_PASSWORD)")  # fmt: skip
    g.add_argument("--smtp-port", type=int, default=25, help="SMTP port (default 25)")
    g.add_argument("--smtp-from", default="odl-geo@localhost", help="sender address")
    g = p.add_argument_group("bounds")
    g.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for each answer (default 20)")
    g.add_argument("--max-requests", type=int, default=500, help="requests in all per run (default 500)")
    g.add_argument(
        "--max-download",
        type=float,
        default=20.0,
        help="MB: larger resources are not downloaded, udata's checksum is compared (default 20)",
    )
    g.add_argument("--max-downloads", type=int, default=20, help="resources downloaded per run (default 20)")
    p.set_defaults(handler=_handler)


def _handler(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..jobs import load_job
    from ..monitor import AlertConfig, Budget, History, run_monitor, status_html
    from ..monitor.history import HISTORY_NAME

    job = load_job(args.job)
    budget = Budget(timeout=(min(5.0, args.timeout), args.timeout), max_requests=args.max_requests,
                    max_download=int(args.max_download * 1024 * 1024), max_downloads=args.max_downloads)  # fmt: skip
    alerts = AlertConfig(args.alert_webhook, tuple(args.alert_email), args.smtp_host, args.smtp_port, args.smtp_from)
    result = run_monitor(
        job, only=set(args.only) or None, budget=budget, alerts=alerts, feedback=feedback, serve=args.serve
    )
    if args.html:
        page = Path(args.html)
        try:
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(status_html(result, History(job.journal.parent / HISTORY_NAME).since()), "utf-8")
        except OSError as exc:
            raise OutputError(
                f"The status page {page} cannot be written ({exc.strerror}).",
                "Check the path.",
                message_fr=f"Impossible d'écrire la page d'état {page} ({exc.strerror}).",
                hint_fr="Vérifiez le chemin.",
            ) from None
    if not args.json and not args.quiet:
        _print(out, result)
    data = result.to_dict()
    if result.exit_code:
        raise MonitorFailed(len(result.failed), job.name, data)
    return data


def _print(out: Console, result: Any) -> None:
    from rich.table import Table

    if not result.probes:
        out.print("Nothing to check: the journal records no publication yet (run odl-geo run first).")
        return
    table = Table(show_lines=False, highlight=False)
    for col in ("dataset", "check", "object", "state", "detail", "URL", "s"):
        table.add_column(col, overflow="fold")
    colour = {"ok": "green", "failed": "bold red", "skipped": "dim"}
    for p in result.probes:
        table.add_row(escape(p.dataset), escape(f"{p.service} {p.check}"), escape(p.target),
                      f"[{colour.get(p.status, '')}]{escape(p.status)}[/]", escape(p.message), escape(p.url),
                      f"{p.seconds:.2f}")  # fmt: skip
    out.print(table)
    for c in result.changes:
        out.print(escape(f"{c['change']}: {c['dataset']} {c['service']} {c['check']} {c['target']}"), highlight=False)
    for a in result.alerts:
        out.print(escape(f"alert {a['channel']} -> {a['target']}: {'sent' if a['ok'] else 'NOT SENT'} "
                         f"({a['message']})"), highlight=False)  # fmt: skip
    out.print(escape(f"{quantity(len(result.probes), 'check', 'checks', 'en')}, "
                     f"{count_text(len(result.failed), 'en')} failed, "
                     f"{quantity(result.requests, 'request', 'requests', 'en')}, {result.seconds:.1f} s"),
              highlight=False)  # fmt: skip


class MonitorFailed(OdlGeoError):
    """Some checks failed: exit code 8 for cron; the JSON result lists every check."""

    exit_code = 8

    def __init__(self, failed: int, job: str, result: dict[str, Any]) -> None:
        super().__init__(f"{quantity(failed, 'check', 'checks', 'en')} of what {job!r} published failed.",
                         "Read the table (or --html page): each failed check names the URL it called.",
                         message_fr=f"{quantity(failed, 'vérification', 'vérifications')} de ce que {job!r} a "
                         f"publié {agree(failed, 'a échoué', 'ont échoué')}.",
                         hint_fr="Consultez le tableau (ou la page --html) : chaque vérification en échec indique "
                         "l'URL qu'elle a appelée.")  # fmt: skip
        self.result = result

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.result}
