"""Values from the data, written into the Markdown description data.gouv.fr renders: escaped for Markdown.

Field names, layer names, file names and issue messages come from the source, so from anyone: a backtick in a
field name used to close the code span around it, and what followed (``[clic](https://…)``) was published as a
live link; a ``|`` split a table row, a line break started a new block. :func:`code` builds a code span no content
can close (CommonMark: a fence longer than any backtick run inside); :func:`text` backslash-escapes every Markdown
punctuation character that makes inline structure (CommonMark allows it before any ASCII punctuation) and puts
line breaks on one line.
"""

from __future__ import annotations

import re

__all__ = ["code", "text"]

#: what can make structure inline: code spans, links and images, raw HTML and entities, emphasis, table cells
#: (an ``_`` between two letters or digits cannot, so ``schema_randonnee`` stays readable in the raw text)
_PUNCTUATION = re.compile(r"([\\`*\[\]()<>|&!~])|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
_LINES = re.compile(r"[\r\n\u2028\u2029]+")


def code(value: object) -> str:
    """``value`` as an inline code span that nothing inside it can close (never inside a table: ``|`` stays)."""
    content = _LINES.sub(" ", str(value))
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if content.startswith("`") or content.endswith("`") or not content.strip() else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def text(value: object) -> str:
    """``value`` as plain Markdown text: the punctuation that makes structure backslash-escaped, on one line (no
    link, no HTML, no emphasis, no table cell split can come out of it)."""
    return _PUNCTUATION.sub(lambda m: "\\" + m.group(0), _LINES.sub(" ", str(value)))
