"""Rich progress bar as an odl-geo :class:`Feedback` (stderr, so stdout stays clean for ``--json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from types import TracebackType

    from rich.console import Console

__all__ = ["RichFeedback"]


class RichFeedback:
    """Shows one bar for the current step; ``info`` lines appear above it when verbose."""

    def __init__(self, console: Console, enabled: bool, verbose: bool) -> None:
        self.console, self.verbose = console, verbose
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
        if self._task is None:
            self._task = self._progress.add_task(self._label or text, total=100)
        self._progress.update(self._task, completed=percent, description=self._label or text)

    def info(self, text: str) -> None:
        self._label = text.strip()
        if self._task is not None:
            self._progress.update(self._task, completed=0, description=self._label)
        if self.verbose:
            self._progress.console.print(f"[dim]{text}[/dim]")

    def warning(self, text: str) -> None:
        self._progress.console.print(f"[yellow]{text}[/yellow]")

    def is_cancelled(self) -> bool:
        return False  # Ctrl-C raises KeyboardInterrupt, handled by the CLI
