import sys

from odl_geo.exports.catalog import FORMAT_LABELS
from odl_geo.exports.registry import WRITERS, writer_class


def test_catalog_matches_the_writers():
    assert {k: writer_class(k).label for k in WRITERS} == FORMAT_LABELS
    assert all(writer_class(k).key == k for k in WRITERS)


def test_a_writer_module_is_imported_when_its_format_is_asked_for():
    """The registry imports no writer up front: asking for GeoJSON and CSV does not bring lxml (KML) or Arrow's
    Parquet (GeoParquet) into a process (checked in a fresh interpreter)."""
    import subprocess

    code = (
        "import sys; from odl_geo.exports.registry import writers_for; writers_for(['geojson', 'csv']); "
        "print(sorted(m for m in ('lxml.etree', 'pyarrow.parquet', 'odl_geo.exports.kml', "
        "'odl_geo.exports.geoparquet', 'odl_geo.exports.csv', 'odl_geo.exports.geojson') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['odl_geo.exports.csv', 'odl_geo.exports.geojson']"
