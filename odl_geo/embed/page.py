"""The standalone ``index.html`` using the snippet, the Content-Security-Policy it needs, and ``LISEZMOI.txt``.

The page has no inline script, style or event handler, so it works under the strict policy docs/embed.md gives
(``script-src 'self'``, no ``'unsafe-inline'``, no ``'unsafe-eval'``); every value in it is escaped.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from .snippet import Snippet, render_snippet

__all__ = ["content_security_policy", "render_page", "render_readme"]


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def content_security_policy(snippet: Snippet) -> str:
    """The policy for a page holding ``snippet``: the map server and data.gouv.fr for images and requests, the
    components' own origin when loaded from elsewhere. Same form as web/README.md and the browser tests."""
    remote: list[str] = []
    if snippet.map is not None:
        remote += [o for o in (_origin(snippet.map.server), _origin(snippet.map.datagouv),
                               _origin(snippet.map.outline_src)) if o]  # fmt: skip
    if snippet.catalogue is not None and (o := _origin(snippet.catalogue.datagouv)):
        remote.append(o)
    remote = list(dict.fromkeys(remote))
    assets = _origin(snippet.assets.base)
    code = f"'self' {assets}" if assets else "'self'"
    more = (" " + " ".join(remote)) if remote else ""
    # the background map is only drawn as images: its origin goes to img-src, not connect-src
    base = _origin(snippet.map.basemap) if snippet.map is not None and snippet.map.basemap else None
    images = more + (f" {base}" if base and base not in remote else "")
    return (
        f"default-src 'self'; script-src {code}; style-src {code}; img-src 'self' data:{images}; "
        f"connect-src 'self'{more}"
    )


def render_page(snippet: Snippet, *, title: str = "Données ouvertes", notice: str = "", lang: str = "fr") -> str:
    """A whole HTML page around the snippet (what ``odl-geo embed`` writes as ``index.html``)."""
    e = html.escape
    body = render_snippet(snippet, head=False)
    notice_html = f'<p class="odl-demo-notice"><strong>{e(notice)}</strong></p>\n' if notice else ""
    return (
        "<!doctype html>\n"
        f'<html lang="{e(lang, quote=True)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n"
        '<link rel="icon" href="data:,">\n'
        f'<link rel="stylesheet" href="{e(snippet.assets.stylesheet, quote=True)}">\n'
        f'<script type="module" src="{e(snippet.assets.script, quote=True)}"></script>\n'
        "</head>\n<body>\n<main>\n"
        f"<h1>{e(title)}</h1>\n{notice_html}{body}</main>\n</body>\n</html>\n"
    )


def render_readme(snippet: Snippet, *, copied: bool, outline_file: str = "", notes: list[str] | None = None) -> str:
    """``LISEZMOI.txt``: for the webmaster, in French, short."""
    lines = [
        "Intégrer la carte et le catalogue de données ouvertes sur le site de la commune",
        "=" * 78,
        "",
        "1. Dans l'en-tête (<head>) de la page, collez les deux premières lignes de snippet.html :",
        f"     <link rel=\"stylesheet\" href=\"{snippet.assets.stylesheet}\">",
        f"     <script type=\"module\" src=\"{snippet.assets.script}\"></script>",
        "   Dans le corps de la page, à l'endroit voulu, collez la suite (<odl-map> et/ou <odl-catalogue>).",
        "   index.html est une page complète qui fait déjà cela : ouvrez-la pour voir le résultat.",
        "",
    ]
    if copied:
        lines += [
            "2. Fichiers à héberger : déposez le dossier odl-embed/ sur le site, à côté de la page",
            "   (les adresses du snippet sont relatives : odl-embed/odl-embed.js). Ce sont les seuls fichiers",
            "   à copier ; aucune donnée n'est copiée sur le site.",
        ]
    else:
        lines += [
            f"2. Rien à héberger : les composants sont chargés depuis {snippet.assets.base}",
            "   (le serveur cartographique). Si ce serveur n'est pas joignable, la carte ne s'affiche pas.",
        ]
    if outline_file:
        lines.append(f"   Le contour du territoire est dans odl-embed/{outline_file} (IGN ADMIN EXPRESS, "
                     "Licence Ouverte).")
    lines += [
        "",
        "3. Politique de sécurité (en-tête HTTP Content-Security-Policy) à régler sur le serveur web du site :",
        f"     Content-Security-Policy: {content_security_policy(snippet)}",
        "   Aucun script en ligne n'est nécessaire ('unsafe-inline' et 'unsafe-eval' restent interdits).",
        "",
        "4. Mise à jour : rien à faire. La carte interroge le serveur cartographique (WMS) et le catalogue",
        "   l'API de data.gouv.fr à chaque affichage de la page : quand le service SIG republie, la page montre",
        "   les nouvelles données au chargement suivant, sans recoller le code.",
        "",
        "Sans JavaScript, le catalogue affiche un lien vers la page de l'organisation sur data.gouv.fr.",
        "Guide complet : docs/embed.md d'odl-geo.",
    ]
    if notes:
        lines += ["", "Remarques d'odl-geo :", *[f"  - {n}" for n in notes]]
    return "\n".join(lines) + "\n"
