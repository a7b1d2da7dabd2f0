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
    QgsProcessingParameterFolderDestination,
)

from odl_geo.profiles.registry import PROFILES

from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm, issue_line
from .theme_params import add_input_parameters, add_theme_parameters, input_arguments, theme_arguments
from .worker_call import run_worker

__all__ = ["CheckAlgorithm"]

THEMES = list(PROFILES)


class CheckAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "check", "Check against a national schema"
    GROUP_ID, GROUP = "check", "Check"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        add_input_parameters(self)
        self.addParameter(QgsProcessingParameterEnum("THEME", tr("Theme"), options=THEMES, defaultValue=0))
        add_theme_parameters(self)
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
            args = ["check", *input_arguments(self, parameters, context, Path(tmp)), "--theme", theme, "--out", out]
            result = run_worker([*args, *theme_arguments(self, parameters, context)], feedback)
        counts = {"error": 0, "warning": 0}
        for issue in result.get("issues", result.get("report", {}).get("issues", [])):
            counts[issue["severity"]] = counts.get(issue["severity"], 0) + 1
            feedback.pushInfo(issue_line(issue))
        return {
            "OUTPUT": out,
            "REPORT_HTML": str(Path(out) / "report.html"),
            "ERRORS": counts["error"],
            "WARNINGS": counts["warning"],
        }
