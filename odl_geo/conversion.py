"""Convert a layer (or every layer of a file, folder or zip) to several open formats in one call.

Outputs are written into a hidden staging folder inside the output folder, with their manifest, checked, synced
and swapped into place only when every format succeeded (:mod:`odl_geo.exports.swap`): a failed or cancelled run
leaves the output folder as it was, and outputs and manifest change together or not at all.

A layer with an error (no CRS, broken CSV) is left out and reported (``LAYER_SKIPPED``, listed in the
manifest's ``source.skipped``) while the other layers of the zip or folder are converted; when no layer is
left, its error is raised, as for a single file.
"""

from __future__ import annotations

import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from ._version import __version__
from .errors import CrsError, InputError, OutputError, folder_not_created
from .exports.base import OutputFile, WriteContext, Writer
from .exports.catalog import DEFAULT_FORMATS
from .exports.manifest import MANIFEST_NAME, Manifest, fill_sizes_and_digests, sha256_file
from .exports.overlap import refuse_overlap, refuse_replacing
from .exports.registry import writers_for
from .exports.swap import Staging, check_complete, recover
from .feedback import Feedback, NullFeedback
from .memory import release_free_memory
from .naming import display_name
from .normalise.options import NormaliseOptions
from .normalise.scan import GeometryScan, scan_geometries
from .numbers import agree, count_text, quantity
from .report import Issue, Report, Severity
from .sources import LayerSource, ReadOptions, Source, open_source

__all__ = ["DEFAULT_FORMATS", "ConvertOptions", "convert"]


@dataclass(frozen=True)
class ConvertOptions:
    """How to normalise while converting (see :class:`NormaliseOptions`)."""

    drop_empty: bool = False
    decode_html: bool = False
    force_2d: bool = False
    repair: bool = True
    geojson_precision: int = 7
    batch_size: int = 65_536

    def __post_init__(self) -> None:
        """:raises InputError: a precision that would write every coordinate as 0 (``--precision -5``) or as noise."""
        if not 0 <= self.geojson_precision <= 15:
            raise InputError(
                f"--precision {self.geojson_precision} is out of range: coordinates would be rounded to nothing "
                "(negative) or carry digits that mean nothing (above 15).",
                "Give 0 to 15 decimals (7 is about 1 cm in degrees, the default).",
                message_fr=f"--precision {self.geojson_precision} est hors limites : les coordonnées seraient "
                "arrondies à rien (valeur négative) ou porteraient des chiffres qui ne signifient rien (au-delà "
                "de 15).",
                hint_fr="Indiquez de 0 à 15 décimales (7, la valeur par défaut, vaut environ 1 cm en degrés).",
            )
        if self.batch_size < 1:
            raise InputError(
                f"The batch size {self.batch_size} must be at least 1.",
                "Leave it at its default.",
                message_fr=f"La taille de lot {self.batch_size} doit valoir au moins 1.",
                hint_fr="Laissez sa valeur par défaut.",
            )


def convert(
    path: str | Path,
    out_dir: str | Path,
    formats: tuple[str, ...] | list[str] = DEFAULT_FORMATS,
    read_options: ReadOptions | None = None,
    options: ConvertOptions | None = None,
    feedback: Feedback | None = None,
) -> Manifest:
    """Read ``path``, normalise each layer and write it in each format into ``out_dir``.

    :returns: the manifest, also written as ``out_dir/manifest.json``.
    :raises InputError: (and subclasses) the source cannot be converted as it is; the message says why.
    :raises OutputError: an output could not be written.
    :raises CancelledError: ``feedback.is_cancelled()`` became true; ``out_dir`` is unchanged.
    """
    options = options or ConvertOptions()
    feedback = feedback or NullFeedback()
    accept_loss = read_options is not None and read_options.accept_loss
    writers = writers_for(list(formats))
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(
            f"The output {out} exists and is not a folder.",
            "Choose another --out.",
            message_fr=f"La sortie {out} existe et n'est pas un dossier.",
            hint_fr="Choisissez un autre --out.",
        )
    refuse_overlap(path, out, reserved=(MANIFEST_NAME,))
    # said first: GDAL reads a CSV through to count its rows and bounds (~13 s at 5M rows), one call that cannot
    # tell its progress
    feedback.info(f"Opening {display_name(Path(path))}")
    with open_source(path, read_options) as src:
        layers, skipped = _convertible(src)
        if not layers:
            raise InputError(
                f"{display_name(src.path)} has no feature to convert.",
                "Check that the right file was given.",
                message_fr=f"{display_name(src.path)} ne contient aucun objet à convertir.",
                hint_fr="Vérifiez que c'est le bon fichier qui a été indiqué.",
            )
        # created only once the source is known to be convertible, and removed again if writing fails:
        # a failed run must not leave an empty folder behind
        created = not out.exists()
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise folder_not_created(out, exc) from exc
        try:
            manifest = _convert_layers(src, layers, skipped, out, writers, options, feedback, accept_loss)
        except BaseException:
            if created:
                shutil.rmtree(out, ignore_errors=True)
            raise
    return manifest


