"""The errors of the network seam, the credentials and the data.gouv.fr and CSW publishers, in French.

Each test triggers the error through the real code (a closed port, a slow local server, a local server answering
as udata or a CSW catalogue would, a file too open) and checks the French names what the English names, in French
words, with secrets masked the same way; the English stays as it was.
"""

from __future__ import annotations

import socket
import time

import pytest
from werkzeug import Response

from odl_geo.credentials import Credentials
from odl_geo.errors import AuthError, InputError, NetworkError, RemoteError
from odl_geo.http import DeadlineTransport, HttpRequest, RequestsTransport, RetryPolicy
from odl_geo.publishers.csw.client import CswClient
from odl_geo.publishers.csw.publish import load_record
from odl_geo.publishers.datagouv.client import DatagouvClient

SECRET = "s3cr3t-Passw0rd"
KEY = "udata_" + "k" * 40


def _closed_port() -> int:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _transport() -> RequestsTransport:
    return RequestsTransport(retry=RetryPolicy(total=0), timeout=(2, 2))


def test_an_unreachable_server_is_named_in_french_with_its_secrets_masked():
    port = _closed_port()
    url = f"http://admin:{SECRET}@127.0.0.1:{port}/geoserver/rest?authkey={SECRET}"
    with pytest.raises(NetworkError) as info:
        _transport().send(HttpRequest("GET", url, auth=Credentials("admin", SECRET)))
    exc = info.value
    assert exc.message == f"Cannot reach http://127.0.0.1:{port}/geoserver/rest?authkey=%2A%2A%2A."
    assert exc.message_fr == f"Impossible de joindre http://127.0.0.1:{port}/geoserver/rest?authkey=%2A%2A%2A."
    assert exc.hint_fr == "Vérifiez l'URL, le réseau ou le proxy, et que le serveur est démarré."
    assert SECRET not in exc.message_fr + exc.hint_fr and "admin" not in exc.message_fr
    assert exc.text("fr") == (exc.message_fr, exc.hint_fr)


def test_a_timeout_and_a_passed_deadline_say_so_in_french(httpserver):
    def slow(_request):
        time.sleep(1.0)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    url = httpserver.url_for("/slow")
    with pytest.raises(NetworkError) as info:
        RequestsTransport(retry=RetryPolicy(total=0), timeout=(1, 0.3)).send(HttpRequest("GET", url))
    assert info.value.message == f"GET {url} timed out (after retries)."
    assert info.value.message_fr == f"La requête GET {url} a expiré (après plusieurs tentatives)."
    assert "réessayez plus tard" in info.value.hint_fr and "délai d'attente" in info.value.hint_fr

    late = DeadlineTransport(_transport(), 0.25)
    time.sleep(0.3)
    with pytest.raises(NetworkError) as info:
        late.send(HttpRequest("POST", url))
    assert info.value.message == f"POST {url}: no answer within the deadline (0.25 s)."
    assert info.value.message_fr == f"POST {url} : pas de réponse dans le délai imparti (0,25 s)."
    assert "--deadline" in info.value.hint_fr


def test_a_missing_ca_bundle_and_an_open_credentials_file_in_french(tmp_path):
    with pytest.raises(InputError) as info:
        RequestsTransport(ca_bundle=str(tmp_path / "ca.pem"))
    assert info.value.message == f"The CA bundle {tmp_path / 'ca.pem'} does not exist or is not a file."
    assert info.value.message_fr.startswith(f"Le bundle d'autorités de certification {tmp_path / 'ca.pem'} est ")
    assert "(--ca-bundle)" in info.value.hint_fr

    creds = tmp_path / "credentials.toml"
    creds.write_text(f'[datagouv]\napi_key = "{KEY}"\n', encoding="utf-8")
    creds.chmod(0o644)
    with pytest.raises(InputError) as info:
        Credentials.from_file(creds, "datagouv")
    assert info.value.message == f"The credentials file {creds} can be read by other users."
    assert info.value.message_fr == f"Le fichier d'identifiants {creds} est lisible par d'autres utilisateurs."
    assert info.value.hint_fr == f"Lancez : chmod 600 {creds}"
    creds.chmod(0o600)
    with pytest.raises(InputError) as info:
        Credentials.from_file(creds, "csw")
    assert info.value.message_fr == f"Le fichier d'identifiants {creds} n'a pas de section [csw]."
    assert info.value.hint_fr == "Ajoutez [csw] avec username/password ou api_key."


