"""Faults injected by the GeoServer test double at every step of a publication: retried when the transport may
retry (idempotent methods, 503 / reset / timeout), a clear error naming the step and resource otherwise, and a
second run that converges to the same state as a clean publication (no duplicate, nothing lost)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from odl_geo.errors import CancelledError, NetworkError, RemoteError
from odl_geo.feedback import NullFeedback
from odl_geo.http import RetryPolicy
from odl_geo.publishers.geoserver import Outcome, PublishOptions, plan_publication, publish_plan, verify_publication

from .test_geoserver_publish import style_for

pytestmark = [pytest.mark.server, pytest.mark.double_only]

#: (step, method, path regex, resource named in the error, matching requests let through before the fault)
STEPS = [
    ("store read", "GET", r"/datastores/[^/]+\.json$", "datastore 'exemple-valide'", 0),
    ("workspace read", "GET", r"/workspaces/[^/]+\.json$", "workspace 'faults'", 0),
    ("workspace create", "POST", r"/rest/workspaces$", "workspace 'faults' creation", 0),
    ("upload", "PUT", r"/file\.gpkg$", "datastore 'exemple-valide' upload", 0),
    ("store mark", "PUT", r"/datastores/[^/.]+$", "datastore 'exemple-valide' update", 0),
    ("feature type read", "GET", r"/featuretypes/[^/]+\.json$", "feature type 'exemple-valide'", 0),
    ("feature type create", "POST", r"/featuretypes$", "feature type 'exemple-valide' creation", 0),
    ("style read", "GET", r"/styles/[^/]+\.json$", "style 'itineraire_randonnee'", 0),
    ("style create", "POST", r"/styles$", "style 'itineraire_randonnee' creation", 0),
    ("style upload", "PUT", r"/styles/[^/.]+$", "style 'itineraire_randonnee' upload", 0),
    ("layer read", "GET", r"/layers/[^/]+\.json$", "layer 'exemple-valide'", 0),
    ("layer update", "PUT", r"/layers/[^/.]+$", "layer 'exemple-valide' update", 0),
    ("store record", "PUT", r"/datastores/[^/.]+$", "datastore 'exemple-valide' update", 1),
]
IDS = [s[0] for s in STEPS]
WRITES = [s for s in STEPS if s[1] != "GET"]
#: a read timeout shorter than the injected delay: the first attempt times out, the retry is answered in time
DELAY, READ_TIMEOUT = 1.0, 0.7


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
    geoserver.clean_log = geoserver.log()  # what a fault-free run sends, to count replays against
    geoserver._ctl("POST", "reset")
    return state


def converge(geoserver, plan, reference):
    """A second, fault-free run completes the publication: same state as a clean run, nothing duplicated."""
    geoserver.faults()
    result = publish_plan(plan, geoserver.client())
    assert geoserver.state() == reference
    assert result.of("featuretype") in ({"exemple-valide": Outcome.CREATED}, {"exemple-valide": Outcome.UNCHANGED})
    return result


def attempts(geoserver, method, regex, after=0, log=None):
    """The requests matching the fault's rule, from the first one it could hit."""
    import re

    entries = geoserver.log() if log is None else log
    return [e for e in entries if e["method"] == method and re.search(regex, e["path"])][after:]


def replays(geoserver, method, regex, after):
    """How many more matching requests than in a fault-free run (the same rule may match later steps too)."""
    clean = attempts(geoserver, method, regex, after, geoserver.clean_log)
    return len(attempts(geoserver, method, regex, after)) - len(clean)


def fault(method, regex, after, **action):
    return {"method": method, "path": regex, "after": after, **action}


@pytest.mark.parametrize(("step", "method", "regex", "resource", "after"), STEPS, ids=IDS)
def test_500_gives_clear_error_then_rerun_converges(geoserver, plan, reference, step, method, regex, resource, after):
    geoserver.faults(fault(method, regex, after, action="status", status=500,
                           body="java.lang.RuntimeException: disk full"))  # fmt: skip
    with pytest.raises(RemoteError) as info:
        publish_plan(plan, geoserver.client())
    assert info.value.status == 500
    assert str(info.value).startswith(f"{resource}")
    assert "failed: 500 java.lang.RuntimeException: disk full" in info.value.message
    assert "Run again" in info.value.hint
    assert len(attempts(geoserver, method, regex, after)) == 1  # a 500 is not retried
    converge(geoserver, plan, reference)


