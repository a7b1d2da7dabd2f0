"""The record as it will be published, read-only: what ``odl-geo metadata PATH --preview`` (run in the worker)
says of it: title, abstract, identifier, extent (WGS 84 and Lambert-93), INSPIRE theme, licence, links and what is
still missing. Everything shown comes from the library and the person's typing: escaped before it reaches the
rich-text view."""

from __future__ import annotations

from html import escape
from typing import Any

from qgis.PyQt.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from ..toolbelt.i18n import tr, tr_noop

__all__ = ["DlgMetadataPreview", "preview_html"]

_LINKS = {"wms": "WMS", "wfs": "WFS", "download": tr_noop("Download"), "page": tr_noop("Page"),
          "metadata": tr_noop("Record")}  # fmt: skip


def _box(values: list[float] | None, digits: int, unit: str) -> str:
    if not values:
        return "—"
    return escape(", ".join(f"{v:.{digits}f}" for v in values) + f" ({unit})")


def _frequency(key: str) -> str:
    from .wdg_metadata import FREQUENCIES  # the tab's own labels, translated

    return tr(FREQUENCIES[key]) if key in FREQUENCIES else key


def preview_html(data: dict[str, Any]) -> str:
    """The preview as HTML, every value escaped."""
    rows = [
        (tr("Title"), escape(data.get("title") or "—")),
        (tr("Abstract"), escape(data.get("abstract") or "—").replace("\n", "<br>")),
        (tr("Identifier"), escape(data.get("identifier") or "—")
         + (" <i>(" + escape(tr("provisional")) + ")</i>" if data.get("identifier_provisional") else "")),
        (tr("Extent (WGS 84)"), _box(data.get("extent_wgs84"), 5, "°")),
        (tr("Extent (Lambert-93)"), _box(data.get("extent_lambert93"), 0, "m, EPSG:2154")),
        (tr("INSPIRE theme"), escape(data.get("inspire_theme") or "—")),
        (tr("Licence"), escape(data.get("licence") or "—")),
        (tr("Update frequency"), escape(_frequency(str(data.get("frequency") or "")) or "—")),
    ]  # fmt: skip
    if data.get("feature_count") is not None:
        rows.append((tr("Features"), escape(str(data["feature_count"]))))
    html = ["<table cellspacing='4'>"]
    html += [f"<tr><td valign='top'><b>{escape(label)}</b></td><td>{value}</td></tr>" for label, value in rows]
    html.append("</table>")
    links = data.get("links") or []
    html.append(f"<h4>{escape(tr('Links'))} ({len(links)})</h4>")
    if links:
        html.append("<ul>")
        html += [f"<li>{escape(tr(_LINKS.get(lk.get('kind', ''), lk.get('kind', ''))))} : {escape(lk.get('url', ''))}"
                 + (f" — {escape(lk['name'])}" if lk.get("name") else "") + "</li>" for lk in links]  # fmt: skip
        html.append("</ul>")
    else:
        html.append(f"<p>{escape(tr('No link yet: they are added at publication.'))}</p>")
    missing = data.get("missing") or []
    if missing:
        html.append(f"<h4 style='color:#b00'>{escape(tr('To complete'))} ({len(missing)})</h4><ul>")
        html += [f"<li><b>{escape(m.get('key', ''))}</b> : {escape(m.get('message_fr', ''))}</li>" for m in missing]
        html.append("</ul>")
    for w in data.get("warnings") or []:
        html.append(f"<p>⚠ {escape(w)}</p>")
    if data.get("note"):
        html.append(f"<p><i>{escape(data['note'])}</i></p>")
    return "\n".join(html)


class DlgMetadataPreview(QDialog):
    """Read-only view of the record's main elements."""

    def __init__(self, data: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Metadata record preview"))
        self.resize(640, 520)
        layout = QVBoxLayout(self)
        self.view = QTextBrowser(self)
        self.view.setReadOnly(True)
        self.view.setOpenLinks(False)  # shown, never followed from here
        self.view.setHtml(preview_html(data))
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
