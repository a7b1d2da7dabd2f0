"""The record links to what was actually published: the WMS/WFS layer names GeoServer got (a ``layer_name`` rename,
not the GeoPackage table) and the data.gouv.fr dataset page the datagouv step created, so the ``csw`` step that
follows publishes a record linking to both. Real parts: the GeoServer REST test double, a real local udata, a
real pycsw; the job as cron runs it."""

from __future__ import annotations

import json
import shutil

import pytest
from lxml import etree

from odl_geo.cli.main import main
from odl_geo.metadata.iso19139 import NS
from tests.server.datagouv.conftest import udata  # noqa: F401 - the session's real udata, a fixture
from tests.server.geoserver_double.process import start_double_process, stop_double_process

pytestmark = pytest.mark.server

TABLE = "VilleMTP_MTP_Fontaines"


@pytest.fixture(scope="module")
def double(tmp_path_factory):
    proc, url = start_double_process(tmp_path_factory.mktemp("double"), "pw-links")
    yield url
    stop_double_process(proc)


@pytest.fixture
def job(tmp_path, shared_data, double, udata, pycsw, monkeypatch):  # noqa: F811 - udata is the imported fixture
    shutil.copy(shared_data / "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv", tmp_path)
    # credentials from the environment (a job's credentials file would need a [csw] section; pycsw needs none)
    monkeypatch.setenv("ODL_GEOSERVER_USER", "admin")
    monkeypatch.setenv("ODL_GEOSERVER_PASSWORD", "pw-links")
    monkeypatch.setenv("ODL_DATAGOUV_API_KEY", udata.info["API_KEY"])
    for name in ("ODL_CSW_USER", "ODL_CSW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "job.toml"
    path.write_text(
        f"""
[job]
name = "Montpellier"
out = "publication"

[[dataset]]
name = "fontaines"
source = "VilleMTP_MTP_Fontaines.csv"
[dataset.convert]
to = ["gpkg", "geojson"]
[dataset.metadata]
title = "Bornes fontaines de Montpellier (liens publiés)"
abstract = "Localisation des bornes fontaines d'eau potable de la ville de Montpellier."
licence = "odbl"
frequency = "monthly"
inspire_theme = "us"
topic_categories = ["utilitiesCommunication"]
[dataset.metadata.producer]
name = "Ville de Montpellier"
email = "opendata@montpellier.fr"
[dataset.geoserver]
url = "{double}"
workspace = "commune"
layer_name = ["{TABLE}=bornes_fontaines"]
[dataset.datagouv]
url = "{udata.site}"
org = "{udata.info["ORG_SLUG"]}"
[dataset.csw]
url = "{pycsw.url}"
""",
        encoding="utf-8",
    )
    return path


def _links(xml: bytes) -> dict[str, list[tuple[str, str]]]:
    root = etree.fromstring(xml)
    found: dict[str, list[tuple[str, str]]] = {}
    for o in root.xpath("//gmd:distributionInfo//gmd:CI_OnlineResource", namespaces=NS):
        found.setdefault(o.xpath("string(gmd:protocol/*)", namespaces=NS), []).append(
            (o.xpath("string(gmd:linkage/gmd:URL)", namespaces=NS), o.xpath("string(gmd:name/*)", namespaces=NS))
        )
    return found


def test_csw_step_publishes_a_record_linking_to_the_published_layer_and_the_datagouv_page(job, double, pycsw,
                                                                                          capsys):  # fmt: skip
    code = main(["run", str(job), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    [ds] = json.loads(captured.out)["datasets"]
    assert [s["step"] for s in ds["steps"]] == ["convert", "metadata", "geoserver", "datagouv", "csw"]
    journal_path = job.parent / "publication" / "journal.jsonl"
    journal = [json.loads(line) for line in journal_path.read_text(encoding="utf-8").splitlines()]
    published = {e["step"]: e.get("published") for e in journal if e.get("dataset") == "fontaines"}
    page = published["datagouv"]["page"]
    assert page.startswith("http") and "/datasets/" in page
    assert [lyr["name"] for lyr in published["geoserver"]["layers"]] == ["bornes_fontaines"]
    assert published["geoserver"]["layers"][0]["bbox"], "the renamed layer keeps its extent (the monitor draws it)"

    folder = job.parent / "publication" / "fontaines"
    links = _links((folder / "metadata.xml").read_bytes())
    ows = f"{double.rstrip('/')}/ows"
    # the names a WMS/WFS client must ask for: the renamed layer in its workspace, never the GeoPackage table
    assert links["OGC:WMS"] == [(f"{ows}?SERVICE=WMS&REQUEST=GetCapabilities", "commune:bornes_fontaines")]
    assert links["OGC:WFS"] == [(f"{ows}?SERVICE=WFS&REQUEST=GetCapabilities", "commune:bornes_fontaines")]
    assert links["WWW:LINK-1.0-http--link"] == [(page, "data.gouv.fr")]
    assert TABLE not in {name for pairs in links.values() for _, name in pairs}

    # what the catalogue holds is that record: read back from the real pycsw
    identifier = etree.fromstring((folder / "metadata.xml").read_bytes()).xpath(
        "string(gmd:fileIdentifier/*)", namespaces=NS)  # fmt: skip
    stored = pycsw.client().get_record(identifier)
    assert stored is not None
    held = _links(stored.xml)
    assert held["WWW:LINK-1.0-http--link"] == [(page, "data.gouv.fr")]
    assert [name for _, name in held["OGC:WMS"]] == ["commune:bornes_fontaines"]


def test_hand_run_publish_datagouv_then_csw(tmp_path, converted_themes, udata, pycsw, monkeypatch, capsys):  # noqa: F811
    """Without a job: `publish datagouv` brings the folder's record (built from its metadata.toml) up to date with
    the dataset page; `publish csw` then sends that record."""
    folder = tmp_path / "water"
    shutil.copytree(converted_themes["water"], folder)
    (folder / "metadata.toml").write_text(
        'title = "Fontaines (publication à la main)"\nabstract = "Bornes fontaines de Montpellier."\n'
        'licence = "lov2"\nfrequency = "annual"\ninspire_theme = "us"\ntopic_categories = ["utilitiesCommunication"]\n'
        '[producer]\nname = "Ville de Montpellier"\n'
        'email = "opendata@montpellier.fr"\n', encoding="utf-8")  # fmt: skip
    assert main(["metadata", str(folder)]) == 0
    assert "WWW:LINK-1.0-http--link" not in _links((folder / "metadata.xml").read_bytes())  # no page yet
    monkeypatch.setenv("ODL_DATAGOUV_API_KEY", udata.info["API_KEY"])
    capsys.readouterr()
    code = main(["publish", "datagouv", str(folder), "--url", udata.site, "--org", udata.info["ORG_SLUG"], "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    page = json.loads(captured.out)["page"]
    assert page.startswith(udata.site) and "/datasets/" in page
    assert _links((folder / "metadata.xml").read_bytes())["WWW:LINK-1.0-http--link"] == [(page, "data.gouv.fr")]
    for name in ("ODL_CSW_USER", "ODL_CSW_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert main(["publish", "csw", str(folder), "--url", pycsw.url, "--json"]) == 0
    identifier = json.loads(capsys.readouterr().out)["identifier"]
    stored = pycsw.client().get_record(identifier)
    assert stored is not None and _links(stored.xml)["WWW:LINK-1.0-http--link"] == [(page, "data.gouv.fr")]
