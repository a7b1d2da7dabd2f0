"""The "Publish as open data" dialog: layer(s) and theme, field mapping, personal data, checks, then publication.

A thin GUI: the mapping proposal is ``odl-geo mapping`` run in the worker, and every step is an odl-geo Processing
algorithm run as a QgsProcessingAlgRunnerTask (check, convert, publish to GeoServer / PostGIS / data.gouv.fr), so
the UI never blocks and the same work is available in the modeler and qgis_process. Choices are remembered per
project; credentials only as authentication configuration ids.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from qgis.core import (
    QgsMapLayerProxyModel,
    QgsProject,
    QgsVectorLayer,
)
from qgis.gui import QgsCheckableComboBox, QgsFileWidget, QgsMapLayerComboBox
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from odl_geo.exports.catalog import DEFAULT_FORMATS, FORMAT_LABELS
from odl_geo.profiles.registry import MULTI_LAYER_THEMES, PROFILES
from odl_geo.profiles.styles import theme_style_dir

from ..processing.layer_input import export_in_background
from ..style_export import export_layer_style
from ..toolbelt.i18n import tr, tr_noop
from ..toolbelt.messages import error_text
from ..toolbelt.settings import ProjectSettings, default_output_folder
from .dlg_review import DlgReview
from .embed_copy import EmbedCopy
from .mdl_issues import IssuesModel
from .publication_names import THEMES_FR, default_names, slug
from .publish_runner import TAB_MAPPING, TAB_PERSONAL, TAB_REPORT, TAB_TARGETS, PublishRunner, step_summary
from .wdg_mapping import MappingWidget
from .wdg_metadata import attach as attach_metadata
from .wdg_targets import TargetsWidget

__all__ = ["TAB_MAPPING", "TAB_PERSONAL", "TAB_REPORT", "TAB_TARGETS", "DlgPublish", "step_summary", "styles_folder"]

THEMES = list(PROFILES)
THEME_TITLES = {
    "hiking": tr_noop("Hiking paths (itineraire-randonnee)"),
    "water": tr_noop("Water points"),
    "pei": tr_noop("Fire hydrants (point-eau-incendie)"),
    "flood": tr_noop("Flood risk (CNIG PPR)"),
}
#: the formats' labels to translate (odl_geo's FORMAT_LABELS are English); names of formats stay as they are
FORMAT_TITLES = {"shp": tr_noop("Shapefile (zipped)")}


def styles_folder(theme: str) -> str:
    """The theme's SLD folder, found as the library finds it (the styles ship inside odl_geo); "" when none."""
    folder = theme_style_dir(theme, ".sld")
    return str(folder) if folder is not None else ""


