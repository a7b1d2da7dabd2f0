"""Check a publication through the OGC services, as a map client would (contract §6 step 6).

Per layer: it is listed in WMS 1.3.0 GetCapabilities (as ``layer`` or ``ws:layer``), GetMap answers a PNG that is
not blank (an OGC exception comes back as HTTP 200 + XML, so the content type is checked, never the status
only), and WFS 1.1.0 GetFeature returns the expected number of features. WFS 1.1.0 rather than 2.0.0 because
QGIS Server (the embedded target, and the test double's back end) does not serve 2.0.0.

Every request goes through the :class:`~odl_geo.http.Transport` (the publisher's: same retry policy, timeouts,
CA bundle; in QGIS the plugin's, so QGIS's proxy and auth configurations apply). OWSLib only parses the
capabilities document from the bytes fetched (``WebMapService(..., xml=...)``): it never opens a connection.
"""

from __future__ import annotations

import struct
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...credentials import redact
from ...errors import NetworkError, RemoteError
from ...feedback import NullFeedback, check_cancelled
from ...http import HttpRequest, RequestsTransport
from ...numbers import agree, count_text, quantity
from .endpoints import Endpoints

if TYPE_CHECKING:
    from ...credentials import Credentials
    from ...feedback import Feedback
    from ...http import HttpResponse, Transport
    from .models import BoundingBox
    from .plan import PublishPlan

__all__ = ["LayerCheck", "png_is_blank", "raise_if_failed", "verify_publication"]


@dataclass(frozen=True)
class LayerCheck:
    layer: str
    in_capabilities: bool
    image_ok: bool
    feature_count: int | None
    expected_count: int
    problem: str = ""
    #: ``problem`` in French (empty: only the English exists)
    problem_fr: str = ""

    @property
    def ok(self) -> bool:
        return self.in_capabilities and self.image_ok and self.feature_count == self.expected_count

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "ok": self.ok, "in_capabilities": self.in_capabilities,
                "image_ok": self.image_ok, "feature_count": self.feature_count,
                "expected_count": self.expected_count, "problem": self.problem}  # fmt: skip


def verify_publication(
    plan: PublishPlan,
    url: str,
    credentials: Credentials | None = None,
    *,
    ca_bundle: str | None = None,
    timeout: int = 60,
    feedback: Feedback | None = None,
    deadline_s: float = 600.0,
    transport: Transport | None = None,
) -> list[LayerCheck]:
    """One :class:`LayerCheck` per published layer; never raises for a failed check (see :func:`raise_if_failed`).

    :param transport: the publisher's transport (default: a :class:`RequestsTransport` with ``ca_bundle`` and
        ``timeout``); the QGIS plugin passes its own, with ``credentials`` None (its auth configuration applies).
    :raises RemoteError: the WMS does not answer GetCapabilities at all.
    :raises NetworkError: no answer to GetCapabilities after the transport's retries.
    :raises CancelledError: ``feedback.is_cancelled()`` became true.
    :raises NetworkError: the checks took longer than ``deadline_s``.
    """
    from owslib.wms import WebMapService

    ep = Endpoints(url)
    ws = plan.workspace
    secrets = credentials.secrets if credentials else ()
    http = transport or RequestsTransport(ca_bundle=ca_bundle, timeout=(10.0, float(timeout)))

    def get(service: str, params: dict[str, str]) -> HttpResponse:
        return http.send(HttpRequest("GET", ep.ows(ws, service), params=params, auth=credentials))

    hint = "Check that WMS and WFS are enabled for the workspace."
    hint_fr = "Vérifiez que WMS et WFS sont activés pour l'espace de travail."
    what = f"The OGC services of workspace '{ws}' did not answer GetCapabilities"
    what_fr = f"Les services OGC de l'espace de travail '{ws}' n'ont pas répondu à GetCapabilities"
    caps = get("wms", {"service": "WMS", "version": "1.3.0", "request": "GetCapabilities"})  # NetworkError raised
    if caps.status != 200:
        said = redact(caps.text[:8000], secrets)[:200]  # cut after masking: never through a secret
        raise RemoteError(
            f"{what}: HTTP {caps.status} {said}",
            hint,
            status=caps.status,
            message_fr=f"{what_fr} : HTTP {caps.status} {said}",
            hint_fr=hint_fr,
        )
    try:
        wms = WebMapService(ep.ows(ws, "wms"), version="1.3.0", xml=caps.body)
    except Exception as exc:  # noqa: BLE001 - OWSLib/lxml raise anything on a body that is no capabilities
        said = redact(f"{type(exc).__name__}: {exc}", secrets)
        raise RemoteError(f"{what}: {said}", hint, message_fr=f"{what_fr} : {said}", hint_fr=hint_fr) from None
    checks = []
    fb = feedback or NullFeedback()
    deadline = time.monotonic() + deadline_s
    for n, layer in enumerate(plan.layers):
        check_cancelled(fb, "Checking the published layers")
        if time.monotonic() > deadline:
            raise NetworkError(
                f"The OGC checks took longer than {deadline_s:.0f} s.",
                "Run them again later.",
                message_fr=f"Les vérifications OGC ont duré plus de {deadline_s:.0f} s.",
                hint_fr="Relancez-les plus tard.",
            )
        fb.progress(100.0 * n / max(1, len(plan.layers)), f"checking {layer.name}")
        name, problems, problems_fr = layer.name, [], []
        in_caps = name in wms.contents or f"{ws}:{name}" in wms.contents
        if not in_caps:
            problems.append("not in WMS GetCapabilities")
            problems_fr.append("absente du GetCapabilities WMS")
        image_ok = layer.feature_count == 0  # nothing to draw
        bbox = layer.feature_type.native_bbox
        if bbox is not None and layer.feature_count:
            try:
                img = get("wms", _getmap_params(name, bbox))
                ctype = img.header("Content-Type") or ""
                image_ok = img.status == 200 and ctype.startswith("image/png") and not png_is_blank(img.body)
                if not image_ok:
                    problems.append(f"GetMap gave {ctype or 'no content type'}, "
                                    f"{'blank' if img.body else 'empty'} image")  # fmt: skip
                    problems_fr.append(f"GetMap a renvoyé {ctype or 'aucun type de contenu'}, "
                                       f"image {'vierge' if img.body else 'vide'}")  # fmt: skip
            except NetworkError as exc:
                problems.append(f"GetMap failed: {redact(exc.message, secrets)[:200]}")
                problems_fr.append(f"échec de GetMap : {redact(exc.message_fr or exc.message, secrets)[:200]}")
        count = None
        try:
            resp = get("wfs", {"service": "WFS", "version": "1.1.0", "request": "GetFeature",
                               "typename": f"{ws}:{name}", "outputFormat": "application/json"})  # fmt: skip
            data = resp.json() if resp.status == 200 else None
            if not isinstance(data, dict):
                said = redact(resp.text[:8000], secrets)[:200]
                problems.append(f"WFS GetFeature failed: HTTP {resp.status} {said}")
                problems_fr.append(f"échec de GetFeature WFS : HTTP {resp.status} {said}")
            else:
                count = len(data.get("features") or [])
                if count != layer.feature_count:
                    problems.append(f"WFS returned {count} features, expected {layer.feature_count}")
                    expected = layer.feature_count
                    problems_fr.append(f"WFS a renvoyé {quantity(count, 'objet', 'objets')}, {count_text(expected)} "
                                       f"{agree(expected, 'attendu', 'attendus')}")  # fmt: skip
        except NetworkError as exc:
            problems.append(f"WFS GetFeature failed: {redact(exc.message, secrets)[:200]}")
            problems_fr.append(f"échec de GetFeature WFS : {redact(exc.message_fr or exc.message, secrets)[:200]}")
        checks.append(LayerCheck(name, in_caps, image_ok, count, layer.feature_count, "; ".join(problems),
                                 " ; ".join(problems_fr)))  # fmt: skip
    return checks


