"""Processing: check a layer against a theme's national schema (odl-geo check), with the HTML report."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
)

from odl_geo.profiles.registry import PROFILES

from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm
from .layer_input import layer_file
from .worker_call import run_worker

__all__ = ["CheckAlgorithm"]

THEMES = list(PROFILES)


class CheckAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "check", "Check against a national schema"
    GROUP_ID, GROUP = "check", "Check"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterVectorLayer("LAYER", tr("Layer of the project"), optional=True))
        self.addParameter(QgsProcessingParameterFile("INPUT", tr("…or a file, folder or zip"), optional=True))
        self.addParameter(QgsProcessingParameterEnum("THEME", tr("Theme"), options=THEMES, defaultValue=0))
        self.addParameter(
            QgsProcessingParameterFile(
                "MAPPING", tr("Field mapping file (TOML)"), optional=True, fileFilter="TOML (*.toml)"
            )
        )
        self.addParameter(
            QgsProcessingParameterString("AREA", tr("Declared area (e.g. occitanie, 34, 34172)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", tr("Report folder")))
        self.addOutput(QgsProcessingOutputFile("REPORT_HTML", tr("Report (HTML)")))
        self.addOutput(QgsProcessingOutputNumber("ERRORS", tr("Errors")))
        self.addOutput(QgsProcessingOutputNumber("WARNINGS", tr("Warnings")))

    def processAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        out = self.parameterAsString(parameters, "OUTPUT", context)
        theme = THEMES[self.parameterAsEnum(parameters, "THEME", context)]
        with tempfile.TemporaryDirectory(prefix="odl-geo-qgis-") as tmp:
            path = self.parameterAsFile(parameters, "INPUT", context)
            layer = self.parameterAsVectorLayer(parameters, "LAYER", context)
            layer_name = None
            if layer is not None:
                path, layer_name = layer_file(layer, Path(tmp))
            args = ["check", path, "--theme", theme, "--out", out]
            if layer_name:
                args += ["--layer", layer_name]
            mapping = self.parameterAsFile(parameters, "MAPPING", context)
            if mapping:
                args += ["--mapping", mapping]
            area = self.parameterAsString(parameters, "AREA", context)
            if area:
                args += ["--area", area]
            result = run_worker(args, feedback)
        counts = {"error": 0, "warning": 0}
        for issue in result.get("issues", result.get("report", {}).get("issues", [])):
            counts[issue["severity"]] = counts.get(issue["severity"], 0) + 1
            feedback.pushInfo(f"[{issue['severity']}] {issue['code']}: {issue['message']}")
        return {
            "OUTPUT": out,
            "REPORT_HTML": str(Path(out) / "report.html"),
            "ERRORS": counts["error"],
            "WARNINGS": counts["warning"],
        }
