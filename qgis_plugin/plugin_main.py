"""Plugin entry: menu actions, the Processing provider, translations and logging; clean unload.

No business logic here: actions open Processing dialogs (or, later, dialogs) that call odl_geo.
"""

from __future__ import annotations

from typing import Any

from qgis.core import Qgis, QgsApplication, QgsMessageLog, QgsTask
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction, QMessageBox

from .__about__ import DIR_PLUGIN_ROOT, __title__
from .toolbelt.dependencies import MissingDependencies, check_dependencies, install_command, install_dependencies
from .toolbelt.i18n import install_translator, tr
from .toolbelt.log_handler import install_log_handler, remove_log_handler

__all__ = ["OdlGeoPlugin"]

MENU = "&odl-geo"


class OdlGeoPlugin:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: Any = None
        self.actions: list[QAction] = []
        self.dialog: Any = None
        self.translator = install_translator()
        self.dependencies = check_dependencies()

    # -- Processing (also called by qgis_process, without GUI) -----------------------------------------
    def initProcessing(self) -> None:
        if not self.dependencies.ok or self.provider is not None:
            return
        from .processing.provider import OdlGeoProvider

        self.provider = OdlGeoProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    # -- GUI ------------------------------------------------------------------------------------------------
    def initGui(self) -> None:
        install_log_handler()
        self.initProcessing()
        icon = QIcon(str(DIR_PLUGIN_ROOT / "resources" / "icons" / "odl_geo.svg"))
        self._action(icon, tr("Publish as open data…"), self.open_publish_dialog)
        self._action(icon, tr("Inspect a file…"), lambda: self._open_algorithm("odl_geo:inspect"))
        self._action(icon, tr("Convert to open formats…"), lambda: self._open_algorithm("odl_geo:convert"))
        self._action(QIcon(), tr("Check dependencies"), self.show_dependencies)
        if not self.dependencies.ok:
            self.iface.messageBar().pushMessage(
                __title__,
                tr("Some Python libraries are missing: odl-geo is disabled. See the plugin menu."),
                Qgis.Warning,
                15,
            )

    def _action(self, icon: QIcon, text: str, slot: Any) -> QAction:
        action = QAction(icon, text, self.iface.mainWindow())
        action.triggered.connect(slot)
        self.iface.addPluginToMenu(MENU, action)
        self.actions.append(action)
        return action

    def _open_algorithm(self, algorithm_id: str) -> None:
        if not self.dependencies.ok:
            self.show_dependencies()
            return
        from processing import execAlgorithmDialog

        execAlgorithmDialog(algorithm_id)

    def open_publish_dialog(self) -> None:
        if not self.dependencies.ok:
            self.show_dependencies()
            return
        from .gui.dlg_publish import DlgPublish

        self.dialog = DlgPublish(self.iface.mainWindow())
        self.dialog.show()

    def show_dependencies(self) -> None:
        deps = self.dependencies = check_dependencies()
        if deps.ok:
            QMessageBox.information(self.iface.mainWindow(), __title__, tr("All dependencies are installed."))
            return
        text = (
            tr("These Python libraries are missing in QGIS's Python:")
            + "\n\n"
            + "\n".join(deps.missing)
            + "\n\n"
            + tr("Install them with this command, then restart QGIS:")
            + "\n\n"
            + install_command(deps)
        )
        box = QMessageBox(QMessageBox.Warning, __title__, text, QMessageBox.Close, self.iface.mainWindow())
        install = box.addButton(tr("Install now"), QMessageBox.AcceptRole)
        box.setDetailedText("\n".join(deps.errors))
        box.exec_()
        if box.clickedButton() is install:
            self.install_missing(deps)

    def install_missing(self, deps: MissingDependencies) -> QgsTask:
        """pip in a background task; the result in the message bar and the log, then the check is made again."""

        def run(task: QgsTask) -> tuple[bool, str]:
            return install_dependencies(deps)

        def done(exception: Exception | None, result: tuple[bool, str] | None = None) -> None:
            ok, output = result if result is not None else (False, str(exception))
            QgsMessageLog.logMessage(output, "odl-geo", Qgis.Info if ok else Qgis.Critical)
            self.dependencies = check_dependencies()
            if ok and self.dependencies.ok:
                self.iface.messageBar().pushMessage(
                    __title__, tr("The libraries are installed. Restart QGIS to use odl-geo."), Qgis.Success, 15
                )
            else:
                self.iface.messageBar().pushMessage(
                    __title__, tr("The installation failed: see the odl-geo log."), Qgis.Critical, 15
                )

        task = QgsTask.fromFunction(tr("odl-geo: installing libraries"), run, on_finished=done)
        QgsApplication.taskManager().addTask(task)
        self._install_task = task  # kept alive while it runs
        return task

    def unload(self) -> None:
        for action in self.actions:
            self.iface.removePluginMenu(MENU, action)
            action.deleteLater()
        self.actions.clear()
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_log_handler()
        if self.translator is not None:
            from qgis.PyQt.QtCore import QCoreApplication

            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
