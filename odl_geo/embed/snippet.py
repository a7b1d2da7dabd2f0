"""The snippet a webmaster pastes: what goes in the attributes of ``<odl-map>`` and ``<odl-catalogue>``, and its HTML.

The model is plain data (so ``odl-geo embed --json`` and the QGIS plugin get the same thing as the page), and the
rendering escapes every attribute value with :func:`html.escape` (``quote=True``): a layer title, an organisation
slug or a URL comes from files and servers the webmaster does not control, and must never close the attribute or
open a tag in the commune's page. Only ``http(s)`` URLs (or relative ones) are accepted for the addresses the
browser will load.

The element contract (attributes) is fixed with the JavaScript side (``web/src``): see ``docs/embed.md``.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..errors import InputError
from ..numbers import agree

__all__ = ["DEFAULT_DATAGOUV", "Assets", "CatalogueSpec", "MapSpec", "Snippet", "check_url", "render_snippet"]

DEFAULT_DATAGOUV = "https://www.data.gouv.fr"
SERVER_TYPES = ("qgis", "geoserver")
LANGS = ("fr", "en")
THEMES = ("hiking", "water", "pei", "flood")  # what the map component knows (web/src/map.js THEMES)


def check_url(value: str, what: str, *, relative: bool = False) -> str:
    """``value`` when it is an absolute http(s) URL (or, with ``relative``, a path such as ``odl-embed/``).

    :raises InputError: another scheme (``javascript:``, ``file:``, ``data:``) or no host.
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text
    if relative and not parts.scheme and not parts.netloc and text and not text.startswith("//"):
        return text
    message = f"{what} : « {value} » n'est pas une adresse http(s) valable."
    hint = "Donnez une adresse complète, par exemple https://carto.ma-commune.fr/geoserver/commune/wms."
    raise InputError(message, hint, message_fr=message, hint_fr=hint)


@dataclass
class MapSpec:
    """The attributes of one ``<odl-map>``. ``layers`` or ``themes`` (not both needed: layers win in the element)."""

    server: str
    server_type: str = "qgis"
    layers: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    territory: str = ""
    filter_field: str = ""
    outline_src: str = ""
    datagouv: str = ""
    lang: str = "fr"
    height: str = "400px"
    title: str = ""
    attribution: str = ""
    licence: str = ""
    basemap: str = ""  # optional background (XYZ/WMTS template or WMS): none unless the commune asks
    basemap_layers: str = ""
    basemap_attribution: str = ""

    def attributes(self) -> list[tuple[str, str]]:
        """(name, value) in the order written, empty ones left out."""
        pairs = [
            ("server", self.server),
            ("server-type", self.server_type),
            ("layers", ",".join(self.layers)),
            ("theme", " ".join(self.themes)),
            ("territory", self.territory),
            ("filter-field", self.filter_field),
            ("outline-src", self.outline_src),
            ("datagouv", self.datagouv),
            ("lang", self.lang),
            ("height", self.height),
            ("title", self.title),
            ("attribution", self.attribution),
            ("licence", self.licence),
            ("basemap", self.basemap),
            ("basemap-layers", self.basemap_layers),
            ("basemap-attribution", self.basemap_attribution),
        ]
        return [(k, v) for k, v in pairs if v]


@dataclass
class CatalogueSpec:
    """The attributes of one ``<odl-catalogue>``, and the no-JavaScript link shown until the element runs."""

    datagouv: str
    organization: str = ""
    territory: str = ""
    tags: list[str] = field(default_factory=list)
    page_size: int = 10
    lang: str = "fr"
    fallback_url: str = ""  # the organisation's page on data.gouv.fr
    fallback_text: str = ""

    def attributes(self) -> list[tuple[str, str]]:
        pairs = [
            ("datagouv", self.datagouv),
            ("organization", self.organization),
            ("territory", self.territory),
            ("tag", ",".join(self.tags)),
            ("page-size", str(self.page_size) if self.page_size else ""),
            ("lang", self.lang),
        ]
        return [(k, v) for k, v in pairs if v]


@dataclass
class Assets:
    """Where the page loads the components from: a folder URL (``https://carto…/embed/``) or a relative one."""

    base: str = "odl-embed/"

    @property
    def script(self) -> str:
        return self._join("odl-embed.js")

    @property
    def stylesheet(self) -> str:
        return self._join("odl-embed.css")

    def _join(self, name: str) -> str:
        return (self.base if self.base.endswith("/") else self.base + "/") + name


