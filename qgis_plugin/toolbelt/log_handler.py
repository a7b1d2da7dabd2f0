"""Forward the ``odl_geo`` library's logging to the QGIS log panel, in the plugin's own tab."""

from __future__ import annotations

import logging

from qgis.core import Qgis, QgsMessageLog

from ..__about__ import __title__

__all__ = ["QgsLogHandler", "install_log_handler", "remove_log_handler"]

_LEVELS = {
    logging.DEBUG: Qgis.Info,
    logging.INFO: Qgis.Info,
    logging.WARNING: Qgis.Warning,
    logging.ERROR: Qgis.Critical,
    logging.CRITICAL: Qgis.Critical,
}


class QgsLogHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            level = _LEVELS.get(record.levelno, Qgis.Info)
            QgsMessageLog.logMessage(self.format(record), __title__, level, notifyUser=False)
        except Exception:  # noqa: BLE001 - a logging handler must never raise
            self.handleError(record)


_handler: QgsLogHandler | None = None


def install_log_handler(level: int = logging.INFO) -> None:
    global _handler
    if _handler is None:
        _handler = QgsLogHandler(level)
        _handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
        logging.getLogger("odl_geo").addHandler(_handler)


def remove_log_handler() -> None:
    global _handler
    if _handler is not None:
        logging.getLogger("odl_geo").removeHandler(_handler)
        _handler = None
