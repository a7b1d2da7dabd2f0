"""``odl-geo check``: read a layer, conform it to a theme, anonymise, check, fix, validate; write nothing.

The same steps serve ``convert --theme`` (:mod:`odl_geo.theme.outputs`), which then writes the products. Without
a theme, only the generic checks run, on every layer of the file, with the layer's own fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyproj import CRS

from .._version import __version__
from ..checks._common import attribute_columns
from ..checks.areas import Area, resolve_area
from ..checks.names import product_layer_name
from ..checks.registry import CheckContext
from ..checks.runner import Fix, fix_context, load_checks, run_checks
from ..crs import crs_code
from ..errors import InputError
from ..feedback import Feedback, NullFeedback, check_cancelled
from ..memory import release_free_memory
from ..naming import display_name, safe_file_stem
from ..normalise.frames import CHUNK_BYTES, read_frame, read_frames
from ..normalise.options import NormaliseOptions
from ..numbers import agree
from ..profiles.anonymise import AnonymiseOptions, Removal, anonymise
from ..profiles.base import ThemeDataset
from ..profiles.mapping import Mapping, check_field_name, load_mapping
from ..profiles.registry import load_profile
from ..report import Issue, Report, Severity
from ..sources import ReadOptions, open_source

if TYPE_CHECKING:
    from collections.abc import Iterator

    import geopandas as gpd

    from ..exports.base import OutputFile
    from ..profiles.base import Profile, RoleSpec
    from ..sources.layer import LayerSource

__all__ = ["LayerResult", "ThemeOptions", "ThemeRun", "check_theme", "source_stem"]


@dataclass(frozen=True)
class ThemeOptions:
    """
    :param mapping: a mapping file (TOML) for the theme (see ``docs/themes.md``).
    :param area: the territory the data should cover (``occitanie``, ``34,30``, INSEE codes).
    :param fix: apply the automatic fixes (on copies; the source is never touched).
    :param keep_personal: personal fields to publish anyway (e.g. a company's name in ``nom_etab``).
    :param mask_free_text: mask e-mails/phones found in free text (default: from the mapping file, else mask them).
    :param anonymise: False turns anonymisation off (reported as a warning).
    :param repair: repair invalid geometries while reading (convert: yes; check: no, so that they are reported).
    """

    mapping: str | Path | None = None
    area: str | None = None
    fix: bool = False
    keep_personal: tuple[str, ...] = ()
    mask_free_text: bool | None = None
    anonymise: bool = True
    repair: bool = False
    drop_invalid: bool = False
    #: ``convert --theme`` reads a single-layer theme's layer in chunks of this many features (flat memory); a
    #: layer of at most this many is one chunk, checked as a whole
    chunk_rows: int = 20_000


@dataclass
class LayerResult:
    """One checked layer: the final frame (for previews and products) and what happened to it."""

    role: str
    layer: str
    display: str
    frame: gpd.GeoDataFrame
    source_fields: list[str]
    crs: str | None
    faulty: set[int] = field(default_factory=set)
    matches: dict[str, tuple[str, str]] = field(default_factory=dict)
    removals: list[Removal] = field(default_factory=list)
    fixes: list[Fix] = field(default_factory=list)
    checks_ran: list[str] = field(default_factory=list)
    error_rows: set[int] = field(default_factory=set)  # features named by an error-level check
    product_name: str = ""  # the layer's XML-safe name in the products and the corrected copy
    #: a streamed layer (``convert --theme`` in chunks): ``frame`` is then a sample for the map preview, and these
    #: count the whole layer's features and the features with problems
    total: int | None = None
    faulty_total: int | None = None
    #: the context of the last check run (after the fixes): a streamed run commits the chunk from it
    context: CheckContext | None = field(default=None, repr=False, compare=False)

    @property
    def feature_count(self) -> int:
        return self.total if self.total is not None else len(self.frame)

    @property
    def problem_count(self) -> int:
        return self.faulty_total if self.faulty_total is not None else len(self.faulty)

    def changes(self) -> Iterator[dict[str, Any]]:
        """Every change the fixes made, in order: feature (row as checked, 0-based; None for the layer), field,
        the check's code, old and new value. One at a time: a streamed run's may be millions, read back from
        temporary files (:class:`~odl_geo.theme.merge.SpilledChanges`)."""
        return (
            {"feature": c.feature, "field": c.field, "code": f.code, "old": c.old, "new": c.new}
            for f in self.fixes
            for c in f.details
        )

    def to_dict(self, changes_file: str | None = None) -> dict[str, Any]:
        """:param changes_file: the CSV holding the changes when they are too many for the JSON report."""
        changes: dict[str, Any] = (
            {"changes_file": changes_file} if changes_file else {"changes": list(self.changes())} if self.fixes else {}
        )
        return {
            "role": self.role,
            "layer": self.layer,
            "product_layer": self.product_name or self.layer,
            "source": self.display,
            "feature_count": self.feature_count,
            "crs": self.crs,
            "source_fields": self.source_fields,
            "fields": {t: {"source": s, "how": h} for t, (s, h) in self.matches.items()},
            "anonymisation": [r.__dict__ for r in self.removals],
            "fixes": [
                {"code": f.code, "changes": f.changes, "changes_fr": f.changes_fr, "count": len(f.details)}
                for f in self.fixes
            ],
            **changes,
            "checks_run": self.checks_ran,
            "features_with_problems": self.problem_count,
        }


@dataclass
class ThemeRun:
    source: Path
    theme: str | None
    profile: Profile | None
    report: Report
    layers: list[LayerResult]
    area: Area | None = None
    dataset: ThemeDataset | None = None
    files: list[OutputFile] = field(default_factory=list)
    corrected: list[str] = field(default_factory=list)
    changes_file: str | None = None  # set by write_reports when the changes go to a CSV file

    @property
    def source_name(self) -> str:
        """The source's name as the user knows it (``.`` or ``..`` given: the folder's own name)."""
        return display_name(self.source)

    def counts(self) -> dict[str, int]:
        return {s.value: sum(1 for i in self.report.issues if i.severity is s) for s in Severity}

    def to_dict(self) -> dict[str, Any]:
        p = self.profile
        return {
            "odl_geo_version": __version__,
            "source": self.source_name,
            "theme": self.theme,
            "schema": None if p is None or p.schema is None else {"name": p.schema.name, "version": p.schema.version},
            "area": None if self.area is None else {"name": self.area.name, "communes": len(self.area.insee)},
            "summary": self.counts(),
            "publishable": not self.report.has_errors,
            "layers": [lyr.to_dict(self.changes_file) for lyr in self.layers],
            "issues": [i.to_dict() for i in self.report.issues],
            "files": [f.__dict__ for f in self.files],
            "corrected": self.corrected,
        }


def check_theme(
    path: str | Path,
    theme: str | None = None,
    options: ThemeOptions | None = None,
    read_options: ReadOptions | None = None,
    feedback: Feedback | None = None,
) -> ThemeRun:
    """Check ``path`` against ``theme`` (or the generic checks only when ``theme`` is None).

    :raises InputError: unknown theme, bad mapping file or area, unreadable source, or a theme whose layers are
        absent from the source.
    """
    options = options or ThemeOptions()
    feedback = feedback or NullFeedback()
    profile = load_profile(theme) if theme else None
    if options.mapping and profile is None:
        raise InputError(
            "--mapping needs --theme: a mapping file maps fields to a theme's schema.",
            "Add --theme.",
            message_fr="--mapping demande --theme : un fichier de correspondance relie les champs au schéma d'un "
            "thème.",
            hint_fr="Ajoutez --theme.",
        )
    mapping = load_mapping(options.mapping, profile) if options.mapping and profile else Mapping()
    if options.keep_personal and profile is None:
        raise InputError(
            "--keep-personal needs --theme: personal fields are a theme's.",
            "Add --theme.",
            message_fr="--keep-personal demande --theme : les champs personnels sont définis par un thème.",
            hint_fr="Ajoutez --theme.",
        )
    for name in options.keep_personal:
        check_field_name(profile, name, "--keep-personal")  # type: ignore[arg-type]
    area = resolve_area(options.area) if options.area else None
    load_checks()
    report = Report()
    feedback.info(f"Opening {display_name(Path(path))}")  # a large CSV: GDAL reads it through first (seconds)
    with open_source(path, read_options) as src:
        report.extend(src.issues)
        layers = {lyr.name: lyr for lyr in src.layers}
        chosen = _assign(profile, list(layers), display_name(src.path), report)
        frames: dict[str, gpd.GeoDataFrame] = {}
        tables = profile is not None and len(profile.roles) > 1  # several layers joined into tables (CNIG PPR)
        # layers the profile conforms a piece at a time (a COVADIS PPR's zones): read while it asks for them
        by_piece = set(getattr(profile, "piece_roles", ())) & set(chosen) if tables else set()
        source_columns: dict[str, list[str]] = {}
        conformed: ThemeDataset | None = None
        if by_piece:
            assert profile is not None
            streams = {
                role: _layer_frames(role, layers[name], role in by_piece, profile, options, report, feedback,
                                    source_columns)
                for role, name in chosen.items()
            }  # fmt: skip
            conform_pieces = profile.conform_pieces  # type: ignore[attr-defined]
            conformed = conform_pieces(streams, {r: layers[n].name for r, n in chosen.items()}, src.path, mapping,
                                       report)  # fmt: skip
            del streams
        for role, name in chosen.items() if not by_piece else ():
            check_cancelled(feedback, "Checking")
            feedback.info(f"Reading {layers[name].display}")
            report.extend(layers[name].issues)
            normalise = _normalise_options(profile, layers[name], options)
            if tables:
                frames[role] = _read_in_pieces(layers[name], normalise, report, feedback, options.chunk_rows)
                release_free_memory()  # the reader's pages back before the next layer is read
            else:
                frames[role] = read_frame(layers[name], normalise, report, feedback)
        descriptions = {role: layers[name] for role, name in chosen.items()}
    run = ThemeRun(src.path, profile.key if profile else None, profile, report, [], area)
    if profile is None:
        for role, frame in frames.items():
            run.layers.append(
                _check_layer(role, frame, _named(descriptions[role]), None, None, options, area, report, feedback)
            )
        return run
    if conformed is None:
        dataset = ThemeDataset(
            frames=frames, source_names={r: descriptions[r].name for r in frames}, source_path=run.source
        )
        conformed = profile.conform(dataset, mapping, report)
        _suggest_other_theme(profile, frames, descriptions, mapping, report)
        source_columns = {r: attribute_columns(f) for r, f in frames.items()}
        del dataset
    anon = AnonymiseOptions.build(mapping.anonymise, options.keep_personal, options.mask_free_text, options.anonymise)
    conformed, removals = anonymise(profile, conformed, anon, report, source_columns)
    del frames  # the layers as read: not needed any more, so not held through the checks and products
    release_free_memory()  # what conform freed (the source layers' attributes) back before the checks' arrays
    for role, frame in list(conformed.frames.items()):
        if len(frame) == 0 and role not in descriptions:
            continue  # an empty table the profile adds for completeness: nothing to check
        spec = _spec(profile, role)
        # a table the profile builds itself (the CNIG PPR tables) has no source layer of its own
        named = _named(descriptions[role]) if role in descriptions else _built(conformed, role)
        if tables and len(frame) > options.chunk_rows:
            rows = min(CHECK_PIECE_ROWS, options.chunk_rows)
            result = _check_in_pieces(role, frame, named, profile, spec, options, area, report, feedback, rows)
        else:
            result = _check_layer(role, frame, named, profile, spec, options, area, report, feedback)
        del frame
        result.matches = conformed.field_matches.get(role, {})
        result.removals = [r for r in removals if r.role == role]
        result.source_fields = source_columns.get(role, [])
        conformed.frames[role] = result.frame
        conformed.product_names[role] = result.product_name
        # the last check run's context: its frame is result.frame, its scratch (geometry hashes, bounds, where
        # each feature lies) serves nothing more on this path (a streamed run commits its chunks from it)
        result.context = None
        run.layers.append(result)
        release_free_memory()  # a large table's check and fix arrays back before the next table's
    check_cancelled(feedback, "Checking")
    feedback.info(f"Validating against the {profile.key} schema")  # a large PPR's GeoPackage: seconds
    profile.validate(conformed, report)
    run.dataset = conformed
    return run


def _layer_frames(
    role: str,
    layer: LayerSource,
    by_piece: bool,
    profile: Profile,
    options: ThemeOptions,
    report: Report,
    feedback: Feedback,
    columns: dict[str, list[str]],
) -> Iterator[gpd.GeoDataFrame]:
    """One layer of a multi-layer theme as its profile's ``conform_pieces`` asks for it: its pieces one after
    the other (``by_piece``), else the whole layer as one frame. Read when asked, in the order of the layers,
    with what the reading of each layer says (its issues, its progress) at the same place as when every layer
    was read before ``conform``. ``columns`` gets the layer's source fields (for the report and anonymising)."""
    check_cancelled(feedback, "Checking")
    feedback.info(f"Reading {layer.display}")
    report.extend(layer.issues)
    normalise = _normalise_options(profile, layer, options)
    if not by_piece:
        frame = _read_in_pieces(layer, normalise, report, feedback, options.chunk_rows)
        columns[role] = attribute_columns(frame)
        release_free_memory()  # the reader's pages back before the next layer is read
        yield frame
        return
    # GDAL's batches of a small size: a batch waits read ahead while the piece before is conformed, beside the
    # rows of every piece before (a COVADIS layer's end of reading was a 100k-zone PPR's peak)
    normalise = replace(normalise, batch_size=min(normalise.batch_size, PIECE_BATCH_ROWS))
    for piece in _frame_pieces(layer, normalise, report, feedback, options.chunk_rows):
        columns.setdefault(role, attribute_columns(piece))
        yield piece
        del piece
        release_free_memory()  # the piece and what conform made of it that it does not keep, back


