"""udata objects as frozen dataclasses: ``to_payload()`` builds what the API wants, ``from_payload()`` reads it.

Only the fields odl-geo uses are modelled; unknown keys of udata's answers are ignored, so a newer udata
does not break reading.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ...errors import InputError
from .. import Outcome

__all__ = [
    "DATASET_KEY_EXTRA",
    "RESOURCE_KEY_EXTRA",
    "Checksum",
    "Dataset",
    "DatasetSpec",
    "Organization",
    "Outcome",
    "RemoteResourceSpec",
    "Resource",
    "ResourceMeta",
    "SchemaRef",
    "Spatial",
    "TemporalCoverage",
    "is_object_id",
    "normalise_tags",
    "udata_file_name",
]

#: ``extras`` key of a dataset holding odl-geo's stable dataset key (how a re-run finds the dataset again)
DATASET_KEY_EXTRA = "odl_geo_key"
#: ``extras`` key of a resource holding the file's path in the output folder, or ``remote:wms`` etc.
RESOURCE_KEY_EXTRA = "odl_geo_file"
TAG_MIN, TAG_MAX = 3, 96  # udata's TAG_MIN_LENGTH / TAG_MAX_LENGTH
TITLE_MAX = 350




def is_object_id(value: str) -> bool:
    """udata ids are 24-hex MongoDB ObjectIds; ``POST /datasets/`` refuses an organization slug."""
    return bool(re.fullmatch(r"[0-9a-f]{24}", value))


def tag_slug(value: str) -> str:
    """What udata makes of a tag (``slugify(value.lower())``): ASCII, lower case, words joined by ``-``."""
    ascii_ = unicodedata.normalize("NFKD", value.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


def udata_file_name(name: str) -> str:
    """The name udata stores an upload under (and titles it with): lower case ASCII, ``-`` for other runs.

    Mirrors udata's ``Slugify(separator="-", to_lower=True, safe_chars=".")``; used to recognise a file
    uploaded by a run that was cut before it could set the resource's metadata.
    """
    ascii_ = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9.]+", "-", ascii_).strip("-")


def normalise_tags(tags: list[str] | tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Tags as udata will store them, and a warning per tag dropped or cut (udata refuses the whole dataset)."""
    kept: list[str] = []
    warnings: list[str] = []
    for raw in tags:
        tag = tag_slug(raw)
        if len(tag) < TAG_MIN:
            warnings.append(f"Tag {raw!r} was left out: udata wants {TAG_MIN} to {TAG_MAX} characters.")
            continue
        if len(tag) > TAG_MAX:
            warnings.append(f"Tag {raw!r} was cut to {TAG_MAX} characters (udata's limit).")
            tag = tag[:TAG_MAX].rstrip("-")
        if tag not in kept:
            kept.append(tag)
    return kept, warnings


@dataclass(frozen=True)
class SchemaRef:
    """The Etalab schema a resource follows (schema.data.gouv.fr), e.g. ``PnX-SI/schema_randonnee`` 1.1.0."""

    name: str
    version: str = ""

    def to_payload(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version} if self.version else {"name": self.name}

    @classmethod
    def parse(cls, text: str) -> SchemaRef:
        """``NAME`` or ``NAME@VERSION`` (command line).

        :raises InputError: empty name.
        """
        name, _, version = text.strip().partition("@")
        if not name:
            raise InputError(
                f"Schema {text!r} has no name.",
                "Write NAME or NAME@VERSION, e.g. PnX-SI/schema_randonnee@1.1.0.",
                message_fr=f"Le schéma {text!r} n'a pas de nom.",
                hint_fr="Écrivez NOM ou NOM@VERSION, p. ex. PnX-SI/schema_randonnee@1.1.0.",
            )
        return cls(name, version)

    @classmethod
    def from_payload(cls, data: Any) -> SchemaRef | None:
        if not isinstance(data, dict) or not data.get("name"):
            return None
        return cls(str(data["name"]), str(data.get("version") or ""))


