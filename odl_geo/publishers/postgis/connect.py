"""Connecting to PostgreSQL with psycopg 3, and turning its failures into one clear odl-geo error each.

Why psycopg 3 rather than SQLAlchemy/GeoAlchemy2 (both in the ``postgis`` extra): the loader needs exactly
three things, COPY FROM STDIN fed batch by batch (memory stays one batch deep), transactional DDL under its
own control (staging table, swap, comments in one transaction) and SQLSTATE codes to classify errors. psycopg 3
gives all three directly (``cursor.copy()``, ``connection.transaction()``, ``error.sqlstate``); an ORM layer
would add nothing but another place where the DSN could be logged. GeoPandas' ``to_postgis`` is not used
because it loads the whole layer in memory and replaces tables non-atomically.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...credentials import redact, redact_url
from ...errors import AuthError, InputError, NetworkError, OdlGeoError, RemoteError

if TYPE_CHECKING:
    import psycopg

    from .models import PostgisTarget

__all__ = ["check_postgis", "connect", "describe_dsn", "pg_error", "redact_dsn"]

#: SQLSTATE classes/codes odl-geo explains (https://www.postgresql.org/docs/15/errcodes-appendix.html)
_AUTH_CODES = {"28P01", "28000"}
_PERMISSION_CODE = "42501"


def redact_dsn(dsn: str) -> str:
    """The DSN without its password, whichever form it has (URL or ``key=value``)."""
    if "://" in dsn:
        try:
            return redact_url(dsn)
        except ValueError:  # unparsable port: mask the user-info by hand
            return re.sub(r"(?<=://)[^/@]*@", "***@", dsn)
    return re.sub(r"(?i)\b(password)\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", r"\1=***", dsn)


def describe_dsn(dsn: str) -> str:
    """``user@host:port/dbname`` for messages (never the password), or the redacted DSN when unparsable."""
    params = _parse(dsn)
    host = params.get("host") or "localhost"
    where = f"{host}:{params.get('port') or 5432}/{params.get('dbname') or params.get('user') or ''}"
    return f"{params['user']}@{where}" if params.get("user") else where


def _parse(dsn: str) -> dict[str, str]:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    if not dsn or not dsn.strip():
        raise InputError(
            "No PostgreSQL connection string was given.",
            "Pass --dsn postgresql://user@host/db.",
            message_fr="Aucune chaîne de connexion PostgreSQL n'a été indiquée.",
            hint_fr="Indiquez --dsn postgresql://user@host/db.",
        )
    if "://" in dsn and not dsn.startswith(("postgresql://", "postgres://")):
        raise InputError(
            f"The DSN {redact_dsn(dsn)} is not a PostgreSQL connection string.",
            "Use postgresql://user@host:port/dbname (the password from ODL_POSTGIS_PASSWORD or a .pgpass file).",
            message_fr=f"Le DSN {redact_dsn(dsn)} n'est pas une chaîne de connexion PostgreSQL.",
            hint_fr="Utilisez postgresql://user@host:port/dbname (le mot de passe étant lu dans ODL_POSTGIS_PASSWORD "
            "ou dans un fichier .pgpass).",
        )
    hint = "Use postgresql://user@host:port/dbname or 'host=... dbname=... user=...'."
    hint_fr = "Utilisez postgresql://user@host:port/dbname ou 'host=... dbname=... user=...'."
    try:
        params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    except psycopg.ProgrammingError as exc:  # libpq's own parser refused it
        raise InputError(
            f"The DSN {redact_dsn(dsn)} is not a valid PostgreSQL connection string.",
            hint,
            details=redact(str(exc)),
            message_fr=f"Le DSN {redact_dsn(dsn)} n'est pas une chaîne de connexion PostgreSQL valide.",
            hint_fr=hint_fr,
        ) from None
    if not all(p.strip().isdigit() for p in params.get("port", "5432").split(",")):
        raise InputError(
            f"The DSN {redact_dsn(dsn)} is not a valid PostgreSQL connection string: port {params['port']!r}.",
            hint,
            message_fr=f"Le DSN {redact_dsn(dsn)} n'est pas une chaîne de connexion PostgreSQL valide : port "
            f"{params['port']!r}.",
            hint_fr=hint_fr,
        )
    return params


def connect(target: PostgisTarget) -> psycopg.Connection:
    """Open a connection (autocommit off) or raise the odl-geo error that says what to fix.

    :raises InputError: the DSN cannot be parsed, or the database does not exist.
    :raises NetworkError: the server cannot be reached.
    :raises AuthError: the server refused the user or the password.
    """
    import psycopg

    params = _parse(target.dsn)
    kwargs: dict[str, object] = {"connect_timeout": params.get("connect_timeout", target.connect_timeout)}
    if target.user and not params.get("user"):
        kwargs["user"] = target.user
    if target.password and not params.get("password"):
        kwargs["password"] = target.password
    kwargs["application_name"] = "odl-geo"
    where = describe_dsn(target.dsn)
    secrets = tuple(s for s in (target.password, params.get("password")) if s)
    try:
        return psycopg.connect(target.dsn, **kwargs)  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        text = redact(str(exc), secrets)
        low = text.lower()
        if exc.sqlstate in _AUTH_CODES or "authentication failed" in low or "no password supplied" in low:
            raise AuthError(
                f"PostgreSQL refused the login to {where}.",
                "Check the user and the password (ODL_POSTGIS_PASSWORD, --credentials or ~/.pgpass).",
                details=text,
                message_fr=f"PostgreSQL a refusé l'authentification sur {where}.",
                hint_fr="Vérifiez l'utilisateur et le mot de passe (ODL_POSTGIS_PASSWORD, --credentials ou ~/.pgpass).",
            ) from None
        if "does not exist" in low and "database" in low:
            raise InputError(
                f"The database of {where} does not exist.",
                "Check the database name in --dsn.",
                details=text,
                message_fr=f"La base de données de {where} n'existe pas.",
                hint_fr="Vérifiez le nom de la base de données dans --dsn.",
            ) from None
        raise NetworkError(
            f"Cannot connect to PostgreSQL at {where}.",
            "Check the host and port, that the server runs and accepts TCP connections (listen_addresses, pg_hba).",
            details=text,
            message_fr=f"Impossible de se connecter à PostgreSQL sur {where}.",
            hint_fr="Vérifiez l'hôte et le port, et que le serveur fonctionne et accepte les connexions TCP "
            "(listen_addresses, pg_hba).",
        ) from None


def check_postgis(conn: psycopg.Connection, where: str) -> str:
    """The installed PostGIS version; raises when the extension is missing (odl-geo does not install it).

    :raises RemoteError: PostGIS is not installed in that database.
    """
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'").fetchone()
    conn.rollback()
    if row is None:
        raise RemoteError(
            f"PostGIS is not installed in the database {where}.",
            "Ask its owner to run: CREATE EXTENSION postgis;",
            message_fr=f"PostGIS n'est pas installé dans la base de données {where}.",
            hint_fr="Demandez à son propriétaire d'exécuter : CREATE EXTENSION postgis;",
        )
    return str(row[0])


#: the French of the steps callers name without giving it (``pg_error(exc, "checking the tables")``)
_STEPS_FR = {"checking the tables": "la vérification des tables"}


def pg_error(exc: Exception, step: str, secrets: tuple[str, ...] = (), step_fr: str = "") -> OdlGeoError:
    """The odl-geo error for a psycopg error raised during ``step`` (e.g. "creating table public.x").

    :param step_fr: ``step`` in French, as a noun with its article (« la création de la table public.x »).
    """
    import psycopg

    text = redact(str(exc).strip(), secrets)
    state = getattr(exc, "sqlstate", None)
    fr = step_fr or _STEPS_FR.get(step) or f"l'étape « {step} »"
    if state == _PERMISSION_CODE:
        return AuthError(
            f"Permission denied while {step}: {text}",
            "Grant this user CREATE (and USAGE) on the schema, and ownership of existing tables, or use another user.",
            details=text,
            message_fr=f"Permission refusée pendant {fr} : {text}",
            hint_fr="Accordez à cet utilisateur CREATE (et USAGE) sur le schéma, et la propriété des tables "
            "existantes, ou utilisez un autre utilisateur.",
        )
    if state == "2BP01":  # dependent_objects_still_exist
        return RemoteError(
            f"{step[:1].upper()}{step[1:]} failed: other objects (views...) depend on the table.",
            "Drop or recreate those views around the publication; odl-geo never drops objects it did not create.",
            details=text,
            message_fr=f"{fr[:1].upper()}{fr[1:]} a échoué : d'autres objets (vues…) dépendent de la table.",
            hint_fr="Supprimez ou recréez ces vues autour de la publication ; odl-geo ne supprime jamais les objets "
            "qu'il n'a pas créés.",
        )
    if state == "55P03":  # lock_not_available
        return RemoteError(
            f"Timed out waiting for readers to release the table while {step}.",
            "Retry when long queries on that table have ended; the previous table is unchanged.",
            details=text,
            message_fr=f"Délai dépassé pendant {fr} : des lectures en cours n'ont pas libéré la table à temps.",
            hint_fr="Relancez quand les longues requêtes sur cette table seront terminées ; la table précédente n'a "
            "pas changé.",
        )
    if isinstance(exc, psycopg.OperationalError):
        return NetworkError(
            f"The connection to PostgreSQL was lost while {step}.",
            "Retry.",
            details=text,
            message_fr=f"La connexion à PostgreSQL a été perdue pendant {fr}.",
            hint_fr="Relancez.",
        )
    return RemoteError(
        f"PostgreSQL refused {step}: {text}",
        "The previous table is unchanged.",
        details=text,
        message_fr=f"PostgreSQL a refusé {fr} : {text}",
        hint_fr="La table précédente n'a pas changé.",
    )
