"""Processing: convert a file or a project layer to open formats (odl_geo.convert)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFolderDestination,
)

from odl_geo.exports.catalog import FORMAT_LABELS
from odl_geo.exports.previous import listed_outputs, remove_stale_outputs
from odl_geo.profiles.registry import PROFILES

from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm, issue_line
from .theme_params import add_input_parameters, add_theme_parameters, input_arguments, theme_arguments
from .worker_call import run_worker

__all__ = ["ConvertAlgorithm"]

FORMAT_KEYS = list(FORMAT_LABELS)
THEMES = list(PROFILES)


class ConvertAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "convert", "Convert to open formats"
    GROUP_ID, GROUP = "read", "Read and convert"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        add_input_parameters(self)
        self.addParameter(
            QgsProcessingParameterEnum(
                "FORMATS",
                tr("Formats"),
                options=[FORMAT_LABELS[k] for k in FORMAT_KEYS],
                allowMultiple=True,
                defaultValue=[FORMAT_KEYS.index(k) for k in ("gpkg", "geojson", "shp", "csv")],
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                "THEME", tr("Theme (national schema product)"), options=["", *THEMES], defaultValue=0, optional=True
            )
        )
        add_theme_parameters(self)
        self.addParameter(
            QgsProcessingParameterCrs("SOURCE_CRS", tr("Source CRS (when the file has none)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterBoolean("DECODE_HTML", tr("Decode HTML entities in texts"), False))
        self.addParameter(QgsProcessingParameterBoolean("DROP_EMPTY", tr("Drop features without geometry"), False))
        self.addParameter(
            QgsProcessingParameterBoolean(
                "REPLACE_PREVIOUS",
                tr("Remove what an earlier conversion wrote in the folder (as its manifest lists)"),
                False,
            )
        )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("MANIFEST", tr("Manifest (JSON)")))

    def processAlgorithm(
        self, parameters: dict[str, Any], context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        out = self.parameterAsString(parameters, "OUTPUT", context)
        formats = [FORMAT_KEYS[i] for i in self.parameterAsEnums(parameters, "FORMATS", context)]
        crs = self.parameterAsCrs(parameters, "SOURCE_CRS", context)
        earlier = listed_outputs(Path(out)) if self.parameterAsBool(parameters, "REPLACE_PREVIOUS", context) else set()
        with tempfile.TemporaryDirectory(prefix="odl-geo-qgis-") as tmp:
            source = input_arguments(self, parameters, context, Path(tmp))
            args = ["convert", *source, "--to", ",".join(formats), "--out", out]
            if crs.isValid():
                args += ["--source-crs", crs.authid()]
            if self.parameterAsBool(parameters, "DECODE_HTML", context):
                args.append("--decode-html")
            if self.parameterAsBool(parameters, "DROP_EMPTY", context):
                args.append("--drop-empty")
            theme = self.parameterAsEnum(parameters, "THEME", context)
            if theme > 0:  # the theme's schema-valid product, plus the formats asked for
                args += ["--theme", THEMES[theme - 1], *theme_arguments(self, parameters, context)]
            manifest = run_worker(args, feedback)
        for stale in remove_stale_outputs(Path(out), earlier):  # after success only: a failure keeps them
            feedback.pushInfo(tr("Removed, from an earlier conversion: ") + stale.name)
        for f in manifest["files"]:
            feedback.pushInfo(f"{f['path']}: {f['feature_count']} features ({f['format']}, {f['crs']})")
        # plain and theme runs return the same shape: the manifest's files and report
        for issue in manifest["report"]["issues"]:
            feedback.pushInfo(issue_line(issue))
        return {"OUTPUT": out, "MANIFEST": str(Path(out) / "manifest.json")}
