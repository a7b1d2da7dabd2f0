"""Browser tests of the web components: Debian's headless Chromium driven by Playwright, real servers.

- QGIS Server (``odl_geo.serve``) over outputs that ``odl-geo convert`` made from the bundled samples
  (examples/: Montpellier's fountains, Bourg-d'Oisans' flood-risk plan), behind a CORS front (servers.Front);
- the suite's real udata (tests/server/datagouv/udata_server.py, via udata_text.py for ``?q=``), seeded through
  its API with two organisations, zoned datasets and datasets carrying injection payloads;
- the commune's page served with the strict CSP (servers.Site).

No browser download: ``executable_path=/usr/bin/chromium``. The bundle must be built (scripts/setup.sh does).
"""

from __future__ import annotations

import csv
import io
import math
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.server.launcher import read_ready_info

from .servers import AXE, REPO, STATIC, Front, Site, csp_header

CHROMIUM = os.environ.get("ODL_CHROMIUM", "/usr/bin/chromium")
UDATA_PYTHON = Path(os.environ.get("ODL_UDATA_PYTHON", REPO / ".venv-udata" / "bin" / "python"))
ODL = [sys.executable, "-m", "odl_geo.cli.main"]
WATER_CSV = REPO / "examples" / "water" / "VilleMTP_MTP_Fontaines.csv"
WATER_MAPPING = REPO / "examples" / "water" / "fontaines.toml"
FLOOD_ZIP = REPO / "examples" / "flood" / "PPRn_BourgOisans.zip"

#: injection payloads put into feature attributes, dataset titles, descriptions and resource URLs
XSS_IMG = '"><img src=x onerror="window.__xss=1">'
XSS_SCRIPT = "<script>window.__xss=2</script>"
XSS_JS_URL = "javascript:window.__xss=3"

RECORD = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push({
  directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile}));
window.__events = [];
for (const type of ['odl-map-ready', 'odl-feature-info', 'odl-catalogue-loaded'])
  document.addEventListener(type, e => window.__events.push({type, detail: e.detail}));
