"""``odl-geo embed OUT_DIR``: the snippet a commune's webmaster pastes (map + catalogue), a page and a LISEZMOI.

Takes layers, server and organisation from what was published (``--from`` folders or job files) so that the SIG
administrator retypes nothing; every option overrides what was found.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    from rich.console import Console

    from ..feedback import Feedback

__all__ = ["register"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "embed",
        parents=[common],
        help="write the snippet (live map + data catalogue) for a commune's website",
        description="Write OUT_DIR/snippet.html (to paste into the commune's page), index.html (a page using it) "
        "and LISEZMOI.txt (for the webmaster), taking layers, map server and data.gouv.fr organisation from what "
        "was published (--from). The page loads the data from the map server and data.gouv.fr at each visit: "
        "nothing to regenerate after a new publication.",
    )
    p.add_argument("out_dir", metavar="OUT_DIR")
    p.add_argument("--from", dest="sources", action="append", default=[], nargs="+", metavar="FOLDER_OR_JOB",
                   help="published output folder(s) (manifest.json), their parent folder, or job file(s)")  # fmt: skip
    p.add_argument("--org", default="", help="data.gouv.fr organisation, id or slug (default: the job's)")
    p.add_argument("--territory", default="", help="commune:34172, epci:SIREN, departement:34 or region:76")
    p.add_argument("--theme", nargs="+", default=[], help="themes of the map: hiking water pei flood")
    p.add_argument("--server", default="", help="WMS URL of the map server (default: GeoServer of the job, or "
                   "odl-geo serve on 127.0.0.1:8000)")  # fmt: skip
    p.add_argument("--server-type", choices=("qgis", "geoserver"), help="kind of map server (default: guessed)")
    p.add_argument("--datagouv", default="", help="data.gouv.fr site (default: the job's, or www.data.gouv.fr)")
    p.add_argument("--assets", default="copy", metavar="URL|copy", help="copy: put the components in "
                   "OUT_DIR/odl-embed/ to host with the page (default); URL: load them from there, e.g. "
                   "https://carto.example.fr/embed/ (odl-geo serve)")  # fmt: skip
    p.add_argument("--lang", choices=("fr", "en"), default="fr", help="language of the components (default fr)")
    p.add_argument("--title", default="", help="title of the map and of index.html")
    p.add_argument("--attribution", default="", help="source shown under the map (default: the data's producers)")
    p.add_argument("--licence", default="", help="licence shown under the map, text or URL (default: the job's)")
    p.add_argument("--basemap", default="", metavar="URL",
                   help="optional background map: XYZ/WMTS template with {z} {x} {y}, or a WMS with --basemap-layers "
                        "(default: none)")
    p.add_argument("--basemap-layers", default="", help="layers of a WMS background map")
    p.add_argument("--basemap-attribution", default="", help="credit of the background map, e.g. '© IGN - Plan IGN'")
    p.add_argument("--tag", action="append", default=[], help="catalogue: only datasets with this tag (repeat)")
    p.add_argument("--page-size", type=int, default=10, help="catalogue: datasets per page (default 10)")
    p.add_argument("--no-map", action="store_true", help="no <odl-map>")
    p.add_argument("--no-catalogue", action="store_true", help="no <odl-catalogue>")
    p.add_argument("--notice", default="", help=argparse.SUPPRESS)  # make demo: says its catalogue is recorded
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..embed import EmbedOptions, write_embed

    options = EmbedOptions(
        sources=[s for group in args.sources for s in group],
        organization=args.org,
        territory=args.territory,
        themes=[t for item in args.theme for t in item.replace(",", " ").split()],
        server=args.server,
        server_type=args.server_type or "",
        datagouv=args.datagouv,
        assets=args.assets,
        lang=args.lang,
        title=args.title,
        attribution=args.attribution,
        licence=args.licence,
        basemap=args.basemap,
        basemap_layers=args.basemap_layers,
        basemap_attribution=args.basemap_attribution,
        tags=args.tag,
        page_size=args.page_size,
        map=not args.no_map,
        catalogue=not args.no_catalogue,
    )
    result = write_embed(args.out_dir, options, notice=args.notice)
    if not (args.json or args.quiet):
        from ..embed import render_snippet

        out.print(escape(render_snippet(result.snippet)), end="")
        for note in result.notes:
            err.print(escape(f"note: {note.text('fr')}"))
        out.print(escape(f"écrit dans {args.out_dir} : {', '.join(result.files)}"))
        out.print(escape(f"Content-Security-Policy: {result.csp}"))
    return result.to_dict()
