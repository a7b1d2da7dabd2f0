"""What only a person knows about a dataset: ``metadata.toml`` (or ``[dataset.metadata]`` in a job file).

odl-geo fills the extent, the CRS, the counts, the fields, the schema, the lineage and the conformity itself; a
catalogue also needs a title, an abstract, who produced the data and whom to ask, the licence and how often the
data changes. Those come from here. :func:`parse_metadata` reads both spellings (a file or a job's table) the
same way and collects *every* problem (missing element, unknown licence, malformed e-mail, unknown key) before
raising, so that a person fixes the file once, not once per run.

Example (see ``docs/metadata.md``)::

    title = "Itinéraires de randonnée des Cévennes"
    abstract = "Les itinéraires balisés des communautés de communes des Cévennes."
    licence = "lov2"            # or "odbl"
    frequency = "annual"        # data.gouv.fr frequency (annual, monthly...), ISO code or French word
    keywords = ["randonnée", "Cévennes"]

    [producer]
    name = "Parc national des Cévennes"
    email = "sig@cevennes-parcnational.fr"
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..numbers import quantity
from .model import (
    FREQUENCIES,
    FREQUENCY_ALIASES,
    INSPIRE_THEMES,
    ISO_TOPIC_CATEGORIES,
    LICENCE_ALIASES,
    LICENCES,
    Frequency,
    Licence,
    Party,
    Resolution,
    TemporalCoverage,
)

__all__ = [
    "METADATA_FILE",
    "MetadataIncomplete",
    "MetadataInput",
    "Missing",
    "find_metadata_file",
    "load_metadata_file",
    "parse_metadata",
]

METADATA_FILE = "metadata.toml"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s<>\"'`{}|\\^]+$")
_TOP_KEYS = {
    "title", "abstract", "licence", "license", "frequency", "keywords", "lineage", "inspire_theme",
    "topic_categories", "resolution", "resolution_m", "temporal", "dates", "producer", "contact", "identifier",
    "links", "inspire_conformity",
}  # fmt: skip
_PARTY_KEYS = {"name", "email", "url", "phone", "individual", "siren"}
_LINK_KEYS = {"wms", "wfs", "workspace", "download", "datagouv", "metadata"}


@dataclass(frozen=True)
class Missing:
    """One element to fill in: the key in ``metadata.toml``, what is wrong, in French and English."""

    key: str
    message_fr: str
    message_en: str


class MetadataIncomplete(InputError):
    """Mandatory metadata elements are missing or wrong; ``missing`` lists every one of them (exit code 2)."""

    def __init__(self, missing: list[Missing], origin: str) -> None:
        self.missing = list(missing)
        lines_fr = "\n".join(f"  - {m.key} : {m.message_fr}" for m in missing)
        lines_en = "\n".join(f"  - {m.key}: {m.message_en}" for m in missing)
        super().__init__(
            f"Metadata incomplete ({origin}): {quantity(len(missing), 'element', 'elements', 'en')} to fill in "
            f"before anything is written or published:\n{lines_en}",
            f"Complete {origin} (template in docs/metadata.md) and run again. Nothing was written or sent.",
            f"Metadata incomplete ({origin}), {quantity(len(missing), 'element', 'elements', 'en')} to fill in:\n"
            f"{lines_en}",
            message_fr=f"Métadonnées incomplètes ({origin}) : {quantity(len(missing), 'élément', 'éléments')} à "
            f"compléter avant d'écrire ou de publier quoi que ce soit :\n{lines_fr}",
            hint_fr=f"Complétez {origin} (modèle dans docs/metadata.md) puis relancez. Rien n'a été écrit ni envoyé.",
        )


@dataclass(frozen=True)
class MetadataInput:
    """The person-given part of a record, checked. Dates default to what odl-geo knows (see ``build``)."""

    title: str
    abstract: str
    producer: Party
    contact: Party
    licence: Licence
    frequency: Frequency
    keywords: tuple[str, ...] = ()
    lineage: str = ""
    inspire_theme: str | None = None
    topic_categories: tuple[str, ...] = ()
    resolution: Resolution | None = None
    temporal: TemporalCoverage | None = None
    dates: dict[str, dt.date] = field(default_factory=dict)  # source, creation, revision, publication
    siren: str = ""
    codespace: str = ""
    code: str = ""
    links: dict[str, str] = field(default_factory=dict)
    inspire_conformity: str = ""  # "pass"/"fail" when the producer evaluated it; default: not evaluated
    origin: str = METADATA_FILE


def find_metadata_file(*folders: Path | None) -> Path | None:
    """The first ``metadata.toml`` found in ``folders`` (the job's folder, then the output folder...)."""
    for folder in folders:
        if folder is not None and (folder / METADATA_FILE).is_file():
            return folder / METADATA_FILE
    return None


def load_metadata_file(path: str | Path) -> MetadataInput:
    """Read and check a ``metadata.toml``.

    :raises InputError: the file cannot be read or is not TOML.
    :raises MetadataIncomplete: mandatory elements are missing or wrong (all listed).
    """
    path = Path(path)
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(
            f"Metadata file not found: {path}.",
            "Give the path of a metadata.toml.",
            message_fr=f"Fichier de métadonnées introuvable : {path}.",
            hint_fr="Indiquez le chemin d'un metadata.toml.",
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Cannot read the metadata file {path}: {exc}.",
            "Save it as UTF-8 text.",
            message_fr=f"Impossible de lire le fichier de métadonnées {path} : {exc}.",
            hint_fr="Enregistrez-le en texte UTF-8.",
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"{path.name} is not valid TOML: {exc}.",
            "Fix the line named (strings in double quotes).",
            message_fr=f"{path.name} n'est pas un fichier TOML valide : {exc}.",
            hint_fr="Corrigez la ligne indiquée (les chaînes de caractères s'écrivent entre guillemets doubles).",
        ) from exc
    return parse_metadata(table, str(path))


def parse_metadata(table: dict[str, Any], origin: str = METADATA_FILE) -> MetadataInput:
    """Check a metadata table (a parsed ``metadata.toml`` or a job file's ``[dataset.metadata]``).

    :param origin: how messages name the table (``metadata.toml``, ``job.toml [dataset.metadata]``).
    :raises MetadataIncomplete: every missing or wrong element at once.
    """
    missing: list[Missing] = []

    def need(key: str, fr: str, en: str) -> None:
        missing.append(Missing(key, fr, en))

    for key in sorted(set(table) - _TOP_KEYS):
        need(key, f"clé inconnue (clés possibles : {', '.join(sorted(_TOP_KEYS))})", f"unknown key {key!r}")
    title = _text(table.get("title"))
    if not title:
        need("title", 'le titre du jeu de données, ex. title = "Itinéraires de randonnée de la commune"',
             "the dataset's title")  # fmt: skip
    abstract = _text(table.get("abstract"))
    if not abstract:
        need("abstract", "le résumé : ce que contient le jeu de données, sur quel territoire, pour quel usage",
             "the abstract: what the data holds, where, what for")  # fmt: skip
    producer = _party(table.get("producer"), "producer", "owner", need)
    contact_table = table.get("contact")
    contact = _party(contact_table, "contact", "pointOfContact", need) if contact_table is not None else None
    if producer is not None and contact is None:
        contact = Party(producer.organisation, producer.email, "pointOfContact", producer.individual, producer.url,
                        producer.phone)  # fmt: skip
    licence = _licence(table.get("licence", table.get("license")), need)
    frequency = _frequency(table.get("frequency"), need)
    keywords = _strings(table.get("keywords"), "keywords", need)
    theme = _text(table.get("inspire_theme")).lower() or None
    if theme is not None and theme not in INSPIRE_THEMES:
        need("inspire_theme", f"thème INSPIRE inconnu {theme!r} (codes : {', '.join(INSPIRE_THEMES)})",
             f"unknown INSPIRE theme {theme!r}")  # fmt: skip
    topics = _strings(table.get("topic_categories"), "topic_categories", need)
    for t in topics:
        if t not in ISO_TOPIC_CATEGORIES:
            need("topic_categories", f"catégorie ISO inconnue {t!r} (ex. transportation, planningCadastre)",
                 f"unknown ISO topic category {t!r}")  # fmt: skip
    resolution = _resolution(table, need)
    dates = _dates(table.get("dates"), need)
    temporal = _temporal(table.get("temporal"), need)
    ident = table.get("identifier") or {}
    if not isinstance(ident, dict) or set(ident) - {"codespace", "code"}:
        need("identifier", "une table avec codespace et/ou code", "a table with codespace and/or code")
        ident = {}
    links = table.get("links") or {}
    if not isinstance(links, dict) or set(links) - _LINK_KEYS:
        need("links", f"une table avec {', '.join(sorted(_LINK_KEYS))} (adresses http(s))",
             "a table of http(s) URLs")  # fmt: skip
        links = {}
    for key, url in links.items():
        if key != "workspace" and not _URL.match(str(url)):
            need(f"links.{key}", f"{url!r} n'est pas une adresse http(s) (sans espace ni guillemet)",
                 f"{url!r} is not an http(s) URL")  # fmt: skip
        if key == "workspace" and not re.fullmatch(r"[A-Za-z_][\w.-]*", str(url)):
            fr = f"{url!r} n'est pas un nom d'espace de travail GeoServer (lettres, chiffres, _ - .)"
            need("links.workspace", fr, f"{url!r} is not a GeoServer workspace name")
    conformity = _text(table.get("inspire_conformity"))
    if conformity and conformity not in ("pass", "fail", "notEvaluated"):
        need("inspire_conformity", "pass, fail ou notEvaluated", "pass, fail or notEvaluated")
    if missing:
        raise MetadataIncomplete(missing, origin)
    assert producer is not None and contact is not None and licence is not None and frequency is not None
    return MetadataInput(
        title=title,
        abstract=abstract,
        producer=producer,
        contact=contact,
        licence=licence,
        frequency=frequency,
        keywords=tuple(keywords),
        lineage=_text(table.get("lineage")),
        inspire_theme=theme,
        topic_categories=tuple(topics),
        resolution=resolution,
        temporal=temporal,
        dates=dates,
        siren=_text((table.get("producer") or {}).get("siren")) if isinstance(table.get("producer"), dict) else "",
        codespace=_text(ident.get("codespace")),
        code=_text(ident.get("code")),
        links={k: str(v).strip() for k, v in links.items()},
        inspire_conformity=conformity,
        origin=origin,
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(value: Any, key: str, need: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        need(key, 'une liste de textes, ex. ["randonnée", "Cévennes"]', "a list of strings")
        return []
    return [v.strip() for v in value if v.strip()]


def _party(value: Any, key: str, role: str, need: Any) -> Party | None:
    what = "le producteur des données (organisme)" if key == "producer" else "le point de contact"
    if not isinstance(value, dict):
        need(f"[{key}]", f"{what} : une table [{key}] avec name et email, ex.\n      [{key}]\n"
             f'      name = "Commune de Florac-Trois-Rivières"\n      email = "sig@mairie.fr"',
             f"the {key}: a [{key}] table with name and email")  # fmt: skip
        return None
    for extra in sorted(set(value) - _PARTY_KEYS):
        need(f"{key}.{extra}", f"clé inconnue (clés possibles : {', '.join(sorted(_PARTY_KEYS))})",
             f"unknown key {extra!r}")  # fmt: skip
    name, email = _text(value.get("name")), _text(value.get("email"))
    if not name:
        need(f"{key}.name", f"le nom de l'organisme ({what})", f"the organisation's name ({key})")
    if not email:
        need(f"{key}.email", f"l'adresse électronique ({what}), ex. sig@mairie.fr",
             f"the e-mail address ({key})")  # fmt: skip
    elif not _EMAIL.match(email):
        need(f"{key}.email", f"{email!r} n'est pas une adresse électronique", f"{email!r} is not an e-mail address")
    siren = _text(value.get("siren"))
    if siren and not re.fullmatch(r"\d{9}", siren):
        need(f"{key}.siren", f"{siren!r} : un SIREN a 9 chiffres", f"{siren!r}: a SIREN has 9 digits")
    if not name or not email:
        return None
    return Party(name, email, role, _text(value.get("individual")), _text(value.get("url")), _text(value.get("phone")))


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c)).strip()


def _licence(value: Any, need: Any) -> Licence | None:
    choices = ", ".join(f"{k} ({v.title})" for k, v in LICENCES.items())
    if not _text(value):
        need("licence", f"la licence : {choices}", "the licence: lov2 or odbl")
        return None
    key = _fold(str(value))
    key = LICENCE_ALIASES.get(key, key)
    if key not in LICENCES:
        need("licence", f"licence inconnue {value!r} : {choices}", f"unknown licence {value!r}")
        return None
    return LICENCES[key]


def _frequency(value: Any, need: Any) -> Frequency | None:
    choices = ", ".join(FREQUENCIES)
    if not _text(value):
        need("frequency", f"la fréquence de mise à jour : {choices} (ou annuelle, mensuelle...)",
             "the update frequency (annual, monthly...)")  # fmt: skip
        return None
    raw = str(value).strip()
    key = raw if raw in FREQUENCIES else FREQUENCY_ALIASES.get(_fold(raw), "")
    if key not in FREQUENCIES:
        need("frequency", f"fréquence inconnue {raw!r} : {choices}", f"unknown frequency {raw!r}")
        return None
    return FREQUENCIES[key]


def _resolution(table: dict[str, Any], need: Any) -> Resolution | None:
    scale, distance = table.get("resolution"), table.get("resolution_m")
    if scale is None and distance is None:
        return None
    if scale is not None and (isinstance(scale, bool) or not isinstance(scale, int) or scale <= 0):
        need("resolution", "le dénominateur de l'échelle, un entier (25000 pour 1:25 000)",
             "the scale denominator, an integer")  # fmt: skip
        return None
    if distance is not None and (isinstance(distance, bool) or not isinstance(distance, int | float) or distance <= 0):
        need("resolution_m", "une distance au sol en mètres (ex. 5)", "a ground distance in metres")
        return None
    return Resolution(scale=scale, distance_m=float(distance) if distance is not None else None)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _dates(value: Any, need: Any) -> dict[str, dt.date]:
    if value is None:
        return {}
    allowed = ("source", "creation", "revision", "publication")
    if not isinstance(value, dict):
        need("dates", f"une table [dates] avec {', '.join(allowed)} (AAAA-MM-JJ)", "a [dates] table")
        return {}
    found: dict[str, dt.date] = {}
    for key, raw in value.items():
        day = _date(raw)
        if key not in allowed:
            need(f"dates.{key}", f"clé inconnue (clés possibles : {', '.join(allowed)})", f"unknown key {key!r}")
        elif day is None:
            need(f"dates.{key}", f"{raw!r} n'est pas une date AAAA-MM-JJ", f"{raw!r} is not a YYYY-MM-DD date")
        else:
            found[key] = day
    return found


def _temporal(value: Any, need: Any) -> TemporalCoverage | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not set(value) <= {"start", "end"} or not value:
        need("temporal", "une table { start = 2024-01-01, end = 2024-12-31 } (end facultatif)",
             "a table { start, end }")  # fmt: skip
        return None
    start, end = _date(value.get("start")), _date(value.get("end"))
    if ("start" in value and start is None) or ("end" in value and end is None):
        need("temporal", "start et end sont des dates AAAA-MM-JJ", "start and end are YYYY-MM-DD dates")
        return None
    if start and end and end < start:
        need("temporal", f"la fin ({end}) précède le début ({start})", "end is before start")
        return None
    return TemporalCoverage(start, end)
