"""QGIS tests run headless under pytest-qgis (Debian QGIS 3.22); every test here is marked ``qgis``."""

from __future__ import annotations

import sys

import pytest

sys.path.append("/usr/share/qgis/python/plugins")  # Debian's Processing plugin


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/qgis/" in str(item.fspath):
            item.add_marker(pytest.mark.qgis)
