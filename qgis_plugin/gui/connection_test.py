""""Tester la connexion": one cheap, read-only request per server, with the auth configuration chosen for it.

GeoServer: REST ``about/version`` (also checks the Basic credentials); data.gouv.fr: udata's ``me/`` (checks the
API key); CSW: GetCapabilities; PostGIS: ``SELECT 1`` through QGIS's own postgres provider (psycopg stays out of
QGIS's process). Run in a ``QgsTask.fromFunction``; the answer is one translated sentence, a failure the same French
line as a publication's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from qgis.core import QgsApplication, QgsDataSourceUri, QgsProviderRegistry, QgsTask
from qgis.PyQt import sip

from odl_geo.errors import AuthError, NetworkError, OdlGeoError, RemoteError
from odl_geo.http import HttpRequest
from odl_geo.publishers.datagouv import DatagouvClient
from odl_geo.publishers.geoserver import GeoServerClient

from ..auth import api_key_credentials
from ..network import QgisTransport
from ..processing.errors import error_line, in_qgis
from ..toolbelt.i18n import tr

if TYPE_CHECKING:
    from collections.abc import Callable

    from qgis.PyQt.QtWidgets import QLabel, QPushButton

__all__ = ["ConnectionTest", "probe_csw", "probe_datagouv", "probe_geoserver", "probe_postgis"]


def probe_geoserver(url: str, authcfg: str) -> str:
    version = GeoServerClient(url, None, QgisTransport(authcfg, timeout_s=20)).version()
    return tr("GeoServer {0} answers and accepts the credentials.").format(version or "")


def probe_datagouv(url: str, authcfg: str) -> str:
    me = DatagouvClient(url, api_key_credentials(authcfg), QgisTransport(timeout_s=20)).me()
    who = " ".join(str(me.get(k) or "") for k in ("first_name", "last_name")).strip() or str(me.get("slug", ""))
    return tr("data.gouv.fr answers; the API key is {0}'s.").format(who)


def probe_csw(url: str, authcfg: str) -> str:
    params = {"service": "CSW", "version": "2.0.2", "request": "GetCapabilities"}
    answer = QgisTransport(authcfg, timeout_s=20).send(HttpRequest("GET", url, params=params))
    if answer.status in (401, 403):
        raise AuthError(f"{url} refused the credentials (HTTP {answer.status}).", "", status=answer.status)
    if answer.status != 200 or b"Capabilities" not in answer.body[:4000]:
        raise RemoteError(tr("{0} answered HTTP {1}, not a CSW GetCapabilities.").format(url, answer.status), "",
                          status=answer.status)  # fmt: skip
    return tr("The CSW catalogue answers (GetCapabilities).")


def probe_postgis(dsn: str, authcfg: str) -> str:
    parts = urlsplit(dsn)
    uri = QgsDataSourceUri()
    uri.setConnection(parts.hostname or "", str(parts.port or 5432), parts.path.lstrip("/"), "", "",
                      QgsDataSourceUri.SslPrefer, authcfg)  # fmt: skip
    metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
    try:
        connection = metadata.createConnection(uri.uri(False), {})
        connection.executeSql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - QgsProviderConnectionException: said as a network failure
        raise NetworkError(str(exc).strip().splitlines()[0] if str(exc).strip() else "PostGIS", "") from None
    return tr("PostGIS answers (SELECT 1) with these credentials.")


class ConnectionTest:
    """The button and its answer for one server: ``probe()`` runs in a task, the label is set on the main thread."""

    def __init__(self, button: QPushButton, label: QLabel, service: str,
                 probe: Callable[[], tuple[Callable[..., str], tuple[str, ...]]]) -> None:  # fmt: skip
        self.button, self.label, self.service, self.probe = button, label, service, probe
        self.task: QgsTask | None = None
        self.answer = ""
        button.clicked.connect(self.start)

    def start(self) -> None:
        call, args = self.probe()
        authcfg = args[-1]
        self.button.setEnabled(False)
        self.label.setText(tr("Testing…"))

        def run(_task: QgsTask) -> tuple[bool, str]:
            try:
                return True, call(*args)
            except OdlGeoError as exc:
                return False, error_line(in_qgis(exc, self.service, authcfg))

        def done(exception: BaseException | None, result: tuple[bool, str] | None = None) -> None:
            self.task = None
            if sip.isdeleted(self.label):
                return
            ok, text = result if result is not None else (False, str(exception))
            self.answer = ("✔ " if ok else "✘ ") + text
            self.label.setText(self.answer)
            self.button.setEnabled(True)

        self.task = QgsTask.fromFunction(tr("odl-geo: testing the connection"), run, on_finished=done)
        QgsApplication.taskManager().addTask(self.task)
