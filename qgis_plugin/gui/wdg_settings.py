"""The odl-geo page of QGIS's Options (Settings > Options > odl-geo): which Python runs odl-geo, its private
environment (make it, repair it, check it), and the default output folder.

The same widget is shown in a small dialog the first time the plugin is used without a working environment, so a
person never has to find a setting before the first publication.
"""

from __future__ import annotations

from typing import Any

from qgis.core import QgsApplication, QgsSettings, QgsTask
from qgis.gui import QgsFileWidget, QgsOptionsPageWidget, QgsOptionsWidgetFactory
from qgis.PyQt import sip
from qgis.PyQt.QtCore import Qt, pyqtSignal
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..__about__ import DIR_PLUGIN_ROOT
from ..toolbelt import environment
from ..toolbelt.environment import SETTING_PYTHON, EnvironmentError_, find_base_python, mark_verified
from ..toolbelt.i18n import tr
from ..toolbelt.settings import SETTING_OUTPUT, default_output_folder
from ..toolbelt.setup_task import SetupTask
from ..worker import OdlGeoWorker, worker_python

__all__ = ["EnvironmentWidget", "OdlGeoOptionsFactory", "SettingsPage", "SetupDialog"]

ICON = str(DIR_PLUGIN_ROOT / "resources" / "icons" / "odl_geo.svg")


class EnvironmentWidget(QWidget):
    """Python used, its state, and the "Vérifier" / "Installer" buttons; ``ready`` when the check succeeds."""

    ready = pyqtSignal(str)  # the interpreter checked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: QgsTask | None = None
        box = QGroupBox(tr("Python environment of odl-geo"), self)
        form = QFormLayout(box)
        self.python_label = QLabel(box)
        self.python_label.setWordWrap(True)
        self.python_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.base_label = QLabel(box)
        self.base_label.setWordWrap(True)
        self.env_label = QLabel(str(environment.env_dir()), box)
        self.env_label.setWordWrap(True)
        self.custom = QgsFileWidget(box)
        self.custom.setToolTip(tr("Leave empty: odl-geo uses its private environment, made by the Install button."))
        form.addRow(tr("Python used"), self.python_label)
        form.addRow(tr("Made from"), self.base_label)
        form.addRow(tr("Private environment"), self.env_label)
        form.addRow(tr("Other Python (advanced)"), self.custom)
        buttons = QHBoxLayout()
        self.btn_check = QPushButton(tr("Verify"), box)
        self.btn_install = QPushButton(tr("Install the libraries"), box)
        self.btn_install.setToolTip(
            tr("Creates odl-geo's own environment in the QGIS profile and installs the tested versions into it")
        )
        buttons.addWidget(self.btn_check)
        buttons.addWidget(self.btn_install)
        buttons.addStretch(1)
        form.addRow(buttons)
        self.progress = QProgressBar(box)
        self.progress.setVisible(False)
        form.addRow(self.progress)
        self.status = QLabel(box)
        self.status.setWordWrap(True)
        form.addRow(self.status)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(box)
        self.custom.setFilePath(str(QgsSettings().value(SETTING_PYTHON, "") or ""))
        self.btn_check.clicked.connect(self.check)
        self.btn_install.clicked.connect(self.install)
        self.refresh()

    def refresh(self) -> None:
        self.python_label.setText(worker_python())
        try:
            self.base_label.setText(find_base_python().label)
        except EnvironmentError_ as exc:
            self.base_label.setText(tr("No usable Python found: ") + str(exc))

    def save(self) -> None:
        QgsSettings().setValue(SETTING_PYTHON, self.custom.filePath().strip())
        self.refresh()

    def _busy(self, busy: bool) -> None:
        self.btn_check.setEnabled(not busy)
        self.btn_install.setEnabled(not busy)
        self.progress.setVisible(busy)

    def check(self) -> None:
        """Run the worker's library check in the background and say the result, naming the Python checked."""
        self.save()
        python = worker_python()
        self.status.setText(tr("Checking {0}…").format(python))
        self._busy(True)
        self.progress.setRange(0, 0)

        def run(_task: QgsTask) -> tuple[bool, str]:
            return OdlGeoWorker(python=python).check_dependencies()

        def done(exception: BaseException | None, result: tuple[bool, str] | None = None) -> None:
            self.task = None
            if sip.isdeleted(self):
                return
            self._busy(False)
            self.progress.setRange(0, 100)
            ok, text = result if result is not None else (False, str(exception))
            if ok:
                mark_verified(python)
                self.status.setText(tr("Ready: odl-geo and its libraries work with {0}.").format(python))
                self.ready.emit(python)
            else:
                self.status.setText(
                    tr("Missing or unusable in {0}:").format(python) + "\n" + text + "\n"
                    + tr("Click Install the libraries: odl-geo makes its own environment (nothing changes in QGIS).")
                )  # fmt: skip

        self.task = QgsTask.fromFunction(tr("odl-geo: checking the libraries"), run, on_finished=done)
        QgsApplication.taskManager().addTask(self.task)

    def install(self) -> None:
        """Make or repair the private environment in a background task (the progress bar follows it)."""
        self.save()
        self._busy(True)
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status.setText(tr("Preparing odl-geo's environment in {0}…").format(environment.env_dir()))
        task = SetupTask(self._installed)
        task.progressChanged.connect(lambda p: None if sip.isdeleted(self) else self.progress.setValue(int(p)))
        self.task = task
        QgsApplication.taskManager().addTask(task)

    def _installed(self, task: SetupTask) -> None:
        self.task = None
        if sip.isdeleted(self):
            return
        self._busy(False)
        self.refresh()
        if task.ok:
            base = task.base.label if task.base else ""
            self.status.setText(
                tr("Ready: the libraries are installed and checked with {0} (made from {1}).").format(task.python, base)
            )
            self.ready.emit(task.python)
        else:
            self.status.setText(tr("The environment could not be prepared: ") + task.message)


