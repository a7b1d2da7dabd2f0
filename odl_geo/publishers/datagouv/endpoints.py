"""Every URL of the udata API v1 used by odl-geo, and nowhere else.

udata is the software behind data.gouv.fr; the same paths work on production (https://www.data.gouv.fr),
the demo instance (https://demo.data.gouv.fr) and any other udata.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from ...errors import InputError

__all__ = ["DEMO_URL", "PRODUCTION_URL", "Endpoints"]

PRODUCTION_URL = "https://www.data.gouv.fr"
DEMO_URL = "https://demo.data.gouv.fr"
API_PREFIX = "/api/1"


def _seg(value: str) -> str:
    """One path segment, quoted (ids are hex or UUIDs, slugs are ASCII; a stray ``/`` must not change the path)."""
    return quote(str(value), safe="{}")  # {placeholders} of a dry run stay readable


class Endpoints:
    """URLs of one udata instance.

    :param base_url: the site (``https://www.data.gouv.fr``) or its API root (``.../api/1``); both are accepted.
    :raises InputError: the URL is not http(s).
    """

    def __init__(self, base_url: str) -> None:
        url = base_url.strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(
                f"The udata URL {base_url!r} is not an http(s) URL.",
                f"Give the site, e.g. {PRODUCTION_URL} or {DEMO_URL} (the demo instance, for trials).",
                message_fr=f"L'URL udata {base_url!r} n'est pas une URL http(s).",
                hint_fr=f"Indiquez le site, p. ex. {PRODUCTION_URL} ou {DEMO_URL} (l'instance de démonstration, pour "
                "les essais).",
            )
        url = url.removesuffix(API_PREFIX)
        self.site = url
        self.api = url + API_PREFIX

    def __repr__(self) -> str:
        return f"Endpoints({self.site!r})"

    # --- site-wide lists --------------------------------------------------------------------------
    def me(self) -> str:
        return f"{self.api}/me/"

    def extensions(self) -> str:
        return f"{self.api}/datasets/extensions/"

    def licenses(self) -> str:
        return f"{self.api}/datasets/licenses/"

    def frequencies(self) -> str:
        return f"{self.api}/datasets/frequencies/"

    def schemas(self) -> str:
        """The schema catalog the instance accepts on resources (schema.data.gouv.fr's, on data.gouv.fr)."""
        return f"{self.api}/datasets/schemas/"

    def zones(self, ids: list[str] | tuple[str, ...]) -> str:
        """Several zones at once: 404 (``Unknown zone identifiers: …``) when one of them is unknown."""
        return f"{self.api}/spatial/zones/{','.join(_seg(i) for i in ids)}/"

    def zone(self, zone_id: str) -> str:
        return f"{self.api}/spatial/zone/{_seg(zone_id)}/"

    # --- organizations ----------------------------------------------------------------------------
    def organization(self, id_or_slug: str) -> str:
        return f"{self.api}/organizations/{_seg(id_or_slug)}/"

    def organization_datasets(self, org_id: str) -> str:
        return f"{self.api}/organizations/{_seg(org_id)}/datasets/"

    # --- datasets and resources -------------------------------------------------------------------
    def datasets(self) -> str:
        return f"{self.api}/datasets/"

    def dataset(self, id_or_slug: str) -> str:
        return f"{self.api}/datasets/{_seg(id_or_slug)}/"

    def dataset_upload(self, dataset_id: str) -> str:
        """POST a file (or its chunks): creates a new file resource."""
        return f"{self.api}/datasets/{_seg(dataset_id)}/upload/"

    def resources(self, dataset_id: str) -> str:
        """POST a remote resource (URL, WMS, WFS...); files go through :meth:`dataset_upload`."""
        return f"{self.api}/datasets/{_seg(dataset_id)}/resources/"

    def resource(self, dataset_id: str, resource_id: str) -> str:
        return f"{self.api}/datasets/{_seg(dataset_id)}/resources/{_seg(resource_id)}/"

    def resource_upload(self, dataset_id: str, resource_id: str) -> str:
        """POST a file (or its chunks) that replaces the resource's file in place (same resource id)."""
        return f"{self.api}/datasets/{_seg(dataset_id)}/resources/{_seg(resource_id)}/upload/"

    def dataset_page(self, slug: str) -> str:
        """The human page of a dataset (for messages)."""
        return f"{self.site}/datasets/{_seg(slug)}/"
