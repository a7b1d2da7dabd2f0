"""The mapping file (TOML) and the generic conforming step shared by every profile.

A mapping file is what a SIG administrator writes once per source to say what the automatic matcher cannot
guess. Every section is optional::

    [fields]                       # target field = source field ("" leaves the target empty)
    nom_itineraire = "NOM"
    [fields.zone_alea]             # multi-layer themes: per role
    codezone = "CODE_ZONE"
    [constants]                    # the same value for every feature
    producteur = "Commune de Saint-Guilhem-le-Désert"
    [values.pratique]              # raw value = schema code
    "rando pédestre" = "pédestre"
    [anonymise]                    # see odl_geo.profiles.anonymise
    keep = ["nom_etab"]
    mask_free_text = true

Errors in the file are found before any data is read and each gives one :class:`InputError` naming the file,
the section and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..errors import InputError
from ..numbers import literal
from ..report import Issue, Severity
from .base import ThemeDataset
from .matching import match_fields
from .values import coerce, is_arrow_text, map_enum

if TYPE_CHECKING:
    from ..report import Report
    from .base import Profile, RoleSpec, TargetField

__all__ = [
    "ANONYMISE_KEYS",
    "Mapping",
    "check_field_name",
    "conform_frame",
    "conform_generic",
    "load_mapping",
    "parse_mapping",
]

ANONYMISE_KEYS = {"keep": list, "drop": list, "mask": list, "scan_free_text": bool, "mask_free_text": bool}
_SECTIONS = ("fields", "constants", "values", "anonymise")


@dataclass
class Mapping:
    """A parsed, checked mapping file. ``fields``/``constants``/``values`` are keyed by role ("" = every role)."""

    path: str = ""
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    constants: dict[str, dict[str, Any]] = field(default_factory=dict)
    values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    anonymise: dict[str, Any] = field(default_factory=dict)

    def for_role(self, role: str) -> tuple[dict[str, str], dict[str, Any], dict[str, dict[str, str]]]:
        """The role's own entries over the shared ones."""
        return (
            {**self.fields.get("", {}), **self.fields.get(role, {})},
            {**self.constants.get("", {}), **self.constants.get(role, {})},
            {**self.values.get("", {}), **self.values.get(role, {})},
        )