#: rows of GDAL's batches for a layer its profile conforms a piece at a time (about 2 MB of a PPR's zones, where
#: a plain conversion's batches are ~8 MB); the pieces themselves are still ~8 MB, and the same tables whatever
#: their size
PIECE_BATCH_ROWS = 2_048


def _frame_pieces(
    layer: LayerSource, normalise: NormaliseOptions, report: Report, feedback: Feedback, rows: int
) -> Iterator[gpd.GeoDataFrame]:
    """The normalised layer in pieces of about :data:`~odl_geo.normalise.frames.CHUNK_BYTES` (at most ``rows``
    features): joined, they are the frame :func:`read_frame` gives."""
    yield from read_frames(layer, rows, normalise, report, feedback, budget=CHUNK_BYTES)


def _read_in_pieces(
    layer: LayerSource, normalise: NormaliseOptions, report: Report, feedback: Feedback, rows: int
) -> gpd.GeoDataFrame:
    """The whole normalised layer, as :func:`read_frame` gives it, read in pieces of about
    :data:`~odl_geo.normalise.frames.CHUNK_BYTES` and put together: each piece's Arrow rows (the shapes as WKB) are
    freed once its frame is made, instead of the whole layer's WKB living beside its shapes. A layer of one piece
    is that piece, as read_frame builds it."""
    pieces = []
    for piece in _frame_pieces(layer, normalise, report, feedback, rows):
        pieces.append(piece)
        release_free_memory()  # the piece's normalising arrays back before the next one is read
    del piece
    if len(pieces) == 1:
        return pieces[0]
    import pandas as pd

    whole = pd.concat(pieces, ignore_index=True)
    del pieces
    return whole