@pytest.mark.parametrize(("step", "method", "regex", "resource", "after"), STEPS, ids=IDS)
def test_503_once_is_retried_or_reported(geoserver, plan, reference, step, method, regex, resource, after):
    geoserver.faults(fault(method, regex, after, action="status", status=503))
    if method == "POST":  # never replayed blindly: a duplicate POST is a 500 in GeoServer (contract §6)
        with pytest.raises(RemoteError, match="failed: 503") as info:
            publish_plan(plan, geoserver.client())
        assert "overloaded or restarting" in info.value.hint
        assert len(attempts(geoserver, method, regex, after)) == 1
        converge(geoserver, plan, reference)
    else:
        publish_plan(plan, geoserver.client())
        statuses = [e["status"] for e in attempts(geoserver, method, regex, after)]
        assert statuses[0] == 503 and statuses[1] in (200, 201, 404), statuses
        assert geoserver.state() == reference


@pytest.mark.parametrize(("step", "method", "regex", "resource", "after"), STEPS, ids=IDS)
def test_connection_reset_is_retried_or_rerun_converges(geoserver, plan, reference, step, method, regex, resource,
                                                        after):  # fmt: skip
    geoserver.faults(fault(method, regex, after, action="reset"))
    if method == "POST":
        with pytest.raises(NetworkError, match=r"Cannot reach|failed"):
            publish_plan(plan, geoserver.client())
        converge(geoserver, plan, reference)
    else:
        publish_plan(plan, geoserver.client())
        assert len(attempts(geoserver, method, regex, after)) >= 2
        assert geoserver.state() == reference


@pytest.mark.parametrize(("step", "method", "regex", "resource", "after"), STEPS, ids=IDS)
def test_timeout_is_retried_or_rerun_converges(geoserver, plan, reference, step, method, regex, resource, after):
    """The server answers after the client's read timeout. GET/PUT: retried (the retry is answered); POST: not
    replayed (it may have taken effect, and it did): NetworkError, and the re-run finds what it created."""
    geoserver.faults(fault(method, regex, after, action="delay", seconds=DELAY))
    client = geoserver.client(timeout=(2.0, READ_TIMEOUT))
    if method == "POST":
        with pytest.raises(NetworkError, match="timed out"):
            publish_plan(plan, client)
        converge(geoserver, plan, reference)
        assert len(attempts(geoserver, method, regex, after)) == 1  # the re-run created nothing twice
    else:
        publish_plan(plan, client)
        assert replays(geoserver, method, regex, after) == 1  # the timed-out attempt, then its retry
        assert geoserver.state() == reference


@pytest.mark.parametrize(("step", "method", "regex", "resource", "after"), WRITES, ids=[s[0] for s in WRITES])
def test_write_whose_answer_is_lost(geoserver, plan, reference, step, method, regex, resource, after):
    """The write took effect, then the connection dropped before the answer. PUT: replayed (idempotent), same
    final state; POST: NetworkError, and the re-run GETs first and creates no duplicate."""
    geoserver.faults(fault(method, regex, after, action="reset_after"))
    if method == "POST":
        with pytest.raises(NetworkError):
            publish_plan(plan, geoserver.client())
        converge(geoserver, plan, reference)
        assert len(attempts(geoserver, method, regex, after)) == 1  # created once, by the first run
    else:
        publish_plan(plan, geoserver.client())
        seen = attempts(geoserver, method, regex, after)
        assert str(seen[0]["status"]).endswith("+reset") and replays(geoserver, method, regex, after) == 1, seen
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


