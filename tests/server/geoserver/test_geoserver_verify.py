"""The OGC check goes through the publisher's Transport (its retry policy; in QGIS, the plugin's proxy and auth)."""

from __future__ import annotations

import pytest

from odl_geo.errors import NetworkError, RemoteError
from odl_geo.http import RequestsTransport, RetryPolicy
from odl_geo.publishers.geoserver import PublishOptions, plan_publication, publish_plan, verify_publication

pytestmark = pytest.mark.server


class Recording:
    """A Transport that records what goes through it (as the plugin's QgisTransport would carry it)."""

    def __init__(self, inner):
        self.inner, self.sent = inner, []

    def send(self, request):
        self.sent.append((request.method, request.url, dict(request.params or {})))
        return self.inner.send(request)


def test_every_ogc_request_goes_through_the_transport(geoserver, outputs):
    ws = geoserver.workspace("seam")
    plan = plan_publication(outputs["water"], ws, PublishOptions())
    publish_plan(plan, geoserver.client())
    transport = Recording(RequestsTransport(retry=RetryPolicy(total=3, backoff=0.01)))
    (check,) = verify_publication(plan, geoserver.url, geoserver.credentials, transport=transport)
    assert check.ok, check.problem
    requests = [p.get("request") for _, _, p in transport.sent]
    assert requests == ["GetCapabilities", "GetMap", "GetFeature"]
    assert all(url.startswith(f"{geoserver.url}/{ws}/") for _, url, _ in transport.sent)


@pytest.mark.double_only
def test_the_transport_retry_policy_applies_to_the_ogc_check(geoserver, outputs):
    """Two 503 on the WMS: retried by the transport (OWSLib's own session never retried)."""
    ws = geoserver.workspace("retry")
    plan = plan_publication(outputs["water"], ws, PublishOptions())
    publish_plan(plan, geoserver.client())
    geoserver.faults({"method": "GET", "path": rf"/geoserver/{ws}/wms$", "action": "status", "status": 503,
                      "times": 2})  # fmt: skip
    transport = RequestsTransport(retry=RetryPolicy(total=3, backoff=0.01))
    (check,) = verify_publication(plan, geoserver.url, geoserver.credentials, transport=transport)
    assert check.ok, check.problem
    assert geoserver.fired()[0]["fired"] == 2
    # without retries left the caller gets the transport's errors, named
    geoserver.faults({"method": "GET", "path": rf"/geoserver/{ws}/wms$", "action": "status", "status": 503,
                      "times": 9})  # fmt: skip
    with pytest.raises(RemoteError, match=rf"workspace '{ws}' did not answer GetCapabilities: HTTP 503"):
        verify_publication(plan, geoserver.url, geoserver.credentials,
                           transport=RequestsTransport(retry=RetryPolicy(total=0)))  # fmt: skip
    geoserver.faults({"method": "GET", "path": rf"/geoserver/{ws}/wms$", "action": "reset", "times": 9})
    with pytest.raises(NetworkError):
        verify_publication(plan, geoserver.url, geoserver.credentials,
                           transport=RequestsTransport(retry=RetryPolicy(total=0)))  # fmt: skip
