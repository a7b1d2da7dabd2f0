"""Open any file, folder or zip a SIG administrator has, as a list of layers ready to stream.

The opener decides *how* GDAL must read each layer (driver, open options, encoding, temporary copies)
and records every surprise as an issue. It never writes beside the source.
"""

from __future__ import annotations

import errno
import logging
import re
import warnings
from pathlib import Path, PurePosixPath
from typing import Any

import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from ..crs import identify, looks_geographic
from ..errors import (
    EncodingError,
    InputError,
    OdlGeoError,
    OutputError,
    SourceNotFoundError,
    UnsupportedSourceError,
)
from ..naming import safe_file_stem
from ..numbers import agree, quantity
from ..report import Issue, Report, Severity
from . import shapefile
from .csvfile import analyse_csv
from .encoding import SAMPLE_BYTES, EncodingGuess, sniff_text, sniff_text_file
from .formats import DATASET_EXTENSIONS, SIDECAR_EXTENSIONS, driver_for
from .layer import LayerSource, ReadOptions, Source
from .nonfinite import geojson_nonfinite, nonfinite_points
from .textfiles import declares_crs, fresh_dir, identifiers_as_text_copy, keep_identifiers_as_text, transcode
from .zipfiles import ArchivedFile, ZipLimits, extract_members, list_dataset_members

#: what a dataset to open is: a real file (or folder), a zip member read in place, or a path GDAL understands
Item = Path | ArchivedFile | str

__all__ = ["open_source"]

log = logging.getLogger("odl_geo")

GPX_POINT_LAYERS = ("route_points", "track_points")


def open_source(path: str | Path, options: ReadOptions | None = None) -> Source:
    """Open ``path`` (file, folder or zip) and describe every layer in it.

    :raises SourceNotFoundError: the path does not exist or holds no dataset.
    :raises UnsupportedSourceError: no reader understands the file.
    :raises InputError: the requested layer does not exist.
    """
    options = options or ReadOptions()
    src_path = Path(path).expanduser()
    if not src_path.exists():
        raise SourceNotFoundError(
            f"{src_path} does not exist.",
            "Check the path (and its case).",
            message_fr=f"{src_path} est introuvable.",
            hint_fr="Vérifiez le chemin (et les majuscules/minuscules).",
        )
    if options.encoding:
        check_encoding_name(options.encoding)
    workdir = _new_workdir()
    report = Report()
    try:
        try:
            layers = _unique_names(_open_any(src_path, options, workdir, report))
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise
            # the opener writes only into its temporary folder (extracted zip members, UTF-8 copies)
            state = "refuses a file that large" if exc.errno == errno.EFBIG else "is full"
            state_fr = "refuse un fichier aussi gros" if exc.errno == errno.EFBIG else "est plein"
            raise OutputError(
                f"The temporary folder {workdir.parent} {state}: {src_path.name} could not be prepared for "
                f"reading ({exc.strerror}).",
                "Free space there, or point TMPDIR at a folder with more room, and convert again.",
                message_fr=f"Le dossier temporaire {workdir.parent} {state_fr} : {src_path.name} n'a pas pu être "
                f"préparé pour la lecture ({exc.strerror}).",
                hint_fr="Libérez de l'espace dans ce dossier, ou faites pointer TMPDIR vers un dossier plus "
                "spacieux, puis relancez la conversion.",
            ) from exc
        if options.layer is not None:
            layers = _select(layers, options.layer, src_path)
        if not layers:
            errors = [i for i in report.issues if i.severity is Severity.ERROR]
            if errors:
                first = errors[0]
                raise UnsupportedSourceError(
                    first.message,
                    first.hint,
                    # the member's own error, as the English: not « laissé de côté » when nothing else is read
                    message_fr=first.message_fr.removeprefix(_SKIPPED_FR) or first.message,
                    hint_fr=first.hint_fr or first.hint,
                )
            supported = ", ".join(sorted(set(DATASET_EXTENSIONS))) + ", .zip"
            raise SourceNotFoundError(
                f"{src_path.name} holds no layer that odl-geo can read.",
                "Supported: " + supported,
                message_fr=f"{src_path.name} ne contient aucune couche qu'odl-geo sait lire.",
                hint_fr="Formats pris en charge : " + supported,
            )
    except BaseException:
        Source(src_path, [], report, workdir).close()
        raise
    return Source(src_path, layers, report, workdir)


