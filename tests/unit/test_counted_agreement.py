"""Messages agree with their counts: « 1 objet est une copie exacte », « 3 objets sont des copies exactes », not
« 3 objet(s) sont » (issue 16: French messages written the French way, counts grouped; fifteenth round).

A message written from counts (:meth:`odl_geo.report.Issue.counted`) names the words that agree with each count
in its template (``{n:objet|objets}``, :func:`odl_geo.numbers.fill`); a streamed run's merge writes it again from
the layer's counts, so its words agree with the layer's count, not with its first chunk's. French takes the
singular for 0 and 1, English for 1 only.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

from odl_geo.numbers import fill, literal
from odl_geo.report import Issue, Report, Severity
from odl_geo.theme.merge import ChunkMerger
from tests.unit.test_merged_numbers import OPTIONS, _fountains, _messages
from tests.unit.test_theme_stream import _run

if TYPE_CHECKING:
    from pathlib import Path

COPIES = ("{n} {n:feature is an exact copy|features are exact copies} of an earlier one.",
          "{n} {n:objet est une copie exacte|objets sont des copies exactes} d'un objet précédent.")  # fmt: skip


@pytest.mark.parametrize(
    ("n", "fr", "en"),
    [
        (0, "0 objet est une copie exacte", "0 features are exact copies"),
        (1, "1 objet est une copie exacte", "1 feature is an exact copy"),
        (2, "2 objets sont des copies exactes", "2 features are exact copies"),
        (1004, "1\u202f004 objets sont des copies exactes", "1,004 features are exact copies"),
    ],
)
def test_a_template_writes_the_words_that_agree_with_its_count(n, fr, en):
    assert fill(COPIES[1], {"n": n}, "fr") == f"{fr} d'un objet précédent."
    assert fill(COPIES[0], {"n": n}, "en") == f"{en} of an earlier one."


def test_agreement_keeps_the_texts_braces_and_counts_it_does_not_know():
    assert fill("{n:|s} {{x:a|b}} {m:a|b} {n}", {"n": 2}, "fr") == "s {x:a|b} {m:a|b} 2"
    assert fill("vide{n:|s}", {"n": 1}, "fr") == "vide"
    # a quoted value put in a template as it is (its braces doubled) is not read as an agreement
    assert fill(literal("{n:a|b}") + " {n:a|b}", {"n": 5}, "en") == "{n:a|b} b"


def _chunk(n: int) -> Report:
    report = Report()
    report.add(Issue("DUPLICATE_FEATURE", Severity.WARNING, "", layer="l", count=n, examples=[0]).counted(*COPIES, n=n))
    return report


def test_chunks_of_one_and_of_three_copies_are_one_finding_agreeing_with_four():
    merger = ChunkMerger()
    for offset, n in ((0, 1), (100, 3), (200, 0)):
        if n:
            merger.add_report(_chunk(n), offset)
    [issue] = merger.issues()
    assert issue.count == 4
    assert issue.message == "4 features are exact copies of an earlier one."
    assert issue.message_fr == "4 objets sont des copies exactes d'un objet précédent."




def test_a_streamed_layer_and_the_whole_layer_say_the_same_agreeing_words(tmp_path):
    # one identifier used again in chunk 0 (rows 0-9), none after: singular words in the layer's message
    src = _fountains(tmp_path, 40, {7: 5})
    _run(src, tmp_path / "whole", "water", OPTIONS, {}, 50_000)
    _run(src, tmp_path / "chunked", "water", OPTIONS, {}, 10)
    whole = _messages(tmp_path / "whole", "DUPLICATE_ID")
    assert whole == [(
        "[left out] id_local: 1 identifier is used by several features (1 repeat), e.g. 'F005'.",
        "[écarté] id_local : 1 identifiant utilisé par plusieurs objets (1 répétition), p. ex. 'F005'.",
        1,
    )]  # fmt: skip
    assert _messages(tmp_path / "chunked", "DUPLICATE_ID") == whole
    left_out = _messages(tmp_path / "whole", "FEATURES_LEFT_OUT")
    assert left_out == [(
        "1 feature with errors left out of the products (--drop-invalid).",
        "1 objet en erreur écarté des produits (--drop-invalid).",
        1,
    )]  # fmt: skip
    assert _messages(tmp_path / "chunked", "FEATURES_LEFT_OUT") == left_out


def test_personal_values_emptied_are_counted_the_french_way_and_agree(tmp_path):
    from odl_geo.profiles.anonymise import AnonymiseOptions, anonymise
    from odl_geo.profiles.base import ThemeDataset
    from odl_geo.profiles.registry import load_profile

    profile = load_profile("water")
    role = profile.roles[0].role
    personal = next(f.name for f in profile.roles[0].fields if f.personal)
    frame = pd.DataFrame({personal: ["M. Dupont"] * 1004, "nom": ["Fontaine"] * 1004})
    report = Report()
    anonymise(profile, ThemeDataset(frames={role: frame}), AnonymiseOptions(), report)
    [issue] = [i for i in report.issues if i.code == "ANON_FIELD_REMOVED"]
    assert issue.message_fr == f"{personal} : 1\u202f004 valeurs vidées (donnée personnelle)."
    assert issue.message.startswith(f"{personal}: 1,004 values dropped (")
    assert json.dumps(issue.to_dict(), ensure_ascii=False).count("(s)") == 0


def _fix_notes(out: Path, code: str) -> tuple[list[str], list[str], list[tuple[str, str, int]]]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    [fix] = [f for f in report["layers"][0]["fixes"] if f["code"] == code]
    applied = [m for m in _messages(out, "FIX_APPLIED") if m[0].startswith(f"{code}: ")]
    return fix["changes"], fix["changes_fr"], applied


def test_a_fix_said_in_the_singular_by_its_first_chunk_agrees_with_the_layers_count(tmp_path):
    # chunk 0 (rows 0-19) removes one copy, chunk 1 three: the layer's note is plural, as the whole layer's
    src = _fountains(tmp_path, 40, {5: -2, 21: -1, 22: -1, 23: -1})
    _run(src, tmp_path / "whole", "water", OPTIONS, {}, 50_000)
    _run(src, tmp_path / "chunked", "water", OPTIONS, {}, 20)
    en, fr, applied = _fix_notes(tmp_path / "whole", "DUPLICATE_FEATURE")
    assert en == ["4 exact duplicate features removed: #5, #21, #22, #23."]
    assert fr == ["4 objets en double exact retirés : #5, #21, #22, #23."]
    assert applied == [(f"DUPLICATE_FEATURE: {en[0]}", f"DUPLICATE_FEATURE corrigé : {fr[0]}", 4)]
    # the streamed layer's note names the layer's features (its first chunk's, then the next one's), as the whole
    # layer's does, where it named « #5 » alone for four
    assert _fix_notes(tmp_path / "chunked", "DUPLICATE_FEATURE") == (en, fr, applied)


def test_a_list_completed_from_later_chunks_names_ten_then_says_how_many_more(tmp_path):
    # 3 copies in chunk 0 (rows 0-19), 12 in chunk 1: the layer's note names the first ten, then "and 5 more"
    src = _fountains(tmp_path, 60, dict.fromkeys([5, 6, 7], -2) | dict.fromkeys(range(21, 33), -1))
    _run(src, tmp_path / "whole", "water", OPTIONS, {}, 50_000)
    _run(src, tmp_path / "chunked", "water", OPTIONS, {}, 20)
    en, fr, applied = _fix_notes(tmp_path / "whole", "DUPLICATE_FEATURE")
    assert en == ["15 exact duplicate features removed: #5, #6, #7, #21, #22, #23, #24, #25, #26, #27 and 5 more."]
    assert fr == ["15 objets en double exact retirés : #5, #6, #7, #21, #22, #23, #24, #25, #26, #27 et 5 autres."]
    assert _fix_notes(tmp_path / "chunked", "DUPLICATE_FEATURE") == (en, fr, applied)


def test_one_fix_of_one_feature_is_said_in_the_singular(tmp_path):
    src = _fountains(tmp_path, 40, {5: -2})
    _run(src, tmp_path / "chunked", "water", OPTIONS, {}, 20)
    en, fr, _ = _fix_notes(tmp_path / "chunked", "DUPLICATE_FEATURE")
    assert (en, fr) == (["1 exact duplicate feature removed: #5."], ["1 objet en double exact retiré : #5."])


def test_a_list_of_ten_features_ends_with_how_many_more_agreeing():
    from odl_geo.checks.fixes import _rows
    from odl_geo.checks.registry import Note

    for extra, tail in ((1, "et 1 autre."), (7, "et 7 autres.")):
        en, fr, more = _rows(np.arange(10 + extra))
        note = Note.counted(f"{{n}} {{n:objet|objets}} : {en}.", f"{{n}} {{n:objet|objets}} : {fr}.", n=10 + extra,
                            **more)  # fmt: skip
        assert note.fr.endswith(tail)
        assert note.en.endswith(f"and {extra} more.")


@pytest.mark.parametrize(
    ("missing", "fr", "en"),
    [
        (1, "1 objet sans géométrie (nulle ou vide).", "1 feature has no geometry (null or empty)."),
        (2, "2 objets sans géométrie (nulle ou vide).", "2 features have no geometry (null or empty)."),
    ],
)
def test_a_checks_finding_agrees_with_its_count(missing, fr, en):
    import geopandas as gpd
    import shapely

    from odl_geo.checks.registry import CheckContext
    from odl_geo.checks.runner import run_checks
    from odl_geo.profiles.registry import load_profile

    geoms = shapely.points(np.full(5, 3.8), np.full(5, 43.6))
    geoms[:missing] = None
    frame = gpd.GeoDataFrame({"id_local": [f"F{i}" for i in range(5)]}, geometry=geoms, crs="EPSG:4326")
    profile = load_profile("water")
    [found] = [i for i in run_checks(CheckContext(frame, "l", profile, profile.roles[0]), "water").issues
               if i.code == "GEOM_MISSING"]  # fmt: skip
    assert (found.message_fr, found.message) == (fr, en)


def test_findings_of_one_and_of_two_features_in_two_chunks_merge_into_one_plural_finding():
    from odl_geo.checks.geometry import GEOM_MISSING  # noqa: F401 - registers the check

    merger = ChunkMerger()
    for offset, n in ((0, 1), (100, 2)):
        report = Report()
        report.add(Issue("GEOM_MISSING", Severity.ERROR, "", layer="l", count=n, examples=[0]).counted(
            "{n} {n:feature has|features have} no geometry (null or empty).",
            "{n} {n:objet|objets} sans géométrie (nulle ou vide).", n=n))  # fmt: skip
        merger.add_report(report, offset)
    [issue] = merger.issues()
    assert (issue.message, issue.message_fr) == ("3 features have no geometry (null or empty).",
                                                 "3 objets sans géométrie (nulle ou vide).")  # fmt: skip
