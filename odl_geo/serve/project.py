"""Write a QGIS project (``.qgs``) that serves the GeoPackages of an output folder as WMS and WFS.

odl_geo must not import QGIS, so the project is written as XML directly. It holds only what QGIS Server
3.22 needs, each part checked against the real server in ``tests/server/qgis_server``: the project CRS, the
layer tree (the WMS capabilities are built from it), one ``maplayer`` per layer (data source relative to the
project, CRS, extent, title/abstract, style), and the OWS properties: ``WFSLayers`` (without it WFS serves
nothing), ``WMSCrsList``, ``WMSExtent``, service title/abstract, ``WMSTileBuffer``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyogrio
from lxml import etree
from pyproj import CRS, Transformer

from .._version import __version__
from ..errors import InputError, OutputError, SourceNotFoundError
from ..exports.manifest import MANIFEST_NAME
from ..naming import theme_keyword
from ..numbers import agree
from ..profiles.ppr_titles import ppr_table_title
from .styles import OWN_STYLES, LayerStyle, family_of, style_for, styles_root

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["PROJECT_NAME", "ProjectBuild", "ProjectLayer", "build_project", "build_projects", "output_folders",
           "write_project"]

PROJECT_NAME = "project.qgs"
PROJECT_CRS = "EPSG:2154"
WMS_CRS_LIST = ("EPSG:2154", "EPSG:3857", "EPSG:4326")
TILE_BUFFER = 64


@dataclass
class ProjectLayer:
    """One served layer. ``name`` is its WMS layer and WFS type name."""

    name: str
    file: Path  # absolute path of the GeoPackage
    geometry_type: str
    crs: str
    extent: tuple[float, float, float, float]  # in ``crs``
    feature_count: int
    fields: list[str]
    title: str = ""
    abstract: str = ""
    style: LayerStyle | None = None
    theme: str = ""  # gives the WMS keyword odl-geo:theme=<theme> (web maps choose layers by it)

    @property
    def id(self) -> str:
        key = f"{self.file.name}|{self.name}"
        digest = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:10]
        return f"{re.sub(r'[^A-Za-z0-9_]', '_', self.name)}_{digest}"

    def source(self, project_dir: Path) -> str:
        """The data source relative to the project's folder (QGIS resolves it so: the folder can move)."""
        rel = Path(os.path.relpath(self.file, project_dir)).as_posix()
        return f"{rel if rel.startswith('.') else './' + rel}|layername={self.name}"


@dataclass
class ProjectBuild:
    """What :func:`build_project` wrote."""

    path: Path
    title: str
    layers: list[ProjectLayer]
    extent: tuple[float, float, float, float]  # project CRS (EPSG:2154)
    notes: list[str] = field(default_factory=list)
    theme: str | None = None

    @property
    def layer_names(self) -> list[str]:
        return [lyr.name for lyr in self.layers]

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": str(self.path),
            "title": self.title,
            "theme": self.theme,
            "layers": [
                {"name": lyr.name, "features": lyr.feature_count, "style": lyr.style.source if lyr.style else None}
                for lyr in self.layers
            ],
            "notes": self.notes,
        }


def build_project(
    out_dir: str | Path,
    *,
    theme: str | None = None,
    styles_dir: str | Path | None = None,
    project_path: str | Path | None = None,
) -> ProjectBuild:
    """Write ``out_dir/project.qgs`` serving every GeoPackage layer of the folder (a conversion output).

    :param theme: the ``styles/<theme>/`` to use; default: the manifest's ``theme``, else the folder's name
        when a style folder has that name (``out/flood`` -> ``flood``). QML files in ``out_dir/styles/`` (the
        publisher's own styles, e.g. exported from QGIS by the plugin) come first.
    :raises SourceNotFoundError: the folder does not exist or holds no GeoPackage layer with geometry.
    :raises OutputError: the project file cannot be written.
    """
    folder = Path(out_dir).resolve()
    layers, notes, theme, title, abstract = _folder_layers(folder, theme, styles_dir)
    path = Path(project_path) if project_path else folder / PROJECT_NAME
    build = ProjectBuild(path, title, layers, _union_extent(layers), notes, theme)
    write_project(build, abstract=abstract)
    return build


def output_folders(path: str | Path) -> list[Path]:
    """The output folders of a folder of outputs (``out/`` holding ``hiking/``, ``water/``... each with its
    ``manifest.json``); empty when ``path`` is an output itself or holds none."""
    p = Path(path)
    if not p.is_dir() or (p / MANIFEST_NAME).is_file() or any(p.glob("*.gpkg")):
        return []
    return sorted(d for d in p.iterdir() if d.is_dir() and (d / MANIFEST_NAME).is_file())


