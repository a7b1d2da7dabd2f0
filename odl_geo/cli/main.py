"""``odl-geo`` command line: parses arguments, calls the library, maps errors to exit codes.

Exit codes: 0 success (warnings included), 2 bad input or options (also when ``convert`` left out some
layers of a zip or folder because of their errors: the others are written), 3 output could not be written,
1 internal error (a bug: please report it with ``--verbose`` output), 130 interrupted, 143 stopped by SIGTERM,
141 the reader of stdout went away (``| head``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

from .._version import __version__
from ..errors import OdlGeoError
from .language import error_language
from .options import add_read_options, read_options
from .progress import JsonLinesFeedback, RichFeedback

if TYPE_CHECKING:
    from collections.abc import Sequence


# The GDAL stack (pyogrio, pyproj, pandas, pyarrow) is imported by the commands that read data, not here:
# `odl-geo publish datagouv` must not pay ~150 MB of memory for libraries it never uses.

__all__ = ["build_parser", "main", "parse_check", "run_argv"]

EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_TERMINATED = 1, 130, 143  # 128 + SIGINT / SIGTERM, as shells report them


class Terminated(KeyboardInterrupt):
    """SIGTERM: stops like Ctrl-C (cleanup runs, outputs stay as they were) but exits with 143, as a process killed
    by SIGTERM would, so that a service manager or a front end tells a stop from a user's Ctrl-C."""
EXIT_SKIPPED = 2  # convert wrote the layers it could, but left some out because of their errors (InputError's code)
EXIT_BROKEN_PIPE = 141  # what a shell reports for a process stopped by SIGPIPE


class _RaisingParser(argparse.ArgumentParser):
    """A parser that raises :class:`InputError` instead of printing usage and exiting (for job files)."""

    def error(self, message: str) -> Any:
        from ..errors import InputError

        raise InputError(
            f"{self.prog}: {message}.",
            f"See: {self.prog} --help",
            message_fr=f"{self.prog} : arguments incorrects ({message}).",  # argparse's own words: English
            hint_fr=f"Consultez l'aide : {self.prog} --help",
        )


