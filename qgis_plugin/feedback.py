"""Adapter: a QgsFeedback (QgsTask, Processing) seen by odl_geo as its Feedback protocol."""

from __future__ import annotations

from qgis.core import QgsFeedback, QgsProcessingFeedback

__all__ = ["QgisFeedbackAdapter"]


class QgisFeedbackAdapter:
    def __init__(self, feedback: QgsFeedback) -> None:
        self.qgs = feedback

    def progress(self, percent: float, text: str = "") -> None:
        self.qgs.setProgress(max(0.0, min(100.0, percent)))
        if text and isinstance(self.qgs, QgsProcessingFeedback):
            self.qgs.setProgressText(text)

    def info(self, text: str) -> None:
        if isinstance(self.qgs, QgsProcessingFeedback):
            self.qgs.pushInfo(text)

    def warning(self, text: str) -> None:
        if isinstance(self.qgs, QgsProcessingFeedback):
            self.qgs.pushWarning(text) if hasattr(self.qgs, "pushWarning") else self.qgs.reportError(text, False)

    def is_cancelled(self) -> bool:
        return bool(self.qgs.isCanceled())
