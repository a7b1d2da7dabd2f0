"""The metadata record of one published dataset, independent of any encoding.

One record feeds every encoding (ISO 19139 for INSPIRE catalogues and CSW, DCAT-AP for data.gouv.fr, the
GeoPackage metadata tables, GeoServer's metadata links): they cannot disagree on the identifier, the title, the
dates, the licence or the extent because they read the same frozen object. :mod:`.build` fills it from what
odl-geo knows (manifest, theme profile, quality report, publication targets) and what a person wrote in
``metadata.toml``; the vocabularies here (licences, frequencies, INSPIRE themes) are the fixed lists the encodings
map to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "ACCESS_NO_LIMITATIONS",
    "FREQUENCIES",
    "INSPIRE_THEMES",
    "LICENCES",
    "REGULATION_1089",
    "THEME_DEFAULTS",
    "Conformity",
    "DatasetRecord",
    "Dates",
    "Distribution",
    "Extent",
    "FieldInfo",
    "Frequency",
    "Identifier",
    "InspireTheme",
    "Keyword",
    "KeywordGroup",
    "Licence",
    "Party",
    "Resolution",
    "SchemaInfo",
    "TemporalCoverage",
    "Thesaurus",
]


@dataclass(frozen=True)
class Identifier:
    """The unique resource identifier (INSPIRE): a code within a namespace (``codeSpace``).

    The code is derived from the producer and the layer (see :func:`odl_geo.metadata.build.stable_code`), so that
    a dataset keeps its identifier from one conversion to the next and a catalogue updates its record rather than
    adding a second one.
    """

    code: str
    codespace: str

    @property
    def uri(self) -> str:
        """``codeSpace`` + ``code`` joined as the ISO 19139 -> DCAT-AP stylesheet (SEMIC, used by data.gouv.fr's
        ``csw-iso-19139`` harvester) joins them, so that DCAT's ``dct:identifier`` is the same string either way."""
        if not self.codespace:
            return self.code
        sep = "" if self.codespace.endswith("/") else "/"
        return f"{self.codespace}{sep}{self.code}"


@dataclass(frozen=True)
class Party:
    """A responsible party: an organisation, its e-mail and its role (ISO ``CI_RoleCode``)."""

    organisation: str
    email: str
    role: str = "pointOfContact"  # pointOfContact, owner, originator, publisher, custodian, distributor...
    individual: str = ""
    url: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Licence:
    key: str  # the key a metadata file uses: "lov2", "odbl"
    title: str
    url: str
    datagouv_id: str  # the licence id data.gouv.fr (udata) knows


LICENCES: dict[str, Licence] = {
    "lov2": Licence(
        "lov2",
        "Licence Ouverte / Open Licence version 2.0",
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
        "lov2",
    ),
    "odbl": Licence(
        "odbl",
        "Open Data Commons Open Database License (ODbL)",
        "https://opendatacommons.org/licenses/odbl/summary/",
        "odc-odbl",
    ),
}
#: other spellings a person may write in ``metadata.toml``
LICENCE_ALIASES = {
    "licence-ouverte": "lov2",
    "licence ouverte": "lov2",
    "licence ouverte 2.0": "lov2",
    "etalab-2.0": "lov2",
    "etalab": "lov2",
    "lo-2.0": "lov2",
    "odc-odbl": "odbl",
}


@dataclass(frozen=True)
class Frequency:
    """The update frequency in both vocabularies: data.gouv.fr's (udata) and ISO ``MD_MaintenanceFrequencyCode``,
    plus the EU frequency authority table URI that DCAT-AP uses."""

    datagouv: str
    iso: str
    eu: str

    @property
    def eu_uri(self) -> str:
        return f"http://publications.europa.eu/resource/authority/frequency/{self.eu}"


FREQUENCIES: dict[str, Frequency] = {
    f.datagouv: f
    for f in (
        Frequency("continuous", "continual", "UPDATE_CONT"),
        Frequency("daily", "daily", "DAILY"),
        Frequency("weekly", "weekly", "WEEKLY"),
        Frequency("biweekly", "fortnightly", "BIWEEKLY"),
        Frequency("monthly", "monthly", "MONTHLY"),
        Frequency("quarterly", "quarterly", "QUARTERLY"),
        Frequency("semiannual", "biannually", "ANNUAL_2"),
        Frequency("annual", "annually", "ANNUAL"),
        Frequency("punctual", "asNeeded", "AS_NEEDED"),
        Frequency("irregular", "irregular", "IRREG"),
        Frequency("notPlanned", "notPlanned", "NOT_PLANNED"),
        Frequency("unknown", "unknown", "UNKNOWN"),
    )
}
#: French words and ISO codes accepted in ``metadata.toml`` for ``frequence``
FREQUENCY_ALIASES = {
    "temps reel": "continuous",
    "continue": "continuous",
    "quotidienne": "daily",
    "hebdomadaire": "weekly",
    "bimensuelle": "biweekly",
    "mensuelle": "monthly",
    "trimestrielle": "quarterly",
    "semestrielle": "semiannual",
    "annuelle": "annual",
    "ponctuelle": "punctual",
    "irreguliere": "irregular",
    "non prevue": "notPlanned",
    "inconnue": "unknown",
    **{f.iso.lower(): f.datagouv for f in FREQUENCIES.values()},
}