def build_parser(parser_class: type[argparse.ArgumentParser] = argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser = parser_class(
        prog="odl-geo",
        description="Read, check, convert and publish GIS layers as open data.",
        epilog="Exit codes: 0 ok, 2 bad input (convert: also when some layers were left out, the others written), "
        "3 output error, 1 internal error, 130 interrupted (Ctrl-C), 143 stopped (SIGTERM).",
    )
    parser.add_argument("--version", action="version", version=f"odl-geo {__version__}")
    common = parser_class(add_help=False)
    common.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    common.add_argument("-v", "--verbose", action="store_true", help="show informational notes and details")
    common.add_argument("--json", action="store_true", help="print a JSON result on stdout (for scripts)")
    common.add_argument(
        "--progress-json",
        action="store_true",
        help="report progress as JSON lines on stderr (for front ends such as the QGIS plugin)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "inspect",
        parents=[common],
        help="describe a file's layers and the problems found",
        description="Describe every layer of FILE (file, folder or zip) and count its problems. Writes nothing.",
    )
    p.add_argument("file", metavar="FILE")
    add_read_options(p)

    _register_command_modules(sub, common)
    return parser


#: modules adding subcommands (check, publish ..., serve): each defines ``register(subparsers, common)`` and sets
#: ``handler=callable(args, out, err, feedback) -> dict`` on its parsers. Listed, not discovered, so that a
#: broken module fails loudly; a module not written yet is simply absent.
COMMAND_MODULES = (
    "odl_geo.cli.convert_command",
    "odl_geo.cli.theme_commands",
    "odl_geo.cli.publish_geoserver",
    "odl_geo.cli.publish_postgis",
    "odl_geo.cli.publish_datagouv",
    "odl_geo.cli.publish_csw",
    "odl_geo.cli.serve_commands",
    "odl_geo.cli.job_command",
    "odl_geo.cli.metadata_command",
    "odl_geo.cli.monitor_command",
    "odl_geo.cli.embed_command",
)


def publish_subparsers(sub: Any) -> Any:
    """The sub-parsers of ``odl-geo publish TARGET``, created once per parser; publisher modules add targets."""
    existing = getattr(sub, "_odl_publish", None)
    if existing is None:
        p = sub.add_parser(
            "publish",
            help="publish outputs to a map server, a portal or a database",
            description="Publish to a target. Re-publishing updates in place and sends only what "
            "changed. Credentials come from environment variables or a credentials file.",
        )
        existing = p.add_subparsers(dest="target", required=True, metavar="TARGET")
        sub._odl_publish = existing
    return existing


def _register_command_modules(sub: Any, common: argparse.ArgumentParser) -> None:
    import importlib
    import importlib.util

    for name in COMMAND_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(sub, common)


def _run(args: argparse.Namespace, out: Console, err: Console) -> tuple[dict[str, Any], int]:
    """Run the command; returns its JSON result and the exit code."""
    show_progress = not (args.quiet or args.json) and err.is_terminal
    feedback_cm: Any = (
        JsonLinesFeedback()
        if getattr(args, "progress_json", False)
        else RichFeedback(
            err,
            enabled=show_progress,
            verbose=args.verbose and not args.json,
            lang=getattr(args, "terminal_lang", "en"),
        )
    )
    with feedback_cm as feedback:
        handler = getattr(args, "handler", None)
        if handler is not None:  # commands of COMMAND_MODULES (convert included)
            from .convert_command import PartialConversion

            try:
                result: dict[str, Any] = handler(args, out, err, feedback)
            except PartialConversion as partial:
                return partial.result, EXIT_SKIPPED
            return result, 0
        from ..inspect import inspect_source
        from .render import print_issues, print_layers

        layers, source_report = inspect_source(args.file, read_options(args), feedback)
        if not args.json and not args.quiet:
            print_layers(out, layers, args.verbose)
            print_issues(out, source_report, args.verbose)
        return {"layers": [lyr.to_dict() for lyr in layers], "issues": source_report.to_dict()["issues"]}, 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # whoever read our output went away (``odl-geo inspect --json f | head``): not a bug, so no
        # traceback; stdout is pointed at /dev/null so that the interpreter's final flush stays quiet
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _stop_on_sigterm() -> None:
    """SIGTERM (a front end cancelling its worker) stops like Ctrl-C: cleanup code runs, outputs stay as they were."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():

        def _raise(signum: int, frame: object) -> None:
            raise Terminated

        signal.signal(signal.SIGTERM, _raise)


def run_argv(argv: Sequence[str]) -> tuple[int, dict[str, Any] | None, dict[str, Any] | None]:
    """Run one ``odl-geo`` command in this process, printing nothing: (exit code, its JSON result, its error).

    For front ends that chain commands (``odl-geo run`` and its job files). Bad options raise
    :class:`~odl_geo.errors.InputError` instead of exiting.
    """
    args = build_parser(_RaisingParser).parse_args([*argv, "--quiet", "--json"])
    quiet = Console(file=open(os.devnull, "w"), highlight=False)  # noqa: SIM115 - closed below
    from .secrets import redact_all, secrets_in_use

    secrets = secrets_in_use(args)
    try:
        result, code = _run(args, quiet, quiet)
    except OdlGeoError as exc:
        return exc.exit_code, None, redact_all(exc.to_dict(), secrets)
    except Exception as exc:  # noqa: BLE001 - a bug in one step must not stop the other datasets of a job
        message = redact_all(f"{type(exc).__name__}: {exc}", secrets)
        return EXIT_INTERNAL, None, {"error": "InternalError", "message": message, "hint": "This is a bug in odl-geo.",
                                     "message_fr": message, "hint_fr": "C'est un bug d'odl-geo."}  # fmt: skip
    finally:
        quiet.file.close()
    return code, redact_all(result, secrets), None


def parse_check(argv: Sequence[str]) -> None:
    """Parse ``argv`` as odl-geo would, without running it; :raises InputError: an unknown or bad option."""
    build_parser(_RaisingParser).parse_args(list(argv))


#: third-party loggers kept at WARNING even with --verbose (matplotlib alone logs hundreds of DEBUG lines)
QUIET_LOGGERS = ("matplotlib", "PIL", "fiona")


#: how the command line introduces an error and its technical details, in each language (:mod:`.language`)
_ERROR_WORDS = {"en": ("error:", "details:"), "fr": ("erreur :", "détails :")}


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    _stop_on_sigterm()
    from ..memory import limit_arenas

    limit_arenas()  # before the commands start their threads: flat memory in long runs (odl_geo.memory)
    out = Console(highlight=False, soft_wrap=True)
    if not out.is_terminal:
        out = Console(highlight=False, soft_wrap=True, width=160)  # logs and pipes: no truncated tables
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    for name in QUIET_LOGGERS:  # --verbose is for odl-geo's own details, not for font caches and PNG chunks
        logging.getLogger(name).setLevel(logging.WARNING)
    from .secrets import redact_all, secrets_in_use

    secrets = secrets_in_use(args)  # whatever a server echoed, no secret in use is printed (issue #14)
    args.terminal_lang = error_language(sys.argv[1:] if argv is None else argv)  # progress lines and errors
    try:
        result, code = _run(args, out, err)
    except OdlGeoError as exc:
        said = redact_all(exc.to_dict(), secrets)
        if args.json:
            print(json.dumps(said, ensure_ascii=False))
        lang = args.terminal_lang
        message, hint = (redact_all(text, secrets) for text in exc.text(lang))
        words = _ERROR_WORDS[lang]
        err.print(f"[bold red]{words[0]}[/] {escape(message)}", highlight=False)
        if hint:
            err.print(escape(f"  -> {hint}"), highlight=False)
        if said["details"] and args.verbose:
            err.print(escape(f"  {words[1]} {said['details']}"), highlight=False, style="dim")
        return exc.exit_code
    except KeyboardInterrupt as exc:
        stopped = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        err.print(f"{stopped}: nothing was changed in the output folder.")
        return EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a bug: say so plainly, never a raw traceback unless asked
        if args.json:
            print(json.dumps({"error": "InternalError", "message": redact_all(str(exc), secrets)}, ensure_ascii=False))
        err.print(
            f"[bold red]internal error:[/] {escape(redact_all(f'{type(exc).__name__}: {exc}', secrets))}",
            highlight=False,
        )
        err.print("  -> This is a bug in odl-geo. Run again with --verbose and report the output.", highlight=False)
        if args.verbose:
            err.print(escape(redact_all(traceback.format_exc(), secrets)), highlight=False)
        return EXIT_INTERNAL
    if args.json:
        print(redact_all(json.dumps(result, ensure_ascii=False, indent=2, default=str), secrets))
    return code


if __name__ == "__main__":
    sys.exit(main())
