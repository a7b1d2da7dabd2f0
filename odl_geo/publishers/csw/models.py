"""What a CSW exchanges: ISO 19139 records, CSW-T and GetRecords payloads (built with lxml and OWSLib's filter
encoding, never by string concatenation), and the parsed answers (transaction summaries, found records,
exception reports)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from lxml import etree
from owslib.fes import And, BBox, PropertyIsLike

from ...errors import InputError
from .endpoints import CSW_NS, GMD_NS

__all__ = [
    "CRS84",
    "NS",
    "CswRecord",
    "ExceptionReport",
    "FoundRecord",
    "Outcome",
    "TransactionSummary",
    "getrecords_payload",
    "transaction_payload",
]

NS = {
    "csw": CSW_NS,
    "gmd": GMD_NS,
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "ows": "http://www.opengis.net/ows",
    "ogc": "http://www.opengis.net/ogc",
    "dc": "http://purl.org/dc/elements/1.1/",
}
#: lon/lat order in a BBOX filter: pycsw reads a BBOX without srsName (or EPSG:4326) as lat/lon and finds nothing
CRS84 = "urn:ogc:def:crs:OGC:1.3:CRS84"
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=False)


class Outcome(enum.StrEnum):
    """What publishing did to the record (same vocabulary as the other publishers)."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


def parse_xml(data: bytes) -> etree._Element | None:
    """The root element, or None when ``data`` is not XML (an HTML login page, a proxy error)."""
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:
        return None


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _signature(node: etree._Element, skip: frozenset[str]) -> tuple[Any, ...]:
    """The content of an element as nested tuples (tag, attributes, stripped text, children), prefix-independent:
    a catalogue may re-indent or move namespace declarations of what it stores."""
    children = tuple(_signature(c, skip) for c in node if isinstance(c.tag, str) and c.tag not in skip)
    return (node.tag, tuple(sorted(node.attrib.items())), (node.text or "").strip(), children)


#: the metadata date changes each time a record is rebuilt, even when nothing in it changed
_BOX_SIDES = ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude")
_VOLATILE = frozenset({f"{{{GMD_NS}}}dateStamp"})


@dataclass(frozen=True)
class CswRecord:
    """An ISO 19139 record (``gmd:MD_Metadata``) with what the publisher needs to know of it.

    ``xml`` holds the record without XML declaration, ready to sit inside a ``csw:Insert``/``csw:Update``.
    """

    identifier: str
    title: str
    date_stamp: str
    bbox: tuple[float, float, float, float] | None  # west, south, east, north (WGS 84)
    xml: bytes

    @classmethod
    def from_xml(cls, data: bytes, source: str = "metadata.xml") -> CswRecord:
        """:raises InputError: not XML, not a ``gmd:MD_Metadata``, or without ``gmd:fileIdentifier``."""
        root = parse_xml(data)
        if root is None:
            raise InputError(
                f"{source} is not XML.",
                "Rebuild it with `odl-geo metadata`.",
                message_fr=f"{source} n'est pas du XML.",
                hint_fr="Reconstruisez la fiche avec `odl-geo metadata`.",
            )
        return cls.from_element(root, source)

    @classmethod
    def from_element(cls, root: etree._Element, source: str = "the record", source_fr: str = "") -> CswRecord:
        """:param source: what the record is, for messages (a path, "the record"); :param source_fr: the same in
        French, at the start of a sentence (default: ``source``, « La fiche » for the default)."""
        label_fr = source_fr or ("La fiche" if source == "the record" else source)
        if root.tag != f"{{{GMD_NS}}}MD_Metadata":
            raise InputError(
                f"{source} is not an ISO 19139 record (root element {etree.QName(root).localname}, "
                "expected gmd:MD_Metadata).",
                "Give the metadata.xml written by `odl-geo metadata`.",
                message_fr=f"{label_fr} n'est pas une fiche ISO 19139 (élément racine "
                f"{etree.QName(root).localname}, gmd:MD_Metadata attendu).",
                hint_fr="Indiquez le metadata.xml écrit par `odl-geo metadata`.",
            )
        identifier = _text(root, "gmd:fileIdentifier/gco:CharacterString")
        if not identifier:
            raise InputError(
                f"{source} has no gmd:fileIdentifier: a catalogue could not update it, only duplicate it.",
                "Rebuild the record with `odl-geo metadata` (it always writes one).",
                message_fr=f"{label_fr} n'a pas de gmd:fileIdentifier : un catalogue ne pourrait pas mettre à jour "
                "la fiche, seulement la dupliquer.",
                hint_fr="Reconstruisez la fiche avec `odl-geo metadata` (il écrit toujours cet identifiant).",
            )
        cit = "gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation/gmd:title/"
        title = _text(root, cit + "gco:CharacterString") or _text(root, cit + "gmx:Anchor")
        box = root.find("gmd:identificationInfo/*/gmd:extent/gmd:EX_Extent/gmd:geographicElement/"
                        "gmd:EX_GeographicBoundingBox", NS)  # fmt: skip
        bbox = None
        if box is not None:
            try:
                w, e, s, n = (float(_text(box, f"gmd:{k}/gco:Decimal")) for k in _BOX_SIDES)
                bbox = (w, s, e, n)
            except ValueError:
                bbox = None
        date_stamp = _text(root, "gmd:dateStamp/gco:Date") or _text(root, "gmd:dateStamp/gco:DateTime")
        xml = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
        return cls(identifier, title, date_stamp, bbox, xml)

    def signature(self) -> tuple[Any, ...]:
        """What "the same record" means: every element and attribute except the metadata date."""
        root = parse_xml(self.xml)
        assert root is not None  # built from parsed XML
        return _signature(root, _VOLATILE)

    def same_content(self, other: CswRecord) -> bool:
        return self.signature() == other.signature()


