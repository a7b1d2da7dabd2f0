"""What was published, read back so the SIG administrator does not retype it: themes and layer names, the map
server's WMS address, the data.gouv.fr organisation and site, the territory zones odl-geo set.

Three kinds of ``--from``:

- an output folder of ``odl-geo convert`` (``manifest.json``): its theme, its GeoPackage layers (the names
  ``odl-geo serve`` gives them), the zones the theme run recorded, the fields of the product;
- a folder holding such folders (``out/`` of ``make demo``);
- a job file (``odl-geo run``): each dataset's folder as above, plus its ``[dataset.geoserver]`` (URL and
  workspace: the workspace's WMS) and ``[dataset.datagouv]`` (organisation, site) steps; the job's journal says
  whether each step last succeeded, and, where it holds a ``published`` record, the layer names GeoServer got.

Nothing here contacts a server: discovery reads local files only, so it works in the plugin right after a
publication and in a cron job. Findings that change what the snippet can do are :class:`~odl_geo.report.Issue`
notes with ``EMBED_*`` codes (docs/errors.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, SourceNotFoundError
from ..report import Issue, Severity

__all__ = ["INSEE_FIELDS", "Discovery", "PublishedLayer", "discover"]

MANIFEST = "manifest.json"
#: product fields holding ONE INSEE commune code per feature (a server-side filter compares with "="); the
#: hiking schema's ``communes_code`` holds a list ("30080,48051") and is not usable that way
INSEE_FIELDS = ("insee", "code_insee", "insee_commune", "insee_com", "code_commune", "depcom")


@dataclass
class PublishedLayer:
    """One layer as the map server names it."""

    name: str
    theme: str
    target: str  # "qgis" (odl-geo serve / QGIS Server) or "geoserver"
    folder: str
    fields: list[str] = field(default_factory=list)
    title: str = ""
    producer: str = ""  # who produces the data, as the theme run recorded it (the map's attribution)


@dataclass
class Discovery:
    """What :func:`discover` found."""

    layers: list[PublishedLayer] = field(default_factory=list)
    servers: list[tuple[str, str]] = field(default_factory=list)  # (WMS URL, server type), in order found
    organizations: list[str] = field(default_factory=list)
    datagouv: list[str] = field(default_factory=list)  # site base URLs
    zones: list[list[str]] = field(default_factory=list)  # per dataset, udata zone ids
    tags: list[str] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)  # data.gouv.fr licence ids the job publishes under
    read: list[str] = field(default_factory=list)  # files read
    notes: list[Issue] = field(default_factory=list)

    @property
    def themes(self) -> list[str]:
        return list(dict.fromkeys(lyr.theme for lyr in self.layers if lyr.theme))

    def note(self, code: str, message: str, message_fr: str, severity: Severity = Severity.WARNING) -> None:
        self.notes.append(Issue(code, severity, message, message_fr=message_fr))

    def to_dict(self) -> dict[str, Any]:
        return {
            "themes": self.themes,
            "layers": [lyr.__dict__ for lyr in self.layers],
            "servers": [{"url": u, "type": t} for u, t in self.servers],
            "organizations": self.organizations,
            "datagouv": self.datagouv,
            "zones": self.zones,
            "tags": self.tags,
            "licenses": self.licenses,
            "read": self.read,
            "notes": [n.to_dict() for n in self.notes],
        }


def discover(paths: list[str | Path]) -> Discovery:
    """Read every ``--from`` path (see the module docstring).

    :raises SourceNotFoundError: a path does not exist, or a folder holds no output of odl-geo.
    :raises InputError: a manifest or job file cannot be read.
    """
    found = Discovery()
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise SourceNotFoundError(
                f"{p} does not exist.",
                "Give a published folder (with manifest.json) or a .toml job file.",
                message_fr=f"{p} n'existe pas.",
                hint_fr="Donnez un dossier publié (avec manifest.json) ou un fichier de tâche .toml.",
            )
        if p.is_file() and p.suffix.lower() == ".toml":
            _from_job(p, found)
        elif p.is_dir() and (p / MANIFEST).is_file():
            _from_folder(p, found, target="qgis")
        elif p.is_file() and p.name == MANIFEST:
            _from_folder(p.parent, found, target="qgis")
        elif p.is_dir() and (subs := sorted(d for d in p.iterdir() if (d / MANIFEST).is_file())):
            for d in subs:
                _from_folder(d, found, target="qgis")
        else:
            raise SourceNotFoundError(
                f"{p} is neither a folder written by odl-geo (manifest.json) nor a .toml job file.",
                "Give the --out folder of odl-geo convert, the folder that holds such folders, or the job.toml of "
                "odl-geo run.",
                message_fr=f"{p} n'est ni un dossier produit par odl-geo (manifest.json) ni un fichier de tâche .toml.",
                hint_fr="Donnez le dossier --out d'odl-geo convert, le dossier qui les contient, ou le job.toml "
                "d'odl-geo run.",
            )
    return found


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path} cannot be read: {exc}.",
            "Run the conversion again.",
            message_fr=f"{path} ne peut pas être lu : {exc}.",
            hint_fr="Relancez la conversion.",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"{path} is not a manifest of odl-geo.",
            "Run the conversion again.",
            message_fr=f"{path} n'est pas un manifeste d'odl-geo.",
            hint_fr="Relancez la conversion.",
        )
    return data


def _gpkg_fields(path: Path, layer: str) -> list[str]:
    import pyogrio

    try:
        return [str(f) for f in pyogrio.read_info(path, layer=layer)["fields"]]
    except Exception:  # noqa: BLE001 - a damaged or missing file only costs the filter field
        return []


def _from_folder(
    folder: Path, found: Discovery, *, target: str, names: dict[str, str] | None = None
) -> list[PublishedLayer]:
    """Layers of one output folder; ``names`` maps a table to the name a server gave it (GeoServer's safe names)."""
    manifest = _read_json(folder / MANIFEST)
    found.read.append(str(folder / MANIFEST))
    raw = manifest.get("source")
    source: dict[str, Any] = raw if isinstance(raw, dict) else {}
    theme = str(source.get("theme") or manifest.get("theme") or "")
    if not theme:
        found.note(
            "EMBED_NO_THEME",
            f"{folder.name}: converted without --theme, so its layers carry no theme keyword; the map cannot "
            "choose them by theme.",
            f"{folder.name} : converti sans --theme, ses couches n'ont pas de mot-clé de thème ; la carte ne peut "
            "pas les choisir par thème (convertissez avec --theme hiking|water|pei|flood).",
        )
    zones = [str(z) for z in source.get("zones") or []]
    found.zones.append(zones)
    producer = str(source.get("producer") or "").strip()
    layers: list[PublishedLayer] = []
    seen: set[str] = set()
    for f in manifest.get("files") or []:
        if not isinstance(f, dict) or f.get("format") != "gpkg" or not f.get("layer") or not f.get("feature_count"):
            continue
        if not f.get("geometry_type"):  # a table (a PPR's procedure): no map server draws it
            continue
        table = str(f["layer"])
        if table in seen:
            continue
        seen.add(table)
        gpkg = folder / str(f.get("path", ""))
        name = (names or {}).get(table, table)
        layers.append(PublishedLayer(name, theme, target, str(folder), _gpkg_fields(gpkg, table),
                                     str(f.get("title") or manifest.get("title") or ""), producer))  # fmt: skip
    if not layers:
        found.note(
            "EMBED_NO_LAYER",
            f"{folder.name}: no GeoPackage layer with features, nothing a map server serves.",
            f"{folder.name} : aucune couche GeoPackage non vide, rien qu'un serveur cartographique puisse servir.",
        )
    found.layers.extend(layers)
    return layers


def _journal(job: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """(dataset, step) -> the last journal entry of that step."""
    last: dict[tuple[str, str], dict[str, Any]] = {}
    path = Path(job.journal)
    if not path.is_file():
        return last
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("dataset") and entry.get("step"):
            last[(str(entry["dataset"]), str(entry["step"]))] = entry
    return last


def _from_job(path: Path, found: Discovery) -> None:
    from ..jobs.jobfile import load_job

    # jobs sit above embed in the layer order: imported lazily, only when a job file is given
    job = load_job(path)
    found.read.append(str(path))
    journal = _journal(job)
    if journal:
        found.read.append(str(job.journal))
    for ds in job.datasets:
        folder = job.out / ds.name
        steps = {s.section: s.options for s in ds.steps}
        if not (folder / MANIFEST).is_file():
            found.note(
                "EMBED_NOT_PUBLISHED",
                f"{ds.name}: {folder} has no manifest.json yet (the job has not run).",
                f"{ds.name} : {folder} n'a pas encore de manifest.json (la tâche n'a pas tourné) : lancez "
                f"odl-geo run {path.name} puis odl-geo embed.",
            )
            continue
        for section in ("geoserver", "datagouv"):
            last = journal.get((ds.name, section))
            if section in steps and last is not None and last.get("outcome") not in ("ok", "unchanged"):
                found.note(
                    "EMBED_NOT_PUBLISHED",
                    f"{ds.name}: the last {section} step failed ({last.get('detail', '')}).",
                    f"{ds.name} : la dernière étape {section} a échoué ; la carte et le catalogue le montreront "
                    "après une publication réussie.",
                )
        gs = steps.get("geoserver")
        if gs and gs.get("url") and gs.get("workspace"):
            record = (journal.get((ds.name, "geoserver")) or {}).get("published") or {}
            published = [str(x.get("name")) for x in record.get("layers") or [] if isinstance(x, dict)]
            names = _geoserver_names(folder, published)
            _from_folder(folder, found, target="geoserver", names=names)
            base = str(gs["url"]).rstrip("/").removesuffix("/rest").removesuffix("/web")
            server = (f"{base}/{gs['workspace']}/wms", "geoserver")
            if server not in found.servers:
                found.servers.append(server)
        else:
            _from_folder(folder, found, target="qgis")
        dg = steps.get("datagouv")
        if dg:
            from ..publishers.datagouv.endpoints import DEMO_URL, PRODUCTION_URL

            if dg.get("org") and str(dg["org"]) not in found.organizations:
                found.organizations.append(str(dg["org"]))
            site = str(dg.get("url") or (DEMO_URL if dg.get("demo") else PRODUCTION_URL)).rstrip("/")
            if site not in found.datagouv:
                found.datagouv.append(site)
            licence = str(dg.get("license") or "lov2")  # publish datagouv's default
            if licence not in found.licenses:
                found.licenses.append(licence)
            tags = dg.get("tag") or []
            for tag in [tags] if isinstance(tags, str) else tags:
                if str(tag) not in found.tags:
                    found.tags.append(str(tag))


def _geoserver_names(folder: Path, published: list[str]) -> dict[str, str]:
    """Table -> GeoServer layer name: the journal's record when there is one, else the planner's safe name."""
    from ..publishers.geoserver.models import safe_name

    manifest = _read_json(folder / MANIFEST)
    tables = list(dict.fromkeys(str(f["layer"]) for f in manifest.get("files") or []
                                if isinstance(f, dict) and f.get("format") == "gpkg" and f.get("layer")))  # fmt: skip
    names = {t: safe_name(t) for t in tables}
    for name in published:  # the name GeoServer got: with a _2 suffix when the safe name clashed in the workspace
        for table, safe in names.items():
            if name == safe or re.fullmatch(re.escape(safe_name(table)) + r"_\d+", name):
                names[table] = name
                break
    return names
