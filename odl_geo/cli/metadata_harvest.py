"""``odl-geo metadata OUT_FOLDER --check-harvest``: what data.gouv.fr will make of the record, before publishing.

Plugs into :mod:`odl_geo.cli.metadata_command` (its ``EXTRA_CHECKS``): runs on the prepared ISO 19139 record,
before anything is written. The conversion is udata's own (its ``csw-iso-19139`` harvester in preview mode, run
with udata's Python: see :mod:`odl_geo.publishers.csw.harvest_check`), and the result is told in French: title,
licence recognised or not, tags, spatial coverage, resources.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from ..errors import InputError

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..metadata import MetadataResult

__all__ = ["check_harvest", "register_options"]


def register_options(p: argparse.ArgumentParser) -> None:
    from .metadata_command import EXTRA_CHECKS

    p.add_argument("--check-harvest", action="store_true", help="also show what data.gouv.fr's harvester "
                   "(udata csw-iso-19139, run in preview mode; needs udata: scripts/setup_udata.sh or "
                   "ODL_UDATA_PYTHON) will make of the record")  # fmt: skip
    if not any(dest == "check_harvest" for dest, _ in EXTRA_CHECKS):
        EXTRA_CHECKS.append(("check_harvest", check_harvest))


def check_harvest(args: argparse.Namespace, result: MetadataResult, out: Console) -> dict[str, Any]:
    """:raises InputError: udata is not available, or it would not harvest the record (its reason given)."""
    from ..publishers.csw.harvest_check import describe_fr, preview_harvest

    with tempfile.TemporaryDirectory(prefix="odl-geo-harvest-") as tmp:
        path = Path(tmp) / "metadata.xml"
        path.write_bytes(result.xml)
        previews = preview_harvest([path])
    if not previews:
        raise InputError(
            "data.gouv.fr's harvester found no dataset in the record.",
            "Check that metadata.xml describes a dataset (hierarchyLevel dataset).",
            message_fr="Le moissonneur de data.gouv.fr ne trouve aucun jeu de données dans la fiche.",
            hint_fr="Vérifiez que metadata.xml décrit un jeu de données (hierarchyLevel dataset).",
        )
    if not args.json and not args.quiet:
        out.print("[bold]Ce que data.gouv.fr fera de cette fiche[/bold] (moissonneur csw-iso-19139 de udata, aperçu) :")
        for preview in previews:
            for line in describe_fr(preview):
                style = "yellow" if line.startswith("ATTENTION") else ""
                out.print(f"  {escape(line)}", style=style)
    bad = [p for p in previews if not p.ok]
    if bad:
        raise InputError(
            f"data.gouv.fr would not harvest the record {bad[0].remote_id}: {'; '.join(bad[0].errors)[:400]}",
            "Fix metadata.toml (or the data) and run the check again.",
            message_fr=f"data.gouv.fr ne moissonnerait pas la fiche {bad[0].remote_id} : "
            f"{'; '.join(bad[0].errors)[:400]}",
            hint_fr="Corrigez metadata.toml (ou les données) et relancez la vérification.",
        )
    return {"harvest_check": [p.to_dict() for p in previews]}
