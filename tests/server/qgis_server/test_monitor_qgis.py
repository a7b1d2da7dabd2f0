"""The monitor's map server probes against a real QGIS Server (``odl-geo serve``): the layers of each theme are
listed, drawn and counted; a layer the server no longer has fails with its message."""

from __future__ import annotations

import json
import shutil

import pytest

from odl_geo.http import RequestsTransport, RetryPolicy
from odl_geo.monitor.model import Budget, ProbeHttp
from odl_geo.monitor.probe_ogc import probe_ows

pytestmark = pytest.mark.server


def _layers(out_dir) -> list[dict]:
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    return [{"name": f["layer"], "features": f["feature_count"], "bbox": f["bbox"], "crs": f["crs"]}
            for f in manifest["files"] if f["format"] == "gpkg" and f["bbox"]]  # fmt: skip


@pytest.mark.parametrize("theme", ["hiking", "water", "flood"])
def test_every_served_layer_is_listed_drawn_and_counted(servers, theme_outputs, theme):
    server = servers[theme]
    http = ProbeHttp(RequestsTransport(retry=RetryPolicy(total=1, backoff=0.1)), Budget())
    layers = _layers(theme_outputs[theme])
    probes = probe_ows(theme, server.ows_url, server.ows_url, layers, http)
    failed = [(p.check, p.target, p.message) for p in probes if p.status != "ok"]
    assert failed == []
    assert {p.check for p in probes} == {"capabilities", "layer", "getmap", "hits"}
    assert len([p for p in probes if p.check == "hits"]) == len(layers)
    assert all(p.url.startswith(server.ows_url) for p in probes)
    assert all(p.seconds > 0 for p in probes if p.check != "layer")  # "layer" reads the capabilities fetched once
    assert http.count == 1 + 2 * len(layers)  # capabilities once, then GetMap and hits per layer


def test_a_layer_the_server_does_not_have_fails_and_is_not_drawn(servers, theme_outputs):
    server = servers["water"]
    http = ProbeHttp(RequestsTransport(retry=RetryPolicy(total=1, backoff=0.1)), Budget(max_requests=3))
    ghost = {**_layers(theme_outputs["water"])[0], "name": "fontaines_supprimees"}
    probes = {(p.check, p.target): p for p in probe_ows("water", server.ows_url, server.ows_url, [ghost], http)}
    assert probes[("layer", "fontaines_supprimees")].status == "failed"
    assert "no longer listed" in probes[("layer", "fontaines_supprimees")].message
    assert probes[("getmap", "fontaines_supprimees")].status == "skipped"
    assert probes[("hits", "fontaines_supprimees")].status == "failed"


def test_monitor_serve_checks_each_converted_folder_through_qgis_server(tmp_path, shared_data, capsys):
    from odl_geo.cli.main import main

    shutil.copy(shared_data / "hiking/pnx_schema_randonnee_cevennes/exemple-valide.json", tmp_path / "trails.json")
    job = tmp_path / "job.toml"
    job.write_text('[job]\nname = "served"\nout = "out"\n[[dataset]]\nname = "hiking"\nsource = "trails.json"\n'
                   '[dataset.convert]\ntheme = "hiking"\nto = ["gpkg"]\n', encoding="utf-8")  # fmt: skip
    assert main(["run", str(job), "--quiet"]) == 0
    assert main(["monitor", str(job), "--serve", "--json"]) == 8  # not served yet: no project.qgs
    [probe] = json.loads(capsys.readouterr().out)["probes"]
    assert probe["status"] == "failed" and "no project.qgs" in probe["message"]
    assert main(["serve", str(tmp_path / "out" / "hiking"), "--once", "--quiet"]) == 0
    assert main(["monitor", str(job), "--serve", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {(p["service"], p["check"], p["status"]) for p in result["probes"]} == {
        ("qgis-wms", "capabilities", "ok"), ("qgis-wms", "layer", "ok"), ("qgis-wms", "getmap", "ok"),
        ("qgis-wfs", "hits", "ok")}  # fmt: skip
    assert [(c["change"], c["check"]) for c in result["changes"]] == [("recovered", "capabilities")]