def _new_workdir() -> Path:
    """The source's temporary folder; a missing, read-only or full TMPDIR is said as such (exit 3), not as a bug."""
    try:
        return Source.new_workdir()
    except OSError as exc:
        import tempfile

        raise OutputError(
            f"Cannot create a temporary folder in {tempfile.gettempdir()}: {exc.strerror}.",
            "Free space there or point TMPDIR at a writable folder, and convert again.",
            message_fr=f"Impossible de créer un dossier temporaire dans {tempfile.gettempdir()} : {exc.strerror}.",
            hint_fr="Libérez de l'espace dans ce dossier ou faites pointer TMPDIR vers un dossier accessible en "
            "écriture, puis relancez la conversion.",
        ) from exc


def check_encoding_name(encoding: str) -> None:
    """:raises EncodingError: ``encoding`` is no encoding Python (hence odl-geo) knows."""
    import codecs

    try:
        info = codecs.lookup(encoding)
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):  # rot13, base64...: no text encoding
        raise EncodingError(
            f"--encoding {encoding!r} is not an encoding odl-geo knows.",
            "Use a name such as UTF-8, CP1252 (Windows, French), ISO-8859-15 or leave --encoding out "
            "(the encoding is then detected).",
            message_fr=f"--encoding {encoding!r} n'est pas un encodage connu d'odl-geo.",
            hint_fr="Indiquez un nom comme UTF-8, CP1252 (Windows, français), ISO-8859-15, ou retirez --encoding "
            "(l'encodage est alors détecté).",
        )


def _check_user_encoding(
    path: Path | ArchivedFile, display: str, encoding: str, skip: int = 0, *, strict: bool = True
) -> None:
    """The encoding the user gave must decode the start of a text source, strictly.

    A UTF-16 file has NUL bytes between ASCII letters; a UTF-8 or CP1252 file has none: reading one as the
    other would give a table of garbage (or fail deep inside the reader).

    :raises EncodingError: the first bytes cannot be that encoding.
    """
    import codecs

    sample = path.head(SAMPLE_BYTES) if isinstance(path, ArchivedFile) else _head(path, SAMPLE_BYTES, skip)
    name = codecs.lookup(encoding).name
    problem = problem_fr = ""
    if name.startswith(("utf-16", "utf-32")) and sample and b"\0" not in sample[:4096]:
        problem = "it holds no NUL byte, which every UTF-16/UTF-32 text has"
        problem_fr = "il ne contient aucun octet NUL, alors que tout texte UTF-16/UTF-32 en contient"
    elif strict:
        try:
            codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
        except UnicodeError as exc:
            problem = problem_fr = str(exc)  # Python's own text
    if problem:
        detected = sniff_text(sample).encoding
        raise EncodingError(
            f"{display} cannot be read as {encoding}: {problem}.",
            f"It looks like {detected}: leave --encoding out (the encoding is then detected) or give the right one.",
            message_fr=f"{display} ne peut pas être lu en {encoding} : {problem_fr}.",
            hint_fr=f"Il semble être en {detected} : retirez --encoding (l'encodage est alors détecté) ou indiquez "
            "le bon.",
        )


def _refuse_nonfinite_points(shp: Path, shx: Path | None, display: str) -> None:
    """:raises InputError: point records hold NaN or Infinity (GDAL would read them as empty points)."""
    rows = nonfinite_points(shp, shx)
    if rows.size:
        shown = ", ".join(str(int(r)) for r in rows[:5]) + (", ..." if rows.size > 5 else "")
        which_fr = agree(rows.size, "l'objet", "les objets")
        raise InputError(
            f"{display}: {quantity(rows.size, 'feature has', 'features have', 'en')} coordinates that are not "
            f"numbers (NaN or Infinity), e.g. {agree(rows.size, 'feature', 'features', 'en')} {shown} (0-based, in "
            "source order).",
            "Fix or delete the geometry of these features in the source (in QGIS, the vertex editor), "
            "then convert again.",
            message_fr=f"{display} : {quantity(rows.size, 'objet a', 'objets ont')} des coordonnées qui ne sont pas "
            f"des nombres (NaN ou Infinity), par exemple {which_fr} {shown} "
            "(numérotés à partir de 0, dans l'ordre de la source).",
            hint_fr="Corrigez ou supprimez la géométrie de ces objets dans la source (dans QGIS, l'outil de nœuds), "
            "puis relancez la conversion.",
        )


