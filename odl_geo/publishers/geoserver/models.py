"""GeoServer catalog objects as frozen dataclasses, with the REST JSON shapes of the contract (§1, §3-§5).

``to_payload()`` builds a request body with only the fields odl-geo sets (a PUT merges onto the existing object,
J13); ``from_payload()`` reads a GET answer, tolerating Jettison's quirks (``""`` for empty lists, numbers for
numeric-looking strings, one item instead of a list).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from .. import Outcome

__all__ = [
    "Attribution",
    "BoundingBox",
    "DataStore",
    "FeatureType",
    "Layer",
    "Outcome",
    "PublishRecord",
    "Style",
    "Workspace",
    "safe_name",
    "unique_names",
]

SLD10_TYPE = "application/vnd.ogc.sld+xml; charset=UTF-8"
SE11_TYPE = "application/vnd.ogc.se+xml; charset=UTF-8"
#: a layer's resource href names its store: ``…/workspaces/ws/datastores/{store}/featuretypes/x.json`` (L1)
_STORE_IN_HREF = re.compile(r"/(?:datastores|coveragestores|wmsstores|wmtsstores)/([^/]+)/")




def safe_name(text: str, fallback: str = "layer") -> str:
    """A GeoServer name that is an XML NCName and URL-safe: ``[A-Za-z_][A-Za-z0-9_-]*`` (contract §1 advice).

    Accents are folded (``Sentiers été`` -> ``Sentiers_ete``); dots are replaced too, since GeoServer reads
    ``.json``/``.xml`` as a format suffix. Titles keep their accents: only names go through here.
    """
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    flat = re.sub(r"[^A-Za-z0-9_-]+", "_", flat).strip("_-")
    flat = re.sub(r"_{2,}", "_", flat)
    if not flat:
        flat = fallback
    if not re.match(r"[A-Za-z_]", flat):
        flat = f"_{flat}"
    return flat[:NAME_MAX]


#: odl-geo's limit for GeoServer names (PostgreSQL's identifier length: names often end up as table names)
NAME_MAX = 63


def unique_names(wanted: list[str]) -> list[str]:
    """``wanted`` with duplicates made unique, deterministically: the first keeps its name, the next ones get
    ``_2``, ``_3``... (cut so that the result stays within :data:`NAME_MAX`). Two tables whose safe names collide
    (``Points d'eau`` and ``Points_d_eau``, or long names equal on their first 63 characters) would otherwise
    publish one layer over the other."""
    taken = set(wanted)
    seen: set[str] = set()
    out = []
    for name in wanted:
        if name not in seen:
            seen.add(name)
            out.append(name)
            continue
        n = 2
        while True:
            suffix = f"_{n}"
            candidate = name[: NAME_MAX - len(suffix)] + suffix
            if candidate not in taken and candidate not in seen:
                break
            n += 1
        seen.add(candidate)
        out.append(candidate)
    return out


def _s(value: Any) -> str:
    """Jettison may turn numeric-looking strings into numbers: always read scalars as text."""
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _items(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Workspace:
    name: str
    isolated: bool = False

    def to_payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name}
        if self.isolated:
            body["isolated"] = True
        return {"workspace": body}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Workspace:
        ws = data.get("workspace") or {}
        return cls(_s(ws.get("name")), _s(ws.get("isolated")).lower() == "true")


@dataclass(frozen=True)
class PublishRecord:
    """What odl-geo writes into a store's ``description`` (a free string, S2): file sha256 + plan fingerprint.

    GeoServer keeps no content hash (contract §6); the description survives a ``file.gpkg`` re-upload, is shown
    in the admin UI (so people see the store is managed by odl-geo) and costs no extra request to read.
    """

    sha256: str
    plan: str

    PREFIX = "Published by odl-geo; do not edit this line."
    #: written as soon as odl-geo created the store, so that the store is known as odl-geo's before it is complete
    INCOMPLETE = f"{PREFIX} publication incomplete"

    def to_text(self) -> str:
        return f"{self.PREFIX} sha256={self.sha256} plan={self.plan}"

    @classmethod
    def parse(cls, text: str) -> PublishRecord | None:
        m = re.search(r"sha256=([0-9a-f]{64}) plan=([0-9a-f]+)", text or "")
        return cls(m.group(1), m.group(2)) if m else None

    @classmethod
    def marks(cls, text: str) -> bool:
        """True when ``text`` (a store's description) says odl-geo created the store (complete or not)."""
        return (text or "").startswith(cls.PREFIX)


@dataclass(frozen=True)
class DataStore:
    """A vector store: an uploaded GeoPackage, or a PostGIS database by connection parameters.

    ``connection`` may hold a password (``passwd``): it is never part of ``repr``.
    """

    name: str
    type: str = "GeoPackage"
    description: str = ""
    enabled: bool = True
    connection: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def postgis(
        cls, name: str, host: str, port: int, database: str, user: str, password: str, schema: str = "public"
    ) -> DataStore:
        params = {"host": host, "port": str(port), "database": database, "schema": schema, "user": user,
                  "passwd": password, "dbtype": "postgis"}  # fmt: skip
        return cls(name, "PostGIS", connection=params)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(v for k, v in self.connection.items() if k.lower() in ("passwd", "password") and v)

    @property
    def record(self) -> PublishRecord | None:
        return PublishRecord.parse(self.description)

    @property
    def owned(self) -> bool:
        """Created by odl-geo: its description starts with odl-geo's mark (:class:`PublishRecord`)."""
        return PublishRecord.marks(self.description)

    def to_payload(self, *, include_connection: bool = True) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "description": self.description}
        if include_connection:  # a creation or a full update; a record update leaves "enabled" as an admin set it
            body["enabled"] = self.enabled
            if self.connection:
                body["connectionParameters"] = {"entry": [{"@key": k, "$": v} for k, v in self.connection.items()]}
        return {"dataStore": body}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> DataStore:
        ds = data.get("dataStore") or {}
        params = ds.get("connectionParameters") or {}
        entries = _items(params.get("entry")) if isinstance(params, dict) else []
        conn = {_s(e.get("@key")): _s(e.get("$")) for e in entries if isinstance(e, dict)}
        return cls(_s(ds.get("name")), _s(ds.get("type")), _s(ds.get("description")),
                   _s(ds.get("enabled") if "enabled" in ds else True).lower() == "true", conn)  # fmt: skip


@dataclass(frozen=True)
class BoundingBox:
    minx: float
    miny: float
    maxx: float
    maxy: float
    crs: str

    def to_payload(self) -> dict[str, Any]:
        return {"minx": self.minx, "maxx": self.maxx, "miny": self.miny, "maxy": self.maxy, "crs": self.crs}

    @classmethod
    def from_payload(cls, data: Any) -> BoundingBox | None:
        if not isinstance(data, dict) or "minx" not in data:
            return None
        crs = data.get("crs")
        crs = crs.get("$", "") if isinstance(crs, dict) else crs
        return cls(float(data["minx"]), float(data["miny"]), float(data["maxx"]), float(data["maxy"]), _s(crs))


@dataclass(frozen=True)
class MetadataLink:
    """A feature type's link to its metadata record (GeoServer ``metadataLinks``, published as the layer's
    ``MetadataURL`` in WMS/WFS capabilities): ``metadata_type`` ISO19115:2003, FGDC, TC211, 19139 or other."""

    content: str
    type: str = "text/xml"
    metadata_type: str = "ISO19115:2003"

    def to_payload(self) -> dict[str, str]:
        return {"type": self.type, "metadataType": self.metadata_type, "content": self.content}

    @classmethod
    def from_payload(cls, data: Any) -> tuple[MetadataLink, ...]:
        """``{"metadataLink": [...]}``; one link may come as an object instead of a one-item list."""
        links = data.get("metadataLink") if isinstance(data, dict) else None
        return tuple(
            cls(_s(d.get("content")), _s(d.get("type")), _s(d.get("metadataType")))
            for d in _items(links)
            if isinstance(d, dict) and d.get("content")
        )


@dataclass(frozen=True)
class FeatureType:
    """A published table. ``name`` is the layer name (NCName); ``native_name`` the table in the store."""

    name: str
    native_name: str
    title: str = ""
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    srs: str = "EPSG:2154"
    native_bbox: BoundingBox | None = None
    latlon_bbox: BoundingBox | None = None
    projection_policy: str = "FORCE_DECLARED"
    #: links to the dataset's metadata record (odl-geo metadata); sent only when there are some, so that links
    #: an administrator set by hand are never wiped
    metadata_links: tuple[MetadataLink, ...] = ()

    def to_payload(self, *, for_update: bool = False) -> dict[str, Any]:
        """POST body (with name + nativeName) or PUT body (never a name: a different one would rename, §7.3)."""
        body: dict[str, Any] = {} if for_update else {"name": self.name, "nativeName": self.native_name}
        body.update(
            {
                "title": self.title,
                "abstract": self.abstract,
                "keywords": {"string": list(self.keywords)},
                "srs": self.srs,
                "projectionPolicy": self.projection_policy,
            }
        )
        if self.native_bbox:
            body["nativeBoundingBox"] = self.native_bbox.to_payload()
        if self.latlon_bbox:
            body["latLonBoundingBox"] = self.latlon_bbox.to_payload()
        if self.metadata_links:
            body["metadataLinks"] = {"metadataLink": [m.to_payload() for m in self.metadata_links]}
        return {"featureType": body}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> FeatureType:
        ft = data.get("featureType") or {}
        kw = ft.get("keywords")
        words = _items(kw.get("string")) if isinstance(kw, dict) else _items(kw)
        return cls(
            _s(ft.get("name")),
            _s(ft.get("nativeName") or ft.get("name")),
            _s(ft.get("title")),
            _s(ft.get("abstract")),
            tuple(_s(w) for w in words),
            _s(ft.get("srs")),
            BoundingBox.from_payload(ft.get("nativeBoundingBox")),
            BoundingBox.from_payload(ft.get("latLonBoundingBox")),
            _s(ft.get("projectionPolicy")) or "FORCE_DECLARED",
            MetadataLink.from_payload(ft.get("metadataLinks")),
        )


#: the file name odl-geo gives the styles it creates: GeoServer keeps a style's ``filename`` (ST2) and a style has
#: no free text field, so this suffix is how odl-geo knows a style is its own (and never changes anyone else's)
STYLE_FILE_SUFFIX = ".odl-geo.sld"


@dataclass(frozen=True)
class Style:
    """A workspace style. ``version`` ``1.0.0`` = SLD 1.0, ``1.1.0`` = SE 1.1 (QGIS exports SE 1.1).

    Styles odl-geo creates are named ``{name}.odl-geo.sld`` on GeoServer's disk (:attr:`owned`).
    """

    name: str
    filename: str = ""
    version: str = "1.0.0"
    workspace: str | None = None

    @classmethod
    def of_odl_geo(cls, name: str, version: str = "1.0.0") -> Style:
        return cls(name, f"{name}{STYLE_FILE_SUFFIX}", version)

    @property
    def owned(self) -> bool:
        return self.filename == f"{self.name}{STYLE_FILE_SUFFIX}"

    @property
    def content_type(self) -> str:
        """Upload type for the body (ST5); always with ``charset=UTF-8`` (else the JVM default applies)."""
        return SE11_TYPE if self.version.startswith("1.1") else SLD10_TYPE

    def to_payload(self) -> bytes:
        """ST4(a) info body, as XML on purpose (some GeoServer versions refuse JSON here, C2 l.583)."""
        name, filename = escape(self.name), escape(self.filename or f"{self.name}.sld")
        return f"<style><name>{name}</name><filename>{filename}</filename></style>".encode()

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Style:
        st = data.get("style") or {}
        ws = st.get("workspace")
        lv = st.get("languageVersion")
        version = _s(lv.get("version")) if isinstance(lv, dict) else "1.0.0"
        ws_name = _s(ws.get("name")) if isinstance(ws, dict) else (_s(ws) or None)
        return cls(_s(st.get("name")), _s(st.get("filename")), version or "1.0.0", ws_name)


@dataclass(frozen=True)
class Attribution:
    """Layer attribution (a *layer* property in GeoServer, shown in WMS capabilities)."""

    title: str
    href: str = ""

    def to_payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"title": self.title}
        if self.href:
            body["href"] = self.href
        return body

    @classmethod
    def from_payload(cls, data: Any) -> Attribution | None:
        if not isinstance(data, dict) or not data.get("title"):
            return None
        return cls(_s(data.get("title")), _s(data.get("href")))


