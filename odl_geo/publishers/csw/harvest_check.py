"""What data.gouv.fr will make of an ISO 19139 record, before it is published: udata's own harvester, run aside.

data.gouv.fr harvests geographic catalogues with udata's ``csw-iso-19139`` backend (ISO 19139 -> DCAT-AP by
SEMIC's XSLT 2.0 stylesheet, then ``dataset_from_rdf``). Re-implementing that chain would only guess; instead
:func:`preview_harvest` runs ``udata_preview.py`` (beside this module) with the Python of a udata installation,
in udata's preview (dry-run) mode, and reads back the datasets udata would create. udata pins ~100 packages, so it
lives in its own venv: ``.venv-udata`` of an odl-geo checkout (``scripts/setup_udata.sh``), or the interpreter
named by ``ODL_UDATA_PYTHON``.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError

__all__ = ["UDATA_PYTHON_ENV", "HarvestPreview", "describe_fr", "preview_harvest", "udata_python"]

UDATA_PYTHON_ENV = "ODL_UDATA_PYTHON"
SCRIPT = Path(__file__).with_name("udata_preview.py")


@dataclass(frozen=True)
class HarvestPreview:
    """One record as udata would harvest it (``ok`` False: udata would skip or fail it, ``errors`` say why)."""

    remote_id: str
    ok: bool
    errors: tuple[str, ...] = ()
    title: str = ""
    description: str = ""
    licence: str | None = None  # a data.gouv.fr licence id, None when udata recognises none
    licence_title: str | None = None
    rights: tuple[str, ...] = ()  # the licence/constraint texts udata read (dct:rights)
    tags: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None  # of the spatial coverage (west, south, east, north)
    identifier: str | None = None  # dct:identifier (from the record's codeSpace + code)
    frequency: str | None = None
    contacts: tuple[str, ...] = ()
    resources: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> HarvestPreview:
        d = item.get("dataset") or {}
        ok = item.get("status") == "done" and bool(d)
        return cls(
            remote_id=str(item.get("remote_id") or ""),
            ok=ok,
            errors=tuple(item.get("errors") or ()),
            title=d.get("title") or "",
            description=d.get("description") or "",
            licence=d.get("license") if d.get("license") not in (None, "notspecified") else None,
            licence_title=d.get("license_title"),
            rights=tuple(d.get("rights") or ()),
            tags=tuple(d.get("tags") or ()),
            bbox=_bbox(d.get("spatial_geom")),
            identifier=d.get("dct_identifier"),
            frequency=d.get("frequency"),
            contacts=tuple(_contact(c) for c in d.get("contact_points") or ()),
            resources=tuple(d.get("resources") or ()),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "remote_id": self.remote_id, "ok": self.ok, "errors": list(self.errors), "title": self.title,
            "licence": self.licence, "licence_title": self.licence_title, "rights": list(self.rights),
            "tags": list(self.tags), "bbox": list(self.bbox) if self.bbox else None, "identifier": self.identifier,
            "frequency": self.frequency, "contacts": list(self.contacts), "resources": list(self.resources),
        }  # fmt: skip


#: udata frequency ids in French (data.gouv.fr's own labels)
_FREQUENCY_FR = {
    "continuous": "temps réel", "daily": "quotidienne", "weekly": "hebdomadaire", "biweekly": "bimensuelle",
    "monthly": "mensuelle", "quarterly": "trimestrielle", "semiannual": "semestrielle", "annual": "annuelle",
    "punctual": "ponctuelle", "irregular": "irrégulière", "notPlanned": "non prévue", "unknown": "inconnue",
}  # fmt: skip
#: file extension -> the format udata shows for it, when they differ
_FORMAT_OF = {"json": "geojson", "zip": "shp", "jsonld": "json-ld"}
_KNOWN_EXTENSIONS = frozenset({"gpkg", "geojson", "json", "csv", "zip", "kml", "kmz", "fgb", "parquet", "gml"})


def _extension(url: str) -> str:
    """The data file extension of a download URL (``.shp.zip`` -> ``zip``), or "" for a service URL."""
    from urllib.parse import urlsplit

    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    return ext if ext in _KNOWN_EXTENSIONS else ""


#: udata contact point roles (ISO pointOfContact -> "contact", owner -> "rightsHolder"...), in French
_ROLE_FR = {"contact": "point de contact", "rightsHolder": "détenteur des droits", "publisher": "diffuseur",
            "creator": "auteur", "custodian": "gestionnaire"}  # fmt: skip


def _contact(c: dict[str, Any]) -> str:
    who = f"{c.get('name') or ''} <{c.get('email')}>" if c.get("email") else str(c.get("name") or "")
    role = str(c.get("role") or "")
    return f"{who} ({_ROLE_FR.get(role, role)})" if role else who


def _bbox(geom: dict[str, Any] | None) -> tuple[float, float, float, float] | None:
    if not geom or not geom.get("coordinates"):
        return None
    xs: list[float] = []
    ys: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and len(node) >= 2 and all(isinstance(v, int | float) for v in node[:2]):
            xs.append(float(node[0]))
            ys.append(float(node[1]))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(geom["coordinates"])
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


def udata_python() -> Path | None:
    """The Python of a udata installation: ``$ODL_UDATA_PYTHON``, else ``.venv-udata`` of this checkout."""
    env = os.environ.get(UDATA_PYTHON_ENV)
    if env:
        return Path(env)
    candidate = Path(__file__).resolve().parents[3] / ".venv-udata" / "bin" / "python"
    return candidate if candidate.exists() else None


def preview_harvest(records: list[Path], python: Path | None = None, timeout: float = 180.0) -> list[HarvestPreview]:
    """udata's ``csw-iso-19139`` harvest of ``records`` (ISO 19139 files) in preview mode, one result per record.

    :raises InputError: no udata installation found, or udata could not run (its message in ``details``).
    """
    py = python or udata_python()
    if py is None or not Path(py).exists():
        raise InputError(
            "The harvest check needs udata (data.gouv.fr's software), which is not installed here.",
            f"In an odl-geo checkout run: bash scripts/setup_udata.sh; or set {UDATA_PYTHON_ENV} to the python of "
            "a venv where `pip install udata==17.18.0 mongomock==4.3.0` was run.",
            message_fr="La vérification du moissonnage demande udata (le logiciel de data.gouv.fr), qui n'est pas "
            "installé ici.",
            hint_fr=f"Dans une copie du dépôt odl-geo, lancez : bash scripts/setup_udata.sh ; ou donnez à "
            f"{UDATA_PYTHON_ENV} l'interpréteur Python d'un venv où `pip install udata==17.18.0 mongomock==4.3.0` "
            "a été lancé.",
        )
    try:
        proc = subprocess.run([str(py), "-W", "ignore", str(SCRIPT), *map(str, records)], capture_output=True,
                              text=True, timeout=timeout, check=False)  # fmt: skip
    except subprocess.TimeoutExpired:
        raise InputError(
            f"udata's harvest preview did not finish in {timeout:.0f} s.",
            "Run it again.",
            message_fr=f"L'aperçu du moissonnage par udata ne s'est pas terminé en {timeout:.0f} s.",
            hint_fr="Relancez-le.",
        ) from None
    try:
        data = json.loads(proc.stdout) if proc.returncode == 0 else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise InputError(
            f"udata's harvest preview failed (exit {proc.returncode}).",
            f"Check the udata installation ({py}); the end of its output is in the details (--verbose).",
            proc.stderr[-1500:],
            message_fr=f"L'aperçu du moissonnage par udata a échoué (code de sortie {proc.returncode}).",
            hint_fr=f"Vérifiez l'installation d'udata ({py}) ; la fin de sa sortie est dans les détails (--verbose).",
        )
    if data.get("errors") and not data.get("items"):
        raise InputError("udata could not harvest the record: " + "; ".join(map(str, data["errors"]))[:500],
                         "Check that metadata.xml is a complete ISO 19139 record.",
                         message_fr="udata n'a pas pu moissonner la fiche : "
                         + "; ".join(map(str, data["errors"]))[:500],
                         hint_fr="Vérifiez que metadata.xml est une fiche ISO 19139 complète.")  # fmt: skip
    return [HarvestPreview.from_item(i) for i in data.get("items") or []]


def describe_fr(preview: HarvestPreview) -> list[str]:
    """What data.gouv.fr will show, in French, one line per field; problems start with ``ATTENTION``."""
    if not preview.ok:
        return [f"ATTENTION : data.gouv.fr ne moissonnerait pas la fiche {preview.remote_id} : "
                + ("; ".join(preview.errors) or "raison inconnue")]  # fmt: skip
    lines = [f"Titre : {preview.title}", f"Identifiant : {preview.identifier or preview.remote_id}"]
    if preview.licence:
        lines.append(f"Licence : reconnue, {preview.licence_title} ({preview.licence})")
    else:
        given = " ; ".join(preview.rights) or "aucune"
        lines.append(f"ATTENTION : licence non reconnue par data.gouv.fr (texte lu : {given}) : le jeu sera "
                     "publié « Licence non spécifiée ». Indiquez licence = \"lov2\" ou \"odbl\" dans metadata.toml.")
    lines.append("Mots-clés : " + (", ".join(preview.tags) if preview.tags else "aucun"))
    if preview.bbox:
        w, s, e, n = preview.bbox
        lines.append(f"Couverture spatiale : emprise {w:.4f}, {s:.4f}, {e:.4f}, {n:.4f} (WGS 84)")
    else:
        lines.append("ATTENTION : pas de couverture spatiale (emprise absente de la fiche).")
    if preview.frequency:
        label = _FREQUENCY_FR.get(preview.frequency, preview.frequency)
        lines.append(f"Fréquence de mise à jour : {label} ({preview.frequency})")
    if preview.contacts:
        lines.append("Contacts : " + ", ".join(preview.contacts))
    if preview.resources:
        lines.append(f"Ressources ({len(preview.resources)}) :")
        lines += [f"  - {r.get('title') or '(sans titre)'} [{r.get('format') or '?'}] {r.get('url')}"
                  for r in preview.resources]  # fmt: skip
        for r in preview.resources:
            shown, ext = str(r.get("format") or "").lower(), _extension(str(r.get("url") or ""))
            if ext and shown and ext != shown and _FORMAT_OF.get(ext, ext) != shown:
                lines.append(f"ATTENTION : data.gouv.fr affichera le format « {shown} » pour {r.get('title')} "
                             f"(fichier .{ext}) : la conversion ISO -> DCAT de data.gouv.fr donne à chaque lien "
                             "le premier format de la fiche (docs/metadata.md).")  # fmt: skip
    else:
        lines.append("ATTENTION : aucune ressource (aucun lien de téléchargement ou de service dans la fiche).")
    return lines