def load_mapping(path: str | Path, profile: Profile) -> Mapping:
    """Read and check a mapping file against ``profile``.

    :raises InputError: the file is missing, is not TOML, or names a section, field or value the profile lacks.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(
            f"The mapping file {p} does not exist.",
            "Check the --mapping path.",
            message_fr=f"Le fichier de correspondance {p} est introuvable.",
            hint_fr="Vérifiez le chemin donné à --mapping.",
        ) from exc
    except UnicodeDecodeError as exc:
        raise InputError(
            f"The mapping file {p.name} is not UTF-8 text.",
            "Save it as UTF-8.",
            message_fr=f"Le fichier de correspondance {p.name} n'est pas un texte en UTF-8.",
            hint_fr="Enregistrez-le en UTF-8.",
        ) from exc
    return parse_mapping(text, profile, p.name)


def parse_mapping(text: str, profile: Profile, name: str = "mapping.toml") -> Mapping:
    """Like :func:`load_mapping`, from the file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(
            f"The mapping file {name} is not valid TOML: {exc}.",
            'Each line must look like key = "value"; quote keys that hold spaces or accents ("rando pédestre").',
            message_fr=f"Le fichier de correspondance {name} n'est pas un TOML valide : {exc}.",
            hint_fr='Chaque ligne doit avoir la forme clé = "valeur" ; mettez entre guillemets les clés qui '
            'contiennent des espaces ou des accents ("rando pédestre").',
        ) from exc
    for section in data:
        if section not in _SECTIONS:
            raise InputError(
                f"The mapping file {name} has an unknown section [{section}].",
                "Allowed sections: " + ", ".join(f"[{s}]" for s in _SECTIONS) + ".",
                message_fr=f"Le fichier de correspondance {name} contient une section inconnue [{section}].",
                hint_fr="Sections possibles : " + ", ".join(f"[{s}]" for s in _SECTIONS) + ".",
            )
    m = Mapping(path=name)
    roles = {r.role: r for r in profile.roles}
    if data.get("fields") and not profile.field_mapping:
        raise InputError(
            f"{name} [fields]: the {profile.key} theme does not map fields, its standard names the source fields "
            "itself (COVADIS for flood).",
            'Map local codes with [values.FIELD] (e.g. [values.typereg] "R" = "03") and give what the source '
            "lacks with [constants].",
            message_fr=f"{name} [fields] : le thème {profile.key} n'associe pas les champs, son standard fixe "
            "lui-même les noms des champs de la source (COVADIS pour les inondations).",
            hint_fr='Faites correspondre les codes locaux avec [values.CHAMP] (p. ex. [values.typereg] "R" = "03") '
            "et donnez ce qui manque à la source avec [constants].",
        )
    m.fields = _by_role(data.get("fields", {}), "fields", name, roles, str)
    m.constants = _by_role(data.get("constants", {}), "constants", name, roles, object)
    for role_key, entries in m.fields.items():
        for target, source in entries.items():
            _target(profile, roles, role_key, target, name, "fields")
            if not isinstance(source, str):
                raise InputError(
                    f"{name} [fields] {target} must be the name of a source field in quotes, not {source!r}.",
                    f'Write {target} = "SOURCE_FIELD".',
                    message_fr=f"{name} [fields] {target} doit être le nom d'un champ de la source entre guillemets, "
                    f"pas {source!r}.",
                    hint_fr=f'Écrivez {target} = "CHAMP_SOURCE".',
                )
    values = data.get("values", {})
    if not isinstance(values, dict):
        raise InputError(
            f"{name}: [values] must hold tables like [values.pratique].",
            'e.g. [values.pratique] "rando" = "pédestre"',
            message_fr=f"{name} : [values] doit contenir des tables comme [values.pratique].",
            hint_fr='p. ex. [values.pratique] "rando" = "pédestre"',
        )
    for key, table in values.items():
        role_key, target = _split_role(key, roles)
        if role_key and isinstance(table, dict) and all(isinstance(v, dict) for v in table.values()):
            raise InputError(
                f"{name}: write [values.{key}.FIELD], not [values.{key}].",
                "One table per field.",
                message_fr=f"{name} : écrivez [values.{key}.CHAMP], pas [values.{key}].",
                hint_fr="Une table par champ.",
            )
        if not isinstance(table, dict):
            raise InputError(
                f'{name}: [values.{key}] must be a table of "raw value" = "code".',
                'e.g. "rando" = "pédestre"',
                message_fr=f'{name} : [values.{key}] doit être une table de lignes "valeur brute" = "code".',
                hint_fr='p. ex. "rando" = "pédestre"',
            )
        tf = _target(profile, roles, role_key, target, name, "values")
        if tf.enum is None:
            raise InputError(
                f"{name} [values.{key}]: {target} is not an enumeration, its values are not mapped.",
                "Use [values.FIELD] only for fields with a list of allowed values.",
                message_fr=f"{name} [values.{key}] : {target} n'est pas une énumération : ses valeurs ne "
                "peuvent pas être mises en correspondance.",
                hint_fr="N'utilisez [values.CHAMP] que pour les champs qui ont une liste de valeurs autorisées.",
            )
        allowed = [str(c) for c in tf.enum]
        for raw, code in table.items():
            if str(code) not in allowed:
                raise InputError(
                    f"{name} [values.{key}] {raw!r} = {code!r}: {code!r} is not a value of {target}.",
                    "Allowed: " + ", ".join(allowed) + ".",
                    message_fr=f"{name} [values.{key}] {raw!r} = {code!r} : {code!r} n'est pas une valeur de {target}.",
                    hint_fr="Valeurs autorisées : " + ", ".join(allowed) + ".",
                )
        m.values.setdefault(role_key, {})[target] = {str(k): str(v) for k, v in table.items()}
    for role_key, consts in m.constants.items():
        for target, const_value in consts.items():
            tf = _target(profile, roles, role_key, target, name, "constants")
            # an enumerated constant goes through the same value mapping as a column: "Pedestre" is "pédestre"
            if tf.enum is not None:
                enum_code = constant_code(tf, const_value, m, role_key)
                if enum_code is None:
                    raise InputError(
                        f"{name} [constants] {target} = {const_value!r} is not a value of {target}.",
                        "Allowed: " + ", ".join(map(str, tf.enum)) + f". Or map it in [values.{target}].",
                        message_fr=f"{name} [constants] {target} = {const_value!r} n'est pas une valeur de {target}.",
                        hint_fr="Valeurs autorisées : "
                        + ", ".join(map(str, tf.enum))
                        + f". Ou faites-la correspondre à l'une d'elles dans [values.{target}].",
                    )
                consts[target] = const_value = enum_code
            _, bad = coerce(pd.Series([const_value], dtype=object), tf.kind)
            if bad.any():
                raise InputError(
                    f"{name} [constants] {target} = {const_value!r} is not a {tf.kind}.",
                    f"Give a {tf.kind}.",
                    message_fr=f"{name} [constants] {target} = {const_value!r} n'est pas {_kind_fr(tf.kind)}.",
                    hint_fr=f"Donnez {_kind_fr(tf.kind)}.",
                )
    anonymise = data.get("anonymise", {})
    for key, value in anonymise.items():
        if key not in ANONYMISE_KEYS:
            raise InputError(
                f"{name} [anonymise] has an unknown key {key!r}.",
                "Allowed: " + ", ".join(ANONYMISE_KEYS) + ".",
                message_fr=f"{name} [anonymise] contient une clé inconnue {key!r}.",
                hint_fr="Clés possibles : " + ", ".join(ANONYMISE_KEYS) + ".",
            )
        if not isinstance(value, ANONYMISE_KEYS[key]):
            raise InputError(
                f"{name} [anonymise] {key} must be a {ANONYMISE_KEYS[key].__name__}.",
                'e.g. keep = ["nom_etab"] or mask_free_text = true',
                message_fr=f"{name} [anonymise] {key} doit être {_kind_fr(ANONYMISE_KEYS[key].__name__)}.",
                hint_fr='p. ex. keep = ["nom_etab"] ou mask_free_text = true',
            )
        if isinstance(value, list):
            for field_name in value:
                check_field_name(profile, field_name, f"{name} [anonymise] {key}")
    m.anonymise = dict(anonymise)
    return m


