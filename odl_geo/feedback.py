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


def check_cancelled(feedback: Feedback, what: str) -> None:
    """Raise :class:`CancelledError` if the user asked to stop; call it between batches."""
    if feedback.is_cancelled():
        raise CancelledError(f"{what} was cancelled.", "Nothing was published; partial outputs were removed.")
