"""PostGIS tables published on GeoServer: ``odl-geo publish postgis`` loads them into the real PostGIS cluster
(``tests/server/conftest.py``), ``odl-geo publish geoserver --postgis-dsn`` publishes them as one PostGIS store
with feature types, layers and styles, verified through WMS/WFS. The double hands the store's connection to its
QGIS Server (QGIS's ``postgres`` provider): the maps and features come from the database itself."""

from __future__ import annotations

import json
import secrets

import pytest

from odl_geo.cli.main import main
from odl_geo.errors import InputError
from odl_geo.publishers.geoserver import Outcome, PublishOptions, PublishRecord, publish_plan, verify_publication
from odl_geo.publishers.geoserver.plan_postgis import plan_postgis_publication
from odl_geo.publishers.postgis import PostgisTarget, publish_postgis

from .test_geoserver_publish import TEST_SLD

# the double reaches the cluster on 127.0.0.1; a real GeoServer elsewhere would not
pytestmark = [pytest.mark.server, pytest.mark.double_only]

COUNTS = {"villemtp_mtp_fontaines": 48, "n_zone_reg_pprn_20200002_s_038": 584,
          "n_perimetre_pprn_20200002_s_038": 1, "n_zone_alea_pprn_20200002_s_038": 646}  # fmt: skip


@pytest.fixture
def pg_schema(pg_cluster, outputs):
    """A fresh schema holding the water and flood outputs, loaded by odl-geo publish postgis."""
    schema = "gs_" + secrets.token_hex(4)
    for theme in ("water", "flood"):
        publish_postgis(outputs[theme], PostgisTarget(pg_cluster.dsn(), schema=schema))
    yield schema
    with pg_cluster.admin() as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture
def env(geoserver, pg_cluster, monkeypatch):
    monkeypatch.setenv("ODL_GEOSERVER_USER", geoserver.credentials.username)
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", geoserver.credentials.password)
    monkeypatch.setenv("ODL_POSTGIS_PASSWORD", pg_cluster.password)
    return f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/gis"  # no password in the DSN


def test_cli_publishes_postgis_tables_as_layers_verified_by_wms_wfs(geoserver, pg_cluster, pg_schema, env, capsys):
    ws = geoserver.workspace("pg")
    args = ["publish", "geoserver", "--postgis-dsn", env, "--postgis-schema", pg_schema, "--url", geoserver.url,
            "--workspace", ws, "--style", str(TEST_SLD), "--json"]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr()
    assert pg_cluster.password not in out.out + out.err
    result = json.loads(out.out)
    store = f"gis_{pg_schema}"
    kinds = {(r["kind"], r["name"]): r["outcome"] for r in result["resources"]}
    assert kinds[("datastore", store)] == "created"
    assert {n for (k, n), o in kinds.items() if k == "featuretype" and o == "created"} == set(COUNTS)
    assert {c["layer"]: c["feature_count"] for c in result["checks"]} == COUNTS
    assert all(c["ok"] for c in result["checks"]), [c["problem"] for c in result["checks"]]

    client = geoserver.client()
    ds = client.get_datastore(ws, store)
    assert ds.type == "PostGIS" and ds.owned and ds.record is not None
    assert ds.connection["schema"] == pg_schema and ds.connection["database"] == "gis"
    assert pg_cluster.password not in json.dumps(ds.connection)  # GeoServer answers it encrypted
    ft = client.get_featuretype(ws, store, "villemtp_mtp_fontaines")
    assert ft.native_name == "villemtp_mtp_fontaines" and ft.srs == "EPSG:2154"
    assert ft.title == "VilleMTP_MTP_Fontaines.csv"  # from odl-geo's table comment (the manifest's title)
    for table in COUNTS:
        assert client.get_layer(ws, table).default_style == f"{ws}:polygon"

    # re-publishing the unchanged tables: GETs only, at most 2 per layer
    geoserver.clear_log()
    assert main(args) == 0
    again = json.loads(capsys.readouterr().out)
    assert {r["outcome"] for r in again["resources"]} == {"unchanged"}
    assert again["requests"] <= 2 * len(COUNTS) and again["bytes_sent"] == 0
    assert {e["method"] for e in geoserver.log() if "/rest/" in e["path"]} == {"GET"}


def test_reloaded_tables_reset_the_store_and_outdir_selects_its_tables(geoserver, pg_cluster, pg_schema, outputs):
    ws = geoserver.workspace("pgreload")
    target = PostgisTarget(f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/gis", schema=pg_schema,
                           password=pg_cluster.password)  # fmt: skip
    plan = plan_postgis_publication(target, ws, PublishOptions(), outdir=outputs["water"])
    assert [lyr.name for lyr in plan.layers] == ["villemtp_mtp_fontaines"]
    client = geoserver.client()
    publish_plan(plan, client)
    with pg_cluster.admin() as conn:  # the table is reloaded with fewer rows (as a new publish postgis would)
        conn.execute(f"DELETE FROM {pg_schema}.villemtp_mtp_fontaines WHERE fid > 40")
        conn.execute(f"COMMENT ON TABLE {pg_schema}.villemtp_mtp_fontaines IS 'Bornes\nodl-geo:fingerprint={'0' * 64}'")
    plan2 = plan_postgis_publication(target, ws, PublishOptions(), outdir=None, tables=["villemtp_mtp_fontaines"])
    assert plan2.stores[0].sha256 != plan.stores[0].sha256
    geoserver.clear_log()
    result = publish_plan(plan2, client)
    assert result.of("datastore") == {f"gis_{pg_schema}": Outcome.UPDATED}
    geoserver.expect("PUT", rf"/datastores/gis_{pg_schema}/reset$", count=1)
    (check,) = verify_publication(plan2, geoserver.url, geoserver.credentials)
    assert check.ok and check.feature_count == 40, check.problem
    assert client.get_featuretype(ws, f"gis_{pg_schema}", "villemtp_mtp_fontaines").title == "Bornes"
    (store,) = plan2.stores
    assert client.get_datastore(ws, store.name).record == PublishRecord(store.sha256, store.fingerprint)


def test_unknown_table_and_empty_schema_are_refused_before_any_request(geoserver, pg_cluster, pg_schema):
    target = PostgisTarget(f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/gis", schema=pg_schema,
                           password=pg_cluster.password)  # fmt: skip
    with pytest.raises(InputError, match=r"No table with a geometry column named 'nope'"):
        plan_postgis_publication(target, "w", tables=["nope"])
    empty = PostgisTarget(target.dsn, schema="public", password=pg_cluster.password)
    with pytest.raises(InputError, match=r"No table published by odl-geo .* schema 'public'") as info:
        plan_postgis_publication(empty, "w")
    assert "odl-geo publish postgis" in info.value.hint
    assert geoserver.log() == []
