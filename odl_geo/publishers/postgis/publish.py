"""Publish a conversion output folder (or any readable source) into PostGIS tables, idempotently.

Plan first, then load: each layer becomes one table named after it (laundered), in EPSG:2154. A table whose
comment carries the same fingerprint (sha256 of the source bytes, the layer, the metadata and the loader
version) is left alone: re-publishing unchanged data sends nothing and reports UNCHANGED. The fingerprint
lives in the table comment rather than in a metadata table so that publishing needs no extra object or
privilege in the database, and so that it disappears with the table.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from pyproj import CRS

from ..._version import __version__
from ...errors import InputError, SourceNotFoundError
from ...exports.manifest import MANIFEST_NAME
from ...feedback import Feedback, NullFeedback
from ...normalise.options import NormaliseOptions
from ...normalise.pipeline import GEOMETRY_COLUMN, LayerStream
from ...normalise.scan import scan_geometries
from ...numbers import count_text
from ...sources import open_source
from . import ddl
from .connect import check_postgis, connect, describe_dsn, pg_error, redact_dsn
from .load import load_plans
from .models import LayerPlan, LayerResult, Outcome, PostgisTarget, pg_name

if TYPE_CHECKING:
    from ...sources import LayerSource

__all__ = ["LOADER_VERSION", "PublishResult", "publish_postgis"]

#: bump when what a table holds for the same input changes (types, names, comments): forces a reload
LOADER_VERSION = "1"


@dataclass
class PublishResult:
    """What one ``publish_postgis`` call did (or would do, with ``dry_run``)."""

    target: str  # redacted
    dry_run: bool
    layers: list[LayerResult] = field(default_factory=list)
    plans: list[LayerPlan] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "dry_run": self.dry_run,
            "layers": [r.to_dict() for r in self.layers],
            "plans": [p.to_dict() for p in self.plans] if self.dry_run else [],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class _Input:
    path: Path
    digest: str
    title: str
    abstract: str
    source_name: str
    field_mapping: dict[str, dict[str, str]]  # layer -> {original: written}


def publish_postgis(
    path: str | Path,
    target: PostgisTarget,
    *,
    dry_run: bool = False,
    feedback: Feedback | None = None,
    batch_size: int = 65_536,
) -> PublishResult:
    """Load every layer of ``path`` into ``target.schema``, one table per layer, replacing atomically.

    :param path: an output folder of ``odl-geo convert`` (its GeoPackages are loaded, with the manifest's
        metadata), or any file/folder/zip ``open_source`` reads (normalised and reprojected on the fly).
    :param dry_run: connect and plan (table names, types, outcome) but write nothing.
    :raises InputError: bad DSN, nothing to publish, ``--table`` with several layers, a table odl-geo did not create.
    :raises NetworkError: the server cannot be reached.
    :raises AuthError: login refused, or permission denied on the schema or table.
    :raises RemoteError: PostGIS missing, or PostgreSQL refused a statement; nothing was changed.
    :raises CancelledError: ``feedback`` asked to stop; nothing was changed.
    """
    feedback = feedback or NullFeedback()
    started = time.perf_counter()
    result = PublishResult(target=redact_dsn(target.dsn), dry_run=dry_run)
    inputs = _inputs(Path(path))
    where = describe_dsn(target.dsn)
    secrets = tuple(s for s in (target.password,) if s)
    conn = connect(target)
    try:
        check_postgis(conn, where)
        with ExitStack() as stack:
            plans = _plan(conn, inputs, target, stack, batch_size, feedback, secrets)
            conn.rollback()
            result.plans = plans
            if dry_run:
                for plan in plans:
                    if plan.prepare is not None:
                        plan.prepare()  # columns and types for the plan; the stream is dropped at once
                        plan.stream = None
                result.layers = [LayerResult(p.layer_name, p.qualified, p.outcome, p.feature_count) for p in plans]
            else:
                comments = {p.qualified: _table_comment(p) for p in plans}
                result.layers = load_plans(conn, plans, comments, feedback, target.lock_timeout_s, secrets)
    finally:
        conn.close()
    result.seconds = time.perf_counter() - started
    return result


# -- inputs -----------------------------------------------------------------------------------------------
def _inputs(path: Path) -> list[_Input]:
    if not path.exists():
        raise SourceNotFoundError(
            f"{path} does not exist.",
            "Give a file or an output folder of odl-geo convert.",
            message_fr=f"{path} est introuvable.",
            hint_fr="Indiquez un fichier ou un dossier de sortie d'odl-geo convert.",
        )
    manifest_path = path / MANIFEST_NAME if path.is_dir() else None
    if manifest_path is None or not manifest_path.is_file():
        return [_Input(path, _digest(path), "", "", path.name, {})]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{manifest_path} cannot be read: {exc}.",
            "Convert the source again.",
            message_fr=f"{manifest_path} ne peut pas être lu : {exc}.",
            hint_fr="Relancez la conversion de la source.",
        ) from None
    source = manifest.get("source") or {}
    gpkgs: dict[str, dict[str, dict[str, str]]] = {p.name: {} for p in path.glob("*.gpkg")}  # theme products too
    for f in manifest.get("files", []):
        if f.get("format") == "gpkg" or str(f.get("path", "")).endswith(".gpkg"):
            gpkgs.setdefault(f["path"], {})[f.get("layer", "")] = f.get("field_mapping") or {}
    if not gpkgs:
        raise InputError(
            f"{path} holds no GeoPackage to publish.",
            f"Convert with --to gpkg (odl-geo convert ... --out {path}).",
            message_fr=f"{path} ne contient aucun GeoPackage à publier.",
            hint_fr=f"Convertissez avec --to gpkg (odl-geo convert ... --out {path}).",
        )
    out = []
    for name, mappings in sorted(gpkgs.items()):
        gpkg = path / name
        if not gpkg.is_file():
            raise SourceNotFoundError(
                f"{gpkg} is listed in the manifest but missing.",
                "Convert the source again.",
                message_fr=f"{gpkg} figure dans le manifeste mais est introuvable.",
                hint_fr="Relancez la conversion de la source.",
            )
        out.append(
            _Input(
                gpkg,
                _digest(gpkg),
                str(manifest.get("title") or ""),
                str(manifest.get("abstract") or manifest.get("description") or ""),
                str(source.get("name") or gpkg.name),
                mappings,
            )
        )
    return out


def _digest(path: Path) -> str:
    """sha256 of the bytes that make the source: the file and its sidecars (same stem), or a whole folder."""
    h = hashlib.sha256()
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
    else:
        stem = path.name.lower().split(".")[0]
        files = sorted(p for p in path.parent.iterdir() if p.is_file() and p.name.lower().split(".")[0] == stem)
    for p in files:
        h.update(str(p.relative_to(path if path.is_dir() else path.parent)).encode())
        with p.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


# -- planning ---------------------------------------------------------------------------------------------
def _plan(
    conn: psycopg.Connection,
    inputs: list[_Input],
    target: PostgisTarget,
    stack: ExitStack,
    batch_size: int,
    feedback: Feedback,
    secrets: tuple[str, ...],
) -> list[LayerPlan]:
    layers: list[tuple[_Input, LayerSource]] = []
    for inp in inputs:
        src = stack.enter_context(open_source(inp.path))
        layers += [(inp, lyr) for lyr in src.layers if lyr.feature_count > 0]
    if not layers:
        raise InputError(
            f"{inputs[0].path.name} has no feature to publish.",
            "Check that the right path was given.",
            message_fr=f"{inputs[0].path.name} ne contient aucun objet à publier.",
            hint_fr="Vérifiez que le bon chemin a été indiqué.",
        )
    if target.table and len(layers) > 1:
        raise InputError(
            f"--table {target.table} names one table, but {len(layers)} layers would be published: "
            + ", ".join(lyr.name for _, lyr in layers),
            "Leave --table out (each layer gets a table named after it) or publish one layer.",
            message_fr=f"--table {target.table} désigne une seule table, mais {count_text(len(layers))} couches "
            "seraient publiées : " + ", ".join(lyr.name for _, lyr in layers),
            hint_fr="Retirez --table (chaque couche reçoit une table à son nom) ou publiez une seule couche.",
        )
    used: set[str] = set()
    plans = []
    for inp, lyr in layers:
        table = pg_name(target.table or lyr.name, used)
        fingerprint = _fingerprint(inp, lyr.name)
        try:
            exists, stored = ddl.current_fingerprint(conn, target.schema, table)
        except psycopg.Error as exc:
            raise pg_error(
                exc, f"reading {target.schema}.{table}", secrets, step_fr=f"la lecture de {target.schema}.{table}"
            ) from None
        if exists and stored is None:
            raise InputError(
                f"The table {target.schema}.{table} exists and was not created by odl-geo; it is left untouched.",
                "Choose another --table or --schema, or drop that table yourself.",
                message_fr=f"La table {target.schema}.{table} existe et n'a pas été créée par odl-geo ; elle n'est pas "
                "modifiée.",
                hint_fr="Indiquez une autre valeur de --table ou de --schema, ou supprimez vous-même cette table.",
            )
        outcome = Outcome.UNCHANGED if stored == fingerprint else Outcome.UPDATED if exists else Outcome.CREATED
        plan = LayerPlan(
            layer_name=lyr.name,
            source_display=lyr.display,
            table=table,
            schema=target.schema,
            columns=[],
            geometry_type=None,
            feature_count=lyr.feature_count,
            fingerprint=fingerprint,
            title=inp.title or lyr.name,
            abstract=inp.abstract,
            source_name=inp.source_name,
            outcome=outcome,
        )
        if outcome is not Outcome.UNCHANGED:
            # opened only when this layer's turn comes: one batch in memory at a time, whatever the layer count
            plan.prepare = functools.partial(_open_stream, plan, lyr, inp, batch_size, feedback)
        plans.append(plan)
    return plans


def _open_stream(plan: LayerPlan, lyr: LayerSource, inp: _Input, batch_size: int, feedback: Feedback) -> None:
    """Read the first batch to learn the column types; the stream then replays it followed by the rest."""
    import itertools

    options = NormaliseOptions(
        target_crs=CRS.from_epsg(ddl.SRID) if lyr.has_geometry else None, promote_multi=True, batch_size=batch_size
    )
    stream = LayerStream(lyr, options, scan_geometries(lyr), feedback)
    batches = stream.batches()
    first = next(batches, None)
    if first is None:
        plan.outcome = Outcome.SKIPPED
        return
    original = {v: k for k, v in stream.renames.items()}
    original.update({v: k for k, v in inp.field_mapping.get(lyr.name, {}).items()})
    plan.columns = [
        type(c)(c.name, c.pg_type, c.source_name, c.arrow_name, _column_comment(c.source_name, c.pg_type))
        for c in ddl.columns_for(first.schema, GEOMETRY_COLUMN, original)
    ]
    plan.geometry_type = ddl.geometry_typmod(stream.output_geometry_type) if lyr.has_geometry else None
    plan.stream = itertools.chain([first], batches)


def _fingerprint(inp: _Input, layer: str) -> str:
    payload = {
        "loader": LOADER_VERSION,
        "source": inp.digest,
        "layer": layer,
        "title": inp.title,
        "abstract": inp.abstract,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _column_comment(source_name: str, pg_type: str) -> str:
    return f"Source field: {source_name} ({pg_type})."


def _table_comment(plan: LayerPlan) -> str:
    lines = [plan.title]
    if plan.abstract:
        lines.append(plan.abstract)
    lines.append(f"Source: {plan.source_name}, layer {plan.layer_name}; EPSG:{ddl.SRID} (RGF93 / Lambert-93).")
    lines.append(f"Published by odl-geo {__version__} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.")
    lines.append(f"odl-geo:fingerprint={plan.fingerprint}")
    return "\n".join(lines)
