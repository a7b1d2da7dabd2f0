"""Map odl_geo's errors to what Processing shows: one QgsProcessingException, one line.

The line starts with what kind of failure it is, translated, then odl_geo's message naming the object, then what
to do, both in the interface's language (odl_geo writes its errors in English and French): « Le serveur a refusé
les identifiants : PostgreSQL a refusé l'utilisateur 'postgres'… → Vérifiez l'utilisateur et le mot de passe… ».
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from qgis.core import QgsProcessingException

from odl_geo.errors import (
    AuthError,
    CancelledError,
    CrsError,
    EncodingError,
    InputError,
    NetworkError,
    OdlGeoError,
    OutputError,
    RemoteError,
    SourceNotFoundError,
    UnsupportedSourceError,
)

from ..toolbelt.i18n import count_language, tr, tr_noop

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["auth_config_name", "error_line", "in_qgis", "processing_errors"]

T = TypeVar("T")


#: the kind of each failure, most specific first (the first class the error is an instance of wins)
KINDS: tuple[tuple[type[OdlGeoError], str], ...] = (
    (AuthError, tr_noop("The server refused the credentials: ")),
    (RemoteError, tr_noop("The server answered with an error: ")),
    (NetworkError, tr_noop("The server cannot be reached: ")),
    (CancelledError, tr_noop("Cancelled: ")),
    (SourceNotFoundError, tr_noop("The source cannot be found: ")),
    (UnsupportedSourceError, tr_noop("The source cannot be read: ")),
    (CrsError, tr_noop("Coordinate reference system problem: ")),
    (EncodingError, tr_noop("Text encoding problem: ")),
    (InputError, tr_noop("The data or the options need a correction: ")),
    (OutputError, tr_noop("An output cannot be written: ")),
    (OdlGeoError, tr_noop("odl-geo could not finish: ")),
)


def auth_config_name(authcfg: str) -> str:
    """The name the person gave the configuration (only its name and id: the secret is never read here)."""
    from qgis.core import QgsApplication

    configs = QgsApplication.authManager().availableAuthMethodConfigs()
    cfg = configs.get(authcfg) if authcfg else None
    return f"{cfg.name()} ({authcfg})" if cfg is not None else authcfg


def in_qgis(exc: OdlGeoError, service: str = "", authcfg: str | None = None) -> OdlGeoError:
    """The error as a person in QGIS must read it: for credentials and unreachable servers, a French (translated)
    sentence naming the server and the QGIS authentication configuration to fix, instead of the command line's
    advice (environment variables such as ODL_GEOSERVER_PASSWORD mean nothing inside QGIS)."""
    server = service or tr("The server")
    if isinstance(exc, AuthError) and authcfg is not None:
        if authcfg:
            message = tr("{0} refused the credentials of the QGIS authentication configuration “{1}”.").format(
                server, auth_config_name(authcfg)
            )
            hint = tr("Correct its user name and password (or API key) in Settings > Options > Authentication, "
                      "or choose another configuration.")  # fmt: skip
        else:
            message = tr("{0} asks for credentials and no authentication configuration was chosen.").format(server)
            hint = tr("Create one in Settings > Options > Authentication and choose it for this server.")
        return type(exc)(message, hint, exc.details, status=exc.status)
    if isinstance(exc, NetworkError) and service:
        message = tr("{0} cannot be reached or did not answer in time.").format(server)
        hint = tr("Check the server's address, that the server is running, and QGIS's network settings "
                  "(Settings > Options > Network).")  # fmt: skip
        return NetworkError(message, hint, exc.details or exc.message)
    if "ODL_" in exc.hint:  # command-line advice: name QGIS's settings instead
        hint = tr("Check the authentication configuration chosen for this server "
                  "(Settings > Options > Authentication).")  # fmt: skip
        told = type(exc)(exc.message, hint, exc.details)
        told.message_fr, told.hint_fr = exc.message_fr, hint  # the hint is already in the interface's language
        return told
    return exc


def error_line(exc: OdlGeoError) -> str:
    """The kind of failure, then odl_geo's message and hint in the interface's language: French where the library
    wrote them in French (every error it raises), else its English."""
    kind = next(tr(text) for cls, text in KINDS if isinstance(exc, cls))
    message, hint = exc.text(count_language())
    return f"{kind}{message}" + (f" → {hint}" if hint else "")


def processing_errors(call: Callable[[], T], service: str = "", authcfg: str | None = None) -> T:
    """Run ``call``; an odl_geo error becomes one QgsProcessingException line (see :func:`in_qgis`)."""
    try:
        return call()
    except OdlGeoError as exc:
        raise QgsProcessingException(error_line(in_qgis(exc, service, authcfg))) from exc