@dataclass(frozen=True)
class Checksum:
    type: str  # udata computes "sha1" on upload
    value: str

    @classmethod
    def from_payload(cls, data: Any) -> Checksum | None:
        if not isinstance(data, dict) or not data.get("value"):
            return None
        return cls(str(data.get("type") or "sha1").lower(), str(data["value"]).lower())


@dataclass(frozen=True)
class Resource:
    """A resource as udata returns it (a file uploaded, or a remote URL)."""

    id: str
    title: str
    filetype: str  # "file" (uploaded) or "remote"
    type: str  # "main", "api", "documentation", "other"...
    url: str
    format: str = ""
    description: str = ""
    checksum: Checksum | None = None
    filesize: int | None = None
    schema: SchemaRef | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    last_modified: str = ""

    @property
    def key(self) -> str | None:
        value = self.extras.get(RESOURCE_KEY_EXTRA)
        return str(value) if value else None

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Resource:
        return cls(
            id=str(data["id"]),
            title=str(data.get("title") or ""),
            filetype=str(data.get("filetype") or "file"),
            type=str(data.get("type") or ""),
            url=str(data.get("url") or ""),
            format=str(data.get("format") or ""),
            description=str(data.get("description") or ""),
            checksum=Checksum.from_payload(data.get("checksum")),
            filesize=data.get("filesize"),
            schema=SchemaRef.from_payload(data.get("schema")),
            extras=dict(data.get("extras") or {}),
            last_modified=str(data.get("last_modified") or ""),
        )


@dataclass(frozen=True)
class ResourceMeta:
    """What odl-geo sets on a file resource after its upload (udata names it after the file otherwise)."""

    key: str  # the file's path in the output folder: how the resource is found again
    title: str
    description: str = ""
    type: str = "main"
    format: str = ""
    schema: SchemaRef | None = None

    def to_payload(self, existing_extras: dict[str, Any] | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "title": self.title[:TITLE_MAX],
            "description": self.description,
            "type": self.type,
            "extras": {**(existing_extras or {}), RESOURCE_KEY_EXTRA: self.key},
        }
        if self.format:
            payload["format"] = self.format
        if self.schema:
            payload["schema"] = self.schema.to_payload()
        return payload

    def differs_from(self, resource: Resource) -> bool:
        """True when a PUT is needed (format is not compared: udata keeps the one it derived from the file)."""
        return (
            resource.title != self.title[:TITLE_MAX]
            or resource.description != self.description
            or resource.type != self.type
            or resource.key != self.key
            or (self.schema is not None and resource.schema != self.schema)
        )


@dataclass(frozen=True)
class RemoteResourceSpec:
    """A link resource: the WMS/WFS GetCapabilities of the map platform, or the embed page."""

    key: str  # "remote:wms", "remote:wfs", "remote:embed"
    title: str
    url: str
    format: str  # "ogc:wms", "ogc:wfs", "html"
    type: str = "api"
    description: str = ""

    def to_payload(self, existing_extras: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "title": self.title[:TITLE_MAX],
            "description": self.description,
            "filetype": "remote",
            "type": self.type,
            "url": self.url,
            "format": self.format,
            "extras": {**(existing_extras or {}), RESOURCE_KEY_EXTRA: self.key},
        }

    def differs_from(self, resource: Resource) -> bool:
        return (
            resource.title != self.title[:TITLE_MAX]
            or resource.url != self.url
            or resource.format != self.format
            or resource.type != self.type
            or resource.description != self.description
            or resource.key != self.key
        )


@dataclass(frozen=True)
class Spatial:
    """Spatial coverage: udata zone ids (``fr:commune:31555``, INSEE codes) and the granularity of the data."""

    zones: tuple[str, ...] = ()
    granularity: str = ""  # "fr:commune", "poi" (point data), "other"...

    def to_payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"zones": list(self.zones)}
        if self.granularity:
            payload["granularity"] = self.granularity
        return payload

    @classmethod
    def from_payload(cls, data: Any) -> Spatial:
        if not isinstance(data, dict):
            return cls()
        zones = []
        for z in data.get("zones") or []:
            zones.append(str(z["id"] if isinstance(z, dict) else z))
        return cls(tuple(zones), str(data.get("granularity") or ""))


