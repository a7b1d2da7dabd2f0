"""The language of what the command line says when it stops on an error: the person's, not the machine's.

Why the terminal's locale and not ``--lang``'s default: ``--lang`` (French unless told) is the language of the
reports a theme run publishes, which are French for French open data whoever runs the command; the error a
person reads in their terminal follows their terminal, as every Unix tool's does (``LANG=fr_FR.UTF-8`` → French),
and cron jobs and CI (``LANG=C``) keep the English their logs are searched in. A ``--lang`` given on the command
line says which language the person wants and wins; ``ODL_GEO_LANG`` sets it for every command.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["ENV_LANG", "error_language"]

#: ``fr`` or ``en``: the language of the command line's errors, whatever the locale
ENV_LANG = "ODL_GEO_LANG"


def error_language(argv: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> str:
    """``"fr"`` or ``"en"``: ``--lang`` given in ``argv``, else ``ODL_GEO_LANG``, else the locale's language
    (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``: the first set, as gettext reads them)."""
    env = os.environ if environ is None else environ
    given = _given_lang(argv)
    if given:
        return given
    chosen = env.get(ENV_LANG, "").strip().lower()
    if chosen in ("fr", "en"):
        return chosen
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def _given_lang(argv: Sequence[str]) -> str:
    """The value of a ``--lang fr`` / ``--lang=en`` among the arguments, or ``""``."""
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        else:
            continue
        if value in ("fr", "en"):
            return value
    return ""
