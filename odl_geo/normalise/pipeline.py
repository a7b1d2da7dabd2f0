"""Stream one layer as normalised Arrow batches: the heart of every conversion.

Reading is GDAL's Arrow stream (pyogrio), batch by batch, so memory stays flat whatever the layer size;
each batch is repaired, unified and reprojected as whole shapely arrays, then handed to a writer as an
Arrow batch with WKB geometry. Everything done is counted into a :class:`Report` with a few example rows.
"""

from __future__ import annotations

import contextlib
import itertools
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyogrio
import shapely

from ..crs import coordinate_transformer, label
from ..errors import InputError
from ..feedback import Feedback, NullFeedback, check_cancelled
from ..numbers import agree, quantity
from ..report import Issue, Report, Severity
from ..sources.shp_direct import Fallback, PointShapefile
from . import geometry as geom_ops
from .attributes import decimal_comma_columns, is_text, to_float_decimal_comma, unescape_html
from .fields import clean_names
from .gdal_thread import GdalWarnings, own_code
from .gdal_thread import read_ahead as _read_ahead
from .scan import GeometryScan, batch_rows
from .wkb_recovery import recover_wkb

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..sources.layer import LayerSource
    from .options import NormaliseOptions

__all__ = ["GEOMETRY_COLUMN", "LayerStats", "LayerStream"]

GEOMETRY_COLUMN = "geometry"
#: bytes of source read per batch: ``options.batch_size`` rows of points, fewer rows of long lines
BATCH_BYTES = 8 << 20


@dataclass
class LayerStats:
    """What was written, for manifests: count and bounds in the output CRS."""

    count: int = 0
    bounds: list[float] = field(default_factory=lambda: [np.inf, np.inf, -np.inf, -np.inf])

    def add_bounds(self, geoms: np.ndarray) -> None:
        b = shapely.bounds(geoms[~shapely.is_missing(geoms)])
        if b.size:
            self.merge_bounds(
                (
                    float(np.nanmin(b[:, 0])),
                    float(np.nanmin(b[:, 1])),
                    float(np.nanmax(b[:, 2])),
                    float(np.nanmax(b[:, 3])),
                )
            )

    def merge_bounds(self, b: tuple[float, float, float, float] | None) -> None:
        if b is not None:
            self.bounds = [
                min(self.bounds[0], b[0]),
                min(self.bounds[1], b[1]),
                max(self.bounds[2], b[2]),
                max(self.bounds[3], b[3]),
            ]

    @property
    def bbox(self) -> list[float] | None:
        return self.bounds if np.isfinite(self.bounds).all() else None


