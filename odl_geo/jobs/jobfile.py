"""The job file: what a scheduled run converts and publishes, one ``[[dataset]]`` after another.

A job file is written once by a SIG administrator and run by cron (``odl-geo run job.toml``). Each step of a dataset
is an ``odl-geo`` command, given with the same options as on the command line, without the dashes::

    [job]
    name = "Commune de Saint-Guilhem-le-Désert"
    out = "publication"                       # relative paths are relative to the job file
    credentials = "~/.config/odl-geo/credentials.toml"   # optional: [geoserver], [datagouv], [postgis] sections

    [[dataset]]
    name = "sentiers"                         # folder out/sentiers, key of the dataset in the journal
    source = "data/sentiers.shp"
    [dataset.convert]                         # odl-geo convert FILE --out out/sentiers ...
    theme = "hiking"
    mapping = "sentiers.toml"
    to = ["geojson", "gpkg"]
    [dataset.geoserver]                       # odl-geo publish geoserver out/sentiers ...
    url = "https://carto.example.fr/geoserver"
    workspace = "commune"
    [dataset.datagouv]                        # odl-geo publish datagouv out/sentiers ...
    org = "commune-de-saint-guilhem"
    [dataset.metadata]                        # what metadata.toml holds (title, abstract, producer, licence...)
    title = "Sentiers de Saint-Guilhem"
    [dataset.csw]                             # odl-geo publish csw out/sentiers ...
    url = "https://catalogue.example.fr/geonetwork/srv/fre/csw-publication"

Steps run in a fixed order: convert, metadata (writes metadata.xml), then geoserver, postgis, datagouv, csw. The
job file holds no secret: a key such as ``password`` or ``api_key`` is refused; credentials come from the
environment or the credentials file.
Options are checked against the commands by the front end (``odl_geo.cli``) before anything runs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["STEP_ORDER", "Dataset", "Job", "Step", "load_job"]

#: section of a dataset -> the command it runs (the folder of the dataset is its input after the conversion)
STEP_ORDER: dict[str, tuple[str, ...]] = {
    "convert": ("convert",),
    "metadata": ("metadata",),  # not command options: the metadata table itself (see odl_geo.metadata.inputs)
    "geoserver": ("publish", "geoserver"),
    "postgis": ("publish", "postgis"),
    "datagouv": ("publish", "datagouv"),
    "csw": ("publish", "csw"),
}
_SECRET_KEYS = {"password", "passwd", "api_key", "apikey", "token", "secret", "key"}
_JOB_KEYS = {"name", "out", "credentials", "journal", "deadline"}
_DATASET_KEYS = {"name", "source", *STEP_ORDER}
_MANAGED = {"file", "out", "json", "quiet", "verbose", "progress_json", "credentials"}  # set by the runner


@dataclass(frozen=True)
class Step:
    """One command of a dataset: its section name and its options (key -> value, as written in the file)."""

    section: str
    options: dict[str, Any]

    @property
    def command(self) -> tuple[str, ...]:
        return STEP_ORDER[self.section]


@dataclass(frozen=True)
class Dataset:
    name: str
    source: Path
    steps: tuple[Step, ...]
    table: dict[str, Any] = field(default_factory=dict, compare=False)  # as written, for the fingerprint


@dataclass(frozen=True)
class Job:
    name: str
    path: Path
    out: Path
    credentials: Path | None
    journal: Path
    datasets: tuple[Dataset, ...]
    #: seconds the publishing steps of the whole run may take (``[job] deadline``); None: each step's own
    deadline: float | None = None


def _check_keys(where: str, table: dict[str, Any], allowed: set[str]) -> None:
    for key in table:
        if key.lower() in _SECRET_KEYS:
            raise InputError(
                f"{where} holds a secret ({key!r}): job files must not.",
                "Put it in the environment (ODL_GEOSERVER_PASSWORD, ODL_DATAGOUV_API_KEY...) or in the credentials "
                "file named by [job] credentials (chmod 600).",
                message_fr=f"{where} contient un secret ({key!r}) : un fichier de tâche ne doit pas en contenir.",
                hint_fr="Mettez-le dans l'environnement (ODL_GEOSERVER_PASSWORD, ODL_DATAGOUV_API_KEY...) ou dans le "
                "fichier d'identifiants indiqué par [job] credentials (chmod 600).",
            )
        if key not in allowed:
            close = get_close_matches(key, sorted(allowed), n=1)
            raise InputError(
                f"{where} has an unknown key {key!r}.",
                (f"Did you mean {close[0]!r}? " if close else "") + "Allowed: " + ", ".join(sorted(allowed)) + ".",
                message_fr=f"{where} contient une clé inconnue : {key!r}.",
                hint_fr=(f"Vouliez-vous dire {close[0]!r} ? " if close else "")
                + "Clés possibles : "
                + ", ".join(sorted(allowed))
                + ".",
            )


def _path(base: Path, value: Any, where: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"{where} must be a path in quotes.",
            'e.g. source = "data/sentiers.shp"',
            message_fr=f"{where} doit être un chemin entre guillemets.",
            hint_fr='Par exemple : source = "data/sentiers.shp"',
        )
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def load_job(path: str | Path) -> Job:
    """Read and check a job file (structure only; each step's options are checked by the front end).

    :raises InputError: missing file, bad TOML, unknown sections or keys, secrets, duplicate dataset names.
    """
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"The job file {p} does not exist.",
            "Check the path given to odl-geo run.",
            message_fr=f"Le fichier de tâche {p} est introuvable.",
            hint_fr="Vérifiez le chemin donné à odl-geo run.",
        ) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"The job file {p.name} is not UTF-8 text.",
            "Save it as UTF-8.",
            message_fr=f"Le fichier de tâche {p.name} n'est pas un texte en UTF-8.",
            hint_fr="Enregistrez-le en UTF-8.",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"The job file {p.name} is not valid TOML: {exc}.",
            'Lines look like key = "value".',
            message_fr=f"Le fichier de tâche {p.name} n'est pas un TOML valide : {exc}.",
            hint_fr='Les lignes s\'écrivent clé = "valeur".',
        ) from exc
    _check_keys(p.name, data, {"job", "dataset"})
    base = p.resolve().parent
    head = data.get("job", {})
    if not isinstance(head, dict):
        raise InputError(
            f"{p.name}: [job] must be a table.",
            'e.g. [job] then name = "..." and out = "..."',
            message_fr=f"{p.name} : [job] doit être une table.",
            hint_fr='Par exemple : [job] puis name = "..." et out = "..."',
        )
    _check_keys(f"{p.name} [job]", head, _JOB_KEYS)
    out = _path(base, head.get("out", "publication"), f"{p.name} [job] out")
    datasets_raw = data.get("dataset", [])
    if not isinstance(datasets_raw, list) or not datasets_raw:
        raise InputError(
            f"{p.name} has no [[dataset]].",
            "Add one [[dataset]] per layer to publish.",
            message_fr=f"{p.name} n'a aucun [[dataset]].",
            hint_fr="Ajoutez un [[dataset]] par couche à publier.",
        )
    datasets: list[Dataset] = []
    for i, table in enumerate(datasets_raw, start=1):
        where = f"{p.name} [[dataset]] #{i}"
        if not isinstance(table, dict):
            raise InputError(
                f"{where} must be a table.",
                "Write [[dataset]] then its keys.",
                message_fr=f"{where} doit être une table.",
                hint_fr="Écrivez [[dataset]] puis ses clés.",
            )
        _check_keys(where, table, _DATASET_KEYS)
        name = table.get("name")
        if not isinstance(name, str) or not name.strip() or "/" in name or name.startswith("."):
            raise InputError(
                f"{where} needs a name (a folder name, no '/').",
                'e.g. name = "sentiers"',
                message_fr=f"{where} doit avoir un nom (un nom de dossier, sans '/').",
                hint_fr='Par exemple : name = "sentiers"',
            )
        if name in {d.name for d in datasets}:
            raise InputError(
                f"{p.name}: two datasets are named {name!r}.",
                "Give each dataset its own name.",
                message_fr=f"{p.name} : deux jeux de données s'appellent {name!r}.",
                hint_fr="Donnez à chaque jeu de données son propre nom.",
            )
        steps = []
        for section in STEP_ORDER:
            options = table.get(section)
            if options is None:
                continue
            if not isinstance(options, dict):
                raise InputError(
                    f"{where} [{section}] must be a table.",
                    f"Write [dataset.{section}] then options.",
                    message_fr=f"{where} [{section}] doit être une table.",
                    hint_fr=f"Écrivez [dataset.{section}] puis ses options.",
                )
            for key in options:
                if key.lower() in _SECRET_KEYS:
                    _check_keys(f"{where} [{section}]", {key: None}, set())
                if key.replace("-", "_") in _MANAGED:
                    raise InputError(
                        f"{where} [{section}] sets {key!r}, which the job sets itself.",
                        "Remove it: the source, the output folder and the credentials file come from the job.",
                        message_fr=f"{where} [{section}] définit {key!r}, que la tâche définit elle-même.",
                        hint_fr="Retirez cette clé : la source, le dossier de sortie et le fichier d'identifiants "
                        "viennent de la tâche.",
                    )
            steps.append(Step(section, dict(options)))
        if not steps:
            raise InputError(
                f"{where} ({name}) has nothing to do.",
                "Add [dataset.convert] and/or publish sections.",
                message_fr=f"{where} ({name}) n'a rien à faire.",
                hint_fr="Ajoutez [dataset.convert] et/ou des sections de publication.",
            )
        if "convert" not in {s.section for s in steps} and "source" in table:
            raise InputError(
                f"{where} ({name}) has a source but no [dataset.convert].",
                "Add [dataset.convert].",
                message_fr=f"{where} ({name}) a une source mais pas de [dataset.convert].",
                hint_fr="Ajoutez [dataset.convert].",
            )
        source = _path(base, table["source"], f"{where} source") if "source" in table else out / name
        datasets.append(Dataset(name, source, tuple(steps), table))
    credentials = _path(base, head["credentials"], f"{p.name} [job] credentials") if "credentials" in head else None
    journal = _path(base, head["journal"], f"{p.name} [job] journal") if "journal" in head else out / "journal.jsonl"
    deadline = head.get("deadline")
    if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, int | float) or deadline <= 0):
        raise InputError(
            f"{p.name} [job] deadline must be a positive number of seconds.",
            "deadline = 900",
            message_fr=f"{p.name} [job] deadline doit être un nombre de secondes positif.",
            hint_fr="deadline = 900",
        )
    return Job(str(head.get("name") or p.stem), p.resolve(), out, credentials, journal, tuple(datasets),
               float(deadline) if deadline is not None else None)  # fmt: skip