"""


def lonlat_to_3857(lon: float, lat: float) -> tuple[float, float]:
    r = 6378137.0
    return math.radians(lon) * r, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * r


# -- the map server ---------------------------------------------------------------------------------------
def _fountain_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(WATER_CSV.read_bytes().decode("cp1252"))))


def write_fountains(dest: Path, names: dict[int, str]) -> Path:
    """The sample CSV (cp1252, as Montpellier publishes it) with some 'Nom' values replaced (row index -> name)."""
    rows = _fountain_rows()
    for i, name in names.items():
        rows[i + 1][1] = name
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerows(rows)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(buf.getvalue().encode("cp1252"))
    return dest


def fountain(i: int) -> tuple[str, float, float]:
    """(name, lon, lat) of row ``i`` of the sample (decimal commas)."""
    row = _fountain_rows()[i + 1]
    return row[1], float(row[4].replace(",", ".")), float(row[5].replace(",", "."))


def odl_convert(source: Path, out: Path, *args: str) -> Path:
    cmd = [*ODL, "convert", str(source), *args, "--to", "gpkg", "--out", str(out)]
    proc = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, f"odl-geo convert failed: {proc.stdout[-2000:]} {proc.stderr[-2000:]}"
    return out


def convert_water(root: Path, names: dict[int, str]) -> Path:
    csv = write_fountains(root / "src" / WATER_CSV.name, names)
    return odl_convert(csv, root / "water", "--theme", "water", "--mapping", str(WATER_MAPPING), "--area", "34")


#: rows of the sample whose names the tests replace (row 0 is the feature the popup test reads)
PAYLOAD_ROW, JSURL_ROW = 1, 2
NAMES = {PAYLOAD_ROW: XSS_IMG + XSS_SCRIPT, JSURL_ROW: XSS_JS_URL}


@pytest.fixture(scope="session")
def bundle() -> Path:
    assert (STATIC / "odl-embed.js").is_file() and (STATIC / "odl-embed.css").is_file(), (
        "the web components are not built: run scripts/setup.sh (or npm ci in web/ then node web/build.mjs)"
    )
    assert AXE.is_file(), "axe-core missing: run npm ci in web/ (scripts/setup.sh does)"
    return STATIC


@pytest.fixture(scope="session")
def front():
    f = Front()
    yield f
    f.close()


@pytest.fixture(scope="session")
def map_servers(tmp_path_factory, front):
    """QGIS Servers of the water and flood outputs, reachable as front.url('water', 'ows/') etc."""
    from odl_geo.serve import open_server

    root = tmp_path_factory.mktemp("embed-map")
    outs = {
        "water": convert_water(root, NAMES),
        "flood": odl_convert(FLOOD_ZIP, root / "flood", "--theme", "flood"),
    }
    started = {}
    try:
        for name, out in outs.items():
            started[name] = open_server(out).start()
            front.routes[name] = started[name].base_url
        yield started
    finally:
        for srv in started.values():
            srv.stop()


# -- udata ------------------------------------------------------------------------------------------------
@dataclass
class Udata:
    site: str
    info: dict[str, str]
    proc: subprocess.Popen = field(repr=False)
    datasets: dict[str, dict] = field(default_factory=dict)
    other_org: dict = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"{self.site}/api/1"

    def post(self, path: str, body: dict, key: str | None = None) -> dict:
        headers = {"X-API-KEY": key or self.info["API_KEY"]}
        r = requests.post(f"{self.api}{path}", json=body, headers=headers, timeout=30)
        assert r.status_code in (200, 201), f"{path}: {r.status_code} {r.text[:500]}"
        return r.json()

    def dataset(self, title: str, *, zones: list[str], org: str | None = None, description: str = "",
                resources: list[dict] = (), tags: list[str] = (), license: str = "lov2") -> dict:
        d = self.post("/datasets/", {
            "title": title, "description": description or f"Description de {title}.",
            "organization": org or self.info["ORG_ID"], "license": license, "tags": list(tags),
            "spatial": {"zones": zones}, "frequency": "unknown",
        })
        for res in resources:
            self.post(f"/datasets/{d['id']}/resources/", {"filetype": "remote", "type": "main", **res})
        self.datasets[title] = d
        return d


MONTPELLIER, BOURG = "fr:commune:34172", "fr:commune:38052"
#: titles of the seeded organisation's datasets in Montpellier (the catalogue's territory tests)
CATALOGUE_TITLES = [f"Jeu de données n° {i:02d} de Montpellier" for i in range(1, 10)]
WATER_TITLE = "Bornes fontaines de Montpellier"
PAYLOAD_TITLE = XSS_SCRIPT + XSS_IMG + " Jeu piégé"


def start_udata(work: Path) -> Udata:
    """Start the real udata (tests/server/datagouv) with text search, in ``work``; :func:`stop_udata` ends it."""
    assert UDATA_PYTHON.exists(), f"{UDATA_PYTHON} is missing: run scripts/setup_udata.sh (make test does)"
    err = (work / "server.err").open("w")
    proc = subprocess.Popen(
        [str(UDATA_PYTHON), str(Path(__file__).with_name("udata_text.py")), "--port", "0", "--print-token",
         "--data-dir", str(work / "data")],
        stdout=subprocess.PIPE, stderr=err, text=True, cwd=work,
    )
    err.close()  # the child has its own copy
    assert proc.stdout is not None
    info = read_ready_info(proc.stdout)
    if info is None:
        proc.kill()
        raise RuntimeError(f"udata did not start: {(work / 'server.err').read_text()[-2000:]}")
    return Udata(info["BASE_URL"].removesuffix("/api/1"), info, proc)


def stop_udata(u: Udata) -> None:
    u.proc.terminate()
    try:
        u.proc.wait(10)
    except subprocess.TimeoutExpired:
        u.proc.kill()
    if u.proc.stdout:
        u.proc.stdout.close()


@pytest.fixture(scope="session")
def udata(tmp_path_factory) -> Udata:
    """The real udata, text search enabled, seeded through its API."""
    u = start_udata(tmp_path_factory.mktemp("udata-embed"))
    try:
        seed(u)
        yield u
    finally:
        stop_udata(u)


def seed(u: Udata) -> None:
    """Two organisations, datasets in Montpellier and Bourg-d'Oisans, one dataset carrying payloads."""
    for title in CATALOGUE_TITLES:
        u.dataset(title, zones=[MONTPELLIER])
    u.dataset(WATER_TITLE, zones=[MONTPELLIER], tags=["eau"], description=(
        "Les **bornes fontaines** de la ville, [publiées par odl-geo](https://example.org/odl).\n\n"
        "# Détail\n- points d'eau potable\n\n| Couche | Entités |\n|---|---|\n| bornes_fontaines | 48 |\n\n"
        "- champ `id_local`"), resources=[
        {"title": "bornes.geojson", "url": "https://example.org/bornes.geojson", "format": "geojson",
         "schema": {"name": "etalab/schema-point-eau"}},
        {"title": "bornes.csv", "url": "https://example.org/bornes.csv", "format": "csv"},
    ])
    payload_description = f"{XSS_IMG} {XSS_SCRIPT} [lien]({XSS_JS_URL})"
    u.dataset(PAYLOAD_TITLE, zones=[MONTPELLIER], description=payload_description,
              resources=[{"title": XSS_IMG + " ressource", "url": "https://example.org/ok.csv", "format": "csv"},
                         # udata refuses javascript: and data: URLs (400) but takes ftp: ones: shown as text
                         {"title": "archive ftp", "url": "ftp://example.org/bornes.zip", "format": "zip"}])
    u.dataset("Plan de prévention des risques de Bourg-d'Oisans", zones=[BOURG])
    other = u.post("/organizations/", {"name": "Autre collectivité", "description": "Une autre organisation."})
    u.other_org = other
    u.dataset("Jeu d'une autre collectivité à Montpellier", zones=[MONTPELLIER], org=other["id"])


