"""State of the GeoServer REST **test double**: workspaces, stores, feature types, styles, layers.

Shapes follow docs/../shared/specs/geoserver-rest-contract.md (§3-§5). The double keeps everything in memory;
uploaded GeoPackages and SLD bodies are also written under ``data_dir`` like GeoServer's data directory
(``data/{ws}/{ds}/{file}``), so the OGC side can hand them to QGIS Server.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

GLOBAL_STYLES = ("point", "line", "polygon", "generic", "raster")


class RestError(Exception):
    """A REST error the contract defines: status + text/plain message (``misuse`` flags a client mistake)."""

    def __init__(self, status: int, message: str, misuse: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.misuse = misuse


@dataclass
class Workspace:
    name: str
    isolated: bool = False


@dataclass
class Store:
    workspace: str
    name: str
    type: str  # "GeoPackage" | "PostGIS"
    params: dict[str, str] = field(default_factory=dict)
    description: str = ""
    enabled: bool = True
    file: Path | None = None
    sha256: str = ""  # of the stored file (double-only, for assertions)
    # the file the OGC side reads: GeoServer keeps a store's connection (here: the copy of the file as it was
    # first uploaded) until the store is reset, so a file replaced in place is served stale (contract §6 step 2)
    served_sha256: str = ""


@dataclass
class FeatureType:
    workspace: str
    store: str
    name: str
    native_name: str
    title: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    srs: str = "EPSG:4326"
    native_crs: str = "EPSG:4326"
    projection_policy: str = "FORCE_DECLARED"
    native_bbox: dict[str, Any] = field(default_factory=dict)
    latlon_bbox: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    geometry_type: str = ""
    #: ``[{"type", "metadataType", "content"}]`` as GeoServer's MetadataLinkInfo (REST ``metadataLinks``)
    metadata_links: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Style:
    workspace: str | None  # None = global
    name: str
    filename: str
    format: str = "sld"
    version: str = "1.0.0"
    body: bytes | None = None

    @property
    def qualified(self) -> str:
        return f"{self.workspace}:{self.name}" if self.workspace else self.name


@dataclass
class Layer:
    workspace: str
    name: str  # = feature type name
    default_style: tuple[str | None, str] = (None, "generic")  # (workspace or None, style name)
    enabled: bool = True
    attribution: dict[str, Any] = field(default_factory=dict)


def gpkg_feature_tables(path: Path) -> list[dict[str, Any]]:
    """Feature tables of a GeoPackage (``gpkg_contents``, ``data_type='features'``), as GeoServer lists them."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT c.table_name, c.min_x, c.min_y, c.max_x, c.max_y, c.srs_id, g.geometry_type_name "
            "FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
            "WHERE c.data_type = 'features' ORDER BY c.rowid"
        ).fetchall()
    finally:
        con.close()
    return [
        {"table": r[0], "bbox": (r[1], r[2], r[3], r[4]), "srid": r[5], "geometry_type": (r[6] or "").upper()}
        for r in rows
    ]


def default_style_for(geometry_type: str) -> str:
    g = geometry_type.upper()
    if "POINT" in g:
        return "point"
    if "LINE" in g or "CURVE" in g:
        return "line"
    if "POLYGON" in g or "SURFACE" in g:
        return "polygon"
    return "generic"


