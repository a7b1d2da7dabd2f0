"""Running a job: each dataset's steps in order, skipped when nothing changed, under a lock, into the journal.

The runner does not know how a step runs: the front end gives an ``execute(step, dataset, folder, dry_run)``
(``odl_geo.cli.job_command`` runs the ``odl-geo`` command of the step in-process). A failed step stops its
dataset, not the job: the other datasets still run, and the next run redoes the failed one (its state is only
written once every step succeeded; publishers resume and never duplicate).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from ..credentials import redact
from ..feedback import Feedback, NullFeedback, check_cancelled
from ..numbers import agree, count_text, quantity
from .executors import SerialExecutor
from .records import publication_record
from .state import append_journal, fingerprint, job_lock, read_state, write_state

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from .executors import Executor
    from .jobfile import Dataset, Job, Step

__all__ = ["DatasetOutcome", "JobResult", "StepResult", "run_job"]


@dataclass
class StepResult:
    """What one command gave: its exit code, its JSON result, or its error (message and hint)."""

    code: int
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None

    def summary(self, lang: str = "en") -> str:
        """What the step did (« 4 fichiers », "1 resource changed of 3"), or its error (message and hint), in
        ``lang``: the English for the journal and ``--json``, the French for a French terminal (an error's French
        where it was written, its English hint rather than none)."""
        lang = "fr" if lang == "fr" else "en"
        fr, words = lang == "fr", _SUMMARY_WORDS[lang]
        if self.error:
            e = self.error
            if fr and e.get("message_fr"):
                return f"{e['message_fr']} {e.get('hint_fr') or e.get('hint') or ''}".strip()
            return f"{e.get('message', '')} {e.get('hint', '')}".strip()

        def counted(n: int, key: str) -> str:  # the count and its words in ``lang``
            one, many = words[key]
            return quantity(n, one, many, lang)

        r = self.result or {}
        parts = []
        if "files" in r:
            parts.append(counted(len(r["files"]), "files"))
        if "resources" in r:
            changed = sum(1 for x in r["resources"] if x.get("outcome") in ("created", "updated"))
            of = count_text(len(r["resources"]), lang)
            parts.append(f"{counted(changed, 'resources')} {of}")
        if r.get("planned_requests") or r.get("dry_run"):
            parts.append(counted(len(r.get("planned_requests") or []), "planned"))
        if "bytes_uploaded" in r:
            sent = counted(int(r["bytes_uploaded"]), "uploaded") if fr else f"{r['bytes_uploaded']} bytes"
            parts.append(f"{sent} {words['to']} {r.get('page') or 'data.gouv.fr'}")
        if r.get("checks"):
            ok, checked = sum(1 for c in r["checks"] if c.get("ok")), len(r["checks"])
            one, many = words["checked"]
            layers = agree(checked, one, many, lang)  # "1/2 layers": the layers checked, 2 of them
            parts.append(f"{count_text(ok, lang)}/{count_text(checked, lang)} {layers}")
        if "layers" in r and isinstance(r["layers"], list) and r["layers"] and "table" in r["layers"][0]:
            parts.append(quantity(len(r["layers"]), "table", "tables", lang))
        return ", ".join(parts) or words["done"]


#: the words of :meth:`StepResult.summary` in each language: the singular and the plural of each count's
_SUMMARY_WORDS: dict[str, dict[str, Any]] = {
    "en": {
        "files": ("file", "files"),
        "resources": ("resource changed of", "resources changed of"),
        "planned": ("request planned", "requests planned"),
        "to": "uploaded to",
        "checked": ("layer checked in WMS/WFS", "layers checked in WMS/WFS"),
        "done": "done",
    },
    "fr": {
        "files": ("fichier", "fichiers"),
        "resources": ("ressource modifiée sur", "ressources modifiées sur"),
        "planned": ("requête prévue", "requêtes prévues"),
        "uploaded": ("octet envoyé", "octets envoyés"),
        "to": "à",
        "checked": ("couche vérifiée en WMS/WFS", "couches vérifiées en WMS/WFS"),
        "done": "fait",
    },
}


@dataclass
class DatasetOutcome:
    name: str
    outcome: str  # "done", "unchanged", "failed", "planned" (dry run)
    steps: list[dict[str, Any]] = field(default_factory=list)
    code: int = 0
    #: journal entries not yet written (a worker's: the caller appends them, see odl_geo.jobs.executors)
    journal: list[dict[str, Any]] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "outcome": self.outcome, "code": self.code, "steps": self.steps}


@dataclass
class JobResult:
    job: str
    datasets: list[DatasetOutcome] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every dataset is done or unchanged, else the first failed dataset's code."""
        return next((d.code for d in self.datasets if d.outcome == "failed"), 0)

    def to_dict(self) -> dict[str, Any]:
        return {"job": self.job, "exit_code": self.exit_code, "datasets": [d.to_dict() for d in self.datasets]}


