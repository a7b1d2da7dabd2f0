"""Fixtures of the conversion-core unit tests (the shared-data fixtures live in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable


@pytest.fixture
def snapshot(request: pytest.FixtureRequest) -> Callable[[Path], dict[str, str]]:
    """``snapshot(folder)``: name -> sha256 of every file below ``folder``, from tests/conftest.py.

    Fetched through the plugin manager because ``import conftest`` resolves to whichever conftest pytest
    loaded last (tests/qgis has one too).
    """
    root = request.config.pluginmanager.get_plugin(str(Path(__file__).resolve().parents[1] / "conftest.py"))
    assert root is not None, "tests/conftest.py was not loaded"
    return root.snapshot
