"""The review before anything is sent: what goes where, under which names, public or draft; publish or dry run.

Non-modal (``open()``): the publish dialog starts the publication from ``accepted``, and nothing is sent before the
person has seen this summary.
"""

from __future__ import annotations

import html

from qgis.PyQt.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from ..toolbelt.i18n import tr

__all__ = ["DlgReview"]


class DlgReview(QDialog):
    def __init__(self, layers: str, theme: str, folder: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Before publishing"))
        layout = QVBoxLayout(self)
        items = [tr("Layer: {0} ({1}).").format(layers, theme), tr("Files written in {0}.").format(folder), *lines]
        if len(lines) == 0:
            items.append(tr("No server ticked: the files are only written in the folder."))
        self.summary = QLabel("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>", self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.dry_run = QCheckBox(tr("Dry run: show what would be sent, send nothing"), self)
        layout.addWidget(self.dry_run)
        buttons = QDialogButtonBox(self)
        self.btn_publish = QPushButton(tr("Publish"), self)
        buttons.addButton(self.btn_publish, QDialogButtonBox.AcceptRole)
        buttons.addButton(QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.dry_run.toggled.connect(
            lambda on: self.btn_publish.setText(tr("Run the dry run") if on else tr("Publish"))
        )
        layout.addWidget(buttons)
        self.items = items
        self.resize(640, 300)
