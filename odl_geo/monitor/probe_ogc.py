"""Map server probes (GeoServer, QGIS Server): what a map client would see of each published layer.

Per publication: WMS 1.3.0 GetCapabilities answers and parses (OWSLib, from the bytes fetched: it never opens a
connection itself). Per layer: it is listed; GetMap at the layer's extent answers a non-blank ``image/png`` (a
server answering an XML ServiceException with HTTP 200 fails, with the exception's text); WFS 1.1.0
``resultType=hits`` gives the number of features the manifest recorded. WMS 1.1.1 for GetMap because its BBOX is
x,y whatever the CRS (see :mod:`odl_geo.publishers.geoserver.verify`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import NetworkError
from ..numbers import count_text, quantity
from ..publishers.geoserver.verify import png_is_blank
from .model import FAILED, OK, SKIPPED, Probe

if TYPE_CHECKING:
    from ..credentials import Credentials
    from .model import ProbeHttp

__all__ = ["probe_ows"]


def probe_ows(dataset: str, wms_url: str, wfs_url: str, layers: list[dict[str, Any]], http: ProbeHttp,
              prefix: str = "", auth: Credentials | None = None) -> list[Probe]:  # fmt: skip
    """Probes of ``layers`` (``name``, ``features``, ``bbox``, ``crs``) served at ``wms_url``/``wfs_url``.

    :param prefix: the workspace, for servers listing ``ws:layer`` in capabilities and WFS type names.
    """
    from owslib.wms import WebMapService

    caps_params = {"service": "WMS", "version": "1.3.0", "request": "GetCapabilities"}
    url = http.url_of(wms_url, caps_params)
    try:
        resp, seconds = http.send("GET", wms_url, caps_params, auth=auth)
    except NetworkError as exc:
        return [
            _down(dataset, "wms", url, exc, target=prefix or "wms"),
            *_skipped(dataset, layers, "the WMS did not answer"),
        ]
    problem = ""
    contents: dict[str, Any] = {}
    if resp.status != 200:
        problem = f"WMS GetCapabilities answered HTTP {resp.status}: {http.say(resp.text)}"
    else:
        try:
            contents = dict(WebMapService(wms_url, version="1.3.0", xml=resp.body).contents)
        except Exception as exc:  # noqa: BLE001 - OWSLib/lxml raise anything on a body that is no capabilities
            problem = f"WMS GetCapabilities is not a capabilities document ({type(exc).__name__}): " \
                      f"{http.say(resp.text)}"  # fmt: skip
    probes = [Probe(dataset, "wms", "capabilities", prefix or "wms", FAILED if problem else OK,
                    problem or f"WMS GetCapabilities lists {quantity(len(contents), 'layer', 'layers', 'en')}", url,
                    seconds)]  # fmt: skip
    if problem:
        return probes + _skipped(dataset, layers, "WMS GetCapabilities failed")
    for layer in layers:
        probes += _layer_probes(dataset, wms_url, wfs_url, layer, contents, http, prefix, auth)
    return probes


def _layer_probes(dataset: str, wms_url: str, wfs_url: str, layer: dict[str, Any], contents: dict[str, Any],
                  http: ProbeHttp, prefix: str, auth: Credentials | None) -> list[Probe]:  # fmt: skip
    name = str(layer["name"])
    listed = next((k for k in (name, f"{prefix}:{name}") if k in contents), None)
    probes = [
        Probe(
            dataset,
            "wms",
            "layer",
            name,
            OK if listed else FAILED,
            f"{name} is listed in WMS GetCapabilities"
            if listed
            else f"{name} is no longer listed in WMS GetCapabilities (layer removed from the server?)",
            http.url_of(wms_url, {"service": "WMS", "version": "1.3.0", "request": "GetCapabilities"}),
        )
    ]
    if not listed:
        probes.append(Probe(dataset, "wms", "getmap", name, SKIPPED, "not checked: the layer is not listed"))
    else:
        probes.append(_getmap(dataset, wms_url, name, layer, contents[listed], http, auth))
    probes.append(_hits(dataset, wfs_url, name, layer.get("features"), http, prefix, auth))
    return probes


def _box(layer: dict[str, Any], wms_layer: Any) -> tuple[str, tuple[float, float, float, float]] | None:
    """The layer's extent as published (manifest), else as the server declares it (lon/lat)."""
    bbox, crs = layer.get("bbox"), layer.get("crs")
    if isinstance(bbox, list) and len(bbox) == 4 and crs:
        box = tuple(float(v) for v in bbox)
    else:
        wgs = getattr(wms_layer, "boundingBoxWGS84", None)
        if not wgs:
            return None
        crs, box = "EPSG:4326", tuple(float(v) for v in wgs[:4])
    x0, y0, x1, y1 = box
    unit = 0.0005 if crs == "EPSG:4326" else 10.0  # a single point has an empty box: draw around it
    dx, dy = max((x1 - x0) * 0.05, unit), max((y1 - y0) * 0.05, unit)
    return str(crs), (x0 - dx, y0 - dy, x1 + dx, y1 + dy)


