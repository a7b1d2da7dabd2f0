"""GeoServer REST test double: feature types, styles and layers (contract §5)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from .catalog import FeatureType, RestError, Style
from .formats import SE11, SLD10, Req, Resp, as_list, created, parse_catalog_body, render
from .rest_stores import bbox_json, listing

if TYPE_CHECKING:
    from .catalog import Catalog


# ---------------------------------------------------------------- feature types (FT1-FT5)
def ft_json(req: Req, ft: FeatureType) -> dict[str, Any]:
    ws = ft.workspace
    return {
        "featureType": {
            "name": ft.name,
            "nativeName": ft.native_name,
            "namespace": {"name": ws, "href": f"{req.base}/rest/namespaces/{ws}.json"},
            "title": ft.title,
            "abstract": ft.abstract,
            "keywords": {"string": list(ft.keywords)} if ft.keywords else "",
            # GeoServer writes the collection as a list, even of one link (its docs' featureType example)
            "metadataLinks": {"metadataLink": [dict(m) for m in ft.metadata_links]} if ft.metadata_links else "",
            "nativeCRS": ft.native_crs,
            "srs": ft.srs,
            "nativeBoundingBox": ft.native_bbox,
            "latLonBoundingBox": ft.latlon_bbox,
            "projectionPolicy": ft.projection_policy,
            "enabled": ft.enabled,
            "store": {
                "@class": "dataStore",
                "name": f"{ws}:{ft.store}",
                "href": f"{req.base}/rest/workspaces/{ws}/datastores/{ft.store}.json",
            },
        }
    }


def fts_get(cat: Catalog, req: Req, ws: str, ds: str | None) -> Resp:
    if ds is not None:
        store = cat.store(ws, ds, f"No such data store: {ws},{ds}")
        configured = cat.configured_in(store)
    else:
        cat.workspace(ws)
        store = None
        configured = [ft for ft in cat.feature_types.values() if ft.workspace == ws]
    kind = req.query.get("list", "configured").lower()
    if kind == "configured":
        prefix = f"{req.base}/rest/workspaces/{ws}" + (f"/datastores/{ds}" if ds else "")
        items = [{"name": f.name, "href": f"{prefix}/featuretypes/{f.name}.json"} for f in configured]
        return render(req, listing("featureTypes", "featureType", items))
    native = {f.native_name for f in configured}
    tables = [t["table"] for t in cat.tables_of(store)] if store else []
    if kind in ("available", "available_with_geom"):
        names = [t for t in tables if t not in native]
    elif kind == "all":
        names = tables
    else:
        raise RestError(400, f"Unknown list type: {kind}")
    return render(req, {"list": {"string": names} if names else ""})


def ft_get(cat: Catalog, req: Req, ws: str, ds: str | None, name: str) -> Resp:
    try:
        ft = cat.feature_type(ws, ds, name)
    except RestError:
        if req.flag("quietOnNotFound"):
            return Resp(404)
        raise
    return render(req, ft_json(req, ft))


def _apply_ft(ft: FeatureType, body: dict[str, Any]) -> None:
    for key, attr in (
        ("title", "title"),
        ("abstract", "abstract"),
        ("srs", "srs"),
        ("projectionPolicy", "projection_policy"),
    ):
        if key in body:
            setattr(ft, attr, str(body[key] or ""))
    if "keywords" in body:
        kw = body["keywords"]
        ft.keywords = [str(k) for k in as_list(kw.get("string") if isinstance(kw, dict) else kw)]
    if "metadataLinks" in body:  # replaces the list, as GeoServer's PUT does (an empty value clears it)
        links = body["metadataLinks"]
        items = as_list(links.get("metadataLink") if isinstance(links, dict) else None)
        bad = [m for m in items if not isinstance(m, dict) or not m.get("content")]
        if bad:
            raise RestError(400, f"metadataLink without content: {bad!r}")
        ft.metadata_links = [
            {"type": str(m.get("type") or ""), "metadataType": str(m.get("metadataType") or ""),
             "content": str(m["content"])}
            for m in items
        ]  # fmt: skip
    if "enabled" in body:
        ft.enabled = str(body["enabled"]).lower() == "true"
    if isinstance(body.get("nativeBoundingBox"), dict):
        ft.native_bbox = dict(body["nativeBoundingBox"])
    if isinstance(body.get("latLonBoundingBox"), dict):
        ft.latlon_bbox = dict(body["latLonBoundingBox"])


def fts_post(cat: Catalog, req: Req, ws: str, ds: str) -> Resp:
    store = cat.store(ws, ds, f"No such data store: {ws},{ds}")
    body = parse_catalog_body(req, "featureType")
    name = str(body.get("name") or body.get("nativeName") or "")
    native = str(body.get("nativeName") or name)
    other = body.get("store")
    if isinstance(other, dict) and other.get("name") and other["name"].split(":")[-1] != ds:
        raise RestError(403, f"Expected datastore {ds} but client specified {other['name']}")
    if (ws, name) in cat.feature_types:
        where = f"store: '{ds}'" if cat.feature_types[(ws, name)].store == ds else f"namespace: '{ws}'"
        raise RestError(500, f"Resource named '{name}' already exists in {where}", misuse="duplicate feature type POST")
    try:
        tables = cat.tables_of(store)
    except Exception as exc:  # noqa: BLE001 - GeoServer: the store cannot connect -> 500 with the reason
        raise RestError(500, f"Error occurred connecting to the data store: {exc}") from None
    table = next((t for t in tables if t["table"] == native), None)
    if table is None:
        if not body.get("attributes"):
            raise RestError(400, "Trying to create new feature type inside the store, but no attributes were specified")
        raise RestError(501, "createSchema (new table) is not emulated by the test double", misuse="not emulated")
    crs = f"EPSG:{table['srid']}" if table["srid"] and table["srid"] > 0 else "EPSG:4326"
    ft = FeatureType(
        ws,
        ds,
        name,
        native,
        title=name,
        srs=crs,
        native_crs=crs,
        native_bbox=bbox_json(table["bbox"], crs),
        geometry_type=table["geometry_type"],
    )
    _apply_ft(ft, body)
    cat.add_feature_type(ft)
    return created(name, f"{req.base}/rest/workspaces/{ws}/datastores/{ds}/featuretypes/{name}", body=False)


def ft_put(cat: Catalog, req: Req, ws: str, ds: str | None, name: str) -> Resp:
    ft = cat.feature_type(ws, ds, name)
    body = parse_catalog_body(req, "featureType")
    _apply_ft(ft, body)
    cat.changed()
    if body.get("name") and body["name"] != name:  # FT4: renames (J7), 200; contract §7.3 calls it a misuse
        cat.rename_feature_type(ws, name, str(body["name"]))
        return Resp(200, misuse="rename by PUT")
    return Resp(200)


def ft_delete(cat: Catalog, req: Req, ws: str, ds: str | None, name: str) -> Resp:
    ft = cat.feature_type(ws, ds, name)
    if (ws, name) in cat.layers and not req.flag("recurse"):
        raise RestError(403, "feature type referenced by layer(s)")
    cat.layers.pop((ws, name), None)
    del cat.feature_types[(ws, ft.name)]
    cat.changed()
    return Resp(200, misuse="feature type deleted")


# ---------------------------------------------------------------- styles (ST1-ST6)
def _ws_or_404(cat: Catalog, ws: str | None) -> None:
    if ws is not None and ws not in cat.workspaces:
        raise RestError(404, f"Workspace {ws} not found")


def styles_get(cat: Catalog, req: Req, ws: str | None) -> Resp:
    _ws_or_404(cat, ws)
    prefix = f"{req.base}/rest" + (f"/workspaces/{ws}" if ws else "")
    items = [{"name": n, "href": f"{prefix}/styles/{n}.json"} for (w, n) in cat.styles if w == ws]
    return render(req, listing("styles", "style", items))


def style_get(cat: Catalog, req: Req, ws: str | None, name: str) -> Resp:
    _ws_or_404(cat, ws)
    st = cat.style(ws, name)
    accept = req.headers.get("accept", "")
    if req.suffix == "sld" or (not req.suffix and (SLD10 in accept or SE11 in accept)):
        if not st.body:
            raise RestError(500, f"No style body for {name}", misuse="style body read before upload")
        if not req.suffix and SE11 in accept and st.version == "1.1.0":
            return Resp(200, st.body, SE11)  # the SE bytes: only without suffix, with the SE Accept (ST3)
        # .sld (or the SLD Accept) always answers SLD 1.0: an SE 1.1 style is converted ("force SLD to v10")
        return Resp(200, se_to_sld10(st.body) if st.version == "1.1.0" else st.body, SLD10)
    if not req.suffix and not accept.strip("*/ ") and not st.body:
        raise RestError(500, "", misuse="suffix-less style GET without Accept")  # C2 l.590
    info: dict[str, Any] = {
        "name": st.name,
        "format": st.format,
        "languageVersion": {"version": st.version},
        "filename": st.filename,
    }
    if ws:
        info["workspace"] = {"name": ws}
    return render(req, {"style": info})


def styles_post(cat: Catalog, req: Req, ws: str | None) -> Resp:
    _ws_or_404(cat, ws)
    ctype = req.content_type
    if ctype in (SLD10, SE11):  # ST4(b): one step, SLD as body
        body = _parse_style(req, ctype)
        # J8: without ?name= the name of the SLD's first style is used, else a generated one
        name = req.query.get("name") or sld_style_name(body) or f"style-{abs(hash(req.body)) % 10_000_000:07d}"
        if (ws, name) in cat.styles:
            raise RestError(403, f"Style {name} already exists.", misuse="duplicate style POST")
        cat.styles[(ws, name)] = Style(
            ws, name, f"{name}.sld", version="1.1.0" if ctype == SE11 else "1.0.0", body=body
        )
        cat.changed()
        prefix = f"{req.base}/rest" + (f"/workspaces/{ws}" if ws else "")
        return created(name, f"{prefix}/styles/{name}")
    if ctype not in ("application/json", "text/json", "application/xml", "text/xml"):
        raise RestError(500, f"No such style handler: format = {ctype}", misuse="unknown style content type")
    info = parse_catalog_body(req, "style")  # ST4(a): info first
    name, filename = str(info.get("name") or ""), str(info.get("filename") or "")
    if (ws, name) in cat.styles:
        raise RestError(500, f"Style named '{name}' already exists in workspace {ws}", misuse="duplicate style POST")
    if not filename:
        raise RestError(500, "Style file name must not be null", misuse="style info without filename")
    cat.styles[(ws, name)] = Style(ws, name, filename)
    cat.changed()
    return created(name)


def _parse_style(req: Req, ctype: str) -> bytes:
    """ST5: parse; SLD 1.0 is re-encoded (pretty-printed), SE 1.1 bytes are kept; ``raw=true`` keeps anything."""
    if req.flag("raw"):
        return req.body
    try:
        root = etree.fromstring(req.body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise RestError(400, f"Invalid style:{exc}") from None
    if etree.QName(root).localname != "StyledLayerDescriptor":
        raise RestError(400, "Invalid style:root element is not StyledLayerDescriptor")
    if ctype == SE11:
        return req.body
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def style_put(cat: Catalog, req: Req, ws: str | None, name: str) -> Resp:
    _ws_or_404(cat, ws)
    ctype = req.content_type
    st = cat.styles.get((ws, name))
    if ctype in ("application/json", "text/json", "application/xml", "text/xml"):
        st = cat.style(ws, name)
        info = parse_catalog_body(req, "style")
        if info.get("name") and info["name"] != name:
            raise RestError(500, "style rename by PUT", misuse="rename by PUT")
        if info.get("filename"):
            st.filename = str(info["filename"])
        cat.changed()
        return Resp(200)
    if ctype not in (SLD10, SE11):
        raise RestError(400, f"Unsupported style format: {ctype}", misuse="unknown style content type")
    if st is None:  # no 404 check in J8
        if req.flag("raw"):
            raise RestError(500, "", misuse="style content before style info")
        raise RestError(400, "Invalid style:java.lang.NullPointerException", misuse="style content before style info")
    st.body = _parse_style(req, ctype)
    st.version = "1.1.0" if ctype == SE11 else "1.0.0"
    cat.changed()
    # without charset GeoServer decodes with the JVM default charset: accents may break
    return Resp(200, misuse="" if req.charset else "style upload without charset=UTF-8")


def style_delete(cat: Catalog, req: Req, ws: str | None, name: str) -> Resp:
    _ws_or_404(cat, ws)
    if (ws, name) not in cat.styles:
        raise RestError(404, f"Style {name} not found")
    used = any(lyr.default_style == (ws, name) for lyr in cat.layers.values())
    if used and not req.flag("recurse"):
        raise RestError(403, "Can't delete style referenced by existing layers.")
    for lyr in cat.layers.values():
        if lyr.default_style == (ws, name):
            lyr.default_style = (None, "generic")
    del cat.styles[(ws, name)]
    cat.changed()
    return Resp(200, misuse="style deleted")


# ---------------------------------------------------------------- layers (L1-L3)
def layer_json(cat: Catalog, req: Req, ws: str, name: str) -> dict[str, Any]:
    lyr = cat.layer(ws, name)
    sws, sname = lyr.default_style
    if sws:
        ds: dict[str, Any] = {
            "name": f"{sws}:{sname}",
            "workspace": sws,
            "href": f"{req.base}/rest/workspaces/{sws}/styles/{sname}.json",
        }
    else:
        ds = {"name": sname, "href": f"{req.base}/rest/styles/{sname}.json"}
    ft = cat.feature_types[(ws, name)]
    out: dict[str, Any] = {
        "name": name,
        "type": "VECTOR",
        "defaultStyle": ds,
        "resource": {
            "@class": "featureType",
            "name": f"{ws}:{name}",
            "href": f"{req.base}/rest/workspaces/{ws}/datastores/{ft.store}/featuretypes/{name}.json",
        },
        "enabled": lyr.enabled,
    }
    if lyr.attribution:
        out["attribution"] = lyr.attribution
    return {"layer": out}


def layer_get(cat: Catalog, req: Req, ws: str, name: str) -> Resp:
    if (ws, name) not in cat.layers and req.flag("quietOnNotFound"):
        return Resp(404)
    return render(req, layer_json(cat, req, ws, name))


def layers_get(cat: Catalog, req: Req, ws: str | None) -> Resp:
    items = [
        {"name": f"{w}:{n}", "href": f"{req.base}/rest/layers/{w}:{n}.json"}
        for (w, n) in cat.layers
        if ws is None or w == ws
    ]
    return render(req, listing("layers", "layer", items))


def layer_put(cat: Catalog, req: Req, ws: str, name: str) -> Resp:
    body = parse_catalog_body(req, "layer")
    if (ws, name) not in cat.layers:  # J9: no 404 check, NPE on original.getResource()
        raise RestError(500, "", misuse="layer PUT without a layer (GET it first)")
    lyr = cat.layers[(ws, name)]
    if isinstance(body.get("defaultStyle"), dict):
        st = cat.resolve_style(body["defaultStyle"])
        lyr.default_style = (st.workspace, st.name)
    if isinstance(body.get("attribution"), dict):
        lyr.attribution = dict(body["attribution"])
    if "enabled" in body:
        lyr.enabled = str(body["enabled"]).lower() == "true"
    cat.changed()
    if body.get("name") and body["name"] != name:  # a layer's name is its resource's: renamed too (J9), 200
        cat.rename_feature_type(ws, name, str(body["name"]))
        return Resp(200, misuse="rename by PUT")
    return Resp(200)


def layer_delete(cat: Catalog, req: Req, ws: str, name: str) -> Resp:
    cat.layer(ws, name)
    del cat.layers[(ws, name)]
    cat.changed()
    return Resp(200, misuse="layer deleted")


# ---------------------------------------------------------------- SLD helpers
SE_NS = "http://www.opengis.net/se"
SLD_NS = "http://www.opengis.net/sld"


def sld_style_name(body: bytes) -> str:
    """Name of the first style of an SLD (``UserStyle/Name``, SLD 1.0 or SE 1.1), as J8's ``findNameFromObject``."""
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return ""
    for style in root.iter(f"{{{SLD_NS}}}UserStyle", "UserStyle"):
        for child in style:
            if etree.QName(child).localname == "Name" and (child.text or "").strip():
                return child.text.strip()
        break
    return ""


def se_to_sld10(body: bytes) -> bytes:
    """SE 1.1 -> SLD 1.0 for ``.sld`` reads (GeoServer re-encodes the parsed style; here the elements are moved
    to the SLD 1.0 namespace, ``SvgParameter`` becomes ``CssParameter``, ``Description/Title|Abstract`` become
    ``Title``/``Abstract``): enough for clients that read names, rules and filters back."""
    root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        q = etree.QName(el)
        if q.namespace == SE_NS:
            local = "CssParameter" if q.localname == "SvgParameter" else q.localname
            el.tag = f"{{{SLD_NS}}}{local}"
    for desc in list(root.iter(f"{{{SLD_NS}}}Description")):
        parent = desc.getparent()
        index = parent.index(desc)
        for child in list(desc):
            parent.insert(index, child)
            index += 1
        parent.remove(desc)
    root.set("version", "1.0.0")
    for attr in [a for a in root.attrib if a.endswith("schemaLocation")]:
        del root.attrib[attr]
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
