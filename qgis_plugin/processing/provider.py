"""The "odl-geo" Processing provider: every odl-geo operation as an algorithm (modeler, qgis_process)."""

from __future__ import annotations

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from ..__about__ import DIR_PLUGIN_ROOT, __version__
from .check import CheckAlgorithm
from .convert import ConvertAlgorithm
from .inspect_file import InspectAlgorithm
from .publish_csw import PublishCswAlgorithm
from .publish_datagouv import PublishDatagouvAlgorithm
from .publish_geoserver import PublishGeoServerAlgorithm
from .publish_postgis import PublishPostgisAlgorithm

__all__ = ["OdlGeoProvider"]


class OdlGeoProvider(QgsProcessingProvider):
    def id(self) -> str:
        return "odl_geo"

    def name(self) -> str:
        return "odl-geo"

    def longName(self) -> str:
        return f"odl-geo {__version__}"

    def icon(self) -> QIcon:
        return QIcon(str(DIR_PLUGIN_ROOT / "resources" / "icons" / "odl_geo.svg"))

    def loadAlgorithms(self) -> None:
        for algorithm in (
            InspectAlgorithm(),
            ConvertAlgorithm(),
            CheckAlgorithm(),
            PublishGeoServerAlgorithm(),
            PublishPostgisAlgorithm(),
            PublishDatagouvAlgorithm(),
            PublishCswAlgorithm(),
        ):
            self.addAlgorithm(algorithm)