def build_projects(
    out_dirs: Sequence[str | Path], project_path: str | Path, *, styles_dir: str | Path | None = None
) -> ProjectBuild:
    """One project serving the layers of several output folders (``odl-geo serve out/hiking out/water``), each
    with its own theme's styles and keyword, written to ``project_path`` (sources relative to it).

    :raises InputError: two folders hold a layer of the same name (one WMS name cannot serve both).
    """
    layers: list[ProjectLayer] = []
    notes: list[str] = []
    titles: list[str] = []
    for out_dir in out_dirs:
        lyrs, n, _theme, title, _abstract = _folder_layers(Path(out_dir).resolve(), None, styles_dir)
        clash = sorted({lyr.name for lyr in lyrs} & {lyr.name for lyr in layers})
        if clash:
            raise InputError(
                f"{agree(len(clash), 'Layer name', 'Layer names', 'en')} {', '.join(clash)} of {out_dir} "
                f"{agree(len(clash), 'is', 'are', 'en')} already served from another folder.",
                "Serve these folders separately (one odl-geo serve each, on two ports).",
                message_fr=f"{agree(len(clash), 'La couche', 'Les couches')} {', '.join(clash)} de {out_dir} "
                f"{agree(len(clash), 'est déjà servie', 'sont déjà servies')} depuis un autre dossier.",
                hint_fr="Servez ces dossiers séparément (un odl-geo serve pour chacun, sur deux ports).",
            )
        layers += lyrs
        notes += n
        titles.append(title)
    layers.sort(key=_draw_rank)
    build = ProjectBuild(Path(project_path), " · ".join(titles), layers, _union_extent(layers), notes,
                         ",".join(dict.fromkeys(lyr.theme for lyr in layers if lyr.theme)) or None)  # fmt: skip
    write_project(build, abstract=f"Layers of {', '.join(titles)}, served by odl-geo {__version__}.")
    return build


def _folder_layers(
    folder: Path, theme: str | None, styles_dir: str | Path | None
) -> tuple[list[ProjectLayer], list[str], str | None, str, str]:
    """(layers styled, notes, theme, title, abstract) of one output folder."""
    if not folder.is_dir():
        raise SourceNotFoundError(
            f"{folder} is not a folder.",
            "Give an output folder of odl-geo convert.",
            message_fr=f"{folder} n'est pas un dossier.",
            hint_fr="Indiquez un dossier de sortie d'odl-geo convert.",
        )
    manifest = _manifest(folder)
    root = styles_root(styles_dir)
    theme = theme or manifest.get("theme") or manifest.get("profile") or (manifest.get("source") or {}).get("theme")
    if not theme and root is not None and (root / folder.name).is_dir():
        theme = folder.name
    layers = _layers(folder, manifest)
    if not layers:
        raise SourceNotFoundError(
            f"{folder} holds no GeoPackage layer with geometry to serve.",
            f"Convert first: odl-geo convert FILE --to gpkg --out {folder}",
            message_fr=f"{folder} ne contient aucune couche GeoPackage avec géométrie à servir.",
            hint_fr=f"Convertissez d'abord : odl-geo convert FILE --to gpkg --out {folder}",
        )
    layers.sort(key=_draw_rank)
    notes: list[str] = []
    own = folder / OWN_STYLES if (folder / OWN_STYLES).is_dir() else None
    for i, lyr in enumerate(layers):
        lyr.style = style_for(lyr.name, lyr.geometry_type, lyr.fields, theme, root, i, own)
        lyr.theme = str(theme or "")
        notes += [f"{lyr.name}: {n}" for n in lyr.style.notes]
    layers.sort(key=_draw_rank)  # again, now that the styles are known
    title = str(manifest.get("title") or (manifest.get("source") or {}).get("name") or folder.name)
    abstract = str(manifest.get("abstract") or manifest.get("description") or "")
    if len(layers) == 1 and manifest.get("title") and layers[0].title == layers[0].name:
        layers[0].title = str(manifest["title"])  # "Points d'eau", not the table name, in legends and layer lists
    return layers, notes, theme, title, abstract


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path} cannot be read: {exc}.",
            "Convert the source again.",
            message_fr=f"Impossible de lire {path} : {exc}.",
            hint_fr="Convertissez à nouveau la source.",
        ) from None
    return data if isinstance(data, dict) else {}