def _refuse_nonfinite_json(path: Path | ArchivedFile, display: str) -> None:
    """:raises InputError: the GeoJSON holds bare NaN/Infinity numbers in its arrays (not JSON; GDAL would read
    those geometries as empty)."""
    if isinstance(path, ArchivedFile):
        with path.open() as fh:
            n = geojson_nonfinite(fh)
    else:
        with path.open("rb") as fh:
            n = geojson_nonfinite(fh)
    if n:
        raise InputError(
            f"{display}: {quantity(n, 'coordinate is', 'coordinates are', 'en')} NaN or Infinity, which are not "
            "numbers (JSON does not even allow them); those geometries would be read as empty.",
            "Fix or delete the geometry of these features in the source, then convert again.",
            message_fr=f"{display} : {quantity(n, 'coordonnée vaut', 'coordonnées valent')} NaN ou Infinity, qui ne "
            "sont pas des nombres (JSON ne les autorise même pas) ; ces géométries seraient lues comme vides.",
            hint_fr="Corrigez ou supprimez la géométrie de ces objets dans la source, puis relancez la conversion.",
        )


def _head(path: Path, size: int, skip: int = 0) -> bytes:
    with path.open("rb") as fh:
        fh.seek(skip)
        return fh.read(size)


def _dbf_header_size(dbf: Path) -> int:
    """Where a .dbf's records start (its header holds field names in ASCII, whatever the encoding)."""
    with dbf.open("rb") as fh:
        head = fh.read(12)
    return int.from_bytes(head[8:10], "little") if len(head) == 12 else 0


def _unique_names(layers: list[LayerSource]) -> list[LayerSource]:
    """Give layers that share a name (``tracks`` of two GPX files, ``ZONE.shp`` in two folders) distinct names.

    Output files are named after layers: without this, the second layer would overwrite the first one's
    GeoJSON/CSV/Shapefile and be appended into the same GeoPackage table. Names are compared as the file
    names they become (accents folded, case ignored).
    """
    groups: dict[str, list[LayerSource]] = {}
    for lyr in layers:
        groups.setdefault(safe_file_stem(lyr.name).lower(), []).append(lyr)
    taken = {key for key, group in groups.items() if len(group) == 1}
    for group in (g for g in groups.values() if len(g) > 1):
        for lyr in group:
            where = [p for p in re.split(r"[:/\\]", lyr.display) if p]
            # the dataset file (for multi-layer files) or its folder (for same-named files) tells them apart
            stems = [Path(p).stem for p in where[:-1] if Path(p).stem.lower() != lyr.name.lower()]
            base = f"{stems[-1]}_{lyr.name}" if stems else lyr.name
            name, n = base, 1
            while safe_file_stem(name).lower() in taken:
                n += 1
                name = f"{base}_{n}"
            taken.add(safe_file_stem(name).lower())
            lyr.issues.add(
                Issue(
                    "LAYER_RENAMED",
                    Severity.INFO,
                    f"{lyr.display}: another layer is also named {lyr.name!r}; its outputs are named {name!r}.",
                    layer=name,
                    message_fr=f"{lyr.display} : une autre couche s'appelle aussi {lyr.name!r} ; ses fichiers produits "
                    f"sont nommés {name!r}.",
                )
            )
            for issue in lyr.issues.issues:
                if issue.layer == lyr.name:
                    issue.layer = name
            lyr.name = name
    return layers


def _select(layers: list[LayerSource], wanted: str, path: Path) -> list[LayerSource]:
    exact = [lyr for lyr in layers if wanted in (lyr.name, lyr.gdal_layer)]
    chosen = exact or [lyr for lyr in layers if wanted.lower() in (lyr.name.lower(), (lyr.gdal_layer or "").lower())]
    if not chosen:
        names = ", ".join(lyr.name for lyr in layers)
        raise InputError(
            f"{path.name} has no layer named {wanted!r}.",
            f"Available layers: {names or 'none'}.",
            message_fr=f"{path.name} n'a pas de couche nommée {wanted!r}.",
            hint_fr=f"Couches disponibles : {names or 'aucune'}.",
        )
    return chosen


