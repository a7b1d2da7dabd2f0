"""The "Field mapping" tab: odl-geo's proposal for the chosen layer and theme, editable, written as a mapping file.

The proposal comes from ``odl-geo mapping --json`` run in the worker (it reads the layer's fields and values); the
person's edits are kept in the project and written with ``odl_geo.profiles.mapping_toml`` when a check or a
publication starts, so the same file also serves scripted runs (``odl-geo convert --mapping``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qgis.core import QgsApplication, QgsTask
from qgis.gui import QgsFileWidget
from qgis.PyQt import sip
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from odl_geo.profiles.mapping_toml import MappingChoices, dump_mapping

from ..tasks import WorkerTask
from ..toolbelt.i18n import counted, tr
from ..toolbelt.messages import error_text
from .mdl_mapping import ChoiceDelegate, FieldsModel, ValuesModel

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["MappingWidget"]


class MappingWidget(QWidget):
    """Fields and values tables over a proposal; ``proposed`` is emitted when a new proposal is shown."""

    proposed = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = FieldsModel(self)
        self.values = ValuesModel(self)
        self._task: WorkerTask | None = None
        self._saved: MappingChoices | None = None
        self.error = ""
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.start_file = QgsFileWidget(self)
        self.start_file.setFilter("TOML (*.toml)")
        self.start_file.setToolTip(tr("An existing mapping file: its choices are shown and can be edited"))
        top.addWidget(QLabel(tr("Start from a mapping file"), self))
        top.addWidget(self.start_file, 1)
        self.btn_propose = QPushButton(tr("Propose again"), self)
        top.addWidget(self.btn_propose)
        layout.addLayout(top)
        self.fields_view = self._table(self.fields)
        self.fields_view.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        layout.addWidget(self.fields_view, 3)
        layout.addWidget(QLabel(tr("Values the schema does not know: choose their code"), self))
        self.values_view = self._table(self.values)
        self.values_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.Stretch)
        layout.addWidget(self.values_view, 1)
        self.status = QLabel(tr("Choose a layer and a theme."), self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.fields.dataChanged.connect(self._update_status)
        self.values.dataChanged.connect(self._update_status)

    def _table(self, model: Any) -> QTableView:
        view = QTableView(self)
        view.setModel(model)
        view.setItemDelegate(ChoiceDelegate(view))
        view.verticalHeader().hide()
        view.setEditTriggers(QTableView.AllEditTriggers)
        return view

    # -- proposal ------------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._task is not None

    def propose(
        self, source: list[str], theme: str, saved: MappingChoices | None = None, exports: list[QgsTask] | None = None
    ) -> None:
        """Ask the worker for a proposal for ``source`` (``PATH [--layer NAME]``) and ``theme``, then show it;
        ``exports`` are the QGIS tasks that write ``PATH`` first."""
        self._saved = saved
        args = ["mapping", *source, "--theme", theme]
        if self.start_file.filePath():
            args += ["--mapping", self.start_file.filePath()]
        self.status.setText(tr("Reading the layer's fields…"))
        self.cancel()  # a newer choice of layer or theme: the older proposal is not wanted
        task = WorkerTask(tr("odl-geo: field mapping"), args, lambda r, e: self._shown(task, r, e))
        task.after(exports or [])
        self._task = task
        QgsApplication.taskManager().addTask(task)

    def cancel(self) -> None:
        """Drop the pending proposal (and the exports it waits for)."""
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()

    def _shown(self, task: WorkerTask, result: dict[str, Any] | None, error: Exception | None) -> None:
        if sip.isdeleted(self) or task is not self._task:
            return  # the dialog was closed, or another proposal was asked for since
        self._task = None
        if error is not None or result is None:
            self.error = error_text(error) if error else tr("no answer")
            self.fields.clear()
            self.values.set_suggestion({})
            self.status.setText(tr("No proposal: ") + self.error)
            self.proposed.emit()
            return
        self.error = ""
        self.fields.set_suggestion(result)
        self.values.set_suggestion(result)
        if self._saved is not None:
            self.fields.apply_choices(self._saved)
        self.fields_view.setColumnHidden(0, len(self.fields.roles) <= 1)  # the layer column, for sets only
        self.fields_view.resizeColumnsToContents()
        self.values_view.resizeColumnsToContents()
        self._update_status()
        self.proposed.emit()

    def _update_status(self, *_: Any) -> None:
        missing = self.fields.missing_required()
        unknown = self.values.unresolved()
        parts = []
        if missing:
            parts.append(tr("Required fields without a source or a value: ") + ", ".join(missing) + ".")
        if unknown:
            parts.append(counted(unknown, tr("{0} value without a code."), tr("{0} values without a code.")))
        self.status.setText(" ".join(parts) or tr("Every required field has a source or a value."))

    # -- the mapping file ------------------------------------------------------------------------------------
    def choices(self, anonymise: dict[str, Any] | None = None) -> MappingChoices:
        c = self.values.add_to(self.fields.choices())
        if anonymise:
            c.anonymise = dict(anonymise)
        return c

    def write(self, path: Path, anonymise: dict[str, Any] | None = None) -> Path:
        """The mapping file of the table's choices (and the personal-data settings) at ``path``."""
        choices = self.choices(anonymise)
        choices.comments = [tr("Written by the odl-geo QGIS plugin; usable with: odl-geo convert --mapping")]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_mapping(choices), encoding="utf-8")
        return path

    def saved_state(self, key: str, previous: str = "") -> str:
        """The project's mapping choices as JSON, one entry per layer (and theme): ``{key: choices}``, this
        layer's replaced, the other layers' kept (issue 12: choosing another layer no longer loses them)."""
        states = _states(previous)
        states[key] = self.fields.choices().to_dict()
        return json.dumps({"layers": states}, ensure_ascii=False)

    @staticmethod
    def restore_state(text: str, key: str) -> MappingChoices | None:
        choices = _states(text).get(key)
        return MappingChoices.from_dict(choices) if choices else None


def _states(text: str) -> dict[str, Any]:
    """Every layer's saved choices; a project saved by an older version (one layer's choices) is read too."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    if isinstance(data.get("layers"), dict):
        return dict(data["layers"])
    return {str(data["key"]): data["choices"]} if data.get("key") and data.get("choices") else {}