def _layers(folder: Path, manifest: dict[str, Any]) -> list[ProjectLayer]:
    listed = [f["path"] for f in manifest.get("files", []) if f.get("format") == "gpkg"]
    # every GeoPackage of the folder (theme products too), the manifest's first
    gpkgs = sorted(set(listed) | {p.name for p in folder.glob("*.gpkg")})
    meta = {(f["path"], f.get("layer")): f for f in manifest.get("files", []) if f.get("format") == "gpkg"}
    layers = []
    for name in gpkgs:
        path = folder / name
        if not path.is_file():
            raise SourceNotFoundError(
                f"{path} is listed in the manifest but missing.",
                "Convert the source again.",
                message_fr=f"{path} figure dans le manifeste mais est introuvable.",
                hint_fr="Convertissez à nouveau la source.",
            )
        for layer_name, gtype in pyogrio.list_layers(path):
            if not gtype:
                continue
            info = pyogrio.read_info(path, layer=layer_name, force_total_bounds=True)
            if not info.get("features"):
                continue
            m = meta.get((name, layer_name), {})
            layers.append(
                ProjectLayer(
                    name=str(layer_name),
                    file=path,
                    geometry_type=str(gtype),
                    crs=str(info.get("crs") or PROJECT_CRS),
                    extent=tuple(float(v) for v in info["total_bounds"]),  # type: ignore[arg-type]
                    feature_count=int(info["features"]),
                    fields=[str(f) for f in info["fields"]],
                    # a CNIG PPR table gets its meaning ("Zones d'aléa de référence : avalanche"), not its code
                    title=str(m.get("title") or ppr_table_title(str(layer_name)) or layer_name),
                    abstract=str(m.get("abstract") or ""),
                )
            )
    return layers


def _draw_rank(lyr: ProjectLayer) -> tuple[int, int, int]:
    """Tree order (first = drawn on top): points, lines, then areas; the theme's styles above the defaults
    (a classified layer must not be hidden under a plain one); many small features above few big ones."""
    family = family_of(lyr.geometry_type)
    default = 1 if lyr.style is not None and lyr.style.source == "default" else 0
    return ({"point": 0, "line": 1}.get(family or "", 2), default, -lyr.feature_count)


def _to_project_crs(lyr: ProjectLayer) -> tuple[float, float, float, float]:
    if CRS.from_user_input(lyr.crs).equals(CRS.from_user_input(PROJECT_CRS)):
        return lyr.extent
    t = Transformer.from_crs(lyr.crs, PROJECT_CRS, always_xy=True)
    return t.transform_bounds(*lyr.extent, densify_pts=21)


def _union_extent(layers: list[ProjectLayer]) -> tuple[float, float, float, float]:
    boxes = [_to_project_crs(lyr) for lyr in layers]
    xmin, ymin = min(b[0] for b in boxes), min(b[1] for b in boxes)
    xmax, ymax = max(b[2] for b in boxes), max(b[3] for b in boxes)
    pad = max(xmax - xmin, ymax - ymin, 200.0) * 0.05  # a margin, and a usable box around a single point
    return (xmin - pad, ymin - pad, xmax + pad, ymax + pad)


# -- XML ---------------------------------------------------------------------------------------------------
def _text(parent: etree._Element, tag: str, text: str = "", **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, tag, attrib=attrib)
    el.text = text
    return el


def _spatialrefsys(parent: etree._Element, crs_text: str) -> None:
    """QGIS reads the CRS from ``authid`` (when ``srsid`` is set) or from ``wkt``: both are written."""
    crs = CRS.from_user_input(crs_text)
    auth = crs.to_authority() or ("EPSG", "0")
    srs = etree.SubElement(parent, "spatialrefsys")
    _text(srs, "wkt", crs.to_wkt())
    _text(srs, "srsid", "145" if auth == ("EPSG", "2154") else "0")
    _text(srs, "srid", auth[1])
    _text(srs, "authid", f"{auth[0]}:{auth[1]}")
    _text(srs, "description", crs.name)
    _text(srs, "geographicflag", "true" if crs.is_geographic else "false")


def _extent(parent: etree._Element, tag: str, box: tuple[float, float, float, float]) -> None:
    el = etree.SubElement(parent, tag)
    for name, value in zip(("xmin", "ymin", "xmax", "ymax"), box, strict=True):
        _text(el, name, repr(float(value)))


