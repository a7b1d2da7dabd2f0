"""The checks run, and their fixes apply, in the families' order whatever a program imported first."""

from __future__ import annotations

import subprocess
import sys

import pytest

_ORDER = """
{first}
from odl_geo.checks import registry
from odl_geo.checks.runner import load_checks
load_checks()
print(",".join(registry.REGISTRY))
"""


def _order(first: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _ORDER.format(first=first)], capture_output=True, text=True,
                          check=True)  # fmt: skip
    return done.stdout.strip().split(",")


@pytest.mark.parametrize(
    "first", ["import odl_geo.checks.duplicates", "import odl_geo.checks.text, odl_geo.checks.dates"]
)
def test_registry_order_does_not_depend_on_what_was_imported_first(first):
    reference = _order("")
    assert len(reference) > 10
    assert _order(first) == reference
    assert reference[0].startswith("GEOM_")  # the geometry family, declared first, runs first
