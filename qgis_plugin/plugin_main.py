"""Plugin entry: menu and toolbar actions, the Processing provider, the settings page, translations and logging.

No business logic here, and nothing slow: QGIS start-up never runs a subprocess. Whether odl-geo's libraries work
is checked the first time the person opens the publish dialog (in a background task), and remembered; when they
are missing, the first-use dialog offers to make odl-geo's own environment (toolbelt/environment.py).
"""

from __future__ import annotations

from typing import Any

from qgis.core import QgsApplication, QgsTask
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtGui import QDesktopServices, QIcon
from qgis.PyQt.QtWidgets import QAction

from .__about__ import DIR_PLUGIN_ROOT
from .network import install_prompt_guard, remove_prompt_guard
from .processing.base import help_url
from .toolbelt.environment import verified_python
from .toolbelt.i18n import install_translator, tr
from .toolbelt.log_handler import install_log_handler, remove_log_handler

__all__ = ["OdlGeoPlugin"]

MENU = "&odl-geo"


class OdlGeoPlugin:
    def __init__(self, iface: Any) -> None:
        self.iface = iface
        self.provider: Any = None
        self.actions: list[QAction] = []
        self.toolbar_action: QAction | None = None
        self.options_factory: Any = None
        self.dialog: Any = None
        self.setup_dialog: Any = None
        self.check_task: QgsTask | None = None
        self.translator = install_translator()

    # -- Processing (also called by qgis_process, without GUI) -----------------------------------------
    def initProcessing(self) -> None:
        """Always registered: an algorithm run without the libraries fails with a clear message naming the Python."""
        if self.provider is not None:
            return
        from .processing.provider import OdlGeoProvider

        self.provider = OdlGeoProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    # -- GUI ------------------------------------------------------------------------------------------------
    def initGui(self) -> None:
        install_log_handler()
        install_prompt_guard()
        self.initProcessing()
        icon = QIcon(str(DIR_PLUGIN_ROOT / "resources" / "icons" / "odl_geo.svg"))
        publish = self._action(icon, tr("Publish as open data…"), self.open_publish_dialog)
        self._action(icon, tr("Inspect a file…"), lambda: self._open_algorithm("odl_geo:inspect"))
        self._action(icon, tr("Convert to open formats…"), lambda: self._open_algorithm("odl_geo:convert"))
        self._action(QIcon(), tr("Settings…"), self.open_settings)
        self._action(QIcon(), tr("Help"), self.open_help)
        self.iface.addToolBarIcon(publish)
        self.toolbar_action = publish
        from .gui.wdg_settings import OdlGeoOptionsFactory

        self.options_factory = OdlGeoOptionsFactory()
        self.iface.registerOptionsWidgetFactory(self.options_factory)

    def _action(self, icon: QIcon, text: str, slot: Any) -> QAction:
        action = QAction(icon, text, self.iface.mainWindow())
        action.triggered.connect(slot)
        self.iface.addPluginToMenu(MENU, action)
        self.actions.append(action)
        return action

    def _open_algorithm(self, algorithm_id: str) -> None:
        from processing import execAlgorithmDialog

        execAlgorithmDialog(algorithm_id)

    def open_settings(self) -> None:
        self.iface.showOptionsDialog(self.iface.mainWindow(), "odl-geo")

    @staticmethod
    def open_help() -> bool:
        return QDesktopServices.openUrl(QUrl(help_url()))

    # -- first use -------------------------------------------------------------------------------------------
    def ensure_ready(self, then: Any) -> None:
        """Call ``then`` once odl-geo's Python is known to work: at once when it was checked before with this
        lock, else after a check in a background task, else after the first-use dialog made the environment."""
        from .worker import worker_python

        python = worker_python()
        if verified_python() == python:
            then()
            return
        if self.check_task is not None:
            return

        def run(_task: QgsTask) -> Any:
            from .toolbelt.dependencies import check_dependencies

            return check_dependencies(python)

        def done(exception: BaseException | None, deps: Any = None) -> None:
            self.check_task = None
            if deps is not None and deps.ok:
                from .toolbelt.environment import mark_verified

                mark_verified(python)
                then()
                return
            from .gui.wdg_settings import SetupDialog

            text = "\n".join(deps.errors) if deps is not None else str(exception)
            self.setup_dialog = SetupDialog(text, self.iface.mainWindow(), on_ready=then)
            self.setup_dialog.show()

        self.check_task = QgsTask.fromFunction(tr("odl-geo: checking the libraries"), run, on_finished=done)
        QgsApplication.taskManager().addTask(self.check_task)

    def open_publish_dialog(self) -> None:
        self.ensure_ready(self._show_publish_dialog)

    def _show_publish_dialog(self) -> None:
        from .gui.dlg_publish import DlgPublish

        self.dialog = DlgPublish(self.iface.mainWindow())
        self.dialog.show()

    def unload(self) -> None:
        for action in self.actions:
            self.iface.removePluginMenu(MENU, action)
            action.deleteLater()
        if self.toolbar_action is not None:
            self.iface.removeToolBarIcon(self.toolbar_action)
            self.toolbar_action = None
        self.actions.clear()
        if self.options_factory is not None:
            self.iface.unregisterOptionsWidgetFactory(self.options_factory)
            self.options_factory = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
        remove_log_handler()
        remove_prompt_guard()
        if self.translator is not None:
            from qgis.PyQt.QtCore import QCoreApplication

            QCoreApplication.removeTranslator(self.translator)
            self.translator = None
