"""Against a real GeoNetwork (or any CSW-T) when ``ODL_CSW_URL`` and ``ODL_CSW_USER`` / ``ODL_CSW_PASSWORD`` are set,
e.g. ``ODL_CSW_URL=https://HOST/geonetwork/srv/fre/csw-publication``. This is the only test of the CSW suite that
may skip: no GeoNetwork can run on this machine; the skip says why (``-rs``).

It publishes one record with a unique file identifier, reads it back, publishes it again (unchanged), changes its
title (updated) and checks that the catalogue holds it once. It does not delete it (odl-geo never deletes): remove
``odl-geo-live-test-*`` records from the catalogue afterwards.
"""

from __future__ import annotations

import os
import uuid

import pytest

from odl_geo.credentials import Credentials
from odl_geo.http import RequestsTransport
from odl_geo.publishers.csw import CswClient, CswRecord, Outcome, publish_record

from .conftest import SAMPLE

pytestmark = pytest.mark.server

URL = os.environ.get("ODL_CSW_URL", "")
CREDS = Credentials.from_env("ODL_CSW")


@pytest.mark.skipif(not (URL and CREDS.username and CREDS.password),
                    reason="no live CSW-T: set ODL_CSW_URL, ODL_CSW_USER and ODL_CSW_PASSWORD (a GeoNetwork "
                    "csw-publication endpoint and an editor account) to run it")  # fmt: skip
def test_live_csw_create_unchanged_update():
    ident = f"odl-geo-live-test-{uuid.uuid4()}"
    xml = SAMPLE.read_bytes().replace(b"odl-geo-test-sample", ident.encode())
    client = CswClient(URL, CREDS, RequestsTransport(ca_bundle=os.environ.get("ODL_CSW_CA_BUNDLE")))
    record = CswRecord.from_xml(xml)
    assert client.supports_transactions()
    assert publish_record(client, record).outcome is Outcome.CREATED
    assert client.get_record(ident).title == record.title
    assert publish_record(client, record, verify=False).outcome is Outcome.UNCHANGED
    changed = CswRecord.from_xml(xml.replace(b"(exemple)", b"(exemple, mis a jour)"))
    assert publish_record(client, changed).outcome is Outcome.UPDATED
    _matched, found = client.search(text=ident)
    assert [f.identifier for f in found] == [ident]
