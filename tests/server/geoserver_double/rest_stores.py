"""GeoServer REST test double: about, workspaces, namespaces, datastores and the file upload (contract §2-§4)."""

from __future__ import annotations

import io
import shutil
import zipfile
from hashlib import sha256
from typing import TYPE_CHECKING, Any

from .catalog import FeatureType, RestError, Store
from .formats import ZIP_TYPES, Req, Resp, created, dict_to_entries, entries_to_dict, parse_catalog_body
from .formats import render as _render
from .formats import text as _text

if TYPE_CHECKING:
    from .catalog import Catalog

UPLOAD_FORMATS = {"gpkg", "shp", "properties", "h2", "spatialite", "appschema"}


def about_version(cat: Catalog, req: Req) -> Resp:
    version = ".".join(map(str, cat.geoserver_version))
    return _render(
        req,
        {
            "about": {
                "resource": [
                    {
                        "@name": "GeoServer",
                        "Build-Timestamp": "25-Nov-2026 10:00",
                        "Version": version,
                        "Git-Revision": "test-double",
                    },
                    {"@name": "GeoTools", "Version": "32.2"},
                    {"@name": "GeoWebCache", "Version": "1.26.2"},
                ]
            }
        },
    )


# ---------------------------------------------------------------- workspaces (W1-W5)
def ws_json(cat: Catalog, req: Req, name: str) -> dict[str, Any]:
    ws = cat.workspaces[name]
    base = f"{req.base}/rest/workspaces/{name}"
    return {
        "name": name,
        "isolated": ws.isolated,
        "dataStores": f"{base}/datastores.json",
        "coverageStores": f"{base}/coveragestores.json",
        "wmsStores": f"{base}/wmsstores.json",
        "wmtsStores": f"{base}/wmtsstores.json",
    }


def listing(root: str, item: str, entries: list[dict[str, str]]) -> dict[str, Any]:
    """Lists: ``{"workspaces":{"workspace":[...]}}`` or ``{"workspaces":""}`` when empty (§1)."""
    return {root: {item: entries} if entries else ""}


def workspaces_get(cat: Catalog, req: Req) -> Resp:
    items = [{"name": n, "href": f"{req.base}/rest/workspaces/{n}.json"} for n in cat.workspaces]
    return _render(req, listing("workspaces", "workspace", items))


def workspaces_post(cat: Catalog, req: Req) -> Resp:
    body = parse_catalog_body(req, "workspace")
    name = str(body.get("name") or "")
    if not name or name == "default":  # getWorkspaceByName(null|"default") resolves to the default workspace
        if cat.default_workspace:
            return _text(409, f"Workspace '{cat.default_workspace}' already exists", misuse="workspace without name")
        raise RestError(500, "Workspace name must not be null", misuse="workspace without name")
    if name in cat.workspaces:
        if cat.geoserver_version < (2, 19):  # before GEOS-10007 (geoserver/geoserver#4933): 401, not 409
            return _text(401, f"Workspace '{name}' already exists", misuse="duplicate workspace POST")
        return _text(409, f"Workspace '{name}' already exists", misuse="duplicate workspace POST")
    cat.add_workspace(name, str(body.get("isolated", "false")).lower() == "true")
    return created(name, f"{req.base}/rest/workspaces/{name}")


def workspace_get(cat: Catalog, req: Req, ws: str) -> Resp:
    if ws not in cat.workspaces:
        return Resp(404) if req.flag("quietOnNotFound") else _text(404, f"No such workspace: '{ws}' found")
    return _render(req, {"workspace": ws_json(cat, req, ws)})


def workspace_put(cat: Catalog, req: Req, ws: str) -> Resp:
    if ws not in cat.workspaces:
        raise RestError(404, f"Can't change a non existant workspace ({ws})")
    body = parse_catalog_body(req, "workspace")
    if "name" in body and not body["name"]:
        raise RestError(403, "The workspace name cannot be empty")
    if body.get("name") and body["name"] != ws:
        raise RestError(500, "workspace rename is undefined in the contract (W4)", misuse="rename by PUT")
    if "isolated" in body:
        cat.workspaces[ws].isolated = str(body["isolated"]).lower() == "true"
        cat.changed()
    return Resp(200)


