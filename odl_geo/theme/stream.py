"""``convert --theme`` in one pass over the layer, chunk by chunk, in flat memory.

The source layer is read once, as frames of ``ThemeOptions.chunk_rows`` features (:func:`read_frames`). Each chunk
is conformed to the schema, anonymised, checked, fixed and checked again, its features in error left out
(``--drop-invalid``), validated, then written to the theme's products (the profile's :class:`ProductSink`) and
spooled for the standard formats (:class:`LayerSpool`). What the layer as a whole decides (duplicates across
chunks, identifiers used twice, a field empty everywhere) is remembered as bounded state (``CheckContext.carry``:
hashes and counters) and told after the last chunk (``finish_checks``). The report merges the chunks' findings
(:class:`ChunkMerger`) with the layer's row numbers and totals.

A layer declaring more features than ``chunk_rows`` is several chunks for sure: when the machine has a free second
core (or ``ODL_GEO_FORK_PASS=1``; ``0`` never), forking is safe (:func:`~odl_geo.theme.forked.fork_allowed`) and
the layer fits the memory bar (:func:`~odl_geo.theme.pass_child.room_for_pass`), a child forked
before the reading starts validates each checked chunk, leaves out its invalid rows, writes the products and
spools the rows (:mod:`odl_geo.theme.pass_child`) while this process reads and checks the next chunk: the second
core. The chunks' reports are merged in the same order as in one process.

A layer of at most ``chunk_rows`` features is one chunk: it goes through exactly the steps of
:func:`~odl_geo.theme.run.check_theme`, so its products and reports are those of a whole-layer run.

Only single-layer themes stream (hiking, water points, PEI). The CNIG PPR builds its tables from joins between
layers (zones, perimeters, procedures): it keeps the whole-dataset path.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..checks._carry import settle
from ..checks._common import attribute_columns
from ..checks.areas import resolve_area
from ..checks.names import product_layer_name
from ..checks.registry import CheckContext
from ..checks.runner import commit_chunk, finish_checks, layer_carry, load_checks
from ..crs import crs_code
from ..feedback import NullFeedback, check_cancelled
from ..memory import release_free_memory
from ..naming import display_name
from ..normalise.frames import CHUNK_BYTES, MIN_CHUNK_ROWS, read_frames
from ..profiles.anonymise import AnonymiseOptions, anonymise
from ..profiles.base import ProductSink, ThemeDataset
from ..profiles.mapping import Mapping, check_field_name, load_mapping
from ..report import Report
from ..sources import open_source
from .merge import ChunkMerger
from .run import (
    LayerResult,
    ThemeRun,
    _assign,
    _check_layer,
    _named,
    _normalise_options,
    _spec,
    _suggest_other_theme,
    source_stem,
)
from .spool import LayerSpool

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..checks.areas import Area
    from ..exports.base import OutputFile
    from ..feedback import Feedback
    from ..profiles.base import Profile
    from ..sources import ReadOptions
    from ..sources.layer import LayerSource
    from .pass_child import PassChild
    from .run import ThemeOptions

logger = logging.getLogger(__name__)

__all__ = ["PREVIEW_ROWS", "StreamedLayer", "stream_layer", "streamable"]

#: features kept for the report's map preview of a streamed layer (every faulty one up to this, then a sample)
PREVIEW_ROWS = 20_000
#: distinct producers and INSEE codes remembered for the publication's description
MAX_DISTINCT = 50_000


def streamable(profile: Profile) -> bool:
    """Single-layer themes stream; the CNIG PPR (several tables joined) does not."""
    return len(profile.roles) == 1


@dataclass
class StreamedLayer:
    """What a streamed run leaves for the outputs: the run (its report merged), the products written by the sink,
    the spooled rows for the standard formats, and what the publication's description needs."""

    run: ThemeRun
    sink: ProductSink
    spool: LayerSpool
    producers: set[str] = field(default_factory=set)
    insee: set[str] = field(default_factory=set)
    #: the layer came as one chunk: its LayerResult's frame is the whole checked layer, not a preview sample
    whole: bool = False


