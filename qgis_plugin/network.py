"""QgisTransport: odl_geo's network seam over QGIS's own network stack.

Going through ``QgsBlockingNetworkRequest`` means the user's QGIS proxy, SSL/CA settings and authentication
configurations (``authcfg``: Basic for GeoServer, an API-key header for data.gouv.fr) apply, and secrets never
leave QgsAuthManager. ``requests`` inside QGIS ignores all of that (Bridge issues #142, #227).
Retries follow the same :class:`odl_geo.http.RetryPolicy` as the command line.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode, urlsplit

from qgis.core import QgsBlockingNetworkRequest, QgsCredentials, QgsFeedback
from qgis.PyQt.QtCore import QByteArray, QCoreApplication, QThread, QUrl, QUrlQuery
from qgis.PyQt.QtNetwork import QNetworkReply, QNetworkRequest
from urllib3 import encode_multipart_formdata

from odl_geo.credentials import redact, redact_url
from odl_geo.errors import NetworkError
from odl_geo.http import HttpRequest, HttpResponse, RetryPolicy

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "NoPromptCredentials", "QgisTransport", "install_prompt_guard", "off_the_main_thread", "remove_prompt_guard",
]  # fmt: skip

T = TypeVar("T")


class NoPromptCredentials(QgsCredentials):
    """QGIS's credentials service, minus the "Enter credentials" prompt for the servers odl-geo is talking to.

    When a server answers 401 to a request carrying an auth configuration, QGIS desktop asks the person for a user
    name and password (QgsAppAuthRequestHandler -> ``QgsCredentials.instance().get("<realm> at <host>")``) in the
    middle of a publication. For the hosts a QgisTransport is sending to, this answers "no credentials": the 401
    comes back to odl-geo, which says in French which QGIS auth configuration to fix. Every other realm goes to
    the credentials service QGIS had (its dialog), unchanged.
    """

    def __init__(self, previous: QgsCredentials | None) -> None:
        super().__init__()
        self.previous = previous
        self.hosts: Counter[str] = Counter()
        self.refused: list[str] = []  # realms answered without a prompt (for the log and the tests)
        self._lock = threading.Lock()
        self.setInstance(self)

    def sending(self, host: str, delta: int) -> None:
        with self._lock:
            self.hosts[host] += delta
            if self.hosts[host] <= 0:
                del self.hosts[host]

    def _ours(self, realm: str) -> bool:
        with self._lock:
            return any(realm.endswith(f" at {host}") for host in self.hosts)

    def request(self, realm: str, username: str, password: str, message: str = "") -> tuple[bool, str, str]:
        if self._ours(realm) or self.previous is None:
            self.refused.append(realm)
            return False, username, password
        ok, user, pwd = self.previous.get(realm, username, password, message)
        return ok, user, pwd

    def requestMasterPassword(self, password: str, stored: bool = False) -> tuple[bool, str]:
        if self.previous is None:
            return False, password
        ok, pwd = self.previous.getMasterPassword(password, stored)
        return ok, pwd

    def restore(self) -> None:
        if self.previous is not None:
            self.setInstance(self.previous)


_guard: NoPromptCredentials | None = None


def install_prompt_guard() -> NoPromptCredentials:
    """Once per plugin load (initGui); QgisTransport registers its hosts with it while it sends."""
    global _guard
    if _guard is None:
        _guard = NoPromptCredentials(QgsCredentials.instance())
    return _guard


def remove_prompt_guard() -> None:
    global _guard
    if _guard is not None:
        _guard.restore()
        _guard = None


# errors that happen before the request reached the server: safe to retry any method
_NOT_SENT = {
    QNetworkReply.ConnectionRefusedError,
    QNetworkReply.HostNotFoundError,
    QNetworkReply.TemporaryNetworkFailureError,
    QNetworkReply.NetworkSessionFailedError,
}


class QgisTransport:
    """:param authcfg: a QgsAuthManager configuration id applied to every request (may be empty).
    :param feedback: lets a QgsTask cancel a transfer in progress.
    """

    def __init__(
        self,
        authcfg: str = "",
        retry: RetryPolicy | None = None,
        timeout_s: float = 120.0,
        feedback: QgsFeedback | None = None,
    ) -> None:
        self.authcfg, self.retry, self.timeout_s, self.feedback = authcfg, retry or RetryPolicy(), timeout_s, feedback

    def send(self, request: HttpRequest) -> HttpResponse:
        host = urlsplit(request.url).hostname or ""
        guard = _guard
        if guard is not None:
            guard.sending(host, +1)
        try:
            return self._send(request)
        finally:
            if guard is not None:
                guard.sending(host, -1)

    def _send(self, request: HttpRequest) -> HttpResponse:
        for attempt in itertools.count():
            response, error = self._send_once(request)
            if response is not None:
                delay = self.retry.delay(request.method, attempt, response.status, response.header("Retry-After"))
                if delay is None:
                    return response
            else:
                # no answer: before sending, any method may be retried; after (timeout, reset), only idempotent
                delay = self.retry.delay(request.method, attempt, None if error in _NOT_SENT else 504)
                if delay is None:
                    raise self._network_error(request, error)
            if self.feedback is not None and self.feedback.isCanceled():
                raise NetworkError(f"{request.method} {redact_url(request.url)} was cancelled.", "")
            if request.deadline is not None and time.monotonic() + delay >= request.deadline:
                # the command's deadline (odl_geo.http.DeadlineTransport) leaves no time for another attempt
                if response is not None:
                    return response
                raise self._network_error(request, error)
            time.sleep(delay)
        raise AssertionError("unreachable")

    def _network_error(self, request: HttpRequest, error: object) -> NetworkError:
        details = redact(self._last_error, request.auth.secrets if request.auth else ())
        if error in (QNetworkReply.TimeoutError, QNetworkReply.OperationCanceledError):
            return NetworkError(
                f"{request.method} {redact_url(request.url)} timed out (after retries).",
                "The server is slow or unreachable; try again later.",
                details,
            )
        return NetworkError(
            f"Cannot reach {redact_url(request.url)}.",
            "Check the URL and QGIS's network/proxy settings (Settings > Options > Network).",
            details,
        )

    def _send_once(self, request: HttpRequest) -> tuple[HttpResponse | None, object]:
        url = QUrl(request.url)
        if request.params:
            query = QUrlQuery(url)
            for k, v in request.params.items():
                query.addQueryItem(k, str(v))
            url.setQuery(query)
        qreq = QNetworkRequest(url)
        # the request's read timeout when it sets one (a DeadlineTransport cuts it to the time left), else ours
        timeout_s = min(self.timeout_s, request.timeout[1]) if request.timeout else self.timeout_s
        qreq.setTransferTimeout(max(1, int(timeout_s * 1000)))
        # stateless APIs (Basic, X-API-KEY): no session cookie kept in or taken from QGIS's shared cookie jar, so a
        # wrong key or password is never masked by an earlier good one's session (udata and GeoServer set one)
        qreq.setAttribute(QNetworkRequest.CookieLoadControlAttribute, QNetworkRequest.Manual)
        qreq.setAttribute(QNetworkRequest.CookieSaveControlAttribute, QNetworkRequest.Manual)
        for k, v in request.headers.items():
            qreq.setRawHeader(k.encode(), v.encode())
        if request.auth is not None and request.auth.api_key:
            qreq.setRawHeader(b"X-API-KEY", request.auth.api_key.encode())
        data, ctype = _body(request)
        if ctype:
            qreq.setHeader(QNetworkRequest.ContentTypeHeader, ctype)
        method = request.method.upper()
        if method not in ("GET", "HEAD", "POST", "PUT", "DELETE"):
            raise ValueError(f"unsupported method {method}")
        status, code, headers, content, error, self._last_error = off_the_main_thread(
            lambda: self._exchange(method, qreq, data)
        )
        if status is None or (code != QgsBlockingNetworkRequest.NoError and not status):
            return None, error
        return HttpResponse(int(status), headers, content, redact_url(request.url)), None

    def _exchange(
        self, method: str, qreq: QNetworkRequest, data: bytes
    ) -> tuple[object, object, dict[str, str], bytes, object, str]:
        """One request through ``QgsBlockingNetworkRequest`` in the calling thread (never the main one, see
        :func:`off_the_main_thread`): (HTTP status or None, QGIS's error code, headers, body, Qt's network error,
        QGIS's error message), plain values that any thread may read."""
        blocking = _blocking_request()
        if self.authcfg:
            blocking.setAuthCfg(self.authcfg)
        if method == "GET":
            code = blocking.get(qreq, True, self.feedback)
        elif method == "HEAD":
            code = blocking.head(qreq, True, self.feedback)
        elif method == "POST":
            code = blocking.post(qreq, QByteArray(data), True, self.feedback)
        elif method == "PUT":
            code = blocking.put(qreq, QByteArray(data), self.feedback)
        else:
            code = blocking.deleteResource(qreq, self.feedback)
        reply = blocking.reply()
        headers = {
            bytes(k).decode("latin-1"): bytes(reply.rawHeader(k)).decode("latin-1") for k in reply.rawHeaderList()
        }
        status = reply.attribute(QNetworkRequest.HttpStatusCodeAttribute)
        return status, code, headers, bytes(reply.content()), reply.error(), blocking.errorMessage()

    _last_error = ""


def _ignore(*_args: object) -> None:
    """A slot that does nothing (see :func:`_blocking_request`)."""


def off_the_main_thread(call: Callable[[], T]) -> T:
    """``call()`` in a helper thread while the main thread goes on handling Qt's events, when called from the main
    thread (a Processing algorithm run from the Python console or a script, the tests); else ``call()`` here.

    Why: called from the main thread, ``QgsBlockingNetworkRequest`` (QGIS 3.22) runs the request in a thread of
    its own and puts the main thread to sleep on a wait condition, woken to handle each authentication request
    (a 401) with one ``processEvents``. A second 401 (QNetworkAccessManager tries again with the credentials QGIS
    gave) that comes while the main thread is still in that ``processEvents`` wakes nobody: the request's thread
    then waits for the main thread to handle it, and the main thread waits for a wake-up, for ever (gdb: the
    downloader thread in ``QgsNetworkAccessManager::onAuthRequired`` -> ``QSemaphore::acquire``, the main thread
    in ``QgsBlockingNetworkRequest::doRequest`` -> ``QWaitCondition::wait``; seen with a wrong GeoServer password
    on a loaded machine). From any other thread QGIS runs the request in that thread and the main thread's own
    event loop handles the authentication requests, as here.
    """
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() != app.thread():
        return call()
    outcome: list[tuple[bool, object]] = []
    done = threading.Event()

    def target() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as exc:  # noqa: BLE001 - raised again in the calling thread
            outcome.append((False, exc))
        finally:
            done.set()

    helper = threading.Thread(target=target, name="odl-geo-request", daemon=True)
    helper.start()
    while not done.wait(0.01):
        QCoreApplication.processEvents()
    helper.join()
    ok, value = outcome[0]
    if not ok:
        raise value  # type: ignore[misc]
    return value  # type: ignore[return-value]


def _blocking_request() -> QgsBlockingNetworkRequest:
    """A ``QgsBlockingNetworkRequest`` whose Qt notifications never wait for Python's lock.

    Made from Python, the request is sip's subclass: each time Qt connects or disconnects one of its signals
    (``doRequest`` does both, in the task's thread, while holding Qt's connection lock), sip takes the GIL to
    look for a Python override of ``connectNotify``/``disconnectNotify``. If the main thread holds the GIL and
    waits for that same Qt lock (a progress bar repainting, which deletes its busy animation), both wait for
    ever: QGIS froze so in a publication (gdb: the task in ``sipQgsBlockingNetworkRequest::disconnectNotify`` ->
    ``PyGILState_Ensure``, the main thread in ``QProgressBar`` -> ``~QObject`` -> ``QBasicMutex::lockInternal``).
    sip remembers, per object, that a method has no Python override once it has looked (``*pymc = 1``: "use the
    fast track in future", siplib's ``sip_is_py_method``), and then never takes the GIL for it again. So the
    first look is done here, in Python, before the request runs: one connect and one disconnect.
    """
    blocking = QgsBlockingNetworkRequest()
    blocking.downloadFinished.connect(_ignore)
    blocking.downloadFinished.disconnect(_ignore)
    return blocking


def _body(request: HttpRequest) -> tuple[bytes, str | None]:
    """The request body as bytes and its content type (multipart built with urllib3's encoder)."""
    if request.json_body is not None:
        return json.dumps(request.json_body).encode(), "application/json"
    if request.files:
        fields: dict[str, object] = dict(request.form or {})
        for name, (filename, content, ctype) in request.files.items():
            raw = content if isinstance(content, bytes) else content.read()
            fields[name] = (filename, raw, ctype)
        body, ctype = encode_multipart_formdata(fields)
        return body, ctype
    if request.form:
        return urlencode(dict(request.form)).encode(), "application/x-www-form-urlencoded"
    if request.body is not None:
        raw = request.body if isinstance(request.body, bytes) else request.body.read()
        return raw, request.headers.get("Content-Type")
    return b"", None
