"""Plugin settings. Only authentication *config ids* are stored, never a secret (those stay in QgsAuthManager)."""

from __future__ import annotations

from dataclasses import dataclass

from qgis.core import QgsProject, QgsSettings

__all__ = ["PluginSettings", "ProjectSettings"]

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
