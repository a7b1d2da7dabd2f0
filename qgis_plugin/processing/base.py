"""Shared base of the odl-geo algorithms: names, translation, help files."""

from __future__ import annotations

import html
import re

from qgis.core import QgsProcessingAlgorithm

from ..__about__ import DIR_PLUGIN_ROOT, metadata
from ..toolbelt.i18n import language, tr, tr_noop
from ..toolbelt.messages import issue_message

__all__ = ["OdlGeoAlgorithm"]


class OdlGeoAlgorithm(QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY = ""
    GROUP_ID, GROUP = "", ""

    def name(self) -> str:
        return self.NAME

    def displayName(self) -> str:
        return tr(self.DISPLAY)

    def group(self) -> str:
        return tr(self.GROUP) if self.GROUP else ""

    def groupId(self) -> str:
        return self.GROUP_ID

    def shortHelpString(self) -> str:
        """The help panel's text: ``resources/help/<lang>/<name>.md`` (French or English), as simple HTML."""
        return help_html(self.NAME, language())

    def helpUrl(self) -> str:
        return help_url()

    def createInstance(self) -> OdlGeoAlgorithm:
        return type(self)()


def help_url() -> str:
    """The user guide (docs/plugin.md) in the plugin's repository."""
    return metadata().get("repository", "").rstrip("/") + "/blob/main/docs/plugin.md"


def help_html(name: str, lang: str) -> str:
    """The help file of algorithm ``name`` in ``lang`` (English when there is none), Markdown made simple HTML:
    paragraphs, ``- `` lists, ``**bold**`` and ``*italic*`` (QGIS's help panel shows HTML, not Markdown)."""
    folder = DIR_PLUGIN_ROOT / "resources" / "help"
    path = folder / lang / f"{name}.md"
    if not path.exists():
        path = folder / "en" / f"{name}.md"
    if not path.exists():
        return ""
    out: list[str] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = [_inline(line) for line in block.splitlines()]
        if all(line.startswith("- ") for line in lines):
            out.append("<ul>" + "".join(f"<li>{line[2:]}</li>" for line in lines) + "</ul>")
        else:
            out.append("<p>" + " ".join(lines) + "</p>")
    return "".join(out)


def _inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"\*(.+?)\*", r"<i>\1</i>", text)


LOG_SEVERITIES = {"error": tr_noop("error"), "warning": tr_noop("warning"), "info": tr_noop("info")}


def issue_line(issue: dict) -> str:
    """One report issue for the Processing log, in the interface's language: ``[erreur] CRS_MISSING : …``."""
    severity = str(issue.get("severity", ""))
    french = language() == "fr"
    message = issue_message(issue)
    label = tr(LOG_SEVERITIES.get(severity, severity))
    return f"[{label}] {issue.get('code')}{' :' if french else ':'} {message}"
