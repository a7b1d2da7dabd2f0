"""The CSW publisher's payloads and parsers, without a server (the server tests are in tests/server/csw)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from odl_geo.errors import InputError
from odl_geo.publishers.csw.models import (
    NS,
    CswRecord,
    ExceptionReport,
    TransactionSummary,
    getrecords_payload,
    transaction_payload,
)

SAMPLE = Path(__file__).resolve().parents[1] / "server" / "csw" / "data" / "sample-record.xml"


def test_record_fields_and_content_signature():
    record = CswRecord.from_xml(SAMPLE.read_bytes())
    assert record.identifier == "odl-geo-test-sample"
    assert record.title == "Bornes fontaines de Montpellier (exemple)"
    assert record.bbox == (3.80, 43.56, 3.95, 43.65)
    assert record.date_stamp == "2024-05-01"
    # re-indented and with another metadata date: the same content; another title: not
    pretty = etree.tostring(etree.fromstring(record.xml), pretty_print=True)
    assert CswRecord.from_xml(pretty).same_content(record)
    restamped = record.xml.replace(b"<gco:Date>2024-05-01</gco:Date></gmd:dateStamp>",
                                   b"<gco:Date>2030-01-01</gco:Date></gmd:dateStamp>")  # fmt: skip
    assert restamped != record.xml and CswRecord.from_xml(restamped).same_content(record)
    retitled = record.xml.replace(b"(exemple)", b"(autre)")
    assert not CswRecord.from_xml(retitled).same_content(record)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not xml", "is not XML"),
        (b"<a/>", "is not an ISO 19139 record (root element a"),
        (b'<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd"/>', "has no gmd:fileIdentifier"),
    ],
)
def test_bad_records_are_input_errors(data, message):
    with pytest.raises(InputError, match=re.escape(message)):
        CswRecord.from_xml(data, "x.xml")


def test_transaction_payload_holds_the_record_once():
    record = CswRecord.from_xml(SAMPLE.read_bytes())
    for kind in ("Insert", "Update"):
        root = etree.fromstring(transaction_payload(kind, record))
        assert root.tag == f"{{{NS['csw']}}}Transaction" and root.get("service") == "CSW"
        [action] = list(root)
        assert etree.QName(action).localname == kind
        [md] = list(action)
        assert CswRecord.from_element(md).same_content(record)


def test_getrecords_filter_is_lon_lat_crs84():
    root = etree.fromstring(getrecords_payload("fontaines", (3.8, 43.5, 3.9, 43.7)))
    flt = root.find("csw:Query/csw:Constraint/ogc:Filter/ogc:And", NS)
    assert flt is not None
    assert flt.find("ogc:PropertyIsLike/ogc:Literal", NS).text == "%fontaines%"
    env = flt.find("ogc:BBOX/{http://www.opengis.net/gml}Envelope", NS)
    assert env.get("srsName") == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert env.findtext("{http://www.opengis.net/gml}lowerCorner") == "3.8 43.5"
    assert root.find("csw:Query/csw:Constraint", NS) is not None
    assert etree.fromstring(getrecords_payload()).find("csw:Query/csw:Constraint", NS) is None


def test_summary_and_exception_report():
    ok = etree.fromstring(
        b'<csw:TransactionResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:TransactionSummary>'
        b"<csw:totalInserted>1</csw:totalInserted><csw:totalUpdated>0</csw:totalUpdated>"
        b"<csw:totalDeleted>0</csw:totalDeleted></csw:TransactionSummary></csw:TransactionResponse>"
    )
    assert TransactionSummary.from_payload(ok) == TransactionSummary(1, 0, 0)
    report = etree.fromstring(
        b'<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows"><ows:Exception exceptionCode="NoApplicableCode"'
        b' locator="insert"><ows:ExceptionText>Transaction (insert) failed</ows:ExceptionText></ows:Exception>'
        b"</ows:ExceptionReport>"
    )
    assert ExceptionReport.from_payload(report) == ExceptionReport("NoApplicableCode", "insert",
                                                                   "Transaction (insert) failed")  # fmt: skip
    assert ExceptionReport.from_payload(ok) is None and TransactionSummary.from_payload(report) is None
