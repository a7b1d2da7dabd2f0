"""The INSPIRE mandatory elements of a dataset record (Technical Guidelines for metadata, 2017), as rules on the
ISO 19139 XML itself.

XSD validity says the XML is well formed ISO; it does not say an INSPIRE validator (the EU's, or the Géoportail's)
will accept it: those check that the GEMET theme thesaurus is cited by its exact title and date, that the
conformity report cites Regulation 1089/2010 by its exact title, that the access limitations point at the INSPIRE
registry... Each rule here reads the encoded document (not the Python record), so that what is checked is what is
sent; each says in French and English what is missing. Publishers (CSW, data.gouv.fr) call :func:`require_inspire`
before sending anything.

Severity: ``error`` for the elements INSPIRE makes mandatory; ``warning`` for the conditional ones (spatial
resolution, resource locator) a record may lack for a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree

from ..errors import InputError
from ..numbers import quantity
from ..report import Issue, Severity
from .iso19139 import NS, to_element
from .model import ACCESS_NO_LIMITATIONS, GEMET_INSPIRE_THEMES, REGULATION_1089

if TYPE_CHECKING:
    from collections.abc import Callable

    from .model import DatasetRecord

__all__ = ["RULES", "Rule", "check_iso", "check_record", "require_inspire"]

_ID = "gmd:identificationInfo/gmd:MD_DataIdentification"
_TEXT = "[normalize-space(gco:CharacterString|gmx:Anchor) != '']"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    test: Callable[[etree._Element], bool]
    message_fr: str
    message_en: str


def _has(path: str) -> Callable[[etree._Element], bool]:
    return lambda root: bool(root.xpath(path, namespaces=NS))


def _bbox_ok(root: etree._Element) -> bool:
    boxes = root.xpath(f"{_ID}/gmd:extent/gmd:EX_Extent/gmd:geographicElement/gmd:EX_GeographicBoundingBox",
                       namespaces=NS)  # fmt: skip
    if not boxes:
        return False
    for box in boxes:
        try:
            w, e, s, n = (
                float(box.findtext(f"gmd:{name}/gco:Decimal", namespaces=NS) or "nan")
                for name in ("westBoundLongitude", "eastBoundLongitude", "southBoundLatitude", "northBoundLatitude")
            )
        except ValueError:
            return False
        if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
            return False
    return True


def _temporal_ok(root: etree._Element) -> bool:
    kinds = root.xpath(f"{_ID}/gmd:citation/gmd:CI_Citation/gmd:date/gmd:CI_Date/gmd:dateType/*/@codeListValue",
                       namespaces=NS)  # fmt: skip
    extent = root.xpath(f"{_ID}/gmd:extent/gmd:EX_Extent/gmd:temporalElement", namespaces=NS)
    return (bool(kinds) or bool(extent)) and list(kinds).count("creation") <= 1


def _gemet_ok(root: etree._Element) -> bool:
    t = GEMET_INSPIRE_THEMES
    for kw in root.xpath(f"{_ID}/gmd:descriptiveKeywords/gmd:MD_Keywords", namespaces=NS):
        cit = kw.find("gmd:thesaurusName/gmd:CI_Citation", namespaces=NS)
        if cit is None:
            continue
        title = cit.xpath("string(gmd:title/*)", namespaces=NS).strip()
        day = cit.xpath("string(gmd:date/gmd:CI_Date/gmd:date/gco:Date)", namespaces=NS).strip()
        kind = cit.xpath("string(gmd:date/gmd:CI_Date/gmd:dateType/*/@codeListValue)", namespaces=NS)
        keywords = kw.xpath("gmd:keyword/*", namespaces=NS)
        if title == t.title and day == t.date.isoformat() and kind == t.date_type and keywords:
            return True
    return False


def _regulation_ok(root: etree._Element) -> bool:
    title, day, _uri = REGULATION_1089
    for cit in root.xpath("gmd:dataQualityInfo/*/gmd:report/*/gmd:result/gmd:DQ_ConformanceResult/"
                          "gmd:specification/gmd:CI_Citation", namespaces=NS):  # fmt: skip
        if (
            cit.xpath("string(gmd:title/*)", namespaces=NS).strip() == title
            and cit.xpath("string(gmd:date/gmd:CI_Date/gmd:date/gco:Date)", namespaces=NS).strip() == day.isoformat()
            and cit.getparent().getparent().find("gmd:pass", namespaces=NS) is not None
        ):
            return True
    return False


def _access_ok(root: etree._Element) -> bool:
    registry = ACCESS_NO_LIMITATIONS[0].rsplit("/", 1)[0] + "/"
    for lc in root.xpath(f"{_ID}/gmd:resourceConstraints/gmd:MD_LegalConstraints[gmd:accessConstraints]",
                         namespaces=NS):  # fmt: skip
        hrefs = lc.xpath("gmd:otherConstraints/gmx:Anchor/@xlink:href", namespaces=NS)
        if any(str(h).startswith(registry) for h in hrefs):
            return True
    return False


def _party_ok(path: str) -> Callable[[etree._Element], bool]:
    return _has(
        f"{path}/gmd:CI_ResponsibleParty[gmd:organisationName{_TEXT}]"
        f"[gmd:contactInfo/*/gmd:address/*/gmd:electronicMailAddress{_TEXT}][gmd:role/*/@codeListValue != '']"
    )


E, W = Severity.ERROR, Severity.WARNING
RULES: tuple[Rule, ...] = (
    Rule("MD_FILE_IDENTIFIER", E, _has(f"gmd:fileIdentifier{_TEXT}"),
         "identifiant de la fiche (fileIdentifier) absent", "no metadata file identifier"),
    Rule("MD_LANGUAGE", E, _has("gmd:language/gmd:LanguageCode[@codeListValue != '']"),
         "langue de la fiche absente (gmd:language/LanguageCode, ex. fre)", "no metadata language"),
    Rule("MD_HIERARCHY_LEVEL", E, _has("gmd:hierarchyLevel/gmd:MD_ScopeCode[@codeListValue = 'dataset']"),
         "type de ressource (hierarchyLevel = dataset) absent", "resource type is not 'dataset'"),
    Rule("MD_CONTACT", E, _party_ok("gmd:contact"),
         "point de contact de la fiche (organisme, adresse électronique, rôle) incomplet",
         "metadata point of contact incomplete (organisation, e-mail, role)"),
    Rule("MD_DATE", E, _has("gmd:dateStamp/*[normalize-space() != '']"),
         "date de la fiche (dateStamp) absente", "no metadata date"),
    Rule("RESOURCE_TITLE", E, _has(f"{_ID}/gmd:citation/gmd:CI_Citation/gmd:title{_TEXT}"),
         "titre de la ressource absent", "no resource title"),
    Rule("RESOURCE_ABSTRACT", E, _has(f"{_ID}/gmd:abstract{_TEXT}"),
         "résumé de la ressource absent", "no resource abstract"),
    Rule("RESOURCE_IDENTIFIER", E, _has(f"{_ID}/gmd:citation/gmd:CI_Citation/gmd:identifier/*/gmd:code{_TEXT}"),
         "identificateur de ressource unique (code + codeSpace) absent", "no unique resource identifier"),
    Rule("RESOURCE_LANGUAGE", E, _has(f"{_ID}/gmd:language/gmd:LanguageCode[@codeListValue != '']"),
         "langue de la ressource absente", "no resource language"),
    Rule("TOPIC_CATEGORY", E, _has(f"{_ID}/gmd:topicCategory/gmd:MD_TopicCategoryCode[normalize-space() != '']"),
         "catégorie thématique ISO absente", "no ISO topic category"),
    Rule("INSPIRE_THEME_KEYWORD", E, _gemet_ok,
         "mot-clé de thème INSPIRE absent : il doit venir du thésaurus « GEMET - INSPIRE themes, version 1.0 » "
         "daté du 2008-06-01 (publication)",
         "no INSPIRE theme keyword from 'GEMET - INSPIRE themes, version 1.0' (2008-06-01, publication)"),
    Rule("GEOGRAPHIC_BBOX", E, _bbox_ok,
         "rectangle de délimitation géographique absent ou incohérent (ouest ≤ est, sud ≤ nord, en degrés)",
         "geographic bounding box missing or inconsistent"),
    Rule("TEMPORAL_REFERENCE", E, _temporal_ok,
         "référence temporelle absente (date de création, publication ou révision, ou étendue temporelle ; une "
         "seule date de création)", "no temporal reference (or more than one creation date)"),
    Rule("LINEAGE", E, _has(f"gmd:dataQualityInfo/*/gmd:lineage/*/gmd:statement{_TEXT}"),
         "généalogie (lineage) absente", "no lineage statement"),
    Rule("CONFORMITY_1089", E, _regulation_ok,
         "degré de conformité au règlement (UE) n° 1089/2010 absent ou mal cité (titre exact, date 2010-12-08)",
         "no conformity statement citing Regulation 1089/2010 by its exact title and date"),
    Rule("USE_CONDITIONS", E,
         _has(f"{_ID}/gmd:resourceConstraints/*[gmd:useConstraints]/gmd:otherConstraints/*[normalize-space() != '']"
              f"|{_ID}/gmd:resourceConstraints/*/gmd:useLimitation{_TEXT}"),
         "conditions d'accès et d'utilisation (licence) absentes", "no conditions for access and use (licence)"),
    Rule("ACCESS_LIMITATIONS", E, _access_ok,
         "restrictions d'accès public absentes : accessConstraints otherRestrictions + gmx:Anchor vers le registre "
         "INSPIRE LimitationsOnPublicAccess", "no limitations on public access (INSPIRE registry anchor)"),
    Rule("RESPONSIBLE_PARTY", E, _party_ok(f"{_ID}/gmd:pointOfContact"),
         "partie responsable de la ressource (organisme, adresse électronique, rôle) absente",
         "no responsible party (organisation, e-mail, role)"),
    Rule("REFERENCE_SYSTEM", E, _has("gmd:referenceSystemInfo/*/gmd:referenceSystemIdentifier/*/gmd:code/*"),
         "système de référence de coordonnées absent", "no coordinate reference system"),
    Rule("ENCODING", E, _has(f"gmd:distributionInfo/*/gmd:distributionFormat/gmd:MD_Format[gmd:name{_TEXT}]"
                             f"[gmd:version{_TEXT}]"),
         "encodage (format de distribution : nom et version) absent", "no encoding (format name and version)"),
    Rule("SPATIAL_RESOLUTION", W, _has(f"{_ID}/gmd:spatialResolution/gmd:MD_Resolution/*"),
         "résolution spatiale absente : indiquez resolution (dénominateur d'échelle) ou resolution_m dans "
         "metadata.toml", "no spatial resolution (give resolution or resolution_m)"),
    Rule("RESOURCE_LOCATOR", W, _has("gmd:distributionInfo/*/*[self::gmd:transferOptions or self::gmd:distributor]"
                                     "//gmd:onLine/*/gmd:linkage/gmd:URL"),
         "aucun lien vers la ressource (WMS, WFS, téléchargement) : indiquez [links] dans metadata.toml ou publiez "
         "d'abord", "no resource locator (WMS, WFS, download link)"),
)  # fmt: skip


def check_iso(document: bytes | etree._Element) -> list[Issue]:
    """Every INSPIRE rule the document breaks (empty: INSPIRE-complete).

    :raises InputError: ``document`` is not XML.
    """
    try:
        root = etree.fromstring(document) if isinstance(document, bytes) else document
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"The metadata record is not readable XML: {exc}.",
            "Generate it again: odl-geo metadata FOLDER.",
            message_fr=f"La fiche de métadonnées n'est pas du XML lisible : {exc}.",
            hint_fr="Régénérez-la : odl-geo metadata DOSSIER.",
        ) from exc
    return [
        Issue(
            f"INSPIRE_{rule.code}",
            rule.severity,
            f"INSPIRE: {rule.message_en}.",
            message_fr=f"INSPIRE : {rule.message_fr}.",
        )
        for rule in RULES
        if not rule.test(root)
    ]


def check_record(record: DatasetRecord) -> list[Issue]:
    return check_iso(to_element(record))


def require_inspire(document: bytes | etree._Element, what: str = "metadata.xml") -> list[Issue]:
    """Raise when a mandatory INSPIRE element is missing (all listed, in English and in French); return the
    warnings.

    :raises InputError: at least one error-level rule fails.
    """
    issues = check_iso(document)
    errors = [i for i in issues if i.severity is Severity.ERROR]
    if errors:
        lines_en = "\n".join(f"  - {i.message}" for i in errors)
        lines_fr = "\n".join(f"  - {i.message_fr}" for i in errors)
        raise InputError(
            f"The record {what} is not INSPIRE-compliant "
            f"({quantity(len(errors), 'mandatory element', 'mandatory elements', 'en')} to fix):\n{lines_en}",
            "Complete metadata.toml, then generate the record again (odl-geo metadata FOLDER).",
            "\n".join(i.message for i in errors),
            message_fr=f"La fiche {what} n'est pas conforme INSPIRE "
            f"({quantity(len(errors), 'élément obligatoire', 'éléments obligatoires')}) :\n{lines_fr}",
            hint_fr="Complétez metadata.toml puis régénérez la fiche (odl-geo metadata DOSSIER).",
        )
    return issues
