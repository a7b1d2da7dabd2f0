"""``odl-geo convert``: plain conversions and theme runs (``--theme``), one command with one handler.

Without ``--theme`` the layers are converted as they are (:func:`odl_geo.conversion.convert`); with it they are
conformed to the theme's national schema, checked, anonymised and written as the schema product plus the open
formats (:func:`odl_geo.theme.convert_theme`). Both print the files written and return the same JSON shape: the
manifest's (``files``, ``source``, ``report``), which a theme run completes with its own findings (``layers``,
``summary``, ``publishable``...).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..exports.catalog import DEFAULT_FORMATS, FORMAT_LABELS
from ..numbers import quantity
from .metadata_command import ConvertMetadata, add_convert_option
from .options import THEMES, add_chunk_option, add_read_options, add_theme_options, read_options, theme_options

if TYPE_CHECKING:
    from rich.console import Console

    from ..feedback import Feedback

__all__ = ["register", "run"]

#: convert's exit code when some layers of a zip or folder were left out because of their errors (the others
#: are written); InputError's code
EXIT_SKIPPED = 2


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "convert",
        parents=[common],
        help="convert a file to open formats",
        description="Convert every layer of FILE to the given formats in --out, with a "
        "manifest.json. Formats: " + ", ".join(f"{k} ({label})" for k, label in FORMAT_LABELS.items()),
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--to",
        default=None,
        metavar="FORMATS",
        help=f"comma-separated output formats (default: {','.join(DEFAULT_FORMATS)}; with --theme, the schema "
        "product and these)",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    add_read_options(p)
    g = p.add_argument_group("normalising")
    g.add_argument("--drop-empty", action="store_true", help="drop features without geometry (default: keep)")
    g.add_argument("--decode-html", action="store_true", help="decode HTML entities (&eacute;) in text fields")
    g.add_argument("--2d", dest="force_2d", action="store_true", help="drop Z coordinates")
    g.add_argument("--no-repair", action="store_true", help="do not repair invalid geometries")
    g.add_argument("--precision", type=int, default=7, help="decimals of GeoJSON/CSV coordinates (default 7)")
    p.add_argument("--list-formats", action="store_true", help=argparse.SUPPRESS)
    add_theme_options(
        p, f"write the theme's schema-valid product(s) and its quality report, besides the --to formats: {THEMES}"
    )
    p.add_argument(
        "--drop-invalid",
        action="store_true",
        help="with --theme: leave features with errors out of the products (they are listed)",
    )
    add_chunk_option(p)
    add_convert_option(p)
    p.set_defaults(handler=run)


def formats(args: argparse.Namespace) -> list[str]:
    """The formats asked for, or the default (the same with and without --theme)."""
    if args.to is None:
        return list(DEFAULT_FORMATS)
    return [f.strip() for f in args.to.split(",") if f.strip()]


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    """The handler of ``convert``; a plain run that left layers out raises :class:`PartialConversion`."""
    if args.theme:
        return _theme(args, out, feedback)
    if args.mapping or args.area or args.keep_personal or args.fix or args.drop_invalid or args.metadata:
        from ..errors import InputError

        raise InputError(
            "--mapping, --area, --fix, --keep-personal, --drop-invalid and --metadata need --theme.",
            "Add --theme THEME (or write the metadata of a plain conversion with `odl-geo metadata OUT`).",
            message_fr="--mapping, --area, --fix, --keep-personal, --drop-invalid et --metadata demandent --theme.",
            hint_fr="Ajoutez --theme THEME (ou écrivez les métadonnées d'une conversion simple avec "
            "`odl-geo metadata OUT`).",
        )
    return _plain(args, out, err, feedback)


def _plain(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from .lean_import import import_pyogrio_lean

    import_pyogrio_lean()  # this process only streams Arrow batches: no pandas (-28 MB, -0.2 s; issue 16)
    from ..conversion import ConvertOptions, convert
    from .render import print_manifest

    options = ConvertOptions(
        drop_empty=args.drop_empty,
        decode_html=args.decode_html,
        force_2d=args.force_2d,
        repair=not args.no_repair,
        geojson_precision=args.precision,
    )
    manifest = convert(args.file, args.out, formats(args), read_options(args), options, feedback)
    if not args.json and not args.quiet:
        print_manifest(out, manifest, args.out, args.verbose)
    result = manifest.to_dict()
    if manifest.skipped:
        names = ", ".join(manifest.skipped)
        skipped = quantity(len(manifest.skipped), "layer", "layers", "en")
        err.print(f"[bold red]error:[/] {escape(f'{skipped} not converted: {names}.')}", highlight=False)
        err.print(escape(f"  -> The other layers were written to {args.out}; fix the errors above and convert again."))
        raise PartialConversion(result)
    return result


class PartialConversion(Exception):
    """Some layers were written, others left out: the result is printed and the command exits with 2."""

    exit_code = EXIT_SKIPPED

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__("partial conversion")
        self.result = result


def _theme(args: argparse.Namespace, out: Console, feedback: Feedback) -> dict[str, Any]:
    from ..theme import convert_theme
    from .theme_commands import print_summary, print_written

    metadata = ConvertMetadata(args)  # an incomplete metadata file stops the run here, before anything is written
    run = convert_theme(
        args.file,
        args.out,
        args.theme,
        theme_options(args, repair=not args.no_repair),
        formats(args),
        read_options(args),
        feedback,
        args.lang,
    )
    if not args.json and not args.quiet:
        print_summary(out, run, args.verbose, args.lang)
        print_written(out, run.files, Path(args.out), args.lang)
    result = run.to_dict()
    result["report"] = run.report.to_dict()  # the manifest's shape: front ends read one result for both runs
    metadata.write(args, out, result, run)
    return result