def constant_code(tf: TargetField, value: object, mapping: Mapping, role: str) -> object | None:
    """The enumeration code a constant stands for (the code itself, case and accents aside, the mapping file's
    ``[values]``, the profile's value synonyms), or None when it is none of them."""
    extra = mapping.for_role(role)[2].get(tf.name)
    col, _mapped, bad = map_enum(pd.Series([value], dtype=object), tf, extra)
    return None if bad.any() else col.iloc[0]


def check_field_name(profile: Profile, field_name: object, where: str) -> None:
    """``field_name`` is a field of one of the profile's layers, else one :class:`InputError` saying ``where``
    (``map.toml [anonymise] drop``, ``--keep-personal``) and suggesting the closest field.

    :raises InputError: a name the schema does not have (a typo would otherwise be ignored silently).
    """
    known = sorted({tf.name for spec in profile.roles for tf in spec.fields})
    if isinstance(field_name, str) and field_name in known:
        return
    close = get_close_matches(str(field_name), known, n=1)
    raise InputError(
        f"{where} names the field {field_name!r}, which the {profile.key} schema does not have.",
        (f"Did you mean {close[0]!r}? " if close else "") + "Fields: " + ", ".join(known) + ".",
        message_fr=f"{where} nomme le champ {field_name!r}, que le schéma {profile.key} n'a pas.",
        hint_fr=(f"Vouliez-vous dire {close[0]!r} ? " if close else "") + "Champs : " + ", ".join(known) + ".",
    )


#: what a value of each kind is, in French (« n'est pas un entier »): the kinds of :class:`.TargetField` and the
#: Python types of :data:`ANONYMISE_KEYS`
_KIND_FR = {
    "string": "un texte",
    "integer": "un nombre entier",
    "number": "un nombre",
    "boolean": "un booléen (true ou false)",
    "bool": "un booléen (true ou false)",
    "date": "une date",
    "datetime": "une date avec heure",
    "array": "une liste",
    "list": "une liste",
    "object": "un objet JSON",
}


def _kind_fr(kind: str) -> str:
    """``kind`` as French says what a value of it is: « un nombre entier »; an unknown kind: « du type … »."""
    return _KIND_FR.get(kind, f"du type {kind}")


def _split_role(key: str, roles: dict[str, RoleSpec]) -> tuple[str, str]:
    role, _, rest = key.partition(".")
    return (role, rest) if rest and role in roles else ("", key)


def _by_role(
    section: object, title: str, name: str, roles: dict[str, RoleSpec], kind: type
) -> dict[str, dict[str, Any]]:
    if not isinstance(section, dict):
        raise InputError(
            f"{name}: [{title}] must be a table.",
            f'e.g. [{title}] then lines like field = "value".',
            message_fr=f"{name} : [{title}] doit être une table.",
            hint_fr=f'p. ex. [{title}] puis des lignes comme champ = "valeur".',
        )
    out: dict[str, dict[str, Any]] = {}
    for key, value in section.items():
        if isinstance(value, dict) and key in roles:
            out.setdefault(key, {}).update(value)
        elif isinstance(value, dict):
            raise InputError(
                f"{name} [{title}.{key}]: {key!r} is not a layer of this theme.",
                "Layers (roles): " + ", ".join(roles) + ".",
                message_fr=f"{name} [{title}.{key}] : {key!r} n'est pas une couche de ce thème.",
                hint_fr="Couches (rôles) : " + ", ".join(roles) + ".",
            )
        else:
            out.setdefault("", {})[key] = value
    return out