class DlgPublish(PublishRunner, QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Publish as open data"))
        self.settings = ProjectSettings()
        self.model = IssuesModel(self)
        self._running: tuple[Any, ...] | None = None
        self._queue: list[tuple[str, dict[str, Any]]] = []
        # the layers' exports for the mapping proposal; removed with the dialog (finalize: no ResourceWarning)
        self._workdir = Path(tempfile.mkdtemp(prefix="odl-geo-dialog-"))
        weakref.finalize(self, shutil.rmtree, str(self._workdir), True)
        self.checked_ok = False
        self.messages: list[str] = []
        self.style_warnings: list[str] = []
        self.summaries: list[str] = []
        self._step = ""
        self._closed = False
        self._saved_layers: set[str] = set()
        self.results: dict[str, dict[str, Any]] = {}
        self.wms_layers: list[str] = []
        self.dry_run = False
        self.completed = False
        self.review: DlgReview | None = None
        self._build()
        self._restore()

    # -- widgets --------------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.theme = QComboBox(self)
        for key in THEMES:
            self.theme.addItem(tr(THEME_TITLES.get(key, key)), key)
        form.addRow(tr("Theme"), self.theme)
        self.layer = QgsMapLayerComboBox(self)
        self.layer.setFilters(QgsMapLayerProxyModel.VectorLayer)
        self.layer_label = QLabel(tr("Layer"), self)
        form.addRow(self.layer_label, self.layer)
        self.layers = QListWidget(self)
        self.layers.setMaximumHeight(110)
        self.layers_label = QLabel(tr("Layers of the set"), self)
        form.addRow(self.layers_label, self.layers)
        self.area = QLineEdit(self)
        self.area.setPlaceholderText("occitanie, 34, 34172, Florac…")
        form.addRow(tr("Declared area"), self.area)
        self.out_dir = QgsFileWidget(self)
        self.out_dir.setStorageMode(QgsFileWidget.GetDirectory)
        form.addRow(tr("Output folder"), self.out_dir)
        formats = QHBoxLayout()
        self.formats = {k: QCheckBox(tr(FORMAT_TITLES.get(k, label)), self) for k, label in FORMAT_LABELS.items()}
        for key, box in self.formats.items():
            box.setChecked(key in DEFAULT_FORMATS)
            formats.addWidget(box)
        form.addRow(tr("Formats"), formats)
        layout.addLayout(form)
        self.tabs = QTabWidget(self)
        self.mapping = MappingWidget(self)
        self.tabs.addTab(self.mapping, tr("Field mapping"))
        self.tabs.addTab(self._personal(), tr("Personal data and fixes"))
        self.targets = TargetsWidget(self)
        self.tabs.addTab(self.targets, tr("Publish to"))
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.Stretch)
        self.table.verticalHeader().hide()
        self.table.setToolTip(tr("Double-click a row: its features are selected in the layer and shown on the map"))
        self.table.doubleClicked.connect(lambda index: self.show_issue_features(index.row()))
        self.tabs.addTab(self.table, tr("Quality report"))
        self.metadata = attach_metadata(self)  # the "Metadata" tab (ISO 19139 / DCAT records), after the report
        layout.addWidget(self.tabs, 1)
        self.status = QLabel(tr("Check the layer first."), self)
        self.status.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setFormat(tr("Idle"))
        self.progress.setTextVisible(True)
        self.status.setTextFormat(Qt.RichText)
        self.status.setOpenExternalLinks(True)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        buttons = QDialogButtonBox(self)
        self.btn_check = QPushButton(tr("Check"), self)
        self.btn_publish = QPushButton(tr("Publish"), self)
        self.btn_cancel = QPushButton(tr("Cancel task"), self)
        self.btn_publish.setEnabled(False)
        self.btn_cancel.setEnabled(False)
        self.embed = EmbedCopy(self, self.status)  # "Copy the embed code", enabled after a publication
        for b in (self.btn_check, self.btn_publish, self.btn_cancel, self.embed.button):
            buttons.addButton(b, QDialogButtonBox.ActionRole)
        buttons.addButton(QPushButton(tr("Close"), self), QDialogButtonBox.RejectRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.btn_check.clicked.connect(self.run_check)
        self.btn_publish.clicked.connect(self.run_publish)
        self.btn_cancel.clicked.connect(self.cancel)
        self.layer.layerChanged.connect(self._source_changed)
        self.theme.currentIndexChanged.connect(self._theme_changed)
        self.layers.itemChanged.connect(self._source_changed)
        self.area.textChanged.connect(self._names_changed)
        self.tabs.currentChanged.connect(self._tab_shown)
        self.mapping.btn_propose.clicked.connect(self.propose)
        self.mapping.start_file.fileChanged.connect(self.propose)
        self.mapping.proposed.connect(self._proposal_shown)
        self.mapping.fields.dataChanged.connect(self._invalidate)
        self.mapping.values.dataChanged.connect(self._invalidate)
        self.resize(1000, 820)

    def _personal(self) -> QWidget:
        box = QWidget(self)
        form = QFormLayout(box)
        self.anonymise = QCheckBox(tr("Remove personal data (names, phones, e-mails of private persons)"), box)
        self.anonymise.setChecked(True)
        self.mask_text = QCheckBox(tr("Mask e-mail addresses and phone numbers found in texts"), box)
        self.mask_text.setChecked(True)
        self.keep = QgsCheckableComboBox(box)
        self.keep.setToolTip(tr("Personal fields to publish anyway, e.g. a company's name"))
        self.fix = QCheckBox(tr("Apply the automatic fixes (on a copy; the layer is never changed)"), box)
        form.addRow(self.anonymise)
        form.addRow(self.mask_text)
        form.addRow(tr("Publish anyway"), self.keep)
        form.addRow(self.fix)
        for w in (self.anonymise, self.mask_text, self.fix):
            w.toggled.connect(self._invalidate)
        self.keep.checkedItemsChanged.connect(self._invalidate)
        return box

    # -- the chosen source ------------------------------------------------------------------------------------
    @property
    def theme_key(self) -> str:
        return str(self.theme.currentData())

    @property
    def multi_layer(self) -> bool:
        return self.theme_key in MULTI_LAYER_THEMES

    def chosen_layers(self) -> list[QgsVectorLayer]:
        if not self.multi_layer:
            layer = self.layer.currentLayer()
            return [layer] if isinstance(layer, QgsVectorLayer) else []
        project = QgsProject.instance()
        ids = [self.layers.item(i).data(Qt.UserRole) for i in range(self.layers.count())]
        checked = [i for i, lid in enumerate(ids) if self.layers.item(i).checkState() == Qt.Checked]
        return [lyr for i in checked if isinstance(lyr := project.mapLayer(ids[i]), QgsVectorLayer)]

    def _fill_layers(self, checked: set[str]) -> None:
        self.layers.blockSignals(True)
        self.layers.clear()
        for layer in QgsProject.instance().mapLayers().values():
            if isinstance(layer, QgsVectorLayer):
                item = QListWidgetItem(layer.name(), self.layers)
                item.setData(Qt.UserRole, layer.id())
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if layer.id() in checked else Qt.Unchecked)
        self.layers.blockSignals(False)

    def _source_key(self) -> str:
        return self.theme_key + ":" + ",".join(sorted(lyr.id() for lyr in self.chosen_layers()))

    def _source_args(self) -> tuple[list[str], list[Any]]:
        """``PATH [--layer NAME] [--source-crs CRS]`` of the chosen layer(s), and the QGIS tasks that export them
        first when they have no file of their own (PostGIS, memory...), so that no export runs on the UI thread."""
        return export_in_background(self.chosen_layers(), self._workdir)

    def _theme_changed(self, *_: Any) -> None:
        multi = self.multi_layer
        self.layer.setVisible(not multi)
        self.layer_label.setVisible(not multi)
        self.layers.setVisible(multi)
        self.layers_label.setVisible(multi)
        if multi:  # the project may have new layers since last time; keep what was checked
            self._fill_layers({lyr.id() for lyr in self.chosen_layers()} or self._saved_layers)
        self._source_changed()

    def _source_changed(self, *_: Any) -> None:
        self._invalidate()
        self._names_changed()
        self.propose()

    def _place(self) -> str:
        """Where the data is about, for the default names: the declared area, else the layer's name."""
        layers = self.chosen_layers()
        return self.area.text().strip() or (layers[0].name() if len(layers) == 1 else "")

    def _names_changed(self, *_: Any) -> None:
        self.targets.set_defaults(default_names(self.theme_key, self._place()))

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.targets:
            self._defaults_from_layer()

    def _defaults_from_layer(self) -> None:
        """Tags and description from the layer's QGIS metadata. Read when the person opens the tab or publishes,
        never on the layer combo's signal (QGIS emits it while layers are being removed; see wdg_metadata)."""
        layers = self.chosen_layers()
        if len(layers) != 1:
            self._names_changed()
            return
        md = layers[0].metadata()
        words = tuple(w for group in md.keywords().values() for w in group)
        self.targets.set_defaults(default_names(self.theme_key, self._place()), md.abstract().strip(), words)

    def mapping_file(self) -> Path:
        """One mapping file per layer (or per set of layers): ``<folder>/mappings/<layer>.toml``."""
        names = "_".join(slug(lyr.name()) for lyr in self.chosen_layers()) or self.theme_key
        return Path(self.out_dir.filePath()) / "mappings" / f"{names[:80]}.toml"

    def propose(self, *_: Any) -> None:
        if self._closed:
            return
        if not self.chosen_layers():
            self.mapping.fields.clear()
            self.mapping.status.setText(tr("Choose a layer and a theme."))
            return
        try:
            source, exports = self._source_args()
        except Exception as exc:  # noqa: BLE001 - QGIS cannot export these layers: say so, keep the dialog usable
            self.mapping.status.setText(error_text(exc))
            return
        key = self._source_key()
        saved = self.mapping.restore_state(self.settings.read("mapping_choices"), key)  # this layer's own choices
        self.mapping.propose(source, self.theme_key, saved, exports)

    def _proposal_shown(self) -> None:
        self.keep.clear()
        self.keep.addItems(self.mapping.fields.personal_fields())
        kept = set(filter(None, self.settings.read("keep_personal").split(",")))
        self.keep.setCheckedItems([n for n in self.mapping.fields.personal_fields() if n in kept])

    # -- settings per project (no secret: auth config ids only) ---------------------------------------------
    def _restore(self) -> None:
        s = self.settings
        self.theme.blockSignals(True)
        self.theme.setCurrentIndex(max(self.theme.findData(s.read("theme", "hiking")), 0))
        self.theme.blockSignals(False)
        self.out_dir.setFilePath(s.read("out_dir") or str(default_output_folder()))
        self.area.setText(s.read("area"))
        self._saved_layers = set(filter(None, s.read("layers").split(",")))
        self._fill_layers(self._saved_layers)
        self.targets.restore(s)
        self._theme_changed()

    def _save(self) -> None:
        s = self.settings
        for key, value in (
            ("theme", self.theme_key),
            ("out_dir", self.out_dir.filePath()),
            ("area", self.area.text()),
            ("layers", ",".join(lyr.id() for lyr in self.chosen_layers())),
            ("keep_personal", ",".join(self.keep.checkedItems())),
            ("mapping_choices", self.mapping.saved_state(self._source_key(), self.settings.read("mapping_choices"))),
        ):
            s.write(key, value)
        self.targets.save(s)

    def _invalidate(self, *_: Any) -> None:
        self.checked_ok = False
        self.btn_publish.setEnabled(False)

    # -- runs -----------------------------------------------------------------------------------------------
    def _anonymise(self) -> dict[str, Any]:
        return {"keep": self.keep.checkedItems(), "mask_free_text": self.mask_text.isChecked()}

    def _common(self) -> dict[str, Any]:
        """Input and theme parameters of the check and convert algorithms, with the table's mapping file."""
        layers = self.chosen_layers()
        mapping = self.mapping.write(self.mapping_file(), self._anonymise())
        return {
            "LAYER": layers[0].id() if len(layers) == 1 else None,
            "LAYERS": [lyr.id() for lyr in layers] if len(layers) > 1 else None,
            "MAPPING": str(mapping),
            "AREA": self.area.text() or None,
            "FIX": self.fix.isChecked(),
            "ANONYMISE": self.anonymise.isChecked(),
            "MASK_FREE_TEXT": self.mask_text.isChecked(),
        }

    def _ready(self) -> bool:
        if not self.chosen_layers():
            self._say(tr("Choose a layer (for flood: the layers of the PPR)."))
            return False
        if self.mapping.busy:
            self._say(tr("The field mapping is still being read; try again in a moment."))
            return False
        return True

    def run_check(self) -> None:
        if not self._ready():
            return
        self._save()
        params = {
            **self._common(),
            "THEME": THEMES.index(self.theme_key),
            "OUTPUT": str(Path(self.out_dir.filePath()) / "report"),
        }
        self._start([("odl_geo:check", params)])

    def run_publish(self) -> None:
        if not self._ready():
            return
        if (
            self.model.count("warning")
            and QMessageBox.question(self, tr("Publish"), tr("The report has warnings. Publish anyway?"))
            != QMessageBox.Yes
        ):
            return
        if self.targets.pg.isChecked() and urlsplit(self.targets.pg_dsn.text()).password:
            self._say(tr("The database address holds a password: put it in an authentication configuration."))
            return
        self._save()
        out = Path(self.out_dir.filePath()) / "publication"
        self._publication = str(out)
        formats = [i for i, key in enumerate(FORMAT_LABELS) if self.formats[key].isChecked()]
        convert = {
            **self._common(),
            "THEME": THEMES.index(self.theme_key) + 1,
            "FORMATS": formats,
            "REPLACE_PREVIOUS": True,  # the folder holds this publication only: nothing of another layer goes out
            "OUTPUT": str(out),
        }
        if not self.metadata.before_publish(out):
            self._say(tr("Complete the Metadata tab first (or untick it)."))
            self.tabs.setCurrentWidget(self.metadata)
            return
        self._defaults_from_layer()
        layers = ", ".join(lyr.name() for lyr in self.chosen_layers())
        review = DlgReview(layers, self.theme.currentText(), str(out), self.targets.summary(), self)
        review.accepted.connect(lambda: self._reviewed(convert, out, review.dry_run.isChecked()))
        self.review = review
        review.open()  # nothing is sent before the person confirms this summary

    def _reviewed(self, convert: dict[str, Any], out: Path, dry_run: bool) -> None:
        style = styles_folder(self.theme_key)
        self.style_warnings = []
        self.dry_run = dry_run
        if self.targets.layer_style and not self.multi_layer:
            exported = self._export_style(out)
            if exported is None:
                return
            style = exported
        self._start([("odl_geo:convert", convert), *self.targets.steps(str(out), style, dry_run)])

    def _export_style(self, out: Path) -> str | None:
        """The layer's own style as SLD (GeoServer) and QML (QGIS Server, ``out/styles``), fields renamed."""
        rows = self.mapping.fields.rows
        renames = {r["source"]: r["name"] for r in rows if r["source"] and not r["constant"]}
        published = {r["name"] for r in rows if r["source"] or r["constant"]}
        try:
            name = self.targets.gs_style_name.text().strip() or THEMES_FR.get(self.theme_key, (self.theme_key,))[0]
            exported = export_layer_style(self.chosen_layers()[0], out / "styles", name, renames, published)
        except OSError as exc:
            self._say(str(exc))
            return None
        self.style_warnings = exported.warnings
        for w in exported.warnings:
            self.messages.append(w)
        return str(exported.sld)

    def done(self, result: int) -> None:
        self._shut()
        super().done(result)

    def closeEvent(self, event: Any) -> None:
        self._shut()
        super().closeEvent(event)

    def _shut(self) -> None:
        """Closed: no more proposals (layers removed from the project would start exports), the pending one
        cancelled with its exports. A running publication goes on in QGIS's task manager and reports there."""
        self._closed = True
        self.mapping.cancel()

    def cancel(self) -> None:
        self._queue.clear()
        if self._running is not None:
            self._running[0].cancel()
