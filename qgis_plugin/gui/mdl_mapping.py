"""Table models over odl-geo's mapping proposal (``odl-geo mapping --json``): one row per schema field, and one per
enumerated value the schema does not know. Editing them builds the mapping file's choices; no matching is done here.
"""

from __future__ import annotations

from typing import Any, ClassVar

from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, Qt
from qgis.PyQt.QtGui import QBrush, QColor, QFont
from qgis.PyQt.QtWidgets import QComboBox, QStyledItemDelegate, QWidget

from odl_geo.profiles.mapping_toml import MappingChoices

from ..toolbelt.i18n import language, tr, tr_noop
from .mdl_base import RowsModel

__all__ = ["ChoiceDelegate", "FieldsModel", "ValuesModel"]

NONE = ""  # "no source field": the target stays empty

HOW = {
    "mapping": tr_noop("mapping file"),
    "exact": tr_noop("same name"),
    "normalised": tr_noop("same name (case, accents)"),
    "synonym": tr_noop("known synonym"),
    "fuzzy": tr_noop("resemblance: check it"),
    "you": tr_noop("your choice"),
}


class FieldsModel(RowsModel):
    """Schema field | required | source field (editable) | constant (editable) | how it was matched."""

    HEADERS: ClassVar[tuple[str, ...]] = (
        tr_noop("Layer"),
        tr_noop("Schema field"),
        tr_noop("Source field"),
        tr_noop("Value for every feature"),
        tr_noop("Matched by"),
    )
    SOURCE, CONSTANT = 2, 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)  # rows: one per target, role data + target data
        self.roles: list[dict[str, Any]] = []
        self.theme = ""

    # -- loading -------------------------------------------------------------------------------------------
    def set_suggestion(self, suggestion: dict[str, Any]) -> None:
        self.beginResetModel()
        self.theme = str(suggestion.get("theme", ""))
        self.roles = list(suggestion.get("roles", []))
        self.rows = []
        for role in self.roles:
            for target in role.get("targets", []):
                self.rows.append(
                    {
                        "role": role["role"],
                        "role_title": role.get("title", {}),
                        "editable": bool(role.get("editable")),
                        "sources": list(role.get("source_fields", [])),
                        **target,
                        "constant": "" if target.get("constant") is None else str(target["constant"]),
                        "source": target.get("source") or NONE,
                    }
                )
        self.endResetModel()

    def clear(self) -> None:
        self.set_suggestion({})

    # -- reading -------------------------------------------------------------------------------------------
    def missing_required(self) -> list[str]:
        return [
            r["name"] for r in self.rows if r["required"] and r["editable"] and not r["source"] and not r["constant"]
        ]

    def choices(self) -> MappingChoices:
        """Every source field and constant as the table shows them (explicit: the proposal is not re-guessed)."""
        c = MappingChoices()
        multi = len(self.roles) > 1
        for r in self.rows:
            key = r["role"] if multi else ""
            if r["constant"]:
                c.constants.setdefault(key, {})[r["name"]] = r["constant"]
            elif r["editable"] and (r["source"] or r.get("edited")):
                c.fields.setdefault(key, {})[r["name"]] = r["source"]  # "" when a person cleared a match
        return c

    def personal_fields(self) -> list[str]:
        """Fields anonymisation removes by default: personal schema fields and personal-looking source fields."""
        names = [r["name"] for r in self.rows if r.get("personal")]
        for role in self.roles:
            names.extend(role.get("personal_sources", []))
        return sorted(set(names))

    # -- Qt ------------------------------------------------------------------------------------------------
    def flags(self, index: QModelIndex) -> Qt.ItemFlags:
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        row = self.rows[index.row()]
        if index.column() == self.SOURCE and row["editable"]:
            return base | Qt.ItemIsEditable
        if index.column() == self.CONSTANT:
            return base | Qt.ItemIsEditable
        return base

    def options(self, index: QModelIndex) -> list[str]:
        """The choices of an editable cell: the layer's fields, or the enumeration's codes (free text if none)."""
        row = self.rows[index.row()]
        if index.column() == self.SOURCE:
            return [NONE, *row["sources"]]
        if index.column() == self.CONSTANT and row.get("enum"):
            return ["", *row["enum"]]
        return []

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role in (Qt.DisplayRole, Qt.EditRole):
            if col == 0:
                return row["role_title"].get(language(), row["role_title"].get("en", row["role"]))
            if col == 1:
                return row["name"] + (" *" if row["required"] else "")
            if col == self.SOURCE:
                return row["source"] if row["editable"] else tr("(set by the standard)")
            if col == self.CONSTANT:
                return row["constant"]
            how = "you" if row.get("edited") else row.get("how")
            return tr(HOW[how]) if how in HOW else ""
        if role == Qt.ToolTipRole:
            parts = [row.get("description") or "", f"{tr('type')}: {row.get('kind')}"]
            if row.get("enum"):
                parts.append(tr("allowed values") + ": " + ", ".join(row["enum"]))
            return "\n".join(p for p in parts if p)
        if role == Qt.FontRole and col == 1 and row["required"]:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ForegroundRole and col == 4 and row.get("how") == "fuzzy" and not row.get("edited"):
            return QBrush(QColor("#b26a00"))
        if role == Qt.BackgroundRole and row["required"] and row["editable"] and not (row["source"] or row["constant"]):
            return QBrush(QColor("#fde2e1"))  # a required field nobody feeds: publishing will fail
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.EditRole) -> bool:
        if role != Qt.EditRole or not index.isValid():
            return False
        row, col = self.rows[index.row()], index.column()
        text = "" if value is None else str(value)
        if col == self.SOURCE and row["editable"]:
            row["source"] = text
        elif col == self.CONSTANT:
            row["constant"] = text
        else:
            return False
        row["edited"] = True
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(self.HEADERS) - 1))
        return True

    def apply_choices(self, choices: MappingChoices) -> None:
        """Restore a person's earlier choices (saved in the project) over a fresh proposal."""
        multi = len(self.roles) > 1
        for i, r in enumerate(self.rows):
            key = r["role"] if multi else ""
            constant = choices.constants.get(key, {}).get(r["name"])
            source = choices.fields.get(key, {}).get(r["name"])
            if constant is not None:
                r["constant"], r["edited"] = str(constant), True
            elif source is not None and r["editable"] and source in (NONE, *r["sources"]) and source != r["source"]:
                r["source"], r["edited"] = source, True
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(self.HEADERS) - 1))