def _target(
    profile: Profile, roles: dict[str, RoleSpec], role_key: str, target: str, name: str, section: str
) -> TargetField:
    specs = [roles[role_key]] if role_key else list(roles.values())
    for spec in specs:
        for tf in spec.fields:
            if tf.name == target:
                return tf
    known = sorted({tf.name for spec in specs for tf in spec.fields})
    close = get_close_matches(target, known, n=1)
    raise InputError(
        f"{name} [{section}] names the field {target!r}, which the {profile.key} schema does not have.",
        (f"Did you mean {close[0]!r}? " if close else "") + "Fields: " + ", ".join(known) + ".",
        message_fr=f"{name} [{section}] nomme le champ {target!r}, que le schéma {profile.key} n'a pas.",
        hint_fr=(f"Vouliez-vous dire {close[0]!r} ? " if close else "") + "Champs : " + ", ".join(known) + ".",
    )


# -- conforming ------------------------------------------------------------------------------------------


def conform_generic(profile: Profile, dataset: ThemeDataset, mapping: object, report: Report) -> ThemeDataset:
    """Each role's frame renamed, typed and mapped to its target fields (see :func:`conform_frame`)."""
    m = mapping if isinstance(mapping, Mapping) else Mapping()
    out = ThemeDataset(frames={}, source_names=dict(dataset.source_names), source_path=dataset.source_path)
    for spec in profile.roles:
        frame = dataset.frames.get(spec.role)
        if frame is None:
            continue
        layer = dataset.source_names.get(spec.role, spec.role)
        conformed, matches = conform_frame(frame, spec, m, report, layer)
        out.frames[spec.role] = conformed
        out.field_matches[spec.role] = matches
    return out


