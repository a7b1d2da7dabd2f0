"""What a successful publish step put where, kept in the journal so that ``odl-geo monitor`` can check it later.

The journal's ``detail`` is a sentence for people; this is the structured part: the target (URL, workspace,
schema; never a secret: URLs are written without user-info and secret parameters), the objects published
(layers with their feature count and extent, tables with their row count, the data.gouv.fr dataset and its
resources with the sha1 of the file sent) and what was intended (a dataset left private or opened, its declared
update frequency). The monitor reads the last record of each (dataset, step) from the journal.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..credentials import redact_url

if TYPE_CHECKING:
    from pathlib import Path

    from .jobfile import Step

__all__ = ["publication_record"]


def publication_record(step: Step, result: dict[str, Any] | None, folder: Path) -> dict[str, Any] | None:
    """The record of one successful publish step, or None (a conversion, a dry run, a step without result)."""
    if not result or result.get("dry_run") or step.section == "convert":
        return None
    maker = {"geoserver": _geoserver, "postgis": _postgis, "datagouv": _datagouv, "csw": _csw}.get(step.section)
    if maker is None:  # a step added later records itself through its own "published" key
        published = result.get("published")
        return published if isinstance(published, dict) else None
    return maker(step.options, result, _manifest_layers(folder), folder)


def _manifest_layers(folder: Path) -> dict[str, dict[str, Any]]:
    """Layer name -> its GeoPackage entry in manifest.json (count, extent, CRS), what the publishers send."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out: dict[str, dict[str, Any]] = {}
    for f in data.get("files") or []:
        if isinstance(f, dict) and f.get("format") == "gpkg" and f.get("layer"):
            out.setdefault(str(f["layer"]), f)
    return out


def _geoserver(options: dict[str, Any], result: dict[str, Any], layers: dict[str, dict[str, Any]],
               folder: Path) -> dict[str, Any]:  # fmt: skip
    from ..publishers.geoserver.models import safe_name

    by_name = {safe_name(name): entry for name, entry in layers.items()}
    chosen = options.get("layer_name") or []  # "TABLE=NAME": a layer published under a name of the user's
    for pair in [chosen] if isinstance(chosen, str) else chosen:
        table, _, name = str(pair).partition("=")
        if name.strip() and table.strip() in layers:
            by_name[name.strip()] = layers[table.strip()]
    names = [c["layer"] for c in result.get("checks") or [] if c.get("layer")]
    counts = {c["layer"]: c.get("expected_count") for c in result.get("checks") or []}
    if not names:
        names = [r["name"] for r in result.get("resources") or [] if r.get("kind") == "layer"]
    published = []
    for name in names:
        entry = by_name.get(name) or layers.get(name) or {}
        count = counts.get(name, entry.get("feature_count"))
        published.append({"name": name, "features": count, "bbox": entry.get("bbox"), "crs": entry.get("crs")})
    return {"url": redact_url(str(options.get("url", ""))).rstrip("/"), "workspace": result.get("workspace")
            or options.get("workspace"), "layers": published}  # fmt: skip


def _postgis(options: dict[str, Any], result: dict[str, Any], layers: dict[str, dict[str, Any]],
             folder: Path) -> dict[str, Any]:  # fmt: skip
    tables = [{"table": t.get("table"), "layer": t.get("layer"), "features": t.get("features")}
              for t in result.get("layers") or [] if isinstance(t, dict) and t.get("table")]  # fmt: skip
    return {"dsn": redact_url(str(options.get("dsn", ""))), "schema": options.get("schema"), "tables": tables}


def _datagouv(options: dict[str, Any], result: dict[str, Any], layers: dict[str, dict[str, Any]],
              folder: Path) -> dict[str, Any]:  # fmt: skip
    from ..publishers.datagouv.endpoints import DEMO_URL

    resources = []
    for s in result.get("steps") or []:
        if s.get("kind") != "resource" or not s.get("id") or s.get("outcome") == "skipped":
            continue
        path = folder / str(s.get("name", ""))
        sha1 = size = None
        if path.is_file():
            h = hashlib.sha1(usedforsecurity=False)
            with path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
            sha1, size = h.hexdigest(), path.stat().st_size
        resources.append({"name": s.get("name"), "id": s["id"], "sha1": sha1, "size": size, "remote": sha1 is None})
    site = options.get("url") or (DEMO_URL if options.get("demo") else _default_site())
    return {
        "url": redact_url(str(site)).rstrip("/"),
        "dataset_id": result.get("dataset_id"),
        "slug": result.get("slug"),
        "page": result.get("page"),
        "private": bool(options.get("private", False)),
        "frequency": str(options.get("frequency") or "unknown"),
        "resources": resources,
    }


def _default_site() -> str:
    """What ``publish datagouv`` uses without --url: ``ODL_DATAGOUV_URL`` (see odl_geo.cli.publish_datagouv)."""
    import os

    from ..publishers.datagouv.endpoints import PRODUCTION_URL

    return os.environ.get("ODL_DATAGOUV_URL") or PRODUCTION_URL


def _csw(options: dict[str, Any], result: dict[str, Any], layers: dict[str, dict[str, Any]],
         folder: Path) -> dict[str, Any]:  # fmt: skip
    """The record's identifier and its revision date: the ``gmd:dateStamp`` the catalogue holds after publishing
    (``publish csw`` says it: when the record was unchanged, the catalogue keeps its earlier date, not the one of a
    rebuilt metadata.xml), else that of the metadata.xml sent."""
    from ..errors import OdlGeoError

    date_stamp = result.get("date_stamp") or None
    try:
        from ..publishers.csw.publish import load_record

        date_stamp = date_stamp or load_record(folder).date_stamp
    except (ImportError, OdlGeoError):
        pass
    return {"url": redact_url(str(result.get("url") or options.get("url", ""))), "identifier": result.get("identifier"),
            "title": result.get("title"), "date_stamp": date_stamp}  # fmt: skip
