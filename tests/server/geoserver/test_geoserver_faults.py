"""Faults injected by the GeoServer test double at every step of a publication: retried when the transport may
retry (idempotent methods, 503 / reset / timeout), a clear error naming the step and resource otherwise, and a
second run that converges to the same state as a clean publication (no duplicate, nothing lost)."""

from __future__ import annotations

import pytest

from odl_geo.errors import CancelledError, NetworkError, RemoteError
from odl_geo.feedback import NullFeedback
from odl_geo.http import RetryPolicy
from odl_geo.publishers.geoserver import Outcome, PublishOptions, plan_publication, publish_plan

from .test_geoserver_publish import style_for

pytestmark = [pytest.mark.server, pytest.mark.double_only]

#: (step, method, path regex, resource named in the error)
STEPS = [
    ("store read", "GET", r"/datastores/[^/]+\.json$", "datastore 'exemple-valide'"),
    ("workspace read", "GET", r"/workspaces/[^/]+\.json$", "workspace 'faults'"),
    ("workspace create", "POST", r"/rest/workspaces$", "workspace 'faults' creation"),
    ("upload", "PUT", r"/file\.gpkg$", "datastore 'exemple-valide' upload"),
    ("feature type read", "GET", r"/featuretypes/[^/]+\.json$", "feature type 'exemple-valide'"),
    ("feature type create", "POST", r"/featuretypes$", "feature type 'exemple-valide' creation"),
    ("style read", "GET", r"/styles/[^/]+\.json$", "style 'itineraire_randonnee'"),
    ("style create", "POST", r"/styles$", "style 'itineraire_randonnee' creation"),
    ("style upload", "PUT", r"/styles/[^/.]+$", "style 'itineraire_randonnee' upload"),
    ("layer read", "GET", r"/layers/[^/]+\.json$", "layer 'exemple-valide'"),
    ("layer update", "PUT", r"/layers/[^/.]+$", "layer 'exemple-valide' update"),
    ("store record", "PUT", r"/datastores/[^/.]+$", "datastore 'exemple-valide' update"),
]
IDS = [s[0] for s in STEPS]


@pytest.fixture
def plan(outputs):
    style = style_for("hiking")
    if style is None:
        pytest.fail("styles/hiking is missing: the style steps cannot be exercised")
    return plan_publication(outputs["hiking"], "faults", PublishOptions(title="Itinéraires", style=style))


@pytest.fixture
def reference(geoserver, plan):
    """The catalog state after a clean publication (then the double is reset for the faulty one)."""
    publish_plan(plan, geoserver.client())
    state = geoserver.state()
    geoserver._ctl("POST", "reset")
    return state


def converge(geoserver, plan, reference):
    """A second, fault-free run completes the publication: same state as a clean run, nothing duplicated."""
    geoserver.faults()
    result = publish_plan(plan, geoserver.client())
    assert geoserver.state() == reference
    assert result.of("featuretype") in ({"exemple-valide": Outcome.CREATED}, {"exemple-valide": Outcome.UNCHANGED})
    return result


def attempts(geoserver, method, regex):
    import re

    return [e for e in geoserver.log() if e["method"] == method and re.search(regex, e["path"])]


@pytest.mark.parametrize(("step", "method", "regex", "resource"), STEPS, ids=IDS)
def test_500_gives_clear_error_then_rerun_converges(geoserver, plan, reference, step, method, regex, resource):
    geoserver.faults({"method": method, "path": regex, "action": "status", "status": 500,
                      "body": "java.lang.RuntimeException: disk full"})  # fmt: skip
    with pytest.raises(RemoteError) as info:
        publish_plan(plan, geoserver.client())
    assert info.value.status == 500
    assert str(info.value).startswith(f"{resource}")
    assert "failed: 500 java.lang.RuntimeException: disk full" in info.value.message
    assert "Run again" in info.value.hint
    assert len(attempts(geoserver, method, regex)) == 1  # a 500 is not retried
    converge(geoserver, plan, reference)