# -- the page and the browser ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def site(tmp_path_factory, bundle, front, udata):
    s = Site(tmp_path_factory.mktemp("site"))
    s.dead_origin = _dead_origin()
    s.datagouv = udata.site
    s.csp = csp_header([front.origin], [udata.site, s.dead_origin])
    yield s
    s.close()


def _dead_origin() -> str:
    """An origin where nothing listens (network errors)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield b
        b.close()


class Page:
    """A Playwright page recording CSP violations, console errors and page errors."""

    def __init__(self, context):
        self.context = context
        context.add_init_script(RECORD)  # init scripts are not subject to the page's CSP
        self.page = context.new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.console.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def __getattr__(self, name):
        return getattr(self.page, name)

    def violations(self) -> list[dict]:
        return self.page.evaluate("() => window.__csp")

    def assert_clean(self, allow_console: tuple[str, ...] = ()) -> None:
        assert self.violations() == []
        assert self.errors == []
        bad = [m for m in self.console if not any(a in m for a in allow_console)]
        assert bad == [], bad

    def wait_state(self, selector: str, states: str = "ready", timeout: float = 20_000) -> None:
        wanted = [s.strip() for s in states.split("|")]
        sel = ", ".join(f"{selector}[data-state={s}]" for s in wanted)
        self.page.wait_for_selector(sel, state="attached", timeout=timeout)

    def screenshot_image(self, selector: str):
        from PIL import Image

        return Image.open(io.BytesIO(self.page.locator(selector).first.screenshot())).convert("RGB")


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(width: int = 1000, height: int = 900, **opts) -> Page:
        ctx = browser.new_context(viewport={"width": width, "height": height}, **opts)
        contexts.append(ctx)
        return Page(ctx)

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_page) -> Page:
    return new_page()


def save_screenshot(page: Page, selector: str, name: str) -> None:
    """docs/img/<name> when ODL_UPDATE_SCREENSHOTS=1 (the docs' screenshots come from these tests)."""
    if os.environ.get("ODL_UPDATE_SCREENSHOTS") == "1":
        dest = REPO / "docs" / "img" / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        page.page.locator(selector).first.screenshot(path=str(dest))


def non_background(img, background=(244, 244, 242), tol: int = 12) -> int:
    """Pixels that differ from the map frame's background colour (what the map server drew)."""
    colours = img.getcolors(1 << 24)
    return sum(n for n, c in colours if any(abs(a - b) > tol for a, b in zip(c, background, strict=True)))

