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
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from odl_geo.publishers.datagouv import DatagouvClient, PublishOptions, publish_outputs

from ..auth import api_key_credentials
from ..feedback import QgisFeedbackAdapter
from ..gui.wdg_metadata import LICENCES
from ..network import QgisTransport
from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm
from .errors import processing_errors

__all__ = ["LICENCE_KEYS", "PublishDatagouvAlgorithm"]

LICENCE_KEYS = list(LICENCES)  # data.gouv.fr's ids: lov2, odbl


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
        self.addParameter(QgsProcessingParameterString("DESCRIPTION", tr("Description"), multiLine=True, optional=True))
        self.addParameter(
            QgsProcessingParameterEnum("LICENSE", tr("Licence"), options=[tr(LICENCES[k]) for k in LICENCE_KEYS],
                                       defaultValue=0)
        )  # fmt: skip
        self.addParameter(QgsProcessingParameterString("TAGS", tr("Tags (comma-separated)"), optional=True))
        self.addParameter(
            QgsProcessingParameterBoolean("PRIVATE", tr("Keep the dataset private (draft) on data.gouv.fr"), False)
        )
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
            description=self.parameterAsString(parameters, "DESCRIPTION", context),
            license=LICENCE_KEYS[self.parameterAsEnum(parameters, "LICENSE", context)],
            tags=tuple(t.strip() for t in self.parameterAsString(parameters, "TAGS", context).split(",") if t.strip()),
            keep_private=self.parameterAsBool(parameters, "PRIVATE", context),
        )
        folder = self.parameterAsFile(parameters, "INPUT", context)
        authcfg = self.parameterAsString(parameters, "AUTHCFG", context)
        result = processing_errors(
            lambda: publish_outputs(folder, client, options, QgisFeedbackAdapter(feedback)), "data.gouv.fr", authcfg
        )
        for step in result.steps:
            feedback.pushInfo(f"{step.outcome.value:9} {step.kind:8} {step.name} {step.note}".rstrip())
        for warning in result.warnings:
            feedback.pushWarning(warning)
        # the dataset's page, as a link the person can open (the portal's URL when the API gave none)
        portal = self.parameterAsString(parameters, "URL", context).rstrip("/")
        page = result.page or f"{portal}/datasets/{result.slug}/"
        return {"DATASET_ID": result.dataset_id, "PAGE": page, "BYTES": result.bytes_uploaded}
