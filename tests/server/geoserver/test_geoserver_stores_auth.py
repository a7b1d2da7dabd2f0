"""PostGIS stores by connection parameters, permissions (403) and the credentials file of the CLI."""

from __future__ import annotations

import json
import logging
import stat

import pytest

from odl_geo.cli.main import main
from odl_geo.errors import AuthError, RemoteError
from odl_geo.publishers.geoserver import (
    DataStore,
    Outcome,
    PublishOptions,
    ensure_postgis_store,
    plan_publication,
    publish_plan,
)

pytestmark = pytest.mark.server

PG_SECRET = "pg-S3cret-never-shown"


def test_postgis_store_create_or_update_and_password_never_shown(geoserver, caplog):
    ws = geoserver.workspace("pg")
    client = geoserver.client()
    caplog.set_level(logging.DEBUG)
    store = DataStore.postgis("referentiel", "db.example.fr", 5432, "sig", "lecteur", PG_SECRET, schema="risques")
    assert PG_SECRET not in repr(store)
    assert ensure_postgis_store(client, ws, store) == Outcome.CREATED
    assert ensure_postgis_store(client, ws, store) == Outcome.UNCHANGED
    moved = DataStore.postgis("referentiel", "db2.example.fr", 5432, "sig", "lecteur", PG_SECRET, schema="risques")
    assert ensure_postgis_store(client, ws, moved) == Outcome.UPDATED
    got = client.get_datastore(ws, "referentiel")
    assert got.type == "PostGIS" and got.connection["host"] == "db2.example.fr"
    assert got.connection["schema"] == "risques" and got.connection["dbtype"] == "postgis"
    assert PG_SECRET not in caplog.text
    if geoserver.is_double:
        geoserver.faults({"method": "PUT", "path": r"/datastores/referentiel$", "action": "status", "status": 500,
                          "body": "Error connecting"})  # fmt: skip
        with pytest.raises(RemoteError, match=r"^datastore 'referentiel' update failed: 500 Error connecting") as info:
            ensure_postgis_store(client, ws, store)
        assert PG_SECRET not in json.dumps(info.value.to_dict()) + caplog.text


def test_authenticated_without_admin_role_gives_403_auth_error(geoserver, outputs):
    if geoserver.reader is None:
        pytest.skip("set ODL_GEOSERVER_READER_USER / ODL_GEOSERVER_READER_PASSWORD (a non-admin account) for this test")
    ws = geoserver.workspace("reader")
    with pytest.raises(AuthError) as info:
        publish_plan(plan_publication(outputs["water"], ws, PublishOptions()), geoserver.client(geoserver.reader))
    assert info.value.status == 403 and "permission" in info.value.hint
    assert geoserver.reader.password not in str(info.value)


def test_cli_reads_a_credentials_file_and_refuses_a_readable_one(geoserver, outputs, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("ODL_GEOSERVER_USER", raising=False)
    monkeypatch.delenv("ODL_GEOSERVER_PASSWORD", raising=False)
    ws = geoserver.workspace("credfile")
    f = tmp_path / "odl.toml"
    f.write_text(f'[geoserver]\nusername = "{geoserver.credentials.username}"\n'
                 f'password = "{geoserver.credentials.password}"\n')  # fmt: skip
    f.chmod(0o644)
    args = ["publish", "geoserver", str(outputs["water"]), "--url", geoserver.url, "--workspace", ws,
            "--credentials", str(f), "--no-verify"]  # fmt: skip
    assert main(args) == 2
    assert "chmod 600" in capsys.readouterr().err
    f.chmod(stat.S_IRUSR | stat.S_IWUSR)
    assert main(args) == 0
    out = capsys.readouterr()
    assert geoserver.credentials.password not in out.out + out.err
    assert "created   datastore   VilleMTP_MTP_Fontaines" in out.out
    assert main(["publish", "geoserver", str(outputs["water"]), "--url", geoserver.url, "--workspace", ws]) == 2
    assert "No GeoServer credentials" in capsys.readouterr().err
