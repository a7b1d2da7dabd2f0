"""Issues and reports: the data a person reads to decide whether a layer can be published.

Issues are keyed by a stable ``code`` (e.g. ``GEOM_INVALID_REPAIRED``) so that front ends translate by
code; the English ``message`` is the default rendering. Repeated issues are merged with a count instead
of one line per feature, so a 1M-feature layer gives a readable report.
"""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .numbers import fill

__all__ = ["Issue", "Report", "Severity"]


class Severity(enum.StrEnum):
    ERROR = "error"  # the data cannot be published as is
    WARNING = "warning"  # published, but someone should look
    INFO = "info"  # what odl-geo did (reprojection, renaming...)


@dataclass
class Issue:
    """One kind of problem in one layer, with how many features it concerns.

    :param code: stable identifier, used for translation and for tests.
    :param examples: a few feature indexes (0-based, in source order) to look at, not all of them.
    :param message_fr: the same message in French, for the reports (``--lang fr``); empty when not translated.
    :param hint_fr: the hint in French, when it says more than the code's own help; empty when not translated.
    :param numbers: the counts the message is written from, by name (``{"ids": 4, "repeats": 6}``), when it is
        (:meth:`counted`); ``template`` and ``template_fr`` are the message with ``{ids}`` where the count goes.
        A streamed run's merge adds up each count over the chunks and writes the message again: every number of
        it is then the layer's. Not in :meth:`to_dict` (the report's JSON says the message).
    :param quoted: the values the message quotes as examples (``'F-12', 'F-40'``: each as written in it, joined by
        ``", "``), at most ``quote_max`` (:meth:`quoting`). A streamed run's merge quotes the layer's first ones,
        a later chunk's after the earlier ones', as a whole-layer run quotes them. Not in :meth:`to_dict`.
    """

    code: str
    severity: Severity
    message: str
    hint: str = ""
    layer: str = ""
    count: int = 1
    examples: list[int] = field(default_factory=list)
    message_fr: str = ""
    hint_fr: str = ""
    numbers: dict[str, int] = field(default_factory=dict)
    template: str = ""
    template_fr: str = ""
    quoted: list[str] = field(default_factory=list)
    quote_max: int = 0

    def quoting(self, quoted: list[str], most: int) -> Issue:
        """Say which values the message quotes (each written as in the message, joined there by ``", "``) and how
        many it quotes at most: a streamed run's merge completes the list from later chunks. Returns the issue."""
        self.quoted, self.quote_max = list(quoted), most
        return self

    def counted(self, template: str, template_fr: str, **numbers: int) -> Issue:
        """This issue's messages written from ``numbers`` (:func:`odl_geo.numbers.fill`: ``2,941`` in English,
        ``2 941`` in French), the templates and counts kept for a merge of chunks. Returns the issue."""
        self.numbers, self.template, self.template_fr = dict(numbers), template, template_fr
        self.message = fill(template, numbers, "en")
        self.message_fr = fill(template_fr, numbers, "fr") if template_fr else ""
        return self

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("numbers", "template", "template_fr", "quoted", "quote_max"):
            del d[key]
        d["severity"] = self.severity.value
        for key in ("message_fr", "hint_fr"):
            if not d[key]:
                del d[key]  # untranslated issues keep the JSON they always had
        return d

    def text(self, lang: str) -> str:
        """The message in ``lang`` (French when translated, else English)."""
        return self.message_fr if lang == "fr" and self.message_fr else self.message


@dataclass
class Report:
    """Issues of one operation, merged by (code, layer)."""

    issues: list[Issue] = field(default_factory=list)

    def add(self, issue: Issue) -> Issue:
        for existing in self.issues:
            if existing.code == issue.code and existing.layer == issue.layer and existing.message == issue.message:
                existing.count += issue.count
                room = 5 - len(existing.examples)
                if room > 0:
                    existing.examples.extend(issue.examples[:room])
                return existing
        issue.examples = issue.examples[:5]
        self.issues.append(issue)
        return issue

    def add_new(self, other: Report) -> None:
        """Add the issues of ``other`` that this report does not hold yet (same code, layer and message)."""
        for issue in other.issues:
            if not any(
                i.code == issue.code and i.layer == issue.layer and i.message == issue.message for i in self.issues
            ):
                self.issues.append(issue)

    def extend(self, other: Report) -> None:
        for issue in other.issues:
            copy = {"examples": list(issue.examples), "numbers": dict(issue.numbers), "quoted": list(issue.quoted)}
            self.add(Issue(**{**issue.__dict__, **copy}))

    def by_severity(self, severity: Severity) -> list[Issue]:
        return [i for i in self.issues if i.severity is severity]

    @property
    def has_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)

    def codes(self) -> set[str]:
        return {i.code for i in self.issues}

    def to_dict(self) -> dict[str, Any]:
        return {"issues": [i.to_dict() for i in self.issues]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)
