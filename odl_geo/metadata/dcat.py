"""DCAT-AP 2 (with the GeoDCAT-AP properties data.gouv.fr reads) of a :class:`DatasetRecord`, with rdflib.

The same record as the ISO 19139 one, so both say the same thing: ``dct:identifier`` is the ISO codeSpace + code
joined as the SEMIC ISO -> DCAT stylesheet joins them (what data.gouv.fr's ``csw-iso-19139`` harvester computes), the
title, the dates (issued = publication, modified = revision), the licence URL (on the dataset and each distribution,
as udata reads it), ``dct:spatial`` with a ``dcat:bbox`` WKT literal (udata's spatial coverage), the EU frequency
URI (udata's ``frequency``), ``dct:temporal``, keywords, the INSPIRE theme and every distribution.

:func:`catalogue_graph` groups several records into a ``dcat:Catalog``: the document udata's ``dcat`` harvester
reads.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rdflib import Graph
    from rdflib.term import Node

    from .model import DatasetRecord

__all__ = ["catalogue_graph", "dataset_node", "record_graph", "serialize"]

_EU = "http://publications.europa.eu/resource/authority/"
_GSP_WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
_GSP_GML = "http://www.opengis.net/ont/geosparql#gmlLiteral"
#: ISO distributionFormat name (odl_geo.metadata.build.FORMATS) -> EU file-type authority code
_EU_FILE_TYPES = {"GeoPackage": "GPKG", "GeoJSON": "GEOJSON", "CSV": "CSV", "ESRI Shapefile": "SHP", "KML": "KML",
                  "GeoParquet": "PARQUET"}  # fmt: skip


def _ns() -> dict[str, Any]:
    from rdflib import Namespace
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

    return {
        "dcat": DCAT,
        "dct": DCTERMS,
        "foaf": FOAF,
        "rdf": RDF,
        "rdfs": RDFS,
        "xsd": XSD,
        "vcard": Namespace("http://www.w3.org/2006/vcard/ns#"),
        "adms": Namespace("http://www.w3.org/ns/adms#"),
        "locn": Namespace("http://www.w3.org/ns/locn#"),
        "gsp": Namespace("http://www.opengis.net/ont/geosparql#"),
    }


def _bind(graph: Graph) -> None:
    for prefix, ns in _ns().items():
        graph.bind(prefix, ns)


def dataset_node(record: DatasetRecord) -> str:
    """The dataset's URI: the identifier when it is a URI (http(s) or urn), else ``urn:uuid:<code>``."""
    uri = record.identifier.uri
    if uri.startswith(("http://", "https://", "urn:")):
        return uri
    return f"urn:uuid:{record.file_identifier}"