@dataclass(frozen=True)
class Layer:
    """A layer's publishing settings. ``default_style`` is qualified: ``ws:style`` (or a global name)."""

    name: str
    default_style: str | None = None
    attribution: Attribution | None = None
    #: the store its resource belongs to (from the resource's ``href``, L1) and the resource's kind
    #: (``featureType``, ``coverage``, ``wmsLayer``...): read only, never sent
    store: str | None = field(default=None, compare=False)
    resource_kind: str = field(default="", compare=False)

    def to_payload(self) -> dict[str, Any]:
        """L2 body: the style as ``{name, workspace}`` (a bare name is ambiguous, contract L2); never a name."""
        body: dict[str, Any] = {}
        if self.default_style:
            ws, _, st = self.default_style.rpartition(":")
            body["defaultStyle"] = {"name": st, "workspace": ws} if ws else {"name": st}
        if self.attribution:
            body["attribution"] = self.attribution.to_payload()
        return {"layer": body}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Layer:
        lyr = data.get("layer") or {}
        ds = lyr.get("defaultStyle") or {}
        style = _s(ds.get("name")) if isinstance(ds, dict) else _s(ds)
        ws = ds.get("workspace") if isinstance(ds, dict) else None
        if style and ws and ":" not in style:  # GeoServer >= 2.19 may drop the prefix in some answers
            style = f"{_s(ws)}:{style}"
        res: dict[str, Any] = lyr["resource"] if isinstance(lyr.get("resource"), dict) else {}
        found = _STORE_IN_HREF.search(_s(res.get("href")))
        store = unquote(found.group(1)) if found else None
        return cls(_s(lyr.get("name")), style or None, Attribution.from_payload(lyr.get("attribution")), store,
                   _s(res.get("@class")))  # fmt: skip
