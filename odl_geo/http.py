"""The one network seam: publishers send typed requests through a :class:`Transport`.

The CLI uses :class:`RequestsTransport` (a ``requests`` session with urllib3 retries and timeouts). The QGIS
plugin injects a transport over ``QgsBlockingNetworkRequest`` so that QGIS's proxy, certificate store and
authentication configurations apply: ``requests`` inside QGIS ignores them, a known source of bugs in other
plugins. Retry and timeout policy lives here only.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field, replace
from typing import IO, TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from ._version import __version__
from .credentials import redact, redact_url, secret_forms, secrets_from_env
from .errors import InputError, NetworkError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .credentials import Credentials

__all__ = [
    "SECRET_HEADERS",
    "HttpRequest",
    "HttpResponse",
    "RequestsTransport",
    "RetryPolicy",
    "Transport",
    "redact",
    "same_origin",
    "secret_forms",
    "secrets_from_env",
]

#: headers that carry a credential: never sent on after a redirect to another origin (requests drops only
#: ``Authorization``, and only when the host changes; a custom header such as udata's ``X-API-KEY`` followed the
#: redirect to whatever host the server named)
SECRET_HEADERS = ("Authorization", "X-API-KEY", "X-Auth-Token", "Proxy-Authorization", "Cookie")

log = logging.getLogger("odl_geo.http")


class _RedactingFilter(logging.Filter):
    """urllib3 logs retried URLs with their query string (``?authkey=...``): mask secrets before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        return True


for _name in ("urllib3.connectionpool", "urllib3.connection", "urllib3.util.retry", "requests"):
    logging.getLogger(_name).addFilter(_RedactingFilter())

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
Body = bytes | IO[bytes] | None
#: multipart file part: (file name, content, content type)
FilePart = tuple[str, bytes | IO[bytes], str]


@dataclass(frozen=True)
class RetryPolicy:
    """Retries with exponential backoff on connection errors and 429/502/503/504 (``Retry-After`` honoured).

    Only idempotent methods are retried after the request reached the server; a POST is retried only when
    the connection could not be made at all (it cannot have had an effect).
    """

    total: int = 4
    backoff: float = 0.5  # 0.5, 1, 2, 4 s
    statuses: tuple[int, ...] = (429, 502, 503, 504)
    max_backoff: float = 30.0

    def delay(self, method: str, attempt: int, status: int | None, retry_after: str | None = None) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or None when the request must not be retried.

        ``status`` None means the connection failed before any answer. Used by transports that do not sit
        on urllib3 (the QGIS one), so that both follow this one policy.
        """
        if attempt >= self.total:
            return None
        if status is not None and (status not in self.statuses or method.upper() not in IDEMPOTENT):
            return None
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), self.max_backoff)
        return min(self.backoff * (2**attempt), self.max_backoff)

    def to_urllib3(self) -> Retry:
        return Retry(
            total=self.total,
            connect=self.total,
            read=self.total,
            status=self.total,
            other=0,
            backoff_factor=self.backoff,
            backoff_max=self.max_backoff,
            status_forcelist=self.statuses,
            allowed_methods=IDEMPOTENT,
            respect_retry_after_header=True,
            raise_on_status=False,
        )


@dataclass(frozen=True)
class HttpRequest:
    """What a client asks; ``secrets`` lists values to mask wherever the request is described."""

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] | None = None
    json_body: Any = None
    body: Body = None
    form: Mapping[str, str] | None = None
    files: Mapping[str, FilePart] | None = None
    timeout: tuple[float, float] | None = None  # (connect, read) seconds; transport default when None
    auth: Credentials | None = None  # Basic auth when username/password; X-API-KEY header when api_key
    #: ``time.monotonic()`` by which the answer must have come, retries included (None: only the timeouts bound
    #: it); set by :class:`DeadlineTransport`
    deadline: float | None = None

    def describe(self) -> str:
        """One redacted line for logs and dry runs (never the body of an upload)."""
        secrets = self.auth.secrets if self.auth else ()
        return redact(f"{self.method} {redact_url(self.url)}", secrets)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Parsed JSON, or None when the body is empty or not JSON (an HTML error page, say)."""
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == low), None)


@runtime_checkable
class Transport(Protocol):
    """Sends one request; raises :class:`NetworkError` when no answer came, returns any HTTP status otherwise."""

    def send(self, request: HttpRequest) -> HttpResponse: ...


def same_origin(a: str, b: str) -> bool:
    """Same scheme, host and port (RFC 6454): the only redirects a credential may follow."""
    pa, pb = urlsplit(a), urlsplit(b)
    default = {"http": 80, "https": 443}
    try:
        ports = (pa.port or default.get(pa.scheme), pb.port or default.get(pb.scheme))
    except ValueError:
        return False
    return (pa.scheme, (pa.hostname or "").lower(), ports[0]) == (pb.scheme, (pb.hostname or "").lower(), ports[1])