def _open_any(path: Path, options: ReadOptions, workdir: Path, report: Report) -> list[LayerSource]:
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and driver_for(p.name))
        files = [p for p in files if not (p.suffix.lower() == ".dbf" and shapefile.find_parts(p, "").shp)]
        return _open_many([(p, str(p.relative_to(path))) for p in files], options, workdir, report, path)
    if path.suffix.lower() == ".zip":
        return _open_zip(path, options, workdir, report)
    if driver_for(path.name) is None:
        owner = _sidecar_owner(path)
        if owner is not None:
            raise UnsupportedSourceError(
                f"{path.name} is a sidecar file of {owner.name}: it holds no layer on its own.",
                f"Give {owner.name} instead (its sidecar files are read with it).",
                message_fr=f"{path.name} est un fichier annexe de {owner.name} : il ne contient aucune couche à lui "
                "seul.",
                hint_fr=f"Indiquez plutôt {owner.name} (ses fichiers annexes sont lus avec lui).",
            )
        return _open_file(path, path.name, None, options, workdir, report)
    return _open_file(path, path.name, driver_for(path.name), options, workdir, report)


def _sidecar_owner(path: Path) -> Path | None:
    """The dataset a sidecar (.shx, .prj, .dat, .csvt, X.shp.xml...) belongs to, if it stands beside it.

    Users pick the wrong file of a set in file dialogs; naming the right one is the useful answer.
    """
    if path.suffix.lower() not in SIDECAR_EXTENSIONS:
        return None
    stems = {path.stem.lower(), path.name.lower().split(".", 1)[0]}
    owners = [
        p
        for p in path.parent.iterdir()
        if p != path and p.is_file() and driver_for(p.name) and p.name.lower().rsplit(".", 1)[0] in stems
    ]
    rank = list(DATASET_EXTENSIONS)
    owners.sort(key=lambda p: (rank.index(p.suffix.lower()), p.name))
    return owners[0] if owners else None


#: the French words before an unreadable member's error (SOURCE_MEMBER_UNREADABLE)
_SKIPPED_FR = "Fichier illisible, laissé de côté : "
#: the French of "Check that the file is complete (all its sidecar files) and not damaged."
_CHECK_FILE_FR = "Vérifiez que le fichier est complet (avec tous ses fichiers annexes) et non endommagé."


def _open_many(
    items: list[tuple[Item, str]], options: ReadOptions, workdir: Path, report: Report, container: Path
) -> list[LayerSource]:
    """Several datasets (folder or zip): one broken member must not hide the others."""
    layers: list[LayerSource] = []
    for item, display in items:
        try:
            layers.extend(
                _open_file(item, f"{container.name}:{display}", driver_for(display), options, workdir, report)
            )
        except OdlGeoError as exc:
            # the error's own text (its French where it has one) after French words saying what it means here
            hint_fr = exc.hint_fr or exc.hint
            report.add(
                Issue(
                    "SOURCE_MEMBER_UNREADABLE",
                    Severity.ERROR,
                    exc.message,
                    exc.hint,
                    layer=display,
                    message_fr=f"{_SKIPPED_FR}{exc.message_fr or exc.message}",
                    hint_fr=_CHECK_FILE_FR + (f" {hint_fr}" if hint_fr and hint_fr != _CHECK_FILE_FR else ""),
                )
            )
    return layers


def _open_zip(path: Path, options: ReadOptions, workdir: Path, report: Report) -> list[LayerSource]:
    limits = ZipLimits.from_env()  # one budget (bytes, seconds) for every member extracted from this archive
    members = list_dataset_members(path, limits)
    if not members:
        import zipfile

        with zipfile.ZipFile(path) as zf:
            inside = ", ".join(zf.namelist()[:10])
        raise SourceNotFoundError(
            f"The zip archive {path.name} contains no GIS layer (it holds: {inside or 'nothing'}).",
            "Check that the right file was downloaded or exported.",
            message_fr=f"L'archive zip {path.name} ne contient aucune couche SIG (elle contient : "
            f"{inside or 'rien'}).",
            hint_fr="Vérifiez que c'est le bon fichier qui a été téléchargé ou exporté.",
        )
    if options.layer is not None:  # extract only what is read: the member named like the layer, when one is
        wanted = options.layer.lower()
        named = [m for m in members if PurePosixPath(m.name).stem.lower() == wanted]
        members = named or members  # else the layer is inside a member (a GeoPackage's table)
    items: list[tuple[Item, str]] = []
    for n, member in enumerate(members):
        if member.suffix in (".shp", ".dbf", ".tab", ".mif") or member.driver == "CSV":
            # multi-file formats: extract the set (checked for traversal) so sidecars can be inspected; a CSV
            # too (with its .csvt/.prj): its layout is analysed line by line and a .csvt may be written beside it
            dest = workdir / f"zip{n}"
            dest.mkdir()
            sidecars = (".csvt", ".prj") if member.driver == "CSV" else None
            items.append((extract_members(path, member.name, dest, sidecars, limits), member.name))
        else:
            # read in place; text members (GeoJSON) are sniffed through the archive and transcoded if need be
            items.append((ArchivedFile(path, member.name), member.name))
    return _open_many(items, options, workdir, report, path)


