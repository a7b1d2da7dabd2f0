"""``odl-geo monitor``: quality control of what a job published (map servers, data.gouv.fr, PostGIS).

From the job's journal (what was published where, :mod:`odl_geo.jobs.records`) every published object is probed
as its users would reach it; results go to a table, JSON, an HTML status page, and a history (SQLite beside the
journal) that sends alerts (webhook, e-mail) only when a check changes state.
"""

from .alerts import AlertConfig, alert_text
from .history import HISTORY_NAME, History
from .model import MONITOR_FAILED_EXIT, Budget, MonitorResult, Probe
from .render import status_html
from .run import run_monitor

__all__ = [
    "HISTORY_NAME",
    "MONITOR_FAILED_EXIT",
    "AlertConfig",
    "Budget",
    "History",
    "MonitorResult",
    "Probe",
    "alert_text",
    "run_monitor",
    "status_html",
]
