"""Web embedding for commune websites: the ``<odl-map>`` and ``<odl-catalogue>`` web components.

The components themselves are JavaScript (``web/``, built by ``node web/build.mjs`` into ``static/`` of this
package, which ``odl-geo serve`` serves and a wheel carries); this package holds the Python side that writes
the snippet a webmaster pastes: ``territory`` (codes checked), ``snippet`` (the attributes and their escaped
HTML), ``discover`` (what was published), ``outline`` (the territory outlines odl-geo ships), ``page``
(index.html, the CSP, LISEZMOI.txt), ``build`` (``odl-geo embed``).
"""

from .build import ASSETS_DIR, LOCAL_SERVER, STATIC_DIR, EmbedOptions, EmbedResult, build_snippet, write_embed
from .discover import Discovery, PublishedLayer, discover
from .page import content_security_policy, render_page, render_readme
from .snippet import Assets, CatalogueSpec, MapSpec, Snippet, render_snippet
from .territory import Territory, parse_territory

__all__ = [
    "ASSETS_DIR",
    "LOCAL_SERVER",
    "STATIC_DIR",
    "Assets",
    "CatalogueSpec",
    "Discovery",
    "EmbedOptions",
    "EmbedResult",
    "MapSpec",
    "PublishedLayer",
    "Snippet",
    "Territory",
    "build_snippet",
    "content_security_policy",
    "discover",
    "parse_territory",
    "render_page",
    "render_readme",
    "render_snippet",
    "write_embed",
]