class ValuesModel(RowsModel):
    """Schema field | value in the layer | schema code (editable): the values the matcher could not place."""

    HEADERS: ClassVar[tuple[str, ...]] = (tr_noop("Schema field"), tr_noop("Value in the layer"), tr_noop("Code"))
    CODE = 2

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.multi = False

    def set_suggestion(self, suggestion: dict[str, Any]) -> None:
        self.beginResetModel()
        roles = list(suggestion.get("roles", []))
        self.multi = len(roles) > 1
        self.rows = [
            {"role": role["role"], "field": t["name"], "raw": raw, "code": code or "", "enum": t.get("enum") or []}
            for role in roles
            for t in role.get("targets", [])
            for raw, code in (t.get("values") or {}).items()
            if code is None
        ]
        self.endResetModel()

    def unresolved(self) -> int:
        return sum(1 for r in self.rows if not r["code"])

    def add_to(self, choices: MappingChoices) -> MappingChoices:
        for r in self.rows:
            if r["code"]:
                key = r["role"] if self.multi else ""
                choices.values.setdefault(key, {}).setdefault(r["field"], {})[r["raw"]] = r["code"]
        return choices

    def flags(self, index: QModelIndex) -> Qt.ItemFlags:
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        return base | Qt.ItemIsEditable if index.column() == self.CODE else base

    def options(self, index: QModelIndex) -> list[str]:
        return ["", *self.rows[index.row()]["enum"]] if index.column() == self.CODE else []

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.DisplayRole, Qt.EditRole):
            return (row["field"], row["raw"], row["code"])[index.column()]
        if role == Qt.BackgroundRole and not row["code"]:
            return QBrush(QColor("#fde2e1"))
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = Qt.EditRole) -> bool:
        if role != Qt.EditRole or index.column() != self.CODE:
            return False
        self.rows[index.row()]["code"] = "" if value is None else str(value)
        self.dataChanged.emit(index, index)
        return True


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box over the model's ``options(index)``; free text where a cell has no fixed list."""

    def createEditor(self, parent: QWidget, option: Any, index: QModelIndex) -> QWidget:
        choices = index.model().options(index)
        if not choices:
            return super().createEditor(parent, option, index)
        box = QComboBox(parent)
        for value in choices:
            box.addItem(value if value else tr("(none)"), value)
        return box

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            i = editor.findData(index.data(Qt.EditRole) or "")
            editor.setCurrentIndex(max(i, 0))
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor: QWidget, model: QAbstractTableModel, index: QModelIndex) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.EditRole)
        else:
            super().setModelData(editor, model, index)
