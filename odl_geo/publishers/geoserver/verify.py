"""Check a publication through the OGC services, as a map client would (contract §6 step 6), with OWSLib.

Per layer: it is listed in WMS 1.3.0 GetCapabilities (as ``layer`` or ``ws:layer``), GetMap answers a PNG that is
not blank (an OGC exception comes back as HTTP 200 + XML, so the content type is checked, never the status
only), and WFS 1.1.0 GetFeature returns the expected number of features. WFS 1.1.0 rather than 2.0.0 because
QGIS Server (the embedded target, and the test double's back end) does not serve 2.0.0.

OWSLib uses its own ``requests`` session: this is the one place that does not go through the Transport seam.
"""

from __future__ import annotations

import json
import struct
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...credentials import redact
from ...errors import NetworkError, RemoteError
from ...feedback import NullFeedback, check_cancelled
from .endpoints import Endpoints

if TYPE_CHECKING:
    from ...credentials import Credentials
    from ...feedback import Feedback
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
) -> list[LayerCheck]:
    """One :class:`LayerCheck` per published layer; never raises for a failed check (see :func:`raise_if_failed`).

    :raises RemoteError: the services do not answer GetCapabilities at all.
    :raises CancelledError: ``feedback.is_cancelled()`` became true.
    :raises NetworkError: the checks took longer than ``deadline_s``.
    """
    from owslib.util import Authentication
    from owslib.wfs import WebFeatureService
    from owslib.wms import WebMapService

    ep = Endpoints(url)
    ws = plan.workspace
    user = credentials.username if credentials else None
    password = credentials.password if credentials else None
    secrets = credentials.secrets if credentials else ()
    auth = Authentication(username=user, password=password, verify=ca_bundle or True)
    try:
        wms = WebMapService(ep.ows(ws, "wms"), version="1.3.0", auth=auth, timeout=timeout)
        wfs = WebFeatureService(ep.ows(ws, "wfs"), version="1.1.0", auth=auth, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - OWSLib raises anything from requests, lxml or its own parsers
        raise RemoteError(
            f"The OGC services of workspace '{ws}' did not answer GetCapabilities: "
            f"{redact(f'{type(exc).__name__}: {exc}', secrets)}",
            "Check that WMS and WFS are enabled for the workspace.",
        ) from None
    checks = []
    fb = feedback or NullFeedback()
    deadline = time.monotonic() + deadline_s
    for n, layer in enumerate(plan.layers):
        check_cancelled(fb, "Checking the published layers")
        if time.monotonic() > deadline:
            raise NetworkError(f"The OGC checks took longer than {deadline_s:.0f} s.", "Run them again later.")
        fb.progress(100.0 * n / max(1, len(plan.layers)), f"checking {layer.name}")
        name, problems = layer.name, []
        in_caps = name in wms.contents or f"{ws}:{name}" in wms.contents
        if not in_caps:
            problems.append("not in WMS GetCapabilities")
        image_ok = layer.feature_count == 0  # nothing to draw
        bbox = layer.feature_type.native_bbox
        if bbox is not None and layer.feature_count:
            try:
                img = wms.getmap(layers=[name], styles=[""], srs=bbox.crs, bbox=_padded(bbox), size=(256, 256),
                                 format="image/png", transparent=True)  # fmt: skip
                ctype = img.info().get("Content-Type", "")
                data = img.read()
                image_ok = ctype.startswith("image/png") and not png_is_blank(data)
                if not image_ok:
                    problems.append(f"GetMap gave {ctype or 'no content type'}, {'blank' if data else 'empty'} image")
            except Exception as exc:  # noqa: BLE001
                problems.append(f"GetMap failed: {redact(str(exc), secrets)[:200]}")
        count = None
        try:
            resp = wfs.getfeature(typename=[f"{ws}:{name}"], outputFormat="application/json")
            count = len(json.loads(resp.read()).get("features", []))
            if count != layer.feature_count:
                problems.append(f"WFS returned {count} features, expected {layer.feature_count}")
        except Exception as exc:  # noqa: BLE001
            problems.append(f"WFS GetFeature failed: {redact(str(exc), secrets)[:200]}")
        checks.append(LayerCheck(name, in_caps, image_ok, count, layer.feature_count, "; ".join(problems)))
    return checks


def raise_if_failed(checks: list[LayerCheck], workspace: str) -> None:
    bad = [c for c in checks if not c.ok]
    if bad:
        raise RemoteError(
            f"{len(bad)} layer(s) of workspace '{workspace}' failed the OGC check: "
            + "; ".join(f"{c.layer}: {c.problem}" for c in bad),
            "The REST publication succeeded; look at GeoServer's log for the layer (style or data errors).",
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
