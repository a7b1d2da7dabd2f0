"""Every number of a streamed layer's merged messages is the layer's (issue 16, defect found in the fifth round).

A streamed run checks a layer chunk by chunk and merges the chunks' findings (:class:`odl_geo.theme.merge.ChunkMerger`).
A message with several counts ("id_sdis : 99 identifiant(s) utilisé(s) par plusieurs objets (17 répétitions)") had
only its first count replaced by the total, the others left at the first chunk's; a fix's list of features ended
with the first chunk's "et N autre(s)". Issues now carry their counts by name (``Issue.numbers``, the message
written from them: :func:`odl_geo.numbers.fill`), summed over the chunks; a whole run and a streamed run of the
same rows say the same.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from odl_geo.report import Issue, Report, Severity
from odl_geo.theme.merge import ChunkMerger
from tests.unit.test_theme_stream import REPO, _run

if TYPE_CHECKING:
    from pathlib import Path

OPTIONS = {"mapping": str(REPO / "examples/water/fontaines.toml"), "fix": True, "drop_invalid": True}


def _fountains(tmp: Path, n: int, copies: dict[int, int]) -> Path:
    """Water points of Montpellier; ``copies``: row -> the earlier row whose identifier it uses again (or whose
    every value it copies, when the value is negative: ``-row``)."""
    rows = [
        {"Dossier": f"F{i:03d}", "Nom": f"Fontaine {i}", "BORNE_FONT": "Fontaine", "Catégorie": "Fontaine à boire",
         "Longitude": f"{3.80 + i / 1000:.5f}".replace(".", ","),
         "Latitude": f"{43.60 + i / 1000:.5f}".replace(".", ",")}
        for i in range(n)
    ]  # fmt: skip
    for row, src in copies.items():
        rows[row] = dict(rows[-src]) if src < 0 else {**rows[row], "Dossier": rows[src]["Dossier"]}
    path = tmp / "fontaines.csv"
    pd.DataFrame(rows).to_csv(path, sep=";", index=False)
    return path


def _messages(out: Path, code: str) -> list[tuple[str, str, int]]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return [(i["message"], i.get("message_fr", ""), i["count"]) for i in report["issues"] if i["code"] == code]


def test_identifiers_used_again_in_later_chunks_are_counted_once_with_every_repeat(tmp_path):
    # chunk 0 (rows 0-9): F001, F002, F005 used twice; then F005 and F002 a third time, F020 used twice
    src = _fountains(tmp_path, 40, {7: 5, 8: 2, 9: 1, 15: 5, 25: 2, 33: 20})
    _run(src, tmp_path / "whole", "water", OPTIONS, {}, 50_000)
    _run(src, tmp_path / "chunked", "water", OPTIONS, {}, 10)
    whole = _messages(tmp_path / "whole", "DUPLICATE_ID")
    assert whole == [(
        "[left out] id_local: 4 identifiers are used by several features (6 repeats), e.g. 'F001', 'F002', 'F005'.",
        ("[écarté] id_local : 4 identifiants utilisés par plusieurs objets (6 répétitions), p. ex. 'F001', "
         "'F002', 'F005'."),
        6,
    )]  # fmt: skip
    assert _messages(tmp_path / "chunked", "DUPLICATE_ID") == whole


def test_a_fix_listing_ten_features_says_how_many_more_in_the_whole_layer(tmp_path):
    # 12 copies of row 0 in chunk 0 (rows 0-19), 5 in chunk 1: 17 removed, ten listed "and 7 more"
    src = _fountains(tmp_path, 60, dict.fromkeys(range(5, 17), -2) | dict.fromkeys(range(20, 25), -1))
    _run(src, tmp_path / "whole", "water", OPTIONS, {}, 50_000)
    _run(src, tmp_path / "chunked", "water", OPTIONS, {}, 20)
    whole = [m for m in _messages(tmp_path / "whole", "FIX_APPLIED") if "DUPLICATE_FEATURE" in m[0]]
    assert len(whole) == 1 and whole[0][0].endswith(" and 7 more.") and whole[0][1].endswith(" et 7 autres.")
    assert "17 exact duplicate features removed" in whole[0][0]
    chunked = [m for m in _messages(tmp_path / "chunked", "FIX_APPLIED") if "DUPLICATE_FEATURE" in m[0]]
    assert chunked == whole


def test_the_merger_sums_each_named_count_and_writes_the_message_again():
    from odl_geo.numbers import literal

    merger = ChunkMerger()
    for offset, (ids, repeats, sample) in ((0, (17, 17, "'A'")), (100, (40, 52, "'B'")), (200, (0, 30, "'A'"))):
        found = Issue("DUPLICATE_ID", Severity.ERROR, "", layer="l", count=repeats, examples=[1, 2])
        found.counted(
            "id_sdis: {ids} identifier(s) are used by several features ({repeats} repeats), e.g. " + literal(sample),
            "id_sdis : {ids} identifiant(s) utilisé(s) par plusieurs objets ({repeats} répétitions), p. ex. "
            + literal(sample),
            ids=ids, repeats=repeats,
        )  # fmt: skip
        report = Report()
        report.add(found)
        merger.add_report(report, offset)
    (merged,) = merger.issues()
    assert merged.count == 99 and merged.numbers == {"ids": 57, "repeats": 99}
    assert merged.message == "id_sdis: 57 identifier(s) are used by several features (99 repeats), e.g. 'A'"
    assert merged.message_fr == (
        "id_sdis : 57 identifiant(s) utilisé(s) par plusieurs objets (99 répétitions), p. ex. 'A'"
    )


def test_a_merged_fix_note_says_how_many_features_it_does_not_list():
    from odl_geo.checks.registry import Change
    from odl_geo.checks.runner import Fix

    merger = ChunkMerger()
    for offset, rows in ((0, list(range(12))), (100, [5, 6, 7]), (200, [1])):
        details = [Change(r, "(feature)", "", None) for r in rows]
        listed = ", ".join(f"#{r}" for r in rows[:10])
        more = len(rows) - 10
        en = f"{len(rows)} exact duplicate feature(s) removed: {listed}" + (f" and {more} more" if more > 0 else "")
        fr = f"{len(rows)} objet(s) en double exact retiré(s) : {listed}" + (f" et {more} autre(s)" if more > 0 else "")
        merger.add_fixes([Fix("DUPLICATE_FEATURE", "l", [en + "."], [fr + "."], details)], offset)
    (fix,) = merger.fixes("l")
    listed = ", ".join(f"#{r}" for r in range(10))
    assert fix.changes == [f"16 exact duplicate feature(s) removed: {listed} and 6 more."]
    assert fix.changes_fr == [f"16 objet(s) en double exact retiré(s) : {listed} et 6 autres."]


@pytest.mark.parametrize("lang, expected", [("en", "1,004 of {x} ({y}): 3"), ("fr", "1\u202f004 of {x} ({y}): 3")])
def test_fill_writes_named_counts_and_keeps_literal_braces(lang, expected):
    from odl_geo.numbers import fill, literal

    template = "{n} of " + literal("{x} ({y})") + ": {k}"
    assert fill(template, {"n": 1004, "k": 3}, lang) == expected


def test_issues_written_from_counts_keep_the_json_they_always_had():
    plain = Issue("DUPLICATE_ID", Severity.ERROR, "x: 2 identifier(s)", layer="l", count=2, message_fr="x : 2")
    counted = Issue("DUPLICATE_ID", Severity.ERROR, "", layer="l", count=2).counted("x: {n} identifier(s)", "x : {n}",
                                                                                      n=2)  # fmt: skip
    assert counted.to_dict() == plain.to_dict()
    assert counted.message == plain.message and counted.message_fr == plain.message_fr


def test_flood_findings_merged_from_pieces_write_the_layers_count_grouped():
    from odl_geo.numbers import literal

    merger = ChunkMerger()
    for offset, n in ((0, 1200), (5000, 900)):
        found = Issue("PPR_MICRO_SURFACE", Severity.WARNING, "", layer="zones", count=n, examples=[1])
        name = literal("zones {a}")
        found.counted(f"{{polygons}} polygon(s) of {name} are smaller than 1 m².",
                      f"{{polygons}} polygone(s) de {name} font moins de 1 m².", polygons=n)  # fmt: skip
        merger.add(found, offset)
    (merged,) = merger.issues()
    assert merged.message == "2,100 polygon(s) of zones {a} are smaller than 1 m²."
    assert merged.message_fr == "2\u202f100 polygone(s) de zones {a} font moins de 1 m²."
