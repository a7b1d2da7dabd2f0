"""Rich progress bar as an odl-geo :class:`Feedback` (stderr, so stdout stays clean for ``--json``)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Self, TextIO

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ..feedback import progress_text

if TYPE_CHECKING:
    from types import TracebackType

    from rich.console import Console

__all__ = ["JsonLinesFeedback", "RichFeedback"]


class RichFeedback:
    """Shows one bar for the current step; ``info`` lines appear above it when verbose. ``lang``: the terminal's
    language (:func:`odl_geo.cli.language.error_language`); the steps' lines are said in it
    (:func:`odl_geo.feedback.progress_text`: « Lecture de sentiers.shp »)."""

    def __init__(self, console: Console, enabled: bool, verbose: bool, lang: str = "en") -> None:
        self.console, self.verbose, self.lang = console, verbose, lang
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not enabled,
        )
        self._task: TaskID | None = None
        self._label = ""

    def __enter__(self) -> Self:
        self._progress.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def progress(self, percent: float, text: str = "") -> None:
        text = progress_text(text, self.lang)
        if self._task is None:
            self._task = self._progress.add_task(self._label or text, total=100)
        self._progress.update(self._task, completed=percent, description=self._label or text)

    def info(self, text: str) -> None:
        text = progress_text(text, self.lang)
        self._label = text.strip()
        if self._task is not None:
            self._progress.update(self._task, completed=0, description=self._label)
        if self.verbose:
            self._progress.console.print(f"[dim]{text}[/dim]")

    def warning(self, text: str) -> None:
        self._progress.console.print(f"[yellow]{text}[/yellow]")

    def is_cancelled(self) -> bool:
        return False  # Ctrl-C raises KeyboardInterrupt, handled by the CLI


class JsonLinesFeedback:
    """Progress as JSON lines on stderr, for front ends that run the CLI as a worker (the QGIS plugin).

    One object per line: ``{"progress": 42.0, "text": "..."}``, ``{"info": "..."}`` or ``{"warning": "..."}``.
    Cancellation is by signal (SIGTERM/SIGINT): the CLI turns it into a clean stop.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._last = -1.0

    def _emit(self, payload: dict[str, object]) -> None:
        self.stream.write(json.dumps(payload, ensure_ascii=False) + "\n")
        self.stream.flush()

    def progress(self, percent: float, text: str = "") -> None:
        if abs(percent - self._last) >= 1 or percent >= 100:  # at most ~100 lines per step
            self._last = percent
            self._emit({"progress": round(percent, 1), "text": text})

    def info(self, text: str) -> None:
        self._last = -1.0
        self._emit({"info": text})

    def warning(self, text: str) -> None:
        self._emit({"warning": text})

    def is_cancelled(self) -> bool:
        return False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