def _add_dataset(graph: Graph, record: DatasetRecord) -> Node:
    from rdflib import BNode, Literal, URIRef

    n = _ns()
    dcat, dct, foaf, rdf, rdfs, xsd, vcard = (n[k] for k in ("dcat", "dct", "foaf", "rdf", "rdfs", "xsd", "vcard"))
    ds = URIRef(dataset_node(record))
    add = graph.add

    def node(role: str) -> BNode:
        """A blank node named after the dataset and its role: the same record serialises to the same bytes.
        The name starts with a letter: RDF/XML's rdf:nodeID must be an XML NCName, and a file identifier may start
        with a digit (udata's dcat harvester, rdflib, refuses "996b…-place")."""
        return BNode(f"n{record.file_identifier}-{role}")

    add((ds, rdf.type, dcat.Dataset))
    add((ds, dct.identifier, Literal(record.identifier.uri)))
    add((ds, dct.title, Literal(record.title, lang="fr")))
    add((ds, dct.description, Literal(record.abstract, lang="fr")))
    add((ds, dct.issued, Literal(record.dates.publication.isoformat(), datatype=xsd.date)))
    add((ds, dct.modified, Literal(record.dates.revision.isoformat(), datatype=xsd.date)))
    add((ds, dct.created, Literal(record.dates.creation.isoformat(), datatype=xsd.date)))
    add((ds, dct.language, URIRef(f"{_EU}language/FRA")))
    for label in record.keyword_labels:
        add((ds, dcat.keyword, Literal(label, lang="fr")))
    add((ds, dcat.theme, URIRef(record.inspire_theme.uri)))
    add((ds, dct.accrualPeriodicity, URIRef(record.frequency.eu_uri)))
    add((ds, dct.license, URIRef(record.licence.url)))
    add((ds, dct.accessRights, URIRef(record.access_constraints[0])))
    add((ds, dct.accessRights, URIRef(f"{_EU}access-right/PUBLIC")))
    w, s, e, no = record.extent.wgs84
    place = node("place")
    add((ds, dct.spatial, place))
    add((place, rdf.type, dct.Location))
    wkt = f"POLYGON(({w} {s},{w} {no},{e} {no},{e} {s},{w} {s}))"
    add((place, dcat.bbox, Literal(wkt, datatype=URIRef(_GSP_WKT))))
    if record.extent.lambert93 is not None:
        # the same place in Lambert-93 (GeoDCAT-AP: locn:geometry as a GML literal naming its CRS). GML, not WKT:
        # udata merges every WKT literal of dct:spatial into its spatial coverage, read as WGS 84; it skips GML
        from lxml import etree

        from .iso19139 import lambert93_polygon

        gml = etree.tostring(lambert93_polygon(None, record.extent.lambert93), encoding="unicode")
        add((place, n["locn"].geometry, Literal(gml, datatype=URIRef(_GSP_GML))))
    if record.temporal is not None:
        period = node("period")
        add((ds, dct.temporal, period))
        add((period, rdf.type, dct.PeriodOfTime))
        if record.temporal.start:
            add((period, dcat.startDate, Literal(record.temporal.start.isoformat(), datatype=xsd.date)))
        if record.temporal.end:
            add((period, dcat.endDate, Literal(record.temporal.end.isoformat(), datatype=xsd.date)))
    if record.resolution is not None and record.resolution.distance_m is not None:
        add((ds, dcat.spatialResolutionInMeters, Literal(record.resolution.distance_m, datatype=xsd.decimal)))
    contact = node("contact")
    add((ds, dcat.contactPoint, contact))
    add((contact, rdf.type, vcard.Organization))
    add((contact, vcard.fn, Literal(record.metadata_contact.organisation)))
    add((contact, vcard.hasEmail, URIRef(f"mailto:{record.metadata_contact.email}")))
    publisher = node("publisher")
    add((ds, dct.publisher, publisher))
    add((publisher, rdf.type, foaf.Agent))
    add((publisher, foaf.name, Literal(record.producer.organisation)))
    add((publisher, foaf.mbox, URIRef(f"mailto:{record.producer.email}")))
    if record.schema is not None and record.schema.url:
        add((ds, dct.conformsTo, URIRef(record.schema.url)))
    for c in record.conformity:
        if c.result == "pass" and c.uri and c.uri != (record.schema.url if record.schema else None):
            add((ds, dct.conformsTo, URIRef(c.uri)))
    lineage = node("lineage")
    add((ds, dct.provenance, lineage))
    add((lineage, rdf.type, dct.ProvenanceStatement))
    add((lineage, rdfs.label, Literal(record.lineage, lang="fr")))
    for i, d in enumerate(record.distributions):
        if d.kind == "page":
            add((ds, dcat.landingPage, URIRef(d.url)))
            continue
        if d.kind == "metadata":
            add((ds, foaf.isPrimaryTopicOf, URIRef(d.url)))
            continue
        dist = URIRef(d.url) if d.kind == "download" else node(f"distribution-{i}")
        add((ds, dcat.distribution, dist))
        add((dist, rdf.type, dcat.Distribution))
        add((dist, dct.title, Literal(d.name or d.url)))
        if d.description:
            add((dist, dct.description, Literal(d.description, lang="fr")))
        add((dist, dcat.accessURL, URIRef(d.url)))
        if d.kind == "download":
            add((dist, dcat.downloadURL, URIRef(d.url)))
        if d.media_type:
            add((dist, dcat.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{d.media_type}")))
        if d.format:  # the EU file-type authority when it has the format (DCAT-AP; udata shows its code: gpkg)
            code = _EU_FILE_TYPES.get(d.format)
            add((dist, dct["format"], URIRef(f"{_EU}file-type/{code}") if code else Literal(d.format)))
        if d.kind in ("wms", "wfs"):
            add((dist, dct.conformsTo, URIRef(f"http://www.opengis.net/def/serviceType/ogc/{d.kind}")))
        add((dist, dct.license, URIRef(record.licence.url)))
    return ds


def record_graph(record: DatasetRecord) -> Graph:
    """The DCAT-AP graph of one dataset."""
    from rdflib import Graph

    graph = Graph()
    _bind(graph)
    _add_dataset(graph, record)
    return graph


def catalogue_graph(
    records: Iterable[DatasetRecord], title: str, description: str, uri: str, publisher: str = ""
) -> Graph:
    """A ``dcat:Catalog`` of several datasets (what udata's ``dcat`` harvester reads from one URL).

    :param uri: the catalogue's own URI (its URL once served).
    """
    from rdflib import BNode, Graph, Literal, URIRef

    n = _ns()
    graph = Graph()
    _bind(graph)
    cat = URIRef(uri)
    graph.add((cat, n["rdf"].type, n["dcat"].Catalog))
    graph.add((cat, n["dct"].title, Literal(title, lang="fr")))
    graph.add((cat, n["dct"].description, Literal(description, lang="fr")))
    graph.add((cat, n["dct"].language, URIRef(f"{_EU}language/FRA")))
    if publisher:
        agent = BNode("catalogue-publisher")
        graph.add((cat, n["dct"].publisher, agent))
        graph.add((agent, n["rdf"].type, n["foaf"].Agent))
        graph.add((agent, n["foaf"].name, Literal(publisher)))
    for record in records:
        graph.add((cat, n["dcat"].dataset, _add_dataset(graph, record)))
    return graph


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def serialize(graph: Graph, fmt: str = "xml") -> bytes:
    """``fmt``: ``"xml"`` (RDF/XML, what harvesters read first), ``"json-ld"`` or ``"turtle"``."""
    if fmt == "json-ld":
        context = {k: str(v) for k, v in _ns().items()}
        doc = json.loads(graph.serialize(format="json-ld", context=context))
        # rdflib emits nodes and values in hash order (random per process); JSON-LD arrays are unordered sets, so
        # sorting them gives the same bytes for the same record (publishers compare checksums)
        text = json.dumps(_sorted(doc), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "xml":
        return _sorted_rdf_xml(graph.serialize(format="xml"))
    else:
        text = graph.serialize(format=fmt)
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def _sorted_rdf_xml(text: str) -> bytes:
    """RDF/XML with its node descriptions and their properties in a fixed order (rdflib writes them in hash
    order, different in every process); order carries no meaning in RDF/XML, so the same graph gives the same
    bytes and a catalogue re-written with nothing new looks unchanged."""
    from lxml import etree

    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(remove_blank_text=True))

    def key(el: etree._Element) -> str:
        return etree.tostring(el, encoding="unicode")

    for node in root:
        children = sorted(node, key=key)
        node[:] = children
    root[:] = sorted(root, key=key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
