"""Every CSW request odl-geo sends, spelled once: one service URL, KVP for reads, XML POST for the rest.

A CSW has a single URL; operations are told apart by ``request=`` (GET) or by the root element of a POST body.
pycsw serves discovery and transactions at the same URL. GeoNetwork splits them: ``…/srv/fre/csw`` answers
discovery anonymously, ``…/srv/fre/csw-publication`` answers the same discovery requests *and* CSW-T, for an
authenticated user with editor rights (HTTP Basic). odl-geo talks to one URL: give the ``csw-publication`` one.
"""

from __future__ import annotations

__all__ = ["CSW_NS", "GMD_NS", "Endpoints"]

CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"
GMD_NS = "http://www.isotc211.org/2005/gmd"


class Endpoints:
    """The URL of one CSW and the query parameters of its KVP (GET) requests.

    :param url: the CSW endpoint, e.g. ``http://127.0.0.1:8000/csw`` (pycsw) or
        ``https://catalogue.example.fr/geonetwork/srv/fre/csw-publication`` (GeoNetwork CSW-T).
    """

    def __init__(self, url: str) -> None:
        self.url = url.strip()

    def capabilities(self) -> tuple[str, dict[str, str]]:
        return self.url, {"service": "CSW", "version": "2.0.2", "request": "GetCapabilities"}

    def record_by_id(self, identifier: str) -> tuple[str, dict[str, str]]:
        """GetRecordById in ISO 19139 (``outputSchema`` gmd, ``full``): the stored ``gmd:MD_Metadata`` itself."""
        return self.url, {
            "service": "CSW",
            "version": "2.0.2",
            "request": "GetRecordById",
            "id": identifier,
            "outputSchema": GMD_NS,
            "elementSetName": "full",
        }

    def transaction(self) -> str:
        """CSW-T Insert/Update: an XML ``csw:Transaction`` POSTed to the service URL."""
        return self.url

    def records(self) -> str:
        """GetRecords with an OGC filter: an XML ``csw:GetRecords`` POSTed to the service URL."""
        return self.url
