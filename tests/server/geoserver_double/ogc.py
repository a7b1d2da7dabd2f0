"""OGC side of the GeoServer REST test double: WMS/WFS answered by a **real QGIS Server** (in-process QgsServer).

For each workspace the double builds a QGIS project from its catalog (enabled layers, the stored GeoPackage
table or the PostGIS table of the store's connection parameters, read by QGIS's ``postgres`` provider, the
layer's default SLD, title/abstract/keywords) and hands every ``/geoserver/{ws}/wms|wfs|ows`` request to
``QgsServer.handleRequest``. QGIS is imported lazily, in this process only (the test process stays QGIS-free).

A GeoPackage replaced in place is served **stale** (the copy of the file the store first connected to) until
the store is reset (``…/datastores/{ds}/reset`` or ``/rest/reset``), as GeoServer may do (contract §6 step 2).

GeoServer-isms reproduced on top of QGIS Server: ``ws:layer`` names accepted in LAYERS/TYPENAME(S), and OGC
exceptions answered with HTTP 200 + XML (contract §6 step 6).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from pathlib import Path

    from .catalog import Catalog

log = logging.getLogger("geoserver_double.ogc")
NAME_PARAMS = {"LAYERS", "LAYER", "QUERY_LAYERS", "TYPENAME", "TYPENAMES"}


class OgcBackend:
    def __init__(self, catalog: Catalog, work_dir: Path) -> None:
        self.catalog = catalog
        self.work_dir = work_dir
        self._app: Any = None
        self._server: Any = None
        self._projects: dict[str, tuple[int, Any, list[Any]]] = {}

    def _start(self) -> None:
        if self._app is not None:
            return
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QGIS_SERVER_LOG_LEVEL", "2")
        from qgis.core import QgsApplication
        from qgis.server import QgsServer

        QgsApplication.setPrefixPath("/usr", True)
        self._app = QgsApplication([], False)
        self._app.initQgis()
        self._server = QgsServer()

    def clear_projects(self) -> None:
        for _version, project, layers in self._projects.values():
            project.removeAllMapLayers()
            layers.clear()
        self._projects.clear()

    def close(self) -> None:
        """Drop Python-owned layers and projects before exitQgis (else a segfault at exit, environment.md §3)."""
        self.clear_projects()
        if self._app is not None:
            self._server = None
            self._app.exitQgis()
            self._app = None

    def _project(self, ws: str, base: str) -> Any:
        cached = self._projects.get(ws)
        if cached and cached[0] == self.catalog.version:
            return cached[1]
        if cached:
            cached[1].removeAllMapLayers()
        from qgis.core import QgsCoordinateReferenceSystem, QgsProject, QgsVectorLayer

        project = QgsProject()
        # QGIS Server caches GetCapabilities by project file name: a rebuilt project needs a name of its own, or
        # a layer published into an existing workspace would stay missing from the capabilities
        project.setFileName(str(self.work_dir / "ogc" / f"{ws}-{self.catalog.version}.qgs"))
        project.setCrs(QgsCoordinateReferenceSystem("EPSG:2154"))
        layers: list[Any] = []
        snaps = self.work_dir / "ogc"
        snaps.mkdir(parents=True, exist_ok=True)
        cat = self.catalog
        for (w, name), lyr in sorted(cat.layers.items()):
            ft = cat.feature_types.get((w, name))
            store = cat.stores.get((w, ft.store)) if ft else None
            if w != ws or not lyr.enabled or ft is None or not ft.enabled or store is None:
                continue
            if store.type == "PostGIS":
                vl = self._postgis_layer(store.params, ft.native_name, name)
            elif store.file is not None and store.served_sha256:
                # the copy the store's connection reads (content-addressed: OGR pools connections by path)
                snap = snaps / f"{store.served_sha256}.gpkg"
                if not snap.exists():
                    shutil.copyfile(store.file, snap)
                vl = QgsVectorLayer(f"{snap}|layername={ft.native_name}", name, "ogr")
            else:
                continue
            if vl is None or not vl.isValid():
                log.warning("layer %s:%s is not valid in QGIS", ws, name)
                continue
            vl.setTitle(ft.title or name)
            vl.setAbstract(ft.abstract)
            vl.setKeywordList(", ".join(ft.keywords))
            _set_metadata_urls(vl, ft.metadata_links)
            style = cat.styles.get(lyr.default_style)
            if style is not None and style.workspace and style.body:
                sld = self.work_dir / "ogc" / f"{style.workspace}__{style.name}.sld"
                sld.write_bytes(style.body)
                msg, ok = vl.loadSldStyle(str(sld))
                if not ok:
                    log.warning("QGIS could not apply SLD %s: %s", style.qualified, msg)
                else:
                    _compare_codes_as_text(vl, style.body)
            project.addMapLayer(vl)
            layers.append(vl)
        ids = [vl.id() for vl in layers]
        project.writeEntry("WMSServiceCapabilities", "/", True)
        project.writeEntry("WMSServiceTitle", "/", f"GeoServer test double: {ws}")
        project.writeEntry("WMSCrsList", "/", ["EPSG:4326", "EPSG:3857", "EPSG:2154"])
        project.writeEntry("WMSUrl", "/", f"{base}/{ws}/wms")
        project.writeEntry("WFSUrl", "/", f"{base}/{ws}/wfs")
        project.writeEntry("WFSLayers", "/", ids)  # required for WFS (environment.md §3)
        for lid in ids:
            project.writeEntry("WFSLayersPrecision", "/" + lid, 7)
        self._projects[ws] = (cat.version, project, layers)
        return project

    def _postgis_layer(self, params: dict[str, str], table: str, name: str) -> Any:
        """The table through QGIS's ``postgres`` provider, with the store's own connection parameters."""
        from qgis.core import QgsDataSourceUri, QgsVectorLayer

        from .postgis import pg_feature_tables

        info = next((t for t in pg_feature_tables(params) if t["table"] == table), None)
        if info is None:
            log.warning("PostGIS table %s is missing", table)
            return None
        uri = QgsDataSourceUri()
        uri.setConnection(params.get("host", "localhost"), str(params.get("port") or 5432),
                          params.get("database", ""), params.get("user", ""), params.get("passwd", ""))  # fmt: skip
        uri.setDataSource(info["schema"], table, info["geometry_column"], "", info["key"])
        uri.setSrid(str(info["srid"]))
        return QgsVectorLayer(uri.uri(False), name, "postgres")

    def handle(self, ws: str, service: str, query: list[tuple[str, str]], base: str) -> tuple[int, str, bytes]:
        """Answer one OGC GET; errors come back as HTTP 200 + XML like GeoServer's OWS (contract §6)."""
        if ws not in self.catalog.workspaces:
            return 404, "text/plain", f"No such workspace: {ws}".encode()
        self._start()
        from qgis.server import QgsBufferServerRequest, QgsBufferServerResponse

        params = []
        for k, v in query:
            if k.upper() in NAME_PARAMS:
                v = ",".join(x.split(":", 1)[1] if x.startswith(f"{ws}:") else x for x in v.split(","))
            params.append((k, v))
        if not any(k.upper() == "SERVICE" for k, _ in params) and service in ("wms", "wfs"):
            params.append(("SERVICE", service.upper()))
        url = f"{base}/{ws}/{service}?{urlencode(params)}"
        request = QgsBufferServerRequest(url)
        response = QgsBufferServerResponse()
        self._server.handleRequest(request, response, self._project(ws, base))
        headers = {str(k).lower(): str(v) for k, v in response.headers().items()}
        ctype = headers.get("content-type", "application/octet-stream")
        status = response.statusCode()
        if status >= 400 and "xml" in ctype:
            status = 200
        return status, ctype, bytes(response.body())


