"""Request/response plumbing of the GeoServer REST test double: content negotiation and XStream-like bodies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree as ET

from .catalog import RestError

#: consumes lists of the catalog controllers (J2/J3/J7/J8/J9)
CATALOG_TYPES = ("application/json", "text/json", "application/xml", "text/xml")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed", "multipart/x-zip")
SLD10 = "application/vnd.ogc.sld+xml"
SE11 = "application/vnd.ogc.se+xml"


@dataclass
class Req:
    method: str
    path: str  # below /geoserver/rest, suffix removed, e.g. /workspaces/ws
    suffix: str  # "json" | "xml" | "html" | "sld" | ""
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base: str  # http://host:port/geoserver

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            k, _, v = part.strip().partition("=")
            if k.lower() == "charset":
                return v.strip()
        return None

    def flag(self, name: str) -> bool:
        return self.query.get(name, "").lower() == "true"


@dataclass
class Resp:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    misuse: str = ""


def negotiate(req: Req) -> str:
    """J15: suffix first, then ``?format=``, then Accept; with none of them Spring frequently picks HTML (J1)."""
    if req.suffix:
        return req.suffix
    if req.query.get("format"):
        return req.query["format"].lower()
    accept = req.headers.get("accept", "")
    for kind, needle in (("json", "json"), ("xml", "xml"), ("html", "html")):
        if needle in accept and "*/*" not in accept.split(",")[0]:
            return kind
    return "html"


def text(status: int, message: str, misuse: str = "") -> Resp:
    return Resp(status, message.encode(), "text/plain;charset=utf-8", misuse=misuse)


def created(name: str, location: str | None = None, body: bool = True) -> Resp:
    headers = {"Location": location} if location else {}
    return Resp(201, name.encode() if body else b"", "text/plain;charset=utf-8", headers)


def render(req: Req, obj: dict[str, Any]) -> Resp:
    """A catalog object or list in the negotiated format (JSON, XML, or the HTML Spring often picks)."""
    kind = negotiate(req)
    if kind == "json":
        return Resp(200, json.dumps(obj, ensure_ascii=False).encode(), "application/json")
    if kind == "xml":
        ((root, value),) = obj.items()
        return Resp(200, ET.tostring(to_xml(root, value), encoding="utf-8"), "application/xml")
    if kind == "html":
        return Resp(200, f"<html><body><pre>{json.dumps(obj)}</pre></body></html>".encode(), "text/html")
    raise RestError(404, f"No such format: {kind}")


def to_xml(tag: str, value: Any) -> ET.Element:
    el = ET.Element(tag)
    if isinstance(value, dict):
        for k, v in value.items():
            if k.startswith("@"):
                el.set(k[1:], str(v))
            elif k == "$":
                el.text = str(v)
            elif isinstance(v, list):
                for item in v:
                    el.append(to_xml(k, item))
            else:
                el.append(to_xml(k, v))
    elif value is not None:
        el.text = str(value).lower() if isinstance(value, bool) else str(value)
    return el


def from_xml(el: ET.Element) -> Any:
    """XStream-ish XML to the JSON shape (repeated children become lists)."""
    children = list(el)
    if not children:
        return el.text or ""
    out: dict[str, Any] = {}
    for child in children:
        v = from_xml(child)
        if child.tag in out:
            prev = out[child.tag]
            out[child.tag] = [*prev, v] if isinstance(prev, list) else [prev, v]
        else:
            out[child.tag] = v
    return out


def parse_catalog_body(req: Req, root: str) -> dict[str, Any]:
    """The object under ``root`` from a JSON/XML body; 415 for other content types (Spring)."""
    ctype = req.content_type
    if ctype not in CATALOG_TYPES:
        raise RestError(415, f"Content type '{ctype}' not supported", misuse="unsupported content type")
    try:
        if "json" in ctype:
            data = json.loads(req.body.decode("utf-8"))
            obj = data.get(root) if isinstance(data, dict) else None
        else:
            el = ET.fromstring(req.body)
            obj = from_xml(el) if el.tag == root else None
    except (ValueError, ET.ParseError) as exc:
        raise RestError(400, f"Could not parse body: {exc}", misuse="unparsable body") from None
    if not isinstance(obj, dict):
        raise RestError(400, f"Expected a '{root}' object", misuse="wrong root element")
    return obj


def as_list(value: Any) -> list[Any]:
    """XStream/Jettison lists: a list, a single item, or "" when empty."""
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


def entries_to_dict(params: Any) -> dict[str, str]:
    """``{"entry":[{"@key":"k","$":"v"}]}`` (JSON) or ``<entry key="k">v</entry>`` (XML) to a dict."""
    if not isinstance(params, dict):
        return {}
    out: dict[str, str] = {}
    for e in as_list(params.get("entry")):
        if isinstance(e, dict):
            out[str(e.get("@key", e.get("key", "")))] = str(e.get("$", e.get("value", "")))
    return out


def dict_to_entries(params: dict[str, str]) -> dict[str, Any]:
    return {"entry": [{"@key": k, "$": v} for k, v in params.items()]}
