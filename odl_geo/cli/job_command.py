"""``odl-geo run JOB.toml``: a job file's datasets converted and published, for cron.

Registered by ``odl_geo.cli.main`` (``COMMAND_MODULES``). Each step of a dataset is the ``odl-geo`` command of the
same name, its options written in the job file without their dashes (``workspace = "commune"`` is
``--workspace commune``); this module turns them into arguments, checks every step against the commands before
anything runs, and executes them in this process (see :mod:`odl_geo.jobs` for the lock, the skips and the journal).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..credentials import Credentials
from ..errors import InputError
from ..numbers import agree, quantity

if TYPE_CHECKING:
    from rich.console import Console

    from ..feedback import Feedback
    from ..jobs import Dataset, Job, Step, StepResult

__all__ = ["register", "step_arguments"]

#: options the job sets itself or that make no sense in a job file (not offered in its messages)
_NOT_IN_JOBS = {"help", "out", "json", "quiet", "verbose", "progress_json", "credentials", "dry_run"}


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "run",
        parents=[common],
        help="run a job file: convert and publish its datasets (for cron)",
        description="Run JOB (a TOML job file, see docs/jobs.md): for each [[dataset]], convert the source and "
        "publish the result to the targets it names, in that order. A dataset whose source, options and odl-geo "
        "version are unchanged since its last successful run is skipped (nothing is read or sent). Two runs of a "
        "job never overlap (lock file). Every step is appended to the job's journal (JSON lines, no secret).",
        epilog="Exit codes: 0 every dataset done or unchanged; otherwise the code of the first failed dataset "
        "(2 bad input, 3 output, 4 server unreachable, 5 server error, 6 credentials refused); 7 the job is "
        "already running. The other datasets run even when one fails.",
    )
    p.add_argument("job", metavar="JOB")
    p.add_argument("--only", action="append", default=[], metavar="NAME", help="run only this dataset (repeat)")
    p.add_argument("--force", action="store_true", help="redo datasets even when nothing changed")
    p.add_argument("--dry-run", action="store_true", help="convert into a temporary folder, show what publishing "
                   "would send; change nothing")  # fmt: skip
    g = p.add_argument_group("scaling (docs/scaling.md)")
    g.add_argument("--jobs", type=int, default=1, metavar="N", help="run up to N datasets at a time, each in a "
                   "worker process (default 1); each dataset's steps stay in order")  # fmt: skip
    g.add_argument("--executor", choices=("local", "dask"), default="local", help="where datasets run: worker "
                   "processes here (local), or tasks on a Dask distributed cluster (dask)")  # fmt: skip
    g.add_argument("--scheduler", metavar="ADDRESS", default="", help="the Dask scheduler, e.g. tcp://HOST:8786 "
                   "(workers: same odl-geo version, the job's paths on shared storage)")  # fmt: skip
    p.set_defaults(handler=_handler)


def _executor(args: argparse.Namespace) -> Any:
    """The executor of ``--jobs`` / ``--executor`` (:mod:`odl_geo.jobs.executors`)."""
    from ..jobs.executors import DaskExecutor, ProcessExecutor, SerialExecutor

    if args.executor == "dask":
        return DaskExecutor(args.scheduler)
    if args.scheduler:
        raise InputError(
            "--scheduler is for --executor dask.",
            "Add --executor dask, or remove --scheduler.",
            message_fr="--scheduler ne sert qu'avec --executor dask.",
            hint_fr="Ajoutez --executor dask, ou retirez --scheduler.",
        )
    return ProcessExecutor(args.jobs) if args.jobs != 1 else SerialExecutor()


# -- options -> arguments -------------------------------------------------------------------------------------
def _subparser(command: tuple[str, ...]) -> argparse.ArgumentParser:
    from .main import build_parser

    parser: argparse.ArgumentParser = build_parser()
    for word in command:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[word]
    return parser


def _option_arguments(step: Step, base: Path, where: str) -> list[str]:
    """``--key value`` for each option; lists repeat an ``append`` option or join with commas; relative paths
    that exist next to the job file become absolute."""
    from difflib import get_close_matches

    parser = _subparser(step.command)
    by_dest = {a.dest: a for a in parser._actions if a.option_strings}
    args: list[str] = []
    for key, value in step.options.items():
        action = by_dest.get(key.replace("-", "_")) or next(
            (a for a in by_dest.values() if f"--{key.replace('_', '-')}" in a.option_strings), None
        )
        if action is None or action.dest == "help":
            known = sorted(
                max(a.option_strings, key=len)[2:]
                for a in by_dest.values()
                if a.dest not in _NOT_IN_JOBS and a.help != argparse.SUPPRESS
            )
            close = get_close_matches(key.replace("_", "-"), known, n=1)
            raise InputError(
                f"{where} has no option {key!r} (odl-geo {' '.join(step.command)}).",
                (f"Did you mean {close[0]!r}? " if close else "") + "Options: " + ", ".join(known) + ".",
                message_fr=f"{where} : odl-geo {' '.join(step.command)} n'a pas d'option {key!r}.",
                hint_fr=(f"Vouliez-vous dire {close[0]!r} ? " if close else "") + "Options : " + ", ".join(known) + ".",
            )
        flag = max(action.option_strings, key=len)
        if action.nargs == 0:  # store_true / store_false / count
            if not isinstance(value, bool):
                raise InputError(
                    f"{where} {key} is a switch: write true or false.",
                    f"{key} = true",
                    message_fr=f"{where} {key} est un interrupteur : écrivez true ou false.",
                    hint_fr=f"{key} = true",
                )
            if value:
                args.append(flag)
            continue
        values = value if isinstance(value, list) else [value]
        path_like = _is_path_option(action)
        values = [_resolved(v, base) if path_like else _text(v) for v in values]
        if isinstance(action, argparse._AppendAction):
            for v in values:
                args += [flag, v]
        else:
            args += [flag, ",".join(values)]
    return args


#: metavars of options whose value is a path (a file or folder next to the job file is made absolute); the other
#: values stay as written: a theme "water" is not the folder water/ beside the job file
_PATH_METAVARS = {"FILE", "TOML", "PEM", "SLD_OR_DIR", "DIR", "PATH", "FOLDER"}


def _is_path_option(action: argparse.Action) -> bool:
    metavar = str(action.metavar or "")
    return metavar in _PATH_METAVARS or metavar.endswith(("_FILE", "_DIR", "_FOLDER"))


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _resolved(value: Any, base: Path) -> str:
    text = _text(value)
    candidate = base / text
    if text and not Path(text).is_absolute() and "://" not in text and candidate.exists():
        return str(candidate)
    return text


def step_arguments(job: Job, ds: Dataset, step: Step, folder: Path, dry_run: bool) -> list[str]:
    """The ``odl-geo`` arguments of one step (the job's source, folder and credentials filled in)."""
    where = f"{job.path.name} [{ds.name}] [dataset.{step.section}]"
    args = [*step.command]
    if step.section == "metadata":  # a metadata table, not options: checked whole now, every problem listed
        from ..metadata.inputs import parse_metadata

        parse_metadata(step.options, where)
        return [*args, str(folder)]
    if step.section == "convert":
        args += [str(ds.source), "--out", str(folder)]
    else:
        args.append(str(folder))
        if job.credentials is not None:
            args += ["--credentials", str(job.credentials)]
        if dry_run:
            args.append("--dry-run")
    args += _option_arguments(step, job.path.parent, where)
    if step.section == "datagouv":
        args += _map_platform_links(ds, step)
    return args


def _map_platform_links(ds: Dataset, step: Step) -> list[str]:
    """The dataset's WMS/WFS on GeoServer, as remote resources on data.gouv.fr (unless the section gives them)."""
    gs = next((s for s in ds.steps if s.section == "geoserver"), None)
    if gs is None or not gs.options.get("url") or not gs.options.get("workspace"):
        return []
    base = f"{str(gs.options['url']).rstrip('/')}/{gs.options['workspace']}"
    out = []
    if "wms_url" not in step.options and "wms-url" not in step.options:
        out += ["--wms-url", f"{base}/wms?service=WMS&version=1.3.0&request=GetCapabilities"]
    if "wfs_url" not in step.options and "wfs-url" not in step.options:
        out += ["--wfs-url", f"{base}/wfs?service=WFS&version=1.1.0&request=GetCapabilities"]
    return out


# -- the command ----------------------------------------------------------------------------------------------
def _handler(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    import shutil
    import tempfile
    import time

    from ..jobs import StepResult, load_job, run_job
    from .main import parse_check, run_argv

    job = load_job(args.job)
    # every step checked against its command before anything runs: a typo fails now, not at 3 a.m. half-way
    for ds in job.datasets:
        for step in ds.steps:
            parse_check(step_arguments(job, ds, step, job.out / ds.name, args.dry_run))
    scratch = Path(tempfile.mkdtemp(prefix="odl-geo-job-")) if args.dry_run else None
    ends = None if job.deadline is None else time.monotonic() + job.deadline

    def execute(step: Step, ds: Dataset, folder: Path, dry_run: bool) -> StepResult:
        converts = any(s.section == "convert" for s in ds.steps)
        target = scratch / ds.name if scratch is not None and converts else folder  # a dry run converts aside
        if step.section == "metadata":
            return _metadata_step(job, ds, step, target)
        meta = next((s for s in ds.steps if s.section == "metadata"), None)
        if step.section == "csw" and meta is not None and not dry_run:
            # the record again, now with what the geoserver/datagouv steps published (layer names, the
            # data.gouv.fr page: odl_geo.metadata.published), so the catalogue gets links to what exists
            refreshed = _metadata_step(job, ds, meta, target)
            if refreshed.code:
                return refreshed
        argv = step_arguments(job, ds, step, target, dry_run)
        if ends is not None and step.section != "convert" and "deadline" not in step.options:
            argv += ["--deadline", f"{max(ends - time.monotonic(), 0.001):.3f}"]  # what is left of the job's
        code, result, error = run_argv(argv)
        return StepResult(code, result, error)

    def named_files(ds: Dataset) -> list[Path]:
        base = job.path.parent
        return [base / str(v) for s in ds.steps for v in s.options.values()
                if isinstance(v, str) and "://" not in v and (base / v).exists()]  # fmt: skip

    try:
        result = run_job(
            job,
            execute,
            named_files,
            only=set(args.only) or None,
            force=args.force,
            dry_run=args.dry_run,
            secrets=_secrets(job),
            feedback=feedback,
            executor=_executor(args),
        )
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if not args.json and not args.quiet:
        french = getattr(args, "terminal_lang", "en") == "fr"  # the table in the terminal's language (main's choice)
        words = _TABLE_FR if french else {}
        for d in result.datasets:
            colour = {"failed": "red", "unchanged": "dim"}.get(d.outcome, "green")
            out.print(f"[{colour}]{words.get(d.outcome, d.outcome):<9}[/] {escape(d.name)}", highlight=False)
            for s in d.steps:
                summary = s.get("summary_fr", s["summary"]) if french else s["summary"]
                said = "ok" if s["code"] == 0 else words.get("FAILED", "FAILED")
                out.print(escape(f"    {s['step']:<9} {said} {summary}"))
        out.print(escape(f"{words.get('journal:', 'journal:')} {job.journal}"), highlight=False)
    data = result.to_dict()
    if result.exit_code:
        failed = [d.name for d in result.datasets if d.outcome == "failed"]
        datasets = quantity(len(failed), "dataset", "datasets", "en")
        datasets_fr = quantity(len(failed), "jeu de données", "jeux de données")
        raise _JobFailed(result.exit_code, f"{datasets} of {job.name!r} failed: {', '.join(failed)}.",
                         f"Read {job.journal} (and run again: publishing resumes).", data,
                         message_fr=f"{datasets_fr} de la tâche {job.name!r} "
                         f"{agree(len(failed), 'a échoué', 'ont échoué')} : {', '.join(failed)}.",
                         hint_fr=f"Consultez {job.journal} (et relancez : la publication reprend où elle "
                         "s'était arrêtée).")  # fmt: skip
    return data


def _metadata_step(job: Job, ds: Dataset, step: Step, folder: Path) -> StepResult:
    """``[dataset.metadata]``: the table goes to the metadata builder as a ``metadata.toml`` would (the record is
    built from the converted folder and written beside it: metadata.xml, metadata.jsonld, GeoPackages)."""
    from ..errors import OdlGeoError
    from ..jobs import StepResult
    from ..metadata import metadata_input, prepare_record, write_metadata

    where = f"{job.path.name} [{ds.name}] [dataset.metadata]"
    try:
        given = metadata_input(folder, table=step.options, origin=where)
        result = write_metadata(folder, prepare_record(folder, given))
    except OdlGeoError as exc:
        return StepResult(exc.exit_code, None, exc.to_dict())
    except Exception as exc:  # noqa: BLE001 - a bug in one step must not stop the other datasets of a job
        return StepResult(1, None, {"error": "InternalError", "message": f"{type(exc).__name__}: {exc}",
                                    "hint": "This is a bug in odl-geo.", "message_fr": f"{type(exc).__name__} : {exc}",
                                    "hint_fr": "C'est un bug d'odl-geo."})  # fmt: skip
    return StepResult(0, result.to_dict())


def _secrets(job: Job) -> tuple[str, ...]:
    """Every credential the steps may use, so that none reaches the journal even inside a server's message."""
    found: list[str] = []
    for prefix in ("ODL_GEOSERVER", "ODL_DATAGOUV", "ODL_POSTGIS", "ODL_CSW"):
        found += Credentials.from_env(prefix).secrets
    if job.credentials is not None and job.credentials.is_file():
        for section in ("geoserver", "datagouv", "postgis", "csw"):
            try:
                found += Credentials.from_file(job.credentials, section).secrets
            except InputError:
                continue
    return tuple(found)


#: the words of ``odl-geo run``'s table in a French terminal (a dataset's outcome, a failed step, the journal)
_TABLE_FR = {
    "done": "fait",
    "unchanged": "inchangé",
    "failed": "échec",
    "planned": "prévu",
    "FAILED": "ÉCHEC",
    "journal:": "journal :",
}


class _JobFailed(InputError):
    """Some datasets failed: the exit code is the first failure's, the JSON result lists every dataset."""

    def __init__(
        self, code: int, message: str, hint: str, result: dict[str, Any], *, message_fr: str = "", hint_fr: str = ""
    ) -> None:
        super().__init__(message, hint, message_fr=message_fr, hint_fr=hint_fr)
        self.exit_code = code
        self.result = result

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), **self.result}  # message_fr and hint_fr included (OdlGeoError.to_dict)