def conform_frame(
    frame: gpd.GeoDataFrame, spec: RoleSpec, mapping: Mapping, report: Report, layer: str
) -> tuple[gpd.GeoDataFrame, dict[str, tuple[str, str]]]:
    """One frame in its role's target fields, in the schema's order, plus the geometry.

    :returns: the conformed frame and target -> (source, how) for the report.
    :raises InputError: the mapping file names a source field the layer does not have.
    """
    forced, constants, values = mapping.for_role(spec.role)
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None  # looked up once
    sources = [c for c in frame.columns if c != geometry] if geometry is not None else list(frame.columns)
    targets = {tf.name for tf in spec.fields}
    for target, source in forced.items():
        if target in targets and source and source not in sources:
            close = get_close_matches(source, sources, n=1)
            raise InputError(
                f"{mapping.path} [fields] {target} = {source!r}: the layer {layer} has no field {source!r}.",
                (f"Did you mean {close[0]!r}? " if close else "") + "Fields of the layer: " + ", ".join(sources) + ".",
                message_fr=f"{mapping.path} [fields] {target} = {source!r} : la couche {layer} n'a pas de champ "
                f"{source!r}.",
                hint_fr=(f"Vouliez-vous dire {close[0]!r} ? " if close else "")
                + "Champs de la couche : "
                + ", ".join(sources)
                + ".",
            )
    result = match_fields(
        sources,
        [tf for tf in spec.fields if tf.name not in constants],
        {k: v for k, v in forced.items() if k in targets},
    )
    columns: dict[str, pd.Series] = {}
    matches: dict[str, tuple[str, str]] = {}
    n = len(frame)
    for tf in spec.fields:
        if tf.name in constants:
            value = constants[tf.name]  # an enumerated constant is a code already (parse_mapping mapped it)
            # converted once: every row holds the same value, so the column's conversion is this value's
            typed_value = coerce(pd.Series([value], dtype=object), tf.kind)[0].iloc[0]
            columns[tf.name] = pd.Series([typed_value] * n, index=frame.index, dtype=object)
            matches[tf.name] = (f"= {constants[tf.name]!r}", "constant")
            continue
        match = result.matches.get(tf.name)
        if match is None:
            columns[tf.name] = np.full(n, None, dtype=object)  # by position, as the frame's rows
            continue
        matches[tf.name] = (match.source, match.how if match.how != "fuzzy" else f"fuzzy {match.score:.2f}")
        raw = frame[match.source]
        if tf.enum is not None:
            # map_enum strips text itself: Arrow text goes to it as read (its dictionary, no copy to objects)
            as_read = tf.kind != "string" or is_arrow_text(raw)
            typed, _bad = (raw, None) if as_read else coerce(raw, "string")
            col, mapped, _outside = map_enum(typed, tf, values.get(tf.name))
            if mapped:
                quoted = [f"{k!r} -> {v!r}" for k, v in list(mapped.items())[:8]]
                shown = ", ".join(quoted)
                report.add(
                    Issue(
                        "ENUM_VALUES_MAPPED",
                        Severity.INFO,
                        f"{tf.name}: values mapped to the schema's codes: {shown}.",
                        layer=layer,
                        count=_rows_in(raw, list(mapped)),
                        message_fr=f"{tf.name} : valeurs ramenées aux codes du schéma : {shown}.",
                    ).quoting(quoted, 8)
                )
        else:
            col, bad = coerce(raw, tf.kind)
            if bad.any():
                idx = bad.nonzero()[0]
                quoted = [repr(v) for v in pd.unique(raw.iloc[idx].astype(str))[:3]]
                samples = ", ".join(quoted)
                report.add(
                    Issue(
                        "VALUE_NOT_CONVERTED",
                        Severity.WARNING,
                        "",
                        "Correct them in the source, or map another field with a mapping file.",
                        layer=layer,
                        count=len(idx),
                        examples=idx.tolist(),
                        hint_fr="Corrigez-les dans la source, ou associez un autre champ avec un fichier de "
                        "correspondance.",
                    )
                    .counted(
                        f"{literal(tf.name)} (from {literal(match.source)}): {{n}} {{n:value is|values are}} not a "
                        f"{tf.kind} and {{n:was|were}} left empty, e.g. {literal(samples)}.",
                        f"{literal(tf.name)} (depuis {literal(match.source)}) : {{n}} "
                        f"{{n:valeur n'est pas|valeurs ne sont pas}} du type {tf.kind} et {{n:a été laissée|ont été "
                        f"laissées}} vide{{n:|s}}, p. ex. {literal(samples)}.",
                        n=len(idx),
                    )
                    .quoting(quoted, 3)
                )
        columns[tf.name] = col
    fuzzy = {k: v for k, v in result.matches.items() if v.how == "fuzzy"}
    if fuzzy:
        shown = ", ".join(f"{k} <- {v.source} ({v.score:.2f})" for k, v in fuzzy.items())
        report.add(
            Issue(
                "FIELD_MATCH_FUZZY",
                Severity.WARNING,
                f"Fields matched by resemblance only: {shown}.",
                "Check them; confirm or correct them in a mapping file [fields].",
                layer=layer,
                message_fr=f"Champs associés par ressemblance seulement : {shown}.",
            )
        )
    unused = [s for s in result.unused_sources if s not in forced.values()]
    if unused:
        report.add(
            Issue(
                "FIELD_NOT_PUBLISHED",
                Severity.INFO,
                f"Source fields outside the schema, not published: {', '.join(unused)}.",
                "Map one of them in a mapping file if it holds a schema field.",
                layer=layer,
                message_fr="Champs de la source hors schéma, non publiés : " + ", ".join(unused) + ".",
                hint_fr="Associez-en un dans un fichier de correspondance ([fields]) s'il contient un champ du schéma.",
            )
        )
    # copy=False: the columns are this function's own. pandas would copy each one, then stack the object columns
    # into one 2-D block (~15 ms a 20,000-row PEI chunk); left as they are, a later deep copy (the fixes) does that
    data = pd.DataFrame(columns, index=frame.index, copy=False)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
        # copy=False: ``data`` is this function's own (GeoDataFrame copies a DataFrame whole by default)
        out = gpd.GeoDataFrame(data, geometry=frame.geometry.values, crs=frame.crs, copy=False)
    else:
        out = gpd.GeoDataFrame(data)
    return out.reset_index(drop=True), matches


def _rows_in(raw: pd.Series, keys: list[Any]) -> int:
    """Rows of ``raw`` holding one of ``keys`` (``raw.astype(object).isin(keys)``): Arrow text against text keys
    by Arrow's own ``is_in`` (exact text, a missing value in none), without a copy of the column to objects."""
    if is_arrow_text(raw) and all(type(k) is str for k in keys):
        return int(raw.isin(keys).sum())
    return int(raw.astype(object).isin(keys).sum())
