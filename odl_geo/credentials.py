"""Credentials for remote services, and keeping them out of every log, report, exception and journal.

Secrets come from the caller (the QGIS plugin reads them from QgsAuthManager), from environment variables
(cron jobs) or from a credentials file readable only by its owner. There are no default passwords.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from .errors import InputError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Credentials", "basic_tokens", "redact", "redact_url", "secret_forms", "secrets_from_env"]

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
        """Every string that gives this account away: the password, the API key, and the ``Authorization: Basic``
        token (base64 of ``user:password``) that a server echoing the request headers would quote back."""
        found = [s for s in (self.password, self.api_key) if s]
        if self.username and self.password:
            found.extend(basic_tokens(self.username, self.password))
        return tuple(dict.fromkeys(found))

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
            raise InputError(
                f"The credentials file {p} does not exist.",
                "Create it or use environment variables.",
                message_fr=f"Le fichier d'identifiants {p} est introuvable.",
                hint_fr="Créez-le, ou utilisez les variables d'environnement.",
            )
        mode = p.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(
                f"The credentials file {p} can be read by other users.",
                f"Run: chmod 600 {p}",
                message_fr=f"Le fichier d'identifiants {p} est lisible par d'autres utilisateurs.",
                hint_fr=f"Lancez : chmod 600 {p}",
            )
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputError(
                f"The credentials file {p} is not valid TOML ({exc}).",
                "Fix its syntax.",
                message_fr=f"Le fichier d'identifiants {p} n'est pas un TOML valide ({exc}).",
                hint_fr="Corrigez sa syntaxe.",
            ) from None
        if section not in data or not isinstance(data[section], dict):
            raise InputError(
                f"The credentials file {p} has no [{section}] section.",
                f"Add [{section}] with username/password or api_key.",
                message_fr=f"Le fichier d'identifiants {p} n'a pas de section [{section}].",
                hint_fr=f"Ajoutez [{section}] avec username/password ou api_key.",
            )
        sec = data[section]
        return cls(sec.get("username"), sec.get("password"), sec.get("api_key"))


#: an echoed credential header, whatever the secrets given: ``Authorization: Basic …``, ``X-API-KEY: …``
_AUTH_HEADER = re.compile(
    r"(?i)((?:\bauthorization\b[\"']?\s*[:=]\s*[\"']?(?:basic|bearer|token)\s+)"
    r"|(?:\b(?:x-api-key|x-auth-token|api-key)\b[\"']?\s*[:=]\s*[\"']?))[A-Za-z0-9+/=._~-]+"
)


def basic_tokens(username: str, password: str) -> list[str]:
    """The base64 forms of an HTTP Basic pair as clients send it (UTF-8, and Latin-1 as ``requests`` does), without
    the ``=`` padding so that a token cut or re-padded by an echoing server is caught as well."""
    tokens = []
    for encoding in ("utf-8", "latin-1"):
        try:
            raw = f"{username}:{password}".encode(encoding)
        except UnicodeEncodeError:
            continue
        tokens.append(base64.b64encode(raw).decode("ascii").rstrip("="))
    return list(dict.fromkeys(tokens))


def secret_forms(secret: str) -> list[str]:
    """The ways a secret shows up in what a server echoes: as it is, URL-encoded (``%2B`` or ``+`` for spaces,
    either hex case), JSON-escaped and HTML-escaped; longest first, so that a longer form is masked whole."""
    forms = {secret}
    for encoded in (quote(secret, safe=""), quote_plus(secret, safe="")):
        forms.update({encoded, re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)})
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    forms.add(html.escape(secret))
    return sorted((f for f in forms if f), key=len, reverse=True)


def redact(text: str, secrets: tuple[str, ...] | list[str] = ()) -> str:
    """``text`` with every secret, URL user-info and secret query parameter replaced by ``***``.

    The one redaction of odl-geo (re-exported by :mod:`odl_geo.http`): each secret is masked in every form of
    :func:`secret_forms`; give :attr:`Credentials.secrets`, which holds the ``Authorization: Basic`` token too.
    """
    for secret in secrets:
        if secret:
            for form in secret_forms(secret):
                text = text.replace(form, "***")
    text = _AUTH_HEADER.sub(r"\1***", text)
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


#: environment variables whose value is a secret: ``ODL_GEOSERVER_PASSWORD``, ``ODL_DATAGOUV_API_KEY``...
SECRET_ENV_SUFFIXES = ("_PASSWORD", "_API_KEY", "_TOKEN", "_AUTHKEY", "_SECRET")


def secrets_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The secrets odl-geo may be using from the environment (``ODL_*``), with the Basic tokens of their
    ``*_USER``/``*_PASSWORD`` pairs and the passwords of ``*_DSN`` URLs: a last net for what the command line prints."""
    env = os.environ if environ is None else environ
    found: list[str] = []
    for name, value in env.items():
        if not name.startswith("ODL_") or not value:
            continue
        if name.endswith(SECRET_ENV_SUFFIXES):
            found.append(value)
        if name.endswith("_PASSWORD") and env.get(name[: -len("_PASSWORD")] + "_USER"):
            found.extend(basic_tokens(env[name[: -len("_PASSWORD")] + "_USER"], value))
        if name.endswith("_DSN"):
            password = urlsplit(value).password if "://" in value else None
            password = password or next(iter(re.findall(r"\bpassword\s*=\s*'?([^'\s]+)", value)), None)
            if password:
                found.append(password)
    return tuple(dict.fromkeys(found))