def workspace_delete(cat: Catalog, req: Req, ws: str) -> Resp:
    if ws not in cat.workspaces:
        raise RestError(404, f"Workspace '{ws}' not found")
    has_stores = any(k[0] == ws for k in cat.stores)
    if has_stores and not req.flag("recurse"):
        raise RestError(403, "Workspace not empty")
    cat.delete_workspace_content(ws)
    del cat.workspaces[ws]
    if cat.default_workspace == ws:
        cat.default_workspace = next(iter(cat.workspaces), None)
    return Resp(200, misuse="workspace deleted" if has_stores else "")


def namespace_get(cat: Catalog, req: Req, ws: str) -> Resp:
    if ws not in cat.workspaces:
        raise RestError(404, f"No such namespace: '{ws}' found")
    return _render(req, {"namespace": {"prefix": ws, "uri": f"http://{ws}", "isolated": False}})


# ---------------------------------------------------------------- datastores (DS1-DS5)
def store_json(req: Req, s: Store) -> dict[str, Any]:
    base = f"{req.base}/rest/workspaces/{s.workspace}"
    # GeoServer answers passwords encrypted (its keystore's "crypt1:" prefix), never as sent
    params = {k: (f"crypt1:{sha256(v.encode()).hexdigest()[:24]}" if k == "passwd" else v) for k, v in s.params.items()}
    return {
        "dataStore": {
            "name": s.name,
            "description": s.description,
            "type": s.type,
            "enabled": s.enabled,
            "workspace": {"name": s.workspace, "href": f"{base}.json"},
            "connectionParameters": dict_to_entries(params),
            "_default": False,
            "featureTypes": f"{base}/datastores/{s.name}/featuretypes.json",
        }
    }


def stores_get(cat: Catalog, req: Req, ws: str) -> Resp:
    cat.workspace(ws, f"No such workspace : {ws}")
    items = [
        {"name": n, "href": f"{req.base}/rest/workspaces/{ws}/datastores/{n}.json"} for (w, n) in cat.stores if w == ws
    ]
    return _render(req, listing("dataStores", "dataStore", items))


def store_get(cat: Catalog, req: Req, ws: str, ds: str) -> Resp:
    if (ws, ds) not in cat.stores:
        return Resp(404) if req.flag("quietOnNotFound") else _text(404, f"No such datastore: {ws},{ds}")
    return _render(req, store_json(req, cat.stores[(ws, ds)]))


def stores_post(cat: Catalog, req: Req, ws: str) -> Resp:
    body = parse_catalog_body(req, "dataStore")
    if ws not in cat.workspaces:
        raise RestError(500, "Store must be part of a workspace", misuse="store POST without workspace")
    other = body.get("workspace", {})
    other = other.get("name") if isinstance(other, dict) else other
    if other and other != ws:
        raise RestError(403, f"Expected workspace {ws} but client specified {other}")
    name = str(body.get("name") or "")
    if (ws, name) in cat.stores:
        raise RestError(500, f"Store '{name}' already exists in workspace '{ws}'", misuse="duplicate store POST")
    params = entries_to_dict(body.get("connectionParameters"))
    params.setdefault("namespace", f"http://{ws}")
    kind = {"postgis": "PostGIS", "geopkg": "GeoPackage"}.get(params.get("dbtype", ""), params.get("dbtype", ""))
    cat.stores[(ws, name)] = Store(ws, name, kind, params, str(body.get("description") or ""))
    cat.changed()
    return created(name, f"{req.base}/rest/workspaces/{ws}/datastores/{name}")


def store_put(cat: Catalog, req: Req, ws: str, ds: str) -> Resp:
    s = cat.store(ws, ds)
    body = parse_catalog_body(req, "dataStore")
    if body.get("name") and body["name"] != ds:
        raise RestError(403, "can not change name of a datastore", misuse="rename by PUT")
    other = body.get("workspace", {})
    other = other.get("name") if isinstance(other, dict) else other
    if other and other != ws:
        raise RestError(403, "can not change the workspace of a datastore")
    if "description" in body:  # PUT merges onto a copy of the existing object (J13)
        s.description = str(body["description"] or "")
    if "enabled" in body:
        s.enabled = str(body["enabled"]).lower() == "true"
    if "connectionParameters" in body:
        s.params = entries_to_dict(body["connectionParameters"])
    cat.changed()
    return Resp(200)


def store_reset(cat: Catalog, req: Req, ws: str, ds: str) -> Resp:
    """``PUT|POST …/datastores/{ds}/reset`` (GeoServer's DataStoreController): drops that store's cached
    connection, so that a replaced file is read again; 404 when the store is missing."""
    cat.reset_store(cat.store(ws, ds))
    return Resp(200)