def _getmap(dataset: str, wms_url: str, name: str, layer: dict[str, Any], wms_layer: Any, http: ProbeHttp,
            auth: Credentials | None) -> Probe:  # fmt: skip
    if layer.get("features") == 0:
        return Probe(dataset, "wms", "getmap", name, SKIPPED, "not checked: the layer has no feature to draw")
    found = _box(layer, wms_layer)
    if found is None:
        return Probe(dataset, "wms", "getmap", name, SKIPPED, "not checked: the layer has no extent (a table)")
    crs, box = found
    params = {"service": "WMS", "version": "1.1.1", "request": "GetMap", "layers": name, "styles": "",
              "srs": crs, "bbox": ",".join(repr(v) for v in box), "width": "256", "height": "256",
              "format": "image/png", "transparent": "TRUE"}  # fmt: skip
    url = http.url_of(wms_url, params)
    try:
        resp, seconds = http.send("GET", wms_url, params, auth=auth)
    except NetworkError as exc:
        return _down(dataset, "wms", url, exc, check="getmap", target=name)
    ctype = (resp.header("Content-Type") or "").split(";")[0].strip()
    if resp.status != 200:
        message = f"GetMap answered HTTP {resp.status}: {http.say(resp.text)}"
    elif "xml" in ctype or resp.body.lstrip()[:1] == b"<":
        message = f"GetMap answered an exception with HTTP 200 ({ctype}): {http.say(_exception_text(resp.body))}"
    elif ctype != "image/png":
        message = f"GetMap answered {ctype or 'no content type'}, not image/png"
    elif png_is_blank(resp.body):
        message = "GetMap answered a blank image at the layer's extent (style or data problem)"
    else:
        return Probe(dataset, "wms", "getmap", name, OK, f"GetMap draws the layer ({len(resp.body)} bytes of PNG)",
                     url, seconds)  # fmt: skip
    return Probe(dataset, "wms", "getmap", name, FAILED, message, url, seconds)


def _exception_text(body: bytes) -> str:
    from lxml import etree

    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return body.decode("utf-8", "replace")
    return " ".join(t.strip() for t in root.itertext() if t.strip()) or body.decode("utf-8", "replace")


def _hits(dataset: str, wfs_url: str, name: str, expected: Any, http: ProbeHttp, prefix: str,
          auth: Credentials | None) -> Probe:  # fmt: skip
    from lxml import etree

    params = {"service": "WFS", "version": "1.1.0", "request": "GetFeature",
              "typename": f"{prefix}:{name}" if prefix else name, "resultType": "hits"}  # fmt: skip
    url = http.url_of(wfs_url, params)
    try:
        resp, seconds = http.send("GET", wfs_url, params, auth=auth)
    except NetworkError as exc:
        return _down(dataset, "wfs", url, exc, check="hits", target=name)
    count = None
    try:
        root = etree.fromstring(resp.body, etree.XMLParser(resolve_entities=False, no_network=True))
        raw = root.get("numberOfFeatures") or root.get("numberMatched")
        count = int(raw) if raw is not None and raw.isdigit() else None
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if resp.status != 200 or count is None:
        text = _exception_text(resp.body) if root is not None else resp.text
        return Probe(
            dataset,
            "wfs",
            "hits",
            name,
            FAILED,
            f"WFS resultType=hits gave no count (HTTP {resp.status}): {http.say(text)}",
            url,
            seconds,
        )
    features = quantity(count, "feature", "features", "en")
    if expected is not None and count != expected:
        return Probe(dataset, "wfs", "hits", name, FAILED,
                     f"WFS counts {features}, the manifest {count_text(expected, 'en')}", url, seconds)  # fmt: skip
    return Probe(dataset, "wfs", "hits", name, OK, f"WFS counts {features}, as published", url, seconds)


def _down(dataset: str, service: str, url: str, exc: NetworkError, check: str = "capabilities",
          target: str = "") -> Probe:  # fmt: skip
    return Probe(dataset, service, check, target or service, FAILED, f"server down or unreachable: {exc.message}",
                 url, float(getattr(exc, "seconds", 0.0)))  # fmt: skip


def _skipped(dataset: str, layers: list[dict[str, Any]], why: str) -> list[Probe]:
    return [
        Probe(dataset, svc, check, str(layer["name"]), SKIPPED, f"not checked: {why}")
        for layer in layers
        for svc, check in (("wms", "layer"), ("wms", "getmap"), ("wfs", "hits"))
    ]
