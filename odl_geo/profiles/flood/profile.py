"""Flood zones / risk prevention plans -> CNIG Géostandard PPR GeoPackage (``[typeppr]_[codegaspar].gpkg``).

Two kinds of input:

- the COVADIS shapefiles a DDT(M) publishes (N_PERIMETRE_PPRN_*, N_ZONE_ALEA_PPRN_*, N_ZONE_REG_PPRN_*, the
  table N_MULTIALEA_PPRN_* and, when present, N_DOCUMENT_PPRN_*), translated by the rules of the standard's
  Annexe A (``flood.covadis``, ``flood.hazards``);
- a GeoPackage that already claims the CNIG structure, validated as it is (``flood.validate``) and rewritten
  conformant on demand (``flood.cnig``).

The standard's structure and code lists are never typed here: they come from the pinned template SQL
(``flood.template``), which also builds the product (``flood.gpkg``). See docs/flood.md.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from ...checks import flood as _flood_checks  # noqa: F401  (registers the PPR_* checks)
from ...errors import InputError, OdlGeoError
from ...exports.base import OutputFile
from ...exports.manifest import sha256_file
from ...exports.ogr import wgs84_bbox
from ...numbers import literal
from ...report import Report, Severity
from ..base import Profile, RoleSpec, SchemaRef, ThemeDataset
from .cnig import cnig_to_cnig
from .covadis import PIECE_ROLES, LocalCodes, ZonePieces, covadis_to_cnig, map_local_codes
from .gpkg import build_geopackage, refuse_broken_references
from .model import TYPEPPR, FloodSettings, PprDataset, add_issue
from .roles import COVADIS_ROLES, assign_ppr_roles, cnig_role, settings_role
from .template import SRS_ID, TEMPLATE_VERSION, load_template
from .validate import validate_geopackage

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import geopandas as gpd

    from ...sources.layer import ReadOptions

__all__ = ["FloodProfile", "FloodSettings", "PprDataset", "load_flood_dataset"]


class FloodProfile(Profile):
    """CNIG Géostandard PPR. Roles: the COVADIS layers, or the CNIG tables (named by their kind)."""

    key: ClassVar[str] = "flood"
    title: ClassVar[dict[str, str]] = {
        "fr": "Zones inondables et PPR (Géostandard CNIG PPR)",
        "en": "Flood zones and risk prevention plans (CNIG PPR standard)",
    }
    schema: ClassVar[SchemaRef | None] = SchemaRef(
        "cnig/geostandards-risques-ppr", TEMPLATE_VERSION, "https://github.com/cnigfr/Geostandards-risques-ppr"
    )
    target_epsg: ClassVar[int] = SRS_ID
    # Only the *input* roles of a COVADIS PPR: the CNIG tables an input or ``conform`` gives are named by their
    # kind, some per hazard code (zonealeareference_115_s); ``spec_for`` describes them.
    # The pseudo-role "ppr" carries the settings a mapping file may give as [constants].
    roles: ClassVar[tuple[RoleSpec, ...]] = (*COVADIS_ROLES, settings_role())
    field_mapping: ClassVar[bool] = False  # the géostandard's Annexe A translates COVADIS fields
    #: the roles whose layers :meth:`conform_pieces` takes a piece at a time (the COVADIS zones)
    piece_roles: ClassVar[tuple[str, ...]] = PIECE_ROLES

    def __init__(self, settings: FloodSettings | None = None) -> None:
        self.settings = (settings or FloodSettings()).checked()
        self._built: _Built | None = None  # the last GeoPackage validate built (see _reuse_built)

    def spec_for(self, role: str) -> RoleSpec | None:
        """The RoleSpec of a role, including CNIG per-hazard roles such as ``zonealeareference_115_s``."""
        found = next((s for s in self.roles if s.role == role), None)
        if found is None and (match := load_template().match(role)) is not None:
            return cnig_role(match[0].kind)
        return found

    def assign_roles(self, layer_names: list[str]) -> dict[str, str]:
        """COVADIS layers by name pattern, or CNIG tables by their kind; never both.

        :raises InputError: nothing looks like a PPR (the message says what the layers are), a PPR mixed with
            another one, or COVADIS layers without their perimeter.
        """
        return assign_ppr_roles(layer_names)

    def conform(
        self, dataset: ThemeDataset, mapping: object, report: Report, state: dict[str, Any] | None = None
    ) -> PprDataset:
        """Raw frames by role -> the CNIG tables (keys: table kinds), with the procedure identity.

        ``state`` is not used: a PPR's tables are built whole (:meth:`conform_pieces` takes the zone layers a
        piece at a time)."""
        settings = self._settings(mapping)
        is_covadis = any(s.role in dataset.frames for s in COVADIS_ROLES)
        if is_covadis:
            dataset = map_local_codes(dataset, mapping, report)
        result = covadis_to_cnig(dataset, settings, report) if is_covadis else cnig_to_cnig(dataset, settings, report)
        if settings.metadata_xml:
            result.metadata_xml = _read_metadata(settings.metadata_xml)
        return result

    def conform_pieces(
        self,
        layers: Mapping[str, Iterable[gpd.GeoDataFrame]],
        names: dict[str, str],
        source_path: Path | None,
        mapping: object,
        report: Report,
    ) -> PprDataset:
        """:meth:`conform` of COVADIS layers given as pieces (role -> the layer's frames, in order, read as they are
        asked for): the zone layers (:attr:`piece_roles`) are turned into CNIG rows a piece at a time, so that no
        zone layer is ever held whole with its source fields; the other layers are joined. The same tables and
        findings as :meth:`conform` on the whole layers (``tests/unit/test_flood_pieces.py``).

        :param names: role -> source layer name, in the order the layers are read.
        """
        settings = self._settings(mapping)
        codes = LocalCodes(mapping)
        pieces = ZonePieces()
        frames: dict[str, gpd.GeoDataFrame] = {}
        for role, stream in layers.items():
            if role in self.piece_roles:
                pieces.start(role)
                for piece in stream:
                    pieces.add(role, codes.apply(role, piece))
                    del piece
            else:
                whole = list(stream)
                frame = whole[0] if len(whole) == 1 else pd.concat(whole, ignore_index=True)
                del whole
                frames[role] = codes.apply(role, frame)
        codes.report(list(names), names, report)
        dataset = ThemeDataset(frames=frames, source_names=dict(names), source_path=source_path)
        result = covadis_to_cnig(dataset, settings, report, pieces)
        if settings.metadata_xml:
            result.metadata_xml = _read_metadata(settings.metadata_xml)
        return result

    def _settings(self, mapping: object) -> FloodSettings:
        """The profile's settings, overridden by the mapping's (constants of a mapping file, or a dict)."""
        given = FloodSettings.from_mapping(mapping)
        return replace(
            self.settings,
            **{f.name: getattr(given, f.name) for f in fields(given) if getattr(given, f.name) is not None},
        )

    def validate(self, dataset: ThemeDataset, report: Report) -> None:
        """An existing CNIG GeoPackage is validated as it is; anything else as the GeoPackage odl-geo would write.

        The standard's quality checks on whole tables (``odl_geo.checks.flood``: overlaps, micro-surfaces) are
        registered checks: the theme runner runs them on the conformed tables, before this.

        The GeoPackage built here is kept (in a temporary folder of its own, removed when the next validation
        or ``write_products`` takes over, or with the profile) so that ``write_products`` publishes this very
        file rather than building it again (:meth:`_reuse_built`).
        """
        ppr = _as_ppr(dataset)
        path = getattr(dataset, "source_path", None)
        if getattr(dataset, "input_kind", "") == "cnig" and path is not None and Path(path).suffix.lower() == ".gpkg":
            validate_geopackage(Path(path), report)
            return
        if ppr.input_kind == "cnig":
            add_issue(
                report,
                "PPR_VALIDATED_PRODUCT",
                Severity.INFO,
                "The input file's path is unknown: the GeoPackage odl-geo would write was validated, not the input.",
                fr="Le chemin du fichier d'entrée est inconnu : c'est le GeoPackage qu'odl-geo écrirait qui a été "
                "validé, pas l'entrée.",
            )
        self._forget_built()  # an earlier build of another state of the data is never the product
        tmp = tempfile.TemporaryDirectory(prefix="odl-geo-ppr-")
        try:
            built = self._build(ppr, Path(tmp.name), check_foreign_keys=False)
        except OdlGeoError as exc:
            tmp.cleanup()
            if ppr.typeppr not in TYPEPPR and "PPR_TYPEPPR_UNSUPPORTED" in report.codes():
                return  # already said: no GeoPackage of the standard can be made for this procedure
            add_issue(
                report,
                "PPR_BUILD_FAILED",
                Severity.ERROR,
                exc.message,
                exc.hint,
                fr=f"Le GeoPackage CNIG ne peut pas être construit : {exc.message_fr or exc.message}",
                hint_fr=exc.hint_fr,
            )
            return
        except BaseException:
            tmp.cleanup()
            raise
        found = Report()
        try:
            validate_geopackage(built, found)
        except BaseException:
            tmp.cleanup()
            raise
        # the validated file is the product write_products moves into place, if the data stay as they are
        self._built = _Built(tmp, built, _fingerprint(ppr))
        # conform already named these problems on the source layers (with the raw values): keep those only
        known = report.codes()
        for issue in found.issues:
            if issue.code not in known:
                report.add(issue)

    def write_products(self, dataset: ThemeDataset, out_dir: Path, report: Report) -> list[OutputFile]:
        """Write ``<out_dir>/[typeppr]_[codegaspar].gpkg``; one OutputFile per non-empty table (same file).

        :raises InputError: the data would not make a conformant GeoPackage (the message names the first problems).
        """
        ppr = _as_ppr(dataset)
        path = self._reuse_built(ppr, Path(out_dir)) or self._build(ppr, Path(out_dir), check_foreign_keys=True)
        digest, size = sha256_file(path), path.stat().st_size
        template = load_template()
        files = []
        for kind, frame in sorted(ppr.frames.items()):
            table_def = template.match(kind)
            if not len(frame) or table_def is None:
                continue
            geometry_type = table_def[0].geometry_type
            bbox = [float(v) for v in frame.total_bounds] if geometry_type else None
            files.append(
                OutputFile(
                    path.name,
                    "gpkg",
                    f"{ppr.prefix}_{kind}",
                    f"EPSG:{SRS_ID}" if geometry_type else None,
                    len(frame),
                    geometry_type,
                    bbox,
                    wgs84_bbox(bbox, f"EPSG:{SRS_ID}") if bbox else None,
                    {},
                    digest,
                    size,
                )
            )
        add_issue(
            report,
            "PPR_WRITTEN",
            Severity.INFO,
            f"{literal(path.name)} written from the CNIG template {TEMPLATE_VERSION}: {{n}} {{n:table|tables}} with "
            "data.",
            fr=f"{literal(path.name)} écrit d'après le gabarit CNIG {TEMPLATE_VERSION} : {{n}} "
            "{n:table remplie|tables remplies}.",
            numbers={"n": len(files)},
        )
        return files

    def check_geopackage(self, path: Path | str, report: Report | None = None) -> Report:
        """Validate an existing CNIG PPR GeoPackage file; returns the report (``report`` if given)."""
        report = report if report is not None else Report()
        validate_geopackage(Path(path), report)
        return report

    def _reuse_built(self, ppr: PprDataset, out_dir: Path) -> Path | None:
        """The GeoPackage ``validate`` built and validated, moved to ``out_dir``, when it is this data's.

        Built once, not twice: the file the validator read is the very file published. It is this data's when
        the dataset holds the same frames, with the same rows and values, as when it was validated (a
        ``--drop-invalid`` round replaces frames, and validates again: the last build is the one reused).
        Anything else (no build, another dataset, a frame changed since) returns None: the caller builds.

        :raises InputError: a value outside the code lists or pointing at nothing, as a fresh build would.
        """
        built, self._built = self._built, None
        if built is None:
            return None
        try:
            if built.fingerprint != _fingerprint(ppr):
                return None
            conn = sqlite3.connect(built.path)
            try:
                refuse_broken_references(conn)
            finally:
                conn.close()
            out_dir.mkdir(parents=True, exist_ok=True)
            target = out_dir / built.path.name
            try:
                os.replace(built.path, target)
            except OSError:  # another file system: copy
                shutil.copyfile(built.path, target)
            return target
        finally:
            built.folder.cleanup()

    def _forget_built(self) -> None:
        built, self._built = self._built, None
        if built is not None:
            built.folder.cleanup()

    def _build(self, ppr: PprDataset, out_dir: Path, check_foreign_keys: bool) -> Path:
        if ppr.typeppr not in TYPEPPR:
            raise InputError(
                f"{ppr.prefix}: {ppr.typeppr!r} is not a PPR type of the CNIG standard (pprn or pprt).",
                "Mining plans (PPRM) are outside the standard; set typeppr if the type was misread.",
                message_fr=f"{ppr.prefix} : {ppr.typeppr!r} n'est pas un type de PPR du standard CNIG (pprn ou pprt).",
                hint_fr="Les plans de prévention des risques miniers (PPRM) sont hors du standard ; indiquez typeppr "
                "si le type a été mal lu.",
            )
        if not ppr.codeprocedure:
            raise InputError(
                "The GASPAR procedure code is unknown.",
                "Set codeprocedure in the mapping file.",
                message_fr="Le code GASPAR de la procédure est inconnu.",
                hint_fr="Indiquez codeprocedure dans le fichier de correspondance.",
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{ppr.prefix}.gpkg"
        build_geopackage(
            path,
            ppr.prefix,
            ppr.frames,
            timestamp=_timestamp(ppr),
            metadata_xml=ppr.metadata_xml,
            check_foreign_keys=check_foreign_keys,
        )
        return path


@dataclass
class _Built:
    """A GeoPackage ``validate`` built in its own temporary folder, and what it was built from."""

    folder: tempfile.TemporaryDirectory[str]
    path: Path
    fingerprint: tuple[object, ...]


def _fingerprint(ppr: PprDataset) -> tuple[object, ...]:
    """What the GeoPackage is made of, cheaply: the procedure's identity and, per table, its rows' attribute
    values (hashed, vectorised) and its geometries (by identity: shapely geometries are immutable, and the
    fingerprint holds them, so an identity is never reused by another geometry while it is compared)."""
    tables: list[object] = [ppr.prefix, _timestamp(ppr), ppr.metadata_xml]
    for kind, frame in sorted(ppr.frames.items()):
        spatial = [c for c in frame.columns if str(frame[c].dtype) == "geometry"]
        attrs = frame.drop(columns=spatial)
        hashed = pd.util.hash_pandas_object(attrs, index=False).to_numpy() if len(attrs.columns) else None
        geoms = [_Same(np.asarray(frame[c].values, dtype=object), identity=True) for c in spatial]
        tables.append((kind, tuple(frame.columns), len(frame), _Same(hashed), tuple(geoms)))
    return tuple(tables)


class _Same:
    """Compares arrays by value (hashes) or by element identity (geometries) inside a fingerprint tuple."""

    __slots__ = ("identity", "values")

    def __init__(self, values: np.ndarray | None, identity: bool = False) -> None:
        self.values, self.identity = values, identity

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Same):
            return NotImplemented
        a, b = self.values, other.values
        if a is None or b is None:
            return a is None and b is None
        if len(a) != len(b):
            return False
        if self.identity:
            return all(x is y for x, y in zip(a, b, strict=True))
        return bool(np.array_equal(a, b))

    __hash__ = None  # type: ignore[assignment]


def _as_ppr(dataset: ThemeDataset) -> PprDataset:
    """Accept a plain ThemeDataset holding CNIG frames (a framework step may have rebuilt it)."""
    if isinstance(dataset, PprDataset):
        return dataset
    proc = dataset.frames.get("procedure")
    code = str(proc["codeprocedure"].iloc[0]) if proc is not None and len(proc) else ""
    kind = str(proc["typeprocedure"].iloc[0]) if proc is not None and len(proc) else ""
    return PprDataset(
        dict(dataset.frames),
        dict(dataset.source_names),
        typeppr="pprt" if kind == "PPRT" else "pprn",
        codeprocedure=code,
        source_path=getattr(dataset, "source_path", None),
    )


def _timestamp(ppr: PprDataset) -> str:
    """Same input, same bytes: the source file's modification time, else the procedure's state date."""
    if ppr.source_path is not None and Path(ppr.source_path).exists():
        moment = datetime.fromtimestamp(Path(ppr.source_path).stat().st_mtime, tz=UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    perimeter = ppr.frames.get("perimetre_s")
    if perimeter is not None and len(perimeter) and perimeter["dateetat"].notna().any():
        return f"{perimeter['dateetat'].dropna().iloc[0]}T00:00:00.000Z"
    return "1970-01-01T00:00:00.000Z"


def _read_metadata(location: str) -> str:
    path = Path(location)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Cannot read the metadata file {path}: {exc}.",
            "Give an ISO 19139 XML file in UTF-8.",
            message_fr=f"Impossible de lire le fichier de métadonnées {path} : {exc}.",
            hint_fr="Donnez un fichier XML ISO 19139 en UTF-8.",
        ) from exc


def load_flood_dataset(
    path: Path | str,
    report: Report | None = None,
    read_options: ReadOptions | None = None,
    profile: FloodProfile | None = None,
) -> PprDataset:
    """Read a PPR (zip, folder, GeoPackage) into raw frames by role, in EPSG:2154, remembering its path.

    This is what ``odl-geo check/convert --theme flood`` does before ``conform``; the library entry point.

    :raises InputError: as ``FloodProfile.assign_roles``, or when a layer cannot be read.
    """
    from pyproj import CRS

    from ...normalise.frames import read_frame
    from ...normalise.options import NormaliseOptions
    from ...sources import open_source

    profile = profile or FloodProfile()
    report = report if report is not None else Report()
    options = NormaliseOptions(target_crs=CRS.from_epsg(SRS_ID))
    with open_source(path, read_options) as source:
        report.extend(source.issues)
        roles = profile.assign_roles([layer.name for layer in source.layers])
        frames, names = {}, {}
        for role, name in roles.items():
            layer = next(lyr for lyr in source.layers if lyr.name == name)
            report.extend(layer.issues)
            frames[role] = read_frame(layer, options, report)
            names[role] = layer.display
    return PprDataset(frames, names, source_path=Path(path), input_kind="covadis" if "perimetre" in frames else "cnig")
