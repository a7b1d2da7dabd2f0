"""``odl-geo publish postgis`` against a real PostgreSQL 15 + PostGIS 3.3 cluster (see conftest.py)."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from odl_geo.cli.main import main
from odl_geo.errors import AuthError, CancelledError, InputError, NetworkError, RemoteError
from odl_geo.publishers.postgis import Outcome, PostgisTarget, publish_postgis

pytestmark = pytest.mark.server

EXPECTED = {  # theme -> {table: features}
    "hiking": {"exemple_valide": 8},
    "water": {"villemtp_mtp_fontaines": 48},
    "flood": {
        "n_zone_reg_pprn_20200002_s_038": 584,
        "n_perimetre_pprn_20200002_s_038": 1,
        "n_zone_alea_pprn_20200002_s_038": 646,
    },
}
GEOM_TYPES = {"hiking": "MULTILINESTRING", "water": "POINT", "flood": "MULTIPOLYGON"}


def _one(conn, query, *params):
    return conn.execute(query, params).fetchone()


@pytest.mark.parametrize("theme", ["hiking", "water", "flood"])
def test_publish_each_theme(pg_cluster, theme_outputs, fresh_schema, theme):
    result = publish_postgis(theme_outputs[theme], PostgisTarget(pg_cluster.dsn(), schema=fresh_schema))

    assert {r.table.split(".")[1]: r.feature_count for r in result.layers} == EXPECTED[theme]
    assert {r.outcome for r in result.layers} == {Outcome.CREATED}
    with pg_cluster.admin() as conn:
        for table, count in EXPECTED[theme].items():
            qual = f"{fresh_schema}.{table}"
            assert _one(conn, f"SELECT count(*) FROM {qual}")[0] == count
            srid, gtype = _one(
                conn,
                "SELECT srid, type FROM geometry_columns WHERE f_table_schema = %s AND f_table_name = %s",
                fresh_schema,
                table,
            )
            assert srid == 2154
            assert gtype.rstrip("Z") == GEOM_TYPES[theme]
            assert _one(conn, f"SELECT count(*) FROM {qual} WHERE ST_SRID(geom) <> 2154")[0] == 0
            assert _one(conn, f"SELECT count(*) FROM {qual} WHERE NOT ST_IsValid(geom)")[0] == 0
            # GiST index and primary key, under the final table's names (not the staging table's)
            indexes = dict(
                conn.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
                    (fresh_schema, table),
                ).fetchall()
            )
            assert "USING gist (geom)" in indexes[f"{table}_geom_idx"]
            assert "(fid)" in indexes[f"{table}_pkey"]
            assert (
                _one(conn, "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", qual)[0]
                == f"{table}_pkey"
            )
            assert _one(conn, f"SELECT min(fid), max(fid) FROM {qual}") == (1, count)
            # comments: title/source on the table (+ fingerprint line), source field on each column
            comment = _one(conn, "SELECT obj_description(%s::regclass, 'pg_class')", qual)[0]
            assert "Source: " in comment and "EPSG:2154" in comment
            assert re.search(r"odl-geo:fingerprint=[0-9a-f]{64}$", comment)
            col_comments = conn.execute(
                "SELECT a.attname, col_description(a.attrelid, a.attnum) FROM pg_attribute a "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
                (qual,),
            ).fetchall()
            assert all(text for _, text in col_comments), col_comments
        # nothing left behind by the staging step
        assert (
            _one(
                conn,
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename LIKE '%%_odl_%%'",
                fresh_schema,
            )[0]
            == 0
        )


def test_accents_and_attributes_survive(pg_cluster, theme_outputs, fresh_schema):
    publish_postgis(theme_outputs["hiking"], PostgisTarget(pg_cluster.dsn(), schema=fresh_schema))
    with pg_cluster.admin() as conn:
        names = [r[0] for r in conn.execute(f"SELECT nom_itineraire FROM {fresh_schema}.exemple_valide").fetchall()]
        # HTML entities were decoded by the conversion; accents arrive intact through COPY
        assert any("é" in n for n in names), names
        assert not any("&eacute;" in n for n in names)
        # laundered column names are plain lower-case identifiers
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = %s", (fresh_schema,)
            )
        ]
        assert all(re.fullmatch(r"[a-z_][a-z0-9_]*", c) for c in cols), cols


def test_publish_raw_source_and_table_option(pg_cluster, data_copy, fresh_schema):
    """A source file (not an output folder) is normalised and reprojected to 2154 on the fly."""
    src = data_copy("water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv")
    result = publish_postgis(src, PostgisTarget(pg_cluster.dsn(), schema=fresh_schema, table="Bornes Fontaines"))
    assert [(r.table, r.feature_count) for r in result.layers] == [(f"{fresh_schema}.bornes_fontaines", 48)]
    with pg_cluster.admin() as conn:
        x, y = _one(conn, f"SELECT avg(ST_X(geom)), avg(ST_Y(geom)) FROM {fresh_schema}.bornes_fontaines")
        assert 760_000 < x < 780_000 and 6_270_000 < y < 6_290_000  # Montpellier in Lambert-93


def test_republish_unchanged_is_skipped(pg_cluster, theme_outputs, fresh_schema):
    target = PostgisTarget(pg_cluster.dsn(), schema=fresh_schema)
    publish_postgis(theme_outputs["flood"], target)
    with pg_cluster.admin() as conn:
        oids = conn.execute(
            "SELECT relname, oid FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r'", (fresh_schema,)
        ).fetchall()
    again = publish_postgis(theme_outputs["flood"], target)
    assert {r.outcome for r in again.layers} == {Outcome.UNCHANGED}
    with pg_cluster.admin() as conn:
        assert (
            conn.execute(
                "SELECT relname, oid FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r'",
                (fresh_schema,),
            ).fetchall()
            == oids
        )


def test_changed_source_replaces_table(pg_cluster, theme_outputs, fresh_schema, tmp_path):
    """A changed source gives UPDATED, and the new rows replace the old ones (same table name, new content)."""
    target = PostgisTarget(pg_cluster.dsn(), schema=fresh_schema, table="itineraires")
    publish_postgis(theme_outputs["hiking"], target)
    changed = tmp_path / "changed"
    shutil.copytree(theme_outputs["hiking"], changed)
    manifest = json.loads((changed / "manifest.json").read_text())
    manifest["title"] = "Itinéraires du Parc national des Cévennes"
    (changed / "manifest.json").write_text(json.dumps(manifest))
    result = publish_postgis(changed, target)
    assert [r.outcome for r in result.layers] == [Outcome.UPDATED]
    with pg_cluster.admin() as conn:
        assert _one(conn, f"SELECT count(*) FROM {fresh_schema}.itineraires")[0] == 8
        comment = _one(conn, "SELECT obj_description(%s::regclass, 'pg_class')", f"{fresh_schema}.itineraires")[0]
        assert comment.startswith("Itinéraires du Parc national des Cévennes\n")


def test_table_comments_carry_the_manifest_title_and_abstract(pg_cluster, theme_outputs, fresh_schema, shared_data,
                                                             tmp_path):  # fmt: skip
    """The manifests odl-geo writes have a title and an abstract: a theme run's (profile title, report summary),
    a plain conversion's (its source). They become the table comment's first lines."""
    from odl_geo.theme import convert_theme

    out = tmp_path / "hiking"
    convert_theme(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", out, "hiking",
                  formats=("gpkg",))  # fmt: skip
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    publish_postgis(out, PostgisTarget(pg_cluster.dsn(), schema=fresh_schema))
    publish_postgis(theme_outputs["water"], PostgisTarget(pg_cluster.dsn(), schema=fresh_schema))
    with pg_cluster.admin() as conn:
        comments = dict(conn.execute(
            "SELECT c.relname, obj_description(c.oid, 'pg_class') FROM pg_class c "
            "WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r'", (fresh_schema,)).fetchall())  # fmt: skip
    (theme_table,) = [t for t in comments if t != "villemtp_mtp_fontaines"]
    lines = comments[theme_table].splitlines()
    assert lines[0] == "Itinéraires de randonnée" == manifest["title"]
    assert lines[1] == manifest["abstract"]
    assert lines[1].startswith("Itinéraires de randonnée : 8 objets, conformes au schéma PnX-SI/schema_randonnee")
    assert lines[2].startswith("Source: exemple-valide.json, layer ")
    assert comments["villemtp_mtp_fontaines"].splitlines()[0] == "VilleMTP_MTP_Fontaines.csv"


class _FailAfter:
    """A Feedback that, on its n-th progress call, checks what another session sees, then cancels."""

    def __init__(self, cluster, qual: str, after: int) -> None:
        self.cluster, self.qual, self.after, self.calls, self.seen = cluster, qual, after, 0, []
        self.cancel = False

    def progress(self, percent, text=""):
        self.calls += 1
        if self.calls >= self.after and not self.cancel:
            with self.cluster.admin() as other:  # a reader in another session, mid-load
                self.seen.append(other.execute(f"SELECT count(*) FROM {self.qual}").fetchone()[0])
            self.cancel = True

    def info(self, text):
        pass

    def warning(self, text):
        pass

    def is_cancelled(self):
        return self.cancel


def test_failure_mid_load_keeps_previous_table(pg_cluster, theme_outputs, fresh_schema, tmp_path):
    """Small batches, a reader in another session mid-load, then a cancel: the old table stays complete."""
    target = PostgisTarget(pg_cluster.dsn(), schema=fresh_schema, table="zones")
    single = tmp_path / "zones.gpkg"
    shutil.copy(theme_outputs["flood"] / "PPRn_BourgOisans.gpkg", single)
    # a one-layer source: the zones of the PPR (646 features), first published whole
    import pyogrio

    pyogrio.write_dataframe(
        pyogrio.read_dataframe(single, layer="N_ZONE_ALEA_PPRN_20200002_S_038"), tmp_path / "alea.gpkg"
    )
    publish_postgis(tmp_path / "alea.gpkg", target)
    # then a different source (the 584 regulatory zones) fails after a few 100-row batches
    pyogrio.write_dataframe(
        pyogrio.read_dataframe(single, layer="N_ZONE_REG_PPRN_20200002_S_038"), tmp_path / "reg.gpkg"
    )
    qual = f"{fresh_schema}.zones"
    feedback = _FailAfter(pg_cluster, qual, after=3)
    with pytest.raises(CancelledError, match="Publishing reg was cancelled"):
        publish_postgis(tmp_path / "reg.gpkg", target, feedback=feedback, batch_size=100)
    assert feedback.seen == [646]  # the reader saw the previous table, complete, while the new one loaded
    with pg_cluster.admin() as conn:
        assert _one(conn, f"SELECT count(*) FROM {qual}")[0] == 646
        assert (
            _one(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = %s", fresh_schema)[0] == 1
        )  # no staging left
    # and the next run completes
    result = publish_postgis(tmp_path / "reg.gpkg", target, batch_size=100)
    assert [(r.outcome, r.feature_count) for r in result.layers] == [(Outcome.UPDATED, 584)]


def test_sql_error_mid_load_rolls_back(pg_cluster, theme_outputs, fresh_schema, monkeypatch):
    """A failure inside COPY (simulated by a bad CSV chunk) leaves the previous tables as they were."""
    from odl_geo.publishers.postgis import load

    target = PostgisTarget(pg_cluster.dsn(), schema=fresh_schema)
    publish_postgis(theme_outputs["water"], target)
    tbl = f"{fresh_schema}.villemtp_mtp_fontaines"
    with pg_cluster.admin() as conn:
        conn.execute(f"COMMENT ON TABLE {tbl} IS 'changed by hand\nodl-geo:fingerprint={'0' * 64}'")
    real = load.batch_to_csv
    monkeypatch.setattr(load, "batch_to_csv", lambda b, p, o: real(b, p, o) + b"not,a,valid,row\n")
    with pytest.raises(RemoteError, match=r"PostgreSQL refused loading VilleMTP_MTP_Fontaines into"):
        publish_postgis(theme_outputs["water"], target)
    with pg_cluster.admin() as conn:
        assert _one(conn, f"SELECT count(*) FROM {tbl}")[0] == 48
        assert "changed by hand" in _one(conn, "SELECT obj_description(%s::regclass, 'pg_class')", tbl)[0]


def test_dry_run_writes_nothing(pg_cluster, theme_outputs, fresh_schema):
    result = publish_postgis(theme_outputs["flood"], PostgisTarget(pg_cluster.dsn(), schema=fresh_schema), dry_run=True)
    assert {r.outcome for r in result.layers} == {Outcome.CREATED}
    plan = result.to_dict()["plans"][0]
    assert plan["geometry_type"] == "MultiPolygon" and plan["columns"]
    with pg_cluster.admin() as conn:
        assert _one(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = %s", fresh_schema)[0] == 0


def test_table_not_created_by_odl_geo_is_left_alone(pg_cluster, theme_outputs, fresh_schema):
    with pg_cluster.admin() as conn:
        conn.execute(f"CREATE SCHEMA {fresh_schema}; CREATE TABLE {fresh_schema}.exemple_valide (x int)")
    with pytest.raises(InputError, match=r"exists and was not created by odl-geo; it is left untouched"):
        publish_postgis(theme_outputs["hiking"], PostgisTarget(pg_cluster.dsn(), schema=fresh_schema))


def test_table_option_refused_for_several_layers(pg_cluster, theme_outputs):
    with pytest.raises(InputError, match=r"--table x names one table, but 3 layers would be published"):
        publish_postgis(theme_outputs["flood"], PostgisTarget(pg_cluster.dsn(), table="x"))


# -- errors, each one clear -------------------------------------------------------------------------------
@pytest.mark.parametrize("dsn", ["postgresql://u@h:notaport/db", "http://example.org/db", "host=x port=5432 =bad"])
def test_bad_dsn(dsn, theme_outputs):
    with pytest.raises(InputError, match=r"not (a valid )?a? ?PostgreSQL connection string"):
        publish_postgis(theme_outputs["water"], PostgisTarget(dsn))


def test_auth_failure_never_shows_the_password(pg_cluster, theme_outputs):
    dsn = pg_cluster.dsn(password="wrong-secret-123")
    with pytest.raises(AuthError, match=r"PostgreSQL refused the login to postgres@127\.0\.0\.1:\d+/gis\.") as exc:
        publish_postgis(theme_outputs["water"], PostgisTarget(dsn))
    text = str(exc.value) + exc.value.details + repr(PostgisTarget(dsn))
    assert "wrong-secret-123" not in text


def test_unreachable_server(theme_outputs):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(NetworkError, match=rf"Cannot connect to PostgreSQL at postgres@127\.0\.0\.1:{port}/gis\."):
        publish_postgis(theme_outputs["water"], PostgisTarget(f"postgresql://postgres@127.0.0.1:{port}/gis"))


def test_no_postgis_extension(pg_cluster, theme_outputs):
    with pytest.raises(
        RemoteError, match=r"PostGIS is not installed in the database postgres@127\.0\.0\.1:\d+/nopostgis\."
    ) as exc:
        publish_postgis(theme_outputs["water"], PostgisTarget(pg_cluster.dsn("nopostgis")))
    assert exc.value.hint == "Ask its owner to run: CREATE EXTENSION postgis;"


def test_permission_denied(pg_cluster, theme_outputs):
    """PostgreSQL 15 gives no CREATE on schema public to ordinary users."""
    dsn = pg_cluster.dsn(user="reader", password="reader-pw")
    with pytest.raises(
        AuthError, match=r"Permission denied while creating the table public\.villemtp_mtp_fontaines_odl_[0-9a-f]{8}"
    ) as exc:
        publish_postgis(theme_outputs["water"], PostgisTarget(dsn))
    assert "reader-pw" not in str(exc.value) + exc.value.details


# -- command line -----------------------------------------------------------------------------------------
def test_cli_publish_then_unchanged(pg_cluster, theme_outputs, fresh_schema, capsys, monkeypatch):
    monkeypatch.setenv("ODL_POSTGIS_PASSWORD", pg_cluster.password)
    dsn = f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/gis"  # password from the environment
    argv = ["publish", "postgis", str(theme_outputs["water"]), "--dsn", dsn, "--schema", fresh_schema, "--json"]
    assert main(argv) == 0
    first = json.loads(capsys.readouterr().out)
    assert [(r["outcome"], r["features"]) for r in first["layers"]] == [("created", 48)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["layers"][0]["outcome"] == "unchanged"
    assert pg_cluster.password not in out


def test_cli_error_exit_code_and_redaction(pg_cluster, theme_outputs, capsys):
    dsn = pg_cluster.dsn(password="Sup3r-Secret")
    code = main(["publish", "postgis", str(theme_outputs["water"]), "--dsn", dsn])
    captured = capsys.readouterr()
    assert code == AuthError.exit_code
    assert "PostgreSQL refused the login" in captured.err
    assert "Sup3r-Secret" not in captured.out + captured.err


def test_ewkb_header_rewrite_matches_shapely():
    """The fast path (header rewrite) and the slow path (other dimensions) both give EWKB with SRID 2154."""
    import pyarrow as pa
    import shapely

    from odl_geo.publishers.postgis.load import _ewkb_hex

    geoms = [shapely.Point(1, 2), shapely.LineString([(0, 0, 5), (1, 1, 6)]), None]
    wkb = pa.array([None if g is None else shapely.to_wkb(g, flavor="iso") for g in geoms], type=pa.binary())
    for typmod, want_z in (("Geometry", False), ("GeometryZ", True)):
        out = [None if h is None else shapely.from_wkb(h) for h in _ewkb_hex(wkb, typmod).to_pylist()]
        assert out[2] is None
        assert [shapely.get_srid(g) for g in out[:2]] == [2154, 2154]
        assert [bool(shapely.has_z(g)) for g in out[:2]] == [want_z, want_z]
        assert shapely.equals(out[0], geoms[0]) and shapely.equals(out[1], geoms[1])


def test_cli_dry_run_text(pg_cluster, theme_outputs, fresh_schema, capsys):
    dsn = pg_cluster.dsn()
    assert (
        main(["publish", "postgis", str(theme_outputs["flood"]), "--dsn", dsn, "--schema", fresh_schema, "--dry-run"])
        == 0
    )
    out = capsys.readouterr().out
    assert "dry run: would publish to postgresql://127.0.0.1:" in out
    assert f"created   {fresh_schema}.n_zone_alea_pprn_20200002_s_038" in out
    assert pg_cluster.password not in out


def test_dependent_view_blocks_replace_cleanly(pg_cluster, theme_outputs, fresh_schema, tmp_path):
    target = PostgisTarget(pg_cluster.dsn(), schema=fresh_schema, table="itineraires")
    publish_postgis(theme_outputs["hiking"], target)
    with pg_cluster.admin() as conn:
        conn.execute(f"CREATE VIEW {fresh_schema}.v AS SELECT fid, geom FROM {fresh_schema}.itineraires")
    changed = tmp_path / "changed"
    shutil.copytree(theme_outputs["hiking"], changed)
    manifest = json.loads((changed / "manifest.json").read_text())
    (changed / "manifest.json").write_text(json.dumps({**manifest, "title": "Nouveau titre"}))
    with pytest.raises(RemoteError, match=rf"Replacing {fresh_schema}\.itineraires failed: other objects \(views"):
        publish_postgis(changed, target)
    with pg_cluster.admin() as conn:
        assert _one(conn, f"SELECT count(*) FROM {fresh_schema}.v")[0] == 8  # view and table untouched
        assert _one(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = %s", fresh_schema)[0] == 1