def _maplayer(parent: etree._Element, lyr: ProjectLayer, project_dir: Path) -> None:
    family = family_of(lyr.geometry_type)
    labels = bool(lyr.style and lyr.style.labels)
    ml = etree.SubElement(
        parent,
        "maplayer",
        type="vector",
        geometry={"point": "Point", "line": "Line", "polygon": "Polygon"}.get(family or "", "Unknown"),
        wkbType=lyr.geometry_type.replace(" ", ""),
        hasScaleBasedVisibilityFlag="0",
        minScale="100000000",
        maxScale="0",
        labelsEnabled="1" if labels else "0",
        readOnly="1",
    )
    _extent(ml, "extent", lyr.extent)
    wgs = Transformer.from_crs(lyr.crs, "EPSG:4326", always_xy=True).transform_bounds(*lyr.extent, densify_pts=21)
    _extent(ml, "wgs84extent", wgs)
    _text(ml, "id", lyr.id)
    _text(ml, "datasource", lyr.source(project_dir))
    _text(ml, "layername", lyr.name)
    _text(ml, "title", lyr.title or lyr.name)
    if lyr.abstract:
        _text(ml, "abstract", lyr.abstract)
    if lyr.theme:  # QGIS joins the list with ", " and GetCapabilities splits it again: no comma in a keyword
        kw = etree.SubElement(ml, "keywordList")
        _text(kw, "value", theme_keyword(lyr.theme))
    _spatialrefsys(etree.SubElement(ml, "srs"), lyr.crs)
    _text(ml, "provider", "ogr", encoding="UTF-8")
    flags = etree.SubElement(ml, "flags")
    for name, value in (("Identifiable", "1"), ("Removable", "1"), ("Searchable", "1"), ("Private", "0")):
        _text(flags, name, value)
    for el in lyr.style.elements if lyr.style else []:
        ml.append(etree.fromstring(etree.tostring(el)))


def _property(props: etree._Element, name: str, value: object) -> None:
    if isinstance(value, bool):
        _text(props, name, "true" if value else "false", type="bool")
    elif isinstance(value, int):
        _text(props, name, str(value), type="int")
    elif isinstance(value, (list, tuple)):
        el = etree.SubElement(props, name, type="QStringList")
        for v in value:
            _text(el, "value", str(v))
    else:
        _text(props, name, str(value), type="QString")


def write_project(build: ProjectBuild, abstract: str = "") -> Path:
    """Write ``build.path`` (through a temporary file, so a server reading it never sees half a project)."""
    project_dir = build.path.resolve().parent
    qgis = etree.Element("qgis", projectname=build.title, version="3.22.16-Białowieża")
    etree.SubElement(qgis, "homePath", path="")
    _text(qgis, "title", build.title)
    _spatialrefsys(etree.SubElement(qgis, "projectCrs"), PROJECT_CRS)
    tree = etree.SubElement(qgis, "layer-tree-group")
    for lyr in build.layers:
        etree.SubElement(
            tree,
            "layer-tree-layer",
            id=lyr.id,
            name=lyr.name,
            source=lyr.source(project_dir),
            providerKey="ogr",
            checked="Qt::Checked",
            expanded="1",
        )
    canvas = etree.SubElement(qgis, "mapcanvas", name="theMapCanvas")
    _text(canvas, "units", "meters")
    _extent(canvas, "extent", build.extent)
    _spatialrefsys(etree.SubElement(canvas, "destinationsrs"), PROJECT_CRS)
    layers_el = etree.SubElement(qgis, "projectlayers")
    for lyr in build.layers:
        _maplayer(layers_el, lyr, project_dir)
    props = etree.SubElement(qgis, "properties")
    paths = etree.SubElement(props, "Paths")
    _property(paths, "Absolute", False)
    srs = etree.SubElement(props, "SpatialRefSys")
    _property(srs, "ProjectionsEnabled", 1)
    ids = [lyr.id for lyr in build.layers]
    for name, value in (
        ("WMSServiceCapabilities", True),
        ("WMSServiceTitle", build.title),
        ("WMSServiceAbstract", abstract or f"Layers of {build.title}, served by odl-geo {__version__}."),
        ("WMSExtent", [repr(v) for v in build.extent]),
        ("WMSCrsList", list(WMS_CRS_LIST)),
        ("WMSTileBuffer", TILE_BUFFER),
        ("WMSUseLayerIDs", False),
        ("WMSAddWktGeometry", True),
        ("WFSLayers", ids),
    ):
        _property(props, name, value)
    precision = etree.SubElement(props, "WFSLayersPrecision")
    for lyr_id in ids:
        _property(precision, lyr_id, 8)
    meta = etree.SubElement(qgis, "projectMetadata")
    _text(meta, "title", build.title)
    _text(meta, "abstract", abstract)
    xml = etree.tostring(qgis, encoding="UTF-8", xml_declaration=False, pretty_print=True,
                         doctype="<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>")  # fmt: skip
    tmp = build.path.with_name(f".{build.path.name}.tmp")
    try:
        tmp.write_bytes(xml)
        tmp.replace(build.path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(
            f"Cannot write the QGIS project {build.path}: {exc.strerror}.",
            "Check permissions.",
            message_fr=f"Impossible d'écrire le projet QGIS {build.path} : {exc.strerror}.",
            hint_fr="Vérifiez les droits d'accès.",
        ) from None
    return build.path