def _convert_layers(
    src: Source,
    layers: list[LayerSource],
    skipped: list[Issue],
    out: Path,
    writers: list[Writer],
    options: ConvertOptions,
    feedback: Feedback,
    accept_loss: bool = False,
) -> Manifest:
    """Write every layer in every format into a staging folder, then move the files into ``out``."""
    report = Report()
    report.extend(src.issues)
    for lyr in src.layers:
        report.extend(lyr.issues)
    for issue in skipped:
        report.add(issue)
    manifest = Manifest(source={}, report=report, odl_geo_version=__version__)
    for note in recover(out):  # a crash of an earlier run: its swap finished, its staging folders removed
        feedback.info(f"{out}: {note}")
    staged = Staging(out)  # OutputError (exit 3) when the folder is read-only or the disk full
    staging = staged.path
    # the source's checksum is computed beside the conversion (hashlib releases the GIL), not before it
    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="odl-geo-sha256")
    digest = hasher.submit(sha256_file, src.path) if src.path.is_file() else None
    try:
        ctx = WriteContext(
            staging=staging,
            source_stem=src.path.stem.removesuffix(".shp"),
            base_options=NormaliseOptions(
                drop_empty=options.drop_empty,
                decode_html=options.decode_html,
                force_2d=options.force_2d,
                repair=options.repair,
                batch_size=options.batch_size,
            ),
            feedback=feedback,
            report=report,
            gdal_date=_source_date(src.path),
            geojson_precision=options.geojson_precision,
        )
        for n, layer in enumerate(layers, start=1):
            feedback.info(f"[{n}/{len(layers)}] {layer.display}")
            scan = scan_geometries(layer)
            release_free_memory()  # what the Shapefile checks and the scan read is not carried into the stream
            first_file = len(manifest.files)
            for writer in writers:
                if not layer.has_geometry and not writer.writes_tables:
                    report.add(
                        Issue(
                            "FORMAT_NEEDS_GEOMETRY",
                            Severity.INFO,
                            f"{layer.name} has no geometry: not written as {writer.label}.",
                            layer=layer.name,
                            message_fr=f"{layer.name} n'a pas de géométrie : la couche n'est pas écrite en "
                            f"{writer.label}.",
                        )
                    )
                    continue
                feedback.info(f"  -> {writer.label}")
                pass_report = Report()
                manifest.files.extend(writer.write_layer(layer, scan, replace(ctx, report=pass_report)))
                report.add_new(pass_report)
                release_free_memory()  # one format's working memory is not carried into the next one's
            _check_count(layer, manifest.files[first_file:], options, report, accept_loss)
            _check_geometries(layer, scan, manifest.files[first_file:], accept_loss)
            _check_losses(layer, report, accept_loss)
        refuse_replacing(src.path, out, {f.path for f in manifest.files})
        for f in manifest.files:  # a writer that ignored a full disk left a file cut short
            check_complete(staging / f.path, f.format)
        fill_sizes_and_digests(manifest.files, staging)
        manifest.source = _describe_source(src, digest)
        manifest.source["skipped"] = [i.layer for i in src.issues.by_severity(Severity.ERROR)] + [
            i.layer for i in skipped
        ]
        try:
            manifest.write(staging)
        except OSError as exc:
            raise OutputError(
                f"Writing {MANIFEST_NAME} failed: {exc.strerror}.",
                "Check free disk space and write permission on the output folder, then convert again.",
                message_fr=f"L'écriture de {MANIFEST_NAME} a échoué : {exc.strerror}.",
                hint_fr="Vérifiez l'espace disque libre et les droits d'écriture sur le dossier de sortie, puis "
                "relancez la conversion.",
            ) from exc
        staged.commit(f.path for f in manifest.files)  # outputs and manifest together, or not at all
    finally:
        hasher.shutdown(wait=True, cancel_futures=True)
        staged.close()
    return manifest


