"""Check a GeoPackage against the CNIG PPR template: name, tables, columns, types, declarations, SRS.

The reference is the pinned template itself (``flood_template.load_template``), so the validator and the
converter can never disagree on the standard. The file is opened read-only (``immutable``): shared data and
users' deliveries are never touched. Values (code lists, references, geometries) are checked in
``flood.values``. Every finding is an ``Issue`` with a stable ``PPR_*`` code; ERROR means "not conformant".
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InputError, SourceNotFoundError
from ...numbers import literal
from ...report import Report, Severity
from .cnig import split_table_name
from .columns import check_columns
from .model import TYPEPPR, add_issue
from .template import MANDATORY_TABLES, SRS_ID, TableDef, Template, load_template
from .values import check_values

__all__ = ["GpkgSummary", "open_readonly", "validate_geopackage"]

_SYSTEM = re.compile(r"^(gpkg_|gpkgext_|rtree_|sqlite_)", re.IGNORECASE)


@dataclass
class GpkgSummary:
    """What the validator found; ``conformant`` means no ERROR finding."""

    path: Path
    prefix: str
    row_counts: dict[str, int] = field(default_factory=dict)  # data table -> rows
    errors: int = 0

    @property
    def conformant(self) -> bool:
        return self.errors == 0


def open_readonly(path: Path) -> sqlite3.Connection:
    """Open without any write (no journal, no lock file): the file may sit on read-only shared storage.

    :raises SourceNotFoundError: no such file.
    :raises InputError: the file is not an SQLite database, so not a GeoPackage.
    """
    if not path.is_file():
        raise SourceNotFoundError(
            f"{path} does not exist.",
            "Check the path of the GeoPackage.",
            message_fr=f"{path} est introuvable.",
            hint_fr="Vérifiez le chemin du GeoPackage.",
        )
    with path.open("rb") as fh:
        header = fh.read(16)
    if header != b"SQLite format 3\x00":
        raise InputError(
            f"{path.name} is not a GeoPackage (it is not an SQLite database).",
            "Give the .gpkg file of the PPR, as delivered.",
            message_fr=f"{path.name} n'est pas un GeoPackage (ce n'est pas une base de données SQLite).",
            hint_fr="Donnez le fichier .gpkg du PPR, tel qu'il a été livré.",
        )
    return sqlite3.connect(f"file:{path.resolve()}?mode=ro&immutable=1", uri=True)


def validate_geopackage(path: Path | str, report: Report | None = None, *, geometries: bool = True) -> GpkgSummary:
    """Check ``path`` against the CNIG PPR standard; add the findings to ``report`` and summarise them.

    ``geometries=False`` leaves out the geometry rules, judged row by row: only for a file validated whole before
    and since then only rid of rows (``--drop-invalid`` on the file, :mod:`.leave_out`), where they can find
    nothing new.

    :raises SourceNotFoundError: the file does not exist.
    :raises InputError: the file is not a GeoPackage at all.
    """
    path = Path(path)
    found = Report()
    conn = open_readonly(path)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "gpkg_contents" not in names:
            raise InputError(
                f"{path.name} is an SQLite database but not a GeoPackage (no gpkg_contents table).",
                "Give the .gpkg file of the PPR, as delivered.",
                message_fr=f"{path.name} est une base de données SQLite mais pas un GeoPackage (pas de table "
                "gpkg_contents).",
                hint_fr="Donnez le fichier .gpkg du PPR, tel qu'il a été livré.",
            )
        template = load_template()
        user = sorted(n for n in names if not _SYSTEM.match(n))
        prefix = _check_name(path, user, found)
        matched = _match_tables(user, prefix, template, found)
        _check_presence(matched, user, template, prefix, found)
        for table, (table_def, _) in matched.items():
            check_columns(conn, table, table_def, found)
            _check_declarations(conn, table, table_def, found)
        for code_list in (t for t in user if t in template.code_lists):
            _check_code_list(conn, code_list, template, found)
        counts = check_values(conn, matched, prefix, template, found, geometries=geometries)
        _check_metadata(conn, names, found)
    finally:
        conn.close()
    if report is not None:
        report.extend(found)
    return GpkgSummary(path, prefix, counts, len(found.by_severity(Severity.ERROR)))


def _check_name(path: Path, tables: list[str], report: Report) -> str:
    """``[TypePPR]_[CodeGASPARComplet].gpkg`` in lower case, TypePPR pprn or pprt; returns the tables' prefix."""
    prefixes = sorted({f"{p[0]}_{p[1]}" for t in tables if (p := split_table_name(t))})
    stem = path.stem.lower()
    m = re.fullmatch(r"([a-z]+)_([0-9a-z]+)", stem)
    rule = "the standard names the file [typeppr]_[codegaspar].gpkg in lower case, e.g. pprn_76ddtm20120001.gpkg"
    rule_fr = "le standard nomme le fichier [typeppr]_[codegaspar].gpkg en minuscules, p. ex. pprn_76ddtm20120001.gpkg"
    if m is None or path.suffix != ".gpkg":
        add_issue(
            report,
            "PPR_FILE_NAME",
            Severity.ERROR,
            f"{path.name} does not follow the naming rule: {rule}.",
            "Rename the file after the procedure's type and GASPAR code.",
            fr=f"{path.name} ne suit pas la règle de nommage : {rule_fr}.",
            hint_fr="Renommez le fichier d'après le type de la procédure et son code GASPAR.",
        )
    elif path.name != path.name.lower():
        add_issue(
            report,
            "PPR_FILE_NAME",
            Severity.ERROR,
            f"{path.name} has capital letters: {rule}.",
            f"Rename it {path.name.lower()}.",
            fr=f"{path.name} a des majuscules : {rule_fr}.",
            hint_fr=f"Renommez-le {path.name.lower()}.",
        )
    elif m.group(1) not in TYPEPPR:
        add_issue(
            report,
            "PPR_FILE_NAME",
            Severity.ERROR,
            f"{path.name}: {m.group(1)!r} is not a PPR type of the standard ({' or '.join(TYPEPPR)}); mining "
            "plans (PPRM) are outside the CNIG PPR standard.",
            "Only natural (pprn) and technological (pprt) plans can be delivered in this standard.",
            fr=f"{path.name} : {m.group(1)!r} n'est pas un type de PPR du standard ({' ou '.join(TYPEPPR)}) ; les "
            "plans miniers (PPRM) sont hors du standard CNIG PPR.",
            hint_fr="Seuls les plans naturels (pprn) et technologiques (pprt) peuvent être livrés dans ce standard.",
        )
    if stem in prefixes or not prefixes:
        return stem
    add_issue(
        report,
        "PPR_TABLE_PREFIX",
        Severity.ERROR,
        f"The tables of {path.name} are prefixed {', '.join(prefixes)}, not {stem}: the standard prefixes every "
        "table with the file name.",
        "Rename the file or the tables so that they match.",
        fr=f"Les tables de {path.name} sont préfixées {', '.join(prefixes)}, pas {stem} : le standard préfixe chaque "
        "table par le nom du fichier.",
        hint_fr="Renommez le fichier ou les tables pour qu'ils concordent.",
    )
    return prefixes[0]


