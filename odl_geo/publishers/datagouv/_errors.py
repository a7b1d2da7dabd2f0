"""udata's error answers -> one :class:`RemoteError` naming the action and object, with a hint.

udata answers errors in three shapes: ``{"message"}``, ``{"errors": {field: [...]}}`` (nested for ``spatial``) and
``{"success": false, "error"}`` (uploads). All are flattened to ``field: message``. Also here: how a dry run
describes a write request (never the key: it only ever travels in a header).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ...credentials import redact
from ...errors import AuthError, RemoteError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ...credentials import Credentials
    from ...http import FilePart, HttpResponse
    from .endpoints import Endpoints

__all__ = ["API_KEY_ENV", "describe_write", "of_action", "translate_error"]

API_KEY_ENV = "ODL_DATAGOUV_API_KEY"


def of_action(action_fr: str) -> str:
    """« de » before a French action in the infinitive, elided before a vowel: « de créer … », « d'ajouter … »."""
    return ("d'" if action_fr[:1].lower() in "aeéèêiîoôuy" else "de ") + action_fr


def translate_error(
    response: HttpResponse, what: str, endpoints: Endpoints, credentials: Credentials | None, what_fr: str = ""
) -> RemoteError:
    """udata's status and message -> one sentence naming the object, and a hint.

    :param what: the action refused, in English (« create dataset 'X' »); :param what_fr: the same in French, in the
        infinitive (« créer le jeu de données 'X' »).
    """
    status = response.status
    secrets = credentials.secrets if credentials else ()
    detail = redact(_udata_detail(response), secrets)[:400]  # a server may quote the request back, key included
    host = endpoints.site.split("://", 1)[-1]
    details = redact(f"{response.url} -> {status}: {response.text[:8000]}", secrets)[:600]
    message = f"{host} refused to {what} (HTTP {status}{': ' + detail if detail else ''})."
    message_fr = f"{host} a refusé {of_action(what_fr or what)} (HTTP {status}{' : ' + detail if detail else ''})."
    if status == 401:
        return AuthError(
            message,
            f"The API key is missing, wrong, revoked or expired, or belongs to another instance (demo and "
            f"production keys differ). Check {API_KEY_ENV} or the credentials file; create a key on your "
            f"profile page on {endpoints.site}.",
            details,
            status,
            message_fr=message_fr,
            hint_fr=f"La clé d'API est absente, erronée, révoquée ou expirée, ou elle appartient à une autre instance "
            f"(les clés de la démo et de la production diffèrent). Vérifiez {API_KEY_ENV} ou le fichier "
            f"d'identifiants ; créez une clé sur votre page de profil sur {endpoints.site}.",
        )
    if status == 403 or (status == 400 and "Permission denied" in detail):
        return AuthError(
            message,
            "The key's user may not modify this object: an admin of the organization must add that user as "
            "a member (editor or admin), or use the key of a member.",
            details,
            status,
            message_fr=message_fr,
            hint_fr="L'utilisateur de la clé n'a pas le droit de modifier cet élément : un administrateur de "
            "l'organisation doit l'ajouter comme membre (éditeur ou administrateur), ou utilisez la clé d'un membre.",
        )
    if status in (404, 410):
        return RemoteError(
            message,
            "It does not exist on this instance, was deleted, or is private and this key cannot see it. "
            "Check the id/slug and the base URL (production and demo are separate instances).",
            details,
            status,
            message_fr=message_fr,
            hint_fr="L'élément n'existe pas sur cette instance, a été supprimé, ou il est privé et cette clé ne peut "
            "pas le voir. Vérifiez l'identifiant ou le slug et l'URL de base (la production et la démo sont des "
            "instances distinctes).",
        )
    if status == 413:  # from udata or, on data.gouv.fr, its front web server (an HTML page, no detail)
        return RemoteError(
            message,
            "The request is larger than the instance accepts in one request: files above --chunk-size are sent "
            "in parts, so lower --chunk-size (e.g. 4194304) below the limit and publish again.",
            details,
            status,
            message_fr=message_fr,
            hint_fr="La requête dépasse la taille que l'instance accepte en une fois : les fichiers plus gros que "
            "--chunk-size sont envoyés en plusieurs parties ; abaissez donc --chunk-size (p. ex. 4194304) sous "
            "cette limite et publiez de nouveau.",
        )
    if (status == 400 and "file type" in detail.lower()) or status == 415:
        return RemoteError(
            message,
            f"udata accepts only the file extensions listed at {endpoints.extensions()}: leave that format out "
            "(--formats) or ask the instance's administrators.",
            details,
            status,
            message_fr=message_fr,
            hint_fr=f"udata n'accepte que les extensions de fichier listées sur {endpoints.extensions()} : laissez "
            "ce format de côté (--formats) ou adressez-vous aux administrateurs de l'instance.",
        )
    if status == 400:
        return RemoteError(
            message,
            "Fix the value named above and publish again.",
            details,
            status,
            message_fr=message_fr,
            hint_fr="Corrigez la valeur indiquée ci-dessus et publiez de nouveau.",
        )
    if status >= 500:
        return RemoteError(
            message,
            "udata failed on its side. Try again later: a re-run completes the publication without duplicates.",
            details,
            status,
            message_fr=message_fr,
            hint_fr="udata a échoué de son côté. Réessayez plus tard : une nouvelle publication termine la "
            "précédente sans créer de doublons.",
        )
    return RemoteError(
        message,
        "See the details (--verbose).",
        details,
        status,
        message_fr=message_fr,
        hint_fr="Consultez les détails (--verbose).",
    )


def _udata_detail(response: HttpResponse) -> str:
    """The useful words of a udata error body, whatever its shape."""
    body = response.json()
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    errors = body.get("errors")
    if isinstance(errors, dict):
        parts.extend(_flatten_errors(errors))
    for key in ("message", "error"):
        value = body.get(key)
        if isinstance(value, str) and value.strip() and value not in parts:
            parts.append(value.strip())
    return "; ".join(parts)[:8000]  # cut after redaction (translate_error), never through a secret


def _flatten_errors(errors: dict[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for name, value in errors.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict):
            out.extend(_flatten_errors(value, path + "."))
        elif isinstance(value, list):
            out.append(f"{path}: {' '.join(str(v) for v in value)}")
        else:
            out.append(f"{path}: {value}")
    return out


def describe_write(
    method: str,
    url: str,
    json_body: Any,
    form: Mapping[str, str] | None,
    files: Mapping[str, FilePart] | None,
) -> str:
    """A write request as a dry run prints it: method, URL, JSON body or form fields, file names and sizes."""
    line = f"{method} {url}"
    if json_body is not None:
        line += " json=" + json.dumps(json_body, ensure_ascii=False, sort_keys=True)
    if form or files:
        fields = [f"{k}={v}" for k, v in (form or {}).items()]
        for key, (fname, content, _ctype) in (files or {}).items():
            length = len(content) if isinstance(content, bytes) else "?"
            fields.append(f"{key}=({fname}, {length} bytes)")
        line += " multipart " + " ".join(fields)
    return line
