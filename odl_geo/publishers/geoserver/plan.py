"""What to publish, read from a conversion's output (``manifest.json`` + GeoPackages) or from one GeoPackage.

A plan is pure data: names made GeoServer-safe (and unique: two tables never map to one layer), titles with
their accents, bounding boxes from the manifest, one SLD per layer when styles are given (by default the theme's
``styles/<theme>/`` for a theme output), and a fingerprint per store that says whether anything changed.
PostGIS tables are planned by :mod:`.plan_postgis`.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from ...errors import InputError, SourceNotFoundError
from ...exports.manifest import MANIFEST_NAME, sha256_file
from ...profiles.ppr_titles import ppr_table_title
from .models import (
    Attribution,
    BoundingBox,
    DataStore,
    FeatureType,
    MetadataLink,
    Style,
    safe_name,
    unique_names,
)

__all__ = ["LayerSpec", "PublishOptions", "PublishPlan", "StoreSpec", "StyleSpec", "plan_publication"]


@dataclass(frozen=True)
class PublishOptions:
    """Metadata and styles. ``titles`` maps a layer (table) name to its title; ``title`` applies to the others.

    :param style: an SLD file (every layer) or a folder such as ``styles/flood`` (one SLD matched per layer).
        Without it, a theme output (``manifest.json`` naming its theme) gets ``OUTDIR/styles/*.sld`` when there are
        any, else the theme's ``styles/<theme>/``; set ``theme_styles=False`` to keep GeoServer's default styles.
    """

    title: str | None = None
    titles: dict[str, str] = field(default_factory=dict)
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    attribution: Attribution | None = None
    style: Path | None = None
    store: str | None = None  # store name (default: the GeoPackage's file name, made safe)
    theme_styles: bool = True
    #: URL of the dataset's ISO 19139 record, linked from each feature type (GeoServer metadataLinks, the WMS
    #: MetadataURL); default: the one ``odl-geo metadata`` recorded in the manifest, when it knows it
    metadata_url: str = ""
    #: table -> layer name chosen by the user (``--layer-name TABLE=NAME``): a name another store holds in the
    #: workspace is refused at publishing, and this is how to publish anyway
    layer_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StyleSpec:
    name: str
    path: Path
    version: str  # 1.0.0 (SLD) | 1.1.0 (SE)
    sha256: str

    @property
    def model(self) -> Style:
        return Style.of_odl_geo(self.name, self.version)


@dataclass(frozen=True)
class LayerSpec:
    feature_type: FeatureType
    feature_count: int
    geometry_type: str | None = None
    style: StyleSpec | None = None
    attribution: Attribution | None = None

    @property
    def name(self) -> str:
        return self.feature_type.name


@dataclass(frozen=True)
class StoreSpec:
    """One datastore: a GeoPackage to upload (``path``), or a PostGIS database (``postgis``: its connection).

    ``sha256`` identifies the data: the GeoPackage's bytes, or for PostGIS the published tables' content
    (odl-geo's fingerprints, else row counts and extents); a change means "upload again / reset the store".
    """

    name: str
    path: Path | None
    sha256: str
    size: int
    layers: tuple[LayerSpec, ...]
    postgis: DataStore | None = field(default=None, repr=False)

    @property
    def kind(self) -> str:
        """GeoServer's store type: ``GeoPackage`` or ``PostGIS``."""
        return "PostGIS" if self.postgis is not None else "GeoPackage"

    @property
    def fingerprint(self) -> str:
        """Hash of everything published for this store besides the file: a change means "check every layer"."""
        doc = [
            [
                lyr.feature_type.to_payload(),
                lyr.style.name if lyr.style else None,
                lyr.style.sha256 if lyr.style else None,
                lyr.attribution.to_payload() if lyr.attribution else None,
            ]
            for lyr in self.layers
        ]
        return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class PublishPlan:
    workspace: str
    stores: tuple[StoreSpec, ...]
    #: what the user should know before publishing (a theme output whose styles were not found...)
    warnings: tuple[str, ...] = ()

    @property
    def layers(self) -> list[LayerSpec]:
        return [lyr for s in self.stores for lyr in s.layers]


def plan_publication(path: str | Path, workspace: str, options: PublishOptions | None = None) -> PublishPlan:
    """Build the plan for an output folder (with ``manifest.json``) or a single ``.gpkg``.

    :raises SourceNotFoundError: nothing publishable at ``path``.
    :raises InputError: bad workspace name, unreadable GeoPackage, or a style that is not SLD.
    """
    options = options or PublishOptions()
    p = Path(path)
    if not p.exists():
        raise SourceNotFoundError(
            f"{p} does not exist.",
            "Give a conversion output folder or a .gpkg file.",
            message_fr=f"{p} est introuvable.",
            hint_fr="Indiquez le dossier de sortie d'une conversion ou un fichier .gpkg.",
        )
    ws = safe_name(workspace, "odl")
    if ws != workspace:
        raise invalid_workspace(workspace, ws)
    theme = None
    if p.is_dir() or p.name == MANIFEST_NAME:
        groups, theme = _from_manifest(p)
    else:
        groups = _from_gpkg(p)
    style = options.style
    warnings: tuple[str, ...] = ()
    if style is None and theme and options.theme_styles:
        style = theme_style_folder(p if p.is_dir() else p.parent, theme)
        warnings = () if style is not None else (missing_theme_style(theme),)
    styles = _style_files(style)
    if theme:  # the web map (<odl-map theme="water">) picks a theme's layers by this WMS keyword (docs/embed.md)
        from dataclasses import replace

        from ...naming import theme_keyword

        options = replace(options, keywords=tuple(dict.fromkeys((*options.keywords, theme_keyword(theme)))))
    if not options.metadata_url and (p.is_dir() or p.name == MANIFEST_NAME):
        from dataclasses import replace as _replace

        options = _replace(options, metadata_url=_manifest_metadata_url(p if p.is_dir() else p.parent))
    stores = []
    for gpkg, (sha, size, entries) in groups.items():
        layers = tuple(_layer(e, options, styles) for e in entries)
        stores.append(StoreSpec(options.store or safe_name(gpkg.stem, "store"), gpkg, sha, size, layers))
    if options.store and len(stores) > 1:
        raise InputError(
            "--store names one store, but there are several GeoPackages.",
            "Leave --store out.",
            message_fr="--store désigne un seul entrepôt, mais il y a plusieurs GeoPackages.",
            hint_fr="Retirez --store.",
        )
    check_layer_names_option(options.layer_names, [lyr.feature_type.native_name for s in stores for lyr in s.layers])
    return disambiguate(PublishPlan(ws, tuple(stores), warnings))


def invalid_workspace(workspace: str, safe: str) -> InputError:
    """The error for a workspace name GeoServer would not take (``safe``: the name to use instead)."""
    return InputError(
        f"The workspace name '{workspace}' is not a valid GeoServer name.",
        f"Use '{safe}'.",
        message_fr=f"Le nom d'espace de travail '{workspace}' n'est pas un nom GeoServer valide.",
        hint_fr=f"Utilisez '{safe}'.",
    )


def missing_theme_style(theme: str) -> str:
    """The warning for a theme output published without its styles: never silence (issue 16)."""
    from ...profiles.styles import STYLES_ENV, styles_root

    return (
        f"No SLD style found for the {theme} theme (looked in OUTDIR/styles and {styles_root() or 'odl_geo/styles'}"
        f"/{theme}): GeoServer's default styles are used. Give --style, or set {STYLES_ENV} to a styles folder."
    )


def theme_style_folder(outdir: Path, theme: str) -> Path | None:
    """The SLDs of a theme output: ``OUTDIR/styles/*.sld`` (the publisher's own), else ``styles/<theme>/``."""
    from ...profiles.styles import theme_style_dir

    # "styles", as odl_geo.serve.styles.OWN_STYLES: not imported from there, because importing odl_geo.serve loads
    # geopandas/pyogrio, which must never reach the QGIS process that plans a GeoServer publication (issue 12)
    own = outdir / "styles"
    if own.is_dir() and any(own.glob("*.sld")):
        return own
    return theme_style_dir(theme, ".sld")


def check_layer_names_option(chosen: dict[str, str], tables: list[str]) -> None:
    """``--layer-name TABLE=NAME``: TABLE must be published, NAME must be a valid GeoServer name.

    :raises InputError: an unknown table or an unusable name.
    """
    for table, name in chosen.items():
        if table not in tables:
            raise InputError(
                f"--layer-name {table}={name}: there is no table {table!r} to publish.",
                "Tables: " + ", ".join(tables) + ".",
                message_fr=f"--layer-name {table}={name} : il n'y a pas de table {table!r} à publier.",
                hint_fr="Tables : " + ", ".join(tables) + ".",
            )
        if safe_name(name) != name:
            raise InputError(
                f"--layer-name {table}={name}: {name!r} is not a valid GeoServer layer name.",
                f"Use letters, digits, '_' and '-', e.g. {safe_name(name)!r}.",
                message_fr=f"--layer-name {table}={name} : {name!r} n'est pas un nom de couche GeoServer valide.",
                hint_fr=f"Utilisez des lettres, des chiffres, '_' et '-', p. ex. {safe_name(name)!r}.",
            )


def disambiguate(plan: PublishPlan) -> PublishPlan:
    """Unique store names, and layer names unique in the workspace (GeoServer's namespace, all stores together).

    Deterministic: stores and layers keep the plan's order (GeoPackages by name, tables as listed), the first
    keeps the safe name and the next ones get ``_2``, ``_3``... A table is never published over another one.
    """
    from dataclasses import replace

    store_names = unique_names([s.name for s in plan.stores])
    layer_names = iter(unique_names([lyr.name for s in plan.stores for lyr in s.layers]))
    stores = []
    for store, name in zip(plan.stores, store_names, strict=True):
        layers = []
        for lyr in store.layers:
            new = next(layer_names)
            layers.append(lyr if new == lyr.name else replace(lyr, feature_type=replace(lyr.feature_type, name=new)))
        stores.append(replace(store, name=name, layers=tuple(layers)))
    return PublishPlan(plan.workspace, tuple(stores), plan.warnings)


def _from_manifest(p: Path) -> tuple[dict[Path, tuple[str, int, list[dict[str, Any]]]], str | None]:
    """The GeoPackages of an output folder and their tables, and the theme of a theme output (else None)."""
    folder = p if p.is_dir() else p.parent
    manifest = folder / MANIFEST_NAME
    if not manifest.is_file():
        raise SourceNotFoundError(
            f"{folder} has no {MANIFEST_NAME}.",
            "Convert first (odl-geo convert ... --to gpkg).",
            message_fr=f"{folder} ne contient pas de {MANIFEST_NAME}.",
            hint_fr="Convertissez d'abord (odl-geo convert ... --to gpkg).",
        )
    data = json.loads(manifest.read_text(encoding="utf-8"))
    source = data.get("source")
    theme = None
    if isinstance(source, dict) and source.get("theme"):
        theme = str(source["theme"])
    groups: dict[Path, tuple[str, int, list[dict[str, Any]]]] = {}
    for f in data.get("files", []):
        # attribute tables (CNIG procedure...) and empty tables are no map layers: GeoServer refuses them
        if f.get("format") != "gpkg" or not f.get("geometry_type") or not f.get("feature_count"):
            continue
        gpkg = folder / f["path"]
        if gpkg not in groups:
            if not gpkg.is_file():
                raise SourceNotFoundError(
                    f"{gpkg} is listed in {MANIFEST_NAME} but missing.",
                    "Convert again.",
                    message_fr=f"{gpkg} figure dans {MANIFEST_NAME} mais est introuvable.",
                    hint_fr="Relancez la conversion.",
                )
            # the file's own bytes decide, never the manifest's word: a GeoPackage edited after the conversion
            # (in QGIS, same size) must be uploaded again
            groups[gpkg] = (sha256_file(gpkg), gpkg.stat().st_size, [])
        groups[gpkg][2].append(f)
    if not groups:
        raise SourceNotFoundError(
            f"{manifest} lists no GeoPackage.",
            "Convert with --to gpkg (the default).",
            message_fr=f"{manifest} ne liste aucun GeoPackage.",
            hint_fr="Convertissez avec --to gpkg (le format par défaut).",
        )
    return groups, theme


def _from_gpkg(p: Path) -> dict[Path, tuple[str, int, list[dict[str, Any]]]]:
    """Tables of a GeoPackage from ``gpkg_contents`` (what GeoServer sees), bounding boxes in WGS84 via pyproj."""
    if p.suffix.lower() != ".gpkg":
        raise InputError(
            f"{p.name} is not a GeoPackage.",
            "Publish a .gpkg or a conversion output folder.",
            message_fr=f"{p.name} n'est pas un GeoPackage.",
            hint_fr="Publiez un .gpkg ou le dossier de sortie d'une conversion.",
        )
    try:
        con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
        try:
            rows = con.execute(
                "SELECT c.table_name, c.min_x, c.min_y, c.max_x, c.max_y, c.srs_id, g.geometry_type_name "
                "FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g ON g.table_name = c.table_name "
                "WHERE c.data_type = 'features' ORDER BY c.table_name"
            ).fetchall()
            counts = {r[0]: con.execute(f'SELECT count(*) FROM "{r[0]}"').fetchone()[0] for r in rows}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise InputError(
            f"{p.name} cannot be read as a GeoPackage ({exc}).",
            "Check the file.",
            message_fr=f"{p.name} ne peut pas être lu comme un GeoPackage ({exc}).",
            hint_fr="Vérifiez le fichier.",
        ) from None
    entries = []
    for name, x0, y0, x1, y1, srid, gtype in rows:
        if not counts[name]:
            continue  # an empty table of a standard template: nothing to map
        crs = f"EPSG:{srid}" if srid and srid > 0 else None
        bbox = [x0, y0, x1, y1] if None not in (x0, y0, x1, y1) else None
        entries.append({"layer": name, "crs": crs, "bbox": bbox, "bbox_wgs84": _to_wgs84(bbox, crs),
                        "feature_count": counts[name], "geometry_type": gtype})  # fmt: skip
    if not entries:
        raise SourceNotFoundError(
            f"{p.name} has no feature table.",
            "Check the file.",
            message_fr=f"{p.name} ne contient aucune table d'objets.",
            hint_fr="Vérifiez le fichier.",
        )
    return {p: (sha256_file(p), p.stat().st_size, entries)}


def _to_wgs84(bbox: list[float] | None, crs: str | None) -> list[float] | None:
    if bbox is None or crs is None:
        return None
    from pyproj import Transformer

    t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    x0, y0, x1, y1 = t.transform_bounds(bbox[0], bbox[1], bbox[2], bbox[3])
    return [x0, y0, x1, y1]


def _layer(entry: dict[str, Any], options: PublishOptions, styles: list[StyleSpec]) -> LayerSpec:
    table = str(entry["layer"])
    crs = entry.get("crs") or "EPSG:4326"
    bbox, wgs = entry.get("bbox"), entry.get("bbox_wgs84")
    ft = FeatureType(
        name=options.layer_names.get(table) or safe_name(table),
        native_name=table,
        # a CNIG PPR table: its meaning ("Zonage réglementaire") rather than the dataset's title on every table
        title=options.titles.get(table) or ppr_table_title(table) or options.title or table,
        abstract=options.abstract,
        keywords=tuple(options.keywords),
        srs=crs,
        native_bbox=_bbox(bbox, crs),
        latlon_bbox=_bbox(wgs, "EPSG:4326"),
        metadata_links=(MetadataLink(options.metadata_url),) if options.metadata_url else (),
    )
    return LayerSpec(ft, int(entry.get("feature_count") or 0), entry.get("geometry_type"), _match_style(table, styles),
                     options.attribution)  # fmt: skip


def _manifest_metadata_url(folder: Path) -> str:
    """Where the folder's ISO record is online, as ``odl-geo metadata`` recorded it (``[links]``), else ""."""
    try:
        data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    meta = data.get("metadata") if isinstance(data, dict) else None
    record = meta.get("record") if isinstance(meta, dict) else None
    return str(record.get("metadata_url") or "") if isinstance(record, dict) else ""


def _bbox(values: list[float] | None, crs: str) -> BoundingBox | None:
    if not values or len(values) != 4:
        return None
    return BoundingBox(float(values[0]), float(values[1]), float(values[2]), float(values[3]), crs)


def _style_files(path: Path | None) -> list[StyleSpec]:
    """An SLD file, or every SLD of a folder: ``x.sld`` (SLD 1.0) preferred over ``x.se.sld`` (SE 1.1)."""
    if path is None:
        return []
    if not path.exists():
        raise SourceNotFoundError(
            f"The style {path} does not exist.",
            "Give an .sld file or a styles folder.",
            message_fr=f"Le style {path} est introuvable.",
            hint_fr="Indiquez un fichier .sld ou un dossier de styles.",
        )
    files = [path] if path.is_file() else sorted(path.glob("*.sld"))
    chosen: dict[str, Path] = {}
    for f in files:
        stem = f.name[: -len(".sld")].removesuffix(".se")
        if stem not in chosen or chosen[stem].name.endswith(".se.sld"):
            chosen[stem] = f
    return [_style_spec(stem, f) for stem, f in chosen.items()]


def _style_spec(stem: str, f: Path) -> StyleSpec:
    body = f.read_bytes()
    try:
        root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(
            f"The style {f.name} is not valid XML ({exc}).",
            "Export it again from QGIS.",
            message_fr=f"Le style {f.name} n'est pas un XML valide ({exc}).",
            hint_fr="Exportez-le à nouveau depuis QGIS.",
        ) from None
    if etree.QName(root).localname != "StyledLayerDescriptor":
        raise InputError(
            f"The style {f.name} is not an SLD.",
            "Give an SLD 1.0 or SE 1.1 file (.sld).",
            message_fr=f"Le style {f.name} n'est pas un SLD.",
            hint_fr="Indiquez un fichier SLD 1.0 ou SE 1.1 (.sld).",
        )
    version = "1.1.0" if root.get("version", "1.0.0").startswith("1.1") else "1.0.0"
    return StyleSpec(safe_name(stem, "style"), f, version, hashlib.sha256(body).hexdigest())


def _match_style(table: str, styles: list[StyleSpec]) -> StyleSpec | None:
    """One style: every layer. Several: the one sharing most name words (``N_ZONE_ALEA_…`` -> ``zonealea…``)."""
    if len(styles) <= 1:
        return styles[0] if styles else None
    words = [w for w in re.split(r"[^a-z]+", table.lower()) if len(w) >= 3]
    scored = [(sum(w in s.name.lower() for w in words), s.name == safe_name(table), s) for s in styles]
    best = max(scored, key=lambda t: (t[1], t[0]))
    return best[2] if best[0] or best[1] else None
