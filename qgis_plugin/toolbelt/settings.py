"""Plugin settings. Only authentication *config ids* are stored, never a secret (those stay in QgsAuthManager)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from qgis.core import QgsProject, QgsSettings
from qgis.PyQt.QtCore import QStandardPaths

__all__ = ["SETTING_OUTPUT", "PluginSettings", "ProjectSettings", "default_output_folder"]

SETTING_OUTPUT = "odl_geo/output_folder"  # chosen in the settings page; empty: beside the project or in Documents


def default_output_folder(project: QgsProject | None = None) -> Path:
    """Where publications go unless the person chose: the settings page's folder, else ``odl-geo`` beside the saved
    project, else ``Documents/odl-geo`` (never a temporary folder that the system empties)."""
    chosen = str(QgsSettings().value(SETTING_OUTPUT, "") or "")
    if chosen:
        return Path(chosen)
    home = (project or QgsProject.instance()).homePath()
    if home:
        return Path(home) / "odl-geo"
    docs = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation) or str(Path.home())
    return Path(docs) / "odl-geo"

_PREFIX = "odl_geo/"
_SCOPE = "odl_geo"


@dataclass
class PluginSettings:
    geoserver_url: str = ""
    geoserver_authcfg: str = ""  # a Basic auth configuration id
    datagouv_url: str = "https://www.data.gouv.fr"
    datagouv_authcfg: str = ""  # an API-header configuration id (X-API-KEY)
    output_folder: str = ""

    @classmethod
    def load(cls) -> PluginSettings:
        s = QgsSettings()
        return cls(**{k: str(s.value(_PREFIX + k, v)) for k, v in cls().__dict__.items()})

    def save(self) -> None:
        s = QgsSettings()
        for k, v in self.__dict__.items():
            s.setValue(_PREFIX + k, v)


class ProjectSettings:
    """Per-project choices (theme, formats, layer ids...) in the project's custom properties."""

    def __init__(self, project: QgsProject | None = None) -> None:
        self.project = project or QgsProject.instance()

    def read(self, key: str, default: str = "") -> str:
        value, ok = self.project.readEntry(_SCOPE, key, default)
        return value if ok else default

    def write(self, key: str, value: str) -> None:
        if "password" in key.lower() or "apikey" in key.lower().replace("_", ""):
            raise ValueError("secrets are never stored in projects: use an authentication configuration id")
        self.project.writeEntry(_SCOPE, key, value)
