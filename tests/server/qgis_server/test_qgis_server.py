"""The embedded QGIS Server: a project written by odl-geo (no QGIS import), served by the real ``qgis_mapserver``,
checked through OWSLib for a dataset of each theme."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from lxml import etree
from owslib.wfs import WebFeatureService
from owslib.wms import WebMapService

from odl_geo.cli.main import main
from odl_geo.errors import OdlGeoError, RemoteError, SourceNotFoundError
from odl_geo.serve import QgisServer, build_project, open_server, run_server, snapshot
from odl_geo.serve.styles import style_colours

pytestmark = pytest.mark.server
THEMES = ["hiking", "water", "flood"]


def png_pixels(data: bytes) -> np.ndarray:
    """RGBA pixels of a PNG, shape (height, width, 4)."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def _source_counts(out_dir) -> dict[str, int]:
    manifest = json.loads((out_dir / "manifest.json").read_text())
    return {f["layer"]: f["feature_count"] for f in manifest["files"] if f["format"] == "gpkg"}


def _styled_pixels(png: bytes, colours, tolerance: int = 6) -> int:
    """How many drawn pixels have one of ``colours`` (RGB, within ``tolerance``)."""
    px = png_pixels(png)
    drawn = px[px[..., 3] > 0][:, :3].astype(int)
    return int(sum((np.abs(drawn - np.array(c)).max(axis=1) <= tolerance).sum() for c in colours))


@pytest.mark.parametrize("theme", THEMES)
def test_capabilities_list_every_layer(servers, theme_outputs, theme):
    server = servers[theme]
    wms = WebMapService(server.ows_url, version="1.3.0")
    names = set(_source_counts(theme_outputs[theme]))
    assert names <= set(wms.contents), (names, list(wms.contents))
    manifest = json.loads((theme_outputs[theme] / "manifest.json").read_text())
    assert wms.identification.title == manifest["source"]["name"]
    for name in names:
        crs = {c[4] if isinstance(c, tuple) else c for c in wms[name].crsOptions}
        assert {"EPSG:2154", "EPSG:3857", "EPSG:4326"} <= crs, crs
    wfs = WebFeatureService(server.ows_url, version="1.1.0")
    assert names <= set(wfs.contents)


@pytest.mark.parametrize("theme", THEMES)
def test_getmap_is_drawn_with_the_theme_style(servers, theme, tmp_path):
    server = servers[theme]
    wms = WebMapService(server.ows_url, version="1.3.0")
    for layer in server.build.layers:
        colours = style_colours(layer.style)
        assert colours, layer.style.source
        xmin, ymin, xmax, ymax = layer.extent
        pad = max(xmax - xmin, ymax - ymin, 100) * 0.05
        img = wms.getmap(
            layers=[layer.name],
            styles=[""],
            srs="EPSG:2154",
            bbox=(xmin - pad, ymin - pad, xmax + pad, ymax + pad),
            size=(400, 400),
            format="image/png",
            transparent=True,
        ).read()
        assert img.startswith(b"\x89PNG"), img[:300]
        px = png_pixels(img)
        drawn = int((px[..., 3] > 0).sum())
        assert drawn > 100, f"{layer.name}: blank map ({drawn} pixels drawn)"
        assert _styled_pixels(img, colours) > 20, f"{layer.name}: no pixel in the colours of {layer.style.source}"
    sources = {lyr.style.source for lyr in server.build.layers}
    assert all(s.startswith(f"styles/{theme}/") for s in sources - {"default"}), sources
    if theme != "flood":  # hiking and water keep their theme style; see test_flood_style_adapted
        assert sources == {s for s in sources if s.startswith(f"styles/{theme}/")}


