"""Outputs never replace a source, and never land where the next run would read them as source.

``convert fontaines.csv --to csv --out .`` used to write ``fontaines.csv`` over the source itself, and a GeoPackage
source was replaced by its Lambert-93 copy; a folder source with ``--out`` inside it read its own earlier outputs
back at the next run. Both are refused before anything is written (exit 2, :class:`InputError`).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import InputError

__all__ = ["refuse_overlap", "refuse_replacing", "refuse_replacing_file", "source_files"]

#: sidecars read with a file of each format (same stem, any case): an output named like one replaces the source
SIDECARS: dict[str, tuple[str, ...]] = {
    ".shp": (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd", ".shp.xml"),
    ".dbf": (".shp", ".shx", ".dbf", ".prj", ".cpg"),
    ".shx": (".shp", ".shx", ".dbf", ".prj", ".cpg"),
    ".tab": (".tab", ".dat", ".map", ".id", ".ind"),
    ".mif": (".mif", ".mid"),
    ".gpkg": (".gpkg", ".gpkg-wal", ".gpkg-shm"),
}


def source_files(source: str | Path) -> set[Path]:
    """The resolved files that make up a file source (the file and the sidecars read with it); empty for a folder."""
    src = Path(source).expanduser().resolve()
    if not src.is_file():
        return set()
    found = {src}
    exts = SIDECARS.get(src.suffix.lower(), ())
    if exts:
        stem = src.name[: -len(src.suffix)].lower()
        for sibling in src.parent.iterdir():
            name = sibling.name.lower()
            if name.startswith(stem) and name[len(stem) :] in exts and sibling.is_file():
                found.add(sibling.resolve())
    return found


def refuse_overlap(source: str | Path, out_dir: str | Path, reserved: tuple[str, ...] = ()) -> None:
    """Refuse an output folder that is the source folder or inside it, or that would replace a file of the source
    by one of the ``reserved`` names (``report.json``...) odl-geo always writes there.

    :raises InputError: (exit 2) nothing has been written yet.
    """
    src = Path(source).expanduser().resolve()
    out = Path(out_dir).expanduser().resolve()
    if src.is_dir() and (out == src or src in out.parents):
        raise InputError(
            f"The output folder {out_dir} is inside the source folder {source}: the outputs would be read back as "
            "source at the next run.",
            "Choose an --out outside the source folder.",
            message_fr=f"Le dossier de sortie {out_dir} est dans le dossier source {source} : les fichiers produits "
            "seraient relus comme source à la prochaine exécution.",
            hint_fr="Choisissez un --out en dehors du dossier source.",
        )
    if reserved and src.is_file() and src.parent == out:
        taken = {p.name.lower() for p in source_files(src)} & {r.lower() for r in reserved}
        if taken:
            raise InputError(
                f"Writing into {out_dir} would replace the source file {min(taken)}.",
                "Choose an --out other than the source's folder.",
                message_fr=f"Écrire dans {out_dir} remplacerait le fichier source {min(taken)}.",
                hint_fr="Choisissez un --out autre que le dossier de la source.",
            )


def refuse_replacing(source: str | Path, out_dir: str | Path, names: set[str] | list[str]) -> None:
    """Refuse to move ``names`` into ``out_dir`` when one of them would replace a file of the source.

    Compared by identity (``samefile``), so that a symbolic link, a hard link or another spelling of the path is
    caught too; a case-insensitive file system is covered since the same file is found under either case.

    :raises InputError: (exit 2) called before anything is moved, so the output folder is unchanged.
    """
    files = source_files(source)
    if not files:
        return
    out = Path(out_dir)
    for name in sorted(names):
        target = out / name
        try:
            if not target.exists():
                continue
            if target.resolve() in files or any(os.path.samefile(target, f) for f in files):
                raise InputError(
                    f"The output {name} would replace the source file {target}; nothing was written.",
                    "Choose an --out other than the source's folder (or copy the source elsewhere first).",
                    message_fr=f"Le fichier produit {name} remplacerait le fichier source {target} ; rien n'a été "
                    "écrit.",
                    hint_fr="Choisissez un --out autre que le dossier de la source (ou copiez d'abord la source "
                    "ailleurs).",
                )
        except OSError:
            continue


def refuse_replacing_file(source: str | Path, target: str | Path, option: str = "--out") -> None:
    """Refuse to write the single file ``target`` (a mapping file...) when it is a file of the source.

    :raises InputError: (exit 2) before anything is written.
    """
    files = source_files(source)
    path = Path(target).expanduser()
    if files and path.exists() and (path.resolve() in files or any(os.path.samefile(path, f) for f in files)):
        raise InputError(
            f"{option} {target} is a file of the source: writing it would replace the source; nothing was written.",
            f"Give {option} another file name.",
            message_fr=f"{option} {target} est un fichier de la source : l'écrire remplacerait la source ; rien n'a "
            "été écrit.",
            hint_fr=f"Donnez un autre nom de fichier à {option}.",
        )
