"""Processing: publish a conversion folder to GeoServer (MiPyGéo / PICTO-Occitanie), through QGIS's network.

Runs in QGIS's process on purpose: the requests go through QgisTransport, so QGIS's proxy, CA store and the
chosen Basic authentication configuration apply, and the password never leaves QgsAuthManager.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from odl_geo.publishers.geoserver import (
    GeoServerClient,
    PublishOptions,
    plan_publication,
    publish_plan,
    raise_if_failed,
    verify_publication,
)

from ..feedback import QgisFeedbackAdapter
from ..network import QgisTransport
from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm
from .errors import processing_errors

__all__ = ["PublishGeoServerAlgorithm"]


class PublishGeoServerAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "publish_geoserver", "Publish to GeoServer (WMS/WFS)"
    GROUP_ID, GROUP = "publish", "Publish"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(
            QgsProcessingParameterFile(
                "INPUT", tr("Conversion output folder (with manifest.json)"), behavior=QgsProcessingParameterFile.Folder
            )
        )
        self.addParameter(QgsProcessingParameterString("URL", tr("GeoServer URL (…/geoserver)")))
        self.addParameter(QgsProcessingParameterString("WORKSPACE", tr("Workspace")))
        self.addParameter(QgsProcessingParameterAuthConfig("AUTHCFG", tr("Authentication (Basic)"), optional=True))
        self.addParameter(
            QgsProcessingParameterString("STYLE", tr("Style (SLD file or folder such as styles/flood)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterString("TITLE", tr("Title"), optional=True))
        self.addParameter(QgsProcessingParameterBoolean("DRY_RUN", tr("Only show what would be sent"), False))
        self.addParameter(
            QgsProcessingParameterBoolean("VERIFY", tr("Check the layers through WMS/WFS afterwards"), True)
        )
        self.addOutput(QgsProcessingOutputNumber("CHANGED", tr("Resources created or updated")))
        self.addOutput(QgsProcessingOutputNumber("UNCHANGED", tr("Resources unchanged")))
        self.addOutput(QgsProcessingOutputNumber("VERIFIED", tr("Layers checked through WMS/WFS")))

    def processAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        folder = self.parameterAsFile(parameters, "INPUT", context)
        style = self.parameterAsString(parameters, "STYLE", context)
        options = PublishOptions(
            title=self.parameterAsString(parameters, "TITLE", context) or None, style=Path(style) if style else None
        )
        plan = processing_errors(
            lambda: plan_publication(folder, self.parameterAsString(parameters, "WORKSPACE", context), options)
        )
        transport = QgisTransport(self.parameterAsString(parameters, "AUTHCFG", context), feedback=feedback)
        url = self.parameterAsString(parameters, "URL", context)
        dry_run = self.parameterAsBool(parameters, "DRY_RUN", context)
        client = GeoServerClient(url, None, transport)
        result = processing_errors(lambda: publish_plan(plan, client, QgisFeedbackAdapter(feedback), dry_run=dry_run))
        for line in result.planned:  # dry run: what would have been sent, nothing was
            feedback.pushInfo(tr("would send: ") + line)
        checks = []
        if not dry_run and self.parameterAsBool(parameters, "VERIFY", context):
            checks = processing_errors(
                lambda: verify_publication(plan, url, None, transport=transport, feedback=QgisFeedbackAdapter(feedback))
            )
            for check in checks:
                state = tr("ok") if check.ok else tr("FAILED")
                feedback.pushInfo(f"WMS/WFS {state}: {check.layer}, {check.feature_count} {check.problem}")
            processing_errors(lambda: raise_if_failed(checks, plan.workspace))
        changed = unchanged = 0
        for outcome in result.outcomes:
            feedback.pushInfo(f"{outcome.outcome.value:9} {outcome.kind:11} {outcome.name}")
            unchanged += outcome.outcome.value == "unchanged"
            changed += outcome.outcome.value in ("created", "updated")
        return {"CHANGED": changed, "UNCHANGED": unchanged, "VERIFIED": sum(c.ok for c in checks)}
