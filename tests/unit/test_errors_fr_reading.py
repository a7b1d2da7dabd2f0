"""The errors met when reading a source and writing outputs say what is wrong in French too (``message_fr``,
``hint_fr``): a missing file, a zip with nothing readable, an archive too big, an unknown encoding, layer or
format, an output that is a file, a broken member of a folder, a cancelled read.

Each error is triggered through the real code (the opener, the zip reader, the writers' registry, ``convert``);
the French names the same file, layer or value, and the English is left word for word as it was.
"""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

import pytest

from odl_geo import ReadOptions, Severity, convert, open_source
from odl_geo.errors import (
    CancelledError,
    EncodingError,
    InputError,
    OutputError,
    SourceNotFoundError,
    UnsupportedSourceError,
)
from odl_geo.exports.registry import writers_for
from odl_geo.feedback import NullFeedback, check_cancelled
from odl_geo.numbers import NARROW_NBSP as NB
from odl_geo.sources.zipfiles import ZipLimits, extract_members

if TYPE_CHECKING:
    from pathlib import Path

GDAL = "encoding/gdal_autotest"
PPRM_GPKG = "flood/ddt38_pprm_cnig_gpkg/pprm_38ddt20180002.gpkg"


def test_a_missing_source_is_introuvable(tmp_path: Path) -> None:
    path = tmp_path / "communes.shp"
    with pytest.raises(SourceNotFoundError) as err:
        open_source(path)
    assert err.value.message == f"{path} does not exist." and err.value.hint == "Check the path (and its case)."
    assert err.value.message_fr == f"{path} est introuvable."
    assert err.value.hint_fr.startswith("Vérifiez le chemin")
    assert err.value.text("fr") == (err.value.message_fr, err.value.hint_fr)