class SettingsPage(QgsOptionsPageWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.environment = EnvironmentWidget(self)
        layout.addWidget(self.environment)
        box = QGroupBox(tr("Publications"), self)
        form = QFormLayout(box)
        self.output = QgsFileWidget(box)
        self.output.setStorageMode(QgsFileWidget.GetDirectory)
        self.output.setFilePath(str(QgsSettings().value(SETTING_OUTPUT, "") or ""))
        self.output.lineEdit().setPlaceholderText(str(default_output_folder()))
        form.addRow(tr("Default output folder"), self.output)
        layout.addWidget(box)
        layout.addStretch(1)

    def apply(self) -> None:
        self.environment.save()
        QgsSettings().setValue(SETTING_OUTPUT, self.output.filePath().strip())

    def helpKey(self) -> str:
        return ""


class OdlGeoOptionsFactory(QgsOptionsWidgetFactory):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("odl-geo")

    def icon(self) -> QIcon:
        return QIcon(ICON)

    def createWidget(self, parent: QWidget | None = None) -> SettingsPage:
        return SettingsPage(parent)


class SetupDialog(QDialog):
    """Shown at the first use when the libraries are missing: what is missing, in which Python, and the button."""

    def __init__(self, missing: str, parent: QWidget | None = None, on_ready: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("odl-geo: first use"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            tr("odl-geo needs Python libraries (geopandas, pyogrio, pyproj…) that {0} does not have. "
               "Click Install the libraries: odl-geo makes its own environment in the QGIS profile and installs the "
               "tested versions there; QGIS and its Python are not changed.").format(worker_python()),
            self,
        )  # fmt: skip
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.intro = intro
        self.details = QLabel(missing, self)
        self.details.setWordWrap(True)
        layout.addWidget(self.details)
        self.environment = EnvironmentWidget(self)
        layout.addWidget(self.environment)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.on_ready = on_ready
        self.environment.ready.connect(self._ready)
        self.resize(720, 420)

    def _ready(self, _python: str) -> None:
        self.accept()
        if self.on_ready is not None:
            self.on_ready()
