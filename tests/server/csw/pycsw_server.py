#!/usr/bin/env python3
"""A real pycsw 2.6.2 (CSW 2.0.2, CSW-T, ``apiso`` ISO 19139 profile) on 127.0.0.1, for the CSW publisher tests.

Runs in ``.venv-pycsw`` (``scripts/setup_pycsw.sh``), never in odl-geo's venv (pycsw pins SQLAlchemy<2 and
OWSLib<0.29). Adapted from ``../shared/recipes/metadata/serve_pycsw.py`` (proven): waitress instead of wsgiref, the
port chosen first (``--port 0``) so that the configuration's ``url`` carries it (OWSLib and udata post to the URL
advertised in GetCapabilities), a fresh sqlite repository in ``--home``.

Two thin WSGI layers, each off unless asked, and neither touching pycsw's own answers:

- ``--fix-apiso-case``: rewrites ``apiso:type`` / ``apiso:identifier`` (lower case, as udata 17.18's CSW harvesters
  send them) to pycsw's ``apiso:Type`` / ``apiso:Identifier`` in POST bodies (pycsw issue #1235);
- ``--basic-auth-env VAR``: every request must carry HTTP Basic credentials equal to ``$VAR`` (``user:password``),
  else 401, as GeoNetwork's ``csw-publication`` endpoint does for CSW-T.

Prints ``READY http://127.0.0.1:PORT/csw`` on stdout, then serves until SIGTERM. pycsw prints every request path
on stdout: after READY, stdout goes to /dev/null so that an unread pipe never blocks the server.
"""

import argparse
import base64
import io
import os
import re
import signal
import sys

TEMPLATE = """[server]
home={home}
url=http://127.0.0.1:{port}/csw
mimetype=application/xml; charset=UTF-8
encoding=UTF-8
language=fr-FR
maxrecords=100
pretty_print=true
profiles=apiso

[manager]
transactions={transactions}
allowed_ips={allowed_ips}

[metadata:main]
identification_title=pycsw de test odl-geo
identification_abstract=pycsw 2.6.2 for odl-geo's CSW publisher tests
identification_keywords=test
identification_keywords_type=theme
identification_fees=None
identification_accessconstraints=None
provider_name=odl-geo tests
provider_url=http://127.0.0.1/
contact_name=Test
contact_position=Test
contact_address=1 rue Test
contact_city=Toulouse
contact_stateorprovince=Occitanie
contact_postalcode=31000
contact_country=France
contact_phone=+33-0
contact_fax=+33-0
contact_email=test@example.org
contact_url=http://127.0.0.1/
contact_hours=0-24
contact_instructions=none
contact_role=pointOfContact

[repository]
database=sqlite:///{home}/records.db
table=records

[metadata:inspire]
enabled=false
languages_supported=eng,fre
default_language=fre
date=2024-01-01
gemet_keywords=Utility and governmental services
conformity_service=notEvaluated
contact_name=Test
contact_email=test@example.org
temp_extent=2024-01-01/2024-12-31
"""

APISO = re.compile(rb"apiso:(type|identifier)\b")


def fix_apiso_case(app):
    def wrapped(environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            body = APISO.sub(lambda m: b"apiso:" + m.group(1).capitalize(), body)
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(body), str(len(body))
        return app(environ, start_response)

    return wrapped


def basic_auth(app, expected):
    token = "Basic " + base64.b64encode(expected.encode()).decode()

    def wrapped(environ, start_response):
        if environ.get("HTTP_AUTHORIZATION") != token:
            body = b"<html><body>401 Unauthorized</body></html>"
            start_response("401 Unauthorized", [("Content-Type", "text/html"), ("Content-Length", str(len(body))),
                                                ("WWW-Authenticate", 'Basic realm="csw-publication"')])
            return [body]
        return app(environ, start_response)

    return wrapped


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--home", required=True, help="folder of pycsw.cfg and records.db (created)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--no-transactions", action="store_true")
    ap.add_argument("--allowed-ips", default="127.0.0.1")
    ap.add_argument("--fix-apiso-case", action="store_true")
    ap.add_argument("--basic-auth-env", metavar="VAR")
    args = ap.parse_args()
    home = os.path.abspath(args.home)
    os.makedirs(home, exist_ok=True)

    from waitress import create_server

    holder = {}

    def app(environ, start_response):
        return holder["app"](environ, start_response)

    server = create_server(app, host="127.0.0.1", port=args.port, threads=2)
    port = server.effective_port
    cfg = os.path.join(home, "pycsw.cfg")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(TEMPLATE.format(home=home, port=port, transactions="false" if args.no_transactions else "true",
                                allowed_ips=args.allowed_ips))
    os.environ["PYCSW_CONFIG"] = cfg  # read per request by pycsw.wsgi.application
    from pycsw.core import admin
    from pycsw.wsgi import application

    if not os.path.exists(os.path.join(home, "records.db")):
        admin.setup_db(f"sqlite:///{home}/records.db", "records", home)
    wsgi = application
    if args.fix_apiso_case:
        wsgi = fix_apiso_case(wsgi)
    if args.basic_auth_env:
        wsgi = basic_auth(wsgi, os.environ[args.basic_auth_env])
    holder["app"] = wsgi
    print(f"READY http://127.0.0.1:{port}/csw", flush=True)
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - pycsw.wsgi prints each request's path
    signal.signal(signal.SIGTERM, lambda *a: server.close() or sys.exit(0))
    server.run()


if __name__ == "__main__":
    main()
