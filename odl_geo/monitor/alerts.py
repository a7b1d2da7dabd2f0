"""Alerts on state changes: a JSON POST to a webhook (chat, ticketing, a script) and/or an e-mail over SMTP.

The webhook goes through the project's Transport like every other request (time-outs, TLS verification, CA
bundle); the e-mail through :mod:`smtplib` (STARTTLS when the server offers it, login from ``ODL_SMTP_USER`` /
``ODL_SMTP_PASSWORD`` when set, never shown). A failed delivery is reported, not raised: the monitor's own exit
code stays about the published data, and the change is alerted again at the next run (see :mod:`.history`).
"""

from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..credentials import redact, redact_url
from ..errors import NetworkError
from ..http import HttpRequest
from ..numbers import agree, quantity

if TYPE_CHECKING:
    from .model import MonitorResult, ProbeHttp

__all__ = ["AlertConfig", "alert_text", "send_alerts"]


@dataclass(frozen=True)
class AlertConfig:
    webhook: str = ""
    emails: tuple[str, ...] = ()
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_from: str = "odl-geo@localhost"
    smtp_timeout: float = 20.0
    smtp_user: str | None = field(default_factory=lambda: os.environ.get("ODL_SMTP_USER") or None, repr=False)
    smtp_password: str | None = field(default_factory=lambda: os.environ.get("ODL_SMTP_PASSWORD") or None,
                                      repr=False)  # fmt: skip

    @property
    def any(self) -> bool:
        return bool(self.webhook or self.emails)


def _subject(result: MonitorResult) -> str:
    failing = sum(1 for c in result.changes if c["change"] == "failing")
    recovered = len(result.changes) - failing
    parts = []
    if failing:
        parts.append(f"{quantity(failing, 'contrôle', 'contrôles')} en échec / failing")
    if recovered:
        parts.append(f"{quantity(recovered, 'rétabli', 'rétablis')} / recovered")
    return f"[odl-geo] {result.job} : " + ", ".join(parts)


def alert_text(result: MonitorResult) -> str:
    """The alert's plain text (French first, English after each label): one block per change."""
    lines = [_subject(result), f"Contrôle du {result.time} / checked at {result.time}", ""]
    for c in result.changes:
        label = "EN ÉCHEC / FAILING" if c["change"] == "failing" else "RÉTABLI / RECOVERED"
        lines.append(f"{label}  {c['dataset']}  {c['service']} {c['check']}  {c['target']}")
        lines.append(f"    {c['message']}")
        if c.get("url"):
            lines.append(f"    {c['url']}")
    still = len(result.failed) - sum(1 for c in result.changes if c["change"] == "failing")
    if still > 0:
        others = quantity(still, "autre contrôle", "autres contrôles")
        lines += [
            "",
            f"{others} toujours en échec ({agree(still, 'déjà signalé', 'déjà signalés')}) / still failing (alerted)",
        ]
    return "\n".join(lines) + "\n"


def send_alerts(result: MonitorResult, config: AlertConfig, http: ProbeHttp) -> list[dict[str, Any]]:
    """Send the alert of ``result.changes`` on every configured channel; one outcome per channel."""
    if not result.changes or not config.any:
        return []
    outcomes = []
    if config.webhook:
        outcomes.append(_webhook(result, config.webhook, http))
    if config.emails:
        outcomes.append(_email(result, config))
    return outcomes


def _webhook(result: MonitorResult, url: str, http: ProbeHttp) -> dict[str, Any]:
    payload = {"job": result.job, "time": result.time, "summary": _subject(result), "text": alert_text(result),
               "changes": result.changes, "failed": len(result.failed)}  # fmt: skip
    parts = urlsplit(redact_url(url))
    shown = f"{parts.scheme}://{parts.netloc}/…"  # chat webhooks carry their secret in the path: never shown
    try:  # through the Transport, outside the probes' request budget: an alert is never capped out
        resp = http.transport.send(HttpRequest("POST", url, json_body=payload, timeout=http.budget.timeout))
    except NetworkError:  # its message would repeat the URL, secret path included
        return {"channel": "webhook", "ok": False, "target": shown, "message": "no answer (unreachable or timed out)"}
    ok = 200 <= resp.status < 300
    return {"channel": "webhook", "ok": ok, "target": shown,
            "message": f"HTTP {resp.status}" + ("" if ok else f": {http.say(resp.text)}")}  # fmt: skip


def _email(result: MonitorResult, config: AlertConfig) -> dict[str, Any]:
    msg = EmailMessage()
    msg["Subject"] = _subject(result)
    msg["From"] = config.smtp_from
    msg["To"] = ", ".join(config.emails)
    msg.set_content(alert_text(result))
    target = f"smtp://{config.smtp_host}:{config.smtp_port} -> {', '.join(config.emails)}"
    secrets = tuple(s for s in (config.smtp_password,) if s)
    try:
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                import ssl

                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.smtp_user and config.smtp_password:
                smtp.login(config.smtp_user, config.smtp_password)
            smtp.send_message(msg)
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        return {"channel": "email", "ok": False, "target": target,
                "message": redact(f"{type(exc).__name__}: {exc}", secrets)}  # fmt: skip
    return {"channel": "email", "ok": True, "target": target, "message": f"sent to {len(config.emails)}"}
