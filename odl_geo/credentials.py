"""Credentials for remote services, and keeping them out of every log, report, exception and journal.

Secrets come from the caller (the QGIS plugin reads them from QgsAuthManager), from environment variables
(cron jobs) or from a credentials file readable only by its owner. There are no default passwords.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .errors import InputError

__all__ = ["Credentials", "redact", "redact_url"]

#: query parameters that carry secrets in OGC/REST URLs
SECRET_PARAMS = frozenset({"authkey", "apikey", "api_key", "key", "token", "access_token", "password", "passwd"})


@dataclass(frozen=True)
class Credentials:
    """Username/password (HTTP Basic, e.g. GeoServer REST) and/or an API key (udata ``X-API-KEY``).

    ``repr`` and ``str`` never show the secrets.
    """

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        parts = [f"username={self.username!r}"] if self.username else []
        parts += ["password=***"] if self.password else []
        parts += ["api_key=***"] if self.api_key else []
        return f"Credentials({', '.join(parts)})"

    __str__ = __repr__

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.password, self.api_key) if s)

    @classmethod
    def from_env(cls, prefix: str) -> Credentials:
        """``{prefix}_USER``, ``{prefix}_PASSWORD``, ``{prefix}_API_KEY`` (e.g. prefix ``ODL_GEOSERVER``)."""
        return cls(
            os.environ.get(f"{prefix}_USER") or None,
            os.environ.get(f"{prefix}_PASSWORD") or None,
            os.environ.get(f"{prefix}_API_KEY") or None,
        )

    @classmethod
    def from_file(cls, path: str | Path, section: str) -> Credentials:
        """A TOML file ``[section] username/password/api_key``; refused if others can read it.

        :raises InputError: missing file or section, bad TOML, or permissions too open.
        """
        p = Path(path).expanduser()
        if not p.is_file():
            raise InputError(f"The credentials file {p} does not exist.", "Create it or use environment variables.")
        mode = p.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(f"The credentials file {p} can be read by other users.", f"Run: chmod 600 {p}")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(f"The credentials file {p} is not valid TOML ({exc}).", "Fix its syntax.") from None
        if section not in data or not isinstance(data[section], dict):
            raise InputError(
                f"The credentials file {p} has no [{section}] section.",
                f"Add [{section}] with username/password or api_key.",
            )
        sec = data[section]
        return cls(sec.get("username"), sec.get("password"), sec.get("api_key"))


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """``text`` with every secret, URL user-info and secret query parameter replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    text = re.sub(r"(?<=://)[^/@\s:]+:[^/@\s]+@", "***:***@", text)
    pattern = "|".join(sorted(SECRET_PARAMS))
    return re.sub(rf"(?i)\b({pattern})=[^&\s\"']+", r"\1=***", text)


def redact_url(url: str) -> str:
    """The URL without user-info and with secret query parameters masked (for messages and logs)."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    try:
        port = str(parts.port or "")
    except ValueError:  # "host:notaport": keep what was written after the host, never the user-info
        port = parts.netloc.rsplit("@", 1)[-1].rpartition(":")[2]
    if port:
        netloc += f":{port}"
    query = urlencode([(k, "***" if k.lower() in SECRET_PARAMS else v) for k, v in parse_qsl(parts.query, True)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