def _open_file(
    path: Item, display: str, driver: str | None, options: ReadOptions, workdir: Path, report: Report
) -> list[LayerSource]:
    gdal_path = path.gdal_path if isinstance(path, ArchivedFile) else str(path)
    open_options: dict[str, str] = {}
    encoding: str | None = None
    guess: EncodingGuess | None = None
    pre_issues: list[Issue] = []
    lonlat_names = False
    crs_implied = False  # a GeoJSON without "crs" member: WGS 84 by RFC 7946, not declared
    layer_hint = Path(display).stem
    restore_shx = False
    known: dict[str, Any] | None = None  # a CSV described before its .csvt was written (_csv_info)
    if driver == "ESRI Shapefile" and isinstance(path, Path):
        parts = shapefile.find_parts(path, layer_hint)
        pre_issues.extend(parts.issues)
        if parts.shp is not None:
            _refuse_nonfinite_points(parts.shp, parts.shx, display)
        if options.encoding and parts.dbf is not None:
            # only the UTF-16/32 rule: a .dbf may hold binary fields (FoxPro integers) no text encoding decodes
            _check_user_encoding(parts.dbf, display, options.encoding, _dbf_header_size(parts.dbf), strict=False)
        pre_issues.extend(shapefile.check_integrity(parts, layer_hint, options.accept_loss))
        guess = shapefile.guess_dbf_encoding(parts, options.encoding)
        encoding, guess = shapefile.attribute_encoding(parts, guess, pre_issues, layer_hint)
        if parts.shp is not None and parts.shx is None:
            gdal_path, restore_shx = str(shapefile.restore_shx_copy(parts, fresh_dir(workdir))), True
        elif parts.shp is None and parts.dbf is not None:
            gdal_path = str(parts.dbf)
    elif driver in ("CSV", "GeoJSON", "MapInfo File") and isinstance(path, Path | ArchivedFile):
        if options.encoding:
            _check_user_encoding(path, display, options.encoding)
            guess = EncodingGuess(options.encoding.upper(), "user")
        else:
            guess = sniff_text_file(path) if isinstance(path, Path) else sniff_text(path.head(SAMPLE_BYTES))
        if driver != "MapInfo File" and guess.encoding not in ("UTF-8", "ASCII"):
            gdal_path = str(transcode(path, guess.encoding, workdir))
            pre_issues.append(
                Issue(
                    "ENCODING_TRANSCODED",
                    Severity.INFO,
                    f"{display} is encoded in {guess.encoding}, not UTF-8: it was read as {guess.encoding}.",
                    "Use --encoding if the accents still look wrong.",
                    layer=layer_hint,
                    message_fr=f"{display} est encodé en {guess.encoding}, pas en UTF-8 : il a été lu en "
                    f"{guess.encoding}.",
                    hint_fr="Utilisez --encoding si les accents sont encore faux.",
                )
            )
        if driver == "GeoJSON":
            crs_implied = not declares_crs(path)
            _refuse_nonfinite_json(path, display)
        if driver == "CSV" and isinstance(path, Path):  # zipped CSVs were extracted by _open_zip
            layout = analyse_csv(Path(gdal_path), layer_hint, options.x_field, options.y_field, options.wkt_field)
            open_options, lonlat_names = layout.open_options, layout.lonlat_names
            pre_issues.extend(layout.issues)
            if layout.identifier_columns:
                known = _csv_info(Path(gdal_path), open_options, workdir, display, driver)
                if known is not None:  # read once: the copy with its .csvt is described from it
                    gdal_path = _identifiers_as_text(
                        Path(gdal_path), path, known, layout.identifier_columns, workdir, display, pre_issues
                    )
                else:
                    gdal_path = keep_identifiers_as_text(
                        Path(gdal_path), path, open_options, layout.identifier_columns, workdir, display, pre_issues
                    )
    try:
        if restore_shx:
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": "YES"})
        try:
            names = [str(n) for n, _ in pyogrio.list_layers(gdal_path, **_list_kwargs(open_options))]
        finally:
            if restore_shx:
                pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": None})
    except (DataSourceError, DataLayerError, UnicodeDecodeError, OSError) as exc:
        raise _unreadable(display, driver, exc) from exc
    layers: list[LayerSource] = []
    for name in names:
        if driver == "GPX" and name in GPX_POINT_LAYERS and not options.gpx_points:
            continue
        lyr = LayerSource(
            name=_layer_name(name, display, len(names)),
            display=display if len(names) == 1 else f"{display}:{name}",
            gdal_path=gdal_path,
            gdal_layer=name,
            driver=driver or "",
            open_options=open_options,
            encoding=encoding,
            encoding_guess=guess,
        )
        for issue in pre_issues:
            lyr.issues.add(Issue(**{**issue.__dict__, "layer": lyr.name}))
        _describe(lyr, options, lonlat_names, crs_implied, known)
        if lyr.feature_count == 0:
            lyr.issues.add(
                Issue(
                    "LAYER_EMPTY",
                    Severity.WARNING,
                    f"{lyr.display} has no feature.",
                    "Nothing will be exported for it.",
                    layer=lyr.name,
                    message_fr=f"{lyr.display} ne contient aucun objet.",
                    hint_fr="Rien ne sera exporté pour cette couche.",
                )
            )
            if driver == "GPX":
                continue  # GPX files always declare five layers; empty ones are noise
        layers.append(lyr)
    if driver == "GPX" and not layers:
        raise InputError(
            f"{display} holds no waypoint, route or track.",
            "Export the GPX again from the GPS/app.",
            message_fr=f"{display} ne contient aucun point de passage, itinéraire ni trace.",
            hint_fr="Exportez de nouveau le GPX depuis le GPS ou l'application.",
        )
    return layers


