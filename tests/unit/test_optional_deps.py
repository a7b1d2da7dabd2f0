"""Issue 16: an optional library missing is the user's to install (exit 2, the install command), not a bug (exit 1);
and the three publishers tell what they did with one ``Outcome``."""

from __future__ import annotations

import sys

from odl_geo.cli.main import main


def test_publish_postgis_without_psycopg_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith(("psycopg.", "odl_geo.publishers.postgis"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # what `import psycopg` meets when it is not installed
    (tmp_path / "out").mkdir()
    code = main(["publish", "postgis", str(tmp_path / "out"), "--dsn", "postgresql://u@127.0.0.1:9/db"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Publishing to PostGIS needs the Python library psycopg, which is not installed" in err
    assert "pip install 'odl-geo[postgis]'" in err
    assert "internal error" not in err and "bug" not in err


def test_one_outcome_for_every_publisher():
    from odl_geo.publishers import Outcome
    from odl_geo.publishers.datagouv.models import Outcome as DatagouvOutcome
    from odl_geo.publishers.geoserver.models import Outcome as GeoServerOutcome
    from odl_geo.publishers.postgis.models import Outcome as PostgisOutcome

    assert DatagouvOutcome is GeoServerOutcome is PostgisOutcome is Outcome
    assert [o.value for o in Outcome] == ["created", "updated", "unchanged", "skipped"]
