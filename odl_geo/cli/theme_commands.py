"""``odl-geo check`` and ``odl-geo convert --theme``: theme profiles from the command line.

Registered by ``odl_geo.cli.main`` (``COMMAND_MODULES``). ``check`` is a new subcommand; ``--theme`` and its
companions are added to the existing ``convert`` subcommand, whose plain behaviour is unchanged: only when
``--theme`` is given does this module handle the run.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..errors import InputError
from ..profiles.registry import PROFILES
from ..report import Severity
from .main import _add_read_options, _read_options
from .render import print_issues

if TYPE_CHECKING:
    from rich.console import Console

    from ..feedback import Feedback
    from ..theme import ThemeOptions, ThemeRun

# ..theme (and with it pyogrio, pyproj, pandas) is imported by the handlers, not when the parser is built.

__all__ = ["register"]

THEMES = ", ".join(PROFILES)


class _DefaultFormats(str):
    """The default of ``convert --to``, recognisable: with ``--theme``, only formats asked for are added."""

    __slots__ = ()


class _ThemeAction(argparse.Action):
    """``--theme`` on ``convert`` routes the run to :func:`_convert_handler`."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        namespace.handler = _convert_handler


def _add_theme_options(p: argparse.ArgumentParser, check: bool) -> None:
    g = p.add_argument_group("theme")
    if check:
        g.add_argument("--theme", metavar="THEME", help=f"check against a theme: {THEMES} (default: generic checks)")
    else:
        g.add_argument(
            "--theme",
            metavar="THEME",
            action=_ThemeAction,
            help=f"write the theme's schema-valid product(s): {THEMES}; --to then adds standard formats",
        )
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


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "check",
        parents=[common],
        help="check a layer (against a theme) and write report.html / report.json",
        description="Check every layer of FILE: geometry, CRS, duplicates, dates, INSEE codes, names, encoding; with "
        "--theme also the national schema (required fields, enumerations, official validator) and personal data. "
        "Writes report.html and report.json in --out (and a corrected GeoPackage with --fix). Never changes FILE.",
        epilog="Exit codes: 0 checked (even when the data has errors: see the report; --strict makes them exit 2), "
        "2 bad input or options, 3 output error.",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument(
        "--out", default="odl-geo-report", metavar="DIR", help="where to write the reports (default: %(default)s)"
    )
    p.add_argument("--strict", action="store_true", help="exit with code 2 when the data has errors")
    _add_theme_options(p, check=True)
    _add_read_options(p)
    p.set_defaults(handler=_check_handler)
    m = sub.add_parser(
        "mapping",
        parents=[common],
        help="propose a mapping file (TOML) matching FILE's fields to a theme's schema",
        description="Match the fields of FILE to the fields of --theme (exact name, accents and case ignored, "
        "synonyms, then resemblance) and print a mapping file to check and complete: [fields] for every match, "
        "with comments for the required fields left without a source and for values the schema does not know. "
        "With --mapping, that file's choices are kept. --json gives the whole proposal (the QGIS plugin's "
        "mapping table). Reads field names and the values of enumerated fields only; never changes FILE.",
        epilog="Exit codes: 0 done, 2 bad input or options, 3 the --out file could not be written.",
    )
    m.add_argument("file", metavar="FILE")
    m.add_argument("--theme", required=True, metavar="THEME", help=f"the theme: {THEMES}")
    m.add_argument("--mapping", metavar="TOML", help="start from this mapping file (its choices win)")
    m.add_argument("--out", metavar="FILE", help="write the mapping file here (default: print it)")
    _add_read_options(m)
    m.set_defaults(handler=_mapping_handler)
    convert = sub.choices.get("convert")
    if convert is not None:
        for action in convert._actions:
            if action.dest == "to" and isinstance(action.default, str):
                action.default = _DefaultFormats(action.default)
        _add_theme_options(convert, check=False)
        convert.add_argument(
            "--drop-invalid",
            action="store_true",
            help="with --theme: leave features with errors out of the products (they are listed)",
        )


def _options(args: argparse.Namespace, repair: bool) -> ThemeOptions:
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
    )


