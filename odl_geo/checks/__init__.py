"""Diagnostics: issues found while reading, normalising and checking a layer."""

from ..report import Issue, Report, Severity

__all__ = ["Issue", "Report", "Severity"]