def _check_count(
    layer: LayerSource, files: list[OutputFile], options: ConvertOptions, report: Report, accept_loss: bool
) -> None:
    """Compare what was written with what the source declares: features missing from an output are an error
    (``FEATURE_COUNT_MISMATCH``, exit 2, nothing written) unless the user accepted the loss (``--accept-loss``,
    then a warning) or dropped features on purpose (``--drop-empty``).

    Shapefile outputs are left out: a mixed layer is split per type there, so its count differs by design.

    :raises InputError: fewer features written than the source declares, loss not accepted.
    """
    counts = {f.feature_count for f in files if f.format != "shp"}
    if options.drop_empty or not counts:
        return
    issue = layer.count_issue(min(counts))
    if issue is None:
        return
    if accept_loss or min(counts) > layer.feature_count:
        report.add(issue)
        return
    raise InputError(
        f"{issue.message} Nothing was written.",
        "Check the file in the software that wrote it (or export it again); --accept-loss converts what can be "
        "read, the loss reported.",
        "FEATURE_COUNT_MISMATCH",
        message_fr=f"{issue.message_fr or issue.message} Rien n'a été écrit.",
        hint_fr="Vérifiez le fichier dans le logiciel qui l'a produit (ou exportez-le de nouveau) ; --accept-loss "
        "convertit ce qui peut être lu, en signalant la perte.",
    )


def _check_geometries(layer: LayerSource, scan: GeometryScan, files: list[OutputFile], accept_loss: bool) -> None:
    """Outputs of a layer whose source has geometries must hold some: a run that lost every geometry is an error.

    :raises InputError: (exit 2, nothing written) unless the user accepted the loss.
    """
    in_source = sum(scan.counts.values())
    written = [f for f in files if f.feature_count]
    if not in_source or not written or accept_loss or any(f.bbox is not None for f in written):
        return
    lost_fr = agree(
        in_source, "sa géométrie a été perdue", f"ses {count_text(in_source)} géométries ont toutes été perdues"
    )
    raise InputError(
        f"{layer.display}: its {in_source} geometries were all lost on the way (none is in the outputs); "
        "nothing was written.",
        "Check --source-crs (coordinates outside the CRS's area cannot be reprojected) and the geometry options; "
        "--accept-loss writes the attributes alone.",
        "GEOMETRY_LOST",
        message_fr=f"{layer.display} : {lost_fr} en route (aucune n'est dans les fichiers produits) ; rien n'a été "
        "écrit.",
        hint_fr="Vérifiez --source-crs (des coordonnées hors de l'emprise du SCR ne peuvent pas être reprojetées) et "
        "les options de géométrie ; --accept-loss écrit les attributs seuls.",
    )


#: GDAL's words when a CSV value does not fit the type it guessed from the first rows: the value is dropped
_GDAL_DROPPED_VALUE = "Invalid value type found"


def _check_losses(layer: LayerSource, report: Report, accept_loss: bool) -> None:
    """Values or geometries read from the source but dropped on the way are a loss: an error unless accepted
    (``--accept-loss``; the warnings then stay in the report).

    - ``GEOM_UNREADABLE``: geometries GDAL handed over but no reader could decode (written without geometry);
    - ``FIELD_NOT_A_NUMBER``: in a column of decimal-comma numbers, later values that are not numbers (emptied);
    - GDAL's "Invalid value type found": a CSV value that does not fit the type GDAL guessed from the first rows.

    :raises InputError: (exit 2, nothing written), the details naming the code.
    """
    if accept_loss:
        return
    mine = [i for i in report.issues if i.layer in (layer.name, None, "")]
    lost = next((i for i in mine if i.code in ("GEOM_UNREADABLE", "FIELD_NOT_A_NUMBER")), None)
    if lost is not None and lost.code == "GEOM_UNREADABLE":
        examples = ", ".join(f"#{n}" for n in lost.examples)
        written_fr = agree(lost.count, "l'objet serait écrit", "les objets seraient écrits")
        raise InputError(
            f"{layer.display}: {quantity(lost.count, 'geometry', 'geometries', 'en')} cannot be decoded (features "
            f"{examples}); {agree(lost.count, 'it', 'they', 'en')} would be written without geometry. Nothing was "
            "written.",
            "Repair the file in the software that wrote it; --accept-loss writes those features without geometry.",
            "GEOM_UNREADABLE",
            message_fr=f"{layer.display} : {quantity(lost.count, 'géométrie ne peut', 'géométries ne peuvent')} pas "
            f"être {agree(lost.count, 'décodée', 'décodées')} ({agree(len(lost.examples), 'objet', 'objets')} "
            f"{examples}) ; {written_fr} sans géométrie. Rien n'a été écrit.",
            hint_fr="Réparez le fichier dans le logiciel qui l'a produit ; --accept-loss écrit ces objets sans "
            "géométrie.",
        )
    if lost is not None:
        raise InputError(
            f"{layer.display}: {lost.message.rstrip('.')} ({agree(lost.count, 'its', 'their', 'en')} column holds "
            "numbers with decimal commas elsewhere). Nothing was written.",
            "Fix those values (or empty them) in the source; --accept-loss writes them empty.",
            "FIELD_NOT_A_NUMBER",
            message_fr=f"{layer.display} : {(lost.message_fr or lost.message).rstrip('.')} ("
            f"{agree(lost.count, 'sa', 'leur')} colonne contient ailleurs des nombres à virgule décimale). Rien n'a "
            "été écrit.",
            hint_fr="Corrigez ces valeurs (ou videz-les) dans la source ; --accept-loss les écrit vides.",
        )
    dropped = next((i for i in mine if i.code == "GDAL_WARNING" and _GDAL_DROPPED_VALUE in i.message), None)
    if dropped is not None:
        raise InputError(
            f"{layer.display}: a value does not fit the type of its column, guessed from the first rows, and "
            f"would be dropped ({dropped.message.removeprefix('GDAL: ')}). Nothing was written.",
            'Declare the column\'s type in a .csvt file beside the CSV (one line such as "String","Real"), '
            "or fix the value; --accept-loss writes it empty.",
            "CSV_VALUE_DROPPED",
            message_fr=f"{layer.display} : une valeur ne correspond pas au type de sa colonne, deviné d'après les "
            f"premières lignes, et serait supprimée ({dropped.message.removeprefix('GDAL: ')}). Rien n'a été écrit.",
            hint_fr="Déclarez le type de la colonne dans un fichier .csvt à côté du CSV (une ligne comme "
            '"String","Real"' + "), ou corrigez la valeur ; --accept-loss l'écrit vide.",
        )


