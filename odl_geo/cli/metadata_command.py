"""``odl-geo metadata OUT_FOLDER [--metadata metadata.toml] [--check]``: the dataset's metadata.

Builds the record of an ``odl-geo convert`` output folder from its manifest, quality report and theme, plus the
``metadata.toml`` a person wrote (beside the outputs, or ``--metadata``); checks it (every missing element listed
at once, in French; the INSPIRE rules); then writes ``metadata.xml`` (ISO 19139), ``metadata.jsonld`` (DCAT-AP),
the ISO record into each GeoPackage, and lists them in ``manifest.json``. ``--check`` stops after the checks.

Checks that need more than the record (``--check-harvest``: what data.gouv.fr's harvester makes of it) plug in
through :data:`EXTRA_CHECKS`: a module adds its option in :func:`register` and a function there, run after the
record is built and before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from rich.console import Console

    from ..feedback import Feedback
    from ..metadata import MetadataResult
    from ..theme import ThemeRun

__all__ = ["EXTRA_CHECKS", "ConvertMetadata", "add_convert_option", "register", "run"]

#: (argparse dest, function(args, result, out) -> dict merged into the JSON result): checks run on the prepared
#: record when their option is set (e.g. ``--check-harvest``), before anything is written
EXTRA_CHECKS: list[tuple[str, Callable[[argparse.Namespace, MetadataResult, Console], dict[str, Any]]]] = []


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "metadata",
        parents=[common],
        help="write the ISO 19139 (INSPIRE) and DCAT-AP metadata of an output folder",
        description="Build the metadata record of OUT_FOLDER (an `odl-geo convert` output) from its manifest, "
        "quality report and theme, and from metadata.toml (title, abstract, producer, licence, update frequency: "
        "see docs/metadata.md). Missing elements are all listed, in French, before anything is written. Writes "
        "metadata.xml (ISO 19139, INSPIRE), metadata.jsonld (DCAT-AP), the record inside each GeoPackage, and "
        "lists them in manifest.json.",
    )
    p.add_argument("folder", metavar="OUT_FOLDER")
    p.add_argument("--metadata", metavar="FILE", help="the metadata file (default: OUT_FOLDER/metadata.toml)")
    p.add_argument("--check", action="store_true", help="check only: build and verify the record, write nothing")
    p.add_argument("--no-gpkg", action="store_true", help="do not embed the record in the GeoPackages")
    p.add_argument("--preview", action="store_true", help="show the record's main elements and what is missing, "
                   "write nothing; OUT_FOLDER may then be a data file (converted aside, thrown away)")  # fmt: skip
    p.add_argument("--theme", help="with --preview on a data file: the odl-geo theme (its INSPIRE theme)")
    p.set_defaults(handler=run)
    _register_extra_options(p)


def _register_extra_options(p: argparse.ArgumentParser) -> None:
    """Options of checks living in other modules (each adds itself to EXTRA_CHECKS when importable)."""
    import importlib
    import importlib.util

    for name in ("odl_geo.cli.metadata_harvest",):
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register_options(p)


def run(args: argparse.Namespace, out: Console, err: Console, feedback: Feedback) -> dict[str, Any]:
    from ..metadata import metadata_input, prepare_record, write_metadata

    folder = Path(args.folder)
    feedback.info(f"Reading {folder}")
    if args.preview:
        return _preview(args, out)
    given = metadata_input(folder, args.metadata)
    result = prepare_record(folder, given)
    extra: dict[str, Any] = {}
    for dest, check in EXTRA_CHECKS:
        if getattr(args, dest, False):
            extra |= check(args, result, out)
    notes: list[str] = []
    if not args.check:
        write_metadata(folder, result, gpkg=not args.no_gpkg)
        if not args.no_gpkg and any(folder.glob("*.gpkg")) and _report_says_missing(folder):
            notes.append(
                "report.json et report.html datent d'avant l'intégration de la fiche au GeoPackage (ils signalent "
                "encore PPR_METADATA_MISSING) : convertissez avec --metadata pour un rapport à jour."
            )
    if not args.json and not args.quiet:
        record = result.record
        out.print(f"[bold]{escape(record.title)}[/bold]")
        out.print(f"  identifiant : {escape(record.identifier.uri)}")
        out.print(f"  thème INSPIRE : {escape(record.inspire_theme.label_fr)}")
        out.print(f"  licence : {escape(record.licence.title)} ; mise à jour : {record.frequency.datagouv}")
        for w in result.warnings:
            out.print(f"  [yellow]attention[/yellow] {escape(w.message_fr)}")
        for note in notes:
            out.print(f"  [yellow]note[/yellow] {escape(note)}")
        if args.check:
            out.print("vérification seulement : rien n'a été écrit")
        else:
            for path in result.written:
                out.print(f"  écrit : {escape(str(path))}")
    return result.to_dict() | {"checked_only": bool(args.check), "notes": notes} | extra


def _preview(args: argparse.Namespace, out: Console) -> dict[str, Any]:
    """``--preview``: the record's main elements (odl_geo.metadata.preview), written nowhere."""
    import tomllib

    from ..errors import InputError
    from ..metadata import METADATA_FILE
    from ..metadata.preview import preview_record

    path = Path(args.metadata) if args.metadata else Path(args.folder) / METADATA_FILE
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"Cannot read the metadata file {path}: {exc}.",
            "Give --metadata FILE (TOML).",
            message_fr=f"Impossible de lire le fichier de métadonnées {path} : {exc}.",
            hint_fr="Indiquez --metadata FILE (TOML).",
        ) from None
    data = preview_record(table, args.folder, args.theme, str(path))
    if not args.json and not args.quiet:
        for label, key in (("Titre", "title"), ("Identifiant", "identifier"), ("Thème INSPIRE", "inspire_theme"),
                           ("Licence", "licence"), ("Fréquence", "frequency")):  # fmt: skip
            out.print(f"{label} : {escape(str(data[key] or '—'))}")
        if data["extent_wgs84"]:
            out.print("Emprise (WGS 84) : " + ", ".join(f"{v:.5f}" for v in data["extent_wgs84"]))
        for link in data["links"]:
            out.print(f"  lien {link['kind']} : {escape(link['url'])} {escape(link['name'])}")
        for m in data["missing"]:
            out.print(f"[yellow]à compléter[/yellow] {escape(m['key'])} : {escape(m['message_fr'])}")
        if data["note"]:
            out.print(escape(data["note"]))
    return {"preview": data}