_SUMMARY = {
    "en": {
        "generic": "generic checks",
        "head": "{source} — {what}: {layers} layer(s), {features:,} feature(s)",
        "counts": "  {error} error(s), {warning} warning(s), {info} note(s): {verdict}",
        "ok": "[green]publishable[/]",
        "ko": "[bold red]to be corrected before publishing[/]",
        "report": "report: ",
        "corrected": "corrected copy: ",
        "wrote": "  wrote {path} ({format}, {features:,} features)",
    },
    "fr": {
        "generic": "contrôles génériques",
        "head": "{source} — {what} : {layers} couche(s), {features:,} objet(s)",
        "counts": "  {error} erreur(s), {warning} avertissement(s), {info} note(s) : {verdict}",
        "ok": "[green]publiable[/]",
        "ko": "[bold red]à corriger avant publication[/]",
        "report": "rapport : ",
        "corrected": "copie corrigée : ",
        "wrote": "  écrit {path} ({format}, {features:,} objets)",
    },
}


def _summary(out: Console, run: ThemeRun, verbose: bool, lang: str = "fr") -> None:
    """What the terminal shows, in the language of the reports (``--lang``, French by default)."""
    words = _SUMMARY[lang]
    p = run.profile
    what = f"{p.key} ({p.schema.name} {p.schema.version})" if p and p.schema else words["generic"]
    features = sum(len(lyr.frame) for lyr in run.layers)
    head = words["head"].format(source=run.source.name, what=what, layers=len(run.layers), features=features)
    out.print(escape(head), highlight=False)
    c = run.counts()
    verdict = words["ok"] if not run.report.has_errors else words["ko"]
    out.print(words["counts"].format(verdict=verdict, **c), highlight=False)
    print_issues(out, run.report, verbose, lang)


def _check_handler(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..theme import check_theme, write_corrected, write_reports

    run = check_theme(args.file, args.theme, _options(args, repair=False), _read_options(args), feedback)
    if args.fix:
        write_corrected(run, args.out)
    paths = write_reports(run, args.out, args.lang)
    if not args.json and not args.quiet:
        _summary(out, run, args.verbose, args.lang)
        words = _SUMMARY[args.lang]
        out.print(escape(words["report"] + ", ".join(str(p) for p in paths)), highlight=False)
        for name in run.corrected:
            out.print(escape(f"{words['corrected']}{Path(args.out) / name}"), highlight=False)
    if args.strict and run.report.has_errors:
        n = len(run.report.by_severity(Severity.ERROR))
        raise InputError(f"{run.source.name} has {n} error(s) (--strict).", f"Read {paths[1]}.")
    result = run.to_dict()
    result["reports"] = [str(p) for p in paths]
    return result


def _convert_handler(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..theme import convert_theme

    formats = [] if isinstance(args.to, _DefaultFormats) else [f for f in args.to.split(",") if f.strip()]
    run = convert_theme(
        args.file,
        args.out,
        args.theme,
        _options(args, repair=not args.no_repair),
        formats,
        _read_options(args),
        feedback,
        args.lang,
    )
    if not args.json and not args.quiet:
        _summary(out, run, args.verbose, args.lang)
        for f in run.files:
            line = _SUMMARY[args.lang]["wrote"].format(
                path=Path(args.out) / f.path, format=f.format, features=f.feature_count
            )
            out.print(escape(line), highlight=False)
    return run.to_dict()


def _mapping_handler(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..errors import OutputError
    from ..profiles.mapping_toml import dump_mapping
    from ..theme.suggest import suggest_mapping

    suggestion = suggest_mapping(args.file, args.theme, _read_options(args), args.mapping)
    text = dump_mapping(suggestion.choices())
    result = suggestion.to_dict()
    result["toml"] = text
    if args.out:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"Cannot write {args.out}: {exc.strerror}.", "Check the path and permissions.") from exc
        result["written"] = args.out
        if not args.json and not args.quiet:
            out.print(escape(f"mapping file written: {args.out}"), highlight=False)
    elif not args.json and not args.quiet:
        out.print(text, end="", markup=False, highlight=False)
    return result