@pytest.mark.parametrize(("step", "method", "regex", "resource"), STEPS, ids=IDS)
def test_503_once_is_retried_or_reported(geoserver, plan, reference, step, method, regex, resource):
    geoserver.faults({"method": method, "path": regex, "action": "status", "status": 503})
    if method == "POST":  # never replayed blindly: a duplicate POST is a 500 in GeoServer (contract §6)
        with pytest.raises(RemoteError, match="failed: 503") as info:
            publish_plan(plan, geoserver.client())
        assert "overloaded or restarting" in info.value.hint
        assert len(attempts(geoserver, method, regex)) == 1
        converge(geoserver, plan, reference)
    else:
        publish_plan(plan, geoserver.client())
        statuses = [e["status"] for e in attempts(geoserver, method, regex)]
        assert statuses[0] == 503 and statuses[1] in (200, 201, 404), statuses
        assert geoserver.state() == reference


@pytest.mark.parametrize(("step", "method", "regex", "resource"), STEPS, ids=IDS)
def test_connection_reset_is_retried_or_rerun_converges(geoserver, plan, reference, step, method, regex, resource):
    geoserver.faults({"method": method, "path": regex, "action": "reset"})
    if method == "POST":
        with pytest.raises(NetworkError, match=r"Cannot reach|failed"):
            publish_plan(plan, geoserver.client())
        converge(geoserver, plan, reference)
    else:
        publish_plan(plan, geoserver.client())
        assert len(attempts(geoserver, method, regex)) >= 2
        assert geoserver.state() == reference


@pytest.mark.parametrize("regex", [r"/rest/workspaces$", r"/featuretypes$", r"/styles$"], ids=["ws", "ft", "style"])
def test_post_whose_answer_is_lost_is_not_duplicated(geoserver, plan, reference, regex):
    """The POST took effect but the connection dropped before the answer: the re-run GETs first, no duplicate."""
    geoserver.faults({"method": "POST", "path": regex, "action": "reset_after"})
    with pytest.raises(NetworkError):
        publish_plan(plan, geoserver.client())
    converge(geoserver, plan, reference)
    assert len(attempts(geoserver, "POST", regex)) == 1  # created once, by the first run


def test_upload_answer_lost_is_retried_in_place(geoserver, plan, reference):
    geoserver.faults({"method": "PUT", "path": r"/file\.gpkg$", "action": "reset_after"})
    publish_plan(plan, geoserver.client())  # PUT is idempotent: urllib3 retries it, the file is replaced in place
    assert len(attempts(geoserver, "PUT", r"/file\.gpkg$")) == 2
    assert geoserver.state() == reference


def test_timeout_is_retried(geoserver, plan, reference):
    geoserver.faults({"method": "GET", "path": r"/datastores/[^/]+\.json$", "action": "delay", "seconds": 1.0})
    client = geoserver.client(timeout=(2.0, 0.8))
    publish_plan(plan, client)
    assert len(attempts(geoserver, "GET", r"/datastores/[^/]+\.json$")) == 2
    assert geoserver.state() == reference


def test_persistent_503_ends_with_clear_error_after_retries(geoserver, plan, reference):
    geoserver.faults({"method": "PUT", "path": r"/file\.gpkg$", "action": "status", "status": 503, "times": 99})
    with pytest.raises(RemoteError, match=r"^datastore 'exemple-valide' upload failed: 503") as info:
        publish_plan(plan, geoserver.client(retry=RetryPolicy(total=2, backoff=0.01)))
    assert "retried already" in info.value.hint
    assert len(attempts(geoserver, "PUT", r"/file\.gpkg$")) == 3  # first try + 2 retries
    converge(geoserver, plan, reference)


def test_persistent_timeout_ends_with_network_error(geoserver, plan):
    geoserver.faults({"method": "GET", "path": r"/datastores/", "action": "delay", "seconds": 0.5, "times": 3})
    with pytest.raises(NetworkError, match="timed out"):
        publish_plan(plan, geoserver.client(timeout=(2.0, 0.3), retry=RetryPolicy(total=1, backoff=0.01)))


class CancelAfter(NullFeedback):
    def __init__(self, n: int) -> None:
        self.calls, self.n = 0, n

    def is_cancelled(self) -> bool:
        self.calls += 1
        return self.calls > self.n


@pytest.mark.parametrize("after", [1, 3, 5])
def test_cancel_half_way_then_rerun_converges(geoserver, plan, reference, after):
    with pytest.raises(CancelledError):
        publish_plan(plan, geoserver.client(), CancelAfter(after))
    converge(geoserver, plan, reference)


def test_deadline_stops_with_hint(geoserver, plan):
    with pytest.raises(NetworkError, match="took longer than 0 s") as info:
        publish_plan(plan, geoserver.client(), deadline_s=0)
    assert "resumes" in info.value.hint
