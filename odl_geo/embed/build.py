"""``odl-geo embed``: from what was published (and the options given), the snippet, and the files written for it.

:func:`build_snippet` decides the attributes (pure: reads local files, writes nothing) and
:func:`write_embed` writes ``snippet.html``, ``index.html``, ``LISEZMOI.txt`` and, for a self-hosted site, the
components' files in ``odl-embed/`` (with a territory outline when odl-geo has one).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import OutputError, SourceNotFoundError
from ..report import Issue, Severity
from .discover import INSEE_FIELDS, Discovery, discover
from .outline import OUTLINE_KINDS, write_outline
from .page import content_security_policy, render_page, render_readme
from .snippet import DEFAULT_DATAGOUV, THEMES, Assets, CatalogueSpec, MapSpec, Snippet, check_url, render_snippet
from .territory import Territory, parse_territory, territory_from_zone

__all__ = ["ASSETS_DIR", "LOCAL_SERVER", "STATIC_DIR", "EmbedOptions", "EmbedResult", "build_snippet", "write_embed"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
ASSETS_DIR = "odl-embed"
LOCAL_SERVER = "http://127.0.0.1:8000/ows/"  # what `odl-geo serve OUTDIR` answers on by default
#: data.gouv.fr licence id -> the page the map's licence line links to
LICENCE_URLS = {
    "lov2": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "fr-lo": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "odc-odbl": "https://opendatacommons.org/licenses/odbl/",
    "cc-by": "https://creativecommons.org/licenses/by/4.0/",
}


@dataclass
class EmbedOptions:
    """What the user gave; everything empty is taken from ``sources`` (published folders, job files)."""

    sources: list[str | Path] = field(default_factory=list)
    organization: str = ""
    territory: str = ""
    themes: list[str] = field(default_factory=list)
    server: str = ""
    server_type: str = ""
    datagouv: str = ""
    assets: str = "copy"  # "copy" (into OUT_DIR/odl-embed/) or the URL of a folder serving the components
    lang: str = "fr"
    title: str = ""
    attribution: str = ""  # default: the producers the manifests name
    licence: str = ""  # default: the licence the job publishes under on data.gouv.fr
    basemap: str = ""  # optional background map URL (none by default: intranet first)
    basemap_layers: str = ""
    basemap_attribution: str = ""
    tags: list[str] = field(default_factory=list)
    page_size: int = 10
    map: bool = True
    catalogue: bool = True


@dataclass
class EmbedResult:
    snippet: Snippet
    discovery: Discovery
    territory: Territory | None
    files: list[str] = field(default_factory=list)
    csp: str = ""

    @property
    def notes(self) -> list[Issue]:
        return self.discovery.notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "snippet": render_snippet(self.snippet),
            "attributes": self.snippet.to_dict(),
            "territory": {"code": str(self.territory), "name": self.territory.name, "zone": self.territory.zone_id}
            if self.territory else None,
            "content_security_policy": self.csp,
            "found": self.discovery.to_dict(),
            "files": self.files,
        }  # fmt: skip


def _note(d: Discovery, code: str, en: str, fr: str, severity: Severity = Severity.INFO) -> None:
    d.notes.append(Issue(code, severity, en, message_fr=fr))


def _territory(options: EmbedOptions, found: Discovery) -> Territory | None:
    if options.territory:
        return parse_territory(options.territory)
    zones = list(dict.fromkeys(z for per in found.zones for z in per))
    if len(zones) == 1 and (t := territory_from_zone(zones[0])) is not None:
        return t
    if zones:
        _note(found, "EMBED_TERRITORY_AMBIGUOUS",
              f"The published datasets cover several zones ({', '.join(zones)}): no territory chosen.",
              f"Les jeux publiés couvrent plusieurs zones ({', '.join(zones)}) : aucun territoire choisi ; "
              "donnez --territory (par exemple commune:34172).")  # fmt: skip
    return None


def _server(options: EmbedOptions, found: Discovery) -> tuple[str, str]:
    if options.server:
        url = check_url(options.server, "Map server (--server)", what_fr="Serveur cartographique (--server)")
        kind = options.server_type or ("geoserver" if "geoserver" in url.lower() else "qgis")
        return url, kind
    if found.servers:
        if len(found.servers) > 1:
            others = ", ".join(u for u, _ in found.servers[1:])
            _note(found, "EMBED_SEVERAL_SERVERS", f"Several map servers were published to; the map uses "
                  f"{found.servers[0][0]} (not {others}).", f"Plusieurs serveurs cartographiques : la carte utilise "
                  f"{found.servers[0][0]} (pas {others}) ; une carte par serveur, avec --server.",
                  Severity.WARNING)  # fmt: skip
        url, kind = found.servers[0]
        return url, options.server_type or kind
    _note(found, "EMBED_LOCAL_SERVER",
          f"No map server address published: the map uses {LOCAL_SERVER} (odl-geo serve on this computer only).",
          f"Aucune adresse de serveur cartographique publiée : la carte utilise {LOCAL_SERVER} (odl-geo serve, "
          "sur cet ordinateur seulement) ; donnez --server avec l'adresse publique du WMS.",
          Severity.WARNING)  # fmt: skip
    return LOCAL_SERVER, options.server_type or "qgis"


def _filter_field(found: Discovery, themes: list[str], server_type: str, territory: Territory | None) -> str:
    """The INSEE field every layer of the map has (a server-side filter on all layers needs it on each)."""
    if territory is None or territory.kind != "commune":
        return ""
    target = "geoserver" if server_type == "geoserver" else "qgis"
    layers = [lyr for lyr in found.layers if lyr.theme in themes and lyr.target == target] or [
        lyr for lyr in found.layers if lyr.theme in themes
    ]
    for name in INSEE_FIELDS:
        if layers and all(name in lyr.fields for lyr in layers):
            return name
    if layers:
        _note(found, "EMBED_NO_FILTER_FIELD",
              "Not every layer of the map has a field holding one INSEE code: the map shows the commune's "
              "outline over the whole layers instead of filtering them.",
              "Toutes les couches de la carte n'ont pas de champ portant un code INSEE : la carte montre le "
              "contour de la commune sur les couches entières, sans les filtrer.")  # fmt: skip
    return ""


def _attribution(found: Discovery, themes: list[str]) -> str:
    """The producers of the layers shown (the theme runs recorded them), at most three."""
    producers = list(dict.fromkeys(lyr.producer for lyr in found.layers if lyr.theme in themes and lyr.producer))
    return "; ".join(producers[:3]) + (" …" if len(producers) > 3 else "")


def build_snippet(options: EmbedOptions) -> EmbedResult:
    """Decide every attribute (see the module docstring); writes nothing.

    :raises InputError: a bad territory, theme, URL or language, or nothing to embed.
    :raises SourceNotFoundError: a ``--from`` path is not a published folder or a job file.
    """
    found = discover(list(options.sources)) if options.sources else Discovery()
    territory = _territory(options, found)
    themes = [t.strip().lower() for t in options.themes if t.strip()] or [t for t in THEMES if t in found.themes]
    datagouv = (options.datagouv or (found.datagouv[0] if found.datagouv else DEFAULT_DATAGOUV)).rstrip("/")
    check_url(datagouv, "data.gouv.fr (--datagouv)")
    if options.assets == "copy":
        assets = Assets(f"{ASSETS_DIR}/")
    else:
        url = check_url(options.assets, "Address of the components (--assets)", relative=True,
                        what_fr="Adresse des composants (--assets)")  # fmt: skip
        assets = Assets(url)
    map_spec = None
    if options.map and (themes or options.server):
        server, server_type = _server(options, found)
        map_spec = MapSpec(
            server=server, server_type=server_type, themes=themes, lang=options.lang, title=options.title,
            territory=str(territory) if territory else "",
            filter_field=_filter_field(found, themes, server_type, territory),
            attribution=options.attribution or _attribution(found, themes),
            licence=options.licence or (LICENCE_URLS.get(found.licenses[0], "") if len(found.licenses) == 1 else ""),
            basemap=options.basemap, basemap_layers=options.basemap_layers,
            basemap_attribution=options.basemap_attribution,
        )  # fmt: skip
        if territory is not None:
            # the outline: a file odl-geo writes (communes, EPCI, départements, régions), else the zone API
            if territory.kind in OUTLINE_KINDS and options.assets == "copy":
                map_spec.outline_src = f"{ASSETS_DIR}/{_outline_name(territory)}"
            else:
                map_spec.datagouv = datagouv
    organization = options.organization or (found.organizations[0] if found.organizations else "")
    if len(found.organizations) > 1 and not options.organization:
        _note(found, "EMBED_SEVERAL_ORGANIZATIONS",
              f"Several organisations published to; the catalogue lists {organization}'s datasets.",
              f"Plusieurs organisations : le catalogue liste les jeux de {organization} ; choisissez avec --org.",
              Severity.WARNING)  # fmt: skip
    cat_spec = None
    if options.catalogue and (organization or options.territory):
        cat_spec = CatalogueSpec(
            datagouv=datagouv, organization=organization, territory=str(territory) if territory else "",
            tags=[t for t in options.tags if t], page_size=options.page_size, lang=options.lang,
            fallback_url=f"{datagouv}/fr/organizations/{organization}/" if organization else f"{datagouv}/fr/datasets/",
        )  # fmt: skip
    elif options.catalogue and not organization:
        _note(found, "EMBED_NO_ORGANIZATION", "No data.gouv.fr organisation found: no catalogue.",
              "Aucune organisation data.gouv.fr trouvée : pas de catalogue (donnez --org).")  # fmt: skip
    snippet = Snippet(assets, map_spec, cat_spec)
    snippet.validate()
    return EmbedResult(snippet, found, territory, csp=content_security_policy(snippet))


def _outline_name(territory: Territory) -> str:
    return f"contour-{territory.kind}-{territory.code}.geojson"


def write_embed(out_dir: str | Path, options: EmbedOptions, *, notice: str = "") -> EmbedResult:
    """Build the snippet and write ``snippet.html``, ``index.html``, ``LISEZMOI.txt`` (+ ``odl-embed/``) in ``out_dir``.

    :param notice: a sentence shown on top of ``index.html`` (the demo says its catalogue answer is recorded).
    :raises SourceNotFoundError: ``--assets copy`` but the components are not built (``make setup`` builds them).
    :raises OutputError: ``out_dir`` cannot be written.
    """
    result = build_snippet(options)
    out = Path(out_dir)
    copied = options.assets == "copy"
    target = out / ASSETS_DIR
    if copied and target.exists() and not (target / "odl-embed.js").is_file():
        raise OutputError(
            f"{target} exists and does not hold odl-geo's components: odl-geo does not replace it.",
            "Choose another output folder, or move this folder away.",
            message_fr=f"{target} existe et ne contient pas les composants d'odl-geo : odl-geo ne le remplace pas.",
            hint_fr="Choisissez un autre dossier de sortie, ou déplacez ce dossier.",
        )
    if copied and not (STATIC_DIR / "odl-embed.js").is_file():
        raise SourceNotFoundError(
            f"The web components are not built ({STATIC_DIR / 'odl-embed.js'} is missing).",
            "Run make setup (it builds web/ with npm), or give --assets the URL of the server that serves them.",
            message_fr=f"Les composants web ne sont pas construits ({STATIC_DIR / 'odl-embed.js'} manque).",
            hint_fr="Lancez make setup (il construit web/ avec npm), ou donnez --assets URL du serveur qui les sert.",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        outline_file = ""
        if copied:
            if target.exists():
                shutil.rmtree(target)  # our own copy: an older bundle's chunks must not linger
            shutil.copytree(STATIC_DIR, target)
            result.files.append(f"{ASSETS_DIR}/")
            if result.snippet.map and result.snippet.map.outline_src and result.territory is not None:
                outline_file = _outline_name(result.territory)
                if write_outline(result.territory, target / outline_file):
                    result.files.append(f"{ASSETS_DIR}/{outline_file}")
                else:  # no outline after all: back to the zone API
                    result.snippet.map.outline_src, outline_file = "", ""
                    result.snippet.map.datagouv = result.snippet.catalogue.datagouv if result.snippet.catalogue \
                        else DEFAULT_DATAGOUV
        title = options.title or ("Données ouvertes" + (f" - {result.territory.name}" if result.territory and
                                                       result.territory.name else ""))  # fmt: skip
        notes = [n.text("fr") for n in result.notes]
        for name, text in (
            ("snippet.html", render_snippet(result.snippet)),
            ("index.html", render_page(result.snippet, title=title, notice=notice, lang=options.lang)),
            ("LISEZMOI.txt", render_readme(result.snippet, copied=copied, outline_file=outline_file, notes=notes)),
        ):
            (out / name).write_text(text, encoding="utf-8")
            result.files.append(name)
    except OSError as exc:
        raise OutputError(
            f"Cannot write to {out}: {exc.strerror or exc}.",
            "Check the folder and its permissions.",
            message_fr=f"Impossible d'écrire dans {out} : {exc.strerror or exc}.",
            hint_fr="Vérifiez le dossier et ses droits.",
        ) from None
    result.csp = content_security_policy(result.snippet)
    return result