class LayerStream:
    """Iterate a layer's normalised batches; ``report`` and ``stats`` fill as batches are consumed."""

    def __init__(
        self,
        layer: LayerSource,
        options: NormaliseOptions,
        scan: GeometryScan | None = None,
        feedback: Feedback | None = None,
        report: Report | None = None,
    ) -> None:
        self.layer = layer
        self.options = options
        self.scan = scan or GeometryScan()
        self.feedback = feedback or NullFeedback()
        self.report = report if report is not None else Report()
        self.stats = LayerStats()
        self.renames: dict[str, str] = {}
        self._decimal_cols: list[str] | None = None
        self._transform = None
        self._fast_kind = self._fast_path_kind()
        if (
            layer.has_geometry
            and options.target_crs is not None
            and layer.crs is not None
            and not layer.crs.equals(options.target_crs)
        ):
            self._transform = coordinate_transformer(layer.crs.to_wkt(), options.target_crs.to_wkt())
            if self._transform.grid_missing:
                grids = self._transform.missing_grids
                named = f" ({', '.join(grids[:3])}{', ...' if len(grids) > 3 else ''})" if grids else ""
                self._add(
                    "CRS_GRID_MISSING",
                    Severity.WARNING,
                    f"The precise transformation from {label(layer.crs)} needs a grid that is not installed{named}; "
                    f"a less accurate one was used ({self._transform.description}).",
                    "Install Debian's proj-data (scripts/setup.sh does) for metre-level accuracy.",
                    message_fr=f"La transformation précise depuis {label(layer.crs)} demande une grille qui n'est pas "
                    f"installée{named} ; une transformation moins précise a été utilisée "
                    f"({self._transform.description}).",
                    hint_fr="Installez le paquet proj-data de Debian (scripts/setup.sh le fait) pour une précision "
                    "au mètre.",
                )
            else:
                self._add(
                    "CRS_REPROJECTED",
                    Severity.INFO,
                    f"Reprojected from {label(layer.crs)} to {label(options.target_crs)} "
                    f"({self._transform.description}).",
                    message_fr=f"Couche reprojetée de {label(layer.crs)} vers {label(options.target_crs)} "
                    f"({self._transform.description}).",
                )

    @property
    def output_geometry_type(self) -> str | None:
        if not self.layer.has_geometry:
            return None
        return self.scan.output_type(self.options.promote_multi, self.options.family, self.options.force_2d)

    def _add(
        self,
        code: str,
        severity: Severity,
        message: str,
        hint: str = "",
        *,
        message_fr: str,
        hint_fr: str = "",
        count: int = 1,
        examples: list[int] | None = None,
    ) -> None:
        """An issue of this layer; ``message_fr`` (and ``hint_fr`` when there is a hint) for the French reports."""
        self.report.add(
            Issue(
                code,
                severity,
                message,
                hint,
                layer=self.layer.name,
                count=count,
                examples=list(examples or []),
                message_fr=message_fr,
                hint_fr=hint_fr,
            )
        )

    # -- iteration -------------------------------------------------------------------------------------
    def batches(self) -> Iterator[pa.RecordBatch]:
        """Normalised batches; raises CancelledError between batches when the user cancels."""
        lyr = self.layer
        if lyr.table is not None:  # an in-memory layer: its batches, no GDAL read
            geom = GEOMETRY_COLUMN if lyr.has_geometry else None
            yield from self._normalised(iter(lyr.table.to_batches(self.options.batch_size)), geom)
            return
        if lyr.batch_source is not None:  # a spooled layer: its batches, no GDAL read
            yield from self._normalised(lyr.batch_source(), GEOMETRY_COLUMN if lyr.has_geometry else None)
            return
        thread_name = f"odl-geo read {lyr.name}"
        with GdalWarnings(reader_thread=thread_name) as gdal, contextlib.ExitStack() as stack:
            with gdal.in_this_thread():  # GeoJSON, KML... are parsed when opened
                meta, reader = stack.enter_context(
                    pyogrio.open_arrow(
                        lyr.gdal_path,
                        batch_size=batch_rows(lyr, self.options.batch_size, target=BATCH_BYTES),
                        use_pyarrow=True,
                        **lyr.read_kwargs(),
                    )
                )
            geom_name = (meta.get("geometry_name") or "wkb_geometry") if lyr.has_geometry else None
            rows = batch_rows(lyr, self.options.batch_size, target=BATCH_BYTES)
            direct = PointShapefile.open(lyr, reader.schema, meta.get("encoding"))
            source = reader if direct is None else _direct_then_gdal(direct, lyr, reader.schema, rows)
            yield from self._normalised(_read_ahead(source, thread_name), geom_name)
        for message in gdal.messages:
            # GDAL's own words, kept as they are (English), after French ones
            self._add(
                "GDAL_WARNING", Severity.WARNING, f"GDAL: {message}", message_fr=f"Avertissement de GDAL : {message}"
            )

    def _normalised(self, batches: Iterator[pa.RecordBatch], geom_name: str | None) -> Iterator[pa.RecordBatch]:
        lyr, total, done = self.layer, max(self.layer.feature_count, 1), 0
        for batch in batches:
            check_cancelled(self.feedback, f"Reading {lyr.display}", f"La lecture de {lyr.display}")
            with own_code():  # numpy/shapely/pyproj warnings here are no GDAL message
                out = self._normalise(batch, geom_name, done)
            done += batch.num_rows
            self.feedback.progress(min(100.0, 100.0 * done / total), lyr.name)
            if out.num_rows:
                self.stats.count += out.num_rows
                yield out

    def reader(self) -> pa.RecordBatchReader | None:
        """A RecordBatchReader over :meth:`batches` (None when the layer yields no row)."""
        it = self.batches()
        first = next(it, None)
        if first is None:
            return None
        return pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], it))

    # -- one batch -------------------------------------------------------------------------------------
    def _normalise(self, batch: pa.RecordBatch, geom_name: str | None, offset: int) -> pa.RecordBatch:
        attrs = [n for n in batch.schema.names if n != geom_name]
        if not self.renames:
            self.renames = clean_names(attrs)
            changed = {k: v for k, v in self.renames.items() if k != v}
            if changed:
                listed = ", ".join(f"{k!r} -> {v!r}" for k, v in changed.items())
                self._add(
                    "FIELD_RENAMED",
                    Severity.INFO,
                    "Field names cleaned: " + listed,
                    message_fr="Noms de champs nettoyés : " + listed,
                    count=len(changed),
                )
        if self._decimal_cols is None:
            self._decimal_cols = decimal_comma_columns(batch, set()) if self.layer.driver == "CSV" else []
            if self._decimal_cols:
                self._add(
                    "FIELD_DECIMAL_COMMA",
                    Severity.INFO,
                    "Numbers with decimal commas read as numbers in: " + ", ".join(self._decimal_cols),
                    message_fr="Nombres à virgule décimale lus comme des nombres dans : "
                    + ", ".join(self._decimal_cols),
                )
        columns, names = [], []
        keep = np.ones(batch.num_rows, dtype=bool)
        geom_col = None
        if geom_name is not None:
            geom_col, keep = self._geometry_column(batch.column(geom_name), offset)
        for name in attrs:
            col = batch.column(name)
            if name in self._decimal_cols:
                col, bad = to_float_decimal_comma(col)
                if bad:
                    self._add(
                        "FIELD_NOT_A_NUMBER",
                        Severity.WARNING,
                        f"{quantity(bad, 'value', 'values', 'en')} of {name!r} "
                        + agree(bad, "is not a number and was left empty", "are not numbers and were left empty", "en")
                        + ".",
                        message_fr=f"{quantity(bad, 'valeur', 'valeurs')} de {name!r} "
                        + agree(
                            bad,
                            "n'est pas un nombre et a été laissée vide",
                            "ne sont pas des nombres et ont été laissées vides",
                        )
                        + ".",
                        count=bad,
                    )
            elif self.options.decode_html and is_text(col):
                col, n_decoded = unescape_html(col)
                if n_decoded:
                    self._add(
                        "FIELD_HTML_DECODED",
                        Severity.INFO,
                        f"HTML entities decoded in {name!r}.",
                        message_fr=f"Entités HTML décodées dans {name!r}.",
                        count=n_decoded,
                    )
            columns.append(col)
            names.append(self.renames.get(name, name))
        if geom_col is not None:
            columns.append(geom_col)
            names.append(GEOMETRY_COLUMN)
        out = pa.RecordBatch.from_arrays(columns, names=names)
        return out if keep.all() else out.filter(pa.array(keep))

    def _geometry_column(self, wkb: pa.Array, offset: int) -> tuple[pa.Array, np.ndarray]:
        """The output WKB column and the rows to keep: the fast path when the batch allows it, else shapely."""
        if self._fast_kind is not None:
            transform = self._transform.func if self._transform is not None else None
            if self._fast_kind == "point":
                simple = geom_ops.simple_points(wkb, transform)
            else:
                simple = geom_ops.simple_lines(wkb, transform, promote=self.options.promote_multi)
            if simple is not None:
                # no null (the common case): no mask to build and convert
                missing = np.asarray(wkb.is_null()) if wkb.null_count else np.zeros(len(wkb), dtype=bool)
                keep = self._report_missing(missing, offset)
                self.stats.merge_bounds(simple.bounds)
                return simple.wkb, keep
        geoms, keep = self._geometries(wkb, offset)
        out = shapely.to_wkb(geoms, output_dimension=2 if self.options.force_2d else 3, flavor="iso")
        return pa.array(out, type=pa.binary()), keep

    def _fast_path_kind(self) -> str | None:
        """ "point" or "line" when the scan says batches may skip GEOS (each batch is checked again row by row).

        A line layer with some multi-part lines (common in Shapefiles) keeps the fast path for the batches
        that hold none; the others go through shapely.
        """
        scan, opts = self.scan, self.options
        if not self.layer.has_geometry or opts.family is not None or scan.has_m or (scan.has_z and opts.force_2d):
            return None
        types = set(scan.counts)
        if types == {"Point"}:
            return "point"
        if "LineString" in types and types <= {"LineString", "MultiLineString"}:
            return "line"
        return None

    def _report_missing(self, missing: np.ndarray, offset: int) -> np.ndarray:
        """Report features without geometry (null or emptied); returns the rows to keep."""
        keep = np.ones(len(missing), dtype=bool)
        n_missing = int(missing.sum())
        if n_missing:
            idx = np.flatnonzero(missing)[:5] + offset
            if self.options.drop_empty:
                keep &= ~missing
                self._add(
                    "GEOM_EMPTY_DROPPED",
                    Severity.WARNING,
                    "Features without geometry were dropped (--drop-empty).",
                    message_fr="Les objets sans géométrie ont été écartés (--drop-empty).",
                    count=n_missing,
                    examples=idx.tolist(),
                )
            else:
                self._add(
                    "GEOM_EMPTY",
                    Severity.WARNING,
                    "Features have no geometry (null or empty); they are kept without geometry.",
                    "Use --drop-empty to leave them out.",
                    message_fr="Des objets n'ont pas de géométrie (nulle ou vide) ; ils sont gardés sans géométrie.",
                    hint_fr="Utilisez --drop-empty pour les écarter.",
                    count=n_missing,
                    examples=idx.tolist(),
                )
        return keep

    def _geometries(self, wkb: pa.Array, offset: int) -> tuple[np.ndarray, np.ndarray]:
        raw = wkb.to_numpy(zero_copy_only=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            geoms = shapely.from_wkb(raw, on_invalid="ignore")
        unreadable = np.flatnonzero(shapely.is_missing(geoms) & np.array([v is not None for v in raw]))
        if unreadable.size:
            geoms = geoms.copy()
            geoms[unreadable] = [recover_wkb(raw[i]) for i in unreadable]
            lost = unreadable[shapely.is_missing(geoms[unreadable])]
            if unreadable.size > lost.size:
                self._add(
                    "GEOM_PARTS_DROPPED",
                    Severity.WARNING,
                    "Geometries with impossible parts (a line of one point, a ring of two) were rebuilt "
                    "without those parts.",
                    message_fr="Des géométries aux parties impossibles (une ligne d'un seul point, un anneau de deux) "
                    "ont été reconstruites sans ces parties.",
                    count=int(unreadable.size - lost.size),
                    examples=(unreadable + offset).tolist(),
                )
            if lost.size:
                self._add(
                    "GEOM_UNREADABLE",
                    Severity.WARNING,
                    "Geometries could not be read at all; the features are kept without geometry.",
                    message_fr="Des géométries sont totalement illisibles ; leurs objets sont gardés sans géométrie.",
                    count=int(lost.size),
                    examples=(lost + offset).tolist(),
                )
        self._refuse_non_finite(geoms, offset)
        geoms, ringless = geom_ops.drop_empty_rings(geoms)
        if ringless.size:
            self._add(
                "GEOM_EMPTY_RINGS_DROPPED",
                Severity.INFO,
                "Polygons had empty interior rings (holes without points); those rings were left out.",
                message_fr="Des polygones avaient des anneaux intérieurs vides (trous sans points) ; ces anneaux ont "
                "été retirés.",
                count=int(ringless.size),
                examples=(ringless + offset).tolist(),
            )
        geoms, _emptied = geom_ops.nullify_empty(geoms)
        keep = self._report_missing(shapely.is_missing(geoms), offset)
        if self.options.repair:
            geoms, fixed, kept = geom_ops.make_valid(geoms)
            if fixed.size:
                self._add(
                    "GEOM_INVALID_REPAIRED",
                    Severity.WARNING,
                    "Invalid geometries (self-intersections, holes outside shells) were repaired with make_valid.",
                    message_fr="Des géométries invalides (auto-intersections, trous hors du contour) ont été réparées "
                    "avec make_valid.",
                    count=int(fixed.size),
                    examples=(fixed + offset).tolist(),
                )
            if kept.size:
                self._add(
                    "GEOM_DEGENERATE",
                    Severity.WARNING,
                    "Lines without length (all points identical) cannot be repaired; they are kept as they are.",
                    "Check these features in the source.",
                    message_fr="Des lignes de longueur nulle (tous leurs points identiques) ne peuvent pas être "
                    "réparées ; elles sont gardées telles quelles.",
                    hint_fr="Vérifiez ces objets dans la source.",
                    count=int(kept.size),
                    examples=(kept + offset).tolist(),
                )
        if self.scan.has_m:
            self._add(
                "GEOM_M_DROPPED",
                Severity.INFO,
                "M values (measures) were dropped.",
                message_fr="Les valeurs M (mesures) ont été retirées.",
            )
        if self.options.family is not None:
            geoms, family_keep = self._only_family(geoms)
            keep &= family_keep
        if self.options.promote_multi or self.scan.has_multi_points:
            geoms = geom_ops.promote_to_multi(
                geoms, points=self.scan.has_multi_points, lines_polygons=self.options.promote_multi
            )
        if self._transform is not None:
            geoms = shapely.transform(geoms, self._transform.func, include_z=shapely.has_z(geoms).any())
        self.stats.add_bounds(geoms[keep])
        return geoms, keep

    def _refuse_non_finite(self, geoms: np.ndarray, offset: int) -> None:
        """NaN or Infinity among a geometry's coordinates is bad input: no writer can hold it (GDAL refuses it,
        or writes 0 / drops the feature), so the user must fix the source. An empty point written as NaN NaN
        (the WKB convention) is no coordinate and passes.

        :raises InputError: some coordinates are not finite numbers; the message names the first features.
        """
        coords, index = shapely.get_coordinates(geoms, include_z=True, return_index=True)
        if not coords.size:
            return
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(coords[:, :2]).all(axis=1)
        if not bad.any():
            return
        rows = np.unique(index[bad]) + offset
        shown = ", ".join(str(int(r)) for r in rows[:5]) + (", ..." if rows.size > 5 else "")
        which_fr = agree(rows.size, "l'objet", "les objets")
        raise InputError(
            f"{self.layer.display}: {quantity(rows.size, 'feature has', 'features have', 'en')} coordinates that "
            f"are not numbers (NaN or Infinity), e.g. {agree(rows.size, 'feature', 'features', 'en')} {shown} "
            "(0-based, in source order).",
            "Fix or delete the geometry of these features in the source (in QGIS, the vertex editor), "
            "then convert again.",
            message_fr=f"{self.layer.display} : {quantity(rows.size, 'objet a', 'objets ont')} des coordonnées qui "
            f"ne sont pas des nombres (NaN ou Infinity), par exemple {which_fr} {shown} (numérotés à partir de 0, "
            "dans l'ordre de la source).",
            hint_fr="Corrigez ou supprimez la géométrie de ces objets dans la source (dans QGIS, l'outil de nœuds), "
            "puis relancez la conversion.",
        )

    def _only_family(self, geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Keep geometries of one family; collections keep their parts of that family."""
        types = shapely.get_type_id(geoms)
        fam = self.options.family
        wanted = {"point": (0, 4), "line": (1, 2, 5), "polygon": (3, 6)}[fam or "point"]
        keep = np.isin(types, wanted)
        coll = np.flatnonzero(types == 7)
        if coll.size:
            geoms = geoms.copy()
            for i in coll:
                parts = [p for p in shapely.get_parts(geoms[i]) if shapely.get_type_id(p) in wanted]
                if parts:
                    geoms[i] = shapely.union_all(parts) if fam == "polygon" else shapely.GeometryCollection(parts)
                    geoms[i] = _as_multi(geoms[i], fam or "point")
                    keep[i] = True
        if self.scan.families and fam == min(self.scan.families - {"collection"}):
            keep |= shapely.is_missing(geoms)  # null geometries travel with the first family
        return geoms, keep


def _as_multi(geom: object, family: str) -> object:
    parts = list(shapely.get_parts(geom))
    maker = {"point": shapely.MultiPoint, "line": shapely.MultiLineString, "polygon": shapely.MultiPolygon}[family]
    flat = [q for p in parts for q in shapely.get_parts(p)]
    return maker(flat)


def _direct_then_gdal(
    direct: PointShapefile, layer: LayerSource, schema: pa.Schema, rows: int
) -> Iterator[pa.RecordBatch]:
    """A plain point Shapefile's batches read directly (:mod:`odl_geo.sources.shp_direct`); from the first row
    it cannot read as GDAL would, GDAL's own stream (same schema, same rows)."""
    try:
        yield from direct.batches(schema, rows)
    except Fallback as fb:
        with pyogrio.open_arrow(
            layer.gdal_path, batch_size=rows, use_pyarrow=True, skip_features=fb.rows_done, **layer.read_kwargs()
        ) as (_, reader):
            yield from reader