def _match_tables(
    tables: list[str], prefix: str, template: Template, report: Report
) -> dict[str, tuple[TableDef, str | None]]:
    matched: dict[str, tuple[TableDef, str | None]] = {}
    for name in tables:
        if name in template.code_lists:
            matched[name] = (template.tables[name], None)
            continue
        parts = split_table_name(name)
        if parts is None:
            add_issue(
                report,
                "PPR_TABLE_UNEXPECTED",
                Severity.WARNING,
                f"{name} is not a table of the CNIG PPR standard.",
                "Remove it from the delivery, or check its name against the standard.",
                layer=name,
                fr=f"{name} n'est pas une table du standard CNIG PPR.",
                hint_fr="Retirez-la de la livraison, ou vérifiez son nom d'après le standard.",
            )
            continue
        if f"{parts[0]}_{parts[1]}" != prefix:
            add_issue(
                report,
                "PPR_TABLE_PREFIX",
                Severity.ERROR,
                f"{name} does not start with the delivery's prefix {prefix}_.",
                "Rename the table.",
                layer=name,
                fr=f"{name} ne commence pas par le préfixe de la livraison {prefix}_.",
                hint_fr="Renommez la table.",
            )
        found = template.match(parts[2])
        assert found is not None  # split_table_name only matches template patterns
        table_def, code = found
        if code is not None and (code not in template.codes("typealea") or not table_def.allows_hazard(code)):
            label = template.code_lists["typealea"].get(code, "not a code of typealea")
            add_issue(
                report,
                "PPR_TABLE_HAZARD_CODE",
                Severity.ERROR,
                f"{name}: hazard code {code} ({label.strip()}) is not allowed in the {table_def.base} tables.",
                _hazard_hint(table_def.base),
                layer=name,
                fr=f"{name} : le code d'aléa {code} ({label.strip()}) n'est pas admis dans les tables "
                f"{table_def.base}.",
                hint_fr=_hazard_hint(table_def.base, "fr"),
            )
        matched[name] = found
    return matched


