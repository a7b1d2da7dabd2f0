"""What odl-geo publishes is harvestable by data.gouv.fr, proven with udata's OWN harvesters (udata 17.18 in
``.venv-udata``, mongomock in its process): ``csw-iso-19139`` (what data.gouv.fr uses for geographic catalogues)
against the real pycsw odl-geo published to, and ``dcat`` on the DCAT-AP catalogue odl-geo writes, served by
http.server. A second harvest after a change updates the same datasets, never duplicates them."""

from __future__ import annotations

import pytest

from odl_geo.publishers.csw import Outcome, load_record, publish_record
from odl_geo.publishers.csw.harvest_check import describe_fr, preview_harvest

from .themes import METADATA, build, write_catalogue, write_iso

pytestmark = [pytest.mark.server, pytest.mark.slow]

DATAGOUV_LICENCE = {"lov2": "lov2", "odbl": "odc-odbl"}


def _close(box, expected, tol=1e-4):
    return all(abs(a - b) <= tol for a, b in zip(box, expected, strict=True))


def _bbox(geom):
    xs, ys = [], []

    def walk(node):
        if isinstance(node[0], int | float):
            xs.append(node[0])
            ys.append(node[1])
        else:
            for child in node:
                walk(child)

    walk(geom["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def _check_dataset(d, theme, record):
    """A harvested dataset against the record odl-geo built from the theme's metadata."""
    meta = METADATA[theme]
    assert d["title"] == record.title == meta["title"]
    assert d["license"] == DATAGOUV_LICENCE[meta["licence"]], (theme, d["license"])
    for word in meta["keywords"]:  # udata slugifies tags: "eau potable" -> "eau-potable"
        slug = word.lower().replace(" ", "-").replace("é", "e").replace("è", "e")
        assert slug in d["tags"], (theme, word, d["tags"])
    assert d["spatial_geom"] is not None, theme
    assert _close(_bbox(d["spatial_geom"]), record.extent.wgs84), (theme, d["spatial_geom"])
    urls = {r["url"] for r in d["resources"]}
    assert urls and all(u.startswith("http") for u in urls), theme
    assert any(u.startswith(meta["links"]["download"]) for u in urls), (theme, urls)


def test_csw_iso_19139_harvests_what_odl_geo_published(pycsw, theme_folders, harvester):
    client = pycsw.client()
    records = {}
    for theme, folder in theme_folders.items():
        assert publish_record(client, load_record(folder)).outcome is Outcome.CREATED
        records[theme] = write_iso(folder, theme)  # same record again: returns the model for the assertions
    udata = harvester("csw-iso-19139", pycsw.url)
    first = udata.run()
    assert first["status"] == "done", first
    assert sorted(i["status"] for i in first["items"]) == ["done"] * 3, first["items"]
    by_remote = {d["remote_id"]: d for d in first["datasets"]}
    assert len(first["datasets"]) == 3
    for theme, record in records.items():
        d = by_remote[record.identifier.uri]  # udata keys a CSW record by its dct:identifier
        _check_dataset(d, theme, record)
        # the identifier udata keeps comes from the record's codeSpace + code (INSPIRE unique resource identifier)
        assert d["dct_identifier"] == record.identifier.uri, (theme, d["dct_identifier"])
    # a change published (UPDATED) then harvested again: the same dataset is updated, none added
    changed = write_iso(theme_folders["water"], "water", title="Bornes fontaines de Montpellier (mise à jour)")
    assert publish_record(client, load_record(theme_folders["water"])).outcome is Outcome.UPDATED
    second = udata.run()
    assert second["status"] == "done", second
    assert len(second["datasets"]) == 3
    assert {d["id"] for d in second["datasets"]} == {d["id"] for d in first["datasets"]}
    after = {d["remote_id"]: d for d in second["datasets"]}
    assert after[changed.identifier.uri]["title"] == "Bornes fontaines de Montpellier (mise à jour)"
    assert after[records["hiking"].identifier.uri]["title"] == METADATA["hiking"]["title"]


def test_dcat_backend_harvests_the_catalogue_odl_geo_writes(theme_folders, harvester, www):
    root, base = www
    url = f"{base}/catalogue.rdf"
    records = {theme: build(folder, theme) for theme, folder in theme_folders.items()}
    write_catalogue(root / "catalogue.rdf", list(records.values()), url)
    udata = harvester("dcat", url)
    first = udata.run()
    assert first["status"] == "done", first
    assert len(first["datasets"]) == 3, first
    by_title = {d["title"]: d for d in first["datasets"]}
    for theme, record in records.items():
        d = by_title[record.title]
        _check_dataset(d, theme, record)
        assert d["dct_identifier"] == record.identifier.uri
        # through DCAT each download keeps its own format (the ISO path cannot: see docs/metadata.md)
        for r in d["resources"]:
            ext = r["url"].rsplit(".", 1)[-1]
            if ext in ("gpkg", "geojson", "csv"):
                assert r["format"] == ext, (theme, r)
    # the catalogue rewritten with one title changed: updated in place, no duplicate
    records["flood"] = build(theme_folders["flood"], "flood", title="PPRn du Bourg-d'Oisans (révision)")
    write_catalogue(root / "catalogue.rdf", list(records.values()), url)
    second = udata.run()
    assert second["status"] == "done", second
    assert len(second["datasets"]) == 3
    assert {d["id"] for d in second["datasets"]} == {d["id"] for d in first["datasets"]}
    assert "PPRn du Bourg-d'Oisans (révision)" in {d["title"] for d in second["datasets"]}


def test_check_harvest_preview_agrees_with_the_real_harvest(pycsw, theme_folders, harvester):
    """`--check-harvest` (udata's preview mode, before publishing) shows what the real harvest then creates."""
    folder = theme_folders["water"]
    [preview] = preview_harvest([folder / "metadata.xml"])
    publish_record(pycsw.client(), load_record(folder))
    [real] = harvester("csw-iso-19139", pycsw.url).run()["datasets"]
    assert preview.ok and preview.title == real["title"]
    assert preview.licence == real["license"] == "odc-odbl"
    assert list(preview.tags) == real["tags"]
    assert preview.identifier == real["dct_identifier"]
    assert _close(preview.bbox, _bbox(real["spatial_geom"]))
    assert sorted(r["url"] for r in preview.resources) == sorted(r["url"] for r in real["resources"])
    # the contact point comes across in both (udata's own preview mode drops it: the check runs a real harvest on
    # a throwaway database), with the record's e-mail, as the point of contact and as the owner (rights holder)
    real_contacts = sorted((c["name"], c["email"], c["role"]) for c in real["contact_points"])
    assert ("Ville de Montpellier", "opendata@montpellier.fr", "contact") in real_contacts, real_contacts
    assert ("Ville de Montpellier", "opendata@montpellier.fr", "rightsHolder") in real_contacts, real_contacts
    roles = {"contact": "point de contact", "rightsHolder": "détenteur des droits"}
    assert preview.contacts == tuple(f"{c['name']} <{c['email']}> ({roles[c['role']]})" for c in real["contact_points"])
    lines = describe_fr(preview)
    assert lines[0] == "Titre : Bornes fontaines de Montpellier"
    assert "Licence : reconnue, Open Data Commons Open Database License (ODbL) (odc-odbl)" in lines
    assert all("affichera le format" in line for line in lines if line.startswith("ATTENTION")), lines
