"""The interface every theme profile implements (hiking, water points/PEI, flood/PPR).

A profile turns raw layers into a dataset that conforms to a national standard. It is *data first*: the
target fields, their types, enumerations and synonyms are declared, so that the generic machinery (field
matcher, value mapping, checks, anonymisation, reports) works the same for every theme, and the profile
module only adds what is specific (official validator, products to write).

Flow of ``odl-geo check/convert --theme T``::

    layers --assign_roles--> {role: frame} --mapping (auto + TOML)--> conformed frames
           --anonymise--> --checks (registry, by theme)--> --validate (official validator)--> Report
           --write_products--> files (e.g. schema-valid GeoJSON, PEI CSV, CNIG PPR GeoPackage)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd

    from ..exports.base import OutputFile
    from ..report import Report

__all__ = [
    "BufferedSink",
    "FieldKind",
    "ProductSink",
    "Profile",
    "RoleSpec",
    "SchemaRef",
    "TargetField",
    "ThemeDataset",
]

FieldKind = str  # "string", "integer", "number", "boolean", "date", "datetime", "array", "object"


@dataclass(frozen=True)
class SchemaRef:
    """Reference to a national schema, as data.gouv.fr wants it on a resource (``{"name", "version"}``)."""

    name: str  # e.g. "PnX-SI/schema_randonnee", "datakode/schema-pei", "cnig/ppr"
    version: str
    url: str = ""


@dataclass(frozen=True)
class TargetField:
    """One field of the target schema.

    :param synonyms: other names found in real layers (normalised: lower case, no accents, ``_`` for spaces),
        used by the automatic matcher before fuzzy matching.
    :param value_synonyms: for enumerations, raw value -> schema code (``"pédestre" -> "pédestre"``,
        ``"VTT" -> "VTT"``, ``"poteau" -> "PI"``), normalised keys.
    :param personal: personal data (names, phones, e-mails of private persons): dropped or masked by default.
    :param unique: an identifier: two features must not share a value (``DUPLICATE_ID`` check).
    """

    name: str
    kind: FieldKind = "string"
    required: bool = False
    enum: tuple[str, ...] | None = None
    synonyms: tuple[str, ...] = ()
    value_synonyms: dict[str, str] = field(default_factory=dict)
    description: str = ""
    personal: bool = False
    unique: bool = False


@dataclass(frozen=True)
class RoleSpec:
    """A layer the theme expects: the single layer of hiking/water, or one of the PPR layers."""

    role: str  # "main", or for flood "perimetre", "zone_alea", "zone_reglementaire", "multi_alea", "procedure"
    title: dict[str, str]  # {"fr": ..., "en": ...}
    geometry_family: str | None  # "point", "line", "polygon" or None for a table
    fields: tuple[TargetField, ...]
    required: bool = True
    layer_hints: tuple[str, ...] = ()  # substrings of source layer names that identify the role (N_ZONE_ALEA...)


@dataclass
class ThemeDataset:
    """Frames by role, as read (then as conformed). Frames are GeoDataFrames (or DataFrames for tables)."""

    frames: dict[str, gpd.GeoDataFrame]
    source_names: dict[str, str] = field(default_factory=dict)  # role -> source layer display name
    # what conforming did, for the reports: role -> target field -> (source field, how: exact/synonym/fuzzy/mapping)
    field_matches: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    notes: dict[str, dict[str, object]] = field(default_factory=dict)  # role -> free details for the reports
    source_path: Path | None = None  # the input file, for validators that must see the file (CNIG GeoPackage)
    product_names: dict[str, str] = field(default_factory=dict)  # role -> XML-safe layer name of the products

    def product_name(self, role: str) -> str:
        """The name the products give the role's layer: XML-safe (see ``checks.names.product_layer_name``)."""
        return self.product_names.get(role) or self.source_names.get(role, role)


class ProductSink(ABC):
    """Where ``convert --theme`` writes a theme's products as the layer streams by, chunk after chunk.

    ``write`` receives each chunk as a :class:`ThemeDataset` (conformed, anonymised, checked, fixed, rows left out,
    validated); ``close`` ends the files and returns them. The files are the same bytes that
    :meth:`Profile.write_products` writes for the whole layer at once.
    """

    @abstractmethod
    def write(self, chunk: ThemeDataset) -> None:
        """Append one chunk to the products."""

    @abstractmethod
    def close(self) -> list[OutputFile]:
        """End the products (after the last chunk) and describe them."""


