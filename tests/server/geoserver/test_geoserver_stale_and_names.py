"""A GeoPackage replaced in place is served stale until its store is reset (contract §6 step 2): the double
emulates it, odl-geo resets the store after each replacement. And two tables never share one layer name."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
import requests

from odl_geo.publishers.geoserver import (
    Outcome,
    PublishOptions,
    plan_publication,
    publish_plan,
    unique_names,
    verify_publication,
)

pytestmark = pytest.mark.server


def _drop_last_feature(gpkg):
    con = sqlite3.connect(gpkg)
    table = con.execute("SELECT table_name FROM gpkg_contents").fetchone()[0]
    con.execute(f'DELETE FROM "{table}" WHERE fid = (SELECT max(fid) FROM "{table}")')
    con.commit()
    con.close()


def _wfs_count(geoserver, ws, layer):
    r = requests.get(f"{geoserver.url}/{ws}/wfs", params={"service": "WFS", "version": "1.1.0", "request": "GetFeature",
                     "typeName": f"{ws}:{layer}", "outputFormat": "application/json"}, timeout=30)  # fmt: skip
    return len(r.json()["features"])


@pytest.mark.double_only
def test_the_double_serves_a_replaced_geopackage_stale_until_the_store_is_reset(geoserver, outputs, tmp_path):
    gpkg = tmp_path / "trails.gpkg"
    shutil.copy2(next(outputs["hiking"].glob("*.gpkg")), gpkg)
    ws = geoserver.workspace("stale")
    plan = plan_publication(gpkg, ws, PublishOptions())
    publish_plan(plan, geoserver.client())
    layer = plan.layers[0].name
    assert _wfs_count(geoserver, ws, layer) == 8
    _drop_last_feature(gpkg)
    rest = requests.Session()
    rest.auth = (geoserver.credentials.username, geoserver.credentials.password)
    store = f"{geoserver.url}/rest/workspaces/{ws}/datastores/trails"
    r = rest.put(f"{store}/file.gpkg", params={"configure": "none", "filename": "trails.gpkg"},
                 data=gpkg.read_bytes(), headers={"Content-Type": "application/geopackage+sqlite3"})  # fmt: skip
    assert r.status_code == 201
    assert _wfs_count(geoserver, ws, layer) == 8  # GeoServer's open connection still reads the old file
    assert geoserver.state()["stores"][f"{ws}:trails"]["stale"] is True
    assert rest.put(f"{store}/reset").status_code == 200
    assert _wfs_count(geoserver, ws, layer) == 7
    assert rest.put(f"{geoserver.url}/rest/workspaces/{ws}/datastores/nope/reset").status_code == 404


def test_republishing_a_changed_geopackage_resets_its_store(geoserver, outputs, tmp_path):
    gpkg = tmp_path / "trails.gpkg"
    shutil.copy2(next(outputs["hiking"].glob("*.gpkg")), gpkg)
    ws = geoserver.workspace("replaced")
    client = geoserver.client()
    first = publish_plan(plan_publication(gpkg, ws, PublishOptions()), client)
    assert first.of("datastore") == {"trails": Outcome.CREATED}
    (check,) = verify_publication(plan_publication(gpkg, ws, PublishOptions()), geoserver.url, geoserver.credentials)
    assert check.feature_count == 8  # the store's connection is open: the next file would be served stale
    _drop_last_feature(gpkg)
    plan = plan_publication(gpkg, ws, PublishOptions())
    if geoserver.is_double:
        geoserver.clear_log()
    changed = publish_plan(plan, client)
    assert changed.of("datastore") == {"trails": Outcome.UPDATED}
    (check,) = verify_publication(plan, geoserver.url, geoserver.credentials)
    assert check.ok and check.feature_count == 7, check.problem
    if geoserver.is_double:
        geoserver.expect("PUT", r"/datastores/trails/reset$", count=1)
        log = [(e["method"], e["path"].rsplit("/", 1)[-1]) for e in geoserver.log() if e["method"] != "GET"]
        assert log[:2] == [("PUT", "file.gpkg"), ("PUT", "reset")]
        assert not geoserver.state()["stores"][f"{ws}:trails"]["stale"]


def test_unique_names_are_deterministic_and_fit_63_characters():
    long = "a" * 70
    assert unique_names(["x", "x", "x_2", "y"]) == ["x", "x_3", "x_2", "y"]
    names = unique_names([long[:63], long[:63]])
    assert names == ["a" * 63, "a" * 61 + "_2"] and all(len(n) <= 63 for n in names)


def test_tables_whose_safe_names_collide_are_published_as_two_layers(geoserver, tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    gpkg = tmp_path / "eau.gpkg"
    long = "Réseau d'eau potable — bornes fontaines et puits du territoire intercommunal"  # > 63 once made safe
    tables = {"Points d'eau": 1, "Points_d_eau": 2, long + " (2023)": 3, long + " (2024)": 4}
    for table, n in tables.items():
        gdf = gpd.GeoDataFrame({"n": list(range(n))}, geometry=[Point(3.8 + i / 100, 43.6) for i in range(n)],
                               crs="EPSG:4326").to_crs(2154)  # fmt: skip
        gdf.to_file(gpkg, layer=table, driver="GPKG", append=gpkg.exists())
    ws = geoserver.workspace("collide")
    plan = plan_publication(gpkg, ws, PublishOptions())
    names = {lyr.feature_type.native_name: lyr.name for lyr in plan.layers}
    assert len(set(names.values())) == 4  # decided at planning, before any request
    assert names["Points d'eau"] == "Points_d_eau" and names["Points_d_eau"] == "Points_d_eau_2"
    stem = names[long + " (2023)"]
    assert len(stem) == 63 and names[long + " (2024)"] == stem[:61] + "_2"
    assert plan_publication(gpkg, ws, PublishOptions()) == plan  # the same names on every run
    publish_plan(plan, geoserver.client())
    checks = verify_publication(plan, geoserver.url, geoserver.credentials)
    assert {c.layer: c.feature_count for c in checks} == {names[t]: n for t, n in tables.items()}
    assert all(c.ok for c in checks), [c.problem for c in checks]
