"""A streamed layer's report quotes the values a whole-layer run quotes (issue 16, review of the seventh round).

A finding or a fix's note quotes a few values as examples (``e.g. '99999', '98765'``, ``('12/03/1999' ->
'1999-03-12')``). Merged from chunks, a message used to quote the first chunk's values only: a value met in a
later chunk was never shown, and a finding that quotes its values in its key (``ENUM_VALUES_MAPPED``) came once
per chunk. Each issue and note now says which values it quotes and how many at most (``Issue.quoting``,
``Note.quoted``); the merge completes the list from later chunks, earlier chunks' values first, as the whole layer
lists its first ones. Here PEI whose faults differ from one chunk to the next are converted whole and in chunks
of 1 and 13 rows: the messages, hints and notes are the same, in English and French.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from odl_geo.checks.registry import Change
from odl_geo.checks.runner import Fix
from odl_geo.report import Issue, Report, Severity
from odl_geo.theme.merge import ChunkMerger
from tests.unit.test_theme_stream import REPO, _run

if TYPE_CHECKING:
    from pathlib import Path

PEI = REPO / "tests/data/pei/pei_generated_occitanie.csv"
OPTIONS = {"fix": True, "drop_invalid": True, "area": "occitanie"}
READ = {"source_crs": "EPSG:2154"}


def _varied_pei(tmp: Path) -> Path:
    """The bundled PEI twice over (60 rows, new numbers), with faults whose values differ along the layer: kinds
    of hydrant named in words, codes outside the list, INSEE codes unknown or without their leading zero, dates
    in other formats and damaged text, each kind met first in a different chunk."""
    raw = pd.read_csv(PEI, sep=";", dtype=str, keep_default_na=False)
    table = pd.concat([raw, raw], ignore_index=True)
    table["numero_sdis"] = [f"{v}{i:03d}" for i, v in enumerate(table["numero_sdis"])]
    faults = {
        "type": {2: "bouche", 9: "poteau incendie", 16: "citerne", 23: "PY", 31: "PZ", 38: "Bâche", 44: "PW",
                 50: "réserve", 57: "PV"},
        "code_insee": {5: "99999", 12: "1001", 20: "98765", 27: "1004", 35: "97999", 41: "1005", 48: "99998",
                       55: "1010", 58: "99997", 59: "99996"},
        "date_mise_en_service": {1: "12/03/1999", 8: "2010_11_05", 15: "13/04/2001", 22: "14/05/2002",
                                 29: "2011_12_06", 36: "15/06/2003", 43: "16/07/2004", 52: "17/08/2005"},
        "adresse": {3: "Place de la RÃ©publique", 17: "Rue de l'Ã‰glise", 30: "Chemin du PrÃ©",
                    47: "Allée des Ã‰coles"},
    }  # fmt: skip
    for col, rows in faults.items():
        for row, value in rows.items():
            table.loc[row, col] = value
    dest = tmp / "src"
    dest.mkdir()
    path = dest / "pei_varies.csv"
    table.to_csv(path, sep=";", index=False)
    return path


def _said(out: Path) -> tuple[Counter, list]:
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    issues = Counter(
        (i["code"], i["severity"], i["count"], i["message"], i.get("message_fr", ""), i["hint"])
        for i in report["issues"]
    )
    notes = [(f["code"], f["changes"], f.get("changes_fr")) for f in report["layers"][0].get("fixes", [])]
    return issues, notes


def _quoting(issues: Counter, code: str) -> list[str]:
    return [message for (c, _s, _n, message, _fr, _h) in issues if c == code]


@pytest.mark.parametrize("chunk_rows", [1, 13])
def test_a_layer_in_chunks_quotes_the_values_a_whole_run_quotes(tmp_path, chunk_rows):
    src = _varied_pei(tmp_path)
    _run(src, tmp_path / "whole", "pei", OPTIONS, READ, 50_000)
    _run(src, tmp_path / "chunked", "pei", OPTIONS, READ, chunk_rows)
    whole, chunked = _said(tmp_path / "whole"), _said(tmp_path / "chunked")
    # what the whole run quotes: values of several chunks, the first ones of the layer
    mapped = "'bouche' -> 'BI', 'Poteau' -> 'PI', 'poteau incendie' -> 'PI', 'citerne' -> 'CI', 'Bâche' -> 'CI'"
    assert f"type_pei: values mapped to the schema's codes: {mapped}, 'réserve' -> 'CI'." in _quoting(
        whole[0], "ENUM_VALUES_MAPPED"
    )
    notes = {code: en for code, en, _fr in whole[1]}
    dates = ("('12/03/1999' -> '1999-03-12', '2010_11_05' -> '2010-11-05', '13/04/2001' -> '2001-04-13', "
             "'14/05/2002' -> '2002-05-14', '2011_12_06' -> '2011-12-06')")  # fmt: skip
    assert any(dates in n for n in notes["DATE_NOT_ISO"])
    assert chunked[0] == whole[0]  # every finding: its count, message, French message and hint
    assert chunked[1] == whole[1]  # the fixes in the same order, each note in English and French


def test_the_merge_completes_the_quoted_values_up_to_the_most_a_message_quotes():
    def found(values: list[str], n: int) -> Issue:
        sample = ", ".join(values)
        return Issue(
            "INSEE_UNKNOWN", Severity.ERROR, f"insee: {n} value(s) hold unknown codes, e.g. {sample}.",
            layer="pei", count=n, examples=list(range(n)), message_fr=f"insee : {n} valeur(s), p. ex. {sample}.",
        ).quoting(values, 3)  # fmt: skip

    merger = ChunkMerger()
    merger.add_report(Report([found(["'99999'", "'98765'"], 2)]), 0)
    merger.add_report(Report([found(["'98765'", "'97999'", "'99998'"], 3)]), 10)  # one new value fits
    merger.add_report(Report([found(["'11111'"], 1)]), 20)  # three quoted already: no more
    (issue,) = merger.issues()
    assert issue.message == "insee: 6 value(s) hold unknown codes, e.g. '99999', '98765', '97999'."
    assert issue.message_fr == "insee : 6 valeur(s), p. ex. '99999', '98765', '97999'."
    assert issue.quoted == ["'99999'", "'98765'", "'97999'"]


def test_a_fix_note_said_by_several_chunks_quotes_their_values_in_both_languages():
    def fix(pairs: list[tuple[str, str]], start: int) -> Fix:
        quoted = tuple(f"{a!r} -> {b!r}" for a, b in pairs)
        shown = ", ".join(quoted)
        changes = [Change(start + i, "date_mes", a, b) for i, (a, b) in enumerate(pairs)]
        return Fix("DATE_NOT_ISO", "pei", [f"date_mes: {len(pairs)} date(s) rewritten as ISO 8601 ({shown})."],
                   [f"date_mes : {len(pairs)} date(s) réécrite(s) au format ISO 8601 ({shown})."], changes,
                   [(quoted, 3)])  # fmt: skip

    merger = ChunkMerger()
    merger.add_fixes([fix([("1/2/2000", "2000-02-01")], 0)], 0)
    merger.add_fixes([fix([("3/4/2001", "2001-04-03"), ("5/6/2002", "2002-06-05")], 0)], 10)
    merger.add_fixes([fix([("7/8/2003", "2003-08-07")], 0)], 20)
    (merged,) = merger.fixes("pei")
    shown = "'1/2/2000' -> '2000-02-01', '3/4/2001' -> '2001-04-03', '5/6/2002' -> '2002-06-05'"
    assert merged.changes == [f"date_mes: 4 date(s) rewritten as ISO 8601 ({shown})."]
    assert merged.changes_fr == [f"date_mes : 4 date(s) réécrite(s) au format ISO 8601 ({shown})."]
    assert len(merged.details) == 4
