from odl_geo.exports.catalog import FORMAT_LABELS
from odl_geo.exports.registry import FORMATS


def test_catalog_matches_the_writers():
    assert {k: w.label for k, w in FORMATS.items()} == FORMAT_LABELS