def stream_layer(
    path: str | Path,
    profile: Profile,
    options: ThemeOptions,
    staging: Path,
    read_options: ReadOptions | None = None,
    feedback: Feedback | None = None,
    products: bool = True,
    keep_rows: bool = True,
    meanwhile: Callable[[ThemeRun], None] | None = None,
) -> StreamedLayer:
    """Read, conform, anonymise, check, fix, validate and write the layer of ``path`` chunk by chunk.

    The products go into ``staging`` (the caller swaps them in, or drops them when the report has errors), with
    the spool of the final rows. ``products=False`` (``odl-geo check``) writes no product; ``keep_rows=False``
    (``check`` without ``--fix``) spools nothing. ``meanwhile``: the caller's work that needs none of the pass's
    results (its imports, the area's zones), done once the last chunk is read and checked, while the pass's
    forked child validates and writes it (the run's process would otherwise wait for it; in one process: then).

    :raises InputError: bad mapping file or area, unreadable source, no layer the theme can use.
    """
    from .outputs import validate_chunk  # outputs imports this module when it runs a stream

    feedback = feedback or NullFeedback()
    mapping = load_mapping(options.mapping, profile) if options.mapping else Mapping()
    for name in options.keep_personal:
        check_field_name(profile, name, "--keep-personal")
    area = resolve_area(options.area) if options.area else None
    load_checks()
    report = Report()
    # past a bound, the fixes' changes go to unnamed temporary files beside the staging folder (the reports,
    # written after it is swapped in or dropped, read them back): millions of fixed rows are not held in memory
    merger = ChunkMerger(spill_to=staging.parent)
    anon = AnonymiseOptions.build(mapping.anonymise, options.keep_personal, options.mask_free_text, options.anonymise)
    feedback.info(f"Opening {display_name(Path(path))}")  # a large CSV: GDAL reads it through first (seconds)
    with open_source(path, read_options) as src:
        report.extend(src.issues)
        layers = {lyr.name: lyr for lyr in src.layers}
        chosen = _assign(profile, list(layers), display_name(src.path), report)
        ((role, name),) = chosen.items()
        layer = layers[name]
        report.extend(layer.issues)
        run = ThemeRun(src.path, profile.key, profile, report, [], area)
        spec = _spec(profile, role)
        product = product_layer_name(layer.name)
        skip = frozenset({"LAYER_NAME_NOT_XML_SAFE"}) if product != layer.name else frozenset()
        sink = profile.open_products(staging, report) if products else _NoProducts()
        spool = LayerSpool(f"{source_stem(src.path)}_{profile.key}", staging)  # the --to formats' name
        out = StreamedLayer(run, sink, spool)
        carry: dict[str, object] | None = None  # known with the chunks' size (the first batch's bytes)
        spill = _SpillFolder(staging)
        # the profile's decisions for the whole layer; the declared count lets it apply per-layer rules to chunks
        state: dict[str, Any] = {"layer.features": layer.feature_count}
        preview = _Preview(layer.feature_count)
        source_fields: list[str] = []
        offset = faulty = kept = fixed_rows = 0
        first: LayerResult | None = None
        # several chunks for sure: validation, products and spool by a forked child, before any thread starts
        child = _fork_pass(profile, options, layer, run, role, sink, spool, report, products, keep_rows)
        waiting: _Waiting | None = None  # the chunk the child works on: its reports merged when it answers
        try:
            chunk_rows, budget = _chunk_size(layer.feature_count, options.chunk_rows, len(layer.fields))
            chunks = read_frames(
                layer,
                chunk_rows,
                _normalise_options(profile, layer, options),
                report,
                feedback,
                budget,
                keep_wkb=keep_rows and child is None,
            )
            for raw in chunks:
                check_cancelled(feedback, "Checking")
                if carry is None:
                    # several chunks: the checks' whole-layer verdicts wait for the last one (odl_geo.checks._carry)
                    one_chunk = 0 < layer.feature_count <= chunks.rows
                    carry = {} if one_chunk else layer_carry(spill.folder())
                if first is not None and len(first.frame):  # a second chunk: the first one's rows are not needed
                    first.frame, first.faulty, first.context = first.frame.iloc[:0], set(), None
                source_wkb = chunks.wkb  # the geometries left as read are spooled from their WKB
                # conforming and anonymising name rows as read; checks and validation rows after the fixes
                prep_report, chunk_report = Report(), Report()
                n = len(raw)
                dataset = ThemeDataset(frames={role: raw}, source_names={role: layer.name}, source_path=src.path)
                conformed = _conform(profile, dataset, mapping, prep_report, state)
                columns = attribute_columns(raw)
                if first is None:
                    source_fields = columns
                    _suggest_other_theme(profile, {role: raw}, {role: layer}, mapping, prep_report)
                conformed, removals = _anonymise(profile, conformed, anon, prep_report, {role: columns}, state)
                del raw, dataset
                result = _check_layer(
                    role, conformed.frames[role], _named(layer), profile, spec, options, area, chunk_report, feedback,
                    offset=offset, carry=carry,
                )  # fmt: skip
                result.matches = conformed.field_matches.get(role, {})
                conformed.frames[role] = result.frame
                conformed.product_names[role] = result.product_name
                checked = result.frame
                # the fixed chunk is what later chunks compare with, rows left out included (as in a whole layer)
                assert result.context is not None
                commit_chunk(result.context, profile.key, skip)
                # its scratch (the columns' memos, hashes, where each feature lies) serves nothing more: not held
                # while the chunk is handed over, validated and written
                result.context = None
                settle(carry)  # the hashes past the sets' memory share go to the spill folder
                # the map's sample now: the checked rows are not held while the kept ones are validated and written
                preview.add(checked, result.faulty, fixed_rows)
                checked_rows = len(checked)
                del checked
                if child is not None:  # validation, products and spool by the child, while the next chunk is read
                    if waiting is not None:
                        kept += waiting.merge(merger, *child.answer(feedback))
                    child.send(conformed, result, chunk_report)
                    waiting = _Waiting(offset, fixed_rows, prep_report, result.fixes, removals)
                    fixed_rows += checked_rows
                    faulty += len(result.faulty)
                    if first is None:
                        first = result
                        first.fixes = []  # the merger holds them (as it holds later chunks')
                    offset += n
                    del conformed, result, prep_report, chunk_report, removals
                    release_free_memory()
                    continue
                chunk = ThemeRun(run.source, profile.key, profile, chunk_report, [result], area, conformed)
                validate_chunk(chunk, options.drop_invalid)  # validated once: --drop-invalid goes on from it
                final = conformed.frames[role]
                sink.write(conformed)
                if keep_rows:
                    spool.add(final, source_wkb)
                source_wkb = None
                _remember(out, final)
                merger.add_report(prep_report, offset)
                merger.add_report(chunk_report, fixed_rows, fixes_offset=offset)
                merger.add_fixes(result.fixes, offset)
                merger.add_removals(removals, offset)
                fixed_rows += checked_rows
                faulty += len(result.faulty)
                kept += len(final)
                if first is None:
                    first = result
                offset += n
                del conformed, chunk, result, final
                release_free_memory()  # the chunk's pages back to the system (odl_geo.memory)
            assert first is not None and carry is not None  # read_frames gives at least one (maybe empty) frame
            # the layer's verdicts (duplicates across chunks...) while the child validates and writes the last chunk:
            # told after its findings, as in one process
            end = CheckContext(first.frame.iloc[:0], layer.name, profile, spec, *_area(area), offset=offset,
                               carry=carry)  # fmt: skip
            verdicts = finish_checks(end, profile.key, skip).issues
            del end  # the outputs are written without the checks' hashes in memory
            if meanwhile is not None:
                meanwhile(run)
            if child is not None and waiting is not None:
                kept += waiting.merge(merger, *child.answer(feedback))
                waiting = None
            for issue in verdicts:
                merger.add(issue, 0)
            if child is not None:  # the child closes the products; its spool's files are the run's to read
                done = child.finish(feedback)
                out.sink = _Written(done.files)
                spool.restore(done.spool)
                out.producers, out.insee = done.producers, done.insee
                report.issues.extend(done.issues)
        except BaseException:  # a failure or a cancel: no open file left behind in the staging folder
            if child is not None:  # killed and waited for before the staging folder goes
                child.stop()
            _close_quietly(sink)
            spool.close()
            merger.close()
            raise
        finally:  # the checks' hashes written to disk go, whatever happened
            carry = None
            spill.remove()
    report.issues.extend(merger.issues())
    out.whole = offset <= chunks.rows and child is None  # a forked pass's first frame is not the final one
    frame, rows = (first.frame, first.faulty) if out.whole else preview.frame()
    run.layers.append(
        LayerResult(
            role=role,
            layer=layer.name,
            display=layer.display,
            frame=frame,
            source_fields=source_fields,
            crs=first.crs or (crs_code(c) if (c := getattr(frame, "crs", None)) is not None else None),
            faulty=rows,
            matches=first.matches,
            removals=merger.removals(),
            fixes=merger.fixes(layer.name),
            checks_ran=first.checks_ran,
            product_name=first.product_name,
            total=kept,
            faulty_total=faulty,
        )
    )
    return out


