"""A table model over a report's issues (the JSON of ``odl-geo check``), translated by issue code."""

from __future__ import annotations

from typing import Any, ClassVar

from qgis.PyQt.QtCore import QModelIndex, Qt
from qgis.PyQt.QtGui import QBrush, QColor

from ..toolbelt.i18n import language, tr, tr_noop
from ..toolbelt.messages import issue_hint, issue_message
from .mdl_base import RowsModel

__all__ = ["IssuesModel"]

_COLOURS = {"error": "#c62828", "warning": "#b26a00", "info": "#546e7a"}


class IssuesModel(RowsModel):
    HEADERS: ClassVar[tuple[str, ...]] = (
        tr_noop("Severity"),
        tr_noop("Code"),
        tr_noop("Layer"),
        tr_noop("Count"),
        tr_noop("Message"),
    )
    SEVERITIES: ClassVar[dict[str, str]] = {
        "error": tr_noop("Error"),
        "warning": tr_noop("Warning"),
        "info": tr_noop("Info"),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.french = language() == "fr"

    def set_issues(self, issues: list[dict[str, Any]]) -> None:
        order = {"error": 0, "warning": 1, "info": 2}
        self.beginResetModel()
        self.rows = sorted(issues, key=lambda i: order.get(str(i.get("severity")), 3))
        self.endResetModel()

    @property
    def issues(self) -> list[dict[str, Any]]:
        return self.rows

    def count(self, severity: str) -> int:
        return sum(1 for i in self.rows if i.get("severity") == severity)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        issue = self.rows[index.row()]
        severity = str(issue.get("severity", ""))
        if role == Qt.DisplayRole:
            message = issue_message(issue)
            values = (
                tr(self.SEVERITIES.get(severity, severity)),
                issue.get("code"),
                issue.get("layer"),
                issue.get("count"),
                message,
            )
            return values[index.column()]
        if role == Qt.ToolTipRole:
            return issue_hint(issue) or None
        if role == Qt.ForegroundRole and index.column() == 0:
            return QBrush(QColor(_COLOURS.get(severity, "#000000")))
        return None
