"""The last net before anything reaches the terminal or ``--json``: every secret in use, in every form, masked.

Publishers already mask what they quote from a server with their own credentials; a server that echoes the request
(the ``X-API-KEY`` header, the ``Authorization: Basic`` token, a URL-encoded password in a form) must still never
make odl-geo print a secret, whatever path the text took. The secrets are those of the environment (``ODL_*``) and
of the ``--credentials`` file the command was given.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..credentials import Credentials, redact, secrets_from_env  # not through ..http: no requests for this

if TYPE_CHECKING:
    import argparse

__all__ = ["redact_all", "secrets_in_use"]


def secrets_in_use(args: argparse.Namespace | None = None) -> tuple[str, ...]:
    """Secrets of the environment and of ``args.credentials`` (every section: the file is read, never printed)."""
    found = list(secrets_from_env())
    path = getattr(args, "credentials", None) if args is not None else None
    if isinstance(path, str) and path:
        try:
            data = tomllib.loads(Path(path).expanduser().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        for section in data.values():
            if isinstance(section, dict):
                creds = Credentials(
                    _text(section.get("username")), _text(section.get("password")), _text(section.get("api_key"))
                )
                found.extend(creds.secrets)
                dsn = _text(section.get("dsn"))
                if dsn:
                    found.extend(secrets_from_env({"ODL_X_DSN": dsn}))
    return tuple(dict.fromkeys(found))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def redact_all(value: Any, secrets: tuple[str, ...]) -> Any:
    """``value`` (text, or the dicts and lists of a JSON result) with every secret masked in every string."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {k: redact_all(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_all(v, secrets) for v in value]
    return value