def _fork_pass(
    profile: Profile,
    options: ThemeOptions,
    layer: LayerSource,
    run: ThemeRun,
    role: str,
    sink: ProductSink,
    spool: LayerSpool,
    report: Report,
    products: bool,
    keep_rows: bool,
) -> PassChild | None:
    """The pass's child (:mod:`odl_geo.theme.pass_child`) for a layer of more features than a chunk holds, when
    it writes products, forking is safe now and the two processes fit in the memory bar (:func:`room_for_pass`);
    else None (one process, as before). A layer of one chunk (every bundled sample) keeps the one-process path:
    its frame is the final one the reports show."""
    from .forked import fork_allowed
    from .pass_child import PassChild, room_for_pass

    declared = layer.feature_count
    if not (products and keep_rows) or declared <= options.chunk_rows:
        return None
    if not room_for_pass(declared, len(layer.fields)) or not fork_allowed():
        return None
    try:
        return PassChild(profile, options.drop_invalid, run.area, run.source, role, sink, spool, report)
    except OSError:  # no fork possible now (a process limit, no memory for the child's tables): one process
        return None


#: the cells (rows x source fields) of a chunk read whole in a layer of several chunks; a wider chunk is read in
#: halves (:func:`_chunk_size`): 20,000 rows of water points (9 fields) whole, of PEI (17) or trails (30) halved
WHOLE_CHUNK_CELLS = 200_000
#: the cells (features x source fields) of a layer whose chunks are read whole, whatever their width: measured
#: within the bar forked in whole chunks (PEI 100k x 17: 342 MB, hiking 100k: 370-387 MB; sixth round)
WHOLE_LAYER_CELLS = 10_000_000


