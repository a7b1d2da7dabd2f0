"""Shared base of the odl-geo algorithms: names, translation, help files."""

from __future__ import annotations

from qgis.core import QgsProcessingAlgorithm

from ..__about__ import DIR_PLUGIN_ROOT
from ..toolbelt.i18n import tr

__all__ = ["OdlGeoAlgorithm"]


class OdlGeoAlgorithm(QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY = ""
    GROUP_ID, GROUP = "", ""

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return tr(self.DISPLAY)

    def group(self) -> str:
        return tr(self.GROUP) if self.GROUP else ""

    def groupId(self) -> str:
        return self.GROUP_ID

    def shortHelpString(self) -> str:
        path = DIR_PLUGIN_ROOT / "resources" / "help" / f"{self.NAME}.md"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def createInstance(self) -> OdlGeoAlgorithm:
        return type(self)()
