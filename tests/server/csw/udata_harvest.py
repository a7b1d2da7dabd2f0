#!/usr/bin/env python3
"""udata's OWN harvesters (udata 17.18, data.gouv.fr's software) run in-process on mongomock, driven over stdin.

Runs in ``.venv-udata`` (``scripts/setup_udata.sh``). Adapted from ``../shared/recipes/metadata/harvest_local.py``
(proven): udata's ``Testing`` settings with the real backends enabled (``dcat``, ``csw-iso-19139``), local URLs
allowed (udata's SSRF guard refuses 127.0.0.1 otherwise), a licence seed, one organization and one
``HarvestSource``; each harvest is ``udata.harvest.actions.run(source)``, what ``udata harvest run ID`` does.

    python udata_harvest.py --backend dcat --url http://127.0.0.1:PORT/catalog.rdf
    python udata_harvest.py --backend csw-iso-19139 --url http://127.0.0.1:PORT/csw

csw-iso-19139 fetches the ISO 19139 -> DCAT-AP XSLT named by ``HARVEST_ISO19139_XSLT_URL`` (GitHub by default,
unreachable offline; ``file://`` is refused): the same stylesheet ships inside the udata wheel for udata's own
tests, and is served here from a local http.server.

Protocol (the database lives in this process, so the test drives it): prints ``READY``; then each ``run`` line on
stdin harvests once and prints one JSON line (the job, its items, every dataset in the database); ``quit`` ends.
"""

import argparse
import functools
import http.server
import json
import os
import sys
import tempfile
import threading

LICENSES = [  # id, title, url, alternate urls: data.gouv.fr's ids and main URLs
    ("lov2", "Licence Ouverte / Open Licence version 2.0", "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
     ["https://www.etalab.gouv.fr/wp-content/uploads/2017/04/ETALAB-Licence-Ouverte-v2.0.pdf"]),
    ("fr-lo", "Licence Ouverte / Open Licence", "http://www.data.gouv.fr/Licence-Ouverte-Open-Licence", []),
    ("odc-odbl", "Open Data Commons Open Database License (ODbL)", "http://opendatacommons.org/licenses/odbl/summary/",
     ["https://opendatacommons.org/licenses/odbl/1-0/", "https://opendatacommons.org/licenses/odbl/"]),
    ("cc-by", "Creative Commons Attribution", "http://www.opendefinition.org/licenses/cc-by", []),
    ("notspecified", "License Not Specified", None, []),
]


def serve_dir(directory):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    handler.log_message = lambda *a: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_port}"


def build_app(xslt_url):
    import mongomock
    from udata import settings
    from udata.app import create_app, standalone

    class Local(settings.Testing):
        MONGODB_SETTINGS = {"host": "mongodb://localhost:27017/udata", "mongo_client_class": mongomock.MongoClient}  # noqa: RUF012
        SERVER_NAME = "127.0.0.1:7000"
        FS_ROOT = tempfile.mkdtemp(prefix="udata-harvest-fs-")
        DEFAULT_LANGUAGE = "en"
        API_TOKEN_SECRET = "x"
        HARVESTER_BACKENDS = ["dcat", "csw-iso-19139"]  # noqa: RUF012
        URLS_ALLOW_LOCAL = True
        HARVEST_ISO19139_XSLT_URL = xslt_url

    return standalone(create_app(settings.Defaults, override=Local))


def seed_licenses():
    from udata.models import License

    for lid, title, url, alternates in LICENSES:
        License.objects.create(id=lid, title=title, url=url, alternate_urls=alternates, active=True)


def dataset_json(d):
    geom = d.spatial.geom if d.spatial and d.spatial.geom else None
    return {
        "id": str(d.id), "title": d.title, "description": d.description,
        "license": d.license.id if d.license else None, "tags": sorted(d.tags or []),
        "spatial_geom": geom, "frequency": str(d.frequency) if d.frequency else None,
        "remote_id": d.harvest.remote_id if d.harvest else None,
        "dct_identifier": d.harvest.dct_identifier if d.harvest else None,
        "backend": d.harvest.backend if d.harvest else None,
        "contact_points": [{"name": c.name, "email": c.email} for c in d.contact_points],
        "resources": [{"id": str(r.id), "title": r.title, "url": r.url, "format": r.format, "type": r.type}
                      for r in d.resources],
        "last_modified": str(d.last_modified),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", required=True, choices=["dcat", "csw-iso-19139"])
    ap.add_argument("--url", required=True)
    args = ap.parse_args()
    import udata

    xsl_dir = os.path.join(os.path.dirname(udata.__file__), "harvest", "tests", "csw_dcat")
    app = build_app(f"{serve_dir(xsl_dir)}/iso-19139-to-dcat-ap.xsl")
    from mongoengine.connection import get_db
    from udata.harvest import actions
    from udata.harvest.models import HarvestSource
    from udata.models import Dataset, Organization

    with app.app_context():
        db = get_db()
        db.client.drop_database(db.name)
        seed_licenses()
        org = Organization.objects.create(name="Commune de test", description="harvest test")
        source = HarvestSource.objects.create(name=f"odl-geo {args.backend}", url=args.url, backend=args.backend,
                                              organization=org)
        print("READY", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "quit":
                break
            if command != "run":
                print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
                continue
            actions.run(source)
            source.reload()
            job = source.get_last_job()
            print(json.dumps({
                "status": str(job.status),
                "errors": [e.message for e in job.errors],
                "items": [{"remote_id": i.remote_id, "status": str(i.status), "dataset": str(i.dataset.id)
                           if i.dataset else None, "errors": [e.message[:500] for e in i.errors]} for i in job.items],
                "datasets": [dataset_json(d) for d in Dataset.objects],
            }, ensure_ascii=False, default=str), flush=True)


if __name__ == "__main__":
    main()