def _chunk_size(declared: int, rows: int, fields: int) -> tuple[int, int]:
    """The rows and normalised Arrow bytes of a chunk: a layer of at most ``rows`` features (``--chunk-rows``) is
    one chunk; a larger one of more than :data:`WHOLE_CHUNK_CELLS` cells a chunk (``rows`` x its ``fields``) is
    read in chunks of half of them (and half of :data:`CHUNK_BYTES`).

    Its pass may have two processes (:mod:`odl_geo.theme.pass_child`), each holding a chunk (the child the one
    it validates and writes, the run the one it conforms and checks): in halves, the two hold about what one
    process held with whole chunks (PEI 1M, the processes together: 396 MB in chunks of 20,000 rows, 361 MB in
    chunks of 10,000; one process 358 -> 331 MB, CPU time the same). Halves in one process too: whether the
    pass forks depends on the machine's load, its outputs must not (a report lists its findings in the order
    the chunks found them; a GeoPackage's bytes count its writer's transactions, one a chunk). Chunks of fewer
    than ``2 * MIN_CHUNK_ROWS`` rows (tests' tiny chunks) are kept as asked: a chunk of one row reads its
    columns' types from that row alone. A narrow layer keeps whole chunks: halves cost CPU a chunk (water 1M, 9
    fields, forked on a quiet machine: 29.1-29.7 s and ~47 CPU-s in halves against 22.2-25.6 s and ~38 in chunks
    of 20,000, whose two processes stayed within the bar: 374 MB), so only layers wider than
    :data:`WHOLE_CHUNK_CELLS` / ``rows`` fields are halved (PEI's 17, hiking's 30 at the default 20,000 rows), and
    only when larger than :data:`WHOLE_LAYER_CELLS` (PEI and trails from ~1M features: their pass grows with
    the layer)."""
    width = max(fields, 1)
    if (
        declared <= rows
        or rows < 2 * MIN_CHUNK_ROWS
        or rows * width <= WHOLE_CHUNK_CELLS
        or declared * width <= WHOLE_LAYER_CELLS
    ):
        return rows, CHUNK_BYTES
    return max(1, rows // 2), CHUNK_BYTES // 2


@dataclass
class _Waiting:
    """A chunk sent to the pass's child: what the run merges, in a one-process run's order, once it answers."""

    offset: int
    fixed_rows: int
    prep: Report
    fixes: list[Any]
    removals: list[Any]

    def merge(self, merger: ChunkMerger, report: Report, kept: int) -> int:
        """Merge the chunk's reports as a one-process run does; return the rows it kept."""
        merger.add_report(self.prep, self.offset)
        merger.add_report(report, self.fixed_rows, fixes_offset=self.offset)
        merger.add_fixes(self.fixes, self.offset)
        merger.add_removals(self.removals, self.offset)
        return kept


class _Written(ProductSink):
    """The products the pass's child wrote and closed: :meth:`close` describes them."""

    def __init__(self, files: list[OutputFile]) -> None:
        self.files = files

    def write(self, chunk: ThemeDataset) -> None:
        raise AssertionError("the products are closed")

    def close(self) -> list[OutputFile]:
        return self.files


class _SpillFolder:
    """The private folder where the checks' carry writes its sorted hash runs (:func:`~odl_geo.checks._carry.settle`),
    made on first use in the run's staging folder and removed after the layer's last check, even on a failure or a
    cancel."""

    def __init__(self, parent: Path) -> None:
        self.parent = parent
        self.path: Path | None = None

    def folder(self) -> Path:
        if self.path is None:
            self.path = Path(tempfile.mkdtemp(prefix=".odl-geo-carry-", dir=self.parent))
        return self.path

    def remove(self) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)
            self.path = None