class _OriginBoundSession(requests.Session):
    """A session whose credentials never follow a redirect to another origin (scheme, host or port changed)."""

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        previous = response.request.url or ""
        if not same_origin(previous, prepared_request.url or ""):
            for name in SECRET_HEADERS:
                prepared_request.headers.pop(name, None)
            log.debug("redirected to another origin: credentials not sent on")
        super().rebuild_auth(prepared_request, response)


class RequestsTransport:
    """``requests`` session with retries, timeouts and TLS verification (on by default, CA bundle optional).

    :param ca_bundle: None (system/certifi CAs), or the path of a CA bundle (PEM) for a private PKI. Turning
        verification off is deliberately not offered.
    :raises InputError: ``ca_bundle`` is not a file.
    """

    def __init__(
        self,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (10.0, 120.0),
        ca_bundle: str | None = None,
        user_agent: str = f"odl-geo/{__version__}",
    ) -> None:
        self.timeout = timeout
        if ca_bundle is not None and not os.path.isfile(ca_bundle):  # requests would only fail at the first request
            raise InputError(
                f"The CA bundle {ca_bundle} does not exist or is not a file.",
                "Give the PEM file of your organisation's certificate authority (--ca-bundle).",
                message_fr=f"Le bundle d'autorités de certification {ca_bundle} est introuvable ou n'est pas un "
                "fichier.",
                hint_fr="Indiquez le fichier PEM de l'autorité de certification de votre organisation (--ca-bundle).",
            )
        self.ca_bundle = ca_bundle
        self.session = _OriginBoundSession()
        self.session.verify = ca_bundle or True
        self.session.headers["User-Agent"] = user_agent
        self.retry = retry or RetryPolicy()
        adapter = HTTPAdapter(max_retries=self.retry.to_urllib3())
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # requests with a deadline: urllib3's retries cannot be bounded in time (5 attempts x the read timeout),
        # so this session makes one attempt and :meth:`_send_before` retries, by the same policy, within the deadline
        self._once = _OriginBoundSession()  # credentials never follow a redirect to another origin
        self._once.verify = self.session.verify
        self._once.headers["User-Agent"] = user_agent
        for prefix in ("http://", "https://"):
            self._once.mount(prefix, HTTPAdapter(max_retries=Retry(total=0, connect=0, read=0, status=0, other=0,
                                                                   redirect=None, raise_on_status=False)))  # fmt: skip

    def send(self, request: HttpRequest) -> HttpResponse:
        if request.deadline is not None:
            return self._send_before(request, request.deadline)
        return self._attempt(request, self.session, request.timeout or self.timeout)

    def _send_before(self, request: HttpRequest, deadline: float) -> HttpResponse:
        """One request, retried by :class:`RetryPolicy`, every attempt and wait within ``deadline``.

        :raises NetworkError: no answer before the deadline (or a failure that is not retried).
        """
        connect, read = request.timeout or self.timeout
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _too_late(request)
            try:
                resp = self._attempt(request, self._once, (min(connect, remaining), min(read, remaining)))
            except NetworkError as exc:
                if time.monotonic() >= deadline:
                    raise _too_late(request) from None
                # no answer: before sending, any method may be retried; after (a read timeout), idempotent only
                sent = getattr(exc, "sent", None)  # None: not a timeout nor a connection failure (TLS...)
                delay = None if sent is None else self.retry.delay(request.method, attempt, 504 if sent else None)
                if delay is None or time.monotonic() + delay >= deadline:
                    raise
            else:
                delay = self.retry.delay(request.method, attempt, resp.status, resp.header("Retry-After"))
                if delay is None or time.monotonic() + delay >= deadline:
                    return resp
            time.sleep(delay)
            attempt += 1

    def _attempt(self, request: HttpRequest, session: requests.Session, timeout: tuple[float, float]) -> HttpResponse:
        headers = dict(request.headers)
        auth = None
        if request.auth is not None:
            if request.auth.api_key:
                headers["X-API-KEY"] = request.auth.api_key
            if request.auth.username and request.auth.password is not None:
                auth = (request.auth.username, request.auth.password)
        data: Any = request.body if request.body is not None else request.form
        files = {k: (name, content, ctype) for k, (name, content, ctype) in (request.files or {}).items()} or None
        log.debug("%s", request.describe())
        try:
            resp = session.request(
                request.method,
                request.url,
                params=request.params,
                json=request.json_body,
                data=data,
                files=files,
                headers=headers,
                auth=auth,
                timeout=timeout,
                allow_redirects=True,
                # per request: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE override the session's bundle
                verify=self.ca_bundle,
            )
        except requests.exceptions.SSLError as exc:
            raise NetworkError(
                f"TLS certificate check failed for {redact_url(request.url)}.",
                "Give your organisation's CA bundle (ca_bundle / --ca-bundle); verification stays on.",
                _safe(exc, request),
                message_fr=f"La vérification du certificat TLS de {redact_url(request.url)} a échoué.",
                hint_fr="Indiquez le bundle d'autorités de certification de votre organisation (ca_bundle / "
                "--ca-bundle) ; la vérification reste active.",
            ) from None
        except requests.exceptions.Timeout as exc:
            error = _timed_out(request, _safe(exc, request))
            error.sent = not isinstance(exc, requests.exceptions.ConnectTimeout)  # type: ignore[attr-defined]
            raise error from None
        except (requests.exceptions.ConnectionError, requests.exceptions.RetryError) as exc:
            if isinstance(getattr(exc.args[0] if exc.args else None, "reason", None), ReadTimeoutError):
                error = _timed_out(request, _safe(exc, request))
                error.sent = True  # type: ignore[attr-defined]
                raise error from None
            error = NetworkError(
                f"Cannot reach {redact_url(request.url)}.",
                "Check the URL, the network or proxy, and that the server is running.",
                _safe(exc, request),
                message_fr=f"Impossible de joindre {redact_url(request.url)}.",
                hint_fr="Vérifiez l'URL, le réseau ou le proxy, et que le serveur est démarré.",
            )
            error.sent = not _never_connected(exc)  # type: ignore[attr-defined]
            raise error from None
        except requests.exceptions.RequestException as exc:
            raise NetworkError(
                f"{request.method} {redact_url(request.url)} failed.",
                "Check the URL.",
                _safe(exc, request),
                message_fr=f"La requête {request.method} {redact_url(request.url)} a échoué.",
                hint_fr="Vérifiez l'URL.",
            ) from None
        log.debug("-> %s (%d bytes)", resp.status_code, len(resp.content))
        return HttpResponse(resp.status_code, dict(resp.headers), resp.content, redact_url(resp.url))


