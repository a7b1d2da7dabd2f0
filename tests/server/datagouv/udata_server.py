#!/usr/bin/env python3
"""A real udata (data.gouv.fr's software) /api/1/ server on 127.0.0.1, for the datagouv end-to-end tests.

Runs in ``.venv-udata`` (made by ``scripts/setup_udata.sh``), never in odl-geo's ``.venv``: udata's ~100 pins
stay out of the library's environment. Adapted from ``../shared/recipes/udata_local_server.py`` (the proven
recipe): same app factory, settings and seed, plus

- zones of the three real test datasets (Montpellier, Bourg-d'Oisans, Cévennes: Gard and Lozère) besides
  Toulouse;
- ``--request-log FILE``: one JSON line per request (method, path, status, request body length), written
  *after* the response, so tests can assert from the server's side what was (not) uploaded;
- ``POST /__test__/checksum`` (outside ``/api/``, never logged): sets a resource's checksum in the database,
  the one piece of state the API does not let a client write (a harvester's sha256/md5).

The udata handlers are untouched (real status codes and messages).

No MongoDB, Redis or Elasticsearch: mongoengine talks to an in-process mongomock database, Celery tasks run
eagerly, search indexing is off, uploaded files land in a temp dir. The seed is printed as KEY=VALUE lines,
then READY; the server runs until SIGTERM/SIGINT. Everything lives in memory: a restart starts from scratch.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid

T0 = time.perf_counter()

LICENSES = {  # id -> title (ids used by data.gouv.fr)
    "lov2": "Licence Ouverte / Open Licence version 2.0",
    "fr-lo": "Licence Ouverte / Open Licence",
    "odc-odbl": "Open Data Commons Open Database License (ODbL)",
    "cc-by": "Creative Commons Attribution",
    "notspecified": "License Not Specified",
}
LEVELS = [
    ("fr:region", "French region", 40),
    ("fr:departement", "French county", 60),
    ("fr:commune", "French town", 80),
]
ZONES = [  # id, name, code, level
    ("fr:region:76", "Occitanie", "76", "fr:region"),
    ("fr:region:84", "Auvergne-Rhône-Alpes", "84", "fr:region"),
    ("fr:departement:30", "Gard", "30", "fr:departement"),
    ("fr:departement:31", "Haute-Garonne", "31", "fr:departement"),
    ("fr:departement:34", "Hérault", "34", "fr:departement"),
    ("fr:departement:38", "Isère", "38", "fr:departement"),
    ("fr:departement:48", "Lozère", "48", "fr:departement"),
    ("fr:commune:34172", "Montpellier", "34172", "fr:commune"),
    ("fr:commune:38052", "Le Bourg-d'Oisans", "38052", "fr:commune"),
    ("fr:commune:31555", "Toulouse", "31555", "fr:commune"),
]


def build_app(host, port, data_dir, mongodb_uri=None):
    from udata import settings
    from udata.app import create_app, standalone

    if mongodb_uri:
        mongo = {"host": mongodb_uri}
    else:
        import mongomock

        # udata validates MONGODB_HOST (must be mongodb://host/db), then flask-mongoengine passes
        # MONGODB_SETTINGS to mongoengine.connect(): the client class does the trick. Nothing listens on 27017.
        mongo = {"host": "mongodb://localhost:27017/udata", "mongo_client_class": mongomock.MongoClient}

    class Local(settings.Testing):  # Testing: eager Celery, NullCache, no mail, no search, no schema catalog
        SERVER_NAME = f"{host}:{port}"  # used for the absolute URLs in responses
        MONGODB_SETTINGS = mongo
        FS_ROOT = os.path.join(data_dir, "fs")  # uploaded resources, chunks, images
        FS_SERVE = True  # serve uploaded files back at their resource `url`
        SESSION_COOKIE_SECURE = False
        DEFAULT_LANGUAGE = "en"
        API_TOKEN_SECRET = "udata-local-secret"

    return standalone(create_app(settings.Defaults, override=Local))


def seed(app, api_key=None):
    from flask_security.utils import hash_password
    from mongoengine.connection import get_db
    from udata.core.api_token.models import ApiToken, _hash_token
    from udata.models import GeoLevel, GeoZone, License, Member, Organization, User

    def make_user(first, email):
        return User.objects.create(
            first_name=first,
            last_name="Local",
            email=email,
            active=True,
            password=hash_password("Passw0rd!"),
            fs_uniquifier=uuid.uuid4().hex,
        )

    def make_key(user, plaintext=None):
        if not plaintext:
            return ApiToken.generate(user, name="local")[1]
        # A fixed key (handy for fixtures): store its hash as ApiToken.generate would.
        ApiToken(token_hash=_hash_token(plaintext), token_prefix=plaintext[:14], user=user, name="local").save()
        return plaintext

    with app.app_context():
        db = get_db()  # start from an empty database (a --mongodb-uri one is dropped too!)
        db.client.drop_database(db.name)
        for lid, title in LICENSES.items():
            License.objects.create(id=lid, title=title, active=True)
        for lid, name, admin_level in LEVELS:
            GeoLevel.objects.create(id=lid, name=name, admin_level=admin_level)
        for zid, name, code, level in ZONES:
            GeoZone.objects.create(id=zid, slug=name.lower(), name=name, code=code, level=level)
        user = make_user("Admin", "admin@example.org")
        other = make_user("Other", "other@example.org")  # no organization: for 403 tests
        org = Organization.objects.create(
            name="Local Test Org", description="Seeded organization", members=[Member(user=user, role="admin")]
        )
        return {
            "API_KEY": make_key(user, api_key),
            "OTHER_API_KEY": make_key(other),
            "USER_ID": str(user.id),
            "ORG_ID": str(org.id),
            "ORG_SLUG": org.slug,
            "ZONE_ID": ZONES[-1][0],
            "LICENSES": ",".join(LICENSES),
        }


def set_checksum(flask_app, body):
    """Test hook (``POST /__test__/checksum``, not udata's API): give a resource a checksum of another type, as a
    harvester would store one. udata's own PUT ignores ``checksum`` on uploaded files."""
    from udata.core.dataset.models import Checksum, Dataset

    with flask_app.app_context():
        dataset = Dataset.objects.get(id=body["dataset"])
        resource = next(r for r in dataset.resources if str(r.id) == body["resource"])
        resource.checksum = Checksum(type=body["type"], value=body["value"])
        dataset.save()


def serialized(wsgi_app, request_log=None, flask_app=None):
    """One request at a time (mongomock is an in-memory dict store); optionally log each request as JSON."""
    lock = threading.Lock()

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/__test__/checksum" and flask_app is not None:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            with lock:
                set_checksum(flask_app, json.loads(environ["wsgi.input"].read(length)))
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b"{}"]
        seen = {}

        def recording_start_response(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        with lock:
            body = wsgi_app(environ, recording_start_response)
            try:
                data = b"".join(body)
            finally:
                getattr(body, "close", lambda: None)()
            if request_log:
                entry = {
                    "method": environ["REQUEST_METHOD"],
                    "path": environ.get("PATH_INFO", ""),
                    "status": seen.get("status"),
                    "length": int(environ.get("CONTENT_LENGTH") or 0),
                }
                with open(request_log, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(entry) + "\n")
            return [data]

    return app


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=7000, help="0 picks a free port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--print-token", action="store_true", help="print the API keys")
    p.add_argument("--api-key", help="use this API key for the admin user instead of a random one")
    p.add_argument("--data-dir", help="where uploaded files go (default: a new temp dir)")
    p.add_argument("--request-log", help="append one JSON line per request to this file")
    p.add_argument("--mongodb-uri", help="a real MongoDB URI (mongodb://host:port/db) instead of mongomock")
    args = p.parse_args()

    from werkzeug.serving import make_server

    # Bind first: --port 0 picks a free port, and a busy port fails before the slow part.
    server = make_server(args.host, args.port, None, threaded=True)
    port = server.server_port
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="udata-local-")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # so that `finally` runs on kill
    app = build_app(args.host, port, data_dir, args.mongodb_uri)
    info = seed(app, args.api_key)
    if not args.print_token:
        info = {k: v for k, v in info.items() if not k.endswith("API_KEY")}
    server.app = serialized(app, args.request_log, app)

    print(f"BASE_URL=http://{args.host}:{port}/api/1", flush=True)
    print(f"DATA_DIR={data_dir}", flush=True)
    for key, value in info.items():
        print(f"{key}={value}", flush=True)
    print(f"READY in {time.perf_counter() - T0:.2f}s", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        if not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