def _convertible(src: Source) -> tuple[list[LayerSource], list[Issue]]:
    """The layers to convert, and a ``LAYER_SKIPPED`` error for each layer left out because of an error.

    One broken layer must not block the others of a zip or folder; but when it leaves nothing to convert
    (a single file, or every layer broken), its error is raised, so the user gets one clear message.

    :raises CrsError: (CRS problems) or :raises InputError: no layer with features is free of errors.
    """
    layers: list[LayerSource] = []
    skipped: list[Issue] = []
    broken: list[tuple[LayerSource, Issue]] = []
    for lyr in src.layers:
        errors = lyr.issues.by_severity(Severity.ERROR)
        if errors:
            broken.append((lyr, errors[0]))
        elif lyr.feature_count > 0:
            layers.append(lyr)
    if broken and not layers:
        lyr, first = broken[0]
        cls = CrsError if first.code.startswith("CRS_") else InputError
        others = [other.name for other, _ in broken[1:]]
        details = f"Other layers that cannot be converted either: {', '.join(others)}." if others else ""
        raise cls(
            first.message,
            first.hint,
            details,
            message_fr=first.message_fr or first.message,
            hint_fr=first.hint_fr or first.hint,
        )
    for lyr, first in broken:
        hint, hint_fr = first.hint, first.hint_fr or first.hint
        if first.code.startswith("CRS_") and "--source-crs" in hint:
            hint += f" Convert this layer alone (--layer {lyr.name}): --source-crs applies to every layer."
            hint_fr += (
                f" Convertissez cette couche seule (--layer {lyr.name}) : --source-crs s'applique à toutes les couches."
            )
        skipped.append(
            Issue(
                "LAYER_SKIPPED",
                Severity.ERROR,
                f"{lyr.display} was not converted because of its {first.code} error; the other layers were.",
                hint,
                layer=lyr.name,
                message_fr=f"La couche {lyr.display} n'a pas été convertie à cause de son erreur {first.code} ; les "
                "autres l'ont été.",
                hint_fr=hint_fr,
            )
        )
    return layers, skipped


def _describe_source(src: Source, digest: Future[str] | None) -> dict[str, object]:
    p = src.path
    info: dict[str, object] = {"name": p.name, "layers": [lyr.name for lyr in src.layers]}
    if digest is not None:
        info.update(size=p.stat().st_size, sha256=digest.result())
    return info


def _source_date(path: Path) -> str:
    """When the source last changed (its files' newest mtime), written into outputs as their date."""
    stamp = path.stat().st_mtime
    if path.is_file() and path.suffix.lower() in (".shp", ".dbf"):
        stamp = max(p.stat().st_mtime for p in path.parent.glob(path.stem + ".*"))
    return datetime.fromtimestamp(int(stamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
