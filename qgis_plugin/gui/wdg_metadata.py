"""The "Metadata" tab: what only the producer knows about the dataset (title, abstract, producer, contact, licence,
update frequency, keywords, scale), pre-filled from the layer's own QGIS metadata (``QgsLayerMetadata``).

It writes the ``metadata.toml`` of the publication folder; ``odl-geo convert`` then builds the ISO 19139 (INSPIRE)
and DCAT-AP records with everything odl-geo knows (extent, CRS, fields, schema, quality report) and the publishers
use them. The check shown here is the library's own (:func:`odl_geo.metadata.inputs.parse_metadata`): every missing
element at once, in French, before anything runs. No business logic here: the widget only collects and writes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ..toolbelt.i18n import tr, tr_noop
from ..toolbelt.messages import error_text

if TYPE_CHECKING:
    from pathlib import Path

    from qgis.core import QgsMapLayer

__all__ = ["FREQUENCIES", "LICENCES", "MetadataWidget", "attach"]

LICENCES = {"lov2": tr_noop("Licence Ouverte 2.0 (Etalab)"), "odbl": tr_noop("ODbL (Open Database License)")}
FREQUENCIES = {
    "annual": tr_noop("Annual"),
    "semiannual": tr_noop("Twice a year"),
    "quarterly": tr_noop("Quarterly"),
    "monthly": tr_noop("Monthly"),
    "weekly": tr_noop("Weekly"),
    "daily": tr_noop("Daily"),
    "irregular": tr_noop("Irregular"),
    "punctual": tr_noop("When needed (punctual)"),
    "unknown": tr_noop("Unknown"),
}


class MetadataWidget(QWidget):
    """``enabled`` (the box ticked) means: write the record with the publication."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.enabled = QCheckBox(tr("Describe the dataset (ISO 19139 / INSPIRE and DCAT metadata records)"), self)
        layout.addWidget(self.enabled)
        form = QFormLayout()
        self.title = QLineEdit(self)
        self.abstract = QPlainTextEdit(self)
        self.abstract.setMaximumHeight(90)
        self.keywords = QLineEdit(self)
        self.keywords.setPlaceholderText(tr("comma-separated, e.g. Cévennes, Lozère"))
        self.producer, self.producer_email = QLineEdit(self), QLineEdit(self)
        self.contact, self.contact_email = QLineEdit(self), QLineEdit(self)
        self.contact.setPlaceholderText(tr("(the producer when empty)"))
        self.licence, self.frequency = QComboBox(self), QComboBox(self)
        for key, label in LICENCES.items():
            self.licence.addItem(tr(label), key)
        for key, label in FREQUENCIES.items():
            self.frequency.addItem(tr(label), key)
        self.scale = QSpinBox(self)
        self.scale.setRange(0, 10_000_000)
        self.scale.setSingleStep(1000)
        self.scale.setSpecialValueText(tr("not given"))
        self.scale.setPrefix("1:")
        form.addRow(tr("Title"), self.title)
        form.addRow(tr("Abstract"), self.abstract)
        form.addRow(tr("Keywords"), self.keywords)
        form.addRow(tr("Producer (organisation)"), self.producer)
        form.addRow(tr("Producer e-mail"), self.producer_email)
        form.addRow(tr("Point of contact"), self.contact)
        form.addRow(tr("Contact e-mail"), self.contact_email)
        form.addRow(tr("Licence"), self.licence)
        form.addRow(tr("Update frequency"), self.frequency)
        form.addRow(tr("Scale (spatial resolution)"), self.scale)
        layout.addLayout(form)
        self.btn_fill = QPushButton(tr("Fill from the layer's QGIS metadata"), self)
        self.btn_check = QPushButton(tr("Check the metadata"), self)
        self.btn_preview = QPushButton(tr("Preview the record"), self)
        self.btn_preview.setToolTip(tr("The record's main elements as they will be published, built by odl-geo"))
        layout.addWidget(self.btn_fill)
        layout.addWidget(self.btn_check)
        layout.addWidget(self.btn_preview)
        self.preview_dialog: Any = None  # the last preview shown (read-only)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.btn_check.clicked.connect(self.check)

    # -- from the layer -------------------------------------------------------------------------------------
    def fill_from_layer(self, layer: QgsMapLayer | None, overwrite: bool = False) -> list[str]:
        """Copy the layer's QGIS metadata into the empty fields (all of them with ``overwrite``); returns what was
        filled, by field name. The extent is not copied: odl-geo computes it from the data it writes."""
        if layer is None:
            return []
        md = layer.metadata()
        filled: list[str] = []

        def put(name: str, widget: Any, value: str) -> None:
            current = widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()
            if value and (overwrite or not current.strip()):
                (widget.setPlainText if isinstance(widget, QPlainTextEdit) else widget.setText)(value)
                filled.append(name)

        put("title", self.title, md.title().strip())
        put("abstract", self.abstract, md.abstract().strip())
        words = [w.strip() for group in md.keywords().values() for w in group if w.strip()]
        put("keywords", self.keywords, ", ".join(dict.fromkeys(words)))
        contacts = list(md.contacts())
        owner = next((c for c in contacts if c.role.lower() in ("owner", "originator", "publisher")), None)
        owner = owner or (contacts[0] if contacts else None)
        point = next((c for c in contacts if c.role.lower() in ("pointofcontact", "point of contact")), None)
        if owner is not None:
            put("producer", self.producer, (owner.organization or owner.name).strip())
            put("producer_email", self.producer_email, owner.email.strip())
        if point is not None and point is not owner:
            put("contact", self.contact, (point.organization or point.name).strip())
            put("contact_email", self.contact_email, point.email.strip())
        licence = _licence_key(" ".join([*md.licenses(), *md.rights()]))
        if licence:
            self.licence.setCurrentIndex(self.licence.findData(licence))
            filled.append("licence")
        return filled

    # -- to the library -------------------------------------------------------------------------------------
    def table(self) -> dict[str, Any]:
        """The metadata table, as ``metadata.toml`` (and a job file's ``[dataset.metadata]``) holds it."""
        table: dict[str, Any] = {
            "title": self.title.text().strip(),
            "abstract": self.abstract.toPlainText().strip(),
            "licence": self.licence.currentData(),
            "frequency": self.frequency.currentData(),
            "producer": {"name": self.producer.text().strip(), "email": self.producer_email.text().strip()},
        }
        words = [w.strip() for w in self.keywords.text().split(",") if w.strip()]
        if words:
            table["keywords"] = words
        if self.contact.text().strip() or self.contact_email.text().strip():
            table["contact"] = {"name": self.contact.text().strip(), "email": self.contact_email.text().strip()}
        if self.scale.value() > 0:
            table["resolution"] = self.scale.value()
        return table

    def problems(self) -> list[str]:
        """What is missing or wrong, in French (the library's messages); empty when complete."""
        from odl_geo.metadata.inputs import MetadataIncomplete, parse_metadata

        try:
            parse_metadata(self.table(), tr("the Metadata tab"))
        except MetadataIncomplete as exc:
            return [f"{m.key} : {m.message_fr}" for m in exc.missing]
        return []

    def check(self) -> bool:
        problems = self.problems()
        if problems:
            self.result.setText(tr("To complete:") + "\n" + "\n".join(f"• {p}" for p in problems))
        else:
            self.result.setText(tr("Complete: the records will be written with the publication."))
        return not problems

    # -- preview -----------------------------------------------------------------------------------------------
    def preview_data(self, path: Path | None, theme: str | None) -> dict[str, Any]:
        """The record's main elements, built by the library in the worker (``odl-geo metadata PATH --preview``):
        from ``path`` (the publication folder when already converted, else the layer's data file), with the
        theme's INSPIRE theme; without a path, the form alone (what is missing)."""
        import tempfile
        from pathlib import Path as _Path

        from ..worker import OdlGeoWorker

        with tempfile.TemporaryDirectory(prefix="odl-geo-preview-") as tmp:
            toml = self.write(_Path(tmp))
            args = ["metadata", str(path if path is not None else tmp), "--preview", "--metadata", str(toml)]
            if theme:
                args += ["--theme", theme]
            result = OdlGeoWorker().run(args)
        return dict(result.get("preview") or {})

    def show_preview(self, path: Path | None, theme: str | None) -> None:
        """Build the preview (wait cursor: a data file is converted aside) and show it read-only."""
        from qgis.PyQt.QtCore import Qt
        from qgis.PyQt.QtWidgets import QApplication

        from odl_geo.errors import OdlGeoError

        from .dlg_metadata_preview import DlgMetadataPreview

        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            data = self.preview_data(path, theme)
        except OdlGeoError as exc:
            self.result.setText(tr("The preview failed:") + f" {error_text(exc)}".rstrip())
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.preview_dialog = DlgMetadataPreview(data, self)
        self.preview_dialog.open()

    def before_publish(self, folder: Path) -> bool:
        """Write ``folder/metadata.toml`` when the box is ticked and the metadata are complete (False, with the
        French list shown, when they are not: nothing is started). Unticked, a ``metadata.toml`` written by an
        earlier publication is removed, so that no stale record goes out."""
        if not self.enabled.isChecked():
            (folder / "metadata.toml").unlink(missing_ok=True)
            return True
        if not self.check():
            return False
        self.write(folder)
        return True

    def write(self, folder: Path) -> Path:
        """``folder/metadata.toml`` (strings written as JSON strings, which are valid TOML basic strings)."""
        table = self.table()
        lines = [f"{k} = {_toml(v)}" for k, v in table.items() if not isinstance(v, dict)]
        for name in ("producer", "contact"):
            if name in table:
                lines += ["", f"[{name}]", *(f"{k} = {_toml(v)}" for k, v in table[name].items())]
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "metadata.toml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def _licence_key(text: str) -> str | None:
    """lov2 / odbl when the layer's licence text names one of them."""
    low = text.lower()
    if "odbl" in low or "open database" in low:
        return "odbl"
    if "licence ouverte" in low or "open licence" in low or "etalab" in low:
        return "lov2"
    return None