@dataclass(frozen=True)
class TransactionSummary:
    inserted: int
    updated: int
    deleted: int

    @classmethod
    def from_payload(cls, root: etree._Element) -> TransactionSummary | None:
        """From a ``csw:TransactionResponse`` (OWSLib never fills these counts: read them here); None otherwise."""
        summary = root.find("csw:TransactionSummary", NS)
        if root.tag != f"{{{CSW_NS}}}TransactionResponse" or summary is None:
            return None

        def count(name: str) -> int:
            text = _text(summary, f"csw:total{name}")
            return int(text) if text.isdigit() else 0

        return cls(count("Inserted"), count("Updated"), count("Deleted"))


@dataclass(frozen=True)
class FoundRecord:
    identifier: str
    title: str


@dataclass(frozen=True)
class ExceptionReport:
    """An ``ows:ExceptionReport``: CSW servers answer errors with it, often with HTTP 200."""

    code: str
    locator: str
    text: str

    @classmethod
    def from_payload(cls, root: etree._Element) -> ExceptionReport | None:
        if etree.QName(root).localname != "ExceptionReport":
            return None
        exc = next((e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "Exception"),
                   None)  # fmt: skip
        if exc is None:
            return cls("", "", "")
        texts = [(t.text or "").strip() for t in exc.iter() if isinstance(t.tag, str)
                 and etree.QName(t).localname == "ExceptionText"]  # fmt: skip
        return cls(exc.get("exceptionCode", ""), exc.get("locator", ""), " ".join(t for t in texts if t))


def records_from_payload(root: etree._Element) -> tuple[int, list[FoundRecord]]:
    """(numberOfRecordsMatched, records) of a ``csw:GetRecordsResponse`` in ISO 19139."""
    results = root.find("csw:SearchResults", NS)
    if results is None:
        return 0, []
    matched = results.get("numberOfRecordsMatched", "0")
    found = []
    for md in results.findall("gmd:MD_Metadata", NS):
        ident = _text(md, "gmd:fileIdentifier/gco:CharacterString")
        cit = "gmd:identificationInfo/*/gmd:citation/gmd:CI_Citation/gmd:title/"
        found.append(FoundRecord(ident, _text(md, cit + "gco:CharacterString") or _text(md, cit + "gmx:Anchor")))
    return (int(matched) if matched.isdigit() else len(found)), found


def stored_record(root: etree._Element) -> etree._Element | None:
    """The ``gmd:MD_Metadata`` of a ``csw:GetRecordByIdResponse`` (None: no record with that id)."""
    return root.find("gmd:MD_Metadata", NS)


def transaction_payload(kind: str, record: CswRecord) -> bytes:
    """``csw:Transaction`` with one ``csw:Insert`` or ``csw:Update`` (full record, matched by its fileIdentifier)."""
    if kind not in ("Insert", "Update"):
        raise ValueError(kind)
    root = etree.Element(f"{{{CSW_NS}}}Transaction", nsmap={"csw": CSW_NS}, service="CSW", version="2.0.2")
    action = etree.SubElement(root, f"{{{CSW_NS}}}{kind}")
    md = parse_xml(record.xml)
    assert md is not None
    action.append(md)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def getrecords_payload(
    text: str | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    max_records: int = 50,
) -> bytes:
    """``csw:GetRecords`` of ``gmd:MD_Metadata`` in ISO 19139 (``full``), filtered by free text (``csw:AnyText``
    like ``%text%``) and/or a WGS 84 box (lon/lat, CRS84), the filter encoded by OWSLib."""
    constraints: list[Any] = []
    if text:
        constraints.append(PropertyIsLike("csw:AnyText", f"%{text}%"))
    if bbox:
        constraints.append(BBox(list(bbox), crs=CRS84))
    root = etree.Element(
        f"{{{CSW_NS}}}GetRecords",
        nsmap={"csw": CSW_NS, "ogc": NS["ogc"], "gmd": GMD_NS},
        service="CSW", version="2.0.2", resultType="results", startPosition="1", maxRecords=str(max_records),
        outputSchema=GMD_NS, outputFormat="application/xml",
    )  # fmt: skip
    query = etree.SubElement(root, f"{{{CSW_NS}}}Query", typeNames="gmd:MD_Metadata")
    etree.SubElement(query, f"{{{CSW_NS}}}ElementSetName").text = "full"
    if constraints:
        c = etree.SubElement(query, f"{{{CSW_NS}}}Constraint", version="1.1.0")
        flt = etree.SubElement(c, f"{{{NS['ogc']}}}Filter")
        flt.append(constraints[0].toXML() if len(constraints) == 1 else And(constraints).toXML())
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)
