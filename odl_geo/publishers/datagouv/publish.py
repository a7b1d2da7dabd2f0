"""Publish a conversion output folder (files + ``manifest.json``) as one data.gouv.fr dataset, idempotently.

Plan of one run (every step create-or-update, nothing is ever wiped):

1. read the manifest; resolve the organization slug to its id; check licence, frequency and file extensions
   against what the instance accepts (udata silently turns an unknown licence into "notspecified");
2. find the dataset again by odl-geo's key in its ``extras`` (fallback: its slug, in the same organization);
   create it **private** if absent, else update only the fields that differ;
3. for each file: find its resource by key (fallback: the file name, for an upload cut before its metadata
   was set); upload it when absent, replace the file in place when its sha1 differs from udata's checksum,
   skip it otherwise; then set title/description/type/schema only when they differ;
4. remote resources (WMS/WFS GetCapabilities, embed page) likewise;
5. open the dataset (``private: false``) last, unless asked to keep it private.

A run cut half-way leaves a private dataset with some resources; the next run finds both again and completes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import CancelledError, InputError
from ...feedback import Feedback, NullFeedback
from ._describe import default_key, default_title, describe_outputs, resource_meta
from ._journal import UploadJournal, file_checksum, file_digest
from .client import DEFAULT_CHUNK_SIZE
from .models import (
    Dataset,
    DatasetSpec,
    Outcome,
    RemoteResourceSpec,
    Resource,
    ResourceMeta,
    SchemaRef,
    Spatial,
    TemporalCoverage,
    is_object_id,
    normalise_tags,
    tag_slug,
    udata_file_name,
)

if TYPE_CHECKING:
    from .client import DatagouvClient

__all__ = ["PublishOptions", "PublishResult", "Step", "describe_outputs", "publish_outputs"]

JOURNAL_NAME = ".odl-datagouv-uploads.json"


@dataclass(frozen=True)
class PublishOptions:
    """What to publish and how. ``organization`` may be a slug or an id (resolved to the id).

    :param dataset_key: stable key stored in the dataset's extras; default derived from the source name.
    :param schema: Etalab schema of the files whose format is in ``schema_formats``.
    :param keep_private: leave the dataset private at the end (default: opened once complete).
    """

    organization: str
    dataset_key: str | None = None
    title: str | None = None
    description: str = ""
    producer: str = ""
    license: str = "lov2"
    frequency: str = "unknown"
    tags: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    granularity: str = ""
    temporal_coverage: TemporalCoverage | None = None
    schema: SchemaRef | None = None
    schema_formats: tuple[str, ...] = ("geojson",)
    formats: tuple[str, ...] | None = None  # manifest formats to publish; None: all
    wms_url: str = ""
    wfs_url: str = ""
    embed_url: str = ""
    keep_private: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE


@dataclass
class Step:
    """One object handled by a publish run."""

    kind: str  # "dataset" or "resource"
    name: str
    outcome: Outcome
    id: str = ""
    bytes_uploaded: int = 0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "outcome": self.outcome.value}


@dataclass
class PublishResult:
    dataset_id: str
    slug: str
    page: str
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    planned_requests: list[str] = field(default_factory=list)  # dry run: the writes it would send

    @property
    def outcome(self) -> Outcome:
        return self.steps[0].outcome if self.steps else Outcome.SKIPPED

    @property
    def bytes_uploaded(self) -> int:
        return sum(s.bytes_uploaded for s in self.steps)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.steps:
            out[s.outcome.value] = out.get(s.outcome.value, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset_id": self.dataset_id,
            "slug": self.slug,
            "page": self.page,
            "outcome": self.outcome.value,
            "bytes_uploaded": self.bytes_uploaded,
            "counts": self.counts(),
            "steps": [s.to_dict() for s in self.steps],
            "warnings": self.warnings,
            "planned_requests": self.planned_requests,
        }


def load_manifest(out_dir: Path) -> dict[str, Any]:
    """:raises InputError: no readable manifest.json (the folder is not a conversion output)."""
    path = out_dir / "manifest.json"
    if not path.is_file():
        raise InputError(
            f"{out_dir} has no manifest.json.",
            "Give the output folder of `odl-geo convert` (it writes one).",
            message_fr=f"{out_dir} ne contient pas de manifest.json.",
            hint_fr="Indiquez le dossier de sortie de `odl-geo convert` (cette commande en écrit un).",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise InputError(
            f"{path} cannot be read ({exc}).",
            "Run the conversion again.",
            message_fr=f"{path} ne peut pas être lu ({exc}).",
            hint_fr="Relancez la conversion.",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise InputError(
            f"{path} is not an odl-geo manifest (no file list).",
            "Run the conversion again.",
            message_fr=f"{path} n'est pas un manifeste odl-geo (pas de liste de fichiers).",
            hint_fr="Relancez la conversion.",
        )
    return data


def publish_outputs(
    out_dir: str | Path,
    client: DatagouvClient,
    options: PublishOptions,
    feedback: Feedback | None = None,
) -> PublishResult:
    """Publish (or update) the dataset of one output folder. See the module docstring for the plan.

    :raises InputError: no manifest, a file listed is missing, unknown licence/frequency/organization.
    :raises AuthError: the key is refused (401) or may not modify the dataset (403).
    :raises RemoteError: any other refusal by udata, naming the dataset/resource.
    :raises NetworkError: no answer after retries; a re-run completes the publication.
    """
    feedback = feedback or NullFeedback()
    folder = Path(out_dir)
    manifest = load_manifest(folder)
    files = _files_to_publish(folder, manifest, options)
    _check_metadata_record(folder, files)
    options, derived_warnings = _with_manifest_defaults(client, options, manifest)
    org = client.organization(options.organization)
    if not is_object_id(org.id):  # defensive: udata's POST /datasets/ refuses anything but the id
        raise InputError(
            f"Organization {options.organization!r} has no usable id ({org.id!r}).",
            "Give its id.",
            message_fr=f"L'organisation {options.organization!r} n'a pas d'identifiant utilisable ({org.id!r}).",
            hint_fr="Indiquez son identifiant.",
        )
    _check_choices(client, options)
    tags, warnings = normalise_tags(options.tags)
    key = options.dataset_key or default_key(manifest)
    title = options.title or default_title(manifest, tuple(options.zones), org.name)
    spec = DatasetSpec(
        key=key,
        title=title,
        description=describe_outputs(manifest, folder, options),
        organization=org.id,
        license=options.license,
        frequency=options.frequency,
        tags=tuple(tags),
        spatial=Spatial(options.zones, options.granularity) if options.zones or options.granularity else None,
        temporal_coverage=options.temporal_coverage,
    )
    dataset, step = _ensure_dataset(client, spec, org.id)
    result = PublishResult(dataset.id, dataset.slug, dataset.page, [step], warnings + derived_warnings)
    journal = UploadJournal(None if client.dry_run else folder / JOURNAL_NAME)
    allowed = client.allowed_extensions()
    by_key = {r.key: r for r in dataset.resources if r.key}
    catalog = client.schema_names() if any(resource_meta(f, options).schema for f in files) else set()
    for n, entry in enumerate(files):
        if feedback.is_cancelled():
            raise CancelledError(
                f"Publishing to {client.endpoints.site} was cancelled before {entry['path']}.",
                "Nothing was deleted; the dataset stays private if it is new. Publishing again completes it.",
                message_fr=f"La publication sur {client.endpoints.site} a été annulée avant {entry['path']}.",
                hint_fr="Rien n'a été supprimé ; le jeu de données reste privé s'il est nouveau. Une nouvelle "
                "publication le complète.",
            )
        feedback.progress(100.0 * n / max(len(files), 1), f"{entry['path']}")
        ext = _extension(entry["path"])
        if allowed and ext not in allowed:
            result.warnings.append(
                f"{entry['path']} was not published: {client.endpoints.site} does not accept .{ext} files."
            )
            result.steps.append(Step("resource", entry["path"], Outcome.SKIPPED, note=f".{ext} not accepted"))
            continue
        meta = resource_meta(entry, options)
        if meta.schema and catalog and meta.schema.name not in catalog:
            result.warnings.append(
                f"{entry['path']}: schema {meta.schema.name!r} is not in the catalog of {client.endpoints.site} "
                "(schema.data.gouv.fr on data.gouv.fr): published without a schema reference."
            )
            meta = replace(meta, schema=None)
        existing = by_key.get(meta.key) or _find_by_file_name(dataset.resources, entry["path"])
        share = _Share(feedback, 100.0 * n / len(files), 100.0 / len(files))
        result.steps.append(
            _publish_file(client, dataset, folder / entry["path"], meta, existing, options, journal, share)
        )
    for remote in _remote_specs(options, title):
        existing = by_key.get(remote.key)
        result.steps.append(_publish_remote(client, dataset, remote, existing))
    _set_visibility(client, dataset, spec, options, result)
    journal.clear()  # every file is in place: no partial upload is left to resume
    result.planned_requests = list(client.planned)
    feedback.progress(100.0, "published")
    return result


class _Share:
    """A slice of the overall progress bar for one file (the chunked upload reports 0-100 % of its file)."""

    def __init__(self, parent: Feedback, start: float, span: float) -> None:
        self.parent, self.start, self.span = parent, start, span

    def progress(self, percent: float, text: str = "") -> None:
        self.parent.progress(self.start + self.span * percent / 100.0, text)

    def info(self, text: str) -> None:
        self.parent.info(text)

    def warning(self, text: str) -> None:
        self.parent.warning(text)

    def is_cancelled(self) -> bool:
        return self.parent.is_cancelled()


def _with_manifest_defaults(
    client: DatagouvClient, options: PublishOptions, manifest: dict[str, Any]
) -> tuple[PublishOptions, list[str]]:
    """Zones, granularity and producer a theme run recorded in the manifest (``source``), for those not given.

    Zones derived that way are checked against the instance first (one request): one it does not know is left
    out with a warning, where udata would refuse the whole dataset (``spatial.zones: Unknown geoid(s)``).
    """
    raw = manifest.get("source")
    source: dict[str, Any] = raw if isinstance(raw, dict) else {}
    warnings: list[str] = []
    changes: dict[str, Any] = {}
    zones = tuple(str(z) for z in source.get("zones") or [])
    if not options.zones and zones:
        known = client.known_zones(zones)
        unknown = [z for z in zones if z not in known]
        if unknown:
            warnings.append(
                f"zones {', '.join(unknown)} (from the data) are unknown to {client.endpoints.site}: left out."
            )
        changes["zones"] = tuple(z for z in zones if z in known)
    if not options.granularity and source.get("granularity"):
        changes["granularity"] = str(source["granularity"])
    if not options.producer and source.get("producer"):
        changes["producer"] = str(source["producer"])
    changes |= _metadata_defaults(options, manifest)
    return (replace(options, **changes) if changes else options), warnings


def _check_metadata_record(folder: Path, files: list[dict[str, Any]]) -> None:
    """The ISO record published with the data must pass the INSPIRE rules, checked before anything is sent.

    :raises InputError: a mandatory INSPIRE element is missing (all listed, in English and in French).
    """
    from ...metadata import require_inspire

    for entry in files:
        if entry.get("format") == "iso19139":
            require_inspire((folder / entry["path"]).read_bytes(), str(entry["path"]))


def _metadata_defaults(options: PublishOptions, manifest: dict[str, Any]) -> dict[str, Any]:
    """Title, description, licence, update frequency, temporal coverage and tags of the folder's metadata record
    (``odl-geo metadata``, kept in ``manifest.json["metadata"]["record"]``), for those not given: the portal then
    says what the ISO/DCAT record says. The licence replaces only the default (lov2)."""
    raw = manifest.get("metadata")
    record = raw.get("record") if isinstance(raw, dict) else None
    if not isinstance(record, dict):
        return {}
    changes: dict[str, Any] = {}
    if options.title is None and record.get("title"):
        changes["title"] = str(record["title"])
    if not options.description.strip() and record.get("abstract"):
        changes["description"] = str(record["abstract"])
    if options.license == PublishOptions.license and record.get("licence"):
        changes["license"] = str(record["licence"])
    if options.frequency == PublishOptions.frequency and record.get("frequency"):
        changes["frequency"] = str(record["frequency"])
    temporal = record.get("temporal")
    if options.temporal_coverage is None and isinstance(temporal, dict) and temporal.get("start"):
        changes["temporal_coverage"] = TemporalCoverage(str(temporal["start"]), str(temporal.get("end") or ""))
    if not options.tags and record.get("keywords"):
        changes["tags"] = tuple(str(k) for k in record["keywords"])
    if not options.producer and record.get("producer"):
        changes["producer"] = str(record["producer"])
    return changes


def _files_to_publish(folder: Path, manifest: dict[str, Any], options: PublishOptions) -> list[dict[str, Any]]:
    """One entry per file: a GeoPackage holding several layers is listed once per layer in the manifest."""
    by_path: dict[str, dict[str, Any]] = {}
    for f in manifest["files"]:
        if options.formats is not None and f.get("format") not in options.formats:
            continue
        if f.get("format") == "dcat-jsonld":  # data.gouv.fr reads DCAT by harvesting; metadata.xml is the resource
            continue
        entry = by_path.setdefault(str(f["path"]), {**f, "layers": []})
        entry["layers"].append(f)
    files = list(by_path.values())
    for f in files:
        if not (folder / f["path"]).is_file():
            raise InputError(
                f"{folder / f['path']} is listed in manifest.json but missing.",
                "Run the conversion again.",
                message_fr=f"{folder / f['path']} figure dans manifest.json mais est introuvable.",
                hint_fr="Relancez la conversion.",
            )
    if not files:
        raise InputError(
            f"Nothing to publish in {folder}: no file of the formats asked.",
            "Check --formats.",
            message_fr=f"Rien à publier dans {folder} : aucun fichier des formats demandés.",
            hint_fr="Vérifiez --formats.",
        )
    return files


def _check_choices(client: DatagouvClient, options: PublishOptions) -> None:
    """Refuse early what udata would refuse late (frequency) or accept wrongly (an unknown licence)."""
    licenses = client.license_ids()
    if licenses and options.license not in licenses:
        raise InputError(
            f"Licence {options.license!r} is unknown to {client.endpoints.site}.",
            f"Use one of: {', '.join(sorted(licenses))} (lov2 = Licence Ouverte 2.0, odc-odbl = ODbL).",
            message_fr=f"La licence {options.license!r} est inconnue de {client.endpoints.site}.",
            hint_fr=f"Utilisez l'une de celles-ci : {', '.join(sorted(licenses))} (lov2 = Licence Ouverte 2.0, "
            "odc-odbl = ODbL).",
        )
    frequencies = client.frequency_ids()
    if frequencies and options.frequency not in frequencies:
        raise InputError(
            f"Update frequency {options.frequency!r} is unknown to {client.endpoints.site}.",
            f"Use one of: {', '.join(sorted(frequencies))}.",
            message_fr=f"La fréquence de mise à jour {options.frequency!r} est inconnue de {client.endpoints.site}.",
            hint_fr=f"Utilisez l'une de celles-ci : {', '.join(sorted(frequencies))}.",
        )


def _ensure_dataset(client: DatagouvClient, spec: DatasetSpec, org_id: str) -> tuple[Dataset, Step]:
    current = _find_dataset(client, spec, org_id)
    if current is None:
        created = client.create_dataset(spec.to_payload(private=True), spec.title)
        dataset = created or Dataset("{new-dataset-id}", "{new-dataset-id}", spec.title, private=True)
        return dataset, Step("dataset", spec.title, Outcome.CREATED, dataset.id)
    changes = spec.changes(current)
    if not changes:
        return current, Step("dataset", spec.title, Outcome.UNCHANGED, current.id)
    # Always the whole spec: udata's PUT is partial, except that it empties `tags` and `temporal_coverage`
    # when they are absent from the payload (seen on udata 17.18).
    updated = client.update_dataset(current.id, spec.to_payload(current.private, current.extras), spec.title) or current
    return updated, Step("dataset", spec.title, Outcome.UPDATED, current.id, note=", ".join(sorted(changes)))


def _find_dataset(client: DatagouvClient, spec: DatasetSpec, org_id: str) -> Dataset | None:
    """By the key in extras among the organization's datasets (private ones included), else by slug."""
    for dataset in client.organization_datasets(org_id):
        if dataset.key == spec.key and not dataset.deleted:
            return dataset
    by_slug = client.dataset(tag_slug(spec.title))
    if by_slug and by_slug.organization_id == org_id and not by_slug.deleted and by_slug.key in (None, spec.key):
        return by_slug
    return None


