"""The "Publish as open data" dialog: choose a layer and a theme, check it, then convert and publish.

A thin GUI: every step is an odl-geo Processing algorithm run as a QgsProcessingAlgRunnerTask (check, convert,
publish to GeoServer / data.gouv.fr), so the UI never blocks and the same work is available in the modeler and
qgis_process. Choices are remembered per project; credentials only as authentication configuration ids.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsApplication,
    QgsMapLayerProxyModel,
    QgsProcessingAlgRunnerTask,
    QgsProcessingContext,
    QgsProcessingFeedback,
    QgsProject,
)
from qgis.gui import QgsAuthConfigSelect, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from odl_geo.exports.catalog import DEFAULT_FORMATS, FORMAT_LABELS
from odl_geo.profiles.registry import PROFILES

from ..__about__ import DIR_PLUGIN_ROOT
from ..toolbelt.i18n import tr, tr_noop
from ..toolbelt.settings import ProjectSettings
from .mdl_issues import IssuesModel

__all__ = ["DlgPublish", "styles_folder"]

THEMES = list(PROFILES)
THEME_TITLES = {
    "hiking": tr_noop("Hiking paths (itineraire-randonnee)"),
    "water": tr_noop("Water points"),
    "pei": tr_noop("Fire hydrants (point-eau-incendie)"),
    "flood": tr_noop("Flood risk (CNIG PPR)"),
}


def styles_folder(theme: str) -> str:
    """The theme's SLD folder: shipped in the plugin zip, or the repository's styles/ in development."""
    for root in (DIR_PLUGIN_ROOT / "styles", DIR_PLUGIN_ROOT.parent / "styles"):
        if (root / theme).is_dir():
            return str(root / theme)
    return ""


class DlgPublish(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Publish as open data"))
        self.settings = ProjectSettings()
        self.model = IssuesModel(self)
        self._running: tuple[Any, ...] | None = None
        self._queue: list[tuple[str, dict[str, Any]]] = []
        self.checked_ok = False
        self.messages: list[str] = []
        self._build()
        self._restore()

    # -- widgets --------------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.layer = QgsMapLayerComboBox(self)
        self.layer.setFilters(QgsMapLayerProxyModel.VectorLayer)
        form.addRow(tr("Layer"), self.layer)
        self.theme = QComboBox(self)
        for key in THEMES:
            self.theme.addItem(tr(THEME_TITLES.get(key, key)), key)
        form.addRow(tr("Theme"), self.theme)
        self.mapping = QgsFileWidget(self)
        self.mapping.setFilter("TOML (*.toml)")
        form.addRow(tr("Field mapping file (TOML)"), self.mapping)
        self.area = QLineEdit(self)
        self.area.setPlaceholderText("occitanie, 34, 34172…")
        form.addRow(tr("Declared area"), self.area)
        self.out_dir = QgsFileWidget(self)
        self.out_dir.setStorageMode(QgsFileWidget.GetDirectory)
        form.addRow(tr("Output folder"), self.out_dir)
        formats = QHBoxLayout()
        self.formats = {k: QCheckBox(label, self) for k, label in FORMAT_LABELS.items()}
        for key, box in self.formats.items():
            box.setChecked(key in DEFAULT_FORMATS)
            formats.addWidget(box)
        form.addRow(tr("Formats"), formats)
        layout.addLayout(form)
        layout.addWidget(self._targets())
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(180)
        layout.addWidget(QLabel(tr("Quality report"), self))
        layout.addWidget(self.table, 1)
        self.status = QLabel(tr("Check the layer first."), self)
        self.progress = QProgressBar(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        buttons = QDialogButtonBox(self)
        self.btn_check = QPushButton(tr("Check"), self)
        self.btn_publish = QPushButton(tr("Publish"), self)
        self.btn_cancel = QPushButton(tr("Cancel task"), self)
        self.btn_publish.setEnabled(False)
        self.btn_cancel.setEnabled(False)
        for b in (self.btn_check, self.btn_publish, self.btn_cancel):
            buttons.addButton(b, QDialogButtonBox.ActionRole)
        buttons.addButton(QPushButton(tr("Close"), self), QDialogButtonBox.RejectRole)
        buttons.rejected.connect(self.reject)
        self.btn_check.clicked.connect(self.run_check)
        self.btn_publish.clicked.connect(self.run_publish)
        self.btn_cancel.clicked.connect(self.cancel)
        self.layer.layerChanged.connect(self._invalidate)
        self.theme.currentIndexChanged.connect(self._invalidate)
        layout.addWidget(buttons)
        self.resize(900, 700)

    def _targets(self) -> QGroupBox:
        box = QGroupBox(tr("Publish to"), self)
        form = QFormLayout(box)
        self.gs_enabled = QCheckBox(tr("GeoServer (regional map platform)"), box)
        self.gs_url, self.gs_workspace = QLineEdit(box), QLineEdit(box)
        self.gs_url.setPlaceholderText("https://…/geoserver")
        self.gs_auth = QgsAuthConfigSelect(box)
        form.addRow(self.gs_enabled)
        form.addRow(tr("GeoServer URL"), self.gs_url)
        form.addRow(tr("Workspace"), self.gs_workspace)
        form.addRow(tr("Authentication"), self.gs_auth)
        self.dg_enabled = QCheckBox(tr("data.gouv.fr"), box)
        self.dg_url, self.dg_org = QLineEdit("https://www.data.gouv.fr", box), QLineEdit(box)
        self.dg_auth = QgsAuthConfigSelect(box)
        form.addRow(self.dg_enabled)
        form.addRow(tr("Portal URL"), self.dg_url)
        form.addRow(tr("Organization (slug or id)"), self.dg_org)
        form.addRow(tr("API key"), self.dg_auth)
        return box

    # -- settings per project (no secret: auth config ids only) ---------------------------------------------
    def _restore(self) -> None:
        s = self.settings
        idx = self.theme.findData(s.read("theme", "hiking"))
        self.theme.setCurrentIndex(max(idx, 0))
        self.out_dir.setFilePath(s.read("out_dir", str(Path(tempfile.gettempdir()) / "odl-geo")))
        self.gs_url.setText(s.read("geoserver_url"))
        self.gs_workspace.setText(s.read("geoserver_workspace"))
        self.gs_auth.setConfigId(s.read("geoserver_authcfg"))
        self.dg_org.setText(s.read("datagouv_org"))
        self.dg_auth.setConfigId(s.read("datagouv_authcfg"))

    def _save(self) -> None:
        for key, value in (
            ("theme", self.theme.currentData()),
            ("out_dir", self.out_dir.filePath()),
            ("geoserver_url", self.gs_url.text()),
            ("geoserver_workspace", self.gs_workspace.text()),
            ("geoserver_authcfg", self.gs_auth.configId()),
            ("datagouv_org", self.dg_org.text()),
            ("datagouv_authcfg", self.dg_auth.configId()),
        ):
            self.settings.write(key, str(value or ""))

    def _invalidate(self, *_: Any) -> None:
        self.checked_ok = False
        self.btn_publish.setEnabled(False)

    # -- runs -----------------------------------------------------------------------------------------------
    def _common(self) -> dict[str, Any]:
        layer = self.layer.currentLayer()
        return {"LAYER": layer.id() if layer else None, "MAPPING": self.mapping.filePath() or None}

    def run_check(self) -> None:
        self._save()
        params = {
            **self._common(),
            "THEME": THEMES.index(self.theme.currentData()),
            "AREA": self.area.text() or None,
            "OUTPUT": str(Path(self.out_dir.filePath()) / "report"),
        }
        self._start([("odl_geo:check", params)])

    def run_publish(self) -> None:
        if (
            self.model.count("warning")
            and QMessageBox.question(self, tr("Publish"), tr("The report has warnings. Publish anyway?"))
            != QMessageBox.Yes
        ):
            return
        self._save()
        out = str(Path(self.out_dir.filePath()) / "publication")
        theme = self.theme.currentData()
        formats = [i for i, key in enumerate(FORMAT_LABELS) if self.formats[key].isChecked()]
        steps = [
            ("odl_geo:convert", {**self._common(), "THEME": THEMES.index(theme) + 1, "FORMATS": formats, "OUTPUT": out})
        ]
        if self.gs_enabled.isChecked():
            steps.append(
                (
                    "odl_geo:publish_geoserver",
                    {
                        "INPUT": out,
                        "URL": self.gs_url.text(),
                        "WORKSPACE": self.gs_workspace.text(),
                        "AUTHCFG": self.gs_auth.configId(),
                        "STYLE": styles_folder(theme),
                    },
                )
            )
        if self.dg_enabled.isChecked():
            steps.append(
                (
                    "odl_geo:publish_datagouv",
                    {
                        "INPUT": out,
                        "URL": self.dg_url.text(),
                        "ORGANIZATION": self.dg_org.text(),
                        "AUTHCFG": self.dg_auth.configId(),
                    },
                )
            )
        self._start(steps)

    def _start(self, steps: list[tuple[str, dict[str, Any]]]) -> None:
        self._queue = list(steps)
        self.messages.clear()
        self._set_busy(True)
        self._next()

    def _next(self) -> None:
        if not self._queue:
            self._set_busy(False)
            return
        alg_id, params = self._queue.pop(0)
        alg = QgsApplication.processingRegistry().createAlgorithmById(alg_id)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        feedback = QgsProcessingFeedback()
        task = QgsProcessingAlgRunnerTask(alg, params, context, feedback)
        task.executed.connect(lambda ok, results: self._done(alg_id, ok, results, feedback))
        task.progressChanged.connect(lambda p: self.progress.setValue(int(p)))
        self._running = (task, context, feedback, alg)  # keep them alive while the task runs
        self.status.setText(tr("Running: ") + alg.displayName())
        QgsApplication.taskManager().addTask(task)

    def _done(self, alg_id: str, ok: bool, results: dict[str, Any], feedback: QgsProcessingFeedback) -> None:
        if not ok:
            self._queue.clear()
            log = feedback.textLog() if hasattr(feedback, "textLog") else ""
            self.status.setText(tr("Failed: ") + (log.strip().splitlines() or [""])[-1])
            self.messages.append(log)
            self._set_busy(False)
            return
        if alg_id == "odl_geo:check":
            report = Path(results["OUTPUT"]) / "report.json"
            data = json.loads(report.read_text(encoding="utf-8")) if report.exists() else {}
            self.model.set_issues(data.get("issues", []))
            self.checked_ok = results["ERRORS"] == 0
            self.btn_publish.setEnabled(self.checked_ok)
            self.status.setText(
                tr("Errors: {0}, warnings: {1}. ").format(results["ERRORS"], results["WARNINGS"])
                + (tr("Ready to publish.") if self.checked_ok else tr("Fix the errors first."))
            )
        else:
            self.messages.append(f"{alg_id}: {results}")
            self.status.setText(tr("Done: ") + alg_id.split(":")[1])
        self._next()

    def _set_busy(self, busy: bool) -> None:
        self.btn_check.setEnabled(not busy)
        self.btn_publish.setEnabled(not busy and self.checked_ok)
        self.btn_cancel.setEnabled(busy)
        if not busy:
            self.progress.setValue(100)
            self._running = None

    def cancel(self) -> None:
        self._queue.clear()
        if self._running is not None:
            self._running[0].cancel()