class BufferedSink(ProductSink):
    """The fallback for profiles whose products need the whole dataset (the CNIG PPR joins its tables): chunks are
    gathered, and :meth:`Profile.write_products` writes them at the end."""

    def __init__(self, profile: Profile, out_dir: Path, report: Report) -> None:
        self.profile, self.out_dir, self.report = profile, out_dir, report
        self.chunks: list[ThemeDataset] = []

    def write(self, chunk: ThemeDataset) -> None:
        self.chunks.append(chunk)

    def close(self) -> list[OutputFile]:
        import pandas as pd

        if not self.chunks:
            return []
        first = self.chunks[0]
        frames = {
            role: pd.concat([c.frames[role] for c in self.chunks if role in c.frames], ignore_index=True)
            for role in first.frames
        }
        whole = ThemeDataset(
            frames=frames,
            source_names=first.source_names,
            field_matches=first.field_matches,
            notes=first.notes,
            source_path=first.source_path,
            product_names=first.product_names,
        )
        self.chunks = []
        return self.profile.write_products(whole, self.out_dir, self.report)


class Profile(ABC):
    """A theme. Subclasses are registered in ``odl_geo.profiles.registry`` under ``key``."""

    key: ClassVar[str]  # "hiking", "water", "pei", "flood"
    title: ClassVar[dict[str, str]]
    schema: ClassVar[SchemaRef | None] = None
    target_epsg: ClassVar[int] = 4326
    roles: ClassVar[tuple[RoleSpec, ...]]
    decode_html: ClassVar[bool] = False  # decode ``&eacute;`` while reading (Geotrek exports)
    product_formats: ClassVar[tuple[str, ...]] = ()  # what write_products writes, for help texts and docs
    #: source fields are matched to target fields (a mapping file's [fields] apply); False where the standard
    #: prescribes the translation itself (COVADIS -> CNIG PPR), so that only [constants] can be given
    field_mapping: ClassVar[bool] = True

    def assign_roles(self, layer_names: list[str]) -> dict[str, str]:
        """Role -> source layer name. Default: the only layer is "main"; profiles with several roles use hints."""
        if len(self.roles) == 1:
            return {self.roles[0].role: layer_names[0]} if layer_names else {}
        found: dict[str, str] = {}
        for spec in self.roles:
            for name in layer_names:
                if any(h.lower() in name.lower() for h in spec.layer_hints):
                    found.setdefault(spec.role, name)
        return found

    def conform(
        self, dataset: ThemeDataset, mapping: object, report: Report, state: dict[str, Any] | None = None
    ) -> ThemeDataset:
        """Raw frames -> frames in the target schema (renamed, typed, enumerations mapped, constants set).

        The default is the generic field matcher + mapping file (``odl_geo.profiles.mapping``); profiles whose
        standard needs more than renaming (the CNIG PPR splits and joins tables) override it.

        :param state: streaming (``convert --theme`` conforms a layer chunk by chunk): one dict per layer, the
            same for every chunk, in which a profile keeps the decisions it takes from the data (which columns
            hold Geotrek objects) on the first chunk, so that every chunk is conformed alike. None: ``dataset``
            is the whole layer. The generic conforming takes no decision from the data (fields are matched by
            their names, values one by one), so it needs none.
        """
        from .mapping import conform_generic  # the generic machinery, shared by every profile

        return conform_generic(self, dataset, mapping, report)

    @abstractmethod
    def validate(self, dataset: ThemeDataset, report: Report) -> None:
        """Run the official validator (jsonschema, frictionless, CNIG structure) and add its findings."""

    @abstractmethod
    def write_products(self, dataset: ThemeDataset, out_dir: Path, report: Report) -> list[OutputFile]:
        """Write the standard product(s) of the theme into ``out_dir`` and return them."""

    def open_products(self, out_dir: Path, report: Report) -> ProductSink:
        """A sink writing the products chunk by chunk (``convert --theme`` streams the layer). The default gathers
        the chunks and calls :meth:`write_products` at the end; single-layer profiles stream."""
        return BufferedSink(self, out_dir, report)