class DeadlineTransport:
    """Bounds everything sent through it by one deadline: every request, its retries and waits included.

    A command's ``--deadline`` wraps its transport in this once, so that a server that never answers stops the
    command within about the deadline (exit 4), not after every retry of every request has timed out. Each
    request's timeouts are cut to the time left too, so transports that do not read ``deadline`` (the QGIS one)
    are bounded as well.

    :param inner: the transport that sends.
    :param seconds: from now; the deadline is fixed when the object is made.
    """

    def __init__(self, inner: Transport, seconds: float) -> None:
        self.inner = inner
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds

    def send(self, request: HttpRequest) -> HttpResponse:
        deadline = min(self.deadline, request.deadline) if request.deadline is not None else self.deadline
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _too_late(request, self.seconds)
        default = getattr(self.inner, "timeout", None)
        timeout: tuple[float, float] = request.timeout or (default if isinstance(default, tuple) else (10.0, 120.0))
        connect, read = timeout
        return self.inner.send(
            replace(request, deadline=deadline, timeout=(min(connect, remaining), min(read, remaining)))
        )


def _never_connected(exc: Exception) -> bool:
    """True when the connection was never made (so the request cannot have reached the server); a reset or a cut
    after connecting may come after the server acted on it (a POST must then not be replayed)."""
    from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, NewConnectionError | ConnectTimeoutError)


def _timed_out(request: HttpRequest, details: str) -> NetworkError:
    """No answer within the timeouts, retries included."""
    return NetworkError(
        f"{request.method} {redact_url(request.url)} timed out (after retries).",
        "The server is slow or unreachable; try again later or raise the timeout.",
        details,
        message_fr=f"La requête {request.method} {redact_url(request.url)} a expiré (après plusieurs tentatives).",
        hint_fr="Le serveur est lent ou injoignable ; réessayez plus tard, ou augmentez le délai d'attente.",
    )


def _too_late(request: HttpRequest, seconds: float | None = None) -> NetworkError:
    within = f" within the deadline ({seconds:g} s)" if seconds is not None else " before the deadline"
    within_fr = " avant la fin du délai imparti"
    if seconds is not None:
        within_fr = " dans le délai imparti ({} s)".format(f"{seconds:g}".replace(".", ","))
    return NetworkError(
        f"{request.method} {redact_url(request.url)}: no answer{within}.",
        "The server is slow or unreachable; try again later, or raise --deadline.",
        message_fr=f"{request.method} {redact_url(request.url)} : pas de réponse{within_fr}.",
        hint_fr="Le serveur est lent ou injoignable ; réessayez plus tard, ou augmentez --deadline.",
    )


def _safe(exc: Exception, request: HttpRequest) -> str:
    """Exception text with secrets and credentialed URLs masked (urllib3 messages repeat the URL)."""
    return redact(f"{type(exc).__name__}: {exc}", request.auth.secrets if request.auth else ())
