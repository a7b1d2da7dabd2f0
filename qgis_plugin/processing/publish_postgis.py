"""Processing: publish to PostGIS (atomic replace), run in the worker (psycopg stays out of QGIS's process).

The user and password come from a QGIS Basic authentication configuration and reach the worker through its
environment (ODL_POSTGIS_USER / ODL_POSTGIS_PASSWORD), never its command line, which other users could read.
"""

from __future__ import annotations

from typing import Any

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProcessingOutputNumber,
    QgsProcessingParameterAuthConfig,
    QgsProcessingParameterFile,
    QgsProcessingParameterString,
)

from ..auth import basic_credentials
from ..toolbelt.i18n import tr
from ..worker import OdlGeoWorker
from .base import OdlGeoAlgorithm
from .errors import processing_errors

__all__ = ["PublishPostgisAlgorithm"]


class PublishPostgisAlgorithm(OdlGeoAlgorithm):
    NAME, DISPLAY = "publish_postgis", "Publish to PostGIS"
    GROUP_ID, GROUP = "publish", "Publish"

    def initAlgorithm(self, config: dict[str, Any] | None = None) -> None:
        self.addParameter(
            QgsProcessingParameterFile(
                "INPUT", tr("Conversion output folder or file"), behavior=QgsProcessingParameterFile.Folder
            )
        )
        self.addParameter(QgsProcessingParameterString("DSN", tr("Database (postgresql://host:port/dbname)")))
        self.addParameter(QgsProcessingParameterString("SCHEMA", tr("Schema"), "public"))
        self.addParameter(QgsProcessingParameterAuthConfig("AUTHCFG", tr("Authentication (Basic)"), optional=True))
        self.addOutput(QgsProcessingOutputNumber("TABLES", tr("Tables published")))

    def processAlgorithm(
        self,
        parameters: dict[str, Any],
        context: QgsProcessingContext,
        feedback: QgsProcessingFeedback,
    ) -> dict[str, Any]:
        worker = OdlGeoWorker()
        authcfg = self.parameterAsString(parameters, "AUTHCFG", context)
        if authcfg:
            creds = processing_errors(lambda: basic_credentials(authcfg))
            worker.extra_env = {"ODL_POSTGIS_USER": creds.username or "", "ODL_POSTGIS_PASSWORD": creds.password or ""}
        args = [
            "publish",
            "postgis",
            self.parameterAsFile(parameters, "INPUT", context),
            "--dsn",
            self.parameterAsString(parameters, "DSN", context),
            "--schema",
            self.parameterAsString(parameters, "SCHEMA", context),
        ]
        result = processing_errors(lambda: worker.run(args, feedback), "PostGIS", authcfg)
        tables = result.get("tables", result.get("layers", []))
        for t in tables:
            feedback.pushInfo(str(t))
        return {"TABLES": len(tables)}