@dataclass(frozen=True)
class TemporalCoverage:
    start: str  # ISO date
    end: str = ""

    def to_payload(self) -> dict[str, str]:
        return {"start": self.start, "end": self.end} if self.end else {"start": self.start}

    @classmethod
    def from_payload(cls, data: Any) -> TemporalCoverage | None:
        if not isinstance(data, dict) or not data.get("start"):
            return None
        return cls(str(data["start"])[:10], str(data.get("end") or "")[:10])


@dataclass(frozen=True)
class Organization:
    id: str
    slug: str
    name: str

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Organization:
        return cls(str(data["id"]), str(data.get("slug") or ""), str(data.get("name") or ""))


@dataclass(frozen=True)
class DatasetSpec:
    """What odl-geo wants a dataset to be. ``organization`` is an id (udata refuses slugs)."""

    key: str
    title: str
    description: str
    organization: str
    license: str = "lov2"
    frequency: str = "unknown"
    tags: tuple[str, ...] = ()
    spatial: Spatial | None = None
    temporal_coverage: TemporalCoverage | None = None

    def to_payload(self, private: bool, existing_extras: dict[str, Any] | None = None) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "title": self.title[:TITLE_MAX],
            "description": self.description,
            "organization": self.organization,
            "license": self.license,
            "frequency": self.frequency,
            "tags": list(self.tags),
            "private": private,
            "extras": {**(existing_extras or {}), DATASET_KEY_EXTRA: self.key},
        }
        if self.spatial:
            payload["spatial"] = self.spatial.to_payload()
        if self.temporal_coverage:
            payload["temporal_coverage"] = self.temporal_coverage.to_payload()
        return payload

    def changes(self, current: Dataset) -> dict[str, Any]:
        """The partial PUT payload that brings ``current`` to this spec (empty when nothing differs).

        ``private`` is not handled here: the publisher opens the dataset at the end only.
        """
        full = self.to_payload(current.private, current.extras)
        have: dict[str, Any] = {
            "title": current.title,
            "description": current.description,
            "organization": current.organization_id,
            "license": current.license,
            "frequency": current.frequency,
            "tags": sorted(current.tags),
            "extras": current.extras,
            "spatial": current.spatial.to_payload() if current.spatial else None,
            "temporal_coverage": current.temporal_coverage.to_payload() if current.temporal_coverage else None,
        }
        changed = {}
        for name, value in full.items():
            if name == "private":
                continue
            want = sorted(value) if name == "tags" else value
            if have.get(name) != want:
                changed[name] = value
        return changed


@dataclass(frozen=True)
class Dataset:
    id: str
    slug: str
    title: str
    description: str = ""
    organization_id: str | None = None
    license: str = ""
    frequency: str = ""
    tags: tuple[str, ...] = ()
    spatial: Spatial | None = None
    temporal_coverage: TemporalCoverage | None = None
    private: bool = False
    deleted: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    resources: tuple[Resource, ...] = ()
    page: str = ""

    @property
    def key(self) -> str | None:
        value = self.extras.get(DATASET_KEY_EXTRA)
        return str(value) if value else None

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Dataset:
        org = data.get("organization")
        spatial = data.get("spatial")
        return cls(
            id=str(data["id"]),
            slug=str(data.get("slug") or ""),
            title=str(data.get("title") or ""),
            description=str(data.get("description") or ""),
            organization_id=str(org["id"]) if isinstance(org, dict) and org.get("id") else None,
            license=str(data.get("license") or ""),
            frequency=str(data.get("frequency") or ""),
            tags=tuple(str(t) for t in data.get("tags") or ()),
            spatial=Spatial.from_payload(spatial) if spatial else None,
            temporal_coverage=TemporalCoverage.from_payload(data.get("temporal_coverage")),
            private=bool(data.get("private")),
            deleted=bool(data.get("deleted")),
            extras=dict(data.get("extras") or {}),
            resources=tuple(Resource.from_payload(r) for r in data.get("resources") or ()),
            page=str(data.get("page") or ""),
        )
