"""Serve an output folder (or a ready project) with QGIS Server: as a context manager, for a bounded time,
or just long enough to check it and save one map image (the demo's ``snapshot``).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from ..errors import OdlGeoError, OutputError, RemoteError, SourceNotFoundError
from ..http import HttpRequest, RequestsTransport, RetryPolicy, Transport
from ..numbers import agree
from .front import Front
from .project import PROJECT_NAME, ProjectBuild, build_project, build_projects, output_folders
from .server import QgisServer

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

__all__ = ["SnapshotResult", "capabilities_layers", "get_map", "open_server", "run_server", "snapshot"]

SNAPSHOT_NAME = "map.png"
_WMS_NS = {"wms": "http://www.opengis.net/wms"}


def open_server(
    path: str | Path | list[str | Path],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    theme: str | None = None,
    styles_dir: str | Path | None = None,
    startup_timeout: float = 30.0,
) -> QgisServer:
    """A server (not started yet) for ``path``: a ``.qgs``/``.qgz`` project, an output folder whose project
    is (re)written first, a folder of output folders (``out/``), or a list of output folders (one project serving
    them all, written as ``project.qgs`` in their common parent). Use it as ``with open_server(out) as srv: ...``.

    ``srv.build`` is the :class:`ProjectBuild` when folders were given (layers, styles used, notes), else None.
    """
    paths = [Path(p) for p in path] if isinstance(path, list) else [Path(path)]
    if len(paths) == 1 and (subs := output_folders(paths[0])):
        paths = subs
    build: ProjectBuild | None = None
    p = paths[0]
    if len(paths) > 1:
        missing = [str(q) for q in paths if not q.is_dir()]
        if missing:
            raise SourceNotFoundError(
                f"{', '.join(missing)}: not a folder.",
                "Give output folders of odl-geo convert.",
                message_fr=f"{', '.join(missing)} : "
                + agree(len(missing), "ce n'est pas un dossier.", "ce ne sont pas des dossiers."),
                hint_fr="Indiquez des dossiers de sortie d'odl-geo convert.",
            )
        parent = Path(os.path.commonpath([q.resolve() for q in paths]))
        build = build_projects(paths, parent / PROJECT_NAME, styles_dir=styles_dir)
        project = build.path
    elif p.is_dir():
        build = build_project(p, theme=theme, styles_dir=styles_dir)
        project = build.path
    elif p.is_file() and p.suffix.lower() in (".qgs", ".qgz"):
        project = p
    else:
        raise SourceNotFoundError(
            f"{p} is neither a QGIS project nor a folder.",
            "Give an output folder of odl-geo convert or a .qgs file.",
            message_fr=f"{p} n'est ni un projet QGIS ni un dossier.",
            hint_fr="Indiquez un dossier de sortie d'odl-geo convert ou un fichier .qgs.",
        )
    server = QgisServer(project, host, port, startup_timeout=startup_timeout)
    server.build = build
    return server


def run_server(
    path: str | Path | list[str | Path],
    *,
    duration: float | None = None,
    on_ready: Callable[[QgisServer], None] | None = None,
    front: bool = False,
    mounts: dict[str, Path] | None = None,
    page_csp: str = "",
    on_reload: Callable[[QgisServer], None] | None = None,
    stop: threading.Event | None = None,
    **kwargs: Any,
) -> QgisServer:
    """Start, call ``on_ready(server)``, serve for ``duration`` s (None: until the server exits or Ctrl-C), stop.

    With ``front``, QGIS Server listens on a free port of 127.0.0.1 and the CORS front (:class:`Front`) on
    ``host:port``, serving ``mounts`` too; ``server.front`` is then that front (its ``ows_url`` is the one to give).
    Served folders are then **watched**: when a new conversion rewrites one (its ``manifest.json`` or a
    GeoPackage changes, then stays still for a second), the project is rebuilt and a fresh QGIS Server started
    behind the same front (``on_reload(new_server)``), the old one stopped: QGIS Server keeps the GeoPackages it
    opened, so without this a web page would show the previous publication until a restart. A rebuild that fails
    (a folder caught half-written) keeps the running server and is tried again at the next change.
    Ctrl-C (KeyboardInterrupt), or setting ``stop`` from another thread, ends it: the servers are stopped and the
    call returns.
    """
    host, port = kwargs.pop("host", "127.0.0.1"), kwargs.pop("port", 0)
    server = open_server(path, host="127.0.0.1" if front else host, port=0 if front else port, **kwargs)
    server.start()
    gate: Front | None = None
    try:
        gate = Front(server.base_url, host, port, mounts=mounts, page_csp=page_csp).start() if front else None
        server.front = gate
        if on_ready is not None:
            on_ready(server)
        watched = _watched_folders(path) if gate is not None and server.build is not None else []
        seen, changed_at = _signature(watched), 0.0
        deadline = None if duration is None else time.monotonic() + duration
        while server.running and (deadline is None or time.monotonic() < deadline) and not (stop and stop.is_set()):
            server.wait(0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic())))
            if not watched or gate is None:
                continue
            now = _signature(watched)
            if now != seen:
                seen, changed_at = now, time.monotonic()
            elif changed_at and time.monotonic() - changed_at > RELOAD_QUIET_S:
                changed_at = 0.0
                server = _reload(path, server, gate, kwargs, on_reload)
    except KeyboardInterrupt:
        pass
    finally:
        if gate is not None:
            gate.stop()
        server.stop()
    return server


RELOAD_QUIET_S = 1.0  # a folder must stay unchanged this long before it is served again (a conversion writing)


def _watched_folders(path: str | Path | list[str | Path]) -> list[Path]:
    paths = [Path(p) for p in path] if isinstance(path, list) else [Path(path)]
    if len(paths) == 1 and (subs := output_folders(paths[0])):
        return subs
    return [p for p in paths if p.is_dir()]


def _signature(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """(file, size, mtime) of what a conversion rewrites: the manifest and the GeoPackages."""
    out = []
    for folder in folders:
        for f in sorted([folder / "manifest.json", *folder.glob("*.gpkg")]):
            try:
                st = f.stat()
            except OSError:
                continue
            out.append((str(f), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _reload(
    path: str | Path | list[str | Path],
    server: QgisServer,
    gate: Front,
    kwargs: dict[str, Any],
    on_reload: Callable[[QgisServer], None] | None,
) -> QgisServer:
    """A new QGIS Server on the rebuilt project behind ``gate``; the old one stopped. The old one on failure."""
    try:
        fresh = open_server(path, host="127.0.0.1", port=0, **kwargs).start()
    except OdlGeoError as exc:
        logging.getLogger("odl_geo").warning("the changed folder cannot be served yet: %s", exc)
        return server
    fresh.front = gate
    gate.retarget(fresh.base_url)
    server.stop()
    if on_reload is not None:
        on_reload(fresh)
    return fresh


def _get(transport: Transport, url: str, params: dict[str, str], what: str) -> bytes:
    resp = transport.send(HttpRequest("GET", url, params=params, timeout=(5.0, 60.0)))
    if not resp.ok:
        raise RemoteError(
            f"QGIS Server refused {what}: HTTP {resp.status}.",
            "See the server output.",
            resp.text[:2000],
            resp.status,
            message_fr=f"QGIS Server a refusé {what} : HTTP {resp.status}.",
            hint_fr="Consultez la sortie du serveur.",
        )
    return resp.body


def capabilities_layers(server: QgisServer, transport: Transport | None = None) -> list[str]:
    """The named layers of the WMS 1.3.0 GetCapabilities.

    :raises RemoteError: the answer is not a WMS capabilities document.
    """
    body = _get(
        transport or _transport(),
        server.ows_url,
        {"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"},
        "GetCapabilities",
    )
    try:
        root = etree.fromstring(body)
    except etree.XMLSyntaxError as exc:
        raise RemoteError(
            "QGIS Server's GetCapabilities is not XML.",
            "See the server output.",
            str(exc),
            message_fr="La réponse GetCapabilities de QGIS Server n'est pas du XML.",
            hint_fr="Consultez la sortie du serveur.",
        ) from None
    return [str(n.text) for n in root.iterfind(".//wms:Layer/wms:Name", _WMS_NS)]


def get_map(
    server: QgisServer,
    layers: list[str],
    bbox: tuple[float, float, float, float],
    width: int,
    height: int,
    *,
    crs: str = "EPSG:2154",
    transparent: bool = False,
    transport: Transport | None = None,
) -> bytes:
    """A WMS 1.3.0 GetMap PNG. ``layers`` are drawn in order: the first one at the bottom."""
    params = {
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": ",".join(layers), "STYLES": "",
        "CRS": crs, "BBOX": ",".join(repr(float(v)) for v in bbox), "WIDTH": str(width), "HEIGHT": str(height),
        "FORMAT": "image/png", "TRANSPARENT": "true" if transparent else "false", "BGCOLOR": "0xFFFFFF",
        "DPI": "96",
    }  # fmt: skip
    body = _get(transport or _transport(), server.ows_url, params, "GetMap")
    if not body.startswith(b"\x89PNG"):
        raise RemoteError(
            "QGIS Server's GetMap did not return a PNG.",
            "See the server output.",
            body[:2000].decode(errors="replace"),
            message_fr="La requête GetMap de QGIS Server n'a pas renvoyé de PNG.",
            hint_fr="Consultez la sortie du serveur.",
        )
    return body


def _transport() -> Transport:
    return RequestsTransport(retry=RetryPolicy(total=1), timeout=(5.0, 60.0))


@dataclass
class SnapshotResult:
    """What :func:`snapshot` checked and wrote."""

    png: Path
    layers: list[str]
    capabilities: list[str]
    start_seconds: float
    seconds: float
    size: tuple[int, int]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "png": str(self.png),
            "layers": self.layers,
            "start_seconds": round(self.start_seconds, 3),
            "seconds": round(self.seconds, 3),
            "size": list(self.size),
            "notes": self.notes,
        }


def snapshot(
    out_dir: str | Path | list[str | Path],
    png_path: str | Path | None = None,
    *,
    width: int = 1024,
    theme: str | None = None,
    styles_dir: str | Path | None = None,
    transport: Transport | None = None,
) -> SnapshotResult:
    """Build the project of ``out_dir``, start QGIS Server, check that GetCapabilities lists every layer, save
    one GetMap PNG of all layers (default ``out_dir/map.png``; for several folders, beside their project), and stop
    the server.

    :raises RemoteError: the server did not start, or a layer is missing from its capabilities.
    :raises OutputError: the PNG cannot be written.
    """
    started = time.perf_counter()
    server = open_server(out_dir, theme=theme, styles_dir=styles_dir)
    build = server.build
    assert build is not None  # a folder was given
    target = Path(png_path) if png_path else build.path.parent / SNAPSHOT_NAME
    xmin, ymin, xmax, ymax = build.extent
    height = max(64, round(width * (ymax - ymin) / (xmax - xmin)))
    if height > 2 * width:  # a tall area: keep the image at most 2:1 and widen the box instead
        height = 2 * width
        mid, half = (xmin + xmax) / 2, (ymax - ymin) / height * width / 2
        xmin, xmax = mid - half, mid + half
    with server:
        names = capabilities_layers(server, transport)
        missing = [n for n in build.layer_names if n not in names]
        if missing:
            raise RemoteError(
                f"QGIS Server does not list the {agree(len(missing), 'layer', 'layers', 'en')} {', '.join(missing)}.",
                "See the server output.",
                server.log[-4000:],
                message_fr=f"QGIS Server ne liste pas {agree(len(missing), 'la couche', 'les couches')} "
                f"{', '.join(missing)}.",
                hint_fr="Consultez la sortie du serveur.",
            )
        png = get_map(
            server, list(reversed(build.layer_names)), (xmin, ymin, xmax, ymax), width, height, transport=transport
        )
        start_seconds = server.start_seconds
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(png)
    except OSError as exc:
        raise OutputError(
            f"Cannot write {target}: {exc.strerror}.",
            "Check the folder's permissions.",
            message_fr=f"Impossible d'écrire {target} : {exc.strerror}.",
            hint_fr="Vérifiez les droits d'accès du dossier.",
        ) from None
    return SnapshotResult(
        target, build.layer_names, names, start_seconds, time.perf_counter() - started, (width, height), build.notes
    )
