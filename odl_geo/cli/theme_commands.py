"""``odl-geo check`` and ``odl-geo convert --theme``: theme profiles from the command line.

Registered by ``odl_geo.cli.main`` (``COMMAND_MODULES``): ``check`` and ``mapping``. ``convert --theme`` is
``convert``'s own (:mod:`odl_geo.cli.convert_command`), which prints its summary with :func:`print_summary`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..errors import InputError
from ..numbers import count_text, quantity
from ..report import Severity
from .options import THEMES, add_chunk_option, add_read_options, add_theme_options, read_options, theme_options
from .render import print_issues

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..exports.base import OutputFile
    from ..feedback import Feedback
    from ..theme import ThemeRun

# ..theme (and with it pyogrio, pyproj, pandas) is imported by the handlers, not when the parser is built.

__all__ = ["french_number", "print_summary", "print_written", "register"]


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
    add_theme_options(p, f"check against a theme: {THEMES} (default: generic checks)")
    add_chunk_option(p)
    add_read_options(p)
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
    add_read_options(m)
    m.set_defaults(handler=_mapping_handler)


_SUMMARY = {
    "en": {
        "generic": "generic checks",
        "head": "{source} — {what}: {layers}, {features}",
        "counts": "  {error}, {warning}, {info}: {verdict}",
        "ok": "[green]publishable[/]",
        "ko": "[bold red]to be corrected before publishing[/]",
        "report": "report: ",
        "corrected": "corrected copy: ",
        "wrote": "  wrote {path} ({format}, {features})",
        "wrote_table": "  wrote {path}, table {table} ({format}, {features})",
    },
    "fr": {
        "generic": "contrôles génériques",
        "head": "{source} — {what} : {layers}, {features}",
        "counts": "  {error}, {warning}, {info} : {verdict}",
        "ok": "[green]publiable[/]",
        "ko": "[bold red]à corriger avant publication[/]",
        "report": "rapport : ",
        "corrected": "copie corrigée : ",
        "wrote": "  écrit {path} ({format}, {features})",
        "wrote_table": "  écrit {path}, table {table} ({format}, {features})",
    },
}


#: the words of the summary's counts, singular and plural, each agreeing with its count: the count line (« 1 erreur,
#: 0 avertissement, 3 notes » ; "1 error, 0 warnings, 3 notes"), the layers and features of its first line and of
#: the files written (« 1 couche, 48 objets » ; "1 layer, 48 features", "1 feature")
_WORDS = {
    "en": {
        "error": ("error", "errors"),
        "warning": ("warning", "warnings"),
        "info": ("note", "notes"),
        "layers": ("layer", "layers"),
        "features": ("feature", "features"),
    },
    "fr": {
        "error": ("erreur", "erreurs"),
        "warning": ("avertissement", "avertissements"),
        "info": ("note", "notes"),
        "layers": ("couche", "couches"),
        "features": ("objet", "objets"),
    },
}


def _counted(n: int, what: str, lang: str) -> str:
    """``n`` things (``what``: a key of :data:`_WORDS`), grouped the way ``lang`` writes counts, the word agreeing
    with ``n``."""
    lang = "fr" if lang == "fr" else "en"
    return quantity(n, *_WORDS[lang][what], lang=lang)


def french_number(n: int, lang: str = "fr") -> str:
    """``1 004`` in French (a narrow no-break space between thousands, as French typography and CLDR have it),
    ``1,004`` in English."""
    return count_text(n, "fr" if lang == "fr" else "en")


def print_summary(out: Console, run: ThemeRun, verbose: bool, lang: str = "fr") -> None:
    """What the terminal shows, in the language of the reports (``--lang``, French by default)."""
    words = _SUMMARY[lang]
    p = run.profile
    what = f"{p.key} ({p.schema.name} {p.schema.version})" if p and p.schema else words["generic"]
    features = sum(lyr.feature_count for lyr in run.layers)
    head = words["head"].format(
        source=run.source_name,
        what=what,
        layers=_counted(len(run.layers), "layers", lang),
        features=_counted(features, "features", lang),
    )
    out.print(escape(head), highlight=False)
    c = run.counts()
    verdict = words["ok"] if not run.report.has_errors else words["ko"]
    counted = {key: _counted(c[key], key, lang) for key in ("error", "warning", "info")}
    out.print(words["counts"].format(verdict=verdict, **counted), highlight=False)
    print_issues(out, run.report, verbose, lang)


def _check_handler(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..profiles.registry import load_profile
    from ..theme import check_theme, write_corrected, write_reports
    from ..theme.outputs import check_streamed
    from ..theme.stream import streamable

    options = theme_options(args, repair=False)
    if args.theme and streamable(load_profile(args.theme)):  # one pass, flat memory (issue 16)
        run = check_streamed(args.file, args.theme, args.out, options, read_options(args), feedback)
    else:
        run = check_theme(args.file, args.theme, options, read_options(args), feedback)
        if args.fix:
            write_corrected(run, args.out)
    paths = write_reports(run, args.out, args.lang)
    if not args.json and not args.quiet:
        print_summary(out, run, args.verbose, args.lang)
        words = _SUMMARY[args.lang]
        out.print(escape(words["report"] + ", ".join(str(p) for p in paths)), highlight=False)
        for name in run.corrected:
            out.print(escape(f"{words['corrected']}{Path(args.out) / name}"), highlight=False)
    if args.strict and run.report.has_errors:
        n = len(run.report.by_severity(Severity.ERROR))
        found = quantity(n, "error", "errors", "en")
        raise InputError(
            f"{run.source_name} has {found} (--strict).",
            f"Read {paths[1]}.",
            message_fr=f"{run.source_name} contient {quantity(n, 'erreur', 'erreurs')} (--strict).",
            hint_fr=f"Consultez {paths[1]}.",
        )
    result = run.to_dict()
    result["reports"] = [str(p) for p in paths]
    return result


def print_written(out: Console, files: list[OutputFile], folder: Path, lang: str = "fr") -> None:
    """One line per file written; a file holding several tables (the CNIG PPR GeoPackage) names each table."""
    words = _SUMMARY[lang]
    per_file: dict[str, int] = {}
    for f in files:
        per_file[f.path] = per_file.get(f.path, 0) + 1
    for f in files:
        values = {"path": folder / f.path, "format": f.format, "features": _counted(f.feature_count, "features", lang)}
        key = "wrote_table" if per_file[f.path] > 1 else "wrote"
        out.print(escape(words[key].format(table=f.layer, **values)), highlight=False)


def _mapping_handler(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..errors import OutputError
    from ..profiles.mapping_toml import dump_mapping
    from ..theme.suggest import suggest_mapping

    suggestion = suggest_mapping(args.file, args.theme, read_options(args), args.mapping)
    text = dump_mapping(suggestion.choices())
    result = suggestion.to_dict()
    result["toml"] = text
    if args.out:
        from ..exports.overlap import refuse_replacing_file

        refuse_replacing_file(args.file, args.out)  # `--out fontaines.csv` must not replace the source
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(
                f"Cannot write {args.out}: {exc.strerror}.",
                "Check the path and permissions.",
                message_fr=f"Impossible d'écrire {args.out} : {exc.strerror}.",
                hint_fr="Vérifiez le chemin et les droits d'accès.",
            ) from exc
        result["written"] = args.out
        if not args.json and not args.quiet:
            out.print(escape(f"mapping file written: {args.out}"), highlight=False)
    elif not args.json and not args.quiet:
        out.print(text, end="", markup=False, highlight=False)
    return result