def _set_metadata_urls(layer: Any, links: list[dict[str, str]]) -> None:
    """The feature type's metadataLinks as the layer's MetadataURL in WMS/WFS capabilities, as GeoServer does."""
    from qgis.core import QgsMapLayerServerProperties

    layer.serverProperties().setMetadataUrls(
        [QgsMapLayerServerProperties.MetadataUrl(m["content"], m["metadataType"], m["type"]) for m in links]
    )


_CODE_LITERAL = re.compile(rb"<(?:\w+:)?Literal>\s*(\d+)\s*</")


def _compare_codes_as_text(layer: Any, sld: bytes) -> None:
    """GeoServer compares a filter literal with the attribute's type: ``<ogc:Literal>04</ogc:Literal>`` against a
    text field matches '04'. QGIS 3.22's SLD reader turns it into the number 4, which its OGR provider compiles to
    SQL and matches nothing (pinned by tests/qgis/test_styles.py). Emulate GeoServer: where a rule compares a text
    field with a number written with leading zeros in the SLD, compare with the text again."""
    from qgis.core import QgsRuleBasedRenderer

    renderer = layer.renderer()
    if not isinstance(renderer, QgsRuleBasedRenderer):
        return
    padded = {str(int(t)): t.decode() for t in _CODE_LITERAL.findall(sld) if t != str(int(t)).encode()}
    if not padded:
        return
    text_fields = {f.name() for f in layer.fields() if f.type() == 10}  # QVariant.String

    def fix(m: re.Match[str]) -> str:
        field = m.group(1).strip('"')
        if field in text_fields and m.group(3) in padded:
            return f"{m.group(1)} {m.group(2)} '{padded[m.group(3)]}'"
        return m.group(0)

    for rule in renderer.rootRule().descendants():
        expression = rule.filterExpression()
        if expression:
            rule.setFilterExpression(re.sub(r'("[^"]+"|\b\w+)\s*(=|<>|!=)\s*(\d+)\b', fix, expression))
