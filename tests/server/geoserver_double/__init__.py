"""GeoServer REST **test double**: a small local HTTP server that follows
``../shared/specs/geoserver-rest-contract.md`` (status codes, content types, 404/405/409/415, Accept and suffix
quirks, file upload parameters, Basic auth 401) and serves WMS/WFS for what was published through a real QGIS
Server. It is a test double, not GeoServer: what it does not emulate is listed in docs/publishing.md.

Run: ``GEOSERVER_DOUBLE_PASSWORD=... .venv/bin/python -m tests.server.geoserver_double --port 0``; the first line
on stdout is ``LISTENING http://127.0.0.1:PORT/geoserver``.
"""
