"""The CORS front of ``odl-geo serve`` before a real ``qgis_mapserver``: what a commune's web page needs from the
map server (issue #11): capabilities with the theme keywords, GetFeatureInfo as JSON, the INSEE filter, CORS on
all of it, the web components at /embed/ and a page at /."""

from __future__ import annotations

import http.client
import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from lxml import etree

from odl_geo.cli.main import main
from odl_geo.embed import STATIC_DIR
from odl_geo.errors import InputError
from odl_geo.serve import Front, build_projects, open_server, run_server
from tests.demo_outputs import convert_demo_examples

pytestmark = pytest.mark.server
REPO = Path(__file__).resolve().parents[3]
WMS = "{http://www.opengis.net/wms}"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return convert_demo_examples(tmp_path_factory.mktemp("front"))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("page")
    (root / "index.html").write_text("<!doctype html><title>t</title><p>page</p>", encoding="utf-8")
    (root / "api" / "1").mkdir(parents=True)
    (root / "api" / "1" / "datasets.json").write_text('{"data": [], "total": 0}', encoding="utf-8")
    (root.parent / "secret.txt").write_text("not for the web", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def front(outputs: Path, page: Path):
    """One QGIS Server for the three themes (one project), the CORS front before it."""
    server = open_server(outputs).start()
    gate = Front(server.base_url, mounts={"/embed/": STATIC_DIR, "/": page}, page_csp="default-src 'self'").start()
    try:
        yield gate, server
    finally:
        gate.stop()
        server.stop()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Origin": "https://www.ma-commune.fr", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def test_capabilities_through_the_front_carry_cors_and_theme_keywords(front, outputs):
    gate, server = front
    status, headers, body = get(gate.ows_url + "?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "xml" in headers["content-type"]
    direct = urllib.request.urlopen(server.ows_url + "?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities", timeout=60)
    assert "access-control-allow-origin" not in {k.lower() for k in direct.headers}  # why the front exists
    root = etree.fromstring(body)
    keywords, titles = {}, {}
    for layer in root.iter(f"{WMS}Layer"):
        name = layer.findtext(f"{WMS}Name")
        if name:
            keywords[name] = [k.text for k in layer.iterfind(f"{WMS}KeywordList/{WMS}Keyword")]
            titles[name] = layer.findtext(f"{WMS}Title")
    build = server.build
    assert build is not None and len(build.layers) >= 3
    for lyr in build.layers:
        assert f"odl-geo:theme={lyr.theme}" in keywords[lyr.name], (lyr.name, keywords[lyr.name])
    themes = {lyr.theme for lyr in build.layers}
    assert themes == {"hiking", "water", "flood"}
    by_theme = {t: sorted(n for n, kws in keywords.items() if f"odl-geo:theme={t}" in kws) for t in themes}
    for theme in themes:
        manifest = json.loads((outputs / theme / "manifest.json").read_text(encoding="utf-8"))
        assert by_theme[theme] == sorted({f["layer"] for f in manifest["files"] if f["format"] == "gpkg"
                                          and f["feature_count"] and f["geometry_type"]}), theme  # fmt: skip
    assert len(by_theme["flood"]) >= 5
    # a single-layer theme output is titled as its product ("Points d'eau"): what the layer list and legend show
    for theme in ("water", "hiking"):
        manifest = json.loads((outputs / theme / "manifest.json").read_text(encoding="utf-8"))
        assert titles[by_theme[theme][0]] == manifest["title"]
    # the flood product's CNIG tables are titled by their meaning, in French, not by their codes
    flood = {name.split("_", 2)[2]: titles[name] for name in by_theme["flood"]}
    assert flood["zonereglementaireurba_s"] == "Zonage réglementaire" and flood["perimetre_s"] == "Périmètre du PPR"
    assert flood["zonealeareference_14_s"] == "Zones d'aléa de référence : avalanche"


def _first_point(outputs: Path) -> tuple[float, float, dict]:
    df = pyogrio.read_dataframe(next((outputs / "water").glob("*.gpkg")))
    row = df.iloc[0]
    return float(row.geometry.x), float(row.geometry.y), row.drop("geometry").to_dict()


def _feature_info(gate: Front, layer: str, x: float, y: float) -> tuple[int, dict[str, str], bytes]:
    half = 50.0  # a 101 x 101 px map of 100 m around the point, clicked in its middle
    bbox = f"{x - half},{y - half},{x + half},{y + half}"
    q = (f"SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={layer}"
         f"&QUERY_LAYERS={layer}&STYLES=&CRS=EPSG:2154&BBOX=" + bbox +
         "&WIDTH=101&HEIGHT=101&I=50&J=50&INFO_FORMAT=application/json&FEATURE_COUNT=5&FI_POINT_TOLERANCE=8")
    return get(gate.ows_url + "?" + q)  # fmt: skip


def test_getfeatureinfo_json_through_the_front(front, outputs):
    gate, server = front
    x, y, props = _first_point(outputs)
    layer = next(lyr.name for lyr in server.build.layers if lyr.theme == "water")
    status, headers, body = _feature_info(gate, layer, x, y)
    assert status == 200, body[:500]
    assert headers["access-control-allow-origin"] == "*"
    assert headers["content-type"].startswith("application/json")
    doc = json.loads(body)
    assert doc["type"] == "FeatureCollection" and doc["features"], doc
    got = doc["features"][0]["properties"]
    assert got["nom"] == props["nom"] and got["insee"] == "34172"


def _png_drawn(data: bytes) -> int:
    from PIL import Image

    px = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
    return int((px[..., 3] > 0).sum())


@pytest.mark.parametrize(("code", "drawn"), [("34172", True), ("34057", False)])
def test_filter_on_the_insee_field_as_the_map_sends_it(front, outputs, code, drawn):
    """<odl-map filter-field="insee" territory="commune:…"> sends QGIS Server FILTER=layer:"insee" = 'code'."""
    gate, server = front
    lyr = next(lyr for lyr in server.build.layers if lyr.theme == "water")
    xmin, ymin, xmax, ymax = lyr.extent
    flt = urllib.request.quote(f"{lyr.name}:\"insee\" = '{code}'")
    q = (f"SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={lyr.name}&STYLES=&CRS=EPSG:2154"
         f"&BBOX={xmin - 100},{ymin - 100},{xmax + 100},{ymax + 100}&WIDTH=256&HEIGHT=256&FORMAT=image/png"
         f"&TRANSPARENT=true&FILTER={flt}")  # fmt: skip
    status, headers, body = get(gate.ows_url + "?" + q)
    assert status == 200 and body.startswith(b"\x89PNG"), body[:300]
    assert headers["access-control-allow-origin"] == "*"
    assert (_png_drawn(body) > 50) is drawn


def test_front_serves_the_components_and_the_page(front):
    gate, _ = front
    status, headers, body = get(gate.url_of("/embed/odl-embed.js"))
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert headers["access-control-allow-origin"] == "*"  # module scripts are fetched in CORS mode
    assert body == (STATIC_DIR / "odl-embed.js").read_bytes()
    status, headers, body = get(gate.url_of("/embed/odl-embed.css"))
    assert status == 200 and headers["content-type"].startswith("text/css")
    status, headers, body = get(gate.url_of("/"))
    assert status == 200 and b"<p>page</p>" in body
    assert headers["content-security-policy"] == "default-src 'self'"
    status, headers, body = get(gate.url_of("/api/1/datasets/?organization=x&page=2"))  # a recorded answer
    assert status == 200 and json.loads(body) == {"data": [], "total": 0}
    assert headers["content-type"].startswith("application/json")
    for bad in ("/embed/../../../../etc/passwd", "/../secret.txt", "/%2e%2e/secret.txt", "/embed/%2e%2e/__init__.py",
                "/nothing.js"):  # fmt: skip
        status, _, body = get(gate.url_of(bad))
        assert status == 404, bad
        assert b"not for the web" not in body


def test_front_answers_preflight_and_says_when_qgis_server_is_down(outputs):
    with Front("http://127.0.0.1:9") as gate:  # nothing listens on the discard port
        conn = http.client.HTTPConnection("127.0.0.1", gate.port, timeout=10)
        conn.request("OPTIONS", "/ows/", headers={"Origin": "https://x.fr", "Access-Control-Request-Method": "GET"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 204 and resp.getheader("Access-Control-Allow-Origin") == "*"
        status, headers, body = get(gate.ows_url + "?SERVICE=WMS&REQUEST=GetCapabilities")
        assert status == 502 and b"did not answer" in body
        assert headers["access-control-allow-origin"] == "*"  # the page can read the error and say it
        status, _, _ = get(gate.url_of("/"))
        assert status == 404


def test_run_server_with_front_and_cli_json(outputs, tmp_path):
    """run_server(front=True): QGIS Server on a private port, the front on the one asked; stopped afterwards."""
    seen: dict = {}

    def ready(server):
        seen["front"] = server.front
        status, headers, _ = get(server.front.ows_url + "?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
        seen["status"], seen["cors"] = status, headers.get("access-control-allow-origin")
        seen["names"] = server.build.layer_names

    server = run_server([outputs / "water", outputs / "hiking"], duration=0.1, on_ready=ready, front=True,
                        mounts={"/embed/": STATIC_DIR})  # fmt: skip
    assert seen["status"] == 200 and seen["cors"] == "*"
    gpkgs = [next((outputs / t).glob("*.gpkg")) for t in ("water", "hiking")]
    layers = [str(name) for g in gpkgs for name in pyogrio.list_layers(g)[:, 0]]
    assert sorted(seen["names"]) == sorted(layers)
    assert not server.running
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(seen["front"].ows_url, timeout=5)


def test_serving_two_folders_with_the_same_layer_is_refused(outputs, tmp_path):
    import shutil

    shutil.copytree(outputs / "water", tmp_path / "water2")
    with pytest.raises(InputError, match="already served"):
        build_projects([outputs / "water", tmp_path / "water2"], tmp_path / "project.qgs")


def test_cli_serve_folder_of_outputs_json(outputs, capsys):
    assert main(["serve", str(outputs), "--port", "0", "--duration", "0.5", "--json"]) == 0
    state = json.loads(capsys.readouterr().out)
    assert state["url"].endswith("/ows/") and state["embed"].endswith("/embed/")
    assert len(state["layers"]) >= 3
    assert (outputs / "project.qgs").is_file()


def test_demo_site_checks_its_page_and_exits_when_not_interactive(outputs):
    """The end of make demo (scripts/demo_site.sh): without a terminal it serves, checks the page and stops."""
    import os
    import socket
    import subprocess

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "DEMO_PORT": str(port)}
    proc = subprocess.run(["bash", str(REPO / "scripts/demo_site.sh"), str(outputs)], cwd=REPO, capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL, env=env, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert f"demo page checked: http://127.0.0.1:{port}/ answers" in proc.stdout
    assert "RECORDED data.gouv.fr answer" in proc.stdout and "not kept running" in proc.stdout
    page = (outputs / "site" / "index.html").read_text(encoding="utf-8")
    assert "réponse ENREGISTRÉE" in page and f'server="http://127.0.0.1:{port}/ows/"' in page
    with socket.socket() as s:  # the server was stopped: the port is free again
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_cli_serve_once_over_several_folders_saves_one_map(outputs, capsys):
    assert main(["serve", str(outputs / "water"), str(outputs / "hiking"), "--once", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert Path(result["png"]) == outputs / "map.png" and (outputs / "map.png").read_bytes().startswith(b"\x89PNG")
    assert len(result["layers"]) == 2


def test_a_new_conversion_is_served_on_the_next_request(tmp_path):
    """Self-updating: a folder converted again while odl-geo serve runs is served anew behind the same front."""
    import threading

    lines = (REPO / "examples/water/VilleMTP_MTP_Fontaines.csv").read_bytes().splitlines(keepends=True)
    src, out = tmp_path / "fontaines.csv", tmp_path / "water"

    def convert(rows: int) -> None:
        src.write_bytes(b"".join(lines[: rows + 1]))
        assert main(["convert", str(src), "--theme", "water", "--mapping", str(REPO / "examples/water/fontaines.toml"),
                     "--area", "34", "--to", "gpkg", "--out", str(out), "-q"]) == 0  # fmt: skip

    convert(10)
    layer = str(pyogrio.list_layers(next(out.glob("*.gpkg")))[0, 0])
    started, reloaded, stop = threading.Event(), threading.Event(), threading.Event()
    seen: dict = {}

    def ready(server) -> None:
        seen["front"] = server.front
        started.set()

    thread = threading.Thread(target=run_server, args=(out,), kwargs={"duration": 120, "front": True, "stop": stop,
                              "on_ready": ready, "on_reload": lambda s: reloaded.set()}, daemon=True)  # fmt: skip
    thread.start()
    assert started.wait(60)
    hits = (seen["front"].ows_url + f"?SERVICE=WFS&VERSION=1.1.0&REQUEST=GetFeature&TYPENAME={layer}"
            "&RESULTTYPE=hits")  # fmt: skip

    def count() -> int:
        return int(etree.fromstring(get(hits)[2]).get("numberOfFeatures"))

    assert count() == 10
    convert(25)  # the SIG administrator publishes again
    assert reloaded.wait(60)
    assert count() == 25  # through the same front, without restarting anything
    stop.set()
    thread.join(30)
    assert not thread.is_alive()
    with pytest.raises(urllib.error.URLError):  # both servers stopped
        urllib.request.urlopen(hits, timeout=5)
