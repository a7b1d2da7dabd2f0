#!/usr/bin/env python3
"""What data.gouv.fr will make of ISO 19139 records, computed by udata's OWN harvester code (run in udata's venv).

NOT imported by odl_geo: :mod:`.harvest_check` runs this file with the Python of a udata installation
(``.venv-udata``, made by ``scripts/setup_udata.sh``; or ``ODL_UDATA_PYTHON``), because udata pins ~100 packages
that must stay out of odl-geo's environment. It imports only udata and the standard library.

data.gouv.fr harvests geographic catalogues with udata's ``csw-iso-19139`` backend: GetRecords in ISO 19139, each
record converted to DCAT-AP by SEMIC's XSLT 2.0 stylesheet (Saxon), then read by ``dataset_from_rdf``. This script
runs that very backend against a one-shot local CSW that answers GetRecords with the given records, on an in-memory
mongomock database thrown away when the script ends. It runs a REAL harvest there, not udata's preview mode
(``actions.preview``, the dry run behind the "preview" button on data.gouv.fr): in a dry run udata only reuses
contact points that already exist (``udata.rdf.contact_points_from_rdf``: "Mongoengine doesn't allow referencing
unsaved documents"), so a preview never shows the record's contact point although the real harvest creates it.
The stylesheet is the copy shipped in the udata wheel (its
tests' fixture); the licences known are data.gouv.fr's main ones (``LICENSES``), so "recognised" means by udata's
own ``License.guess``.

    python udata_preview.py record1.xml [record2.xml ...]     # prints one JSON document on stdout
"""

import functools
import http.server
import json
import os
import sys
import tempfile
import threading
from typing import Any

#: data.gouv.fr licence ids, titles and main URLs (the production list has more alternate spellings)
LICENSES = [
    ("lov2", "Licence Ouverte / Open Licence version 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
     ["https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"]),
    ("fr-lo", "Licence Ouverte / Open Licence", "http://www.data.gouv.fr/Licence-Ouverte-Open-Licence", []),
    ("odc-odbl", "Open Data Commons Open Database License (ODbL)", "http://opendatacommons.org/licenses/odbl/summary/",
     ["https://opendatacommons.org/licenses/odbl/1-0/", "https://opendatacommons.org/licenses/odbl/"]),
    ("cc-by", "Creative Commons Attribution", "http://www.opendefinition.org/licenses/cc-by", []),
    ("notspecified", "License Not Specified", None, []),
]
CSW = "http://www.opengis.net/cat/csw/2.0.2"


