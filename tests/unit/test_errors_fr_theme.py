"""The errors of a theme run, of the metadata and of ``odl-geo embed`` say what is wrong in French too: each one
triggered through the real code (a source its theme refuses, an option without --theme, a missing or broken
metadata.toml, a forked child's error or death, a bad territory), with its English."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from odl_geo.embed import discover, parse_territory
from odl_geo.errors import InputError, OutputError, RemoteError, SourceNotFoundError
from odl_geo.metadata import MetadataIncomplete, load_metadata_file, parse_metadata
from odl_geo.metadata.build import read_folder
from odl_geo.theme import ThemeOptions, check_theme, convert_theme
from odl_geo.theme.forked import ForkedTask
from odl_geo.theme.pass_child import LABEL as PASS_LABEL

if TYPE_CHECKING:
    from pathlib import Path

FOUNTAINS = "water/montpellier_bornes_fontaines/VilleMTP_MTP_Fontaines.csv"


def test_a_source_its_theme_refuses_is_refused_in_french(data_copy, tmp_path: Path) -> None:
    src = data_copy(FOUNTAINS)
    out = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        convert_theme(src, out, "pei")
    err = caught.value
    assert err.message == (
        "VilleMTP_MTP_Fontaines.csv cannot be published as pei: 4 errors (REQUIRED_FIELD_MISSING, SCHEMA_INVALID). "
        f"Nothing but the report was written in {out}."
    )
    assert err.message_fr == (
        "VilleMTP_MTP_Fontaines.csv ne peut pas être publié avec le thème pei : 4 erreurs (REQUIRED_FIELD_MISSING, "
        f"SCHEMA_INVALID). Seul le rapport a été écrit dans {out}."
    )
    assert err.hint_fr == (
        f"Lisez {out / 'report.html'}, puis utilisez un fichier de correspondance (--mapping), --fix, ou "
        "--drop-invalid pour ne publier que les objets valides."
    )


def test_an_option_that_needs_a_theme_says_so_in_french(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        check_theme(tmp_path / "x.csv", None, ThemeOptions(mapping=tmp_path / "map.toml"))
    assert caught.value.message == "--mapping needs --theme: a mapping file maps fields to a theme's schema."
    assert caught.value.text("fr") == (
        "--mapping demande --theme : un fichier de correspondance relie les champs au schéma d'un thème.",
        "Ajoutez --theme.",
    )
    with pytest.raises(InputError) as caught:
        check_theme(tmp_path / "x.csv", None, ThemeOptions(keep_personal=("nom",)))
    assert caught.value.message_fr.startswith("--keep-personal demande --theme : ")


def test_a_missing_or_broken_metadata_file_and_a_folder_without_manifest_are_said_in_french(tmp_path: Path) -> None:
    absent = tmp_path / "metadata.toml"
    with pytest.raises(InputError) as caught:
        load_metadata_file(absent)
    assert caught.value.message == f"Metadata file not found: {absent}."
    assert caught.value.text("fr") == (
        f"Fichier de métadonnées introuvable : {absent}.",
        "Indiquez le chemin d'un metadata.toml.",
    )
    absent.write_text('title = "Sentiers\n', encoding="utf-8")  # the closing quote forgotten
    with pytest.raises(InputError) as caught:
        load_metadata_file(absent)
    assert caught.value.message.startswith("metadata.toml is not valid TOML: ")
    assert caught.value.message_fr.startswith("metadata.toml n'est pas un fichier TOML valide : ")
    assert caught.value.hint_fr.startswith("Corrigez la ligne indiquée")
    with pytest.raises(InputError) as caught:
        read_folder(tmp_path)
    assert caught.value.message == f"{tmp_path} has no manifest.json: it is not a folder odl-geo wrote."
    assert caught.value.text("fr") == (
        f"{tmp_path} n'a pas de manifest.json : ce n'est pas un dossier écrit par odl-geo.",
        "Indiquez le dossier --out d'une exécution de `odl-geo convert`.",
    )


def test_incomplete_metadata_is_said_in_english_and_in_french() -> None:
    with pytest.raises(MetadataIncomplete) as caught:
        parse_metadata({"title": "Sentiers"}, "metadata.toml")
    err = caught.value
    assert err.message.startswith(
        "Metadata incomplete (metadata.toml): 4 elements to fill in before anything is written or published:\n"
        "  - abstract: the abstract"
    )
    assert err.hint == (
        "Complete metadata.toml (template in docs/metadata.md) and run again. Nothing was written or sent."
    )
    assert err.message_fr.startswith("Métadonnées incomplètes (metadata.toml) : ")  # as it always was
    assert err.text("fr") == (err.message_fr, err.hint_fr) and "Rien n'a été écrit ni envoyé" in err.hint_fr
    assert "é" not in err.message + err.hint  # an English terminal reads no French
    assert err.details.startswith("Metadata incomplete (metadata.toml), ")


class _Unpicklable(InputError):
    """An error of the package holding something pickle refuses (here a lambda): its texts cross anyway."""


def _fail_in_french() -> None:
    exc = RemoteError(
        "GeoServer refused layer 'x'.",
        "Check the workspace.",
        "HTTP 500 body",
        500,
        message_fr="GeoServer a refusé la couche 'x'.",
        hint_fr="Vérifiez l'espace de travail.",
    )
    raise exc


def _fail_unpicklable() -> None:
    exc = _Unpicklable("Bad value in x.", "Fix x.", message_fr="Valeur erronée dans x.", hint_fr="Corrigez x.")
    exc.callback = lambda: None  # type: ignore[attr-defined]
    raise exc


def test_a_forked_childs_error_crosses_to_the_run_with_its_french() -> None:
    with pytest.raises(RemoteError) as caught:
        ForkedTask(_fail_in_french, "GeoPackage").result()
    err = caught.value
    assert (err.message, err.hint, err.details, err.status) == (
        "GeoServer refused layer 'x'.", "Check the workspace.", "HTTP 500 body", 500,
    )  # fmt: skip
    assert err.text("fr") == ("GeoServer a refusé la couche 'x'.", "Vérifiez l'espace de travail.")
    with pytest.raises(_Unpicklable) as unpicklable:  # its class, its texts: not an English "failed: ..." text
        ForkedTask(_fail_unpicklable, "GeoPackage").result()
    assert unpicklable.value.exit_code == 2 and str(unpicklable.value) == "Bad value in x. Fix x."
    assert unpicklable.value.text("fr") == ("Valeur erronée dans x.", "Corrigez x.")


@pytest.mark.parametrize(
    ("label", "said"),
    [("GeoPackage", "L'écriture du GeoPackage"), (PASS_LABEL, "L'écriture des produits")],
)
def test_a_forked_child_dead_without_a_word_is_said_in_french(label: str, said: str) -> None:
    with pytest.raises(OutputError) as caught:
        ForkedTask(lambda: os._exit(9), label).result()
    err = caught.value
    assert err.message == f"Writing the {label} stopped unexpectedly (its process ended with status 9)."
    assert err.message_fr == f"{said} s'est arrêtée de façon inattendue (son processus s'est terminé avec le code 9)."
    assert err.hint_fr == "Vérifiez la mémoire et l'espace disque libres, puis relancez la commande."


def test_embed_errors_are_said_in_english_and_in_french(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        parse_territory("commune:3417")
    err = caught.value
    assert err.text("en") == (
        'Territory "commune:3417": the code of a commune is a 5-character INSEE code (34172, 2A004).',
        "Examples: commune:34172, epci:200067106, departement:34 or region:76.",
    )
    assert err.message_fr.startswith("Territoire « commune:3417 » : le code d'une commune est un code INSEE")
    assert err.text("fr") == (err.message_fr, err.hint_fr) and err.hint_fr.startswith("Exemples : commune:34172")
    with pytest.raises(SourceNotFoundError) as missing:
        discover([tmp_path / "rien"])
    assert missing.value.text("en") == (
        f"{tmp_path / 'rien'} does not exist.",
        "Give a published folder (with manifest.json) or a .toml job file.",
    )
    assert missing.value.text("fr") == (
        f"{tmp_path / 'rien'} n'existe pas.",
        "Donnez un dossier publié (avec manifest.json) ou un fichier de tâche .toml.",
    )
