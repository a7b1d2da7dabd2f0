"""The errors of the GeoServer and PostGIS publishers carry their French (``message_fr``/``hint_fr``), naming the
same resource as the English, which stays as it was; and no secret reaches either language.

GeoServer's answers come from a scripted transport (no server); PostgreSQL's connection error from a closed port.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from odl_geo.credentials import Credentials
from odl_geo.errors import AuthError, InputError, NetworkError, RemoteError, SourceNotFoundError
from odl_geo.http import HttpRequest, HttpResponse
from odl_geo.numbers import NARROW_NBSP
from odl_geo.publishers.geoserver.client import GeoServerClient
from odl_geo.publishers.geoserver.models import FeatureType
from odl_geo.publishers.geoserver.plan import LayerSpec, PublishPlan, StoreSpec, plan_publication
from odl_geo.publishers.geoserver.publish import publish_plan
from odl_geo.publishers.geoserver.verify import LayerCheck, raise_if_failed

if TYPE_CHECKING:
    from pathlib import Path

URL = "http://geoserver.test/geoserver"
SECRET = "Pa55-w0rd-XYZ"


class Scripted:
    """A transport answering each request by the first rule whose (method, URL end) matches; 404 otherwise."""

    def __init__(self, rules: list[tuple[str, str, int, str, bytes]]) -> None:
        self.rules = rules
        self.sent: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.sent.append(request)
        for method, end, status, ctype, body in self.rules:
            if request.method == method and request.url.endswith(end):
                return HttpResponse(status, {"Content-Type": ctype}, body, request.url)
        return HttpResponse(404, {}, b"", request.url)


def client(*rules: tuple[str, str, int, str, bytes]) -> GeoServerClient:
    return GeoServerClient(URL, Credentials("admin", SECRET), Scripted(list(rules)))


def test_a_refused_login_on_workspace_creation_is_said_in_french() -> None:
    gs = client(("POST", "/rest/workspaces", 401, "text/plain", b"HTTP 401 Unauthorized"))
    from odl_geo.publishers.geoserver.models import Workspace

    with pytest.raises(AuthError) as info:
        gs.create_workspace(Workspace("odl"))
    err = info.value
    assert err.status == 401
    assert err.message == "GeoServer refused the credentials (401) for workspace 'odl' creation."
    assert err.message_fr == "GeoServer a refusé les identifiants (401) pour la création de l'espace de travail 'odl'."
    assert "ODL_GEOSERVER_PASSWORD" in err.hint_fr and err.hint_fr.startswith("Vérifiez ")
    assert SECRET not in err.message_fr + err.hint_fr


def test_a_server_error_on_upload_quotes_geoserver_without_the_password() -> None:
    echoed = f"java.lang.RuntimeException: cannot write, user admin password {SECRET}".encode()
    gs = client(("PUT", "/file.gpkg", 500, "text/plain", echoed))
    with pytest.raises(RemoteError) as info:
        gs.upload_geopackage("odl", "communes", b"GPKG", filename="communes.gpkg")
    err = info.value
    assert err.message.startswith("datastore 'communes' upload failed: 500 java.lang.RuntimeException")
    assert err.message_fr.startswith("Échec de l'envoi du fichier de l'entrepôt 'communes' : 500 java.lang.Runtime")
    assert err.hint_fr == (
        "GeoServer a échoué (voir son journal). Relancez : la publication reprend là où elle s'est arrêtée."
    )
    assert SECRET not in err.message and SECRET not in err.message_fr


def test_a_login_page_instead_of_json_counts_its_bytes_the_french_way() -> None:
    page = b"<html>" + b"x" * 1200 + b"</html>"  # 1 213 bytes
    gs = client(("GET", "/workspaces/odl.json", 200, "text/html", page))
    with pytest.raises(RemoteError) as info:
        gs.get_workspace("odl")
    err = info.value
    assert err.message.endswith("did not answer JSON (text/html, 1213 bytes).")
    assert err.message_fr == (
        f"Échec de la lecture de l'espace de travail 'odl' : le serveur {URL} n'a pas répondu en JSON "
        f"(text/html, 1{NARROW_NBSP}213 octets)."
    )
    assert "page de connexion" in err.hint_fr


def test_a_layer_name_held_by_another_store_is_refused_in_french() -> None:
    held = (
        b'{"layer": {"name": "routes", "resource": {"@class": "featureType", '
        b'"href": "http://x/rest/workspaces/odl/datastores/ancien/featuretypes/routes.json"}}}'
    )
    gs = client(("GET", "/layers/odl:routes.json", 200, "application/json", held))
    layer = LayerSpec(FeatureType("routes", "ROUTES_2024"), 3)
    plan = PublishPlan("odl", (StoreSpec("nouveau", None, "0" * 64, 0, (layer,)),))
    with pytest.raises(InputError) as info:
        publish_plan(plan, gs)
    err = info.value
    assert err.message.startswith("Layer name already taken in workspace 'odl' by another store: 'routes' (table ")
    assert err.message_fr == (
        "Nom de couche déjà pris par un autre entrepôt dans l'espace de travail 'odl' : 'routes' (table "
        "'ROUTES_2024', détenu par l'entrepôt 'ancien'). GeoServer n'admet qu'une couche par nom dans un espace "
        "de travail ; rien n'a été modifié."
    )
    assert "--layer-name ROUTES_2024=NEW_NAME" in err.hint_fr and "fichier de tâche" in err.hint_fr
    assert [r.method for r in gs.transport.sent] == ["GET"]  # nothing written


def test_planning_names_the_missing_path_and_the_bad_workspace_in_french(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError) as missing:
        plan_publication(tmp_path / "sortie", "odl")
    assert missing.value.message == f"{tmp_path / 'sortie'} does not exist."
    assert missing.value.message_fr == f"{tmp_path / 'sortie'} est introuvable."
    assert "dossier de sortie" in missing.value.hint_fr
    with pytest.raises(InputError) as bad:
        plan_publication(tmp_path, "mon espace")
    assert bad.value.message == "The workspace name 'mon espace' is not a valid GeoServer name."
    assert bad.value.message_fr == "Le nom d'espace de travail 'mon espace' n'est pas un nom GeoServer valide."
    assert bad.value.hint_fr == bad.value.hint.replace("Use", "Utilisez")


def test_failed_ogc_checks_agree_with_their_count_in_french() -> None:
    one = [LayerCheck("routes", True, True, 3, 5, "WFS returned 3 features, expected 5",
                      "WFS a renvoyé 3 objets, 5 attendus")]  # fmt: skip
    with pytest.raises(RemoteError) as info:
        raise_if_failed(one, "odl")
    assert info.value.message == (
        "1 layer of workspace 'odl' failed the OGC check: routes: WFS returned 3 features, expected 5"
    )
    assert info.value.message_fr == (
        "1 couche de l'espace de travail 'odl' échoue à la vérification OGC : routes : WFS a renvoyé 3 objets, "
        "5 attendus"
    )
    two = [*one, LayerCheck("zones", False, False, None, 1, "not in WMS GetCapabilities")]  # no French: English kept
    with pytest.raises(RemoteError) as info:
        raise_if_failed(two, "odl")
    assert info.value.message_fr.startswith("2 couches de l'espace de travail 'odl' échouent à la vérification OGC")
    assert info.value.message_fr.endswith(" ; zones : not in WMS GetCapabilities")
    assert "ces couches" in info.value.hint_fr


def test_a_closed_postgresql_port_is_said_in_french_without_the_password() -> None:
    pytest.importorskip("psycopg")
    from odl_geo.publishers.postgis.connect import connect
    from odl_geo.publishers.postgis.models import PostgisTarget

    with pytest.raises(NetworkError) as info:
        connect(PostgisTarget(f"postgresql://sig:{SECRET}@127.0.0.1:9/carto", connect_timeout=3))
    err = info.value
    assert err.message == "Cannot connect to PostgreSQL at sig@127.0.0.1:9/carto."
    assert err.message_fr == "Impossible de se connecter à PostgreSQL sur sig@127.0.0.1:9/carto."
    assert "listen_addresses, pg_hba" in err.hint_fr and err.hint_fr.startswith("Vérifiez l'hôte et le port")
    assert SECRET not in err.message_fr + err.hint_fr + err.details

    with pytest.raises(InputError) as bad:
        connect(PostgisTarget(f"mysql://sig:{SECRET}@127.0.0.1/carto"))
    assert bad.value.message == "The DSN mysql://127.0.0.1/carto is not a PostgreSQL connection string."
    assert bad.value.message_fr == "Le DSN mysql://127.0.0.1/carto n'est pas une chaîne de connexion PostgreSQL."
    assert "ODL_POSTGIS_PASSWORD" in bad.value.hint_fr and SECRET not in bad.value.hint_fr


def test_postgresql_refusals_name_the_step_in_french() -> None:
    errors = pytest.importorskip("psycopg.errors")
    from odl_geo.publishers.postgis.connect import pg_error

    denied = pg_error(errors.InsufficientPrivilege(f"permission denied for schema carto {SECRET}"),
                      "creating the table carto.routes", (SECRET,),
                      step_fr="la création de la table carto.routes")  # fmt: skip
    assert isinstance(denied, AuthError)
    assert denied.message == (
        "Permission denied while creating the table carto.routes: permission denied for schema carto ***"
    )
    assert denied.message_fr == (
        "Permission refusée pendant la création de la table carto.routes : permission denied for schema carto ***"
    )
    assert denied.hint_fr.startswith("Accordez à cet utilisateur CREATE (et USAGE) sur le schéma")
    views = pg_error(errors.DependentObjectsStillExist("cannot drop table"), "replacing carto.routes",
                     step_fr="le remplacement de carto.routes")  # fmt: skip
    assert views.message == "Replacing carto.routes failed: other objects (views...) depend on the table."
    assert (
        views.message_fr == "Le remplacement de carto.routes a échoué : d'autres objets (vues…) dépendent de la table."
    )
    lost = pg_error(errors.OperationalError("server closed the connection"), "checking the tables")  # no step_fr
    assert lost.message_fr == "La connexion à PostgreSQL a été perdue pendant la vérification des tables."