def test_flood_style_adapted(servers):
    """Raw COVADIS fields are not the CNIG ones the styles classify on: typereg stands in for typereglement,
    and a layer without any usable field gets the neutral default, never one class painted everywhere."""
    styles = {lyr.name: lyr.style for lyr in servers["flood"].build.layers}
    reg = styles["N_ZONE_REG_PPRN_20200002_S_038"]
    assert reg.source == "styles/flood/zonereglementaireurba_s.qml"
    renderer = next(e for e in reg.elements if e.tag == "renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "typereg"
    assert styles["N_ZONE_ALEA_PPRN_20200002_S_038"].source == "default"
    assert styles["N_PERIMETRE_PPRN_20200002_S_038"].source == "styles/flood/perimetre_s.qml"
    assert any("niveaualea" in n for n in servers["flood"].build.notes)


@pytest.mark.parametrize("theme", THEMES)
def test_wfs_geojson_counts_equal_the_source(servers, theme_outputs, theme):
    wfs = WebFeatureService(servers[theme].ows_url, version="1.1.0")
    for name, count in _source_counts(theme_outputs[theme]).items():
        data = json.loads(wfs.getfeature(typename=[name], outputFormat="application/json").read())
        assert data["type"] == "FeatureCollection"
        assert len(data["features"]) == count, name


def test_accents_survive_wfs(servers):
    wfs = WebFeatureService(servers["hiking"].ows_url, version="1.1.0")
    data = json.loads(wfs.getfeature(typename=["exemple-valide"], outputFormat="application/json").read())
    names = [f["properties"]["nom_itineraire"] for f in data["features"]]
    assert any("é" in n for n in names) and not any("&eacute;" in n for n in names)


def test_project_is_minimal_and_relative(theme_outputs):
    root = etree.parse(str(theme_outputs["flood"] / "project.qgs")).getroot()
    ids = [e.text for e in root.iterfind("projectlayers/maplayer/id")]
    assert len(ids) == 3
    assert [v.text for v in root.iterfind("properties/WFSLayers/value")] == ids
    assert {v.text for v in root.iterfind("properties/WMSCrsList/value")} == {"EPSG:2154", "EPSG:3857", "EPSG:4326"}
    assert root.findtext("properties/WMSTileBuffer") == "64"
    assert len(root.findall("properties/WMSExtent/value")) == 4
    assert all(d.text.startswith("./") for d in root.iterfind("projectlayers/maplayer/datasource"))
    assert root.findtext("projectCrs/spatialrefsys/authid") == "EPSG:2154"


def test_default_style_without_styles(theme_outputs, tmp_path):
    """No styles folder: a readable default (blue dots for points), and the map shows it. The project is
    written outside the data folder: its data sources are relative to where it is."""
    empty = tmp_path / "no-styles"
    empty.mkdir()
    build = build_project(theme_outputs["water"], styles_dir=empty, project_path=tmp_path / "elsewhere.qgs")
    assert [lyr.style.source for lyr in build.layers] == ["default"]
    with open_server(build.path) as srv:
        wms = WebMapService(srv.ows_url, version="1.3.0")
        img = wms.getmap(
            layers=build.layer_names,
            styles=[""],
            srs="EPSG:2154",
            bbox=build.extent,
            size=(300, 300),
            format="image/png",
            transparent=True,
        ).read()
    assert _styled_pixels(img, [(31, 120, 180)]) > 50


def test_snapshot_demo_hook(theme_outputs):
    result = snapshot(theme_outputs["flood"])
    assert result.png == theme_outputs["flood"] / "map.png"
    assert set(result.layers) <= set(result.capabilities)
    px = png_pixels(result.png.read_bytes())
    assert px.shape[1] == 1024
    not_white = (px[..., :3] < 245).any(axis=2).mean()
    assert 0.05 < not_white < 0.9, not_white  # a map, neither empty nor a solid block
    assert result.start_seconds < 15


def test_cli_once(theme_outputs, tmp_path, capsys):
    png = tmp_path / "hiking.png"
    assert main(["serve", str(theme_outputs["hiking"]), "--once", "--snapshot", str(png), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["png"] == str(png) and png.read_bytes().startswith(b"\x89PNG")
    assert out["layers"] == ["exemple-valide"]


def test_run_server_bounded_then_stopped(theme_outputs):
    seen = {}

    def ready(server):
        seen["layers"] = WebMapService(server.ows_url, version="1.3.0").contents.keys()
        seen["port"] = server.port

    started = time.monotonic()
    server = run_server(theme_outputs["water"], duration=0.5, on_ready=ready)
    assert time.monotonic() - started < 15
    assert "VilleMTP_MTP_Fontaines" in seen["layers"]
    assert not server.running
    with pytest.raises(ConnectionRefusedError):  # nobody listens any more
        socket.create_connection(("127.0.0.1", seen["port"]), timeout=2)


def test_cli_serve_until_ctrl_c(theme_outputs):
    """The real command: prints the URLs, serves, and on Ctrl-C stops the server and exits 0."""
    # the command must hear Ctrl-C: a test run started in the background of a script ignores SIGINT, and a child
    # inherits an ignored signal, while a caught one (Python's own handler) is the default again in the child
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "odl_geo.cli", "serve", str(theme_outputs["water"]), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "Ctrl-C to stop" in line or not line:
            break
    wms_line = next(line for line in lines if line.startswith("WMS: "))
    url = wms_line.split(" ", 1)[1].strip()
    assert WebMapService(url.split("?")[0], version="1.3.0").contents
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "QGIS Server stopped." in out
    port = int(url.split(":")[2].split("/")[0])
    with pytest.raises(ConnectionRefusedError):  # the server child is gone: nobody listens any more
        socket.create_connection(("127.0.0.1", port), timeout=2)


# -- errors ---------------------------------------------------------------------------------------------------
def test_folder_without_geopackage(tmp_path):
    with pytest.raises(SourceNotFoundError, match=r"holds no GeoPackage layer with geometry to serve"):
        build_project(tmp_path)


def test_not_a_project(tmp_path):
    (tmp_path / "x.txt").write_text("x")
    with pytest.raises(SourceNotFoundError, match=r"is neither a QGIS project nor a folder"):
        open_server(tmp_path / "x.txt")


def test_mapserver_missing(theme_outputs, monkeypatch):
    monkeypatch.setenv("ODL_QGIS_MAPSERVER", "no-such-qgis_mapserver")
    with pytest.raises(OdlGeoError, match=r"QGIS Server \(qgis_mapserver\) is not installed"):
        open_server(theme_outputs["water"]).start()


def test_port_in_use(servers):
    busy = servers["water"].port
    with pytest.raises(RemoteError, match=rf"QGIS Server exited with code \d+ \(127\.0\.0\.1:{busy}, project\.qgs\)"):
        QgisServer(servers["water"].project, port=busy, startup_timeout=20).start()


def test_odl_geo_still_imports_no_qgis():
    code = "import sys, odl_geo.serve, odl_geo.publishers.postgis, odl_geo.cli.main; " \
           "bad = [m for m in sys.modules if m.split('.')[0] in ('qgis', 'PyQt5')]; assert not bad, bad"  # fmt: skip
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": ""})
