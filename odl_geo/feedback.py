"""Progress reporting and cancellation, independent of any GUI toolkit.

The library takes a :class:`Feedback` so that the same code reports to a rich progress bar in the CLI
and to a ``QgsFeedback`` in the QGIS plugin (adapter in ``qgis_plugin/feedback.py``).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .errors import CancelledError
from .numbers import quantity

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Feedback", "LoggingFeedback", "NullFeedback", "check_cancelled", "progress_text"]

log = logging.getLogger("odl_geo")


@runtime_checkable
class Feedback(Protocol):
    """What long operations report to. Implementations must be cheap to call often."""

    def progress(self, percent: float, text: str = "") -> None: ...

    def info(self, text: str) -> None: ...

    def warning(self, text: str) -> None: ...

    def is_cancelled(self) -> bool: ...


class NullFeedback:
    """Reports nothing, never cancels: the default for library calls."""

    def progress(self, percent: float, text: str = "") -> None:
        return None

    def info(self, text: str) -> None:
        return None

    def warning(self, text: str) -> None:
        return None

    def is_cancelled(self) -> bool:
        return False


class LoggingFeedback(NullFeedback):
    """Forwards messages to the ``odl_geo`` logger (scripts, cron jobs)."""

    def info(self, text: str) -> None:
        log.info(text)

    def warning(self, text: str) -> None:
        log.warning(text)


#: the French of the operations callers name (``"Checking"``, ``f"Running {job.name}"``), by their English start:
#: the longest first (« Publishing to GeoServer » before « Publishing … »)
_WHAT_FR: tuple[tuple[str, str], ...] = (
    ("Checking the published layers", "La vérification des couches publiées"),
    ("Publishing to GeoServer", "La publication dans GeoServer"),
    ("Publishing ", "La publication de "),
    ("Running ", "L'exécution de "),
    ("Reading ", "La lecture de "),
    ("Monitoring ", "La surveillance de "),
    ("Converting", "La conversion"),
    ("Checking", "La vérification"),
    ("Writing", "L'écriture"),
)


def _what_fr(what: str) -> str:
    """The French of ``what`` (a feminine noun phrase: « … a été annulée »); « L'opération » when unknown."""
    for en, fr in _WHAT_FR:
        if what == en or (en.endswith(" ") and what.startswith(en)):
            return fr + what[len(en) :]
    return "L'opération"


def check_cancelled(feedback: Feedback, what: str, what_fr: str = "") -> None:
    """Raise :class:`CancelledError` if the user asked to stop; call it between batches.

    :param what: the operation, in English (« Reading roads.shp »); :param what_fr: the same in French, a feminine
        noun phrase (« La lecture de roads.shp »); empty: translated from ``what`` when it is a known one.
    """
    if feedback.is_cancelled():
        raise CancelledError(
            f"{what} was cancelled.",
            "Nothing was published; partial outputs were removed.",
            message_fr=f"{what_fr or _what_fr(what)} a été annulée.",
            hint_fr="Rien n'a été publié ; les fichiers produits partiels ont été supprimés.",
        )


def _counted(pattern: str, one: str, many: str, french: str) -> tuple[re.Pattern[str], Callable[[re.Match[str]], str]]:
    """A progress line whose group ``n`` is a count: the French written from the count (« 1 004 objets »)."""

    def say(m: re.Match[str]) -> str:
        return french.format(*m.groups(), n=quantity(int(m["n"]), one, many))

    return re.compile(pattern), say


def _plain(pattern: str, french: str) -> tuple[re.Pattern[str], Callable[[re.Match[str]], str]]:
    return re.compile(pattern), lambda m: m.expand(french)


#: the progress lines odl_geo's steps say (``Feedback.info``/``progress`` texts: names, counts and paths, no
#: sentence), and their French; a line not in the table (a writer's note) is shown as it is
_PROGRESS_FR: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    _plain(r"^Opening (.+)$", r"Ouverture de \1"),
    _plain(r"^Reading (.+)$", r"Lecture de \1"),
    _plain(r"^[Cc]hecking (.+)$", r"Vérification de \1"),
    _plain(r"^Validating against the (\S+) schema$", r"Validation par le schéma \1"),
    _plain(
        r"^Leaving out the features in error \(--drop-invalid\)$",
        "Mise à l'écart des objets en erreur (--drop-invalid)",
    ),
    _plain(r"^Writing the products$", "Écriture des produits"),
    _counted(r"^(.+) -> (.+) \((?P<n>\d+) features\)$", "objet", "objets", "{0} -> {1} ({n})"),
    _counted(
        r"^uploading (.+) \((?P<n>\d+) bytes\) to datastore '(.+)'$",
        "octet",
        "octets",
        "envoi de {0} ({n}) dans l'entrepôt '{2}'",
    ),
    _plain(r"^(.+): part (\d+)/(\d+)$", r"\1 : partie \2/\3"),
    _plain(r"^published$", "publié"),
    _plain(r"^CSW: read back (.+)$", r"CSW : relecture de \1"),
    _plain(r"^CSW: (.+)$", r"CSW : \1"),
)


def progress_text(text: str, lang: str = "en") -> str:
    """A step's progress line as ``lang`` says it: the French of the lines odl_geo's steps write (« Lecture de
    sentiers.shp », « Validation par le schéma water »), else the line as it is (English, or a path)."""
    if lang != "fr":
        return text
    body = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    for pattern, say in _PROGRESS_FR:
        m = pattern.match(body)
        if m:
            return lead + say(m)
    return text
