"""Every GeoServer URL odl-geo calls, spelled once (contract §1).

Rules: no trailing slash (GeoServer 3 answers 404), names percent-encoded (GeoServer decodes ``+`` as a space),
catalog reads end in ``.json`` (the client also sends ``Accept: application/json``).
"""

from __future__ import annotations

from urllib.parse import quote

__all__ = ["Endpoints"]


def _q(name: str) -> str:
    return quote(name, safe="")


class Endpoints:
    """URLs of one GeoServer, from its base URL (``https://host/geoserver``, with or without ``/rest``)."""

    def __init__(self, base_url: str) -> None:
        base = base_url.rstrip("/")
        base = base.removesuffix("/rest").removesuffix("/web")
        self.base = base
        self.rest = f"{base}/rest"

    # -- server
    def about_version(self) -> str:
        return f"{self.rest}/about/version.json"

    # -- workspaces (W1-W5)
    def workspaces(self) -> str:
        return f"{self.rest}/workspaces"

    def workspace(self, ws: str, *, read: bool = True) -> str:
        return f"{self.rest}/workspaces/{_q(ws)}{'.json' if read else ''}"

    # -- datastores (DS1-DS6)
    def datastores(self, ws: str) -> str:
        return f"{self.workspace(ws, read=False)}/datastores"

    def datastore(self, ws: str, ds: str, *, read: bool = True) -> str:
        return f"{self.datastores(ws)}/{_q(ds)}{'.json' if read else ''}"

    def datastore_reset(self, ws: str, ds: str) -> str:
        """``…/datastores/{ds}/reset``: drops the caches and connections of that one store (DataStoreController)."""
        return f"{self.datastore(ws, ds, read=False)}/reset"

    def datastore_file(self, ws: str, ds: str, fmt: str = "gpkg") -> str:
        """DS6 ``PUT .../datastores/{ds}/file.{fmt}``: the body is the file itself."""
        return f"{self.datastore(ws, ds, read=False)}/file.{fmt}"

    # -- feature types (FT1-FT5)
    def featuretypes(self, ws: str, ds: str, *, read: bool = True) -> str:
        return f"{self.datastore(ws, ds, read=False)}/featuretypes{'.json' if read else ''}"

    def featuretype(self, ws: str, ds: str, ft: str, *, read: bool = True) -> str:
        return f"{self.featuretypes(ws, ds, read=False)}/{_q(ft)}{'.json' if read else ''}"

    # -- styles (ST1-ST6), always workspace styles: odl-geo never writes global styles
    def styles(self, ws: str) -> str:
        return f"{self.workspace(ws, read=False)}/styles"

    def style(self, ws: str, st: str, *, read: bool = True) -> str:
        return f"{self.styles(ws)}/{_q(st)}{'.json' if read else ''}"

    # -- layers (L1-L3)
    def layer(self, ws: str, name: str, *, read: bool = True) -> str:
        return f"{self.rest}/layers/{_q(ws)}:{_q(name)}{'.json' if read else ''}"

    # -- OGC services of a workspace (virtual services, D10)
    def ows(self, ws: str, service: str) -> str:
        """``{base}/{ws}/wms`` or ``.../wfs``: the layers of one workspace, names without prefix."""
        return f"{self.base}/{_q(ws)}/{service}"
