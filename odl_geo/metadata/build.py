"""Fill a :class:`DatasetRecord` from an output folder and a person's metadata.

What odl-geo knows comes from the folder a conversion wrote: ``manifest.json`` (files, layers, CRS, bounding
boxes, counts, the source, the theme, data.gouv.fr zones), ``report.json`` (the quality report: fixes, errors,
whether the product passed the national schema's validator) and the theme profile (schema, field labels). What only
a person knows comes from :class:`~.inputs.MetadataInput`. Publication targets (WMS/WFS/download/data.gouv.fr URLs)
come from ``[links]`` or from the publisher that knows them.

Dates are stable: a record built again on the same data keeps its creation, revision and metadata dates (kept in the
manifest under ``"metadata"``), so that re-running a conversion does not make every catalogue and every GeoPackage
look changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .._version import __version__
from ..errors import InputError
from ..exports.manifest import MANIFEST_NAME
from ..numbers import quantity
from .inputs import MetadataIncomplete, MetadataInput, Missing
from .model import (
    ACCESS_NO_LIMITATIONS,
    GEMET_INSPIRE_THEMES,
    INSPIRE_THEMES,
    REGULATION_1089,
    THEME_DEFAULTS,
    Conformity,
    DatasetRecord,
    Dates,
    Distribution,
    Extent,
    FieldInfo,
    Identifier,
    Keyword,
    KeywordGroup,
    SchemaInfo,
)

__all__ = [
    "ISO_NAME",
    "JSONLD_NAME",
    "METADATA_FILES",
    "PublicationTargets",
    "build_record",
    "previous_state",
    "read_folder",
    "stable_code",
]

ISO_NAME = "metadata.xml"
JSONLD_NAME = "metadata.jsonld"
METADATA_FILES = frozenset({ISO_NAME, JSONLD_NAME})
REPORT_NAME = "report.json"
#: odl-geo's namespace for the UUIDs it derives (uuid5), fixed forever: changing it would change every identifier
_NAMESPACE = uuid.UUID("7f1d6c1e-3a0b-5c55-9e1c-0d1e0a6e0f15")

#: format key -> (ISO distributionFormat name, version, IANA media type)
FORMATS: dict[str, tuple[str, str, str]] = {
    "gpkg": ("GeoPackage", "1.3", "application/geopackage+sqlite3"),
    "geojson": ("GeoJSON", "RFC 7946", "application/geo+json"),
    "shp": ("ESRI Shapefile", "1.0", "application/zip"),
    "csv": ("CSV", "RFC 4180", "text/csv"),
    "kml": ("KML", "2.2", "application/vnd.google-earth.kml+xml"),
    "fgb": ("FlatGeobuf", "3", "application/flatgeobuf"),
    "parquet": ("GeoParquet", "1.1", "application/vnd.apache.parquet"),
}
_GEOMETRY = {"point": "point", "linestring": "curve", "polygon": "surface"}


@dataclass(frozen=True)
class PublicationTargets:
    """Where the data is (or will be) published, as the catalogue should link to it.

    :param wms: a WMS endpoint (``https://geo.example.fr/geoserver/ows``); GetCapabilities is added.
    :param workspace: prefixes WMS/WFS layer names (GeoServer ``workspace:layer``).
    :param download: base URL under which the output files are served (``https://…/donnees/rando/``).
    :param datagouv: the data.gouv.fr dataset page.
    :param metadata: where the ISO record itself is online (a CSW GetRecordById URL).
    :param layers: the WMS/WFS layer names as published (``workspace:name``, from :mod:`.published`); empty: the
        GeoPackage tables, prefixed by ``workspace``.
    """

    wms: str = ""
    wfs: str = ""
    workspace: str = ""
    download: str = ""
    datagouv: str = ""
    metadata: str = ""
    layers: tuple[str, ...] = ()

    @classmethod
    def from_links(cls, links: dict[str, str]) -> PublicationTargets:
        known: dict[str, Any] = {k: v for k, v in links.items() if k in cls.__dataclass_fields__ and k != "layers"}
        return cls(**known)

    def merged(self, other: PublicationTargets | None) -> PublicationTargets:
        """Self, completed by ``other``'s non-empty values (a publisher's known URLs win over nothing)."""
        if other is None:
            return self
        return replace(self, **{k: v for k, v in other.__dict__.items() if v})


@dataclass(frozen=True)
class FolderFacts:
    """What an output folder says about itself: its manifest and, for theme runs, its quality report."""

    folder: Path
    manifest: dict[str, Any]
    report: dict[str, Any] | None

    @property
    def theme(self) -> str | None:
        theme = self.manifest.get("source", {}).get("theme") or (self.report or {}).get("theme")
        return str(theme) if theme else None

    @property
    def data_files(self) -> list[dict[str, Any]]:
        return [f for f in self.manifest.get("files", []) if f.get("path") not in METADATA_FILES]


def read_folder(folder: str | Path) -> FolderFacts:
    """Read ``manifest.json`` (and ``report.json`` when present) of an output folder.

    :raises InputError: no manifest (not an odl-geo output folder), or it is not valid JSON.
    """
    folder = Path(folder)
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise InputError(
            f"{folder} has no {MANIFEST_NAME}: it is not a folder odl-geo wrote.",
            "Give the --out folder of an `odl-geo convert` run.",
            message_fr=f"{folder} n'a pas de {MANIFEST_NAME} : ce n'est pas un dossier écrit par odl-geo.",
            hint_fr="Indiquez le dossier --out d'une exécution de `odl-geo convert`.",
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        report_path = folder / REPORT_NAME
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else None
    except (OSError, ValueError) as exc:
        raise InputError(
            f"Cannot read {path}: {exc}.",
            "Convert again into this folder.",
            message_fr=f"Impossible de lire {path} : {exc}.",
            hint_fr="Relancez la conversion dans ce dossier.",
        ) from exc
    return FolderFacts(folder, manifest, report)


def slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "producteur"


def stable_code(producer: str, layer: str) -> str:
    """A UUID that depends only on the producer's name and the main layer: the same dataset gets the same
    identifier on every run and on every machine (catalogues update the record instead of duplicating it)."""
    return str(uuid.uuid5(_NAMESPACE, f"{slug(producer)}/{layer}"))


def build_record(
    folder: str | Path,
    given: MetadataInput,
    targets: PublicationTargets | None = None,
    today: dt.date | None = None,
    previous: dict[str, Any] | None = None,
) -> DatasetRecord:
    """The record of the dataset in ``folder`` (an ``odl-geo convert`` output).

    :param given: what a person wrote (:func:`~.inputs.load_metadata_file` / :func:`~.inputs.parse_metadata`).
    :param targets: publication URLs known by the caller; completed by ``[links]`` of the metadata file.
    :param today: the date of a new revision (tests fix it).
    :param previous: the dates kept by an earlier run (``manifest.json["metadata"]``, see :func:`previous_state`);
        default: the folder's manifest's own (a conversion rewrites the manifest, so its caller reads them first).
    :raises InputError: not an output folder.
    :raises MetadataIncomplete: the data give no extent (a table only), or the theme has no INSPIRE theme and the
        metadata file gives none: listed with what to fill in, before anything is written.
    """
    facts = read_folder(folder)
    today = today or dt.date.today()
    from .published import published_targets  # it reads the state file this module names

    # what was published (layer names, the data.gouv.fr page) < [links] (a person's URLs) < the caller's targets
    targets = published_targets(folder).merged(PublicationTargets.from_links(given.links)).merged(targets)
    files = facts.data_files
    profile = _profile(facts.theme)
    missing: list[Missing] = []
    extent = _extent(files)
    if extent is None:
        missing.append(Missing("(données)", "aucune couche n'a d'emprise géographique : une métadonnée INSPIRE "
                               "décrit des données localisées", "no layer has a geographic extent"))  # fmt: skip
    defaults = THEME_DEFAULTS.get(facts.theme or "")
    theme_code = given.inspire_theme or (defaults[0] if defaults else None)
    if theme_code is None:
        fr = "le thème INSPIRE (ex. tn, nz, us, hy) : cette conversion n'a pas de thème odl-geo qui le donne"
        missing.append(Missing("inspire_theme", fr, "the INSPIRE theme (no odl-geo theme gives it)"))
    topics = given.topic_categories or (defaults[1] if defaults else ())
    if not topics:
        missing.append(Missing("topic_categories", 'la catégorie thématique ISO, ex. ["transportation"]',
                               "the ISO topic category"))  # fmt: skip
    if missing:
        raise MetadataIncomplete(missing, given.origin)
    assert extent is not None and theme_code is not None
    layers = _layers(facts)
    code = given.code or stable_code(given.producer.organisation, layers[0] if layers else facts.folder.name)
    codespace = given.codespace or (
        f"FR-{given.siren}" if given.siren else f"urn:fr:{slug(given.producer.organisation)}"
    )
    schema = _schema(profile, facts)
    inspire = INSPIRE_THEMES[theme_code]
    keywords = (
        KeywordGroup((Keyword(inspire.label_fr, inspire.uri),), GEMET_INSPIRE_THEMES, "theme"),
        KeywordGroup(tuple(Keyword(k) for k in dict.fromkeys([*(defaults[2] if defaults else ()), *given.keywords]))),
    )
    record = DatasetRecord(
        identifier=Identifier(code, codespace),
        file_identifier=code,
        title=given.title,
        abstract=given.abstract,
        topic_categories=tuple(topics),
        inspire_theme=inspire,
        keywords=keywords,
        extent=extent,
        crs=_crs(files),
        feature_count=_feature_count(facts),
        geometry_types=_geometry_types(files),
        fields=_fields(profile, facts),
        schema=schema,
        dates=Dates(today, today, today, given.dates.get("source")),
        metadata_date=today,
        lineage=_lineage(given, facts, schema),
        conformity=_conformity(given, facts, schema),
        resolution=given.resolution,
        parties=(given.producer, given.contact),
        metadata_contact=given.contact,
        licence=given.licence,
        access_constraints=ACCESS_NO_LIMITATIONS,
        use_conditions=f"Licence : {given.licence.title} ({given.licence.url})",
        frequency=given.frequency,
        distributions=_distributions(files, targets),
        temporal=given.temporal,
        formats=tuple(dict.fromkeys(FORMATS[f["format"]][:2] for f in files if f.get("format") in FORMATS)),
        theme=facts.theme,
        layers=tuple(layers),
        zones=tuple(facts.manifest.get("source", {}).get("zones") or ()),
        source_name=str(facts.manifest.get("source", {}).get("name") or ""),
        metadata_url=targets.metadata or (_join(targets.download, ISO_NAME) if targets.download else ""),
    )
    return _stable_dates(record, facts, given, today, previous)


def _profile(theme: str | None) -> Any:
    if not theme:
        return None
    from ..profiles.registry import load_profile

    try:
        return load_profile(theme)
    except InputError:
        return None


def _bbox_wgs84(f: dict[str, Any]) -> list[float] | None:
    if f.get("bbox_wgs84"):
        return list(f["bbox_wgs84"])
    if f.get("crs") in ("EPSG:4326", "OGC:CRS84") and f.get("bbox"):
        return list(f["bbox"])
    return None


def _union(boxes: list[list[float]]) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _extent(files: list[dict[str, Any]]) -> Extent | None:
    boxes = [b for f in files if (b := _bbox_wgs84(f))]
    if not boxes:
        return None
    wgs84 = tuple(round(v, 6) for v in _union(boxes))
    l93 = [f["bbox"] for f in files if f.get("crs") == "EPSG:2154" and f.get("bbox")]
    if l93:
        lambert: tuple[float, ...] | None = tuple(round(v, 2) for v in _union(l93))
    else:
        lambert = _to_lambert93(wgs84)  # type: ignore[arg-type]
    return Extent(wgs84, lambert)  # type: ignore[arg-type]


def _to_lambert93(box: tuple[float, float, float, float]) -> tuple[float, float, float, float] | None:
    """The WGS 84 box in Lambert-93, or None outside its domain (overseas data)."""
    from pyproj import CRS, Transformer

    area = CRS.from_epsg(2154).area_of_use
    if area is None or box[0] > area.east or box[2] < area.west or box[1] > area.north or box[3] < area.south:
        return None
    t = Transformer.from_crs(4326, 2154, always_xy=True)
    xmin, ymin, xmax, ymax = t.transform_bounds(*box)
    return (round(xmin, 2), round(ymin, 2), round(xmax, 2), round(ymax, 2))


def _crs(files: list[dict[str, Any]]) -> tuple[str, ...]:
    found = [str(f["crs"]) for f in files if f.get("crs")]
    ordered = sorted(dict.fromkeys(found), key=lambda c: (c != "EPSG:2154", c))
    return tuple(ordered) or ("EPSG:4326",)


def _layers(facts: FolderFacts) -> list[str]:
    """Data layers, those with geometry first (the first names the dataset's identifier)."""
    if facts.report and facts.report.get("layers"):
        rows = facts.report["layers"]
        ordered = [r for r in rows if r.get("crs")] + [r for r in rows if not r.get("crs")]
        return [str(r.get("product_layer") or r.get("layer")) for r in ordered]
    files = facts.data_files
    ordered = [f for f in files if f.get("crs")] + [f for f in files if not f.get("crs")]
    return list(dict.fromkeys(str(f["layer"]) for f in ordered))


def _feature_count(facts: FolderFacts) -> int:
    if facts.report and facts.report.get("layers"):
        return sum(int(r.get("feature_count") or 0) for r in facts.report["layers"] if r.get("crs"))
    counts: dict[str, int] = {}
    for f in facts.data_files:
        if f.get("crs"):
            counts[f["layer"]] = max(counts.get(f["layer"], 0), int(f.get("feature_count") or 0))
    return sum(counts.values())


def _geometry_types(files: list[dict[str, Any]]) -> tuple[str, ...]:
    found = []
    for f in files:
        kind = str(f.get("geometry_type") or "").lower().removeprefix("multi")
        if kind in _GEOMETRY:
            found.append(_GEOMETRY[kind])
    return tuple(sorted(set(found)))


def _role_spec(profile: Any, role: str) -> Any:
    spec_for = getattr(profile, "spec_for", None)
    if callable(spec_for):
        return spec_for(role)
    return next((s for s in profile.roles if s.role == role), None)


def _fields(profile: Any, facts: FolderFacts) -> tuple[FieldInfo, ...]:
    """The fields of each data layer with their type and label, from the theme profile's schema."""
    if profile is None or not facts.report:
        return ()
    found: list[FieldInfo] = []
    for row in facts.report.get("layers", []):
        spec = _role_spec(profile, str(row.get("role")))
        layer = str(row.get("product_layer") or row.get("layer"))
        if spec is not None and spec.fields:
            found.extend(FieldInfo(layer, f.name, f.kind, f.description) for f in spec.fields)
        else:  # a table the profile describes by its template (CNIG PPR): the columns as written
            found.extend(_gpkg_columns(facts, layer))
    return tuple(found)


def _gpkg_columns(facts: FolderFacts, layer: str) -> list[FieldInfo]:
    """The attribute columns of ``layer`` in the folder's GeoPackage, with their declared SQL types."""
    import sqlite3
    from contextlib import closing

    entry = next((f for f in facts.data_files if f.get("format") == "gpkg" and f.get("layer") == layer), None)
    if entry is None:
        return []
    try:
        with closing(sqlite3.connect(f"file:{facts.folder / entry['path']}?mode=ro", uri=True)) as conn:
            geometry = {r[0] for r in conn.execute("SELECT column_name FROM gpkg_geometry_columns WHERE "
                                                   "table_name = ?", (layer,))}  # fmt: skip
            rows = conn.execute("SELECT name, type, pk FROM pragma_table_info(?)", (layer,)).fetchall()
    except sqlite3.Error:
        return []
    return [FieldInfo(layer, name, (kind or "").lower()) for name, kind, pk in rows if not pk and name not in geometry]


def _schema(profile: Any, facts: FolderFacts) -> SchemaInfo | None:
    ref = getattr(profile, "schema", None)
    if ref is not None:
        return SchemaInfo(ref.name, ref.version, ref.url)
    found = (facts.report or {}).get("schema")
    return SchemaInfo(found["name"], found["version"]) if found else None


def _lineage(given: MetadataInput, facts: FolderFacts, schema: SchemaInfo | None) -> str:
    """The lineage statement: the producer's own words, then what odl-geo did (from the quality report)."""
    source = facts.manifest.get("source", {}).get("name") or facts.folder.name
    parts = [given.lineage] if given.lineage else []
    parts.append(
        f"Jeu de données produit avec odl-geo {facts.manifest.get('odl_geo_version') or __version__} à partir de "
        f"« {source} » : lecture, réparation des géométries, normalisation des champs et reprojection "
        f"({', '.join(_crs(facts.data_files))})."
    )
    if given.dates.get("source"):
        parts.append(f"Données sources datées du {given.dates['source'].isoformat()}.")
    if schema is not None:
        parts.append(f"Mise en conformité avec le schéma national {schema.name} version {schema.version}.")
    report = facts.report
    if report:
        counts = report.get("summary", {})
        errors = quantity(counts.get("error", 0), "erreur", "erreurs")
        warnings = quantity(counts.get("warning", 0), "avertissement", "avertissements")
        notes = quantity(counts.get("info", 0), "information", "informations")
        parts.append(f"Contrôles qualité : {errors}, {warnings}, {notes}.")
        fixes = sorted({f["code"] for lyr in report.get("layers", []) for f in lyr.get("fixes", [])})
        if fixes:
            parts.append("Corrections automatiques : " + ", ".join(fixes) + ".")
        removed = sorted({r.get("field", "") for lyr in report.get("layers", []) for r in lyr.get("anonymisation", [])})
        if removed and any(removed):
            parts.append("Données personnelles retirées ou masquées : " + ", ".join(x for x in removed if x) + ".")
    return " ".join(parts)


def _conformity(given: MetadataInput, facts: FolderFacts, schema: SchemaInfo | None) -> tuple[Conformity, ...]:
    """INSPIRE's Regulation 1089/2010 (not evaluated by odl-geo unless the producer says so) and the national
    schema (pass when the theme's official validator found no error, fail otherwise)."""
    title, date, uri = REGULATION_1089
    inspire = given.inspire_conformity or "notEvaluated"
    found = [
        Conformity(
            title,
            date,
            inspire,
            "Conformité aux spécifications de données INSPIRE déclarée par le producteur."
            if inspire != "notEvaluated"
            else "Les données suivent le schéma national ; leur conformité aux spécifications de données INSPIRE "
            "n'a pas été évaluée.",
            uri,
        )
    ]
    if schema is not None:
        report = facts.report
        if report is None:
            result, why = "notEvaluated", "Aucun rapport de contrôle n'accompagne les données."
        elif report.get("publishable"):
            result, why = "pass", "Le validateur du schéma (odl-geo check) n'a relevé aucune erreur."
        else:
            errors = quantity(report.get("summary", {}).get("error", 0), "erreur", "erreurs")
            result, why = "fail", f"Le validateur du schéma a relevé {errors} : voir report.html."
        found.append(Conformity(f"{schema.name} version {schema.version}", None, result, why, schema.url))
    return tuple(found)


def _join(base: str, path: str) -> str:
    return base if base.endswith("/") and not path else (base.rstrip("/") + "/" + path)


def _capabilities(url: str, service: str) -> str:
    if "request=getcapabilities" in url.lower():
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}SERVICE={service}&REQUEST=GetCapabilities"


def _distributions(files: list[dict[str, Any]], targets: PublicationTargets) -> tuple[Distribution, ...]:
    """WMS/WFS per published layer (the GeoPackage layers a map server publishes), downloads, the portal page."""
    found: list[Distribution] = []
    if targets.layers:  # the names the map server gave (renamed, suffixed): what a client must ask for
        names = list(targets.layers)
    else:
        served = list(dict.fromkeys(str(f["layer"]) for f in files if f.get("format") == "gpkg" and f.get("crs")))
        prefix = f"{targets.workspace}:" if targets.workspace else ""
        names = [prefix + layer for layer in served]
    for kind, url in (("wms", targets.wms), ("wfs", targets.wfs)):
        if url:
            label = "Service de visualisation WMS" if kind == "wms" else "Service de téléchargement WFS"
            found.extend(
                Distribution(kind, _capabilities(url, kind.upper()), name, f"{label} : couche {name.split(':')[-1]}")
                for name in names
            )
    if targets.download:
        for f in files:
            name, _version, media = FORMATS.get(f.get("format", ""), ("", "", ""))
            url = _join(targets.download, f["path"])
            found.append(Distribution("download", url, f["path"], f"Téléchargement {name} : {f['layer']}", media, name))
    if targets.datagouv:
        found.append(Distribution("page", targets.datagouv, "data.gouv.fr", "Page du jeu de données sur data.gouv.fr"))
    if targets.metadata:
        found.append(Distribution("metadata", targets.metadata, "ISO 19139", "Fiche de métadonnées ISO 19139"))
    return tuple(dict.fromkeys(found))


def data_digest(facts: FolderFacts) -> str:
    """What the data are, independent of the metadata written into them: the sha256 of each file, except the
    GeoPackages (the metadata tables change their bytes) which count by layer, feature count and extent."""
    rows = []
    for f in sorted(facts.data_files, key=lambda f: (f["path"], f["layer"])):
        if f.get("format") == "gpkg":
            rows.append([f["path"], f["layer"], f.get("feature_count"), f.get("bbox")])
        else:
            rows.append([f["path"], f.get("sha256")])
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def content_digest(record: DatasetRecord) -> str:
    """The record without its dates: changes when a person edits the metadata or the data change."""
    data = record.to_dict()
    for key in ("dates", "metadata_date"):
        data.pop(key, None)
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


#: a copy of the state beside the outputs, listed in no manifest: a new conversion rewrites ``manifest.json`` (and
#: removes only the files a manifest listed), so a job's metadata step still finds the dates of the previous runs
STATE_NAME = ".odl-geo-metadata.json"


def previous_state(folder: str | Path) -> dict[str, Any] | None:
    """The dates and digests an earlier metadata run kept in ``folder`` (its manifest, else the state file)."""
    folder = Path(folder)
    try:
        state = read_folder(folder).manifest.get("metadata")
    except InputError:
        state = None
    if not isinstance(state, dict):
        try:
            state = json.loads((folder / STATE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    return state if isinstance(state, dict) else None


def _stable_dates(
    record: DatasetRecord, facts: FolderFacts, given: MetadataInput, today: dt.date, previous: dict[str, Any] | None
) -> DatasetRecord:
    """Keep the previous dates when nothing changed (``manifest.json["metadata"]``, written with the record):
    revision moves only when the data change, the metadata date only when the record changes."""
    state = previous if previous is not None else (previous_state(facts.folder) or {})
    prev = {k: dt.date.fromisoformat(v) for k, v in state.get("dates", {}).items() if isinstance(v, str)}
    same_data = state.get("data_digest") == data_digest(facts)
    creation = given.dates.get("creation") or prev.get("creation") or today
    revision = given.dates.get("revision") or (prev.get("revision") if same_data else None) or today
    publication = given.dates.get("publication") or prev.get("publication") or today
    dated = replace(record, dates=Dates(creation, max(revision, creation), publication, given.dates.get("source")))
    same_record = state.get("content_digest") == content_digest(dated)
    metadata_date = (prev.get("metadata") if same_record and same_data else None) or today
    return replace(dated, metadata_date=metadata_date)


def state_of(record: DatasetRecord, facts: FolderFacts) -> dict[str, Any]:
    """What :func:`_stable_dates` reads back on the next run (stored in ``manifest.json["metadata"]``)."""
    return {
        "file_identifier": record.file_identifier,
        "data_digest": data_digest(facts),
        "content_digest": content_digest(record),
        "dates": {
            "creation": record.dates.creation.isoformat(),
            "revision": record.dates.revision.isoformat(),
            "publication": record.dates.publication.isoformat(),
            "metadata": record.metadata_date.isoformat(),
        },
        "record": summary(record),
    }


def summary(record: DatasetRecord) -> dict[str, Any]:
    """What publishers take from the record (``manifest.json["metadata"]["record"]``), in data.gouv.fr's
    vocabulary: they describe the dataset as the catalogue does without rebuilding the record."""
    temporal = record.temporal
    return {
        "identifier": record.identifier.uri,
        "title": record.title,
        "abstract": record.abstract,
        "licence": record.licence.datagouv_id,
        "licence_url": record.licence.url,
        "frequency": record.frequency.datagouv,
        "temporal": None
        if temporal is None or temporal.start is None
        else {"start": temporal.start.isoformat(), "end": temporal.end.isoformat() if temporal.end else ""},
        "keywords": record.keyword_labels,
        "producer": record.producer.organisation,
        "inspire_theme": record.inspire_theme.uri,
        "metadata_url": record.metadata_url,
    }
