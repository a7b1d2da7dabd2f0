"""A publication's results as links (dataset page, output folder, quality report, WMS) and the published WMS layer
added to the map, read back from the server it went to (through QGIS's own WMS client and auth configuration)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any
from urllib.parse import quote

from qgis.core import QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QUrl

from ..toolbelt.i18n import tr

__all__ = ["add_wms_layer", "links_html", "result_links", "wms_base"]


def wms_base(url: str, workspace: str) -> str:
    """The workspace's WMS endpoint from the GeoServer URL the person typed (with or without /rest or /web)."""
    base = url.strip().rstrip("/").removesuffix("/rest").removesuffix("/web")
    return f"{base}/{workspace.strip()}/wms"


def result_links(results: dict[str, dict[str, Any]], out_dir: str, publication: str) -> list[tuple[str, str]]:
    """(label, URL) of what the person may open after a publication, translated labels."""
    links = [(tr("Output folder"), QUrl.fromLocalFile(publication).toString())]
    report = Path(out_dir) / "report" / "report.html"
    if report.is_file():
        links.append((tr("Quality report"), QUrl.fromLocalFile(str(report)).toString()))
    page = str(results.get("odl_geo:publish_datagouv", {}).get("PAGE") or "")
    if page:
        links.append((tr("Dataset page on data.gouv.fr"), page))
    return links


def links_html(links: list[tuple[str, str]]) -> str:
    return " · ".join(f'<a href="{html.escape(url, quote=True)}">{html.escape(label)}</a>' for label, url in links)


def add_wms_layer(url: str, workspace: str, layer: str, title: str, authcfg: str = "") -> QgsRasterLayer | None:
    """The published layer, as the WMS of the server it went to, added to the project (None when QGIS cannot open
    it: the publication stays done, the person is told in the log)."""
    params = {"crs": "EPSG:3857", "format": "image/png", "layers": layer, "styles": "", "url": wms_base(url, workspace)}
    if authcfg:
        params["authcfg"] = authcfg
    uri = "&".join(f"{k}={quote(v, safe=':/')}" if k != "url" else f"{k}={v}" for k, v in params.items())
    wms = QgsRasterLayer(uri, title or layer, "wms")
    if not wms.isValid():
        return None
    QgsProject.instance().addMapLayer(wms)
    return wms