def attach(dialog: Any) -> MetadataWidget:
    """Add the tab to the publication dialog and wire it: its empty fields are filled from the chosen layer when the
    person opens the tab, the button copies the layer's metadata again. The dialog calls
    :meth:`MetadataWidget.before_publish`.

    Not on the layer combo's ``layerChanged``: QGIS emits it while a project's layers are being removed, and reading
    a layer's metadata then crashes QGIS; opening the tab is a person's action, with live layers.
    """
    widget = MetadataWidget(dialog)
    dialog.tabs.addTab(widget, tr("Metadata"))

    def opened(index: int) -> None:
        if not getattr(dialog, "_closed", False) and dialog.tabs.widget(index) is widget:
            widget.fill_from_layer(dialog.layer.currentLayer())

    dialog.tabs.currentChanged.connect(opened)
    widget.btn_fill.clicked.connect(lambda: widget.fill_from_layer(dialog.layer.currentLayer(), overwrite=True))
    widget.btn_preview.clicked.connect(lambda: widget.show_preview(*preview_source(dialog)))
    return widget


def preview_source(dialog: Any) -> tuple[Path | None, str | None]:
    """What the preview is built from, read from the dialog (never changed): the publication folder when a
    publication already converted it, else the chosen layer's data file (a file-based layer), else nothing."""
    from pathlib import Path as _Path

    theme = str(getattr(dialog, "theme_key", "") or "") or None
    out = str(dialog.out_dir.filePath() or "") if hasattr(dialog, "out_dir") else ""
    publication = _Path(out) / "publication" if out else None
    if publication is not None and (publication / "manifest.json").is_file():
        return publication, theme
    layer = dialog.layer.currentLayer()
    source = _Path(layer.source().split("|")[0]) if layer is not None else None
    return (source if source is not None and source.is_file() else None), theme
