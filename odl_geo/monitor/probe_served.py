"""The embedded QGIS Server as a target (``odl-geo monitor --serve``): each converted dataset folder's project
(``project.qgs``, written by ``odl-geo serve``) served by a real ``qgis_mapserver`` on 127.0.0.1 for the time of
its probes, then the same map server probes as for GeoServer. The project is served as it is, never rewritten:
the monitor changes nothing in the output folders."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..errors import OdlGeoError
from .model import FAILED, Probe
from .probe_ogc import probe_ows
from .targets import load_manifest

if TYPE_CHECKING:
    from ..jobs import Job
    from .model import ProbeHttp

__all__ = ["probe_served"]

PROJECT = "project.qgs"


def _layers(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The manifest's layers with an extent: the GeoPackage's (what the project serves), else every file's."""
    out: dict[str, dict[str, Any]] = {}
    files = [f for f in manifest.get("files") or [] if isinstance(f, dict)]
    gpkg = [f for f in files if f.get("format") == "gpkg"]
    for f in gpkg or files:
        if f.get("layer") and f.get("bbox") and f["layer"] not in out:
            out[f["layer"]] = {"name": f["layer"], "features": f.get("feature_count"), "bbox": f["bbox"],
                               "crs": f.get("crs")}  # fmt: skip
    return list(out.values())


def probe_served(job: Job, only: set[str] | None, http: ProbeHttp) -> list[Probe]:
    from ..serve import open_server

    probes: list[Probe] = []
    for ds in job.datasets:
        folder = job.out / ds.name
        manifest = load_manifest(folder)
        if (only and ds.name not in only) or not manifest:
            continue
        project = folder / PROJECT
        if not project.is_file():
            probes.append(Probe(ds.name, "qgis-wms", "capabilities", "wms", FAILED,
                                f"no {PROJECT} in {folder}: run odl-geo serve {folder} once", str(folder)))  # fmt: skip
            continue
        start = time.monotonic()
        try:
            server = open_server(project).start()
        except OdlGeoError as exc:
            probes.append(Probe(ds.name, "qgis-wms", "capabilities", "wms", FAILED,
                                f"QGIS Server does not start on {project}: {exc.message}", str(project),
                                time.monotonic() - start))  # fmt: skip
            continue
        try:
            found = probe_ows(ds.name, server.ows_url, server.ows_url, _layers(manifest), http)
        finally:
            server.stop()
        for p in found:
            p.service = f"qgis-{p.service}"
        probes += found
    return probes