def _hazard_hint(base: str, lang: str = "en") -> str:
    if lang == "fr":
        return {
            "zonealeareference": "Ces tables portent les aléas naturels (codes typealea 1xx).",
            "zonealeaecheance100ans": "Cette table n'existe que pour la submersion marine (117).",
            "zonealeaexceptionnel": "Cette table n'existe que pour les avalanches (14).",
            "zonealeatechnoprojection": "Cette table n'existe que pour l'effet de projection (214).",
        }.get(base, "Utilisez un code de la liste typealea des aléas industriels (21x).")
    return {
        "zonealeareference": "These tables hold natural hazards (typealea codes 1xx).",
        "zonealeaecheance100ans": "This table only exists for marine submersion (117).",
        "zonealeaexceptionnel": "This table only exists for avalanches (14).",
        "zonealeatechnoprojection": "This table only exists for the projection effect (214).",
    }.get(base, "Use a code of the typealea list of the industrial hazards (21x).")


def _check_presence(
    matched: dict[str, tuple[TableDef, str | None]], tables: list[str], template: Template, prefix: str, report: Report
) -> None:
    kinds = {d.kind for d, _ in matched.values()}
    for kind in MANDATORY_TABLES:
        if kind not in kinds:
            add_issue(
                report,
                "PPR_TABLE_MISSING",
                Severity.ERROR,
                f"The mandatory table {prefix}_{kind} is missing.",
                "The standard requires procedure, perimetre_s and referenceinternet in every delivery.",
                layer=f"{prefix}_{kind}",
                fr=f"La table obligatoire {prefix}_{kind} est absente.",
                hint_fr="Le standard exige procedure, perimetre_s et referenceinternet dans toute livraison.",
            )
    optional = sorted(
        t.kind
        for t in template.data_tables()
        if t.kind not in kinds and t.kind not in MANDATORY_TABLES and not t.placeholder
    )
    if optional:
        add_issue(
            report,
            "PPR_TABLES_OPTIONAL_ABSENT",
            Severity.INFO,
            f"{{n}} optional {{n:table|tables}} of the template {{n:is|are}} absent: {literal(', '.join(optional))}.",
            "Nothing to do if the PPR has no such data.",
            count=len(optional),
            fr=f"{{n}} {{n:table facultative|tables facultatives}} du gabarit {{n:absente|absentes}} : "
            f"{literal(', '.join(optional))}.",
            hint_fr="Rien à faire si le PPR n'a pas de telles données.",
            numbers={"n": len(optional)},
        )
    lists = sorted(k for k in template.code_lists if k not in tables)
    if lists:
        add_issue(
            report,
            "PPR_CODE_LISTS_ABSENT",
            Severity.INFO,
            f"{{n}} code-list {{n:table|tables}} of the template {{n:is|are}} absent: {literal(', '.join(lists))}. "
            "{n:It is|They are} optional, but QGIS forms and foreign keys rely on {n:it|them}.",
            "odl-geo convert --theme flood writes all of them.",
            count=len(lists),
            fr=f"{{n}} {{n:table|tables}} de listes de codes du gabarit {{n:absente|absentes}} : "
            f"{literal(', '.join(lists))}. {{n:Elle est facultative|Elles sont facultatives}}, mais les formulaires "
            "QGIS et les clés étrangères s'en servent.",
            hint_fr="odl-geo convert --theme flood les écrit toutes.",
            numbers={"n": len(lists)},
        )


