"""odl-geo's issue messages and hints in the interface's language, keyed by issue code.

The library writes French beside English for its checks (``message_fr``, ``hint_fr``); the few codes that come from
reading and writing files (no .prj, HTML entities decoded, GDAL's warnings...) have English only, so the plugin
says them from these translated templates (the English original stays in the tooltip and the log). Nothing is
imported from odl_geo here: its report labels load the GEOS wheel, which must stay out of QGIS's process.
"""

from __future__ import annotations

from typing import Any

from .i18n import language, tr, tr_noop

__all__ = ["CODE_HINTS", "CODE_MESSAGES", "error_text", "issue_hint", "issue_message"]

CODE_MESSAGES: dict[str, str] = {
    "CRS_MISSING": tr_noop("{layer} has no coordinate reference system (its .prj file is missing)."),
    "FIELD_HTML_DECODED": tr_noop("HTML entities (&amp;eacute;…) decoded in the texts of {layer}: {count}."),
    "GEOM_M_DROPPED": tr_noop("The M values (measures) of {layer} were dropped."),
    "SOURCE_MEMBER_UNREADABLE": tr_noop("{layer} cannot be read."),
    "GDAL_WARNING": tr_noop("GDAL warned while reading {layer} (the details are in the odl-geo log)."),
    "WRITE_WARNING": tr_noop("A warning while writing {layer} (the details are in the odl-geo log)."),
}
CODE_HINTS: dict[str, str] = {
    "CRS_MISSING": tr_noop("Give the source CRS (for example EPSG:2154, Lambert-93) in the algorithm's "
                           "“Source CRS” or in the layer's properties."),
    "SOURCE_MEMBER_UNREADABLE": tr_noop("Check that the file is complete, or open it in QGIS to see why."),
}


def issue_message(issue: dict[str, Any]) -> str:
    """The issue's message in the interface's language."""
    if language() != "fr":
        return str(issue.get("message", ""))
    if issue.get("message_fr"):
        return str(issue["message_fr"])
    template = CODE_MESSAGES.get(str(issue.get("code", "")))
    if template is None:
        return str(issue.get("message", ""))
    return tr(template).format(layer=issue.get("layer") or "", count=issue.get("count") or "")


def issue_hint(issue: dict[str, Any]) -> str:
    """What to do, in the interface's language ("" when nothing is known)."""
    if language() != "fr":
        return str(issue.get("hint") or "")
    if issue.get("hint_fr"):
        return str(issue["hint_fr"])
    template = CODE_HINTS.get(str(issue.get("code", "")))
    return tr(template) if template else str(issue.get("hint") or "")


def error_text(exc: BaseException) -> str:
    """What went wrong and what to do, in the interface's language: odl_geo's errors carry both languages
    (``message_fr``, ``hint_fr``: their :meth:`text`), any other exception says what it says."""
    text = getattr(exc, "text", None)
    if callable(text) and hasattr(exc, "message_fr"):
        message, hint = text("fr" if language() == "fr" else "en")
        return f"{message} {hint}".strip()
    return str(exc)