@dataclass(frozen=True)
class Thesaurus:
    title: str
    date: dt.date
    date_type: str = "publication"
    uri: str = ""


@dataclass(frozen=True)
class Keyword:
    label: str
    uri: str = ""


@dataclass(frozen=True)
class KeywordGroup:
    """Keywords of one thesaurus (or free keywords when ``thesaurus`` is None)."""

    keywords: tuple[Keyword, ...]
    thesaurus: Thesaurus | None = None
    type: str = ""  # ISO MD_KeywordTypeCode: theme, place...


GEMET_INSPIRE_THEMES = Thesaurus(
    "GEMET - INSPIRE themes, version 1.0",
    dt.date(2008, 6, 1),
    "publication",
    "http://www.eionet.europa.eu/gemet/inspire_themes",
)


@dataclass(frozen=True)
class InspireTheme:
    code: str  # "tn", "nz", "us", "hy"
    label_fr: str
    label_en: str

    @property
    def uri(self) -> str:
        return f"http://inspire.ec.europa.eu/theme/{self.code}"


INSPIRE_THEMES: dict[str, InspireTheme] = {
    t.code: t
    for t in (
        InspireTheme("tn", "Réseaux de transport", "Transport networks"),
        InspireTheme("nz", "Zones à risque naturel", "Natural risk zones"),
        InspireTheme("us", "Services d'utilité publique et services publics", "Utility and governmental services"),
        InspireTheme("hy", "Hydrographie", "Hydrography"),
        InspireTheme("am", "Zones de gestion, de restriction ou de réglementation et unités de déclaration",
                     "Area management/restriction/regulation zones and reporting units"),
        InspireTheme("lu", "Usage des sols", "Land use"),
        InspireTheme("ps", "Sites protégés", "Protected sites"),
    )
}  # fmt: skip

#: theme key -> (INSPIRE theme, ISO topic categories, free keywords): what each theme is, for the catalogues.
#: Hiking trails are transport networks (paths); water points and fire hydrants are public utility services
#: (drinking water, fire-fighting water supply: CNIG's PEI guidance); PPR zones are natural risk zones and, as a
#: land-use servitude, planning information. A metadata file may override the theme and the categories.
THEME_DEFAULTS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "hiking": ("tn", ("transportation",), ("randonnée", "itinéraire", "sentier", "loisirs")),
    "water": ("us", ("utilitiesCommunication",), ("point d'eau", "eau potable", "fontaine")),
    "pei": ("us", ("utilitiesCommunication",), ("point d'eau incendie", "PEI", "défense incendie", "DECI")),
    "flood": ("nz", ("planningCadastre", "geoscientificInformation"), ("PPR", "risque naturel", "inondation")),
}

ISO_TOPIC_CATEGORIES = frozenset(
    {"farming", "biota", "boundaries", "climatologyMeteorologyAtmosphere", "economy", "elevation", "environment",
     "geoscientificInformation", "health", "imageryBaseMapsEarthCover", "intelligenceMilitary", "inlandWaters",
     "location", "oceans", "planningCadastre", "society", "structure", "transportation", "utilitiesCommunication"}
)  # fmt: skip


@dataclass(frozen=True)
class Extent:
    """``wgs84`` = (west, south, east, north) in degrees; ``lambert93`` = (xmin, ymin, xmax, ymax) in metres, None
    outside Lambert-93's domain (overseas)."""

    wgs84: tuple[float, float, float, float]
    lambert93: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class FieldInfo:
    layer: str
    name: str
    type: str
    label: str = ""


@dataclass(frozen=True)
class SchemaInfo:
    """The national schema the data follows (data.gouv.fr schema name, its page, its version)."""

    name: str
    version: str
    url: str = ""


@dataclass(frozen=True)
class Dates:
    creation: dt.date
    revision: dt.date
    publication: dt.date
    source: dt.date | None = None  # the date of the source data, when the producer gave it


@dataclass(frozen=True)
class Conformity:
    """A conformity statement (INSPIRE: ``gmd:report/DQ_DomainConsistency``).

    :param result: ``"pass"``, ``"fail"`` or ``"notEvaluated"``.
    """

    title: str
    date: dt.date | None  # None: the specification's date is not known (encoded with nilReason="unknown")
    result: str
    explanation: str
    uri: str = ""
    date_type: str = "publication"


