"""The dialog on layers that have no file: a PostGIS table as the source, PostGIS as the target, and cancel.

A real PostgreSQL + PostGIS cluster (tests/conftest.py). QGIS writes such a layer to a GeoPackage for the worker;
that export runs as a QGIS task, so choosing a 200 000-feature table does not freeze the dialog.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import TYPE_CHECKING

import pytest
from qgis.core import Qgis, QgsApplication, QgsDataSourceUri, QgsProject, QgsVectorLayer
from qgis_support import auth_config, heartbeat, open_dialog, publish, row, set_constant, wait, wait_idle

if TYPE_CHECKING:
    from qgis_plugin.gui.dlg_publish import DlgPublish

FONTAINES = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.geojson"
BIG = 200_000


@pytest.fixture(scope="module")
def pg_source(pg_cluster, shared_data, tmp_path_factory):
    """Montpellier's 48 fountains in PostGIS (as ogr2ogr loads them), and a 200 000-row table derived from them."""
    src = tmp_path_factory.mktemp("pg_source") / "fontaines.geojson"
    shutil.copy(shared_data / FONTAINES, src)
    pg = f"PG:host={pg_cluster.socket_dir} port={pg_cluster.port} user=postgres dbname=gis"
    with pg_cluster.admin() as conn:
        conn.execute("CREATE SCHEMA sig")
    loaded = subprocess.run(
        ["ogr2ogr", "-f", "PostgreSQL", pg, str(src), "-nln", "fontaines", "-lco", "SCHEMA=sig",
         "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=id", "-lco", "LAUNDER=NO"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    with pg_cluster.admin() as conn:
        conn.execute(
            """CREATE TABLE sig.fontaines_metropole AS SELECT row_number() OVER () AS id,
                   f."Dossier" || '-' || g AS "Dossier", f."Nom",
                   ST_Translate(f.geom, (g %% 500) * 0.0004, (g / 500) * 0.0004) AS geom
               FROM sig.fontaines f, generate_series(1, %s) g""",
            (BIG // 48 + 1,),
        )
        conn.execute("DELETE FROM sig.fontaines_metropole WHERE id > %s", (BIG,))
        conn.execute("ALTER TABLE sig.fontaines_metropole ADD PRIMARY KEY (id)")
        conn.execute("CREATE SCHEMA opendata")
    return pg_cluster


@pytest.fixture
def logged():
    """What the plugin writes to its own tab of QGIS's log panel: (message, level)."""
    seen: list[tuple[str, Qgis.MessageLevel]] = []

    def keep(message: str, tag: str, level: Qgis.MessageLevel) -> None:
        if tag == "odl-geo":
            seen.append((message, level))

    QgsApplication.messageLog().messageReceived.connect(keep)
    yield seen
    QgsApplication.messageLog().messageReceived.disconnect(keep)


def _pg_layer(cluster, authcfg: str, table: str, name: str) -> QgsVectorLayer:
    uri = QgsDataSourceUri()
    uri.setConnection("127.0.0.1", str(cluster.port), "gis", "", "", QgsDataSourceUri.SslDisable, authcfg)
    uri.setDataSource("sig", table, "geom", "", "id")
    layer = QgsVectorLayer(uri.uri(False), name, "postgres")
    assert layer.isValid(), uri.uri(False)
    QgsProject.instance().addMapLayer(layer)
    return layer


def _tables(cluster) -> dict[str, int]:
    with cluster.admin() as conn:
        names = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'opendata'")]
        return {n: conn.execute(f'SELECT count(*) FROM opendata."{n}"').fetchone()[0] for n in names}


def _choose(dlg: DlgPublish, layer: QgsVectorLayer) -> None:
    dlg.layer.setLayer(layer)
    wait_idle(dlg)
    assert not dlg.mapping.error, dlg.mapping.error
    set_constant(dlg, "type_point", "borne_fontaine")
    dlg.run_check()
    wait_idle(dlg)
    assert dlg.checked_ok, (dlg.status.text(), [i["code"] for i in dlg.model.issues if i["severity"] == "error"])


def test_a_postgis_table_published_to_postgis_then_a_cancelled_publication_changes_nothing(
    plugin, qgis_processing, project, french, pg_source, logged, answer_yes, tmp_path
):
    pg_auth = auth_config("pg-sig", "postgres", pg_source.password)
    small = _pg_layer(pg_source, pg_auth, "fontaines", "Fontaines (PostGIS)")
    big = _pg_layer(pg_source, pg_auth, "fontaines_metropole", "Fontaines de la métropole")
    dlg = open_dialog("water", tmp_path)
    _choose(dlg, small)
    fields = dlg.mapping.fields
    assert fields.rows[row(fields, "id_local")]["source"] == "id"  # the table's key, read from the export QGIS made
    t = dlg.targets
    t.pg.setChecked(True)
    t.pg_dsn.setText(f"postgresql://127.0.0.1:{pg_source.port}/gis")
    t.pg_schema.setText("opendata")
    t.pg_auth.setConfigId(auth_config("pg-wrong", "postgres", "not-the-password"))
    publish(dlg)  # a wrong password: said in French, what kind of failure first, no secret
    wait_idle(dlg)
    status = dlg.status.text()
    assert status.startswith("Échec : Le serveur a refusé les identifiants : "), status
    assert "not-the-password" not in status and "→" in status, status
    assert any(m.startswith("Échec") and lvl == Qgis.Critical for m, lvl in logged), logged
    assert _tables(pg_source) == {}
    t.pg_auth.setConfigId(pg_auth)
    publish(dlg)
    wait_idle(dlg)
    status = dlg.status.text()
    assert status.startswith("Publié : Fontaines (PostGIS).") and "PostGIS : 1 table publiée." in status, status
    assert list(_tables(pg_source).values()) == [48]
    assert (tmp_path / "out" / "publication" / "Fontaines_PostGIS_water.gpkg").is_file()  # the layer's name
    assert any("PostGIS : 1 table publiée." in m and lvl == Qgis.Success for m, lvl in logged), logged
    assert pg_source.password not in " ".join(m for m, _ in logged)
    before = _tables(pg_source)

    # 200 000 features: QGIS's export runs as a task, the dialog keeps answering
    with heartbeat() as gaps:
        dlg.layer.setLayer(big)
        wait_idle(dlg)
    assert not dlg.mapping.error and dlg.mapping.fields.rows, dlg.mapping.status.text()
    print(f"heartbeat: {len(gaps)} ticks, longest gap {max(gaps[1:])} ms")  # shown with pytest -s
    assert len(gaps) > 20 and max(gaps[1:]) < 100, (len(gaps), max(gaps[1:]))
    _choose(dlg, big)

    publish(dlg)  # cancelled while the table is loaded: the database keeps its previous state
    wait(lambda: dlg._step == "Publier dans PostGIS" and dlg.progress.value() > 0, 300)
    dlg.cancel()
    wait_idle(dlg)
    assert dlg.status.text().startswith("Annulé : Publier dans PostGIS."), dlg.status.text()
    assert _tables(pg_source) == before  # no new table, no staging table left
    # the conversion before the cancel went through: the folder holds that layer's files only, named after it
    published = sorted(f.name for f in (tmp_path / "out" / "publication").iterdir())
    assert "Fontaines_de_la_metropole_water.gpkg" in published, published
    assert not [n for n in published if n.startswith("Fontaines_PostGIS")], published
    assert any(m.startswith("Annulé") and lvl == Qgis.Warning for m, lvl in logged), logged
    dlg.close()