@dataclass
class Snippet:
    """Everything of one embedding: the assets and zero or one map and catalogue."""

    assets: Assets
    map: MapSpec | None = None
    catalogue: CatalogueSpec | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "assets": {"base": self.assets.base, "script": self.assets.script, "stylesheet": self.assets.stylesheet},
            "map": asdict(self.map) if self.map else None,
            "catalogue": asdict(self.catalogue) if self.catalogue else None,
        }

    def validate(self) -> None:
        """:raises InputError: nothing to embed, a bad URL, server type, language or theme."""
        if self.map is None and self.catalogue is None:
            message = (
                "Rien à intégrer : ni carte (serveur cartographique et couches) ni catalogue (organisation "
                "ou territoire)."
            )
            hint = "Donnez --from un dossier publié ou un fichier de tâche, ou --server et --theme, ou --org."
            raise InputError(message, hint, message_fr=message, hint_fr=hint)
        check_url(self.assets.base, "Adresse des fichiers du composant (--assets)", relative=True)
        for spec in (self.map, self.catalogue):
            if spec is not None and spec.lang not in LANGS:
                message, hint = f"Langue « {spec.lang} » inconnue.", "Utilisez fr ou en."
                raise InputError(message, hint, message_fr=message, hint_fr=hint)
        if self.map is not None:
            m = self.map
            check_url(m.server, "Serveur cartographique (--server)", relative=True)
            if m.server_type not in SERVER_TYPES:
                message, hint = f"Type de serveur « {m.server_type} » inconnu.", "Utilisez qgis ou geoserver."
                raise InputError(message, hint, message_fr=message, hint_fr=hint)
            unknown = [t for t in m.themes if t not in THEMES]
            if unknown:
                message = f"{agree(len(unknown), 'Thème inconnu', 'Thèmes inconnus')} : {', '.join(unknown)}."
                hint = f"Thèmes : {', '.join(THEMES)}."
                raise InputError(message, hint, message_fr=message, hint_fr=hint)
            if not m.layers and not m.themes:
                message, hint = "La carte n'a ni couche ni thème.", "Donnez --theme (hiking water pei flood)."
                raise InputError(message, hint, message_fr=message, hint_fr=hint)
            if m.outline_src:
                check_url(m.outline_src, "Contour (outline-src)", relative=True)
            if m.datagouv:
                check_url(m.datagouv, "data.gouv.fr (--datagouv)")
            if m.basemap:
                check_url(m.basemap, "Fond de plan (--basemap)")
        if self.catalogue is not None:
            c = self.catalogue
            check_url(c.datagouv, "data.gouv.fr (--datagouv)")
            if not c.organization and not c.territory:
                message = "Le catalogue n'a ni organisation ni territoire."
                hint = "Donnez --org (id ou slug) ou --territory."
                raise InputError(message, hint, message_fr=message, hint_fr=hint)
            if c.fallback_url:
                check_url(c.fallback_url, "Lien sans JavaScript")


def _attrs(pairs: list[tuple[str, str]], indent: str) -> str:
    return "".join(f"\n{indent}{name}=\"{html.escape(value, quote=True)}\"" for name, value in pairs)


def render_snippet(snippet: Snippet, *, head: bool = True) -> str:
    """The HTML to paste: the two ``<link>``/``<script>`` tags (``head``) then the elements, every value escaped."""
    out: list[str] = []
    if head:
        out.append(f'<link rel="stylesheet" href="{html.escape(snippet.assets.stylesheet, quote=True)}">')
        out.append(f'<script type="module" src="{html.escape(snippet.assets.script, quote=True)}"></script>')
    if snippet.map is not None:
        out.append(f"<odl-map{_attrs(snippet.map.attributes(), '  ')}>\n</odl-map>")
    if snippet.catalogue is not None:
        c = snippet.catalogue
        inner = ""
        if c.fallback_url:
            text = c.fallback_text or (
                "Voir les données ouvertes sur data.gouv.fr" if c.lang == "fr" else "See the open data on data.gouv.fr"
            )
            inner = (
                f'\n  <p><a href="{html.escape(c.fallback_url, quote=True)}">{html.escape(text, quote=True)}</a></p>\n'
            )
        else:
            inner = "\n"
        out.append(f"<odl-catalogue{_attrs(c.attributes(), '  ')}>{inner}</odl-catalogue>")
    return "\n".join(out) + "\n"
