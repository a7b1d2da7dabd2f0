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


def check_url(value: str, what: str, *, relative: bool = False, what_fr: str = "") -> str:
    """``value`` when it is an absolute http(s) URL (or, with ``relative``, a path such as ``odl-embed/``).

    :param what: the address's name in the message ("Map server (--server)"); :param what_fr: the same in French
        (« Serveur cartographique (--server) »), ``what`` when empty.
    :raises InputError: another scheme (``javascript:``, ``file:``, ``data:``) or no host.
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https") and parts.netloc:
        return text
    if relative and not parts.scheme and not parts.netloc and text and not text.startswith("//"):
        return text
    raise InputError(
        f'{what}: "{value}" is not a valid http(s) address.',
        "Give a full address, for example https://carto.ma-commune.fr/geoserver/commune/wms.",
        message_fr=f"{what_fr or what} : « {value} » n'est pas une adresse http(s) valable.",
        hint_fr="Donnez une adresse complète, par exemple https://carto.ma-commune.fr/geoserver/commune/wms.",
    )


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
            raise InputError(
                "Nothing to embed: neither a map (map server and layers) nor a catalogue (organisation or territory).",
                "Give --from a published folder or a job file, or --server and --theme, or --org.",
                message_fr="Rien à intégrer : ni carte (serveur cartographique et couches) ni catalogue (organisation "
                "ou territoire).",
                hint_fr="Donnez --from un dossier publié ou un fichier de tâche, ou --server et --theme, ou --org.",
            )
        check_url(self.assets.base, "Address of the component files (--assets)", relative=True,
                  what_fr="Adresse des fichiers du composant (--assets)")  # fmt: skip
        for spec in (self.map, self.catalogue):
            if spec is not None and spec.lang not in LANGS:
                raise InputError(
                    f'Unknown language "{spec.lang}".',
                    "Use fr or en.",
                    message_fr=f"Langue « {spec.lang} » inconnue.",
                    hint_fr="Utilisez fr ou en.",
                )
        if self.map is not None:
            m = self.map
            check_url(m.server, "Map server (--server)", relative=True, what_fr="Serveur cartographique (--server)")
            if m.server_type not in SERVER_TYPES:
                raise InputError(
                    f'Unknown server type "{m.server_type}".',
                    "Use qgis or geoserver.",
                    message_fr=f"Type de serveur « {m.server_type} » inconnu.",
                    hint_fr="Utilisez qgis ou geoserver.",
                )
            unknown = [t for t in m.themes if t not in THEMES]
            if unknown:
                raise InputError(
                    f"{agree(len(unknown), 'Unknown theme', 'Unknown themes', 'en')}: {', '.join(unknown)}.",
                    f"Themes: {', '.join(THEMES)}.",
                    message_fr=f"{agree(len(unknown), 'Thème inconnu', 'Thèmes inconnus')} : {', '.join(unknown)}.",
                    hint_fr=f"Thèmes : {', '.join(THEMES)}.",
                )
            if not m.layers and not m.themes:
                raise InputError(
                    "The map has neither a layer nor a theme.",
                    "Give --theme (hiking water pei flood).",
                    message_fr="La carte n'a ni couche ni thème.",
                    hint_fr="Donnez --theme (hiking water pei flood).",
                )
            if m.outline_src:
                check_url(m.outline_src, "Outline (outline-src)", relative=True, what_fr="Contour (outline-src)")
            if m.datagouv:
                check_url(m.datagouv, "data.gouv.fr (--datagouv)")
            if m.basemap:
                check_url(m.basemap, "Basemap (--basemap)", what_fr="Fond de plan (--basemap)")
        if self.catalogue is not None:
            c = self.catalogue
            check_url(c.datagouv, "data.gouv.fr (--datagouv)")
            if not c.organization and not c.territory:
                raise InputError(
                    "The catalogue has neither an organisation nor a territory.",
                    "Give --org (id or slug) or --territory.",
                    message_fr="Le catalogue n'a ni organisation ni territoire.",
                    hint_fr="Donnez --org (id ou slug) ou --territory.",
                )
            if c.fallback_url:
                check_url(c.fallback_url, "Link without JavaScript", what_fr="Lien sans JavaScript")


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