def _report_says_missing(folder: Path) -> bool:
    """Whether the folder's quality report (written by the conversion) says the GeoPackage has no metadata."""
    import json

    try:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(i.get("code") in EMBEDDED_ANSWERS for i in report.get("issues", []) if isinstance(i, dict))


def add_convert_option(p: argparse.ArgumentParser) -> None:
    """``convert --metadata FILE`` (theme runs): the record is written with the outputs."""
    p.add_argument(
        "--metadata",
        metavar="FILE",
        help="with --theme: the metadata file (title, abstract, producer, licence, frequency; default: "
        "OUT/metadata.toml when present): metadata.xml and metadata.jsonld are written with the outputs",
    )


class ConvertMetadata:
    """The metadata part of ``odl-geo convert --theme``: checked before converting (an incomplete metadata file
    stops the run before anything is written), built and written after.

    Without ``--metadata`` and without ``OUT/metadata.toml``, nothing happens (the run says how to add it).
    """

    def __init__(self, args: argparse.Namespace) -> None:
        from ..metadata import METADATA_FILE, load_metadata_file

        out = Path(args.out)
        path = Path(args.metadata) if getattr(args, "metadata", None) else out / METADATA_FILE
        self.path = path if (getattr(args, "metadata", None) or path.is_file()) else None
        self.given = load_metadata_file(self.path) if self.path is not None else None
        self.previous: dict[str, Any] | None = None
        if self.given is not None:  # the encoders (lxml) only for a run that has metadata to write
            from ..metadata import previous_state

            self.previous = previous_state(out)  # convert rewrites the manifest

    def write(
        self, args: argparse.Namespace, out: Console, result: dict[str, Any], run: ThemeRun | None = None
    ) -> None:
        """Build, check and write the record into the converted folder; adds ``metadata`` to ``result``.

        :param run: the theme run; its report no longer says "no metadata in the GeoPackage" once it holds one.
        """
        if self.given is None:
            if not args.json and not args.quiet and args.verbose:
                out.print("métadonnées : aucun metadata.toml (voir docs/metadata.md, puis odl-geo metadata DOSSIER)")
            return
        from ..metadata import prepare_record, write_metadata

        written = write_metadata(args.out, prepare_record(args.out, self.given, previous=self.previous))
        result["metadata"] = written.to_dict()
        if run is not None and any(p.suffix == ".gpkg" for p in written.written):
            _settle_embedded(run, Path(args.out), getattr(args, "lang", "fr"), result)
        if not args.json and not args.quiet:
            out.print(f"métadonnées : metadata.xml, metadata.jsonld ({escape(written.record.identifier.uri)})")


#: the theme validators' findings that embedding the record answers (CNIG PPR: the standard asks for it)
EMBEDDED_ANSWERS = frozenset({"PPR_METADATA_MISSING"})


def _settle_embedded(run: ThemeRun, folder: Path, lang: str, result: dict[str, Any]) -> None:
    """The validator ran before the record was embedded: its "no metadata in the GeoPackage" finding is replaced
    by what was done, in the reports (JSON, HTML), the manifest and the command's result."""
    import json

    from ..report import Issue, Severity
    from ..theme import write_reports

    if not any(i.code in EMBEDDED_ANSWERS for i in run.report.issues):
        return
    run.report.issues = [i for i in run.report.issues if i.code not in EMBEDDED_ANSWERS]
    run.report.add(
        Issue(
            "METADATA_EMBEDDED",
            Severity.INFO,
            "The ISO 19139 record (metadata.xml) was embedded in the GeoPackage (gpkg_metadata).",
            message_fr="La fiche ISO 19139 (metadata.xml) a été intégrée au GeoPackage (gpkg_metadata).",
        )
    )
    write_reports(run, folder, lang)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["report"] = run.report.to_dict()
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    result["report"] = run.report.to_dict()
    result["issues"] = [i.to_dict() for i in run.report.issues]
    result["summary"] = run.counts()
