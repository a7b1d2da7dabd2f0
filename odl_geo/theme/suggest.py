"""What the automatic matcher proposes for a source and a theme, before anything is checked or written.

``odl-geo mapping`` prints it as a starter mapping file (TOML) to complete by hand; the QGIS plugin shows it as an
editable table (``--json``) and writes the person's choices back with
:func:`odl_geo.profiles.mapping_toml.dump_mapping`.
It reads the layers' field names and, for the source fields matched to an enumeration, their distinct values, so that
values the schema does not know are listed with the codes they could take; it never reads geometries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..naming import display_name
from ..profiles.anonymise import is_personal_name
from ..profiles.mapping import Mapping, load_mapping
from ..profiles.mapping_toml import MappingChoices
from ..profiles.matching import match_fields
from ..profiles.registry import load_profile
from ..sources import ReadOptions, open_source

if TYPE_CHECKING:
    from pathlib import Path

    from ..profiles.base import RoleSpec, TargetField
    from ..sources.layer import LayerSource

__all__ = ["MappingSuggestion", "RoleSuggestion", "TargetSuggestion", "suggest_mapping"]

#: distinct values listed per enumerated field (a free-text column matched by mistake must not flood the table)
MAX_VALUES = 50


@dataclass
class TargetSuggestion:
    """One schema field: what it is, and where its values would come from."""

    name: str
    kind: str
    required: bool
    enum: list[str] | None
    description: str
    personal: bool
    source: str | None = None  # the matched source field
    how: str | None = None  # "mapping", "exact", "normalised", "synonym", "fuzzy"
    score: float | None = None
    constant: Any = None  # a [constants] value of the mapping file
    values: dict[str, str | None] = field(default_factory=dict)  # raw source value -> code (None: unknown)


@dataclass
class RoleSuggestion:
    """One layer the theme expects, the source layer found for it (if any) and its fields."""

    role: str
    title: dict[str, str]
    layer: str | None
    required: bool
    editable: bool  # False where the profile has its own translation (COVADIS -> CNIG): only constants apply
    source_fields: list[str] = field(default_factory=list)
    personal_sources: list[str] = field(default_factory=list)  # source fields anonymisation drops by default
    targets: list[TargetSuggestion] = field(default_factory=list)
    unused_sources: list[str] = field(default_factory=list)

    @property
    def missing_required(self) -> list[str]:
        """Required fields with neither a source field nor a constant (for a layer found in the source)."""
        if self.layer is None:
            return []
        return [t.name for t in self.targets if t.required and t.source is None and t.constant is None]


@dataclass
class MappingSuggestion:
    theme: str
    source: str
    roles: list[RoleSuggestion]

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for role, data in zip(self.roles, out["roles"], strict=True):
            data["missing_required"] = role.missing_required
        return out

    def choices(self) -> MappingChoices:
        """The suggestion as a mapping file: every match written out, with what is left to decide as comments."""
        c = MappingChoices(
            comments=[
                f"Mapping of {self.source} to the {self.theme} theme, proposed by odl-geo's automatic matcher.",
                f"Check each line, complete what is missing, then: odl-geo check FILE --theme {self.theme} --mapping M",
            ]
        )
        for r in self.roles:
            key = r.role if len(self.roles) > 1 else ""
            if r.editable:
                matched = {t.name: t.source for t in r.targets if t.source is not None and t.constant is None}
                if matched:
                    c.fields[key] = matched
            consts = {t.name: t.constant for t in r.targets if t.constant is not None}
            if consts:
                c.constants[key] = consts
            for t in r.targets:
                unknown = [raw for raw, code in t.values.items() if code is None]
                if unknown:
                    c.comments.append(
                        f"{t.name}: values unknown to the schema: {', '.join(map(repr, unknown[:10]))}; "
                        f"add [values.{t.name}] \"raw\" = \"code\" with a code among: {', '.join(t.enum or [])}."
                    )
            if r.missing_required:
                c.comments.append(
                    f"{r.title['en']}: required fields without a source: {', '.join(r.missing_required)}; "
                    "map a source field in [fields] or give a value in [constants]."
                )
        return c


def suggest_mapping(
    path: str | Path, theme: str, read_options: ReadOptions | None = None, mapping: str | Path | None = None
) -> MappingSuggestion:
    """Match the layers of ``path`` to ``theme``'s roles and fields (a mapping file's choices win).

    :raises InputError: unknown theme, bad mapping file, unreadable source, or no layer the theme can use.
    """
    profile = load_profile(theme)
    m = load_mapping(mapping, profile) if mapping else Mapping()
    with open_source(path, read_options) as src:
        layers = {lyr.name: lyr for lyr in src.layers}
        chosen = profile.assign_roles(list(layers))
        if not chosen and any(spec.required for spec in profile.roles):
            raise InputError(
                f"{display_name(src.path)} has no layer the {profile.key} theme can use.",
                "Check the file, or choose the layer with --layer.",
                message_fr=f"{display_name(src.path)} n'a aucune couche utilisable par le thème {profile.key}.",
                hint_fr="Vérifiez le fichier, ou choisissez la couche avec --layer.",
            )
        editable = profile.field_mapping
        # the roles found in the source, the required ones (missing: say so), and value-only roles such as the
        # PPR procedure (no layer of its own: its values are [constants])
        roles = [
            _role(spec, layers.get(chosen.get(spec.role, "")), m, editable)
            for spec in profile.roles
            if spec.role in chosen or spec.required or not spec.layer_hints
        ]
    return MappingSuggestion(profile.key, display_name(src.path), roles)


def _role(spec: RoleSpec, layer: LayerSource | None, mapping: Mapping, editable: bool) -> RoleSuggestion:
    forced, constants, values = mapping.for_role(spec.role)
    sources = [name for name, _ in layer.fields] if layer else []
    targets = [tf for tf in spec.fields if tf.name not in constants]
    result = match_fields(sources, targets, {k: v for k, v in forced.items() if k in {t.name for t in spec.fields}})
    out = RoleSuggestion(
        spec.role,
        dict(spec.title),
        layer.name if layer else None,
        spec.required,
        editable and layer is not None,
        source_fields=sources,
        personal_sources=[s for s in sources if is_personal_name(s)],
        unused_sources=list(result.unused_sources),
    )
    enum_sources: dict[str, TargetField] = {}
    for tf in spec.fields:
        t = TargetSuggestion(
            tf.name,
            tf.kind,
            tf.required,
            [str(c) for c in tf.enum] if tf.enum is not None else None,
            tf.description,
            tf.personal,
        )
        if tf.name in constants:
            t.constant = constants[tf.name]
        elif (match := result.matches.get(tf.name)) is not None and match.source in sources:
            t.source, t.how, t.score = match.source, match.how, round(match.score, 3)
            if tf.enum is not None:
                enum_sources[match.source] = tf
        out.targets.append(t)
    if layer is not None and enum_sources:
        distinct = _distinct_values(layer, list(enum_sources))
        for t in out.targets:
            if t.source in enum_sources:
                t.values = _value_codes(distinct.get(t.source or "", []), enum_sources[t.source], values.get(t.name))
    return out


def _distinct_values(layer: LayerSource, columns: list[str]) -> dict[str, list[str]]:
    """Up to :data:`MAX_VALUES` distinct non-blank values of each column, as text, without reading geometries."""
    import warnings

    import pyarrow.compute as pc
    import pyogrio

    from ..profiles.geotrek import label_of

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, table = pyogrio.read_arrow(layer.gdal_path, columns=columns, read_geometry=False, **layer.read_kwargs())
    out: dict[str, list[str]] = {}
    for name in columns:
        if name not in table.column_names:
            continue
        col = pc.utf8_trim_whitespace(table.column(name).cast("string"))
        unique = pc.unique(col).drop_null().to_pylist()
        # a Geotrek export's objects ({"id": 4, "label": "Pédestre"}) are proposed by their labels, as conformed
        labels = {label_of(v) or v for v in unique if v}
        out[name] = sorted(labels)[:MAX_VALUES]
    return out


def _value_codes(raw: list[str], target: TargetField, extra: dict[str, str] | None) -> dict[str, str | None]:
    """Each raw value and the code the conformer will give it (None: none, the person must choose one)."""
    import pandas as pd

    from ..profiles.values import map_enum

    if not raw:
        return {}
    codes, _, outside = map_enum(pd.Series(raw, dtype=object), target, extra)
    return {v: (None if bad else str(code)) for v, code, bad in zip(raw, codes, outside, strict=True)}
