"""One exception hierarchy for odl-geo.

Every error carries a *message* (what is wrong, naming the file/layer/field) and a *hint* (what the user
can do about it), in English and in French (``message_fr``, ``hint_fr``): the people who meet them are French
SIG administrators first, in QGIS and in their terminals, and scripts and logs read English. The CLI maps the
class to an exit code and prints the language of the terminal (:func:`odl_geo.cli.language.error_language`),
the QGIS plugin the language of QGIS; neither has to parse text. Messages never contain secrets: callers pass
redacted values only.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "CancelledError",
    "CrsError",
    "EncodingError",
    "InputError",
    "MissingDependencyError",
    "NetworkError",
    "OdlGeoError",
    "OutputError",
    "RemoteError",
    "SourceNotFoundError",
    "UnsupportedSourceError",
    "folder_not_created",
    "not_written",
]


class OdlGeoError(Exception):
    """Base class: an expected failure with a clear message and a hint.

    :param message: what is wrong, in one sentence naming the object concerned.
    :param hint: what to do about it.
    :param details: optional technical detail (e.g. GDAL's own error text), shown with ``--verbose``; it stays
        as the tool that wrote it said it (one language).
    :param message_fr: the message in French (« Le fichier … est introuvable. »); empty: only the English exists.
    :param hint_fr: the hint in French.
    """

    exit_code = 1

    def __init__(
        self, message: str, hint: str = "", details: str = "", *, message_fr: str = "", hint_fr: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details
        self.message_fr = message_fr
        self.hint_fr = hint_fr

    def __str__(self) -> str:
        return f"{self.message} {self.hint}".strip() if self.hint else self.message

    def text(self, lang: str = "en") -> tuple[str, str]:
        """``(message, hint)`` in ``lang`` (``"fr"`` or ``"en"``): the French ones where they were written, else
        the English ones (a French hint never goes with an English message nor the reverse when one is
        missing)."""
        if lang == "fr" and self.message_fr:
            return self.message_fr, self.hint_fr if (self.hint_fr or not self.hint) else self.hint
        return self.message, self.hint

    def to_dict(self) -> dict[str, str]:
        return {
            "error": type(self).__name__,
            "message": self.message,
            "hint": self.hint,
            "details": self.details,
            "message_fr": self.message_fr,
            "hint_fr": self.hint_fr,
        }


class InputError(OdlGeoError):
    """The input data or the user's options are wrong; fixing them makes the run succeed."""

    exit_code = 2


class MissingDependencyError(InputError):
    """An optional library a command needs is not installed (exit 2, with the install command as the hint)."""


def require(module: str, extra: str, purpose: str, purpose_fr: str = "") -> None:
    """Import-check an optional dependency where it is used: its absence is the user's to fix, not a bug.

    :param extra: the ``odl-geo[extra]`` that installs it; :param purpose: what needs it ("publishing to PostGIS");
        :param purpose_fr: the same in French (« La publication dans PostGIS »).
    :raises MissingDependencyError: ``module`` cannot be imported.
    """
    import importlib
    import sys

    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the Python library {module}, which is not installed ({exc}).",
            f"Install it in odl-geo's environment: {sys.executable} -m pip install 'odl-geo[{extra}]' "
            "(from a checkout: add -c requirements/lock.txt for the tested versions).",
            message_fr=(
                f"{purpose_fr or purpose} demande la bibliothèque Python {module}, qui n'est pas installée ({exc})."
            ),
            hint_fr=f"Installez-la dans l'environnement d'odl-geo : {sys.executable} -m pip install "
            f"'odl-geo[{extra}]' (depuis une copie du dépôt : ajoutez -c requirements/lock.txt pour les versions "
            "testées).",
        ) from None


class SourceNotFoundError(InputError):
    """The path does not exist or holds nothing that can be read."""


class UnsupportedSourceError(InputError):
    """The file exists but no reader understands it (or it is damaged beyond reading)."""


class CrsError(InputError):
    """The coordinate reference system is missing, unknown or contradicted by the coordinates."""


class EncodingError(InputError):
    """Text in the source cannot be decoded with the declared or given encoding."""


class OutputError(OdlGeoError):
    """An output could not be written (disk full, permission, folder is a file...)."""

    exit_code = 3


class CancelledError(OdlGeoError):
    """The user cancelled a long operation; partial outputs were removed."""

    exit_code = 130


class NetworkError(OdlGeoError):
    """A server could not be reached or did not answer in time (after retries)."""

    exit_code = 4


class RemoteError(OdlGeoError):
    """A server answered with an error. ``status`` is its HTTP status; the message names the step and resource."""

    exit_code = 5

    def __init__(
        self,
        message: str,
        hint: str = "",
        details: str = "",
        status: int | None = None,
        *,
        message_fr: str = "",
        hint_fr: str = "",
    ) -> None:
        super().__init__(message, hint, details, message_fr=message_fr, hint_fr=hint_fr)
        self.status = status

    def to_dict(self) -> dict[str, str]:
        d = super().to_dict()
        d["status"] = "" if self.status is None else str(self.status)
        return d


class AuthError(RemoteError):
    """The server refused the credentials (401) or the permission (403)."""

    exit_code = 6


def not_written(path: object, exc: OSError) -> OutputError:
    """The error of a file that cannot be written (no permission, disk full), in both languages: one wording for
    the products, reports and outlines that write files."""
    return OutputError(
        f"Cannot write {path}: {exc.strerror}.",
        "Check the output folder.",
        message_fr=f"Impossible d'écrire {path} : {exc.strerror}.",
        hint_fr="Vérifiez le dossier de sortie.",
    )


def folder_not_created(out: object, exc: OSError) -> OutputError:
    """The error of an output folder that cannot be created, in both languages (a conversion's, a theme run's)."""
    return OutputError(
        f"Cannot create the output folder {out}: {exc.strerror}.",
        "Check the path.",
        message_fr=f"Impossible de créer le dossier de sortie {out} : {exc.strerror}.",
        hint_fr="Vérifiez le chemin.",
    )