class Catalog:
    """The double's catalog, with GeoServer's naming rules and reference resolution."""

    def __init__(self, data_dir: Path, geoserver_version: tuple[int, ...] = (2, 26, 2)) -> None:
        self.data_dir = data_dir
        self.geoserver_version = geoserver_version  # switches the version-dependent cases of contract §9
        self.workspaces: dict[str, Workspace] = {}
        self.default_workspace: str | None = None
        self.stores: dict[tuple[str, str], Store] = {}
        self.feature_types: dict[tuple[str, str], FeatureType] = {}  # (ws, name); names unique per namespace
        self.styles: dict[tuple[str | None, str], Style] = {
            (None, n): Style(None, n, f"{n}.sld", body=b"") for n in GLOBAL_STYLES
        }
        self.layers: dict[tuple[str, str], Layer] = {}
        self.version = 0  # bumped on every change; the OGC side rebuilds its projects when it moves

    def changed(self) -> None:
        self.version += 1

    # ---- lookups that raise the contract's 404s
    def workspace(self, ws: str, message: str | None = None) -> Workspace:
        if ws not in self.workspaces:
            raise RestError(404, message or f"No such workspace: '{ws}' found")
        return self.workspaces[ws]

    def store(self, ws: str, ds: str, message: str | None = None) -> Store:
        if (ws, ds) not in self.stores:
            raise RestError(404, message or f"No such datastore: {ws},{ds}")
        return self.stores[(ws, ds)]

    def feature_type(self, ws: str, ds: str | None, name: str) -> FeatureType:
        ft = self.feature_types.get((ws, name))
        if ft is None or (ds is not None and ft.store != ds):
            raise RestError(
                404, f"No such feature type: {ws},{ds},{name}" if ds else f"No such feature type: {ws},{name}"
            )
        return ft

    def style(self, ws: str | None, name: str) -> Style:
        st = self.styles.get((ws, name))
        if st is None:
            raise RestError(404, f"No such style {name} in workspace {ws}" if ws else f"No such style: {name}")
        return st

    def layer(self, ws: str, name: str) -> Layer:
        if (ws, name) not in self.layers:
            raise RestError(404, f"No such layer: {ws}:{name}")
        return self.layers[(ws, name)]

    def resolve_style(self, ref: dict[str, Any]) -> Style:
        """ReferenceConverter + ResolvingProxy (J13/J14/J12): ``ws:st``, ``{name, workspace}``, or a bare name."""
        name = str(ref.get("name", ""))
        ws = ref.get("workspace")
        if isinstance(ws, dict):
            ws = ws.get("name")
        if ":" in name:
            ws, name = name.split(":", 1)
        if ws:
            st = self.styles.get((str(ws), name))
        else:  # bare name: default workspace, then global, then the first of any workspace (ambiguous)
            st = self.styles.get((self.default_workspace, name)) if self.default_workspace else None
            st = st or self.styles.get((None, name))
            st = st or next((s for (w, n), s in self.styles.items() if n == name), None)
        if st is None:
            raise RestError(500, f"Unable to resolve style reference {ref}", misuse="unknown style reference")
        return st

    # ---- mutations with GeoServer's rules
    def add_workspace(self, name: str, isolated: bool = False) -> Workspace:
        ws = Workspace(name, isolated)
        self.workspaces[name] = ws
        if self.default_workspace is None:  # J12 add(WorkspaceInfo): first one becomes the default
            self.default_workspace = name
        self.changed()
        return ws

    def unique_ft_name(self, ws: str, wanted: str) -> str:
        """J4: a new type whose name is used in the namespace by another store becomes name1, name2..."""
        name, n = wanted, 0
        while (ws, name) in self.feature_types:
            n += 1
            name = f"{wanted}{n}"
        return name

    def add_feature_type(self, ft: FeatureType) -> None:
        self.feature_types[(ft.workspace, ft.name)] = ft
        self.layers[(ft.workspace, ft.name)] = Layer(ft.workspace, ft.name, (None, default_style_for(ft.geometry_type)))
        self.changed()

    def rename_feature_type(self, ws: str, old: str, new: str) -> None:
        """FT4/L2 with another ``name`` in the body: GeoServer renames silently (CatalogBuilder.updateFeatureType,
        a layer's name being its resource's); the layer follows its feature type."""
        if (ws, new) in self.feature_types:
            raise RestError(500, f"Resource named '{new}' already exists in namespace: '{ws}'", misuse="rename by PUT")
        ft = self.feature_types.pop((ws, old))
        ft.name = new
        self.feature_types[(ws, new)] = ft
        if (ws, old) in self.layers:
            lyr = self.layers.pop((ws, old))
            lyr.name = new
            self.layers[(ws, new)] = lyr
        self.changed()

    def tables_of(self, store: Store) -> list[dict[str, Any]]:
        if store.type == "PostGIS":
            from .postgis import pg_feature_tables

            return pg_feature_tables(store.params)
        if store.file is None or not store.file.exists():
            return []
        return gpkg_feature_tables(store.file)

    def reset_store(self, store: Store) -> None:
        """``…/datastores/{ds}/reset`` or ``/rest/reset``: connections dropped, the current file is read again."""
        store.served_sha256 = store.sha256
        self.changed()

    def configured_in(self, store: Store) -> list[FeatureType]:
        return [ft for ft in self.feature_types.values() if ft.workspace == store.workspace and ft.store == store.name]

    def delete_workspace_content(self, ws: str) -> None:
        """CascadeDeleteVisitor (recurse=true): stores, feature types, layers, workspace styles, namespace."""
        for key in [k for k in self.layers if k[0] == ws]:
            del self.layers[key]
        for key in [k for k in self.feature_types if k[0] == ws]:
            del self.feature_types[key]
        for key in [k for k in self.stores if k[0] == ws]:
            del self.stores[key]
        for key in [k for k in self.styles if k[0] == ws]:
            del self.styles[key]
        self.changed()

    def snapshot(self) -> dict[str, Any]:
        """Everything, as plain JSON, for test assertions (``GET /__double__/state``)."""
        return {
            "default_workspace": self.default_workspace,
            "workspaces": sorted(self.workspaces),
            "stores": {
                f"{s.workspace}:{s.name}": {
                    "type": s.type,
                    "description": s.description,
                    "file": s.file.name if s.file else None,
                    "sha256": s.sha256,
                    "stale": s.served_sha256 != s.sha256,
                    "params": {k: ("***" if k == "passwd" else v) for k, v in s.params.items()},
                }
                for s in self.stores.values()
            },
            "feature_types": {
                f"{f.workspace}:{f.name}": {
                    "store": f.store,
                    "native_name": f.native_name,
                    "title": f.title,
                    "abstract": f.abstract,
                    "keywords": f.keywords,
                    "srs": f.srs,
                    "enabled": f.enabled,
                }
                for f in self.feature_types.values()
            },
            "styles": {
                s.qualified: {
                    "version": s.version,
                    "filename": s.filename,
                    "has_body": bool(s.body),
                    "sha256": hashlib.sha256(s.body or b"").hexdigest(),
                }
                for s in self.styles.values()
                if s.workspace
            },
            "layers": {
                f"{lyr.workspace}:{lyr.name}": {
                    "default_style": f"{lyr.default_style[0]}:{lyr.default_style[1]}"
                    if lyr.default_style[0]
                    else lyr.default_style[1],
                    "attribution": lyr.attribution,
                    "enabled": lyr.enabled,
                }
                for lyr in self.layers.values()
            },
        }