def source_stem(source: Path) -> str:
    """The stem the outputs of a theme run take from their source (``fontaines.shp.zip`` -> ``fontaines``)."""
    return safe_file_stem(Path(display_name(source)).stem.removesuffix(".shp"))  # "." given: the folder's name


#: single-layer themes whose fields are matched: the ones a layer may have been given to by mistake
_COMPARABLE = ("hiking", "water", "pei")
#: field names every kind of layer has (KML/GPX placemarks, GIS keys): they say nothing of the theme
_GENERIC = frozenset(
    {"name", "nom", "description", "desc", "id", "fid", "gid", "objectid", "code", "type", "timestamp", "begin", "end",
     "altitudemode", "tessellate", "extrude", "visibility", "draworder", "icon", "snippet", "comment", "cmt"}
)  # fmt: skip


def _suggest_other_theme(
    profile: Profile,
    frames: dict[str, gpd.GeoDataFrame],
    layers: dict[str, LayerSource],
    mapping: Mapping,
    report: Report,
) -> None:
    """THEME_MISMATCH when a layer's fields match another theme's schema better than this one's (fire hydrants
    given to --theme water, fountains to --theme pei): many errors would follow, the hint says where to go."""
    from ..profiles.matching import match_fields

    if profile.key not in _COMPARABLE or mapping.fields or len(profile.roles) != 1:
        return
    from ..values import normalise_name

    for role, frame in frames.items():
        sources = [c for c in attribute_columns(frame) if normalise_name(c) not in _GENERIC]

        def found(theme: str, sources: list[str] = sources) -> list[str]:
            result = match_fields(sources, load_profile(theme).roles[0].fields)
            return sorted(m.source for m in result.matches.values() if m.how in ("exact", "normalised", "synonym"))

        own = found(profile.key)
        best = max((k for k in _COMPARABLE if k != profile.key), key=lambda k: len(found(k)))
        other = found(best)
        if len(other) >= 3 and len(other) >= 2 * max(len(own), 1):
            shown = ", ".join(other[:6])
            report.add(
                Issue(
                    "THEME_MISMATCH",
                    Severity.WARNING,
                    f"The fields of {layers[role].name} match the {best} theme ({len(other)} fields: {shown}) much "
                    f"better than {profile.key} ({len(own)}): is it a {best} layer?",
                    f"Run again with --theme {best}.",
                    layer=layers[role].name,
                    message_fr=f"Les champs de {layers[role].name} correspondent bien mieux au thème {best} "
                    f"({len(other)} champs : {shown}) qu'à {profile.key} ({len(own)}) : est-ce une couche {best} ?",
                    hint_fr=f"Relancez avec --theme {best}.",
                )
            )