def _getmap_params(layer: str, bbox: BoundingBox) -> dict[str, str]:
    """WMS 1.1.1 GetMap of the layer's box (with a margin), 256 by 256 PNG.

    1.1.1 because its BBOX is always x,y, whatever the CRS: WMS 1.3.0 wants the axis order the CRS declares
    (lat/lon for EPSG:4326, contract §6), which takes a CRS database to know, and pyproj must not be imported in
    QGIS's process, where the plugin runs this check (its PROJ clashes with QGIS's, see qgis_plugin/worker.py).
    """
    x0, y0, x1, y1 = _padded(bbox)
    return {"service": "WMS", "version": "1.1.1", "request": "GetMap", "layers": layer, "styles": "",
            "srs": bbox.crs, "bbox": ",".join(repr(float(v)) for v in (x0, y0, x1, y1)), "width": "256",
            "height": "256", "format": "image/png", "transparent": "TRUE"}  # fmt: skip


def raise_if_failed(checks: list[LayerCheck], workspace: str) -> None:
    bad = [c for c in checks if not c.ok]
    if bad:
        raise RemoteError(
            f"{quantity(len(bad), 'layer', 'layers', 'en')} of workspace '{workspace}' failed the OGC check: "
            + "; ".join(f"{c.layer}: {c.problem}" for c in bad),
            "The REST publication succeeded; look at GeoServer's log for the layer (style or data errors).",
            message_fr=f"{quantity(len(bad), 'couche', 'couches')} de l'espace de travail '{workspace}' "
            f"{agree(len(bad), 'échoue', 'échouent')} à la vérification OGC : "
            + " ; ".join(f"{c.layer} : {c.problem_fr or c.problem}" for c in bad),
            hint_fr="La publication REST a réussi ; consultez le journal de GeoServer pour "
            + agree(len(bad), "cette couche", "ces couches")
            + " (erreurs de style ou de données).",
        )


def _padded(b: Any) -> tuple[float, float, float, float]:
    """The layer's box with a margin (a single point has an empty box)."""
    dx = max((b.maxx - b.minx) * 0.05, 10.0)
    dy = max((b.maxy - b.miny) * 0.05, 10.0)
    return (b.minx - dx, b.miny - dy, b.maxx + dx, b.maxy + dy)


def png_is_blank(data: bytes) -> bool:
    """True when the PNG is missing/unreadable or every pixel has the same value (8-bit, non-interlaced)."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return True
    pos, idat, ihdr = 8, b"", None
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif ctype == b"IDAT":
            idat += chunk
        pos += 12 + length
    if ihdr is None:
        return True
    width, height, depth, colour, _c, _f, interlace = ihdr
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour)
    if depth != 8 or interlace or channels is None:
        return len(idat) == 0  # not decoded here: trust a non-empty body
    raw, bpp, stride = zlib.decompress(idat), channels, width * channels
    prev, first = bytearray(stride), None
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        ftype, cur = line[0], bytearray(line[1:])
        for i in range(stride):
            a = cur[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                cur[i] = (cur[i] + a) & 0xFF
            elif ftype == 2:
                cur[i] = (cur[i] + b) & 0xFF
            elif ftype == 3:
                cur[i] = (cur[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        first = first if first is not None else bytes(cur[:bpp])
        if bytes(cur) != first * width:
            return False
        prev = cur
    return True