def _close_quietly(sink: ProductSink) -> None:
    try:
        sink.close()
    except Exception:
        logger.debug("closing the products after a failure failed too", exc_info=True)


class _NoProducts(ProductSink):
    """``odl-geo check``: the chunks are checked, nothing is published."""

    def write(self, chunk: ThemeDataset) -> None:
        pass

    def close(self) -> list[OutputFile]:
        return []


def _area(area: Area | None) -> tuple[frozenset[str] | None, tuple[str, ...], str]:
    return (area.insee, area.outline, area.name) if area else (None, (), "")


def _conform(
    profile: Profile, dataset: ThemeDataset, mapping: Mapping, report: Report, state: dict[str, Any]
) -> ThemeDataset:
    """``profile.conform`` for one chunk; a profile that takes the layer's decisions once (``state``) gets it."""
    import inspect

    if "state" in inspect.signature(profile.conform).parameters:
        return profile.conform(dataset, mapping, report, state=state)
    return profile.conform(dataset, mapping, report)


def _anonymise(
    profile: Profile,
    dataset: ThemeDataset,
    options: AnonymiseOptions,
    report: Report,
    columns: dict[str, list[str]],
    state: dict[str, Any],
) -> tuple[ThemeDataset, list[Any]]:
    import inspect

    if "state" in inspect.signature(anonymise).parameters:
        return anonymise(profile, dataset, options, report, columns, state=state)  # type: ignore[call-arg]
    return anonymise(profile, dataset, options, report, columns)