def _find_by_file_name(resources: tuple[Resource, ...], rel_path: str) -> Resource | None:
    """A file resource without odl-geo's key whose name is the file's (an upload cut before its metadata PUT)."""
    names = {Path(rel_path).name, udata_file_name(Path(rel_path).name)}
    for r in resources:
        if r.key is None and r.filetype == "file" and (r.title in names or r.url.rsplit("/", 1)[-1] in names):
            return r
    return None


def _publish_file(
    client: DatagouvClient,
    dataset: Dataset,
    path: Path,
    meta: ResourceMeta,
    existing: Resource | None,
    options: PublishOptions,
    journal: UploadJournal,
    feedback: Feedback,
) -> Step:
    sha1, size = file_digest(path)
    same_file = existing is not None and existing.filesize in (None, size) and _same_checksum(path, existing, sha1)
    if existing is not None and same_file:
        if not meta.differs_from(existing):
            return Step("resource", meta.key, Outcome.UNCHANGED, existing.id)
        client.update_resource(dataset.id, existing.id, meta.to_payload(existing.extras), dataset.title)
        return Step("resource", meta.key, Outcome.UPDATED, existing.id, note="metadata")
    sent_before = client.bytes_sent
    uploaded = client.upload_file(
        dataset.id,
        path,
        name=path.name,
        dataset_title=dataset.title,
        resource_id=existing.id if existing else None,
        digest=(sha1, size),
        chunk_size=options.chunk_size,
        journal=journal,
        feedback=feedback,
    )
    rid = uploaded.id if uploaded else (existing.id if existing else "{new-resource-id}")
    extras = uploaded.extras if uploaded else (existing.extras if existing else {})
    client.update_resource(dataset.id, rid, meta.to_payload(extras), dataset.title)
    outcome = Outcome.UPDATED if existing else Outcome.CREATED
    return Step(
        "resource", meta.key, outcome, rid, client.bytes_sent - sent_before, "file replaced" if existing else ""
    )


