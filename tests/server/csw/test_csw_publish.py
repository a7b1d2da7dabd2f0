"""`odl-geo publish csw` against a real pycsw 2.6.2: the three demo themes' ISO 19139 records (built by
odl_geo.metadata from the converted real data) created, read back, found by text and extent, re-published
without duplicates."""

from __future__ import annotations

import json

import pytest

from odl_geo.cli.main import main
from odl_geo.publishers.csw import CswRecord, Outcome, load_record, publish_record

from .themes import write_iso

pytestmark = pytest.mark.server


def cli(capsys, *argv):
    code = main(["publish", "csw", *map(str, argv), "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_three_themes_published_read_back_and_found(pycsw, theme_folders):
    client = pycsw.client()
    records = {theme: load_record(folder) for theme, folder in theme_folders.items()}
    assert len({r.identifier for r in records.values()}) == 3
    for theme, record in records.items():
        result = publish_record(client, record)
        assert result.outcome is Outcome.CREATED, theme
        assert result.read_back and result.findable, theme
    for theme, record in records.items():
        # GetRecordById (gmd) returns the record as sent: same file identifier, title, content
        stored = client.get_record(record.identifier)
        assert stored is not None
        assert (stored.identifier, stored.title) == (record.identifier, record.title)
        assert stored.same_content(record)
        # GetRecords: a word of the title + the record's own extent finds it, and only it
        word = record.title.split()[-1]
        matched, found = client.search(text=word, bbox=record.bbox)
        assert matched == 1 and [f.identifier for f in found] == [record.identifier], (theme, word)
        # the same text far away (Strasbourg) finds nothing: the box is really applied
        assert client.search(text=word, bbox=(7.7, 48.5, 7.8, 48.6)) == (0, [])
    # the water record lies in Montpellier, not in the Cévennes' box alone
    w, s, e, n = records["water"].bbox
    assert 3.7 < w < e < 4.0 and 43.5 < s < n < 43.7
    _matched, found = client.search(bbox=(w, s, e, n))
    assert records["water"].identifier in {f.identifier for f in found}
    assert client.search()[0] == 3  # three records, no more


def test_republish_unchanged_then_updated_never_duplicated(pycsw, theme_folders, capsys):
    folder = theme_folders["hiking"]
    first = cli(capsys, folder, "--url", pycsw.url)
    assert first["outcome"] == "created" and first["read_back"] and first["findable"]
    assert first["published"] == {"target": "csw", "url": pycsw.url, "identifier": first["identifier"],
                                  "title": "Itinéraires de randonnée des Cévennes", "outcome": "created",
                                  "date_stamp": load_record(folder).date_stamp}  # fmt: skip
    again = cli(capsys, folder, "--url", pycsw.url)
    assert again["outcome"] == "unchanged"
    assert again["requests"] == 3  # GetRecordById, read back, GetRecords: no Transaction
    # the same record with only a new metadata date (gmd:dateStamp): still unchanged, nothing sent
    record = load_record(folder)
    restamped = CswRecord.from_xml(record.xml.replace(f"<gco:Date>{record.date_stamp}</gco:Date>".encode(),
                                                      b"<gco:Date>2031-12-31</gco:Date>", 1))  # fmt: skip
    assert restamped.date_stamp == "2031-12-31" and restamped.xml != record.xml
    kept = publish_record(pycsw.client(), restamped, verify=False)
    assert kept.outcome is Outcome.UNCHANGED and kept.date_stamp == record.date_stamp  # the catalogue's own
    # a real change: the title
    write_iso(folder, "hiking", title="Itinéraires de randonnée des Cévennes (2026)")
    changed = cli(capsys, folder, "--url", pycsw.url)
    assert changed["outcome"] == "updated" and changed["identifier"] == first["identifier"]
    client = pycsw.client()
    assert client.get_record(first["identifier"]).title == "Itinéraires de randonnée des Cévennes (2026)"
    matched, found = client.search(text="Cévennes")
    assert matched == 1 and [f.identifier for f in found] == [first["identifier"]]  # updated, not duplicated


def test_dry_run_sends_no_transaction(pycsw, theme_folders, capsys):
    folder = theme_folders["flood"]
    planned = cli(capsys, folder, "--url", pycsw.url, "--dry-run")
    record = load_record(folder)
    assert planned["dry_run"] is True and planned["outcome"] == "created"
    assert planned["planned_requests"] == [f"POST {pycsw.url} csw:Transaction Insert '{record.identifier}'"]
    assert pycsw.client().get_record(record.identifier) is None
    cli(capsys, folder, "--url", pycsw.url)
    assert cli(capsys, folder, "--url", pycsw.url, "--dry-run")["planned_requests"] == []


def test_human_output(pycsw, theme_folders, capsys):
    code = main(["publish", "csw", str(theme_folders["water"]), "--url", pycsw.url])
    out = capsys.readouterr().out
    assert code == 0
    assert "created: " in out and "« Bornes fontaines de Montpellier »" in out
    assert "read back: ok; search by title and extent: found (1 match)" in out