def _remember(out: StreamedLayer, frame: pd.DataFrame) -> None:
    """Producers and INSEE codes of a final chunk, for the publication's description (bounded)."""
    from .outputs import INSEE_COLUMNS, PRODUCER_COLUMNS

    for col in PRODUCER_COLUMNS:
        if col in frame and len(out.producers) < MAX_DISTINCT:
            out.producers.update(
                s for v in pd.unique(frame[col].dropna().astype(str)) if (s := v.strip()) and s != "nan"
            )
    for col in INSEE_COLUMNS:
        if col in frame and len(out.insee) < MAX_DISTINCT:
            for value in pd.unique(frame[col].dropna().astype(str)):
                out.insee.update(c.strip() for c in value.replace(";", ",").split(",") if c.strip())


class _Preview:
    """A bounded sample of a streamed layer for the report's map: its faulty features first, then every k-th."""

    def __init__(self, declared: int) -> None:
        self.step = max(1, declared // PREVIEW_ROWS)
        self.parts: list[pd.DataFrame] = []
        self.faulty: list[np.ndarray] = []
        self.held = 0

    def add(self, frame: pd.DataFrame, faulty: set[int], offset: int) -> None:
        n = len(frame)
        if not n or self.held >= 2 * PREVIEW_ROWS:
            return
        bad = np.zeros(n, dtype=bool)
        rows = np.fromiter((r for r in faulty if 0 <= r < n), dtype=np.int64)
        bad[rows[:PREVIEW_ROWS]] = True
        take = bad | ((np.arange(n) + offset) % self.step == 0)
        geom = getattr(frame, "_geometry_column_name", None)
        if geom in frame.columns:  # the map needs the shapes only, and only what it can draw of them
            import geopandas as gpd

            shapes = gpd.GeoSeries(_drawn(np.asarray(frame[geom].array)[take]), crs=frame.crs)
            part = gpd.GeoDataFrame({geom: shapes}, geometry=geom, crs=frame.crs)
        else:
            part = frame[take]
        self.parts.append(part)
        self.faulty.append(bad[take])
        self.held += len(part)

    def frame(self) -> tuple[pd.DataFrame, set[int]]:
        frame = pd.concat(self.parts, ignore_index=True) if self.parts else pd.DataFrame()
        flags = np.concatenate(self.faulty) if self.faulty else np.zeros(0, dtype=bool)
        return frame, {int(i) for i in np.flatnonzero(flags)}


#: a preview shape keeps the vertices the report's map (560 pixels wide) can tell apart: a tenth of a pixel
_PREVIEW_TOLERANCE = 1 / 5_600


def _drawn(geoms: np.ndarray) -> np.ndarray:
    """Lines and polygons simplified below what the map can show: a sampled trail of 2 KB holds a few dozen bytes
    (20 000 of them were ~35 MB of the run's peak). The tolerance is a fraction of the chunk's extent, no larger
    than the layer's: the drawing is the same."""
    import shapely

    types = shapely.get_type_id(geoms)
    lines = np.flatnonzero(types > 0)  # not points (0), nor missing (-1)
    if not lines.size:
        return geoms
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms[lines])
    tolerance = max(xmax - xmin, ymax - ymin) * _PREVIEW_TOLERANCE
    if not np.isfinite(tolerance) or tolerance <= 0:
        return geoms
    out = geoms.copy()
    out[lines] = shapely.simplify(geoms[lines], tolerance, preserve_topology=True)
    return out
