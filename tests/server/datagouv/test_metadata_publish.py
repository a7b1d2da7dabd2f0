"""The data.gouv.fr publisher takes the dataset's description, licence, update frequency, temporal coverage and tags
from the folder's metadata record (`odl-geo metadata`), and links the ISO 19139 record as a documentation resource:
checked on a real udata."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import requests

from odl_geo.metadata import parse_metadata, prepare_record, write_metadata
from odl_geo.publishers.datagouv import Outcome, PublishOptions, publish_outputs

pytestmark = pytest.mark.server

METADATA = {
    "title": "Bornes fontaines de Montpellier (métadonnées)",
    "abstract": "Localisation des bornes fontaines d'eau potable de la ville de Montpellier.",
    "licence": "odbl",
    "frequency": "mensuelle",
    "keywords": ["eau potable", "fontaines"],
    "inspire_theme": "us",
    "topic_categories": ["utilitiesCommunication"],
    "temporal": {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)},
    "producer": {"name": "Ville de Montpellier", "email": "opendata@example.fr"},
}


def server_dataset(udata, dataset_id):
    r = requests.get(f"{udata.api}/datasets/{dataset_id}/", headers={"X-API-KEY": udata.info["API_KEY"]}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_dataset_follows_its_metadata_record(udata, client, outputs):
    folder = outputs("water")
    result = write_metadata(folder, prepare_record(folder, parse_metadata(METADATA), today=dt.date(2026, 1, 5)))
    options = PublishOptions(organization=udata.info["ORG_SLUG"], dataset_key="metadata-water")
    assert options.frequency == "unknown" and options.license == "lov2"  # the defaults the record replaces
    first = publish_outputs(folder, client, options)
    assert first.outcome is Outcome.CREATED
    assert not [w for w in first.warnings if "metadata" in w], first.warnings  # DCAT is harvested, not uploaded
    ds = server_dataset(udata, first.dataset_id)
    assert ds["title"] == METADATA["title"]
    assert ds["frequency"] == "monthly"
    assert ds["license"] == "odc-odbl"
    assert ds["temporal_coverage"]["start"][:10] == "2024-01-01" and ds["temporal_coverage"]["end"][:10] == "2024-12-31"
    assert ds["description"].startswith(METADATA["abstract"])
    assert {"eau-potable", "fontaines"} <= set(ds["tags"])
    docs = [r for r in ds["resources"] if r["type"] == "documentation"]
    by_file = {r["extras"]["odl_geo_file"]: r for r in docs}
    assert "metadata.xml" in by_file, [(r["title"], r["type"]) for r in ds["resources"]]
    assert by_file["metadata.xml"]["format"] == "xml"
    xml = requests.get(by_file["metadata.xml"]["url"], timeout=10)
    assert xml.status_code == 200 and result.record.file_identifier.encode() in xml.content
    data = [r for r in ds["resources"] if r["type"] == "main"]
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert len(data) == len({f["path"] for f in manifest["files"] if f["format"] not in ("iso19139", "dcat-jsonld")})

    second = publish_outputs(folder, client, options)
    assert {s.outcome for s in second.steps} <= {Outcome.UNCHANGED, Outcome.SKIPPED}

    explicit = publish_outputs(folder, client, PublishOptions(
        organization=udata.info["ORG_SLUG"], dataset_key="metadata-water", frequency="annual"))  # fmt: skip
    assert explicit.outcome is Outcome.UPDATED  # an option given on the command line wins over the record
    assert server_dataset(udata, first.dataset_id)["frequency"] == "annual"


def test_an_incomplete_iso_record_stops_the_publication_before_any_write(udata, client, outputs):
    from lxml import etree

    from odl_geo.errors import InputError

    folder = outputs("water")
    write_metadata(folder, prepare_record(folder, parse_metadata(METADATA), today=dt.date(2026, 1, 5)))
    xml = folder / "metadata.xml"
    root = etree.fromstring(xml.read_bytes())
    ns = {"gmd": "http://www.isotc211.org/2005/gmd"}
    for lineage in root.xpath("//gmd:lineage", namespaces=ns):
        lineage.getparent().remove(lineage)
    xml.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    mark = udata.mark()
    with pytest.raises(InputError) as info:
        publish_outputs(folder, client, PublishOptions(organization=udata.info["ORG_SLUG"], dataset_key="md-bad"))
    assert "généalogie" in info.value.message_fr and "no lineage statement" in info.value.message
    assert [e for e in udata.requests_since(mark) if e["method"] in ("POST", "PUT", "DELETE")] == []