def _check_declarations(conn: sqlite3.Connection, table: str, table_def: TableDef, report: Report) -> None:
    row = conn.execute("SELECT data_type, srs_id FROM gpkg_contents WHERE table_name = ?", (table,)).fetchone()
    if row is None:
        add_issue(
            report,
            "PPR_CONTENTS_MISSING",
            Severity.ERROR,
            f"{table} is not declared in gpkg_contents.",
            "Declare it (GIS software will not list it otherwise).",
            layer=table,
            fr=f"{table} n'est pas déclarée dans gpkg_contents.",
            hint_fr="Déclarez-la (sinon les logiciels SIG ne la listent pas).",
        )
        return
    if row[0] != table_def.data_type:
        add_issue(
            report,
            "PPR_DATA_TYPE",
            Severity.ERROR,
            f"{table} is declared '{row[0]}' in gpkg_contents; the standard says '{table_def.data_type}'.",
            "Correct gpkg_contents.data_type.",
            layer=table,
            fr=f"{table} est déclarée « {row[0]} » dans gpkg_contents ; le standard dit « {table_def.data_type} ».",
            hint_fr="Corrigez gpkg_contents.data_type.",
        )
    if table_def.geometry_type is None:
        return
    geom = conn.execute(
        "SELECT geometry_type_name, srs_id, z, m FROM gpkg_geometry_columns WHERE table_name = ?", (table,)
    ).fetchone()
    if geom is None:
        add_issue(
            report,
            "PPR_GEOMETRY_COLUMN_MISSING",
            Severity.ERROR,
            f"{table} has no row in gpkg_geometry_columns.",
            "Declare its geometry column.",
            layer=table,
            fr=f"{table} n'a pas de ligne dans gpkg_geometry_columns.",
            hint_fr="Déclarez sa colonne de géométrie.",
        )
        return
    if str(geom[0]).upper() != table_def.geometry_type:
        add_issue(
            report,
            "PPR_GEOMETRY_TYPE_DECLARED",
            Severity.ERROR,
            f"{table} declares {geom[0]} geometries; the standard says {table_def.geometry_type}.",
            "Rewrite the table with the standard's geometry type.",
            layer=table,
            fr=f"{table} déclare des géométries {geom[0]} ; le standard dit {table_def.geometry_type}.",
            hint_fr="Réécrivez la table avec le type de géométrie du standard.",
        )
    srs = conn.execute(
        "SELECT organization, organization_coordsys_id FROM gpkg_spatial_ref_sys WHERE srs_id = ?", (geom[1],)
    ).fetchone()
    if geom[1] != SRS_ID or srs is None or (str(srs[0]).upper(), srs[1]) != ("EPSG", SRS_ID):
        add_issue(
            report,
            "PPR_SRS",
            Severity.ERROR,
            f"{table} is in SRS {geom[1]} ({'/'.join(map(str, srs)) if srs else 'undefined'}), not EPSG:{SRS_ID} "
            "(Lambert-93).",
            "Reproject the data to EPSG:2154.",
            layer=table,
            fr=f"{table} est dans le SRS {geom[1]} ({'/'.join(map(str, srs)) if srs else 'non défini'}), pas "
            f"EPSG:{SRS_ID} (Lambert-93).",
            hint_fr="Reprojetez les données en EPSG:2154.",
        )
    if geom[2] or geom[3]:
        add_issue(
            report,
            "PPR_GEOMETRY_ZM",
            Severity.ERROR,
            f"{table} declares Z or M coordinates; the standard has none.",
            "Drop Z and M (z = 0, m = 0).",
            layer=table,
            fr=f"{table} déclare des coordonnées Z ou M ; le standard n'en a pas.",
            hint_fr="Retirez Z et M (z = 0, m = 0).",
        )


def _check_code_list(conn: sqlite3.Connection, table: str, template: Template, report: Report) -> None:
    try:
        rows = dict(conn.execute(f'SELECT code, libelle FROM "{table}"').fetchall())
    except sqlite3.Error:
        rows = {}
    wanted = template.code_lists[table]
    missing, extra = sorted(set(wanted) - set(rows)), sorted(set(rows) - set(wanted))
    if missing or extra:
        add_issue(
            report,
            "PPR_CODE_LIST_ALTERED",
            Severity.WARNING,
            f"The code list {table} differs from the standard's: missing {', '.join(missing) or 'none'}; "
            f"not in the standard {', '.join(map(str, extra)) or 'none'}.",
            "Replace it with the standard's list (odl-geo writes the official lists).",
            layer=table,
            fr=f"La liste de codes {table} diffère de celle du standard : manquent {', '.join(missing) or 'aucun'} ; "
            f"hors standard {', '.join(map(str, extra)) or 'aucun'}.",
            hint_fr="Remplacez-la par la liste du standard (odl-geo écrit les listes officielles).",
        )


def _check_metadata(conn: sqlite3.Connection, names: set[str], report: Report) -> None:
    ok = False
    if {"gpkg_metadata", "gpkg_metadata_reference"} <= names:
        ok = (
            conn.execute(
                "SELECT count(*) FROM gpkg_metadata m JOIN gpkg_metadata_reference r ON r.md_file_id = m.id "
                "WHERE m.md_scope = 'dataset' AND r.reference_scope = 'geopackage'"
            ).fetchone()[0]
            > 0
        )
    if not ok:
        add_issue(
            report,
            "PPR_METADATA_MISSING",
            Severity.WARNING,
            "The GeoPackage holds no dataset metadata (gpkg_metadata): the standard asks for the ISO 19139 "
            "metadata of the delivery inside the file.",
            "Embed the metadata (FloodSettings.metadata_xml / mapping constant metadata_xml) before delivery.",
            fr="Le GeoPackage ne contient aucune métadonnée de jeu de données (gpkg_metadata) : le standard demande "
            "les métadonnées ISO 19139 de la livraison dans le fichier.",
            hint_fr="Intégrez les métadonnées (FloodSettings.metadata_xml / constante metadata_xml du fichier de "
            "correspondance) avant la livraison.",
        )