def _same_checksum(path: Path, existing: Resource, sha1: str) -> bool:
    """The local file has the checksum udata reports, of whichever type it reports (sha1 on upload; sha256/md5
    when a harvester or an admin set it): that digest is computed only then."""
    checksum = existing.checksum
    if checksum is None:
        return False
    if checksum.type == "sha1":
        return checksum.value == sha1
    return file_checksum(path, checksum.type) == checksum.value


def _publish_remote(
    client: DatagouvClient, dataset: Dataset, spec: RemoteResourceSpec, existing: Resource | None
) -> Step:
    if existing is None:
        created = client.create_remote_resource(dataset.id, spec.to_payload(), dataset.title)
        return Step("resource", spec.key, Outcome.CREATED, created.id if created else "{new-resource-id}")
    if not spec.differs_from(existing):
        return Step("resource", spec.key, Outcome.UNCHANGED, existing.id)
    payload = spec.to_payload(existing.extras)
    payload.pop("filetype")  # udata refuses any filetype change, and it is "remote" already
    client.update_resource(dataset.id, existing.id, payload, dataset.title)
    return Step("resource", spec.key, Outcome.UPDATED, existing.id)


def _set_visibility(
    client: DatagouvClient, dataset: Dataset, spec: DatasetSpec, options: PublishOptions, result: PublishResult
) -> None:
    """Open the dataset once complete (it was created private), or keep/make it private when asked."""
    want_private = options.keep_private
    if dataset.private == want_private:
        return
    if want_private and result.steps[0].outcome is not Outcome.CREATED:
        result.warnings.append("The dataset is public already; it was left public (--private only applies to new).")
        return
    client.update_dataset(dataset.id, spec.to_payload(want_private, dataset.extras), dataset.title)
    if result.steps[0].outcome is Outcome.UNCHANGED:
        result.steps[0].outcome = Outcome.UPDATED
        result.steps[0].note = "opened (was private: a previous run stopped before the end)"


def _remote_specs(options: PublishOptions, title: str) -> list[RemoteResourceSpec]:
    specs = []
    if options.wms_url:
        url = _capabilities(options.wms_url, "WMS")
        specs.append(RemoteResourceSpec("remote:wms", f"{title} — service WMS", url, "ogc:wms", "api"))
    if options.wfs_url:
        url = _capabilities(options.wfs_url, "WFS")
        specs.append(RemoteResourceSpec("remote:wfs", f"{title} — service WFS", url, "ogc:wfs", "api"))
    if options.embed_url:
        specs.append(
            RemoteResourceSpec("remote:embed", f"{title} — carte interactive", options.embed_url, "html", "other")
        )
    return specs


def _capabilities(url: str, service: str) -> str:
    """The GetCapabilities URL of an OGC endpoint (kept as is when it already asks for it)."""
    if "getcapabilities" in url.lower():
        return url
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}SERVICE={service}&REQUEST=GetCapabilities"


def _extension(rel_path: str) -> str:
    return Path(rel_path).suffix.lower().lstrip(".")
