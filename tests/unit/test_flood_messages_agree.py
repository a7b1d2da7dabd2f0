"""The flood profile's messages agree in number with their counts, in both languages, instead of « zone(s) »: the
singular for 1 (and for 0 in French), the plural otherwise, verbs, participles and adjectives included; counts
grouped the language's way (« 1 004 » with a narrow no-break space in French, "1,004" in English). The messages
are written from templates (``add_issue(..., numbers=...)``), kept on the issue for a streamed run's merge."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from odl_geo.numbers import NARROW_NBSP, fill
from odl_geo.profiles.flood.cnig import _coerce
from odl_geo.profiles.flood.hazards import _report_unconverted, check_codes, check_ids, report_split
from odl_geo.profiles.flood.model import add_issue
from odl_geo.profiles.flood.stakes import _name
from odl_geo.profiles.flood.values import _integer_rule, _judge
from odl_geo.report import Issue, Report, Severity

THOUSAND = f"1{NARROW_NBSP}004"


def _only(report: Report, code: str) -> Issue:
    (issue,) = [i for i in report.issues if i.code == code]
    return issue


def test_add_issue_with_numbers_fills_templates_and_keeps_them() -> None:
    report = Report()
    add_issue(
        report,
        "PPR_X",
        Severity.INFO,
        "{n} {n:table is|tables are} absent from {{the}} file.",
        "A hint.",
        count=1004,
        fr="{n} {n:table facultative|tables facultatives} {n:absente|absentes} du fichier {{x}}.",
        numbers={"n": 1004},
    )
    issue = report.issues[0]
    assert issue.message == "1,004 tables are absent from {the} file."
    assert issue.message_fr == f"{THOUSAND} tables facultatives absentes du fichier {{x}}."
    assert issue.hint == "A hint." and issue.count == 1004
    # kept for a merge of chunks: the same templates written from another count
    assert issue.numbers == {"n": 1004}
    assert fill(issue.template, {"n": 1}, "en") == "1 table is absent from {the} file."
    assert fill(issue.template_fr, {"n": 1}, "fr") == "1 table facultative absente du fichier {x}."
    assert fill(issue.template_fr, {"n": 0}, "fr") == "0 table facultative absente du fichier {x}."


def test_add_issue_without_numbers_is_unchanged() -> None:
    report = Report()
    add_issue(report, "PPR_X", Severity.INFO, "As {is}: 3.", layer="l", fr="Tel {quel} : 3.")
    issue = report.issues[0]
    assert (issue.message, issue.message_fr, issue.numbers, issue.template) == (
        "As {is}: 3.",
        "Tel {quel} : 3.",
        {},
        "",
    )


@pytest.mark.parametrize(
    ("blanks", "en", "fr"),
    [
        (
            1,
            "1 row of N_ZONE_{A} has no NIVALEA_STD; the CNIG table needs one.",
            "1 ligne de N_ZONE_{A} n'a pas de NIVALEA_STD ; la table CNIG en demande un.",
        ),
        (
            2,
            "2 rows of N_ZONE_{A} have no NIVALEA_STD; the CNIG table needs one.",
            "2 lignes de N_ZONE_{A} n'ont pas de NIVALEA_STD ; la table CNIG en demande un.",
        ),
        (
            1004,
            "1,004 rows of N_ZONE_{A} have no NIVALEA_STD; the CNIG table needs one.",
            f"{THOUSAND} lignes de N_ZONE_{{A}} n'ont pas de NIVALEA_STD ; la table CNIG en demande un.",
        ),
    ],
)
def test_rows_without_a_value(blanks: int, en: str, fr: str) -> None:
    report = Report()
    values = pd.Series(["01"] * 3 + [None] * blanks, dtype=object)
    check_codes(values, "typeniveaualea", "NIVALEA_STD", "N_ZONE_{A}", report)  # a layer name with braces: as is
    issue = _only(report, "PPR_VALUE_MISSING")
    assert (issue.message, issue.message_fr, issue.count) == (en, fr, blanks)


def test_identifiers_missing_and_repeated() -> None:
    report = Report()
    check_ids(pd.Series(["a", None, "b", "b", "c", "c"], dtype=object), "ZONES", report)
    missing, repeated = _only(report, "PPR_VALUE_MISSING"), _only(report, "PPR_ID_DUPLICATE")
    assert missing.message == "1 feature of ZONES has no ID_ZONE: it becomes the primary key of the CNIG table."
    assert missing.message_fr == "1 objet de ZONES n'a pas d'ID_ZONE : il devient la clé primaire de la table CNIG."
    assert repeated.message == (
        "4 features of ZONES share their ID_ZONE with another feature: it becomes the primary key of the CNIG table."
    )
    assert repeated.message_fr == (
        "4 objets de ZONES partagent leur ID_ZONE avec un autre objet : il devient la clé primaire de la table CNIG."
    )


@pytest.mark.parametrize(
    ("rows", "en", "fr"),
    [
        (
            [7],
            "1 multi-part feature of ZONES was split into single parts",
            "1 objet multi-parties de ZONES a été découpé en parties simples",
        ),
        (
            list(range(1004)),
            "1,004 multi-part features of ZONES were split into single parts",
            f"{THOUSAND} objets multi-parties de ZONES ont été découpés en parties simples",
        ),
    ],
)
def test_split_features(rows: list[int], en: str, fr: str) -> None:
    report = Report()
    report_split(rows, "ZONES", report)
    issue = _only(report, "PPR_MULTIPART_SPLIT")
    assert issue.message == (
        f"{en}: the CNIG tables hold one part per row. The parts keep the source identifier with a suffix (-1, -2...)."
    )
    assert issue.message_fr == (
        f"{fr} : les tables CNIG ont une partie par ligne. Les parties gardent l'identifiant source avec un suffixe "
        "(-1, -2...)."
    )
    assert issue.count == len(rows) and issue.examples == rows[:5]


def test_unconverted_zones_pronouns_agree_too() -> None:
    one, two = Report(), Report()
    _report_unconverted(pd.Series(["201"]), "ZONES", one)
    _report_unconverted(pd.Series(["415", "201"]), "ZONES", two)
    single, plural = one.issues[0], two.issues[0]
    assert single.message.startswith("1 zone of ZONES has technological or mining hazard codes (201): it was not ")
    assert single.message_fr.startswith(
        "1 zone de ZONES a des codes d'aléa technologique ou minier (201) : elle n'a pas été convertie. "
    )
    assert plural.message.startswith(
        "2 zones of ZONES have technological or mining hazard codes (201, 415): they were "
    )
    assert plural.message_fr.startswith(
        "2 zones de ZONES ont des codes d'aléa technologique ou minier (201, 415) : elles n'ont pas été converties. "
    )


@pytest.mark.parametrize(
    ("lost", "en", "fr"),
    [
        (
            1,
            "L: 1 value of hauteur is not a whole number and is left empty.",
            "L : 1 valeur de hauteur n'est pas un nombre entier et est laissée vide.",
        ),
        (
            3,
            "L: 3 values of hauteur are not whole numbers and are left empty.",
            "L : 3 valeurs de hauteur ne sont pas des nombres entiers et sont laissées vides.",
        ),
    ],
)
def test_values_left_empty(lost: int, en: str, fr: str) -> None:
    report = Report()
    assert _coerce(pd.Series(["2", "4.0", *["x"] * lost]), "INTEGER", "L", "hauteur", report)[:2] == [2, 4]
    issue = _only(report, "PPR_VALUE_DROPPED")
    assert (issue.message, issue.message_fr, issue.count) == (en, fr, lost)


def test_stakes_without_a_name() -> None:
    report = Report()
    frame = gpd.GeoDataFrame({"NOM": [None, "b"], "DESCRIPT": [None, None]}, geometry=[Point(0, 0), Point(1, 0)])
    _name(frame, "nomenjeu", "ENJEUX", report)
    issue = _only(report, "PPR_VALUE_MISSING")
    assert issue.message == "1 feature of ENJEUX has neither NOM nor DESCRIPT: the CNIG table needs nomenjeu."
    assert issue.message_fr == "1 objet de ENJEUX n'a ni NOM ni DESCRIPT : la table CNIG demande nomenjeu."


@pytest.mark.parametrize(
    ("bad", "en", "fr"),
    [
        (
            1,
            "t: 1 value of occurrence is not a whole number.",
            "t : 1 valeur de occurrence n'est pas un nombre entier.",
        ),
        (
            1004,
            "t: 1,004 values of occurrence are not whole numbers.",
            f"t : {THOUSAND} valeurs de occurrence ne sont pas des nombres entiers.",
        ),
    ],
)
def test_validator_row_rule(bad: int, en: str, fr: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (occurrence)")
    conn.executemany("INSERT INTO t VALUES (?)", [(10,)] * 5 + [("often",)] * bad)
    report = Report()
    assert _judge(conn, "t", [_integer_rule("t", "occurrence", "occurrence")], report) == 5 + bad
    issue = _only(report, "PPR_VALUE_TYPE")
    assert (issue.message, issue.message_fr, issue.count) == (en, fr, bad)
    assert issue.examples == [5, 6, 7, 8, 9][:bad]
