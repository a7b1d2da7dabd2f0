"""Progress reporting and cancellation, independent of any GUI toolkit.

The library takes a :class:`Feedback` so that the same code reports to a rich progress bar in the CLI
and to a ``QgsFeedback`` in the QGIS plugin (adapter in ``qgis_plugin/feedback.py``).
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

from .errors import CancelledError

__all__ = ["Feedback", "LoggingFeedback", "NullFeedback", "check_cancelled"]

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
