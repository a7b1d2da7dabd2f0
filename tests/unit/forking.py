"""What the tests of the forked writers and of the pass's child share: the streamed samples, the run's view of its
own threads and memory bar, and the children it forks, recorded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from odl_geo.theme import forked as forked_module
from odl_geo.theme.forked import ForkedTask

if TYPE_CHECKING:
    import pytest

REPO = Path(__file__).resolve().parents[2]
WATER = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True}
#: the streamed themes' samples: source, theme options, reading options
SAMPLES = {
    "water": (REPO / "examples/water/VilleMTP_MTP_Fontaines.csv", WATER, {}),
    "hiking": (REPO / "examples/hiking/cevennes_itineraires.json", {"fix": True, "area": "occitanie"}, {}),
    "pei": (REPO / "tests/data/pei/pei_generated_occitanie.csv",
            {"fix": True, "drop_invalid": True, "area": "occitanie"}, {"source_crs": "EPSG:2154"}),
}  # fmt: skip


def as_a_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run sees what a command's process would: only the threads started during the test count as its other
    threads (an idle server another test left is not the run's), and its memory bar is a command's, not pytest's
    process with every test's imports."""
    real = forked_module._other_threads
    before = real()
    monkeypatch.setattr(forked_module, "_other_threads", lambda: max(0, real() - before))
    monkeypatch.setattr(forked_module, "MEMORY_BUDGET", forked_module._resident() + (1 << 30))


def record_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children the run forks (:class:`ForkedTask`), recorded in the parent."""
    pids: list[int] = []
    original = ForkedTask.__init__

    def spy(self, work, label):  # type: ignore[no-untyped-def]
        original(self, work, label)
        pids.append(self.pid)

    monkeypatch.setattr(ForkedTask, "__init__", spy)
    return pids
