"""The update frequency, the temporal coverage and the contact point odl-geo writes reach data.gouv.fr through
udata's own harvesters: ``dcat`` on the DCAT-AP catalogue (all three), and ``csw-iso-19139``'s conversion (udata's
preview mode on the ISO 19139 record, what ``--check-harvest`` runs: the frequency)."""

from __future__ import annotations

import datetime as dt

import pytest

from odl_geo.publishers.csw.harvest_check import preview_harvest

from .themes import build, write_catalogue

pytestmark = [pytest.mark.server, pytest.mark.slow]

CHANGES = {
    "frequency": "mensuelle",
    "temporal": {"start": dt.date(2024, 1, 1), "end": dt.date(2024, 12, 31)},
    "contact": {"name": "Service SIG de la Ville", "email": "sig@exemple-montpellier.fr"},
}


def test_dcat_harvest_takes_frequency_temporal_coverage_and_contact(theme_folders, harvester, www):
    root, base = www
    url = f"{base}/catalogue.rdf"
    record = build(theme_folders["water"], "water", **CHANGES)
    assert record.frequency.datagouv == "monthly"
    write_catalogue(root / "catalogue.rdf", [record], url)
    result = harvester("dcat", url).run()
    assert result["status"] == "done", result
    (d,) = result["datasets"]
    assert d["frequency"] == "monthly"
    assert d["temporal_coverage"][0].startswith("2024-01-01") and d["temporal_coverage"][1].startswith("2024-12-31")
    assert ("Service SIG de la Ville", "sig@exemple-montpellier.fr") in {
        (c["name"], c["email"]) for c in d["contact_points"]
    }


def test_iso_record_frequency_through_udata_conversion(theme_folders):
    from odl_geo.metadata.iso19139 import record_to_xml

    folder = theme_folders["water"]
    (folder / "metadata.xml").write_bytes(record_to_xml(build(folder, "water", **CHANGES)))
    [preview] = preview_harvest([folder / "metadata.xml"])
    assert preview.ok, preview.errors
    assert preview.frequency == "monthly"
