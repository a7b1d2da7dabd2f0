"""Processing: publish a conversion folder to GeoServer (MiPyGéo / PICTO-Occitanie), through QGIS's network.

Runs in QGIS's process on purpose: the requests go through QgisTransport, so QGIS's proxy, CA store and the
chosen Basic authentication configuration apply, and the password never leaves QgsAuthManager.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from odl_geo.publishers.geoserver import (
    GeoServerClient,
    PublishOptions,
    PublishPlan,
    plan_publication,
    publish_plan,
    raise_if_failed,
    verify_publication,
)
from odl_geo.publishers.geoserver.models import safe_name

from ..feedback import QgisFeedbackAdapter
from ..network import QgisTransport
from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm
from .errors import processing_errors

__all__ = ["PublishGeoServerAlgorithm", "named"]


def named(
    plan: PublishPlan, folder: str, workspace: str, options: PublishOptions, layer_name: str, style_name: str
) -> PublishPlan:
    """The plan with the layer and style names the person chose (a one-layer publication; a PPR's layers keep
    theirs). The layer name goes through the library's ``--layer-name`` check (valid, not another store's)."""
    if len(plan.layers) != 1 or not (layer_name or style_name):
        return plan
    if layer_name:
        table = plan.layers[0].feature_type.native_name
        plan = plan_publication(folder, workspace, replace(options, layer_names={table: layer_name}))
    if style_name and plan.layers[0].style is not None:
        store = plan.stores[0]
        layer = replace(store.layers[0], style=replace(store.layers[0].style, name=style_name))
        plan = replace(plan, stores=(replace(store, layers=(layer,)),))
    return plan


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
        self.addParameter(
            QgsProcessingParameterString("LAYER_NAME", tr("Layer name (one-layer publications)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterString("STYLE_NAME", tr("Style name (one-layer publications)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterBoolean("DRY_RUN", tr("Only show what would be sent"), False))
        self.addParameter(
            QgsProcessingParameterBoolean("VERIFY", tr("Check the layers through WMS/WFS afterwards"), True)
        )
        self.addOutput(QgsProcessingOutputNumber("CHANGED", tr("Resources created or updated")))
        self.addOutput(QgsProcessingOutputNumber("UNCHANGED", tr("Resources unchanged")))
        self.addOutput(QgsProcessingOutputNumber("VERIFIED", tr("Layers checked through WMS/WFS")))
        self.addOutput(QgsProcessingOutputString("LAYERS", tr("Published layer names (comma-separated)")))

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
        workspace = self.parameterAsString(parameters, "WORKSPACE", context)
        plan = processing_errors(lambda: plan_publication(folder, workspace, options))
        plan = processing_errors(
            lambda: named(
                plan,
                folder,
                workspace,
                options,
                self.parameterAsString(parameters, "LAYER_NAME", context).strip(),
                self.parameterAsString(parameters, "STYLE_NAME", context).strip(),
            )
        )
        transport = QgisTransport(self.parameterAsString(parameters, "AUTHCFG", context), feedback=feedback)
        style_name = self.parameterAsString(parameters, "STYLE_NAME", context).strip()
        if style_name and safe_name(style_name) != style_name:
            raise QgsProcessingException(
                tr("The style name {0!r} cannot be used on GeoServer: use letters, digits, '_' and '-', e.g. {1!r}.")
                .format(style_name, safe_name(style_name))
            )
        url = self.parameterAsString(parameters, "URL", context)
        dry_run = self.parameterAsBool(parameters, "DRY_RUN", context)
        client = GeoServerClient(url, None, transport)
        authcfg = self.parameterAsString(parameters, "AUTHCFG", context)
        result = processing_errors(
            lambda: publish_plan(plan, client, QgisFeedbackAdapter(feedback), dry_run=dry_run), "GeoServer", authcfg
        )
        for line in result.planned:  # dry run: what would have been sent, nothing was
            feedback.pushInfo(tr("would send: ") + line)
        checks = []
        if not dry_run and self.parameterAsBool(parameters, "VERIFY", context):
            checks = processing_errors(
                lambda: verify_publication(plan, url, None, transport=transport,
                                           feedback=QgisFeedbackAdapter(feedback)),
                "GeoServer",
                authcfg,
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
        return {
            "CHANGED": changed,
            "UNCHANGED": unchanged,
            "VERIFIED": sum(c.ok for c in checks),
            "LAYERS": ",".join(lyr.name for lyr in plan.layers),
        }
