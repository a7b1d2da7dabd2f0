"""``odl-geo serve PROJECT|OUTDIR``: serve published layers as WMS/WFS with QGIS Server until Ctrl-C.

``--once`` starts the server, checks GetCapabilities, saves one map (``--snapshot``, default OUTDIR/map.png)
and stops: what the README demo runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape

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
    p.add_argument("path", metavar="PROJECT|OUTDIR")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    p.add_argument("--theme", help="styles/<theme>/ to use (default: from the manifest or the folder's name)")
    p.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this many seconds")
    p.add_argument("--once", action="store_true", help="check the server, save one map image, stop")
    p.add_argument("--snapshot", metavar="PNG", help="with --once: where to save the map (default: OUTDIR/map.png)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..serve import run_server, snapshot

    talk = not (args.json or args.quiet)
    if args.once:
        result = snapshot(args.path, args.snapshot, theme=args.theme)
        if talk:
            out.print(f"QGIS Server answered in {result.start_seconds:.2f} s with {len(result.layers)} layer(s):")
            for name in result.layers:
                out.print(f"  {escape(name)}")
            for note in result.notes:
                out.print(f"  note: {escape(note)}")
            out.print(f"map saved: {escape(str(result.png))} ({result.size[0]}x{result.size[1]})")
        return result.to_dict()

    state: dict[str, Any] = {}

    def ready(server: QgisServer) -> None:
        build = getattr(server, "build", None)
        state.update(
            url=server.ows_url,
            wms=server.wms_url,
            wfs=server.wfs_url,
            project=str(server.project),
            start_seconds=round(server.start_seconds, 3),
            layers=build.layer_names if build else [],
        )
        if talk:
            out.print(f"QGIS Server serving {escape(str(server.project))}")
            for name in state["layers"]:
                out.print(f"  layer {escape(name)}")
            for note in build.notes if build else []:
                out.print(f"  note: {escape(note)}")
            out.print(f"WMS: {escape(server.wms_url)}")
            out.print(f"WFS: {escape(server.wfs_url)}")
            if args.host not in ("127.0.0.1", "localhost", "::1"):
                err.print(
                    "warning: this development server has no authentication; it is now reachable from the network."
                )
            out.print("Ctrl-C to stop.")

    run_server(args.path, host=args.host, port=args.port, theme=args.theme, duration=args.duration, on_ready=ready)
    if talk:
        out.print("QGIS Server stopped.")
    return state
