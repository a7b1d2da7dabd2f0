"""ISO 19139 XML of a :class:`DatasetRecord`, as INSPIRE's metadata technical guidelines (2017) and the CNIG
recommendations ask for it.

Built with lxml element by element (never by string concatenation: titles hold quotes, ampersands and accents).
The element order is the XSD's; tests validate every demo theme's record against the ISO 19139 schemas (2007)
and :mod:`.inspire_rules`. Choices a validator checks literally:

- the INSPIRE theme keyword is a ``gmx:Anchor`` to the INSPIRE registry, in a ``MD_Keywords`` whose thesaurus is
  titled exactly "GEMET - INSPIRE themes, version 1.0", dated 2008-06-01 (publication);
- conformity is a ``gmd:report/gmd:DQ_DomainConsistency`` with a ``DQ_ConformanceResult`` citing Regulation
  1089/2010 by its exact French title and its date 2010-12-08; "not evaluated" is ``gmd:pass`` with
  ``gco:nilReason="unknown"``;
- access constraints are ``otherRestrictions`` + a ``gmx:Anchor`` to the INSPIRE LimitationsOnPublicAccess
  registry; the licence is a second ``MD_LegalConstraints`` (``useConstraints``) whose ``gmx:Anchor`` points at the
  licence, which data.gouv.fr's ISO -> DCAT conversion turns into ``dct:license``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    import datetime as dt

    from .model import Conformity, DatasetRecord, Distribution, Party, Thesaurus

__all__ = ["NS", "record_to_xml", "to_element"]

NS = {
    "gmd": "http://www.isotc211.org/2005/gmd",
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "gml": "http://www.opengis.net/gml/3.2",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
SCHEMA_LOCATION = "http://www.isotc211.org/2005/gmd http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd"
CODELISTS = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml#"
LANGUAGE_CODELIST = "http://www.loc.gov/standards/iso639-2/"


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{NS[prefix]}}}{local}"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, _q(name))
    for key, value in attrs.items():
        el.set(_q(key.replace("_", ":", 1)) if "_" in key else key, value)
    if text is not None:
        el.text = text
    return el


def _string(parent: etree._Element, name: str, text: str) -> etree._Element:
    prop = _sub(parent, name)
    _sub(prop, "gco:CharacterString", text)
    return prop


def _anchor(parent: etree._Element, name: str, text: str, href: str) -> etree._Element:
    prop = _sub(parent, name)
    _sub(prop, "gmx:Anchor", text, xlink_href=href)
    return prop


def _code(parent: etree._Element, name: str, codelist: str, value: str) -> etree._Element:
    prop = _sub(parent, name)
    _sub(prop, f"gmd:{codelist}", value, codeList=f"{CODELISTS}{codelist}", codeListValue=value)
    return prop


def _language(parent: etree._Element, value: str) -> None:
    prop = _sub(parent, "gmd:language")
    _sub(prop, "gmd:LanguageCode", value, codeList=LANGUAGE_CODELIST, codeListValue=value)


def _date(parent: etree._Element, day: dt.date | None, kind: str) -> None:
    """A ``gmd:date/CI_Date``; an unknown date is ``gco:nilReason="unknown"`` (schema-valid, honest)."""
    if day is None:
        _sub(parent, "gmd:date", gco_nilReason="unknown")
        return
    ci = _sub(_sub(parent, "gmd:date"), "gmd:CI_Date")
    _sub(_sub(ci, "gmd:date"), "gco:Date", day.isoformat())
    _code(ci, "gmd:dateType", "CI_DateTypeCode", kind)


def _party(parent: etree._Element, name: str, party: Party) -> None:
    rp = _sub(_sub(parent, name), "gmd:CI_ResponsibleParty")
    if party.individual:
        _string(rp, "gmd:individualName", party.individual)
    _string(rp, "gmd:organisationName", party.organisation)
    contact = _sub(_sub(rp, "gmd:contactInfo"), "gmd:CI_Contact")
    if party.phone:
        _string(_sub(_sub(contact, "gmd:phone"), "gmd:CI_Telephone"), "gmd:voice", party.phone)
    _string(_sub(_sub(contact, "gmd:address"), "gmd:CI_Address"), "gmd:electronicMailAddress", party.email)
    if party.url:
        online = _sub(_sub(contact, "gmd:onlineResource"), "gmd:CI_OnlineResource")
        _sub(_sub(online, "gmd:linkage"), "gmd:URL", party.url)
    _code(rp, "gmd:role", "CI_RoleCode", party.role)


def _thesaurus(parent: etree._Element, thesaurus: Thesaurus) -> None:
    cit = _sub(_sub(parent, "gmd:thesaurusName"), "gmd:CI_Citation")
    if thesaurus.uri:
        _anchor(cit, "gmd:title", thesaurus.title, thesaurus.uri)
    else:
        _string(cit, "gmd:title", thesaurus.title)
    _date(cit, thesaurus.date, thesaurus.date_type)


def _conformity(dq: etree._Element, c: Conformity) -> None:
    dc = _sub(_sub(dq, "gmd:report"), "gmd:DQ_DomainConsistency")
    result = _sub(_sub(dc, "gmd:result"), "gmd:DQ_ConformanceResult")
    cit = _sub(_sub(result, "gmd:specification"), "gmd:CI_Citation")
    if c.uri:
        _anchor(cit, "gmd:title", c.title, c.uri)
    else:
        _string(cit, "gmd:title", c.title)
    _date(cit, c.date, c.date_type)
    _string(result, "gmd:explanation", c.explanation)
    if c.result == "notEvaluated":
        _sub(result, "gmd:pass", gco_nilReason="unknown")
    else:
        _sub(_sub(result, "gmd:pass"), "gco:Boolean", "true" if c.result == "pass" else "false")


def to_element(record: DatasetRecord) -> etree._Element:
    """The ``gmd:MD_Metadata`` element of ``record``."""
    nsmap = dict(NS.items())
    root = etree.Element(_q("gmd:MD_Metadata"), nsmap=nsmap)
    root.set(_q("xsi:schemaLocation"), SCHEMA_LOCATION)
    _string(root, "gmd:fileIdentifier", record.file_identifier)
    _language(root, record.language)
    _code(root, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    _code(root, "gmd:hierarchyLevel", "MD_ScopeCode", "dataset")
    _party(root, "gmd:contact", record.metadata_contact)
    _sub(_sub(root, "gmd:dateStamp"), "gco:Date", record.metadata_date.isoformat())
    _string(root, "gmd:metadataStandardName", "ISO 19115:2003/19139")
    _string(root, "gmd:metadataStandardVersion", "1.0")
    if record.geometry_types:
        vsr = _sub(_sub(root, "gmd:spatialRepresentationInfo"), "gmd:MD_VectorSpatialRepresentation")
        for kind in record.geometry_types:
            geo = _sub(_sub(vsr, "gmd:geometricObjects"), "gmd:MD_GeometricObjects")
            _code(geo, "gmd:geometricObjectType", "MD_GeometricObjectTypeCode", kind)
            if len(record.geometry_types) == 1:
                _sub(_sub(geo, "gmd:geometricObjectCount"), "gco:Integer", str(record.feature_count))
    for crs, uri in zip(record.crs, record.crs_uris, strict=True):
        rs = _sub(_sub(root, "gmd:referenceSystemInfo"), "gmd:MD_ReferenceSystem")
        _anchor(_sub(_sub(rs, "gmd:referenceSystemIdentifier"), "gmd:RS_Identifier"), "gmd:code", crs, uri)
    _identification(root, record)
    _distribution(root, record)
    _quality(root, record)
    return root


def _identification(root: etree._Element, record: DatasetRecord) -> None:
    ident = _sub(_sub(root, "gmd:identificationInfo"), "gmd:MD_DataIdentification")
    cit = _sub(_sub(ident, "gmd:citation"), "gmd:CI_Citation")
    _string(cit, "gmd:title", record.title)
    _date(cit, record.dates.creation, "creation")
    _date(cit, record.dates.publication, "publication")
    _date(cit, record.dates.revision, "revision")
    rs = _sub(_sub(cit, "gmd:identifier"), "gmd:RS_Identifier")
    _string(rs, "gmd:code", record.identifier.code)
    _string(rs, "gmd:codeSpace", record.identifier.codespace)
    _string(ident, "gmd:abstract", record.abstract)
    for party in record.parties:
        _party(ident, "gmd:pointOfContact", party)
    maintenance = _sub(_sub(ident, "gmd:resourceMaintenance"), "gmd:MD_MaintenanceInformation")
    _code(maintenance, "gmd:maintenanceAndUpdateFrequency", "MD_MaintenanceFrequencyCode", record.frequency.iso)
    for group in record.keywords:
        kw = _sub(_sub(ident, "gmd:descriptiveKeywords"), "gmd:MD_Keywords")
        for k in group.keywords:
            if k.uri:
                _anchor(kw, "gmd:keyword", k.label, k.uri)
            else:
                _string(kw, "gmd:keyword", k.label)
        if group.type:
            _code(kw, "gmd:type", "MD_KeywordTypeCode", group.type)
        if group.thesaurus is not None:
            _thesaurus(kw, group.thesaurus)
    access = _sub(_sub(ident, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _code(access, "gmd:accessConstraints", "MD_RestrictionCode", "otherRestrictions")
    _anchor(access, "gmd:otherConstraints", record.access_constraints[1], record.access_constraints[0])
    use = _sub(_sub(ident, "gmd:resourceConstraints"), "gmd:MD_LegalConstraints")
    _string(use, "gmd:useLimitation", record.use_conditions)
    _code(use, "gmd:useConstraints", "MD_RestrictionCode", "otherRestrictions")
    _anchor(use, "gmd:otherConstraints", record.licence.title, record.licence.url)
    _code(ident, "gmd:spatialRepresentationType", "MD_SpatialRepresentationTypeCode", "vector")
    if record.resolution is not None:
        res = _sub(_sub(ident, "gmd:spatialResolution"), "gmd:MD_Resolution")
        if record.resolution.scale is not None:
            frac = _sub(_sub(res, "gmd:equivalentScale"), "gmd:MD_RepresentativeFraction")
            _sub(_sub(frac, "gmd:denominator"), "gco:Integer", str(record.resolution.scale))
        else:
            _sub(_sub(res, "gmd:distance"), "gco:Distance", f"{record.resolution.distance_m:g}", uom="m")
    _language(ident, record.language)
    _code(ident, "gmd:characterSet", "MD_CharacterSetCode", "utf8")
    for topic in record.topic_categories:
        _sub(_sub(ident, "gmd:topicCategory"), "gmd:MD_TopicCategoryCode", topic)
    extent = _sub(_sub(ident, "gmd:extent"), "gmd:EX_Extent")
    box = _sub(_sub(extent, "gmd:geographicElement"), "gmd:EX_GeographicBoundingBox")
    w, s, e, n = record.extent.wgs84
    for name, value in (("west", w), ("east", e), ("south", s), ("north", n)):
        axis = "Longitude" if name in ("west", "east") else "Latitude"
        _sub(_sub(box, f"gmd:{name}Bound{axis}"), "gco:Decimal", f"{value:.6f}")
    if record.temporal is not None:
        period = _sub(
            _sub(_sub(_sub(extent, "gmd:temporalElement"), "gmd:EX_TemporalExtent"), "gmd:extent"),
            "gml:TimePeriod",
            gml_id="periode-1",
        )
        for tag, day in (("gml:beginPosition", record.temporal.start), ("gml:endPosition", record.temporal.end)):
            if day is None:
                _sub(period, tag, indeterminatePosition="unknown")
            else:
                _sub(period, tag, day.isoformat())
    if record.extent.lambert93 is not None:
        _lambert93_extent(ident, record.extent.lambert93)
    if record.fields:
        lines = [f"{f.layer}.{f.name} ({f.type})" + (f" : {f.label}" if f.label else "") for f in record.fields]
        _string(ident, "gmd:supplementalInformation", "Champs :\n" + "\n".join(lines))


#: the Lambert-93 CRS as INSPIRE and the CNIG name it (http URI of the OGC CRS register)
LAMBERT93_URI = "http://www.opengis.net/def/crs/EPSG/0/2154"


def lambert93_ring(box: tuple[float, float, float, float]) -> str:
    """The closed ring of a Lambert-93 box (easting northing, EPSG:2154's axis order), as a ``gml:posList``."""
    xmin, ymin, xmax, ymax = box
    corners = ((xmin, ymin), (xmin, ymax), (xmax, ymax), (xmax, ymin), (xmin, ymin))
    return " ".join(f"{x:.2f} {y:.2f}" for x, y in corners)


def lambert93_polygon(parent: etree._Element | None, box: tuple[float, float, float, float]) -> etree._Element:
    """``gml:Polygon`` (GML 3.2) of the box in Lambert-93, ``srsName`` the EPSG:2154 URI."""
    attrs = {"gml_id": "emprise-lambert93", "srsName": LAMBERT93_URI, "srsDimension": "2"}
    poly = etree.Element(_q("gml:Polygon"), nsmap={"gml": NS["gml"]}) if parent is None else _sub(parent, "gml:Polygon")
    for key, value in attrs.items():
        poly.set(_q(key.replace("_", ":", 1)) if "_" in key else key, value)
    ring = _sub(_sub(poly, "gml:exterior"), "gml:LinearRing")
    _sub(ring, "gml:posList", lambert93_ring(box))
    return poly


def _lambert93_extent(ident: etree._Element, box: tuple[float, float, float, float]) -> None:
    """The extent in the data's native CRS, Lambert-93, as a second ``EX_Extent``: INSPIRE's TG (2017) require the
    bounding box in WGS 84 (``EX_GeographicBoundingBox``, kept first: what catalogues and data.gouv.fr read) and
    allow further geographic elements; a box in a projected CRS can only be an ``EX_BoundingPolygon`` whose
    ``gml:Polygon`` names its CRS (``srsName``). The CNIG guide asks for the WGS 84 box; the Lambert-93 polygon
    is the extra the issue asks for, ignored by udata's ISO -> DCAT stylesheet (it reads bounding boxes only)."""
    extent = _sub(_sub(ident, "gmd:extent"), "gmd:EX_Extent")
    _string(extent, "gmd:description", "Emprise en Lambert-93 (RGF93 v1 / Lambert-93, EPSG:2154)")
    polygon = _sub(_sub(extent, "gmd:geographicElement"), "gmd:EX_BoundingPolygon")
    _sub(_sub(polygon, "gmd:extentTypeCode"), "gco:Boolean", "true")
    lambert93_polygon(_sub(polygon, "gmd:polygon"), box)


def _online(options: etree._Element, d: Distribution) -> None:
    online = _sub(_sub(options, "gmd:onLine"), "gmd:CI_OnlineResource")
    _sub(_sub(online, "gmd:linkage"), "gmd:URL", d.url)
    _string(online, "gmd:protocol", d.protocol)
    if d.name:
        _string(online, "gmd:name", d.name)
    if d.description:
        _string(online, "gmd:description", d.description)
    _code(online, "gmd:function", "CI_OnLineFunctionCode", d.function)


def _distribution(root: etree._Element, record: DatasetRecord) -> None:
    """Formats, then the links. Downloads of a known format go in one ``gmd:distributor`` block per format
    (``distributorFormat`` + ``distributorTransferOptions``): ISO's way of saying which format each link
    delivers, and what udata's ISO -> DCAT stylesheet reads per link (a link under the distribution's own
    ``transferOptions`` gets every ``distributionFormat`` of the record, so data.gouv.fr showed the first one,
    "gpkg", on a .geojson). Services and pages stay in ``transferOptions``. The distributor is the producer."""
    dist = _sub(_sub(root, "gmd:distributionInfo"), "gmd:MD_Distribution")
    for name, version in record.formats:
        fmt = _sub(_sub(dist, "gmd:distributionFormat"), "gmd:MD_Format")
        _string(fmt, "gmd:name", name)
        _string(fmt, "gmd:version", version)
    versions = dict(record.formats)
    by_format: dict[str, list[Distribution]] = {}
    plain: list[Distribution] = []
    for d in record.distributions:
        if d.kind == "download" and d.format:
            by_format.setdefault(d.format, []).append(d)
        else:
            plain.append(d)
    for name, links in by_format.items():
        distributor = _sub(_sub(dist, "gmd:distributor"), "gmd:MD_Distributor")
        _party(distributor, "gmd:distributorContact", replace(record.producer, role="distributor"))
        fmt = _sub(_sub(distributor, "gmd:distributorFormat"), "gmd:MD_Format")
        _string(fmt, "gmd:name", name)
        _string(fmt, "gmd:version", versions.get(name, ""))
        options = _sub(_sub(distributor, "gmd:distributorTransferOptions"), "gmd:MD_DigitalTransferOptions")
        for d in links:
            _online(options, d)
    if plain:
        options = _sub(_sub(dist, "gmd:transferOptions"), "gmd:MD_DigitalTransferOptions")
        for d in plain:
            _online(options, d)


def _quality(root: etree._Element, record: DatasetRecord) -> None:
    dq = _sub(_sub(root, "gmd:dataQualityInfo"), "gmd:DQ_DataQuality")
    _code(_sub(_sub(dq, "gmd:scope"), "gmd:DQ_Scope"), "gmd:level", "MD_ScopeCode", "dataset")
    for c in record.conformity:
        _conformity(dq, c)
    _string(_sub(_sub(dq, "gmd:lineage"), "gmd:LI_Lineage"), "gmd:statement", record.lineage)


def record_to_xml(record: DatasetRecord) -> bytes:
    """The ISO 19139 document (UTF-8 bytes with an XML declaration), as written to ``metadata.xml`` and sent to
    CSW catalogues."""
    return etree.tostring(to_element(record), xml_declaration=True, encoding="UTF-8", pretty_print=True)
