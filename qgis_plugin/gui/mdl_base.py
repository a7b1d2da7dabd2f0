"""The part every table model of the plugin shares: rows in a list, translated column headers."""

from __future__ import annotations

from typing import Any, ClassVar

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, Qt

from ..toolbelt.i18n import tr

__all__ = ["RowsModel"]


class RowsModel(QAbstractTableModel):
    """``rows`` (one per line) under ``HEADERS`` (English source strings, shown translated)."""

    HEADERS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008 - Qt API
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole) -> Any:
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return tr(self.HEADERS[section])
        return None