def _describe(
    lyr: LayerSource,
    options: ReadOptions,
    lonlat_names: bool,
    crs_implied: bool = False,
    known: dict[str, Any] | None = None,
) -> None:
    """Fill declared facts (type, count, bounds, fields, CRS) from GDAL, and check the CRS.

    :param known: what GDAL said of this very layer already (:func:`_csv_info`), not asked again.
    """
    info = known if known is not None else _read_info(lyr.gdal_path, lyr.read_kwargs(), lyr.display, lyr.driver)
    lyr.driver = lyr.driver or str(info.get("driver") or "")
    lyr.geometry_type = info.get("geometry_type")
    lyr.feature_count = max(int(info.get("features") or 0), 0)
    tb = info.get("total_bounds")
    lyr.bounds = tuple(float(v) for v in tb) if tb is not None and lyr.feature_count else None  # type: ignore[assignment]
    lyr.fields = [(str(n), str(t)) for n, t in zip(info["fields"], info["dtypes"], strict=False)]
    if not lyr.has_geometry:
        if lyr.driver == "ESRI Shapefile" and lyr.gdal_path.lower().endswith(".shp"):
            lyr.geometry_type = "Unknown"
        else:
            return
    _resolve_crs(lyr, info.get("crs"), options, lonlat_names, crs_implied)


def _read_info(gdal_path: str, kwargs: dict[str, Any], display: str, driver: str | None) -> dict[str, Any]:
    """GDAL's description of a layer: count and bounds forced (a CSV is read through for both)."""
    try:
        with warnings.catch_warnings():
            # GDAL's per-feature warnings ("Ignoring invalid WKT") come back when the layer is streamed,
            # where they are counted into the report; here they would only reach the terminal raw
            warnings.simplefilter("ignore", RuntimeWarning)
            return pyogrio.read_info(gdal_path, force_feature_count=True, force_total_bounds=True, **kwargs)
    except (DataSourceError, DataLayerError, UnicodeDecodeError) as exc:
        raise _unreadable(display, driver, exc) from exc


#: GDAL's detected CSV column types that a .csvt of :func:`~odl_geo.sources.csvfile.write_csvt` gives back as they
#: were (``object`` is text, or a time of day, which the .csvt makes text: ``object`` again)
_CSVT_SAME_DTYPES = frozenset({"int32", "int64", "float64", "object", "datetime64[D]", "datetime64[ms]"})


