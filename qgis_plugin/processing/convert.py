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
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterVectorLayer,
)

from odl_geo.exports.catalog import FORMAT_LABELS
from odl_geo.profiles.registry import PROFILES

from ..toolbelt.i18n import tr
from .base import OdlGeoAlgorithm
from .layer_input import layer_file
from .worker_call import run_worker

__all__ = ["ConvertAlgorithm"]

FORMAT_KEYS = list(FORMAT_LABELS)
THEMES = list(PROFILES)


class ConvertAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "convert", "Convert to open formats"
    GROUP_ID, GROUP = "read", "Read and convert"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(QgsProcessingParameterVectorLayer("LAYER", tr("Layer of the project"), optional=True))
        self.addParameter(QgsProcessingParameterFile("INPUT", tr("…or a file, folder or zip"), optional=True))
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
        self.addParameter(
            QgsProcessingParameterFile(
                "MAPPING", tr("Field mapping file (TOML)"), optional=True, fileFilter="TOML (*.toml)"
            )
        )
        self.addParameter(
            QgsProcessingParameterCrs("SOURCE_CRS", tr("Source CRS (when the file has none)"), optional=True)
        )
        self.addParameter(QgsProcessingParameterBoolean("DECODE_HTML", tr("Decode HTML entities in texts"), False))
        self.addParameter(QgsProcessingParameterBoolean("DROP_EMPTY", tr("Drop features without geometry"), False))
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", tr("Output folder")))
        self.addOutput(QgsProcessingOutputFile("MANIFEST", tr("Manifest (JSON)")))

    def processAlgorithm(
        self, parameters: dict[str, Any], context: QgsProcessingContext, feedback: QgsProcessingFeedback
    ) -> dict[str, Any]:
        layer = self.parameterAsVectorLayer(parameters, "LAYER", context)
        path = self.parameterAsFile(parameters, "INPUT", context)
        out = self.parameterAsString(parameters, "OUTPUT", context)
        formats = [FORMAT_KEYS[i] for i in self.parameterAsEnums(parameters, "FORMATS", context)]
        crs = self.parameterAsCrs(parameters, "SOURCE_CRS", context)
        with tempfile.TemporaryDirectory(prefix="odl-geo-qgis-") as tmp:
            layer_name = None
            if layer is not None:
                path, layer_name = layer_file(layer, Path(tmp))
            if not path:
                from qgis.core import QgsProcessingException

                raise QgsProcessingException(tr("Choose a layer of the project or a file."))
            args = ["convert", path, "--to", ",".join(formats), "--out", out]
            if layer_name:
                args += ["--layer", layer_name]
            if crs.isValid():
                args += ["--source-crs", crs.authid()]
            if self.parameterAsBool(parameters, "DECODE_HTML", context):
                args.append("--decode-html")
            if self.parameterAsBool(parameters, "DROP_EMPTY", context):
                args.append("--drop-empty")
            theme = self.parameterAsEnum(parameters, "THEME", context)
            if theme > 0:  # the theme's schema-valid product, plus the formats asked for
                args += ["--theme", THEMES[theme - 1]]
                mapping = self.parameterAsFile(parameters, "MAPPING", context)
                if mapping:
                    args += ["--mapping", mapping]
            manifest = run_worker(args, feedback)
        for f in manifest["files"]:
            feedback.pushInfo(f"{f['path']}: {f['feature_count']} features ({f['format']}, {f['crs']})")
        # a plain conversion returns its manifest (issues under "report"); a theme run returns its own summary
        issues = manifest["report"]["issues"] if "report" in manifest else manifest.get("issues", [])
        for issue in issues:
            feedback.pushInfo(f"[{issue['severity']}] {issue['code']}: {issue['message']}")
        return {"OUTPUT": out, "MANIFEST": str(Path(out) / "manifest.json")}
