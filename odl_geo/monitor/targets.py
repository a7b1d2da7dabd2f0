"""What to check: the publications the job's journal records, the last successful one of each (dataset, step).

``odl-geo run`` appends one JSON line per step; a successful publish step carries a ``published`` record (see
:mod:`odl_geo.jobs.records`): the target and the objects sent there. The monitor never guesses from the job
file: a target the journal does not show as published is not checked (it may never have been reached).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

    from ..jobs import Job

__all__ = ["Publication", "load_manifest", "publications"]


@dataclass(frozen=True)
class Publication:
    dataset: str
    step: str  # geoserver, postgis, datagouv, csw
    record: dict[str, Any]
    time: str
    folder: Path  # the dataset's output folder (manifest.json)


def publications(job: Job, only: set[str] | None = None) -> list[Publication]:
    """The last successful publication of each (dataset, step) of the job still in the job file, in job order.

    :raises InputError: the journal cannot be read (it exists but is not the job's JSON lines).
    """
    found: dict[tuple[str, str], Publication] = {}
    names = [d.name for d in job.datasets]
    path = job.journal
    if not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"The journal {path} cannot be read ({exc}).",
            "Check its permissions.",
            message_fr=f"Impossible de lire le journal {path} ({exc}).",
            hint_fr="Vérifiez ses droits d'accès.",
        ) from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            raise InputError(
                f"Line {n} of the journal {path} is not JSON.",
                "The journal is written by odl-geo run only.",
                message_fr=f"La ligne {n} du journal {path} n'est pas du JSON.",
                hint_fr="Le journal n'est écrit que par odl-geo run.",
            ) from None
        record = entry.get("published") if isinstance(entry, dict) else None
        if entry.get("outcome") != "ok" or not isinstance(record, dict):
            continue
        ds, step = str(entry.get("dataset")), str(entry.get("step"))
        if ds in names and (not only or ds in only):
            found[(ds, step)] = Publication(ds, step, record, str(entry.get("time", "")), job.out / ds)
    order = {name: i for i, name in enumerate(names)}
    steps = ("geoserver", "postgis", "datagouv", "csw")
    return sorted(found.values(), key=lambda p: (order[p.dataset], steps.index(p.step) if p.step in steps else 9))


def load_manifest(folder: Path) -> dict[str, Any]:
    """The dataset's manifest.json, or {} when it is missing (the schema probe then says so)."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