# ---------------------------------------------------------------- faults while RE-publishing over a publication
#: the re-publish changes everything: the GeoPackage (one trail less), the title and the style (a new one)
REPUBLISH_STEPS = [
    ("layer name check", "GET", r"/layers/[^/]+\.json$", 0),  # before anything is written (issue #14, item 14)
    ("store read", "GET", r"/datastores/[^/]+\.json$", 0),
    ("upload", "PUT", r"/file\.gpkg$", 0),
    ("store reset", "PUT", r"/datastores/[^/]+/reset$", 0),
    ("feature type read", "GET", r"/featuretypes/[^/]+\.json$", 0),
    ("feature type update", "PUT", r"/featuretypes/[^/.]+$", 0),
    ("style read", "GET", r"/styles/[^/]+\.json$", 0),
    ("style create", "POST", r"/styles$", 0),
    ("style upload", "PUT", r"/styles/[^/.]+$", 0),
    ("layer read", "GET", r"/layers/[^/]+\.json$", 1),  # the second read: the first is the name check
    ("layer update", "PUT", r"/layers/[^/.]+$", 0),
    ("store record", "PUT", r"/datastores/[^/.]+$", 0),
]
#: until the store is reset, the replaced GeoPackage is served stale: WFS answers the previous data
BEFORE_SWITCH = {"layer name check", "store read", "upload", "store reset"}
FAULTS = {
    "500": {"action": "status", "status": 500, "body": "java.lang.RuntimeException: disk full"},
    "answer-lost": {"action": "reset_after"},
    "timeout": {"action": "delay", "seconds": DELAY},
}


@pytest.fixture
def republish(geoserver, outputs, tmp_path):
    """Two publications of the same store: (old plan, new plan, state after both, old count, new count)."""
    from odl_geo.publishers.geoserver import PublishOptions, plan_publication

    from .test_geoserver_publish import TEST_SLD

    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    shutil.copy2(next(outputs["hiking"].glob("*.gpkg")), old_dir / "trails.gpkg")
    shutil.copy2(old_dir / "trails.gpkg", new_dir / "trails.gpkg")
    con = sqlite3.connect(new_dir / "trails.gpkg")
    table = con.execute("SELECT table_name FROM gpkg_contents").fetchone()[0]
    con.execute(f'DELETE FROM "{table}" WHERE fid = (SELECT max(fid) FROM "{table}")')
    con.commit()
    con.close()
    old = plan_publication(old_dir / "trails.gpkg", "refaults", PublishOptions(title="Sentiers", style=style_for(
        "hiking")))  # fmt: skip
    new = plan_publication(new_dir / "trails.gpkg", "refaults", PublishOptions(title="Sentiers balisés",
                                                                               style=TEST_SLD))  # fmt: skip
    publish_plan(old, geoserver.client())
    publish_plan(new, geoserver.client())
    state = geoserver.state()
    geoserver._ctl("POST", "reset")
    publish_plan(old, geoserver.client())
    return old, new, state, old.layers[0].feature_count, new.layers[0].feature_count


def wfs_count(geoserver, plan):
    (check,) = verify_publication(plan, geoserver.url, geoserver.credentials)
    assert check.in_capabilities and check.image_ok, check.problem  # usable: listed and drawn
    return check.feature_count


@pytest.mark.parametrize("kind", list(FAULTS))
@pytest.mark.parametrize(("step", "method", "regex", "after"), REPUBLISH_STEPS, ids=[s[0] for s in REPUBLISH_STEPS])
def test_fault_during_a_republish_keeps_the_publication_usable_and_a_rerun_converges(
    geoserver, republish, step, method, regex, after, kind
):
    _, new, reference, old_count, new_count = republish
    assert (old_count, new_count) == (8, 7)
    geoserver.clear_log()
    geoserver.faults(fault(method, regex, after, **FAULTS[kind]))
    client = geoserver.client(timeout=(2.0, READ_TIMEOUT))
    try:
        publish_plan(new, client)
        failed = False
    except (RemoteError, NetworkError):
        failed = True
    assert geoserver.fired()[0].get("fired") == 1  # the fault hit the step it names
    retried = kind != "500" and method != "POST"  # GET/PUT are replayed by the transport: the run completes
    assert failed is not retried
    # meanwhile the layer stays served: old data if the run stopped before the store switched, else the new
    expected = old_count if failed and step in BEFORE_SWITCH else new_count
    assert wfs_count(geoserver, new) == expected
    geoserver.faults()
    publish_plan(new, geoserver.client())  # the re-run completes the re-publication
    assert geoserver.state() == reference
    assert wfs_count(geoserver, new) == new_count