def store_delete(cat: Catalog, req: Req, ws: str, ds: str) -> Resp:
    s = cat.store(ws, ds)
    fts = cat.configured_in(s)
    if fts and not req.flag("recurse"):
        raise RestError(403, "Unable to delete non-empty store.")
    for ft in fts:
        cat.layers.pop((ws, ft.name), None)
        cat.feature_types.pop((ws, ft.name), None)
    del cat.stores[(ws, ds)]  # the data itself stays on disk (contract DS5)
    cat.changed()
    return Resp(200, misuse="store deleted")


# ---------------------------------------------------------------- file upload (DS6)
def store_upload(cat: Catalog, req: Req, ws: str, ds: str, method: str, fmt: str) -> Resp:
    if method != "file":
        raise RestError(501, f"upload method '{method}' is not emulated by the test double", misuse="not emulated")
    if fmt not in UPLOAD_FORMATS:
        raise RestError(400, f"Unsupported format: {fmt}")
    if fmt != "gpkg":
        raise RestError(501, f"upload format '{fmt}' is not emulated by the test double", misuse="not emulated")
    if ws not in cat.workspaces:
        raise RestError(
            500,
            'Cannot invoke "NamespaceInfo.getURI()" because "namespace" is null',
            misuse="upload into a missing workspace",
        )
    configure = req.query.get("configure", "first").lower()
    filename = req.query.get("filename") or f"{ds}.{fmt}"
    data = req.body
    if req.content_type in ZIP_TYPES:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                member = next((n for n in zf.namelist() if n.lower().endswith(".gpkg")), None)
                if member is None:
                    raise RestError(400, "Could not find appropriate gpkg file in archive")
                data = zf.read(member)
        except zipfile.BadZipFile:
            raise RestError(400, "Could not find appropriate gpkg file in archive") from None
    folder = cat.data_dir / "data" / ws / ds
    if folder.exists():  # cleanPreviousContents for PUT (J5/J6)
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    path = folder / filename
    path.write_bytes(data)
    try:
        tables = cat.tables_of(Store(ws, ds, "GeoPackage", file=path))
    except Exception as exc:  # noqa: BLE001 - GeoServer: anything during configure -> 500
        raise RestError(500, f"Unable to configure datastore, bad parameters. ({exc})") from None
    store = cat.stores.get((ws, ds))
    params = {"dbtype": "geopkg", "database": f"file:data/{ws}/{ds}/{filename}", "namespace": f"http://{ws}"}
    if store is None:
        store = Store(ws, ds, "GeoPackage", params)
        cat.stores[(ws, ds)] = store
    else:
        store.params.update(params)
    store.file, store.sha256 = path, sha256(data).hexdigest()
    snapshot = cat.data_dir / "ogc" / f"{store.sha256}.gpkg"  # what an open connection keeps reading (stale)
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    if not snapshot.exists():
        shutil.copyfile(path, snapshot)
    if not store.served_sha256:  # a new store connects to its first file; a replaced one keeps the old one
        store.served_sha256 = store.sha256
    cat.changed()
    if configure == "none":
        return Resp(201)
    touched = 0
    existing = {ft.native_name: ft for ft in cat.configured_in(store)}
    for t in tables[:1] if configure == "first" else tables:
        ft = existing.get(t["table"])
        if ft is not None:  # matched by native name: bounds refreshed, not duplicated
            ft.native_bbox = bbox_json(t["bbox"], ft.native_crs)
        else:
            name = cat.unique_ft_name(ws, t["table"])
            crs = f"EPSG:{t['srid']}" if t["srid"] and t["srid"] > 0 else "EPSG:4326"
            cat.add_feature_type(
                FeatureType(
                    ws,
                    ds,
                    name,
                    t["table"],
                    title=name,
                    srs=crs,
                    native_crs=crs,
                    native_bbox=bbox_json(t["bbox"], crs),
                    geometry_type=t["geometry_type"],
                )
            )
        touched += 1
    return Resp(201 if touched else 202)


def bbox_json(b: tuple[Any, ...] | list[Any], crs: str) -> dict[str, Any]:
    keys = ("minx", "miny", "maxx", "maxy")
    return {**{k: (float(v) if v is not None else 0.0) for k, v in zip(keys, b, strict=False)}, "crs": crs}