def test_a_zip_without_a_layer_lists_what_it_holds_in_french(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("lisezmoi.txt", "rien")
    with pytest.raises(SourceNotFoundError) as err:
        open_source(archive)
    assert err.value.message == "The zip archive export.zip contains no GIS layer (it holds: lisezmoi.txt)."
    assert err.value.message_fr == (
        "L'archive zip export.zip ne contient aucune couche SIG (elle contient : lisezmoi.txt)."
    )
    assert "bon fichier" in err.value.hint_fr

    broken = tmp_path / "coupe.zip"
    broken.write_bytes(b"PK\x03\x04 cut off during download")
    with pytest.raises(UnsupportedSourceError) as bad:
        open_source(broken)
    assert bad.value.message.startswith("coupe.zip is not a readable zip archive (")
    assert bad.value.message_fr.startswith("coupe.zip n'est pas une archive zip lisible (")
    assert bad.value.hint_fr == "Téléchargez-la de nouveau ou recréez-la."


def test_a_zip_past_its_byte_budget_says_its_size_the_french_way(tmp_path: Path, monkeypatch) -> None:
    archive = tmp_path / "bornes.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(3):
            zf.writestr(f"couche_{i}.csv", b"id;nom\n" + b"1;a\n" * 75_000)  # 300 kB each
    monkeypatch.setenv("ODL_GEO_ZIP_MAX_BYTES", "500000")
    with pytest.raises(InputError) as err:
        open_source(archive)
    assert err.value.message == "The zip archive bornes.zip would expand to 0.9 MB (more than 0.5 MB)."
    assert err.value.message_fr == ("L'archive zip bornes.zip ferait 0,9 Mo une fois décompressée (plus de 0,5 Mo).")
    assert "ODL_GEO_ZIP_MAX_BYTES" in err.value.hint_fr and "Extrayez-la vous-même" in err.value.hint_fr

    dest = tmp_path / "dest"
    dest.mkdir()
    with pytest.raises(InputError) as err:
        extract_members(archive, "couche_0.csv", dest, (), ZipLimits(max_bytes=20_000))
    assert err.value.message.startswith("The zip archive bornes.zip expands beyond 20000 bytes")
    assert err.value.message_fr == (
        f"L'archive zip bornes.zip dépasse 20{NB}000 octets une fois décompressée : extraction arrêtée."
    )

    monkeypatch.setenv("ODL_GEO_ZIP_MAX_BYTES", "beaucoup")
    with pytest.raises(InputError) as err:
        open_source(archive)
    assert err.value.message == "ODL_GEO_ZIP_MAX_BYTES='beaucoup' is not a number."
    assert err.value.message_fr == "ODL_GEO_ZIP_MAX_BYTES='beaucoup' n'est pas un nombre."


def test_wrong_options_are_said_in_french(shared_data: Path) -> None:
    with pytest.raises(EncodingError) as err:
        open_source(shared_data / PPRM_GPKG, ReadOptions(encoding="latin-9000"))
    assert err.value.message == "--encoding 'latin-9000' is not an encoding odl-geo knows."
    assert err.value.message_fr == "--encoding 'latin-9000' n'est pas un encodage connu d'odl-geo."
    assert "UTF-8, CP1252" in err.value.hint_fr and "retirez --encoding" in err.value.hint_fr

    with pytest.raises(InputError) as no_layer:
        open_source(shared_data / PPRM_GPKG, ReadOptions(layer="zones"))
    assert no_layer.value.message == "pprm_38ddt20180002.gpkg has no layer named 'zones'."
    assert no_layer.value.message_fr == "pprm_38ddt20180002.gpkg n'a pas de couche nommée 'zones'."
    assert no_layer.value.hint_fr.startswith("Couches disponibles : ") and "pprm_38ddt20180002_perimetre_s" in (
        no_layer.value.hint_fr
    )

    with pytest.raises(InputError) as no_format:
        writers_for(["gpkg", "dxf"])
    assert no_format.value.message == "Unknown output format 'dxf'."
    assert no_format.value.message_fr == "Format de sortie inconnu : 'dxf'."
    assert no_format.value.hint_fr.startswith("Choisissez parmi : gpkg, geojson")

    with pytest.raises(UnsupportedSourceError) as sidecar:
        open_source(shared_data / GDAL / "shp/departs.shx")
    assert sidecar.value.message == "departs.shx is a sidecar file of departs.shp: it holds no layer on its own."
    assert sidecar.value.message_fr == (
        "departs.shx est un fichier annexe de departs.shp : il ne contient aucune couche à lui seul."
    )
    assert sidecar.value.hint_fr == "Indiquez plutôt departs.shp (ses fichiers annexes sont lus avec lui)."


def test_an_output_that_is_a_file_is_refused_in_french(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "sortie"
    out.write_text("pas un dossier")
    with pytest.raises(OutputError) as err:
        convert(shared_data / PPRM_GPKG, out, formats=("geojson",))
    assert err.value.message == f"The output {out} exists and is not a folder."
    assert err.value.message_fr == f"La sortie {out} existe et n'est pas un dossier."
    assert err.value.hint_fr == "Choisissez un autre --out."


def test_a_broken_member_of_a_folder_is_left_out_in_french(shared_data: Path) -> None:
    with open_source(shared_data / GDAL / "kml") as src:
        (issue,) = src.issues.by_severity(Severity.ERROR)
    assert issue.code == "SOURCE_MEMBER_UNREADABLE"
    assert issue.message.startswith("kml:truncated.kml is not a readable KML file: the XML is broken")
    # the embedded error is the French one, not the English one after French words
    assert issue.message_fr.startswith(
        "Fichier illisible, laissé de côté : kml:truncated.kml n'est pas un fichier KML lisible : le XML est cassé"
    )
    assert "is not" not in issue.message_fr and "Typical causes" not in issue.hint_fr
    assert "Causes habituelles : un '&' seul (écrivez '&amp;')" in issue.hint_fr


def test_a_zip_whose_only_member_is_broken_raises_the_members_french(tmp_path: Path) -> None:
    archive = tmp_path / "lot.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("parcelles.geojson", '{"type": "FeatureCollection", "features": [')
    with pytest.raises(UnsupportedSourceError) as err:
        open_source(archive)
    assert err.value.message.startswith("lot.zip:parcelles.geojson cannot be read: ")
    # the member's error, GDAL's words kept, without « laissé de côté » (nothing else was read) nor English words
    assert err.value.message_fr.startswith("lot.zip:parcelles.geojson ne peut pas être lu : ")
    assert "Unterminated array" in err.value.message_fr
    assert err.value.hint_fr == "Vérifiez que le fichier est complet (avec tous ses fichiers annexes) et non endommagé."


class _Cancelled(NullFeedback):
    def is_cancelled(self) -> bool:
        return True


def test_a_cancelled_operation_is_said_in_french() -> None:
    with pytest.raises(CancelledError) as err:
        check_cancelled(_Cancelled(), "Reading roads.shp", "La lecture de roads.shp")
    assert err.value.message == "Reading roads.shp was cancelled."
    assert err.value.message_fr == "La lecture de roads.shp a été annulée."
    with pytest.raises(CancelledError) as err:  # callers that give only the English: known operations translated
        check_cancelled(_Cancelled(), "Publishing to GeoServer")
    assert err.value.message_fr == "La publication dans GeoServer a été annulée."
    assert err.value.hint_fr == "Rien n'a été publié ; les fichiers produits partiels ont été supprimés."
    with pytest.raises(CancelledError) as err:
        check_cancelled(_Cancelled(), "Running eau_potable")
    assert err.value.message_fr == "L'exécution de eau_potable a été annulée."