def _csv_info(
    csv_path: Path, open_options: dict[str, str], workdir: Path, display: str, driver: str | None
) -> dict[str, Any] | None:
    """A CSV whose identifier columns go to a .csvt (codes read as text), described once, before the .csvt.

    GDAL reads a CSV through to count its rows (even unforced) and again for its bounds: asking for its detected
    types (to write the .csvt), then describing the copy with its .csvt, read a 1M-row CSV three times. The
    description of the CSV as it is holds all the copy's (same rows, same X/Y or WKT columns, which are never
    identifier columns), the identifier columns' type aside (text, set by :func:`_identifiers_as_text`).

    None when that would not hold: a column type the .csvt does not give back as it is, or a .prj beside the
    user's file (the copy is made without it): the copy is then described as before.
    """
    if not csv_path.is_relative_to(workdir) and any(csv_path.with_suffix(e).exists() for e in (".prj", ".PRJ")):
        return None
    info = _read_info(str(csv_path), dict(open_options), display, driver)
    if not all(str(t) in _CSVT_SAME_DTYPES for t in info["dtypes"]):
        return None
    return info


def _identifiers_as_text(
    csv_path: Path,
    source: Path,
    info: dict[str, Any],
    columns: list[str],
    workdir: Path,
    display: str,
    issues: list[Issue],
) -> str:
    """:func:`~odl_geo.sources.textfiles.keep_identifiers_as_text` with the types GDAL gave in ``info`` (which
    then describes the copy: its identifier columns made text)."""
    fields = [(str(n), str(t)) for n, t in zip(info["fields"], info["dtypes"], strict=False)]
    path = identifiers_as_text_copy(csv_path, source, fields, columns, workdir, display, issues)
    text = set(columns)
    info["dtypes"] = [
        "object" if str(n) in text else str(t) for n, t in zip(info["fields"], info["dtypes"], strict=False)
    ]
    return path


def _resolve_crs(
    lyr: LayerSource, declared: str | None, options: ReadOptions, lonlat_names: bool, crs_implied: bool = False
) -> None:
    from ..crs import label, plausibility_issue, suggestion

    crs = None
    if declared and "LOCAL_CS" not in declared.upper():
        try:
            crs = identify(declared)
        except Exception as exc:  # noqa: BLE001 - pyproj raises CRSError subclasses and plain errors
            lyr.issues.add(
                Issue(
                    "CRS_UNKNOWN",
                    Severity.WARNING,
                    f"{lyr.display}: the declared CRS is not understood ({exc}).",
                    "Give --source-crs.",
                    layer=lyr.name,
                    message_fr=f"{lyr.display} : le SCR déclaré n'est pas reconnu ({exc}).",
                    hint_fr="Indiquez le SCR source avec --source-crs.",
                )
            )
    if options.source_crs:
        try:
            user = identify(options.source_crs)
        except Exception as exc:
            raise InputError(
                f"--source-crs {options.source_crs!r} is not a CRS odl-geo knows ({exc}).",
                "Use an EPSG code such as EPSG:2154 (Lambert-93) or EPSG:4326.",
                message_fr=f"--source-crs {options.source_crs!r} n'est pas un SCR connu d'odl-geo ({exc}).",
                hint_fr="Indiquez un code EPSG comme EPSG:2154 (Lambert-93) ou EPSG:4326.",
            ) from exc
        if crs is not None and not crs.equals(user):
            lyr.issues.add(
                Issue(
                    "CRS_OVERRIDDEN",
                    Severity.WARNING,
                    f"{lyr.display} declares {label(crs)}; it was read as {label(user)} as asked.",
                    layer=lyr.name,
                    message_fr=f"{lyr.display} déclare {label(crs)} ; la couche a été lue en {label(user)}, comme "
                    "demandé.",
                )
            )
        lyr.crs, lyr.crs_how = user, "user"
    elif crs is not None:
        # GDAL gives every GeoJSON WGS 84; only a "crs" member (old GeoJSON, or QGIS's CRS84) declares it
        implied = crs_implied and crs.equals(identify("EPSG:4326"))
        lyr.crs, lyr.crs_how = crs, "implied" if implied else "declared"
    elif lonlat_names and lyr.bounds is not None and looks_geographic(lyr.bounds):
        lyr.crs, lyr.crs_how = identify("EPSG:4326"), "assumed"
        lyr.issues.add(
            Issue(
                "CRS_ASSUMED_WGS84",
                Severity.INFO,
                f"{lyr.display}: longitude/latitude columns, read as WGS 84 (EPSG:4326).",
                "Give --source-crs if that is wrong.",
                layer=lyr.name,
                message_fr=f"{lyr.display} : colonnes longitude/latitude, lues en WGS 84 (EPSG:4326).",
                hint_fr="Indiquez --source-crs si c'est faux.",
            )
        )
    else:
        what = "has no .prj file" if lyr.driver == "ESRI Shapefile" else "declares no coordinate system"
        what_fr = (
            "n'a pas de système de coordonnées (pas de fichier .prj)"
            if lyr.driver == "ESRI Shapefile"
            else "ne déclare aucun système de coordonnées"
        )
        if declared and "LOCAL_CS" in declared.upper():
            what = "uses a non-earth (local) coordinate system"
            what_fr = "utilise un système de coordonnées local (non terrestre)"
        lyr.issues.add(
            Issue(
                "CRS_MISSING",
                Severity.ERROR,
                f"{lyr.display} {what}.",
                suggestion(lyr.bounds),
                layer=lyr.name,
                message_fr=f"{lyr.display} {what_fr}.",
                hint_fr=suggestion(lyr.bounds, "fr"),
            )
        )
        return
    problem = plausibility_issue(lyr.crs, lyr.bounds, lyr.name)
    if problem is not None:
        problem.message = f"{lyr.display}: {problem.message}"
        problem.message_fr = f"{lyr.display} : {problem.message_fr[:1].lower()}{problem.message_fr[1:]}"
        lyr.issues.add(problem)


