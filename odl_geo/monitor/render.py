"""The status page: one self-contained HTML file a SIG administrator opens or serves (every value escaped)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from ..numbers import quantity
from .model import FAILED, OK

if TYPE_CHECKING:
    from .model import MonitorResult

__all__ = ["status_html"]

_LABEL = {OK: "OK", FAILED: "ÉCHEC", "skipped": "non contrôlé"}
_STYLE = """body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1e1e1e}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
td.url{font-family:monospace;font-size:.75rem;word-break:break-all;color:#555}.ok{color:#18753c}
.failed{color:#ce0500;font-weight:bold}.skipped{color:#666}caption{text-align:left;font-weight:bold;padding:.5rem 0}"""


def status_html(result: MonitorResult, since: dict[str, str] | None = None) -> str:
    """The page of one run. ``since``: check key -> since when it is in its present state (history)."""
    since = since or {}
    failed = len(result.failed)
    head = (f"{quantity(failed, 'contrôle', 'contrôles')} en échec" if failed else "Tout est en ordre") + \
        f" — {quantity(len(result.probes), 'contrôle', 'contrôles')}, " \
        f"{quantity(result.requests, 'requête', 'requêtes')}, {result.seconds:.1f} s"  # fmt: skip
    rows = []
    for p in result.probes:
        rows.append(
            f'<tr class="{escape(p.status)}"><td>{escape(p.dataset)}</td><td>{escape(p.service)} {escape(p.check)}</td>'
            f'<td>{escape(p.target)}</td><td class="{escape(p.status)}">{escape(_LABEL.get(p.status, p.status))}</td>'
            f"<td>{escape(p.message)}</td><td>{escape(since.get(p.key, ''))}</td>"
            f'<td class="url">{escape(p.url)}</td><td>{p.seconds:.2f}</td></tr>'
        )
    changes = "".join(f"<li>{escape(c['change'])} : {escape(c['dataset'])} {escape(c['service'])} "
                      f"{escape(c['check'])} {escape(c['target'])} — {escape(c['message'])}</li>"
                      for c in result.changes)  # fmt: skip
    return f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>odl-geo — état des publications — {escape(result.job)}</title><style>{_STYLE}</style></head>
<body><h1>État des publications : {escape(result.job)}</h1>
<p>Contrôle du {escape(result.time)}. <strong>{escape(head)}</strong></p>
{f"<h2>Changements depuis le contrôle précédent</h2><ul>{changes}</ul>" if changes else ""}
<table><caption>Contrôles (published data and services)</caption>
<thead><tr><th>jeu de données</th><th>service</th><th>objet</th><th>état</th><th>détail</th><th>depuis</th>
<th>URL appelée</th><th>s</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody></table></body></html>
"""
