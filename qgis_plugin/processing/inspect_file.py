"""Processing: describe a file's layers and count their problems (odl_geo.inspect_source)."""

from __future__ import annotations

import json
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterCrs,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterString,
)

from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm, issue_line
from .worker_call import run_worker

__all__ = ["InspectAlgorithm"]


class InspectAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "inspect", "Inspect a file (layers, CRS, encoding, problems)"
    GROUP_ID, GROUP = "read", "Read and convert"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(
            QgsProcessingParameterFile("INPUT", tr("File, folder or zip"), behavior=QgsProcessingParameterFile.File)
        )
        self.addParameter(
            QgsProcessingParameterCrs("SOURCE_CRS", tr("Source CRS (when the file has none)"), optional=True)
        )
        self.addParameter(
            QgsProcessingParameterString("ENCODING", tr("Attribute encoding (detected when empty)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterFileDestination("OUTPUT", tr("Report (JSON)"), "JSON (*.json)"))
        self.addOutput(QgsProcessingOutputNumber("LAYERS", tr("Layers")))
        self.addOutput(QgsProcessingOutputNumber("ERRORS", tr("Errors")))

    def processAlgorithm(
        self, parameters: dict[str, Any], context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        path = self.parameterAsFile(parameters, "INPUT", context)
        crs = self.parameterAsCrs(parameters, "SOURCE_CRS", context)
        args = ["inspect", path]
        if crs.isValid():
            args += ["--source-crs", crs.authid()]
        encoding = self.parameterAsString(parameters, "ENCODING", context)
        if encoding:
            args += ["--encoding", encoding]
        result = run_worker(args, feedback)
        out = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        with open(out, "w", encoding="utf-8") as fh:
            json.dump(result, fh, ensure_ascii=False, indent=2, default=str)
        errors = 0
        for lyr in result["layers"]:
            crs = lyr["crs_label"] if lyr.get("crs_label") not in (None, "", "none") else tr("unknown")
            feedback.pushInfo(tr("{0}: {1} features, CRS {2}").format(lyr["display"], lyr["feature_count"], crs))
            for issue in lyr["issues"]:
                feedback.pushInfo("  " + issue_line(issue))
                errors += issue["severity"] == "error"
        return {"OUTPUT": out, "LAYERS": len(result["layers"]), "ERRORS": errors}
