"""The "Publish to" tab: GeoServer (with the style to use), PostGIS, data.gouv.fr; each step's Processing parameters.

Credentials are QGIS authentication configurations: only their ids are read here and kept in the project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qgis.gui import QgsAuthConfigSelect
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..toolbelt.i18n import tr
from ..toolbelt.servers import load_server, save_server, server_names
from .connection_test import ConnectionTest, probe_csw, probe_datagouv, probe_geoserver, probe_postgis
from .wdg_metadata import LICENCES

if TYPE_CHECKING:
    from ..toolbelt.settings import ProjectSettings
    from .publication_names import PublicationNames

__all__ = ["STYLE_LAYER", "STYLE_THEME", "TargetsWidget"]

STYLE_THEME, STYLE_LAYER = "theme", "layer"


class TargetsWidget(QScrollArea):
    """The targets and, for each, what it will show (names, titles, licence...): French defaults the person edits.

    A field the person typed in keeps their text; the others follow the theme and the layer (``set_defaults``).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        inner = QWidget(self)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.edited: set[str] = set()
        layout = QVBoxLayout(inner)
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
        self.gs_layer_name, self.gs_title, self.gs_style_name = QLineEdit(gs), QLineEdit(gs), QLineEdit(gs)
        self.gs_layer_name.setToolTip(tr("The name in WMS/WFS requests: letters, digits, '_' and '-'"))
        form.addRow(tr("Layer name"), self.gs_layer_name)
        form.addRow(tr("Layer title"), self.gs_title)
        form.addRow(tr("Style name"), self.gs_style_name)
        probe = lambda: (probe_geoserver, (self.gs_url.text(), self.gs_auth.configId()))  # noqa: E731
        self.gs_test = self._tester(form, "GeoServer", probe)
        self.gs_saved = self._saved(form, "geoserver", {"url": self.gs_url, "workspace": self.gs_workspace,
                                                        "authcfg": self.gs_auth})  # fmt: skip
        self.gs = gs
        pg, form = self._target(tr("PostGIS database"))
        self.pg_dsn, self.pg_schema = QLineEdit(pg), QLineEdit("opendata", pg)
        self.pg_dsn.setPlaceholderText("postgresql://host:5432/database")
        self.pg_auth = QgsAuthConfigSelect(pg)
        form.addRow(tr("Database"), self.pg_dsn)
        form.addRow(tr("Schema"), self.pg_schema)
        form.addRow(tr("Authentication"), self.pg_auth)
        self.pg_saved = self._saved(form, "postgis", {"dsn": self.pg_dsn, "schema": self.pg_schema,
                                                      "authcfg": self.pg_auth})  # fmt: skip
        self.pg_test = self._tester(form, "PostGIS",
                                    lambda: (probe_postgis, (self.pg_dsn.text(), self.pg_auth.configId())))  # fmt: skip
        self.pg = pg
        dg, form = self._target(tr("data.gouv.fr"))
        self.dg_url, self.dg_org = QLineEdit("https://www.data.gouv.fr", dg), QLineEdit(dg)
        self.dg_auth = QgsAuthConfigSelect(dg)
        form.addRow(tr("Portal URL"), self.dg_url)
        form.addRow(tr("Organization (slug or id)"), self.dg_org)
        form.addRow(tr("API key"), self.dg_auth)
        self.dg_title, self.dg_description, self.dg_tags = QLineEdit(dg), QPlainTextEdit(dg), QLineEdit(dg)
        self.dg_description.setMaximumHeight(80)
        self.dg_licence = QComboBox(dg)
        for key, label in LICENCES.items():
            self.dg_licence.addItem(tr(label), key)
        self.dg_private = QCheckBox(tr("Private (draft): open it yourself on data.gouv.fr once checked"), dg)
        self.dg_private.setChecked(True)
        form.addRow(tr("Title"), self.dg_title)
        form.addRow(tr("Description"), self.dg_description)
        form.addRow(tr("Licence"), self.dg_licence)
        form.addRow(tr("Tags (comma-separated)"), self.dg_tags)
        form.addRow(self.dg_private)
        probe = lambda: (probe_datagouv, (self.dg_url.text(), self.dg_auth.configId()))  # noqa: E731
        self.dg_test = self._tester(form, "data.gouv.fr", probe)
        self.dg_saved = self._saved(form, "datagouv", {"url": self.dg_url, "organization": self.dg_org,
                                                       "authcfg": self.dg_auth})  # fmt: skip
        self.dg = dg
        cs, form = self._target(tr("CSW catalogue (metadata record)"))
        self.csw_url = QLineEdit(cs)
        self.csw_url.setPlaceholderText("https://…/geonetwork/srv/fre/csw-publication")
        self.csw_auth = QgsAuthConfigSelect(cs)
        form.addRow(tr("CSW catalogue URL"), self.csw_url)
        form.addRow(tr("Authentication"), self.csw_auth)
        probe = lambda: (probe_csw, (self.csw_url.text(), self.csw_auth.configId()))  # noqa: E731
        self.csw_test = self._tester(form, tr("The CSW catalogue"), probe)
        self.csw_saved = self._saved(form, "csw", {"url": self.csw_url, "authcfg": self.csw_auth})
        self.csw = cs
        for name in ("gs_layer_name", "gs_title", "gs_style_name", "dg_title", "dg_tags"):
            getattr(self, name).textEdited.connect(lambda _t, n=name: self.edited.add(n))
        self.dg_description.textChanged.connect(
            lambda: self.edited.add("dg_description") if self.dg_description.hasFocus() else None
        )
        for box in (gs, pg, dg, cs):
            layout.addWidget(box)
        layout.addStretch(1)

    def _target(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        """A target's box, off until the person ticks it, and the form of its settings."""
        box = QGroupBox(title, self)
        box.setCheckable(True)
        box.setChecked(False)
        return box, QFormLayout(box)

    def _saved(self, form: QFormLayout, kind: str, fields: dict[str, Any]) -> QComboBox:
        """Servers defined once (global settings, an auth configuration each): choose one to fill this target, or
        type a name and save this target's server for every project."""
        combo = QComboBox(self)
        combo.setEditable(True)
        combo.lineEdit().setPlaceholderText(tr("a name, e.g. Région Occitanie"))
        combo.addItems(["", *server_names(kind)])
        button = QPushButton(tr("Save this server"), self)
        row = QHBoxLayout()
        row.addWidget(combo, 1)
        row.addWidget(button)
        form.insertRow(0, tr("Saved server"), row)

        def fill(name: str) -> None:
            values = load_server(kind, name) if name in server_names(kind) else {}
            for key, widget in fields.items():
                if key in values:
                    (widget.setConfigId if isinstance(widget, QgsAuthConfigSelect) else widget.setText)(values[key])

        def save() -> None:
            name = combo.currentText().strip()
            if not name:
                return
            save_server(kind, name, {key: (w.configId() if isinstance(w, QgsAuthConfigSelect) else w.text())
                                     for key, w in fields.items()})  # fmt: skip
            if combo.findText(name) < 0:
                combo.addItem(name)

        combo.activated[str].connect(fill)
        button.clicked.connect(save)
        return combo

    def _tester(self, form: QFormLayout, service: str, probe: Any) -> ConnectionTest:
        """A "Test the connection" button and its answer, under a target's settings."""
        button, label = QPushButton(tr("Test the connection"), self), QLabel(self)
        label.setWordWrap(True)
        form.addRow(button, label)
        return ConnectionTest(button, label, service, probe)

    @property
    def layer_style(self) -> bool:
        return self.gs.isChecked() and self.gs_style.currentData() == STYLE_LAYER

    def set_defaults(self, names: PublicationNames, description: str = "", keywords: tuple[str, ...] = ()) -> None:
        """Fill what the person has not typed: names and titles from the theme, tags from the theme and the layer's
        QGIS keywords, the description from the layer's QGIS abstract."""
        tags = ", ".join(dict.fromkeys([*names.tags, *(k.strip() for k in keywords if k.strip())]))
        for name, value in (("gs_layer_name", names.layer), ("gs_title", names.title),
                            ("gs_style_name", names.style), ("dg_title", names.title), ("dg_tags", tags)):  # fmt: skip
            if name not in self.edited:
                getattr(self, name).setText(value)
        if "dg_description" not in self.edited and description:
            self.dg_description.setPlainText(description)

    def steps(self, folder: str, style: str, dry_run: bool = False) -> list[tuple[str, dict[str, Any]]]:
        """The publishing algorithms to run on the conversion ``folder``, in order (map platform first); a dry run
        sends nothing (PostGIS, which has no dry run, is left out)."""
        steps: list[tuple[str, dict[str, Any]]] = []
        if self.gs.isChecked():
            params = {"INPUT": folder, "URL": self.gs_url.text(), "WORKSPACE": self.gs_workspace.text()}
            names = {"LAYER_NAME": self.gs_layer_name.text().strip(), "TITLE": self.gs_title.text().strip(),
                     "STYLE_NAME": self.gs_style_name.text().strip(), "DRY_RUN": dry_run}  # fmt: skip
            steps.append(
                ("odl_geo:publish_geoserver", {**params, **names, "AUTHCFG": self.gs_auth.configId(), "STYLE": style})
            )
        if self.pg.isChecked() and not dry_run:
            params = {"INPUT": folder, "DSN": self.pg_dsn.text(), "SCHEMA": self.pg_schema.text() or "public"}
            steps.append(("odl_geo:publish_postgis", {**params, "AUTHCFG": self.pg_auth.configId()}))
        if self.dg.isChecked():
            params = {"INPUT": folder, "URL": self.dg_url.text(), "ORGANIZATION": self.dg_org.text()}
            review = {
                "TITLE": self.dg_title.text().strip(),
                "DESCRIPTION": self.dg_description.toPlainText().strip(),
                "LICENSE": max(self.dg_licence.currentIndex(), 0),
                "TAGS": self.dg_tags.text(),
                "PRIVATE": self.dg_private.isChecked(),
                "DRY_RUN": dry_run,
            }
            steps.append(("odl_geo:publish_datagouv", {**params, **review, "AUTHCFG": self.dg_auth.configId()}))
        if self.csw.isChecked():
            params = {"INPUT": folder, "URL": self.csw_url.text().strip(), "DRY_RUN": dry_run}
            steps.append(("odl_geo:publish_csw", {**params, "AUTHCFG": self.csw_auth.configId()}))
        return steps

    def summary(self) -> list[str]:
        """What will be sent where, one translated line per target (the review before anything is sent)."""
        lines = []
        if self.gs.isChecked():
            lines.append(tr("GeoServer {0}, workspace {1}: layer {2} “{3}”, style {4}.").format(
                self.gs_url.text(), self.gs_workspace.text(), self.gs_layer_name.text(), self.gs_title.text(),
                self.gs_style_name.text()))  # fmt: skip
        if self.pg.isChecked():
            lines.append(tr("PostGIS {0}, schema {1}.").format(self.pg_dsn.text(), self.pg_schema.text()))
        if self.dg.isChecked():
            state = tr("private (draft)") if self.dg_private.isChecked() else tr("public")
            text = tr("data.gouv.fr, organization {0}: “{1}”, {2}, licence {3}, tags: {4}.")
            lines.append(text.format(self.dg_org.text(), self.dg_title.text(), state, self.dg_licence.currentText(),
                                     self.dg_tags.text()))  # fmt: skip
        if self.csw.isChecked():
            lines.append(tr("CSW catalogue {0}: the ISO 19139 metadata record.").format(self.csw_url.text()))
        return lines

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
        self.dg_private.setChecked(s.read("datagouv_private", "1") != "0")
        self.csw_url.setText(s.read("csw_url"))
        self.csw_auth.setConfigId(s.read("csw_authcfg"))
        self.dg_licence.setCurrentIndex(max(self.dg_licence.findData(s.read("datagouv_licence", "lov2")), 0))

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
            ("datagouv_private", "1" if self.dg_private.isChecked() else "0"),
            ("csw_url", self.csw_url.text()),
            ("csw_authcfg", self.csw_auth.configId()),
            ("datagouv_licence", self.dg_licence.currentData()),
        ):
            s.write(key, str(value or ""))
