"""What a theme run writes: the reports, the corrected copy (``check --fix``) and the products (``convert --theme``).

Products are written only when the official validator accepts them: a product that does not conform to its
national schema is not a product. ``drop_invalid`` leaves the features with errors out (they are listed in the
report) so that the rest can be published.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pandas as pd
import pyogrio

from .._version import __version__
from ..checks._common import geometry_name
from ..csvsafe import neutralise_csv_row
from ..errors import InputError, OutputError, folder_not_created
from ..exports.gpkg import GPKG_VERSION
from ..exports.manifest import MANIFEST_NAME, Manifest, fill_sizes_and_digests
from ..exports.overlap import refuse_overlap, refuse_replacing
from ..exports.swap import Staging, recover
from ..feedback import NullFeedback, check_cancelled
from ..numbers import agree, quantity
from ..report import Issue, Severity
from .run import ThemeOptions, ThemeRun, check_theme, source_stem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import geopandas as gpd

    from ..exports.base import OutputFile, WriteContext, Writer
    from ..feedback import Feedback
    from ..normalise.scan import GeometryScan
    from ..profiles.base import Profile
    from ..profiles.validation import FeatureCheck, TableCheck
    from ..report import Report
    from ..sources import ReadOptions
    from ..sources.layer import LayerSource
    from .forked import Claims, ForkedTask

__all__ = ["check_streamed", "convert_theme", "validate_chunk", "write_corrected", "write_reports"]

REPORT_JSON, REPORT_HTML, CHANGES_CSV = "report.json", "report.html", "changes.csv"
INLINE_CHANGES = 50_000  # more changes than this go to changes.csv instead of report.json


def _prepare(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(
            f"The output {out} exists and is not a folder.",
            "Choose another --out.",
            message_fr=f"La sortie {out} existe et n'est pas un dossier.",
            hint_fr="Choisissez un autre --out.",
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise folder_not_created(out, exc) from exc


def write_reports(
    run: ThemeRun, out_dir: str | Path, lang: str = "fr", maps: list[str | None] | None = None
) -> list[Path]:
    """``report.json`` and the self-contained ``report.html`` (with map previews) in ``out_dir``; ``maps``: the
    layers' maps drawn already (:mod:`.report_maps`), else drawn here."""
    from ..reports.html import render_html

    out = Path(out_dir)
    refuse_overlap(run.source, out, reserved=(REPORT_JSON, REPORT_HTML, CHANGES_CSV))
    _prepare(out)
    paths = [out / REPORT_JSON, out / REPORT_HTML]
    total = sum(len(f.details) for lyr in run.layers for f in lyr.fixes)
    run.changes_file = CHANGES_CSV if total > INLINE_CHANGES else None
    try:
        if run.changes_file:
            _write_changes(run, out / CHANGES_CSV)
            paths.append(out / CHANGES_CSV)
        paths[0].write_text(
            json.dumps(run.to_dict(), ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
        )
        paths[1].write_text(render_html(run, lang, maps), encoding="utf-8")
    except OSError as exc:
        raise OutputError(
            f"Cannot write the report in {out}: {exc.strerror}.",
            "Check the output folder.",
            message_fr=f"Impossible d'écrire le rapport dans {out} : {exc.strerror}.",
            hint_fr="Vérifiez le dossier de sortie.",
        ) from exc
    return paths


def _write_changes(run: ThemeRun, path: Path) -> None:
    """Every change of every fix as CSV: layer, feature (0-based row as checked), field, code, old, new."""
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["layer", "feature", "field", "code", "old", "new"])
        for lyr in run.layers:
            for c in lyr.changes():  # one at a time: a streamed run's may be millions, read from temporary files
                cells = [lyr.layer, c["feature"], c["field"], c["code"], c["old"], c["new"]]
                writer.writerow(neutralise_csv_row("" if v is None else v for v in cells))


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Lists and dicts (GeoJSON arrays such as ``medias``) as JSON text, so that GeoPackage can store them."""
    frame = frame.copy()
    for col in frame.columns:
        nested = frame[col].dtype == object and frame[col].map(lambda v: isinstance(v, (list, dict))).any()
        if col != geometry_name(frame) and nested:
            frame[col] = frame[col].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v
            )
    return frame


def write_corrected(run: ThemeRun, out_dir: str | Path) -> Path:
    """The checked (and fixed) layers as one GeoPackage, ``<source>_corrige.gpkg``; the source is not touched."""
    out = Path(out_dir)
    refuse_overlap(run.source, out, reserved=(REPORT_JSON, REPORT_HTML, CHANGES_CSV))
    _prepare(out)
    path = _corrected_path(run, out)
    if path.exists():
        path.unlink()
    for lyr in run.layers:
        _write_layer(lyr.frame, path, lyr.product_name or lyr.layer)
    run.corrected.append(path.name)
    return path


def check_streamed(
    path: str | Path,
    theme: str,
    out_dir: str | Path,
    options: ThemeOptions | None = None,
    read_options: ReadOptions | None = None,
    feedback: Feedback | None = None,
) -> ThemeRun:
    """``odl-geo check --theme`` for a single-layer theme, in one pass and flat memory (:mod:`.stream`); with
    ``options.fix`` the corrected copy ``<source>_corrige.gpkg`` is written into ``out_dir`` from the spool.

    The reports are the caller's (:func:`write_reports`), as after :func:`check_theme`.
    """
    import tempfile

    from ..profiles.registry import load_profile
    from .stream import stream_layer

    options = options or ThemeOptions()
    profile = load_profile(theme)
    out = Path(out_dir)
    refuse_overlap(path, out, reserved=(REPORT_JSON, REPORT_HTML, CHANGES_CSV))
    _prepare(out)
    with tempfile.TemporaryDirectory(prefix=".odl-geo-check-", dir=out) as tmp:
        streamed = stream_layer(
            path, profile, options, Path(tmp), read_options, feedback, products=False, keep_rows=options.fix
        )
        run = streamed.run
        lyr = run.layers[0]  # a streamed run has one layer
        try:
            if not options.fix:
                return run
            if streamed.whole:
                write_corrected(run, out)  # one chunk: its frame is whole, written as check_theme's run is
                return run
            target = _corrected_path(run, out)
            _write_spooled(streamed.spool.layer(), target, lyr.product_name or lyr.layer)
            run.corrected.append(target.name)
        finally:
            streamed.spool.close()
    return run


def _corrected_path(run: ThemeRun, out: Path) -> Path:
    return out / f"{source_stem(run.source)}_corrige.gpkg"


def _write_spooled(layer: LayerSource, path: Path, name: str) -> None:
    """A spooled layer as one GeoPackage table (the corrected copy of a streamed ``check --fix``)."""
    import pyarrow as pa

    assert layer.batch_source is not None
    batches = layer.batch_source()
    first = next(batches, None)
    if path.exists():
        path.unlink()
    if first is None:
        return
    reader = pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], batches))
    crs = layer.crs.to_wkt() if layer.crs is not None else None
    try:
        pyogrio.write_arrow(
            reader,
            path,
            layer=name,
            driver="GPKG",
            geometry_name="geometry" if layer.has_geometry else None,
            geometry_type=layer.geometry_type if layer.has_geometry else None,
            crs=crs,
            dataset_options={"VERSION": GPKG_VERSION},
        )
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError) as exc:
        raise OutputError(
            f"Cannot write {path.name} (layer {name}): {exc}.",
            "Check the output folder.",
            message_fr=f"Impossible d'écrire {path.name} (couche {name}) : {exc}.",
            hint_fr="Vérifiez le dossier de sortie.",
        ) from exc


def _write_layer(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """Append one conformed layer to a GeoPackage; a table (no geometry at all) is written as a table, without
    a CRS-less empty geometry column that readers would then take for a layer with no coordinate system."""
    frame = _plain(frame)
    geom = geometry_name(frame)
    has_geom = geom is not None and not frame[geom].isna().all()
    data = frame if has_geom else pd.DataFrame(frame.drop(columns=[geom] if geom else []))
    try:
        pyogrio.write_dataframe(
            data,
            path,
            layer=layer,
            driver="GPKG",
            append=path.exists(),
            dataset_options=None if path.exists() else {"VERSION": GPKG_VERSION},
        )
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.FieldError) as exc:
        raise OutputError(
            f"Cannot write {path.name} (layer {layer}): {exc}.",
            "Check the output folder.",
            message_fr=f"Impossible d'écrire {path.name} (couche {layer}) : {exc}.",
            hint_fr="Vérifiez le dossier de sortie.",
        ) from exc


def convert_theme(
    path: str | Path,
    out_dir: str | Path,
    theme: str,
    options: ThemeOptions | None = None,
    formats: list[str] | tuple[str, ...] = (),
    read_options: ReadOptions | None = None,
    feedback: Feedback | None = None,
    lang: str = "fr",
) -> ThemeRun:
    """Conform ``path`` to ``theme`` and write its schema-valid product(s) into ``out_dir``, with the reports
    and a ``manifest.json``; ``formats`` adds the standard formats of ``odl-geo convert`` (gpkg, shp...).

    :raises InputError: the data cannot be made valid (the reports are written first, and say why).
    """
    from ..profiles.registry import load_profile
    from .stream import streamable

    options = replace(options or ThemeOptions(), repair=True)
    refuse_overlap(path, out_dir, reserved=(REPORT_JSON, REPORT_HTML, CHANGES_CSV, MANIFEST_NAME))
    profile = load_profile(theme)
    if streamable(profile):
        return _convert_streamed(path, Path(out_dir), profile, options, formats, read_options, feedback, lang)
    run = check_theme(path, theme, options, read_options, feedback)
    assert run.profile is not None and run.dataset is not None
    told = feedback or NullFeedback()
    out = Path(out_dir)
    _prepare(out)
    if options.drop_invalid:
        check_cancelled(told, "Converting")
        told.info("Leaving out the features in error (--drop-invalid)")
        _drop_invalid(run)
    if run.report.has_errors:
        _refuse(run, out, lang)
    recover(out)  # a crashed earlier run: its swap finished, its staging folders removed
    staged = Staging(out)  # OutputError (exit 3) when the folder is read-only or the disk full
    staging = staged.path
    try:
        check_cancelled(told, "Converting")
        told.info("Writing the products")
        files = run.profile.write_products(run.dataset, staging, run.report)
        manifest = _manifest(run, files, _publication(run))
        if any(f.format == "gpkg" for f in files) and "gpkg" in formats:
            # the product is a GeoPackage already (CNIG PPR): a second one would publish every table twice
            formats = [f for f in formats if f != "gpkg"]
            run.report.add(
                Issue(
                    "FORMAT_IS_THE_PRODUCT",
                    Severity.INFO,
                    "The product is itself a GeoPackage: no second GeoPackage was written.",
                    message_fr="Le produit est lui-même un GeoPackage : aucun second GeoPackage n'a été écrit.",
                )
            )
        from .stream_tables import formats_on_two_processes, product_sources

        # a multi-table GeoPackage product (CNIG PPR): the formats read its tables back in batches, the frames go
        tables, packed = product_sources(run, files, staging, formats)
        if formats:
            # its tables' formats on two processes when a child can be forked, else one after the other
            shared = formats_on_two_processes(run, staging, formats, tables, feedback) if tables else None
            manifest.files.extend(
                shared if shared is not None else _standard_formats(run, staging, formats, feedback, tables)
            )
        packed.restore()  # the maps' shapes, kept as WKB through the formats
        manifest.files[:0] = files
        _commit(path, out, staged, manifest)
    finally:
        staged.close()
    run.files = manifest.files
    write_reports(run, out, lang)
    return run


def _convert_streamed(
    path: str | Path,
    out: Path,
    profile: Profile,
    options: ThemeOptions,
    formats: list[str] | tuple[str, ...],
    read_options: ReadOptions | None,
    feedback: Feedback | None,
    lang: str,
) -> ThemeRun:
    """:func:`convert_theme` for a single-layer theme: one pass over the layer (:mod:`odl_geo.theme.stream`),
    products and standard formats written into the staging folder as the chunks go, swapped in only when the
    whole layer is publishable."""
    from ..memory import release_free_memory
    from .digests import Digests
    from .forked import KeptFrozen
    from .report_maps import MapsAside, draw_maps_aside
    from .stream import stream_layer

    _prepare(out)
    recover(out)  # a crashed earlier run: its swap finished, its staging folders removed
    staged = Staging(out)  # OutputError (exit 3) when the folder is read-only or the disk full
    frozen = KeptFrozen()  # the pass's, then the formats' forks: one collection of the run's objects, not two
    try:
        early = _Early(formats)
        streamed = stream_layer(path, profile, options, staged.path, read_options, feedback, meanwhile=early)
        # the chunks are validated: chardet's models (~25 MB) go before the formats and a forked writer (M)
        release_free_memory(caches=True)
        run = streamed.run
        # each output hashed as soon as it is complete, while the next one is written (odl_geo.theme.digests)
        with Digests(staged.path) as digests:
            aside: _Aside | None = None
            maps: MapsAside | None = None
            try:
                files = streamed.sink.close()
                if run.report.has_errors:
                    _refuse(run, out, lang)
                spooled = [(streamed.spool.layer(), streamed.spool.scan)] if formats else []
                # before the hashing thread starts: the GeoPackage by a forked child (odl_geo.theme.forked)
                aside = _fork_format(run, staged.path, formats, spooled, streamed.spool.nbytes)
                maps = draw_maps_aside(run, bool(spooled), streamed.spool.nbytes)  # the report's maps, meanwhile
                digests.add(files)
                manifest = _manifest(run, files, _publication(run, streamed.producers, streamed.insee, early.zones))
                if formats:
                    manifest.files.extend(
                        _standard_formats(run, staged.path, formats, feedback, spooled, digests.add, aside)
                    )
                manifest.files[:0] = files
                drawn = maps.maps() if maps is not None else None
            finally:
                if aside is not None:  # a failure or a cancel: the child is stopped before staging goes
                    aside.stop()
                if maps is not None:
                    maps.stop()
                streamed.spool.close()
            _commit(path, out, staged, manifest, digests.fill)
    finally:
        frozen.release()
        staged.close()
    run.files = manifest.files
    write_reports(run, out, lang, drawn)
    return run


class _Early:
    """What :func:`_convert_streamed` does while the pass's forked child validates and writes the layer's last
    chunk (``stream_layer``'s ``meanwhile``): the run's process would only wait for it. The area's udata zones
    (``zones_for`` walks every commune: ~0.2 s) and the imports of the formats' writers and of the report, which
    the run pays after the pass anyway (water points 100k: the run's process waited ~0.3-1 s for the child)."""

    def __init__(self, formats: list[str] | tuple[str, ...] = ()) -> None:
        self.zones: list[str] | None = None
        self.formats = formats

    def __call__(self, run: ThemeRun) -> None:
        import importlib

        from ..exports.registry import writers_for

        if run.area is not None:
            self.zones = zones_for(set(run.area.insee))
        if self.formats:
            with contextlib.suppress(InputError):  # an unknown format is the formats' step to report
                writers_for(self.formats)  # their modules imported now (the registry imports none up front)
        importlib.import_module("..reports.html", __package__)


def _refuse(run: ThemeRun, out: Path, lang: str) -> NoReturn:
    """The run has errors: its reports are written, nothing else, and the command stops (exit 2)."""
    assert run.profile is not None
    write_reports(run, out, lang)
    errors = run.report.by_severity(Severity.ERROR)
    codes = ", ".join(dict.fromkeys(i.code for i in errors))
    raise InputError(
        f"{run.source_name} cannot be published as {run.profile.key}: "
        f"{quantity(len(errors), 'error', 'errors', 'en')} ({codes}). "
        f"Nothing but the report was written in {out}.",
        f"Read {out / REPORT_HTML}; then use a mapping file (--mapping), --fix, or --drop-invalid "
        "to publish only the valid features.",
        message_fr=f"{run.source_name} ne peut pas être publié avec le thème {run.profile.key} : "
        f"{quantity(len(errors), 'erreur', 'erreurs')} ({codes}). Seul le rapport a été écrit dans {out}.",
        hint_fr=f"Lisez {out / REPORT_HTML}, puis utilisez un fichier de correspondance (--mapping), --fix, ou "
        "--drop-invalid pour ne publier que les objets valides.",
    )


def _manifest(run: ThemeRun, products: list[OutputFile], publication: dict[str, object]) -> Manifest:
    """The manifest of a theme run's outputs (its products named with their national schema, when known)."""
    assert run.profile is not None
    schema = _catalog_schema(run)
    for f in products:
        f.schema = schema
    return Manifest(
        source={"name": run.source_name, "theme": run.theme, **publication},
        report=run.report,
        odl_geo_version=__version__,
        title=run.profile.title.get("fr") or run.profile.key,
        abstract=_summary(run),
    )


def _commit(
    source: str | Path,
    out: Path,
    staged: Staging,
    manifest: Manifest,
    fill: Callable[[list[OutputFile]], None] | None = None,
) -> None:
    """Sizes and digests, the manifest, then the staged files swapped into ``out`` together, or not at all.

    :param fill: sets the files' sizes and digests (hashed while they were written); None: hashed here.
    """
    if fill is not None:
        fill(manifest.files)
    else:
        fill_sizes_and_digests(manifest.files, staged.path)
    refuse_replacing(source, out, {f.path for f in manifest.files})
    try:
        manifest.write(staged.path)
    except OSError as exc:
        raise OutputError(
            f"Cannot write {MANIFEST_NAME} in {out}: {exc.strerror}.",
            "Check free disk space.",
            message_fr=f"Impossible d'écrire {MANIFEST_NAME} dans {out} : {exc.strerror}.",
            hint_fr="Vérifiez l'espace disque libre.",
        ) from exc
    staged.commit(f.path for f in manifest.files)


def validate_chunk(run: ThemeRun, drop_invalid: bool) -> None:
    """``profile.validate`` of a streamed chunk then, with ``drop_invalid``, :func:`_drop_invalid`, the chunk
    validated once: a profile that keeps its validation (:class:`~odl_geo.profiles.validation.ValidatesOnce`) is
    not asked to validate the whole chunk again after rows are left out, only what leaving them out can change."""
    from ..profiles.validation import ValidatesOnce

    assert run.profile is not None and run.dataset is not None
    earlier = None
    if isinstance(run.profile, ValidatesOnce):
        earlier = run.profile.validate_table(run.dataset, run.report)
    else:
        run.profile.validate(run.dataset, run.report)
    if drop_invalid:
        _drop_invalid(run, earlier=earlier)


def _drop_invalid(run: ThemeRun, max_rounds: int = 20, earlier: TableCheck | FeatureCheck | None = None) -> None:
    """Leave out the features named by error-level checks, then those the official validator still rejects.

    The original issues stay in the report as warnings marked "left out", so that nothing disappears silently.
    ``earlier``: the profile's validation of the run's one layer as it stands (:func:`validate_chunk`), continued
    on the rows kept at each round instead of validating the layer again from the start.
    """
    from ..profiles.validation import ValidatesOnce

    assert run.profile is not None and run.dataset is not None
    by_layer = {lyr.layer: lyr for lyr in run.layers}
    rows = {lyr.layer: set(lyr.error_rows) for lyr in run.layers}
    # a CNIG PPR: its GeoPackage, built and validated from these very tables, loses the rows the tables lose
    # instead of being built again (docs/flood.md, "The zone layers in pieces", step 4)
    on_file = None
    if run.profile.key == "flood" and any(rows.values()):
        from ..profiles.flood.leave_out import validate_left_out, validated_file

        # the rows' positions are the layers' frames': they must be the tables the file was built from
        same = all(by_layer[n].frame is run.dataset.frames.get(by_layer[n].role) for n, bad in rows.items() if bad)
        on_file = validated_file(run.profile, run.dataset) if same else None
    for issue in run.report.by_severity(Severity.ERROR):
        if issue.code == "SCHEMA_INVALID" and issue.layer in rows:
            rows[issue.layer].update(issue.examples)
    for _ in range(max_rounds):
        if not any(rows.values()):
            return
        kept = None
        left_out: dict[str, list[int]] = {}
        for name, bad in rows.items():
            if not bad:
                continue
            lyr = by_layer[name]
            keep = ~lyr.frame.index.isin(sorted(bad))
            kept = keep if len(run.layers) == 1 else None
            left_out[lyr.role] = (~keep).nonzero()[0].tolist()
            n = int((~keep).sum())
            run.report.add(
                Issue("FEATURES_LEFT_OUT", Severity.WARNING, "", layer=name, count=n, examples=sorted(bad)).counted(
                    "{n} {n:feature|features} with errors left out of the products (--drop-invalid).",
                    "{n} {n:objet|objets} en erreur {n:écarté|écartés} des produits (--drop-invalid).",
                    n=n,
                )
            )
            lyr.frame = lyr.frame[keep].reset_index(drop=True)
            run.dataset.frames[lyr.role] = lyr.frame
        issues = []
        for issue in run.report.issues:
            if issue.code in ("SCHEMA_INVALID", "SCHEMA_VALID"):
                continue
            if issue.severity is Severity.ERROR and issue.examples and rows.get(issue.layer):
                issue = replace(
                    issue,
                    severity=Severity.WARNING,
                    message="[left out] " + issue.message,
                    message_fr="[écarté] " + (issue.message_fr or issue.message),
                )
            issues.append(issue)
        run.report.issues = issues
        if earlier is not None and kept is not None and isinstance(run.profile, ValidatesOnce):
            earlier = run.profile.validate_table(run.dataset, run.report, earlier, kept)
        elif on_file is None or not validate_left_out(run.profile, on_file, run.dataset, left_out, run.report):
            run.profile.validate(run.dataset, run.report)
        # the validator names at most five features per rule in the report: drop them and validate again
        rows = {lyr.layer: set() for lyr in run.layers}
        for issue in run.report.by_severity(Severity.ERROR):
            if issue.code == "SCHEMA_INVALID" and issue.examples and issue.layer in rows:
                rows[issue.layer].update(issue.examples)


@dataclass
class _Aside:
    """Standard formats written by a forked child (:mod:`odl_geo.theme.forked`) while the run writes the others:
    the child starts with the GeoPackage; each process then takes the next format left, when it is free."""

    writers: list[Writer]  # the layer's writers, in the formats' order
    first: int  # the child's first (the GeoPackage)
    claims: Claims  # the others, taken by whichever process is free first
    task: ForkedTask  # returns {writer's number: (files, notes)}

    def stop(self) -> None:
        self.task.stop()
        self.claims.close()


#: the format a forked child starts with: the GeoPackage (its rows, then its spatial index, the longest of the
#: three for points), while the run's process writes the next ones (GeoJSON, then CSV if the child is not free)
FORKED_FORMAT = "gpkg"


def _fork_format(
    run: ThemeRun,
    staging: Path,
    formats: list[str] | tuple[str, ...],
    spooled: list[tuple[LayerSource, GeometryScan]],
    spooled_bytes: int = 0,
) -> _Aside | None:
    """The standard formats of a streamed layer shared with a forked child, when there are two formats or more,
    one of them the GeoPackage, forking is safe now (:func:`~odl_geo.theme.forked.fork_allowed`) and the child
    fits in the run's memory bar (:func:`~odl_geo.theme.forked.room_for_child`); else None (the formats are
    then written one after the other, as before)."""
    from ..exports.registry import writers_for
    from ..memory import release_free_memory
    from .digests import hash_written
    from .forked import Claims, ForkedTask, fork_allowed, room_for_child

    if len(spooled) != 1:
        return None
    layer, scan = spooled[0]
    writers = [w for w in writers_for(list(formats)) if layer.has_geometry or w.writes_tables]
    keys = [w.key for w in writers]
    if len(writers) < 2 or FORKED_FORMAT not in keys or len(writers) > 255 or not fork_allowed():
        return None
    release_free_memory()  # the pass's freed pages given back before they are shared with the child
    points = "Point" in (layer.geometry_type or "")
    if not room_for_child(layer.feature_count, points, spooled_bytes):  # else one after the other: the memory bar
        return None
    first = keys.index(FORKED_FORMAT)
    claims = Claims([n for n in range(len(writers)) if n != first])
    ctx = _write_context(run, staging, NullFeedback())

    def work() -> dict[int, tuple[list[OutputFile], Report]]:  # in the child
        done: dict[int, tuple[list[OutputFile], Report]] = {}
        n: int | None = first
        while n is not None:
            done[n] = _write_one(writers[n], layer, scan, ctx)
            hash_written(done[n][0], staging)  # by this core, while the run writes its own formats
            n = claims.take()
        return done

    try:
        return _Aside(writers, first, claims, ForkedTask(work, writers[first].label))
    except OSError:  # no fork possible now (no memory for the child's tables, a process limit): as before
        claims.close()
        return None


def _write_context(run: ThemeRun, staging: Path, feedback: Feedback) -> WriteContext:
    """The writers' context of a theme run's standard formats; its report takes one writer's notes."""
    from ..exports.base import WriteContext
    from ..normalise.options import NormaliseOptions
    from ..report import Report

    return WriteContext(
        staging=staging,
        source_stem=f"{source_stem(run.source)}_{run.theme}",
        base_options=NormaliseOptions(repair=True),
        feedback=feedback,
        report=Report(),
        gdal_date=_source_date(run.source),
    )


def _standard_formats(
    run: ThemeRun,
    staging: Path,
    formats: list[str] | tuple[str, ...],
    feedback: Feedback | None,
    spooled: list[tuple[LayerSource, GeometryScan]] | None = None,
    written: Callable[[list[OutputFile]], None] | None = None,
    aside: _Aside | None = None,
) -> list[OutputFile]:
    """The checked layers through the ordinary writers (those of ``odl-geo convert``), straight from memory.

    Each layer's rows stream from the run's frames to every writer (:mod:`odl_geo.theme.layers`): no
    temporary file, no second read. What the writers find worth a warning (a value a format cannot hold...)
    joins the run's report; their notes on the conversion itself (reprojection) are the products' business.

    :param written: told each writer's files as soon as they are written (hashed while the next is written).
    :param aside: the formats shared with a forked child (:func:`_fork_format`): its files and notes take their
        place among the others' once the child is done, so the list and the report are those of a run writing
        the formats one after the other.
    """
    from ..exports.registry import writers_for
    from ..normalise.scan import scan_geometries
    from .layers import frame_layer

    feedback = feedback or NullFeedback()
    writers = writers_for(list(formats))
    ctx = _write_context(run, staging, feedback)
    stem = ctx.source_stem
    done: list[tuple[list[OutputFile], Report]] = []  # each writer's files and notes, in the formats' order
    # one layer takes the products' name (``<source>_<theme>``), several keep their own, as in a conversion
    names = [stem if len(run.layers) == 1 else (lyr.product_name or lyr.layer) for lyr in run.layers]

    def in_memory() -> Iterator[tuple[LayerSource, GeometryScan]]:
        """Each checked frame as an Arrow layer, one at a time (a PPR has a dozen tables: never all at once)."""
        for lyr, name in zip(run.layers, names, strict=True):
            layer = frame_layer(lyr.frame, name, name)
            yield layer, scan_geometries(layer)

    count = len(spooled) if spooled is not None else len(run.layers)
    for n, (layer, scan) in enumerate(spooled if spooled is not None else in_memory(), start=1):
        name = layer.name
        feedback.info(f"[{n}/{count}] {name}")
        if aside is not None:  # the one spooled layer, its formats shared with the forked child
            done.extend(_shared_formats(aside, layer, scan, ctx, feedback, written))
            continue
        for writer in writers:
            if not layer.has_geometry and not writer.writes_tables:
                continue
            feedback.info(f"  -> {writer.label}")
            files, notes = _write_one(writer, layer, scan, ctx)
            if written is not None:
                written(files)
            done.append((files, notes))
    from .stream_tables import merged_outputs  # the writers' notes merged in their order, as one report holds them

    return merged_outputs(run, done)


def _shared_formats(
    aside: _Aside,
    layer: LayerSource,
    scan: GeometryScan,
    ctx: WriteContext,
    feedback: Feedback,
    written: Callable[[list[OutputFile]], None] | None,
) -> list[tuple[list[OutputFile], Report]]:
    """The run's part of the formats shared with the child: the next format left, while there is one; then the
    child's, once it is done (its error raised here as the writer's own). Files and notes in the formats' order."""
    feedback.info(f"  -> {aside.writers[aside.first].label}")
    done: dict[int, tuple[list[OutputFile], Report]] = {}
    while (n := aside.claims.take()) is not None:
        writer = aside.writers[n]
        feedback.info(f"  -> {writer.label}")
        done[n] = _write_one(writer, layer, scan, ctx)
        if written is not None:
            written(done[n][0])
    theirs = aside.task.result(feedback)
    for n in sorted(theirs):
        if written is not None:
            written(theirs[n][0])
    done.update(theirs)
    assert sorted(done) == list(range(len(aside.writers)))
    return [done[n] for n in range(len(aside.writers))]


def _write_one(
    writer: Writer, layer: LayerSource, scan: GeometryScan, ctx: WriteContext
) -> tuple[list[OutputFile], Report]:
    """One writer's files and its own notes (a report of its own, merged later in the formats' order, whichever
    process wrote it)."""
    from ..report import Report

    own = replace(ctx, report=Report())
    return writer.write_layer(layer, scan, own), own.report


def _source_date(path: Path) -> str:
    """When the source last changed, written into GeoPackages as their date (same input, same bytes)."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- what a publisher needs to know about the products (manifest.json) -----------------------------------------
#: the national schemas of schema.data.gouv.fr's catalog among the profiles' (data.gouv.fr validates a resource
#: against the schema it names, and refuses names outside its catalog): the CNIG PPR géostandard is not in it,
#: and the water profile's schema is odl-geo's own
DATAGOUV_CATALOG = frozenset({"PnX-SI/schema_randonnee", "datakode/schema-pei"})
#: columns of the conformed layers that hold INSEE commune codes (comma-separated in the hiking schema)
INSEE_COLUMNS = ("insee", "code_insee", "insee_commune", "communes_code")
#: columns that name who produced each feature
PRODUCER_COLUMNS = ("producteur",)
#: more communes than this are described by their départements (more départements than this: régions)
MAX_ZONES = 10


def _catalog_schema(run: ThemeRun) -> dict[str, str] | None:
    """``{"name", "version"}`` of the product's national schema, when data.gouv.fr knows it."""
    schema = run.profile.schema if run.profile else None
    if schema is None or schema.name not in DATAGOUV_CATALOG:
        return None
    return {"name": schema.name, "version": schema.version}


def _summary(run: ThemeRun) -> str:
    """The abstract: what the product is and what the checks found, in French (the portals' language).

    Deterministic (no date): the same run gives the same text, so re-publishing changes nothing.
    """
    assert run.profile is not None
    counts = run.counts()
    n = sum(lyr.feature_count for lyr in run.layers)
    schema = run.profile.schema
    conform = f", conformes au schéma {schema.name} {schema.version}" if schema else ""
    errors, warnings, infos = counts.get("error", 0), counts.get("warning", 0), counts.get("info", 0)
    return (
        f"{run.profile.title.get('fr', run.profile.key)} : {quantity(n, 'objet', 'objets')}{conform}, "
        f"{agree(n, 'produit', 'produits')} par odl-geo depuis {run.source_name}. Contrôles : "
        f"{quantity(errors, 'erreur', 'erreurs')}, {quantity(warnings, 'avertissement', 'avertissements')}, "
        f"{quantity(infos, 'information', 'informations')}."
    )


def _publication(
    run: ThemeRun,
    producers: set[str] | None = None,
    insee: set[str] | None = None,
    area_zones: list[str] | None = None,
) -> dict[str, object]:
    """Spatial coverage (udata zone ids), granularity and producer, from the declared area or the data.

    :param producers: :param insee: what a streamed run gathered as it went (its frames are gone)
    :param area_zones: ``zones_for`` the declared area's communes, computed already (:class:`_Early`)
    """
    from ..checks.communes import communes

    out: dict[str, object] = {}
    if run.area is not None:
        zones = area_zones if area_zones is not None else zones_for(set(run.area.insee))
    else:
        if insee is not None:
            table = communes()
            codes = {c for c in insee if c in table}
        else:
            codes = _insee_codes(run)
        zones = zones_for(codes)
    if zones:
        out["zones"] = zones
    families = {spec.geometry_family for spec in run.profile.roles} if run.profile else set()
    out["granularity"] = "poi" if families == {"point"} else "other"
    producers_found = sorted(
        producers if producers is not None else
        {str(v).strip() for lyr in run.layers for c in PRODUCER_COLUMNS if c in lyr.frame for v in lyr.frame[c]
         if v is not None and str(v).strip() and str(v) != "nan"}
    )  # fmt: skip
    if producers_found:
        more = f" et {quantity(len(producers_found) - 5, 'autre', 'autres')}" if len(producers_found) > 5 else ""
        out["producer"] = ", ".join(producers_found[:5]) + more
    return out


def _insee_codes(run: ThemeRun) -> set[str]:
    from ..checks.communes import communes

    table = communes()
    codes: set[str] = set()
    for lyr in run.layers:
        for col in INSEE_COLUMNS:
            if col not in lyr.frame:
                continue
            for value in lyr.frame[col].dropna():
                codes.update(c for c in (x.strip() for x in str(value).replace(";", ",").split(",")) if c in table)
    return codes


def zones_for(codes: set[str] | frozenset[str]) -> list[str]:
    """udata zone ids covering INSEE commune codes: whole régions, then whole départements, then communes;
    when that leaves more than :data:`MAX_ZONES` communes, their départements (more than that: their régions).

    ``fr:region:76``, ``fr:departement:34``, ``fr:commune:34172`` are data.gouv.fr's ids (a commune déléguée
    counts as its current commune).
    """
    from ..checks.communes import communes

    table = communes()
    current = {table[c].parent if table[c].kind in ("D", "S", "M") and table[c].parent else c
               for c in codes if c in table}  # fmt: skip
    current = {c for c in current if c in table}
    if not current:
        return []
    by_region: dict[str, set[str]] = {}
    by_dep: dict[str, set[str]] = {}
    for c, row in table.items():
        if row.kind == "A":
            by_region.setdefault(row.region, set()).add(c)
            by_dep.setdefault(row.departement, set()).add(c)
    zones: list[str] = []
    left = set(current)
    for reg, members in sorted(by_region.items()):
        if members <= left:
            zones.append(f"fr:region:{reg}")
            left -= members
    for dep, members in sorted(by_dep.items()):
        if members <= left:
            zones.append(f"fr:departement:{dep}")
            left -= members
    if len(left) > MAX_ZONES:
        deps = sorted({table[c].departement for c in left})
        if len(deps) > MAX_ZONES:
            return zones + sorted({f"fr:region:{table[c].region}" for c in left} - set(zones))
        return zones + [f"fr:departement:{d}" for d in deps]
    return zones + [f"fr:commune:{c}" for c in sorted(left)]