def _assign(profile: Profile | None, names: list[str], source: str, report: Report) -> dict[str, str]:
    """Role -> layer name; every layer is its own role when no theme is given."""
    if profile is None:
        return {n: n for n in names}
    chosen = profile.assign_roles(names)
    missing = [r for r in profile.roles if r.required and r.role not in chosen]
    if missing and not chosen:
        hints = "; ".join(f"{r.role}: {', '.join(r.layer_hints)}" for r in missing if r.layer_hints)
        raise InputError(
            f"{source} has no layer the {profile.key} theme can use.",
            (f"Expected layers named like: {hints}." if hints else "Check the file.") + " Or use --layer.",
            message_fr=f"{source} n'a aucune couche utilisable par le thème {profile.key}.",
            hint_fr=(f"Noms de couches attendus : {hints}." if hints else "Vérifiez le fichier.")
            + " Ou utilisez --layer.",
        )
    for spec in missing:
        report.add(
            Issue(
                "ROLE_MISSING",
                Severity.ERROR,
                f"No layer of {source} is a {spec.title['en']} layer ({spec.role}).",
                "Add it, or name it like: " + ", ".join(spec.layer_hints) if spec.layer_hints else "Add it.",
                message_fr=f"Aucune couche de {source} n'est une couche « {spec.title['fr']} » ({spec.role}).",
                hint_fr="Ajoutez-la, ou nommez-la par exemple : " + ", ".join(spec.layer_hints)
                if spec.layer_hints
                else "Ajoutez-la.",
            )
        )
    ignored = [n for n in names if n not in chosen.values()]
    if ignored:
        report.add(
            Issue(
                "LAYER_IGNORED",
                Severity.WARNING,
                f"{agree(len(ignored), 'Layer', 'Layers', 'en')} not used by the {profile.key} theme: "
                f"{', '.join(ignored)}.",
                "Use --layer to pick the right one.",
                count=len(ignored),
                message_fr=f"{agree(len(ignored), 'Couche non utilisée', 'Couches non utilisées')} par le thème "
                f"{profile.key} : {', '.join(ignored)}.",
                hint_fr="Choisissez la bonne avec --layer.",
            )
        )
    return chosen