REGULATION_1089 = (
    (
        "Règlement (UE) n° 1089/2010 de la Commission du 23 novembre 2010 portant modalités d'application de la "
        "directive 2007/2/CE du Parlement européen et du Conseil en ce qui concerne l'interopérabilité des séries "
        "et des services de données géographiques"
    ),
    dt.date(2010, 12, 8),
    "http://data.europa.eu/eli/reg/2010/1089",
)
#: INSPIRE registry value for "no limitations on public access" (TG Requirement 3.7 / C.18)
ACCESS_NO_LIMITATIONS = (
    "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
    "Aucune restriction d'accès public",
)


@dataclass(frozen=True)
class Resolution:
    """Spatial resolution: an equivalent scale (denominator, 25000 for 1:25 000) or a ground distance in metres."""

    scale: int | None = None
    distance_m: float | None = None


@dataclass(frozen=True)
class TemporalCoverage:
    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True)
class Distribution:
    """A way to get the data.

    :param kind: ``"wms"``, ``"wfs"``, ``"download"``, ``"page"`` (a web page such as the data.gouv.fr dataset)
        or ``"metadata"``.
    :param url: for ``wms``/``wfs``, the service's GetCapabilities URL.
    :param name: the layer name (WMS/WFS) or the file name.
    :param media_type: IANA media type for downloads (``application/geo+json``).
    :param format: the format's human name (``GeoJSON``), its ISO distributionFormat name.
    """

    kind: str
    url: str
    name: str = ""
    description: str = ""
    media_type: str = ""
    format: str = ""

    @property
    def protocol(self) -> str:
        """The protocol value INSPIRE catalogues and udata's harvester recognise (the GeoNetwork vocabulary)."""
        return {
            "wms": "OGC:WMS",
            "wfs": "OGC:WFS",
            "download": "WWW:DOWNLOAD-1.0-http--download",
            "page": "WWW:LINK-1.0-http--link",
            "metadata": "WWW:LINK-1.0-http--metadata-URL",
        }[self.kind]

    @property
    def function(self) -> str:
        """ISO ``CI_OnLineFunctionCode``."""
        return {"wms": "browsing", "wfs": "download", "download": "download"}.get(self.kind, "information")


@dataclass(frozen=True)
class DatasetRecord:
    """Everything a catalogue says about one dataset. Built by :func:`odl_geo.metadata.build.build_record`."""

    identifier: Identifier
    file_identifier: str  # the metadata record's own id (CSW create-or-update key)
    title: str
    abstract: str
    topic_categories: tuple[str, ...]
    inspire_theme: InspireTheme
    keywords: tuple[KeywordGroup, ...]
    extent: Extent
    crs: tuple[str, ...]  # ("EPSG:2154", "EPSG:4326"): the main CRS first, then the other distributions' CRS
    feature_count: int
    geometry_types: tuple[str, ...]  # ISO geometric object types: point, curve, surface
    fields: tuple[FieldInfo, ...]
    schema: SchemaInfo | None
    dates: Dates
    metadata_date: dt.date
    lineage: str
    conformity: tuple[Conformity, ...]
    resolution: Resolution | None
    parties: tuple[Party, ...]  # responsible parties of the resource (producer as owner, point of contact)
    metadata_contact: Party
    licence: Licence
    access_constraints: tuple[str, str]  # (INSPIRE registry URI, label)
    use_conditions: str  # conditions applying to access and use, in words (licence included)
    frequency: Frequency
    distributions: tuple[Distribution, ...]
    temporal: TemporalCoverage | None
    formats: tuple[tuple[str, str], ...]  # (name, version): the encodings distributed
    language: str = "fre"
    theme: str | None = None  # the odl-geo theme key
    layers: tuple[str, ...] = ()  # the data layers described (product layer names)
    zones: tuple[str, ...] = ()  # data.gouv.fr spatial zones (fr:region:76...), from the manifest
    source_name: str = ""
    metadata_url: str = ""  # where this ISO record is online ([links] metadata, or the download base + metadata.xml)
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def crs_uris(self) -> list[str]:
        return [f"http://www.opengis.net/def/crs/EPSG/0/{c.split(':')[-1]}" for c in self.crs]

    @property
    def producer(self) -> Party:
        """The organisation that produced the data (role owner, else the first party)."""
        return next((p for p in self.parties if p.role == "owner"), self.parties[0])

    @property
    def keyword_labels(self) -> list[str]:
        """Every keyword as plain text, the INSPIRE theme first (what becomes tags)."""
        seen: dict[str, None] = {}
        for group in self.keywords:
            for k in group.keywords:
                seen.setdefault(k.label, None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (dates as ISO strings), for ``--json`` output and previews."""
        return _jsonable(asdict(self)) | {"identifier_uri": self.identifier.uri}


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
