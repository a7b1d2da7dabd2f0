"""Option groups shared by several subcommands (reading a source, theme runs), and the objects built from them.

One place for them, so that ``convert``, ``check``, ``mapping`` and ``inspect`` accept the same spelling and every
command module imports public helpers rather than another module's private ones.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ..profiles.registry import PROFILES

if TYPE_CHECKING:
    from ..sources import ReadOptions
    from ..theme import ThemeOptions

__all__ = ["THEMES", "add_chunk_option", "add_read_options", "add_theme_options", "read_options", "theme_options"]

THEMES = ", ".join(PROFILES)


def add_read_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reading")
    g.add_argument("--layer", help="read only this layer (GeoPackage, zip, GPX...); default: all layers")
    g.add_argument(
        "--source-crs", metavar="CRS", help="CRS of the source when it declares none or a wrong one, e.g. EPSG:2154"
    )
    g.add_argument("--encoding", help="attribute encoding of the source, e.g. CP1252 (default: detected)")
    g.add_argument("--x-field", help="CSV: column holding x / longitude")
    g.add_argument("--y-field", help="CSV: column holding y / latitude")
    g.add_argument("--wkt-field", help="CSV: column holding WKT geometries")
    g.add_argument("--gpx-points", action="store_true", help="GPX: also read route_points and track_points")
    g.add_argument(
        "--accept-loss",
        action="store_true",
        help="convert what can be read of a damaged source (cut-off .shp, .dbf short of records...); "
        "by default that is an error (exit 2): the loss is still reported",
    )


def read_options(args: argparse.Namespace) -> ReadOptions:
    from ..sources import ReadOptions

    return ReadOptions(
        layer=args.layer,
        source_crs=args.source_crs,
        encoding=args.encoding,
        x_field=args.x_field,
        y_field=args.y_field,
        wkt_field=args.wkt_field,
        gpx_points=args.gpx_points,
        accept_loss=getattr(args, "accept_loss", False),
    )


def add_theme_options(p: argparse.ArgumentParser, theme_help: str) -> None:
    """``--theme`` and its companions (mapping, area, fixes, language, personal data)."""
    g = p.add_argument_group("theme")
    g.add_argument("--theme", metavar="THEME", help=theme_help)
    g.add_argument("--mapping", metavar="TOML", help="mapping file: [fields], [constants], [values.FIELD], [anonymise]")
    g.add_argument(
        "--area", metavar="AREA", help="declared territory: occitanie, département codes (34,30) or INSEE codes"
    )
    g.add_argument("--fix", action="store_true", help="apply the automatic fixes (on a copy; the source is untouched)")
    g.add_argument(
        "--lang", choices=("fr", "en"), default="fr", help="language of report.html and of the summary (default: fr)"
    )
    a = p.add_argument_group("personal data")
    a.add_argument(
        "--keep-personal",
        metavar="FIELD",
        action="append",
        default=[],
        help="publish this personal field anyway (repeatable), e.g. nom_etab for companies",
    )
    masking = a.add_mutually_exclusive_group()
    masking.add_argument(
        "--mask-free-text",
        dest="mask_free_text",
        action="store_true",
        default=None,
        help="mask e-mail addresses and phone numbers found in free text (the default)",
    )
    masking.add_argument(
        "--no-mask-free-text",
        dest="mask_free_text",
        action="store_false",
        help="only report e-mail addresses and phone numbers found in free text, do not mask them",
    )
    a.add_argument("--no-anonymise", action="store_true", help="publish personal fields (reported as a warning)")


def add_chunk_option(p: argparse.ArgumentParser) -> None:
    """``--chunk-rows``: how many features a streamed theme run holds at a time (``odl_geo.theme.stream``)."""
    p.add_argument(
        "--chunk-rows",
        type=_positive,
        default=20_000,
        metavar="N",
        help="with --theme: check (and write) the layer at most N features at a time (a wide layer, N/2); memory "
        "grows with N (default %(default)s)",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of features (1 or more)")
    return value


def theme_options(args: argparse.Namespace, repair: bool) -> ThemeOptions:
    from ..theme import ThemeOptions

    return ThemeOptions(
        mapping=args.mapping,
        area=args.area,
        fix=args.fix,
        keep_personal=tuple(args.keep_personal),
        mask_free_text=args.mask_free_text,
        anonymise=not args.no_anonymise,
        repair=repair,
        drop_invalid=getattr(args, "drop_invalid", False),
        chunk_rows=getattr(args, "chunk_rows", 20_000),
    )
