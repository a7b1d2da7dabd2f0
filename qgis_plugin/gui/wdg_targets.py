"""The "Publish to" tab: GeoServer (with the style to use), PostGIS, data.gouv.fr; each step's Processing parameters.

Credentials are QGIS authentication configurations: only their ids are read here and kept in the project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qgis.gui import QgsAuthConfigSelect
from qgis.PyQt.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLineEdit, QVBoxLayout, QWidget

from ..toolbelt.i18n import tr

if TYPE_CHECKING:
    from ..toolbelt.settings import ProjectSettings

__all__ = ["STYLE_LAYER", "STYLE_THEME", "TargetsWidget"]

STYLE_THEME, STYLE_LAYER = "theme", "layer"


class TargetsWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        gs, form = self._target(tr("GeoServer (regional map platform)"))
        self.gs_url, self.gs_workspace = QLineEdit(gs), QLineEdit(gs)
        self.gs_url.setPlaceholderText("https://…/geoserver")
        self.gs_auth = QgsAuthConfigSelect(gs)
        self.gs_style = QComboBox(gs)
        self.gs_style.addItem(tr("The theme's national style"), STYLE_THEME)
        self.gs_style.addItem(tr("The layer's current QGIS style"), STYLE_LAYER)
        form.addRow(tr("GeoServer URL"), self.gs_url)
        form.addRow(tr("Workspace"), self.gs_workspace)
        form.addRow(tr("Authentication"), self.gs_auth)
        form.addRow(tr("Style"), self.gs_style)
        self.gs = gs
        pg, form = self._target(tr("PostGIS database"))
        self.pg_dsn, self.pg_schema = QLineEdit(pg), QLineEdit("opendata", pg)
        self.pg_dsn.setPlaceholderText("postgresql://host:5432/database")
        self.pg_auth = QgsAuthConfigSelect(pg)
        form.addRow(tr("Database"), self.pg_dsn)
        form.addRow(tr("Schema"), self.pg_schema)
        form.addRow(tr("Authentication"), self.pg_auth)
        self.pg = pg
        dg, form = self._target(tr("data.gouv.fr"))
        self.dg_url, self.dg_org = QLineEdit("https://www.data.gouv.fr", dg), QLineEdit(dg)
        self.dg_auth = QgsAuthConfigSelect(dg)
        form.addRow(tr("Portal URL"), self.dg_url)
        form.addRow(tr("Organization (slug or id)"), self.dg_org)
        form.addRow(tr("API key"), self.dg_auth)
        self.dg = dg
        for box in (gs, pg, dg):
            layout.addWidget(box)
        layout.addStretch(1)

    def _target(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        """A target's box, off until the person ticks it, and the form of its settings."""
        box = QGroupBox(title, self)
        box.setCheckable(True)
        box.setChecked(False)
        return box, QFormLayout(box)

    @property
    def layer_style(self) -> bool:
        return self.gs.isChecked() and self.gs_style.currentData() == STYLE_LAYER

    def steps(self, folder: str, style: str) -> list[tuple[str, dict[str, Any]]]:
        """The publishing algorithms to run on the conversion ``folder``, in order (map platform first)."""
        steps: list[tuple[str, dict[str, Any]]] = []
        if self.gs.isChecked():
            params = {"INPUT": folder, "URL": self.gs_url.text(), "WORKSPACE": self.gs_workspace.text()}
            steps.append(("odl_geo:publish_geoserver", {**params, "AUTHCFG": self.gs_auth.configId(), "STYLE": style}))
        if self.pg.isChecked():
            params = {"INPUT": folder, "DSN": self.pg_dsn.text(), "SCHEMA": self.pg_schema.text() or "public"}
            steps.append(("odl_geo:publish_postgis", {**params, "AUTHCFG": self.pg_auth.configId()}))
        if self.dg.isChecked():
            params = {"INPUT": folder, "URL": self.dg_url.text(), "ORGANIZATION": self.dg_org.text()}
            steps.append(("odl_geo:publish_datagouv", {**params, "AUTHCFG": self.dg_auth.configId()}))
        return steps

    # -- project settings (auth config ids only) -------------------------------------------------------------
    def restore(self, s: ProjectSettings) -> None:
        self.gs_url.setText(s.read("geoserver_url"))
        self.gs_workspace.setText(s.read("geoserver_workspace"))
        self.gs_style.setCurrentIndex(max(self.gs_style.findData(s.read("geoserver_style", STYLE_THEME)), 0))
        self.pg_dsn.setText(s.read("postgis_dsn"))
        self.pg_schema.setText(s.read("postgis_schema", "opendata"))
        self.dg_url.setText(s.read("datagouv_url", "https://www.data.gouv.fr"))
        self.dg_org.setText(s.read("datagouv_org"))
        self.gs_auth.setConfigId(s.read("geoserver_authcfg"))
        self.pg_auth.setConfigId(s.read("postgis_authcfg"))
        self.dg_auth.setConfigId(s.read("datagouv_authcfg"))

    def save(self, s: ProjectSettings) -> None:
        for key, value in (
            ("geoserver_url", self.gs_url.text()),
            ("geoserver_workspace", self.gs_workspace.text()),
            ("geoserver_authcfg", self.gs_auth.configId()),
            ("geoserver_style", self.gs_style.currentData()),
            ("postgis_dsn", self.pg_dsn.text()),
            ("postgis_schema", self.pg_schema.text()),
            ("postgis_authcfg", self.pg_auth.configId()),
            ("datagouv_url", self.dg_url.text()),
            ("datagouv_org", self.dg_org.text()),
            ("datagouv_authcfg", self.dg_auth.configId()),
        ):
            s.write(key, str(value or ""))