def serve(directory: str | None = None, post_body: bytes = b"") -> str:
    """A local http.server in a daemon thread: files of ``directory``, or ``post_body`` for every POST."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(post_body)))
            self.end_headers()
            self.wfile.write(post_body)

    handler = functools.partial(Handler, directory=directory or tempfile.gettempdir())
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}"


def xslt_url() -> str:
    """The ISO 19139 -> DCAT-AP stylesheet of the udata wheel, served locally (udata refuses file:// URLs)."""
    import udata

    return f"{serve(os.path.join(os.path.dirname(udata.__file__), 'harvest', 'tests', 'csw_dcat'))}" \
           "/iso-19139-to-dcat-ap.xsl"


def build_app(iso_xslt_url: str) -> Any:
    """udata's own app factory with its ``Testing`` settings, the real harvest backends and mongomock."""
    import mongomock
    from udata import settings
    from udata.app import create_app, standalone

    class Local(settings.Testing):
        MONGODB_SETTINGS = {"host": "mongodb://localhost:27017/udata", "mongo_client_class": mongomock.MongoClient}  # noqa: RUF012
        SERVER_NAME = "127.0.0.1:7000"
        FS_ROOT = tempfile.mkdtemp(prefix="odl-udata-fs-")
        DEFAULT_LANGUAGE = "fr"
        API_TOKEN_SECRET = "x"
        HARVESTER_BACKENDS = ["dcat", "csw-iso-19139"]  # noqa: RUF012
        URLS_ALLOW_LOCAL = True  # the local CSW, catalogue and stylesheet are on 127.0.0.1
        HARVEST_ISO19139_XSLT_URL = iso_xslt_url

    return standalone(create_app(settings.Defaults, override=Local))


def seed(name: str = "Organisation") -> Any:
    """Empty database, data.gouv.fr's licences, one organization (harvest sources belong to one)."""
    from mongoengine.connection import get_db
    from udata.models import License, Organization

    db = get_db()
    db.client.drop_database(db.name)
    for lid, title, url, alternates in LICENSES:
        License.objects.create(id=lid, title=title, url=url, alternate_urls=alternates, active=True)
    return Organization.objects.create(name=name, description="odl-geo")


def dataset_json(d: Any) -> dict[str, Any]:
    """The fields of a udata Dataset that data.gouv.fr shows, as JSON."""
    spatial = d.spatial.geom if d.spatial and d.spatial.geom else None
    harvest = d.harvest
    return {
        "id": str(d.id) if d.id else None,
        "title": d.title,
        "description": d.description,
        "license": d.license.id if d.license else None,
        "license_title": d.license.title if d.license else None,
        "tags": sorted(d.tags or []),
        "spatial_geom": spatial,
        "frequency": str(d.frequency) if d.frequency else None,
        "temporal_coverage": [str(d.temporal_coverage.start), str(d.temporal_coverage.end)]
        if d.temporal_coverage else None,
        "remote_id": harvest.remote_id if harvest else None,
        "dct_identifier": harvest.dct_identifier if harvest else None,
        "rights": ((d.extras or {}).get("dcat") or {}).get("rights"),
        "contact_points": [{"name": c.name, "email": c.email, "role": c.role} for c in d.contact_points],
        "resources": [{"id": str(r.id), "title": r.title, "url": r.url, "format": r.format, "type": r.type}
                      for r in d.resources],
    }


def records_response(paths: list[str]) -> bytes:
    """A csw:GetRecordsResponse holding the records (what a CSW would answer udata's GetRecords)."""
    from lxml import etree

    root = etree.Element(f"{{{CSW}}}GetRecordsResponse", nsmap={"csw": CSW}, version="2.0.2")
    etree.SubElement(root, f"{{{CSW}}}SearchStatus", timestamp="2000-01-01T00:00:00Z")
    results = etree.SubElement(root, f"{{{CSW}}}SearchResults", numberOfRecordsMatched=str(len(paths)),
                               numberOfRecordsReturned=str(len(paths)), nextRecord="0", recordSchema=
                               "http://www.isotc211.org/2005/gmd", elementSet="full")  # fmt: skip
    for p in paths:
        results.append(etree.parse(p, etree.XMLParser(resolve_entities=False, no_network=True)).getroot())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def main() -> int:
    paths = sys.argv[1:]
    if not paths:
        print("usage: udata_preview.py RECORD.xml [...]", file=sys.stderr)
        return 2
    csw_url = serve(post_body=records_response(paths)) + "/csw"
    app = build_app(xslt_url())
    from udata.harvest import backends
    from udata.harvest.models import HarvestSource

    with app.app_context():
        org = seed()
        source = HarvestSource.objects.create(name="odl-geo preview", url=csw_url, backend="csw-iso-19139",
                                              organization=org)  # fmt: skip
        # a real harvest on the throwaway database (see the module docstring: a preview drops contact points)
        job = backends.get_backend(source.backend)(source).harvest()
        out = {
            "status": str(job.status),
            "errors": [e.message for e in job.errors],
            "items": [{
                "remote_id": item.remote_id,
                "status": str(item.status),
                "errors": [e.message[:500] for e in item.errors],
                "dataset": dataset_json(item.dataset) if item.dataset else None,
            } for item in job.items],
        }
    sys.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
