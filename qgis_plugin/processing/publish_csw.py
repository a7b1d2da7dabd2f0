"""Processing: publish a conversion folder's ISO 19139 record to a CSW catalogue (odl-geo publish csw), in the worker.

The record is built from the folder (metadata.xml, made when missing, which reads the GeoPackage): so it runs in the
worker process like every odl-geo call that may read data. The catalogue's Basic credentials come from a QGIS
authentication configuration and reach the worker through its environment (ODL_CSW_USER / ODL_CSW_PASSWORD).
"""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ..auth import basic_credentials
from ..toolbelt.i18n import tr
from ..worker import OdlGeoWorker
from .base import OdlGeoAlgorithm
from .errors import processing_errors

__all__ = ["PublishCswAlgorithm"]


class PublishCswAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "publish_csw", "Publish the metadata record to a CSW catalogue"
    GROUP_ID, GROUP = "publish", "Publish"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(
            QgsProcessingParameterFile(
                "INPUT", tr("Conversion output folder (with manifest.json)"), behavior=QgsProcessingParameterFile.Folder
            )
        )
        self.addParameter(QgsProcessingParameterString("URL", tr("CSW catalogue URL (CSW-T endpoint)")))
        self.addParameter(QgsProcessingParameterAuthConfig("AUTHCFG", tr("Authentication (Basic)"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean("DRY_RUN", tr("Only show what would be sent"), False))
        self.addOutput(QgsProcessingOutputString("IDENTIFIER", tr("Record identifier")))
        self.addOutput(QgsProcessingOutputString("OUTCOME", tr("Outcome")))

    def processAlgorithm(
        self, parameters: dict[str, Any], context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        worker = OdlGeoWorker()
        authcfg = self.parameterAsString(parameters, "AUTHCFG", context)
        if authcfg:
            creds = processing_errors(lambda: basic_credentials(authcfg))
            worker.extra_env = {"ODL_CSW_USER": creds.username or "", "ODL_CSW_PASSWORD": creds.password or ""}
        args = ["publish", "csw", self.parameterAsFile(parameters, "INPUT", context),
                "--url", self.parameterAsString(parameters, "URL", context)]  # fmt: skip
        if self.parameterAsBool(parameters, "DRY_RUN", context):
            args.append("--dry-run")
        result = processing_errors(lambda: worker.run(args, feedback), tr("The CSW catalogue"), authcfg)
        identifier = str(result.get("identifier") or result.get("file_identifier") or "")
        outcome = str(result.get("outcome") or result.get("action") or "")
        feedback.pushInfo(f"CSW: {outcome} {identifier}".strip())
        return {"IDENTIFIER": identifier, "OUTCOME": outcome}
