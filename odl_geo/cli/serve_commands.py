"""``odl-geo serve PROJECT|OUTDIR``: serve published layers as WMS/WFS with QGIS Server until Ctrl-C.

``--once`` starts the server, checks GetCapabilities, saves one map (``--snapshot``, default OUTDIR/map.png)
and stops: what the README demo runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..numbers import quantity

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..feedback import Feedback
    from ..serve import QgisServer

__all__ = ["register"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve",
        parents=[common],
        help="serve an output folder as WMS/WFS with QGIS Server (embedded default)",
        description="Serve PROJECT (a .qgs) or OUTDIR (an output folder of `odl-geo convert`: its project.qgs is "
        "written first, with the theme's styles) with QGIS Server on HOST:PORT, until Ctrl-C.",
    )
    p.add_argument("path", metavar="PROJECT|OUTDIR", nargs="+", help="a .qgs, an output folder, a folder of output "
                   "folders (out/), or several output folders (one project serves them all)")  # fmt: skip
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--theme", help="styles/<theme>/ to use (default: from the manifest or the folder's name)")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this many seconds")
    p.add_argument("--once", action="store_true", help="check the server, save one map image, stop")
    p.add_argument("--snapshot", metavar="PNG", help="with --once: where to save the map (default: OUTDIR/map.png)")
    p.add_argument("--no-front", action="store_true", help="serve QGIS Server directly, without the front that adds "
                   "CORS headers for web pages and serves the web components at /embed/")  # fmt: skip
    p.add_argument("--page", metavar="DIR", help="also serve DIR at / (e.g. the folder odl-geo embed wrote)")
    p.add_argument("--page-csp", metavar="POLICY", default="", help="Content-Security-Policy sent with the pages of "
                   "--page (to try the policy the webmaster will set)")  # fmt: skip
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..serve import run_server, snapshot

    talk = not (args.json or args.quiet)
    if args.once:
        result = snapshot(args.path if len(args.path) > 1 else args.path[0], args.snapshot, theme=args.theme)
        if talk:
            layers = quantity(len(result.layers), "layer", "layers", "en")
            out.print(f"QGIS Server answered in {result.start_seconds:.2f} s with {layers}:")
            for name in result.layers:
                out.print(f"  {escape(name)}")
            for note in result.notes:
                out.print(f"  note: {escape(note)}")
            out.print(f"map saved: {escape(str(result.png))} ({result.size[0]}x{result.size[1]})")
        return result.to_dict()

    state: dict[str, Any] = {}
    mounts = _mounts(args, err) if not args.no_front else {}

    def ready(server: QgisServer) -> None:
        build = server.build
        front = server.front
        ows = front.ows_url if front else server.ows_url
        state.update(
            url=ows,
            wms=f"{ows}?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
            wfs=f"{ows}?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetCapabilities",
            project=str(server.project),
            start_seconds=round(server.start_seconds, 3),
            layers=build.layer_names if build else [],
            embed=front.url_of("/embed/") if front and "/embed/" in mounts else None,
            page=front.url_of("/") if front and "/" in mounts else None,
        )
        if talk:
            out.print(f"QGIS Server serving {escape(str(server.project))}")
            for lyr in build.layers if build else []:
                out.print(f"  layer {escape(lyr.name)}" + (f" (theme {escape(lyr.theme)})" if lyr.theme else ""))
            for note in build.notes if build else []:
                out.print(f"  note: {escape(note)}")
            out.print(f"WMS: {escape(state['wms'])}")
            out.print(f"WFS: {escape(state['wfs'])}")
            if front:
                out.print("CORS: Access-Control-Allow-Origin: * (web pages of other sites can use this server)")
            if state["embed"]:
                out.print(f"web components: {escape(state['embed'])}odl-embed.js")
            if state["page"]:
                out.print(f"page: {escape(state['page'])}")
            if args.host not in ("127.0.0.1", "localhost", "::1"):
                err.print(
                    "warning: this development server has no authentication; it is now reachable from the network."
                )
            out.print("Ctrl-C to stop.")

    def reloaded(server: QgisServer) -> None:
        state["reloads"] = state.get("reloads", 0) + 1
        if talk:
            names = ", ".join(server.build.layer_names) if server.build else ""
            out.print(f"new publication: QGIS Server restarted on the rebuilt project ({escape(names)})")

    path = args.path if len(args.path) > 1 else args.path[0]
    run_server(path, host=args.host, port=args.port, theme=args.theme, duration=args.duration, on_ready=ready,
               front=not args.no_front, mounts=mounts, page_csp=args.page_csp, on_reload=reloaded)  # fmt: skip
    if talk:
        out.print("QGIS Server stopped.")
    return state


def _mounts(args: argparse.Namespace, err: Console) -> dict[str, Path]:
    """/embed/: the built web components (when built); /: the --page folder."""
    from ..embed import STATIC_DIR
    from ..errors import SourceNotFoundError

    mounts: dict[str, Path] = {}
    if (STATIC_DIR / "odl-embed.js").is_file():
        mounts["/embed/"] = STATIC_DIR
    elif not (args.json or args.quiet):
        err.print("note: the web components are not built (make setup builds them): nothing served at /embed/.")
    if args.page:
        page = Path(args.page)
        if not page.is_dir():
            raise SourceNotFoundError(
                f"--page {page}: not a folder.",
                "Give the folder odl-geo embed wrote.",
                message_fr=f"--page {page} : ce n'est pas un dossier.",
                hint_fr="Indiquez le dossier écrit par odl-geo embed.",
            )
        mounts["/"] = page
    return mounts