def _normalise_options(profile: Profile | None, layer: LayerSource, options: ThemeOptions) -> NormaliseOptions:
    target = CRS.from_epsg(profile.target_epsg) if profile is not None and layer.crs is not None else None
    return NormaliseOptions(target_crs=target, repair=options.repair, decode_html=bool(profile and profile.decode_html))


def _spec(profile: Profile, role: str) -> RoleSpec | None:
    """The role's spec; profiles with tables beyond their declared roles (CNIG PPR) may offer ``spec_for``."""
    spec_for = getattr(profile, "spec_for", None)
    if callable(spec_for):
        found: RoleSpec | None = spec_for(role)
        return found
    return next((s for s in profile.roles if s.role == role), None)


def _named(layer: LayerSource) -> tuple[str, str]:
    return layer.name, layer.display


def _built(dataset: ThemeDataset, role: str) -> tuple[str, str]:
    name = dataset.source_names.get(role, role)
    return name, f"{name} (built by the profile)"


#: rows of a large table of a multi-layer theme (CNIG PPR) checked at a time: the checks' arrays of a piece of
#: 10,000 zones weigh ~25 MB, those of a 50,000-zone table (a 100k PPR's synthesis) ~120 MB at once; not fewer, so
#: that the check families still run in threads (``checks.runner.PARALLEL_FROM``)
CHECK_PIECE_ROWS = 10_000
#: checks that compare every zone of a table with every other (the overlaps): run once on the whole checked
#: table, after its pieces (they fix nothing)
WHOLE_TABLE_CHECKS = frozenset({"PPR_ALEA_LEVEL_OVERLAP", "PPR_ZONEREG_OVERLAP"})