def run_job(
    job: Job,
    execute: Callable[[Step, Dataset, Path, bool], StepResult],
    named_files: Callable[[Dataset], list[Path]],
    *,
    only: set[str] | None = None,
    force: bool = False,
    dry_run: bool = False,
    secrets: tuple[str, ...] = (),
    feedback: Feedback | None = None,
    executor: Executor | None = None,
) -> JobResult:
    """Run ``job`` (see the module docstring).

    :param named_files: the files a dataset's options name (mapping files, styles), part of its fingerprint.
    :param secrets: strings never to write to the journal (the credentials in use).
    :param executor: where datasets run (default: one after another here; see :mod:`odl_geo.jobs.executors`).
        With workers, ``execute`` and ``named_files`` must survive cloudpickle (the CLI's do).
    :raises JobLocked: another run of the job is in progress.
    :raises InputError: ``only`` names no dataset of the job.
    """
    from ..errors import InputError

    fb = feedback or NullFeedback()
    names = [d.name for d in job.datasets]
    if only and not only <= set(names):
        unknown = ", ".join(sorted(only - set(names)))
        raise InputError(
            f"The job {job.name!r} has no dataset {unknown}.",
            "Datasets: " + ", ".join(names) + ".",
            message_fr=f"La tâche {job.name!r} n'a pas de jeu de données {unknown}.",
            hint_fr="Jeux de données : " + ", ".join(names) + ".",
        )
    result = JobResult(job.name)
    with job_lock(job.out, job.name, write=not dry_run):  # a dry run writes nothing, not even the lock
        chosen = [d for d in job.datasets if not only or d.name in only]
        runner = executor or SerialExecutor()
        direct = runner.in_process
        done: dict[str, DatasetOutcome] = {}
        tasks = []
        for ds in chosen:  # unchanged datasets are told here: no worker is started for them
            skipped = None if force or dry_run else _unchanged(job, ds, named_files, secrets)
            if skipped is not None:
                done[ds.name] = skipped
            else:
                tasks.append((ds.name, partial(_run_dataset, job, ds, execute, named_files, dry_run, secrets, direct)))
        fb.progress(100.0 * len(done) / max(1, len(chosen)), job.name)
        check_cancelled(fb, f"Running {job.name}")
        for outcome in runner.run(tasks) if tasks else ():  # nothing to do: no worker, no cluster contacted
            for entry in outcome.journal:  # one writer: the entries of a worker's dataset, once it ended
                append_journal(job.journal, entry)
            outcome.journal = []
            done[outcome.name] = outcome
            fb.progress(100.0 * len(done) / max(1, len(chosen)), outcome.name)
            check_cancelled(fb, f"Running {job.name}")
        result.datasets = [done[ds.name] for ds in chosen if ds.name in done]
    fb.progress(100.0, job.name)
    return result


def _run_dataset(
    job: Job,
    ds: Dataset,
    execute: Callable[[Step, Dataset, Path, bool], StepResult],
    named_files: Callable[[Dataset], list[Path]],
    dry_run: bool,
    secrets: tuple[str, ...],
    direct: bool = True,
) -> DatasetOutcome:
    """Every step of one dataset, in order (in this process or a worker's); its state once all succeeded."""
    folder = job.out / ds.name
    journal = _Journal(job, ds.name, secrets, dry_run, direct)
    fp = fingerprint(ds, named_files(ds))
    outcome = DatasetOutcome(ds.name, "planned" if dry_run else "done", journal=journal.entries)
    for step in ds.steps:
        start = time.monotonic()
        res = execute(step, ds, folder, dry_run)
        seconds = round(time.monotonic() - start, 2)
        summary = res.summary()
        outcome.steps.append({"step": step.section, "code": res.code, "summary": redact(summary, secrets),
                              "seconds": seconds, **_summary_fr(res, secrets)})  # fmt: skip
        record = publication_record(step, res.result, folder) if res.code == 0 and not dry_run else None
        journal.write(step.section, "ok" if res.code == 0 else "failed", summary, code=res.code, seconds=seconds,
                      **({"published": record} if record else {}))  # fmt: skip
        if res.code != 0:
            outcome.outcome, outcome.code = "failed", res.code
            return outcome
    if not dry_run:
        write_state(folder, {"fingerprint": fp, "ok": True, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                             "steps": outcome.steps})  # fmt: skip
    return outcome


def _summary_fr(res: StepResult, secrets: tuple[str, ...]) -> dict[str, str]:
    """``{"summary_fr": ...}``: the step's summary in French (:meth:`StepResult.summary`), for the command line
    to print in a French terminal (the journal keeps the English)."""
    return {"summary_fr": redact(res.summary("fr"), secrets)}


def _unchanged(
    job: Job, ds: Dataset, named_files: Callable[[Dataset], list[Path]], secrets: tuple[str, ...]
) -> DatasetOutcome | None:
    """The "unchanged" outcome (journaled) when the fingerprint equals the last success's and outputs are there."""
    folder = job.out / ds.name
    state = read_state(folder)
    if (
        state.get("ok")
        and state.get("fingerprint") == fingerprint(ds, named_files(ds))
        and ((folder / "manifest.json").is_file() or "convert" not in {s.section for s in ds.steps})
    ):
        _Journal(job, ds.name, secrets, False).write(
            "dataset", "unchanged", "the source, its options and odl-geo are as at the last success"
        )
        return DatasetOutcome(ds.name, "unchanged")
    return None


class _Journal:
    """Appends to the job's journal now (``direct``), or keeps the entries for the caller to append (a worker)."""

    def __init__(self, job: Job, dataset: str, secrets: tuple[str, ...], dry_run: bool, direct: bool = True) -> None:
        self.job, self.dataset, self.secrets, self.dry_run, self.direct = job, dataset, secrets, dry_run, direct
        self.entries: list[dict[str, Any]] = []

    def write(self, step: str, outcome: str, detail: str, **extra: Any) -> None:
        if self.dry_run:  # a dry run changes nothing, the journal included: its result is printed instead
            return
        entry = {"job": self.job.name, "dataset": self.dataset, "step": step, "outcome": outcome,
                 "detail": redact(detail, self.secrets), **extra}  # fmt: skip
        if self.direct:
            append_journal(self.job.journal, entry)
        else:
            self.entries.append({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **entry})
