"""The monitor's memory (SQLite beside the job's journal): the last state of every check, and each run.

Alerts go out when a check **changes state** (it starts failing, or it recovers), not at every run: the most
common complaint about GeoHealthCheck is a "still failing" mail every five minutes. A check seen for the first
time alerts only when it fails. A change is committed only once its alert went out (or when no alert channel is
configured), so that an alert lost to a mail server down is sent again at the next run.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import TYPE_CHECKING, Any

from .model import FAILED, OK

if TYPE_CHECKING:
    from pathlib import Path

    from .model import MonitorResult, Probe

__all__ = ["HISTORY_NAME", "History"]

HISTORY_NAME = "monitor.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, status TEXT NOT NULL, since TEXT NOT NULL,
                                  message TEXT NOT NULL, url TEXT NOT NULL, last_seen TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS run (time TEXT NOT NULL, ok INTEGER NOT NULL, failed INTEGER NOT NULL,
                                skipped INTEGER NOT NULL, requests INTEGER NOT NULL, seconds REAL NOT NULL,
                                alerts TEXT NOT NULL);
"""


class History:
    """``path``: the SQLite file (created with its tables when missing)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as conn, conn:
            conn.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def previous(self) -> dict[str, str]:
        with closing(self._connect()) as conn:
            return dict(conn.execute("SELECT key, status FROM state").fetchall())

    def changes(self, probes: list[Probe]) -> list[dict[str, Any]]:
        """The state changes of this run: ``failing`` (new, or was ok) and ``recovered`` (was failed)."""
        before = self.previous()
        out = []
        for p in probes:
            if p.status not in (OK, FAILED):
                continue  # skipped: its state stays as it was
            was = before.get(p.key)
            if p.status == FAILED and was != FAILED:
                out.append({**p.to_dict(), "change": "failing", "was": was or "new"})
            elif p.status == OK and was == FAILED:
                out.append({**p.to_dict(), "change": "recovered", "was": was})
        return out

    def commit(self, result: MonitorResult, delivered: bool) -> None:
        """Store this run; the states of changed checks only when their alert was delivered (see module)."""
        changed = {c["dataset"] + "|" + c["service"] + "|" + c["check"] + "|" + c["target"] for c in result.changes}
        with closing(self._connect()) as conn, conn:
            for p in result.probes:
                if p.status not in (OK, FAILED) or (p.key in changed and not delivered):
                    continue
                conn.execute(
                    "INSERT INTO state VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                    "since = CASE WHEN state.status = excluded.status THEN state.since ELSE excluded.since END, "
                    "status = excluded.status, message = excluded.message, url = excluded.url, "
                    "last_seen = excluded.last_seen",
                    (p.key, p.status, result.time, p.message, p.url, result.time),
                )
            summary = "; ".join(f"{a['channel']}:{'ok' if a['ok'] else 'failed'}" for a in result.alerts)
            conn.execute("INSERT INTO run VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (result.time, sum(1 for p in result.probes if p.status == OK), len(result.failed),
                          sum(1 for p in result.probes if p.status not in (OK, FAILED)), result.requests,
                          round(result.seconds, 3), summary))  # fmt: skip

    def since(self) -> dict[str, str]:
        """key -> since when the check has been in its present state (for the status page)."""
        with closing(self._connect()) as conn:
            return dict(conn.execute("SELECT key, since FROM state").fetchall())