def _layer_name(gdal_name: str, display: str, n_layers: int) -> str:
    if n_layers == 1:
        return Path(display.split(":")[-1]).stem if display else gdal_name
    return gdal_name


def _list_kwargs(open_options: dict[str, str]) -> dict[str, str]:
    return {}  # list_layers takes no open options; kept as a seam for drivers that will need them


_GDAL_LINE = re.compile(r"line (\d+)")


def _unreadable(display: str, driver: str | None, exc: Exception) -> UnsupportedSourceError:
    text = str(exc).replace("\n", " ")
    if driver in ("LIBKML", "KML") or display.lower().endswith((".kml", ".kmz")):
        line = _GDAL_LINE.search(text)
        where = f" near line {line.group(1)}" if line else ""
        where_fr = f" vers la ligne {line.group(1)}" if line else ""
        return UnsupportedSourceError(
            f"{display} is not a readable KML file: the XML is broken{where} ({_short(text)}).",
            "Typical causes: a bare '&' (write '&amp;'), text in Latin-1 declared as UTF-8, or a file cut off "
            "during download. Fix the file or export it again.",
            text,
            message_fr=f"{display} n'est pas un fichier KML lisible : le XML est cassé{where_fr} ({_short(text)}).",
            hint_fr="Causes habituelles : un '&' seul (écrivez '&amp;'), du texte en Latin-1 déclaré en UTF-8, ou "
            "un fichier tronqué pendant le téléchargement. Corrigez le fichier ou exportez-le de nouveau.",
        )
    if "not recognized as being in a supported file format" in text or "not recognized as a supported" in text:
        return UnsupportedSourceError(
            f"{display} is not a GIS format odl-geo can read.",
            "Supported: Shapefile, GeoPackage, GeoJSON, KML/KMZ, GPX, MapInfo "
            "TAB/MIF, CSV, FlatGeobuf, and zips of these.",
            text,
            message_fr=f"{display} n'est pas dans un format SIG qu'odl-geo sait lire.",
            hint_fr="Formats pris en charge : Shapefile, GeoPackage, GeoJSON, KML/KMZ, GPX, MapInfo TAB/MIF, CSV, "
            "FlatGeobuf, et des zips de ces formats.",
        )
    return UnsupportedSourceError(
        f"{display} cannot be read: {_short(text)}.",
        "Check that the file is complete (all its sidecar files) and not damaged.",
        text,
        message_fr=f"{display} ne peut pas être lu : {_short(text)}.",
        hint_fr=_CHECK_FILE_FR,
    )


def _short(text: str, limit: int = 160) -> str:
    text = text.strip().rstrip(".")
    return text if len(text) <= limit else text[: limit - 1] + "…"
