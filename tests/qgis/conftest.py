"""QGIS tests run headless under pytest-qgis (Debian QGIS 3.22); every test here is marked ``qgis``."""

from __future__ import annotations

import sys

import pytest

sys.path.append("/usr/share/qgis/python/plugins")  # Debian's Processing plugin


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/qgis/" in str(item.fspath):
            item.add_marker(pytest.mark.qgis)


#: wheels that carry their own GDAL/PROJ/GEOS: in the QGIS process they bind to QGIS's copies and crash QGIS
FORBIDDEN_IN_QGIS = ("pyogrio", "pyproj", "fiona", "shapely")


@pytest.fixture(scope="session", autouse=True)
def _no_gdal_wheels_in_the_qgis_process():
    """The plugin must run odl-geo's GDAL work in its worker process, never import those wheels into QGIS."""
    yield
    loaded = [m for m in FORBIDDEN_IN_QGIS if m in sys.modules]
    assert not loaded, f"imported into the QGIS process: {loaded} (use the worker, see qgis_plugin/worker.py)"


@pytest.fixture(scope="session")
def odl_geo_cli():
    """Run the odl-geo command line in a separate process (as the plugin's worker does); returns the JSON result."""
    import json
    import subprocess

    def run(*args: str) -> dict:
        res = subprocess.run(
            [sys.executable, "-m", "odl_geo.cli.main", *args, "--json"], capture_output=True, text=True, check=False
        )
        assert res.returncode == 0, res.stderr + res.stdout
        return json.loads(res.stdout)

    return run


@pytest.fixture
def plugin(qgis_iface):
    """The plugin loaded as QGIS loads it (initGui), unloaded after the test."""
    from qgis_plugin import classFactory

    p = classFactory(qgis_iface)
    p.initGui()
    yield p
    p.unload()