def test_udata_refusing_the_key_names_the_organization_in_french_without_the_key(httpserver):
    httpserver.expect_request("/api/1/organizations/ville-mtp/").respond_with_json(
        {"message": f"Invalid API token {KEY}"}, status=401
    )
    client = DatagouvClient(httpserver.url_for("/"), Credentials(api_key=KEY), _transport())
    with pytest.raises(AuthError) as info:
        client.organization("ville-mtp")
    exc, host = info.value, httpserver.url_for("/").split("://", 1)[1].rstrip("/")
    assert exc.status == 401
    assert exc.message == f"{host} refused to find organization 'ville-mtp' (HTTP 401: Invalid API token ***)."
    assert exc.message_fr == (
        f"{host} a refusé de trouver l'organisation 'ville-mtp' (HTTP 401 : Invalid API token ***)."
    )
    assert "La clé d'API est absente, erronée, révoquée ou expirée" in exc.hint_fr
    assert "ODL_DATAGOUV_API_KEY" in exc.hint_fr and "fichier d'identifiants" in exc.hint_fr
    assert KEY not in exc.message_fr + exc.hint_fr


def test_udata_refusing_a_write_elides_de_and_names_the_resource_and_dataset(httpserver):
    httpserver.expect_request("/api/1/datasets/abc/resources/", method="POST").respond_with_json(
        {"message": "Permission denied"}, status=403
    )
    client = DatagouvClient(httpserver.url_for("/"), Credentials(api_key=KEY), _transport())
    with pytest.raises(AuthError) as info:
        client.create_remote_resource("abc", {"title": "Flux WMS"}, "Fontaines")
    assert "refused to add resource 'Flux WMS' to dataset 'Fontaines' (HTTP 403: Permission denied)" in (
        info.value.message
    )
    assert "a refusé d'ajouter la ressource 'Flux WMS' au jeu de données 'Fontaines' (HTTP 403 : Permission " in (
        info.value.message_fr
    )
    assert "membre (éditeur ou administrateur)" in info.value.hint_fr

    anonymous = DatagouvClient(httpserver.url_for("/"), None, _transport())
    with pytest.raises(AuthError) as info:
        anonymous.create_dataset({"title": "Fontaines"}, "Fontaines")
    assert info.value.message == "No data.gouv.fr API key to create dataset 'Fontaines'."
    assert info.value.message_fr == "Aucune clé d'API data.gouv.fr pour créer le jeu de données 'Fontaines'."
    assert info.value.hint_fr.startswith("Définissez ODL_DATAGOUV_API_KEY, ou api_key dans la section [datagouv]")


def test_a_csw_login_page_and_a_refused_user_in_french(httpserver):
    httpserver.expect_request("/csw").respond_with_data("<html><body>Connexion", content_type="text/html")
    client = CswClient(httpserver.url_for("/csw"), None, _transport())
    server = client.server
    with pytest.raises(RemoteError) as info:
        client.supports_transactions()
    assert info.value.message.startswith(f"CSW {server} GetCapabilities: the answer is not XML (text/html")
    assert info.value.message_fr.startswith(f"CSW {server}, GetCapabilities : la réponse n'est pas du XML (text/html")
    assert "page de connexion ou de portail" in info.value.hint_fr

    httpserver.clear()
    httpserver.expect_request("/csw").respond_with_data("Unauthorized", status=401)
    with pytest.raises(AuthError) as info:
        CswClient(httpserver.url_for("/csw"), Credentials("editor", SECRET), _transport()).get_record("fiche-1")
    assert info.value.message == f"CSW {server} refused the credentials (401) for GetRecordById 'fiche-1'."
    assert info.value.message_fr == f"CSW {server} a refusé les identifiants (401) pour GetRecordById 'fiche-1'."
    assert info.value.hint_fr.startswith("Vérifiez ODL_CSW_USER / ODL_CSW_PASSWORD (ou la section [csw] du fichier")


def test_a_csw_record_missing_or_not_iso_19139_in_french(tmp_path):
    with pytest.raises(InputError) as info:
        load_record(tmp_path)
    assert info.value.message == f"{tmp_path} has no metadata.xml."
    assert info.value.message_fr == f"{tmp_path} ne contient pas de metadata.xml."
    assert info.value.hint_fr.startswith(f"Écrivez-le d'abord : odl-geo metadata {tmp_path} ")

    (tmp_path / "metadata.xml").write_text("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>")
    with pytest.raises(InputError) as info:
        load_record(tmp_path)
    path = tmp_path / "metadata.xml"
    assert info.value.message.startswith(f"{path} is not an ISO 19139 record (root element RDF")
    assert info.value.message_fr == (
        f"{path} n'est pas une fiche ISO 19139 (élément racine RDF, gmd:MD_Metadata attendu)."
    )
    assert info.value.hint_fr == "Indiquez le metadata.xml écrit par `odl-geo metadata`."
