"""``make demo`` (scripts/demo.sh) shows ``odl-geo inspect`` on every bundled sample, and each of those runs works."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from odl_geo.cli.main import main
from odl_geo.sources.formats import driver_for

REPO = Path(__file__).resolve().parents[2]


def inspected() -> list[str]:
    lines = (REPO / "scripts/demo.sh").read_text(encoding="utf-8").splitlines()
    return [shlex.split(m.group(1))[0] for line in lines if (m := re.match(r"^run inspect (.+)$", line.strip()))]


def test_demo_inspects_every_bundled_sample() -> None:
    samples = sorted(
        str(p.relative_to(REPO))
        for p in (REPO / "examples").rglob("*")
        if p.is_file() and (driver_for(p.name) or p.suffix == ".zip")
    )
    assert len(samples) == 3  # one per theme: hiking, water, flood
    assert sorted(inspected()) == samples


def test_each_inspect_of_the_demo_succeeds(capsys) -> None:
    for target in inspected():
        assert main(["inspect", str(REPO / target)]) == 0, target
        out = capsys.readouterr().out
        assert "features" in out and "Traceback" not in out
