"""Processing: publish a conversion folder to data.gouv.fr (or any udata), through QGIS's network.

In QGIS's process for the same reason as GeoServer publishing: QgisTransport applies QGIS's proxy and CA store.
The API key comes from a QGIS authentication configuration (see ``auth.py``).
"""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from odl_geo.publishers.datagouv import DatagouvClient, PublishOptions, publish_outputs

from ..auth import api_key_credentials
from ..feedback import QgisFeedbackAdapter
from ..network import QgisTransport
from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm
from .errors import processing_errors

__all__ = ["PublishDatagouvAlgorithm"]


class PublishDatagouvAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "publish_datagouv", "Publish to data.gouv.fr"
    GROUP_ID, GROUP = "publish", "Publish"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(
            QgsProcessingParameterFile(
                "INPUT", tr("Conversion output folder (with manifest.json)"), behavior=QgsProcessingParameterFile.Folder
            )
        )
        self.addParameter(QgsProcessingParameterString("URL", tr("Portal URL"), "https://www.data.gouv.fr"))
        self.addParameter(QgsProcessingParameterString("ORGANIZATION", tr("Organization (slug or id)")))
        self.addParameter(
            QgsProcessingParameterAuthConfig("AUTHCFG", tr("API key (Basic configuration, key as password)"))
        )
        self.addParameter(
            QgsProcessingParameterString("DATASET_KEY", tr("Dataset key (to find it again)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterString("TITLE", tr("Title"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean("DRY_RUN", tr("Only show what would be sent"), False))
        self.addOutput(QgsProcessingOutputString("DATASET_ID", tr("Dataset id")))
        self.addOutput(QgsProcessingOutputString("PAGE", tr("Dataset page")))
        self.addOutput(QgsProcessingOutputNumber("BYTES", tr("Bytes uploaded")))

    def processAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        dry_run = self.parameterAsBool(parameters, "DRY_RUN", context)
        credentials = processing_errors(
            lambda: api_key_credentials(self.parameterAsString(parameters, "AUTHCFG", context))
        )
        client = DatagouvClient(
            self.parameterAsString(parameters, "URL", context),
            credentials,
            QgisTransport(feedback=feedback),
            dry_run=dry_run,
        )
        options = PublishOptions(
            organization=self.parameterAsString(parameters, "ORGANIZATION", context),
            dataset_key=self.parameterAsString(parameters, "DATASET_KEY", context) or None,
            title=self.parameterAsString(parameters, "TITLE", context) or None,
        )
        folder = self.parameterAsFile(parameters, "INPUT", context)
        result = processing_errors(lambda: publish_outputs(folder, client, options, QgisFeedbackAdapter(feedback)))
        for step in result.steps:
            feedback.pushInfo(f"{step.outcome.value:9} {step.kind:8} {step.name} {step.note}".rstrip())
        for warning in result.warnings:
            feedback.pushWarning(warning)
        return {"DATASET_ID": result.dataset_id, "PAGE": result.page, "BYTES": result.bytes_uploaded}