def _check_in_pieces(
    role: str,
    frame: gpd.GeoDataFrame,
    layer: tuple[str, str],
    profile: Profile,
    spec: RoleSpec | None,
    options: ThemeOptions,
    area: Area | None,
    report: Report,
    feedback: Feedback,
    rows: int = CHECK_PIECE_ROWS,
) -> LayerResult:
    """Check (and fix) a large table ``rows`` at a time, as a streamed layer's chunks are checked
    (:class:`~odl_geo.theme.table_checks.TableChecks`): the checks that need earlier rows (duplicates, identifiers
    used twice) remember them in a bounded carry, their findings are merged into one line per kind for the whole
    table, rows named in the whole table's numbering. The overlap checks (:data:`WHOLE_TABLE_CHECKS`) then run once
    on the whole fixed table. The table returned is the fixed pieces put together, as a whole check's fixed frame."""
    from .table_checks import TableChecks

    with TableChecks(role, layer, profile, spec, options, area, feedback, rows) as checks:
        checks.add(frame)
        del frame
        return checks.finish(report)


def _area_fields(area: Area | None) -> tuple[frozenset[str] | None, tuple[str, ...], str]:
    return (area.insee if area else None, area.outline if area else (), area.name if area else "")


def _check_layer(
    role: str,
    frame: gpd.GeoDataFrame,
    layer: tuple[str, str],
    profile: Profile | None,
    spec: RoleSpec | None,
    options: ThemeOptions,
    area: Area | None,
    report: Report,
    feedback: Feedback,
    offset: int = 0,
    carry: dict[str, object] | None = None,
    skip: frozenset[str] = frozenset(),
) -> LayerResult:
    """Check ``frame`` (fix it and check it again with ``--fix``); ``offset`` and ``carry`` when it is one chunk of
    a streamed layer (see :class:`~odl_geo.checks.registry.CheckContext`)."""
    name, display = layer
    feedback.info(f"Checking {name}")
    ctx = CheckContext(
        frame,
        name,
        profile,
        spec,
        area.insee if area else None,
        area.outline if area else (),
        area.name if area else "",
        offset=offset,
        carry={} if carry is None else carry,
    )
    theme = profile.key if profile else None
    # a theme product names the layer safely (see products): its source name is then no longer a problem
    product = product_layer_name(name) if profile is not None else None
    renamed = product is not None and product != name
    skip = skip | {"LAYER_NAME_NOT_XML_SAFE"} if renamed else skip
    if renamed:
        report.add(
            Issue(
                "LAYER_RENAMED",
                Severity.INFO,
                f"The products name the layer {product!r}: {name!r} is not a safe XML name for WMS/WFS.",
                layer=name,
                message_fr=f"Les produits nomment la couche {product!r} : {name!r} n'est pas un nom XML sûr pour "
                "WMS/WFS.",
            )
        )
    outcome = run_checks(ctx, theme, skip)
    fixes: list[Fix] = []
    if options.fix and outcome.issues:
        fixed, fixes = fix_context(ctx, outcome)  # the fixed frame's context keeps what the fixes left true
        for f in fixes:
            report.add(
                Issue(
                    "FIX_APPLIED",
                    Severity.INFO,
                    f"{f.code}: " + " ".join(f.changes),
                    layer=name,
                    count=max(len(f.details), 1),
                    message_fr=f"{f.code} corrigé : " + " ".join(f.changes_fr),
                )
            )
        ctx = fixed
        outcome = run_checks(ctx, theme, skip)
    for issue in outcome.issues:
        report.add(replace(issue, examples=list(issue.examples)))
    errors = {i for issue in outcome.issues if issue.severity is Severity.ERROR for i in issue.examples}
    return LayerResult(
        product_name=product or name,
        role=role,
        layer=name,
        display=display,
        frame=ctx.frame,
        source_fields=attribute_columns(frame),
        crs=crs_code(crs) if (crs := getattr(ctx.frame, "crs", None)) is not None else None,
        faulty=set(outcome.faulty),
        fixes=fixes,
        checks_ran=outcome.ran,
        error_rows=errors,
        context=ctx,
    )
